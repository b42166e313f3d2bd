//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod fis_stub;
pub mod terraform_eval;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every lab spec in blueprints/: the files ending in `.yaml`.
pub fn blueprints() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("blueprints"))
        .expect("blueprints/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    assert!(!specs.is_empty(), "no blueprints found");
    specs
}

/// Loads and generates a spec file through the library.
pub fn generate_file(
    spec: &Path,
) -> (
    chaoslab::experiments::Lab,
    Vec<chaoslab::output::GeneratedFile>,
) {
    let source = std::fs::read_to_string(spec).expect("spec readable");
    let lab = chaoslab::load(&spec.display().to_string(), &source)
        .unwrap_or_else(|e| panic!("{} does not load:\n{e}", spec.display()));
    let files = chaoslab::generate(&lab).expect("generates");
    (lab, files)
}

pub fn generate_str(source: &str) -> Vec<chaoslab::output::GeneratedFile> {
    let lab =
        chaoslab::load("test.yaml", source).unwrap_or_else(|e| panic!("spec does not load:\n{e}"));
    chaoslab::generate(&lab).expect("generates")
}

/// The Terraform binary for `terraform fmt`: $CHAOSLAB_TERRAFORM, else the one
/// `scripts/install-terraform` puts in .tools/bin, else `terraform` on PATH.
pub fn terraform() -> PathBuf {
    if let Some(p) = std::env::var_os("CHAOSLAB_TERRAFORM") {
        return PathBuf::from(p);
    }
    let local = root().join(".tools/bin/terraform");
    if local.exists() {
        return local;
    }
    let on_path = Command::new("terraform").arg("version").output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "no Terraform binary: run scripts/install-terraform (or set CHAOSLAB_TERRAFORM)"
    );
    PathBuf::from("terraform")
}

/// Every Rust source file below `dir`, sorted (the source scans of layers.rs and codes.rs).
pub fn rust_sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Paths of every file below `dir`, relative to it, with `/` separators.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("below dir");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

pub fn write_tree(dir: &Path, files: &[chaoslab::output::GeneratedFile]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for f in files {
        let path = dir.join(&f.name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, &f.content).expect("write");
    }
}

/// A minimal valid spec; tests append sections or replace lines.
pub const MINIMAL: &str = "\
lab: mini
region: us-east-1
network:
  cidr: 10.0.0.0/16
  azs: 2
  public: [10.0.1.0/24, 10.0.2.0/24]
  private: [10.0.11.0/24, 10.0.12.0/24]
";

/// The fixtures that hold one experiment per catalog action between them, each an app that
/// can run its actions: EC2 On-Demand, Fargate, and EC2 on Spot (whose instances EC2 will not
/// stop, so the stops of the first cannot sit beside its interruptions).
pub const EVERY_ACTION_FIXTURES: [&str; 3] = [
    "every-action.yaml",
    "every-ecs-action.yaml",
    "every-spot-action.yaml",
];

/// The fixture whose lab can run `action`.
pub fn fixture_for(action: &chaoslab::catalog::Action) -> &'static str {
    if action.id.starts_with("aws:ecs:") {
        EVERY_ACTION_FIXTURES[1]
    } else if action.target == Some(&chaoslab::catalog::spot::SPOT_INSTANCES) {
        EVERY_ACTION_FIXTURES[2]
    } else {
        EVERY_ACTION_FIXTURES[0]
    }
}

/// The catalog's spec snippet of `action` in a lab that can run it: the setup of the
/// action's fixture ([`fixture_for`]).
pub fn snippet_lab(action: &chaoslab::catalog::Action) -> String {
    let fixture = fixture_for(action);
    let text =
        std::fs::read_to_string(root().join("tests/fixtures").join(fixture)).expect("fixture");
    let base = &text[..text.find("\nexperiments:").expect("experiments") + 1];
    format!("{base}{}", chaoslab::catalog::doc::snippet(action))
}

/// Runs `cmd`, killing it (by its own PID) if it outlives `limit`.
pub fn run_bounded(mut cmd: Command, limit: std::time::Duration) -> Output {
    use std::process::Stdio;
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chaoslab runs");
    let id = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    let watchdog = std::thread::spawn(move || {
        if wait.recv_timeout(limit).is_err() {
            let _ = Command::new("kill").arg(id.to_string()).status();
        }
    });
    let out = child.wait_with_output().expect("chaoslab ends");
    let _ = done.send(());
    let _ = watchdog.join();
    out
}

/// Rehearsals running at once: each has its own network and mount namespaces and its own
/// stand-ins, and spends most of its time waiting on its phases (about a third of a core on
/// average), so three share a 2-core machine; `CHAOSLAB_REHEARSAL_LANES` sets another count.
fn rehearsal_lanes() -> usize {
    std::env::var("CHAOSLAB_REHEARSAL_LANES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3)
}

/// Who holds a lane and who waits for one, by rank (lower goes first).
struct Lanes {
    busy: usize,
    waiting: Vec<(usize, u64)>,
    tickets: u64,
    /// When the first rehearsal asked: lanes open a moment later, once every test that
    /// started with it has asked too.
    opened: Option<std::time::Instant>,
}

static LANES: (std::sync::Mutex<Lanes>, std::sync::Condvar) = (
    std::sync::Mutex::new(Lanes {
        busy: 0,
        waiting: Vec::new(),
        tickets: 0,
        opened: None,
    }),
    std::sync::Condvar::new(),
);

/// How long the first lanes wait for the rehearsals that started with the first one to ask.
const GATHER: std::time::Duration = std::time::Duration::from_millis(300);

/// A rehearsal's lane, held until dropped.
pub struct Lane;

impl Drop for Lane {
    fn drop(&mut self) {
        let mut lanes = LANES
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        lanes.busy -= 1;
        LANES.1.notify_all();
    }
}

/// A lane for one rehearsal, waiting for one to be free. `longest_first` names the rehearsal
/// tests, longest first: a free lane goes to the waiting test named first there (one not
/// named goes last), so that with every test started at once (scripts/test runs the
/// rehearsals with many test threads) the long runs start first and the short ones fill the
/// lanes at the end, rather than one long run starting last and alone. libtest names each
/// test's thread after the test.
pub fn rehearsal_lane(longest_first: &[&str]) -> Lane {
    let name = std::thread::current().name().unwrap_or_default().to_owned();
    let rank = longest_first
        .iter()
        .position(|n| *n == name)
        .unwrap_or(longest_first.len());
    let mut lanes = LANES
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ticket = lanes.tickets;
    lanes.tickets += 1;
    lanes.waiting.push((rank, ticket));
    let opens = *lanes
        .opened
        .get_or_insert_with(|| std::time::Instant::now() + GATHER);
    loop {
        let now = std::time::Instant::now();
        let first = lanes.waiting.iter().min().map(|w| w.1);
        if now >= opens && lanes.busy < rehearsal_lanes() && first == Some(ticket) {
            break;
        }
        let wait = opens
            .saturating_duration_since(now)
            .max(std::time::Duration::from_millis(50));
        lanes = LANES
            .1
            .wait_timeout(lanes, wait)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
    }
    lanes.waiting.retain(|w| w.1 != ticket);
    lanes.busy += 1;
    // The next waiting test may take another free lane.
    LANES.1.notify_all();
    Lane
}

/// Whether this machine lets the tests make a network namespace (root, Linux), and why not.
/// Tried once per test process: rehearsals run side by side, and two tries under one name
/// would trip over each other ("File exists").
pub fn can_make_namespaces() -> Result<(), String> {
    static TRIED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    TRIED
        .get_or_init(|| {
            let name = format!("chaoslab-probe-{}", std::process::id());
            let added = Command::new("ip").args(["netns", "add", &name]).output();
            match added {
                Ok(o) if o.status.success() => {
                    let _ = Command::new("ip").args(["netns", "del", &name]).output();
                    Ok(())
                }
                Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_owned()),
                Err(e) => Err(e.to_string()),
            }
        })
        .clone()
}

/// Whether a rehearsal can run here. Where no network namespace can be made it fails under CI
/// (`CI` set), which must run it, and elsewhere says SKIPPED with why and returns false.
pub fn rehearsal_can_run() -> bool {
    match can_make_namespaces() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the rehearsal, but no network namespace can be made here: {why}"
            );
            eprintln!("SKIPPED: the rehearsal needs a network namespace (as root): {why}");
            false
        }
    }
}
