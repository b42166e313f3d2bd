//! ecs.tf: the Chaos Shop on Fargate (`app.runtime: ecs`), behind the same load balancer.
//!
//! No image is built on the applying machine: the tasks run the public `python:3.12-slim`
//! image, and the task definition hands them the app, its locked requirements and its config
//! in environment variables, which `app/boot.py` writes out before it becomes Gunicorn. So
//! `terraform plan` needs nothing but the tree, and the app is byte for byte the instances'.
//!
//! With `fault_injection` (the default) the tasks are set up as "Use the AWS FIS aws:ecs:task
//! actions" asks: an SSM agent sidecar that registers each task as a managed instance with
//! the role [`FIS_AGENT_ROLE`], `pidMode: task` (kill-process and the network faults reach
//! the app's processes), `enableFaultInjection` (the ECS fault-injection endpoints, "Use
//! fault injection with your Amazon ECS and Fargate workloads"), and ECS Exec off, whose own
//! agent would keep the sidecar's from registering.

use crate::base::address::{
    APP_LOGS, APP_ROLE, AWS_REGION, ECS_CLUSTER, ECS_EXECUTION_ROLE, ECS_SERVICE, ECS_TASKS_ASSUME,
    FIS_AGENT_ROLE, LISTENER, PARTITION, PRIVATE_ASSOCIATIONS, PRIVATE_NAT_ROUTE, TARGET_GROUP,
    TASK_DEFINITION, WRITER, security_group,
};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::app::{App, Fargate};
use crate::resources::iam;
use crate::resources::network::{Tier, subnets};
use crate::resources::slots::Slots;
use crate::resources::tree::{Accepted, Context, Tree, account_id, prefixed};

const FILE: &str = "ecs.tf";

/// Files of the tree the task definition reads with `file()`.
pub const BOOT: &str = "app/boot.py";
pub const APP: &str = "app/app.py";
pub const REQUIREMENTS: &str = "app/requirements.txt";
pub const SIDECAR: &str = "app/ssm_agent_sidecar.sh";

/// Public images, so the tasks need no registry credentials (ECR Public, Docker Official
/// Images and the SSM agent image the FIS guide names).
const APP_IMAGE: &str = "public.ecr.aws/docker/library/python:3.12-slim";
const SSM_AGENT_IMAGE: &str = "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest";

/// The app container's name, which the service's load balancer block names too.
const CONTAINER: &str = "app";

pub fn build(app: &App, context: &Context, slots: &Slots, tree: &mut Tree) {
    let Some(fargate) = app.fargate() else { return };
    let config = super::compute::config_locals(slots);
    tree.accept(&TASK_LOGS);
    tree.add(FILE, config);
    tree.add(
        FILE,
        ECS_CLUSTER.block().attr("name", prefixed("app")).block(
            Block::new("setting", &[])
                .attr("name", Expr::str("containerInsights"))
                .attr("value", Expr::str("enabled")),
        ),
    );
    tree.add(
        FILE,
        APP_LOGS
            .block()
            .attr(
                "name",
                Expr::template(vec![
                    lit("/ecs/"),
                    interp(crate::base::address::NAME_PREFIX.expr()),
                    lit("-app"),
                ]),
            )
            .attr("retention_in_days", Expr::int(30)),
    );
    execution_role(tree);
    if fargate.fault_injection {
        agent_roles(context, tree);
    }
    task_definition(app, fargate, tree);
    tree.add(
        FILE,
        ECS_SERVICE
            .block()
            .attr("name", prefixed("app"))
            .attr("cluster", ECS_CLUSTER.attr("id"))
            .attr("task_definition", TASK_DEFINITION.attr("arn"))
            .attr("desired_count", Expr::int(i64::from(app.instances)))
            .attr("launch_type", Expr::str("FARGATE"))
            // ECS Exec starts an SSM agent of its own in every container, and the FIS guide
            // asks for it off before aws:ecs:task actions run.
            .attr("enable_execute_command", Expr::Bool(false))
            .attr("health_check_grace_period_seconds", Expr::int(300))
            .attr("propagate_tags", Expr::str("SERVICE"))
            .block(
                Block::new("network_configuration", &[])
                    .attr("subnets", subnets(Tier::Private, "id"))
                    .attr(
                        "security_groups",
                        Expr::List(vec![security_group("app").attr("id")]),
                    )
                    .attr("assign_public_ip", Expr::Bool(false)),
            )
            .block(
                Block::new("load_balancer", &[])
                    .attr("target_group_arn", TARGET_GROUP.attr("arn"))
                    .attr("container_name", Expr::str(CONTAINER))
                    .attr("container_port", Expr::int(i64::from(app.port))),
            )
            .blank()
            // A target group joins a service only once a listener puts it behind the load
            // balancer; the tasks seed the catalog (the writer) and pull images and packages
            // through the NAT gateway.
            .attr(
                "depends_on",
                Expr::List(vec![
                    LISTENER.expr(),
                    WRITER.expr(),
                    PRIVATE_NAT_ROUTE.expr(),
                    PRIVATE_ASSOCIATIONS.expr(),
                ]),
            ),
    );
    tree.output(
        "ecs_cluster_name",
        "Name of the ECS cluster the app runs in.",
        ECS_CLUSTER.attr("name"),
    );
    tree.output(
        "ecs_service_name",
        "Name of the app's ECS service.",
        ECS_SERVICE.attr("name"),
    );
}

/// `${path.module}/<file>`.
fn module_file(name: &str) -> Expr {
    Expr::call(
        "file",
        vec![Expr::template(vec![
            interp(Expr::r("path.module")),
            lit(format!("/{name}")),
        ])],
    )
}

/// The execution role pulls nothing private (public images): it only writes the containers'
/// logs to the lab's log group.
fn execution_role(tree: &mut Tree) {
    tree.add(
        FILE,
        ECS_EXECUTION_ROLE
            .block()
            .attr("name", prefixed("ecs-execution"))
            .attr(
                "description",
                Expr::str("Starts the Chaos Shop tasks: writes their logs."),
            )
            .attr("assume_role_policy", ECS_TASKS_ASSUME.attr("json")),
    );
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "ecs_execution").block(iam::statement(
            "WriteTaskLogs",
            vec![
                Expr::str("logs:CreateLogStream"),
                Expr::str("logs:PutLogEvents"),
            ],
            vec![Expr::template(vec![
                interp(APP_LOGS.attr("arn")),
                lit(":*"),
            ])],
        )),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "ecs_execution")
            .attr("name", Expr::str("task-logs"))
            .attr("role", ECS_EXECUTION_ROLE.attr("id"))
            .attr(
                "policy",
                Expr::r("data.aws_iam_policy_document.ecs_execution.json"),
            ),
    );
}

/// The two roles of the FIS guide's setup: the task role (the app's, [`APP_ROLE`]) may create
/// the one-time activation and pass the managed-instance role; the managed-instance role is
/// what a registered task runs FIS's documents with, and may clean its registration up.
fn agent_roles(context: &Context, tree: &mut Tree) {
    tree.accept(&AGENT_ACTIVATION);
    tree.add(
        FILE,
        iam::trust_policy(
            "ssm_assume",
            "ssm.amazonaws.com",
            vec![iam::condition(
                "StringEquals",
                "aws:SourceAccount",
                account_id(),
            )],
        ),
    );
    tree.add(
        FILE,
        FIS_AGENT_ROLE
            .block()
            .attr("name", prefixed("fis-agent"))
            .attr(
                "description",
                Expr::str("Chaos Shop tasks registered with SSM, for FIS task faults."),
            )
            .attr(
                "assume_role_policy",
                Expr::r("data.aws_iam_policy_document.ssm_assume.json"),
            ),
    );
    tree.add(
        FILE,
        iam::ssm_core_attachment("fis_agent_ssm", FIS_AGENT_ROLE.attr("name")),
    );
    let managed_instances = Expr::template(vec![
        lit("arn:"),
        interp(PARTITION.attr("partition")),
        lit(":ssm:"),
        interp(AWS_REGION.expr()),
        lit(":"),
        interp(account_id()),
        lit(":managed-instance/*"),
    ]);
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "fis_agent")
            // DeleteActivation has no resource type (Service Authorization Reference, SSM).
            .block(iam::statement(
                "DeleteOwnActivation",
                vec![Expr::str("ssm:DeleteActivation")],
                vec![Expr::str("*")],
            ))
            // Only the managed instances the sidecars registered for this lab's cluster: their
            // activation tagged them with their task's ARN.
            .block(
                iam::statement(
                    "DeregisterOwnRegistration",
                    vec![Expr::str("ssm:DeregisterManagedInstance")],
                    vec![managed_instances],
                )
                .block(context.task_instances.clone()),
            ),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "fis_agent")
            .attr("name", Expr::str("deregister"))
            .attr("role", FIS_AGENT_ROLE.attr("id"))
            .attr(
                "policy",
                Expr::r("data.aws_iam_policy_document.fis_agent.json"),
            ),
    );
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "task_agent")
            // CreateActivation has no resource type; the tags it sets need AddTagsToResource.
            .block(iam::statement(
                "RegisterTaskWithSsm",
                vec![
                    Expr::str("ssm:AddTagsToResource"),
                    Expr::str("ssm:CreateActivation"),
                ],
                vec![Expr::str("*")],
            ))
            .block(iam::statement(
                "PassAgentRole",
                vec![Expr::str("iam:PassRole")],
                vec![FIS_AGENT_ROLE.attr("arn")],
            )),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "task_agent")
            .attr("name", Expr::str("fis-agent"))
            .attr("role", APP_ROLE.attr("id"))
            .attr(
                "policy",
                Expr::r("data.aws_iam_policy_document.task_agent.json"),
            ),
    );
}

fn task_definition(app: &App, fargate: &Fargate, tree: &mut Tree) {
    let logs = |prefix: &str| {
        Expr::map([
            ("logDriver", Expr::str("awslogs")),
            (
                "options",
                Expr::map([
                    ("awslogs-group", APP_LOGS.attr("name")),
                    ("awslogs-region", AWS_REGION.expr()),
                    ("awslogs-stream-prefix", Expr::str(prefix)),
                ]),
            ),
        ])
    };
    let env = |name: &str, value: Expr| Expr::map([("name", Expr::str(name)), ("value", value)]);
    let text = |n: u32| Expr::str(n.to_string());
    let app_container = Expr::map([
        ("name", Expr::str(CONTAINER)),
        ("image", Expr::str(APP_IMAGE)),
        ("essential", Expr::Bool(true)),
        (
            "command",
            Expr::List(vec![
                Expr::str("python"),
                Expr::str("-c"),
                module_file(BOOT),
            ]),
        ),
        (
            "environment",
            Expr::List(vec![
                env(
                    "CHAOS_SHOP_APP",
                    Expr::call("base64gzip", vec![module_file(APP)]),
                ),
                env(
                    "CHAOS_SHOP_CONFIG",
                    Expr::call("jsonencode", vec![crate::base::address::APP_CONFIG.expr()]),
                ),
                env("CHAOS_SHOP_PORT", text(u32::from(app.port))),
                env("CHAOS_SHOP_REQUIREMENTS", module_file(REQUIREMENTS)),
                env("CHAOS_SHOP_THREADS", text(app.threads)),
                env("CHAOS_SHOP_WORKERS", text(app.workers)),
            ]),
        ),
        (
            "portMappings",
            Expr::List(vec![Expr::map([
                ("containerPort", Expr::int(i64::from(app.port))),
                ("protocol", Expr::str("tcp")),
            ])]),
        ),
        ("logConfiguration", logs("app")),
    ]);
    let mut containers = vec![app_container];
    if fargate.fault_injection {
        containers.push(Expr::map([
            ("name", Expr::str("amazon-ssm-agent")),
            ("image", Expr::str(SSM_AGENT_IMAGE)),
            // The app serves on without it; FIS task faults wait until it has registered.
            ("essential", Expr::Bool(false)),
            (
                "command",
                Expr::List(vec![
                    Expr::str("/bin/bash"),
                    Expr::str("-c"),
                    module_file(SIDECAR),
                ]),
            ),
            (
                "environment",
                Expr::List(vec![env(
                    "MANAGED_INSTANCE_ROLE_NAME",
                    FIS_AGENT_ROLE.attr("name"),
                )]),
            ),
            ("logConfiguration", logs("ssm-agent")),
        ]));
    }
    let mut block = TASK_DEFINITION
        .block()
        .attr("family", prefixed("app"))
        .attr(
            "requires_compatibilities",
            Expr::List(vec![Expr::str("FARGATE")]),
        )
        .attr("network_mode", Expr::str("awsvpc"))
        .attr("cpu", Expr::str(fargate.cpu.to_string()))
        .attr("memory", Expr::str(fargate.memory.to_string()))
        .attr("execution_role_arn", ECS_EXECUTION_ROLE.attr("arn"))
        .attr("task_role_arn", APP_ROLE.attr("arn"));
    if fargate.fault_injection {
        block = block
            .attr("pid_mode", Expr::str("task"))
            .attr("enable_fault_injection", Expr::Bool(true));
    }
    tree.add(
        FILE,
        block
            .attr(
                "container_definitions",
                Expr::call("jsonencode", vec![Expr::List(containers)]),
            )
            .block(
                Block::new("runtime_platform", &[])
                    .attr("operating_system_family", Expr::str("LINUX"))
                    .attr("cpu_architecture", Expr::str("X86_64")),
            ),
    );
}

const TASK_LOGS: Accepted = Accepted {
    findings: "CKV_AWS_158, CKV_AWS_338 on the task log group (no KMS key, 30 days)",
    reason: "the task logs are the app's own, with no user data, kept as long as the FIS logs",
};

const AGENT_ACTIVATION: Accepted = Accepted {
    findings: "CKV_AWS_356 on `task_agent` (`ssm:CreateActivation` and `ssm:AddTagsToResource` on `*`)",
    reason: "those SSM calls have no resource type to scope them to; the FIS guide for aws:ecs:task actions grants them so",
};
