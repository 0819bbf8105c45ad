//! Account calls.

use super::client::swc_client;
use super::panic::guard;
use super::strings::{check_out, optional, write_string};
use super::swc_status;
use crate::error::{Error, Result};
use std::ffi::c_char;

/// Parses `{"Header-Name": "value", ...}` (NULL for none).
pub(crate) fn parse_headers(p: *const c_char, name: &str) -> Result<Vec<(String, String)>> {
    let Some(text) = optional(p, name)? else {
        return Ok(Vec::new());
    };
    let v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| {
            Error::config(
                name,
                format!("\"{name}\" must be a JSON object of header names to strings: {e}"),
            )
        })?;
    v.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            other => Err(Error::config(
                name,
                format!("header \"{k}\" must be a string, not {other}"),
            )),
        })
        .collect()
}

/// `HEAD` the account. `headers_json` (NULL for none) is a JSON object of
/// extra request headers. On success writes `{"status", "reason",
/// "headers"}` (header names lower-case; secret values shown as "***") to
/// `*result_json`.
///
/// Blocks; thread-safe. A 401 causes one shared re-authentication and one
/// retry. Returns SWC_OK; SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG; SWC_E_AUTH;
/// SWC_E_NOT_FOUND; SWC_E_HTTP; SWC_E_TIMEOUT; SWC_E_NETWORK; SWC_E_TLS;
/// SWC_E_WOULD_DEADLOCK; SWC_E_PANIC.
#[no_mangle]
pub extern "C" fn swc_account_head(
    client: *const swc_client,
    headers_json: *const c_char,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let c = swc_client::from_ptr(client)?;
        check_out(result_json, "result_json")?;
        let headers = parse_headers(headers_json, "headers_json")?;
        let rec =
            c.rt.block_on(crate::conn::account::head(&c.client, &headers))??;
        write_string(result_json, &rec.to_string())
    })
}
