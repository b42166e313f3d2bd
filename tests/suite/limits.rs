//! Bounded input and work: a spec is read through a capped reader whatever the file is (a
//! device, a pipe, a FIFO nothing writes to), and every command ends quickly on it.

use crate::common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a command on hostile input may run before the test calls it hung. Generous: the
/// runs below take milliseconds; only a hang (or reading gigabytes) comes near it.
const HANG: Duration = Duration::from_secs(20);

/// `chaoslab ARGS` under a 1 GiB address-space limit (so a regression that reads without
/// bound fails fast instead of eating the machine's memory), killed after [`HANG`].
fn bounded(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_chaoslab"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for `child` at most [`HANG`]; kills it (by its own handle) and fails when it is
/// still running then.
fn finish(mut child: Child, what: &str) -> Output {
    let pipe = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = pipe(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = pipe(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {HANG:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout"),
        stderr: err.join().expect("stderr"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const OVER: &str = "error[E001]: the spec is over 256 KiB; the limit is 262144 bytes";

fn assert_too_large(out: &Output, what: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}:\n{err}");
    assert!(err.contains(OVER), "{what}:\n{err}");
}

#[test]
fn a_spec_read_from_dev_zero_is_refused_at_the_cap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let child = bounded(tmp.path(), &["validate", "/dev/zero"])
        .spawn()
        .expect("spawn");
    assert_too_large(&finish(child, "validate /dev/zero"), "/dev/zero");
}

#[test]
fn a_spec_piped_without_end_is_refused_at_the_cap() {
    // /dev/stdin as the spec, fed a valid start and then text without end: the writer stops
    // only when chaoslab closes the pipe.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut child = bounded(tmp.path(), &["validate", "/dev/stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut sent = 0usize;
        let _ = stdin.write_all(common::MINIMAL.as_bytes());
        let line = format!("# {}\n", "y".repeat(78));
        while stdin.write_all(line.as_bytes()).is_ok() {
            sent += line.len();
            if sent > 64 << 20 {
                break; // chaoslab read 64 MiB without refusing: the assertions below say so
            }
        }
        sent
    });
    let out = finish(child, "validate /dev/stdin");
    let sent = writer.join().expect("writer");
    assert_too_large(&out, "/dev/stdin");
    assert!(sent < 64 << 20, "chaoslab kept reading: {sent} bytes sent");
}

#[test]
fn process_substitution_is_read_and_an_endless_one_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    let run = |substitution: String| {
        let child = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "ulimit -v 1048576 && exec \"$0\" validate {substitution}"
            ))
            .arg(env!("CARGO_BIN_EXE_chaoslab"))
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash runs");
        finish(child, &substitution)
    };
    let ok = run(format!("<(cat '{}')", spec.display()));
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains(": ok (lab chaos-shop-dependencies"));
    assert_too_large(&run("<(yes)".to_owned()), "<(yes)");
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_nothing_writes_to_is_refused_not_waited_for() {
    let tmp = tempfile::tempdir().expect("tempdir");
    mkfifo(&tmp.path().join("lab.yaml"));
    let child = bounded(tmp.path(), &["validate", "lab.yaml"])
        .spawn()
        .expect("spawn");
    let out = finish(child, "validate on a FIFO without a writer");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error[E001]: the spec is a FIFO (named pipe) and nothing was written to it")
            && err.contains("= help: start the program that writes the spec before chaoslab"),
        "{err}"
    );
}

#[test]
fn a_fifo_named_like_a_spec_in_a_spec_directory_is_skipped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let specs = tmp.path().join("specs");
    std::fs::create_dir(&specs).expect("mkdir");
    std::fs::copy(
        common::root().join("blueprints/chaos-shop-dependencies.yaml"),
        specs.join("lab.yaml"),
    )
    .expect("copy");
    mkfifo(&specs.join("x.yaml"));
    std::os::unix::fs::symlink("/dev/zero", specs.join("zero.yaml")).expect("symlink");
    let child = bounded(tmp.path(), &["validate", "specs"])
        .spawn()
        .expect("spawn");
    let out = finish(child, "validate on a directory holding a FIFO");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("validate: 1 spec, 1 ok"),
        "{}",
        text(&out.stdout)
    );
}

/// The library and the command line refuse an oversized spec in one wording, with one fix.
#[test]
fn an_oversized_spec_gets_one_message_and_one_help() {
    let big = format!(
        "{}description: \"{}\"\n",
        common::MINIMAL,
        "x".repeat(300 * 1024)
    );
    let library = chaoslab::load("big.yaml", &big)
        .expect_err("too large")
        .to_string();
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("big.yaml"), &big).expect("write");
    let child = bounded(tmp.path(), &["validate", "big.yaml"])
        .spawn()
        .expect("spawn");
    let out = finish(child, "validate big.yaml");
    let cli = text(&out.stderr);
    assert_too_large(&out, "big.yaml");
    assert_eq!(cli.trim_end(), library.trim_end());
}

/// A lab with one experiment: a chain of `n` one-minute waits, each after the one before;
/// `back` adds `start_after` from the first step to the step of that index (a cycle).
fn chain(n: usize, back: Option<usize>) -> String {
    let mut spec = format!(
        "{}experiments:\n  chain:\n    description: Wait in a chain\n    acknowledge: [no-stop-condition]\n    actions:\n",
        common::MINIMAL
    );
    for i in 0..n {
        let after = match (i, back) {
            (0, Some(b)) => format!(", start_after: [w{b}]"),
            (0, None) => String::new(),
            _ => format!(", start_after: [w{}]", i - 1),
        };
        spec.push_str(&format!(
            "      - {{name: w{i}, action: aws:fis:wait, parameters: {{duration: PT1M}}{after}}}\n"
        ));
    }
    spec
}

fn diagnostics(spec: &str) -> Vec<chaoslab::base::errors::Diagnostic> {
    match chaoslab::load("lab.yaml", spec) {
        Ok(_) => Vec::new(),
        Err(chaoslab::base::errors::Error::Spec(errs)) => errs.diagnostics,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_thousand_step_chain_is_refused_at_the_fis_quota_with_one_error() {
    let found = diagnostics(&chain(1000, None));
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d.code.to_string(), "E055");
    assert_eq!(d.field, "experiments.chain.actions[20]");
    assert_eq!(
        d.message,
        "an FIS experiment template holds at most 20 actions; this one has 1000"
    );
}

#[test]
fn twenty_steps_are_the_most_and_are_checked_in_full() {
    let lab = chaoslab::load("lab.yaml", &chain(20, None)).unwrap_or_else(|e| panic!("{e}"));
    // The longest chain through start_after: 20 waits of a minute.
    assert_eq!(lab.experiments[0].duration_secs(), Some(20 * 60));
    let found = diagnostics(&chain(20, Some(19)));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code.to_string(), "E055");
    assert_eq!(
        found[0].message,
        "`w0` waits, through start_after, for itself"
    );
}

fn tenants(n: usize) -> String {
    let mut spec = format!("{}prefix: m\ntenants:\n", common::MINIMAL);
    for i in 0..n {
        spec.push_str(&format!("  - t{i}\n"));
    }
    spec
}

#[test]
fn a_hundred_tenants_are_the_most() {
    assert_eq!(diagnostics(&tenants(100)), Vec::new());
    let found = diagnostics(&tenants(20_000));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code.to_string(), "E008");
    assert_eq!(found[0].field, "tenants[100]");
    assert_eq!(
        found[0].message,
        "a spec lists at most 100 tenants; this one lists 20000"
    );
}
