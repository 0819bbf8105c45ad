//! The Connection API: one function per Swift REST call, each a thin
//! description of the request run through [`request::execute`] (retries,
//! re-auth, cancellation), returning python-swiftclient-style records.

pub mod account;
pub mod body;
pub mod container;
pub mod events;
pub mod info;
pub mod listing;
pub mod object;
pub mod opts;
pub mod raw;
pub mod request;
mod send_body;
pub mod staged;
pub mod types;

use crate::error::{Error, Result};
use crate::http;
use opts::Headers;
use serde_json::{json, Value};

/// Longest container name Swift accepts by default.
pub const MAX_CONTAINER_NAME: usize = 256;
/// Longest object name Swift accepts by default.
pub const MAX_OBJECT_NAME: usize = 1024;

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

/// The query naming one version of an object: `version-id=<id>`.
pub fn version_query(id: &str) -> String {
    format!("version-id={}", quote(id))
}

/// Whether a name has a "." or ".." path segment. URLs normalise those
/// away (even percent-encoded, per the URL standard), so such an object
/// cannot be addressed by a URL without reaching a different one.
pub fn has_dot_segment(name: &str) -> bool {
    name.split('/').any(|s| s == "." || s == "..")
}

/// Checks a container name and returns its URL path ("/<quoted>").
pub fn container_path(container: &str) -> Result<String> {
    check_container("container", container)?;
    Ok(format!("/{}", quote(container)))
}

/// Checks a container name given as `field` (named in the error's `key`):
/// not empty, no '/', not "." or ".." (a URL resolves those to the account
/// or above it, so `DELETE` of container "." would delete the account), no
/// control characters, at most [`MAX_CONTAINER_NAME`] bytes.
pub fn check_container(field: &str, container: &str) -> Result<()> {
    let why = if container.is_empty() {
        "the container name is empty".to_string()
    } else if container.contains('/') {
        format!("container name \"{container}\" contains '/'")
    } else if container == "." || container == ".." {
        format!("container name \"{container}\" would address the account (or above it), not a container")
    } else if let Some(c) = container.chars().find(|c| c.is_control()) {
        format!(
            "container name {container:?} contains the control character U+{:04X}",
            c as u32
        )
    } else if container.len() > MAX_CONTAINER_NAME {
        format!(
            "container name is {} bytes long; Swift allows {MAX_CONTAINER_NAME}",
            container.len()
        )
    } else {
        return Ok(());
    };
    Err(invalid_field(field, why))
}

/// An invalid-argument error naming the argument or request key it is about.
pub fn invalid_field(field: &str, message: impl Into<String>) -> Error {
    let mut e = Error::invalid(message);
    e.key = Some(field.to_string());
    e
}

/// Checks both names and returns the object's URL path.
pub fn object_path(container: &str, object: &str) -> Result<String> {
    let c = container_path(container)?;
    check_object("object", object)?;
    Ok(format!("{c}/{}", quote(object)))
}

/// Checks an object name given as `field`: not empty, no "." or ".." path
/// segment, no NUL (Swift refuses it), at most [`MAX_OBJECT_NAME`] bytes.
pub fn check_object(field: &str, object: &str) -> Result<()> {
    let why = if object.is_empty() {
        "the object name is empty".to_string()
    } else if has_dot_segment(object) {
        format!("object name \"{object}\" has a \".\" or \"..\" path segment: URLs resolve those away, so it cannot be addressed without reaching another object (bulk delete can still remove it)")
    } else if object.contains('\0') {
        format!("object name {object:?} contains a NUL character")
    } else if object.len() > MAX_OBJECT_NAME {
        format!(
            "object name is {} bytes long; Swift allows {MAX_OBJECT_NAME}",
            object.len()
        )
    } else {
        return Ok(());
    };
    Err(invalid_field(field, why))
}

/// python-swiftclient's `response_dict`: status, reason and headers (secret
/// values shown as "***"), plus the number of attempts.
pub fn response_record(resp: &reqwest::Response, attempts: u32) -> Value {
    json!({
        "status": resp.status().as_u16(),
        "reason": resp.status().canonical_reason().unwrap_or(""),
        "headers": crate::redact::headers_json(resp.headers(), false),
        "attempts": attempts,
    })
}

/// Reads a (small) response body fully, so the connection can be reused,
/// and returns it as text.
pub async fn drain(resp: reqwest::Response, method: &str, url: &str) -> Result<String> {
    let b = resp
        .bytes()
        .await
        .map_err(|e| http::transport_error(method, url, &e))?;
    Ok(String::from_utf8_lossy(&b).into_owned())
}

/// Sends a request without a body (PUT and POST get `Content-Length: 0`),
/// reads the answer and returns its record.
pub(crate) async fn bodyless(
    client: &crate::client::Client,
    method: reqwest::Method,
    path: String,
    o: &opts::RequestOpts,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Value> {
    let mut call = with_headers(request::Call::new(method.clone(), path), &o.headers);
    call.raw_query = o.query.clone();
    if matches!(method, reqwest::Method::PUT | reqwest::Method::POST)
        && !call.has_header("content-length")
    {
        call.headers.push(("Content-Length".into(), "0".into()));
    }
    let sent = request::execute(client, &call, None, cancel).await?;
    let rec = response_record(&sent.resp, sent.attempts);
    drain(sent.resp, method.as_str(), &sent.url).await?;
    Ok(rec)
}

pub(crate) fn with_headers(mut call: request::Call, h: &Headers) -> request::Call {
    call.headers.extend(h.0.iter().cloned());
    call
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a b/c%d"), "a%20b/c%25d");
        assert_eq!(quote("ünï"), "%C3%BCn%C3%AF");
        assert!(has_dot_segment("a/../b") && has_dot_segment("./x") && has_dot_segment("a/."));
        assert!(!has_dot_segment("a/.b/..c/...") && !has_dot_segment(".hidden"));
    }

    #[test]
    fn name_checks() {
        assert!(container_path("").is_err());
        assert!(container_path("a/b").is_err());
        assert!(container_path(&"c".repeat(257)).is_err());
        assert_eq!(object_path("c", "d/e f").unwrap(), "/c/d/e%20f");
        assert!(object_path("c", &"o".repeat(1025)).is_err());
        assert!(object_path("c", "a/../b").is_err());
        for bad in [".", "..", "a\0b", "a\nb", "tab\t", "del\u{7f}", "c1\u{85}"] {
            let e = container_path(bad).unwrap_err();
            assert_eq!(e.status, crate::error::Status::InvalidArgument, "{bad:?}");
            assert_eq!(e.key.as_deref(), Some("container"), "{bad:?}");
        }
        assert!(container_path("...").is_ok() && container_path(".hidden").is_ok());
        assert_eq!(
            object_path("c", "a\0b").unwrap_err().key.as_deref(),
            Some("object")
        );
    }
}
