//! security_groups.tf: the internet reaches only the load balancer, the load balancer only
//! the app port, the app only Aurora and HTTPS (AWS APIs, package installs).

use super::hcl::{Block, Expr};
use super::{Tree, name_tag, prefixed};
use crate::validate::Lab;

const FILE: &str = "security_groups.tf";

pub fn build(lab: &Lab, tree: &mut Tree) {
    let Some(app) = &lab.app else { return };
    let port = i64::from(app.port);
    for (name, description) in [
        ("alb", "Chaos Shop load balancer: HTTP from the internet"),
        (
            "app",
            "Chaos Shop instances: the app port from the load balancer",
        ),
        (
            "aurora",
            "Chaos Shop catalog database: PostgreSQL from the app",
        ),
    ] {
        tree.add(
            FILE,
            Block::resource("aws_security_group", name)
                .attr("name", prefixed(name))
                .attr("description", Expr::str(description))
                .attr("vpc_id", Expr::r("aws_vpc.main.id"))
                .attr("tags", name_tag(name)),
        );
    }
    let rule = |kind: &str, name: &str, sg: &str, description: &str, port: i64| {
        Block::resource(kind, name)
            .attr(
                "security_group_id",
                Expr::r(format!("aws_security_group.{sg}.id")),
            )
            .attr("description", Expr::str(description))
            .attr("ip_protocol", Expr::str("tcp"))
            .attr("from_port", Expr::int(port))
            .attr("to_port", Expr::int(port))
    };
    let ingress = "aws_vpc_security_group_ingress_rule";
    let egress = "aws_vpc_security_group_egress_rule";
    tree.add(
        FILE,
        rule(ingress, "alb_http", "alb", "HTTP from the internet", 80)
            .attr("cidr_ipv4", Expr::str("0.0.0.0/0")),
    );
    tree.add(
        FILE,
        rule(egress, "alb_to_app", "alb", "To the app port", port).attr(
            "referenced_security_group_id",
            Expr::r("aws_security_group.app.id"),
        ),
    );
    tree.add(
        FILE,
        rule(
            ingress,
            "app_from_alb",
            "app",
            "App port from the load balancer",
            port,
        )
        .attr(
            "referenced_security_group_id",
            Expr::r("aws_security_group.alb.id"),
        ),
    );
    tree.add(
        FILE,
        rule(
            egress,
            "app_https",
            "app",
            "HTTPS to AWS APIs and package repositories",
            443,
        )
        .attr("cidr_ipv4", Expr::str("0.0.0.0/0")),
    );
    tree.add(
        FILE,
        rule(egress, "app_to_aurora", "app", "PostgreSQL to Aurora", 5432).attr(
            "referenced_security_group_id",
            Expr::r("aws_security_group.aurora.id"),
        ),
    );
    tree.add(
        FILE,
        rule(
            ingress,
            "aurora_from_app",
            "aurora",
            "PostgreSQL from the app",
            5432,
        )
        .attr(
            "referenced_security_group_id",
            Expr::r("aws_security_group.app.id"),
        ),
    );
}
