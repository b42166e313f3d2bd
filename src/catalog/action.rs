//! What an action entry is made of: its parameters and their kinds, the IAM statements it
//! needs, and the functions that say what it does to the lab; with the statements several
//! actions share.

use super::kinds::TargetKind;
use super::reach::Reach;
use super::rehearsal::Rehearsal;
use super::step::{LabView, Step};

/// What a run of one action should show, for the lab README (one or two sentences of
/// Markdown), given the lab around it.
pub type Expect = fn(&LabView, &Step) -> String;

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
    /// A decimal number within [min, max] tenths, at most one decimal place (`12.5`).
    Percent {
        min_tenths: u64,
        max_tenths: u64,
    },
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
    /// that document's entry in `ssm::DOCUMENTS`.
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
    /// The lab's zones by number (1 = its first zone), comma-separated: zone names differ per
    /// account and Region, so chaoslab writes the names from the lab's own zone list.
    Zones,
    /// One of the lab's zones, by number, as [`ParamKind::Zones`].
    Zone,
    /// The lab's alarms by spec name, comma-separated; chaoslab writes their ARNs.
    Alarms,
    /// The name of an SSM Automation runbook of the lab's account; emitted as its ARN in the
    /// lab's Region.
    Runbook,
    /// A runbook's parameters: a JSON object of strings or lists of strings, as a string.
    RunbookParameters,
    /// A comma-separated, non-empty selection from the listed values.
    AnyOf {
        values: &'static [&'static str],
    },
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
/// `{lab_tag}`, the value of the `Lab` tag the lab puts on its resources; `{name_prefix}`, the
/// prefix of the lab's resource names; `{vpc_arn}`, the ARN of the lab's VPC; `{asg_arn}` and
/// `{app_role_arn}`, the ARNs of the app's auto-scaling group and instance role. A resource of
/// exactly `{functions}` stands for the ARNs of the lab's functions that carry the FIS
/// extension; `{runbooks}`, for the ARNs of the runbooks the lab's steps start, and
/// `{runbook_roles}` for the roles they pass them (a statement left without resources is
/// not emitted); `{global_tables}`, for the ARNs (in every Region) of the lab's tables that have
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
    pub expect: Expect,
    /// Which of the app's endpoints the fault can degrade: what `expect:` may claim, and its
    /// default.
    pub reach: fn(&Step) -> Reach,
    /// What `chaoslab rehearse` plays of it on one machine, or why it cannot.
    pub rehearsal: Rehearsal,
}

/// The 6.x line chaoslab is written and schema-checked against (6.62.0).
pub const PROVIDER_BASE: (u32, u32) = (6, 0);

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
/// The default FIS action duration range: one minute to twelve hours.
pub(super) const DURATION: ParamKind = ParamKind::Duration {
    min_secs: MINUTE,
    max_secs: 12 * HOUR,
};

/// A required parameter, with the value the spec snippet shows.
pub(super) const fn required(
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
pub(super) const fn optional(
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

pub(super) const TAG_RESOLUTION: Statement = Statement {
    sid: "ResolveTargetsByTag",
    actions: &["tag:GetResources"],
    resources: &["*"],
    conditions: &[],
};

/// Narrows a grant on every resource of a type to the lab's own, by the `Lab` tag its
/// provider's default_tags put on them (the auto-scaling group propagates it to instances).
pub(super) const LAB_RESOURCES: &[(&str, &str, &str)] =
    &[("StringEquals", "aws:ResourceTag/Lab", "{lab_tag}")];

pub(super) const DESCRIBE_INSTANCES: Statement = Statement {
    sid: "DescribeInstances",
    actions: &["ec2:DescribeInstances"],
    resources: &["*"],
    conditions: &[],
};

/// FIS follows the SSM commands it sends, and cancels them when the action stops.
pub(super) const FOLLOW_COMMANDS: Statement = Statement {
    sid: "FollowAndCancelCommands",
    actions: &["ssm:CancelCommand", "ssm:ListCommands"],
    resources: &["*"],
    conditions: &[],
};

/// The task network faults resolve their `sources` through subnets and instances (so do the
/// `*-Sources` SSM documents, which chaoslab's document table does not offer).
pub(super) const DESCRIBE_FOR_SOURCES: Statement = Statement {
    sid: "DescribeForSources",
    actions: &["ec2:DescribeInstances", "ec2:DescribeSubnets"],
    resources: &["*"],
    conditions: &[],
};

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

    /// The parameter of this name, from the action's typed list.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The same catalog entry: actions are told apart by their id, which is unique.
    pub fn is(&self, other: &Action) -> bool {
        self.id == other.id
    }
}
