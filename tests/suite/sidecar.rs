//! Check 2 of issue 24 for Article 8's SSM agent sidecar (`app/ssm_agent_sidecar.sh`): the
//! shipped script, run as the task definition runs it (`/bin/bash -c <script>`, so its own
//! command line holds the agent's name), in a task of its own: private PID, mount and network
//! namespaces, the task metadata endpoint at ECS's address (169.254.170.2), and stand-ins on
//! PATH for `aws` (records each call, answers CreateActivation), `amazon-ssm-agent`
//! (registers as the real agent's `-register` does: core/agent_parser.go asks before
//! replacing an existing registration and fails without an answer) and `dnf`.
//!
//! What it must do ("Use the AWS FIS aws:ecs:task actions", FIS User Guide, read 2026-12-07):
//! register the task as a managed instance tagged with its task ARN, exactly once; refuse
//! when an SSM agent already runs in the task (ECS Exec); on SIGTERM delete its activation,
//! deregister the instance and stop the agent; and start over cleanly when the container
//! restarts.
//!
//! Needs root and namespaces; where the machine cannot create them the test says so and
//! passes, except under CI (`CI` set), where it fails (as tests/rehearsal/scenarios.rs does).

use std::path::Path;
use std::process::Command;

use crate::common;

const TASK_ARN: &str =
    "arn:aws:ecs:eu-west-1:123456789012:task/chaos-shop-app/0123456789abcdef0123456789abcdef";

const AWS: &str = r#"#!/bin/bash
# Stand-in for the AWS CLI: records the call; CreateActivation answers as SSM does.
echo "aws $*" >> "$CALLS"
if [[ "$1 $2" == "ssm create-activation" ]]; then
  n=$(grep -c '^aws ssm create-activation' "$CALLS")
  printf '{"ActivationId": "0000000%d-1111-2222-3333-444444444444", "ActivationCode": "code-%d"}\n' "$n" "$n"
fi
"#;

const AGENT: &str = r#"#!/bin/bash
# Stand-in for amazon-ssm-agent. `-register` as the real agent's does it: with a saved
# registration and no -y it asks, and fails when nobody answers; -clear removes it.
reg=/var/lib/amazon/ssm/registration
if [[ "${1:-}" == -register ]]; then
  shift
  code='' id='' region='' force='' clear=''
  while [[ $# -gt 0 ]]; do
    case $1 in
      -code) code=$2; shift 2 ;;
      -id) id=$2; shift 2 ;;
      -region) region=$2; shift 2 ;;
      -y) force=1; shift ;;
      -clear) clear=1; shift ;;
      *) echo "flag provided but not defined: $1" >&2; exit 2 ;;
    esac
  done
  if [[ -z $code || -z $id || -z $region ]]; then
    if [[ -n $clear ]]; then rm -f "$reg"; echo "agent clear" >> "$CALLS"; exit 0; fi
    exit 1
  fi
  if [[ -s $reg && -z $force ]]; then
    printf 'Instance already registered. Would you like to override existing with new registration information? [Yes/No]: '
    if ! read -r answer || [[ $answer != [yY]* ]]; then
      echo "agent register refused (already registered)" >> "$CALLS"
      exit 1
    fi
  fi
  n=$(( $(grep -c '^agent register ' "$CALLS") + 1 ))
  mkdir -p "${reg%/*}"
  printf '{"ManagedInstanceID":"mi-%017d","Region":"%s"}' "$n" "$region" > "$reg"
  echo "agent register $id $code $region mi-$(printf %017d "$n")" >> "$CALLS"
  exit 0
fi
[[ $# -eq 0 ]] || exit 2
echo "agent run $$" >> "$CALLS"
trap 'echo "agent stop $$" >> "$CALLS"; kill $! 2>/dev/null; exit 0' TERM
sleep 300 &
wait
"#;

/// Runs inside the task's namespaces: loopback up with ECS's metadata address, the
/// metadata endpoint serving the task, /var/lib private, then the scenario.
const TASK: &str = r#"#!/bin/bash
set -euo pipefail
ip link set lo up
ip addr add 169.254.170.2/32 dev lo
mount -t tmpfs tmpfs /var/lib
mkdir -p "$WORK/www/v4/meta"
printf '{"TaskARN": "%s", "AvailabilityZone": "eu-west-1b"}' "$TASK_ARN" > "$WORK/www/v4/meta/task"
python3 -m http.server --bind 169.254.170.2 --directory "$WORK/www" 80 >/dev/null 2>&1 &
for _ in $(seq 50); do curl -sf -o /dev/null http://169.254.170.2/v4/meta/task && break; sleep 0.1; done
export ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/meta
export MANAGED_INSTANCE_ROLE_NAME=chaos-shop-fis-agent

# The sidecar as ECS starts it: bash -c with the script as its command line.
start() { /bin/bash -c "$(cat "$SIDECAR")" </dev/null >>"$WORK/sidecar.log" 2>&1 & sidecar=$!; }
# Waits until the log has $2 lines matching $1 (10 s at most).
logged() { for _ in $(seq 100); do [ "$(grep -c "$1" "$CALLS")" -ge "$2" ] && return 0; sleep 0.1; done; echo "never: $1 x$2" >> "$CALLS"; }
finish() { local rc=0; wait "$sidecar" || rc=$?; echo "sidecar exit $rc" >> "$CALLS"; }

case $SCENARIO in
  stop)
    start; logged '^agent run' 1
    { kill -TERM "$sidecar" 2>/dev/null || true; }; finish ;;
  exec-agent)
    # ECS Exec's agent already runs in the task.
    amazon-ssm-agent & logged '^agent run' 1
    start; finish ;;
  crash-restart)
    # The container dies without its TERM handler, then starts again: its registration
    # is still on disk.
    start; logged '^agent run' 1
    { kill -KILL "$sidecar" 2>/dev/null || true; }; pkill -KILL -x amazon-ssm-agen || true; pkill -KILL -x sleep || true
    finish
    start; logged '^agent run' 2
    { kill -TERM "$sidecar" 2>/dev/null || true; }; finish ;;
  stop-restart)
    start; logged '^agent run' 1
    { kill -TERM "$sidecar" 2>/dev/null || true; }; finish
    start; logged '^agent run' 2
    { kill -TERM "$sidecar" 2>/dev/null || true; }; finish ;;
esac
"#;

fn can_make_namespaces() -> Result<(), String> {
    let out = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--net", "true"])
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The calls the stand-ins recorded, in order, when `scenario` ran in a task of its own.
fn run(scenario: &str) -> Option<Vec<String>> {
    if let Err(why) = can_make_namespaces() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the sidecar in namespaces (run as root): {why}"
        );
        eprintln!("skipped: cannot create namespaces here ({why})");
        return None;
    }
    for tool in ["ip", "curl", "jq", "python3", "pkill"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is missing: scripts/install-rehearsal installs it"
        );
    }
    let (_, files) = common::generate_file(
        &common::root().join("blueprints/chaos-shop-containers-serverless.yaml"),
    );
    let script = &files
        .iter()
        .find(|f| f.name == "app/ssm_agent_sidecar.sh")
        .expect("the lab ships the sidecar")
        .content;
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path();
    let bin = work.join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let exe = |path: &Path, text: &str| {
        std::fs::write(path, text).expect("write");
        Command::new("chmod")
            .arg("755")
            .arg(path)
            .status()
            .expect("chmod");
    };
    exe(&bin.join("aws"), AWS);
    exe(&bin.join("amazon-ssm-agent"), AGENT);
    exe(
        &bin.join("dnf"),
        "#!/bin/sh\necho \"dnf $*\" >> \"$CALLS\"\n",
    );
    exe(&work.join("task.sh"), TASK);
    std::fs::write(work.join("sidecar.sh"), script).expect("write");
    let calls = work.join("calls.log");
    std::fs::write(&calls, "").expect("write");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("timeout")
        .args([
            "60",
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--net",
            "--mount-proc",
        ])
        .arg(work.join("task.sh"))
        .env("PATH", path)
        .env("WORK", work)
        .env("CALLS", &calls)
        .env("SIDECAR", work.join("sidecar.sh"))
        .env("TASK_ARN", TASK_ARN)
        .env("SCENARIO", scenario)
        .output()
        .expect("unshare runs");
    let log = std::fs::read_to_string(&calls).expect("calls");
    let sidecar = std::fs::read_to_string(work.join("sidecar.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "the task did not run: {}\ncalls:\n{log}\nsidecar:\n{sidecar}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = log
        .lines()
        .filter(|l| !l.starts_with("dnf "))
        .map(str::to_owned)
        .collect();
    eprintln!("{scenario}:\n{}\nsidecar:\n{sidecar}", lines.join("\n"));
    Some(lines)
}

fn count(lines: &[String], prefix: &str) -> usize {
    lines.iter().filter(|l| l.starts_with(prefix)).count()
}

/// One registration: a one-use activation for the managed-instance role, tagged as FIS
/// resolves tasks (ECS_TASK_ARN, in the task's Region), then the agent.
fn assert_registered_once(lines: &[String]) {
    assert_eq!(count(lines, "aws ssm create-activation"), 1, "{lines:#?}");
    let create = lines
        .iter()
        .find(|l| l.starts_with("aws ssm create-activation"))
        .expect("create-activation");
    for part in [
        "--region eu-west-1 ",
        "--iam-role chaos-shop-fis-agent ",
        "--registration-limit 1 ",
        &format!("Key=ECS_TASK_ARN,Value={TASK_ARN}"),
        "Key=ECS_TASK_AVAILABILITY_ZONE,Value=eu-west-1b",
        "Key=FAULT_INJECTION_SIDECAR,Value=true",
    ] {
        assert!(create.contains(part), "{part} not in: {create}");
    }
    assert_eq!(count(lines, "agent register "), 1, "{lines:#?}");
    assert_eq!(count(lines, "agent run"), 1, "{lines:#?}");
}

#[test]
fn the_sidecar_registers_once_and_deregisters_on_sigterm() {
    let Some(lines) = run("stop") else { return };
    assert_registered_once(&lines);
    assert!(
        lines.iter().any(|l| l
            == "agent register 00000001-1111-2222-3333-444444444444 code-1 eu-west-1 mi-00000000000000001"),
        "{lines:#?}"
    );
    for step in [
        "aws ssm delete-activation --region eu-west-1 --activation-id 00000001-1111-2222-3333-444444444444",
        "aws ssm deregister-managed-instance --region eu-west-1 --instance-id mi-00000000000000001",
    ] {
        assert!(lines.iter().any(|l| l == step), "no `{step}`: {lines:#?}");
    }
    assert_eq!(count(&lines, "agent stop"), 1, "{lines:#?}");
}

#[test]
fn the_sidecar_refuses_when_ecs_exec_already_runs_an_agent() {
    let Some(lines) = run("exec-agent") else {
        return;
    };
    assert_eq!(count(&lines, "aws ssm create-activation"), 0, "{lines:#?}");
    assert_eq!(count(&lines, "agent register"), 0, "{lines:#?}");
    assert!(lines.iter().any(|l| l == "sidecar exit 1"), "{lines:#?}");
}

/// Two runs of the sidecar in one container: each registered once, none refused by the
/// agent, both agents up.
fn assert_two_registrations(lines: &[String]) {
    assert_eq!(count(lines, "aws ssm create-activation"), 2, "{lines:#?}");
    assert_eq!(count(lines, "agent register "), 2, "{lines:#?}");
    assert_eq!(count(lines, "agent register refused"), 0, "{lines:#?}");
    assert_eq!(count(lines, "agent run"), 2, "{lines:#?}");
    assert!(!lines.iter().any(|l| l.starts_with("never:")), "{lines:#?}");
}

/// A container that died without its TERM handler comes back with its old registration on
/// disk: the stale instance is deregistered and the task registered anew, once.
#[test]
fn the_sidecar_starts_over_after_a_crash() {
    let Some(lines) = run("crash-restart") else {
        return;
    };
    assert_two_registrations(&lines);
    assert!(
        lines.iter().any(|l| l
            == "aws ssm deregister-managed-instance --region eu-west-1 --instance-id mi-00000000000000001"),
        "the stale instance stays registered: {lines:#?}"
    );
}

/// A clean stop, then a start in the same container: a new registration, once.
#[test]
fn the_sidecar_registers_again_after_a_clean_restart() {
    let Some(lines) = run("stop-restart") else {
        return;
    };
    assert_two_registrations(&lines);
    assert_eq!(
        count(&lines, "aws ssm deregister-managed-instance"),
        2,
        "{lines:#?}"
    );
    assert_eq!(count(&lines, "agent stop"), 2, "{lines:#?}");
}
