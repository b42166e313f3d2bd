//! Interrupted and failed runs: every file is either its old or its new version, never cut
//! short, and the next run finishes the job.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chaoslab::output::{self, GeneratedFile};

fn tree(files: &[GeneratedFile]) -> BTreeMap<String, String> {
    let mut all = files.to_vec();
    all.push(output::manifest(files));
    all.into_iter().map(|f| (f.name, f.content)).collect()
}

fn on_disk(dir: &Path) -> BTreeMap<String, String> {
    common::files_under(dir)
        .into_iter()
        .filter(|f| !f.starts_with(".chaoslab-staging"))
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(&f)).expect("read");
            (f, text)
        })
        .collect()
}

#[test]
fn killed_generate_leaves_every_file_whole() {
    let reference = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    let source = std::fs::read_to_string(&reference).expect("spec");
    let old_files = common::generate_str(&source);
    // The new spec changes several files and drops an experiment.
    let cut = source.find("  disrupt-s3:").expect("second experiment");
    let new_source = source[..cut]
        .replace("PT3M", "PT5M")
        .replace("Chaos Shop with", "The Chaos Shop with");
    let new_files = common::generate_str(&new_source);
    let (old, new) = (tree(&old_files), tree(&new_files));
    assert_ne!(old, new);

    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = tmp.path().join("new.yaml");
    std::fs::write(&spec, &new_source).expect("write spec");
    let dir = tmp.path().join("out");
    let mut interrupted = 0;
    for round in 0..60u64 {
        let _ = std::fs::remove_dir_all(&dir);
        output::write(&dir, &old_files, false).expect("old tree");
        let mut child = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
            .arg("generate")
            .arg(&spec)
            .arg("-o")
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_micros((round * 97) % 4000));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if !status.success() {
            interrupted += 1;
        }
        for (name, text) in on_disk(&dir) {
            let is_old = old.get(&name) == Some(&text);
            let is_new = new.get(&name) == Some(&text);
            assert!(
                is_old || is_new,
                "round {round}: {name} is neither its old nor its new version"
            );
        }
        for name in old.keys().filter(|n| new.contains_key(*n)) {
            assert!(dir.join(name).exists(), "round {round}: {name} disappeared");
        }
        // The next run completes the tree and cleans up after the killed one.
        output::write(&dir, &new_files, false).expect("rerun");
        assert_eq!(on_disk(&dir), new, "round {round}: rerun did not converge");
        assert!(!dir.join(".chaoslab-staging").exists());
    }
    assert!(
        interrupted > 0,
        "no run was interrupted; the test proved nothing"
    );
}

#[test]
fn a_failing_write_changes_nothing() {
    let source =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("spec");
    let files = common::generate_str(&source);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    output::write(&dir, &files, false).expect("first write");
    let before = on_disk(&dir);
    // A directory where a generated file belongs cannot be read or replaced.
    std::fs::remove_file(dir.join("fis.tf")).expect("rm");
    std::fs::create_dir(dir.join("fis.tf")).expect("mkdir");
    let changed = common::generate_str(&source.replace("PT3M", "PT4M"));
    let err = output::write(&dir, &changed, false).expect_err("must fail");
    assert_eq!(err.exit_code(), 3, "{err}");
    let mut after = on_disk(&dir);
    after.insert("fis.tf".to_owned(), before["fis.tf"].clone());
    assert_eq!(after, before, "files changed although the write failed");
}
