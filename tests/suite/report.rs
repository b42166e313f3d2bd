//! `chaoslab report`: the page a journal becomes, checked in a real browser. Debian's headless
//! Chromium (scripts/test installs it) loads the written file and dumps the DOM it built: the
//! verdict, the tables and one chart per endpoint with a dot per request must be in it. The
//! journal is a real one, written by `chaoslab rehearse --journal` (tests/fixtures/report/).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

fn journal() -> PathBuf {
    common::root().join("tests/fixtures/report/rehearse-disrupt-s3.json")
}

fn report(journals: &[&Path], out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .arg("report")
        .args(journals)
        .arg("-o")
        .arg(out)
        .output()
        .expect("chaoslab report runs")
}

/// Chromium, or `None` (after saying why; failing under CI, which installs it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|f| f.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must check the report in Chromium, which is not installed (scripts/test installs it)"
        );
        eprintln!("SKIPPED: no chromium on PATH (apt-get install chromium)");
    }
    found
}

/// The DOM Chromium built from `page`, after loading it headless with no network.
fn dom(chromium: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_journal_becomes_a_page_chromium_renders_with_its_charts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let out = report(&[&journal()], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("written");
    // Self-contained: no script, nothing fetched.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("url("));

    let Some(chromium) = chromium() else {
        return;
    };
    let dom = dom(&chromium, &page);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(journal()).expect("fixture")).expect("JSON");
    let run = &run["runs"][0];
    assert!(dom.contains("hypothesis held"), "{dom}");
    assert!(dom.contains("disrupt-s3"), "{dom}");
    // One chart per endpoint, one dot per request of the journal, each coloured by its outcome.
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 3, "{dom}");
    let samples = run["samples"].as_array().expect("samples");
    assert_eq!(dom.matches("<circle ").count(), samples.len());
    let failed = samples.iter().filter(|s| s["ok"] == false).count();
    assert!(failed > 0, "the fixture's fault failed no request");
    assert_eq!(dom.matches("<circle class=\"failed\"").count(), failed);
    // The FIS events are marked, and the failures' reason is in the tables.
    for event in ["StartExperiment", "running", "ended"] {
        assert!(dom.contains(&format!(">{event}</text>")), "{event}: {dom}");
    }
    assert!(dom.contains("app 503: s3"), "{dom}");
}

/// Two journals compare on one page; a file that is not a journal is refused with where it
/// went wrong; a file at the output that is not a report is left alone.
#[test]
fn journals_compare_on_one_page_and_nothing_else_is_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("both.html");
    let out = report(&[&journal(), &journal()], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).expect("written");
    assert_eq!(html.matches("<section class=\"run\">").count(), 2);

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"runs\": [\n  {\"title\": 1,}\n]}").expect("written");
    let out = report(&[&bad], &dir.path().join("x.html"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.json:2:"), "{stderr}");
    assert!(!dir.path().join("x.html").exists());

    let mine = dir.path().join("notes.html");
    std::fs::write(&mine, "<p>my notes</p>").expect("written");
    let out = report(&[&journal()], &mine);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        std::fs::read_to_string(&mine).expect("kept"),
        "<p>my notes</p>"
    );
}
