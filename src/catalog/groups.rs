//! Target kind `auto-scaling-groups`: the app fleet's EC2 Auto Scaling group, whose launches
//! FIS makes fail with insufficient capacity in the named zones; and the capacity-error
//! parameters and permission the API form of the fault (on `roles`) shares.

use super::action::{DURATION, Param, ParamKind, Statement, optional, required};
use super::kinds::{Kind, Problem, TargetSelection, by_arns, duration, no_zone, resolve_on_ec2};
use super::rehearsal::{NOT_THE_FLEET, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::address::ASG;
use crate::base::hcl::Expr;
use crate::base::text::{and_list, code_span};
use crate::resources::Resources;

pub static GROUPS: Kind = Kind {
    spec_key: "auto-scaling-groups",
    fis_key: "AutoScalingGroups",
    resource_type: "aws:ec2:autoscaling-group",
    values: "`app`: the app fleet's auto-scaling group (needs `app:` on EC2); the zones are the action's `availabilityZoneIdentifiers`",
    example: "app",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    resolve_on_ec2(&GROUPS, value, res, "auto-scaling group", || {
        let selection = TargetSelection {
            kind: &GROUPS,
            value: value.to_owned(),
            zone: None,
            name: "app-group".to_owned(),
            description: "the app's auto-scaling group".to_owned(),
            pick: by_arns(Expr::List(vec![ASG.attr("arn")])),
        };
        no_zone(az, selection)
    })
}

/// The zones a capacity fault names, as the README says them: `zone 2`, `zones 1 and 2`.
pub(super) fn zones_text(e: &Step) -> String {
    let numbers: Vec<&str> = e
        .value(&ZONES)
        .map(|v| v.split(',').collect())
        .unwrap_or_default();
    match numbers.len() {
        0 => "the named zones".to_owned(),
        1 => format!("zone {}", and_list(&numbers)),
        _ => format!("zones {}", and_list(&numbers)),
    }
}

/// The share of calls that fail, as the README says it.
pub(super) fn percent_text(e: &Step) -> String {
    format!("{}%", e.value(&PERCENTAGE).unwrap_or("100"))
}

pub fn expect_group(_: &LabView, e: &Step) -> String {
    format!(
        "for {}, {} of the auto-scaling group's instance launches in {} fail with {}. The running instances are not touched, so every endpoint keeps answering 200; what the run shows is the group's scaling activities (`aws autoscaling describe-scaling-activities`): a launch it needs there (after a stop, say) fails and it launches in the other zones instead.",
        duration(e),
        percent_text(e),
        zones_text(e),
        code_span("InsufficientInstanceCapacity"),
    )
}

/// The fault stops new launches only: the running fleet, and so every endpoint, is untouched.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

pub const ZONES: Param = required(
    "availabilityZoneIdentifiers",
    ParamKind::Zones,
    "\"1\"",
    "The zones whose launches fail, by the lab's zone number; chaoslab writes their names.",
);

pub const PERCENTAGE: Param = optional(
    "percentage",
    ParamKind::Int { min: 1, max: 100 },
    "\"100\"",
    "The share of launch requests that fail, in percent.",
);

pub const CAPACITY_DURATION: Param =
    required("duration", DURATION, "PT5M", "How long launches fail.");

/// EC2 answers `ec2:InjectApiError` for a FIS action only if the role holds it for that
/// action, which `ec2:FisActionId` names.
/// Both keys sit in one statement, and `Null` makes the target ARNs present: apart, or
/// with `ForAllValues` over an absent key, either would allow the action on anything.
pub(super) const fn inject_api_error(
    sid: &'static str,
    conditions: &'static [(&'static str, &'static str, &'static str)],
) -> Statement {
    Statement {
        sid,
        actions: &["ec2:InjectApiError"],
        resources: &["*"],
        conditions,
    }
}

pub const ASG_INSUFFICIENT_CAPACITY: Action = Action {
    id: "aws:ec2:asg-insufficient-instance-capacity-error",
    summary: "Makes the targeted auto-scaling groups' instance launches in the named zones fail with insufficient capacity.",
    target: Some(&GROUPS),
    params: &[ZONES, CAPACITY_DURATION, PERCENTAGE],
    iam: &[
        inject_api_error(
            "InjectGroupCapacityErrors",
            &[
                (
                    "StringEquals",
                    "ec2:FisActionId",
                    "aws:ec2:asg-insufficient-instance-capacity-error",
                ),
                ("ForAllValues:ArnEquals", "ec2:FisTargetArns", "{asg_arn}"),
                ("Null", "ec2:FisTargetArns", "false"),
            ],
        ),
        Statement {
            sid: "DescribeAutoScalingGroups",
            actions: &["autoscaling:DescribeAutoScalingGroups"],
            resources: &["*"],
            conditions: &[],
        },
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_group,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};
