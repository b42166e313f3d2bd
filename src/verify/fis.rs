//! The FIS calls `verify` makes: start an experiment from a template, read its state, stop it.
//!
//! Behind a trait so the run's logic does not depend on how FIS is reached: `verify` reaches it
//! through the `chaoslab-fis` helper process ([`super::helper`]), which alone links the AWS SDK.

/// An experiment's state, as FIS reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Initiating,
    Running,
    Completed,
    Stopping,
    Stopped,
    Failed,
    Cancelled,
}

impl Status {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Stopped | Status::Failed | Status::Cancelled
        )
    }

    /// Every state, for reading one back from its name.
    pub const ALL: [Status; 8] = [
        Status::Pending,
        Status::Initiating,
        Status::Running,
        Status::Completed,
        Status::Stopping,
        Status::Stopped,
        Status::Failed,
        Status::Cancelled,
    ];

    /// FIS's state name, lower case (the API's `ExperimentStatus` value).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Initiating => "initiating",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Stopping => "stopping",
            Status::Stopped => "stopped",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(name: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| format!("unknown experiment state {name:?}"))
    }
}

pub trait Fis {
    /// Starts an experiment (with a fresh client token); `preview` runs it in FIS's
    /// target-preview mode (`actionsMode = skip-all`): targets and permissions are checked,
    /// nothing is injected. Returns the experiment id.
    fn start(&mut self, template_id: &str, preview: bool) -> Result<String, String>;
    fn status(&mut self, id: &str) -> Result<(Status, Option<String>), String>;
    fn stop(&mut self, id: &str) -> Result<(), String>;
    /// The state of the account's FIS safety lever in the Region (`GetSafetyLever`, id
    /// `default`): `disengaged`, `engaging` or `engaged`, and its reason. An engaged lever
    /// cancels every experiment started (the FIS user guide, "Safety levers", read 2026-12-07:
    /// https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
    fn safety_lever(&mut self) -> Result<(String, Option<String>), String>;
    /// Every action FIS offers in the Region (`ListActions`, all pages): an action it does not
    /// offer there fails the experiment at its start.
    fn actions(&mut self) -> Result<Vec<String>, String>;
}
