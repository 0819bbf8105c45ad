//! `capabilities`: the cluster's `/info`, cached per cluster (root URL).

use super::op::Ctx;
use super::record;
use crate::client::Client;
use crate::conn::opts::InfoOpts;
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
/// client's cache unless `refresh`. Returns (the URL it came from, the
/// document). Where it is looked for: [`crate::conn::info`].
pub async fn get(
    client: &Client,
    url: Option<&str>,
    refresh: bool,
    cancel: &CancellationToken,
) -> Result<(String, Value)> {
    let (found, info, _) = get_document(client, url, refresh, cancel).await?;
    Ok((found, info))
}

/// As [`get`], with the document's text as the server sent it.
pub async fn get_document(
    client: &Client,
    url: Option<&str>,
    refresh: bool,
    cancel: &CancellationToken,
) -> Result<(String, Value, String)> {
    let opts = InfoOpts {
        url: url.map(str::to_string),
        ..Default::default()
    };
    let (root, path) = crate::conn::info::info_location(client, &opts, cancel).await?;
    let key = format!("{root}{path}");
    if !refresh {
        if let Some(hit) = client.cached_capabilities(&key) {
            return Ok(hit);
        }
    }
    let (rec, text) = crate::conn::info::info_document(client, &opts, cancel).await?;
    let found = rec["url"].as_str().unwrap_or(&key).to_string();
    client.cache_capabilities_document(&key, &found, rec["info"].clone(), text.clone());
    Ok((found, rec["info"].clone(), text))
}

pub async fn run(ctx: Ctx, req: CapabilitiesRequest) -> Result<()> {
    match get_document(
        &ctx.client,
        req.url.as_deref(),
        req.refresh_cache,
        &ctx.cancel,
    )
    .await
    {
        Ok((url, info, text)) => {
            let mut r = record::ok("capabilities", None, None);
            r["url"] = json!(url);
            r["capabilities"] = info;
            // The server's member order, which `swift capabilities` shows.
            r["document"] = json!(text);
            ctx.record(r).await;
        }
        Err(e) => {
            ctx.record(record::failed("capabilities", None, None, &e))
                .await
        }
    }
    Ok(())
}
