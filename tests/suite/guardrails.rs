//! Each blueprint's stop conditions run through CloudWatch's evaluation (the evaluator checked
//! against the User Guide in `cloudwatch.rs`) in the harm their experiment can do.

use chaoslab::experiments::guardrails::{self, Fleet, Harm, Judgement};
use chaoslab::experiments::{Experiment, Lab};

fn blueprint(name: &str) -> Lab {
    let path = format!("blueprints/{name}.yaml");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    chaoslab::load(&path, &source).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

fn experiment<'a>(lab: &'a Lab, name: &str) -> &'a Experiment {
    lab.experiments
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no experiment {name}"))
}

/// Every harm of an experiment with the judgement of one of the lab's alarms in it.
fn judged(lab: &Lab, experiment: &str, alarm: &str) -> Vec<(Harm, Judgement)> {
    let e = self::experiment(lab, experiment);
    let a = lab
        .alarms
        .iter()
        .find(|a| a.name == alarm)
        .unwrap_or_else(|| panic!("no alarm {alarm}"));
    let fleet = Fleet::of(lab.app.as_ref()).expect("an app");
    guardrails::harms(e, fleet)
        .into_iter()
        .map(|h| {
            let j = guardrails::judge(a, &h).unwrap_or_else(|e| panic!("{e}"));
            (h, j)
        })
        .collect()
}

/// Article 2's one-minute 5xx alarm (`errors-fast`, > 50 %) on the cut of the whole app tier:
/// every request is the load balancer's own 502 or 504, which RequestCount counts (a target
/// was chosen, the fleet failing open); the rate must reach 100 % and the alarm fire after
/// its one period.
#[test]
fn the_5xx_rate_reaches_100_when_every_target_stops_answering() {
    let lab = blueprint("chaos-shop-stop-conditions");
    let harms = judged(&lab, "cut-the-app-tier", "errors-fast");
    let (harm, j) = harms
        .iter()
        .find(|(h, _)| h.what.starts_with("every app target stops answering"))
        .expect("the cut's harm");
    assert_eq!(j.peak, Some(100.0), "{}", harm.what);
    assert_eq!(j.fires_after, Some(60), "{}", harm.what);
}

/// The counterfactual: the 5xx rate as chaoslab wrote it before (every load balancer 5xx added
/// to the denominator again, so a 502/504 counted twice) cannot cross 50 % on the cut, and the
/// evaluation says so; the shipped expression can.
#[test]
fn a_rate_that_counts_each_failure_twice_cannot_fire_and_the_check_says_so() {
    use chaoslab::base::cloudwatch::alarm::Source;
    let lab = blueprint("chaos-shop-stop-conditions");
    let alarm = lab
        .alarms
        .iter()
        .find(|a| a.name == "errors-fast")
        .expect("errors-fast");
    let e = experiment(&lab, "cut-the-app-tier");
    let fleet = Fleet::of(lab.app.as_ref()).expect("an app");
    let harm = guardrails::harms(e, fleet)
        .into_iter()
        .next()
        .expect("a harm");
    let shipped = chaoslab::resources::alarms::definition(alarm);
    let mut old = shipped.clone();
    if let Source::Math { expression, .. } = &mut old.source {
        *expression = "IF(FILL(requests, 0) + FILL(elb_5xx, 0) > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_5xx, 0)), 0)";
    }
    let judge = |d| guardrails::judge_definition(d, &harm).expect("evaluates");
    assert_eq!(
        judge(&old),
        Judgement {
            fires_after: None,
            peak: Some(50.0)
        }
    );
    assert_eq!(
        judge(&shipped),
        Judgement {
            fires_after: Some(60),
            peak: Some(100.0)
        }
    );
}

/// Every stop condition of every blueprint experiment that runs for a while goes into ALARM,
/// before the experiment ends, in some harm its fault can do; and the lab README's "Stops
/// within" line gives each alarm's evaluated time in each harm.
#[test]
fn every_blueprint_stop_condition_fires_in_its_harm_and_the_readme_says_when() {
    let mut wrong = Vec::new();
    let mut judged = 0;
    for spec in crate::common::blueprints() {
        let name = spec
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name");
        let lab = blueprint(name);
        let readme = std::fs::read_to_string(format!("generated/{name}/README.md"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(fleet) = Fleet::of(lab.app.as_ref()) else {
            continue;
        };
        for e in &lab.experiments {
            let Some(lasts) = e.duration_secs() else {
                continue;
            };
            let harms = guardrails::harms(e, fleet);
            for s in &e.stop_conditions {
                let alarm = lab.alarms.iter().find(|a| &a.name == s).expect("alarm");
                let mut earliest = None::<u64>;
                for h in &harms {
                    let j = guardrails::judge(alarm, h).expect("evaluates");
                    judged += 1;
                    let said = match j.fires_after {
                        Some(t) => format!("`{s}` after {t} s"),
                        None => format!("`{s}` never"),
                    };
                    if !readme.contains(&format!("if {}: ", h.what)) || !readme.contains(&said) {
                        wrong.push(format!(
                            "{name}/{}: the README does not say {said} if {}",
                            e.name, h.what
                        ));
                    }
                    // E051 refuses an alarm whose period × evaluation periods is not under the
                    // experiment's duration: that must be a true lower bound of the evaluation.
                    if j.fires_after.is_some_and(|t| t < alarm.seconds_to_alarm()) {
                        wrong.push(format!(
                            "{name}/{}: `{s}` fires after {:?} s, before E051's {} s",
                            e.name,
                            j.fires_after,
                            alarm.seconds_to_alarm()
                        ));
                    }
                    earliest = match (earliest, j.fires_after) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                if !harms.is_empty() && earliest.is_none_or(|t| t >= lasts) {
                    wrong.push(format!(
                        "{name}/{}: `{s}` fires in no harm before {lasts} s",
                        e.name
                    ));
                }
            }
        }
    }
    assert!(judged > 20, "only {judged} judgements");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every metric chaoslab's alarms read is one the harm model publishes (else an alarm would
/// look silent for want of a model, not of a metric).
#[test]
fn every_alarm_metric_is_modelled() {
    use chaoslab::base::cloudwatch::alarm::Source;
    use chaoslab::experiments::{Alarm, AlarmMetric};
    for (name, metric) in AlarmMetric::ALL {
        let alarm = Alarm {
            name: name.to_owned(),
            metric,
            threshold: 1.0,
            period: 60,
            evaluation_periods: 1,
        };
        let metrics = match chaoslab::resources::alarms::definition(&alarm).source {
            Source::Metric(m) => vec![m],
            Source::Math { metrics, .. } => metrics.into_iter().map(|(_, m)| m).collect(),
        };
        for m in metrics {
            assert!(guardrails::modelled(&m), "{name}: {}", m.name);
        }
    }
}
