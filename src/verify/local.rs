//! [`Fis`] on this machine: the rehearsal's stand-in FIS, reached over plain HTTP on the
//! namespace's loopback with the three calls of the FIS REST API that `verify` makes
//! (`POST /experiments`, `GET` and `DELETE /experiments/{id}`). It injects each template's
//! fault locally (`chaoslab rehearse`); the run around it is `verify`'s, unchanged, so a
//! rehearsal is judged by the same code as a run on AWS.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde_json::{Value, json};

use super::fis::{Fis, Resolved, Runner, Status, Target, Template};
use crate::probe::Url;

/// Longest wait for one answer of the stand-in.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The stand-in FIS at a loopback URL.
pub struct LocalFis {
    url: Url,
    tokens: u32,
}

impl LocalFis {
    pub fn new(url: &str) -> Result<LocalFis, String> {
        Ok(LocalFis {
            url: Url::parse(url)?,
            tokens: 0,
        })
    }

    /// One request, its JSON answer; an error status is an error naming FIS's error type.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let addr = format!("{}:{}", self.url.host, self.url.port);
        let resolved = addr
            .to_socket_addrs()
            .map_err(|e| format!("FIS at {addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("FIS at {addr}: no address"))?;
        let mut stream = TcpStream::connect_timeout(&resolved, TIMEOUT)
            .map_err(|e| format!("FIS at {addr}: {e}"))?;
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.url.base,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("FIS at {addr}: {e}"))?;
        let mut answer = Vec::new();
        // At most 1 MiB: the stand-in's answers are a few hundred bytes.
        stream
            .take(1 << 20)
            .read_to_end(&mut answer)
            .map_err(|e| format!("FIS at {addr}: {e}"))?;
        let answer = String::from_utf8_lossy(&answer);
        let (head, json) = answer
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("FIS at {addr}: no HTTP answer"))?;
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("FIS at {addr}: no HTTP status"))?;
        let value: Value = serde_json::from_str(json).map_err(|e| format!("FIS at {addr}: {e}"))?;
        match status {
            200..=299 => Ok(value),
            _ => Err(format!(
                "FIS answered {status}: {}",
                value
                    .pointer("/message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )),
        }
    }
}

/// The experiment's id and state from an answer.
fn experiment(answer: &Value) -> Result<(String, Status, Option<String>), String> {
    let text = |at: &str| answer.pointer(at).and_then(Value::as_str);
    // The id goes into the next request's path: only what an experiment id is made of.
    let id = text("/experiment/id")
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .ok_or("FIS's answer has no experiment id (or one that is not an id)")?;
    let status = text("/experiment/state/status")
        .ok_or("FIS's answer has no experiment state")?
        .parse()?;
    let reason = text("/experiment/state/reason").map(str::to_owned);
    Ok((id.to_owned(), status, reason))
}

impl Fis for LocalFis {
    fn start(&mut self, template_id: &str, preview: bool) -> Result<String, String> {
        self.tokens += 1;
        let token = format!("chaoslab-rehearse-{}-{}", std::process::id(), self.tokens);
        let body = match preview {
            true => json!({"clientToken": token, "experimentTemplateId": template_id,
                           "experimentOptions": {"actionsMode": "skip-all"}}),
            false => json!({"clientToken": token, "experimentTemplateId": template_id}),
        };
        let answer = self.call("POST", "/experiments", Some(&body))?;
        experiment(&answer).map(|(id, _, _)| id)
    }

    fn status(&mut self, id: &str) -> Result<(Status, Option<String>), String> {
        let answer = self.call("GET", &format!("/experiments/{id}"), None)?;
        experiment(&answer).map(|(_, s, r)| (s, r))
    }

    fn stop(&mut self, id: &str) -> Result<(), String> {
        self.call("DELETE", &format!("/experiments/{id}"), None)
            .map(|_| ())
    }

    fn actions(&mut self) -> Result<Vec<String>, String> {
        let answer = self.call("GET", "/actions", None)?;
        let list = answer
            .get("actions")
            .and_then(Value::as_array)
            .ok_or("FIS's answer has no actions")?;
        Ok(list
            .iter()
            .filter_map(|a| a.get("id").and_then(Value::as_str))
            .map(str::to_owned)
            .collect())
    }

    fn safety_lever(&mut self) -> Result<(String, Option<String>), String> {
        let answer = self.call("GET", "/safetyLevers/default", None)?;
        let status = answer
            .pointer("/safetyLever/state/status")
            .and_then(Value::as_str)
            .ok_or("FIS's answer has no safety lever state")?;
        let reason = answer
            .pointer("/safetyLever/state/reason")
            .and_then(Value::as_str);
        Ok((status.to_owned(), reason.map(str::to_owned)))
    }

    fn template(&mut self, template_id: &str) -> Result<Template, String> {
        let answer = self.call("GET", &format!("/experimentTemplates/{template_id}"), None)?;
        let t = answer
            .get("experimentTemplate")
            .ok_or("FIS's answer has no template")?;
        let mut actions: Vec<String> = t
            .get("actions")
            .and_then(Value::as_object)
            .map(|m| {
                m.values()
                    .filter_map(|a| a.get("actionId").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        actions.sort();
        let alarms = t
            .get("stopConditions")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter(|c| {
                        c.get("source").and_then(Value::as_str) == Some("aws:cloudwatch:alarm")
                    })
                    .filter_map(|c| c.get("value").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let targets = t
            .get("targets")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, t)| Target {
                        name: name.clone(),
                        resource_type: t
                            .get("resourceType")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        arns: t
                            .get("resourceArns")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default(),
                        by_tags: t
                            .get("resourceTags")
                            .is_some_and(|v| v.as_object().is_some_and(|o| !o.is_empty())),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Template {
            actions,
            alarms,
            targets,
        })
    }

    fn alarm_states(&mut self, _names: &[String]) -> Result<Vec<(String, String)>, String> {
        Err("a rehearsal has no CloudWatch alarms (not modelled)".into())
    }

    fn resolved_targets(&mut self, _experiment_id: &str) -> Result<Vec<Resolved>, String> {
        Err("a rehearsal resolves no AWS targets (not modelled)".into())
    }

    fn runner(&mut self) -> Result<Runner, String> {
        Err("a rehearsal probes from this machine, outside the lab's namespaces".into())
    }
}
