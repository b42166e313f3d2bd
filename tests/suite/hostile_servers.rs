//! `chaoslab probe` against servers that misbehave, each a real loopback socket: one that
//! accepts and never answers, one that streams a body without end (fast, and a byte at a
//! time), and a path or URL that would add a header. The probe's threads stay bounded, a
//! response counts only once it has ended, nothing unchecked reaches the request line,
//! Ctrl-C ends it at once, and a thread it cannot start is an error, not a panic.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The probe's cap on requests in flight (`chaoslab::probe::MAX_IN_FLIGHT`).
const CAP: usize = chaoslab::probe::MAX_IN_FLIGHT as usize;

/// A loopback server that runs `serve` on a thread per connection; `accepted` counts them.
struct Server {
    url: String,
    accepted: Arc<AtomicUsize>,
}

impl Server {
    fn start(serve: fn(TcpStream)) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || serve(conn));
            }
        });
        Server { url, accepted }
    }
}

/// Reads the request, then holds the connection open without a byte of answer.
fn silent(mut conn: TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
    while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
}

/// A 200 whose body never ends, as fast as the socket takes it.
fn endless(mut conn: TcpStream) {
    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n");
    let block = [b'x'; 16 << 10];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) && conn.write_all(&block).is_ok() {}
}

/// A 200 whose body comes a byte every 100 ms, never ending: each read is well within any
/// read timeout, as a slow-loris server sends it.
fn trickle(mut conn: TcpStream) {
    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) && conn.write_all(b"x").is_ok() {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Answers by path as the lab's app and its load balancer do when they fail: `/app` the
/// app's JSON 503 naming its dependency, `/elb` the load balancer's own 502, `/boom` a 500.
fn failing(mut conn: TcpStream) {
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).unwrap_or(0);
    let request = String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned();
    let reply: &[u8] = if request.starts_with("GET /app ") {
        b"HTTP/1.1 503 SERVICE UNAVAILABLE\r\nServer: gunicorn\r\nContent-Type: application/json\r\n\r\n{\"error\": \"reviews temporarily unavailable\", \"dependency\": \"dynamodb\"}\n"
    } else if request.starts_with("GET /elb ") {
        b"HTTP/1.1 502 Bad Gateway\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\n\r\n<html><body>502 Bad Gateway</body></html>\r\n"
    } else {
        b"HTTP/1.1 500 Internal Server Error\r\n\r\n"
    };
    let _ = conn.write_all(reply);
}

fn probe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .arg("probe")
        .args(args)
        .output()
        .expect("chaoslab probe runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The JSONL records' `error` fields.
fn errors(jsonl: &Path) -> Vec<String> {
    std::fs::read_to_string(jsonl)
        .expect("jsonl written")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            assert_eq!(v["ok"], false, "{l}");
            v["error"].as_str().unwrap_or("(none)").to_owned()
        })
        .collect()
}

#[test]
fn a_server_that_never_answers_gets_no_more_requests_than_the_cap() {
    let server = Server::start(silent);
    // Four workers, a round every 10 ms, 5 s each: unbounded, some 800 requests would be in
    // flight by the end of the phase (one thread each).
    let out = probe(&[
        "--url",
        &server.url,
        "--path",
        "a=/",
        "--concurrency",
        "4",
        "--interval",
        "10ms",
        "--timeout",
        "5s",
        "--phase",
        "p=2s",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let sent = server.accepted.load(Ordering::SeqCst);
    assert!(sent <= CAP, "{sent} requests in flight at once, over {CAP}");
    // The cap was what bound it (each worker's share, 64, is reached within 0.7 s).
    assert!(sent >= CAP / 2, "only {sent} requests reached the server");
    assert!(stdout.contains("round(s) not sent"), "{stdout}");
}

#[test]
fn a_body_that_does_not_end_is_a_failure_not_an_ok() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (serve, want) in [
        (endless as fn(TcpStream), "too-large"),
        (trickle, "timeout"),
    ] {
        let server = Server::start(serve);
        let jsonl = dir.path().join(format!("{want}.jsonl"));
        let out = probe(&[
            "--url",
            &server.url,
            "--path",
            "a=/",
            "--timeout",
            "1s",
            "--interval",
            "500ms",
            "--phase",
            "p=2s",
            "--jsonl",
            jsonl.to_str().expect("utf-8 path"),
        ]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(stdout.contains("a ok=0/"), "{want}: {stdout}");
        let errors = errors(&jsonl);
        assert!(!errors.is_empty(), "{want}: no request recorded");
        assert!(errors.iter().all(|e| e == want), "{want}: {errors:?}");
    }
}

/// The table says why requests failed and who answered: the app's 503 naming its
/// dependency, the load balancer's own 5xx, another status; the JSONL says it per request.
#[test]
fn failures_are_told_apart_in_the_table_and_the_jsonl() {
    let server = Server::start(failing);
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = dir.path().join("p.jsonl");
    let out = probe(&[
        "--url",
        &server.url,
        "--path",
        "reviews=/app",
        "--path",
        "promo=/elb",
        "--path",
        "products=/boom",
        "--interval",
        "200ms",
        "--phase",
        "p=1s",
        "--jsonl",
        jsonl.to_str().expect("utf-8 path"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("  failed: "))
        .unwrap_or_else(|| panic!("no failure line:\n{stdout}"));
    for (endpoint, reason) in [
        ("reviews", "app 503: dynamodb"),
        ("promo", "load balancer 502"),
        ("products", "HTTP 500"),
    ] {
        let part = line
            .split("; ")
            .find(|p| p.contains(&format!("{endpoint} ")))
            .unwrap_or_else(|| panic!("{endpoint} missing: {line}"));
        assert!(part.ends_with(&format!(" {reason}")), "{endpoint}: {line}");
    }
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .expect("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |ep: &str| {
        records
            .iter()
            .filter(|r| r["endpoint"] == ep)
            .map(|r| {
                (
                    r["status"].as_u64(),
                    r["reason"].as_str().map(str::to_owned),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        of("reviews")
            .iter()
            .all(|r| r == &(Some(503), Some("app 503: dynamodb".into())))
    );
    assert!(
        of("promo")
            .iter()
            .all(|r| r == &(Some(502), Some("load balancer 502".into())))
    );
    assert!(!of("reviews").is_empty() && !of("promo").is_empty());
}

/// With a lab spec, `--path` adds to the lab's endpoints (a Lambda route, a page of one's
/// own); `--only-paths` probes only those; a name the lab uses already is refused.
#[test]
fn a_path_adds_to_the_labs_endpoints_unless_only_paths_is_given() {
    let server = Server::start(failing);
    let spec = "blueprints/chaos-shop-dependencies.yaml";
    let run = |extra: &[&str]| {
        let mut args = vec![spec, "--url", server.url.as_str(), "--phase", "p=1s"];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
            .arg("probe")
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("probe runs");
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // The endpoints of the phase's line: each name before its `ok=N/M`.
    let names = |stdout: &str| -> Vec<String> {
        let line = stdout
            .lines()
            .find(|l| l.starts_with("p ("))
            .unwrap_or_default();
        let words: Vec<&str> = line.split(' ').collect();
        words
            .windows(2)
            .filter(|w| w[1].starts_with("ok="))
            .map(|w| w[0].to_owned())
            .collect()
    };
    let (code, stdout, stderr) = run(&["--path", "fn-checkout=/fn/checkout"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        names(&stdout),
        ["products", "reviews", "promo", "fn-checkout"],
        "{stdout}"
    );
    let (code, stdout, stderr) = run(&["--path", "fn-checkout=/fn/checkout", "--only-paths"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(names(&stdout), ["fn-checkout"], "{stdout}");
    let (code, _, stderr) = run(&["--path", "promo=/other"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("`promo` is probed already"), "{stderr}");
}

#[test]
fn a_path_or_url_that_would_add_a_header_is_refused_before_any_request() {
    let server = Server::start(silent);
    let injected = format!("{}/x\r\nX-Injected: 1", server.url);
    for args in [
        vec![
            "--url",
            server.url.as_str(),
            "--path",
            "a=/x\r\nX-Injected: 1",
        ],
        vec!["--url", server.url.as_str(), "--path", "a=/x y"],
        vec!["--url", injected.as_str(), "--path", "a=/"],
    ] {
        let mut all = args.clone();
        all.extend(["--phase", "p=1s"]);
        let out = probe(&all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot go on an HTTP request line"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 0);
}

/// Ctrl-C while every request waits out a 30 s timeout: the probe ends at once with its
/// partial table (it used to wait for them), exit 130.
#[test]
fn ctrl_c_ends_the_probe_without_waiting_for_requests_in_flight() {
    let server = Server::start(silent);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
        .args(["probe", "--url", &server.url, "--path", "a=/"])
        .args(["--timeout", "30s", "--phase", "p=60s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("probe starts");
    // Requests are in flight once the server has accepted one (bounded: 20 s).
    let start = Instant::now();
    while server.accepted.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        server.accepted.load(Ordering::SeqCst) > 0,
        "no request sent"
    );
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    // Well under the 30 s any request in flight would take.
    let waited = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if waited.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    let stdout = text(&out.stdout);
    let status = status.unwrap_or_else(|| panic!("still running 15 s after Ctrl-C:\n{stdout}"));
    assert_eq!(status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("p (interrupted)"), "{stdout}");
}

/// Under a limit of 12 processes and threads (a cgroup's pids.max, the kernel's own limit),
/// the probe cannot start the threads it asks for: it says so and exits 3, where it used to
/// panic, or report ok=0/0 and exit 0.
#[test]
fn a_thread_the_probe_cannot_start_is_an_error() {
    let Some(group) = PidsCgroup::new(12) else {
        return;
    };
    let server = Server::start(silent);
    let script = format!("echo $$ > {} && exec \"$0\" \"$@\"", group.procs.display());
    let out = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_chaoslab"), "probe"])
        .args(["--url", &server.url, "--path", "a=/", "--concurrency", "64"])
        .args(["--interval", "10ms", "--timeout", "3s", "--phase", "p=2s"])
        .output()
        .expect("probe runs");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("could not start a probe"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A pids cgroup of its own (v2, or v1's `pids` hierarchy), removed on drop.
struct PidsCgroup {
    dir: std::path::PathBuf,
    procs: std::path::PathBuf,
}

impl PidsCgroup {
    /// `None` (after saying why; failing under CI) where no pids cgroup can be made.
    fn new(max: u32) -> Option<PidsCgroup> {
        let name = format!("chaoslab-test-{}", std::process::id());
        let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers");
        let base = if std::fs::read_to_string(v2).is_ok_and(|c| c.contains("pids")) {
            Path::new("/sys/fs/cgroup").to_owned()
        } else {
            Path::new("/sys/fs/cgroup/pids").to_owned()
        };
        let dir = base.join(name);
        let made = std::fs::create_dir(&dir)
            .and_then(|()| std::fs::write(dir.join("pids.max"), max.to_string()));
        match made {
            Ok(()) => Some(PidsCgroup {
                procs: dir.join("cgroup.procs"),
                dir,
            }),
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must run this test, but no pids cgroup can be made at {}: {e}",
                    dir.display()
                );
                eprintln!(
                    "SKIPPED: no pids cgroup at {} ({e}); needs root",
                    dir.display()
                );
                None
            }
        }
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        // Its process has ended (output() waited for it): the group is empty.
        let _ = std::fs::remove_dir(&self.dir);
    }
}
