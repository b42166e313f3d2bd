//! One `generate` is one transaction: afterwards the directory holds the previous tree or the
//! new one, never a mix, whatever kills the run.
//!
//! 1. **Stage** (nothing visible changes): every new or changed file is written in full to
//!    `.chaoslab-staging/new/`, a copy of every file it replaces or removes to
//!    `.chaoslab-staging/old/`, and the list of steps to `journal.tmp`. A failure here (a full
//!    disk, a permission) removes the staging folder and leaves the tree as it was.
//! 2. **Commit**: `journal.tmp` is renamed to `journal`, atomically.
//! 3. **Apply**: `chaoslab-interrupted.tf` is put in place first: it pins an impossible
//!    Terraform version, so `terraform plan/apply` refuses the directory while it is
//!    half-updated. Then each file is renamed from `new/` into place (atomic per file), each
//!    stale one removed, the manifest last; then the journal goes, then the guard, then
//!    staging. A failure here renames `journal` to `rollback` and undoes every applied step
//!    from the copies in `old/`.
//! 4. **Recover**: every run, `check` and `diff` included, first looks under the directory's
//!    lock for what a killed run left. A `rollback` is undone to the end (the old tree); a
//!    `journal` is replayed (the new tree); a staging folder with neither is discarded. Steps
//!    carry the digests of their file before and after, so a replay never overwrites a file
//!    someone changed since the kill.
//!
//! No fsync: a killed process loses nothing the kernel accepted; after a power loss the
//! directory may need `chaoslab generate` again (the tree is regenerable and in git).

use super::GeneratedFile;
use super::dir::{Entry, LabDir};
use super::manifest::{digest, is_safe_name};
use crate::base::errors::{Error, Refusal, Result};

pub use crate::base::files::STAGING;
/// The guard Terraform meets while a generate is between its commit and its end.
pub const GUARD: &str = "chaoslab-interrupted.tf";
const GUARD_TEXT: &str = "# chaoslab generate was interrupted while it replaced this lab's files, so Terraform\n\
# refuses this directory (no Terraform is version 0.0.0). Run any chaoslab command on it,\n\
# e.g. `chaoslab check SPEC`: it finishes the interrupted run and removes this file.\n\
terraform {\n  required_version = \"= 0.0.0\"\n}\n";
const JOURNAL: &str = ".chaoslab-staging/journal";
const JOURNAL_TMP: &str = ".chaoslab-staging/journal.tmp";
/// Marks a run that failed after its commit and is undoing itself.
const ROLLBACK: &str = ".chaoslab-staging/rollback";
const JOURNAL_HEADER: &str = "chaoslab journal 2";

/// What a step does to its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file that did not exist.
    Add,
    /// A file replaced; its old bytes are in `old/`.
    Replace,
    /// A file removed; its old bytes are in `old/`.
    Remove,
}

/// One change to the tree, with the digests of the file before and after it (`None`: no file),
/// so a replay touches a file only while it is still what the run left or found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: Kind,
    pub name: String,
    before: Option<String>,
    after: Option<String>,
}

const KINDS: [(Kind, &str); 3] = [
    (Kind::Add, "add"),
    (Kind::Replace, "replace"),
    (Kind::Remove, "remove"),
];

impl Step {
    pub fn new(kind: Kind, name: &str, before: Option<&[u8]>, after: Option<&[u8]>) -> Step {
        Step {
            kind,
            name: name.to_owned(),
            before: before.map(digest),
            after: after.map(digest),
        }
    }

    fn line(&self) -> String {
        let verb = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind)
            .map_or("", |(_, v)| v);
        let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "-".to_owned());
        format!(
            "{verb} {} {} {}\n",
            show(&self.before),
            show(&self.after),
            self.name
        )
    }

    fn parse(line: &str) -> Option<Step> {
        let mut parts = line.splitn(4, ' ');
        let verb = parts.next()?;
        let kind = KINDS.iter().find(|(_, v)| *v == verb)?.0;
        let mut sum = || -> Option<Option<String>> {
            match parts.next()? {
                "-" => Some(None),
                d if d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    Some(Some(d.to_owned()))
                }
                _ => None,
            }
        };
        let (before, after) = (sum()?, sum()?);
        let name = parts.next()?;
        is_safe_name(name).then(|| Step {
            kind,
            name: name.to_owned(),
            before,
            after,
        })
    }

    /// Whether `entry` is the file this step expects in `state` (`None`: no file).
    fn is(entry: &Entry, state: &Option<String>) -> bool {
        match (entry, state) {
            (Entry::Absent, None) => true,
            (Entry::File(bytes), Some(d)) => digest(bytes) == *d,
            _ => false,
        }
    }
}

fn new(name: &str) -> String {
    format!("{STAGING}/new/{name}")
}

fn old(name: &str) -> String {
    format!("{STAGING}/old/{name}")
}

/// A planned change with the bytes it needs: the new content for additions and replacements,
/// the current content (for rollback) for replacements and removals.
pub struct Change<'a> {
    pub step: Step,
    pub new: Option<&'a GeneratedFile>,
    pub old: Option<Vec<u8>>,
}

/// Applies `changes` as one transaction (see the module doc).
pub fn run(dir: &LabDir, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    if let Err(e) = stage(dir, changes) {
        let _ = dir.remove_tree(STAGING);
        return Err(e);
    }
    dir.rename(JOURNAL_TMP, JOURNAL)?;
    let steps: Vec<Step> = changes.iter().map(|c| c.step.clone()).collect();
    let Err(failure) = forward(dir, &steps, false) else {
        return finish(dir);
    };
    // From here the run undoes itself; a kill now leaves `rollback` for the next run to
    // finish undoing, never a journal to replay over a half-undone tree.
    let undone = dir
        .rename(JOURNAL, ROLLBACK)
        .and_then(|()| back(dir, &steps))
        .and_then(|()| finish(dir));
    match undone {
        Ok(()) => Err(failure),
        Err(second) => Err(Error::Refused {
            path: dir.path().to_path_buf(),
            reason: Refusal::Interrupted {
                failure: failure.to_string(),
                rollback: second.to_string(),
            },
        }),
    }
}

fn stage(dir: &LabDir, changes: &[Change]) -> Result<()> {
    dir.remove_tree(STAGING)?;
    let mut journal = format!("{JOURNAL_HEADER}\n");
    for c in changes {
        if let Some(f) = c.new {
            dir.create(&new(&f.name), f.content.as_bytes())?;
        }
        if let Some(bytes) = &c.old {
            dir.create(&old(&c.step.name), bytes)?;
        }
        journal.push_str(&c.step.line());
    }
    dir.create(&new(GUARD), GUARD_TEXT.as_bytes())?;
    dir.create(JOURNAL_TMP, journal.as_bytes())
}

/// Applies the steps; each is a no-op when already done, so a replay after a kill completes
/// exactly what is left. A replay (`checked`) also leaves alone a file that is neither what
/// the run found there nor what it wrote: someone changed it since, and it is theirs.
fn forward(dir: &LabDir, steps: &[Step], checked: bool) -> Result<()> {
    if dir.exists(&new(GUARD))? {
        dir.rename(&new(GUARD), GUARD)?;
    }
    for step in steps {
        let name = step.name.as_str();
        match step.kind {
            Kind::Add | Kind::Replace => {
                if dir.exists(&new(name))? && (!checked || Step::is(&dir.read(name)?, &step.before))
                {
                    dir.rename(&new(name), name)?;
                }
            }
            Kind::Remove => {
                if Step::is(&dir.read(name)?, &step.before) && step.before.is_some() {
                    dir.remove_file(name)?;
                }
            }
        }
    }
    Ok(())
}

/// Undoes the steps that were applied, last first, from the copies in `old/`; a step never
/// applied (its new file still staged) is left alone, so an unwritable folder that stopped
/// the run cannot stop its rollback. Idempotent, like [`forward`].
fn back(dir: &LabDir, steps: &[Step]) -> Result<()> {
    for step in steps.iter().rev() {
        let name = step.name.as_str();
        let applied = match step.kind {
            Kind::Add | Kind::Replace => {
                !dir.exists(&new(name))? && Step::is(&dir.read(name)?, &step.after)
            }
            Kind::Remove => !dir.exists(name)?,
        };
        if !applied {
            continue;
        }
        match step.kind {
            Kind::Add => dir.remove_file(name)?,
            Kind::Replace | Kind::Remove => {
                if dir.exists(&old(name))? {
                    dir.rename(&old(name), name)?;
                }
            }
        }
    }
    Ok(())
}

/// Ends a transaction: the journal (or rollback mark) first, then the guard, then staging.
fn finish(dir: &LabDir) -> Result<()> {
    dir.remove_file(JOURNAL)?;
    dir.remove_file(ROLLBACK)?;
    match dir.read(GUARD)? {
        Entry::File(bytes) if is_guard(&bytes) => dir.remove_file(GUARD)?,
        _ => {}
    }
    dir.remove_tree(STAGING)
}

fn steps_of(bytes: &[u8]) -> Vec<Step> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_HEADER) {
        return Vec::new();
    }
    lines.filter_map(Step::parse).collect()
}

/// Finishes a run that was killed after its commit point, or finishes undoing one killed
/// while it rolled back, or discards one killed before its commit. Called under the lock by
/// every command before it looks at the tree.
pub fn recover(dir: &LabDir) -> Result<()> {
    let (rollback, journal) = (dir.read(ROLLBACK)?, dir.read(JOURNAL)?);
    for entry in [&rollback, &journal] {
        if let Entry::Unsafe { path, reason } = entry {
            return Err(Error::Refused {
                path: path.clone(),
                reason: reason.clone(),
            });
        }
    }
    if let Entry::File(bytes) = rollback {
        back(dir, &steps_of(&bytes))?;
    } else if let Entry::File(bytes) = journal {
        forward(dir, &steps_of(&bytes), true)?;
    }
    if dir.exists(STAGING)? {
        finish(dir)?;
    }
    Ok(())
}

/// Whether `bytes` are the guard chaoslab writes (so a file of that name is its own).
pub fn is_guard(bytes: &[u8]) -> bool {
    bytes == GUARD_TEXT.as_bytes()
}
