//! `upload`: files and directory trees (empty directories become directory
//! markers), with `X-Object-Meta-Mtime`, `changed` / `skip_identical`, and
//! large files split into SLO or DLO segments named as python-swiftclient
//! names them, uploaded in parallel; overwriting a large object deletes the
//! old segments the new one does not reuse.

use super::headers::{from_header_list, from_meta_list};
use super::op::{for_each_limited, Ctx};
use super::segments::{self, Existing, Segment};
use super::{capabilities, limit, record};
use crate::conn::body::{BodySource, FileSource};
use crate::conn::opts::{Headers, ListOpts, PutOpts, RequestOpts};
use crate::conn::{container, object};
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// One thing to upload: a path, or a path with its own object name.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Item {
    Path(String),
    Spec(ItemSpec),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemSpec {
    /// A file or directory; absent with `dir_marker` for a bare marker.
    pub path: Option<String>,
    /// A file descriptor to read until its end instead of a path (a pipe,
    /// standard input): uploaded as a stream of unknown length, segmented
    /// as it is read. Needs `object_name`; not closed.
    pub fd: Option<i32>,
    pub object_name: Option<String>,
    /// Create a directory marker object named `object_name`.
    pub dir_marker: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    /// Per-item overrides of the request's options.
    #[serde(deserialize_with = "size_opt")]
    pub segment_size: Option<u64>,
    pub use_slo: Option<bool>,
    pub changed: Option<bool>,
    pub skip_identical: Option<bool>,
    pub leave_segments: Option<bool>,
    pub checksum: Option<bool>,
}

/// An item's overrides of the request's file options.
#[derive(Debug, Clone, Default)]
struct Overrides {
    segment_size: Option<u64>,
    use_slo: Option<bool>,
    changed: Option<bool>,
    skip_identical: Option<bool>,
    leave_segments: Option<bool>,
    checksum: Option<bool>,
}

/// The options in force for one file.
#[derive(Debug, Clone)]
struct Eff {
    segment_size: Option<u64>,
    use_slo: bool,
    changed: bool,
    skip_identical: bool,
    leave_segments: bool,
    checksum: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadRequest {
    /// "container" or "container/pseudo/folder" (names get the prefix).
    pub container: String,
    pub objects: Vec<Item>,
    /// The object name for a single file, or the prefix replacing a single
    /// directory's path.
    pub object_name: Option<String>,
    /// Bytes (a number, or a string with B/K/M/G suffix, 1024-based).
    #[serde(deserialize_with = "size")]
    pub segment_size: Option<u64>,
    pub use_slo: Option<bool>,
    pub segment_container: Option<String>,
    pub leave_segments: bool,
    pub changed: bool,
    pub skip_identical: bool,
    pub skip_container_put: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    pub checksum: Option<bool>,
    pub fail_fast: bool,
    pub object_uu_threads: Option<usize>,
    pub segment_threads: Option<usize>,
}

/// `segment_size`-style option: bytes as a number or "100M".
pub fn size_opt<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    size(d)
}

fn size<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("must be a positive integer")),
        Some(Value::String(s)) => parse_size(&s).map(Some).map_err(serde::de::Error::custom),
        Some(o) => Err(serde::de::Error::custom(format!(
            "must be a number of bytes, not {o}"
        ))),
    }
}

/// "100", "10K", "5M", "1G", "2T", "100B" (1024-based, as the swift CLI).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('B') => (&t[..t.len() - 1], 1u64),
        Some('K') => (&t[..t.len() - 1], 1 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        Some('T') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("\"{s}\" is not a size (e.g. 1048576, 512K, 100M, 1G)"))
}

impl UploadRequest {
    pub fn parse(text: Option<&str>) -> Result<UploadRequest> {
        let r: UploadRequest = crate::conn::opts::parse(text, "request")?;
        let (c, _) = split_container(&r.container);
        crate::conn::check_container("container", c)?;
        if r.objects.is_empty() {
            return Err(Error::config(
                "objects",
                "nothing to upload: \"objects\" is empty",
            ));
        }
        if r.object_name.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "object_name",
                "\"object_name\" needs exactly one item in \"objects\"",
            ));
        }
        limit("object_uu_threads", r.object_uu_threads)?;
        limit("segment_threads", r.segment_threads)?;
        from_header_list(&r.header)?;
        from_meta_list("Object", &r.meta)?;
        for i in &r.objects {
            if let Item::Spec(s) = i {
                from_header_list(&s.header)?;
                from_meta_list("Object", &s.meta)?;
                if s.fd.is_some() && (s.path.is_some() || s.object_name.is_none()) {
                    return Err(Error::config(
                        "objects",
                        "an \"fd\" item needs \"object_name\" and no \"path\"",
                    ));
                }
                if s.path.is_none() && !s.dir_marker && s.fd.is_none() {
                    return Err(Error::config(
                        "objects",
                        "an item needs \"path\" (or \"dir_marker\" with \"object_name\")",
                    ));
                }
                if s.dir_marker && s.object_name.is_none() && s.path.is_none() {
                    return Err(Error::config(
                        "objects",
                        "a directory marker needs \"object_name\"",
                    ));
                }
            }
        }
        Ok(r)
    }
}

/// "c/pseudo/folder" -> ("c", "pseudo/folder/").
fn split_container(c: &str) -> (&str, String) {
    match c.split_once('/') {
        Some((c, p)) if !p.trim_matches('/').is_empty() => (c, format!("{}/", p.trim_matches('/'))),
        Some((c, _)) => (c, String::new()),
        None => (c, String::new()),
    }
}

/// An object name from a local path, as python-swiftclient makes it.
fn name_from_path(p: &str) -> String {
    let mut s = p.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    // "." itself (`swift upload c .`): its files are named "a", not "./a".
    if s == "." {
        return String::new();
    }
    s.trim_start_matches('/').to_string()
}

/// python-swiftclient's `"%f" % os.path.getmtime(path)`.
pub fn mtime_of(meta: &std::fs::Metadata) -> String {
    let d = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    format!("{:.6}", d.as_secs() as f64 + d.subsec_nanos() as f64 * 1e-9)
}

/// One unit of work after expanding directories.
#[derive(Debug, Clone)]
enum Work {
    File {
        path: PathBuf,
        object: String,
        size: u64,
        mtime: String,
        headers: Vec<(String, String)>,
        over: Overrides,
    },
    Marker {
        object: String,
        mtime: String,
        headers: Vec<(String, String)>,
        path: Option<String>,
    },
    /// A stream from a file descriptor.
    Stream {
        fd: i32,
        object: String,
        headers: Vec<(String, String)>,
        over: Overrides,
    },
    /// A path that cannot be uploaded (missing, unreadable): one failed record.
    Unusable {
        path: String,
        object: String,
        error: Error,
    },
}

fn expand(req: &UploadRequest, prefix: &str) -> Result<Vec<Work>> {
    let mut out = Vec::new();
    let base_headers = {
        let mut h = from_header_list(&req.header)?;
        h.extend(from_meta_list("Object", &req.meta)?);
        h
    };
    for item in &req.objects {
        let (path, name, marker, mut headers, over) = match item {
            Item::Path(p) => (
                Some(p.clone()),
                req.object_name.clone(),
                false,
                base_headers.clone(),
                Overrides::default(),
            ),
            Item::Spec(s) => {
                let mut h = base_headers.clone();
                h.extend(from_header_list(&s.header)?);
                h.extend(from_meta_list("Object", &s.meta)?);
                let over = Overrides {
                    segment_size: s.segment_size,
                    use_slo: s.use_slo,
                    changed: s.changed,
                    skip_identical: s.skip_identical,
                    leave_segments: s.leave_segments,
                    checksum: s.checksum,
                };
                (
                    s.path.clone(),
                    s.object_name.clone().or_else(|| req.object_name.clone()),
                    s.dir_marker,
                    h,
                    over,
                )
            }
        };
        headers.dedup();
        if let Item::Spec(ItemSpec { fd: Some(fd), .. }) = item {
            let object = format!("{prefix}{}", name_from_path(name.as_deref().unwrap_or("")));
            out.push(Work::Stream {
                fd: *fd,
                object,
                headers,
                over,
            });
            continue;
        }
        let Some(path) = path else {
            let object = format!("{prefix}{}", name_from_path(name.as_deref().unwrap_or("")));
            out.push(Work::Marker {
                object,
                mtime: format!("{:.6}", record::now()),
                headers,
                path: None,
            });
            continue;
        };
        let root_name = name.clone().unwrap_or_else(|| name_from_path(&path));
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let error = Error::invalid(format!("cannot upload \"{path}\": {e}"));
                out.push(Work::Unusable {
                    path: path.clone(),
                    object: format!("{prefix}{root_name}"),
                    error,
                });
                continue;
            }
        };
        if marker {
            out.push(Work::Marker {
                object: format!("{prefix}{root_name}"),
                mtime: mtime_of(&meta),
                headers,
                path: Some(path),
            });
        } else if meta.is_dir() {
            walk(
                Path::new(&path),
                &format!("{prefix}{}", root_name.trim_end_matches('/')),
                &headers,
                &over,
                &mut out,
            )?;
        } else {
            out.push(Work::File {
                path: PathBuf::from(&path),
                object: format!("{prefix}{root_name}"),
                size: meta.len(),
                mtime: mtime_of(&meta),
                headers,
                over,
            });
        }
    }
    Ok(out)
}

/// Files under `dir` become `<name>/<relative path>`; empty directories
/// become directory markers. Symlinked directories are not followed.
fn walk(
    dir: &Path,
    name: &str,
    headers: &[(String, String)],
    over: &Overrides,
    out: &mut Vec<Work>,
) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::invalid(format!("cannot read directory \"{}\": {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    if entries.is_empty() && !name.is_empty() {
        let meta = std::fs::metadata(dir)
            .map_err(|e| Error::invalid(format!("{}: {e}", dir.display())))?;
        out.push(Work::Marker {
            object: name.to_string(),
            mtime: mtime_of(&meta),
            headers: headers.to_vec(),
            path: Some(dir.display().to_string()),
        });
        return Ok(());
    }
    for e in entries {
        let p = e.path();
        let child = if name.is_empty() {
            e.file_name().to_string_lossy().to_string()
        } else {
            format!("{name}/{}", e.file_name().to_string_lossy())
        };
        let link = e.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if !link {
                walk(&p, &child, headers, over, out)?;
            }
        } else if meta.is_file() {
            out.push(Work::File {
                path: p,
                object: child,
                size: meta.len(),
                mtime: mtime_of(&meta),
                headers: headers.to_vec(),
                over: over.clone(),
            });
        }
    }
    Ok(())
}

/// Shared by the whole upload.
struct Up {
    ctx: Ctx,
    container: String,
    segment_container: String,
    segment_size: Option<u64>,
    use_slo: bool,
    /// (max_file_size, max_manifest_segments, min_segment_size) from /info.
    limits: (u64, u64, u64),
    req: UploadRequest,
    segment_slots: Arc<Semaphore>,
    segment_threads: usize,
    checksum: bool,
    done_bytes: AtomicU64,
    total_bytes: u64,
    segment_container_ready: tokio::sync::OnceCell<()>,
    /// What one container listing said of the objects this upload writes
    /// (None: no listing, inspect each object with a HEAD).
    listed: Option<HashMap<String, Listed>>,
}

/// An object already in the container, as its listing entry shows it.
#[derive(Debug, Clone)]
struct Listed {
    bytes: u64,
    hash: String,
    slo: bool,
}

/// Lists the container once (below the names' common prefix) so that
/// uploading many files needs no HEAD per object: a name that is not
/// listed is new, and a listed non-empty object without `slo_etag` is a
/// plain object (no old segments to clean up; its MD5 is the listed hash).
/// SLO manifests and empty entries (possibly DLO manifests) are still
/// inspected with a HEAD, as is everything when `changed` meets an object
/// of the same size (the listing has no mtime). Not worth it for one file;
/// given up (None) when the listing grows past n/50 pages for n files or
/// fails, falling back to a HEAD per object as python-swiftclient does.
async fn listed_objects(ctx: &Ctx, c: &str, work: &[Work]) -> Option<HashMap<String, Listed>> {
    let names: std::collections::HashSet<&str> = work
        .iter()
        .filter_map(|w| match w {
            Work::File { object, .. } => Some(object.as_str()),
            _ => None,
        })
        .collect();
    if names.len() < 2 {
        return None;
    }
    let mut prefix: &str = names.iter().next().copied().unwrap_or("");
    for n in &names {
        let common = prefix
            .char_indices()
            .zip(n.chars())
            .find(|((_, a), b)| a != b)
            .map_or(prefix.len().min(n.len()), |((i, _), _)| i);
        prefix = &prefix[..common];
        while !n.is_char_boundary(prefix.len()) {
            prefix = &prefix[..prefix.len() - 1];
        }
    }
    let budget = (names.len() / 50).max(2);
    let opts = ListOpts {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        full_listing: true,
        ..Default::default()
    };
    let mut found = HashMap::new();
    let mut pages = 0usize;
    let mut complete = true;
    let r = crate::conn::listing::list(
        &ctx.client,
        &crate::conn::container_path(c).ok()?,
        &opts,
        &mut |page: Vec<Value>| {
            pages += 1;
            if pages > budget {
                complete = false;
                return Ok(false);
            }
            for e in &page {
                if let Some(n) = e["name"].as_str().filter(|n| names.contains(n)) {
                    found.insert(
                        n.to_string(),
                        Listed {
                            bytes: e["bytes"].as_u64().unwrap_or(0),
                            hash: e["hash"].as_str().unwrap_or("").to_string(),
                            slo: e.get("slo_etag").is_some(),
                        },
                    );
                }
            }
            Ok(true)
        },
        &ctx.cancel,
    )
    .await;
    match r {
        Ok(_) if complete => Some(found),
        Err(e) if e.status == Status::NotFound => Some(HashMap::new()),
        _ => None,
    }
}

pub async fn run(ctx: Ctx, req: UploadRequest) -> Result<()> {
    let (c, prefix) = split_container(&req.container);
    let c = c.to_string();
    let work = expand(&req, &prefix)?;
    let info = capabilities::get(&ctx.client, None, false, &ctx.cancel)
        .await
        .map(|(_, i)| i)
        .unwrap_or(Value::Null);
    let use_slo = req.use_slo.unwrap_or_else(|| info.get("slo").is_some());
    let limits = (
        info["swift"]["max_file_size"]
            .as_u64()
            .unwrap_or(5 * 1024 * 1024 * 1024 + 2),
        info["slo"]["max_manifest_segments"]
            .as_u64()
            .unwrap_or(1000),
        info["slo"]["min_segment_size"].as_u64().unwrap_or(1),
    );
    let segment_threads = ctx.threads("segment_threads", req.segment_threads)?;
    // Per-item overrides may ask for inspection too, so list unless nothing
    // at all can need it.
    let listed = if req.leave_segments && !req.changed && !req.skip_identical {
        None
    } else {
        listed_objects(&ctx, &c, &work).await
    };
    let up = Arc::new(Up {
        ctx: ctx.clone(),
        segment_container: req
            .segment_container
            .clone()
            .unwrap_or_else(|| format!("{c}_segments")),
        container: c.clone(),
        segment_size: req.segment_size,
        use_slo,
        limits,
        segment_slots: Arc::new(Semaphore::new(segment_threads)),
        segment_threads,
        checksum: req.checksum.unwrap_or(true),
        done_bytes: AtomicU64::new(0),
        total_bytes: work
            .iter()
            .map(|w| {
                if let Work::File { size, .. } = w {
                    *size
                } else {
                    0
                }
            })
            .sum(),
        segment_container_ready: tokio::sync::OnceCell::new(),
        listed,
        req: req.clone(),
    });
    if !req.skip_container_put {
        let headers: Vec<(String, String)> = from_header_list(&req.header)?
            .into_iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-storage-policy"))
            .collect();
        let sent = record::sent_headers(&headers);
        let mut r = match container::put(
            &ctx.client,
            &c,
            &RequestOpts {
                headers: Headers(headers),
                query: None,
            },
            &ctx.cancel,
        )
        .await
        {
            Ok(resp) => {
                record::with_response(record::ok("create_container", Some(&c), None), &resp)
            }
            Err(e) => record::container_not_created(&c, &e),
        };
        r["headers"] = sent;
        let failed = r["success"] == json!(false) && r["warning"] != json!(true);
        ctx.record(r).await;
        if failed && req.fail_fast {
            ctx.cancel.cancel();
            return Ok(());
        }
    }
    let threads = ctx.threads("object_uu_threads", req.object_uu_threads)?;
    let up2 = up.clone();
    for_each_limited(work, threads, &ctx.cancel.clone(), move |w: Work| {
        let up = up2.clone();
        async move {
            let r = match &w {
                Work::File { .. } => upload_file(&up, &w).await,
                Work::Marker { .. } => upload_marker(&up, &w).await,
                Work::Stream { .. } => upload_fd_stream(&up, &w).await,
                Work::Unusable {
                    path,
                    object,
                    error,
                } => {
                    let mut r =
                        record::failed("upload_object", Some(&up.container), Some(object), error);
                    r["path"] = json!(path);
                    r
                }
            };
            if r["success"] == json!(false) && up.req.fail_fast {
                up.ctx.cancel.cancel();
            }
            up.ctx.record(r).await;
        }
    })
    .await;
    Ok(())
}

fn put_opts(headers: &[(String, String)], mtime: &str) -> PutOpts {
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

async fn upload_marker(up: &Up, w: &Work) -> Value {
    let Work::Marker {
        object,
        mtime,
        headers,
        path,
    } = w
    else {
        unreachable!()
    };
    let ctx = &up.ctx;
    let mut r = record::ok("create_dir_marker", Some(&up.container), Some(object));
    r["path"] = json!(path);
    if up.req.changed || up.req.skip_identical {
        if let Ok(h) = object::head(
            &ctx.client,
            &up.container,
            object,
            &RequestOpts::default(),
            &ctx.cancel,
        )
        .await
        {
            let hd = &h["headers"];
            let is_dir = matches!(
                hd["content-type"].as_str(),
                Some("application/directory" | "text/directory")
            );
            if is_dir
                && hd["content-length"] == "0"
                && hd["x-object-meta-mtime"].as_str() == Some(mtime)
            {
                r["status"] = json!("skipped-identical");
                return r;
            }
        }
    }
    let mut opts = put_opts(headers, mtime);
    r["headers"] = record::sent_headers(&opts.headers.0);
    opts.content_type = Some("application/directory".into());
    match object::put(
        &ctx.client,
        &up.container,
        object,
        &opts,
        &mut crate::conn::body::BytesSource::new(b""),
        &ctx.cancel,
    )
    .await
    {
        Ok(resp) => {
            let mut r = record::with_response(r, &resp);
            r["status"] = json!("uploaded");
            r
        }
        Err(e) => {
            let mut f = record::failed("create_dir_marker", Some(&up.container), Some(object), &e);
            f["path"] = json!(path);
            f
        }
    }
}

/// A file source that reports progress as it is read.
struct Counting<'a> {
    inner: FileSource,
    up: &'a Up,
    object: &'a str,
    read: u64,
    total: u64,
    last: u64,
}

// SAFETY-free: FileSource is Send and &Up is Sync.
impl BodySource for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let overall = self.up.done_bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if self.read - self.last >= 1 << 20
            || (n == 0 && self.read != self.last)
            || self.read == self.total
        {
            self.last = self.read;
            self.up.ctx.progress(json!({
                "action": "upload", "container": self.up.container, "object": self.object,
                "bytes": self.read, "total": self.total,
                "overall_bytes": overall, "overall_total": self.up.total_bytes,
            }));
        }
        Ok(n)
    }
    fn rewind(&mut self) -> Result<bool> {
        let r = self.inner.rewind()?;
        if r {
            self.up.done_bytes.fetch_sub(self.read, Ordering::Relaxed);
            self.read = 0;
            self.last = 0;
        }
        Ok(r)
    }
    fn len(&self) -> Option<u64> {
        self.inner.len()
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

/// MD5s of `path` cut at the given sizes; None if the file is not exactly
/// that long.
fn local_md5s(path: &Path, sizes: &[u64]) -> Result<Option<Vec<String>>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("cannot open \"{}\": {e}", path.display())))?;
    let mut out = Vec::with_capacity(sizes.len());
    let mut buf = vec![0u8; 1 << 16];
    for &size in sizes {
        let mut md5 = Md5::new();
        let mut left = size;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = f
                .read(&mut buf[..want])
                .map_err(|e| Error::invalid(format!("reading \"{}\": {e}", path.display())))?;
            if n == 0 {
                return Ok(None);
            }
            md5.update(&buf[..n]);
            left -= n as u64;
        }
        out.push(crate::conn::request::hex(&md5.finalize()));
    }
    let mut one = [0u8; 1];
    if f.read(&mut one)
        .map_err(|e| Error::invalid(e.to_string()))?
        != 0
    {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Whether the local file has the same content as the existing object
/// (whole MD5 for plain objects, per segment for SLO and DLO).
pub fn identical_file(path: &Path, size: u64, existing: &Existing) -> Result<bool> {
    identical(path, size, existing)
}

fn identical(path: &Path, size: u64, existing: &Existing) -> Result<bool> {
    let (sizes, etags): (Vec<u64>, Vec<String>) = match existing {
        Existing::Plain { etag, size: s } => (vec![*s], vec![etag.clone()]),
        // Nothing to compare the segments with: never "identical".
        Existing::Unlisted { .. } => return Ok(false),
        Existing::Slo(segs) | Existing::Dlo { segments: segs, .. } => (
            segs.iter().map(|s| s.size).collect(),
            segs.iter().map(|s| s.etag.clone()).collect(),
        ),
    };
    if sizes.iter().sum::<u64>() != size {
        return Ok(false);
    }
    Ok(local_md5s(path, &sizes)?.is_some_and(|m| m == etags))
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

async fn upload_file(up: &Arc<Up>, w: &Work) -> Value {
    let Work::File {
        path,
        object,
        size,
        mtime,
        headers,
        over,
    } = w
    else {
        unreachable!()
    };
    let eff = Eff {
        segment_size: over.segment_size.or(up.segment_size),
        use_slo: over.use_slo.unwrap_or(up.use_slo),
        changed: over.changed.unwrap_or(up.req.changed),
        skip_identical: over.skip_identical.unwrap_or(up.req.skip_identical),
        leave_segments: over.leave_segments.unwrap_or(up.req.leave_segments),
        checksum: over.checksum.unwrap_or(up.checksum),
    };
    let ctx = &up.ctx;
    let c = up.container.as_str();
    let base = || {
        let mut r = record::ok("upload_object", Some(c), Some(object));
        r["path"] = json!(path.display().to_string());
        r
    };
    let fail = |e: &Error| {
        let mut r = record::failed("upload_object", Some(c), Some(object), e);
        r["path"] = json!(path.display().to_string());
        r
    };
    // What is there now (for changed, skip_identical, and old segments).
    let need_head = eff.changed || eff.skip_identical || !eff.leave_segments;
    let known = up.listed.as_ref().map(|m| m.get(object.as_str()));
    let existing = match known {
        _ if !need_head => None,
        // Not in the container's listing: a new object.
        Some(None) => None,
        // Listed as a plain object, and the listing says enough.
        Some(Some(l)) if !l.slo && l.bytes > 0 && !(eff.changed && l.bytes == *size) => Some((
            Existing::Plain {
                etag: l.hash.clone(),
                size: l.bytes,
            },
            json!({"content-length": l.bytes.to_string(), "etag": l.hash}),
        )),
        _ => match segments::existing(ctx, c, object, &RequestOpts::default()).await {
            Ok(e) => e,
            Err(e) => return fail(&e),
        },
    };
    if let Some((kind, h)) = &existing {
        if eff.changed {
            let same_len = h["content-length"]
                .as_str()
                .and_then(|s| s.parse::<u64>().ok())
                == Some(*size);
            if same_len && h["x-object-meta-mtime"].as_str() == Some(mtime) {
                let mut r = base();
                r["status"] = json!("skipped-changed");
                return r;
            }
        }
        if eff.skip_identical {
            let p = path.clone();
            let k = kind.clone();
            let s = *size;
            match tokio::task::spawn_blocking(move || identical(&p, s, &k)).await {
                Ok(Ok(true)) => {
                    let mut r = base();
                    r["status"] = json!("skipped-identical");
                    return r;
                }
                Ok(Ok(false)) => {}
                Ok(Err(e)) => return fail(&e),
                Err(e) => return fail(&Error::internal(e.to_string())),
            }
        }
    }
    let old_segments: Vec<Segment> = match &existing {
        Some((Existing::Slo(s), _)) => s.clone(),
        Some((Existing::Dlo { segments, .. }, _)) => segments.clone(),
        _ => Vec::new(),
    };
    let result = match segment_size_for(*size, eff.segment_size, up.limits) {
        None => upload_plain(up, &eff, path, object, *size, mtime, headers).await,
        Some(seg) => upload_segmented(up, &eff, path, object, *size, seg, mtime, headers).await,
    };
    let (mut r, new_segments) = match result {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    let mut rr = base();
    for (k, v) in r.as_object_mut().map(std::mem::take).unwrap_or_default() {
        rr[k] = v;
    }
    r = rr;
    r["status"] = json!("uploaded");
    // Old segments the new object does not reuse.
    if !eff.leave_segments && !old_segments.is_empty() {
        let keep: std::collections::HashSet<String> =
            new_segments.iter().map(Segment::path).collect();
        let stale: Vec<Segment> = old_segments
            .into_iter()
            .filter(|s| !keep.contains(&s.path()))
            .collect();
        r["old_segments_deleted"] = json!(stale.len());
        segments::delete_segments(ctx, stale, &RequestOpts::default(), up.segment_threads).await;
    }
    r
}

async fn upload_plain(
    up: &Up,
    eff: &Eff,
    path: &Path,
    object: &str,
    size: u64,
    mtime: &str,
    headers: &[(String, String)],
) -> Result<(Value, Vec<Segment>)> {
    let ctx = &up.ctx;
    let mut opts = put_opts(headers, mtime);
    opts.checksum = eff.checksum;
    let src = FileSource::open(path)?;
    if src.len() != Some(size) {
        return Err(Error::invalid(format!(
            "\"{}\" changed size while being uploaded",
            path.display()
        )));
    }
    let mut counting = Counting {
        inner: src,
        up,
        object,
        read: 0,
        total: size,
        last: 0,
    };
    let resp = object::put(
        &ctx.client,
        &up.container,
        object,
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

async fn ensure_segment_container(up: &Up) -> Result<()> {
    up.segment_container_ready
        .get_or_try_init(|| async {
            let ctx = &up.ctx;
            // Same storage policy as the main container, unless given.
            let mut headers: Vec<(String, String)> = from_header_list(&up.req.header)?
                .into_iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("x-storage-policy"))
                .collect();
            if headers.is_empty() {
                if let Ok(h) = container::head(
                    &ctx.client,
                    &up.container,
                    &RequestOpts::default(),
                    &ctx.cancel,
                )
                .await
                {
                    if let Some(p) = h["headers"]["x-storage-policy"].as_str() {
                        headers.push(("X-Storage-Policy".into(), p.to_string()));
                    }
                }
            }
            let sent = record::sent_headers(&headers);
            let mut r = match container::put(
                &ctx.client,
                &up.segment_container,
                &RequestOpts {
                    headers: Headers(headers),
                    query: None,
                },
                &ctx.cancel,
            )
            .await
            {
                Ok(resp) => record::with_response(
                    record::ok("create_container", Some(&up.segment_container), None),
                    &resp,
                ),
                Err(e) => record::container_not_created(&up.segment_container, &e),
            };
            r["headers"] = sent;
            let failed = r["success"] == json!(false) && r["warning"] != json!(true);
            ctx.record(r).await;
            if failed {
                return Err(Error::new(
                    Status::Http,
                    format!(
                        "cannot create the segment container {}",
                        up.segment_container
                    ),
                ));
            }
            Ok(())
        })
        .await
        .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
async fn upload_segmented(
    up: &Arc<Up>,
    eff: &Eff,
    path: &Path,
    object: &str,
    size: u64,
    seg: u64,
    mtime: &str,
    headers: &[(String, String)],
) -> Result<(Value, Vec<Segment>)> {
    let ctx = &up.ctx;
    ensure_segment_container(up).await?;
    let count = size.div_ceil(seg) as usize;
    let dlo_prefix = segments::dlo_prefix(object, mtime, size, seg);
    let names: Vec<String> = (0..count)
        .map(|i| {
            if eff.use_slo {
                segments::slo_segment_name(object, mtime, size, seg, i)
            } else {
                format!("{dlo_prefix}{i:08}")
            }
        })
        .collect();
    let results: Arc<Mutex<Vec<Option<Segment>>>> = Arc::new(Mutex::new(vec![None; count]));
    let mut set = tokio::task::JoinSet::new();
    let mut started = 0;
    for (i, name) in names.iter().enumerate() {
        if ctx.cancel.is_cancelled() {
            break;
        }
        let Ok(permit) = up.segment_slots.clone().acquire_owned().await else {
            break;
        };
        started += 1;
        let (name, results, path) = (name.clone(), results.clone(), path.to_path_buf());
        let object = object.to_string();
        let up = up.clone();
        let checksum = eff.checksum;
        set.spawn(crate::conn::request::inherit(async move {
            let up = &*up;
            let ctx = &up.ctx;
            let offset = i as u64 * seg;
            let len = seg.min(size - offset);
            let mut rec = record::ok("upload_segment", Some(&up.segment_container), Some(&name));
            rec["for_container"] = json!(up.container);
            rec["for_object"] = json!(object);
            rec["segment_index"] = json!(i);
            rec["segment_size"] = json!(len);
            rec["segment_location"] = json!(format!("/{}/{}", up.segment_container, name));
            let outcome = async {
                let src = open_range(&path, offset, len)?;
                let mut counting = Counting {
                    inner: src,
                    up,
                    object: &object,
                    read: 0,
                    total: size,
                    last: 0,
                };
                let opts = PutOpts {
                    content_type: Some("application/swiftclient-segment".into()),
                    checksum,
                    ..Default::default()
                };
                object::put(
                    &ctx.client,
                    &up.segment_container,
                    &name,
                    &opts,
                    &mut counting,
                    &ctx.cancel,
                )
                .await
            }
            .await;
            drop(permit);
            match outcome {
                Ok(resp) => {
                    let etag = resp["etag"].as_str().unwrap_or("").to_string();
                    rec = record::with_response(rec, &resp);
                    rec["segment_etag"] = json!(etag);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(Segment {
                        container: up.segment_container.clone(),
                        name: name.clone(),
                        etag,
                        size: len,
                    });
                    ctx.record(rec).await;
                }
                Err(e) => {
                    let mut f = record::failed(
                        "upload_segment",
                        Some(&up.segment_container),
                        Some(&name),
                        &e,
                    );
                    f["for_container"] = json!(up.container);
                    f["for_object"] = json!(object);
                    f["segment_index"] = json!(i);
                    ctx.record(f).await;
                }
            }
        }));
        while set.try_join_next().is_some() {}
    }
    while set.join_next().await.is_some() {}
    let got: Vec<Option<Segment>> =
        std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()));
    let done: Vec<Segment> = got.iter().flatten().cloned().collect();
    if done.len() != count {
        // Unfinished: no manifest. Every segment that was started goes
        // (unless asked to stay): a cancelled PUT may still have landed.
        if !eff.leave_segments {
            let started: Vec<Segment> = names
                .iter()
                .take(started)
                .map(|n| Segment {
                    container: up.segment_container.clone(),
                    name: n.clone(),
                    etag: String::new(),
                    size: 0,
                })
                .collect();
            // Cleanup runs even when the upload was cancelled.
            segments::delete_segments(
                &ctx.uncancelled(),
                started,
                &RequestOpts::default(),
                up.segment_threads,
            )
            .await;
        }
        return Err(if ctx.cancel.is_cancelled() {
            crate::conn::request::cancelled()
        } else {
            Error::new(
                Status::Http,
                format!(
                    "{} of {count} segments failed: the manifest was not created",
                    count - got.iter().filter(|s| s.is_some()).count()
                ),
            )
        });
    }
    let mut opts = put_opts(headers, mtime);
    opts.checksum = eff.checksum;
    let resp = if eff.use_slo {
        opts.query = Some("multipart-manifest=put".into());
        let m = segments::slo_manifest(&done);
        object::put(
            &ctx.client,
            &up.container,
            object,
            &opts,
            &mut crate::conn::body::BytesSource::new(m.as_bytes()),
            &ctx.cancel,
        )
        .await?
    } else {
        opts.headers.0.push((
            "X-Object-Manifest".into(),
            segments::dlo_manifest_header(&up.segment_container, &dlo_prefix),
        ));
        object::put(
            &ctx.client,
            &up.container,
            object,
            &opts,
            &mut crate::conn::body::BytesSource::new(b""),
            &ctx.cancel,
        )
        .await?
    };
    let mut r = record::with_response(json!({}), &resp);
    r["headers"] = record::sent_headers(&opts.headers.0);
    r["large_object"] = json!(true);
    r["segments"] = json!(count);
    r["segment_size"] = json!(seg);
    r["manifest"] = json!(if eff.use_slo { "slo" } else { "dlo" });
    r["bytes"] = json!(size);
    Ok((r, done))
}

/// Uploads a stream item. Reading a pipe blocks, so this runs in
/// `block_in_place` (the runtime moves its other work off this thread).
async fn upload_fd_stream(up: &Arc<Up>, w: &Work) -> Value {
    let Work::Stream {
        fd,
        object,
        headers,
        over,
    } = w
    else {
        unreachable!()
    };
    let ctx = &up.ctx;
    let fail = |e: &Error| {
        let mut r = record::failed("upload_object", Some(&up.container), Some(object), e);
        r["path"] = json!(format!("fd:{fd}"));
        r
    };
    let req = super::stream::StreamRequest {
        container: up.container.clone(),
        object_name: object.clone(),
        segment_size: over.segment_size.or(up.segment_size),
        use_slo: Some(over.use_slo.unwrap_or(up.use_slo)),
        segment_container: Some(up.segment_container.clone()),
        leave_segments: over.leave_segments.unwrap_or(up.req.leave_segments),
        skip_container_put: true,
        header: headers.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
        checksum: Some(over.checksum.unwrap_or(up.checksum)),
        ..Default::default()
    };
    if let Err(e) = ensure_segment_container(up).await {
        return fail(&e);
    }
    let mut src = match FileSource::from_fd(*fd, None) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let client = ctx.client.clone();
    let cancel = ctx.cancel.clone();
    let handle = tokio::runtime::Handle::current();
    let r = tokio::task::block_in_place(|| {
        handle.block_on(super::stream::upload_stream(
            &client, &req, &mut src, &cancel,
        ))
    });
    match r {
        Ok(mut rec) => {
            rec["path"] = json!(format!("fd:{fd}"));
            rec
        }
        Err(e) => fail(&e),
    }
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
        assert_eq!(parse_size("100M").unwrap(), 100 << 20);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert!(parse_size("0").is_err() && parse_size("x").is_err());
    }
}
