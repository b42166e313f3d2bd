//! Target kinds: what a spec can point an action at. The enum is the only dispatch; each
//! kind's module (`network`, `instances`, `rds`, `roles`, `functions`, `tables`, `tasks`) owns its resolution, its FIS target
//! block and its README wording, so the compiler finds every place a new kind must fill in.

use super::step::Step;
use super::{functions, instances, network, rds, roles, tables, tasks};
use crate::base::errors::Code;
use crate::base::hcl::Block;
use crate::resources::{Resources, Tier};

/// A diagnostic to report at the target value: (code, message, fix).
pub type Problem = (Code, String, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Subnets,
    Instances,
    Clusters,
    DbInstances,
    Roles,
    Functions,
    Tables,
    /// ECS tasks, through the ECS API (`aws:ecs:stop-task`).
    Tasks,
    /// ECS tasks, through the SSM agent sidecar (`aws:ecs:task-*`).
    AgentTasks,
}

/// The fixed facts of a kind.
pub struct KindInfo {
    /// Key under `targets:` in the spec, e.g. `subnets`.
    pub spec_key: &'static str,
    /// FIS target key in the action, e.g. `Subnets`.
    pub fis_key: &'static str,
    /// FIS resource type of the template target, e.g. `aws:ec2:subnet`.
    pub resource_type: &'static str,
    /// The values a spec may give, for `chaoslab actions` (Markdown).
    pub values: &'static str,
    /// The value the spec snippet shows.
    pub example: &'static str,
}

impl TargetKind {
    pub const ALL: [TargetKind; 9] = [
        TargetKind::Subnets,
        TargetKind::Instances,
        TargetKind::Clusters,
        TargetKind::DbInstances,
        TargetKind::Roles,
        TargetKind::Functions,
        TargetKind::Tables,
        TargetKind::Tasks,
        TargetKind::AgentTasks,
    ];

    fn info(self) -> &'static KindInfo {
        match self {
            TargetKind::Subnets => &network::SUBNETS,
            TargetKind::Instances => &instances::INSTANCES,
            TargetKind::Clusters => &rds::CLUSTERS,
            TargetKind::DbInstances => &rds::DB_INSTANCES,
            TargetKind::Roles => &roles::ROLES,
            TargetKind::Functions => &functions::FUNCTIONS,
            TargetKind::Tables => &tables::TABLES,
            TargetKind::Tasks => &tasks::TASKS,
            TargetKind::AgentTasks => &tasks::AGENT_TASKS,
        }
    }

    pub fn spec_key(self) -> &'static str {
        self.info().spec_key
    }

    pub fn fis_key(self) -> &'static str {
        self.info().fis_key
    }

    pub fn resource_type(self) -> &'static str {
        self.info().resource_type
    }

    pub fn values(self) -> &'static str {
        self.info().values
    }

    pub fn example(self) -> &'static str {
        self.info().example
    }

    /// A spec target value → the lab resource it means.
    pub fn resolve(
        self,
        value: &str,
        az: Option<usize>,
        res: &Resources,
    ) -> Result<TargetSelection, Problem> {
        match self {
            TargetKind::Subnets => network::resolve(value, az),
            TargetKind::Instances => instances::resolve(value, az, res),
            TargetKind::Clusters => rds::resolve_cluster(value, az, res),
            TargetKind::DbInstances => rds::resolve_writer(value, az, res),
            TargetKind::Roles => roles::resolve(value, az, res),
            TargetKind::Functions => functions::resolve(value, az, res),
            TargetKind::Tables => tables::resolve(value, az, res),
            TargetKind::Tasks => tasks::resolve(value, az, res, false),
            TargetKind::AgentTasks => tasks::resolve(value, az, res, true),
        }
    }
}

/// What an experiment targets, resolved to resources the lab creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSelection {
    /// The subnets of a tier; `az` (0-based) narrows to one zone's subnet.
    Subnets {
        tier: Tier,
        az: Option<usize>,
    },
    /// The app fleet's running instances, optionally in one zone.
    AppInstances {
        az: Option<usize>,
    },
    AuroraCluster,
    AuroraWriter,
    /// The app instances' IAM role (API fault injection).
    AppRole,
    /// A Lambda function of the lab, by spec name.
    Function(String),
    /// A DynamoDB global table of the lab, by spec name.
    GlobalTable(String),
    /// The app service's running Fargate tasks.
    AppTasks,
}

impl TargetSelection {
    /// FIS target name, stable across regenerations.
    pub fn name(&self) -> String {
        match self {
            TargetSelection::Subnets { tier, az } => network::name(*tier, *az),
            TargetSelection::AppInstances { az } => instances::name(*az),
            TargetSelection::AuroraCluster => rds::CLUSTER_TARGET.to_owned(),
            TargetSelection::AuroraWriter => rds::WRITER_TARGET.to_owned(),
            TargetSelection::AppRole => roles::TARGET.to_owned(),
            TargetSelection::Function(f) => functions::name(f),
            TargetSelection::GlobalTable(t) => tables::name(t),
            TargetSelection::AppTasks => tasks::TARGET.to_owned(),
        }
    }

    /// The zone (0-based) the selection is narrowed to.
    pub fn zone(&self) -> Option<usize> {
        match self {
            TargetSelection::Subnets { az, .. } | TargetSelection::AppInstances { az } => *az,
            TargetSelection::AuroraCluster
            | TargetSelection::AuroraWriter
            | TargetSelection::AppRole
            | TargetSelection::Function(_)
            | TargetSelection::GlobalTable(_)
            | TargetSelection::AppTasks => None,
        }
    }

    /// What the target is, in the lab README's words (plain text).
    pub fn describe(&self) -> String {
        match self {
            TargetSelection::Subnets { tier, az } => network::describe(*tier, *az),
            TargetSelection::AppInstances { az } => instances::describe(*az),
            TargetSelection::AuroraCluster => "the Aurora cluster".to_owned(),
            TargetSelection::AuroraWriter => "the Aurora writer instance".to_owned(),
            TargetSelection::AppRole => roles::describe(),
            TargetSelection::Function(f) => functions::describe(f),
            TargetSelection::GlobalTable(t) => tables::describe(t),
            TargetSelection::AppTasks => tasks::describe(),
        }
    }

    /// Adds what picks the resources to an FIS template `target` block.
    pub fn fis_target(&self, block: Block) -> Block {
        match self {
            TargetSelection::Subnets { tier, az } => network::fis_target(block, *tier, *az),
            TargetSelection::AppInstances { az } => instances::fis_target(block, *az),
            TargetSelection::AuroraCluster => rds::fis_target_cluster(block),
            TargetSelection::AuroraWriter => rds::fis_target_writer(block),
            TargetSelection::AppRole => roles::fis_target(block),
            TargetSelection::Function(f) => functions::fis_target(block, f),
            TargetSelection::GlobalTable(t) => tables::fis_target(block, t),
            TargetSelection::AppTasks => tasks::fis_target(block),
        }
    }
}

/// ` in zone N` for a narrowed selection, else nothing.
pub(super) fn zone_text(az: Option<usize>) -> String {
    az.map(|i| format!(" in zone {}", i + 1))
        .unwrap_or_default()
}

/// `-azN` for a narrowed selection's target name, else nothing.
pub(super) fn zone_suffix(az: Option<usize>) -> String {
    az.map(|i| format!("-az{}", i + 1)).unwrap_or_default()
}

/// The experiment's `duration` parameter, as the README says it.
pub(super) fn duration(e: &Step) -> &str {
    e.parameter("duration").unwrap_or("the action's duration")
}

/// The zone the experiment's target is narrowed to.
pub(super) fn zone(e: &Step) -> Option<usize> {
    e.zone()
}

/// `Some(fault_injection)` when the app runs as ECS tasks (on Fargate).
pub(super) fn app_tasks(res: &Resources) -> Option<bool> {
    res.app
        .as_ref()
        .and_then(|a| a.fargate())
        .map(|f| f.fault_injection)
}

/// The one lab resource a kind can name (`app`, `aurora`, `aurora-writer`), built by a spec
/// section that may be absent.
pub(super) struct TheOne {
    pub present: bool,
    /// What is missing without the section, e.g. `app instances`.
    pub what: &'static str,
    pub section: &'static str,
    pub name: &'static str,
}

impl TheOne {
    /// Something of the app tier, named `app` in the spec.
    pub fn app(res: &Resources, what: &'static str) -> TheOne {
        TheOne {
            present: res.app.is_some(),
            what,
            section: "app",
            name: "app",
        }
    }
}

/// Resolves `value` to the one resource of a kind, or says what is missing or wrong.
pub(super) fn resolve_the_one(
    info: &KindInfo,
    value: &str,
    one: TheOne,
    selection: impl FnOnce() -> Result<TargetSelection, Problem>,
) -> Result<TargetSelection, Problem> {
    if !one.present {
        Err(missing(one.what, one.section))
    } else if value == one.name {
        selection()
    } else {
        Err(only(info.spec_key, value, one.name))
    }
}

/// A target kind without the lab resource it needs: E043 naming the missing section.
fn missing(what: &str, section: &str) -> Problem {
    (
        Code::E043,
        format!("the spec has no {what} to target"),
        format!("add `{section}:` to the spec"),
    )
}

/// A value other than the one resource the kind can name.
fn only(spec_key: &str, value: &str, allowed: &str) -> Problem {
    let help = crate::base::suggest::did_you_mean(value, &[allowed], || {
        format!("`{spec_key}` targets take `{allowed}`")
    });
    (
        Code::E043,
        format!("there is no `{value}` to target with `{spec_key}`"),
        help,
    )
}

/// `az` on a kind that has no zones.
pub(super) fn no_zone(
    spec_key: &str,
    az: Option<usize>,
    sel: TargetSelection,
) -> Result<TargetSelection, Problem> {
    match az {
        Some(_) => Err((
            Code::E042,
            format!("`az` does not apply to `{spec_key}` targets"),
            "remove `az`".to_owned(),
        )),
        None => Ok(sel),
    }
}
