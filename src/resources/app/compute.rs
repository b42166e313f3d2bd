//! compute.tf: the Chaos Shop fleet. A launch template (latest Amazon Linux 2023 from the
//! public SSM parameter, IMDSv2 only, encrypted root volume, the app delivered by user_data)
//! and an auto-scaling group spread over every private app subnet.

use crate::base::address::{
    APP_CONFIG, APP_PROFILE, ASG, LAUNCH_TEMPLATE, PRIVATE_ASSOCIATIONS, PRIVATE_NAT_ROUTE,
    TARGET_GROUP, WRITER, security_group,
};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::app::{App, Runtime};
use crate::resources::network::{Tier, subnets};
use crate::resources::slots::Slots;
use crate::resources::tree::{Context, Tree, name_tag, prefixed};

const FILE: &str = "compute.tf";
/// Where the rendered app bootstrap lives in the generated tree.
pub const USER_DATA: &str = "templates/user_data.sh.tftpl";

pub fn build(app: &App, context: &Context, slots: &Slots, tree: &mut Tree) {
    let Runtime::Ec2 {
        instance_type,
        spot,
    } = &app.runtime
    else {
        return;
    };
    let config = config_locals(slots);
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
            )
            // The group's tags reach its instances, never their volumes: the EBS faults pick
            // these by Name, and the FIS role may act only on what carries the Lab tag.
            .block(
                Block::new("tag_specifications", &[])
                    .attr("resource_type", Expr::str("volume"))
                    .attr(
                        "tags",
                        Expr::map([
                            ("Name", prefixed(super::VOLUME_NAME)),
                            ("Lab", Expr::str(&context.lab_tag)),
                        ]),
                    ),
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
            .attr_opt("capacity_rebalance", spot.then_some(Expr::Bool(true)))
            .block(launch_template(*spot))
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
                    .attr("value", Expr::str(&context.lab_tag))
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

/// The group's launch template; on Spot, inside a mixed-instances policy that asks for Spot
/// only (no On-Demand base) from the pools least likely to be interrupted. With
/// `capacity_rebalance` the group launches a replacement when EC2 sends a rebalance
/// recommendation, before the two-minute interruption notice ("Use Capacity Rebalancing",
/// EC2 Auto Scaling User Guide).
fn launch_template(spot: bool) -> Block {
    let template = |name: &'static str| {
        Block::new(name, &[])
            .attr(
                if spot { "launch_template_id" } else { "id" },
                LAUNCH_TEMPLATE.attr("id"),
            )
            .attr("version", LAUNCH_TEMPLATE.attr("latest_version"))
    };
    if !spot {
        return template("launch_template");
    }
    Block::new("mixed_instances_policy", &[])
        .block(
            Block::new("instances_distribution", &[])
                .attr("on_demand_base_capacity", Expr::int(0))
                .attr("on_demand_percentage_above_base_capacity", Expr::int(0))
                .attr(
                    "spot_allocation_strategy",
                    Expr::str("price-capacity-optimized"),
                ),
        )
        .block(Block::new("launch_template", &[]).block(template("launch_template_specification")))
}

/// `local.app_config`: the runtime settings the app reads from /etc/chaos-shop/config.json,
/// the same on an instance and in a task: the keys the kinds it uses contribute. `jsonencode`
/// keeps every value a JSON string, so nothing can escape into the bootstrap.
pub fn config_locals(slots: &Slots) -> Block {
    Block::new("locals", &[]).attr(
        "app_config",
        Expr::map(
            slots
                .settings()
                .into_iter()
                .map(|s| (s.key, s.value.clone())),
        ),
    )
}
