//! Guardrails evaluated, not assumed: each experiment's stop conditions run, by the
//! CloudWatch evaluator ([`crate::base::cloudwatch`]), over the load balancer metrics its fault
//! produces when it does the harm they guard against.
//!
//! The harm of a fault, at the load balancer, is one of a few documented shapes (every fact
//! with its source in [`FACTS`]): every app target stops answering (the fleet falls over: a
//! fault on the fleet or on a dependency the unguarded app hangs on), every app target gone
//! (a stop of the whole fleet), every response slower (network latency on the fleet), or a
//! Lambda function behind the load balancer failing or slowing. The traffic is the lab's
//! probe: each endpoint once a second (and, in a function's harm, its path as often). Each
//! alarm is run as monitoring.tf defines it ([`crate::resources::alarms::definition`]); one
//! that never goes into ALARM in any harm its experiment can do cannot stop it (E082), and
//! the lab README's "Stops within" is the time the evaluation gives.

use crate::base::cloudwatch::Source;
use crate::base::cloudwatch::alarm::{Definition, Dimensions, Metric, Metrics, Source as Watched};
use crate::catalog::{Action, Param, functions, instances, tasks};
use crate::experiments::{Alarm, Experiment, Step};
use crate::resources::app::{HEALTH_INTERVAL, HEALTH_TIMEOUT, UNHEALTHY_THRESHOLD};

/// The Application Load Balancer facts the harms are built from.
pub const FACTS: [Source; 6] = [
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/load-balancer-cloudwatch-metrics.md",
        read: "2026-12-07",
        fact: "RequestCount is only incremented for requests where the load balancer node was able to choose a target; requests rejected before a target is chosen are not in it",
    },
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/load-balancer-cloudwatch-metrics.md",
        read: "2026-12-07",
        fact: "metrics are reported per 60 s while requests flow; HTTPCode_ELB_5XX_Count, HTTPCode_ELB_503_Count, HTTPCode_Target_5XX_Count and TargetResponseTime only with a nonzero value; UnHealthyHostCount whenever health checks are enabled",
    },
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/load-balancer-troubleshooting.md",
        read: "2026-12-07",
        fact: "a target that does not answer gives a 502 (refused, reset) or a 504 (no connection within 10 s, no response within the idle timeout) from the load balancer; a 503 means the target group has no registered target; a Lambda target that returned an error gives a 502",
    },
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/target-group-health-checks.md",
        read: "2026-12-07",
        fact: "if every registered target is unhealthy the load balancer fails open and routes requests to all of them",
    },
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-states",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/target-group-health-checks.md",
        read: "2026-12-07",
        fact: "a stopped or terminated target, or one not registered, is `unused`, not `unhealthy`: UnHealthyHostCount does not count it",
    },
    Source {
        url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#health-check-settings",
        copy: "github.com/awsdocs/elb-application-load-balancers-user-guide@fb24293 doc_source/target-group-health-checks.md",
        read: "2026-12-07",
        fact: "a target is unhealthy after UnhealthyThresholdCount failed checks in a row, one every HealthCheckIntervalSeconds, each failing at the latest after HealthCheckTimeoutSeconds",
    },
];

/// The probe requests each endpoint once a second.
const PER_MINUTE: u64 = 60;
/// A fast answer's target response time before the harm: any value under a latency alarm's
/// threshold does; chaoslab accepts none below this.
const FAST_SECONDS: f64 = 0.01;
/// How many data points beyond Evaluation Periods CloudWatch retrieves is not documented
/// beyond one example (5 for 3); every range from N to N + this is tried, and an alarm counts
/// as firing only when it fires, and then as late as it fires, under each of them.
const EXTRA_RANGE: usize = 5;

/// How one class of requests ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// A target answers with a 2xx.
    Answered,
    /// A target answers with a 5xx (the app's JSON 503, a function's 5xx status).
    TargetError,
    /// The load balancer chose a target that did not answer: its own 502 or 504.
    NoAnswer,
    /// No target to choose: the load balancer's 503.
    NoTarget,
}

#[derive(Clone, Copy, Debug)]
struct Requests {
    per_minute: u64,
    outcome: Outcome,
    /// Target response time, seconds (answered requests only).
    seconds: f64,
    /// Served by a Lambda function's target group, not the app's.
    function: bool,
}

/// The load balancer's minute in a steady state.
#[derive(Clone, Debug)]
struct Minute {
    requests: Vec<Requests>,
    /// App targets unhealthy.
    unhealthy: u32,
}

/// One harm an experiment can do, as the load balancer measures it.
#[derive(Clone, Debug)]
pub struct Harm {
    /// What happens, in the README's words (Markdown).
    pub what: String,
    before: Minute,
    during: Minute,
    /// The first minute of the harm in which the targets count as unhealthy.
    unhealthy_from: i64,
}

impl Harm {
    /// What `metric` publishes in one minute of `m`; `unhealthy` app targets.
    fn minute(metric: &Metric, m: &Minute, unhealthy: u32) -> Vec<(f64, u64)> {
        let requests: Vec<&Requests> = m
            .requests
            .iter()
            .filter(|r| metric.dimensions == Dimensions::LoadBalancer || !r.function)
            .collect();
        let count = |f: &dyn Fn(Outcome) -> bool| -> Vec<(f64, u64)> {
            let n: u64 = requests
                .iter()
                .filter(|r| f(r.outcome))
                .map(|r| r.per_minute)
                .sum();
            if n > 0 { vec![(1.0, n)] } else { Vec::new() }
        };
        match metric.name {
            "RequestCount" => {
                let chosen = count(&|o| o != Outcome::NoTarget);
                if chosen.is_empty() && !requests.is_empty() {
                    vec![(0.0, 1)]
                } else {
                    chosen
                }
            }
            "HTTPCode_ELB_5XX_Count" => {
                count(&|o| matches!(o, Outcome::NoAnswer | Outcome::NoTarget))
            }
            "HTTPCode_ELB_503_Count" => count(&|o| o == Outcome::NoTarget),
            "HTTPCode_Target_5XX_Count" => count(&|o| o == Outcome::TargetError),
            "TargetResponseTime" => requests
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Answered | Outcome::TargetError))
                .map(|r| (r.seconds, r.per_minute))
                .collect(),
            "UnHealthyHostCount" => vec![(f64::from(unhealthy), 1)],
            _ => Vec::new(),
        }
    }
}

impl Metrics for Harm {
    /// The minutes before 0, those of the harm before the targets count as unhealthy, and the
    /// rest, each phase's minute repeated (its counts multiplied by its minutes).
    fn window(&self, metric: &Metric, first: i64, last: i64) -> Vec<(f64, u64)> {
        let onset = self.unhealthy_from.max(0);
        let phases = [
            (i64::MIN, -1, &self.before, 0),
            (0, onset - 1, &self.during, 0),
            (onset, i64::MAX, &self.during, self.during.unhealthy),
        ];
        let mut out = Vec::new();
        for (from, to, minute, unhealthy) in phases {
            let minutes = last.min(to) - first.max(from) + 1;
            let Ok(minutes) = u64::try_from(minutes) else {
                continue;
            };
            if minutes == 0 {
                continue;
            }
            out.extend(
                Harm::minute(metric, minute, unhealthy)
                    .into_iter()
                    .map(|(v, c)| (v, c * minutes)),
            );
        }
        out
    }
}

/// Whether the harm model publishes `metric` at all (an alarm on anything else is a bug in
/// chaoslab, which a test holds off).
pub fn modelled(metric: &Metric) -> bool {
    [
        "RequestCount",
        "HTTPCode_ELB_5XX_Count",
        "HTTPCode_ELB_503_Count",
        "HTTPCode_Target_5XX_Count",
        "TargetResponseTime",
        "UnHealthyHostCount",
    ]
    .contains(&metric.name)
}

/// The app's endpoints as the probe requests them, each answered fast.
fn shop(endpoints: usize, outcome: Outcome, seconds: f64) -> Vec<Requests> {
    vec![Requests {
        per_minute: PER_MINUTE * endpoints as u64,
        outcome,
        seconds,
        function: false,
    }]
}

/// What the lab's traffic and fleet look like to the harms.
#[derive(Clone, Copy, Debug)]
pub struct Fleet {
    /// App targets (instances or tasks).
    pub targets: u32,
    /// The endpoints the probe requests.
    pub endpoints: usize,
    /// The app's dependency deadline, seconds (connect + read timeout): how long a request
    /// whose dependency does not answer waits for the app's JSON 503.
    pub deadline: u32,
}

impl Fleet {
    /// The lab's fleet and traffic; `None` without an app.
    pub fn of(app: Option<&crate::experiments::App>) -> Option<Fleet> {
        app.map(|a| Fleet {
            targets: a.instances,
            endpoints: crate::experiments::expect::ENDPOINTS.len(),
            deadline: a.timeouts.deadline(),
        })
    }
}

impl Fleet {
    fn calm(&self) -> Minute {
        Minute {
            requests: shop(self.endpoints, Outcome::Answered, FAST_SECONDS),
            unhealthy: 0,
        }
    }

    fn harm(&self, what: String, during: Minute, unhealthy_from: i64) -> Harm {
        let mut before = self.calm();
        // A function's own path is requested before its harm too.
        if during.requests.iter().any(|r| r.function) {
            before.requests.push(Requests {
                per_minute: PER_MINUTE,
                outcome: Outcome::Answered,
                seconds: FAST_SECONDS,
                function: true,
            });
        }
        Harm {
            what,
            before,
            during,
            unhealthy_from,
        }
    }

    /// Every app target registered and running but not answering: health checks fail, and
    /// with no healthy target left the load balancer fails open, so each request is its own
    /// 502 or 504, counted in RequestCount and in HTTPCode_ELB_5XX_Count.
    fn silent(&self) -> Harm {
        let detect = HEALTH_INTERVAL * UNHEALTHY_THRESHOLD + HEALTH_TIMEOUT;
        self.harm(
            format!(
                "every app target stops answering ({n} of {n} unhealthy after about {detect} s, each request a 502 or 504 from the load balancer)",
                n = self.targets
            ),
            Minute {
                requests: shop(self.endpoints, Outcome::NoAnswer, 0.0),
                unhealthy: self.targets,
            },
            i64::from(detect / 60),
        )
    }

    /// Every app target stopped: `unused`, not unhealthy, and nothing to route to.
    fn gone(&self) -> Harm {
        self.harm(
            "every app target is stopped (none unhealthy: a stopped target is `unused`; each request a 503 from the load balancer)".to_owned(),
            Minute {
                requests: shop(self.endpoints, Outcome::NoTarget, 0.0),
                unhealthy: 0,
            },
            0,
        )
    }

    fn slow(&self, ms: u64) -> Harm {
        self.harm(
            format!("every response of the app comes {ms} ms later"),
            Minute {
                requests: shop(self.endpoints, Outcome::Answered, ms as f64 / 1000.0),
                unhealthy: 0,
            },
            0,
        )
    }

    /// Every request of the app stalls: each waits out the deadline and gets the app's JSON
    /// 503.
    fn stalled(&self) -> Harm {
        self.harm(
            format!(
                "every request of the app stalls (each the app's JSON 503 after its {} s deadline)",
                self.deadline
            ),
            Minute {
                requests: shop(
                    self.endpoints,
                    Outcome::TargetError,
                    f64::from(self.deadline),
                ),
                unhealthy: 0,
            },
            0,
        )
    }

    fn function(&self, what: String, percent: u64, faulted: Requests) -> Harm {
        let hit = PER_MINUTE * percent.min(100) / 100;
        let mut requests = shop(self.endpoints, Outcome::Answered, FAST_SECONDS);
        requests.push(Requests {
            per_minute: hit,
            ..faulted
        });
        requests.push(Requests {
            per_minute: PER_MINUTE - hit,
            outcome: Outcome::Answered,
            seconds: FAST_SECONDS,
            function: true,
        });
        self.harm(
            what,
            Minute {
                requests,
                unhealthy: 0,
            },
            0,
        )
    }
}

/// Whether an action's targets are the whole app fleet.
fn whole_fleet(e: &Step, targets: u32) -> bool {
    let fleet = e.selection().is_some_and(|s| {
        (s.is(&instances::INSTANCES) && s.zone().is_none()) || tasks::is_app_tasks(s)
    });
    let mode = e.selection_mode.as_str();
    let number = |prefix: &str| {
        mode.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
            .and_then(|n| n.parse::<u64>().ok())
    };
    fleet
        && (mode == "ALL"
            || number("COUNT(").is_some_and(|c| c >= u64::from(targets))
            || number("PERCENT(").is_some_and(|p| p >= 100))
}

/// A number parameter of an action, or its default.
fn int(e: &Step, param: &Param, default: u64) -> u64 {
    e.value(param)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The delay an `AWSFIS-Run-Network-Latency` command puts on every packet, in ms (the
/// document's default is 200).
fn ssm_latency(e: &Step) -> Option<u64> {
    if e.value(&instances::DOCUMENT) != Some("AWSFIS-Run-Network-Latency") {
        return None;
    }
    let parameters: serde_json::Value =
        serde_json::from_str(e.value(&instances::DOCUMENT_PARAMETERS).unwrap_or("{}")).ok()?;
    Some(
        parameters
            .get("DelayMilliseconds")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .unwrap_or(200),
    )
}

/// The harms an experiment's actions can do at the load balancer; none when it changes
/// nothing the load balancer measures.
pub fn harms(e: &Experiment, fleet: Fleet) -> Vec<Harm> {
    let mut out: Vec<Harm> = Vec::new();
    for a in e.actions() {
        let function = a
            .selection()
            .and_then(functions::function)
            .map(crate::resources::functions::path);
        let percent = int(a, &functions::INVOCATION_PERCENTAGE, 100);
        let id = a.action;
        let harm = match function {
            Some(path) if id.is(&functions::INVOCATION_ERROR) => Some(fleet.function(
                format!("{percent}% of the requests to `{path}` fail (the function's error, a 502 from the load balancer)"),
                percent,
                Requests { per_minute: 0, outcome: Outcome::NoAnswer, seconds: 0.0, function: true },
            )),
            Some(path) if id.is(&functions::INVOCATION_ADD_DELAY) => {
                let ms = int(a, &functions::STARTUP_DELAY, crate::catalog::DEFAULT_DELAY_MS);
                Some(fleet.function(
                    format!("{percent}% of the requests to `{path}` answer {ms} ms later"),
                    percent,
                    Requests { per_minute: 0, outcome: Outcome::Answered, seconds: ms as f64 / 1000.0, function: true },
                ))
            }
            Some(path) if id.is(&functions::INVOCATION_HTTP_INTEGRATION_RESPONSE) => {
                let status = int(a, &functions::STATUS_CODE, 0);
                (500..600).contains(&status).then(|| fleet.function(
                    format!("{percent}% of the requests to `{path}` get the function's {status}"),
                    percent,
                    Requests { per_minute: 0, outcome: Outcome::TargetError, seconds: FAST_SECONDS, function: true },
                ))
            }
            _ => None,
        };
        out.extend(harm);
        match (a.action.reach)(a) {
            crate::catalog::Reach::Nothing => {}
            // A stop of the whole fleet leaves nothing to answer; anything else on the fleet
            // or on a dependency the app calls can make the whole fleet stop answering.
            _ if [
                &instances::STOP_INSTANCES,
                &instances::TERMINATE_INSTANCES,
                &tasks::STOP_TASK,
            ]
            .iter()
            .any(|stop| id.is(stop))
                && whole_fleet(a, fleet.targets) =>
            {
                out.push(fleet.gone())
            }
            _ => out.push(fleet.silent()),
        }
        let every_packet = a.value(&tasks::SOURCES).is_none();
        let delay = if id.is(&instances::SEND_COMMAND) {
            ssm_latency(a)
        } else if id.is(&tasks::TASK_NETWORK_LATENCY) && every_packet {
            // Without `sources` the delay is on every packet of the task, its answers too.
            Some(int(a, &tasks::LATENCY_DELAY, 200))
        } else {
            None
        };
        out.extend(delay.map(|ms| fleet.slow(ms)));
        // Latency or loss on every packet of the fleet slows each dependency call too, and a
        // starved CPU, memory or disk slows each request: at worst every request waits out the
        // app's deadline. (An ECS task fault with `sources` reaches only those: its endpoint's
        // 503 is the expected degradation, not this harm.)
        let any = |actions: &[&Action]| actions.iter().any(|x| id.is(x));
        let network = if id.is(&instances::SEND_COMMAND) {
            matches!(
                a.value(&instances::DOCUMENT),
                Some(
                    "AWSFIS-Run-Network-Latency"
                        | "AWSFIS-Run-Network-Packet-Loss"
                        | "AWSFIS-Run-CPU-Stress"
                        | "AWSFIS-Run-Memory-Stress"
                )
            )
        } else if any(&[
            &tasks::TASK_NETWORK_LATENCY,
            &tasks::TASK_NETWORK_PACKET_LOSS,
        ]) {
            every_packet
        } else {
            any(&[&tasks::TASK_CPU_STRESS, &tasks::TASK_IO_STRESS])
        };
        if network {
            out.push(fleet.stalled());
        }
    }
    let mut seen = Vec::new();
    out.retain(|h| {
        let new = !seen.contains(&h.what);
        seen.push(h.what.clone());
        new
    });
    out
}

/// An alarm run over one harm.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// Seconds from the harm's start to ALARM, the latest over the evaluation ranges tried;
    /// `None` when under some range it never fires.
    pub fires_after: Option<u64>,
    /// The highest data point the alarm computes during the harm.
    pub peak: Option<f64>,
}

/// Runs `alarm` over `harm` as CloudWatch evaluates it.
pub fn judge(alarm: &Alarm, harm: &Harm) -> Result<Judgement, String> {
    judge_definition(&crate::resources::alarms::definition(alarm), harm)
}

/// Runs an alarm definition over `harm` as CloudWatch evaluates it.
pub fn judge_definition(d: &Definition, harm: &Harm) -> Result<Judgement, String> {
    let n = d.rule.evaluation_periods as usize;
    let step = i64::from(d.period / 60).max(1);
    let longest = (n + EXTRA_RANGE) as i64;
    // Before the harm every minute is alike: one evaluation at minute -1, over a range wholly
    // in that calm (`run` reads the range back from there), gives the state the run starts in.
    let before = -1;
    // The harm is steady from its first minutes on: once a whole range has seen it, the state
    // no longer changes.
    let until = (longest + 2) * step + harm.unhealthy_from.max(0);
    let mut fires_after = Some(0);
    let mut peak = None;
    for range in n..=n + EXTRA_RANGE {
        let run = d.run(harm, before, until, range)?;
        peak = run.peak;
        fires_after = match (fires_after, run.alarm_at_minute) {
            (Some(a), Some(m)) => Some(a.max((m as u64 + 1) * 60)),
            _ => None,
        };
        // Never firing under one range is enough; and with no data point missing, CloudWatch
        // looks no further back than N, so a longer range cannot change anything.
        if fires_after.is_none() || !run.missing {
            break;
        }
    }
    Ok(Judgement { fires_after, peak })
}

/// What an alarm compares, in words: `5xx % of requests`, `UnHealthyHostCount (Maximum)`.
pub fn watches(alarm: &Alarm) -> String {
    match crate::resources::alarms::definition(alarm).source {
        Watched::Math { label, .. } => label.to_owned(),
        Watched::Metric(m) => format!("{} ({})", m.name, m.statistic.name()),
    }
}

/// `> 50`, `≥ 1`.
pub fn condition(alarm: &Alarm) -> String {
    let d: Definition = crate::resources::alarms::definition(alarm);
    format!("{} {}", d.rule.comparison.symbol(), show(d.rule.threshold))
}

/// A data point for a message: at most two decimals, no trailing zeros.
pub fn show(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One stop condition judged in every harm of its experiment.
pub struct Verdicts<'a> {
    pub alarm: &'a Alarm,
    /// Each harm, in [`harms`] order, with the alarm's judgement in it.
    pub each: Vec<(&'a Harm, Judgement)>,
}

impl Verdicts<'_> {
    /// The earliest time it fires in any harm.
    pub fn earliest(&self) -> Option<u64> {
        self.each.iter().filter_map(|(_, j)| j.fires_after).min()
    }

    /// Why it never fires: its highest data point against its condition.
    pub fn never(&self, j: &Judgement) -> String {
        let w = watches(self.alarm);
        let c = condition(self.alarm);
        match j.peak {
            Some(p) => format!("{w} reaches at most {}, never {c}", show(p)),
            None => {
                format!("{w} has no data point (missing data counts as not breaching), never {c}")
            }
        }
    }
}

/// Judges `alarm` in every harm.
pub fn judge_all<'a>(alarm: &'a Alarm, harms: &'a [Harm]) -> Result<Verdicts<'a>, String> {
    let each = harms
        .iter()
        .map(|h| judge(alarm, h).map(|j| (h, j)))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Verdicts { alarm, each })
}

/// A period count in words: `one-minute`, `5-minute`.
pub fn periods(alarm: &Alarm) -> String {
    match alarm.period / 60 {
        1 => "one-minute".to_owned(),
        m => format!("{m}-minute"),
    }
}
