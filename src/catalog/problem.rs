//! What can be wrong with a step's target: a value its kind cannot resolve in this lab. Each
//! kind's `resolve` returns one of these; the experiment check reports it at the value.

use crate::base::diag::problems;
use crate::base::suggest::did_you_mean;

problems! {
    /// A target value that names nothing the lab can fault, or a resource the fault cannot reach.
    pub enum Problem in "catalog::Problem" {
        /// A kind of one resource whose section the spec lacks, e.g. `clusters` without `aurora:`.
        Missing { what: String, section: String } => E043,
        /// A value other than the one resource a kind can name (`allowed`).
        NotTheOne { spec_key: String, value: String, allowed: String } => E043,
        /// `tiers`: the subnet tiers there are.
        NoSuchTier { value: String, tiers: Vec<String> } => E043,
        NoFunctions => E043,
        NoSuchFunction { value: String, names: Vec<String> } => E043,
        NoSuchTable { value: String, names: Vec<String> } => E043,
        /// `names`: the services with an interface endpoint.
        NoSuchEndpoint { value: String, names: Vec<String> } => E043,
        InstancesOnEcs => E043,
        /// Spot interruptions of a fleet bought On-Demand: the spec has no Spot Instances.
        NotSpot => E043,
        TasksOnEc2 => E043,
        NoAppTasks => E043,
        /// `az` on a kind whose resources have no zone.
        ZoneNotTaken { spec_key: String } => E042,
        /// A kind FIS acts on in one zone only, without `az`; `azs`: the lab's zone count.
        ZoneNeeded { spec_key: String, azs: usize } => E042,
        FunctionWithoutExtension { function: String } => E052,
        TableWithoutReplicas { table: String } => E083,
        TasksWithoutSidecar => E084,
        /// A Lambda startup delay (`default`: not given) the function's timeout (s) cuts short.
        DelayPastTimeout { delay_ms: u64, default: bool, function: String, timeout: u32 } => E053,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::Missing { what, .. } => format!("the spec has no {what} to target"),
            Problem::NotTheOne {
                spec_key, value, ..
            } => format!("there is no `{value}` to target with `{spec_key}`"),
            Problem::NoSuchTier { value, .. } => format!("there is no subnet tier `{value}`"),
            Problem::NoFunctions => "the spec has no Lambda functions to target".to_owned(),
            Problem::NoSuchFunction { value, .. } => {
                format!("there is no function `{value}` to target")
            }
            Problem::NoSuchTable { value, .. } => {
                format!("there is no DynamoDB table `{value}` to target")
            }
            Problem::NoSuchEndpoint { value, .. } => {
                format!("the lab has no interface endpoint for `{value}` to target")
            }
            Problem::NotSpot => "the app's instances are On-Demand: EC2 sends Spot interruptions to Spot Instances only".to_owned(),
            Problem::InstancesOnEcs => {
                "the app runs as ECS tasks: there are no app instances to target".to_owned()
            }
            Problem::TasksOnEc2 => {
                "the app runs on EC2 instances: there are no ECS tasks to target".to_owned()
            }
            Problem::NoAppTasks => "the spec has no app tasks to target".to_owned(),
            Problem::ZoneNotTaken { spec_key } => {
                format!("`az` does not apply to `{spec_key}` targets")
            }
            Problem::ZoneNeeded { spec_key, .. } => {
                format!("FIS acts on `{spec_key}` of one zone only, and no `az` names it")
            }
            Problem::FunctionWithoutExtension { function } => format!(
                "function `{function}` has `fault_injection: false`: without the AWS FIS Lambda extension, FIS cannot reach its invocations"
            ),
            Problem::TableWithoutReplicas { table } => {
                format!("table `{table}` has no replica, so there is no replication to pause")
            }
            Problem::TasksWithoutSidecar => "the app has `fault_injection: false`: without the SSM agent sidecar, FIS cannot run its fault documents inside the tasks".to_owned(),
            Problem::DelayPastTimeout {
                delay_ms,
                default,
                timeout,
                ..
            } => format!(
                "startupDelayMilliseconds {delay_ms} ms{} is not below the function's timeout {timeout} s = {} ms: every delayed invocation would time out",
                if *default { " (the default)" } else { "" },
                u64::from(*timeout) * 1000
            ),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::Missing { section, .. } => format!("add `{section}:` to the spec"),
            Problem::NotTheOne {
                spec_key,
                value,
                allowed,
            } => did_you_mean(value, &[allowed.as_str()], || {
                format!("`{spec_key}` targets take `{allowed}`")
            }),
            Problem::NoSuchTier { value, tiers } => did_you_mean(value, &strs(tiers), || {
                format!("subnet tiers are: {}", tiers.join(", "))
            }),
            Problem::NoFunctions => "add `functions:` to the spec".to_owned(),
            Problem::NoSuchFunction { value, names } => did_you_mean(value, &strs(names), || {
                format!("`functions` targets take one of: {}", names.join(", "))
            }),
            Problem::NoSuchTable { value, names } => did_you_mean(value, &strs(names), || {
                if names.is_empty() {
                    "add a table with `replicas:` under `dynamodb:`".to_owned()
                } else {
                    format!("`tables` targets take one of: {}", names.join(", "))
                }
            }),
            Problem::NoSuchEndpoint { value, names } => did_you_mean(value, &strs(names), || {
                if names.is_empty() {
                    "add `interface_endpoints: [s3]` under `network:` (a gateway endpoint has no security group for FIS to swap); to cut a gateway endpoint's service, use aws:network:disrupt-connectivity".to_owned()
                } else {
                    format!("`vpc-endpoints` targets take one of: {}", names.join(", "))
                }
            }),
            Problem::NotSpot => "add `spot: true` to the app".to_owned(),
            Problem::InstancesOnEcs => {
                "target `tasks: app` with an aws:ecs:* action, or remove `runtime: ecs` from the app"
                    .to_owned()
            }
            Problem::TasksOnEc2 => {
                "add `runtime: ecs` to the app, or use an aws:ec2:* action on `instances: app`"
                    .to_owned()
            }
            Problem::NoAppTasks => "add `app: {runtime: ecs}` to the spec".to_owned(),
            Problem::ZoneNotTaken { .. } => "remove `az`".to_owned(),
            Problem::ZoneNeeded { azs, .. } => format!("add `az: N` (1 to {azs}) to the step"),
            Problem::FunctionWithoutExtension { function } => format!(
                "remove `fault_injection: false` from functions.{function}, or target another function"
            ),
            Problem::TableWithoutReplicas { table } => {
                format!("add `replicas: [<another Region>]` to dynamodb.{table}")
            }
            Problem::TasksWithoutSidecar => "remove `fault_injection: false` from the app, or use aws:ecs:stop-task, which needs no sidecar".to_owned(),
            Problem::DelayPastTimeout {
                delay_ms,
                function,
                timeout,
                ..
            } => {
                let needed = delay_ms / 1000 + 1;
                let raise = if needed <= u64::from(crate::resources::functions::MAX_TIMEOUT) {
                    format!(", or raise functions.{function}.timeout to at least {needed} s")
                } else {
                    String::new()
                };
                format!(
                    "set startupDelayMilliseconds below {}{raise}; if timeouts are the point, add `acknowledge: [function-timeout]`",
                    u64::from(*timeout) * 1000
                )
            }
        }
    }
}

fn strs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}
