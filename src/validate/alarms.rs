//! `alarms:`: the CloudWatch alarms experiments stop on, and the app's default three.

use super::{Alarm, AlarmMetric, Validator};
use crate::errors::Code;
use crate::spec::{RawAlarm, RawSpec, Spanned, pos};

impl Validator {
    pub(super) fn alarms(&mut self, raw: &RawSpec) -> Vec<Alarm> {
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
            self.err(
                Code::E043,
                pos(map),
                "alarms",
                "alarms watch the app's load balancer, but the spec has no `app:` section",
                "add `app: {}`, or remove `alarms`",
            );
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
                v.err(
                    Code::E006,
                    pos(t),
                    format!("alarms.{}.threshold", name.value),
                    format!("{} is not a positive threshold", t.value),
                    "use a positive number (hosts, percent or seconds, by metric)",
                );
            }
            if let Some(max) = metric.ceiling()
                && t.value.is_finite()
                && (t.value > max
                    || (t.value == max && metric.comparison() == "GreaterThanThreshold"))
            {
                v.err(
                    Code::E006,
                    pos(t),
                    format!("alarms.{}.threshold", name.value),
                    format!(
                        "the alarm fires when the {} exceeds {}, and it never goes past {max}: this alarm can never fire, nor stop an experiment",
                        a.value.metric.value, t.value
                    ),
                    format!("use a threshold below {max} (the default error-rate alarm uses 5)"),
                );
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
                self.err(
                    Code::E006,
                    pos(p),
                    field("period"),
                    format!("{} s is not a whole number of minutes up to a day", p.value),
                    "use 60, 120, 300 … (load balancer metrics are per minute), at most 86400",
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
            self.err(
                Code::E006,
                at,
                field("evaluation_periods"),
                format!("{evaluations} periods × {period} s is more than a day, which CloudWatch does not evaluate"),
                "make period × evaluation_periods at most 86400 s",
            );
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
