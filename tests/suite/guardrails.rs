//! Each blueprint's stop conditions run through CloudWatch's evaluation (the evaluator checked
//! against the User Guide in `cloudwatch.rs`) in the harm their experiment can do.

use chaoslab::validate::guardrails::{self, Fleet, Harm, Judgement};
use chaoslab::validate::{Experiment, Lab};

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
