//! Downloads that resume across runs (`resume_partial`). A plain object
//! is staged under a stable hidden name (`.<name>.swc-partial`) with a
//! sidecar beside it (`.<name>.swc-partial.json`) naming the version its
//! bytes are from: container, object, version id, ETag, Last-Modified and
//! size. When a download fails (an error, a cancel, the process killed)
//! both stay; a later run that finds them describing the version it is
//! about to fetch continues with `Range: bytes=<have>-` and `If-Match:
//! <etag>`. Anything else starts from zero: no sidecar, an unreadable or
//! corrupt one, one for another object, a changed object (another ETag,
//! size or Last-Modified, or a 412), a kept part longer than the object.
//! The whole file is still checked: the kept part is hashed from disk, the
//! rest as it streams, and the MD5 compared with the ETag; a kept part that
//! fails that check is dropped and the object fetched again from zero.
//! A continued body that breaks again goes on from what arrived, within
//! the client's retry budget, in the same run.
//!
//! Large objects (SLO, DLO) resume per segment: their segments are fetched
//! at their offsets into a file as long as the object (parallel.rs), and a
//! later run whose sidecar matches hashes each segment from disk against
//! the ETag its manifest or listing gives, fetching only those that do not
//! match. Without segment ETags to check against (`checksum` off, a server
//! that does not list them) a large object is fetched whole.
//! A sidecar rather than an extended attribute: it works on every file
//! system (tmpfs without user xattrs, NFS, FAT), survives copying the
//! directory, and can be read and removed with ordinary tools.

use super::super::segments::Segment;
use super::Down;
use crate::conn::body::BodySink;
use crate::conn::object::{self, GetControl};
use crate::conn::opts::GetOpts;
use crate::conn::request::sleep_or_cancel;
use crate::conn::staged::StagedFile;
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

/// What the sidecar says: the object version a partial file holds the
/// first bytes of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    /// The sidecar's format (1).
    swc_partial: u32,
    container: String,
    object: String,
    version_id: Option<String>,
    etag: String,
    last_modified: Option<String>,
    size: u64,
}

/// The plain object about to be fetched, as its inspection (HEAD) saw it.
pub(super) struct Version<'a> {
    pub container: &'a str,
    pub object: &'a str,
    pub etag: &'a str,
    pub size: u64,
    /// The HEAD's headers (Last-Modified).
    pub head: &'a Value,
    /// The modification time the file gets.
    pub mtime: Option<SystemTime>,
}

impl Version<'_> {
    fn sidecar(&self, down: &Down) -> Sidecar {
        Sidecar {
            swc_partial: 1,
            container: self.container.to_string(),
            object: self.object.to_string(),
            version_id: down.req.version_id.clone(),
            etag: self.etag.to_string(),
            last_modified: self.head["last-modified"].as_str().map(str::to_string),
            size: self.size,
        }
    }
}

/// The partial file's length, and why its sidecar does not describe
/// `want` (None: it does).
fn judge(staged: &StagedFile, want: &Sidecar) -> (u64, Option<&'static str>) {
    let len = staged
        .file()
        .ok()
        .and_then(|f| f.metadata().ok())
        .map_or(0, |m| m.len());
    let why = match staged.read_sidecar() {
        None => Some("it has no readable sidecar"),
        Some(text) => match serde_json::from_str::<Sidecar>(&text) {
            Err(_) => Some("its sidecar is not valid"),
            Ok(s) if s.swc_partial != 1 => Some("its sidecar is of an unknown format"),
            Ok(s)
                if (&s.container, &s.object, &s.version_id)
                    != (&want.container, &want.object, &want.version_id) =>
            {
                Some("its sidecar names another object")
            }
            Ok(s) if s != *want => Some("the object changed (ETag, size or Last-Modified)"),
            Ok(_) => None,
        },
    };
    (len, why)
}

/// Why a partial file of `len` bytes was not used, for the record.
fn not_used(len: u64, why: &str) -> String {
    format!("a partial file of {len} bytes was not used: {why}")
}

/// How many bytes of the partial file can be trusted for `want` (at most
/// one less than the object, so there is always a byte to ask for), and
/// why a partial file that was there is not used.
fn kept(staged: &StagedFile, want: &Sidecar) -> (u64, Option<String>) {
    match judge(staged, want) {
        (0, _) => (0, None),
        (len, Some(why)) => (0, Some(not_used(len, why))),
        (len, None) if len > want.size => (0, Some(not_used(len, "it is longer than the object"))),
        (len, None) => (len.min(want.size.saturating_sub(1)), None),
    }
}

/// A large object's file, its segments fetched at their offsets: the
/// resumable file of `path`, as long as the object, and which segments it
/// already holds — each hashed from disk and compared with the ETag its
/// manifest or listing gives, so a segment half written when the last run
/// died is fetched again. Restarted (and why, when a partial file was
/// there) when its sidecar does not describe `v`.
pub(super) async fn open_segments(
    down: &Down,
    path: &Path,
    v: &Version<'_>,
    segs: &[Segment],
) -> Result<(StagedFile, Vec<bool>, Option<String>)> {
    let want = v.sidecar(down);
    let staged = StagedFile::resumable(path)?;
    let (len, why) = judge(&staged, &want);
    if len == v.size && len > 0 && why.is_none() {
        let done = hash_segments(staged.file()?.clone(), segs.to_vec()).await?;
        return Ok((staged, done, None));
    }
    let ignored = (len > 0).then(|| not_used(len, why.unwrap_or("its length is not the object's")));
    let text = serde_json::to_string(&want).map_err(|e| Error::internal(e.to_string()))?;
    staged.restart(&text)?;
    staged
        .file()?
        .set_len(v.size)
        .map_err(|e| Error::invalid(format!("cannot size \"{}\": {e}", staged.tmp().display())))?;
    Ok((staged, vec![false; segs.len()], ignored))
}

/// Feeds bytes `from..to` of `file` to `h` (blocking: read from disk).
fn hash_range(file: &std::fs::File, from: u64, to: u64, h: &mut Md5) -> Result<()> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; (1 << 20).min(to - from) as usize];
    let mut at = from;
    while at < to {
        let want = buf.len().min((to - at) as usize);
        let n = file
            .read_at(&mut buf[..want], at)
            .map_err(|e| Error::invalid(format!("reading the kept part: {e}")))?;
        if n == 0 {
            return Err(Error::invalid("the kept part ended early"));
        }
        h.update(&buf[..n]);
        at += n as u64;
    }
    Ok(())
}

/// Which of `segs`, laid end to end in `file`, have the MD5 their ETag
/// names.
async fn hash_segments(file: Arc<std::fs::File>, segs: Vec<Segment>) -> Result<Vec<bool>> {
    tokio::task::spawn_blocking(move || {
        let mut at = 0;
        let mut done = Vec::with_capacity(segs.len());
        for s in &segs {
            let mut h = Md5::new();
            hash_range(&file, at, at + s.size, &mut h)?;
            at += s.size;
            done.push(!s.etag.is_empty() && crate::hex::hex(&h.finalize()) == s.etag);
        }
        Ok(done)
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// The MD5 state after the first `len` bytes of `file`, read from disk.
async fn hash_prefix(file: Arc<std::fs::File>, len: u64) -> Result<Md5> {
    tokio::task::spawn_blocking(move || {
        let mut h = Md5::new();
        hash_range(&file, 0, len, &mut h).map(|_| h)
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?
}

/// Appends the rest of the body to the partial file, hashing it and
/// reporting the whole object's progress.
struct RestSink<'a> {
    file: Arc<std::fs::File>,
    md5: Md5,
    down: &'a Down,
    object: &'a str,
    /// The whole object's bytes so far (kept ones included).
    read: u64,
    total: u64,
    last: u64,
}

impl BodySink for RestSink<'_> {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        use std::io::Write;
        (&*self.file)
            .write_all(data)
            .map_err(|e| Error::invalid(format!("writing a partial file: {e}")))?;
        self.md5.update(data);
        let n = data.len() as u64;
        self.read += n;
        let overall = self.down.done_bytes.fetch_add(n, Ordering::Relaxed) + n;
        if self.read - self.last >= 1 << 20 {
            self.last = self.read;
            self.down
                .progress(self.object, self.read, self.total, overall);
        }
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// One GET of the object from byte `have` on (If-Match its ETag) into the
/// partial file; returns its record and the whole file's MD5.
async fn get_rest(
    down: &Down,
    v: &Version<'_>,
    staged: &StagedFile,
    have: u64,
) -> Result<(Value, String)> {
    staged.truncate(have)?;
    let file = staged.file()?.clone();
    let md5 = hash_prefix(file.clone(), have).await?;
    let mut headers = down.opts.headers.clone();
    headers.0.push(("If-Match".into(), v.etag.to_string()));
    if have > 0 {
        headers.0.push(("Range".into(), format!("bytes={have}-")));
    }
    // The MD5 is of the whole file, kept part included: taken here, not by
    // the GET (which sees only the rest).
    let opts = GetOpts {
        headers,
        query: down.opts.query.clone(),
        checksum: false,
        resume: true,
    };
    let control = GetControl {
        no_body_md5: true,
        range_from: (have > 0).then_some(have),
        ..Default::default()
    };
    let mut sink = RestSink {
        file,
        md5,
        down,
        object: v.object,
        read: have,
        total: v.size,
        last: have,
    };
    let (c, o) = (v.container, v.object);
    let client = &down.ctx.client;
    let cancel = &down.ctx.cancel;
    let r = object::get_with(client, c, o, &opts, &control, &mut sink, cancel).await?;
    let md5 = crate::hex::hex(&sink.md5.finalize());
    Ok((r.into_record(), md5))
}

/// Whether the whole file is the object: its length, and its MD5 against
/// the ETag (when checksums are on).
fn check_whole(down: &Down, v: &Version<'_>, have: u64, resp: &Value, md5: &str) -> Result<()> {
    let got = resp["bytes"].as_u64().unwrap_or(0);
    if have + got != v.size {
        return Err(Error::new(
            Status::Checksum,
            format!(
                "{have} kept and {got} fetched bytes make {}, the object has {}",
                have + got,
                v.size
            ),
        ));
    }
    if down.checksum && !v.etag.is_empty() && md5 != v.etag {
        return Err(Error::new(
            Status::Checksum,
            format!("the file has MD5 {md5}, the ETag is {}", v.etag),
        ));
    }
    Ok(())
}

/// Whether a resumed GET that broke may go on from what arrived, in this
/// run: a connection that broke after bytes came (the GET itself cannot
/// resume a caller's Range), within the client's retry budget.
fn may_go_on(e: &Error, breaks: u32, down: &Down, gained: bool) -> bool {
    let again = e.retryable && matches!(e.status, Status::Network | Status::Timeout);
    again && gained && breaks < down.ctx.client.settings().retries
}

/// The error a resumable download ends with: a body that did not check
/// out goes, and so does a file that got no byte; anything else is kept
/// for a later run (and the message says so).
fn give_up(staged: &mut StagedFile, mut e: Error, kept: u64) -> Error {
    if e.status == Status::Checksum || kept == 0 {
        staged.discard();
    } else {
        e.message = format!(
            "{} ({kept} bytes kept in \"{}\" for a later resume)",
            e.message,
            staged.tmp().display()
        );
    }
    e
}

/// Fetches the plain object `v` into `path`, continuing a partial file a
/// failed run kept when it is of this version. Returns the GET's record
/// and the download record's own facts (`read_length`, `resumed_from`,
/// `transferred`, `partial_ignored`), or None when the object changed
/// since its inspection (a 412): inspect it again and call again (the
/// partial file is then restarted).
pub(super) async fn fetch_plain(
    down: &Down,
    path: &Path,
    v: &Version<'_>,
) -> Result<Option<(Value, Value)>> {
    let want = v.sidecar(down);
    let mut staged = StagedFile::resumable(path)?;
    let (mut have, mut ignored) = kept(&staged, &want);
    let (mut resumed_from, mut transferred, mut breaks) = (have, 0, 0);
    let s = down.ctx.client.settings();
    let mut backoff = crate::backoff::Backoff::new(s.starting_backoff, s.max_backoff);
    loop {
        if have == 0 {
            let text = serde_json::to_string(&want).map_err(|e| Error::internal(e.to_string()))?;
            staged.restart(&text)?;
        }
        let (resp, md5) = match get_rest(down, v, &staged, have).await {
            Ok(r) => r,
            Err(e) if e.status == Status::Precondition => return Ok(None),
            Err(e) => {
                let now = staged.file()?.metadata().map_or(have, |m| m.len());
                if have > 0 && may_go_on(&e, breaks, down, now > have) {
                    (transferred, breaks) = (transferred + now - have, breaks + 1);
                    have = now.min(v.size.saturating_sub(1));
                    sleep_or_cancel(backoff.next_delay(None), &down.ctx.cancel).await?;
                    continue;
                }
                return Err(give_up(&mut staged, e, now));
            }
        };
        transferred += resp["bytes"].as_u64().unwrap_or(0);
        match check_whole(down, v, have, &resp, &md5) {
            Ok(()) => {}
            // The kept part was not what its sidecar said: from zero.
            Err(e) if resumed_from > 0 => {
                ignored = Some(format!(
                    "the kept {resumed_from} bytes were dropped: {}",
                    e.message
                ));
                (have, resumed_from) = (0, 0);
                continue;
            }
            Err(e) => {
                staged.discard();
                return Err(e);
            }
        }
        staged.complete(v.mtime)?;
        let mut extra = json!({
            "read_length": v.size,
            "resumed_from": resumed_from,
            "transferred": transferred,
        });
        if let Some(why) = ignored {
            extra["partial_ignored"] = json!(why);
        }
        return Ok(Some((resp, extra)));
    }
}
