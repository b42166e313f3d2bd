//! Target kind `subnets`: a subnet tier of the lab, or one zone's subnet of it.

use super::action::{
    DURATION, LAB_RESOURCES, PROVIDER_BASE, Param, ParamKind, Statement, optional, required,
};
use super::kinds::{Kind, Problem, TargetSelection, by_arns, duration, zone_suffix, zone_text};
use super::rehearsal::{LocalFault, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::hcl::{Expr, Item};
use crate::base::text::code_span;
use crate::resources::network::{subnet, subnets};
use crate::resources::{Resources, Tier, reader_zone};

pub static SUBNETS: Kind = Kind {
    spec_key: "subnets",
    fis_key: "Subnets",
    resource_type: "aws:ec2:subnet",
    values: "`private` (the app subnets) or `public`; `az: N` narrows it to the lab's N-th zone",
    example: "private",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, _: &Resources) -> Result<TargetSelection, Problem> {
    match Tier::ALL.iter().find(|(n, _)| *n == value) {
        Some((_, tier)) => Ok(TargetSelection {
            kind: &SUBNETS,
            value: value.to_owned(),
            zone: az,
            name: name(*tier, az),
            description: describe(*tier, az),
            pick: fis_target(*tier, az),
        }),
        None => {
            let tiers = Tier::ALL.iter().map(|(n, _)| (*n).to_owned()).collect();
            Err(Problem::NoSuchTier {
                value: value.to_owned(),
                tiers,
            })
        }
    }
}

/// The subnet tier a selection targets, if it is one of subnets.
pub fn tier(sel: &TargetSelection) -> Option<Tier> {
    let value = sel.value_of(&SUBNETS)?;
    Tier::ALL.iter().find(|(n, _)| *n == value).map(|(_, t)| *t)
}

/// The app tier keeps the article's name, `app-subnets`.
fn name(tier: Tier, az: Option<usize>) -> String {
    match tier {
        Tier::Private => format!("app-subnets{}", zone_suffix(az)),
        Tier::Public => format!("{}-subnets{}", tier.name(), zone_suffix(az)),
    }
}

fn describe(tier: Tier, az: Option<usize>) -> String {
    match az {
        None => format!("every {} subnet", tier.name()),
        Some(_) => format!("the {} subnet{}", tier.name(), zone_text(az)),
    }
}

/// Subnets by ARN: Terraform knows them.
fn fis_target(tier: Tier, az: Option<usize>) -> Vec<Item> {
    by_arns(match az {
        None => subnets(tier, "arn"),
        Some(i) => Expr::List(vec![subnet(tier).index(i, Some("arn"))]),
    })
}

/// `aws:network:disrupt-connectivity`, by scope and by what the lab runs.
pub fn expect_disrupt(lab: &LabView, e: &Step) -> String {
    let duration = duration(e);
    let zone = e.zone();
    let zone_text = zone_text(zone);
    let others = if lab.network.azs == 2 {
        "the other zone"
    } else {
        "the other zones"
    };
    match (e.value(&SCOPE), &lab.app) {
        (Some("dynamodb"), Some(_)) => format!(
            "for {duration}, `/products/<id>/reviews` answers fast 503s (`reviews temporarily unavailable`) while `/products` and `/promo` keep answering 200. If reviews hang instead of failing fast, or the catalog fails too, the timeout or endpoint isolation is broken."
        ),
        (Some("s3"), Some(_)) => format!(
            "for {duration}, `/promo` answers fast 503s (`promo temporarily unavailable`) while `/products` and the reviews keep answering 200. If the catalog or reviews fail too, the blast radius is wider than one feature."
        ),
        (Some("all"), Some(_)) if reach(e) == Reach::Blackout => {
            let mut text = format!(
                "for {duration}, all traffic in and out of every app subnet stops: the load balancer reaches no app instance and every endpoint fails, so no endpoint is judged while the cut lasts; once FIS restores the network ACLs the instances pass their /health checks again and every endpoint answers 200."
            );
            if lab.aurora.is_some() {
                text.push_str(" It is not a cut of Aurora: Aurora shares the app subnets and a network ACL filters only traffic that crosses a subnet's edge, so the instances in the writer's zone still reach the writer.");
            }
            text
        }
        (Some("all"), Some(_)) if zone.is_some() => {
            let mut text = format!(
                "for {duration}, all traffic in and out of the app subnet{zone_text} stops: its instances fail the /health check and the load balancer sends every request to {others}. A few requests may fail while it notices."
            );
            // The writer is pinned to the first zone and Aurora shares the app subnets.
            if lab.aurora.is_some() && zone == Some(0) {
                text.push_str(" The Aurora writer lives in that zone too, so `/products` answers fast 503s until the catalog fails over (run the failover experiment, or wait for Aurora); the reviews and `/promo` keep answering 200.");
            } else {
                text.push_str(" After that every endpoint answers 200.");
            }
            if let Some(writer) = writer_may_be_in(lab, zone) {
                text.push_str(&writer);
            }
            text
        }
        (scope, _) => format!(
            "for {duration}, traffic between the targeted subnets and `{}` is blocked by a network ACL that FIS swaps in, then restores.",
            scope.unwrap_or("the scope")
        ),
    }
}

/// W003's handling: after a failover in this lab the writer may sit in the cut zone; how to
/// check, and to fail back first.
fn writer_may_be_in(lab: &LabView, zone: Option<usize>) -> Option<String> {
    let a = lab.aurora.as_ref()?;
    let zone = zone?;
    let failover = lab.failover?;
    if !reader_zone(a.readers, lab.network.azs, zone) {
        return None;
    }
    Some(format!(
        " **If {} ran first, the Aurora writer may now sit in zone {}**, and this run would cut the catalog off: check which instance is the writer with `aws rds describe-db-clusters --db-cluster-identifier {}-aurora --query \"DBClusters[0].DBClusterMembers[?IsClusterWriter].DBInstanceIdentifier\" --output text` (the writer should be `{}-aurora-writer`) and, if it is a reader, run {} again to fail back before this run.",
        code_span(failover),
        zone + 1,
        lab.prefix,
        lab.prefix,
        code_span(failover),
    ))
}

/// A dependency scope on the app subnets cuts that dependency; `all` on every app subnet cuts
/// the load balancer off every instance; `all` on some of them (or any other scope) can fail
/// everything behind the subnets. The public subnets hold only the load balancer, which calls
/// no dependency.
pub fn reach(e: &Step) -> Reach {
    let tier = e.selection().and_then(tier);
    let az = e.zone();
    match (e.value(&SCOPE), tier) {
        (Some("dynamodb"), Some(Tier::Private)) => Reach::Cuts("dynamodb"),
        (Some("s3"), Some(Tier::Private)) => Reach::Cuts("s3"),
        (Some("dynamodb" | "s3"), Some(Tier::Public)) => Reach::Nothing,
        (Some("all"), Some(Tier::Private)) if cuts_every_subnet(e, az) => Reach::Blackout,
        _ => Reach::Everything,
    }
}

/// The fault reaches every subnet of its tier: no zone, selection ALL.
fn cuts_every_subnet(e: &Step, az: Option<usize>) -> bool {
    az.is_none() && e.selection_mode == "ALL"
}

/// Why `dependency: aurora` on this network fault is a claim it cannot keep (W006), or `None`
/// when it can: only `scope: all` on the writer's zone (the lab pins the writer to its first
/// zone) in a lab of several zones takes the catalog away from the instances elsewhere.
/// Aurora shares the app subnets, and a network ACL filters only traffic that crosses a
/// subnet's edge.
pub fn aurora_cut_problem(e: &Step, azs: usize) -> Option<String> {
    let tier = e.selection().and_then(tier)?;
    let az = e.zone();
    let scope = e.value(&SCOPE).unwrap_or("the scope");
    Some(match (tier, scope, az) {
        (Tier::Public, _, _) => {
            "the public subnets hold only the load balancer and the NAT gateways, and Aurora sits in the app subnets".to_owned()
        }
        (Tier::Private, "all", Some(0)) if azs > 1 => return None,
        (Tier::Private, "all", Some(z)) if azs > 1 => format!(
            "cutting zone {}'s app subnet leaves the writer, in zone 1, reachable from every instance outside the cut",
            z + 1
        ),
        (Tier::Private, "all", _) => "cutting every app subnet cuts the load balancer off every app instance (every endpoint fails), while the writer stays reachable from the instances in its own zone: Aurora shares the app subnets, and a network ACL filters only traffic that crosses a subnet's edge".to_owned(),
        (Tier::Private, "vpc", _) => {
            "scope `vpc` blocks only traffic leaving the VPC, and Aurora is inside it".to_owned()
        }
        (Tier::Private, "availability-zone", _) => "scope `availability-zone` blocks only traffic between zones: the writer stays reachable from the instances in its own zone".to_owned(),
        (Tier::Private, other, _) => {
            format!("scope `{other}` blocks other addresses than Aurora's")
        }
    })
}

pub const SCOPE: Param = required(
    "scope",
    ParamKind::OneOf {
        values: &[
            "all",
            "availability-zone",
            "dynamodb",
            "prefix-list",
            "s3",
            "s3express",
            "vpc",
        ],
        advice: None,
    },
    "dynamodb",
    "What is blocked: `all` traffic in and out of the subnets; traffic to the subnets of the other zones (`availability-zone`); traffic to the Region's `dynamodb`, `s3` or `s3express` endpoints, or to a `prefix-list`; or traffic leaving the `vpc`.",
);

/// Required with scope prefix-list, refused otherwise (a lab rule in `experiments::rules`).
pub const PREFIX_LIST: Param = optional(
    "prefixListIdentifier",
    ParamKind::Identifier,
    "none",
    "The managed prefix list whose addresses are blocked; required with `scope: prefix-list`, refused otherwise.",
);

pub const DISRUPT_CONNECTIVITY: Action = Action {
    id: "aws:network:disrupt-connectivity",
    summary: "Blocks traffic of the targeted subnets with a network ACL FIS swaps in: all of it, or only what `scope` names.",
    target: Some(&SUBNETS),
    params: &[
        required(
            "duration",
            DURATION,
            "PT3M",
            "How long the traffic stays blocked.",
        ),
        SCOPE,
        PREFIX_LIST,
    ],
    // AWSFaultInjectionSimulatorNetworkAccess, narrowed to the lab's account and Region.
    iam: &[
        Statement {
            sid: "CreateTagsOnFisNetworkAcl",
            actions: &["ec2:CreateTags"],
            resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
            conditions: &[
                ("StringEquals", "ec2:CreateAction", "CreateNetworkAcl"),
                ("StringEquals", "aws:RequestTag/managedByFIS", "true"),
            ],
        },
        Statement {
            sid: "CreateFisNetworkAcl",
            actions: &["ec2:CreateNetworkAcl"],
            resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
            conditions: &[("StringEquals", "aws:RequestTag/managedByFIS", "true")],
        },
        Statement {
            sid: "CreateNetworkAclInVpc",
            actions: &["ec2:CreateNetworkAcl"],
            resources: &["arn:{partition}:ec2:{region}:{account}:vpc/*"],
            conditions: LAB_RESOURCES,
        },
        Statement {
            sid: "EditFisNetworkAcl",
            actions: &["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
            resources: &[
                "arn:{partition}:ec2:{region}:{account}:network-acl/*",
                "arn:{partition}:ec2:{region}:{account}:vpc/*",
            ],
            conditions: &[("StringEquals", "ec2:ResourceTag/managedByFIS", "true")],
        },
        // Two statements: the association's ACLs (the subnets' own, the VPC's untagged
        // default ACL, and FIS's) carry no common tag; its subnets are the lab's.
        Statement {
            sid: "SwapSubnetNetworkAcl",
            actions: &["ec2:ReplaceNetworkAclAssociation"],
            resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
            conditions: &[],
        },
        Statement {
            sid: "SwapOnLabSubnets",
            actions: &["ec2:ReplaceNetworkAclAssociation"],
            resources: &["arn:{partition}:ec2:{region}:{account}:subnet/*"],
            conditions: LAB_RESOURCES,
        },
        Statement {
            sid: "ReadPrefixListEntries",
            actions: &["ec2:GetManagedPrefixListEntries"],
            resources: &["arn:{partition}:ec2:{region}:*:prefix-list/*"],
            conditions: &[],
        },
        Statement {
            sid: "DescribeNetwork",
            actions: &[
                "ec2:DescribeManagedPrefixLists",
                "ec2:DescribeNetworkAcls",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            resources: &["*"],
            conditions: &[],
        },
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_disrupt,
    reach,
    rehearsal: REHEARSAL,
};

/// The cut of one dependency from every app subnet (the article's experiment), as dropped
/// packets. The other scopes also cut the load balancer's traffic or one zone's instances,
/// which one app without a load balancer cannot show.
const REHEARSAL: Rehearsal = Rehearsal::Local {
    how: "scopes `dynamodb` and `s3` on the app subnets of every zone: every packet the app sends to the dependency dropped by iptables, as the network ACL drops it (`all`, `vpc` and `availability-zone` also cut the load balancer's traffic or a zone's instances, which one app without a load balancer does not model)",
    fault: disrupt_fault,
};

fn disrupt_fault(e: &Step) -> Result<LocalFault, String> {
    if e.selection().and_then(tier) != Some(Tier::Private) {
        return Err(
            "it targets subnets other than the app's; the rehearsal models the app subnets".into(),
        );
    }
    if e.zone().is_some() {
        return Err(format!(
            "it targets one zone's app subnets; {}",
            super::rehearsal::NOT_THE_FLEET
        ));
    }
    match e.value(&SCOPE) {
        Some(dependency @ ("dynamodb" | "s3")) => Ok(LocalFault::Drop {
            dependency: if dependency == "s3" { "s3" } else { "dynamodb" },
        }),
        other => Err(format!(
            "`scope: {}` is not rehearsed: it also cuts traffic the rehearsal does not model (the load balancer's, a zone's, the VPC's) or addresses the app does not call",
            other.unwrap_or("")
        )),
    }
}
