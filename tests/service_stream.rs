//! Uploading streams of unknown length through `swc_upload_stream` (a C
//! read callback): short streams become plain objects, long ones SLO or DLO
//! segments named as python-swiftclient names stream segments, buffered in
//! memory or in a temporary file; a failing stream leaves no segments.

mod common;

use common::body::{feed, Feed};
use common::*;
use serde_json::{json, Value};
use std::ffi::{CStr, CString};
use std::ptr;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::stream::swc_upload_stream;
use swiftclient::ffi::swc_string_free;

/// Odd-sized reads, as pipes give.
const PIPE_READ: usize = 50_000;

fn stream(req: Value, r: &mut Feed) -> Result<Value, Value> {
    let c = ffi_client(&v1_options());
    let q = CString::new(req.to_string()).unwrap();
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let st = swc_upload_stream(
        c,
        q.as_ptr(),
        Some(feed),
        r.ud(),
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

#[test]
fn short_and_long_streams() {
    let cont = unique("stream");
    let c = client(&v1_options());
    let short = data(300_000, 1);
    let rec = stream(
        json!({"container": cont, "object_name": "short", "segment_size": "1M"}),
        &mut Feed::new(short.clone(), PIPE_READ),
    )
    .unwrap();
    assert_eq!(rec["large_object"], false);
    let long = data(2_621_440, 2); // 2.5 MiB
    let rec = stream(
        json!({"container": cont, "object_name": "long", "segment_size": "1M"}),
        &mut Feed::new(long.clone(), PIPE_READ),
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
    let rec = stream(json!({"container": cont, "object_name": "exact", "segment_size": "1M", "buffer": "file", "use_slo": false}), &mut Feed::new(exact.clone(), PIPE_READ)).unwrap();
    assert_eq!(
        (rec["segments"].as_u64(), rec["manifest"].as_str()),
        (Some(2), Some("dlo")),
        "no empty third segment"
    );
    rt().block_on(async {
        assert!(get_object(&c, &cont, "short").await.unwrap().0 == short);
        let (got, r) = get_object(&c, &cont, "long").await.unwrap();
        assert!(got == long);
        let mtime = r["headers"]["x-object-meta-mtime"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(mtime.ends_with(".000000"), "{mtime}");
        assert!(get_object(&c, &cont, "exact").await.unwrap().0 == exact);
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
        &mut Feed::failing_at(data(3 << 20, 4), PIPE_READ, 1_600_000),
    )
    .unwrap_err();
    assert_eq!(e["status"], 1, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("read callback"),
        "{e}"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(stored_names(&c, &cont).await.is_empty());
        assert!(
            stored_names(&c, &format!("{cont}_segments"))
                .await
                .is_empty(),
            "segments removed"
        );
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
    let e = stream(
        json!({"container": cont, "object_name": "x", "buffer": "disk"}),
        &mut Feed::new(vec![], PIPE_READ),
    )
    .unwrap_err();
    assert_eq!(e["key"], "buffer");
}
