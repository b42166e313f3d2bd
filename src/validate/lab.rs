//! The checked lab: what every later stage may rely on without re-checking.
//!
//! Names are already valid for AWS and as Terraform identifiers, CIDRs parse and nest, every
//! reference resolves. Collections are sorted by name so output never depends on YAML order.

pub use crate::catalog::TargetSelection;
use crate::catalog::{Action, TargetKind};

#[derive(Clone, Debug)]
pub struct Lab {
    pub name: String,
    /// Prefix of every AWS resource name.
    pub prefix: String,
    pub region: String,
    pub description: Option<String>,
    /// Sorted by key.
    pub tags: Vec<(String, String)>,
    pub network: Network,
    pub tables: Vec<Table>,
    pub buckets: Vec<Bucket>,
    pub experiments: Vec<Experiment>,
    pub app: Option<App>,
    pub aurora: Option<Aurora>,
    /// Sorted by name.
    pub alarms: Vec<Alarm>,
    /// Sorted by name.
    pub functions: Vec<Function>,
    /// Remote state; `None` keeps Terraform's local state.
    pub state: Option<State>,
    /// In spec order; each one a valid name whose `<prefix>-<tenant>` fits the prefix limit.
    pub tenants: Vec<String>,
    /// The lab README carries a GameDay runbook.
    pub gameday: bool,
    /// Lab-rule warnings: reported, not fatal unless `--deny-warnings`.
    pub warnings: Vec<crate::errors::Diagnostic>,
}

/// The S3 backend's settings (the only remote backend chaoslab emits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// `None`: the backend files name a placeholder the user replaces.
    pub bucket: Option<String>,
}

/// Dependency client settings baked into the app (botocore `Config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: u32,
    pub read: u32,
    /// Retries after the first attempt (`retries.max_attempts`).
    pub retries: u32,
}

/// The app's circuit breaker (per dependency and worker process).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breaker {
    pub failures: u32,
    pub reset_seconds: u32,
}

#[derive(Clone, Debug)]
pub struct App {
    /// Where the app runs: EC2 instances or Fargate tasks, the same app either way.
    pub runtime: Runtime,
    pub port: u16,
    pub instances: u32,
    pub workers: u32,
    /// Gunicorn threads per worker.
    pub threads: u32,
    pub timeouts: Timeouts,
    /// Calls in flight per dependency and worker process before the app refuses more.
    pub bulkhead: u32,
    pub circuit_breaker: Option<Breaker>,
    /// Spec name of the DynamoDB table behind the reviews endpoint.
    pub reviews_table: String,
    pub promo_bucket: String,
    pub promo_key: String,
    /// `/products` falls back to a DynamoDB copy of the catalog (the table [`CACHE_TABLE`]).
    pub catalog_cache: bool,
    /// `POST /orders` falls back to an SQS queue that a drainer moves into Aurora.
    pub write_behind: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// An auto-scaling group of instances of this type.
    Ec2 { instance_type: String },
    /// A Fargate service behind the same load balancer.
    Ecs(Fargate),
}

/// A Fargate task's size and its fault-injection setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fargate {
    /// CPU units (1024 = one vCPU).
    pub cpu: u32,
    /// MiB.
    pub memory: u32,
    /// The SSM agent sidecar, `pidMode: task` and ECS fault injection, which the
    /// `aws:ecs:task-*` actions need ("Use the AWS FIS aws:ecs:task actions").
    pub fault_injection: bool,
}

impl App {
    /// The Fargate settings, when the app runs on ECS.
    pub fn fargate(&self) -> Option<&Fargate> {
        match &self.runtime {
            Runtime::Ecs(f) => Some(f),
            Runtime::Ec2 { .. } => None,
        }
    }
}

/// The spec name of the table the catalog cache lives in, made by chaoslab with the app.
pub const CACHE_TABLE: &str = "catalog-cache";

#[derive(Clone, Debug)]
pub struct Aurora {
    pub engine: String,
    pub engine_version: String,
    pub min_capacity: f64,
    pub max_capacity: f64,
    pub database: String,
    pub username: String,
    pub readers: u32,
    pub proxy: bool,
    /// The catalog's reads go to the reader endpoint (the proxy's read-only endpoint with
    /// `proxy`); the seed writes to the writer either way.
    pub reads_from_readers: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmMetric {
    /// Load balancer targets failing the health check (hosts).
    UnhealthyHosts,
    /// Target 5xx responses as a percentage of requests.
    ErrorRate,
    /// p99 target response time (seconds).
    P99Latency,
}

impl AlarmMetric {
    pub const ALL: [(&'static str, AlarmMetric); 3] = [
        ("unhealthy-hosts", AlarmMetric::UnhealthyHosts),
        ("5xx-rate", AlarmMetric::ErrorRate),
        ("p99-latency", AlarmMetric::P99Latency),
    ];

    /// How the alarm compares the metric with its threshold: at least that many unhealthy
    /// hosts, a rate or a latency above it.
    pub const fn comparison(self) -> &'static str {
        match self {
            AlarmMetric::UnhealthyHosts => "GreaterThanOrEqualToThreshold",
            _ => "GreaterThanThreshold",
        }
    }

    /// The highest value the metric can take: the 5xx rate is a share of requests (its
    /// metric math divides by at least as many requests as there are 5xx, monitoring.tf).
    pub const fn ceiling(self) -> Option<f64> {
        match self {
            AlarmMetric::ErrorRate => Some(100.0),
            _ => None,
        }
    }

    /// Default (period seconds, evaluation periods): two one-minute periods, three for the
    /// p99, which a single slow minute on an idle lab would otherwise trip.
    pub const fn default_window(self) -> (u32, u32) {
        match self {
            AlarmMetric::P99Latency => (60, 3),
            _ => (60, 2),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Alarm {
    pub name: String,
    pub metric: AlarmMetric,
    pub threshold: f64,
    /// Seconds per evaluation period.
    pub period: u32,
    /// Breaching periods in a row before the alarm goes into ALARM.
    pub evaluation_periods: u32,
}

impl Alarm {
    /// The least time the alarm needs to go into ALARM once the metric breaches: every
    /// evaluation period must breach. A stop condition can stop nothing shorter.
    pub fn seconds_to_alarm(&self) -> u64 {
        u64::from(self.period) * u64::from(self.evaluation_periods)
    }
}

/// A Lambda function running chaoslab's recommendations handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Spec name: `<prefix>-<name>` in AWS, `/fn/<name>` on the load balancer.
    pub name: String,
    pub runtime: String,
    /// MiB.
    pub memory: u32,
    /// Seconds.
    pub timeout: u32,
    pub architecture: Architecture,
    /// Carries the AWS FIS Lambda extension (layer, wrapper, configuration location).
    pub fault_injection: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    pub const ALL: [(&'static str, Architecture); 2] = [
        ("x86_64", Architecture::X86_64),
        ("arm64", Architecture::Arm64),
    ];

    /// Lambda's name for it, which the FIS extension's SSM parameter names too.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

impl Lab {
    /// Whether some function carries the FIS extension (and the lab its config bucket).
    pub fn fault_injected_functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter().filter(|f| f.fault_injection)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    Single,
    PerAz,
    None,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub cidr: String,
    pub azs: usize,
    pub public: Vec<String>,
    pub private: Vec<String>,
    pub nat: Nat,
    /// Sorted service names (`dynamodb`, `s3`).
    pub gateway_endpoints: Vec<String>,
    /// Sorted service names reached through PrivateLink.
    pub interface_endpoints: Vec<String>,
}

/// Subnet tiers a spec can target by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Public,
    Private,
}

impl Tier {
    pub const ALL: [(&'static str, Tier); 2] =
        [("public", Tier::Public), ("private", Tier::Private)];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    S,
    N,
    B,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Key {
    pub name: String,
    pub kind: KeyType,
}

#[derive(Clone, Debug)]
pub enum Billing {
    PayPerRequest,
    Provisioned { read: u32, write: u32 },
}

/// A DynamoDB attribute value in a seed item.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    S(String),
    N(String),
    Bool(bool),
}

#[derive(Clone, Debug)]
pub struct Item {
    /// Stable `for_each` key: hash key value, then `#` and the range key value.
    pub id: String,
    /// Sorted by attribute name.
    pub attrs: Vec<(String, AttrValue)>,
}

#[derive(Clone, Debug)]
pub struct Table {
    /// Spec name; also the Terraform resource name.
    pub name: String,
    pub hash_key: Key,
    pub range_key: Option<Key>,
    pub billing: Billing,
    /// Sorted by id.
    pub items: Vec<Item>,
    /// Replica Regions, in spec order; none for a single-Region table.
    pub replicas: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub key: String,
    pub content: String,
    /// As given, or guessed from the key's extension.
    pub content_type: String,
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub name: String,
    /// Sorted by key.
    pub objects: Vec<Object>,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub kind: TargetKind,
    pub selection: TargetSelection,
}

#[derive(Clone, Debug)]
pub struct Experiment {
    /// Spec name; (with `-` as `_`) the Terraform resource name.
    pub name: String,
    /// The FIS action name of this action: the experiment's name in the single-action form,
    /// the step's own name in the multi-action form.
    pub action_name: String,
    /// Actions (by name) that must end before this one starts.
    pub start_after: Vec<String>,
    /// The template's other actions in the multi-action form, each with its own action,
    /// parameters and target (and no schedule, report or hypothesis of its own).
    pub more: Vec<Experiment>,
    pub description: String,
    pub action: &'static Action,
    /// In catalog order.
    pub parameters: Vec<(String, String)>,
    pub target: Option<Target>,
    pub selection_mode: String,
    /// Names of alarms that stop the experiment, in spec order.
    pub stop_conditions: Vec<String>,
    /// The dependency the experiment means to cut, if any.
    pub dependency: Option<String>,
    /// What must hold while it runs; `None` when the lab has no app.
    pub hypothesis: Option<Hypothesis>,
    /// When EventBridge Scheduler starts it by itself, if ever.
    pub schedule: Option<Schedule>,
    /// The FIS experiment report of each run, if asked for.
    pub report: Option<Report>,
}

/// A checked `report:`: durations already in the form FIS takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// ISO 8601 duration of dashboard time before the run.
    pub pre: String,
    /// ISO 8601 duration of dashboard time after the run.
    pub post: String,
}

/// A checked `schedule:`: each value already in the form EventBridge Scheduler takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// `rate(...)`, `cron(...)` or `at(...)`.
    pub expression: String,
    /// IANA name or `UTC`.
    pub timezone: String,
    /// `yyyy-mm-ddThh:mm:ssZ`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub enabled: bool,
}

/// What must hold while an experiment runs, per app endpoint (`expect:` or its default).
/// Endpoints in neither list are not judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Hypothesis {
    /// Endpoints that fail fast: non-2xx, each within the app's budget.
    pub degraded: Vec<String>,
    /// Endpoints that keep at least `tolerance` of their requests ok.
    pub healthy: Vec<String>,
    /// Percent of a healthy endpoint's requests that must answer 2xx, above 0 and at most 100.
    pub tolerance: f64,
}

impl Hypothesis {
    /// `ok` of `ok + failed` requests meet the tolerance (compared without dividing, so 99 of
    /// 100 meets 99 % exactly).
    pub fn tolerates(&self, ok: u64, failed: u64) -> bool {
        ok as f64 * 100.0 >= self.tolerance * (ok + failed) as f64
    }
}

impl Experiment {
    /// Every action of the template: this one, then the others of a multi-action form.
    pub fn actions(&self) -> impl Iterator<Item = &Experiment> {
        std::iter::once(self).chain(self.more.iter())
    }

    /// What the experiment's actions together can do to the app's endpoints.
    pub fn reach(&self) -> crate::catalog::Reach {
        self.actions()
            .map(|a| (a.action.reach)(a))
            .reduce(crate::catalog::Reach::union)
            .unwrap_or(crate::catalog::Reach::Nothing)
    }

    /// How long the template runs, in seconds: the longest chain of actions through
    /// `start_after`, each lasting its own duration (none for one that ends as soon as it has
    /// acted); `None` when no action has a duration.
    pub fn duration_secs(&self) -> Option<u64> {
        let actions: Vec<&Experiment> = self.actions().collect();
        let own: Vec<Option<u64>> = actions
            .iter()
            .map(|a| a.action.duration_secs(&a.parameters))
            .collect();
        if own.iter().all(Option::is_none) {
            return None;
        }
        // Finish times in topological order (Kahn): each action once, after every action it
        // starts after. A validated experiment has no cycle, so every action is reached.
        let mut index = std::collections::HashMap::with_capacity(actions.len());
        for (i, a) in actions.iter().enumerate() {
            index.entry(a.action_name.as_str()).or_insert(i);
        }
        let mut waiting = vec![0usize; actions.len()];
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); actions.len()];
        for (i, a) in actions.iter().enumerate() {
            for j in a.start_after.iter().filter_map(|n| index.get(n.as_str())) {
                if let (Some(w), Some(after)) = (waiting.get_mut(i), next.get_mut(*j)) {
                    *w += 1;
                    after.push(i);
                }
            }
        }
        let mut start = vec![0u64; actions.len()];
        let mut finish = vec![0u64; actions.len()];
        let mut ready: Vec<usize> = (0..actions.len())
            .filter(|&i| waiting.get(i) == Some(&0))
            .collect();
        while let Some(i) = ready.pop() {
            let end =
                start.get(i).copied().unwrap_or(0) + own.get(i).copied().flatten().unwrap_or(0);
            if let Some(f) = finish.get_mut(i) {
                *f = end;
            }
            for &k in next.get(i).into_iter().flatten() {
                if let Some(s) = start.get_mut(k) {
                    *s = (*s).max(end);
                }
                if let Some(w) = waiting.get_mut(k) {
                    *w -= 1;
                    if *w == 0 {
                        ready.push(k);
                    }
                }
            }
        }
        finish.into_iter().max()
    }

    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Moves the Aurora writer to a reader: the failover, or a reboot with forced failover.
    pub fn moves_writer(&self) -> bool {
        moves_writer(self.action.id, |k| self.parameter(k).map(str::to_owned))
    }

    /// The zone (0-based) whose app subnet this experiment cuts off entirely, if any.
    pub fn cut_zone(&self) -> Option<usize> {
        match self.target.as_ref().map(|t| &t.selection) {
            Some(TargetSelection::Subnets {
                tier: Tier::Private,
                az: Some(zone),
            }) if self.action.id == "aws:network:disrupt-connectivity"
                && matches!(self.parameter("scope"), Some("all" | "vpc")) =>
            {
                Some(*zone)
            }
            _ => None,
        }
    }

    /// Cuts app subnets (one zone's or all) off the network: their instances fail the health
    /// check, and replacements launched there cannot bootstrap.
    pub fn cuts_app_subnets(&self) -> bool {
        self.action.id == "aws:network:disrupt-connectivity"
            && matches!(
                self.target.as_ref().map(|t| &t.selection),
                Some(TargetSelection::Subnets {
                    tier: Tier::Private,
                    ..
                })
            )
            && matches!(self.parameter("scope"), Some("all" | "vpc"))
    }

    /// Stops app instances that FIS means to start again, which the auto-scaling group would
    /// replace first. A stop without `startInstancesAfterDuration` leaves the replacement to
    /// the group: that heal is the experiment (Article 1), not a hazard.
    pub fn stops_app_fleet(&self) -> bool {
        self.action.id == "aws:ec2:stop-instances"
            && self.parameter("startInstancesAfterDuration").is_some()
            && matches!(
                self.target.as_ref().map(|t| &t.selection),
                Some(TargetSelection::AppInstances { .. })
            )
    }
}

/// An action that moves the Aurora writer to a reader, given a parameter lookup (so raw specs
/// and checked experiments share it).
pub fn moves_writer(action: &str, parameter: impl Fn(&str) -> Option<String>) -> bool {
    action == "aws:rds:failover-db-cluster"
        || (action == "aws:rds:reboot-db-instances"
            && parameter("forceFailover").as_deref() == Some("true"))
}

/// Zones (0-based) holding an Aurora reader: reader `k` sits in zone `(k + 1) % azs`.
pub fn reader_zone(readers: u32, azs: usize, zone: usize) -> bool {
    (0..readers as usize).any(|k| azs > 0 && (k + 1) % azs == zone)
}

/// Terraform resource name for a spec name: identifiers may not contain `-` by convention.
pub fn tf_name(spec_name: &str) -> String {
    spec_name.replace('-', "_")
}
