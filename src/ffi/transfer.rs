//! The Connection API's object bodies in C: uploads from a read callback,
//! a file descriptor, a path or a buffer, and downloads to a write
//! callback, a file descriptor, a path or a malloc'd buffer. Conversion
//! only, as in `conn.rs`, whose call helpers these share.

use super::callbacks::{
    swc_read_fn, swc_rewind_fn, swc_write_fn, CallbackSink, CallbackSource, MallocSink,
};
use super::cancel::swc_cancel;
use super::client::swc_client;
use super::conn::{known_length, name, parse_call, run};
use super::panic::{guard, guard_value};
use super::strings::{check_out, slice, write_out};
use super::swc_status;
use crate::conn::body::{FdSink, FileSource, PathSink};
use crate::conn::object;
use crate::conn::opts::{GetOpts, PutOpts};
use crate::error::{Error, Result};
use std::ffi::{c_char, c_int, c_void};

/// The arguments every object call shares.
#[derive(Clone, Copy)]
struct ObjectCall {
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
}

impl ObjectCall {
    fn new(
        client: *const swc_client,
        container: *const c_char,
        object: *const c_char,
        opts_json: *const c_char,
        cancel: *const swc_cancel,
        result_json: *mut *mut c_char,
    ) -> ObjectCall {
        ObjectCall {
            client,
            container,
            object,
            opts_json,
            cancel,
            result_json,
        }
    }
}

fn put_with(
    call: ObjectCall,
    mut source: Box<dyn crate::conn::body::BodySource + '_>,
) -> Result<()> {
    let (cont, obj) = (
        name(call.container, "container")?,
        name(call.object, "object")?,
    );
    let (o, scope): (PutOpts, _) = parse_call(call.opts_json, "upload options")?;
    run(
        call.client,
        call.cancel,
        call.result_json,
        scope,
        |c, t| async move { object::put(&c, cont, obj, &o, source.as_mut(), &t).await },
    )
}

/// Uploads an object from a read callback. `length` is the size when known
/// (sent as Content-Length; the callback must then deliver exactly that
/// many bytes: one that gives fewer, or more, is SWC_E_INVALID_ARGUMENT and
/// nothing is stored), or -1 (chunked transfer); any other negative length
/// is SWC_E_INVALID_ARGUMENT. The upload is retried only if `rewind` is
/// non-NULL (it must restart the stream and return 0).
/// `opts_json`: `{"headers", "query", "etag", "content_type", "checksum"}`.
/// The record has `etag`, `md5` and `bytes`; an MD5 that differs from the
/// returned ETag is SWC_E_CHECKSUM — found after the server stored the
/// bytes, since a callback's stream cannot be hashed before it is sent:
/// give `etag` when you know the MD5, and the server refuses a damaged
/// body (422, SWC_E_CHECKSUM) instead. The `_fd` (regular file), `_path`
/// and `_buffer` forms hash the body first and send its ETag themselves,
/// retrying a refused (damaged) body. Callbacks run on the calling thread.
/// Statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CHECKSUM, SWC_E_CANCELLED
/// (`read` returned -1) and the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_put(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    read: swc_read_fn,
    rewind: swc_rewind_fn,
    user_data: *mut c_void,
    length: i64,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let read = read.ok_or_else(|| Error::null_argument("read"))?;
        let src = CallbackSource::new(read, rewind, user_data, known_length(length)?);
        put_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            Box::new(src),
        )
    })
}

/// Uploads from a file descriptor, from its current offset (`length` bytes,
/// or -1 for up to the end; any other negative length is
/// SWC_E_INVALID_ARGUMENT). The descriptor is not closed. Retried when the
/// descriptor can seek back. A regular file is read twice: hashed first, its
/// MD5 sent as ETag (see `swc_object_put`).
/// Statuses: those of `swc_object_put` (SWC_OK, SWC_E_INVALID_ARGUMENT,
/// SWC_E_CHECKSUM, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_put_fd(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    fd: c_int,
    length: i64,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let src = FileSource::from_fd(fd, known_length(length)?)?;
        put_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            Box::new(src),
        )
    })
}

/// Uploads a file by path (a missing file is SWC_E_INVALID_ARGUMENT).
/// Statuses: those of `swc_object_put` (SWC_OK, SWC_E_CHECKSUM, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_put_path(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    path: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let src = FileSource::open(std::path::Path::new(name(path, "path")?))?;
        put_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            Box::new(src),
        )
    })
}

/// Uploads `len` bytes from memory (`buf` may be NULL when `len` is 0).
/// Statuses: those of `swc_object_put` (SWC_OK, SWC_E_INVALID_ARGUMENT,
/// SWC_E_CHECKSUM, ...).
///
/// @code
///   const char text[] = "hello";
///   char *err = NULL;
///   if (swc_object_put_buffer(client, "photos", "hello.txt",
///                             "{\"content_type\": \"text/plain\"}",
///                             (const uint8_t *)text, sizeof text - 1,
///                             NULL, NULL, &err) != SWC_OK) {
///       fprintf(stderr, "upload: %s\n", err);
///       swc_string_free(err);
///   }
/// @endcode
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_put_buffer(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    buf: *const u8,
    len: usize,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let data = slice(buf, len, "buf")?;
        let src = crate::conn::body::BytesSource::new(data);
        put_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            Box::new(src),
        )
    })
}

fn get_with(call: ObjectCall, sink: &mut (dyn crate::conn::body::BodySink + '_)) -> Result<()> {
    let (cont, obj) = (
        name(call.container, "container")?,
        name(call.object, "object")?,
    );
    let (o, scope): (GetOpts, _) = parse_call(call.opts_json, "download options")?;
    run(
        call.client,
        call.cancel,
        call.result_json,
        scope,
        |c, t| async move { object::get(&c, cont, obj, &o, sink, &t).await },
    )
}

/// Downloads an object to a write callback (run on the calling thread;
/// SWC_STOP stops with SWC_E_CANCELLED). `opts_json`: `{"headers"
/// (e.g. Range, If-Match, If-None-Match, If-Modified-Since), "query",
/// "checksum" (default true), "resume" (default true)}`. Length is always
/// verified, MD5 too for whole plain objects; a body that breaks is resumed
/// with Range + If-Match so the callback sees each byte once. The record
/// has `bytes`, `md5`, `verified` and `attempts`. Statuses: SWC_OK,
/// SWC_E_NOT_FOUND, SWC_E_PRECONDITION (a condition in `headers` not
/// met), SWC_E_CHECKSUM (length or MD5 wrong), SWC_E_CANCELLED and
/// the request statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_get(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    write: swc_write_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let write = write.ok_or_else(|| Error::null_argument("write"))?;
        let mut sink = CallbackSink { write, user_data };
        get_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            &mut sink,
        )
    })
}

/// Downloads to a file descriptor (not closed). Statuses: those of
/// `swc_object_get` (SWC_OK, SWC_E_NOT_FOUND, SWC_E_CHECKSUM, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_get_fd(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    fd: c_int,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let mut sink = FdSink::new(fd)?;
        get_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            &mut sink,
        )
    })
}

/// Downloads to a file: written under a temporary name in the same
/// directory and renamed onto `path` only when complete and verified; on
/// any failure nothing is left at `path` (an existing file is untouched).
/// Statuses: those of `swc_object_get` (SWC_OK, SWC_E_NOT_FOUND,
/// SWC_E_CHECKSUM, ...); SWC_E_INVALID_ARGUMENT when the file cannot be
/// written (the record names it).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_get_path(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    path: *const c_char,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let mut sink = PathSink::create(std::path::Path::new(name(path, "path")?))?;
        get_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            &mut sink,
        )
    })
}

/// Downloads into memory the library allocates: on success `*buf` (never
/// NULL) and `*len` are written; free `*buf` with `swc_buffer_free`.
/// Statuses: those of `swc_object_get` (SWC_OK, SWC_E_NOT_FOUND,
/// SWC_E_CHECKSUM, ...).
///
/// @code
///   uint8_t *buf = NULL;
///   size_t len = 0;
///   char *err = NULL;
///   swc_status st = swc_object_get_buffer(client, "photos", "hello.txt", NULL,
///                                         &buf, &len, NULL, NULL, &err);
///   if (st == SWC_OK) {
///       fwrite(buf, 1, len, stdout);
///       swc_buffer_free(buf);
///   } else {
///       fprintf(stderr, "%s: %s\n", swc_status_message(st), err);
///       swc_string_free(err);
///   }
/// @endcode
#[no_mangle]
#[must_use]
pub extern "C" fn swc_object_get_buffer(
    client: *const swc_client,
    container: *const c_char,
    object: *const c_char,
    opts_json: *const c_char,
    buf: *mut *mut u8,
    len: *mut usize,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        check_out(buf, "buf")?;
        check_out(len, "len")?;
        let mut sink = MallocSink::new();
        get_with(
            ObjectCall::new(client, container, object, opts_json, cancel, result_json),
            &mut sink,
        )?;
        let (p, n) = sink.take()?;
        write_out(len, n)?;
        write_out(buf, p)
    })
}

/// Frees a buffer from `swc_object_get_buffer`. NULL does nothing.
///
/// # Safety
/// `buf` is NULL or from `swc_object_get_buffer`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_buffer_free(buf: *mut u8) {
    guard_value((), || {
        // SAFETY: malloc'd by MallocSink; free(NULL) is a no-op.
        unsafe { libc::free(buf.cast()) }
    })
}
