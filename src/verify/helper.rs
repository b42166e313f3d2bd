//! [`Fis`] through the `chaoslab-fis` helper: a process that alone links the AWS SDK, so the
//! generator stays a small program (crates/chaoslab-fis; its main.rs documents the protocol,
//! one JSON request per line on its stdin, one JSON answer per line on its stdout).
//!
//! The helper is looked for next to the running `chaoslab`, then on PATH. Every answer is
//! awaited for a bounded time; a helper that gives none, or dies, is killed and reaped by its
//! PID, and the next call starts a fresh one (so a failed status read can still be followed by
//! a StopExperiment). It runs in its own process group: Ctrl-C in the terminal reaches
//! `chaoslab`, which then stops the experiment through the helper, instead of killing both.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::fis::{Fis, Resolved, Runner, Status, Target, Template};

/// The helper's file name.
pub fn file_name() -> String {
    format!("chaoslab-fis{}", std::env::consts::EXE_SUFFIX)
}

/// How to get the helper when it is missing.
pub const INSTALL: &str = "cargo install --locked --path crates/chaoslab-fis";

/// Longest wait for one answer: the helper bounds each call at 30 s (retries included), plus
/// its start and the credential chain's look-ups.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// The helper next to `chaoslab` (`beside`, the running executable's folder), else the first on
/// `path` (the `PATH` variable).
pub fn locate(beside: Option<&Path>, path: Option<&OsStr>) -> Result<PathBuf, String> {
    let name = file_name();
    let dirs = beside
        .map(Path::to_path_buf)
        .into_iter()
        .chain(path.map(std::env::split_paths).into_iter().flatten());
    for dir in dirs {
        let candidate = dir.join(&name);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(format!(
        "verify calls FIS through its helper `{name}`, which is neither next to chaoslab{} nor on \
         PATH\n  = help: install it (it holds the AWS SDK): {INSTALL} (in a checkout of chaoslab)",
        beside
            .map(|d| format!(" (in {})", d.display()))
            .unwrap_or_default()
    ))
}

/// FIS through the helper, for one Region.
pub struct Helper {
    program: PathBuf,
    region: String,
    answer_timeout: Duration,
    running: Option<Running>,
}

/// A started helper: its stdin, its answers as they arrive, and what it said on stderr.
struct Running {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<String>,
    /// Its stderr (the first 4 KiB), sent once the pipe closes.
    stderr: Receiver<String>,
}

impl Helper {
    /// The helper for FIS in `region`, located as [`locate`] does for this process.
    pub fn find(region: &str) -> Result<Helper, String> {
        let exe = std::env::current_exe().ok();
        let beside = exe.as_deref().and_then(Path::parent);
        let program = locate(beside, std::env::var_os("PATH").as_deref())?;
        Ok(Helper::new(program, region, ANSWER_TIMEOUT))
    }

    /// `program` for FIS in `region`, each answer awaited at most `answer_timeout`. Nothing is
    /// started before the first call.
    pub fn new(program: PathBuf, region: &str, answer_timeout: Duration) -> Helper {
        Helper {
            program,
            region: region.to_owned(),
            answer_timeout,
            running: None,
        }
    }

    /// The running helper's process id, if one runs.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.child.id())
    }

    fn spawn(&self) -> Result<Running, String> {
        let mut cmd = Command::new(&self.program);
        cmd.arg("--region")
            .arg(&self.region)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let (Some(stdin), Some(stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            reap(&mut child);
            return Err(format!(
                "{} started without its pipes",
                self.program.display()
            ));
        };
        let (send, answers) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let (said, stderr) = mpsc::channel();
        std::thread::spawn(move || {
            // The first 4 KiB are kept for the error message; the rest is drained.
            let (mut text, mut buf) = (String::new(), [0u8; 4096]);
            while let Ok(n) = err.read(&mut buf) {
                let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                    break;
                };
                if text.len() < 4096 {
                    text.push_str(&String::from_utf8_lossy(chunk));
                }
            }
            let _ = said.send(text);
        });
        Ok(Running {
            child,
            stdin,
            answers,
            stderr,
        })
    }

    /// Sends one request and waits for its answer; `Err` is the reason, the helper's own
    /// error included.
    fn call(&mut self, request: Value) -> Result<Value, String> {
        let mut running = match self.running.take() {
            Some(r) => r,
            None => self.spawn()?,
        };
        let name = self.program.display().to_string();
        let sent = writeln!(running.stdin, "{request}").and_then(|()| running.stdin.flush());
        let answer = match sent {
            Ok(()) => running.answers.recv_timeout(self.answer_timeout),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        let line = match answer {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                shut_down(running);
                return Err(format!(
                    "{name} gave no answer in {}s: stopped it",
                    self.answer_timeout.as_secs_f64()
                ));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let (status, said) = shut_down(running);
                return Err(format!("{name} ended ({status}) without an answer: {said}"));
            }
        };
        self.running = Some(running);
        let answer: Value = serde_json::from_str(&line)
            .map_err(|e| format!("{name} answered something that is not JSON ({e}): {line}"))?;
        if answer.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(answer);
        }
        Err(answer
            .get("error")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{name} answered: {line}"), str::to_owned))
    }
}

/// Closes the helper's stdin (its cue to exit), gives it a moment, then kills it; reaps it
/// either way. Returns how it ended and what it said on stderr.
fn shut_down(running: Running) -> (String, String) {
    let Running {
        mut child,
        stdin,
        stderr,
        ..
    } = running;
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut status = None;
    while status.is_none() && Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(s)) => status = Some(s.to_string()),
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break,
        }
    }
    let status = status.unwrap_or_else(|| reap(&mut child));
    // A process the helper started may still hold the pipe: its words are not worth a hang.
    let said = stderr.recv_timeout(Duration::from_millis(500));
    (status, said.unwrap_or_default().trim().to_owned())
}

/// Kills the child by its PID and waits for it.
fn reap(child: &mut Child) -> String {
    let _ = child.kill();
    child
        .wait()
        .map_or_else(|e| format!("not reaped: {e}"), |s| s.to_string())
}

impl Drop for Helper {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            shut_down(running);
        }
    }
}

impl Fis for Helper {
    fn start(&mut self, template_id: &str, preview: bool) -> Result<String, String> {
        let answer =
            self.call(json!({"op": "start", "template_id": template_id, "preview": preview}))?;
        answer
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "FIS answered without an experiment id".to_owned())
    }

    fn status(&mut self, id: &str) -> Result<(Status, Option<String>), String> {
        let answer = self.call(json!({"op": "status", "id": id}))?;
        let status = answer
            .get("status")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("FIS answered without a state for {id}"))?
            .parse()?;
        let reason = answer.get("reason").and_then(Value::as_str);
        Ok((status, reason.map(str::to_owned)))
    }

    fn stop(&mut self, id: &str) -> Result<(), String> {
        self.call(json!({"op": "stop", "id": id})).map(|_| ())
    }

    fn actions(&mut self) -> Result<Vec<String>, String> {
        let answer = self.call(json!({"op": "actions"}))?;
        let ids = answer
            .get("actions")
            .and_then(Value::as_array)
            .ok_or("FIS answered without a list of actions")?;
        Ok(ids
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect())
    }

    fn safety_lever(&mut self) -> Result<(String, Option<String>), String> {
        let answer = self.call(json!({"op": "safety_lever"}))?;
        let status = answer
            .get("status")
            .and_then(Value::as_str)
            .ok_or("FIS answered without the safety lever's status")?;
        let reason = answer.get("reason").and_then(Value::as_str);
        Ok((status.to_owned(), reason.map(str::to_owned)))
    }

    fn template(&mut self, template_id: &str) -> Result<Template, String> {
        let answer = self.call(json!({"op": "template", "id": template_id}))?;
        let targets = list(&answer, "targets")?
            .iter()
            .map(|t| Target {
                name: text(t, "name"),
                resource_type: text(t, "resource_type"),
                arns: strings(t.get("arns")),
                by_tags: t.get("by_tags").and_then(Value::as_bool) == Some(true),
            })
            .collect();
        Ok(Template {
            actions: strings(answer.get("actions")),
            alarms: strings(answer.get("alarms")),
            targets,
        })
    }

    fn alarm_states(&mut self, names: &[String]) -> Result<Vec<(String, String)>, String> {
        let answer = self.call(json!({"op": "alarms", "names": names}))?;
        Ok(list(&answer, "alarms")?
            .iter()
            .map(|a| (text(a, "name"), text(a, "state")))
            .collect())
    }

    fn resolved_targets(&mut self, experiment_id: &str) -> Result<Vec<Resolved>, String> {
        let answer = self.call(json!({"op": "targets", "id": experiment_id}))?;
        Ok(list(&answer, "targets")?
            .iter()
            .map(|t| {
                let mut information: Vec<(String, String)> = t
                    .get("information")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                information.sort();
                Resolved {
                    target: text(t, "name"),
                    resource_type: text(t, "resource_type"),
                    information,
                }
            })
            .collect())
    }

    fn runner(&mut self) -> Result<Runner, String> {
        let answer = self.call(json!({"op": "runner"}))?;
        match answer.get("runner") {
            Some(r) if r.is_object() => Ok(Runner {
                instance_id: text(r, "instance_id"),
                subnet_id: text(r, "subnet_id"),
                availability_zone: text(r, "availability_zone"),
            }),
            _ => Err(text(&answer, "why")),
        }
    }
}

/// An answer's array field.
fn list<'a>(answer: &'a Value, field: &str) -> Result<&'a Vec<Value>, String> {
    answer
        .get(field)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("the helper answered without `{field}`"))
}

/// A string field, empty when absent.
fn text(v: &Value, field: &str) -> String {
    v.get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The strings of an array field.
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in helper: a shell script in a fresh folder.
    fn stand_in(script: &str) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name());
        std::fs::write(&path, format!("#!/bin/sh\n{script}")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    fn alive(pid: u32) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
    }

    #[test]
    fn speaks_the_protocol() {
        let (_dir, path) = stand_in(
            r#"[ "$1 $2" = "--region eu-west-3" ] || exit 9
while IFS= read -r line; do
  case "$line" in
    *'"op":"start"'*'"preview":true'*) echo '{"ok":true,"id":"EXPpreview"}' ;;
    *'"op":"start"'*) echo '{"ok":true,"id":"EXP1"}' ;;
    *'"op":"status"'*) echo '{"ok":true,"status":"failed","reason":"role denied"}' ;;
    *'"op":"stop"'*) echo '{"ok":false,"error":"AccessDenied: no"}' ;;
  esac
done
"#,
        );
        let mut fis = Helper::new(path, "eu-west-3", Duration::from_secs(10));
        assert_eq!(fis.start("EXT1", false).unwrap(), "EXP1");
        assert_eq!(fis.start("EXT1", true).unwrap(), "EXPpreview");
        assert_eq!(
            fis.status("EXP1").unwrap(),
            (Status::Failed, Some("role denied".into()))
        );
        assert_eq!(fis.stop("EXP1").unwrap_err(), "AccessDenied: no");
        // One helper served every call, and dropping ours ends and reaps it.
        let pid = fis.pid().unwrap();
        drop(fis);
        assert!(!alive(pid), "helper {pid} outlived its Helper");
    }

    #[test]
    fn a_silent_helper_is_killed_and_the_next_call_starts_another() {
        let (_dir, path) = stand_in("trap '' TERM\nexec sleep 30\n");
        let mut fis = Helper::new(path, "us-east-1", Duration::from_millis(300));
        let started = Instant::now();
        let e = fis.status("EXP1").unwrap_err();
        assert!(e.contains("gave no answer"), "{e}");
        assert!(fis.pid().is_none());
        // Killed within the answer timeout plus the 2 s grace, not after the helper's 30 s.
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(fis.stop("EXP1").unwrap_err().contains("gave no answer"));
    }

    #[test]
    fn a_helper_that_dies_says_why() {
        let (_dir, path) = stand_in("echo 'credentials: none found' >&2\nexit 3\n");
        let mut fis = Helper::new(path, "us-east-1", Duration::from_secs(10));
        let e = fis.start("EXT1", false).unwrap_err();
        assert!(e.contains("without an answer"), "{e}");
        assert!(e.contains("credentials: none found"), "{e}");
    }

    #[test]
    fn located_beside_chaoslab_then_on_path_else_the_install_line() {
        let (beside, _) = stand_in("");
        let (on_path, _) = stand_in("");
        let empty = tempfile::tempdir().unwrap();
        let path = std::env::join_paths([empty.path(), on_path.path()]).unwrap();
        assert_eq!(
            locate(Some(beside.path()), Some(&path)).unwrap(),
            beside.path().join(file_name())
        );
        assert_eq!(
            locate(Some(empty.path()), Some(&path)).unwrap(),
            on_path.path().join(file_name())
        );
        let e = locate(Some(empty.path()), Some(empty.path().as_os_str())).unwrap_err();
        assert!(e.contains(INSTALL), "{e}");
    }
}
