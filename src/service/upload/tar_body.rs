//! An upload's files as one tar stream (plain, gzip or bzip2) for Swift's
//! bulk middleware to unpack (`?extract-archive`). A blocking thread runs
//! `tar::Builder` over a writer that hands 64 KiB chunks through a bounded
//! channel to the request body, so memory stays bounded (a few chunks and
//! the compressor's state) whatever the files add up to, and nothing is
//! staged on disk. The body's length is unknown: it goes out chunked.
//!
//! Each member carries its object's name (`path`), metadata
//! (`SCHILY.xattr.user.meta.<name>`, which the middleware makes
//! `X-Object-Meta-<name>`) and content type (`SCHILY.xattr.user.mime_type`)
//! in a PAX extended header, so any object name (long, or one a path would
//! normalise, such as "a//b") reaches the server byte for byte.
//!
//! Where reading happens: files are read on the producer's blocking
//! thread; the request pulls the body on a runtime worker, which waits for
//! the next chunk inside `block_in_place` (its other tasks move on). A
//! retry rewinds by starting the producer again from the first file.

use crate::conn::body::{BodySource, CHUNK};
use crate::error::{Error, Result};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Chunks waiting between the producer and the request.
const QUEUED_CHUNKS: usize = 4;

/// The archive's format, as the `extract-archive` query names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tar,
    Gzip,
    Bzip2,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "tar" => Some(Format::Tar),
            "tar.gz" => Some(Format::Gzip),
            "tar.bz2" => Some(Format::Bzip2),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Tar => "tar",
            Format::Gzip => "tar.gz",
            Format::Bzip2 => "tar.bz2",
        }
    }
}

/// One member of the archive: an object and where its bytes come from.
#[derive(Debug, Clone)]
pub struct Member {
    pub object: String,
    /// The file; None for an empty member (a directory marker).
    pub path: Option<PathBuf>,
    /// Seconds since the epoch, python-swiftclient's "%f" (the member's
    /// tar mtime is its whole seconds).
    pub mtime: String,
    /// PAX records besides `path`: metadata and content type.
    pub pax: Vec<(String, String)>,
}

/// What one run of the producer did.
#[derive(Debug, Default)]
pub struct Produced {
    /// Members left out of the archive (their file could not be opened),
    /// by index, with why.
    pub skipped: Vec<(usize, Error)>,
    /// Members written, and the bytes of their files.
    pub members: usize,
    pub bytes: u64,
    /// The archive was completed; else `error` says why not.
    pub finished: bool,
    pub error: Option<Error>,
}

/// Told after each member: (the member, its bytes, all bytes so far).
pub type Progress = Arc<dyn Fn(&Member, u64, u64) + Send + Sync>;

/// The archive as a request body.
pub struct TarBody {
    members: Arc<Vec<Member>>,
    format: Format,
    progress: Progress,
    handle: tokio::runtime::Handle,
    rx: Option<Receiver<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    produced: Arc<Mutex<Produced>>,
    sent: u64,
}

impl TarBody {
    /// Must be called on a runtime (the producer is spawned on it at the
    /// first read).
    pub fn new(members: Vec<Member>, format: Format, progress: Progress) -> TarBody {
        TarBody {
            members: Arc::new(members),
            format,
            progress,
            handle: tokio::runtime::Handle::current(),
            rx: None,
            chunk: Vec::new(),
            pos: 0,
            produced: Arc::default(),
            sent: 0,
        }
    }

    /// What the producer did (complete once the body was read to its
    /// end), and the bytes of archive handed to the request (compressed,
    /// if it is).
    pub fn outcome(self) -> (Produced, u64) {
        (std::mem::take(&mut *lock(&self.produced)), self.sent)
    }

    fn start(&mut self) -> Receiver<Vec<u8>> {
        let (tx, rx) = sync_channel(QUEUED_CHUNKS);
        let (members, format) = (self.members.clone(), self.format);
        let (produced, progress) = (self.produced.clone(), self.progress.clone());
        self.handle.spawn_blocking(move || {
            // Held until the outcome is in place, so the reader sees the
            // channel end only after it (the writer's copy may go first).
            let keep = tx.clone();
            let r = produce(&members, format, tx, &produced, &progress);
            let mut p = lock(&produced);
            match r {
                Ok(()) => p.finished = true,
                Err(e) => p.error = Some(e),
            }
            drop(p);
            drop(keep);
        });
        rx
    }

    /// The next chunk; None at the end of the archive.
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        let rx = match self.rx.take() {
            Some(rx) => rx,
            None => self.start(),
        };
        let got = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => {
                tokio::task::block_in_place(|| rx.recv())
            }
            _ => rx.recv(),
        };
        self.rx = Some(rx);
        match got {
            Ok(c) => Ok(Some(c)),
            Err(_) => {
                let p = lock(&self.produced);
                match (&p.error, p.finished) {
                    (Some(e), _) => Err(e.clone()),
                    (None, true) => Ok(None),
                    (None, false) => Err(Error::internal("the archive's producer stopped")),
                }
            }
        }
    }
}

impl BodySource for TarBody {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        while self.pos >= self.chunk.len() {
            match self.next_chunk()? {
                Some(c) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        self.sent += n as u64;
        Ok(n)
    }
    /// Starts the archive again: a new producer reads the files anew (the
    /// old one stops at its next chunk, its channel gone).
    fn rewind(&mut self) -> Result<bool> {
        self.rx = None;
        self.chunk.clear();
        self.pos = 0;
        self.sent = 0;
        self.produced = Arc::default();
        Ok(true)
    }
    fn len(&self) -> Option<u64> {
        None
    }
}

/// Collects writes into chunks of [`CHUNK`] bytes for the channel.
struct ChunkWriter {
    tx: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .send(full)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the request ended"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send()
        }
    }
}

/// Writes the whole archive into `tx`.
fn produce(
    members: &[Member],
    format: Format,
    tx: SyncSender<Vec<u8>>,
    produced: &Mutex<Produced>,
    progress: &Progress,
) -> Result<()> {
    let out = ChunkWriter {
        tx,
        buf: Vec::with_capacity(CHUNK),
    };
    let io_err = |e: io::Error| Error::invalid(format!("writing the archive: {e}"));
    let mut out = match format {
        Format::Tar => archive(out, members, produced, progress)?,
        Format::Gzip => {
            let z = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            archive(z, members, produced, progress)?
                .finish()
                .map_err(io_err)?
        }
        Format::Bzip2 => {
            let z = bzip2::write::BzEncoder::new(out, bzip2::Compression::default());
            archive(z, members, produced, progress)?
                .finish()
                .map_err(io_err)?
        }
    };
    out.flush().map_err(io_err)
}

/// Writes each member (a file that cannot be opened is left out and
/// noted) and the archive's end; returns the writer.
fn archive<W: Write>(
    w: W,
    members: &[Member],
    produced: &Mutex<Produced>,
    progress: &Progress,
) -> Result<W> {
    let mut b = tar::Builder::new(w);
    let mut total = 0u64;
    for (i, m) in members.iter().enumerate() {
        let file = match &m.path {
            None => None,
            Some(p) => match open(p) {
                Ok(f) => Some(f),
                Err(e) => {
                    lock(produced).skipped.push((i, e));
                    continue;
                }
            },
        };
        let size = match &file {
            Some((_, size)) => *size,
            None => 0,
        };
        append_member(&mut b, m, file, size)?;
        total += size;
        {
            let mut p = lock(produced);
            p.members += 1;
            p.bytes = total;
        }
        progress(m, size, total);
    }
    b.into_inner()
        .map_err(|e| Error::invalid(format!("writing the archive: {e}")))
}

fn lock(p: &Mutex<Produced>) -> std::sync::MutexGuard<'_, Produced> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

/// Opens a member's file; its size is taken now, from the open file.
fn open(p: &std::path::Path) -> Result<(std::fs::File, u64)> {
    let f = std::fs::File::open(p)
        .map_err(|e| Error::invalid(format!("cannot open \"{}\" for upload: {e}", p.display())))?;
    let meta = f
        .metadata()
        .map_err(|e| Error::invalid(format!("cannot stat \"{}\": {e}", p.display())))?;
    if !meta.is_file() {
        return Err(Error::invalid(format!(
            "\"{}\" is not a regular file",
            p.display()
        )));
    }
    Ok((f, meta.len()))
}

/// One member: its PAX header (name, metadata), its tar header, its bytes.
fn append_member<W: Write>(
    b: &mut tar::Builder<W>,
    m: &Member,
    file: Option<(std::fs::File, u64)>,
    size: u64,
) -> Result<()> {
    let what = |e: io::Error| Error::invalid(format!("archiving \"{}\": {e}", m.object));
    let mut records = pax_record("path", &m.object);
    for (k, v) in &m.pax {
        records.extend(pax_record(k, v));
    }
    let pax = header(
        tar::EntryType::XHeader,
        records.len() as u64,
        0,
        b"././@PaxHeader",
    );
    b.append(&pax, records.as_slice()).map_err(what)?;
    let secs = m
        .mtime
        .parse::<f64>()
        .map(|t| t.max(0.0) as u64)
        .unwrap_or(0);
    let h = header(tar::EntryType::Regular, size, secs, m.object.as_bytes());
    match file {
        Some((f, _)) => {
            let exact = Exact {
                inner: f.take(size),
                left: size,
                path: m.path.clone().unwrap_or_default(),
            };
            b.append(&h, exact).map_err(what)
        }
        None => b.append(&h, io::empty()).map_err(what),
    }
}

/// A ustar header; `name` (cut to the field, at a character boundary)
/// is only a fallback: the PAX `path` record names the member.
fn header(kind: tar::EntryType, size: u64, mtime: u64, name: &[u8]) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(mtime);
    let field = &mut h.as_old_mut().name;
    let mut n = name.len().min(field.len());
    while n > 0 && n < name.len() && (name[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    field[..n].copy_from_slice(&name[..n]);
    h.set_cksum();
    h
}

/// One PAX record: "<length> <key>=<value>\n", the length counting
/// itself.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    format!("{len} {key}={value}\n").into_bytes()
}

/// A file read for exactly the size its header announced: one that has
/// shrunk since is an error (a short member would corrupt the archive).
struct Exact {
    inner: io::Take<std::fs::File>,
    left: u64,
    path: PathBuf,
}

impl Read for Exact {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "\"{}\" shrank while being archived ({} bytes missing)",
                    self.path.display(),
                    self.left
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        assert_eq!(pax_record("path", "a"), b"9 path=a\n");
        // 99 bytes besides the length: 2 digits make 101, so it is 102.
        let r = pax_record("k", &"v".repeat(95));
        assert_eq!((r.len(), &r[..4]), (102, &b"102 "[..]));
        let r = pax_record("k", &"v".repeat(98));
        assert_eq!((r.len(), &r[..4]), (105, &b"105 "[..]));
    }

    #[test]
    fn long_names_and_metadata_read_back() {
        let dir = std::env::temp_dir().join(format!("swc-tar-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("f");
        std::fs::write(&f, b"hello").unwrap();
        let long = format!("d/{}/é", "x".repeat(150));
        let members = vec![
            Member {
                object: long.clone(),
                path: Some(f.clone()),
                mtime: "1700000000.500000".into(),
                pax: vec![(
                    "SCHILY.xattr.user.meta.mtime".into(),
                    "1700000000.500000".into(),
                )],
            },
            Member {
                object: "missing".into(),
                path: Some(dir.join("nope")),
                mtime: "0".into(),
                pax: vec![],
            },
        ];
        let (tx, rx) = sync_channel(1000);
        let produced = Mutex::new(Produced::default());
        let progress: Progress = Arc::new(|_, _, _| {});
        produce(&members, Format::Gzip, tx, &produced, &progress).unwrap();
        let gz: Vec<u8> = rx.iter().flatten().collect();
        let mut a = tar::Archive::new(flate2::read::GzDecoder::new(gz.as_slice()));
        let mut e = a.entries().unwrap();
        let mut first = e.next().unwrap().unwrap();
        assert_eq!(first.path_bytes().as_ref(), long.as_bytes());
        let pax: Vec<(String, String)> = first
            .pax_extensions()
            .unwrap()
            .unwrap()
            .map(|x| x.unwrap())
            .map(|x| (x.key().unwrap().to_string(), x.value().unwrap().to_string()))
            .collect();
        assert!(pax.contains(&(
            "SCHILY.xattr.user.meta.mtime".into(),
            "1700000000.500000".into()
        )));
        let mut body = String::new();
        first.read_to_string(&mut body).unwrap();
        assert_eq!(
            (body.as_str(), first.header().mtime().unwrap()),
            ("hello", 1700000000)
        );
        drop(first);
        assert!(e.next().is_none());
        let p = produced.lock().unwrap();
        assert_eq!((p.members, p.bytes, p.skipped.len()), (1, 5, 1));
        assert_eq!(p.skipped[0].0, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
