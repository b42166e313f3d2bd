//! An experiment template against the rest of the lab: its description, acknowledgements,
//! stop conditions, dependency, expectations, schedule and report; its steps checked one by
//! one (`steps`, `parameters`, `rules`) and as a whole (stop conditions in time, E082).

use super::guardrails::Fleet;
use super::rules::Checked;
use super::steps::{RawAction, action_pos};
use super::{Experiment, Problem, StepProblem, Validator, expect, scenarios};
use crate::catalog::{LabView, Step, functions, network};
use crate::resources::Resources;
use crate::spec::{RawExperiment, Spanned, pos};

/// What experiments are checked against: the lab's checked resources, the experiment (from
/// the raw spec) that moves the Aurora writer, and the app's fleet for the guardrails.
pub struct Context<'a> {
    pub lab: LabView<'a>,
    /// The app's fleet and traffic, for the guardrail evaluation; `None` without an app.
    pub fleet: Option<Fleet>,
}

impl<'a> Context<'a> {
    pub fn new(resources: &'a Resources, failover: Option<&'a str>) -> Context<'a> {
        Context {
            lab: LabView {
                resources,
                failover,
            },
            fleet: Fleet::of(resources.app.as_ref()),
        }
    }

    /// The app reaches Aurora through RDS Proxy.
    pub fn proxy(&self) -> bool {
        self.lab.aurora.as_ref().is_some_and(|a| a.proxy)
    }

    /// Aurora reader instances; reader `k` sits in zone `(k + 1) % azs`.
    pub fn readers(&self) -> u32 {
        self.lab.aurora.as_ref().map_or(0, |a| a.readers)
    }

    /// The app runs as ECS tasks on Fargate (`runtime: ecs`).
    pub fn fargate(&self) -> bool {
        self.lab.app.as_ref().and_then(|a| a.fargate()).is_some()
    }
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
    /// `scenario:`: its name, no key of a hand-written template beside it, its zone and its
    /// `duration`; then the experiment as the scenario's actions for this lab.
    fn scenario(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        at: &Spanned<String>,
        ctx: &Context,
    ) -> Option<(&'static scenarios::Scenario, Spanned<RawExperiment>)> {
        let e = &raw.value;
        let Some(scenario) = scenarios::find(&at.value) else {
            let problem = Problem::UnknownScenario {
                name: at.value.clone(),
                names: scenarios::names(),
            };
            self.flag(pos(at), format!("{field}.scenario"), problem);
            return None;
        };
        let mut ok = true;
        let beside = [
            e.action.as_ref().map(|a| (pos(a), "action")),
            e.actions.as_ref().map(|a| (pos(a), "actions")),
            e.targets.as_ref().map(|t| (pos(t), "targets")),
            e.selection_mode
                .as_ref()
                .map(|m| (pos(m), "selection_mode")),
        ];
        for (p, key) in beside.into_iter().flatten() {
            self.flag(
                p,
                format!("{field}.{key}"),
                Problem::KeyBesideScenario { key },
            );
            ok = false;
        }
        let azs = ctx.lab.network.azs;
        let az = match &e.az {
            Some(az) if (1..=azs).contains(&(az.value as usize)) => Some(az),
            Some(az) => {
                let problem = StepProblem::NoZone {
                    azs,
                    zone: az.value,
                };
                self.flag(pos(az), format!("{field}.az"), problem);
                None
            }
            None => {
                self.flag(
                    pos(at),
                    format!("{field}.az"),
                    Problem::ScenarioWithoutZone { azs },
                );
                None
            }
        };
        let (min_secs, max_secs) = scenario.duration_secs;
        let mut duration = (scenario.default_duration.to_owned(), 0);
        for (k, v) in e.parameters.iter() {
            let pfield = format!("{field}.parameters.{}", k.value);
            if k.value != "duration" {
                let problem = Problem::ScenarioParameter {
                    key: k.value.clone(),
                    scenario: scenario.name,
                };
                self.flag(pos(k), pfield, problem);
                ok = false;
                continue;
            }
            match crate::base::duration::parse(&v.value) {
                Ok(secs) if (min_secs..=max_secs).contains(&secs) => {
                    duration = (v.value.clone(), secs);
                }
                _ => {
                    let problem = Problem::ScenarioDuration {
                        value: v.value.clone(),
                        min_secs,
                        max_secs,
                    };
                    self.flag(pos(v), pfield, problem);
                    ok = false;
                }
            }
        }
        if duration.1 == 0 {
            duration.1 = crate::base::duration::parse(&duration.0).unwrap_or(min_secs);
        }
        let az = az.filter(|_| ok)?;
        let input = scenarios::Input {
            az: az.value,
            duration: duration.0,
            secs: duration.1,
        };
        let planned = (scenario.plan)(&input, ctx.lab.resources);
        let steps = scenarios::steps(planned, az, at);
        Some((scenario, scenarios::expanded(raw, scenario, steps)))
    }

    pub(super) fn experiment(
        &mut self,
        name: &Spanned<String>,
        raw: &Spanned<RawExperiment>,
        ctx: &Context,
    ) -> Option<Experiment> {
        let field = format!("experiments.{}", name.value);
        // A scenario is checked as the actions it expands into.
        let expanded = match &raw.value.scenario {
            Some(at) => Some(self.scenario(&field, raw, at, ctx)?),
            None => None,
        };
        let (scenario, raw) = match &expanded {
            Some((scenario, e)) => (Some(*scenario), e),
            None => (None, raw),
        };
        let e = &raw.value;
        if e.description.value.trim().is_empty() {
            let at = format!("{field}.description");
            self.flag(pos(&e.description), at, Problem::NoDescription);
        } else if e.description.value.chars().count() > 512 {
            let at = format!("{field}.description");
            self.flag(pos(&e.description), at, Problem::LongDescription);
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
        let (raws, mut ok) = match &e.actions {
            None => {
                let Some(action) = &e.action else {
                    self.flag(pos(raw), format!("{field}.action"), Problem::NoAction);
                    return None;
                };
                (vec![RawAction::whole(&field, name, raw, action)], true)
            }
            Some(steps) => self.step_list(&field, raw, steps)?,
        };
        let checked: Vec<Option<Step>> = raws.iter().map(|r| self.step(r, ctx)).collect();
        // `dependency:` is the experiment's, checked once when some step names a known action.
        let explicit = if checked.iter().any(Option::is_some) {
            e.dependency
                .as_ref()
                .map(|d| self.dependency(&field, d, ctx))
        } else {
            None
        };
        let mut steps = Vec::with_capacity(checked.len());
        for (raw_step, step) in raws.iter().zip(checked) {
            let Some(step) = step else {
                ok = false;
                continue;
            };
            let dependency = match &explicit {
                Some(checked) => checked.clone(),
                None => step
                    .value(&network::SCOPE)
                    .filter(|s| ["dynamodb", "s3"].contains(s))
                    .map(str::to_owned),
            };
            self.lab_rules(&Checked {
                raw: raw_step,
                step: &step,
                dependency: dependency.as_deref(),
                dependency_at: e.dependency.as_ref(),
                acknowledged: &acknowledged,
                ctx,
            });
            steps.push((step, dependency));
        }
        if !ok {
            return None;
        }
        // The template's dependency: the experiment's, else its first step's scope.
        let dependency = steps.first().and_then(|(_, d)| d.clone());
        let mut experiment = Experiment {
            name: name.value.clone(),
            steps: steps.into_iter().map(|(s, _)| s).collect(),
            description: e.description.value.clone(),
            scenario,
            stop_conditions,
            dependency,
            hypothesis: None,
            schedule: e
                .schedule
                .as_ref()
                .and_then(|s| self.schedule(&format!("{field}.schedule"), s)),
            report: e
                .report
                .as_ref()
                .and_then(|r| self.report(&format!("{field}.report"), r, ctx.lab.app.is_some())),
        };
        let what = match experiment.steps.as_slice() {
            [one] => one.action.id,
            _ => "the experiment's actions",
        };
        let endpoints = match ctx.lab.app {
            Some(_) => expect::lab_endpoints(ctx.lab.functions.iter().map(|f| f.name.as_str())),
            None => Vec::new(),
        };
        let targeted: Vec<String> = experiment
            .steps
            .iter()
            .filter_map(|s| s.selection().and_then(functions::function))
            .map(expect::function_endpoint)
            .collect();
        experiment.hypothesis = self.hypothesis(
            &field,
            e.expect.as_ref(),
            (what, experiment.reach()),
            &endpoints,
            &targeted,
        );
        self.experiment_rules(&field, raw, &experiment, &acknowledged, ctx);
        Some(experiment)
    }

    /// A given `dependency:`: `None` when it names nothing the lab has (reported).
    fn dependency(&mut self, field: &str, d: &Spanned<String>, ctx: &Context) -> Option<String> {
        match d.value.as_str() {
            "aurora" if ctx.lab.aurora.is_none() => {
                self.flag(pos(d), format!("{field}.dependency"), Problem::NoAurora);
                None
            }
            v if DEPENDENCIES.contains(&v) => Some(d.value.clone()),
            _ => {
                self.choice(d, &format!("{field}.dependency"), &d.value, &DEPENDENCIES);
                None
            }
        }
    }

    /// Rules on the experiment as a whole (all its actions): its stop conditions.
    fn experiment_rules(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        e: &Experiment,
        acknowledged: &[String],
        ctx: &Context,
    ) {
        let ack = |rule: &str| acknowledged.iter().any(|a| a == rule);
        if !ack("slow-stop-condition") {
            self.alarms_in_time(field, raw, e, ctx);
        }
        self.guarded(field, raw, e, ctx);
        if raw.value.stop_conditions.is_empty() && !ack("no-stop-condition") {
            let problem = Problem::NoStopCondition {
                app: ctx.lab.app.is_some(),
                alarms: ctx.lab.alarms.iter().map(|a| a.name.clone()).collect(),
            };
            let at = format!("{field}.stop_conditions");
            self.flag(action_pos(raw), at, problem);
        }
    }
}
