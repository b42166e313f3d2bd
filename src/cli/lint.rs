//! `chaoslab lint FILE...`: reads the files (directories as their template files), lints them
//! as one set, and reports each file's findings as `validate` reports a spec's.

use std::path::{Path, PathBuf};

use super::messages::Ctx;
use crate::base::errors::{Error, Severity, SpecErrors};
use crate::lint::{Source, lint};

/// The file names lint reads from a directory.
const EXTENSIONS: [&str; 4] = ["json", "yaml", "yml", "tf"];

/// Files as given; directories as their template files, sorted, not recursive.
fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            out.push(arg.clone());
            continue;
        }
        out.extend(super::specs::files_in(arg, &EXTENSIONS)?);
    }
    Ok(out)
}

pub(crate) fn run(ctx: &mut Ctx, args: &[PathBuf]) -> u8 {
    let exit = |e: &Error| u8::try_from(e.exit_code()).unwrap_or(1);
    let files = match expand(args) {
        Ok(files) => files,
        Err(e) => {
            ctx.error("", &e);
            return exit(&e);
        }
    };
    let mut code = 0;
    let mut sources = Vec::new();
    for path in &files {
        match super::read_text(path) {
            Ok(text) => sources.push(Source {
                file: label(path),
                text,
            }),
            Err(e) => {
                ctx.error(&label(path), &e);
                code = code.max(exit(&e));
            }
        }
    }
    for (source, linted) in sources.iter().zip(lint(&sources)) {
        let errors = linted
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if errors > 0 || (ctx.deny_warnings && !linted.diagnostics.is_empty()) {
            let e = Error::Spec(Box::new(SpecErrors {
                file: source.file.clone(),
                source: source.text.clone(),
                diagnostics: linted.diagnostics,
            }));
            ctx.error(&source.file, &e);
            code = code.max(exit(&e));
            continue;
        }
        for w in &linted.diagnostics {
            ctx.diagnostic(&source.file, &source.text, w);
        }
        let n = linted.templates;
        ctx.say(&format!(
            "{}: ok ({n} template{})\n",
            crate::base::text::printable(&source.file),
            if n == 1 { "" } else { "s" }
        ));
    }
    code
}

fn label(path: &Path) -> String {
    path.display().to_string()
}
