//! The apply tier's own judgement (`scripts/apply-tier`, which applies every blueprint for real
//! against moto and runs from `scripts/test` after `cargo test`): its unit tests in
//! `tests/apply_tier_test.py`, run with the machine's Python. They hold what fails a tree, what
//! a listed gap in `tests/apply-gaps.toml` must show to stay listed, and that the list names
//! only real trees and real moto patches.

use std::process::Command;

use crate::common;

#[test]
fn the_apply_tier_judges_differences_and_gaps_as_documented() {
    let root = common::root();
    let out = Command::new("python3")
        .arg(root.join("tests/apply_tier_test.py"))
        .current_dir(&root)
        .output()
        .expect("python3 runs (Python 3.11 or newer, for tomllib)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/apply_tier_test.py failed:\n{stderr}"
    );
    assert!(
        stderr.contains("\nOK"),
        "the unit tests did not report OK:\n{stderr}"
    );
}
