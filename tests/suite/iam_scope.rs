//! IAM scope (issue 24): every policy document and trust policy of every checked-in tree
//! (and of the every-action fixtures, which hold each catalog action), read as Terraform
//! evaluates it, judged statement by statement against AWS's documented facts
//! (tests/fixtures/iam-facts.json: the Service Authorization Reference's actions, resource
//! types and condition keys; the confused-deputy keys each service principal sends; the tags
//! the lab's resources carry; the grants that reach a whole resource type on purpose).
//!
//! - A trust (or resource) policy condition a service does not send, or a source ARN that is
//!   not of the kind the service sends, makes the role one the service can never assume.
//! - A grant that reaches every resource of a type in the Region (`*`, `instance/*`) must be
//!   narrowed by a documented condition on something the lab's resources carry (a tag, the
//!   cluster), or be listed as an exemption with its reason.
//! - A condition key the action does not document is never in the request: the statement
//!   never applies. A tag condition on a resource type that never carries the tag, or on a
//!   value the lab does not put, never holds either.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::common;
use crate::common::terraform_eval::Tree;
use crate::fis_policy::glob;
use chaoslab::output::GeneratedFile;

const ACCOUNT: &str = "123456789012";
/// Any id the lab does not know (an experiment's, a task's, an instance's).
const ANY: &str = "zz-any-1";
/// An id of someone else's resource, which a narrowing condition must not admit.
const OTHER: &str = "zz-other-1";
/// Attributes that hold a policy document.
const POLICY_KEYS: &[&str] = &["policy", "assume_role_policy", "policy_document"];

fn facts() -> Value {
    let path = common::root().join("tests/fixtures/iam-facts.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("iam-facts.json")).expect("json")
}

/// One policy statement as Terraform evaluates it, references left as `stand-in:<ref>`.
#[derive(Debug, Default)]
struct Statement {
    /// `<tree>: data.aws_iam_policy_document.fis/ShareLogGroupWithDelivery`.
    at: String,
    actions: Vec<String>,
    resources: Vec<String>,
    /// Identifiers of `Service` principals (trust and resource policies).
    services: Vec<String>,
    /// (test, variable, values).
    conditions: Vec<(String, String, Vec<String>)>,
}

/// What the check needs to know about a tree beyond its policies.
struct Lab {
    name: String,
    region: String,
    /// The `Lab` tag's value in providers.tf default_tags.
    lab_tag: String,
    /// The stand-in of the lab's ECS cluster name, when it has one.
    ecs_cluster: Option<String>,
    /// The schedule groups its schedules are in (`default` when none is named).
    schedule_groups: Vec<String>,
    files: Vec<GeneratedFile>,
}

impl Lab {
    /// A fact's placeholders filled for this lab; `other` fills the lab's own names with
    /// someone else's.
    fn fill(&self, template: &str, other: bool) -> Vec<String> {
        let own = |v: &str| {
            if other {
                OTHER.to_owned()
            } else {
                v.to_owned()
            }
        };
        let base = template
            .replace("{partition}", "aws")
            .replace("{region}", &self.region)
            .replace("{account}", ACCOUNT)
            .replace("{id}", ANY)
            .replace("{lab_tag}", &own(&self.lab_tag))
            .replace(
                "{ecs_cluster}",
                &own(self.ecs_cluster.as_deref().unwrap_or("no-ecs-cluster")),
            );
        if base.contains("{schedule_group}") {
            let groups = if other {
                vec![OTHER.to_owned()]
            } else {
                self.schedule_groups.clone()
            };
            groups
                .iter()
                .map(|g| base.replace("{schedule_group}", g))
                .collect()
        } else {
            vec![base]
        }
    }

    fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.content.as_str())
    }
}

/// An ARN of the SAR's format for a resource type, in the lab's account and Region, with
/// every other part an id the lab does not know.
fn sample_arn(format: &str, lab: &Lab) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else {
            break;
        };
        out.push_str(match &rest[i + 2..i + end] {
            "Partition" => "aws",
            "Region" => &lab.region,
            "Account" => ACCOUNT,
            _ => ANY,
        });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The statements of one `aws_iam_policy_document` as Terraform evaluated it.
fn document_statements(at: &str, doc: &Value) -> Vec<Statement> {
    let mut out = Vec::new();
    for (i, st) in doc["statement"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for unsupported in ["not_actions", "not_resources", "not_principals"] {
            assert!(
                st.get(unsupported).is_none_or(Value::is_null),
                "{at}: `{unsupported}` is beyond this check; extend it before emitting one"
            );
        }
        if st["effect"].as_str().is_some_and(|e| e != "Allow") {
            continue; // a Deny only narrows
        }
        let sid = st["sid"]
            .as_str()
            .map_or_else(|| format!("#{i}"), str::to_owned);
        out.push(Statement {
            at: format!("{at}/{sid}"),
            actions: strings(&st["actions"]),
            resources: strings(&st["resources"]),
            services: st["principals"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["type"] == "Service")
                .flat_map(|p| strings(&p["identifiers"]))
                .collect(),
            conditions: st["condition"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    (
                        c["test"].as_str().unwrap_or_default().to_owned(),
                        c["variable"].as_str().unwrap_or_default().to_owned(),
                        strings(&c["values"]),
                    )
                })
                .collect(),
        });
    }
    out
}

/// The statements of a policy written as JSON (what `jsonencode` produced).
fn json_statements(at: &str, policy: &Value) -> Vec<Statement> {
    let list = match &policy["Statement"] {
        Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    list.iter()
        .enumerate()
        .filter(|(_, st)| st["Effect"] == "Allow")
        .map(|(i, st)| {
            for unsupported in ["NotAction", "NotResource", "NotPrincipal"] {
                assert!(st.get(unsupported).is_none(), "{at}: `{unsupported}`");
            }
            let mut conditions = Vec::new();
            for (test, kv) in st["Condition"].as_object().into_iter().flatten() {
                for (k, v) in kv.as_object().into_iter().flatten() {
                    conditions.push((test.clone(), k.clone(), strings(v)));
                }
            }
            Statement {
                at: format!(
                    "{at}/{}",
                    st["Sid"]
                        .as_str()
                        .map_or_else(|| format!("#{i}"), str::to_owned)
                ),
                actions: strings(&st["Action"]),
                resources: strings(&st["Resource"]),
                services: strings(&st["Principal"]["Service"]),
                conditions,
            }
        })
        .collect()
}

/// Every policy statement of a tree, read as Terraform evaluates it: each
/// `aws_iam_policy_document` and each policy attribute written with `jsonencode`. A policy
/// attribute written any other way fails the check: it would escape it.
fn policies(tree_name: &str, files: &[GeneratedFile]) -> Vec<Statement> {
    let tree = Tree::new(files);
    let stand_ins = [
        ("data.aws_partition.current.partition", "\"aws\""),
        (
            "data.aws_caller_identity.current.account_id",
            "\"123456789012\"",
        ),
    ];
    let documents = tree.data_blocks("aws_iam_policy_document");
    let mut read: BTreeSet<String> = BTreeSet::new();
    let mut encoded = Vec::new();
    for f in files.iter().filter(|f| f.name.ends_with(".tf")) {
        let body: hcl::Body = hcl::from_str(&f.content).expect("parses");
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            let address = block
                .labels()
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(".");
            for attr in block
                .body()
                .attributes()
                .filter(|a| POLICY_KEYS.contains(&a.key()))
            {
                let text = hcl::format::to_string(attr.expr()).expect("formats");
                if let Some(name) = text
                    .strip_prefix("data.aws_iam_policy_document.")
                    .and_then(|t| t.strip_suffix(".json"))
                {
                    read.insert(format!("data.aws_iam_policy_document.{name}"));
                } else if text.starts_with("jsonencode(") {
                    encoded.push(tree.attribute(&address, &[attr.key()]));
                } else {
                    panic!(
                        "{tree_name}: {address}.{} = {text} is neither an aws_iam_policy_document \
                         nor jsonencode: the IAM scope check cannot read it",
                        attr.key()
                    );
                }
            }
        }
    }
    let mut targets = documents.clone();
    targets.extend(encoded.iter().cloned());
    let values = tree.evaluate(&targets, &stand_ins);
    let mut out = Vec::new();
    for d in &documents {
        assert!(
            read.contains(&d.name),
            "{tree_name}: {} is attached nowhere",
            d.name
        );
        out.extend(document_statements(
            &format!("{tree_name}: {}", d.name),
            &values[&d.name],
        ));
    }
    for e in &encoded {
        let text = values[&e.name].as_str().expect("jsonencode gives a string");
        let policy: Value = serde_json::from_str(text).expect("a JSON policy");
        out.extend(json_statements(
            &format!("{tree_name}: {}", e.name),
            &policy,
        ));
    }
    out
}

fn lab_of(name: &str, files: Vec<GeneratedFile>) -> Lab {
    let mut region = None;
    let mut lab_tag = None;
    let mut ecs_cluster = None;
    let mut schedule_groups = BTreeSet::new();
    for f in files.iter().filter(|f| f.name.ends_with(".tf")) {
        let body: hcl::Body = hcl::from_str(&f.content).expect("parses");
        for b in body.blocks() {
            let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
            let attr = |body: &hcl::Body, k: &str| {
                body.attributes()
                    .find(|a| a.key() == k)
                    .map(|a| hcl::format::to_string(a.expr()).expect("formats"))
            };
            match (b.identifier(), labels.as_slice()) {
                ("variable", ["aws_region"]) => region = attr(b.body(), "default"),
                ("provider", ["aws"]) if attr(b.body(), "alias").is_none() => {
                    lab_tag = b
                        .body()
                        .blocks()
                        .find(|d| d.identifier() == "default_tags")
                        .and_then(|d| {
                            let tags = d.body().attributes().find(|a| a.key() == "tags")?;
                            let hcl::Expression::Object(o) = tags.expr() else {
                                return None;
                            };
                            o.iter().find_map(|(k, v)| match (k, v) {
                                (hcl::ObjectKey::Identifier(k), hcl::Expression::String(v))
                                    if k.as_str() == "Lab" =>
                                {
                                    Some(v.clone())
                                }
                                _ => None,
                            })
                        });
                }
                ("resource", ["aws_ecs_cluster", cluster]) => {
                    ecs_cluster = Some(format!("stand-in:aws_ecs_cluster.{cluster}.name"));
                }
                ("resource", ["aws_scheduler_schedule", _]) => {
                    schedule_groups.insert(
                        attr(b.body(), "group_name")
                            .map_or_else(|| "default".to_owned(), |g| g.trim_matches('"').into()),
                    );
                }
                _ => {}
            }
        }
    }
    Lab {
        name: name.to_owned(),
        region: region
            .expect("variable aws_region has a default")
            .trim_matches('"')
            .to_owned(),
        lab_tag: lab_tag.unwrap_or_else(|| panic!("{name}: no Lab tag in default_tags")),
        ecs_cluster,
        schedule_groups: schedule_groups.into_iter().collect(),
        files,
    }
}

/// Whether a documented key pattern (`aws:ResourceTag/${TagKey}`, `ssm:resourceTag/tag-key`,
/// `s3:ExistingObjectTag/<key>`) names `key`.
fn key_matches(pattern: &str, key: &str) -> bool {
    for marker in ["${TagKey}", "tag-key", "<key>", "${EncryptionContextKey}"] {
        if let Some(head) = pattern.strip_suffix(marker) {
            return key.len() > head.len() && key[..head.len()].eq_ignore_ascii_case(head);
        }
    }
    pattern.eq_ignore_ascii_case(key)
}

/// Keys IAM puts in every request context (the global ones, bar the tag keys each service
/// documents for itself).
fn global_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:")
        && !k.starts_with("aws:resourcetag/")
        && !k.starts_with("aws:requesttag/")
        && k != "aws:tagkeys"
}

/// A key that narrows which resources a grant reaches: a tag on them, or their cluster.
fn narrowing_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("resourcetag/")
        || k.contains("requesttag/")
        || k.contains("-tag/")
        || k == "ecs:cluster"
        || k == "ec2:vpc"
}

fn tag_of(key: &str) -> Option<&str> {
    let k = key.to_ascii_lowercase();
    (k.contains("resourcetag/") || k.contains("-tag/"))
        .then(|| key.split_once('/').map(|(_, t)| t))
        .flatten()
}

/// Whether a condition of operator `test` with `values` holds for the value `actual`.
fn holds(test: &str, values: &[String], actual: &str) -> bool {
    let op = test
        .trim_start_matches("ForAnyValue:")
        .trim_start_matches("ForAllValues:")
        .trim_end_matches("IfExists");
    values.iter().any(|v| match op {
        "StringEquals" => v == actual,
        "StringEqualsIgnoreCase" => v.eq_ignore_ascii_case(actual),
        "StringLike" | "ArnLike" | "ArnEquals" => glob(v, actual),
        "Bool" => v == actual,
        _ => false,
    })
}

#[derive(Default)]
struct Findings {
    defects: Vec<String>,
    notes: Vec<String>,
    exemptions_used: BTreeSet<String>,
    grants: usize,
    scoped: usize,
    trust_conditions: usize,
}

impl Findings {
    fn report(&mut self, confirmed: bool, text: String) {
        if confirmed {
            self.defects.push(text);
        } else {
            self.notes.push(format!("(unconfirmed fact) {text}"));
        }
    }
}

fn unconfirmed(v: &Value) -> bool {
    v["status"] == "unconfirmed"
}

/// Rule 1: the confused-deputy conditions on a service principal are ones it sends, with
/// values it sends.
fn judge_trust(facts: &Value, lab: &Lab, st: &Statement, out: &mut Findings) {
    for service in &st.services {
        let fact = &facts["trust"][service];
        if fact.is_null() {
            out.defects.push(format!(
                "{}: no fact for the service principal {service} in iam-facts.json",
                st.at
            ));
            continue;
        }
        for (test, variable, values) in &st.conditions {
            out.trust_conditions += 1;
            let Some(sent) = fact["keys"].get(variable).and_then(Value::as_str) else {
                out.report(
                    !unconfirmed(fact),
                    format!(
                        "{}: {service} does not send {variable}, so the condition never holds \
                         and the service can never use the role ({})",
                        st.at, fact["urls"][0]
                    ),
                );
                continue;
            };
            let arn_ref = fact["terraform_arn"]
                .as_str()
                .map(|t| format!("stand-in:{t}."));
            let by_reference = arn_ref.as_ref().is_some_and(|r| {
                values
                    .iter()
                    .all(|v| v.starts_with(r.as_str()) && v.ends_with(".arn"))
            });
            let samples = lab.fill(sent, false);
            if !by_reference && !samples.iter().all(|s| holds(test, values, s)) {
                out.report(
                    !unconfirmed(fact),
                    format!(
                        "{}: {service} sends {variable} = {} for this lab, which `{test} {values:?}` \
                         does not match: the service can never use the role. {} ({})",
                        st.at,
                        samples.join(" / "),
                        fact["says"].as_str().unwrap_or_default(),
                        fact["urls"][0]
                    ),
                );
            }
        }
    }
}

/// Rules 2 to 4 for an identity-policy statement.
fn judge_grants(facts: &Value, lab: &Lab, st: &Statement, out: &mut Findings) {
    for action in &st.actions {
        let fact = &facts["actions"][action];
        if fact.is_null() {
            out.defects.push(format!(
                "{}: no SAR fact for {action} in iam-facts.json: add it",
                st.at
            ));
            continue;
        }
        let types = fact["resource_types"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut documented: Vec<String> = strings(&fact["condition_keys"])
            .into_iter()
            .chain(types.iter().flat_map(|t| strings(&t["condition_keys"])))
            .collect();
        documented.sort();
        documented.dedup();
        // Rule 2: a key the action does not document is never in its request.
        for (test, variable, _) in &st.conditions {
            let lenient = test.starts_with("ForAllValues:") || test.ends_with("IfExists");
            if !global_key(variable)
                && !lenient
                && !documented.iter().any(|d| key_matches(d, variable))
            {
                out.defects.push(format!(
                    "{}: {action} documents no condition key {variable} (SAR: {}), so the \
                     statement never applies",
                    st.at,
                    documented.join(", ")
                ));
            }
        }
        let exemption = |ty: &str| {
            facts["exemptions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["action"] == action.as_str() && (e["type"] == ty || e["type"] == "*"))
        };
        for resource in &st.resources {
            out.grants += 1;
            if types.is_empty() {
                if resource != "*" {
                    match exemption("") {
                        Some(e) => {
                            out.exemptions_used.insert(format!("{action} "));
                            if unconfirmed(e) {
                                out.notes.push(format!(
                                    "{}: {action} has no resource type in the SAR yet is granted \
                                     on {resource}: {}",
                                    st.at,
                                    e["reason"].as_str().unwrap_or_default()
                                ));
                            }
                        }
                        None => out.defects.push(format!(
                            "{}: {action} has no resource type in the SAR: the only resource \
                             that matches it is `*`, not {resource}",
                            st.at
                        )),
                    }
                }
                continue;
            }
            for ty in &types {
                let name = ty["type"].as_str().unwrap_or_default();
                let sample = sample_arn(ty["arn"].as_str().unwrap_or_default(), lab);
                if !glob(resource, &sample) {
                    continue;
                }
                // The service that owns the type, as its ARN says (SSM's `instance` is EC2's).
                let arn_format = ty["arn"].as_str().unwrap_or_default();
                let prefix = arn_format.split(':').nth(2).unwrap_or_default();
                // Rule 4: a tag condition only holds on types that carry the tag, with the
                // value the lab puts there.
                for (test, variable, values) in &st.conditions {
                    let Some(tag) = tag_of(variable) else {
                        continue;
                    };
                    let tag_fact = &facts["tags"][tag];
                    if tag_fact.is_null() {
                        out.defects.push(format!(
                            "{}: no resource of the lab carries the tag {tag} ({variable})",
                            st.at
                        ));
                        continue;
                    }
                    if !strings(&tag_fact["carried_by"]).contains(&format!("{prefix}:{name}")) {
                        out.defects.push(format!(
                            "{}: {action} on {resource} requires tag {tag}, which no \
                             {prefix}:{name} of the lab carries: the statement never applies to it",
                            st.at
                        ));
                    }
                    let value = tag_fact["value"].as_str().unwrap_or_default();
                    let own = lab.fill(value, false);
                    let other = lab.fill(value, true);
                    if !own.iter().all(|v| holds(test, values, v)) {
                        out.defects.push(format!(
                            "{}: `{test} {variable} {values:?}` does not hold for the value the lab \
                             puts there ({}): the statement never applies",
                            st.at,
                            own.join(", ")
                        ));
                    } else if own != other && other.iter().any(|v| holds(test, values, v)) {
                        out.defects.push(format!(
                            "{}: `{test} {variable} {values:?}` also holds for another lab's \
                             resources ({}): it narrows nothing",
                            st.at,
                            other.join(", ")
                        ));
                    }
                }
                // Rule 3: a grant on every resource of the type is narrowed or exempt.
                let narrowed = st.conditions.iter().any(|(_, variable, _)| {
                    narrowing_key(variable) && documented.iter().any(|d| key_matches(d, variable))
                });
                if narrowed {
                    out.scoped += 1;
                } else if let Some(e) = exemption(name) {
                    out.exemptions_used.insert(format!(
                        "{action} {}",
                        e["type"].as_str().unwrap_or_default()
                    ));
                } else {
                    let keys: Vec<&String> = documented
                        .iter()
                        .filter(|d| narrowing_key(d) || d.contains("${TagKey}"))
                        .collect();
                    out.defects.push(format!(
                        "{}: {action} on {resource} reaches every {prefix}:{name} of the \
                         Region ({} access); scope it by ARN or by a condition on what the lab's \
                         resources carry (the SAR documents {keys:?}), or list it in \
                         iam-facts.json's exemptions with the reason",
                        st.at,
                        fact["access"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
}

/// What puts a tag on the resources a condition names is in the tree: the sidecar's
/// activation tags for ECS_TASK_ARN, the auto-scaling group's propagated tag for Lab on
/// instances, the launch template's volume tags for Lab on volumes.
fn judge_tag_sources(lab: &Lab, statements: &[Statement], out: &mut Findings) {
    let conditioned = |tag: &str, resource_part: &str| {
        statements.iter().any(|st| {
            st.conditions.iter().any(|(_, v, _)| tag_of(v) == Some(tag))
                && st.resources.iter().any(|r| r.contains(resource_part))
        })
    };
    if conditioned("ECS_TASK_ARN", ":managed-instance/") {
        let script = lab.file("app/ssm_agent_sidecar.sh").unwrap_or_default();
        if !script.contains("Key=ECS_TASK_ARN,Value=$task_arn") {
            out.defects.push(format!(
                "{}: a grant requires the ECS_TASK_ARN tag on managed instances, but the \
                 sidecar's activation does not put it",
                lab.name
            ));
        }
    }
    let value = format!("{:?}", lab.lab_tag);
    if conditioned("Lab", ":instance/") {
        let propagates = nested(lab, "aws_autoscaling_group", "tag", |a| {
            a("key").as_deref() == Some("\"Lab\"")
                && a("value").as_deref() == Some(value.as_str())
                && a("propagate_at_launch").as_deref() == Some("true")
        });
        if propagates.contains(&false) {
            out.defects.push(format!(
                "{}: a grant requires the Lab tag on instances, but the auto-scaling group \
                 does not propagate Lab = {value} to the instances it launches",
                lab.name
            ));
        }
    }
    // The group's tags reach instances only: the volumes' come from the launch template.
    if conditioned("Lab", ":volume/") {
        let tagged = nested(lab, "aws_launch_template", "tag_specifications", |a| {
            a("resource_type").as_deref() == Some("\"volume\"")
                && a("tags").is_some_and(|tags| tags.contains(&format!("Lab = {value}")))
        });
        if !tagged.contains(&true) {
            out.defects.push(format!(
                "{}: a grant requires the Lab tag on volumes, but no launch template tags the \
                 volumes it launches with Lab = {value}",
                lab.name
            ));
        }
    }
}

/// An attribute of a block, its expression formatted.
type Attr<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Per `resource` block of type `kind`: whether it has a nested `block` whose attributes are
/// as `wanted` asks.
fn nested(lab: &Lab, kind: &str, block: &str, wanted: impl Fn(Attr) -> bool) -> Vec<bool> {
    resources(lab, kind)
        .iter()
        .map(|r| {
            r.body().blocks().any(|t| {
                let a = |k: &str| {
                    t.body()
                        .attributes()
                        .find(|a| a.key() == k)
                        .map(|a| hcl::format::to_string(a.expr()).expect("formats"))
                };
                t.identifier() == block && wanted(&a)
            })
        })
        .collect()
}

/// The `resource` blocks of type `kind` in a lab's Terraform files.
fn resources(lab: &Lab, kind: &str) -> Vec<hcl::Block> {
    lab.files
        .iter()
        .filter(|f| f.name.ends_with(".tf"))
        .map(|f| hcl::from_str::<hcl::Body>(&f.content).expect("parses"))
        .flat_map(|b| b.into_blocks())
        .filter(|b| {
            b.identifier() == "resource" && b.labels().first().map(|l| l.as_str()) == Some(kind)
        })
        .collect()
}

fn judge(facts: &Value, lab: &Lab, out: &mut Findings) -> usize {
    let statements = policies(&lab.name, &lab.files);
    for st in &statements {
        if st.services.is_empty() {
            judge_grants(facts, lab, st, out);
        } else {
            judge_trust(facts, lab, st, out);
        }
    }
    judge_tag_sources(lab, &statements, out);
    statements.len()
}

/// The checked-in trees, read from disk, and the every-action fixtures' trees, which hold
/// each catalog action's statements.
fn labs() -> Vec<Lab> {
    let root = common::root();
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("generated"))
        .expect("generated/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let files = common::files_under(&dir)
            .into_iter()
            .map(|name| GeneratedFile {
                content: std::fs::read_to_string(dir.join(&name)).unwrap_or_default(),
                name,
            })
            .collect();
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        out.push(lab_of(&format!("generated/{name}"), files));
    }
    for fixture in common::EVERY_ACTION_FIXTURES {
        let (_, files) = common::generate_file(&root.join("tests/fixtures").join(fixture));
        out.push(lab_of(&format!("tests/fixtures/{fixture}"), files));
    }
    out
}

#[test]
fn every_statement_and_trust_policy_holds_against_the_documented_facts() {
    let facts = facts();
    let labs = labs();
    assert!(labs.len() >= 12, "{} trees", labs.len());
    let mut out = Findings::default();
    let mut statements = 0;
    for lab in &labs {
        statements += judge(&facts, lab, &mut out);
    }
    // Once per statement, whatever the number of trees holding it.
    let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
    for note in &out.notes {
        let (_tree, rest) = note
            .split_once(": data.")
            .or_else(|| note.split_once(": "))
            .unwrap_or(("", note));
        *notes.entry(rest).or_default() += 1;
    }
    for (note, trees) in notes {
        eprintln!("note ({trees} trees): {note}");
    }
    eprintln!(
        "iam scope: {} trees, {statements} statements, {} grants, {} narrowed by a condition, \
         {} exemptions used, {} trust conditions",
        labs.len(),
        out.grants,
        out.scoped,
        out.exemptions_used.len(),
        out.trust_conditions
    );
    let mut defects = out.defects.clone();
    defects.sort();
    defects.dedup();
    assert!(
        defects.is_empty(),
        "{} IAM defects:\n{}",
        defects.len(),
        defects.join("\n")
    );
    // An exemption no grant needs any more is stale: remove it.
    let listed: BTreeSet<String> = facts["exemptions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap_or_default(),
                e["type"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let stale: Vec<&String> = listed.difference(&out.exemptions_used).collect();
    assert!(stale.is_empty(), "exemptions no grant uses: {stale:?}");
    assert!(statements > 100 && out.grants > 200 && out.trust_conditions > 20);
}

/// Every action the catalog and the model can grant has its SAR fact, with a source URL per
/// service and the date read.
#[test]
fn the_facts_have_their_sources() {
    let facts = facts();
    assert_eq!(facts["read"], "2026-12-07");
    let actions = facts["actions"].as_object().expect("actions");
    for (action, fact) in actions {
        let service = action.split(':').next().expect("prefix");
        let url = facts["services"][service].as_str().unwrap_or_default();
        assert!(
            url.starts_with("https://docs.aws.amazon.com/service-authorization/"),
            "{action}: no SAR page"
        );
        assert!(fact["access"].is_string(), "{action}");
        for t in fact["resource_types"].as_array().expect("list") {
            assert!(
                t["arn"].as_str().is_some_and(|a| a.starts_with("arn:")),
                "{action}: {t}"
            );
        }
    }
    for section in ["trust", "tags"] {
        for (name, f) in facts[section].as_object().expect(section) {
            assert!(
                strings(&f["urls"])
                    .iter()
                    .all(|u| u.starts_with("https://"))
                    && f["urls"][0].is_string(),
                "{section} {name}: no source"
            );
        }
    }
    for e in facts["exemptions"].as_array().expect("exemptions") {
        assert!(
            actions.contains_key(e["action"].as_str().unwrap_or_default())
                && e["reason"].as_str().is_some_and(|r| r.len() > 20)
                && e["urls"][0].is_string(),
            "{e}"
        );
    }
    // Every action the catalog's statements name.
    let mut named: BTreeMap<&str, &str> = BTreeMap::new();
    for a in chaoslab::catalog::ACTIONS {
        for s in a.iam {
            for api in s.actions {
                named.insert(api, a.id);
            }
        }
    }
    for (api, id) in named {
        assert!(actions.contains_key(api), "{api} ({id}) has no SAR fact");
    }
}

/// The reader takes a `jsonencode`d policy as Terraform writes it, and the judge sees in it
/// what it sees in the same policy as a data source.
#[test]
fn a_jsonencoded_policy_is_read_as_terraform_writes_it() {
    let tree = |policy: &str| {
        vec![GeneratedFile {
            name: "main.tf".into(),
            content: format!(
                "resource \"aws_iam_role_policy\" \"p\" {{\n  role   = \"r\"\n  policy = {policy}\n}}\n"
            ),
        }]
    };
    let encoded = policies(
        "t",
        &tree(
            "jsonencode({ Version = \"2012-10-17\", Statement = [{ Sid = \"Stop\", Effect = \"Allow\", \
             Action = [\"ec2:StopInstances\"], Resource = \"arn:${data.aws_partition.current.partition}:ec2:*:${data.aws_caller_identity.current.account_id}:instance/*\" }] })",
        ),
    );
    assert_eq!(encoded.len(), 1);
    assert_eq!(encoded[0].actions, ["ec2:StopInstances"]);
    assert_eq!(
        encoded[0].resources,
        ["arn:aws:ec2:*:123456789012:instance/*"]
    );
    let mut out = Findings::default();
    judge_grants(&facts(), &bare_lab("us-east-1"), &encoded[0], &mut out);
    assert!(
        out.defects
            .iter()
            .any(|d| d.contains("reaches every ec2:instance")),
        "{:?}",
        out.defects
    );
}

/// A lab with nothing but a Region, for the judges' own tests.
fn bare_lab(region: &str) -> Lab {
    Lab {
        name: "t".into(),
        region: region.into(),
        lab_tag: "t".into(),
        ecs_cluster: None,
        schedule_groups: vec!["default".into()],
        files: Vec::new(),
    }
}

/// The Scheduler trust chaoslab wrote before (a schedule name prefix as the source ARN) is a
/// role Scheduler can never assume; the schedule group's ARN is one it can.
#[test]
fn a_source_arn_the_service_does_not_send_is_a_defect() {
    let trust = |test: &str, arn: &str| Statement {
        at: "t".into(),
        services: vec!["scheduler.amazonaws.com".into()],
        conditions: vec![
            (
                "StringEquals".into(),
                "aws:SourceAccount".into(),
                vec![ACCOUNT.into()],
            ),
            (test.into(), "aws:SourceArn".into(), vec![arn.into()]),
        ],
        ..Statement::default()
    };
    let judge = |st: &Statement| {
        let mut out = Findings::default();
        judge_trust(&facts(), &bare_lab("eu-west-1"), st, &mut out);
        out.defects
    };
    let old = judge(&trust(
        "ArnLike",
        "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/lab-*",
    ));
    assert!(
        old.iter().any(|d| d.contains("can never use the role")),
        "{old:?}"
    );
    let group = trust(
        "ArnEquals",
        "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default",
    );
    assert_eq!(judge(&group), Vec::<String>::new());
    let mut foreign = group;
    foreign.conditions[0].2 = vec!["999999999999".into()];
    assert!(!judge(&foreign).is_empty(), "another account's");
}

#[test]
fn sample_arns_follow_the_sar_format() {
    let lab = bare_lab("eu-west-1");
    assert_eq!(
        sample_arn(
            "arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}",
            &lab
        ),
        "arn:aws:ecs:eu-west-1:123456789012:task/zz-any-1/zz-any-1"
    );
    assert!(key_matches(
        "aws:ResourceTag/${TagKey}",
        "aws:ResourceTag/Lab"
    ));
    assert!(key_matches(
        "ssm:resourceTag/tag-key",
        "ssm:resourceTag/ECS_TASK_ARN"
    ));
    assert!(!key_matches(
        "aws:ResourceTag/${TagKey}",
        "aws:RequestTag/Lab"
    ));
    assert!(holds(
        "ArnLike",
        &["arn:aws:fis:*:1:experiment/*".into()],
        "arn:aws:fis:x:1:experiment/e"
    ));
    assert!(!holds("StringEquals", &["a".into()], "b"));
}
