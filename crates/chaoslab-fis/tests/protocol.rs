//! The helper's side of the protocol that needs no FIS: bad arguments, a line that is not a
//! request, an unknown op, and the exit at the end of stdin. (The three FIS calls themselves
//! are exercised end to end by chaoslab's `tests/suite/terraform_outputs.rs`, against a loopback
//! FIS.) Building this test also puts the helper binary next to `chaoslab` in the target dir.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The helper with `args`, `input` on its stdin, no AWS configuration, killed past 30 s.
fn helper(args: &[&str], input: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chaoslab-fis"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .args(args)
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chaoslab-fis");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let started = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chaoslab-fis did not exit within 30 s at the end of its input");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn bad_arguments_exit_2_with_the_usage() {
    for args in [&[][..], &["--region"], &["--region", ""], &["--zone", "x"]] {
        let out = helper(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("usage: chaoslab-fis --region REGION"), "{err}");
    }
}

#[test]
fn each_line_gets_one_answer_and_the_end_of_input_ends_it() {
    let out = helper(
        &["--region", "eu-west-3"],
        "not json\n\n{\"op\":\"dance\"}\n{\"op\":\"status\"}\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let answers: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON answer"))
        .collect();
    let errors: Vec<&str> = answers
        .iter()
        .map(|a| {
            assert_eq!(a["ok"], false, "{a}");
            a["error"].as_str().expect("error text")
        })
        .collect();
    assert_eq!(errors.len(), 3, "the blank line gets no answer: {errors:?}");
    assert!(errors[0].starts_with("not a JSON request"), "{errors:?}");
    assert_eq!(errors[1], "unknown op `dance`");
    assert!(errors[2].contains("without a string `id`"), "{errors:?}");
}
