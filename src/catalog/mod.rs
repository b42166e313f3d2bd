//! The AWS FIS actions chaoslab knows, as data.
//!
//! Adding an action on an existing target kind is adding one [`Action`] entry: the validator
//! checks specs against it, the IAM emitter derives the FIS role's policy from it and the lab
//! README takes its expectation from it. Each [`TargetKind`] is a `static` [`Kind`] in one
//! module below that owns everything about it (resolving a spec target into a
//! [`TargetSelection`] that carries the FIS target block and the README wording); adding a
//! kind is one module plus its `pub mod` line and its actions' entries, no match to extend
//! (`functions` is the Lambda one, `tasks` the ECS one). Each action entry sits in the module of its target kind; [`ACTIONS`] lists them
//! in the order `chaoslab actions`, the IAM policy and the README follow.
//!
//! The catalog reads the lab only through the checked resources ([`crate::resources`]) and a
//! [`Step`] of an experiment, never an experiment itself: experiments sit a layer above.
//! Source: the AWS FIS actions reference and the managed policies it names (see
//! `fis-rules.md` §2 and §9 in the reference material). Every service fact an entry relies on
//! is in `data/fis-facts.json` with its documentation URL and the date it was read, and
//! tests/suite/fis_facts.rs holds the entries to it.

pub mod action;
pub mod alarms;
pub mod automation;
pub mod doc;
pub mod endpoints;
pub mod facts;
pub mod functions;
pub mod groups;
pub mod instances;
mod kinds;
pub mod network;
pub mod problem;
pub mod rds;
pub mod reach;
pub mod rehearsal;
pub mod roles;
pub mod spot;
pub mod ssm;
pub mod step;
pub mod tables;
pub mod tasks;
pub mod volumes;
pub mod wait;
pub mod zonal;

pub use action::{Action, Expect, PROVIDER_BASE, Param, ParamKind, Statement};
pub use functions::{DEFAULT_DELAY_MS, delay_problem};
pub use kinds::{Kind, Problem, TargetKind, TargetSelection};
pub use network::aurora_cut_problem;
pub use reach::Reach;
pub use rehearsal::{LocalFault, Rehearsal};
pub use step::{LabView, Step, Target, moves_writer};
pub use tasks::{APP_TASK_INSTANCES, EXCLUSIVE};

/// Every action chaoslab knows, in catalog order.
pub const ACTIONS: &[Action] = &[
    network::DISRUPT_CONNECTIVITY,
    endpoints::DISRUPT_VPC_ENDPOINT,
    instances::STOP_INSTANCES,
    instances::TERMINATE_INSTANCES,
    instances::REBOOT_INSTANCES,
    spot::SEND_SPOT_INSTANCE_INTERRUPTIONS,
    rds::FAILOVER_DB_CLUSTER,
    rds::REBOOT_DB_INSTANCES,
    roles::INJECT_API_THROTTLE_ERROR,
    roles::INJECT_API_INTERNAL_ERROR,
    roles::INJECT_API_UNAVAILABLE_ERROR,
    roles::API_INSUFFICIENT_CAPACITY,
    groups::ASG_INSUFFICIENT_CAPACITY,
    volumes::PAUSE_VOLUME_IO,
    volumes::VOLUME_IO_LATENCY,
    instances::SEND_COMMAND,
    automation::START_AUTOMATION_EXECUTION,
    functions::INVOCATION_ERROR,
    functions::INVOCATION_ADD_DELAY,
    functions::INVOCATION_HTTP_INTEGRATION_RESPONSE,
    tables::GLOBAL_TABLE_PAUSE_REPLICATION,
    tasks::STOP_TASK,
    tasks::TASK_CPU_STRESS,
    tasks::TASK_IO_STRESS,
    tasks::TASK_KILL_PROCESS,
    tasks::TASK_NETWORK_BLACKHOLE_PORT,
    tasks::TASK_NETWORK_LATENCY,
    tasks::TASK_NETWORK_PACKET_LOSS,
    zonal::START_ZONAL_AUTOSHIFT,
    alarms::ASSERT_ALARM_STATE,
    wait::WAIT,
];

pub fn find(id: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.id == id)
}
