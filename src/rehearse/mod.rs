//! `chaoslab rehearse`: a lab's experiments run on this machine, judged by `verify`.
//!
//! The harness (Python, shipped inside the binary, [`setup`]) boots the lab's app from its own
//! generated tree in a network namespace, with moto and PostgreSQL standing in for AWS and a
//! stand-in FIS that injects each template's [`LocalFault`]s on the namespace's loopback.
//! Inside it, `chaoslab` runs `verify` once per experiment against that stand-in
//! ([`crate::verify::local`]): one judging engine, two fault backends. What the stand-in
//! can play of an action is the catalog's ([`crate::catalog::Rehearsal`]); this module turns a
//! lab's experiments into the [`Plan`] the harness and the inner run share.

pub mod setup;

use serde::Serialize;

use crate::catalog::LocalFault;
use crate::experiments::{Experiment, Lab, tf_name};

/// What a rehearsal does not model, printed at the end of every run.
pub const NOT_MODELLED: &str = "not modelled here: the load balancer, several instances or tasks, the Lambda functions behind it (`/fn/<name>` is not probed), TLS, real DNS, the network ACL swap's start-up delay, IMDS credentials, the container image itself";

/// One experiment the stand-in FIS can play.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// The spec's name.
    pub name: String,
    /// The template's id in the rehearsal: its Terraform name, as the tree has it.
    pub template: String,
    /// What its steps inject, all at once, for the fault phase.
    pub faults: Vec<LocalFault>,
}

/// The lab's experiments: those the rehearsal plays, and the others with why not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub experiments: Vec<Planned>,
    #[serde(skip)]
    pub not_rehearsable: Vec<(String, String)>,
}

impl Plan {
    /// The plan for `lab`: every experiment, or only those named in `only`. A named
    /// experiment the lab does not have is an error naming the ones it has.
    pub fn of(lab: &Lab, only: &[String]) -> Result<Plan, String> {
        for name in only {
            if !lab.experiments.iter().any(|e| &e.name == name) {
                let names: Vec<&str> = lab.experiments.iter().map(|e| e.name.as_str()).collect();
                return Err(format!(
                    "lab {} has no experiment `{name}` (it has: {})",
                    lab.name,
                    names.join(", ")
                ));
            }
        }
        let mut plan = Plan::default();
        for e in &lab.experiments {
            if !only.is_empty() && !only.contains(&e.name) {
                continue;
            }
            match faults(lab, e) {
                Ok(faults) => plan.experiments.push(Planned {
                    name: e.name.clone(),
                    template: tf_name(&e.name),
                    faults,
                }),
                Err(why) => plan.not_rehearsable.push((e.name.clone(), why)),
            }
        }
        Ok(plan)
    }
}

/// What the experiment's steps inject on this machine, or why it is not rehearsed.
fn faults(lab: &Lab, e: &Experiment) -> Result<Vec<LocalFault>, String> {
    if lab.app.is_none() || e.hypothesis.is_none() {
        return Err("the lab has no app to run and judge".into());
    }
    if e.steps.iter().any(|s| !s.start_after.is_empty()) {
        return Err(
            "its steps run one after another, which the stand-in FIS does not sequence".into(),
        );
    }
    let mut faults: Vec<LocalFault> = Vec::new();
    for s in &e.steps {
        let fault = s
            .action
            .rehearsal
            .fault(s)
            .map_err(|why| format!("`{}`: {why}", s.action.id))?;
        // Two steps that restart the database (a failover beside a reboot) restart it once.
        if !faults.contains(&fault) {
            faults.push(fault);
        }
    }
    Ok(faults)
}
