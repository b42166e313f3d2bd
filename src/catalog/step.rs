//! One action of an experiment template, checked: the catalog entry it runs, its parameters
//! and its target. An experiment (the layer above) is a template over a list of these; what
//! a single action does to the lab is asked of its step, never of a whole experiment.

use super::action::{Action, Param};
use super::kinds::{TargetKind, TargetSelection};
use super::{instances, network, rds};
use crate::resources::{Resources, Tier};

/// What a step targets: its kind, resolved to resources the lab creates.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: TargetKind,
    pub selection: TargetSelection,
}

#[derive(Clone, Debug)]
pub struct Step {
    /// The FIS action name: the experiment's name in the single-action form, the step's own
    /// name in the multi-action form.
    pub name: String,
    /// Steps (by name) that must end before this one starts.
    pub start_after: Vec<String>,
    /// The catalog entry: what the step does, typed.
    pub action: &'static Action,
    /// In catalog order.
    pub parameters: Vec<(String, String)>,
    pub target: Option<Target>,
    pub selection_mode: String,
}

impl Step {
    /// The value given (or set) for a parameter, by name.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of one of the action's parameters, named by its catalog entry.
    pub fn value(&self, param: &Param) -> Option<&str> {
        self.parameter(param.name)
    }

    /// How long the step runs, in seconds; `None` for one that ends as soon as it has acted.
    pub fn duration_secs(&self) -> Option<u64> {
        self.action.duration_secs(&self.parameters)
    }

    pub fn selection(&self) -> Option<&TargetSelection> {
        self.target.as_ref().map(|t| &t.selection)
    }

    /// The zone the step's target is narrowed to.
    pub fn zone(&self) -> Option<usize> {
        self.selection().and_then(TargetSelection::zone)
    }

    /// Moves the Aurora writer to a reader: the failover, or a reboot with forced failover.
    pub fn moves_writer(&self) -> bool {
        moves_writer(self.action, |p| self.value(p).map(str::to_owned))
    }

    /// The zone (0-based) whose app subnet this step cuts off entirely, if any.
    pub fn cut_zone(&self) -> Option<usize> {
        self.zone().filter(|_| self.cuts_app_subnets())
    }

    /// Cuts app subnets (one zone's or all) off the network: their instances fail the health
    /// check, and replacements launched there cannot bootstrap.
    pub fn cuts_app_subnets(&self) -> bool {
        self.action.is(&network::DISRUPT_CONNECTIVITY)
            && self.selection().and_then(network::tier) == Some(Tier::Private)
            && matches!(self.value(&network::SCOPE), Some("all" | "vpc"))
    }

    /// Stops app instances that FIS means to start again, which the auto-scaling group would
    /// replace first. A stop without `startInstancesAfterDuration` leaves the replacement to
    /// the group: that heal is the experiment (Article 1), not a hazard.
    pub fn stops_app_fleet(&self) -> bool {
        self.action.is(&instances::STOP_INSTANCES)
            && self.value(&instances::RESTART_AFTER).is_some()
            && self
                .selection()
                .is_some_and(|s| s.is(&instances::INSTANCES))
    }
}

/// An action that moves the Aurora writer to a reader, given a parameter lookup (so raw specs
/// and checked steps share it).
pub fn moves_writer(action: &Action, parameter: impl Fn(&Param) -> Option<String>) -> bool {
    action.is(&rds::FAILOVER_DB_CLUSTER)
        || (action.is(&rds::REBOOT_DB_INSTANCES)
            && parameter(&rds::FORCE_FAILOVER).as_deref() == Some("true"))
}

/// The lab a step acts in, as the catalog reads it for the README: its checked resources,
/// and the one lab-wide fact that comes from the experiments.
#[derive(Clone, Copy, Debug)]
pub struct LabView<'a> {
    pub resources: &'a Resources,
    /// The experiment that moves the Aurora writer to a reader, if one does: after it ran,
    /// the writer may sit in another zone.
    pub failover: Option<&'a str>,
}

impl std::ops::Deref for LabView<'_> {
    type Target = Resources;

    fn deref(&self) -> &Resources {
        self.resources
    }
}
