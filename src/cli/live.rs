//! The commands that measure a lab as they go, `probe` and `verify`: their flags, the probe's
//! settings from the flags and the spec, and the run handed to [`crate::probe::phases`] or
//! [`crate::verify`], reporting through the binary's [`Live`] display.

use std::path::PathBuf;

use super::outputs::{self, Outputs, Shape};
use super::{Ctx, Live, out_dir, read, usage};
use crate::base::errors::Error;
use crate::experiments::Lab;

#[derive(clap::Args, Debug)]
pub(super) struct Target {
    /// The lab spec: endpoints and the request timeout come from it, the URL from
    /// `terraform output` in its generated directory.
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The app's URL (default: the `app_url` output of the applied tree, `terraform output`
    /// in the lab's directory).
    #[arg(long)]
    url: Option<String>,
    /// An endpoint to probe besides the lab's (repeatable); with --only-paths, instead of them.
    #[arg(long = "path", value_name = "NAME=PATH")]
    paths: Vec<String>,
    /// Probe only the --path endpoints, not the lab's.
    #[arg(long, requires = "paths")]
    only_paths: bool,
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
pub(super) struct ProbeArgs {
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
pub(super) struct VerifyArgs {
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
    /// Write the run's report here: one self-contained HTML page (as `chaoslab report`).
    #[arg(long, value_name = "HTML")]
    report: Option<PathBuf>,
    /// Run the template in FIS's target-preview mode (nothing is injected): checks targets
    /// and permissions.
    #[arg(long)]
    preview: bool,
}

/// `probe` and `verify` report through the live display.
struct Reporter<'a>(&'a mut dyn Live);

impl crate::probe::Report for Reporter<'_> {
    fn status(&mut self, line: &str) {
        self.0.status(line);
    }
    fn line(&mut self, line: &str) {
        self.0.line(line);
    }
}

/// Set by Ctrl-C while `probe` or `verify` runs.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether Ctrl-C was pressed since [`catch_ctrl_c`].
pub(super) fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Whether a second Ctrl-C ends the process at once: `probe`'s, which has nothing to undo;
/// not `verify`'s, whose first one is stopping the experiment it started on AWS.
static SECOND_ABORTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The first Ctrl-C raises [`INTERRUPTED`]: the run ends its phase at once, says so and
/// (verify) stops the experiment it started. A second one ends `probe` at once, exit 130.
pub(super) fn catch_ctrl_c(second_aborts: bool) {
    use std::sync::atomic::Ordering::SeqCst;
    SECOND_ABORTS.store(second_aborts, SeqCst);
    // A second call in one process (tests) keeps the first handler, which reads the same flags.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, SeqCst) && SECOND_ABORTS.load(SeqCst) {
            std::process::exit(130);
        }
    });
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
    let mut endpoints = match &lab {
        Some(l) if l.app.is_some() && !t.only_paths => crate::probe::endpoints(l),
        _ => Vec::new(),
    };
    for p in &t.paths {
        let (name, path) = p
            .split_once('=')
            .filter(|(n, p)| !n.is_empty() && p.starts_with('/'))
            .ok_or_else(|| usage(format!("--path `{}`: use NAME=/path", p.escape_debug())))?;
        crate::probe::http::check_path(path).map_err(|e| usage(format!("--path {e}")))?;
        if let Some(same) = endpoints.iter().find(|e| e.name == name) {
            return Err(usage(format!(
                "--path {name}=…: `{name}` is probed already (at {}); give the endpoint another name, or --only-paths to probe only yours",
                same.path
            )));
        }
        endpoints.push(crate::probe::Endpoint {
            name: name.to_owned(),
            path: path.to_owned(),
        });
    }
    if endpoints.is_empty() {
        match &lab {
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

pub(super) fn probe(
    a: ProbeArgs,
    ctx: &mut Ctx,
    live: &mut dyn Live,
) -> Result<(String, u8), Error> {
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
    catch_ctrl_c(true);
    let interrupted = crate::probe::phases::run(
        settings,
        &phases,
        a.jsonl.as_deref(),
        &mut Reporter(live),
        &INTERRUPTED,
    )?;
    Ok((String::new(), if interrupted { 130 } else { 0 }))
}

pub(super) fn verify(
    a: VerifyArgs,
    ctx: &mut Ctx,
    live: &mut dyn Live,
) -> Result<(String, u8), Error> {
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
    let run = Run {
        experiment: &experiment.name,
        template_id: &template_id,
        baseline: crate::probe::parse_duration(&a.baseline).map_err(usage)?,
        recovery: crate::probe::parse_duration(&a.recovery).map_err(usage)?,
        max_duration: crate::probe::parse_duration(&a.max_duration).map_err(usage)?,
    };
    catch_ctrl_c(false);
    let mut fis = crate::verify::helper::Helper::find(&region).map_err(usage)?;
    if a.preview {
        let mut report = Reporter(live);
        let code = crate::verify::preview::run(&mut fis, &template_id, &mut report, &INTERRUPTED);
        return code.map(|code| (String::new(), code)).map_err(usage);
    }
    let outcome = judged(
        &lab,
        (experiment, hypothesis),
        settings,
        &run,
        &mut fis,
        live,
    );
    if let Some(path) = &a.journal {
        let text = serde_json::to_string_pretty(&outcome.journal).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))?;
    }
    if let Some(path) = &a.report {
        let name = a.journal.as_ref().map_or_else(
            || format!("verify --experiment {}", a.experiment),
            |j| j.display().to_string(),
        );
        let html = crate::report::render(&[(name, &outcome.journal)]).map_err(Error::Bug)?;
        super::write_report(path, &html)?;
    }
    Ok((String::new(), outcome.verdict.exit_code()))
}

/// One experiment's run, as `verify` and `rehearse` give it.
pub(super) struct Run<'a> {
    pub experiment: &'a str,
    pub template_id: &'a str,
    pub baseline: std::time::Duration,
    pub recovery: std::time::Duration,
    pub max_duration: std::time::Duration,
}

/// The judged run of one experiment through `fis`, whichever FIS it is: AWS's through the
/// helper (`verify`) or the rehearsal's stand-in (`rehearse`). Ctrl-C must be caught first.
pub(super) fn judged(
    lab: &Lab,
    (experiment, hypothesis): (
        &crate::experiments::Experiment,
        &crate::experiments::Hypothesis,
    ),
    settings: crate::probe::Settings,
    run: &Run<'_>,
    fis: &mut dyn crate::verify::Fis,
    live: &mut dyn Live,
) -> crate::verify::Outcome {
    let budget = crate::probe::timeout_for(lab)
        .unwrap_or(settings.timeout)
        .saturating_sub(std::time::Duration::from_secs(1));
    let (settle, settle_why) = settle(lab);
    let mut actions: Vec<&'static str> = experiment.actions().map(|s| s.action.id).collect();
    actions.sort_unstable();
    actions.dedup();
    let opts = crate::verify::Options {
        experiment: run.experiment,
        actions,
        template_id: run.template_id,
        baseline: run.baseline,
        recovery: run.recovery,
        max_duration: run.max_duration,
        poll: std::time::Duration::from_secs(1),
        budget,
        settle,
        settle_why,
    };
    crate::verify::run(
        settings,
        hypothesis,
        fis,
        &opts,
        &mut Reporter(live),
        &INTERRUPTED,
    )
}

/// The probe's settings for the lab's app at `url`: the spec's endpoints and request timeout,
/// one worker starting a round every `interval`.
pub(super) fn lab_settings(
    lab: &Lab,
    url: &str,
    interval: std::time::Duration,
) -> Result<crate::probe::Settings, Error> {
    Ok(crate::probe::Settings {
        url: crate::probe::Url::parse(url).map_err(usage)?,
        endpoints: crate::probe::endpoints(lab),
        interval,
        concurrency: 1,
        timeout: crate::probe::timeout_for(lab).unwrap_or(std::time::Duration::from_secs(5)),
        max_requests: 1_000_000,
    })
}

/// How long the app may take to come back after a fault by its own design, and why. Calls
/// begun while the dependency failed keep their bulkhead slots until they end, up to the
/// deadline after the fault is lifted, and new calls are shed meanwhile (a rehearsal saw a
/// fast 503 0.2 s into the recovery). A circuit breaker also fails calls at once for
/// `reset_seconds` after its last failure, and its trial call may take the whole deadline
/// before it closes (per worker, so the slowest counts).
pub(super) fn settle(lab: &Lab) -> (std::time::Duration, String) {
    let Some(app) = &lab.app else {
        return (std::time::Duration::ZERO, String::new());
    };
    let deadline = app.timeouts.deadline();
    match app.circuit_breaker {
        Some(b) => (
            std::time::Duration::from_secs(u64::from(b.reset_seconds + deadline)),
            format!(
                "the app's circuit breaker stays open {} s after the last failure, and its trial call may take the {deadline} s deadline",
                b.reset_seconds
            ),
        ),
        None => (
            std::time::Duration::from_secs(u64::from(deadline)),
            format!(
                "calls begun during the fault keep their bulkhead slots up to the app's {deadline} s deadline after it"
            ),
        ),
    }
}
