//! `upload` against the real cluster through the C ABI: a directory tree
//! with nested and empty directories, mtime as python-swiftclient writes
//! it, SLO and DLO segments (names checked), overwrite cleanup, changed /
//! skip_identical, progress, fail_fast and cancellation (the limits and
//! request counts are in service_limits.rs).

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use swiftclient::ffi::service::swc_upload;
use swiftclient::ffi::SWC_OK;

fn upload(opts: &Value, req: Value) -> (i32, Vec<Value>, Value, Vec<Value>) {
    svc_on(opts, swc_upload, req)
}

fn python_mtime(p: &Path) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import os,sys; print('%f' % os.path.getmtime(sys.argv[1]))",
        ])
        .arg(p)
        .output()
        .expect("python3");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn head(c: &swiftclient::Client, cont: &str, obj: &str) -> Value {
    swiftclient::conn::object::head(c, cont, obj, &Default::default(), &no_cancel())
        .await
        .unwrap()["headers"]
        .clone()
}

async fn get(c: &swiftclient::Client, cont: &str, obj: &str) -> Vec<u8> {
    get_object(c, cont, obj).await.unwrap().0
}

#[test]
fn a_directory_tree_with_empty_directories() {
    let dir = tmpdir("tree");
    let mut expected = Vec::new();
    for a in 0..10 {
        for b in 0..4 {
            let sub = dir.join(format!("d{a}/e{b}"));
            std::fs::create_dir_all(&sub).unwrap();
            for f in 0..5 {
                let p = sub.join(format!("f{f}.txt"));
                std::fs::write(&p, format!("{a}{b}{f}").repeat(a + 1)).unwrap();
                expected.push(format!("tree/d{a}/e{b}/f{f}.txt"));
            }
        }
    }
    std::fs::create_dir_all(dir.join("empty/deeper")).unwrap();
    std::fs::create_dir_all(dir.join("d0/empty2")).unwrap();
    expected.push("tree/empty/deeper".into());
    expected.push("tree/d0/empty2".into());
    expected.sort();
    let cont = unique("up-tree");
    // The directory is given as "<tmp>/tree": names are relative to <tmp>.
    let tree = dir.join("tree");
    std::fs::create_dir(&tree).unwrap();
    for e in std::fs::read_dir(&dir).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "tree" {
            std::fs::rename(e.path(), tree.join(e.file_name())).unwrap();
        }
    }
    let cwd = std::env::current_dir().unwrap();
    let (st, recs, summary, progress) = {
        // Relative path as the swift CLI gets it.
        let _g = CwdGuard::enter(&dir);
        upload(
            &v1_options(),
            json!({"container": cont, "objects": ["./tree"], "object_uu_threads": 8}),
        )
    };
    assert_eq!(std::env::current_dir().unwrap(), cwd);
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(
        recs.iter()
            .filter(|r| r["action"] == "upload_object")
            .count(),
        200
    );
    assert_eq!(
        recs.iter()
            .filter(|r| r["action"] == "create_dir_marker")
            .count(),
        2
    );
    assert!(!progress.is_empty());
    let last = progress
        .iter()
        .map(|p| p["overall_bytes"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(
        last,
        progress[0]["overall_total"].as_u64().unwrap(),
        "progress reaches the total"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        let mut got = names(&c, &cont).await;
        got.sort();
        assert_eq!(got, expected);
        let h = head(&c, &cont, "tree/d3/e1/f2.txt").await;
        assert_eq!(
            h["x-object-meta-mtime"],
            python_mtime(&tree.join("d3/e1/f2.txt")),
            "mtime exactly as python-swiftclient"
        );
        // The record's keys as python-swiftclient's: `headers` is what was
        // sent, the response is in `response_dict`.
        let r = recs
            .iter()
            .find(|r| r["object"] == "tree/d3/e1/f2.txt")
            .unwrap();
        assert_eq!(
            r["headers"],
            json!({"X-Object-Meta-Mtime": h["x-object-meta-mtime"]}),
            "{r}"
        );
        assert_eq!(r["response_dict"]["status"], 201, "{r}");
        assert_eq!(r["response_dict"]["headers"]["etag"], h["etag"], "{r}");
        let m = recs
            .iter()
            .find(|r| r["action"] == "create_dir_marker")
            .unwrap();
        assert!(m["headers"]["X-Object-Meta-Mtime"].is_string(), "{m}");
        assert!(m["headers"].get("etag").is_none(), "{m}");
        assert_eq!(get(&c, &cont, "tree/d3/e1/f2.txt").await, b"312312312312");
        let m = head(&c, &cont, "tree/empty/deeper").await;
        assert_eq!(m["content-type"], "application/directory");
        assert_eq!(m["content-length"], "0");
        cleanup(&c, &cont).await;
    });
}

struct CwdGuard(PathBuf);
impl CwdGuard {
    fn enter(d: &Path) -> CwdGuard {
        let old = std::env::current_dir().unwrap();
        std::env::set_current_dir(d).unwrap();
        CwdGuard(old)
    }
}
impl Drop for CwdGuard {
    fn drop(&mut self) {
        std::env::set_current_dir(&self.0).unwrap();
    }
}

#[test]
fn slo_and_dlo_segments_named_as_python_swiftclient() {
    let dir = tmpdir("seg");
    let (p, body) = data_file(&dir, "big.bin", 2_500_000, 1);
    let cont = unique("up-seg");
    let c = client(&v1_options());
    rt().block_on(async {
        swiftclient::conn::container::put(
            &c,
            &cont,
            &opts(json!({"headers": {"X-Storage-Policy": "silver"}})),
            &no_cancel(),
        )
        .await
        .unwrap();
    });
    let mtime = python_mtime(&p);
    let (st, recs, summary, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [{"path": p, "object_name": "slo.bin"}], "segment_size": "1M"}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(
        (
            up["large_object"].as_bool(),
            up["segments"].as_u64(),
            up["manifest"].as_str()
        ),
        (Some(true), Some(3), Some("slo"))
    );
    assert_eq!(
        recs.iter()
            .filter(|r| r["action"] == "upload_segment")
            .count(),
        3
    );
    let (st, _, summary, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [{"path": p, "object_name": "dlo.bin"}], "segment_size": 1_048_576, "use_slo": false}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    rt().block_on(async {
        let seg = format!("{cont}_segments");
        let mut got = names(&c, &seg).await;
        got.sort();
        let mut want: Vec<String> = (0..3)
            .map(|i| format!("slo.bin/slo/{mtime}/2500000/1048576/{i:08}"))
            .collect();
        want.extend((0..3).map(|i| format!("dlo.bin/{mtime}/2500000/1048576/{i:08}")));
        want.sort();
        assert_eq!(got, want);
        let h = swiftclient::conn::container::head(&c, &seg, &Default::default(), &no_cancel())
            .await
            .unwrap();
        assert_eq!(
            h["headers"]["x-storage-policy"], "silver",
            "the segment container has the container's policy"
        );
        assert!(get(&c, &cont, "slo.bin").await == body);
        assert!(get(&c, &cont, "dlo.bin").await == body);
        let d = head(&c, &cont, "dlo.bin").await;
        assert_eq!(
            d["x-object-manifest"],
            format!("{seg}/dlo.bin/{mtime}/2500000/1048576/")
        );
        assert_eq!(d["x-object-meta-mtime"], mtime);
        assert_eq!(
            head(&c, &cont, "slo.bin").await["x-static-large-object"],
            "True"
        );
    });

    // Overwrite with other segments: the old ones go, except reused ones.
    let (st, recs, _, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [{"path": p, "object_name": "slo.bin"}], "segment_size": "512K"}),
    );
    assert_eq!(st, SWC_OK);
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(up["old_segments_deleted"], 3);
    // Overwrite a DLO by a plain object: its segments go too.
    let (st, recs, _, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [{"path": p, "object_name": "dlo.bin"}]}),
    );
    assert_eq!(st, SWC_OK);
    assert_eq!(
        recs.iter()
            .find(|r| r["action"] == "upload_object")
            .unwrap()["old_segments_deleted"],
        3
    );
    rt().block_on(async {
        let got = names(&c, &format!("{cont}_segments")).await;
        assert_eq!(got.len(), 5, "only the new 512K segments: {got:?}");
        assert!(got.iter().all(|n| n.contains("/524288/")));
        assert!(get(&c, &cont, "slo.bin").await == body);
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn changed_and_skip_identical() {
    let dir = tmpdir("skip");
    let (p, _) = data_file(&dir, "f.bin", 300_000, 2);
    let (big, _) = data_file(&dir, "g.bin", 2_200_000, 3);
    let cont = unique("up-skip");
    let req = |extra: Value| {
        let mut r = json!({"container": cont, "objects": [p, big], "segment_size": "1M"});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let status = |recs: &[Value]| -> Vec<String> {
        let mut s: Vec<String> = recs
            .iter()
            .filter(|r| r["action"] == "upload_object")
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect();
        s.sort();
        s
    };
    let (st, _, _, _) = upload(&v1_options(), req(json!({})));
    assert_eq!(st, SWC_OK);
    let (_, recs, _, _) = upload(&v1_options(), req(json!({"changed": true})));
    assert_eq!(status(&recs), ["skipped-changed", "skipped-changed"]);
    // Same bytes, new mtime: `changed` uploads again, `skip_identical` does not
    // (per segment for the large one).
    let touch = |q: &Path| {
        let d = std::fs::read(q).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(q, d).unwrap();
    };
    touch(&p);
    touch(&big);
    let (_, recs, _, _) = upload(&v1_options(), req(json!({"skip_identical": true})));
    assert_eq!(status(&recs), ["skipped-identical", "skipped-identical"]);
    let (_, recs, _, _) = upload(&v1_options(), req(json!({"changed": true})));
    assert_eq!(status(&recs), ["uploaded", "uploaded"]);
    // A changed byte in the large file's last segment: uploaded again.
    let mut d = std::fs::read(&big).unwrap();
    let n = d.len();
    d[n - 10] ^= 0xff;
    std::fs::write(&big, &d).unwrap();
    let (_, recs, _, _) = upload(&v1_options(), req(json!({"skip_identical": true})));
    assert_eq!(status(&recs), ["skipped-identical", "uploaded"]);
    let c = client(&v1_options());
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn record_keys_cut_successful_records_only() {
    let dir = tmpdir("rk");
    let (p, _) = data_file(&dir, "a.txt", 10, 1);
    let cont = unique("up-rk");
    let missing = dir.join("nope.txt");
    let (st, recs, summary, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [p, missing], "object_name": null,
               "record_keys": ["object", "attempts"]}),
    );
    assert_eq!(st, swiftclient::ffi::SWC_E_HTTP, "{summary}");
    let ok: Vec<&Value> = recs.iter().filter(|r| r["success"] == true).collect();
    assert!(!ok.is_empty());
    for r in &ok {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        // create_container has them too (its "object" is null).
        assert_eq!(keys, ["action", "attempts", "object", "success"], "{r}");
    }
    let failed = recs.iter().find(|r| r["success"] == false).unwrap();
    assert!(
        failed["error"].is_string() && failed["path"].is_string(),
        "{failed}"
    );
    // A bad value is refused before anything starts.
    let (st, recs, e, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [p], "record_keys": "object"}),
    );
    assert_eq!((st, e["key"].as_str()), (2, Some("record_keys")), "{e}");
    assert!(recs.is_empty());
    let c = client(&v1_options());
    rt().block_on(cleanup(&c, &cont));
}

#[test]
fn missing_paths_fail_fast_and_pseudo_folders() {
    let dir = tmpdir("miss");
    let (p, _) = data_file(&dir, "ok.bin", 10, 4);
    let cont = unique("up-miss");
    let (st, recs, _, _) = upload(
        &v1_options(),
        json!({"container": format!("{cont}/pseudo/dir"), "objects": [p, dir.join("missing.bin")], "object_uu_threads": 1}),
    );
    assert_ne!(st, SWC_OK);
    let bad = recs.iter().find(|r| r["success"] == false).unwrap();
    assert!(
        bad["error"].as_str().unwrap().contains("missing.bin"),
        "{bad}"
    );
    let good = recs
        .iter()
        .find(|r| r["action"] == "upload_object" && r["success"] == true)
        .unwrap();
    assert!(
        good["object"].as_str().unwrap().starts_with("pseudo/dir/"),
        "{good}"
    );
    // fail_fast: the first failure stops the rest.
    let mut many: Vec<Value> = vec![json!(dir.join("missing.bin"))];
    for i in 0..30 {
        many.push(json!(data_file(&dir, &format!("m{i}"), 10, i).0));
    }
    let (st, recs, summary, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": many, "object_uu_threads": 1, "fail_fast": true}),
    );
    assert_ne!(st, SWC_OK, "{summary}");
    assert!(
        recs.iter()
            .filter(|r| r["action"] == "upload_object")
            .count()
            < 31,
        "stopped early"
    );
    let c = client(&v1_options());
    rt().block_on(async { cleanup(&c, &cont).await });
}

#[test]
fn files_over_max_file_size_are_segmented_automatically() {
    // The cluster's limit is 5 GiB; the client is told 1 MiB through its
    // capabilities cache, so a 3 MiB file shows the decision with real bytes.
    // (A client's pooled connections belong to the runtime that made them:
    // the operation's client is used on the operation's runtime only.)
    let c = client(&v1_options());
    let r = rt();
    let helper = client(&v1_options());
    r.block_on(async {
        let mut info = swiftclient::conn::info::info(&helper, &Default::default(), &no_cancel())
            .await
            .unwrap()["info"]
            .clone();
        info["swift"]["max_file_size"] = json!(1 << 20);
        let at = format!("{}/info", env("SWC_TEST_PROXY_URL"));
        c.cache_capabilities(&at, &at, info);
    });
    let dir = tmpdir("auto");
    let (p, body) = data_file(&dir, "big.bin", 3 << 20, 9);
    let cont = unique("up-auto");
    let (st, recs, summary) = run_op(
        &c,
        swiftclient::service::Action::Upload,
        json!({"container": cont, "objects": [{"path": p, "object_name": "big"}]}),
    );
    assert_eq!(st, swiftclient::Status::Ok, "{summary}");
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(
        (
            up["large_object"].as_bool(),
            up["segment_size"].as_u64(),
            up["segments"].as_u64()
        ),
        (Some(true), Some(1 << 20), Some(3)),
        "{up}"
    );
    r.block_on(async {
        assert!(get(&helper, &cont, "big").await == body);
        cleanup(&helper, &cont).await;
        cleanup(&helper, &format!("{cont}_segments")).await;
    });
}

#[test]
fn an_empty_object_name_puts_a_directory_at_the_top() {
    let dir = tmpdir("top");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/f"), b"f").unwrap();
    std::fs::write(dir.join("g"), b"g").unwrap();
    let cont = unique("up-top");
    let (st, _, s, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [dir], "object_name": ""}),
    );
    assert_eq!(st, SWC_OK, "{s}");
    let c = client(&v1_options());
    rt().block_on(async {
        let mut got = names(&c, &cont).await;
        got.sort();
        assert_eq!(got, ["g", "sub/f"]);
        cleanup(&c, &cont).await;
    });
}

#[test]
fn items_override_the_request_options() {
    let dir = tmpdir("over");
    let (a, _) = data_file(&dir, "a.bin", 1_500_000, 1);
    let (b, _) = data_file(&dir, "b.bin", 1_500_000, 2);
    let cont = unique("up-over");
    let req = json!({"container": cont, "objects": [
        {"path": a, "object_name": "a", "segment_size": "512K", "use_slo": false},
        {"path": b, "object_name": "b"}
    ]});
    let (st, recs, s, _) = upload(&v1_options(), req.clone());
    assert_eq!(st, SWC_OK, "{s}");
    let rec = |recs: &[Value], o: &str| {
        recs.iter()
            .find(|r| r["action"] == "upload_object" && r["object"] == o)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            rec(&recs, "a")["segments"].as_u64(),
            rec(&recs, "a")["manifest"].as_str()
        ),
        (Some(3), Some("dlo"))
    );
    assert_eq!(rec(&recs, "b")["large_object"], false);
    // Per-item `changed`: only the item that asks is skipped.
    let req = json!({"container": cont, "objects": [
        {"path": a, "object_name": "a", "segment_size": "512K", "use_slo": false, "changed": true},
        {"path": b, "object_name": "b"}
    ]});
    let (_, recs, _, _) = upload(&v1_options(), req);
    assert_eq!(rec(&recs, "a")["status"], "skipped-changed");
    assert_eq!(rec(&recs, "b")["status"], "uploaded");
    let c = client(&v1_options());
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
}

#[test]
fn a_pipe_as_an_upload_item() {
    let mut fds = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let body = data(2_621_440, 44);
    let to_write = body.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        let mut w = unsafe { std::fs::File::from_raw_fd(fds[1]) };
        for chunk in to_write.chunks(70_000) {
            w.write_all(chunk).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    });
    let cont = unique("up-pipe");
    let (st, recs, s, _) = upload(
        &v1_options(),
        json!({"container": cont, "segment_size": "1M", "objects": [{"fd": fds[0], "object_name": "piped"}]}),
    );
    writer.join().unwrap();
    unsafe { libc::close(fds[0]) };
    assert_eq!(st, SWC_OK, "{s} {recs:?}");
    let r = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(
        (r["large_object"].as_bool(), r["segments"].as_u64()),
        (Some(true), Some(3)),
        "{r}"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(get(&c, &cont, "piped").await == body);
        cleanup(&c, &cont).await;
        cleanup(&c, &format!("{cont}_segments")).await;
    });
    let (st, _, e, _) = upload(
        &v1_options(),
        json!({"container": cont, "objects": [{"fd": 0}]}),
    );
    assert_eq!((st, e["key"].as_str()), (2, Some("objects")));
}

/// A container the user may write into but not create (403 for a
/// write-only user; Ceph RGW answers 409 for one that exists) is a warning
/// record, not a failed operation, as in python-swiftclient.
#[test]
fn a_container_that_cannot_be_created_but_can_be_written_is_a_warning() {
    let owner = client(&v1_options());
    let cont = unique("up-writeonly");
    rt().block_on(async {
        swiftclient::conn::container::put(
            &owner,
            &cont,
            &opts(json!({"headers": {"X-Container-Write": "test:tester3"}})),
            &no_cancel(),
        )
        .await
        .unwrap();
    });
    let dir = tmpdir("writeonly");
    let (p, body) = data_file(&dir, "f.txt", 1000, 3);
    let writer =
        json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test:tester3", "key": "testing3"});
    let (st, recs, summary, _) = upload(
        &writer,
        // As with swift, a user who cannot read the container must not ask
        // about old segments (that is a HEAD: 403 too).
        json!({"container": cont, "leave_segments": true,
               "objects": [{"path": p, "object_name": "f.txt"}]}),
    );
    assert_eq!(st, 0, "{summary} {recs:?}");
    assert_eq!(summary["failed"], 0, "{summary}");
    let create = recs
        .iter()
        .find(|r| r["action"] == "create_container")
        .unwrap();
    assert_eq!(
        (
            &create["success"],
            &create["warning"],
            &create["error_record"]["http_status"]
        ),
        (&json!(false), &json!(true), &json!(403)),
        "{create}"
    );
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(up["success"], true, "{up}");
    rt().block_on(async {
        let mut sink = swiftclient::conn::body::VecSink::default();
        swiftclient::conn::object::get(
            &owner,
            &cont,
            "f.txt",
            &Default::default(),
            &mut sink,
            &no_cancel(),
        )
        .await
        .unwrap();
        assert_eq!(sink.0, body);
        cleanup(&owner, &cont).await;
    });
}
