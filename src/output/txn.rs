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
//!    stale one removed, the manifest last; then the guard goes, then the journal and staging.
//!    A failure here rolls every step back from the copies in `old/`.
//! 4. **Recover**: every run, `check` and `diff` included, first looks for a journal under the
//!    directory's lock. One there means a run was killed after its commit point: its steps
//!    are replayed (each is idempotent), finishing the new tree. A staging folder without one
//!    was killed before it: it is discarded, the old tree untouched.
//!
//! No fsync: a killed process loses nothing the kernel accepted; after a power loss the
//! directory may need `chaoslab generate` again (the tree is regenerable and in git).

use super::GeneratedFile;
use super::dir::{Entry, LabDir};
use super::manifest::is_safe_name;
use crate::errors::{Error, Refusal, Result};

/// chaoslab's working folder inside a lab directory (git-ignored, removed by every run).
pub const STAGING: &str = ".chaoslab-staging";
/// The guard Terraform meets while a generate is between its commit and its end.
pub const GUARD: &str = "chaoslab-interrupted.tf";
const GUARD_TEXT: &str = "# chaoslab generate was interrupted while it replaced this lab's files, so Terraform\n\
# refuses this directory (no Terraform is version 0.0.0). Run any chaoslab command on it,\n\
# e.g. `chaoslab check SPEC`: it finishes the interrupted run and removes this file.\n\
terraform {\n  required_version = \"= 0.0.0\"\n}\n";
const JOURNAL: &str = ".chaoslab-staging/journal";
const JOURNAL_TMP: &str = ".chaoslab-staging/journal.tmp";
const JOURNAL_HEADER: &str = "chaoslab journal 1";

/// One change to the tree. The journal lists them in the order they are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A file that did not exist.
    Add(String),
    /// A file replaced; its old bytes are in `old/`.
    Replace(String),
    /// A file removed; its old bytes are in `old/`.
    Remove(String),
}

impl Step {
    pub fn name(&self) -> &str {
        match self {
            Step::Add(n) | Step::Replace(n) | Step::Remove(n) => n,
        }
    }

    fn line(&self) -> String {
        let verb = match self {
            Step::Add(_) => "add",
            Step::Replace(_) => "replace",
            Step::Remove(_) => "remove",
        };
        format!("{verb} {}\n", self.name())
    }

    fn parse(line: &str) -> Option<Step> {
        let (verb, name) = line.split_once(' ')?;
        if !is_safe_name(name) {
            return None;
        }
        let name = name.to_owned();
        match verb {
            "add" => Some(Step::Add(name)),
            "replace" => Some(Step::Replace(name)),
            "remove" => Some(Step::Remove(name)),
            _ => None,
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
    match forward(dir, &steps) {
        Ok(()) => finish(dir),
        Err(e) => match back(dir, &steps).and_then(|()| finish(dir)) {
            Ok(()) => Err(e),
            // The journal stays: the next run finishes the new tree.
            Err(_) => Err(Error::Refused {
                path: dir.path().to_path_buf(),
                reason: Refusal::Interrupted(e.to_string()),
            }),
        },
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
            dir.create(&old(c.step.name()), bytes)?;
        }
        journal.push_str(&c.step.line());
    }
    dir.create(&new(GUARD), GUARD_TEXT.as_bytes())?;
    dir.create(JOURNAL_TMP, journal.as_bytes())
}

/// Applies the journal's steps; each is a no-op when already done, so a replay after a kill
/// completes exactly what is left.
fn forward(dir: &LabDir, steps: &[Step]) -> Result<()> {
    if dir.exists(&new(GUARD))? {
        dir.rename(&new(GUARD), GUARD)?;
    }
    for step in steps {
        let name = step.name();
        match step {
            Step::Add(_) | Step::Replace(_) => {
                if dir.exists(&new(name))? {
                    dir.rename(&new(name), name)?;
                }
            }
            // Removed only while it is still the file staged as its old version.
            Step::Remove(_) => {
                if let (Entry::File(now), Entry::File(was)) =
                    (dir.read(name)?, dir.read(&old(name))?)
                    && now == was
                {
                    dir.remove_file(name)?;
                }
            }
        }
    }
    Ok(())
}

/// Undoes `steps` after a failure, last first, from the copies in `old/`.
fn back(dir: &LabDir, steps: &[Step]) -> Result<()> {
    for step in steps.iter().rev() {
        let name = step.name();
        match step {
            Step::Add(_) => {
                if !dir.exists(&new(name))? {
                    dir.remove_file(name)?;
                }
            }
            Step::Replace(_) => dir.rename(&old(name), name)?,
            Step::Remove(_) => {
                if !dir.exists(name)? {
                    dir.rename(&old(name), name)?;
                }
            }
        }
    }
    Ok(())
}

/// Ends a transaction: the guard, then the journal, then the staging folder.
fn finish(dir: &LabDir) -> Result<()> {
    if dir.read(GUARD)? == Entry::File(GUARD_TEXT.as_bytes().to_vec()) {
        dir.remove_file(GUARD)?;
    }
    dir.remove_tree(STAGING)
}

/// Finishes a run that was killed after its commit point, or discards one killed before it.
/// Called under the lock by every command before it looks at the tree.
pub fn recover(dir: &LabDir) -> Result<()> {
    match dir.read(JOURNAL)? {
        Entry::Absent => {}
        Entry::File(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let mut lines = text.lines();
            if lines.next() == Some(JOURNAL_HEADER) {
                let steps: Vec<Step> = lines.filter_map(Step::parse).collect();
                forward(dir, &steps)?;
            }
        }
        Entry::Unsafe { path, reason } => return Err(Error::Refused { path, reason }),
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
