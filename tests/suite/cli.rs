//! The commands as a user runs them: exit codes, messages, what is (not) written.

use crate::common;

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

/// Generates `lab.yaml` into `out/`, then edits fis.tf by hand (PT3M → `duration`).
fn generate_and_edit_fis(dir: &Path, duration: &str) -> std::path::PathBuf {
    let out = chaoslab(dir, &["generate", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fis = dir.join("out/fis.tf");
    let edited = std::fs::read_to_string(&fis)
        .expect("read")
        .replace("PT3M", duration);
    std::fs::write(&fis, edited).expect("write");
    fis
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
    let fis = generate_and_edit_fis(ws.path(), "PT9M");

    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    // What differs per file, then the diff on stdout, as `diff` prints it.
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with(
            "out: out of date\n  modified  fis.tf\n--- a/out/fis.tf\n+++ b/out/fis.tf\n"
        ),
        "{diff}"
    );
    assert!(
        diff.contains("-      value = \"PT9M\"") && diff.contains("+      value = \"PT3M\""),
        "{diff}"
    );
    let err = text(&out.stderr);
    assert_eq!(
        err,
        "error: out: the generated tree is out of date\n  = help: run `chaoslab generate lab.yaml -o out` and commit the result\n"
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
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with("out: out of date\n  missing   s3.tf\n--- a/out/s3.tf\n+++ b/out/s3.tf\n"),
        "{diff}"
    );

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
    let diff = text(&out.stdout);
    assert!(diff.contains("\n  stale     fis.tf\n"), "{diff}");
    assert!(
        diff.contains("--- a/out/fis.tf\n+++ b/out/fis.tf\n"),
        "{diff}"
    );
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

fn chaoslab_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("chaoslab runs")
}

/// A temp dir holding `specs/` with a copy of every blueprint, generated into `generated/`.
fn blueprint_workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("specs")).expect("mkdir");
    for spec in common::blueprints() {
        let name = spec.file_name().expect("file name");
        std::fs::copy(&spec, tmp.path().join("specs").join(name)).expect("copy");
    }
    let out = chaoslab(tmp.path(), &["generate", "specs/"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    tmp
}

#[test]
fn every_argument_says_what_it_is_and_help_lists_the_exit_codes() {
    fn walk(cmd: &clap::Command, path: &str) {
        for arg in cmd.get_arguments() {
            assert!(
                arg.get_help().is_some() || arg.get_long_help().is_some(),
                "`{path}` argument `{}` has no description",
                arg.get_id()
            );
        }
        for sub in cmd.get_subcommands() {
            assert!(
                sub.get_about().is_some(),
                "`{path} {}` has no about",
                sub.get_name()
            );
            walk(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    walk(&chaoslab::cli::command(), "chaoslab");

    let ws = workspace();
    let help = text(&chaoslab(ws.path(), &["--help"]).stdout);
    for line in [
        "Exit codes:",
        "  1    drift (check)",
        "  2    invalid input",
        "  3    I/O error",
        "  4    internal error",
        "  5    verify, rehearse:",
        "  6    verify, rehearse:",
        "  130  probe, rehearse:",
    ] {
        assert!(help.contains(line), "{line} missing in\n{help}");
    }
    let help = text(&chaoslab(ws.path(), &["check", "-h"]).stdout);
    assert!(
        help.contains("<SPEC>...  Lab spec files, or directories"),
        "{help}"
    );
    assert!(help.contains("-o, --out <DIR>"), "{help}");
}

#[test]
fn completions_and_man_page() {
    let ws = workspace();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = chaoslab(ws.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("chaoslab") && script.contains("generate"),
            "{shell}"
        );
    }
    let bash = text(&chaoslab(ws.path(), &["completions", "bash"]).stdout);
    std::fs::write(ws.path().join("c.bash"), &bash).expect("write");
    let syntax = Command::new("bash")
        .args(["-n", "c.bash"])
        .current_dir(ws.path())
        .status()
        .expect("bash runs");
    assert!(
        syntax.success(),
        "the bash completion script does not parse"
    );
    assert!(bash.contains("--message-format") && bash.contains("--deny-warnings"));
    assert_eq!(
        chaoslab(ws.path(), &["completions", "tcsh"]).status.code(),
        Some(2)
    );

    let man = chaoslab(ws.path(), &["man"]);
    assert_eq!(man.status.code(), Some(0));
    let man = text(&man.stdout);
    assert!(man.contains(".TH chaoslab 1"), "{man}");
    assert!(
        man.contains(".SH SUBCOMMANDS") && man.contains("Exit codes:"),
        "{man}"
    );
}

#[test]
fn quiet_prints_only_errors_and_warnings() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["generate", "-q", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    let out = chaoslab(ws.path(), &["--quiet", "check", "lab.yaml", "-o", "out"]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );
    let out = chaoslab(ws.path(), &["--quiet", "validate", "lab.yaml"]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), String::new())
    );

    std::fs::remove_file(ws.path().join("out/s3.tf")).expect("rm");
    let out = chaoslab(ws.path(), &["check", "-q", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("error: out: the generated tree is out of date"));
}

#[test]
fn message_format_json_prints_one_object_per_diagnostic() {
    let ws = workspace();
    let spec = std::fs::read_to_string(ws.path().join("lab.yaml")).expect("read");
    let bad = spec
        .replace("targets: {subnets: private}", "targets: {subnets: privte}")
        .replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/33");
    std::fs::write(ws.path().join("bad.yaml"), bad).expect("write");
    let out = chaoslab(
        ws.path(),
        &["validate", "--message-format", "json", "bad.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    let objects: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(objects.len() >= 2, "{objects:?}");
    let tier = objects
        .iter()
        .find(|o| o["code"] == "E043")
        .expect("the E043 diagnostic");
    assert_eq!(
        *tier,
        serde_json::json!({
            "code": "E043",
            "severity": "error",
            "file": "bad.yaml",
            "line": 45,
            "column": 24,
            "field": "experiments.disrupt-dynamodb.targets.subnets",
            "message": "there is no subnet tier `privte`",
            "help": tier["help"],
        })
    );
    assert!(
        tier["help"]
            .as_str()
            .is_some_and(|h| h.contains("did you mean `private`?"))
    );
    for o in &objects {
        let keys: Vec<&str> = o
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "code", "column", "field", "file", "help", "line", "message", "severity"
            ]
        );
    }

    // Warnings, and messages that are not about a position (drift, unreadable files), too.
    let warned = spec.replace("stop_conditions: [unhealthy-hosts]", "stop_conditions: []");
    std::fs::write(ws.path().join("lab.yaml"), warned).expect("write");
    let out = chaoslab(
        ws.path(),
        &[
            "check",
            "--message-format=json",
            "lab.yaml",
            "-o",
            "out",
            "missing.yaml",
        ][..5],
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|o| o["code"] == "W002" && o["severity"] == "warning")
    );
    let drift = lines.last().expect("the drift error");
    assert_eq!(drift["code"], serde_json::Value::Null);
    assert_eq!(drift["message"], "out: the generated tree is missing");
    assert!(
        drift["help"]
            .as_str()
            .is_some_and(|h| h.contains("chaoslab generate lab.yaml -o out"))
    );
}

#[test]
fn several_specs_or_a_directory_run_each_with_one_summary_line() {
    let ws = blueprint_workspace();
    let out = chaoslab(ws.path(), &["check", "specs/"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let blueprints = common::blueprints();
    let mut expected: String = blueprints
        .iter()
        .map(|p| {
            let stem = p.file_stem().expect("stem").to_string_lossy();
            format!("generated/{stem}: up to date\n")
        })
        .collect();
    expected.push_str(&format!(
        "check: {n} specs, {n} up to date\n",
        n = blueprints.len()
    ));
    assert_eq!(text(&out.stdout), expected);
    let out = chaoslab(
        ws.path(),
        &["validate", "specs/chaos-shop-az-failure.yaml", "specs"],
    );
    // The one named twice is validated twice: one spec more than the directory holds.
    let n = common::blueprints().len() + 1;
    assert!(
        text(&out.stdout).ends_with(&format!("validate: {n} specs, {n} ok\n")),
        "{}",
        text(&out.stdout)
    );

    // One tree drifts, one spec is invalid: every spec is still checked, the worst code wins.
    std::fs::remove_file(ws.path().join("generated/chaos-shop-az-failure/s3.tf")).expect("rm");
    std::fs::write(ws.path().join("specs/zz-broken.yaml"), "lab: [\n").expect("write");
    let out = chaoslab(ws.path(), &["check", "specs"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("  missing   s3.tf\n"), "{stdout}");
    assert!(
        stdout.contains("generated/chaos-shop-dependencies: up to date\n"),
        "{stdout}"
    );
    let up_to_date = common::blueprints().len() - 1;
    assert!(
        stdout.ends_with(&format!(
            "check: {} specs, 1 out of date, {up_to_date} up to date, 1 failed\n",
            up_to_date + 2
        )),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("--> specs/zz-broken.yaml:1:"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_file(ws.path().join("specs/zz-broken.yaml")).expect("rm");
    let out = chaoslab(ws.path(), &["check", "specs"]);
    assert_eq!(out.status.code(), Some(1));

    // generate takes a directory too; -o cannot serve several labs.
    // diff's stdout stays a patch: its summary goes to stderr.
    let out = chaoslab(ws.path(), &["diff", "specs"]);
    assert!(text(&out.stdout).starts_with("--- a/generated/chaos-shop-az-failure/s3.tf\n"));
    assert!(!text(&out.stdout).contains("diff: "));
    let n = common::blueprints().len();
    assert_eq!(
        text(&out.stderr),
        format!("diff: {n} specs, 1 different, {} same\n", n - 1)
    );

    let out = chaoslab(ws.path(), &["generate", "specs"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with(&format!("generate: {n} specs, {n} generated\n")));
    let out = chaoslab(ws.path(), &["check", "specs", "-o", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-o names one lab's directory"));
    std::fs::create_dir(ws.path().join("empty")).expect("mkdir");
    let out = chaoslab(ws.path(), &["check", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("empty holds no lab spec (*.yaml)"));
}

#[test]
fn check_says_per_file_what_differs() {
    let ws = workspace();
    // Never generated: every file missing.
    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("out: not generated yet\n  missing   .gitignore\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  missing   fis.tf\n"), "{stdout}");
    assert!(
        stdout.contains("  missing   .chaoslab-manifest\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("modified"), "{stdout}");

    // Foreign: someone's own file where the tree has one; generate --force is the fix.
    generate_and_edit_fis(ws.path(), "PT4M");
    std::fs::write(ws.path().join("out/alb.tf"), "# mine\n").expect("write");
    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", "out"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "out: out of date\n  foreign   alb.tf\n  modified  fis.tf\n--- a/out/alb.tf\n"
        ),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("run `chaoslab generate lab.yaml -o out --force`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn diff_headers_are_clean_relative_paths_for_absolute_out_dirs() {
    let ws = workspace();
    let inside = ws.path().join("out");
    let inside = inside.to_str().expect("UTF-8 path");
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", inside])
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_file(ws.path().join("out/s3.tf")).expect("rm");
    let out = chaoslab(ws.path(), &["diff", "lab.yaml", "-o", inside]);
    assert!(
        text(&out.stdout).starts_with("--- a/out/s3.tf\n+++ b/out/s3.tf\n"),
        "{}",
        text(&out.stdout)
    );
    let out = chaoslab(ws.path(), &["diff", "lab.yaml", "-o", "./out/"]);
    assert!(
        text(&out.stdout).starts_with("--- a/out/s3.tf\n"),
        "{}",
        text(&out.stdout)
    );

    // Outside the working directory: paths relative to the lab directory, as `patch -p1` in it
    // takes them.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let outside = elsewhere.path().to_str().expect("UTF-8 path").to_owned() + "/lab";
    assert_eq!(
        chaoslab(ws.path(), &["generate", "lab.yaml", "-o", &outside])
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_file(elsewhere.path().join("lab/s3.tf")).expect("rm");
    let out = chaoslab(ws.path(), &["check", "lab.yaml", "-o", &outside]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\n--- a/s3.tf\n+++ b/s3.tf\n"), "{stdout}");
    assert!(!stdout.contains("a//"), "{stdout}");
}

/// Runs chaoslab on a pseudo-terminal (util-linux `script`), as a person at a terminal would.
fn on_a_terminal(dir: &Path, args: &str, no_color: Option<&str>) -> String {
    let mut cmd = Command::new("script");
    cmd.args([
        "-qec",
        &format!("{} {args}", env!("CARGO_BIN_EXE_chaoslab")),
        "/dev/null",
    ])
    .current_dir(dir)
    .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    text(&cmd.output().expect("script runs").stdout)
}

#[test]
fn colour_on_a_terminal_only_and_never_with_no_color() {
    let ws = workspace();
    generate_and_edit_fis(ws.path(), "PT3M");
    std::fs::remove_file(ws.path().join("out/s3.tf")).expect("rm");
    let tty = on_a_terminal(ws.path(), "check lab.yaml -o out", None);
    assert!(
        tty.contains("\x1b[32m+"),
        "no colour on a terminal: {tty:?}"
    );
    assert!(tty.contains("\x1b[31merror:"), "{tty:?}");
    for v in ["1", "true"] {
        let plain = on_a_terminal(ws.path(), "check lab.yaml -o out", Some(v));
        assert!(
            plain.contains("+++ b/out/s3.tf") && !plain.contains('\x1b'),
            "{plain:?}"
        );
    }
    let piped = chaoslab_env(ws.path(), &["check", "lab.yaml", "-o", "out"], &[]);
    assert!(!text(&piped.stdout).contains('\x1b') && !text(&piped.stderr).contains('\x1b'));
}

#[test]
fn actions_lists_the_catalog_and_shows_one_action_in_full() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["actions"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), chaoslab::catalog::doc::listing());
    for a in chaoslab::catalog::ACTIONS {
        let out = chaoslab(ws.path(), &["actions", a.id]);
        assert_eq!(out.status.code(), Some(0), "{}", a.id);
        assert_eq!(text(&out.stdout), chaoslab::catalog::doc::entry(a));
    }
    let full = text(&chaoslab(ws.path(), &["actions", "aws:rds:reboot-db-instances"]).stdout);
    assert_eq!(
        text(&chaoslab(ws.path(), &["actions", "reboot-db-instances"]).stdout),
        full
    );
    for part in [
        "Targets: `db-instances`: `aurora-writer`",
        "| `forceFailover` | boolean, as a string | `\"true\"`, `\"false\"` | `\"false\"` |",
        "`rds:RebootDBInstance` on `arn:{partition}:rds:{region}:{account}:db:*`",
        "Provider floor: hashicorp/aws 6.0",
        "```yaml\nexperiments:\n  reboot-db-instances:\n",
    ] {
        assert!(full.contains(part), "{part} missing in\n{full}");
    }
    let out = chaoslab(ws.path(), &["actions", "aws:ec2:stop-instance"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `aws:ec2:stop-instances`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn schema_prints_the_committed_schema() {
    let ws = workspace();
    let out = chaoslab(ws.path(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(
        common::root()
            .join("blueprints")
            .join(chaoslab::schema::FILE),
    )
    .expect("committed schema");
    assert_eq!(text(&out.stdout), committed);
}

#[test]
fn init_writes_a_starter_spec_with_the_schema_and_never_overwrites() {
    // Every blueprint can be a starter.
    let mut names: Vec<String> = chaoslab::cli::init::BLUEPRINTS
        .iter()
        .map(|(n, _)| format!("{n}.yaml"))
        .collect();
    names.sort();
    let files: Vec<String> = common::blueprints()
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, files);

    let ws = tempfile::tempdir().expect("tempdir");
    let out = chaoslab(ws.path(), &["init", "my-lab"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "wrote my-lab/lab.yaml (from the blueprint chaos-shop-dependencies)\n\
         wrote my-lab/lab-spec.schema.json\n\
         next: chaoslab validate my-lab/lab.yaml && chaoslab generate my-lab/lab.yaml\n"
    );
    let spec = std::fs::read_to_string(ws.path().join("my-lab/lab.yaml")).expect("spec");
    assert!(spec.starts_with(&format!("{}\n# Started from", chaoslab::schema::MODELINE)));
    assert!(spec.contains("\nlab: my-lab\nprefix: my-lab\n"), "{spec}");
    assert_eq!(
        std::fs::read_to_string(ws.path().join("my-lab/lab-spec.schema.json")).expect("schema"),
        chaoslab::schema::text()
    );
    let out = chaoslab(ws.path(), &["validate", "my-lab/lab.yaml"]);
    assert_eq!(
        text(&out.stdout),
        "my-lab/lab.yaml: ok (lab my-lab, 2 experiments)\n"
    );
    let out = chaoslab(ws.path(), &["generate", "my-lab/lab.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(ws.path().join("generated/my-lab/fis.tf").is_file());

    // Never over an existing spec; the file stays as it was.
    std::fs::write(ws.path().join("my-lab/lab.yaml"), "# mine\n").expect("write");
    let out = chaoslab(ws.path(), &["init", "my-lab"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr)
            .contains("error: my-lab/lab.yaml: exists; `chaoslab init` never overwrites a file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("my-lab/lab.yaml")).expect("read"),
        "# mine\n"
    );

    // Another blueprint, in the current directory; a name that is no lab name keeps the
    // blueprint's; someone else's schema file is not replaced.
    let odd = ws.path().join("Odd_Dir");
    std::fs::create_dir(&odd).expect("mkdir");
    let out = chaoslab(&odd, &["init", "--blueprint", "chaos-shop-az-failure"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let spec = std::fs::read_to_string(odd.join("lab.yaml")).expect("spec");
    assert!(spec.contains("\nlab: chaos-shop-az-failure\n"), "{spec}");
    let other = ws.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("lab-spec.schema.json"), "{}\n").expect("write");
    let out = chaoslab(ws.path(), &["init", "other"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("lab-spec.schema.json: is not chaoslab's schema"),
        "{}",
        text(&out.stderr)
    );
    assert!(!other.join("lab.yaml").exists());

    let out = chaoslab(
        ws.path(),
        &["init", "--blueprint", "chaos-shop-az-failur", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `chaos-shop-az-failure`?"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !ws.path().join("x").exists(),
        "nothing is written for a bad blueprint"
    );
}

/// A reader that goes away (`chaoslab actions | head -1`) is an I/O error named as one, exit 3,
/// not a panic.
#[test]
fn closed_stdout_is_an_io_error_not_a_panic() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .arg("actions")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("chaoslab runs");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(
        err,
        "error: writing the result to stdout: Broken pipe (os error 32)\n"
    );
}

/// `chaoslab actions --json`: the catalog as data, one object per action (ids once each), the
/// same facts the tables print (the rehearsal's yes or no, the provider floor); with an ID, that
/// action alone; an unknown ID is exit 2 as without --json.
#[test]
fn actions_as_json_are_the_catalog() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = chaoslab(tmp.path(), &["actions", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let all = all.as_array().expect("an array");
    assert_eq!(all.len(), chaoslab::catalog::ACTIONS.len());
    let table = chaoslab::catalog::doc::rehearsal_table();
    for (a, j) in chaoslab::catalog::ACTIONS.iter().zip(all) {
        assert_eq!(j["id"], a.id);
        let (major, minor) = a.provider_floor;
        assert_eq!(j["provider_floor"], format!("{major}.{minor}"));
        let row = format!(
            "| `{}` | {} |",
            a.id,
            if j["rehearsed"] == true { "yes" } else { "no" }
        );
        assert!(table.contains(&row), "{row} is not in the table");
        assert_eq!(
            j["parameters"].as_array().map(Vec::len),
            Some(a.params.len()),
            "{}",
            a.id
        );
    }
    let one = chaoslab(tmp.path(), &["actions", "--json", "invocation-error"]);
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).expect("JSON");
    assert_eq!(one[0]["id"], "aws:lambda:invocation-error");
    assert_eq!(one[0]["provider_floor"], "6.22");
    assert_eq!(one[0]["target"]["fis_key"], "Functions");
    let unknown = chaoslab(
        tmp.path(),
        &["actions", "--json", "aws:rds:reboot-db-instance"],
    );
    assert_eq!(unknown.status.code(), Some(2));
}
