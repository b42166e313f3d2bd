//! The bad-input corpus: every spec in tests/corpus/bad is rejected with exit 2 and exactly the
//! diagnostics pinned next to it (`<name>.stderr`), and the output folder is left untouched.
//!
//! To re-pin after an intended message change: `CHAOSLAB_BLESS=1 cargo test --test suite corpus::`,
//! then review the diff of the .stderr files.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("read");
            (f, bytes)
        })
        .collect()
}

#[test]
fn every_bad_spec_is_rejected_with_its_pinned_diagnostics_and_writes_nothing() {
    let corpus = common::root().join("tests/corpus/bad");
    let bless = std::env::var_os("CHAOSLAB_BLESS").is_some();
    let mut specs: Vec<String> = std::fs::read_dir(&corpus)
        .expect("corpus dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 40, "the corpus has {} specs", specs.len());

    // An existing lab tree in the output folder, which a rejected spec must not touch.
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let reference = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    let status = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .arg("generate")
        .arg(&reference)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("generate runs");
    assert!(status.success());
    std::fs::write(out.join("terraform.tfvars"), "aws_region = \"eu-west-1\"\n").expect("write");
    let before = snapshot(&out);

    let mut failures = Vec::new();
    for spec in &specs {
        let started = Instant::now();
        let run = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
            .args(["generate", spec, "-o"])
            .arg(&out)
            .current_dir(&corpus)
            .output()
            .expect("chaoslab runs");
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        if run.status.code() != Some(2) {
            failures.push(format!(
                "{spec}: exit {:?}, want 2\n{stderr}",
                run.status.code()
            ));
        }
        if elapsed > Duration::from_secs(5) {
            failures.push(format!(
                "{spec}: took {elapsed:?}; bad input must be rejected quickly"
            ));
        }
        if !stderr.contains("= help: ") || !stderr.contains(&format!("--> {spec}:")) {
            failures.push(format!("{spec}: no location or no fix in\n{stderr}"));
        }
        let pinned = corpus.join(spec.replace(".yaml", ".stderr"));
        if bless {
            std::fs::write(&pinned, &stderr).expect("bless");
        } else {
            match std::fs::read_to_string(&pinned) {
                Ok(want) if want == stderr => {}
                Ok(want) => failures.push(format!(
                    "{spec}: diagnostics changed\n--- pinned\n{want}--- now\n{stderr}"
                )),
                Err(_) => failures.push(format!(
                    "{spec}: no {} (run with CHAOSLAB_BLESS=1)",
                    pinned.display()
                )),
            }
        }
        if snapshot(&out) != before {
            failures.push(format!("{spec}: the output folder changed"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
