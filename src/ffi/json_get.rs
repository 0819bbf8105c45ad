//! Accessors over the JSON text the library returns (result, error and
//! summary records, listing pages), so a C program reads the common fields
//! — status, HTTP status, ETag, bytes, message — without a JSON parser.
//! Paths are those of the builder (`json.rs`), plus array indexes.

use super::json::path_keys;
use super::panic::guard_value;
use super::strings::write_out;
use super::swc_status;
use crate::error::Status;
use serde_json::Value;
use std::ffi::{c_char, CStr};

/// Why a lookup gave no value of the asked type.
enum Miss {
    /// NULL arguments, text that is not JSON or not UTF-8, a bad path, a
    /// value of another type.
    Invalid,
    /// No member on the path, or null.
    Absent,
}

impl Miss {
    fn code(self) -> swc_status {
        match self {
            Miss::Invalid => Status::InvalidArgument.code(),
            Miss::Absent => Status::NotFound.code(),
        }
    }
}

/// The value at `path` in the JSON text `json`: object members by key,
/// array elements by a decimal index.
fn lookup(json: *const c_char, path: *const c_char) -> Result<Value, Miss> {
    if json.is_null() || path.is_null() {
        return Err(Miss::Invalid);
    }
    // SAFETY: the caller passes NUL-terminated strings for the call.
    let (json, path) = unsafe { (CStr::from_ptr(json), CStr::from_ptr(path)) };
    let (Ok(json), Ok(path)) = (json.to_str(), path.to_str()) else {
        return Err(Miss::Invalid);
    };
    let keys = path_keys(path).map_err(|_| Miss::Invalid)?;
    let mut v: Value = serde_json::from_str(json).map_err(|_| Miss::Invalid)?;
    for k in &keys {
        let next = match &mut v {
            Value::Object(m) => m.remove(k.as_str()),
            Value::Array(a) => k
                .parse::<usize>()
                .ok()
                .filter(|i| *i < a.len())
                .map(|i| a.swap_remove(i)),
            _ => None,
        };
        v = next.ok_or(Miss::Absent)?;
    }
    match v {
        Value::Null => Err(Miss::Absent),
        v => Ok(v),
    }
}

/// Copies the string at `path` in the JSON text `json` into `buf`.
///
/// `path` is a dotted path of object keys and array indexes:
/// "status", "headers.etag", "listing.0.name" (a "." or "\" inside a key
/// written "\." or "\\"). The whole text is parsed at each call: for many
/// fields of a large text, a JSON library does better.
///
/// When the string is there, `*len` (if `len` is non-NULL) gets its length
/// in bytes, without the terminating NUL — even when `buf` is too small,
/// an exception to the out-parameter rule, so the caller can allocate
/// `*len + 1` bytes and call again. With `buf` NULL and `cap` 0 only the
/// length is asked: SWC_OK. Otherwise the string and a NUL are copied when
/// they fit in `cap` bytes (a string holding a NUL, `\u0000` in JSON, is copied whole:
/// `*len` tells its end).
///
/// Statuses: SWC_OK; SWC_E_NOT_FOUND (no such member or index, or null);
/// SWC_E_INVALID_ARGUMENT (`json` or `path` NULL or not UTF-8, `json` not
/// valid JSON, a bad path, the value not a string, `buf` NULL with `cap`
/// non-zero, or `buf` too small: then `*len` ≥ `cap` and `buf` holds ""
/// when `cap` > 0). Never writes past `cap` bytes. Thread-safe.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_get_string(
    json: *const c_char,
    path: *const c_char,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> swc_status {
    guard_value(Status::Panic.code(), || {
        let s = match lookup(json, path) {
            Ok(Value::String(s)) => s,
            Ok(_) => return Miss::Invalid.code(),
            Err(m) => return m.code(),
        };
        if buf.is_null() && cap > 0 {
            return Miss::Invalid.code();
        }
        if !len.is_null() {
            let _ = write_out(len, s.len());
        }
        if buf.is_null() {
            return Status::Ok.code();
        }
        copy_out(&s, buf, cap)
    })
}

/// Copies `s` and a NUL into `buf` of `cap` bytes (non-NULL) when they fit,
/// else makes it "" (if `cap` > 0) and refuses.
fn copy_out(s: &str, buf: *mut c_char, cap: usize) -> swc_status {
    if s.len() >= cap {
        if cap > 0 {
            // SAFETY: buf has at least one writable byte.
            unsafe { *buf = 0 };
        }
        return Miss::Invalid.code();
    }
    // SAFETY: buf has cap > s.len() writable bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
    Status::Ok.code()
}

/// Reads the integer at `path` (paths as `swc_json_get_string`) into
/// `*value`. A number with a fraction, or beyond int64_t, is not an
/// integer. Statuses: SWC_OK; SWC_E_NOT_FOUND (no such member, or null);
/// SWC_E_INVALID_ARGUMENT (a NULL argument, bad JSON or path, not an
/// integer). Thread-safe.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_get_int(
    json: *const c_char,
    path: *const c_char,
    value: *mut i64,
) -> swc_status {
    guard_value(Status::Panic.code(), || {
        if value.is_null() {
            return Miss::Invalid.code();
        }
        let n = match lookup(json, path) {
            Ok(Value::Number(n)) => n,
            Ok(_) => return Miss::Invalid.code(),
            Err(m) => return m.code(),
        };
        let Some(i) = n.as_i64().or_else(|| {
            // 3.0 is an integer written as a float; i64::MAX as f64 rounds
            // up to 2^63, itself out of range, hence the strict bound.
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
                .map(|f| f as i64)
        }) else {
            return Miss::Invalid.code();
        };
        match write_out(value, i) {
            Ok(()) => Status::Ok.code(),
            Err(_) => Miss::Invalid.code(),
        }
    })
}

/// Reads the boolean at `path` (paths as `swc_json_get_string`) into
/// `*value`. Statuses: SWC_OK; SWC_E_NOT_FOUND (no such member, or null);
/// SWC_E_INVALID_ARGUMENT (a NULL argument, bad JSON or path, not true or
/// false). Thread-safe.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_get_bool(
    json: *const c_char,
    path: *const c_char,
    value: *mut bool,
) -> swc_status {
    guard_value(Status::Panic.code(), || {
        if value.is_null() {
            return Miss::Invalid.code();
        }
        match lookup(json, path) {
            Ok(Value::Bool(b)) => match write_out(value, b) {
                Ok(()) => Status::Ok.code(),
                Err(_) => Miss::Invalid.code(),
            },
            Ok(_) => Miss::Invalid.code(),
            Err(m) => m.code(),
        }
    })
}
