//! The all-errors YAML pass (src/spec/yaml_error.rs) turns serde-saphyr's errors into
//! diagnostics partly by their wording: the `expected` text of `Unexpected` (`mapping…`,
//! `sequence…`, `…string…`) and the `ty` of `InvalidScalar` (`f…` for a float). That wording is
//! serde-saphyr's own and a minor release may change it, so Cargo.toml pins the minor the table
//! was written against (`~2.2.0`). These tests fail on a bump: the lock must hold that minor, and
//! the wording the table reads must still be what serde-saphyr says.

use serde_saphyr::Error as Yaml;

/// The serde-saphyr minor yaml_error.rs's wording table was written against.
const WRITTEN_AGAINST: &str = "2.2";

#[test]
fn the_locked_serde_saphyr_is_the_minor_the_wording_table_reads() {
    let root = crate::common::root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(&format!(
            "serde-saphyr = {{ version = \"~{WRITTEN_AGAINST}.0\""
        )),
        "Cargo.toml must pin serde-saphyr to ~{WRITTEN_AGAINST}.0"
    );
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    let locked: Vec<&str> = lock
        .split("[[package]]")
        .filter(|p| p.contains("\nname = \"serde-saphyr\"\n"))
        .filter_map(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"'))
        .collect();
    assert_eq!(
        locked.len(),
        1,
        "one serde-saphyr in Cargo.lock: {locked:?}"
    );
    assert!(
        locked[0].starts_with(&format!("{WRITTEN_AGAINST}.")),
        "serde-saphyr {} is locked, but src/spec/yaml_error.rs reads the wording of {WRITTEN_AGAINST}: \
         re-read its table against the new release, then move WRITTEN_AGAINST and the pin together",
        locked[0]
    );
}

#[derive(serde::Deserialize, Debug)]
#[allow(dead_code)]
struct Mapping {
    a: u32,
}

fn error<T: serde::de::DeserializeOwned + std::fmt::Debug>(yaml: &str) -> Yaml {
    serde_saphyr::from_str::<T>(yaml).expect_err("must not parse")
}

#[test]
fn the_wording_the_table_reads_is_serde_saphyrs() {
    let expected = |e: Yaml| match e.without_snippet() {
        Yaml::Unexpected { expected, .. } => *expected,
        other => panic!("not an Unexpected error: {other:?}"),
    };
    assert!(expected(error::<Mapping>("- 1\n")).starts_with("mapping"));
    assert!(expected(error::<Vec<u32>>("a: 1\n")).starts_with("sequence"));
    assert!(expected(error::<String>("a: 1\n")).contains("string"));
    let ty = |e: Yaml| match e.without_snippet() {
        Yaml::InvalidScalar { ty, .. } => *ty,
        other => panic!("not an InvalidScalar error: {other:?}"),
    };
    assert!(ty(error::<f64>("abc\n")).starts_with('f'));
    assert!(!ty(error::<u32>("abc\n")).starts_with('f'));
}
