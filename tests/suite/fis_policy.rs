//! The FIS role is least privilege: exactly the catalog statements of the actions a lab uses,
//! each no broader than AWS's own managed policy for it.

use crate::common;

use chaoslab::catalog;
use serde_json::Value;

/// Glob match with `*` (any run) as IAM uses it in ARNs and action names.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
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

/// Fills the catalog placeholders the way a deployed lab would (the runbook and its role as
/// tests/fixtures/every-action.yaml names them).
fn concrete(arn: &str) -> String {
    arn.replace(
        "{runbooks}",
        "arn:{partition}:ssm:{region}:{account}:automation-definition/Chaos-Shop-Drain-Zone:$DEFAULT",
    )
    .replace(
        "{runbook_roles}",
        "arn:aws:iam::111122223333:role/chaos-drain",
    )
    .replace("{partition}", "aws")
    .replace("{region}", "us-east-1")
    .replace("{account}", "123456789012")
    .replace("{ecs_cluster}", "chaos-ecs-app")
}

/// The statements of an AWS managed policy kept as a fixture under tests/fixtures.
fn managed_policy(name: &str) -> Vec<Value> {
    let path = common::root()
        .join("tests/fixtures")
        .join(format!("{name}.json"));
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

/// Asserts every API of `action`'s statements, on each resource and under its conditions, is
/// granted by `managed` (the policy called `policy`); returns the APIs, each once.
fn assert_granted(action: &catalog::Action, managed: &[Value], policy: &str) -> Vec<&'static str> {
    let mut apis = Vec::new();
    for s in action.iam {
        // Our conditions only narrow; any condition of the managed statement must be among them.
        let conditions: Vec<Condition> = s
            .conditions
            .iter()
            .map(|(t, k, v)| ((*t).to_owned(), (*k).to_owned(), (*v).to_owned()))
            .collect();
        for api in s.actions {
            for resource in s.resources {
                let resource = concrete(resource);
                assert!(
                    managed_allows(managed, api, &resource, &conditions),
                    "{}: {api} on {resource} ({}) is not granted by {policy}",
                    action.id,
                    s.sid
                );
            }
            if !apis.contains(api) {
                apis.push(*api);
            }
        }
    }
    apis
}

#[test]
fn disrupt_connectivity_permissions_are_a_strict_subset_of_the_managed_policy() {
    let statements = managed_policy("AWSFaultInjectionSimulatorNetworkAccess");
    let action = catalog::find("aws:network:disrupt-connectivity").expect("in catalog");
    let granted = assert_granted(
        action,
        &statements,
        "AWSFaultInjectionSimulatorNetworkAccess",
    )
    .len();
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
    let managed = managed_policy("AWSFaultInjectionSimulatorNetworkAccess");
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

/// What "Use the AWS FIS aws:lambda:function actions" asks of the experiment role, with the
/// resources its policy template gives (`<bucket>/<prefix>/*` for the configurations). No AWS
/// managed policy covers the Lambda actions (the FIS guide's "AWS managed policies" lists EC2,
/// ECS, EKS, network, RDS and SSM ones), so the role is checked against this list.
const LAMBDA_DOC: &[(&str, &str)] = &[
    (
        "s3:PutObject",
        "${aws_s3_bucket.fis_config.arn}/FisConfigs/*",
    ),
    (
        "s3:DeleteObject",
        "${aws_s3_bucket.fis_config.arn}/FisConfigs/*",
    ),
    ("lambda:GetFunction", "*"),
    ("tag:GetResources", "*"),
];

/// (sid, actions, resources) of every statement of the lab's FIS policy document.
fn fis_statements(spec: &std::path::Path) -> Vec<(String, Vec<String>, Vec<String>)> {
    let (_, files) = common::generate_file(spec);
    let text = &files
        .iter()
        .find(|f| f.name == "fis_iam.tf")
        .expect("fis_iam.tf")
        .content;
    let body: hcl::Body = hcl::from_str(text).expect("parses");
    let doc = body
        .blocks()
        .find(|b| b.identifier() == "data" && b.labels().iter().any(|l| l.as_str() == "fis"))
        .expect("policy document");
    doc.body()
        .blocks()
        .map(|st| {
            let attr = |k: &str| {
                st.body()
                    .attributes()
                    .find(|a| a.key() == k)
                    .map(|a| match a.expr() {
                        hcl::Expression::Array(items) => items
                            .iter()
                            .map(|i| match i {
                                hcl::Expression::String(s) => s.clone(),
                                // A template `"${…}/…"` or a reference, as written.
                                other => hcl::format::to_string(other)
                                    .expect("formats")
                                    .trim_matches('"')
                                    .to_owned(),
                            })
                            .collect(),
                        other => strings_of(other),
                    })
                    .unwrap_or_default()
            };
            (attr("sid").join(""), attr("actions"), attr("resources"))
        })
        .collect()
}

#[test]
fn lambda_permissions_are_the_documented_ones_scoped_to_the_lab() {
    let statements = fis_statements(&common::root().join("tests/fixtures/lambda-lab.yaml"));
    let lambda_sids: Vec<&str> = catalog::find("aws:lambda:invocation-error")
        .expect("in catalog")
        .iam
        .iter()
        .map(|s| s.sid)
        .collect();
    for id in [
        "aws:lambda:invocation-add-delay",
        "aws:lambda:invocation-http-integration-response",
    ] {
        let sids: Vec<&str> = catalog::find(id)
            .expect("in catalog")
            .iam
            .iter()
            .map(|s| s.sid)
            .collect();
        assert_eq!(sids, lambda_sids, "{id}");
    }
    let functions = [
        "aws_lambda_function.fn_recommendations.arn",
        "aws_lambda_function.fn_recommendations_arm.arn",
    ];
    let mut granted = Vec::new();
    for (sid, actions, resources) in statements
        .iter()
        .filter(|(s, ..)| lambda_sids.contains(&s.as_str()))
    {
        for api in actions {
            let documented: Vec<&str> = LAMBDA_DOC
                .iter()
                .filter(|(a, _)| a == api)
                .map(|(_, r)| *r)
                .collect();
            assert!(
                !documented.is_empty(),
                "{sid}: {api} is not in the AWS guide's list"
            );
            for r in resources {
                let scoped = match api.as_str() {
                    // Narrower than the guide's `*`: the lab's own functions only.
                    "lambda:GetFunction" => functions.contains(&r.as_str()),
                    // tag:GetResources has no resource type: `*` is the only form.
                    "tag:GetResources" => r == "*",
                    _ => documented.contains(&r.as_str()),
                };
                assert!(scoped, "{sid}: {api} on {r} is broader than the lab needs");
                granted.push(api.clone());
            }
        }
        if actions.iter().any(|a| a == "lambda:GetFunction") {
            assert_eq!(
                resources, &functions,
                "{sid}: every targetable function, nothing else"
            );
        }
    }
    for (api, _) in LAMBDA_DOC {
        assert!(
            granted.iter().any(|g| g == api),
            "{api} from the AWS guide is not granted"
        );
    }
    // A lab without Lambda experiments gets none of it.
    let network = fis_statements(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    assert!(
        network
            .iter()
            .flat_map(|(_, a, _)| a)
            .all(|a| !a.starts_with("lambda:") && a != "s3:PutObject" && a != "s3:DeleteObject")
    );
}

/// What the FIS guide's permission table lists for `aws:dynamodb:global-table-pause-replication`
/// (no managed policy covers it): the replicas' resource policies, the table's description and
/// tag resolution. `dynamodb:InjectError` is only for multi-Region strongly consistent tables,
/// which the lab does not build.
const PAUSE_DOC: &[&str] = &[
    "dynamodb:DeleteResourcePolicy",
    "dynamodb:DescribeTable",
    "dynamodb:GetResourcePolicy",
    "dynamodb:PutResourcePolicy",
    "tag:GetResources",
];

#[test]
fn pause_replication_permissions_are_the_documented_ones_on_tables_only() {
    let statements =
        fis_statements(&common::root().join("blueprints/chaos-shop-multi-region.yaml"));
    let sids: Vec<&str> = catalog::find("aws:dynamodb:global-table-pause-replication")
        .expect("in catalog")
        .iam
        .iter()
        .map(|s| s.sid)
        .collect();
    let ours: Vec<_> = statements
        .iter()
        .filter(|(sid, ..)| sids.contains(&sid.as_str()))
        .collect();
    let mut actions: Vec<&str> = ours
        .iter()
        .flat_map(|(_, a, _)| a.iter().map(String::as_str))
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, PAUSE_DOC, "exactly the documented permissions");
    for (sid, actions, resources) in &ours {
        if actions.iter().any(|a| a.starts_with("dynamodb:")) {
            // Every Region (the replicas are elsewhere, under the table's name), but only the
            // lab's global table and its streams (the SAR's two resource types of these
            // actions), never every table of the account.
            let table = "arn:${data.aws_partition.current.partition}:dynamodb:*:${data.aws_caller_identity.current.account_id}:table/${aws_dynamodb_table.reviews.name}";
            assert_eq!(
                resources,
                &vec![table.to_owned(), format!("{table}/stream/*")],
                "{sid}"
            );
        }
    }
    // A lab without the action holds none of it.
    let plain = fis_statements(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    assert!(
        plain
            .iter()
            .all(|(_, a, _)| a.iter().all(|x| !x.starts_with("dynamodb:"))),
        "{plain:?}"
    );
}

/// Every ECS action's statements, API by API and resource by resource, are granted by
/// AWSFaultInjectionSimulatorECSAccess, and together they hold fewer APIs than it does (no
/// container-instance draining, no clusters, the lab's cluster and the FIS documents only).
#[test]
fn ecs_permissions_are_a_strict_subset_of_the_managed_policy() {
    let managed = managed_policy("AWSFaultInjectionSimulatorECSAccess");
    let ecs: Vec<&catalog::Action> = catalog::ACTIONS
        .iter()
        .filter(|a| a.id.starts_with("aws:ecs:"))
        .collect();
    assert_eq!(ecs.len(), 7, "stop-task and the six task faults");
    let mut ours: Vec<&str> = Vec::new();
    for action in &ecs {
        for api in assert_granted(action, &managed, "AWSFaultInjectionSimulatorECSAccess") {
            if !ours.contains(&api) {
                ours.push(api);
            }
        }
    }
    let managed_apis: usize = managed.iter().map(|m| strings(&m["Action"]).len()).sum();
    assert!(ours.len() < managed_apis, "{ours:?}");
    for missing in ["ecs:UpdateContainerInstancesState", "ecs:DescribeClusters"] {
        assert!(
            !ours.contains(&missing),
            "{missing} is not needed on Fargate"
        );
    }
}

/// In the containers lab, the task statements name the lab's own cluster and the FIS
/// documents, never any task or document.
#[test]
fn the_containers_labs_task_permissions_are_scoped_to_its_cluster() {
    let statements =
        fis_statements(&common::root().join("blueprints/chaos-shop-containers-serverless.yaml"));
    let find = |sid: &str| {
        statements
            .iter()
            .find(|(s, _, _)| s == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"))
    };
    let task = "arn:${data.aws_partition.current.partition}:ecs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:task/${aws_ecs_cluster.app.name}/*";
    for sid in ["StopAppTasks", "DescribeAppTasks"] {
        assert_eq!(find(sid).2, vec![task.to_owned()], "{sid}");
    }
    let (_, actions, resources) = find("SendFisDocumentsToTasks");
    assert_eq!(actions, &vec!["ssm:SendCommand".to_owned()]);
    assert!(
        resources
            .iter()
            .all(|r| r.ends_with(":managed-instance/*") || r.ends_with(":document/AWSFIS-Run-*")),
        "{resources:?}"
    );
    // The lab has no task-kill or blackhole experiment and no EC2 instances to stop.
    assert!(statements.iter().all(|(_, a, _)| {
        !a.iter()
            .any(|x| x.starts_with("ec2:Stop") || x == "ecs:UpdateContainerInstancesState")
    }));
}

/// The actions a managed policy covers, statement by statement: each API on each resource,
/// under conditions at least as narrow, is granted by the policy (read 2026-12-07 from the AWS
/// Managed Policy Reference, versions in the fixtures' `_source`).
#[test]
fn ec2_and_ssm_permissions_are_granted_by_their_managed_policies() {
    for (policy, ids) in [
        (
            "AWSFaultInjectionSimulatorEC2Access",
            &[
                "aws:ec2:send-spot-instance-interruptions",
                "aws:ec2:stop-instances",
                "aws:ec2:terminate-instances",
                "aws:ec2:reboot-instances",
            ][..],
        ),
        (
            "AWSFaultInjectionSimulatorSSMAccess",
            &["aws:ssm:start-automation-execution", "aws:ssm:send-command"][..],
        ),
    ] {
        let managed = managed_policy(policy);
        for id in ids {
            let action = catalog::find(id).expect("in catalog");
            assert!(!assert_granted(action, &managed, policy).is_empty(), "{id}");
        }
    }
}
