//! FIS templates as Terraform: `aws_fis_experiment_template` blocks, the IAM policies beside
//! them (`aws_iam_policy_document` statements, and `policy` attributes written as
//! `jsonencode({...})` or as JSON text), and the hashicorp/aws constraint of
//! `required_providers`. Read with hcl-edit, whose spans give every finding its line and column;
//! a value Terraform computes (a reference, a call) is never guessed at.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};

use super::problem::Problem;
use super::{At, Grant, Read, StopCondition, Template, TemplateAction, TemplateTarget, Value};
use crate::base::diag::Problem as _;
use crate::base::errors::{Diagnostic, Pos};

/// Byte offsets to lines and columns (1-based, columns in characters).
struct Lines<'a> {
    text: &'a str,
}

impl Lines<'_> {
    fn pos(&self, offset: usize) -> Pos {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        Pos {
            line: line as u64,
            column: column as u64,
        }
    }

    fn of(&self, span: Option<std::ops::Range<usize>>) -> Pos {
        span.map_or_else(Pos::default, |s| self.pos(s.start))
    }
}

/// Reads a `.tf` file.
pub fn read(source: &str) -> Result<Read, Diagnostic> {
    let body = hcl_edit::parser::parse_body(source).map_err(|e| {
        let at = e.location();
        Problem::Unreadable {
            why: e.message().to_owned(),
        }
        .at(
            Pos {
                line: at.line() as u64,
                column: at.column() as u64,
            },
            "",
        )
    })?;
    let lines = Lines { text: source };
    let mut out = Read::default();
    // Policy documents and managed policies by address, to be granted where attached.
    let mut documents: Vec<(String, Option<Vec<String>>)> = Vec::new();
    let mut attachments: Vec<(String, Option<String>)> = Vec::new();
    let mut inline: Vec<(String, PolicyText)> = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", ["aws_fis_experiment_template", name]) => {
                let mut t = template(block, name, &lines);
                t.role = block
                    .body
                    .get_attribute("role_arn")
                    .and_then(|a| reference(&a.value, source, 2));
                out.templates.push(t);
            }
            ("data", ["aws_iam_policy_document", name]) => {
                // None once any part is computed (a `dynamic` statement, `actions = local.x`).
                let mut allowed = Some(Vec::new());
                for st in block.body.blocks() {
                    match st.ident.as_str() {
                        "statement" => {
                            let effect = attr_text(&st.body, "effect");
                            if effect.is_none_or(|e| e == "Allow") {
                                let listed =
                                    strings(st.body.get_attribute("actions").map(|a| &a.value));
                                match (allowed.as_mut(), listed) {
                                    (Some(all), Some(more)) => all.extend(more),
                                    _ => allowed = None,
                                }
                            }
                        }
                        "dynamic" => allowed = None,
                        _ => {}
                    }
                }
                documents.push((format!("data.aws_iam_policy_document.{name}"), allowed));
            }
            ("resource", ["aws_iam_role_policy", _]) => {
                let role = block
                    .body
                    .get_attribute("role")
                    .and_then(|a| reference(&a.value, source, 2));
                if let (Some(role), Some(policy)) = (role, block.body.get_attribute("policy")) {
                    inline.push((role, policy_text(&policy.value, source)));
                }
            }
            ("resource", ["aws_iam_policy", name]) => {
                if let Some(policy) = block.body.get_attribute("policy") {
                    inline.push((
                        format!("aws_iam_policy.{name}"),
                        policy_text(&policy.value, source),
                    ));
                }
            }
            ("resource", ["aws_iam_role_policy_attachment", _]) => {
                let role = block
                    .body
                    .get_attribute("role")
                    .and_then(|a| reference(&a.value, source, 2));
                let policy = block
                    .body
                    .get_attribute("policy_arn")
                    .and_then(|a| reference(&a.value, source, 2));
                if let Some(role) = role {
                    attachments.push((role, policy));
                }
            }
            ("resource", ["aws_iam_role", name])
                if block.body.has_attribute("managed_policy_arns") =>
            {
                out.grants.push(Grant {
                    role: Some(format!("aws_iam_role.{name}")),
                    opaque: true,
                    ..Grant::default()
                });
            }
            ("terraform", []) => {
                for rp in block.body.get_blocks("required_providers") {
                    if let Some(aws) = rp.body.get_attribute("aws") {
                        let version = aws.value.as_object().and_then(|o| {
                            o.iter().find_map(|(k, v)| {
                                (key_name(k) == Some("version"))
                                    .then(|| v.expr())
                                    .and_then(|e| e.as_str().map(|s| (s, e.span())))
                            })
                        });
                        if let Some((v, span)) = version {
                            out.provider = Some(At::new(v.to_owned(), lines.of(span)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let document = |name: &str| {
        documents
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, a)| a.clone())
    };
    let mut managed: Vec<(String, Grant)> = Vec::new();
    for (holder, text) in inline {
        let grant = match text {
            PolicyText::Document(name) => match document(&name) {
                Some(allowed) => Grant {
                    allowed,
                    ..Grant::default()
                },
                None => Grant {
                    opaque: true,
                    ..Grant::default()
                },
            },
            PolicyText::Read(grant) => grant,
        };
        if holder.starts_with("aws_iam_policy.") {
            managed.push((holder, grant));
        } else {
            out.grants.push(Grant {
                role: Some(holder),
                ..grant
            });
        }
    }
    for (role, policy) in attachments {
        let grant = policy
            .and_then(|p| {
                managed
                    .iter()
                    .find(|(n, _)| *n == p)
                    .map(|(_, g)| g.clone())
            })
            .unwrap_or(Grant {
                opaque: true,
                ..Grant::default()
            });
        out.grants.push(Grant {
            role: Some(role),
            ..grant
        });
    }
    Ok(out)
}

/// What a `policy` attribute holds: a policy document data source's `.json`, or a document
/// read here.
enum PolicyText {
    Document(String),
    Read(Grant),
}

fn policy_text(e: &Expression, source: &str) -> PolicyText {
    match reference(e, source, 3) {
        Some(name) if name.starts_with("data.aws_iam_policy_document.") => {
            PolicyText::Document(name)
        }
        _ => PolicyText::Read(json_policy(e, source)),
    }
}

/// The address a reference names, its first `parts` parts: `aws_iam_role.fis` (2) from
/// `aws_iam_role.fis.arn`, `data.aws_iam_policy_document.fis` (3).
fn reference(e: &Expression, source: &str, parts: usize) -> Option<String> {
    if !e.is_traversal() {
        return None;
    }
    let text = source.get(e.span()?)?;
    let head: Vec<&str> = text.trim().split('.').take(parts).collect();
    (head.len() == parts).then(|| head.join("."))
}

fn key_name(k: &ObjectKey) -> Option<&str> {
    match k {
        ObjectKey::Ident(i) => Some(i.as_str()),
        ObjectKey::Expression(e) => e.as_str(),
    }
}

fn attr_text<'a>(body: &'a Body, key: &str) -> Option<&'a str> {
    body.get_attribute(key).and_then(|a| a.value.as_str())
}

/// The literal strings of a list (or of one string); `None` when any part is computed.
fn strings(e: Option<&Expression>) -> Option<Vec<String>> {
    match e {
        Some(Expression::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_owned)).collect(),
        Some(x) => x.as_str().map(|s| vec![s.to_owned()]),
        None => Some(Vec::new()),
    }
}

fn value(e: &Expression, lines: &Lines) -> At<Value> {
    let v = match e.as_str() {
        Some(s) => Value::Text(s.to_owned()),
        None => Value::Computed,
    };
    At::new(v, lines.of(e.span()))
}

fn text(body: &Body, key: &str, lines: &Lines) -> Option<At<String>> {
    let a = body.get_attribute(key)?;
    Some(At::new(
        a.value.as_str()?.to_owned(),
        lines.of(a.value.span()),
    ))
}

/// One `aws_fis_experiment_template` block.
fn template(block: &Block, name: &str, lines: &Lines) -> Template {
    let at = lines.of(block.span());
    let field = format!("aws_fis_experiment_template.{name}.");
    let mut out = Template {
        name: format!("aws_fis_experiment_template.{name}"),
        pos: at,
        field: field.clone(),
        stops_pos: at,
        ..Template::default()
    };
    // `dynamic "parameter"` and the like: what they make is Terraform's to know.
    out.partial = block.body.blocks().any(|b| {
        b.ident.as_str() == "dynamic" || b.body.blocks().any(|c| c.ident.as_str() == "dynamic")
    });
    for (i, a) in block.body.get_blocks("action").enumerate() {
        let here = lines.of(a.span());
        let name =
            text(&a.body, "name", lines).unwrap_or_else(|| At::new(format!("action[{i}]"), here));
        let id = match a
            .body
            .get_attribute("action_id")
            .map(|v| value(&v.value, lines))
        {
            Some(At {
                value: Value::Text(id),
                pos,
            }) => At::new(id, pos),
            Some(_) => {
                out.partial = true; // computed by Terraform
                continue;
            }
            None => At::new(String::new(), here),
        };
        let parameters = a
            .body
            .get_blocks("parameter")
            .filter_map(|p| {
                let k = text(&p.body, "key", lines)?;
                let v = p.body.get_attribute("value")?;
                Some((k, value(&v.value, lines)))
            })
            .collect();
        let targets = a
            .body
            .get_blocks("target")
            .filter_map(|t| Some((text(&t.body, "key", lines)?, text(&t.body, "value", lines)?)))
            .collect();
        let start_after = match a.body.get_attribute("start_after").map(|s| &s.value) {
            Some(Expression::Array(items)) => items
                .iter()
                .filter_map(|x| Some(At::new(x.as_str()?.to_owned(), lines.of(x.span()))))
                .collect(),
            _ => Vec::new(),
        };
        out.actions.push(TemplateAction {
            name,
            id,
            parameters,
            targets,
            start_after,
            field: format!("{field}action[{i}]"),
        });
    }
    for (i, t) in block.body.get_blocks("target").enumerate() {
        let Some(name) = text(&t.body, "name", lines) else {
            continue;
        };
        out.targets.push(TemplateTarget {
            name,
            resource_type: t
                .body
                .get_attribute("resource_type")
                .map(|a| value(&a.value, lines)),
            selection_mode: t
                .body
                .get_attribute("selection_mode")
                .map(|a| value(&a.value, lines)),
            field: format!("{field}target[{i}]"),
        });
    }
    for (i, s) in block.body.get_blocks("stop_condition").enumerate() {
        if i == 0 {
            out.stops_pos = lines.of(s.span());
        }
        let Some(source) = s.body.get_attribute("source") else {
            continue;
        };
        out.stop_conditions.push(StopCondition {
            source: value(&source.value, lines),
            value: s
                .body
                .get_attribute("value")
                .map(|a| value(&a.value, lines)),
            field: format!("{field}stop_condition[{i}]"),
        });
    }
    out
}

/// A `policy` attribute written out: `jsonencode({Statement = [...]})`, or JSON text (a
/// string, or a heredoc without interpolation); anything else lint cannot read.
fn json_policy(e: &Expression, source: &str) -> Grant {
    let mut out = Grant::default();
    if let Expression::FuncCall(call) = e
        && call.name.name.as_str() == "jsonencode"
        && let Some(Expression::Object(doc)) = call.args.get(0)
    {
        let statements = doc
            .iter()
            .find(|(k, _)| key_name(k) == Some("Statement"))
            .map(|(_, v)| v.expr());
        let items: Vec<&Expression> = match statements {
            Some(Expression::Array(a)) => a.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        // A Statement or an Action Terraform computes: what the policy allows is unknown.
        if !matches!(
            statements,
            Some(Expression::Array(_) | Expression::Object(_))
        ) {
            out.opaque = true;
        }
        for st in items {
            let Some(o) = st.as_object() else {
                out.opaque = true;
                continue;
            };
            let field = |name: &str| {
                o.iter()
                    .find(|(k, _)| key_name(k) == Some(name))
                    .map(|(_, v)| v.expr())
            };
            if field("Effect")
                .and_then(Expression::as_str)
                .is_none_or(|e| e == "Allow")
            {
                match strings(field("Action")) {
                    Some(actions) => out.allowed.extend(actions),
                    None => out.opaque = true,
                }
            }
        }
        return out;
    }
    let text = match e {
        Expression::HeredocTemplate(_) => e.span().and_then(|s| source.get(s)).map(|t| {
            let mut lines: Vec<&str> = t.lines().skip(1).collect();
            lines.pop();
            lines.join("\n")
        }),
        other => other.as_str().map(str::to_owned),
    };
    match text.and_then(|t| super::node::parse(&t).ok()) {
        Some(doc) => super::json::policy(&doc.value, None),
        None => Grant {
            opaque: true,
            ..Grant::default()
        },
    }
}
