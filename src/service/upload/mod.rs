//! `upload`: files and directory trees (empty directories become directory
//! markers), with `X-Object-Meta-Mtime`, `changed` / `skip_identical`, and
//! large files split into SLO or DLO segments named as python-swiftclient
//! names them, uploaded in parallel; overwriting a large object deletes the
//! old segments the new one does not reuse.
//!
//! request.rs (what may be asked) → plan.rs (the items expanded into work)
//! → existing.rs (what is already there) → file.rs / marker.rs / stream.rs
//! (one unit of work each), all large objects through the segment writer.
//! With `extract_archive`, archive.rs sends the same work as one tar PUT
//! (tar_body.rs builds the stream) for the cluster to unpack.

mod archive;
mod checkpoint;
mod existing;
mod file;
mod marker;
mod plan;
mod request;
pub mod stream;
mod tar_body;

pub use request::{Item, ItemSpec, UploadRequest};

use super::capabilities;
use super::containers::{ensure_container, policy_of, SegmentContainer};
use super::headers::from_header_list;
use super::op::{for_each_limited, Ctx};
use super::record;
use super::segment_writer::SegmentSlots;
use crate::error::Result;
use existing::Listed;
use plan::Work;
use request::Eff;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Shared by the whole upload.
struct Up {
    ctx: Ctx,
    container: String,
    segments: SegmentContainer,
    segment_size: Option<u64>,
    use_slo: bool,
    /// (max_file_size, max_manifest_segments, min_segment_size) from /info.
    limits: (u64, u64, u64),
    req: UploadRequest,
    segment_slots: SegmentSlots,
    segment_threads: usize,
    checksum: bool,
    done_bytes: AtomicU64,
    total_bytes: u64,
    /// What one container listing said of the objects this upload writes
    /// (None: no listing, inspect each object with a HEAD).
    listed: Option<HashMap<String, Listed>>,
}

/// The cluster's limits that decide segmenting, from `/info`.
fn limits(info: &Value) -> (u64, u64, u64) {
    (
        info["swift"]["max_file_size"]
            .as_u64()
            .unwrap_or(5 * 1024 * 1024 * 1024 + 2),
        info["slo"]["max_manifest_segments"]
            .as_u64()
            .unwrap_or(1000),
        info["slo"]["min_segment_size"].as_u64().unwrap_or(1),
    )
}

pub async fn run(ctx: Ctx, req: UploadRequest) -> Result<()> {
    let (c, prefix) = request::split_container(&req.container);
    let c = c.to_string();
    if req.extract_archive.is_some() {
        return archive::run(ctx, req, c, prefix).await;
    }
    let work = plan::expand(&req, &prefix)?;
    let info = capabilities::get(&ctx.client, None, false, &ctx.cancel)
        .await
        .map(|(_, i)| i)
        .unwrap_or(Value::Null);
    let segment_threads = ctx.threads("segment_threads", req.segment_threads)?;
    // Per-item overrides may ask for inspection too, so list unless nothing
    // at all can need it.
    let listed = if req.leave_segments && !req.changed && !req.skip_identical {
        None
    } else {
        existing::listed_objects(&ctx, &c, &work).await
    };
    let policy = policy_of(&from_header_list(&req.header)?);
    let segment_container = req
        .segment_container
        .clone()
        .unwrap_or_else(|| format!("{c}_segments"));
    for w in &work {
        if let Work::Stream { object, over, .. } = w {
            stream::check_resume(&c, object, &segment_container, over, req.resumable)?;
        }
    }
    let up = Arc::new(Up {
        ctx: ctx.clone(),
        segments: SegmentContainer::new(
            segment_container,
            &c,
            policy.clone(),
            !req.skip_container_put,
        ),
        container: c.clone(),
        segment_size: req.segment_size,
        use_slo: req.use_slo.unwrap_or_else(|| info.get("slo").is_some()),
        limits: limits(&info),
        segment_slots: SegmentSlots::new(segment_threads),
        segment_threads,
        checksum: req.checksum.unwrap_or(true),
        done_bytes: AtomicU64::new(0),
        total_bytes: work
            .iter()
            .map(|w| match w {
                Work::File { size, .. } => *size,
                _ => 0,
            })
            .sum(),
        listed,
        req: req.clone(),
    });
    if !req.skip_container_put
        && ensure_container(&ctx, &c, policy, None).await.is_err()
        && req.fail_fast
    {
        ctx.cancel.cancel();
        return Ok(());
    }
    let threads = ctx.threads("object_uu_threads", req.object_uu_threads)?;
    for_each_limited(work, threads, &ctx.cancel.clone(), move |w: Work| {
        let up = up.clone();
        async move {
            let r = upload_one(&up, &w).await;
            if r["success"] == json!(false) && up.req.fail_fast {
                up.ctx.cancel.cancel();
            }
            up.ctx.record(r).await;
        }
    })
    .await;
    Ok(())
}

/// One unit of work; its record.
async fn upload_one(up: &Arc<Up>, w: &Work) -> Value {
    match w {
        Work::File {
            path,
            object,
            size,
            mtime,
            headers,
            over,
        } => {
            let job = file::FileJob {
                path,
                object,
                size: *size,
                mtime,
                headers,
                eff: Eff {
                    segment_size: over.segment_size.or(up.segment_size),
                    use_slo: over.use_slo.unwrap_or(up.use_slo),
                    changed: over.changed.unwrap_or(up.req.changed),
                    skip_identical: over.skip_identical.unwrap_or(up.req.skip_identical),
                    leave_segments: over.leave_segments.unwrap_or(up.req.leave_segments),
                    checksum: over.checksum.unwrap_or(up.checksum),
                    resumable: over.resumable.unwrap_or(up.req.resumable),
                },
            };
            file::upload_file(up, job).await
        }
        Work::Marker {
            object,
            mtime,
            headers,
            path,
        } => marker::upload_marker(up, object, mtime, headers, path).await,
        Work::Stream {
            fd,
            object,
            headers,
            over,
        } => match stream::upload_fd(up, *fd, object, headers, over).await {
            Ok(r) => r,
            Err(e) => {
                let mut r = record::failed("upload_object", Some(&up.container), Some(object), &e);
                r["path"] = json!(format!("fd:{fd}"));
                r
            }
        },
        Work::Unusable {
            path,
            object,
            error,
        } => {
            let mut r = record::failed("upload_object", Some(&up.container), Some(object), error);
            r["path"] = json!(path);
            r
        }
    }
}
