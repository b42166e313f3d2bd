//! compute.tf: the Chaos Shop fleet. A launch template (latest Amazon Linux 2023 from the
//! public SSM parameter, IMDSv2 only, encrypted root volume, the app delivered by user_data)
//! and an auto-scaling group spread over every private app subnet.

use super::{Tree, name_tag, prefixed};
use crate::base::address::{
    APP_CONFIG, APP_PROFILE, ASG, AWS_REGION, LAUNCH_TEMPLATE, PRIVATE_ASSOCIATIONS,
    PRIVATE_NAT_ROUTE, TARGET_GROUP, WRITER, security_group,
};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::experiments::Tier;
use crate::experiments::{App, Aurora, Lab, Runtime, tf_name};
use crate::resources::network::subnets;

const FILE: &str = "compute.tf";
/// Where the rendered app bootstrap lives in the generated tree.
pub const USER_DATA: &str = "templates/user_data.sh.tftpl";

/// The app's defence against a failing dependency, as data: timeouts, bulkhead and breaker
/// (what each does is told in the app's docstring, `chaos-shop/app.py`).
fn guard(app: &App) -> Expr {
    let n = |v: u32| Expr::int(i64::from(v));
    let mut entries = vec![
        ("connect_timeout", n(app.timeouts.connect)),
        ("read_timeout", n(app.timeouts.read)),
        ("retries", n(app.timeouts.retries)),
        ("bulkhead", n(app.bulkhead)),
    ];
    if let Some(b) = app.circuit_breaker {
        entries.push((
            "circuit_breaker",
            Expr::map([
                ("failures", n(b.failures)),
                ("reset_seconds", n(b.reset_seconds)),
            ]),
        ));
    }
    Expr::map(entries)
}

pub fn build(lab: &Lab, tree: &mut Tree) {
    let Some(app) = &lab.app else { return };
    let Runtime::Ec2 { instance_type } = &app.runtime else {
        return;
    };
    let Some(config) = config_locals(lab) else {
        return;
    };
    tree.add(
        FILE,
        Block::data("aws_ssm_parameter", "al2023").attr(
            "name",
            Expr::str("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"),
        ),
    );
    tree.add(FILE, config);
    let user_data = Expr::call(
        "templatefile",
        vec![
            Expr::template(vec![
                interp(Expr::r("path.module")),
                lit(format!("/{USER_DATA}")),
            ]),
            Expr::map([("config", Expr::call("jsonencode", vec![APP_CONFIG.expr()]))]),
        ],
    );
    tree.add(
        FILE,
        LAUNCH_TEMPLATE
            .block()
            .attr("name_prefix", prefixed("app-"))
            .attr(
                "image_id",
                Expr::r("data.aws_ssm_parameter.al2023.insecure_value"),
            )
            .attr("instance_type", Expr::str(instance_type))
            .attr(
                "vpc_security_group_ids",
                Expr::List(vec![security_group("app").attr("id")]),
            )
            // Gzipped: EC2 takes at most 16 KiB of user data, and the app alone is near that;
            // cloud-init unzips gzip user data before running it ("User-data formats",
            // cloud-init docs).
            .attr("user_data", Expr::call("base64gzip", vec![user_data]))
            .attr("update_default_version", Expr::Bool(true))
            .block(Block::new("iam_instance_profile", &[]).attr("arn", APP_PROFILE.attr("arn")))
            .block(
                Block::new("metadata_options", &[])
                    .attr("http_endpoint", Expr::str("enabled"))
                    .attr("http_tokens", Expr::str("required"))
                    .attr("http_put_response_hop_limit", Expr::int(1)),
            )
            .block(
                Block::new("block_device_mappings", &[])
                    .attr("device_name", Expr::str("/dev/xvda"))
                    .block(
                        Block::new("ebs", &[])
                            .attr("volume_size", Expr::int(10))
                            .attr("volume_type", Expr::str("gp3"))
                            .attr("encrypted", Expr::Bool(true))
                            .attr("delete_on_termination", Expr::Bool(true)),
                    ),
            )
            .block(
                Block::new("tag_specifications", &[])
                    .attr("resource_type", Expr::str("instance"))
                    .attr("tags", name_tag("app")),
            ),
    );
    let size = Expr::int(i64::from(app.instances));
    tree.add(
        FILE,
        ASG.block()
            .attr("name", prefixed("app"))
            .attr("min_size", size.clone())
            .attr("max_size", size.clone())
            .attr("desired_capacity", size)
            .attr("vpc_zone_identifier", subnets(Tier::Private, "id"))
            .attr(
                "target_group_arns",
                Expr::List(vec![TARGET_GROUP.attr("arn")]),
            )
            .attr("health_check_type", Expr::str("ELB"))
            .attr("health_check_grace_period", Expr::int(300))
            .block(
                Block::new("launch_template", &[])
                    .attr("id", LAUNCH_TEMPLATE.attr("id"))
                    .attr("version", LAUNCH_TEMPLATE.attr("latest_version")),
            )
            .block(
                Block::new("tag", &[])
                    .attr("key", Expr::str("Name"))
                    .attr("value", prefixed("app"))
                    .attr("propagate_at_launch", Expr::Bool(true)),
            )
            // The provider's default_tags stop at the group: its instances get only what it
            // propagates. The FIS role may stop, reboot or run documents on instances carrying
            // this tag only.
            .block(
                Block::new("tag", &[])
                    .attr("key", Expr::str("Lab"))
                    .attr("value", Expr::str(super::terraform::lab_tag(lab)))
                    .attr("propagate_at_launch", Expr::Bool(true)),
            )
            .blank()
            // The app seeds the catalog at boot: the writer must exist first. Its bootstrap
            // installs packages (dnf, PyPI): the private route to the NAT gateway and its
            // association with the app subnets must exist first too.
            .attr(
                "depends_on",
                Expr::List(vec![
                    WRITER.expr(),
                    PRIVATE_NAT_ROUTE.expr(),
                    PRIVATE_ASSOCIATIONS.expr(),
                ]),
            ),
    );
    tree.output(
        "asg_name",
        "Name of the app auto-scaling group.",
        ASG.attr("name"),
    );
}

/// `local.app_config`: the runtime settings the app reads from /etc/chaos-shop/config.json,
/// the same on an instance and in a task. `jsonencode` keeps every value a JSON string, so
/// nothing can escape into the bootstrap. `None` without an app, Aurora or reviews table.
pub fn config_locals(lab: &Lab) -> Option<Block> {
    let (Some(app), Some(aurora)) = (&lab.app, &lab.aurora) else {
        return None;
    };
    let table = tf_name(&app.reviews_table);
    let bucket = tf_name(&app.promo_bucket);
    let reviews = lab.tables.iter().find(|t| t.name == app.reviews_table)?;
    Some(
        Block::new("locals", &[]).attr(
            "app_config",
            Expr::map(
                [
                    ("region", AWS_REGION.expr()),
                    (
                        "db_host",
                        Expr::r(if aurora.proxy {
                            "aws_db_proxy.main.endpoint"
                        } else {
                            "aws_rds_cluster.main.endpoint"
                        }),
                    ),
                    ("db_name", Expr::str(&aurora.database)),
                    ("db_secret_arn", super::aurora::secret_arn()),
                    (
                        "reviews_table",
                        Expr::r(format!("aws_dynamodb_table.{table}.name")),
                    ),
                    ("reviews_key", Expr::str(&reviews.hash_key.name)),
                    (
                        "reviews_key_type",
                        Expr::str(reviews.hash_key.kind.as_str()),
                    ),
                    (
                        "promo_bucket",
                        Expr::r(format!("aws_s3_bucket.{bucket}.bucket")),
                    ),
                    ("promo_key", Expr::str(&app.promo_key)),
                    ("guard", guard(app)),
                ]
                .into_iter()
                .chain(reader_host(aurora).map(|h| ("db_reader_host", h)))
                .chain(app.catalog_cache.then(|| {
                    let cache = tf_name(crate::experiments::CACHE_TABLE);
                    (
                        "cache_table",
                        Expr::r(format!("aws_dynamodb_table.{cache}.name")),
                    )
                }))
                .chain(app.write_behind.then(|| {
                    (
                        "orders_queue_url",
                        crate::base::address::ORDERS_QUEUE.attr("url"),
                    )
                })),
            ),
        ),
    )
}

/// Where the catalog's reads go when the spec sends them to the readers: the proxy's
/// read-only endpoint, or the cluster's reader endpoint. Absent, the app reads from `db_host`.
fn reader_host(aurora: &Aurora) -> Option<Expr> {
    aurora.reads_from_readers.then(|| {
        Expr::r(if aurora.proxy {
            "aws_db_proxy_endpoint.reader.endpoint"
        } else {
            "aws_rds_cluster.main.reader_endpoint"
        })
    })
}
