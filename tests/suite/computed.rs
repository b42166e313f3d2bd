//! Check 1 of issue 24: Terraform evaluates what Terraform computes. Every attribute of every
//! blueprint's tree built with `jsonencode`, `templatefile`, `base64gzip`, `format`, `file`
//! and friends is evaluated by the real Terraform binary (tests/suite/common/terraform_eval.rs)
//! and the result is checked as the API that receives it reads it. An attribute of a kind no
//! check here knows fails the sweep, so a new one cannot slip by unevaluated.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

use crate::common;
use crate::common::terraform_eval::{COMPUTED, Tree, gunzip, unbase64};

/// EC2's limit on user data, before base64 ("Run commands on your Linux instance at
/// launch", EC2 User Guide: "User data is limited to 16 KB, in raw form, before it is
/// base64-encoded").
const USER_DATA_LIMIT: usize = 16 * 1024;

/// A blueprint's tree, its computed attributes and their values as Terraform computes them.
struct Evaluated {
    blueprint: String,
    files: Vec<chaoslab::output::GeneratedFile>,
    values: BTreeMap<String, Value>,
}

fn evaluate(spec: &std::path::Path) -> Evaluated {
    let (_, files) = common::generate_file(spec);
    let tree = Tree::new(&files);
    let targets = tree.attributes_calling(COMPUTED);
    let values = tree.evaluate(&targets, &[]);
    Evaluated {
        blueprint: spec
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned(),
        files,
        values,
    }
}

fn file<'a>(e: &'a Evaluated, name: &str) -> &'a str {
    &e.files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{}: no {name}", e.blueprint))
        .content
}

fn string(v: &Value, what: &str) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
        .to_owned()
}

fn json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {text}"))
}

/// `resource_type.name.path...` → (resource type, attribute path after the name).
fn kind(name: &str) -> (&str, String) {
    let mut parts = name.splitn(3, '.');
    let ty = parts.next().unwrap_or("");
    let _ = parts.next();
    (ty, parts.next().unwrap_or("").to_owned())
}

/// What each receiving API reads, checked on one evaluated attribute. `Err` names a kind no
/// check covers.
fn check(e: &Evaluated, name: &str, v: &Value) -> Result<(), String> {
    let what = format!("{}: {name}", e.blueprint);
    match kind(name) {
        ("aws_scheduler_schedule", p) if p == "target.input" => {
            let input = string(v, &what);
            let request = json(&input, &what);
            assert!(request.is_object(), "{what}: {input}");
            // Scheduler substitutes its keywords only as written ("Adding context
            // attributes in EventBridge Scheduler").
            assert!(
                !input.contains("\\u003caws.scheduler"),
                "{what}: a Scheduler keyword escaped, never substituted: {input}"
            );
        }
        ("aws_ecs_task_definition", p) if p == "container_definitions" => {
            let defs = json(&string(v, &what), &what);
            assert!(
                defs.as_array().is_some_and(|d| !d.is_empty()),
                "{what}: ECS reads a list of container definitions: {defs}"
            );
        }
        ("aws_launch_template", p) if p == "user_data" => {
            let script = user_data(v, &what);
            syntax_ok(&script, &what);
        }
        ("aws_cloudwatch_dashboard", p) if p == "dashboard_body" => {
            // "Dashboard Body Structure and Syntax" (CloudWatch API Reference): `widgets`,
            // an array; each widget's `type` and `properties`.
            let body = json(&string(v, &what), &what);
            let widgets = body["widgets"]
                .as_array()
                .unwrap_or_else(|| panic!("{what}: no widgets array: {body}"));
            assert!(!widgets.is_empty(), "{what}");
            for w in widgets {
                assert!(
                    ["metric", "text", "log", "alarm", "explorer"]
                        .contains(&w["type"].as_str().unwrap_or("")),
                    "{what}: widget type: {w}"
                );
                assert!(w["properties"].is_object(), "{what}: {w}");
            }
        }
        ("aws_cloudwatch_event_rule", p) if p == "event_pattern" => {
            // EventBridge patterns: every value to match sits in an array.
            let pattern = json(&string(v, &what), &what);
            fn arrays(v: &Value) -> bool {
                match v {
                    Value::Object(m) => !m.is_empty() && m.values().all(arrays),
                    Value::Array(a) => !a.is_empty(),
                    _ => false,
                }
            }
            assert!(
                arrays(&pattern),
                "{what}: a pattern value is not an array: {pattern}"
            );
        }
        ("aws_dynamodb_table_item", p) if p == "item" => {
            // for_each: one item per key; DynamoDB JSON, each attribute `{TYPE: value}`.
            let items = v.as_object().unwrap_or_else(|| panic!("{what}: {v}"));
            for item in items.values() {
                let item = json(&string(item, &what), &what);
                for (attr, typed) in item.as_object().expect("an item is an object") {
                    let t = typed.as_object().filter(|t| t.len() == 1);
                    let ok = t.is_some_and(|t| {
                        let (ty, val) = t.iter().next().expect("one");
                        ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]
                            .contains(&ty.as_str())
                            && (ty != "N" || val.as_str().is_some_and(|n| n.parse::<f64>().is_ok()))
                    });
                    assert!(ok, "{what}: attribute {attr} is not DynamoDB JSON: {typed}");
                }
            }
        }
        _ => return Err(format!("{what} = {v}")),
    }
    Ok(())
}

/// The EC2 user data as cloud-init reads it: base64 of gzip of the rendered bootstrap.
fn user_data(v: &Value, what: &str) -> String {
    let raw = unbase64(&string(v, what));
    assert!(
        raw.len() <= USER_DATA_LIMIT,
        "{what}: {} bytes of user data, over EC2's {USER_DATA_LIMIT}",
        raw.len()
    );
    String::from_utf8(gunzip(&raw)).expect("the bootstrap is UTF-8")
}

fn syntax_ok(script: &str, what: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("user_data.sh");
    std::fs::write(&path, script).expect("write");
    let out = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{what}: bash refuses the bootstrap: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_computed_attribute_of_every_blueprint_is_what_its_api_reads() {
    let mut unknown = Vec::new();
    let mut seen = BTreeSet::new();
    for spec in common::blueprints() {
        let e = evaluate(&spec);
        assert!(!e.values.is_empty(), "{}: nothing computed?", e.blueprint);
        for (name, v) in &e.values {
            seen.insert(kind(name).0.to_owned());
            if let Err(u) = check(&e, name, v) {
                unknown.push(u);
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "computed attributes no check reads as their API does (add one):\n{}",
        unknown.join("\n")
    );
    // The sweep reached every kind the blueprints build.
    for kind in [
        "aws_scheduler_schedule",
        "aws_ecs_task_definition",
        "aws_launch_template",
        "aws_cloudwatch_dashboard",
        "aws_cloudwatch_event_rule",
        "aws_dynamodb_table_item",
    ] {
        assert!(seen.contains(kind), "no {kind} evaluated: {seen:?}");
    }
}

/// The bootstrap of an EC2 lab, rendered by Terraform: the app, the requirements and the
/// config are the tree's own.
#[test]
fn the_ec2_bootstrap_is_the_template_rendered_with_the_app_config() {
    let e = evaluate(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    let what = "aws_launch_template.app.user_data";
    let script = user_data(&e.values[what], what);
    assert!(script.starts_with("#!/bin/bash\n"), "{script:.200}");
    assert!(
        !script.contains("${"),
        "an interpolation was left: {script}"
    );
    let template = file(&e, "templates/user_data.sh.tftpl");
    assert!(template.contains("${config}"));
    // The config line as Terraform rendered it: the lab's app_config, stand-ins where only
    // apply knows the value.
    let mut lines = script.lines();
    lines
        .find(|l| *l == "cat > /etc/chaos-shop/config.json <<'JSON'")
        .unwrap_or_else(|| panic!("no config heredoc in:\n{script}"));
    let config = json(lines.next().unwrap_or(""), "the config");
    assert_eq!(config["db_host"], "stand-in:aws_rds_cluster.main.endpoint");
    assert_eq!(config["region"], "us-east-1");
    assert_eq!(config["guard"]["connect_timeout"], 2);
}

fn env(container: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in container["environment"].as_array().into_iter().flatten() {
        let (Some(name), Some(value)) = (e["name"].as_str(), e["value"].as_str()) else {
            panic!("ECS reads each environment entry as a name and a string value: {e}");
        };
        let again = out.insert(name.to_owned(), value.to_owned());
        assert!(
            again.is_none(),
            "environment name {name} twice: {container}"
        );
    }
    out
}

/// The environment names a Python program reads with `env["X"]`/`os.environ["X"]`, or a
/// bash script with `${X`/`$X` for upper-case X it does not set itself.
fn names_read(script: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (open, close) in [
        ("env[\"", "\"]"),
        ("env['", "']"),
        ("environ[\"", "\"]"),
        ("environ['", "']"),
        ("${", ""),
    ] {
        let mut rest = script;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let closed = close.is_empty() || rest[name.len()..].starts_with(close);
            let assigned =
                script.contains(&format!("\n{name}=")) || script.contains(&format!(" {name}="));
            if !name.is_empty() && closed && !assigned {
                out.insert(name);
            }
        }
    }
    out
}

/// Article 8's task definition as ECS receives it (API Reference, ContainerDefinition and
/// RegisterTaskDefinition, read 2026-12-07): a list of containers with unique names and an
/// image; `essential` true when omitted, and at least one essential; `pidMode` belongs to the
/// task, not to a container; each environment entry a name and a string value. The FIS guide
/// ("Use the AWS FIS aws:ecs:task actions") asks for the agent sidecar with
/// `MANAGED_INSTANCE_ROLE_NAME` set to the managed-instance role's name and, for the process
/// and network faults, `pidMode: task`. Every variable a container's own program reads is
/// one the definition sets, and what Terraform packed is the tree's own files.
#[test]
fn the_task_definition_is_what_ecs_and_fis_read() {
    let spec = common::root().join("blueprints/chaos-shop-containers-serverless.yaml");
    let (_, files) = common::generate_file(&spec);
    let tree = Tree::new(&files);
    let task = "aws_ecs_task_definition.app";
    let targets = [
        tree.attribute(task, &["container_definitions"]),
        tree.attribute(task, &["pid_mode"]),
        tree.attribute(task, &["enable_fault_injection"]),
        tree.attribute("aws_ecs_service.app", &["load_balancer", "container_name"]),
        tree.attribute("aws_ecs_service.app", &["load_balancer", "container_port"]),
    ];
    let v = tree.evaluate(
        &targets,
        &[("aws_iam_role.fis_agent.name", "\"chaos-shop-fis-agent\"")],
    );
    let defs = json(
        &string(&v[&targets[0].name], "container_definitions"),
        "container_definitions",
    );
    let containers = defs.as_array().expect("a list of containers");
    let mut names = BTreeSet::new();
    for c in containers {
        let name = c["name"].as_str().expect("every container is named");
        assert!(names.insert(name), "container name {name} twice");
        assert!(c["image"].as_str().is_some_and(|i| !i.is_empty()), "{c}");
        assert!(c.get("pidMode").is_none(), "pidMode is the task's: {c}");
        assert!(
            c["essential"].is_boolean() || c.get("essential").is_none(),
            "{c}"
        );
        let log = &c["logConfiguration"];
        assert_eq!(log["logDriver"], "awslogs", "{c}");
        // Fargate requires awslogs-stream-prefix (ECS developer guide, awslogs driver).
        for opt in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
            assert!(log["options"][opt].is_string(), "{name}: no {opt}");
        }
    }
    let essential = |c: &Value| c["essential"].as_bool().unwrap_or(true);
    assert!(containers.iter().any(essential), "no essential container");

    // The container the load balancer sends to: essential, listening on its port.
    let lb_name = string(&v[&targets[3].name], "container_name");
    let app = containers
        .iter()
        .find(|c| c["name"] == lb_name.as_str())
        .unwrap_or_else(|| panic!("the service targets container {lb_name}, not in the task"));
    assert!(essential(app));
    assert!(
        app["portMappings"]
            .as_array()
            .is_some_and(|p| p.iter().any(|m| m["containerPort"] == v[&targets[4].name])),
        "{app}"
    );

    // What the app container runs is the tree's app/, packed as its boot script unpacks it.
    let tree_file = |n: &str| {
        files
            .iter()
            .find(|f| f.name == n)
            .unwrap_or_else(|| panic!("no {n}"))
            .content
            .clone()
    };
    let command: Vec<&str> = app["command"]
        .as_array()
        .expect("a command")
        .iter()
        .map(|a| a.as_str().expect("string"))
        .collect();
    assert_eq!(command[..2], ["python", "-c"]);
    assert_eq!(command[2], tree_file("app/boot.py"));
    let app_env = env(app);
    let missing: Vec<_> = names_read(command[2])
        .into_iter()
        .filter(|n| !app_env.contains_key(n))
        .collect();
    assert!(
        missing.is_empty(),
        "boot.py reads {missing:?}, which the task does not set"
    );
    let packed = gunzip(&unbase64(&app_env["CHAOS_SHOP_APP"]));
    assert_eq!(
        String::from_utf8(packed).expect("UTF-8"),
        tree_file("app/app.py")
    );
    assert_eq!(
        app_env["CHAOS_SHOP_REQUIREMENTS"],
        tree_file("app/requirements.txt")
    );
    let config = json(&app_env["CHAOS_SHOP_CONFIG"], "CHAOS_SHOP_CONFIG");
    assert_eq!(config["region"], "us-east-1");

    // The agent sidecar: the FIS guide's variable, the role's name; the task's pidMode.
    let sidecar = containers
        .iter()
        .find(|c| env(c).contains_key("MANAGED_INSTANCE_ROLE_NAME"))
        .expect("the SSM agent sidecar");
    assert_eq!(
        env(sidecar)["MANAGED_INSTANCE_ROLE_NAME"],
        "chaos-shop-fis-agent"
    );
    let script = sidecar["command"][2]
        .as_str()
        .expect("the sidecar's script");
    assert_eq!(sidecar["command"][0], "/bin/bash");
    assert_eq!(sidecar["command"][1], "-c");
    assert_eq!(script, tree_file("app/ssm_agent_sidecar.sh"));
    let sidecar_env = env(sidecar);
    // ECS_CONTAINER_METADATA_URI_V4 is ECS's own (task metadata endpoint v4).
    let missing: Vec<_> = names_read(script)
        .into_iter()
        .filter(|n| !sidecar_env.contains_key(n) && n != "ECS_CONTAINER_METADATA_URI_V4")
        .collect();
    assert!(
        missing.is_empty(),
        "the sidecar reads {missing:?}, which the task does not set"
    );
    assert_eq!(v[&targets[1].name], "task");
    assert_eq!(v[&targets[2].name], true);
}
