//! schedule.tf: an EventBridge Scheduler schedule per experiment with `schedule:`, the role it
//! starts experiments with, and an EventBridge rule that logs every run's outcome.
//!
//! The schedule calls FIS through the universal target `aws-sdk:fis:startExperiment`. Its input
//! is built here only, never from spec text: FIS treats `ClientToken` as an idempotency key, so
//! a fixed token makes every run after the first return the first run's experiment (the
//! recurring schedule that "silently runs only once"). The token is Scheduler's
//! `<aws.scheduler.execution-id>` context attribute, which Scheduler replaces with a new ID on
//! each invocation ("Adding context attributes in EventBridge Scheduler").

use super::fis::template_address;
use super::{Tree, account_id, iam, name_tag, prefixed};
use crate::base::address::{AWS_REGION, Address, NAME_PREFIX, PARTITION};
use crate::base::hcl::{Block, Expr, Part, interp, lit};
use crate::experiments::{Experiment, Lab, tf_name};

const FILE: &str = "schedule.tf";

/// The schedule group the lab's schedules are in (none is named, so Scheduler's own).
const GROUP: &str = "default";

/// The context attribute Scheduler replaces with a new ID on every invocation.
pub const EXECUTION_ID: &str = "<aws.scheduler.execution-id>";

const ROLE: Address = Address::Resource("aws_iam_role", std::borrow::Cow::Borrowed("scheduler"));
const RUNS_LOGS: Address = Address::Resource(
    "aws_cloudwatch_log_group",
    std::borrow::Cow::Borrowed("fis_runs"),
);
const RUNS_RULE: Address = Address::Resource(
    "aws_cloudwatch_event_rule",
    std::borrow::Cow::Borrowed("fis_runs"),
);
const RUNS_POLICY: Address = Address::Resource(
    "aws_cloudwatch_log_resource_policy",
    std::borrow::Cow::Borrowed("fis_runs"),
);

/// `arn:<partition>:<service>:<region>:<account>:<rest...>`.
fn arn(service: &str, rest: Vec<Part>) -> Expr {
    let mut parts = vec![
        lit("arn:"),
        interp(PARTITION.attr("partition")),
        lit(format!(":{service}:")),
        interp(AWS_REGION.expr()),
        lit(":"),
        interp(account_id()),
        lit(":"),
    ];
    parts.extend(rest);
    Expr::template(parts)
}

/// The StartExperiment request a run sends: the template's ID and a token new on each run.
/// Written as a JSON string template rather than `jsonencode`: Terraform's jsonencode writes
/// `<` and `>` as `\u003c`/`\u003e`, and Scheduler substitutes the keyword only as written,
/// so the token would be the same on every run. The id goes in through `jsonencode`, a JSON
/// string whatever it holds.
pub fn start_input(template_id: Expr) -> Expr {
    Expr::template(vec![
        lit("{\"ExperimentTemplateId\":"),
        interp(Expr::call("jsonencode", vec![template_id])),
        lit(format!(",\"ClientToken\":\"{EXECUTION_ID}\"}}")),
    ])
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    let scheduled: Vec<(&Experiment, _)> = lab
        .experiments
        .iter()
        .filter_map(|e| e.schedule.as_ref().map(|s| (e, s)))
        .collect();
    if scheduled.is_empty() {
        return;
    }
    role(tree, &scheduled.iter().map(|(e, _)| *e).collect::<Vec<_>>());
    for (e, s) in &scheduled {
        let id = tf_name(&e.name);
        let schedule = Address::resource("aws_scheduler_schedule", id.clone());
        let state = if s.enabled { "ENABLED" } else { "DISABLED" };
        tree.add(
            FILE,
            schedule
                .block()
                .attr("name", prefixed(&e.name))
                // Named, so the trust policy's source ARN and the schedule agree visibly.
                .attr("group_name", Expr::str(GROUP))
                .attr(
                    "description",
                    Expr::str(format!("Starts the {} experiment.", e.name)),
                )
                .attr("schedule_expression", Expr::str(&s.expression))
                .attr("schedule_expression_timezone", Expr::str(&s.timezone))
                .attr_opt("start_date", s.start.as_ref().map(Expr::str))
                .attr_opt("end_date", s.end.as_ref().map(Expr::str))
                .attr("state", Expr::str(state))
                .block(Block::new("flexible_time_window", &[]).attr("mode", Expr::str("OFF")))
                .block(
                    Block::new("target", &[])
                        .attr(
                            "arn",
                            Expr::template(vec![
                                lit("arn:"),
                                interp(PARTITION.attr("partition")),
                                lit(":scheduler:::aws-sdk:fis:startExperiment"),
                            ]),
                        )
                        .attr("role_arn", ROLE.attr("arn"))
                        .attr("input", start_input(template_address(e).attr("id")))
                        // Each attempt gets its own execution ID, so a retry after a call that
                        // did start an experiment would start a second one at the same time.
                        .block(
                            Block::new("retry_policy", &[])
                                .attr("maximum_retry_attempts", Expr::int(0)),
                        ),
                ),
        );
        tree.output(
            &format!("{id}_schedule"),
            &format!(
                "EventBridge Scheduler schedule that starts the {} experiment.",
                e.name
            ),
            schedule.attr("name"),
        );
    }
    outcomes(tree);
}

/// Assumed by Scheduler; may start the scheduled templates only. No `iam:PassRole`: the
/// template names the role FIS runs with, and StartExperiment passes no role.
fn role(tree: &mut Tree, scheduled: &[&Experiment]) {
    tree.add(
        FILE,
        iam::trust_policy(
            "scheduler_assume",
            "scheduler.amazonaws.com",
            // Confused-deputy guard: only this account's schedules in the lab's Region. The
            // source ARN Scheduler sends is the schedule *group*'s, never the schedule's:
            // "Do not scope the aws:SourceArn statement to a specific schedule or a schedule
            // name prefix. The ARN you specify must be a schedule group." ("Confused deputy
            // prevention in EventBridge Scheduler", read 2026-12-07). A schedule ARN here
            // would let Scheduler assume the role never. The lab's schedules are in `default`.
            vec![
                iam::condition("StringEquals", "aws:SourceAccount", account_id()),
                iam::condition(
                    "ArnEquals",
                    "aws:SourceArn",
                    arn("scheduler", vec![lit(format!("schedule-group/{GROUP}"))]),
                ),
            ],
        ),
    );
    tree.add(
        FILE,
        ROLE.block()
            .attr("name", prefixed("scheduler"))
            .attr(
                "description",
                Expr::str(
                    "Assumed by EventBridge Scheduler to start this lab's scheduled experiments.",
                ),
            )
            .attr(
                "assume_role_policy",
                Expr::r("data.aws_iam_policy_document.scheduler_assume.json"),
            ),
    );
    // StartExperiment authorizes on the template and on the experiment it creates
    // (Service Authorization Reference, AWS FIS: experiment-template* and experiment*).
    let mut resources: Vec<Expr> = scheduled
        .iter()
        .map(|e| {
            arn(
                "fis",
                vec![
                    lit("experiment-template/"),
                    interp(template_address(e).attr("id")),
                ],
            )
        })
        .collect();
    resources.push(arn("fis", vec![lit("experiment/*")]));
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "scheduler").block(iam::statement(
            "StartScheduledExperiments",
            vec![Expr::str("fis:StartExperiment")],
            resources,
        )),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "scheduler")
            .attr("name", Expr::str("start-experiments"))
            .attr("role", ROLE.attr("id"))
            .attr(
                "policy",
                Expr::r("data.aws_iam_policy_document.scheduler.json"),
            ),
    );
}

/// Every FIS state change (started, completed, stopped, failed) into a log group, so a run
/// nobody watched still leaves its outcome. Its scanner findings are the FIS log group's
/// (accepted by `fis`, which every lab with a schedule builds).
fn outcomes(tree: &mut Tree) {
    tree.add(
        FILE,
        RUNS_LOGS
            .block()
            // EventBridge writes only to groups under /aws/events/.
            .attr(
                "name",
                Expr::template(vec![
                    lit("/aws/events/"),
                    interp(NAME_PREFIX.expr()),
                    lit("-fis-runs"),
                ]),
            )
            .attr("retention_in_days", Expr::int(30)),
    );
    tree.add(
        FILE,
        RUNS_RULE
            .block()
            .attr("name", prefixed("fis-runs"))
            .attr(
                "description",
                Expr::str("Every FIS experiment state change, into the runs log group."),
            )
            .attr(
                "event_pattern",
                Expr::call(
                    "jsonencode",
                    vec![Expr::map([
                        ("source", Expr::List(vec![Expr::str("aws.fis")])),
                        (
                            "detail-type",
                            Expr::List(vec![Expr::str("FIS Experiment State Change")]),
                        ),
                    ])],
                ),
            )
            .attr("tags", name_tag("fis-runs")),
    );
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "fis_runs_logs").block(
            Block::new("statement", &[])
                .attr(
                    "actions",
                    Expr::List(vec![
                        Expr::str("logs:CreateLogStream"),
                        Expr::str("logs:PutLogEvents"),
                    ]),
                )
                .attr(
                    "resources",
                    Expr::List(vec![Expr::template(vec![
                        interp(RUNS_LOGS.attr("arn")),
                        lit(":*"),
                    ])]),
                )
                .block(
                    Block::new("principals", &[])
                        .attr("type", Expr::str("Service"))
                        .attr(
                            "identifiers",
                            Expr::List(vec![
                                Expr::str("events.amazonaws.com"),
                                Expr::str("delivery.logs.amazonaws.com"),
                            ]),
                        ),
                )
                .block(iam::condition(
                    "ArnEquals",
                    "aws:SourceArn",
                    RUNS_RULE.attr("arn"),
                )),
        ),
    );
    tree.add(
        FILE,
        RUNS_POLICY
            .block()
            .attr("policy_name", prefixed("fis-runs"))
            .attr(
                "policy_document",
                Expr::r("data.aws_iam_policy_document.fis_runs_logs.json"),
            ),
    );
    tree.add(
        FILE,
        Block::resource("aws_cloudwatch_event_target", "fis_runs")
            .attr("rule", RUNS_RULE.attr("name"))
            .attr("arn", RUNS_LOGS.attr("arn"))
            .attr("depends_on", Expr::List(vec![RUNS_POLICY.expr()])),
    );
    tree.output(
        "fis_runs_log_group",
        "CloudWatch Logs group with every FIS experiment state change (scheduled runs' outcomes).",
        RUNS_LOGS.attr("name"),
    );
}
