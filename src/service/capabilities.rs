//! `capabilities`: the cluster's `/info`, cached per cluster (root URL).

use super::op::Ctx;
use super::record;
use crate::client::Client;
use crate::conn::opts::InfoOpts;
use crate::conn::request::root_of;
use crate::error::Result;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapabilitiesRequest {
    /// A proxy URL; default: the storage URL's host.
    pub url: Option<String>,
    /// Ask the cluster again instead of using the cached document.
    pub refresh_cache: bool,
}

/// The `/info` document for `url` (or the storage URL's cluster), from the
/// client's cache unless `refresh`. Returns (root URL, document).
pub async fn get(
    client: &Client,
    url: Option<&str>,
    refresh: bool,
    cancel: &CancellationToken,
) -> Result<(String, Value)> {
    let root = match url {
        Some(u) => root_of(u)?,
        None => root_of(
            &crate::conn::request::or_cancel(cancel, client.token())
                .await?
                .storage_url,
        )?,
    };
    if !refresh {
        if let Some(v) = client.cached_capabilities(&root) {
            return Ok((root, v));
        }
    }
    let rec = crate::conn::info::info(
        client,
        &InfoOpts {
            url: Some(root.clone()),
            ..Default::default()
        },
        cancel,
    )
    .await?;
    let info = rec["info"].clone();
    client.cache_capabilities(&root, info.clone());
    Ok((root, info))
}

pub async fn run(ctx: Ctx, req: CapabilitiesRequest) -> Result<()> {
    match get(
        &ctx.client,
        req.url.as_deref(),
        req.refresh_cache,
        &ctx.cancel,
    )
    .await
    {
        Ok((url, info)) => {
            let mut r = record::ok("capabilities", None, None);
            r["url"] = json!(url);
            r["capabilities"] = info;
            ctx.record(r).await;
        }
        Err(e) => {
            ctx.record(record::failed("capabilities", None, None, &e))
                .await
        }
    }
    Ok(())
}
