//! Loopback stand-ins for `verify`'s AWS calls. [`FisStub`] records every request:
//! StartExperiment answers an experiment that GetExperiment says completed; GetSafetyLever and
//! ListActions answer what the test set; any other route answers what the test gave for it,
//! else 404. `verify` reaches it through the `chaoslab-fis` helper (the AWS SDK for Rust), as
//! it does in use. [`loopback`] serves any other stand-in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request a loopback stub received: method, path, headers (names in lower case), body.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    /// A header's value, empty when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// An answer: status line (`200 OK`), extra headers, JSON or text body.
pub type Answer = (&'static str, Vec<(&'static str, String)>, String);

/// Serves HTTP/1.1 on a fresh loopback port, each request (connections kept alive) answered by
/// `answer`; returns the URL. The threads end with the test binary.
pub fn loopback(answer: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || serve(conn, &*answer));
        }
    });
    url
}

fn serve(conn: TcpStream, answer: &dyn Fn(&Request) -> Answer) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut writer = conn;
    while let Some(request) = read_request(&mut reader) {
        let (status, headers, body) = answer(&request);
        let mut reply = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
        for (name, value) in headers {
            reply.push_str(&format!("{name}: {value}\r\n"));
        }
        reply.push_str("\r\n");
        reply.push_str(&body);
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// The next request on a connection; `None` at its end.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

pub struct FisStub {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FisStub {
    pub fn start() -> FisStub {
        FisStub::with("disengaged", &[])
    }

    /// The stub with its safety lever (GetSafetyLever) in `lever` and the Region's actions
    /// (ListActions) `offered`.
    pub fn with(lever: &'static str, offered: &'static [&'static str]) -> FisStub {
        FisStub::serving(lever, offered, Vec::new())
    }

    /// As [`FisStub::with`], and each (method, path) of `routes` answered with its JSON.
    pub fn serving(
        lever: &'static str,
        offered: &'static [&'static str],
        routes: Vec<(&'static str, String, String)>,
    ) -> FisStub {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let url = loopback(move |r| {
            seen.lock().expect("lock").push(r.clone());
            let (status, body) = fis_answer(r, lever, offered, &routes);
            (
                status,
                vec![("content-type", "application/json".into())],
                body,
            )
        });
        FisStub { url, requests }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }

    /// `METHOD /path` of every request, in order.
    pub fn calls(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

fn fis_answer(
    r: &Request,
    lever: &str,
    offered: &[&str],
    routes: &[(&'static str, String, String)],
) -> (&'static str, String) {
    // The path without its query (the SDK adds none to these calls, but pages could).
    let route = r.path.split('?').next().unwrap_or_default();
    if let Some((_, _, body)) = routes.iter().find(|(m, p, _)| *m == r.method && p == route) {
        return ("200 OK", body.clone());
    }
    match (r.method.as_str(), route) {
        ("GET", "/safetyLevers/default") => (
            "200 OK",
            format!(
                r#"{{"safetyLever":{{"id":"default","arn":"arn:aws:fis:eu-west-3:123456789012:safety-lever/default","state":{{"status":"{lever}","reason":"game day paused"}}}}}}"#
            ),
        ),
        ("GET", "/actions") => (
            "200 OK",
            serde_json::json!({
                "actions": offered.iter().map(|id| serde_json::json!({"id": id})).collect::<Vec<_>>()
            })
            .to_string(),
        ),
        ("POST", "/experiments") => (
            "200 OK",
            r#"{"experiment":{"id":"EXPstub","state":{"status":"initiating"}}}"#.into(),
        ),
        ("GET", "/experiments/EXPstub") => (
            "200 OK",
            r#"{"experiment":{"id":"EXPstub","state":{"status":"completed"}}}"#.into(),
        ),
        _ => ("404 Not Found", r#"{"message":"not in the stub"}"#.into()),
    }
}

/// A lab directory holding a copy of the spec `spec` (under the repository root) as
/// `lab.yaml`, an empty `lab/` for its tree, and a `bin/` for stand-ins.
pub fn workspace(spec: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(super::root().join(spec), tmp.path().join("lab.yaml")).expect("copy spec");
    std::fs::create_dir(tmp.path().join("bin")).expect("bin");
    std::fs::create_dir(tmp.path().join("lab")).expect("lab dir");
    tmp
}

/// chaoslab in `ws`, with `ws/bin` first on PATH, FIS at `fis`, the shell's Region `eu-west-3`,
/// no AWS configuration but dummy keys, instance metadata off, then `env` (which may turn it
/// on at a stand-in, or name a CloudWatch endpoint).
pub fn chaoslab(
    ws: &std::path::Path,
    fis: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    let path = format!(
        "{}:{}",
        ws.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_chaoslab"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .current_dir(ws)
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL_FIS", fis)
        .env("AWS_REGION", "eu-west-3")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", ws.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", ws.join("no-aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    super::run_bounded(cmd, Duration::from_secs(60))
}
