//! serde-saphyr's errors as diagnostics, by variant: the code, the wording and the fix chaoslab
//! gives for each kind of problem the YAML loader finds.

use serde_saphyr::Error as Yaml;
use serde_saphyr::budget::BudgetBreach;

use super::path;
use crate::base::errors::{Code, Diagnostic, Pos};
use crate::base::suggest::suggest;

const SYNTAX_HELP: &str = "fix the YAML syntax at this position";
const LIMITS_HELP: &str =
    "lab specs need no deep nesting or repeated aliases; write the values out plainly";

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
    let typed = |message: String, help: &str| {
        Diagnostic::error(Code::E004, pos, field.clone(), message).help(help)
    };
    match err {
        Yaml::WithSnippet { error, .. } | Yaml::AliasError { error, .. } => {
            diagnostic(error, source)
        }
        Yaml::InvalidUtf8Input => Diagnostic::error(Code::E001, pos, "", "the spec is not UTF-8")
            .help("save the spec as UTF-8 text"),
        Yaml::SerdeUnknownField {
            field: key,
            expected,
            ..
        } => {
            let help = match suggest(key, expected) {
                Some(s) => format!("did you mean `{s}`?"),
                None if expected.is_empty() => "remove this key".to_owned(),
                None => format!(
                    "remove it; the keys allowed here are {}",
                    expected.join(", ")
                ),
            };
            let field = if field.is_empty() { key.clone() } else { field };
            Diagnostic::error(Code::E003, pos, field, format!("unknown key `{key}`")).help(help)
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
            Diagnostic::error(Code::E005, pos, field, format!("missing required key `{key}`"))
                .help(format!(
                    "add `{key}:` to this mapping (see the spec format in README.md)"
                ))
        }
        Yaml::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("a key");
            Diagnostic::error(
                Code::E002,
                pos,
                key,
                format!("`{key}` is given twice in this mapping"),
            )
            .help("each key may appear once in a mapping; remove or rename the repeated key")
        }
        Yaml::MultipleDocuments { .. }
        | Yaml::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => Diagnostic::error(Code::E002, pos, "", "a spec holds one YAML document")
            .help("remove the `---` and everything after it, or split the labs into separate files"),
        Yaml::Budget { breach, .. } => {
            let message = match breach {
                BudgetBreach::Aliases { aliases } => too_many("aliases", *aliases),
                BudgetBreach::Anchors { anchors } => too_many("anchors", *anchors),
                BudgetBreach::Depth { depth } => too_many("nesting levels", *depth),
                BudgetBreach::Events { events } => too_many("events", *events),
                BudgetBreach::Nodes { nodes } => too_many("nodes", *nodes),
                BudgetBreach::ScalarBytes { total_scalar_bytes } => {
                    too_many("bytes of text", *total_scalar_bytes)
                }
                _ => "the spec breaks chaoslab's YAML limits here".to_owned(),
            };
            Diagnostic::error(Code::E002, pos, "", message).help(LIMITS_HELP)
        }
        Yaml::AliasReplayLimitExceeded { .. }
        | Yaml::AliasExpansionLimitExceeded { .. }
        | Yaml::AliasReplayStackDepthExceeded { .. }
        | Yaml::AliasReplayCounterOverflow { .. } => Diagnostic::error(
            Code::E002,
            pos,
            "",
            "the spec expands its aliases too often; chaoslab's YAML limits stop here",
        )
        .help(LIMITS_HELP),
        Yaml::UnknownAnchor { .. } => Diagnostic::error(
            Code::E002,
            pos,
            "",
            "this alias names an anchor the spec does not define",
        )
        .help("define the anchor (`&name value`) before the alias (`*name`), or write the value out"),
        Yaml::Unexpected { expected, .. } if expected.starts_with("mapping") && field.is_empty() => {
            Diagnostic::error(Code::E004, pos, "", "a lab spec is a mapping of keys").help(
                "start from a blueprint: `lab:`, `region:`, `network:` and the other sections at the top level",
            )
        }
        Yaml::Unexpected { expected, .. } => {
            let what = match *expected {
                e if e.starts_with("mapping") => "a mapping",
                e if e.starts_with("sequence") => "a list",
                e if e.contains("string") => "text",
                e => e,
            };
            typed(
                format!("expected {what} here"),
                "check the value's type against the spec format in README.md",
            )
        }
        Yaml::NullIntoString { .. } | Yaml::TaggedScalarCannotDeserializeIntoString { .. } => typed(
            "expected text here".to_owned(),
            "write a plain value (quote it if it contains `:`, `#`, `[` or `{`)",
        ),
        Yaml::InvalidScalar { ty, .. } if ty.starts_with('f') => typed(
            "expected a number here".to_owned(),
            "write a number without quotes (YAML 1.2: `yes`/`no` are text, not values)",
        ),
        Yaml::InvalidScalar { .. } => typed(
            "expected a whole number here".to_owned(),
            "write a whole number without quotes (YAML 1.2: `yes`/`no` are text, not values)",
        ),
        Yaml::InvalidBooleanStrict { .. } => typed(
            "expected `true` or `false` here".to_owned(),
            "write `true` or `false` (YAML 1.2: `yes`/`no`/`on`/`off` are text, not booleans)",
        ),
        Yaml::NonFiniteFloat { value, .. } => typed(
            format!("`{value}` is not a finite number"),
            "write a finite number",
        ),
        Yaml::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Yaml::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => typed(
            format!("expected {expected}, found {unexpected}"),
            "check the value's type against the spec format in README.md",
        ),
        // Raised by a raw type's own `Deserialize` (e.g. a seed value that is not finite).
        Yaml::Message { msg, .. } => typed(
            msg.clone(),
            "check the value's type against the spec format in README.md",
        ),
        Yaml::ExternalMessage { msg, .. } => {
            Diagnostic::error(Code::E002, pos, "", msg.clone()).help(SYNTAX_HELP)
        }
        Yaml::Eof { .. } => {
            Diagnostic::error(Code::E002, pos, "", "the spec ends in the middle of a value")
                .help(SYNTAX_HELP)
        }
        other => {
            Diagnostic::error(Code::E002, pos, "", "YAML chaoslab cannot read").help(format!(
                "{SYNTAX_HELP} ({})",
                other.without_snippet().to_string().lines().next().unwrap_or_default()
            ))
        }
    }
}

fn too_many(what: &str, count: usize) -> String {
    format!("the spec has too many {what} ({count}); chaoslab's YAML limits stop here")
}

fn first_column(source: &str, line: u64) -> u64 {
    let text = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|l| source.lines().nth(l))
        .unwrap_or("");
    (text.len() - text.trim_start().len()) as u64 + 1
}
