//! `download`: objects, a container, or the whole account, into a
//! directory (or one object into a file or standard output). Files are
//! written under a temporary name and renamed only when complete and
//! verified — MD5 and length for plain objects, and per segment for SLO
//! (against the manifest) and DLO (against the segment listing). Names that
//! would land outside the output directory are refused. `X-Object-Meta-Mtime`
//! is restored.
//!
//! request.rs (what may be asked) → this file (what to fetch: objects,
//! containers page by page) → paths.rs (where it goes) → fetch.rs (one
//! object: the quick way, or inspected first) → verify.rs (one GET checked
//! as it streams) or parallel.rs (pieces fetched at once into a staged file)
//! or resume.rs (a plain object continued from a partial file a failed run
//! kept, with `resume_partial`).

mod fetch;
mod parallel;
mod paths;
mod request;
mod resume;
mod verify;

pub use fetch::download_one;
pub use request::DownloadRequest;

use super::headers::from_header_list;
use super::op::{for_each_limited, Ctx};
use super::record;
use crate::conn::opts::{Headers, ListOpts, RequestOpts};
use crate::conn::types::ObjectEntry;
use crate::conn::{listing, quote};
use crate::error::Result;
use request::version_query;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(super) struct Down {
    pub ctx: Ctx,
    pub req: DownloadRequest,
    pub opts: RequestOpts,
    pub out_dir: PathBuf,
    pub checksum: bool,
    pub threads: usize,
    pub segment_threads: usize,
    pub done_bytes: AtomicU64,
    /// The bytes to fetch in all, once known (a container whose listing
    /// fits one page); 0 while unknown.
    pub total_bytes: AtomicU64,
    /// Directories this download made or found (each is made once, not
    /// once per object).
    pub dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Down {
    pub(super) fn new(
        ctx: Ctx,
        req: &DownloadRequest,
        threads: usize,
        segment_threads: usize,
    ) -> Result<Down> {
        Ok(Down {
            ctx,
            out_dir: PathBuf::from(req.out_directory.clone().unwrap_or_else(|| ".".into())),
            checksum: req.checksum.unwrap_or(true),
            threads,
            segment_threads,
            done_bytes: AtomicU64::new(0),
            total_bytes: AtomicU64::new(0),
            dirs: Default::default(),
            opts: RequestOpts {
                headers: Headers(from_header_list(&req.header)?),
                query: version_query(req),
            },
            req: req.clone(),
        })
    }

    /// Whether the caller asked for a byte range (`header`): the file is
    /// then that range, not the object.
    /// Whether the caller's headers set a range or a condition (If-Match,
    /// If-None-Match, If-(Un)Modified-Since): their 412 is not ours to
    /// answer by fetching again.
    pub(super) fn caller_conditions(&self) -> bool {
        self.caller_range()
            || self.opts.headers.0.iter().any(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k.starts_with("if-")
            })
    }

    pub(super) fn caller_range(&self) -> bool {
        self.opts
            .headers
            .0
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("range"))
    }

    /// A progress event for `object`: `read` of its `total` bytes, and
    /// `overall` bytes of the whole operation.
    pub(super) fn progress(&self, object: &str, read: u64, total: u64, overall: u64) {
        let mut ev = json!({"action": "download", "object": object, "bytes": read, "total": total, "overall_bytes": overall});
        match self.total_bytes.load(Ordering::Relaxed) {
            0 => {}
            t => ev["overall_total"] = json!(t),
        }
        self.ctx.progress(ev);
    }

    /// `create_dir_all`, skipped for a directory already made or found.
    pub(super) fn make_dir(&self, dir: &Path) -> std::io::Result<()> {
        let seen = |d: &Path| {
            self.dirs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(d)
        };
        if seen(dir) {
            return Ok(());
        }
        std::fs::create_dir_all(dir)?;
        self.dirs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf());
        Ok(())
    }
}

/// One object to fetch.
#[derive(Debug, Clone)]
pub(super) struct Want {
    pub container: String,
    pub name: String,
    /// From a listing, when known.
    pub content_type: Option<String>,
    pub bytes: Option<u64>,
    /// The listing marks it as an SLO manifest (`slo_etag`).
    pub slo: bool,
}

impl Want {
    /// Whether a GET may be sent without inspecting the object first: it
    /// is not known to be large. An SLO shows in listings; a DLO manifest
    /// lists as 0 bytes, so listed empty objects are inspected too.
    pub(super) fn maybe_plain(&self) -> bool {
        !self.slo && self.bytes != Some(0)
    }
}

pub async fn run(ctx: Ctx, req: DownloadRequest) -> Result<()> {
    let threads = ctx.threads("object_dd_threads", req.object_dd_threads)?;
    let segment_threads = ctx.threads("segment_threads", req.segment_threads)?;
    let down = Arc::new(Down::new(ctx.clone(), &req, threads, segment_threads)?);
    match &req.container {
        Some(c) if !req.objects.is_empty() => {
            let wants: Vec<Want> = req
                .objects
                .iter()
                .map(|o| Want {
                    container: c.clone(),
                    name: o.clone(),
                    content_type: None,
                    bytes: None,
                    slo: false,
                })
                .collect();
            fetch_all(&down, wants).await;
        }
        Some(c) => download_container(&down, c.clone()).await,
        None => {
            let containers = match super::list::container_names(&ctx).await {
                Ok(n) => n,
                Err(e) => {
                    ctx.record(record::failed("download_object", None, None, &e))
                        .await;
                    return Ok(());
                }
            };
            let ct = ctx.threads("container_threads", req.container_threads)?;
            let d2 = down.clone();
            for_each_limited(containers, ct, &ctx.cancel, move |c: String| {
                let down = d2.clone();
                async move { download_container(&down, c).await }
            })
            .await;
        }
    }
    Ok(())
}

/// Lists a container page by page, downloading each page's objects before
/// asking for the next, so memory holds one page at most.
async fn download_container(down: &Arc<Down>, c: String) {
    let ctx = &down.ctx;
    let mut marker = down.req.marker.clone();
    loop {
        let mut page = Vec::new();
        let o = ListOpts {
            prefix: down.req.prefix.clone(),
            marker: marker.clone(),
            ..Default::default()
        };
        let r = listing::list(
            &ctx.client,
            &format!("/{}", quote(&c)),
            &o,
            &mut |p| {
                page.extend(p);
                Ok(true)
            },
            &ctx.cancel,
        )
        .await;
        if let Err(e) = r {
            ctx.record(record::failed("download_object", Some(&c), None, &e))
                .await;
            return;
        }
        if page.is_empty() || ctx.cancel.is_cancelled() {
            return;
        }
        let entries: Vec<ObjectEntry> = page.iter().map(ObjectEntry::of).collect();
        // One container whose whole listing came in one page: the total
        // is known, and progress events can carry it (for an ETA).
        if marker == down.req.marker
            && down.req.container.is_some()
            && (page.len() as u64) < listing::PAGE
        {
            let total = entries.iter().filter_map(|e| e.bytes).sum();
            down.total_bytes.store(total, Ordering::Relaxed);
        }
        marker = entries.last().and_then(|e| e.name.clone());
        let mut wants: Vec<Want> = entries
            .into_iter()
            .filter_map(|e| {
                Some(Want {
                    container: c.clone(),
                    slo: e.is_slo(),
                    name: e.name?,
                    content_type: e.content_type,
                    bytes: e.bytes,
                })
            })
            .collect();
        if down.req.shuffle {
            fastrand::shuffle(&mut wants);
        }
        fetch_all(down, wants).await;
    }
}

async fn fetch_all(down: &Arc<Down>, wants: Vec<Want>) {
    let d2 = down.clone();
    for_each_limited(
        wants,
        down.threads,
        &down.ctx.cancel.clone(),
        move |w: Want| {
            let down = d2.clone();
            async move {
                let r = fetch::fetch(&down, &w).await;
                down.ctx.record(r).await;
            }
        },
    )
    .await;
}
