//! `verify`'s pre-flight and `--preview`, through the real `chaoslab-fis` helper (the AWS SDK
//! for Rust): FIS is a loopback stub that records every request; CloudWatch is moto's, with
//! real alarms put in the states each case needs; the instance metadata service is a loopback
//! stand-in that speaks IMDSv2 (a session token first) and answers the documented paths
//! (EC2 user guide, "Instance metadata categories", read 2026-12-07:
//! https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html).
//! A refusal is exit 7 with the reason and the fix, before anything is probed or started.

use crate::common;
use crate::common::fis_stub::{self, FisStub};

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SPEC: &str = "blueprints/chaos-shop-dependencies.yaml";
const OFFERED: &[&str] = &["aws:network:disrupt-connectivity", "aws:ec2:stop-instances"];
/// The reference lab's `disrupt-dynamodb`, as FIS holds it: its cut on two app subnets, its
/// stop condition the unhealthy-hosts alarm.
const TEMPLATE: &str = r#"{"experimentTemplate":{"id":"EXT123",
  "actions":{"disrupt-dynamodb":{"actionId":"aws:network:disrupt-connectivity","targets":{"Subnets":"app-subnets"}}},
  "stopConditions":[{"source":"aws:cloudwatch:alarm","value":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:chaos-lab-unhealthy-hosts"}],
  "targets":{"app-subnets":{"resourceType":"aws:ec2:subnet","selectionMode":"ALL",
    "resourceArns":["arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaa","arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbb"]}}}}"#;

/// `verify` of `disrupt-dynamodb` against `fis` (template EXT123, an app URL nothing serves),
/// then `extra`: its exit code and stdout.
fn verify_with(fis: &FisStub, env: &[(&str, &str)], extra: &[&str]) -> (Option<i32>, String) {
    let ws = fis_stub::workspace(SPEC);
    let mut args = vec![
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
    ];
    args.extend_from_slice(extra);
    let out = fis_stub::chaoslab(ws.path(), &fis.url, env, &args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The whole run, its baseline 1 s.
fn verify(fis: &FisStub, env: &[(&str, &str)]) -> (Option<i32>, String) {
    verify_with(fis, env, &["--baseline", "1s"])
}

/// The stub FIS with the safety lever disengaged, the actions offered, and the template.
fn fis_with_template() -> FisStub {
    FisStub::serving(
        "disengaged",
        OFFERED,
        vec![(
            "GET",
            "/experimentTemplates/EXT123".into(),
            TEMPLATE.replace('\n', ""),
        )],
    )
}

#[test]
fn the_pre_flight_refuses_a_run_fis_would_not_run() {
    let (code, stdout) = verify(&FisStub::with("engaged", OFFERED), &[]);
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("FIS's safety lever is engaged (game day paused)"),
        "{stdout}"
    );
    assert!(stdout.contains("update-safety-lever-state"), "{stdout}");

    let fis = FisStub::with("disengaged", &["aws:ec2:stop-instances"]);
    let (code, stdout) = verify(&fis, &[]);
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("FIS does not offer aws:network:disrupt-connectivity in this Region"),
        "{stdout}"
    );
    // The first refusal ends the checks: nothing else was asked.
    assert_eq!(fis.calls(), ["GET /actions"]);
}

/// moto's CloudWatch on a free loopback port, stopped by its PID when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let python = common::root().join(".tools/rehearse/venv/bin/python");
        assert!(
            python.exists(),
            "moto is not installed: run scripts/install-rehearsal first (scripts/test does)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Puts a metric alarm of each name in moto's us-east-1, then sets its state.
    fn alarms(&self, alarms: &[(&str, &str)]) {
        let python = common::root().join(".tools/rehearse/venv/bin/python");
        let script = r#"
import sys, boto3
cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
for pair in sys.argv[2:]:
    name, state = pair.split("=")
    cw.put_metric_alarm(AlarmName=name, Namespace="AWS/ApplicationELB", MetricName="UnHealthyHostCount",
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold")
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")
"#;
        let pairs: Vec<String> = alarms.iter().map(|(n, s)| format!("{n}={s}")).collect();
        let out = Command::new(python)
            .args(["-c", script, &self.url])
            .args(&pairs)
            .output()
            .expect("boto3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An instance metadata service on loopback for an instance in `subnet`: IMDSv2 only (a GET
/// without the session token from `PUT /latest/api/token` is 401, as on an instance that
/// requires tokens); the token's answer says how long it lives, as IMDS's does (the SDK
/// requires it).
fn imds(subnet: &'static str) -> String {
    fis_stub::loopback(move |r| {
        let token = r.header("x-aws-ec2-metadata-token") == "stand-in-token";
        let text = |status, body: &str| (status, vec![], body.to_owned());
        match (r.method.as_str(), r.path.as_str(), token) {
            ("PUT", "/latest/api/token", _) => (
                "200 OK",
                vec![("x-aws-ec2-metadata-token-ttl-seconds", "21600".into())],
                "stand-in-token".into(),
            ),
            (_, _, false) => text("401 Unauthorized", ""),
            ("GET", "/latest/meta-data/instance-id", _) => text("200 OK", "i-0runner"),
            ("GET", "/latest/meta-data/placement/availability-zone", _) => {
                text("200 OK", "us-east-1a")
            }
            ("GET", "/latest/meta-data/mac", _) => text("200 OK", "0e:11:22:33:44:55"),
            ("GET", "/latest/meta-data/network/interfaces/macs/0e:11:22:33:44:55/subnet-id", _) => {
                text("200 OK", subnet)
            }
            _ => text("404 Not Found", ""),
        }
    })
}

/// The stop-condition alarm: in ALARM it refuses the run (FIS would stop the experiment at
/// once); missing, it refuses too (the run would be unguarded); in OK the checks go on.
#[test]
fn a_stop_condition_alarm_in_alarm_or_missing_refuses_the_run() {
    let moto = Moto::start();
    let cloudwatch = [("AWS_ENDPOINT_URL_CLOUDWATCH", moto.url.as_str())];

    // No such alarm in the account.
    let fis = fis_with_template();
    let (code, stdout) = verify(&fis, &cloudwatch);
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("the stop-condition alarm chaos-lab-unhealthy-hosts does not exist"),
        "{stdout}"
    );

    moto.alarms(&[("chaos-lab-unhealthy-hosts", "ALARM")]);
    let fis = fis_with_template();
    let (code, stdout) = verify(&fis, &cloudwatch);
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains("the stop-condition alarm chaos-lab-unhealthy-hosts is in ALARM"),
        "{stdout}"
    );
    assert!(
        stdout.contains("aws cloudwatch describe-alarms --alarm-names chaos-lab-unhealthy-hosts"),
        "{stdout}"
    );
    assert_eq!(
        fis.calls(),
        [
            "GET /actions",
            "GET /safetyLevers/default",
            "GET /experimentTemplates/EXT123"
        ],
        "nothing started"
    );

    // Back to OK: the pre-flight passes (where this machine runs is unknown: metadata off)
    // and the run goes on to its baseline, which nothing serves.
    moto.alarms(&[("chaos-lab-unhealthy-hosts", "OK")]);
    let (code, stdout) = verify(&fis_with_template(), &cloudwatch);
    assert_eq!(code, Some(5), "{stdout}");
    assert!(
        stdout.contains("pre-flight: stop-condition alarms: chaos-lab-unhealthy-hosts OK"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pre-flight: where this machine runs is unknown"),
        "{stdout}"
    );
}

/// On EC2, a runner in a subnet the template cuts is refused; one elsewhere passes.
#[test]
fn a_runner_inside_the_cut_is_refused() {
    let moto = Moto::start();
    moto.alarms(&[("chaos-lab-unhealthy-hosts", "OK")]);
    let inside = imds("subnet-0bbb");
    let run = |imds: &str| {
        let env = [
            ("AWS_ENDPOINT_URL_CLOUDWATCH", moto.url.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds),
        ];
        verify(&fis_with_template(), &env)
    };

    let (code, stdout) = run(&inside);
    assert_eq!(code, Some(7), "{stdout}");
    assert!(
        stdout.contains(
            "this machine (instance i-0runner, subnet subnet-0bbb, us-east-1a) is among the resources of the template's target app-subnets"
        ),
        "{stdout}"
    );

    let outside = imds("subnet-0ccc");
    let (code, stdout) = run(&outside);
    assert_eq!(code, Some(5), "{stdout}");
    assert!(
        stdout.contains(
            "pre-flight: this machine (instance i-0runner, subnet subnet-0ccc, us-east-1a) is outside every resource the template targets"
        ),
        "{stdout}"
    );
}

/// `--preview` lists what each target resolved to (ListExperimentResolvedTargets).
#[test]
fn the_preview_lists_the_resolved_targets() {
    let resolved = r#"{"resolvedTargets":[
      {"resourceType":"aws:ec2:subnet","targetName":"app-subnets","targetInformation":{"arn":"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaa"}},
      {"resourceType":"aws:ec2:subnet","targetName":"app-subnets","targetInformation":{"arn":"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbb"}}]}"#;
    let fis = FisStub::serving(
        "disengaged",
        OFFERED,
        vec![(
            "GET",
            "/experiments/EXPstub/resolvedTargets".into(),
            resolved.replace('\n', ""),
        )],
    );
    let (code, stdout) = verify_with(&fis, &[], &["--preview"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("preview: 2 resolved target resources:"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  app-subnets (aws:ec2:subnet): arn=arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbb"
        ),
        "{stdout}"
    );
    assert!(
        fis.calls()
            .contains(&"GET /experiments/EXPstub/resolvedTargets".to_owned()),
        "{:?}",
        fis.calls()
    );
}
