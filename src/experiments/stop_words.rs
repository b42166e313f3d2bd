//! What stops an experiment, as the lab README says it: its stop conditions, and when
//! CloudWatch puts each into ALARM in each harm the fault can do ([`guardrails`] judges, and
//! `super::stops` checks them; this module words the verdicts). Values reach the text only
//! as code spans.

use super::{Alarm, Experiment, Lab, guardrails};
use crate::base::duration;
use crate::base::text::code_span;
use crate::resources::alarms::model::describe;

/// What ends an experiment before its time, in the README's words: its stop conditions, each
/// with when its alarm fires, or what to do by hand when it has none.
pub fn what_stops(lab: &Lab, e: &Experiment) -> String {
    if e.stop_conditions.is_empty() {
        return if lab.app.is_some() {
            "nothing (stop condition `none`): watch the probe and stop it by hand (`aws fis stop-experiment`) if needed".to_owned()
        } else {
            "nothing (stop condition `none`): follow it in the FIS console and stop it by hand (`aws fis stop-experiment`) if needed".to_owned()
        };
    }
    e.stop_conditions
        .iter()
        .map(|n| match lab.alarms.iter().find(|a| &a.name == n) {
            Some(a) => format!("alarm {} fires ({})", code_span(n), describe(a)),
            None => format!("alarm {}", code_span(n)),
        })
        .collect::<Vec<_>>()
        .join("; or ")
}

/// The FIS User Guide's page on stop conditions, and when it was read: FIS stops an
/// experiment when a stop condition is triggered during it; the page says nothing about an
/// alarm already in ALARM when the experiment starts.
pub const GUIDE: (&str, &str) = (
    "https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html",
    "2026-12-07",
);

/// `errors-fast` after 60 s (1 of 1 one-minute data points of 5xx % of requests at 100, > 50).
fn fires_text(v: &guardrails::Verdicts, j: &guardrails::Judgement) -> String {
    let name = code_span(&v.alarm.name);
    match j.fires_after {
        Some(t) => format!(
            "{name} after {t} s ({n} of {n} {p} data points of {w} at {peak}, {c})",
            n = v.alarm.evaluation_periods,
            p = guardrails::periods(v.alarm),
            w = guardrails::watches(v.alarm),
            peak = j.peak.map_or("?".to_owned(), guardrails::show),
            c = guardrails::condition(v.alarm),
        ),
        None => format!("{name} never ({})", v.never(j)),
    }
}

/// The lab README's "Stops within" line of an experiment: when each stop condition goes into
/// ALARM in each harm the fault can do, as CloudWatch evaluates it. `None` for an experiment
/// without a duration (it ends as soon as it acts) or without stop conditions.
pub fn stops_within(lab: &Lab, e: &Experiment) -> Option<String> {
    let lasts = e.duration_secs()?;
    let alarms: Vec<&Alarm> = e
        .stop_conditions
        .iter()
        .filter_map(|n| lab.alarms.iter().find(|a| &a.name == n))
        .collect();
    let fleet = guardrails::Fleet::of(lab.app.as_ref())?;
    if alarms.is_empty() {
        return None;
    }
    let harms = guardrails::harms(e, fleet);
    if harms.is_empty() {
        let earliest: Vec<String> = alarms
            .iter()
            .map(|a| {
                format!(
                    "{} at the earliest {} × {} s = {} s after it begins",
                    code_span(&a.name),
                    a.evaluation_periods,
                    a.period,
                    a.seconds_to_alarm()
                )
            })
            .collect();
        return Some(format!(
            "this fault changes nothing the load balancer measures, so its stop conditions can end the run only on harm from elsewhere: {}",
            earliest.join(", ")
        ));
    }
    // Validation has refused an alarm it could not evaluate (E082), so none is left out here.
    let verdicts: Vec<guardrails::Verdicts> = alarms
        .iter()
        .filter_map(|a| guardrails::judge_all(a, &harms).ok())
        .collect();
    let mut late = false;
    let lines: Vec<String> = harms
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let judged: Vec<(&guardrails::Verdicts, &guardrails::Judgement)> = verdicts
                .iter()
                .filter_map(|v| v.each.get(i).map(|(_, j)| (v, j)))
                .collect();
            let each: Vec<String> = judged.iter().map(|(v, j)| fires_text(v, j)).collect();
            let first = judged.iter().filter_map(|(_, j)| j.fires_after).min();
            let stop = match first {
                Some(t) if t < lasts => format!("the run stops {t} s into the harm"),
                _ => {
                    late = true;
                    "nothing stops the run".to_owned()
                }
            };
            format!("if {}: {} — {stop}", h.what, each.join("; "))
        })
        .collect();
    let verdict = if late {
        format!(
            "where nothing stops it, the run lasts its full {} ({lasts} s)",
            duration::show(lasts)
        )
    } else {
        format!(
            "each time within the experiment's {} ({lasts} s)",
            duration::show(lasts)
        )
    };
    Some(format!(
        "CloudWatch's evaluation of each stop condition as monitoring.tf defines it, in each harm this fault can do: {}. So {verdict}; add the time CloudWatch takes to receive the load balancer's metrics, and up to a minute when the harm begins mid-minute",
        lines.join("; ")
    ))
}
