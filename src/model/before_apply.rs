//! The lab README's "Before you apply" facts that no single kind owns: which services the
//! tree's types need (each kind declares its types), what tenants take from the default
//! quotas, and where the prices of the kinds' cost lines come from. The cost lines and apply
//! times themselves are the kinds' contributions ([`crate::resources::slots`]).

use crate::experiments::{Lab, Nat};
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::CostLine;

/// Where the prices come from, printed under the table.
pub const PRICE_SOURCE: &str = "us-east-1 on-demand list prices from the AWS pricing pages (Amazon VPC, Elastic Load Balancing, Amazon EC2, Amazon EBS, Amazon Aurora, Amazon RDS Proxy and AWS FIS), checked December 2026; other Regions and later dates differ, so check the pages (or the AWS Pricing Calculator) before you rely on them";

/// Sum of the priced rows per hour.
pub fn total(costs: &[CostLine]) -> f64 {
    costs
        .iter()
        .filter_map(|c| c.unit_hour.map(|p| p * c.count))
        .fold(0.0, |sum, cost| sum + cost)
}

/// An AWS service the applying identity creates resources in: its name, its IAM action
/// prefix, and what the lab makes there.
pub struct Needs {
    /// The service's name and IAM action prefix, as the README prints them.
    pub name: String,
    pub what: Vec<&'static str>,
}

/// Every type the kinds and the model's own files emit, with its service, in registry order
/// (the order a service's "what" list keeps).
pub fn types() -> Vec<TypeUse> {
    super::all_types()
        .flat_map(|kind| kind.iter().copied())
        .collect()
}

/// Data sources that need no service rights (computed locally, or `sts:GetCallerIdentity`,
/// which needs no permission).
pub const NO_SERVICE: &[&str] = &[
    "aws_caller_identity",
    "aws_partition",
    "aws_region",
    "aws_iam_policy_document",
    "archive_file",
];

/// The services the applying identity creates, changes and deletes resources in: computed from
/// the resource and data source types of the tree, so a service is named exactly when the lab
/// uses it. A type missing from `TYPES` is named by its own type, never dropped.
pub fn services(model: &crate::model::Model) -> Vec<Needs> {
    let mut kinds: Vec<&str> = model
        .files
        .iter()
        .flat_map(|f| &f.blocks)
        .filter(|b| matches!(b.kind, "resource" | "data"))
        .filter_map(|b| b.labels.first().map(String::as_str))
        .filter(|k| !NO_SERVICE.contains(k))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let types = types();
    // What each service holds, in registry order.
    let rows: Vec<&TypeUse> = types.iter().filter(|(t, _, _)| kinds.contains(t)).collect();
    let mut services: Vec<Service> = rows.iter().map(|(_, s, _)| *s).collect();
    services.sort_unstable();
    services.dedup();
    let mut out: Vec<Needs> = services
        .into_iter()
        .map(|service| {
            let mut what: Vec<&'static str> = Vec::new();
            for w in rows
                .iter()
                .filter(|(_, s, _)| *s == service)
                .filter_map(|(_, _, w)| *w)
            {
                if !what.contains(&w) {
                    what.push(w);
                }
            }
            let Service { name, prefix, .. } = service;
            if service == Service::IAM {
                what.push("`iam:PassRole` on the roles");
            }
            Needs {
                name: format!("{name} (`{prefix}`)"),
                what,
            }
        })
        .collect();
    // A type chaoslab forgot to declare is named, not dropped (a test keeps this empty).
    out.extend(
        kinds
            .iter()
            .filter(|k| !types.iter().any(|(t, _, _)| t == *k))
            .map(|k| Needs {
                name: format!("the service of `{k}`"),
                what: Vec::new(),
            }),
    );
    out
}

/// Where the default quotas below come from, and when they were read: the Amazon VPC User
/// Guide's "Amazon VPC quotas" (VPCs per Region 5, internet gateways per Region 5, tied to
/// the VPC quota; Elastic IP addresses per Region 5; NAT gateways per Availability Zone 5).
pub const QUOTA_SOURCE: (&str, &str) = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
    "2026-12-07",
);
const VPCS_PER_REGION: u32 = 5;
const EIPS_PER_REGION: u32 = 5;
const NAT_GATEWAYS_PER_AZ: u32 = 5;

/// One quota a workshop draws on: what it is, per tenant, for every tenant, and its default.
pub struct QuotaNeed {
    pub quota: &'static str,
    pub per_tenant: u32,
    pub total: u32,
    pub default: u32,
}

/// What `tenants` labs of this tree take from the account's default quotas in one Region:
/// a VPC (and its internet gateway) each, an Elastic IP per NAT gateway, and one NAT gateway
/// per zone that has one (every zone with `nat: per-az`, the first with `single`).
pub fn quota_needs(lab: &Lab) -> Vec<QuotaNeed> {
    let tenants = u32::try_from(lab.tenants.len()).unwrap_or(u32::MAX);
    let (eips, nat_per_zone) = match lab.network.nat {
        Nat::None => (0, 0),
        Nat::Single => (1, 1),
        Nat::PerAz => (u32::try_from(lab.network.azs).unwrap_or(u32::MAX), 1),
    };
    let need = |quota, per_tenant: u32, default| QuotaNeed {
        quota,
        per_tenant,
        total: per_tenant.saturating_mul(tenants),
        default,
    };
    let mut out = vec![need(
        "VPCs (each with its internet gateway) per Region",
        1,
        VPCS_PER_REGION,
    )];
    if eips > 0 {
        out.push(need(
            "Elastic IP addresses per Region",
            eips,
            EIPS_PER_REGION,
        ));
        out.push(need(
            "NAT gateways per Availability Zone",
            nat_per_zone,
            NAT_GATEWAYS_PER_AZ,
        ));
    }
    out
}
