//! An experiment's stop conditions: alarms of the lab, at most five, each able to fire before
//! the experiment ends (E051).

use super::{Context, Experiment, Validator};
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
}
