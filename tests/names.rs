//! Names and paths that would reach other resources are refused before
//! anything is sent: container names "." and ".." (a URL resolves them to
//! the account, or above it: `DELETE` of container "." is `DELETE` of the
//! account), control characters, and `swc_request` paths with "." or ".."
//! segments — in per-request calls, bulk operations and copy destinations
//! (`swc`: tests/swc_cli.rs). Every request goes through a proxy that
//! records it, so the test sees that none left.

mod common;

use common::faultproxy::ffi_client_through_proxy;
use common::*;
use serde_json::{json, Value};
use std::ptr;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::conn::{
    swc_container_delete, swc_container_head, swc_container_put, swc_object_copy, swc_object_head,
    swc_request,
};
use swiftclient::ffi::service::{
    swc_copy, swc_delete, swc_download, swc_list, swc_post, swc_stat, swc_upload,
};
use swiftclient::ffi::transfer::swc_object_put_buffer;
use swiftclient::ffi::SWC_E_INVALID_ARGUMENT;

fn refused(what: &str, got: (i32, Option<Value>, Option<Value>), key: &str) {
    let (st, out, err) = got;
    assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{what}: {out:?} {err:?}");
    let err = err.unwrap();
    assert_eq!(err["key"], key, "{what}: {err}");
}

#[test]
fn dot_containers_and_control_characters_never_leave_the_client() {
    let (_rt, fp, c) = ffi_client_through_proxy();
    let sent_before = fp.heads().len();
    for bad in [".", "..", "a\nb", "tab\there", "del\u{7f}"] {
        let name = cs(bad);
        let n = name.as_ptr();
        let o = cs("o");
        refused(
            &format!("delete {bad:?}"),
            ffi_call(|r, e| swc_container_delete(c, n, ptr::null(), ptr::null(), r, e)),
            "container",
        );
        refused(
            &format!("put {bad:?}"),
            ffi_call(|r, e| swc_container_put(c, n, ptr::null(), ptr::null(), r, e)),
            "container",
        );
        refused(
            &format!("head {bad:?}"),
            ffi_call(|r, e| swc_container_head(c, n, ptr::null(), ptr::null(), r, e)),
            "container",
        );
        refused(
            &format!("object head {bad:?}"),
            ffi_call(|r, e| swc_object_head(c, n, o.as_ptr(), ptr::null(), ptr::null(), r, e)),
            "container",
        );
        refused(
            &format!("put_buffer {bad:?}"),
            ffi_call(|r, e| {
                swc_object_put_buffer(
                    c,
                    n,
                    o.as_ptr(),
                    ptr::null(),
                    b"x".as_ptr(),
                    1,
                    ptr::null(),
                    r,
                    e,
                )
            }),
            "container",
        );
    }
    // A copy whose destination container or object is such a name.
    let (src_c, src_o) = (cs("c"), cs("o"));
    for dest in ["/../o", "/./o", "/c/../o", "/c/a/./b"] {
        let opts = cs(&json!({ "destination": dest }).to_string());
        refused(
            &format!("copy to {dest}"),
            ffi_call(|r, e| {
                swc_object_copy(
                    c,
                    src_c.as_ptr(),
                    src_o.as_ptr(),
                    opts.as_ptr(),
                    ptr::null(),
                    r,
                    e,
                )
            }),
            "destination",
        );
    }
    // The escape hatch stays below the storage URL.
    for path in ["/../AUTH_other/c", "/c/../../AUTH_other", "/./c", "/c/.."] {
        let (m, p) = (cs("GET"), cs(path));
        refused(
            &format!("request {path}"),
            ffi_call(|r, e| {
                swc_request(
                    c,
                    m.as_ptr(),
                    p.as_ptr(),
                    ptr::null(),
                    None,
                    None,
                    ptr::null_mut(),
                    -1,
                    None,
                    ptr::null_mut(),
                    ptr::null(),
                    r,
                    e,
                )
            }),
            "path",
        );
    }
    // Bulk operations refuse at start.
    let ops: [(&str, Twin, Value); 7] = [
        ("delete", swc_delete, json!({"container": "."})),
        (
            "upload",
            swc_upload,
            json!({"container": "..", "objects": [{"path": "/etc/hostname"}]}),
        ),
        (
            "download",
            swc_download,
            json!({"container": ".", "out_directory": "/nonexistent"}),
        ),
        ("list", swc_list, json!({"container": ".."})),
        ("stat", swc_stat, json!({"container": "."})),
        (
            "post",
            swc_post,
            json!({"container": "..", "read_acl": ".r:*"}),
        ),
        (
            "copy",
            swc_copy,
            json!({"container": "c", "objects": ["o"], "destination": "/.."}),
        ),
    ];
    for (what, f, req) in ops {
        let (st, recs, err) = svc(f, c, req);
        assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{what}: {err}");
        assert!(recs.is_empty(), "{what}: {recs:?}");
        let key = if what == "copy" {
            "destination"
        } else {
            "container"
        };
        assert_eq!(err["key"], key, "{what}: {err}");
    }
    let heads = fp.heads();
    assert_eq!(
        heads.len(),
        sent_before,
        "requests were sent: {:?}",
        &heads[sent_before..]
    );
    unsafe { swc_client_free(c) };
}
