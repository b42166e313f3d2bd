//! The lab directory as an open handle: every read, write, rename and removal goes through a
//! directory file descriptor with `O_NOFOLLOW`, one path component at a time, so no symbolic
//! link inside the directory (and no directory swapped for one mid-run) can send chaoslab's
//! writes, deletions or reads anywhere else. Only regular files are read, never more than
//! [`READ_CAP`] bytes, and a FIFO or device cannot block or flood a run.
//!
//! The handle also holds the directory's exclusive `flock` for as long as it lives, so two
//! chaoslab runs on one directory never interleave.

use std::ffi::{CStr, CString};
use std::io::Read as _;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags};
use rustix::io::Errno;

use crate::base::errors::{Error, Refusal, Result};

/// More than any generated file (the largest is a README of about 25 KiB): a file past it is
/// not chaoslab's, and is never read whole.
pub const READ_CAP: u64 = 4 << 20;

/// How long a run waits for another run on the same directory to finish.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// An open, locked lab directory.
pub struct LabDir {
    fd: OwnedFd,
    path: PathBuf,
}

/// A name in the lab directory, as found without following links.
#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    Absent,
    /// A regular file and its bytes (at most [`READ_CAP`]).
    File(Vec<u8>),
    /// Anything chaoslab will not read or replace: a link, a directory, a FIFO, a device,
    /// a file past the cap, or a path through one of those (`path` names which).
    Unsafe {
        path: PathBuf,
        reason: Refusal,
    },
}

fn open_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY
}

fn dir_flags() -> OFlags {
    open_flags() | OFlags::DIRECTORY
}

/// What a name that is not a regular file is, in words for the refusal.
fn refusal_of(kind: FileType) -> Refusal {
    match kind {
        FileType::Symlink => Refusal::Symlink,
        FileType::Directory => Refusal::NotRegular("a directory"),
        FileType::Fifo => Refusal::NotRegular("a FIFO"),
        FileType::Socket => Refusal::NotRegular("a socket"),
        FileType::CharacterDevice => Refusal::NotRegular("a character device"),
        FileType::BlockDevice => Refusal::NotRegular("a block device"),
        _ => Refusal::NotRegular("not a regular file"),
    }
}

impl LabDir {
    /// Opens and locks `path`, creating it (and its parents) when `create`. `None` when it does
    /// not exist and `create` is false. The directory itself must not be a symbolic link; its
    /// parents may be (they are the user's choice of where the lab lives).
    pub fn open(path: &Path, create: bool) -> Result<Option<LabDir>> {
        // `lab/` and `lab/.` name `lab` itself: its last real component must not be a link.
        let path: PathBuf = path.components().collect();
        let path = path.as_path();
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Refused {
                path: path.to_path_buf(),
                reason: Refusal::Symlink,
            });
        }
        if create {
            std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        }
        let fd = match rustix::fs::openat(rustix::fs::CWD, path, dir_flags(), Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if !create => return Ok(None),
            Err(e) => {
                let kind = std::fs::symlink_metadata(path)
                    .ok()
                    .map(|m| FileType::from_raw_mode(std::os::unix::fs::MetadataExt::mode(&m)));
                return Err(refused_or_io(path, kind, e));
            }
        };
        let dir = LabDir {
            fd,
            path: path.to_path_buf(),
        };
        dir.lock()?;
        Ok(Some(dir))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` for messages.
    pub fn show(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn lock(&self) -> Result<()> {
        let start = Instant::now();
        loop {
            match rustix::fs::flock(&self.fd, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(()),
                Err(Errno::WOULDBLOCK) | Err(Errno::INTR) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(Errno::WOULDBLOCK) => {
                    return Err(Error::Refused {
                        path: self.path.clone(),
                        reason: Refusal::Locked(LOCK_WAIT.as_secs()),
                    });
                }
                Err(e) => return Err(Error::io(&self.path, e.into())),
            }
        }
    }

    /// The directory holding `name` (a relative path of safe components), opened without
    /// following links; created when `create`. `Ok(None)` when a component is missing.
    fn parent_of(&self, name: &str, create: bool) -> Result<Option<(OwnedFd, String)>> {
        let mut parts: Vec<&str> = name.split('/').collect();
        let leaf = parts.pop().unwrap_or_default().to_owned();
        let mut fd = rustix::io::dup(&self.fd).map_err(|e| Error::io(&self.path, e.into()))?;
        let mut walked = String::new();
        for part in parts {
            if !walked.is_empty() {
                walked.push('/');
            }
            walked.push_str(part);
            let mut opened = rustix::fs::openat(&fd, part, dir_flags(), Mode::empty());
            if create && matches!(opened, Err(Errno::NOENT)) {
                match rustix::fs::mkdirat(&fd, part, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(self.fail(&walked, e)),
                }
                opened = rustix::fs::openat(&fd, part, dir_flags(), Mode::empty());
            }
            fd = match opened {
                Ok(next) => next,
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => return Err(self.fail_at(&fd, &walked, part, e)),
            };
        }
        Ok(Some((fd, leaf)))
    }

    /// An error about `name`: a refusal when the kernel said it met a link or a non-directory.
    fn fail(&self, name: &str, e: Errno) -> Error {
        refused_or_io(&self.show(name), None, e)
    }

    /// Like [`fail`](Self::fail), naming exactly what `part` is when it can be seen.
    fn fail_at(&self, parent: &OwnedFd, name: &str, part: &str, e: Errno) -> Error {
        let kind = rustix::fs::statat(parent, part, AtFlags::SYMLINK_NOFOLLOW)
            .ok()
            .map(|st| FileType::from_raw_mode(st.st_mode));
        refused_or_io(&self.show(name), kind, e)
    }

    /// What `name` is, and its bytes when it is a regular file within the cap. Never blocks on
    /// a FIFO, never follows a link, never reads past the cap.
    pub fn read(&self, name: &str) -> Result<Entry> {
        let (parent, leaf) = match self.parent_of(name, false) {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(Entry::Absent),
            Err(Error::Refused { path, reason }) => return Ok(Entry::Unsafe { path, reason }),
            Err(e) => return Err(e),
        };
        let fd = match rustix::fs::openat(
            &parent,
            leaf.as_str(),
            open_flags() | OFlags::NONBLOCK,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(Entry::Absent),
            Err(e) => match self.fail_at(&parent, name, &leaf, e) {
                Error::Refused { path, reason } => return Ok(Entry::Unsafe { path, reason }),
                other => return Err(other),
            },
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| Error::io(self.show(name), e.into()))?;
        let kind = FileType::from_raw_mode(stat.st_mode);
        if kind != FileType::RegularFile {
            return Ok(Entry::Unsafe {
                path: self.show(name),
                reason: refusal_of(kind),
            });
        }
        let mut bytes = Vec::new();
        std::fs::File::from(fd)
            .take(READ_CAP + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(self.show(name), e))?;
        if bytes.len() as u64 > READ_CAP {
            return Ok(Entry::Unsafe {
                path: self.show(name),
                reason: Refusal::TooLarge(READ_CAP),
            });
        }
        Ok(Entry::File(bytes))
    }

    /// Writes a new file `name` (its directories created, none followed). Fails if it exists:
    /// only ever used inside chaoslab's own staging folder, emptied first.
    pub fn create(&self, name: &str, content: &[u8]) -> Result<()> {
        use std::io::Write as _;
        let Some((parent, leaf)) = self.parent_of(name, true)? else {
            return Err(Error::Bug(format!("{name}: staging folder vanished")));
        };
        let fd = rustix::fs::openat(
            &parent,
            leaf.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )
        .map_err(|e| self.fail(name, e))?;
        std::fs::File::from(fd)
            .write_all(content)
            .map_err(|e| Error::io(self.show(name), e))
    }

    /// Renames `from` to `to` (both relative to the directory), creating `to`'s folders.
    /// Atomic: `to` is either its old self or `from`'s file.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        let Some((from_dir, from_leaf)) = self.parent_of(from, false)? else {
            return Err(self.fail(from, Errno::NOENT));
        };
        let Some((to_dir, to_leaf)) = self.parent_of(to, true)? else {
            return Err(self.fail(to, Errno::NOENT));
        };
        rustix::fs::renameat(&from_dir, from_leaf.as_str(), &to_dir, to_leaf.as_str())
            .map_err(|e| self.fail(to, e))
    }

    /// Whether `name` exists (as anything), links not followed.
    pub fn exists(&self, name: &str) -> Result<bool> {
        match self.parent_of(name, false) {
            Ok(Some((parent, leaf))) => {
                match rustix::fs::statat(&parent, leaf.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(_) => Ok(true),
                    Err(Errno::NOENT) => Ok(false),
                    Err(e) => Err(self.fail(name, e)),
                }
            }
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Removes the file `name`, then the folders (below the lab directory) it leaves empty.
    pub fn remove_file(&self, name: &str) -> Result<()> {
        let Some((parent, leaf)) = self.parent_of(name, false)? else {
            return Ok(());
        };
        match rustix::fs::unlinkat(&parent, leaf.as_str(), AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err(self.fail(name, e)),
        }
        let mut dirs: Vec<&str> = name.split('/').collect();
        dirs.pop();
        // Each folder through its parent's handle, like every other removal: a folder swapped
        // for a link on the way up is not followed.
        while !dirs.is_empty() {
            let folder = dirs.join("/");
            let Ok(Some((parent, leaf))) = self.parent_of(&folder, false) else {
                break;
            };
            if rustix::fs::unlinkat(&parent, leaf.as_str(), AtFlags::REMOVEDIR).is_err() {
                break;
            }
            dirs.pop();
        }
        Ok(())
    }

    /// Removes `name` and everything below it without following a link (chaoslab's own
    /// staging folder; a link planted in it is removed, not followed).
    pub fn remove_tree(&self, name: &str) -> Result<()> {
        let leaf = CString::new(name).map_err(|_| Error::Bug(format!("{name}: NUL in name")))?;
        self.remove_tree_at(&self.fd, &leaf, name, 0)
    }

    fn remove_tree_at(&self, parent: &OwnedFd, leaf: &CStr, shown: &str, depth: u32) -> Result<()> {
        let stat = match rustix::fs::statat(parent, leaf, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::NOENT) => return Ok(()),
            Err(e) => return Err(self.fail(shown, e)),
        };
        if FileType::from_raw_mode(stat.st_mode) != FileType::Directory {
            return rustix::fs::unlinkat(parent, leaf, AtFlags::empty())
                .map_err(|e| self.fail(shown, e));
        }
        if depth > 64 {
            return Err(self.fail(shown, Errno::LOOP));
        }
        let fd = rustix::fs::openat(parent, leaf, dir_flags(), Mode::empty())
            .map_err(|e| self.fail(shown, e))?;
        for name in list(&fd).map_err(|e| self.fail(shown, e))? {
            let below = format!("{shown}/{}", name.to_string_lossy());
            self.remove_tree_at(&fd, &name, &below, depth + 1)?;
        }
        rustix::fs::unlinkat(parent, leaf, AtFlags::REMOVEDIR).map_err(|e| self.fail(shown, e))
    }

    /// The names directly in the lab directory with whether each is a regular file or a link
    /// (what Terraform would read as configuration), sorted.
    /// Names that are not UTF-8 are shown with U+FFFD in their place.
    pub fn top_level(&self) -> Result<Vec<(String, bool)>> {
        let names = list(&self.fd).map_err(|e| Error::io(&self.path, e.into()))?;
        let mut out = Vec::new();
        for name in names {
            if let Ok(st) = rustix::fs::statat(&self.fd, name.as_c_str(), AtFlags::SYMLINK_NOFOLLOW)
            {
                let kind = FileType::from_raw_mode(st.st_mode);
                out.push((
                    name.to_string_lossy().into_owned(),
                    matches!(kind, FileType::RegularFile | FileType::Symlink),
                ));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// The entries of an open directory, without `.` and `..`, as the bytes they are (a name
/// that is not UTF-8 is still seen, and removable).
fn list(fd: &OwnedFd) -> rustix::io::Result<Vec<CString>> {
    let mut out = Vec::new();
    for entry in rustix::fs::Dir::read_from(fd.as_fd())? {
        let entry = entry?;
        let name = entry.file_name();
        if name != c"." && name != c".." {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

/// A link or a non-directory where a directory or file was expected is a refusal (exit 3,
/// with the fix); anything else is plain I/O.
fn refused_or_io(path: &Path, kind: Option<FileType>, e: Errno) -> Error {
    match (e, kind) {
        (_, Some(FileType::Symlink)) | (Errno::LOOP, _) => Error::Refused {
            path: path.to_path_buf(),
            reason: Refusal::Symlink,
        },
        (Errno::NOTDIR, Some(kind)) => Error::Refused {
            path: path.to_path_buf(),
            reason: refusal_of(kind),
        },
        (Errno::NOTDIR, None) => Error::Refused {
            path: path.to_path_buf(),
            reason: Refusal::NotRegular("not a directory"),
        },
        _ => Error::io(path, e.into()),
    }
}
