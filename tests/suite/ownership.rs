//! Never touch what is not ours: links, special files, look-alike files and edited manifests,
//! tried through the binary as a hostile user would.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const DEPENDENCIES: &str = "blueprints/chaos-shop-dependencies.yaml";
const CONTAINERS: &str = "blueprints/chaos-shop-containers-serverless.yaml";

/// Runs chaoslab with a deadline (a hang is a failure, not a stuck suite); its output is
/// drained as it comes, so a long diff cannot stall it.
pub fn run(args: &[&str], cwd: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaoslab"));
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    let out = common::run_bounded(cmd, Duration::from_secs(60));
    assert!(
        out.status.code().is_some(),
        "chaoslab {args:?} hung for 60 s and was killed"
    );
    out
}

fn spec(rel: &str) -> String {
    common::root().join(rel).display().to_string()
}

/// Every file below `dir` (links and special files included, never followed) with its bytes
/// (empty for non-files).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let rel = path.strip_prefix(dir).expect("below").display().to_string();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.insert(rel, std::fs::read(&path).expect("read"));
            } else {
                out.insert(rel, b"<special>".to_vec());
            }
        }
    }
    out
}

/// `generate SPEC -o lab` in `tmp`, which must succeed; the lab directory.
fn generate_ok(tmp: &Path, spec: &str) -> PathBuf {
    let out = run(&["generate", spec, "-o", "lab"], tmp);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tmp.join("lab")
}

fn generated(tmp: &Path, rel_spec: &str) -> PathBuf {
    generate_ok(tmp, &spec(rel_spec))
}

fn assert_refused(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
    assert!(stderr.contains(what), "expected `{what}` in:\n{stderr}");
}

#[test]
fn a_symlinked_templates_or_app_folder_is_refused_and_its_target_untouched() {
    for (blueprint, folder) in [(DEPENDENCIES, "templates"), (CONTAINERS, "app")] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = generated(tmp.path(), blueprint);
        assert!(dir.join(folder).is_dir(), "{blueprint} has no {folder}/");
        // Another lab's folder, with a hand-edited file of a generated name in it.
        let other = tmp.path().join("other");
        std::fs::rename(dir.join(folder), &other).expect("move");
        for name in snapshot(&other).keys() {
            std::fs::write(other.join(name), "hand-edited\n").expect("edit");
        }
        let before = snapshot(&other);
        symlink("../other", dir.join(folder)).expect("symlink");
        for cmd in ["generate", "check", "diff"] {
            let out = run(&[cmd, &spec(blueprint), "-o", "lab"], tmp.path());
            assert_refused(&out, &format!("lab/{folder}: is a symbolic link"));
            assert!(
                !String::from_utf8_lossy(&out.stdout).contains("hand-edited"),
                "{cmd} printed what the link points to"
            );
        }
        let forced = run(
            &["generate", &spec(blueprint), "-o", "lab", "--force"],
            tmp.path(),
        );
        assert_refused(&forced, "is a symbolic link");
        assert_eq!(
            snapshot(&other),
            before,
            "{blueprint}: the link's target changed"
        );
    }
}

#[test]
fn a_manifest_entry_under_a_symlinked_folder_deletes_nothing_outside() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = generated(tmp.path(), DEPENDENCIES);
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    // Another lab's generated file: it carries chaoslab's header, and its digest matches,
    // so only the link stands between the entry and the file.
    let precious = std::fs::read(dir.join("fis.tf")).expect("fis.tf");
    std::fs::write(outside.join("keep.tf"), &precious).expect("write");
    symlink("../outside", dir.join("sub")).expect("symlink");
    let digest = sha256(&precious);
    let manifest = dir.join(".chaoslab-manifest");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest");
    // Both manifest formats: names only (before digests) and `<digest>  <name>`.
    text.push_str(&format!("sub/keep.tf\n{digest}  sub/keep.tf\n"));
    std::fs::write(&manifest, text).expect("edit manifest");
    let out = run(&["generate", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(outside.join("keep.tf")).expect("still there"),
        precious
    );
}

fn sha256(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write");
    let out = child.wait_with_output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)[..64].to_owned()
}

#[test]
fn init_never_writes_the_schema_through_a_link_or_over_a_look_alike() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lab = tmp.path().join("my-lab");
    std::fs::create_dir(&lab).expect("mkdir");
    let target = tmp.path().join("planted.json");
    symlink(&target, lab.join("lab-spec.schema.json")).expect("dangling link");
    let out = run(&["init", "my-lab"], tmp.path());
    assert_refused(&out, "is a symbolic link");
    assert!(!target.exists(), "init wrote through a dangling link");

    let other = tmp.path().join("other-lab");
    std::fs::create_dir(&other).expect("mkdir");
    let mine = "{\"note\": \"Generated by chaoslab once, then mine\"}\n";
    std::fs::write(other.join("lab-spec.schema.json"), mine).expect("write");
    let out = run(&["init", "other-lab"], tmp.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        std::fs::read_to_string(other.join("lab-spec.schema.json")).expect("read"),
        mine
    );
}

#[test]
fn a_file_that_only_mentions_chaoslab_is_not_chaoslabs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = generated(tmp.path(), DEPENDENCIES);
    let notes = "# My notes\n\nGenerated by chaoslab from the lab spec, then rewritten by me.\n";
    std::fs::write(dir.join("README.md"), notes).expect("write");
    let out = run(&["generate", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert_eq!(out.status.code(), Some(3), "overwrote a user's README");
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).expect("read"),
        notes
    );
    let check = run(&["check", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert!(String::from_utf8_lossy(&check.stdout).contains("foreign   README.md"));
}

#[test]
fn an_edited_manifest_cannot_make_chaoslab_delete_a_users_copy() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let blueprint = std::fs::read_to_string(spec(DEPENDENCIES)).expect("blueprint");
    let tenants_spec = tmp.path().join("workshop.yaml");
    std::fs::write(
        &tenants_spec,
        format!("{blueprint}\ntenants: [alice, bob]\n"),
    )
    .expect("spec");
    let tenants_spec = tenants_spec.display().to_string();
    let dir = generate_ok(tmp.path(), &tenants_spec);
    let tenants: Vec<String> = snapshot(&dir)
        .into_keys()
        .filter(|n| n.ends_with(".tfvars"))
        .collect();
    let first = tenants.first().expect("a tenant tfvars");
    // A copy, edited, listed in the manifest by hand (old format: names only, and new:
    // a made-up digest).
    let copy = first.replace(".tfvars", "-mine.tfvars");
    let mut text = std::fs::read(dir.join(first)).expect("read");
    text.extend_from_slice(b"# my change\n");
    std::fs::write(dir.join(&copy), &text).expect("copy");
    let manifest = dir.join(".chaoslab-manifest");
    let mut listed = std::fs::read_to_string(&manifest).expect("manifest");
    listed.push_str(&format!("{}  {copy}\n", "0".repeat(64)));
    std::fs::write(&manifest, &listed).expect("edit");
    generate_ok(tmp.path(), &tenants_spec);
    assert_eq!(std::fs::read(dir.join(&copy)).expect("copy kept"), text);
    let old_format = listed
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => "# Generated by chaoslab: the files it owns in this directory. Do not edit."
                .to_owned(),
            _ => l.split_once("  ").map_or(l, |(_, n)| n).to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&manifest, old_format + "\n").expect("edit");
    generate_ok(tmp.path(), &tenants_spec);
    assert_eq!(std::fs::read(dir.join(&copy)).expect("copy kept"), text);
}

#[test]
fn fifos_devices_and_directories_neither_hang_nor_flood_nor_wedge() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = generated(tmp.path(), DEPENDENCIES);
    // A FIFO where a generated file belongs: refused at once, not a hang.
    std::fs::remove_file(dir.join("fis.tf")).expect("rm");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("fis.tf"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    for cmd in ["generate", "check", "diff"] {
        let out = run(&[cmd, &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
        assert_refused(&out, "lab/fis.tf: is a FIFO");
    }
    std::fs::remove_file(dir.join("fis.tf")).expect("rm fifo");
    // A link to /dev/zero: refused without reading it.
    symlink("/dev/zero", dir.join("fis.tf")).expect("symlink");
    let out = run(&["check", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert_refused(&out, "lab/fis.tf: is a symbolic link");
    assert!(out.stdout.len() + out.stderr.len() < 10_000);
    std::fs::remove_file(dir.join("fis.tf")).expect("rm link");
    let out = run(&["generate", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert!(out.status.success());
    // Manifest lines naming a directory and a FIFO: every later run still works, and neither
    // is removed.
    std::fs::create_dir(dir.join("notes")).expect("mkdir");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let manifest = dir.join(".chaoslab-manifest");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest");
    let digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    text.push_str(&format!("{digest}  notes\n{digest}  pipe\n"));
    std::fs::write(&manifest, text).expect("edit");
    for _ in 0..2 {
        let out = run(&["generate", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.join("notes").is_dir());
    assert!(std::fs::symlink_metadata(dir.join("pipe")).is_ok());
    let out = run(&["check", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_lab_directory_itself_may_not_be_a_link() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("elsewhere")).expect("mkdir");
    symlink("elsewhere", tmp.path().join("lab")).expect("symlink");
    let out = run(&["generate", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    assert_refused(&out, "lab: is a symbolic link");
    assert!(snapshot(&tmp.path().join("elsewhere")).is_empty());
}

#[test]
fn a_trailing_slash_or_dot_does_not_hide_a_linked_lab_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("elsewhere")).expect("mkdir");
    symlink("elsewhere", tmp.path().join("lab")).expect("symlink");
    symlink("nowhere", tmp.path().join("dangling")).expect("symlink");
    for out_dir in ["lab/", "lab/.", "./lab//", "dangling"] {
        let out = run(
            &["generate", &spec(DEPENDENCIES), "-o", out_dir],
            tmp.path(),
        );
        assert_refused(&out, "is a symbolic link");
    }
    assert!(snapshot(&tmp.path().join("elsewhere")).is_empty());
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn a_link_named_like_the_guard_is_refused_not_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = generated(tmp.path(), DEPENDENCIES);
    symlink("/etc/hostname", dir.join("chaoslab-interrupted.tf")).expect("symlink");
    let out = run(&["generate", &spec(CONTAINERS), "-o", "lab"], tmp.path());
    assert_refused(&out, "chaoslab-interrupted.tf: is a symbolic link");
    assert!(std::fs::symlink_metadata(dir.join("chaoslab-interrupted.tf")).is_ok());
}

#[test]
fn names_that_are_not_utf8_neither_wedge_a_run_nor_hide_from_check() {
    use std::os::unix::ffi::OsStrExt as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = generated(tmp.path(), DEPENDENCIES);
    let odd = std::ffi::OsStr::from_bytes(b"x\xff.tf");
    // Left in staging (by a crash, or planted): removed by the next run.
    std::fs::create_dir(dir.join(".chaoslab-staging")).expect("mkdir");
    std::fs::write(dir.join(".chaoslab-staging").join(odd), "x").expect("write");
    // A Terraform file of the user's: check warns about it.
    std::fs::write(dir.join(odd), "# mine\n").expect("write");
    let out = run(&["check", &spec(DEPENDENCIES), "-o", "lab"], tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("did not generate"), "{stderr}");
    assert!(!dir.join(".chaoslab-staging").exists());
    assert!(dir.join(odd).exists());
}
