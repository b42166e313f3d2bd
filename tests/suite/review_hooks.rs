//! The hooks a repository of specs runs in review and CI: the pre-commit hooks, the GitHub
//! Actions example in the README and `.gitattributes` do what they say, run here as pre-commit
//! and a runner would run them.

use crate::common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

fn hooks() -> Vec<Value> {
    let text = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    yaml(&text).as_array().expect("a list of hooks").clone()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook `{id}`"))
}

/// `entry` split as pre-commit does (shlex; no quoting in ours), the binary built by cargo.
fn entry(hook: &Value) -> (Command, Vec<String>) {
    let words: Vec<String> = hook["entry"]
        .as_str()
        .expect("entry")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(words.first().map(String::as_str), Some("chaoslab"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaoslab"));
    cmd.current_dir(common::root());
    (cmd, words[1..].to_vec())
}

/// Python's `re.search`, the matcher pre-commit applies to `files`.
fn matches(pattern: &str, path: &str) -> bool {
    let out = Command::new("python3")
        .args([
            "-c",
            "import re,sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2]) else 1)",
            pattern,
            path,
        ])
        .status()
        .expect("python3 runs");
    out.success()
}

fn relative(p: &Path) -> String {
    p.strip_prefix(common::root())
        .expect("under the root")
        .display()
        .to_string()
}

#[test]
fn chaoslab_check_hook_checks_the_changed_specs_it_is_passed() {
    let h = hook("chaoslab-check");
    assert_eq!(
        h["language"], "rust",
        "pre-commit builds it with cargo install"
    );
    assert_ne!(h["pass_filenames"], false);
    let files = h["files"].as_str().expect("files");
    for spec in common::blueprints() {
        let path = relative(&spec);
        assert!(matches(files, &path), "{files} misses {path}");
    }
    for other in [
        "generated/chaos-shop-dependencies/fis.tf",
        "blueprints/templates/chaos-shop/app.py",
        ".pre-commit-hooks.yaml",
    ] {
        assert!(!matches(files, other), "{files} matches {other}");
    }
    // pre-commit appends the matching changed files to the entry, one or several per run.
    let all: Vec<String> = common::blueprints().iter().map(|p| relative(p)).collect();
    let mut runs: Vec<Vec<String>> = all.iter().map(|p| vec![p.clone()]).collect();
    runs.push(all);
    for files in runs {
        let (mut cmd, args) = entry(&h);
        let out = cmd.args(args).args(&files).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{files:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn chaoslab_check_all_hook_checks_every_blueprint_on_any_change() {
    let h = hook("chaoslab-check-all");
    assert_eq!(h["pass_filenames"], false);
    let files = h["files"].as_str().expect("files");
    for path in [
        "generated/chaos-shop-dependencies/fis.tf",
        "blueprints/x.yaml",
    ] {
        assert!(matches(files, path), "{files} misses {path}");
    }
    let (mut cmd, args) = entry(&h);
    let out = cmd.args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let n = common::blueprints().len();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with(&format!("check: {n} specs, {n} up to date\n"))
    );
}

#[test]
fn generated_trees_are_marked_generated_for_review() {
    let out = Command::new("git")
        .args([
            "check-attr",
            "linguist-generated",
            "generated/chaos-shop-dependencies/fis.tf",
            "generated/chaos-shop-az-failure/templates/user_data.sh.tftpl",
            "blueprints/chaos-shop-dependencies.yaml",
        ])
        .current_dir(common::root())
        .output()
        .expect("git runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text,
        "generated/chaos-shop-dependencies/fis.tf: linguist-generated: true\n\
         generated/chaos-shop-az-failure/templates/user_data.sh.tftpl: linguist-generated: true\n\
         blueprints/chaos-shop-dependencies.yaml: linguist-generated: unspecified\n"
    );
}

/// The README's workflow, parsed: it installs chaoslab and checks the blueprints.
fn workflow_runs() -> Vec<String> {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README.md");
    let block = readme
        .split("```yaml\n# .github/workflows/chaoslab.yml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the README's GitHub Actions example");
    let wf = yaml(block);
    assert!(
        wf["on"]
            .as_array()
            .is_some_and(|on| on.contains(&"pull_request".into()))
    );
    wf["jobs"]["check"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_readme_workflow_installs_chaoslab_and_checks_every_blueprint() {
    let runs = workflow_runs();
    assert_eq!(
        runs.first().map(String::as_str),
        Some("cargo install --locked --path .")
    );
    assert!(
        runs.iter()
            .any(|r| r.starts_with("chaoslab check") && r.ends_with(" blueprints/")),
        "{runs:?}"
    );
    // Each `chaoslab` step passes here, as on the runner.
    for run in runs.iter().filter(|r| r.starts_with("chaoslab ")) {
        let words: Vec<&str> = run.split_whitespace().skip(1).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
            .args(&words)
            .current_dir(common::root())
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{run}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
