//! aurora.tf: the catalog on Aurora Serverless v2. RDS generates the master password and keeps
//! it in a Secrets Manager secret it manages (`manage_master_user_password`, keys `username` and
//! `password`), so the password is in neither the spec, the generated files nor the Terraform
//! state. Source: "Password management with Amazon RDS and AWS Secrets Manager", Aurora User
//! Guide (`rds-secrets-manager.html`).

use super::Accepted;
use super::{Tree, name_tag, prefixed};
use crate::base::address::{AZS, CLUSTER, NAME_PREFIX, WRITER, security_group};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::experiments::Lab;
use crate::experiments::Tier;
use crate::resources::network::subnets;

const FILE: &str = "aurora.tf";

/// ARN of the RDS-managed master secret, which the app, RDS Proxy and the `db_secret_arn`
/// output read. `one(...[*])` rather than `[0]`: the attribute is a list of one object, and
/// a splat also evaluates where the secret is not known yet (a mock provider's empty list).
pub fn secret_arn() -> Expr {
    Expr::call(
        "one",
        vec![Expr::r(
            "aws_rds_cluster.main.master_user_secret[*].secret_arn",
        )],
    )
}

/// The attributes every Serverless v2 instance of the cluster shares.
fn instance(block: Block, identifier: Expr, zone: Expr) -> Block {
    block
        .attr("identifier", identifier)
        .attr("cluster_identifier", CLUSTER.attr("id"))
        .attr("instance_class", Expr::str("db.serverless"))
        .attr("engine", CLUSTER.attr("engine"))
        .attr("availability_zone", zone)
        .attr("auto_minor_version_upgrade", Expr::Bool(true))
        .attr("performance_insights_enabled", Expr::Bool(true))
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    let Some(a) = &lab.aurora else { return };
    tree.accept(&DISPOSABLE_CATALOG);
    tree.add(
        FILE,
        Block::resource("aws_db_subnet_group", "main")
            .attr("name", prefixed("db"))
            .attr("subnet_ids", subnets(Tier::Private, "id"))
            .attr("tags", name_tag("db")),
    );
    tree.add(
        FILE,
        CLUSTER
            .block()
            .attr("cluster_identifier", prefixed("aurora"))
            .attr("engine", Expr::str(&a.engine))
            .attr("engine_mode", Expr::str("provisioned"))
            .attr("engine_version", Expr::str(&a.engine_version))
            .attr("database_name", Expr::str(&a.database))
            .attr("master_username", Expr::str(&a.username))
            .attr("manage_master_user_password", Expr::Bool(true))
            .attr(
                "db_subnet_group_name",
                Expr::r("aws_db_subnet_group.main.name"),
            )
            .attr(
                "vpc_security_group_ids",
                Expr::List(vec![security_group("aurora").attr("id")]),
            )
            .attr("storage_encrypted", Expr::Bool(true))
            .attr("iam_database_authentication_enabled", Expr::Bool(true))
            .attr("copy_tags_to_snapshot", Expr::Bool(true))
            .attr("backup_retention_period", Expr::int(1))
            .attr("skip_final_snapshot", Expr::Bool(true))
            .attr("apply_immediately", Expr::Bool(true))
            .block(
                Block::new("serverlessv2_scaling_configuration", &[])
                    .attr("min_capacity", Expr::num(a.min_capacity))
                    .attr("max_capacity", Expr::num(a.max_capacity)),
            )
            .blank()
            .attr("tags", name_tag("aurora"))
            // Automatic minor upgrades move the cluster past the version written here; without
            // this, the next apply would try to downgrade it (and fail).
            .block(Block::new("lifecycle", &[]).attr(
                "ignore_changes",
                Expr::List(vec![Expr::r("engine_version")]),
            )),
    );
    // The first zone: readers go to the others, so a failover changes zone.
    tree.add(
        FILE,
        instance(
            WRITER.block(),
            prefixed("aurora-writer"),
            AZS.index(0, None),
        ),
    );
    if a.readers > 0 {
        let reader = Block::resource("aws_rds_cluster_instance", "reader")
            .attr("count", Expr::int(i64::from(a.readers)))
            .blank();
        let identifier = Expr::template(vec![
            interp(NAME_PREFIX.expr()),
            lit("-aurora-reader-"),
            interp(Expr::r("count.index")),
        ]);
        let zone = Expr::call(
            "element",
            vec![AZS.expr(), Expr::plus(Expr::r("count.index"), 1)],
        );
        tree.add(
            FILE,
            instance(reader, identifier, zone)
                .blank()
                // Created after the writer, so the writer really is the primary.
                .attr("depends_on", Expr::List(vec![WRITER.expr()])),
        );
    }
    tree.output(
        "aurora_endpoint",
        "Writer endpoint of the Aurora catalog cluster.",
        CLUSTER.attr("endpoint"),
    );
    tree.output(
        "db_secret_arn",
        "Secrets Manager secret (managed by RDS) holding the database username and password.",
        secret_arn(),
    );
}

const DISPOSABLE_CATALOG: Accepted = Accepted {
    findings: "CKV_AWS_118, CKV_AWS_139, CKV_AWS_324, CKV_AWS_327, CKV_AWS_354, CKV2_AWS_8, CKV2_AWS_27 (Aurora enhanced monitoring, deletion protection, log exports, customer keys for storage and Performance Insights, AWS Backup, query logging)",
    reason: "the catalog is seeded at boot and rebuilt on every apply; `terraform destroy` must remove it and leave nothing billing behind",
};
