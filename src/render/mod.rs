//! Stage 4: Terraform blocks → HCL text, byte-identical to `terraform fmt`.
//!
//! terraform fmt aligns the `=` of consecutive single-line attributes (a blank line, a nested
//! block or a multi-line value ends the run) and indents two spaces per bracket level. The
//! renderer produces exactly that layout, so formatting the output again is a no-op; the
//! conformance test runs a real `terraform fmt -check` to keep it honest.

use crate::base::escape;
pub mod gitignore;
pub mod money;
pub mod schedule_text;
pub mod templates;
pub mod tenants;

pub use crate::base::escape::quote;

use crate::base::hcl::{Block, Expr, File, Item, Key, Part};

/// A rendering bug: chaoslab built a reference that is not a plain traversal.
#[derive(Debug, PartialEq, Eq)]
pub struct BadReference(pub String);

/// Renders a file: the header comment lines, then the blocks separated by blank lines.
pub fn render_file(file: &File, header: &[String]) -> Result<String, BadReference> {
    let mut out = String::new();
    for line in header {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    for block in &file.blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        render_block(&mut out, block, 0)?;
    }
    Ok(out)
}

/// Renders a file of top-level attributes only (a `.tfvars` or a `-backend-config` file):
/// the header comment lines, then the attributes, their `=` aligned as `terraform fmt` does.
pub fn render_attrs(
    attrs: &[(&'static str, Expr)],
    header: &[String],
) -> Result<String, BadReference> {
    let mut out = String::new();
    for line in header {
        // An empty comment line without the trailing space `terraform fmt` would not keep.
        out.push('#');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    let lines = attrs
        .iter()
        .map(|(k, v)| Ok(Line::Assign((*k).to_owned(), expr(v, 0)?)))
        .collect::<Result<Vec<_>, _>>()?;
    write_aligned(&mut out, &lines, 0);
    Ok(out)
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn render_block(out: &mut String, block: &Block, level: usize) -> Result<(), BadReference> {
    indent(out, level);
    out.push_str(block.kind);
    for label in &block.labels {
        out.push(' ');
        out.push_str(&quote(label));
    }
    if block.body.is_empty() {
        out.push_str(" {}\n");
        return Ok(());
    }
    out.push_str(" {\n");
    let mut lines: Vec<Line> = Vec::new();
    for (i, item) in block.body.iter().enumerate() {
        match item {
            Item::Attr(key, value) => {
                lines.push(Line::Assign((*key).to_owned(), expr(value, level + 1)?))
            }
            Item::Blank => lines.push(Line::Blank),
            Item::Block(b) => {
                if i > 0 && !matches!(block.body.get(i - 1), Some(Item::Blank)) {
                    lines.push(Line::Blank);
                }
                let mut text = String::new();
                render_block(&mut text, b, level + 1)?;
                lines.push(Line::Raw(text));
            }
        }
    }
    write_aligned(out, &lines, level + 1);
    indent(out, level);
    out.push_str("}\n");
    Ok(())
}

/// A rendered body line, before `=` alignment.
enum Line {
    Assign(String, String),
    Blank,
    /// Already rendered and indented text (a nested block), ending in a newline.
    Raw(String),
}

/// Writes lines, padding keys so the `=` of each run of single-line assignments lines up.
fn write_aligned(out: &mut String, lines: &[Line], level: usize) {
    let single = |l: &Line| matches!(l, Line::Assign(_, v) if !v.contains('\n'));
    let mut rest = lines;
    while let Some(first) = rest.first() {
        let n = if single(first) {
            rest.iter().take_while(|l| single(l)).count()
        } else {
            1
        };
        let (run, tail) = rest.split_at(n);
        let width = run
            .iter()
            .map(|l| match l {
                Line::Assign(k, _) => k.chars().count(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        for line in run {
            match line {
                Line::Assign(k, v) => {
                    indent(out, level);
                    out.push_str(k);
                    if !v.contains('\n') {
                        for _ in k.chars().count()..width {
                            out.push(' ');
                        }
                    }
                    out.push_str(" = ");
                    out.push_str(v);
                    out.push('\n');
                }
                Line::Blank => out.push('\n'),
                Line::Raw(text) => out.push_str(text),
            }
        }
        rest = tail;
    }
}

/// Whether a value renders on one line inside a list or a one-entry object.
fn is_simple(e: &Expr) -> bool {
    match e {
        Expr::List(_) | Expr::Map(_) => false,
        Expr::Call(_, args) => args.iter().all(is_simple),
        Expr::Template(parts) => parts.iter().all(|p| match p {
            Part::Lit(_) => true,
            Part::Interp(e) => is_simple(e),
        }),
        _ => true,
    }
}

/// Renders an expression whose first line continues the current line at `level`.
fn expr(e: &Expr, level: usize) -> Result<String, BadReference> {
    Ok(match e {
        Expr::Str(s) => quote(s),
        Expr::Num(n) => n.clone(),
        Expr::Add(e, n) => format!("{} + {n}", expr(e, level)?),
        Expr::Bool(b) => b.to_string(),
        Expr::Ref(r) => {
            let plain = |c: char| c.is_ascii_alphanumeric() || "_.[]*-".contains(c);
            if r.is_empty() || !r.chars().all(plain) {
                return Err(BadReference(r.clone()));
            }
            r.clone()
        }
        Expr::Call(name, args) => {
            let args = args
                .iter()
                .map(|a| expr(a, level))
                .collect::<Result<Vec<_>, _>>()?;
            format!("{name}({})", args.join(", "))
        }
        Expr::Template(parts) => {
            let mut s = String::from("\"");
            for (i, p) in parts.iter().enumerate() {
                match p {
                    Part::Lit(text) => {
                        // A `$` or `%` right before an interpolation would read as `$${`/`%%{`
                        // (a literal marker): spell it as an interpolated string instead.
                        let next_is_interp = matches!(parts.get(i + 1), Some(Part::Interp(_)));
                        match text.strip_suffix(['$', '%']) {
                            Some(head) if next_is_interp => {
                                s.push_str(&escape::escape(head));
                                s.push_str(if text.ends_with('$') {
                                    "${\"$\"}"
                                } else {
                                    "${\"%\"}"
                                });
                            }
                            _ => s.push_str(&escape::escape(text)),
                        }
                    }
                    Part::Interp(e) => {
                        s.push_str("${");
                        s.push_str(&expr(e, level)?);
                        s.push('}');
                    }
                }
            }
            s.push('"');
            s
        }
        Expr::List(items) if items.is_empty() => "[]".to_owned(),
        Expr::List(items) if items.iter().all(is_simple) => {
            let items = items
                .iter()
                .map(|i| expr(i, level))
                .collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", items.join(", "))
        }
        Expr::List(items) => {
            let mut s = String::from("[\n");
            for item in items {
                indent(&mut s, level + 1);
                s.push_str(&expr(item, level + 1)?);
                s.push_str(",\n");
            }
            indent(&mut s, level);
            s.push(']');
            s
        }
        Expr::Map(entries) if entries.is_empty() => "{}".to_owned(),
        Expr::Map(entries) => match entries.as_slice() {
            [(k, v)] if is_simple(v) => format!("{{ {} = {} }}", key(k), expr(v, level)?),
            _ => {
                let lines = entries
                    .iter()
                    .map(|(k, v)| Ok(Line::Assign(key(k), expr(v, level + 1)?)))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut s = String::from("{\n");
                write_aligned(&mut s, &lines, level + 1);
                indent(&mut s, level);
                s.push('}');
                s
            }
        },
    })
}

/// Object keys: a bare identifier when unambiguous, else a quoted (escaped) string.
fn key(k: &Key) -> String {
    let s = k.0.as_str();
    let ident = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(s, "null" | "true" | "false" | "for" | "in" | "if");
    if ident { s.to_owned() } else { quote(s) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::hcl::{interp, lit};

    fn file(blocks: Vec<Block>) -> String {
        render_file(
            &File {
                name: "t.tf",
                blocks,
            },
            &[],
        )
        .unwrap()
    }

    #[test]
    fn aligns_runs_and_breaks_them_at_blocks_and_multiline_values() {
        let b = Block::resource("aws_x", "y")
            .attr("count", Expr::int(2))
            .blank()
            .attr("name", Expr::str("a"))
            .attr("description", Expr::str("b"))
            .attr(
                "tags",
                Expr::map([("Name", Expr::str("n")), ("Tier", Expr::str("private"))]),
            )
            .attr("id", Expr::r("x.y"))
            .block(Block::new("rule", &[]).attr("enabled", Expr::Bool(true)));
        assert_eq!(
            file(vec![b]),
            "resource \"aws_x\" \"y\" {\n  count = 2\n\n  name        = \"a\"\n  description = \"b\"\n  tags = {\n    Name = \"n\"\n    Tier = \"private\"\n  }\n  id = x.y\n\n  rule {\n    enabled = true\n  }\n}\n"
        );
    }

    #[test]
    fn templates_lists_and_calls() {
        let b = Block::new("locals", &[])
            .attr(
                "a",
                Expr::template(vec![interp(Expr::r("var.p")), lit("-${x}")]),
            )
            .attr("b", Expr::List(vec![Expr::str("x"), Expr::r("y.z")]))
            .attr(
                "c",
                Expr::call(
                    "jsonencode",
                    vec![Expr::map([("k", Expr::map([("S", Expr::str("1"))]))])],
                ),
            );
        assert_eq!(
            file(vec![b]),
            "locals {\n  a = \"${var.p}-$${x}\"\n  b = [\"x\", y.z]\n  c = jsonencode({\n    k = { S = \"1\" }\n  })\n}\n"
        );
    }

    #[test]
    fn a_marker_character_before_an_interpolation_stays_literal() {
        let b = Block::new("locals", &[])
            .attr(
                "a",
                Expr::template(vec![lit("cost: $"), interp(Expr::r("var.x")), lit("%")]),
            )
            .attr(
                "b",
                Expr::template(vec![lit("100%"), interp(Expr::r("var.y"))]),
            );
        assert_eq!(
            file(vec![b]),
            "locals {\n  a = \"cost: ${\"$\"}${var.x}%\"\n  b = \"100${\"%\"}${var.y}\"\n}\n"
        );
    }

    #[test]
    fn rejects_non_traversal_references() {
        let b = Block::new("locals", &[]).attr("a", Expr::r("x }\nevil"));
        assert!(
            render_file(
                &File {
                    name: "t.tf",
                    blocks: vec![b]
                },
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        assert_eq!(key(&Key("product_id".into())), "product_id");
        assert_eq!(key(&Key("for".into())), "\"for\"");
        assert_eq!(key(&Key("3#r1".into())), "\"3#r1\"");
        assert_eq!(key(&Key("a\"b".into())), "\"a\\\"b\"");
    }
}
