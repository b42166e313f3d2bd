//! What the app (its load balancer and its fleet) contributes to the shared places: the load
//! balancer's and the app's security groups and the rules between them, the Region and its
//! guard settings in its config, its cost lines and how long an apply with it takes.
//!
//! Prices are us-east-1 on-demand list prices from the AWS pricing pages (Elastic Load
//! Balancing, EC2, EBS, Fargate), checked December 2026.

use super::{App, Runtime};
use crate::base::address::AWS_REGION;
use crate::base::hcl::Expr;
use crate::resources::network::{Network, PUBLIC_IPV4};
use crate::resources::services::{Service, TypeUse};
use crate::resources::slots::{
    ApplyTime, ConfigSection, CostLine, Direction, Peer, Rule, SecurityGroup, Setting, Slots,
};

const ALB_HOUR: f64 = 0.0225;
/// gp3 at $0.08 per GB-month, 10 GiB root volume, 730 hours a month.
const ROOT_VOLUME_HOUR: f64 = 0.08 * 10.0 / 730.0;
const FARGATE_VCPU_HOUR: f64 = 0.04048;
const FARGATE_GB_HOUR: f64 = 0.004445;
/// On-demand Linux prices of the instance types a lab is likely to use.
const INSTANCE_HOUR: &[(&str, f64)] = &[
    ("t3.nano", 0.0052),
    ("t3.micro", 0.0104),
    ("t3.small", 0.0208),
    ("t3.medium", 0.0416),
    ("t3.large", 0.0832),
];

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

/// The internet reaches only the load balancer, the load balancer only the app port, and the
/// app HTTPS (AWS APIs, package installs); the database kinds add their own rules.
pub fn contribute(app: &App, network: &Network, slots: &mut Slots) {
    let port = i64::from(app.port);
    slots.groups.extend([
        SecurityGroup {
            name: "alb",
            description: "Chaos Shop load balancer: HTTP from the internet",
        },
        SecurityGroup {
            name: "app",
            description: "Chaos Shop instances: the app port from the load balancer",
        },
    ]);
    let anywhere = || Peer::Cidr(Expr::str("0.0.0.0/0"));
    slots.rules.extend([
        Rule {
            direction: Direction::Ingress,
            name: "alb_http",
            group: "alb",
            description: "HTTP from the internet",
            port: 80,
            peer: anywhere(),
        },
        Rule {
            direction: Direction::Egress,
            name: "alb_to_app",
            group: "alb",
            description: "To the app port",
            port,
            peer: Peer::Group("app"),
        },
        Rule {
            direction: Direction::Ingress,
            name: "app_from_alb",
            group: "app",
            description: "App port from the load balancer",
            port,
            peer: Peer::Group("alb"),
        },
        Rule {
            direction: Direction::Egress,
            name: "app_https",
            group: "app",
            description: "HTTPS to AWS APIs and package repositories",
            port: 443,
            peer: anywhere(),
        },
    ]);
    slots.config.extend([
        Setting {
            section: ConfigSection::Connection,
            key: "region",
            value: AWS_REGION.expr(),
        },
        Setting {
            section: ConfigSection::Guard,
            key: "guard",
            value: guard(app),
        },
    ]);
    costs(app, network, slots);
    slots.apply_times.push(ApplyTime {
        minutes: 10,
        apply: "about 5 to 10 minutes",
        destroy: "about 5 minutes",
    });
}

fn costs(app: &App, network: &Network, slots: &mut Slots) {
    let mut row = |component: String, count: f64, unit_hour: Option<f64>, note: &'static str| {
        slots.costs.push(CostLine {
            component,
            count,
            unit_hour,
            note,
        });
    };
    row(
        PUBLIC_IPV4.to_owned(),
        network.azs as f64,
        Some(crate::resources::network::PUBLIC_IPV4_HOUR),
        crate::resources::network::PUBLIC_IPV4_NOTE,
    );
    row(
        "Application Load Balancer".to_owned(),
        1.0,
        Some(ALB_HOUR),
        "plus $0.008 per LCU-hour (a lab's probe uses a fraction of one)",
    );
    let instances = f64::from(app.instances);
    match &app.runtime {
        Runtime::Ec2 { instance_type, .. } => {
            let price = INSTANCE_HOUR
                .iter()
                .find(|(t, _)| t == instance_type)
                .map(|(_, p)| *p);
            row(
                format!("EC2 instance {instance_type}"),
                instances,
                price,
                if price.is_some() {
                    "Linux on-demand"
                } else {
                    "see the EC2 on-demand pricing page"
                },
            );
            row(
                "EBS gp3 root volume, 10 GiB".to_owned(),
                instances,
                Some(ROOT_VOLUME_HOUR),
                "$0.08 per GB-month",
            );
        }
        Runtime::Ecs(f) => {
            let vcpu = f64::from(f.cpu) / 1024.0;
            let gib = f64::from(f.memory) / 1024.0;
            row(
                format!("Fargate task, {vcpu} vCPU and {gib} GB"),
                instances,
                Some(vcpu * FARGATE_VCPU_HOUR + gib * FARGATE_GB_HOUR),
                "Linux/x86 on-demand: $0.04048 per vCPU-hour and $0.004445 per GB-hour (AWS Fargate pricing page)",
            );
        }
    }
}

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    (
        "aws_launch_template",
        Service::EC2,
        Some("launch templates"),
    ),
    ("aws_ami", Service::EC2, None),
    (
        "aws_autoscaling_group",
        Service::AUTO_SCALING,
        Some("Auto Scaling group"),
    ),
    (
        "aws_lb",
        Service::ELASTIC_LOAD_BALANCING,
        Some("Application Load Balancer"),
    ),
    (
        "aws_lb_listener",
        Service::ELASTIC_LOAD_BALANCING,
        Some("listener"),
    ),
    (
        "aws_lb_listener_rule",
        Service::ELASTIC_LOAD_BALANCING,
        Some("listener rules"),
    ),
    (
        "aws_lb_target_group",
        Service::ELASTIC_LOAD_BALANCING,
        Some("target groups"),
    ),
    (
        "aws_lb_target_group_attachment",
        Service::ELASTIC_LOAD_BALANCING,
        Some("target registrations"),
    ),
    ("aws_ecs_cluster", Service::ECS, Some("cluster")),
    ("aws_ecs_service", Service::ECS, Some("service")),
    (
        "aws_ecs_task_definition",
        Service::ECS,
        Some("task definition"),
    ),
    (
        "aws_ssm_parameter",
        Service::SYSTEMS_MANAGER,
        Some("read the public AMI parameter"),
    ),
    (
        "aws_cloudwatch_log_group",
        Service::CLOUDWATCH_LOGS,
        Some("log groups"),
    ),
    ("aws_iam_role", Service::IAM, Some("roles")),
    ("aws_iam_role_policy", Service::IAM, Some("role policies")),
    (
        "aws_iam_role_policy_attachment",
        Service::IAM,
        Some("managed policy attachments"),
    ),
    (
        "aws_iam_instance_profile",
        Service::IAM,
        Some("instance profiles"),
    ),
];
