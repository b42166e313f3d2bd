//! network.tf: VPC, internet gateway, public and private subnets across AZs, NAT, routes and
//! optional gateway endpoints.
//!
//! Subnets use `count`, so experiments can target `aws_subnet.private[*].arn` as the article
//! does; CIDRs and AZs live in locals so a reviewer sees them in one place.

use super::{
    Nat, Network, PUBLIC_IPV4, PUBLIC_IPV4_HOUR, PUBLIC_IPV4_NOTE, Tier, interface_endpoint,
    subnet, subnets,
};
use crate::base::address::{
    AWS_REGION, AZS, AZS_AVAILABLE, Address, IGW, NAME_PREFIX, PRIVATE_NAT_ROUTE, PUBLIC_ROUTES,
    VPC, security_group,
};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{CostLine, Direction, Peer, Rule, Slots};
use crate::resources::tree::{Accepted, Tree, name_tag, prefixed};

const FILE: &str = "network.tf";

/// us-east-1 on-demand list price (Amazon VPC pricing page, checked December 2026).
const NAT_HOUR: f64 = 0.045;

/// The NAT gateways and their public addresses in the cost table.
pub fn contribute(n: &Network, slots: &mut Slots) {
    let nat = match n.nat {
        Nat::None => 0.0,
        Nat::Single => 1.0,
        Nat::PerAz => n.azs as f64,
    };
    slots.costs.push(CostLine {
        component: "NAT gateway".to_owned(),
        count: nat,
        unit_hour: Some(NAT_HOUR),
        note: "plus $0.045 per GB it processes",
    });
    slots.costs.push(CostLine {
        component: PUBLIC_IPV4.to_owned(),
        count: nat,
        unit_hour: Some(PUBLIC_IPV4_HOUR),
        note: PUBLIC_IPV4_NOTE,
    });
}

pub fn build(n: &Network, tree: &mut Tree) {
    tree.accept(&NO_FLOW_LOGS);
    tree.accept(&ZONES_BY_NAME);
    let cidrs = |list: &[String]| Expr::List(list.iter().map(Expr::str).collect());
    tree.add(
        FILE,
        Block::new("locals", &[])
            .attr(
                "azs",
                Expr::call(
                    "slice",
                    vec![
                        AZS_AVAILABLE.attr("names"),
                        Expr::int(0),
                        Expr::int(n.azs as i64),
                    ],
                ),
            )
            .attr("public_subnet_cidrs", cidrs(&n.public))
            .attr("private_subnet_cidrs", cidrs(&n.private)),
    );
    tree.add(
        FILE,
        VPC.block()
            .attr("cidr_block", Expr::str(&n.cidr))
            .attr("enable_dns_hostnames", Expr::Bool(true))
            .attr("enable_dns_support", Expr::Bool(true))
            .attr("tags", name_tag("vpc")),
    );
    // No rules: nothing may use the default security group by accident.
    tree.add(
        FILE,
        Block::resource("aws_default_security_group", "main")
            .attr("vpc_id", VPC.attr("id"))
            .attr("tags", name_tag("default-deny")),
    );
    tree.add(
        FILE,
        IGW.block()
            .attr("vpc_id", VPC.attr("id"))
            .attr("tags", name_tag("igw")),
    );
    for tier in [Tier::Public, Tier::Private] {
        let t = tier.name();
        tree.add(
            FILE,
            subnet(tier)
                .block()
                .attr(
                    "count",
                    Expr::call("length", vec![Expr::r(format!("local.{t}_subnet_cidrs"))]),
                )
                .blank()
                .attr("vpc_id", VPC.attr("id"))
                .attr(
                    "cidr_block",
                    Expr::r(format!("local.{t}_subnet_cidrs[count.index]")),
                )
                .attr("availability_zone", AZS.index("count.index", None))
                .attr(
                    "tags",
                    Expr::map([("Name", zone_name(t)), ("Tier", Expr::str(t))]),
                ),
        );
    }

    // Public route table: default route to the internet gateway.
    tree.add(
        FILE,
        PUBLIC_ROUTES
            .block()
            .attr("vpc_id", VPC.attr("id"))
            .attr("tags", name_tag("public")),
    );
    tree.add(
        FILE,
        Block::resource("aws_route", "public_internet")
            .attr("route_table_id", PUBLIC_ROUTES.attr("id"))
            .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
            .attr("gateway_id", IGW.attr("id")),
    );
    tree.add(FILE, association(Tier::Public, PUBLIC_ROUTES.attr("id")));

    // Private route tables: one shared, or one per AZ when each AZ has its own NAT gateway.
    let per_az = n.nat == Nat::PerAz;
    let count = || Expr::call("length", vec![AZS.expr()]);
    let with_count = |b: Block| {
        if per_az {
            b.attr("count", count()).blank()
        } else {
            b
        }
    };
    let idx = if per_az { "[count.index]" } else { "" };
    // One `Name` per zone when each zone has its own gateway and route table.
    let name = |suffix: &str| {
        if per_az {
            Expr::map([("Name", zone_name(suffix))])
        } else {
            name_tag(suffix)
        }
    };
    if n.nat != Nat::None {
        tree.add(
            FILE,
            with_count(Block::resource("aws_eip", "nat"))
                .attr("domain", Expr::str("vpc"))
                .attr("tags", name("nat")),
        );
        tree.add(
            FILE,
            with_count(Block::resource("aws_nat_gateway", "main"))
                .attr("allocation_id", Expr::r(format!("aws_eip.nat{idx}.id")))
                .attr(
                    "subnet_id",
                    Expr::r(if per_az {
                        "aws_subnet.public[count.index].id"
                    } else {
                        "aws_subnet.public[0].id"
                    }),
                )
                .attr("tags", name("nat"))
                .blank()
                .attr("depends_on", Expr::List(vec![IGW.expr()])),
        );
    }
    tree.add(
        FILE,
        with_count(Block::resource("aws_route_table", "private"))
            .attr("vpc_id", VPC.attr("id"))
            .attr("tags", name("private")),
    );
    if n.nat != Nat::None {
        tree.add(
            FILE,
            with_count(PRIVATE_NAT_ROUTE.block())
                .attr(
                    "route_table_id",
                    Expr::r(format!("aws_route_table.private{idx}.id")),
                )
                .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
                .attr(
                    "nat_gateway_id",
                    Expr::r(format!("aws_nat_gateway.main{idx}.id")),
                ),
        );
    }
    let private_rt = if per_az {
        "aws_route_table.private[count.index].id"
    } else {
        "aws_route_table.private.id"
    };
    tree.add(FILE, association(Tier::Private, Expr::r(private_rt)));

    for service in &n.gateway_endpoints {
        let tables = if per_az {
            Expr::r("aws_route_table.private[*].id")
        } else {
            Expr::List(vec![Expr::r("aws_route_table.private.id")])
        };
        tree.add(
            FILE,
            endpoint(
                Address::resource("aws_vpc_endpoint", service),
                service,
                "Gateway",
            )
            .attr("route_table_ids", tables)
            .attr("tags", Expr::map([("Name", prefixed(service))])),
        );
    }

    if !n.interface_endpoints.is_empty() {
        tree.add(
            FILE,
            Block::resource("aws_security_group", "endpoints")
                .attr("name", prefixed("endpoints"))
                .attr(
                    "description",
                    Expr::str("Interface endpoints: HTTPS from inside the VPC"),
                )
                .attr("vpc_id", VPC.attr("id"))
                .attr("tags", name_tag("endpoints")),
        );
        tree.add(
            FILE,
            Rule {
                direction: Direction::Ingress,
                name: "endpoints_https",
                group: "endpoints",
                description: "HTTPS from the VPC",
                port: 443,
                peer: Peer::Cidr(VPC.attr("cidr_block")),
            }
            .block(),
        );
    }
    for service in &n.interface_endpoints {
        tree.add(
            FILE,
            endpoint(interface_endpoint(service), service, "Interface")
                .attr("subnet_ids", subnets(Tier::Private, "id"))
                .attr(
                    "security_group_ids",
                    Expr::List(vec![security_group("endpoints").attr("id")]),
                )
                .attr("private_dns_enabled", Expr::Bool(true))
                // S3 private DNS without a gateway endpoint must answer VPC clients too.
                .block(Block::new("dns_options", &[]).attr(
                    "private_dns_only_for_inbound_resolver_endpoint",
                    Expr::Bool(false),
                ))
                .attr(
                    "tags",
                    Expr::map([("Name", prefixed(&format!("{service}-interface")))]),
                ),
        );
    }

    tree.output("vpc_id", "ID of the lab VPC.", VPC.attr("id"));
    tree.output(
        "public_subnet_ids",
        "IDs of the public subnets, one per AZ.",
        subnets(Tier::Public, "id"),
    );
    tree.output(
        "private_subnet_ids",
        "IDs of the private (app) subnets, one per AZ.",
        subnets(Tier::Private, "id"),
    );
}

/// `"${var.name_prefix}-<suffix>-${local.azs[count.index]}"`: the name of a per-zone resource.
fn zone_name(suffix: &str) -> Expr {
    Expr::template(vec![
        interp(NAME_PREFIX.expr()),
        lit(format!("-{suffix}-")),
        interp(AZS.index("count.index", None)),
    ])
}

/// `aws_vpc_endpoint.<name>` for an AWS service in the lab's Region.
fn endpoint(address: Address, service: &str, kind: &str) -> Block {
    address
        .block()
        .attr("vpc_id", VPC.attr("id"))
        .attr(
            "service_name",
            Expr::template(vec![
                lit("com.amazonaws."),
                interp(AWS_REGION.expr()),
                lit(format!(".{service}")),
            ]),
        )
        .attr("vpc_endpoint_type", Expr::str(kind))
}

fn association(tier: Tier, route_table: Expr) -> Block {
    let t = tier.name();
    Block::resource("aws_route_table_association", t)
        .attr(
            "count",
            Expr::call("length", vec![Expr::r(format!("local.{t}_subnet_cidrs"))]),
        )
        .blank()
        .attr("subnet_id", subnet(tier).index("count.index", Some("id")))
        .attr("route_table_id", route_table)
}

const NO_FLOW_LOGS: Accepted = Accepted {
    findings: "CKV2_AWS_11 (VPC flow logs)",
    reason: "the lab is short-lived; the FIS logs and the alarms are the evidence that matters here",
};

const ZONES_BY_NAME: Accepted = Accepted {
    findings: "CKV_AWS_394 (AZ data source not pinned by zone ID)",
    reason: "the lab takes the first zones of the Region on purpose, so it applies in any account",
};

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    ("aws_vpc", Service::EC2, Some("VPC")),
    ("aws_subnet", Service::EC2, Some("subnets")),
    (
        "aws_internet_gateway",
        Service::EC2,
        Some("internet gateway"),
    ),
    ("aws_nat_gateway", Service::EC2, Some("NAT gateways")),
    ("aws_eip", Service::EC2, Some("Elastic IPs")),
    ("aws_route_table", Service::EC2, Some("route tables")),
    ("aws_route", Service::EC2, Some("route tables")),
    (
        "aws_route_table_association",
        Service::EC2,
        Some("route tables"),
    ),
    (
        "aws_default_security_group",
        Service::EC2,
        Some("security groups"),
    ),
    ("aws_security_group", Service::EC2, Some("security groups")),
    (
        "aws_vpc_security_group_ingress_rule",
        Service::EC2,
        Some("security groups"),
    ),
    (
        "aws_vpc_security_group_egress_rule",
        Service::EC2,
        Some("security groups"),
    ),
    ("aws_vpc_endpoint", Service::EC2, Some("VPC endpoints")),
    ("aws_flow_log", Service::EC2, Some("flow logs")),
    ("aws_availability_zones", Service::EC2, None),
];
