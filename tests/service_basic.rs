//! The bulk-operation contract through the C ABI (async `_start` and the
//! blocking twin), and the stat / list / post / capabilities operations
//! against the real cluster.

mod common;

use common::*;
use serde_json::{json, Value};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use swiftclient::ffi::client::{swc_client, swc_client_free};
use swiftclient::ffi::op::{
    swc_done_fn as DoneFn, swc_free_fn as FreeFn, swc_progress_fn as ProgressFn,
    swc_record_fn as RecordFn,
};
use swiftclient::ffi::op::{swc_op, swc_op_cancel, swc_op_free, swc_op_wait};
use swiftclient::ffi::service::*;
use swiftclient::ffi::{
    swc_string_free, SWC_E_CANCELLED, SWC_E_CONFIG, SWC_E_HTTP, SWC_E_WOULD_DEADLOCK, SWC_OK,
};

/// What the callbacks saw.
#[derive(Default)]
struct Seen {
    records: Mutex<Vec<Value>>,
    in_callback: AtomicBool,
    overlapped: AtomicBool,
    started_returned: AtomicBool,
    done_before_start_returned: AtomicBool,
    done: AtomicUsize,
    done_status: Mutex<Option<i32>>,
    callbacks_after_done: AtomicUsize,
    freed_after_done: AtomicBool,
    freed: AtomicUsize,
    /// Return non-zero from the record callback after this many records.
    stop_after: AtomicUsize,
    /// Sleep in each record callback.
    slow_ms: AtomicUsize,
    cancel_op: Mutex<usize>,
    nested_status: Mutex<Option<i32>>,
    client: Mutex<usize>,
}

fn s(ud: *mut c_void) -> &'static Seen {
    unsafe { &*(ud as *const Seen) }
}

extern "C" fn on_record(ud: *mut c_void, json: *const c_char, len: usize) -> c_int {
    let seen = s(ud);
    if seen.done.load(Ordering::SeqCst) > 0 {
        seen.callbacks_after_done.fetch_add(1, Ordering::SeqCst);
    }
    if seen.in_callback.swap(true, Ordering::SeqCst) {
        seen.overlapped.store(true, Ordering::SeqCst);
    }
    let text = unsafe { CStr::from_ptr(json) }.to_str().unwrap();
    assert_eq!(text.len(), len);
    let v: Value = serde_json::from_str(text).unwrap();
    let n = {
        let mut r = seen.records.lock().unwrap();
        r.push(v);
        r.len()
    };
    let slow = seen.slow_ms.load(Ordering::SeqCst);
    if slow > 0 {
        std::thread::sleep(Duration::from_millis(slow as u64));
    }
    let op = *seen.cancel_op.lock().unwrap();
    if op != 0 && n == 1 {
        swc_op_cancel(op as *const swc_op);
    }
    let client = *seen.client.lock().unwrap();
    if client != 0 && n == 1 {
        // A blocking operation from inside a callback must refuse, not hang.
        let mut err = ptr::null_mut();
        let st = swc_stat(
            client as *const swc_client,
            ptr::null(),
            None,
            None,
            ptr::null_mut(),
            ptr::null(),
            ptr::null_mut(),
            &mut err,
        );
        unsafe { swc_string_free(err) };
        *seen.nested_status.lock().unwrap() = Some(st);
    }
    seen.in_callback.store(false, Ordering::SeqCst);
    let stop = seen.stop_after.load(Ordering::SeqCst);
    (stop > 0 && n >= stop) as c_int
}

extern "C" fn on_done(ud: *mut c_void, status: i32, summary: *const c_char, len: usize) {
    let seen = s(ud);
    if !seen.started_returned.load(Ordering::SeqCst) {
        seen.done_before_start_returned
            .store(true, Ordering::SeqCst);
    }
    assert_eq!(unsafe { CStr::from_ptr(summary) }.to_bytes().len(), len);
    *seen.done_status.lock().unwrap() = Some(status);
    seen.done.fetch_add(1, Ordering::SeqCst);
}

extern "C" fn free_ud(ud: *mut c_void) {
    let seen = s(ud);
    seen.freed_after_done
        .store(seen.done.load(Ordering::SeqCst) == 1, Ordering::SeqCst);
    seen.freed.fetch_add(1, Ordering::SeqCst);
}

type StartFn = extern "C" fn(
    *const swc_client,
    *const c_char,
    RecordFn,
    ProgressFn,
    DoneFn,
    *mut c_void,
    FreeFn,
    *mut *mut swc_op,
) -> i32;

/// Starts an operation and waits for it; returns (final status, summary).
fn start_and_wait(c: *mut swc_client, start: StartFn, request: Value, seen: &Seen) -> (i32, Value) {
    let req = CString::new(request.to_string()).unwrap();
    let mut op = ptr::null_mut();
    let st = start(
        c,
        req.as_ptr(),
        Some(on_record),
        None,
        Some(on_done),
        seen as *const Seen as *mut c_void,
        Some(free_ud),
        &mut op,
    );
    assert_eq!(st, SWC_OK);
    seen.started_returned.store(true, Ordering::SeqCst);
    let mut status = -1;
    let mut summary = ptr::null_mut();
    assert_eq!(swc_op_wait(op, -1, &mut status, &mut summary), SWC_OK);
    let v: Value =
        serde_json::from_str(unsafe { CStr::from_ptr(summary) }.to_str().unwrap()).unwrap();
    unsafe {
        swc_string_free(summary);
        swc_op_free(op);
    }
    assert_eq!(seen.done.load(Ordering::SeqCst), 1, "on_done exactly once");
    assert!(
        !seen.done_before_start_returned.load(Ordering::SeqCst),
        "on_done before start returned"
    );
    assert!(
        !seen.overlapped.load(Ordering::SeqCst),
        "record callbacks overlapped"
    );
    assert_eq!(
        seen.callbacks_after_done.load(Ordering::SeqCst),
        0,
        "callback after on_done"
    );
    assert!(
        seen.freed_after_done.load(Ordering::SeqCst),
        "free_user_data after on_done"
    );
    assert_eq!(*seen.done_status.lock().unwrap(), Some(status));
    (status, v)
}

async fn container_with(n: usize, prefix: &str) -> String {
    let c = client(&v1_options());
    let name = unique(prefix);
    swiftclient::conn::container::put(&c, &name, &Default::default(), &no_cancel())
        .await
        .unwrap();
    for i in 0..n {
        let body = format!("object {i}");
        swiftclient::conn::object::put(
            &c,
            &name,
            &format!("o{i:03}"),
            &Default::default(),
            &mut swiftclient::conn::body::BytesSource::new(body.as_bytes()),
            &no_cancel(),
        )
        .await
        .unwrap();
    }
    name
}

#[test]
fn stat_objects_async_contract() {
    let name = rt().block_on(container_with(30, "stat"));
    let c = ffi_client(&v1_options());
    let seen = Seen::default();
    let mut objects: Vec<String> = (0..30).map(|i| format!("o{i:03}")).collect();
    objects.push("missing".into());
    let (status, summary) = start_and_wait(
        c,
        swc_stat_start,
        json!({"container": name, "objects": objects, "object_dd_threads": 4}),
        &seen,
    );
    assert_eq!(status, SWC_E_HTTP, "one object is missing: {summary}");
    assert_eq!(summary["records"], 31);
    assert_eq!(summary["failed"], 1);
    let recs = seen.records.lock().unwrap();
    let missing = recs.iter().find(|r| r["object"] == "missing").unwrap();
    assert_eq!(missing["success"], false);
    assert_eq!(missing["response_dict"]["status"], 404);
    let ok = recs.iter().find(|r| r["object"] == "o007").unwrap();
    assert_eq!(ok["action"], "stat_object");
    assert_eq!(ok["items"][4][0], "Content Length");
    assert_eq!(ok["items"][4][1], "8");
    drop(recs);
    rt().block_on(async { cleanup(&client(&v1_options()), &name).await });
    unsafe { swc_client_free(c) };
}

#[test]
fn start_failure_fires_no_callback() {
    let c = ffi_client(&v1_options());
    let seen = Seen::default();
    let req = CString::new(r#"{"objects": ["a"]}"#).unwrap();
    let mut op = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = swc_stat_start(
        c,
        req.as_ptr(),
        Some(on_record),
        None,
        Some(on_done),
        &seen as *const Seen as *mut c_void,
        Some(free_ud),
        &mut op,
    );
    assert_eq!(st, SWC_E_CONFIG);
    assert!(op.is_null());
    let bad = CString::new(r#"{"containr": "x"}"#).unwrap();
    assert_eq!(
        swc_list(
            c,
            bad.as_ptr(),
            None,
            None,
            ptr::null_mut(),
            ptr::null(),
            ptr::null_mut(),
            &mut err
        ),
        SWC_E_CONFIG
    );
    let rec = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    unsafe { swc_string_free(err) };
    assert!(rec.contains("containr"), "{rec}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(seen.done.load(Ordering::SeqCst), 0);
    assert_eq!(seen.freed.load(Ordering::SeqCst), 0);
    assert!(seen.records.lock().unwrap().is_empty());
    unsafe { swc_client_free(c) };
}

#[test]
fn record_callback_stops_and_cancel_from_callback() {
    let name = rt().block_on(container_with(20, "stop"));
    let objects: Vec<String> = (0..20).map(|i| format!("o{i:03}")).collect();
    let c = ffi_client(&v1_options());
    // Non-zero from the record callback stops the operation.
    let seen = Seen::default();
    seen.stop_after.store(1, Ordering::SeqCst);
    let (status, summary) = start_and_wait(
        c,
        swc_stat_start,
        json!({"container": name, "objects": objects, "object_dd_threads": 1}),
        &seen,
    );
    assert_eq!(status, SWC_E_CANCELLED, "{summary}");
    assert_eq!(
        seen.records.lock().unwrap().len(),
        1,
        "no record callback after the stop"
    );
    assert!(summary["records"].as_u64().unwrap() < 20, "{summary}");
    // swc_op_cancel from inside a callback, and a nested blocking call.
    let seen = Seen::default();
    *seen.client.lock().unwrap() = c as usize;
    let req = CString::new(
        json!({"container": name, "objects": objects, "object_dd_threads": 1}).to_string(),
    )
    .unwrap();
    let mut op: *mut swc_op = ptr::null_mut();
    let seen_ptr = &seen as *const Seen as *mut c_void;
    // The op pointer must be known to the callback before it runs: it is,
    // because nothing is delivered before the start call returns.
    let cell = &seen.cancel_op as *const Mutex<usize>;
    let st = swc_stat_start(
        c,
        req.as_ptr(),
        Some(on_record),
        None,
        Some(on_done),
        seen_ptr,
        Some(free_ud),
        &mut op,
    );
    assert_eq!(st, SWC_OK);
    unsafe { *(*cell).lock().unwrap() = op as usize };
    seen.started_returned.store(true, Ordering::SeqCst);
    let mut status = 0;
    assert_eq!(
        swc_op_wait(op, 10_000, &mut status, ptr::null_mut()),
        SWC_OK
    );
    assert_eq!(status, SWC_E_CANCELLED);
    assert_eq!(
        *seen.nested_status.lock().unwrap(),
        Some(SWC_E_WOULD_DEADLOCK)
    );
    unsafe { swc_op_free(op) };
    rt().block_on(async { cleanup(&client(&v1_options()), &name).await });
    unsafe { swc_client_free(c) };
}

#[test]
fn slow_callbacks_do_not_stall_io() {
    // Four operations whose record callbacks sleep 3 s each (more than the
    // runtime has workers) while a fifth, unrelated call must stay fast.
    let name = rt().block_on(container_with(2, "slow"));
    let c = ffi_client(&v1_options());
    let seens: Vec<Box<Seen>> = (0..4).map(|_| Box::default()).collect();
    let mut ops = Vec::new();
    for seen in &seens {
        seen.slow_ms.store(3000, Ordering::SeqCst);
        let req = CString::new(json!({"container": name}).to_string()).unwrap();
        let mut op = ptr::null_mut();
        assert_eq!(
            swc_stat_start(
                c,
                req.as_ptr(),
                Some(on_record),
                None,
                Some(on_done),
                &**seen as *const Seen as *mut c_void,
                Some(free_ud),
                &mut op
            ),
            SWC_OK
        );
        seen.started_returned.store(true, Ordering::SeqCst);
        ops.push(op);
    }
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let seen = Seen::default();
    let (status, _) = start_and_wait(c, swc_stat_start, json!({}), &seen);
    assert_eq!(status, SWC_OK);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "stalled: {:?}",
        t.elapsed()
    );
    for op in ops {
        assert_eq!(
            swc_op_wait(op, -1, ptr::null_mut(), ptr::null_mut()),
            SWC_OK
        );
        unsafe { swc_op_free(op) };
    }
    rt().block_on(async { cleanup(&client(&v1_options()), &name).await });
    unsafe { swc_client_free(c) };
}

#[test]
fn freeing_the_client_waits_for_on_done() {
    let name = rt().block_on(container_with(10, "free"));
    let objects: Vec<String> = (0..10).map(|i| format!("o{i:03}")).collect();
    let c = ffi_client(&v1_options());
    let seen = Box::new(Seen::default());
    seen.slow_ms.store(100, Ordering::SeqCst);
    let req = CString::new(
        json!({"container": name, "objects": objects, "object_dd_threads": 1}).to_string(),
    )
    .unwrap();
    let mut op = ptr::null_mut();
    assert_eq!(
        swc_stat_start(
            c,
            req.as_ptr(),
            Some(on_record),
            None,
            Some(on_done),
            &*seen as *const Seen as *mut c_void,
            Some(free_ud),
            &mut op
        ),
        SWC_OK
    );
    seen.started_returned.store(true, Ordering::SeqCst);
    unsafe { swc_op_free(op) };
    std::thread::sleep(Duration::from_millis(150));
    unsafe { swc_client_free(c) };
    assert_eq!(
        seen.done.load(Ordering::SeqCst),
        1,
        "on_done ran before swc_client_free returned"
    );
    // Cancelled, unless every HEAD had already finished (queued records are
    // still delivered before on_done).
    let st = seen.done_status.lock().unwrap().unwrap();
    assert!(st == SWC_E_CANCELLED || st == SWC_OK, "{st}");
    assert_eq!(seen.freed.load(Ordering::SeqCst), 1);
    let n = seen.records.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        seen.records.lock().unwrap().len(),
        n,
        "no callback after swc_client_free"
    );
    rt().block_on(async { cleanup(&client(&v1_options()), &name).await });
}

/// Blocking twin: records arrive on the calling thread.
fn blocking(
    run: impl Fn(
        *const swc_client,
        *const c_char,
        RecordFn,
        *mut c_void,
        *mut *mut c_char,
        *mut *mut c_char,
    ) -> i32,
    c: *mut swc_client,
    req: Value,
) -> (i32, Vec<Value>, Value) {
    struct Acc {
        thread: std::thread::ThreadId,
        recs: Vec<Value>,
        wrong_thread: bool,
    }
    extern "C" fn rec(ud: *mut c_void, json: *const c_char, _len: usize) -> c_int {
        let acc = unsafe { &mut *(ud as *mut Acc) };
        acc.wrong_thread |= std::thread::current().id() != acc.thread;
        acc.recs
            .push(serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap());
        0
    }
    let mut acc = Acc {
        thread: std::thread::current().id(),
        recs: vec![],
        wrong_thread: false,
    };
    let r = CString::new(req.to_string()).unwrap();
    let mut summary = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = run(
        c,
        r.as_ptr(),
        Some(rec),
        &mut acc as *mut Acc as *mut c_void,
        &mut summary,
        &mut err,
    );
    assert!(
        !acc.wrong_thread,
        "a record was delivered on another thread"
    );
    let out = if st == SWC_OK { summary } else { err };
    let v: Value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { swc_string_free(out) };
    (st, acc.recs, v)
}

#[test]
fn list_post_capabilities_blocking() {
    let name = rt().block_on(container_with(25, "svc"));
    let c = ffi_client(&v1_options());
    let list = |c, r, cb, ud, s, e| swc_list(c, r, cb, None, ud, ptr::null(), s, e);
    let (st, recs, summary) = blocking(list, c, json!({"container": name, "limit": 10}));
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(recs.len(), 3, "one record per page");
    assert_eq!(recs[0]["action"], "list_container_part");
    assert_eq!(recs[2]["listing"].as_array().unwrap().len(), 5);
    assert_eq!(recs[1]["marker"], "o009");
    let (_, recs, _) = blocking(list, c, json!({"container": name, "prefix": "o02"}));
    assert_eq!(recs[0]["listing"].as_array().unwrap().len(), 5);
    // The page as the server sent it, in a record of the usual shape.
    let full = &recs[0];
    assert_eq!(full["success"], true);
    assert_eq!(full["container"], name.as_str());
    assert_eq!(full["prefix"], "o02");
    assert!(
        full["object"].is_null() && full["marker"].is_null(),
        "{full}"
    );
    let e = &full["listing"][0];
    assert_eq!(e["name"], "o020");
    assert!(e["hash"].is_string() && e["bytes"].is_u64() && e["last_modified"].is_string());
    // `fields`: only those keys, values untouched; a subdir stays a subdir.
    let (st, recs, _) = blocking(
        list,
        c,
        json!({"container": name, "prefix": "o02", "fields": ["name", "bytes"]}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(
        recs[0]["listing"][0],
        json!({"name": "o020", "bytes": e["bytes"]})
    );
    let (_, recs, _) = blocking(
        list,
        c,
        json!({"container": name, "prefix": "o0", "delimiter": "0", "fields": ["name"], "limit": 3}),
    );
    let all: Vec<Value> = recs
        .iter()
        .flat_map(|r| r["listing"].as_array().unwrap().clone())
        .collect();
    assert_eq!(
        all[..3],
        [
            json!({"subdir": "o00"}),
            json!({"subdir": "o010"}),
            json!({"name": "o011"})
        ],
        "{all:?}"
    );
    for bad in [json!([]), json!([""]), json!("name")] {
        let (st, _, err) = blocking(list, c, json!({"container": name, "fields": bad}));
        assert_eq!(st, SWC_E_CONFIG, "{err}");
    }
    // A version names one object.
    let stat = |c, r, cb, ud, s, e| swc_stat(c, r, cb, None, ud, ptr::null(), s, e);
    let download = |c, r, cb, ud, s, e| swc_download(c, r, cb, None, ud, ptr::null(), s, e);
    for two in [json!([]), json!(["o001", "o002"])] {
        let req = json!({"container": name, "objects": two, "version_id": "1.0"});
        for op in [stat, download] {
            let (st, recs, err) = blocking(op, c, req.clone());
            assert_eq!(
                (st, err["key"].as_str()),
                (SWC_E_CONFIG, Some("version_id")),
                "{err}"
            );
            assert!(recs.is_empty());
        }
    }

    let post = |c, r, cb, ud, s, e| swc_post(c, r, cb, None, ud, ptr::null(), s, e);
    // Container metadata and ACLs; a missing container is created.
    let fresh = unique("post-created");
    let (st, recs, _) = blocking(
        post,
        c,
        json!({"container": fresh, "meta": ["Colour:red"], "read_acl": ".r:*"}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(recs[0]["created"], true);
    let (st, recs, _) = blocking(
        post,
        c,
        json!({"container": name, "objects": ["o001", "o002", "nope"], "meta": ["Kind:test"], "header": ["Content-Type: text/x-swc"]}),
    );
    assert_eq!(st, SWC_E_HTTP, "one object is missing");
    assert_eq!(recs.len(), 3);
    // `headers` is what was sent (python-swiftclient's post record).
    let posted = recs.iter().find(|r| r["object"] == "o001").unwrap();
    assert_eq!(
        posted["headers"],
        json!({"Content-Type": "text/x-swc", "X-Object-Meta-Kind": "test"}),
        "{posted}"
    );
    assert_eq!(posted["response_dict"]["status"], 202, "{posted}");
    // `long` account listing: container metadata and policy.
    let (_, recs, _) = blocking(list, c, json!({"prefix": fresh, "long": true}));
    let e = &recs[0]["listing"][0];
    assert_eq!(e["meta"]["colour"], "red", "{e}");
    assert_eq!(e["storage_policy"], "gold");
    let stat = |c, r, cb, ud, s, e| swc_stat(c, r, cb, None, ud, ptr::null(), s, e);
    let (_, recs, _) = blocking(stat, c, json!({"container": name, "objects": ["o001"]}));
    assert_eq!(recs[0]["headers"]["x-object-meta-kind"], "test");
    assert_eq!(recs[0]["headers"]["content-type"], "text/x-swc");
    let (_, recs, _) = blocking(stat, c, json!({"container": fresh}));
    assert_eq!(recs[0]["headers"]["x-container-read"], ".r:*");
    assert_eq!(recs[0]["items"][4], json!(["Read ACL", ".r:*"]));
    let (st, recs, _) = blocking(post, c, json!({"meta": ["Swc-Test:1"]}));
    assert_eq!(
        (st, recs[0]["action"].as_str()),
        (SWC_OK, Some("post_account"))
    );
    let (_, recs, _) = blocking(stat, c, json!({}));
    assert_eq!(recs[0]["action"], "stat_account");
    assert_eq!(recs[0]["headers"]["x-account-meta-swc-test"], "1");
    assert_eq!(recs[0]["items"][0][0], "Account");

    let caps = |c, r, cb, ud, s, e| swc_capabilities(c, r, cb, None, ud, ptr::null(), s, e);
    let (st, recs, _) = blocking(caps, c, json!({}));
    assert_eq!(st, SWC_OK);
    assert!(recs[0]["capabilities"]["slo"].is_object());
    let (_, recs, _) = blocking(
        caps,
        c,
        json!({"url": env("SWC_TEST_PROXY_URL"), "refresh_cache": true}),
    );
    assert!(recs[0]["capabilities"]["swift"].is_object());

    let cl = client(&v1_options());
    rt().block_on(async {
        cleanup(&cl, &name).await;
        cleanup(&cl, &fresh).await;
    });
    unsafe { swc_client_free(c) };
}

#[test]
fn copy_objects_to_another_container() {
    let name = rt().block_on(container_with(5, "copy-src"));
    let dest = unique("copy-dst");
    let c = ffi_client(&v1_options());
    let (st, recs, summary) = svc(
        swc_copy,
        c,
        json!({"container": name, "objects": ["o001", "o002"], "destination": format!("/{dest}"), "meta": ["Copied:yes"]}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(recs[0]["action"], "create_container");
    assert_eq!(
        recs.iter().filter(|r| r["action"] == "copy_object").count(),
        2
    );
    let (st, _, _) = svc(
        swc_copy,
        c,
        json!({"container": name, "objects": ["o003"], "destination": format!("/{dest}/renamed"), "fresh_metadata": true}),
    );
    assert_eq!(st, SWC_OK);
    let (st, _, e) = svc(
        swc_copy,
        c,
        json!({"container": name, "objects": ["o001", "o002"], "destination": format!("/{dest}/one")}),
    );
    assert_eq!((st, e["key"].as_str()), (SWC_E_CONFIG, Some("destination")));
    let cl = client(&v1_options());
    rt().block_on(async {
        let mut got = names(&cl, &dest).await;
        got.sort();
        assert_eq!(got, ["o001", "o002", "renamed"]);
        let h =
            swiftclient::conn::object::head(&cl, &dest, "o001", &Default::default(), &no_cancel())
                .await
                .unwrap();
        assert_eq!(h["headers"]["x-object-meta-copied"], "yes");
        cleanup(&cl, &name).await;
        cleanup(&cl, &dest).await;
    });
    unsafe { swc_client_free(c) };
}
