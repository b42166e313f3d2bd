//! Stage 5: put the rendered tree on disk safely, or compare it with what is there.
//!
//! Three promises, one module each:
//! - **Ownership** ([`manifest`]): chaoslab replaces or removes a file only when its manifest
//!   lists it and the bytes prove it (a digest match, or the exact header line); anything else
//!   in the directory (tfvars, state, `.terraform/`, notes) is never touched, and a clash with
//!   a file it does not own is refused unless forced.
//! - **No links, no special files** (`dir`): every access goes through directory handles
//!   with `O_NOFOLLOW`; a link, FIFO, device or directory where a file belongs is refused
//!   (exit 3), even with `--force`, and never read.
//! - **All or nothing** (`txn`): under the directory's lock, a run leaves the old tree or
//!   the new one; a run killed midway is finished by the next.

mod dir;
mod manifest;
mod txn;

use std::path::Path;

use crate::base::errors::{Error, Result};
use dir::{Entry, LabDir};
pub use manifest::{MANIFEST, manifest};
pub use txn::GUARD;
use txn::{Change, Kind, Step};

pub use crate::base::files::{GeneratedFile, MARKER, STAGING};

/// What writing the tree changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files written (new or changed).
    pub written: Vec<String>,
    /// Stale generated files removed.
    pub removed: Vec<String>,
    /// Stale files the old manifest listed but that are no longer provably chaoslab's (edited
    /// since, or not a regular file): left in place and dropped from the manifest.
    pub kept: Vec<String>,
    pub unchanged: usize,
}

/// The manifest entries of the directory, when its manifest is chaoslab's.
fn listed(dir: &LabDir) -> Result<Vec<manifest::Listed>> {
    Ok(match dir.read(MANIFEST)? {
        Entry::File(bytes) => manifest::parse(&bytes),
        _ => Vec::new(),
    })
}

/// What a file of the new tree finds on disk.
enum Found {
    Same,
    Absent,
    /// chaoslab's, with its current bytes.
    Ours(Vec<u8>),
    /// Someone else's, with its bytes.
    Foreign(Vec<u8>),
}

fn find(dir: &LabDir, f: &GeneratedFile, listed: &[manifest::Listed]) -> Result<Found> {
    let bytes = match dir.read(&f.name)? {
        Entry::Absent => return Ok(Found::Absent),
        Entry::Unsafe { path, reason } => return Err(Error::Refused { path, reason }),
        Entry::File(bytes) => bytes,
    };
    if bytes == f.content.as_bytes() {
        return Ok(Found::Same);
    }
    let ours = if f.name == MANIFEST {
        manifest::is_manifest(&bytes)
    } else {
        listed
            .iter()
            .any(|l| l.name == f.name && l.may_replace(&bytes, f.content.as_bytes()))
    };
    Ok(if ours {
        Found::Ours(bytes)
    } else {
        Found::Foreign(bytes)
    })
}

/// Listed files the new tree drops that are still on disk: with their bytes when they may be
/// removed (still exactly what chaoslab wrote), `None` when they must be kept (edited since,
/// or no longer a regular file reachable without a link).
fn stale(
    dir: &LabDir,
    listed: &[manifest::Listed],
    all: &[GeneratedFile],
) -> Result<Vec<(String, Option<Vec<u8>>)>> {
    let mut out = Vec::new();
    for l in listed
        .iter()
        .filter(|l| !all.iter().any(|f| f.name == l.name))
    {
        match dir.read(&l.name)? {
            Entry::Absent => {}
            Entry::File(bytes) if l.unchanged(&bytes) => out.push((l.name.clone(), Some(bytes))),
            _ => out.push((l.name.clone(), None)),
        }
    }
    Ok(out)
}

/// Writes `files` and the manifest into `dir` as one transaction (see `txn`): afterwards
/// the directory holds the previous tree or the new one. Refuses, before changing anything,
/// a file it does not own (unless `force`), a link, or a special file.
pub fn write(dir: &Path, files: &[GeneratedFile], force: bool) -> Result<Changes> {
    let lab =
        LabDir::open(dir, true)?.ok_or_else(|| Error::Bug("lab directory vanished".into()))?;
    txn::recover(&lab)?;
    let listed = listed(&lab)?;
    let mut all = files.to_vec();
    all.push(manifest(files));
    // The guard's name is chaoslab's only while it holds the guard.
    match lab.read(GUARD)? {
        Entry::File(bytes) if !txn::is_guard(&bytes) => {
            return Err(Error::NotOwned {
                path: lab.show(GUARD),
            });
        }
        Entry::Unsafe { path, reason } => return Err(Error::Refused { path, reason }),
        _ => {}
    }
    let mut out = Changes::default();
    let mut changes = Vec::new();
    for f in &all {
        let (kind, old) = match find(&lab, f, &listed)? {
            Found::Same => {
                out.unchanged += 1;
                continue;
            }
            Found::Absent => (Kind::Add, None),
            Found::Ours(bytes) => (Kind::Replace, Some(bytes)),
            Found::Foreign(bytes) if force => (Kind::Replace, Some(bytes)),
            Found::Foreign(_) => {
                return Err(Error::NotOwned {
                    path: lab.show(&f.name),
                });
            }
        };
        out.written.push(f.name.clone());
        changes.push(Change {
            step: Step::new(kind, &f.name, old.as_deref(), Some(f.content.as_bytes())),
            new: Some(f),
            old,
        });
    }
    // Stale files go before the manifest that drops them (it is the last change).
    let manifest_change = changes.pop_if(|c| c.step.name == MANIFEST);
    for (name, bytes) in stale(&lab, &listed, &all)? {
        match bytes {
            Some(bytes) => {
                out.removed.push(name.clone());
                changes.push(Change {
                    step: Step::new(Kind::Remove, &name, Some(&bytes), None),
                    new: None,
                    old: Some(bytes),
                });
            }
            None => out.kept.push(name),
        }
    }
    changes.extend(manifest_change);
    txn::run(&lab, &changes)?;
    Ok(out)
}

/// Terraform files in the lab directory that chaoslab did not generate: Terraform reads every
/// `*.tf` and `*.tf.json` of the directory (links too), so they change what `apply` does.
fn foreign_terraform(dir: &LabDir, files: &[GeneratedFile]) -> Result<Vec<String>> {
    Ok(dir
        .top_level()?
        .into_iter()
        .filter(|(name, file)| {
            *file
                && (name.ends_with(".tf") || name.ends_with(".tf.json"))
                && !name.starts_with('.')
                && !files.iter().any(|f| &f.name == name)
        })
        .map(|(name, _)| name)
        .collect())
}

/// How one file on disk differs from the tree the spec generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difference {
    /// chaoslab's file, changed since (a hand edit, or an older spec).
    Modified,
    /// Not on disk (deleted, or never generated).
    Missing,
    /// Generated earlier; the spec no longer produces it.
    Stale,
    /// Someone else's file where the tree has one: `generate` refuses to replace it.
    Foreign,
    /// Listed by the old manifest, no longer produced, but edited since (or no longer a
    /// regular file): `generate` keeps it and stops listing it.
    Kept,
}

impl Difference {
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Modified => "modified",
            Difference::Missing => "missing",
            Difference::Stale => "stale",
            Difference::Foreign => "foreign",
            Difference::Kept => "kept",
        }
    }
}

/// The tree on disk against the generated one: what differs per file, and the unified diff.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// In diff order: the tree's files by name, then stale ones.
    pub files: Vec<(String, Difference)>,
    pub diff: String,
    /// Terraform files in the directory that chaoslab did not generate (sorted): Terraform
    /// applies them with the lab.
    pub foreign_terraform: Vec<String>,
}

/// Compares the tree on disk with `files`. Diff headers name each file `a/<label>/<name>`
/// (`a/<name>` when `label` is empty), so the caller picks a path a reader can use. Reads
/// no link and no special file (refused, exit 3); finishes an interrupted run first.
pub fn compare(dir: &Path, files: &[GeneratedFile], label: &str) -> Result<Comparison> {
    let label = label.trim_end_matches('/');
    let shown = |name: &str| {
        if label.is_empty() {
            name.to_owned()
        } else {
            format!("{label}/{name}")
        }
    };
    let mut all = files.to_vec();
    all.push(manifest(files));
    let mut out = Comparison::default();
    let Some(lab) = LabDir::open(dir, false)? else {
        for f in &all {
            out.files.push((f.name.clone(), Difference::Missing));
            out.diff.push_str(&unified("", &f.content, &shown(&f.name)));
        }
        return Ok(out);
    };
    txn::recover(&lab)?;
    out.foreign_terraform = foreign_terraform(&lab, files)?;
    let listed = listed(&lab)?;
    for f in &all {
        let (old, kind) = match find(&lab, f, &listed)? {
            Found::Same => continue,
            Found::Absent => (Vec::new(), Difference::Missing),
            Found::Ours(bytes) => (bytes, Difference::Modified),
            Found::Foreign(bytes) => (bytes, Difference::Foreign),
        };
        out.files.push((f.name.clone(), kind));
        out.diff.push_str(&unified(
            &String::from_utf8_lossy(&old),
            &f.content,
            &shown(&f.name),
        ));
    }
    for (name, bytes) in stale(&lab, &listed, &all)? {
        match bytes {
            Some(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                out.diff.push_str(&unified(&old, "", &shown(&name)));
                out.files.push((name, Difference::Stale));
            }
            None => out.files.push((name, Difference::Kept)),
        }
    }
    Ok(out)
}

/// A unified diff of the tree on disk against `files`; empty when they match. Headers name
/// files by `dir` as given.
pub fn diff(dir: &Path, files: &[GeneratedFile]) -> Result<String> {
    compare(dir, files, &dir.display().to_string()).map(|c| c.diff)
}

fn unified(old: &str, new: &str, name: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
