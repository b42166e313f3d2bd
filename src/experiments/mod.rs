//! Stage 2: raw spec → checked [`Lab`], or every problem found, each with a stable code.
//!
//! Checks keep going after a problem so one run reports them all. Later stages consume only
//! the checked model, so they cannot see an unchecked value.
//!
//! The resources are checked first (`crate::resources`, one module per spec section); the
//! experiments then against them: a template (`template`) over a list of steps, each checked
//! against the FIS catalog (`steps`, `parameters`, `values`) and the lab rules (`rules`), the
//! `start_after` graph (`graph`), stop conditions (`stops`, `guardrails`), expectations
//! (`expect`), schedules and reports. The top-level keys (lab, prefix, region, tags) here.

pub mod expect;
mod graph;
pub mod guardrails;
pub mod lab;
mod parameters;
mod problem;
pub(crate) mod report;
mod rules;
pub mod scenarios;
mod schedule;
mod step_problem;
pub mod steps;
pub mod stop_words;
mod stops;
mod template;
pub mod values;

pub use lab::*;
pub use steps::MAX_ACTIONS;
pub use template::Context;

use crate::resources::checker::Validator;

pub use crate::base::suggest::{did_you_mean, suggest};

use crate::base::errors::Diagnostic;
use crate::spec::{NamedMap, RawSpec, Spanned, pos};
pub use problem::Problem;
pub use step_problem::StepProblem;

/// Defaults that reproduce the Article 7 lab, section by section.
pub mod defaults {
    pub use crate::resources::alarms::defaults::*;
    pub use crate::resources::app::defaults::*;
    pub use crate::resources::aurora::defaults::*;
}

use crate::resources::MAX_PREFIX;

/// Checks a spec now (the system clock dates the warnings about schedules already past).
pub fn validate(raw: &RawSpec) -> Result<Lab, Vec<Diagnostic>> {
    validate_at(raw, jiff::Timestamp::now())
}

/// Checks a spec as of `now`: the same lab whatever `now` is, only its warnings differ.
pub fn validate_at(raw: &RawSpec, now: jiff::Timestamp) -> Result<Lab, Vec<Diagnostic>> {
    let mut v = Validator {
        diags: Vec::new(),
        warnings: Vec::new(),
        now,
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

impl Validator {
    fn lab(&mut self, raw: &RawSpec) -> Lab {
        self.name(&raw.lab, "lab", 40);
        let prefix = raw.prefix.as_ref().unwrap_or(&raw.lab);
        if raw.prefix.is_none() && raw.lab.value.len() > MAX_PREFIX {
            self.flag(pos(&raw.lab), "prefix", Problem::DefaultPrefixTooLong);
        } else if let Some(p) = &raw.prefix {
            self.name(p, "prefix", MAX_PREFIX);
        }
        let tenants = self.tenants(&raw.tenants, &prefix.value);
        // The longest name prefix any tenant gets: every length rule below must hold for it.
        let longest = tenants
            .iter()
            .map(|t| format!("{}-{t}", prefix.value))
            .chain([prefix.value.clone()])
            .max_by_key(String::len)
            .unwrap_or_default();
        // "<prefix>-<bucket>-<12-digit account id>" must fit S3's 63 characters.
        for (name, _) in raw.s3.iter() {
            let len = longest.len() + name.value.len() + 14;
            if len > 63 {
                let problem = Problem::BucketNameTooLong {
                    longest: longest.clone(),
                    bucket: name.value.clone(),
                    len,
                    tenants: !tenants.is_empty(),
                };
                self.flag(pos(name), format!("s3.{}", name.value), problem);
            }
        }
        let region = raw.region.value.clone();
        if crate::base::regions::find(&region).is_none() {
            let problem = Problem::NotARegion {
                region: region.clone(),
            };
            self.flag(pos(&raw.region), "region", problem);
        }
        let tags = self.tags(&raw.tags);
        let description = raw.description.as_ref().map(|d| d.value.clone());
        let network = self.network(&raw.network, raw.app.is_some());
        let tables = self.sorted(&raw.dynamodb, "dynamodb", |v, name, t| {
            v.table(name, t, &region)
        });
        let buckets = self.sorted(&raw.s3, "s3", |v, name, b| v.bucket(name, b));
        let aurora = raw.aurora.as_ref().map(|a| self.aurora(a));
        // A load balancer, a DB subnet group and RDS Proxy all need subnets in two zones.
        if (raw.app.is_some() || raw.aurora.is_some()) && network.azs < 2 {
            self.flag(pos(&raw.network.value.azs), "network.azs", Problem::OneZone);
        }
        let app = raw.app.as_ref().map(|a| self.app(a, raw));
        let mut tables = tables;
        if app.as_ref().is_some_and(|a| a.catalog_cache) {
            self.cache_table(raw, &mut tables);
        }
        let alarms = self.alarms(raw);
        let functions = self.sorted(&raw.functions, "functions", |v, name, f| {
            v.function(name, f)
        });
        self.reserved_bucket(raw, &functions);
        let resources = Resources {
            name: raw.lab.value.clone(),
            prefix: prefix.value.clone(),
            region,
            description,
            tags,
            network,
            tables,
            buckets,
            app,
            aurora,
            alarms,
            functions,
            state: raw.state.as_ref().map(|s| self.state(s)),
            tenants,
            gameday: raw.gameday.as_ref().is_some_and(|g| g.value),
        };
        // The lab-wide fact experiments give each other: whether one moves the Aurora writer
        // (a zone cut after it may cut the catalog off).
        let failover = raw.experiments.iter().find_map(|(name, e)| {
            let e = &e.value;
            let moves = |action: &str, parameters: &NamedMap<Spanned<String>>| {
                crate::catalog::find(action).is_some_and(|action| {
                    crate::catalog::moves_writer(action, |p| {
                        parameters
                            .iter()
                            .find(|(n, _)| n.value == p.name)
                            .map(|(_, v)| v.value.clone())
                    })
                })
            };
            let single = e
                .action
                .as_ref()
                .is_some_and(|a| moves(&a.value, &e.parameters));
            let multi = e.actions.as_ref().is_some_and(|steps| {
                steps
                    .value
                    .iter()
                    .any(|s| moves(&s.value.action.value, &s.value.parameters))
            });
            // A scenario moves the writer when its plan for this lab does.
            let scenario = e
                .scenario
                .as_ref()
                .and_then(|s| scenarios::find(&s.value))
                .is_some_and(|s| {
                    let input = scenarios::Input {
                        az: 1,
                        duration: s.default_duration.to_owned(),
                        secs: s.duration_secs.0,
                    };
                    (s.plan)(&input, &resources).iter().any(|p| {
                        crate::catalog::moves_writer(p.action, |param| {
                            p.parameters
                                .iter()
                                .find(|(k, _)| *k == param.name)
                                .map(|(_, v)| v.clone())
                        })
                    })
                });
            (single || multi || scenario).then_some(name.value.as_str())
        });
        let context = Context::new(&resources, failover);
        let experiments: Vec<Experiment> = self
            .sorted(&raw.experiments, "experiments", |v, name, e| {
                v.experiment(name, e, &context)
            })
            .into_iter()
            .flatten()
            .collect();
        // The buckets the lab makes: the spec's, and chaoslab's own for the FIS Lambda
        // extension and for run reports.
        let mut bucket_names: Vec<&str> =
            resources.buckets.iter().map(|b| b.name.as_str()).collect();
        if resources.functions.iter().any(|f| f.fault_injection) {
            bucket_names.push(crate::resources::functions::CONFIG_BUCKET);
        }
        if experiments.iter().any(|e| e.report.is_some()) {
            bucket_names.push(report::BUCKET);
        }
        self.bucket_prefixes(raw, &bucket_names);
        Lab {
            resources,
            experiments,
            warnings: std::mem::take(&mut self.warnings),
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
                let key = k.value.clone();
                self.flag(pos(k), &field, Problem::TagKeyNotAllowed { key });
            } else if let Some(c) = k.value.chars().find(|c| !tag_char(*c)) {
                let key = k.value.clone();
                self.flag(pos(k), &field, Problem::TagKeyChar { key, c });
            }
            if v.value.chars().count() > 256 {
                self.flag(pos(v), &field, Problem::TagValueTooLong);
            } else if let Some(c) = v.value.chars().find(|c| !tag_char(*c)) {
                self.flag(pos(v), &field, Problem::TagValueChar { c });
            }
            // IAM treats tag keys case-insensitively: `lab` next to chaoslab's `Lab` (or two
            // spellings of one key) would make role creation fail.
            let clash = ["Lab", "ManagedBy"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain(tags.iter().map(|(t, _): &(String, String)| t.clone()))
                .find(|t| t != &k.value && t.to_lowercase() == k.value.to_lowercase());
            if let Some(other) = clash {
                let key = k.value.clone();
                self.flag(pos(k), &field, Problem::TagKeyCase { key, other });
            }
            tags.push((k.value.clone(), v.value.clone()));
        }
        tags.sort();
        tags
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

#[cfg(test)]
mod tests {

    #[test]
    fn regions() {
        for ok in ["us-east-1", "eu-west-3", "us-gov-west-1", "ap-southeast-2"] {
            assert!(crate::base::regions::find(ok).is_some(), "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us--1",
            "",
            "ap-nowhere-9",
        ] {
            assert!(crate::base::regions::find(bad).is_none(), "{bad}");
        }
    }
}
