//! The checker's plumbing: where the diagnostics collect, and the checks every section shares
//! (names, fixed choices, numbers in range, text in form).

use crate::base::diag::problems;
use crate::base::errors::{Diagnostic, Pos, Severity};
use crate::base::suggest::suggest;
use crate::spec::{NamedMap, Spanned, pos};

problems! {
    /// The checks every section shares: names, fixed choices, numbers in range, text in form.
    pub enum Problem in "resources::checker::Problem" {
        /// A name with characters AWS names and Terraform addresses cannot hold.
        BadName { name: String, max: usize } => E010,
        LongName { name: String, max: usize } => E010,
        NotAllowed { got: String, allowed: Vec<String> } => E023,
        OutOfRange { value: String, low: String, high: String } => E006,
        /// `rule` says what the field takes.
        BadText { value: String, field: String, rule: String } => E007,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::BadName { name, .. } => format!("`{name}` is not a valid name"),
            Problem::LongName { name, max } => format!(
                "`{name}` is {} characters long; names here are at most {max}",
                name.len()
            ),
            Problem::NotAllowed { got, .. } => format!("`{got}` is not allowed here"),
            Problem::OutOfRange { value, .. } => format!("{value} is out of range"),
            Problem::BadText { value, field, .. } => format!("`{value}` is not a valid {field}"),
        }
    }

    fn help(&self) -> String {
        match self {
            Problem::BadName { name, max } => {
                let fixed = slug(name);
                let rule =
                    "use lowercase letters, digits and single hyphens, starting with a letter";
                if fixed.is_empty() || fixed.len() > *max {
                    format!("{rule}, at most {max} characters")
                } else {
                    format!("{rule}, e.g. `{fixed}`")
                }
            }
            Problem::LongName { name, max } => {
                format!(
                    "shorten it by {} characters",
                    name.len().saturating_sub(*max)
                )
            }
            Problem::NotAllowed { got, allowed } => {
                let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                match suggest(got, &allowed) {
                    Some(s) => format!("did you mean `{s}`? (allowed: {})", allowed.join(", ")),
                    None => format!("use one of: {}", allowed.join(", ")),
                }
            }
            Problem::OutOfRange { low, high, .. } => format!("use a value from {low} to {high}"),
            Problem::BadText { rule, .. } => rule.clone(),
        }
    }
}

/// Longest spec name (tables, buckets, experiments); keeps derived AWS names within limits.
const MAX_NAME: usize = 32;

pub struct Validator {
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The time the spec is checked at: only warnings about dates already past read it, so
    /// the checked lab (and the tree) never depends on it.
    pub(crate) now: jiff::Timestamp,
}

impl Validator {
    /// Reports a finding at `at` on `field`: an error, or a warning when its code is one.
    pub(crate) fn flag(
        &mut self,
        at: Pos,
        field: impl Into<String>,
        problem: impl crate::base::diag::Problem,
    ) {
        let d = problem.at(at, field);
        match d.severity {
            Severity::Error => self.diags.push(d),
            Severity::Warning => self.warnings.push(d),
        }
    }

    /// Checks every name of a section and builds its entries, sorted by name.
    pub(crate) fn sorted<R, T>(
        &mut self,
        map: &NamedMap<R>,
        section: &str,
        mut build: impl FnMut(&mut Self, &Spanned<String>, &R) -> T,
    ) -> Vec<T> {
        let mut out: Vec<(String, T)> = map
            .iter()
            .map(|(name, raw)| {
                self.name(name, &format!("{section}.{}", name.value), MAX_NAME);
                (name.value.clone(), build(self, name, raw))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter().map(|(_, t)| t).collect()
    }

    /// Spec names become AWS names and Terraform addresses: lowercase letters, digits and
    /// single hyphens, starting with a letter.
    pub(crate) fn name(&mut self, name: &Spanned<String>, field: &str, max: usize) {
        let n = &name.value;
        let charset_ok = n.starts_with(|c: char| c.is_ascii_lowercase())
            && !n.ends_with('-')
            && !n.contains("--")
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !charset_ok {
            self.flag(
                pos(name),
                field,
                Problem::BadName {
                    name: n.clone(),
                    max,
                },
            );
        } else if n.len() > max {
            self.flag(
                pos(name),
                field,
                Problem::LongName {
                    name: n.clone(),
                    max,
                },
            );
        }
    }

    /// Reports a value outside a fixed set, suggesting the nearest allowed one.
    pub(crate) fn choice(
        &mut self,
        at: &Spanned<String>,
        field: &str,
        got: &str,
        allowed: &[&str],
    ) {
        let got = got.to_owned();
        let allowed = allowed.iter().map(|a| (*a).to_owned()).collect();
        self.flag(pos(at), field, Problem::NotAllowed { got, allowed });
    }

    /// A number within `range`, or the default when absent.
    pub(crate) fn bounded<T>(
        &mut self,
        v: &Option<Spanned<T>>,
        field: &str,
        range: std::ops::RangeInclusive<T>,
        default: T,
    ) -> T
    where
        T: Copy + PartialOrd + std::fmt::Display,
    {
        let Some(v) = v else { return default };
        if !range.contains(&v.value) {
            let problem = Problem::OutOfRange {
                value: v.value.to_string(),
                low: range.start().to_string(),
                high: range.end().to_string(),
            };
            self.flag(pos(v), field, problem);
        }
        v.value
    }

    /// A text field matching `ok`, or the default when absent.
    pub(crate) fn text(
        &mut self,
        v: &Option<Spanned<String>>,
        field: &str,
        ok: impl Fn(&str) -> bool,
        rule: &str,
        default: &str,
    ) -> String {
        match v {
            None => default.to_owned(),
            Some(s) => {
                if !ok(&s.value) {
                    let problem = Problem::BadText {
                        value: s.value.clone(),
                        field: field.to_owned(),
                        rule: rule.to_owned(),
                    };
                    self.flag(pos(s), field, problem);
                }
                s.value.clone()
            }
        }
    }
}

/// A best-effort valid name derived from an invalid one, for the fix text.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_matches('-')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slug("Chaos Shop_07"), "chaos-shop-07");
    }
}
