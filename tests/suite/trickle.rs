//! The bulkhead's written trade-off (app.py's docstring), measured on the shipped app: a
//! dependency that trickles (each byte within the read timeout, so the client never times
//! out) holds its slots as long as its calls last, also after it recovers, and its endpoint
//! fails at once meanwhile, with its JSON 503; once the stuck calls end, it answers again.
//! `tests/support/trickle_guard.py` runs the app's own code (Flask's test client, its boto3
//! client, real loopback sockets) against a DynamoDB that trickles.

use crate::common;
use serde_json::Value;
use std::process::Command;

#[test]
fn a_trickling_dependency_holds_its_slots_until_its_calls_end_and_fails_fast_meanwhile() {
    let root = common::root();
    let python = root.join(".tools/rehearse/venv/bin/python");
    assert!(
        python.exists(),
        "run scripts/install-rehearsal first (scripts/test does)"
    );
    let mut cmd = Command::new(python);
    cmd.arg(root.join("tests/support/trickle_guard.py"))
        .arg(root.join("generated/chaos-shop-containers-serverless/app/app.py"));
    let out = common::run_bounded(cmd, std::time::Duration::from_secs(90));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: Value =
        serde_json::from_str(stdout.trim().lines().last().unwrap_or("")).expect("one JSON line");
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let deadline = num(&run["deadline"]);
    let ended = run["trickles_ended_at"]
        .as_array()
        .map(|a| a.iter().map(num).fold(0.0, f64::max))
        .unwrap_or(f64::NAN);
    let requests = run["requests"].as_array().expect("requests");
    let fast_503 = |r: &Value| {
        r["status"] == 503 && r["body"]["dependency"] == "dynamodb" && num(&r["seconds"]) < 0.5
    };
    for r in requests {
        match r["label"].as_str().unwrap_or_default() {
            // Given up at the deadline, the JSON 503 naming the dependency.
            "stuck-0" | "stuck-1" => assert!(
                r["status"] == 503
                    && r["body"]["dependency"] == "dynamodb"
                    && (deadline - 0.2..deadline + 1.5).contains(&num(&r["seconds"])),
                "{r}\n{run}"
            ),
            // Bulkhead full, and still full after the dependency recovered: at once.
            "bulkhead-full" | "after-recovery" => assert!(fast_503(r), "{r}\n{run}"),
            // Until the stuck calls end, every call fails at once.
            _ if num(&r["at"]) < ended - 0.1 => assert!(fast_503(r), "{r}\n{run}"),
            _ => {}
        }
    }
    assert!(
        num(&run["recovered_at"]) < ended - 5.0,
        "the dependency recovered well before the stuck calls ended: {run}"
    );
    // And once they end, the slots are free: the next poll (every 0.5 s) answers.
    let first_ok = requests
        .iter()
        .find(|r| r["status"] == 200)
        .map(|r| num(&r["at"]));
    assert!(
        first_ok.is_some_and(|t| t >= ended - 0.1 && t <= ended + 2.0),
        "first 200 at {first_ok:?}, the stuck calls ended at {ended}: {run}"
    );
}
