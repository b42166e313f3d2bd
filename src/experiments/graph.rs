//! The graph `start_after` draws over a template's steps: which step waits for which, the
//! first step caught in a cycle (FIS refuses one at create), the ECS task network faults
//! left to overlap (E057), and how long the longest chain runs.

use super::{Step, StepProblem, Validator};
use crate::catalog;
use crate::spec::{RawStep, Spanned, pos};

use std::collections::HashMap;

/// The index of the first step of each name (a later step of the same name is E055).
pub(super) fn first_index(steps: &[Spanned<RawStep>]) -> HashMap<&str, usize> {
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
pub(super) fn cycle(steps: &[Spanned<RawStep>], index: &HashMap<&str, usize>) -> Option<usize> {
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

/// How long a template runs, in seconds: the longest chain of steps through `start_after`,
/// each lasting its own duration (none for one that ends as soon as it has acted); `None`
/// when no step has a duration.
pub fn longest_chain(steps: &[Step]) -> Option<u64> {
    let own: Vec<Option<u64>> = steps.iter().map(Step::duration_secs).collect();
    if own.iter().all(Option::is_none) {
        return None;
    }
    // Finish times in topological order (Kahn): each action once, after every action it
    // starts after. A validated experiment has no cycle, so every action is reached.
    let mut index = std::collections::HashMap::with_capacity(steps.len());
    for (i, a) in steps.iter().enumerate() {
        index.entry(a.name.as_str()).or_insert(i);
    }
    let mut waiting = vec![0usize; steps.len()];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    for (i, a) in steps.iter().enumerate() {
        for j in a.start_after.iter().filter_map(|n| index.get(n.as_str())) {
            if let (Some(w), Some(after)) = (waiting.get_mut(i), next.get_mut(*j)) {
                *w += 1;
                after.push(i);
            }
        }
    }
    let mut start = vec![0u64; steps.len()];
    let mut finish = vec![0u64; steps.len()];
    let mut ready: Vec<usize> = (0..steps.len())
        .filter(|&i| waiting.get(i) == Some(&0))
        .collect();
    while let Some(i) = ready.pop() {
        let end = start.get(i).copied().unwrap_or(0) + own.get(i).copied().flatten().unwrap_or(0);
        if let Some(f) = finish.get_mut(i) {
            *f = end;
        }
        for &k in next.get(i).into_iter().flatten() {
            if let Some(s) = start.get_mut(k) {
                *s = (*s).max(end);
            }
            if let Some(w) = waiting.get_mut(k) {
                *w -= 1;
                if *w == 0 {
                    ready.push(k);
                }
            }
        }
    }
    finish.into_iter().max()
}

impl Validator {
    /// E057: two actions FIS cannot run at once on a task (the ECS task network faults) must
    /// be ordered by `start_after`, directly or through other actions; otherwise they overlap
    /// and the second fails ("Use the AWS FIS aws:ecs:task actions", limitations).
    pub(super) fn exclusive_overlaps(
        &mut self,
        field: &str,
        steps: &[Spanned<RawStep>],
        index: &HashMap<&str, usize>,
    ) {
        let exclusive =
            |s: &Spanned<RawStep>| catalog::EXCLUSIVE.contains(&s.value.action.value.as_str());
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
                let problem = StepProblem::ExclusiveOverlap {
                    a: an.clone(),
                    a_action: a.value.action.value.clone(),
                    b: bn.clone(),
                    b_action: b.value.action.value.clone(),
                };
                let field = format!("{field}.actions[{j}].start_after");
                self.flag(pos(&b.value.name), field, problem);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
