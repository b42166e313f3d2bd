//! Target kind `functions`: one of the lab's Lambda functions, by ARN, whose invocations the
//! AWS FIS Lambda extension faults.
//!
//! Source: "Use the AWS FIS aws:lambda:function actions"
//! (<https://docs.aws.amazon.com/fis/latest/userguide/use-lambda-actions.html>): the actions
//! reach a function only through the extension layer and the S3 location it polls, which
//! `fault_injection` sets up (`model::functions`).

use super::action::{
    Action, DURATION, Param, ParamKind, Statement, TAG_RESOLUTION, optional, required,
};
use super::kinds::{Kind, Problem, TargetSelection, by_arns, duration, no_zone};
use super::rehearsal::Rehearsal;
use super::{LabView, Reach, Step};
use crate::base::hcl::{Expr, Item};
use crate::base::text::code_span;
use crate::resources::functions::function_address;
use crate::resources::{Function, Resources};

pub static FUNCTIONS: Kind = Kind {
    spec_key: "functions",
    fis_key: "Functions",
    resource_type: "aws:lambda:function",
    values: "a function under `functions:`, by name (needs `fault_injection`, on by default)",
    example: "recommendations",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    if res.functions.is_empty() {
        return Err(Problem::NoFunctions);
    }
    let Some(f) = res.functions.iter().find(|f| f.name == value) else {
        return Err(Problem::NoSuchFunction {
            value: value.to_owned(),
            names: res.functions.iter().map(|f| f.name.clone()).collect(),
        });
    };
    if !f.fault_injection {
        return Err(Problem::FunctionWithoutExtension {
            function: value.to_owned(),
        });
    }
    let selection = TargetSelection {
        kind: &FUNCTIONS,
        value: f.name.clone(),
        zone: None,
        name: format!("fn-{}", f.name),
        description: format!("invocations of the {} Lambda function", f.name),
        pick: fis_target(&f.name),
    };
    no_zone(az, selection)
}

/// The function a selection targets, by spec name, if it is one of functions.
pub fn function(sel: &TargetSelection) -> Option<&str> {
    sel.value_of(&FUNCTIONS)
}

/// By the function's unqualified ARN: the lab publishes no versions or aliases, so no
/// `functionQualifier` is needed.
fn fis_target(function: &str) -> Vec<Item> {
    by_arns(Expr::List(vec![function_address(function).attr("arn")]))
}

/// E053: `aws:lambda:invocation-add-delay` holds each faulted invocation for
/// `startupDelayMilliseconds` (default 1000) before the handler starts, inside the function's
/// timeout (billed duration, per the actions reference), so a delay at least as long as the
/// timeout turns every faulted invocation into a timeout. The reference names that as a use
/// (a "high fidelity timeout event"): `acknowledge: [function-timeout]` says it is the point.
pub fn delay_problem(delay: Option<&str>, f: &Function) -> Option<Problem> {
    // A delay FIS refuses (not a number, above 900000 ms) is E041's, not this rule's.
    let delay_ms: u64 = delay
        .map_or(Some(DEFAULT_DELAY_MS), |d| d.parse().ok())
        .filter(|d| *d <= MAX_DELAY_MS)?;
    (delay_ms >= u64::from(f.timeout) * 1000).then(|| Problem::DelayPastTimeout {
        delay_ms,
        default: delay.is_none(),
        function: f.name.clone(),
        timeout: f.timeout,
    })
}

/// The FIS actions reference's maximum for `startupDelayMilliseconds`.
pub(super) const MAX_DELAY_MS: u64 = 900_000;

/// The FIS actions reference's default for `startupDelayMilliseconds`.
pub const DEFAULT_DELAY_MS: u64 = 1000;

/// Where the function answers, in the README's words.
fn endpoint(lab: &LabView, function: &str) -> String {
    match lab.app {
        Some(_) => format!("`/fn/{function}`"),
        None => format!("the {function} function"),
    }
}

fn target_function(e: &Step) -> &str {
    e.selection().and_then(function).unwrap_or("targeted")
}

fn share(e: &Step) -> String {
    format!("{}%", e.value(&INVOCATION_PERCENTAGE).unwrap_or("100"))
}

const UNTOUCHED: &str = "The shop's own endpoints never call the function and keep answering 200.";

pub fn expect_error(lab: &LabView, e: &Step) -> String {
    let f = target_function(e);
    let run = if e.value(&PREVENT_EXECUTION) == Some("true") {
        " without running the handler"
    } else {
        ""
    };
    format!(
        "for {}, {} of the {f} function's invocations fail{run}: {} answers them with a 502 and its `Errors` metric climbs. {UNTOUCHED}",
        duration(e),
        share(e),
        endpoint(lab, f),
    )
}

pub fn expect_delay(lab: &LabView, e: &Step) -> String {
    let f = target_function(e);
    let delay = e
        .value(&STARTUP_DELAY)
        .map_or(DEFAULT_DELAY_MS, |d| d.parse().unwrap_or(DEFAULT_DELAY_MS));
    format!(
        "for {}, {} of the {f} function's invocations start {delay} ms late: {} answers that much slower and its `Duration` metric rises by as much. {UNTOUCHED}",
        duration(e),
        share(e),
        endpoint(lab, f),
    )
}

pub fn expect_http_response(lab: &LabView, e: &Step) -> String {
    let f = target_function(e);
    format!(
        "for {}, {} of the {f} function's invocations return HTTP {} with content type {}: {} answers with that status instead of its recommendations. {UNTOUCHED}",
        duration(e),
        share(e),
        code_span(e.value(&STATUS_CODE).unwrap_or("the given status")),
        code_span(e.value(&CONTENT_TYPE).unwrap_or("the given type")),
        endpoint(lab, f),
    )
}

/// The shop's endpoints are served by the instances, which never invoke the function.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

/// hashicorp/aws 6.22.0 (November 20, 2025) added `Functions` to the target keys
/// `aws_fis_experiment_template` accepts (CHANGELOG, hashicorp/terraform-provider-aws#41209);
/// older releases reject it at plan time.
const LAMBDA_FLOOR: (u32, u32) = (6, 22);

/// What every `aws:lambda:invocation-*` action needs of the FIS role, as "Use the AWS FIS
/// aws:lambda:function actions" lists it: write and delete the fault configuration under the
/// extension's S3 prefix, read the targeted functions (to find their configuration
/// location), and resolve targets. Scoped to the lab's config prefix and functions.
const LAMBDA_IAM: &[Statement] = &[
    Statement {
        sid: "WriteLambdaFaultConfigurations",
        actions: &["s3:DeleteObject", "s3:PutObject"],
        resources: &["{fis_config}/FisConfigs/*"],
        conditions: &[],
    },
    Statement {
        sid: "InspectLambdaFunctions",
        actions: &["lambda:GetFunction"],
        resources: &["{functions}"],
        conditions: &[],
    },
    TAG_RESOLUTION,
];

const FAULTED_FOR: Param = required(
    "duration",
    DURATION,
    "PT3M",
    "How long invocations are faulted.",
);

/// Parameters every Lambda action takes (in the actions reference's order).
pub const INVOCATION_PERCENTAGE: Param = optional(
    "invocationPercentage",
    ParamKind::Int { min: 1, max: 100 },
    "\"100\"",
    "The share of the function's invocations that are faulted, in percent.",
);

pub const PREVENT_EXECUTION: Param = optional(
    "preventExecution",
    ParamKind::Bool,
    "\"false\"",
    "`\"true\"`: faulted invocations return without running the handler.",
);

const fn lambda_action(
    id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    expect: super::Expect,
) -> Action {
    Action {
        id,
        summary,
        target: Some(&FUNCTIONS),
        params,
        iam: LAMBDA_IAM,
        provider_floor: LAMBDA_FLOOR,
        expect,
        reach,
        rehearsal: Rehearsal::Not(super::rehearsal::NOT_LAMBDA),
    }
}

// Source: AWS FIS actions reference, "Lambda actions"
// (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html).
pub const INVOCATION_ERROR: Action = lambda_action(
    "aws:lambda:invocation-error",
    "Makes a share of the targeted function's invocations fail, with or without running the handler (through the FIS Lambda extension).",
    &[FAULTED_FOR, INVOCATION_PERCENTAGE, PREVENT_EXECUTION],
    expect_error,
);

pub const STARTUP_DELAY: Param = optional(
    "startupDelayMilliseconds",
    ParamKind::Int {
        min: 0,
        max: MAX_DELAY_MS,
    },
    "\"1000\"",
    "How long a faulted invocation waits before the handler runs, in milliseconds; it counts against the function's timeout, so it must stay below it.",
);

pub const INVOCATION_ADD_DELAY: Action = lambda_action(
    "aws:lambda:invocation-add-delay",
    "Delays the start of a share of the targeted function's invocations (through the FIS Lambda extension).",
    &[
        required(
            "duration",
            DURATION,
            "PT3M",
            "How long invocations are delayed.",
        ),
        INVOCATION_PERCENTAGE,
        STARTUP_DELAY,
    ],
    expect_delay,
);

pub const STATUS_CODE: Param = required(
    "statusCode",
    ParamKind::Int { min: 0, max: 999 },
    "\"503\"",
    "The HTTP status code of the faulted responses.",
);

pub const CONTENT_TYPE: Param = required(
    "contentTypeHeader",
    ParamKind::MediaType,
    "text/plain",
    "The `Content-Type` of the faulted responses.",
);

pub const INVOCATION_HTTP_INTEGRATION_RESPONSE: Action = lambda_action(
    "aws:lambda:invocation-http-integration-response",
    "Makes a share of the targeted function's invocations return the given HTTP status and content type to the load balancer or API in front of it (through the FIS Lambda extension).",
    &[
        CONTENT_TYPE,
        FAULTED_FOR,
        INVOCATION_PERCENTAGE,
        PREVENT_EXECUTION,
        STATUS_CODE,
    ],
    expect_http_response,
);
