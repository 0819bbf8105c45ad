//! `list`: the account's containers or a container's objects, one record
//! per page (`listing`), with `long` (a HEAD per container for its metadata
//! and policy, as python-swiftclient does) and `versions`.

use super::headers::from_header_list;
use super::op::{for_each_limited, Ctx};
use super::{limit, record};
use crate::conn::listing;
use crate::conn::opts::{Headers, ListOpts};
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListRequest {
    pub container: Option<String>,
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub marker: Option<String>,
    pub end_marker: Option<String>,
    /// Account listings: HEAD each container for `meta` and `storage_policy`.
    pub long: bool,
    pub versions: bool,
    pub header: Vec<String>,
    pub container_threads: Option<usize>,
    /// Ours: entries per page (default: the server's, 10 000).
    pub limit: Option<u64>,
}

impl ListRequest {
    pub fn parse(text: Option<&str>) -> Result<ListRequest> {
        let r: ListRequest = crate::conn::opts::parse(text, "request")?;
        if let Some(c) = &r.container {
            crate::conn::container_path(c)
                .map_err(|e| Error::config("container", e.message.clone()))?;
        }
        if r.limit == Some(0) {
            return Err(Error::config(
                "limit",
                "option \"limit\" must be at least 1",
            ));
        }
        from_header_list(&r.header)?;
        limit("container_threads", r.container_threads)?;
        Ok(r)
    }
}

pub async fn run(ctx: Ctx, req: ListRequest) -> Result<()> {
    let headers = Headers(from_header_list(&req.header)?);
    let threads = limit("container_threads", req.container_threads)?;
    let (path, action) = match &req.container {
        Some(c) => (crate::conn::container_path(c)?, "list_container_part"),
        None => (String::new(), "list_account_part"),
    };
    let o = ListOpts {
        headers: headers.clone(),
        marker: req.marker.clone(),
        end_marker: req.end_marker.clone(),
        prefix: req.prefix.clone(),
        delimiter: req.delimiter.clone(),
        versions: req.versions,
        limit: req.limit,
        full_listing: true,
        ..Default::default()
    };
    // Pages are collected here by the listing and reported in order.
    let pages: Arc<Mutex<Vec<Vec<Value>>>> = Arc::new(Mutex::new(Vec::new()));
    let mut marker = req.marker.clone();
    let sink = pages.clone();
    let mut deliver = move |page: Vec<Value>| -> Result<bool> {
        sink.lock().unwrap_or_else(|p| p.into_inner()).push(page);
        Ok(true)
    };
    // Fetch page by page: run the listing one page at a time so each page's
    // record is sent before the next page is requested.
    loop {
        let mut one = o.clone();
        one.marker = marker.clone();
        one.full_listing = false;
        let r = listing::list(&ctx.client, &path, &one, &mut deliver, &ctx.cancel).await;
        if let Err(e) = r {
            ctx.record(record::failed(action, req.container.as_deref(), None, &e))
                .await;
            return Ok(());
        }
        let Some(mut page) = pages.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
            break;
        };
        let next = page
            .last()
            .and_then(|l| l["name"].as_str().or_else(|| l["subdir"].as_str()))
            .map(str::to_string);
        if req.long && req.container.is_none() {
            page = long_entries(&ctx, page, &headers, threads).await;
        }
        let mut rec = record::ok(action, req.container.as_deref(), None);
        rec["prefix"] = json!(req.prefix);
        rec["marker"] = json!(marker);
        rec["listing"] = Value::Array(page);
        ctx.record(rec).await;
        if next.is_none() || ctx.cancel.is_cancelled() {
            break;
        }
        marker = next;
    }
    Ok(())
}

/// Adds `meta` and `storage_policy` to each container entry (HEADs, at most
/// `threads` at once).
async fn long_entries(
    ctx: &Ctx,
    page: Vec<Value>,
    headers: &Headers,
    threads: usize,
) -> Vec<Value> {
    let out = Arc::new(Mutex::new(page.clone()));
    let items: Vec<(usize, String)> = page
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e["name"].as_str().map(|n| (i, n.to_string())))
        .collect();
    let (ctx2, headers, out2) = (ctx.clone(), headers.clone(), out.clone());
    for_each_limited(
        items,
        threads,
        &ctx.cancel.clone(),
        move |(i, name): (usize, String)| {
            let (ctx, headers, out) = (ctx2.clone(), headers.clone(), out2.clone());
            async move {
                let o = crate::conn::opts::RequestOpts {
                    headers,
                    query: None,
                };
                if let Ok(r) =
                    crate::conn::container::head(&ctx.client, &name, &o, &ctx.cancel).await
                {
                    let meta: serde_json::Map<String, Value> = r["headers"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| k.starts_with("x-container-meta-"))
                        .map(|(k, v)| (k["x-container-meta-".len()..].to_string(), v.clone()))
                        .collect();
                    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                    out[i]["meta"] = Value::Object(meta);
                    out[i]["storage_policy"] = r["headers"]["x-storage-policy"].clone();
                    // Creation time, for `swift list -l`'s date column.
                    out[i]["timestamp"] = r["headers"]["x-timestamp"].clone();
                }
            }
        },
    )
    .await;
    let v = out.lock().unwrap_or_else(|p| p.into_inner()).clone();
    v
}

/// The names of every container of the account (all pages).
pub async fn container_names(ctx: &Ctx) -> Result<Vec<String>> {
    let mut names = Vec::new();
    listing::list(
        &ctx.client,
        "",
        &ListOpts {
            full_listing: true,
            ..Default::default()
        },
        &mut |page| {
            names.extend(
                page.iter()
                    .filter_map(|e| e["name"].as_str().map(str::to_string)),
            );
            Ok(true)
        },
        &ctx.cancel,
    )
    .await?;
    Ok(names)
}
