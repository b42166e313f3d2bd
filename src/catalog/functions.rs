//! Target kind `functions`: one of the lab's Lambda functions, by ARN, whose invocations the
//! AWS FIS Lambda extension faults.
//!
//! Source: "Use the AWS FIS aws:lambda:function actions"
//! (https://docs.aws.amazon.com/fis/latest/userguide/use-lambda-actions.html): the actions
//! reach a function only through the extension layer and the S3 location it polls, which
//! `fault_injection` sets up (`model::functions`).

use super::Reach;
use super::kinds::{KindInfo, Problem, TargetSelection, duration, no_zone};
use crate::base::errors::Code;
use crate::base::hcl::{Block, Expr};
use crate::base::text::code_span;
use crate::experiments::{Experiment, Function, Lab, TargetContext};
use crate::resources::functions::function_address;

pub const FUNCTIONS: KindInfo = KindInfo {
    spec_key: "functions",
    fis_key: "Functions",
    resource_type: "aws:lambda:function",
    values: "a function under `functions:`, by name (needs `fault_injection`, on by default)",
    example: "recommendations",
};

pub fn resolve(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
) -> Result<TargetSelection, Problem> {
    if ctx.functions.is_empty() {
        return Err((
            Code::E043,
            "the spec has no Lambda functions to target".to_owned(),
            "add `functions:` to the spec".to_owned(),
        ));
    }
    let Some(f) = ctx.functions.iter().find(|f| f.name == value) else {
        let names: Vec<&str> = ctx.functions.iter().map(|f| f.name.as_str()).collect();
        let help = crate::experiments::did_you_mean(value, &names, || {
            format!("`functions` targets take one of: {}", names.join(", "))
        });
        return Err((
            Code::E043,
            format!("there is no function `{value}` to target"),
            help,
        ));
    };
    if !f.fault_injection {
        return Err((
            Code::E052,
            format!(
                "function `{value}` has `fault_injection: false`: without the AWS FIS Lambda extension, FIS cannot reach its invocations"
            ),
            format!(
                "remove `fault_injection: false` from functions.{value}, or target another function"
            ),
        ));
    }
    no_zone(
        FUNCTIONS.spec_key,
        az,
        TargetSelection::Function(f.name.clone()),
    )
}

pub fn name(function: &str) -> String {
    format!("fn-{function}")
}

pub fn describe(function: &str) -> String {
    format!("invocations of the {function} Lambda function")
}

/// By the function's unqualified ARN: the lab publishes no versions or aliases, so no
/// `functionQualifier` is needed.
pub fn fis_target(block: Block, function: &str) -> Block {
    block.attr(
        "resource_arns",
        Expr::List(vec![function_address(function).attr("arn")]),
    )
}

/// E053: `aws:lambda:invocation-add-delay` holds each faulted invocation for
/// `startupDelayMilliseconds` (default 1000) before the handler starts, inside the function's
/// timeout (billed duration, per the actions reference), so a delay at least as long as the
/// timeout turns every faulted invocation into a timeout. The reference names that as a use
/// (a "high fidelity timeout event"): `acknowledge: [function-timeout]` says it is the point.
pub fn delay_problem(delay: Option<&str>, f: &Function) -> Option<(String, String)> {
    // A delay FIS refuses (not a number, above 900000 ms) is E041's, not this rule's.
    let delay_ms: u64 = delay
        .map_or(Some(DEFAULT_DELAY_MS), |d| d.parse().ok())
        .filter(|d| *d <= MAX_DELAY_MS)?;
    let timeout_ms = u64::from(f.timeout) * 1000;
    (delay_ms >= timeout_ms).then(|| {
        let given = if delay.is_some() { "" } else { " (the default)" };
        let needed = delay_ms / 1000 + 1;
        let raise = if needed <= u64::from(crate::resources::functions::MAX_TIMEOUT) {
            format!(", or raise functions.{}.timeout to at least {needed} s", f.name)
        } else {
            String::new()
        };
        (
            format!(
                "startupDelayMilliseconds {delay_ms} ms{given} is not below the function's timeout {} s = {timeout_ms} ms: every delayed invocation would time out",
                f.timeout
            ),
            format!(
                "set startupDelayMilliseconds below {timeout_ms}{raise}; if timeouts are the point, add `acknowledge: [function-timeout]`"
            ),
        )
    })
}

/// The FIS actions reference's maximum for `startupDelayMilliseconds`.
pub(super) const MAX_DELAY_MS: u64 = 900_000;

/// The FIS actions reference's default for `startupDelayMilliseconds`.
pub const DEFAULT_DELAY_MS: u64 = 1000;

/// Where the function answers, in the README's words.
fn endpoint(lab: &Lab, function: &str) -> String {
    match lab.app {
        Some(_) => format!("`/fn/{function}`"),
        None => format!("the {function} function"),
    }
}

fn target_function(e: &Experiment) -> &str {
    match e.target.as_ref().map(|t| &t.selection) {
        Some(TargetSelection::Function(name)) => name,
        _ => "targeted",
    }
}

fn share(e: &Experiment) -> String {
    format!("{}%", e.parameter("invocationPercentage").unwrap_or("100"))
}

const UNTOUCHED: &str = "The shop's own endpoints never call the function and keep answering 200.";

pub fn expect_error(lab: &Lab, e: &Experiment) -> String {
    let f = target_function(e);
    let run = if e.parameter("preventExecution") == Some("true") {
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

pub fn expect_delay(lab: &Lab, e: &Experiment) -> String {
    let f = target_function(e);
    let delay = e
        .parameter("startupDelayMilliseconds")
        .map_or(DEFAULT_DELAY_MS, |d| d.parse().unwrap_or(DEFAULT_DELAY_MS));
    format!(
        "for {}, {} of the {f} function's invocations start {delay} ms late: {} answers that much slower and its `Duration` metric rises by as much. {UNTOUCHED}",
        duration(e),
        share(e),
        endpoint(lab, f),
    )
}

pub fn expect_http_response(lab: &Lab, e: &Experiment) -> String {
    let f = target_function(e);
    format!(
        "for {}, {} of the {f} function's invocations return HTTP {} with content type {}: {} answers with that status instead of its recommendations. {UNTOUCHED}",
        duration(e),
        share(e),
        code_span(e.parameter("statusCode").unwrap_or("the given status")),
        code_span(e.parameter("contentTypeHeader").unwrap_or("the given type")),
        endpoint(lab, f),
    )
}

/// The shop's endpoints are served by the instances, which never invoke the function.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Nothing
}
