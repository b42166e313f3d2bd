//! The lab's promise on real parts. `scripts/rehearse` runs the reference lab's generated
//! bootstrap and app against moto and PostgreSQL, drops the packets to one dependency at a
//! time as a network ACL deny does, and measures; this test judges its report against the
//! lab README's claims: the blocked dependency's one endpoint fails fast with a JSON 503,
//! nothing else degrades, not even under load, and everything recovers.
//!
//! The same claims are checked against the same app with its guard removed (botocore's
//! defaults): they must fail there, which shows that this test can fail.
//!
//! Each lab is booted once per test: the reference lab's scenarios, its `chaoslab probe` and
//! `chaoslab verify` runs and its failed boot share one rehearsal (`--plan`), each claim
//! asserted on its own part of the report with a message naming it. Phases end on evidence
//! (harness/chaoslab_rehearse/evidence.py), their former lengths as caps; a claim that needs a
//! minimum duration passes it (`--fault-min`, `--fault-samples`).
//!
//! Needs root and network namespaces; where the machine cannot create one the test says so
//! and passes, except under CI (`CI` set), where it fails.

use crate::common;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

const LAB: &str = "generated/chaos-shop-dependencies";
/// The app's budget (2 s connect) plus the slack the issue allows.
const FAST_FAIL: f64 = 2.5;
/// EC2's limit on user data, before base64.
const USER_DATA_LIMIT: u64 = 16 * 1024;

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("report has no number at {path:?}: {cur}"))
}

fn endpoint<'a>(scenario: &'a Value, phase: &str, ep: &str) -> &'a Value {
    &scenario["phases"][phase]["endpoints"][ep]
}

fn served_by(dependency: &str) -> &'static str {
    chaoslab::experiments::expect::served_by(dependency)
        .unwrap_or_else(|| panic!("no endpoint for {dependency}"))
}

/// The claims of the lab README for one scenario; `Err` lists every one that does not hold.
fn claims(s: &Value) -> Result<(), Vec<String>> {
    let mut broken = Vec::new();
    let name = s["name"].as_str().unwrap_or("?");
    let dep = s["dependency"].as_str().unwrap_or("?");
    let failing = served_by(dep);
    let loaded = num(s, &["clients"]) > 0.0;
    let mut check = |ok: bool, what: String| {
        if !ok {
            broken.push(format!("{name}: {what}"));
        }
    };
    for ep in ["products", "reviews", "promo", "health"] {
        let b = endpoint(s, "baseline", ep);
        check(
            num(b, &["failed"]) == 0.0 && num(b, &["ok"]) > 0.0,
            format!("baseline {ep} is not 100 % ok: {b}"),
        );
    }
    let f = endpoint(s, "fault", failing);
    let failed = num(f, &["failed"]);
    check(
        num(f, &["ok"]) == 0.0 && failed > 0.0,
        format!("{failing} does not fail throughout the fault: {f}"),
    );
    check(
        num(f, &["json_503"]) == failed,
        format!("not every {failing} failure is a JSON 503: {f}"),
    );
    check(
        f["failed_p99"].as_f64().is_some_and(|p| p <= FAST_FAIL),
        format!("{failing} does not fail fast (p99 of its failures > {FAST_FAIL} s): {f}"),
    );
    for ep in ["products", "reviews", "promo"] {
        if ep == failing {
            continue;
        }
        let e = endpoint(s, "fault", ep);
        let (ok, bad) = (num(e, &["ok"]), num(e, &["failed"]));
        if loaded {
            check(
                ok / (ok + bad) >= 0.99,
                format!("{ep} under load is below 99 % ok during the fault: {e}"),
            );
            if ep == "products" {
                check(
                    num(e, &["p99"]) <= 1.0,
                    format!("the catalog's p99 under load exceeds 1 s: {e}"),
                );
            }
        } else {
            check(bad == 0.0, format!("{ep} failed during the fault: {e}"));
        }
    }
    let h = endpoint(s, "fault", "health");
    check(
        num(h, &["failed"]) == 0.0,
        format!("/health was not always 200 during the fault: {h}"),
    );
    if let Some(phases) = s["phases"].get("recovery") {
        for ep in ["products", "reviews", "promo", "health"] {
            let r = &phases["endpoints"][ep];
            check(
                num(r, &["recovered_after"]) <= 15.0 && num(r, &["ok"]) > 0.0,
                format!("{ep} not ok within 15 s of the fault's end: {r}"),
            );
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken)
    }
}

/// Runs `scripts/rehearse LAB ARGS... --json FILE` and returns its report, or `None` (after
/// saying why) where the machine cannot make a network namespace and this is not CI.
fn rehearse(lab: &Path, args: &[&str]) -> Option<Value> {
    let _lane = crate::lane();
    let root = common::root();
    if !common::rehearsal_can_run() {
        return None;
    }
    assert!(
        root.join(".tools/rehearse/venv/bin/python").exists(),
        "run scripts/install-rehearsal first (scripts/test does)"
    );
    let report_file = tempfile::NamedTempFile::new().expect("temp file");
    let out = Command::new(root.join("scripts/rehearse"))
        .arg(lab)
        .arg("--json")
        .arg(report_file.path())
        .args(args)
        .output()
        .expect("scripts/rehearse runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "scripts/rehearse failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(report_file.path()).expect("report written");
    Some(serde_json::from_str(&text).expect("report is JSON"))
}

/// Runs the steps of `plan` (`--plan`: scenarios and `--exec` commands) on one boot of `lab`.
fn rehearse_plan(lab: &Path, plan: &Value, args: &[&str]) -> Option<Value> {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), plan.to_string()).expect("plan written");
    let mut all = vec!["--plan", file.path().to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    rehearse(lab, &all)
}

/// A `chaoslab` command run beside the rehearsed app, as a plan step: `opts` are the
/// `--exec` options (`fault_at`, `fis_seconds`, `exec_signal`, `exec_guard`).
fn exec_step(name: &str, mut opts: Value, command: &[&str]) -> Value {
    let mut cmd = vec![env!("CARGO_BIN_EXE_chaoslab")];
    cmd.extend_from_slice(command);
    opts["name"] = name.into();
    opts["exec"] = serde_json::json!(cmd);
    opts
}

/// The reference lab's suite on one boot: its promise, and the counterfactual (the same app
/// unguarded must break); then the boot without its database, which must fail.
#[test]
fn the_reference_lab_keeps_its_promise_and_the_unguarded_app_does_not() {
    let plan: Vec<Value> = SUITE.iter().map(|s| json!({ "scenario": s })).collect();
    let Some(report) = rehearse_plan(
        &common::root().join(LAB),
        &Value::Array(plan),
        &["--seed-failure"],
    ) else {
        return;
    };
    the_suite_keeps_the_promise_and_the_unguarded_app_does_not(&report);
    the_boot_fails_when_the_catalog_never_seeds(&report["seed_failure"]);
}

/// `chaoslab probe` and `chaoslab verify` run beside the reference lab's app on one boot (a
/// boot of its own, so it runs beside the suite's): the probe's table, then verify's
/// verdicts: held, deviated on a wrong hypothesis and on an unguarded app, refused on a
/// baseline not met, and interrupted.
#[test]
fn probe_and_verify_judge_the_reference_lab_beside_its_app() {
    let jsonl = tempfile::NamedTempFile::new().expect("temp file");
    let journal = tempfile::NamedTempFile::new().expect("temp file");
    let wrong_spec = tempfile::NamedTempFile::new().expect("temp file");
    // The spec's own hypothesis is what verify judges: claim the reviews survive the cut (as
    // a cache would make them), and the same healthy run must deviate on that endpoint alone.
    let spec = std::fs::read_to_string(common::root().join(SPEC)).expect("blueprint");
    let claimed = "expect: {degraded: [reviews], healthy: [products, promo]}";
    assert!(spec.contains(claimed));
    let spec = spec.replacen(claimed, "expect: {healthy: [products, promo, reviews]}", 1);
    std::fs::write(wrong_spec.path(), spec).expect("spec written");
    let (jsonl_path, journal_path) = (
        jsonl.path().to_str().expect("utf-8 path"),
        journal.path().to_str().expect("utf-8 path"),
    );
    let mut wrong_args = verify_args(&[]);
    wrong_args[1] = wrong_spec.path().to_str().expect("utf-8 path");
    let plan = vec![
        // The fault is put on inside the unjudged gap and lifted after `during`, with a
        // second and more of margin either side for a loaded machine's timers.
        exec_step(
            "probe",
            json!({"fault_at": ["dynamodb:3.8:11.2"]}),
            &[
                "probe",
                SPEC,
                "--url",
                APP_URL,
                "--phase",
                "baseline=3s",
                "--phase",
                "gap=2s",
                "--phase",
                "during=8s",
                "--jsonl",
                jsonl_path,
            ],
        ),
        exec_step(
            "held",
            json!({"fis_seconds": 10}),
            &verify_args(&["--journal", journal_path]),
        ),
        exec_step("wrong", json!({"fis_seconds": 10}), &wrong_args),
        exec_step(
            "baseline",
            json!({"fault_at": ["dynamodb:0:300"]}),
            &verify_args(&[]),
        ),
        exec_step(
            "interrupted",
            json!({"fis_seconds": 60, "exec_signal": "INT:12"}),
            &verify_args(&[]),
        ),
        // Last: the unguarded app is left hung, and nothing runs on it after.
        exec_step(
            "deviated",
            json!({"fis_seconds": 15, "exec_guard": "none"}),
            &verify_args(&["--concurrency", "12"]),
        ),
    ];
    let Some(report) = rehearse_plan(&common::root().join(LAB), &Value::Array(plan), &[]) else {
        return;
    };
    probe_gives_the_articles_table_and_its_jsonl_matches(&report["execs"]["probe"], jsonl_path);
    verify_judges_the_run_and_stops_what_it_started(&report["execs"], journal_path);
}

/// The scenarios every scripts/rehearse run of the reference lab runs by default.
const SUITE: [&str; 5] = [
    "dynamodb:dynamodb:0",
    "s3:s3:0",
    "dynamodb-load:dynamodb:12",
    "s3-load:s3:12",
    "counterfactual-dynamodb-load:dynamodb:12:none",
];

fn the_suite_keeps_the_promise_and_the_unguarded_app_does_not(report: &Value) {
    assert_eq!(report["boot"]["exit"], 0, "the bootstrap failed: {report}");
    assert!(
        report["user_data_bytes"]
            .as_u64()
            .is_some_and(|n| n <= USER_DATA_LIMIT),
        "rendered user data, gzipped as base64gzip sends it, is over EC2's 16 KiB: {}",
        report["user_data_bytes"]
    );
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let by_name = |n: &str| {
        scenarios
            .iter()
            .find(|s| s["name"] == n)
            .unwrap_or_else(|| panic!("no scenario {n} in the report"))
    };
    let mut broken = Vec::new();
    for name in ["dynamodb", "s3", "dynamodb-load", "s3-load"] {
        let s = by_name(name);
        assert_eq!(s["guard"], "spec", "{name} ran without the lab's guard");
        if let Err(b) = claims(s) {
            broken.extend(b);
        }
        // One log line per dependency failure.
        let dep = s["dependency"].as_str().unwrap_or_default();
        let logged = s["failure_log_lines"][dep].as_f64().unwrap_or(0.0);
        let failed = num(endpoint(s, "fault", served_by(dep)), &["failed"]);
        if logged < failed {
            broken.push(format!(
                "{name}: {failed} {dep} failures but {logged} failure log lines"
            ));
        }
    }
    assert!(
        by_name("s3")["s3_addresses"] == 8,
        "the S3 scenario must resolve S3 to 8 addresses"
    );
    assert!(
        broken.is_empty(),
        "the lab breaks its promise:\n{}",
        broken.join("\n")
    );

    // The counterfactual: the same claims, the same app, botocore's defaults. They must fail,
    // and on the catalog, the endpoint the blocked dependency has nothing to do with.
    let cf = by_name("counterfactual-dynamodb-load");
    assert_eq!(cf["guard"], "none");
    let cf_broken =
        claims(cf).expect_err("the unguarded app kept the promise: the test cannot fail");
    assert!(
        cf_broken.iter().any(|b| b.contains("products")),
        "the unguarded app's catalog did not degrade: {cf_broken:?}"
    );
}

fn the_boot_fails_when_the_catalog_never_seeds(seed: &Value) {
    assert_ne!(
        seed["exit"], 0,
        "a boot whose catalog never seeds must fail: {seed}"
    );
    assert_eq!(
        seed["attempts_failed"], 30,
        "the seed loop did not try 30 times: {seed}"
    );
    // Its last failure announces no retry: the boot fails there.
    assert_eq!(
        seed["retries_announced"], 29,
        "the seed loop should announce a retry after each failure but the last: {seed}"
    );
}

/// `app.circuit_breaker` on the reference lab: once open, the blocked dependency's endpoint
/// answers its 503 at once instead of after the 2 s connect budget, and it closes again after
/// the fault. Without the breaker the same scenario's failures take 2 s (the suite above).
///
/// Each of the 4 workers has its own breaker, so every worker pays `failures` slow calls
/// before it opens and one slow trial per `reset_seconds`: about 4 x (3 + 2) = 20 slow
/// failures in the 24 s fault, against some 50 immediate ones. A 12 s fault with a 4 s reset
/// made the two counts close enough for the median to flip on a loaded machine.
#[test]
fn the_circuit_breaker_turns_repeated_failures_into_immediate_503s_and_closes_again() {
    let blueprint = common::root().join("blueprints/chaos-shop-dependencies.yaml");
    let spec = std::fs::read_to_string(blueprint).expect("blueprint");
    assert!(spec.contains("\napp: {}\n"));
    let spec = spec.replace(
        "\napp: {}\n",
        "\napp: {circuit_breaker: {failures: 3, reset_seconds: 10}}\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    common::write_tree(dir.path(), &common::generate_str(&spec));
    let args = [
        "--scenario",
        "breaker:dynamodb:4",
        "--baseline",
        "3",
        "--fault",
        "24",
        // The claim needs the whole 24 s (see above): no early end of the fault.
        "--fault-min",
        "24",
        "--recovery",
        "18",
    ];
    let Some(report) = rehearse(dir.path(), &args) else {
        return;
    };
    let s = &report["scenarios"][0];
    let reviews = endpoint(s, "fault", "reviews");
    assert_eq!(num(reviews, &["ok"]), 0.0, "{reviews}");
    assert_eq!(
        num(reviews, &["json_503"]),
        num(reviews, &["failed"]),
        "{reviews}"
    );
    assert!(
        num(reviews, &["failed_p50"]) < 0.5,
        "most failures should be immediate once the breaker is open: {reviews}"
    );
    let opened = s["failure_log_errors"]["dynamodb"]["CircuitOpen"]
        .as_f64()
        .unwrap_or(0.0);
    assert!(opened > 0.0, "no CircuitOpen failures logged: {s}");
    for ep in ["products", "promo", "health"] {
        let e = endpoint(s, "fault", ep);
        assert_eq!(num(e, &["failed"]), 0.0, "{ep} degraded: {e}");
    }
    // Closed again: a trial call after reset_seconds succeeds once the fault is gone.
    let r = endpoint(s, "recovery", "reviews");
    assert!(num(r, &["recovered_after"]) <= 10.0 + 2.0 + 3.0, "{r}");
}

/// Article 4's degradations on the degradation blueprint, with Aurora's PostgreSQL cut: the
/// catalog keeps answering from its DynamoDB copy and orders are queued in SQS (moto), then
/// every accepted order reaches the database after recovery. The same app without the two
/// fallbacks (`plain`) fails the catalog and the orders during the same cut: the claims'
/// counterfactual.
#[test]
fn the_catalog_cache_and_the_order_queue_carry_the_shop_through_a_database_outage() {
    let lab = common::root().join("generated/chaos-shop-degradation");
    let args = [
        "--scenario",
        "cache:aurora:4",
        "--scenario",
        "plain:aurora:4:plain",
        "--baseline",
        "4",
        "--fault",
        "12",
        "--recovery",
        "12",
        "--drain-wait",
        "60",
    ];
    let Some(report) = rehearse(&lab, &args) else {
        return;
    };
    let (cache, plain) = (&report["scenarios"][0], &report["scenarios"][1]);
    // The cut: the catalog from the cache, never a failure; the other endpoints untouched.
    let products = endpoint(cache, "fault", "products");
    assert_eq!(num(products, &["failed"]), 0.0, "{products}");
    assert_eq!(
        num(products, &["served_from", "cache"]),
        num(products, &["ok"]),
        "every catalog answer during the cut is the cached copy: {products}"
    );
    assert!(num(products, &["ok"]) > 0.0, "{products}");
    for ep in ["reviews", "promo", "health"] {
        let e = endpoint(cache, "fault", ep);
        assert_eq!(num(e, &["failed"]), 0.0, "{ep} degraded: {e}");
    }
    // Orders: queued while the database is gone, and all of them stored in the end.
    let during = &cache["phases"]["fault"]["orders"];
    assert!(num(during, &["queued"]) > 0.0, "{during}");
    assert_eq!(num(during, &["failed"]), 0.0, "{during}");
    let orders = &cache["orders"];
    assert!(num(orders, &["accepted"]) > 0.0, "{orders}");
    assert_eq!(
        orders["in_database"], orders["accepted"],
        "every accepted order reaches the database after recovery: {orders}"
    );

    // Without the fallbacks the same cut fails the catalog and the orders.
    let products = endpoint(plain, "fault", "products");
    assert_eq!(num(products, &["ok"]), 0.0, "{products}");
    assert!(num(products, &["json_503"]) > 0.0, "{products}");
    let during = &plain["phases"]["fault"]["orders"];
    assert_eq!(num(during, &["queued"]), 0.0, "{during}");
    assert!(num(during, &["failed"]) > 0.0, "{during}");
}

const SPEC: &str = "blueprints/chaos-shop-dependencies.yaml";
const APP_URL: &str = "http://127.0.0.1:8080";

/// `endpoint ok=N/M` pairs of the article's line for `phase`.
fn table(stdout: &str, phase: &str) -> Vec<(String, u64, u64)> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{phase} (")))
        .unwrap_or_else(|| panic!("no {phase} line in\n{stdout}"));
    line.split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .filter_map(|p| {
            let counts = p.get(1)?.strip_prefix("ok=")?;
            let (ok, failed) = counts.split_once('/')?;
            Some((
                p.first()?.to_string(),
                ok.parse().ok()?,
                failed.parse().ok()?,
            ))
        })
        .collect()
}

/// `chaoslab probe` beside the app, DynamoDB cut during its `during` phase: its table and its
/// JSON lines agree, and the cut shows on the reviews alone.
fn probe_gives_the_articles_table_and_its_jsonl_matches(e: &Value, path: &str) {
    assert_eq!(e["exit"], 0, "probe: exits 0: {e}");
    let stdout = e["stdout"].as_str().unwrap_or_default();
    let records: Vec<Value> = std::fs::read_to_string(path)
        .expect("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    for phase in ["baseline", "during"] {
        for (ep, ok, failed) in table(stdout, phase) {
            let of = |want_ok: bool| {
                records
                    .iter()
                    .filter(|r| r["phase"] == phase && r["endpoint"] == ep.as_str())
                    .filter(|r| r["ok"] == want_ok)
                    .count() as u64
            };
            assert_eq!(
                (of(true), of(false)),
                (ok, failed),
                "probe: {phase} {ep}: table vs jsonl"
            );
            let cut = phase == "during" && ep == "reviews";
            if cut {
                assert!(
                    ok == 0 && failed >= 4,
                    "probe: the cut reviews must fail throughout: {phase} {ep} ok={ok}/{failed}\n{stdout}"
                );
            } else {
                assert!(
                    failed == 0 && ok >= 2,
                    "probe: {phase} {ep} must not fail: ok={ok}/{failed}\n{stdout}"
                );
            }
        }
    }
}

fn verify_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "verify",
        SPEC,
        "--experiment",
        "disrupt-dynamodb",
        "--url",
        APP_URL,
        "--template-id",
        "disrupt_dynamodb",
        "--baseline",
        "5s",
        "--recovery",
        "8s",
    ];
    v.extend_from_slice(extra);
    v
}

fn calls(e: &Value, name: &str) -> usize {
    e["fis_calls"]
        .as_array()
        .map_or(0, |c| c.iter().filter(|c| c["call"] == name).count())
}

/// Against the FIS stand-in: the generated app holds its hypothesis (exit 0); the same app
/// without its guard deviates (exit 1); a dependency already cut fails the baseline (exit 5)
/// and nothing is started; an interrupt stops the experiment (exit 6).
fn verify_judges_the_run_and_stops_what_it_started(execs: &Value, j: &str) {
    let held = &execs["held"];
    assert_eq!(
        held["exit"], 0,
        "verify held: the guarded app must hold: {held}"
    );
    let journal: Value =
        serde_json::from_str(&std::fs::read_to_string(j).expect("journal")).expect("JSON");
    let held_journal = "verify held: its journal";
    assert_eq!(journal["status"], "completed", "{held_journal}");
    assert_eq!(journal["deviated"], false, "{held_journal}");
    assert_eq!(
        journal["steady_states"]["before"]["steady_state_met"], true,
        "{held_journal}"
    );
    assert_eq!(journal["run"][0]["status"], "completed", "{held_journal}");
    // The run's timings, each measured: FIS running (the stand-in's first poll), the first
    // failed request (the cut reviews), every endpoint ok again after the end.
    for key in [
        "start_to_running_s",
        "start_to_first_failed_request_s",
        "end_to_recovered_s",
    ] {
        let t = journal["timings"][key].as_f64();
        assert!(
            t.is_some_and(|t| (0.0..60.0).contains(&t)),
            "{held_journal}: timings.{key} = {:?}",
            journal["timings"]
        );
    }
    // The journal's samples carry the phase they were judged in: per endpoint, as many
    // `during` samples as the during table counts.
    let samples = journal["samples"].as_array().expect("samples");
    for probe in journal["steady_states"]["during"]["probes"]
        .as_array()
        .expect("probes")
    {
        let n = samples
            .iter()
            .filter(|s| s["phase"] == "during" && s["endpoint"] == probe["endpoint"])
            .count() as u64;
        let counted = probe["ok"].as_u64().unwrap_or(0) + probe["failed"].as_u64().unwrap_or(0);
        assert_eq!(n, counted, "verify held: journal samples vs table: {probe}");
    }
    // The pre-flight listed the Region's actions, read the safety lever and the template
    // (through the SDK's ListActions, GetSafetyLever and GetExperimentTemplate) before the
    // start, and read the template's stop-condition alarm in moto's CloudWatch (DescribeAlarms).
    let names: Vec<&str> = held["fis_calls"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["call"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names.get(..4),
        Some(
            &[
                "ListActions",
                "GetSafetyLever",
                "GetExperimentTemplate",
                "StartExperiment"
            ][..]
        ),
        "verify held: the pre-flight's calls come first: {held}"
    );
    let said = held["stdout"].as_str().unwrap_or_default();
    assert!(
        said.contains("pre-flight: stop-condition alarms: chaos-lab-") && said.contains(" OK"),
        "verify held: the stop-condition alarm read in CloudWatch: {said}"
    );
    let token = held["fis_calls"][3]["client_token"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        token.len(),
        36,
        "verify held: a fresh UUID client token: {held}"
    );
    assert!(
        held["stdout"]
            .as_str()
            .unwrap_or_default()
            .contains("hypothesis held"),
        "verify held: says so: {held}"
    );

    // The spec claiming that the reviews survive the cut: the same healthy run deviates.
    let wrong = &execs["wrong"];
    assert_eq!(
        wrong["exit"], 1,
        "verify wrong: a false hypothesis must deviate: {wrong}"
    );
    let out = wrong["stdout"].as_str().unwrap_or_default();
    assert!(
        out.contains("reviews ✘") && out.contains("products ✔"),
        "verify wrong: deviates on the reviews alone: {out}"
    );
    // And says why: the expectation it broke, with the counts, and what the requests got.
    assert!(
        out.contains("  during: reviews expected healthy (99 % ok at least), but "),
        "verify wrong: names the broken expectation: {out}"
    );
    assert!(
        out.contains(" app 503: dynamodb"),
        "verify wrong: the app's 503 naming DynamoDB: {out}"
    );

    let deviated = &execs["deviated"];
    assert_eq!(
        deviated["exit"], 1,
        "verify deviated: the unguarded app must deviate: {deviated}"
    );
    assert!(
        deviated["stdout"]
            .as_str()
            .unwrap_or_default()
            .contains("products ✘"),
        "verify deviated: on the catalog: {deviated}"
    );

    let baseline = &execs["baseline"];
    assert_eq!(
        baseline["exit"], 5,
        "verify baseline: a cut dependency fails the baseline: {baseline}"
    );
    assert_eq!(
        calls(baseline, "StartExperiment"),
        0,
        "verify baseline: nothing started: {baseline}"
    );

    let interrupted = &execs["interrupted"];
    let why = "verify interrupted: an interrupt stops the experiment it started";
    assert_eq!(interrupted["exit"], 6, "{why}: {interrupted}");
    assert_eq!(
        calls(interrupted, "StopExperiment"),
        1,
        "{why}: {interrupted}"
    );
    assert_eq!(
        interrupted["experiments"]["EXP0001"]["status"], "stopped",
        "{why}: {interrupted}"
    );
    assert!(
        interrupted["stdout"]
            .as_str()
            .unwrap_or_default()
            .contains("stopped experiment EXP0001"),
        "{why}: {interrupted}"
    );
}

/// The hypothesis the lab spec states for one of its experiments.
fn hypothesis(spec: &str, experiment: &str) -> chaoslab::experiments::Hypothesis {
    let path = common::root().join(spec);
    let text = std::fs::read_to_string(&path).expect("spec");
    let lab = chaoslab::load(spec, &text).expect("the blueprint loads");
    lab.experiments
        .into_iter()
        .find(|e| e.name == experiment)
        .and_then(|e| e.hypothesis)
        .unwrap_or_else(|| panic!("{spec} has no hypothesis for {experiment}"))
}

/// Which of `h`'s healthy endpoints miss its tolerance during the scenario's fault (every
/// request: the probe's and the load clients').
/// The healthy endpoints whose answers show them below the hypothesis's tolerance. A share
/// under a random fault (7 % of the packets lost) is judged on a few dozen answers, so an
/// endpoint fails only when the evidence says so: when even the upper end of the 95 %
/// confidence interval of its ok share (Wilson's score interval) is below the tolerance. A
/// full run saw 41 of 47 reviews ok (87 %) against 90 %, an interval of 75-94 %: not evidence
/// of a broken shop; the counterfactuals (0 of 14, 4 of 16) are far below it.
fn unhealthy(s: &Value, h: &chaoslab::experiments::Hypothesis) -> Vec<String> {
    h.healthy
        .iter()
        // The harness stands in for no Lambda function: `fn/<name>` is not probed here.
        .filter(|ep| !ep.starts_with("fn/"))
        .filter(|ep| {
            let e = endpoint(s, "fault", ep);
            let (ok, failed) = (num(e, &["ok"]), num(e, &["failed"]));
            let n = ok + failed;
            if n == 0.0 {
                return true;
            }
            let (p, z2) = (ok / n, 1.96_f64 * 1.96);
            let upper =
                (p + z2 / (2.0 * n) + (z2 * (p * (1.0 - p) / n + z2 / (4.0 * n * n))).sqrt())
                    / (1.0 + z2 / n);
            upper * 100.0 < h.tolerance
        })
        .map(|ep| format!("{ep}: {}", endpoint(s, "fault", ep)))
        .collect()
}

/// Article 8's Fargate tier, from its own task definition: the app container's command and
/// environment as Terraform evaluates them (the app, its requirements and its config handed
/// over in variables), run as the task would run them. Its promise is the reference lab's:
/// DynamoDB cut, or delayed past the 2 s budget as the `dynamodb-latency` experiment
/// delays it, fails only the reviews, fast; a delay inside the budget fails nothing. The
/// counterfactual is the mild delay itself: the same claims, which must fail there.
#[test]
fn the_fargate_task_boots_from_its_task_definition_and_keeps_the_promise() {
    let lab = common::root().join("generated/chaos-shop-containers-serverless");
    let args = [
        "--scenario",
        "dynamodb:dynamodb:4",
        "--scenario",
        "dynamodb-latency:dynamodb+latency2500:4",
        "--scenario",
        "dynamodb-mild-latency:dynamodb+latency500:4",
        "--baseline",
        "4",
        "--fault",
        "12",
        "--recovery",
        "8",
    ];
    let Some(report) = rehearse(&lab, &args) else {
        return;
    };
    assert_eq!(report["boot"]["exit"], 0, "{report}");
    let task = &report["task"];
    assert_eq!(
        task["image"],
        "public.ecr.aws/docker/library/python:3.12-slim"
    );
    assert_eq!(task["command"], serde_json::json!(["python", "-c"]));
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let mut broken = Vec::new();
    for s in &scenarios[..2] {
        if let Err(b) = claims(s) {
            broken.extend(b);
        }
    }
    assert!(
        broken.is_empty(),
        "the Fargate task breaks its promise:\n{}",
        broken.join("\n")
    );
    // The lab's own hypothesis for its latency experiment, on the delayed run.
    let h = hypothesis(
        "blueprints/chaos-shop-containers-serverless.yaml",
        "dynamodb-latency",
    );
    assert_eq!(h.degraded, ["reviews"]);
    assert!(unhealthy(&scenarios[1], &h).is_empty(), "{}", scenarios[1]);

    // 500 ms is inside the budget: the reviews answer, slower, so the cut's claims fail.
    let mild = &scenarios[2];
    let reviews = endpoint(mild, "fault", "reviews");
    assert_eq!(num(reviews, &["failed"]), 0.0, "{reviews}");
    assert!(
        num(reviews, &["p50"]) >= 0.45,
        "the delay was not applied: {reviews}"
    );
    claims(mild).expect_err("a delay the app absorbs passed as a cut: the claims cannot fail");
}

/// Article 5's network faults on the stress blueprint, which no netem here can inject: every
/// dependency call delayed 200 ms (`network-latency`) and 7 % of every dependency's packets
/// lost (`packet-loss`), judged against the lab's own hypotheses (every endpoint healthy, at
/// its tolerance). The counterfactuals, the same judgment on faults the app cannot absorb
/// (2.5 s, past its budget; 50 % loss), must fail.
#[test]
fn latency_and_packet_loss_slow_the_shop_but_do_not_break_it() {
    let lab = common::root().join("generated/chaos-shop-stress");
    let args = [
        "--scenario",
        "latency:all+latency200:4",
        "--scenario",
        "loss:all+loss7:4",
        "--scenario",
        "too-slow:all+latency2500:4",
        "--scenario",
        "too-lossy:all+loss50:4",
        "--baseline",
        "4",
        "--fault",
        "20",
        // The hypotheses are judged on a share (90 % for the loss): at least 40 answers per
        // endpoint, a failure is 2.5 % of them.
        "--fault-samples",
        "40",
        "--recovery",
        "6",
    ];
    let Some(report) = rehearse(&lab, &args) else {
        return;
    };
    let s = report["scenarios"].as_array().expect("scenarios");
    let spec = "blueprints/chaos-shop-stress.yaml";
    let latency = hypothesis(spec, "network-latency");
    let loss = hypothesis(spec, "packet-loss");
    assert!(
        unhealthy(&s[0], &latency).is_empty(),
        "200 ms broke the shop: {}",
        s[0]
    );
    for ep in ["reviews", "promo"] {
        let (b, f) = (
            endpoint(&s[0], "baseline", ep),
            endpoint(&s[0], "fault", ep),
        );
        assert!(
            num(f, &["p50"]) >= num(b, &["p50"]) + 0.15,
            "the delay was not applied to {ep}: {b} then {f}"
        );
    }
    assert!(
        unhealthy(&s[1], &loss).is_empty(),
        "7 % loss broke the shop: {}",
        s[1]
    );
    assert!(
        !unhealthy(&s[2], &latency).is_empty(),
        "2.5 s passed as healthy: {}",
        s[2]
    );
    assert!(
        !unhealthy(&s[3], &loss).is_empty(),
        "50 % loss passed as healthy: {}",
        s[3]
    );
    // Everything recovers.
    for sc in s {
        for ep in ["products", "reviews", "promo"] {
            let r = endpoint(sc, "recovery", ep);
            assert!(
                num(r, &["ok"]) > 0.0,
                "{} {ep} did not recover: {r}",
                sc["name"]
            );
        }
    }
}
