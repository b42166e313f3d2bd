//! Target kind `roles`: the app instances' IAM role, whose API calls FIS faults.

use super::action::{DURATION, PROVIDER_BASE, Param, ParamKind, Statement, required};
use super::kinds::{
    Kind, Problem, TargetSelection, TheOne, by_arns, duration, no_zone, resolve_the_one,
};
use super::rehearsal::Rehearsal;
use super::{Action, LabView, Reach, Step};
use crate::base::address::APP_ROLE;
use crate::base::hcl::Expr;
use crate::base::text::code_span;
use crate::resources::Resources;

pub static ROLES: Kind = Kind {
    spec_key: "roles",
    fis_key: "Roles",
    resource_type: "aws:iam:role",
    values: "`app`: the app instances' IAM role, whose calls fail (needs `app:`)",
    example: "app",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    resolve_the_one(&ROLES, value, TheOne::app(res, "app role"), || {
        let selection = TargetSelection {
            kind: &ROLES,
            value: value.to_owned(),
            zone: None,
            name: "app-role".to_owned(),
            description: "calls made with the app instances' role".to_owned(),
            pick: by_arns(Expr::List(vec![APP_ROLE.attr("arn")])),
        };
        no_zone(az, selection)
    })
}

/// `aws:fis:inject-api-*`: the fault is the action id's last words.
pub fn expect_api_fault(_: &LabView, e: &Step) -> String {
    let kind = e
        .action
        .id
        .trim_start_matches("aws:fis:inject-api-")
        .replace('-', " ");
    let service = e.value(&SERVICE).unwrap_or("ec2");
    format!(
        "for {}, {}% of the {} calls made with the app instances' role ({}) fail with an {kind}. The shop makes no {service} calls itself, so its endpoints keep answering 200; the injected errors show in the FIS log.",
        duration(e),
        e.value(&PERCENTAGE).unwrap_or("100"),
        code_span(service),
        code_span(e.value(&OPERATIONS).unwrap_or("all operations")),
    )
}

/// FIS injects API faults only into EC2 and Kinesis calls, and the app makes neither.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

pub const SERVICE: Param = required(
    "service",
    ParamKind::OneOf {
        values: &["ec2", "kinesis"],
        advice: Some(
            "FIS injects API faults only into ec2 and kinesis calls; to make DynamoDB or S3 unreachable, use aws:network:disrupt-connectivity with scope dynamodb or s3",
        ),
    },
    "ec2",
    "The AWS service whose calls fail. FIS faults only `ec2` and `kinesis` calls; to cut DynamoDB or S3 off, use `aws:network:disrupt-connectivity`.",
);

pub const PERCENTAGE: Param = required(
    "percentage",
    ParamKind::Int { min: 1, max: 100 },
    "\"50\"",
    "The share of matching calls that fail, in percent.",
);

pub const OPERATIONS: Param = required(
    "operations",
    ParamKind::Operations,
    "DescribeInstances",
    "The API operations whose calls fail.",
);

/// `aws:fis:inject-api-*`: the parameters FIS accepts, with the article's lesson as advice.
const API_FAULT_PARAMS: &[Param] = &[
    required(
        "duration",
        DURATION,
        "PT3M",
        "How long the faults are injected.",
    ),
    SERVICE,
    PERCENTAGE,
    OPERATIONS,
];

/// `aws:fis:inject-api-*` act on calls made by the targeted roles.
const fn api_fault(id: &'static str, summary: &'static str, iam: &'static [Statement]) -> Action {
    Action {
        id,
        summary,
        target: Some(&ROLES),
        params: API_FAULT_PARAMS,
        iam,
        provider_floor: PROVIDER_BASE,
        expect: expect_api_fault,
        reach,
        rehearsal: Rehearsal::Not(super::rehearsal::NOT_API_FAULTS),
    }
}

/// API fault injection is authorised on the experiment, not on the targeted role.
const fn inject(sid: &'static str, actions: &'static [&'static str]) -> Statement {
    Statement {
        sid,
        actions,
        resources: &["arn:{partition}:fis:{region}:{account}:experiment/*"],
        conditions: &[],
    }
}

pub const INJECT_API_THROTTLE_ERROR: Action = api_fault(
    "aws:fis:inject-api-throttle-error",
    "Makes a share of the targeted role's calls to the named operations fail with throttling errors.",
    &[inject(
        "InjectApiThrottleError",
        &["fis:InjectApiThrottleError"],
    )],
);

pub const INJECT_API_INTERNAL_ERROR: Action = api_fault(
    "aws:fis:inject-api-internal-error",
    "Makes a share of the targeted role's calls to the named operations fail with internal errors (HTTP 500).",
    &[inject(
        "InjectApiInternalError",
        &["fis:InjectApiInternalError"],
    )],
);

pub const INJECT_API_UNAVAILABLE_ERROR: Action = api_fault(
    "aws:fis:inject-api-unavailable-error",
    "Makes a share of the targeted role's calls to the named operations fail as unavailable (HTTP 503).",
    &[inject(
        "InjectApiUnavailableError",
        &["fis:InjectApiUnavailableError"],
    )],
);

/// `aws:ec2:api-insufficient-instance-capacity-error` on the app role: the shop launches no
/// instances with it, so only the FIS log shows the fault.
pub fn expect_capacity(_: &LabView, e: &Step) -> String {
    format!(
        "for {}, {} of the `RunInstances`, `StartInstances`, `CreateFleet` and `CreateCapacityReservation` calls made with the app instances' role in {} fail with `InsufficientInstanceCapacity`. The shop makes none of them, so its endpoints keep answering 200; the fault is for roles that launch instances themselves, and for the auto-scaling group use `aws:ec2:asg-insufficient-instance-capacity-error`.",
        duration(e),
        super::groups::percent_text(e),
        super::groups::zones_text(e),
    )
}

pub const API_INSUFFICIENT_CAPACITY: Action = Action {
    id: "aws:ec2:api-insufficient-instance-capacity-error",
    summary: "Makes a share of the targeted role's instance launches (`RunInstances`, `StartInstances`, `CreateFleet`, `CreateCapacityReservation`) in the named zones fail with insufficient capacity.",
    target: Some(&ROLES),
    params: &[
        super::groups::ZONES,
        super::groups::CAPACITY_DURATION,
        Param {
            required: true,
            example_or_default: "\"100\"",
            ..super::groups::PERCENTAGE
        },
    ],
    iam: &[super::groups::inject_api_error(
        "InjectRoleCapacityErrors",
        &[
            (
                "StringEquals",
                "ec2:FisActionId",
                "aws:ec2:api-insufficient-instance-capacity-error",
            ),
            (
                "ForAllValues:ArnEquals",
                "ec2:FisTargetArns",
                "{app_role_arn}",
            ),
            ("Null", "ec2:FisTargetArns", "false"),
        ],
    )],
    provider_floor: PROVIDER_BASE,
    expect: expect_capacity,
    reach,
    rehearsal: Rehearsal::Not(super::rehearsal::NOT_API_FAULTS),
};
