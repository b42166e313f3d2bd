//! aurora.tf: the catalog on Aurora Serverless v2. RDS generates the master password and keeps
//! it in a Secrets Manager secret it manages (`manage_master_user_password`, keys `username` and
//! `password`), so the password is in neither the spec, the generated files nor the Terraform
//! state. Source: "Password management with Amazon RDS and AWS Secrets Manager", Aurora User
//! Guide (`rds-secrets-manager.html`).

use super::Aurora;
use crate::base::address::{AZS, CLUSTER, NAME_PREFIX, WRITER, security_group};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::network::{Tier, subnets};
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{
    ApplyTime, ConfigSection, CostLine, Direction, Peer, PolicySection, Rule, SecurityGroup,
    Setting, Slots, Statement,
};
use crate::resources::tree::{Accepted, Tree, name_tag, prefixed};

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

pub fn build(a: &Aurora, tree: &mut Tree) {
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

/// us-east-1 list prices (Aurora and RDS Proxy pricing pages, checked December 2026).
const ACU_HOUR: f64 = 0.12;
/// RDS Proxy on Aurora Serverless v2: $0.015 per ACU-hour, billed for at least 8 ACUs.
const PROXY_HOUR: f64 = 0.015 * 8.0;

/// The database's groups (and the proxy's), the app's way in (directly or only through the
/// proxy), where the app connects and the secret it reads, the cost lines and apply times.
/// `app`: the lab has the app; without it nothing may reach the database.
pub fn contribute(a: &Aurora, app: bool, slots: &mut Slots) {
    slots.groups.push(SecurityGroup {
        name: "aurora",
        description: "Chaos Shop catalog database: PostgreSQL from the app",
    });
    if a.proxy {
        slots.groups.push(SecurityGroup {
            name: "rds_proxy",
            description: "RDS Proxy in front of the catalog database",
        });
    }
    costs(a, slots);
    slots.apply_times.push(if a.proxy {
        ApplyTime {
            minutes: 30,
            apply: "about 20 to 30 minutes (Aurora's cluster and instances, then RDS Proxy, take most of it)",
            destroy: "about 15 minutes",
        }
    } else {
        ApplyTime {
            minutes: 25,
            apply: "about 15 to 25 minutes (Aurora's cluster and instances take most of it)",
            destroy: "about 10 to 15 minutes",
        }
    });
    if !app {
        return;
    }
    let rule = |direction, name, group, description, peer| Rule {
        direction,
        name,
        group,
        description,
        port: 5432,
        peer: Peer::Group(peer),
    };
    let (ingress, egress) = (Direction::Ingress, Direction::Egress);
    if a.proxy {
        // The app talks to the proxy, and only the proxy to Aurora.
        slots.rules.extend([
            rule(
                egress,
                "app_to_rds_proxy",
                "app",
                "PostgreSQL to RDS Proxy",
                "rds_proxy",
            ),
            rule(
                ingress,
                "rds_proxy_from_app",
                "rds_proxy",
                "PostgreSQL from the app",
                "app",
            ),
            rule(
                egress,
                "rds_proxy_to_aurora",
                "rds_proxy",
                "PostgreSQL to Aurora",
                "aurora",
            ),
            rule(
                ingress,
                "aurora_from_rds_proxy",
                "aurora",
                "PostgreSQL from RDS Proxy",
                "rds_proxy",
            ),
        ]);
    } else {
        slots.rules.extend([
            rule(
                egress,
                "app_to_aurora",
                "app",
                "PostgreSQL to Aurora",
                "aurora",
            ),
            rule(
                ingress,
                "aurora_from_app",
                "aurora",
                "PostgreSQL from the app",
                "app",
            ),
        ]);
    }
    let connection = |key, value| Setting {
        section: ConfigSection::Connection,
        key,
        value,
    };
    slots.config.extend([
        connection(
            "db_host",
            Expr::r(if a.proxy {
                "aws_db_proxy.main.endpoint"
            } else {
                "aws_rds_cluster.main.endpoint"
            }),
        ),
        connection("db_name", Expr::str(&a.database)),
        connection("db_secret_arn", secret_arn()),
    ]);
    // Where the catalog's reads go when the spec sends them to the readers: the proxy's
    // read-only endpoint, or the cluster's reader endpoint. Absent, the app reads from
    // `db_host`.
    if a.reads_from_readers {
        slots.config.push(Setting {
            section: ConfigSection::Feature,
            key: "db_reader_host",
            value: Expr::r(if a.proxy {
                "aws_db_proxy_endpoint.reader.endpoint"
            } else {
                "aws_rds_cluster.main.reader_endpoint"
            }),
        });
    }
    // The RDS-managed secret is encrypted with the AWS managed key `aws/secretsmanager`,
    // which needs no KMS grant; a customer key would need `kms:Decrypt` here too.
    slots.app_iam.push(Statement {
        section: PolicySection::Secrets,
        sid: "ReadDatabaseSecret",
        actions: vec!["secretsmanager:GetSecretValue"],
        resources: vec![secret_arn()],
    });
}

fn costs(a: &Aurora, slots: &mut Slots) {
    slots.costs.push(CostLine {
        component: "Aurora Serverless v2 instance at its minimum capacity".to_owned(),
        count: 1.0 + f64::from(a.readers),
        unit_hour: Some(a.min_capacity * ACU_HOUR),
        note: if a.min_capacity == 0.0 {
            "$0 while paused; $0.12 per ACU-hour when running, up to max_capacity; plus storage ($0.10 per GB-month) and I/O"
        } else {
            "$0.12 per ACU-hour, up to max_capacity under load; plus storage ($0.10 per GB-month) and I/O"
        },
    });
    if a.proxy {
        slots.costs.push(CostLine {
            component: "RDS Proxy".to_owned(),
            count: 1.0,
            unit_hour: Some(PROXY_HOUR),
            note: "$0.015 per ACU-hour, at least 8 ACUs",
        });
    }
}

const DISPOSABLE_CATALOG: Accepted = Accepted {
    findings: "CKV_AWS_118, CKV_AWS_139, CKV_AWS_324, CKV_AWS_327, CKV_AWS_354, CKV2_AWS_8, CKV2_AWS_27 (Aurora enhanced monitoring, deletion protection, log exports, customer keys for storage and Performance Insights, AWS Backup, query logging)",
    reason: "the catalog is seeded at boot and rebuilt on every apply; `terraform destroy` must remove it and leave nothing billing behind",
};

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    ("aws_rds_cluster", Service::RDS, Some("Aurora cluster")),
    (
        "aws_rds_cluster",
        Service::SECRETS_MANAGER,
        Some("the master secret RDS creates for the cluster with your rights"),
    ),
    ("aws_rds_cluster_instance", Service::RDS, Some("instances")),
    ("aws_db_subnet_group", Service::RDS, Some("DB subnet group")),
    ("aws_db_proxy", Service::RDS, Some("RDS Proxy")),
    (
        "aws_db_proxy_default_target_group",
        Service::RDS,
        Some("RDS Proxy"),
    ),
    ("aws_db_proxy_target", Service::RDS, Some("RDS Proxy")),
    ("aws_db_proxy_endpoint", Service::RDS, Some("RDS Proxy")),
    (
        "aws_secretsmanager_secret",
        Service::SECRETS_MANAGER,
        Some("secret"),
    ),
    (
        "aws_secretsmanager_secret_version",
        Service::SECRETS_MANAGER,
        Some("secret"),
    ),
    ("aws_iam_role", Service::IAM, Some("roles")),
    ("aws_iam_role_policy", Service::IAM, Some("role policies")),
];
