//! The command line: parse arguments, run one command, return what to print and the exit code.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::errors::{Code, Diagnostic, Error, Pos, SpecErrors};
use crate::spec::MAX_SPEC_BYTES;
use crate::validate::Lab;

#[derive(Parser, Debug)]
#[command(
    name = "chaoslab",
    version,
    about = "Generate the Terraform tree of an AWS chaos-engineering lab from a YAML lab spec"
)]
struct Cli {
    /// Treat lab-rule warnings as errors (for CI).
    #[arg(long, global = true)]
    deny_warnings: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the lab's Terraform tree (default: generated/<lab>/).
    Generate {
        spec: PathBuf,
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Replace or remove files chaoslab did not generate.
        #[arg(long)]
        force: bool,
    },
    /// Exit 1 with a diff if the tree on disk differs from what the spec generates. Writes nothing.
    Check {
        spec: PathBuf,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Print the diff between the tree on disk and what the spec generates. Writes nothing.
    Diff {
        spec: PathBuf,
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Check the spec only.
    Validate { spec: PathBuf },
}

/// What the binary prints, and its exit code.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

pub fn run<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return if e.use_stderr() {
                Outcome {
                    code,
                    stdout: String::new(),
                    stderr: text,
                }
            } else {
                Outcome {
                    code,
                    stdout: text,
                    stderr: String::new(),
                }
            };
        }
    };
    let mut warnings = String::new();
    match execute(cli.command, cli.deny_warnings, &mut warnings) {
        Ok(stdout) => Outcome {
            code: 0,
            stdout,
            stderr: warnings,
        },
        Err(e) => Outcome {
            code: u8::try_from(e.exit_code()).unwrap_or(1),
            stdout: String::new(),
            stderr: format!("{warnings}{e}\n"),
        },
    }
}

/// Runs one command; lab-rule warnings are appended to `warnings`.
fn execute(command: Command, deny_warnings: bool, warnings: &mut String) -> Result<String, Error> {
    let mut read = |path: &Path| read(path, deny_warnings, warnings);
    match command {
        Command::Generate { spec, out, force } => {
            let lab = read(&spec)?;
            let files = crate::generate(&lab)?;
            let dir = out_dir(&lab, out);
            let changes = crate::output::write(&dir, &files, force)?;
            let mut text = String::new();
            for name in &changes.written {
                let _ = writeln!(text, "wrote   {}", dir.join(name).display());
            }
            for name in &changes.removed {
                let _ = writeln!(text, "removed {}", dir.join(name).display());
            }
            let _ = writeln!(
                text,
                "{}: {} written, {} removed, {} unchanged",
                dir.display(),
                changes.written.len(),
                changes.removed.len(),
                changes.unchanged
            );
            Ok(text)
        }
        Command::Check { spec, out } => {
            let lab = read(&spec)?;
            let files = crate::generate(&lab)?;
            let dir = out_dir(&lab, out.clone());
            let foreign = crate::output::foreign_terraform(&dir, &files)?;
            if !foreign.is_empty() {
                let _ = writeln!(
                    warnings,
                    "warning: {} holds Terraform files chaoslab did not generate; Terraform applies them with the lab: {}",
                    dir.display(),
                    foreign.join(", ")
                );
            }
            let diff = crate::output::diff(&dir, &files)?;
            if diff.is_empty() {
                Ok(format!("{}: up to date\n", dir.display()))
            } else {
                let out_arg = out
                    .map(|o| format!(" -o {}", o.display()))
                    .unwrap_or_default();
                Err(Error::Drift {
                    diff,
                    fix: format!(
                        "run `chaoslab generate {}{out_arg}` and commit the result",
                        spec.display()
                    ),
                })
            }
        }
        Command::Diff { spec, out } => {
            let lab = read(&spec)?;
            let files = crate::generate(&lab)?;
            crate::output::diff(&out_dir(&lab, out), &files)
        }
        Command::Validate { spec } => {
            let lab = read(&spec)?;
            Ok(format!(
                "{}: ok (lab {}, {} experiment{})\n",
                spec.display(),
                lab.name,
                lab.experiments.len(),
                if lab.experiments.len() == 1 { "" } else { "s" }
            ))
        }
    }
}

fn out_dir(lab: &Lab, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| Path::new("generated").join(&lab.name))
}

/// Reads and validates a spec file; an unreadable file is a spec error (E001) with a fix.
/// Warnings are rendered into `warnings`, or fail the command with `--deny-warnings`.
fn read(path: &Path, deny_warnings: bool, warnings: &mut String) -> Result<Lab, Error> {
    let file = path.display().to_string();
    let fail = |message: String, help: &str| {
        Error::Spec(Box::new(SpecErrors {
            file: file.clone(),
            source: String::new(),
            diagnostics: vec![
                Diagnostic::error(Code::E001, Pos::default(), "", message).help(help),
            ],
        }))
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read the spec: {e}"), "check the path"))?;
    if meta.len() > MAX_SPEC_BYTES as u64 {
        return Err(fail(
            format!(
                "spec is {} bytes; the limit is {MAX_SPEC_BYTES} bytes",
                meta.len()
            ),
            "lab specs are short; move large contents out of the spec",
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| fail(format!("cannot read the spec: {e}"), "check the path"))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        fail(
            format!(
                "spec is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })?;
    let lab = crate::load(&file, &source)?;
    if lab.warnings.is_empty() {
        return Ok(lab);
    }
    if deny_warnings {
        return Err(Error::Spec(Box::new(SpecErrors {
            file,
            source,
            diagnostics: lab.warnings,
        })));
    }
    for w in &lab.warnings {
        warnings.push_str(&w.render(&file, &source));
        warnings.push('\n');
    }
    Ok(lab)
}
