//! The command line: parse arguments, run one command, return what to print and the exit code.

pub mod colour;
pub mod init;
mod input;
mod lint;
mod live;
mod messages;
mod outputs;
mod rehearse;
mod specs;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

use crate::base::diag::Problem as _;
use crate::base::errors::{Error, Pos, SpecErrors};
use crate::experiments::Lab;
use crate::spec::Problem as SpecProblem;
use messages::Ctx;

/// The exit codes, for `--help` and the man page (the README's table says the same).
const EXIT_CODES: &str = "\
Exit codes:
  0    ok
  1    drift (check), or a hypothesis that did not hold (verify, rehearse)
  2    invalid input: a spec error, a bad flag, or a warning under --deny-warnings
  3    I/O error, a file chaoslab does not own stands in the way, or a rehearsal that
       could not run (root, namespaces, a tool missing, or the lab's app did not boot),
       or a probe that could not start its threads (probe, verify)
  4    internal error (a bug; please report it)
  5    verify, rehearse: steady state not met before the fault (nothing was injected)
  6    verify, rehearse: the experiment failed, was stopped or was interrupted
  7    verify: refused before the start by a pre-flight check (an action FIS does not
       offer in the Region, or its safety lever engaged)
  130  probe, rehearse: interrupted (Ctrl-C)";

#[derive(Parser, Debug)]
#[command(
    name = "chaoslab",
    version,
    about = "Generate the Terraform tree of an AWS chaos-engineering lab from a YAML lab spec",
    after_help = EXIT_CODES
)]
struct Cli {
    /// Treat lab-rule warnings as errors (for CI).
    #[arg(long, global = true)]
    deny_warnings: bool,
    /// Print only errors and warnings: no per-file, up-to-date or summary lines.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// How to print diagnostics on stderr: `human`, or `json` (one object per line: code,
    /// severity, file, line, column, field, message, help).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        default_value_t = MessageFormat::Human
    )]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum MessageFormat {
    Human,
    Json,
}

/// The specs a tree command works on, and where the tree is.
#[derive(clap::Args, Debug)]
struct Trees {
    /// Lab spec files, or directories whose *.yaml files are lab specs (e.g. blueprints/).
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<PathBuf>,
    /// The lab's Terraform directory (default: generated/<lab>/); only with a single spec.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write each lab's Terraform tree (default: generated/<lab>/).
    Generate {
        #[command(flatten)]
        trees: Trees,
        /// Replace or remove files chaoslab did not generate.
        #[arg(long)]
        force: bool,
    },
    /// Exit 1 if a tree on disk differs from what its spec generates. Writes nothing.
    ///
    /// Lists per file what differs (modified, missing, stale, foreign), then prints the diff on
    /// stdout as `diff -u` does; the error and the command that fixes it go to stderr.
    Check {
        #[command(flatten)]
        trees: Trees,
    },
    /// Print the diff between each tree on disk and what its spec generates. Writes nothing.
    Diff {
        #[command(flatten)]
        trees: Trees,
    },
    /// Check FIS experiment templates you already have against the catalog: JSON (the API's
    /// shape), CloudFormation (`AWS::FIS::ExperimentTemplate`, JSON or YAML) or Terraform
    /// (`aws_fis_experiment_template` in *.tf). Role policies and a hashicorp/aws constraint
    /// among the files are checked against the templates' actions. Exit 0 clean (warnings
    /// allowed), 2 an error.
    Lint {
        /// Template files, or directories of them (*.json, *.yaml, *.yml, *.tf).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Check the specs only.
    Validate {
        /// Lab spec files, or directories whose *.yaml files are lab specs.
        #[arg(value_name = "SPEC", required = true)]
        specs: Vec<PathBuf>,
    },
    /// Probe the lab's endpoints at an interval and count ok/failed per phase, as the article
    /// does.
    Probe(live::ProbeArgs),
    /// Run one experiment and judge it: pre-flight checks, baseline, the experiment (started
    /// through FIS), a recovery, and a verdict per endpoint against the experiment's hypothesis.
    /// Exit 0 held, 1 deviated, 3 probe failed, 5 baseline not met (nothing injected), 6
    /// experiment failed, stopped or interrupted, 7 refused by the pre-flight.
    Verify(live::VerifyArgs),
    /// Run the lab's experiments on this machine and judge them as verify does: the lab's
    /// app booted from its own tree in a network namespace, moto and PostgreSQL standing in
    /// for AWS, each fault injected locally by a stand-in FIS (root, Linux). Exit codes as
    /// verify's, the worst of the runs.
    Rehearse(rehearse::RehearseArgs),
    /// One self-contained HTML page (no network, no script) from verify or rehearse journals:
    /// per run the verdict and why, the hypothesis, the timings, the judged tables, and every
    /// request over time per endpoint with the phases and the FIS events marked.
    Report {
        /// Journals written by `verify --journal` or `rehearse --journal` (one or more runs
        /// each; several compare them on one page).
        #[arg(value_name = "JOURNAL", required = true)]
        journals: Vec<PathBuf>,
        /// The HTML file to write.
        #[arg(short, long, value_name = "HTML")]
        out: PathBuf,
    },
    /// List the FIS actions chaoslab knows, or show one in full.
    ///
    /// With an ID: its targets, every parameter (type, range, default, meaning), the IAM the
    /// FIS role gets for it, the provider floor and a spec snippet (Markdown, as in the README).
    Actions {
        /// An action id, e.g. `aws:network:disrupt-connectivity`, or its last part
        /// (`disrupt-connectivity`).
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// Print the catalog (or the one action) as JSON: targets, parameters, IAM, provider
        /// floor and rehearsal, for tools.
        #[arg(long)]
        json: bool,
    },
    /// Write a starter lab spec from a blueprint, with the JSON Schema beside it.
    ///
    /// Writes DIR/lab.yaml (never over an existing file), named after DIR, with a
    /// `yaml-language-server` modeline naming DIR/lab-spec.schema.json, so an editor completes
    /// and checks the spec as you type.
    Init {
        /// The blueprint to start from: chaos-shop-dependencies (Article 7) or
        /// chaos-shop-az-failure (Article 6).
        #[arg(long, value_name = "NAME", default_value = "chaos-shop-dependencies")]
        blueprint: String,
        /// Where to write the spec (created if missing).
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Print the lab spec's JSON Schema (draft-07), for editors and CI.
    Schema,
    /// Print a shell completion script.
    ///
    /// E.g. `chaoslab completions bash > ~/.local/share/bash-completion/completions/chaoslab`.
    Completions {
        /// The shell to complete for.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print chaoslab's man page (roff): `chaoslab man | man -l -`.
    Man,
}

/// What the binary prints, and its exit code.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Where the long-running commands (`probe`, `verify`) show what they measure as they go.
/// The binary implements it for a terminal; [`run`] collects the lines into `stdout`.
pub trait Live {
    /// A status line that replaces the previous one (shown on a terminal only).
    fn status(&mut self, line: &str);
    /// A line of the result, shown at once.
    fn line(&mut self, line: &str);
}

/// Collects result lines; drops status lines.
#[derive(Default)]
struct Collect(String);

impl Live for Collect {
    fn status(&mut self, _: &str) {}
    fn line(&mut self, line: &str) {
        self.0.push_str(line);
        self.0.push('\n');
    }
}

pub fn run<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut lines = Collect::default();
    let mut outcome = run_live(args, &mut lines);
    outcome.stdout.insert_str(0, &lines.0);
    outcome
}

/// [`run`], with `probe` and `verify` reporting through `live` as they measure.
pub fn run_live<I, T>(args: I, live: &mut dyn Live) -> Outcome
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
    let mut ctx = Ctx {
        deny_warnings: cli.deny_warnings,
        quiet: cli.quiet,
        json: cli.message_format == MessageFormat::Json,
        ..Ctx::default()
    };
    let result = match cli.command {
        Command::Probe(args) => live::probe(args, &mut ctx, live),
        Command::Verify(args) => live::verify(args, &mut ctx, live),
        Command::Rehearse(args) => rehearse::rehearse(args, &mut ctx, live),
        command => Ok((String::new(), execute(command, &mut ctx))),
    };
    match result {
        Ok((stdout, code)) => Outcome {
            code,
            stdout: ctx.stdout + &stdout,
            stderr: ctx.stderr,
        },
        Err(e) => {
            ctx.error("", &e);
            Outcome {
                code: u8::try_from(e.exit_code()).unwrap_or(1),
                stdout: ctx.stdout,
                stderr: ctx.stderr,
            }
        }
    }
}

/// The clap definition, for completions, the man page and tests of the help text.
pub fn command() -> clap::Command {
    Cli::command()
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// Runs one of the commands that finish at once; returns the exit code.
fn execute(cmd: Command, ctx: &mut Ctx) -> u8 {
    let text = |r: Result<Vec<u8>, std::io::Error>| match r {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("{e}"),
    };
    match cmd {
        Command::Probe(_) | Command::Verify(_) | Command::Rehearse(_) => {
            ctx.error(
                "",
                &Error::Bug("probe, verify and rehearse run through run_live".into()),
            );
            4
        }
        Command::Generate { trees, force } => {
            let out = trees.out.as_deref();
            specs::each(ctx, "generate", &trees.specs, out, |ctx, spec| {
                specs::generate(ctx, spec, out, force)
            })
        }
        Command::Check { trees } => {
            let out = trees.out.as_deref();
            specs::each(ctx, "check", &trees.specs, out, |ctx, spec| {
                specs::check(ctx, spec, out)
            })
        }
        Command::Diff { trees } => {
            let out = trees.out.as_deref();
            specs::each(ctx, "diff", &trees.specs, out, |ctx, spec| {
                specs::diff(ctx, spec, out)
            })
        }
        Command::Validate { specs } => specs::each(ctx, "validate", &specs, None, specs::validate),
        Command::Lint { files } => lint::run(ctx, &files),
        Command::Actions { id: None, json } => {
            let all: Vec<&crate::catalog::Action> = crate::catalog::ACTIONS.iter().collect();
            ctx.stdout.push_str(&match json {
                true => format!("{:#}\n", crate::catalog::doc::json(&all)),
                false => crate::catalog::doc::listing(),
            });
            0
        }
        Command::Actions { id: Some(id), json } => match action(&id) {
            Ok(a) => {
                ctx.stdout.push_str(&match json {
                    true => format!("{:#}\n", crate::catalog::doc::json(&[a])),
                    false => crate::catalog::doc::entry(a),
                });
                0
            }
            Err(e) => {
                ctx.error("", &e);
                2
            }
        },
        Command::Init { blueprint, dir } => match init::init(&blueprint, &dir) {
            Ok(text) => {
                ctx.say(&text);
                0
            }
            Err(e) => {
                ctx.error("", &e);
                u8::try_from(e.exit_code()).unwrap_or(1)
            }
        },
        Command::Schema => {
            ctx.stdout.push_str(&crate::schema::text());
            0
        }
        Command::Report { journals, out } => match report(&journals, &out) {
            Ok(runs) => {
                ctx.say(&format!("wrote {} ({runs} run(s))\n", out.display()));
                0
            }
            Err(e) => {
                ctx.error("", &e);
                u8::try_from(e.exit_code()).unwrap_or(1)
            }
        },
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command(), "chaoslab", &mut buf);
            ctx.stdout.push_str(&text(Ok(buf)));
            0
        }
        Command::Man => {
            let mut buf = Vec::new();
            let rendered = clap_mangen::Man::new(command()).render(&mut buf);
            ctx.stdout.push_str(&text(rendered.map(|()| buf)));
            0
        }
    }
}

/// Writes the report of `journals` to `out`; returns how many runs it shows.
fn report(journals: &[PathBuf], out: &Path) -> Result<usize, Error> {
    let mut read = Vec::new();
    for path in journals {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{}:{}:{}: not a journal (JSON): {e}\n  = help: give a file written by `verify --journal` or `rehearse --journal`",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        if crate::report::runs(&value)
            .iter()
            .any(|r| !r.get("samples").is_some_and(serde_json::Value::is_array))
        {
            return Err(Error::Usage(format!(
                "{}: not a journal: a run without `samples`\n  = help: give a file written by `verify --journal` or `rehearse --journal`",
                path.display()
            )));
        }
        read.push((path.display().to_string(), value));
    }
    let runs: Vec<(String, &serde_json::Value)> = read
        .iter()
        .flat_map(|(name, v)| {
            crate::report::runs(v)
                .into_iter()
                .map(|r| (name.clone(), r))
        })
        .collect();
    let html = crate::report::render(&runs).map_err(Error::Bug)?;
    write_report(out, &html)?;
    Ok(runs.len())
}

/// Writes a report whole (a temporary file renamed into place), replacing only a file that
/// is a chaoslab report already: anything else at `path` is not ours to overwrite.
pub(crate) fn write_report(path: &Path, html: &str) -> Result<(), Error> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let ours = meta.is_file()
            && std::fs::read(path).is_ok_and(|b| {
                let head = b.get(..b.len().min(1024)).unwrap_or_default();
                String::from_utf8_lossy(head).contains(crate::report::MARK)
            });
        if !ours {
            return Err(Error::Refused {
                path: path.to_path_buf(),
                reason: crate::base::errors::Refusal::NotAReport,
            });
        }
    }
    replace_whole(path, html)
}

/// Writes `contents` to `path` whole: a fresh file beside it (created new, so never written
/// through a link) renamed into place, so a reader sees the old file or the new one, never a
/// part; the fresh file is removed if the rename fails.
pub(crate) fn replace_whole(path: &Path, contents: &str) -> Result<(), Error> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let staged = dir.join(format!(".{name}.{}.chaoslab-new", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&staged)
        .and_then(|mut f| f.write_all(contents.as_bytes()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&staged);
        return Err(Error::io(&staged, e));
    }
    std::fs::rename(&staged, path).map_err(|e| {
        let _ = std::fs::remove_file(&staged);
        Error::io(path, e)
    })
}

/// An action by its id, or by the part after its last `:` when that names one action.
fn action(id: &str) -> Result<&'static crate::catalog::Action, Error> {
    let actions = crate::catalog::ACTIONS;
    if let Some(a) = crate::catalog::find(id) {
        return Ok(a);
    }
    let mut tail = actions
        .iter()
        .filter(|a| a.id.rsplit(':').next() == Some(id));
    match (tail.next(), tail.next()) {
        (Some(a), None) => Ok(a),
        _ => {
            let ids: Vec<&str> = actions.iter().map(|a| a.id).collect();
            let help = crate::base::suggest::did_you_mean(id, &ids, || {
                "`chaoslab actions` lists them".to_owned()
            });
            Err(Error::Usage(format!(
                "the catalog has no FIS action `{id}`\n  = help: {help}"
            )))
        }
    }
}

fn out_dir(lab: &Lab, out: Option<&Path>) -> PathBuf {
    out.map_or_else(|| Path::new("generated").join(&lab.name), Path::to_path_buf)
}

/// The text of a spec (or template) file; one that cannot be read is a spec error (E001)
/// with a fix.
fn read_text(path: &Path) -> Result<String, Error> {
    use input::Unreadable;
    input::read_spec(path).map_err(|why| {
        let problem = match why {
            Unreadable::Io(e) => SpecProblem::CannotRead { why: e.to_string() },
            Unreadable::TooLarge => SpecProblem::TooLarge,
            Unreadable::NotUtf8(at) => SpecProblem::NotUtf8 { offset: Some(at) },
            Unreadable::EmptyFifo => SpecProblem::EmptyFifo,
        };
        let diagnostic = problem.at(Pos::default(), "");
        Error::Spec(Box::new(SpecErrors {
            file: path.display().to_string(),
            source: String::new(),
            diagnostics: vec![diagnostic],
        }))
    })
}

/// Reads and validates a spec file. Warnings are reported through `ctx`, or fail the command
/// with `--deny-warnings`.
fn read(path: &Path, ctx: &mut Ctx) -> Result<Lab, Error> {
    let file = path.display().to_string();
    let source = read_text(path)?;
    let lab = crate::load(&file, &source)?;
    if lab.warnings.is_empty() {
        return Ok(lab);
    }
    if ctx.deny_warnings {
        return Err(Error::Spec(Box::new(SpecErrors {
            file,
            source,
            diagnostics: lab.warnings,
        })));
    }
    for w in &lab.warnings {
        ctx.diagnostic(&file, &source, w);
    }
    Ok(lab)
}
