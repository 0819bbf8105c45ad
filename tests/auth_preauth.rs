//! Pre-authenticated storage URL + token, and single-flight re-auth against
//! the real tempauth proxy.

mod common;

use common::*;
use serde_json::json;
use swiftclient::Status;

#[tokio::test]
async fn preauth_makes_no_auth_call() {
    let (url, token) = v1_token("test:tester", "testing").await;
    let c = client(&json!({"os_storage_url": url, "os_auth_token": token}));
    let head = head(&c).await.unwrap();
    assert!(matches!(head["status"].as_u64(), Some(200 | 204)));
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["preauthenticated"], true);
    assert_eq!(rec["auth_version"], serde_json::Value::Null);
    assert_eq!(rec["storage_url"], url);
    assert_eq!(c.auth_requests(), 0);
}

#[tokio::test]
async fn preauth_rejected_without_credentials() {
    let (url, _) = v1_token("test:tester", "testing").await;
    let c = client(&json!({"os_storage_url": url, "os_auth_token": "AUTH_tk_not_a_token"}));
    let e = head(&c).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert_eq!(e.http_status, Some(401));
    assert_eq!(e.method.as_deref(), Some("HEAD"));
    assert!(!e.to_json().contains("AUTH_tk_not_a_token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_flight_reauth_v1() {
    let (url, _) = v1_token("test:tester", "testing").await;
    let mut o = v1_options();
    o["os_storage_url"] = json!(url);
    o["os_auth_token"] = json!("AUTH_tk_stale");
    let c = client(&o);
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { head(&c).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        c.auth_requests(),
        1,
        "32 requests saw a 401; one re-authentication"
    );
    // Forcing a new auth is always possible and counted.
    c.auth_record(true, false).await.unwrap();
    assert_eq!(c.auth_requests(), 2);
}
