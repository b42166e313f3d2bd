//! Layer 0: what every stage shares and nothing domain-specific: diagnostics and errors, text
//! escaping for each output language, did-you-mean, the HCL syntax tree and Terraform
//! addresses, durations, CIDR arithmetic, the Region table, and CloudWatch's alarm rules.
//! Imports nothing from the layers above (a test holds it so).

pub mod address;
pub mod cidr;
pub mod cloudwatch;
pub mod diag;
pub mod duration;
pub mod errors;
pub mod escape;
pub mod files;
pub mod hcl;
pub mod regions;
pub mod suggest;
pub mod text;
