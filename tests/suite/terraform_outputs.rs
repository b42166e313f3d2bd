//! `probe` and `verify` read the app URL and the template id from `terraform output`. Before
//! `terraform apply` there are no outputs, and Terraform says so on stdout with exit 0 (a
//! coloured "No outputs found" warning): that text must never be taken for a URL or sent to
//! FIS as a template id. And `verify` talks to FIS in the lab's Region, not the shell's.
//!
//! The stand-in `terraform` replays what Terraform 1.11.4 prints in a directory without state
//! (`tests/fixtures/terraform-output-before-apply.txt`, captured from the real binary; the
//! test `real_terraform_before_apply` runs the real one). FIS is a loopback stub that records
//! every request; `verify` reaches it through the `chaoslab-fis` helper (the AWS SDK for Rust),
//! as it does in use.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SPEC: &str = "blueprints/chaos-shop-dependencies.yaml";

/// One request the stub received: method, path, the `Authorization` header, the body.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    path: String,
    authorization: String,
    body: String,
}

/// A loopback FIS: StartExperiment answers an experiment, GetExperiment says it completed.
struct FisStub {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FisStub {
    fn start() -> FisStub {
        FisStub::with("disengaged", &[])
    }

    /// The stub with its safety lever (GetSafetyLever) in `lever` and the Region's actions
    /// (ListActions) `offered`.
    fn with(lever: &'static str, offered: &'static [&'static str]) -> FisStub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || serve(conn, &seen, lever, offered));
            }
        });
        FisStub { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }
}

fn serve(conn: TcpStream, seen: &Mutex<Vec<Request>>, lever: &str, offered: &[&str]) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut writer = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
        );
        let (mut length, mut authorization) = (0usize, String::new());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "authorization" => authorization = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        seen.lock().expect("lock").push(Request {
            method: method.clone(),
            path: path.clone(),
            authorization,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let lever_answer = format!(
            r#"{{"safetyLever":{{"id":"default","arn":"arn:aws:fis:eu-west-3:123456789012:safety-lever/default","state":{{"status":"{lever}","reason":"game day paused"}}}}}}"#
        );
        let actions_answer = serde_json::json!({
            "actions": offered.iter().map(|id| serde_json::json!({"id": id})).collect::<Vec<_>>()
        })
        .to_string();
        let (status, answer) = match (method.as_str(), path.as_str()) {
            ("GET", "/safetyLevers/default") => ("200 OK", lever_answer.as_str()),
            ("GET", "/actions") => ("200 OK", actions_answer.as_str()),
            ("POST", "/experiments") => (
                "200 OK",
                r#"{"experiment":{"id":"EXPstub","state":{"status":"initiating"}}}"#,
            ),
            ("GET", "/experiments/EXPstub") => (
                "200 OK",
                r#"{"experiment":{"id":"EXPstub","state":{"status":"completed"}}}"#,
            ),
            _ => ("404 Not Found", r#"{"message":"not in the stub"}"#),
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A lab directory holding a copy of the reference spec, and a `bin/` for stand-ins.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(common::root().join(SPEC), tmp.path().join("lab.yaml")).expect("copy spec");
    std::fs::create_dir(tmp.path().join("bin")).expect("bin");
    std::fs::create_dir(tmp.path().join("lab")).expect("lab dir");
    tmp
}

/// A `terraform` on PATH that prints `raw` for `output` and `output -raw NAME`, `json` for
/// `output -json`, and exits 0, as Terraform does before apply.
fn stand_in(ws: &Path, raw: &Path, json: &str) {
    let json_file = ws.join("output.json");
    std::fs::write(&json_file, json).expect("json");
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in\n  *\" -json \"*) cat '{}' ;;\n  *) cat '{}' ;;\nesac\nexit 0\n",
        json_file.display(),
        raw.display()
    );
    let path = ws.join("bin/terraform");
    std::fs::write(&path, script).expect("stand-in");
    make_executable(&path);
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn before_apply() -> PathBuf {
    common::root().join("tests/fixtures/terraform-output-before-apply.txt")
}

/// chaoslab in `ws`, with `ws/bin` first on PATH, FIS at `fis`, the shell's Region `eu-west-3`
/// and no AWS configuration but dummy keys.
fn chaoslab(ws: &Path, fis: &str, args: &[&str]) -> Output {
    let path = format!(
        "{}:{}",
        ws.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaoslab"));
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
    common::run_bounded(cmd, Duration::from_secs(60))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The error names the missing output and the fix, prints no terminal escape, and FIS never
/// hears of it.
fn assert_not_applied(out: &Output, output: &str, flag: &str, fis: &FisStub) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("`{output}`")) && err.contains("terraform apply"),
        "the error must name the output and `terraform apply`: {err}"
    );
    assert!(err.contains(flag), "the error must name {flag}: {err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains("No outputs found"),
        "Terraform's warning leaked into the message: {err:?}"
    );
    assert!(
        fis.requests().is_empty(),
        "nothing may reach FIS: {:?}",
        fis.requests()
    );
}

/// `verify --preview` of the reference lab's `disrupt-dynamodb` in the lab directory `lab/`,
/// through the `chaoslab-fis` helper beside the chaoslab under test.
fn preview(ws: &Path, fis: &FisStub, extra: &[&str]) -> Output {
    let helper = Path::new(env!("CARGO_BIN_EXE_chaoslab"))
        .with_file_name(format!("chaoslab-fis{}", std::env::consts::EXE_SUFFIX));
    assert!(
        helper.is_file(),
        "verify's FIS helper is not built at {}: run `cargo build -p chaoslab-fis` (or the tests \
         with `cargo test --workspace`, as scripts/test does)",
        helper.display()
    );
    let mut args = vec![
        "verify",
        "lab.yaml",
        "-o",
        "lab",
        "--experiment",
        "disrupt-dynamodb",
        "--preview",
    ];
    args.extend_from_slice(extra);
    chaoslab(ws, &fis.url, &args)
}

/// `probe` on the unapplied lab directory `lab/`.
fn probe_refuses(ws: &Path, fis: &FisStub) {
    let probe = chaoslab(
        ws,
        &fis.url,
        &["probe", "lab.yaml", "-o", "lab", "--phase", "baseline=1s"],
    );
    assert_not_applied(&probe, "app_url", "--url", fis);
}

/// The pre-flight, through the real helper (the AWS SDK's ListActions and GetSafetyLever):
/// an action FIS does not offer in the Region, or an engaged safety lever, refuses the run
/// before anything is probed or started (exit 7), with the reason and the fix.
#[test]
fn the_pre_flight_refuses_a_run_fis_would_not_run() {
    let verify = |fis: &FisStub| {
        let ws = workspace();
        let out = chaoslab(
            ws.path(),
            &fis.url,
            &[
                "verify",
                "lab.yaml",
                "-o",
                "lab",
                "--experiment",
                "disrupt-dynamodb",
                "--url",
                "http://127.0.0.1:9",
                "--template-id",
                "EXT123",
            ],
        );
        let calls: Vec<String> = fis
            .requests()
            .into_iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        (out.status.code(), text(&out.stdout), calls)
    };
    const OFFERED: &[&str] = &["aws:network:disrupt-connectivity", "aws:ec2:stop-instances"];

    let (code, stdout, calls) = verify(&FisStub::with("engaged", OFFERED));
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("FIS's safety lever is engaged (game day paused)"),
        "{stdout}"
    );
    assert!(stdout.contains("update-safety-lever-state"), "{stdout}");
    assert_eq!(calls, ["GET /actions", "GET /safetyLevers/default"]);

    let (code, stdout, calls) = verify(&FisStub::with("disengaged", &["aws:ec2:stop-instances"]));
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("FIS does not offer aws:network:disrupt-connectivity in this Region"),
        "{stdout}"
    );
    assert_eq!(calls, ["GET /actions"]);
}

#[test]
fn probe_and_verify_refuse_terraforms_no_outputs_warning() {
    let ws = workspace();
    stand_in(ws.path(), &before_apply(), "{}\n");
    let fis = FisStub::start();

    probe_refuses(ws.path(), &fis);

    // With the URL given, the template id is the one read: the warning must not reach FIS as
    // the id of the template to preview.
    let verify = preview(ws.path(), &fis, &["--url", "http://127.0.0.1:9"]);
    assert_not_applied(
        &verify,
        "disrupt_dynamodb_template_id",
        "--template-id",
        &fis,
    );
}

/// Values of the wrong shape (a tree applied from another spec, an output renamed) are refused
/// with the value shown; the right shapes go through, and FIS is called in the spec's Region.
#[test]
fn outputs_are_checked_for_their_shape_and_fis_gets_the_specs_region() {
    let ws = workspace();
    let fis = FisStub::start();
    let verify = |ws: &Path| preview(ws, &fis, &[]);
    let outputs = |url: &str, id: &str| {
        format!(
            r#"{{"app_url":{{"sensitive":false,"type":"string","value":"{url}"}},"disrupt_dynamodb_template_id":{{"sensitive":false,"type":"string","value":"{id}"}}}}"#
        )
    };

    stand_in(
        ws.path(),
        &before_apply(),
        &outputs("chaos-lab-alb.example.com", "EXTabc123"),
    );
    let out = verify(ws.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`app_url`") && err.contains("chaos-lab-alb.example.com"),
        "{err}"
    );

    stand_in(
        ws.path(),
        &before_apply(),
        &outputs("http://127.0.0.1:9", "disrupt dynamodb"),
    );
    let out = verify(ws.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`disrupt_dynamodb_template_id`"), "{err}");
    assert!(fis.requests().is_empty(), "{:?}", fis.requests());

    // A tree with other outputs but not this one: named, with what it has.
    stand_in(
        ws.path(),
        &before_apply(),
        r#"{"vpc_id":{"sensitive":false,"type":"string","value":"vpc-1"}}"#,
    );
    let out = verify(ws.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`app_url`") && err.contains("vpc_id"), "{err}");

    stand_in(
        ws.path(),
        &before_apply(),
        &outputs("http://127.0.0.1:9", "EXTabc123"),
    );
    let out = verify(ws.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let requests = fis.requests();
    let start = requests
        .iter()
        .find(|r| r.method == "POST" && r.path == "/experiments")
        .unwrap_or_else(|| panic!("no StartExperiment: {requests:?}"));
    assert!(
        start.body.contains(r#""experimentTemplateId":"EXTabc123""#),
        "{start:?}"
    );
    // SigV4's credential scope names the Region the client signs for: the spec's
    // `region: us-east-1`, not the shell's AWS_REGION=eu-west-3.
    for r in &requests {
        assert!(
            r.authorization.contains("/us-east-1/fis/aws4_request"),
            "FIS must be called in the spec's Region: {r:?}"
        );
    }
}

/// The same refusal with the real Terraform binary in a directory that was never applied.
#[test]
fn real_terraform_before_apply() {
    let ws = workspace();
    let terraform = common::terraform();
    let resolved = if terraform.is_absolute() {
        terraform
    } else {
        PathBuf::from(
            text(
                &Command::new("sh")
                    .args(["-c", "command -v terraform"])
                    .output()
                    .expect("sh")
                    .stdout,
            )
            .trim(),
        )
    };
    std::os::unix::fs::symlink(&resolved, ws.path().join("bin/terraform")).expect("symlink");
    // The fixture is what this binary prints: the stand-in above replays the real thing.
    let real = Command::new(&resolved)
        .args(["output"])
        .current_dir(ws.path().join("lab"))
        .env_remove("TF_CLI_CONFIG_FILE")
        .env("TF_CLI_ARGS", "")
        .output()
        .expect("terraform output");
    assert_eq!(real.status.code(), Some(0), "{}", text(&real.stderr));
    assert_eq!(
        text(&real.stdout),
        text(&std::fs::read(before_apply()).expect("fixture")),
        "the fixture is no longer what Terraform prints before apply"
    );
    let fis = FisStub::start();
    probe_refuses(ws.path(), &fis);
}
