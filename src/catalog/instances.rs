//! Target kind `instances`: the app fleet's running instances, optionally in one zone.

use super::Reach;
use super::kinds::{
    KindInfo, Problem, TargetSelection, TheOne, duration, resolve_the_one, zone, zone_suffix,
    zone_text,
};
use crate::base::address::{ASG, AZS};
use crate::base::hcl::{Block, Expr};
use crate::base::text::code_span;
use crate::experiments::{Experiment, Lab, TargetContext};

pub const INSTANCES: KindInfo = KindInfo {
    spec_key: "instances",
    fis_key: "Instances",
    resource_type: "aws:ec2:instance",
    values: "`app`: the app fleet's running instances, by their auto-scaling group tag (needs `app:`); `az: N` narrows it to the lab's N-th zone",
    example: "app",
};

pub fn resolve(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
) -> Result<TargetSelection, Problem> {
    if ctx.app_tasks.is_some() {
        return Err((
            crate::base::errors::Code::E043,
            "the app runs as ECS tasks: there are no app instances to target".to_owned(),
            "target `tasks: app` with an aws:ecs:* action, or remove `runtime: ecs` from the app"
                .to_owned(),
        ));
    }
    resolve_the_one(&INSTANCES, value, TheOne::app(ctx, "app instances"), || {
        Ok(TargetSelection::AppInstances { az })
    })
}

pub fn name(az: Option<usize>) -> String {
    format!("app-instances{}", zone_suffix(az))
}

pub fn describe(az: Option<usize>) -> String {
    format!("the running app instances{}", zone_text(az))
}

/// The fleet by its auto-scaling group tag (instances come and go), running ones only; never
/// ARNs as well, which FIS forbids.
pub fn fis_target(block: Block, az: Option<usize>) -> Block {
    let filter = |path: &str, values: Expr| {
        Block::new("filter", &[])
            .attr("path", Expr::str(path))
            .attr("values", values)
    };
    let b = block
        .block(
            Block::new("resource_tag", &[])
                .attr("key", Expr::str("aws:autoscaling:groupName"))
                .attr("value", ASG.attr("name")),
        )
        .block(filter("State.Name", Expr::List(vec![Expr::str("running")])));
    match az {
        Some(i) => b.block(filter(
            "Placement.AvailabilityZone",
            Expr::List(vec![AZS.index(i, None)]),
        )),
        None => b,
    }
}

pub fn expect_stop(lab: &Lab, e: &Experiment) -> String {
    let zone_text = zone_text(zone(e));
    match lab.app {
        Some(_) if e.parameter("startInstancesAfterDuration").is_some() => format!(
            "the app instances{zone_text} stop. The load balancer marks them unhealthy and routes every request to the remaining instances, so `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip. With the group's ReplaceUnhealthy process suspended (below), FIS starts the instances again at the end; otherwise the auto-scaling group replaces them."
        ),
        Some(_) => format!(
            "the app instances{zone_text} stop, and FIS leaves them stopped. The load balancer marks them unhealthy within about 20 s and routes every request to the remaining instances, so `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip. The auto-scaling group then heals the fleet: it terminates the stopped instances and launches replacements, which install the app at boot and join the load balancer a few minutes later (`aws autoscaling describe-scaling-activities`)."
        ),
        None => format!("the targeted instances{zone_text} stop."),
    }
}

pub fn expect_terminate(_: &Lab, e: &Experiment) -> String {
    format!(
        "the app instances{} are terminated. The load balancer routes around them and the auto-scaling group launches replacements, which install the app again at boot (a few minutes); `/products`, the reviews and `/promo` keep answering 200 apart from a brief blip.",
        zone_text(zone(e))
    )
}

pub fn expect_reboot(_: &Lab, e: &Experiment) -> String {
    format!(
        "the app instances{} reboot. The load balancer routes around them until they pass the /health check again, so every endpoint keeps answering 200 apart from a brief blip.",
        zone_text(zone(e))
    )
}

pub fn expect_send_command(_: &Lab, e: &Experiment) -> String {
    let document = e.parameter("documentArn").unwrap_or("AWSFIS-Run-*");
    let what = super::ssm::document(document).map_or("the fault the document injects", |d| d.what);
    format!(
        "the SSM document {} injects {what} on the targeted app instances{} for {}. Watch the probe: every endpoint should keep answering, perhaps slower.",
        code_span(document),
        zone_text(zone(e)),
        duration(e),
    )
}

/// Stopping, rebooting or stressing instances can fail any endpoint they serve.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Everything
}
