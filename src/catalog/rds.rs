//! Target kinds `clusters` and `db-instances`: the lab's Aurora cluster and its writer.

use super::action::{
    LAB_RESOURCES, PROVIDER_BASE, Param, ParamKind, Statement, TAG_RESOLUTION, optional,
};
use super::kinds::{Kind, Problem, TargetSelection, TheOne, by_arns, no_zone, resolve_the_one};
use super::rehearsal::{LocalFault, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::address::Address;
use crate::base::address::{CLUSTER, WRITER};
use crate::base::hcl::Expr;
use crate::resources::Resources;

pub static CLUSTERS: Kind = Kind {
    spec_key: "clusters",
    fis_key: "Clusters",
    resource_type: "aws:rds:cluster",
    values: "`aurora`: the lab's Aurora cluster (needs `aurora:`)",
    example: "aurora",
    needs_zone: false,
    resolve: resolve_cluster,
};

pub static DB_INSTANCES: Kind = Kind {
    spec_key: "db-instances",
    fis_key: "DBInstances",
    resource_type: "aws:rds:db",
    values: "`aurora-writer`: the Aurora cluster's writer instance (needs `aurora:`)",
    example: "aurora-writer",
    needs_zone: false,
    resolve: resolve_writer,
};

/// The one Aurora resource a kind names, and how FIS and the README call it.
struct Aurora {
    /// What is missing without `aurora:`.
    what: &'static str,
    /// The spec value.
    name: &'static str,
    target: &'static str,
    description: &'static str,
    address: Address,
}

/// The cluster or its writer, which exist with `aurora:`.
fn resolve_aurora(
    kind: &'static Kind,
    value: &str,
    az: Option<usize>,
    res: &Resources,
    aurora: Aurora,
) -> Result<TargetSelection, Problem> {
    let one = TheOne {
        present: res.aurora.is_some(),
        what: aurora.what,
        section: "aurora",
        name: aurora.name,
    };
    let selection = TargetSelection {
        kind,
        value: aurora.name.to_owned(),
        zone: None,
        name: aurora.target.to_owned(),
        description: aurora.description.to_owned(),
        pick: by_arns(Expr::List(vec![aurora.address.attr("arn")])),
    };
    resolve_the_one(kind, value, one, || no_zone(az, selection))
}

fn resolve_cluster(
    value: &str,
    az: Option<usize>,
    res: &Resources,
) -> Result<TargetSelection, Problem> {
    let cluster = Aurora {
        what: "Aurora cluster",
        name: "aurora",
        target: "aurora-cluster",
        description: "the Aurora cluster",
        address: CLUSTER,
    };
    resolve_aurora(&CLUSTERS, value, az, res, cluster)
}

fn resolve_writer(
    value: &str,
    az: Option<usize>,
    res: &Resources,
) -> Result<TargetSelection, Problem> {
    let writer = Aurora {
        what: "Aurora instances",
        name: "aurora-writer",
        target: "aurora-writer",
        description: "the Aurora writer instance",
        address: WRITER,
    };
    resolve_aurora(&DB_INSTANCES, value, az, res, writer)
}

pub fn expect_failover(lab: &LabView, e: &Step) -> String {
    let how_long = match super::facts::lag(e.action.id) {
        Some(l) => format!(
            "while the writer endpoint moves (typically under {} s{}: [{}]({}))",
            l.seconds,
            l.often_under
                .map(|o| format!(", often under {o} s"))
                .unwrap_or_default(),
            l.source,
            l.url
        ),
        None => "for the seconds the writer endpoint takes to move".to_owned(),
    };
    match lab.app {
        Some(_) => format!(
            "Aurora promotes a reader in another zone. `/products` answers fast 503s {how_long}, then 200 again; the reviews and `/promo` never notice."
        ),
        None => format!(
            "Aurora promotes a reader in another zone; the writer endpoint refuses connections {how_long}."
        ),
    }
}

pub fn expect_reboot(lab: &LabView, e: &Step) -> String {
    if e.value(&FORCE_FAILOVER) == Some("true") {
        return "the Aurora writer restarts and a reader in another zone takes over; connections to the writer endpoint fail for the seconds that takes (`/products` answers fast 503s when the lab has an app).".to_owned();
    }
    match lab.app {
        Some(_) => "the Aurora writer restarts: `/products` answers fast 503s until it is back; the reviews and `/promo` never notice.".to_owned(),
        None => "the Aurora writer restarts; connections fail until it is back.".to_owned(),
    }
}

/// A failover or reboot: the catalog may fail while the writer moves or restarts.
pub fn reach(_: &Step) -> Reach {
    Reach::Disturbs("aurora")
}

pub const FAILOVER_DB_CLUSTER: Action = Action {
    id: "aws:rds:failover-db-cluster",
    summary: "Fails the Aurora cluster over: a reader becomes the writer (the lab needs `aurora.readers`).",
    target: Some(&CLUSTERS),
    params: &[],
    iam: &[
        Statement {
            sid: "FailoverDbCluster",
            actions: &["rds:FailoverDBCluster"],
            resources: &["arn:{partition}:rds:{region}:{account}:cluster:*"],
            conditions: LAB_RESOURCES,
        },
        Statement {
            sid: "DescribeDbClusters",
            actions: &["rds:DescribeDBClusters"],
            resources: &["arn:{partition}:rds:{region}:{account}:cluster:*"],
            conditions: &[],
        },
        TAG_RESOLUTION,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_failover,
    reach,
    rehearsal: RESTART,
};

/// `"true"`: the reboot moves the writer to a reader (a lab rule needs one to exist).
pub const FORCE_FAILOVER: Param = optional(
    "forceFailover",
    ParamKind::Bool,
    "\"false\"",
    "`\"true\"`: reboot with a failover, so a reader in another zone becomes the writer (the lab needs `aurora.readers`).",
);

pub const REBOOT_DB_INSTANCES: Action = Action {
    id: "aws:rds:reboot-db-instances",
    summary: "Reboots the Aurora writer instance, with a failover to a reader when `forceFailover` says so.",
    target: Some(&DB_INSTANCES),
    params: &[FORCE_FAILOVER],
    iam: &[
        Statement {
            sid: "RebootDbInstances",
            actions: &["rds:RebootDBInstance"],
            resources: &["arn:{partition}:rds:{region}:{account}:db:*"],
            conditions: LAB_RESOURCES,
        },
        Statement {
            sid: "DescribeDbInstances",
            actions: &["rds:DescribeDBInstances"],
            resources: &["arn:{partition}:rds:{region}:{account}:db:*"],
            conditions: &[],
        },
        TAG_RESOLUTION,
    ],
    provider_floor: PROVIDER_BASE,
    expect: expect_reboot,
    reach,
    rehearsal: RESTART,
};

/// Both Aurora faults, rehearsed as what the app sees of them: its database gone and back.
const RESTART: Rehearsal = Rehearsal::Local {
    how: "PostgreSQL, standing in for the cluster, stopped (fast shutdown: connections dropped) and started again; the writer's DNS moving to a promoted reader is not modelled",
    fault: |_| Ok(LocalFault::RestartDatabase),
};
