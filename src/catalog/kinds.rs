//! Target kinds: what a spec can point an action at. Each kind is one `static` [`Kind`] in
//! its module (`network`, `instances`, `rds`, `roles`, `functions`, `tables`, `tasks`): its
//! facts and its `resolve`, which fills a [`TargetSelection`] with everything the FIS template
//! and the README need (target name, zone, wording, what picks the resources). Nothing
//! dispatches on the kind, so adding one is adding its module; an action names it by
//! reference (`target: Some(&SUBNETS)`).

use super::step::Step;
use crate::base::hcl::{Block, Expr, Item};
use crate::resources::Resources;

pub use super::problem::Problem;

/// A handle on a kind: one of the `static` [`Kind`]s, compared by identity.
pub type TargetKind = &'static Kind;

/// A spec target value, its `az` (0-based) and the lab → what it selects, or why not.
pub type Resolve = fn(&str, Option<usize>, &Resources) -> Result<TargetSelection, Problem>;

/// The fixed facts of a kind, and how its spec values resolve. Each one is a `static`: two
/// kinds may share every fact but their resolution (`tasks` through the ECS API or the SSM
/// agent), so a kind is its address.
pub struct Kind {
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
    /// FIS acts on this kind's resources in one zone only: a step must name it with `az`.
    pub needs_zone: bool,
    pub resolve: Resolve,
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Kind {}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kind({} {})", self.spec_key, self.values)
    }
}

impl Kind {
    /// A spec target value → the lab resource it means.
    pub fn resolve(
        &self,
        value: &str,
        az: Option<usize>,
        res: &Resources,
    ) -> Result<TargetSelection, Problem> {
        (self.resolve)(value, az, res)
    }
}

/// What an experiment targets, resolved to resources the lab creates: filled in by its
/// kind's `resolve`, so reading it asks nothing of the kind.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetSelection {
    /// The kind that resolved it.
    pub(super) kind: TargetKind,
    /// The spec value that named the resource: a subnet tier, a function, `app`, …
    pub(super) value: String,
    /// The zone (0-based) the selection is narrowed to.
    pub(super) zone: Option<usize>,
    /// FIS target name, stable across regenerations.
    pub(super) name: String,
    /// What the target is, in the lab README's words (plain text).
    pub(super) description: String,
    /// What picks the resources: the attributes and blocks of the FIS template `target`
    /// block after its name, type and selection mode.
    pub(super) pick: Vec<Item>,
}

impl TargetSelection {
    pub fn kind(&self) -> TargetKind {
        self.kind
    }

    /// Whether `kind` resolved it.
    pub fn is(&self, kind: &Kind) -> bool {
        self.kind == kind
    }

    /// The spec value, when `kind` resolved it: which function, which table, which tier.
    pub fn value_of(&self, kind: &Kind) -> Option<&str> {
        self.is(kind).then_some(self.value.as_str())
    }

    /// FIS target name, stable across regenerations.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// The zone (0-based) the selection is narrowed to.
    pub fn zone(&self) -> Option<usize> {
        self.zone
    }

    /// What the target is, in the lab README's words (plain text).
    pub fn describe(&self) -> String {
        self.description.clone()
    }

    /// Adds what picks the resources to an FIS template `target` block.
    pub fn fis_target(&self, mut block: Block) -> Block {
        block.body.extend(self.pick.iter().cloned());
        block
    }
}

/// Picks resources by ARN: `resource_arns = <arns>`.
pub(super) fn by_arns(arns: Expr) -> Vec<Item> {
    vec![Item::Attr("resource_arns", arns)]
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
    kind: &Kind,
    value: &str,
    one: TheOne,
    selection: impl FnOnce() -> Result<TargetSelection, Problem>,
) -> Result<TargetSelection, Problem> {
    if !one.present {
        Err(missing(one.what, one.section))
    } else if value == one.name {
        selection()
    } else {
        Err(only(kind.spec_key, value, one.name))
    }
}

/// Resolves `value` to a resource of the app's EC2 fleet (its instances, group or volumes),
/// which a lab whose app runs as ECS tasks does not have.
pub(super) fn resolve_on_ec2(
    kind: &Kind,
    value: &str,
    res: &Resources,
    what: &'static str,
    selection: impl FnOnce() -> Result<TargetSelection, Problem>,
) -> Result<TargetSelection, Problem> {
    if app_tasks(res).is_some() {
        return Err(Problem::InstancesOnEcs);
    }
    resolve_the_one(kind, value, TheOne::app(res, what), selection)
}

/// A target kind without the lab resource it needs: E043 naming the missing section.
fn missing(what: &str, section: &str) -> Problem {
    Problem::Missing {
        what: what.to_owned(),
        section: section.to_owned(),
    }
}

/// A value other than the one resource the kind can name.
fn only(spec_key: &str, value: &str, allowed: &str) -> Problem {
    Problem::NotTheOne {
        spec_key: spec_key.to_owned(),
        value: value.to_owned(),
        allowed: allowed.to_owned(),
    }
}

/// `az` on a kind that has no zones.
pub(super) fn no_zone(az: Option<usize>, sel: TargetSelection) -> Result<TargetSelection, Problem> {
    match az {
        Some(_) => Err(Problem::ZoneNotTaken {
            spec_key: sel.kind.spec_key.to_owned(),
        }),
        None => Ok(sel),
    }
}
