//! `alarms:`: the CloudWatch alarms experiments stop on, and the app's default three.

use super::{Alarm, AlarmMetric, Validator};
use crate::errors::Code;
use crate::spec::{RawSpec, pos};

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
                    Some(Alarm {
                        name: (*name).to_owned(),
                        metric,
                        threshold: *threshold,
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
            Alarm {
                name: name.value.clone(),
                metric,
                threshold: t.value,
            }
        })
    }
}

/// The alarms a lab with an app gets when the spec names none.
pub mod defaults {
    /// (name, metric, threshold) of the alarms a lab with an app gets by default.
    pub const ALARMS: [(&str, &str, f64); 3] = [
        ("error-rate", "5xx-rate", 5.0),
        ("latency", "p99-latency", 2.0),
        ("unhealthy-hosts", "unhealthy-hosts", 1.0),
    ];
}
