//! The escape hatch: any method on any path below the storage URL, for
//! what the named calls do not cover.

use super::body::{BodySink, BodySource};
use super::opts::Headers;
use super::request::{execute, or_cancel, Base, Call};
use super::{quote, response_record};
use crate::client::Client;
use crate::error::{Error, Result, Status};
use crate::http;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// Largest response body returned inside the record when no sink is given.
pub const MAX_RECORD_BODY: usize = 1 << 20;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOpts {
    pub headers: Headers,
    pub query: Option<String>,
    /// "storage" (default): the path is below the storage URL; "root": below
    /// its scheme://host:port (e.g. "/info", "/healthcheck").
    pub base: Option<String>,
    /// Send the token (default true).
    pub auth: Option<bool>,
}

/// Sends `method` to `path` (percent-encoded here, `/` kept). The response
/// body goes to `sink`, or into the record as `body` (text) when there is
/// no sink and it is at most 1 MiB (larger is an error: pass a sink).
pub async fn request(
    client: &Client,
    method: &str,
    path: &str,
    o: &RawOpts,
    source: Option<&mut dyn BodySource>,
    sink: Option<&mut dyn BodySink>,
    cancel: &CancellationToken,
) -> Result<Value> {
    let m = Method::from_bytes(method.as_bytes())
        .map_err(|_| Error::invalid(format!("\"{method}\" is not an HTTP method")))?;
    if !path.is_empty() && !path.starts_with('/') {
        return Err(Error::invalid(format!(
            "path \"{path}\" must be empty or start with '/'"
        )));
    }
    // A URL resolves "." and ".." segments: "/../AUTH_other/c" would be
    // sent outside the storage URL, to another account.
    if super::has_dot_segment(path) {
        return Err(super::invalid_field(
            "path",
            format!("path \"{path}\" has a \".\" or \"..\" segment, which would reach outside the base URL"),
        ));
    }
    if path.contains('\0') {
        return Err(super::invalid_field(
            "path",
            format!("path {path:?} contains a NUL character"),
        ));
    }
    let mut call = Call::new(m.clone(), quote(path));
    call.headers.extend(o.headers.0.iter().cloned());
    call.raw_query = o.query.clone();
    call.auth = o.auth.unwrap_or(true);
    call.base = match o.base.as_deref() {
        None | Some("storage") => Base::Storage,
        Some("root") => Base::Root,
        Some(b) => {
            return Err(Error::config(
                "base",
                format!("option \"base\" must be \"storage\" or \"root\", not \"{b}\""),
            ))
        }
    };
    let sent = execute(client, &call, source, cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    let url = sent.url.clone();
    let mut resp = sent.resp;
    let mut body = Vec::new();
    let mut total = 0u64;
    let mut sink = sink;
    let outcome: Result<()> = async {
        while let Some(chunk) = or_cancel(cancel, async { resp.chunk().await.map_err(|e| http::transport_error(m.as_str(), &url, &e)) }).await? {
            total += chunk.len() as u64;
            match sink.as_deref_mut() {
                Some(s) => s.write(&chunk)?,
                None => {
                    if body.len() + chunk.len() > MAX_RECORD_BODY {
                        return Err(Error::new(
                            Status::InvalidArgument,
                            format!("the response body is over {MAX_RECORD_BODY} bytes: pass a write callback to receive it"),
                        )
                        .with_request(m.as_str(), &url));
                    }
                    body.extend_from_slice(&chunk);
                }
            }
        }
        Ok(())
    }
    .await;
    if let Some(s) = sink.as_deref_mut() {
        s.finish(outcome.is_ok())?;
    }
    outcome?;
    rec["bytes"] = json!(total);
    if sink.is_none() {
        rec["body"] = json!(String::from_utf8_lossy(&body));
    }
    Ok(rec)
}
