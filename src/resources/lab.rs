//! The checked nouns of one lab, together: what the FIS catalog resolves targets against and
//! what every later stage reads. Experiments, checked a layer above, are kept beside them in
//! `experiments::Lab`.

use super::{Alarm, App, Aurora, Bucket, Function, Network, State, Table};

#[derive(Clone, Debug)]
pub struct Resources {
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
}

impl Resources {
    /// Whether some function carries the FIS extension (and the lab its config bucket).
    pub fn fault_injected_functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter().filter(|f| f.fault_injection)
    }
}
