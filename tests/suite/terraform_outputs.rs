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
use crate::common::fis_stub::{self, FisStub};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SPEC: &str = "blueprints/chaos-shop-dependencies.yaml";

/// A lab directory holding a copy of the reference spec, and a `bin/` for stand-ins.
fn workspace() -> tempfile::TempDir {
    fis_stub::workspace(SPEC)
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

/// chaoslab in `ws` against the stub FIS at `fis` (see [`fis_stub::chaoslab`]).
fn chaoslab(ws: &Path, fis: &str, args: &[&str]) -> Output {
    fis_stub::chaoslab(ws, fis, &[], args)
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
            r.header("authorization")
                .contains("/us-east-1/fis/aws4_request"),
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
