//! An experiment's stop conditions: alarms of the lab, at most five, each able to fire before
//! the experiment ends (E051) and in some harm the experiment can do (E082, judged by
//! [`super::guardrails`]).

use super::guardrails::{condition, harms, judge_all, periods};
use super::{Alarm, Context, Experiment, Problem, Validator};
use crate::base::cloudwatch::alarm::Comparison;
use crate::spec::{RawExperiment, Spanned, pos};

impl Validator {
    /// `stop_conditions:`: at most five, each an alarm of the lab, each once.
    pub(super) fn stop_conditions(
        &mut self,
        field: &str,
        e: &RawExperiment,
        ctx: &Context,
    ) -> Vec<String> {
        let names: Vec<&str> = ctx.lab.alarms.iter().map(|a| a.name.as_str()).collect();
        let sfield = format!("{field}.stop_conditions");
        if let Some(sixth) = e.stop_conditions.get(5) {
            self.flag(pos(sixth), &sfield, Problem::TooManyStops);
        }
        let mut out: Vec<String> = Vec::new();
        for (i, s) in e.stop_conditions.iter().enumerate() {
            if !names.contains(&s.value.as_str()) {
                let problem = Problem::NoAlarm {
                    name: s.value.clone(),
                    alarms: names.iter().map(|n| (*n).to_owned()).collect(),
                };
                self.flag(pos(s), format!("{sfield}[{i}]"), problem);
            } else if out.contains(&s.value) {
                let name = s.value.clone();
                self.flag(
                    pos(s),
                    format!("{sfield}[{i}]"),
                    Problem::StopTwice { name },
                );
            } else {
                out.push(s.value.clone());
            }
        }
        out
    }

    /// A stop condition must be able to fire while the experiment runs: its alarm goes into
    /// ALARM only after `period × evaluation_periods` seconds of breaching data, so one that
    /// needs as long as the experiment lasts (or longer) stops nothing. Actions without a
    /// duration (a failover, a stop without restart) end at once and are not judged.
    pub(super) fn alarms_in_time(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        e: &Experiment,
        ctx: &Context,
    ) {
        let Some(lasts) = e.duration_secs() else {
            return;
        };
        let fast: Vec<&str> = ctx
            .lab
            .alarms
            .iter()
            .filter(|a| a.seconds_to_alarm() < lasts)
            .map(|a| a.name.as_str())
            .collect();
        for (i, s) in raw.value.stop_conditions.iter().enumerate() {
            let Some(alarm) = ctx.lab.alarms.iter().find(|a| a.name == s.value) else {
                continue;
            };
            let needs = alarm.seconds_to_alarm();
            if needs < lasts {
                continue;
            }
            let problem = Problem::SlowStop {
                alarm: alarm.name.clone(),
                evaluation_periods: alarm.evaluation_periods,
                period: alarm.period,
                needs,
                lasts,
                fast: fast.iter().map(|f| (*f).to_owned()).collect(),
            };
            self.flag(pos(s), format!("{field}.stop_conditions[{i}]"), problem);
        }
    }

    /// E082: a stop condition must be able to fire in some harm its experiment can do, judged
    /// by CloudWatch's evaluation of the alarm's own definition. Experiments that end as soon
    /// as they act, and faults that change nothing the load balancer measures, are not judged.
    pub(super) fn guarded(
        &mut self,
        field: &str,
        raw: &crate::spec::Spanned<crate::spec::RawExperiment>,
        e: &Experiment,
        ctx: &super::Context,
    ) {
        let (Some(lasts), Some(fleet)) = (e.duration_secs(), ctx.fleet) else {
            return;
        };
        let harms = harms(e, fleet);
        if harms.is_empty() {
            return;
        }
        // An alarm too slow for the experiment is E051's; only the others are run (which also
        // keeps the evaluation short: under FIS's 12-hour limit, a window of under 720 points).
        let runnable = |a: &Alarm| a.seconds_to_alarm() < lasts;
        let mut others: Option<Vec<String>> = None;
        for (i, s) in raw.value.stop_conditions.iter().enumerate() {
            let Some(alarm) = ctx
                .lab
                .alarms
                .iter()
                .find(|a| a.name == s.value && runnable(a))
            else {
                continue;
            };
            let at = crate::spec::pos(s);
            let field = format!("{field}.stop_conditions[{i}]");
            let v = match judge_all(alarm, &harms) {
                Ok(v) => v,
                Err(why) => {
                    let alarm = s.value.clone();
                    self.flag(at, field, Problem::AlarmNotEvaluable { alarm, why });
                    continue;
                }
            };
            if v.earliest().is_some() {
                continue;
            }
            let why: Vec<(String, String)> = v
                .each
                .iter()
                .map(|(h, j)| (h.what.clone(), v.never(j)))
                .collect();
            // The lab's alarms that do fire here, judged once per experiment and only when
            // needed; at most three are named.
            let others = others.get_or_insert_with(|| {
                ctx.lab
                    .alarms
                    .iter()
                    .filter(|a| runnable(a))
                    .filter_map(|a| {
                        let t = judge_all(a, &harms).ok()?.earliest()?;
                        Some(format!("`{}`, after {t} s", a.name))
                    })
                    .take(3)
                    .collect()
            });
            let rule = crate::resources::alarms::definition(v.alarm).rule;
            let above = matches!(
                rule.comparison,
                Comparison::GreaterThanThreshold | Comparison::GreaterThanOrEqualToThreshold
            );
            // Lowering the threshold helps only an alarm on a rise that saw some data.
            let peak = v
                .each
                .iter()
                .filter_map(|(_, j)| j.peak)
                .reduce(f64::max)
                .filter(|p| above && *p > 0.0);
            let problem = Problem::AlarmCannotFire {
                alarm: s.value.clone(),
                points: v.alarm.evaluation_periods,
                periods: periods(v.alarm),
                condition: condition(v.alarm),
                missing: rule.treat_missing.name().to_owned(),
                why,
                peak,
                others: others.clone(),
            };
            self.flag(at, field, problem);
        }
    }
}
