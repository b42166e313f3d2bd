//! The lab README's "Before you apply" facts: what the tree needs, how long it takes, and a
//! rough hourly cost of what it bills, all derived from the lab so they follow the spec.
//!
//! Prices are us-east-1 on-demand list prices from the AWS pricing pages (VPC, Elastic Load
//! Balancing, EC2, EBS, Aurora, RDS Proxy, FIS), checked December 2026. They change and differ
//! by Region; the README says so next to the table.

use crate::validate::{Lab, Nat};

/// Where the prices come from, printed under the table.
pub const PRICE_SOURCE: &str = "us-east-1 on-demand list prices from the AWS pricing pages (Amazon VPC, Elastic Load Balancing, Amazon EC2, Amazon EBS, Amazon Aurora, Amazon RDS Proxy and AWS FIS), checked December 2026; other Regions and later dates differ, so check the pages (or the AWS Pricing Calculator) before you rely on them";

const NAT_HOUR: f64 = 0.045;
const PUBLIC_IPV4_HOUR: f64 = 0.005;
const ALB_HOUR: f64 = 0.0225;
/// gp3 at $0.08 per GB-month, 10 GiB root volume, 730 hours a month.
const ROOT_VOLUME_HOUR: f64 = 0.08 * 10.0 / 730.0;
const ACU_HOUR: f64 = 0.12;
const FARGATE_VCPU_HOUR: f64 = 0.04048;
const FARGATE_GB_HOUR: f64 = 0.004445;
/// RDS Proxy on Aurora Serverless v2: $0.015 per ACU-hour, billed for at least 8 ACUs.
const PROXY_HOUR: f64 = 0.015 * 8.0;
/// On-demand Linux prices of the instance types a lab is likely to use.
const INSTANCE_HOUR: &[(&str, f64)] = &[
    ("t3.nano", 0.0052),
    ("t3.micro", 0.0104),
    ("t3.small", 0.0208),
    ("t3.medium", 0.0416),
    ("t3.large", 0.0832),
];

/// One billed component: what, how many, price per unit-hour (None: see the pricing page),
/// and what else it bills.
pub struct Cost {
    pub component: String,
    pub count: f64,
    pub unit_hour: Option<f64>,
    pub note: &'static str,
}

pub fn costs(lab: &Lab) -> Vec<Cost> {
    let mut out = Vec::new();
    let mut row = |component: String, count: f64, unit_hour: Option<f64>, note: &'static str| {
        if count > 0.0 {
            out.push(Cost {
                component,
                count,
                unit_hour,
                note,
            });
        }
    };
    let nat = match lab.network.nat {
        Nat::None => 0.0,
        Nat::Single => 1.0,
        Nat::PerAz => lab.network.azs as f64,
    };
    row(
        "NAT gateway".to_owned(),
        nat,
        Some(NAT_HOUR),
        "plus $0.045 per GB it processes",
    );
    let alb_addresses = if lab.app.is_some() {
        lab.network.azs as f64
    } else {
        0.0
    };
    row(
        "Public IPv4 address (NAT gateways, load balancer nodes)".to_owned(),
        nat + alb_addresses,
        Some(PUBLIC_IPV4_HOUR),
        "the load balancer has about one per zone",
    );
    if let Some(app) = &lab.app {
        row(
            "Application Load Balancer".to_owned(),
            1.0,
            Some(ALB_HOUR),
            "plus $0.008 per LCU-hour (a lab's probe uses a fraction of one)",
        );
        match &app.runtime {
            crate::validate::Runtime::Ec2 { instance_type } => {
                let price = INSTANCE_HOUR
                    .iter()
                    .find(|(t, _)| t == instance_type)
                    .map(|(_, p)| *p);
                row(
                    format!("EC2 instance {instance_type}"),
                    f64::from(app.instances),
                    price,
                    if price.is_some() {
                        "Linux on-demand"
                    } else {
                        "see the EC2 on-demand pricing page"
                    },
                );
                row(
                    "EBS gp3 root volume, 10 GiB".to_owned(),
                    f64::from(app.instances),
                    Some(ROOT_VOLUME_HOUR),
                    "$0.08 per GB-month",
                );
            }
            crate::validate::Runtime::Ecs(f) => {
                let vcpu = f64::from(f.cpu) / 1024.0;
                let gib = f64::from(f.memory) / 1024.0;
                row(
                    format!("Fargate task, {vcpu} vCPU and {gib} GB"),
                    f64::from(app.instances),
                    Some(vcpu * FARGATE_VCPU_HOUR + gib * FARGATE_GB_HOUR),
                    "Linux/x86 on-demand: $0.04048 per vCPU-hour and $0.004445 per GB-hour (AWS Fargate pricing page)",
                );
            }
        }
    }
    if let Some(a) = &lab.aurora {
        let instances = 1.0 + f64::from(a.readers);
        row(
            "Aurora Serverless v2 instance at its minimum capacity".to_owned(),
            instances,
            Some(a.min_capacity * ACU_HOUR),
            if a.min_capacity == 0.0 {
                "$0 while paused; $0.12 per ACU-hour when running, up to max_capacity; plus storage ($0.10 per GB-month) and I/O"
            } else {
                "$0.12 per ACU-hour, up to max_capacity under load; plus storage ($0.10 per GB-month) and I/O"
            },
        );
        if a.proxy {
            row(
                "RDS Proxy".to_owned(),
                1.0,
                Some(PROXY_HOUR),
                "$0.015 per ACU-hour, at least 8 ACUs",
            );
        }
    }
    out
}

/// Sum of the priced rows per hour.
pub fn total(costs: &[Cost]) -> f64 {
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

/// The AWS services the applying identity must be allowed to create and delete resources in.
pub fn services(lab: &Lab) -> Vec<&'static str> {
    let mut out = vec!["Amazon EC2 and VPC (network, security groups)"];
    if lab.network.nat != Nat::None {
        out.push("NAT gateways and Elastic IPs");
    }
    if lab.app.is_some() {
        out.extend([
            "EC2 launch templates and Auto Scaling",
            "Elastic Load Balancing",
            "SSM Parameter Store (read the public AMI parameter)",
        ]);
    }
    if lab.aurora.is_some() {
        out.push("Amazon RDS (Aurora, its subnet group; RDS creates the master secret in Secrets Manager with your permissions)");
    }
    if !lab.tables.is_empty() {
        out.push("DynamoDB");
    }
    if !lab.buckets.is_empty() {
        out.push("Amazon S3");
    }
    if !lab.alarms.is_empty() {
        out.push("CloudWatch alarms");
    }
    if !lab.experiments.is_empty() {
        out.extend(["AWS FIS", "CloudWatch Logs"]);
    }
    out.push("IAM (roles, role policies, instance profiles, and `iam:PassRole` on them)");
    out
}

/// Rough wall-clock time of `terraform apply` and of `terraform destroy`.
pub fn durations(lab: &Lab) -> (&'static str, &'static str) {
    match (&lab.aurora, &lab.app) {
        (Some(a), _) if a.proxy => (
            "about 20 to 30 minutes (Aurora's cluster and instances, then RDS Proxy, take most of it)",
            "about 15 minutes",
        ),
        (Some(_), _) => (
            "about 15 to 25 minutes (Aurora's cluster and instances take most of it)",
            "about 10 to 15 minutes",
        ),
        (None, Some(_)) => ("about 5 to 10 minutes", "about 5 minutes"),
        (None, None) => ("a few minutes", "a few minutes"),
    }
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
