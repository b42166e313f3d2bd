//! `aws:fis:wait`, the action without a target.

use super::action::{DURATION, PROVIDER_BASE, required};
use super::kinds::duration;
use super::rehearsal::{LocalFault, Rehearsal};
use super::{Action, LabView, Reach, Step};

pub fn expect_wait(_: &LabView, e: &Step) -> String {
    format!(
        "nothing is injected: the experiment waits {}, which checks the template, the FIS role, the log delivery and the stop conditions without touching the lab.",
        duration(e)
    )
}

/// Waiting injects nothing.
pub fn reach(_: &Step) -> Reach {
    Reach::Nothing
}

pub const WAIT: Action = Action {
    id: "aws:fis:wait",
    summary: "Waits, injecting nothing: checks the template, the role, the logs and the stop conditions.",
    target: None,
    params: &[required("duration", DURATION, "PT3M", "How long to wait.")],
    iam: &[],
    provider_floor: PROVIDER_BASE,
    expect: expect_wait,
    reach,
    rehearsal: Rehearsal::Local {
        how: "nothing is injected; the experiment runs for the rehearsal's fault phase",
        fault: |_| Ok(LocalFault::Nothing),
    },
};
