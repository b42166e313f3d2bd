//! iam.tf: the role FIS assumes, with exactly the permissions the lab's actions need.
//!
//! The policy is the union of the catalog statements of the actions the experiments use, so a
//! lab without RDS experiments holds no `rds:*`. ARNs are scoped to the lab's account and
//! Region; the trust policy only admits FIS calls made for this account.

use super::{Tree, account_id, iam, prefixed};
use crate::base::address::{
    APP_ROLE, ASG, AWS_REGION, Address, DASHBOARD, ECS_CLUSTER, FIS_CONFIG, FIS_ROLE, NAME_PREFIX,
    PARTITION, REPORTS, VPC,
};
use crate::base::hcl::{Block, Expr, Part, interp, lit};
use crate::catalog::{Statement, automation};
use crate::experiments::{Lab, tf_name};
use crate::resources::functions::function_address;

const FILE: &str = "fis_iam.tf";

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.experiments.is_empty() {
        return;
    }
    tree.add(
        FILE,
        iam::trust_policy(
            "fis_assume",
            "fis.amazonaws.com",
            // Confused-deputy guard: only FIS calls for this account's experiments in the lab's
            // Region. Source: "Use service-linked roles / IAM roles for AWS FIS", cross-service
            // confused deputy prevention (aws:SourceAccount and aws:SourceArn).
            vec![
                iam::condition("StringEquals", "aws:SourceAccount", account_id()),
                iam::condition(
                    "ArnLike",
                    "aws:SourceArn",
                    arn(lab, "arn:{partition}:fis:{region}:{account}:experiment/*"),
                ),
            ],
        ),
    );
    tree.add(
        FILE,
        FIS_ROLE
            .block()
            .attr("name", prefixed("fis"))
            .attr(
                "description",
                Expr::str("Assumed by AWS FIS to run this lab's experiments."),
            )
            .attr(
                "assume_role_policy",
                Expr::r("data.aws_iam_policy_document.fis_assume.json"),
            ),
    );

    let mut doc = Block::data("aws_iam_policy_document", "fis");
    for s in statements(lab) {
        let arns: Vec<Expr> = s.resources.iter().flat_map(|r| resources(lab, r)).collect();
        if arns.is_empty() {
            continue; // e.g. no runbook of the lab assumes a role to pass
        }
        let mut st = iam::statement(
            s.sid,
            s.actions.iter().map(|a| Expr::str(*a)).collect(),
            arns,
        );
        for (test, variable, value) in s.conditions {
            st = st.block(iam::condition(test, variable, arn(lab, value)));
        }
        doc = doc.block(st);
    }
    for st in report_statements(lab) {
        doc = doc.block(st);
    }
    tree.add(FILE, doc);
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "fis")
            .attr("name", Expr::str("fis-actions"))
            .attr("role", Expr::r("aws_iam_role.fis.id"))
            .attr("policy", Expr::r("data.aws_iam_policy_document.fis.json")),
    );
    tree.output(
        "fis_role_arn",
        "ARN of the role FIS assumes for the experiments.",
        FIS_ROLE.attr("arn"),
    );
}

/// Vended-log delivery to CloudWatch Logs, for the templates' `log_configuration`. No FIS
/// managed policy grants it. `logs:CreateLogDelivery` has no resource type (so `*`); the
/// resource-policy calls take the log-group ARN with a `*` wildcard, as the CloudWatch Logs
/// User Guide asks ("Logs sent to CloudWatch Logs", `AWS-logs-infrastructure-CWL.html`).
pub static LOG_DELIVERY: [Statement; 2] = [
    Statement {
        sid: "DeliverExperimentLogs",
        actions: &["logs:CreateLogDelivery"],
        resources: &["*"],
        conditions: &[],
    },
    Statement {
        sid: "ShareLogGroupWithDelivery",
        actions: &[
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:PutResourcePolicy",
        ],
        resources: &["arn:{partition}:logs:{region}:{account}:log-group:*"],
        conditions: &[],
    },
];

/// The catalog statements of every action the lab uses, each once, in catalog order, then
/// log delivery.
pub fn statements(lab: &Lab) -> Vec<&'static Statement> {
    let mut out: Vec<&'static Statement> = Vec::new();
    for action in crate::catalog::ACTIONS {
        if lab
            .experiments
            .iter()
            .flat_map(|e| e.actions())
            .any(|e| e.action.id == action.id)
        {
            for s in action.iam {
                if !out.iter().any(|o| o.sid == s.sid) {
                    out.push(s);
                }
            }
        }
    }
    if !lab.experiments.is_empty() {
        out.extend(LOG_DELIVERY.iter());
    }
    out
}

/// What FIS needs to write a run's report: the dashboard it snapshots (read, and its widgets
/// rendered as images, an action without resource types) and the reporting experiments' own
/// prefixes of the report bucket. Source: "Experiment report configurations for AWS FIS",
/// permissions (FIS User Guide).
fn report_statements(lab: &Lab) -> Vec<Block> {
    let prefixes: Vec<Expr> = lab
        .experiments
        .iter()
        .filter(|e| e.report.is_some())
        .map(|e| {
            Expr::template(vec![
                interp(REPORTS.attr("arn")),
                lit(format!("/{}*", super::reports::prefix(&e.name))),
            ])
        })
        .collect();
    if prefixes.is_empty() {
        return Vec::new();
    }
    let actions = |names: &[&str]| names.iter().map(|a| Expr::str(*a)).collect();
    vec![
        iam::statement(
            "WriteExperimentReports",
            actions(&["s3:GetObject", "s3:PutObject"]),
            prefixes,
        ),
        iam::statement(
            "ReadLabDashboard",
            actions(&["cloudwatch:GetDashboard"]),
            vec![DASHBOARD.attr("dashboard_arn")],
        ),
        iam::statement(
            "RenderDashboardWidgets",
            actions(&["cloudwatch:GetMetricWidgetImage"]),
            vec![Expr::str("*")],
        ),
    ]
}

/// A catalog resource as ARNs: `{functions}` is one ARN per function carrying the FIS
/// extension (the only ones a Lambda action can target); `{global_tables}` the table and its
/// streams, in every Region, of each table with replicas; anything else one [`arn`].
fn resources(lab: &Lab, pattern: &str) -> Vec<Expr> {
    match pattern {
        "{functions}" => lab
            .fault_injected_functions()
            .map(|f| function_address(&f.name).attr("arn"))
            .collect(),
        "{global_tables}" => lab
            .tables
            .iter()
            .filter(|t| !t.replicas.is_empty())
            .flat_map(|t| {
                let name = Address::resource("aws_dynamodb_table", tf_name(&t.name)).attr("name");
                ["", "/stream/*"].map(|tail| {
                    Expr::template(vec![
                        lit("arn:"),
                        interp(PARTITION.attr("partition")),
                        lit(":dynamodb:*:"),
                        interp(account_id()),
                        lit(":table/"),
                        interp(name.clone()),
                        lit(tail),
                    ])
                })
            })
            .collect(),
        // Automation authorises the start on the document and on its definition, the
        // optional resource type the SAR lists beside it (AWSFaultInjectionSimulatorSSMAccess
        // grants both).
        "{runbooks}" => runbook_steps(lab)
            .filter_map(|step| step.value(&automation::RUNBOOK))
            .flat_map(|name| {
                [
                    format!("arn:{{partition}}:ssm:{{region}}:{{account}}:document/{name}"),
                    format!("arn:{{partition}}:ssm:{{region}}:{{account}}:automation-definition/{name}:*"),
                ]
            })
            .map(|pattern| arn(lab, &pattern))
            .fold(Vec::new(), dedup),
        "{runbook_roles}" => runbook_steps(lab)
            .filter_map(automation::assume_role)
            .map(Expr::str)
            .fold(Vec::new(), dedup),
        _ => vec![arn(lab, pattern)],
    }
}

/// The steps of the lab that start a runbook.
fn runbook_steps(lab: &Lab) -> impl Iterator<Item = &crate::catalog::Step> {
    lab.experiments
        .iter()
        .flat_map(|e| e.actions())
        .filter(|s| s.action.is(&automation::START_AUTOMATION_EXECUTION))
}

fn dedup(mut all: Vec<Expr>, one: Expr) -> Vec<Expr> {
    if !all.contains(&one) {
        all.push(one);
    }
    all
}

/// Fills `{partition}`, `{region}`, `{account}`, `{fis_config}`, `{ecs_cluster}`,
/// `{ecs_cluster_arn}`, `{lab_tag}`, `{name_prefix}`, `{vpc_arn}`, `{asg_arn}` and `{app_role_arn}`
/// in a catalog ARN or
/// condition value.
pub(super) fn arn(lab: &Lab, pattern: &str) -> Expr {
    let mut parts: Vec<Part> = Vec::new();
    let mut pieces = pattern.split('{');
    if let Some(first) = pieces.next().filter(|p| !p.is_empty()) {
        parts.push(lit(first));
    }
    for piece in pieces {
        let Some((name, rest)) = piece.split_once('}') else {
            parts.push(lit(format!("{{{piece}")));
            continue;
        };
        match name {
            "partition" => parts.push(interp(PARTITION.attr("partition"))),
            "region" => parts.push(interp(AWS_REGION.expr())),
            "account" => parts.push(interp(account_id())),
            "fis_config" => parts.push(interp(FIS_CONFIG.attr("arn"))),
            "ecs_cluster" => parts.push(interp(ECS_CLUSTER.attr("name"))),
            "ecs_cluster_arn" => parts.push(interp(ECS_CLUSTER.attr("arn"))),
            "lab_tag" => parts.push(lit(super::terraform::lab_tag(lab))),
            "asg_arn" => parts.push(interp(ASG.attr("arn"))),
            "name_prefix" => parts.push(interp(NAME_PREFIX.expr())),
            "vpc_arn" => parts.push(interp(VPC.attr("arn"))),
            "app_role_arn" => parts.push(interp(APP_ROLE.attr("arn"))),
            _ => parts.push(lit(format!("{{{name}}}"))),
        }
        if !rest.is_empty() {
            parts.push(lit(rest));
        }
    }
    Expr::template(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_placeholders_become_references() {
        let lab = crate::load(
            "t.yaml",
            "lab: t\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  public: [10.0.1.0/24, 10.0.2.0/24]\n  private: [10.0.11.0/24, 10.0.12.0/24]\n",
        )
        .expect("loads");
        let e = arn(&lab, "arn:{partition}:ec2:{region}:{account}:vpc/*");
        let Expr::Template(parts) = e else {
            panic!("not a template")
        };
        assert_eq!(parts.len(), 7);
        assert_eq!(arn(&lab, "*"), Expr::str("*"));
        assert_eq!(arn(&lab, "{lab_tag}"), Expr::str("t"));
    }
}
