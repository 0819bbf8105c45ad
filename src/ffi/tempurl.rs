//! Temp URLs in C.

use super::panic::guard;
use super::strings::{check_out, optional, write_string};
use super::swc_status;
use crate::conn::opts::parse;
use crate::tempurl::{generate, TempUrlRequest};
use std::ffi::c_char;

/// Signs a temporary URL exactly as python-swiftclient's
/// `generate_temp_url` (and `swift tempurl`) does. `request_json`:
/// `{"path": "/v1/AUTH_a/c/o" or a full URL, "seconds": lifetime in
/// seconds (number or string, with s/m/min/h/hr/d suffixes), a Unix time
/// with "absolute": true, or "YYYY-MM-DDThh:mm:ss[Z]" / "YYYY-MM-DD" (no Z:
/// local time), "key": the Temp-URL-Key, "method": "GET" (any), "prefix":
/// bool (path ends at a prefix), "iso8601": bool (expiry written as ISO
/// 8601), "ip_range": "a.b.c.d[/n]", "digest": "sha1" | "sha256" (default)
/// | "sha512"}`. "/info" gives the signed-/info form.
///
/// No network; thread-safe. On success writes the URL (path and query, or
/// the full URL when one was given) to `*url`. The key never appears in
/// error records. Returns SWC_OK; SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG (bad
/// path, time or digest: the record's `key` says which); SWC_E_PANIC.
#[no_mangle]
pub extern "C" fn swc_tempurl(
    request_json: *const c_char,
    url: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        check_out(url, "url")?;
        let r: TempUrlRequest = parse(optional(request_json, "request_json")?, "temp URL request")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        write_string(url, &generate(&r, now)?)
    })
}
