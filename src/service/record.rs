//! Result records: python-swiftclient's keys (`action`, `success`,
//! `container`, `object`, `response_dict`, `error`, ...), plus our error
//! record under `error_record`.

use crate::error::Error;
use serde_json::{json, Value};

pub fn now() -> f64 {
    crate::conn::request::unix_now()
}

/// A success record for `action` on `container`/`object`.
pub fn ok(action: &str, container: Option<&str>, object: Option<&str>) -> Value {
    json!({"action": action, "success": true, "container": container, "object": object})
}

/// A failure record: `error` is the message, `error_record` our full error
/// record, `response_dict` the HTTP facts when there were any.
pub fn failed(action: &str, container: Option<&str>, object: Option<&str>, e: &Error) -> Value {
    let mut v = json!({
        "action": action,
        "success": false,
        "container": container,
        "object": object,
        "error": e.to_string(),
        "error_record": e.to_value(),
        "error_timestamp": now(),
        "attempts": e.attempts,
    });
    if let Some(s) = e.http_status {
        v["response_dict"] =
            json!({"status": s, "reason": e.http_reason, "transaction_id": e.transaction_id});
    }
    v
}

/// Moves the fields of `extra` (an object) into `rec`, replacing any of
/// the same name.
pub fn merge(rec: &mut Value, extra: Value) {
    if let (Value::Object(into), Value::Object(from)) = (rec, extra) {
        into.extend(from);
    }
}

/// The record of one request for `action`: [`ok`] with its response
/// ([`with_response`]), or [`failed`] with its error.
pub fn outcome(
    action: &str,
    container: Option<&str>,
    object: Option<&str>,
    result: &crate::error::Result<Value>,
) -> Value {
    match result {
        Ok(resp) => with_response(ok(action, container, object), resp),
        Err(e) => failed(action, container, object, e),
    }
}

/// The record of a `create_container` that failed. A container the server
/// will not create because it exists (409: Ceph RGW's
/// `BucketAlreadyExists`, where Swift answers 202) or because the user may
/// write into it but not create it (403) is a warning, as in
/// python-swiftclient: `"warning": true`, not counted as a failure; the
/// uploads into it tell whether it is usable.
pub fn container_not_created(container: &str, e: &Error) -> Value {
    let mut r = failed("create_container", Some(container), None, e);
    if matches!(e.http_status, Some(403 | 409)) {
        r["warning"] = json!(true);
    }
    r
}

/// Moves the HTTP parts of a Connection API record into a service record:
/// the response's status, reason and headers under `response_dict`, and
/// `attempts`. A top-level `headers` is left to each action, as in
/// python-swiftclient: the response's headers for `stat_*`
/// ([`with_stat_headers`]), the request's headers for the actions that send
/// some (upload, post, copy, create_container: [`sent_headers`]), none for
/// download and delete.
pub fn with_response(mut v: Value, resp: &Value) -> Value {
    v["response_dict"] =
        json!({"status": resp["status"], "reason": resp["reason"], "headers": resp["headers"]});
    v["attempts"] = resp["attempts"].clone();
    v
}

/// A stat record: [`with_response`] plus the response's headers as
/// `headers`.
pub fn with_stat_headers(v: Value, resp: &Value) -> Value {
    let mut v = with_response(v, resp);
    v["headers"] = resp["headers"].clone();
    v
}

/// The headers a request sent, as a record's `headers` object (names as
/// sent, secret values as "***").
pub fn sent_headers(h: &[(String, String)]) -> Value {
    Value::Object(
        h.iter()
            .map(|(k, v)| {
                let v = if crate::redact::is_secret_header(k) {
                    "***"
                } else {
                    v.as_str()
                };
                (k.clone(), Value::String(v.to_string()))
            })
            .collect(),
    )
}
