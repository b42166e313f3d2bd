//! The AWS calls `verify` makes: start an experiment from a template, read its state, stop it;
//! and for the pre-flight, the template, its alarms' states and where this machine runs.
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
    /// The template FIS holds under `template_id`.
    fn template(&mut self, template_id: &str) -> Result<Template, String>;
    /// The states (`OK`, `ALARM`, `INSUFFICIENT_DATA`) of the CloudWatch alarms of these names
    /// that exist; a name missing from the answer has no alarm.
    fn alarm_states(&mut self, names: &[String]) -> Result<Vec<(String, String)>, String>;
    /// What an experiment's targets resolved to (after its target resolution ended).
    fn resolved_targets(&mut self, experiment_id: &str) -> Result<Vec<Resolved>, String>;
    /// Where this machine runs; `Err` says why that is unknown (not on EC2, metadata off).
    fn runner(&mut self) -> Result<Runner, String>;
}

/// What the pre-flight reads of the template FIS will run (`GetExperimentTemplate`): the
/// template as applied, which may differ from the spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    /// Its actions' ids.
    pub actions: Vec<String>,
    /// Its stop conditions' CloudWatch alarm ARNs.
    pub alarms: Vec<String>,
    pub targets: Vec<Target>,
}

/// One of a template's targets, as written (before FIS resolves it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub resource_type: String,
    /// The ARNs it names; empty when it selects by tags or filters.
    pub arns: Vec<String>,
    /// It selects by tags or filters: what it hits is known once FIS resolves it.
    pub by_tags: bool,
}

/// A resource one of an experiment's targets resolved to (`ListExperimentResolvedTargets`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub target: String,
    pub resource_type: String,
    /// FIS's `targetInformation`, sorted by key (e.g. `arn`).
    pub information: Vec<(String, String)>,
}

/// Where the machine running `verify` is, from the instance metadata service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runner {
    pub instance_id: String,
    pub subnet_id: String,
    pub availability_zone: String,
}

impl Runner {
    /// Whether `value` names this machine's instance or subnet: their ARN (what a template's
    /// targets and FIS's resolved targets give) or their bare id.
    pub fn named_by(&self, value: &str) -> bool {
        [("instance", &self.instance_id), ("subnet", &self.subnet_id)]
            .iter()
            .any(|(kind, id)| value == id.as_str() || value.ends_with(&format!(":{kind}/{id}")))
    }
}

/// The name of a CloudWatch alarm from its ARN (`arn:aws:cloudwatch:R:A:alarm:NAME`).
pub fn alarm_name(arn: &str) -> Option<&str> {
    arn.split_once(":alarm:")
        .map(|(_, name)| name)
        .filter(|n| !n.is_empty())
}
