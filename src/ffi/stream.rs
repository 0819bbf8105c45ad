//! One stream each way, blocking, with the bulk operations' machinery: an
//! upload from a read callback that segments as it goes, and a verified
//! download of one object to a write callback.

use super::cancel::swc_cancel;
use super::client::swc_client;
use super::panic::guard;
use super::swc_status;
use serde_json::Value;
use std::ffi::{c_char, c_void};

/// Writes a call's record to `*result_json` unless it is NULL (the caller
/// wants only the status, as with the Connection calls).
fn write_record(result_json: *mut *mut c_char, rec: &Value) -> crate::error::Result<()> {
    if result_json.is_null() {
        return Ok(());
    }
    super::strings::write_string(result_json, &rec.to_string())
}

/// Uploads a stream of unknown length from a read callback (run on the
/// calling thread; return bytes read, 0 at the end, negative on error).
/// `request_json`: `{"container", "object_name" (required),
/// "segment_size" (default 10 MiB), "use_slo", "segment_container",
/// "buffer": "memory" (default) | "file", "buffer_dir", "leave_segments",
/// "skip_container_put", "header", "meta", "checksum"}`. A stream shorter
/// than one segment becomes a plain object; otherwise segments
/// `<obj>/slo/<mtime>/<segment_size>/<%08d>` are uploaded while the next
/// one is read, and the manifest written last. Memory: at most two
/// segments (with "memory") or two chunks (with "file": an unlinked
/// temporary file holds the segment being retried). On failure the
/// uploaded segments are deleted unless `leave_segments`.
/// `"checkpoint": "<path>"` (ours) keeps them instead and records in that
/// small JSON file, rewritten whole as each segment lands, the names'
/// prefix and every segment written with its ETag; the same stream uploaded
/// again with `"resumable": true` and the same checkpoint reuses each
/// segment the checkpoint names, the segment container still has, and the
/// stream's bytes match (size and MD5), sending only the others (the
/// stream is read again from its start). Resuming from a checkpoint that
/// is missing, damaged, or for another object is SWC_E_CONFIG (`key`
/// "checkpoint") before anything is read or sent. The checkpoint is
/// removed once the object is whole. Blocks; writes an
/// `upload_object` record to `*result_json` (NULL when only the status
/// matters). Statuses: SWC_OK, SWC_E_CONFIG (the request or the checkpoint,
/// naming the key), SWC_E_CANCELLED (`read` failed) and the request
/// statuses of swc_account_head.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_upload_stream(
    client: *const swc_client,
    request_json: *const c_char,
    read: super::callbacks::swc_read_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let c = swc_client::from_ptr(client)?;
        let read = read.ok_or_else(|| crate::error::Error::null_argument("read"))?;
        let req = crate::service::upload::stream::StreamRequest::parse(super::strings::optional(
            request_json,
            "request_json",
        )?)?;
        let mut src = super::callbacks::CallbackSource::new(read, None, user_data, None);
        let token = super::cancel::token_of(cancel);
        let rec =
            c.rt.block_on(crate::service::upload::stream::upload_stream(
                &c.client, &req, &mut src, &token,
            ))??;
        write_record(result_json, &rec)
    })
}

/// Downloads one object to a write callback (run on the calling thread;
/// SWC_STOP stops with SWC_E_CANCELLED), with `download`'s
/// verification: MD5 and length for a plain object, each segment for SLO
/// and DLO (python-swiftclient and rclone skip large objects).
/// `request_json`: `{"container", "objects": [one name], "header",
/// "checksum"}`. Blocks; writes a `download_object` record (`read_length`,
/// `verified`) to `*result_json` (NULL when only the status matters).
/// Statuses: SWC_OK, SWC_E_NOT_FOUND, SWC_E_CANCELLED and the request
/// statuses of swc_account_head; a segment
/// whose MD5 differs is SWC_E_CHECKSUM (the callback has then received the
/// bytes up to that segment's end: treat them as invalid).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_download_to(
    client: *const swc_client,
    request_json: *const c_char,
    write: super::callbacks::swc_write_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let c = swc_client::from_ptr(client)?;
        let write = write.ok_or_else(|| crate::error::Error::null_argument("write"))?;
        let req = crate::service::download::DownloadRequest::parse(super::strings::optional(
            request_json,
            "request_json",
        )?)?;
        let mut sink = super::callbacks::CallbackSink { write, user_data };
        let token = super::cancel::token_of(cancel);
        let rec = c.rt.block_on(crate::service::download::download_one(
            &c.client, &req, &mut sink, &token,
        ))??;
        write_record(result_json, &rec)
    })
}
