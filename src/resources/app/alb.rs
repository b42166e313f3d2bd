//! alb.tf: the internet-facing load balancer, the app target group (health check on
//! `/health`, which calls no dependency) and the HTTP listener.

use crate::base::address::{ALB, LISTENER, TARGET_GROUP, VPC, security_group};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::app::{App, HEALTH_INTERVAL, HEALTH_TIMEOUT, UNHEALTHY_THRESHOLD};
use crate::resources::network::{Tier, subnets};
use crate::resources::tree::{Accepted, Tree, prefixed};

const FILE: &str = "alb.tf";

pub fn build(app: &App, tree: &mut Tree) {
    tree.accept(&PLAIN_HTTP);
    tree.accept(&NO_ACCESS_LOGS);
    tree.add(
        FILE,
        ALB.block()
            .attr("name", prefixed("alb"))
            .attr("load_balancer_type", Expr::str("application"))
            .attr("internal", Expr::Bool(false))
            .attr(
                "security_groups",
                Expr::List(vec![security_group("alb").attr("id")]),
            )
            .attr("subnets", subnets(Tier::Public, "id"))
            .attr("drop_invalid_header_fields", Expr::Bool(true))
            // Lets an operator (or FIS's aws:arc:start-zonal-autoshift) shift traffic away from
            // an impaired zone with ARC; it costs nothing and changes nothing until then.
            .attr("enable_zonal_shift", Expr::Bool(true)),
    );
    tree.add(
        FILE,
        TARGET_GROUP
            .block()
            .attr("name", prefixed("app"))
            .attr("port", Expr::int(i64::from(app.port)))
            .attr("protocol", Expr::str("HTTP"))
            .attr("vpc_id", VPC.attr("id"))
            // Fargate tasks (awsvpc) register by their ENI address, never as instances.
            .attr_opt("target_type", app.fargate().map(|_| Expr::str("ip")))
            .attr("deregistration_delay", Expr::int(30))
            .block(
                Block::new("health_check", &[])
                    .attr("path", Expr::str("/health"))
                    .attr("matcher", Expr::str("200"))
                    .attr("interval", Expr::int(HEALTH_INTERVAL.into()))
                    .attr("timeout", Expr::int(HEALTH_TIMEOUT.into()))
                    .attr("healthy_threshold", Expr::int(2))
                    .attr("unhealthy_threshold", Expr::int(UNHEALTHY_THRESHOLD.into())),
            ),
    );
    tree.add(
        FILE,
        LISTENER
            .block()
            .attr("load_balancer_arn", ALB.attr("arn"))
            .attr("port", Expr::int(80))
            .attr("protocol", Expr::str("HTTP"))
            .block(
                Block::new("default_action", &[])
                    .attr("type", Expr::str("forward"))
                    .attr("target_group_arn", TARGET_GROUP.attr("arn")),
            ),
    );
    tree.output(
        "app_url",
        "URL of the Chaos Shop API.",
        Expr::template(vec![lit("http://"), interp(ALB.attr("dns_name"))]),
    );
}

const PLAIN_HTTP: Accepted = Accepted {
    findings: "CKV_AWS_2, CKV_AWS_103, CKV_AWS_260, CKV_AWS_378, CKV2_AWS_20, CKV2_AWS_28 (plain HTTP from the internet, no TLS, no WAF)",
    reason: "the demo shop is probed over HTTP; it has no domain or certificate and serves no user data",
};

const NO_ACCESS_LOGS: Accepted = Accepted {
    findings: "CKV_AWS_91, CKV_AWS_150 (load balancer access logs, deletion protection)",
    reason: "the load balancer goes with the lab; the probe output is the record of a run",
};
