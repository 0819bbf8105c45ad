//! A download fetched a second time, once: when its body did not check out
//! (a byte damaged on the way; MD5 mismatch) and when the object changed
//! while a broken body was being resumed (412 to the resuming GET's
//! If-Match): then from byte 0. Twice damaged: the download fails and no
//! file appears under the object's name. Faults from the fault proxy.

mod common;

use common::faultproxy::{ffi_client_through_proxy_with, Fault};
use common::*;
use serde_json::json;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_download;

fn files_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_damaged_or_changed_download_is_fetched_again_once() {
    let (_rt, fp, c) =
        ffi_client_through_proxy_with(json!({"starting_backoff": 0.05, "max_backoff": 0.1}));
    let rc = client(&v1_options());
    let cont = unique("again");
    let body = data(300_000, 31);
    rt().block_on(async {
        mkcontainer(&rc, &cont).await;
        put(&rc, &cont, "d.bin", &body, json!({})).await;
    });
    let get = |f: Fault| Fault::OnMatch(format!("/{cont}/d.bin"), Box::new(f));
    let dir = tmpdir("again");
    let req = json!({"container": cont, "objects": ["d.bin"], "out_directory": &*dir});

    // One damaged byte: fetched again, right.
    fp.push(get(Fault::CorruptResponseByte(100_000)));
    let (st, recs, _) = svc(swc_download, c, req.clone());
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(recs[0]["checksum_retried"], true, "{:#}", recs[0]);
    assert!(std::fs::read(dir.join("d.bin")).unwrap() == body);
    std::fs::remove_file(dir.join("d.bin")).unwrap();

    // Damaged twice: a clear failure, and nothing under the name.
    fp.push(get(Fault::CorruptResponseByte(100_000)));
    fp.push(get(Fault::CorruptResponseByte(200_000)));
    let (st, recs, _) = svc(swc_download, c, req.clone());
    assert_ne!(st, 0);
    assert_eq!(
        recs[0]["error_record"]["status_name"], "SWC_E_CHECKSUM",
        "{:#}",
        recs[0]
    );
    assert_eq!(files_in(&dir), Vec::<String>::new());

    // Broken mid-body, and the object changed before the resume (412):
    // fetched again from byte 0.
    fp.push(get(Fault::ResetResponseAfter(150_000)));
    fp.push(get(Fault::Status(412, vec![])));
    let (st, recs, _) = svc(swc_download, c, req.clone());
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(recs[0]["restarted_after_change"], true, "{:#}", recs[0]);
    assert!(std::fs::read(dir.join("d.bin")).unwrap() == body);
    std::fs::remove_file(dir.join("d.bin")).unwrap();

    // The caller's own condition: their 412, not fetched again.
    fp.push(get(Fault::Status(412, vec![])));
    let mut mine = req.clone();
    mine["header"] = json!(["If-Match: \"00000000000000000000000000000000\""]);
    let (st, recs, _) = svc(swc_download, c, mine);
    assert_ne!(st, 0);
    assert!(recs[0]["restarted_after_change"].is_null(), "{:#}", recs[0]);
    assert_eq!(files_in(&dir), Vec::<String>::new());
    rt().block_on(cleanup(&rc, &cont));
    unsafe { swc_client_free(c) };
}

/// A large object's segment answered 404 while the object itself is there:
/// the download is not "object not found". A DLO whose segment went away
/// is fetched once more (as the object now is); a segment that stays gone
/// (an SLO missing one) fails with SWC_E_HTTP naming the segment, and no
/// file appears under the object's name.
#[test]
fn a_segment_gone_mid_download_is_not_the_object_not_found() {
    let (_rt, fp, c) =
        ffi_client_through_proxy_with(json!({"starting_backoff": 0.05, "max_backoff": 0.1}));
    let rc = client(&v1_options());
    let cont = unique("seggone");
    let (dlo, slo) = rt().block_on(async {
        mkcontainer(&rc, &cont).await;
        let dlo = make_dlo(&rc, &cont, "dlo", 4, 200_000).await;
        (dlo, make_slo(&rc, &cont, "slo", 4, 200_000).await)
    });
    let dir = tmpdir("seggone");
    let req = |o: &str| json!({"container": cont, "objects": [o], "out_directory": &*dir});

    // The DLO's third segment answers 404 once: fetched once more, whole.
    fp.push(Fault::OnMatch(
        "/dlo/dlo/00000002".into(),
        Box::new(Fault::Status(404, vec![])),
    ));
    let (st, recs, _) = svc(swc_download, c, req("dlo"));
    assert_eq!(st, 0, "{recs:#?}");
    assert!(fp.plan_is_empty());
    assert_eq!(recs[0]["restarted_after_change"], true, "{:#}", recs[0]);
    assert!(std::fs::read(dir.join("dlo")).unwrap() == dlo);
    std::fs::remove_file(dir.join("dlo")).unwrap();

    // An SLO segment really gone: a clear failure about the segment.
    let sc = format!("{cont}_segments");
    let gone = "slo/slo/seg/00000001";
    rt().block_on(swiftclient::conn::object::delete(
        &rc,
        &sc,
        gone,
        &Default::default(),
        &no_cancel(),
    ))
    .unwrap();
    let (st, recs, _) = svc(swc_download, c, req("slo"));
    assert_ne!(st, 0);
    let e = &recs[0]["error_record"];
    assert_eq!(e["status_name"], "SWC_E_HTTP", "{e:#}");
    assert_eq!(e["http_status"], 404, "{e:#}");
    assert!(e["message"].as_str().unwrap().contains(gone), "{e:#}");
    assert_eq!(files_in(&dir), Vec::<String>::new());
    drop(slo);
    rt().block_on(cleanup(&rc, &sc));
    rt().block_on(cleanup(&rc, &cont));
    unsafe { swc_client_free(c) };
}
