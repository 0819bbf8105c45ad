//! Uploading streams of unknown length through `swc_upload_stream` (a C
//! read callback): short streams become plain objects, long ones SLO or DLO
//! segments named as python-swiftclient names stream segments, buffered in
//! memory or in a temporary file; a failing stream leaves no segments.

mod common;

use common::*;
use serde_json::{json, Value};
use std::ffi::{c_void, CStr, CString};
use std::ptr;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_upload_stream;
use swiftclient::ffi::swc_string_free;

struct Reader {
    data: Vec<u8>,
    pos: usize,
    /// Fail (return -1) once this many bytes were delivered.
    fail_at: Option<usize>,
}

extern "C" fn read(ud: *mut c_void, buf: *mut u8, cap: usize) -> isize {
    let r = unsafe { &mut *(ud as *mut Reader) };
    if r.fail_at.is_some_and(|f| r.pos >= f) {
        return -1;
    }
    // Odd-sized reads, as pipes give.
    let n = cap.min(r.data.len() - r.pos).min(50_000);
    unsafe { std::ptr::copy_nonoverlapping(r.data[r.pos..].as_ptr(), buf, n) };
    r.pos += n;
    n as isize
}

fn stream(req: Value, r: &mut Reader) -> Result<Value, Value> {
    let c = ffi_client(&v1_options());
    let q = CString::new(req.to_string()).unwrap();
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let st = swc_upload_stream(
        c,
        q.as_ptr(),
        Some(read),
        r as *mut Reader as *mut c_void,
        ptr::null(),
        &mut out,
        &mut err,
    );
    unsafe { swc_client_free(c) };
    let p = if st == 0 { out } else { err };
    let v: Value = serde_json::from_str(unsafe { CStr::from_ptr(p) }.to_str().unwrap()).unwrap();
    unsafe { swc_string_free(p) };
    if st == 0 {
        Ok(v)
    } else {
        Err(v)
    }
}

async fn get(c: &swiftclient::Client, cont: &str, obj: &str) -> (Vec<u8>, Value) {
    let mut sink = swiftclient::conn::body::VecSink::default();
    let r =
        swiftclient::conn::object::get(c, cont, obj, &Default::default(), &mut sink, &no_cancel())
            .await
            .unwrap();
    (sink.0, r)
}

#[test]
fn short_and_long_streams() {
    let cont = unique("stream");
    let c = client(&v1_options());
    let short = data(300_000, 1);
    let rec = stream(
        json!({"container": cont, "object_name": "short", "segment_size": "1M"}),
        &mut Reader {
            data: short.clone(),
            pos: 0,
            fail_at: None,
        },
    )
    .unwrap();
    assert_eq!(rec["large_object"], false);
    let long = data(2_621_440, 2); // 2.5 MiB
    let rec = stream(
        json!({"container": cont, "object_name": "long", "segment_size": "1M"}),
        &mut Reader {
            data: long.clone(),
            pos: 0,
            fail_at: None,
        },
    )
    .unwrap();
    assert_eq!(
        (
            rec["large_object"].as_bool(),
            rec["segments"].as_u64(),
            rec["manifest"].as_str()
        ),
        (Some(true), Some(3), Some("slo"))
    );
    let exact = data(2 << 20, 3);
    let rec = stream(json!({"container": cont, "object_name": "exact", "segment_size": "1M", "buffer": "file", "use_slo": false}), &mut Reader { data: exact.clone(), pos: 0, fail_at: None }).unwrap();
    assert_eq!(
        (rec["segments"].as_u64(), rec["manifest"].as_str()),
        (Some(2), Some("dlo")),
        "no empty third segment"
    );
    rt().block_on(async {
        assert!(get(&c, &cont, "short").await.0 == short);
        let (got, r) = get(&c, &cont, "long").await;
        assert!(got == long);
        let mtime = r["headers"]["x-object-meta-mtime"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(mtime.ends_with(".000000"), "{mtime}");
        assert!(get(&c, &cont, "exact").await.0 == exact);
        let mut segs = names(&c, &format!("{cont}_segments")).await;
        segs.sort();
        let slo: Vec<&String> = segs.iter().filter(|n| n.starts_with("long/")).collect();
        assert_eq!(slo.len(), 3);
        assert_eq!(slo[0], &format!("long/slo/{mtime}/1048576/00000000"));
        assert!(segs.iter().any(|n| n.starts_with("exact/")
            && n.ends_with("/1048576/00000001")
            && !n.contains("/slo/")));
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn a_failing_stream_leaves_no_segments() {
    let cont = unique("stream-fail");
    let e = stream(
        json!({"container": cont, "object_name": "broken", "segment_size": "1M"}),
        &mut Reader {
            data: data(3 << 20, 4),
            pos: 0,
            fail_at: Some(1_600_000),
        },
    )
    .unwrap_err();
    assert_eq!(e["status"], 1, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("read callback"),
        "{e}"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(names(&c, &cont).await.is_empty());
        assert!(
            names(&c, &format!("{cont}_segments")).await.is_empty(),
            "segments removed"
        );
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
    let e = stream(
        json!({"container": cont, "object_name": "x", "buffer": "disk"}),
        &mut Reader {
            data: vec![],
            pos: 0,
            fail_at: None,
        },
    )
    .unwrap_err();
    assert_eq!(e["key"], "buffer");
}
