//! The checked lab: what every later stage may rely on without re-checking.
//!
//! Names are already valid for AWS and as Terraform identifiers, CIDRs parse and nest, every
//! reference resolves. Collections are sorted by name so output never depends on YAML order.

use crate::catalog::{LabView, Reach};
pub use crate::catalog::{Step, Target, TargetSelection};
pub use crate::resources::{
    Alarm, AlarmMetric, App, Architecture, AttrValue, Aurora, Billing, Breaker, Bucket,
    CACHE_TABLE, Fargate, Function, Item, Key, KeyType, Nat, Network, Object, Resources, Runtime,
    State, Table, Tier, Timeouts, reader_zone, tf_name,
};

/// The checked lab: its resources (reachable as the lab's own fields, `lab.network`), and the
/// experiments checked against them.
#[derive(Clone, Debug)]
pub struct Lab {
    pub resources: Resources,
    pub experiments: Vec<Experiment>,
    /// Lab-rule warnings: reported, not fatal unless `--deny-warnings`.
    pub warnings: Vec<crate::base::errors::Diagnostic>,
}

impl std::ops::Deref for Lab {
    type Target = Resources;

    fn deref(&self) -> &Resources {
        &self.resources
    }
}

impl Lab {
    /// The lab as the catalog's README text reads it: the resources, and the experiment that
    /// moves the Aurora writer (the first, if several do).
    pub fn view(&self) -> LabView<'_> {
        LabView {
            resources: &self.resources,
            failover: self
                .experiments
                .iter()
                .find(|e| e.actions().any(Step::moves_writer))
                .map(|e| e.name.as_str()),
        }
    }
}

/// An FIS experiment template: its steps (one in the single-action form), and what holds for
/// the template as a whole.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// Spec name; (with `-` as `_`) the Terraform resource name.
    pub name: String,
    /// In spec order; never empty.
    pub steps: Vec<Step>,
    pub description: String,
    /// The published scenario its steps were expanded from, if any.
    pub scenario: Option<&'static super::scenarios::Scenario>,
    /// Names of alarms that stop the experiment, in spec order.
    pub stop_conditions: Vec<String>,
    /// The dependency the experiment means to cut, if any.
    pub dependency: Option<String>,
    /// What must hold while it runs; `None` when the lab has no app.
    pub hypothesis: Option<Hypothesis>,
    /// When EventBridge Scheduler starts it by itself, if ever.
    pub schedule: Option<Schedule>,
    /// The FIS experiment report of each run, if asked for.
    pub report: Option<Report>,
}

/// A checked `report:`: durations already in the form FIS takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// ISO 8601 duration of dashboard time before the run.
    pub pre: String,
    /// ISO 8601 duration of dashboard time after the run.
    pub post: String,
}

/// A checked `schedule:`: each value already in the form EventBridge Scheduler takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// `rate(...)`, `cron(...)` or `at(...)`.
    pub expression: String,
    /// IANA name or `UTC`.
    pub timezone: String,
    /// `yyyy-mm-ddThh:mm:ssZ`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub enabled: bool,
}

/// What must hold while an experiment runs, per app endpoint (`expect:` or its default).
/// Endpoints in neither list are not judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Hypothesis {
    /// Endpoints that fail fast: non-2xx, each within the app's budget.
    pub degraded: Vec<String>,
    /// Endpoints that keep at least `tolerance` of their requests ok.
    pub healthy: Vec<String>,
    /// Percent of a healthy endpoint's requests that must answer 2xx, above 0 and at most 100.
    pub tolerance: f64,
    /// Every endpoint of the lab's app: those in neither list are not judged during the fault.
    pub endpoints: Vec<String>,
}

impl Hypothesis {
    /// `ok` of `ok + failed` requests meet the tolerance (compared without dividing, so 99 of
    /// 100 meets 99 % exactly).
    pub fn tolerates(&self, ok: u64, failed: u64) -> bool {
        ok as f64 * 100.0 >= self.tolerance * (ok + failed) as f64
    }
}

impl Experiment {
    /// Every action of the template, in spec order.
    pub fn actions(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter()
    }

    /// What the experiment's actions together can do to the app's endpoints.
    pub fn reach(&self) -> Reach {
        self.actions()
            .map(|a| (a.action.reach)(a))
            .reduce(Reach::union)
            .unwrap_or(Reach::Nothing)
    }

    /// How long the template runs, in seconds: the longest chain of actions through
    /// `start_after`, each lasting its own duration (none for one that ends as soon as it has
    /// acted); `None` when no action has a duration.
    pub fn duration_secs(&self) -> Option<u64> {
        super::graph::longest_chain(&self.steps)
    }
}

/// W004's handling: the auto-scaling group would replace the instances an experiment stops or
/// cuts off (into a cut-off subnet, where the bootstrap cannot reach dnf or PyPI), so the run
/// suspends its `ReplaceUnhealthy` process and resumes it afterwards.
pub fn replacement_guard(lab: &Lab, e: &Experiment) -> Option<(String, String)> {
    lab.app.as_ref()?;
    if !e
        .actions()
        .any(|a| a.stops_app_fleet() || a.cuts_app_subnets())
    {
        return None;
    }
    let command = |verb: &str| {
        format!(
            "aws autoscaling {verb}-processes --auto-scaling-group-name \"$(terraform output -raw asg_name)\" --scaling-processes ReplaceUnhealthy"
        )
    };
    Some((command("suspend"), command("resume")))
}
