//! Reading a spec file: at most [`MAX_SPEC_BYTES`] + 1 bytes of it, whatever it is.
//!
//! The size a file reports is no bound: `/dev/zero`, a pipe (`<(yes)`, `/dev/stdin`) and a
//! file that grows report 0 or less than they yield. So the read itself is capped, and one
//! byte past the cap is enough to refuse. A FIFO is legitimate input (process substitution),
//! but opening one blocks until something opens it for writing: it is opened without waiting,
//! and one that nothing writes to reads as empty and is refused instead of hanging.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::spec::MAX_SPEC_BYTES;

/// Why a spec file yielded no text.
#[derive(Debug)]
pub(crate) enum Unreadable {
    Io(std::io::Error),
    /// More than [`MAX_SPEC_BYTES`] bytes.
    TooLarge,
    /// Not UTF-8; the offset of the first bad byte.
    NotUtf8(usize),
    /// A FIFO that yielded nothing: no program had it open for writing.
    EmptyFifo,
}

/// The text of the spec at `path`, read through a bounded reader.
pub(crate) fn read_spec(path: &Path) -> Result<String, Unreadable> {
    let (file, fifo) = open(path).map_err(Unreadable::Io)?;
    let cap = MAX_SPEC_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(Unreadable::TooLarge);
    }
    if fifo && bytes.is_empty() {
        return Err(Unreadable::EmptyFifo);
    }
    String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8(e.utf8_error().valid_up_to()))
}

/// Opens `path` for reading without waiting for a FIFO's writer, and says whether it is a
/// FIFO (judged on the open file, so a path swapped in between cannot make the open block).
/// Reads then block again: a writer that is there but slow is waited for, as `cat` would;
/// with no writer there, the read ends at once.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<(File, bool)> {
    use rustix::fs::{FileType, Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let flags = rustix::fs::fcntl_getfl(&fd)?;
    rustix::fs::fcntl_setfl(&fd, flags.difference(OFlags::NONBLOCK))?;
    let fifo = FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) == FileType::Fifo;
    Ok((File::from(fd), fifo))
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<(File, bool)> {
    Ok((File::open(path)?, false))
}
