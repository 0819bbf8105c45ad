//! Writing a large object in the shape of a multipart upload: put segments
//! (each as its own task, at most as many at once as the shared slots
//! allow), then complete — write the SLO or DLO manifest — or abort —
//! delete every segment that was started. The file upload (byte ranges of
//! a file), the stream upload (buffers filled from a pipe or a read
//! callback) and an upload's file-descriptor items all feed this one
//! writer; segment names are python-swiftclient's, so each tool can manage
//! the other's large objects. A resumable upload offers each segment a
//! candidate already in the segment container (left by an earlier run):
//! when the local bytes have its size and MD5 the PUT is skipped.

use super::op::Ctx;
use super::record;
use super::segments::{self, Segment};
use crate::conn::body::{BodySource, BytesSource, CHUNK};
use crate::conn::object;
use crate::conn::opts::{PutOpts, RequestOpts};
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Which manifest ties the segments together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manifest {
    Slo,
    Dlo,
}

impl Manifest {
    pub fn of(use_slo: bool) -> Manifest {
        if use_slo {
            Manifest::Slo
        } else {
            Manifest::Dlo
        }
    }

    /// As records name it (`"manifest"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Manifest::Slo => "slo",
            Manifest::Dlo => "dlo",
        }
    }
}

/// Where a large object's segments go and what they are called.
#[derive(Debug, Clone)]
pub struct SegmentLayout {
    /// The manifest's container and name.
    pub container: String,
    pub object: String,
    pub segment_container: String,
    pub manifest: Manifest,
    /// `X-Object-Meta-Mtime` of the upload, part of every name.
    pub mtime: String,
    /// The object's size when known before it is read (a file): part of
    /// the names, as python-swiftclient writes them; a stream's names
    /// leave it out, as python-swiftclient's do.
    pub size: Option<u64>,
    pub segment_size: u64,
}

impl SegmentLayout {
    /// The names' common prefix: `<obj>[/slo]/<mtime>[/<size>]/<segment_size>/`
    /// (also the DLO manifest's prefix).
    pub fn prefix(&self) -> String {
        let slo = if self.manifest == Manifest::Slo {
            "/slo"
        } else {
            ""
        };
        let size = self.size.map(|s| format!("/{s}")).unwrap_or_default();
        format!(
            "{}{slo}/{}{size}/{}/",
            self.object, self.mtime, self.segment_size
        )
    }

    /// Segment `index`'s name: the prefix and `%08d`.
    pub fn name(&self, index: usize) -> String {
        format!("{}{index:08}", self.prefix())
    }
}

/// The segment PUTs allowed in flight: one set shared by every large
/// object of an operation (python-swiftclient's `segment_threads`).
#[derive(Clone)]
pub struct SegmentSlots {
    sem: Arc<Semaphore>,
    limit: usize,
}

impl SegmentSlots {
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        SegmentSlots {
            sem: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }
}

/// When the names of cancelled segment PUTs are deleted again (after the
/// first deletion): a late PUT held up by an intermediary lands within
/// these on all but a pathological network.
const LATE_PUT_SWEEPS: (std::time::Duration, std::time::Duration) = (
    std::time::Duration::from_millis(500),
    std::time::Duration::from_millis(1500),
);

/// Puts the segments of one large object and then its manifest.
pub struct SegmentWriter {
    ctx: Ctx,
    layout: Arc<SegmentLayout>,
    checksum: bool,
    slots: SegmentSlots,
    tasks: JoinSet<(usize, Option<Placed>)>,
    /// Segments written, by index; `None` until written.
    written: Vec<Option<Segment>>,
    /// Indexes whose PUT was started (a cancelled PUT may still land).
    started: Vec<usize>,
    failed: usize,
    /// Segments found already in place (no PUT).
    reused: usize,
    /// Set by a segment's task when it failed, before it frees its slot.
    halted: Arc<AtomicBool>,
}

/// A segment in place: written now, or reused from an earlier run.
struct Placed {
    segment: Segment,
    reused: bool,
}

/// What `complete` made: the manifest PUT's response and the segments.
pub struct Written {
    pub resp: Value,
    pub segments: Vec<Segment>,
    /// How many segments were already in place (not sent again).
    pub reused: usize,
}

impl SegmentWriter {
    pub fn new(ctx: &Ctx, layout: SegmentLayout, checksum: bool, slots: &SegmentSlots) -> Self {
        SegmentWriter {
            ctx: ctx.clone(),
            layout: Arc::new(layout),
            checksum,
            slots: slots.clone(),
            tasks: JoinSet::new(),
            written: Vec::new(),
            started: Vec::new(),
            failed: 0,
            reused: 0,
            halted: Arc::default(),
        }
    }

    /// Starts segment `index`'s PUT from `source` once a slot is free, and
    /// reports an `upload_segment` record when it ends. An error means the
    /// object cannot be completed (cancelled, or a segment failed): stop
    /// feeding and `abort`.
    pub async fn put(&mut self, index: usize, source: Box<dyn BodySource>) -> Result<()> {
        self.put_reusing(index, source, None).await
    }

    /// As `put`, but when `candidate` (the segment already stored under
    /// this index's name) has the source's size and MD5, it is kept and
    /// nothing is sent. The source is read locally to tell.
    pub async fn put_reusing(
        &mut self,
        index: usize,
        source: Box<dyn BodySource>,
        candidate: Option<Segment>,
    ) -> Result<()> {
        self.collect_finished();
        self.ctx.check_cancel()?;
        if self.failed > 0 {
            return Err(self.incomplete());
        }
        let permit = self
            .slots
            .sem
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("segment slots closed"))?;
        self.ctx.check_cancel()?;
        // A segment that failed while this one waited for its slot (it
        // says so before giving the slot up): stop here rather than send
        // one more.
        if self.halted.load(Ordering::SeqCst) {
            drop(permit);
            self.wait_all().await;
            return Err(self.incomplete());
        }
        self.started.push(index);
        let (ctx, layout, checksum) = (self.ctx.clone(), self.layout.clone(), self.checksum);
        let halted = self.halted.clone();
        crate::conn::events::spawn_in(&mut self.tasks, async move {
            let segment = match candidate {
                Some(c) => reuse_or_put(&ctx, &layout, index, source, checksum, c).await,
                None => put_segment(&ctx, &layout, index, source, checksum).await,
            };
            if segment.is_none() {
                halted.store(true, Ordering::SeqCst);
            }
            drop(permit);
            (index, segment)
        });
        Ok(())
    }

    /// The segments in place so far (the PUTs that ended), by index.
    pub fn landed(&mut self) -> Vec<(usize, Segment)> {
        self.collect_finished();
        let w = self.written.iter().enumerate();
        w.filter_map(|(i, s)| Some((i, s.clone()?))).collect()
    }

    /// Waits for every segment PUT started.
    pub async fn settle(&mut self) {
        self.wait_all().await;
    }

    /// Takes the results of segment PUTs that have ended.
    fn collect_finished(&mut self) {
        while let Some(done) = self.tasks.try_join_next() {
            self.note(done);
        }
    }

    fn note(&mut self, done: std::result::Result<(usize, Option<Placed>), tokio::task::JoinError>) {
        match done {
            Ok((i, Some(p))) => {
                if self.written.len() <= i {
                    self.written.resize(i + 1, None);
                }
                self.written[i] = Some(p.segment);
                self.reused += usize::from(p.reused);
            }
            _ => self.failed += 1,
        }
    }

    async fn wait_all(&mut self) {
        while let Some(done) = self.tasks.join_next().await {
            self.note(done);
        }
    }

    fn incomplete(&self) -> Error {
        if self.ctx.cancel.is_cancelled() {
            crate::conn::request::cancelled()
        } else {
            Error::new(
                Status::Http,
                format!(
                    "{} of {} segments failed: the manifest was not created",
                    self.failed,
                    self.started.len()
                ),
            )
        }
    }

    /// Waits for every started segment. All written: PUTs the manifest with
    /// `opts` (the object's headers) and returns what it made. Otherwise
    /// nothing is left behind (unless `leave_segments`) and the error says
    /// how many failed.
    pub async fn complete(mut self, mut opts: PutOpts, leave_segments: bool) -> Result<Written> {
        self.wait_all().await;
        let all =
            self.written.len() == self.started.len() && self.written.iter().all(Option::is_some);
        if self.failed > 0 || !all || self.ctx.cancel.is_cancelled() {
            let e = self.incomplete();
            self.abort_started(leave_segments).await;
            return Err(e);
        }
        let done: Vec<Segment> = std::mem::take(&mut self.written)
            .into_iter()
            .flatten()
            .collect();
        let ctx = &self.ctx;
        let l = &self.layout;
        let body = match l.manifest {
            Manifest::Slo => {
                opts.query = Some("multipart-manifest=put".into());
                segments::slo_manifest(&done)
            }
            Manifest::Dlo => {
                let m = segments::dlo_manifest_header(&l.segment_container, &l.prefix());
                opts.headers.0.push(("X-Object-Manifest".into(), m));
                String::new()
            }
        };
        let mut src = BytesSource::new(body.as_bytes());
        let put = object::put(
            &ctx.client,
            &l.container,
            &l.object,
            &opts,
            &mut src,
            &ctx.cancel,
        )
        .await;
        let resp = match put {
            Ok(resp) => resp,
            Err(mut e) => {
                // Refused for certain (a 4xx other than a timeout): no
                // manifest will ever name these segments, so they go. An
                // unknown outcome (no answer, 5xx, 408, 499) may have
                // stored the manifest: they stay, and the error says so.
                let refused =
                    e.http_status.is_some_and(|c| (400..500).contains(&c)) && !e.retryable;
                if refused && !leave_segments {
                    self.abort_started(false).await;
                    e.message
                        .push_str("; the segments uploaded for it were deleted");
                } else if !leave_segments {
                    e.message.push_str(&format!(
                        "; its {} segments were kept in \"{}\" (whether the manifest was stored is unknown)",
                        self.started.len(),
                        self.layout.segment_container
                    ));
                }
                return Err(e);
            }
        };
        Ok(Written {
            resp,
            segments: done,
            reused: self.reused,
        })
    }

    /// Gives up: waits for the started segments and deletes them all
    /// (unless `leave_segments`), even after a cancellation.
    pub async fn abort(mut self, leave_segments: bool) {
        self.wait_all().await;
        self.abort_started(leave_segments).await;
    }

    async fn abort_started(&mut self, leave_segments: bool) {
        if leave_segments || self.started.is_empty() {
            return;
        }
        let started: Vec<Segment> = self
            .started
            .iter()
            .map(|&i| Segment {
                container: self.layout.segment_container.clone(),
                name: self.layout.name(i),
                etag: String::new(),
                size: 0,
            })
            .collect();
        let threads = self.slots.limit;
        let ctx = self.ctx.uncancelled();
        // Cancelled PUTs whose outcome is unknown: their bytes may sit in a
        // buffering intermediary (a load balancer, the kernel's socket
        // buffers in front of it) and reach the cluster after our DELETE,
        // with a later timestamp, so they would land. Those names are
        // deleted again a little later, twice (a DELETE is authoritative;
        // a listing would lag).
        let unknown: Vec<Segment> = started
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                let i = self.started[*k];
                self.ctx.cancel.is_cancelled() && self.written.get(i).is_none_or(Option::is_none)
            })
            .map(|(_, s)| s.clone())
            .collect();
        segments::delete_segments(&ctx, started, &RequestOpts::default(), threads).await;
        for wait in [LATE_PUT_SWEEPS.0, LATE_PUT_SWEEPS.1] {
            if unknown.is_empty() {
                break;
            }
            tokio::time::sleep(wait).await;
            sweep_late(&ctx, &unknown).await;
        }
    }
}

/// Deletes `names` again; a record only for one that was there (a PUT
/// that landed after the first deletion).
async fn sweep_late(ctx: &Ctx, names: &[Segment]) {
    for s in names {
        let (c, o) = (s.container.as_str(), s.name.as_str());
        let again = object::delete(&ctx.client, c, o, &RequestOpts::default(), &ctx.cancel).await;
        if again.is_ok() {
            let mut r = record::ok("delete_segment", Some(c), Some(o));
            r["landed_after_cancel"] = json!(true);
            ctx.record(r).await;
        }
    }
}

/// Keeps `candidate` when `source` holds its bytes (an `upload_segment`
/// record with `"reused": true`), else PUTs the source.
async fn reuse_or_put(
    ctx: &Ctx,
    l: &SegmentLayout,
    index: usize,
    source: Box<dyn BodySource>,
    checksum: bool,
    candidate: Segment,
) -> Option<Placed> {
    let (source, same) = match same_bytes(source, &candidate).await {
        Ok(r) => r,
        Err(e) => {
            let name = l.name(index);
            let sc = Some(l.segment_container.as_str());
            let mut rec = record::failed("upload_segment", sc, Some(&name), &e);
            segment_fields(&mut rec, l, index);
            ctx.record(rec).await;
            return None;
        }
    };
    if !same {
        return put_segment(ctx, l, index, source, checksum).await;
    }
    let c = &candidate;
    let mut rec = record::ok("upload_segment", Some(&c.container), Some(&c.name));
    rec["reused"] = json!(true);
    rec["segment_size"] = json!(c.size);
    rec["segment_location"] = json!(c.path());
    rec["segment_etag"] = json!(c.etag);
    segment_fields(&mut rec, l, index);
    ctx.record(rec).await;
    Some(Placed {
        segment: candidate,
        reused: true,
    })
}

/// Whether `source` has `candidate`'s size and MD5, read on a blocking
/// thread (a segment may be a gigabyte); the source comes back rewound for
/// its PUT when it does not.
async fn same_bytes(
    mut source: Box<dyn BodySource>,
    candidate: &Segment,
) -> Result<(Box<dyn BodySource>, bool)> {
    if source.len() != Some(candidate.size) {
        return Ok((source, false));
    }
    let etag = candidate.etag.trim_matches('"').to_ascii_lowercase();
    tokio::task::spawn_blocking(move || {
        let mut md5 = Md5::new();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = source.read(&mut buf)?;
            if n == 0 {
                break;
            }
            md5.update(&buf[..n]);
        }
        let same = crate::hex::hex(&md5.finalize()) == etag;
        if !same && !source.rewind()? {
            return Err(Error::internal("the segment's source cannot be read again"));
        }
        Ok((source, same))
    })
    .await
    .map_err(|e| Error::internal(format!("hashing a segment: {e}")))?
}

/// The fields every `upload_segment` record has: which object and index.
fn segment_fields(rec: &mut Value, l: &SegmentLayout, index: usize) {
    rec["for_container"] = json!(l.container);
    rec["for_object"] = json!(l.object);
    rec["segment_index"] = json!(index);
}

/// One segment PUT and its `upload_segment` record.
async fn put_segment(
    ctx: &Ctx,
    l: &SegmentLayout,
    index: usize,
    mut source: Box<dyn BodySource>,
    checksum: bool,
) -> Option<Placed> {
    let name = l.name(index);
    let sc = l.segment_container.as_str();
    let len = source.len().unwrap_or(0);
    let opts = PutOpts {
        content_type: Some("application/swiftclient-segment".into()),
        checksum,
        ..Default::default()
    };
    let outcome = object::put(&ctx.client, sc, &name, &opts, source.as_mut(), &ctx.cancel).await;
    let (mut rec, segment) = match outcome {
        Ok(resp) => {
            let etag = resp["etag"].as_str().unwrap_or("").to_string();
            let mut rec =
                record::with_response(record::ok("upload_segment", Some(sc), Some(&name)), &resp);
            rec["segment_size"] = json!(len);
            rec["segment_location"] = json!(format!("/{sc}/{name}"));
            rec["segment_etag"] = json!(etag);
            let s = Segment {
                container: sc.to_string(),
                name,
                etag,
                size: len,
            };
            (rec, Some(s))
        }
        Err(e) => (
            record::failed("upload_segment", Some(sc), Some(&name), &e),
            None,
        ),
    };
    segment_fields(&mut rec, l, index);
    ctx.record(rec).await;
    segment.map(|segment| Placed {
        segment,
        reused: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(manifest: Manifest, size: Option<u64>) -> SegmentLayout {
        SegmentLayout {
            container: "c".into(),
            object: "dir/f.bin".into(),
            segment_container: "c_segments".into(),
            manifest,
            mtime: "1700000000.123456".into(),
            size,
            segment_size: 1000,
        }
    }

    /// python-swiftclient's names: files carry their size, streams do not.
    #[test]
    fn names_as_python_swiftclient() {
        let file_slo = layout(Manifest::Slo, Some(3000));
        assert_eq!(
            file_slo.name(2),
            "dir/f.bin/slo/1700000000.123456/3000/1000/00000002"
        );
        let file_dlo = layout(Manifest::Dlo, Some(3000));
        assert_eq!(file_dlo.prefix(), "dir/f.bin/1700000000.123456/3000/1000/");
        let stream_slo = layout(Manifest::Slo, None);
        assert_eq!(
            stream_slo.name(0),
            "dir/f.bin/slo/1700000000.123456/1000/00000000"
        );
        let stream_dlo = layout(Manifest::Dlo, None);
        assert_eq!(
            stream_dlo.name(11),
            "dir/f.bin/1700000000.123456/1000/00000011"
        );
    }
}
