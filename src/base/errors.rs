//! Every way chaoslab can fail, in one place.
//!
//! Spec problems are [`Diagnostic`]s: they carry a stable code, the file, line and column, the
//! field path and a fix, so a lab author can act on them without reading chaoslab's source.
//! Everything else (I/O, refusing to touch a file chaoslab does not own, drift) is an [`Error`]
//! variant. The library returns these; only the binary prints them.

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use crate::base::text::printable;

/// Defines [`Code`] from one table: each code with its one-line meaning, which is also its doc
/// comment and its row in the README's code table (a test holds them equal).
macro_rules! codes {
    ($($code:ident => $meaning:literal,)*) => {
        /// Stable diagnostic codes, one meaning each. Documented in the README; a published
        /// number never changes meaning (a use that drifted moves to a new code, noted there).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $meaning] $code,)*
        }

        impl Code {
            /// Every code, in the README's order.
            pub const ALL: &[Code] = &[$(Code::$code,)*];

            /// The code's meaning, as the README's code table gives it.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$code => $meaning,)*
                }
            }

            /// `W…` codes are warnings, the rest errors.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$code if stringify!($code).starts_with('W') => Severity::Warning,)*
                    _ => Severity::Error,
                }
            }
        }
    };
}

codes! {
    E001 => "the spec cannot be read (missing, not UTF-8, over 256 KiB)",
    E002 => "YAML syntax, duplicate key, or an alias/nesting budget exceeded",
    E003 => "unknown key",
    E004 => "wrong value type (e.g. `yes` where a boolean is expected)",
    E005 => "missing required key",
    E006 => "a number outside its allowed range or step",
    E007 => "text not in the form the field needs (engine version, database or user name, instance type)",
    E008 => "a list longer than chaoslab takes (more than 100 `tenants`)",
    E009 => "a control or bidirectional-text character in the spec (NUL, ESC, DEL, U+202E, …)",
    E010 => "invalid name (lab, prefix, table, bucket, experiment)",
    E012 => "not an AWS Region code",
    E013 => "tag key or value AWS rejects",
    E020 => "invalid CIDR block",
    E021 => "subnet outside the VPC or overlapping another",
    E022 => "subnet count does not match the AZ count",
    E023 => "value outside a fixed set (NAT mode, endpoint, billing mode, …)",
    E024 => "a VPC endpoint service given twice (twice in one list, or both a gateway and an interface endpoint)",
    E025 => "an Arm (Graviton) instance type for the app, whose AMI is x86_64",
    E026 => "an app in private subnets with no route out (`nat: none`)",
    E027 => "DynamoDB capacity on an on-demand table (`read_capacity` or `write_capacity` without `billing_mode: PROVISIONED`)",
    E028 => "an app or Aurora in fewer than 2 availability zones (a load balancer, a DB subnet group and RDS Proxy need subnets in two)",
    E030 => "DynamoDB key or seed item problem",
    E031 => "S3 object key problem",
    E040 => "unknown FIS action",
    E041 => "missing, unknown or invalid FIS action parameter",
    E042 => "FIS target or selection mode that does not fit the action",
    E043 => "reference to something the spec does not define",
    E044 => "an experiment that breaks a lab rule (partial app subnets for a dependency fault)",
    E045 => "a network fault aimed at a dependency reached through RDS Proxy or an interface endpoint",
    E046 => "a failover without a reader to promote (an Aurora cluster without readers)",
    E047 => "app guard settings that cannot contain a failure (a bulkhead as large as the threads)",
    E048 => "an experiment description FIS rejects (empty, or over 512 characters)",
    E049 => "stop conditions FIS rejects (more than 5 alarms, or one alarm twice)",
    E050 => "Aurora settings that do not fit together (min above max capacity, `min_capacity: 0` on a version that cannot pause, reads from readers without one)",
    E051 => "a stop condition that cannot fire before the experiment ends (its alarm needs period × evaluation periods at least as long as the experiment)",
    E052 => "a Lambda fault on a function without the FIS extension (`fault_injection: false`)",
    E053 => "a Lambda fault that does not fit its function (an invocation delay at least as long as the function's timeout)",
    E054 => "a DynamoDB replica the lab cannot build (the lab's own Region, a Region listed twice or in another partition, a provisioned table)",
    E055 => "a multi-action experiment FIS rejects (`actions:` beside `action:`, no action or more than 20, two actions of one name, `start_after` naming no action, itself or a cycle)",
    E056 => "app settings that do not fit its runtime (`instance_type` or `spot` on ECS, Fargate `cpu`, `memory` or `fault_injection` on EC2, a `cpu`/`memory` pair Fargate does not offer)",
    E057 => "two actions of one template that FIS cannot run at the same time (ECS task network faults that no `start_after` orders)",
    E060 => "an experiment's hypothesis (`expect:`) that cannot be judged (unknown endpoint, listed twice or both ways, out of the fault's reach, tolerance out of range)",
    E070 => "an experiment schedule EventBridge Scheduler rejects (an expression not rate, cron or at in its grammar and ranges, a time zone not in the IANA database, a time not `yyyy-mm-ddThh:mm:ssZ` or not on the calendar, start not before end)",
    E080 => "a fault that may end before the service has applied it (its duration no longer than the time the service documents it may take: DynamoDB's replication pause, the FIS Lambda extension's poll)",
    E082 => "a stop condition that cannot fire in the harm its experiment can do (its alarm's own definition, evaluated by CloudWatch's rules over the load balancer metrics the fault produces, never goes into ALARM)",
    E083 => "a replication pause on a DynamoDB table without replicas",
    E084 => "an ECS task fault on an app without the SSM agent sidecar (`fault_injection: false`)",
    E085 => "a stop of the app's Spot Instances, which EC2 does not stop (an auto-scaling group launches them with one-time requests)",
    E086 => "a scenario chaoslab cannot expand (an unknown name, keys of a hand-written template beside it, no `az`, a parameter other than `duration` or one out of range)",
    E087 => "a file `chaoslab lint` cannot read as an FIS template (Terraform it cannot parse, or a JSON or YAML file with no template or policy in it)",
    E088 => "an FIS template whose role policy, in the files linted with it, lacks a permission one of its actions needs",
    E089 => "an FIS template field FIS does not define (a key of an action or a target the API refuses)",
    W001 => "warning: `scope: all` on the app subnets also cuts the catalog",
    W002 => "warning: no alarm stops the experiment",
    W003 => "warning: a zone cut that may take the Aurora writer with it after the lab's failover",
    W004 => "warning: the auto-scaling group replaces instances the experiment stops or cuts off",
    W005 => "warning: a schedule window already in the past when the spec is checked (a start Scheduler refuses, an end after which it never fires)",
    W006 => "warning: `dependency: aurora` on a network fault that does not cut the app off Aurora (Aurora shares the app subnets)",
    W007 => "warning: a hashicorp/aws constraint, in the files linted, that admits a release which refuses an action's target key",
}

impl Code {
    /// The README's code table, rendered from [`Code::ALL`]: the README holds it verbatim
    /// between its `codes` markers (a test rewrites it there under `CHAOSLAB_BLESS`).
    pub fn markdown_table() -> String {
        let mut table = String::from("| code | meaning |\n| --- | --- |\n");
        for code in Code::ALL {
            let _ = writeln!(table, "| {code} | {} |", code.description());
        }
        table
    }
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
    /// field and the fix: the layout rustc and cargo-deny users already read fluently. Every
    /// part passes through [`printable`], so no character of the spec reaches a terminal raw.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = String::new();
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{level}[{}]: {}", self.code, printable(&self.message));
        let _ = writeln!(
            out,
            "  --> {}:{}:{}",
            printable(file),
            self.pos.line,
            self.pos.column
        );
        if let Some(text) = usize::try_from(self.pos.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| source.lines().nth(l))
        {
            let num = self.pos.line.to_string();
            let pad = " ".repeat(num.len());
            let col = usize::try_from(self.pos.column.saturating_sub(1)).unwrap_or(0);
            // The caret sits under the column's character as printed, escapes and all.
            let before: String = text.chars().take(col).collect();
            let lead = " ".repeat(printable(&before).chars().count());
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {}", printable(text));
            let _ = writeln!(out, "{pad} | {lead}^");
        }
        if !self.field.is_empty() {
            let _ = writeln!(out, "  = field: {}", printable(&self.field));
        }
        if !self.help.is_empty() {
            let _ = writeln!(out, "  = help: {}", printable(&self.help));
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
        let file = printable(&self.file);
        if errors > 0 {
            let _ = writeln!(out, "{file} rejected: {errors} error{}", plural(errors));
        } else {
            let _ = writeln!(
                out,
                "{file} rejected: {denied} warning{} denied (--deny-warnings)",
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
    /// A path in a lab directory chaoslab will not read, write or remove through, even with
    /// `--force` (exit 3).
    Refused { path: PathBuf, reason: Refusal },
    /// `check` found the tree on disk differs from what the spec generates (exit 1).
    Drift { diff: String, fix: String },
    /// chaoslab built something it should not have; a bug to report (exit 4).
    Bug(String),
    /// A flag or a value the command cannot use, with what to do instead (exit 2).
    Usage(String),
    /// The machine lacks what the command needs (root, a tool, network namespaces), with how
    /// to get it (exit 3).
    Environment(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// 0 ok, 1 drift, 2 invalid input, 3 I/O, ownership refusal or a machine without what the
    /// command needs, 4 internal error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Drift { .. } => 1,
            Error::Spec(_) | Error::Usage(_) => 2,
            Error::Io { .. }
            | Error::NotOwned { .. }
            | Error::Refused { .. }
            | Error::Environment(_) => 3,
            Error::Bug(_) => 4,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(errs) => f.write_str(errs.render().trim_end()),
            Error::Io { path, source } => write!(f, "error: {}: {source}", path.display()),
            Error::Usage(message) | Error::Environment(message) => write!(f, "error: {message}"),
            Error::NotOwned { path } => write!(
                f,
                "error: {} was not generated by chaoslab; refusing to overwrite or remove it\n  \
                 = help: move it out of the output directory, or pass --force to replace it",
                path.display()
            ),
            Error::Refused { path, reason } => {
                write!(f, "error: {}: {reason}", path.display())
            }
            Error::Drift { diff, fix } => write!(
                f,
                "{diff}error: generated tree is out of date\n  = help: {fix}"
            ),
            Error::Bug(msg) => write!(f, "error: internal error (please report it): {msg}"),
        }
    }
}

impl std::error::Error for Error {}

/// Why chaoslab refuses a path in a lab directory: what it is, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A symbolic link where chaoslab reads or writes: it never follows one, since a link
    /// would carry its writes, deletions or reads outside the lab directory.
    Symlink,
    /// A directory, FIFO, device or socket where a file or folder belongs.
    NotRegular(&'static str),
    /// Larger than any file chaoslab writes (the cap in bytes).
    TooLarge(u64),
    /// Another chaoslab run still held the directory's lock after this run waited this many
    /// seconds.
    Locked(u64),
    /// A run failed after its commit point, and undoing it failed too (both errors).
    Interrupted { failure: String, rollback: String },
    /// A report's path holds something that is not a chaoslab report.
    NotAReport,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Symlink => f.write_str(
                "is a symbolic link; chaoslab never reads, writes or removes through a link in a lab directory\n  \
                 = help: replace the link with the real directory or file (or remove it), or name the directory it points to with -o",
            ),
            Refusal::NotRegular(what) => write!(
                f,
                "is {what}, where chaoslab reads or writes a regular file or a folder\n  \
                 = help: move it out of the lab directory and run again"
            ),
            Refusal::TooLarge(cap) => write!(
                f,
                "is larger than {cap} bytes, more than any file chaoslab writes, so it is not chaoslab's\n  \
                 = help: move it out of the lab directory and run again"
            ),
            Refusal::Locked(secs) => write!(
                f,
                "another chaoslab run still holds this lab directory's lock after {secs} s of waiting\n  \
                 = help: wait for it to finish (or stop it), then run again"
            ),
            Refusal::NotAReport => f.write_str(
                "exists and is not a chaoslab report; chaoslab replaces only a report of its own\n  \
                 = help: give another file with -o (or --report), or move this one away",
            ),
            Refusal::Interrupted { failure, rollback } => write!(
                f,
                "the update failed ({}), and undoing it failed too ({})\n  \
                 = help: fix the cause, then run any chaoslab command on the directory: it finishes undoing the update",
                failure.trim_start_matches("error: "),
                rollback.trim_start_matches("error: ")
            ),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
