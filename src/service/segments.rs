//! Large objects: the SLO manifest and DLO manifest header, the
//! segments an existing large object uses (to verify them or delete the old
//! ones after an overwrite), and their deletion.

use super::op::{for_each_limited, Ctx};
use super::record;
use crate::conn::opts::{GetOpts, ListOpts, RequestOpts};
use crate::conn::types::{ObjectEntry, SloManifestEntry};
use crate::conn::{body::VecSink, listing, object, quote};
use crate::error::{Error, Result, Status};
use serde_json::{json, Value};

/// One segment of a large object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub container: String,
    pub name: String,
    pub etag: String,
    pub size: u64,
}

impl Segment {
    /// "/container/name" as the SLO manifest and bulk delete write it.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.container, self.name)
    }
}

/// The X-Object-Manifest value for a DLO prefix.
pub fn dlo_manifest_header(segment_container: &str, prefix: &str) -> String {
    format!("{}/{}", quote(segment_container), quote(prefix))
}

/// The SLO manifest body.
pub fn slo_manifest(segments: &[Segment]) -> String {
    Value::Array(
        segments
            .iter()
            .map(|s| json!({"path": s.path(), "etag": s.etag, "size_bytes": s.size}))
            .collect(),
    )
    .to_string()
}

/// What an existing object is made of.
#[derive(Debug, Clone)]
pub enum Existing {
    Plain {
        etag: String,
        size: u64,
    },
    Slo(Vec<Segment>),
    Dlo {
        container: String,
        prefix: String,
        segments: Vec<Segment>,
    },
    /// A large object whose segments the server does not list: Ceph RGW
    /// answers `multipart-manifest=get` with an empty body. Fetched whole
    /// with a plain GET and checked against its size; its segments (to
    /// verify, compare or delete after an overwrite) cannot be known.
    Unlisted {
        etag: String,
        size: u64,
    },
}

/// (container, object) of a stored manifest entry's "/container/object";
/// None when it has no '/' between the two. The stored manifest names
/// segments as they are, not URL-quoted ("/c/a%20b" is the object
/// "a%20b"), as Swift's SLO reads them.
pub(crate) fn segment_location(path: &str) -> Option<(String, String)> {
    let (sc, sn) = path.trim_start_matches('/').split_once('/')?;
    Some((sc.to_string(), sn.to_string()))
}

/// Reads an SLO manifest (`?multipart-manifest=get`), recursing into
/// nested SLOs (`sub_slo`).
pub async fn slo_segments(ctx: &Ctx, c: &str, o: &str, depth: u32) -> Result<Vec<Segment>> {
    slo_segments_of(ctx, c, o, depth, None).await
}

/// As `slo_segments`, for the manifest named with an extra query (e.g. a
/// `version-id=...`).
async fn slo_segments_of(
    ctx: &Ctx,
    c: &str,
    o: &str,
    depth: u32,
    extra: Option<&str>,
) -> Result<Vec<Segment>> {
    if depth > 10 {
        return Err(Error::new(
            Status::Http,
            format!("SLO {c}/{o} nests deeper than 10 levels"),
        ));
    }
    let mut sink = VecSink::default();
    let opts = GetOpts {
        query: Some(match extra {
            Some(q) => format!("multipart-manifest=get&format=raw&{q}"),
            None => "multipart-manifest=get&format=raw".into(),
        }),
        checksum: false,
        ..Default::default()
    };
    object::get(&ctx.client, c, o, &opts, &mut sink, &ctx.cancel).await?;
    let entries = match serde_json::from_slice::<Vec<SloManifestEntry>>(&sink.0) {
        Ok(a) if !a.is_empty() => a,
        _ => {
            return Err(Error::new(
                Status::Unsupported,
                format!(
                    "the server did not give the manifest of {c}/{o} ({} bytes, not a JSON list of segments)",
                    sink.0.len()
                ),
            ))
        }
    };
    let mut out = Vec::new();
    for e in entries {
        let path = e.path();
        let (sc, sn) = segment_location(path).ok_or_else(|| {
            Error::new(
                Status::Http,
                format!("bad segment path \"{path}\" in {c}/{o}"),
            )
        })?;
        if e.has_range() {
            // Only part of this segment is in the object: the object's bytes
            // are not the segments laid end to end, so they cannot be
            // fetched or checked one by one. Unsupported makes it
            // `Existing::Unlisted`: fetched whole, its length checked, and
            // its segments never taken for the object's.
            return Err(Error::new(
                Status::Unsupported,
                format!("SLO {c}/{o} uses part of segment {path} (a range)"),
            ));
        }
        if e.is_sub_slo() {
            out.extend(Box::pin(slo_segments(ctx, &sc, &sn, depth + 1)).await?);
        } else {
            out.push(Segment {
                container: sc,
                name: sn,
                etag: e.etag().to_string(),
                size: e.size(),
            });
        }
    }
    Ok(out)
}

/// Lists a DLO's segments (everything under the manifest prefix, in name
/// order, as Swift concatenates them).
pub async fn dlo_segments(ctx: &Ctx, manifest: &str) -> Result<(String, String, Vec<Segment>)> {
    let unquoted = percent_encoding::percent_decode_str(manifest)
        .decode_utf8_lossy()
        .to_string();
    let (sc, prefix) = unquoted.split_once('/').ok_or_else(|| {
        Error::new(
            Status::Http,
            format!("bad X-Object-Manifest \"{manifest}\""),
        )
    })?;
    let segs = listed_under(ctx, sc, prefix).await?;
    Ok((sc.to_string(), prefix.to_string(), segs))
}

/// Every object of container `sc` whose name starts with `prefix`, in
/// name order, with its listed ETag and size.
pub async fn listed_under(ctx: &Ctx, sc: &str, prefix: &str) -> Result<Vec<Segment>> {
    let mut segs = Vec::new();
    listing::list(
        &ctx.client,
        &format!("/{}", quote(sc)),
        &ListOpts {
            prefix: Some(prefix.to_string()),
            full_listing: true,
            ..Default::default()
        },
        &mut |page| {
            segs.extend(page.iter().map(ObjectEntry::of).filter_map(|e| {
                Some(Segment {
                    container: sc.to_string(),
                    name: e.name?,
                    etag: e.hash.unwrap_or_default(),
                    size: e.bytes.unwrap_or(0),
                })
            }));
            Ok(true)
        },
        &ctx.cancel,
    )
    .await?;
    Ok(segs)
}

/// Finds out what `c/o` is; `None` when it does not exist. Also returns its
/// HEAD headers.
pub async fn existing(
    ctx: &Ctx,
    c: &str,
    o: &str,
    headers: &RequestOpts,
) -> Result<Option<(Existing, Value)>> {
    let resp = match object::head(&ctx.client, c, o, headers, &ctx.cancel).await {
        Ok(r) => r,
        Err(e) if e.status == Status::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let h = resp["headers"].clone();
    let size = h["content-length"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let etag = h["etag"]
        .as_str()
        .unwrap_or("")
        .trim_matches('"')
        .to_string();
    // Ceph RGW also marks an SLO in user metadata.
    let slo = h.get("x-static-large-object").is_some()
        || h.get("x-object-meta-static-large-object").is_some();
    let kind = if slo {
        match slo_segments_of(ctx, c, o, 0, headers.query.as_deref()).await {
            Ok(segments) => Existing::Slo(segments),
            Err(e) if e.status == Status::Unsupported => Existing::Unlisted { etag, size },
            Err(e) => return Err(e),
        }
    } else if let Some(m) = h["x-object-manifest"].as_str() {
        let (container, prefix, segments) = dlo_segments(ctx, m).await?;
        Existing::Dlo {
            container,
            prefix,
            segments,
        }
    } else {
        Existing::Plain { etag, size }
    };
    Ok(Some((kind, h)))
}

/// Deletes segments (404 counts as done), reporting `delete_segment`
/// records; at most `threads` at once. Returns how many are gone.
pub async fn delete_segments(
    ctx: &Ctx,
    segments: Vec<Segment>,
    opts: &RequestOpts,
    threads: usize,
) -> u64 {
    let gone = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (ctx2, opts, gone2) = (ctx.clone(), opts.clone(), gone.clone());
    for_each_limited(segments, threads, &ctx.cancel.clone(), move |s: Segment| {
        let (ctx, opts, gone) = (ctx2.clone(), opts.clone(), gone2.clone());
        async move {
            let (c, o) = (Some(s.container.as_str()), Some(s.name.as_str()));
            let r = match object::delete(&ctx.client, &s.container, &s.name, &opts, &ctx.cancel)
                .await
            {
                // Already gone: what was asked for is done.
                Err(e) if e.status == Status::NotFound => record::ok("delete_segment", c, o),
                deleted => record::outcome("delete_segment", c, o, &deleted),
            };
            if r["success"] == json!(true) {
                gone.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            ctx.record(r).await;
        }
    })
    .await;
    gone.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_python_swiftclient() {
        assert_eq!(
            dlo_manifest_header("c_segments", "a b/1.000000/10/4/"),
            "c_segments/a%20b/1.000000/10/4/"
        );
        let m = slo_manifest(&[Segment {
            container: "s".into(),
            name: "n/1".into(),
            etag: "e".into(),
            size: 5,
        }]);
        assert_eq!(m, r#"[{"etag":"e","path":"/s/n/1","size_bytes":5}]"#);
    }
}
