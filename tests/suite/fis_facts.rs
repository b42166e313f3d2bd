//! The catalog against the AWS service facts it relies on, kept as data with their sources in
//! `data/fis-facts.json`: every action, parameter (type, unit, range, values, default,
//! required-ness, the value FIS requires on Fargate), target, IAM action and provider floor the
//! documentation states must be what the catalog says, both ways. The facts were read in the
//! documentation, never derived from the catalog; a fact the sources do not settle is marked
//! `confirmed: false` and is listed, not compared.

use crate::common;

use chaoslab::catalog::ssm::{self, DocValue};
use chaoslab::catalog::{self, ACTIONS, Action, Param, ParamKind};
use serde_json::Value;
use std::collections::BTreeSet;

fn facts() -> Value {
    let path = common::root().join("data/fis-facts.json");
    let text = std::fs::read_to_string(&path).expect("data/fis-facts.json");
    serde_json::from_str(&text).expect("data/fis-facts.json is JSON")
}

/// A fact the sources settle: present, and not `confirmed: false`.
fn confirmed(fact: &Value) -> Option<&Value> {
    match fact.get("confirmed") {
        Some(Value::Bool(false)) => None,
        _ => fact.get("value"),
    }
}

fn strs(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `PT1M`, `PT12H`: the only forms the facts use.
fn iso_secs(text: &str) -> u64 {
    let body = text.strip_prefix("PT").expect("an ISO 8601 duration");
    let (n, unit) = body.split_at(body.len() - 1);
    let n: u64 = n.parse().expect("a number");
    match unit {
        "S" => n,
        "M" => n * 60,
        "H" => n * 3600,
        _ => panic!("unit of {text}"),
    }
}

fn type_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Duration { .. } => "duration",
        ParamKind::Int { .. } => "integer",
        ParamKind::Percent { .. } => "number",
        ParamKind::Bool => "boolean",
        ParamKind::OneOf { .. } | ParamKind::AnyOf { .. } => "enum",
        ParamKind::SsmDocument => "arn",
        ParamKind::DocumentParameters | ParamKind::RunbookParameters => "json",
        ParamKind::Runbook => "arn",
        ParamKind::Operations
        | ParamKind::Identifier
        | ParamKind::MediaType
        | ParamKind::ProcessName
        | ParamKind::Sources
        | ParamKind::Zones
        | ParamKind::Zone
        | ParamKind::Alarms => "string",
    }
}

/// Where the catalog's action runs, by what it targets in a lab: chaoslab's ECS tasks run on
/// Fargate, its instances are EC2, its functions Lambda.
fn platform(a: &Action) -> Option<&'static str> {
    let kind = a.target?;
    if kind == &catalog::tasks::TASKS || kind == &catalog::tasks::AGENT_TASKS {
        Some("fargate")
    } else if kind == &catalog::instances::INSTANCES {
        Some("ec2")
    } else if kind == &catalog::functions::FUNCTIONS {
        Some("lambda")
    } else {
        None
    }
}

fn version(text: &str) -> (u32, u32) {
    let mut parts = text
        .split('.')
        .map(|p| p.parse::<u32>().expect("a version"));
    (parts.next().expect("major"), parts.next().expect("minor"))
}

/// Every disagreement between one parameter and its facts.
fn parameter(a: &Action, p: &Param, f: &Value, out: &mut Vec<String>) {
    let at = format!("{} {}", a.id, p.name);
    if let Some(t) = confirmed(&f["type"])
        && t != type_name(p.kind)
    {
        out.push(format!(
            "{at}: type {} in the catalog, {t} in the documentation",
            type_name(p.kind)
        ));
    }
    let Some(required) = confirmed(&f["required"]) else {
        return; // neither required-ness nor a default can be compared
    };
    let documented_required = required == &Value::Bool(true);
    if p.required != documented_required {
        out.push(format!(
            "{at}: required {} in the catalog, {required} in the documentation",
            p.required
        ));
    }
    if let Some(range) = f.get("range").and_then(confirmed) {
        // Bounds in the catalog's unit: seconds, whole numbers, or tenths for a decimal.
        let (ours, scale) = match p.kind {
            ParamKind::Duration { min_secs, max_secs } => (Some((min_secs, max_secs)), 1.0),
            ParamKind::Int { min, max } => (Some((min, max)), 1.0),
            ParamKind::Percent {
                min_tenths,
                max_tenths,
            } => (Some((min_tenths, max_tenths)), 10.0),
            _ => (None, 1.0),
        };
        let bound = |v: &Value| match v {
            Value::String(s) => iso_secs(s),
            v => (v.as_f64().expect("a number") * scale).round() as u64,
        };
        let documented = (bound(&range[0]), bound(&range[1]));
        if ours != Some(documented) {
            out.push(format!(
                "{at}: range {ours:?} in the catalog, {documented:?} in the documentation"
            ));
        }
    }
    if let Some(values) = f.get("values").and_then(confirmed).filter(|v| v.is_array()) {
        let ours: BTreeSet<String> = match p.kind {
            ParamKind::OneOf { values, .. } | ParamKind::AnyOf { values } => {
                values.iter().map(|v| (*v).to_owned()).collect()
            }
            _ => BTreeSet::new(),
        };
        if ours != strs(values) {
            out.push(format!(
                "{at}: values {ours:?} in the catalog, {:?} in the documentation",
                strs(values)
            ));
        }
    }
    if !p.required {
        match f.get("default").and_then(confirmed).and_then(Value::as_str) {
            Some(d) if p.example_or_default != format!("\"{d}\"") => out.push(format!(
                "{at}: default {} in the catalog, \"{d}\" in the documentation",
                p.example_or_default
            )),
            None if p.example_or_default.starts_with('"') => out.push(format!(
                "{at}: default {} in the catalog, none in the documentation",
                p.example_or_default
            )),
            _ => {}
        }
    }
    if let Some(unit) = f.get("unit").and_then(confirmed).and_then(Value::as_str) {
        let word = match unit {
            "milliseconds" => Some("millisecond"),
            "percent" => Some("percent"),
            _ => None,
        };
        if let Some(w) = word.filter(|w| !p.meaning.contains(w)) {
            out.push(format!(
                "{at}: its meaning does not say the unit ({w}s): {}",
                p.meaning
            ));
        }
    }
    let documented_here = platform(a)
        .and_then(|pl| f.get("on").and_then(|on| on.get(pl)))
        .and_then(confirmed)
        .and_then(Value::as_str);
    if p.on_fargate != documented_here {
        out.push(format!(
            "{at}: on {} the catalog requires {:?}, the documentation {documented_here:?}",
            platform(a).unwrap_or("its platform"),
            p.on_fargate
        ));
    }
}

/// What the documentation has and the catalog lacks, and the reverse, one line each.
fn both_ways(
    id: &str,
    what: &str,
    ours: &BTreeSet<&str>,
    theirs: &BTreeSet<&str>,
    (lacks, extra): (&str, &str),
    out: &mut Vec<String>,
) {
    for name in theirs.difference(ours) {
        out.push(format!("{id}: {what} {name} {lacks}"));
    }
    for name in ours.difference(theirs) {
        out.push(format!("{id}: {what} {name} {extra}"));
    }
}

/// Every disagreement between one action and its facts.
fn action(a: &Action, f: &Value, out: &mut Vec<String>) {
    // Target: resource type and key, or none for both.
    match (a.target, f["target"].as_object()) {
        (None, None) => {}
        (Some(k), Some(t)) => {
            if let Some(rt) = confirmed(&t["resource_type"]).and_then(Value::as_str)
                && rt != k.resource_type
            {
                out.push(format!(
                    "{}: resource type {} in the catalog, {rt} in the documentation",
                    a.id, k.resource_type
                ));
            }
            if let Some(key) = confirmed(&t["key"]).and_then(Value::as_str)
                && key != k.fis_key
            {
                out.push(format!(
                    "{}: target key {} in the catalog, {key} in the documentation",
                    a.id, k.fis_key
                ));
            }
        }
        (ours, theirs) => out.push(format!(
            "{}: target {ours:?} in the catalog, {theirs:?} in the documentation",
            a.id
        )),
    }
    if let (Some(pl), Some(runs_on)) = (platform(a), f.get("runs_on").and_then(confirmed))
        && !strs(runs_on).contains(pl)
    {
        out.push(format!(
            "{}: chaoslab runs it on {pl}, the documentation on {runs_on}",
            a.id
        ));
    }
    // Parameters, both ways.
    let documented = f["parameters"].as_object().expect("parameters");
    let ours: BTreeSet<&str> = a.params.iter().map(|p| p.name).collect();
    let theirs: BTreeSet<&str> = documented.keys().map(String::as_str).collect();
    let (lacks, extra) = (
        "is documented, not in the catalog",
        "is in the catalog, not documented",
    );
    both_ways(a.id, "parameter", &ours, &theirs, (lacks, extra), out);
    for p in a.params {
        if let Some(pf) = documented.get(p.name) {
            parameter(a, p, pf, out);
        }
    }
    // IAM: what every run needs, and what is needed only when a condition holds for a lab.
    let ours: BTreeSet<&str> = a
        .iam
        .iter()
        .flat_map(|s| s.actions.iter().copied())
        .collect();
    let mut needed = BTreeSet::new();
    for i in f["iam"].as_array().expect("iam") {
        let name = i["value"].as_str().expect("an IAM action");
        let applies = i.get("applies").is_none_or(|v| v == &Value::Bool(true));
        if applies {
            needed.insert(name);
        }
    }
    let lacks = "is documented as needed and the FIS role lacks it";
    let extra = "is granted but no documentation needs it for chaoslab's labs";
    both_ways(a.id, "IAM", &ours, &needed, (lacks, extra), out);
    // Provider floor: the newest release a documented piece needs, or the 6.x base.
    let mut floor = catalog::PROVIDER_BASE;
    for p in f["provider"].as_array().expect("provider") {
        if let Some(since) = confirmed(p).and_then(|v| v["since"].as_str()) {
            floor = floor.max(version(since));
        }
    }
    if a.provider_floor != floor {
        out.push(format!(
            "{}: provider floor {:?} in the catalog, {floor:?} from the documented releases",
            a.id, a.provider_floor
        ));
    }
}

/// Every disagreement between the catalog and the facts file; empty when they agree.
fn disagreements() -> Vec<String> {
    let facts = facts();
    let documented = facts["actions"].as_object().expect("actions");
    let mut out = Vec::new();
    for a in ACTIONS {
        match documented.get(a.id) {
            Some(f) => action(a, f, &mut out),
            None => out.push(format!("{}: no facts for the catalog's action", a.id)),
        }
    }
    for id in documented.keys() {
        if catalog::find(id).is_none() {
            out.push(format!("{id}: facts for an action the catalog lacks"));
        }
    }
    out
}

#[test]
fn the_catalog_is_the_documented_facts() {
    let found = disagreements();
    assert!(
        found.is_empty(),
        "the catalog and data/fis-facts.json disagree; fix whichever the documentation contradicts:\n{}",
        found.join("\n")
    );
}

/// Every object with a `value` names a source by its key, and every source has a web address
/// and the date it was read; facts that are not settled say why.
#[test]
fn every_fact_names_its_source_and_when_it_was_read() {
    let facts = facts();
    let sources = facts["sources"].as_object().expect("sources");
    for (key, s) in sources {
        let url = s["url"].as_str().unwrap_or_default();
        assert!(url.starts_with("https://"), "{key}: {url}");
        let read = s["read"].as_str().unwrap_or_default();
        let date = read.split('-').map(str::len).collect::<Vec<_>>();
        assert_eq!(date, [4, 2, 2], "{key}: read {read}");
        assert!(!s["title"].as_str().unwrap_or_default().is_empty(), "{key}");
    }
    let mut count = 0;
    let mut stack = vec![("", &facts["actions"]), ("", &facts["ssm_documents"])];
    stack.push(("", &facts["parallel_exclusive"]));
    while let Some((_, v)) = stack.pop() {
        match v {
            Value::Object(o) if o.contains_key("value") => {
                count += 1;
                let src = o.get("src").and_then(Value::as_str).unwrap_or_default();
                let key = src.split('#').next().unwrap_or_default();
                assert!(sources.contains_key(key), "a fact's source `{src}`: {v}");
                if o.get("confirmed") == Some(&Value::Bool(false)) {
                    assert!(
                        o.get("note").and_then(Value::as_str).is_some(),
                        "an unsettled fact says why: {v}"
                    );
                }
                stack.extend(o.iter().map(|(k, x)| (k.as_str(), x)));
            }
            Value::Object(o) => stack.extend(o.iter().map(|(k, x)| (k.as_str(), x))),
            Value::Array(a) => stack.extend(a.iter().map(|x| ("", x))),
            _ => {}
        }
    }
    // Each catalog action has its target, parameters, IAM and provider facts at least.
    assert!(count >= 4 * ACTIONS.len(), "{count} facts");
}

/// The `AWSFIS-Run-*` documents `aws:ssm:send-command` may run take the parameters the FIS
/// guide lists, required as it says, with its values.
#[test]
fn the_ssm_document_table_is_the_documented_facts() {
    let facts = facts();
    let documented = facts["ssm_documents"].as_object().expect("ssm_documents");
    let ours: BTreeSet<&str> = ssm::DOCUMENTS.iter().map(|d| d.name).collect();
    let theirs: BTreeSet<&str> = documented.keys().map(String::as_str).collect();
    assert_eq!(ours, theirs, "documents");
    let mut out = Vec::new();
    for d in ssm::DOCUMENTS {
        let params = documented[d.name].as_object().expect("params");
        let ours: BTreeSet<&str> = d.params.iter().map(|p| p.name).collect();
        let theirs: BTreeSet<&str> = params.keys().map(String::as_str).collect();
        if ours != theirs {
            out.push(format!(
                "{}: parameters {ours:?} in the catalog, {theirs:?} in the guide",
                d.name
            ));
        }
        for p in d.params {
            let Some(f) = params.get(p.name) else {
                continue;
            };
            if confirmed(&f["required"]) != Some(&Value::Bool(p.required)) {
                out.push(format!(
                    "{} {}: required {} in the catalog, {} in the guide",
                    d.name, p.name, p.required, f["required"]["value"]
                ));
            }
            if let (DocValue::OneOf(values), Some(v)) =
                (p.value, f.get("values").and_then(confirmed))
            {
                let ours: BTreeSet<String> = values.iter().map(|v| (*v).to_owned()).collect();
                if ours != strs(v) {
                    out.push(format!(
                        "{} {}: values {ours:?} in the catalog, {v} in the guide",
                        d.name, p.name
                    ));
                }
            }
        }
    }
    assert!(out.is_empty(), "{}", out.join("\n"));
}

/// E057's list is the guide's: the ECS task network faults FIS cannot run in parallel.
#[test]
fn the_exclusive_task_faults_are_the_documented_ones() {
    let facts = facts();
    let documented = strs(&facts["parallel_exclusive"]["value"]);
    let ours: BTreeSet<String> = catalog::EXCLUSIVE.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(ours, documented);
}

/// The facts' judgements about chaoslab's labs hold in the trees it generates: the conditional
/// IAM left out is not needed, the Lambda lag is the default one, and the task definitions meet
/// the ECS task actions' requirements.
#[test]
fn the_facts_conditions_hold_for_the_labs() {
    // aws:ssm:send-command: no *-Sources document, so no ec2:Describe* for it.
    assert!(
        ssm::DOCUMENTS.iter().all(|d| !d.name.ends_with("-Sources")),
        "a *-Sources document needs ec2:DescribeInstances and ec2:DescribeSubnets on send-command"
    );
    let mut tf = String::new();
    for spec in common::blueprints() {
        for f in common::generate_file(&spec).1 {
            if f.name.ends_with(".tf") {
                tf.push_str(&f.content);
            }
        }
    }
    // The DynamoDB replicas are MREC (no STRONG consistency), so no dynamodb:InjectError.
    assert!(
        !tf.contains("consistency_mode"),
        "a replica sets consistency_mode"
    );
    // The Lambda ramp-up is the default poll interval's (60 s), as the lag fact assumes.
    assert!(!tf.contains("AWS_FIS_SLOW_POLL_INTERVAL_SECONDS"));
    // ECS task actions: pidMode task, fault injection on, ECS Exec off (the guide's
    // requirements and limitations).
    let (_, files) = common::generate_file(
        &common::root().join("blueprints/chaos-shop-containers-serverless.yaml"),
    );
    let ecs: String = files
        .iter()
        .filter(|f| f.name.ends_with(".tf"))
        .map(|f| f.content.as_str())
        .collect();
    let set = |key: &str| -> Vec<String> {
        ecs.lines()
            .map(str::trim)
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|rest| rest.trim_start().strip_prefix('='))
            .map(|v| v.trim().to_owned())
            .collect()
    };
    assert_eq!(set("pid_mode"), ["\"task\""], "pidMode task");
    assert_eq!(
        set("enable_fault_injection"),
        ["true"],
        "enableFaultInjection"
    );
    assert!(
        set("enable_execute_command").iter().all(|v| v == "false"),
        "ECS Exec must be off"
    );
}

/// The lab READMEs state the documented lags, with the numbers of the facts file: how much of a
/// replication pause is sure to hold, how long a Lambda fault takes to reach every invocation
/// and to stop, how long an Aurora failover typically takes.
#[test]
fn the_lab_readmes_state_the_documented_lags() {
    let facts = facts();
    let lag = |id: &str, key: &str| {
        facts["actions"][id]["lag"]["value"][key]
            .as_u64()
            .unwrap_or_else(|| panic!("{id} {key}"))
    };
    let readme = |blueprint: &str| {
        let (_, files) =
            common::generate_file(&common::root().join(format!("blueprints/{blueprint}.yaml")));
        files
            .into_iter()
            .find(|f| f.name == "README.md")
            .expect("README.md")
            .content
    };
    let pause = lag("aws:dynamodb:global-table-pause-replication", "seconds");
    let text = readme("chaos-shop-multi-region");
    for want in [
        format!("up to {pause} s after the pause begins"),
        format!("600 s − {pause} s = {} s", 600 - pause),
    ] {
        assert!(text.contains(&want), "multi-region README lacks `{want}`");
    }
    let text = readme("chaos-shop-containers-serverless");
    let want = format!(
        "up to {} s to reach every invocation and up to {} s to stop",
        lag("aws:lambda:invocation-error", "seconds"),
        lag("aws:lambda:invocation-error", "after_end_seconds")
    );
    assert!(text.contains(&want), "containers README lacks `{want}`");
    let want = format!(
        "typically under {} s, often under {} s",
        lag("aws:rds:failover-db-cluster", "seconds"),
        lag("aws:rds:failover-db-cluster", "often_under_seconds")
    );
    for blueprint in ["chaos-shop-database", "chaos-shop-az-failure"] {
        assert!(
            readme(blueprint).contains(&want),
            "{blueprint} README lacks `{want}`"
        );
    }
}
