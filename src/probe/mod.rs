//! The article's measurement, built in: hit each endpoint of the lab at a fixed interval, and
//! count per phase how many requests succeeded (2xx) and failed, with their latencies.
//!
//! The probe runs on plain threads, `concurrency` per endpoint, each requesting its endpoint
//! once per interval: a slow endpoint (a dependency cut off) cannot thin out the samples of
//! the others, as it does in a probe that walks the endpoints in turn. The caller drives the
//! phases (`begin_phase`) and collects samples as they come
//! (`poll`), so a live display, a JSONL journal and an experiment's state machine can all sit
//! on top. Every request is bounded by its timeout, every run by its phases and by
//! `max_requests`.

pub mod http;
pub mod phases;
mod table;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::experiments::Lab;
pub use http::{Outcome, Url};
pub use table::{Stats, Tally, failures, jsonl, latencies, line, stats};

/// Where a run (`probe`'s phases, `verify`) reports as it goes.
pub trait Report {
    /// A status line that replaces the previous one.
    fn status(&mut self, line: &str);
    /// A line of the result.
    fn line(&mut self, line: &str);
}

/// One path the probe requests, by the name the article's table gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub path: String,
}

/// The endpoints a lab's app serves: the shop's three, each from one dependency (`/health` is
/// left out: the article's table counts the three features), then each function's
/// `/fn/<name>` on the load balancer.
pub fn endpoints(lab: &Lab) -> Vec<Endpoint> {
    let id = crate::resources::app::reviews_probe_id(lab.app.as_ref(), &lab.tables);
    let shop = crate::experiments::expect::ENDPOINTS
        .iter()
        .map(|e| Endpoint {
            name: e.name.to_owned(),
            path: e.path.replace("{id}", &id),
        });
    // Each function behind the load balancer, as `expect:` names it.
    let functions = lab.functions.iter().map(|f| Endpoint {
        name: crate::experiments::expect::function_endpoint(&f.name),
        path: crate::resources::functions::path(&f.name),
    });
    shop.chain(functions).collect()
}

/// The per-request limit for a lab's app ([`crate::resources::Timeouts::probe_limit`]).
pub fn timeout_for(lab: &Lab) -> Option<Duration> {
    lab.app
        .as_ref()
        .map(|a| Duration::from_secs(u64::from(a.timeouts.probe_limit())))
}

/// What to probe and how hard.
#[derive(Clone, Debug)]
pub struct Settings {
    pub url: Url,
    pub endpoints: Vec<Endpoint>,
    /// Time from one round's start to the next, per worker; zero runs rounds back to back.
    pub interval: Duration,
    pub concurrency: u32,
    pub timeout: Duration,
    /// No more requests than this in one run, whatever the phases say.
    pub max_requests: u64,
}

/// One request.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The phase the request started and ended in; `None` when it straddled a phase change
    /// (a request in flight when a fault begins or ends belongs to neither side).
    pub phase: Option<usize>,
    pub endpoint: usize,
    pub outcome: Outcome,
    pub latency: Duration,
    /// When it ended, from the start of the run.
    pub at: Duration,
}

impl Sample {
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Status(s) if (200..300).contains(&s))
    }
}

/// The most requests in flight at once over the whole probe: what bounds its threads, and so
/// its memory, against a server that answers slowly or never (a slow-loris, a cut
/// dependency). Each worker may have as many in flight as keep its rate when every request
/// takes the whole timeout, within its share of this, and always one: with more workers than
/// this (`--concurrency` times the endpoints), one each.
pub const MAX_IN_FLIGHT: u32 = 256;

/// A request thread's stack: an HTTP/1.1 GET with a 4 KiB buffer needs a few KiB; the
/// default 2 MiB of address space each would let a few hundred threads reserve hundreds.
const REQUEST_STACK: usize = 128 << 10;

struct Shared {
    settings: Settings,
    /// Requests one worker may have in flight (see [`MAX_IN_FLIGHT`]).
    in_flight_cap: usize,
    /// Rounds a worker skipped because its requests in flight were at the cap.
    skipped: AtomicU64,
    /// Why the probe stopped early: a thread could not be started.
    failure: Mutex<Option<String>>,
    /// Set when the run is abandoned (Ctrl-C): the workers stop without waiting for their
    /// requests in flight, which end by their own deadline and are counted nowhere.
    abandon: AtomicBool,
    /// Held (shared) while a request reads its end phase and sends its sample, and
    /// (exclusive) while the phase changes: once `begin_phase` returns, no sample of the
    /// phase before can still arrive, so its table is complete.
    switch: std::sync::RwLock<()>,
    phase: AtomicUsize,
    stop: AtomicBool,
    sent: AtomicU64,
    start: Instant,
}

/// When a phase began and, once over, ended (from the start of the run).
type Span = (Duration, Option<Duration>);

/// A probe at work.
pub struct Running {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    rx: Receiver<Sample>,
    /// Phase names, in order; index 0 is the first phase.
    pub phases: Vec<String>,
    phase_spans: Arc<Mutex<Vec<Span>>>,
}

impl Running {
    /// Starts the workers in phase `first`. A worker that cannot be started stops the probe
    /// at once, with the reason in [`Running::failure`].
    pub fn start(settings: Settings, first: &str) -> Running {
        let per_endpoint = settings.concurrency.max(1);
        let endpoints = u32::try_from(settings.endpoints.len()).unwrap_or(u32::MAX);
        let workers = per_endpoint.saturating_mul(endpoints);
        let in_flight_cap = in_flight_cap(&settings, workers);
        let shared = Arc::new(Shared {
            settings,
            in_flight_cap,
            skipped: AtomicU64::new(0),
            failure: Mutex::new(None),
            abandon: AtomicBool::new(false),
            switch: std::sync::RwLock::new(()),
            phase: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            start: Instant::now(),
        });
        let (tx, rx) = channel();
        let mut handles = Vec::new();
        for i in 0..workers {
            let shared2 = Arc::clone(&shared);
            let tx: Sender<Sample> = tx.clone();
            match spawn("probe worker", move || worker(&shared2, i, workers, &tx)) {
                Ok(h) => handles.push(h),
                Err(e) => {
                    shared.fail(e);
                    break;
                }
            }
        }
        Running {
            shared,
            workers: handles,
            rx,
            phases: vec![first.to_owned()],
            phase_spans: Arc::new(Mutex::new(vec![(Duration::ZERO, None)])),
        }
    }

    /// Ends the current phase and starts the next.
    pub fn begin_phase(&mut self, name: &str) {
        let now = self.shared.start.elapsed();
        if let Ok(mut spans) = self.phase_spans.lock() {
            if let Some(last) = spans.last_mut() {
                last.1 = Some(now);
            }
            spans.push((now, None));
        }
        self.phases.push(name.to_owned());
        let _switch = self.shared.switch.write();
        self.shared
            .phase
            .store(self.phases.len() - 1, Ordering::SeqCst);
    }

    /// Ends the current phase, starts `name`, and returns the ended phase's last samples: once
    /// the next phase has begun, no sample of the one before is still on its way, so with
    /// these its table is complete.
    pub fn next_phase(&mut self, name: &str) -> Vec<Sample> {
        self.begin_phase(name);
        self.poll(Duration::ZERO)
    }

    /// The samples that arrived within `wait` (at least one wait, then whatever is queued).
    pub fn poll(&self, wait: Duration) -> Vec<Sample> {
        let mut out = Vec::new();
        match self.rx.recv_timeout(wait) {
            Ok(s) => out.push(s),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return out,
        }
        out.extend(self.rx.try_iter());
        out
    }

    /// True once the request budget is spent, or the probe failed ([`Running::failure`]).
    pub fn exhausted(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    /// Why the probe stopped early, if it did: a thread it could not start (a memory or
    /// process limit). Its samples up to then stand; the run is not to be judged healthy.
    pub fn failure(&self) -> Option<String> {
        self.shared.failure.lock().ok().and_then(|f| f.clone())
    }

    /// Rounds skipped because a worker's requests in flight were at its cap: the server
    /// answered too slowly for the probe's rate within [`MAX_IN_FLIGHT`].
    pub fn skipped(&self) -> u64 {
        self.shared.skipped.load(Ordering::SeqCst)
    }

    /// Stops at once (Ctrl-C): like [`Running::finish`], but no request in flight is waited
    /// for; each ends by its own deadline, counted in no phase, while the caller exits.
    pub fn abandon(&mut self) -> Vec<Sample> {
        self.shared.abandon.store(true, Ordering::SeqCst);
        self.close();
        // The workers notice within their 50 ms wait; those inside a back-to-back request
        // are left to end by its deadline.
        self.workers.clear();
        self.rx.try_iter().collect()
    }

    pub fn elapsed(&self) -> Duration {
        self.shared.start.elapsed()
    }

    /// When phase `i` began and, once over, ended (from the start of the run).
    pub fn phase_span(&self, i: usize) -> Option<(Duration, Option<Duration>)> {
        self.phase_spans.lock().ok().and_then(|s| s.get(i).copied())
    }

    /// How long phase `i` has lasted (so far, for the current one).
    pub fn phase_length(&self, i: usize) -> Duration {
        let now = self.shared.start.elapsed();
        self.phase_spans
            .lock()
            .ok()
            .and_then(|s| s.get(i).map(|(a, b)| b.unwrap_or(now).saturating_sub(*a)))
            .unwrap_or_default()
    }

    /// Stops the workers (each finishes its request, bounded by the timeout) and returns the
    /// samples not yet polled. Calling it again returns nothing more and changes nothing.
    pub fn finish(&mut self) -> Vec<Sample> {
        self.close();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        self.rx.try_iter().collect()
    }

    /// Ends the last phase and the run: requests that end after this belong to no phase, and
    /// every worker is told to stop.
    fn close(&mut self) {
        let now = self.shared.start.elapsed();
        if let Ok(mut spans) = self.phase_spans.lock()
            && let Some(last) = spans.last_mut()
            && last.1.is_none()
        {
            last.1 = Some(now);
        }
        {
            let _switch = self.shared.switch.write();
            self.shared.phase.store(usize::MAX, Ordering::SeqCst);
        }
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}

/// One endpoint's worker. With an interval it fires a request every tick, each on a thread of
/// its own, so a request slower than the interval does not lower the rate (the probe keeps
/// its once a second while a dependency makes each request wait 2 s); with no interval it
/// requests back to back.
fn worker(shared: &Arc<Shared>, index: u32, workers: u32, tx: &Sender<Sample>) {
    let s = &shared.settings;
    let endpoints = s.endpoints.len().max(1);
    let i = usize::try_from(index).unwrap_or_default() % endpoints;
    // Spread the workers of one endpoint over the interval rather than firing them together.
    let per_endpoint = (workers as usize / endpoints).max(1);
    let nth = usize::try_from(index).unwrap_or_default() / endpoints;
    let offset = s.interval.mul_f64(nth as f64 / per_endpoint as f64);
    let mut next = shared.start + offset;
    let mut in_flight: Vec<JoinHandle<()>> = Vec::new();
    loop {
        wait_until(shared, next);
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        if shared.sent.fetch_add(1, Ordering::SeqCst) >= s.max_requests {
            shared.stop.store(true, Ordering::SeqCst);
            break;
        }
        if s.interval.is_zero() {
            if !request(shared, i, tx) {
                break;
            }
            continue;
        }
        in_flight.retain(|h| !h.is_finished());
        if in_flight.len() < shared.in_flight_cap {
            let (shared2, tx2) = (Arc::clone(shared), tx.clone());
            match spawn("probe request", move || {
                request(&shared2, i, &tx2);
            }) {
                Ok(h) => in_flight.push(h),
                Err(e) => {
                    shared.fail(e);
                    break;
                }
            }
        } else {
            // Not sent after all: the budget counts requests.
            shared.sent.fetch_sub(1, Ordering::SeqCst);
            shared.skipped.fetch_add(1, Ordering::SeqCst);
        }
        next += s.interval;
        let now = Instant::now();
        if next < now {
            // Behind (an overloaded machine): go on from now rather than catching up in a burst.
            next = now;
        }
    }
    if shared.abandon.load(Ordering::SeqCst) {
        return;
    }
    for h in in_flight {
        let _ = h.join();
    }
}

/// Requests one worker may have in flight: enough to keep its rate when every request takes
/// the whole timeout, within its share of [`MAX_IN_FLIGHT`], and at least one.
fn in_flight_cap(s: &Settings, workers: u32) -> usize {
    let keeps_rate = if s.interval.is_zero() {
        1
    } else {
        (s.timeout.as_secs_f64() / s.interval.as_secs_f64()).ceil() as usize + 1
    };
    let share = (MAX_IN_FLIGHT / workers.max(1)).max(1) as usize;
    keeps_rate.clamp(1, share)
}

/// A thread with the probe's small stack; failing to start one is an error the run reports,
/// not a panic.
fn spawn(what: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, String> {
    std::thread::Builder::new()
        .name(what.to_owned())
        .stack_size(REQUEST_STACK)
        .spawn(f)
        .map_err(|e| format!("could not start a {what} thread: {e}"))
}

impl Shared {
    fn fail(&self, why: String) {
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert(why);
        }
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One request to endpoint `i`, sent as a sample; false once nobody listens.
fn request(shared: &Shared, i: usize, tx: &Sender<Sample>) -> bool {
    let s = &shared.settings;
    let Some(ep) = s.endpoints.get(i) else {
        return false;
    };
    let phase = shared.phase.load(Ordering::SeqCst);
    let t0 = Instant::now();
    let outcome = http::get(&s.url, &ep.path, s.timeout);
    let latency = t0.elapsed();
    let _switch = shared.switch.read();
    let end_phase = shared.phase.load(Ordering::SeqCst);
    let sample = Sample {
        phase: (phase == end_phase && phase != usize::MAX).then_some(phase),
        endpoint: i,
        outcome,
        latency,
        at: shared.start.elapsed(),
    };
    tx.send(sample).is_ok()
}

fn wait_until(shared: &Shared, when: Instant) {
    while !shared.stop.load(Ordering::SeqCst) {
        let left = when.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// A human duration: `30s`, `2m`, `500ms`, `1.5s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((t, "s"), |i| t.split_at(i));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 30s, 2m, 500ms)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{text}`: use ms, s, m or h")),
    };
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("`{text}` is out of range (at most 24h)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(d(30_000)));
        assert_eq!(parse_duration("2m"), Ok(d(120_000)));
        assert_eq!(parse_duration("500ms"), Ok(d(500)));
        assert_eq!(parse_duration("1.5"), Ok(d(1500)));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("3d").is_err());
        assert!(parse_duration("100h").is_err());
    }
}
