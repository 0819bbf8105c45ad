//! The HTTP layer: one reqwest client per `Client` (TLS, timeouts, pool),
//! turning responses and transport failures into [`Error`]s (secrets are
//! redacted by [`crate::redact`]).

use crate::error::{Error, Result, Status};
use crate::settings::Settings;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// The HTTP clients of one `Client`: one for `http://` URLs, made at once,
/// and one for `https://` URLs, made on the first such request. Loading the
/// system's CA store costs ~18 million instructions (a few milliseconds
/// per process start), which a client that only speaks plain HTTP never
/// needs to pay.
pub struct Http {
    plain: reqwest::Client,
    tls: std::sync::OnceLock<reqwest::Client>,
    settings: Settings,
    proxies: crate::proxy::ProxyPlan,
}

impl Http {
    /// Checks every TLS setting (CA and client certificate files are read
    /// and parsed now, so mistakes show at creation) and makes the plain
    /// client.
    pub fn new(s: &Settings) -> Result<Http> {
        let proxies = crate::proxy::ProxyPlan::new(&s.proxy, &|k| std::env::var(k).ok())?;
        Ok(Http {
            plain: build_client(s, false, &proxies)?,
            tls: std::sync::OnceLock::new(),
            settings: s.clone(),
            proxies,
        })
    }

    /// A transport error, naming the proxy when the request went through one.
    pub fn transport_error(&self, method: &str, url: &str, e: &reqwest::Error) -> Error {
        let mut err = transport_error(method, url, e);
        err.message.push_str(&self.proxies.mention(url));
        err
    }

    /// The client for `url`.
    pub fn client_for(&self, url: &str) -> &reqwest::Client {
        let https = url
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("https:"));
        if !https {
            return &self.plain;
        }
        self.tls.get_or_init(|| {
            // The same settings built once already, so this cannot fail on
            // them; should it fail anyway, the plain client (no trusted
            // roots) makes every TLS request fail with a certificate error
            // rather than trust anything.
            build_client(&self.settings, true, &self.proxies).unwrap_or_else(|_| self.plain.clone())
        })
    }

    pub fn get(&self, url: &str) -> reqwest::RequestBuilder {
        self.client_for(url).get(url)
    }

    pub fn post(&self, url: &str) -> reqwest::RequestBuilder {
        self.client_for(url).post(url)
    }

    pub fn request(&self, method: reqwest::Method, url: reqwest::Url) -> reqwest::RequestBuilder {
        self.client_for(url.as_str()).request(method, url)
    }
}

/// Builds a reqwest client for these settings; `system_roots`: whether the
/// built-in and system CA stores are trusted (as well as any CA given).
/// Reads CA and client certificate files, so it can fail with a
/// configuration error.
fn build_client(
    s: &Settings,
    system_roots: bool,
    proxies: &crate::proxy::ProxyPlan,
) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .user_agent(s.user_agent.clone())
        .connect_timeout(s.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .tcp_nodelay(true);
    b = b.read_timeout(s.timeout);
    // The environment is read by crate::proxy, not by reqwest.
    b = b.no_proxy();
    if !proxies.is_empty() {
        let plan = proxies.clone();
        b = b.proxy(reqwest::Proxy::custom(move |u| plan.proxy_for(u).cloned()));
    }
    if s.tls.insecure {
        b = b
            .danger_accept_invalid_certs(true)
            .danger_accept_invalid_hostnames(true);
    }
    let mut roots = Vec::new();
    if let Some(path) = &s.tls.cacert {
        let pem = std::fs::read(path).map_err(|e| {
            Error::config(
                "os_cacert",
                format!("cannot read os_cacert \"{path}\": {e}"),
            )
        })?;
        roots.push(("os_cacert", pem));
    }
    if let Some(pem) = &s.tls.cacert_pem {
        roots.push(("cacert_pem", pem.as_bytes().to_vec()));
    }
    for (key, pem) in roots {
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Error::config(key, format!("{key} is not a PEM bundle: {e}")))?;
        if certs.is_empty() {
            return Err(Error::config(key, format!("{key} holds no certificate")));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if s.tls.cacert_only {
        if s.tls.cacert.is_none() && s.tls.cacert_pem.is_none() {
            return Err(Error::config(
                "cacert_only",
                "cacert_only needs os_cacert or cacert_pem",
            ));
        }
        b = b.tls_built_in_root_certs(false);
    }
    if !system_roots {
        b = b.tls_built_in_root_certs(false);
    }
    match (&s.tls.cert, &s.tls.cert_key) {
        (Some(cert), key) => {
            let mut pem = std::fs::read(cert).map_err(|e| {
                Error::config("os_cert", format!("cannot read os_cert \"{cert}\": {e}"))
            })?;
            if let Some(key) = key {
                pem.push(b'\n');
                pem.extend(std::fs::read(key).map_err(|e| {
                    Error::config("os_key", format!("cannot read os_key \"{key}\": {e}"))
                })?);
            }
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                Error::config("os_cert", format!("client certificate/key not usable: {e}"))
            })?;
            b = b.identity(id);
        }
        (None, Some(_)) => return Err(Error::config("os_key", "os_key given without os_cert")),
        (None, None) => {}
    }
    b.build()
        .map_err(|e| Error::config("", format!("cannot build the HTTP client: {e}")))
}

/// Maps a transport failure to an error with the request's context.
pub fn transport_error(method: &str, url: &str, e: &reqwest::Error) -> Error {
    let chain = error_chain(e);
    let lower = chain.to_ascii_lowercase();
    let status = if e.is_timeout() || lower.contains("timed out") {
        Status::Timeout
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        Status::Tls
    } else {
        Status::Network
    };
    // Certificate problems are final; connection problems may pass.
    let retryable = status != Status::Tls;
    Error::new(status, format!("{method} request failed: {chain}"))
        .with_request(method, url)
        .retryable(retryable)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// The transaction id Swift (X-Trans-Id) or Keystone (X-Openstack-Request-Id)
/// put on a response.
pub fn transaction_id(headers: &HeaderMap) -> Option<String> {
    ["x-trans-id", "x-openstack-request-id"]
        .iter()
        .find_map(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
}

/// Whether an answer with this status is worth sending again: server
/// errors, timeouts (408), a client disconnect seen by the proxy (499), and
/// the rate limits (429, 498) when `ratelimit` (the client's
/// `retry_on_ratelimit`). The request engine retries exactly these (plus a
/// 422 to a PUT whose ETag it sent, see `execute`), and error records say
/// `retryable` from the same answer.
pub fn retryable_code(code: u16, ratelimit: bool) -> bool {
    code >= 500 || code == 408 || code == 499 || (ratelimit && (code == 429 || code == 498))
}

/// An error for a non-success response; reads (at most 1 KiB of) the body.
/// `retryable` as `retryable_code` with rate limits retried; the request
/// engine sets it again from the client's own policy.
pub async fn status_error(method: &str, url: &str, resp: reqwest::Response, what: &str) -> Error {
    let code = resp.status().as_u16();
    let reason = resp.status().canonical_reason().unwrap_or("").to_string();
    let txn = transaction_id(resp.headers());
    let body = read_limited(resp, 1024).await;
    let mut message = format!("{what}: {code} {reason}").trim_end().to_string();
    if let Some(said) = server_reason(&body, &reason) {
        message.push_str(&format!(" (server says: {said})"));
    }
    let mut e = Error::new(Status::from_http(code), message)
        .with_request(method, url)
        .retryable(retryable_code(code, true));
    e.http_status = Some(code);
    e.http_reason = Some(reason);
    e.transaction_id = txn;
    if !body.is_empty() {
        e.body = Some(body);
    }
    e
}

/// The reason an error body gives, short enough for a message: the S3
/// style code (and message) of Ceph RGW's XML or JSON errors, or the text
/// of an HTML or plain body (Swift's), without a heading that only repeats
/// the status's reason phrase. At most 200 characters.
pub fn server_reason(body: &str, reason_phrase: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    let tagged = |tag: &str| -> Option<&str> {
        let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
        let end = start + body[start..].find(&format!("</{tag}>"))?;
        Some(body[start..end].trim()).filter(|s| !s.is_empty())
    };
    let said = if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(body) {
        let field = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        // Keystone: {"error": {"code": 401, "message": ..., "title": ...}}.
        let nested = m
            .get("error")
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let message = field("Message").or_else(|| field("message")).or(nested);
        match (field("Code"), message) {
            (Some(c), Some(msg)) => format!("{c}: {msg}"),
            (Some(c), None) => c,
            (None, Some(msg)) => msg,
            (None, None) => collapse(body),
        }
    } else if let Some(code) = tagged("Code") {
        match tagged("Message") {
            Some(msg) => format!("{code}: {msg}"),
            None => code.to_string(),
        }
    } else {
        let text = collapse(&strip_tags(body));
        match text.strip_prefix(reason_phrase) {
            Some(rest) if !reason_phrase.is_empty() && !rest.trim().is_empty() => {
                rest.trim().to_string()
            }
            _ => text,
        }
    };
    let said = collapse(&said);
    if said.is_empty() {
        return None;
    }
    Some(match said.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &said[..i]),
        None => said.to_string(),
    })
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Words separated by single spaces, control characters (terminal escapes
/// included) dropped: the text goes into messages a terminal may show.
fn collapse(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn read_limited(mut resp: reqwest::Response, limit: usize) -> String {
    let mut buf = Vec::new();
    while buf.len() < limit {
        match resp.chunk().await {
            Ok(Some(c)) => buf.extend_from_slice(&c),
            _ => break,
        }
    }
    buf.truncate(limit);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_reasons() {
        let swift = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>";
        assert_eq!(
            server_reason(swift, "Not Found").as_deref(),
            Some("The resource could not be found.")
        );
        let rgw_xml = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><BucketName>c</BucketName><RequestId>tx1</RequestId></Error>"#;
        assert_eq!(
            server_reason(rgw_xml, "Not Found").as_deref(),
            Some("NoSuchKey")
        );
        let rgw_json = r#"{"Code":"BucketAlreadyExists","RequestId":"tx2","HostId":"h"}"#;
        assert_eq!(
            server_reason(rgw_json, "Conflict").as_deref(),
            Some("BucketAlreadyExists")
        );
        assert_eq!(
            server_reason("Container not found\n", "Not Found").as_deref(),
            Some("Container not found")
        );
        let keystone = r#"{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}"#;
        assert_eq!(
            server_reason(keystone, "Unauthorized").as_deref(),
            Some("The request you have made requires authentication.")
        );
        assert_eq!(server_reason("  ", "Conflict"), None);
        assert_eq!(server_reason("<html></html>", "Conflict"), None);
        let long = "é".repeat(500);
        assert_eq!(server_reason(&long, "").unwrap().chars().count(), 203);
    }
}
