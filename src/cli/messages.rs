//! Where a command's messages go: rendered for a person, or one JSON object per line
//! (`--message-format json`) for editors and CI annotations. Either way on stderr, so stdout
//! keeps only the command's result (a diff, a summary) in both modes. What a message quotes
//! (spec text, file names) passes through [`printable`] in both.

use std::fmt::Write as _;

use crate::base::errors::{Diagnostic, Error, Severity};
use crate::base::text::{printable, printable_lines};

/// The flags every command shares, and the text it has produced so far.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    pub deny_warnings: bool,
    pub quiet: bool,
    pub json: bool,
    pub stdout: String,
    pub stderr: String,
}

/// One message as `--message-format json` prints it. Unknown positions and empty strings are
/// `null`, so a consumer never mistakes line 0 for a line.
struct Json<'a> {
    code: Option<String>,
    severity: Severity,
    file: &'a str,
    line: u64,
    column: u64,
    field: &'a str,
    message: &'a str,
    help: &'a str,
}

impl Json<'_> {
    fn line(&self) -> String {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let number = |n: u64| (n > 0).then_some(n);
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut line = serde_json::json!({
            "code": self.code,
            "severity": severity,
            "file": text(&printable(self.file)),
            "line": number(self.line),
            "column": number(self.column),
            "field": text(&printable(self.field)),
            "message": printable(self.message),
            "help": text(&printable(self.help)),
        })
        .to_string();
        line.push('\n');
        line
    }
}

impl Ctx {
    /// Result text, left out under `--quiet`.
    pub fn say(&mut self, text: &str) {
        if !self.quiet {
            self.stdout.push_str(text);
        }
    }

    /// A spec diagnostic of `file` (`source` is its text, for the caret line).
    pub fn diagnostic(&mut self, file: &str, source: &str, d: &Diagnostic) {
        if self.json {
            let j = Json {
                code: Some(d.code.to_string()),
                severity: d.severity,
                file,
                line: d.pos.line,
                column: d.pos.column,
                field: &d.field,
                message: &d.message,
                help: &d.help,
            };
            self.stderr.push_str(&j.line());
        } else {
            self.stderr.push_str(&d.render(file, source));
            self.stderr.push('\n');
        }
    }

    /// A message about `file` as a whole (no position, no diagnostic code).
    pub fn message(&mut self, severity: Severity, file: &str, message: &str, help: &str) {
        if self.json {
            let j = Json {
                code: None,
                severity,
                file,
                line: 0,
                column: 0,
                field: "",
                message,
                help,
            };
            self.stderr.push_str(&j.line());
            return;
        }
        let level = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(self.stderr, "{level}: {}", printable(message));
        if !help.is_empty() {
            let _ = writeln!(self.stderr, "  = help: {}", printable(help));
        }
    }

    /// A command that failed for `file` ("" when it is about no one spec).
    pub fn error(&mut self, file: &str, e: &Error) {
        match e {
            Error::Spec(errs) if self.json => {
                for d in &errs.diagnostics {
                    self.diagnostic(&errs.file, &errs.source, d);
                }
            }
            _ if self.json => {
                let text = e.to_string();
                let text = text.strip_prefix("error: ").unwrap_or(&text);
                let (message, help) = text.split_once("\n  = help: ").unwrap_or((text, ""));
                self.message(Severity::Error, file, message, help);
            }
            // Line by line: the line breaks are chaoslab's own.
            _ => {
                let _ = writeln!(self.stderr, "{}", printable_lines(&e.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::errors::{Code, Pos};

    #[test]
    fn json_messages_are_one_object_a_line_with_nulls_for_unknowns() {
        let mut ctx = Ctx {
            json: true,
            ..Ctx::default()
        };
        let d = Diagnostic::error(Code::E043, Pos { line: 4, column: 2 }, "a.b", "no \"x\"")
            .help("add it");
        ctx.diagnostic("lab.yaml", "", &d);
        ctx.message(Severity::Warning, "lab.yaml", "odd", "");
        let lines: Vec<serde_json::Value> = ctx
            .stderr
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            serde_json::json!({"code": "E043", "severity": "error", "file": "lab.yaml",
                "line": 4, "column": 2, "field": "a.b", "message": "no \"x\"", "help": "add it"})
        );
        assert_eq!(lines[1]["code"], serde_json::Value::Null);
        assert_eq!(lines[1]["line"], serde_json::Value::Null);
        assert_eq!(lines[1]["severity"], "warning");
    }
}
