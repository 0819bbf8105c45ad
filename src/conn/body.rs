//! Where object bodies come from (uploads) and go to (downloads).
//!
//! Sources are read synchronously, in chunks, by the request that sends
//! them: for the Connection API on the caller's own thread (blocked in the
//! call, so its read callback runs there); in bulk operations on a runtime
//! worker — local files, whose reads do not wait on anyone. A stream whose
//! pace nobody knows (a pipe, an upload's fd item) is read on a blocking
//! thread instead (see `service::upload::stream`). A source that can rewind
//! makes an upload retryable.

use crate::error::{Error, Result, Status};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, RawFd};
use std::path::Path;

/// Upload chunk size: 64 KiB, as python-swiftclient.
pub const CHUNK: usize = 64 * 1024;

/// An upload body.
pub trait BodySource: Send {
    /// Fills `buf` with the next bytes; 0 means the end.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;
    /// Goes back to the start for a retry. `false`: cannot (not retryable).
    fn rewind(&mut self) -> Result<bool>;
    /// The total length, when known (sent as Content-Length).
    fn len(&self) -> Option<u64>;
    /// Whether the source is known to be empty.
    fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
    /// The MD5 (hex) of the whole body, for a source that can be read
    /// twice (a buffer, a seekable file or range), read through and
    /// rewound; `None` for one that cannot. An upload sends it as its ETag,
    /// so that the server refuses (422) a body damaged on the way instead
    /// of storing it over a good object.
    fn content_md5(&mut self) -> Result<Option<String>> {
        Ok(None)
    }
}

/// The MD5 of what `src` gives from here to its end.
fn md5_through(src: &mut dyn BodySource) -> Result<String> {
    use md5::{Digest, Md5};
    let mut h = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            return Ok(crate::hex::hex(&h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

/// A body in memory: borrowed (`&[u8]`) or owned and cheap to clone
/// (`bytes::Bytes`, usable from a spawned task).
pub struct BytesSource<B> {
    data: B,
    pos: usize,
}

impl<B: AsRef<[u8]>> BytesSource<B> {
    pub fn new(data: B) -> BytesSource<B> {
        BytesSource { data, pos: 0 }
    }
}

/// An owned in-memory body.
pub type SharedBytes = BytesSource<bytes::Bytes>;

impl<B: AsRef<[u8]> + Send> BodySource for BytesSource<B> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let data = self.data.as_ref();
        let n = buf.len().min(data.len() - self.pos);
        buf[..n].copy_from_slice(&data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn rewind(&mut self) -> Result<bool> {
        self.pos = 0;
        Ok(true)
    }
    fn len(&self) -> Option<u64> {
        Some(self.data.as_ref().len() as u64)
    }
    fn content_md5(&mut self) -> Result<Option<String>> {
        use md5::{Digest, Md5};
        Ok(Some(crate::hex::hex(&Md5::digest(self.data.as_ref()))))
    }
}

/// A file (opened from a path, or a caller's descriptor that is not
/// closed). Seekable files rewind to where they started; `length` limits
/// how much is sent.
pub struct FileSource {
    file: ManuallyDrop<File>,
    owned: bool,
    start: Option<u64>,
    length: Option<u64>,
    sent: u64,
    what: String,
}

impl FileSource {
    pub fn open(path: &Path) -> Result<FileSource> {
        let file = File::open(path).map_err(|e| {
            Error::invalid(format!(
                "cannot open \"{}\" for upload: {e}",
                path.display()
            ))
        })?;
        let meta = file
            .metadata()
            .map_err(|e| Error::invalid(format!("cannot stat \"{}\": {e}", path.display())))?;
        if meta.is_dir() {
            return Err(Error::invalid(format!(
                "\"{}\" is a directory",
                path.display()
            )));
        }
        Ok(FileSource {
            file: ManuallyDrop::new(file),
            owned: true,
            start: Some(0),
            length: Some(meta.len()),
            sent: 0,
            what: path.display().to_string(),
        })
    }

    /// Owns `file`, already positioned at `start`, and sends `length` bytes
    /// from there (a segment of a larger file).
    pub fn owned_range(file: File, start: u64, length: u64, what: String) -> Result<FileSource> {
        Ok(FileSource {
            file: ManuallyDrop::new(file),
            owned: true,
            start: Some(start),
            length: Some(length),
            sent: 0,
            what,
        })
    }

    /// Borrows `fd` (not closed). `length` < 0: until end of file (the size
    /// is known when `fd` is a regular file).
    pub fn from_fd(fd: RawFd, length: Option<u64>) -> Result<FileSource> {
        if fd < 0 {
            return Err(Error::invalid(
                "argument \"fd\" must be a file descriptor (>= 0)",
            ));
        }
        // SAFETY: the caller lends us an open descriptor for the call; the
        // File is never dropped (ManuallyDrop), so it is never closed here.
        let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
        let start = file.stream_position().ok();
        let length = match (length, start, file.metadata()) {
            (Some(l), _, _) => Some(l),
            (None, Some(s), Ok(m)) if m.is_file() => Some(m.len().saturating_sub(s)),
            _ => None,
        };
        Ok(FileSource {
            file,
            owned: false,
            start,
            length,
            sent: 0,
            what: format!("fd {fd}"),
        })
    }
}

impl Drop for FileSource {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: dropped exactly once, here.
            unsafe { ManuallyDrop::drop(&mut self.file) }
        }
    }
}

impl BodySource for FileSource {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let want = match self.length {
            Some(l) => buf.len().min((l - self.sent.min(l)) as usize),
            None => buf.len(),
        };
        if want == 0 {
            return Ok(0);
        }
        let n = loop {
            match self.file.read(&mut buf[..want]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::invalid(format!("reading {} failed: {e}", self.what))),
            }
        };
        if n == 0 {
            if let Some(l) = self.length {
                if self.sent < l {
                    return Err(Error::new(
                        Status::InvalidArgument,
                        format!(
                            "{} ended after {} of {l} bytes (was it truncated?)",
                            self.what, self.sent
                        ),
                    ));
                }
            }
        }
        self.sent += n as u64;
        Ok(n)
    }
    fn rewind(&mut self) -> Result<bool> {
        let Some(start) = self.start else {
            return Ok(false);
        };
        match self.file.seek(SeekFrom::Start(start)) {
            Ok(_) => {
                self.sent = 0;
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }
    fn len(&self) -> Option<u64> {
        self.length
    }
    fn content_md5(&mut self) -> Result<Option<String>> {
        // Only a regular file of known length that seeks back: a pipe or
        // socket would lose what was read.
        let regular = self.file.metadata().is_ok_and(|m| m.is_file());
        if !regular || self.length.is_none() || !self.rewind()? {
            return Ok(None);
        }
        let md5 = md5_through(self)?;
        if !self.rewind()? {
            return Err(Error::invalid(format!(
                "{} could not be read again after hashing",
                self.what
            )));
        }
        Ok(Some(md5))
    }
}

/// A download destination.
pub trait BodySink: Send {
    fn write(&mut self, data: &[u8]) -> Result<()>;
    /// Called once at the end; `ok` says whether every byte arrived and
    /// checked out. A sink that stages data commits or discards it here.
    fn finish(&mut self, ok: bool) -> Result<()>;
    /// The modification time the result should carry (seconds since the
    /// epoch, from X-Object-Meta-Mtime), given before `finish`. A sink
    /// that makes a file sets it; others ignore it.
    fn set_mtime(&mut self, _secs: f64) {}
}

/// Collects the body in memory.
#[derive(Default)]
pub struct VecSink(pub Vec<u8>);

impl BodySink for VecSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// Writes to a caller's descriptor (not closed).
pub struct FdSink {
    file: ManuallyDrop<File>,
    fd: RawFd,
}

impl FdSink {
    pub fn new(fd: RawFd) -> Result<FdSink> {
        if fd < 0 {
            return Err(Error::invalid(
                "argument \"fd\" must be a file descriptor (>= 0)",
            ));
        }
        // SAFETY: borrowed for the call, never closed (ManuallyDrop).
        Ok(FdSink {
            file: ManuallyDrop::new(unsafe { File::from_raw_fd(fd) }),
            fd,
        })
    }
}

impl BodySink for FdSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        self.file
            .write_all(data)
            .map_err(|e| Error::invalid(format!("writing to fd {} failed: {e}", self.fd)))
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// A file written under a temporary name and renamed into place only when
/// the body arrived whole and checked out (see [`super::staged`]).
pub struct PathSink {
    staged: super::staged::StagedFile,
    mtime: Option<std::time::SystemTime>,
}

impl PathSink {
    pub fn create(path: &Path) -> Result<PathSink> {
        Ok(PathSink {
            staged: super::staged::StagedFile::create(path, None)?,
            mtime: None,
        })
    }
}

impl BodySink for PathSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        let mut f: &File = self.staged.file()?;
        f.write_all(data).map_err(|e| {
            Error::invalid(format!(
                "writing \"{}\" failed: {e}",
                self.staged.tmp().display()
            ))
        })
    }
    fn finish(&mut self, ok: bool) -> Result<()> {
        if ok {
            // The time is set after the last write, before the file
            // appears under its name.
            self.staged.complete(self.mtime)
        } else {
            self.staged.discard();
            Ok(())
        }
    }
    fn set_mtime(&mut self, secs: f64) {
        self.mtime = super::staged::mtime_from_secs(secs);
    }
}
