//! Object calls: HEAD, GET (streamed to a sink, verified, resumed after a
//! break), PUT (streamed from a source, verified), POST, COPY, DELETE.

use super::body::{BodySink, BodySource};
use super::opts::{CopyOpts, GetOpts, PutOpts, RequestOpts};
use super::request::{execute, or_cancel, sleep_or_cancel, Call};
use super::{bodyless, drain, object_path, quote, response_record, with_headers};
use crate::client::Client;
use crate::error::{Error, Result, Status};
use crate::hex::hex;
use crate::http;
use crate::log::Level;
use md5::{Digest, Md5};
use reqwest::Method;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

async fn simple(
    client: &Client,
    method: Method,
    container: &str,
    object: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    bodyless(client, method, object_path(container, object)?, o, cancel).await
}

pub async fn head(
    client: &Client,
    c: &str,
    o: &str,
    opts: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::HEAD, c, o, opts, cancel).await
}

pub async fn post(
    client: &Client,
    c: &str,
    o: &str,
    opts: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::POST, c, o, opts, cancel).await
}

pub async fn delete(
    client: &Client,
    c: &str,
    o: &str,
    opts: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::DELETE, c, o, opts, cancel).await
}

/// Deletes an SLO with its segments (`multipart-manifest=delete`, added to
/// `opts.query`). The SLO middleware answers 200 once it has started and
/// reports per segment in the body, so the record carries that report
/// (asked for as JSON) as `body`: see `types::BulkReport`.
pub async fn delete_slo(
    client: &Client,
    c: &str,
    o: &str,
    opts: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    let mut call = with_headers(Call::new(Method::DELETE, object_path(c, o)?), &opts.headers);
    call.headers
        .push(("Accept".into(), "application/json".into()));
    call.raw_query = Some(match &opts.query {
        Some(q) => format!("{q}&multipart-manifest=delete"),
        None => "multipart-manifest=delete".into(),
    });
    let sent = execute(client, &call, None, cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    rec["body"] = json!(drain(sent.resp, "DELETE", &sent.url).await?);
    Ok(rec)
}

/// Server-side COPY to `opts.destination` ("/container/object").
pub async fn copy(
    client: &Client,
    c: &str,
    o: &str,
    opts: &CopyOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    let dest = opts.destination.trim_start_matches('/');
    let (dc, dobj) = dest
        .split_once('/')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| {
            Error::config(
                "destination",
                "option \"destination\" must be \"/container/object\"",
            )
        })?;
    super::check_container("destination", dc)?;
    super::check_object("destination", dobj)?;
    let mut call = with_headers(
        Call::new(
            Method::from_bytes(b"COPY").map_err(|_| Error::internal("COPY"))?,
            object_path(c, o)?,
        ),
        &opts.headers,
    );
    call.raw_query = opts.query.clone();
    call.headers.push((
        "Destination".into(),
        format!("/{}/{}", quote(dc), quote(dobj)),
    ));
    if let Some(a) = &opts.destination_account {
        call.headers.push(("Destination-Account".into(), quote(a)));
    }
    if let Some(f) = opts.fresh_metadata {
        call.headers.push((
            "X-Fresh-Metadata".into(),
            if f { "true" } else { "false" }.into(),
        ));
    }
    let sent = execute(client, &call, None, cancel).await?;
    let rec = response_record(&sent.resp, sent.attempts);
    drain(sent.resp, "COPY", &sent.url).await?;
    Ok(rec)
}

/// Whether an answer to `multipart-manifest=get` that does not say it is a
/// large object can be taken for the object's body. Not when the object
/// carries Ceph RGW's SLO mark (`X-Object-Meta-Static-Large-Object`: RGW
/// answers such a request with an empty body and the empty MD5 as ETag);
/// not when its length differs from the listed size; not when it is empty
/// or of unstated length and no size is known. Those are inspected (HEAD) and fetched plainly.
fn provably_the_object(
    h: &reqwest::header::HeaderMap,
    content_length: Option<u64>,
    listed_size: Option<u64>,
) -> bool {
    if h.contains_key("x-object-meta-static-large-object") {
        return false;
    }
    match listed_size {
        Some(size) => content_length == Some(size),
        // Without a size to compare, only a non-empty body of stated length
        // is taken (an empty or chunked answer is inspected).
        None => content_length.is_some_and(|n| n > 0),
    }
}

/// Whether `resp` is a 206 whose Content-Range starts at byte `from`.
fn continues_at(resp: &reqwest::Response, from: u64) -> Result<()> {
    let cr = resp
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if resp.status().as_u16() == 206 && cr.starts_with(&format!("bytes {from}-")) {
        return Ok(());
    }
    Err(Error::new(
        Status::Precondition,
        format!(
            "asked for the rest from byte {from}, got status {} with Content-Range \"{cr}\"",
            resp.status().as_u16()
        ),
    ))
}

fn unquote(etag: &str) -> String {
    etag.trim().trim_matches('"').to_ascii_lowercase()
}

/// Uploads `source`. `Content-Length` when its size is known, chunked
/// transfer otherwise. The MD5 of what was sent is compared with the ETag
/// Swift returns (except for SLO manifests); a mismatch is SWC_E_CHECKSUM.
pub async fn put(
    client: &Client,
    c: &str,
    o: &str,
    opts: &PutOpts,
    source: &mut dyn BodySource,
    cancel: &CancellationToken,
) -> Result<Value> {
    let mut call = with_headers(Call::new(Method::PUT, object_path(c, o)?), &opts.headers);
    call.raw_query = opts.query.clone();
    if let Some(ct) = &opts.content_type {
        call.headers.push(("Content-Type".into(), ct.clone()));
    }
    let manifest = opts
        .query
        .as_deref()
        .is_some_and(|q| q.contains("multipart-manifest=put"));
    let etag = match &opts.etag {
        Some(e) => Some(unquote(e)),
        // Hashed before sending when the source can be read twice, so a
        // body damaged on the way is refused (422, retried) rather than
        // stored over the object. A manifest's ETag is its segments'.
        None if opts.checksum && !manifest => source.content_md5()?,
        None => None,
    };
    if let Some(e) = etag {
        call.headers.push(("ETag".into(), e));
    }
    let sent = execute(client, &call, Some(source), cancel).await?;
    let mut rec = response_record(&sent.resp, sent.attempts);
    let etag = sent
        .resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(unquote);
    let txn = http::transaction_id(sent.resp.headers());
    drain(sent.resp, "PUT", &sent.url).await?;
    let (md5, len) = sent.sent.unwrap_or_default();
    rec["etag"] = json!(etag);
    rec["md5"] = json!(md5);
    rec["bytes"] = json!(len);
    if opts.checksum && !manifest {
        if let Some(etag) = &etag {
            if *etag != md5 {
                let mut e = Error::new(
                    Status::Checksum,
                    format!("uploaded MD5 {md5} does not match the returned ETag {etag}; the object on the server is not what was sent"),
                )
                .with_request("PUT", &sent.url)
                .attempts(sent.attempts);
                e.transaction_id = txn;
                return Err(e);
            }
        }
    }
    Ok(rec)
}

/// Downloads into `sink`. Verifies length always and MD5 for plain whole
/// objects; a body that breaks mid-way is resumed with `Range: bytes=N-`
/// and `If-Match: <etag>` (within the retry budget), so `sink` receives the
/// object's bytes exactly once. The sink's `finish(ok)` is always called.
pub async fn get(
    client: &Client,
    c: &str,
    o: &str,
    opts: &GetOpts,
    sink: &mut dyn BodySink,
    cancel: &CancellationToken,
) -> Result<Value> {
    let r = get_with(client, c, o, opts, &GetControl::default(), sink, cancel)
        .await
        .map(GetOutcome::into_record);
    let finished = sink.finish(r.is_ok());
    match (r, finished) {
        (Ok(v), Ok(())) => Ok(v),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    }
}

/// How the bulk download steers a GET (not options a caller gives).
#[derive(Debug, Clone, Default)]
pub struct GetControl {
    /// A large object (SLO or DLO) is handed back unread, as
    /// [`GetOutcome::LargeObject`], so its segments can be listed and
    /// verified one by one: a download needs no HEAD first.
    pub plain_only: bool,
    /// With `plain_only`: the object's size as a listing gave it. An answer
    /// that is not provably the object (another length, or an empty body
    /// when no size is known) is handed back unread as well, to be
    /// inspected: some servers answer `multipart-manifest=get` for a large
    /// object with an empty body that looks like a plain object.
    pub listed_size: Option<u64>,
    /// The caller verifies the body itself (per segment): no MD5 of the
    /// whole body (the record's `md5` is null).
    pub no_body_md5: bool,
    /// The caller's `Range: bytes=N-` continues a file it keeps: only a 206
    /// whose Content-Range starts at N is read; any other answer is
    /// SWC_E_PRECONDITION, before a byte reaches the sink.
    pub range_from: Option<u64>,
}

/// What a GET found.
#[derive(Debug)]
pub enum GetOutcome {
    /// The body went into the sink; the GET record.
    Body(Value),
    /// `plain_only` met a large object (or an answer to inspect): the
    /// response's record, the body unread and the sink untouched.
    LargeObject(Value),
}

impl GetOutcome {
    pub fn into_record(self) -> Value {
        match self {
            GetOutcome::Body(v) | GetOutcome::LargeObject(v) => v,
        }
    }
}

/// [`get`] steered by `control`; does not finish the sink (the caller
/// may still set its mtime, or hand it on).
// Long (~120 lines) on purpose: the body loop and its resume share the
// state the final checks need (bytes so far, the running MD5, the ETag to
// resume against, the attempts), which a split would pass back and forth.
pub async fn get_with(
    client: &Client,
    c: &str,
    o: &str,
    opts: &GetOpts,
    control: &GetControl,
    sink: &mut dyn BodySink,
    cancel: &CancellationToken,
) -> Result<GetOutcome> {
    let s = client.settings();
    let mut call = with_headers(Call::new(Method::GET, object_path(c, o)?), &opts.headers);
    call.raw_query = opts.query.clone();
    let caller_range = call.has_header("range");
    let sent = execute(client, &call, None, cancel).await?;
    let mut attempts = sent.attempts;
    let mut rec = response_record(&sent.resp, sent.attempts);
    // When the token was in hand and when the headers came (python-swiftclient's
    // `auth_end_time` and `headers_receipt`), for timing lines.
    rec["auth_end_time"] = json!(sent.auth_end);
    rec["headers_receipt"] = json!(crate::conn::request::unix_now());
    let h = sent.resp.headers();
    let etag = h.get("etag").and_then(|v| v.to_str().ok()).map(unquote);
    let expected = sent.resp.content_length();
    let large = h.contains_key("x-static-large-object") || h.contains_key("x-object-manifest");
    if control.plain_only && (large || !provably_the_object(h, expected, control.listed_size)) {
        return Ok(GetOutcome::LargeObject(rec));
    }
    if let Some(from) = control.range_from {
        continues_at(&sent.resp, from)
            .map_err(|e| e.with_request("GET", &sent.url).attempts(attempts))?;
    }
    let verify_md5 = opts.checksum && !large && !caller_range && sent.resp.status().as_u16() == 200;
    let url = sent.url.clone();
    let mut reservation = sent.memory;
    let mut resp = sent.resp;
    let mut md5 = Md5::new();
    let mut got: u64 = 0;
    let mut backoff = crate::backoff::Backoff::new(s.starting_backoff, s.max_backoff);
    loop {
        match or_cancel(cancel, async { Ok(resp.chunk().await) }).await? {
            Ok(Some(chunk)) => {
                if !control.no_body_md5 {
                    md5.update(&chunk);
                }
                got += chunk.len() as u64;
                sink.write(&chunk)?;
            }
            Ok(None) => break,
            Err(e) => {
                let err = client
                    .http()
                    .transport_error("GET", &url, &e)
                    .attempts(attempts);
                let resumable =
                    opts.resume && !caller_range && etag.is_some() && attempts <= s.retries;
                if !resumable {
                    let mut err = err;
                    err.message = format!("download broke after {got} bytes: {}", err.message);
                    return Err(err);
                }
                client.log(Level::Info, || {
                    format!("download broke after {got} bytes; resuming")
                });
                sleep_or_cancel(backoff.next_delay(None), cancel).await?;
                // The broken request's share of the memory ceiling goes
                // before the next one waits for its own.
                drop(reservation.take());
                let mut again = call.clone();
                again
                    .headers
                    .push(("Range".into(), format!("bytes={got}-")));
                again
                    .headers
                    .push(("If-Match".into(), etag.clone().unwrap_or_default()));
                let sent = execute(client, &again, None, cancel).await?;
                attempts += sent.attempts;
                reservation = sent.memory;
                let cr = sent
                    .resp
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if sent.resp.status().as_u16() != 206 || !cr.starts_with(&format!("bytes {got}-")) {
                    return Err(Error::new(
                        Status::Http,
                        format!(
                            "resuming at byte {got} got status {} with Content-Range \"{cr}\"",
                            sent.resp.status().as_u16()
                        ),
                    )
                    .with_request("GET", &sent.url)
                    .attempts(attempts));
                }
                resp = sent.resp;
            }
        }
    }
    let md5 = hex(&md5.finalize());
    if let Some(exp) = expected {
        if got != exp {
            return Err(Error::new(
                Status::Checksum,
                format!("received {got} bytes, Content-Length said {exp}"),
            )
            .with_request("GET", &url)
            .attempts(attempts));
        }
    }
    if verify_md5 {
        if let Some(etag) = &etag {
            if *etag != md5 {
                return Err(Error::new(
                    Status::Checksum,
                    format!("MD5 of the received body {md5} does not match the ETag {etag}"),
                )
                .with_request("GET", &url)
                .attempts(attempts));
            }
        }
    }
    rec["attempts"] = json!(attempts);
    rec["bytes"] = json!(got);
    rec["md5"] = if control.no_body_md5 {
        Value::Null
    } else {
        json!(md5)
    };
    rec["verified"] = json!(verify_md5 && etag.is_some());
    Ok(GetOutcome::Body(rec))
}
