//! The schema half of `terraform validate`, offline: every resource and data block chaoslab
//! emits is checked against its provider's schema: hashicorp/aws (committed fixture, extracted
//! from 6.62.0 by scripts/extract-schema) and hashicorp/archive (`archive_file`, written from
//! the provider's documentation).

use crate::common;

use hcl::{Body, Expression};
use serde_json::Value;

const META_ARGS: &[&str] = &["count", "for_each", "depends_on", "provider"];

/// The providers whose blocks are checked, by type prefix, with their fixture.
const PROVIDERS: &[(&str, &str)] = &[
    ("aws_", "tests/fixtures/aws-schema.json"),
    ("archive_", "tests/fixtures/archive-schema.json"),
];

/// Every provider's schemas in one document (type names do not overlap across providers).
fn fixture() -> Value {
    let mut merged = serde_json::json!({"resource_schemas": {}, "data_source_schemas": {}});
    for (_, path) in PROVIDERS {
        let text = std::fs::read_to_string(common::root().join(path)).expect("fixture");
        let one: Value = serde_json::from_str(&text).expect("fixture is JSON");
        for section in ["resource_schemas", "data_source_schemas"] {
            for (kind, s) in one[section].as_object().expect("schemas") {
                merged[section][kind] = s.clone();
            }
        }
    }
    merged
}

/// Problems in one `.tf` file's resource and data blocks.
fn check_file(schema: &Value, file: &str, text: &str) -> Vec<String> {
    let body: Body = hcl::from_str(text).unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
    let mut problems = Vec::new();
    for block in body.blocks() {
        let section = match block.identifier() {
            "resource" => "resource_schemas",
            "data" => "data_source_schemas",
            _ => continue,
        };
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        let (Some(kind), Some(name)) = (labels.first(), labels.get(1)) else {
            problems.push(format!(
                "{file}: {} block without two labels",
                block.identifier()
            ));
            continue;
        };
        if !PROVIDERS.iter().any(|(prefix, _)| kind.starts_with(prefix)) {
            problems.push(format!(
                "{file}: {kind}.{name}: no schema fixture for its provider"
            ));
            continue;
        }
        let at = format!("{file}: {kind}.{name}");
        match schema[section].get(*kind) {
            None => problems.push(format!(
                "{at}: type {kind} is not in the fixture (add it to scripts/extract-schema)"
            )),
            Some(s) => check_body(&s["block"], block.body(), &at, true, &mut problems),
        }
    }
    problems
}

fn check_body(schema: &Value, body: &Body, at: &str, top: bool, problems: &mut Vec<String>) {
    let attrs = schema["attributes"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let blocks = schema["block_types"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for attr in body.attributes() {
        let key = attr.key();
        if top && META_ARGS.contains(&key) {
            continue;
        }
        let Some(def) = attrs.get(key) else {
            let what = if blocks.contains_key(key) {
                "is a block, not an argument"
            } else {
                "is not an argument"
            };
            problems.push(format!("{at}: `{key}` {what}"));
            continue;
        };
        let flag = |f: &str| def.get(f).and_then(Value::as_bool).unwrap_or(false);
        if flag("computed") && !flag("optional") && !flag("required") {
            problems.push(format!("{at}: `{key}` is computed and cannot be set"));
        }
        let literal = match attr.expr() {
            Expression::Bool(_) => Some("bool"),
            Expression::Number(_) => Some("number"),
            Expression::String(_) => Some("string"),
            Expression::Array(_) => Some("list"),
            _ => None,
        };
        let ty = match &def["type"] {
            Value::String(s) => s.as_str(),
            Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        let fits = match (literal, ty) {
            (None, _) | (_, "dynamic") => true,
            (Some("list"), "list" | "set" | "tuple") => true,
            (Some(l), t) => {
                l == t || (l == "number" && t == "string") || (l == "bool" && t == "string")
            }
        };
        if !fits {
            problems.push(format!(
                "{at}: `{key}` wants {ty}, got a {} literal",
                literal.unwrap_or("?")
            ));
        }
    }
    for (key, def) in &attrs {
        if def.get("required").and_then(Value::as_bool) == Some(true)
            && !body.attributes().any(|a| a.key() == key)
        {
            problems.push(format!("{at}: required argument `{key}` is missing"));
        }
    }
    for (key, def) in &blocks {
        let n = body.blocks().filter(|b| b.identifier() == key).count() as u64;
        let min = def.get("min_items").and_then(Value::as_u64).unwrap_or(0);
        let single = matches!(def["nesting_mode"].as_str(), Some("single" | "group"));
        let max = def
            .get("max_items")
            .and_then(Value::as_u64)
            .or(single.then_some(1));
        if n < min {
            problems.push(format!(
                "{at}: needs at least {min} `{key}` block(s), has {n}"
            ));
        }
        if let Some(max) = max.filter(|m| n > *m) {
            problems.push(format!(
                "{at}: allows at most {max} `{key}` block(s), has {n}"
            ));
        }
    }
    for block in body.blocks() {
        let key = block.identifier();
        if top && key == "lifecycle" {
            continue;
        }
        match blocks.get(key) {
            Some(def) => check_body(
                &def["block"],
                block.body(),
                &format!("{at}.{key}"),
                false,
                problems,
            ),
            None => {
                let what = if attrs.contains_key(key) {
                    "is an argument, not a block"
                } else {
                    "is not a block"
                };
                problems.push(format!("{at}: `{key}` {what}"));
            }
        }
    }
}

#[test]
fn generated_trees_conform_to_the_provider_schema() {
    let schema = fixture();
    let mut problems = Vec::new();
    let mut checked = 0;
    for spec in common::blueprints() {
        let (_, files) = common::generate_file(&spec);
        for f in files.iter().filter(|f| f.name.ends_with(".tf")) {
            problems.extend(check_file(&schema, &f.name, &f.content));
            checked += 1;
        }
    }
    assert!(checked > 0);
    assert!(
        problems.is_empty(),
        "schema problems:\n{}",
        problems.join("\n")
    );
}

/// Every catalog action is usable: the every-action fixtures (`common::EVERY_ACTION_FIXTURES`)
/// hold one experiment per action between them, each in the fixture `common::fixture_for`
/// names, and their trees pass the schema check and `terraform fmt -check`.
#[test]
fn every_catalog_action_is_in_a_conforming_lab() {
    let labs: Vec<_> = common::EVERY_ACTION_FIXTURES
        .iter()
        .map(|f| {
            let (lab, files) =
                common::generate_file(&common::root().join("tests/fixtures").join(f));
            (*f, lab, files)
        })
        .collect();
    for action in chaoslab::catalog::ACTIONS {
        let home = common::fixture_for(action);
        assert!(
            labs.iter()
                .filter(|(f, _, _)| *f == home)
                .flat_map(|(_, lab, _)| &lab.experiments)
                .flat_map(|e| e.actions())
                .any(|e| e.action.id == action.id),
            "{} is in no test lab: add it to tests/fixtures/{home}",
            action.id
        );
    }
    for (_, _, files) in &labs {
        assert_tree_conforms(files);
        fmt_check(files);
    }
}

fn fmt_check(files: &[chaoslab::output::GeneratedFile]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    common::write_tree(tmp.path(), files);
    let out = std::process::Command::new(common::terraform())
        .args(["fmt", "-check", "-diff", "-recursive"])
        .arg(tmp.path())
        .output()
        .expect("terraform runs");
    assert!(
        out.status.success(),
        "terraform fmt would change the tree:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_nat_and_endpoint_variant_conforms() {
    let schema = fixture();
    for extra in [
        "  nat: per-az\n  gateway_endpoints: [dynamodb, s3]\n",
        "  nat: none\n  interface_endpoints: [s3]\n",
        "dynamodb: {reviews: {hash_key: {name: id, type: N}}}\ns3: {promo: {objects: {promo.json: {content: x}}}}\napp: {}\naurora: {proxy: true, readers: 2}\n",
    ] {
        let files = common::generate_str(&format!("{}{extra}", common::MINIMAL));
        let problems: Vec<String> = files
            .iter()
            .filter(|f| f.name.ends_with(".tf"))
            .flat_map(|f| check_file(&schema, &f.name, &f.content))
            .collect();
        assert!(problems.is_empty(), "{extra}: {}", problems.join("\n"));
    }
}

/// The checker itself finds what it is meant to find.
#[test]
fn checker_reports_schema_mistakes() {
    let bad = r#"
resource "aws_vpc" "a" {
  cidr_blok = "10.0.0.0/16"
  arn       = "x"
}
resource "aws_fis_experiment_template" "b" {
  description = "d"
  role_arn    = "r"
  action {
    name      = "a"
    action_id = "x"
    target {
      key   = "Subnets"
      value = "t"
    }
    target {
      key   = "Subnets"
      value = "u"
    }
  }
}
resource "aws_s3_bucket" "c" {
  force_destroy = "yes"
  versioning = true
}
resource "aws_nope" "d" {}
data "archive_file" "e" {
  type            = "zip"
  source_contents = "x"
}
"#;
    let problems = check_file(&fixture(), "bad.tf", bad).join("\n");
    for expected in [
        "aws_vpc.a: `cidr_blok` is not an argument",
        "aws_vpc.a: `arn` is computed and cannot be set",
        "aws_fis_experiment_template.b: needs at least 1 `stop_condition` block(s), has 0",
        "aws_fis_experiment_template.b.action: allows at most 1 `target` block(s), has 2",
        "aws_s3_bucket.c: `force_destroy` wants bool, got a string literal",
        "aws_s3_bucket.c: `versioning` is a block, not an argument",
        "type aws_nope is not in the fixture",
        "archive_file.e: `source_contents` is not an argument",
        "archive_file.e: required argument `output_path` is missing",
    ] {
        assert!(
            problems.contains(expected),
            "missing `{expected}` in:\n{problems}"
        );
    }
}

/// Fails with every provider-schema problem of the tree's `.tf` files.
fn assert_tree_conforms(files: &[chaoslab::output::GeneratedFile]) {
    let schema = fixture();
    let problems: Vec<String> = files
        .iter()
        .filter(|f| f.name.ends_with(".tf"))
        .flat_map(|f| check_file(&schema, &f.name, &f.content))
        .collect();
    assert!(
        problems.is_empty(),
        "schema problems:\n{}",
        problems.join("\n")
    );
}

/// Remote state and tenants add a `backend "s3" {}` to the terraform block and no resource:
/// the tree still passes the provider-schema check.
#[test]
fn a_workshop_tree_conforms() {
    let spec =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("blueprint");
    let files = common::generate_str(&format!(
        "{spec}\nstate: {{backend: s3}}\ntenants: [a, b]\n"
    ));
    assert_tree_conforms(&files);
}

/// A schedule adds Scheduler, EventBridge and log-group resources: all in the provider schema.
#[test]
fn a_scheduled_tree_conforms() {
    assert_tree_conforms(&crate::schedule::scheduled_tree());
}
