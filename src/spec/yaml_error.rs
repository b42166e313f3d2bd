//! serde-saphyr's errors as diagnostics, by variant: the code, the wording and the fix chaoslab
//! gives for each kind of problem the YAML loader finds.

use serde_saphyr::Error as Yaml;
use serde_saphyr::budget::BudgetBreach;

use super::Problem;
use super::path;
use crate::base::diag::Problem as _;
use crate::base::errors::{Diagnostic, Pos};

pub fn diagnostic(err: &Yaml, source: &str) -> Diagnostic {
    let pos = err
        .location()
        .map(|l| Pos {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default();
    // The field path is only known by position here; the first pass names most fields itself.
    let (field, key_line) = path::at(source, pos.line, pos.column);
    let typed = |problem: Problem| problem.at(pos, field.clone());
    let whole = |problem: Problem| problem.at(pos, "");
    match err {
        Yaml::WithSnippet { error, .. } | Yaml::AliasError { error, .. } => {
            diagnostic(error, source)
        }
        Yaml::InvalidUtf8Input => whole(Problem::NotUtf8 { offset: None }),
        Yaml::SerdeUnknownField {
            field: key,
            expected,
            ..
        } => {
            let field = if field.is_empty() { key.clone() } else { field };
            let allowed = expected.iter().map(|k| (*k).to_owned()).collect();
            Problem::UnknownKey {
                key: key.clone(),
                allowed,
            }
            .at(pos, field)
        }
        Yaml::SerdeMissingField { field: key, .. } => {
            // Reported where the mapping ended: point at the mapping's own key instead.
            let parent = field.rsplit_once('.').map_or("", |(p, _)| p);
            let (field, pos) = if parent.is_empty() {
                ((*key).to_owned(), Pos { line: 1, column: 1 })
            } else {
                let column = first_column(source, key_line);
                (
                    format!("{parent}.{key}"),
                    Pos {
                        line: key_line,
                        column,
                    },
                )
            };
            let key = (*key).to_owned();
            Problem::MissingKey { key }.at(pos, field)
        }
        Yaml::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("a key").to_owned();
            Problem::DuplicateKey { key: key.clone() }.at(pos, key)
        }
        Yaml::MultipleDocuments { .. }
        | Yaml::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => whole(Problem::MultipleDocuments),
        Yaml::Budget { breach, .. } => whole(match *breach {
            BudgetBreach::Aliases { aliases } => too_many("aliases", aliases),
            BudgetBreach::Anchors { anchors } => too_many("anchors", anchors),
            BudgetBreach::Depth { depth } => too_many("nesting levels", depth),
            BudgetBreach::Events { events } => too_many("events", events),
            BudgetBreach::Nodes { nodes } => too_many("nodes", nodes),
            BudgetBreach::ScalarBytes { total_scalar_bytes } => {
                too_many("bytes of text", total_scalar_bytes)
            }
            _ => Problem::OverLimits,
        }),
        Yaml::AliasReplayLimitExceeded { .. }
        | Yaml::AliasExpansionLimitExceeded { .. }
        | Yaml::AliasReplayStackDepthExceeded { .. }
        | Yaml::AliasReplayCounterOverflow { .. } => whole(Problem::AliasExpansion),
        Yaml::UnknownAnchor { .. } => whole(Problem::UnknownAnchor),
        Yaml::Unexpected { expected, .. }
            if expected.starts_with("mapping") && field.is_empty() =>
        {
            whole(Problem::NotALab)
        }
        Yaml::Unexpected { expected, .. } => {
            let what = match *expected {
                e if e.starts_with("mapping") => "a mapping",
                e if e.starts_with("sequence") => "a list",
                e if e.contains("string") => "text",
                e => e,
            };
            typed(Problem::Expected {
                what: what.to_owned(),
            })
        }
        Yaml::NullIntoString { .. } | Yaml::TaggedScalarCannotDeserializeIntoString { .. } => {
            typed(Problem::ExpectedText)
        }
        Yaml::InvalidScalar { ty, .. } if ty.starts_with('f') => typed(Problem::ExpectedNumber),
        Yaml::InvalidScalar { .. } => typed(Problem::ExpectedWhole),
        Yaml::InvalidBooleanStrict { .. } => typed(Problem::ExpectedBool),
        Yaml::NonFiniteFloat { value, .. } => typed(Problem::NotFinite {
            value: value.clone(),
        }),
        Yaml::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Yaml::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => typed(Problem::WrongType {
            expected: expected.clone(),
            found: unexpected.clone(),
        }),
        // Raised by a raw type's own `Deserialize` (e.g. a seed value that is not finite).
        Yaml::Message { msg, .. } => typed(Problem::Refused {
            message: msg.clone(),
        }),
        Yaml::ExternalMessage { msg, .. } => whole(Problem::Syntax {
            message: msg.clone(),
        }),
        Yaml::Eof { .. } => whole(Problem::EndsInValue),
        other => {
            let detail = other.without_snippet().to_string();
            let detail = detail.lines().next().unwrap_or_default().to_owned();
            whole(Problem::Unreadable { detail })
        }
    }
}

fn too_many(what: &'static str, count: usize) -> Problem {
    Problem::TooMany { what, count }
}

fn first_column(source: &str, line: u64) -> u64 {
    let text = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|l| source.lines().nth(l))
        .unwrap_or("");
    (text.len() - text.trim_start().len()) as u64 + 1
}
