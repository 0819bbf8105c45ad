//! `delete` against the real cluster: plain, SLO and DLO objects, through
//! the bulk-delete middleware and one by one, prefixes, versions,
//! leave_segments, the whole account, and a few thousand objects.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_delete;
use swiftclient::ffi::{SWC_E_HTTP, SWC_OK};

async fn mixed(prefix: &str, plain: usize) -> String {
    let c = client(&v1_options());
    let name = unique(prefix);
    mkcontainer(&c, &name).await;
    for i in 0..plain {
        put(&c, &name, &format!("p/{i:04}"), b"plain", json!({})).await;
    }
    make_slo(&c, &name, "big slo", 3, 1000).await;
    make_dlo(&c, &name, "big dlo", 3, 1000).await;
    name
}

#[test]
fn a_container_with_large_objects_through_bulk_delete() {
    let name = rt().block_on(mixed("del-bulk", 30));
    let (st, recs, summary) = run_twin(swc_delete, json!({"container": name}));
    assert_eq!(st, SWC_OK, "{summary}");
    let objs: Vec<_> = recs
        .iter()
        .filter(|r| r["action"] == "delete_object")
        .collect();
    assert_eq!(objs.len(), 32);
    assert_eq!(
        objs.iter().filter(|r| r["bulk"] == true).count(),
        30,
        "the plain objects went through bulk delete"
    );
    let dlo = objs.iter().find(|r| r["object"] == "big dlo").unwrap();
    assert_eq!(dlo["dlo_segments_deleted"], 3);
    assert_eq!(
        recs.iter()
            .filter(|r| r["action"] == "delete_segment")
            .count(),
        3
    );
    assert_eq!(
        objs.iter().find(|r| r["object"] == "big slo").unwrap()["slo_segments_deleted"],
        true
    );
    assert_eq!(recs.last().unwrap()["action"], "delete_container");
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(
            stored_names(&c, &format!("{name}_segments"))
                .await
                .is_empty(),
            "segments are gone too"
        );
        let e = swiftclient::conn::container::head(&c, &name, &Default::default(), &no_cancel())
            .await
            .unwrap_err();
        assert_eq!(e.http_status, Some(404));
        cleanup(&c, &format!("{name}_segments")).await;
    });
}

#[test]
fn one_by_one_named_objects_and_prefix() {
    let name = rt().block_on(mixed("del-one", 5));
    let (st, recs, _) = run_twin(
        swc_delete,
        json!({"container": name, "objects": ["big dlo", "big slo", "p/0000", "missing"], "bulk": "never"}),
    );
    assert_ne!(st, SWC_OK, "one object was missing");
    assert_eq!(recs.iter().filter(|r| r["success"] == false).count(), 1);
    assert!(recs.iter().all(|r| r["bulk"].is_null()));
    let (st, _, _) = run_twin(swc_delete, json!({"container": name, "prefix": "p/"}));
    assert_eq!(st, SWC_OK);
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(stored_names(&c, &name).await.is_empty());
        assert!(stored_names(&c, &format!("{name}_segments"))
            .await
            .is_empty());
        // With a prefix the container stays.
        swiftclient::conn::container::head(&c, &name, &Default::default(), &no_cancel())
            .await
            .unwrap();
        cleanup(&c, &name).await;
        cleanup(&c, &format!("{name}_segments")).await;
    });
}

#[test]
fn named_objects_on_the_bulk_path_keep_no_segments() {
    // python-swiftclient's bulk path leaks the segments of large objects
    // named in the list; ours finds them from the listing.
    let name = rt().block_on(mixed("del-named", 25));
    let mut objs: Vec<String> = (0..25).map(|i| format!("p/{i:04}")).collect();
    objs.push("big dlo".into());
    objs.push("big slo".into());
    let (st, recs, summary) = run_twin(swc_delete, json!({"container": name, "objects": objs}));
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(recs.iter().filter(|r| r["bulk"] == true).count(), 25);
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(stored_names(&c, &name).await.is_empty());
        assert!(
            stored_names(&c, &format!("{name}_segments"))
                .await
                .is_empty(),
            "no leaked segments"
        );
        cleanup(&c, &name).await;
        cleanup(&c, &format!("{name}_segments")).await;
    });
}

#[test]
fn leave_segments() {
    let name = rt().block_on(mixed("del-leave", 1));
    let (st, _, _) = run_twin(
        swc_delete,
        json!({"container": name, "leave_segments": true}),
    );
    assert_eq!(st, SWC_OK);
    let c = client(&v1_options());
    rt().block_on(async {
        assert_eq!(
            names(&c, &format!("{name}_segments")).await.len(),
            6,
            "segments left as asked"
        );
        cleanup(&c, &format!("{name}_segments")).await;
    });
}

#[test]
fn every_version() {
    let c = client(&v1_options());
    let name = unique("del-vers");
    rt().block_on(async {
        swiftclient::conn::container::put(
            &c,
            &name,
            &opts(json!({"headers": {"X-Versions-Enabled": "true"}})),
            &no_cancel(),
        )
        .await
        .unwrap();
        for i in 0..3 {
            put(&c, &name, "doc", format!("v{i}").as_bytes(), json!({})).await;
        }
    });
    let (st, recs, summary) = run_twin(swc_delete, json!({"container": name, "versions": true}));
    assert_eq!(st, SWC_OK, "{summary} {recs:?}");
    assert_eq!(
        recs.iter()
            .filter(|r| r["action"] == "delete_object" && r["version_id"].is_string())
            .count(),
        3
    );
}

#[test]
fn a_few_thousand_objects_via_bulk_delete_page_by_page() {
    // 2000 objects made in one extract-archive request, deleted 700 at a
    // time (listing pages of 700: the DLO manifest is on the third).
    const N: usize = 2000;
    let c = client(&v1_options());
    let name = unique("del-many");
    rt().block_on(async {
        mkcontainer(&c, &name).await;
        let mut tar = tar::Builder::new(Vec::new());
        for i in 0..N {
            let mut h = tar::Header::new_gnu();
            h.set_size(3);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, format!("f/{i:05}"), &b"abc"[..])
                .unwrap();
        }
        let body = tar.into_inner().unwrap();
        let r = swiftclient::conn::raw::request(
            &c,
            "PUT",
            &format!("/{name}"),
            &opts(
                json!({"query": "extract-archive=tar", "headers": {"Accept": "application/json"}}),
            ),
            Some(&mut swiftclient::conn::body::BytesSource::new(&body)),
            None,
            &no_cancel(),
        )
        .await
        .unwrap();
        let report: serde_json::Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        assert_eq!(report["Number Files Created"], N, "{report}");
        make_dlo(&c, &name, "zz dlo", 2, 10).await;
    });
    let t = std::time::Instant::now();
    let (st, recs, summary) = run_twin(swc_delete, json!({"container": name, "page_size": 700}));
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(recs.iter().filter(|r| r["bulk"] == true).count(), N);
    // The DLO manifest (last page) went one by one, with its segments.
    assert!(
        recs.iter()
            .any(|r| r["action"] == "delete_object" && r["object"] == "zz dlo"),
        "{summary}"
    );
    assert!(
        recs.iter()
            .any(|r| r["action"] == "delete_container" && r["success"] == true),
        "{summary}"
    );
    eprintln!("deleted {N} objects in {:?}", t.elapsed());
    rt().block_on(async {
        assert!(stored_names(&c, &format!("{name}_segments"))
            .await
            .is_empty());
        cleanup(&c, &format!("{name}_segments")).await;
    });
}

#[test]
fn the_whole_account() {
    let c = client(
        &json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test2:tester2", "key": "testing2"}),
    );
    // One container holds an object that cannot be deleted on its own (a
    // ".." name): that container stays, and only that one.
    let bad = unique("acct-bad");
    rt().block_on(async {
        for i in 0..3 {
            let n = unique(&format!("acct{i}"));
            mkcontainer(&c, &n).await;
            put(&c, &n, "o", b"x", json!({})).await;
        }
        mkcontainer(&c, &bad).await;
        assert_eq!(
            raw_put_as("test2:tester2", "testing2", &bad, "../stuck", b"x").await,
            201
        );
    });
    let cc = ffi_client(
        &json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test2:tester2", "key": "testing2"}),
    );
    let (st, recs, summary) = svc(swc_delete, cc, json!({"yes_all": true}));
    assert_eq!(st, SWC_E_HTTP, "{summary}");
    let deleted = |recs: &[Value]| {
        recs.iter()
            .filter(|r| r["action"] == "delete_container" && r["success"] == true)
            .count()
    };
    assert!(deleted(&recs) >= 3, "{recs:?}");
    let failed: Vec<&Value> = recs.iter().filter(|r| r["success"] == false).collect();
    assert_eq!(failed.len(), 2, "the object and its container: {failed:?}");
    assert!(
        failed.iter().all(|r| r["container"] == bad.as_str()),
        "{failed:?}"
    );
    let listed = || {
        rt().block_on(async {
            let l = swiftclient::conn::account::list(&c, &Default::default(), &no_cancel())
                .await
                .unwrap();
            l["listing"].as_array().unwrap().len()
        })
    };
    assert_eq!(listed(), 1);
    // Bulk delete can remove what a DELETE request cannot address.
    let (st, _, summary) = svc(swc_delete, cc, json!({"container": bad, "bulk": "always"}));
    unsafe { swc_client_free(cc) };
    assert_eq!(st, SWC_OK, "{summary}");
    assert_eq!(listed(), 0);
}

#[test]
fn bad_requests_fail_at_start() {
    let c = ffi_client(&v1_options());
    for (req, key) in [
        (json!({}), "container"),
        (json!({"objects": ["a"], "yes_all": true}), "container"),
        (json!({"container": "c", "version_id": "1"}), "version_id"),
        (json!({"container": "c", "bulk": "sometimes"}), "bulk"),
        (
            json!({"container": "c", "object_dd_threads": 0}),
            "object_dd_threads",
        ),
        (json!({"container": "a/b"}), "container"),
        (json!({"container": "c", "page_size": 0}), "page_size"),
    ] {
        let (st, recs, e) = svc(swc_delete, c, req.clone());
        // A bad name is a bad argument; the rest are bad options.
        let want = if req["container"] == "a/b" { 1 } else { 2 };
        assert_eq!(st, want, "{req}");
        assert_eq!(e["key"], key, "{req}: {e}");
        assert!(recs.is_empty());
    }
    unsafe { swc_client_free(c) };
}

/// An object found by listing that is gone when its turn comes (its
/// manifest's delete took it, another client did) is what was wanted:
/// success, `already_gone`. An object the caller named that is not there is
/// still reported (404), as swift reports it.
#[test]
fn a_listed_object_already_gone_is_deleted_a_named_one_is_not_found() {
    use common::faultproxy::{ffi_client_through_proxy, Fault};
    let (rt, fp, c) = ffi_client_through_proxy();
    let rc = client(&v1_options());
    let name = unique("del-gone");
    rt.block_on(async {
        mkcontainer(&rc, &name).await;
        put(&rc, &name, "p/x", b"x", json!({})).await;
        put(&rc, &name, "keep", b"k", json!({})).await;
    });
    // The server answers the object's DELETE with 404, as it does when
    // someone else deleted it after the listing.
    let gone = || {
        Fault::OnMatch(
            format!("DELETE /v1/AUTH_test/{name}/p/x "),
            Box::new(Fault::Status(404, vec![])),
        )
    };
    fp.push(gone());
    let (st, recs, summary) = svc(
        swc_delete,
        c,
        json!({"container": name, "prefix": "p/", "bulk": "never"}),
    );
    assert_eq!(st, SWC_OK, "{summary} {recs:?}");
    assert!(fp.plan_is_empty(), "the 404 was never asked for");
    let r = recs.iter().find(|r| r["object"] == "p/x").unwrap();
    assert_eq!(
        (&r["success"], &r["already_gone"]),
        (&json!(true), &json!(true)),
        "{r}"
    );
    fp.push(gone());
    let (st, recs, _) = svc(
        swc_delete,
        c,
        json!({"container": name, "objects": ["p/x"]}),
    );
    assert_eq!(st, SWC_E_HTTP);
    assert_eq!(recs[0]["error_record"]["http_status"], 404, "{recs:?}");
    unsafe { swc_client_free(c) };
    let (st, _, summary) = run_twin(swc_delete, json!({"container": name}));
    assert_eq!(st, SWC_OK, "{summary}");
}
