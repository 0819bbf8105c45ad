//! Uploads that must not replace a good object with damaged bytes: every
//! PUT whose content can be hashed before sending (a buffer, a file, a
//! file's byte range as a segment, a stream's buffered segment) carries its
//! ETag, so the server refuses a body damaged on the way (422) and the
//! request is sent again from the rewound source; `Retry-After` is
//! honoured up to `max_retry_after`. Faults come from the fault proxy
//! (tests/common/faultproxy.rs), which flips one byte of a request body.

mod common;

use common::faultproxy::{faulty, ffi_client_through_proxy_with, Fault};
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use swiftclient::conn::body::{BytesSource, VecSink};
use swiftclient::conn::opts::{GetOpts, PutOpts, RequestOpts};
use swiftclient::conn::{account, object};
use swiftclient::ffi::client::swc_client_free;
use swiftclient::ffi::service::swc_upload;
use swiftclient::Status;

/// A body damaged on the way (a byte flipped between client and server,
/// which TCP does not see) is refused by the server, because the PUT
/// carries the ETag computed before sending; the refusal (422) is retried
/// from the rewound source. With no retries left, the 422 fails the call
/// and the object it would have replaced is still whole.
#[tokio::test]
async fn a_damaged_upload_is_refused_and_sent_again() {
    let (fp, c) = faulty(json!({})).await;
    let name = unique("integrity");
    mkcontainer(&c, &name).await;
    let old = data(200_000, 3);
    put(&c, &name, "obj", &old, json!({})).await;
    let body = data(300_000, 7);
    fp.push(Fault::CorruptRequestByte(150_000));
    let rec = object::put(
        &c,
        &name,
        "obj",
        &PutOpts::default(),
        &mut BytesSource::new(&body),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["attempts"], 2, "{rec}");
    let puts: Vec<String> = fp
        .heads()
        .into_iter()
        .filter(|h| h.starts_with("PUT"))
        .collect();
    let etag = format!("etag: {}", md5_hex(&body));
    assert!(
        puts.iter()
            .rev()
            .take(2)
            .all(|h| h.to_ascii_lowercase().contains(&etag)),
        "{puts:?}"
    );
    let mut sink = VecSink::default();
    object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(sink.0 == body, "the second PUT stored the right bytes");

    let (fp, c) = faulty(json!({"retries": 0})).await;
    c.auth_record(false, false).await.unwrap();
    fp.push(Fault::CorruptRequestByte(1000));
    let e = object::put(
        &c,
        &name,
        "obj",
        &PutOpts::default(),
        &mut BytesSource::new(&old),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.http_status), (Status::Checksum, Some(422)));
    assert!(
        e.retryable,
        "a 422 to a PUT with its ETag is worth another try"
    );
    let mut sink = VecSink::default();
    object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(sink.0 == body, "the object is the last good one");
    cleanup(&c, &name).await;
}

/// A Retry-After beyond `max_backoff` is waited for whole (a retry after
/// `max_backoff` would only meet another 503); one beyond
/// `max_retry_after` fails the request at once, saying so.
#[tokio::test]
async fn a_long_retry_after_is_honoured_up_to_max_retry_after() {
    let (fp, c) = faulty(json!({"max_retry_after": 10})).await;
    c.auth_record(false, false).await.unwrap();
    fp.push(Fault::Status(503, vec![("Retry-After".into(), "2".into())]));
    let t = Instant::now();
    let rec = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(rec["attempts"], 2);
    assert!(
        t.elapsed() >= Duration::from_millis(1950),
        "{:?}",
        t.elapsed()
    );
    fp.push(Fault::Status(
        503,
        vec![("Retry-After".into(), "150".into())],
    ));
    let t = Instant::now();
    let e = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!((e.http_status, e.attempts), (Some(503), Some(1)));
    assert!(!e.retryable);
    assert!(e.message.contains("max_retry_after"), "{}", e.message);
    let o = json!({"auth": "http://127.0.0.1:1/auth/v1.0", "user": "u", "key": "k", "max_retry_after": -1});
    let bad = swiftclient::Client::new(&swiftclient::Options::from_value(o).unwrap());
    assert!(bad.is_err_and(|e| e.message.contains("max_retry_after")));
}

/// The bytes of `obj` in `cont`, read without the fault proxy.
fn stored(cont: &str, obj: &str) -> Vec<u8> {
    let c = client(&v1_options());
    rt().block_on(get_bytes(&c, cont, obj, json!({}))).0
}

/// The PUT request lines among the proxy's request heads.
fn put_lines(heads: &[String]) -> Vec<String> {
    heads
        .iter()
        .map(|h| h.lines().next().unwrap_or("").to_string())
        .filter(|l| l.starts_with("PUT "))
        .collect()
}

/// The next PUT of `cont`/f.bin (the container PUT and the HEAD before
/// it pass), byte `at` of its body flipped.
fn damaged_put(cont: &str, at: usize) -> Fault {
    let line = format!("PUT /v1/AUTH_test/{cont}/f.bin ");
    Fault::OnMatch(line, Box::new(Fault::CorruptRequestByte(at)))
}

/// A file uploaded over an existing object, its body damaged on the way:
/// retried, and the object ends as the new file. Damaged on every try: the
/// upload fails naming the refusal, and the old object is still whole.
#[test]
fn an_upload_damaged_on_the_way_never_replaces_the_object() {
    let (_rt, fp, c) =
        ffi_client_through_proxy_with(json!({"starting_backoff": 0.05, "max_backoff": 0.1}));
    let dir = tmpdir("integrity");
    let cont = unique("integrity");
    let old = data(300_000, 11);
    let new = data(300_000, 12);
    let path = dir.join("f.bin");
    std::fs::write(&path, &old).unwrap();
    let req = json!({"container": cont, "objects": [{"path": path, "object_name": "f.bin"}]});
    let (st, recs, _) = svc(swc_upload, c, req.clone());
    assert_eq!(st, 0, "{recs:#?}");

    std::fs::write(&path, &new).unwrap();
    fp.push(damaged_put(&cont, 100_000));
    let (st, recs, _) = svc(swc_upload, c, req.clone());
    assert_eq!(st, 0, "{recs:#?}");
    let rec = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(rec["attempts"], 2, "{rec:#}");
    assert!(stored(&cont, "f.bin") == new);

    std::fs::write(&path, &old).unwrap();
    for _ in 0..6 {
        fp.push(damaged_put(&cont, 1000));
    }
    let (st, recs, _) = svc(swc_upload, c, req);
    assert_ne!(st, 0);
    let rec = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    assert_eq!(rec["success"], false, "{rec:#}");
    assert_eq!(rec["error_record"]["http_status"], 422, "{rec:#}");
    let said = rec["error"].as_str().unwrap();
    assert!(
        said.contains("does not have the MD5 sent as its ETag"),
        "{said}"
    );
    assert!(stored(&cont, "f.bin") == new, "the object stays as it was");
    rt().block_on(cleanup(&client(&v1_options()), &cont));
    unsafe { swc_client_free(c) };
}

/// A segment damaged on the way is refused and sent again; the large
/// object reads back whole.
#[test]
fn a_damaged_segment_is_sent_again() {
    let (_rt, fp, c) =
        ffi_client_through_proxy_with(json!({"starting_backoff": 0.05, "max_backoff": 0.1}));
    let dir = tmpdir("integrity-seg");
    let cont = unique("integrity-seg");
    let body = data(3 * 65536 + 100, 13);
    let path = dir.join("big.bin");
    std::fs::write(&path, &body).unwrap();
    fp.push(Fault::OnMatch(
        "/00000001 ".into(),
        Box::new(Fault::CorruptRequestByte(30_000)),
    ));
    let before = fp.heads().len();
    let req = json!({"container": cont, "objects": [{"path": path, "object_name": "big.bin"}],
                     "segment_size": 65536, "segment_threads": 1});
    let (st, recs, _) = svc(swc_upload, c, req);
    assert_eq!(st, 0, "{recs:#?}");
    let puts = put_lines(&fp.heads()[before..]);
    let seg1: Vec<&String> = puts.iter().filter(|l| l.contains("/00000001 ")).collect();
    assert_eq!(seg1.len(), 2, "{puts:#?}");
    assert!(stored(&cont, "big.bin") == body);
    let c2 = client(&v1_options());
    rt().block_on(async {
        cleanup(&c2, &cont).await;
        cleanup(&c2, &format!("{cont}_segments")).await;
    });
    unsafe { swc_client_free(c) };
}

/// A manifest PUT refused for certain (400) leaves no segment behind: no
/// manifest will ever name them. One whose outcome is unknown (503 on
/// every try) keeps them, and the error says where.
#[test]
fn a_refused_manifest_takes_its_segments_with_it() {
    let (_rt, fp, c) =
        ffi_client_through_proxy_with(json!({"starting_backoff": 0.05, "max_backoff": 0.1}));
    let dir = tmpdir("manifest-refused");
    let cont = unique("manifest-refused");
    let path = dir.join("big.bin");
    std::fs::write(&path, data(3 * 65536, 21)).unwrap();
    let req = json!({"container": cont, "objects": [{"path": path, "object_name": "big.bin"}],
                     "segment_size": 65536});
    let manifest_put = |f: Fault| Fault::OnMatch("multipart-manifest=put".into(), Box::new(f));
    fp.push(manifest_put(Fault::Status(400, vec![])));
    let (st, recs, _) = svc(swc_upload, c, req.clone());
    assert_ne!(st, 0);
    let rec = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    let said = rec["error"].as_str().unwrap();
    assert!(
        said.contains("segments uploaded for it were deleted"),
        "{said}"
    );
    let rc = client(&v1_options());
    let segs = format!("{cont}_segments");
    assert!(rt().block_on(stored_names(&rc, &segs)).is_empty());

    for _ in 0..6 {
        fp.push(manifest_put(Fault::Status(503, vec![])));
    }
    let (st, recs, _) = svc(swc_upload, c, req);
    assert_ne!(st, 0);
    let rec = recs
        .iter()
        .find(|r| r["action"] == "upload_object")
        .unwrap();
    let said = rec["error"].as_str().unwrap();
    assert!(said.contains("segments were kept"), "{said}");
    assert_eq!(rt().block_on(stored_names(&rc, &segs)).len(), 3);
    rt().block_on(async {
        cleanup(&rc, &cont).await;
        cleanup(&rc, &segs).await;
    });
    unsafe { swiftclient::ffi::client::swc_client_free(c) };
}
