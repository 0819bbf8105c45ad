//! Uploading a stream of unknown length (a pipe, stdin, a read callback):
//! segmented as it is read, without ever holding the whole object. Each
//! segment is held — in memory, or in an unlinked temporary file, the
//! caller's choice — only so that it can be retried; the next segment is
//! read while the previous one uploads. A stream shorter than one segment
//! becomes a plain object, as python-swiftclient does.

use super::headers::{from_header_list, from_meta_list};
use super::segments::{self, Segment};
use super::{capabilities, record};
use crate::client::Client;
use crate::conn::body::{BodySource, FileSource, SharedBytes};
use crate::conn::opts::{Headers, PutOpts, RequestOpts};
use crate::conn::{container, object};
use crate::error::{Error, Result, Status};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{Seek, SeekFrom, Write};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamRequest {
    pub container: String,
    pub object_name: String,
    /// Default 10 MiB (the swift CLI's default for stdin).
    #[serde(deserialize_with = "super::upload::size_opt")]
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
}

impl StreamRequest {
    pub fn parse(text: Option<&str>) -> Result<StreamRequest> {
        let r: StreamRequest = crate::conn::opts::parse(text, "request")?;
        crate::conn::object_path(&r.container, &r.object_name)
            .map_err(|e| Error::config("object_name", e.message.clone()))?;
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
        Ok(r)
    }
}

/// A filled segment, ready to upload (and to upload again).
enum Held {
    Memory(bytes::Bytes),
    File(std::fs::File, u64),
}

impl Held {
    fn len(&self) -> u64 {
        match self {
            Held::Memory(b) => b.len() as u64,
            Held::File(_, n) => *n,
        }
    }
    fn source(&self) -> Result<Box<dyn BodySource>> {
        Ok(match self {
            Held::Memory(b) => Box::new(SharedBytes::new(b.clone())),
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

/// Reads up to `size` bytes from `src` into a new held segment.
fn fill(src: &mut dyn BodySource, size: u64, file: bool, dir: &Option<String>) -> Result<Held> {
    let mut buf = vec![0u8; crate::conn::body::CHUNK];
    if file {
        let dir = dir
            .clone()
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!(
            ".swc-segment-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut f = std::fs::OpenOptions::new()
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
        // Unlinked at once: nothing is left behind, whatever happens.
        let _ = std::fs::remove_file(&path);
        let mut n = 0u64;
        while n < size {
            let want = (size - n).min(buf.len() as u64) as usize;
            let got = src.read(&mut buf[..want])?;
            if got == 0 {
                break;
            }
            f.write_all(&buf[..got])
                .map_err(|e| Error::invalid(format!("writing the segment buffer: {e}")))?;
            n += got as u64;
        }
        Ok(Held::File(f, n))
    } else {
        let mut v = Vec::with_capacity(size.min(64 << 20) as usize);
        while (v.len() as u64) < size {
            let want = (size - v.len() as u64).min(buf.len() as u64) as usize;
            let got = src.read(&mut buf[..want])?;
            if got == 0 {
                break;
            }
            v.extend_from_slice(&buf[..got]);
        }
        Ok(Held::Memory(v.into()))
    }
}

/// Uploads the stream; returns an `upload_object` record.
pub async fn upload_stream(
    client: &Client,
    req: &StreamRequest,
    src: &mut dyn BodySource,
    cancel: &CancellationToken,
) -> Result<Value> {
    let (c, o) = (req.container.as_str(), req.object_name.as_str());
    let seg_size = req.segment_size.unwrap_or(10 << 20);
    let file = req.buffer.as_deref() == Some("file");
    let mtime = format!("{:.6}", record::now().round());
    let mut headers = from_header_list(&req.header)?;
    headers.extend(from_meta_list("Object", &req.meta)?);
    headers.push(("X-Object-Meta-Mtime".into(), mtime.clone()));
    let checksum = req.checksum.unwrap_or(true);
    let policy: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("x-storage-policy"))
        .cloned()
        .collect();
    if !req.skip_container_put {
        container::put(
            client,
            c,
            &RequestOpts {
                headers: Headers(policy.clone()),
                query: None,
            },
            cancel,
        )
        .await?;
    }
    let put_opts = |extra: Option<&str>| PutOpts {
        headers: Headers(headers.clone()),
        query: extra.map(str::to_string),
        checksum,
        ..Default::default()
    };
    let first = fill(src, seg_size, file, &req.buffer_dir)?;
    let mut rec = record::ok("upload_object", Some(c), Some(o));
    rec["path"] = json!("-");
    rec["headers"] = record::sent_headers(&headers);
    if first.len() < seg_size {
        // Short: one plain object.
        let resp = object::put(
            client,
            c,
            o,
            &put_opts(None),
            first.source()?.as_mut(),
            cancel,
        )
        .await?;
        let mut rec = record::with_response(rec, &resp);
        rec["large_object"] = json!(false);
        rec["bytes"] = json!(first.len());
        rec["status"] = json!("uploaded");
        return Ok(rec);
    }
    let info = capabilities::get(client, None, false, cancel)
        .await
        .map(|(_, i)| i)
        .unwrap_or(Value::Null);
    let use_slo = req.use_slo.unwrap_or_else(|| info.get("slo").is_some());
    let sc = req
        .segment_container
        .clone()
        .unwrap_or_else(|| format!("{c}_segments"));
    if !req.skip_container_put {
        let mut p = policy.clone();
        if p.is_empty() {
            if let Ok(h) = container::head(client, c, &RequestOpts::default(), cancel).await {
                if let Some(v) = h["headers"]["x-storage-policy"].as_str() {
                    p.push(("X-Storage-Policy".into(), v.to_string()));
                }
            }
        }
        container::put(
            client,
            &sc,
            &RequestOpts {
                headers: Headers(p),
                query: None,
            },
            cancel,
        )
        .await?;
    }
    let dlo_prefix = format!("{o}/{mtime}/{seg_size}/");
    let name = |i: usize| {
        if use_slo {
            format!("{o}/slo/{mtime}/{seg_size}/{i:08}")
        } else {
            format!("{dlo_prefix}{i:08}")
        }
    };
    let mut done: Vec<Segment> = Vec::new();
    let mut held = Some(first);
    let mut index = 0usize;
    let mut total = 0u64;
    let outcome: Result<()> = async {
        while let Some(h) = held.take() {
            if h.len() == 0 {
                break;
            }
            let seg_name = name(index);
            let mut source = h.source()?;
            let (client2, sc2, n2, cancel2) =
                (client.clone(), sc.clone(), seg_name.clone(), cancel.clone());
            let opts = PutOpts {
                content_type: Some("application/swiftclient-segment".into()),
                checksum,
                ..Default::default()
            };
            // Upload this segment while the next one is read here.
            let task = tokio::spawn(async move {
                object::put(&client2, &sc2, &n2, &opts, source.as_mut(), &cancel2).await
            });
            let next = if h.len() == seg_size {
                Some(fill(src, seg_size, file, &req.buffer_dir))
            } else {
                None
            };
            let resp = task
                .await
                .map_err(|e| Error::internal(format!("segment task: {e}")))??;
            done.push(Segment {
                container: sc.clone(),
                name: seg_name,
                etag: resp["etag"].as_str().unwrap_or("").to_string(),
                size: h.len(),
            });
            total += h.len();
            index += 1;
            held = match next {
                Some(r) => Some(r?),
                None => None,
            };
        }
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        if !req.leave_segments {
            for s in &done {
                let _ = object::delete(
                    client,
                    &s.container,
                    &s.name,
                    &RequestOpts::default(),
                    &CancellationToken::new(),
                )
                .await;
            }
            // A segment whose PUT was cut off may still have landed.
            let _ = object::delete(
                client,
                &sc,
                &name(index),
                &RequestOpts::default(),
                &CancellationToken::new(),
            )
            .await;
        }
        return Err(e);
    }
    let resp = if use_slo {
        let m = segments::slo_manifest(&done);
        object::put(
            client,
            c,
            o,
            &put_opts(Some("multipart-manifest=put")),
            &mut crate::conn::body::BytesSource::new(m.as_bytes()),
            cancel,
        )
        .await?
    } else {
        let mut opts = put_opts(None);
        opts.headers.0.push((
            "X-Object-Manifest".into(),
            segments::dlo_manifest_header(&sc, &dlo_prefix),
        ));
        object::put(
            client,
            c,
            o,
            &opts,
            &mut crate::conn::body::BytesSource::new(b""),
            cancel,
        )
        .await?
    };
    if resp["status"].as_u64().is_some_and(|s| s >= 300) {
        return Err(Error::new(Status::Http, "manifest upload failed"));
    }
    let mut rec = record::with_response(rec, &resp);
    rec["large_object"] = json!(true);
    rec["manifest"] = json!(if use_slo { "slo" } else { "dlo" });
    rec["segments"] = json!(done.len());
    rec["segment_size"] = json!(seg_size);
    rec["bytes"] = json!(total);
    rec["status"] = json!("uploaded");
    Ok(rec)
}
