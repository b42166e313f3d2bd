//! `aws:ssm:start-automation-execution`, an action without a target: FIS starts one of the
//! account's Systems Manager Automation runbooks and stops it when the action ends.
//!
//! Source: the FIS actions reference, `aws:ssm:start-automation-execution`: `documentArn`,
//! `documentVersion`, `documentParameters` (a JSON object of strings or lists of strings) and
//! `maxDuration` (one minute to 12 hours); the role needs Get/Start/StopAutomationExecution,
//! and `iam:PassRole` when the runbook assumes a role (`AutomationAssumeRole`). Whether FIS
//! takes AWS-owned runbooks, and as which ARN, the pages read do not say, so chaoslab takes the
//! name of a runbook of the lab's own account, whose names may not begin with `aws`, `amazon`
//! or `amzn` (SSM CreateDocument, `Name`), and builds its ARN; the FIS role may start that
//! runbook only, and pass only the role it names.

use super::action::{DURATION, ParamKind, Statement, optional, required};
use super::rehearsal::Rehearsal;
use super::{Action, LabView, Param, Reach, Step};
use crate::base::text::code_span;

pub const RUNBOOK: Param = required(
    "documentArn",
    ParamKind::Runbook,
    "Chaos-Shop-Drain-Zone",
    "The Automation runbook to start, by its name in the lab's account; chaoslab builds its ARN in the lab's Region.",
);

pub const RUNBOOK_PARAMETERS: Param = optional(
    "documentParameters",
    ParamKind::RunbookParameters,
    "the runbook's defaults",
    "The runbook's parameters, as a JSON object of strings or lists of strings in a string, e.g. `'{\"AutomationAssumeRole\": \"arn:aws:iam::111122223333:role/drain\"}'`; the FIS role may pass the `AutomationAssumeRole` given here to Systems Manager, and no other.",
);

/// The `AutomationAssumeRole` a step hands the runbook, if it names one.
pub fn assume_role(step: &Step) -> Option<String> {
    let text = step.value(&RUNBOOK_PARAMETERS)?;
    let parameters: serde_json::Value = serde_json::from_str(text).ok()?;
    match parameters.get("AutomationAssumeRole")? {
        serde_json::Value::String(role) => Some(role.clone()),
        serde_json::Value::Array(roles) => roles.first()?.as_str().map(str::to_owned),
        _ => None,
    }
}

pub fn expect_automation(_: &LabView, e: &Step) -> String {
    format!(
        "FIS starts the runbook {} and stops it if it still runs after {}; what the shop shows is what the runbook does, which chaoslab cannot see: every endpoint is expected to keep answering 200 unless the experiment's `expect:` names those the runbook may degrade.",
        code_span(e.value(&RUNBOOK).unwrap_or("named")),
        e.value(&MAX_DURATION).unwrap_or("`maxDuration`"),
    )
}

/// A runbook can do anything its role may.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

pub const MAX_DURATION: Param = required(
    "maxDuration",
    DURATION,
    "PT10M",
    "How long the runbook may run before FIS stops it.",
);

pub const START_AUTOMATION_EXECUTION: Action = Action {
    id: "aws:ssm:start-automation-execution",
    summary: "Starts a Systems Manager Automation runbook of the account, and stops it when the action ends.",
    target: None,
    params: &[
        RUNBOOK,
        optional(
            "documentVersion",
            ParamKind::Identifier,
            "the runbook's default version",
            "The runbook version to run, e.g. `\"3\"` or `$LATEST`.",
        ),
        RUNBOOK_PARAMETERS,
        MAX_DURATION,
    ],
    iam: &[
        Statement {
            sid: "StartLabRunbooks",
            actions: &["ssm:StartAutomationExecution"],
            resources: &[
                "{runbooks}",
                "arn:{partition}:ssm:{region}:{account}:automation-execution/*",
            ],
            conditions: &[],
        },
        Statement {
            sid: "FollowAndStopRunbooks",
            actions: &["ssm:GetAutomationExecution", "ssm:StopAutomationExecution"],
            resources: &["arn:{partition}:ssm:{region}:{account}:automation-execution/*"],
            conditions: &[],
        },
        Statement {
            sid: "PassRunbookRoles",
            actions: &["iam:PassRole"],
            resources: &["{runbook_roles}"],
            conditions: &[("StringEquals", "iam:PassedToService", "ssm.amazonaws.com")],
        },
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_automation,
    reach,
    rehearsal: Rehearsal::Not(NOT_RUNBOOKS),
};

/// Why runbooks are not rehearsed.
const NOT_RUNBOOKS: &str =
    "the runbook runs in Systems Manager, which the rehearsal does not stand in for";
