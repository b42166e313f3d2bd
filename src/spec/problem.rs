//! What can be wrong with a spec before any value is judged: it cannot be read, it is not
//! YAML chaoslab takes, a key is unknown or missing, a value has the wrong type, or it holds a
//! character that hides text. Both loader passes (the all-errors pass in `check` and the
//! typed pass's errors in `yaml_error`) and the CLI's reader report these, so each wording
//! and fix exists once.

use crate::base::diag::problems;
use crate::base::suggest::suggest;
use crate::spec::MAX_SPEC_BYTES;

const TYPE_HELP: &str = "check the value's type against the spec format in README.md";
const SYNTAX_HELP: &str = "fix the YAML syntax at this position";
const LIMITS_HELP: &str =
    "lab specs need no deep nesting or repeated aliases; write the values out plainly";
const HIDDEN_WHY: &str = "control and bidirectional-text characters are not allowed in a spec: they can make a terminal, the lab README or a review show other text than is there";

problems! {
    /// The spec's shape and its text.
    pub enum Problem in "spec::Problem" {
        /// `why`: the I/O error.
        CannotRead { why: String } => E001,
        TooLarge => E001,
        /// `offset`: of the first invalid byte, when the reader knows it.
        NotUtf8 { offset: Option<usize> } => E001,
        EmptyFifo => E001,
        /// Syntax the loader reports in its own words.
        Syntax { message: String } => E002,
        EndsInValue => E002,
        /// `detail`: the loader's first line, for the fix.
        Unreadable { detail: String } => E002,
        DuplicateKey { key: String } => E002,
        MultipleDocuments => E002,
        /// One of the loader's budgets, and the count that broke it.
        TooMany { what: &'static str, count: usize } => E002,
        OverLimits => E002,
        AliasExpansion => E002,
        UnknownAnchor => E002,
        /// `allowed`: the keys the mapping takes.
        UnknownKey { key: String, allowed: Vec<String> } => E003,
        NotPlainKey { allowed: Vec<String> } => E003,
        NotALab => E004,
        /// `what`: the shape the type wants ("a mapping", "a list", "text", …).
        Expected { what: String } => E004,
        ExpectedList => E004,
        ExpectedMap => E004,
        ExpectedFields => E004,
        ExpectedText => E004,
        ExpectedNumber => E004,
        ExpectedWhole => E004,
        ExpectedBool => E004,
        /// In a number field.
        NotFinite { value: String } => E004,
        /// Where no type is asked for, so quoting makes it text.
        NotFiniteScalar { value: String } => E004,
        WrongType { expected: String, found: String } => E004,
        /// A raw type's own `Deserialize` refused the value, in its words.
        Refused { message: String } => E004,
        Empty => E005,
        MissingKey { key: String } => E005,
        /// `what`: the character, described; written as it is at `column`.
        HiddenChar { what: String, column: u64 } => E009,
        /// Written as an escape or a `!!binary` value; `index` counts from 1.
        HiddenCharResolved { what: String, index: usize } => E009,
    }
}

impl crate::base::diag::Problem for Problem {
    fn message(&self) -> String {
        match self {
            Problem::CannotRead { why } => format!("cannot read the spec: {why}"),
            Problem::TooLarge => {
                format!("the spec is over 256 KiB; the limit is {MAX_SPEC_BYTES} bytes")
            }
            Problem::NotUtf8 { offset: Some(at) } => {
                format!("spec is not UTF-8 (invalid byte at offset {at})")
            }
            Problem::NotUtf8 { offset: None } => "spec is not UTF-8".to_owned(),
            Problem::EmptyFifo => {
                "the spec is a FIFO (named pipe) and nothing was written to it".to_owned()
            }
            Problem::Syntax { message } => message.clone(),
            Problem::EndsInValue => "the spec ends in the middle of a value".to_owned(),
            Problem::Unreadable { .. } => "YAML chaoslab cannot read".to_owned(),
            Problem::DuplicateKey { key } => format!("`{key}` is given twice in this mapping"),
            Problem::MultipleDocuments => "a spec holds one YAML document".to_owned(),
            Problem::TooMany { what, count } => {
                format!("the spec has too many {what} ({count}); chaoslab's YAML limits stop here")
            }
            Problem::OverLimits => "the spec breaks chaoslab's YAML limits here".to_owned(),
            Problem::AliasExpansion => {
                "the spec expands its aliases too often; chaoslab's YAML limits stop here"
                    .to_owned()
            }
            Problem::UnknownAnchor => {
                "this alias names an anchor the spec does not define".to_owned()
            }
            Problem::UnknownKey { key, .. } => format!("unknown key `{key}`"),
            Problem::NotPlainKey { .. } => "a key here must be a plain name".to_owned(),
            Problem::NotALab => "a lab spec is a mapping of keys".to_owned(),
            Problem::Expected { what } => format!("expected {what} here"),
            Problem::ExpectedList => "expected a list here".to_owned(),
            Problem::ExpectedMap | Problem::ExpectedFields => "expected a mapping here".to_owned(),
            Problem::ExpectedText => "expected text here".to_owned(),
            Problem::ExpectedNumber => "expected a number here".to_owned(),
            Problem::ExpectedWhole => "expected a whole number here".to_owned(),
            Problem::ExpectedBool => "expected `true` or `false` here".to_owned(),
            Problem::NotFinite { value } | Problem::NotFiniteScalar { value } => {
                format!("`{value}` is not a finite number")
            }
            Problem::WrongType { expected, found } => format!("expected {expected}, found {found}"),
            Problem::Refused { message } => message.clone(),
            Problem::Empty => "the spec is empty".to_owned(),
            Problem::MissingKey { key } => format!("missing required key `{key}`"),
            Problem::HiddenChar { what, column } => format!("{what} at column {column}"),
            Problem::HiddenCharResolved { what, index } => format!(
                "{what} as character {index} of this text (written as an escape or a `!!binary` value)"
            ),
        }
    }

    fn help(&self) -> String {
        let fixed = match self {
            Problem::CannotRead { .. } => "check the path",
            Problem::TooLarge => {
                "lab specs are short: split the lab into several specs, or move large object contents out of the spec"
            }
            Problem::NotUtf8 { .. } => "save the file as UTF-8",
            Problem::EmptyFifo => {
                "start the program that writes the spec before chaoslab (which does not wait for one), or pass a file or `<(command)`"
            }
            Problem::Syntax { .. } | Problem::EndsInValue => SYNTAX_HELP,
            Problem::Unreadable { detail } => return format!("{SYNTAX_HELP} ({detail})"),
            Problem::DuplicateKey { .. } => {
                "each key may appear once in a mapping; remove or rename the repeated key"
            }
            Problem::MultipleDocuments => {
                "remove the `---` and everything after it, or split the labs into separate files"
            }
            Problem::TooMany { .. } | Problem::OverLimits | Problem::AliasExpansion => LIMITS_HELP,
            Problem::UnknownAnchor => {
                "define the anchor (`&name value`) before the alias (`*name`), or write the value out"
            }
            Problem::UnknownKey { key, allowed } => return key_help(key, allowed),
            Problem::NotPlainKey { allowed } => return key_help("", allowed),
            Problem::NotALab => {
                "start from a blueprint: `lab:`, `region:`, `network:` and the other sections at the top level"
            }
            Problem::Expected { .. } | Problem::WrongType { .. } | Problem::Refused { .. } => {
                TYPE_HELP
            }
            Problem::ExpectedList => "write the items as `[a, b]`, or one `- item` per line",
            Problem::ExpectedMap => {
                "write `name: value` pairs indented under the key, or `{name: value}`"
            }
            Problem::ExpectedFields => {
                "write the keys indented under this one, or as `{key: value}`"
            }
            Problem::ExpectedText => {
                "write a plain value (quote it if it contains `:`, `#`, `[` or `{`)"
            }
            Problem::ExpectedNumber => {
                "write a number without quotes (YAML 1.2: `yes`/`no` are text, not values)"
            }
            Problem::ExpectedWhole => {
                "write a whole number without quotes (YAML 1.2: `yes`/`no` are text, not values)"
            }
            Problem::ExpectedBool => {
                "write `true` or `false` (YAML 1.2: `yes`/`no`/`on`/`off` are text, not booleans)"
            }
            Problem::NotFinite { .. } => "write a finite number",
            Problem::NotFiniteScalar { .. } => {
                "write a finite number, or quote the value to make it text"
            }
            Problem::Empty => {
                "start from a blueprint: a spec needs at least `lab`, `region` and `network`"
            }
            Problem::MissingKey { key } => {
                return format!("add `{key}:` to this mapping (see the spec format in README.md)");
            }
            Problem::HiddenChar { .. } => return format!("delete it; {HIDDEN_WHY}"),
            Problem::HiddenCharResolved { .. } => {
                return format!(
                    "remove the escape or the `!!binary` tag that makes it; {HIDDEN_WHY}"
                );
            }
        };
        fixed.to_owned()
    }
}

/// The fix for an unknown key: the allowed key it is nearest to, or the keys allowed.
fn key_help(key: &str, allowed: &[String]) -> String {
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    match suggest(key, &allowed) {
        Some(s) => format!("did you mean `{s}`?"),
        None if allowed.is_empty() => "remove this key".to_owned(),
        None => format!(
            "remove it; the keys allowed here are {}",
            allowed.join(", ")
        ),
    }
}
