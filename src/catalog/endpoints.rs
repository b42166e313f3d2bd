//! Target kind `vpc-endpoints`: one of the lab's interface endpoints (PrivateLink), through
//! which the app reaches an AWS service, whose traffic FIS blocks.
//!
//! Source: the FIS actions reference, `aws:network:disrupt-vpc-endpoint` (target
//! `aws:ec2:vpc-endpoint`, key `VPCEndpoints`): FIS creates a security group without rules,
//! puts it on the endpoints in place of their own, and puts theirs back at the end. A gateway
//! endpoint has no security group, so only interface endpoints can be targeted; a subnet's
//! network ACL (`aws:network:disrupt-connectivity`) does not sever them.

use super::action::{DURATION, LAB_RESOURCES, Statement, required};
use super::kinds::{Kind, Problem, TargetSelection, by_arns, duration, no_zone};
use super::rehearsal::{LocalFault, Rehearsal};
use super::{Action, LabView, Reach, Step};
use crate::base::hcl::Expr;
use crate::resources::Resources;
use crate::resources::network::interface_endpoint;

pub static ENDPOINTS: Kind = Kind {
    spec_key: "vpc-endpoints",
    fis_key: "VPCEndpoints",
    resource_type: "aws:ec2:vpc-endpoint",
    values: "a service under `network.interface_endpoints` (`s3`), whose interface endpoint the app reaches it through",
    example: "s3",
    needs_zone: false,
    resolve,
};

fn resolve(value: &str, az: Option<usize>, res: &Resources) -> Result<TargetSelection, Problem> {
    let names = &res.network.interface_endpoints;
    let Some(service) = names.iter().find(|s| *s == value) else {
        return Err(Problem::NoSuchEndpoint {
            value: value.to_owned(),
            names: names.clone(),
        });
    };
    let selection = TargetSelection {
        kind: &ENDPOINTS,
        value: service.clone(),
        zone: None,
        name: format!("{service}-endpoint"),
        description: format!("the {service} interface endpoint"),
        pick: by_arns(Expr::List(vec![interface_endpoint(service).attr("arn")])),
    };
    no_zone(az, selection)
}

/// The service whose endpoint a step blocks, as the app's dependencies are named.
fn service(e: &Step) -> Option<&'static str> {
    let value = e.selection()?.value_of(&ENDPOINTS)?;
    ["s3", "dynamodb"].into_iter().find(|s| *s == value)
}

pub fn expect_disrupt(lab: &LabView, e: &Step) -> String {
    let what = match (service(e), lab.app.as_ref()) {
        (Some("s3"), Some(_)) => {
            "`/promo`, which reads its banner from S3, degrades (the app answers it within its deadline, without the banner), while `/products` and the reviews keep answering 200"
        }
        _ => "every call through it times out",
    };
    format!(
        "for {}, FIS swaps the security group of {} for one that lets nothing through: {what}. When the action ends FIS puts the endpoint's own group back and the calls succeed again.",
        duration(e),
        e.selection()
            .map_or("the endpoint".to_owned(), |s| s.describe()),
    )
}

/// Blocking the endpoint cuts the service the app reaches through it.
pub fn reach(e: &Step) -> Reach {
    match service(e) {
        Some(s) => Reach::Cuts(s),
        None => Reach::Nothing,
    }
}

/// The endpoint's own group and FIS's empty one are both in the lab's VPC; FIS tags the group it
/// creates with no documented tag, so the VPC is what narrows these grants.
const IN_LAB_VPC: &[(&str, &str, &str)] = &[("ArnEquals", "ec2:Vpc", "{vpc_arn}")];

pub const DISRUPT_VPC_ENDPOINT: Action = Action {
    id: "aws:network:disrupt-vpc-endpoint",
    summary: "Blocks all traffic to the targeted interface VPC endpoints by swapping their security groups for an empty one.",
    target: Some(&ENDPOINTS),
    params: &[required(
        "duration",
        DURATION,
        "PT3M",
        "How long the endpoint lets nothing through.",
    )],
    iam: &[
        Statement {
            sid: "DescribeEndpointsAndGroups",
            actions: &["ec2:DescribeSecurityGroups", "ec2:DescribeVpcEndpoints"],
            resources: &["*"],
            conditions: &[],
        },
        Statement {
            sid: "SwapLabEndpointGroups",
            actions: &["ec2:ModifyVpcEndpoint"],
            resources: &["arn:{partition}:ec2:{region}:{account}:vpc-endpoint/*"],
            conditions: LAB_RESOURCES,
        },
        Statement {
            sid: "EmptyGroupInLabVpc",
            actions: &[
                "ec2:CreateSecurityGroup",
                "ec2:CreateTags",
                "ec2:DeleteSecurityGroup",
                "ec2:ModifyVpcEndpoint",
                "ec2:RevokeSecurityGroupEgress",
            ],
            resources: &["arn:{partition}:ec2:{region}:{account}:security-group/*"],
            conditions: IN_LAB_VPC,
        },
        Statement {
            sid: "CreateGroupInLabVpc",
            actions: &["ec2:CreateSecurityGroup"],
            resources: &["arn:{partition}:ec2:{region}:{account}:vpc/*"],
            conditions: LAB_RESOURCES,
        },
    ],
    provider_floor: (6, 38),
    expect: expect_disrupt,
    reach,
    rehearsal: Rehearsal::Local {
        how: "every packet to the service dropped, as the endpoint's empty security group drops it",
        fault: |e| match service(e) {
            Some(dependency) => Ok(LocalFault::Drop { dependency }),
            None => Err("the endpoint's service is not one the app calls".to_owned()),
        },
    },
};
