//! Experiments against the FIS catalog and the lab rules the article teaches.
//!
//! The catalog (`crate::catalog`) says what each action takes; this module checks a spec
//! against it and adds the lessons no API check catches: a dependency fault must cut every
//! app subnet, `scope: all` cuts the catalog too, an experiment needs an alarm to stop it.

use super::{
    Alarm, Experiment, Target, TargetSelection, Tier, Validator, did_you_mean, reader_zone,
};
use crate::base::duration;
use crate::base::errors::Pos;
use crate::base::errors::{Code, Diagnostic};
use crate::catalog::ssm::{self, DocValue};
use crate::catalog::{self, Action, ParamKind};
use crate::spec::{NamedMap, RawExperiment, RawStep, Spanned, pos};

use std::collections::HashMap;

/// FIS quota "Actions per experiment template" (Service Quotas code L-0BFE6B67): 20, not
/// adjustable. Source: "Quotas and limitations", AWS FIS User Guide,
/// https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html (read 2026-12-07).
pub const MAX_ACTIONS: usize = 20;

/// What the rest of the spec provides for experiments to target.
pub struct TargetContext {
    /// The lab's Region: SSM document ARNs must name it.
    pub region: String,
    pub azs: usize,
    pub app: bool,
    pub aurora: bool,
    /// The app reaches Aurora through RDS Proxy.
    pub proxy: bool,
    /// Services the app reaches through PrivateLink.
    pub interface_endpoints: Vec<String>,
    /// The stop conditions experiments may name.
    pub alarms: Vec<Alarm>,
    /// Aurora reader instances; reader `k` sits in zone `(k + 1) % azs`.
    pub readers: u32,
    /// Some experiment of the lab moves the Aurora writer (failover, forced-failover reboot).
    pub failover: bool,
    /// The lab's DynamoDB tables (name, number of replicas), sorted by name.
    pub tables: Vec<(String, usize)>,
    /// The lab's Lambda functions, sorted by name.
    pub functions: Vec<super::Function>,
    /// The app's fleet and traffic, for the guardrail evaluation; `None` without an app.
    pub fleet: Option<super::guardrails::Fleet>,
    /// `Some(fault_injection)` when the app runs as ECS tasks.
    pub app_tasks: Option<bool>,
}

/// What `dependency:` may name.
const DEPENDENCIES: [&str; 3] = ["aurora", "dynamodb", "s3"];

/// Lab rules an experiment may break on purpose, by saying so under `acknowledge:`.
const ACKNOWLEDGEABLE: [&str; 7] = [
    "partial-subnets",
    "scope-all",
    "no-stop-condition",
    "writer-zone",
    "asg-replacement",
    "function-timeout",
    "slow-stop-condition",
];

impl Validator {
    pub(super) fn experiment(
        &mut self,
        name: &Spanned<String>,
        raw: &Spanned<RawExperiment>,
        ctx: &TargetContext,
    ) -> Option<Experiment> {
        let e = &raw.value;
        let field = format!("experiments.{}", name.value);
        if e.description.value.trim().is_empty() {
            self.err(
                Code::E048,
                pos(&e.description),
                format!("{field}.description"),
                "an FIS template needs a description",
                "say in a sentence what the experiment does",
            );
        } else if e.description.value.chars().count() > 512 {
            self.err(
                Code::E048,
                pos(&e.description),
                format!("{field}.description"),
                "an FIS template description is at most 512 characters",
                "shorten the description",
            );
        }
        let mut acknowledged = Vec::new();
        for (i, a) in e.acknowledge.iter().enumerate() {
            if ACKNOWLEDGEABLE.contains(&a.value.as_str()) {
                acknowledged.push(a.value.clone());
            } else {
                self.choice(
                    a,
                    &format!("{field}.acknowledge[{i}]"),
                    &a.value,
                    &ACKNOWLEDGEABLE,
                );
            }
        }
        let stop_conditions = self.stop_conditions(&field, e, ctx);
        let mut experiment = match &e.actions {
            None => {
                let Some(action) = &e.action else {
                    self.err(
                        Code::E005,
                        pos(raw),
                        format!("{field}.action"),
                        "an experiment needs an FIS action",
                        "add `action:` (e.g. `action: aws:fis:wait`), or several under `actions:`",
                    );
                    return None;
                };
                self.action_part(&field, name, raw, action, &acknowledged, ctx)?
            }
            Some(steps) => self.steps(&field, name, raw, steps, &acknowledged, ctx)?,
        };
        experiment.stop_conditions = stop_conditions;
        experiment.schedule = e
            .schedule
            .as_ref()
            .and_then(|s| self.schedule(&format!("{field}.schedule"), s));
        experiment.report = e
            .report
            .as_ref()
            .and_then(|r| self.report(&format!("{field}.report"), r, ctx.app));
        let what = if experiment.more.is_empty() {
            experiment.action.id
        } else {
            "the experiment's actions"
        };
        experiment.hypothesis =
            self.hypothesis(&field, e.expect.as_ref(), what, experiment.reach(), ctx.app);
        self.experiment_rules(&field, raw, &experiment, &acknowledged, ctx);
        Some(experiment)
    }

    /// One action and its parameters, targets and lab rules: the whole experiment in the
    /// single-action form, one step (`raw` standing for the step) in the multi-action form.
    fn action_part(
        &mut self,
        field: &str,
        name: &Spanned<String>,
        raw: &Spanned<RawExperiment>,
        action_text: &Spanned<String>,
        acknowledged: &[String],
        ctx: &TargetContext,
    ) -> Option<Experiment> {
        let e = &raw.value;
        let Some(action) = catalog::find(&action_text.value) else {
            // A suggestion keeps the service the author named when chaoslab knows it:
            // `aws:ec2:cpu-stress` is not a typo of `aws:ecs:task-cpu-stress`.
            let service = |id: &str| id.split(':').nth(1).map(str::to_owned);
            let named = service(&action_text.value);
            let mut ids: Vec<&str> = catalog::ACTIONS
                .iter()
                .map(|a| a.id)
                .filter(|id| service(id) == named)
                .collect();
            if ids.is_empty() {
                ids = catalog::ACTIONS.iter().map(|a| a.id).collect();
            }
            let help = did_you_mean(&action_text.value, &ids, || {
                "see the supported actions in README.md (src/catalog.rs); CPU, memory and latency faults on EC2 use aws:ssm:send-command with an AWSFIS-Run-* document".to_owned()
            });
            self.err(
                Code::E040,
                pos(action_text),
                format!("{field}.action"),
                format!(
                    "`{}` is not an FIS action chaoslab supports",
                    action_text.value
                ),
                help,
            );
            return None;
        };
        let parameters = self.parameters(field, raw, action, ctx);
        let az = match &e.az {
            None => None,
            Some(z) if z.value >= 1 && (z.value as usize) <= ctx.azs => Some(z.value as usize - 1),
            Some(z) => {
                self.err(
                    Code::E042,
                    pos(z),
                    format!("{field}.az"),
                    format!(
                        "the lab has {} availability zones; there is no zone {}",
                        ctx.azs, z.value
                    ),
                    format!("use a zone number from 1 to {}", ctx.azs),
                );
                None
            }
        };
        let target = self.target(field, action, raw, az, ctx);
        let selection_mode = match &e.selection_mode {
            None => "ALL".to_owned(),
            Some(m) => {
                if let Err((msg, help)) = selection_mode(&m.value) {
                    self.err(
                        Code::E042,
                        pos(m),
                        format!("{field}.selection_mode"),
                        msg,
                        help,
                    );
                }
                m.value.clone()
            }
        };
        let scope = parameters
            .iter()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.as_str());
        let dependency = match &e.dependency {
            Some(d) if d.value == "aurora" && !ctx.aurora => {
                self.err(
                    Code::E043,
                    pos(d),
                    format!("{field}.dependency"),
                    "the spec has no Aurora cluster",
                    "add `aurora:` to the spec, or name another dependency",
                );
                None
            }
            Some(d) if DEPENDENCIES.contains(&d.value.as_str()) => Some(d.value.clone()),
            Some(d) => {
                self.choice(d, &format!("{field}.dependency"), &d.value, &DEPENDENCIES);
                None
            }
            None => scope
                .filter(|s| ["dynamodb", "s3"].contains(s))
                .map(str::to_owned),
        };
        let experiment = Experiment {
            hypothesis: None,
            dependency,
            name: name.value.clone(),
            action_name: name.value.clone(),
            start_after: Vec::new(),
            more: Vec::new(),
            description: e.description.value.clone(),
            action,
            parameters,
            target,
            selection_mode,
            stop_conditions: e.stop_conditions.iter().map(|s| s.value.clone()).collect(),
            schedule: None,
            report: None,
        };
        self.lab_rules(field, raw, &experiment, acknowledged, ctx);
        Some(experiment)
    }

    /// The multi-action form: each step is checked as an action of its own (its parameters,
    /// targets and lab rules), then the graph `start_after` draws: names unique, every name
    /// it refers to defined, no action after itself, no cycle (FIS refuses each at create).
    fn steps(
        &mut self,
        field: &str,
        name: &Spanned<String>,
        raw: &Spanned<RawExperiment>,
        steps: &Spanned<Vec<Spanned<RawStep>>>,
        acknowledged: &[String],
        ctx: &TargetContext,
    ) -> Option<Experiment> {
        let e = &raw.value;
        let mixed = [
            e.action.as_ref().map(|a| (pos(a), "action")),
            e.parameters
                .iter()
                .next()
                .map(|(k, _)| (pos(k), "parameters")),
            e.targets.as_ref().map(|t| (pos(t), "targets")),
            e.selection_mode
                .as_ref()
                .map(|m| (pos(m), "selection_mode")),
            e.az.as_ref().map(|z| (pos(z), "az")),
        ];
        for (at, key) in mixed.into_iter().flatten() {
            self.err(
                Code::E055,
                at,
                format!("{field}.{key}"),
                format!("`{key}` beside `actions:`: each action has its own"),
                format!("move `{key}` into the action under `actions:` it belongs to"),
            );
        }
        if steps.value.is_empty() {
            self.err(
                Code::E055,
                pos(steps),
                format!("{field}.actions"),
                "an experiment needs at least one action",
                "list the actions under `actions:`, or use `action:` for one",
            );
            return None;
        }
        if let Some(over) = steps.value.get(MAX_ACTIONS) {
            // Refused before any per-step work: the checks below stay bounded by the cap.
            self.err(
                Code::E055,
                pos(&over.value.name),
                format!("{field}.actions[{MAX_ACTIONS}]"),
                format!(
                    "an FIS experiment template holds at most {MAX_ACTIONS} actions; this one has {}",
                    steps.value.len()
                ),
                format!("split it into experiments of at most {MAX_ACTIONS} actions each (FIS quota \"Actions per experiment template\", not adjustable)"),
            );
            return None;
        }
        let names: Vec<&str> = steps
            .value
            .iter()
            .map(|s| s.value.name.value.as_str())
            .collect();
        let index = first_index(&steps.value);
        let mut checked: Vec<Experiment> = Vec::new();
        let mut ok = true;
        for (i, step) in steps.value.iter().enumerate() {
            let st = &step.value;
            let sfield = format!("{field}.actions[{i}]");
            self.name(&st.name, &format!("{sfield}.name"), 64);
            if index
                .get(st.name.value.as_str())
                .is_some_and(|&first| first < i)
            {
                self.err(
                    Code::E055,
                    pos(&st.name),
                    format!("{sfield}.name"),
                    format!("two actions are named `{}`", st.name.value),
                    "give each action of the experiment its own name",
                );
                ok = false;
            }
            let mut start_after = Vec::new();
            for (j, after) in st.start_after.iter().enumerate() {
                let afield = format!("{sfield}.start_after[{j}]");
                if after.value == st.name.value {
                    self.err(
                        Code::E055,
                        pos(after),
                        afield,
                        format!("`{}` cannot start after itself", after.value),
                        "name another action, or remove it from start_after",
                    );
                    ok = false;
                } else if !index.contains_key(after.value.as_str()) {
                    let others: Vec<&str> = names
                        .iter()
                        .copied()
                        .filter(|n| *n != st.name.value)
                        .collect();
                    let help = did_you_mean(&after.value, &others, || {
                        format!("the experiment's actions are: {}", names.join(", "))
                    });
                    self.err(
                        Code::E055,
                        pos(after),
                        afield,
                        format!("there is no action `{}` in this experiment", after.value),
                        help,
                    );
                    ok = false;
                } else {
                    start_after.push(after.value.clone());
                }
            }
            // The step, as an experiment of one action, for the checks every action gets.
            let mut one = e.clone();
            one.action = Some(st.action.clone());
            one.actions = None;
            one.parameters = st.parameters.clone();
            one.targets = st.targets.clone();
            one.selection_mode = st.selection_mode.clone();
            one.az = st.az.clone();
            let one = Spanned::new(one, step.referenced, step.defined);
            match self.action_part(&sfield, name, &one, &st.action, acknowledged, ctx) {
                Some(mut x) => {
                    x.action_name = st.name.value.clone();
                    x.start_after = start_after;
                    checked.push(x);
                }
                None => ok = false,
            }
        }
        if let Some((i, step)) =
            cycle(&steps.value, &index).and_then(|i| Some((i, steps.value.get(i)?)))
        {
            let st = &step.value;
            self.err(
                Code::E055,
                pos(&st.name),
                format!("{field}.actions[{i}].start_after"),
                format!("`{}` waits, through start_after, for itself", st.name.value),
                "break the cycle: some action must start without waiting for this one",
            );
            ok = false;
        }
        if ok {
            self.exclusive_overlaps(field, &steps.value, &index);
        }
        if !ok {
            return None;
        }
        let mut first = checked.remove(0);
        first.more = checked;
        Some(first)
    }

    /// E057: two actions FIS cannot run at once on a task (the ECS task network faults) must
    /// be ordered by `start_after`, directly or through other actions; otherwise they overlap
    /// and the second fails ("Use the AWS FIS aws:ecs:task actions", limitations).
    fn exclusive_overlaps(
        &mut self,
        field: &str,
        steps: &[Spanned<RawStep>],
        index: &HashMap<&str, usize>,
    ) {
        let exclusive = |s: &Spanned<RawStep>| {
            crate::catalog::EXCLUSIVE.contains(&s.value.action.value.as_str())
        };
        let edges = edges(steps, index);
        // What each exclusive step waits for, directly or not: one walk per exclusive step.
        let waits: Vec<Option<Vec<bool>>> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| exclusive(s).then(|| reachable(&edges, i)))
            .collect();
        let waits_for = |a: usize, b: usize| {
            waits
                .get(a)
                .and_then(Option::as_ref)
                .and_then(|w| w.get(b).copied())
                .unwrap_or(false)
        };
        for (j, b) in steps.iter().enumerate().filter(|(_, s)| exclusive(s)) {
            for (i, a) in steps
                .iter()
                .enumerate()
                .take(j)
                .filter(|(_, s)| exclusive(s))
            {
                let (an, bn) = (&a.value.name.value, &b.value.name.value);
                if waits_for(j, i) || waits_for(i, j) {
                    continue;
                }
                self.err(
                    Code::E057,
                    pos(&b.value.name),
                    format!("{field}.actions[{j}].start_after"),
                    format!(
                        "`{an}` ({}) and `{bn}` ({}) would run at the same time, and FIS runs only one ECS task network fault at a time",
                        a.value.action.value, b.value.action.value
                    ),
                    format!("add `start_after: [{an}]` to `{bn}`, or move one of them to an experiment of its own"),
                );
            }
        }
    }

    /// Parameters in catalog order, each checked against its kind.
    fn parameters(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        action: &Action,
        ctx: &TargetContext,
    ) -> Vec<(String, String)> {
        let e = &raw.value;
        let region = ctx.region.as_str();
        // The app's tasks run on Fargate (`runtime: ecs`).
        let fargate = ctx.app_tasks.is_some();
        let known: Vec<&str> = action.params.iter().map(|p| p.name).collect();
        for (k, _) in e.parameters.iter() {
            if !known.contains(&k.value.as_str()) {
                let help = did_you_mean(&k.value, &known, || {
                    if known.is_empty() {
                        format!("{} takes no parameters; remove them", action.id)
                    } else {
                        format!("{} takes: {}", action.id, known.join(", "))
                    }
                });
                self.err(
                    Code::E041,
                    pos(k),
                    format!("{field}.parameters.{}", k.value),
                    format!("{} has no parameter `{}`", action.id, k.value),
                    help,
                );
            }
        }
        let mut out = Vec::new();
        for p in action.params {
            let fargate_value = p.on_fargate.filter(|_| fargate);
            let Some((_, value)) = e.parameters.iter().find(|(k, _)| k.value == p.name) else {
                if let Some(v) = fargate_value {
                    out.push((p.name.to_owned(), v.to_owned()));
                } else if p.required {
                    self.err(
                        Code::E041,
                        pos(raw),
                        format!("{field}.parameters"),
                        format!("{} needs the parameter `{}`", action.id, p.name),
                        format!("add `{}:` under parameters", p.name),
                    );
                }
                continue;
            };
            let pfield = format!("{field}.parameters.{}", p.name);
            if let Err((msg, help)) = check_param(p.kind, &value.value, action.id, region) {
                self.err(Code::E041, pos(value), pfield, msg, help);
            } else if let Some(v) = fargate_value.filter(|v| *v != value.value) {
                self.err(
                    Code::E041,
                    pos(value),
                    pfield,
                    format!(
                        "{} on Fargate tasks needs `{}: \"{v}\"`: FIS runs it there only through the ECS fault-injection endpoints",
                        action.id, p.name
                    ),
                    format!("remove `{}` (chaoslab sets it to \"{v}\" for the app's tasks)", p.name),
                );
            }
            // A document is kept by name; the model builds its ARN from var.aws_region.
            let kept = match p.kind {
                ParamKind::SsmDocument => ssm_document(&value.value, region).ok(),
                _ => None,
            };
            out.push((
                p.name.to_owned(),
                kept.unwrap_or_else(|| value.value.clone()),
            ));
        }
        self.document_parameters(field, raw, action, &out);
        out
    }

    /// `documentParameters` against the table entry of the action's SSM document: FIS itself
    /// checks them only when the command runs, minutes into an experiment.
    fn document_parameters(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        action: &Action,
        checked: &[(String, String)],
    ) {
        let by_kind = |kind: ParamKind| action.params.iter().find(|p| p.kind == kind);
        let (Some(doc_param), Some(params)) = (
            by_kind(ParamKind::SsmDocument),
            by_kind(ParamKind::DocumentParameters),
        ) else {
            return;
        };
        // Only a document that passed its own check (the kept name) is looked up.
        let Some(doc) = checked
            .iter()
            .find(|(k, _)| k == doc_param.name)
            .and_then(|(_, name)| ssm::document(name))
        else {
            return;
        };
        let given = raw
            .value
            .parameters
            .iter()
            .find(|(k, _)| k.value == params.name)
            .map(|(_, v)| v);
        let object = match given {
            None => serde_json::Map::new(),
            Some(v) => match json_object(&v.value) {
                Some(o) => o,
                None => return, // reported by check_param
            },
        };
        let at = given.map_or(action_pos(raw), pos);
        let pfield = format!("{field}.parameters.{}", params.name);
        let limit = action.duration_secs(checked);
        let names: Vec<&str> = doc.params.iter().map(|p| p.name).collect();
        for (key, value) in &object {
            let kfield = format!("{pfield}.{key}");
            let Some(p) = doc.params.iter().find(|p| p.name == key) else {
                let help = did_you_mean(key, &names, || {
                    format!("{} takes: {}", doc.name, names.join(", "))
                });
                self.err(
                    Code::E041,
                    at,
                    kfield,
                    format!("{} has no parameter `{}`", doc.name, key),
                    help,
                );
                continue;
            };
            let Some(text) = value.as_str() else {
                self.err(
                    Code::E041,
                    at,
                    kfield,
                    format!(
                        "`{key}` is {value}, not a string: FIS passes document parameters as strings"
                    ),
                    format!("quote the value: \"{key}\": \"{}\"", value.to_string().trim_matches('"')),
                );
                continue;
            };
            if let Err((msg, help)) = check_doc_value(p, text, limit) {
                self.err(Code::E041, at, kfield, msg, help);
            }
        }
        for p in doc.params.iter().filter(|p| p.required) {
            if !object.contains_key(p.name) {
                let example = match p.value {
                    DocValue::Seconds => format!("\"{}\": \"{}\"", p.name, limit.unwrap_or(60)),
                    _ => format!("\"{}\": \"...\"", p.name),
                };
                self.err(
                    Code::E041,
                    at,
                    &pfield,
                    format!("{} needs `{}` in {}", doc.name, p.name, params.name),
                    format!("add {example} to {}", params.name),
                );
            }
        }
    }

    /// Resolves `targets:` to resources the lab creates.
    fn target(
        &mut self,
        field: &str,
        action: &'static Action,
        experiment: &Spanned<RawExperiment>,
        az: Option<usize>,
        ctx: &TargetContext,
    ) -> Option<Target> {
        let empty = NamedMap::default();
        let targets = experiment
            .value
            .targets
            .as_ref()
            .map_or(&empty, |t| &t.value);
        let Some(kind) = action.target else {
            if let Some((k, _)) = targets.iter().next() {
                self.err(
                    Code::E042,
                    pos(k),
                    format!("{field}.targets"),
                    format!("{} takes no target", action.id),
                    "remove `targets`",
                );
            }
            return None;
        };
        let mut found = None;
        for (k, v) in targets.iter() {
            let tfield = format!("{field}.targets.{}", k.value);
            if k.value != kind.spec_key() {
                let help = did_you_mean(&k.value, &[kind.spec_key()], || {
                    format!("{} targets `{}`", action.id, kind.spec_key())
                });
                self.err(
                    Code::E042,
                    pos(k),
                    &tfield,
                    format!("{} cannot target `{}`", action.id, k.value),
                    help,
                );
                continue;
            }
            match kind.resolve(&v.value, az, ctx) {
                Ok(selection) => found = Some(Target { kind, selection }),
                Err((code, msg, help)) => self.err(code, pos(v), &tfield, msg, help),
            }
        }
        if found.is_none() && targets.is_empty() {
            let at = experiment
                .value
                .targets
                .as_ref()
                .map_or(action_pos(experiment), pos);
            self.err(
                Code::E042,
                at,
                format!("{field}.targets"),
                format!("{} needs a `{}` target", action.id, kind.spec_key()),
                format!("add `{}:` under targets", kind.spec_key()),
            );
        }
        found
    }

    fn stop_conditions(
        &mut self,
        field: &str,
        e: &RawExperiment,
        ctx: &TargetContext,
    ) -> Vec<String> {
        let names: Vec<&str> = ctx.alarms.iter().map(|a| a.name.as_str()).collect();
        let sfield = format!("{field}.stop_conditions");
        if let Some(sixth) = e.stop_conditions.get(5) {
            self.err(
                Code::E049,
                pos(sixth),
                &sfield,
                "an FIS template has at most 5 stop conditions",
                "keep the 5 alarms that matter most",
            );
        }
        let mut out: Vec<String> = Vec::new();
        for (i, s) in e.stop_conditions.iter().enumerate() {
            if !names.contains(&s.value.as_str()) {
                let help = did_you_mean(&s.value, &names, || {
                    if names.is_empty() {
                        "define the alarm under `alarms:` (or add `app:` for the default alarms)"
                            .to_owned()
                    } else {
                        format!("alarms in this spec: {}", names.join(", "))
                    }
                });
                self.err(
                    Code::E043,
                    pos(s),
                    format!("{sfield}[{i}]"),
                    format!("there is no alarm `{}`", s.value),
                    help,
                );
            } else if out.contains(&s.value) {
                self.err(
                    Code::E049,
                    pos(s),
                    format!("{sfield}[{i}]"),
                    format!("`{}` is listed twice", s.value),
                    "list each alarm once",
                );
            } else {
                out.push(s.value.clone());
            }
        }
        out
    }

    /// The article's lessons, as errors and warnings.
    fn lab_rules(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        e: &Experiment,
        acknowledged: &[String],
        ctx: &TargetContext,
    ) {
        let ack = |rule: &str| acknowledged.iter().any(|a| a == rule);
        let scope = e
            .parameters
            .iter()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.as_str());
        let at = raw.value.targets.as_ref().map_or(pos(raw), pos);
        let has = |k: &str| e.parameters.iter().any(|(n, _)| n == k);
        if e.action.id == "aws:network:disrupt-connectivity"
            && (scope == Some("prefix-list")) != has("prefixListIdentifier")
        {
            let (msg, help) = if scope == Some("prefix-list") {
                (
                    "scope prefix-list needs `prefixListIdentifier`",
                    "add the customer-managed prefix list's name, ID or ARN as `prefixListIdentifier`",
                )
            } else {
                (
                    "`prefixListIdentifier` only applies to scope prefix-list",
                    "remove `prefixListIdentifier`, or set `scope: prefix-list`",
                )
            };
            self.err(
                Code::E041,
                pos(raw),
                format!("{field}.parameters"),
                msg,
                help,
            );
        }
        // The fleet's auto-scaling group replaces stopped instances (ELB health checks); FIS
        // then cannot restart them and fails the action unless told that is fine.
        if e.action.id == "aws:ec2:stop-instances"
            && matches!(
                e.target.as_ref().map(|t| &t.selection),
                Some(TargetSelection::AppInstances { .. })
            )
            && has("startInstancesAfterDuration")
            && !e
                .parameters
                .iter()
                .any(|(k, v)| k == "completeIfInstancesTerminated" && v == "true")
        {
            self.err(
                Code::E044,
                pos(raw),
                format!("{field}.parameters"),
                "the auto-scaling group replaces stopped app instances, so FIS cannot restart them and the action fails",
                "add `completeIfInstancesTerminated: \"true\"` to the parameters",
            );
        }
        self.applied_in_time(field, raw, e);
        if let Some(TargetSelection::Function(name)) = e.target.as_ref().map(|t| &t.selection)
            && e.action.id == "aws:lambda:invocation-add-delay"
            && !ack("function-timeout")
            && let Some(f) = ctx.functions.iter().find(|f| &f.name == name)
            && let Some((msg, help)) =
                catalog::delay_problem(e.parameter("startupDelayMilliseconds"), f)
        {
            let given = raw
                .value
                .parameters
                .iter()
                .find(|(k, _)| k.value == "startupDelayMilliseconds");
            self.err(
                Code::E053,
                // Without the parameter, at the function whose timeout the default misses.
                given.map_or(at, |(_, v)| pos(v)),
                format!("{field}.parameters.startupDelayMilliseconds"),
                msg,
                help,
            );
        }
        if e.action.id == "aws:network:disrupt-connectivity" {
            let partial = match e.target.as_ref().map(|t| &t.selection) {
                Some(TargetSelection::Subnets {
                    tier: Tier::Private,
                    az,
                }) => az.is_some() || e.selection_mode != "ALL",
                _ => false,
            };
            if partial && !ack("partial-subnets") {
                self.err(
                    Code::E044,
                    at,
                    format!("{field}.targets"),
                    "the fault reaches only some of the app subnets, and the load balancer routes around it",
                    "target every app subnet (no `az`, selection_mode ALL), or add `acknowledge: [partial-subnets]` if losing one zone is the point",
                );
            }
            let path = match e.dependency.as_deref() {
                Some("aurora") if ctx.proxy => {
                    Some(("Aurora", "RDS Proxy, a managed service whose connections"))
                }
                Some(d) if ctx.interface_endpoints.iter().any(|i| i == d) => Some((
                    if d == "s3" { "S3" } else { "DynamoDB" },
                    "an interface endpoint (PrivateLink), whose private addresses",
                )),
                _ => None,
            };
            if let Some((dep, via)) = path {
                self.err(
                    Code::E045,
                    at,
                    format!("{field}.dependency"),
                    format!("the app reaches {dep} through {via} a subnet network ACL does not sever"),
                    "the fault has to match how the dependency is reached: drop the proxy or interface endpoint for this lab, or fault the dependency another way (aws:network:disrupt-vpc-endpoint for interface endpoints, once chaoslab supports it)",
                );
            }
            if e.dependency.as_deref() == Some("aurora")
                && !ctx.proxy
                && let Some(why) = catalog::aurora_cut_problem(e, ctx.azs)
            {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::W006,
                        raw.value.dependency.as_ref().map_or(at, pos),
                        format!("{field}.dependency"),
                        format!("`dependency: aurora` says this fault cuts the app off Aurora, but {why}"),
                    )
                    .help("for an Aurora outage reboot the writer (`aws:rds:reboot-db-instances` on `db-instances: aurora-writer`) or fail the cluster over (`aws:rds:failover-db-cluster`, with `readers: 1`), as chaos-shop-degradation does; to lose the writer's zone, cut zone 1 (`scope: all`, `az: 1`, `acknowledge: [partial-subnets, scope-all]`); then remove `dependency: aurora`"),
                );
            }
            if scope == Some("all") && ctx.app && !ack("scope-all") {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::W001,
                        at,
                        format!("{field}.parameters.scope"),
                        "scope `all` cuts every dependency of the app subnets, the catalog on Aurora included",
                    )
                    .help("to cut one dependency use scope `dynamodb` or `s3`; if a full network cut is the point, add `acknowledge: [scope-all]`"),
                );
            }
        }
        if ctx.aurora && ctx.readers == 0 && e.moves_writer() {
            self.err(
                Code::E046,
                action_pos(raw),
                format!("{field}.action"),
                format!(
                    "{} fails the writer over to a reader, and the cluster has none",
                    e.action.id
                ),
                if e.action.id == "aws:rds:failover-db-cluster" {
                    "add `readers: 1` under `aurora:` (a reader in another zone to promote)"
                } else {
                    "add `readers: 1` under `aurora:`, or drop `forceFailover` for a plain reboot"
                },
            );
        }
        let cut_zone = e.cut_zone();
        if let Some(zone) = cut_zone
            && ctx.failover
            && reader_zone(ctx.readers, ctx.azs, zone)
            && !ack("writer-zone")
        {
            self.warnings.push(
                Diagnostic::warning(
                    Code::W003,
                    raw.value.az.as_ref().map_or(at, pos),
                    format!("{field}.az"),
                    format!("after this lab's failover the Aurora writer may sit in zone {}, and cutting that zone cuts the catalog off too", zone + 1),
                )
                .help("the lab README says how to check where the writer is and fail back before this run; add `acknowledge: [writer-zone]` once you follow it"),
            );
        }
        if ctx.app && (e.stops_app_fleet() || e.cuts_app_subnets()) && !ack("asg-replacement") {
            self.warnings.push(
                Diagnostic::warning(
                    Code::W004,
                    at,
                    format!("{field}.targets"),
                    "the auto-scaling group replaces the instances this experiment stops or cuts off, and a replacement launched into a cut-off subnet cannot install the app (dnf and PyPI)",
                )
                .help("the lab README shows how to suspend the group's ReplaceUnhealthy process for the run; add `acknowledge: [asg-replacement]` once you follow it"),
            );
        }
    }

    /// Rules on the experiment as a whole (all its actions): its stop conditions.
    fn experiment_rules(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        e: &Experiment,
        acknowledged: &[String],
        ctx: &TargetContext,
    ) {
        let ack = |rule: &str| acknowledged.iter().any(|a| a == rule);
        if !ack("slow-stop-condition") {
            self.alarms_in_time(field, raw, e, ctx);
        }
        self.guarded(field, raw, e, ctx);
        if raw.value.stop_conditions.is_empty() && !ack("no-stop-condition") {
            let help = if !ctx.app {
                "a lab without an app has no load balancer for an alarm to watch: follow the run and stop it with `aws fis stop-experiment --id <experiment id>`, and add `acknowledge: [no-stop-condition]`".to_owned()
            } else if ctx.alarms.is_empty() {
                "add an alarm under `alarms:` and name it in `stop_conditions:`, or add `acknowledge: [no-stop-condition]`".to_owned()
            } else {
                format!(
                    "name an alarm in `stop_conditions:` ({}), or add `acknowledge: [no-stop-condition]`",
                    ctx.alarms
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.warnings.push(
                Diagnostic::warning(
                    Code::W002,
                    action_pos(raw),
                    format!("{field}.stop_conditions"),
                    "nothing stops this experiment if the lab breaks more than expected",
                )
                .help(help),
            );
        }
    }
}

impl Validator {
    /// E080: a fault must outlast the time its service documents it may take to apply it
    /// (`data/fis-facts.json`, lag facts given as an upper bound): one that does not may never
    /// be in effect at all, so the run would show nothing. Refused, with the arithmetic and the
    /// source; a typical time (an Aurora failover) is the README's to state, not a rule.
    fn applied_in_time(&mut self, field: &str, raw: &Spanned<RawExperiment>, e: &Experiment) {
        let Some(lag) = catalog::facts::lag(e.action.id).filter(|l| l.upper_bound) else {
            return;
        };
        let Some((param, min_secs, max_secs)) = e.action.params.iter().find_map(|p| match p.kind {
            ParamKind::Duration { min_secs, max_secs } => Some((p, min_secs, max_secs)),
            _ => None,
        }) else {
            return;
        };
        // A duration FIS refuses is E041's.
        let Some(lasts) = e
            .action
            .duration_secs(&e.parameters)
            .filter(|s| (min_secs..=max_secs).contains(s))
        else {
            return;
        };
        if lasts > lag.seconds {
            return;
        }
        let given = raw
            .value
            .parameters
            .iter()
            .find(|(k, _)| k.value == param.name);
        let left = if lasts == lag.seconds { "=" } else { "<" };
        self.err(
            Code::E080,
            given.map_or(pos(raw), |(_, v)| pos(v)),
            format!("{field}.parameters.{}", param.name),
            format!(
                "{} `{}` is {} ({lasts} s), and {} ({}): {lasts} s − {} s {left} 0 s, no time in which the fault is sure to be in effect",
                e.action.id,
                param.name,
                duration::show(lasts),
                lag.says,
                lag.source,
                lag.seconds,
            ),
            format!(
                "make `{}` longer than {}: {} keeps the fault in effect for at least {} ({})",
                param.name,
                duration::show(lag.seconds),
                duration::show(lag.seconds + lasts),
                duration::show(lasts),
                lag.url
            ),
        );
    }

    /// A stop condition must be able to fire while the experiment runs: its alarm goes into
    /// ALARM only after `period × evaluation_periods` seconds of breaching data, so one that
    /// needs as long as the experiment lasts (or longer) stops nothing. Actions without a
    /// duration (a failover, a stop without restart) end at once and are not judged.
    fn alarms_in_time(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        e: &Experiment,
        ctx: &TargetContext,
    ) {
        let Some(lasts) = e.duration_secs() else {
            return;
        };
        let fast: Vec<&str> = ctx
            .alarms
            .iter()
            .filter(|a| a.seconds_to_alarm() < lasts)
            .map(|a| a.name.as_str())
            .collect();
        for (i, s) in raw.value.stop_conditions.iter().enumerate() {
            let Some(alarm) = ctx.alarms.iter().find(|a| a.name == s.value) else {
                continue;
            };
            let needs = alarm.seconds_to_alarm();
            if needs < lasts {
                continue;
            }
            let fix = if fast.is_empty() {
                format!(
                    "make the experiment last longer than {} (e.g. {}), or give the alarm a shorter `period` or fewer `evaluation_periods`",
                    duration::show(needs),
                    duration::show(needs + 60)
                )
            } else {
                format!(
                    "make the experiment last longer than {}, or stop on an alarm that can fire within {} ({})",
                    duration::show(needs),
                    duration::show(lasts),
                    fast.join(", ")
                )
            };
            // The way out, with its cost: the alarm stays a stop condition in name only.
            let help = format!(
                "{fix}; or keep it and add `acknowledge: [slow-stop-condition]`: the experiment then runs its whole {} whatever this alarm sees (it may fire as the run ends, or after it)",
                duration::show(lasts)
            );
            self.err(
                Code::E051,
                pos(s),
                format!("{field}.stop_conditions[{i}]"),
                format!(
                    "alarm `{}` goes into ALARM only after {} × {} s = {needs} s of breaching data, and the experiment lasts {} ({lasts} s): it cannot stop the experiment before it ends",
                    alarm.name,
                    alarm.evaluation_periods,
                    alarm.period,
                    duration::show(lasts),
                ),
                help,
            );
        }
    }
}

/// FIS's selection modes and the `n` each takes ("CreateExperimentTemplateTargetInput",
/// `selectionMode`, FIS API Reference,
/// <https://docs.aws.amazon.com/fis/latest/APIReference/API_CreateExperimentTemplateTargetInput.html>,
/// read 2026-12-07): `ALL`, `COUNT(n)` targets and `PERCENT(n)` of them, chosen at random.
/// `n` must select something: "If no targets are found, the experiment fails" ("Targets for
/// AWS FIS", FIS User Guide).
const SELECTION_MODES: [(&str, u64, u64); 2] = [("COUNT", 1, u64::MAX), ("PERCENT", 1, 100)];

/// `Err((message, fix))` for a selection mode FIS refuses or one that selects nothing.
fn selection_mode(m: &str) -> Result<(), (String, String)> {
    let shown = m;
    if m == "ALL" {
        return Ok(());
    }
    let form = SELECTION_MODES.iter().find_map(|&(mode, min, max)| {
        let n = m.strip_prefix(mode)?.strip_prefix('(')?.strip_suffix(')')?;
        Some((mode, min, max, n))
    });
    let Some((mode, min, max, n)) = form else {
        let modes: Vec<String> = SELECTION_MODES
            .iter()
            .map(|(mode, ..)| format!("{mode}(n)"))
            .collect();
        let upper = m.to_ascii_uppercase();
        let help = if upper != m && selection_mode(&upper).is_ok() {
            format!("write it in capitals: `{upper}`")
        } else {
            format!("use ALL, {}", modes.join(" or "))
        };
        return Err((format!("`{shown}` is not a selection mode"), help));
    };
    let value = Some(n)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok());
    let range = if max == u64::MAX {
        format!("a whole number of at least {min}")
    } else {
        format!("a whole number from {min} to {max}")
    };
    match value {
        Some(v) if (min..=max).contains(&v) => Ok(()),
        Some(0) => Err((
            format!(
                "`{shown}` selects no target, and FIS fails an experiment whose targets it cannot find"
            ),
            format!("use {mode}(n) with n {range}, or ALL"),
        )),
        _ => Err((
            format!("`{shown}`: the n of {mode}(n) is {range}"),
            format!("use {mode}(n) with n {range}, or ALL"),
        )),
    }
}

/// The index of the first step of each name (a later step of the same name is E055).
fn first_index(steps: &[Spanned<RawStep>]) -> HashMap<&str, usize> {
    let mut index = HashMap::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        index.entry(s.value.name.value.as_str()).or_insert(i);
    }
    index
}

/// Per step, the steps it starts after (by the first step of each name; unknown names, which
/// are E055 of their own, left out).
fn edges(steps: &[Spanned<RawStep>], index: &HashMap<&str, usize>) -> Vec<Vec<usize>> {
    steps
        .iter()
        .map(|s| {
            s.value
                .start_after
                .iter()
                .filter_map(|a| index.get(a.value.as_str()).copied())
                .collect()
        })
        .collect()
}

/// The steps `start` waits for through `start_after`, directly or not (itself only through a
/// cycle): one walk, each step and edge visited once.
fn reachable(edges: &[Vec<usize>], start: usize) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut frontier: Vec<usize> = edges.get(start).cloned().unwrap_or_default();
    while let Some(i) = frontier.pop() {
        if let Some(flag) = seen.get_mut(i)
            && !*flag
        {
            *flag = true;
            frontier.extend(edges.get(i).into_iter().flatten());
        }
    }
    seen
}

/// The first step (in spec order) that waits, through `start_after`, for itself: the first
/// step of a strongly connected component with more than one step, or with an edge to
/// itself. Tarjan's algorithm, iterative: linear in steps plus edges.
fn cycle(steps: &[Spanned<RawStep>], index: &HashMap<&str, usize>) -> Option<usize> {
    let edges = edges(steps, index);
    let n = edges.len();
    const UNSEEN: usize = usize::MAX;
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut cyclic = vec![false; n];
    let mut next = 0;
    for root in 0..n {
        if order.get(root) != Some(&UNSEEN) {
            continue;
        }
        // (step, how many of its edges are done)
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut done)) = calls.last_mut() {
            if *done == 0 && order.get(v) == Some(&UNSEEN) {
                set(&mut order, v, next);
                set(&mut low, v, next);
                next += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            let out = edges.get(v).map_or(&[][..], Vec::as_slice);
            if let Some(&w) = out.get(*done) {
                *done += 1;
                if order.get(w) == Some(&UNSEEN) {
                    calls.push((w, 0));
                } else if on_stack.get(w) == Some(&true) {
                    let l = get(&low, v).min(get(&order, w));
                    set(&mut low, v, l);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                let l = get(&low, parent).min(get(&low, v));
                set(&mut low, parent, l);
            }
            if get(&low, v) == get(&order, v) {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    set(&mut on_stack, w, false);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let looped = out.contains(&v);
                if component.len() > 1 || looped {
                    for w in component {
                        set(&mut cyclic, w, true);
                    }
                }
            }
        }
    }
    cyclic.iter().position(|&c| c)
}

fn get<T: Copy + Default>(v: &[T], i: usize) -> T {
    v.get(i).copied().unwrap_or_default()
}

fn set<T>(v: &mut [T], i: usize, value: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = value;
    }
}

/// Where the experiment names its action (`action:`, or the first of `actions:`), else where
/// it starts.
fn action_pos(raw: &Spanned<RawExperiment>) -> Pos {
    let e = &raw.value;
    match (&e.action, &e.actions) {
        (Some(a), _) => pos(a),
        (None, Some(steps)) => steps
            .value
            .first()
            .map_or(pos(steps), |s| pos(&s.value.action)),
        (None, None) => pos(raw),
    }
}

/// The services a task network fault's `sources` may name, spelt as FIS spells them.
const SOURCE_SERVICES: [&str; 2] = ["DYNAMODB", "S3"];

/// One item of `sources`: an IPv4 address, an IPv4 CIDR block, a domain name, `DYNAMODB` or
/// `S3`, the list comma-separated without spaces (`fis-rules.md` §2.3 in the reference
/// material, from the FIS actions reference; the `AWSFIS-Run-Network-*-Sources` documents
/// the ECS task faults run describe it as "IPv4, IPv4/CIDR, Domain name, DYNAMODB|S3"; read
/// 2026-12-07). A service in lower case is a host name to them, and matches nothing.
fn source(item: &str) -> Result<(), String> {
    let shown = item;
    if SOURCE_SERVICES.contains(&item) {
        return Ok(());
    }
    if let Some(service) = SOURCE_SERVICES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(item))
    {
        return Err(format!(
            "`{shown}` would be read as a host name; the service is `{service}`, in capitals"
        ));
    }
    if item.is_empty() {
        return Err("an empty item".to_owned());
    }
    if item.contains(char::is_whitespace) {
        return Err(format!("`{shown}` holds white space"));
    }
    // Digits, dots and a slash are an address or a block, never a name (a name's last label
    // is not a number).
    if item
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'/')
    {
        let block = if item.contains('/') {
            item.to_owned()
        } else {
            format!("{item}/32")
        };
        return crate::base::cidr::Cidr::parse(&block)
            .map(|_| ())
            .map_err(|why| why.replace(&format!("`{block}`"), &format!("`{shown}`")));
    }
    let labels: Vec<&str> = item.strip_suffix('.').unwrap_or(item).split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let top_ok = labels
        .last()
        .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    if item.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && top_ok {
        Ok(())
    } else {
        Err(format!(
            "`{shown}` is not an IPv4 address, a CIDR block, a domain name, DYNAMODB or S3"
        ))
    }
}

/// Checks one parameter value against its kind; `Err((message, fix))`.
fn check_param(
    kind: ParamKind,
    value: &str,
    action: &str,
    region: &str,
) -> Result<(), (String, String)> {
    match kind {
        ParamKind::Duration { min_secs, max_secs } => match duration::parse(value) {
            Err(msg) => Err((msg, "write an ISO 8601 duration such as PT3M".to_owned())),
            Ok(secs) if secs < min_secs || secs > max_secs => Err((
                format!(
                    "{value} is outside {}..{} for {action}",
                    duration::show(min_secs),
                    duration::show(max_secs)
                ),
                format!(
                    "choose a duration from {} to {}",
                    duration::show(min_secs),
                    duration::show(max_secs)
                ),
            )),
            Ok(_) => Ok(()),
        },
        ParamKind::OneOf { values, advice } => {
            if values.contains(&value) {
                return Ok(());
            }
            let help = match advice {
                Some(a) => a.to_owned(),
                None => did_you_mean(value, values, || {
                    format!("use one of: {}", values.join(", "))
                }),
            };
            Err((
                format!(
                    "`{}` is not allowed here (allowed: {})",
                    value,
                    values.join(", ")
                ),
                help,
            ))
        }
        ParamKind::Bool => match value {
            "true" | "false" => Ok(()),
            _ => Err((
                format!("`{}` is not true or false", value),
                "write true or false".to_owned(),
            )),
        },
        ParamKind::Int { min, max } => match value.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(()),
            _ => Err((
                format!(
                    "`{}` is not a whole number from {min} to {max}",
                    value
                ),
                format!("use a whole number from {min} to {max}"),
            )),
        },
        ParamKind::Operations => {
            let ok = !value.is_empty()
                && value.split(',').all(|op| {
                    op.starts_with(|c: char| c.is_ascii_uppercase())
                        && op.chars().all(|c| c.is_ascii_alphanumeric())
                });
            if ok {
                Ok(())
            } else {
                Err((
                    format!("`{}` is not a list of API operations", value),
                    "list operation names separated by commas, without spaces, e.g. DescribeInstances,RunInstances".to_owned(),
                ))
            }
        }
        ParamKind::Identifier => {
            if !value.is_empty() && !value.chars().any(char::is_whitespace) {
                Ok(())
            } else {
                Err((
                    format!(
                        "`{}` is not a resource name, ID or ARN",
                        value
                    ),
                    "write the name, ID or ARN without spaces".to_owned(),
                ))
            }
        }
        ParamKind::MediaType => {
            let essence = value.split(';').next().unwrap_or_default().trim();
            let token = |t: &str| {
                !t.is_empty()
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            let ok = value.len() <= 256
                && !value.chars().any(char::is_control)
                && essence.split_once('/').is_some_and(|(t, s)| token(t) && token(s));
            if ok {
                Ok(())
            } else {
                Err((
                    format!("`{}` is not a media type", value),
                    "write a media type such as text/plain or application/json".to_owned(),
                ))
            }
        }
        ParamKind::ProcessName => {
            let ok = (1..=64).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
            if ok {
                Ok(())
            } else {
                Err((
                    format!("`{}` is not a process name", value),
                    "name the process as `pgrep` sees it, e.g. gunicorn".to_owned(),
                ))
            }
        }
        ParamKind::Sources => {
            let help = "write comma-separated IPv4 addresses, CIDR blocks, domain names, DYNAMODB or S3, without spaces, e.g. DYNAMODB,S3";
            for item in value.split(',') {
                if let Err(why) = source(item) {
                    return Err((
                        format!("`{}` is not a list of sources: {why}", value),
                        help.to_owned(),
                    ));
                }
            }
            Ok(())
        }
        ParamKind::SsmDocument => {
            let name = ssm_document(value, region)?;
            if ssm::document(&name).is_some() {
                return Ok(());
            }
            let known: Vec<&str> = ssm::DOCUMENTS.iter().map(|d| d.name).collect();
            Err((
                format!(
                    "chaoslab does not know the parameters of `{}`",
                    name
                ),
                did_you_mean(&name, &known, || {
                    format!(
                        "use one of: {} (adding a document is one entry in src/catalog/ssm.rs)",
                        known.join(", ")
                    )
                }),
            ))
        }
        // The keys and values are checked against the document (`document_parameters`).
        ParamKind::DocumentParameters => match json_object(value) {
            Some(_) => Ok(()),
            None => Err((format!("`{}` is not a JSON object", value), "write the parameters as a JSON object in quotes, e.g. '{\"DurationSeconds\": \"60\"}'".to_owned())),
        },
    }
}

/// The name of an AWSFIS-Run-* document given by name or by ARN. An ARN must be the lab
/// Region's AWS-owned document (`arn:<partition>:ssm:<region>::document/<name>`): the FIS role
/// may send only those, so another Region or an account's own document would fail at run time.
fn ssm_document(value: &str, region: &str) -> Result<String, (String, String)> {
    let example = "write the bare name, e.g. AWSFIS-Run-CPU-Stress: chaoslab builds the ARN from the lab's Region (var.aws_region)";
    let name = match value.strip_prefix("arn:") {
        None => value,
        Some(rest) => {
            let mut fields = rest.splitn(5, ':');
            let (_partition, service, arn_region, account, resource) = (
                fields.next(),
                fields.next(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            );
            let Some(name) = resource
                .strip_prefix("document/")
                .filter(|_| service == Some("ssm"))
            else {
                return Err((
                    format!("`{}` is not an SSM document ARN", value),
                    format!("{example}; or give the full ARN, with its `document/` part"),
                ));
            };
            if arn_region != region {
                return Err((
                    format!(
                        "`{}` is a document of Region `{}`, but the lab runs in `{region}` and its FIS role may only send that Region's documents",
                        value, arn_region
                    ),
                    example.to_owned(),
                ));
            }
            if !account.is_empty() {
                return Err((
                    format!(
                        "`{}` names account `{}`: AWSFIS-Run-* documents are owned by AWS and have no account in their ARN",
                        value, account
                    ),
                    example.to_owned(),
                ));
            }
            name
        }
    };
    let valid = name.strip_prefix("AWSFIS-Run-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    });
    if valid {
        Ok(name.to_owned())
    } else {
        Err((
            format!("`{}` is not an AWSFIS-Run-* SSM document", value),
            example.to_owned(),
        ))
    }
}

/// A JSON object, or `None` when the text is not one.
fn json_object(value: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(value) {
        Ok(serde_json::Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// One document parameter's value against its table entry; `limit` is the action's duration
/// in seconds. `Err((message, fix))`.
fn check_doc_value(
    p: &ssm::DocParam,
    value: &str,
    limit: Option<u64>,
) -> Result<(), (String, String)> {
    let whole = |min: u64, max: u64| match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err((
            format!(
                "{} `{value}` is not a whole number from {min} to {max}",
                p.name
            ),
            format!("use a whole number from {min} to {max}, in quotes"),
        )),
    };
    match p.value {
        DocValue::Seconds => {
            let max = limit.unwrap_or(12 * 3600);
            let secs = whole(1, 12 * 3600)?;
            if secs > max {
                return Err((
                    format!(
                        "{} `{value}` is longer than the action's duration ({} = {max} s): FIS cancels the command when the action ends, so the fault would not run as written",
                        p.name,
                        duration::show(max)
                    ),
                    format!(
                        "set {} to at most \"{max}\", or lengthen the action's `duration`",
                        p.name
                    ),
                ));
            }
            Ok(())
        }
        DocValue::Int { min, max } => whole(min, max).map(|_| ()),
        DocValue::OneOf(values) => {
            if values.contains(&value) {
                Ok(())
            } else {
                Err((
                    format!(
                        "{} `{value}` is not allowed (allowed: {})",
                        p.name,
                        values.join(", ")
                    ),
                    did_you_mean(value, values, || {
                        format!("use one of: {}", values.join(", "))
                    }),
                ))
            }
        }
        DocValue::Interface => match ssm::interface_problem(value) {
            None => Ok(()),
            Some(why) => Err((
                format!("{} `{value}` {why}", p.name),
                "name the instance's network interface, e.g. ens5 (Amazon Linux 2023) or eth0: letters, digits, `.`, `_` and `-`".to_owned(),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        for ok in [
            "DYNAMODB",
            "S3",
            "DYNAMODB,S3",
            "S3,10.0.0.0/16",
            "10.0.0.1",
            "0.0.0.0/0",
            "example.com",
            "api.example.com.",
            "dynamodb.us-east-1.amazonaws.com",
        ] {
            let all = ok.split(',').map(source).collect::<Result<Vec<_>, _>>();
            assert!(all.is_ok(), "{ok}: {all:?}");
        }
        for bad in [
            "dynamodb",
            "s3",
            "Dynamodb",
            "1.2.3.4/33",
            "10.0.300.0/24",
            "10.0.0.1/24",
            "1.2.3",
            "1.2.3.4.5",
            "",
            " S3",
            "DYNAMODB; S3",
            "$(reboot)",
            "localhost",
            "-bad.example.com",
            "example.123",
        ] {
            assert!(source(bad).is_err(), "{bad}");
        }
        assert_eq!(
            source("dynamodb"),
            Err(
                "`dynamodb` would be read as a host name; the service is `DYNAMODB`, in capitals"
                    .to_owned()
            )
        );
    }

    #[test]
    fn selection_modes() {
        for ok in [
            "ALL",
            "COUNT(1)",
            "COUNT(12)",
            "PERCENT(1)",
            "PERCENT(50)",
            "PERCENT(100)",
        ] {
            assert_eq!(selection_mode(ok), Ok(()), "{ok}");
        }
        for bad in [
            "all",
            "COUNT()",
            "COUNT(0)",
            "COUNT(-1)",
            "COUNT(+1)",
            "PERCENT(0)",
            "PERCENT(101)",
            "PERCENT(150)",
            "PERCENT(50.5)",
            "RANDOM",
            "COUNT(1",
        ] {
            assert!(selection_mode(bad).is_err(), "{bad}");
        }
        assert_eq!(
            selection_mode("percent(50)").map_err(|(_, help)| help),
            Err("write it in capitals: `PERCENT(50)`".to_owned())
        );
    }

    /// Steps `s0..sN` from `(name, start_after)` pairs, parsed as a spec would be.
    fn steps(graph: &[(String, Vec<String>)]) -> Vec<Spanned<RawStep>> {
        let yaml: String = graph
            .iter()
            .map(|(name, after)| {
                format!(
                    "- {{name: {name}, action: aws:fis:wait, start_after: [{}]}}\n",
                    after.join(", ")
                )
            })
            .collect();
        serde_saphyr::from_str(&yaml).unwrap()
    }

    /// The first step that reaches itself, by the transitive closure (Warshall): the
    /// definition, in cubic time.
    fn cycle_by_closure(graph: &[(String, Vec<String>)]) -> Option<usize> {
        let n = graph.len();
        let first = |name: &str| graph.iter().position(|(m, _)| m == name);
        let mut reach = vec![vec![false; n]; n];
        for (i, (_, after)) in graph.iter().enumerate() {
            for j in after.iter().filter_map(|a| first(a)) {
                reach[i][j] = true;
            }
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    reach[i][j] |= reach[i][k] && reach[k][j];
                }
            }
        }
        (0..n).find(|&i| reach[i][i])
    }

    #[test]
    fn cycles_are_found_as_the_closure_defines_them() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        let mut cyclic = 0;
        for _ in 0..2000 {
            let n = 1 + next(9) as usize;
            // Names from a pool smaller than n at times (duplicates), and references to a name
            // no step has (unknown).
            let pool = n as u64 + 1;
            let graph: Vec<(String, Vec<String>)> = (0..n)
                .map(|_| {
                    let name = format!("a{}", next(pool));
                    let after = (0..next(3))
                        .map(|_| format!("a{}", next(pool + 1)))
                        .collect();
                    (name, after)
                })
                .collect();
            let parsed = steps(&graph);
            let want = cycle_by_closure(&graph);
            cyclic += usize::from(want.is_some());
            assert_eq!(cycle(&parsed, &first_index(&parsed)), want, "{graph:?}");
        }
        assert!(cyclic > 200, "too few cyclic graphs drawn: {cyclic}");
    }
}
