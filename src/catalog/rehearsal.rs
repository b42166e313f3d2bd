//! What `chaoslab rehearse` can play of each action on one machine, and why not the rest.
//!
//! The rehearsal runs the lab's one app (its own bootstrap or task definition) against moto and
//! PostgreSQL in a network namespace, and a stand-in FIS injects each step's [`LocalFault`]
//! there. What it cannot model decides what is rehearsable: there is no load balancer and only
//! one instance or task, so faults whose promise rests on the rest of the fleet are not; nor is
//! anything outside the app's own calls (Lambda, other Regions, the AWS APIs' own faults).
//! Each action says so here, once: `chaoslab actions`, the README and the rehearsal's output
//! all read it.

use serde::Serialize;

use super::Step;

/// What the stand-in FIS injects on this machine while an experiment runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LocalFault {
    /// Nothing: the experiment only runs.
    Nothing,
    /// Every packet the app sends to the dependency dropped, as FIS's network ACL drops it.
    Drop { dependency: &'static str },
    /// What the app sends to the dependency held back `millis` ms (egress latency).
    Latency {
        dependency: &'static str,
        millis: u64,
    },
    /// A share of the packets to the dependency lost at random.
    Loss {
        dependency: &'static str,
        percent: u64,
    },
    /// The database (PostgreSQL, standing in for Aurora) stopped and started again.
    RestartDatabase,
}

impl std::fmt::Display for LocalFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalFault::Nothing => f.write_str("nothing injected"),
            LocalFault::Drop { dependency } => write!(f, "every packet to {dependency} dropped"),
            LocalFault::Latency { dependency, millis } => {
                write!(f, "what the app sends to {dependency} delayed {millis} ms")
            }
            LocalFault::Loss {
                dependency,
                percent,
            } => write!(f, "{percent} % of the packets to {dependency} lost"),
            LocalFault::RestartDatabase => f.write_str("the database restarted"),
        }
    }
}

/// How an action is rehearsed.
#[derive(Clone, Copy, Debug)]
pub enum Rehearsal {
    /// On this machine. `how` says what stands in for the fault (Markdown); `fault` is what one
    /// step injects, or why its parameters are beyond the stand-in.
    Local {
        how: &'static str,
        fault: fn(&Step) -> Result<LocalFault, String>,
    },
    /// Not on this machine, and why (Markdown).
    Not(&'static str),
}

impl Rehearsal {
    /// The fault one step of this action injects on this machine, or why it cannot.
    pub fn fault(&self, step: &Step) -> Result<LocalFault, String> {
        match self {
            Rehearsal::Local { fault, .. } => fault(step),
            Rehearsal::Not(why) => Err((*why).to_owned()),
        }
    }

    /// For the coverage table: `yes`/`no`, and how or why.
    pub fn summary(&self) -> (&'static str, &'static str) {
        match self {
            Rehearsal::Local { how, .. } => ("yes", how),
            Rehearsal::Not(why) => ("no", why),
        }
    }
}

/// Why the fleet faults are not rehearsed: their promise is the load balancer's and the other
/// instances'.
pub const NOT_THE_FLEET: &str = "the promise rests on the load balancer and the other instances or tasks, and the rehearsal runs one app without a load balancer";

/// Why the API faults are not rehearsed.
pub const NOT_API_FAULTS: &str = "the fault is in the AWS API's answers to the app's role; moto, standing in for AWS, has no fault injection";

/// Why the Lambda faults are not rehearsed.
pub const NOT_LAMBDA: &str = "the lab's function does not run in the rehearsal";

/// The dependency a task fault's `sources` names, when it names exactly one the app calls
/// (`DYNAMODB` or `S3`): a fault on all traffic would also reach the load balancer's, which
/// the rehearsal does not model.
pub fn one_source(step: &Step, sources: &super::Param) -> Result<&'static str, String> {
    match step.value(sources) {
        Some("DYNAMODB") => Ok("dynamodb"),
        Some("S3") => Ok("s3"),
        other => Err(format!(
            "`sources: {}` reaches more than one dependency of the app (also the load balancer's traffic, which the rehearsal does not model); it rehearses `sources: DYNAMODB` or `S3`",
            other.unwrap_or("ALL")
        )),
    }
}

/// A whole number parameter of a step, or its documented default.
pub fn number(step: &Step, param: &super::Param, default: u64) -> Result<u64, String> {
    match step.value(param) {
        None => Ok(default),
        Some(v) => v
            .trim_matches('"')
            .parse()
            .map_err(|_| format!("`{}: {v}` is not a whole number", param.name)),
    }
}
