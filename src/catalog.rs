//! The AWS FIS actions chaoslab knows, as data.
//!
//! Adding an action is adding one [`Action`] entry: the validator checks specs against it and
//! the IAM emitter derives the FIS role's policy from it, so nothing else needs editing.
//! Source: the AWS FIS actions reference and the managed policies it names (see
//! `fis-rules.md` §2 and §9 in the reference material).

/// Where an action's targets come from in a lab spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    /// Key under `targets:` in the spec, e.g. `subnets`.
    pub spec_key: &'static str,
    /// FIS target key in the action, e.g. `Subnets`.
    pub key: &'static str,
    /// FIS resource type of the template target, e.g. `aws:ec2:subnet`.
    pub resource_type: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// ISO 8601 duration within [min, max] seconds.
    Duration {
        min_secs: u64,
        max_secs: u64,
    },
    OneOf(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
    pub kind: ParamKind,
}

/// One IAM policy statement. Resource ARNs may use `{partition}`, `{region}` and `{account}`,
/// which the emitter fills from the lab's provider, never from spec text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sid: &'static str,
    pub actions: &'static [&'static str],
    pub resources: &'static [&'static str],
    /// (test, variable, value), e.g. `("StringEquals", "aws:RequestTag/managedByFIS", "true")`.
    pub conditions: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub id: &'static str,
    pub target: Option<TargetSpec>,
    /// In the order they are emitted (the article's order for disrupt-connectivity).
    pub params: &'static [Param],
    pub iam: &'static [Statement],
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

pub const ACTIONS: &[Action] = &[Action {
    id: "aws:network:disrupt-connectivity",
    target: Some(TargetSpec {
        spec_key: "subnets",
        key: "Subnets",
        resource_type: "aws:ec2:subnet",
    }),
    params: &[
        Param {
            name: "duration",
            required: true,
            kind: ParamKind::Duration {
                min_secs: MINUTE,
                max_secs: 12 * HOUR,
            },
        },
        Param {
            name: "scope",
            required: true,
            kind: ParamKind::OneOf(&[
                "all",
                "availability-zone",
                "dynamodb",
                "prefix-list",
                "s3",
                "s3express",
                "vpc",
            ]),
        },
    ],
    // AWSFaultInjectionSimulatorNetworkAccess, narrowed to the lab's account and Region.
    iam: &[
        Statement {
            sid: "CreateTagsOnFisNetworkAcl",
            actions: &["ec2:CreateTags"],
            resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
            conditions: &[
                ("StringEquals", "ec2:CreateAction", "CreateNetworkAcl"),
                ("StringEquals", "aws:RequestTag/managedByFIS", "true"),
            ],
        },
        Statement {
            sid: "CreateFisNetworkAcl",
            actions: &["ec2:CreateNetworkAcl"],
            resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
            conditions: &[("StringEquals", "aws:RequestTag/managedByFIS", "true")],
        },
        Statement {
            sid: "CreateNetworkAclInVpc",
            actions: &["ec2:CreateNetworkAcl"],
            resources: &["arn:{partition}:ec2:{region}:{account}:vpc/*"],
            conditions: &[],
        },
        Statement {
            sid: "EditFisNetworkAcl",
            actions: &["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
            resources: &[
                "arn:{partition}:ec2:{region}:{account}:network-acl/*",
                "arn:{partition}:ec2:{region}:{account}:vpc/*",
            ],
            conditions: &[("StringEquals", "ec2:ResourceTag/managedByFIS", "true")],
        },
        Statement {
            sid: "SwapSubnetNetworkAcl",
            actions: &["ec2:ReplaceNetworkAclAssociation"],
            resources: &[
                "arn:{partition}:ec2:{region}:{account}:network-acl/*",
                "arn:{partition}:ec2:{region}:{account}:subnet/*",
            ],
            conditions: &[],
        },
        Statement {
            sid: "ReadPrefixListEntries",
            actions: &["ec2:GetManagedPrefixListEntries"],
            resources: &["arn:{partition}:ec2:{region}:*:prefix-list/*"],
            conditions: &[],
        },
        Statement {
            sid: "DescribeNetwork",
            actions: &[
                "ec2:DescribeManagedPrefixLists",
                "ec2:DescribeNetworkAcls",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            resources: &["*"],
            conditions: &[],
        },
    ],
}];

pub fn find(id: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.id == id)
}
