//! The probe's HTTP/1.1 client: one `GET` per connection, bounded as a whole.
//!
//! A load balancer's name resolves to several addresses; like the lab's app, the probe spends
//! its connect budget over all of them rather than giving each the full timeout, so one
//! request never takes longer than its timeout, whatever DNS answers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Where requests go: `http://host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// Path prefix of the URL (without a trailing `/`), prepended to each endpoint's path.
    pub base: String,
}

impl Url {
    /// Parses `http://host[:port][/base]`; HTTPS is refused (the lab's load balancer
    /// listens on plain HTTP).
    pub fn parse(text: &str) -> Result<Url, String> {
        let rest = text.strip_prefix("http://").ok_or_else(|| {
            format!("`{text}` is not an http:// URL (the lab's load balancer serves plain HTTP)")
        })?;
        let (authority, base) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("`{p}` is not a port in `{text}`"))?,
            ),
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(format!("`{text}` has no host"));
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if !bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:_".contains(&b))
        {
            return Err(format!(
                "`{}` is not a host name or an IP address",
                bare.escape_debug()
            ));
        }
        if !base.is_empty() {
            check_path(base).map_err(|e| format!("the URL's path {e}"))?;
        }
        Ok(Url {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    fn host_header(&self) -> String {
        if self.port == 80 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// How one request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP response with this status (from the app, as far as the probe can tell).
    Status(u16),
    /// The lab's app's own 503 for a feature whose dependency failed: its JSON body names
    /// the dependency (`{"error": ..., "dependency": "dynamodb"}`), which is what a degraded
    /// endpoint is expected to answer.
    Unavailable(String),
    /// A 5xx the load balancer answered itself (`Server: awselb/...`): no healthy target, or
    /// a target that did not answer in time.
    LoadBalancer(u16),
    /// No complete response: `timeout`, `refused`, `reset`, `dns`, `malformed`, `too-large`,
    /// `bad-path`, or another I/O kind.
    Error(&'static str),
}

/// The most of a response kept: its head (the status line is all the probe reads). The body
/// is read to its end, as a client does, but not kept.
const HEAD_KEPT: usize = 8 << 10;

/// A response body longer than this fails (`too-large`): no endpoint of the lab's app answers
/// more than a few KiB, and a server that streams without end must not count as healthy.
pub const BODY_LIMIT: u64 = 1 << 20;

/// Whether `path` can go on a request line as it is: it starts with `/` and holds visible
/// ASCII only (no space, CR, LF or other control character that could end the line or add
/// a header).
pub fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("`{}` does not start with `/`", path.escape_debug()));
    }
    match path.bytes().find(|b| !(0x21..=0x7e).contains(b)) {
        Some(b) => Err(format!(
            "`{}` holds {:?}, which cannot go on an HTTP request line (percent-encode it)",
            path.escape_debug(),
            char::from(b)
        )),
        None => Ok(()),
    }
}

/// `GET url.base + path`, within `timeout` from start to last byte. A response counts only
/// once it has ended (the server closed the connection, as `Connection: close` asks): one
/// whose body is still arriving at the deadline is a `timeout`, one past [`BODY_LIMIT`] is
/// `too-large`, whatever its status line said.
pub fn get(url: &Url, path: &str, timeout: Duration) -> Outcome {
    // Url::parse and the CLI refuse these already; nothing unchecked reaches the request line.
    if (!url.base.is_empty() && check_path(&url.base).is_err()) || check_path(path).is_err() {
        return Outcome::Error("bad-path");
    }
    let deadline = Instant::now() + timeout;
    let addrs: Vec<SocketAddr> = match (url.host.as_str(), url.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => return Outcome::Error("dns"),
    };
    let mut stream = None;
    let mut last = "timeout";
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            last = "timeout";
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = kind(&e),
        }
    }
    let Some(mut stream) = stream else {
        return Outcome::Error(last);
    };
    let request = format!(
        "GET {}{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: chaoslab-probe\r\nConnection: close\r\n\r\n",
        url.base,
        path,
        url.host_header()
    );
    let mut head = Vec::with_capacity(1024);
    let mut read: u64 = 0;
    let mut chunk = [0u8; 4096];
    let io = (|| -> std::io::Result<()> {
        set_left(&stream, deadline)?;
        stream.write_all(request.as_bytes())?;
        loop {
            set_left(&stream, deadline)?;
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            let got = chunk.get(..n).unwrap_or_default();
            let room = HEAD_KEPT.saturating_sub(head.len()).min(got.len());
            head.extend_from_slice(got.get(..room).unwrap_or_default());
            read += n as u64;
            if read > BODY_LIMIT + HEAD_KEPT as u64 {
                return Err(std::io::Error::other(TooLarge));
            }
        }
    })();
    match (status(&head), io) {
        (Some(code), Ok(())) => classify(code, &head),
        (_, Err(e)) if e.get_ref().is_some_and(|e| e.is::<TooLarge>()) => {
            Outcome::Error("too-large")
        }
        (_, Err(e)) => Outcome::Error(kind(&e)),
        (None, Ok(())) => Outcome::Error("malformed"),
    }
}

impl Outcome {
    /// The HTTP status, when there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Status(c) | Outcome::LoadBalancer(c) => Some(*c),
            Outcome::Unavailable(_) => Some(503),
            Outcome::Error(_) => None,
        }
    }

    /// Why a request failed, in a few words for the table and the journal: `timeout`,
    /// `refused`, `app 503: dynamodb`, `load balancer 502`, `HTTP 500`; `None` for a 2xx.
    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Status(c) if (200..300).contains(c) => None,
            Outcome::Status(c) => Some(format!("HTTP {c}")),
            Outcome::Unavailable(dep) => Some(format!("app 503: {dep}")),
            Outcome::LoadBalancer(c) => Some(format!("load balancer {c}")),
            Outcome::Error(e) => Some((*e).to_owned()),
        }
    }
}

/// Who answered a complete response with status `code`, from its kept head.
fn classify(code: u16, head: &[u8]) -> Outcome {
    if code < 500 {
        return Outcome::Status(code);
    }
    let text = String::from_utf8_lossy(head);
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let from_elb = headers.lines().skip(1).any(|l| {
        l.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case("server") && v.trim().starts_with("awselb")
        })
    });
    if from_elb {
        return Outcome::LoadBalancer(code);
    }
    // Only a dependency name as the app writes them reaches the table: a few lowercase
    // letters, digits, `-` or `_`, whatever else the body holds.
    let dependency = serde_json::from_str::<serde_json::Value>(body.trim())
        .ok()
        .and_then(|v| v.get("dependency")?.as_str().map(str::to_owned))
        .filter(|d| {
            (1..=32).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b))
        });
    match dependency {
        Some(dep) if code == 503 => Outcome::Unavailable(dep),
        _ => Outcome::Status(code),
    }
}

/// The marker of a body past [`BODY_LIMIT`].
#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the response is longer than {BODY_LIMIT} bytes")
    }
}

impl std::error::Error for TooLarge {}

fn set_left(stream: &TcpStream, deadline: Instant) -> std::io::Result<()> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(std::io::ErrorKind::TimedOut.into());
    }
    stream.set_read_timeout(Some(left))?;
    stream.set_write_timeout(Some(left))
}

/// The status code of a complete `HTTP/1.x NNN` status line.
fn status(buf: &[u8]) -> Option<u16> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(buf.get(..line_end)?).ok()?;
    let mut parts = line.split(' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

fn kind(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::TimedOut | K::WouldBlock => "timeout",
        K::ConnectionRefused => "refused",
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => "reset",
        K::UnexpectedEof => "malformed",
        _ => "io",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("http://lab-123.us-east-1.elb.amazonaws.com");
        assert_eq!(
            u,
            Ok(Url {
                host: "lab-123.us-east-1.elb.amazonaws.com".into(),
                port: 80,
                base: String::new()
            })
        );
        assert_eq!(
            Url::parse("http://127.0.0.1:8080/shop/").map(|u| (u.port, u.base)),
            Ok((8080, "/shop".into()))
        );
        assert!(Url::parse("https://x").is_err());
        assert!(Url::parse("http://x:notaport").is_err());
        assert!(Url::parse("http://").is_err());
        // Nothing that could end the request line or a header gets through.
        assert!(Url::parse("http://a\r\nX-Injected: 1").is_err());
        assert!(Url::parse("http://a/b c").is_err());
        assert!(Url::parse("http://a/b\nc").is_err());
    }

    #[test]
    fn paths_are_checked_for_the_request_line() {
        assert!(check_path("/products/1/reviews?x=%20").is_ok());
        for bad in ["products", "/a b", "/a\r\nHost: evil", "/a\t", "/caf\u{e9}"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        let url = Url::parse("http://127.0.0.1:9").expect("url");
        assert_eq!(
            get(&url, "/a\r\nX: y", Duration::from_secs(1)),
            Outcome::Error("bad-path")
        );
    }

    #[test]
    fn who_answered_a_failure() {
        let app = b"HTTP/1.1 503 SERVICE UNAVAILABLE\r\nServer: gunicorn\r\n\r\n{\"error\": \"reviews temporarily unavailable\", \"dependency\": \"dynamodb\"}\n";
        assert_eq!(classify(503, app), Outcome::Unavailable("dynamodb".into()));
        let elb = b"HTTP/1.1 502 Bad Gateway\r\nServer: awselb/2.0\r\n\r\n<html>";
        assert_eq!(classify(502, elb), Outcome::LoadBalancer(502));
        let odd = b"HTTP/1.1 503 X\r\n\r\n{\"dependency\": \"a b\\r\\nc\"}";
        assert_eq!(classify(503, odd), Outcome::Status(503));
        assert_eq!(classify(200, app), Outcome::Status(200));
        assert_eq!(Outcome::Status(200).reason(), None);
        assert_eq!(
            Outcome::Unavailable("s3".into()).reason().as_deref(),
            Some("app 503: s3")
        );
    }

    #[test]
    fn status_lines() {
        assert_eq!(status(b"HTTP/1.1 503 Service Unavailable\r\n"), Some(503));
        assert_eq!(status(b"HTTP/1.0 200 OK\r\nX: y\r\n"), Some(200));
        assert_eq!(status(b"HTTP/1.1 200"), None);
        assert_eq!(status(b"SSH-2.0\r\n"), None);
    }
}
