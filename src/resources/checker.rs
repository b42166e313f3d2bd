//! The checker's plumbing: where the diagnostics collect, and the checks every section shares
//! (names, fixed choices, numbers in range, text in form).

use crate::base::errors::{Code, Diagnostic, Pos};
use crate::base::suggest::suggest;
use crate::spec::{NamedMap, Spanned, pos};

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
    pub(crate) fn err(
        &mut self,
        code: Code,
        at: Pos,
        field: impl Into<String>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, at, field, msg).help(help));
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
            let fixed = slug(n);
            let rule = "use lowercase letters, digits and single hyphens, starting with a letter";
            let help = if fixed.is_empty() || fixed.len() > max {
                format!("{rule}, at most {max} characters")
            } else {
                format!("{rule}, e.g. `{fixed}`")
            };
            self.err(
                Code::E010,
                pos(name),
                field,
                format!("`{}` is not a valid name", n),
                help,
            );
        } else if n.len() > max {
            self.err(
                Code::E010,
                pos(name),
                field,
                format!(
                    "`{n}` is {} characters long; names here are at most {max}",
                    n.len()
                ),
                format!("shorten it by {} characters", n.len() - max),
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
        let help = match suggest(got, allowed) {
            Some(s) => format!("did you mean `{s}`? (allowed: {})", allowed.join(", ")),
            None => format!("use one of: {}", allowed.join(", ")),
        };
        self.err(
            Code::E023,
            pos(at),
            field,
            format!("`{}` is not allowed here", got),
            help,
        );
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
            self.err(
                Code::E006,
                pos(v),
                field,
                format!("{} is out of range", v.value),
                format!("use a value from {} to {}", range.start(), range.end()),
            );
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
                    self.err(
                        Code::E007,
                        pos(s),
                        field,
                        format!("`{}` is not a valid {field}", s.value),
                        rule,
                    );
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
