//! `aws:cloudwatch:assert-alarm-state`, an action without a target: it checks that the lab's
//! alarms are in the expected states, so a later step runs only on a healthy (or a harmed)
//! lab.
//!
//! Source: the FIS actions reference, `aws:cloudwatch:assert-alarm-state`: at most five alarm
//! ARNs, comma-separated, and one or more of `OK`, `ALARM`, `INSUFFICIENT_DATA`; the role needs
//! `cloudwatch:DescribeAlarms`, which the Service Authorization Reference authorises on alarm
//! ARNs, so the grant names the lab's own.

use super::action::{Param, ParamKind, Statement, required};
use super::rehearsal::Rehearsal;
use super::{Action, LabView, Reach, Step};
use crate::base::text::code_span;

pub const ALARMS: Param = required(
    "alarmArns",
    ParamKind::Alarms,
    "error-rate",
    "The alarms to check, by their names in the lab (at most five, comma-separated); chaoslab writes their ARNs.",
);

pub const STATES: Param = required(
    "alarmStates",
    ParamKind::AnyOf {
        values: &["OK", "ALARM", "INSUFFICIENT_DATA"],
    },
    "OK",
    "The states each alarm may be in, comma-separated.",
);

pub fn expect_assert(_: &LabView, e: &Step) -> String {
    format!(
        "FIS reads the alarms {} and goes on only if each is in {}; nothing is injected, so every endpoint keeps answering 200.",
        code_span(e.value(&ALARMS).unwrap_or("named")),
        code_span(e.value(&STATES).unwrap_or("the named states")),
    )
}

/// Reading alarms injects nothing.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

pub const ASSERT_ALARM_STATE: Action = Action {
    id: "aws:cloudwatch:assert-alarm-state",
    summary: "Checks that the named CloudWatch alarms are in one of the given states, injecting nothing: a gate before (or after) a fault.",
    target: None,
    params: &[ALARMS, STATES],
    iam: &[Statement {
        sid: "ReadLabAlarms",
        actions: &["cloudwatch:DescribeAlarms"],
        resources: &["arn:{partition}:cloudwatch:{region}:{account}:alarm:{name_prefix}-*"],
        conditions: &[],
    }],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_assert,
    reach,
    rehearsal: Rehearsal::Not(NOT_ALARMS),
};

/// Why the alarm check is not rehearsed.
const NOT_ALARMS: &str =
    "the lab's alarms watch its load balancer, which the rehearsal does not run";
