//! `chaoslab verify --preview`: the template run with `actionsMode = skip-all`, waited for to its
//! end. FIS resolves the targets and checks the role's permissions without injecting anything;
//! then the resources each target resolved to are listed (`ListExperimentResolvedTargets`),
//! and this machine is named if it is among them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Fis, Report, Status};
use crate::base::text::printable;

/// How long a preview may take before it is stopped.
const LIMIT: Duration = Duration::from_secs(900);

/// Runs the preview; returns the exit code (0 completed, 6 anything else), or the error from
/// FIS that ended it.
pub fn run(
    fis: &mut dyn Fis,
    template_id: &str,
    out: &mut dyn Report,
    interrupted: &AtomicBool,
) -> Result<u8, String> {
    let id = fis.start(template_id, true)?;
    out.line(&format!(
        "preview: started experiment {id} (actionsMode skip-all)"
    ));
    let started = Instant::now();
    loop {
        if interrupted.load(Ordering::SeqCst) || started.elapsed() > LIMIT {
            let _ = fis.stop(&id);
            out.line(&format!("preview: stopped experiment {id}"));
            return Ok(6);
        }
        let (status, reason) = fis.status(&id)?;
        out.status(&format!("preview: {}", status.as_str()));
        if status.is_terminal() {
            let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
            out.line(&format!(
                "preview: experiment {id} {}{reason}",
                status.as_str()
            ));
            resolved(fis, &id, out);
            return Ok(if status == Status::Completed { 0 } else { 6 });
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Lists what the experiment's targets resolved to, one line per resource.
fn resolved(fis: &mut dyn Fis, id: &str, out: &mut dyn Report) {
    let targets = match fis.resolved_targets(id) {
        Ok(t) => t,
        Err(e) => {
            out.line(&printable(&format!(
                "preview: the resolved targets could not be listed ({e})"
            )));
            return;
        }
    };
    if targets.is_empty() {
        out.line("preview: no target resolved to any resource");
        return;
    }
    out.line(&format!(
        "preview: {} resolved target resources:",
        targets.len()
    ));
    for t in &targets {
        let info: Vec<String> = t
            .information
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        // FIS's answer, shown and never interpreted by the terminal.
        out.line(&printable(&format!(
            "  {} ({}): {}",
            t.target,
            t.resource_type,
            info.join(" ")
        )));
    }
    // Best effort, as in the pre-flight: only on EC2 is this machine known.
    if let Ok(me) = fis.runner() {
        let hit = targets
            .iter()
            .find(|t| t.information.iter().any(|(_, v)| me.named_by(v)));
        if let Some(t) = hit {
            out.line(&format!(
                "preview: this machine (instance {}, subnet {}) is among target {}'s resources: the fault would cut the probe itself; run verify from elsewhere",
                me.instance_id, me.subnet_id, t.target
            ));
        }
    }
}
