//! Faults between the client and the real Swift proxy (a fault-injecting
//! TCP proxy in tests/common/faultproxy.rs): retries and backoff, Retry-After,
//! resumed downloads, retried and refused uploads, idle timeouts, and
//! cancellation; plus 16 tasks sharing a client while its token is revoked.

mod common;

use common::body::OneShot;
use common::faultproxy::Fault;
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use swiftclient::conn::body::{BytesSource, VecSink};
use swiftclient::conn::opts::{GetOpts, PutOpts, RequestOpts};
use swiftclient::conn::{account, container, object};
use swiftclient::{Client, Status};

use common::faultproxy::faulty;

async fn setup(c: &Client, size: usize) -> (String, Vec<u8>) {
    let name = unique("faults");
    container::put(c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    let body = data(size, size as u64);
    object::put(
        c,
        &name,
        "obj",
        &PutOpts::default(),
        &mut BytesSource::new(&body),
        &no_cancel(),
    )
    .await
    .unwrap();
    (name, body)
}

fn status(code: u16) -> Fault {
    Fault::Status(code, vec![])
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let (fp, c) = faulty(json!({})).await;
    let (name, body) = setup(&c, 10_000).await;
    fp.push(status(503));
    fp.push(status(500));
    let t = Instant::now();
    let mut sink = VecSink::default();
    let rec = object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["attempts"], 3);
    assert!(sink.0 == body);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "backoff 0.1 s then 0.2 s: {:?}",
        t.elapsed()
    );
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (fp, c) = faulty(json!({})).await;
    c.auth_record(false, false).await.unwrap();
    fp.push(Fault::Status(429, vec![("Retry-After".into(), "1".into())]));
    let t = Instant::now();
    let rec = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(rec["attempts"], 2);
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    fp.push(status(408));
    fp.push(status(499));
    let rec = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(rec["attempts"], 3);
}

#[tokio::test]
async fn ratelimit_retry_can_be_switched_off_and_budget_ends() {
    let (fp, c) = faulty(json!({"retry_on_ratelimit": false, "retries": 2})).await;
    c.auth_record(false, false).await.unwrap();
    fp.push(status(498));
    let e = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(
        (e.status, e.http_status, e.attempts),
        (Status::Http, Some(498), Some(1))
    );
    assert!(!e.retryable, "the record says what the engine did");
    for _ in 0..5 {
        fp.push(status(503));
    }
    let e = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(
        (e.http_status, e.attempts),
        (Some(503), Some(3)),
        "retries 2 = 3 tries"
    );
    assert!(e.retryable);
    assert_eq!(e.transaction_id.as_deref(), Some("tx-injected"));
    let rec: Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(rec["attempts"], 3);
    fp.clear();
    // Other 4xx are never retried.
    fp.push(status(400));
    let e = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(e.attempts, Some(1));
}

#[tokio::test]
async fn a_download_cut_mid_body_resumes_exactly() {
    let (fp, c) = faulty(json!({})).await;
    let (name, body) = setup(&c, 2 << 20).await;
    fp.push(Fault::ResetResponseAfter(700_000));
    let mut sink = VecSink::default();
    let rec = object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(sink.0.len(), body.len(), "each byte exactly once");
    assert!(sink.0 == body);
    assert_eq!(rec["verified"], true);
    assert_eq!(rec["attempts"], 2);
    let last = fp.heads().pop().unwrap().to_ascii_lowercase();
    assert!(
        last.contains("range: bytes=") && last.contains("if-match: "),
        "{last}"
    );
    // Without resume the break is an error that says how far it got.
    fp.push(Fault::ResetResponseAfter(700_000));
    let e = object::get(
        &c,
        &name,
        "obj",
        &opts(json!({"resume": false})),
        &mut VecSink::default(),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::Network, "{e}");
    assert!(e.message.contains("broke after"), "{}", e.message);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn a_rewindable_upload_is_retried() {
    let (fp, c) = faulty(json!({})).await;
    let (name, _) = setup(&c, 10).await;
    let body = data(1 << 20, 77);
    fp.push(Fault::ResetRequestAfter(300_000));
    let rec = object::put(
        &c,
        &name,
        "up",
        &PutOpts::default(),
        &mut BytesSource::new(&body),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["etag"], md5_hex(&body));
    assert_eq!(rec["attempts"], 2);
    let mut sink = VecSink::default();
    object::get(
        &c,
        &name,
        "up",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(sink.0 == body);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn a_non_rewindable_upload_fails_clearly_and_leaves_nothing() {
    let (fp, c) = faulty(json!({})).await;
    let (name, _) = setup(&c, 10).await;
    fp.push(Fault::ResetRequestAfter(300_000));
    let e = object::put(
        &c,
        &name,
        "once",
        &PutOpts::default(),
        &mut OneShot::sized(data(1 << 20, 9)),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("cannot be rewound"), "{}", e.message);
    assert_eq!(e.attempts, Some(1));
    let e = object::head(&c, &name, "once", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::NotFound, "no partial object");
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn an_idle_stall_times_out_but_slow_progress_does_not() {
    let (fp, c) = faulty(json!({"timeout": 1.0})).await;
    let (name, body) = setup(&c, 300_000).await;
    fp.push(Fault::StallResponseAfter(50_000, Duration::from_secs(8)));
    let t = Instant::now();
    let e = object::get(
        &c,
        &name,
        "obj",
        &opts(json!({"resume": false})),
        &mut VecSink::default(),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::Timeout, "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // 32 KiB every 0.3 s: slower than the timeout overall, never idle for 1 s.
    fp.push(Fault::Throttle(32 * 1024, Duration::from_millis(300)));
    let t = Instant::now();
    let mut sink = VecSink::default();
    let rec = object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(t.elapsed() > Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(rec["attempts"], 1);
    assert!(sink.0 == body);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn cancellation_ends_a_stalled_download_and_a_backoff() {
    let (fp, c) = faulty(json!({"starting_backoff": 30.0, "max_backoff": 30.0})).await;
    let (name, _) = setup(&c, 300_000).await;
    fp.push(Fault::StallResponseAfter(50_000, Duration::from_secs(30)));
    let cancel = no_cancel();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let t = Instant::now();
    let e = object::get(
        &c,
        &name,
        "obj",
        &GetOpts::default(),
        &mut VecSink::default(),
        &cancel,
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::Cancelled);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());

    fp.push(status(503));
    let cancel = no_cancel();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let t = Instant::now();
    let e = account::head(&c, &RequestOpts::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::Cancelled);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "the 30 s backoff was cut short: {:?}",
        t.elapsed()
    );
    fp.clear();
    cleanup(&c, &name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_share_a_client_through_a_token_revocation() {
    let c = client(&v1_options());
    let name = unique("shared");
    container::put(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    let token = c.auth_record(false, true).await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (go, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (c, name) = (c.clone(), name.clone());
        let mut revoked = go.subscribe();
        tasks.push(tokio::spawn(async move {
            for round in 0..6 {
                if round == 3 {
                    let _ = revoked.recv().await;
                }
                let body = data(4096 + i, (i * 100 + round) as u64);
                let obj = format!("t{i}/r{round}");
                object::put(
                    &c,
                    &name,
                    &obj,
                    &PutOpts::default(),
                    &mut BytesSource::new(&body),
                    &no_cancel(),
                )
                .await?;
                let mut sink = VecSink::default();
                object::get(
                    &c,
                    &name,
                    &obj,
                    &GetOpts::default(),
                    &mut sink,
                    &no_cancel(),
                )
                .await?;
                assert!(sink.0 == body);
                account::head(&c, &RequestOpts::default(), &no_cancel()).await?;
                container::list(
                    &c,
                    &name,
                    &opts(json!({"prefix": format!("t{i}/")})),
                    &no_cancel(),
                )
                .await?;
            }
            swiftclient::Result::Ok(())
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::task::block_in_place(|| revoke_tempauth_token(&token));
    let e = account::head(&client(&json!({"os_storage_url": format!("{}/v1/AUTH_test", env("SWC_TEST_PROXY_URL")), "os_auth_token": token})), &RequestOpts::default(), &no_cancel()).await.unwrap_err();
    assert_eq!(e.status, Status::Auth, "the old token is really revoked");
    go.send(()).unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        c.auth_requests(),
        2,
        "the initial auth and exactly one re-auth"
    );
    let list = container::list(
        &c,
        &name,
        &opts(json!({"full_listing": true})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(list["count"], 96);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn authentication_is_retried_on_server_errors() {
    let (fp, c) = faulty(json!({})).await;
    fp.push(status(503));
    fp.push(status(502));
    let rec = c.auth_record(false, false).await.unwrap();
    assert!(rec["storage_url"].as_str().unwrap().starts_with(&fp.url));
    assert_eq!(c.auth_requests(), 3);
    // Rejected credentials are final.
    let (fp, c) = faulty(json!({"key": "wrong"})).await;
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!((e.status, e.attempts), (Status::Auth, Some(1)));
    assert_eq!(fp.heads().len(), 1);
}

#[tokio::test]
async fn a_failed_listing_page_resumes_from_its_marker() {
    let (fp, c) = faulty(json!({})).await;
    let name = unique("pages");
    container::put(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    for i in 0..6 {
        object::put(
            &c,
            &name,
            &format!("o{i}"),
            &PutOpts::default(),
            &mut BytesSource::new(b"x"),
            &no_cancel(),
        )
        .await
        .unwrap();
    }
    let before = fp.heads().len();
    // Page 1 passes; the first try of page 2 fails; page 2 is fetched again
    // from its marker, not the listing from the start.
    let mut pages = 0;
    let mut names = Vec::new();
    let rec = swiftclient::conn::listing::list(
        &c,
        &format!("/{name}"),
        &opts(json!({"limit": 2, "full_listing": true})),
        &mut |p| {
            pages += 1;
            if pages == 1 {
                fp.push(status(503));
            }
            names.extend(p.iter().map(|e| e["name"].as_str().unwrap().to_string()));
            Ok(true)
        },
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["count"], 6);
    assert_eq!(names, ["o0", "o1", "o2", "o3", "o4", "o5"]);
    let lists: Vec<String> = fp.heads()[before..]
        .iter()
        .map(|h| h.lines().next().unwrap().to_string())
        .collect();
    assert_eq!(lists.len(), 5, "{lists:?}");
    assert!(!lists[0].contains("marker="), "{lists:?}");
    assert!(
        lists[1].contains("marker=o1") && lists[2].contains("marker=o1"),
        "the retry kept the marker: {lists:?}"
    );
    assert!(
        lists[3].contains("marker=o3") && lists[4].contains("marker=o5"),
        "{lists:?}"
    );
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn trans_id_extra_and_user_agent_reach_the_server() {
    let (fp, c) = faulty(json!({"trans_id_extra": "my-trace-42"})).await;
    let rec = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert!(
        rec["headers"]["x-trans-id"]
            .as_str()
            .unwrap()
            .ends_with("-my-trace-42"),
        "{rec}"
    );
    let h = fp.heads().pop().unwrap().to_ascii_lowercase();
    assert!(
        h.contains(&format!(
            "user-agent: libswiftclient/{}",
            env!("CARGO_PKG_VERSION")
        )),
        "{h}"
    );
    // A call's own X-Trans-Id-Extra replaces the client's: one header.
    let rec = account::head(
        &c,
        &opts(json!({"headers": {"X-Trans-Id-Extra": "call-7"}})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let txn = rec["headers"]["x-trans-id"].as_str().unwrap();
    assert!(
        txn.ends_with("-call-7") && !txn.contains("my-trace-42"),
        "{txn}"
    );
    let h = fp.heads().pop().unwrap().to_ascii_lowercase();
    assert_eq!(h.matches("x-trans-id-extra:").count(), 1, "{h}");
}

/// `/info` is asked where python-swiftclient asks (beside the version
/// segment: Ceph RGW serves `/swift/info`), then at the host's root.
#[tokio::test]
async fn info_is_looked_for_beside_the_version_segment_then_at_the_root() {
    let (fp, c) = faulty(json!({})).await;
    let url = format!("{}/swift/v1/AUTH_test", fp.url);
    let rec = swiftclient::conn::info::info(&c, &opts(json!({ "url": url })), &no_cancel())
        .await
        .unwrap();
    assert!(rec["info"]["swift"].is_object(), "{rec}");
    assert_eq!(rec["url"], format!("{}/info", fp.url));
    let asked: Vec<String> = fp
        .heads()
        .iter()
        .map(|h| h.lines().next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        asked,
        ["GET /swift/info HTTP/1.1", "GET /info HTTP/1.1"],
        "{asked:?}"
    );
}

/// A bulk operation's `trans_id_extra` replaces the client's on every one
/// of its requests — segments, and a segment's retry after a 503 — never
/// doubled, and is in each of its records; a bad one is a config error.
#[test]
fn an_operations_tracing_id_is_on_all_its_requests() {
    use swiftclient::ffi::service::swc_upload;
    let (rt, fp, c) = common::faultproxy::ffi_client_through_proxy();
    let cont = unique("trace");
    let dir = tmpdir("trace");
    let (path, _) = data_file(&dir, "big.bin", 2_500_000, 7);
    let seen_before = fp.heads().len();
    fp.push(Fault::OnMatch(
        "00000001".into(),
        Box::new(Fault::Status(503, vec![])),
    ));
    let (st, recs, summary) = svc(
        swc_upload,
        c,
        json!({"container": cont, "objects": [path], "segment_size": 1_000_000,
               "trans_id_extra": "op-trace-77"}),
    );
    assert_eq!(st, 0, "{summary} {recs:?}");
    assert!(fp.plan_is_empty(), "the 503 was never answered");
    let heads = &fp.heads()[seen_before..];
    let segment_puts = heads
        .iter()
        .filter(|h| h.starts_with("PUT") && h.contains("/slo/"))
        .count();
    assert_eq!(segment_puts, 4, "3 segments and one retry: {heads:?}");
    for h in heads {
        let h = h.to_ascii_lowercase();
        assert_eq!(h.matches("x-trans-id-extra:").count(), 1, "{h}");
        assert!(h.contains("x-trans-id-extra: op-trace-77"), "{h}");
    }
    assert!(recs.len() >= 5, "{recs:?}");
    for r in &recs {
        assert_eq!(r["trans_id_extra"], "op-trace-77", "{r}");
    }
    let (st, _, e) = svc(
        swc_upload,
        c,
        json!({"container": cont, "objects": [path], "trans_id_extra": "has space"}),
    );
    assert_eq!(st, Status::Config.code(), "{e}");
    assert_eq!(e["key"], "trans_id_extra", "{e}");
    // A Connection call takes it too: one request, one id.
    let before = fp.heads().len();
    let head = |opts: &str| {
        let o = cs(opts);
        ffi_call(|out, err| {
            swiftclient::ffi::conn::swc_container_head(
                c,
                cs(&cont).as_ptr(),
                o.as_ptr(),
                std::ptr::null(),
                out,
                err,
            )
        })
    };
    let (st, rec, e) = head(r#"{"trans_id_extra": "call-trace-9"}"#);
    assert_eq!(st, 0, "{e:?}");
    let txn = rec.unwrap()["headers"]["x-trans-id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(txn.ends_with("-call-trace-9"), "{txn}");
    let sent = fp.heads()[before..].join("").to_ascii_lowercase();
    assert_eq!(sent.matches("x-trans-id-extra:").count(), 1, "{sent}");
    let (st, _, e) = head(r#"{"trans_id_extra": ""}"#);
    assert_eq!(st, Status::Config.code(), "{e:?}");
    rt.block_on(async {
        let rc = client(&v1_options());
        cleanup(&rc, &cont).await;
        cleanup(&rc, &format!("{cont}_segments")).await;
    });
    unsafe { swiftclient::ffi::client::swc_client_free(c) };
}
