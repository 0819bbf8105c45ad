//! Uploading one local file: skipped when `changed` or `skip_identical`
//! says so, else as one object or — above the segment size — through the
//! segment writer, its byte ranges read straight from the file; then the
//! old segments the new object does not reuse are deleted.
//!
//! Resumable: segment names depend only on the file (its name, mtime and
//! size) and the segment size, so a rerun lists the segment container
//! under the names' prefix and offers each segment found there to the
//! writer, which keeps it when the local byte range has its size and MD5.
//! A failed resumable upload keeps every segment that landed. A file that
//! changed (mtime or size) has other names: a fresh upload.

use super::super::record;
use super::super::segment_writer::{Manifest, SegmentLayout, SegmentWriter};
use super::super::segments::{self, Existing, Segment};
use super::existing::{existing_object, skip_reason};
use super::request::Eff;
use super::Up;
use crate::conn::body::{BodySource, FileSource};
use crate::conn::object;
use crate::conn::opts::{Headers, PutOpts, RequestOpts};
use crate::error::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One file to upload.
pub(super) struct FileJob<'a> {
    pub path: &'a Path,
    pub object: &'a str,
    pub size: u64,
    pub mtime: &'a str,
    pub headers: &'a [(String, String)],
    pub eff: Eff,
}

/// The object's headers with python-swiftclient's `X-Object-Meta-Mtime`
/// (unless the caller set one).
pub(super) fn put_opts(headers: &[(String, String)], mtime: &str) -> PutOpts {
    let mut h: Vec<(String, String)> = headers.to_vec();
    if !h
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-object-meta-mtime"))
    {
        h.push(("X-Object-Meta-Mtime".into(), mtime.to_string()));
    }
    PutOpts {
        headers: Headers(h),
        ..Default::default()
    }
}

/// Uploads one file; returns its `upload_object` record.
pub(super) async fn upload_file(up: &Arc<Up>, job: FileJob<'_>) -> Value {
    let base = |mut r: Value| {
        r["path"] = json!(job.path.display().to_string());
        r
    };
    let (c, o) = (up.container.as_str(), job.object);
    match upload_file_inner(up, &job).await {
        Ok(r) => {
            let mut rec = base(record::ok("upload_object", Some(c), Some(o)));
            record::merge(&mut rec, r);
            rec
        }
        Err(e) => {
            let mut rec = base(record::failed("upload_object", Some(c), Some(o), &e));
            let segmented = segment_size_for(job.size, job.eff.segment_size, up.limits).is_some();
            if job.eff.resumable && segmented {
                // Its segments stay: the same upload run again sends only
                // what is missing.
                rec["resumable"] = json!(true);
            }
            rec
        }
    }
}

async fn upload_file_inner(up: &Arc<Up>, job: &FileJob<'_>) -> Result<Value> {
    let existing = existing_object(up, job.object, job.size, &job.eff).await?;
    if let Some(ex) = &existing {
        if let Some(skip) = skip_reason(&job.eff, job.path, job.size, job.mtime, ex).await? {
            return Ok(json!({ "status": skip }));
        }
    }
    let old_segments: Vec<Segment> = match &existing {
        Some((Existing::Slo(s), _)) => s.clone(),
        Some((Existing::Dlo { segments, .. }, _)) => segments.clone(),
        _ => Vec::new(),
    };
    let (mut r, new_segments) = match segment_size_for(job.size, job.eff.segment_size, up.limits) {
        None => upload_plain(up, job).await?,
        Some(seg) => upload_segmented(up, job, seg).await?,
    };
    r["status"] = json!("uploaded");
    // Old segments the new object does not reuse.
    if !job.eff.leave_segments && !old_segments.is_empty() {
        let keep: std::collections::HashSet<String> =
            new_segments.iter().map(Segment::path).collect();
        let stale: Vec<Segment> = old_segments
            .into_iter()
            .filter(|s| !keep.contains(&s.path()))
            .collect();
        r["old_segments_deleted"] = json!(stale.len());
        let threads = up.segment_threads;
        segments::delete_segments(&up.ctx, stale, &RequestOpts::default(), threads).await;
    }
    Ok(r)
}

async fn upload_plain(up: &Arc<Up>, job: &FileJob<'_>) -> Result<(Value, Vec<Segment>)> {
    let ctx = &up.ctx;
    let mut opts = put_opts(job.headers, job.mtime);
    opts.checksum = job.eff.checksum;
    let src = FileSource::open(job.path)?;
    if src.len() != Some(job.size) {
        return Err(Error::invalid(format!(
            "\"{}\" changed size while being uploaded",
            job.path.display()
        )));
    }
    let mut counting = Counting::new(src, up, job.object, job.size, Arc::default());
    let resp = object::put(
        &ctx.client,
        &up.container,
        job.object,
        &opts,
        &mut counting,
        &ctx.cancel,
    )
    .await?;
    let mut r = record::with_response(json!({}), &resp);
    r["headers"] = record::sent_headers(&opts.headers.0);
    r["large_object"] = json!(false);
    r["etag"] = resp["etag"].clone();
    r["bytes"] = resp["bytes"].clone();
    Ok((r, Vec::new()))
}

/// The file as segments of `seg` bytes (each PUT reads its own byte range,
/// so a retry re-reads from the file) and a manifest.
async fn upload_segmented(
    up: &Arc<Up>,
    job: &FileJob<'_>,
    seg: u64,
) -> Result<(Value, Vec<Segment>)> {
    let ctx = &up.ctx;
    up.segments.ensure(ctx).await?;
    let layout = SegmentLayout {
        container: up.container.clone(),
        object: job.object.to_string(),
        segment_container: up.segments.name.clone(),
        manifest: Manifest::of(job.eff.use_slo),
        mtime: job.mtime.to_string(),
        size: Some(job.size),
        segment_size: seg,
    };
    let count = job.size.div_ceil(seg) as usize;
    // A resumable upload keeps what landed, whatever happens.
    let keep = job.eff.leave_segments || job.eff.resumable;
    let mut earlier = match job.eff.resumable {
        true => earlier_segments(up, &layout).await?,
        false => HashMap::new(),
    };
    let mut writer = SegmentWriter::new(ctx, layout, job.eff.checksum, &up.segment_slots);
    let object_read = Arc::new(AtomicU64::new(0));
    for i in 0..count {
        let offset = i as u64 * seg;
        let len = seg.min(job.size - offset);
        let fed = match open_range(job.path, offset, len) {
            Ok(src) => {
                let counting = Counting::new(src, up, job.object, job.size, object_read.clone());
                let candidate = earlier.remove(&i);
                writer.put_reusing(i, Box::new(counting), candidate).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = fed {
            writer.abort(keep).await;
            return Err(e);
        }
    }
    let mut opts = put_opts(job.headers, job.mtime);
    opts.checksum = job.eff.checksum;
    let sent = record::sent_headers(&opts.headers.0);
    let written = writer.complete(opts, keep).await?;
    let mut r = record::with_response(json!({}), &written.resp);
    r["headers"] = sent;
    r["large_object"] = json!(true);
    r["segments"] = json!(count);
    if job.eff.resumable {
        r["segments_reused"] = json!(written.reused);
        r["segments_sent"] = json!(count - written.reused);
    }
    r["segment_size"] = json!(seg);
    r["manifest"] = json!(Manifest::of(job.eff.use_slo).as_str());
    r["bytes"] = json!(job.size);
    Ok((r, written.segments))
}

/// The segments an earlier run of this upload left, by index: the objects
/// named `<prefix><%08d>` in the segment container (none when it does not
/// exist yet).
async fn earlier_segments(up: &Arc<Up>, l: &SegmentLayout) -> Result<HashMap<usize, Segment>> {
    let prefix = l.prefix();
    let listed = match segments::listed_under(&up.ctx, &l.segment_container, &prefix).await {
        Ok(v) => v,
        Err(e) if e.status == crate::error::Status::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(listed
        .into_iter()
        .filter_map(|s| {
            let index = s.name.strip_prefix(&prefix)?;
            // Exactly python-swiftclient's `%08d`: "1" or "000000001" is
            // someone else's object.
            let i: usize = (index.len() == 8 && index.bytes().all(|b| b.is_ascii_digit()))
                .then(|| index.parse().ok())??;
            Some((i, s))
        })
        .collect())
}

/// A file source that reports the object's progress as it is read (its
/// segments' sources share `object_read`).
struct Counting {
    inner: FileSource,
    up: Arc<Up>,
    object: String,
    read: u64,
    total: u64,
    last: u64,
    object_read: Arc<AtomicU64>,
}

impl Counting {
    fn new(
        inner: FileSource,
        up: &Arc<Up>,
        object: &str,
        total: u64,
        object_read: Arc<AtomicU64>,
    ) -> Self {
        Counting {
            inner,
            up: up.clone(),
            object: object.to_string(),
            read: 0,
            total,
            last: 0,
            object_read,
        }
    }
}

impl BodySource for Counting {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let overall = self.up.done_bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let bytes = self.object_read.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let len = self.inner.len().unwrap_or(0);
        if self.read - self.last >= 1 << 20
            || (n == 0 && self.read != self.last)
            || self.read == len
        {
            self.last = self.read;
            self.up.ctx.progress(json!({
                "action": "upload", "container": self.up.container, "object": self.object,
                "bytes": bytes, "total": self.total,
                "overall_bytes": overall, "overall_total": self.up.total_bytes,
            }));
        }
        Ok(n)
    }
    fn rewind(&mut self) -> Result<bool> {
        let r = self.inner.rewind()?;
        if r {
            self.up.done_bytes.fetch_sub(self.read, Ordering::Relaxed);
            self.object_read.fetch_sub(self.read, Ordering::Relaxed);
            self.read = 0;
            self.last = 0;
        }
        Ok(r)
    }
    fn len(&self) -> Option<u64> {
        self.inner.len()
    }
    fn content_md5(&mut self) -> Result<Option<String>> {
        // Read past the progress count: only the bytes sent are progress.
        self.inner.content_md5()
    }
}

fn open_range(path: &Path, offset: u64, len: u64) -> Result<FileSource> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("cannot open \"{}\": {e}", path.display())))?;
    f.seek(SeekFrom::Start(offset))
        .map_err(|e| Error::invalid(format!("cannot seek \"{}\": {e}", path.display())))?;
    FileSource::owned_range(f, offset, len, path.display().to_string())
}

/// The segment size for a file of `size` bytes: the one given (when the
/// file is larger), or — for a file over the cluster's `max_file_size` —
/// one chosen from `/info` limits: 1 GiB (at most max_file_size), larger
/// if `max_manifest_segments` would not suffice, at least
/// `min_segment_size`.
pub fn segment_size_for(size: u64, given: Option<u64>, limits: (u64, u64, u64)) -> Option<u64> {
    if let Some(s) = given {
        return (size > s).then_some(s);
    }
    let (max_file, max_segments, min_segment) = limits;
    if size <= max_file {
        return None;
    }
    // Too big for one object: segment it instead of failing.
    let mut s = (1u64 << 30).min(max_file);
    if s.saturating_mul(max_segments) < size {
        s = size.div_ceil(max_segments);
    }
    Some(s.max(min_segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_segment_sizes() {
        let gib = 1u64 << 30;
        let limits = (5 * gib, 1000, 1);
        assert_eq!(segment_size_for(4 * gib, None, limits), None);
        assert_eq!(segment_size_for(6 * gib, None, limits), Some(gib));
        assert_eq!(
            segment_size_for(6 * gib, Some(100 << 20), limits),
            Some(100 << 20)
        );
        assert_eq!(segment_size_for(10, Some(100), limits), None);
        // A small max_file_size caps the segment size.
        assert_eq!(
            segment_size_for(3 << 20, None, (1 << 20, 1000, 1)),
            Some(1 << 20)
        );
        // Few manifest segments allowed: segments grow to fit.
        assert_eq!(
            segment_size_for(10 * gib, None, (5 * gib, 4, 1)),
            Some(10 * gib / 4)
        );
        // min_segment_size is respected.
        assert_eq!(
            segment_size_for(3 << 20, None, (1 << 20, 1000, 2 << 20)),
            Some(2 << 20)
        );
    }
}
