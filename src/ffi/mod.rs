//! The C ABI. Thin by rule: pointers and C strings in, Rust calls, JSON and
//! status codes out. No protocol logic lives here.

#![allow(non_camel_case_types)]

pub mod callbacks;
pub mod cancel;
pub mod client;
pub mod conn;
pub mod json;
pub mod json_get;
pub mod op;
pub mod op_state;
mod panic;
pub mod service;
pub mod stream;
mod strings;
pub mod tempurl;
pub mod transfer;

use crate::error::Status;
use std::ffi::{c_char, c_int};

/// A status code. Every fallible function returns one. The values are fixed
/// and never renumbered; read them as integers.
pub type swc_status = i32;

/// Success.
pub const SWC_OK: swc_status = 0;
/// A required pointer was NULL, a string was not UTF-8, or a value was out of range.
pub const SWC_E_INVALID_ARGUMENT: swc_status = 1;
/// Options were malformed, unknown, or inconsistent (the record names the key).
pub const SWC_E_CONFIG: swc_status = 2;
/// Authentication or authorisation failed (HTTP 401/403 or a bad auth answer).
pub const SWC_E_AUTH: swc_status = 3;
/// The account, container or object does not exist (HTTP 404).
pub const SWC_E_NOT_FOUND: swc_status = 4;
/// Conflict (HTTP 409), e.g. deleting a container that is not empty.
pub const SWC_E_CONFLICT: swc_status = 5;
/// A precondition failed (HTTP 304, 412, 416).
pub const SWC_E_PRECONDITION: swc_status = 6;
/// Any other unexpected HTTP status (see http_status in the record).
pub const SWC_E_HTTP: swc_status = 7;
/// A connect or read timeout (or HTTP 408).
pub const SWC_E_TIMEOUT: swc_status = 8;
/// The connection could not be made or broke.
pub const SWC_E_NETWORK: swc_status = 9;
/// TLS failed (certificate, hostname, handshake).
pub const SWC_E_TLS: swc_status = 10;
/// An MD5 or length check failed.
pub const SWC_E_CHECKSUM: swc_status = 11;
/// The operation was cancelled.
pub const SWC_E_CANCELLED: swc_status = 12;
/// A blocking call was made from a library-owned thread (inside a callback).
pub const SWC_E_WOULD_DEADLOCK: swc_status = 13;
/// The server or this build does not support the request.
pub const SWC_E_UNSUPPORTED: swc_status = 14;
/// A bug: a panic was caught at the C boundary (the record has its message).
pub const SWC_E_PANIC: swc_status = 15;
/// A bug or an impossible state.
pub const SWC_E_INTERNAL: swc_status = 16;

/// The library version, e.g. "0.1.0". A static string: do not free it.
/// Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn swc_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The name of a status code, e.g. "SWC_E_AUTH" for 3, or "SWC_E_UNKNOWN"
/// for a code this version does not define. A static string: do not free it.
/// Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn swc_status_str(status: swc_status) -> *const c_char {
    panic::guard_value(c"SWC_E_PANIC".as_ptr(), || {
        match Status::from_code(status) {
            Some(s) => strings::static_name(s),
            None => c"SWC_E_UNKNOWN".as_ptr(),
        }
    })
}

/// What a status code means, in a sentence for people, e.g. "The account,
/// container or object does not exist (HTTP 404)." for SWC_E_NOT_FOUND (the
/// header's comment on each constant), or "Unknown status code." for a code
/// this version does not define. For the details of one failure, read the
/// error record's "message". A static string: do not free it. Thread-safe;
/// never fails.
#[no_mangle]
pub extern "C" fn swc_status_message(status: swc_status) -> *const c_char {
    panic::guard_value(
        c"Unknown status code.".as_ptr(),
        || match Status::from_code(status) {
            Some(s) => s.c_message().as_ptr(),
            None => c"Unknown status code.".as_ptr(),
        },
    )
}

/// Callback return value: go on (0). Every callback that returns
/// SWC_CONTINUE or SWC_STOP takes any non-zero value as SWC_STOP.
pub const SWC_CONTINUE: c_int = 0;
/// Callback return value: stop the transfer, listing or operation (1).
pub const SWC_STOP: c_int = 1;

/// Frees a string the library returned (a result or error record).
/// `swc_string_free(NULL)` does nothing. Do not pass strings handed to a
/// callback: those are borrowed.
///
/// # Safety
/// `s` is NULL or a string returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_string_free(s: *mut c_char) {
    panic::guard_value((), || {
        if !s.is_null() {
            // SAFETY: every string the library returns comes from malloc
            // (strings::to_c), and the caller gives up ownership here.
            unsafe { libc::free(s.cast()) }
        }
    })
}
