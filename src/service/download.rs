//! `download`: objects, a container, or the whole account, into a
//! directory (or one object into a file or standard output). Files are
//! written under a temporary name and renamed only when complete and
//! verified — MD5 and length for plain objects, and per segment for SLO
//! (against the manifest) and DLO (against the segment listing). Names that
//! would land outside the output directory are refused. `X-Object-Meta-Mtime`
//! is restored.

use super::headers::from_header_list;
use super::op::{for_each_limited, Ctx};
use super::segments::{self, Existing, Segment};
use super::{limit, record};
use crate::conn::body::{BodySink, FdSink, PathSink};
use crate::conn::opts::{GetOpts, Headers, ListOpts, RequestOpts};
use crate::conn::{listing, object, quote};
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DownloadRequest {
    pub container: Option<String>,
    pub objects: Vec<String>,
    /// With no container: every container, into `<out_directory>/<container>/`.
    pub yes_all: bool,
    pub prefix: Option<String>,
    pub marker: Option<String>,
    /// One object only: a file path, or "-" for standard output.
    pub out_file: Option<String>,
    pub out_directory: Option<String>,
    /// Strip `prefix` from the local names.
    pub remove_prefix: bool,
    pub skip_identical: bool,
    /// Fetch and verify, but write nothing.
    pub no_download: bool,
    pub shuffle: bool,
    pub checksum: Option<bool>,
    pub ignore_mtime: bool,
    /// Ours: fetch a plain object of at least `range_threshold` bytes with
    /// this many ranged GETs in parallel (default 1: off), then verify the
    /// whole file against the ETag before it is renamed into place.
    pub range_parts: Option<u64>,
    /// Default 64 MiB.
    #[serde(deserialize_with = "super::sizes::size_opt")]
    pub range_threshold: Option<u64>,
    pub header: Vec<String>,
    pub object_dd_threads: Option<usize>,
    pub container_threads: Option<usize>,
    /// A large object (SLO, DLO) downloaded to a file has its segments
    /// fetched this many at a time, straight from their container, each
    /// written at its offset and checked on its own (default 10; 1: one GET
    /// of the whole object, checked segment by segment as it streams).
    pub segment_threads: Option<usize>,
    /// One object's version (from a versions listing).
    pub version_id: Option<String>,
}

impl DownloadRequest {
    pub fn parse(text: Option<&str>) -> Result<DownloadRequest> {
        let r: DownloadRequest = crate::conn::opts::parse(text, "request")?;
        match (&r.container, r.yes_all) {
            (None, false) => {
                return Err(Error::config(
                    "container",
                    "download needs \"container\" (or \"yes_all\")",
                ))
            }
            (None, true) if !r.objects.is_empty() => {
                return Err(Error::config(
                    "container",
                    "downloading objects needs \"container\"",
                ))
            }
            (Some(c), _) => {
                crate::conn::check_container("container", c)?;
            }
            _ => {}
        }
        if r.out_file.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "out_file",
                "\"out_file\" needs exactly one object in \"objects\"",
            ));
        }
        if r.version_id.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "version_id",
                "\"version_id\" needs exactly one object in \"objects\"",
            ));
        }
        if r.out_file.is_some() && r.out_directory.is_some() {
            return Err(Error::config(
                "out_file",
                "give \"out_file\" or \"out_directory\", not both",
            ));
        }
        limit("object_dd_threads", r.object_dd_threads)?;
        limit("container_threads", r.container_threads)?;
        limit("segment_threads", r.segment_threads)?;
        from_header_list(&r.header)?;
        Ok(r)
    }
}

/// `version-id=...` for a request naming a version.
fn version_query(req: &DownloadRequest) -> Option<String> {
    req.version_id.as_deref().map(crate::conn::version_query)
}

/// The local path for an object, inside `dir`: no absolute names, no `..`
/// components, no symlinked directory on the way. `None` with the reason
/// otherwise.
pub fn safe_path(dir: &Path, rel: &str) -> std::result::Result<PathBuf, String> {
    if rel.starts_with('/') {
        return Err(format!("\"{rel}\" is an absolute path"));
    }
    let mut out = dir.to_path_buf();
    let mut depth = 0;
    for part in Path::new(rel).components() {
        match part {
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("\"{rel}\" contains \"..\"")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("\"{rel}\" is an absolute path"))
            }
        }
    }
    if depth == 0 {
        return Err(format!("\"{rel}\" names no file"));
    }
    // A symlink already on disk inside the output directory must not lead out.
    let mut cur = dir.to_path_buf();
    for part in Path::new(rel)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect::<Vec<_>>()
        .iter()
        .take(depth - 1)
    {
        cur.push(part);
        if std::fs::symlink_metadata(&cur)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
        {
            return Err(format!("\"{}\" is a symbolic link", cur.display()));
        }
    }
    Ok(out)
}

struct Down {
    ctx: Ctx,
    req: DownloadRequest,
    opts: RequestOpts,
    out_dir: PathBuf,
    checksum: bool,
    threads: usize,
    segment_threads: usize,
    done_bytes: AtomicU64,
    /// The bytes to fetch in all, once known (a container whose listing
    /// fits one page); 0 while unknown.
    total_bytes: AtomicU64,
    /// Directories this download made or found (each is made once, not
    /// once per object).
    dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Down {
    /// `create_dir_all`, skipped for a directory already made or found.
    fn make_dir(&self, dir: &Path) -> std::io::Result<()> {
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
struct Want {
    container: String,
    name: String,
    /// From a listing, when known.
    content_type: Option<String>,
    bytes: Option<u64>,
    /// The listing marks it as an SLO manifest (`slo_etag`).
    slo: bool,
}

impl Want {
    /// Whether a GET may be sent without inspecting the object first: it
    /// is not known to be large. An SLO shows in listings; a DLO manifest
    /// lists as 0 bytes, so listed empty objects are inspected too.
    fn maybe_plain(&self) -> bool {
        !self.slo && self.bytes != Some(0)
    }
}

pub async fn run(ctx: Ctx, req: DownloadRequest) -> Result<()> {
    let opts = RequestOpts {
        headers: Headers(from_header_list(&req.header)?),
        query: version_query(&req),
    };
    let down = Arc::new(Down {
        ctx: ctx.clone(),
        out_dir: PathBuf::from(req.out_directory.clone().unwrap_or_else(|| ".".into())),
        checksum: req.checksum.unwrap_or(true),
        threads: ctx.threads("object_dd_threads", req.object_dd_threads)?,
        segment_threads: ctx.threads("segment_threads", req.segment_threads)?,
        done_bytes: AtomicU64::new(0),
        total_bytes: AtomicU64::new(0),
        dirs: Default::default(),
        opts,
        req: req.clone(),
    });
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
        // One container whose whole listing came in one page: the total
        // is known, and progress events can carry it (for an ETA).
        if marker == down.req.marker
            && down.req.container.is_some()
            && (page.len() as u64) < listing::PAGE
        {
            let total = page.iter().filter_map(|e| e["bytes"].as_u64()).sum();
            down.total_bytes.store(total, Ordering::Relaxed);
        }
        marker = page
            .last()
            .and_then(|e| e["name"].as_str())
            .map(str::to_string);
        let mut wants: Vec<Want> = page
            .iter()
            .filter_map(|e| {
                Some(Want {
                    container: c.clone(),
                    name: e["name"].as_str()?.to_string(),
                    content_type: e["content_type"].as_str().map(str::to_string),
                    bytes: e["bytes"].as_u64(),
                    slo: e.get("slo_etag").is_some(),
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
                let r = fetch(&down, &w).await;
                down.ctx.record(r).await;
            }
        },
    )
    .await;
}

/// Where an object goes locally, relative to the output directory.
fn local_name(down: &Down, w: &Want) -> String {
    let mut name = w.name.clone();
    if down.req.remove_prefix {
        if let Some(p) = &down.req.prefix {
            name = name.strip_prefix(p.as_str()).unwrap_or(&name).to_string();
        }
    }
    if down.req.yes_all && down.req.container.is_none() {
        name = format!("{}/{name}", w.container);
    }
    name
}

/// A sink that verifies each segment's MD5 as the bytes go by, and
/// reports progress.
struct Checked<'a> {
    inner: &'a mut dyn BodySink,
    segments: Vec<Segment>,
    index: usize,
    in_segment: u64,
    md5: Md5,
    down: &'a Down,
    object: &'a str,
    read: u64,
    last: u64,
    total: u64,
}

impl BodySink for Checked<'_> {
    fn write(&mut self, mut data: &[u8]) -> Result<()> {
        self.inner.write(data)?;
        self.read += data.len() as u64;
        let overall = self
            .down
            .done_bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed)
            + data.len() as u64;
        if self.read - self.last >= 1 << 20 {
            self.last = self.read;
            let mut ev = json!({"action": "download", "object": self.object, "bytes": self.read, "total": self.total, "overall_bytes": overall});
            match self.down.total_bytes.load(Ordering::Relaxed) {
                0 => {}
                t => ev["overall_total"] = json!(t),
            }
            self.down.ctx.progress(ev);
        }
        while !data.is_empty() && !self.segments.is_empty() {
            let Some(seg) = self.segments.get(self.index) else {
                return Err(Error::new(
                    Status::Checksum,
                    format!("more bytes than the {} segments hold", self.segments.len()),
                ));
            };
            let take = ((seg.size - self.in_segment) as usize).min(data.len());
            self.md5.update(&data[..take]);
            self.in_segment += take as u64;
            data = &data[take..];
            if self.in_segment == seg.size {
                let got = crate::conn::request::hex(&std::mem::take(&mut self.md5).finalize());
                if got != seg.etag {
                    return Err(Error::new(
                        Status::Checksum,
                        format!(
                            "segment {} ({}/{}) has MD5 {got}, expected {}",
                            self.index, seg.container, seg.name, seg.etag
                        ),
                    ));
                }
                self.index += 1;
                self.in_segment = 0;
            }
        }
        Ok(())
    }
    fn finish(&mut self, ok: bool) -> Result<()> {
        self.inner.finish(ok)
    }
}

impl Checked<'_> {
    fn all_segments_seen(&self) -> bool {
        self.index == self.segments.len() && self.in_segment == 0
    }
}

/// A sink that writes nothing (`no_download`).
struct Discard;
impl BodySink for Discard {
    fn write(&mut self, _: &[u8]) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: bool) -> Result<()> {
        Ok(())
    }
}

fn set_mtime(path: &Path, mtime: &str) {
    if let Ok(secs) = mtime.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(secs);
            if let Ok(f) = std::fs::File::options().write(true).open(path) {
                let _ = f.set_modified(t);
            }
        }
    }
}

async fn fetch(down: &Arc<Down>, w: &Want) -> Value {
    let ctx = &down.ctx;
    let (c, o) = (w.container.as_str(), w.name.as_str());
    let start = record::now();
    let rel = local_name(down, w);
    let stdout = down.req.out_file.as_deref() == Some("-");
    let path: Option<PathBuf> = match &down.req.out_file {
        Some(f) if f != "-" => Some(PathBuf::from(f)),
        Some(_) => None,
        None => match safe_path(&down.out_dir, &rel) {
            Ok(p) => Some(p),
            Err(why) => {
                let e = Error::invalid(format!(
                    "refusing to write object \"{o}\" outside the output directory: {why}"
                ));
                let mut r = record::failed("download_object", Some(c), Some(o), &e);
                r["path"] = json!(rel);
                return r;
            }
        },
    };
    // The path as python-swiftclient reports it: relative to the current
    // directory when no output directory was given ("a/b", not "./a/b").
    let shown = match (&path, &down.req.out_directory, &down.req.out_file) {
        (None, _, _) => "-".to_string(),
        (Some(_), None, None) => rel.clone(),
        (Some(p), _, _) => p.display().to_string(),
    };
    let mut rec = record::ok("download_object", Some(c), Some(o));
    rec["path"] = json!(shown);
    rec["start_time"] = json!(start);
    let fail = |e: &Error| {
        let mut r = record::failed("download_object", Some(c), Some(o), e);
        r["path"] = json!(path.as_ref().map(|_| shown.clone()));
        r
    };
    // Pseudo-directories become directories.
    let is_dir_entry = w.name.ends_with('/')
        || (matches!(
            w.content_type.as_deref(),
            Some("application/directory" | "text/directory")
        ) && w.bytes == Some(0));
    if is_dir_entry {
        if let (Some(p), false) = (&path, down.req.no_download) {
            if let Err(e) = down.make_dir(p) {
                return fail(&Error::invalid(format!(
                    "cannot create directory \"{}\": {e}",
                    p.display()
                )));
            }
        }
        rec["pseudodir"] = json!(true);
        return rec;
    }
    if let Some(p) = &path {
        if !down.req.no_download {
            if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Err(e) = down.make_dir(parent) {
                    return fail(&Error::invalid(format!(
                        "cannot create directory \"{}\": {e}",
                        parent.display()
                    )));
                }
            }
        }
    }
    let new_target = || -> Result<Box<dyn BodySink>> {
        if down.req.no_download {
            Ok(Box::new(Discard))
        } else if stdout {
            Ok(Box::new(FdSink::new(1)?))
        } else {
            match path.as_ref() {
                Some(p) => Ok(Box::new(PathSink::create(p)?)),
                None => Err(Error::internal("no output path")),
            }
        }
    };
    let done = |rec: Value, resp: &Value, verified: Value| {
        let mut rec = record::with_response(rec, resp);
        rec["read_length"] = resp["bytes"].clone();
        rec["verified"] = verified;
        rec["auth_end_time"] = resp["auth_end_time"].clone();
        rec["headers_receipt"] = resp["headers_receipt"].clone();
        rec["finish_time"] = json!(record::now());
        rec
    };
    // The common case costs one request: GET at once, and stream a plain
    // object straight in. Only a large object (seen in the GET's headers,
    // before any byte is read) takes the longer way below: its segment list
    // first, then a GET verified per segment. skip_identical, no_download
    // and parallel ranged GETs need the object's facts first.
    if w.maybe_plain()
        && !down.req.skip_identical
        && !down.req.no_download
        && down.req.range_parts.unwrap_or(1) <= 1
    {
        let mut target = match new_target() {
            Ok(t) => t,
            Err(e) => return fail(&e),
        };
        match get_verified(down, c, o, None, w.bytes, target.as_mut()).await {
            Ok(Some((resp, verified))) => return done(rec, &resp, verified),
            Ok(None) => {
                if let Err(e) = target.finish(false) {
                    return fail(&e);
                }
            }
            Err(e) => return fail(&e),
        }
    }
    // What is it? Large objects are verified per segment.
    let (existing, head) = match segments::existing(ctx, c, o, &down.opts).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            let mut e = Error::new(Status::NotFound, format!("object {c}/{o} not found"));
            e.http_status = Some(404);
            return fail(&e);
        }
        Err(e) => return fail(&e),
    };
    if down.req.skip_identical {
        if let Some(p) = path.clone().filter(|p| p.is_file()) {
            let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            let k = existing.clone();
            if let Ok(Ok(true)) =
                tokio::task::spawn_blocking(move || super::identical::identical_file(&p, size, &k))
                    .await
            {
                rec["status"] = json!("skipped-identical");
                return rec;
            }
        }
    }
    let caller_range = down
        .opts
        .headers
        .0
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("range"));
    if let (Existing::Plain { etag, size }, Some(p), false, false, false) =
        (&existing, &path, down.req.no_download, caller_range, stdout)
    {
        let parts = down.req.range_parts.unwrap_or(1).clamp(1, 64);
        if parts > 1 && *size >= down.req.range_threshold.unwrap_or(64 << 20) {
            return match parallel_get(down, c, o, p, *size, etag, parts).await {
                Ok(extra) => {
                    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
                        rec[k] = v;
                    }
                    rec["finish_time"] = json!(record::now());
                    if !down.req.ignore_mtime {
                        if let Some(m) = head["x-object-meta-mtime"].as_str() {
                            set_mtime(p, m);
                        }
                    }
                    // Several ranged GETs: the object's headers are those
                    // of its inspection.
                    rec["response_dict"] = json!({"status": 200, "reason": "OK", "headers": head});
                    rec
                }
                Err(e) => fail(&e),
            };
        }
    }
    if let (
        Existing::Slo(segs) | Existing::Dlo { segments: segs, .. },
        Some(p),
        false,
        false,
        false,
    ) = (&existing, &path, down.req.no_download, caller_range, stdout)
    {
        if down.segment_threads > 1 && segs.len() > 1 {
            let mtime = head["x-object-meta-mtime"]
                .as_str()
                .filter(|_| !down.req.ignore_mtime);
            return match parallel_segments(down, o, p, segs, mtime).await {
                Ok(extra) => {
                    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
                        rec[k] = v;
                    }
                    rec["finish_time"] = json!(record::now());
                    rec["response_dict"] = json!({"status": 200, "reason": "OK", "headers": head});
                    rec
                }
                Err(e) => fail(&e),
            };
        }
    }
    let mut target = match new_target() {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    match get_verified(down, c, o, Some(&existing), None, target.as_mut()).await {
        Ok(Some((resp, verified))) => done(rec, &resp, verified),
        Ok(None) => fail(&Error::internal("a large object was not recognised as one")),
        Err(e) => fail(&e),
    }
}

/// GETs `c/o` into `target`, verifying MD5 and length for a plain object
/// and each segment for a large one; calls `target.finish(ok)`. Returns the
/// GET record and what was verified ("md5", "segments" or false).
/// `existing: None` (not inspected yet) returns `None`, unread, for a large
/// object or an answer that is not provably the object (`listed_size`: its
/// size in a listing); a plain object's body must then have the size its
/// inspection (HEAD) gave.
async fn get_verified(
    down: &Down,
    c: &str,
    o: &str,
    existing: Option<&Existing>,
    listed_size: Option<u64>,
    target: &mut dyn BodySink,
) -> Result<Option<(Value, Value)>> {
    let ranged = down
        .opts
        .headers
        .0
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("range"));
    let segs = match existing {
        Some(Existing::Slo(s) | Existing::Dlo { segments: s, .. }) if down.checksum && !ranged => {
            s.clone()
        }
        _ => Vec::new(),
    };
    let total = match existing {
        Some(Existing::Plain { size, .. } | Existing::Unlisted { size, .. }) => *size,
        Some(Existing::Slo(s) | Existing::Dlo { segments: s, .. }) => {
            s.iter().map(|x| x.size).sum()
        }
        None => listed_size.unwrap_or(0),
    };
    let gopts = GetOpts {
        headers: down.opts.headers.clone(),
        // Not inspected yet: ask for a large object's manifest rather than
        // its contents, so finding one out wastes no segment transfer (a
        // plain object is served as usual).
        query: match (existing.is_none(), &down.opts.query) {
            (true, Some(v)) => Some(format!("multipart-manifest=get&{v}")),
            (true, None) => Some("multipart-manifest=get".to_string()),
            (false, v) => v.clone(),
        },
        checksum: down.checksum,
        resume: true,
        // Not inspected yet: a plain object streams straight in; a large
        // one is handed back unread, to be fetched again per segment.
        plain_only: existing.is_none(),
        listed_size: listed_size.filter(|_| existing.is_none()),
        // Segments are checked one by one; a whole-body MD5 would only
        // double the hashing.
        no_body_md5: !segs.is_empty(),
    };
    let large = !matches!(existing, None | Some(Existing::Plain { .. }));
    let unlisted = matches!(existing, Some(Existing::Unlisted { .. }));
    let mut checked = Checked {
        inner: target,
        segments: segs,
        index: 0,
        in_segment: 0,
        md5: Md5::new(),
        down,
        object: o,
        read: 0,
        last: 0,
        total,
    };
    let r = object::get(
        &down.ctx.client,
        c,
        o,
        &gopts,
        &mut ForwardNoFinish(&mut checked),
        &down.ctx.cancel,
    )
    .await;
    if matches!(&r, Ok(v) if v["large_object"] == true) {
        return Ok(None);
    }
    let r = match r {
        Ok(_) if !checked.segments.is_empty() && !checked.all_segments_seen() => Err(Error::new(
            Status::Checksum,
            format!(
                "the body ended inside segment {} of {}",
                checked.index,
                checked.segments.len()
            ),
        )),
        Ok(v) => match existing {
            // The server's two statements of the size must agree: a body
            // that matches only its own Content-Length (and its own ETag)
            // may still not be the object.
            Some(Existing::Plain { size, .. } | Existing::Unlisted { size, .. })
                if !ranged && v["bytes"].as_u64() != Some(*size) =>
            {
                Err(Error::new(
                    Status::Checksum,
                    format!(
                        "the GET of {c}/{o} gave {} bytes where its HEAD said {size}",
                        v["bytes"]
                    ),
                )
                .attempts(v["attempts"].as_u64().unwrap_or(1) as u32))
            }
            _ => Ok(v),
        },
        other => other,
    };
    if let (Ok(v), false) = (&r, down.req.ignore_mtime) {
        if let Some(secs) = v["headers"]["x-object-meta-mtime"]
            .as_str()
            .and_then(|m| m.parse::<f64>().ok())
        {
            checked.inner.set_mtime(secs);
        }
    }
    let fin = checked.finish(r.is_ok());
    let resp = r.and_then(|v| fin.map(|_| v))?;
    let verified = match (down.checksum, large, ranged) {
        (false, _, _) | (_, _, true) => Value::Bool(false),
        (true, false, false) => json!("md5"),
        // Its size only: the server gave no segment list to check against.
        (true, true, false) if unlisted => json!("length"),
        (true, true, false) => json!("segments"),
    };
    Ok(Some((resp, verified)))
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
    let ctx = Ctx::detached(client.clone(), cancel.clone());
    let down = Down {
        ctx,
        out_dir: PathBuf::from("."),
        checksum: req.checksum.unwrap_or(true),
        threads: 1,
        segment_threads: 1,
        done_bytes: AtomicU64::new(0),
        total_bytes: AtomicU64::new(0),
        dirs: Default::default(),
        opts: RequestOpts {
            headers: Headers(from_header_list(&req.header)?),
            query: version_query(req),
        },
        req: req.clone(),
    };
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

/// Writes at a running offset of a shared file (one ranged part).
struct AtSink {
    file: Arc<std::fs::File>,
    offset: u64,
}

impl BodySink for AtSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        self.file
            .write_all_at(data, self.offset)
            .map_err(|e| Error::invalid(format!("writing a part: {e}")))?;
        self.offset += data.len() as u64;
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// A file put together from parts written at their offsets, under a
/// temporary name in the target's directory until `complete`; dropped
/// before that, the temporary file goes.
struct Assembly {
    path: PathBuf,
    tmp: PathBuf,
    file: Arc<std::fs::File>,
    done: bool,
}

impl Assembly {
    fn create(path: &Path, size: u64) -> Result<Assembly> {
        let tmp = crate::conn::body::partial_path(path)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::invalid(format!("cannot create \"{}\": {e}", tmp.display())))?;
        let a = Assembly {
            path: path.to_path_buf(),
            tmp,
            file: Arc::new(file),
            done: false,
        };
        a.file
            .set_len(size)
            .map_err(|e| Error::invalid(format!("cannot size \"{}\": {e}", a.tmp.display())))?;
        Ok(a)
    }

    /// Sets the modification time (when given), makes the data durable and
    /// renames the file into place.
    fn complete(mut self, mtime: Option<&str>) -> Result<()> {
        let secs = mtime.and_then(|m| m.parse::<f64>().ok());
        if let Some(t) = secs.filter(|s| s.is_finite() && (0.0..1e12).contains(s)) {
            let _ = self
                .file
                .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(t));
        }
        self.file
            .sync_all()
            .and_then(|_| std::fs::rename(&self.tmp, &self.path))
            .map_err(|e| {
                Error::invalid(format!("cannot complete \"{}\": {e}", self.path.display()))
            })?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Assembly {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes one segment at its offset in an assembly, reporting progress.
struct SegmentSink {
    at: AtSink,
    down: Arc<Down>,
    object: Arc<str>,
    /// The whole object's bytes so far (all its segments).
    read: Arc<AtomicU64>,
    total: u64,
    since: u64,
}

impl BodySink for SegmentSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        self.at.write(data)?;
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

/// A large object's segments fetched straight from their containers,
/// `segment_threads` at a time, each written at its offset in a temporary
/// file and checked on its own: its length, the MD5 of its bytes against
/// its ETag, and that ETag against the one the manifest (SLO) or listing
/// (DLO) names. The hashing spreads over the runtime's threads. The first
/// failure stops the others; the file is renamed into place only when
/// every segment checked out.
async fn parallel_segments(
    down: &Arc<Down>,
    o: &str,
    path: &Path,
    segs: &[Segment],
    mtime: Option<&str>,
) -> Result<Value> {
    let total: u64 = segs.iter().map(|s| s.size).sum();
    let asm = Assembly::create(path, total)?;
    let n = segs.len();
    let mut offset = 0;
    let items: Vec<(usize, Segment, u64)> = segs
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, s)| {
            let at = offset;
            offset += s.size;
            (i, s, at)
        })
        .collect();
    let stop = down.ctx.cancel.child_token();
    let attempts = Arc::new(AtomicU64::new(0));
    let auth_end = record::now();
    // When the first segment's headers arrived.
    let headers_at: Arc<std::sync::Mutex<Option<f64>>> = Default::default();
    let read = Arc::new(AtomicU64::new(0));
    let failure: Arc<std::sync::Mutex<Option<Error>>> = Default::default();
    let object: Arc<str> = Arc::from(o);
    let (d2, file, stop2, att2, fail2, hd2) = (
        down.clone(),
        asm.file.clone(),
        stop.clone(),
        attempts.clone(),
        failure.clone(),
        headers_at.clone(),
    );
    for_each_limited(
        items,
        down.segment_threads,
        &stop,
        move |(i, s, at): (usize, Segment, u64)| {
            let (down, file, stop, attempts, failure, object, read, headers_at) = (
                d2.clone(),
                file.clone(),
                stop2.clone(),
                att2.clone(),
                fail2.clone(),
                object.clone(),
                read.clone(),
                hd2.clone(),
            );
            async move {
                let opts = GetOpts {
                    headers: down.opts.headers.clone(),
                    checksum: down.checksum,
                    resume: true,
                    ..Default::default()
                };
                let mut sink = SegmentSink {
                    at: AtSink { file, offset: at },
                    down: down.clone(),
                    object,
                    read,
                    total,
                    since: 0,
                };
                let r = object::get(
                    &down.ctx.client,
                    &s.container,
                    &s.name,
                    &opts,
                    &mut sink,
                    &stop,
                )
                .await
                .and_then(|r| check_segment(&r, &s, down.checksum).map(|_| r));
                match r {
                    Ok(r) => {
                        // Retries only: the object counts as one attempt.
                        let extra = r["attempts"].as_u64().unwrap_or(1).saturating_sub(1);
                        attempts.fetch_add(extra, Ordering::Relaxed);
                        if let Some(t) = r["headers_receipt"].as_f64() {
                            let mut first = headers_at.lock().unwrap_or_else(|p| p.into_inner());
                            if first.is_none_or(|f| t < f) {
                                *first = Some(t);
                            }
                        }
                    }
                    Err(mut e) => {
                        if e.status != Status::Cancelled || !stop.is_cancelled() {
                            e.message = format!(
                                "segment {i} of {n} ({}/{}): {}",
                                s.container, s.name, e.message
                            );
                            failure
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                        }
                        stop.cancel();
                    }
                }
            }
        },
    )
    .await;
    down.ctx.check_cancel()?;
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    asm.complete(mtime)?;
    Ok(json!({
        "read_length": total,
        "verified": if down.checksum { json!("segments") } else { json!(false) },
        "segments": n,
        "attempts": 1 + attempts.load(Ordering::Relaxed),
        "auth_end_time": auth_end,
        "headers_receipt": *headers_at.lock().unwrap_or_else(|p| p.into_inner()),
    }))
}

/// One fetched segment against what the manifest or listing says of it.
fn check_segment(r: &Value, s: &Segment, checksum: bool) -> Result<()> {
    if r["bytes"].as_u64() != Some(s.size) {
        return Err(Error::new(
            Status::Checksum,
            format!(
                "{} bytes came back where {} were expected",
                r["bytes"], s.size
            ),
        ));
    }
    let etag = r["headers"]["etag"]
        .as_str()
        .unwrap_or("")
        .trim_matches('"');
    if checksum && !s.etag.is_empty() && etag != s.etag {
        return Err(Error::new(
            Status::Checksum,
            format!("its ETag is {etag}, the manifest names {}", s.etag),
        ));
    }
    Ok(())
}

/// Several ranged GETs (each with If-Match, so all parts come from the same
/// version) into a temporary file; the whole is checked against the ETag
/// before it is renamed onto `path`.
#[allow(clippy::too_many_arguments)]
async fn parallel_get(
    down: &Down,
    c: &str,
    o: &str,
    path: &Path,
    size: u64,
    etag: &str,
    parts: u64,
) -> Result<Value> {
    let ctx = &down.ctx;
    let asm = Assembly::create(path, size)?;
    let file = asm.file.clone();
    let part = size.div_ceil(parts);
    let mut set = tokio::task::JoinSet::new();
    let mut attempts = 0u64;
    for i in 0..parts {
        let (a, b) = (i * part, ((i + 1) * part).min(size));
        if a >= b {
            continue;
        }
        let (client, cancel, file, c, o) = (
            ctx.client.clone(),
            ctx.cancel.clone(),
            file.clone(),
            c.to_string(),
            o.to_string(),
        );
        let mut headers = down.opts.headers.clone();
        let query = down.opts.query.clone();
        headers
            .0
            .push(("Range".into(), format!("bytes={a}-{}", b - 1)));
        headers.0.push(("If-Match".into(), etag.to_string()));
        set.spawn(crate::conn::request::inherit(async move {
            let opts = GetOpts {
                headers,
                query,
                checksum: true,
                resume: false,
                ..Default::default()
            };
            let mut sink = AtSink { file, offset: a };
            let r = object::get(&client, &c, &o, &opts, &mut sink, &cancel).await?;
            if r["bytes"].as_u64() != Some(b - a) {
                return Err(Error::new(
                    Status::Checksum,
                    format!("part {a}-{} came back with {} bytes", b - 1, r["bytes"]),
                ));
            }
            // Retries only: the object counts as one attempt.
            Ok(r["attempts"].as_u64().unwrap_or(1).saturating_sub(1))
        }));
    }
    let mut first_err = None;
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(n)) => attempts += n,
            Ok(Err(e)) => {
                first_err.get_or_insert(e);
                set.abort_all();
            }
            Err(e) if e.is_cancelled() => {}
            Err(e) => {
                first_err.get_or_insert(Error::internal(format!("part task: {e}")));
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    ctx.check_cancel()?;
    let f2 = file.clone();
    let md5 = tokio::task::spawn_blocking(move || -> Result<String> {
        use std::io::Read;
        let mut f = f2.as_ref();
        let mut h = Md5::new();
        let mut buf = vec![0u8; 1 << 20];
        std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(0))
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
        Ok(crate::conn::request::hex(&h.finalize()))
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))??;
    if down.checksum && md5 != etag {
        return Err(Error::new(
            Status::Checksum,
            format!("the assembled parts have MD5 {md5}, the ETag is {etag}"),
        ));
    }
    asm.complete(None)?;
    Ok(
        json!({"read_length": size, "verified": if down.checksum { json!("md5") } else { json!(false) }, "parts": parts, "attempts": 1 + attempts}),
    )
}

/// Passes writes through but leaves `finish` to the caller (who knows
/// whether the segment checks passed).
struct ForwardNoFinish<'a, 'b>(&'a mut Checked<'b>);
impl BodySink for ForwardNoFinish<'_, '_> {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        self.0.write(data)
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let d = Path::new("/out");
        assert_eq!(
            safe_path(d, "a/b/c.txt").unwrap(),
            PathBuf::from("/out/a/b/c.txt")
        );
        assert_eq!(safe_path(d, "./a//b").unwrap(), PathBuf::from("/out/a/b"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "a/..", "", ".", "./"] {
            assert!(safe_path(d, bad).is_err(), "{bad}");
        }
    }
}
