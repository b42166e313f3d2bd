//! The commands that take lab specs (`generate`, `check`, `diff`, `validate`): any number of
//! spec files or directories of them, each run in turn even when one fails, with one summary
//! line at the end when there were several.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use super::messages::Ctx;
use super::{out_dir, read};
use crate::base::errors::{Error, Severity};
use crate::output::Difference;

/// What one spec came to: a word for the summary line, and the exit code it asks for.
pub(crate) type Verdict = (&'static str, u8);

/// The spec files named by `args`: files as given, directories as their `*.yaml` files
/// (sorted, not recursive: a blueprints folder). `true` when there are several to summarise.
pub(crate) fn expand(args: &[PathBuf]) -> Result<(Vec<PathBuf>, bool), Error> {
    let mut specs = Vec::new();
    let mut several = args.len() > 1;
    for arg in args {
        if !arg.is_dir() {
            specs.push(arg.clone());
            continue;
        }
        several = true;
        let found = files_in(arg, &["yaml"])?;
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "{} holds no lab spec (*.yaml)",
                arg.display()
            )));
        }
        specs.extend(found);
    }
    Ok((specs, several))
}

/// The regular files of `dir` whose extension is one of `extensions`, sorted; not recursive.
pub(crate) fn files_in(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Error> {
    let mut found: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if wanted && path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Runs `one` for every spec of `args`, reporting each failure and carrying on; the exit code
/// is the highest any spec asked for (so a spec error, 2, outranks drift, 1).
pub(crate) fn each(
    ctx: &mut Ctx,
    command: &str,
    args: &[PathBuf],
    out: Option<&Path>,
    mut one: impl FnMut(&mut Ctx, &Path) -> Result<Verdict, Error>,
) -> u8 {
    let exit = |e: &Error| u8::try_from(e.exit_code()).unwrap_or(1);
    let (specs, several) = match expand(args) {
        Ok(found) => found,
        Err(e) => {
            ctx.error("", &e);
            return exit(&e);
        }
    };
    if several && out.is_some() {
        let e = Error::Usage(
            "-o names one lab's directory; give one spec with it, or leave it out so each lab uses generated/<lab>/".into(),
        );
        ctx.error("", &e);
        return exit(&e);
    }
    let mut code = 0;
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for spec in &specs {
        let word = match one(ctx, spec) {
            Ok((word, c)) => {
                code = code.max(c);
                word
            }
            Err(e) => {
                ctx.error(&spec.display().to_string(), &e);
                code = code.max(exit(&e));
                "failed"
            }
        };
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    if several {
        // A fixed order, whatever order the specs came in: outcomes by name, failures last.
        counts.sort_by_key(|&(word, _)| (word == "failed", word));
        let mut line = format!(
            "{command}: {} spec{}",
            specs.len(),
            if specs.len() == 1 { "" } else { "s" }
        );
        for (word, n) in counts {
            let _ = write!(line, ", {n} {word}");
        }
        line.push('\n');
        // `diff`'s stdout stays a patch; its summary goes with the messages.
        match command {
            "diff" if !ctx.quiet => ctx.stderr.push_str(&line),
            _ => ctx.say(&line),
        }
    }
    code
}

/// How diff headers name a lab directory: relative to the working directory when the path is
/// (or lies under it), else nothing, so headers read `a/fis.tf` rather than `a//tmp/…`.
pub(crate) fn label(dir: &Path) -> String {
    let relative = if dir.is_absolute() {
        match std::env::current_dir() {
            Ok(cwd) => match dir.strip_prefix(&cwd) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => return String::new(),
            },
            Err(_) => return String::new(),
        }
    } else {
        dir.to_path_buf()
    };
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

pub(crate) fn generate(
    ctx: &mut Ctx,
    spec: &Path,
    out: Option<&Path>,
    force: bool,
) -> Result<Verdict, Error> {
    let lab = read(spec, ctx)?;
    let files = crate::generate(&lab)?;
    let dir = out_dir(&lab, out);
    let changes = crate::output::write(&dir, &files, force)?;
    let mut text = String::new();
    for name in &changes.written {
        let _ = writeln!(text, "wrote   {}", dir.join(name).display());
    }
    for name in &changes.removed {
        let _ = writeln!(text, "removed {}", dir.join(name).display());
    }
    for name in &changes.kept {
        let _ = writeln!(
            text,
            "kept    {} (no longer generated, but not provably unchanged since chaoslab wrote it: yours now)",
            dir.join(name).display()
        );
    }
    let _ = writeln!(
        text,
        "{}: {} written, {} removed, {} unchanged",
        dir.display(),
        changes.written.len(),
        changes.removed.len(),
        changes.unchanged
    );
    ctx.say(&text);
    Ok(("generated", 0))
}

/// Writes nothing of its own (it finishes a generate killed midway, as every command does).
/// On drift, stdout gets what differs per file, then the diff (as `diff`
/// prints it); stderr gets the error and the `generate` command that fixes it.
pub(crate) fn check(ctx: &mut Ctx, spec: &Path, out: Option<&Path>) -> Result<Verdict, Error> {
    let file = spec.display().to_string();
    let lab = read(spec, ctx)?;
    let files = crate::generate(&lab)?;
    let dir = out_dir(&lab, out);
    let cmp = crate::output::compare(&dir, &files, &label(&dir))?;
    if !cmp.foreign_terraform.is_empty() {
        let message = format!(
            "{} holds Terraform files chaoslab did not generate; Terraform applies them with the lab: {}",
            dir.display(),
            cmp.foreign_terraform.join(", ")
        );
        ctx.message(Severity::Warning, &file, &message, "");
    }
    if cmp.files.is_empty() {
        ctx.say(&format!("{}: up to date\n", dir.display()));
        return Ok(("up to date", 0));
    }
    let (state, tree) = match dir.exists() {
        true => ("out of date", "out of date"),
        false => ("not generated yet", "missing"),
    };
    let mut text = format!("{}: {state}\n", dir.display());
    for (name, kind) in &cmp.files {
        let _ = writeln!(text, "  {:<9} {name}", kind.as_str());
    }
    text.push_str(&cmp.diff);
    ctx.say(&text);
    let out_arg = out
        .map(|o| format!(" -o {}", o.display()))
        .unwrap_or_default();
    let foreign = cmp.files.iter().any(|(_, k)| *k == Difference::Foreign);
    let help = format!(
        "run `chaoslab generate {}{out_arg}{}` and commit the result{}",
        spec.display(),
        if foreign { " --force" } else { "" },
        if foreign {
            "; --force replaces the foreign files: move them first if they matter"
        } else {
            ""
        }
    );
    ctx.message(
        Severity::Error,
        &file,
        &format!("{}: the generated tree is {tree}", dir.display()),
        &help,
    );
    Ok(("out of date", 1))
}

/// The diff alone, exit 0 either way: the output to read or to pipe into `patch`.
pub(crate) fn diff(ctx: &mut Ctx, spec: &Path, out: Option<&Path>) -> Result<Verdict, Error> {
    let lab = read(spec, ctx)?;
    let files = crate::generate(&lab)?;
    let dir = out_dir(&lab, out);
    let cmp = crate::output::compare(&dir, &files, &label(&dir))?;
    ctx.stdout.push_str(&cmp.diff);
    Ok((
        if cmp.files.is_empty() {
            "same"
        } else {
            "different"
        },
        0,
    ))
}

pub(crate) fn validate(ctx: &mut Ctx, spec: &Path) -> Result<Verdict, Error> {
    let lab = read(spec, ctx)?;
    let n = lab.experiments.len();
    ctx.say(&format!(
        "{}: ok (lab {}, {n} experiment{})\n",
        crate::base::text::printable(&spec.display().to_string()),
        lab.name,
        if n == 1 { "" } else { "s" }
    ));
    Ok(("ok", 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_clean_relative_paths() {
        assert_eq!(label(Path::new("./out/")), "out");
        assert_eq!(label(Path::new("generated/lab")), "generated/lab");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(label(&cwd.join("x/y")), "x/y");
        assert_eq!(label(&cwd), "");
        assert_eq!(label(Path::new("/surely/not/under/the/cwd")), "");
    }
}
