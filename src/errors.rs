//! Every way chaoslab can fail, in one place.
//!
//! Spec problems are [`Diagnostic`]s: they carry a stable code, the file, line and column, the
//! field path and a fix, so a lab author can act on them without reading chaoslab's source.
//! Everything else (I/O, refusing to touch a file chaoslab does not own, drift) is an [`Error`]
//! variant. The library returns these; only the binary prints them.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

/// Stable diagnostic codes. Documented in the README; never renumber a published code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The spec file could not be read (missing, not UTF-8, too large).
    E001,
    /// YAML syntax error, duplicate key, budget exceeded.
    E002,
    /// A key the spec format does not know (typo).
    E003,
    /// A value of the wrong type or shape (e.g. text where a number is expected).
    E004,
    /// A required field is missing.
    E005,
    /// A name that cannot become an AWS resource name or Terraform address.
    E010,
    /// A region that is not an AWS Region code.
    E012,
    /// A tag key or value AWS rejects.
    E013,
    /// An invalid CIDR block.
    E020,
    /// A subnet outside the VPC, or two overlapping subnets.
    E021,
    /// Subnet count does not match the availability-zone count.
    E022,
    /// An unknown or unsupported choice (NAT mode, endpoint service, billing mode, ...).
    E023,
    /// A DynamoDB key or seed item that does not fit the table.
    E030,
    /// An S3 object problem.
    E031,
    /// An FIS action the catalog does not know.
    E040,
    /// A missing, unknown or invalid FIS action parameter.
    E041,
    /// An FIS target that does not fit the action or does not resolve.
    E042,
    /// A reference to something the spec does not define.
    E043,
    /// An experiment that breaks a lab rule the article teaches (see the message).
    E044,
    /// A network fault aimed at a dependency it cannot reach (RDS Proxy, interface endpoint).
    E045,
    /// An experiment the lab cannot run (a failover with no reader to promote).
    E046,
    /// Aurora settings that do not fit together (auto-pause on an engine version without it).
    E050,
    /// App guard settings that cannot contain a dependency failure (bulkhead vs threads).
    E047,
    /// An experiment's hypothesis (`expect:`) that cannot be judged: an endpoint the app does
    /// not serve or the fault cannot degrade, one listed twice or both ways, a tolerance out
    /// of range.
    E060,
    /// Warning: `scope: all` on the app subnets cuts every dependency, the catalog included.
    W001,
    /// Warning: an experiment with no alarm to stop it.
    W002,
    /// Warning: a zone cut that may take the Aurora writer with it after a failover.
    W003,
    /// Warning: the auto-scaling group replaces instances an experiment stops or cuts off.
    W004,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a spec file. Lines and columns count from 1; 0 means "unknown".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

/// One problem found in a lab spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub pos: Pos,
    /// Dotted path of the offending field, e.g. `network.private[1]`.
    pub field: String,
    pub message: String,
    /// What to change; every error has one.
    pub help: String,
}

impl Diagnostic {
    pub fn error(
        code: Code,
        pos: Pos,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            pos,
            field: field.into(),
            message: message.into(),
            help: String::new(),
        }
    }

    pub fn warning(
        code: Code,
        pos: Pos,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, pos, field, message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Renders `error[E021]: ...` with a location line, the source line and a caret, then the
    /// field and the fix: the layout rustc and cargo-deny users already read fluently.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = String::new();
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{level}[{}]: {}", self.code, self.message);
        let _ = writeln!(out, "  --> {file}:{}:{}", self.pos.line, self.pos.column);
        if let Some(text) = usize::try_from(self.pos.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| source.lines().nth(l))
        {
            let num = self.pos.line.to_string();
            let pad = " ".repeat(num.len());
            let col = usize::try_from(self.pos.column.saturating_sub(1)).unwrap_or(0);
            let lead: String = text
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {text}");
            let _ = writeln!(out, "{pad} | {lead}^");
        }
        if !self.field.is_empty() {
            let _ = writeln!(out, "  = field: {}", self.field);
        }
        if !self.help.is_empty() {
            let _ = writeln!(out, "  = help: {}", self.help);
        }
        out
    }
}

/// The lab spec was rejected; the diagnostics say why. Kept with its source for rendering.
#[derive(Debug)]
pub struct SpecErrors {
    pub file: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecErrors {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            out.push_str(&d.render(&self.file, &self.source));
            out.push('\n');
        }
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let denied = self.diagnostics.len() - errors;
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if errors > 0 {
            let _ = writeln!(
                out,
                "{} rejected: {errors} error{}",
                self.file,
                plural(errors)
            );
        } else {
            let _ = writeln!(
                out,
                "{} rejected: {denied} warning{} denied (--deny-warnings)",
                self.file,
                plural(denied)
            );
        }
        out
    }
}

/// Anything that stops a command. Exit codes: see [`Error::exit_code`].
#[derive(Debug)]
pub enum Error {
    /// Invalid lab spec (exit 2).
    Spec(Box<SpecErrors>),
    /// Reading or writing the output tree failed (exit 3).
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file in the output directory that chaoslab did not generate would be replaced or
    /// removed (exit 3).
    NotOwned { path: PathBuf },
    /// `check` found the tree on disk differs from what the spec generates (exit 1).
    Drift { diff: String, fix: String },
    /// chaoslab built something it should not have; a bug to report (exit 4).
    Bug(String),
    /// A flag or a value the command cannot use, with what to do instead (exit 2).
    Usage(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// 0 ok, 1 drift, 2 invalid input, 3 I/O or ownership refusal, 4 internal error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Drift { .. } => 1,
            Error::Spec(_) | Error::Usage(_) => 2,
            Error::Io { .. } | Error::NotOwned { .. } => 3,
            Error::Bug(_) => 4,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(errs) => f.write_str(errs.render().trim_end()),
            Error::Io { path, source } => write!(f, "error: {}: {source}", path.display()),
            Error::Usage(message) => write!(f, "error: {message}"),
            Error::NotOwned { path } => write!(
                f,
                "error: {} was not generated by chaoslab; refusing to overwrite or remove it\n  \
                 = help: move it out of the output directory, or pass --force to replace it",
                path.display()
            ),
            Error::Drift { diff, fix } => write!(
                f,
                "{diff}error: generated tree is out of date\n  = help: {fix}"
            ),
            Error::Bug(msg) => write!(f, "error: internal error (please report it): {msg}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
