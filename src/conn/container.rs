//! Container calls: HEAD, GET (listing), PUT, POST, DELETE, and the PUT
//! of an archive that the bulk middleware unpacks (`?extract-archive`).

use super::body::BodySource;
use super::opts::{ListOpts, RequestOpts};
use super::request::{execute, Call};
use super::{bodyless, container_path, drain, listing, response_record, with_headers};
use crate::client::Client;
use crate::error::Result;
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

async fn simple(
    client: &Client,
    method: Method,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    bodyless(client, method, container_path(container)?, o, cancel).await
}

pub async fn head(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::HEAD, container, o, cancel).await
}

pub async fn put(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::PUT, container, o, cancel).await
}

/// PUTs a tar archive (`format`: "tar", "tar.gz" or "tar.bz2") to
/// `container?extract-archive=<format>`: Swift's bulk middleware makes an
/// object of each regular file in it. `body` is streamed (chunked when its
/// length is unknown). Asks for the JSON report (`Accept:
/// application/json`) and returns the response record with the report's
/// text as `body` ([`super::types::BulkReport::parse`] reads it).
pub async fn extract_archive(
    client: &Client,
    container: &str,
    format: &str,
    o: &RequestOpts,
    body: &mut dyn BodySource,
    cancel: &CancellationToken,
) -> Result<Value> {
    let mut call = with_headers(
        Call::new(Method::PUT, container_path(container)?),
        &o.headers,
    );
    call.raw_query = Some(format!("extract-archive={format}"));
    call.headers
        .push(("Accept".into(), "application/json".into()));
    let sent = execute(client, &call, Some(body), cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    rec["body"] = json!(drain(sent.resp, "PUT", &sent.url).await?);
    Ok(rec)
}

pub async fn post(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::POST, container, o, cancel).await
}

pub async fn delete(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::DELETE, container, o, cancel).await
}

/// The whole listing in memory (as `listing`); for constant memory use
/// [`listing::list`] with a page callback.
pub async fn list(
    client: &Client,
    container: &str,
    o: &ListOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    listing::list_all(client, &container_path(container)?, o, cancel).await
}
