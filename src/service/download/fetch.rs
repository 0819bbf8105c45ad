//! Downloading one object: where it goes, then the quick way (one GET,
//! streamed straight in, for what may be a plain object) or — for a large
//! object, `skip_identical`, `no_download` or ranged parts — inspected
//! first and fetched in the way its kind needs.

use super::super::identical::identical_file;
use super::super::op::Ctx;
use super::super::record;
use super::super::segments::{self, Existing};
use super::parallel::{parallel_get, parallel_segments};
use super::paths::{local_name, safe_path};
use super::request::DownloadRequest;
use super::resume;
use super::verify::{get_verified, Discard};
use super::{Down, Want};
use crate::conn::body::{BodySink, FdSink, PathSink};
use crate::conn::staged::{mtime_from_secs, StagedFile};
use crate::error::{Error, Result, Status};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where one object's bytes go.
struct Target {
    /// The file (None: standard output).
    path: Option<PathBuf>,
    /// The path as python-swiftclient reports it.
    shown: String,
    stdout: bool,
}

impl Target {
    fn sink(&self, down: &Down) -> Result<Box<dyn BodySink>> {
        if down.req.no_download {
            Ok(Box::new(Discard))
        } else if self.stdout {
            Ok(Box::new(FdSink::new(1)?))
        } else {
            match self.path.as_ref() {
                Some(p) => Ok(Box::new(PathSink::create(p)?)),
                None => Err(Error::internal("no output path")),
            }
        }
    }
}

/// The local target of `w`, or why there may be none.
fn target_of(down: &Down, w: &Want) -> std::result::Result<Target, (String, Error)> {
    let rel = local_name(&down.req, w);
    let stdout = down.req.out_file.as_deref() == Some("-");
    let path: Option<PathBuf> = match &down.req.out_file {
        Some(f) if f != "-" => Some(PathBuf::from(f)),
        Some(_) => None,
        None => match safe_path(&down.out_dir, &rel) {
            Ok(p) => Some(p),
            Err(why) => {
                let e = Error::invalid(format!(
                    "refusing to write object \"{}\" outside the output directory: {why}",
                    w.name
                ));
                return Err((rel, e));
            }
        },
    };
    // Relative to the current directory when no output directory was
    // given ("a/b", not "./a/b").
    let shown = match (&path, &down.req.out_directory, &down.req.out_file) {
        (None, _, _) => "-".to_string(),
        (Some(_), None, None) => rel,
        (Some(p), _, _) => p.display().to_string(),
    };
    Ok(Target {
        path,
        shown,
        stdout,
    })
}

/// Downloads one object of the operation; returns its record.
pub(super) async fn fetch(down: &Arc<Down>, w: &Want) -> Value {
    let (c, o) = (w.container.as_str(), w.name.as_str());
    let target = match target_of(down, w) {
        Ok(t) => t,
        Err((rel, e)) => {
            let mut r = record::failed("download_object", Some(c), Some(o), &e);
            r["path"] = json!(rel);
            return r;
        }
    };
    let mut rec = record::ok("download_object", Some(c), Some(o));
    rec["path"] = json!(target.shown);
    rec["start_time"] = json!(record::now());
    match fetch_into(down, w, &target, rec).await {
        Ok(r) => r,
        Err(e) => {
            let mut r = record::failed("download_object", Some(c), Some(o), &e);
            r["path"] = json!(target.path.as_ref().map(|_| target.shown.clone()));
            r
        }
    }
}

/// A GET's facts in the record.
fn finished(rec: Value, resp: &Value, verified: Value) -> Value {
    let mut rec = record::with_response(rec, resp);
    rec["read_length"] = resp["bytes"].clone();
    rec["verified"] = verified;
    rec["auth_end_time"] = resp["auth_end_time"].clone();
    rec["headers_receipt"] = resp["headers_receipt"].clone();
    rec["finish_time"] = json!(record::now());
    rec
}

/// Makes the directories the object needs (a pseudo-directory is one).
/// Returns whether the object is a pseudo-directory.
fn prepare_dirs(down: &Down, w: &Want, target: &Target) -> Result<bool> {
    let is_dir_entry = w.name.ends_with('/')
        || (matches!(
            w.content_type.as_deref(),
            Some("application/directory" | "text/directory")
        ) && w.bytes == Some(0));
    let dir = match &target.path {
        _ if down.req.no_download => None,
        Some(p) if is_dir_entry => Some(p.as_path()),
        Some(p) => p.parent().filter(|d| !d.as_os_str().is_empty()),
        None => None,
    };
    if let Some(d) = dir {
        down.make_dir(d).map_err(|e| {
            Error::invalid(format!("cannot create directory \"{}\": {e}", d.display()))
        })?;
    }
    Ok(is_dir_entry)
}

async fn fetch_into(down: &Arc<Down>, w: &Want, target: &Target, mut rec: Value) -> Result<Value> {
    let (c, o) = (w.container.as_str(), w.name.as_str());
    if prepare_dirs(down, w, target)? {
        rec["pseudodir"] = json!(true);
        return Ok(rec);
    }
    // The common case costs one request: GET at once, and stream a plain
    // object straight in. Only a large object (seen in the GET's headers,
    // before any byte is read) takes the longer way below: its segment list
    // first, then a GET verified per segment. skip_identical, no_download
    // and parallel ranged GETs need the object's facts first.
    if w.maybe_plain()
        && !down.req.skip_identical
        && !down.req.no_download
        && !down.req.resume_partial
        && down.req.range_parts.unwrap_or(1) <= 1
    {
        if let (Some((resp, verified)), again) =
            get_once_more(down, (c, o), None, w.bytes, target).await?
        {
            return Ok(again.mark(finished(rec, &resp, verified)));
        }
    }
    // What is it? Large objects are verified per segment.
    let (mut existing, mut head) = inspect(&down.ctx, down, c, o).await?;
    if down.req.skip_identical && identical(target, &existing).await {
        rec["status"] = json!("skipped-identical");
        return Ok(rec);
    }
    if let Some(p) = resumable_path(down, target) {
        let seen = (&mut existing, &mut head);
        if let Some(done) = fetch_resumable(down, (c, o), p, seen, rec.clone()).await? {
            return Ok(done);
        }
    }
    // Pieces at once, fetched once more (the object inspected again) for
    // the reasons a single GET would be.
    match fetch_parallel(down, (c, o), target, &existing, &head).await {
        Ok(Some(extra)) => return Ok(pieces_done(rec, extra, &head)),
        Ok(None) => {}
        Err(e) => {
            let Some(why) = again_for(down, &e) else {
                return Err(e);
            };
            (existing, head) = inspect(&down.ctx, down, c, o).await?;
            match fetch_parallel(down, (c, o), target, &existing, &head).await {
                Ok(Some(extra)) => return Ok(why.mark(pieces_done(rec, extra, &head))),
                // Now a kind fetched with one GET, below.
                Ok(None) => {}
                Err(second) => return Err(told_beside(e, &second)),
            }
        }
    }
    match get_once_more(down, (c, o), Some(existing), None, target).await? {
        (Some((resp, verified)), again) => Ok(again.mark(finished(rec, &resp, verified))),
        (None, _) => Err(Error::internal("a large object was not recognised as one")),
    }
}

/// Why a download was fetched a second time, if it was.
#[derive(Clone, Copy, PartialEq)]
enum Again {
    No,
    /// The body did not check out (MD5 or length): damaged on the way.
    Checksum,
    /// The object changed while a broken body was being resumed (412 to
    /// the resuming GET's If-Match), or a segment of it went away:
    /// fetched again from byte 0.
    Changed,
}

impl Again {
    fn mark(self, mut rec: Value) -> Value {
        match self {
            Again::No => {}
            Again::Checksum => rec["checksum_retried"] = json!(true),
            Again::Changed => rec["restarted_after_change"] = json!(true),
        }
        rec
    }
}

/// Whether a failed fetch is worth once more, and why: a body that did not
/// check out, or an object that changed (a 412 to a resumed GET's
/// If-Match; a segment gone while the object itself was there — a DLO is
/// whatever its segments are — or a damaged large object, which the second
/// try shows). Never when the caller's own headers set conditions or a
/// range: a 412 is then theirs.
fn again_for(down: &Down, e: &Error) -> Option<Again> {
    if down.caller_conditions() {
        return None;
    }
    match e.status {
        Status::Checksum => Some(Again::Checksum),
        Status::Precondition => Some(Again::Changed),
        Status::Http if e.http_status == Some(404) => Some(Again::Changed),
        _ => None,
    }
}

/// The first failure is what went wrong (a rotten segment may be
/// quarantined by the time of the second try, which then fails
/// otherwise); the second is told beside it.
fn told_beside(mut first: Error, second: &Error) -> Error {
    first
        .message
        .push_str(&format!("; fetched once more: {}", second.message));
    first
}

/// `get_verified` into a fresh sink; once more when `again_for` says so
/// (the object then inspected again, as it may now be another kind).
/// Nothing reaches the file's name from a failed try (the sink is finished
/// as failed).
async fn get_once_more(
    down: &Down,
    (c, o): (&str, &str),
    mut existing: Option<Existing>,
    listed: Option<u64>,
    target: &Target,
) -> Result<(Option<(Value, Value)>, Again)> {
    let mut again = Again::No;
    let mut first: Option<Error> = None;
    loop {
        let mut sink = target.sink(down)?;
        let got = get_verified(down, c, o, existing.as_ref(), listed, sink.as_mut()).await;
        let retry = match &got {
            _ if again != Again::No => None,
            Err(e) => again_for(down, e),
            Ok(_) => None,
        };
        match (got, retry) {
            (Ok(None), _) => {
                sink.finish(false)?;
                return Ok((None, again));
            }
            (Ok(Some(done)), _) => return Ok((Some(done), again)),
            (Err(e), None) => {
                return Err(match first {
                    Some(f) => told_beside(f, &e),
                    None => e,
                })
            }
            (Err(e), Some(why)) => {
                first = Some(e);
                again = why;
                if why == Again::Changed && existing.is_some() {
                    existing = Some(inspect(&down.ctx, down, c, o).await?.0);
                }
            }
        }
    }
}

/// With `resume_partial`, a file target and no caller Range: the file a
/// partial download may be kept for.
fn resumable_path<'a>(down: &Down, target: &'a Target) -> Option<&'a Path> {
    let on = down.req.resume_partial && !down.req.no_download && !down.caller_range();
    target.path.as_deref().filter(|_| on && !target.stdout)
}

/// An object fetched resumably (see resume.rs): a plain one from where
/// the kept part ends, inspected again (at most once) when it changed
/// since; a large one per segment. None: a large object whose segments
/// cannot be checked on their own, to be fetched the usual way
/// (`existing` and `head` are then its latest inspection).
async fn fetch_resumable(
    down: &Arc<Down>,
    (c, o): (&str, &str),
    path: &Path,
    (existing, head): (&mut Existing, &mut Value),
    rec: Value,
) -> Result<Option<Value>> {
    for _ in 0..2 {
        let Existing::Plain { etag, size } = &*existing else {
            return resume_segments(down, (c, o), path, (existing, head), rec).await;
        };
        let v = resume::Version {
            container: c,
            object: o,
            etag,
            size: *size,
            head,
            mtime: head["x-object-meta-mtime"]
                .as_str()
                .filter(|_| !down.req.ignore_mtime)
                .and_then(|m| m.parse().ok())
                .and_then(mtime_from_secs),
        };
        if let Some((resp, extra)) = resume::fetch_plain(down, path, &v).await? {
            let verified = if down.checksum {
                json!("md5")
            } else {
                json!(false)
            };
            let mut rec = finished(rec, &resp, verified);
            record::merge(&mut rec, extra);
            return Ok(Some(rec));
        }
        (*existing, *head) = inspect(&down.ctx, down, c, o).await?;
    }
    Err(Error::new(
        Status::Precondition,
        format!("{c}/{o} changed while it was being downloaded, twice"),
    ))
}

/// A large object fetched resumably, segment by segment (see resume.rs).
/// None when its segments cannot be checked on their own (no segment
/// ETags, or `checksum` off): it is then fetched whole the usual way, and a
/// partial file of it goes.
async fn resume_segments(
    down: &Arc<Down>,
    (c, o): (&str, &str),
    path: &Path,
    (existing, head): (&Existing, &Value),
    rec: Value,
) -> Result<Option<Value>> {
    let segs = match existing {
        Existing::Slo(s) | Existing::Dlo { segments: s, .. }
            if down.checksum && !s.is_empty() && s.iter().all(|x| !x.etag.is_empty()) =>
        {
            s
        }
        _ => {
            StagedFile::forget_resumable(path);
            return Ok(None);
        }
    };
    let v = resume::Version {
        container: c,
        object: o,
        etag: head["etag"].as_str().unwrap_or("").trim_matches('"'),
        size: segs.iter().map(|s| s.size).sum(),
        head,
        mtime: None,
    };
    let mtime = head["x-object-meta-mtime"]
        .as_str()
        .filter(|_| !down.req.ignore_mtime);
    let extra = parallel_segments(down, o, path, segs, mtime, Some(&v)).await?;
    Ok(Some(pieces_done(rec, extra, head)))
}

/// The record of an object fetched as pieces: several GETs, so the
/// object's headers are those of its inspection.
fn pieces_done(mut rec: Value, extra: Value, head: &Value) -> Value {
    record::merge(&mut rec, extra);
    rec["finish_time"] = json!(record::now());
    rec["response_dict"] = json!({"status": 200, "reason": "OK", "headers": head});
    rec
}

/// What `c/o` is, and its HEAD headers; not there is SWC_E_NOT_FOUND.
async fn inspect(ctx: &Ctx, down: &Down, c: &str, o: &str) -> Result<(Existing, Value)> {
    match segments::existing(ctx, c, o, &down.opts).await? {
        Some(found) => Ok(found),
        None => {
            let mut e = Error::new(Status::NotFound, format!("object {c}/{o} not found"));
            e.http_status = Some(404);
            Err(e)
        }
    }
}

/// Whether the target file already holds the object.
async fn identical(target: &Target, existing: &Existing) -> bool {
    let Some(p) = target.path.clone().filter(|p| p.is_file()) else {
        return false;
    };
    let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
    let k = existing.clone();
    matches!(
        tokio::task::spawn_blocking(move || identical_file(&p, size, &k)).await,
        Ok(Ok(true))
    )
}

/// Fetches the object as pieces at once when that applies (a file target,
/// no caller Range): a large object's segments, or ranged parts of a big
/// plain object. None: fetch it with one GET instead.
async fn fetch_parallel(
    down: &Arc<Down>,
    (c, o): (&str, &str),
    target: &Target,
    existing: &Existing,
    head: &Value,
) -> Result<Option<Value>> {
    let Some(p) = target.path.as_deref() else {
        return Ok(None);
    };
    if down.req.no_download || down.caller_range() || target.stdout {
        return Ok(None);
    }
    let mtime = head["x-object-meta-mtime"]
        .as_str()
        .filter(|_| !down.req.ignore_mtime);
    match existing {
        Existing::Plain { etag, size } => {
            let parts = down.req.range_parts.unwrap_or(1).clamp(1, 64);
            if parts > 1 && *size >= down.req.range_threshold.unwrap_or(64 << 20) {
                let r = parallel_get(down, (c, o), p, (*size, etag), parts, mtime).await?;
                return Ok(Some(r));
            }
            Ok(None)
        }
        Existing::Slo(segs) | Existing::Dlo { segments: segs, .. }
            if down.segment_threads > 1 && segs.len() > 1 =>
        {
            Ok(Some(
                parallel_segments(down, o, p, segs, mtime, None).await?,
            ))
        }
        _ => Ok(None),
    }
}

/// Downloads one object into `sink` (e.g. a caller's write callback) with
/// the same verification as `download`: MD5 and length for plain objects,
/// per segment for SLO and DLO. `req` names the container and exactly one
/// object; `header` and `checksum` apply.
pub async fn download_one(
    client: &crate::client::Client,
    req: &DownloadRequest,
    sink: &mut dyn BodySink,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Value> {
    let (Some(c), [o]) = (req.container.as_deref(), req.objects.as_slice()) else {
        return Err(Error::config(
            "objects",
            "give \"container\" and exactly one object",
        ));
    };
    if req.resume_partial {
        return Err(Error::config(
            "resume_partial",
            "\"resume_partial\" needs a download to a file (\"download\")",
        ));
    }
    let ctx = Ctx::detached(client.clone(), cancel.clone());
    let down = Down::new(ctx, req, 1, 1)?;
    let existing = match segments::existing(&down.ctx, c, o, &down.opts).await? {
        Some((kind, _)) => kind,
        None => {
            let mut e = Error::new(Status::NotFound, format!("object {c}/{o} not found"));
            e.http_status = Some(404);
            sink.finish(false)?;
            return Err(e);
        }
    };
    let Some((resp, verified)) = get_verified(&down, c, o, Some(&existing), None, sink).await?
    else {
        return Err(Error::internal("a large object was not recognised as one"));
    };
    let mut rec = record::with_response(record::ok("download_object", Some(c), Some(o)), &resp);
    rec["read_length"] = resp["bytes"].clone();
    rec["verified"] = verified;
    Ok(rec)
}
