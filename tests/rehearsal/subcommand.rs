//! `chaoslab rehearse`: the command users get. What it plays of each action is the catalog's
//! (checked here per blueprint, without running anything); the runs themselves boot the lab's
//! app in a network namespace (root), so they share the rehearsal's one-at-a-time turn and
//! its rule: where no namespace can be made the test says so, and under CI it fails.
//!
//! The claims: a true hypothesis holds and a false one deviates (exit 1) in one boot; the
//! unguarded app breaks the reference lab's promise (exit 1); a database restart and a
//! latency fault (on the ECS task) are injected and judged.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

fn chaoslab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaoslab"));
    // The stand-ins are installed once per checkout, where `.tools/` is ignored.
    cmd.env("CHAOSLAB_CACHE_DIR", common::root().join(".tools/cache"))
        .current_dir(common::root());
    cmd
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_harness_inside_the_binary_is_the_whole_package() {
    let dir = common::root().join("harness/chaoslab_rehearse");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("harness/chaoslab_rehearse")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    on_disk.sort();
    let mut shipped: Vec<String> = chaoslab::rehearse::setup::HARNESS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    shipped.sort();
    assert_eq!(
        shipped, on_disk,
        "src/rehearse/setup.rs's HARNESS must list every module of harness/chaoslab_rehearse"
    );
    for (name, text) in chaoslab::rehearse::setup::HARNESS {
        let file = std::fs::read_to_string(dir.join(name)).expect("module");
        assert_eq!(&file, text, "{name} as shipped");
    }
}

#[test]
fn the_lock_pins_every_package_with_a_hash() {
    let lock = chaoslab::rehearse::setup::REQUIREMENTS;
    let mut packages = 0;
    for entry in lock.split("\n").filter(|l| l.contains("==")) {
        packages += 1;
        assert!(!entry.starts_with(' '), "{entry}");
    }
    assert!(packages > 10, "{packages} packages");
    // Every requirement line is followed by at least one hash.
    let requirements: Vec<&str> = lock.split("==").skip(1).collect();
    for r in &requirements {
        assert!(r.contains("--hash=sha256:"), "no hash after {r:.60}");
    }
}

/// A machine without the tools: each named with how to get it, exit 3, nothing prepared.
#[test]
fn setup_names_what_the_machine_lacks() {
    let empty = tempfile::tempdir().expect("tmp");
    let cache = tempfile::tempdir().expect("tmp");
    let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .args(["rehearse", "--setup"])
        .env("PATH", empty.path())
        .env("CHAOSLAB_CACHE_DIR", cache.path())
        .env_remove("TERRAFORM")
        .env_remove("CHAOSLAB_TERRAFORM_EVAL")
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    for needed in [
        "`ip` (",
        "`iptables` (",
        "`runuser` (",
        "`unshare` (",
        "`python3` (",
        "`terraform` (",
    ] {
        assert!(stderr.contains(needed), "{needed} not named:\n{stderr}");
    }
    assert_eq!(std::fs::read_dir(cache.path()).expect("cache").count(), 0);
}

/// What the cache holds runs as root: a cache others may write to is refused, and a harness
/// file changed there is written anew before it runs.
#[test]
fn the_cache_is_trusted_only_when_it_is_ours_and_as_shipped() {
    use std::os::unix::fs::PermissionsExt;
    let open = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let out = chaoslab()
        .args(["rehearse", "--setup"])
        .env("CHAOSLAB_CACHE_DIR", open.path())
        .output()
        .expect("runs");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("others may write to it"), "{stderr}");

    // A cache of its own, holding links to the shared cache's stand-ins (set up by the first
    // run; this sets it up if not), so no rehearsal running beside it meets the tampering:
    // set up, its harness's __main__.py tampered with, then --setup restores the one this
    // binary ships.
    assert!(
        chaoslab()
            .args(["rehearse", "--setup"])
            .output()
            .expect("runs")
            .status
            .success()
    );
    let shared = common::root().join(".tools/cache/rehearse");
    let own = tempfile::tempdir().expect("tmp");
    let cache = own.path().join("rehearse");
    std::fs::create_dir(&cache).expect("cache");
    for entry in std::fs::read_dir(&shared).expect("shared cache").flatten() {
        if entry.file_name().to_string_lossy().starts_with("tools-") {
            std::os::unix::fs::symlink(entry.path(), cache.join(entry.file_name())).expect("link");
        }
    }
    let setup = || {
        chaoslab()
            .args(["rehearse", "--setup"])
            .env("CHAOSLAB_CACHE_DIR", own.path())
            .output()
            .expect("runs")
    };
    let first = setup();
    assert!(first.status.success(), "{}", text(&first).1);
    let shipped = chaoslab::rehearse::setup::HARNESS
        .iter()
        .find(|(n, _)| *n == "__main__.py")
        .expect("__main__.py")
        .1;
    let mains: Vec<PathBuf> = std::fs::read_dir(&cache)
        .expect("cache")
        .flatten()
        .map(|e| e.path().join("chaoslab_rehearse/__main__.py"))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(mains.len(), 1, "one harness written: {mains:?}");
    for m in &mains {
        std::fs::write(m, "raise SystemExit('planted')\n").expect("tamper");
    }
    assert!(setup().status.success());
    assert!(
        mains
            .iter()
            .any(|m| std::fs::read_to_string(m).ok().as_deref() == Some(shipped)),
        "no harness restored"
    );
}

/// `--plan` over every blueprint: what is rehearsed, and why the rest is not, from the
/// catalog, for every experiment of the lab.
#[test]
fn every_blueprint_says_what_it_rehearses_and_why_not_the_rest() {
    let (mut rehearsed, mut experiments) = (0, 0);
    for spec in common::blueprints() {
        let out = chaoslab()
            .arg("rehearse")
            .arg(&spec)
            .arg("--plan")
            .output()
            .expect("runs");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", spec.display());
        let lab = chaoslab::load("", &std::fs::read_to_string(&spec).expect("spec")).expect("lab");
        experiments += lab.experiments.len();
        for e in &lab.experiments {
            let line = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{}: ", e.name)))
                .unwrap_or_else(|| panic!("{}: no line for {}:\n{stdout}", spec.display(), e.name));
            assert!(
                line.contains(": rehearsed: ") || line.contains(": not rehearsed here: "),
                "{line}"
            );
            rehearsed += usize::from(line.contains(": rehearsed: "));
        }
    }
    // The README says how many.
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let claim =
        format!("Of the blueprints' {experiments} experiments, {rehearsed} are rehearsable");
    assert!(readme.contains(&claim), "README.md should say: {claim}");
}

/// What a step's parameters put beyond the stand-in, said per experiment: a latency on all
/// of a task's traffic (the load balancer's too) or on a share of its flows.
#[test]
fn a_task_fault_beyond_the_stand_in_says_which_parameter() {
    let spec = std::fs::read_to_string(
        common::root().join("blueprints/chaos-shop-containers-serverless.yaml"),
    )
    .expect("spec");
    let plan = |from: &str, to: &str| {
        assert!(spec.contains(from), "{from}");
        let lab = chaoslab::load("", &spec.replace(from, to)).expect("lab");
        let plan =
            chaoslab::rehearse::Plan::of(&lab, &["dynamodb-latency".to_owned()]).expect("plan");
        (plan.experiments, plan.not_rehearsable)
    };
    let (yes, no) = plan("sources: DYNAMODB}", "sources: DYNAMODB}");
    assert_eq!((yes.len(), no.len()), (1, 0));
    assert_eq!(
        yes[0].faults,
        vec![chaoslab::catalog::LocalFault::Latency {
            dependency: "dynamodb",
            millis: 2500
        }]
    );
    let (yes, no) = plan("sources: DYNAMODB}", "sources: \"DYNAMODB,S3\"}");
    assert!(yes.is_empty());
    let why = &no[0].1;
    assert!(
        why.contains("`sources: DYNAMODB,S3` reaches more than one"),
        "{why}"
    );
    // Left out, FIS affects all the task's traffic.
    let (yes, no) = plan(", sources: DYNAMODB}", "}");
    assert!(yes.is_empty());
    assert!(no[0].1.contains("`sources: ALL`"), "{no:?}");
    let (yes, no) = plan(
        "sources: DYNAMODB}",
        "sources: DYNAMODB, flowsPercent: \"50\"}",
    );
    assert!(yes.is_empty());
    assert!(no[0].1.contains("`flowsPercent: 50`"), "{no:?}");
}

#[test]
fn the_fleet_faults_are_not_rehearsed_and_the_reason_is_printed() {
    let out = chaoslab()
        .args(["rehearse", "blueprints/chaos-shop-first-experiment.yaml"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stdout.contains("stop-one-instance: not rehearsed here: `aws:ec2:stop-instances`: the promise rests on the load balancer"), "{stdout}");
    assert!(
        stderr.contains("no experiment this machine can rehearse"),
        "{stderr}"
    );
}

#[test]
fn a_stale_tree_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = chaoslab()
        .args(["rehearse", "blueprints/chaos-shop-dependencies.yaml", "-o"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("is not what the spec generates"),
        "{stderr}"
    );
}

/// The runs: root and a namespace, one at a time with the other rehearsals.
fn rehearse(spec: &Path, out: Option<&Path>, args: &[&str]) -> Option<(Output, Value)> {
    let _lane = crate::lane();
    if !common::rehearsal_can_run() {
        return None;
    }
    let journal = tempfile::NamedTempFile::new().expect("journal");
    let mut cmd = chaoslab();
    cmd.arg("rehearse").arg(spec);
    if let Some(o) = out {
        cmd.arg("-o").arg(o);
    }
    cmd.args(["--baseline", "3s", "--fault", "6s", "--recovery", "5s"])
        .arg("--journal")
        .arg(journal.path())
        .args(args);
    let output = common::run_bounded(cmd, Duration::from_secs(600));
    let (stdout, stderr) = text(&output);
    eprintln!("{stdout}\n{stderr}");
    let journal = std::fs::read_to_string(journal.path()).unwrap_or_default();
    let journal = serde_json::from_str(&journal)
        .unwrap_or_else(|e| panic!("no journal ({e}); exit {:?}:\n{stderr}", output.status));
    Some((output, journal))
}

/// `experiment` of `spec` rehearsed alone: it must hold (exit 0, one run, not deviated).
/// Returns the printed table and the journal for the test's own evidence.
fn held_alone(spec: &str, experiment: &str) -> Option<(String, Value)> {
    let spec = common::root().join(spec);
    let (out, journal) = rehearse(&spec, None, &["--experiment", experiment])?;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(verdicts(&journal), vec![(experiment.to_owned(), false)]);
    Some((stdout, journal))
}

/// Each run's experiment and whether it deviated, from the journal.
fn verdicts(journal: &Value) -> Vec<(String, bool)> {
    journal["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            (
                r["experiment"]["title"].as_str().expect("title").to_owned(),
                r["deviated"].as_bool().expect("deviated"),
            )
        })
        .collect()
}

fn generated(spec: &str) -> (PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = common::root().join(spec);
    let out = chaoslab()
        .arg("generate")
        .arg(&spec)
        .arg("-o")
        .arg(dir.path())
        .output()
        .expect("generate");
    assert!(out.status.success(), "{}", text(&out).1);
    (spec, dir)
}

#[test]
fn true_hypotheses_hold_and_a_false_one_exits_1_in_one_boot() {
    let (spec, dir) = generated("tests/fixtures/rehearse/false-claim.yaml");
    let Some((out, journal)) = rehearse(&spec, Some(dir.path()), &[]) else {
        return;
    };
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "a false hypothesis exits 1");
    assert_eq!(
        verdicts(&journal),
        vec![
            ("claims-reviews-survive".to_owned(), true),
            ("disrupt-dynamodb".to_owned(), false),
            ("disrupt-s3".to_owned(), false),
        ]
    );
    assert_eq!(stdout.matches("hypothesis held").count(), 2, "{stdout}");
    assert!(
        stdout.contains("not modelled here: the load balancer"),
        "{stdout}"
    );
}

/// The counterfactual, rehearsed without root: as `nobody` when the tests run as root (else as
/// the user running them), in user, network, mount and PID namespaces of its own. The
/// unguarded app must deviate, which it can only do if the whole rehearsal ran (the app booted
/// from its bootstrap, PostgreSQL in its nested namespace, the cut as iptables rules); and it
/// leaves no folder and no process behind.
#[test]
fn without_root_the_unguarded_app_breaks_the_reference_labs_promise() {
    let _lane = crate::lane();
    if !common::rehearsal_can_run() {
        return;
    }
    let spec_in_checkout = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    // This process's effective user: the owner of its /proc entry.
    let root = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").expect("/proc/self").uid() == 0
    };
    let as_nobody = |program: &str| {
        let mut c = Command::new(if root { "setpriv" } else { program });
        if root {
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                program,
            ]);
        }
        c
    };
    // The kernel must let an unprivileged user make the namespaces: CI must run this, and
    // elsewhere it says why not.
    let tried = as_nobody("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--net",
            "--mount",
            "--pid",
            "--fork",
            "true",
        ])
        .output()
        .expect("unshare runs");
    if !tried.status.success() {
        let why = String::from_utf8_lossy(&tried.stderr);
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must rehearse without root, but this kernel lets no user make the namespaces: {why}"
        );
        eprintln!("SKIPPED: this kernel lets no unprivileged user make the namespaces: {why}");
        return;
    }
    // nobody's cache: the stand-ins prepared once (the shared cache's, as root prepared them:
    // its venv linked, its wheel mirror copied, since the harness writes there), the harness
    // written by this run. The cache is `$CHAOSLAB_CACHE_DIR/rehearse`.
    let home = tempfile::tempdir().expect("tmp");
    let tools = home
        .path()
        .join("rehearse")
        .join(chaoslab::rehearse::setup::tools_name());
    let shared = common::root().join(".tools/cache/rehearse");
    let setup = chaoslab()
        .args(["rehearse", "--setup"])
        .output()
        .expect("setup");
    assert!(setup.status.success(), "{:?}", text(&setup));
    std::fs::create_dir_all(&tools).expect("tools");
    let from = shared.join(chaoslab::rehearse::setup::tools_name());
    // nobody may not be able to reach the checkout (a CI's may sit in a private folder): what
    // the run reads from it is linked into the test's own folder (hard links: no parent folder
    // stands in the way; a copy across file systems), the spec and its tree copied.
    let place = |from: &Path, to: &Path| {
        let linked = Command::new("cp").arg("-al").arg(from).arg(to).status();
        if !linked.is_ok_and(|s| s.success()) {
            let _ = std::fs::remove_dir_all(to);
            let _ = std::fs::remove_file(to);
            let copied = Command::new("cp").arg("-a").arg(from).arg(to).status();
            assert!(
                copied.is_ok_and(|s| s.success()),
                "cannot copy {}",
                from.display()
            );
        }
    };
    place(&from.join("venv"), &tools.join("venv"));
    let bin = home.path().join("chaoslab");
    place(Path::new(env!("CARGO_BIN_EXE_chaoslab")), &bin);
    let lab = home.path().join("lab");
    std::fs::create_dir_all(lab.join("generated")).expect("lab");
    let spec = lab.join("lab.yaml");
    std::fs::copy(&spec_in_checkout, &spec).expect("spec");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(common::root().join("generated/chaos-shop-dependencies"))
        .arg(lab.join("generated"))
        .status()
        .expect("cp");
    assert!(copied.success());
    let copied = Command::new("cp")
        .args(["-a"])
        .arg(from.join("wheels"))
        .arg(from.join("requirements.txt"))
        .arg(&tools)
        .status()
        .expect("cp");
    assert!(copied.success());
    // The run's temporary folders go to a folder of this test's (TMPDIR), and its processes
    // name this test's folder (the stand-ins' venv, PostgreSQL's data): what is left of this
    // run is told apart from anything else nobody runs.
    let tmp = home.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let journal = home.path().join("journal.json");
    if root {
        // Everything but the linked files (their owner stays root's; they are only read).
        let owned = Command::new("sh")
            .args([
                "-c",
                "find \"$1\" -links 1 -o -type d | xargs -d '\\n' chown -h 65534:65534",
                "sh",
            ])
            .arg(home.path())
            .status()
            .expect("chown");
        assert!(owned.success());
    }
    let mut cmd = as_nobody(bin.to_str().expect("UTF-8 path"));
    cmd.env("HOME", home.path())
        .env("TMPDIR", &tmp)
        .env("CHAOSLAB_CACHE_DIR", home.path())
        .current_dir(&lab)
        .arg("rehearse")
        .arg(&spec)
        .args(["--baseline", "3s", "--fault", "6s", "--recovery", "5s"])
        .arg("--journal")
        .arg(&journal)
        .args(["--unguarded", "--experiment", "disrupt-dynamodb"]);
    let output = common::run_bounded(cmd, Duration::from_secs(600));
    let (stdout, stderr) = text(&output);
    eprintln!("{stdout}\n{stderr}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "the counterfactual deviates, without root:\n{stderr}"
    );
    let journal: Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).unwrap_or_default())
            .expect("the journal");
    assert_eq!(
        verdicts(&journal),
        vec![("disrupt-dynamodb".to_owned(), true)]
    );
    assert_eq!(journal["rehearsal"]["unguarded"], true);
    let dirs: Vec<String> = std::fs::read_dir(&tmp)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        dirs.is_empty(),
        "left behind in {}: {dirs:?}",
        tmp.display()
    );
    let procs = Command::new("pgrep")
        .arg("-f")
        .arg(home.path())
        .output()
        .expect("pgrep");
    assert!(
        procs.stdout.is_empty(),
        "processes of this run left: {}",
        String::from_utf8_lossy(&procs.stdout)
    );
}

#[test]
fn a_database_restart_is_injected_and_the_other_features_hold() {
    let Some((stdout, journal)) =
        held_alone("blueprints/chaos-shop-database.yaml", "reboot-writer")
    else {
        return;
    };
    // The restart happened: the catalog, which the hypothesis leaves unjudged, failed while
    // the database was down (a run without the fault would hold too, with no such failure).
    let failed = journal["runs"][0]["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .filter(|s| s["endpoint"] == "products" && s["phase"] == "during" && s["ok"] == false)
        .count();
    assert!(
        failed > 0,
        "no catalog request failed during the restart:\n{stdout}"
    );
}

#[test]
fn a_latency_fault_on_the_ecs_task_is_injected_and_judged() {
    // Held means the reviews failed while delayed (a degraded endpoint must fail): a fault
    // that did nothing deviates.
    held_alone(
        "blueprints/chaos-shop-containers-serverless.yaml",
        "dynamodb-latency",
    );
}

/// Ctrl-C in the terminal (SIGINT to the whole process group) midway: exit 130, and nothing
/// the rehearsal started is left: no namespace of its own, no process in one.
#[test]
fn ctrl_c_ends_the_rehearsal_and_leaves_nothing_behind() {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let _lane = crate::lane();
    if !common::rehearsal_can_run() {
        return;
    }
    let namespaces = || {
        let out = Command::new("ip")
            .args(["netns", "list"])
            .output()
            .expect("ip");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("chaoslab-rh-"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let mut child = chaoslab()
        .args(["rehearse", "blueprints/chaos-shop-dependencies.yaml"])
        .args(["--experiment", "disrupt-s3", "--fault", "60s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("rehearse starts");
    let group = child.id();
    let stderr = child.stderr.take().expect("stderr");
    let (tell, fault_on) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("fault on:") {
                let _ = tell.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // Interrupt while the fault is on (the harness logs it), within 4 minutes.
    let on = fault_on.recv_timeout(Duration::from_secs(240)).is_ok();
    // The harness names its namespace after its PID; it is in our child's process group.
    let harness = Command::new("pgrep")
        .args(["-g", &group.to_string(), "-f", "chaoslab_rehearse"])
        .output()
        .expect("pgrep");
    let ours: Vec<String> = String::from_utf8_lossy(&harness.stdout)
        .split_whitespace()
        .map(|pid| format!("chaoslab-rh-{pid}"))
        .filter(|n| namespaces().contains(n))
        .collect();
    // And what runs in it, to find none of it alive afterwards.
    let inside: Vec<String> = ours
        .iter()
        .flat_map(|ns| {
            let out = Command::new("ip")
                .args(["netns", "pids", ns])
                .output()
                .expect("ip");
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let _ = Command::new("kill")
        .args(["-INT", "--", &format!("-{group}")])
        .status();
    let (done, wait) = std::sync::mpsc::channel();
    let watchdog = std::thread::spawn(move || {
        if wait.recv_timeout(Duration::from_secs(120)).is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
        }
    });
    let status = child.wait().expect("rehearse ends");
    let _ = done.send(());
    let _ = watchdog.join();
    let log = reader.join().expect("stderr read");
    assert!(on, "the fault never came on:\n{log}");
    assert_eq!(status.code(), Some(130), "{log}");
    assert_eq!(
        ours.len(),
        1,
        "the run's namespace was not found while it ran:\n{log}"
    );
    let left: Vec<String> = namespaces()
        .into_iter()
        .filter(|n| ours.contains(n))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}\n{log}");
    assert!(!inside.is_empty(), "nothing ran in the namespace:\n{log}");
    // A process killed by the clean-up may take a moment to exit and be reaped: each gets 10 s
    // to be gone or a zombie (nothing left but its exit status).
    let running = |pid: &String| {
        std::fs::read_to_string(Path::new("/proc").join(pid).join("stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
            .unwrap_or(false)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut alive: Vec<&String> = inside.iter().filter(|pid| running(pid)).collect();
    while !alive.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        alive.retain(|pid| running(pid));
    }
    let what: Vec<String> = alive
        .iter()
        .map(|pid| {
            let cmd =
                std::fs::read(Path::new("/proc").join(pid).join("cmdline")).unwrap_or_default();
            format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            )
        })
        .collect();
    assert!(
        what.is_empty(),
        "still running 10 s after the end: {what:?}\n{log}"
    );
}

/// The degradation lab's breaker stays open `reset_seconds` after DynamoDB's last failure, by
/// design: verify probes that time as `settling`, unjudged, and judges the recovery after it.
/// (Without it the lab's own breaker experiment was judged deviated, here and on AWS.)
#[test]
fn a_circuit_breakers_reset_is_awaited_before_the_recovery_is_judged() {
    let Some((stdout, _)) = held_alone("blueprints/chaos-shop-degradation.yaml", "break-dynamodb")
    else {
        return;
    };
    assert!(
        stdout.contains(
            "not judged: the app's circuit breaker stays open 10 s after the last failure"
        ),
        "{stdout}"
    );
}
