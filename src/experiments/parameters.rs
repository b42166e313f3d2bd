//! A step's parameters against its action's typed list in the catalog: unknown names,
//! missing required ones, each value against its kind, the values Fargate tasks need, and an
//! SSM document's own parameters against its table entry.

use super::steps::RawAction;
use super::values::{Scope, check_param, json_object, ssm_document};
use super::{Context, StepProblem, Validator};
use crate::catalog::ssm::{self, DocValue};
use crate::catalog::{Action, ParamKind};
use crate::spec::pos;

impl Validator {
    /// Parameters in catalog order, each checked against its kind.
    pub(super) fn parameters(
        &mut self,
        field: &str,
        raw: &RawAction,
        action: &Action,
        ctx: &Context,
    ) -> Vec<(String, String)> {
        let region = ctx.lab.region.as_str();
        // The app's tasks run on Fargate (`runtime: ecs`).
        let fargate = ctx.fargate();
        let known: Vec<&str> = action.params.iter().map(|p| p.name).collect();
        for (k, _) in raw.parameters.iter() {
            if !known.contains(&k.value.as_str()) {
                let problem = StepProblem::UnknownParameter {
                    action: action.id,
                    name: k.value.clone(),
                    known: known.clone(),
                };
                self.flag(pos(k), format!("{field}.parameters.{}", k.value), problem);
            }
        }
        let mut out = Vec::new();
        for p in action.params {
            let fargate_value = p.on_fargate.filter(|_| fargate);
            let Some((_, value)) = raw.parameters.iter().find(|(k, _)| k.value == p.name) else {
                if let Some(v) = fargate_value {
                    out.push((p.name.to_owned(), v.to_owned()));
                } else if p.required {
                    let problem = StepProblem::MissingParameter {
                        action: action.id,
                        name: p.name,
                    };
                    self.flag(raw.at, format!("{field}.parameters"), problem);
                }
                continue;
            };
            let pfield = format!("{field}.parameters.{}", p.name);
            if let Some(problem) = check_param(
                p.kind,
                &value.value,
                action.id,
                Scope::Lab(ctx.lab.resources),
            ) {
                self.flag(pos(value), pfield, problem);
            } else if let Some(v) = fargate_value.filter(|v| *v != value.value) {
                let problem = StepProblem::FargateValue {
                    action: action.id,
                    name: p.name,
                    value: v,
                };
                self.flag(pos(value), pfield, problem);
            }
            // A document is kept by name; the model builds its ARN from var.aws_region.
            let kept = match p.kind {
                ParamKind::SsmDocument => ssm_document(&value.value, region).ok(),
                _ => None,
            };
            out.push((
                p.name.to_owned(),
                kept.unwrap_or_else(|| value.value.clone()),
            ));
        }
        self.document_parameters(field, raw, action, &out);
        out
    }

    /// `documentParameters` against the table entry of the action's SSM document: FIS itself
    /// checks them only when the command runs, minutes into an experiment.
    fn document_parameters(
        &mut self,
        field: &str,
        raw: &RawAction,
        action: &Action,
        checked: &[(String, String)],
    ) {
        let by_kind = |kind: ParamKind| action.params.iter().find(|p| p.kind == kind);
        let (Some(doc_param), Some(params)) = (
            by_kind(ParamKind::SsmDocument),
            by_kind(ParamKind::DocumentParameters),
        ) else {
            return;
        };
        // Only a document that passed its own check (the kept name) is looked up.
        let Some(doc) = checked
            .iter()
            .find(|(k, _)| k == doc_param.name)
            .and_then(|(_, name)| ssm::document(name))
        else {
            return;
        };
        let given = raw
            .parameters
            .iter()
            .find(|(k, _)| k.value == params.name)
            .map(|(_, v)| v);
        let object = match given {
            None => serde_json::Map::new(),
            Some(v) => match json_object(&v.value) {
                Some(o) => o,
                None => return, // reported by check_param
            },
        };
        let at = given.map_or(pos(raw.action), pos);
        let pfield = format!("{field}.parameters.{}", params.name);
        let limit = action.duration_secs(checked);
        let names: Vec<&str> = doc.params.iter().map(|p| p.name).collect();
        for (key, value) in &object {
            let kfield = format!("{pfield}.{key}");
            let Some(p) = doc.params.iter().find(|p| p.name == key) else {
                let problem = StepProblem::UnknownDocParameter {
                    document: doc.name,
                    key: key.clone(),
                    names: names.clone(),
                };
                self.flag(at, kfield, problem);
                continue;
            };
            let Some(text) = value.as_str() else {
                let problem = StepProblem::DocNotString {
                    key: key.clone(),
                    value: value.to_string(),
                };
                self.flag(at, kfield, problem);
                continue;
            };
            if let Some(problem) = check_doc_value(p, text, limit) {
                self.flag(at, kfield, problem);
            }
        }
        for p in doc.params.iter().filter(|p| p.required) {
            if !object.contains_key(p.name) {
                let problem = StepProblem::DocMissing {
                    document: doc.name,
                    name: p.name,
                    params: params.name,
                    seconds: matches!(p.value, DocValue::Seconds).then(|| limit.unwrap_or(60)),
                };
                self.flag(at, &pfield, problem);
            }
        }
    }
}

/// One document parameter's value against its table entry; `limit` is the action's duration
/// in seconds. The problem, if any.
fn check_doc_value(p: &ssm::DocParam, value: &str, limit: Option<u64>) -> Option<StepProblem> {
    let not_whole = |min: u64, max: u64| StepProblem::DocNotWhole {
        name: p.name,
        value: value.to_owned(),
        min,
        max,
    };
    let whole = |min: u64, max: u64| {
        value
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
    };
    match p.value {
        DocValue::Seconds => {
            let max = limit.unwrap_or(12 * 3600);
            match whole(1, 12 * 3600) {
                None => Some(not_whole(1, 12 * 3600)),
                Some(secs) if secs > max => Some(StepProblem::DocTooLong {
                    name: p.name,
                    value: value.to_owned(),
                    max,
                }),
                Some(_) => None,
            }
        }
        DocValue::Int { min, max } => whole(min, max).is_none().then(|| not_whole(min, max)),
        DocValue::OneOf(values) => (!values.contains(&value)).then(|| StepProblem::DocNotAllowed {
            name: p.name,
            value: value.to_owned(),
            values: values.to_vec(),
        }),
        DocValue::Interface => ssm::interface_problem(value).map(|why| StepProblem::DocInterface {
            name: p.name,
            value: value.to_owned(),
            why: why.to_string(),
        }),
    }
}
