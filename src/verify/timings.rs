//! How long FIS and the app took, measured on every run from its own samples: from
//! `StartExperiment` to FIS reporting `running`, from it to the first failed request, and from
//! the experiment's end to every endpoint answering ok again. Nobody publishes these for FIS;
//! each run's journal keeps them, so runs can be compared.

use std::time::Duration;

use serde_json::{Value, json};

use crate::probe::Sample;

/// The run's moments, from the start of the probe.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moments {
    /// Just before `StartExperiment` was sent.
    pub start: Option<Duration>,
    /// The first poll that saw the experiment `running`.
    pub running: Option<Duration>,
    /// The poll that saw it end (completed, stopped, failed).
    pub ended: Option<Duration>,
}

/// What was measured; `None` where the run did not get that far or it did not happen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    pub start_to_running: Option<Duration>,
    /// To the start of the first request that failed and had begun after `StartExperiment`.
    pub start_to_first_failure: Option<Duration>,
    /// To the end of the request after which every endpoint answered ok: for each endpoint,
    /// its first ok answer begun after its last failure; the latest of these. Zero when
    /// nothing failed after the end.
    pub end_to_recovered: Option<Duration>,
}

/// Measures `m` against the samples of `endpoints` endpoints.
pub fn measure(samples: &[Sample], m: Moments, endpoints: usize) -> Timings {
    let began = |s: &Sample| s.at.saturating_sub(s.latency);
    let start_to_running = m.start.zip(m.running).map(|(s, r)| r.saturating_sub(s));
    let start_to_first_failure = m.start.and_then(|start| {
        samples
            .iter()
            .filter(|s| !s.ok() && began(s) >= start)
            .map(|s| began(s) - start)
            .min()
    });
    let end_to_recovered = m.ended.and_then(|end| {
        let mut latest = Duration::ZERO;
        for e in 0..endpoints {
            let mine: Vec<&Sample> = samples.iter().filter(|s| s.endpoint == e).collect();
            let last_failure = mine
                .iter()
                .filter(|s| !s.ok() && s.at > end)
                .map(|s| s.at)
                .max();
            let Some(last_failure) = last_failure else {
                continue;
            };
            // Not ok again within the run: not recovered.
            let ok_again = mine
                .iter()
                .filter(|s| s.ok() && began(s) >= last_failure)
                .map(|s| s.at)
                .min()?;
            latest = latest.max(ok_again - end);
        }
        Some(latest)
    });
    Timings {
        start_to_running,
        start_to_first_failure,
        end_to_recovered,
    }
}

impl Moments {
    /// For the journal (and the report's marks): seconds from the start of the probe.
    pub fn json(&self) -> Value {
        let s = |d: Option<Duration>| d.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0);
        json!({
            "start_s": s(self.start),
            "running_s": s(self.running),
            "ended_s": s(self.ended),
        })
    }
}

impl Timings {
    /// `timings: running 1.0 s after StartExperiment, first failed request 1.2 s after it,
    /// every endpoint ok again 2.1 s after the experiment ended`.
    pub fn line(&self) -> String {
        let s = |d: Option<Duration>| {
            d.map_or("not seen".to_owned(), |d| {
                format!("{:.1} s", d.as_secs_f64())
            })
        };
        format!(
            "timings: running {} after StartExperiment, first failed request {} after it, every endpoint ok again {} after the experiment ended",
            s(self.start_to_running),
            s(self.start_to_first_failure),
            s(self.end_to_recovered)
        )
    }

    pub fn json(&self) -> Value {
        let s = |d: Option<Duration>| d.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0);
        json!({
            "start_to_running_s": s(self.start_to_running),
            "start_to_first_failed_request_s": s(self.start_to_first_failure),
            "end_to_recovered_s": s(self.end_to_recovered),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Outcome;

    fn sample(endpoint: usize, ok: bool, began_ms: u64, took_ms: u64) -> Sample {
        Sample {
            phase: None,
            endpoint,
            outcome: if ok {
                Outcome::Status(200)
            } else {
                Outcome::Unavailable("dynamodb".into())
            },
            latency: Duration::from_millis(took_ms),
            at: Duration::from_millis(began_ms + took_ms),
        }
    }

    #[test]
    fn measured_from_the_samples() {
        let ms = Duration::from_millis;
        let samples = [
            // Before the start: a failure that does not count.
            sample(0, false, 500, 10),
            sample(0, true, 1_000, 10),
            sample(1, true, 1_000, 10),
            // The first failure begins 2.5 s after the start (at 2 s)...
            sample(0, false, 4_500, 2_000),
            sample(1, true, 4_500, 10),
            // ...the last one ends at 12.2 s, after the end at 12 s; ok again from 12.3 s.
            sample(0, false, 10_200, 2_000),
            sample(0, true, 12_300, 20),
            sample(1, true, 12_300, 20),
        ];
        let t = measure(
            &samples,
            Moments {
                start: Some(ms(2_000)),
                running: Some(ms(3_000)),
                ended: Some(ms(12_000)),
            },
            2,
        );
        assert_eq!(t.start_to_running, Some(ms(1_000)));
        assert_eq!(t.start_to_first_failure, Some(ms(2_500)));
        assert_eq!(t.end_to_recovered, Some(ms(320)));
        // Never ok again: not recovered.
        let t = measure(
            &samples[..6],
            Moments {
                ended: Some(ms(12_000)),
                ..Moments::default()
            },
            2,
        );
        assert_eq!(t.end_to_recovered, None);
        assert_eq!(t.start_to_first_failure, None);
    }
}
