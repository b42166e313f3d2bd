//! The command line: parse arguments, run one command, return what to print and the exit code.

pub mod colour;
pub mod init;
mod input;
mod messages;
mod outputs;
mod specs;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

use crate::base::diag::Problem as _;
use crate::base::errors::{Error, Pos, SpecErrors};
use crate::experiments::Lab;
use crate::spec::Problem as SpecProblem;
use messages::Ctx;
use outputs::{Outputs, Shape};

/// The exit codes, for `--help` and the man page (the README's table says the same).
const EXIT_CODES: &str = "\
Exit codes:
  0    ok
  1    drift (check), or a hypothesis that did not hold (verify)
  2    invalid input: a spec error, a bad flag, or a warning under --deny-warnings
  3    I/O error, or a file chaoslab does not own stands in the way
  4    internal error (a bug; please report it)
  5    verify: steady state not met before the fault (nothing was injected)
  6    verify: the experiment failed, was stopped or was interrupted
  130  probe: interrupted (Ctrl-C)";

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
    /// Check the specs only.
    Validate {
        /// Lab spec files, or directories whose *.yaml files are lab specs.
        #[arg(value_name = "SPEC", required = true)]
        specs: Vec<PathBuf>,
    },
    /// Probe the lab's endpoints at an interval and count ok/failed per phase, as the article
    /// does.
    Probe(ProbeArgs),
    /// Run one experiment and judge it: baseline, the experiment (started through FIS), a
    /// recovery, and a verdict per endpoint against the experiment's hypothesis. Exit 0 held,
    /// 1 deviated, 5 baseline not met (nothing injected), 6 experiment failed, stopped or
    /// interrupted.
    Verify(VerifyArgs),
    /// List the FIS actions chaoslab knows, or show one in full.
    ///
    /// With an ID: its targets, every parameter (type, range, default, meaning), the IAM the
    /// FIS role gets for it, the provider floor and a spec snippet (Markdown, as in the README).
    Actions {
        /// An action id, e.g. `aws:network:disrupt-connectivity`, or its last part
        /// (`disrupt-connectivity`).
        #[arg(value_name = "ID")]
        id: Option<String>,
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

#[derive(clap::Args, Debug)]
struct Target {
    /// The lab spec: endpoints and the request timeout come from it, the URL from
    /// `terraform output` in its generated directory.
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The app's URL (default: the `app_url` output of the applied tree, `terraform output`
    /// in the lab's directory).
    #[arg(long)]
    url: Option<String>,
    /// An endpoint to probe instead of the lab's (repeatable).
    #[arg(long = "path", value_name = "NAME=PATH")]
    paths: Vec<String>,
    /// Per-request limit (default: the app's dependency budget plus 1 s, or 5s).
    #[arg(long)]
    timeout: Option<String>,
    /// Time between the starts of one worker's rounds over the endpoints (0 back to back).
    #[arg(long, default_value = "1s")]
    interval: String,
    /// Workers probing side by side.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    concurrency: u32,
    /// At most this many requests in the run.
    #[arg(long, default_value_t = 1_000_000)]
    max_requests: u64,
    /// The lab's generated directory (default: generated/<lab>/).
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ProbeArgs {
    #[command(flatten)]
    target: Target,
    /// A phase and its length, in order (repeatable; default baseline=30s).
    #[arg(long = "phase", value_name = "NAME=DURATION")]
    phases: Vec<String>,
    /// Write one JSON record per request here (phase, endpoint, status, latency, error).
    #[arg(long)]
    jsonl: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct VerifyArgs {
    #[command(flatten)]
    target: Target,
    /// The experiment to run (its spec name).
    #[arg(long)]
    experiment: String,
    /// The FIS experiment template id (default: the experiment's `<name>_template_id` output
    /// of the applied tree, `terraform output` in the lab's directory).
    #[arg(long)]
    template_id: Option<String>,
    /// The AWS Region the lab was applied in (default: the spec's `region:`, the tree's
    /// default `aws_region`); FIS is called there, whatever the shell's AWS_REGION says.
    #[arg(long)]
    region: Option<String>,
    /// How long to probe before the fault; every endpoint must be ≥ 99 % ok in it.
    #[arg(long, default_value = "30s")]
    baseline: String,
    /// How long to probe after the experiment ends; every endpoint must be ok again in it.
    #[arg(long, default_value = "30s")]
    recovery: String,
    /// Stop the experiment and give up after this long.
    #[arg(long, default_value = "2h")]
    max_duration: String,
    /// Write the run's journal (JSON) here.
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Run the template in FIS's target-preview mode (nothing is injected): checks targets
    /// and permissions.
    #[arg(long)]
    preview: bool,
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

/// `verify` reports through the same live display.
struct Reporter<'a>(&'a mut dyn Live);

impl crate::verify::Report for Reporter<'_> {
    fn status(&mut self, line: &str) {
        self.0.status(line);
    }
    fn line(&mut self, line: &str) {
        self.0.line(line);
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
        Command::Probe(args) => probe(args, &mut ctx, live),
        Command::Verify(args) => verify(args, &mut ctx, live),
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

/// Set by Ctrl-C while `probe` or `verify` runs.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn catch_ctrl_c() {
    // A second call in one process (tests) keeps the first handler, which sets the same flag.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// The probe's settings from the flags and, when given, the lab spec.
fn settings(
    t: &Target,
    ctx: &mut Ctx,
) -> Result<(Option<Lab>, PathBuf, crate::probe::Settings), Error> {
    let lab = match &t.spec {
        Some(spec) => Some(read(spec, ctx)?),
        None => None,
    };
    let dir = match (&lab, &t.out) {
        (_, Some(o)) => o.clone(),
        (Some(l), None) => out_dir(l, None),
        (None, None) => PathBuf::from("."),
    };
    let url = match (&t.url, &lab) {
        (Some(u), _) => u.clone(),
        (None, Some(_)) => Outputs::read(&dir)?.get("app_url", Shape::Url, "--url")?,
        (None, None) => return Err(usage("give a lab spec or --url".into())),
    };
    let url = crate::probe::Url::parse(&url).map_err(usage)?;
    let mut endpoints = Vec::new();
    for p in &t.paths {
        let (name, path) = p
            .split_once('=')
            .filter(|(n, p)| !n.is_empty() && p.starts_with('/'))
            .ok_or_else(|| usage(format!("--path `{p}`: use NAME=/path")))?;
        endpoints.push(crate::probe::Endpoint {
            name: name.to_owned(),
            path: path.to_owned(),
        });
    }
    if endpoints.is_empty() {
        match &lab {
            Some(l) if l.app.is_some() => endpoints = crate::probe::endpoints(l),
            Some(l) => {
                return Err(usage(format!(
                    "lab {} has no app to probe; give --url and --path",
                    l.name
                )));
            }
            None => return Err(usage("give a lab spec or at least one --path".into())),
        }
    }
    let timeout = match &t.timeout {
        Some(text) => crate::probe::parse_duration(text).map_err(usage)?,
        None => lab
            .as_ref()
            .and_then(crate::probe::timeout_for)
            .unwrap_or(std::time::Duration::from_secs(5)),
    };
    let settings = crate::probe::Settings {
        url,
        endpoints,
        interval: crate::probe::parse_duration(&t.interval).map_err(usage)?,
        concurrency: t.concurrency,
        timeout,
        max_requests: t.max_requests,
    };
    Ok((lab, dir, settings))
}

fn probe(a: ProbeArgs, ctx: &mut Ctx, live: &mut dyn Live) -> Result<(String, u8), Error> {
    use std::sync::atomic::Ordering;
    let (_, _, settings) = settings(&a.target, ctx)?;
    let mut phases = Vec::new();
    for p in if a.phases.is_empty() {
        vec!["baseline=30s".to_owned()]
    } else {
        a.phases
    } {
        let (name, len) = p
            .split_once('=')
            .filter(|(n, _)| !n.is_empty())
            .ok_or_else(|| usage(format!("--phase `{p}`: use NAME=DURATION")))?;
        phases.push((
            name.to_owned(),
            crate::probe::parse_duration(len).map_err(usage)?,
        ));
    }
    let mut jsonl = match &a.jsonl {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| Error::io(path, e))?,
        )),
        None => None,
    };
    catch_ctrl_c();
    let endpoints = settings.endpoints.clone();
    let first = phases
        .first()
        .map_or("probe", |(n, _)| n.as_str())
        .to_owned();
    let mut running = crate::probe::Running::start(settings, &first);
    // Each sample goes to the JSONL file as it arrives and into the current phase's tally;
    // none is kept, so memory stays flat however long and fast the probe runs.
    let mut tally = crate::probe::Tally::new(endpoints.len(), 0);
    let mut take = |batch: Vec<crate::probe::Sample>,
                    names: &[String],
                    tally: &mut crate::probe::Tally|
     -> Result<(), Error> {
        if let (Some(w), Some(path)) = (jsonl.as_mut(), a.jsonl.as_ref()) {
            for s in &batch {
                std::io::Write::write_all(
                    w,
                    (crate::probe::jsonl(names, &endpoints, s) + "\n").as_bytes(),
                )
                .map_err(|e| Error::io(path, e))?;
            }
        }
        for s in &batch {
            tally.add(s);
        }
        Ok(())
    };
    let mut interrupted = false;
    for (i, (name, length)) in phases.iter().enumerate() {
        if i > 0 {
            // The phase began when the one before closed (below).
            tally = crate::probe::Tally::new(endpoints.len(), i);
        }
        let end = running.elapsed() + *length;
        while running.elapsed() < end && !running.exhausted() {
            if INTERRUPTED.load(Ordering::SeqCst) {
                interrupted = true;
                break;
            }
            let batch = running.poll(std::time::Duration::from_millis(200));
            take(batch, &running.phases, &mut tally)?;
            live.status(&crate::probe::line(
                &format!("{name} …"),
                running.phase_length(i),
                &tally.counts(&endpoints),
            ));
        }
        // Whatever of this phase is still on its way arrives before the next one begins (or
        // the probe stops), so the table is complete.
        let batch = match phases.get(i + 1) {
            Some((next, _)) if !interrupted && !running.exhausted() => running.next_phase(next),
            _ => running.finish(),
        };
        take(batch, &running.phases, &mut tally)?;
        let st = tally.stats(&endpoints);
        let label = if interrupted {
            format!("{name} (interrupted)")
        } else {
            name.clone()
        };
        live.line(&crate::probe::line(&label, running.phase_length(i), &st));
        live.line(&crate::probe::latencies(&st));
        if interrupted || running.exhausted() {
            break;
        }
    }
    let names = running.phases.clone();
    let rest = running.finish();
    take(rest, &names, &mut tally)?;
    if let (Some(w), Some(path)) = (jsonl.as_mut(), a.jsonl.as_ref()) {
        std::io::Write::flush(w).map_err(|e| Error::io(path, e))?;
    }
    Ok((String::new(), if interrupted { 130 } else { 0 }))
}

fn verify(a: VerifyArgs, ctx: &mut Ctx, live: &mut dyn Live) -> Result<(String, u8), Error> {
    let (lab, dir, settings) = settings(&a.target, ctx)?;
    let Some(lab) = lab else {
        return Err(usage("verify needs the lab spec".into()));
    };
    let Some(experiment) = lab.experiments.iter().find(|e| e.name == a.experiment) else {
        let names: Vec<&str> = lab.experiments.iter().map(|e| e.name.as_str()).collect();
        return Err(usage(format!(
            "lab {} has no experiment `{}` (it has: {})",
            lab.name,
            a.experiment,
            names.join(", ")
        )));
    };
    let template_id = match &a.template_id {
        Some(t) if outputs::is_api_template_id(t) => t.clone(),
        Some(t) => {
            return Err(usage(format!(
                "--template-id `{}` is not an FIS template id (at most 64 characters, no spaces)",
                t.escape_debug()
            )));
        }
        None => Outputs::read(&dir)?.get(
            &format!(
                "{}_template_id",
                crate::experiments::tf_name(&experiment.name)
            ),
            Shape::TemplateId,
            "--template-id",
        )?,
    };
    let region = match &a.region {
        Some(r) if crate::base::regions::find(r).is_some() => r.clone(),
        Some(r) => {
            return Err(usage(format!(
                "--region `{}` is not an AWS Region code (e.g. us-east-1)",
                r.escape_debug()
            )));
        }
        None => lab.region.clone(),
    };
    let Some(hypothesis) = &experiment.hypothesis else {
        return Err(usage(format!(
            "lab {} has no app: there is nothing for verify to probe",
            lab.name
        )));
    };
    let budget = crate::probe::timeout_for(&lab)
        .unwrap_or(settings.timeout)
        .saturating_sub(std::time::Duration::from_secs(1));
    let opts = crate::verify::Options {
        experiment: &experiment.name,
        template_id: &template_id,
        baseline: crate::probe::parse_duration(&a.baseline).map_err(usage)?,
        recovery: crate::probe::parse_duration(&a.recovery).map_err(usage)?,
        max_duration: crate::probe::parse_duration(&a.max_duration).map_err(usage)?,
        poll: std::time::Duration::from_secs(1),
        budget,
    };
    catch_ctrl_c();
    let mut fis = crate::verify::fis::Sdk::connect(&region).map_err(usage)?;
    if a.preview {
        return preview(&mut fis, &template_id, live);
    }
    let mut report = Reporter(live);
    let outcome = crate::verify::run(
        settings,
        hypothesis,
        &mut fis,
        &opts,
        &mut report,
        &INTERRUPTED,
    );
    if let Some(path) = &a.journal {
        let text = serde_json::to_string_pretty(&outcome.journal).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))?;
    }
    Ok((String::new(), outcome.verdict.exit_code()))
}

/// Runs the template with `actionsMode = skip-all` and waits for its end: FIS resolves the
/// targets and checks the role's permissions without injecting anything.
fn preview(
    fis: &mut dyn crate::verify::Fis,
    template_id: &str,
    live: &mut dyn Live,
) -> Result<(String, u8), Error> {
    use std::sync::atomic::Ordering;
    let id = fis.start(template_id, true).map_err(usage)?;
    live.line(&format!(
        "preview: started experiment {id} (actionsMode skip-all)"
    ));
    let started = std::time::Instant::now();
    loop {
        if INTERRUPTED.load(Ordering::SeqCst)
            || started.elapsed() > std::time::Duration::from_secs(900)
        {
            let _ = fis.stop(&id);
            live.line(&format!("preview: stopped experiment {id}"));
            return Ok((String::new(), 6));
        }
        let (status, reason) = fis.status(&id).map_err(usage)?;
        live.status(&format!("preview: {}", status.as_str()));
        if status.is_terminal() {
            let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
            live.line(&format!(
                "preview: experiment {id} {}{reason}",
                status.as_str()
            ));
            let ok = status == crate::verify::Status::Completed;
            return Ok((String::new(), if ok { 0 } else { 6 }));
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}

/// Runs one of the commands that finish at once; returns the exit code.
fn execute(cmd: Command, ctx: &mut Ctx) -> u8 {
    let text = |r: Result<Vec<u8>, std::io::Error>| match r {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("{e}"),
    };
    match cmd {
        Command::Probe(_) | Command::Verify(_) => {
            ctx.error(
                "",
                &Error::Bug("probe and verify run through run_live".into()),
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
        Command::Actions { id: None } => {
            ctx.stdout.push_str(&crate::catalog::doc::table());
            0
        }
        Command::Actions { id: Some(id) } => match action(&id) {
            Ok(a) => {
                ctx.stdout.push_str(&crate::catalog::doc::entry(a));
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

/// Reads and validates a spec file; an unreadable file is a spec error (E001) with a fix.
/// Warnings are reported through `ctx`, or fail the command with `--deny-warnings`.
fn read(path: &Path, ctx: &mut Ctx) -> Result<Lab, Error> {
    use input::Unreadable;
    let file = path.display().to_string();
    let source = input::read_spec(path).map_err(|why| {
        let problem = match why {
            Unreadable::Io(e) => SpecProblem::CannotRead { why: e.to_string() },
            Unreadable::TooLarge => SpecProblem::TooLarge,
            Unreadable::NotUtf8(at) => SpecProblem::NotUtf8 { offset: Some(at) },
            Unreadable::EmptyFifo => SpecProblem::EmptyFifo,
        };
        let diagnostic = problem.at(Pos::default(), "");
        Error::Spec(Box::new(SpecErrors {
            file: file.clone(),
            source: String::new(),
            diagnostics: vec![diagnostic],
        }))
    })?;
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
