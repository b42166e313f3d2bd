//! An experiment's stop conditions: alarms of the lab, at most five, each able to fire before
//! the experiment ends (E051) and in some harm the experiment can do (E082, judged by
//! [`super::guardrails`]).

use super::guardrails::{condition, harms, judge_all, periods, show};
use super::{Alarm, Context, Experiment, Validator};
use crate::base::cloudwatch::alarm::Comparison;
use crate::base::duration;
use crate::base::errors::Code;
use crate::base::suggest::did_you_mean;
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
            self.err(
                Code::E049,
                pos(sixth),
                &sfield,
                "an FIS template has at most 5 stop conditions",
                "keep the 5 alarms that matter most",
            );
        }
        let mut out: Vec<String> = Vec::new();
        for (i, s) in e.stop_conditions.iter().enumerate() {
            if !names.contains(&s.value.as_str()) {
                let help = did_you_mean(&s.value, &names, || {
                    if names.is_empty() {
                        "define the alarm under `alarms:` (or add `app:` for the default alarms)"
                            .to_owned()
                    } else {
                        format!("alarms in this spec: {}", names.join(", "))
                    }
                });
                self.err(
                    Code::E043,
                    pos(s),
                    format!("{sfield}[{i}]"),
                    format!("there is no alarm `{}`", s.value),
                    help,
                );
            } else if out.contains(&s.value) {
                self.err(
                    Code::E049,
                    pos(s),
                    format!("{sfield}[{i}]"),
                    format!("`{}` is listed twice", s.value),
                    "list each alarm once",
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
            let fix = if fast.is_empty() {
                format!(
                    "make the experiment last longer than {} (e.g. {}), or give the alarm a shorter `period` or fewer `evaluation_periods`",
                    duration::show(needs),
                    duration::show(needs + 60)
                )
            } else {
                format!(
                    "make the experiment last longer than {}, or stop on an alarm that can fire within {} ({})",
                    duration::show(needs),
                    duration::show(lasts),
                    fast.join(", ")
                )
            };
            // The way out, with its cost: the alarm stays a stop condition in name only.
            let help = format!(
                "{fix}; or keep it and add `acknowledge: [slow-stop-condition]`: the experiment then runs its whole {} whatever this alarm sees (it may fire as the run ends, or after it)",
                duration::show(lasts)
            );
            self.err(
                Code::E051,
                pos(s),
                format!("{field}.stop_conditions[{i}]"),
                format!(
                    "alarm `{}` goes into ALARM only after {} × {} s = {needs} s of breaching data, and the experiment lasts {} ({lasts} s): it cannot stop the experiment before it ends",
                    alarm.name,
                    alarm.evaluation_periods,
                    alarm.period,
                    duration::show(lasts),
                ),
                help,
            );
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
                    self.err(
                        crate::base::errors::Code::E082,
                        at,
                        field,
                        format!("chaoslab cannot evaluate alarm `{}`: {why}", s.value),
                        "this is a bug in chaoslab's alarm definitions; report it",
                    );
                    continue;
                }
            };
            if v.earliest().is_some() {
                continue;
            }
            let why: Vec<String> = v
                .each
                .iter()
                .map(|(h, j)| format!("{}: {}", h.what, v.never(j)))
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
            let mut ways: Vec<String> = v
                .each
                .iter()
                .filter_map(|(_, j)| j.peak)
                .reduce(f64::max)
                .filter(|p| above && *p > 0.0)
                .map(|p| {
                    format!(
                        "lower its threshold below {} (its highest data point here)",
                        show(p)
                    )
                })
                .into_iter()
                .collect();
            ways.push(if others.is_empty() {
                "stop on an alarm under `alarms:` that this harm breaches".to_owned()
            } else {
                format!("stop on an alarm that fires here ({})", others.join("; "))
            });
            self.err(
                crate::base::errors::Code::E082,
                at,
                field,
                format!(
                    "alarm `{}` cannot fire in the harm this experiment can do, as CloudWatch evaluates it ({} of {} {} data points {}, missing data {}): {}",
                    s.value,
                    v.alarm.evaluation_periods,
                    v.alarm.evaluation_periods,
                    periods(v.alarm),
                    condition(v.alarm),
                    crate::resources::alarms::definition(v.alarm).rule.treat_missing.name(),
                    why.join("; ")
                ),
                format!(
                    "{}; if nothing the load balancer measures can show this fault's harm, drop the stop condition and add `acknowledge: [no-stop-condition]`",
                    ways.join(", or ")
                ),
            );
        }
    }
}
