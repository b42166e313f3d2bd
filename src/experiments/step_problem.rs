//! What can be wrong in an experiment's steps, as data: the action, its parameters and their
//! values, its target, the `start_after` graph and the lab rules on each step. Each finding's
//! code, message and fix are written once here; the checks pass the values.

use crate::base::diag::problems;
use crate::base::duration;
use crate::base::suggest::did_you_mean;

use super::MAX_ACTIONS;

problems! {
    /// A finding of one step of an experiment.
    pub enum StepProblem in "experiments::StepProblem" {
        ExclusiveOverlap { a: String, a_action: String, b: String, b_action: String } => E057,
        PrefixListMissing => E041,
        PrefixListUnused => E041,
        RestartReplaced => E044,
        StopSpot => E085,
        AutoshiftEnabled => E041,
        PartialSubnets => E044,
        ThroughProxy => E045,
        /// `service`: `s3` or `dynamodb`, reached through an interface endpoint.
        ThroughEndpoint { service: String } => E045,
        /// `why`: the catalog's reason the cut leaves Aurora reachable.
        AuroraNotCut { why: String } => W006,
        ScopeAll => W001,
        /// `failover`: the action is a cluster failover (else a reboot with failover).
        NoReader { action: String, failover: bool } => E046,
        /// `zone`: the zone, counted from 0.
        WriterZone { zone: usize } => W003,
        AsgReplacement => W004,
        /// The step's duration `lasts` against the documented lag (`says`, `source`, `url`,
        /// `seconds`) of its action.
        AppliedLate { action: String, param: String, lasts: u64, says: String, source: String, seconds: u64, url: String } => E080,
        MixedKey { key: &'static str } => E055,
        NoActions => E055,
        TooManyActions { count: usize } => E055,
        ActionNameTwice { name: String } => E055,
        StartsAfterItself { name: String } => E055,
        /// `others`: the experiment's other actions; `names`: all of them.
        NoSuchAction { name: String, others: Vec<String>, names: Vec<String> } => E055,
        Cycle { name: String } => E055,
        UnknownAction { action: String } => E040,
        NoZone { azs: usize, zone: u32 } => E042,
        /// `capitals`: the mode in capitals, when that is one.
        NotSelectionMode { mode: String, capitals: Option<String> } => E042,
        /// `form` (`COUNT`, `PERCENT`) takes `n` from `min` to `max` (`u64::MAX`: no bound).
        SelectsNothing { mode: String, form: &'static str, min: u64, max: u64 } => E042,
        SelectionOutOfRange { mode: String, form: &'static str, min: u64, max: u64 } => E042,
        TakesNoTarget { action: &'static str } => E042,
        WrongTargetKey { action: &'static str, key: String, kind: &'static str } => E042,
        NeedsTarget { action: &'static str, kind: &'static str } => E042,
        /// In an FIS template: an action's target naming none of the template's `names`.
        NoSuchTarget { name: String, names: Vec<String> } => E042,
        /// In an FIS template: a target of another resource type than the action takes.
        WrongResourceType { action: &'static str, target: String, resource_type: String, expected: &'static str } => E042,
        UnknownParameter { action: &'static str, name: String, known: Vec<&'static str> } => E041,
        MissingParameter { action: &'static str, name: &'static str } => E041,
        /// `why`: the duration parser's words.
        NotDuration { why: String } => E041,
        DurationRange { value: String, action: String, min_secs: u64, max_secs: u64 } => E041,
        /// `advice`: the catalog's fix for this parameter, if it gives one.
        NotOneOf { value: String, values: Vec<&'static str>, advice: Option<&'static str> } => E041,
        NotBool { value: String } => E041,
        NotWholeNumber { value: String, min: u64, max: u64 } => E041,
        NotOperations { value: String } => E041,
        NotIdentifier { value: String } => E041,
        NotMediaType { value: String } => E041,
        NotProcessName { value: String } => E041,
        /// `why`: what is wrong with the first bad item.
        NotSources { value: String, why: String } => E041,
        /// `azs`: how many zones the lab has.
        NotZones { value: String, azs: usize } => E041,
        NotZone { value: String, azs: usize } => E041,
        /// In an FIS template: zone names or IDs (`single`: exactly one).
        NotFisZones { value: String, single: bool } => E041,
        /// In an FIS template: `what` (`a CloudWatch alarm`) by its ARN.
        NotArn { value: String, what: &'static str } => E041,
        /// Blanks around a value, which FIS keeps.
        Blanks { value: String } => E041,
        /// `item`: the first name that is not one of the lab's `alarms`.
        NotAlarm { value: String, item: String, alarms: Vec<String> } => E041,
        /// `item`: the first item not among `values`, or given twice.
        NotAnyOf { value: String, item: String, values: Vec<&'static str> } => E041,
        TooManyAlarms { count: usize, max: usize } => E041,
        NotRunbook { value: String } => E041,
        /// `why`: what is wrong with the object.
        NotRunbookParameters { value: String, why: String } => E041,
        /// The bounds in tenths.
        NotDecimal { value: String, min_tenths: u64, max_tenths: u64 } => E041,
        UnknownDocument { name: String } => E041,
        NotJsonObject { value: String } => E041,
        NotDocumentArn { value: String } => E041,
        DocumentRegion { value: String, arn_region: String, region: String } => E041,
        DocumentAccount { value: String, account: String } => E041,
        NotFisDocument { value: String } => E041,
        FargateValue { action: &'static str, name: &'static str, value: &'static str } => E041,
        UnknownDocParameter { document: &'static str, key: String, names: Vec<&'static str> } => E041,
        /// `value`: the JSON value as given.
        DocNotString { key: String, value: String } => E041,
        DocNotWhole { name: &'static str, value: String, min: u64, max: u64 } => E041,
        /// `max`: the action's duration in seconds.
        DocTooLong { name: &'static str, value: String, max: u64 } => E041,
        DocNotAllowed { name: &'static str, value: String, values: Vec<&'static str> } => E041,
        /// `why`: the catalog's reason the interface name is not one.
        DocInterface { name: &'static str, value: String, why: String } => E041,
        /// `seconds`: the example value of a parameter in seconds (none for other kinds).
        DocMissing { document: &'static str, name: &'static str, params: &'static str, seconds: Option<u64> } => E041,
    }
}

impl crate::base::diag::Problem for StepProblem {
    fn message(&self) -> String {
        match self {
            StepProblem::ExclusiveOverlap {
                a,
                a_action,
                b,
                b_action,
            } => format!(
                "`{a}` ({a_action}) and `{b}` ({b_action}) would run at the same time, and FIS runs only one ECS task network fault at a time"
            ),
            StepProblem::AutoshiftEnabled => "zonalAutoshiftStatus ENABLED selects only resources with zonal autoshift enabled, and the lab's load balancer has zonal shift without autoshift: FIS would find no target and fail the experiment".to_owned(),
            StepProblem::StopSpot => "the app runs on Spot Instances, which EC2 does not stop: an auto-scaling group launches them with one-time requests, and only a persistent request's instance can be stopped".to_owned(),
            StepProblem::PrefixListMissing => {
                "scope prefix-list needs `prefixListIdentifier`".to_owned()
            }
            StepProblem::PrefixListUnused => {
                "`prefixListIdentifier` only applies to scope prefix-list".to_owned()
            }
            StepProblem::RestartReplaced => "the auto-scaling group replaces stopped app instances, so FIS cannot restart them and the action fails".to_owned(),
            StepProblem::PartialSubnets => "the fault reaches only some of the app subnets, and the load balancer routes around it".to_owned(),
            StepProblem::ThroughProxy => "the app reaches Aurora through RDS Proxy, a managed service whose connections a subnet network ACL does not sever".to_owned(),
            StepProblem::ThroughEndpoint { service } => format!(
                "the app reaches {} through an interface endpoint (PrivateLink), whose private addresses a subnet network ACL does not sever",
                if service == "s3" { "S3" } else { "DynamoDB" }
            ),
            StepProblem::AuroraNotCut { why } => format!(
                "`dependency: aurora` says this fault cuts the app off Aurora, but {why}"
            ),
            StepProblem::ScopeAll => "scope `all` cuts every dependency of the app subnets, the catalog on Aurora included".to_owned(),
            StepProblem::NoReader { action, .. } => {
                format!("{action} fails the writer over to a reader, and the cluster has none")
            }
            StepProblem::WriterZone { zone } => format!(
                "after this lab's failover the Aurora writer may sit in zone {}, and cutting that zone cuts the catalog off too",
                zone + 1
            ),
            StepProblem::AsgReplacement => "the auto-scaling group replaces the instances this experiment stops or cuts off, and a replacement launched into a cut-off subnet cannot install the app (dnf and PyPI)".to_owned(),
            StepProblem::AppliedLate { action, param, lasts, says, source, seconds, .. } => {
                let left = if lasts == seconds { "=" } else { "<" };
                format!(
                    "{action} `{param}` is {} ({lasts} s), and {says} ({source}): {lasts} s − {seconds} s {left} 0 s, no time in which the fault is sure to be in effect",
                    duration::show(*lasts),
                )
            }
            StepProblem::MixedKey { key } => format!("`{key}` beside `actions:`: each action has its own"),
            StepProblem::NoActions => "an experiment needs at least one action".to_owned(),
            StepProblem::TooManyActions { count } => format!(
                "an FIS experiment template holds at most {MAX_ACTIONS} actions; this one has {count}"
            ),
            StepProblem::ActionNameTwice { name } => format!("two actions are named `{name}`"),
            StepProblem::StartsAfterItself { name } => format!("`{name}` cannot start after itself"),
            StepProblem::NoSuchAction { name, .. } => {
                format!("there is no action `{name}` in this experiment")
            }
            StepProblem::Cycle { name } => format!("`{name}` waits, through start_after, for itself"),
            StepProblem::UnknownAction { action } => {
                format!("`{action}` is not an FIS action chaoslab supports")
            }
            StepProblem::NoSuchTarget { name, .. } => {
                format!("the template has no target `{name}`")
            }
            StepProblem::WrongResourceType { action, target, resource_type, expected } => format!(
                "target `{target}` selects `{resource_type}`, and {action} acts on `{expected}`"
            ),
            StepProblem::NoZone { azs, zone } => {
                format!("the lab has {azs} availability zones; there is no zone {zone}")
            }
            StepProblem::NotSelectionMode { mode, .. } => format!("`{mode}` is not a selection mode"),
            StepProblem::SelectsNothing { mode, .. } => format!(
                "`{mode}` selects no target, and FIS fails an experiment whose targets it cannot find"
            ),
            StepProblem::SelectionOutOfRange { mode, form, min, max } => {
                format!("`{mode}`: the n of {form}(n) is {}", whole_range(*min, *max))
            }
            StepProblem::TakesNoTarget { action } => format!("{action} takes no target"),
            StepProblem::WrongTargetKey { action, key, .. } => {
                format!("{action} cannot target `{key}`")
            }
            StepProblem::NeedsTarget { action, kind } => format!("{action} needs a `{kind}` target"),
            StepProblem::UnknownParameter { action, name, .. } => {
                format!("{action} has no parameter `{name}`")
            }
            StepProblem::MissingParameter { action, name } => {
                format!("{action} needs the parameter `{name}`")
            }
            StepProblem::NotDuration { why } => why.clone(),
            StepProblem::DurationRange { value, action, min_secs, max_secs } => format!(
                "{value} is outside {}..{} for {action}",
                duration::show(*min_secs),
                duration::show(*max_secs)
            ),
            StepProblem::NotOneOf { value, values, .. } => {
                format!("`{value}` is not allowed here (allowed: {})", values.join(", "))
            }
            StepProblem::NotBool { value } => format!("`{value}` is not true or false"),
            StepProblem::NotWholeNumber { value, min, max } => {
                format!("`{value}` is not a whole number from {min} to {max}")
            }
            StepProblem::NotOperations { value } => format!("`{value}` is not a list of API operations"),
            StepProblem::NotIdentifier { value } => {
                format!("`{value}` is not a resource name, ID or ARN")
            }
            StepProblem::NotMediaType { value } => format!("`{value}` is not a media type"),
            StepProblem::NotProcessName { value } => format!("`{value}` is not a process name"),
            StepProblem::NotZones { value, azs } => {
                format!("`{value}` is not a list of the lab's zones (1 to {azs})")
            }
            StepProblem::NotFisZones { value, single } => format!(
                "`{value}` is not {}",
                if *single { "an Availability Zone name or ID" } else { "a list of Availability Zone names or IDs" }
            ),
            StepProblem::NotArn { value, what } => format!("`{value}` is not the ARN of {what}"),
            StepProblem::Blanks { value } => format!("`{value}` has blanks around it, which FIS keeps as part of the value"),
            StepProblem::NotZone { value, azs } => {
                format!("`{value}` is not one of the lab's zones (1 to {azs})")
            }
            StepProblem::NotAlarm { item, .. } => format!("there is no alarm `{item}` in the lab"),
            StepProblem::TooManyAlarms { count, max } => {
                format!("{count} alarms, and the action reads at most {max}")
            }
            StepProblem::NotRunbook { value } => {
                format!("`{value}` is not the name of a runbook of the lab's account")
            }
            StepProblem::NotRunbookParameters { value, why } => {
                format!("`{value}` is not an SSM document's parameters: {why}")
            }
            StepProblem::NotDecimal { value, min_tenths, max_tenths } => format!(
                "`{value}` is not a number from {} to {}",
                tenths(*min_tenths),
                tenths(*max_tenths)
            ),
            StepProblem::NotAnyOf { value, values, .. } => format!(
                "`{value}` is not a comma-separated list of {}, each once",
                values.join(", ")
            ),
            StepProblem::NotSources { value, why } => {
                format!("`{value}` is not a list of sources: {why}")
            }
            StepProblem::UnknownDocument { name } => {
                format!("chaoslab does not know the parameters of `{name}`")
            }
            StepProblem::NotJsonObject { value } => format!("`{value}` is not a JSON object"),
            StepProblem::NotDocumentArn { value } => format!("`{value}` is not an SSM document ARN"),
            StepProblem::DocumentRegion { value, arn_region, region } => format!(
                "`{value}` is a document of Region `{arn_region}`, but the lab runs in `{region}` and its FIS role may only send that Region's documents"
            ),
            StepProblem::DocumentAccount { value, account } => format!(
                "`{value}` names account `{account}`: AWSFIS-Run-* documents are owned by AWS and have no account in their ARN"
            ),
            StepProblem::NotFisDocument { value } => {
                format!("`{value}` is not an AWSFIS-Run-* SSM document")
            }
            StepProblem::FargateValue { action, name, value } => format!(
                "{action} on Fargate tasks needs `{name}: \"{value}\"`: FIS runs it there only through the ECS fault-injection endpoints"
            ),
            StepProblem::UnknownDocParameter { document, key, .. } => {
                format!("{document} has no parameter `{key}`")
            }
            StepProblem::DocNotString { key, value } => format!(
                "`{key}` is {value}, not a string: FIS passes document parameters as strings"
            ),
            StepProblem::DocNotWhole { name, value, min, max } => {
                format!("{name} `{value}` is not a whole number from {min} to {max}")
            }
            StepProblem::DocTooLong { name, value, max } => format!(
                "{name} `{value}` is longer than the action's duration ({} = {max} s): FIS cancels the command when the action ends, so the fault would not run as written",
                duration::show(*max)
            ),
            StepProblem::DocNotAllowed { name, value, values } => {
                format!("{name} `{value}` is not allowed (allowed: {})", values.join(", "))
            }
            StepProblem::DocInterface { name, value, why } => format!("{name} `{value}` {why}"),
            StepProblem::DocMissing { document, name, params, .. } => {
                format!("{document} needs `{name}` in {params}")
            }
        }
    }

    fn help(&self) -> String {
        match self {
            StepProblem::ExclusiveOverlap { a, b, .. } => format!(
                "add `start_after: [{a}]` to `{b}`, or move one of them to an experiment of its own"
            ),
            StepProblem::AutoshiftEnabled => "set `zonalAutoshiftStatus: ANY`".to_owned(),
            StepProblem::StopSpot => "to take Spot Instances away, use aws:ec2:send-spot-instance-interruptions on `spot-instances: app` (or aws:ec2:terminate-instances); or remove `spot: true` from the app".to_owned(),
            StepProblem::PrefixListMissing => "add the customer-managed prefix list's name, ID or ARN as `prefixListIdentifier`".to_owned(),
            StepProblem::PrefixListUnused => {
                "remove `prefixListIdentifier`, or set `scope: prefix-list`".to_owned()
            }
            StepProblem::RestartReplaced => {
                "add `completeIfInstancesTerminated: \"true\"` to the parameters".to_owned()
            }
            StepProblem::PartialSubnets => "target every app subnet (no `az`, selection_mode ALL), or add `acknowledge: [partial-subnets]` if losing one zone is the point".to_owned(),
            StepProblem::ThroughProxy | StepProblem::ThroughEndpoint { .. } => "the fault has to match how the dependency is reached: drop the proxy or interface endpoint for this lab, or fault the dependency another way (aws:network:disrupt-vpc-endpoint for interface endpoints, once chaoslab supports it)".to_owned(),
            StepProblem::AuroraNotCut { .. } => "for an Aurora outage reboot the writer (`aws:rds:reboot-db-instances` on `db-instances: aurora-writer`) or fail the cluster over (`aws:rds:failover-db-cluster`, with `readers: 1`), as chaos-shop-degradation does; to lose the writer's zone, cut zone 1 (`scope: all`, `az: 1`, `acknowledge: [partial-subnets, scope-all]`); then remove `dependency: aurora`".to_owned(),
            StepProblem::ScopeAll => "to cut one dependency use scope `dynamodb` or `s3`; if a full network cut is the point, add `acknowledge: [scope-all]`".to_owned(),
            StepProblem::NoReader { failover: true, .. } => {
                "add `readers: 1` under `aurora:` (a reader in another zone to promote)".to_owned()
            }
            StepProblem::NoReader { failover: false, .. } => {
                "add `readers: 1` under `aurora:`, or drop `forceFailover` for a plain reboot"
                    .to_owned()
            }
            StepProblem::WriterZone { .. } => "the lab README says how to check where the writer is and fail back before this run; add `acknowledge: [writer-zone]` once you follow it".to_owned(),
            StepProblem::AsgReplacement => "the lab README shows how to suspend the group's ReplaceUnhealthy process for the run; add `acknowledge: [asg-replacement]` once you follow it".to_owned(),
            StepProblem::AppliedLate { param, lasts, seconds, url, .. } => format!(
                "make `{param}` longer than {}: {} keeps the fault in effect for at least {} ({url})",
                duration::show(*seconds),
                duration::show(seconds + lasts),
                duration::show(*lasts),
            ),
            StepProblem::MixedKey { key } => {
                format!("move `{key}` into the action under `actions:` it belongs to")
            }
            StepProblem::NoActions => {
                "list the actions under `actions:`, or use `action:` for one".to_owned()
            }
            StepProblem::TooManyActions { .. } => format!(
                "split it into experiments of at most {MAX_ACTIONS} actions each (FIS quota \"Actions per experiment template\", not adjustable)"
            ),
            StepProblem::ActionNameTwice { .. } => {
                "give each action of the experiment its own name".to_owned()
            }
            StepProblem::StartsAfterItself { .. } => {
                "name another action, or remove it from start_after".to_owned()
            }
            StepProblem::NoSuchAction { name, others, names } => {
                let others: Vec<&str> = others.iter().map(String::as_str).collect();
                did_you_mean(name, &others, || {
                    format!("the experiment's actions are: {}", names.join(", "))
                })
            }
            StepProblem::Cycle { .. } => {
                "break the cycle: some action must start without waiting for this one".to_owned()
            }
            StepProblem::NoSuchTarget { name, names } => did_you_mean(name, &names.iter().map(String::as_str).collect::<Vec<_>>(), || {
                format!("name one of the template's targets: {}", names.join(", "))
            }),
            StepProblem::WrongResourceType { expected, .. } => {
                format!("set the target's resource type to `{expected}`")
            }
            StepProblem::UnknownAction { action } => {
                // A suggestion keeps the service the author named when chaoslab knows it:
                // `aws:ec2:cpu-stress` is not a typo of `aws:ecs:task-cpu-stress`.
                let service = |id: &str| id.split(':').nth(1).map(str::to_owned);
                let named = service(action);
                let mut ids: Vec<&str> = crate::catalog::ACTIONS
                    .iter()
                    .map(|a| a.id)
                    .filter(|id| service(id) == named)
                    .collect();
                if ids.is_empty() {
                    ids = crate::catalog::ACTIONS.iter().map(|a| a.id).collect();
                }
                did_you_mean(action, &ids, || {
                    "see the supported actions in README.md (src/catalog/); CPU, memory and latency faults on EC2 use aws:ssm:send-command with an AWSFIS-Run-* document".to_owned()
                })
            }
            StepProblem::NoZone { azs, .. } => format!("use a zone number from 1 to {azs}"),
            StepProblem::NotSelectionMode { capitals: Some(upper), .. } => {
                format!("write it in capitals: `{upper}`")
            }
            StepProblem::NotSelectionMode { capitals: None, .. } => {
                let modes: Vec<String> = super::steps::SELECTION_MODES
                    .iter()
                    .map(|(mode, ..)| format!("{mode}(n)"))
                    .collect();
                format!("use ALL, {}", modes.join(" or "))
            }
            StepProblem::SelectsNothing { form, min, max, .. }
            | StepProblem::SelectionOutOfRange { form, min, max, .. } => {
                format!("use {form}(n) with n {}, or ALL", whole_range(*min, *max))
            }
            StepProblem::TakesNoTarget { .. } => "remove `targets`".to_owned(),
            StepProblem::WrongTargetKey { action, key, kind } => did_you_mean(key, &[kind], || {
                format!("{action} targets `{kind}`")
            }),
            StepProblem::NeedsTarget { kind, .. } => format!("add `{kind}:` under targets"),
            StepProblem::UnknownParameter { action, name, known } => did_you_mean(name, known, || {
                if known.is_empty() {
                    format!("{action} takes no parameters; remove them")
                } else {
                    format!("{action} takes: {}", known.join(", "))
                }
            }),
            StepProblem::MissingParameter { name, .. } => format!("add `{name}:` under parameters"),
            StepProblem::NotDuration { .. } => "write an ISO 8601 duration such as PT3M".to_owned(),
            StepProblem::DurationRange { min_secs, max_secs, .. } => format!(
                "choose a duration from {} to {}",
                duration::show(*min_secs),
                duration::show(*max_secs)
            ),
            StepProblem::NotOneOf { advice: Some(advice), .. } => (*advice).to_owned(),
            StepProblem::NotOneOf { value, values, advice: None } => did_you_mean(value, values, || {
                format!("use one of: {}", values.join(", "))
            }),
            StepProblem::NotBool { .. } => "write true or false".to_owned(),
            StepProblem::NotWholeNumber { min, max, .. } => {
                format!("use a whole number from {min} to {max}")
            }
            StepProblem::NotOperations { .. } => "list operation names separated by commas, without spaces, e.g. DescribeInstances,RunInstances".to_owned(),
            StepProblem::NotIdentifier { .. } => {
                "write the name, ID or ARN without spaces".to_owned()
            }
            StepProblem::NotMediaType { .. } => {
                "write a media type such as text/plain or application/json".to_owned()
            }
            StepProblem::NotProcessName { .. } => {
                "name the process as `pgrep` sees it, e.g. gunicorn".to_owned()
            }
            StepProblem::NotZones { azs, .. } => format!("write the lab's zones by number, comma-separated without spaces, from 1 to {azs}, e.g. \"1\"; chaoslab writes their names"),
            StepProblem::NotFisZones { single, .. } => format!(
                "write {} such as `us-east-1a` or `use1-az1`{}",
                if *single { "one zone" } else { "zones" },
                if *single { "" } else { ", comma-separated without spaces" }
            ),
            StepProblem::NotArn { what, .. } => format!("give {what} by its full ARN, `arn:aws:...`"),
            StepProblem::Blanks { value } => format!("write `{}`", value.trim()),
            StepProblem::NotZone { azs, .. } => format!("write one zone of the lab by number, from 1 to {azs}, e.g. \"1\"; chaoslab writes its name"),
            StepProblem::NotAlarm { item, alarms, .. } if item.starts_with("arn:") => format!(
                "name the lab's alarms by their names in the spec ({}); chaoslab writes their ARNs",
                alarms.join(", ")
            ),
            StepProblem::NotAlarm { item, alarms, .. } => did_you_mean(item, &alarms.iter().map(String::as_str).collect::<Vec<_>>(), || {
                format!("name alarms of the lab, comma-separated without spaces: {}", alarms.join(", "))
            }),
            StepProblem::TooManyAlarms { max, .. } => {
                format!("name at most {max} alarms, or split the check into two actions")
            }
            StepProblem::NotRunbook { .. } => "name the runbook as it is called in the lab's account: 3 to 128 letters, digits, `_`, `-` and `.`, without an ARN and not beginning with `aws`, `amazon` or `amzn`, which AWS keeps for its own".to_owned(),
            StepProblem::NotRunbookParameters { .. } => "write a JSON object of strings or lists of strings, e.g. '{\"AutomationAssumeRole\": \"arn:aws:iam::111122223333:role/drain\"}'".to_owned(),
            StepProblem::NotDecimal { min_tenths, max_tenths, .. } => format!(
                "write a number from {} to {}, with at most one decimal place, as a string",
                tenths(*min_tenths),
                tenths(*max_tenths)
            ),
            StepProblem::NotAnyOf { item, values, .. } if values.contains(&item.as_str()) => {
                format!("list `{item}` once")
            }
            StepProblem::NotAnyOf { item, values, .. } => did_you_mean(item, values, || {
                format!(
                    "write one or more of {}, comma-separated without spaces, each once",
                    values.join(", ")
                )
            }),
            StepProblem::NotSources { .. } => "write comma-separated IPv4 addresses, CIDR blocks, domain names, DYNAMODB or S3, without spaces, e.g. DYNAMODB,S3".to_owned(),
            StepProblem::UnknownDocument { name } => {
                let known: Vec<&str> = crate::catalog::ssm::DOCUMENTS.iter().map(|d| d.name).collect();
                did_you_mean(name, &known, || {
                    format!(
                        "use one of: {} (adding a document is one entry in src/catalog/ssm.rs)",
                        known.join(", ")
                    )
                })
            }
            StepProblem::NotJsonObject { .. } => "write the parameters as a JSON object in quotes, e.g. '{\"DurationSeconds\": \"60\"}'".to_owned(),
            StepProblem::NotDocumentArn { .. } => {
                format!("{DOCUMENT_EXAMPLE}; or give the full ARN, with its `document/` part")
            }
            StepProblem::DocumentRegion { .. }
            | StepProblem::DocumentAccount { .. }
            | StepProblem::NotFisDocument { .. } => DOCUMENT_EXAMPLE.to_owned(),
            StepProblem::FargateValue { name, value, .. } => format!(
                "remove `{name}` (chaoslab sets it to \"{value}\" for the app's tasks)"
            ),
            StepProblem::UnknownDocParameter { document, key, names } => did_you_mean(key, names, || {
                format!("{document} takes: {}", names.join(", "))
            }),
            StepProblem::DocNotString { key, value } => {
                format!("quote the value: \"{key}\": \"{}\"", value.trim_matches('"'))
            }
            StepProblem::DocNotWhole { min, max, .. } => {
                format!("use a whole number from {min} to {max}, in quotes")
            }
            StepProblem::DocTooLong { name, max, .. } => format!(
                "set {name} to at most \"{max}\", or lengthen the action's `duration`"
            ),
            StepProblem::DocNotAllowed { value, values, .. } => did_you_mean(value, values, || {
                format!("use one of: {}", values.join(", "))
            }),
            StepProblem::DocInterface { .. } => "name the instance's network interface, e.g. ens5 (Amazon Linux 2023) or eth0: letters, digits, `.`, `_` and `-`".to_owned(),
            StepProblem::DocMissing { name, params, seconds, .. } => {
                let example = match seconds {
                    Some(s) => format!("\"{name}\": \"{s}\""),
                    None => format!("\"{name}\": \"...\""),
                };
                format!("add {example} to {params}")
            }
        }
    }
}

/// The whole numbers `n` may take, in words (`u64::MAX`: no upper bound).
fn whole_range(min: u64, max: u64) -> String {
    if max == u64::MAX {
        format!("a whole number of at least {min}")
    } else {
        format!("a whole number from {min} to {max}")
    }
}

/// How to name an SSM document: the fix for each form of a name chaoslab cannot send.
const DOCUMENT_EXAMPLE: &str = "write the bare name, e.g. AWSFIS-Run-CPU-Stress: chaoslab builds the ARN from the lab's Region (var.aws_region)";

/// Tenths as the number they stand for: 125 → `12.5`, 1000 → `100`.
fn tenths(n: u64) -> String {
    match n % 10 {
        0 => (n / 10).to_string(),
        t => format!("{}.{t}", n / 10),
    }
}
