//! Cancelling bulk operations mid-way: an upload stops, its unfinished
//! segments are deleted and no manifest appears; a download stops and
//! leaves no file, not even a partial one.

mod common;

use common::faultproxy::{Fault, FaultProxy};
use common::*;
use serde_json::{json, Value};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::op::{swc_op, swc_op_cancel, swc_op_free, swc_op_wait};
use swiftclient::ffi::service::{swc_download_start, swc_upload_start};
use swiftclient::ffi::{swc_string_free, SWC_E_CANCELLED, SWC_OK};

struct Watch {
    op: AtomicUsize,
    records: Mutex<Vec<Value>>,
    /// Cancel when a record with this action arrives.
    cancel_on: &'static str,
}

extern "C" fn on_record(ud: *mut c_void, json: *const c_char, _len: usize) -> c_int {
    let w = unsafe { &*(ud as *const Watch) };
    let v: Value = serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap();
    if v["action"] == w.cancel_on {
        swc_op_cancel(w.op.load(Ordering::SeqCst) as *const swc_op);
    }
    w.records.lock().unwrap().push(v);
    0
}

#[test]
fn cancelling_an_upload_removes_its_segments() {
    let dir = tmpdir("cx-up");
    let path = dir.join("big");
    std::fs::write(&path, data(20 * 200_000, 5)).unwrap();
    let cont = unique("cx-up");
    let c = ffi_client(&v1_options());
    let w = Box::new(Watch {
        op: AtomicUsize::new(0),
        records: Mutex::new(vec![]),
        cancel_on: "upload_segment",
    });
    let req = CString::new(json!({"container": cont, "objects": [{"path": path, "object_name": "big"}], "segment_size": 200_000, "segment_threads": 2}).to_string()).unwrap();
    let mut op = ptr::null_mut();
    assert_eq!(
        swc_upload_start(
            c,
            req.as_ptr(),
            Some(on_record),
            None,
            None,
            &*w as *const Watch as *mut c_void,
            None,
            &mut op
        ),
        SWC_OK
    );
    w.op.store(op as usize, Ordering::SeqCst);
    let mut status = 0;
    let mut summary = ptr::null_mut();
    assert_eq!(swc_op_wait(op, 60_000, &mut status, &mut summary), SWC_OK);
    let s = unsafe { CStr::from_ptr(summary) }
        .to_str()
        .unwrap()
        .to_string();
    unsafe {
        swc_string_free(summary);
        swc_op_free(op);
        swc_client_free(c);
    }
    assert_eq!(status, SWC_E_CANCELLED, "{s}");
    let recs = w.records.lock().unwrap();
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(up["success"], false);
    assert_eq!(
        up["error_record"]["status"], 12,
        "reported as cancelled: {up}"
    );
    assert!(
        recs.iter()
            .filter(|r| r["action"] == "upload_segment" && r["success"] == true)
            .count()
            < 20
    );
    let cl = client(&v1_options());
    rt().block_on(async {
        assert!(stored_names(&cl, &cont).await.is_empty(), "no manifest");
        assert!(
            stored_names(&cl, &format!("{cont}_segments"))
                .await
                .is_empty(),
            "the unfinished upload's segments were deleted"
        );
        cleanup(&cl, &cont).await;
        cleanup(&cl, &format!("{cont}_segments")).await;
    });
}

#[test]
fn cancelling_a_download_leaves_no_file() {
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let cont = unique("cx-down");
    let opts =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    let cl = client(&opts);
    r.block_on(async {
        mkcontainer(&cl, &cont).await;
        put(&cl, &cont, "slow", &data(2_000_000, 8), json!({})).await;
    });
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    let out = tmpdir("cx-down-out");
    let c = ffi_client(&opts);
    let mut auth = ptr::null_mut();
    assert_eq!(
        swiftclient::ffi::client::swc_client_auth(c, ptr::null(), &mut auth, ptr::null_mut()),
        SWC_OK
    );
    unsafe { swc_string_free(auth) };
    // The GET (the first request: a download sends no HEAD) trickles.
    fp.push(Fault::Throttle(16 * 1024, Duration::from_millis(100)));
    let w = Box::new(Watch {
        op: AtomicUsize::new(0),
        records: Mutex::new(vec![]),
        cancel_on: "never",
    });
    let req = CString::new(
        json!({"container": cont, "objects": ["slow"], "out_directory": out}).to_string(),
    )
    .unwrap();
    let mut op = ptr::null_mut();
    assert_eq!(
        swc_download_start(
            c,
            req.as_ptr(),
            Some(on_record),
            None,
            None,
            &*w as *const Watch as *mut c_void,
            None,
            &mut op
        ),
        SWC_OK
    );
    std::thread::sleep(Duration::from_millis(600));
    let t = Instant::now();
    swc_op_cancel(op);
    swc_op_cancel(op);
    let mut status = 0;
    assert_eq!(
        swc_op_wait(op, 10_000, &mut status, ptr::null_mut()),
        SWC_OK
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "stopped promptly: {:?}",
        t.elapsed()
    );
    unsafe {
        swc_op_free(op);
        swc_client_free(c);
    }
    assert_eq!(status, SWC_E_CANCELLED);
    let recs = w.records.lock().unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["success"], false);
    assert_eq!(recs[0]["error_record"]["status"], 12);
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
    stop.cancel();
    th.join().unwrap();
    rt().block_on(async { cleanup(&client(&v1_options()), &cont).await });
}

#[test]
fn retries_and_reauthentication_show_as_progress_events() {
    use swiftclient::ffi::service::swc_stat;
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let (url, _) = r.block_on(v1_token("test:tester", "testing"));
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    // A stale token first (one re-auth), then a 503 (one retry).
    let proxied = url.replace(&env("SWC_TEST_PROXY_URL"), &fp.url);
    let opts = json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing",
                      "os_storage_url": proxied, "os_auth_token": "AUTH_tk_stale", "starting_backoff": 0.05});
    let c = ffi_client(&opts);
    fp.push(Fault::Status(401, vec![]));
    fp.push(Fault::Pass); // the auth request
    fp.push(Fault::Status(503, vec![]));
    let (st, recs, summary, progress) = svc_progress(swc_stat, c, json!({}), ptr::null());
    unsafe { swc_client_free(c) };
    stop.cancel();
    th.join().unwrap();
    assert_eq!(st, SWC_OK, "{summary} {recs:?}");
    let events: Vec<&str> = progress
        .iter()
        .filter_map(|p| p["event"].as_str())
        .collect();
    assert_eq!(events, ["reauth", "retry"], "{progress:?}");
    let retry = progress.iter().find(|p| p["event"] == "retry").unwrap();
    assert_eq!(
        (
            retry["http_status"].as_u64(),
            retry["attempt"].as_u64(),
            retry["action"].as_str()
        ),
        (Some(503), Some(2), Some("stat"))
    );
}

/// A segment PUT held by a buffering intermediary reaches the cluster
/// after the upload was cancelled and its segments deleted, so it lands:
/// the writer deletes the names whose outcome was unknown again a little
/// later, and nothing is left (the record of that deletion says so).
#[test]
fn a_segment_that_lands_after_the_cancellation_is_deleted_too() {
    let dir = tmpdir("cx-late");
    let path = dir.join("big");
    std::fs::write(&path, data(6 * 100_000, 6)).unwrap();
    let cont = unique("cx-late");
    let (_rt, fp, c) = common::faultproxy::ffi_client_through_proxy_with(json!({}));
    fp.push(Fault::OnMatch(
        "/00000002 ".into(),
        Box::new(Fault::DelayForward(Duration::from_millis(1000))),
    ));
    let w = Box::new(Watch {
        op: AtomicUsize::new(0),
        records: Mutex::new(vec![]),
        cancel_on: "upload_segment",
    });
    let req = CString::new(json!({"container": cont, "objects": [{"path": path, "object_name": "big"}], "segment_size": 100_000, "segment_threads": 3}).to_string()).unwrap();
    let mut op = ptr::null_mut();
    let ud = &*w as *const Watch as *mut c_void;
    let started = swc_upload_start(
        c,
        req.as_ptr(),
        Some(on_record),
        None,
        None,
        ud,
        None,
        &mut op,
    );
    assert_eq!(started, SWC_OK);
    w.op.store(op as usize, Ordering::SeqCst);
    let mut status = 0;
    let mut summary = ptr::null_mut();
    assert_eq!(swc_op_wait(op, 60_000, &mut status, &mut summary), SWC_OK);
    unsafe {
        swc_string_free(summary);
        swc_op_free(op);
        swc_client_free(c);
    }
    assert_eq!(status, SWC_E_CANCELLED);
    let recs = w.records.lock().unwrap();
    let late: Vec<&Value> = recs
        .iter()
        .filter(|r| r["landed_after_cancel"] == true)
        .collect();
    assert_eq!(late.len(), 1, "{recs:#?}");
    assert!(late[0]["object"].as_str().unwrap().ends_with("/00000002"));
    let cl = client(&v1_options());
    rt().block_on(async {
        let segs = format!("{cont}_segments");
        assert_eq!(stored_names(&cl, &segs).await, Vec::<String>::new());
        cleanup(&cl, &cont).await;
        cleanup(&cl, &segs).await;
    });
}
