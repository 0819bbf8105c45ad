//! The panic boundary. Each exported body runs inside one of these guards, so
//! no panic unwinds into C: it becomes `SWC_E_PANIC` with its message.

use super::strings::write_error;
use super::swc_status;
use crate::error::{Error, Result, Status};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs a fallible body: `Ok` → `SWC_OK`; `Err` → its status, with the error
/// record written to `err_json` when that is non-NULL; panic → `SWC_E_PANIC`.
pub fn guard(err_json: *mut *mut c_char, body: impl FnOnce() -> Result<()>) -> swc_status {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| {
        Err(Error::new(
            Status::Panic,
            format!(
                "internal panic (a bug in libswiftclient): {}",
                panic_message(p.as_ref())
            ),
        ))
    });
    match outcome {
        Ok(()) => super::SWC_OK,
        Err(e) => {
            // Writing the record must not unwind either.
            let _ = catch_unwind(AssertUnwindSafe(|| write_error(err_json, &e)));
            e.status.code()
        }
    }
}

/// Runs an infallible body; a panic yields `on_panic`.
pub fn guard_value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_status_and_record() {
        let mut err: *mut c_char = std::ptr::null_mut();
        let st = guard(&mut err, || panic!("boom {}", 42));
        assert_eq!(st, Status::Panic.code());
        assert!(!err.is_null());
        let rec = unsafe { std::ffi::CStr::from_ptr(err) }
            .to_string_lossy()
            .to_string();
        unsafe { libc::free(err.cast()) };
        let v: serde_json::Value = serde_json::from_str(&rec).unwrap_or_default();
        assert_eq!(v["status"], 15);
        assert!(
            v["message"].as_str().is_some_and(|m| m.contains("boom 42")),
            "{rec}"
        );
    }

    #[test]
    fn null_err_json_is_fine() {
        assert_eq!(guard(std::ptr::null_mut(), || Err(Error::invalid("x"))), 1);
        assert_eq!(guard_value(7, || panic!("no")), 7);
    }
}
