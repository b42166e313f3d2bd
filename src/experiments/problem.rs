//! What can be wrong in the top-level keys and the experiments, as data: each finding's code,
//! message and fix written once here; the checks in this folder pass the values.

use crate::base::diag::problems;
use crate::base::duration;
use crate::base::suggest::did_you_mean;
use crate::resources::MAX_PREFIX;

use super::MAX_ACTIONS;

problems! {
    /// A finding of the lab-wide keys (prefix, region, tags, zones) or of an experiment.
    pub enum Problem in "experiments::Problem" {
        DefaultPrefixTooLong => E010,
        BucketNameTooLong { longest: String, bucket: String, len: usize, tenants: bool } => E010,
        NotARegion { region: String } => E012,
        TagKeyNotAllowed { key: String } => E013,
        TagKeyChar { key: String, c: char } => E013,
        TagValueTooLong => E013,
        TagValueChar { c: char } => E013,
        TagKeyCase { key: String, other: String } => E013,
        OneZone => E028,
        ReportWithoutApp => E043,
        ReportSpanZero => E006,
        ReportSpanNotDuration { why: String } => E007,
        ExclusiveOverlap { a: String, a_action: String, b: String, b_action: String } => E057,
        NoDescription => E048,
        LongDescription => E048,
        NoAction => E005,
        NoAurora => E043,
        NoStopCondition { app: bool, alarms: Vec<String> } => W002,
        TooManyStops => E049,
        NoAlarm { name: String, alarms: Vec<String> } => E043,
        StopTwice { name: String } => E049,
        /// The alarm needs `needs` seconds of breaching data; the experiment lasts `lasts`;
        /// `fast` are the lab's alarms that can fire within it.
        SlowStop { alarm: String, evaluation_periods: u32, period: u32, needs: u64, lasts: u64, fast: Vec<String> } => E051,
        AlarmNotEvaluable { alarm: String, why: String } => E082,
        /// CloudWatch's evaluation over each harm (`why`), the alarm's data points (`points`,
        /// `periods`, `condition`, `missing`), its highest data point when lowering its
        /// threshold helps (`peak`), and the lab's alarms that do fire (`others`).
        AlarmCannotFire { alarm: String, points: u32, periods: String, condition: String, missing: String, why: Vec<String>, peak: Option<f64>, others: Vec<String> } => E082,
        ExpectWithoutApp => E043,
        Tolerance { value: f64 } => E060,
        UnknownEndpoint { name: String } => E060,
        EndpointTwice { name: String } => E060,
        /// `reach` says in words what the experiment's fault can degrade (`can`).
        CannotDegrade { name: String, reach: String, can: Vec<&'static str> } => E060,
        DegradedAndHealthy { name: String } => E060,
        NotAnExpression { expression: String, why: String } => E070,
        /// `spelt`: the database's spelling of a name given in another case.
        NotATimezone { tz: String, spelt: Option<String> } => E070,
        NotUtc { time: String, why: String } => E070,
        EndNotAfterStart { start: String, end: String } => E070,
        StartPast { start: String } => W005,
        EndPast { end: String } => W005,
        PrefixListMissing => E041,
        PrefixListUnused => E041,
        RestartReplaced => E044,
        /// The catalog's words for a delay the function's timeout cuts short.
        DelayPastTimeout { message: String, help: String } => E053,
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

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::DefaultPrefixTooLong => format!(
                "the lab name is the default prefix of every AWS name, and is longer than {MAX_PREFIX} characters"
            ),
            Problem::BucketNameTooLong {
                longest,
                bucket,
                len,
                ..
            } => format!(
                "the bucket name `{longest}-{bucket}-<account id>` would be {len} characters; S3 allows 63"
            ),
            Problem::NotARegion { region } => format!("`{region}` is not an AWS Region code"),
            Problem::TagKeyNotAllowed { key } => format!("tag key `{key}` is not allowed"),
            Problem::TagKeyChar { key, c } => format!("tag key `{key}` contains `{c}`"),
            Problem::TagValueTooLong => "tag value is longer than 256 characters".to_owned(),
            Problem::TagValueChar { c } => format!("tag value contains `{c}`"),
            Problem::TagKeyCase { key, other } => {
                format!("tag key `{key}` differs from `{other}` only in case")
            }
            Problem::OneZone => {
                "the app and Aurora need subnets in at least 2 availability zones".to_owned()
            }
            Problem::ReportWithoutApp => {
                "the spec has no app, so there is no lab dashboard for the report to show"
                    .to_owned()
            }
            Problem::ReportSpanZero => {
                "a report span of zero shows nothing around the run".to_owned()
            }
            Problem::ReportSpanNotDuration { why } => why.clone(),
            Problem::ExclusiveOverlap {
                a,
                a_action,
                b,
                b_action,
            } => format!(
                "`{a}` ({a_action}) and `{b}` ({b_action}) would run at the same time, and FIS runs only one ECS task network fault at a time"
            ),
            Problem::NoDescription => "an FIS template needs a description".to_owned(),
            Problem::LongDescription => {
                "an FIS template description is at most 512 characters".to_owned()
            }
            Problem::NoAction => "an experiment needs an FIS action".to_owned(),
            Problem::NoAurora => "the spec has no Aurora cluster".to_owned(),
            Problem::NoStopCondition { .. } => {
                "nothing stops this experiment if the lab breaks more than expected".to_owned()
            }
            Problem::TooManyStops => "an FIS template has at most 5 stop conditions".to_owned(),
            Problem::NoAlarm { name, .. } => format!("there is no alarm `{name}`"),
            Problem::StopTwice { name } => format!("`{name}` is listed twice"),
            Problem::SlowStop {
                alarm,
                evaluation_periods,
                period,
                needs,
                lasts,
                ..
            } => format!(
                "alarm `{alarm}` goes into ALARM only after {evaluation_periods} × {period} s = {needs} s of breaching data, and the experiment lasts {} ({lasts} s): it cannot stop the experiment before it ends",
                duration::show(*lasts),
            ),
            Problem::AlarmNotEvaluable { alarm, why } => {
                format!("chaoslab cannot evaluate alarm `{alarm}`: {why}")
            }
            Problem::AlarmCannotFire {
                alarm,
                points,
                periods,
                condition,
                missing,
                why,
                ..
            } => format!(
                "alarm `{alarm}` cannot fire in the harm this experiment can do, as CloudWatch evaluates it ({points} of {points} {periods} data points {condition}, missing data {missing}): {}",
                why.join("; ")
            ),
            Problem::ExpectWithoutApp => {
                "the spec has no app: there are no endpoints to judge".to_owned()
            }
            Problem::Tolerance { value } => format!(
                "a tolerance is a percentage of ok requests above 0 and at most 100, not {value}"
            ),
            Problem::UnknownEndpoint { name } => format!("the app has no endpoint `{name}`"),
            Problem::EndpointTwice { name } => format!("`{name}` is listed twice"),
            Problem::CannotDegrade { name, reach, .. } => {
                format!("{reach}; `{name}` cannot degrade")
            }
            Problem::DegradedAndHealthy { name } => {
                format!("`{name}` is expected both degraded and healthy")
            }
            Problem::NotAnExpression { expression, why } => {
                format!("`{expression}` is not a schedule expression: {why}")
            }
            Problem::NotATimezone { tz, .. } => {
                format!("`{tz}` is not a time zone of the IANA time zone database")
            }
            Problem::NotUtc { time, why } => format!("`{time}` is not a UTC time: {why}"),
            Problem::EndNotAfterStart { start, end } => format!(
                "the schedule ends at {end}, not after it starts ({start}): it would never fire"
            ),
            Problem::StartPast { start } => format!(
                "the schedule starts at {start}, in the past: EventBridge Scheduler refuses a start more than 5 minutes before the schedule is created, so `terraform apply` would fail"
            ),
            Problem::EndPast { end } => {
                format!("the schedule ends at {end}, in the past: it would never fire")
            }
            Problem::PrefixListMissing => {
                "scope prefix-list needs `prefixListIdentifier`".to_owned()
            }
            Problem::PrefixListUnused => {
                "`prefixListIdentifier` only applies to scope prefix-list".to_owned()
            }
            Problem::RestartReplaced => "the auto-scaling group replaces stopped app instances, so FIS cannot restart them and the action fails".to_owned(),
            Problem::DelayPastTimeout { message, .. } => message.clone(),
            Problem::PartialSubnets => "the fault reaches only some of the app subnets, and the load balancer routes around it".to_owned(),
            Problem::ThroughProxy => "the app reaches Aurora through RDS Proxy, a managed service whose connections a subnet network ACL does not sever".to_owned(),
            Problem::ThroughEndpoint { service } => format!(
                "the app reaches {} through an interface endpoint (PrivateLink), whose private addresses a subnet network ACL does not sever",
                if service == "s3" { "S3" } else { "DynamoDB" }
            ),
            Problem::AuroraNotCut { why } => format!(
                "`dependency: aurora` says this fault cuts the app off Aurora, but {why}"
            ),
            Problem::ScopeAll => "scope `all` cuts every dependency of the app subnets, the catalog on Aurora included".to_owned(),
            Problem::NoReader { action, .. } => {
                format!("{action} fails the writer over to a reader, and the cluster has none")
            }
            Problem::WriterZone { zone } => format!(
                "after this lab's failover the Aurora writer may sit in zone {}, and cutting that zone cuts the catalog off too",
                zone + 1
            ),
            Problem::AsgReplacement => "the auto-scaling group replaces the instances this experiment stops or cuts off, and a replacement launched into a cut-off subnet cannot install the app (dnf and PyPI)".to_owned(),
            Problem::AppliedLate { action, param, lasts, says, source, seconds, .. } => {
                let left = if lasts == seconds { "=" } else { "<" };
                format!(
                    "{action} `{param}` is {} ({lasts} s), and {says} ({source}): {lasts} s − {seconds} s {left} 0 s, no time in which the fault is sure to be in effect",
                    duration::show(*lasts),
                )
            }
            Problem::MixedKey { key } => format!("`{key}` beside `actions:`: each action has its own"),
            Problem::NoActions => "an experiment needs at least one action".to_owned(),
            Problem::TooManyActions { count } => format!(
                "an FIS experiment template holds at most {MAX_ACTIONS} actions; this one has {count}"
            ),
            Problem::ActionNameTwice { name } => format!("two actions are named `{name}`"),
            Problem::StartsAfterItself { name } => format!("`{name}` cannot start after itself"),
            Problem::NoSuchAction { name, .. } => {
                format!("there is no action `{name}` in this experiment")
            }
            Problem::Cycle { name } => format!("`{name}` waits, through start_after, for itself"),
            Problem::UnknownAction { action } => {
                format!("`{action}` is not an FIS action chaoslab supports")
            }
            Problem::NoZone { azs, zone } => {
                format!("the lab has {azs} availability zones; there is no zone {zone}")
            }
            Problem::NotSelectionMode { mode, .. } => format!("`{mode}` is not a selection mode"),
            Problem::SelectsNothing { mode, .. } => format!(
                "`{mode}` selects no target, and FIS fails an experiment whose targets it cannot find"
            ),
            Problem::SelectionOutOfRange { mode, form, min, max } => {
                format!("`{mode}`: the n of {form}(n) is {}", whole_range(*min, *max))
            }
            Problem::TakesNoTarget { action } => format!("{action} takes no target"),
            Problem::WrongTargetKey { action, key, .. } => {
                format!("{action} cannot target `{key}`")
            }
            Problem::NeedsTarget { action, kind } => format!("{action} needs a `{kind}` target"),
            Problem::UnknownParameter { action, name, .. } => {
                format!("{action} has no parameter `{name}`")
            }
            Problem::MissingParameter { action, name } => {
                format!("{action} needs the parameter `{name}`")
            }
            Problem::NotDuration { why } => why.clone(),
            Problem::DurationRange { value, action, min_secs, max_secs } => format!(
                "{value} is outside {}..{} for {action}",
                duration::show(*min_secs),
                duration::show(*max_secs)
            ),
            Problem::NotOneOf { value, values, .. } => {
                format!("`{value}` is not allowed here (allowed: {})", values.join(", "))
            }
            Problem::NotBool { value } => format!("`{value}` is not true or false"),
            Problem::NotWholeNumber { value, min, max } => {
                format!("`{value}` is not a whole number from {min} to {max}")
            }
            Problem::NotOperations { value } => format!("`{value}` is not a list of API operations"),
            Problem::NotIdentifier { value } => {
                format!("`{value}` is not a resource name, ID or ARN")
            }
            Problem::NotMediaType { value } => format!("`{value}` is not a media type"),
            Problem::NotProcessName { value } => format!("`{value}` is not a process name"),
            Problem::NotSources { value, why } => {
                format!("`{value}` is not a list of sources: {why}")
            }
            Problem::UnknownDocument { name } => {
                format!("chaoslab does not know the parameters of `{name}`")
            }
            Problem::NotJsonObject { value } => format!("`{value}` is not a JSON object"),
            Problem::NotDocumentArn { value } => format!("`{value}` is not an SSM document ARN"),
            Problem::DocumentRegion { value, arn_region, region } => format!(
                "`{value}` is a document of Region `{arn_region}`, but the lab runs in `{region}` and its FIS role may only send that Region's documents"
            ),
            Problem::DocumentAccount { value, account } => format!(
                "`{value}` names account `{account}`: AWSFIS-Run-* documents are owned by AWS and have no account in their ARN"
            ),
            Problem::NotFisDocument { value } => {
                format!("`{value}` is not an AWSFIS-Run-* SSM document")
            }
            Problem::FargateValue { action, name, value } => format!(
                "{action} on Fargate tasks needs `{name}: \"{value}\"`: FIS runs it there only through the ECS fault-injection endpoints"
            ),
            Problem::UnknownDocParameter { document, key, .. } => {
                format!("{document} has no parameter `{key}`")
            }
            Problem::DocNotString { key, value } => format!(
                "`{key}` is {value}, not a string: FIS passes document parameters as strings"
            ),
            Problem::DocNotWhole { name, value, min, max } => {
                format!("{name} `{value}` is not a whole number from {min} to {max}")
            }
            Problem::DocTooLong { name, value, max } => format!(
                "{name} `{value}` is longer than the action's duration ({} = {max} s): FIS cancels the command when the action ends, so the fault would not run as written",
                duration::show(*max)
            ),
            Problem::DocNotAllowed { name, value, values } => {
                format!("{name} `{value}` is not allowed (allowed: {})", values.join(", "))
            }
            Problem::DocInterface { name, value, why } => format!("{name} `{value}` {why}"),
            Problem::DocMissing { document, name, params, .. } => {
                format!("{document} needs `{name}` in {params}")
            }
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::DefaultPrefixTooLong => {
                format!("add `prefix:` with a shorter name (at most {MAX_PREFIX} characters)")
            }
            Problem::BucketNameTooLong { len, tenants, .. } => {
                if *tenants {
                    format!(
                        "shorten the bucket name, the prefix or the longest tenant name by {} characters",
                        len.saturating_sub(63)
                    )
                } else {
                    format!(
                        "shorten the bucket name or the prefix by {} characters",
                        len.saturating_sub(63)
                    )
                }
            }
            Problem::NotARegion { region } => crate::base::regions::help(region),
            Problem::TagKeyNotAllowed { .. } => {
                "tag keys are 1 to 128 characters and may not start with `aws:`".to_owned()
            }
            Problem::TagKeyChar { .. } => {
                "tag keys may use letters, digits, spaces and _ . : / = + - @".to_owned()
            }
            Problem::TagValueTooLong => "shorten the value".to_owned(),
            Problem::TagValueChar { .. } => {
                "tag values may use letters, digits, spaces and _ . : / = + - @".to_owned()
            }
            Problem::TagKeyCase { other, .. } => {
                format!("AWS IAM treats them as one key; use `{other}` or another name")
            }
            Problem::OneZone => "set `azs: 2` and give two public and two private subnets".to_owned(),
            Problem::ReportWithoutApp => "add `app:` to the spec, or remove `report:`".to_owned(),
            Problem::ReportSpanZero => {
                "give at least `PT1M`, or leave the key out for the default PT20M".to_owned()
            }
            Problem::ReportSpanNotDuration { .. } => {
                "write an ISO 8601 duration such as `PT10M` or `PT1H`".to_owned()
            }
            Problem::ExclusiveOverlap { a, b, .. } => format!(
                "add `start_after: [{a}]` to `{b}`, or move one of them to an experiment of its own"
            ),
            Problem::NoDescription => "say in a sentence what the experiment does".to_owned(),
            Problem::LongDescription => "shorten the description".to_owned(),
            Problem::NoAction => {
                "add `action:` (e.g. `action: aws:fis:wait`), or several under `actions:`"
                    .to_owned()
            }
            Problem::NoAurora => {
                "add `aurora:` to the spec, or name another dependency".to_owned()
            }
            Problem::NoStopCondition { app: false, .. } => "a lab without an app has no load balancer for an alarm to watch: follow the run and stop it with `aws fis stop-experiment --id <experiment id>`, and add `acknowledge: [no-stop-condition]`".to_owned(),
            Problem::NoStopCondition { alarms, .. } if alarms.is_empty() => "add an alarm under `alarms:` and name it in `stop_conditions:`, or add `acknowledge: [no-stop-condition]`".to_owned(),
            Problem::NoStopCondition { alarms, .. } => format!(
                "name an alarm in `stop_conditions:` ({}), or add `acknowledge: [no-stop-condition]`",
                alarms.join(", ")
            ),
            Problem::TooManyStops => "keep the 5 alarms that matter most".to_owned(),
            Problem::NoAlarm { name, alarms } => {
                let names: Vec<&str> = alarms.iter().map(String::as_str).collect();
                did_you_mean(name, &names, || {
                    if names.is_empty() {
                        "define the alarm under `alarms:` (or add `app:` for the default alarms)"
                            .to_owned()
                    } else {
                        format!("alarms in this spec: {}", names.join(", "))
                    }
                })
            }
            Problem::StopTwice { .. } => "list each alarm once".to_owned(),
            Problem::SlowStop { needs, lasts, fast, .. } => {
                let fix = if fast.is_empty() {
                    format!(
                        "make the experiment last longer than {} (e.g. {}), or give the alarm a shorter `period` or fewer `evaluation_periods`",
                        duration::show(*needs),
                        duration::show(needs + 60)
                    )
                } else {
                    format!(
                        "make the experiment last longer than {}, or stop on an alarm that can fire within {} ({})",
                        duration::show(*needs),
                        duration::show(*lasts),
                        fast.join(", ")
                    )
                };
                // The way out, with its cost: the alarm stays a stop condition in name only.
                format!(
                    "{fix}; or keep it and add `acknowledge: [slow-stop-condition]`: the experiment then runs its whole {} whatever this alarm sees (it may fire as the run ends, or after it)",
                    duration::show(*lasts)
                )
            }
            Problem::AlarmNotEvaluable { .. } => {
                "this is a bug in chaoslab's alarm definitions; report it".to_owned()
            }
            Problem::AlarmCannotFire { peak, others, .. } => {
                let mut ways: Vec<String> = peak
                    .map(|p| {
                        format!(
                            "lower its threshold below {} (its highest data point here)",
                            super::guardrails::show(p)
                        )
                    })
                    .into_iter()
                    .collect();
                ways.push(if others.is_empty() {
                    "stop on an alarm under `alarms:` that this harm breaches".to_owned()
                } else {
                    format!("stop on an alarm that fires here ({})", others.join("; "))
                });
                format!(
                    "{}; if nothing the load balancer measures can show this fault's harm, drop the stop condition and add `acknowledge: [no-stop-condition]`",
                    ways.join(", or ")
                )
            }
            Problem::ExpectWithoutApp => "add an `app:` section, or remove `expect:`".to_owned(),
            Problem::Tolerance { .. } => {
                "use e.g. `tolerance: 99` (99 % of a healthy endpoint's requests answer 2xx)"
                    .to_owned()
            }
            Problem::UnknownEndpoint { name } => {
                let known = super::expect::names();
                did_you_mean(name, &known, || {
                    format!("the app's endpoints are {}", super::expect::quoted(&known))
                })
            }
            Problem::EndpointTwice { .. } => "list each endpoint once".to_owned(),
            Problem::CannotDegrade { can, .. } => match can.as_slice() {
                [] => "remove `degraded:` (an empty list is fine) or choose a fault that reaches a dependency".to_owned(),
                some => format!("list only {}", super::expect::quoted(some)),
            },
            Problem::DegradedAndHealthy { name } => {
                format!("keep `{name}` in one of `degraded` and `healthy`")
            }
            Problem::NotAnExpression { .. } => super::schedule::EXPRESSION_HELP.to_owned(),
            Problem::NotATimezone { spelt: Some(spelt), .. } => {
                format!("write it as the database does: `{spelt}`")
            }
            Problem::NotATimezone { tz, spelt: None } => super::schedule::nearest_zone(tz),
            Problem::NotUtc { .. } => {
                "write it as `yyyy-mm-ddThh:mm:ssZ`, e.g. `2027-01-04T09:00:00Z`".to_owned()
            }
            Problem::EndNotAfterStart { .. } => {
                "set `end` after `start`, or leave it out to run until the schedule is deleted"
                    .to_owned()
            }
            Problem::StartPast { .. } => "move `start` into the future, or leave it out to start when the schedule is created".to_owned(),
            Problem::EndPast { .. } => "move `end` into the future, or leave it out to run until the schedule is deleted".to_owned(),
            Problem::PrefixListMissing => "add the customer-managed prefix list's name, ID or ARN as `prefixListIdentifier`".to_owned(),
            Problem::PrefixListUnused => {
                "remove `prefixListIdentifier`, or set `scope: prefix-list`".to_owned()
            }
            Problem::RestartReplaced => {
                "add `completeIfInstancesTerminated: \"true\"` to the parameters".to_owned()
            }
            Problem::DelayPastTimeout { help, .. } => help.clone(),
            Problem::PartialSubnets => "target every app subnet (no `az`, selection_mode ALL), or add `acknowledge: [partial-subnets]` if losing one zone is the point".to_owned(),
            Problem::ThroughProxy | Problem::ThroughEndpoint { .. } => "the fault has to match how the dependency is reached: drop the proxy or interface endpoint for this lab, or fault the dependency another way (aws:network:disrupt-vpc-endpoint for interface endpoints, once chaoslab supports it)".to_owned(),
            Problem::AuroraNotCut { .. } => "for an Aurora outage reboot the writer (`aws:rds:reboot-db-instances` on `db-instances: aurora-writer`) or fail the cluster over (`aws:rds:failover-db-cluster`, with `readers: 1`), as chaos-shop-degradation does; to lose the writer's zone, cut zone 1 (`scope: all`, `az: 1`, `acknowledge: [partial-subnets, scope-all]`); then remove `dependency: aurora`".to_owned(),
            Problem::ScopeAll => "to cut one dependency use scope `dynamodb` or `s3`; if a full network cut is the point, add `acknowledge: [scope-all]`".to_owned(),
            Problem::NoReader { failover: true, .. } => {
                "add `readers: 1` under `aurora:` (a reader in another zone to promote)".to_owned()
            }
            Problem::NoReader { failover: false, .. } => {
                "add `readers: 1` under `aurora:`, or drop `forceFailover` for a plain reboot"
                    .to_owned()
            }
            Problem::WriterZone { .. } => "the lab README says how to check where the writer is and fail back before this run; add `acknowledge: [writer-zone]` once you follow it".to_owned(),
            Problem::AsgReplacement => "the lab README shows how to suspend the group's ReplaceUnhealthy process for the run; add `acknowledge: [asg-replacement]` once you follow it".to_owned(),
            Problem::AppliedLate { param, lasts, seconds, url, .. } => format!(
                "make `{param}` longer than {}: {} keeps the fault in effect for at least {} ({url})",
                duration::show(*seconds),
                duration::show(seconds + lasts),
                duration::show(*lasts),
            ),
            Problem::MixedKey { key } => {
                format!("move `{key}` into the action under `actions:` it belongs to")
            }
            Problem::NoActions => {
                "list the actions under `actions:`, or use `action:` for one".to_owned()
            }
            Problem::TooManyActions { .. } => format!(
                "split it into experiments of at most {MAX_ACTIONS} actions each (FIS quota \"Actions per experiment template\", not adjustable)"
            ),
            Problem::ActionNameTwice { .. } => {
                "give each action of the experiment its own name".to_owned()
            }
            Problem::StartsAfterItself { .. } => {
                "name another action, or remove it from start_after".to_owned()
            }
            Problem::NoSuchAction { name, others, names } => {
                let others: Vec<&str> = others.iter().map(String::as_str).collect();
                did_you_mean(name, &others, || {
                    format!("the experiment's actions are: {}", names.join(", "))
                })
            }
            Problem::Cycle { .. } => {
                "break the cycle: some action must start without waiting for this one".to_owned()
            }
            Problem::UnknownAction { action } => {
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
                    "see the supported actions in README.md (src/catalog.rs); CPU, memory and latency faults on EC2 use aws:ssm:send-command with an AWSFIS-Run-* document".to_owned()
                })
            }
            Problem::NoZone { azs, .. } => format!("use a zone number from 1 to {azs}"),
            Problem::NotSelectionMode { capitals: Some(upper), .. } => {
                format!("write it in capitals: `{upper}`")
            }
            Problem::NotSelectionMode { capitals: None, .. } => {
                let modes: Vec<String> = super::steps::SELECTION_MODES
                    .iter()
                    .map(|(mode, ..)| format!("{mode}(n)"))
                    .collect();
                format!("use ALL, {}", modes.join(" or "))
            }
            Problem::SelectsNothing { form, min, max, .. }
            | Problem::SelectionOutOfRange { form, min, max, .. } => {
                format!("use {form}(n) with n {}, or ALL", whole_range(*min, *max))
            }
            Problem::TakesNoTarget { .. } => "remove `targets`".to_owned(),
            Problem::WrongTargetKey { action, key, kind } => did_you_mean(key, &[kind], || {
                format!("{action} targets `{kind}`")
            }),
            Problem::NeedsTarget { kind, .. } => format!("add `{kind}:` under targets"),
            Problem::UnknownParameter { action, name, known } => did_you_mean(name, known, || {
                if known.is_empty() {
                    format!("{action} takes no parameters; remove them")
                } else {
                    format!("{action} takes: {}", known.join(", "))
                }
            }),
            Problem::MissingParameter { name, .. } => format!("add `{name}:` under parameters"),
            Problem::NotDuration { .. } => "write an ISO 8601 duration such as PT3M".to_owned(),
            Problem::DurationRange { min_secs, max_secs, .. } => format!(
                "choose a duration from {} to {}",
                duration::show(*min_secs),
                duration::show(*max_secs)
            ),
            Problem::NotOneOf { advice: Some(advice), .. } => (*advice).to_owned(),
            Problem::NotOneOf { value, values, advice: None } => did_you_mean(value, values, || {
                format!("use one of: {}", values.join(", "))
            }),
            Problem::NotBool { .. } => "write true or false".to_owned(),
            Problem::NotWholeNumber { min, max, .. } => {
                format!("use a whole number from {min} to {max}")
            }
            Problem::NotOperations { .. } => "list operation names separated by commas, without spaces, e.g. DescribeInstances,RunInstances".to_owned(),
            Problem::NotIdentifier { .. } => {
                "write the name, ID or ARN without spaces".to_owned()
            }
            Problem::NotMediaType { .. } => {
                "write a media type such as text/plain or application/json".to_owned()
            }
            Problem::NotProcessName { .. } => {
                "name the process as `pgrep` sees it, e.g. gunicorn".to_owned()
            }
            Problem::NotSources { .. } => "write comma-separated IPv4 addresses, CIDR blocks, domain names, DYNAMODB or S3, without spaces, e.g. DYNAMODB,S3".to_owned(),
            Problem::UnknownDocument { name } => {
                let known: Vec<&str> = crate::catalog::ssm::DOCUMENTS.iter().map(|d| d.name).collect();
                did_you_mean(name, &known, || {
                    format!(
                        "use one of: {} (adding a document is one entry in src/catalog/ssm.rs)",
                        known.join(", ")
                    )
                })
            }
            Problem::NotJsonObject { .. } => "write the parameters as a JSON object in quotes, e.g. '{\"DurationSeconds\": \"60\"}'".to_owned(),
            Problem::NotDocumentArn { .. } => {
                format!("{DOCUMENT_EXAMPLE}; or give the full ARN, with its `document/` part")
            }
            Problem::DocumentRegion { .. }
            | Problem::DocumentAccount { .. }
            | Problem::NotFisDocument { .. } => DOCUMENT_EXAMPLE.to_owned(),
            Problem::FargateValue { name, value, .. } => format!(
                "remove `{name}` (chaoslab sets it to \"{value}\" for the app's tasks)"
            ),
            Problem::UnknownDocParameter { document, key, names } => did_you_mean(key, names, || {
                format!("{document} takes: {}", names.join(", "))
            }),
            Problem::DocNotString { key, value } => {
                format!("quote the value: \"{key}\": \"{}\"", value.trim_matches('"'))
            }
            Problem::DocNotWhole { min, max, .. } => {
                format!("use a whole number from {min} to {max}, in quotes")
            }
            Problem::DocTooLong { name, max, .. } => format!(
                "set {name} to at most \"{max}\", or lengthen the action's `duration`"
            ),
            Problem::DocNotAllowed { value, values, .. } => did_you_mean(value, values, || {
                format!("use one of: {}", values.join(", "))
            }),
            Problem::DocInterface { .. } => "name the instance's network interface, e.g. ens5 (Amazon Linux 2023) or eth0: letters, digits, `.`, `_` and `-`".to_owned(),
            Problem::DocMissing { name, params, seconds, .. } => {
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
