//! A JSON object builder for C programs without a JSON library: options and
//! requests are JSON text, and a C program should not need an escaper of
//! its own (the one examples-c/swc_sync.c used to carry let control
//! characters through). Keys are dotted paths, as the accessors in
//! `json_get.rs` read them; the text is built on demand and escaped by
//! serde_json.

use super::panic::guard_value;
use super::swc_status;
use crate::error::{Error, Result, Status};
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// A JSON object under construction. Opaque. Create it with
/// `swc_json_new`, fill it with the `swc_json_set_*` functions, pass
/// `swc_json_text` to any call taking options or a request, free it with
/// `swc_json_free`.
///
/// Thread-safety: a builder may be read (`swc_json_text`,
/// `swc_json_error`) from many threads at once, but a change must not run
/// alongside any other use of the same builder.
pub struct swc_json {
    root: Vec<(String, Node)>,
    /// The text of `root`, made by the first `swc_json_text` after a change.
    text: OnceLock<CString>,
    /// The error record of the last setter, when it failed.
    error: Option<CString>,
}

/// A member's value: objects the builder creates keep their members in the
/// order they were set; everything else is a serde_json value.
enum Node {
    Leaf(Value),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn write(&self, out: &mut String) {
        match self {
            Node::Leaf(v) => out.push_str(&v.to_string()),
            Node::Object(members) => write_object(members, out),
        }
    }
}

fn write_object(members: &[(String, Node)], out: &mut String) {
    out.push('{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(k.clone()).to_string());
        out.push(':');
        v.write(out);
    }
    out.push('}');
}

/// Splits a dotted path into its keys: `.` separates, `\.` is a dot and
/// `\\` a backslash inside a key (a header name may hold a dot).
pub(super) fn path_keys(path: &str) -> Result<Vec<String>> {
    // The key being read is held apart, so there is always one to extend.
    let mut keys = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => keys.push(std::mem::take(&mut key)),
            '\\' => match chars.next() {
                Some(e @ ('.' | '\\')) => key.push(e),
                _ => {
                    return Err(key_error(
                        path,
                        "a backslash in a path must be followed by \".\" or \"\\\"",
                    ))
                }
            },
            c => key.push(c),
        }
    }
    keys.push(key);
    if keys.iter().any(String::is_empty) {
        return Err(key_error(path, "the path has an empty key"));
    }
    Ok(keys)
}

/// An SWC_E_INVALID_ARGUMENT error whose record names `key`.
fn key_error(key: &str, why: &str) -> Error {
    crate::conn::invalid_field(key, format!("\"{key}\": {why}"))
}

/// The key argument, named `arg` ("key", or "name" for a header), as
/// UTF-8 (the record's `key` is `arg` when it is not).
fn key_arg<'a>(p: *const c_char, arg: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(crate::conn::invalid_field(
            arg,
            format!("argument \"{arg}\" must not be NULL"),
        ));
    }
    // SAFETY: the caller passes a NUL-terminated string for the call.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        crate::conn::invalid_field(
            arg,
            format!(
                "argument \"{arg}\" (\"{}\") is not valid UTF-8 (at byte {})",
                c.to_string_lossy(),
                e.valid_up_to()
            ),
        )
    })
}

/// A value argument as UTF-8; errors name the member `key` it is for.
fn value_arg<'a>(p: *const c_char, key: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(crate::conn::invalid_field(
            key,
            format!("the value of \"{key}\" must not be NULL (swc_json_set_null sets null)"),
        ));
    }
    // SAFETY: the caller passes a NUL-terminated string for the call.
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|e| {
        crate::conn::invalid_field(
            key,
            format!(
                "the value of \"{key}\" is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })
}

impl swc_json {
    /// The members of the object at `keys` (created as needed), and the
    /// last key. Walks without changing anything until every existing
    /// member on the way is known to be an object, so a failure leaves the
    /// builder as it was.
    fn parent<'a>(
        &'a mut self,
        keys: &'a [String],
        path: &str,
    ) -> Result<(&'a mut Vec<(String, Node)>, &'a str)> {
        let Some((last, walk)) = keys.split_last() else {
            return Err(key_error(path, "the path names no key"));
        };
        let mut members = &mut self.root;
        for k in walk {
            let at = match members.iter().position(|(n, _)| n == k) {
                Some(at) => at,
                None => {
                    members.push((k.clone(), Node::Object(Vec::new())));
                    members.len() - 1
                }
            };
            let node = &mut members[at].1;
            if let Node::Leaf(Value::Object(m)) = node {
                // An object given with swc_json_set_raw, now extended.
                let m = std::mem::take(m);
                *node = Node::Object(m.into_iter().map(|(k, v)| (k, Node::Leaf(v))).collect());
            }
            members = match node {
                Node::Object(m) => m,
                Node::Leaf(_) => return Err(key_error(path, &format!("\"{k}\" is not an object"))),
            };
        }
        Ok((members, last))
    }

    /// Sets the member at `keys` to `node`, replacing one already there.
    fn set(&mut self, keys: &[String], path: &str, node: Node) -> Result<()> {
        let (members, last) = self.parent(keys, path)?;
        match members.iter_mut().find(|(n, _)| n == last) {
            Some(slot) => slot.1 = node,
            None => members.push((last.to_string(), node)),
        }
        Ok(())
    }

    /// Appends `s` to the array at `keys`, creating it.
    fn append(&mut self, keys: &[String], path: &str, s: &str) -> Result<()> {
        let (members, last) = self.parent(keys, path)?;
        match members.iter_mut().find(|(n, _)| n == last) {
            Some((_, Node::Leaf(Value::Array(a)))) => a.push(Value::String(s.to_string())),
            Some(_) => return Err(key_error(path, "the member is not an array")),
            None => members.push((
                last.to_string(),
                Node::Leaf(Value::Array(vec![Value::String(s.to_string())])),
            )),
        }
        Ok(())
    }
}

/// A builder the caller lends for reading (NULL: none).
fn borrow<'a>(json: *const swc_json) -> Option<&'a swc_json> {
    // SAFETY: the caller passes NULL or a live builder (the header's rule).
    unsafe { json.as_ref() }
}

/// Runs one change on a builder: its status, the builder's error record
/// set (or cleared), the cached text dropped. No panic crosses.
fn change(
    json: *mut swc_json,
    key: *const c_char,
    f: impl FnOnce(&mut swc_json, &str) -> Result<()>,
) -> swc_status {
    change_named(json, key, "key", f)
}

/// `change` for a key argument the C function calls `arg`.
fn change_named(
    json: *mut swc_json,
    key: *const c_char,
    arg: &str,
    f: impl FnOnce(&mut swc_json, &str) -> Result<()>,
) -> swc_status {
    // SAFETY: the caller passes NULL or a live builder it does not use
    // elsewhere during the call (the header's thread-safety rule).
    let Some(b) = (unsafe { json.as_mut() }) else {
        return Status::InvalidArgument.code();
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let key = key_arg(key, arg)?;
        f(b, key)
    }))
    .unwrap_or_else(|_| {
        Err(Error::new(
            Status::Panic,
            "internal panic in the JSON builder",
        ))
    });
    match outcome {
        Ok(()) => {
            b.text = OnceLock::new();
            b.error = None;
            Status::Ok.code()
        }
        Err(e) => {
            if e.status == Status::Panic {
                // The members may be half changed: make the text again.
                b.text = OnceLock::new();
            }
            b.error = CString::new(e.to_json()).ok();
            e.status.code()
        }
    }
}

/// Sets a member from a key path and a ready node.
fn set_node(
    json: *mut swc_json,
    key: *const c_char,
    node: impl FnOnce(&str) -> Result<Node>,
) -> swc_status {
    change(json, key, |b, path| {
        let keys = path_keys(path)?;
        let node = node(path)?;
        b.set(&keys, path, node)
    })
}

/// Creates an empty builder (its text is `{}`) and writes it to `*json`.
/// Returns SWC_OK; SWC_E_INVALID_ARGUMENT (`json` NULL).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_new(json: *mut *mut swc_json) -> swc_status {
    guard_value(Status::Panic.code(), || {
        if json.is_null() {
            return Status::InvalidArgument.code();
        }
        let b = Box::new(swc_json {
            root: Vec::new(),
            text: OnceLock::new(),
            error: None,
        });
        let p = Box::into_raw(b);
        if super::strings::write_out(json, p).is_err() {
            // SAFETY: from Box::into_raw just above, never handed out.
            drop(unsafe { Box::from_raw(p) });
        }
        Status::Ok.code()
    })
}

/// Frees a builder and the texts it gave. NULL does nothing.
///
/// # Safety
/// `json` is NULL or from `swc_json_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_json_free(json: *mut swc_json) {
    guard_value((), || {
        if !json.is_null() {
            // SAFETY: from Box::into_raw in swc_json_new; ownership ends here.
            drop(unsafe { Box::from_raw(json) });
        }
    })
}

/// Sets member `key` to the string `value`, escaped as JSON needs
/// (quotes, backslashes, control characters; other UTF-8 as it is).
///
/// Every setter: `key` is a dotted path — "headers.X-Object-Meta-Color"
/// sets a member of the object "headers", created when missing; a "." or
/// "\" inside a key is written "\." or "\\". A member already there is
/// replaced, in its place; new members come in the order they are set.
/// On failure the builder is unchanged and `swc_json_error` gives the
/// error record, which names the key. Statuses: SWC_OK;
/// SWC_E_INVALID_ARGUMENT (`json`, `key` or `value` NULL; `key` or `value`
/// not UTF-8; an empty key in the path; a member on the path that is not
/// an object).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_string(
    json: *mut swc_json,
    key: *const c_char,
    value: *const c_char,
) -> swc_status {
    set_node(json, key, |path| {
        let v = value_arg(value, path)?;
        Ok(Node::Leaf(Value::String(v.to_string())))
    })
}

/// Sets member `key` to an integer. Statuses as `swc_json_set_string`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_int(
    json: *mut swc_json,
    key: *const c_char,
    value: i64,
) -> swc_status {
    set_node(json, key, |_| Ok(Node::Leaf(Value::from(value))))
}

/// Sets member `key` to true or false. Statuses as `swc_json_set_string`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_bool(
    json: *mut swc_json,
    key: *const c_char,
    value: bool,
) -> swc_status {
    set_node(json, key, |_| Ok(Node::Leaf(Value::Bool(value))))
}

/// Sets member `key` to null. Statuses as `swc_json_set_string`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_null(json: *mut swc_json, key: *const c_char) -> swc_status {
    set_node(json, key, |_| Ok(Node::Leaf(Value::Null)))
}

/// Sets member `key` to a JSON value given as text (any JSON: a number, an
/// array, an object...), checked first: text that is not one JSON value is
/// SWC_E_INVALID_ARGUMENT. The value is written again compactly, an
/// object's members in key order; an object set this way can be extended
/// with paths through it. Statuses as `swc_json_set_string`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_raw(
    json: *mut swc_json,
    key: *const c_char,
    value_json: *const c_char,
) -> swc_status {
    set_node(json, key, |path| {
        let text = value_arg(value_json, path)?;
        serde_json::from_str::<Value>(text)
            .map(Node::Leaf)
            .map_err(|e| key_error(path, &format!("the value is not valid JSON: {e}")))
    })
}

/// Sets the request header `name` to `value`: member `name` of the object
/// "headers", `name` taken as it is (no path: dots are part of it), as the
/// per-request calls' options take headers. (The bulk requests take
/// "header": a list of "Name: value" strings, see
/// `swc_json_append_string`.) Statuses as `swc_json_set_string`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_set_header(
    json: *mut swc_json,
    name: *const c_char,
    value: *const c_char,
) -> swc_status {
    change_named(json, name, "name", |b, name| {
        if name.is_empty() {
            return Err(key_error(name, "a header name must not be empty"));
        }
        let v = value_arg(value, name)?;
        let keys = ["headers".to_string(), name.to_string()];
        b.set(&keys, name, Node::Leaf(Value::String(v.to_string())))
    })
}

/// Appends the string `value` to the array at `key`, created when missing:
/// the bulk requests' "objects", "header" and "meta" lists, "record_keys".
/// Statuses as `swc_json_set_string`; a member `key` that is there but not
/// an array is SWC_E_INVALID_ARGUMENT.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_json_append_string(
    json: *mut swc_json,
    key: *const c_char,
    value: *const c_char,
) -> swc_status {
    change(json, key, |b, path| {
        let keys = path_keys(path)?;
        let v = value_arg(value, path)?;
        b.append(&keys, path, v)
    })
}

/// The builder's JSON text, e.g. `{"container":"c","objects":["a"]}`.
/// Borrowed: valid until the next change to the builder or its free; do
/// not free it. NULL for a NULL builder. A failed setter leaves the text
/// as it was, so check each setter's status (or `swc_json_error`) before
/// sending it.
#[no_mangle]
pub extern "C" fn swc_json_text(json: *const swc_json) -> *const c_char {
    guard_value(std::ptr::null(), || {
        let Some(b) = borrow(json) else {
            return std::ptr::null();
        };
        b.text
            .get_or_init(|| {
                let mut out = String::new();
                write_object(&b.root, &mut out);
                // serde_json writes a NUL inside a string as \u0000, so the
                // text has none; were one there, no text beats a panic.
                CString::new(out).unwrap_or_default()
            })
            .as_ptr()
    })
}

/// The error record (JSON: "status", "message", "key"...) of the builder's
/// last setter, when it failed; NULL when it succeeded (or none ran), and
/// for a NULL builder. Borrowed as `swc_json_text`'s text.
#[no_mangle]
pub extern "C" fn swc_json_error(json: *const swc_json) -> *const c_char {
    guard_value(std::ptr::null(), || {
        match borrow(json).and_then(|b| b.error.as_ref()) {
            Some(e) => e.as_ptr(),
            None => std::ptr::null(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_on_unescaped_dots() {
        assert_eq!(path_keys("a.b").ok(), Some(vec!["a".into(), "b".into()]));
        assert_eq!(
            path_keys(r"x\.y\\.z").ok(),
            Some(vec![r"x.y\".into(), "z".into()])
        );
        assert!(path_keys("a..b").is_err());
        assert!(path_keys("").is_err());
        assert!(path_keys(r"a\b").is_err());
        assert!(path_keys(r"a\").is_err());
    }
}
