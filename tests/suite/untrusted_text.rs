//! Untrusted text on a terminal: a spec's control and bidirectional-text characters are
//! refused with their name and place (E009), and no diagnostic prints a character of the spec
//! (or of a spec's file name) raw, in either message format.

use crate::common;

use std::process::Command;

/// The characters a terminal or an editor acts on or hides, spelled out here (not taken
/// from chaoslab): C0 controls but line feed, DEL, C1 controls, the bidirectional formatting
/// characters of Unicode TR9 and the zero-width ones.
fn raw_unsafe(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            let u = u32::from(c);
            (u < 0x20 && c != '\n')
                || (0x7f..=0x9f).contains(&u)
                || matches!(
                    u,
                    0x061c | 0x200b | 0x200e | 0x200f | 0x2028..=0x202e | 0x2060 | 0x2066..=0x2069 | 0xfeff
                )
        })
        .collect()
}

/// Specs whose diagnostics quote hostile text: a raw ESC on a line (a YAML syntax error
/// before E009), an ESC written as an escape in a key, an RLO in a comment, a BEL in a
/// value the validator quotes.
const HOSTILE: &[(&str, &str)] = &[
    ("raw-esc.yaml", "description: raw \u{1b}[2J here\n"),
    ("key.yaml", "\"x\\e]0;pwned\\a\": 1\n"),
    ("comment.yaml", "# \u{202e}gnirts a\n"),
    ("value.yaml", "prefix: \"a\\u0007\u{202e}b\"\n"),
];

#[test]
fn no_diagnostic_prints_spec_text_raw_in_either_format() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, extra) in HOSTILE {
        std::fs::write(tmp.path().join(name), format!("{}{extra}", common::MINIMAL))
            .expect("write");
    }
    // A spec whose file name holds an ESC, found by listing a directory.
    let dir = tmp.path().join("specs");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("a\u{1b}[2J.yaml"), "lab: [\n").expect("write");
    let mut runs: Vec<String> = HOSTILE.iter().map(|(n, _)| (*n).to_owned()).collect();
    runs.push("specs".to_owned());
    for spec in &runs {
        for format in ["human", "json"] {
            let out = Command::new(env!("CARGO_BIN_EXE_chaoslab"))
                .args(["--message-format", format, "validate", spec])
                .current_dir(tmp.path())
                .output()
                .expect("chaoslab runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{spec} ({format}):\n{stderr}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            for (stream, text) in [("stderr", &stderr), ("stdout", &stdout)] {
                let bad = raw_unsafe(text);
                assert!(
                    bad.is_empty(),
                    "{spec} ({format}): {stream} holds {bad:?} raw:\n{}",
                    text.escape_debug()
                );
            }
        }
    }
}

#[test]
fn control_and_bidi_characters_are_refused_by_name_and_place() {
    let message = |extra: &str| {
        let spec = format!("{}{extra}", common::MINIMAL);
        match chaoslab::load("lab.yaml", &spec) {
            Ok(_) => panic!("accepted: {extra:?}"),
            Err(chaoslab::base::errors::Error::Spec(errs)) => {
                assert_eq!(errs.diagnostics.len(), 1, "{:#?}", errs.diagnostics);
                let d = &errs.diagnostics[0];
                assert_eq!(d.code.to_string(), "E009");
                (d.pos.line, d.pos.column, d.field.clone(), d.message.clone())
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(
        message("description: Cut S3 \u{202e}olleh\n"),
        (
            8,
            21,
            "description".to_owned(),
            "U+202E RIGHT-TO-LEFT OVERRIDE at column 21".to_owned()
        )
    );
    assert_eq!(
        message("description: \"red \\e[31m\"\n").3,
        "U+001B ESCAPE as character 5 of this text (written as an escape or a `!!binary` value)"
    );
    assert_eq!(message("tags: {\"a\\0\": b}\n").2, "tags.a\0");
    assert_eq!(
        message("description: !!binary YX8=\n").3,
        "U+007F DELETE as character 2 of this text (written as an escape or a `!!binary` value)"
    );
    assert_eq!(
        message("  # \u{2066}\n").3,
        "U+2066 LEFT-TO-RIGHT ISOLATE at column 5"
    );
}

#[test]
fn tabs_line_breaks_and_a_byte_order_mark_stay_allowed() {
    let spec = format!(
        "\u{feff}{}description: |\n  two\tcolumns\r\n  and lines\r\n",
        common::MINIMAL.replace('\n', "\r\n")
    );
    let lab = chaoslab::load("lab.yaml", &spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        lab.description.as_deref(),
        Some("two\tcolumns\nand lines\n")
    );
}

/// The names E009 gives characters are Unicode's: each looked up in Python's Unicode
/// database (`unicodedata.lookup`, which knows the control characters' name aliases).
#[test]
fn character_names_are_the_unicode_names() {
    let chars: Vec<char> = (0u32..0x20)
        .chain([0x7f])
        .filter_map(char::from_u32)
        .chain(chaoslab::base::text::HIDDEN.iter().map(|&(c, _)| c))
        .collect();
    let mut script = String::from("import unicodedata\n");
    for c in &chars {
        let described = chaoslab::base::text::describe(*c);
        let (code, name) = described.split_once(' ').expect("U+XXXX NAME");
        script.push_str(&format!(
            "assert unicodedata.lookup({name:?}) == chr(0x{}), {described:?}\n",
            code.trim_start_matches("U+")
        ));
    }
    script.push_str(&format!("print({})\n", chars.len()));
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs (apt-get install python3)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        chars.len().to_string()
    );
}
