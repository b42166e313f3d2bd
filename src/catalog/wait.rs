//! `aws:fis:wait`, the action without a target.

use super::Reach;
use super::kinds::duration;
use crate::experiments::{Experiment, Lab};

pub fn expect_wait(_: &Lab, e: &Experiment) -> String {
    format!(
        "nothing is injected: the experiment waits {}, which checks the template, the FIS role, the log delivery and the stop conditions without touching the lab.",
        duration(e)
    )
}

/// Waiting injects nothing.
pub fn reach(_: &Experiment) -> Reach {
    Reach::Nothing
}
