//! fis.tf: one experiment template per spec experiment, shaped like the article's.
//!
//! Each template always has a stop condition (the provider requires one; the article's
//! printed template has none) and explicit experiment options, so a reviewer sees how empty
//! targets and accounts are handled without looking up the defaults.

use super::address::{
    APP_ROLE, ASG, AWS_REGION, AZS, Address, CLUSTER, FIS_LOGS, FIS_ROLE, NAME_PREFIX, PARTITION,
    WRITER,
};
use super::hcl::{Block, Expr, interp, lit};
use super::monitoring;
use super::network::{subnet, subnets};
use super::{Tree, name_tag};
use crate::catalog::{Action, ParamKind};
use crate::validate::{Lab, TargetSelection, tf_name};

const FILE: &str = "fis.tf";

/// The template `target` block for a selection: resources by ARN where Terraform knows them,
/// the app fleet by its auto-scaling group tag (instances come and go). Never both, which FIS
/// forbids.
fn target_block(selection: TargetSelection, resource_type: &str, selection_mode: &str) -> Block {
    let block = Block::new("target", &[])
        .attr("name", Expr::str(selection.name()))
        .attr("resource_type", Expr::str(resource_type))
        .attr("selection_mode", Expr::str(selection_mode));
    let arn = |a: &Address| Expr::List(vec![a.attr("arn")]);
    match selection {
        TargetSelection::Subnets { tier, az: None } => {
            block.attr("resource_arns", subnets(tier, "arn"))
        }
        TargetSelection::Subnets { tier, az: Some(i) } => block.attr(
            "resource_arns",
            Expr::List(vec![subnet(tier).index(i, Some("arn"))]),
        ),
        TargetSelection::AuroraCluster => block.attr("resource_arns", arn(&CLUSTER)),
        TargetSelection::AuroraWriter => block.attr("resource_arns", arn(&WRITER)),
        TargetSelection::AppRole => block.attr("resource_arns", arn(&APP_ROLE)),
        TargetSelection::AppInstances { az } => {
            let filter = |path: &str, values: Expr| {
                Block::new("filter", &[])
                    .attr("path", Expr::str(path))
                    .attr("values", values)
            };
            let mut b = block
                .block(
                    Block::new("resource_tag", &[])
                        .attr("key", Expr::str("aws:autoscaling:groupName"))
                        .attr("value", ASG.attr("name")),
                )
                .block(filter("State.Name", Expr::List(vec![Expr::str("running")])));
            if let Some(i) = az {
                b = b.block(filter(
                    "Placement.AvailabilityZone",
                    Expr::List(vec![AZS.index(i, None)]),
                ));
            }
            b
        }
    }
}

/// A parameter as FIS takes it: SSM documents (kept by name) become the AWS-owned document's
/// ARN in the Region the lab is applied to, the only ones the FIS role may send.
fn parameter_value(action: &Action, key: &str, value: &str) -> Expr {
    let is_document = action
        .params
        .iter()
        .any(|p| p.name == key && p.kind == ParamKind::SsmDocument);
    if !is_document {
        return Expr::str(value);
    }
    Expr::template(vec![
        lit("arn:"),
        interp(PARTITION.attr("partition")),
        lit(":ssm:"),
        interp(AWS_REGION.expr()),
        lit(format!("::document/{value}")),
    ])
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    if lab.experiments.is_empty() {
        return;
    }
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
        let mut action = Block::new("action", &[])
            .attr("name", Expr::str(&e.name))
            .attr("action_id", Expr::str(e.action.id));
        for (key, value) in &e.parameters {
            action = action.block(
                Block::new("parameter", &[])
                    .attr("key", Expr::str(key))
                    .attr("value", parameter_value(e.action, key, value)),
            );
        }
        let mut template = Block::resource("aws_fis_experiment_template", &id)
            .attr("description", Expr::str(&e.description))
            .attr("role_arn", FIS_ROLE.attr("arn"));
        if let Some(target) = &e.target {
            action = action.block(
                Block::new("target", &[])
                    .attr("key", Expr::str(target.spec.key))
                    .attr("value", Expr::str(target.selection.name())),
            );
            template = template.block(action).block(target_block(
                target.selection,
                target.spec.resource_type,
                &e.selection_mode,
            ));
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
                    .attr("value", monitoring::alarm(alarm).attr("arn")),
            );
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
                interp(AWS_REGION.expr()),
                lit(" --experiment-template-id "),
                interp(template_id),
            ]),
        );
    }
}
