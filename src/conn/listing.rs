//! Account and container listings, one page or all of them. Pages are
//! handed to a callback as they arrive (constant memory however long the
//! listing); each page is its own retried request, so a failure resumes from
//! the last marker, not from the beginning.

use super::opts::ListOpts;
use super::request::{execute_read, Call};
use super::with_headers;
use crate::client::Client;
use crate::error::{Error, Result, Status};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// Swift's maximum (and default) page size.
pub const PAGE: u64 = 10_000;

/// One page of a listing as the server sent it: a JSON array (or empty).
pub struct RawPage {
    pub body: String,
    pub count: u64,
    /// Where the next page starts: the last entry's name (or subdir) and
    /// version id.
    pub last_name: Option<String>,
    pub last_version: Option<String>,
}

impl RawPage {
    /// The entries as JSON values.
    pub fn values(&self) -> Result<Vec<Value>> {
        if self.count == 0 {
            return Ok(Vec::new());
        }
        serde_json::from_str(&self.body).map_err(unreadable)
    }
}

/// A listing page that cannot be read, saying why in serde's words: not
/// JSON, not an array of objects, or a value out of range (`1e666`).
pub(crate) fn unreadable(e: serde_json::Error) -> Error {
    Error::new(
        Status::Http,
        format!("listing page unreadable (a JSON array of entries was expected): {e}"),
    )
}

/// What paging needs from the last entry of a page.
#[derive(serde::Deserialize)]
pub(crate) struct LastEntry {
    pub name: Option<String>,
    pub subdir: Option<String>,
    pub version_id: Option<String>,
}

/// Lists `path` ("" for the account, "/<container>"). Each non-empty page
/// goes to `on_page` as parsed entries; returning `false` stops. Returns
/// the first page's response record plus `count` (entries delivered) and
/// `pages`.
pub async fn list(
    client: &Client,
    path: &str,
    o: &ListOpts,
    on_page: &mut (dyn FnMut(Vec<Value>) -> Result<bool> + Send),
    cancel: &CancellationToken,
) -> Result<Value> {
    list_raw(client, path, o, &mut |p| on_page(p.values()?), cancel).await
}

/// As `list`, handing on each page unparsed: the entries are only counted
/// and the last one read (for the next marker), so a caller that passes the
/// page on as text never builds a value per entry.
// Long (~105 lines) on purpose: one pager — the marker, a page's retry
// from its own marker, the page handed on as the server sent it — whose
// state lives across pages.
pub async fn list_raw(
    client: &Client,
    path: &str,
    o: &ListOpts,
    on_page: &mut (dyn FnMut(RawPage) -> Result<bool> + Send),
    cancel: &CancellationToken,
) -> Result<Value> {
    let limit = o.limit.unwrap_or(PAGE);
    if limit == 0 {
        return Err(Error::config(
            "limit",
            "option \"limit\" must be at least 1",
        ));
    }
    let mut marker = o.marker.clone();
    let mut version_marker = o.version_marker.clone();
    let mut first: Option<Value> = None;
    let (mut count, mut pages) = (0u64, 0u64);
    loop {
        let mut call = with_headers(Call::new(Method::GET, path.to_string()), &o.headers);
        call.raw_query = o.query.clone();
        call.memory = crate::memory::PER_LISTING_PAGE;
        call.headers
            .push(("Accept".into(), "application/json".into()));
        let q = &mut call.query;
        q.push(("format".into(), "json".into()));
        if o.limit.is_some() || o.full_listing {
            q.push(("limit".into(), limit.to_string()));
        }
        let mut params = vec![
            ("marker", &marker),
            ("end_marker", &o.end_marker),
            ("prefix", &o.prefix),
            ("delimiter", &o.delimiter),
            ("path", &o.path),
        ];
        if o.versions {
            q.push(("versions".into(), "true".into()));
            params.push(("version_marker", &version_marker));
        }
        q.extend(
            params
                .into_iter()
                .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v))),
        );
        if o.reverse {
            q.push(("reverse".into(), "true".into()));
        }
        // A page broken mid-body is asked for again from the same marker.
        // Its share of a memory ceiling goes back once it is read, before
        // the page is handed on (a caller may send requests meanwhile,
        // which must never wait on memory this one holds).
        let sent = execute_read(client, &call, cancel).await?;
        let (record, status, body) = (sent.record, sent.status, sent.body);
        let not_array = |e: serde_json::Error| unreadable(e).with_request("GET", &sent.url);
        // Where the next page starts, read before the page is handed on.
        let (n, last) = if status == 204 || body.trim().is_empty() {
            (0, None)
        } else {
            let entries: Vec<&serde_json::value::RawValue> =
                serde_json::from_str(&body).map_err(not_array)?;
            let last = match entries.last() {
                Some(l) => Some(serde_json::from_str::<LastEntry>(l.get()).map_err(not_array)?),
                None => None,
            };
            (entries.len() as u64, last)
        };
        if first.is_none() {
            first = Some(record);
        }
        let (next, next_version) = match last {
            Some(l) => (l.name.or(l.subdir), l.version_id),
            None => (None, None),
        };
        if n > 0 {
            pages += 1;
            count += n;
            let page = RawPage {
                body,
                count: n,
                last_name: next.clone(),
                last_version: next_version.clone(),
            };
            if !on_page(page)? {
                break;
            }
        }
        if !o.full_listing || n == 0 || (!o.fetch_until_empty_page && n < limit) {
            break;
        }
        marker = next;
        if marker.is_none() {
            return Err(Error::new(
                Status::Http,
                "listing entry without \"name\" or \"subdir\": cannot page on",
            ));
        }
        if o.versions {
            version_marker = next_version;
        }
    }
    let mut rec = first.unwrap_or_else(|| json!({}));
    rec["count"] = json!(count);
    rec["pages"] = json!(pages);
    Ok(rec)
}

/// Lists into memory: the record gets a `listing` array.
pub async fn list_all(
    client: &Client,
    path: &str,
    o: &ListOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    let mut all = Vec::new();
    let mut rec = list(
        client,
        path,
        o,
        &mut |page| {
            all.extend(page);
            Ok(true)
        },
        cancel,
    )
    .await?;
    rec["listing"] = Value::Array(all);
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_page_says_why() {
        // Found by the listing fuzz target: paging reads raw values, so a
        // number out of range passes it and fails only here.
        let page = RawPage {
            body: r#"[{"name": "a", "bytes": 1e666}]"#.into(),
            count: 1,
            last_name: Some("a".into()),
            last_version: None,
        };
        let e = page.values().unwrap_err();
        assert!(e.message.contains("number out of range"), "{}", e.message);
        assert_eq!(e.status, Status::Http);
    }
}
