use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Result lines on stdout as they come; status lines on stderr, redrawn in place, and only
/// when stderr is a terminal.
struct Terminal {
    tty: bool,
    drawn: bool,
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
        println!("{line}");
        let _ = std::io::stdout().flush();
    }
}

fn main() -> ExitCode {
    let mut live = Terminal {
        tty: std::io::stderr().is_terminal(),
        drawn: false,
    };
    let outcome = chaoslab::cli::run_live(std::env::args_os(), &mut live);
    if live.drawn {
        eprint!("\r\x1b[2K");
    }
    use chaoslab::cli::colour;
    let no_color = std::env::var_os("NO_COLOR");
    let paint = |terminal: bool| colour::enabled(terminal, no_color.as_deref());
    match paint(std::io::stdout().is_terminal()) {
        true => print!("{}", colour::stdout(&outcome.stdout)),
        false => print!("{}", outcome.stdout),
    }
    match paint(live.tty) {
        true => eprint!("{}", colour::stderr(&outcome.stderr)),
        false => eprint!("{}", outcome.stderr),
    }
    ExitCode::from(outcome.code)
}
