//! fis.tf: one experiment template per spec experiment, shaped like the article's.
//!
//! Each template always has a stop condition (the provider requires one; the article's
//! printed template has none) and explicit experiment options, so a reviewer sees how empty
//! targets and accounts are handled without looking up the defaults.

use super::hcl::{Block, Expr, interp, lit};
use super::network::subnets;
use super::{Tree, name_tag};
use crate::validate::{Lab, TargetSelection, Tier, tf_name};

const FILE: &str = "fis.tf";

/// Name of the template target for a selection; the app tier keeps the article's name.
fn target_name(selection: &TargetSelection) -> String {
    match selection {
        TargetSelection::Subnets(Tier::Private) => "app-subnets".to_owned(),
        TargetSelection::Subnets(tier) => format!("{}-subnets", tier.name()),
    }
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.experiments.is_empty() {
        return;
    }
    // Every experiment logs its actions and target resolution here (log schema 2).
    tree.add(
        FILE,
        Block::resource("aws_cloudwatch_log_group", "fis")
            .attr(
                "name",
                Expr::template(vec![lit("/aws/fis/"), interp(Expr::r("var.name_prefix"))]),
            )
            .attr("retention_in_days", Expr::int(30)),
    );
    tree.output(
        "fis_log_group",
        "CloudWatch Logs group of the FIS experiment logs.",
        Expr::r("aws_cloudwatch_log_group.fis.name"),
    );
    for e in &lab.experiments {
        let id = tf_name(&e.name);
        let mut action = Block::new("action", &[])
            .attr("name", Expr::str(&e.name))
            .attr("action_id", Expr::str(e.action.id));
        for (key, value) in &e.parameters {
            action = action.block(
                Block::new("parameter", &[])
                    .attr("key", Expr::str(key))
                    .attr("value", Expr::str(value)),
            );
        }
        let mut template = Block::resource("aws_fis_experiment_template", &id)
            .attr("description", Expr::str(&e.description))
            .attr("role_arn", Expr::r("aws_iam_role.fis.arn"));
        if let Some(target) = &e.target {
            let name = target_name(&target.selection);
            action = action.block(
                Block::new("target", &[])
                    .attr("key", Expr::str(target.spec.key))
                    .attr("value", Expr::str(&name)),
            );
            let arns = match target.selection {
                TargetSelection::Subnets(tier) => subnets(tier, "arn"),
            };
            template = template.block(action).block(
                Block::new("target", &[])
                    .attr("name", Expr::str(&name))
                    .attr("resource_type", Expr::str(target.spec.resource_type))
                    .attr("selection_mode", Expr::str(&e.selection_mode))
                    .attr("resource_arns", arns),
            );
        } else {
            template = template.block(action);
        }
        if e.stop_conditions.is_empty() {
            template =
                template.block(Block::new("stop_condition", &[]).attr("source", Expr::str("none")));
        }
        for alarm in &e.stop_conditions {
            template = template.block(
                Block::new("stop_condition", &[])
                    .attr("source", Expr::str("aws:cloudwatch:alarm"))
                    .attr(
                        "value",
                        Expr::r(format!(
                            "aws_cloudwatch_metric_alarm.{}.arn",
                            tf_name(alarm)
                        )),
                    ),
            );
        }
        template = template
            .block(
                Block::new("log_configuration", &[])
                    .attr("log_schema_version", Expr::int(2))
                    .block(Block::new("cloudwatch_logs_configuration", &[]).attr(
                        "log_group_arn",
                        Expr::template(vec![
                            interp(Expr::r("aws_cloudwatch_log_group.fis.arn")),
                            lit(":*"),
                        ]),
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

        let template_id = Expr::r(format!("aws_fis_experiment_template.{id}.id"));
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
                interp(Expr::r("var.aws_region")),
                lit(" --experiment-template-id "),
                interp(template_id),
            ]),
        );
    }
}
