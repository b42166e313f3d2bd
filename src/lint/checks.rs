//! What `chaoslab lint` holds a template to: its actions against the catalog (id, parameters
//! and their values as FIS takes them, target key and resource type), its targets' selection
//! modes, its `startAfter` graph, its stop conditions, and, where the files linted together
//! hold them, the role's policies and the hashicorp/aws constraint.

use std::collections::BTreeSet;

use super::problem::Problem as LintProblem;
use super::{At, Template, TemplateAction, Value};
use crate::base::diag::Problem as _;
use crate::base::errors::Diagnostic;
use crate::catalog::{self, Action};
use crate::experiments::steps::selection_mode;
use crate::experiments::values::{Scope, arn_of, check_param};
use crate::experiments::{Problem, StepProblem};

/// FIS's quota of stop conditions per template.
const MAX_STOPS: usize = 5;

/// Permissions an action needs only with one of its parameters (FIS actions reference):
/// restarting instances with encrypted volumes (`startInstancesAfterDuration`), handing a
/// runbook its role (`AutomationAssumeRole` in `documentParameters`). chaoslab's own role
/// always holds the first and holds the second only when a runbook gets a role.
const ONLY_WITH: &[(&str, &str, &str, &str)] = &[
    (
        "aws:ec2:stop-instances",
        "kms:CreateGrant",
        "startInstancesAfterDuration",
        "",
    ),
    (
        "aws:ssm:start-automation-execution",
        "iam:PassRole",
        "documentParameters",
        "AutomationAssumeRole",
    ),
];

/// Parameters chaoslab asks a spec for that FIS itself does not require: the lab's load
/// balancer needs `zonalAutoshiftStatus` set, any other resource may take FIS's default.
const REQUIRED_BY_CHAOSLAB_ONLY: &[(&str, &str)] =
    &[("aws:arc:start-zonal-autoshift", "zonalAutoshiftStatus")];

/// Every finding of one template. `allowed`: the IAM actions the file set's policies allow,
/// when it has any; `provider`: its hashicorp/aws constraint.
pub fn template(
    t: &Template,
    allowed: Option<&[String]>,
    provider: Option<&At<String>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let names: Vec<&str> = t.actions.iter().map(|a| a.name.value.as_str()).collect();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for a in &t.actions {
        let Some(action) = catalog::find(&a.id.value) else {
            let problem = StepProblem::UnknownAction {
                action: a.id.value.clone(),
            };
            out.push(problem.at(a.id.pos, format!("{}.actionId", a.field)));
            continue;
        };
        parameters(a, action, t.partial, &mut out);
        targets(t, a, action, &mut out);
        if let Some(allowed) = allowed {
            permissions(a, action, allowed, &mut missing, &mut out);
        }
        if let Some(constraint) = provider {
            provider_floor(a, action, constraint, &mut out);
        }
        for s in &a.start_after {
            let field = format!("{}.startAfter", a.field);
            if s.value == a.name.value {
                let problem = StepProblem::StartsAfterItself {
                    name: s.value.clone(),
                };
                out.push(problem.at(s.pos, field));
            } else if !names.contains(&s.value.as_str()) {
                let problem = StepProblem::NoSuchAction {
                    name: s.value.clone(),
                    others: names
                        .iter()
                        .filter(|n| **n != a.name.value)
                        .map(|n| (*n).to_owned())
                        .collect(),
                    names: names.iter().map(|n| (*n).to_owned()).collect(),
                };
                out.push(problem.at(s.pos, field));
            }
        }
    }
    if let Some(a) = cycle(t) {
        let problem = StepProblem::Cycle {
            name: a.name.value.clone(),
        };
        out.push(problem.at(a.name.pos, format!("{}.startAfter", a.field)));
    }
    for target in &t.targets {
        if let Some(At {
            value: Value::Text(mode),
            pos,
        }) = &target.selection_mode
            && let Some(problem) = selection_mode(mode)
        {
            out.push(problem.at(*pos, format!("{}.selectionMode", target.field)));
        }
    }
    for (key, field, known) in &t.unknown {
        let problem = LintProblem::UnknownField {
            key: key.value.clone(),
            known: known.to_vec(),
        };
        out.push(problem.at(key.pos, field));
    }
    stops(t, &mut out);
    out
}

/// Names against the action's list, each value against its kind as FIS takes it, and the
/// required ones present.
fn parameters(a: &TemplateAction, action: &Action, partial: bool, out: &mut Vec<Diagnostic>) {
    let known: Vec<&'static str> = action.params.iter().map(|p| p.name).collect();
    for (k, v) in &a.parameters {
        let field = format!("{}.parameters.{}", a.field, k.value);
        let Some(p) = action.param(&k.value) else {
            let problem = StepProblem::UnknownParameter {
                action: action.id,
                name: k.value.clone(),
                known: known.clone(),
            };
            out.push(problem.at(k.pos, field));
            continue;
        };
        let Some(text) = v.value.text() else {
            continue; // computed by Terraform
        };
        let problem = if text != text.trim() {
            Some(StepProblem::Blanks {
                value: text.to_owned(),
            })
        } else {
            check_param(p.kind, text, action.id, Scope::Fis)
        };
        if let Some(problem) = problem {
            out.push(problem.at(v.pos, field));
        }
    }
    let required = |p: &&crate::catalog::Param| {
        p.required && !REQUIRED_BY_CHAOSLAB_ONLY.contains(&(action.id, p.name))
    };
    for p in action.params.iter().filter(required) {
        if !partial && !a.parameters.iter().any(|(k, _)| k.value == p.name) {
            let problem = StepProblem::MissingParameter {
                action: action.id,
                name: p.name,
            };
            out.push(problem.at(a.id.pos, format!("{}.parameters", a.field)));
        }
    }
}

/// The action's target key is its kind's, and the target it names exists with its kind's
/// resource type.
fn targets(t: &Template, a: &TemplateAction, action: &Action, out: &mut Vec<Diagnostic>) {
    let field = format!("{}.targets", a.field);
    let Some(kind) = action.target else {
        if let Some((k, _)) = a.targets.first() {
            out.push(StepProblem::TakesNoTarget { action: action.id }.at(k.pos, field));
        }
        return;
    };
    if a.targets.is_empty() {
        if t.partial {
            return;
        }
        let problem = StepProblem::NeedsTarget {
            action: action.id,
            kind: kind.fis_key,
        };
        out.push(problem.at(a.id.pos, field));
        return;
    }
    for (key, name) in &a.targets {
        if key.value != kind.fis_key {
            let problem = StepProblem::WrongTargetKey {
                action: action.id,
                key: key.value.clone(),
                kind: kind.fis_key,
            };
            out.push(problem.at(key.pos, format!("{field}.{}", key.value)));
            continue;
        }
        let Some(target) = t.targets.iter().find(|x| x.name.value == name.value) else {
            if t.partial {
                continue;
            }
            let problem = StepProblem::NoSuchTarget {
                name: name.value.clone(),
                names: t.targets.iter().map(|x| x.name.value.clone()).collect(),
            };
            out.push(problem.at(name.pos, format!("{field}.{}", key.value)));
            continue;
        };
        if let Some(At {
            value: Value::Text(rt),
            pos,
        }) = &target.resource_type
            && rt != kind.resource_type
        {
            let problem = StepProblem::WrongResourceType {
                action: action.id,
                target: name.value.clone(),
                resource_type: rt.clone(),
                expected: kind.resource_type,
            };
            out.push(problem.at(*pos, format!("{}.resourceType", target.field)));
        }
    }
}

/// At most five, each `none` or an alarm by ARN, each alarm once.
fn stops(t: &Template, out: &mut Vec<Diagnostic>) {
    if t.stop_conditions.len() > MAX_STOPS {
        out.push(Problem::TooManyStops.at(t.stops_pos, format!("{}stopConditions", t.field)));
    }
    let mut seen: Vec<&str> = Vec::new();
    for s in &t.stop_conditions {
        let Some(source) = s.source.value.text() else {
            continue;
        };
        match source {
            "none" => {}
            "aws:cloudwatch:alarm" => {
                let Some(At {
                    value: Value::Text(alarm),
                    pos,
                }) = &s.value
                else {
                    continue;
                };
                if !arn_of(alarm, "cloudwatch", "alarm:") {
                    let problem = Problem::StopNotAlarm {
                        value: alarm.clone(),
                    };
                    out.push(problem.at(*pos, format!("{}.value", s.field)));
                } else if seen.contains(&alarm.as_str()) {
                    let problem = Problem::StopTwice {
                        name: alarm.clone(),
                    };
                    out.push(problem.at(*pos, format!("{}.value", s.field)));
                } else {
                    seen.push(alarm);
                }
            }
            other => {
                let problem = Problem::StopSource {
                    source: other.to_owned(),
                };
                out.push(problem.at(s.source.pos, format!("{}.source", s.field)));
            }
        }
    }
}

/// IAM's action patterns, case-insensitive: `*` any run of characters, `?` any one. Matched
/// by the usual two-pointer walk, which backtracks only to the last `*`: linear in practice,
/// whatever a policy file holds.
fn allows(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < a.len() {
        match p.get(i) {
            Some(b'*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(&c) if c == b'?' || a.get(j).is_some_and(|d| c.eq_ignore_ascii_case(d)) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    p.get(i..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

/// Each permission the catalog grants the action, allowed by some policy of the file set;
/// each missing one reported once per template.
fn permissions(
    a: &TemplateAction,
    action: &Action,
    allowed: &[String],
    missing: &mut BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    // Whether the template gives `param` (holding `word`, when one is named).
    let given = |param: &str, word: &str| {
        a.parameters
            .iter()
            .any(|(k, v)| k.value == param && v.value.text().is_none_or(|t| t.contains(word)))
    };
    for s in action.iam {
        for permission in s.actions {
            let not_needed = ONLY_WITH.iter().any(|(id, p, param, word)| {
                *id == action.id && p == permission && !given(param, word)
            });
            if not_needed
                || allowed.iter().any(|p| allows(p, permission))
                || !missing.insert((*permission).to_owned())
            {
                continue;
            }
            let problem = LintProblem::MissingPermission {
                action: action.id.to_owned(),
                permission: (*permission).to_owned(),
                sid: s.sid.to_owned(),
            };
            out.push(problem.at(a.id.pos, format!("{}.actionId", a.field)));
        }
    }
}

/// The lowest release a constraint admits: the highest of its lower bounds (`~> 5.0`,
/// `>= 5.30`, `= 6.1.0`, `6.1.0`), as (major, minor).
fn lowest_admitted(constraint: &str) -> Option<(u32, u32)> {
    constraint
        .split(',')
        .filter_map(|c| {
            let c = c.trim();
            let v = ["~>", ">=", ">", "="]
                .iter()
                .find_map(|op| c.strip_prefix(op))
                .or_else(|| c.starts_with(|ch: char| ch.is_ascii_digit()).then_some(c))?;
            let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        })
        .max()
}

/// W007: the constraint admits a release older than one that accepts the action's target key.
fn provider_floor(
    a: &TemplateAction,
    action: &Action,
    constraint: &At<String>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(lowest) = lowest_admitted(&constraint.value) else {
        return;
    };
    for need in catalog::facts::provider_needs(action.id) {
        let Some(since) = &need.since else { continue };
        let mut parts = since.split('.').filter_map(|p| p.parse::<u32>().ok());
        let floor = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if lowest < floor && need.what.starts_with("target key") {
            let problem = LintProblem::ProviderTooOld {
                constraint: constraint.value.clone(),
                action: action.id.to_owned(),
                key: action.target.map_or("", |k| k.fis_key).to_owned(),
                floor: since.clone(),
            };
            out.push(problem.at(a.id.pos, format!("{}.actionId", a.field)));
        }
    }
}

/// An action on a `startAfter` cycle, if the graph has one.
fn cycle(t: &Template) -> Option<&TemplateAction> {
    let index = |name: &str| t.actions.iter().position(|a| a.name.value == name);
    // 0 unseen, 1 on the path, 2 done.
    let mut state = vec![0u8; t.actions.len()];
    fn visit(
        i: usize,
        t: &Template,
        state: &mut [u8],
        index: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        match state.get(i) {
            Some(1) => return Some(i),
            Some(0) => {}
            _ => return None,
        }
        if let Some(s) = state.get_mut(i) {
            *s = 1;
        }
        for after in t
            .actions
            .get(i)
            .map_or(&[][..], |a| a.start_after.as_slice())
        {
            if let Some(j) = index(&after.value).filter(|j| *j != i)
                && let Some(found) = visit(j, t, state, index)
            {
                return Some(found);
            }
        }
        if let Some(s) = state.get_mut(i) {
            *s = 2;
        }
        None
    }
    (0..t.actions.len())
        .find_map(|i| visit(i, t, &mut state, &index))
        .and_then(|i| t.actions.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_patterns_and_constraints() {
        assert!(allows("ec2:*", "ec2:StopInstances"));
        assert!(allows("EC2:stop*", "ec2:StopInstances"));
        assert!(!allows("ec2:Stop", "ec2:StopInstances"));
        assert!(allows("*", "fis:InjectApiThrottleError"));
        assert!(allows("ec2:?topInstances", "ec2:StopInstances"));
        assert!(!allows("ec2:*Z", "ec2:StopInstances"));
        // A pattern built to backtrack: answered at once.
        assert!(!allows(&format!("{}Z", "*".repeat(40)), &"a".repeat(200)));
        assert_eq!(lowest_admitted("~> 5.0"), Some((5, 0)));
        assert_eq!(lowest_admitted(">= 5.30, < 7.0"), Some((5, 30)));
        assert_eq!(lowest_admitted("6.22.0"), Some((6, 22)));
        assert_eq!(lowest_admitted("< 7"), None);
        assert_eq!(lowest_admitted("> 5.1"), Some((5, 1)));
    }
}
