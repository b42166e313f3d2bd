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
    /// An HTTP response with this status.
    Status(u16),
    /// No response: `timeout`, `refused`, `reset`, `dns`, `malformed`, or another I/O kind.
    Error(&'static str),
}

/// `GET url.base + path`, within `timeout` from start to last byte.
pub fn get(url: &Url, path: &str, timeout: Duration) -> Outcome {
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
    let mut buf = Vec::with_capacity(1024);
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
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            // The status line is all the probe needs; it reads on only to let the
            // response finish, as a client does, up to a bound.
            if buf.len() > 1 << 20 {
                return Ok(());
            }
        }
    })();
    match (status(&buf), io) {
        (Some(code), _) => Outcome::Status(code),
        (None, Err(e)) => Outcome::Error(kind(&e)),
        (None, Ok(())) => Outcome::Error("malformed"),
    }
}

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
    }

    #[test]
    fn status_lines() {
        assert_eq!(status(b"HTTP/1.1 503 Service Unavailable\r\n"), Some(503));
        assert_eq!(status(b"HTTP/1.0 200 OK\r\nX: y\r\n"), Some(200));
        assert_eq!(status(b"HTTP/1.1 200"), None);
        assert_eq!(status(b"SSH-2.0\r\n"), None);
    }
}
