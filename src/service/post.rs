//! `post`: metadata on the account, a container (a 404 creates it, as
//! python-swiftclient does), or many objects concurrently.

use super::headers::{from_header_list, from_meta_list, to_opts};
use super::op::{for_each_limited, Ctx};
use super::{limit, record};
use crate::conn::opts::RequestOpts;
use crate::conn::{account, container, object};
use crate::error::{Error, Result, Status};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostRequest {
    pub container: Option<String>,
    pub objects: Vec<String>,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    pub read_acl: Option<String>,
    pub write_acl: Option<String>,
    pub sync_to: Option<String>,
    pub sync_key: Option<String>,
    pub object_uu_threads: Option<usize>,
}

impl PostRequest {
    pub fn parse(text: Option<&str>) -> Result<PostRequest> {
        let r: PostRequest = crate::conn::opts::parse_request(text)?;
        if let Some(c) = &r.container {
            crate::conn::check_container("container", c)?;
        }
        let container_only = [
            ("read_acl", &r.read_acl),
            ("write_acl", &r.write_acl),
            ("sync_to", &r.sync_to),
            ("sync_key", &r.sync_key),
        ];
        match (&r.container, r.objects.is_empty()) {
            (None, false) => {
                return Err(Error::config(
                    "container",
                    "posting to objects needs \"container\"",
                ))
            }
            (Some(_), true) => {}
            _ => {
                if let Some((k, _)) = container_only.iter().find(|(_, v)| v.is_some()) {
                    return Err(Error::config(
                        k,
                        format!("\"{k}\" applies to a container only"),
                    ));
                }
            }
        }
        limit("object_uu_threads", r.object_uu_threads)?;
        from_header_list(&r.header)?;
        from_meta_list("Object", &r.meta)?;
        Ok(r)
    }
}

/// A post record names the headers it sent (python-swiftclient's `headers`).
fn sent(mut r: Value, opts: &RequestOpts) -> Value {
    r["headers"] = record::sent_headers(&opts.headers.0);
    r
}

pub async fn run(ctx: Ctx, req: PostRequest) -> Result<()> {
    let mut headers = from_header_list(&req.header)?;
    match (&req.container, req.objects.is_empty()) {
        (None, _) => {
            headers.extend(from_meta_list("Account", &req.meta)?);
            let opts = to_opts(headers);
            let posted = account::post(&ctx.client, &opts, None, &ctx.cancel).await;
            let r = record::outcome("post_account", None, None, &posted);
            ctx.record(sent(r, &opts)).await;
        }
        (Some(c), true) => {
            headers.extend(from_meta_list("Container", &req.meta)?);
            for (name, v) in [
                ("X-Container-Read", &req.read_acl),
                ("X-Container-Write", &req.write_acl),
                ("X-Container-Sync-To", &req.sync_to),
                ("X-Container-Sync-Key", &req.sync_key),
            ] {
                if let Some(v) = v {
                    headers.push((name.into(), v.clone()));
                }
            }
            let opts = to_opts(headers);
            let r = match container::post(&ctx.client, c, &opts, &ctx.cancel).await {
                Ok(resp) => {
                    record::with_response(record::ok("post_container", Some(c), None), &resp)
                }
                Err(e) if e.status == Status::NotFound => {
                    match container::put(&ctx.client, c, &opts, &ctx.cancel).await {
                        Ok(resp) => {
                            let mut r = record::with_response(
                                record::ok("post_container", Some(c), None),
                                &resp,
                            );
                            r["created"] = serde_json::json!(true);
                            r
                        }
                        Err(e) => record::failed("post_container", Some(c), None, &e),
                    }
                }
                Err(e) => record::failed("post_container", Some(c), None, &e),
            };
            ctx.record(sent(r, &opts)).await;
        }
        (Some(c), false) => {
            headers.extend(from_meta_list("Object", &req.meta)?);
            let opts = to_opts(headers);
            let threads = ctx.threads("object_uu_threads", req.object_uu_threads)?;
            let c = c.clone();
            let cancel = ctx.cancel.clone();
            for_each_limited(req.objects.clone(), threads, &cancel, move |o: String| {
                let (ctx, c, opts) = (ctx.clone(), c.clone(), opts.clone());
                async move {
                    let posted = object::post(&ctx.client, &c, &o, &opts, &ctx.cancel).await;
                    let r = record::outcome("post_object", Some(&c), Some(&o), &posted);
                    ctx.record(sent(r, &opts)).await;
                }
            })
            .await;
        }
    }
    Ok(())
}
