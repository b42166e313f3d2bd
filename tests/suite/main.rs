//! Every integration test, in one binary: one link instead of twenty, so an edit rebuilds
//! the tests once. Filter by module, e.g. `cargo test --test suite corpus::` or
//! `cargo test --test suite rehearsal::`.

mod common;

mod app;
mod apply_tier;
mod cli;
mod corpus;
mod fis_policy;
mod fis_rules;
mod fmt_conformance;
mod functions;
mod golden;
mod hardening;
mod housekeeping;
mod injection;
mod lab_model;
mod lab_readme;
mod readme_tables;
mod references;
mod rehearsal;
mod review_hooks;
mod rpo;
mod safe_output;
mod schedule;
mod schema_conformance;
mod spec_schema;
mod tenants;
mod validation;
