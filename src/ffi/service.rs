//! The SwiftService API in C: each bulk operation as `swc_<op>_start`
//! and its blocking twin `swc_<op>`. The contract is documented on
//! `swc_op` (so that it lands in the header).

use super::cancel::swc_cancel;
use super::client::swc_client;
use super::op::{
    run_op, start_op, swc_done_fn, swc_free_fn, swc_op, swc_progress_fn, swc_record_fn,
};
use super::panic::guard;
use super::swc_status;
use crate::service::Action;
use std::ffi::{c_char, c_void};
// The two streaming calls live in stream.rs; their old path still works.
pub use super::stream::{swc_download_to, swc_upload_stream};

/// Starts `capabilities`: `request_json` `{"url": proxy URL (default: the
/// storage URL's cluster), "refresh_cache": bool}`. One record,
/// `{"action": "capabilities", "capabilities": {..}, "url", "document"}`
/// (`document`: the /info text as the server sent it, its members in the
/// server's order, which `capabilities` does not keep); cached per
/// cluster.
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_capabilities_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Capabilities,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_capabilities_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_capabilities(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Capabilities,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `stat`: `request_json` `{"container", "objects": [names],
/// "header": ["Name: value"], "object_dd_threads", "version_id" (one
/// object's version)}`: the account (no
/// container), a container, or each object concurrently. Records
/// `stat_account` / `stat_container` / `stat_object` with `headers` and
/// `items` (the labelled facts `swift stat` prints).
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_stat_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Stat,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_stat_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_stat(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Stat,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `list`: `request_json` `{"container" (none: the account),
/// "prefix", "delimiter", "marker", "end_marker", "long", "versions",
/// "header", "container_threads", "limit" (entries per page), "fields"
/// (keep only these keys per entry, e.g. ["name"]; "subdir" stays)}`. One
/// record per page: `list_account_part` / `list_container_part` with
/// `listing`, the page as the server sent it.
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_list_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::List,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_list_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_list(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::List,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `post`: `request_json` `{"container", "objects", "header",
/// "meta": ["name:value"], "read_acl", "write_acl", "sync_to", "sync_key",
/// "object_uu_threads"}`: the account, a container (created if missing), or
/// each object concurrently. Records `post_account` / `post_container`
/// (`"created": true` when it was made) / `post_object`.
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_post_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Post,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_post_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_post(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Post,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `delete`: `request_json` `{"container", "objects", "prefix",
/// "yes_all" (every container), "leave_segments", "version_id",
/// "versions", "header", "object_dd_threads", "container_threads", "bulk":
/// "auto" | "always" | "never", "page_size": listing entries held and
/// deleted at a time, default 10000}`. A container is listed and emptied a
/// page at a time. Records `delete_object` (with `bulk`,
/// `slo_segments_deleted`, `dlo_segments_deleted`), `delete_segment`,
/// `delete_container`. Large objects lose their segments unless
/// `leave_segments`, on the bulk path too.
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_delete_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Delete,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_delete_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_delete(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Delete,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `upload`: `request_json` `{"container" ("c" or "c/pseudo/dir"),
/// "objects": [path | {"path" (or "fd": a descriptor such as a pipe or
/// standard input, read to its end as a stream and segmented as read),
/// "object_name", "dir_marker", "header",
/// "meta", and per-item "segment_size", "use_slo", "changed",
/// "skip_identical", "leave_segments", "checksum", "resumable", and for an
/// "fd" item "checkpoint" as in swc_upload_stream}], "object_name", "segment_size" (bytes or "100M"), "use_slo"
/// (default: SLO when the cluster has it), "segment_container" (default
/// "<container>_segments", made with the container's policy),
/// "leave_segments", "changed", "skip_identical", "skip_container_put"
/// (also for the segment container), "header", "meta", "checksum",
/// "resumable", "fail_fast", "object_uu_threads", "segment_threads",
/// "extract_archive"}`.
/// "resumable" (also per item): a large file's upload that fails, is
/// cancelled or whose process dies keeps the segments that landed, and the
/// same upload run again reuses each one whose local byte range has its
/// size and MD5 (read locally, nothing sent) and sends only the rest; its
/// `upload_object` record has `segments_reused` and `segments_sent`, a
/// failed one `"resumable": true`, and reused segments' `upload_segment`
/// records `"reused": true`. A file whose mtime or size changed is a fresh
/// upload (its segments have other names); `swc_orphans` finds what an
/// upload never resumed left. Directories are walked; empty ones become directory
/// markers. Records `create_container`, `upload_object` (`status`:
/// "uploaded", "skipped-changed", "skipped-identical"; `large_object`,
/// `segments`, `old_segments_deleted`), `upload_segment`,
/// `create_dir_marker`, `delete_segment`. Progress events carry `bytes` /
/// `total` per object and `overall_bytes` / `overall_total`.
///
/// `"extract_archive": "tar" | "tar.gz" | "tar.bz2"` sends every file (and
/// directory marker) as one streamed archive PUT to
/// `<container>?extract-archive=<format>` for the cluster's bulk middleware
/// to unpack: one request instead of one per object, the same object names
/// (pseudo-folder and `object_name` included), each object with its
/// `X-Object-Meta-Mtime`, metadata and Content-Type. The archive is built
/// while it is sent (bounded memory, nothing on disk; chunked). Records: a
/// failed `upload_object` for each file the cluster refused
/// (`response_dict.status` is its status) or that could not be read, then
/// one `extract_archive` record (`files`, `files_created`, `bytes`,
/// `bytes_sent`, `format`, `response_status`; `success` false when the
/// archive as a whole failed). The operation ends with SWC_E_UNSUPPORTED
/// when the cluster's `/info` has no `bulk_upload`. SWC_E_CONFIG (naming
/// the key) for what cannot apply: `segment_size`, `use_slo`,
/// `segment_container`, `segment_threads`, `changed`, `skip_identical`,
/// `checksum` true, `fail_fast`, `object_uu_threads`, `fd` items, and
/// headers other than X-Object-Meta-*, Content-Type and (for the whole
/// request) X-Delete-At / X-Delete-After / X-Storage-Policy.
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_upload_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Upload,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_upload_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
///
/// @code
///   char *summary = NULL, *err = NULL;
///   swc_status st = swc_upload(client,
///                              "{\"container\": \"photos\", \"objects\": [\"2026/\"],"
///                              " \"segment_size\": \"100M\"}",
///                              NULL, NULL, NULL, NULL, &summary, &err);
///   if (st != SWC_OK) fprintf(stderr, "%s\n", err);
///   swc_string_free(summary);
///   swc_string_free(err);
/// @endcode
#[no_mangle]
#[must_use]
pub extern "C" fn swc_upload(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Upload,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `download`: `request_json` `{"container", "objects", "yes_all",
/// "prefix", "marker", "out_file" (one object: a path, or "-" for standard
/// output), "out_directory" (default "."), "remove_prefix",
/// "skip_identical", "no_download", "shuffle", "checksum", "ignore_mtime",
/// "header" (e.g. "Range: bytes=0-99"), "object_dd_threads",
/// "container_threads", "version_id" (one object's version), "range_parts"
/// (fetch a plain object of at least
/// "range_threshold" bytes, default 64 MiB, with that many parallel ranged
/// GETs, verified against the ETag when complete), "segment_threads" (an
/// SLO or DLO downloaded to a file: its segments fetched this many at a
/// time, each checked on its own; default 10, 1 for a single GET),
/// "resume_partial" (see below)}`. Each file is written under a temporary
/// name and renamed only when complete and verified (MD5 and length; per
/// segment for SLO and DLO); names that would resolve outside the output
/// directory are refused. With "resume_partial" (not with "no_download"
/// or standard output), a download that fails, is cancelled or whose
/// process dies keeps its partial file, hidden, as
/// `.<name>.swc-partial` beside the target, with a sidecar
/// `.<name>.swc-partial.json` naming the object version (container,
/// object, version id, ETag, Last-Modified, size); a later download with
/// "resume_partial" continues it with `Range` and `If-Match` when it is
/// of the same version, and starts from zero otherwise (a changed object,
/// a missing, corrupt or foreign sidecar); the whole file is still checked
/// against the ETag. A large object (SLO, DLO) resumes per segment: its
/// segments are fetched at their offsets, and a later run hashes each
/// kept segment from disk against its manifest or listing ETag and
/// fetches only those that differ (`resumed_from` is then the bytes of
/// the segments kept); without segment ETags to check ("checksum" off) it
/// is fetched whole. Without it a failed download leaves no file.
/// Records `download_object` (`path`, `read_length`, `verified`: "md5" |
/// "segments" | false, `pseudodir`,
/// `status`; `segments` when they were fetched in parallel; with
/// "resume_partial": `resumed_from` (bytes kept from before),
/// `transferred` (bytes fetched in this run) and `partial_ignored` (why a
/// partial file found was not used)).
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_download_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Download,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_download_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_download(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Download,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `copy`: `request_json` `{"container", "objects", "destination":
/// "/container" or "/container/object" (one object; default: the same
/// container), "fresh_metadata", "header", "meta", "object_uu_threads"}`.
/// The destination container is created first. Records `create_container`,
/// `copy_object` (with `destination`).
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_copy_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Copy,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_copy_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_copy(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Copy,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}

/// Starts `orphans`: finds the segments no manifest uses — left by an
/// upload that failed and was never resumed, or an overwrite with
/// `leave_segments` — and deletes them only when asked. `request_json`
/// `{"container" (where the manifests are), "objects" (only the segments
/// written for these; default all), "segment_container" (default
/// "<container>_segments"), "delete" (default false: only list),
/// "older_than" (seconds: only segments at least this old, so an upload
/// running elsewhere is left alone), "object_dd_threads"}`. Only names in
/// python-swiftclient's segment shape are judged; a large object whose
/// segments the server does not list keeps all of its own. Deleting in a
/// container that keeps object versions is refused (SWC_E_CONFIG): an
/// older version may use them. Records `orphan_segment` (`for_object`,
/// `bytes`, `last_modified`), `delete_segment` (with `delete`), and last
/// `orphans` (`segments`, `bytes`, `deleted`).
/// Start statuses: SWC_OK, SWC_E_INVALID_ARGUMENT, SWC_E_CONFIG (naming the
/// key), SWC_E_PANIC; the final status and the contract are on `swc_op`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_orphans_start(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    on_done: swc_done_fn,
    user_data: *mut c_void,
    free_user_data: swc_free_fn,
    op: *mut *mut swc_op,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        start_op(
            Action::Orphans,
            client,
            request_json,
            on_record,
            on_progress,
            on_done,
            user_data,
            free_user_data,
            op,
        )
    })
}

/// Blocking twin of `swc_orphans_start`: SWC_OK, its start statuses, the final status
/// (`swc_op`), or SWC_E_WOULD_DEADLOCK when called from a library thread.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_orphans(
    client: *const swc_client,
    request_json: *const c_char,
    on_record: swc_record_fn,
    on_progress: swc_progress_fn,
    user_data: *mut c_void,
    cancel: *const swc_cancel,
    summary_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        run_op(
            Action::Orphans,
            client,
            request_json,
            on_record,
            on_progress,
            user_data,
            cancel,
            summary_json,
        )
    })
}
