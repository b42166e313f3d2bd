//! Layer 2: the checked resources, the nouns of a lab (network, app, tables, buckets, Aurora,
//! functions, alarms, tenants), each checked from its spec section with its rules and
//! defaults side by side. Imports only `base` and `spec`: the FIS catalog and the experiments
//! above resolve against these (a test holds the layering).

/// Longest name prefix: `<prefix>-alb` must fit a load balancer name (32 characters).
pub const MAX_PREFIX: usize = 24;

pub mod alarms;
pub mod app;
pub mod aurora;
pub mod checker;
pub mod dynamodb;
pub mod functions;
pub mod iam;
mod lab;
pub mod network;
pub mod s3;
pub mod services;
pub mod slots;
pub mod sqs;
pub mod tenants;
pub mod tree;

/// Terraform resource name for a spec name: identifiers may not contain `-` by convention.
pub fn tf_name(spec_name: &str) -> String {
    spec_name.replace('-', "_")
}

pub use alarms::{Alarm, AlarmMetric};
pub use app::{App, Breaker, CACHE_TABLE, Fargate, Runtime, Timeouts};
pub use aurora::{Aurora, reader_zone};
pub use checker::Validator;
pub use dynamodb::{AttrValue, Billing, Item, Key, KeyType, Table};
pub use functions::{Architecture, Function};
pub use lab::Resources;
pub use network::{Nat, Network, Tier};
pub use s3::{Bucket, Object};
pub use tenants::State;
