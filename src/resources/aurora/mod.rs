//! `aurora:`: the Aurora Serverless v2 catalog database and its defaults.

use super::Validator;
use crate::base::diag::problems;
use crate::spec::{Spanned, pos};

pub mod model;
pub mod proxy;

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

/// Zones (0-based) holding an Aurora reader: reader `k` sits in zone `(k + 1) % azs`.
pub fn reader_zone(readers: u32, azs: usize, zone: usize) -> bool {
    (0..readers as usize).any(|k| azs > 0 && (k + 1) % azs == zone)
}

problems! {
    /// What can be wrong in `aurora:`.
    pub enum Problem in "resources::aurora::Problem" {
        CapacityStep { acu: f64 } => E006,
        MinAboveMax { min: f64, max: f64 } => E050,
        CannotPause { engine_version: String } => E050,
        ReaderReadsWithoutReader => E050,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::CapacityStep { acu } => format!("{acu} is not a multiple of 0.5 ACU"),
            Problem::MinAboveMax { min, max } => {
                format!("min_capacity {min} exceeds max_capacity {max}")
            }
            Problem::CannotPause { engine_version } => format!(
                "aurora-postgresql {engine_version} cannot pause: min_capacity 0 (auto-pause) needs 13.15, 14.12, 15.7, 16.3 or later"
            ),
            Problem::ReaderReadsWithoutReader => {
                "reads from the reader endpoint need a reader, and the cluster has none".to_owned()
            }
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::CapacityStep { .. } => "Aurora Serverless v2 capacity moves in steps of 0.5",
            Problem::MinAboveMax { .. } => "make min_capacity at most max_capacity",
            Problem::CannotPause { .. } => "use a major version (`engine_version: \"16\"`) or a minor version that supports auto-pause, or set min_capacity to 0.5",
            Problem::ReaderReadsWithoutReader => "add `readers: 1` under `aurora:`, or read from the writer",
        }
        .to_owned()
    }
}

impl Validator {
    pub(crate) fn aurora(&mut self, raw: &Spanned<crate::spec::RawAurora>) -> Aurora {
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
                self.flag(pos(v), field, Problem::CapacityStep { acu: v.value });
            }
        }
        if min_capacity > max_capacity {
            let at = a.min_capacity.as_ref().map_or(pos(raw), pos);
            let problem = Problem::MinAboveMax {
                min: min_capacity,
                max: max_capacity,
            };
            self.flag(at, "aurora.min_capacity", problem);
        }
        if min_capacity == 0.0 && !auto_pause_supported(&engine_version) {
            let at = a.min_capacity.as_ref().map_or(pos(raw), pos);
            let engine_version = engine_version.clone();
            self.flag(
                at,
                "aurora.min_capacity",
                Problem::CannotPause { engine_version },
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
        let reads_from_readers = match &a.reads {
            None => false,
            Some(r) if r.value == "writer" => false,
            Some(r) if r.value == "reader" => {
                if readers == 0 {
                    self.flag(pos(r), "aurora.reads", Problem::ReaderReadsWithoutReader);
                }
                true
            }
            Some(r) => {
                self.choice(r, "aurora.reads", &r.value, &["writer", "reader"]);
                false
            }
        };
        Aurora {
            reads_from_readers,
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
}

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

/// Defaults that reproduce the Article 7 lab's database.
pub mod defaults {
    pub const ENGINE: &str = "aurora-postgresql";
    /// Major version only: RDS picks its current default minor version, which never retires
    /// under the spec, and automatic minor upgrades keep the cluster current.
    pub const ENGINE_VERSION: &str = "16";
    pub const MIN_CAPACITY: f64 = 0.5;
    pub const MAX_CAPACITY: f64 = 2.0;
    pub const DATABASE: &str = "chaosshop";
    pub const USERNAME: &str = "chaosadmin";
}
