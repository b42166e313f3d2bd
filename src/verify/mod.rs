//! `chaoslab verify`: the article's whole run, judged. A baseline must hold before anything is
//! injected; then the experiment runs (started through FIS) while the probe measures; then a
//! recovery phase; then each endpoint is judged against the experiment's hypothesis.
//!
//! Safety first: once an experiment is started, any way out of the run that is not its own
//! end (Ctrl-C, an error, the run's time limit) stops it, and says so.

pub mod fis;
pub mod helper;
pub mod local;
pub mod preflight;
pub mod preview;
pub mod timings;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

pub use crate::experiments::Hypothesis;
pub use crate::probe::Report;
use crate::probe::{self, Running, Sample, Settings, Stats};
pub use fis::{Fis, Status};

/// How the run ended: each has its own exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The hypothesis held (exit 0).
    Held,
    /// At least one endpoint deviated (exit 1).
    Deviated,
    /// The steady state did not hold before the fault: nothing was injected (exit 5).
    BaselineNotMet,
    /// The experiment failed, was stopped or cancelled, or was interrupted (exit 6).
    ExperimentEnded(String),
    /// The probe stopped early: it could not start a thread (exit 3, as for a machine that
    /// lacks what the command needs).
    ProbeFailed(String),
    /// A pre-flight check refused the run before anything was probed or started (exit 7):
    /// an action FIS does not offer in the Region, or its safety lever engaged.
    Refused(String),
}

impl Verdict {
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Held => 0,
            Verdict::Deviated => 1,
            Verdict::BaselineNotMet => 5,
            Verdict::ExperimentEnded(_) => 6,
            Verdict::ProbeFailed(_) => 3,
            Verdict::Refused(_) => 7,
        }
    }
}

/// One endpoint's judgement in one phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    pub stats: Stats,
    /// `degraded`, `healthy` or `not judged`.
    pub expected: &'static str,
    pub held: bool,
    /// What broke the expectation, with the counts: `None` when it held.
    pub why: Option<String>,
}

/// Judges one phase: healthy endpoints need `tolerance` ok; in the fault phase, degraded ones
/// need at least one failure and every failure within `budget`; outside it, they are healthy.
/// An endpoint in neither list is judged only outside the fault (the steady state).
pub fn judge(h: &Hypothesis, stats: &[Stats], fault: bool, budget: Duration) -> Vec<Judged> {
    stats
        .iter()
        .map(|s| {
            let listed = |l: &[String]| l.contains(&s.endpoint);
            let expected = match (fault, listed(&h.degraded), listed(&h.healthy)) {
                (true, true, _) => "degraded",
                (true, false, false) => "not judged",
                _ => "healthy",
            };
            let why = match expected {
                "degraded" if s.failed == 0 => Some(format!(
                    "expected to fail fast during the fault, but none of its {} requests failed",
                    s.ok
                )),
                "degraded" => s.failed_max.filter(|m| *m > budget).map(|m| {
                    format!(
                        "expected to fail fast, but its slowest failure took {:.1} s, over the app's {:.1} s budget",
                        m.as_secs_f64(),
                        budget.as_secs_f64()
                    )
                }),
                "healthy" if s.ok + s.failed == 0 => {
                    Some("expected healthy, but no request completed".to_owned())
                }
                "healthy" if !h.tolerates(s.ok, s.failed) => Some(format!(
                    "expected healthy ({} % ok at least), but {} of {} requests were ok ({:.1} %)",
                    h.tolerance,
                    s.ok,
                    s.ok + s.failed,
                    s.ok as f64 * 100.0 / (s.ok + s.failed) as f64
                )),
                _ => None,
            };
            Judged {
                stats: s.clone(),
                expected,
                held: why.is_none(),
                why,
            }
        })
        .collect()
}

/// The run's options.
pub struct Options<'a> {
    pub experiment: &'a str,
    /// The FIS actions of the experiment's template, for the pre-flight.
    pub actions: Vec<&'static str>,
    pub template_id: &'a str,
    pub baseline: Duration,
    pub recovery: Duration,
    /// The run stops the experiment and gives up past this.
    pub max_duration: Duration,
    /// How often the experiment's state is read.
    pub poll: Duration,
    /// The app's budget: a degraded endpoint's failures must be at most this slow.
    pub budget: Duration,
    /// How long after the fault the app may take to come back by its own design, probed but
    /// not judged before the recovery (zero: none), and why.
    pub settle: Duration,
    pub settle_why: String,
}

/// What a run produced: the verdict and the journal.
pub struct Outcome {
    pub verdict: Verdict,
    pub journal: Value,
}

/// The whole run. `interrupted` is raised by Ctrl-C.
pub fn run(
    settings: Settings,
    hypothesis: &Hypothesis,
    fis: &mut dyn Fis,
    opts: &Options<'_>,
    out: &mut dyn Report,
    interrupted: &AtomicBool,
) -> Outcome {
    let endpoints = settings.endpoints.clone();
    if let Some(why) = preflight::run(fis, opts.template_id, &opts.actions, out) {
        let record = Record::default();
        let nothing = timings::Timings::default();
        return finish(
            Verdict::Refused(why),
            hypothesis,
            opts,
            &endpoints,
            record,
            nothing,
        );
    }
    let mut probe = Running::start(settings, "baseline");
    let mut record = Record::default();
    let verdict = phases(
        &mut probe,
        &mut record,
        &endpoints,
        hypothesis,
        fis,
        opts,
        out,
        interrupted,
    );
    // Every way out of the phases comes here: the probe stops once, and its last samples go
    // into the journal. After Ctrl-C it waits for no request in flight.
    record
        .samples
        .extend(if interrupted.load(Ordering::SeqCst) {
            probe.abandon()
        } else {
            probe.finish()
        });
    record.phase_names.clone_from(&probe.phases);
    // A probe that could not start its threads measured too little to judge.
    let verdict = match probe.failure() {
        Some(why) => {
            out.line(&format!("not judged: the probe stopped early: {why}"));
            Verdict::ProbeFailed(why)
        }
        None => verdict,
    };
    // Measured once, for the line and the journal.
    let timings = timings::measure(&record.samples, record.moments, endpoints.len());
    if record.moments.start.is_some() {
        out.line(&timings.line());
    }
    finish(verdict, hypothesis, opts, &endpoints, record, timings)
}

/// What a run gathers for its journal.
#[derive(Default)]
struct Record {
    /// The probe's phases, `starting` included: what each sample's phase index names.
    phase_names: Vec<String>,
    samples: Vec<Sample>,
    activities: Vec<Value>,
    judged: Vec<(String, Vec<Judged>)>,
    moments: timings::Moments,
}

/// Baseline, fault and recovery, each judged; returns at the first that ends the run.
#[allow(clippy::too_many_arguments)]
fn phases(
    probe: &mut Running,
    record: &mut Record,
    endpoints: &[probe::Endpoint],
    hypothesis: &Hypothesis,
    fis: &mut dyn Fis,
    opts: &Options<'_>,
    out: &mut dyn Report,
    interrupted: &AtomicBool,
) -> Verdict {
    // Baseline.
    let ended = collect_for(
        probe,
        &mut record.samples,
        opts.baseline,
        interrupted,
        out,
        "baseline",
    );
    // FIS injects once the experiment is running; until then the lab is not yet under the
    // fault, and those requests are judged in neither phase.
    record.samples.extend(probe.next_phase("starting"));
    let before = judge(
        hypothesis,
        &probe::stats(endpoints, &record.samples, 0),
        false,
        opts.budget,
    );
    print_phase(out, "baseline", probe.phase_length(0), &before);
    let before_met = before.iter().all(|j| j.held);
    record.judged.push(("baseline".into(), before));
    if !ended {
        return Verdict::ExperimentEnded("interrupted before the start".into());
    }
    if !before_met {
        out.line("steady state not met before the fault: the experiment was not started");
        return Verdict::BaselineNotMet;
    }

    // The fault.
    record.moments.start = Some(probe.elapsed());
    let id = match fis.start(opts.template_id, false) {
        Ok(id) => id,
        Err(e) => {
            out.line(&format!("could not start the experiment: {e}"));
            return Verdict::ExperimentEnded(format!("not started: {e}"));
        }
    };
    out.line(&format!(
        "started experiment {id} from template {}",
        opts.template_id
    ));
    let (state, reason) = watch(probe, &mut record.samples, fis, &id, opts, interrupted, out);
    record.activities.push(json!({
        "activity": "fis:StartExperiment",
        "experiment_template_id": opts.template_id,
        "experiment_id": id,
        "status": state.as_str(),
        "reason": reason,
    }));
    let during_index = probe.phases.len() - 1;
    let settling = !opts.settle.is_zero();
    record
        .samples
        .extend(probe.next_phase(if settling { "settling" } else { "recovery" }));
    // The phase watch() ended began when FIS was seen running ("during"), if it was.
    if let Some((began, ended)) = probe.phase_span(during_index) {
        if probe
            .phases
            .get(during_index)
            .is_some_and(|p| p == "during")
        {
            record.moments.running = Some(began);
        }
        record.moments.ended = ended;
    }
    let during = judge(
        hypothesis,
        &probe::stats(endpoints, &record.samples, during_index),
        true,
        opts.budget,
    );
    print_phase(out, "during", probe.phase_length(during_index), &during);
    record.judged.push(("during".into(), during));
    if state != Status::Completed {
        let why = format!(
            "experiment {id} ended {}{}",
            state.as_str(),
            reason.map(|r| format!(": {r}")).unwrap_or_default()
        );
        out.line(&why);
        return Verdict::ExperimentEnded(why);
    }

    // The app's own way back, shown but not judged: e.g. a circuit breaker stays open for
    // its reset time after the dependency's last failure.
    if settling {
        let settle_index = probe.phases.len() - 1;
        // Ctrl-C here (the experiment is over) ends the phases below at once, as in recovery.
        collect_for(
            probe,
            &mut record.samples,
            opts.settle,
            interrupted,
            out,
            "settling",
        );
        record.samples.extend(probe.next_phase("recovery"));
        let stats = probe::stats(endpoints, &record.samples, settle_index);
        let mut line = probe::line("settling", probe.phase_length(settle_index), &stats);
        let _ = write!(line, "   not judged: {}", opts.settle_why);
        out.line(&line);
    }

    // Recovery.
    let recovery_index = probe.phases.len() - 1;
    collect_for(
        probe,
        &mut record.samples,
        opts.recovery,
        interrupted,
        out,
        "recovery",
    );
    record.samples.extend(probe.finish());
    let after = judge(
        hypothesis,
        &probe::stats(endpoints, &record.samples, recovery_index),
        false,
        opts.budget,
    );
    print_phase(out, "recovery", probe.phase_length(recovery_index), &after);
    record.judged.push(("recovery".into(), after));
    let held = record
        .judged
        .iter()
        .skip(1)
        .all(|(_, js)| js.iter().all(|j| j.held));
    out.line(if held {
        "hypothesis held"
    } else {
        "hypothesis deviated:"
    });
    for (phase, js) in record.judged.iter().skip(1) {
        for j in js.iter().filter(|j| !j.held) {
            let why = j.why.as_deref().unwrap_or_default();
            out.line(&format!("  {phase}: {} {why}", j.stats.endpoint));
        }
    }
    if held {
        Verdict::Held
    } else {
        Verdict::Deviated
    }
}

/// Collects samples for `length`; false when interrupted.
fn collect_for(
    probe: &Running,
    samples: &mut Vec<Sample>,
    length: Duration,
    interrupted: &AtomicBool,
    out: &mut dyn Report,
    phase: &str,
) -> bool {
    let end = probe.elapsed() + length;
    while probe.elapsed() < end && !probe.exhausted() {
        if interrupted.load(Ordering::SeqCst) {
            return false;
        }
        samples.extend(probe.poll(Duration::from_millis(200)));
        out.status(&format!(
            "{phase} {:.0}s/{:.0}s, {} requests",
            (length.saturating_sub(end.saturating_sub(probe.elapsed()))).as_secs_f64(),
            length.as_secs_f64(),
            samples.len()
        ));
    }
    true
}

/// Probes while the experiment runs, until it reaches an end state; stops it on Ctrl-C, on an
/// error reading its state, and past the run's time limit.
fn watch(
    probe: &mut Running,
    samples: &mut Vec<Sample>,
    fis: &mut dyn Fis,
    id: &str,
    opts: &Options<'_>,
    interrupted: &AtomicBool,
    out: &mut dyn Report,
) -> (Status, Option<String>) {
    let started = probe.elapsed();
    let mut next_poll = started;
    let mut last = (Status::Pending, None);
    loop {
        samples.extend(probe.poll(Duration::from_millis(200)));
        let now = probe.elapsed();
        let stop_why = if interrupted.load(Ordering::SeqCst) {
            Some("interrupted (Ctrl-C)".to_owned())
        } else if now.saturating_sub(started) > opts.max_duration {
            Some(format!(
                "the run's limit of {}s passed",
                opts.max_duration.as_secs()
            ))
        } else {
            None
        };
        if let Some(why) = stop_why {
            return stop(fis, id, &why, out);
        }
        if now >= next_poll {
            next_poll = now + opts.poll;
            match fis.status(id) {
                Ok((s, reason)) => {
                    if s.is_terminal() {
                        return (s, reason);
                    }
                    if s == Status::Running && last.0 != Status::Running {
                        probe.begin_phase("during");
                    }
                    last = (s, reason);
                }
                Err(e) => return stop(fis, id, &format!("reading its state failed: {e}"), out),
            }
        }
        out.status(&format!(
            "during {:.0}s, experiment {}, {} requests",
            now.saturating_sub(started).as_secs_f64(),
            last.0.as_str(),
            samples.len()
        ));
    }
}

fn stop(fis: &mut dyn Fis, id: &str, why: &str, out: &mut dyn Report) -> (Status, Option<String>) {
    match fis.stop(id) {
        Ok(()) => out.line(&format!("{why}: stopped experiment {id} (StopExperiment)")),
        Err(e) => out.line(&format!(
            "{why}: STOPPING EXPERIMENT {id} FAILED: {e}; stop it now: aws fis stop-experiment --id {id}"
        )),
    }
    (Status::Stopped, Some(why.to_owned()))
}

fn print_phase(out: &mut dyn Report, name: &str, length: Duration, judged: &[Judged]) {
    let stats: Vec<Stats> = judged.iter().map(|j| j.stats.clone()).collect();
    let mut text = probe::line(name, length, &stats);
    let _ = write!(text, "  ");
    for j in judged {
        let _ = write!(
            text,
            " {} {}",
            j.stats.endpoint,
            match (j.expected, j.held) {
                ("not judged", _) => "–",
                (_, true) => "✔",
                (_, false) => "✘",
            }
        );
    }
    out.line(&text);
    out.line(&probe::latencies(&stats));
    if let Some(why) = probe::failures(&stats) {
        out.line(&why);
    }
}

fn finish(
    verdict: Verdict,
    h: &Hypothesis,
    opts: &Options<'_>,
    endpoints: &[probe::Endpoint],
    record: Record,
    timings: timings::Timings,
) -> Outcome {
    let Record {
        phase_names: names,
        samples,
        activities,
        judged: phases,
        moments,
    } = record;
    let phase_json = |js: &[Judged]| {
        json!({
            "steady_state_met": js.iter().all(|j| j.held),
            "probes": js.iter().map(|j| json!({
                "endpoint": j.stats.endpoint,
                "expected": j.expected,
                "ok": j.stats.ok,
                "failed": j.stats.failed,
                "p50_ms": j.stats.p50.map(|d| d.as_millis() as u64),
                "p99_ms": j.stats.p99.map(|d| d.as_millis() as u64),
                "tolerance_met": j.held,
                "why": j.why,
                "failures": j.stats.failures.iter().map(|(r, n)| (r.clone(), Value::from(*n))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
        })
    };
    let mut states = serde_json::Map::new();
    for (name, js) in &phases {
        let key = match name.as_str() {
            "baseline" => "before",
            "recovery" => "after",
            other => other,
        };
        states.insert(key.to_owned(), phase_json(js));
    }
    let (status, deviated) = match &verdict {
        Verdict::Held => ("completed", false),
        Verdict::Deviated => ("deviated", true),
        Verdict::BaselineNotMet => ("failed", false),
        Verdict::ExperimentEnded(_) | Verdict::ProbeFailed(_) => ("aborted", false),
        Verdict::Refused(_) => ("refused", false),
    };
    let journal = json!({
        "chaoslab_version": env!("CARGO_PKG_VERSION"),
        "experiment": {
            "title": opts.experiment,
            "experiment_template_id": opts.template_id,
            "steady_state_hypothesis": {
                "degraded": h.degraded,
                "healthy": h.healthy,
                "tolerance_percent": h.tolerance,
                "budget_ms": opts.budget.as_millis() as u64,
            },
        },
        "status": status,
        "deviated": deviated,
        "reason": match &verdict { Verdict::ExperimentEnded(r) | Verdict::ProbeFailed(r) | Verdict::Refused(r) => Value::from(r.as_str()), _ => Value::Null },
        "steady_states": states,
        "run": activities,
        "timings": timings.json(),
        "moments": moments.json(),
        "samples": samples.iter().map(|s| {
            serde_json::from_str::<Value>(&probe::jsonl(&names, endpoints, s)).unwrap_or(Value::Null)
        }).collect::<Vec<_>>(),
    });
    Outcome { verdict, journal }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(name: &str, ok: u64, failed: u64, failed_max_ms: Option<u64>) -> Stats {
        Stats {
            endpoint: name.into(),
            ok,
            failed,
            p50: None,
            p99: None,
            failed_max: failed_max_ms.map(Duration::from_millis),
            failures: Vec::new(),
        }
    }

    #[test]
    fn judging() {
        let h = Hypothesis {
            degraded: vec!["reviews".into()],
            healthy: vec!["products".into(), "promo".into()],
            tolerance: 99.0,
            endpoints: crate::experiments::expect::lab_endpoints([]),
        };
        let budget = Duration::from_secs(5);
        let during = [
            st("products", 100, 0, None),
            st("reviews", 0, 100, Some(2000)),
            st("promo", 98, 2, Some(10)),
        ];
        let j = judge(&h, &during, true, budget);
        assert_eq!(
            j.iter().map(|j| j.held).collect::<Vec<_>>(),
            [true, true, false]
        );
        // What broke it, with the counts.
        assert_eq!(
            j[2].why.as_deref(),
            Some("expected healthy (99 % ok at least), but 98 of 100 requests were ok (98.0 %)")
        );
        // A slow failure is not a fast 503; no failure means the fault did not show.
        let slow = judge(&h, &[st("reviews", 0, 3, Some(6000))], true, budget);
        assert!(!slow.iter().all(|j| j.held));
        assert_eq!(
            slow[0].why.as_deref(),
            Some(
                "expected to fail fast, but its slowest failure took 6.0 s, over the app's 5.0 s budget"
            )
        );
        let none = judge(&h, &[st("reviews", 10, 0, None)], true, budget);
        assert!(!none.iter().all(|j| j.held));
        assert_eq!(
            none[0].why.as_deref(),
            Some("expected to fail fast during the fault, but none of its 10 requests failed")
        );
        // Outside the fault every endpoint is judged healthy, and an empty phase holds nothing.
        let base = judge(
            &h,
            &[st("reviews", 10, 0, None), st("products", 0, 0, None)],
            false,
            budget,
        );
        assert_eq!(
            base.iter().map(|j| j.held).collect::<Vec<_>>(),
            [true, false]
        );
    }
}
