//! Stage 2: raw spec → checked [`Lab`], or every problem found, each with a stable code.
//!
//! Checks keep going after a problem so one run reports them all. Later stages consume only
//! the checked model, so they cannot see an unchecked value.

mod cidr;
pub mod duration;
mod fis;
pub mod lab;

pub use fis::TargetContext;
pub use lab::*;

use cidr::Cidr;

pub use crate::suggest::{did_you_mean, suggest};

use crate::errors::{Code, Diagnostic, Pos};
use crate::spec::{NamedMap, RawSpec, Scalar, Spanned, pos};

/// Longest spec name (tables, buckets, experiments); keeps derived AWS names within limits.
const MAX_NAME: usize = 32;
/// Longest name prefix: `<prefix>-alb` must fit a load balancer name (32 characters).
const MAX_PREFIX: usize = 24;

pub fn validate(raw: &RawSpec) -> Result<Lab, Vec<Diagnostic>> {
    let mut v = Validator {
        diags: Vec::new(),
        warnings: Vec::new(),
    };
    let lab = v.lab(raw);
    if v.diags.is_empty() {
        let mut lab = lab;
        lab.warnings.sort_by_key(|d| (d.pos, d.code));
        Ok(lab)
    } else {
        v.diags.extend(lab.warnings);
        v.diags.sort_by_key(|d| (d.pos, d.code));
        Err(v.diags)
    }
}

struct Validator {
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Validator {
    fn err(
        &mut self,
        code: Code,
        at: Pos,
        field: impl Into<String>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, at, field, msg).help(help));
    }

    fn lab(&mut self, raw: &RawSpec) -> Lab {
        self.name(&raw.lab, "lab", 40);
        let prefix = raw.prefix.as_ref().unwrap_or(&raw.lab);
        if raw.prefix.is_none() && raw.lab.value.len() > MAX_PREFIX {
            self.err(
                Code::E010,
                pos(&raw.lab),
                "prefix",
                format!("the lab name is the default prefix of every AWS name, and is longer than {MAX_PREFIX} characters"),
                format!("add `prefix:` with a shorter name (at most {MAX_PREFIX} characters)"),
            );
        } else if let Some(p) = &raw.prefix {
            self.name(p, "prefix", MAX_PREFIX);
        }
        // "<prefix>-<bucket>-<12-digit account id>" must fit S3's 63 characters.
        for (name, _) in raw.s3.iter() {
            let len = prefix.value.len() + name.value.len() + 14;
            if len > 63 {
                self.err(
                    Code::E010,
                    pos(name),
                    format!("s3.{}", name.value),
                    format!("the bucket name `{}-{}-<account id>` would be {len} characters; S3 allows 63", prefix.value, name.value),
                    format!("shorten the bucket name or the prefix by {} characters", len - 63),
                );
            }
        }
        let region = raw.region.value.clone();
        if !is_region(&region) {
            self.err(
                Code::E012,
                pos(&raw.region),
                "region",
                format!("`{region}` is not an AWS Region code"),
                "use a Region code such as `us-east-1` or `eu-west-3`",
            );
        }
        let tags = self.tags(&raw.tags);
        let description = raw.description.as_ref().map(|d| d.value.clone());
        let network = self.network(&raw.network, raw.app.is_some());
        let tables = self.sorted(&raw.dynamodb, "dynamodb", |v, name, t| v.table(name, t));
        let buckets = self.sorted(&raw.s3, "s3", |v, name, b| v.bucket(name, b));
        let aurora = raw.aurora.as_ref().map(|a| self.aurora(a));
        // A load balancer, a DB subnet group and RDS Proxy all need subnets in two zones.
        if (raw.app.is_some() || raw.aurora.is_some()) && network.azs < 2 {
            self.err(
                Code::E022,
                pos(&raw.network.value.azs),
                "network.azs",
                "the app and Aurora need subnets in at least 2 availability zones",
                "set `azs: 2` and give two public and two private subnets",
            );
        }
        let app = raw.app.as_ref().map(|a| self.app(a, raw));
        let alarms = self.alarms(raw);
        let context = fis::TargetContext {
            region: region.clone(),
            azs: network.azs,
            app: app.is_some(),
            aurora: aurora.is_some(),
            proxy: aurora.as_ref().is_some_and(|a| a.proxy),
            interface_endpoints: network.interface_endpoints.clone(),
            alarms: alarms.iter().map(|a| a.name.clone()).collect(),
            readers: aurora.as_ref().map_or(0, |a| a.readers),
            failover: raw.experiments.iter().any(|(_, e)| {
                lab::moves_writer(&e.value.action.value, |k| {
                    e.value
                        .parameters
                        .iter()
                        .find(|(n, _)| n.value == k)
                        .map(|(_, v)| v.value.clone())
                })
            }),
        };
        let experiments: Vec<Experiment> = self
            .sorted(&raw.experiments, "experiments", |v, name, e| {
                v.experiment(name, e, &context)
            })
            .into_iter()
            .flatten()
            .collect();
        Lab {
            name: raw.lab.value.clone(),
            prefix: prefix.value.clone(),
            region,
            description,
            tags,
            network,
            tables,
            buckets,
            experiments,
            app,
            aurora,
            alarms,
            warnings: std::mem::take(&mut self.warnings),
        }
    }

    /// Checks every name of a section and builds its entries, sorted by name.
    fn sorted<R, T>(
        &mut self,
        map: &NamedMap<R>,
        section: &str,
        mut build: impl FnMut(&mut Self, &Spanned<String>, &R) -> T,
    ) -> Vec<T> {
        let mut out: Vec<(String, T)> = map
            .iter()
            .map(|(name, raw)| {
                self.name(name, &format!("{section}.{}", name.value), MAX_NAME);
                (name.value.clone(), build(self, name, raw))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter().map(|(_, t)| t).collect()
    }

    /// Spec names become AWS names and Terraform addresses: lowercase letters, digits and
    /// single hyphens, starting with a letter.
    fn name(&mut self, name: &Spanned<String>, field: &str, max: usize) {
        let n = &name.value;
        let charset_ok = n.starts_with(|c: char| c.is_ascii_lowercase())
            && !n.ends_with('-')
            && !n.contains("--")
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !charset_ok {
            let fixed = slug(n);
            let rule = "use lowercase letters, digits and single hyphens, starting with a letter";
            let help = if fixed.is_empty() || fixed.len() > max {
                format!("{rule}, at most {max} characters")
            } else {
                format!("{rule}, e.g. `{fixed}`")
            };
            self.err(
                Code::E010,
                pos(name),
                field,
                format!("`{}` is not a valid name", n.escape_debug()),
                help,
            );
        } else if n.len() > max {
            self.err(
                Code::E010,
                pos(name),
                field,
                format!(
                    "`{n}` is {} characters long; names here are at most {max}",
                    n.len()
                ),
                format!("shorten it by {} characters", n.len() - max),
            );
        }
    }

    fn tags(&mut self, raw: &NamedMap<Spanned<String>>) -> Vec<(String, String)> {
        let mut tags = Vec::new();
        for (k, v) in raw.iter() {
            let field = format!("tags.{}", k.value);
            if k.value.is_empty()
                || k.value.chars().count() > 128
                || k.value.to_lowercase().starts_with("aws:")
            {
                self.err(
                    Code::E013,
                    pos(k),
                    &field,
                    format!("tag key `{}` is not allowed", k.value.escape_debug()),
                    "tag keys are 1 to 128 characters and may not start with `aws:`",
                );
            } else if let Some(c) = k.value.chars().find(|c| !tag_char(*c)) {
                self.err(
                    Code::E013,
                    pos(k),
                    &field,
                    format!(
                        "tag key `{}` contains `{}`",
                        k.value.escape_debug(),
                        c.escape_debug()
                    ),
                    "tag keys may use letters, digits, spaces and _ . : / = + - @",
                );
            }
            if v.value.chars().count() > 256 {
                self.err(
                    Code::E013,
                    pos(v),
                    &field,
                    "tag value is longer than 256 characters",
                    "shorten the value",
                );
            } else if let Some(c) = v.value.chars().find(|c| !tag_char(*c)) {
                self.err(
                    Code::E013,
                    pos(v),
                    &field,
                    format!("tag value contains `{}`", c.escape_debug()),
                    "tag values may use letters, digits, spaces and _ . : / = + - @",
                );
            }
            // IAM treats tag keys case-insensitively: `lab` next to chaoslab's `Lab` (or two
            // spellings of one key) would make role creation fail.
            let clash = ["Lab", "ManagedBy"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain(tags.iter().map(|(t, _): &(String, String)| t.clone()))
                .find(|t| t != &k.value && t.to_lowercase() == k.value.to_lowercase());
            if let Some(other) = clash {
                self.err(
                    Code::E013,
                    pos(k),
                    &field,
                    format!("tag key `{}` differs from `{other}` only in case", k.value),
                    format!("AWS IAM treats them as one key; use `{other}` or another name"),
                );
            }
            tags.push((k.value.clone(), v.value.clone()));
        }
        tags.sort();
        tags
    }

    /// `needs_egress`: something in the lab reaches the internet from the private subnets (the
    /// app's bootstrap: dnf, PyPI); without it no NAT gateway is created, whatever `nat` says.
    fn network(&mut self, raw: &Spanned<RawNetworkRef>, needs_egress: bool) -> Network {
        let n = &raw.value;
        let vpc = self.cidr(&n.cidr, "network.cidr");
        if let Some(vpc) = vpc
            && !(16..=28).contains(&vpc.len)
        {
            self.err(
                Code::E020,
                pos(&n.cidr),
                "network.cidr",
                format!(
                    "a VPC block must be /16 to /28; `{}` is /{}",
                    n.cidr.value, vpc.len
                ),
                "use a block such as 10.0.0.0/16",
            );
        }
        let azs = n.azs.value;
        // FIS takes at most 5 subnets per action: more zones could not all be targeted.
        if !(1..=5).contains(&azs) {
            self.err(
                Code::E022,
                pos(&n.azs),
                "network.azs",
                format!("azs must be 1 to 5, not {azs}"),
                "labs normally use 2 availability zones",
            );
        }
        let mut seen: Vec<(Cidr, String)> = Vec::new();
        let mut tier =
            |v: &mut Self, list: &Spanned<Vec<Spanned<String>>>, name: &str| -> Vec<String> {
                if list.value.len() != azs as usize {
                    v.err(
                        Code::E022,
                        pos(list),
                        format!("network.{name}"),
                        format!(
                            "{} {name} subnets for {azs} availability zones",
                            list.value.len()
                        ),
                        format!("give exactly one {name} subnet per availability zone ({azs})"),
                    );
                }
                for (i, s) in list.value.iter().enumerate() {
                    let field = format!("network.{name}[{i}]");
                    let Some(c) = v.cidr(s, &field) else { continue };
                    if let Some(vpc) = vpc
                        && !vpc.contains(c)
                    {
                        v.err(
                            Code::E021,
                            pos(s),
                            &field,
                            format!("subnet {c} is outside the VPC {vpc}"),
                            format!("choose a block inside {vpc}"),
                        );
                    }
                    if let Some((other, where_)) = seen.iter().find(|(o, _)| o.overlaps(c)) {
                        v.err(
                            Code::E021,
                            pos(s),
                            &field,
                            format!("subnet {c} overlaps {other} ({where_})"),
                            "give every subnet its own block",
                        );
                    }
                    seen.push((c, field));
                }
                list.value.iter().map(|s| s.value.clone()).collect()
            };
        let public = tier(self, &n.public, "public");
        let private = tier(self, &n.private, "private");
        let nat = match n.nat.as_ref().map(|s| (s, s.value.as_str())) {
            None | Some((_, "single")) => Nat::Single,
            Some((_, "per-az")) => Nat::PerAz,
            Some((_, "none")) => Nat::None,
            Some((s, other)) => {
                self.choice(s, "network.nat", other, &["single", "per-az", "none"]);
                Nat::Single
            }
        };
        let endpoints = self.services(
            &n.gateway_endpoints,
            "network.gateway_endpoints",
            &[],
            &["dynamodb", "s3"],
        );
        let interface = self.services(
            &n.interface_endpoints,
            "network.interface_endpoints",
            &endpoints,
            &["s3"],
        );
        Network {
            interface_endpoints: interface,
            cidr: n.cidr.value.clone(),
            azs: azs as usize,
            public,
            private,
            nat: if needs_egress { nat } else { Nat::None },
            gateway_endpoints: endpoints,
        }
    }

    /// A list of endpoint services, each once, none already reached another way (`taken`).
    fn services(
        &mut self,
        list: &[Spanned<String>],
        field: &str,
        taken: &[String],
        allowed: &[&str],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            if !allowed.contains(&e.value.as_str()) {
                self.choice(e, &field, &e.value, allowed);
            } else if out.contains(&e.value) {
                self.err(
                    Code::E023,
                    pos(e),
                    field,
                    format!("`{}` is listed twice", e.value),
                    "list each service once",
                );
            } else if taken.contains(&e.value) {
                self.err(
                    Code::E023,
                    pos(e),
                    field,
                    format!("`{}` has both a gateway and an interface endpoint", e.value),
                    "pick one way for the app to reach the service",
                );
            } else {
                out.push(e.value.clone());
            }
        }
        out.sort();
        out
    }

    fn cidr(&mut self, s: &Spanned<String>, field: &str) -> Option<Cidr> {
        match Cidr::parse(&s.value) {
            Ok(c) => Some(c),
            Err(msg) => {
                self.err(
                    Code::E020,
                    pos(s),
                    field,
                    msg,
                    "write an IPv4 block such as 10.0.11.0/24",
                );
                None
            }
        }
    }

    /// Reports a value outside a fixed set, suggesting the nearest allowed one.
    fn choice(&mut self, at: &Spanned<String>, field: &str, got: &str, allowed: &[&str]) {
        let help = match suggest(got, allowed) {
            Some(s) => format!("did you mean `{s}`? (allowed: {})", allowed.join(", ")),
            None => format!("use one of: {}", allowed.join(", ")),
        };
        self.err(
            Code::E023,
            pos(at),
            field,
            format!("`{}` is not allowed here", got.escape_debug()),
            help,
        );
    }

    fn key(&mut self, raw: &Spanned<crate::spec::RawKey>, field: &str) -> Key {
        let k = &raw.value;
        if k.name.value.is_empty() || k.name.value.len() > 255 {
            self.err(
                Code::E030,
                pos(&k.name),
                format!("{field}.name"),
                "key attribute names are 1 to 255 bytes",
                "name the key attribute, e.g. `product_id`",
            );
        }
        let kind = match k.kind.value.as_str() {
            "S" => KeyType::S,
            "N" => KeyType::N,
            "B" => KeyType::B,
            other => {
                self.choice(&k.kind, &format!("{field}.type"), other, &["S", "N", "B"]);
                KeyType::S
            }
        };
        Key {
            name: k.name.value.clone(),
            kind,
        }
    }

    fn table(&mut self, name: &Spanned<String>, raw: &Spanned<crate::spec::RawTable>) -> Table {
        let t = &raw.value;
        let field = format!("dynamodb.{}", name.value);
        let hash_key = self.key(&t.hash_key, &format!("{field}.hash_key"));
        let range_key = t
            .range_key
            .as_ref()
            .map(|r| self.key(r, &format!("{field}.range_key")));
        if let (Some(r), Some(raw_r)) = (&range_key, &t.range_key)
            && r.name == hash_key.name
        {
            self.err(
                Code::E030,
                pos(raw_r),
                format!("{field}.range_key"),
                "the range key repeats the hash key",
                "give the range key its own attribute name",
            );
        }
        let billing = match t.billing_mode.as_ref().map(|b| (b, b.value.as_str())) {
            None | Some((_, "PAY_PER_REQUEST")) => {
                for cap in [&t.read_capacity, &t.write_capacity].into_iter().flatten() {
                    self.err(
                        Code::E023,
                        pos(cap),
                        format!("{field}.billing_mode"),
                        "capacity is set but billing is on demand",
                        "remove read_capacity/write_capacity, or set `billing_mode: PROVISIONED`",
                    );
                }
                Billing::PayPerRequest
            }
            Some((b, "PROVISIONED")) => {
                match (&t.read_capacity, &t.write_capacity) {
                    (Some(r), Some(w)) if r.value > 0 && w.value > 0 => Billing::Provisioned {
                        read: r.value,
                        write: w.value,
                    },
                    _ => {
                        self.err(Code::E005, pos(b), format!("{field}.billing_mode"), "PROVISIONED billing needs read_capacity and write_capacity", "add `read_capacity: 1` and `write_capacity: 1`, or use PAY_PER_REQUEST");
                        Billing::PayPerRequest
                    }
                }
            }
            Some((b, other)) => {
                self.choice(
                    b,
                    &format!("{field}.billing_mode"),
                    other,
                    &["PAY_PER_REQUEST", "PROVISIONED"],
                );
                Billing::PayPerRequest
            }
        };
        let mut items: Vec<Item> = Vec::new();
        for (i, raw_item) in t.items.iter().enumerate() {
            let ifield = format!("{field}.items[{i}]");
            let mut attrs = Vec::new();
            for (k, v) in raw_item.value.iter() {
                let value = match &v.value {
                    Scalar::Text(s) => AttrValue::S(s.clone()),
                    Scalar::Number(n) => AttrValue::N(n.clone()),
                    Scalar::Bool(b) => AttrValue::Bool(*b),
                };
                attrs.push((k.value.clone(), value));
            }
            attrs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut id = Vec::new();
            for key in std::iter::once(&hash_key).chain(range_key.as_ref()) {
                match attrs.iter().find(|(n, _)| *n == key.name) {
                    None => self.err(
                        Code::E030,
                        pos(raw_item),
                        &ifield,
                        format!("seed item has no `{}` (the table's key)", key.name),
                        format!("add `{}:` to the item", key.name),
                    ),
                    Some((_, value)) => match (key.kind, value) {
                        (KeyType::S, AttrValue::S(s)) => id.push(s.clone()),
                        (KeyType::N, AttrValue::N(n)) => id.push(n.clone()),
                        _ => self.err(
                            Code::E030,
                            pos(raw_item),
                            format!("{ifield}.{}", key.name),
                            format!(
                                "`{}` must be of type {} to match the table's key",
                                key.name,
                                key.kind.as_str()
                            ),
                            match key.kind {
                                KeyType::S => "quote the value to make it text, e.g. '3'",
                                KeyType::N => "write a number without quotes",
                                KeyType::B => {
                                    "binary keys cannot be seeded from a spec; use S or N"
                                }
                            },
                        ),
                    },
                }
            }
            let id = id.join("#");
            if items.iter().any(|it| it.id == id) {
                self.err(
                    Code::E030,
                    pos(raw_item),
                    &ifield,
                    format!("two seed items have the key `{id}`"),
                    "give each seed item a unique key",
                );
            }
            items.push(Item { id, attrs });
        }
        items.sort_by(|a, b| a.id.cmp(&b.id));
        Table {
            name: name.value.clone(),
            hash_key,
            range_key,
            billing,
            items,
        }
    }

    fn bucket(&mut self, name: &Spanned<String>, raw: &Spanned<crate::spec::RawBucket>) -> Bucket {
        let mut objects = Vec::new();
        for (k, o) in raw.value.objects.iter() {
            let field = format!("s3.{}.objects.{}", name.value, k.value);
            if k.value.is_empty()
                || k.value.len() > 1024
                || k.value.starts_with('/')
                || k.value.chars().any(char::is_control)
            {
                self.err(Code::E031, pos(k), &field, format!("`{}` is not a usable object key", k.value.escape_debug()), "use a relative key of 1 to 1024 bytes without control characters, e.g. `promo.json`");
            }
            objects.push(Object {
                key: k.value.clone(),
                content: o.value.content.value.clone(),
                content_type: match &o.value.content_type {
                    Some(c) => c.value.clone(),
                    None => content_type_for(&k.value).to_owned(),
                },
            });
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Bucket {
            name: name.value.clone(),
            objects,
        }
    }
}

type RawNetworkRef = crate::spec::RawNetwork;

/// The first aurora-postgresql minor version of each major that scales to 0 ACUs (auto-pause);
/// every later major supports it. A major-only version gets RDS's current default minor, which
/// does. Source: "Aurora Serverless v2 capacity", Aurora User Guide
/// (`aurora-serverless-v2.setting-capacity.html`, minimum capacity 0).
const AUTO_PAUSE_SINCE: [(u32, u32); 4] = [(13, 15), (14, 12), (15, 7), (16, 3)];

fn auto_pause_supported(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let (Some(Some(major)), minor) = (parts.next(), parts.next()) else {
        return false;
    };
    if major < 13 {
        return false;
    }
    match (minor, AUTO_PAUSE_SINCE.iter().find(|(m, _)| *m == major)) {
        (Some(Some(minor)), Some((_, since))) => minor >= *since,
        (Some(None), _) => false,
        _ => true,
    }
}

/// Defaults that reproduce the Article 7 lab.
pub mod defaults {
    use super::Timeouts;

    pub const INSTANCE_TYPE: &str = "t3.micro";
    pub const PORT: u16 = 8080;
    pub const INSTANCES: u32 = 2;
    pub const WORKERS: u32 = 4;
    pub const THREADS: u32 = 8;
    /// Half the threads: a dead dependency can hold at most 4 of a worker's 8 threads.
    pub const BULKHEAD: u32 = 4;
    pub const BREAKER: super::Breaker = super::Breaker {
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
    pub const ENGINE: &str = "aurora-postgresql";
    /// Major version only: RDS picks its current default minor version, which never retires
    /// under the spec, and automatic minor upgrades keep the cluster current.
    pub const ENGINE_VERSION: &str = "16";
    pub const MIN_CAPACITY: f64 = 0.5;
    pub const MAX_CAPACITY: f64 = 2.0;
    pub const DATABASE: &str = "chaosshop";
    pub const USERNAME: &str = "chaosadmin";
    /// (name, metric, threshold) of the alarms a lab with an app gets by default.
    pub const ALARMS: [(&str, &str, f64); 3] = [
        ("error-rate", "5xx-rate", 5.0),
        ("latency", "p99-latency", 2.0),
        ("unhealthy-hosts", "unhealthy-hosts", 1.0),
    ];
}

impl Validator {
    /// A number within `range`, or the default when absent.
    fn bounded<T>(
        &mut self,
        v: &Option<Spanned<T>>,
        field: &str,
        range: std::ops::RangeInclusive<T>,
        default: T,
    ) -> T
    where
        T: Copy + PartialOrd + std::fmt::Display,
    {
        let Some(v) = v else { return default };
        if !range.contains(&v.value) {
            self.err(
                Code::E006,
                pos(v),
                field,
                format!("{} is out of range", v.value),
                format!("use a value from {} to {}", range.start(), range.end()),
            );
        }
        v.value
    }

    /// A text field matching `ok`, or the default when absent.
    fn text(
        &mut self,
        v: &Option<Spanned<String>>,
        field: &str,
        ok: impl Fn(&str) -> bool,
        rule: &str,
        default: &str,
    ) -> String {
        match v {
            None => default.to_owned(),
            Some(s) => {
                if !ok(&s.value) {
                    self.err(
                        Code::E007,
                        pos(s),
                        field,
                        format!("`{}` is not a valid {field}", s.value.escape_debug()),
                        rule,
                    );
                }
                s.value.clone()
            }
        }
    }

    fn app(&mut self, raw: &Spanned<crate::spec::RawApp>, spec: &RawSpec) -> App {
        let a = &raw.value;
        if spec.aurora.is_none() {
            self.err(
                Code::E043,
                pos(raw),
                "app",
                "the app serves its catalog from Aurora, but the spec has no `aurora:` section",
                "add `aurora: {}` (defaults: aurora-postgresql 16, 0.5 to 2 ACUs)",
            );
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
            self.err(
                Code::E023,
                at,
                "app.instance_type",
                format!("`{instance_type}` is an Arm (Graviton) type; the app's AMI is x86_64"),
                "use an x86_64 type such as t3.micro or m6i.large",
            );
        }
        if spec
            .network
            .value
            .nat
            .as_ref()
            .is_some_and(|n| n.value == "none")
        {
            self.err(
                Code::E023,
                pos(raw),
                "network.nat",
                "the app installs its packages and reads its database secret over the internet, and `nat: none` gives the private subnets no route out",
                "use `nat: single` (or `per-az`)",
            );
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
            self.err(
                Code::E047,
                pos(b),
                "app.bulkhead",
                format!("a bulkhead of {} calls lets one dead dependency hold all {threads} threads of a worker", b.value),
                format!("use at most {} (fewer than `app.threads`)", threads - 1),
            );
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
                    let help = did_you_mean(&r.value, &tables, || {
                        "name a table under `dynamodb:`".to_owned()
                    });
                    self.err(
                        Code::E043,
                        pos(r),
                        "app.reviews",
                        format!("there is no DynamoDB table `{}`", r.value),
                        help,
                    );
                }
                r.value.clone()
            }
            None => {
                if !tables.contains(&defaults::REVIEWS_TABLE) {
                    self.err(Code::E043, pos(raw), "app.reviews", "the app needs a reviews table", "add a `reviews` table under `dynamodb:`, or set `app.reviews` to the table to use");
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
            self.err(
                Code::E031,
                promo_at,
                "app.promo",
                format!("the promo object key `{}` is used in an IAM policy and must use S3's safe characters", promo_key.escape_debug()),
                "use letters, digits and ! - _ . ' ( ) / in the key the app reads",
            );
        }
        let found = spec.s3.iter().find(|(k, _)| k.value == promo_bucket);
        match found {
            Some((_, b)) if b.value.objects.iter().any(|(k, _)| k.value == promo_key) => {}
            _ => self.err(
                Code::E043,
                promo_at,
                "app.promo",
                format!("there is no S3 object `{promo}` in the spec"),
                "set `app.promo` to `<bucket>/<object key>` of an object under `s3:`",
            ),
        }
        App {
            instance_type,
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
        }
    }

    fn aurora(&mut self, raw: &Spanned<crate::spec::RawAurora>) -> Aurora {
        let a = &raw.value;
        let engine = match &a.engine {
            None => defaults::ENGINE.to_owned(),
            Some(e) => {
                if e.value != defaults::ENGINE {
                    self.choice(e, "aurora.engine", &e.value, &[defaults::ENGINE]);
                }
                e.value.clone()
            }
        };
        let engine_version = self.text(
            &a.engine_version,
            "aurora.engine_version",
            |v| {
                v.split('.').count() <= 2
                    && v.split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            },
            "use a major version such as \"16\", or a minor version such as \"16.8\" to pin one (quote it so YAML keeps it text)",
            defaults::ENGINE_VERSION,
        );
        let min_capacity = self.bounded(
            &a.min_capacity,
            "aurora.min_capacity",
            0.0..=256.0,
            defaults::MIN_CAPACITY,
        );
        let max_capacity = self.bounded(
            &a.max_capacity,
            "aurora.max_capacity",
            1.0..=256.0,
            defaults::MAX_CAPACITY,
        );
        for (v, field) in [
            (&a.min_capacity, "aurora.min_capacity"),
            (&a.max_capacity, "aurora.max_capacity"),
        ] {
            if let Some(v) = v
                && (v.value * 2.0).fract() != 0.0
            {
                self.err(
                    Code::E006,
                    pos(v),
                    field,
                    format!("{} is not a multiple of 0.5 ACU", v.value),
                    "Aurora Serverless v2 capacity moves in steps of 0.5",
                );
            }
        }
        if min_capacity > max_capacity {
            let at = a.min_capacity.as_ref().map_or(pos(raw), pos);
            self.err(
                Code::E050,
                at,
                "aurora.min_capacity",
                format!("min_capacity {min_capacity} exceeds max_capacity {max_capacity}"),
                "make min_capacity at most max_capacity",
            );
        }
        if min_capacity == 0.0 && !auto_pause_supported(&engine_version) {
            let at = a.min_capacity.as_ref().map_or(pos(raw), pos);
            self.err(
                Code::E050,
                at,
                "aurora.min_capacity",
                format!("aurora-postgresql {engine_version} cannot pause: min_capacity 0 (auto-pause) needs 13.15, 14.12, 15.7, 16.3 or later"),
                "use a major version (`engine_version: \"16\"`) or a minor version that supports auto-pause, or set min_capacity to 0.5",
            );
        }
        let identifier = |s: &str, max: usize| {
            s.len() <= max
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        let database = self.text(
            &a.database,
            "aurora.database",
            |s| identifier(s, 63) && s != "postgres",
            "use 1 to 63 lowercase letters, digits and underscores, starting with a letter",
            defaults::DATABASE,
        );
        let username = self.text(&a.username, "aurora.username", |s| identifier(s, 16) && !["postgres", "rdsadmin", "admin"].contains(&s), "use 1 to 16 lowercase letters, digits and underscores, not a reserved name (postgres, rdsadmin, admin)", defaults::USERNAME);
        let readers = self.bounded(&a.readers, "aurora.readers", 0..=4, 0);
        Aurora {
            readers,
            proxy: a.proxy.as_ref().is_some_and(|p| p.value),
            engine,
            engine_version,
            min_capacity,
            max_capacity,
            database,
            username,
        }
    }

    fn alarms(&mut self, raw: &RawSpec) -> Vec<Alarm> {
        let Some(map) = &raw.alarms else {
            if raw.app.is_none() {
                return Vec::new();
            }
            return defaults::ALARMS
                .iter()
                .filter_map(|(name, metric, threshold)| {
                    let metric = AlarmMetric::ALL.iter().find(|(m, _)| m == metric)?.1;
                    Some(Alarm {
                        name: (*name).to_owned(),
                        metric,
                        threshold: *threshold,
                    })
                })
                .collect();
        };
        if raw.app.is_none() {
            self.err(
                Code::E043,
                pos(map),
                "alarms",
                "alarms watch the app's load balancer, but the spec has no `app:` section",
                "add `app: {}`, or remove `alarms`",
            );
        }
        self.sorted(&map.value, "alarms", |v, name, a| {
            let metrics: Vec<&str> = AlarmMetric::ALL.iter().map(|(m, _)| *m).collect();
            let metric = match AlarmMetric::ALL
                .iter()
                .find(|(m, _)| *m == a.value.metric.value)
            {
                Some((_, m)) => *m,
                None => {
                    v.choice(
                        &a.value.metric,
                        &format!("alarms.{}.metric", name.value),
                        &a.value.metric.value,
                        &metrics,
                    );
                    AlarmMetric::UnhealthyHosts
                }
            };
            let t = &a.value.threshold;
            if !(t.value > 0.0 && t.value.is_finite()) {
                v.err(
                    Code::E006,
                    pos(t),
                    format!("alarms.{}.threshold", name.value),
                    format!("{} is not a positive threshold", t.value),
                    "use a positive number (hosts, percent or seconds, by metric)",
                );
            }
            Alarm {
                name: name.value.clone(),
                metric,
                threshold: t.value,
            }
        })
    }
}

/// The content type S3 should serve an object with, from its key's extension.
fn content_type_for(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "css" => "text/css",
        "js" => "text/javascript",
        "csv" => "text/csv",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .iter()
            .skip(1)
            .take(parts.len() - 2)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

pub(crate) fn is_selection_mode(s: &str) -> bool {
    if s == "ALL" {
        return true;
    }
    ["COUNT(", "PERCENT("].iter().any(|p| {
        s.strip_prefix(p)
            .and_then(|r| r.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A best-effort valid name derived from an invalid one, for the fix text.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_matches('-')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_modes() {
        for ok in ["us-east-1", "eu-west-3", "us-gov-west-1", "ap-southeast-2"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us--1", ""] {
            assert!(!is_region(bad), "{bad}");
        }
        assert!(is_selection_mode("COUNT(2)") && is_selection_mode("PERCENT(50)"));
        assert!(!is_selection_mode("COUNT()") && !is_selection_mode("all"));
        assert_eq!(slug("Chaos Shop_07"), "chaos-shop-07");
    }
}
