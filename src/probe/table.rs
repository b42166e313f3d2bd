//! What a phase's samples come to: counts, quantiles and the failures' reasons per endpoint,
//! and the lines and JSON records that show them.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Endpoint, Outcome, Sample};

/// One endpoint's figures in one phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub endpoint: String,
    pub ok: u64,
    pub failed: u64,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    /// The slowest failure: a fast 503 stays within the app's budget.
    pub failed_max: Option<Duration>,
    /// Why requests failed ([`Outcome::reason`]) and how many times each, most first.
    pub failures: Vec<(String, u64)>,
}

/// Per endpoint, the samples of phase `phase`.
pub fn stats(endpoints: &[Endpoint], samples: &[Sample], phase: usize) -> Vec<Stats> {
    let mut tally = Tally::new(endpoints.len(), phase);
    for s in samples {
        tally.add(s);
    }
    tally.stats(endpoints)
}

/// One phase's counts per endpoint, kept as requests arrive: what its table needs, in 4 bytes
/// a request instead of the whole sample, so a back-to-back probe at thousands of requests a
/// second stays small.
pub struct Tally {
    phase: usize,
    per: Vec<EndpointTally>,
}

#[derive(Clone, Default)]
struct EndpointTally {
    ok: u64,
    /// Every latency, in microseconds (u32: up to 71 minutes), for the quantiles.
    latencies: Vec<u32>,
    failed_max: Option<Duration>,
    /// Failures per reason: a handful of distinct short strings whatever the run's length.
    reasons: std::collections::BTreeMap<String, u64>,
}

impl Tally {
    pub fn new(endpoints: usize, phase: usize) -> Tally {
        Tally {
            phase,
            per: vec![EndpointTally::default(); endpoints],
        }
    }

    /// Counts a sample of this tally's phase; others are ignored.
    pub fn add(&mut self, s: &Sample) {
        if s.phase != Some(self.phase) {
            return;
        }
        let Some(t) = self.per.get_mut(s.endpoint) else {
            return;
        };
        t.latencies
            .push(u32::try_from(s.latency.as_micros()).unwrap_or(u32::MAX));
        if s.ok() {
            t.ok += 1;
        } else {
            t.failed_max = t.failed_max.max(Some(s.latency));
            if let Some(why) = s.outcome.reason() {
                *t.reasons.entry(why).or_default() += 1;
            }
        }
    }

    pub fn stats(&self, endpoints: &[Endpoint]) -> Vec<Stats> {
        self.build(endpoints, true)
    }

    /// The counts only, without sorting for the quantiles: enough for the live status line,
    /// which is redrawn five times a second.
    pub fn counts(&self, endpoints: &[Endpoint]) -> Vec<Stats> {
        self.build(endpoints, false)
    }

    fn build(&self, endpoints: &[Endpoint], quantiles: bool) -> Vec<Stats> {
        endpoints
            .iter()
            .zip(&self.per)
            .map(|(ep, t)| {
                let mut lat: Vec<Duration> = Vec::new();
                if quantiles {
                    lat = t
                        .latencies
                        .iter()
                        .map(|&us| Duration::from_micros(u64::from(us)))
                        .collect();
                    lat.sort();
                }
                Stats {
                    endpoint: ep.name.clone(),
                    ok: t.ok,
                    failed: t.latencies.len() as u64 - t.ok,
                    p50: quantile(&lat, 0.5),
                    p99: quantile(&lat, 0.99),
                    failed_max: t.failed_max,
                    failures: {
                        let mut f: Vec<(String, u64)> =
                            t.reasons.iter().map(|(r, n)| (r.clone(), *n)).collect();
                        f.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                        f
                    },
                }
            })
            .collect()
    }
}

/// The nearest-rank quantile of sorted values.
fn quantile(sorted: &[Duration], q: f64) -> Option<Duration> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// The article's line: `baseline (30s): products ok=18/0 reviews ok=18/0 promo ok=18/0`.
pub fn line(phase: &str, length: Duration, stats: &[Stats]) -> String {
    let mut out = format!("{phase} ({}s):", length.as_secs_f64().round());
    for s in stats {
        let _ = write!(out, " {} ok={}/{}", s.endpoint, s.ok, s.failed);
    }
    out
}

/// The latency line under it: `  products p50=12ms p99=40ms` per endpoint.
pub fn latencies(stats: &[Stats]) -> String {
    let ms = |d: Option<Duration>| d.map_or("-".to_owned(), |d| format!("{}ms", d.as_millis()));
    let mut out = String::from(" ");
    for s in stats {
        let _ = write!(out, " {} p50={} p99={}", s.endpoint, ms(s.p50), ms(s.p99));
    }
    out
}

/// Why the phase's requests failed, per endpoint that had failures:
/// `  failed: reviews 8 app 503: dynamodb; promo 2 timeout, 1 HTTP 500`; `None` without any.
pub fn failures(stats: &[Stats]) -> Option<String> {
    let parts: Vec<String> = stats
        .iter()
        .filter(|s| !s.failures.is_empty())
        .map(|s| {
            let reasons: Vec<String> = s.failures.iter().map(|(r, n)| format!("{n} {r}")).collect();
            format!("{} {}", s.endpoint, reasons.join(", "))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("  failed: {}", parts.join("; ")))
}

/// One JSON line per request, for `--jsonl`.
pub fn jsonl(phases: &[String], endpoints: &[Endpoint], s: &Sample) -> String {
    let status = s
        .outcome
        .status()
        .map_or(serde_json::Value::Null, serde_json::Value::from);
    let error = match &s.outcome {
        Outcome::Error(e) => serde_json::Value::from(*e),
        _ => serde_json::Value::Null,
    };
    let phase = s
        .phase
        .and_then(|p| phases.get(p))
        .map_or(serde_json::Value::Null, |p| p.as_str().into());
    serde_json::json!({
        "phase": phase,
        "endpoint": endpoints.get(s.endpoint).map(|e| e.name.as_str()),
        "status": status,
        "ok": s.ok(),
        "latency_ms": (s.latency.as_secs_f64() * 1e6).round() / 1e3,
        "error": error,
        "reason": s.outcome.reason(),
        "t_ms": s.at.as_millis() as u64,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn quantiles_and_the_article_line() {
        let lat: Vec<Duration> = (1..=100).map(d).collect();
        assert_eq!(quantile(&lat, 0.5), Some(d(50)));
        assert_eq!(quantile(&lat, 0.99), Some(d(99)));
        assert_eq!(quantile(&[], 0.5), None);
        let eps = vec![
            Endpoint {
                name: "products".into(),
                path: "/products".into(),
            },
            Endpoint {
                name: "reviews".into(),
                path: "/r".into(),
            },
        ];
        let sample = |endpoint, code, phase| Sample {
            phase: Some(phase),
            endpoint,
            outcome: Outcome::Status(code),
            latency: d(10),
            at: d(0),
        };
        let samples = vec![
            sample(0, 200, 0),
            sample(0, 200, 0),
            sample(1, 503, 0),
            sample(1, 200, 1),
        ];
        let st = stats(&eps, &samples, 0);
        assert_eq!(
            line("baseline", d(30_000), &st),
            "baseline (30s): products ok=2/0 reviews ok=0/1"
        );
        assert_eq!(st.get(1).and_then(|s| s.failed_max), Some(d(10)));
    }

    #[test]
    fn a_tally_counts_its_phase_only_and_keeps_the_quantiles() {
        let eps = [Endpoint {
            name: "a".into(),
            path: "/".into(),
        }];
        let mut t = Tally::new(1, 1);
        for ms in 1..=100 {
            t.add(&Sample {
                phase: Some(1),
                endpoint: 0,
                outcome: Outcome::Status(if ms == 100 { 503 } else { 200 }),
                latency: d(ms),
                at: d(0),
            });
        }
        // A straddler and another phase's sample do not count.
        for phase in [None, Some(0)] {
            t.add(&Sample {
                phase,
                endpoint: 0,
                outcome: Outcome::Error("timeout"),
                latency: d(9_000),
                at: d(0),
            });
        }
        let st = t.stats(&eps);
        let s = st.first().expect("one endpoint");
        assert_eq!((s.ok, s.failed), (99, 1));
        assert_eq!(
            (s.p50, s.p99, s.failed_max),
            (Some(d(50)), Some(d(99)), Some(d(100)))
        );
        // The live line's counts are the table's, without the sort.
        let c = t.counts(&eps);
        let c = c.first().expect("one endpoint");
        assert_eq!(
            (c.ok, c.failed, c.failed_max),
            (s.ok, s.failed, s.failed_max)
        );
        assert_eq!((c.p50, c.p99), (None, None));
    }
}
