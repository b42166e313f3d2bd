//! An experiment's hypothesis (`expect:`): which app endpoints degrade while the fault is on
//! and which stay healthy. The catalog says what each fault can reach; this module checks a
//! spec's claim against it and fills in the default, so `chaoslab verify` and the lab README
//! judge and state the same thing.

use super::{Hypothesis, Problem, Validator};
use crate::catalog::Reach;
use crate::spec::{RawExpect, Spanned, pos};

/// One of the app's endpoints (see the app's source).
pub struct AppEndpoint {
    pub name: &'static str,
    /// The dependency it is served from.
    pub dependency: &'static str,
    /// Its path; `{id}` stands for a product id.
    pub path: &'static str,
}

/// The app's endpoints, each served from one dependency: what `expect:` names and the probe
/// requests. `/health` calls none and is not judged: the article's table counts the three
/// features.
pub const ENDPOINTS: [AppEndpoint; 3] = [
    AppEndpoint {
        name: "products",
        dependency: "aurora",
        path: "/products",
    },
    AppEndpoint {
        name: "reviews",
        dependency: "dynamodb",
        path: "/products/{id}/reviews",
    },
    AppEndpoint {
        name: "promo",
        dependency: "s3",
        path: "/promo",
    },
];

/// The endpoint served from a dependency.
pub fn served_by(dependency: &str) -> Option<&'static str> {
    ENDPOINTS
        .iter()
        .find(|e| e.dependency == dependency)
        .map(|e| e.name)
}

/// Healthy endpoints must answer at least this share of requests with a 2xx by default.
pub const TOLERANCE_PERCENT: f64 = 99.0;

pub(super) fn names() -> Vec<&'static str> {
    ENDPOINTS.iter().map(|e| e.name).collect()
}

/// How `expect:` names a Lambda function's endpoint: `fn/<name>`, which the load balancer
/// serves at `/fn/<name>` (a name of its own, so no function can take a shop endpoint's).
pub fn function_endpoint(function: &str) -> String {
    format!("fn/{function}")
}

/// Every endpoint of a lab's app, as `expect:` names them: the shop's, then one per function
/// (with an app, the load balancer routes `/fn/<name>` to each).
pub fn lab_endpoints<'a>(functions: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names()
        .into_iter()
        .map(str::to_owned)
        .chain(functions.into_iter().map(function_endpoint))
        .collect()
}

/// What the fault can degrade, and what degrades by default.
fn degradable(reach: Reach) -> (Vec<&'static str>, Vec<&'static str>) {
    match reach {
        Reach::Nothing => (vec![], vec![]),
        Reach::Cuts(d) => {
            let e: Vec<&str> = served_by(d).into_iter().collect();
            (e.clone(), e)
        }
        Reach::Disturbs(d) => (served_by(d).into_iter().collect(), vec![]),
        Reach::Everything | Reach::EverythingAndDisturbs(_) | Reach::Blackout => (names(), vec![]),
    }
}

/// In words, for a message: what the fault can degrade.
pub(super) fn reach_text(action: &str, reach: Reach) -> String {
    match reach {
        Reach::Nothing => format!("{action} fails no endpoint of the app"),
        Reach::Cuts(d) => format!(
            "this {action} cuts only {d}, so only `{}` can degrade",
            served_by(d).unwrap_or("?")
        ),
        Reach::Disturbs(d) => format!(
            "{action} disturbs only {d}, so only `{}` can degrade",
            served_by(d).unwrap_or("?")
        ),
        Reach::Everything | Reach::EverythingAndDisturbs(_) => {
            format!("{action} can degrade any endpoint")
        }
        Reach::Blackout => format!("{action} on every app subnet fails every endpoint"),
    }
}

impl Validator {
    /// The experiment's hypothesis, or `None` when the lab has no app to judge. `endpoints`:
    /// every endpoint of the lab's app ([`lab_endpoints`]); `targeted`: the function endpoints
    /// the experiment faults, which it can degrade (not judged by default: a share of errors
    /// or a delay need not fail a request).
    pub(super) fn hypothesis(
        &mut self,
        field: &str,
        raw: Option<&Spanned<RawExpect>>,
        scope: (&str, Reach),
        endpoints: &[String],
        targeted: &[String],
    ) -> Option<Hypothesis> {
        let (action, reach) = scope;
        let app = !endpoints.is_empty();
        let field = format!("{field}.expect");
        if !app {
            if let Some(r) = raw {
                self.flag(pos(r), field, Problem::ExpectWithoutApp);
            }
            return None;
        }
        let (can, default) = degradable(reach);
        // A fault that can fail any endpoint (the fleet, the network around it) can fail the
        // functions' too: the load balancer serves them.
        let can: Vec<String> = match reach {
            Reach::Everything | Reach::EverythingAndDisturbs(_) | Reach::Blackout => {
                endpoints.to_vec()
            }
            _ => can
                .into_iter()
                .map(str::to_owned)
                .chain(targeted.iter().cloned())
                .collect(),
        };
        let empty = RawExpect {
            degraded: None,
            healthy: None,
            tolerance: None,
        };
        let e = raw.map_or(&empty, |r| &r.value);
        // A default never contradicts the spec: an endpoint claimed healthy (a cache that
        // serves through the cut, say) leaves the default degraded list.
        let claimed_healthy = |n: &str| {
            e.healthy
                .as_ref()
                .is_some_and(|h| h.iter().any(|x| x.value == n))
        };
        let degraded = match &e.degraded {
            None => default
                .iter()
                .filter(|n| !claimed_healthy(n))
                .map(|s| (*s).to_owned())
                .collect(),
            Some(list) => {
                self.endpoint_list(&format!("{field}.degraded"), list, endpoints, |name| {
                    (!can.iter().any(|c| c == name)).then(|| Problem::CannotDegrade {
                        name: name.to_owned(),
                        action: action.to_owned(),
                        reach: Some(reach),
                        can: can.clone(),
                    })
                })
            }
        };
        let healthy = match &e.healthy {
            None => endpoints
                .iter()
                .filter(|n| !degraded.contains(n))
                .filter(|n| e.degraded.is_some() || !is_disturbed(reach, n))
                .filter(|n| !targeted.contains(n))
                .cloned()
                .collect(),
            Some(list) => {
                self.endpoint_list(&format!("{field}.healthy"), list, endpoints, |name| {
                    let name = name.to_owned();
                    let both = degraded.contains(&name);
                    both.then_some(Problem::DegradedAndHealthy { name })
                })
            }
        };
        let tolerance = match &e.tolerance {
            None => TOLERANCE_PERCENT,
            Some(t) if t.value > 0.0 && t.value <= 100.0 => t.value,
            Some(t) => {
                let problem = Problem::Tolerance { value: t.value };
                self.flag(pos(t), format!("{field}.tolerance"), problem);
                TOLERANCE_PERCENT
            }
        };
        Some(Hypothesis {
            degraded,
            healthy,
            tolerance,
            endpoints: endpoints.to_vec(),
        })
    }

    /// Checks each name of an endpoint list: one of the lab's `known` endpoints, listed once,
    /// and `fits` the experiment (`fits` gives the problem when it does not).
    fn endpoint_list(
        &mut self,
        field: &str,
        list: &[Spanned<String>],
        known: &[String],
        fits: impl Fn(&str) -> Option<Problem>,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let name = item.value.as_str();
            if !known.iter().any(|k| k == name) {
                let problem = Problem::UnknownEndpoint {
                    name: name.to_owned(),
                    known: known.to_vec(),
                };
                self.flag(pos(item), at, problem);
                continue;
            }
            if out.iter().any(|o| o == name) {
                let name = name.to_owned();
                self.flag(pos(item), at, Problem::EndpointTwice { name });
                continue;
            }
            match fits(name) {
                None => out.push(name.to_owned()),
                Some(problem) => self.flag(pos(item), at, problem),
            }
        }
        out
    }
}

/// Not judged by default: the endpoint of a dependency disturbed for a moment, and every
/// endpoint of a blackout.
fn is_disturbed(reach: Reach, endpoint: &str) -> bool {
    match reach {
        Reach::Disturbs(d) | Reach::EverythingAndDisturbs(d) => served_by(d) == Some(endpoint),
        Reach::Blackout => true,
        _ => false,
    }
}

pub(super) fn quoted(names: &[impl AsRef<str>]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Hypothesis {
    /// The lab README's sentence. Endpoint names come from [`ENDPOINTS`], never from spec text.
    pub fn describe(&self, deadline_secs: u32) -> String {
        let list = |l: &[String]| {
            let spans: Vec<String> = l.iter().map(|n| format!("`{n}`")).collect();
            crate::base::text::and_list(&spans)
        };
        let mut parts = Vec::new();
        if !self.degraded.is_empty() {
            parts.push(format!(
                "{} {} fast (requests fail, each answered within the app's {deadline_secs} s deadline)",
                list(&self.degraded),
                if self.degraded.len() == 1 { "fails" } else { "fail" },
            ));
        }
        if !self.healthy.is_empty() {
            parts.push(format!(
                "{} {} healthy (at least {} % of requests 2xx)",
                list(&self.healthy),
                if self.healthy.len() == 1 {
                    "stays"
                } else {
                    "stay"
                },
                self.tolerance
            ));
        }
        let unjudged: Vec<String> = self
            .endpoints
            .iter()
            .filter(|n| !self.degraded.iter().chain(&self.healthy).any(|l| l == *n))
            .cloned()
            .collect();
        if !unjudged.is_empty() {
            parts.push(format!(
                "{} {} not judged while the fault is on",
                list(&unjudged),
                if unjudged.len() == 1 { "is" } else { "are" },
            ));
        }
        let mut text = parts.join("; ");
        text.push('.');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_dependencies_pair_one_to_one() {
        for e in ENDPOINTS {
            assert_eq!(served_by(e.dependency), Some(e.name));
        }
        assert_eq!(served_by("sqs"), None);
    }

    #[test]
    fn defaults_follow_the_reach() {
        assert_eq!(
            degradable(Reach::Cuts("s3")),
            (vec!["promo"], vec!["promo"])
        );
        assert_eq!(
            degradable(Reach::Disturbs("aurora")),
            (vec!["products"], vec![])
        );
        assert_eq!(degradable(Reach::Nothing), (vec![], vec![]));
        assert_eq!(degradable(Reach::Everything).0.len(), 3);
    }

    #[test]
    fn the_sentence_names_every_endpoint_once() {
        let h = Hypothesis {
            degraded: vec!["reviews".into()],
            healthy: vec!["promo".into()],
            tolerance: 99.5,
            endpoints: lab_endpoints([]),
        };
        assert_eq!(
            h.describe(4),
            "`reviews` fails fast (requests fail, each answered within the app's 4 s deadline); `promo` stays healthy (at least 99.5 % of requests 2xx); `products` is not judged while the fault is on."
        );
        assert!(h.tolerates(995, 5) && !h.tolerates(994, 6));
    }
}
