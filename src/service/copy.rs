//! `copy`: server-side copies of objects to a destination container (or,
//! for one object, a destination object), creating the destination
//! container first, with `fresh_metadata`, `header` and `meta`.

use super::containers::{ensure_container, policy_of};
use super::headers::{from_header_list, from_meta_list};
use super::op::{for_each_limited, Ctx};
use super::{limit, record};
use crate::conn::object;
use crate::conn::opts::{CopyOpts, Headers};
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CopyRequest {
    pub container: String,
    pub objects: Vec<String>,
    /// "/container" (keep names) or "/container/object" (one object).
    /// Default: the same container (useful with `meta` or `fresh_metadata`).
    pub destination: Option<String>,
    pub fresh_metadata: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    pub object_uu_threads: Option<usize>,
}

impl CopyRequest {
    pub fn parse(text: Option<&str>) -> Result<CopyRequest> {
        let r: CopyRequest = crate::conn::opts::parse_request(text)?;
        super::require_container(&r.container, "copy")?;
        if r.objects.is_empty() {
            return Err(Error::config(
                "objects",
                "nothing to copy: \"objects\" is empty",
            ));
        }
        if let Some(d) = &r.destination {
            let (dc, dobj) = split(d);
            crate::conn::check_container("destination", dc)?;
            if let Some(o) = dobj {
                crate::conn::check_object("destination", o)?;
            }
            if dobj.is_some() && r.objects.len() != 1 {
                return Err(Error::config(
                    "destination",
                    "a destination object needs exactly one object to copy",
                ));
            }
        }
        limit("object_uu_threads", r.object_uu_threads)?;
        from_header_list(&r.header)?;
        from_meta_list("Object", &r.meta)?;
        Ok(r)
    }
}

fn split(d: &str) -> (&str, Option<&str>) {
    let d = d.trim_start_matches('/');
    match d.split_once('/') {
        Some((c, o)) if !o.is_empty() => (c, Some(o)),
        Some((c, _)) => (c, None),
        None => (d, None),
    }
}

pub async fn run(ctx: Ctx, req: CopyRequest) -> Result<()> {
    let mut headers = from_header_list(&req.header)?;
    headers.extend(from_meta_list("Object", &req.meta)?);
    let dest = req
        .destination
        .clone()
        .unwrap_or_else(|| format!("/{}", req.container));
    let (dc, dobj) = split(&dest);
    let (dc, dobj) = (dc.to_string(), dobj.map(str::to_string));
    if dc != req.container {
        // A failure is in its record; each copy then reports its own.
        let _ = ensure_container(&ctx, &dc, policy_of(&headers), None).await;
    }
    let threads = ctx.threads("object_uu_threads", req.object_uu_threads)?;
    let (c, fresh) = (req.container.clone(), req.fresh_metadata);
    let ctx2 = ctx.clone();
    for_each_limited(
        req.objects.clone(),
        threads,
        &ctx.cancel,
        move |o: String| {
            let (ctx, c, dc, dobj, headers) = (
                ctx2.clone(),
                c.clone(),
                dc.clone(),
                dobj.clone(),
                headers.clone(),
            );
            async move {
                let target = dobj.unwrap_or_else(|| o.clone());
                let opts = CopyOpts {
                    headers: Headers(headers),
                    query: None,
                    destination: format!("/{dc}/{target}"),
                    destination_account: None,
                    fresh_metadata: Some(fresh),
                };
                let copied = object::copy(&ctx.client, &c, &o, &opts, &ctx.cancel).await;
                let mut r = record::outcome("copy_object", Some(&c), Some(&o), &copied);
                r["destination"] = json!(format!("/{dc}/{target}"));
                r["headers"] = record::sent_headers(&opts.headers.0);
                r["fresh_metadata"] = json!(fresh);
                ctx.record(r).await;
            }
        },
    )
    .await;
    Ok(())
}
