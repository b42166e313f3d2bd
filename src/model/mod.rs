//! Checked lab → Terraform blocks, grouped into files.
//!
//! Each resource kind's model lives in its folder under `resources/` and adds its blocks to
//! its file and its outputs to `outputs.tf`; this layer runs them in order and adds the parts
//! no single kind owns (FIS templates and their role, schedules, dashboard, reports). Adding a
//! kind means adding its folder and an entry to `KINDS`.

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

/// One part of the tree's blocks, with its place among all parts: parts run in ascending
/// place, and files and `outputs.tf` keep that order. The places are ten apart, so a new part
/// goes between two without moving any.
type Build = (u16, fn(&Lab, &Slots, &mut Tree));

/// A resource kind as the model sees it: the types its model emits, what it contributes to
/// the shared places, and its blocks. Adding a kind is one entry here.
struct Kind {
    types: &'static [TypeUse],
    contribute: fn(&Lab, &mut Slots),
    builds: &'static [Build],
}

/// The resource kinds, one entry per kind; slots keep this order within their sections, and
/// a service's "what" list in the README keeps the order of their types.
const KINDS: &[Kind] = &[
    Kind {
        types: network::model::TYPES,
        contribute: |lab, slots| network::model::contribute(&lab.network, slots),
        builds: &[(20, |lab, _, tree| network::model::build(&lab.network, tree))],
    },
    Kind {
        types: app::contribute::TYPES,
        contribute: |lab, slots| {
            (lab.app.iter()).for_each(|a| app::contribute::contribute(a, &lab.network, slots))
        },
        builds: &[
            (70, |lab, _, tree| {
                lab.app.iter().for_each(|a| app::alb::build(a, tree))
            }),
            (100, |lab, slots, tree| {
                (lab.app.iter()).for_each(|a| app::iam::build(a, slots, tree))
            }),
            (110, |lab, slots, tree| {
                (lab.app.iter()).for_each(|a| app::compute::build(a, &context(lab), slots, tree))
            }),
            (120, |lab, slots, tree| {
                (lab.app.iter()).for_each(|a| app::ecs::build(a, &context(lab), slots, tree))
            }),
        ],
    },
    Kind {
        types: aurora::model::TYPES,
        contribute: |lab, slots| {
            (lab.aurora.iter()).for_each(|a| aurora::model::contribute(a, lab.app.is_some(), slots))
        },
        builds: &[
            (80, |lab, _, tree| {
                (lab.aurora.iter()).for_each(|a| aurora::model::build(a, tree))
            }),
            (90, |lab, _, tree| {
                (lab.aurora.iter()).for_each(|a| aurora::proxy::build(a, tree))
            }),
        ],
    },
    Kind {
        types: dynamodb::model::TYPES,
        contribute: |lab, slots| {
            (lab.app.iter()).for_each(|a| dynamodb::model::contribute(a, &lab.tables, slots))
        },
        builds: &[(30, |lab, _, tree| dynamodb::model::build(&lab.tables, tree))],
    },
    Kind {
        types: s3::TYPES,
        contribute: |lab, slots| lab.app.iter().for_each(|a| s3::contribute(a, slots)),
        builds: &[(50, |lab, _, tree| {
            s3::build(&lab.buckets, &context(lab), tree)
        })],
    },
    Kind {
        types: sqs::TYPES,
        contribute: |lab, slots| lab.app.iter().for_each(|a| sqs::contribute(a, slots)),
        builds: &[(40, |lab, _, tree| {
            lab.app.iter().for_each(|a| sqs::build(a, tree))
        })],
    },
    Kind {
        types: functions::TYPES,
        contribute: |_, _| {},
        builds: &[(130, |lab, _, tree| {
            functions::build(&lab.functions, lab.app.is_some(), tree)
        })],
    },
    Kind {
        types: monitoring::TYPES,
        contribute: |_, _| {},
        builds: &[(140, |lab, _, tree| {
            monitoring::build(&lab.alarms, lab.app.is_some(), tree)
        })],
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

/// The parts no single kind owns: the Terraform settings, the security groups the kinds
/// declared, and the files over the whole lab.
const OWN_BUILDS: &[Build] = &[
    (10, |lab, _, tree| terraform::build(lab, tree)),
    (60, |_, slots, tree| security_groups::build(slots, tree)),
    (150, |lab, _, tree| dashboard::build(lab, tree)),
    (160, |lab, _, tree| reports::build(lab, tree)),
    (170, |lab, _, tree| fis_role::build(lab, tree)),
    (180, |lab, _, tree| fis::build(lab, tree)),
    (190, |lab, _, tree| schedule::build(lab, tree)),
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
    let mut builds: Vec<&Build> = KINDS.iter().flat_map(|k| k.builds).collect();
    builds.extend(OWN_BUILDS);
    builds.sort_by_key(|(place, _)| *place);
    let mut tree = Tree::default();
    for (_, build) in builds {
        build(lab, &slots, &mut tree);
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

#[cfg(test)]
mod tests {
    use super::{Build, KINDS, OWN_BUILDS};

    /// Two parts on one place would run in registry order, which nothing here means: each
    /// part has its own place.
    #[test]
    fn every_part_has_its_own_place() {
        let mut places: Vec<u16> = KINDS
            .iter()
            .flat_map(|k| k.builds)
            .chain(OWN_BUILDS)
            .map(|(place, _): &Build| *place)
            .collect();
        let all = places.len();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), all, "two parts share a place: {places:?}");
    }
}
