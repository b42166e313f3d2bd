//! Target kinds `clusters` and `db-instances`: the lab's Aurora cluster and its writer.

use super::Reach;
use super::kinds::{KindInfo, Problem, TargetSelection, TheOne, no_zone, resolve_the_one};
use crate::base::address::{CLUSTER, WRITER};
use crate::base::hcl::{Block, Expr};
use crate::experiments::{Experiment, Lab, TargetContext};

pub const CLUSTERS: KindInfo = KindInfo {
    spec_key: "clusters",
    fis_key: "Clusters",
    resource_type: "aws:rds:cluster",
    values: "`aurora`: the lab's Aurora cluster (needs `aurora:`)",
    example: "aurora",
};

pub const DB_INSTANCES: KindInfo = KindInfo {
    spec_key: "db-instances",
    fis_key: "DBInstances",
    resource_type: "aws:rds:db",
    values: "`aurora-writer`: the Aurora cluster's writer instance (needs `aurora:`)",
    example: "aurora-writer",
};

pub const CLUSTER_TARGET: &str = "aurora-cluster";
pub const WRITER_TARGET: &str = "aurora-writer";

/// The cluster or its writer, which exist with `aurora:`.
fn resolve_aurora(
    info: &'static KindInfo,
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
    (what, name, selection): (&'static str, &'static str, TargetSelection),
) -> Result<TargetSelection, Problem> {
    let one = TheOne {
        present: ctx.aurora,
        what,
        section: "aurora",
        name,
    };
    resolve_the_one(info, value, one, || no_zone(info.spec_key, az, selection))
}

pub fn resolve_cluster(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
) -> Result<TargetSelection, Problem> {
    let cluster = ("Aurora cluster", "aurora", TargetSelection::AuroraCluster);
    resolve_aurora(&CLUSTERS, value, az, ctx, cluster)
}

pub fn resolve_writer(
    value: &str,
    az: Option<usize>,
    ctx: &TargetContext,
) -> Result<TargetSelection, Problem> {
    let writer = (
        "Aurora instances",
        "aurora-writer",
        TargetSelection::AuroraWriter,
    );
    resolve_aurora(&DB_INSTANCES, value, az, ctx, writer)
}

pub fn fis_target_cluster(block: Block) -> Block {
    block.attr("resource_arns", Expr::List(vec![CLUSTER.attr("arn")]))
}

pub fn fis_target_writer(block: Block) -> Block {
    block.attr("resource_arns", Expr::List(vec![WRITER.attr("arn")]))
}

pub fn expect_failover(lab: &Lab, e: &Experiment) -> String {
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

pub fn expect_reboot(lab: &Lab, e: &Experiment) -> String {
    if e.parameter("forceFailover") == Some("true") {
        return "the Aurora writer restarts and a reader in another zone takes over; connections to the writer endpoint fail for the seconds that takes (`/products` answers fast 503s when the lab has an app).".to_owned();
    }
    match lab.app {
        Some(_) => "the Aurora writer restarts: `/products` answers fast 503s until it is back; the reviews and `/promo` never notice.".to_owned(),
        None => "the Aurora writer restarts; connections fail until it is back.".to_owned(),
    }
}

/// A failover or reboot: the catalog may fail while the writer moves or restarts.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Disturbs("aurora")
}
