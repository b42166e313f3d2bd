//! The FIS calls `verify` makes: start an experiment from a template, read its state, stop it.
//!
//! Behind a trait so the run's logic does not depend on the SDK; the SDK client (and its
//! Tokio runtime) is built only when `verify` runs, so no other command pays for it. It takes
//! the default credential chain, the lab's Region (the templates live there, whatever the
//! shell's `AWS_REGION` says), and honours `AWS_ENDPOINT_URL_FIS`.

use aws_sdk_fis::types::{ActionsMode, ExperimentStatus, StartExperimentExperimentOptionsInput};

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

pub trait Fis {
    /// Starts an experiment (with a fresh client token); `preview` runs it in FIS's
    /// target-preview mode (`actionsMode = skip-all`): targets and permissions are checked,
    /// nothing is injected. Returns the experiment id.
    fn start(&mut self, template_id: &str, preview: bool) -> Result<String, String>;
    fn status(&mut self, id: &str) -> Result<(Status, Option<String>), String>;
    fn stop(&mut self, id: &str) -> Result<(), String>;
}

/// FIS through the AWS SDK for Rust.
pub struct Sdk {
    rt: tokio::runtime::Runtime,
    client: aws_sdk_fis::Client,
}

impl Sdk {
    /// A client for FIS in `region`.
    pub fn connect(region: &str) -> Result<Sdk, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the AWS client's runtime: {e}"))?;
        let config = rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(region.to_owned()))
                .load(),
        );
        let client = aws_sdk_fis::Client::new(&config);
        Ok(Sdk { rt, client })
    }
}

/// The SDK's error with its source chain (the service's own message is in the sources).
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl Fis for Sdk {
    fn start(&mut self, template_id: &str, preview: bool) -> Result<String, String> {
        let options = preview.then(|| {
            StartExperimentExperimentOptionsInput::builder()
                .actions_mode(ActionsMode::SkipAll)
                .build()
        });
        let out = self
            .rt
            .block_on(
                self.client
                    .start_experiment()
                    .experiment_template_id(template_id)
                    .client_token(uuid::Uuid::new_v4().to_string())
                    .set_experiment_options(options)
                    .tags("started-by", "chaoslab verify")
                    .send(),
            )
            .map_err(|e| describe(&e))?;
        out.experiment()
            .and_then(|e| e.id())
            .map(str::to_owned)
            .ok_or_else(|| "FIS answered without an experiment id".to_owned())
    }

    fn status(&mut self, id: &str) -> Result<(Status, Option<String>), String> {
        let out = self
            .rt
            .block_on(self.client.get_experiment().id(id).send())
            .map_err(|e| describe(&e))?;
        let state = out
            .experiment()
            .and_then(|e| e.state())
            .ok_or_else(|| format!("FIS answered without a state for {id}"))?;
        let status = match state.status() {
            Some(ExperimentStatus::Pending) => Status::Pending,
            Some(ExperimentStatus::Initiating) => Status::Initiating,
            Some(ExperimentStatus::Running) => Status::Running,
            Some(ExperimentStatus::Completed) => Status::Completed,
            Some(ExperimentStatus::Stopping) => Status::Stopping,
            Some(ExperimentStatus::Stopped) => Status::Stopped,
            Some(ExperimentStatus::Failed) => Status::Failed,
            Some(ExperimentStatus::Cancelled) => Status::Cancelled,
            other => return Err(format!("unknown experiment state {other:?}")),
        };
        Ok((status, state.reason().map(str::to_owned)))
    }

    fn stop(&mut self, id: &str) -> Result<(), String> {
        self.rt
            .block_on(self.client.stop_experiment().id(id).send())
            .map(|_| ())
            .map_err(|e| describe(&e))
    }
}
