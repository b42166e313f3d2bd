//! The loader's two passes against each other and the blueprints.

use super::*;
use crate::base::diag::Coded as _;

const VALID: &str = "lab: demo\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  public: [10.0.1.0/24, 10.0.2.0/24]\n  private: [10.0.11.0/24, 10.0.12.0/24]\naurora: {}\napp: {}\n";

fn first_pass(source: &str) -> Vec<Diagnostic> {
    let tree = serde_saphyr::from_str_with_options::<Spanned<tree::Node>>(source, tree_options())
        .unwrap_or_else(|e| panic!("{e}"));
    check::check::<RawSpec>(&tree, source)
}

#[test]
fn the_first_pass_accepts_every_blueprint() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let source = std::fs::read_to_string(path).unwrap();
        assert_eq!(first_pass(&source), Vec::new());
    }
}

/// The first pass judges a scalar by re-reading it with serde-saphyr, so it rejects exactly
/// what the typed pass rejects.
#[test]
fn the_first_pass_agrees_with_the_typed_pass_on_scalars() {
    let values = [
        "5",
        "\"5\"",
        "'5'",
        "0x10",
        "0o17",
        "+5",
        "1_000",
        "5.0",
        "-1",
        "70000",
        "1e3",
        "05",
        ".inf",
        "true",
        "True",
        "\"true\"",
        "yes",
        "~",
        "five",
        "[1]",
        "{a: 1}",
        "!!int \"5\"",
        "0.5",
        "&a 5",
        "!!str 5",
    ];
    for field in [
        "app: {port: V}",
        "app: {instances: V}",
        "aurora: {proxy: V}",
        "aurora: {min_capacity: V}",
        "aurora: {engine: V}",
    ] {
        for v in values {
            let (section, _) = field.split_once(':').unwrap();
            let source = VALID.replace(&format!("{section}: {{}}"), &field.replace('V', v));
            let typed = serde_saphyr::from_str_with_options::<RawSpec>(&source, options());
            assert_eq!(
                first_pass(&source).is_empty(),
                typed.is_ok(),
                "{field} with {v}: {:?}",
                typed.as_ref().map(|_| ())
            );
        }
    }
}

#[test]
fn every_missing_required_key_is_reported_at_once() {
    let source = "network: {}\ndynamodb: {t: {hash_key: {}}}\ns3: {b: {objects: {k: {}}}}\nexperiments: {e: {}}\nalarms: {a: {}}\n";
    let mut missing: Vec<String> = parse(source)
        .unwrap_err()
        .into_iter()
        .map(|d| {
            let missing = Problem::MissingKey { key: String::new() };
            assert_eq!(d.code, missing.code(), "{d:?}");
            d.field
        })
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        [
            "alarms.a.metric",
            "alarms.a.threshold",
            "dynamodb.t.hash_key.name",
            "dynamodb.t.hash_key.type",
            "experiments.e.description",
            "lab",
            "network.azs",
            "network.cidr",
            "network.private",
            "network.public",
            "region",
            "s3.b.objects.k.content",
        ]
    );
}
