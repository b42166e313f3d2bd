//! The AWS FIS actions chaoslab knows, as data.
//!
//! Adding an action on an existing target kind is adding one [`Action`] entry: the validator
//! checks specs against it, the IAM emitter derives the FIS role's policy from it and the lab
//! README takes its expectation from it. Each [`TargetKind`] has one module below that owns
//! everything about it (resolving a spec target, the FIS target block, the README wording);
//! adding a kind is one module plus its entries (`functions` is the Lambda one, `tasks` the
//! ECS one).
//! Source: the AWS FIS actions reference and the managed policies it names (see
//! `fis-rules.md` §2 and §9 in the reference material). Every service fact an entry relies on
//! is in `data/fis-facts.json` with its documentation URL and the date it was read, and
//! tests/suite/fis_facts.rs holds the entries to it.

pub mod doc;
pub mod facts;
mod functions;
mod instances;
mod kinds;
mod network;
mod rds;
mod roles;
pub mod ssm;
mod tables;
mod tasks;
mod wait;

pub use functions::{DEFAULT_DELAY_MS, delay_problem};
pub use kinds::{Problem, TargetKind, TargetSelection};
pub use network::aurora_cut_problem;

use crate::experiments::{Experiment, Lab};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// ISO 8601 duration within [min, max] seconds.
    Duration {
        min_secs: u64,
        max_secs: u64,
    },
    /// One of the listed values; `advice` explains the usual mistake when the value is wrong.
    OneOf {
        values: &'static [&'static str],
        advice: Option<&'static str>,
    },
    Bool,
    /// A whole number within [min, max].
    Int {
        min: u64,
        max: u64,
    },
    /// Comma-separated API operation names, e.g. `DescribeInstances,RunInstances`.
    Operations,
    /// An AWSFIS-Run-* SSM document, by name or by the ARN of the lab Region's copy
    /// (`arn:aws:ssm:<region>::document/<name>`); emitted as an ARN built from `var.aws_region`.
    SsmDocument,
    /// The JSON object of string parameters for the action's `SsmDocument`, checked against
    /// that document's entry in [`ssm::DOCUMENTS`].
    DocumentParameters,
    /// A non-empty identifier (name, ID or ARN) of another resource.
    Identifier,
    /// A media type for a `Content-Type` header, e.g. `text/plain` or
    /// `application/json; charset=utf-8`.
    MediaType,
    /// The name of a process inside a task, as `pgrep` matches it, e.g. `gunicorn`.
    ProcessName,
    /// Comma-separated traffic sources a task network fault is limited to: IPv4 addresses,
    /// CIDR blocks, domain names, `DYNAMODB` or `S3`.
    Sources,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
    pub kind: ParamKind,
    /// What the parameter does, for `chaoslab actions` and the README (Markdown).
    pub meaning: &'static str,
    /// Required: a value for the spec snippet, as YAML flow text. Optional: what FIS does
    /// when it is left out.
    pub example_or_default: &'static str,
    /// The only value FIS accepts for this parameter on Fargate tasks, where its default does
    /// not work: chaoslab emits it for the app's tasks (which `runtime: ecs` runs on Fargate)
    /// and refuses any other (E041).
    pub on_fargate: Option<&'static str>,
}

/// One IAM policy statement. Resource ARNs and condition values may use `{partition}`,
/// `{region}` and `{account}`, which the emitter fills from the lab's provider, never from
/// spec text; `{fis_config}`, the ARN of the lab's FIS Lambda configuration bucket;
/// `{ecs_cluster}` and `{ecs_cluster_arn}`, the name and ARN of the lab's ECS cluster;
/// `{lab_tag}`, the value of the `Lab` tag the lab puts on its resources. A resource of
/// exactly `{functions}` stands for the ARNs of the lab's functions that carry the FIS
/// extension; `{global_tables}`, for the ARNs (in every Region) of the lab's tables that have
/// replicas, and of their streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sid: &'static str,
    pub actions: &'static [&'static str],
    pub resources: &'static [&'static str],
    /// (test, variable, value), e.g. `("StringEquals", "aws:RequestTag/managedByFIS", "true")`.
    pub conditions: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Clone, Copy, Debug)]
pub struct Action {
    pub id: &'static str,
    /// What the action does, in one sentence (Markdown), for `chaoslab actions`.
    pub summary: &'static str,
    pub target: Option<TargetKind>,
    /// In the order they are emitted (the article's order for disrupt-connectivity).
    pub params: &'static [Param],
    pub iam: &'static [Statement],
    /// The oldest hashicorp/aws release whose `aws_fis_experiment_template` accepts what the
    /// action emits (its target key, parameters), as (major, minor). versions.tf asks for the
    /// highest floor among the lab's actions.
    pub provider_floor: (u32, u32),
    /// What a run should show, for the lab README (one or two sentences of Markdown).
    pub expect: fn(&Lab, &Experiment) -> String,
    /// Which of the app's endpoints the fault can degrade: what `expect:` may claim, and its
    /// default.
    pub reach: fn(&Experiment) -> Reach,
}

/// What a fault can do to the app's endpoints, each of which is served from one dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing the app calls: every endpoint stays healthy.
    Nothing,
    /// Cuts the dependency for the whole run: its endpoint degrades, the others stay healthy.
    Cuts(&'static str),
    /// Disturbs the dependency for a moment (a failover, a reboot): its endpoint may fail
    /// briefly, so by default it is not judged; the others stay healthy.
    Disturbs(&'static str),
    /// The instances or the network around them: any endpoint can fail; by default all are
    /// expected to stay healthy (the fleet and the load balancer absorb it).
    Everything,
    /// Every app instance cut off the load balancer (`scope: all` on every app subnet): every
    /// endpoint fails for the whole run, so by default none is judged while it lasts.
    Blackout,
}

impl Reach {
    /// What two actions of one template can do together. Equal reaches stay; a cut outweighs
    /// a brief disturbance of the same dependency; anything else (two dependencies, a
    /// dependency and the fleet) can degrade any endpoint, so `expect:` must say which.
    pub fn union(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Nothing, r) | (r, Reach::Nothing) => r,
            (Reach::Blackout, _) | (_, Reach::Blackout) => Reach::Blackout,
            (a, b) if a == b => a,
            (Reach::Cuts(a), Reach::Disturbs(b)) | (Reach::Disturbs(b), Reach::Cuts(a))
                if a == b =>
            {
                Reach::Cuts(a)
            }
            _ => Reach::Everything,
        }
    }
}

/// The 6.x line chaoslab is written and schema-checked against (6.62.0).
pub const PROVIDER_BASE: (u32, u32) = (6, 0);

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
/// The default FIS action duration range: one minute to twelve hours.
const DURATION: ParamKind = ParamKind::Duration {
    min_secs: MINUTE,
    max_secs: 12 * HOUR,
};

/// A required parameter, with the value the spec snippet shows.
const fn required(
    name: &'static str,
    kind: ParamKind,
    example: &'static str,
    meaning: &'static str,
) -> Param {
    Param {
        name,
        required: true,
        kind,
        meaning,
        example_or_default: example,
        on_fargate: None,
    }
}

/// An optional parameter, with what happens without it.
const fn optional(
    name: &'static str,
    kind: ParamKind,
    default: &'static str,
    meaning: &'static str,
) -> Param {
    Param {
        name,
        required: false,
        kind,
        meaning,
        example_or_default: default,
        on_fargate: None,
    }
}

const SUBNETS: Option<TargetKind> = Some(TargetKind::Subnets);
const INSTANCES: Option<TargetKind> = Some(TargetKind::Instances);
const ROLES: Option<TargetKind> = Some(TargetKind::Roles);
const FUNCTIONS: Option<TargetKind> = Some(TargetKind::Functions);

const TAG_RESOLUTION: Statement = Statement {
    sid: "ResolveTargetsByTag",
    actions: &["tag:GetResources"],
    resources: &["*"],
    conditions: &[],
};

/// Narrows a grant on every resource of a type to the lab's own, by the `Lab` tag its
/// provider's default_tags put on them (the auto-scaling group propagates it to instances).
const LAB_RESOURCES: &[(&str, &str, &str)] =
    &[("StringEquals", "aws:ResourceTag/Lab", "{lab_tag}")];

const DESCRIBE_INSTANCES: Statement = Statement {
    sid: "DescribeInstances",
    actions: &["ec2:DescribeInstances"],
    resources: &["*"],
    conditions: &[],
};

/// FIS follows the SSM commands it sends, and cancels them when the action stops.
const FOLLOW_COMMANDS: Statement = Statement {
    sid: "FollowAndCancelCommands",
    actions: &["ssm:CancelCommand", "ssm:ListCommands"],
    resources: &["*"],
    conditions: &[],
};

/// The task network faults resolve their `sources` through subnets and instances (so do the
/// `*-Sources` SSM documents, which chaoslab's document table does not offer).
const DESCRIBE_FOR_SOURCES: Statement = Statement {
    sid: "DescribeForSources",
    actions: &["ec2:DescribeInstances", "ec2:DescribeSubnets"],
    resources: &["*"],
    conditions: &[],
};

/// `aws:fis:inject-api-*`: the parameters FIS accepts, with the article's lesson as advice.
const API_FAULT_PARAMS: &[Param] = &[
    required(
        "duration",
        DURATION,
        "PT3M",
        "How long the faults are injected.",
    ),
    required(
        "service",
        ParamKind::OneOf {
            values: &["ec2", "kinesis"],
            advice: Some(
                "FIS injects API faults only into ec2 and kinesis calls; to make DynamoDB or S3 unreachable, use aws:network:disrupt-connectivity with scope dynamodb or s3",
            ),
        },
        "ec2",
        "The AWS service whose calls fail. FIS faults only `ec2` and `kinesis` calls; to cut DynamoDB or S3 off, use `aws:network:disrupt-connectivity`.",
    ),
    required(
        "percentage",
        ParamKind::Int { min: 1, max: 100 },
        "\"50\"",
        "The share of matching calls that fail, in percent.",
    ),
    required(
        "operations",
        ParamKind::Operations,
        "DescribeInstances",
        "The API operations whose calls fail.",
    ),
];

/// `aws:fis:inject-api-*` act on calls made by the targeted roles.
const fn api_fault(id: &'static str, summary: &'static str, iam: &'static [Statement]) -> Action {
    Action {
        id,
        summary,
        target: ROLES,
        params: API_FAULT_PARAMS,
        iam,
        provider_floor: PROVIDER_BASE,
        expect: roles::expect_api_fault,
        reach: roles::reach,
    }
}

/// API fault injection is authorised on the experiment, not on the targeted role.
const fn inject(sid: &'static str, actions: &'static [&'static str]) -> Statement {
    Statement {
        sid,
        actions,
        resources: &["arn:{partition}:fis:{region}:{account}:experiment/*"],
        conditions: &[],
    }
}

/// hashicorp/aws 6.22.0 (November 20, 2025) added `Functions` to the target keys
/// `aws_fis_experiment_template` accepts (CHANGELOG, hashicorp/terraform-provider-aws#41209);
/// older releases reject it at plan time.
const LAMBDA_FLOOR: (u32, u32) = (6, 22);

/// What every `aws:lambda:invocation-*` action needs of the FIS role, as "Use the AWS FIS
/// aws:lambda:function actions" lists it: write and delete the fault configuration under the
/// extension's S3 prefix, read the targeted functions (to find their configuration
/// location), and resolve targets. Scoped to the lab's config prefix and functions.
const LAMBDA_IAM: &[Statement] = &[
    Statement {
        sid: "WriteLambdaFaultConfigurations",
        actions: &["s3:DeleteObject", "s3:PutObject"],
        resources: &["{fis_config}/FisConfigs/*"],
        conditions: &[],
    },
    Statement {
        sid: "InspectLambdaFunctions",
        actions: &["lambda:GetFunction"],
        resources: &["{functions}"],
        conditions: &[],
    },
    TAG_RESOLUTION,
];

const FAULTED_FOR: Param = required(
    "duration",
    DURATION,
    "PT3M",
    "How long invocations are faulted.",
);

/// Parameters every Lambda action takes (in the actions reference's order).
const INVOCATION_PERCENTAGE: Param = optional(
    "invocationPercentage",
    ParamKind::Int { min: 1, max: 100 },
    "\"100\"",
    "The share of the function's invocations that are faulted, in percent.",
);

const PREVENT_EXECUTION: Param = optional(
    "preventExecution",
    ParamKind::Bool,
    "\"false\"",
    "`\"true\"`: faulted invocations return without running the handler.",
);

const fn lambda_action(
    id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    expect: fn(&Lab, &Experiment) -> String,
) -> Action {
    Action {
        id,
        summary,
        target: FUNCTIONS,
        params,
        iam: LAMBDA_IAM,
        provider_floor: LAMBDA_FLOOR,
        expect,
        reach: functions::reach,
    }
}

const TASKS: Option<TargetKind> = Some(TargetKind::Tasks);
const AGENT_TASKS: Option<TargetKind> = Some(TargetKind::AgentTasks);

/// The app's tasks, by the cluster the lab makes; FIS resolves the service's tasks with
/// ListTasks, which has no resource type for a task.
const DESCRIBE_APP_TASKS: Statement = Statement {
    sid: "DescribeAppTasks",
    actions: &["ecs:DescribeTasks"],
    resources: &["arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*"],
    conditions: &[],
};

/// ListTasks names no task; the SAR's `ecs:cluster` key confines it to the lab's cluster.
const LIST_APP_TASKS: Statement = Statement {
    sid: "ListAppTasks",
    actions: &["ecs:ListTasks"],
    resources: &["*"],
    conditions: &[("ArnEquals", "ecs:cluster", "{ecs_cluster_arn}")],
};

const SEND_TO_TASKS: Statement = Statement {
    sid: "SendFisDocumentsToTasks",
    actions: &["ssm:SendCommand"],
    resources: &["arn:{partition}:ssm:{region}::document/AWSFIS-Run-*"],
    conditions: &[],
};

/// The tasks' managed instances are the ones the sidecar registered: its activation tags
/// them with their task's ARN, which names the lab's cluster (SSM assigns an activation's
/// tags to the node it registers). A separate statement: the FIS documents carry no tag.
pub const APP_TASK_INSTANCES: (&str, &str, &str) = (
    "StringLike",
    "aws:ResourceTag/ECS_TASK_ARN",
    "arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*",
);

const RUN_ON_TASKS: Statement = Statement {
    sid: "RunOnAppTasks",
    actions: &["ssm:SendCommand"],
    resources: &["arn:{partition}:ssm:{region}:{account}:managed-instance/*"],
    conditions: &[APP_TASK_INSTANCES],
};

/// Every `aws:ecs:task-*` action: an `AWSFIS-Run-*` document sent to the tasks' SSM managed
/// instances (FIS actions reference, "Amazon ECS actions"; AWSFaultInjectionSimulatorECSAccess,
/// statements SSMSend and SSMList, narrowed to the lab's Region and account and the FIS
/// documents).
const TASK_AGENT_IAM: &[Statement] = &[
    DESCRIBE_APP_TASKS,
    LIST_APP_TASKS,
    SEND_TO_TASKS,
    RUN_ON_TASKS,
    FOLLOW_COMMANDS,
    TAG_RESOLUTION,
];

/// The latency and packet-loss faults also describe the tasks' container instances and
/// resolve their `sources` (FIS actions reference, both actions' permissions).
const TASK_SOURCES_IAM: &[Statement] = &[
    DESCRIBE_APP_TASKS,
    LIST_APP_TASKS,
    SEND_TO_TASKS,
    RUN_ON_TASKS,
    FOLLOW_COMMANDS,
    TAG_RESOLUTION,
    Statement {
        sid: "DescribeAppContainerInstances",
        actions: &["ecs:DescribeContainerInstances"],
        resources: &["arn:{partition}:ecs:{region}:{account}:container-instance/{ecs_cluster}/*"],
        conditions: &[],
    },
    DESCRIBE_FOR_SOURCES,
];

const TASK_DURATION: Param = required(
    "duration",
    DURATION,
    "PT3M",
    "How long the fault lasts; the SSM document runs as long.",
);

const INSTALL_DEPENDENCIES: Param = optional(
    "installDependencies",
    ParamKind::OneOf {
        values: &["True", "False"],
        advice: Some(
            "FIS takes `True` or `False` here, capitalised (the SSM document's own values)",
        ),
    },
    "\"True\"",
    "`True`: the document installs the tools it needs (stress-ng, tc, …) in the task first; `False`: they must be there already.",
);

/// FIS User Guide, "Use the AWS FIS aws:ecs:task actions", requirements (read 2026-12-07,
/// https://docs.aws.amazon.com/fis/latest/userguide/ecs-task-actions.html): "When using the
/// aws:ecs:task-network-blackhole-port, aws:ecs:task-network-latency, or
/// aws:ecs:task-network-packet-loss actions on Fargate tasks, the action must have the
/// useEcsFaultInjectionEndpoints parameter set to true." The actions reference
/// (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html, same date):
/// "Optional. If set to true, the Amazon ECS Fault Injection APIs will be used. The default
/// is false."; with false the fault uses `iptables`/`tc` inside the task.
const USE_ECS_ENDPOINTS: Param = Param {
    on_fargate: Some("true"),
    ..optional(
        "useEcsFaultInjectionEndpoints",
        ParamKind::Bool,
        "\"false\"",
        "`\"true\"`: inject through the ECS fault-injection endpoints (the task definition's `enableFaultInjection`, which `fault_injection` sets) instead of tools installed in the task. FIS requires `\"true\"` on Fargate, so chaoslab sets it.",
    )
};

const FLOWS_PERCENT: Param = optional(
    "flowsPercent",
    ParamKind::Int { min: 1, max: 100 },
    "\"100\"",
    "The share of the traffic flows the fault affects, in percent.",
);

const SOURCES: Param = optional(
    "sources",
    ParamKind::Sources,
    "\"ALL\"",
    "What traffic is affected: comma-separated IPv4 addresses, CIDR blocks, domain names, Availability Zone names or IDs, `DYNAMODB` or `S3` (the Region's endpoints), or `ALL` (all IPv4 traffic).",
);

/// An `aws:ecs:task-*` action. The task faults reach only tasks with the SSM agent sidecar
/// ([`TargetKind::AgentTasks`]); the `Tasks` target key and the task definition's
/// `enable_fault_injection` (hashicorp/aws 5.85.0, #41077) predate the 6.x base.
const fn task_action(
    id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    iam: &'static [Statement],
    expect: fn(&Lab, &Experiment) -> String,
) -> Action {
    Action {
        id,
        summary,
        target: AGENT_TASKS,
        params,
        iam,
        provider_floor: PROVIDER_BASE,
        expect,
        reach: tasks::reach,
    }
}

/// FIS runs these with the ECS fault-injection mechanism one at a time per task ("Use the
/// AWS FIS aws:ecs:task actions", limitations): two of them in one template must be ordered.
pub const EXCLUSIVE: &[&str] = &[
    "aws:ecs:task-network-blackhole-port",
    "aws:ecs:task-network-latency",
    "aws:ecs:task-network-packet-loss",
];

pub const ACTIONS: &[Action] = &[
    Action {
        id: "aws:network:disrupt-connectivity",
        summary: "Blocks traffic of the targeted subnets with a network ACL FIS swaps in: all of it, or only what `scope` names.",
        target: SUBNETS,
        params: &[
            required(
                "duration",
                DURATION,
                "PT3M",
                "How long the traffic stays blocked.",
            ),
            required(
                "scope",
                ParamKind::OneOf {
                    values: &[
                        "all",
                        "availability-zone",
                        "dynamodb",
                        "prefix-list",
                        "s3",
                        "s3express",
                        "vpc",
                    ],
                    advice: None,
                },
                "dynamodb",
                "What is blocked: `all` traffic in and out of the subnets; traffic to the subnets of the other zones (`availability-zone`); traffic to the Region's `dynamodb`, `s3` or `s3express` endpoints, or to a `prefix-list`; or traffic leaving the `vpc`.",
            ),
            // Required with scope prefix-list, refused otherwise (checked in validate::fis).
            optional(
                "prefixListIdentifier",
                ParamKind::Identifier,
                "none",
                "The managed prefix list whose addresses are blocked; required with `scope: prefix-list`, refused otherwise.",
            ),
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
                conditions: LAB_RESOURCES,
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
            // Two statements: the association's ACLs (the subnets' own, the VPC's untagged
            // default ACL, and FIS's) carry no common tag; its subnets are the lab's.
            Statement {
                sid: "SwapSubnetNetworkAcl",
                actions: &["ec2:ReplaceNetworkAclAssociation"],
                resources: &["arn:{partition}:ec2:{region}:{account}:network-acl/*"],
                conditions: &[],
            },
            Statement {
                sid: "SwapOnLabSubnets",
                actions: &["ec2:ReplaceNetworkAclAssociation"],
                resources: &["arn:{partition}:ec2:{region}:{account}:subnet/*"],
                conditions: LAB_RESOURCES,
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
        provider_floor: PROVIDER_BASE,
        expect: network::expect_disrupt,
        reach: network::reach,
    },
    Action {
        id: "aws:ec2:stop-instances",
        summary: "Stops the targeted EC2 instances, and starts them again after `startInstancesAfterDuration`.",
        target: INSTANCES,
        params: &[
            optional(
                "startInstancesAfterDuration",
                DURATION,
                "the instances stay stopped",
                "How long the instances stay stopped before FIS starts them again.",
            ),
            optional(
                "completeIfInstancesTerminated",
                ParamKind::Bool,
                "\"false\"",
                "`\"true\"`: the action completes, rather than fails, when an instance is terminated (by the auto-scaling group, say) before FIS starts it again.",
            ),
        ],
        iam: &[
            Statement {
                sid: "StopAndStartInstances",
                actions: &["ec2:StartInstances", "ec2:StopInstances"],
                resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
                conditions: LAB_RESOURCES,
            },
            DESCRIBE_INSTANCES,
            // Restarting instances with encrypted volumes (AWSFaultInjectionSimulatorEC2Access).
            Statement {
                sid: "RestartEncryptedVolumes",
                actions: &["kms:CreateGrant"],
                resources: &["arn:{partition}:kms:{region}:{account}:key/*"],
                conditions: &[
                    ("StringLike", "kms:ViaService", "ec2.*.amazonaws.com"),
                    ("Bool", "kms:GrantIsForAWSResource", "true"),
                ],
            },
        ],
        provider_floor: PROVIDER_BASE,
        expect: instances::expect_stop,
        reach: instances::reach,
    },
    Action {
        id: "aws:ec2:terminate-instances",
        summary: "Terminates the targeted EC2 instances; the auto-scaling group launches replacements.",
        target: INSTANCES,
        params: &[],
        iam: &[
            Statement {
                sid: "TerminateInstances",
                actions: &["ec2:TerminateInstances"],
                resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
                conditions: LAB_RESOURCES,
            },
            DESCRIBE_INSTANCES,
        ],
        provider_floor: PROVIDER_BASE,
        expect: instances::expect_terminate,
        reach: instances::reach,
    },
    Action {
        id: "aws:ec2:reboot-instances",
        summary: "Reboots the targeted EC2 instances.",
        target: INSTANCES,
        params: &[],
        iam: &[
            Statement {
                sid: "RebootInstances",
                actions: &["ec2:RebootInstances"],
                resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
                conditions: LAB_RESOURCES,
            },
            DESCRIBE_INSTANCES,
        ],
        provider_floor: PROVIDER_BASE,
        expect: instances::expect_reboot,
        reach: instances::reach,
    },
    Action {
        id: "aws:rds:failover-db-cluster",
        summary: "Fails the Aurora cluster over: a reader becomes the writer (the lab needs `aurora.readers`).",
        target: Some(TargetKind::Clusters),
        params: &[],
        iam: &[
            Statement {
                sid: "FailoverDbCluster",
                actions: &["rds:FailoverDBCluster"],
                resources: &["arn:{partition}:rds:{region}:{account}:cluster:*"],
                conditions: LAB_RESOURCES,
            },
            Statement {
                sid: "DescribeDbClusters",
                actions: &["rds:DescribeDBClusters"],
                resources: &["arn:{partition}:rds:{region}:{account}:cluster:*"],
                conditions: &[],
            },
            TAG_RESOLUTION,
        ],
        provider_floor: PROVIDER_BASE,
        expect: rds::expect_failover,
        reach: rds::reach,
    },
    Action {
        id: "aws:rds:reboot-db-instances",
        summary: "Reboots the Aurora writer instance, with a failover to a reader when `forceFailover` says so.",
        target: Some(TargetKind::DbInstances),
        params: &[optional(
            "forceFailover",
            ParamKind::Bool,
            "\"false\"",
            "`\"true\"`: reboot with a failover, so a reader in another zone becomes the writer (the lab needs `aurora.readers`).",
        )],
        iam: &[
            Statement {
                sid: "RebootDbInstances",
                actions: &["rds:RebootDBInstance"],
                resources: &["arn:{partition}:rds:{region}:{account}:db:*"],
                conditions: LAB_RESOURCES,
            },
            Statement {
                sid: "DescribeDbInstances",
                actions: &["rds:DescribeDBInstances"],
                resources: &["arn:{partition}:rds:{region}:{account}:db:*"],
                conditions: &[],
            },
            TAG_RESOLUTION,
        ],
        provider_floor: PROVIDER_BASE,
        expect: rds::expect_reboot,
        reach: rds::reach,
    },
    api_fault(
        "aws:fis:inject-api-throttle-error",
        "Makes a share of the targeted role's calls to the named operations fail with throttling errors.",
        &[inject(
            "InjectApiThrottleError",
            &["fis:InjectApiThrottleError"],
        )],
    ),
    api_fault(
        "aws:fis:inject-api-internal-error",
        "Makes a share of the targeted role's calls to the named operations fail with internal errors (HTTP 500).",
        &[inject(
            "InjectApiInternalError",
            &["fis:InjectApiInternalError"],
        )],
    ),
    api_fault(
        "aws:fis:inject-api-unavailable-error",
        "Makes a share of the targeted role's calls to the named operations fail as unavailable (HTTP 503).",
        &[inject(
            "InjectApiUnavailableError",
            &["fis:InjectApiUnavailableError"],
        )],
    ),
    Action {
        id: "aws:ssm:send-command",
        summary: "Runs an `AWSFIS-Run-*` SSM document (CPU, memory, disk or network stress, …) on the targeted instances.",
        target: INSTANCES,
        params: &[
            required(
                "documentArn",
                ParamKind::SsmDocument,
                "AWSFIS-Run-CPU-Stress",
                "The FIS document to run, e.g. `AWSFIS-Run-CPU-Stress`; chaoslab builds its ARN in the lab's Region.",
            ),
            optional(
                "documentVersion",
                ParamKind::Int {
                    min: 1,
                    max: 1_000_000,
                },
                "the document's default version",
                "The document version to run.",
            ),
            optional(
                "documentParameters",
                ParamKind::DocumentParameters,
                "the document's defaults",
                "The document's parameters, as a JSON object of strings in a string, e.g. `'{\"DurationSeconds\": \"120\"}'`; checked against the document's own keys and ranges, and `DurationSeconds` must fit in `duration`.",
            ),
            required(
                "duration",
                DURATION,
                "PT3M",
                "How long the action runs; the document's own duration should fit in it.",
            ),
        ],
        iam: &[
            // Two statements: the FIS documents are AWS's and carry no tag of the lab.
            Statement {
                sid: "SendFisSsmDocuments",
                actions: &["ssm:SendCommand"],
                resources: &["arn:{partition}:ssm:{region}::document/AWSFIS-Run-*"],
                conditions: &[],
            },
            Statement {
                sid: "RunOnLabInstances",
                actions: &["ssm:SendCommand"],
                resources: &["arn:{partition}:ec2:{region}:{account}:instance/*"],
                conditions: LAB_RESOURCES,
            },
            FOLLOW_COMMANDS,
        ],
        provider_floor: PROVIDER_BASE,
        expect: instances::expect_send_command,
        reach: instances::reach,
    },
    // Source: AWS FIS actions reference, "Lambda actions"
    // (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html).
    lambda_action(
        "aws:lambda:invocation-error",
        "Makes a share of the targeted function's invocations fail, with or without running the handler (through the FIS Lambda extension).",
        &[FAULTED_FOR, INVOCATION_PERCENTAGE, PREVENT_EXECUTION],
        functions::expect_error,
    ),
    lambda_action(
        "aws:lambda:invocation-add-delay",
        "Delays the start of a share of the targeted function's invocations (through the FIS Lambda extension).",
        &[
            required(
                "duration",
                DURATION,
                "PT3M",
                "How long invocations are delayed.",
            ),
            INVOCATION_PERCENTAGE,
            optional(
                "startupDelayMilliseconds",
                ParamKind::Int {
                    min: 0,
                    max: functions::MAX_DELAY_MS,
                },
                "\"1000\"",
                "How long a faulted invocation waits before the handler runs, in milliseconds; it counts against the function's timeout, so it must stay below it.",
            ),
        ],
        functions::expect_delay,
    ),
    lambda_action(
        "aws:lambda:invocation-http-integration-response",
        "Makes a share of the targeted function's invocations return the given HTTP status and content type to the load balancer or API in front of it (through the FIS Lambda extension).",
        &[
            required(
                "contentTypeHeader",
                ParamKind::MediaType,
                "text/plain",
                "The `Content-Type` of the faulted responses.",
            ),
            FAULTED_FOR,
            INVOCATION_PERCENTAGE,
            PREVENT_EXECUTION,
            required(
                "statusCode",
                ParamKind::Int { min: 0, max: 999 },
                "\"503\"",
                "The HTTP status code of the faulted responses.",
            ),
        ],
        functions::expect_http_response,
    ),
    Action {
        id: "aws:dynamodb:global-table-pause-replication",
        summary: "Pauses the replication of the targeted DynamoDB global table to its replicas; writes keep landing in the lab's Region and reach the replicas when the pause ends.",
        target: Some(TargetKind::Tables),
        params: &[required(
            "duration",
            DURATION,
            "PT10M",
            "How long the pause lasts; DynamoDB may go on replicating for its first five minutes (E080).",
        )],
        // Target key `Tables` since hashicorp/aws#35300 (5.x), inside the 6.x base.
        // No managed policy covers it (fis-rules §9): FIS adds and removes a resource policy on
        // every replica, in the replicas' Regions, hence `*` for the Region; the replicas bear
        // the table's name, so the lab's global tables (and their streams, the SAR's other
        // resource type of these actions) by name.
        iam: &[
            Statement {
                sid: "PauseGlobalTableReplication",
                actions: &[
                    "dynamodb:DeleteResourcePolicy",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetResourcePolicy",
                    "dynamodb:PutResourcePolicy",
                ],
                resources: &["{global_tables}"],
                conditions: &[],
            },
            TAG_RESOLUTION,
        ],
        provider_floor: PROVIDER_BASE,
        expect: tables::expect_pause,
        reach: tables::reach,
    },
    // Source: AWS FIS actions reference, "Amazon ECS actions".
    Action {
        id: "aws:ecs:stop-task",
        summary: "Stops the targeted ECS tasks; the service starts replacements.",
        target: TASKS,
        params: &[],
        iam: &[
            Statement {
                sid: "StopAppTasks",
                actions: &["ecs:DescribeTasks", "ecs:StopTask"],
                resources: &["arn:{partition}:ecs:{region}:{account}:task/{ecs_cluster}/*"],
                conditions: &[],
            },
            LIST_APP_TASKS,
            TAG_RESOLUTION,
        ],
        provider_floor: PROVIDER_BASE,
        expect: tasks::expect_stop,
        reach: tasks::reach,
    },
    task_action(
        "aws:ecs:task-cpu-stress",
        "Loads the CPU of the targeted ECS tasks (through the SSM agent sidecar).",
        &[
            TASK_DURATION,
            optional(
                "percent",
                ParamKind::Int { min: 0, max: 100 },
                "\"100\"",
                "The target CPU load, in percent.",
            ),
            optional(
                "workers",
                ParamKind::Int { min: 0, max: 1024 },
                "\"0\"",
                "The number of stressors; `0` uses all of them.",
            ),
            INSTALL_DEPENDENCIES,
        ],
        TASK_AGENT_IAM,
        tasks::expect_cpu_stress,
    ),
    task_action(
        "aws:ecs:task-io-stress",
        "Loads the disk I/O of the targeted ECS tasks (through the SSM agent sidecar).",
        &[
            TASK_DURATION,
            optional(
                "percent",
                ParamKind::Int { min: 1, max: 100 },
                "\"80\"",
                "The share of free file system space the stressors write to, in percent.",
            ),
            optional(
                "workers",
                ParamKind::Int { min: 1, max: 1024 },
                "\"1\"",
                "The number of stressors.",
            ),
            INSTALL_DEPENDENCIES,
        ],
        TASK_AGENT_IAM,
        tasks::expect_io_stress,
    ),
    task_action(
        "aws:ecs:task-kill-process",
        "Kills a process in the targeted ECS tasks (through the SSM agent sidecar; needs `pidMode: task`, which `fault_injection` sets).",
        &[
            required(
                "processName",
                ParamKind::ProcessName,
                "gunicorn",
                "The process to kill, by name.",
            ),
            optional(
                "signal",
                ParamKind::OneOf {
                    values: &["SIGKILL", "SIGTERM"],
                    advice: None,
                },
                "\"SIGTERM\"",
                "The signal sent: `SIGTERM` (which the process may ignore) or `SIGKILL`.",
            ),
            INSTALL_DEPENDENCIES,
        ],
        TASK_AGENT_IAM,
        tasks::expect_kill,
    ),
    task_action(
        "aws:ecs:task-network-blackhole-port",
        "Drops inbound or outbound traffic on a port of the targeted ECS tasks (through the SSM agent sidecar).",
        &[
            TASK_DURATION,
            required(
                "port",
                ParamKind::Int { min: 1, max: 65535 },
                "\"443\"",
                "The port whose traffic is dropped.",
            ),
            required(
                "trafficType",
                ParamKind::OneOf {
                    values: &["egress", "ingress"],
                    advice: None,
                },
                "egress",
                "Which direction is dropped.",
            ),
            optional(
                "protocol",
                ParamKind::OneOf {
                    values: &["tcp", "udp"],
                    advice: None,
                },
                "\"tcp\"",
                "The protocol whose traffic is dropped.",
            ),
            INSTALL_DEPENDENCIES,
            USE_ECS_ENDPOINTS,
        ],
        TASK_AGENT_IAM,
        tasks::expect_blackhole,
    ),
    task_action(
        "aws:ecs:task-network-latency",
        "Delays the network traffic of the targeted ECS tasks, all of it or to the given sources (through the SSM agent sidecar).",
        &[
            TASK_DURATION,
            optional(
                "delayMilliseconds",
                ParamKind::Int {
                    min: 1,
                    max: 59_999,
                },
                "\"200\"",
                "The added delay, in milliseconds.",
            ),
            optional(
                "jitterMilliseconds",
                ParamKind::Int {
                    min: 0,
                    max: 59_999,
                },
                "\"10\"",
                "The variation of the delay, in milliseconds.",
            ),
            FLOWS_PERCENT,
            SOURCES,
            INSTALL_DEPENDENCIES,
            USE_ECS_ENDPOINTS,
        ],
        TASK_SOURCES_IAM,
        tasks::expect_latency,
    ),
    task_action(
        "aws:ecs:task-network-packet-loss",
        "Drops a share of the packets of the targeted ECS tasks, all of them or to the given sources (through the SSM agent sidecar).",
        &[
            TASK_DURATION,
            optional(
                "lossPercent",
                ParamKind::Int { min: 1, max: 100 },
                "\"7\"",
                "The share of packets dropped, in percent.",
            ),
            FLOWS_PERCENT,
            SOURCES,
            INSTALL_DEPENDENCIES,
            USE_ECS_ENDPOINTS,
        ],
        TASK_SOURCES_IAM,
        tasks::expect_packet_loss,
    ),
    Action {
        id: "aws:fis:wait",
        summary: "Waits, injecting nothing: checks the template, the role, the logs and the stop conditions.",
        target: None,
        params: &[required("duration", DURATION, "PT3M", "How long to wait.")],
        iam: &[],
        provider_floor: PROVIDER_BASE,
        expect: wait::expect_wait,
        reach: wait::reach,
    },
];

impl Action {
    /// How long the action runs, in seconds, given its checked parameters: the longest of its
    /// duration parameters (`duration`, `startInstancesAfterDuration`); `None` for an action
    /// that ends as soon as it has acted (a failover, a reboot, a stop without a restart).
    pub fn duration_secs(&self, parameters: &[(String, String)]) -> Option<u64> {
        self.params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Duration { .. }))
            .filter_map(|p| parameters.iter().find(|(k, _)| k == p.name))
            .filter_map(|(_, v)| crate::base::duration::parse(v).ok())
            .max()
    }
}

pub fn find(id: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.id == id)
}
