//! The catalog as documentation: `chaoslab actions` prints these, and the README's action
//! reference is the same text (tests/suite/readme_tables.rs keeps them equal), so what a user reads
//! is what the validator checks.

use std::fmt::Write as _;

use super::{ACTIONS, Action, Param, ParamKind, Statement, functions};

/// The action table: id, targets, parameters and what each does (Markdown).
pub fn table() -> String {
    let mut out = String::from(
        "| action | targets | parameters | what it does |\n| --- | --- | --- | --- |\n",
    );
    for a in ACTIONS {
        let target = a
            .target
            .map_or("none".to_owned(), |k| format!("`{}`", k.spec_key));
        let params: Vec<String> = a
            .params
            .iter()
            .map(|p| match p.required {
                true => format!("`{}`", p.name),
                false => format!("`{}` (optional)", p.name),
            })
            .collect();
        let params = match params.is_empty() {
            true => "none".to_owned(),
            false => params.join(", "),
        };
        let _ = writeln!(out, "| `{}` | {target} | {params} | {} |", a.id, a.summary);
    }
    out
}

/// What `chaoslab actions` prints: the action table, then what each action is in a rehearsal.
pub fn listing() -> String {
    format!("{}\n{}", table(), rehearsal_table())
}

/// What `chaoslab rehearse` plays of each action on one machine, and why not the rest
/// (Markdown): printed after the action table, and in the README.
/// Which hashicorp/aws release each action needs: what its template asks of the provider, the
/// first release that accepts it and the pull request that brought it (`data/fis-facts.json`),
/// and the floor chaoslab's `versions.tf` asks for (at least the 6.x line it is checked
/// against).
pub fn provider_table() -> String {
    let mut out = String::from(
        "| action | needs of the provider | first release | change | chaoslab asks for |\n| --- | --- | --- | --- | --- |\n",
    );
    for a in ACTIONS {
        let needs = super::facts::provider_needs(a.id);
        let cell = |f: &dyn Fn(&super::facts::ProviderNeed) -> String| {
            if needs.is_empty() {
                "none".to_owned()
            } else {
                needs.iter().map(f).collect::<Vec<_>>().join("; ")
            }
        };
        let what = cell(&|n| n.what.clone());
        let since = cell(&|n| {
            n.since
                .clone()
                .unwrap_or_else(|| "before 6.0 (release not read)".to_owned())
        });
        let change = cell(&|n| {
            n.change.as_ref().map_or("-".to_owned(), |c| {
                format!(
                    "[{c}](https://github.com/hashicorp/terraform-provider-aws/pull/{})",
                    c.trim_start_matches('#')
                )
            })
        });
        let (major, minor) = a.provider_floor;
        let _ = writeln!(
            out,
            "| `{}` | {what} | {since} | {change} | `~> {major}.{minor}` |",
            a.id
        );
    }
    out
}

pub fn rehearsal_table() -> String {
    let mut out = String::from(
        "| action | rehearsed | how on this machine, or why not |\n| --- | --- | --- |\n",
    );
    for a in ACTIONS {
        let (yes, how) = a.rehearsal.summary();
        let _ = writeln!(out, "| `{}` | {yes} | {how} |", a.id);
    }
    out
}

/// One action in full: what it does, its targets, every parameter (type, range, default,
/// meaning), the IAM the FIS role gets for it, the provider floor and a spec snippet.
pub fn show(a: &Action) -> String {
    let mut out = format!("{}\n\n", a.summary);
    match a.target {
        Some(k) => {
            let _ = writeln!(
                out,
                "Targets: `{}`: {}. FIS target key `{}`, resource type `{}`.\n",
                k.spec_key, k.values, k.fis_key, k.resource_type
            );
        }
        None => out.push_str("Targets: none.\n\n"),
    }
    if a.params.is_empty() {
        out.push_str("Parameters: none.\n\n");
    } else {
        out.push_str("| parameter | type | range | default | meaning |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for p in a.params {
            let (kind, range) = kind(p.kind);
            let _ = writeln!(
                out,
                "| `{}` | {kind} | {range} | {} | {} |",
                p.name,
                default(p),
                p.meaning
            );
        }
        out.push('\n');
    }
    if a.iam.is_empty() {
        out.push_str("IAM: none (the action calls no AWS API).\n\n");
    } else {
        out.push_str("IAM the FIS role gets for it, in the lab's partition, Region and account (plus log delivery, which every lab's role has):\n\n");
        for s in a.iam {
            let _ = writeln!(out, "* {}", statement(s));
        }
        out.push('\n');
    }
    let (yes, how) = a.rehearsal.summary();
    let _ = writeln!(
        out,
        "Rehearsed on this machine (`chaoslab rehearse`): {yes}: {how}.\n"
    );
    let (major, minor) = a.provider_floor;
    let _ = writeln!(
        out,
        "Provider floor: hashicorp/aws {major}.{minor} (`versions.tf` asks for `~> {major}.{minor}` or the highest floor among the lab's actions).\n"
    );
    let _ = write!(out, "```yaml\n{}```\n", snippet(a));
    out
}

/// One action under its heading, as `chaoslab actions ID` prints it and the README holds it.
pub fn entry(a: &Action) -> String {
    format!("#### `{}`\n\n{}", a.id, show(a))
}

/// The README's action reference: every action's [`entry`], a blank line apart.
pub fn reference() -> String {
    ACTIONS.iter().map(entry).collect::<Vec<_>>().join("\n")
}

/// An experiment using the action, ready to paste under `experiments:` of a lab with an app
/// and Aurora: required parameters with example values, optional ones named in a comment.
pub fn snippet(a: &Action) -> String {
    // The action's last segment, less its leading words while longer than a spec name may be.
    let mut name = a.id.rsplit(':').next().unwrap_or(a.id);
    while name.len() > 32 {
        match name.split_once('-') {
            Some((_, rest)) => name = rest,
            None => break,
        }
    }
    let mut out = format!("experiments:\n  {name}:\n    description: Try {}\n", a.id);
    let _ = writeln!(out, "    action: {}", a.id);
    // The required parameters, and the document's own ones: every `AWSFIS-Run-*` document
    // needs `DurationSeconds`, which must fit in the example's `duration`.
    let required: Vec<String> = a
        .params
        .iter()
        .filter_map(|p| match p.kind {
            ParamKind::DocumentParameters => {
                Some(format!("{}: '{{\"DurationSeconds\": \"120\"}}'", p.name))
            }
            _ if p.required => Some(format!("{}: {}", p.name, p.example_or_default)),
            _ => None,
        })
        .collect();
    if !required.is_empty() {
        let _ = writeln!(out, "    parameters: {{{}}}", required.join(", "));
    }
    let optional: Vec<&str> = a
        .params
        .iter()
        .filter(|p| !p.required && p.kind != ParamKind::DocumentParameters)
        .map(|p| p.name)
        .collect();
    if !optional.is_empty() {
        let _ = writeln!(out, "    # optional parameters: {}", optional.join(", "));
    }
    if let Some(k) = a.target {
        let _ = writeln!(out, "    targets: {{{}: {}}}", k.spec_key, k.example);
        if k.needs_zone {
            out.push_str("    az: 1\n");
        }
    }
    if a.target == Some(&functions::FUNCTIONS) {
        // The shop never calls a function: no load balancer alarm guards a harm of its fault
        // (`unhealthy-hosts` could never fire, E082), and its own 502s are what the run shows.
        out.push_str("    acknowledge: [no-stop-condition]   # no load balancer alarm sees the shop harmed\n");
    } else {
        out.push_str("    stop_conditions: [unhealthy-hosts]   # an alarm of the lab\n");
    }
    out
}

/// (type, range) of a parameter, in words.
fn kind(k: ParamKind) -> (&'static str, String) {
    match k {
        ParamKind::Duration { min_secs, max_secs } => (
            "ISO 8601 duration",
            format!("{} to {}", iso(min_secs), iso(max_secs)),
        ),
        ParamKind::OneOf { values, .. } => {
            let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            ("one of", values.join(", "))
        }
        ParamKind::Bool => ("boolean, as a string", "`\"true\"`, `\"false\"`".to_owned()),
        ParamKind::Int { min, max } => ("whole number, as a string", format!("{min} to {max}")),
        ParamKind::Percent {
            min_tenths,
            max_tenths,
        } => (
            "number, as a string",
            format!(
                "{} to {}, one decimal place at most",
                min_tenths as f64 / 10.0,
                max_tenths as f64 / 10.0
            ),
        ),
        ParamKind::Operations => (
            "API operation names",
            "comma-separated, e.g. `DescribeInstances,RunInstances`".to_owned(),
        ),
        ParamKind::SsmDocument => (
            "SSM document",
            "an `AWSFIS-Run-*` name, or its ARN in the lab's Region".to_owned(),
        ),
        ParamKind::DocumentParameters => (
            "JSON object of strings, as a string",
            "the document's own keys and ranges (see the document table)".to_owned(),
        ),
        ParamKind::Identifier => ("name, ID or ARN", "not empty".to_owned()),
        ParamKind::MediaType => (
            "media type",
            "`type/subtype`, parameters allowed".to_owned(),
        ),
        ParamKind::ProcessName => (
            "process name",
            "1 to 64 letters, digits and `.` `_` `+` `-`".to_owned(),
        ),
        ParamKind::Zones => (
            "the lab's zones, by number",
            "comma-separated, e.g. `\"1\"`; chaoslab writes the zone names".to_owned(),
        ),
        ParamKind::Runbook => (
            "runbook name",
            "an Automation runbook of the lab's account, not `aws*`, `amazon*` or `amzn*`".to_owned(),
        ),
        ParamKind::RunbookParameters => (
            "JSON object, as a string",
            "strings or lists of strings; `AutomationAssumeRole` one role ARN".to_owned(),
        ),
        ParamKind::Zone => (
            "one of the lab's zones, by number",
            "e.g. `\"1\"`; chaoslab writes the zone's name".to_owned(),
        ),
        ParamKind::Alarms => (
            "the lab's alarms, by name",
            "comma-separated, e.g. `error-rate`; chaoslab writes their ARNs".to_owned(),
        ),
        ParamKind::AnyOf { values } => {
            let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            ("comma-separated, any of", values.join(", "))
        }
        ParamKind::Sources => (
            "comma-separated sources",
            "IPv4 addresses, CIDR blocks, domain names, Availability Zone names or IDs, `ALL`, `DYNAMODB` or `S3`".to_owned(),
        ),
    }
}

fn default(p: &Param) -> String {
    match (p.required, p.on_fargate, p.example_or_default) {
        (true, _, _) => "required".to_owned(),
        (false, Some(v), d) => {
            format!("`\"{v}\"` on Fargate, which chaoslab sets (FIS's default elsewhere: `{d}`)")
        }
        (false, None, d) if d.starts_with('"') => format!("`{d}`"),
        (false, None, d) => d.to_owned(),
    }
}

/// `PT1M`, `PT12H`: the largest whole unit.
fn iso(secs: u64) -> String {
    match secs {
        s if s % 3600 == 0 => format!("PT{}H", s / 3600),
        s if s % 60 == 0 => format!("PT{}M", s / 60),
        s => format!("PT{s}S"),
    }
}

fn statement(s: &Statement) -> String {
    let code = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The lab placeholders in words; ARN patterns as they are.
    let resources: Vec<String> = s
        .resources
        .iter()
        .map(|r| match *r {
            "{functions}" => "the ARN of each lab function with `fault_injection`".to_owned(),
            "{global_tables}" => {
                "each lab table with `replicas`, and its streams, in every Region".to_owned()
            }
            _ if r.starts_with("{fis_config}") => format!(
                "`{}` in the lab's `{}` bucket",
                r.trim_start_matches("{fis_config}/"),
                crate::resources::functions::CONFIG_BUCKET
            ),
            _ => format!("`{r}`"),
        })
        .collect();
    let mut text = format!("{} on {}", code(s.actions), resources.join(", "));
    let conditions: Vec<String> = s
        .conditions
        .iter()
        .map(|(test, var, value)| match *value {
            "{lab_tag}" => format!("`{var}` {test} the lab's `Lab` tag"),
            "{ecs_cluster_arn}" => format!("`{var}` {test} the ARN of the lab's ECS cluster"),
            "{vpc_arn}" => format!("`{var}` {test} the ARN of the lab's VPC"),
            "{asg_arn}" => format!("`{var}` {test} the ARN of the app's auto-scaling group"),
            "{app_role_arn}" => format!("`{var}` {test} the ARN of the app instances' role"),
            _ => format!("`{var}` {test} `{value}`"),
        })
        .collect();
    if !conditions.is_empty() {
        let _ = write!(text, " if {}", conditions.join(" and "));
    }
    let _ = write!(text, " (`{}`)", s.sid);
    text
}

/// The catalog as data (`chaoslab actions --json`): per action its id, summary, target
/// (spec key, FIS key, resource type), parameters (type, range and default as the tables print
/// them), IAM statements, provider floor and rehearsal. For tools that read what chaoslab
/// knows without parsing Markdown.
pub fn json(actions: &[&Action]) -> serde_json::Value {
    let one = |a: &&Action| {
        let (rehearsed, how) = a.rehearsal.summary();
        let (major, minor) = a.provider_floor;
        serde_json::json!({
            "id": a.id,
            "summary": a.summary,
            "target": a.target.map(|k| serde_json::json!({
                "spec_key": k.spec_key,
                "fis_key": k.fis_key,
                "resource_type": k.resource_type,
                "values": k.values,
            })),
            "parameters": a.params.iter().map(|p| {
                let (kind, range) = kind(p.kind);
                serde_json::json!({
                    "name": p.name,
                    "required": p.required,
                    "type": kind,
                    "range": range,
                    "default": default(p),
                    "meaning": p.meaning,
                })
            }).collect::<Vec<_>>(),
            "iam": a.iam.iter().map(|s| serde_json::json!({
                "sid": s.sid,
                "actions": s.actions,
                "resources": s.resources,
                "conditions": s.conditions.iter().map(|(test, var, value)| {
                    serde_json::json!({"test": test, "variable": var, "value": value})
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "provider_floor": format!("{major}.{minor}"),
            "rehearsed": rehearsed == "yes",
            "rehearsal": how,
        })
    };
    serde_json::Value::Array(actions.iter().map(one).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_fis_writes_them() {
        assert_eq!(iso(60), "PT1M");
        assert_eq!(iso(12 * 3600), "PT12H");
        assert_eq!(iso(90), "PT90S");
    }

    #[test]
    fn every_action_documents_every_parameter() {
        for a in ACTIONS {
            assert!(!a.summary.is_empty(), "{}", a.id);
            let text = show(a);
            for p in a.params {
                assert!(!p.meaning.is_empty() && !p.example_or_default.is_empty());
                assert!(text.contains(&format!("| `{}` |", p.name)), "{}", a.id);
            }
        }
    }
}
