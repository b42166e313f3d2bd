//! The FIS role is least privilege: exactly the catalog statements of the actions a lab uses,
//! each no broader than AWS's own managed policy for it.

mod common;

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

#[test]
fn disrupt_connectivity_permissions_are_a_strict_subset_of_the_managed_policy() {
    let text = std::fs::read_to_string(
        common::root().join("tests/fixtures/AWSFaultInjectionSimulatorNetworkAccess.json"),
    )
    .expect("fixture");
    let managed: Value = serde_json::from_str(&text).expect("json");
    let statements = managed["Statement"].as_array().expect("statements");
    let action = catalog::find("aws:network:disrupt-connectivity").expect("in catalog");
    let mut granted = 0;
    for ours in action.iam {
        for api in ours.actions {
            for resource in ours.resources {
                let resource = concrete(resource);
                // Some managed statement allows this pair under conditions ours also imposes.
                let covered = statements.iter().any(|m| {
                    let conditions: Vec<(String, String, String)> = m["Condition"]
                        .as_object()
                        .map(|tests| {
                            tests
                                .iter()
                                .flat_map(|(test, kv)| {
                                    kv.as_object().into_iter().flatten().map(move |(k, v)| {
                                        (
                                            test.clone(),
                                            k.clone(),
                                            v.as_str().unwrap_or_default().to_owned(),
                                        )
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    strings(&m["Action"]).iter().any(|a| glob(a, api))
                        && strings(&m["Resource"]).iter().any(|r| glob(r, &resource))
                        && conditions.iter().all(|(t, k, v)| {
                            ours.conditions
                                .iter()
                                .any(|(ot, ok, ov)| ot == t && ok == k && ov == v)
                        })
                });
                assert!(
                    covered,
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
