//! The checked lab: what every later stage may rely on without re-checking.
//!
//! Names are already valid for AWS and as Terraform identifiers, CIDRs parse and nest, every
//! reference resolves. Collections are sorted by name so output never depends on YAML order.

pub use crate::catalog::TargetSelection;
use crate::catalog::{Action, TargetKind};
pub use crate::resources::{
    Alarm, AlarmMetric, App, Architecture, AttrValue, Aurora, Billing, Breaker, Bucket,
    CACHE_TABLE, Fargate, Function, Item, Key, KeyType, Nat, Network, Object, Runtime, State,
    Table, Tier, Timeouts, reader_zone, tf_name,
};

#[derive(Clone, Debug)]
pub struct Lab {
    pub name: String,
    /// Prefix of every AWS resource name.
    pub prefix: String,
    pub region: String,
    pub description: Option<String>,
    /// Sorted by key.
    pub tags: Vec<(String, String)>,
    pub network: Network,
    pub tables: Vec<Table>,
    pub buckets: Vec<Bucket>,
    pub experiments: Vec<Experiment>,
    pub app: Option<App>,
    pub aurora: Option<Aurora>,
    /// Sorted by name.
    pub alarms: Vec<Alarm>,
    /// Sorted by name.
    pub functions: Vec<Function>,
    /// Remote state; `None` keeps Terraform's local state.
    pub state: Option<State>,
    /// In spec order; each one a valid name whose `<prefix>-<tenant>` fits the prefix limit.
    pub tenants: Vec<String>,
    /// The lab README carries a GameDay runbook.
    pub gameday: bool,
    /// Lab-rule warnings: reported, not fatal unless `--deny-warnings`.
    pub warnings: Vec<crate::base::errors::Diagnostic>,
}

impl Lab {
    /// Whether some function carries the FIS extension (and the lab its config bucket).
    pub fn fault_injected_functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter().filter(|f| f.fault_injection)
    }
}

#[derive(Clone, Debug)]
pub struct Target {
    pub kind: TargetKind,
    pub selection: TargetSelection,
}

#[derive(Clone, Debug)]
pub struct Experiment {
    /// Spec name; (with `-` as `_`) the Terraform resource name.
    pub name: String,
    /// The FIS action name of this action: the experiment's name in the single-action form,
    /// the step's own name in the multi-action form.
    pub action_name: String,
    /// Actions (by name) that must end before this one starts.
    pub start_after: Vec<String>,
    /// The template's other actions in the multi-action form, each with its own action,
    /// parameters and target (and no schedule, report or hypothesis of its own).
    pub more: Vec<Experiment>,
    pub description: String,
    pub action: &'static Action,
    /// In catalog order.
    pub parameters: Vec<(String, String)>,
    pub target: Option<Target>,
    pub selection_mode: String,
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
}

impl Hypothesis {
    /// `ok` of `ok + failed` requests meet the tolerance (compared without dividing, so 99 of
    /// 100 meets 99 % exactly).
    pub fn tolerates(&self, ok: u64, failed: u64) -> bool {
        ok as f64 * 100.0 >= self.tolerance * (ok + failed) as f64
    }
}

impl Experiment {
    /// Every action of the template: this one, then the others of a multi-action form.
    pub fn actions(&self) -> impl Iterator<Item = &Experiment> {
        std::iter::once(self).chain(self.more.iter())
    }

    /// What the experiment's actions together can do to the app's endpoints.
    pub fn reach(&self) -> crate::catalog::Reach {
        self.actions()
            .map(|a| (a.action.reach)(a))
            .reduce(crate::catalog::Reach::union)
            .unwrap_or(crate::catalog::Reach::Nothing)
    }

    /// How long the template runs, in seconds: the longest chain of actions through
    /// `start_after`, each lasting its own duration (none for one that ends as soon as it has
    /// acted); `None` when no action has a duration.
    pub fn duration_secs(&self) -> Option<u64> {
        let actions: Vec<&Experiment> = self.actions().collect();
        let own: Vec<Option<u64>> = actions
            .iter()
            .map(|a| a.action.duration_secs(&a.parameters))
            .collect();
        if own.iter().all(Option::is_none) {
            return None;
        }
        // Finish times in topological order (Kahn): each action once, after every action it
        // starts after. A validated experiment has no cycle, so every action is reached.
        let mut index = std::collections::HashMap::with_capacity(actions.len());
        for (i, a) in actions.iter().enumerate() {
            index.entry(a.action_name.as_str()).or_insert(i);
        }
        let mut waiting = vec![0usize; actions.len()];
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); actions.len()];
        for (i, a) in actions.iter().enumerate() {
            for j in a.start_after.iter().filter_map(|n| index.get(n.as_str())) {
                if let (Some(w), Some(after)) = (waiting.get_mut(i), next.get_mut(*j)) {
                    *w += 1;
                    after.push(i);
                }
            }
        }
        let mut start = vec![0u64; actions.len()];
        let mut finish = vec![0u64; actions.len()];
        let mut ready: Vec<usize> = (0..actions.len())
            .filter(|&i| waiting.get(i) == Some(&0))
            .collect();
        while let Some(i) = ready.pop() {
            let end =
                start.get(i).copied().unwrap_or(0) + own.get(i).copied().flatten().unwrap_or(0);
            if let Some(f) = finish.get_mut(i) {
                *f = end;
            }
            for &k in next.get(i).into_iter().flatten() {
                if let Some(s) = start.get_mut(k) {
                    *s = (*s).max(end);
                }
                if let Some(w) = waiting.get_mut(k) {
                    *w -= 1;
                    if *w == 0 {
                        ready.push(k);
                    }
                }
            }
        }
        finish.into_iter().max()
    }

    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Moves the Aurora writer to a reader: the failover, or a reboot with forced failover.
    pub fn moves_writer(&self) -> bool {
        moves_writer(self.action.id, |k| self.parameter(k).map(str::to_owned))
    }

    /// The zone (0-based) whose app subnet this experiment cuts off entirely, if any.
    pub fn cut_zone(&self) -> Option<usize> {
        match self.target.as_ref().map(|t| &t.selection) {
            Some(TargetSelection::Subnets {
                tier: Tier::Private,
                az: Some(zone),
            }) if self.action.id == "aws:network:disrupt-connectivity"
                && matches!(self.parameter("scope"), Some("all" | "vpc")) =>
            {
                Some(*zone)
            }
            _ => None,
        }
    }

    /// Cuts app subnets (one zone's or all) off the network: their instances fail the health
    /// check, and replacements launched there cannot bootstrap.
    pub fn cuts_app_subnets(&self) -> bool {
        self.action.id == "aws:network:disrupt-connectivity"
            && matches!(
                self.target.as_ref().map(|t| &t.selection),
                Some(TargetSelection::Subnets {
                    tier: Tier::Private,
                    ..
                })
            )
            && matches!(self.parameter("scope"), Some("all" | "vpc"))
    }

    /// Stops app instances that FIS means to start again, which the auto-scaling group would
    /// replace first. A stop without `startInstancesAfterDuration` leaves the replacement to
    /// the group: that heal is the experiment (Article 1), not a hazard.
    pub fn stops_app_fleet(&self) -> bool {
        self.action.id == "aws:ec2:stop-instances"
            && self.parameter("startInstancesAfterDuration").is_some()
            && matches!(
                self.target.as_ref().map(|t| &t.selection),
                Some(TargetSelection::AppInstances { .. })
            )
    }
}

/// An action that moves the Aurora writer to a reader, given a parameter lookup (so raw specs
/// and checked experiments share it).
pub fn moves_writer(action: &str, parameter: impl Fn(&str) -> Option<String>) -> bool {
    action == "aws:rds:failover-db-cluster"
        || (action == "aws:rds:reboot-db-instances"
            && parameter("forceFailover").as_deref() == Some("true"))
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
