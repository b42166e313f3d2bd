//! String literals: the only way spec text reaches HCL.
//!
//! Besides quotes, backslashes and control characters, HCL treats `${` and `%{` inside a
//! quoted string as template syntax; doubling the marker (`$${`, `%%{`) makes it literal.

use crate::base::text::unsafe_char;

/// Escapes `s` for use between the quotes of an HCL string.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            // Controls, and (defence in depth: E009 keeps them out of specs) the characters
            // that reorder or hide text.
            c if unsafe_char(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a quoted HCL string literal.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// `s` as one POSIX shell word for a command in a Markdown code block: bare when every
/// character is harmless, single-quoted otherwise, and ANSI-C quoted (`$'…'`, with `\xHH`)
/// when it holds a control character, one that reorders or hides text, or a backtick, so that no raw line break or backtick can
/// end the code block around it.
pub fn sh_word(s: &str) -> String {
    let harmless = |c: char| c.is_ascii_alphanumeric() || "_.,:/=+@%-".contains(c);
    if !s.is_empty() && s.chars().all(harmless) {
        return s.to_owned();
    }
    if !s.chars().any(|c| unsafe_char(c) || c == '`') {
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\'' | '\\' | '`' => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if unsafe_char(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_cannot_break_out() {
        assert_eq!(sh_word("product_id"), "product_id");
        assert_eq!(sh_word("a b"), "'a b'");
        assert_eq!(sh_word("it's"), "'it'\\''s'");
        assert_eq!(sh_word("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(sh_word("a\n```b"), "$'a\\x0a\\x60\\x60\\x60b'");
        assert_eq!(sh_word(""), "''");
        assert_eq!(sh_word("a\u{202e}b"), "$'a\\xe2\\x80\\xaeb'");
    }

    #[test]
    fn escapes_template_markers_and_specials() {
        assert_eq!(quote("${x}"), r#""$${x}""#);
        assert_eq!(quote("%{ if }"), r#""%%{ if }""#);
        assert_eq!(quote("$${x}"), r#""$$${x}""#);
        assert_eq!(quote("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(quote("$ and % alone"), r#""$ and % alone""#);
        assert_eq!(quote("\u{7}"), r#""\u0007""#);
        assert_eq!(quote("héllo ✓"), "\"héllo ✓\"");
        assert_eq!(quote("a\u{202e}b\u{7f}"), r#""a\u202eb\u007f""#);
    }
}
