//! Capabilities: `GET /info`, no token needed.

use super::opts::InfoOpts;
use super::request::{execute, root_of, Base, Call};
use super::{drain, response_record, with_headers};
use crate::client::Client;
use crate::error::{Error, Result, Status};
use reqwest::Method;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// The cluster's `/info` document as `info`, plus the response record.
/// Without `url`, the storage URL's host is asked (authenticating first if
/// needed, to learn it).
pub async fn info(client: &Client, o: &InfoOpts, cancel: &CancellationToken) -> Result<Value> {
    let mut call = with_headers(Call::new(Method::GET, "/info".into()), &o.headers);
    call.auth = false;
    call.base = match &o.url {
        Some(u) => Base::Absolute(
            root_of(u).map_err(|_| Error::config("url", format!("\"{u}\" is not a URL")))?,
        ),
        None => Base::Root,
    };
    let sent = execute(client, &call, None, cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    let url = sent.url.clone();
    let body = drain(sent.resp, "GET", &url).await?;
    rec["info"] = serde_json::from_str(&body).map_err(|e| {
        Error::new(Status::Http, format!("/info is not JSON: {e}")).with_request("GET", &url)
    })?;
    Ok(rec)
}
