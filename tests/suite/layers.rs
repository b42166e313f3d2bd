//! The library's layering, read from its source: every module imports only from its own layer
//! or a layer below, so each stage can be read, tested and changed without the ones above it.
//!
//! The layers, lowest first, are the folders under `src/` (see `src/lib.rs`). A reference is
//! any `crate::…` or `super::…` path outside comments, string literals and `#[cfg(test)]`
//! modules (a unit test may drive a stage through the whole pipeline). A path is resolved to
//! the top-level module it names; `super::` is resolved against the file's own module path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module not listed fails the test: a new
/// folder must be given its place here.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["spec"],
    &["resources"],
    &["catalog"],
    &["experiments"],
    // `chaoslab lint` reads templates through the catalog and the experiments' checks.
    &["lint"],
    &["model"],
    &["render"],
    &["output"],
    // The pipeline's entry points (`load`, `generate` in lib.rs) and what drives it.
    &[
        "<root>", "probe", "verify", "rehearse", "report", "schema", "cli",
    ],
];

/// Files over this many lines fail: one job per file.
const MAX_LINES: usize = 700;

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The module path of a source file, e.g. `src/resources/app.rs` → `["resources", "app"]`;
/// `lib.rs` and `main.rs` are the root (`[]`).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

/// The source with comments, string and char literals blanked and every `#[cfg(test)]` item
/// removed, so only code that ships is read.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            i += end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].bytes().take_while(|&c| c == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.push_str("\"\"");
            i += end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if rest.starts_with("#[cfg(test)]") {
            // Skip the attribute and the item after it: up to its matching close brace, or its
            // semicolon for a one-line item.
            let mut j = i + "#[cfg(test)]".len();
            let mut depth = 0usize;
            while j < b.len() {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    b';' if depth == 0 => {
                        j += 1;
                        break;
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The top-level module each `crate::`/`super::` path in `code` names, with its line.
fn references(module: &[String], code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(['c', 's']) {
            let tail = &rest[at..];
            let boundary = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            let target = if !boundary {
                None
            } else if let Some(p) = tail.strip_prefix("crate::") {
                Some(first_segment(p))
            } else if tail.starts_with("super::") {
                let mut path: Vec<String> = module.to_vec();
                // In `a/mod.rs` the module is `a`, so `super` is its parent; in `a/b.rs` the
                // module is `a::b`, so `super` is `a`.
                let mut p = tail;
                while let Some(after) = p.strip_prefix("super::") {
                    path.pop();
                    p = after;
                }
                Some(match path.first() {
                    Some(top) => top.clone(),
                    None => first_segment(p),
                })
            } else {
                None
            };
            if let Some(t) = target {
                found.push((n + 1, t));
            }
            rest = &rest[at + 1..];
        }
    }
    found
}

fn first_segment(p: &str) -> String {
    let seg: String = p
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // A root item (`crate::load`, `crate::generate`) belongs to the root layer.
    if layer(&seg).is_some() {
        seg
    } else {
        "<root>".to_owned()
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = src_dir();
    let files = crate::common::rust_sources(&src);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut bad = Vec::new();
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for file in &files {
        let module = module_path(&src, file);
        let top = module
            .first()
            .cloned()
            .unwrap_or_else(|| "<root>".to_owned());
        let Some(own) = layer(&top) else {
            bad.push(format!(
                "{}: module `{top}` has no layer in tests/suite/layers.rs",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read source");
        for (line, target) in references(&module, &code_only(&text)) {
            let to = layer(&target).expect("first_segment yields a layered name");
            *edges.entry((top.clone(), target.clone())).or_default() += 1;
            if to > own {
                bad.push(format!(
                    "{}:{line}: `{top}` (layer {own}) uses `{target}` (layer {to}), a layer above",
                    file.strip_prefix(&src).unwrap_or(file).display()
                ));
            }
        }
    }
    assert!(
        edges
            .keys()
            .any(|(from, to)| from == "model" && to == "base"),
        "the reference scan found no model → base import: it is not reading the source"
    );
    assert!(
        bad.is_empty(),
        "{} upward imports:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_scan_sees_an_upward_import_and_ignores_comments_tests_and_strings() {
    let module = vec!["catalog".to_owned(), "network".to_owned()];
    let code = code_only(
        "use crate::base::hcl::Block;\n\
         use crate::model::x; // crate::render::y\n\
         /// [`crate::cli::z`]\n\
         let s = \"crate::output::w\";\n\
         use super::kinds::TargetKind;\n\
         #[cfg(test)]\nmod tests {\n    use crate::cli::run;\n}\n",
    );
    let refs: Vec<String> = references(&module, &code)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(refs, ["base", "model", "catalog"]);
    let root = references(&["model".to_owned()], "use super::load;");
    assert_eq!(root, [(1, "<root>".to_owned())]);
}

#[test]
fn no_source_file_is_over_700_lines() {
    let src = src_dir();
    let files = crate::common::rust_sources(&src);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f)
                .expect("read source")
                .lines()
                .count();
            (n > MAX_LINES).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
