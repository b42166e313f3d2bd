//! All or nothing: a generate killed or failing at any system call leaves the old tree or the
//! new one (finished by the next command), never a mix Terraform could apply, and two runs at
//! once never interleave. The kill and the failure are real: strace stops the process with
//! SIGKILL, or fails the call, at its Nth call of each file system call.

use crate::common;
use crate::ownership::{run, snapshot};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

type Tree = BTreeMap<String, Vec<u8>>;

const OLD: &str = "blueprints/chaos-shop-dependencies.yaml";
/// Differs from OLD in nearly every file, adds files (rds_proxy.tf, …) and drops others.
const NEW: &str = "blueprints/chaos-shop-database.yaml";

/// The file system calls a generate makes that can change or reveal the tree.
const CALLS: &[&str] = &[
    "openat",
    "write",
    "mkdirat",
    "renameat",
    "renameat2",
    "unlinkat",
    "flock",
];

const GUARD: &str = "chaoslab-interrupted.tf";
const STAGING: &str = ".chaoslab-staging";

fn spec(rel: &str) -> String {
    common::root().join(rel).display().to_string()
}

/// The tree `rel` generates into a fresh directory.
fn tree_of(rel: &str) -> Tree {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(&["generate", &spec(rel), "-o", "lab"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    snapshot(&tmp.path().join("lab"))
}

fn lay(dir: &Path, tree: &Tree) {
    let _ = std::fs::remove_dir_all(dir);
    for (name, bytes) in tree {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

fn strace() -> &'static str {
    let ok = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "strace is missing: scripts/test installs it (apt-get install strace)"
    );
    "strace"
}

/// How often `generate NEW` over the OLD tree makes each call of [`CALLS`].
fn call_counts(tmp: &Path, old: &Tree) -> BTreeMap<String, u32> {
    let dir = tmp.join("lab");
    lay(&dir, old);
    let log = tmp.join("strace.log");
    let status = Command::new(strace())
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .arg(format!("-etrace={}", CALLS.join(",")))
        .arg(env!("CARGO_BIN_EXE_chaoslab"))
        .args(["generate", &spec(NEW), "-o", "lab"])
        .current_dir(tmp)
        .stdout(Stdio::null())
        .status()
        .expect("strace");
    assert!(status.success());
    let mut counts = BTreeMap::new();
    for line in std::fs::read_to_string(&log).expect("log").lines() {
        // "PID name(args…" or "name(args…"; resumed halves ("<... name resumed>") and
        // signals do not start a call.
        let call = line.split_whitespace().find(|w| w.contains('('));
        if let Some(name) = call.and_then(|w| w.split('(').next())
            && CALLS.contains(&name)
        {
            *counts.entry(name.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// Where to tamper: every call that changes the tree (mkdirat, renames, unlinks, flock), and
/// about 40 spread evenly over each of the many opens and writes (most are the loader's and the
/// planning phase's, before anything changes).
fn points(counts: &BTreeMap<String, u32>) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (call, &count) in counts {
        let step = match call.as_str() {
            "openat" | "write" => (count / 40).max(1),
            _ => 1,
        };
        out.extend(
            (1..=count)
                .step_by(step as usize)
                .map(|n| (call.clone(), n)),
        );
    }
    out
}

/// Runs `generate NEW` over the OLD tree with strace tampering with one call.
fn tampered(tmp: &Path, old: &Tree, inject: &str) -> std::process::ExitStatus {
    tampered_with(tmp, old, &[inject])
}

/// Runs `generate NEW` over the OLD tree with strace tampering with several calls.
fn tampered_with(tmp: &Path, old: &Tree, injects: &[&str]) -> std::process::ExitStatus {
    lay(&tmp.join("lab"), old);
    Command::new(strace())
        .args(["-f", "-qq", "-o", "/dev/null"])
        .args(injects.iter().map(|i| format!("-einject={i}")))
        .arg(env!("CARGO_BIN_EXE_chaoslab"))
        .args(["generate", &spec(NEW), "-o", "lab"])
        .current_dir(tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("strace")
}

fn visible(tree: &Tree) -> Tree {
    tree.iter()
        .filter(|(n, _)| !n.starts_with(STAGING))
        .map(|(n, b)| (n.clone(), b.clone()))
        .collect()
}

/// Real Terraform refuses a directory that holds the guard, before it needs any provider.
fn terraform_refuses(dir: &Path) {
    let copy = tempfile::tempdir().expect("tempdir");
    lay(copy.path(), &visible(&snapshot(dir)));
    let config = copy.path().join("empty.tfrc");
    std::fs::write(&config, "").expect("cli config");
    let out = Command::new(common::terraform())
        .args(["init", "-backend=false", "-input=false", "-no-color"])
        .current_dir(copy.path())
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .expect("terraform");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && text.contains("Unsupported Terraform Core version"),
        "terraform accepted a half-updated tree:\n{text}"
    );
}

/// After the next command recovers, the tree is exactly OLD or NEW and `check` says which.
fn recovers_to_old_or_new(tmp: &Path, old: &Tree, new: &Tree, what: &str) -> bool {
    let check_new = run(&["check", &spec(NEW), "-o", "lab"], tmp);
    let after = snapshot(&tmp.join("lab"));
    let is_new = &after == new;
    assert!(is_new || &after == old, "{what}: recovered tree is a mix");
    assert_eq!(
        check_new.status.code(),
        Some(if is_new { 0 } else { 1 }),
        "{what}"
    );
    let check_old = run(&["check", &spec(OLD), "-o", "lab"], tmp);
    assert_eq!(
        check_old.status.code(),
        Some(if is_new { 1 } else { 0 }),
        "{what}"
    );
    is_new
}

#[test]
fn a_generate_killed_at_any_file_system_call_leaves_the_old_tree_or_the_new() {
    let (old, new) = (tree_of(OLD), tree_of(NEW));
    assert_ne!(old, new);
    let tmp = tempfile::tempdir().expect("tempdir");
    let counts = call_counts(tmp.path(), &old);
    let (mut trials, mut guarded, mut finished, mut refused_by_terraform) = (0, 0, 0, 0);
    for (call, n) in points(&counts) {
        {
            let what = format!("SIGKILL at {call} #{n}");
            let status = tampered(tmp.path(), &old, &format!("{call}:signal=KILL:when={n}"));
            trials += 1;
            let raw = snapshot(&tmp.path().join("lab"));
            let shown = visible(&raw);
            if shown.contains_key(GUARD) {
                guarded += 1;
                // Terraform is slow to start: ask it about every fifth guarded state.
                if guarded % 5 == 1 {
                    terraform_refuses(&tmp.path().join("lab"));
                    refused_by_terraform += 1;
                }
            } else {
                assert!(
                    shown == old || shown == new,
                    "{what}: a mix without the guard"
                );
            }
            assert!(
                status.success() || shown == old || shown == new || shown.contains_key(GUARD),
                "{what}"
            );
            if recovers_to_old_or_new(tmp.path(), &old, &new, &what) {
                finished += 1;
            }
        }
    }
    eprintln!(
        "calls: {counts:?}; kill trials: {trials}, mid-update (guard up): {guarded}, terraform refused {refused_by_terraform}, finished as new: {finished}"
    );
    assert!(guarded > 0, "no kill landed mid-update: {counts:?}");
    assert!(
        finished > 0 && finished < trials,
        "every kill ended the same way"
    );
}

#[test]
fn a_generate_failing_at_any_file_system_call_rolls_back() {
    let (old, new) = (tree_of(OLD), tree_of(NEW));
    let tmp = tempfile::tempdir().expect("tempdir");
    let counts = call_counts(tmp.path(), &old);
    let (mut trials, mut rolled_back) = (0, 0);
    for (call, n) in points(&counts) {
        let errno = if call == "write" { "ENOSPC" } else { "EACCES" };
        {
            let what = format!("{errno} at {call} #{n}");
            let status = tampered(tmp.path(), &old, &format!("{call}:error={errno}:when={n}"));
            trials += 1;
            let raw = snapshot(&tmp.path().join("lab"));
            if status.success() {
                assert_eq!(raw, new, "{what}: exit 0 over another tree");
            } else if !visible(&raw).contains_key(GUARD) {
                // Failed before the commit, or rolled back: the old tree; or failed while
                // cleaning up after the new one was in place.
                let shown = visible(&raw);
                assert!(shown == old || shown == new, "{what}: a mix");
                if raw == old {
                    rolled_back += 1;
                }
            }
            recovers_to_old_or_new(tmp.path(), &old, &new, &what);
        }
    }
    eprintln!("failure trials: {trials}, left exactly the old tree: {rolled_back}");
    assert!(rolled_back > 0);
}

#[test]
fn two_runs_at_once_never_mix_their_trees() {
    let (old, new) = (tree_of(OLD), tree_of(NEW));
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut ended_old, mut ended_new) = (0, 0);
    for round in 0..40 {
        if round % 2 == 0 {
            let _ = std::fs::remove_dir_all(tmp.path().join("lab"));
        } else {
            lay(&tmp.path().join("lab"), &old);
        }
        let spawn = |rel: &str| {
            Command::new(env!("CARGO_BIN_EXE_chaoslab"))
                .args(["generate", &spec(rel), "-o", "lab"])
                .current_dir(tmp.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let (a, b) = (spawn(OLD), spawn(NEW));
        for child in [a, b] {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let after = snapshot(&tmp.path().join("lab"));
        if after == old {
            ended_old += 1;
        } else if after == new {
            ended_new += 1;
        } else {
            panic!("round {round}: two runs at once left a mix");
        }
    }
    eprintln!("concurrent rounds: 40, ended old {ended_old}, new {ended_new}");
}

#[test]
fn a_generate_killed_while_it_rolls_back_is_undone_by_the_next_command() {
    let (old, new) = (tree_of(OLD), tree_of(NEW));
    let tmp = tempfile::tempdir().expect("tempdir");
    let counts = call_counts(tmp.path(), &old);
    let (renames, opens) = (counts["renameat"], counts["openat"]);
    let (mut trials, mut mid_rollback) = (0, 0);
    // A rename fails mid-apply; then a later removal or open (the rollback's, or its
    // clean-up's) is killed.
    for n in (3..=renames).step_by(3) {
        let kills = (1..=4)
            .map(|m| format!("unlinkat:signal=KILL:when={m}"))
            .chain(
                (opens / 2..=opens)
                    .step_by((opens / 8).max(1) as usize)
                    .map(|k| format!("openat:signal=KILL:when={k}")),
            );
        for kill in kills {
            let what = format!("EIO at renameat #{n}, then {kill}");
            tampered_with(
                tmp.path(),
                &old,
                &[&format!("renameat:error=EIO:when={n}"), &kill],
            );
            trials += 1;
            let raw = snapshot(&tmp.path().join("lab"));
            let rolling_back = raw.contains_key(&format!("{STAGING}/rollback"));
            mid_rollback += usize::from(rolling_back);
            let shown = visible(&raw);
            if !shown.contains_key(GUARD) {
                assert!(
                    shown == old || shown == new,
                    "{what}: a mix without the guard"
                );
            }
            // A kill before the failure is a plain kill: the replay may finish the new tree.
            let is_new = recovers_to_old_or_new(tmp.path(), &old, &new, &what);
            assert!(
                !(rolling_back && is_new),
                "{what}: a rollback ended as the new tree"
            );
        }
    }
    eprintln!("fail-then-kill trials: {trials}, killed mid-rollback: {mid_rollback}");
    assert!(mid_rollback > 0, "no kill landed during a rollback");
}

#[test]
fn a_folder_chaoslab_may_not_write_leaves_the_old_tree_and_exit_3() {
    assert!(
        rustix_is_root(),
        "this test needs root (to run chaoslab as nobody); scripts/test runs as root"
    );
    let (old, _) = (tree_of(OLD), ());
    let tmp = tempfile::tempdir().expect("tempdir");
    // Everything nobody needs, inside a folder nobody may enter.
    let bin = tmp.path().join("chaoslab");
    std::fs::copy(env!("CARGO_BIN_EXE_chaoslab"), &bin).expect("copy binary");
    let new_spec = tmp.path().join("new.yaml");
    std::fs::copy(spec(NEW), &new_spec).expect("copy spec");
    let dir = tmp.path().join("lab");
    lay(&dir, &old);
    let chown = |path: &Path, recursive: bool| {
        let mut cmd = Command::new("chown");
        if recursive {
            cmd.arg("-R");
        }
        assert!(
            cmd.arg("nobody")
                .arg(path)
                .status()
                .expect("chown")
                .success()
        );
    };
    chown(&dir, true);
    // templates/ stays root's: renames into it fail for nobody, late in the apply.
    let templates = dir.join("templates");
    assert!(
        Command::new("chown")
            .arg("-R")
            .arg("root")
            .arg(&templates)
            .status()
            .expect("chown")
            .success()
    );
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let out = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(&bin)
        .args(["generate", "new.yaml", "-o", "lab"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("setpriv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(!stderr.contains("error: error:"), "{stderr}");
    assert_eq!(
        snapshot(&dir),
        old,
        "a failed run left something other than the old tree: {stderr}"
    );
}

fn rustix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_stale_journal_never_overwrites_a_file_changed_since() {
    let old = tree_of(OLD);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("lab");
    lay(&dir, &old);
    // A journal left by a killed run whose file was replaced by hand since (a branch switch,
    // a restore, a hand edit): neither what the run found nor what it wrote.
    let staged = dir.join(STAGING).join("new");
    std::fs::create_dir_all(&staged).expect("mkdir");
    std::fs::write(
        staged.join("terraform.tfvars"),
        "name_prefix = \"theirs\"\n",
    )
    .expect("stage");
    std::fs::write(dir.join("terraform.tfvars"), "name_prefix = \"mine\"\n").expect("user file");
    let (was, wrote) = ("a".repeat(64), "b".repeat(64));
    std::fs::write(
        dir.join(STAGING).join("journal"),
        format!("chaoslab journal 2\nreplace {was} {wrote} terraform.tfvars\n"),
    )
    .expect("journal");
    let out = run(&["check", &spec(OLD), "-o", "lab"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("terraform.tfvars")).expect("user file"),
        "name_prefix = \"mine\"\n"
    );
    assert!(!dir.join(STAGING).exists());
}
