//! `download` against the real cluster: a tree back to disk with mtimes
//! and directories, SLO/DLO verified per segment (a corrupted segment is
//! caught and leaves no file), names that would escape the output
//! directory refused, and the options.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::{swc_download, swc_upload};
use swiftclient::ffi::SWC_OK;

fn files_under(d: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().display().to_string();
            if p.is_dir() {
                out.push(format!("{rel}/"));
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    walk(d, d, &mut out);
    out.sort();
    out
}

#[test]
fn a_tree_comes_back_with_mtimes_and_directories() {
    let src = tmpdir("dl-src");
    for i in 0..20 {
        let p = src.join(format!("t/d{}/f{i}", i % 4));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data(1000 + i * 37, i as u64)).unwrap();
    }
    std::fs::create_dir_all(src.join("t/empty")).unwrap();
    let cont = unique("dl-tree");
    let (st, _, s) = run_twin(
        swc_upload,
        json!({"container": cont, "objects": [src.join("t")], "object_name": "t"}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    let out = tmpdir("dl-out");
    let (st, recs, s) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out, "object_dd_threads": 4}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    assert_eq!(recs.len(), 21);
    assert!(recs
        .iter()
        .filter(|r| r["pseudodir"].is_null())
        .all(|r| r["verified"] == "md5"));
    // python-swiftclient's keys: the response in `response_dict`, no
    // top-level `headers`.
    for r in recs.iter().filter(|r| r["pseudodir"].is_null()) {
        assert_eq!(r["response_dict"]["status"], 200, "{r}");
        assert!(r["response_dict"]["headers"]["etag"].is_string(), "{r}");
        assert!(r.get("headers").is_none(), "{r}");
    }
    let got = files_under(&out);
    assert!(got.contains(&"t/empty/".to_string()), "{got:?}");
    for i in 0..20 {
        let rel = format!("t/d{}/f{i}", i % 4);
        assert!(
            std::fs::read(out.join(&rel)).unwrap() == std::fs::read(src.join(&rel)).unwrap(),
            "{rel}"
        );
        let m1 = std::fs::metadata(out.join(&rel))
            .unwrap()
            .modified()
            .unwrap();
        let m2 = std::fs::metadata(src.join(&rel))
            .unwrap()
            .modified()
            .unwrap();
        let diff = if m1 > m2 {
            m1.duration_since(m2)
        } else {
            m2.duration_since(m1)
        }
        .unwrap();
        assert!(diff.as_micros() <= 1, "mtime restored for {rel}: {diff:?}");
    }
    // Again with skip_identical: nothing fetched.
    let (st, recs, _) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out, "skip_identical": true}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(
        recs.iter()
            .filter(|r| r["status"] == "skipped-identical")
            .count(),
        20
    );
    // prefix + remove_prefix, out_file, no_download.
    let out2 = tmpdir("dl-out2");
    let (st, _, _) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out2, "prefix": "t/d1/", "remove_prefix": true}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(files_under(&out2), ["f1", "f13", "f17", "f5", "f9"]);
    let one = out2.join("single.bin");
    let (st, _, _) = run_twin(
        swc_download,
        json!({"container": cont, "objects": ["t/d2/f2"], "out_file": one}),
    );
    assert_eq!(st, SWC_OK);
    assert!(std::fs::read(&one).unwrap() == std::fs::read(src.join("t/d2/f2")).unwrap());
    let out3 = tmpdir("dl-out3");
    let (st, recs, _) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out3, "no_download": true}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(recs.len(), 21);
    assert!(files_under(&out3).is_empty());
    let c = client(&v1_options());
    rt().block_on(async { cleanup(&c, &cont).await });
}

#[test]
fn large_objects_are_verified_per_segment() {
    let c = client(&v1_options());
    let cont = unique("dl-large");
    let (slo, dlo) = rt().block_on(async {
        mkcontainer(&c, &cont).await;
        (
            make_slo(&c, &cont, "slo", 3, 300_000).await,
            make_dlo(&c, &cont, "dlo", 3, 300_000).await,
        )
    });
    let out = tmpdir("dl-large-out");
    let (st, recs, s) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    assert!(recs.iter().all(|r| r["verified"] == "segments"), "{recs:?}");
    // By default the segments are fetched in parallel, straight from the
    // segment container.
    assert!(recs.iter().all(|r| r["segments"] == 3), "{recs:?}");
    assert!(std::fs::read(out.join("slo")).unwrap() == slo);
    assert!(std::fs::read(out.join("dlo")).unwrap() == dlo);
    std::fs::remove_file(out.join("dlo")).unwrap();
    std::fs::remove_file(out.join("slo")).unwrap();
    // Named explicitly (no listing says what they are): the first GET asks
    // for the manifest, and they are still verified per segment; with
    // segment_threads 1, as one GET of the whole object.
    let (st, recs, s) = run_twin(
        swc_download,
        json!({"container": cont, "objects": ["slo", "dlo"], "out_directory": out, "segment_threads": 1}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    assert!(recs.iter().all(|r| r["verified"] == "segments"), "{recs:?}");
    assert!(recs.iter().all(|r| r.get("segments").is_none()), "{recs:?}");
    assert!(std::fs::read(out.join("slo")).unwrap() == slo);
    assert!(std::fs::read(out.join("dlo")).unwrap() == dlo);
    std::fs::remove_file(out.join("dlo")).unwrap();
    std::fs::remove_file(out.join("slo")).unwrap();
    // Rot one byte of the middle DLO segment on the server's disk: the
    // object server still serves it, the listing still has the old MD5, and
    // we refuse it. Overwrite the middle SLO segment through the API: its
    // MD5 no longer matches the manifest.
    let seg_bytes = data(300_000, 13 + 3);
    assert!(dlo[300_000..600_000] == seg_bytes[..]);
    rt().block_on(async {
        put(
            &c,
            &format!("{cont}_segments"),
            "slo/slo/seg/00000001",
            &data(300_000, 54321),
            json!({}),
        )
        .await;
    });
    // Both ways: segments in parallel, and one GET checked as it streams.
    for threads in [10, 1] {
        // A whole read of a rotten file makes the object server quarantine
        // it: put it back and rot it again each time.
        rt().block_on(put(
            &c,
            &format!("{cont}_segments"),
            "dlo/dlo/00000001",
            &seg_bytes,
            json!({}),
        ));
        rot_on_disk(&seg_bytes);
        let (st, recs, _) = run_twin(
            swc_download,
            json!({"container": cont, "out_directory": out, "segment_threads": threads}),
        );
        assert_ne!(st, SWC_OK);
        let d = recs.iter().find(|r| r["object"] == "dlo").unwrap();
        assert_eq!(d["success"], false);
        assert_eq!(d["error_record"]["status"], 11, "SWC_E_CHECKSUM: {d}");
        assert!(d["error"].as_str().unwrap().contains("segment 1"), "{d}");
        let s = recs.iter().find(|r| r["object"] == "slo").unwrap();
        assert_eq!(s["success"], false, "{s}");
        if threads > 1 {
            // Fetched on its own, the replaced segment's ETag is not the
            // manifest's. (Through the SLO middleware, the server itself
            // refuses the GET: 409.)
            assert_eq!(s["error_record"]["status"], 11, "SWC_E_CHECKSUM: {s}");
            assert!(
                s["error"].as_str().unwrap().contains("segment 1 of 3"),
                "{s}"
            );
        }
        assert!(
            files_under(&out).is_empty(),
            "no complete-looking file left: {:?}",
            files_under(&out)
        );
    }
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn names_that_escape_the_output_directory_are_refused() {
    let c = client(&v1_options());
    let cont = unique("dl-escape");
    let base = tmpdir("dl-escape-base");
    let out = base.join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A symlink inside the output directory that points outside it.
    std::os::unix::fs::symlink(&base, out.join("link")).unwrap();
    let evil = [
        "../evil",
        "a/../../evil2",
        "/abs-evil",
        "link/via-link",
        "ok/../../evil3",
    ];
    rt().block_on(async {
        mkcontainer(&c, &cont).await;
        for n in evil {
            // Sent raw: URL libraries (ours included) resolve ".." segments.
            let raw = n.replace(' ', "%20");
            assert_eq!(raw_put(&cont, &raw, b"pwned").await, 201, "{n}");
        }
        put(&c, &cont, "fine/file", b"good", json!({})).await;
    });
    let (st, recs, _) = run_twin(
        swc_download,
        json!({"container": cont, "out_directory": out}),
    );
    assert_ne!(st, SWC_OK);
    for n in evil {
        let r = recs
            .iter()
            .find(|r| r["object"] == n)
            .unwrap_or_else(|| panic!("no record for {n}: {recs:?}"));
        assert_eq!(r["success"], false, "{n}");
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .contains("outside the output directory"),
            "{r}"
        );
    }
    assert_eq!(std::fs::read(out.join("fine/file")).unwrap(), b"good");
    let mut outside: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    outside.sort();
    assert_eq!(outside, ["out"], "nothing written outside");
    assert!(!Path::new("/abs-evil").exists());
    rt().block_on(async { cleanup(&c, &cont).await });
}

/// Flips one byte of the .data file holding exactly `content`, in place.
fn rot_on_disk(content: &[u8]) {
    fn walk(d: &Path, content: &[u8]) -> bool {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                if walk(&p, content) {
                    return true;
                }
            } else if p.extension().is_some_and(|x| x == "data")
                && std::fs::metadata(&p).map(|m| m.len()).ok() == Some(content.len() as u64)
            {
                let mut d = std::fs::read(&p).unwrap();
                if d == content {
                    d[1000] ^= 0x55;
                    std::fs::write(&p, d).unwrap();
                    return true;
                }
            }
        }
        false
    }
    assert!(
        walk(Path::new(&env("SWC_TEST_DEVICES")), content),
        "segment file not found on disk"
    );
}

#[test]
fn a_large_plain_object_in_parallel_ranges() {
    use common::faultproxy::FaultProxy;
    let r = rt();
    let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let opts =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    let stop = tokio_util::sync::CancellationToken::new();
    let s2 = stop.clone();
    let cont = unique("dl-ranges");
    let body = data(8 << 20, 77);
    let c = client(&opts);
    r.block_on(async {
        mkcontainer(&c, &cont).await;
        put(
            &c,
            &cont,
            "big",
            &body,
            json!({"X-Object-Meta-Mtime": "1600000000.250000"}),
        )
        .await;
    });
    let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
    let out = tmpdir("dl-ranges-out");
    let cc = ffi_client(&opts);
    let (st, recs, s) = svc(
        swc_download,
        cc,
        json!({"container": cont, "objects": ["big"], "out_directory": out, "range_parts": 4, "range_threshold": "1M"}),
    );
    unsafe { swc_client_free(cc) };
    assert_eq!(st, SWC_OK, "{s} {recs:?}");
    assert_eq!(recs[0]["parts"], 4);
    assert_eq!(recs[0]["verified"], "md5");
    assert_eq!(
        recs[0]["response_dict"]["headers"]["x-object-meta-mtime"],
        "1600000000.250000"
    );
    assert!(std::fs::read(out.join("big")).unwrap() == body);
    let m = std::fs::metadata(out.join("big"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        m.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis(),
        1_600_000_000_250
    );
    let ranges = fp
        .heads()
        .iter()
        .filter(|h| h.starts_with("GET") && h.to_ascii_lowercase().contains("range: bytes="))
        .count();
    assert_eq!(ranges, 4);
    assert_eq!(files_under(&out), ["big"], "no temporary file left");
    stop.cancel();
    th.join().unwrap();
    rt().block_on(async { cleanup(&client(&v1_options()), &cont).await });
}

#[test]
fn one_object_to_a_write_callback_verified_per_segment() {
    use std::ffi::{c_int, c_void, CStr, CString};
    use swiftclient::ffi::stream::swc_download_to;
    extern "C" fn write(ud: *mut c_void, buf: *const u8, len: usize) -> c_int {
        let v = unsafe { &mut *(ud as *mut Vec<u8>) };
        v.extend_from_slice(unsafe { std::slice::from_raw_parts(buf, len) });
        0
    }
    let c = client(&v1_options());
    let cont = unique("dl-cb");
    let slo = rt().block_on(async {
        mkcontainer(&c, &cont).await;
        make_slo(&c, &cont, "s", 3, 100_000).await
    });
    let cc = ffi_client(&v1_options());
    let fetch = |obj: &str, got: &mut Vec<u8>| -> (i32, Value) {
        let req = CString::new(json!({"container": cont, "objects": [obj]}).to_string()).unwrap();
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = swc_download_to(
            cc,
            req.as_ptr(),
            Some(write),
            got as *mut Vec<u8> as *mut c_void,
            std::ptr::null(),
            &mut out,
            &mut err,
        );
        let p = if st == 0 { out } else { err };
        let v: Value =
            serde_json::from_str(unsafe { CStr::from_ptr(p) }.to_str().unwrap()).unwrap();
        unsafe { swiftclient::ffi::swc_string_free(p) };
        (st, v)
    };
    let mut got = Vec::new();
    let (st, rec) = fetch("s", &mut got);
    assert_eq!(st, SWC_OK, "{rec}");
    assert_eq!(rec["verified"], "segments");
    assert!(got == slo);
    rt().block_on(async {
        put(
            &c,
            &format!("{cont}_segments"),
            "s/slo/seg/00000002",
            &data(100_000, 1),
            json!({}),
        )
        .await
    });
    let mut got = Vec::new();
    let (st, e) = fetch("s", &mut got);
    assert_ne!(st, SWC_OK, "{e}");
    let (st, e) = fetch("missing", &mut Vec::new());
    assert_eq!((st, e["http_status"].as_u64()), (4, Some(404)));
    unsafe { swc_client_free(cc) };
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}
