//! What the SLO and bulk middlewares report inside a 200: an SLO delete
//! (`multipart-manifest=delete`) and a bulk delete answer 200 once they
//! start and list the paths they could not delete in their report. A path
//! that failed for a reason worth another try (503 from an overloaded
//! object server) is deleted again on its own; one that failed for good is
//! the operation's failure, naming it. The reports are the middlewares'
//! documented JSON, answered by the fault proxy in place of the cluster
//! (no installable server fails a segment DELETE on demand); the DELETEs
//! sent again are real.

mod common;

use common::faultproxy::{ffi_client_through_proxy_with, Fault};
use common::*;
use serde_json::json;
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_delete;

/// The middlewares' report (as `Accept: application/json` asks for it).
fn report(errors: &[(&str, &str)], status: &str) -> String {
    json!({"Number Deleted": 2, "Number Not Found": 0, "Response Body": "",
           "Response Status": status,
           "Errors": errors.iter().map(|(p, s)| json!([p, s])).collect::<Vec<_>>()})
    .to_string()
}

fn exists(c: &swiftclient::Client, cont: &str, obj: &str) -> bool {
    let h = rt().block_on(swiftclient::conn::object::head(
        c,
        cont,
        obj,
        &Default::default(),
        &no_cancel(),
    ));
    match h {
        Ok(_) => true,
        Err(e) if e.status == swiftclient::Status::NotFound => false,
        Err(e) => panic!("{e}"),
    }
}

/// The DELETE request lines the proxy saw.
fn deletes(fp: &common::faultproxy::FaultProxy) -> Vec<String> {
    fp.heads()
        .iter()
        .map(|h| h.lines().next().unwrap_or("").to_string())
        .filter(|l| l.starts_with("DELETE "))
        .collect()
}

#[test]
fn an_slo_delete_reporting_a_failed_segment_is_finished_or_fails() {
    let (_rt, fp, ffi) = ffi_client_through_proxy_with(json!({"starting_backoff": 0.05}));
    let c = client(&v1_options());
    let cont = unique("slo-report");
    let sc = format!("{cont}_segments");
    rt().block_on(async {
        mkcontainer(&c, &cont).await;
        make_slo(&c, &cont, "big", 3, 1000).await;
        make_slo(&c, &cont, "other", 3, 1000).await;
    });
    // Segment 1 "failed" with a 503: deleted again, on its own.
    let seg1 = "big/slo/seg/00000001";
    fp.push(Fault::OnMatch(
        "multipart-manifest=delete".into(),
        Box::new(Fault::Respond(
            200,
            report(
                &[(&format!("/{sc}/{seg1}"), "503 Service Unavailable")],
                "502 Bad Gateway",
            ),
        )),
    ));
    let (st, recs, summary) = svc(
        swc_delete,
        ffi,
        json!({"container": cont, "objects": ["big"]}),
    );
    assert_eq!(st, 0, "{summary} {recs:#?}");
    let rec = recs
        .iter()
        .find(|r| r["action"] == "delete_object")
        .unwrap();
    assert_eq!(rec["slo_segments_retried"], 1, "{rec:#}");
    assert!(!exists(&c, &sc, seg1), "the segment was deleted again");
    let again = deletes(&fp);
    assert!(
        again
            .iter()
            .any(|l| l.contains(&format!("/{sc}/big/slo/seg/00000001 "))),
        "{again:#?}"
    );

    // Segment 2 of "other" refused for good (409): the delete fails, naming it.
    let seg2 = "other/slo/seg/00000002";
    fp.push(Fault::OnMatch(
        "multipart-manifest=delete".into(),
        Box::new(Fault::Respond(
            200,
            report(
                &[(&format!("/{sc}/{seg2}"), "409 Conflict")],
                "400 Bad Request",
            ),
        )),
    ));
    let (st, recs, _) = svc(
        swc_delete,
        ffi,
        json!({"container": cont, "objects": ["other"]}),
    );
    assert_ne!(st, 0);
    let rec = recs
        .iter()
        .find(|r| r["action"] == "delete_object")
        .unwrap();
    assert_eq!(rec["success"], false, "{rec:#}");
    let said = rec["error"].as_str().unwrap();
    assert!(said.contains(seg2) && said.contains("409"), "{said}");
    rt().block_on(async {
        cleanup(&c, &cont).await;
        cleanup(&c, &sc).await;
    });
    unsafe { swc_client_free(ffi) };
}

#[test]
fn a_bulk_delete_item_that_failed_with_a_503_is_deleted_again() {
    let (_rt, fp, ffi) = ffi_client_through_proxy_with(json!({"starting_backoff": 0.05}));
    let c = client(&v1_options());
    let cont = unique("bulk-report");
    rt().block_on(async {
        mkcontainer(&c, &cont).await;
        for i in 0..12 {
            put(&c, &cont, &format!("o{i:02}"), b"x", json!({})).await;
        }
    });
    fp.push(Fault::OnMatch(
        "bulk-delete".into(),
        Box::new(Fault::Respond(
            200,
            report(
                &[(&format!("/{cont}/o03"), "503 Service Unavailable")],
                "502 Bad Gateway",
            ),
        )),
    ));
    let objs: Vec<String> = (0..12).map(|i| format!("o{i:02}")).collect();
    let (st, recs, summary) = svc(
        swc_delete,
        ffi,
        json!({"container": cont, "objects": objs, "bulk": "always", "object_dd_threads": 1}),
    );
    assert_eq!(st, 0, "{summary} {recs:#?}");
    let o3 = recs.iter().find(|r| r["object"] == "o03").unwrap();
    assert_eq!(o3["success"], true, "{o3:#}");
    assert_eq!(o3["bulk_status"], "503 Service Unavailable", "{o3:#}");
    assert!(!exists(&c, &cont, "o03"));
    assert!(deletes(&fp)
        .iter()
        .any(|l| l.contains(&format!("/{cont}/o03 "))));
    rt().block_on(cleanup(&c, &cont));
    unsafe { swc_client_free(ffi) };
}
