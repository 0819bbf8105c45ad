//! `upload` with `extract_archive` through the C ABI against the real
//! cluster's bulk middleware: a tree in one streamed tar PUT (counted at a
//! fault proxy), every object byte-compared, its mtime carried as
//! metadata; gzip and bzip2; a file the server refuses named in a failed
//! record while the others land; options that cannot apply refused; swc's
//! flag. The one scripted server stands in for a cluster without the bulk
//! middleware (the local one has it).

mod common;

use common::faultproxy::{Fault, FaultProxy};
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use swiftclient::ffi::service::swc_upload;
use swiftclient::ffi::{SWC_E_CONFIG, SWC_E_HTTP, SWC_E_UNSUPPORTED, SWC_OK};

/// A tree: nested directories, a name over 100 bytes (a tar long name),
/// an empty file, files over one 64 KiB chunk, an empty directory.
/// Returns (relative name → bytes) of its files, and the empty dir's name.
fn tree(root: &Path) -> (BTreeMap<String, Vec<u8>>, String) {
    let long = format!("deep/{}", "n".repeat(130));
    let mut names = vec![
        "top.txt".to_string(),
        "a/one".into(),
        "a/b/two".into(),
        "a/b/c/three".into(),
        "a/b/c/empty".into(),
        "big/half-meg".into(),
        "uni/é ü.txt".into(),
        long,
    ];
    for i in 0..24 {
        names.push(format!("many/f{i:02}"));
    }
    let mut files = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        let len = match n.as_str() {
            "a/b/c/empty" => 0,
            "big/half-meg" => 512 * 1024 + 7,
            "a/one" => 70_000,
            _ => 100 + i * 37,
        };
        let p = root.join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let d = data(len, i as u64 + 1);
        std::fs::write(&p, &d).unwrap();
        files.insert(n.clone(), d);
    }
    std::fs::create_dir_all(root.join("hollow")).unwrap();
    (files, "hollow".into())
}

/// A C client through a fault proxy (kept turning on its own thread);
/// the proxy, and the thread's stop.
struct Proxied {
    fp: FaultProxy,
    opts: Value,
    stop: tokio_util::sync::CancellationToken,
    th: Option<std::thread::JoinHandle<()>>,
}

impl Proxied {
    fn start() -> Proxied {
        let r = rt();
        let fp = r.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
        let opts = json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
        let stop = tokio_util::sync::CancellationToken::new();
        let s2 = stop.clone();
        let th = std::thread::spawn(move || r.block_on(s2.cancelled()));
        Proxied {
            fp,
            opts,
            stop,
            th: Some(th),
        }
    }
    /// The request lines of the PUTs seen so far.
    fn puts(&self) -> Vec<String> {
        self.fp
            .heads()
            .iter()
            .filter_map(|h| h.lines().next())
            .filter(|l| l.starts_with("PUT "))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Proxied {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(th) = self.th.take() {
            let _ = th.join();
        }
    }
}

fn summary_of(recs: &[Value]) -> &Value {
    recs.iter()
        .find(|r| r["action"] == "extract_archive")
        .expect("an extract_archive record")
}

/// Every file of `files` is the object `<prefix><name>`, byte for byte.
async fn same_objects(
    c: &swiftclient::Client,
    cont: &str,
    prefix: &str,
    files: &BTreeMap<String, Vec<u8>>,
) {
    for (n, d) in files {
        let (got, _) = get_bytes(c, cont, &format!("{prefix}{n}"), json!({})).await;
        assert!(
            got == *d,
            "{prefix}{n}: {} bytes back, {} sent",
            got.len(),
            d.len()
        );
    }
}

#[test]
fn a_tree_goes_in_one_put_and_every_object_lands() {
    let dir = tmpdir("xa-tree");
    let (files, hollow) = tree(&dir);
    let cont = unique("xa-tree");
    let p = Proxied::start();
    let (st, recs, summary, _) = svc_on(
        &p.opts,
        swc_upload,
        json!({"container": format!("{cont}/pfx"), "objects": [dir.path()],
               "object_name": "up", "extract_archive": "tar", "meta": ["Color:Blue"]}),
    );
    assert_eq!(st, SWC_OK, "{summary} {recs:?}");
    // The container's PUT, then the archive: no PUT per object.
    let puts = p.puts();
    let archive: Vec<&String> = puts
        .iter()
        .filter(|l| l.contains("extract-archive=tar "))
        .collect();
    assert_eq!(archive.len(), 1, "{puts:?}");
    assert_eq!(puts.len(), 2, "{puts:?}");
    let s = summary_of(&recs);
    let n = files.len() + 1; // and the empty directory's marker
    assert_eq!(
        (s["files"].as_u64(), s["files_created"].as_u64()),
        (Some(n as u64), Some(n as u64)),
        "{s}"
    );
    assert_eq!(s["format"], "tar");
    let c = client(&v1_options());
    rt().block_on(async {
        let mut want: Vec<String> = files.keys().map(|k| format!("pfx/up/{k}")).collect();
        want.push(format!("pfx/up/{hollow}"));
        want.sort();
        assert_eq!(names(&c, &cont).await, want);
        same_objects(&c, &cont, "pfx/up/", &files).await;
        // The file's mtime and the request's metadata, as a normal upload
        // sets them; the empty directory is a directory marker.
        let h = swiftclient::conn::object::head(
            &c,
            &cont,
            "pfx/up/a/one",
            &Default::default(),
            &no_cancel(),
        )
        .await
        .unwrap();
        let mtime = std::fs::metadata(dir.join("a/one"))
            .unwrap()
            .modified()
            .unwrap();
        let secs = mtime
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert_eq!(
            h["headers"]["x-object-meta-mtime"],
            format!("{secs:.6}"),
            "{h}"
        );
        assert_eq!(h["headers"]["x-object-meta-color"], "Blue", "{h}");
        let m = swiftclient::conn::object::head(
            &c,
            &cont,
            &format!("pfx/up/{hollow}"),
            &Default::default(),
            &no_cancel(),
        )
        .await
        .unwrap();
        assert_eq!(m["headers"]["content-type"], "application/directory", "{m}");
    });
    // So a later `changed` upload of the same tree finds nothing to send.
    let (st, recs, summary, _) = svc_on(
        &p.opts,
        swc_upload,
        json!({"container": format!("{cont}/pfx"), "objects": [dir.path()], "object_name": "up", "changed": true}),
    );
    assert_eq!(st, SWC_OK, "{summary}");
    let uploaded: Vec<&Value> = recs
        .iter()
        .filter(|r| r["action"] == "upload_object" && r["status"] != "skipped-changed")
        .collect();
    assert!(uploaded.is_empty(), "sent again: {uploaded:?}");
    drop(p);
    rt().block_on(cleanup(&c, &cont));
}

#[test]
fn a_broken_archive_put_is_sent_again_from_the_first_file() {
    let dir = tmpdir("xa-retry");
    let mut files = BTreeMap::new();
    for i in 0..8u64 {
        files.insert(
            format!("f{i}"),
            data_file(&dir, &format!("f{i}"), 100_000, i).1,
        );
    }
    let cont = unique("xa-retry");
    let p = Proxied::start();
    // The connection dies a third of the way into the archive.
    let reset = Fault::ResetRequestAfter(300_000);
    p.fp.push(Fault::OnMatch("extract-archive".into(), Box::new(reset)));
    let (st, recs, summary, _) = svc_on(
        &p.opts,
        swc_upload,
        json!({"container": cont, "objects": [dir.path()], "object_name": "r", "extract_archive": "tar"}),
    );
    assert_eq!(st, SWC_OK, "{summary} {recs:?}");
    let s = summary_of(&recs);
    assert_eq!(
        (s["attempts"].as_u64(), s["files_created"].as_u64()),
        (Some(2), Some(8)),
        "{s}"
    );
    let sent = p
        .puts()
        .iter()
        .filter(|l| l.contains("extract-archive"))
        .count();
    assert_eq!(sent, 2, "{:?}", p.puts());
    let c = client(&v1_options());
    rt().block_on(async {
        same_objects(&c, &cont, "r/", &files).await;
        cleanup(&c, &cont).await;
    });
}

#[test]
fn gzip_and_bzip2_archives() {
    let dir = tmpdir("xa-z");
    let mut files = BTreeMap::new();
    for (i, n) in ["x/a", "x/y/b", &format!("x/{}", "L".repeat(120))]
        .iter()
        .enumerate()
    {
        let d = data(3000 + i * 70_001, i as u64 + 40);
        std::fs::create_dir_all(dir.join(n).parent().unwrap()).unwrap();
        std::fs::write(dir.join(n), &d).unwrap();
        files.insert(n.to_string(), d);
    }
    let c = client(&v1_options());
    for format in ["tar.gz", "tar.bz2"] {
        let cont = unique("xa-z");
        let paths: Vec<String> = files
            .keys()
            .map(|k| dir.join(k).display().to_string())
            .collect();
        let (st, recs, summary) = run_twin(
            swc_upload,
            json!({"container": cont, "objects": paths, "extract_archive": format}),
        );
        assert_eq!(st, SWC_OK, "{format}: {summary} {recs:?}");
        let s = summary_of(&recs);
        assert_eq!(s["files_created"], 3, "{s}");
        // Compressed: fewer bytes on the wire than the files' (pseudo-random,
        // so barely), and never staged: the count is of what was streamed.
        assert!(s["bytes_sent"].as_u64().unwrap() > 0, "{s}");
        assert_eq!(s["format"], format);
        let abs: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(k, v)| {
                (
                    dir.join(k)
                        .display()
                        .to_string()
                        .trim_start_matches('/')
                        .to_string(),
                    v.clone(),
                )
            })
            .collect();
        rt().block_on(async {
            same_objects(&c, &cont, "", &abs).await;
            cleanup(&c, &cont).await;
        });
    }
}

#[test]
fn a_refused_file_is_named_and_the_others_land() {
    let dir = tmpdir("xa-bad");
    let (ok1, d1) = data_file(&dir, "ok1", 1000, 1);
    let (ok2, d2) = data_file(&dir, "ok2", 2000, 2);
    let (long, _) = data_file(&dir, "long", 10, 3);
    let too_long = format!("l/{}", "x".repeat(1100));
    let missing = dir.join("not-there").display().to_string();
    let cont = unique("xa-bad");
    let (st, recs, summary) = run_twin(
        swc_upload,
        json!({"container": cont, "extract_archive": "tar", "objects": [
            {"path": ok1, "object_name": "ok1"},
            {"path": long, "object_name": too_long},
            {"path": missing, "object_name": "missing"},
            {"path": ok2, "object_name": "ok2"},
        ]}),
    );
    assert_eq!(st, SWC_E_HTTP, "{summary}");
    let failed: Vec<&Value> = recs.iter().filter(|r| r["success"] == false).collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    let by_server = failed
        .iter()
        .find(|r| r["object"] == too_long.as_str())
        .expect("the long name's record");
    assert_eq!(by_server["response_dict"]["status"], 400, "{by_server}");
    assert_eq!(by_server["path"], long.display().to_string());
    let local = failed
        .iter()
        .find(|r| r["object"] == "missing")
        .expect("the missing file's record");
    assert!(
        local["error"].as_str().unwrap().contains("not-there"),
        "{local}"
    );
    let s = summary_of(&recs);
    assert_eq!(
        (
            s["success"].as_bool(),
            s["files"].as_u64(),
            s["files_created"].as_u64()
        ),
        (Some(true), Some(3), Some(2)),
        "{s}"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        assert_eq!(names(&c, &cont).await, vec!["ok1", "ok2"]);
        assert_eq!(get_bytes(&c, &cont, "ok1", json!({})).await.0, d1);
        assert_eq!(get_bytes(&c, &cont, "ok2", json!({})).await.0, d2);
        cleanup(&c, &cont).await;
    });
}

#[test]
fn options_that_cannot_apply_are_refused_by_name() {
    let dir = tmpdir("xa-opt");
    let (f, _) = data_file(&dir, "f", 10, 1);
    let f = f.display().to_string();
    let cases = [
        (json!({"segment_size": 1000}), "segment_size"),
        (json!({"changed": true}), "changed"),
        (json!({"skip_identical": true}), "skip_identical"),
        (json!({"resumable": true}), "resumable"),
        (json!({"header": ["X-Object-Manifest: c/p"]}), "header"),
        (json!({"extract_archive": "zip"}), "extract_archive"),
        (
            json!({"objects": [{"fd": 0, "object_name": "o"}]}),
            "objects",
        ),
        (
            json!({"objects": [{"path": f, "segment_size": 5}]}),
            "segment_size",
        ),
    ];
    for (extra, key) in cases {
        let mut req =
            json!({"container": unique("xa-opt"), "objects": [f], "extract_archive": "tar.gz"});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        let (st, recs, err) = run_twin(swc_upload, req.clone());
        assert_eq!(st, SWC_E_CONFIG, "{req}: {err}");
        assert_eq!(err["key"], key, "{req}: {err}");
        assert!(err["message"].as_str().unwrap().contains(key), "{err}");
        assert!(recs.is_empty(), "{recs:?}");
    }
}

#[test]
fn swc_upload_extract_archive() {
    use common::swc::{ok_in, run_in, swc_bin};
    let swc = swc_bin();
    let dir = tmpdir("xa-swc");
    std::fs::create_dir_all(dir.join("d/b")).unwrap();
    std::fs::write(dir.join("d/a"), data(5000, 1)).unwrap();
    std::fs::write(dir.join("d/b/c"), data(70_000, 2)).unwrap();
    let cont = unique("xa-swc");
    let out = ok_in(
        &swc,
        &dir,
        &["upload", "--extract-archive=tar.bz2", &cont, "d"],
    );
    assert!(
        out.contains("2 of 2 files created from one tar.bz2 archive"),
        "{out}"
    );
    // Without a format: a plain tar.
    let out = ok_in(&swc, &dir, &["upload", "--extract-archive", &cont, "d"]);
    assert!(
        out.contains("2 of 2 files created from one tar archive"),
        "{out}"
    );
    let c = client(&v1_options());
    rt().block_on(async {
        assert_eq!(names(&c, &cont).await, vec!["d/a", "d/b/c"]);
        assert_eq!(
            get_bytes(&c, &cont, "d/b/c", json!({})).await.0,
            data(70_000, 2)
        );
    });
    let o = run_in(
        &swc,
        &dir,
        &["upload", "--extract-archive", "-S", "10", &cont, "d"],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("\"segment_size\" cannot be used with \"extract_archive\""),
        "{err}"
    );
    let help = ok_in(&swc, &dir, &["upload", "--help"]);
    assert!(help.contains("--extract-archive[=<format>]"), "{help}");
    rt().block_on(cleanup(&c, &cont));
}

#[test]
fn a_cluster_without_the_bulk_middleware_is_unsupported() {
    use common::fixture::{Fixture, Response};
    let r = rt_threads(1);
    let fx = r.block_on(Fixture::start(|req| match req.path.as_str() {
        "/info" => Response::json(200, &json!({"swift": {"version": "2.38.3"}, "slo": {}})),
        _ => Response::empty(201),
    }));
    let dir = tmpdir("xa-nobulk");
    let (f, _) = data_file(&dir, "f", 10, 1);
    let opts = json!({"os_storage_url": format!("{}/v1/AUTH_x", fx.url), "os_auth_token": "t"});
    let (st, _, err, _) = svc_on(
        &opts,
        swc_upload,
        json!({"container": "c", "objects": [f], "extract_archive": "tar"}),
    );
    assert_eq!(st, SWC_E_UNSUPPORTED, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("bulk_upload"),
        "{err}"
    );
    let methods: Vec<String> = fx
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|q| format!("{} {}", q.method, q.path))
        .collect();
    assert_eq!(methods, vec!["GET /info"], "nothing but /info was asked");
}
