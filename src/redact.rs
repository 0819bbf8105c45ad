//! Redaction: which headers and query parameters carry secrets, and the
//! forms of URLs and headers that may be logged or returned. A leaf: it
//! depends on nothing else in the crate, so errors, logs, records and the
//! HTTP layer can all use it.

use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

/// Headers whose values are secrets: never logged, never in records.
pub const SECRET_HEADERS: &[&str] = &[
    "x-auth-token",
    "x-auth-key",
    "x-storage-token",
    "x-storage-pass",
    "x-subject-token",
    "x-service-token",
    "x-container-sync-key",
    "set-cookie",
    "cookie",
    "authorization",
    "proxy-authorization",
];

/// Endings of secret header names, for the families a list cannot hold:
/// temp-URL keys of accounts and containers (`X-Account-Meta-Temp-URL-Key`,
/// `…-Key-2`, and the `X-Remove-…` spellings) and sync keys.
const SECRET_SUFFIXES: &[&str] = &["-temp-url-key", "-temp-url-key-2", "-sync-key"];

/// Query parameters that carry signatures.
const SECRET_QUERY: &[&str] = &["temp_url_sig", "swiftinfo_sig", "signature", "sig"];

pub fn is_secret_header(name: &str) -> bool {
    // WSGI servers (Swift) take '_' for '-' in header names.
    let n = name.to_ascii_lowercase().replace('_', "-");
    SECRET_HEADERS.contains(&n.as_str()) || SECRET_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// The URL with signature-like query values replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if SECRET_QUERY.contains(&k) => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Response headers as a JSON object with lower-case names (as
/// python-swiftclient's `response_dict`), secret values replaced by `***`
/// unless `show_secrets`.
pub fn headers_json(headers: &HeaderMap, show_secrets: bool) -> Value {
    let mut m = Map::new();
    for (k, v) in headers {
        let name = k.as_str().to_ascii_lowercase();
        let val = if !show_secrets && is_secret_header(&name) {
            "***".to_string()
        } else {
            // Header bytes are latin-1 on the wire; Swift sends UTF-8 in them.
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        };
        match m.get_mut(&name) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&val);
            }
            _ => {
                m.insert(name, Value::String(val));
            }
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_signatures() {
        assert_eq!(
            redact_url("http://h/v1/a/c/o?temp_url_sig=abc&temp_url_expires=1"),
            "http://h/v1/a/c/o?temp_url_sig=***&temp_url_expires=1"
        );
        assert_eq!(redact_url("http://h/v1/a"), "http://h/v1/a");
    }

    #[test]
    fn secret_headers() {
        assert!(is_secret_header("X-Auth-Token"));
        assert!(is_secret_header("x-storage-pass"));
        assert!(!is_secret_header("x-trans-id"));
        for h in [
            "X-Container-Sync-Key",
            "X-Account-Meta-Temp-URL-Key",
            "x-account-meta-temp-url-key-2",
            "X-Container-Meta-Temp-Url-Key",
            "X-Container-Meta-Temp-URL-Key-2",
            "X-Service-Token",
            "Proxy-Authorization",
            "X-Account-Meta-Temp_URL_Key",
        ] {
            assert!(is_secret_header(h), "{h}");
        }
        assert!(!is_secret_header("X-Container-Sync-To") && !is_secret_header("X-Object-Meta-Key"));
        let mut h = HeaderMap::new();
        h.insert("x-auth-token", "tok".parse().unwrap());
        h.insert("x-trans-id", "tx1".parse().unwrap());
        let v = headers_json(&h, false);
        assert_eq!(v["x-auth-token"], "***");
        assert_eq!(v["x-trans-id"], "tx1");
        assert_eq!(headers_json(&h, true)["x-auth-token"], "tok");
    }
}
