//! What can be wrong in the top-level keys and the experiments, as data: each finding's code,
//! message and fix written once here; the checks in this folder pass the values.

use crate::base::diag::problems;
use crate::base::duration;
use crate::base::suggest::did_you_mean;
use crate::catalog::Reach;
use crate::resources::MAX_PREFIX;

problems! {
    /// A finding of the lab-wide keys (prefix, region, tags, zones) or of an experiment as a
    /// whole (its description, stop conditions, hypothesis, schedule, report); its steps
    /// report [`super::StepProblem`]s.
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
        NoDescription => E048,
        LongDescription => E048,
        NoAction => E005,
        /// `names`: the scenarios chaoslab knows.
        UnknownScenario { name: String, names: Vec<&'static str> } => E086,
        /// `key`: an experiment key that a scenario replaces.
        KeyBesideScenario { key: &'static str } => E086,
        ScenarioWithoutZone { azs: usize } => E086,
        /// `key`: a parameter the scenario does not take.
        ScenarioParameter { key: String, scenario: &'static str } => E086,
        ScenarioDuration { value: String, min_secs: u64, max_secs: u64 } => E086,
        NoAurora => E043,
        NoStopCondition { app: bool, alarms: Vec<String> } => W002,
        TooManyStops => E049,
        NoAlarm { name: String, alarms: Vec<String> } => E043,
        StopTwice { name: String } => E049,
        /// In an FIS template: a `source` other than FIS's two.
        StopSource { source: String } => E049,
        /// In an FIS template: an alarm stop condition whose value is not an alarm's ARN.
        StopNotAlarm { value: String } => E049,
        /// The alarm needs `needs` seconds of breaching data; the experiment lasts `lasts`;
        /// `fast` are the lab's alarms that can fire within it.
        SlowStop { alarm: String, evaluation_periods: u32, period: u32, needs: u64, lasts: u64, fast: Vec<String> } => E051,
        AlarmNotEvaluable { alarm: String, why: String } => E082,
        /// CloudWatch's evaluation over each harm (`why`: the harm, and why the alarm never
        /// fires in it), the alarm's data points (`points`,
        /// `periods`, `condition`, `missing`), its highest data point when lowering its
        /// threshold helps (`peak`), and the lab's alarms that do fire (`others`).
        AlarmCannotFire { alarm: String, points: u32, periods: String, condition: String, missing: String, why: Vec<(String, String)>, peak: Option<f64>, others: Vec<String> } => E082,
        ExpectWithoutApp => E043,
        Tolerance { value: f64 } => E060,
        /// `known`: the lab's endpoints.
        UnknownEndpoint { name: String, known: Vec<String> } => E060,
        EndpointTwice { name: String } => E060,
        /// `action`'s fault reaches `reach` (none only in the examples), so only `can`
        /// may degrade.
        CannotDegrade { name: String, action: String, reach: Option<Reach>, can: Vec<String> } => E060,
        DegradedAndHealthy { name: String } => E060,
        NotAnExpression { expression: String, why: String } => E070,
        /// `spelt`: the database's spelling of a name given in another case.
        NotATimezone { tz: String, spelt: Option<String> } => E070,
        NotUtc { time: String, why: String } => E070,
        EndNotAfterStart { start: String, end: String } => E070,
        StartPast { start: String } => W005,
        EndPast { end: String } => W005,
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
                "the bucket name `{}` would be {len} characters; S3 allows 63",
                crate::resources::s3::shown_name(longest, bucket)
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
            Problem::NoDescription => "an FIS template needs a description".to_owned(),
            Problem::LongDescription => {
                "an FIS template description is at most 512 characters".to_owned()
            }
            Problem::NoAction => "an experiment needs an FIS action".to_owned(),
            Problem::StopSource { source } => format!("`{source}` is not a stop condition source"),
            Problem::StopNotAlarm { value } => {
                format!("`{value}` is not the ARN of a CloudWatch alarm")
            }
            Problem::UnknownScenario { name, .. } => format!("chaoslab knows no scenario `{name}`"),
            Problem::KeyBesideScenario { key } => {
                format!("`{key}` beside `scenario:`: the scenario makes the template's actions")
            }
            Problem::ScenarioWithoutZone { .. } => {
                "a scenario needs the zone it hits, and no `az` names it".to_owned()
            }
            Problem::ScenarioParameter { key, scenario } => {
                format!("scenario `{scenario}` takes no parameter `{key}`")
            }
            Problem::ScenarioDuration {
                value,
                min_secs,
                max_secs,
            } => format!(
                "`{value}` is not a duration from {} to {}",
                duration::show(*min_secs),
                duration::show(*max_secs)
            ),
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
            } => {
                let why: Vec<String> = why
                    .iter()
                    .map(|(harm, never)| format!("{harm}: {never}"))
                    .collect();
                format!(
                    "alarm `{alarm}` cannot fire in the harm this experiment can do, as CloudWatch evaluates it ({points} of {points} {periods} data points {condition}, missing data {missing}): {}",
                    why.join("; ")
                )
            }
            Problem::ExpectWithoutApp => {
                "the spec has no app: there are no endpoints to judge".to_owned()
            }
            Problem::Tolerance { value } => format!(
                "a tolerance is a percentage of ok requests above 0 and at most 100, not {value}"
            ),
            Problem::UnknownEndpoint { name, .. } => format!("the app has no endpoint `{name}`"),
            Problem::EndpointTwice { name } => format!("`{name}` is listed twice"),
            // A Lambda action reaches only its functions' endpoints.
            Problem::CannotDegrade {
                name,
                action,
                reach: None | Some(Reach::Nothing),
                can,
            } if !can.is_empty() => format!(
                "{action} reaches only {}; `{name}` cannot degrade",
                super::expect::quoted(can)
            ),
            Problem::CannotDegrade {
                name,
                action,
                reach,
                ..
            } => format!(
                "{}; `{name}` cannot degrade",
                super::expect::reach_text(action, reach.unwrap_or(Reach::Nothing))
            ),
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
            Problem::NoDescription => "say in a sentence what the experiment does".to_owned(),
            Problem::LongDescription => "shorten the description".to_owned(),
            Problem::StopSource { source } => did_you_mean(source, &["aws:cloudwatch:alarm", "none"], || {
                "use `aws:cloudwatch:alarm` with an alarm's ARN, or `none`".to_owned()
            }),
            Problem::StopNotAlarm { .. } => "give the alarm's full ARN, `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`".to_owned(),
            Problem::UnknownScenario { name, names } => did_you_mean(name, names, || {
                format!("use one of: {}", names.join(", "))
            }),
            Problem::KeyBesideScenario { key } => {
                format!("remove `{key}`, or write the actions yourself under `actions:` without `scenario:`")
            }
            Problem::ScenarioWithoutZone { azs } => format!("add `az: N` (1 to {azs})"),
            Problem::ScenarioParameter { .. } => {
                "a scenario takes only `duration`, the interruption's length".to_owned()
            }
            Problem::ScenarioDuration { min_secs, max_secs, .. } => format!(
                "choose an ISO 8601 duration from {} to {} (the zonal shift starts {} in)",
                duration::show(*min_secs),
                duration::show(*max_secs),
                duration::show(5 * 60)
            ),
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
            Problem::UnknownEndpoint { name, known } => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
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
        }
    }
}
