//! Temp URLs in C.

use super::panic::guard;
use super::strings::{check_out, optional, write_string};
use super::swc_status;
use crate::conn::opts::parse_arg;
use crate::tempurl::{formpost, generate, FormPostRequest, TempUrlRequest};
use std::ffi::c_char;

/// Signs a temporary URL exactly as python-swiftclient's
/// `generate_temp_url` (and `swift tempurl`) does. `request_json`:
/// `{"path": "/v1/AUTH_a/c/o" or a full URL, "seconds": lifetime in
/// seconds (number or string, with s/m/min/h/hr/d suffixes), a Unix time
/// with "absolute": true, or "YYYY-MM-DDThh:mm:ss[Z]" / "YYYY-MM-DD" (no Z:
/// local time), "key": the Temp-URL-Key, "method": "GET" (the default; any), "prefix":
/// bool (path ends at a prefix), "iso8601": bool (expiry written as ISO
/// 8601), "ip_range": "a.b.c.d[/n]", "digest": "sha1" | "sha256" (default)
/// | "sha512"}`. "/info" gives the signed-/info form. A query string, a
/// fragment or the last segment's `;params` in "path" are not signed and
/// not printed, as `swift tempurl` parses the path.
///
/// No network; thread-safe. On success writes the URL (path and query, or
/// the full URL when one was given) to `*url`. The key never appears in
/// error records. Returns SWC_OK; SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG (bad
/// path, time or digest, a missing or empty key: the record's `key` says
/// which); SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_tempurl(
    request_json: *const c_char,
    url: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        check_out(url, "url")?;
        let r: TempUrlRequest = parse_arg(
            optional(request_json, "request_json")?,
            "request_json",
            "temp URL request",
        )?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        write_string(url, &generate(&r, now)?)
    })
}

/// Signs a FormPost form (the formpost middleware's browser uploads).
/// `request_json`: `{"path": "/v1/AUTH_a/container[/prefix]", "redirect"
/// ("" for none), "max_file_size", "max_file_count", "seconds" (as
/// swc_tempurl), "absolute", "key", "digest": "sha1" | "sha256" (default)
/// | "sha512"}`. On success writes `{"path", "redirect", "max_file_size",
/// "max_file_count", "expires", "signature"}` — the form's hidden fields —
/// to `*result_json`. No network; thread-safe. Returns SWC_OK;
/// SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG (as swc_tempurl; a missing or empty
/// key too); SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_formpost_signature(
    request_json: *const c_char,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        check_out(result_json, "result_json")?;
        let r: FormPostRequest = parse_arg(
            optional(request_json, "request_json")?,
            "request_json",
            "form request",
        )?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        write_string(result_json, &formpost(&r, now)?.to_string())
    })
}
