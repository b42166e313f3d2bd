//! `chaoslab rehearse`: the lab's rehearsable experiments run on this machine and judged by
//! `verify`'s own run ([`super::live::judged`]) against the harness's stand-in FIS.
//!
//! Two processes: the outer one (the user's) checks the spec and the tree, prepares the
//! cache and starts the harness, which boots the app in a network namespace and runs the
//! inner one (`--inside`, hidden) there; the inner one runs `verify` once per experiment and
//! prints each table as it goes. The outer one returns the inner one's exit code.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::live::{Run, catch_ctrl_c, interrupted, judged, lab_settings, settle};
use super::{Ctx, Live, out_dir, read, usage};
use crate::base::errors::Error;
use crate::rehearse::{NOT_MODELLED, Plan, setup};

#[derive(clap::Args, Debug)]
pub(super) struct RehearseArgs {
    /// The lab spec: its experiments and their hypotheses. The tree is generated/<lab>/ (or
    /// -o) and must be what the spec generates.
    #[arg(value_name = "SPEC", required_unless_present = "setup")]
    spec: Option<PathBuf>,
    /// The lab's generated directory (default: generated/<lab>/).
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only this experiment (repeatable; default: every rehearsable one).
    #[arg(long, value_name = "NAME")]
    experiment: Vec<String>,
    /// Write the runs' journals here (JSON: verify's journal per experiment).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Run the app with its guard removed (botocore's defaults, no deadline, no bulkhead):
    /// the counterfactual, which should break what the spec promises.
    #[arg(long)]
    unguarded: bool,
    /// How long the stand-in FIS keeps each fault on (the template's own duration is for AWS).
    #[arg(long, default_value = "15s")]
    fault: String,
    /// How long to probe before each fault; every endpoint must be ≥ 99 % ok in it.
    #[arg(long, default_value = "8s")]
    baseline: String,
    /// How long to probe after each fault; every endpoint must be ok again in it.
    #[arg(long, default_value = "12s")]
    recovery: String,
    /// Say which experiments would be rehearsed and with what faults, and why not the others;
    /// run nothing (no root needed).
    #[arg(long)]
    plan: bool,
    /// Prepare the stand-ins and the harness in the cache (CHAOSLAB_CACHE_DIR, else
    /// ~/.cache/chaoslab), say what the machine lacks, and exit.
    #[arg(long)]
    setup: bool,
    /// Run the experiments beside the booted app (the harness runs chaoslab so).
    #[arg(long, hide = true)]
    inside: bool,
}

/// Both halves share these.
struct Parsed {
    lab: crate::experiments::Lab,
    /// One experiment's whole run at most: its phases, the app's settling, a minute to spare.
    per_run: Duration,
    dir: PathBuf,
    plan: Plan,
    fault: Duration,
    baseline: Duration,
    recovery: Duration,
}

fn parse(a: &RehearseArgs, ctx: &mut Ctx) -> Result<Parsed, Error> {
    let Some(spec) = &a.spec else {
        return Err(usage("rehearse needs the lab spec".into()));
    };
    if spec.is_dir() {
        return Err(usage(format!(
            "{} is a directory: rehearse reads the experiments and their hypotheses from the lab spec; give the spec (and -o DIR when its tree is elsewhere)",
            spec.display()
        )));
    }
    let lab = read(spec, ctx)?;
    let ecs = lab
        .app
        .as_ref()
        .is_some_and(|app| matches!(app.runtime, crate::resources::app::Runtime::Ecs(_)));
    if a.unguarded && ecs {
        return Err(usage(format!(
            "--unguarded restarts the app with another config, which the rehearsal does for an EC2 instance only; lab {} runs its app as an ECS task",
            lab.name
        )));
    }
    let dir = out_dir(&lab, a.out.as_deref());
    let plan = Plan::of(&lab, &a.experiment).map_err(usage)?;
    let duration = |flag: &str, text: &str| {
        crate::probe::parse_duration(text).map_err(|e| usage(format!("--{flag}: {e}")))
    };
    let (fault, baseline, recovery) = (
        duration("fault", &a.fault)?,
        duration("baseline", &a.baseline)?,
        duration("recovery", &a.recovery)?,
    );
    Ok(Parsed {
        per_run: baseline + fault + settle(&lab).0 + recovery + Duration::from_secs(60),
        fault,
        baseline,
        recovery,
        lab,
        dir,
        plan,
    })
}

pub(super) fn rehearse(
    a: RehearseArgs,
    ctx: &mut Ctx,
    live: &mut dyn Live,
) -> Result<(String, u8), Error> {
    if a.inside {
        return inside(&a, ctx, live);
    }
    let cache = setup::cache_dir(|k| std::env::var_os(k)).map_err(Error::Environment)?;
    if a.setup {
        return prepare(&cache, live).map(|_| (String::new(), 0));
    }
    let p = parse(&a, ctx)?;
    if a.plan {
        for e in &p.plan.experiments {
            let faults: Vec<String> = e.faults.iter().map(ToString::to_string).collect();
            live.line(&format!("{}: rehearsed: {}", e.name, faults.join("; ")));
        }
    }
    for (name, why) in &p.plan.not_rehearsable {
        live.line(&format!("{name}: not rehearsed here: {why}"));
    }
    if a.plan {
        return Ok((String::new(), 0));
    }
    if p.plan.experiments.is_empty() {
        return Err(usage(format!(
            "lab {} has no experiment this machine can rehearse (see `chaoslab actions` for what each action needs)",
            p.lab.name
        )));
    }
    current(&p)?;
    let prepared = prepare(&cache, live)?;
    let spec = absolute(a.spec.as_deref().unwrap_or(Path::new("")))?;
    let dir = absolute(&p.dir)?;
    let work = Scratch::new()?;
    let plan_file = work.0.join("plan.json");
    let report_file = work.0.join("report.json");
    let plan = serde_json::to_string(&p.plan).map_err(|e| Error::Bug(e.to_string()))?;
    std::fs::write(&plan_file, plan).map_err(|e| Error::io(&plan_file, e))?;
    let exe = std::env::current_exe().map_err(|e| Error::Environment(e.to_string()))?;
    let runs = u32::try_from(p.plan.experiments.len()).unwrap_or(u32::MAX);
    let mut cmd = Command::new(prepared.python());
    cmd.env("PYTHONPATH", &prepared.harness)
        .env("CHAOSLAB_REHEARSE_TOOLS", &prepared.tools)
        .args(["-m", "chaoslab_rehearse"])
        .arg(&dir)
        .arg("--json")
        .arg(&report_file)
        .arg("--fis-plan")
        .arg(&plan_file)
        .args(["--fis-seconds", &p.fault.as_secs_f64().to_string()])
        .args(["--exec-guard", if a.unguarded { "none" } else { "spec" }])
        .args(["--exec-timeout", &(p.per_run * runs).as_secs().to_string()])
        .arg("--exec-passthrough")
        .arg("--exec")
        .arg(&exe)
        .arg("rehearse")
        .arg(&spec)
        .arg("-o")
        .arg(&dir)
        .arg("--inside")
        .args([
            "--fault",
            &a.fault,
            "--baseline",
            &a.baseline,
            "--recovery",
            &a.recovery,
        ]);
    for e in &a.experiment {
        cmd.arg("--experiment").arg(e);
    }
    if a.unguarded {
        cmd.arg("--unguarded");
    }
    if let Some(j) = &a.journal {
        let j = absolute(j)?;
        cmd.arg("--journal").arg(j);
    }
    live.line(&format!(
        "rehearsing {} on this machine: {} experiment(s), each fault {} here{}",
        p.lab.name,
        p.plan.experiments.len(),
        a.fault,
        if a.unguarded {
            ", the app unguarded"
        } else {
            ""
        }
    ));
    // Ctrl-C reaches the harness too (one process group): it stops the experiment, removes
    // the namespace and everything it started, and ends; this process waits for that.
    catch_ctrl_c(false);
    let status = cmd
        .status()
        .map_err(|e| Error::Environment(format!("cannot start the harness: {e}")))?;
    if interrupted() {
        return Ok((String::new(), 130));
    }
    match status.code() {
        Some(0) => {}
        Some(130) => return Ok((String::new(), 130)),
        Some(3) => {
            return Err(Error::Environment(
                "the rehearsal needs root, or a kernel that lets this user create user, network, mount and PID namespaces (it makes them, with iptables rules and overlay mounts inside): the harness said which is missing above"
                    .into(),
            ));
        }
        _ => {
            return Err(Error::Environment(format!(
                "the rehearsal could not run ({status}): the harness's message is above (a lab whose app does not boot ends here too)"
            )));
        }
    }
    let report = std::fs::read_to_string(&report_file).map_err(|e| Error::io(&report_file, e))?;
    let report: serde_json::Value =
        serde_json::from_str(&report).map_err(|e| Error::Bug(format!("harness report: {e}")))?;
    live.line(NOT_MODELLED);
    let code = report
        .pointer("/exec/exit")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(4);
    Ok((String::new(), u8::try_from(code).unwrap_or(4)))
}

/// A rehearsal of a tree that is not what the spec generates would judge another lab.
fn current(p: &Parsed) -> Result<(), Error> {
    let files = crate::generate(&p.lab)?;
    let cmp = crate::output::compare(&p.dir, &files, &p.dir.display().to_string())?;
    if cmp.files.is_empty() {
        return Ok(());
    }
    Err(usage(format!(
        "{} is not what the spec generates ({} file(s) differ): run `chaoslab generate` on the spec first; a rehearsal of another tree would judge another lab",
        p.dir.display(),
        cmp.files.len()
    )))
}

/// A private folder for the plan and the harness's report, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// A new folder only this user can enter (it runs as root: no name another user could
    /// have made first, or read).
    fn new() -> Result<Scratch, Error> {
        use std::os::unix::fs::DirBuilderExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("chaoslab-rehearse-{}-{nanos:09}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| Error::io(&dir, e))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn absolute(path: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(path).map_err(|e| Error::io(path, e))
}

fn prepare(cache: &Path, live: &mut dyn Live) -> Result<setup::Prepared, Error> {
    let missing = setup::missing();
    if !missing.is_empty() {
        return Err(Error::Environment(format!(
            "the rehearsal needs what this machine lacks:\n  - {}",
            missing.join("\n  - ")
        )));
    }
    setup::prepare(cache, &mut |line| live.line(line)).map_err(Error::Environment)
}

/// Inside the namespace: `verify`'s run per experiment, against the stand-in FIS.
fn inside(a: &RehearseArgs, ctx: &mut Ctx, live: &mut dyn Live) -> Result<(String, u8), Error> {
    let p = parse(a, ctx)?;
    let var = |name: &str| {
        std::env::var(name)
            .map_err(|_| usage(format!("--inside runs in the harness, which sets {name}")))
    };
    let app = var("REHEARSE_APP_URL")?;
    let mut fis =
        crate::verify::local::LocalFis::new(&var("AWS_ENDPOINT_URL_FIS")?).map_err(usage)?;
    catch_ctrl_c(false);
    let mut worst = 0u8;
    let mut journals = Vec::new();
    for planned in &p.plan.experiments {
        let Some(experiment) = p.lab.experiments.iter().find(|e| e.name == planned.name) else {
            return Err(Error::Bug(format!(
                "planned {} is not in the lab",
                planned.name
            )));
        };
        let Some(hypothesis) = &experiment.hypothesis else {
            return Err(Error::Bug(format!(
                "planned {} has no hypothesis",
                planned.name
            )));
        };
        live.line(&format!("\n{}: {}", planned.name, experiment.description));
        let run = Run {
            experiment: &planned.name,
            template_id: &planned.template,
            baseline: p.baseline,
            recovery: p.recovery,
            max_duration: p.per_run,
        };
        let mut settings = lab_settings(&p.lab, &app, Duration::from_millis(250))?;
        // The functions behind `/fn/<name>` are not stood in for (NOT_MODELLED).
        settings.endpoints.retain(|e| !e.name.starts_with("fn/"));
        let outcome = judged(
            &p.lab,
            (experiment, hypothesis),
            settings,
            &run,
            &mut fis,
            live,
        );
        worst = worst.max(outcome.verdict.exit_code());
        journals.push(outcome.journal);
        if super::live::interrupted() {
            worst = 130;
            break;
        }
    }
    if let Some(path) = &a.journal {
        let journal = serde_json::json!({
            "rehearsal": {"not_modelled": NOT_MODELLED, "unguarded": a.unguarded},
            "runs": journals,
        });
        let text = serde_json::to_string_pretty(&journal).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))?;
    }
    Ok((String::new(), worst))
}
