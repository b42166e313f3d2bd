use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context as _;

/// Result lines on stdout as they come; status lines on stderr, redrawn in place, and only
/// when stderr is a terminal. A stdout that fails (its reader gone) is kept, not written to
/// again, and reported at the end.
struct Terminal {
    tty: bool,
    drawn: bool,
    broken: Option<std::io::Error>,
}

impl chaoslab::cli::Live for Terminal {
    fn status(&mut self, line: &str) {
        if self.tty {
            eprint!("\r\x1b[2K{line}");
            self.drawn = true;
        }
    }

    fn line(&mut self, line: &str) {
        if std::mem::take(&mut self.drawn) {
            eprint!("\r\x1b[2K");
        }
        if self.broken.is_none() {
            let mut out = std::io::stdout().lock();
            self.broken = writeln!(out, "{line}").and_then(|()| out.flush()).err();
        }
    }
}

fn main() -> ExitCode {
    let mut live = Terminal {
        tty: std::io::stderr().is_terminal(),
        drawn: false,
        broken: None,
    };
    let outcome = chaoslab::cli::run_live(std::env::args_os(), &mut live);
    if live.drawn {
        eprint!("\r\x1b[2K");
    }
    use chaoslab::cli::colour;
    let no_color = std::env::var_os("NO_COLOR");
    let paint = |terminal: bool| colour::enabled(terminal, no_color.as_deref());
    let written = match live.broken.take() {
        Some(e) => Err(e),
        None => {
            let text = match paint(std::io::stdout().is_terminal()) {
                true => colour::stdout(&outcome.stdout),
                false => outcome.stdout,
            };
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
    };
    match paint(live.tty) {
        true => eprint!("{}", colour::stderr(&outcome.stderr)),
        false => eprint!("{}", outcome.stderr),
    }
    match written.context("writing the result to stdout") {
        Ok(()) => ExitCode::from(outcome.code),
        Err(e) => {
            // Exit 3, as every other I/O error.
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}
