//! `app:`: the Chaos Shop tier, its guards against slow dependencies, and its defaults.

use super::{Billing, Key, KeyType, Table, Validator};
use crate::base::diag::problems;
use crate::base::suggest::did_you_mean;
use crate::spec::{RawSpec, Spanned, pos};

pub mod alb;
pub mod compute;
pub mod contribute;
pub mod ecs;
pub mod iam;

/// Dependency client settings baked into the app (botocore `Config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: u32,
    pub read: u32,
    /// Retries after the first attempt (`retries.max_attempts`).
    pub retries: u32,
}

impl Timeouts {
    /// The app's budget per dependency call, seconds (connect + read timeout): how long a
    /// request whose dependency does not answer waits for the app's JSON 503.
    pub fn deadline(&self) -> u32 {
        self.connect + self.read
    }

    /// The probe's limit per request, seconds: the deadline and a second, so that a slow
    /// failure shows as a failure of the app's guard, not as a fast 503.
    pub fn probe_limit(&self) -> u32 {
        self.deadline() + 1
    }
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
    /// An auto-scaling group of instances of this type, on Spot or On-Demand.
    Ec2 { instance_type: String, spot: bool },
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
    /// The fleet runs on Spot Instances.
    pub fn spot(&self) -> bool {
        matches!(self.runtime, Runtime::Ec2 { spot: true, .. })
    }

    /// The Fargate settings, when the app runs on ECS.
    pub fn fargate(&self) -> Option<&Fargate> {
        match &self.runtime {
            Runtime::Ecs(f) => Some(f),
            Runtime::Ec2 { .. } => None,
        }
    }
}

problems! {
    /// What can be wrong in `app:`.
    pub enum Problem in "resources::app::Problem" {
        NoAurora => E043,
        NoSuchTable { name: String, tables: Vec<String> } => E043,
        NoReviewsTable => E043,
        NoSuchObject { promo: String } => E043,
        NoRouteOut => E026,
        BulkheadFillsThreads { bulkhead: u32, threads: u32 } => E047,
        UnsafePromoKey { key: String } => E031,
        InstanceTypeOnEcs => E056,
        SpotOnEcs => E056,
        FargateSettingOnEc2 { field: &'static str } => E056,
        FargateMemory { cpu: u32, memory: u32, offered: Vec<u32> } => E056,
        FargateCpu { cpu: u32 } => E006,
        ArmInstanceType { instance_type: String } => E025,
        CacheTableTaken { name: String } => E010,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::NoAurora => "the app serves its catalog from Aurora, but the spec has no `aurora:` section".to_owned(),
            Problem::NoSuchTable { name, .. } => format!("there is no DynamoDB table `{name}`"),
            Problem::NoReviewsTable => "the app needs a reviews table".to_owned(),
            Problem::NoSuchObject { promo } => format!("there is no S3 object `{promo}` in the spec"),
            Problem::NoRouteOut => "the app installs its packages and reads its database secret over the internet, and `nat: none` gives the private subnets no route out".to_owned(),
            Problem::BulkheadFillsThreads { bulkhead, threads } => format!("a bulkhead of {bulkhead} calls lets one dead dependency hold all {threads} threads of a worker"),
            Problem::UnsafePromoKey { key } => format!("the promo object key `{key}` is used in an IAM policy and must use S3's safe characters"),
            Problem::InstanceTypeOnEcs => "`instance_type` sizes EC2 instances, and `runtime: ecs` runs the app as Fargate tasks".to_owned(),
            Problem::SpotOnEcs => "`spot` runs EC2 instances on Spot, and `runtime: ecs` runs the app as Fargate tasks".to_owned(),
            Problem::FargateSettingOnEc2 { field } => format!("`{field}` is a Fargate task setting, and the app runs on EC2 instances"),
            Problem::FargateMemory { cpu, memory, offered } => format!(
                "a Fargate task of {cpu} CPU units cannot have {memory} MiB: Fargate offers {}",
                show_sizes(offered)
            ),
            Problem::FargateCpu { cpu } => format!("Fargate offers no task of {cpu} CPU units"),
            Problem::ArmInstanceType { instance_type } => format!("`{instance_type}` is an Arm (Graviton) type; the app's AMI is x86_64"),
            Problem::CacheTableTaken { name } => format!("`{name}` is the table chaoslab makes for `app.catalog_cache`"),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::NoAurora => {
                "add `aurora: {}` (defaults: aurora-postgresql 16, 0.5 to 2 ACUs)".to_owned()
            }
            Problem::NoSuchTable { name, tables } => {
                let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
                did_you_mean(name, &tables, || {
                    "name a table under `dynamodb:`".to_owned()
                })
            }
            Problem::NoReviewsTable => {
                "add a `reviews` table under `dynamodb:`, or set `app.reviews` to the table to use"
                    .to_owned()
            }
            Problem::NoSuchObject { .. } => {
                "set `app.promo` to `<bucket>/<object key>` of an object under `s3:`".to_owned()
            }
            Problem::NoRouteOut => "use `nat: single` (or `per-az`)".to_owned(),
            Problem::BulkheadFillsThreads { threads, .. } => format!(
                "use at most {} (fewer than `app.threads`)",
                threads.saturating_sub(1)
            ),
            Problem::UnsafePromoKey { .. } => {
                "use letters, digits and ! - _ . ' ( ) / in the key the app reads".to_owned()
            }
            Problem::InstanceTypeOnEcs => {
                "remove `instance_type`, and size the tasks with `cpu` and `memory`".to_owned()
            }
            Problem::SpotOnEcs => "remove `spot`: Fargate Spot tasks are not EC2 Spot Instances, and aws:ec2:send-spot-instance-interruptions cannot reach them".to_owned(),
            Problem::FargateSettingOnEc2 { field } => {
                format!("add `runtime: ecs` to the app, or remove `{field}`")
            }
            Problem::FargateMemory { .. } => {
                "set `memory` to one of those sizes, or change `cpu`".to_owned()
            }
            Problem::FargateCpu { .. } => {
                "use 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 units = 1 vCPU)".to_owned()
            }
            Problem::ArmInstanceType { .. } => {
                "use an x86_64 type such as t3.micro or m6i.large".to_owned()
            }
            Problem::CacheTableTaken { .. } => {
                "rename this table, or remove `catalog_cache` from the app".to_owned()
            }
        }
    }
}

/// The spec name of the table the catalog cache lives in, made by chaoslab with the app.
pub const CACHE_TABLE: &str = "catalog-cache";

/// The `Name` of the app instances' root volumes, after the lab's prefix: the launch template
/// tags them, since EC2 Auto Scaling propagates the group's tags to instances only, and FIS
/// picks them by it (`catalog::volumes`).
pub const VOLUME_NAME: &str = "app-root";

impl Validator {
    pub(crate) fn app(&mut self, raw: &Spanned<crate::spec::RawApp>, spec: &RawSpec) -> App {
        let a = &raw.value;
        if spec.aurora.is_none() {
            self.flag(pos(raw), "app", Problem::NoAurora);
        }
        let runtime = self.runtime(raw);
        if spec
            .network
            .value
            .nat
            .as_ref()
            .is_some_and(|n| n.value == "none")
        {
            self.flag(pos(raw), "network.nat", Problem::NoRouteOut);
        }
        let port = self.bounded(&a.port, "app.port", 1024..=65535, defaults::PORT);
        let instances = self.bounded(&a.instances, "app.instances", 1..=20, defaults::INSTANCES);
        let workers = self.bounded(&a.workers, "app.workers", 1..=32, defaults::WORKERS);
        let timeouts = match &a.timeouts {
            None => defaults::TIMEOUTS,
            Some(t) => Timeouts {
                connect: self.bounded(
                    &t.value.connect,
                    "app.timeouts.connect",
                    1..=60,
                    defaults::TIMEOUTS.connect,
                ),
                read: self.bounded(
                    &t.value.read,
                    "app.timeouts.read",
                    1..=60,
                    defaults::TIMEOUTS.read,
                ),
                retries: self.bounded(
                    &t.value.retries,
                    "app.timeouts.retries",
                    0..=10,
                    defaults::TIMEOUTS.retries,
                ),
            },
        };
        let threads = self.bounded(&a.threads, "app.threads", 1..=64, defaults::THREADS);
        let bulkhead = self.bounded(&a.bulkhead, "app.bulkhead", 1..=64, defaults::BULKHEAD);
        if let Some(b) = &a.bulkhead
            && b.value >= threads
            && threads > 1
        {
            let bulkhead = b.value;
            let problem = Problem::BulkheadFillsThreads { bulkhead, threads };
            self.flag(pos(b), "app.bulkhead", problem);
        }
        let bulkhead = if a.bulkhead.is_none() {
            bulkhead.min(threads.saturating_sub(1)).max(1)
        } else {
            bulkhead
        };
        let circuit_breaker = a.circuit_breaker.as_ref().map(|b| Breaker {
            failures: self.bounded(
                &b.value.failures,
                "app.circuit_breaker.failures",
                1..=100,
                defaults::BREAKER.failures,
            ),
            reset_seconds: self.bounded(
                &b.value.reset_seconds,
                "app.circuit_breaker.reset_seconds",
                1..=600,
                defaults::BREAKER.reset_seconds,
            ),
        });
        let tables: Vec<&str> = spec
            .dynamodb
            .iter()
            .map(|(k, _)| k.value.as_str())
            .collect();
        let reviews_table = match &a.reviews {
            Some(r) => {
                if !tables.contains(&r.value.as_str()) {
                    let problem = Problem::NoSuchTable {
                        name: r.value.clone(),
                        tables: tables.iter().map(|t| (*t).to_owned()).collect(),
                    };
                    self.flag(pos(r), "app.reviews", problem);
                }
                r.value.clone()
            }
            None => {
                if !tables.contains(&defaults::REVIEWS_TABLE) {
                    self.flag(pos(raw), "app.reviews", Problem::NoReviewsTable);
                }
                defaults::REVIEWS_TABLE.to_owned()
            }
        };
        let (promo_at, promo) = match &a.promo {
            Some(p) => (pos(p), p.value.as_str()),
            None => (pos(raw), defaults::PROMO),
        };
        let (promo_bucket, promo_key) = promo.split_once('/').unwrap_or((promo, ""));
        // The key lands in an IAM resource ARN, where `*`, `?` and `${` have meanings.
        if !promo_key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!-_.'()/".contains(c))
        {
            let key = promo_key.to_owned();
            self.flag(promo_at, "app.promo", Problem::UnsafePromoKey { key });
        }
        let found = spec.s3.iter().find(|(k, _)| k.value == promo_bucket);
        match found {
            Some((_, b)) if b.value.objects.iter().any(|(k, _)| k.value == promo_key) => {}
            _ => {
                let promo = promo.to_owned();
                self.flag(promo_at, "app.promo", Problem::NoSuchObject { promo });
            }
        }
        App {
            runtime,
            port,
            instances,
            workers,
            threads,
            timeouts,
            bulkhead,
            circuit_breaker,
            reviews_table,
            promo_bucket: promo_bucket.to_owned(),
            promo_key: promo_key.to_owned(),
            catalog_cache: a.catalog_cache.as_ref().is_some_and(|c| c.value),
            write_behind: a.write_behind.as_ref().is_some_and(|w| w.value),
        }
    }
}

impl Validator {
    /// `app.runtime` and the settings that size it. A setting of the other runtime is E056,
    /// not silently ignored: the author meant something by it.
    fn runtime(&mut self, raw: &Spanned<crate::spec::RawApp>) -> Runtime {
        let a = &raw.value;
        let ecs = match &a.runtime {
            None => false,
            Some(r) if r.value == "ec2" => false,
            Some(r) if r.value == "ecs" => true,
            Some(r) => {
                self.choice(r, "app.runtime", &r.value, &["ec2", "ecs"]);
                false
            }
        };
        if ecs {
            if let Some(t) = &a.instance_type {
                self.flag(pos(t), "app.instance_type", Problem::InstanceTypeOnEcs);
            }
            if let Some(s) = &a.spot {
                self.flag(pos(s), "app.spot", Problem::SpotOnEcs);
            }
            return Runtime::Ecs(self.fargate(a));
        }
        for (field, at) in [
            ("cpu", a.cpu.as_ref().map(pos)),
            ("memory", a.memory.as_ref().map(pos)),
            ("fault_injection", a.fault_injection.as_ref().map(pos)),
        ] {
            if let Some(at) = at {
                self.flag(
                    at,
                    format!("app.{field}"),
                    Problem::FargateSettingOnEc2 { field },
                );
            }
        }
        let instance_type = self.text(
            &a.instance_type,
            "app.instance_type",
            |t| {
                t.split_once('.').is_some_and(|(f, s)| {
                    f.starts_with(|c: char| c.is_ascii_lowercase())
                        && f.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        && !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
            },
            "use an EC2 instance type such as t3.micro",
            defaults::INSTANCE_TYPE,
        );
        // The AMI is Amazon Linux 2023 for x86_64: Graviton families (t4g, m7g, ...) cannot boot it.
        let family = instance_type.split('.').next().unwrap_or_default();
        if family
            .trim_end_matches(|c: char| c.is_ascii_lowercase() && c != 'g')
            .ends_with('g')
            && family.chars().any(|c| c.is_ascii_digit())
        {
            let at = a.instance_type.as_ref().map_or(pos(raw), pos);
            let problem = Problem::ArmInstanceType {
                instance_type: instance_type.clone(),
            };
            self.flag(at, "app.instance_type", problem);
        }
        Runtime::Ec2 {
            instance_type,
            spot: a.spot.as_ref().is_some_and(|s| s.value),
        }
    }

    /// Fargate's size table: the memory sizes each CPU size offers (Linux), from "Amazon ECS
    /// task definition parameters for Fargate", task size.
    fn fargate(&mut self, a: &crate::spec::RawApp) -> Fargate {
        let cpu = match &a.cpu {
            None => defaults::FARGATE_CPU,
            Some(c) => {
                if fargate_memory(c.value).is_none() {
                    self.flag(pos(c), "app.cpu", Problem::FargateCpu { cpu: c.value });
                }
                c.value
            }
        };
        let sizes = fargate_memory(cpu).unwrap_or_default();
        let memory = match &a.memory {
            Some(m) => m.value,
            None => sizes
                .iter()
                .copied()
                .find(|m| *m >= defaults::FARGATE_MEMORY)
                .unwrap_or(defaults::FARGATE_MEMORY),
        };
        if let Some(m) = &a.memory
            && !sizes.is_empty()
            && !sizes.contains(&m.value)
        {
            let problem = Problem::FargateMemory {
                cpu,
                memory: m.value,
                offered: sizes.clone(),
            };
            self.flag(pos(m), "app.memory", problem);
        }
        Fargate {
            cpu,
            memory,
            fault_injection: a.fault_injection.as_ref().is_none_or(|f| f.value),
        }
    }
}

/// The memory sizes (MiB) Fargate offers with `cpu` units on Linux.
fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    let range = |first: u32, last: u32, step: usize| (first..=last).step_by(step).collect();
    match cpu {
        256 => Some(vec![512, 1024, 2048]),
        512 => Some(range(1024, 4096, 1024)),
        1024 => Some(range(2048, 8192, 1024)),
        2048 => Some(range(4096, 16384, 1024)),
        4096 => Some(range(8192, 30720, 1024)),
        8192 => Some(range(16384, 61440, 4096)),
        16384 => Some(range(32768, 122880, 8192)),
        _ => None,
    }
}

/// `512, 1024 or 2048 MiB`, or `2048 to 8192 MiB in steps of 1024` for a long list.
fn show_sizes(sizes: &[u32]) -> String {
    match sizes {
        [first, .., last] if sizes.len() > 4 => {
            let step = sizes.get(1).map_or(0, |s| s - first);
            format!("{first} to {last} MiB in steps of {step}")
        }
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(u32::to_string).collect();
            format!("{} or {last} MiB", init.join(", "))
        }
        [] => "no size".to_owned(),
    }
}

/// Defaults that reproduce the Article 7 lab's app.
pub mod defaults {
    use super::{Breaker, Timeouts};

    pub const INSTANCE_TYPE: &str = "t3.micro";
    /// Half a vCPU and 1 GiB: the Fargate size nearest a t3.micro.
    pub const FARGATE_CPU: u32 = 512;
    pub const FARGATE_MEMORY: u32 = 1024;
    pub const PORT: u16 = 8080;
    pub const INSTANCES: u32 = 2;
    pub const WORKERS: u32 = 4;
    pub const THREADS: u32 = 8;
    /// Half the threads: a dead dependency can hold at most 4 of a worker's 8 threads.
    pub const BULKHEAD: u32 = 4;
    pub const BREAKER: Breaker = Breaker {
        failures: 5,
        reset_seconds: 10,
    };
    /// `Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 0})`.
    pub const TIMEOUTS: Timeouts = Timeouts {
        connect: 2,
        read: 2,
        retries: 0,
    };
    pub const REVIEWS_TABLE: &str = "reviews";
    pub const PROMO: &str = "promo/promo.json";
}

impl Validator {
    /// The catalog cache's table joins the lab's tables, so it is built, seeded (empty) and
    /// named like any other; a spec table of the same name would be a second one.
    pub(crate) fn cache_table(&mut self, raw: &RawSpec, tables: &mut Vec<Table>) {
        if let Some((name, _)) = raw.dynamodb.iter().find(|(n, _)| n.value == CACHE_TABLE) {
            let problem = Problem::CacheTableTaken {
                name: name.value.clone(),
            };
            self.flag(pos(name), format!("dynamodb.{}", name.value), problem);
            return;
        }
        tables.push(Table {
            name: CACHE_TABLE.to_owned(),
            hash_key: Key {
                name: "key".to_owned(),
                kind: KeyType::S,
            },
            range_key: None,
            billing: Billing::PayPerRequest,
            items: Vec::new(),
            replicas: Vec::new(),
        });
        tables.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// The app target group's health check: seconds between checks, seconds a check may take, and
/// failed checks in a row before a target is unhealthy (the guardrail check times detection
/// with these).
pub const HEALTH_INTERVAL: u32 = 10;
pub const HEALTH_TIMEOUT: u32 = 5;
pub const UNHEALTHY_THRESHOLD: u32 = 2;

/// A product id the reviews endpoint is probed with: one the seed items hold, when it is
/// safe in a URL and a shell snippet; else `1`.
pub fn reviews_probe_id(app: Option<&App>, tables: &[Table]) -> String {
    app.and_then(|a| tables.iter().find(|t| t.name == a.reviews_table))
        .and_then(|t| t.items.first())
        .map(|i| i.id.split('#').next().unwrap_or_default().to_owned())
        .filter(|id| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c))
        })
        .unwrap_or_else(|| "1".to_owned())
}
