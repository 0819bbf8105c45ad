//! Capabilities: `GET /info`, no token needed, found where
//! python-swiftclient finds it: beside the storage URL's version segment
//! (`/swift/v1/AUTH_x` → `/swift/info`, as Ceph RGW serves it), else at the
//! host's root (OpenStack Swift: `/v1/AUTH_x` → `/info`).

use super::opts::InfoOpts;
use super::request::{execute_read, or_cancel, root_of, Base, Call};
use super::with_headers;
use crate::client::Client;
use crate::error::{Error, Result, Status};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// The cluster's `/info` document as `info`, plus the response record and
/// the `url` it came from. `o.url` is a proxy or storage URL; without it,
/// the storage URL's (authenticating first if needed, to learn it). The
/// path python-swiftclient derives is asked first; when that answers with
/// a client error (not found, bad request), the host's root `/info`.
pub async fn info(client: &Client, o: &InfoOpts, cancel: &CancellationToken) -> Result<Value> {
    Ok(info_document(client, o, cancel).await?.0)
}

/// As [`info`], with the document's text as the server sent it: its
/// members in the server's order, which the parsed `info` (whose objects
/// sort their keys) does not keep and `swift capabilities` shows.
pub async fn info_document(
    client: &Client,
    o: &InfoOpts,
    cancel: &CancellationToken,
) -> Result<(Value, String)> {
    let (root, first) = info_location(client, o, cancel).await?;
    let mut paths = vec![first];
    if paths[0] != "/info" {
        paths.push("/info".to_string());
    }
    let mut last = None;
    for path in paths {
        let mut call = with_headers(Call::new(Method::GET, path), &o.headers);
        call.auth = false;
        call.base = Base::Absolute(root.clone());
        let sent = match execute_read(client, &call, cancel).await {
            // Not there (404; Swift says 400 to a path it cannot parse):
            // the next place.
            Err(e) if e.http_status.is_some_and(|s| (400..500).contains(&s)) => {
                last = Some(e);
                continue;
            }
            other => other?,
        };
        let (mut rec, url, body) = (sent.record, sent.url, sent.body);
        match serde_json::from_str::<Value>(&body) {
            Ok(info) => {
                rec["info"] = info;
                rec["url"] = json!(url);
                return Ok((rec, body));
            }
            // Something else lives there (a page, not the document): the
            // next place.
            Err(e) => {
                last = Some(
                    Error::new(Status::Http, format!("/info is not JSON: {e}"))
                        .with_request("GET", &url),
                )
            }
        }
    }
    Err(last.unwrap_or_else(|| Error::internal("no /info location")))
}

/// The root (`scheme://host:port`) and the first `/info` path to ask.
pub async fn info_location(
    client: &Client,
    o: &InfoOpts,
    cancel: &CancellationToken,
) -> Result<(String, String)> {
    let url = match &o.url {
        Some(u) => u.clone(),
        None => or_cancel(cancel, client.token()).await?.storage_url.clone(),
    };
    let parsed = reqwest::Url::parse(&url)
        .map_err(|_| Error::config("url", format!("\"{url}\" is not a URL")))?;
    let root = root_of(&url)?;
    Ok((root, info_path(parsed.path())))
}

/// python-swiftclient's `/info` path for a URL path: from its first
/// version segment (`v1`, `v1.0`, `v2`: a whole segment) on replaced by
/// `info`; a path without one gets `/info` appended (a path whose last
/// segment is already `info` is kept).
pub fn info_path(path: &str) -> String {
    let is_version = |seg: &str| {
        let Some(rest) = seg.strip_prefix('v') else {
            return false;
        };
        let (major, minor) = rest.split_once('.').unwrap_or((rest, "0"));
        !major.is_empty()
            && major.bytes().all(|b| b.is_ascii_digit())
            && !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
    };
    let segs: Vec<&str> = path.split('/').collect();
    if let Some(i) = segs.iter().position(|s| is_version(s)) {
        return format!("{}/info", segs[..i].join("/"));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.ends_with("/info") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/info")
    }
}

#[cfg(test)]
mod tests {
    use super::info_path;

    #[test]
    fn where_python_swiftclient_looks() {
        for (path, want) in [
            ("/v1/AUTH_test", "/info"),
            ("/v1/AUTH_test/", "/info"),
            ("/swift/v1/AUTH_test", "/swift/info"),
            ("/swift/v1", "/swift/info"),
            ("/object-store/v1.0/AUTH_x/c", "/object-store/info"),
            ("/vendor/v2/x", "/vendor/info"),
            ("", "/info"),
            ("/", "/info"),
            ("/prefix", "/prefix/info"),
            ("/prefix/", "/prefix/info"),
            ("/info", "/info"),
            ("/v", "/v/info"),
            ("/v1x/AUTH_a", "/v1x/AUTH_a/info"),
            ("/information", "/information/info"),
        ] {
            assert_eq!(info_path(path), want, "{path}");
        }
    }
}
