//! Stage 1: YAML lab spec → raw, spanned types.
//!
//! Nothing here judges values; it only fixes the shape (unknown keys, wrong types and YAML
//! abuse are rejected) and keeps each value's position for the validator's diagnostics.

mod named_map;
mod path;
mod scalar;

pub use named_map::NamedMap;
pub use scalar::Scalar;
pub use serde_saphyr::Spanned;

use serde::Deserialize;

use crate::errors::{Code, Diagnostic, Pos};

/// Specs are hand-written files of a few KiB; anything far larger is a mistake or an attack.
pub const MAX_SPEC_BYTES: usize = 256 * 1024;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    #[schemars(with = "String")]
    pub lab: Spanned<String>,
    #[schemars(with = "String")]
    pub region: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    /// Defaults to the lab name.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub prefix: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub tags: NamedMap<Spanned<String>>,
    #[schemars(with = "RawNetwork")]
    pub network: Spanned<RawNetwork>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawTable>")]
    pub dynamodb: NamedMap<Spanned<RawTable>>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawBucket>")]
    pub s3: NamedMap<Spanned<RawBucket>>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawExperiment>")]
    pub experiments: NamedMap<Spanned<RawExperiment>>,
    /// The Chaos Shop app tier (ALB + auto-scaling EC2 fleet); needs `aurora`.
    #[serde(default)]
    #[schemars(with = "Option<RawApp>")]
    pub app: Option<Spanned<RawApp>>,
    /// The Aurora Serverless v2 catalog database.
    #[serde(default)]
    #[schemars(with = "Option<RawAurora>")]
    pub aurora: Option<Spanned<RawAurora>>,
    /// CloudWatch alarms, usable as experiment stop conditions. Defaults to the three
    /// standard app alarms when `app` is present.
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawAlarm>>")]
    pub alarms: Option<Spanned<NamedMap<Spanned<RawAlarm>>>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawApp {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub instance_type: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<u16>")]
    pub port: Option<Spanned<u16>>,
    /// Instances in the auto-scaling group (min = max = desired).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub instances: Option<Spanned<u32>>,
    /// Gunicorn workers per instance.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub workers: Option<Spanned<u32>>,
    /// Gunicorn threads per worker (gthread): requests held by a slow dependency hold
    /// threads, not whole workers.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub threads: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<RawTimeouts>")]
    pub timeouts: Option<Spanned<RawTimeouts>>,
    /// Calls in flight per dependency and worker before the app fails them at once.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub bulkhead: Option<Spanned<u32>>,
    /// Turn repeated dependency failures into immediate 503s (Article 4's pattern).
    #[serde(default)]
    #[schemars(with = "Option<RawBreaker>")]
    pub circuit_breaker: Option<Spanned<RawBreaker>>,
    /// DynamoDB table (spec name) behind `/products/<id>/reviews`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub reviews: Option<Spanned<String>>,
    /// `bucket/key` of the S3 object behind `/promo`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub promo: Option<Spanned<String>>,
}

/// Dependency client settings (botocore): the article's defence against cascading failure.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTimeouts {
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub connect: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub read: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub retries: Option<Spanned<u32>>,
}

/// The app's circuit breaker: open after `failures` failures in a row, for `reset_seconds`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBreaker {
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub failures: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub reset_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAurora {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub engine: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub engine_version: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub min_capacity: Option<Spanned<f64>>,
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub max_capacity: Option<Spanned<f64>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub database: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub username: Option<Spanned<String>>,
    /// Reader instances, spread over the other availability zones.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub readers: Option<Spanned<u32>>,
    /// Put RDS Proxy between the app and the cluster.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub proxy: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlarm {
    /// `unhealthy-hosts`, `5xx-rate` or `p99-latency`.
    #[schemars(with = "String")]
    pub metric: Spanned<String>,
    /// Hosts, percent of requests, or seconds, by metric.
    #[schemars(with = "f64")]
    pub threshold: Spanned<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    #[schemars(with = "String")]
    pub cidr: Spanned<String>,
    #[schemars(with = "u32")]
    pub azs: Spanned<u32>,
    #[schemars(with = "Vec<String>")]
    pub public: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "Vec<String>")]
    pub private: Spanned<Vec<Spanned<String>>>,
    /// `single` (default), `per-az` or `none`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub nat: Option<Spanned<String>>,
    /// Gateway endpoints on the private route tables: `dynamodb`, `s3`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub gateway_endpoints: Vec<Spanned<String>>,
    /// Interface endpoints (PrivateLink) in the private subnets: `dynamodb`, `s3`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub interface_endpoints: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    #[schemars(with = "RawKey")]
    pub hash_key: Spanned<RawKey>,
    #[serde(default)]
    #[schemars(with = "Option<RawKey>")]
    pub range_key: Option<Spanned<RawKey>>,
    /// `PAY_PER_REQUEST` (default) or `PROVISIONED`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub billing_mode: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub read_capacity: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub write_capacity: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Vec<std::collections::BTreeMap<String, crate::schema::ItemValue>>")]
    pub items: Vec<Spanned<NamedMap<Spanned<Scalar>>>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBucket {
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawObject>")]
    pub objects: NamedMap<Spanned<RawObject>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObject {
    #[schemars(with = "String")]
    pub content: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub content_type: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    #[schemars(with = "String")]
    pub description: Spanned<String>,
    #[schemars(with = "String")]
    pub action: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub parameters: NamedMap<Spanned<String>>,
    /// Target kind → what it selects, e.g. `subnets: private`. `aws:fis:wait` takes none.
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, String>>")]
    pub targets: Option<Spanned<NamedMap<Spanned<String>>>>,
    /// `ALL` (default), `COUNT(n)` or `PERCENT(n)`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub selection_mode: Option<Spanned<String>>,
    /// Alarm names that stop the experiment; none means `source = "none"`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub stop_conditions: Vec<Spanned<String>>,
    /// The dependency the experiment means to cut (`dynamodb`, `s3`, `aurora`); defaults to
    /// the `scope` of a disrupt-connectivity action.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dependency: Option<Spanned<String>>,
    /// Limit the targets to one availability zone (1 = the lab's first).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub az: Option<Spanned<u32>>,
    /// Lab rules this experiment breaks on purpose (`partial-subnets`, `scope-all`,
    /// `no-stop-condition`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub acknowledge: Vec<Spanned<String>>,
}

/// Position of a spanned value, for diagnostics.
pub fn pos<T>(s: &Spanned<T>) -> Pos {
    Pos {
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

/// Parses a spec with the YAML hardening chaoslab promises: YAML 1.2 booleans only, duplicate
/// keys rejected, alias expansion and nesting bounded, size capped before parsing.
pub fn parse(source: &str) -> Result<RawSpec, Diagnostic> {
    if source.len() > MAX_SPEC_BYTES {
        return Err(Diagnostic::error(
            Code::E001,
            Pos::default(),
            "",
            format!(
                "spec is {} bytes; the limit is {MAX_SPEC_BYTES} bytes",
                source.len()
            ),
        )
        .help("split the lab into several specs, or move large object contents out of the spec"));
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_depth: 32,
            max_aliases: 64,
            max_anchors: 64,
            max_events: 100_000,
            max_documents: 1,
            max_nodes: 50_000,
            max_total_scalar_bytes: MAX_SPEC_BYTES * 4,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 8,
            max_alias_expansions_per_anchor: 64,
        },
    };
    if source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::error(
            Code::E005,
            Pos { line: 1, column: 1 },
            "",
            "the spec is empty",
        )
        .help("start from a blueprint: a spec needs at least `lab`, `region` and `network`"));
    }
    serde_saphyr::from_str_with_options::<RawSpec>(source, options)
        .map_err(|e| yaml_diagnostic(e, source))
}

/// Turns a loader error into a diagnostic, adding the field and the fix the loader cannot know.
fn yaml_diagnostic(err: serde_saphyr::Error, source: &str) -> Diagnostic {
    let mut d = loader_diagnostic(err);
    let (field, key_line) = path::at(source, d.pos.line, d.pos.column);
    match d.code {
        Code::E005 => {
            // Reported where the mapping ended: point at the mapping's own key instead.
            let parent = field.rsplit_once('.').map_or("", |(p, _)| p);
            d.field = if parent.is_empty() {
                d.field
            } else {
                format!("{parent}.{}", d.field)
            };
            d.pos = if parent.is_empty() {
                Pos { line: 1, column: 1 }
            } else {
                Pos {
                    line: key_line,
                    column: first_column(source, key_line),
                }
            };
        }
        Code::E003 if !field.is_empty() => d.field = field,
        Code::E004 if !field.is_empty() && d.message.starts_with("expected ") => d.field = field,
        _ => {}
    }
    d
}

fn first_column(source: &str, line: u64) -> u64 {
    let text = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|l| source.lines().nth(l))
        .unwrap_or("");
    (text.len() - text.trim_start().len()) as u64 + 1
}

fn loader_diagnostic(err: serde_saphyr::Error) -> Diagnostic {
    let pos = err
        .location()
        .map(|l| Pos {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default();
    let raw = err.without_snippet().to_string();
    let message = tidy(strip_location_prefix(
        raw.lines().next().unwrap_or_default(),
    ));
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let choices: Vec<&str> = expected
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .split(", ")
            .map(|c| c.trim_matches('`'))
            .filter(|c| !c.is_empty())
            .collect();
        let help = match crate::validate::suggest(field, &choices) {
            Some(s) => format!("did you mean `{s}`?"),
            None if choices.is_empty() => "remove this key".to_owned(),
            None => format!(
                "remove it; the keys allowed here are {}",
                choices.join(", ")
            ),
        };
        return Diagnostic::error(Code::E003, pos, field, format!("unknown key `{field}`"))
            .help(help);
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        return Diagnostic::error(
            Code::E005,
            pos,
            field,
            format!("missing required key `{field}`"),
        )
        .help(format!(
            "add `{field}:` to this mapping (see the spec format in README.md)"
        ));
    }
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        return Diagnostic::error(
            Code::E002,
            pos,
            key,
            format!("`{key}` is given twice in this mapping"),
        )
        .help("each key may appear once in a mapping; remove or rename the repeated key");
    }
    if message.contains("Documents") {
        return Diagnostic::error(Code::E002, pos, "", "a spec holds one YAML document").help(
            "remove the `---` and everything after it, or split the labs into separate files",
        );
    }
    if message.starts_with("expected mapping") {
        return Diagnostic::error(Code::E004, pos, "", "a lab spec is a mapping of keys")
            .help("start from a blueprint: `lab:`, `region:`, `network:` and the other sections at the top level");
    }
    if message == "expected string scalar" {
        return Diagnostic::error(Code::E004, pos, "", "expected text here")
            .help("write a plain value (quote it if it contains `:`, `#`, `[` or `{`)");
    }
    if let Some(kind) = message
        .strip_prefix("invalid ")
        .filter(|k| ["u16", "u32", "u64", "i64", "f64"].contains(k))
    {
        let what = if kind == "f64" {
            "a number"
        } else {
            "a whole number"
        };
        return Diagnostic::error(Code::E004, pos, "", format!("expected {what} here")).help(
            format!("write {what} without quotes (YAML 1.2: `yes`/`no` are text, not values)"),
        );
    }
    if message.contains("invalid boolean") {
        return Diagnostic::error(Code::E004, pos, "", message).help(
            "write `true` or `false` (YAML 1.2: `yes`/`no`/`on`/`off` are text, not booleans)",
        );
    }
    if message.starts_with("invalid ") || message.contains("invalid type") {
        return Diagnostic::error(Code::E004, pos, "", message)
            .help("check the value's type against the spec format in README.md");
    }
    if message.contains("budget") || message.contains("alias") || message.contains("depth") {
        let message = match message.split_once("budget breached: ") {
            Some((_, what)) => {
                let kind = what.split([' ', '{']).next().unwrap_or(what).to_lowercase();
                let count: String = what.chars().filter(char::is_ascii_digit).collect();
                format!("the spec has too many {kind} ({count}); chaoslab's YAML limits stop here")
            }
            None => message,
        };
        return Diagnostic::error(Code::E002, pos, "", message).help(
            "lab specs need no deep nesting or repeated aliases; write the values out plainly",
        );
    }
    Diagnostic::error(Code::E002, pos, "", message).help("fix the YAML syntax at this position")
}

/// Drops the loader's trailing position and its advice about library options.
fn tidy(msg: &str) -> String {
    let msg = msg.split(", set DuplicateKeyPolicy").next().unwrap_or(msg);
    let msg = match msg.rsplit_once(" at line ") {
        Some((head, tail)) if tail.contains(", column ") => head,
        _ => msg,
    };
    msg.to_owned()
}

fn strip_location_prefix(msg: &str) -> &str {
    let msg = msg.trim_start_matches("error: ");
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        return after;
    }
    msg
}
