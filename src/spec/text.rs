//! E009: a spec may hold no control character (but tab and line breaks) and no character that
//! reorders or hides text ([`crate::base::text::HIDDEN`]), anywhere: not in a value, where it would
//! reach the lab's README and HCL, and not in a key or a comment, where it can make the spec
//! read differently in review from what it says ("Trojan Source", CVE-2021-42574).
//!
//! Two looks: the source text, for characters written as they are (exact line and column);
//! and every key and value as the loader resolved it, for those written as an escape (`"\e"`,
//! `"\u202e"`) or hidden in a `!!binary` value. Neither can happen without a `\` or a `!` in
//! the source, so only such a spec pays for the second look.

use serde_saphyr::Spanned;

use super::Problem;
use super::tree::{Node, pos_of};
use crate::base::diag::Problem as _;
use crate::base::errors::{Diagnostic, Pos};
use crate::base::text::{describe, unsafe_char};

/// At most this many E009 are reported: a spec full of them needs one fix, not thousands.
const MOST: usize = 10;

/// E009 for each line of `source` that holds such a character as it is (the first one on the
/// line), at its line and column.
pub fn raw(source: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    // A byte order mark may open a UTF-8 file (editors on Windows write one).
    let body = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    let shift = u64::from(body.len() != source.len());
    for (i, line) in body.split('\n').enumerate() {
        let Some((col, c)) = first_unsafe(line, &['\t', '\r']) else {
            continue;
        };
        let first = i == 0;
        let column = col as u64 + 1 + if first { shift } else { 0 };
        let line_no = i as u64 + 1;
        let (field, _) = super::path::at(source, line_no, column);
        let at = Pos {
            line: line_no,
            column,
        };
        let what = describe(c);
        found.push(Problem::HiddenChar { what, column }.at(at, field));
        if found.len() == MOST {
            break;
        }
    }
    found
}

/// The first character of `text` that E009 refuses (but those in `allowed`), with its index.
fn first_unsafe(text: &str, allowed: &[char]) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| unsafe_char(*c) && !allowed.contains(c))
}

/// Whether the source can hold a resolved character that [`raw`] cannot see: only through an
/// escape (`\`) or a tag (`!!binary`).
pub fn may_hide(source: &str) -> bool {
    source.contains(['\\', '!'])
}

/// E009 for each key or value of `tree` that resolved to such a character (tab and line feed
/// allowed: block scalars have them), at the key or value.
pub fn resolved(tree: &Spanned<Node>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    walk(tree, String::new(), &mut found);
    found
}

fn walk(node: &Spanned<Node>, field: String, found: &mut Vec<Diagnostic>) {
    if found.len() >= MOST {
        return;
    }
    match &node.value {
        Node::Null => {}
        Node::Scalar(text) => check(text, pos_of(node), &field, found),
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{field}[{i}]"), found);
            }
        }
        Node::Map(entries) => {
            for (k, v) in entries {
                let key = match &k.value {
                    Node::Scalar(s) => s.clone(),
                    _ => String::new(),
                };
                let path = match field.is_empty() {
                    true => key,
                    false => format!("{field}.{key}"),
                };
                walk(k, path.clone(), found);
                walk(v, path, found);
            }
        }
    }
}

fn check(text: &str, pos: Pos, field: &str, found: &mut Vec<Diagnostic>) {
    let Some((i, c)) = first_unsafe(text, &['\t', '\n']) else {
        return;
    };
    if found.len() < MOST {
        let (what, index) = (describe(c), i + 1);
        found.push(Problem::HiddenCharResolved { what, index }.at(pos, field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_characters_are_found_at_their_column() {
        let found = raw("a: 1\nb: x\u{202e}y # z\nc: \u{1b}\t\r\n");
        let at: Vec<(u64, u64, &str)> = found
            .iter()
            .map(|d| (d.pos.line, d.pos.column, d.message.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, 5, "U+202E RIGHT-TO-LEFT OVERRIDE at column 5"),
                (3, 4, "U+001B ESCAPE at column 4"),
            ]
        );
        assert!(raw("\u{feff}a: \"\\e\" # tab\there\r\n").is_empty());
        assert_eq!(raw("\u{feff}a: \u{7f}")[0].pos.column, 5);
        assert_eq!(raw(&"\u{200f}\n".repeat(100)).len(), MOST);
    }
}
