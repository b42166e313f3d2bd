//! Colour for a terminal. The commands return plain text; the binary passes what it prints
//! through [`stdout`] and [`stderr`] only when the stream is a terminal and `NO_COLOR` is unset
//! or empty (no-color.org), so pipes, files and tests always get plain text.

use std::ffi::OsStr;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Whether to colour a stream: a terminal, and `NO_COLOR` (its value) absent or empty.
pub fn enabled(terminal: bool, no_color: Option<&OsStr>) -> bool {
    terminal && no_color.is_none_or(OsStr::is_empty)
}

fn paint(out: &mut String, style: &str, line: &str) {
    let (body, end) = match line.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (line, ""),
    };
    out.push_str(style);
    out.push_str(body);
    out.push_str(RESET);
    out.push_str(end);
}

/// Unified diffs in `text`: headers bold, hunks cyan, removals red, additions green. A diff
/// starts at a `--- ` line and ends at the first line a hunk cannot hold.
pub fn stdout(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut in_diff = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("--- ") || (in_diff && line.starts_with("+++ ")) {
            in_diff = true;
            paint(&mut out, BOLD, line);
        } else if in_diff && line.starts_with("@@") {
            paint(&mut out, CYAN, line);
        } else if in_diff && line.starts_with('+') {
            paint(&mut out, GREEN, line);
        } else if in_diff && line.starts_with('-') {
            paint(&mut out, RED, line);
        } else {
            in_diff = in_diff && (line.starts_with(' ') || line.starts_with('\\'));
            out.push_str(line);
        }
    }
    out
}

/// Messages: `error…:` red, `warning…:` yellow, `= help:` cyan, each on its leading words.
pub fn stderr(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("error") {
            Some(RED)
        } else if line.starts_with("warning") {
            Some(YELLOW)
        } else if line.trim_start().starts_with("= help:") {
            Some(CYAN)
        } else {
            None
        };
        match (style, line.split_once(": ")) {
            (Some(style), Some((head, rest))) => {
                out.push_str(BOLD);
                out.push_str(style);
                out.push_str(head);
                out.push(':');
                out.push_str(RESET);
                out.push(' ');
                out.push_str(rest);
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_terminal_without_no_color_gets_colour() {
        assert!(enabled(true, None));
        assert!(enabled(true, Some(OsStr::new(""))));
        assert!(!enabled(true, Some(OsStr::new("1"))));
        assert!(!enabled(false, None));
    }

    #[test]
    fn diffs_and_messages_are_painted_and_nothing_else_changes() {
        let diff = "out: out of date\n--- a/x.tf\n+++ b/x.tf\n@@ -1 +1 @@\n-old\n+new\n same\nout: done\n- not a diff\n";
        let painted = stdout(diff);
        assert!(painted.contains("\x1b[31m-old\x1b[0m\n"));
        assert!(painted.contains("\x1b[32m+new\x1b[0m\n"));
        assert!(
            painted.ends_with("out: done\n- not a diff\n"),
            "{painted:?}"
        );
        assert!(painted.starts_with("out: out of date\n"));
        let strip = |s: &str| {
            [RED, GREEN, YELLOW, CYAN, BOLD, RESET]
                .iter()
                .fold(s.to_owned(), |s, c| s.replace(c, ""))
        };
        assert_eq!(strip(&painted), diff);
        let msg = "error[E043]: no tier\n  --> a:1:1\n  = help: fix it\nwarning: odd\n";
        let painted = stderr(msg);
        assert!(painted.starts_with("\x1b[1m\x1b[31merror[E043]:\x1b[0m no tier"));
        assert_eq!(strip(&painted), msg);
    }
}
