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
use std::collections::BTreeMap;
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
    /// Ours: keep only these keys of each entry (a pseudo-directory's
    /// `subdir` always stays), e.g. `["name"]`: smaller records, less to
    /// parse for a caller that needs only the names.
    pub fields: Option<Vec<String>>,
}

impl ListRequest {
    pub fn parse(text: Option<&str>) -> Result<ListRequest> {
        let r: ListRequest = crate::conn::opts::parse_request(text)?;
        if let Some(c) = &r.container {
            crate::conn::check_container("container", c)?;
        }
        if r.limit == Some(0) {
            return Err(Error::config(
                "limit",
                "option \"limit\" must be at least 1",
            ));
        }
        if let Some(f) = &r.fields {
            if f.is_empty() || f.iter().any(|k| k.is_empty()) {
                return Err(Error::config(
                    "fields",
                    "\"fields\" must name at least one key, none empty",
                ));
            }
        }
        from_header_list(&r.header)?;
        limit("container_threads", r.container_threads)?;
        Ok(r)
    }
}

pub async fn run(ctx: Ctx, req: ListRequest) -> Result<()> {
    let headers = Headers(from_header_list(&req.header)?);
    let threads = ctx.threads("container_threads", req.container_threads)?;
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
    let mut marker = req.marker.clone();
    let mut version_marker = None;
    // Page by page: each page's record is sent before the next is asked for.
    loop {
        let mut one = o.clone();
        one.marker = marker.clone();
        one.version_marker = version_marker.clone();
        one.full_listing = false;
        let mut got = None;
        let r = listing::list_raw(
            &ctx.client,
            &path,
            &one,
            &mut |p| {
                got = Some(p);
                Ok(true)
            },
            &ctx.cancel,
        )
        .await;
        if let Err(e) = r {
            ctx.record(record::failed(action, req.container.as_deref(), None, &e))
                .await;
            return Ok(());
        }
        let Some(page) = got else {
            break;
        };
        let (next, next_version) = (page.last_name.clone(), page.last_version.clone());
        if req.long && req.container.is_none() {
            let entries = match page.values() {
                Ok(v) => v,
                Err(e) => {
                    ctx.record(record::failed(action, None, None, &e)).await;
                    return Ok(());
                }
            };
            let mut rec = record::ok(action, None, None);
            rec["prefix"] = json!(req.prefix);
            rec["marker"] = json!(marker);
            rec["listing"] = Value::Array(long_entries(&ctx, entries, &headers, threads).await);
            ctx.record(rec).await;
        } else {
            // The page goes on as the server sent it (or cut down to the
            // wanted fields), spliced into the record's text.
            let listing = match &req.fields {
                Some(f) => project(&page.body, f)?,
                None => page.body,
            };
            let mut text = json!({
                "action": action, "success": true, "container": req.container,
                "object": null, "prefix": req.prefix, "marker": marker,
            })
            .to_string();
            text.pop(); // the closing brace
            text.push_str(",\"listing\":");
            text.push_str(listing.trim());
            text.push('}');
            ctx.record_text(text).await;
        }
        if next.is_none() || ctx.cancel.is_cancelled() {
            break;
        }
        marker = next;
        if req.versions {
            version_marker = next_version;
        }
    }
    Ok(())
}

/// A listing page (JSON array of objects) with each entry cut down to
/// `fields` (and `subdir`), values copied as the server wrote them.
fn project(body: &str, fields: &[String]) -> Result<String> {
    use serde_json::value::RawValue;
    let mut out = String::with_capacity(body.len() / 4 + 16);
    out.push('[');
    // Swift writes its keys without escapes, so they borrow from the page;
    // should one ever be escaped, the slower owned form takes over.
    match serde_json::from_str::<Vec<BTreeMap<&str, &RawValue>>>(body) {
        Ok(entries) => write_entries(&mut out, &entries, fields),
        Err(_) => {
            let entries: Vec<BTreeMap<String, Box<RawValue>>> =
                serde_json::from_str(body).map_err(crate::conn::listing::unreadable)?;
            write_entries(&mut out, &entries, fields);
        }
    }
    out.push(']');
    Ok(out)
}

fn write_entries<K, V>(out: &mut String, entries: &[BTreeMap<K, V>], fields: &[String])
where
    K: AsRef<str>,
    V: std::ops::Deref<Target = serde_json::value::RawValue>,
{
    for (i, e) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "{" } else { ",{" });
        let mut first = true;
        for (k, v) in e {
            let k = k.as_ref();
            if k == "subdir" || fields.iter().any(|f| f == k) {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                out.push_str(v.get());
            }
        }
        out.push('}');
    }
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
