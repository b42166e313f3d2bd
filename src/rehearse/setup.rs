//! What a rehearsal runs, prepared in a cache directory: the harness (shipped inside this
//! binary, written out as it is) and the stand-ins (moto's server, an HCL parser and boto3 in
//! a virtualenv, installed from a lock of exact versions and SHA-256 hashes, so a run here
//! uses the very files the tests used). Each is kept under a name derived from its content,
//! so a new chaoslab never runs an old harness and two versions can share the cache.
//!
//! Written as a new directory renamed into place: a run killed midway leaves no half-made
//! harness or virtualenv that a later run would trust.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The harness package's files, each with its text.
macro_rules! harness {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../harness/chaoslab_rehearse/", $name)))),*]
    };
}

/// The harness package, file by file (tests/rehearsal/command.rs holds this list to the
/// folder, so a module cannot be left out).
pub const HARNESS: &[(&str, &str)] = harness![
    "__init__.py",
    "__main__.py",
    "app.py",
    "base.py",
    "cli.py",
    "evidence.py",
    "faults.py",
    "fis.py",
    "namespace.py",
    "scenarios.py",
    "standins.py",
    "stats.py",
    "systemctl.py",
    "traffic.py",
    "tree.py",
];

/// The stand-ins' lock: every package at one version, with the SHA-256 of its wheels for
/// [`PYTHONS`] on x86-64 and aarch64 Linux (`pip install --require-hashes` refuses anything
/// else; scripts/lock-rehearsal writes it).
pub const REQUIREMENTS: &str = include_str!("../../harness/requirements.txt");

/// The CPython versions the lock is for.
pub const PYTHONS: [&str; 3] = ["3.11", "3.12", "3.13"];

/// Where a prepared rehearsal lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// The folder holding `chaoslab_rehearse/` (for `PYTHONPATH`).
    pub harness: PathBuf,
    /// The tools folder the harness is told of: `venv/` (the stand-ins) and `wheels/` (the
    /// lab app's own hash-checked wheels, downloaded by the harness before it cuts the network).
    pub tools: PathBuf,
}

impl Prepared {
    pub fn python(&self) -> PathBuf {
        self.tools.join("venv/bin/python")
    }
}

/// The cache: `CHAOSLAB_CACHE_DIR`, else `$XDG_CACHE_HOME/chaoslab`, else
/// `$HOME/.cache/chaoslab`, each with `rehearse/` under it.
pub fn cache_dir(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, String> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = set("CHAOSLAB_CACHE_DIR")
        .or_else(|| set("XDG_CACHE_HOME").map(|p| p.join("chaoslab")))
        .or_else(|| set("HOME").map(|p| p.join(".cache/chaoslab")))
        .ok_or("no cache directory: set CHAOSLAB_CACHE_DIR (or HOME)")?;
    if base.is_relative() {
        return Err(format!(
            "the cache directory {} is not an absolute path",
            base.display()
        ));
    }
    Ok(base.join("rehearse"))
}

/// The first 16 hex digits of the SHA-256 of `parts`, in order.
fn key<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the machine lacks for a rehearsal, each with how to get it (empty: nothing).
pub fn missing() -> Vec<String> {
    let mut out = Vec::new();
    if !cfg!(target_os = "linux") {
        out.push("Linux (network namespaces and iptables): the rehearsal runs only there".into());
        return out;
    }
    let on_path = |tool: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
    };
    for (tool, package) in [
        ("ip", "iproute2"),
        ("iptables", "iptables"),
        ("runuser", "util-linux"),
        // Without root, the namespaces are made with it.
        ("unshare", "util-linux"),
        ("python3", "python3-venv"),
    ] {
        if !on_path(tool) {
            out.push(format!(
                "`{tool}` (Debian/Ubuntu: apt-get install {package})"
            ));
        }
    }
    // The harness renders the tree's templatefile() and jsonencode() with Terraform itself.
    let terraform = ["TERRAFORM", "CHAOSLAB_TERRAFORM_EVAL"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|p| Path::new(&p).is_file()))
        || on_path("terraform");
    if !terraform {
        out.push("`terraform` (the tree's own templatefile() renders the bootstrap; any release the tree's required_version accepts)".into());
    }
    let postgres = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|e| e.path().join("bin/postgres").is_file()))
        .unwrap_or(false);
    if !postgres {
        out.push("PostgreSQL, standing in for Aurora (apt-get install postgresql)".into());
    }
    out
}

/// Writes the harness and installs the stand-ins under `cache` unless they are there;
/// `progress` hears what is being done (it can take a minute the first time).
pub fn prepare(cache: &Path, progress: &mut dyn FnMut(&str)) -> Result<Prepared, String> {
    let io = |what: &str, p: &Path, e: std::io::Error| format!("{what} {}: {e}", p.display());
    std::fs::create_dir_all(cache).map_err(|e| io("cannot create", cache, e))?;
    // What is in the cache runs as root: only a cache no one else can write to (nor rename
    // within the folder holding it) is trusted.
    if let Some(base) = cache.parent() {
        owned(base)?;
    }
    owned(cache)?;
    let harness = cache.join(format!(
        "harness-{}",
        key(HARNESS.iter().flat_map(|(n, t)| [*n, *t]))
    ));
    // The harness is checked file by file on every run, not only its presence.
    let intact = HARNESS.iter().all(|(name, text)| {
        std::fs::read_to_string(harness.join("chaoslab_rehearse").join(name))
            .is_ok_and(|on_disk| on_disk == *text)
    });
    if harness.exists() && !intact {
        std::fs::remove_dir_all(&harness).map_err(|e| io("cannot replace", &harness, e))?;
    }
    if !intact {
        progress(&format!("writing the harness to {}", harness.display()));
        let tmp = fresh(cache, "harness")?;
        let pkg = tmp.join("chaoslab_rehearse");
        std::fs::create_dir(&pkg).map_err(|e| io("cannot create", &pkg, e))?;
        for (name, text) in HARNESS {
            let file = pkg.join(name);
            std::fs::write(&file, text).map_err(|e| io("cannot write", &file, e))?;
        }
        settle(&tmp, &harness)?;
    }
    let tools = cache.join(tools_name());
    if !tools.join("venv/bin/python").is_file() {
        let python = locked_python()?;
        progress(&format!(
            "installing the stand-ins (moto, python-hcl2, boto3: pinned, hash-checked) in {}",
            tools.display()
        ));
        let tmp = fresh(cache, "tools")?;
        let lock = tmp.join("requirements.txt");
        std::fs::write(&lock, REQUIREMENTS).map_err(|e| io("cannot write", &lock, e))?;
        run(Command::new(&python)
            .arg("-m")
            .arg("venv")
            .arg(tmp.join("venv")))?;
        run(Command::new(tmp.join("venv/bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args([
                "--require-hashes",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-r",
            ])
            .arg(&lock))?;
        // The venv's scripts name their interpreter by path: a renamed venv keeps working
        // because the harness runs `venv/bin/python` itself, never those scripts.
        settle(&tmp, &tools)?;
    }
    owned(&harness)?;
    owned(&tools)?;
    Ok(Prepared { harness, tools })
}

/// Refuses a folder that this user does not own or that others may write to.
fn owned(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // This process's effective user: the owner of its /proc entry (Linux, as the rehearsal is).
    let me = std::fs::metadata("/proc/self")
        .map_err(|e| format!("/proc/self: {e}"))?
        .uid();
    if meta.uid() != me || meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{} belongs to another user or others may write to it, and what it holds would run as this user: remove it, or set CHAOSLAB_CACHE_DIR to a folder of your own",
            dir.display()
        ));
    }
    Ok(())
}

/// The name of the stand-ins' folder in the cache: it changes with the lock.
pub fn tools_name() -> String {
    format!("tools-{}", key([REQUIREMENTS]))
}

/// A new, empty folder in `cache` to fill before renaming it into place.
fn fresh(cache: &Path, what: &str) -> Result<PathBuf, String> {
    let tmp = cache.join(format!(".{what}-{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    Ok(tmp)
}

/// Renames a filled folder into place; another run that got there first wins.
fn settle(tmp: &Path, to: &Path) -> Result<(), String> {
    match std::fs::rename(tmp, to) {
        Ok(()) => Ok(()),
        Err(_) if to.is_dir() => {
            let _ = std::fs::remove_dir_all(tmp);
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot move {} to {}: {e}",
            tmp.display(),
            to.display()
        )),
    }
}

/// A CPython the lock is for, with its venv module: the system's first, then any on PATH.
fn locked_python() -> Result<PathBuf, String> {
    let check = format!(
        "import sys, venv, ensurepip; sys.exit('%d.%d' % sys.version_info[:2] not in {PYTHONS:?})"
    );
    let candidates = [
        "/usr/bin/python3",
        "python3",
        "python3.13",
        "python3.12",
        "python3.11",
    ];
    for candidate in candidates {
        let ok = Command::new(candidate)
            .args(["-c", &check])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(PathBuf::from(candidate));
        }
    }
    Err(format!(
        "the stand-ins are locked for CPython {} with its venv module, which this machine lacks (Debian, Ubuntu: apt-get install python3-venv)",
        PYTHONS.join(", ")
    ))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = err.lines().rev().take(8).collect();
    Err(format!(
        "{:?} failed ({}): {}",
        cmd.get_program(),
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}
