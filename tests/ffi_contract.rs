//! The C API keeps its word: a body never stored other than the caller
//! announced it (a read callback longer or shorter than its length, a
//! negative length other than -1), against the real cluster; an existing
//! object is never replaced by a broken one.

mod common;

use common::body::{feed, Feed};
use common::*;
use serde_json::json;
use std::ffi::c_void;
use std::ptr;
use swiftclient::ffi::client::{swc_client, swc_client_free};
use swiftclient::ffi::conn::{swc_container_put, swc_request};
use swiftclient::ffi::transfer::{
    swc_object_get, swc_object_put, swc_object_put_buffer, swc_object_put_fd,
};
use swiftclient::ffi::{SWC_E_INVALID_ARGUMENT, SWC_E_NOT_FOUND};

extern "C" fn keep(ud: *mut c_void, buf: *const u8, len: usize) -> i32 {
    let v = unsafe { &mut *(ud as *mut Vec<u8>) };
    v.extend_from_slice(unsafe { std::slice::from_raw_parts(buf, len) });
    0
}

fn get(c: *mut swc_client, cont: &str, obj: &str) -> Option<Vec<u8>> {
    let (cc, oc) = (cs(cont), cs(obj));
    let mut body = Vec::new();
    let ud = &mut body as *mut Vec<u8> as *mut c_void;
    let (st, _, e) = ffi_call(|r, e| {
        swc_object_get(
            c,
            cc.as_ptr(),
            oc.as_ptr(),
            ptr::null(),
            Some(keep),
            ud,
            ptr::null(),
            r,
            e,
        )
    });
    match st {
        0 => Some(body),
        SWC_E_NOT_FOUND => None,
        _ => panic!("GET {cont}/{obj}: {st} {e:?}"),
    }
}

fn put_cb(
    c: *mut swc_client,
    cont: &str,
    obj: &str,
    feed_: &mut Feed,
    length: i64,
) -> (i32, Option<serde_json::Value>) {
    let (cc, oc) = (cs(cont), cs(obj));
    let ud = feed_.ud();
    let (st, _, e) = ffi_call(|r, e| {
        swc_object_put(
            c,
            cc.as_ptr(),
            oc.as_ptr(),
            ptr::null(),
            Some(feed),
            None,
            ud,
            length,
            ptr::null(),
            r,
            e,
        )
    });
    (st, e)
}

#[test]
fn a_read_callback_must_give_exactly_its_length() {
    let c = ffi_client(&v1_options());
    let cont = unique("contract");
    let cc = cs(&cont);
    let (st, _, e) =
        ffi_call(|r, e| swc_container_put(c, cc.as_ptr(), ptr::null(), ptr::null(), r, e));
    assert_eq!(st, 0, "{e:?}");
    // Small bodies are read whole before sending; larger ones stream. Steps:
    // the whole rest at once, and exactly what is asked a call at a time
    // (the extra bytes come only in the read after the announced ones).
    for (size, step) in [
        (1000usize, usize::MAX),
        (1000, 100),
        (300_000, usize::MAX),
        (300_000, 65_536),
        (300_000, 1000),
    ] {
        let old = data(size, 1);
        let obj = format!("o-{size}-{step}");
        let oc = cs(&obj);
        let (st, _, e) = ffi_call(|r, e| {
            swc_object_put_buffer(
                c,
                cc.as_ptr(),
                oc.as_ptr(),
                ptr::null(),
                old.as_ptr(),
                old.len(),
                ptr::null(),
                r,
                e,
            )
        });
        assert_eq!(st, 0, "{e:?}");
        // Longer than announced: refused, and the old object stays whole.
        let mut longer = Feed::new(data(size + 10, 2), step);
        let (st, e) = put_cb(c, &cont, &obj, &mut longer, size as i64);
        assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{size}/{step}: {e:?}");
        let msg = e.unwrap()["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains(&format!("more than the {size} bytes")),
            "{msg}"
        );
        assert_eq!(
            get(c, &cont, &obj).as_deref(),
            Some(&old[..]),
            "{size}/{step}: replaced"
        );
        // Shorter than announced: refused too.
        let mut shorter = Feed::new(data(size - 10, 3), step);
        let (st, e) = put_cb(c, &cont, &obj, &mut shorter, size as i64);
        assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{size}/{step}: {e:?}");
        assert_eq!(
            get(c, &cont, &obj).as_deref(),
            Some(&old[..]),
            "{size}/{step}: replaced"
        );
        // A new object that would be stored cut short is not stored at all.
        let fresh = format!("{obj}-new");
        let mut longer = Feed::new(data(size + 1, 4), step);
        let (st, _) = put_cb(c, &cont, &fresh, &mut longer, size as i64);
        assert_eq!(st, SWC_E_INVALID_ARGUMENT);
        assert_eq!(
            get(c, &cont, &fresh),
            None,
            "{size}/{step}: a truncated object was stored"
        );
        // A caller's own Content-Length would let the server cut the body
        // short: refused before anything is sent.
        let framing = cs(r#"{"headers": {"Content-Length": "50"}}"#);
        let mut exact = Feed::new(data(size, 6), step);
        let ud = exact.ud();
        let (st, _, e) = ffi_call(|r, e| {
            swc_object_put(
                c,
                cc.as_ptr(),
                oc.as_ptr(),
                framing.as_ptr(),
                Some(feed),
                None,
                ud,
                size as i64,
                ptr::null(),
                r,
                e,
            )
        });
        assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{e:?}");
        assert_eq!(e.unwrap()["key"], "headers");
        assert_eq!(
            get(c, &cont, &obj).as_deref(),
            Some(&old[..]),
            "{size}/{step}: replaced"
        );
        // Exactly the length: stored as given.
        let body = data(size, 5);
        let mut exact = Feed::new(body.clone(), step);
        let (st, e) = put_cb(c, &cont, &fresh, &mut exact, size as i64);
        assert_eq!(st, 0, "{e:?}");
        assert_eq!(get(c, &cont, &fresh).as_deref(), Some(&body[..]));
    }
    rt().block_on(cleanup(&client(&v1_options()), &cont));
    unsafe { swc_client_free(c) };
}

/// A call that writes `result_json` and `err_json`.
type OutCall<'a> = dyn Fn(*mut *mut std::ffi::c_char, *mut *mut std::ffi::c_char) -> i32 + 'a;

#[test]
fn a_negative_length_other_than_minus_one_is_refused() {
    let c = ffi_client(&v1_options());
    let (cc, oc) = (cs("c"), cs("o"));
    let file = std::fs::File::open("/dev/null").unwrap();
    use std::os::fd::AsRawFd;
    for len in [-2i64, -100, i64::MIN] {
        let mut f = Feed::new(vec![1; 10], 10);
        let ud = f.ud();
        let calls: [(&str, Box<OutCall<'_>>); 3] = [
            (
                "put",
                Box::new(|r, e| {
                    swc_object_put(
                        c,
                        cc.as_ptr(),
                        oc.as_ptr(),
                        ptr::null(),
                        Some(feed),
                        None,
                        ud,
                        len,
                        ptr::null(),
                        r,
                        e,
                    )
                }),
            ),
            (
                "put_fd",
                Box::new(|r, e| {
                    swc_object_put_fd(
                        c,
                        cc.as_ptr(),
                        oc.as_ptr(),
                        ptr::null(),
                        file.as_raw_fd(),
                        len,
                        ptr::null(),
                        r,
                        e,
                    )
                }),
            ),
            (
                "request",
                Box::new(|r, e| {
                    let (m, p) = (cs("PUT"), cs("/c/o"));
                    swc_request(
                        c,
                        m.as_ptr(),
                        p.as_ptr(),
                        ptr::null(),
                        Some(feed),
                        None,
                        ud,
                        len,
                        None,
                        ptr::null_mut(),
                        ptr::null(),
                        r,
                        e,
                    )
                }),
            ),
        ];
        for (what, call) in calls {
            let (st, _, e) = ffi_call(call);
            assert_eq!(st, SWC_E_INVALID_ARGUMENT, "{what} {len}: {e:?}");
            assert_eq!(e.unwrap()["key"], json!("length"), "{what} {len}");
        }
        assert_eq!(f.pos, 0, "the callback was read from");
    }
    unsafe { swc_client_free(c) };
}

/// What a log callback's `user_data` points at: "freed" (marked dead, kept
/// allocated so the test stays sound) once the setter that replaced it
/// returned.
struct Probe {
    alive: std::sync::atomic::AtomicBool,
    calls: std::sync::atomic::AtomicUsize,
}

static CALLED_AFTER_FREE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

extern "C" fn probe_log(ud: *mut c_void, _l: i32, _m: *const std::ffi::c_char, _n: usize) {
    use std::sync::atomic::Ordering::SeqCst;
    let p = unsafe { &*(ud as *const Probe) };
    // Widen the window a replacement could slip through.
    std::thread::sleep(std::time::Duration::from_micros(200));
    if !p.alive.load(SeqCst) {
        CALLED_AFTER_FREE.fetch_add(1, SeqCst);
    }
    p.calls.fetch_add(1, SeqCst);
}

#[test]
fn a_replaced_log_callback_is_never_called_once_the_setter_returns() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use swiftclient::ffi::client::{swc_client_set_log, SWC_LOG_DEBUG};
    use swiftclient::ffi::conn::swc_account_head;
    let c = ffi_client(&v1_options()) as usize;
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(SeqCst) {
                    let c = c as *const swc_client;
                    let (st, _, e) =
                        ffi_call(|r, e| swc_account_head(c, ptr::null(), ptr::null(), r, e));
                    assert_eq!(st, 0, "{e:?}");
                }
            })
        })
        .collect();
    let mut probes: Vec<Box<Probe>> = Vec::new();
    let mut total = 0;
    // Replace until enough calls were seen (a busy machine makes fewer per
    // replacement), within a bound.
    let started = std::time::Instant::now();
    let mut i = 0u64;
    while (i < 400 || total < 300) && started.elapsed() < std::time::Duration::from_secs(60) {
        i += 1;
        let p = Box::new(Probe {
            alive: AtomicBool::new(true),
            calls: Default::default(),
        });
        let ud = &*p as *const Probe as *mut c_void;
        assert_eq!(
            swc_client_set_log(c as *const swc_client, SWC_LOG_DEBUG, Some(probe_log), ud),
            0
        );
        if let Some(old) = probes.last() {
            old.alive.store(false, SeqCst);
            total += old.calls.load(SeqCst);
        }
        probes.push(p);
        std::thread::sleep(std::time::Duration::from_micros(500 + (i % 7) * 200));
    }
    assert_eq!(
        swc_client_set_log(c as *const swc_client, SWC_LOG_DEBUG, None, ptr::null_mut()),
        0
    );
    probes.last().unwrap().alive.store(false, SeqCst);
    stop.store(true, SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    assert!(
        total >= 300,
        "the callbacks were hardly called ({total}): the test proves nothing"
    );
    assert_eq!(
        CALLED_AFTER_FREE.load(SeqCst),
        0,
        "an old user_data was used after the setter returned"
    );
    unsafe { swc_client_free(c as *mut swc_client) };
}

/// Option mistakes are refused where they are made, naming the key and
/// saying why; no options at all make a client that says what it lacks.
#[test]
fn option_errors_name_their_key_and_no_options_is_a_client() {
    use swiftclient::ffi::client::{swc_client_auth, swc_client_new};
    use swiftclient::ffi::conn::swc_account_head;
    use swiftclient::ffi::service::swc_download;
    use swiftclient::ffi::SWC_E_CONFIG;
    let new = |opts: Option<&str>| {
        let o = opts.map(cs);
        let mut c = ptr::null_mut();
        let (st, _, e) = ffi_call(|_, e| {
            swc_client_new(o.as_ref().map_or(ptr::null(), |o| o.as_ptr()), &mut c, e)
        });
        (st, c, e)
    };
    // A user agent that would break the request's headers.
    let (st, c, e) = new(Some(r#"{"user_agent": "a\r\nX-Evil: 1"}"#));
    assert_eq!((st, c.is_null()), (SWC_E_CONFIG, true), "{e:?}");
    let e = e.unwrap();
    assert_eq!(e["key"], "user_agent", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("control characters"),
        "{e}"
    );

    // NULL and {} are "no options": a client, whose auth and requests are
    // the configuration error naming "auth".
    for opts in [None, Some("{}")] {
        let (st, c, e) = new(opts);
        assert_eq!(st, 0, "{opts:?}: {e:?}");
        let (st, out, e) = ffi_call(|r, e| swc_client_auth(c, ptr::null(), r, e));
        assert_eq!((st, out), (SWC_E_CONFIG, None));
        let e = e.unwrap();
        assert_eq!(e["key"], "auth", "{e}");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("no way to authenticate"),
            "{e}"
        );
        let (st, _, e) = ffi_call(|r, e| swc_account_head(c, ptr::null(), ptr::null(), r, e));
        assert_eq!(st, SWC_E_CONFIG, "{e:?}");
        unsafe { swc_client_free(c) };
    }
    // Some auth options, not all: refused at creation, naming what is missing.
    let (st, _, e) = new(Some(
        r#"{"auth": "http://127.0.0.1:1/auth/v1.0", "key": "k"}"#,
    ));
    assert_eq!(st, SWC_E_CONFIG);
    assert_eq!(e.unwrap()["key"], "user");

    // swc_client_auth's own options name their key too.
    let c = ffi_client(&v1_options());
    for (opts, key) in [
        (r#"{"forse": true}"#, "forse"),
        (r#"{"force": "yes"}"#, "force"),
    ] {
        let o = cs(opts);
        let (st, _, e) = ffi_call(|r, e| swc_client_auth(c, o.as_ptr(), r, e));
        assert_eq!(st, SWC_E_CONFIG, "{opts}");
        assert_eq!(e.unwrap()["key"], key, "{opts}");
    }
    // Header values are strings; a number is not silently spelt for you.
    let o = cs(r#"{"headers": {"X-A": 5}}"#);
    let (st, _, e) = ffi_call(|r, e| swc_account_head(c, o.as_ptr(), ptr::null(), r, e));
    assert_eq!(st, SWC_E_CONFIG, "{e:?}");
    assert_eq!(e.unwrap()["key"], "headers");
    // A download's segment_threads of 0 is refused at start, naming it.
    let (st, recs, e) = svc(
        swc_download,
        c,
        json!({"container": "c", "segment_threads": 0}),
    );
    assert_eq!(st, SWC_E_CONFIG, "{e}");
    assert!(recs.is_empty());
    assert_eq!(e["key"], "segment_threads");
    unsafe { swc_client_free(c) };
}

/// Authentication is cancellable like every other blocking call (against a
/// closed port it would retry with backoff for ~31 s), and observable: its
/// request and outcome are in the debug log, its secret is not.
#[test]
fn authentication_is_cancellable_and_logged() {
    use swiftclient::ffi::cancel::{swc_cancel_free, swc_cancel_new, swc_cancel_trigger};
    use swiftclient::ffi::client::{swc_client_auth2, SWC_LOG_DEBUG};
    use swiftclient::ffi::SWC_E_CANCELLED;
    let dead =
        ffi_client(&json!({"auth": "http://127.0.0.1:1/auth/v1.0", "user": "u", "key": "k"}));
    let mut tok = ptr::null_mut();
    assert_eq!(swc_cancel_new(&mut tok), 0);
    let t = tok as usize;
    let trigger = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        swc_cancel_trigger(t as *const swiftclient::ffi::cancel::swc_cancel);
    });
    let started = std::time::Instant::now();
    let (st, out, e) = ffi_call(|r, e| swc_client_auth2(dead, ptr::null(), tok, r, e));
    let took = started.elapsed();
    trigger.join().unwrap();
    assert_eq!((st, out), (SWC_E_CANCELLED, None), "{e:?}");
    assert!(
        took < std::time::Duration::from_secs(3),
        "cancelled auth took {took:?}"
    );
    unsafe { swc_cancel_free(tok) };
    unsafe { swc_client_free(dead) };

    let c = ffi_client(&v1_options());
    let lines = capture_log(c, SWC_LOG_DEBUG);
    let (st, _, e) = ffi_call(|r, e| swc_client_auth2(c, ptr::null(), ptr::null(), r, e));
    assert_eq!(st, 0, "{e:?}");
    unsafe { swc_client_free(c) };
    let log = lines.lock().unwrap().join("\n");
    assert!(
        log.contains(&format!(
            "auth: GET {} (v1, user test:tester",
            env("SWC_TEST_V1_AUTH")
        )),
        "{log}"
    );
    assert!(log.contains("auth: ok in"), "{log}");
    assert!(!log.contains("testing"), "the key is in the log: {log}");
}

/// A per-request call's `result_json` may be NULL: only the status (and the
/// error record) is wanted, as the bulk calls allow a NULL summary.
#[test]
fn a_null_result_is_allowed_on_per_request_calls() {
    use swiftclient::ffi::conn::{swc_account_head, swc_container_head};
    let c = ffi_client(&v1_options());
    let mut err = ptr::null_mut();
    assert_eq!(
        swc_account_head(c, ptr::null(), ptr::null(), ptr::null_mut(), &mut err),
        0
    );
    assert!(err.is_null());
    let missing = cs(&unique("null-result"));
    let (st, out, e) = ffi_call(|_, e| {
        swc_container_head(
            c,
            missing.as_ptr(),
            ptr::null(),
            ptr::null(),
            ptr::null_mut(),
            e,
        )
    });
    assert_eq!((st, out), (SWC_E_NOT_FOUND, None));
    assert_eq!(e.unwrap()["http_status"], 404);
    unsafe { swc_client_free(c) };
}

/// Authentication and the one-stream calls take a NULL `result_json` as
/// the Connection calls do (they used to refuse it): the call runs, only
/// its status tells.
#[test]
fn a_null_result_is_allowed_on_auth_and_the_stream_calls() {
    use swiftclient::ffi::client::{swc_client_auth, swc_client_auth2};
    use swiftclient::ffi::stream::{swc_download_to, swc_upload_stream};
    let c = ffi_client(&v1_options());
    let mut err = ptr::null_mut();
    assert_eq!(
        swc_client_auth(c, ptr::null(), ptr::null_mut(), &mut err),
        0
    );
    assert!(err.is_null());
    let force = cs(r#"{"force": true}"#);
    let st = swc_client_auth2(c, force.as_ptr(), ptr::null(), ptr::null_mut(), &mut err);
    assert_eq!(st, 0);
    assert!(err.is_null());

    let cont = unique("null-result-stream");
    let body = data(3000, 7);
    let req = cs(&json!({"container": cont, "object_name": "s"}).to_string());
    let mut f = Feed::new(body.clone(), 1000);
    let st = swc_upload_stream(
        c,
        req.as_ptr(),
        Some(feed),
        f.ud(),
        ptr::null(),
        ptr::null_mut(),
        &mut err,
    );
    assert_eq!(st, 0);
    assert!(err.is_null());
    let req = cs(&json!({"container": cont, "objects": ["s"]}).to_string());
    let mut got = Vec::new();
    let ud = &mut got as *mut Vec<u8> as *mut c_void;
    let st = swc_download_to(
        c,
        req.as_ptr(),
        Some(keep),
        ud,
        ptr::null(),
        ptr::null_mut(),
        &mut err,
    );
    assert_eq!(st, 0);
    assert!(err.is_null());
    assert_eq!(got, body);
    // A failure still gives its status and record.
    let req = cs(&json!({"container": cont, "objects": ["missing"]}).to_string());
    let (st, out, e) = ffi_call(|_, e| {
        swc_download_to(
            c,
            req.as_ptr(),
            Some(keep),
            ud,
            ptr::null(),
            ptr::null_mut(),
            e,
        )
    });
    assert_eq!((st, out), (SWC_E_NOT_FOUND, None));
    assert_eq!(e.unwrap()["http_status"], 404);
    let (st, _, v) = svc(
        swiftclient::ffi::service::swc_delete,
        c,
        json!({"container": cont}),
    );
    assert_eq!(st, 0, "{v}");
    unsafe { swc_client_free(c) };
}

/// python-swiftclient's `debug`/`info`/`verbose` options choose the level of
/// a log callback set with SWC_LOG_FROM_OPTIONS.
#[test]
fn the_log_level_can_come_from_the_options() {
    use swiftclient::ffi::client::SWC_LOG_FROM_OPTIONS;
    use swiftclient::ffi::conn::swc_account_head;
    for (extra, curl_lines_expected) in [
        (json!({"debug": true}), true),
        (json!({}), false),
        (json!({"verbose": 2}), false),
    ] {
        let mut o = v1_options();
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        let c = ffi_client(&o);
        let lines = capture_log(c, SWC_LOG_FROM_OPTIONS);
        let (st, _, e) = ffi_call(|r, e| swc_account_head(c, ptr::null(), ptr::null(), r, e));
        assert_eq!(st, 0, "{e:?}");
        unsafe { swc_client_free(c) };
        let log = lines.lock().unwrap().join("\n");
        assert_eq!(
            log.contains("curl -i"),
            curl_lines_expected,
            "{extra}: {log}"
        );
    }
    // A wrong type names the option.
    let o = cs(&json!({"verbose": "very"}).to_string());
    let mut c = ptr::null_mut();
    let (st, _, e) =
        ffi_call(|_, e| swiftclient::ffi::client::swc_client_new(o.as_ptr(), &mut c, e));
    assert_eq!(st, swiftclient::ffi::SWC_E_CONFIG);
    assert_eq!(e.unwrap()["key"], "verbose");
}
