//! One staged-file type for every download to a path: the bytes go to a
//! temporary name beside the target (hidden, unique to this process), and
//! the file appears under its name only when complete — its modification
//! time set, its data synced, then renamed. Dropped before that (a failed
//! check, a cancel, a panic), the temporary file is removed: no partial
//! file is ever left looking complete. File I/O happens where the caller
//! runs (a runtime worker for bulk downloads: local disk).
//!
//! A resumable download ([`StagedFile::resumable`]) is staged under a
//! stable hidden name instead (`.<name>.swc-partial`, so a later run finds
//! it), with a small sidecar beside it (`.<name>.swc-partial.json`) saying
//! which object version the kept bytes are from; both stay when it is
//! dropped unfinished and both go when it completes or is discarded.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// This process's id, asked once.
static PID: once_cell::sync::Lazy<u32> = once_cell::sync::Lazy::new(std::process::id);

/// The directory a file goes into ("." for a bare name) and its name.
fn dir_and_name(path: &Path) -> Result<(&Path, &std::ffi::OsStr)> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("\"{}\" does not name a file", path.display())))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((dir, name))
}

/// The temporary name a download is written under before it is renamed
/// onto `path`: hidden, in the same directory, unique to this process.
fn partial_path(path: &Path) -> Result<PathBuf> {
    let (dir, name) = dir_and_name(path)?;
    Ok(dir.join(format!(
        ".{}.swc-partial-{}-{}",
        name.to_string_lossy(),
        *PID,
        fastrand::u32(..)
    )))
}

/// The stable temporary name of a resumable download of `path`, and its
/// sidecar's name: hidden, in the same directory.
fn resumable_paths(path: &Path) -> Result<(PathBuf, PathBuf)> {
    let (dir, name) = dir_and_name(path)?;
    let tmp = dir.join(format!(".{}.swc-partial", name.to_string_lossy()));
    let sidecar = dir.join(format!(".{}.swc-partial.json", name.to_string_lossy()));
    Ok((tmp, sidecar))
}

/// Opens (or creates) a resumable partial file without following what a
/// third party may have put under its name: a symbolic link, a hard link
/// to a file elsewhere, or anything but a plain file is removed (unlink
/// never follows) and a new empty file made in its place.
fn open_partial(tmp: &Path) -> Result<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let err = |e: std::io::Error| Error::invalid(format!("cannot open \"{}\": {e}", tmp.display()));
    let open = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(tmp)
    };
    let plain = |m: &std::fs::Metadata| m.file_type().is_file() && m.nlink() == 1;
    if let Ok(m) = std::fs::symlink_metadata(tmp) {
        if !plain(&m) {
            std::fs::remove_file(tmp).map_err(err)?;
        }
    }
    let file = open().map_err(err)?;
    let m = file.metadata().map_err(err)?;
    if !plain(&m) {
        return Err(Error::invalid(format!(
            "\"{}\" is not a plain file of its own",
            tmp.display()
        )));
    }
    // One writer per partial file: a second download of the same target
    // (another process, or two object names that map to one path) is
    // refused rather than interleaved.
    // SAFETY: flock on a descriptor this function owns.
    if unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&file),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    } != 0
    {
        return Err(Error::new(
            crate::error::Status::Conflict,
            format!("another download is writing \"{}\"", tmp.display()),
        ));
    }
    Ok(file)
}

/// `X-Object-Meta-Mtime` seconds as a time a file can take (None: not one).
pub fn mtime_from_secs(secs: f64) -> Option<SystemTime> {
    (secs.is_finite() && (0.0..1e12).contains(&secs))
        .then(|| std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(secs))
}

/// A file being written under its temporary name.
pub struct StagedFile {
    path: PathBuf,
    tmp: PathBuf,
    /// Shared with writers at offsets (parallel parts); None once done.
    file: Option<Arc<File>>,
    /// A resumable file's sidecar: then the file is kept when dropped
    /// unfinished.
    sidecar: Option<PathBuf>,
}

impl StagedFile {
    /// Creates the temporary file, `size` bytes long when given (parts are
    /// then written at their offsets).
    pub fn create(path: &Path, size: Option<u64>) -> Result<StagedFile> {
        let tmp = partial_path(path)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::invalid(format!("cannot create \"{}\": {e}", tmp.display())))?;
        let staged = StagedFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(Arc::new(file)),
            sidecar: None,
        };
        if let Some(n) = size {
            staged.file()?.set_len(n).map_err(|e| {
                Error::invalid(format!("cannot size \"{}\": {e}", staged.tmp.display()))
            })?;
        }
        Ok(staged)
    }

    /// Opens the resumable partial file of `path` (made empty when there
    /// was none), locked for this writer; what it holds is the caller's to
    /// judge, with [`StagedFile::read_sidecar`].
    pub fn resumable(path: &Path) -> Result<StagedFile> {
        let (tmp, sidecar) = resumable_paths(path)?;
        let file = open_partial(&tmp)?;
        Ok(StagedFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(Arc::new(file)),
            sidecar: Some(sidecar),
        })
    }

    /// Removes a resumable partial file of `path` and its sidecar, if any
    /// (a download that will not resume: nothing stale is left behind).
    pub fn forget_resumable(path: &Path) {
        if let Ok((tmp, sidecar)) = resumable_paths(path) {
            let _ = std::fs::remove_file(tmp);
            let _ = std::fs::remove_file(sidecar);
        }
    }

    /// The sidecar's text (at most 64 KiB; not followed through a link).
    /// None: missing, unreadable, too long or not a plain file.
    pub fn read_sidecar(&self) -> Option<String> {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(self.sidecar.as_ref()?)
            .ok()?;
        if !f.metadata().ok()?.file_type().is_file() {
            return None;
        }
        let mut text = String::new();
        f.take(64 << 10).read_to_string(&mut text).ok()?;
        Some(text)
    }

    /// Empties the partial file and writes `text` as its sidecar, in that
    /// order: a crash in between leaves an empty file, never old bytes
    /// under a new description. The sidecar is made anew (a link planted
    /// under its name is replaced, not followed).
    pub fn restart(&self, text: &str) -> Result<()> {
        use std::io::Write;
        let sidecar = self
            .sidecar
            .as_ref()
            .ok_or_else(|| Error::internal("not a resumable file"))?;
        self.truncate(0)?;
        let err = |e: std::io::Error| {
            Error::invalid(format!("cannot write \"{}\": {e}", sidecar.display()))
        };
        match std::fs::remove_file(sidecar) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(err(e)),
            _ => {}
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(sidecar)
            .map_err(err)?;
        f.write_all(text.as_bytes()).map_err(err)
    }

    /// Cuts the file to `len` bytes and puts its write position there.
    pub fn truncate(&self, len: u64) -> Result<()> {
        use std::io::{Seek, SeekFrom};
        let mut f: &File = self.file()?;
        f.set_len(len)
            .and_then(|_| f.seek(SeekFrom::Start(len)))
            .map(|_| ())
            .map_err(|e| Error::invalid(format!("cannot cut \"{}\": {e}", self.tmp.display())))
    }

    /// The open file (for writes; several holders for writes at offsets).
    pub fn file(&self) -> Result<&Arc<File>> {
        self.file
            .as_ref()
            .ok_or_else(|| Error::internal("write after the file was completed"))
    }

    /// The temporary name, for messages.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Sets the modification time (when given), makes the data durable and
    /// renames the file into place. On failure the temporary file goes.
    pub fn complete(&mut self, mtime: Option<SystemTime>) -> Result<()> {
        let Some(f) = self.file.take() else {
            return Ok(());
        };
        let done = match mtime {
            Some(t) => f.set_modified(t),
            None => Ok(()),
        }
        .and_then(|_| f.sync_all())
        .and_then(|_| std::fs::rename(&self.tmp, &self.path));
        if let Some(s) = &self.sidecar {
            let _ = std::fs::remove_file(s);
        }
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(Error::invalid(format!(
                "cannot complete \"{}\": {e}",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Gives up: the temporary file goes (with its sidecar).
    pub fn discard(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
            if let Some(s) = &self.sidecar {
                let _ = std::fs::remove_file(s);
            }
        }
    }
}

impl Drop for StagedFile {
    /// Unfinished: a resumable file stays for a later run (it is closed,
    /// which releases its lock); any other goes.
    fn drop(&mut self) {
        if self.sidecar.is_none() {
            self.discard();
        }
    }
}
