//! String literals: the only way spec text reaches HCL.
//!
//! Besides quotes, backslashes and control characters, HCL treats `${` and `%{` inside a
//! quoted string as template syntax; doubling the marker (`$${`, `%%{`) makes it literal.

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
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a quoted HCL string literal.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_template_markers_and_specials() {
        assert_eq!(quote("${x}"), r#""$${x}""#);
        assert_eq!(quote("%{ if }"), r#""%%{ if }""#);
        assert_eq!(quote("$${x}"), r#""$$${x}""#);
        assert_eq!(quote("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
        assert_eq!(quote("$ and % alone"), r#""$ and % alone""#);
        assert_eq!(quote("\u{7}"), r#""\u0007""#);
        assert_eq!(quote("héllo ✓"), "\"héllo ✓\"");
    }
}
