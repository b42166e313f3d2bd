//! What a new user reads first stays true: the licence, the install line, the spec reference
//! and the list of emitted files match the code, and `scripts/test` ends with one overall count.

use crate::common;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, Stdio};

fn read(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The README text between a heading and the next heading of the same or a higher level.
fn section(readme: &str, heading: &str) -> String {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no `{heading}`"));
    let level = heading.split(' ').next().unwrap_or("#").len();
    let rest = &readme[start + heading.len() + 2..];
    let end = rest
        .match_indices("\n#")
        .find(|(i, _)| {
            let hashes = rest[i + 1..].chars().take_while(|c| *c == '#').count();
            hashes <= level && !rest[i + 1..].starts_with("#!")
        })
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].to_owned()
}

#[test]
fn the_licence_is_dual_mit_or_apache() {
    assert!(read("Cargo.toml").contains("\nlicense = \"MIT OR Apache-2.0\"\n"));
    assert!(read("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
    assert!(read("LICENSE-APACHE").contains("Apache License\n                        Version 2.0"));
    let readme = read("README.md");
    assert!(readme.contains("`LICENSE-APACHE`") && readme.contains("`LICENSE-MIT`"));
}

#[test]
/// `--locked`: an install builds the dependency versions the tests ran with, not the newest
/// that `Cargo.toml` allows (serde-saphyr's wording, above all).
fn the_readme_says_how_to_install() {
    let readme = read("README.md");
    assert!(readme.contains("\ncargo install --locked --path .\n"));
    assert!(
        !readme.contains("cargo install --path"),
        "every install line says --locked"
    );
}

fn summary(input: &str) -> (String, Option<i32>) {
    let mut child = Command::new(common::root().join("scripts/test-summary"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("scripts/test-summary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn the_test_run_ends_with_one_overall_count() {
    let ok = "running 3 tests\n...\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
              test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
              test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 1.20s\n";
    assert_eq!(summary(ok), ("15 passed, 0 failed\n".to_owned(), Some(0)));
    let failed = format!(
        "{ok}test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.10s\n"
    );
    assert_eq!(
        summary(&failed),
        ("19 passed, 2 failed\n".to_owned(), Some(1))
    );
    // A build error prints no result line: that is a failure too, not "0 tests, all fine".
    assert_eq!(
        summary("error[E0425]: cannot find value\n"),
        ("0 passed, 0 failed\n".to_owned(), Some(1))
    );

    let script = read("scripts/test");
    assert!(script.contains("set -euo pipefail"));
    assert!(script.contains("cargo test --locked --workspace --no-fail-fast"));
    assert!(script.contains("scripts/test-summary"));
}

/// Every file name any lab can generate: the blueprints, the every-action fixture and a lab
/// with RDS Proxy (which no blueprint has).
fn every_generated_name() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut specs: Vec<String> = common::blueprints()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("blueprint"))
        .collect();
    specs.push(read("tests/fixtures/every-action.yaml"));
    specs.push(
        read("blueprints/chaos-shop-dependencies.yaml")
            .replace("aurora: {}", "aurora: {proxy: true}"),
    );
    for spec in specs {
        for f in common::generate_str(&spec) {
            names.insert(f.name);
        }
    }
    names.insert(chaoslab::output::MANIFEST.to_owned());
    names
}

#[test]
fn the_readme_names_every_file_chaoslab_emits() {
    let emitted = section(&read("README.md"), "### What is emitted");
    let names = every_generated_name();
    assert!(names.contains("rds_proxy.tf") && names.contains("fis_iam.tf"));
    for name in &names {
        assert!(
            emitted.contains(&format!("`{name}`")),
            "README.md's \"What is emitted\" does not name `{name}`"
        );
    }
    // And names no file chaoslab does not emit.
    for word in emitted.split('`').skip(1).step_by(2) {
        if word.ends_with(".tf") {
            assert!(
                names.contains(word),
                "README.md names `{word}`, which no lab emits"
            );
        }
    }
}

/// The spec's keys, read from the serde structs in src/spec/mod.rs: (key, required).
fn spec_keys() -> Vec<(String, bool)> {
    let source = read("src/spec/mod.rs");
    let mut keys = Vec::new();
    let (mut default, mut rename) = (false, None::<String>);
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[serde(default)]") {
            default = true;
        } else if let Some(r) = line.strip_prefix("#[serde(rename = \"") {
            rename = r.split('"').next().map(str::to_owned);
        } else if let Some(field) = line.strip_prefix("pub ").filter(|l| l.ends_with(',')) {
            let (name, ty) = field.split_once(':').expect("a field");
            let required = !default && !ty.trim().starts_with("Option<");
            keys.push((rename.take().unwrap_or_else(|| name.to_owned()), required));
            default = false;
        } else if !line.starts_with("///") && !line.starts_with("#[schemars(") {
            (default, rename) = (false, None);
        }
    }
    assert!(
        keys.len() > 40,
        "src/spec/mod.rs no longer looks as expected"
    );
    keys
}

#[test]
fn the_spec_reference_lists_every_key_and_says_which_are_required() {
    let reference = section(&read("README.md"), "## The lab spec");
    let block = reference
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the spec reference's yaml block");
    for (key, _) in spec_keys() {
        assert!(
            block.contains(&format!("{key}:")) || block.contains(&format!("{{{key}:")),
            "the spec reference in README.md does not show `{key}`"
        );
    }
    for top in ["lab", "region", "network"] {
        let line = block
            .lines()
            .find(|l| l.starts_with(&format!("{top}:")))
            .unwrap_or_else(|| panic!("no `{top}:` line"));
        assert!(line.contains("required"), "`{top}` is required: {line}");
    }
}

/// The packages `cargo tree` lists for one workspace member's normal (runtime) dependencies,
/// as `name vX.Y.Z`, read from Cargo.lock without the network.
fn runtime_packages(member: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(common::root())
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["-p", member])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {member}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect()
}

#[test]
/// The generator starts like a small Rust program because it never links the AWS SDK: only
/// the `chaoslab-fis` helper that `verify` runs does, with one TLS stack and no C crypto build.
fn only_the_fis_helper_links_the_aws_sdk() {
    let generator = runtime_packages("chaoslab");
    let heavy: Vec<_> = generator
        .iter()
        .filter(|p| {
            ["aws-", "tokio", "hyper", "rustls", "ring "]
                .iter()
                .any(|h| p.starts_with(h))
        })
        .collect();
    assert!(
        heavy.is_empty(),
        "chaoslab links {heavy:?}: keep it in crates/chaoslab-fis"
    );
    let helper = runtime_packages("chaoslab-fis");
    assert!(
        helper.iter().any(|p| p.starts_with("aws-sdk-fis ")),
        "{helper:?}"
    );
    let tls: Vec<_> = helper.iter().filter(|p| p.starts_with("rustls ")).collect();
    assert_eq!(tls.len(), 1, "one TLS stack in the helper: {tls:?}");
    let c_crypto: Vec<_> = helper.iter().filter(|p| p.starts_with("aws-lc")).collect();
    assert!(
        c_crypto.is_empty(),
        "{c_crypto:?} builds C with cmake: keep rustls on ring"
    );
}
