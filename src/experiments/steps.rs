//! A template's steps as the spec gives them, each checked against the catalog: the action
//! it names, its parameters, its target and selection mode; and, in the multi-action form,
//! the names and the `start_after` graph that orders them.

use super::graph::{cycle, first_index};
use super::{Context, Step, StepProblem, Target, Validator};
use crate::base::errors::Pos;
use crate::catalog::{self, Action};
use crate::spec::{NamedMap, RawExperiment, RawStep, Spanned, pos};

/// FIS quota "Actions per experiment template" (Service Quotas code L-0BFE6B67): 20, not
/// adjustable. Source: "Quotas and limitations", AWS FIS User Guide,
/// <https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html> (read 2026-12-07).
pub const MAX_ACTIONS: usize = 20;

/// One action as the spec gives it: the experiment itself in the single-action form, one
/// entry of `actions:` in the multi-action form. Borrowed, never copied into a fake
/// experiment.
pub(super) struct RawAction<'a> {
    /// Where the action starts: the experiment, or the entry under `actions:`.
    pub at: Pos,
    /// The spec field of the action: `experiments.<name>` or `experiments.<name>.actions[i]`.
    pub field: String,
    /// The FIS action name: the experiment's, or the step's own.
    pub name: &'a str,
    pub action: &'a Spanned<String>,
    pub parameters: &'a NamedMap<Spanned<String>>,
    pub targets: Option<&'a Spanned<NamedMap<Spanned<String>>>>,
    pub selection_mode: Option<&'a Spanned<String>>,
    pub az: Option<&'a Spanned<u32>>,
    pub start_after: &'a [Spanned<String>],
}

impl<'a> RawAction<'a> {
    /// The single-action form: the experiment is its one action.
    pub fn whole(
        field: &str,
        name: &'a Spanned<String>,
        raw: &'a Spanned<RawExperiment>,
        action: &'a Spanned<String>,
    ) -> RawAction<'a> {
        let e = &raw.value;
        RawAction {
            at: pos(raw),
            field: field.to_owned(),
            name: &name.value,
            action,
            parameters: &e.parameters,
            targets: e.targets.as_ref(),
            selection_mode: e.selection_mode.as_ref(),
            az: e.az.as_ref(),
            start_after: &[],
        }
    }

    /// One entry of `actions:`.
    pub fn step(field: String, step: &'a Spanned<RawStep>) -> RawAction<'a> {
        let s = &step.value;
        RawAction {
            at: pos(step),
            field,
            name: &s.name.value,
            action: &s.action,
            parameters: &s.parameters,
            targets: s.targets.as_ref(),
            selection_mode: s.selection_mode.as_ref(),
            az: s.az.as_ref(),
            start_after: &s.start_after,
        }
    }
}

impl Validator {
    /// The multi-action form: each entry's name and `start_after`, then the graph they draw:
    /// names unique, every name referred to defined, no action after itself, no cycle (FIS
    /// refuses each at create). `None` when the entries cannot make a template at all (none,
    /// or more than FIS allows); `Some((entries, ok))` otherwise, `ok` false after an error.
    pub(super) fn step_list<'a>(
        &mut self,
        field: &str,
        raw: &Spanned<RawExperiment>,
        steps: &'a Spanned<Vec<Spanned<RawStep>>>,
    ) -> Option<(Vec<RawAction<'a>>, bool)> {
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
            self.flag(at, format!("{field}.{key}"), StepProblem::MixedKey { key });
        }
        if steps.value.is_empty() {
            self.flag(
                pos(steps),
                format!("{field}.actions"),
                StepProblem::NoActions,
            );
            return None;
        }
        if let Some(over) = steps.value.get(MAX_ACTIONS) {
            // Refused before any per-step work: the checks below stay bounded by the cap.
            let count = steps.value.len();
            let at = format!("{field}.actions[{MAX_ACTIONS}]");
            self.flag(
                pos(&over.value.name),
                at,
                StepProblem::TooManyActions { count },
            );
            return None;
        }
        let names: Vec<&str> = steps
            .value
            .iter()
            .map(|s| s.value.name.value.as_str())
            .collect();
        let index = first_index(&steps.value);
        let mut ok = true;
        let mut out = Vec::with_capacity(steps.value.len());
        for (i, step) in steps.value.iter().enumerate() {
            let st = &step.value;
            let sfield = format!("{field}.actions[{i}]");
            self.name(&st.name, &format!("{sfield}.name"), 64);
            if index
                .get(st.name.value.as_str())
                .is_some_and(|&first| first < i)
            {
                let name = st.name.value.clone();
                let at = format!("{sfield}.name");
                self.flag(pos(&st.name), at, StepProblem::ActionNameTwice { name });
                ok = false;
            }
            for (j, after) in st.start_after.iter().enumerate() {
                let afield = format!("{sfield}.start_after[{j}]");
                if after.value == st.name.value {
                    let name = after.value.clone();
                    self.flag(pos(after), afield, StepProblem::StartsAfterItself { name });
                    ok = false;
                } else if !index.contains_key(after.value.as_str()) {
                    let problem = StepProblem::NoSuchAction {
                        name: after.value.clone(),
                        others: names
                            .iter()
                            .filter(|n| **n != st.name.value)
                            .map(|n| (*n).to_owned())
                            .collect(),
                        names: names.iter().map(|n| (*n).to_owned()).collect(),
                    };
                    self.flag(pos(after), afield, problem);
                    ok = false;
                }
            }
            out.push(RawAction::step(sfield, step));
        }
        if let Some((i, step)) =
            cycle(&steps.value, &index).and_then(|i| Some((i, steps.value.get(i)?)))
        {
            let st = &step.value;
            let name = st.name.value.clone();
            let at = format!("{field}.actions[{i}].start_after");
            self.flag(pos(&st.name), at, StepProblem::Cycle { name });
            ok = false;
        }
        if ok {
            self.exclusive_overlaps(field, &steps.value, &index);
        }
        Some((out, ok))
    }

    /// One action against the catalog: the action it names, its parameters, its zone, its
    /// target and its selection mode. `None` when the catalog has no such action.
    pub(super) fn step(&mut self, raw: &RawAction, ctx: &Context) -> Option<Step> {
        let field = raw.field.as_str();
        let action_text = raw.action;
        let Some(action) = catalog::find(&action_text.value) else {
            let problem = StepProblem::UnknownAction {
                action: action_text.value.clone(),
            };
            self.flag(pos(action_text), format!("{field}.action"), problem);
            return None;
        };
        let parameters = self.parameters(field, raw, action, ctx);
        let azs = ctx.lab.network.azs;
        let az = match raw.az {
            None => None,
            Some(z) if z.value >= 1 && (z.value as usize) <= azs => Some(z.value as usize - 1),
            Some(z) => {
                let problem = StepProblem::NoZone { azs, zone: z.value };
                self.flag(pos(z), format!("{field}.az"), problem);
                None
            }
        };
        let target = self.target(field, action, raw, az, ctx);
        let selection_mode = match raw.selection_mode {
            None => "ALL".to_owned(),
            Some(m) => {
                if let Some(problem) = selection_mode(&m.value) {
                    self.flag(pos(m), format!("{field}.selection_mode"), problem);
                }
                m.value.clone()
            }
        };
        Some(Step {
            name: raw.name.to_owned(),
            start_after: raw
                .start_after
                .iter()
                .filter(|a| a.value != raw.name)
                .map(|a| a.value.clone())
                .collect(),
            action,
            parameters,
            target,
            selection_mode,
        })
    }

    /// Resolves `targets:` to resources the lab creates.
    fn target(
        &mut self,
        field: &str,
        action: &'static Action,
        raw: &RawAction,
        az: Option<usize>,
        ctx: &Context,
    ) -> Option<Target> {
        let empty = NamedMap::default();
        let targets = raw.targets.map_or(&empty, |t| &t.value);
        let Some(kind) = action.target else {
            if let Some((k, _)) = targets.iter().next() {
                let problem = StepProblem::TakesNoTarget { action: action.id };
                self.flag(pos(k), format!("{field}.targets"), problem);
            }
            return None;
        };
        let mut found = None;
        for (k, v) in targets.iter() {
            let tfield = format!("{field}.targets.{}", k.value);
            if k.value != kind.spec_key {
                let problem = StepProblem::WrongTargetKey {
                    action: action.id,
                    key: k.value.clone(),
                    kind: kind.spec_key,
                };
                self.flag(pos(k), &tfield, problem);
                continue;
            }
            match kind.resolve(&v.value, az, ctx.lab.resources) {
                Ok(selection) => found = Some(Target { kind, selection }),
                Err(problem) => self.flag(pos(v), &tfield, problem),
            }
        }
        if found.is_none() && targets.is_empty() {
            let at = raw.targets.map_or(pos(raw.action), pos);
            let problem = StepProblem::NeedsTarget {
                action: action.id,
                kind: kind.spec_key,
            };
            self.flag(at, format!("{field}.targets"), problem);
        }
        found
    }
}

/// FIS's selection modes and the `n` each takes ("CreateExperimentTemplateTargetInput",
/// `selectionMode`, FIS API Reference,
/// <https://docs.aws.amazon.com/fis/latest/APIReference/API_CreateExperimentTemplateTargetInput.html>,
/// read 2026-12-07): `ALL`, `COUNT(n)` targets and `PERCENT(n)` of them, chosen at random.
/// `n` must select something: "If no targets are found, the experiment fails" ("Targets for
/// AWS FIS", FIS User Guide).
pub(super) const SELECTION_MODES: [(&str, u64, u64); 2] =
    [("COUNT", 1, u64::MAX), ("PERCENT", 1, 100)];

/// The problem with a selection mode FIS refuses or one that selects nothing, if any.
pub fn selection_mode(m: &str) -> Option<StepProblem> {
    if m == "ALL" {
        return None;
    }
    let form = SELECTION_MODES.iter().find_map(|&(mode, min, max)| {
        let n = m.strip_prefix(mode)?.strip_prefix('(')?.strip_suffix(')')?;
        Some((mode, min, max, n))
    });
    let Some((form, min, max, n)) = form else {
        let upper = m.to_ascii_uppercase();
        let capitals = (upper != m && selection_mode(&upper).is_none()).then_some(upper);
        return Some(StepProblem::NotSelectionMode {
            mode: m.to_owned(),
            capitals,
        });
    };
    let value = Some(n)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok());
    let mode = m.to_owned();
    match value {
        Some(v) if (min..=max).contains(&v) => None,
        Some(0) => Some(StepProblem::SelectsNothing {
            mode,
            form,
            min,
            max,
        }),
        _ => Some(StepProblem::SelectionOutOfRange {
            mode,
            form,
            min,
            max,
        }),
    }
}

/// Where the experiment names its action (`action:`, or the first of `actions:`), else where
/// it starts.
pub(super) fn action_pos(raw: &Spanned<RawExperiment>) -> Pos {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(selection_mode(ok), None, "{ok}");
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
            assert!(selection_mode(bad).is_some(), "{bad}");
        }
        let help = selection_mode("percent(50)").map(|p| crate::base::diag::Problem::help(&p));
        assert_eq!(help.as_deref(), Some("write it in capitals: `PERCENT(50)`"));
    }
}
