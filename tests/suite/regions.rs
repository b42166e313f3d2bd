//! The Region table (`src/base/regions.rs`) against the partitions file AWS maintains for
//! its SDKs, in the copy compiled into the aws-sdk-fis crate chaoslab already builds: a
//! Region AWS adds (or renames) fails here, not in a user's spec.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The source folder of the aws-sdk-fis package this build uses, from `cargo metadata`
/// (offline, for this machine's platform: the other platforms' crates are never downloaded).
fn sdk_source() -> PathBuf {
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let version = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", host, "--manifest-path"])
        .arg(crate::common::root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let manifest = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "aws-sdk-fis")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("aws-sdk-fis is a dependency");
    PathBuf::from(manifest)
        .parent()
        .expect("the manifest's folder")
        .to_path_buf()
}

/// (partition, Region) pairs of the SDK's default partitions file, without the `*-global`
/// pseudo-Regions.
fn sdk_regions() -> BTreeSet<(String, String)> {
    let path = sdk_source().join("src/endpoint_lib.rs");
    let code = std::fs::read_to_string(&path).expect("endpoint_lib.rs");
    // The default is the last literal handed to `new_from_json(b"...")`, a Rust byte string.
    let start = code
        .rfind("new_from_json(b\"")
        .expect("the partitions literal")
        + "new_from_json(b\"".len();
    let rest = code.get(start..).expect("in bounds");
    let end = rest.find("\")").expect("the literal's end");
    let literal = rest.get(..end).expect("in bounds");
    let json = literal
        .replace("\\\\", "\u{0}")
        .replace("\\\"", "\"")
        .replace('\u{0}', "\\");
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("the partitions JSON");
    let mut out = BTreeSet::new();
    for p in parsed["partitions"].as_array().expect("partitions") {
        let id = p["id"].as_str().expect("id");
        for code in p["regions"].as_object().expect("regions").keys() {
            if !code.ends_with("-global") {
                out.insert((id.to_owned(), code.clone()));
            }
        }
    }
    out
}

#[test]
fn the_region_table_is_the_sdk_partitions_file() {
    let sdk = sdk_regions();
    assert!(sdk.len() > 30, "read only {} Regions", sdk.len());
    let ours: BTreeSet<(String, String)> = chaoslab::base::regions::REGIONS
        .iter()
        .map(|r| (r.partition.to_owned(), r.code.to_owned()))
        .collect();
    let missing: Vec<_> = sdk.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&sdk).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/base/regions.rs differs from the SDK's partitions file\nmissing: {missing:?}\nnot in the SDK: {extra:?}"
    );
}
