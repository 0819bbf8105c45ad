//! Account calls: HEAD, GET (listing), POST (metadata, or a body such as a
//! `?bulk-delete` request).

use super::body::BytesSource;
use super::opts::{ListOpts, RequestOpts};
use super::request::{execute, Call};
use super::{drain, listing, response_record, with_headers};
use crate::client::Client;
use crate::error::Result;
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

pub async fn head(client: &Client, o: &RequestOpts, cancel: &CancellationToken) -> Result<Value> {
    let mut call = with_headers(Call::new(Method::HEAD, String::new()), &o.headers);
    call.raw_query = o.query.clone();
    let sent = execute(client, &call, None, cancel).await?;
    Ok(response_record(&sent.resp, sent.attempts))
}

pub async fn list(client: &Client, o: &ListOpts, cancel: &CancellationToken) -> Result<Value> {
    listing::list_all(client, "", o, cancel).await
}

/// POST to the account with headers and an optional body; the response
/// body comes back as `body` (e.g. the bulk-delete report).
pub async fn post(
    client: &Client,
    o: &RequestOpts,
    body: Option<&[u8]>,
    cancel: &CancellationToken,
) -> Result<Value> {
    let mut call = with_headers(Call::new(Method::POST, String::new()), &o.headers);
    call.raw_query = o.query.clone();
    let mut src = BytesSource::new(body.unwrap_or(&[]));
    let sent = execute(client, &call, Some(&mut src), cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    rec["body"] = json!(drain(sent.resp, "POST", &sent.url).await?);
    Ok(rec)
}
