//! Uploading a stream of unknown length (a pipe, stdin, a read callback):
//! segmented as it is read, without ever holding the whole object. Each
//! segment is held — in memory, or in an unlinked temporary file, the
//! caller's choice — only so that it can be retried; the next segment is
//! read while the previous one uploads (one segment PUT in flight, so at
//! most two segments are held). A stream shorter than one segment becomes a
//! plain object, as python-swiftclient does.
//!
//! Where reading happens: the Connection API's `swc_upload_stream` reads
//! on the calling thread (its read callback runs there, and that thread
//! waits in the call anyway); an upload's file-descriptor item reads on a
//! blocking thread, so a slow pipe never holds a runtime worker.

use super::super::containers::{ensure_container, policy_of, SegmentContainer};
use super::super::headers::{from_header_list, from_meta_list};
use super::super::op::Ctx;
use super::super::segment_writer::{Manifest, SegmentLayout, SegmentSlots, SegmentWriter};
use super::super::segments::{self, Segment};
use super::super::{capabilities, record};
use super::checkpoint::{Checkpoint, Checkpointing, Landed};
use super::Up;
use crate::client::Client;
use crate::conn::body::{BodySource, FileSource, SharedBytes};
use crate::conn::object;
use crate::conn::opts::{Headers, PutOpts};
use crate::error::{Error, Result};
use crate::memory::{MemoryBudget, Reservation};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// `swc_upload_stream`'s request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamRequest {
    pub container: String,
    pub object_name: String,
    /// Default 10 MiB (the swift CLI's default for stdin).
    #[serde(deserialize_with = "crate::service::sizes::size_opt")]
    pub segment_size: Option<u64>,
    /// Default: SLO when the cluster has it, else DLO.
    pub use_slo: Option<bool>,
    pub segment_container: Option<String>,
    /// "memory" (default) or "file": where a segment waits until uploaded.
    pub buffer: Option<String>,
    /// Directory for "file" buffers (default: the system temp directory).
    pub buffer_dir: Option<String>,
    pub leave_segments: bool,
    pub skip_container_put: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    pub checksum: Option<bool>,
    /// A file recording the segments written (see `checkpoint`).
    pub checkpoint: Option<String>,
    /// Resume from `checkpoint`, which must exist.
    pub resumable: bool,
}

impl StreamRequest {
    pub fn parse(text: Option<&str>) -> Result<StreamRequest> {
        let r: StreamRequest = crate::conn::opts::parse_request(text)?;
        // Each name's error names its own key: a container over the limit
        // is "container", not "object_name".
        crate::service::require_container(&r.container, "an upload stream")
            .and_then(|()| crate::conn::check_object("object_name", &r.object_name))
            .map_err(|e| {
                Error::config(e.key.as_deref().unwrap_or("object_name"), e.message.clone())
            })?;
        match r.buffer.as_deref() {
            None | Some("memory" | "file") => {}
            Some(o) => {
                return Err(Error::config(
                    "buffer",
                    format!("\"buffer\" must be \"memory\" or \"file\", not \"{o}\""),
                ))
            }
        }
        from_header_list(&r.header)?;
        from_meta_list("Object", &r.meta)?;
        checkpointing(r.checkpoint.as_deref(), r.resumable)?;
        Ok(r)
    }
}

/// A stream's checkpoint options: resuming needs a checkpoint (a stream's
/// segment names cannot be found again without one).
pub(super) fn checkpointing(path: Option<&str>, resume: bool) -> Result<Option<Checkpointing>> {
    match path {
        Some("") => Err(Error::config(
            "checkpoint",
            "\"checkpoint\" is an empty path",
        )),
        Some(p) => Ok(Some(Checkpointing {
            path: PathBuf::from(p),
            resume,
        })),
        None if resume => Err(Error::config(
            "checkpoint",
            "resuming a stream upload needs its \"checkpoint\" file",
        )),
        None => Ok(None),
    }
}

/// Before an upload sends anything: an fd item resuming from a checkpoint
/// that is missing, damaged or for another object fails the whole upload.
pub(super) fn check_resume(
    container: &str,
    object: &str,
    segment_container: &str,
    over: &super::request::Overrides,
    resumable: bool,
) -> Result<()> {
    let ck = checkpointing(
        over.checkpoint.as_deref(),
        over.resumable.unwrap_or(resumable),
    )?;
    if let Some(ck) = ck.filter(|c| c.resume) {
        Checkpoint::load(&ck.path, container, object, segment_container)?;
    }
    Ok(())
}

/// Where a filled segment waits.
#[derive(Debug, Clone)]
pub enum Buffer {
    /// In memory; under the client's memory ceiling (when it has one),
    /// else — when the ceiling has no room now — in an unlinked file.
    Memory(Option<Arc<MemoryBudget>>),
    /// An unlinked file in this directory (default: the temp directory).
    File(Option<PathBuf>),
}

/// One stream to upload, its options resolved.
pub struct StreamPlan {
    pub container: String,
    pub object: String,
    /// The object's headers, `X-Object-Meta-Mtime` included.
    pub headers: Vec<(String, String)>,
    pub mtime: String,
    pub segment_size: u64,
    /// None: SLO when the cluster has it.
    pub use_slo: Option<bool>,
    pub leave_segments: bool,
    pub checksum: bool,
    pub buffer: Buffer,
    /// The record's `path`: "-" or "fd:N".
    pub path: String,
    pub checkpoint: Option<Checkpointing>,
}

/// python-swiftclient's mtime for a stream: the time of the upload.
fn stream_mtime() -> String {
    format!("{:.6}", record::now().round())
}

/// Where a stream's bytes come from (see the module's note on threads).
pub enum StreamInput<'a> {
    Here(&'a mut dyn BodySource),
    Blocking(Option<Box<dyn BodySource>>),
}

impl StreamInput<'_> {
    /// The next segment: up to `size` bytes.
    async fn next(&mut self, size: u64, buffer: &Buffer) -> Result<Held> {
        match self {
            StreamInput::Here(src) => fill(*src, size, buffer),
            StreamInput::Blocking(slot) => {
                let mut src = slot
                    .take()
                    .ok_or_else(|| Error::internal("the stream's source was lost"))?;
                let b = buffer.clone();
                let (src, held) = tokio::task::spawn_blocking(move || {
                    let held = fill(src.as_mut(), size, &b);
                    (src, held)
                })
                .await
                .map_err(|e| Error::internal(format!("reading the stream: {e}")))?;
                *slot = Some(src);
                held
            }
        }
    }
}

/// A filled segment, ready to upload (and to upload again).
enum Held {
    /// The bytes and their share of the memory ceiling, kept until the
    /// last source reading them is gone.
    Memory(bytes::Bytes, Option<Arc<Reservation>>),
    File(std::fs::File, u64),
}

/// A source that keeps a share of the memory ceiling while it lives.
struct Reserved<S>(S, #[allow(dead_code)] Option<Arc<Reservation>>);

impl<S: BodySource> BodySource for Reserved<S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.0.read(buf)
    }
    fn rewind(&mut self) -> Result<bool> {
        self.0.rewind()
    }
    fn len(&self) -> Option<u64> {
        self.0.len()
    }
    fn content_md5(&mut self) -> Result<Option<String>> {
        self.0.content_md5()
    }
}

impl Held {
    fn len(&self) -> u64 {
        match self {
            Held::Memory(b, _) => b.len() as u64,
            Held::File(_, n) => *n,
        }
    }
    fn source(&self) -> Result<Box<dyn BodySource>> {
        Ok(match self {
            Held::Memory(b, r) => Box::new(Reserved(SharedBytes::new(b.clone()), r.clone())),
            Held::File(f, n) => {
                let mut f = f
                    .try_clone()
                    .map_err(|e| Error::internal(format!("temp file: {e}")))?;
                f.seek(SeekFrom::Start(0))
                    .map_err(|e| Error::internal(format!("temp file: {e}")))?;
                Box::new(FileSource::owned_range(f, 0, *n, "segment buffer".into())?)
            }
        })
    }
}

/// An unlinked temporary file in `dir` (nothing is left behind, whatever
/// happens).
fn unlinked_file(dir: &Option<PathBuf>) -> Result<std::fs::File> {
    let dir = dir.clone().unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!(
        ".swc-segment-{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            Error::invalid(format!(
                "cannot create a segment buffer in \"{}\": {e}",
                dir.display()
            ))
        })?;
    let _ = std::fs::remove_file(&path);
    Ok(f)
}

/// Reads up to `size` bytes from `src` into a new held segment.
fn fill(src: &mut dyn BodySource, size: u64, buffer: &Buffer) -> Result<Held> {
    let mut buf = vec![0u8; crate::conn::body::CHUNK];
    let mut reservation = None;
    let mut file = match buffer {
        Buffer::File(dir) => Some(unlinked_file(dir)?),
        Buffer::Memory(None) => None,
        Buffer::Memory(Some(budget)) => match budget.buffer_now(size) {
            Some(r) => {
                reservation = Some(Arc::new(r));
                None
            }
            // No room under the ceiling now: this segment waits in a file.
            None => Some(unlinked_file(&None)?),
        },
    };
    let mut v = Vec::new();
    if file.is_none() {
        v.reserve(size.min(64 << 20) as usize);
    }
    let mut n = 0u64;
    while n < size {
        let want = (size - n).min(buf.len() as u64) as usize;
        let got = src.read(&mut buf[..want])?;
        if got == 0 {
            break;
        }
        match &mut file {
            Some(f) => f
                .write_all(&buf[..got])
                .map_err(|e| Error::invalid(format!("writing the segment buffer: {e}")))?,
            None => v.extend_from_slice(&buf[..got]),
        }
        n += got as u64;
    }
    Ok(match file {
        Some(f) => Held::File(f, n),
        None => Held::Memory(v.into(), reservation),
    })
}

/// `swc_upload_stream`: uploads the stream read here; returns an
/// `upload_object` record.
pub async fn upload_stream(
    client: &Client,
    req: &StreamRequest,
    src: &mut dyn BodySource,
    cancel: &CancellationToken,
) -> Result<Value> {
    let ctx = Ctx::detached(client.clone(), cancel.clone());
    let mtime = stream_mtime();
    let mut headers = from_header_list(&req.header)?;
    headers.extend(from_meta_list("Object", &req.meta)?);
    headers.push(("X-Object-Meta-Mtime".into(), mtime.clone()));
    let policy = policy_of(&headers);
    let create = !req.skip_container_put;
    if create {
        ensure_container(&ctx, &req.container, policy.clone(), None).await?;
    }
    let sc = req
        .segment_container
        .clone()
        .unwrap_or_else(|| format!("{}_segments", req.container));
    let segments = SegmentContainer::new(sc, &req.container, policy, create);
    let plan = StreamPlan {
        container: req.container.clone(),
        object: req.object_name.clone(),
        headers,
        mtime,
        segment_size: req.segment_size.unwrap_or(10 << 20),
        use_slo: req.use_slo,
        leave_segments: req.leave_segments,
        checksum: req.checksum.unwrap_or(true),
        buffer: match req.buffer.as_deref() {
            Some("file") => Buffer::File(req.buffer_dir.clone().map(PathBuf::from)),
            _ => Buffer::Memory(client.memory().cloned()),
        },
        path: "-".into(),
        checkpoint: checkpointing(req.checkpoint.as_deref(), req.resumable)?,
    };
    upload(&ctx, &plan, &segments, &mut StreamInput::Here(src)).await
}

/// An upload's file-descriptor item (`{"fd": N, "object_name": ...}`).
pub(super) async fn upload_fd(
    up: &Up,
    fd: i32,
    object: &str,
    headers: &[(String, String)],
    over: &super::request::Overrides,
) -> Result<Value> {
    let mtime = stream_mtime();
    let mut headers = headers.to_vec();
    headers.push(("X-Object-Meta-Mtime".into(), mtime.clone()));
    let plan = StreamPlan {
        container: up.container.clone(),
        object: object.to_string(),
        headers,
        mtime,
        segment_size: over.segment_size.or(up.segment_size).unwrap_or(10 << 20),
        use_slo: Some(over.use_slo.unwrap_or(up.use_slo)),
        leave_segments: over.leave_segments.unwrap_or(up.req.leave_segments),
        checksum: over.checksum.unwrap_or(up.checksum),
        buffer: Buffer::Memory(up.ctx.client.memory().cloned()),
        path: format!("fd:{fd}"),
        checkpoint: checkpointing(
            over.checkpoint.as_deref(),
            over.resumable.unwrap_or(up.req.resumable),
        )?,
    };
    let src = FileSource::from_fd(fd, None)?;
    let mut input = StreamInput::Blocking(Some(Box::new(src)));
    upload(&up.ctx, &plan, &up.segments, &mut input).await
}

/// Uploads one stream: a plain object when it ends within the first
/// segment, else segments through the segment writer and a manifest.
async fn upload(
    ctx: &Ctx,
    plan: &StreamPlan,
    segments: &SegmentContainer,
    input: &mut StreamInput<'_>,
) -> Result<Value> {
    let (c, o) = (plan.container.as_str(), plan.object.as_str());
    // Resuming: the checkpoint decides the names (and so the mtime and
    // segment size), read before anything of the stream is.
    let resumed = match &plan.checkpoint {
        Some(ck) if ck.resume => Some(Checkpoint::load(&ck.path, c, o, &segments.name)?),
        _ => None,
    };
    let mut headers = plan.headers.clone();
    let seg_size = resumed
        .as_ref()
        .map_or(plan.segment_size, |r| r.segment_size);
    if let Some(r) = &resumed {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("x-object-meta-mtime"));
        headers.push(("X-Object-Meta-Mtime".into(), r.mtime.clone()));
    }
    let opts = PutOpts {
        headers: Headers(headers.clone()),
        checksum: plan.checksum,
        ..Default::default()
    };
    let first = input.next(seg_size, &plan.buffer).await?;
    let mut rec = record::ok("upload_object", Some(c), Some(o));
    rec["path"] = json!(plan.path);
    rec["headers"] = record::sent_headers(&headers);
    rec["status"] = json!("uploaded");
    if first.len() < seg_size {
        let resp = object::put(
            &ctx.client,
            c,
            o,
            &opts,
            first.source()?.as_mut(),
            &ctx.cancel,
        )
        .await?;
        if let Some(ck) = &plan.checkpoint {
            // Whole in one object: nothing to resume.
            let _ = std::fs::remove_file(&ck.path);
        }
        let mut rec = record::with_response(rec, &resp);
        rec["large_object"] = json!(false);
        rec["bytes"] = json!(first.len());
        return Ok(rec);
    }
    let manifest = match (
        resumed.as_ref().and_then(Checkpoint::manifest),
        plan.use_slo,
    ) {
        (Some(m), _) => m,
        (None, Some(u)) => Manifest::of(u),
        (None, None) => Manifest::of(
            capabilities::get(&ctx.client, None, false, &ctx.cancel)
                .await
                .is_ok_and(|(_, info)| info.get("slo").is_some()),
        ),
    };
    segments.ensure(ctx).await?;
    let layout = SegmentLayout {
        container: c.to_string(),
        object: o.to_string(),
        segment_container: segments.name.clone(),
        manifest,
        mtime: resumed
            .as_ref()
            .map_or(plan.mtime.clone(), |r| r.mtime.clone()),
        size: None,
        segment_size: seg_size,
    };
    let mut progress = match &plan.checkpoint {
        Some(ck) => Some(Progress::start(ctx, &layout, ck, resumed).await?),
        None => None,
    };
    let keep = plan.leave_segments || progress.is_some();
    // One segment PUT in flight while the next is read: two held at most.
    let mut writer = SegmentWriter::new(ctx, layout, plan.checksum, &SegmentSlots::new(1));
    let total = match feed(&mut writer, input, first, seg_size, plan, &mut progress).await {
        Ok(total) => total,
        Err(e) => {
            if let Some(p) = &mut progress {
                writer.settle().await;
                // The error that matters is the upload's.
                let _ = p.note(&mut writer);
            }
            writer.abort(keep).await;
            return Err(e);
        }
    };
    let written = writer.complete(opts, keep).await?;
    if let Some(p) = &progress {
        // The object is whole: nothing left to resume.
        let _ = std::fs::remove_file(&p.path);
    }
    let mut rec = record::with_response(rec, &written.resp);
    rec["large_object"] = json!(true);
    rec["manifest"] = json!(manifest.as_str());
    rec["segments"] = json!(written.segments.len());
    rec["segment_size"] = json!(seg_size);
    rec["bytes"] = json!(total);
    if progress.is_some() {
        rec["segments_reused"] = json!(written.reused);
        rec["segments_sent"] = json!(written.segments.len() - written.reused);
    }
    Ok(rec)
}

/// A checkpointed stream upload: the checkpoint kept up to date as
/// segments land, and — when resuming — the segments it says landed that
/// the segment container still has, offered for reuse.
struct Progress {
    path: PathBuf,
    checkpoint: Checkpoint,
    candidates: HashMap<usize, Segment>,
}

impl Progress {
    async fn start(
        ctx: &Ctx,
        l: &SegmentLayout,
        ck: &Checkpointing,
        resumed: Option<Checkpoint>,
    ) -> Result<Progress> {
        let mut candidates = HashMap::new();
        let checkpoint = match resumed {
            Some(r) => {
                let there: HashMap<String, Segment> =
                    segments::listed_under(ctx, &l.segment_container, &l.prefix())
                        .await?
                        .into_iter()
                        .map(|s| (s.name.clone(), s))
                        .collect();
                for &i in r.segments.keys() {
                    let Some(s) = r.segment(l, i) else { continue };
                    if there
                        .get(&s.name)
                        .is_some_and(|t| t.etag == s.etag && t.size == s.size)
                    {
                        candidates.insert(i, s);
                    }
                }
                r
            }
            None => Checkpoint::new(l),
        };
        checkpoint.save(&ck.path)?;
        Ok(Progress {
            path: ck.path.clone(),
            checkpoint,
            candidates,
        })
    }

    /// Records what has landed so far.
    fn note(&mut self, writer: &mut SegmentWriter) -> Result<()> {
        let before = self.checkpoint.segments.len();
        for (i, s) in writer.landed() {
            let landed = Landed {
                etag: s.etag,
                size: s.size,
            };
            self.checkpoint.segments.insert(i, landed);
        }
        if self.checkpoint.segments.len() == before {
            return Ok(());
        }
        self.checkpoint.save(&self.path)
    }
}

/// Hands the stream to the writer segment by segment (keeping the
/// checkpoint, if any, up to date); returns its length.
async fn feed(
    writer: &mut SegmentWriter,
    input: &mut StreamInput<'_>,
    first: Held,
    seg_size: u64,
    plan: &StreamPlan,
    progress: &mut Option<Progress>,
) -> Result<u64> {
    let mut held = first;
    let mut total = 0u64;
    for index in 0.. {
        if held.len() == 0 {
            break;
        }
        total += held.len();
        let full = held.len() == seg_size;
        let candidate = progress.as_mut().and_then(|p| p.candidates.remove(&index));
        writer.put_reusing(index, held.source()?, candidate).await?;
        if let Some(p) = progress {
            p.note(writer)?;
        }
        if !full {
            break;
        }
        held = input.next(seg_size, &plan.buffer).await?;
    }
    Ok(total)
}
