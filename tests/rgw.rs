//! The second server: Ceph RGW's Swift API (`scripts/rgw up`), with the
//! calls and operations an appliance relies on, each checked byte for
//! byte. What RGW does differently (README, "Swift and Ceph RGW") is
//! asserted here too, so a change on either side shows.
//!
//! Skipped, with a line saying so, when no RGW is described by the
//! environment (SWC_TEST_RGW_AUTH); `scripts/test` starts one and sets
//! SWC_TEST_RGW_REQUIRED=1, which turns a missing RGW into a failure.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::conn::body::{BytesSource, VecSink};
use swiftclient::conn::opts::RequestOpts;
use swiftclient::conn::{container, object};
use swiftclient::service::Action;
use swiftclient::Status;

/// The RGW client options, or None (test skipped) when there is no RGW.
fn rgw(user: &str) -> Option<Value> {
    let Ok(auth) = std::env::var("SWC_TEST_RGW_AUTH") else {
        assert!(
            std::env::var("SWC_TEST_RGW_REQUIRED").as_deref() != Ok("1"),
            "SWC_TEST_RGW_REQUIRED=1 but SWC_TEST_RGW_AUTH is not set"
        );
        eprintln!("skipped: no Ceph RGW (SWC_TEST_RGW_AUTH unset; run scripts/rgw up)");
        return None;
    };
    let (u, k) = match user {
        "test2" => (env("SWC_TEST_RGW_USER2"), env("SWC_TEST_RGW_KEY2")),
        _ => (env("SWC_TEST_RGW_USER"), env("SWC_TEST_RGW_KEY")),
    };
    Some(json!({"auth": auth, "user": u, "key": k, "starting_backoff": 0.2}))
}

/// RGW's bucket names: at least 3 characters, lower case is safest.
fn name(tag: &str) -> String {
    unique(tag).to_ascii_lowercase()
}

#[test]
fn the_connection_api_on_rgw() {
    let Some(o) = rgw("test") else { return };
    let rt = rt();
    rt.block_on(async {
        let c = client(&o);
        let auth = c.auth_record(false, false).await.unwrap();
        let url = auth["storage_url"].as_str().unwrap().to_string();
        assert!(url.ends_with("/swift/v1/AUTH_test"), "{url}");
        // RGW sends no X-Auth-Token-Expires: no expiry is known.
        assert_eq!(auth["expires_at"], Value::Null, "{auth}");

        let cont = name("rgw-conn");
        container::put(&c, &cont, &RequestOpts::default(), &no_cancel())
            .await
            .unwrap();
        // A second PUT: Swift says 202; RGW may say 409 BucketAlreadyExists.
        match container::put(&c, &cont, &RequestOpts::default(), &no_cancel()).await {
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.http_status, Some(409), "{e}");
                assert!(e.message.contains("BucketAlreadyExists"), "{e}");
            }
        }
        let body = data(200_000, 1);
        let put = object::put(
            &c,
            &cont,
            "dir/obj one",
            &opts(
                json!({"headers": {"X-Object-Meta-Colour": "blue"}, "content_type": "text/x-test"}),
            ),
            &mut BytesSource::new(&body),
            &no_cancel(),
        )
        .await
        .unwrap();
        assert_eq!(put["etag"], json!(md5_hex(&body)));
        let (got, rec) = get_object(&c, &cont, "dir/obj one").await.unwrap();
        assert!(got == body && rec["verified"] == true, "{rec}");
        let head = object::head(
            &c,
            &cont,
            "dir/obj one",
            &RequestOpts::default(),
            &no_cancel(),
        )
        .await
        .unwrap();
        assert_eq!(head["headers"]["x-object-meta-colour"], "blue", "{head}");
        assert_eq!(head["headers"]["content-type"], "text/x-test", "{head}");
        object::post(
            &c,
            &cont,
            "dir/obj one",
            &opts(json!({"headers": {"X-Object-Meta-Colour": "red"}})),
            &no_cancel(),
        )
        .await
        .unwrap();
        object::copy(
            &c,
            &cont,
            "dir/obj one",
            &opts(json!({"destination": format!("/{cont}/copy")})),
            &no_cancel(),
        )
        .await
        .unwrap();
        let (copied, _) = get_object(&c, &cont, "copy").await.unwrap();
        assert!(copied == body);
        let list = container::list(
            &c,
            &cont,
            &opts(json!({"full_listing": true})),
            &no_cancel(),
        )
        .await
        .unwrap();
        let names: Vec<&str> = list["listing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["copy", "dir/obj one"]);
        // A missing object: 404, with RGW's reason in the message.
        let e = get_object(&c, &cont, "missing").await.unwrap_err();
        assert_eq!(e.status, Status::NotFound);
        assert!(e.message.contains("NoSuchKey"), "{}", e.message);
        // Capabilities are found under the storage URL's prefix.
        let (at, info) = swiftclient::service::capabilities::get(&c, None, true, &no_cancel())
            .await
            .unwrap();
        assert!(at.ends_with("/swift/info"), "{at}");
        assert!(info["swift"].is_object(), "{info}");
        for o in ["copy", "dir/obj one"] {
            object::delete(&c, &cont, o, &RequestOpts::default(), &no_cancel())
                .await
                .unwrap();
        }
        container::delete(&c, &cont, &RequestOpts::default(), &no_cancel())
            .await
            .unwrap();
    });
}

#[test]
fn slo_round_trip_on_rgw_is_byte_identical() {
    let Some(o) = rgw("test") else { return };
    let c = client(&o);
    let dir = tmpdir("rgw-slo");
    let body = data(3 * 1024 * 1024 + 12_345, 7);
    std::fs::write(dir.join("big.bin"), &body).unwrap();
    let cont = name("rgw-slo");
    let (st, recs, summary) = run_op(
        &c,
        Action::Upload,
        json!({"container": cont, "segment_size": 1024 * 1024,
               "objects": [{"path": dir.join("big.bin"), "object_name": "big.bin"}]}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let up = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(up["segments"], 4, "{up}");
    // Uploading into the same (existing) container again: the container
    // PUT may be refused (409 on RGW), which is a warning only.
    let (st, recs, summary) = run_op(
        &c,
        Action::Upload,
        json!({"container": cont, "objects": [{"path": dir.join("big.bin"), "object_name": "small"}],
               "segment_size": 8 * 1024 * 1024}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    // Downloads: one GET checked per segment, segments in parallel, and the
    // whole container; every one byte-identical.
    for (threads, req) in [
        (1, json!({"objects": ["big.bin"]})),
        (10, json!({"objects": ["big.bin"]})),
        (10, json!({})),
    ] {
        let out = dir.join(format!("out-{threads}-{}", req["objects"].is_array()));
        let mut r = req.clone();
        r["container"] = json!(cont);
        r["out_directory"] = json!(out);
        r["segment_threads"] = json!(threads);
        let (st, recs, summary) = run_op(&c, Action::Download, r);
        assert_eq!(st, Status::Ok, "{summary} {recs:?}");
        assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), body, "{req}");
    }
    let (st, recs, summary) = run_op(&c, Action::Delete, json!({"container": cont}));
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    // The segments went with the manifest.
    let seg = format!("{cont}_segments");
    let left = rt().block_on(names(&c, &seg));
    assert!(left.is_empty(), "{left:?}");
    let _ = run_op(&c, Action::Delete, json!({ "container": seg }));
}

#[test]
fn bulk_operations_on_rgw() {
    let Some(o) = rgw("test") else { return };
    let c = client(&o);
    let dir = tmpdir("rgw-bulk");
    std::fs::create_dir_all(dir.join("tree/sub")).unwrap();
    let mut files = Vec::new();
    for (i, f) in ["tree/a.txt", "tree/b.txt", "tree/sub/c.txt"]
        .iter()
        .enumerate()
    {
        let d = data(1000 + i * 100, i as u64);
        std::fs::write(dir.join(f), &d).unwrap();
        files.push((f.to_string(), d));
    }
    let dlo = data(2_500_000, 21);
    std::fs::write(dir.join("dlo.bin"), &dlo).unwrap();
    let cont = name("rgw-bulk");
    let (st, recs, summary) = run_op(
        &c,
        Action::Upload,
        json!({"container": cont, "objects": [{"path": dir.join("tree"), "object_name": "tree"}],
               "meta": ["Colour:green"]}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let (st, recs, summary) = run_op(
        &c,
        Action::Upload,
        json!({"container": cont, "segment_size": 1_000_000, "use_slo": false,
               "objects": [{"path": dir.join("dlo.bin"), "object_name": "dlo.bin"}]}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    // Listing, in pages of 2 through the Connection API and in bulk.
    let listed = rt().block_on(async {
        container::list(
            &c,
            &cont,
            &opts(json!({"limit": 2, "full_listing": true})),
            &no_cancel(),
        )
        .await
        .unwrap()
    });
    let listed_names: Vec<&str> = listed["listing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed_names,
        ["dlo.bin", "tree/a.txt", "tree/b.txt", "tree/sub/c.txt"]
    );
    assert!(listed["pages"].as_u64().unwrap() >= 2, "{listed}");
    let (st, recs, _) = run_op(
        &c,
        Action::List,
        json!({"container": cont, "prefix": "tree/"}),
    );
    assert_eq!(st, Status::Ok);
    let n: usize = recs
        .iter()
        .map(|r| r["listing"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(n, 3, "{recs:?}");
    // Metadata: set in bulk, read in bulk.
    let (st, recs, summary) = run_op(
        &c,
        Action::Post,
        json!({"container": cont, "objects": ["tree/a.txt"], "meta": ["Colour:blue"]}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let (st, recs, _) = run_op(
        &c,
        Action::Stat,
        json!({"container": cont, "objects": ["tree/a.txt", "tree/b.txt"]}),
    );
    assert_eq!(st, Status::Ok, "{recs:?}");
    let colour = |o: &str| {
        recs.iter().find(|r| r["object"] == o).unwrap()["headers"]["x-object-meta-colour"].clone()
    };
    assert_eq!(
        (colour("tree/a.txt"), colour("tree/b.txt")),
        (json!("blue"), json!("green"))
    );
    // Server-side copy, then everything back (the DLO verified per segment).
    let (st, recs, summary) = run_op(
        &c,
        Action::Copy,
        json!({"container": cont, "objects": ["tree/b.txt"], "destination": format!("/{cont}/copied.txt")}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let out = dir.join("out");
    let (st, recs, summary) = run_op(
        &c,
        Action::Download,
        json!({"container": cont, "out_directory": out}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    for (f, d) in &files {
        assert_eq!(&std::fs::read(out.join(f)).unwrap(), d, "{f}");
    }
    assert_eq!(std::fs::read(out.join("copied.txt")).unwrap(), files[1].1);
    assert_eq!(std::fs::read(out.join("dlo.bin")).unwrap(), dlo);
    let dl = recs.iter().find(|r| r["object"] == "dlo.bin").unwrap();
    assert_eq!(dl["verified"], "segments", "{dl}");
    // A range of a plain object.
    let part = rt().block_on(async {
        let mut sink = VecSink::default();
        object::get(
            &c,
            &cont,
            "tree/a.txt",
            &opts(json!({"headers": {"Range": "bytes=10-19"}})),
            &mut sink,
            &no_cancel(),
        )
        .await
        .unwrap();
        sink.0
    });
    assert_eq!(part, files[0].1[10..20]);
    // Delete by prefix, then the rest with the DLO's segments.
    let (st, recs, summary) = run_op(
        &c,
        Action::Delete,
        json!({"container": cont, "prefix": "tree/"}),
    );
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let left = rt().block_on(names(&c, &cont));
    assert_eq!(left, ["copied.txt", "dlo.bin"]);
    let (st, recs, summary) = run_op(&c, Action::Delete, json!({"container": cont}));
    assert_eq!(st, Status::Ok, "{summary} {recs:?}");
    let seg = format!("{cont}_segments");
    assert!(rt().block_on(names(&c, &seg)).is_empty());
    let _ = run_op(&c, Action::Delete, json!({ "container": seg }));
}

#[test]
fn temp_urls_on_rgw_verify_with_sha1() {
    let Some(o) = rgw("test2") else { return };
    let rt = rt();
    rt.block_on(async {
        let c = client(&o);
        let cont = name("rgw-tempurl");
        container::put(&c, &cont, &RequestOpts::default(), &no_cancel())
            .await
            .unwrap();
        let body = b"signed bytes".to_vec();
        put(&c, &cont, "o", &body, json!({})).await;
        post_account(&c, json!({"X-Account-Meta-Temp-URL-Key": "rgw-key"})).await;
        let storage = storage_url(&c).await;
        let fetch = |digest: &str| {
            let req = serde_json::from_value(json!({
                "path": format!("{storage}/{cont}/o"), "seconds": 300, "key": "rgw-key",
                "method": "GET", "digest": digest,
            }))
            .unwrap();
            let url = swiftclient::tempurl::generate(&req, now()).unwrap();
            async move { reqwest::get(&url).await.unwrap() }
        };
        let ok = fetch("sha1").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.bytes().await.unwrap().to_vec(), body);
        // RGW checks sha1 only (the README says so; swc tempurl --help too).
        assert_eq!(fetch("sha256").await.status(), 403);
        post_account(&c, json!({"X-Remove-Account-Meta-Temp-URL-Key": "x"})).await;
        cleanup(&c, &cont).await;
    });
}
