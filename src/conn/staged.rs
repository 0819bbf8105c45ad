//! One staged-file type for every download to a path: the bytes go to a
//! temporary name beside the target (hidden, unique to this process), and
//! the file appears under its name only when complete — its modification
//! time set, its data synced, then renamed. Dropped before that (a failed
//! check, a cancel, a panic), the temporary file is removed: no partial
//! file is ever left looking complete. File I/O happens where the caller
//! runs (a runtime worker for bulk downloads: local disk).

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// This process's id, asked once.
static PID: once_cell::sync::Lazy<u32> = once_cell::sync::Lazy::new(std::process::id);

/// The temporary name a download is written under before it is renamed
/// onto `path`: hidden, in the same directory, unique to this process.
fn partial_path(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("\"{}\" does not name a file", path.display())))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(dir.join(format!(
        ".{}.swc-partial-{}-{}",
        name.to_string_lossy(),
        *PID,
        fastrand::u32(..)
    )))
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
        };
        if let Some(n) = size {
            staged.file()?.set_len(n).map_err(|e| {
                Error::invalid(format!("cannot size \"{}\": {e}", staged.tmp.display()))
            })?;
        }
        Ok(staged)
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
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(Error::invalid(format!(
                "cannot complete \"{}\": {e}",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Gives up: the temporary file goes.
    pub fn discard(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        self.discard();
    }
}
