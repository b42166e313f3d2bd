//! Stage 1: YAML lab spec → raw, spanned types.
//!
//! Nothing here judges values; it only fixes the shape (unknown keys, wrong types and YAML
//! abuse are rejected) and keeps each value's position for the validator's diagnostics.

mod check;
mod named_map;
mod path;
mod problem;
mod scalar;
mod text;
pub mod tree;
mod yaml_error;

pub use named_map::NamedMap;
pub use problem::Problem;
pub use scalar::Scalar;
pub use serde_saphyr::Spanned;

use serde::Deserialize;

use crate::base::diag::Problem as _;
use crate::base::errors::{Diagnostic, Pos};

/// Specs are hand-written files of a few KiB; anything far larger is a mistake or an attack.
pub const MAX_SPEC_BYTES: usize = 256 * 1024;

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
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
    /// Python Lambda functions, served by the app's load balancer at `/fn/<name>`.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawFunction>")]
    pub functions: NamedMap<Spanned<RawFunction>>,
    /// Remote state for the tree; without it Terraform keeps local state.
    #[serde(default)]
    #[schemars(with = "Option<RawState>")]
    pub state: Option<Spanned<RawState>>,
    /// One lab per tenant from one tree: each gets `<tenant>.tfvars` (its own name prefix)
    /// and, with remote state, `<tenant>.backend.hcl` (its own state key).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tenants: Vec<Spanned<String>>,
    /// Add a GameDay runbook to the lab README: roles, the order of the experiments, when to
    /// abort, what to record (Article 10).
    #[serde(default)]
    #[schemars(with = "bool")]
    pub gameday: Option<Spanned<bool>>,
}

/// Where the tree keeps its state.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// `s3` (S3-native locking, no DynamoDB table).
    #[schemars(with = "String")]
    pub backend: Spanned<String>,
    /// The S3 bucket holding the state; the backend files name a placeholder without it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub bucket: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawApp {
    /// `ec2` (default): an auto-scaling group of instances; `ecs`: a Fargate service.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub runtime: Option<Spanned<String>>,
    /// EC2 instance type (default `t3.micro`); `runtime: ec2` only.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub instance_type: Option<Spanned<String>>,
    /// Run the fleet on Spot Instances (default `false`), as a mixed-instances group that
    /// replaces an instance at EC2's rebalance recommendation; `runtime: ec2` only.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub spot: Option<Spanned<bool>>,
    /// Fargate task CPU units, 256 to 4096 (default 512); `runtime: ecs` only.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub cpu: Option<Spanned<u32>>,
    /// Fargate task memory in MiB, a size Fargate offers for `cpu` (default 1024);
    /// `runtime: ecs` only.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub memory: Option<Spanned<u32>>,
    /// Set the tasks up for the `aws:ecs:task-*` faults (an SSM agent sidecar, `pidMode:
    /// task`, ECS fault injection; default `true`); `runtime: ecs` only.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub fault_injection: Option<Spanned<bool>>,
    #[serde(default)]
    #[schemars(with = "Option<u16>")]
    pub port: Option<Spanned<u16>>,
    /// Instances in the auto-scaling group (min = max = desired), or tasks in the ECS service.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub instances: Option<Spanned<u32>>,
    /// Gunicorn workers per instance or task.
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
    /// Serve the catalog from a DynamoDB copy while Aurora fails (Article 4).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub catalog_cache: Option<Spanned<bool>>,
    /// Queue orders in SQS while Aurora fails, and store them once it answers (Article 4).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub write_behind: Option<Spanned<bool>>,
}

/// Dependency client settings (botocore): the article's defence against cascading failure.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBreaker {
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub failures: Option<Spanned<u32>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub reset_seconds: Option<Spanned<u32>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
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
    /// Where the catalog's reads go: `writer` (default) or `reader`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub reads: Option<Spanned<String>>,
}

/// A Lambda function running chaoslab's recommendations handler.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    /// `python3.10` to `python3.13` (default `python3.12`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub runtime: Option<Spanned<String>>,
    /// MiB, 128 to 10240 (default 128).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub memory: Option<Spanned<u32>>,
    /// Seconds, 1 to 900 (default 3).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub timeout: Option<Spanned<u32>>,
    /// `x86_64` (default) or `arm64`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub architecture: Option<Spanned<String>>,
    /// Attach the AWS FIS Lambda extension so `aws:lambda:*` faults reach the function
    /// (default `true`).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub fault_injection: Option<Spanned<bool>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlarm {
    /// `unhealthy-hosts`, `5xx-rate` or `p99-latency`.
    #[schemars(with = "String")]
    pub metric: Spanned<String>,
    /// Hosts, percent of requests, or seconds, by metric.
    #[schemars(with = "f64")]
    pub threshold: Spanned<f64>,
    /// Seconds per evaluation period (a multiple of 60); default by metric.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub period: Option<Spanned<u32>>,
    /// Breaching periods in a row before the alarm fires; default by metric.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub evaluation_periods: Option<Spanned<u32>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
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

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
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
    #[schemars(with = "Vec<std::collections::BTreeMap<String, ItemValue>>")]
    pub items: Vec<Spanned<NamedMap<Spanned<Scalar>>>>,
    /// Other Regions holding a replica: the table becomes a global table (version
    /// 2019.11.21), replicated both ways (Article 9).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub replicas: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBucket {
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, RawObject>")]
    pub objects: NamedMap<Spanned<RawObject>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObject {
    #[schemars(with = "String")]
    pub content: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub content_type: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    #[schemars(with = "String")]
    pub description: Spanned<String>,
    /// The FIS action; or give several under `actions:` instead.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub action: Option<Spanned<String>>,
    /// Several actions in one template, each named, ordered by `start_after` (in place of
    /// `action`, `parameters`, `targets`, `selection_mode` and `az`).
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawStep>>")]
    pub actions: Option<Spanned<Vec<Spanned<RawStep>>>>,
    /// A published FIS scenario (`az-power-interruption`), expanded into `actions:` for this
    /// lab, in place of `action`/`actions`: with `az` (the zone it hits) and optionally
    /// `parameters: {duration: PT30M}` (the interruption's length).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scenario: Option<Spanned<String>>,
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
    /// What must hold while the experiment runs (`chaoslab verify` judges it); defaults from
    /// what the fault can reach.
    #[serde(default)]
    #[schemars(with = "Option<RawExpect>")]
    pub expect: Option<Spanned<RawExpect>>,
    /// Start the experiment on an EventBridge Scheduler schedule.
    #[serde(default)]
    #[schemars(with = "Option<RawSchedule>")]
    pub schedule: Option<Spanned<RawSchedule>>,
    /// Have FIS write a PDF report of each run, with the lab dashboard's graphs, to S3.
    #[serde(default)]
    #[schemars(with = "Option<RawReport>")]
    pub report: Option<Spanned<RawReport>>,
}

/// An FIS experiment report: how much of the dashboard before and after the run it shows.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// Dashboard time before the experiment starts, e.g. `PT10M` (default `PT20M`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pre: Option<Spanned<String>>,
    /// Dashboard time after the experiment ends (default `PT20M`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub post: Option<Spanned<String>>,
}

/// One action of a multi-action experiment.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// The action's name in the template, unique in the experiment.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[schemars(with = "String")]
    pub action: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub parameters: NamedMap<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, String>>")]
    pub targets: Option<Spanned<NamedMap<Spanned<String>>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub selection_mode: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub az: Option<Spanned<u32>>,
    /// Names of the actions that must end before this one starts; none starts it at once.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub start_after: Vec<Spanned<String>>,
}

/// When an experiment starts by itself (EventBridge Scheduler).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// `rate(7 days)`, `cron(0 9 ? * MON *)` (six fields) or `at(2027-01-04T09:00:00)`.
    #[schemars(with = "String")]
    pub expression: Spanned<String>,
    /// IANA time zone the expression is read in, e.g. `Europe/Berlin` (default `UTC`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    /// First time the schedule may fire, `yyyy-mm-ddThh:mm:ssZ`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub start: Option<Spanned<String>>,
    /// Last time the schedule may fire, `yyyy-mm-ddThh:mm:ssZ`; after `start`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub end: Option<Spanned<String>>,
    /// `false` creates the schedule paused (default `true`).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub enabled: Option<Spanned<bool>>,
}

/// An experiment's hypothesis, per app endpoint.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Endpoints that fail fast while the fault is on.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub degraded: Option<Vec<Spanned<String>>>,
    /// Endpoints that stay ok (at least `tolerance` percent of requests).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub healthy: Option<Vec<Spanned<String>>>,
    /// Percent of a healthy endpoint's requests that must succeed (default 99).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub tolerance: Option<Spanned<f64>>,
}

/// Position of a spanned value, for diagnostics.
pub fn pos<T>(s: &Spanned<T>) -> Pos {
    Pos {
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

/// The YAML hardening chaoslab promises: YAML 1.2 booleans only, duplicate keys rejected,
/// alias expansion and nesting bounded.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
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
    }
}

/// The tree keeps infinities as text: whether `.inf` fits is the field's call.
fn tree_options() -> serde_saphyr::Options {
    let mut options = options();
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    options
}

/// Any JSON or YAML document (an FIS template for `chaoslab lint`) as the located tree the
/// spec's own first pass walks, under the spec's budgets (size, aliases, nesting); a syntax
/// error is the spec's E002 at its line and column.
pub fn document(source: &str) -> Result<Spanned<tree::Node>, Diagnostic> {
    if source.len() > MAX_SPEC_BYTES {
        return Err(Problem::TooLarge.at(Pos::default(), ""));
    }
    serde_saphyr::from_str_with_options::<Spanned<tree::Node>>(source, tree_options())
        .map_err(|e| yaml_error::diagnostic(&e, source))
}

/// Parses a spec (size capped before parsing, see `options`). Two passes: the untyped tree
/// first, so that every unknown key, wrong type and missing key is reported at once, then the
/// typed raw spec.
pub fn parse(source: &str) -> Result<RawSpec, Vec<Diagnostic>> {
    if source.len() > MAX_SPEC_BYTES {
        return Err(vec![Problem::TooLarge.at(Pos::default(), "")]);
    }
    if source
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(vec![Problem::Empty.at(Pos { line: 1, column: 1 }, "")]);
    }
    let hidden = text::raw(source);
    if !hidden.is_empty() {
        return Err(hidden);
    }
    // The typed parse first: a spec that parses (the usual case) costs one pass. Only a
    // failed parse, or a spec with escapes or tags (which can resolve to characters E009
    // refuses), pays for the untyped pass, which reports every shape problem at once.
    let typed = match serde_saphyr::from_str_with_options::<RawSpec>(source, options()) {
        Ok(raw) if !text::may_hide(source) => return Ok(raw),
        typed => typed,
    };
    let tree = serde_saphyr::from_str_with_options::<Spanned<tree::Node>>(source, tree_options())
        .map_err(|e| vec![yaml_error::diagnostic(&e, source)])?;
    let hidden = text::resolved(&tree);
    if !hidden.is_empty() {
        return Err(hidden);
    }
    let typed = match typed {
        Ok(raw) => return Ok(raw),
        Err(e) => e,
    };
    let problems = check::check::<RawSpec>(&tree, source);
    if problems.is_empty() {
        return Err(vec![yaml_error::diagnostic(&typed, source)]);
    }
    Err(problems)
}

/// A DynamoDB seed item value: `5` is N, `"5"` is S, `true` is BOOL.
pub struct ItemValue;

impl schemars::JsonSchema for ItemValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ItemValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An attribute value: a number is N, a string S, a boolean BOOL.",
            "type": ["string", "number", "boolean"]
        })
    }
}

#[cfg(test)]
mod tests;
