//! A step's parameters against its action's typed list in the catalog: unknown names,
//! missing required ones, each value against its kind, the values Fargate tasks need, and an
//! SSM document's own parameters against its table entry.

use super::steps::RawAction;
use super::values::{check_param, json_object, ssm_document};
use super::{Context, Validator};
use crate::base::duration;
use crate::base::errors::Code;
use crate::base::suggest::did_you_mean;
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
                let help = did_you_mean(&k.value, &known, || {
                    if known.is_empty() {
                        format!("{} takes no parameters; remove them", action.id)
                    } else {
                        format!("{} takes: {}", action.id, known.join(", "))
                    }
                });
                self.err(
                    Code::E041,
                    pos(k),
                    format!("{field}.parameters.{}", k.value),
                    format!("{} has no parameter `{}`", action.id, k.value),
                    help,
                );
            }
        }
        let mut out = Vec::new();
        for p in action.params {
            let fargate_value = p.on_fargate.filter(|_| fargate);
            let Some((_, value)) = raw.parameters.iter().find(|(k, _)| k.value == p.name) else {
                if let Some(v) = fargate_value {
                    out.push((p.name.to_owned(), v.to_owned()));
                } else if p.required {
                    self.err(
                        Code::E041,
                        raw.at,
                        format!("{field}.parameters"),
                        format!("{} needs the parameter `{}`", action.id, p.name),
                        format!("add `{}:` under parameters", p.name),
                    );
                }
                continue;
            };
            let pfield = format!("{field}.parameters.{}", p.name);
            if let Err((msg, help)) = check_param(p.kind, &value.value, action.id, region) {
                self.err(Code::E041, pos(value), pfield, msg, help);
            } else if let Some(v) = fargate_value.filter(|v| *v != value.value) {
                self.err(
                    Code::E041,
                    pos(value),
                    pfield,
                    format!(
                        "{} on Fargate tasks needs `{}: \"{v}\"`: FIS runs it there only through the ECS fault-injection endpoints",
                        action.id, p.name
                    ),
                    format!("remove `{}` (chaoslab sets it to \"{v}\" for the app's tasks)", p.name),
                );
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
                let help = did_you_mean(key, &names, || {
                    format!("{} takes: {}", doc.name, names.join(", "))
                });
                self.err(
                    Code::E041,
                    at,
                    kfield,
                    format!("{} has no parameter `{}`", doc.name, key),
                    help,
                );
                continue;
            };
            let Some(text) = value.as_str() else {
                self.err(
                    Code::E041,
                    at,
                    kfield,
                    format!(
                        "`{key}` is {value}, not a string: FIS passes document parameters as strings"
                    ),
                    format!("quote the value: \"{key}\": \"{}\"", value.to_string().trim_matches('"')),
                );
                continue;
            };
            if let Err((msg, help)) = check_doc_value(p, text, limit) {
                self.err(Code::E041, at, kfield, msg, help);
            }
        }
        for p in doc.params.iter().filter(|p| p.required) {
            if !object.contains_key(p.name) {
                let example = match p.value {
                    DocValue::Seconds => format!("\"{}\": \"{}\"", p.name, limit.unwrap_or(60)),
                    _ => format!("\"{}\": \"...\"", p.name),
                };
                self.err(
                    Code::E041,
                    at,
                    &pfield,
                    format!("{} needs `{}` in {}", doc.name, p.name, params.name),
                    format!("add {example} to {}", params.name),
                );
            }
        }
    }
}

/// One document parameter's value against its table entry; `limit` is the action's duration
/// in seconds. `Err((message, fix))`.
fn check_doc_value(
    p: &ssm::DocParam,
    value: &str,
    limit: Option<u64>,
) -> Result<(), (String, String)> {
    let whole = |min: u64, max: u64| match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err((
            format!(
                "{} `{value}` is not a whole number from {min} to {max}",
                p.name
            ),
            format!("use a whole number from {min} to {max}, in quotes"),
        )),
    };
    match p.value {
        DocValue::Seconds => {
            let max = limit.unwrap_or(12 * 3600);
            let secs = whole(1, 12 * 3600)?;
            if secs > max {
                return Err((
                    format!(
                        "{} `{value}` is longer than the action's duration ({} = {max} s): FIS cancels the command when the action ends, so the fault would not run as written",
                        p.name,
                        duration::show(max)
                    ),
                    format!(
                        "set {} to at most \"{max}\", or lengthen the action's `duration`",
                        p.name
                    ),
                ));
            }
            Ok(())
        }
        DocValue::Int { min, max } => whole(min, max).map(|_| ()),
        DocValue::OneOf(values) => {
            if values.contains(&value) {
                Ok(())
            } else {
                Err((
                    format!(
                        "{} `{value}` is not allowed (allowed: {})",
                        p.name,
                        values.join(", ")
                    ),
                    did_you_mean(value, values, || {
                        format!("use one of: {}", values.join(", "))
                    }),
                ))
            }
        }
        DocValue::Interface => match ssm::interface_problem(value) {
            None => Ok(()),
            Some(why) => Err((
                format!("{} `{value}` {why}", p.name),
                "name the instance's network interface, e.g. ens5 (Amazon Linux 2023) or eth0: letters, digits, `.`, `_` and `-`".to_owned(),
            )),
        },
    }
}
