//! Characters a spec may not carry to a terminal, a README or HCL: control characters (C0,
//! DEL, C1) and the ones that reorder or hide text (bidirectional formatting, zero-width).
//!
//! A spec holding one is refused (E009, `spec::text`), so no generated file can carry one;
//! and every diagnostic passes what it shows through [`printable`], so no message can either,
//! whatever it quotes (a key, a value, a line of the spec, a file name).

use std::borrow::Cow;

/// Unicode names of the C0 controls (U+0000 to U+001F, by code point) and DEL.
const C0: [&str; 32] = [
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "ALERT",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
];

/// The bidirectional formatting characters (Unicode TR9: embeddings, overrides, isolates and
/// the implicit marks) and the zero-width characters that hide text, with their names.
pub const HIDDEN: &[(char, &str)] = &[
    ('\u{061C}', "ARABIC LETTER MARK"),
    ('\u{200B}', "ZERO WIDTH SPACE"),
    ('\u{200E}', "LEFT-TO-RIGHT MARK"),
    ('\u{200F}', "RIGHT-TO-LEFT MARK"),
    ('\u{2028}', "LINE SEPARATOR"),
    ('\u{2029}', "PARAGRAPH SEPARATOR"),
    ('\u{202A}', "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202B}', "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202C}', "POP DIRECTIONAL FORMATTING"),
    ('\u{202D}', "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{2060}', "WORD JOINER"),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FIRST STRONG ISOLATE"),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
    ('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE"),
];

/// Whether `c` is a control character or one of [`HIDDEN`].
pub fn unsafe_char(c: char) -> bool {
    c.is_control() || hidden(c)
}

/// Whether `c` is one of [`HIDDEN`].
pub fn hidden(c: char) -> bool {
    HIDDEN.iter().any(|&(h, _)| h == c)
}

/// `c` as a diagnostic names it: `U+001B ESCAPE`, `U+202E RIGHT-TO-LEFT OVERRIDE`.
pub fn describe(c: char) -> String {
    let code = u32::from(c);
    let name = match c {
        '\u{7F}' => Some("DELETE"),
        '\u{80}'..='\u{9F}' => Some("(a C1 control character)"),
        _ => usize::try_from(code)
            .ok()
            .and_then(|i| C0.get(i).copied())
            .or_else(|| HIDDEN.iter().find(|&&(h, _)| h == c).map(|&(_, n)| n)),
    };
    match name {
        Some(name) => format!("U+{code:04X} {name}"),
        None => format!("U+{code:04X}"),
    }
}

/// `text` as a terminal, a CI log or an editor may show it: each [`unsafe_char`] (line breaks
/// and tabs included) written as `\u{1b}`, everything else as it is. The one escaping every
/// diagnostic goes through, in both message formats.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`] line by line: for multi-line messages whose line breaks are chaoslab's own.
pub fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(printable)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Items as a sentence lists them: `a`, `a and b`, `a, b and c`; nothing for none.
pub fn and_list(items: &[impl AsRef<str>]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// A Markdown code span that shows `s` literally, whatever backticks it holds.
pub fn code_span(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let s = printable(&s);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 && !s.starts_with(' ') {
        format!("{fence}{s}{fence}")
    } else {
        format!("{fence} {s} {fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_and_hidden_characters_only() {
        assert_eq!(printable("plain ✓ text"), "plain ✓ text");
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(
            printable("x\u{202e}y\u{7f}\n\t"),
            "x\\u{202e}y\\u{7f}\\u{a}\\u{9}"
        );
        assert_eq!(printable_lines("a\u{7}\nb"), "a\\u{7}\nb");
    }

    #[test]
    fn characters_are_named() {
        assert_eq!(describe('\u{1b}'), "U+001B ESCAPE");
        assert_eq!(describe('\0'), "U+0000 NULL");
        assert_eq!(describe('\u{7f}'), "U+007F DELETE");
        assert_eq!(describe('\u{202e}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(describe('\u{85}'), "U+0085 (a C1 control character)");
    }
}
