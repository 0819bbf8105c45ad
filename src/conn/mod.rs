//! The Connection API: one function per Swift REST call. This module holds
//! what every call shares: URL building, the token header, and the single
//! re-authentication on 401.

pub mod account;

use crate::client::Client;
use crate::error::Result;
use crate::http;
use reqwest::Method;
use serde_json::{json, Value};

/// Percent-encodes a container or object name for a URL path (keeping `/`
/// in object names, as Swift expects).
pub fn quote(name: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(name, KEEP).to_string()
}

/// Sends a request with no body to `<storage_url><path>[?query]`. A 401
/// triggers one shared re-authentication and one more try. Non-2xx
/// responses become errors.
pub async fn send(
    client: &Client,
    method: Method,
    path: &str,
    query: Option<&str>,
    headers: &[(String, String)],
) -> Result<reqwest::Response> {
    let mut token = client.token().await?;
    let mut reauthed = false;
    loop {
        let mut url = format!("{}{}", token.storage_url.trim_end_matches('/'), path);
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(q);
        }
        let mut rb = client
            .http()
            .request(method.clone(), &url)
            .header("X-Auth-Token", token.token.expose());
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| http::transport_error(method.as_str(), &url, &e))?;
        let code = resp.status().as_u16();
        if code == 401 && !reauthed && client.settings().auth.credentials.is_some() {
            reauthed = true;
            token = client.token_after_reject(&token).await?;
            continue;
        }
        if !resp.status().is_success() {
            return Err(http::status_error(
                method.as_str(),
                &url,
                resp,
                &format!("{method} failed"),
            )
            .await);
        }
        return Ok(resp);
    }
}

/// python-swiftclient's `response_dict`: status, reason and headers.
pub fn response_record(resp: &reqwest::Response) -> Value {
    json!({
        "status": resp.status().as_u16(),
        "reason": resp.status().canonical_reason().unwrap_or(""),
        "headers": http::headers_json(resp.headers(), false),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(super::quote("a b/c%d"), "a%20b/c%25d");
        assert_eq!(super::quote("ünï"), "%C3%BCn%C3%AF");
    }
}
