//! Fetching one object as pieces at once into a staged file: the segments
//! of a large object straight from their containers (each checked on its
//! own: length, MD5 against its ETag, that ETag against the manifest's),
//! or byte ranges of a plain object (each with If-Match, so every part
//! comes from the same version; the whole is then checked against the
//! ETag). One fetcher serves both; the first failure stops the others, and
//! the file is renamed into place only when everything checked out.

use super::super::op::for_each_limited;
use super::super::record;
use super::super::segments::Segment;
use super::resume::{open_segments, Version};
use super::Down;
use crate::conn::body::BodySink;
use crate::conn::object;
use crate::conn::opts::GetOpts;
use crate::conn::staged::{mtime_from_secs, StagedFile};
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One GET of a piece: what to ask for and where its bytes go.
struct Piece {
    container: String,
    name: String,
    /// Extra headers (Range and If-Match for a part of one object).
    headers: Vec<(String, String)>,
    query: Option<String>,
    offset: u64,
    len: u64,
    /// The ETag the manifest or listing names (a segment's), to compare
    /// with the one its GET returns.
    etag: Option<String>,
    /// How errors name it.
    label: String,
}

/// Writes a piece at its offset in the shared file, reporting the whole
/// object's progress.
struct PieceSink {
    file: Arc<std::fs::File>,
    offset: u64,
    down: Arc<Down>,
    object: Arc<str>,
    /// The whole object's bytes so far (all its pieces).
    read: Arc<AtomicU64>,
    total: u64,
    since: u64,
}

impl BodySink for PieceSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        self.file
            .write_all_at(data, self.offset)
            .map_err(|e| Error::invalid(format!("writing a part: {e}")))?;
        self.offset += data.len() as u64;
        let n = data.len() as u64;
        let read = self.read.fetch_add(n, Ordering::Relaxed) + n;
        let overall = self.down.done_bytes.fetch_add(n, Ordering::Relaxed) + n;
        self.since += n;
        if self.since >= 1 << 20 {
            self.since = 0;
            let mut ev = json!({"action": "download", "object": &*self.object, "bytes": read, "total": self.total, "overall_bytes": overall});
            match self.down.total_bytes.load(Ordering::Relaxed) {
                0 => {}
                t => ev["overall_total"] = json!(t),
            }
            self.down.ctx.progress(ev);
        }
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// What fetching the pieces took.
struct Fetched {
    /// Retries beyond one attempt per piece.
    retries: u64,
    /// When the first piece's headers arrived.
    headers_at: Option<f64>,
}

/// Shared by the pieces of one object while they are fetched.
struct Run {
    down: Arc<Down>,
    file: Arc<std::fs::File>,
    object: Arc<str>,
    read: Arc<AtomicU64>,
    total: u64,
    stop: tokio_util::sync::CancellationToken,
    retries: AtomicU64,
    headers_at: Mutex<Option<f64>>,
    failure: Mutex<Option<Error>>,
}

/// Fetches `pieces` into `asm`, `limit` at a time.
async fn fetch_pieces(
    down: &Arc<Down>,
    object: &str,
    asm: &StagedFile,
    total: u64,
    pieces: Vec<Piece>,
    limit: usize,
) -> Result<Fetched> {
    let run = Arc::new(Run {
        down: down.clone(),
        file: asm.file()?.clone(),
        object: Arc::from(object),
        read: Arc::default(),
        total,
        stop: down.ctx.cancel.child_token(),
        retries: AtomicU64::new(0),
        headers_at: Mutex::new(None),
        failure: Mutex::new(None),
    });
    let (r2, stop) = (run.clone(), run.stop.clone());
    for_each_limited(pieces, limit, &stop, move |p: Piece| {
        let run = r2.clone();
        async move { fetch_piece(&run, p).await }
    })
    .await;
    down.ctx.check_cancel()?;
    if let Some(e) = run.failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    let headers_at = *run.headers_at.lock().unwrap_or_else(|p| p.into_inner());
    Ok(Fetched {
        retries: run.retries.load(Ordering::Relaxed),
        headers_at,
    })
}

async fn fetch_piece(run: &Run, p: Piece) {
    let down = &run.down;
    let mut headers = down.opts.headers.clone();
    headers.0.extend(p.headers.iter().cloned());
    let opts = GetOpts {
        headers,
        query: p.query.clone(),
        checksum: down.checksum,
        resume: true,
    };
    let mut sink = PieceSink {
        file: run.file.clone(),
        offset: p.offset,
        down: down.clone(),
        object: run.object.clone(),
        read: run.read.clone(),
        total: run.total,
        since: 0,
    };
    let client = &down.ctx.client;
    let r = object::get(client, &p.container, &p.name, &opts, &mut sink, &run.stop)
        .await
        .and_then(|r| check_piece(&r, &p, down.checksum).map(|_| r));
    match r {
        Ok(r) => {
            let extra = r["attempts"].as_u64().unwrap_or(1).saturating_sub(1);
            run.retries.fetch_add(extra, Ordering::Relaxed);
            if let Some(t) = r["headers_receipt"].as_f64() {
                let mut first = run.headers_at.lock().unwrap_or_else(|p| p.into_inner());
                if first.is_none_or(|f| t < f) {
                    *first = Some(t);
                }
            }
        }
        Err(mut e) => {
            if e.status != Status::Cancelled || !run.stop.is_cancelled() {
                e.message = format!("{}: {}", p.label, e.message);
                // The object was found; a part of it was not. Not the
                // object's SWC_E_NOT_FOUND: a segment deleted behind the
                // download's back (a DLO is then another object: fetched
                // once more) or a damaged large object.
                if e.status == Status::NotFound {
                    e.status = Status::Http;
                    e.message.push_str(
                        " (the segment is gone: deleted while downloading, or the large object is damaged)",
                    );
                }
                let mut failure = run.failure.lock().unwrap_or_else(|p| p.into_inner());
                failure.get_or_insert(e);
            }
            run.stop.cancel();
        }
    }
}

/// One fetched piece against what was expected of it.
fn check_piece(r: &Value, p: &Piece, checksum: bool) -> Result<()> {
    if r["bytes"].as_u64() != Some(p.len) {
        return Err(Error::new(
            Status::Checksum,
            format!(
                "{} bytes came back where {} were expected",
                r["bytes"], p.len
            ),
        ));
    }
    let etag = r["headers"]["etag"]
        .as_str()
        .unwrap_or("")
        .trim_matches('"');
    match &p.etag {
        Some(want) if checksum && !want.is_empty() && etag != want => Err(Error::new(
            Status::Checksum,
            format!("its ETag is {etag}, the manifest names {want}"),
        )),
        _ => Ok(()),
    }
}

/// A large object's segments, `segment_threads` at a time (the hashing
/// spreads over the runtime's threads). With `resume` (resume_partial):
/// into the resumable file, fetching only the segments it does not hold.
pub(super) async fn parallel_segments(
    down: &Arc<Down>,
    o: &str,
    path: &Path,
    segs: &[Segment],
    mtime: Option<&str>,
    resume: Option<&Version<'_>>,
) -> Result<Value> {
    let total: u64 = segs.iter().map(|s| s.size).sum();
    let (mut asm, done, ignored) = match resume {
        Some(v) => open_segments(down, path, v, segs).await?,
        None => (
            StagedFile::create(path, Some(total))?,
            vec![false; segs.len()],
            None,
        ),
    };
    let n = segs.len();
    let mut offset = 0;
    let mut kept = 0;
    let mut pieces = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let at = offset;
        offset += s.size;
        if done[i] {
            kept += s.size;
            continue;
        }
        pieces.push(Piece {
            container: s.container.clone(),
            name: s.name.clone(),
            headers: Vec::new(),
            query: None,
            offset: at,
            len: s.size,
            etag: Some(s.etag.clone()),
            label: format!("segment {i} of {n} ({}/{})", s.container, s.name),
        });
    }
    let auth_end = record::now();
    let fetched = fetch_pieces(down, o, &asm, total, pieces, down.segment_threads).await?;
    asm.complete(mtime.and_then(|m| m.parse().ok()).and_then(mtime_from_secs))?;
    let mut out = json!({
        "read_length": total,
        "verified": if down.checksum { json!("segments") } else { json!(false) },
        "segments": n,
        "attempts": 1 + fetched.retries,
        "auth_end_time": auth_end,
        "headers_receipt": fetched.headers_at,
    });
    if resume.is_some() {
        out["resumed_from"] = json!(kept);
        out["transferred"] = json!(total - kept);
        if let Some(why) = ignored {
            out["partial_ignored"] = json!(why);
        }
    }
    Ok(out)
}

/// A plain object as `parts` ranged GETs at once; the whole is checked
/// against the ETag before it is renamed onto `path` (its mtime set first).
pub(super) async fn parallel_get(
    down: &Arc<Down>,
    (c, o): (&str, &str),
    path: &Path,
    (size, etag): (u64, &str),
    parts: u64,
    mtime: Option<&str>,
) -> Result<Value> {
    let mut asm = StagedFile::create(path, Some(size))?;
    let part = size.div_ceil(parts);
    let pieces: Vec<Piece> = (0..parts)
        .map(|i| (i * part, ((i + 1) * part).min(size)))
        .filter(|(a, b)| a < b)
        .map(|(a, b)| Piece {
            container: c.to_string(),
            name: o.to_string(),
            headers: vec![
                ("Range".into(), format!("bytes={a}-{}", b - 1)),
                ("If-Match".into(), etag.to_string()),
            ],
            query: down.opts.query.clone(),
            offset: a,
            len: b - a,
            etag: None,
            label: format!("part {a}-{}", b - 1),
        })
        .collect();
    let fetched = fetch_pieces(down, o, &asm, size, pieces, parts as usize).await?;
    let file = asm.file()?.clone();
    let md5 = tokio::task::spawn_blocking(move || md5_of(&file))
        .await
        .map_err(|e| Error::internal(e.to_string()))??;
    if down.checksum && md5 != etag {
        return Err(Error::new(
            Status::Checksum,
            format!("the assembled parts have MD5 {md5}, the ETag is {etag}"),
        ));
    }
    asm.complete(mtime.and_then(|m| m.parse().ok()).and_then(mtime_from_secs))?;
    Ok(json!({
        "read_length": size,
        "verified": if down.checksum { json!("md5") } else { json!(false) },
        "parts": parts,
        "attempts": 1 + fetched.retries,
    }))
}

/// The MD5 of a whole file, read from its start.
fn md5_of(file: &std::fs::File) -> Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    f.seek(SeekFrom::Start(0))
        .map_err(|e| Error::invalid(e.to_string()))?;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::invalid(e.to_string()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::hex::hex(&h.finalize()))
}
