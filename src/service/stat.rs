//! `stat`: the account, a container, or many objects concurrently, with
//! python-swiftclient's `items` (the labelled facts `swift stat` prints).

use super::headers::{from_header_list, to_opts};
use super::op::{for_each_limited, Ctx};
use super::{limit, record};
use crate::conn::{account, container, object};
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatRequest {
    pub container: Option<String>,
    pub objects: Vec<String>,
    /// Extra request headers, "Name: value".
    pub header: Vec<String>,
    pub object_dd_threads: Option<usize>,
    /// One object's version (from a versions listing).
    pub version_id: Option<String>,
}

impl StatRequest {
    pub fn parse(text: Option<&str>) -> Result<StatRequest> {
        let r: StatRequest = crate::conn::opts::parse_request(text)?;
        if let Some(c) = &r.container {
            crate::conn::check_container("container", c)?;
        }
        if !r.objects.is_empty() && r.container.is_none() {
            return Err(Error::config(
                "container",
                "stat of objects needs \"container\"",
            ));
        }
        if r.version_id.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "version_id",
                "\"version_id\" needs exactly one object",
            ));
        }
        from_header_list(&r.header)?;
        limit("object_dd_threads", r.object_dd_threads)?;
        Ok(r)
    }
}

fn h<'a>(headers: &'a Value, name: &str) -> &'a str {
    headers[name].as_str().unwrap_or("")
}

fn account_of(storage_url: &str) -> String {
    storage_url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

pub async fn run(ctx: Ctx, req: StatRequest) -> Result<()> {
    let headers = from_header_list(&req.header)?;
    let threads = ctx.threads("object_dd_threads", req.object_dd_threads)?;
    let acct = account_of(&ctx.client.token().await?.storage_url);
    let mut opts = to_opts(headers);
    opts.query = req.version_id.as_deref().map(crate::conn::version_query);
    match (&req.container, req.objects.is_empty()) {
        (None, _) => {
            let r = match account::head(&ctx.client, &opts, &ctx.cancel).await {
                Ok(resp) => {
                    let hd = &resp["headers"];
                    let mut r =
                        record::with_stat_headers(record::ok("stat_account", None, None), &resp);
                    r["items"] = json!([
                        ["Account", acct],
                        ["Containers", h(hd, "x-account-container-count")],
                        ["Objects", h(hd, "x-account-object-count")],
                        ["Bytes", h(hd, "x-account-bytes-used")],
                    ]);
                    r
                }
                Err(e) => record::failed("stat_account", None, None, &e),
            };
            ctx.record(r).await;
        }
        (Some(c), true) => {
            let r = match container::head(&ctx.client, c, &opts, &ctx.cancel).await {
                Ok(resp) => {
                    let hd = &resp["headers"];
                    let mut r = record::with_stat_headers(
                        record::ok("stat_container", Some(c), None),
                        &resp,
                    );
                    r["items"] = json!([
                        ["Account", acct],
                        ["Container", c],
                        ["Objects", h(hd, "x-container-object-count")],
                        ["Bytes", h(hd, "x-container-bytes-used")],
                        ["Read ACL", h(hd, "x-container-read")],
                        ["Write ACL", h(hd, "x-container-write")],
                        ["Sync To", h(hd, "x-container-sync-to")],
                        ["Sync Key", h(hd, "x-container-sync-key")],
                    ]);
                    r
                }
                Err(e) => record::failed("stat_container", Some(c), None, &e),
            };
            ctx.record(r).await;
        }
        (Some(c), false) => {
            let c = c.clone();
            let cancel = ctx.cancel.clone();
            for_each_limited(req.objects.clone(), threads, &cancel, move |o: String| {
                let (ctx, c, opts, acct) = (ctx.clone(), c.clone(), opts.clone(), acct.clone());
                async move {
                    let r = match object::head(&ctx.client, &c, &o, &opts, &ctx.cancel).await {
                        Ok(resp) => {
                            let hd = &resp["headers"];
                            // As `swift stat`: the DLO manifest's target (an
                            // SLO shows as X-Static-Large-Object).
                            let manifest = h(hd, "x-object-manifest").to_string();
                            let mut r = record::with_stat_headers(
                                record::ok("stat_object", Some(&c), Some(&o)),
                                &resp,
                            );
                            r["items"] = json!([
                                ["Account", acct],
                                ["Container", c],
                                ["Object", o],
                                ["Content Type", h(hd, "content-type")],
                                ["Content Length", h(hd, "content-length")],
                                ["Last Modified", h(hd, "last-modified")],
                                ["ETag", h(hd, "etag")],
                                ["Manifest", manifest],
                            ]);
                            r
                        }
                        Err(e) => record::failed("stat_object", Some(&c), Some(&o), &e),
                    };
                    ctx.record(r).await;
                }
            })
            .await;
        }
    }
    Ok(())
}
