//! The lab README's "Before you apply" facts: what the tree needs, how long it takes, and a
//! rough hourly cost of what it bills, all derived from the lab so they follow the spec.
//!
//! Prices are us-east-1 on-demand list prices from the AWS pricing pages (VPC, Elastic Load
//! Balancing, EC2, EBS, Aurora, RDS Proxy, FIS), checked December 2026. They change and differ
//! by Region; the README says so next to the table.

use crate::experiments::{Lab, Nat};
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

/// `$0.0225`: up to four decimals, at least two.
pub fn dollars(amount: f64) -> String {
    let text = format!("{amount:.4}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        format!("${amount:.2}")
    } else {
        format!("${trimmed}")
    }
}

/// An AWS service the applying identity creates resources in: its name, its IAM action
/// prefix, and what the lab makes there.
pub struct Service {
    /// The service's name and IAM action prefix, as the README prints them.
    pub name: String,
    pub what: Vec<&'static str>,
}

/// The services, in the README's order: (name, IAM action prefix).
const SERVICES: [(&str, &str); 17] = [
    ("Amazon EC2", "ec2"),
    ("Amazon EC2 Auto Scaling", "autoscaling"),
    ("Elastic Load Balancing", "elasticloadbalancing"),
    ("Amazon ECS", "ecs"),
    ("AWS Lambda", "lambda"),
    ("AWS Systems Manager", "ssm"),
    ("Amazon RDS", "rds"),
    ("AWS Secrets Manager", "secretsmanager"),
    ("Amazon DynamoDB", "dynamodb"),
    ("Amazon S3", "s3"),
    ("Amazon SQS", "sqs"),
    ("Amazon CloudWatch", "cloudwatch"),
    ("Amazon CloudWatch Logs", "logs"),
    ("Amazon EventBridge", "events"),
    ("EventBridge Scheduler", "scheduler"),
    ("AWS FIS", "fis"),
    ("AWS IAM", "iam"),
];

/// Every resource and data source type the trees use: the service (an index into
/// [`SERVICES`]) and what it is there (`None`: nothing worth naming). A type may appear twice
/// (RDS creates the cluster's master secret in Secrets Manager with the caller's rights). A
/// test holds this complete against every type chaoslab emits.
pub const TYPES: &[(&str, usize, Option<&str>)] = &[
    ("aws_vpc", 0, Some("VPC")),
    ("aws_subnet", 0, Some("subnets")),
    ("aws_internet_gateway", 0, Some("internet gateway")),
    ("aws_nat_gateway", 0, Some("NAT gateways")),
    ("aws_eip", 0, Some("Elastic IPs")),
    ("aws_route_table", 0, Some("route tables")),
    ("aws_route", 0, Some("route tables")),
    ("aws_route_table_association", 0, Some("route tables")),
    ("aws_default_security_group", 0, Some("security groups")),
    ("aws_security_group", 0, Some("security groups")),
    (
        "aws_vpc_security_group_ingress_rule",
        0,
        Some("security groups"),
    ),
    (
        "aws_vpc_security_group_egress_rule",
        0,
        Some("security groups"),
    ),
    ("aws_vpc_endpoint", 0, Some("VPC endpoints")),
    ("aws_flow_log", 0, Some("flow logs")),
    ("aws_launch_template", 0, Some("launch templates")),
    ("aws_availability_zones", 0, None),
    ("aws_ami", 0, None),
    ("aws_autoscaling_group", 1, Some("Auto Scaling group")),
    ("aws_lb", 2, Some("Application Load Balancer")),
    ("aws_lb_listener", 2, Some("listener")),
    ("aws_lb_listener_rule", 2, Some("listener rules")),
    ("aws_lb_target_group", 2, Some("target groups")),
    (
        "aws_lb_target_group_attachment",
        2,
        Some("target registrations"),
    ),
    ("aws_ecs_cluster", 3, Some("cluster")),
    ("aws_ecs_service", 3, Some("service")),
    ("aws_ecs_task_definition", 3, Some("task definition")),
    ("aws_lambda_function", 4, Some("functions")),
    ("aws_lambda_permission", 4, Some("invoke permissions")),
    (
        "aws_ssm_parameter",
        5,
        Some("read the public AMI parameter"),
    ),
    ("aws_rds_cluster", 6, Some("Aurora cluster")),
    (
        "aws_rds_cluster",
        7,
        Some("the master secret RDS creates for the cluster with your rights"),
    ),
    ("aws_rds_cluster_instance", 6, Some("instances")),
    ("aws_db_subnet_group", 6, Some("DB subnet group")),
    ("aws_db_proxy", 6, Some("RDS Proxy")),
    ("aws_db_proxy_default_target_group", 6, Some("RDS Proxy")),
    ("aws_db_proxy_target", 6, Some("RDS Proxy")),
    ("aws_db_proxy_endpoint", 6, Some("RDS Proxy")),
    ("aws_secretsmanager_secret", 7, Some("secret")),
    ("aws_secretsmanager_secret_version", 7, Some("secret")),
    ("aws_dynamodb_table", 8, Some("tables")),
    ("aws_dynamodb_table_item", 8, Some("seed items")),
    ("aws_s3_bucket", 9, Some("buckets")),
    (
        "aws_s3_bucket_public_access_block",
        9,
        Some("bucket settings"),
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        9,
        Some("bucket settings"),
    ),
    ("aws_s3_bucket_versioning", 9, Some("bucket settings")),
    ("aws_s3_object", 9, Some("objects")),
    ("aws_sqs_queue", 10, Some("queue")),
    ("aws_cloudwatch_metric_alarm", 11, Some("alarms")),
    ("aws_cloudwatch_dashboard", 11, Some("dashboard")),
    ("aws_cloudwatch_log_group", 12, Some("log groups")),
    (
        "aws_cloudwatch_log_resource_policy",
        12,
        Some("resource policy"),
    ),
    ("aws_cloudwatch_event_rule", 13, Some("rule")),
    ("aws_cloudwatch_event_target", 13, Some("target")),
    ("aws_scheduler_schedule", 14, Some("schedules")),
    (
        "aws_fis_experiment_template",
        15,
        Some("experiment templates"),
    ),
    ("aws_iam_role", 16, Some("roles")),
    ("aws_iam_role_policy", 16, Some("role policies")),
    (
        "aws_iam_role_policy_attachment",
        16,
        Some("managed policy attachments"),
    ),
    ("aws_iam_instance_profile", 16, Some("instance profiles")),
];

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
/// uses it. A type missing from [`TYPES`] is named by its own type, never dropped.
pub fn services(model: &crate::model::Model) -> Vec<Service> {
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
    // What each service holds, in the order of TYPES.
    let rows: Vec<&(&str, usize, Option<&str>)> =
        TYPES.iter().filter(|(t, _, _)| kinds.contains(t)).collect();
    let mut out: Vec<Service> = SERVICES
        .iter()
        .enumerate()
        .filter(|(i, _)| rows.iter().any(|(_, u, _)| u == i))
        .map(|(i, (name, prefix))| {
            let mut what: Vec<&'static str> = Vec::new();
            for w in rows
                .iter()
                .filter(|(_, u, _)| *u == i)
                .filter_map(|(_, _, w)| *w)
            {
                if !what.contains(&w) {
                    what.push(w);
                }
            }
            if *prefix == "iam" {
                what.push("`iam:PassRole` on the roles");
            }
            Service {
                name: format!("{name} (`{prefix}`)"),
                what,
            }
        })
        .collect();
    // A type chaoslab forgot to map is named, not dropped (a test keeps this empty).
    out.extend(
        kinds
            .iter()
            .filter(|k| !TYPES.iter().any(|(t, _, _)| t == *k))
            .map(|k| Service {
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

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn dollars_keep_what_matters() {
        assert_eq!(dollars(0.045), "$0.045");
        assert_eq!(dollars(0.0225), "$0.0225");
        assert_eq!(dollars(0.12), "$0.12");
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(1.5), "$1.50");
    }
}
