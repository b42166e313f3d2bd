//! What can be wrong in the top-level keys and the experiments, as data: each finding's code,
//! message and fix written once here; the checks in this folder pass the values.

use crate::base::diag::problems;
use crate::resources::MAX_PREFIX;

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
        }
    }
}
