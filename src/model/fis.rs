//! fis.tf: one experiment template per spec experiment, shaped like the article's.
//!
//! Each template always has a stop condition (the provider requires one; the article's
//! printed template has none) and explicit experiment options, so a reviewer sees how empty
//! targets and accounts are handled without looking up the defaults.

use super::Accepted;
use super::monitoring;
use super::{Tree, name_tag};
use crate::base::address::{
    AWS_REGION, AZS, Address, DASHBOARD, FIS_LOGS, FIS_ROLE, NAME_PREFIX, PARTITION, REPORTS,
};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::catalog::{Action, ParamKind};
use crate::experiments::{Experiment, Lab, Report, Target, tf_name};

const FILE: &str = "fis.tf";

/// The template `target` block: its kind's module says how the resources are picked.
fn target_block(target: &Target, selection_mode: &str, name: &str) -> Block {
    target.selection.fis_target(
        Block::new("target", &[])
            .attr("name", Expr::str(name))
            .attr("resource_type", Expr::str(target.kind.resource_type))
            .attr("selection_mode", Expr::str(selection_mode)),
    )
}

/// A parameter as FIS takes it. Values that name lab resources by the spec's words become
/// what FIS needs, built from the lab's own resources: SSM documents (kept by name) the
/// AWS-owned document's ARN in the Region the lab is applied to, the only ones the FIS role
/// may send; zone numbers the lab's zone names; alarm names their ARNs.
fn parameter_value(action: &Action, key: &str, value: &str) -> Expr {
    let Some(kind) = action.param(key).map(|p| p.kind) else {
        return Expr::str(value);
    };
    // Items of a comma-separated list, each an interpolation.
    let listed = |items: Vec<Expr>| {
        let mut parts = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                parts.push(lit(","));
            }
            parts.push(interp(item));
        }
        Expr::template(parts)
    };
    match kind {
        ParamKind::SsmDocument => Expr::template(vec![
            lit("arn:"),
            interp(PARTITION.attr("partition")),
            lit(":ssm:"),
            interp(AWS_REGION.expr()),
            lit(format!("::document/{value}")),
        ]),
        ParamKind::Runbook => Expr::template(vec![
            lit("arn:"),
            interp(PARTITION.attr("partition")),
            lit(":ssm:"),
            interp(AWS_REGION.expr()),
            lit(":"),
            interp(crate::resources::tree::account_id()),
            lit(format!(":document/{value}")),
        ]),
        // Checked to be the lab's zones (1-based) when the spec was validated.
        ParamKind::Zones | ParamKind::Zone => listed(
            value
                .split(',')
                .filter_map(|n| n.parse::<usize>().ok())
                .map(|n| AZS.index(n.saturating_sub(1), None))
                .collect(),
        ),
        ParamKind::Alarms => listed(
            value
                .split(',')
                .map(|a| monitoring::alarm(a).attr("arn"))
                .collect(),
        ),
        _ => Expr::str(value),
    }
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.experiments.is_empty() {
        return;
    }
    tree.accept(&RUN_LOGS);
    // Every experiment logs its actions and target resolution here (log schema 2).
    tree.add(
        FILE,
        FIS_LOGS
            .block()
            .attr(
                "name",
                Expr::template(vec![lit("/aws/fis/"), interp(NAME_PREFIX.expr())]),
            )
            .attr("retention_in_days", Expr::int(30)),
    );
    tree.output(
        "fis_log_group",
        "CloudWatch Logs group of the FIS experiment logs.",
        FIS_LOGS.attr("name"),
    );
    for e in &lab.experiments {
        let id = tf_name(&e.name);
        let mut template = template_address(e)
            .block()
            .attr("description", Expr::str(&e.description))
            .attr("role_arn", FIS_ROLE.attr("arn"));
        // Targets by name: actions that pick the same resources the same way share one.
        let mut targets: Vec<(String, Block)> = Vec::new();
        for step in e.actions() {
            let mut action = Block::new("action", &[])
                .attr("name", Expr::str(&step.name))
                .attr("action_id", Expr::str(step.action.id));
            if !step.start_after.is_empty() {
                action = action.attr(
                    "start_after",
                    Expr::List(step.start_after.iter().map(Expr::str).collect()),
                );
            }
            for (key, value) in &step.parameters {
                action = action.block(
                    Block::new("parameter", &[])
                        .attr("key", Expr::str(key))
                        .attr("value", parameter_value(step.action, key, value)),
                );
            }
            if let Some(target) = &step.target {
                let shared = target.selection.name();
                let block = target_block(target, &step.selection_mode, &shared);
                let name = match targets.iter().find(|(n, _)| *n == shared) {
                    Some((_, b)) if *b != block => format!("{shared}-{}", step.name),
                    _ => shared,
                };
                action = action.block(
                    Block::new("target", &[])
                        .attr("key", Expr::str(target.kind.fis_key))
                        .attr("value", Expr::str(&name)),
                );
                if !targets.iter().any(|(n, _)| *n == name) {
                    let block = target_block(target, &step.selection_mode, &name);
                    targets.push((name, block));
                }
            }
            template = template.block(action);
        }
        for (_, block) in targets {
            template = template.block(block);
        }
        if e.stop_conditions.is_empty() {
            template =
                template.block(Block::new("stop_condition", &[]).attr("source", Expr::str("none")));
        }
        for alarm in &e.stop_conditions {
            template = template.block(
                Block::new("stop_condition", &[])
                    .attr("source", Expr::str("aws:cloudwatch:alarm"))
                    .attr("value", monitoring::alarm(alarm).attr("arn")),
            );
        }
        if let Some(report) = &e.report {
            template = template.block(report_configuration(e, report));
        }
        template = template
            .block(
                Block::new("log_configuration", &[])
                    .attr("log_schema_version", Expr::int(2))
                    .block(Block::new("cloudwatch_logs_configuration", &[]).attr(
                        "log_group_arn",
                        Expr::template(vec![interp(FIS_LOGS.attr("arn")), lit(":*")]),
                    )),
            )
            .block(
                Block::new("experiment_options", &[])
                    .attr("account_targeting", Expr::str("single-account"))
                    .attr("empty_target_resolution_mode", Expr::str("fail")),
            )
            .blank()
            .attr("tags", name_tag(&e.name));
        tree.add(FILE, template);

        let template_id = template_address(e).attr("id");
        tree.output(
            &format!("{id}_template_id"),
            &format!("ID of the {} experiment template.", e.name),
            template_id.clone(),
        );
        tree.output(
            &format!("{id}_start_command"),
            &format!("Starts the {} experiment.", e.name),
            Expr::template(vec![
                lit("aws fis start-experiment --region "),
                interp(AWS_REGION.expr()),
                lit(" --experiment-template-id "),
                interp(template_id),
            ]),
        );
    }
}

/// The run's PDF report: the lab dashboard's graphs around the run, written under the
/// experiment's own prefix of the report bucket.
fn report_configuration(e: &Experiment, report: &Report) -> Block {
    Block::new("experiment_report_configuration", &[])
        .attr("pre_experiment_duration", Expr::str(&report.pre))
        .attr("post_experiment_duration", Expr::str(&report.post))
        .block(
            Block::new("data_sources", &[]).block(
                Block::new("cloudwatch_dashboard", &[])
                    .attr("dashboard_arn", DASHBOARD.attr("dashboard_arn")),
            ),
        )
        .block(
            Block::new("outputs", &[]).block(
                Block::new("s3_configuration", &[])
                    .attr("bucket_name", REPORTS.attr("bucket"))
                    .attr("prefix", Expr::str(super::reports::prefix(&e.name))),
            ),
        )
}

const RUN_LOGS: Accepted = Accepted {
    findings: "CKV_AWS_158, CKV_AWS_338 (log group without a customer key, retention under a year)",
    reason: "experiment logs are kept 30 days, long enough to review a run",
};

/// An experiment's template, as other components reference it (a schedule starts it).
pub fn template_address(e: &Experiment) -> Address {
    Address::resource("aws_fis_experiment_template", tf_name(&e.name))
}
