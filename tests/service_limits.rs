//! `upload` and `download` through the C ABI against the real cluster,
//! counted: concurrency limits hold at every moment (counted at a fault
//! proxy), and many files cost one request each (counted in the debug log).

mod common;

use common::faultproxy::FaultProxy;
use common::*;
use serde_json::{json, Value};
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_upload;
use swiftclient::ffi::SWC_OK;

#[test]
fn concurrency_limits_hold_at_every_moment() {
    let dir = tmpdir("conc");
    let mut paths = Vec::new();
    for i in 0..24 {
        paths.push(data_file(&dir, &format!("f{i}"), 200_000, i).0);
    }
    let (big, _) = data_file(&dir, "big", 8 * 300_000, 99);
    let cont = unique("up-conc");
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let opts =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    // Keep the proxy's runtime turning while the upload runs.
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    let (st, _, summary, _) = svc_on(
        &opts,
        swc_upload,
        json!({"container": cont, "objects": paths, "object_uu_threads": 3}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let max = fp.take_max_in_flight();
    assert!(
        (2..=3).contains(&max),
        "object_uu_threads 3, saw {max} at once"
    );
    let (st, _, summary, _) = svc_on(
        &opts,
        swc_upload,
        json!({"container": cont, "objects": [big], "segment_size": 300_000, "segment_threads": 2}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let max = fp.take_max_in_flight();
    assert!(
        (1..=2).contains(&max),
        "segment_threads 2, saw {max} at once"
    );
    // python-swiftclient's thread options given to the client are the
    // defaults of its bulk operations (a request's own value still wins).
    let mut with_default = opts.clone();
    with_default["object_uu_threads"] = json!(2);
    let (st, _, summary, _) = svc_on(
        &with_default,
        swc_upload,
        json!({"container": cont, "objects": paths}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let max = fp.take_max_in_flight();
    assert_eq!(max, 2, "client-wide object_uu_threads 2, saw {max} at once");
    let (st, _, summary, _) = svc_on(
        &with_default,
        swc_upload,
        json!({"container": cont, "objects": paths, "object_uu_threads": 4}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let max = fp.take_max_in_flight();
    assert!((3..=4).contains(&max), "the request's 4 wins, saw {max}");
    stop.cancel();
    th.join().unwrap();
    let c = client(&v1_options());
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn download_and_container_limits_hold_too() {
    use swiftclient::ffi::service::{swc_download, swc_list};
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let opts =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    let cont = unique("lim");
    let c = client(&opts);
    r.block_on(async {
        mkcontainer(&c, &cont).await;
        for i in 0..12 {
            put(&c, &cont, &format!("o{i}"), &data(300_000, i), json!({})).await;
        }
        for i in 0..8 {
            mkcontainer(&c, &format!("{cont}-x{i}")).await;
        }
    });
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    let out = tmpdir("lim-out");
    let cc = ffi_client(&opts);
    fp.take_max_in_flight();
    let (st, _, s) = svc(
        swc_download,
        cc,
        json!({"container": cont, "out_directory": out, "object_dd_threads": 3}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    let max = fp.take_max_in_flight();
    assert!((2..=3).contains(&max), "object_dd_threads 3, saw {max}");
    let (st, _, s) = svc(
        swc_list,
        cc,
        json!({"prefix": format!("{cont}-x"), "long": true, "container_threads": 2}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    let max = fp.take_max_in_flight();
    assert!((1..=2).contains(&max), "container_threads 2, saw {max}");
    unsafe { swc_client_free(cc) };
    stop.cancel();
    th.join().unwrap();
    let h = client(&v1_options());
    rt().block_on(async {
        cleanup(&h, &cont).await;
        for i in 0..8 {
            cleanup(&h, &format!("{cont}-x{i}")).await;
        }
    });
}

/// Debug-log lines (one curl line per request) of a blocking twin's run.
fn logged_run(twin: Twin, req: Value) -> (i32, Vec<Value>, Vec<String>) {
    let c = ffi_client(&v1_options());
    let lines = capture_log(c, swiftclient::ffi::client::SWC_LOG_DEBUG);
    let (st, recs, _) = svc(twin, c, req);
    unsafe { swc_client_free(c) };
    let lines = lines.lock().unwrap().clone();
    (st, recs, lines)
}

fn requests(lines: &[String], method: &str, below: &str) -> usize {
    lines
        .iter()
        .filter(|l| {
            l.starts_with("curl -i ") && l.contains(&format!("-X {method}")) && l.contains(below)
        })
        .count()
}

#[test]
fn many_files_cost_one_request_each() {
    let c = client(&v1_options());
    let cont = unique("up-count");
    // t/f03 exists as an SLO: its old segments must still go.
    rt().block_on(async {
        mkcontainer(&c, &cont).await;
        make_slo(&c, &cont, "t/f03", 3, 100_000).await;
    });
    let src = tmpdir("up-count-src");
    for i in 0..20 {
        data_file(&src, &format!("f{i:02}"), 1000 + i, i as u64);
    }
    let obj_url = format!("/{cont}/t/");
    let (st, recs, lines) = logged_run(
        swc_upload,
        json!({"container": cont, "objects": [{"path": src, "object_name": "t"}]}),
    );
    assert_eq!(st, SWC_OK, "{recs:?}");
    // One listing instead of 20 HEADs: only the listed SLO is inspected.
    assert_eq!(requests(&lines, "HEAD", &obj_url), 1, "{lines:#?}");
    assert_eq!(requests(&lines, "PUT", &obj_url), 20, "{lines:#?}");
    let f03 = recs.iter().find(|r| r["object"] == "t/f03").unwrap();
    assert_eq!(f03["old_segments_deleted"], 3, "{f03}");
    rt().block_on(async {
        assert!(stored_names(&c, &format!("{cont}_segments"))
            .await
            .is_empty());
    });
    // Uploading again over plain objects: still no HEAD.
    let (st, _, lines) = logged_run(
        swc_upload,
        json!({"container": cont, "objects": [{"path": src, "object_name": "t"}]}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(requests(&lines, "HEAD", &obj_url), 0, "{lines:#?}");
    // skip_identical decides from the listed hashes alone.
    let (st, recs, lines) = logged_run(
        swc_upload,
        json!({"container": cont, "objects": [{"path": src, "object_name": "t"}], "skip_identical": true}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(requests(&lines, "HEAD", &obj_url), 0, "{lines:#?}");
    assert_eq!(requests(&lines, "PUT", &obj_url), 0, "{lines:#?}");
    assert_eq!(
        recs.iter()
            .filter(|r| r["status"] == "skipped-identical")
            .count(),
        20
    );
    // Downloading them: one GET per object, no HEAD, bytes intact.
    let out = tmpdir("up-count-out");
    let (st, recs, lines) = logged_run(
        swiftclient::ffi::service::swc_download,
        json!({"container": cont, "out_directory": out}),
    );
    assert_eq!(st, SWC_OK, "{recs:?}");
    assert_eq!(requests(&lines, "HEAD", &obj_url), 0, "{lines:#?}");
    assert_eq!(requests(&lines, "GET", &obj_url), 20, "{lines:#?}");
    for i in 0..20 {
        let n = format!("f{i:02}");
        assert!(
            std::fs::read(out.join("t").join(&n)).unwrap() == std::fs::read(src.join(&n)).unwrap()
        );
    }
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}
