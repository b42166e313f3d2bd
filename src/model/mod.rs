//! Stage 3: checked lab → Terraform blocks, grouped into files.
//!
//! One module per AWS resource kind; each adds its blocks to its file and its outputs to
//! `outputs.tf`. Adding a kind means adding a module and a line to [`COMPONENTS`].

pub mod before_apply;
mod dashboard;
mod fis;
mod fis_role;
pub mod reports;
pub mod schedule;
mod security_groups;
pub mod terraform;

use crate::base::hcl::File;
use crate::experiments::Lab;
/// The alarms' model, which the FIS templates and the dashboard reference.
pub use crate::resources::alarms::model as monitoring;
/// The Lambda functions' model (the tree's `.build/` folder, the extension's poll wait).
pub use crate::resources::functions::model as functions;
pub(crate) use crate::resources::iam;
/// The lab buckets' model, which the reports bucket reuses.
pub use crate::resources::s3::model as s3;
use crate::resources::services::{Service, TypeUse};
pub use crate::resources::slots::Slots;
use crate::resources::tree::Context;
pub use crate::resources::tree::{Accepted, Tree, account_id, name_tag, prefixed};
use crate::resources::{app, aurora, dynamodb, network, sqs};

/// What the model stage hands to rendering.
pub struct Model {
    /// Every HCL file, sorted by name.
    pub files: Vec<File>,
    /// In the order components accepted them, each once.
    pub accepted: Vec<&'static Accepted>,
    /// What the kinds contributed to the shared places (the README reads costs and times).
    pub slots: Slots,
}

/// A resource kind as the model sees it: the types its model emits and what it contributes to
/// the shared places.
struct Kind {
    types: &'static [TypeUse],
    contribute: fn(&Lab, &mut Slots),
}

/// The resource kinds, one entry per kind; slots keep this order within their sections, and
/// a service's "what" list in the README keeps the order of their types.
const KINDS: &[Kind] = &[
    Kind {
        types: network::model::TYPES,
        contribute: |lab, slots| network::model::contribute(&lab.network, slots),
    },
    Kind {
        types: app::contribute::TYPES,
        contribute: |lab, slots| {
            (lab.app.iter()).for_each(|a| app::contribute::contribute(a, &lab.network, slots))
        },
    },
    Kind {
        types: aurora::model::TYPES,
        contribute: |lab, slots| {
            (lab.aurora.iter()).for_each(|a| aurora::model::contribute(a, lab.app.is_some(), slots))
        },
    },
    Kind {
        types: dynamodb::model::TYPES,
        contribute: |lab, slots| {
            (lab.app.iter()).for_each(|a| dynamodb::model::contribute(a, &lab.tables, slots))
        },
    },
    Kind {
        types: s3::TYPES,
        contribute: |lab, slots| lab.app.iter().for_each(|a| s3::contribute(a, slots)),
    },
    Kind {
        types: sqs::TYPES,
        contribute: |lab, slots| lab.app.iter().for_each(|a| sqs::contribute(a, slots)),
    },
    Kind {
        types: functions::TYPES,
        contribute: |_, _| {},
    },
    Kind {
        types: monitoring::TYPES,
        contribute: |_, _| {},
    },
];

/// The types of the files no single kind owns (dashboard, FIS, schedules, their roles, the
/// reports bucket).
const OWN_TYPES: &[TypeUse] = &[
    (
        "aws_cloudwatch_dashboard",
        Service::CLOUDWATCH,
        Some("dashboard"),
    ),
    (
        "aws_cloudwatch_log_group",
        Service::CLOUDWATCH_LOGS,
        Some("log groups"),
    ),
    (
        "aws_cloudwatch_log_resource_policy",
        Service::CLOUDWATCH_LOGS,
        Some("resource policy"),
    ),
    (
        "aws_cloudwatch_event_rule",
        Service::EVENTBRIDGE,
        Some("rule"),
    ),
    (
        "aws_cloudwatch_event_target",
        Service::EVENTBRIDGE,
        Some("target"),
    ),
    (
        "aws_scheduler_schedule",
        Service::SCHEDULER,
        Some("schedules"),
    ),
    (
        "aws_fis_experiment_template",
        Service::FIS,
        Some("experiment templates"),
    ),
    ("aws_iam_role", Service::IAM, Some("roles")),
    ("aws_iam_role_policy", Service::IAM, Some("role policies")),
    (
        "aws_iam_role_policy_attachment",
        Service::IAM,
        Some("managed policy attachments"),
    ),
];

/// Every kind's types, then the model's own.
fn all_types() -> impl Iterator<Item = &'static [TypeUse]> {
    KINDS.iter().map(|k| k.types).chain([OWN_TYPES])
}

/// The blocks, one line per part: files and `outputs.tf` keep this order.
const COMPONENTS: &[fn(&Lab, &Slots, &mut Tree)] = &[
    |lab, _, tree| terraform::build(lab, tree),
    |lab, _, tree| network::model::build(&lab.network, tree),
    |lab, _, tree| dynamodb::model::build(&lab.tables, tree),
    |lab, _, tree| lab.app.iter().for_each(|a| sqs::build(a, tree)),
    |lab, _, tree| s3::build(&lab.buckets, &context(lab), tree),
    |_, slots, tree| security_groups::build(slots, tree),
    |lab, _, tree| lab.app.iter().for_each(|a| app::alb::build(a, tree)),
    |lab, _, tree| {
        lab.aurora
            .iter()
            .for_each(|a| aurora::model::build(a, tree))
    },
    |lab, _, tree| {
        lab.aurora
            .iter()
            .for_each(|a| aurora::proxy::build(a, tree))
    },
    |lab, slots, tree| lab.app.iter().for_each(|a| app::iam::build(a, slots, tree)),
    |lab, slots, tree| {
        lab.app
            .iter()
            .for_each(|a| app::compute::build(a, &context(lab), slots, tree))
    },
    |lab, slots, tree| {
        lab.app
            .iter()
            .for_each(|a| app::ecs::build(a, &context(lab), slots, tree))
    },
    |lab, _, tree| functions::build(&lab.functions, lab.app.is_some(), tree),
    |lab, _, tree| monitoring::build(&lab.alarms, lab.app.is_some(), tree),
    |lab, _, tree| dashboard::build(lab, tree),
    |lab, _, tree| reports::build(lab, tree),
    |lab, _, tree| fis_role::build(lab, tree),
    |lab, _, tree| fis::build(lab, tree),
    |lab, _, tree| schedule::build(lab, tree),
];

/// What the kinds' models need from outside their own spec sections.
fn context(lab: &Lab) -> Context {
    Context {
        fis_extension: lab.fault_injected_functions().next().is_some(),
        lab_tag: terraform::lab_tag(lab).to_owned(),
        task_instances: {
            let (test, variable, value) = crate::catalog::APP_TASK_INSTANCES;
            iam::condition(test, variable, fis_role::arn(lab, value))
        },
    }
}

/// Every file of the lab, sorted by name; a reference to anything the tree does not declare
/// is a chaoslab bug, reported instead of a tree.
pub fn build(lab: &Lab) -> Result<Model, crate::base::address::Undeclared> {
    let mut slots = Slots::default();
    for kind in KINDS {
        (kind.contribute)(lab, &mut slots);
    }
    let mut tree = Tree::default();
    for component in COMPONENTS {
        component(lab, &slots, &mut tree);
    }
    let mut files: Vec<File> = tree
        .files
        .into_iter()
        .map(|(name, blocks)| File { name, blocks })
        .collect();
    if !tree.outputs.is_empty() {
        files.push(File {
            name: "outputs.tf",
            blocks: tree.outputs,
        });
    }
    files.sort_by(|a, b| a.name.cmp(b.name));
    crate::base::address::check(&files)?;
    Ok(Model {
        files,
        accepted: tree.accepted,
        slots,
    })
}
