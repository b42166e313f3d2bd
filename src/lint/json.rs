//! FIS templates as JSON or YAML: the API's shape (`create-experiment-template` input, or
//! `get-experiment-template` output under `experimentTemplate`), CloudFormation's
//! `AWS::FIS::ExperimentTemplate` (whose keys are the same in PascalCase), and IAM policy
//! documents (a file of its own, an `AWS::IAM::Role`'s `Policies`, an `AWS::IAM::Policy` or
//! `ManagedPolicy`).

use serde_saphyr::Spanned;

use super::node::{self, Doc, Node, pos};
use super::{At, Grant, Read, StopCondition, Template, TemplateAction, TemplateTarget, Value};
use crate::base::errors::Diagnostic;

/// A key as the API spells it (`actionId`) or as CloudFormation does (`ActionId`).
fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Spanned<Node>> {
    n.get(key).or_else(|| {
        let mut pascal: String = key.chars().take(1).flat_map(char::to_uppercase).collect();
        pascal.push_str(key.get(1..).unwrap_or_default());
        n.get(&pascal)
    })
}

/// A value as written; computed when CloudFormation or a template tool fills it in: a short-form
/// intrinsic (`!Ref`, `!GetAtt`, `!Sub`), a long-form one (a map), or `${...}`.
fn value(src: &str, n: &Spanned<Node>) -> At<Value> {
    let tagged = crate::spec::tree::source_text(n, src).is_some_and(|t| t.starts_with('!'));
    let v = match n.value.text().filter(|t| !tagged && !t.contains("${")) {
        Some(t) => Value::Text(t.to_owned()),
        None => Value::Computed,
    };
    At::new(v, pos(n))
}

fn text(n: &Spanned<Node>) -> Option<At<String>> {
    n.value.text().map(|t| At::new(t.to_owned(), pos(n)))
}

/// The keys of an action and of a target in FIS's API (`CreateExperimentTemplateActionInput`,
/// `CreateExperimentTemplateTargetInput`, FIS API Reference); CloudFormation spells them with
/// a capital.
const ACTION_KEYS: &[&str] = &[
    "actionId",
    "description",
    "parameters",
    "targets",
    "startAfter",
];
const TARGET_KEYS: &[&str] = &[
    "resourceType",
    "resourceArns",
    "resourceTags",
    "filters",
    "selectionMode",
    "parameters",
];

/// The keys of `n` that are none of `known` (in either spelling).
fn unknown(n: &Node, known: &'static [&'static str], field: &str, out: &mut Template) {
    for (k, _) in n.entries() {
        let mut camel: String = k
            .value
            .chars()
            .take(1)
            .flat_map(char::to_lowercase)
            .collect();
        camel.push_str(k.value.get(1..).unwrap_or_default());
        if !known.contains(&camel.as_str()) {
            let field = format!("{field}.{}", k.value);
            out.unknown.push((k, field, known));
        }
    }
}

/// Reads a JSON or YAML file.
pub fn read(source: &str) -> Result<Read, Diagnostic> {
    let doc = node::parse(source)?;
    let mut out = Read::default();
    let root = &doc.value;
    if let Some(resources) = get(root, "Resources") {
        for (name, resource) in resources.value.entries() {
            let kind = get(&resource.value, "Type").and_then(|t| t.value.text());
            let Some(props) = get(&resource.value, "Properties") else {
                continue;
            };
            let field = format!("Resources.{}.Properties.", name.value);
            match kind {
                Some("AWS::FIS::ExperimentTemplate") => {
                    let mut t = template(source, &props.value, &name.value, name.pos, &field);
                    t.role = get(&props.value, "RoleArn").and_then(|r| logical_id(&r.value));
                    out.templates.push(t);
                }
                Some("AWS::IAM::Role") => {
                    let role = Some(name.value.clone());
                    if get(&props.value, "ManagedPolicyArns")
                        .is_some_and(|m| !m.value.items().is_empty())
                    {
                        out.grants.push(Grant {
                            role: role.clone(),
                            opaque: true,
                            ..Grant::default()
                        });
                    }
                    for p in get(&props.value, "Policies").map_or(&[][..], |p| p.value.items()) {
                        if let Some(d) = get(&p.value, "PolicyDocument") {
                            out.grants.push(policy(&d.value, role.clone()));
                        }
                    }
                }
                Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy") => {
                    let Some(d) = get(&props.value, "PolicyDocument") else {
                        continue;
                    };
                    let roles: Vec<String> = match get(&props.value, "Roles") {
                        Some(r) => r
                            .value
                            .items()
                            .iter()
                            .filter_map(|i| logical_id(&i.value))
                            .collect(),
                        None => get(&props.value, "RoleName")
                            .and_then(|r| logical_id(&r.value))
                            .into_iter()
                            .collect(),
                    };
                    for role in roles {
                        out.grants.push(policy(&d.value, Some(role)));
                    }
                }
                _ => {}
            }
        }
        return Ok(out);
    }
    let api = |t: &Spanned<Node>, name: &str, field: &str| {
        let mut template = template(source, &t.value, name, pos(t), field);
        template.role = get(&t.value, "roleArn")
            .and_then(|r| r.value.text())
            .map(str::to_owned);
        template
    };
    if let Some(t) = get(root, "experimentTemplate") {
        out.templates
            .push(api(t, "experimentTemplate", "experimentTemplate."));
    } else if get(root, "actions").is_some() || get(root, "targets").is_some() {
        out.templates.push(api(&doc, "the template", ""));
    } else if get(root, "Statement").is_some() {
        out.grants.push(policy(root, None));
    }
    Ok(out)
}

/// One template's actions, targets and stop conditions.
fn template(
    src: &str,
    t: &Node,
    name: &str,
    at: crate::base::errors::Pos,
    field: &str,
) -> Template {
    let mut out = Template {
        name: name.to_owned(),
        pos: at,
        field: field.to_owned(),
        stops_pos: at,
        ..Template::default()
    };
    let actions = get(t, "actions");
    for (name, a) in actions.map_or_else(Vec::new, |a| a.value.entries()) {
        let field = format!("{field}actions.{}", name.value);
        let id = match get(&a.value, "actionId").map(|n| value(src, n)) {
            Some(At {
                value: Value::Text(id),
                pos,
            }) => At::new(id, pos),
            Some(_) => {
                out.partial = true; // an intrinsic fills it in
                continue;
            }
            None => At::new(String::new(), pos(a)),
        };
        let parameters = get(&a.value, "parameters")
            .map_or_else(Vec::new, |p| p.value.entries())
            .into_iter()
            .map(|(k, v)| (k, value(src, v)))
            .collect();
        let targets = get(&a.value, "targets")
            .map_or_else(Vec::new, |p| p.value.entries())
            .into_iter()
            .filter_map(|(k, v)| Some((k, text(v)?)))
            .collect();
        let start_after = get(&a.value, "startAfter")
            .map_or(&[][..], |s| s.value.items())
            .iter()
            .filter_map(text)
            .collect();
        unknown(&a.value, ACTION_KEYS, &field, &mut out);
        out.actions.push(TemplateAction {
            name: name.clone(),
            id,
            parameters,
            targets,
            start_after,
            field,
        });
    }
    for (name, tg) in get(t, "targets").map_or_else(Vec::new, |t| t.value.entries()) {
        unknown(
            &tg.value,
            TARGET_KEYS,
            &format!("{field}targets.{}", name.value),
            &mut out,
        );
        out.targets.push(TemplateTarget {
            name: name.clone(),
            resource_type: get(&tg.value, "resourceType").map(|n| value(src, n)),
            selection_mode: get(&tg.value, "selectionMode").map(|n| value(src, n)),
            field: format!("{field}targets.{}", name.value),
        });
    }
    if let Some(stops) = get(t, "stopConditions") {
        out.stops_pos = pos(stops);
        for (i, s) in stops.value.items().iter().enumerate() {
            let Some(source) = get(&s.value, "source") else {
                continue;
            };
            out.stop_conditions.push(StopCondition {
                source: value(src, source),
                value: get(&s.value, "value").map(|n| value(src, n)),
                field: format!("{field}stopConditions[{i}]"),
            });
        }
    }
    out
}

/// The CloudFormation resource a value names: `!Ref X`, `!GetAtt X.Arn` (their tags read as
/// the plain text), `{Ref: X}`, `{Fn::GetAtt: [X, Arn]}`.
fn logical_id(n: &Node) -> Option<String> {
    if let Some(t) = n.text() {
        return Some(t.split('.').next().unwrap_or(t).to_owned());
    }
    if let Some(r) = n.get("Ref") {
        return r.value.text().map(str::to_owned);
    }
    let att = n.get("Fn::GetAtt")?;
    match &att.value {
        Node::Seq(items) => items.first()?.value.text().map(str::to_owned),
        other => logical_id(other),
    }
}

/// What an IAM policy document allows a role (`Effect: Allow`, `Action` a string or a list).
pub(super) fn policy(d: &Node, role: Option<String>) -> Grant {
    let mut out = Grant {
        role,
        ..Grant::default()
    };
    let statements = match get(d, "Statement") {
        Some(s) => match &s.value {
            Node::Seq(items) => items.iter().map(|i| &i.value).collect::<Vec<_>>(),
            one => vec![one],
        },
        None => Vec::new(),
    };
    for st in statements {
        if get(st, "Effect").and_then(|e| e.value.text()) != Some("Allow") {
            continue;
        }
        if let Some(a) = get(st, "Action") {
            match &a.value {
                Node::Seq(items) => out.allowed.extend(
                    items
                        .iter()
                        .filter_map(|i| i.value.text().map(str::to_owned)),
                ),
                other => out.allowed.extend(other.text().map(str::to_owned)),
            }
        }
    }
    out
}
