//! The checks before anything is probed or started, in the order a refusal is cheapest: the
//! Region offers the actions, FIS's safety lever is disengaged, the template's stop-condition
//! alarms are not already in ALARM, and this machine is not among the resources the fault
//! hits. A check that cannot be made says why and does not refuse the run; the first refusal
//! ends the checks.

use super::Report;
use super::fis::{Fis, Runner, Template, alarm_name};
use crate::base::escape::sh_word;
use crate::base::text::printable;

/// What one check found.
enum Finding {
    /// It passed (the line says what was seen).
    Passed(String),
    /// It could not be made: said, and the run goes on.
    Unknown(String),
    /// The run must not start: why, and the fix.
    Refused { why: String, help: String },
}

/// Runs the checks; `Some(why)` refuses the run.
pub fn run(
    fis: &mut dyn Fis,
    template_id: &str,
    actions: &[&str],
    out: &mut dyn Report,
) -> Option<String> {
    // Read once, for the checks that need it.
    let mut template: Option<Result<Template, String>> = None;
    for check in CHECKS {
        let finding = match check {
            Check::Offered => offered(fis, actions),
            Check::Lever => lever(fis),
            Check::Alarms | Check::Radius => {
                let read = template.get_or_insert_with(|| fis.template(template_id));
                match (check, read) {
                    (_, Err(e)) => Finding::Unknown(format!(
                        "{}: the template could not be read ({e}); going on",
                        check.what()
                    )),
                    (Check::Alarms, Ok(t)) => alarms(fis, t),
                    (_, Ok(t)) => radius(fis, t),
                }
            }
        };
        // What AWS answered (alarm names, target names, errors) is shown, never interpreted by
        // the terminal.
        match finding {
            Finding::Passed(line) | Finding::Unknown(line) => {
                out.line(&format!("pre-flight: {}", printable(&line)));
            }
            Finding::Refused { why, help } => {
                let why = printable(&why);
                out.line(&format!("pre-flight: {why}; nothing was started"));
                out.line(&format!("  = help: {}", printable(&help)));
                return Some(format!("{why}; nothing was started"));
            }
        }
    }
    None
}

/// The checks, in order.
#[derive(Clone, Copy)]
enum Check {
    Offered,
    Lever,
    Alarms,
    Radius,
}

const CHECKS: [Check; 4] = [Check::Offered, Check::Lever, Check::Alarms, Check::Radius];

impl Check {
    /// What it checks, as its lines name it.
    fn what(self) -> &'static str {
        match self {
            Check::Offered => "actions",
            Check::Lever => "safety lever",
            Check::Alarms => "stop-condition alarms",
            Check::Radius => "blast radius",
        }
    }
}

/// The Region offers every action of the experiment (`ListActions`).
fn offered(fis: &mut dyn Fis, actions: &[&str]) -> Finding {
    match fis.actions() {
        Ok(offered) => {
            let missing: Vec<&str> = actions
                .iter()
                .filter(|a| !offered.iter().any(|o| o == *a))
                .copied()
                .collect();
            if missing.is_empty() {
                Finding::Passed(format!(
                    "FIS offers the experiment's actions here ({})",
                    actions.join(", ")
                ))
            } else {
                Finding::Refused {
                    why: format!(
                        "FIS does not offer {} in this Region: the experiment would fail at its start",
                        missing.join(", ")
                    ),
                    help: "run the lab in a Region that offers them (aws fis list-actions --region R), or take the action out of the experiment".into(),
                }
            }
        }
        Err(e) => Finding::Unknown(format!(
            "the Region's actions could not be listed ({e}); going on"
        )),
    }
}

/// The safety lever is disengaged: an engaged one cancels every experiment started (the FIS
/// user guide, "Safety levers", read 2026-12-07:
/// https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
fn lever(fis: &mut dyn Fis) -> Finding {
    match fis.safety_lever() {
        Ok((status, _)) if status == "disengaged" => {
            Finding::Passed("FIS's safety lever is disengaged".into())
        }
        Ok((status, reason)) => Finding::Refused {
            why: format!(
                "FIS's safety lever is {status}{}: FIS would cancel the experiment",
                reason.map(|r| format!(" ({r})")).unwrap_or_default()
            ),
            help: "disengage it (aws fis update-safety-lever-state --id default --state status=disengaged,reason=...) once it is safe to run experiments again".into(),
        },
        Err(e) => Finding::Unknown(format!(
            "the safety lever could not be read ({e}); going on (an engaged lever would cancel the experiment)"
        )),
    }
}

/// No stop-condition alarm is already in ALARM: FIS stops an experiment when one of its stop
/// conditions is triggered (the FIS user guide, "Stop conditions for AWS FIS", read
/// 2026-12-07: https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html), so
/// one in ALARM ends the run at its start and the hypothesis is never tested. An alarm the
/// template names that does not exist guards nothing.
fn alarms(fis: &mut dyn Fis, template: &Template) -> Finding {
    let names: Vec<String> = template
        .alarms
        .iter()
        .map(|arn| alarm_name(arn).unwrap_or(arn).to_owned())
        .collect();
    if names.is_empty() {
        return Finding::Passed(
            "the template has no stop-condition alarm: only its own end stops the experiment"
                .into(),
        );
    }
    let states = match fis.alarm_states(&names) {
        Ok(states) => states,
        Err(e) => {
            return Finding::Unknown(format!(
                "the stop-condition alarms could not be read ({e}); going on (one already in ALARM would stop the experiment at its start)"
            ));
        }
    };
    let state = |name: &str| {
        states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    };
    let mut seen = Vec::new();
    for name in &names {
        match state(name) {
            None => {
                return Finding::Refused {
                    why: format!(
                        "the stop-condition alarm {name} does not exist: the experiment would run without that guard"
                    ),
                    help: "apply the lab again (terraform apply creates the alarm), or point the template's stop condition at an alarm that exists".into(),
                };
            }
            Some("ALARM") => {
                return Finding::Refused {
                    why: format!(
                        "the stop-condition alarm {name} is in ALARM: FIS would stop the experiment as soon as it started"
                    ),
                    help: format!(
                        "find out why (aws cloudwatch describe-alarms --alarm-names {}) and run the experiment once it is back to OK",
                        sh_word(name)
                    ),
                };
            }
            Some(s) => seen.push(format!("{name} {s}")),
        }
    }
    let waiting: Vec<&str> = names
        .iter()
        .filter(|n| state(n) == Some("INSUFFICIENT_DATA"))
        .map(String::as_str)
        .collect();
    let mut line = format!("stop-condition alarms: {}", seen.join(", "));
    if !waiting.is_empty() {
        line.push_str(&format!(
            " ({} cannot stop the experiment until its metric has data)",
            waiting.join(", ")
        ));
    }
    Finding::Passed(line)
}

/// This machine is not one of the resources the fault hits (an instance the template targets,
/// or an instance in a subnet it cuts): its probe would measure its own cut, not the lab's.
/// Best effort: known only on EC2 (instance metadata), and only for targets that name their
/// resources; targets chosen by tags are known once FIS resolves them (`--preview`).
fn radius(fis: &mut dyn Fis, template: &Template) -> Finding {
    let runner = match fis.runner() {
        Ok(r) => r,
        Err(why) => {
            return Finding::Unknown(format!(
                "where this machine runs is unknown ({why}); make sure it is in none of the subnets or instances the experiment targets"
            ));
        }
    };
    let me = describe(&runner);
    if let Some(t) = template
        .targets
        .iter()
        .find(|t| t.arns.iter().any(|a| runner.named_by(a)))
    {
        return Finding::Refused {
            why: format!(
                "this machine ({me}) is among the resources of the template's target {} ({}): the fault would cut the probe itself",
                t.name, t.resource_type
            ),
            help: "run verify from outside the lab's VPC (a laptop, CloudShell), or from a subnet the experiment does not target".into(),
        };
    }
    let tagged: Vec<&str> = template
        .targets
        .iter()
        .filter(|t| t.by_tags)
        .map(|t| t.name.as_str())
        .collect();
    if tagged.is_empty() {
        Finding::Passed(format!(
            "this machine ({me}) is outside every resource the template targets"
        ))
    } else {
        Finding::Unknown(format!(
            "this machine ({me}) is in none of the resources the template names; {} chosen by tags (`chaoslab verify --preview` lists what they resolve to)",
            tagged.join(", ")
        ))
    }
}

fn describe(r: &Runner) -> String {
    format!(
        "instance {}, subnet {}, {}",
        r.instance_id, r.subnet_id, r.availability_zone
    )
}
