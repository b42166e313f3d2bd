//! Target kind `roles`: the app instances' IAM role, whose API calls FIS faults.

use super::Reach;
use super::kinds::{
    KindInfo, Problem, TargetSelection, TheOne, duration, no_zone, resolve_the_one,
};
use crate::base::address::APP_ROLE;
use crate::base::hcl::{Block, Expr};
use crate::base::text::code_span;
use crate::experiments::{Experiment, Lab, TargetContext};

pub const ROLES: KindInfo = KindInfo {
    spec_key: "roles",
    fis_key: "Roles",
    resource_type: "aws:iam:role",
    values: "`app`: the app instances' IAM role, whose calls fail (needs `app:`)",
    example: "app",
};

pub const TARGET: &str = "app-role";

pub fn resolve(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
) -> Result<TargetSelection, Problem> {
    resolve_the_one(&ROLES, value, TheOne::app(ctx, "app role"), || {
        no_zone(ROLES.spec_key, az, TargetSelection::AppRole)
    })
}

pub fn describe() -> String {
    "calls made with the app instances' role".to_owned()
}

pub fn fis_target(block: Block) -> Block {
    block.attr("resource_arns", Expr::List(vec![APP_ROLE.attr("arn")]))
}

/// `aws:fis:inject-api-*`: the fault is the action id's last words.
pub fn expect_api_fault(_: &Lab, e: &Experiment) -> String {
    let kind = e
        .action
        .id
        .trim_start_matches("aws:fis:inject-api-")
        .replace('-', " ");
    let service = e.parameter("service").unwrap_or("ec2");
    format!(
        "for {}, {}% of the {} calls made with the app instances' role ({}) fail with an {kind}. The shop makes no {service} calls itself, so its endpoints keep answering 200; the injected errors show in the FIS log.",
        duration(e),
        e.parameter("percentage").unwrap_or("100"),
        code_span(service),
        code_span(e.parameter("operations").unwrap_or("all operations")),
    )
}

/// FIS injects API faults only into EC2 and Kinesis calls, and the app makes neither.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Nothing
}
