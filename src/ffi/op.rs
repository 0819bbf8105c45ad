//! `swc_op`: a running bulk operation, its callbacks, and the two shapes
//! every bulk operation comes in (async `_start` and the blocking twin).

use super::callbacks::UserData;
use super::cancel::{swc_cancel, token_of};
use super::client::swc_client;
use super::op_state::OpShared;
use super::panic::{guard, guard_value};
use super::strings::{check_out, optional, write_out, write_string};
use super::swc_status;
use crate::error::{Error, Result, Status};
use crate::service::op::{deliver_blocking, start, Record};
use crate::service::{prepare, take_common, Action};
use serde_json::Value;
use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Receives one result record (JSON, borrowed until return). Return
/// SWC_CONTINUE to go on; SWC_STOP (any non-zero) stops the operation (no
/// further record callbacks).
pub type swc_record_fn =
    Option<extern "C" fn(user_data: *mut c_void, json: *const c_char, len: usize) -> c_int>;
/// Receives a progress event (JSON, borrowed until return).
pub type swc_progress_fn =
    Option<extern "C" fn(user_data: *mut c_void, json: *const c_char, len: usize)>;
/// Called exactly once when an operation ends, after every other callback:
/// the final status and the summary JSON (borrowed until return).
pub type swc_done_fn = Option<
    extern "C" fn(
        user_data: *mut c_void,
        status: swc_status,
        summary_json: *const c_char,
        len: usize,
    ),
>;
/// Releases `user_data`; called once, after `on_done`.
pub type swc_free_fn = Option<extern "C" fn(user_data: *mut c_void)>;

/// A running asynchronous operation. Opaque; thread-safe. Free the handle
/// with `swc_op_free` (that does not stop the operation).
///
/// The SwiftService API in C: each bulk operation as `swc_<op>_start`
/// (asynchronous, with a handle) and `swc_<op>` (blocking twin).
///
/// Contract for every `_start` function: if it fails, no callback ever
/// fires. If it succeeds, `*op` is written, `on_done` fires exactly once,
/// last, never before the start call has returned, then `free_user_data`.
/// Record callbacks of one operation never overlap and run on a library
/// thread that is not an I/O worker (a slow callback slows only its own
/// operation); `user_data` must be usable there. A record callback
/// returning SWC_STOP (any non-zero) stops the operation. Statuses of the start call:
/// SWC_OK; SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG (the request names the bad
/// key); SWC_E_PANIC. The final status (on_done, swc_op_wait): SWC_OK when
/// every sub-operation succeeded; SWC_E_CANCELLED; SWC_E_HTTP when some
/// record has `"success": false` (a record that also has `"warning": true`
/// does not count: a `create_container` refused with 403 or 409 before an
/// upload or copy, as python-swiftclient only warns); or the operation's
/// own failure.
///
/// Every bulk request also takes `"trans_id_extra": "id"` (1 to 64
/// printable ASCII characters): sent as X-Trans-Id-Extra on every request
/// of the operation — segments, retries and re-authentication included —
/// in place of the client's, and added to each of its records, so one
/// operation can be followed through Swift's logs. And `"record_keys":
/// [names]`: successful records then carry only those keys (plus `action`
/// and `success`);
/// failed records stay whole. For a caller that reads a few facts of many
/// records, this spares building and parsing the rest.
///
/// Progress events (JSON, to `on_progress` when non-NULL): byte counts
/// (`bytes`, `total`, `overall_bytes`, ...) and, for any request of the
/// operation, `{"event": "retry", "method", "url", "attempt", "delay",
/// "error", "http_status"}` and `{"event": "reauth", ...}`. They may be
/// dropped when the consumer lags (the next one carries newer totals).
///
/// Contract for every blocking twin: records and progress are delivered on
/// the calling thread; returns SWC_OK (writing the summary to
/// `*summary_json` when non-NULL) or the final status, with the summary in
/// the error record's `summary`. From a library thread (inside a callback)
/// it returns SWC_E_WOULD_DEADLOCK.
pub struct swc_op {
    pub(crate) shared: Arc<OpShared>,
}

fn json_cb<R>(
    cb: extern "C" fn(*mut c_void, *const c_char, usize) -> R,
    ud: *mut c_void,
    v: &Value,
) -> R {
    text_cb(cb, ud, v.to_string())
}

/// A record as text, the value freed before the callback runs: a listing
/// page's record then exists once, as text, while the caller parses it.
fn record_cb<R>(
    cb: extern "C" fn(*mut c_void, *const c_char, usize) -> R,
    ud: *mut c_void,
    r: Record,
) -> R {
    text_cb(cb, ud, r.into_text())
}

fn text_cb<R>(
    cb: extern "C" fn(*mut c_void, *const c_char, usize) -> R,
    ud: *mut c_void,
    mut text: String,
) -> R {
    let len = text.len();
    text.push('\0');
    cb(ud, text.as_ptr().cast(), len)
}

/// The async shape: parse, start, hand out the handle; deliver on a
/// library thread once the start call has returned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_op(
    action: Action,
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> Result<()> {
    let c = swc_client::from_ptr(client)?;
    check_out(op, "op")?;
    let (request, common) = take_common(optional(request_json, "request_json")?)?;
    let job = prepare(action, request.as_deref())?;
    let keys = common.record_keys;
    let cancel = CancellationToken::new();
    let shared = Arc::new(OpShared {
        cancel: cancel.clone(),
        done: Mutex::new(None),
        cv: Condvar::new(),
    });
    c.register_op(&shared);
    let run = start(
        c.rt.handle(),
        c.client.clone(),
        action.name(),
        on_progress.is_some(),
        cancel,
        common.trans_id_extra,
        job,
    );
    let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
    let ud = UserData(user_data);
    let sh = shared.clone();
    c.rt.handle().spawn_blocking(move || {
        // Nothing is delivered before the start call has returned; if it did
        // not succeed (a panic after starting), no callback fires at all.
        let ud = ud;
        if gate_rx.recv().is_err() {
            run.cancel.cancel();
            let (status, summary) = deliver_blocking(run, &mut |_| true, &mut |_| {});
            sh.finish(status.code(), summary.to_string());
            return;
        }
        let mut rec = |r: Record| {
            on_record.is_none_or(|f| record_cb(f, ud.ptr(), r.project(keys.as_ref())) == 0)
        };
        let mut prog = |v: &Value| {
            if let Some(f) = on_progress {
                json_cb(f, ud.ptr(), v)
            }
        };
        let (status, summary) = deliver_blocking(run, &mut rec, &mut prog);
        let text = summary.to_string();
        if let Some(f) = on_done {
            let mut t = text.clone();
            t.push('\0');
            f(ud.ptr(), status.code(), t.as_ptr().cast(), text.len());
        }
        if let Some(f) = free_user_data {
            f(ud.ptr());
        }
        sh.finish(status.code(), text);
    });
    write_out(op, Box::into_raw(Box::new(swc_op { shared })))?;
    let _ = gate_tx.send(());
    Ok(())
}

/// The blocking twin: records and progress are delivered on the calling
/// thread; returns when the operation is over.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_op(
    action: Action,
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
) -> Result<()> {
    let c = swc_client::from_ptr(client)?;
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            Status::WouldDeadlock,
            "a blocking operation was started from a library-owned thread (inside a callback); use the _start form",
        ));
    }
    let (request, common) = take_common(optional(request_json, "request_json")?)?;
    let job = prepare(action, request.as_deref())?;
    let keys = common.record_keys;
    let token = token_of(cancel).child_token();
    let run = start(
        c.rt.handle(),
        c.client.clone(),
        action.name(),
        on_progress.is_some(),
        token,
        common.trans_id_extra,
        job,
    );
    let mut rec = |r: Record| {
        on_record.is_none_or(|f| record_cb(f, user_data, r.project(keys.as_ref())) == 0)
    };
    let mut prog = |v: &Value| {
        if let Some(f) = on_progress {
            json_cb(f, user_data, v)
        }
    };
    let (status, summary) = deliver_blocking(run, &mut rec, &mut prog);
    if status == Status::Ok {
        if !summary_json.is_null() {
            write_string(summary_json, &summary.to_string())?;
        }
        return Ok(());
    }
    let message = match status {
        Status::Cancelled => "the operation was cancelled".to_string(),
        _ => summary["error"]["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "{} of {} sub-operations failed",
                    summary["failed"], summary["records"]
                )
            }),
    };
    let mut e = Error::new(status, message);
    // The operation's own error (it failed as a whole): its facts too.
    let own = &summary["error"];
    let text = |k: &str| own[k].as_str().map(str::to_string);
    e.key = text("key");
    e.http_status = own["http_status"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok());
    e.http_reason = text("http_reason");
    e.transaction_id = text("transaction_id");
    e.method = text("method");
    e.url = text("url");
    e.retryable = own["retryable"] == true;
    e.summary = Some(summary);
    Err(e)
}

/// Cancels an operation: in-flight work stops promptly and is reported as
/// cancelled; `on_done` still fires (with SWC_E_CANCELLED). Idempotent,
/// callable from any thread and from the operation's own callbacks. NULL
/// does nothing.
#[no_mangle]
pub extern "C" fn swc_op_cancel(op: *const swc_op) {
    guard_value((), || {
        if let Some(o) = op_ref(op) {
            o.shared.cancel.cancel();
        }
    })
}

fn op_ref<'a>(op: *const swc_op) -> Option<&'a swc_op> {
    // SAFETY: NULL or a live handle from a _start function.
    unsafe { op.as_ref() }
}

/// Waits for the operation to end (its `on_done` has returned), at most
/// `timeout_ms` milliseconds (negative: no limit). On SWC_OK writes the
/// operation's final status to `*op_status` and its summary JSON to
/// `*summary_json` (either may be NULL). Returns SWC_OK, SWC_E_TIMEOUT (still
/// running), SWC_E_INVALID_ARGUMENT, or SWC_E_WOULD_DEADLOCK (an unbounded
/// wait from a library thread, e.g. inside the operation's own callback).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_op_wait(
    op: *const swc_op,
    timeout_ms: i64,
    op_status: *mut swc_status,
    summary_json: *mut *mut c_char,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        let o = op_ref(op).ok_or_else(|| Error::null_argument("op"))?;
        if timeout_ms < 0 && tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                Status::WouldDeadlock,
                "waiting for an operation from a library thread",
            ));
        }
        let timeout = (timeout_ms >= 0).then(|| Duration::from_millis(timeout_ms as u64));
        let Some((status, summary)) = o.shared.wait(timeout) else {
            return Err(Error::new(
                Status::Timeout,
                "the operation is still running",
            ));
        };
        if !op_status.is_null() {
            write_out(op_status, status)?;
        }
        if !summary_json.is_null() {
            write_string(summary_json, &summary)?;
        }
        Ok(())
    })
}

/// Releases the handle. The operation itself goes on (cancel it first if
/// you want it stopped); the client waits for it when freed. NULL does
/// nothing.
///
/// # Safety
/// `op` is NULL or a handle from a _start function, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_op_free(op: *mut swc_op) {
    guard_value((), || {
        if !op.is_null() {
            // SAFETY: from Box::into_raw in start_op.
            drop(unsafe { Box::from_raw(op) });
        }
    })
}
