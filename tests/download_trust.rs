//! A download is accepted only when its length agrees with the object's
//! size as the server states it elsewhere; an answer to
//! `?multipart-manifest=get` that is not a manifest is never taken for the
//! object's body. The real cluster holds the objects; a fault proxy in front
//! of it answers one request as a server with other habits would — Ceph
//! RGW answers `multipart-manifest=get` for an SLO with an empty body, the
//! empty MD5 as ETag and only `X-Object-Meta-Static-Large-Object` — and the
//! download must still bring back every byte, or fail with nothing left.

mod common;

use common::faultproxy::{ffi_client_through_proxy, Fault};
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_download;

const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

/// An empty 200 that says it is a whole object.
fn empty_answer(extra: &[(&str, &str)]) -> Fault {
    let mut h = vec![
        ("ETag".to_string(), EMPTY_MD5.to_string()),
        (
            "Content-Type".to_string(),
            "application/octet-stream".to_string(),
        ),
    ];
    h.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Fault::Status(200, h)
}

fn on_manifest_get(f: Fault) -> Fault {
    Fault::OnMatch("multipart-manifest=get".into(), Box::new(f))
}

fn files(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_rgw_style_empty_manifest_answer_is_not_the_object() {
    let (rt, fp, c) = ffi_client_through_proxy();
    let cont = unique("trust");
    let rc = client(&v1_options());
    let slo = rt.block_on(async {
        mkcontainer(&rc, &cont).await;
        make_slo(&rc, &cont, "big", 3, 300_000).await
    });
    for threads in [1, 10] {
        let out = tmpdir("trust-slo");
        fp.push(on_manifest_get(empty_answer(&[(
            "X-Object-Meta-Static-Large-Object",
            "True",
        )])));
        let (st, recs, summary) = svc(
            swc_download,
            c,
            json!({"container": cont, "objects": ["big"], "out_directory": out,
                   "segment_threads": threads}),
        );
        assert_eq!(st, 0, "{summary} {recs:?}");
        assert!(fp.plan_is_empty(), "the empty answer was never asked for");
        assert_eq!(recs[0]["success"], true, "{recs:?}");
        assert_eq!(recs[0]["read_length"], json!(slo.len()), "{recs:?}");
        assert_eq!(
            std::fs::read(out.join("big")).unwrap(),
            slo,
            "threads {threads}"
        );
    }
    rt.block_on(cleanup(&rc, &cont));
    rt.block_on(cleanup(&rc, &format!("{cont}_segments")));
    unsafe { swc_client_free(c) };
}

#[test]
fn an_answer_shorter_than_the_listing_is_not_the_object() {
    let (rt, fp, c) = ffi_client_through_proxy();
    let cont = unique("trust");
    let rc = client(&v1_options());
    let body = data(50_000, 9);
    rt.block_on(async {
        mkcontainer(&rc, &cont).await;
        put(&rc, &cont, "plain", &body, json!({})).await;
    });
    // The whole container: the listing says 50 000 bytes; an empty answer
    // that verifies against its own ETag must not pass for the object.
    let out = tmpdir("trust-list");
    fp.push(on_manifest_get(empty_answer(&[])));
    let (st, recs, summary) = svc(
        swc_download,
        c,
        json!({"container": cont, "out_directory": out}),
    );
    assert_eq!(st, 0, "{summary} {recs:?}");
    assert!(fp.plan_is_empty(), "the empty answer was never asked for");
    assert_eq!(std::fs::read(out.join("plain")).unwrap(), body);

    // One object, no listing: an empty answer is checked with a HEAD; when
    // the plain GET then brings fewer bytes than the HEAD said (and so
    // does the one more GET a body that does not check out gets), the
    // download fails and leaves no file at all.
    let out = tmpdir("trust-head");
    fp.push(on_manifest_get(empty_answer(&[])));
    fp.push(Fault::OnMatch("GET ".into(), Box::new(empty_answer(&[]))));
    fp.push(Fault::OnMatch("GET ".into(), Box::new(empty_answer(&[]))));
    let (st, recs, summary) = svc(
        swc_download,
        c,
        json!({"container": cont, "objects": ["plain"], "out_directory": out}),
    );
    assert_ne!(st, 0, "{summary}");
    let failed: Vec<&Value> = recs.iter().filter(|r| r["success"] == false).collect();
    assert_eq!(failed.len(), 1, "{recs:?}");
    assert_eq!(
        failed[0]["error_record"]["status_name"], "SWC_E_CHECKSUM",
        "{recs:?}"
    );
    assert!(
        failed[0]["error_record"]["message"]
            .as_str()
            .unwrap()
            .contains("HEAD said 50000"),
        "{recs:?}"
    );
    assert_eq!(files(&out), Vec::<String>::new(), "a file was left");
    rt.block_on(cleanup(&rc, &cont));
    unsafe { swc_client_free(c) };
}
