//! The commands as a user runs them: exit codes, messages, what is (not) written.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn chaoslab(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("chaoslab runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A temp dir holding `lab.yaml` with the reference blueprint's content.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let spec = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    std::fs::copy(spec, tmp.path().join("lab.yaml")).expect("copy spec");
    tmp
}

#[test]
fn generate_writes_the_default_dir_then_check_passes() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["generate", "lab.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dir = ws.path().join("generated/chaos-shop-dependencies");
    assert!(dir.join("fis.tf").is_file());
    assert!(text(&out.stdout).contains("written, 0 removed, 0 unchanged"));

    let out = chaoslab(ws.path(), &["check", "lab.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("up to date"));

    // Regenerating changes nothing.
    let files = common::files_under(&dir).len();
    let out = chaoslab(ws.path(), &["generate", "lab.yaml"]);
    assert!(
        text(&out.stdout).contains(&format!(": 0 written, 0 removed, {files} unchanged")),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_fails_with_a_diff_after_a_hand_edit() {
    let ws = workspace();
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    let fis = ws.path().join("out/fis.tf");
    let edited = std::fs::read_to_string(&fis)
        .expect("read")
        .replace("PT3M", "PT9M");
    std::fs::write(&fis, edited).expect("write");

    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("--- a/out/fis.tf") && err.contains("+++ b/out/fis.tf"),
        "{err}"
    );
    assert!(
        err.contains("-      value = \"PT9M\"") && err.contains("+      value = \"PT3M\""),
        "{err}"
    );
    assert!(
        err.contains("run `chaoslab generate lab.yaml -o out`"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(&fis)
            .expect("read")
            .contains("PT9M"),
        "check must not write"
    );

    // diff shows the same and exits 0; generate repairs it.
    let out = chaoslab(ws.path(), &["diff", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("+      value = \"PT3M\""));
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn check_reports_missing_and_stale_files() {
    let ws = workspace();
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_file(ws.path().join("out/s3.tf")).expect("rm");
    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("+++ b/out/s3.tf"));

    // Dropping the experiments makes fis.tf stale: check reports it, generate removes it.
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    let spec = std::fs::read_to_string(ws.path().join("lab.yaml")).expect("read");
    let start = spec.find("experiments:").expect("experiments section");
    std::fs::write(ws.path().join("lab.yaml"), &spec[..start]).expect("write");
    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--- a/out/fis.tf"));
    let out = chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"]);
    assert!(
        text(&out.stdout).contains("removed out/fis.tf"),
        "{}",
        text(&out.stdout)
    );
    assert!(!ws.path().join("out/fis.tf").exists());
    assert_eq!(
        chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn files_chaoslab_does_not_own_are_never_replaced_or_removed() {
    let ws = workspace();
    let dir = ws.path().join("out");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("fis.tf"), "# my own file\n").expect("write");
    std::fs::write(dir.join("terraform.tfvars"), "aws_region = \"eu-west-1\"\n").expect("write");

    let out = chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("out/fis.tf was not generated by chaoslab"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("fis.tf")).expect("read"),
        "# my own file\n"
    );
    assert!(
        !dir.join("network.tf").exists(),
        "nothing is written when refusing"
    );

    let out = chaoslab(ws.path(), &["generate", "lab.yaml", "-o", "out", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(dir.join("fis.tf"))
            .expect("read")
            .starts_with("# Generated by chaoslab")
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("terraform.tfvars")).expect("read"),
        "aws_region = \"eu-west-1\"\n"
    );
    assert_eq!(
        chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn invalid_spec_exits_2_with_located_errors_and_writes_nothing() {
    let ws = workspace();
    let spec = std::fs::read_to_string(ws.path().join("lab.yaml")).expect("read");
    std::fs::write(
        ws.path().join("lab.yaml"),
        spec.replace("targets: {subnets: private}", "targets: {subnets: privte}"),
    )
    .expect("write");
    for cmd in ["generate", "check", "diff", "validate"] {
        let out = chaoslab(
            ws.path(),
            &[cmd, "lab.yaml", "-o", "out"][..if cmd == "validate" { 2 } else { 4 }],
        );
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = text(&out.stderr);
        assert!(
            err.contains("error[E043]: there is no subnet tier `privte`"),
            "{err}"
        );
        // Where the typo is, computed from the blueprint rather than pinned to its line.
        let (line, text) = spec
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("targets: {subnets: private}"))
            .expect("the blueprint cuts the private subnets");
        let at = format!(
            "--> lab.yaml:{}:{}",
            line + 1,
            text.find("private").expect("on that line") + 1
        );
        assert!(err.contains(&at), "{at} in {err}");
        assert!(err.contains("did you mean `private`?"), "{err}");
        assert!(
            err.contains("field: experiments.disrupt-dynamodb.targets.subnets"),
            "{err}"
        );
    }
    assert!(!ws.path().join("out").exists());
}

#[test]
fn validate_reports_ok() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["validate", "lab.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "lab.yaml: ok (lab chaos-shop-dependencies, 2 experiments)\n"
    );
}

#[test]
fn unreadable_spec_and_bad_usage() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["generate", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error[E001]: cannot read the spec"));
    let out = chaoslab(ws.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = chaoslab(ws.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("generate"));
}

#[test]
fn state_and_secrets_stay_out_of_git_and_the_lock_file_stays_the_users() {
    let ws = workspace();
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml"]).status.code(),
        Some(0)
    );
    let dir = ws.path().join("generated/chaos-shop-dependencies");
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).expect(".gitignore generated");
    assert!(ignore.contains("Generated by chaoslab"), "{ignore}");
    for pattern in [
        ".terraform/",
        "*.tfstate",
        "*.tfstate.*",
        "*.tfplan",
        "*.tfvars",
        "!*.tfvars.example",
        "crash.log",
        "crash.*.log",
    ] {
        assert!(
            ignore.lines().any(|l| l == pattern),
            "{pattern} missing in\n{ignore}"
        );
    }
    assert!(
        !ignore
            .lines()
            .any(|l| l.contains(".terraform.lock.hcl") && !l.starts_with('#'))
    );
    // The repository ignores the same, wherever a lab is applied.
    let repo = std::fs::read_to_string(common::root().join(".gitignore")).expect(".gitignore");
    for pattern in chaoslab::render::gitignore::PATTERNS {
        assert!(
            repo.lines().any(|l| l == *pattern),
            "{pattern} missing in the repo .gitignore"
        );
    }

    // The lock file is the user's: kept by generate, ignored by check.
    std::fs::write(dir.join(".terraform.lock.hcl"), "# lock\n").expect("lock");
    std::fs::write(dir.join("extra.tf"), "locals {}\n").expect("extra.tf");
    std::fs::write(dir.join("zz_override.tf.json"), "{}\n").expect("override");
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".terraform.lock.hcl")).expect("lock kept"),
        "# lock\n"
    );
    let out = chaoslab(ws.path(), &["check", "lab.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning:")
            && err.contains("Terraform applies them with the lab: extra.tf, zz_override.tf.json"),
        "{err}"
    );
    assert!(!err.contains("lock.hcl"), "{err}");
}
