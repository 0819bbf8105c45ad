//! C strings in and out, and the out-parameter rules: strings returned to C
//! are malloc'd (freed by `swc_string_free`), out-parameters are written only
//! on success.

use crate::error::{Error, Result, Status};
use std::ffi::{c_char, CStr};

/// An optional C string argument (NULL → `None`) as UTF-8.
pub fn optional<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string that outlives the call.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map(Some).map_err(|e| {
        Error::argument(
            name,
            format!(
                "argument \"{name}\" is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Copies `s` into a malloc'd NUL-terminated string.
pub fn to_c(s: &str) -> Result<*mut c_char> {
    if s.as_bytes().contains(&0) {
        return Err(Error::internal("string with an interior NUL"));
    }
    // SAFETY: malloc of len+1, then a bounded copy and the terminator.
    unsafe {
        let p = libc::malloc(s.len() + 1).cast::<u8>();
        if p.is_null() {
            return Err(Error::new(Status::Internal, "out of memory"));
        }
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
        Ok(p.cast())
    }
}

/// Checks that a required out-parameter is non-NULL.
pub fn check_out<T>(p: *mut T, name: &str) -> Result<()> {
    if p.is_null() {
        Err(Error::argument(
            name,
            format!("out-parameter \"{name}\" must not be NULL"),
        ))
    } else {
        Ok(())
    }
}

/// Writes a malloc'd copy of `s` to `*out` (non-NULL, checked by the caller).
pub fn write_string(out: *mut *mut c_char, s: &str) -> Result<()> {
    let p = to_c(s)?;
    // SAFETY: out was checked non-NULL by check_out before any work.
    unsafe { *out = p };
    Ok(())
}

/// Writes the error record to `*err_json` when `err_json` is non-NULL.
pub fn write_error(err_json: *mut *mut c_char, e: &Error) {
    if err_json.is_null() {
        return;
    }
    if let Ok(p) = to_c(&e.to_json()) {
        // SAFETY: err_json is non-NULL; the caller owns the string after this.
        unsafe { *err_json = p };
    }
}

/// The static NUL-terminated name of a status.
pub fn static_name(s: Status) -> *const c_char {
    s.c_name().as_ptr()
}

/// Writes `v` to a required out-parameter.
pub fn write_out<T>(out: *mut T, v: T) -> Result<()> {
    check_out(out, "out")?;
    // SAFETY: non-NULL; the caller passes a writable pointer.
    unsafe { out.write(v) };
    Ok(())
}

/// A byte range the caller lends for the call (`p` may be NULL when `len` is 0).
pub fn slice<'a>(p: *const u8, len: usize, name: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        if len > 0 {
            return Err(Error::argument(
                name,
                format!("argument \"{name}\" is NULL but its length is {len}"),
            ));
        }
        return Ok(&[]);
    }
    // SAFETY: the caller lends `len` readable bytes at `p` for the call.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// `s` as a C string for a callback: NULs (which C would take for the end)
/// shown as spaces, NUL-terminated; with its length without the NUL.
pub fn callback_text(s: &str) -> (String, usize) {
    let mut text = s.replace('\0', " ");
    let len = text.len();
    text.push('\0');
    (text, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_null_checks() {
        assert!(matches!(optional(std::ptr::null(), "x"), Ok(None)));
        let bad = [0xffu8, 0xfe, 0];
        assert!(
            matches!(optional(bad.as_ptr().cast(), "name"), Err(e) if e.message.contains("UTF-8"))
        );
        assert!(matches!(optional(c"ok".as_ptr(), "x"), Ok(Some("ok"))));
    }

    #[test]
    fn names_match() {
        for s in Status::ALL {
            let n = unsafe { CStr::from_ptr(static_name(*s)) };
            assert_eq!(n.to_str().ok(), Some(s.name()));
        }
    }
}
