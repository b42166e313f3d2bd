//! Hostile strings in a spec either arrive literally in the deployed value or are rejected.
//!
//! Each test generates a lab, parses the output back with hcl-rs, evaluates the expression
//! and compares the decoded value with the spec's text.

use crate::common;

use hcl::eval::{Context, Evaluate};
use hcl::{Body, Value};

/// Everything that could break out of an HCL string or start a template.
const HOSTILE: &[&str] = &[
    "${file(\"/etc/passwd\")}",
    "%{ for x in y }${x}%{ endfor }",
    "$${escaped} and $ and % and {}",
    "quote \" and backslash \\ and \\\"",
    "two\nlines\r\nand\ttab",
    "<<EOT\nheredoc\nEOT",
    "non-ASCII: é ü 漢字 ✓ 🙂",
    "control \u{1} \u{7f} \u{85}",
    "escape \u{1b}[2J and bell \u{7}",
    "bidi \u{202e}txet desrever\u{202c} \u{2066}isolate\u{2069} \u{200f}\u{61c}",
    "}\" }\nresource \"aws_iam_user\" \"evil\" {\n",
];

/// Whether E009 refuses `s` in a spec: a control character but tab and line feed, or one
/// that reorders or hides text. Such text never reaches a generated file.
fn refused(s: &str) -> bool {
    s.chars()
        .any(|c| chaoslab::base::text::unsafe_char(c) && !matches!(c, '\t' | '\n'))
}

/// `spec` is refused with E009 alone.
fn assert_e009(spec: &str, s: &str) {
    let err = chaoslab::load("t.yaml", spec).expect_err(s).to_string();
    let errors = err.matches("error[").count();
    assert!(
        errors > 0 && errors == err.matches("error[E009]").count(),
        "{s:?}: {err}"
    );
}

fn files(spec: &str) -> Vec<chaoslab::output::GeneratedFile> {
    common::generate_str(spec)
}

fn body_of(files: &[chaoslab::output::GeneratedFile], name: &str) -> Body {
    let f = files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    hcl::from_str(&f.content)
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}\n{}", f.content))
}

/// Evaluates attribute `attr` of the block `kind "labels..."` found by walking `path`.
fn value(body: &Body, path: &[&str], attr: &str) -> Value {
    let mut current = body;
    for step in path {
        let (ident, label) = step.split_once(' ').unwrap_or((step, ""));
        current = current
            .blocks()
            .find(|b| {
                b.identifier() == ident
                    && (label.is_empty() || b.labels().iter().any(|l| l.as_str() == label))
            })
            .unwrap_or_else(|| panic!("no block {step}"))
            .body();
    }
    let a = current
        .attributes()
        .find(|a| a.key() == attr)
        .unwrap_or_else(|| panic!("no attribute {attr}"));
    a.expr()
        .evaluate(&Context::new())
        .unwrap_or_else(|e| panic!("{attr} does not evaluate: {e}"))
}

/// A YAML double-quoted scalar holding `s` exactly.
fn yaml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn experiment_descriptions_round_trip() {
    for s in HOSTILE {
        let spec = format!(
            "{}experiments:\n  e:\n    description: {}\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT3M, scope: s3}}\n    targets: {{subnets: private}}\n",
            common::MINIMAL,
            yaml(s)
        );
        if refused(s) {
            assert_e009(&spec, s);
            continue;
        }
        let got = value(
            &body_of(&files(&spec), "fis.tf"),
            &["resource aws_fis_experiment_template"],
            "description",
        );
        assert_eq!(got, Value::from(*s));
    }
}

#[test]
fn object_contents_and_keys_round_trip() {
    for s in HOSTILE {
        let key = format!("k-{}", s.replace(char::is_control, ""));
        let spec = format!(
            "{}s3:\n  b:\n    objects:\n      {}: {{content: {}}}\n",
            common::MINIMAL,
            yaml(&key),
            yaml(s)
        );
        if refused(s) {
            assert_e009(&spec, s);
            continue;
        }
        let objects = value(
            &body_of(&files(&spec), "s3.tf"),
            &["resource aws_s3_object"],
            "for_each",
        );
        let Value::Object(map) = objects else {
            panic!("for_each is not an object")
        };
        let Some(Value::Object(object)) = map.get(&key) else {
            panic!("object key {key:?} lost: {map:?}")
        };
        assert_eq!(object.get("content"), Some(&Value::from(*s)));
    }
}

#[test]
fn seed_item_values_and_attribute_names_round_trip() {
    for s in HOSTILE {
        let name = s.replace(char::is_control, "");
        let spec = format!(
            "{}dynamodb:\n  t:\n    hash_key: {{name: id, type: S}}\n    items:\n      - {{id: {}, {}: {}}}\n",
            common::MINIMAL,
            yaml(s),
            yaml(&format!("a {name}")),
            yaml(s)
        );
        if refused(s) {
            assert_e009(&spec, s);
            continue;
        }
        let items = value(
            &body_of(&files(&spec), "dynamodb.tf"),
            &["resource aws_dynamodb_table_item"],
            "for_each",
        );
        let Value::Object(items) = items else {
            panic!("for_each is not an object")
        };
        let Some(Value::Object(item)) = items.get(*s) else {
            panic!("item id {s:?} lost: {items:?}")
        };
        let typed = |v: &str| {
            let mut m = hcl::Map::new();
            m.insert("S".to_owned(), Value::from(v));
            Some(Value::Object(m))
        };
        assert_eq!(item.get(&format!("a {name}")).cloned(), typed(s));
        assert_eq!(item.get("id").cloned(), typed(s));
    }
}

#[test]
fn tag_values_round_trip_and_bad_tags_are_rejected() {
    let safe = "a value: with / = + - @ _ . and ünïcode";
    let spec = format!(
        "{}tags: {{Owner: {}, \"Cost Center\": '42'}}\n",
        common::MINIMAL,
        yaml(safe)
    );
    let tags = value(
        &body_of(&files(&spec), "providers.tf"),
        &["provider aws", "default_tags"],
        "tags",
    );
    let Value::Object(tags) = tags else {
        panic!("tags is not an object")
    };
    assert_eq!(tags.get("Owner"), Some(&Value::from(safe)));
    assert_eq!(tags.get("Cost Center"), Some(&Value::from("42")));
    // AWS tags cannot hold `$`, `{`, quotes or newlines: rejected, not escaped.
    for s in HOSTILE {
        let spec = format!("{}tags: {{Owner: {}}}\n", common::MINIMAL, yaml(s));
        if refused(s) {
            assert_e009(&spec, s);
            continue;
        }
        let err = chaoslab::load("t.yaml", &spec).expect_err(s).to_string();
        assert!(err.contains("error[E013]"), "{err}");
    }
}

#[test]
fn names_with_hostile_text_are_rejected_with_a_fix() {
    for s in HOSTILE {
        for (section, template) in [
            (
                "lab",
                common::MINIMAL.replacen("lab: mini", &format!("lab: {}", yaml(s)), 1),
            ),
            (
                "table",
                format!(
                    "{}dynamodb:\n  {}: {{hash_key: {{name: id, type: S}}}}\n",
                    common::MINIMAL,
                    yaml(s)
                ),
            ),
            (
                "bucket",
                format!("{}s3:\n  {}: {{}}\n", common::MINIMAL, yaml(s)),
            ),
            (
                "function",
                format!("{}functions:\n  {}: {{}}\n", common::MINIMAL, yaml(s)),
            ),
        ] {
            if refused(s) {
                assert_e009(&template, s);
                continue;
            }
            let err = chaoslab::load("t.yaml", &template)
                .expect_err(section)
                .to_string();
            assert!(
                err.contains("error[E010]") && err.contains("help: use lowercase letters"),
                "{section}: {err}"
            );
        }
    }
}

/// `contentTypeHeader` is free text after `type/subtype;`: it arrives literally in the FIS
/// parameter and in the lab README's code span, or is rejected (control characters).
#[test]
fn lambda_content_types_round_trip_or_are_rejected() {
    for s in HOSTILE {
        let content_type = format!("text/plain; v={s}");
        let spec = format!(
            "{}functions:\n  f: {{}}\nexperiments:\n  e:\n    description: Answer with a hostile content type\n    action: aws:lambda:invocation-http-integration-response\n    parameters: {{duration: PT3M, statusCode: \"503\", contentTypeHeader: {}}}\n    targets: {{functions: f}}\n    acknowledge: [no-stop-condition]\n",
            common::MINIMAL,
            yaml(&content_type)
        );
        if refused(s) {
            assert_e009(&spec, s);
            continue;
        }
        let Ok(lab) = chaoslab::load("t.yaml", &spec) else {
            let err = chaoslab::load("t.yaml", &spec)
                .expect_err("rejected")
                .to_string();
            assert!(
                err.contains("error[E041]") && s.chars().any(char::is_control),
                "{s:?}: {err}"
            );
            continue;
        };
        let out = chaoslab::generate(&lab).expect("generates");
        let body = body_of(&out, "fis.tf");
        let template = body
            .blocks()
            .find(|b| {
                b.labels()
                    .first()
                    .is_some_and(|l| l.as_str() == "aws_fis_experiment_template")
            })
            .expect("template");
        let action = template
            .body()
            .blocks()
            .find(|b| b.identifier() == "action")
            .expect("action");
        let got: Vec<Value> = action
            .body()
            .blocks()
            .filter(|p| p.identifier() == "parameter")
            .map(|p| {
                let field = |k: &str| {
                    p.body()
                        .attributes()
                        .find(|a| a.key() == k)
                        .expect("key and value")
                        .expr()
                        .evaluate(&Context::new())
                        .expect("evaluates")
                };
                (field("key"), field("value"))
            })
            .filter(|(k, _)| *k == Value::from("contentTypeHeader"))
            .map(|(_, v)| v)
            .collect();
        assert_eq!(got, vec![Value::from(content_type.as_str())], "{s:?}");
    }
}
