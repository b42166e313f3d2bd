//! Target kinds `tasks`: the app service's running Fargate tasks (`app.runtime: ecs`).
//!
//! Two kinds share the spec key, because the actions ask different things of the tasks:
//! `aws:ecs:stop-task` acts through the ECS API on any task ([`TASKS`]), while every
//! `aws:ecs:task-*` action runs an SSM document inside the task, which reaches only tasks
//! that carry the SSM agent sidecar ([`AGENT_TASKS`], `app.fault_injection`). Sources: the
//! FIS actions reference, "Amazon ECS actions", and "Use the AWS FIS aws:ecs:task actions".

use super::Reach;
use super::kinds::{KindInfo, Problem, TargetSelection, duration, no_zone};
use crate::base::address::{ECS_CLUSTER, ECS_SERVICE};
use crate::base::errors::Code;
use crate::base::hcl::{Block, Expr};
use crate::base::text::code_span;
use crate::experiments::{Experiment, Lab, TargetContext};

const VALUES: &str = "`app`: the app service's running tasks (needs `app.runtime: ecs`)";

pub const TASKS: KindInfo = KindInfo {
    spec_key: "tasks",
    fis_key: "Tasks",
    resource_type: "aws:ecs:task",
    values: VALUES,
    example: "app",
};

pub const AGENT_TASKS: KindInfo = KindInfo {
    values: "`app`: the app service's running tasks (needs `app.runtime: ecs` with `fault_injection`, on by default)",
    ..TASKS
};

pub const TARGET: &str = "app-tasks";

pub fn resolve(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
    needs_agent: bool,
) -> Result<TargetSelection, Problem> {
    let Some(fault_injection) = ctx.app_tasks else {
        return Err(if ctx.app {
            (
                Code::E043,
                "the app runs on EC2 instances: there are no ECS tasks to target".to_owned(),
                "add `runtime: ecs` to the app, or use an aws:ec2:* action on `instances: app`"
                    .to_owned(),
            )
        } else {
            (
                Code::E043,
                "the spec has no app tasks to target".to_owned(),
                "add `app: {runtime: ecs}` to the spec".to_owned(),
            )
        });
    };
    if value != "app" {
        let help = crate::experiments::did_you_mean(value, &["app"], || {
            "`tasks` targets take `app`".to_owned()
        });
        return Err((
            Code::E043,
            format!("there is no `{value}` to target with `tasks`"),
            help,
        ));
    }
    if needs_agent && !fault_injection {
        return Err((
            Code::E052,
            "the app has `fault_injection: false`: without the SSM agent sidecar, FIS cannot run its fault documents inside the tasks".to_owned(),
            "remove `fault_injection: false` from the app, or use aws:ecs:stop-task, which needs no sidecar".to_owned(),
        ));
    }
    no_zone(TASKS.spec_key, az, TargetSelection::AppTasks)
}

pub fn describe() -> String {
    "the app service's running tasks".to_owned()
}

/// By the cluster and service target parameters FIS offers for `aws:ecs:task`: the tasks
/// come and go, so never their ARNs.
pub fn fis_target(block: Block) -> Block {
    block.attr(
        "parameters",
        Expr::map([
            ("cluster", ECS_CLUSTER.attr("name")),
            ("service", ECS_SERVICE.attr("name")),
        ]),
    )
}

/// Task faults fail or slow whatever the tasks serve.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Everything
}

fn tasks_text(e: &Experiment) -> &'static str {
    match e.target.as_ref().map(|_| e.selection_mode.as_str()) {
        Some("ALL") | None => "every app task",
        Some(_) => "the selected app tasks",
    }
}

pub fn expect_stop(_: &Lab, e: &Experiment) -> String {
    format!(
        "ECS stops {}. The load balancer drains them and routes every request to the tasks still running; with every task gone the shop answers 503 from the load balancer until the service has started replacements, which install the app and pass the /health check a minute or two later. Watch `aws ecs describe-services` for the service's events.",
        tasks_text(e)
    )
}

pub fn expect_cpu_stress(_: &Lab, e: &Experiment) -> String {
    format!(
        "{} runs at the given CPU load for {}. The endpoints keep answering, slower; if the load balancer's health checks time out, it routes around the busiest tasks.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_io_stress(_: &Lab, e: &Experiment) -> String {
    format!(
        "{} does heavy disk I/O for {}. The app keeps nothing on disk once started, so every endpoint should keep answering.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_kill(_: &Lab, e: &Experiment) -> String {
    let process = e.parameter("processName").unwrap_or("the process");
    format!(
        "FIS kills {} in {}. Killing the app's Gunicorn master stops the essential container, so ECS replaces the task and the load balancer routes around it meanwhile.",
        code_span(process),
        tasks_text(e)
    )
}

pub fn expect_blackhole(_: &Lab, e: &Experiment) -> String {
    let port = e.parameter("port").unwrap_or("the port");
    let traffic = e.parameter("trafficType").unwrap_or("the");
    format!(
        "{} drops {traffic} traffic on port {port} for {}. Blackholing the app port inbound fails the health checks and the load balancer takes the tasks out; outbound port 443 cuts every AWS dependency, which the app's guard turns into fast 503s.",
        capital(tasks_text(e)),
        duration(e)
    )
}

pub fn expect_latency(_: &Lab, e: &Experiment) -> String {
    let delay = e.parameter("delayMilliseconds").unwrap_or("200");
    format!(
        "{} adds {delay} ms to {} for {}. A delay beyond the app's timeouts turns the calls it slows into fast 503s on their own endpoints; a shorter one only slows them.",
        capital(tasks_text(e)),
        sources_text(e),
        duration(e)
    )
}

pub fn expect_packet_loss(_: &Lab, e: &Experiment) -> String {
    let loss = e.parameter("lossPercent").unwrap_or("7");
    format!(
        "{} loses {loss}% of the packets to {} for {}. TCP retransmits: calls get slower and some hit the app's timeouts, each failing as a fast 503 on its own endpoint.",
        capital(tasks_text(e)),
        sources_text(e),
        duration(e)
    )
}

/// What a network fault's `sources` limits it to, in the README's words.
fn sources_text(e: &Experiment) -> String {
    match e.parameter("sources") {
        Some(s) => format!("traffic to {}", code_span(s)),
        None => "all their traffic".to_owned(),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
