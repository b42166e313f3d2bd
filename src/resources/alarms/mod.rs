//! `alarms:`: the CloudWatch alarms experiments stop on, and the app's default three.

use super::Validator;
use crate::base::cloudwatch::alarm::{
    Comparison, Definition, Dimensions, Metric, Rule, Source, Statistic, TreatMissing,
};
use crate::base::diag::problems;
use crate::spec::{RawAlarm, RawSpec, Spanned, pos};

pub mod model;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmMetric {
    /// Load balancer targets failing the health check (hosts).
    UnhealthyHosts,
    /// Target 5xx responses as a percentage of requests.
    ErrorRate,
    /// p99 target response time (seconds).
    P99Latency,
}

impl AlarmMetric {
    pub const ALL: [(&'static str, AlarmMetric); 3] = [
        ("unhealthy-hosts", AlarmMetric::UnhealthyHosts),
        ("5xx-rate", AlarmMetric::ErrorRate),
        ("p99-latency", AlarmMetric::P99Latency),
    ];

    /// How the alarm compares the metric with its threshold: at least that many unhealthy
    /// hosts, a rate or a latency above it.
    pub const fn comparison(self) -> &'static str {
        match self {
            AlarmMetric::UnhealthyHosts => "GreaterThanOrEqualToThreshold",
            _ => "GreaterThanThreshold",
        }
    }

    /// The highest value the metric can take: the 5xx rate is a share of requests (its
    /// metric math divides by at least as many requests as there are 5xx, monitoring.tf).
    pub const fn ceiling(self) -> Option<f64> {
        match self {
            AlarmMetric::ErrorRate => Some(100.0),
            _ => None,
        }
    }

    /// Default (period seconds, evaluation periods): two one-minute periods, three for the
    /// p99, which a single slow minute on an idle lab would otherwise trip.
    pub const fn default_window(self) -> (u32, u32) {
        match self {
            AlarmMetric::P99Latency => (60, 3),
            _ => (60, 2),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Alarm {
    pub name: String,
    pub metric: AlarmMetric,
    pub threshold: f64,
    /// Seconds per evaluation period.
    pub period: u32,
    /// Breaching periods in a row before the alarm goes into ALARM.
    pub evaluation_periods: u32,
}

impl Alarm {
    /// The least time the alarm needs to go into ALARM once the metric breaches: every
    /// evaluation period must breach. A stop condition can stop nothing shorter.
    pub fn seconds_to_alarm(&self) -> u64 {
        u64::from(self.period) * u64::from(self.evaluation_periods)
    }
}

problems! {
    /// What can be wrong in `alarms:`.
    pub enum Problem in "resources::alarms::Problem" {
        NoApp => E043,
        ThresholdNotPositive { threshold: f64 } => E006,
        /// The metric never goes past `ceiling`, so the alarm can never fire.
        ThresholdUnreachable { metric: String, threshold: f64, ceiling: f64 } => E006,
        Period { seconds: u32 } => E006,
        WindowOverDay { evaluations: u32, period: u32 } => E006,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::NoApp => {
                "alarms watch the app's load balancer, but the spec has no `app:` section"
                    .to_owned()
            }
            Problem::ThresholdNotPositive { threshold } => {
                format!("{threshold} is not a positive threshold")
            }
            Problem::ThresholdUnreachable {
                metric,
                threshold,
                ceiling,
            } => format!(
                "the alarm fires when the {metric} exceeds {threshold}, and it never goes past {ceiling}: this alarm can never fire, nor stop an experiment"
            ),
            Problem::Period { seconds } => {
                format!("{seconds} s is not a whole number of minutes up to a day")
            }
            Problem::WindowOverDay {
                evaluations,
                period,
            } => format!(
                "{evaluations} periods × {period} s is more than a day, which CloudWatch does not evaluate"
            ),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::NoApp => "add `app: {}`, or remove `alarms`".to_owned(),
            Problem::ThresholdNotPositive { .. } => {
                "use a positive number (hosts, percent or seconds, by metric)".to_owned()
            }
            Problem::ThresholdUnreachable { ceiling, .. } => {
                format!("use a threshold below {ceiling} (the default error-rate alarm uses 5)")
            }
            Problem::Period { .. } => {
                "use 60, 120, 300 … (load balancer metrics are per minute), at most 86400"
                    .to_owned()
            }
            Problem::WindowOverDay { .. } => {
                "make period × evaluation_periods at most 86400 s".to_owned()
            }
        }
    }
}

impl Validator {
    pub(crate) fn alarms(&mut self, raw: &RawSpec) -> Vec<Alarm> {
        let Some(map) = &raw.alarms else {
            if raw.app.is_none() {
                return Vec::new();
            }
            return defaults::ALARMS
                .iter()
                .filter_map(|(name, metric, threshold)| {
                    let metric = AlarmMetric::ALL.iter().find(|(m, _)| m == metric)?.1;
                    let (period, evaluation_periods) = metric.default_window();
                    Some(Alarm {
                        name: (*name).to_owned(),
                        metric,
                        threshold: *threshold,
                        period,
                        evaluation_periods,
                    })
                })
                .collect();
        };
        if raw.app.is_none() {
            self.flag(pos(map), "alarms", Problem::NoApp);
        }
        self.sorted(&map.value, "alarms", |v, name, a| {
            let metrics: Vec<&str> = AlarmMetric::ALL.iter().map(|(m, _)| *m).collect();
            let metric = match AlarmMetric::ALL
                .iter()
                .find(|(m, _)| *m == a.value.metric.value)
            {
                Some((_, m)) => *m,
                None => {
                    v.choice(
                        &a.value.metric,
                        &format!("alarms.{}.metric", name.value),
                        &a.value.metric.value,
                        &metrics,
                    );
                    AlarmMetric::UnhealthyHosts
                }
            };
            let t = &a.value.threshold;
            if !(t.value > 0.0 && t.value.is_finite()) {
                let problem = Problem::ThresholdNotPositive { threshold: t.value };
                v.flag(pos(t), format!("alarms.{}.threshold", name.value), problem);
            }
            if let Some(max) = metric.ceiling()
                && t.value.is_finite()
                && (t.value > max
                    || (t.value == max && metric.comparison() == "GreaterThanThreshold"))
            {
                let problem = Problem::ThresholdUnreachable {
                    metric: a.value.metric.value.clone(),
                    threshold: t.value,
                    ceiling: max,
                };
                v.flag(pos(t), format!("alarms.{}.threshold", name.value), problem);
            }
            let (period, evaluation_periods) = v.window(name, &a.value, metric);
            Alarm {
                name: name.value.clone(),
                metric,
                threshold: t.value,
                period,
                evaluation_periods,
            }
        })
    }
}

impl Validator {
    /// `period` and `evaluation_periods`, or the metric's defaults. The load balancer publishes
    /// per minute, so a period is whole minutes; CloudWatch evaluates at most one day.
    fn window(&mut self, name: &Spanned<String>, a: &RawAlarm, metric: AlarmMetric) -> (u32, u32) {
        let (default_period, default_evaluations) = metric.default_window();
        let field = |k: &str| format!("alarms.{}.{k}", name.value);
        let period = match &a.period {
            Some(p) if p.value == 0 || p.value % 60 != 0 || p.value > DAY => {
                self.flag(
                    pos(p),
                    field("period"),
                    Problem::Period { seconds: p.value },
                );
                default_period
            }
            Some(p) => p.value,
            None => default_period,
        };
        let evaluations = self
            .bounded(
                &a.evaluation_periods,
                &field("evaluation_periods"),
                1..=1440,
                default_evaluations,
            )
            .max(1);
        if u64::from(period) * u64::from(evaluations) > u64::from(DAY) {
            let at = a
                .evaluation_periods
                .as_ref()
                .or(a.period.as_ref())
                .map_or(pos(name), pos);
            let problem = Problem::WindowOverDay {
                evaluations,
                period,
            };
            self.flag(at, field("evaluation_periods"), problem);
        }
        (period, evaluations)
    }
}

/// CloudWatch evaluates an alarm over at most one day.
const DAY: u32 = 86_400;

/// The alarms a lab with an app gets when the spec names none.
pub mod defaults {
    /// (name, metric, threshold) of the alarms a lab with an app gets by default.
    pub const ALARMS: [(&str, &str, f64); 3] = [
        ("error-rate", "5xx-rate", 5.0),
        ("latency", "p99-latency", 2.0),
        ("unhealthy-hosts", "unhealthy-hosts", 1.0),
    ];
}

/// 5xx share of all requests, from the targets *and* from the load balancer itself. A request
/// the load balancer answers with its own 502 or 504 had a target chosen, so `RequestCount`
/// already counts it; only its 503 for "no registered target" is not in `RequestCount` (which
/// counts requests where a target could be chosen) and is added to the denominator. With every
/// target silent the rate is then 100, not the 50 that adding every load balancer 5xx to the
/// denominator gave (each 502/504 counted twice): a stop condition above 50 % could never fire
/// (the guardrail evaluation found it on Article 2's `errors-fast`).
/// Source: "CloudWatch metrics for your Application Load Balancer", ELB User Guide (RequestCount,
/// HTTPCode_ELB_5XX_Count, HTTPCode_ELB_503_Count); `validate::guardrails::FACTS`.
const ERROR_RATE: &str = "IF(FILL(requests, 0) + FILL(elb_503, 0) > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_503, 0)), 0)";

/// The alarm as CloudWatch gets it: monitoring.tf is written from this, and the guardrail
/// check (`validate::guardrails`) evaluates this, so both judge the same alarm.
pub fn definition(alarm: &Alarm) -> Definition {
    let metric = |name: &'static str, statistic: Statistic, dimensions: Dimensions| Metric {
        namespace: "AWS/ApplicationELB",
        name,
        statistic,
        dimensions,
    };
    let (comparison, source) = match alarm.metric {
        AlarmMetric::UnhealthyHosts => (
            Comparison::GreaterThanOrEqualToThreshold,
            Source::Metric(metric(
                "UnHealthyHostCount",
                Statistic::Maximum,
                Dimensions::AppTargetGroup,
            )),
        ),
        AlarmMetric::P99Latency => (
            Comparison::GreaterThanThreshold,
            Source::Metric(metric(
                "TargetResponseTime",
                Statistic::Percentile(0.99),
                Dimensions::LoadBalancer,
            )),
        ),
        AlarmMetric::ErrorRate => (
            Comparison::GreaterThanThreshold,
            Source::Math {
                id: "rate",
                expression: ERROR_RATE,
                label: "5xx % of requests",
                metrics: [
                    ("elb_503", "HTTPCode_ELB_503_Count"),
                    ("elb_5xx", "HTTPCode_ELB_5XX_Count"),
                    ("requests", "RequestCount"),
                    ("target_5xx", "HTTPCode_Target_5XX_Count"),
                ]
                .into_iter()
                .map(|(id, name)| (id, metric(name, Statistic::Sum, Dimensions::LoadBalancer)))
                .collect(),
            },
        ),
    };
    Definition {
        rule: Rule {
            comparison,
            threshold: alarm.threshold,
            evaluation_periods: alarm.evaluation_periods,
            datapoints_to_alarm: alarm.evaluation_periods,
            treat_missing: TreatMissing::NotBreaching,
        },
        period: alarm.period,
        source,
    }
}
