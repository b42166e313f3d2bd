//! The lab spec's JSON Schema: committed beside the blueprints and equal to what the code
//! derives (`chaoslab schema`); every spec chaoslab accepts passes it under an independent
//! validator (the `jsonschema` crate, draft-07), and the bad specs it can judge fail it.

use crate::common;

use chaoslab::schema::{FILE, MODELINE};
use serde_json::Value;

fn committed() -> String {
    std::fs::read_to_string(common::root().join("blueprints").join(FILE)).unwrap_or_default()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&committed()).expect("the committed schema is JSON");
    jsonschema::draft7::new(&schema).expect("a valid draft-07 schema")
}

/// A YAML spec as the JSON instance an editor's language server validates.
fn instance(yaml: &str) -> Option<Value> {
    serde_saphyr::from_str(yaml).ok()
}

fn errors(v: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    let json = instance(yaml).expect("YAML");
    v.iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_the_code_derives() {
    let derived = chaoslab::schema::text();
    let path = common::root().join("blueprints").join(FILE);
    if std::env::var_os("CHAOSLAB_BLESS").is_some() {
        std::fs::write(&path, &derived).expect("write the schema");
    }
    assert!(
        committed() == derived,
        "blueprints/{FILE} differs from the spec types and the catalog; run `cargo run -- schema > blueprints/{FILE}` (or CHAOSLAB_BLESS=1 cargo test --test suite spec_schema::) and review the diff"
    );
    let schema: Value = serde_json::from_str(&derived).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
}

#[test]
fn every_blueprint_names_the_schema_in_its_first_line() {
    for spec in common::blueprints() {
        let text = std::fs::read_to_string(&spec).expect("blueprint");
        assert_eq!(
            text.lines().next(),
            Some(MODELINE),
            "{} must start with the modeline",
            spec.display()
        );
    }
    assert!(common::root().join("blueprints").join(FILE).is_file());
}

#[test]
fn every_spec_chaoslab_accepts_passes_the_schema() {
    let v = validator();
    let mut specs: Vec<(String, String)> = common::blueprints()
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("spec");
            (p.display().to_string(), text)
        })
        .collect();
    for name in common::EVERY_ACTION_FIXTURES {
        let fixture = common::root().join("tests/fixtures").join(name);
        let every = std::fs::read_to_string(&fixture).expect("fixture");
        specs.push((fixture.display().to_string(), every));
    }
    for a in chaoslab::catalog::ACTIONS {
        specs.push((format!("the {} snippet", a.id), common::snippet_lab(a)));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let named = dir.path().join("my-lab");
    std::fs::create_dir(&named).expect("mkdir");
    for (name, text) in chaoslab::cli::init::BLUEPRINTS {
        let starter = chaoslab::cli::init::starter(name, text, &named);
        assert!(starter.starts_with(MODELINE), "{starter}");
        specs.push((format!("the init starter from {name}"), starter));
    }
    for (name, text) in &specs {
        chaoslab::load(name, text).unwrap_or_else(|e| panic!("{name} does not load: {e}"));
        let errs = errors(&v, text);
        assert!(
            errs.is_empty(),
            "{name} fails the schema:\n{}",
            errs.join("\n")
        );
    }
}

/// Diagnostics that break a rule the schema states: unknown keys, missing keys, unknown
/// actions, the loader's type errors (E004 "expected …"; E004 also judges values, which the
/// schema does not), and the catalog's per-action parameters and target keys.
fn expressible(line: &str) -> bool {
    let catalog = [
        " needs the parameter `",
        " has no parameter `",
        " is not allowed here (allowed: ",
        " cannot target `",
    ];
    ["error[E003]", "error[E005]", "error[E040]"]
        .iter()
        .any(|c| line.starts_with(c))
        || line.starts_with("error[E004]: expected")
        || line.starts_with("error[E004]: a lab spec is a mapping")
        || ((line.starts_with("error[E041]") || line.starts_with("error[E042]"))
            && catalog.iter().any(|c| line.contains(c)))
}

/// Bad specs with such a code whose rule depends on another value, which chaoslab checks and
/// the schema does not state.
const BEYOND_THE_SCHEMA: &[(&str, &str)] = &[
    (
        "012-provisioned-without-capacity.yaml",
        "capacities are required only with billing_mode PROVISIONED",
    ),
    (
        "102-ssm-parameter-unknown.yaml",
        "documentParameters is a JSON string; its keys depend on the document it names",
    ),
];

#[test]
fn bad_specs_fail_the_schema_where_it_can_express_the_rule() {
    let v = validator();
    let dir = common::root().join("tests/corpus/bad");
    let mut judged = 0;
    let mut passed = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for spec in entries {
        let text = std::fs::read_to_string(&spec).unwrap_or_default();
        let expected = std::fs::read_to_string(spec.with_extension("stderr")).unwrap_or_default();
        let errors: Vec<&str> = expected
            .lines()
            .filter(|l| l.starts_with("error["))
            .collect();
        let expressible = !errors.is_empty() && errors.iter().all(|l| expressible(l));
        let Some(json) = instance(&text).filter(|_| expressible) else {
            continue;
        };
        judged += 1;
        let name = spec.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if v.is_valid(&json) && !BEYOND_THE_SCHEMA.iter().any(|(n, _)| *n == name) {
            passed.push(format!("{name} ({})", errors.join("; ")));
        }
    }
    assert!(
        passed.is_empty(),
        "bad specs that pass the schema: {passed:?}"
    );
    assert!(judged >= 15, "only {judged} bad specs judged");
}
