//! `memory_limit`: a client's ceiling on buffer memory holds across
//! operations. Requests wait for their 1 MiB share, so with 8 MiB (4 MiB
//! for requests) no more than 4 are ever in flight, whatever the thread
//! options ask — counted at the fault proxy, for an upload and a download
//! running at once; without the ceiling the same operations go wider. The
//! RSS figures are in bench/ (memory.sh).

mod common;

use common::faultproxy::FaultProxy;
use common::*;
use serde_json::{json, Value};
use swiftclient::ffi::service::{swc_download, swc_upload};
use swiftclient::ffi::SWC_OK;

const SEG: usize = 128 * 1024;

/// Uploads `big` as 24 segments and downloads `seed` (also 24 segments)
/// at once with one client, 16 segment threads each; the most requests
/// seen in flight.
fn upload_and_download(opts: &Value, fp: &FaultProxy, cont: &str, big: &std::path::Path) -> usize {
    let out = tmpdir("mem-out");
    let c = ffi_client(opts);
    fp.take_max_in_flight();
    // The client is shared by two threads (as the C API allows).
    let shared = c as usize;
    let up = json!({"container": cont, "objects": [{"path": big, "object_name": "up.bin"}],
                    "segment_size": SEG, "segment_threads": 16});
    let down = json!({"container": cont, "objects": ["seed.bin"], "out_directory": &*out,
                      "segment_threads": 16});
    let t = std::thread::spawn(move || svc(swc_upload, shared as *mut _, up));
    let (st, _, summary) = svc(swc_download, c, down);
    assert_eq!(st, SWC_OK, "{summary}");
    let (st, _, summary) = t.join().unwrap();
    assert_eq!(st, SWC_OK, "{summary}");
    unsafe { swiftclient::ffi::client::swc_client_free(c) };
    fp.take_max_in_flight()
}

#[test]
fn the_ceiling_bounds_requests_in_flight() {
    let dir = tmpdir("mem");
    let (big, _) = data_file(&dir, "big", 24 * SEG, 1);
    let (seed, seed_bytes) = data_file(&dir, "seed", 24 * SEG, 2);
    let cont = unique("mem");
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    let base =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    let (st, _, summary, _) = svc_on(
        &base,
        swc_upload,
        json!({"container": cont, "segment_size": SEG,
               "objects": [{"path": seed, "object_name": "seed.bin"}]}),
    );
    assert_eq!(st, SWC_OK, "{summary}");

    let wide = upload_and_download(&base, &fp, &cont, &big);
    let mut limited = base.clone();
    limited["memory_limit"] = json!(8 << 20);
    let narrow = upload_and_download(&limited, &fp, &cont, &big);
    assert!(
        wide > 4,
        "without a ceiling only {wide} at once: the test shows nothing"
    );
    assert!(narrow <= 4, "8 MiB ceiling, {narrow} requests at once");
    assert!(narrow >= 2, "{narrow}");

    let helper = client(&v1_options());
    let rt2 = rt();
    let (got, _) = rt2.block_on(get_object(&helper, &cont, "up.bin")).unwrap();
    assert_eq!(got.len(), 24 * SEG);
    let (got, _) = rt2
        .block_on(get_object(&helper, &cont, "seed.bin"))
        .unwrap();
    assert!(got == seed_bytes);
    rt2.block_on(cleanup(&helper, &cont));
    rt2.block_on(cleanup(&helper, &format!("{cont}_segments")));
    stop.cancel();
    th.join().unwrap();
}

#[test]
fn too_small_a_ceiling_is_refused() {
    let mut o = v1_options();
    o["memory_limit"] = json!(1 << 20);
    let text = std::ffi::CString::new(o.to_string()).unwrap();
    let (mut c, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    let st = swiftclient::ffi::client::swc_client_new(text.as_ptr(), &mut c, &mut err);
    assert_ne!(st, SWC_OK);
    assert!(c.is_null());
    let e: Value =
        serde_json::from_str(unsafe { std::ffi::CStr::from_ptr(err) }.to_str().unwrap()).unwrap();
    unsafe { swiftclient::ffi::swc_string_free(err) };
    assert_eq!(e["key"], "memory_limit", "{e}");
}
