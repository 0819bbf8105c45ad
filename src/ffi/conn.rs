//! The Connection API in C: one blocking function per Swift REST call.
//! Conversion only; the calls themselves live in `crate::conn`.

use super::callbacks::{
    swc_page_fn, swc_read_fn, swc_rewind_fn, swc_write_fn, CallbackSink, CallbackSource, UserData,
};
use super::cancel::{swc_cancel, token_of};
use super::client::swc_client;
use super::panic::guard;
use super::strings::{optional, slice, write_string};
use super::swc_status;
use crate::client::Client;
use crate::conn::events::{with_scope, Scope};
use crate::conn::opts::{parse_arg, CopyOpts, InfoOpts, ListOpts, RequestOpts};
use crate::conn::raw::{self, RawOpts};
use crate::conn::{account, container, info, listing, object};
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::ffi::{c_char, c_void};
use std::future::Future;
use tokio_util::sync::CancellationToken;

/// Runs one call on the client's runtime from the calling thread and writes
/// its record to `*result_json`.
pub(super) fn run<F, Fut>(
    client: *const swc_client,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    scope: Scope,
    f: F,
) -> Result<()>
where
    F: FnOnce(Client, CancellationToken) -> Fut,
    Fut: Future<Output = Result<Value>>,
{
    let c = swc_client::from_ptr(client)?;
    let fut = with_scope(scope, f(c.client.clone(), token_of(cancel)));
    let rec = c.rt.block_on(fut)??;
    // NULL: the caller wants only the status (and the error record).
    if result_json.is_null() {
        return Ok(());
    }
    write_string(result_json, &rec.to_string())
}

/// A call's options (`what` names them in errors), and the scope its
/// requests run in: every Connection call takes `"trans_id_extra": "id"`,
/// sent as X-Trans-Id-Extra in place of the client's (a header of the same
/// name in `headers` still wins).
pub(super) fn parse_call<T: DeserializeOwned + Default>(
    opts_json: *const c_char,
    what: &str,
) -> Result<(T, Scope)> {
    let text = optional(opts_json, "opts_json")?;
    let (rest, common) = crate::service::take_common(text)?;
    let rest = rest.as_deref();
    if common.record_keys.is_some() {
        // Only bulk requests take it: the call's own parser names it.
        return Ok((parse_arg(text, "opts_json", what)?, Scope::default()));
    }
    let scope = Scope {
        hook: None,
        trans_id_extra: common.trans_id_extra.map(std::sync::Arc::from),
    };
    Ok((parse_arg(rest, "opts_json", what)?, scope))
}

pub(super) fn name<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    optional(p, what)?.ok_or_else(|| Error::null_argument(what))
}

/// A body length from C: -1 is "unknown" (chunked transfer), 0 or more the
/// exact length; anything else is a caller's mistake, refused rather than
/// taken as "unknown".
pub(super) fn known_length(len: i64) -> Result<Option<u64>> {
    match len {
        -1 => Ok(None),
        0.. => Ok(Some(len as u64)),
        _ => Err(crate::conn::invalid_field(
            "length",
            format!("length {len} is neither -1 (unknown) nor a byte count"),
        )),
    }
}

/// HEAD the account. `opts_json` (NULL for none): `{"headers": {..},
/// "query": ".."}`; every call's options also take `"trans_id_extra":
/// "id"` (1 to 64 printable ASCII characters), sent as X-Trans-Id-Extra on
/// its requests in place of the client's. Writes `{"status", "reason", "headers", "attempts"}`
/// (header names lower-case, secrets as "***") to `*result_json`.
///
/// Every call below blocks the calling thread, is safe from many threads at
/// once on one client, takes an optional `cancel` (NULL for none) and an
/// optional `result_json` (NULL when only the status matters), retries
/// as configured (5xx, 408, 499, 429/498, connection errors), and
/// re-authenticates once on 401. Statuses: SWC_OK; SWC_E_INVALID_ARGUMENT
/// (NULL where not allowed, bad UTF-8, a bad name: empty, too long, a
/// container named "." or "..", control characters, an object name with a
/// "." or ".." segment; the record's `key` names the argument);
/// SWC_E_CONFIG (bad options: the record names the key); SWC_E_AUTH
/// (401/403); SWC_E_NOT_FOUND; SWC_E_CONFLICT;
/// SWC_E_PRECONDITION (304/412/416); SWC_E_HTTP; SWC_E_TIMEOUT;
/// SWC_E_NETWORK; SWC_E_TLS; SWC_E_CHECKSUM; SWC_E_CANCELLED;
/// SWC_E_WOULD_DEADLOCK (from a library thread); SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_account_head(
    client: *const swc_client,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            account::head(&c, &o, &t).await
        })
    })
}

/// Lists the account's containers. `opts_json`: `{"headers", "query",
/// "marker", "end_marker", "limit", "prefix", "delimiter", "reverse",
/// "full_listing", "fetch_until_empty_page"}`. With `on_page` NULL the
/// record has `listing` (every entry); otherwise each page (a JSON array,
/// borrowed for the call) goes to `on_page` (SWC_STOP stops) and the
/// record has only `count` and `pages` — constant memory. Statuses:
/// SWC_OK, SWC_E_CANCELLED (`on_page` stopped it) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_account_list(
    client: *const swc_client,
    opts_json: *const c_char,
    on_page: swc_page_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (o, scope): (ListOpts, _) = parse_call(opts_json, "listing options")?;
        list_into(
            client,
            String::new(),
            (o, scope),
            on_page,
            user_data,
            cancel,
            result_json,
        )
    })
}

fn list_into(
    client: *const swc_client,
    path: String,
    (o, scope): (ListOpts, Scope),
    on_page: swc_page_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
) -> Result<()> {
    let ud = UserData(user_data);
    run(client, cancel, result_json, scope, |c, t| async move {
        match on_page {
            None => listing::list_all(&c, &path, &o, &t).await,
            Some(cb) => {
                let ud = ud;
                let mut deliver = |page: Vec<Value>| -> Result<bool> {
                    let mut text = Value::Array(page).to_string();
                    let len = text.len();
                    text.push('\0');
                    Ok(cb(ud.ptr(), text.as_ptr().cast(), len) == 0)
                };
                listing::list(&c, &path, &o, &mut deliver, &t).await
            }
        }
    })
}

/// POST to the account: metadata headers, and an optional body (`body` may
/// be NULL when `body_len` is 0), e.g. `"query": "bulk-delete"` with a
/// newline-separated list of paths. The record has the response `body`.
/// Statuses: SWC_OK and the request statuses of swc_account_head (SWC_E_AUTH, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_account_post(
    client: *const swc_client,
    opts_json: *const c_char,
    body: *const u8,
    body_len: usize,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        let data = slice(body, body_len, "body")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            account::post(&c, &o, Some(data), &t).await
        })
    })
}

/// HEAD a container (`opts_json`: `{"headers", "query"}`). Statuses:
/// SWC_OK, SWC_E_NOT_FOUND (no such container) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_container_head(
    client: *const swc_client,
    container: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let cont = name(container, "container")?;
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            container::head(&c, cont, &o, &t).await
        })
    })
}

/// PUT (create or update) a container, e.g. with `X-Storage-Policy` in
/// `headers`. Statuses: SWC_OK and the request statuses of swc_account_head (SWC_E_AUTH,
/// SWC_E_CONFLICT, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_container_put(
    client: *const swc_client,
    container: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let cont = name(container, "container")?;
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            container::put(&c, cont, &o, &t).await
        })
    })
}

/// POST container metadata (`X-Container-Meta-*`, ACLs, ...). Statuses:
/// SWC_OK, SWC_E_NOT_FOUND (no such container) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_container_post(
    client: *const swc_client,
    container: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let cont = name(container, "container")?;
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            container::post(&c, cont, &o, &t).await
        })
    })
}

/// DELETE a container. Statuses: SWC_OK, SWC_E_CONFLICT (not empty),
/// SWC_E_NOT_FOUND and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_container_delete(
    client: *const swc_client,
    container: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let cont = name(container, "container")?;
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            container::delete(&c, cont, &o, &t).await
        })
    })
}

/// Lists a container's objects; as `swc_account_list`, with also `path`,
/// `versions` and `version_marker` in `opts_json`. Statuses: SWC_OK,
/// SWC_E_NOT_FOUND (no such container), SWC_E_CANCELLED (`on_page`
/// stopped it) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_container_list(
    client: *const swc_client,
    container: *const c_char,
    opts_json: *const c_char,
    on_page: swc_page_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let path = crate::conn::container_path(name(container, "container")?)?;
        let (o, scope): (ListOpts, _) = parse_call(opts_json, "listing options")?;
        list_into(
            client,
            path,
            (o, scope),
            on_page,
            user_data,
            cancel,
            result_json,
        )
    })
}

/// HEAD an object (`opts_json`: `{"headers", "query"}`, e.g. `"query":
/// "multipart-manifest=get"` or `"symlink=get"`). Statuses: SWC_OK,
/// SWC_E_NOT_FOUND (no such object) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_head(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (cont, obj) = (name(container, "container")?, name(object, "object")?);
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            object::head(&c, cont, obj, &o, &t).await
        })
    })
}

/// POST object metadata (replaces the user metadata). Statuses: SWC_OK,
/// SWC_E_NOT_FOUND (no such object) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_post(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (cont, obj) = (name(container, "container")?, name(object, "object")?);
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            object::post(&c, cont, obj, &o, &t).await
        })
    })
}

/// DELETE an object (`"query": "multipart-manifest=delete"` for an SLO
/// and its segments; `"version-id=..."` for one version). Statuses:
/// SWC_OK, SWC_E_NOT_FOUND (no such object) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_delete(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (cont, obj) = (name(container, "container")?, name(object, "object")?);
        let (o, scope): (RequestOpts, _) = parse_call(opts_json, "request options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            object::delete(&c, cont, obj, &o, &t).await
        })
    })
}

/// Server-side COPY. `opts_json`: `{"destination": "/container/object"
/// (required), "destination_account", "fresh_metadata": bool, "headers",
/// "query"}`. Statuses: SWC_OK, SWC_E_CONFIG (no `destination`),
/// SWC_E_NOT_FOUND (no source object or destination container) and
/// the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_copy(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (cont, obj) = (name(container, "container")?, name(object, "object")?);
        let (o, scope): (CopyOpts, _) = parse_call(opts_json, "copy options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            object::copy(&c, cont, obj, &o, &t).await
        })
    })
}

/// The cluster's capabilities (`GET /info`, no token sent). `opts_json`:
/// `{"url": "http://proxy:8080" (default: the storage URL's host),
/// "headers"}`. The record has `info`, the parsed document. Statuses:
/// SWC_OK and the request statuses of swc_account_head (SWC_E_NETWORK, SWC_E_HTTP, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_info(
    client: *const swc_client,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let (o, scope): (InfoOpts, _) = parse_call(opts_json, "info options")?;
        run(client, cancel, result_json, scope, |c, t| async move {
            info::info(&c, &o, &t).await
        })
    })
}

/// The escape hatch: `method` (any token, e.g. "PUT", "COPY", "UPDATE") on
/// `path` below the storage URL ("" for the account; percent-encoded here,
/// '/' kept; a path with a "." or ".." segment, which a URL would resolve
/// to somewhere else, is SWC_E_INVALID_ARGUMENT with `key` "path").
/// `opts_json`: `{"headers", "query", "base": "storage" (default)
/// or "root" (below scheme://host:port, e.g. "/healthcheck"), "auth": bool
/// (send the token, default true)}`. A body is sent when `read` is non-NULL
/// (as swc_object_put: `length` or -1, `rewind` for retries); `read` NULL
/// with a `length` above 0 is SWC_E_INVALID_ARGUMENT (`key` "read"). The response
/// body goes to `write` when non-NULL, else into the record as `body`
/// (at most 1 MiB; larger is SWC_E_INVALID_ARGUMENT: pass `write`).
/// Statuses: SWC_OK, SWC_E_INVALID_ARGUMENT and the request statuses of swc_account_head (an HTTP
/// error status maps to its SWC_E_* as for every call).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_request(
    client: *const swc_client,
    method: *const c_char,
    path: *const c_char,
    opts_json: *const c_char,
    read: swc_read_fn,
    rewind: swc_rewind_fn,
    read_user_data: *mut c_void,
    length: i64,
    write: swc_write_fn,
    write_user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let method = name(method, "method")?;
        let path = name(path, "path")?;
        let (o, scope): (RawOpts, _) = parse_call(opts_json, "request options")?;
        let length = known_length(length)?;
        if let (None, Some(n @ 1..)) = (read, length) {
            // A length promises a body; without a reader none would be sent
            // (the server's 411 would not say which argument was wrong).
            return Err(crate::conn::invalid_field(
                "read",
                format!("argument \"read\" is NULL but \"length\" is {n}: a body needs a reader"),
            ));
        }
        let mut source = read.map(|read| CallbackSource::new(read, rewind, read_user_data, length));
        let mut sink = write.map(|write| CallbackSink {
            write,
            user_data: write_user_data,
        });
        run(client, cancel, result_json, scope, |c, t| async move {
            let src = source
                .as_mut()
                .map(|s| s as &mut dyn crate::conn::body::BodySource);
            let snk = sink
                .as_mut()
                .map(|s| s as &mut dyn crate::conn::body::BodySink);
            raw::request(&c, method, path, &o, src, snk, &t).await
        })
    })
}
