//! The FIS role is least privilege: exactly the catalog statements of the actions a lab uses,
//! each no broader than AWS's own managed policy for it.

use crate::common;

use chaoslab::catalog;
use serde_json::Value;

/// Glob match with `*` (any run) as IAM uses it in ARNs and action names.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|i| {
                    text.get(head.len() + i..)
                        .is_some_and(|rest| glob(tail, rest))
                })
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Fills the catalog placeholders the way a deployed lab would.
fn concrete(arn: &str) -> String {
    arn.replace("{partition}", "aws")
        .replace("{region}", "us-east-1")
        .replace("{account}", "123456789012")
}

fn managed_policy() -> Vec<Value> {
    let path = common::root().join("tests/fixtures/AWSFaultInjectionSimulatorNetworkAccess.json");
    let managed: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    managed["Statement"].as_array().expect("statements").clone()
}

type Condition = (String, String, String);

/// Whether some managed statement allows `api` on `resource` under conditions `ours` also imposes.
fn managed_allows(statements: &[Value], api: &str, resource: &str, ours: &[Condition]) -> bool {
    statements.iter().any(|m| {
        let mut conditions: Vec<Condition> = Vec::new();
        for (test, kv) in m["Condition"].as_object().into_iter().flatten() {
            for (k, v) in kv.as_object().into_iter().flatten() {
                conditions.push((
                    test.clone(),
                    k.clone(),
                    v.as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
        strings(&m["Action"]).iter().any(|a| glob(a, api))
            && strings(&m["Resource"]).iter().any(|r| glob(r, resource))
            && conditions.iter().all(|c| ours.contains(c))
    })
}

#[test]
fn disrupt_connectivity_permissions_are_a_strict_subset_of_the_managed_policy() {
    let statements = managed_policy();
    let action = catalog::find("aws:network:disrupt-connectivity").expect("in catalog");
    let mut granted = 0;
    for ours in action.iam {
        let conditions: Vec<Condition> = ours
            .conditions
            .iter()
            .map(|(t, k, v)| ((*t).to_owned(), (*k).to_owned(), (*v).to_owned()))
            .collect();
        for api in ours.actions {
            for resource in ours.resources {
                let resource = concrete(resource);
                assert!(
                    managed_allows(&statements, api, &resource, &conditions),
                    "{api} on {resource} ({}) is not granted by the managed policy",
                    ours.sid
                );
                granted += 1;
            }
        }
    }
    // Strict: the managed policy grants far more (route tables, ENIs, prefix lists, ...).
    let managed_actions: usize = statements.iter().map(|m| strings(&m["Action"]).len()).sum();
    let ours: usize = action.iam.iter().map(|s| s.actions.len()).sum();
    assert!(ours < managed_actions && granted > 0);
}

fn strings_of(e: &hcl::Expression) -> Vec<String> {
    match e {
        hcl::Expression::String(s) => vec![s.clone()],
        hcl::Expression::Array(items) => items.iter().flat_map(strings_of).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_reference_labs_fis_policy_is_a_strict_subset_of_the_managed_policy() {
    let (_, files) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    let text = &files
        .iter()
        .find(|f| f.name == "fis_iam.tf")
        .expect("fis_iam.tf")
        .content;
    // Fill the references the way a deployed lab would, so resources are plain ARNs.
    let text = text
        .replace("${data.aws_partition.current.partition}", "aws")
        .replace("${var.aws_region}", "us-east-1")
        .replace(
            "${data.aws_caller_identity.current.account_id}",
            "123456789012",
        );
    let body: hcl::Body = hcl::from_str(&text).expect("parses");
    let doc = body
        .blocks()
        .find(|b| b.identifier() == "data" && b.labels().iter().any(|l| l.as_str() == "fis"))
        .expect("policy document");
    let managed = managed_policy();
    let mut checked = 0;
    for st in doc.body().blocks() {
        let attr = |b: &hcl::Block, k: &str| {
            b.body()
                .attributes()
                .find(|a| a.key() == k)
                .map(|a| strings_of(a.expr()))
                .unwrap_or_default()
        };
        let sid = attr(st, "sid").join("");
        if ["DeliverExperimentLogs", "ShareLogGroupWithDelivery"].contains(&sid.as_str()) {
            continue; // log_configuration's vended-log delivery: no FIS managed policy grants it
        }
        let conditions: Vec<Condition> = st
            .body()
            .blocks()
            .filter(|b| b.identifier() == "condition")
            .map(|c| {
                (
                    attr(c, "test").join(""),
                    attr(c, "variable").join(""),
                    attr(c, "values").join(""),
                )
            })
            .collect();
        for api in attr(st, "actions") {
            for resource in attr(st, "resources") {
                assert!(
                    managed_allows(&managed, &api, &resource, &conditions),
                    "{sid}: {api} on {resource} exceeds the managed policy"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "checked {checked} grants");
}

fn fis_policy(spec: &str) -> String {
    let (_, files) = common::generate_file(&common::root().join("blueprints").join(spec));
    files
        .into_iter()
        .find(|f| f.name == "fis_iam.tf")
        .expect("fis_iam.tf")
        .content
}

#[test]
fn the_role_holds_only_what_the_lab_uses() {
    let network_only = fis_policy("chaos-shop-dependencies.yaml");
    assert!(
        !network_only.contains("rds:"),
        "a lab without RDS experiments must not get rds:*"
    );
    assert!(!network_only.contains("ec2:StopInstances"));
    assert!(network_only.contains("ec2:ReplaceNetworkAclAssociation"));
    assert!(
        network_only.contains("logs:CreateLogDelivery"),
        "log delivery for log_configuration"
    );

    let az = fis_policy("chaos-shop-az-failure.yaml");
    for needed in [
        "rds:FailoverDBCluster",
        "ec2:StopInstances",
        "ec2:ReplaceNetworkAclAssociation",
    ] {
        assert!(az.contains(needed), "missing {needed}");
    }
    assert!(!az.contains("fis:InjectApi") && !az.contains("ssm:SendCommand"));
}

#[test]
fn no_catalog_statement_grants_everything() {
    for action in catalog::ACTIONS {
        for s in action.iam {
            assert!(
                s.actions.iter().all(|a| !a.ends_with(":*") && *a != "*"),
                "{}: {:?}",
                action.id,
                s.actions
            );
        }
    }
}

#[test]
fn blueprints_pass_without_warnings() {
    for spec in common::blueprints() {
        let (lab, _) = common::generate_file(&spec);
        assert!(
            lab.warnings.is_empty(),
            "{}: {:?}",
            spec.display(),
            lab.warnings
        );
    }
}
