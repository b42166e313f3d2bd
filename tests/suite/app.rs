//! The Chaos Shop app delivered by user_data: valid Python, its Gunicorn and guard settings
//! from the spec, and a bootstrap script the real Terraform renders and bash accepts.
//! How the app behaves when a dependency is cut is tests/rehearsal/scenarios.rs's to show.

use crate::common;
use crate::common::terraform_eval::{Tree, gunzip, unbase64};

use std::process::Command;

fn spec(app: &str) -> String {
    format!(
        "{}dynamodb:\n  reviews:\n    hash_key: {{name: product_id, type: S}}\ns3:\n  promo:\n    objects:\n      promo.json: {{content: '{{}}'}}\naurora: {{}}\napp: {app}\n",
        common::MINIMAL
    )
}

/// The bootstrap as an instance receives it: the launch template's `user_data`
/// (`base64gzip(templatefile(...))`) computed by the real Terraform, then decoded as
/// cloud-init decodes it.
fn user_data(spec: &str) -> String {
    let files = common::generate_str(spec);
    let tree = Tree::new(&files);
    let target = tree.attribute("aws_launch_template.app", &["user_data"]);
    let encoded = tree.evaluate_one(&target, &[]);
    let raw = unbase64(encoded.as_str().expect("user_data is a string"));
    String::from_utf8(gunzip(&raw)).expect("the bootstrap is UTF-8")
}

fn app_py(script: &str) -> String {
    let start = script.find("<<'PY'\n").expect("app heredoc") + "<<'PY'\n".len();
    let len = script[start..].find("\nPY\n").expect("heredoc end");
    script[start..start + len + 1].to_owned()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn compute_tf(spec: &str) -> String {
    let files = common::generate_str(spec);
    files
        .iter()
        .find(|f| f.name == "compute.tf")
        .expect("compute.tf generated")
        .content
        .clone()
}

#[test]
fn bootstrap_is_valid_and_takes_gunicorn_and_the_guard_from_the_spec() {
    let app = "{timeouts: {connect: 3, read: 7, retries: 1}, workers: 3, threads: 6, bulkhead: 2, \
               port: 9000, circuit_breaker: {failures: 4, reset_seconds: 20}}";
    let script = user_data(&spec(app));
    assert!(
        script.contains(
            "gunicorn --worker-class gthread --workers 3 --threads 6 --timeout 30 \
             --no-control-socket --bind 0.0.0.0:9000 app:app"
        ),
        "{script}"
    );
    let compute = compute_tf(&spec(app));
    for line in [
        "connect_timeout = 3",
        "read_timeout    = 7",
        "retries         = 1",
        "bulkhead        = 2",
        "failures      = 4",
        "reset_seconds = 20",
    ] {
        assert!(
            compute.contains(line),
            "app_config lacks `{line}`:\n{compute}"
        );
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("app.py");
    std::fs::write(&path, app_py(&script)).expect("write app.py");
    run(Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&path));
    let sh = tmp.path().join("user_data.sh");
    std::fs::write(&sh, &script).expect("write script");
    run(Command::new("bash").arg("-n").arg(&sh));
}

#[test]
fn reference_lab_uses_the_article_timeouts_and_no_breaker() {
    let (_, files) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    let compute = &files
        .iter()
        .find(|f| f.name == "compute.tf")
        .expect("compute.tf")
        .content;
    let guard = "    guard = {\n      connect_timeout = 2\n      read_timeout    = 2\n      retries         = 0\n      bulkhead        = 4\n    }\n";
    assert!(compute.contains(guard), "{compute}");
}

/// The app and its requirements sit in quoted heredocs: no line of theirs may end them, and
/// every requirement is pinned and hash-checked.
#[test]
fn heredocs_cannot_end_early_and_requirements_are_locked() {
    let dir = common::root().join("blueprints/templates/chaos-shop");
    let app = std::fs::read_to_string(dir.join("app.py")).expect("app.py");
    assert!(
        !app.lines().any(|l| l == "PY"),
        "a line `PY` would end the app's heredoc"
    );
    let req = std::fs::read_to_string(dir.join("requirements.txt")).expect("requirements");
    assert!(!req.lines().any(|l| l == "REQ"));
    let pins: Vec<&str> = req
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert!(pins.len() >= 10, "{pins:?}");
    for pin in pins {
        assert!(
            pin.contains("==") && pin.ends_with('\\'),
            "not pinned with hashes: {pin}"
        );
    }
    let gunicorn = req
        .lines()
        .find_map(|l| l.strip_prefix("gunicorn=="))
        .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
        .expect("gunicorn pinned");
    assert!(gunicorn >= 23, "gunicorn < 23 has CVE-2024-6827");
}
