//! `chaoslab probe`'s run: the phases in order, each reported as it ends (its table and its
//! latencies), every sample written to the JSONL file as it arrives.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Report, Running, Sample, Settings, Tally};
use crate::base::errors::Error;

/// Probes `phases` (name, length) in order, showing progress through `out`, until they end, the
/// probe's request budget is spent, or `interrupted` is raised; returns whether it was.
pub fn run(
    settings: Settings,
    phases: &[(String, Duration)],
    jsonl_path: Option<&Path>,
    out: &mut dyn Report,
    interrupted: &AtomicBool,
) -> Result<bool, Error> {
    let mut jsonl = match jsonl_path {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| Error::io(path, e))?,
        )),
        None => None,
    };
    let endpoints = settings.endpoints.clone();
    let first = phases
        .first()
        .map_or("probe", |(n, _)| n.as_str())
        .to_owned();
    let mut running = Running::start(settings, &first);
    // Each sample goes to the JSONL file as it arrives and into the current phase's tally;
    // none is kept, so memory stays flat however long and fast the probe runs.
    let mut tally = Tally::new(endpoints.len(), 0);
    let mut take = |batch: Vec<Sample>, names: &[String], tally: &mut Tally| -> Result<(), Error> {
        if let (Some(w), Some(path)) = (jsonl.as_mut(), jsonl_path) {
            for s in &batch {
                w.write_all((super::jsonl(names, &endpoints, s) + "\n").as_bytes())
                    .map_err(|e| Error::io(path, e))?;
            }
        }
        for s in &batch {
            tally.add(s);
        }
        Ok(())
    };
    let mut was_interrupted = false;
    for (i, (name, length)) in phases.iter().enumerate() {
        if i > 0 {
            // The phase began when the one before closed (below).
            tally = Tally::new(endpoints.len(), i);
        }
        let end = running.elapsed() + *length;
        while running.elapsed() < end && !running.exhausted() {
            if interrupted.load(Ordering::SeqCst) {
                was_interrupted = true;
                break;
            }
            let batch = running.poll(Duration::from_millis(200));
            take(batch, &running.phases, &mut tally)?;
            out.status(&super::line(
                &format!("{name} …"),
                running.phase_length(i),
                &tally.counts(&endpoints),
            ));
        }
        // Whatever of this phase is still on its way arrives before the next one begins (or
        // the probe stops), so the table is complete.
        let batch = match phases.get(i + 1) {
            _ if was_interrupted => running.abandon(),
            Some((next, _)) if !running.exhausted() => running.next_phase(next),
            _ => running.finish(),
        };
        take(batch, &running.phases, &mut tally)?;
        let st = tally.stats(&endpoints);
        let label = if was_interrupted {
            format!("{name} (interrupted)")
        } else {
            name.clone()
        };
        out.line(&super::line(&label, running.phase_length(i), &st));
        out.line(&super::latencies(&st));
        if let Some(why) = super::failures(&st) {
            out.line(&why);
        }
        if was_interrupted || running.exhausted() {
            break;
        }
    }
    let names = running.phases.clone();
    let rest = if was_interrupted {
        running.abandon()
    } else {
        running.finish()
    };
    take(rest, &names, &mut tally)?;
    if let (Some(w), Some(path)) = (jsonl.as_mut(), jsonl_path) {
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    let skipped = running.skipped();
    if skipped > 0 {
        out.line(&format!(
            "{skipped} round(s) not sent: the server answered too slowly for the interval \
             with at most {} requests in flight",
            super::MAX_IN_FLIGHT
        ));
    }
    if let Some(why) = running.failure() {
        return Err(Error::Environment(format!(
            "the probe stopped early: {why}; lower --concurrency or raise the memory or \
             process limit"
        )));
    }
    Ok(was_interrupted)
}
