//! The two Python locks install wherever they say they do: for every CPython and machine they
//! name, PyPI serves a wheel of every pinned package whose SHA-256 the lock lists. The oracle
//! is pip itself (`pip download --require-hashes` for that interpreter version and platform,
//! from PyPI): a missing wheel or a hash the lock lacks fails it. Without PyPI it fails under
//! CI and says SKIPPED elsewhere.

use crate::common;
use std::process::Command;

const ARCHES: [&str; 2] = ["x86_64", "aarch64"];

/// `pip download` of `lock` into `dir` for CPython `version` on `arch` Linux, hash-checked;
/// the error is pip's. A wheel already in `dir` (one that serves every Python) is checked
/// against the lock there, not fetched again.
fn download(
    lock: &std::path::Path,
    dir: &std::path::Path,
    version: &str,
    arch: &str,
) -> Result<(), String> {
    let python = common::root().join(".tools/rehearse/venv/bin/python");
    assert!(
        python.exists(),
        "run scripts/install-rehearsal first (scripts/test does)"
    );
    let mut cmd = Command::new(python);
    cmd.args([
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(["--require-hashes", "--no-deps", "--only-binary", ":all:"])
    .args(["--python-version", version]);
    for tag in [
        "manylinux2014",
        "manylinux_2_17",
        "manylinux_2_28",
        "manylinux_2_34",
    ] {
        cmd.args(["--platform", &format!("{tag}_{arch}")]);
    }
    cmd.args(["--platform", "any", "-d"])
        .arg(dir)
        .arg("-r")
        .arg(lock);
    let out = common::run_bounded(cmd, std::time::Duration::from_secs(300));
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// Every locked CPython on every machine, for the lock at `path` under the repository root.
fn serves_every_python(path: &str) {
    let lock = common::root().join(path);
    let dir = tempfile::tempdir().expect("tmp");
    for version in chaoslab::rehearse::setup::PYTHONS {
        for arch in ARCHES {
            if let Err(e) = download(&lock, dir.path(), version, arch) {
                // Without PyPI the claim cannot be checked: CI must, elsewhere it says so.
                let offline = [
                    "NewConnectionError",
                    "Temporary failure in name resolution",
                    "Network is unreachable",
                ]
                .iter()
                .any(|s| e.contains(s));
                if offline && std::env::var_os("CI").is_none() {
                    eprintln!("SKIPPED: PyPI is not reachable from here: {e}");
                    return;
                }
                panic!("{path}: CPython {version} on {arch}: {e}");
            }
        }
    }
}

#[test]
fn the_stand_ins_lock_serves_every_python_and_machine_it_names() {
    serves_every_python("harness/requirements.txt");
}

/// The app's lock: AL2023's CPython 3.12 on x86-64 (what the instance and the task run), and
/// every Python and machine the rehearsal may run the app on (its stand-ins' CPython).
#[test]
fn the_apps_lock_serves_the_instance_and_every_rehearsal_python() {
    serves_every_python("blueprints/templates/chaos-shop/requirements.txt");
}
