//! Target kind `spot-instances`: the app fleet's running instances when it runs on Spot
//! (`app.spot`), which FIS sends EC2's interruption signals.
//!
//! Source: the FIS actions reference, `aws:ec2:send-spot-instance-interruptions` (target
//! `aws:ec2:spot-instance`, key `SpotInstances`): FIS sends a rebalance recommendation at once,
//! the interruption notice two minutes before the interruption, and interrupts the instances
//! (for the group's one-time requests, terminates them) `durationBeforeInterruption` after the
//! start. By default FIS interrupts at most five Spot Instances an experiment when they are
//! picked by tag.

use super::action::{DESCRIBE_INSTANCES, ParamKind, Statement, required};
use super::kinds::{Kind, Problem, TargetSelection, resolve_on_ec2, zone_suffix, zone_text};
use super::rehearsal::{NOT_THE_FLEET, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::resources::Resources;

pub static SPOT_INSTANCES: Kind = Kind {
    spec_key: "spot-instances",
    fis_key: "SpotInstances",
    resource_type: "aws:ec2:spot-instance",
    values: "`app`: the app fleet's running instances when it runs on Spot (needs `app: {spot: true}`); `az: N` narrows it to the lab's N-th zone",
    example: "app",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    resolve_on_ec2(&SPOT_INSTANCES, value, res, "app instances", || {
        if !res.app.as_ref().is_some_and(|a| a.spot()) {
            return Err(Problem::NotSpot);
        }
        Ok(TargetSelection {
            kind: &SPOT_INSTANCES,
            value: value.to_owned(),
            zone: az,
            name: format!("app-spot-instances{}", zone_suffix(az)),
            description: format!("the running app Spot Instances{}", zone_text(az)),
            pick: super::instances::fis_target(az),
        })
    })
}

pub fn expect_interruption(_: &LabView, e: &Step) -> String {
    format!(
        "the app Spot Instances{} get EC2's rebalance recommendation at once and are terminated {} later, with the two-minute interruption notice before that. The auto-scaling group (Capacity Rebalancing) launches replacements at the recommendation, and the load balancer routes around the interrupted instances, so `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip.",
        zone_text(e.zone()),
        e.value(&BEFORE_INTERRUPTION)
            .unwrap_or("`durationBeforeInterruption`"),
    )
}

/// Interrupted instances leave the fleet: any endpoint they serve can blip.
pub fn reach(_: &Step) -> Reach {
    Reach::Everything
}

pub const BEFORE_INTERRUPTION: super::Param = required(
    "durationBeforeInterruption",
    ParamKind::Duration {
        min_secs: 2 * 60,
        max_secs: 15 * 60,
    },
    "PT5M",
    "How long after the rebalance recommendation the instances are interrupted (the two-minute notice comes two minutes before that).",
);

pub const SEND_SPOT_INSTANCE_INTERRUPTIONS: Action = Action {
    id: "aws:ec2:send-spot-instance-interruptions",
    summary: "Sends the targeted Spot Instances a rebalance recommendation and an interruption notice, then interrupts them.",
    target: Some(&SPOT_INSTANCES),
    params: &[BEFORE_INTERRUPTION],
    iam: &[
        Statement {
            sid: "InterruptLabSpotInstances",
            actions: &["ec2:SendSpotInstanceInterruptions"],
            resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
            conditions: super::action::LAB_RESOURCES,
        },
        DESCRIBE_INSTANCES,
    ],
    provider_floor: super::PROVIDER_BASE,
    expect: expect_interruption,
    reach,
    rehearsal: Rehearsal::Not(NOT_THE_FLEET),
};
