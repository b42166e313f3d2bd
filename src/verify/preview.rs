//! `chaoslab verify --preview`: the template run with `actionsMode = skip-all`, waited for to its
//! end. FIS resolves the targets and checks the role's permissions without injecting anything.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Fis, Report, Status};

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
            return Ok(if status == Status::Completed { 0 } else { 6 });
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}
