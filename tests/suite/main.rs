//! Every integration test, in one binary: one link instead of twenty, so an edit rebuilds
//! the tests once. Filter by module, e.g. `cargo test --test suite corpus::` or
//! `cargo test --test suite golden::` (the rehearsals are tests/rehearsal, a binary of their own).

mod common;

mod app;
mod apply_tier;
mod cli;
mod cloudwatch;
mod codes;
mod computed;
mod corpus;
mod fis_facts;
mod fis_policy;
mod fis_rules;
mod fmt_conformance;
mod functions;
mod golden;
mod guardrails;
mod hardening;
mod hostile_servers;
mod housekeeping;
mod iam_scope;
mod injection;
mod kinds;
mod lab_model;
mod lab_readme;
mod layers;
mod limits;
mod lint;
mod ownership;
mod preflight;
mod python_locks;
mod readme_tables;
mod references;
mod regions;
mod report;
mod review_hooks;
mod rpo;
mod safe_output;
mod scenarios;
mod schedule;
mod schema_conformance;
mod sidecar;
mod spec_schema;
mod tenants;
mod terraform_outputs;
mod trickle;
mod untrusted_text;
mod validation;
mod yaml_wording;
