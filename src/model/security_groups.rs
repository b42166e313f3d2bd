//! security_groups.tf: the internet reaches only the load balancer, the load balancer only
//! the app port, the app only the database (directly or through RDS Proxy) and HTTPS (AWS
//! APIs, package installs).

use super::{Tree, name_tag, prefixed};
use crate::base::address::VPC;
use crate::base::hcl::{Block, Expr};
use crate::experiments::Lab;

const FILE: &str = "security_groups.tf";

/// One rule on `sg`, on TCP `port`; the caller adds the peer (CIDR or security group).
pub(super) fn rule(kind: &str, name: &str, sg: &str, description: &str, port: i64) -> Block {
    Block::resource(kind, name)
        .attr(
            "security_group_id",
            Expr::r(format!("aws_security_group.{sg}.id")),
        )
        .attr("description", Expr::str(description))
        .attr("ip_protocol", Expr::str("tcp"))
        .attr("from_port", Expr::int(port))
        .attr("to_port", Expr::int(port))
}

fn from_group(block: Block, sg: &str) -> Block {
    block.attr(
        "referenced_security_group_id",
        Expr::r(format!("aws_security_group.{sg}.id")),
    )
}

pub(super) const INGRESS: &str = "aws_vpc_security_group_ingress_rule";
const EGRESS: &str = "aws_vpc_security_group_egress_rule";

pub fn build(lab: &Lab, tree: &mut Tree) {
    let proxy = lab.aurora.as_ref().is_some_and(|a| a.proxy);
    let mut groups = Vec::new();
    if lab.app.is_some() {
        groups.push(("alb", "Chaos Shop load balancer: HTTP from the internet"));
        groups.push((
            "app",
            "Chaos Shop instances: the app port from the load balancer",
        ));
    }
    if lab.aurora.is_some() {
        groups.push((
            "aurora",
            "Chaos Shop catalog database: PostgreSQL from the app",
        ));
    }
    if proxy {
        groups.push(("rds_proxy", "RDS Proxy in front of the catalog database"));
    }
    for (name, description) in groups {
        tree.add(
            FILE,
            Block::resource("aws_security_group", name)
                .attr("name", prefixed(&name.replace('_', "-")))
                .attr("description", Expr::str(description))
                .attr("vpc_id", VPC.attr("id"))
                .attr("tags", name_tag(&name.replace('_', "-"))),
        );
    }
    // Without the app nothing may reach the database: its group stays closed.
    let (Some(app), true) = (&lab.app, lab.aurora.is_some()) else {
        return;
    };
    let port = i64::from(app.port);
    tree.add(
        FILE,
        rule(INGRESS, "alb_http", "alb", "HTTP from the internet", 80)
            .attr("cidr_ipv4", Expr::str("0.0.0.0/0")),
    );
    tree.add(
        FILE,
        from_group(
            rule(EGRESS, "alb_to_app", "alb", "To the app port", port),
            "app",
        ),
    );
    tree.add(
        FILE,
        from_group(
            rule(
                INGRESS,
                "app_from_alb",
                "app",
                "App port from the load balancer",
                port,
            ),
            "alb",
        ),
    );
    tree.add(
        FILE,
        rule(
            EGRESS,
            "app_https",
            "app",
            "HTTPS to AWS APIs and package repositories",
            443,
        )
        .attr("cidr_ipv4", Expr::str("0.0.0.0/0")),
    );
    if proxy {
        // The app talks to the proxy, and only the proxy to Aurora.
        tree.add(
            FILE,
            from_group(
                rule(
                    EGRESS,
                    "app_to_rds_proxy",
                    "app",
                    "PostgreSQL to RDS Proxy",
                    5432,
                ),
                "rds_proxy",
            ),
        );
        tree.add(
            FILE,
            from_group(
                rule(
                    INGRESS,
                    "rds_proxy_from_app",
                    "rds_proxy",
                    "PostgreSQL from the app",
                    5432,
                ),
                "app",
            ),
        );
        tree.add(
            FILE,
            from_group(
                rule(
                    EGRESS,
                    "rds_proxy_to_aurora",
                    "rds_proxy",
                    "PostgreSQL to Aurora",
                    5432,
                ),
                "aurora",
            ),
        );
        tree.add(
            FILE,
            from_group(
                rule(
                    INGRESS,
                    "aurora_from_rds_proxy",
                    "aurora",
                    "PostgreSQL from RDS Proxy",
                    5432,
                ),
                "rds_proxy",
            ),
        );
    } else {
        tree.add(
            FILE,
            from_group(
                rule(EGRESS, "app_to_aurora", "app", "PostgreSQL to Aurora", 5432),
                "aurora",
            ),
        );
        tree.add(
            FILE,
            from_group(
                rule(
                    INGRESS,
                    "aurora_from_app",
                    "aurora",
                    "PostgreSQL from the app",
                    5432,
                ),
                "app",
            ),
        );
    }
}
