//! v1 auth against the real tempauth proxy, plus the vendor header spellings.

mod common;

use common::fixture::{Fixture, Response};
use common::*;
use serde_json::json;
use swiftclient::Status;

#[tokio::test]
async fn tempauth_x_auth_headers() {
    let c = client(&v1_options());
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["auth_version"], "1.0");
    assert!(
        rec["storage_url"]
            .as_str()
            .unwrap()
            .ends_with("/v1/AUTH_test"),
        "{rec}"
    );
    assert!(
        rec.get("token").is_none(),
        "token must not be in the record unless asked"
    );
    // tempauth sends X-Auth-Token-Expires (seconds left); we turn it into an expiry.
    let left = rec["expires_in"].as_u64().unwrap();
    assert!(left > 80_000 && left <= 86_400, "{rec}");
    assert!(rec["expires_at"].as_str().unwrap().ends_with('Z'));
    let head = head(&c).await.unwrap();
    assert!(matches!(head["status"].as_u64(), Some(200 | 204)), "{head}");
    assert!(
        head["headers"]["x-account-container-count"].is_string(),
        "{head}"
    );
    assert_eq!(c.auth_requests(), 1, "the cached token is reused");
}

#[tokio::test]
async fn tempauth_x_storage_headers() {
    // tempauth accepts X-Storage-User / X-Storage-Pass too, as ViPR / ECS require.
    let mut o = v1_options();
    o["auth_headers"] = json!("storage");
    let c = client(&o);
    let head = head(&c).await.unwrap();
    assert!(matches!(head["status"].as_u64(), Some(200 | 204)), "{head}");
}

#[tokio::test]
async fn include_token_only_when_asked() {
    let c = client(&v1_options());
    let rec = c.auth_record(false, true).await.unwrap();
    let tok = rec["token"].as_str().unwrap();
    assert!(tok.starts_with("AUTH_tk"), "{tok}");
}

#[tokio::test]
async fn wrong_key_is_auth_401() {
    let mut o = v1_options();
    o["key"] = json!("definitely-wrong-key");
    let c = client(&o);
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert_eq!(e.http_status, Some(401));
    assert_eq!(e.method.as_deref(), Some("GET"));
    assert!(
        e.transaction_id.is_some(),
        "Swift's X-Trans-Id is kept: {e:?}"
    );
    let rec = e.to_json();
    assert!(
        !rec.contains("definitely-wrong-key"),
        "the key leaked into {rec}"
    );
}

#[tokio::test]
async fn second_account_and_non_admin_user() {
    for (user, key, account) in [
        ("test2:tester2", "testing2", "AUTH_test2"),
        ("test:tester3", "testing3", "AUTH_test"),
    ] {
        let c = client(&json!({"auth": env("SWC_TEST_V1_AUTH"), "user": user, "key": key}));
        let rec = c.auth_record(false, false).await.unwrap();
        assert!(
            rec["storage_url"].as_str().unwrap().ends_with(account),
            "{rec}"
        );
    }
}

#[tokio::test]
async fn token_header_spellings_from_vendors() {
    // Some v1 servers send only X-Storage-Token, others only X-Auth-Token;
    // some want X-Storage-User/X-Storage-Pass. A scripted server checks both.
    let fx = Fixture::start(|r| {
        let storage = r.header("x-storage-user").is_some();
        let ok = if storage {
            r.header("x-storage-user") == Some("vendor") && r.header("x-storage-pass") == Some("pw")
        } else {
            r.header("x-auth-user") == Some("vendor") && r.header("x-auth-key") == Some("pw")
        };
        if !ok {
            return Response::empty(401);
        }
        let resp =
            Response::empty(200).header("X-Storage-Url", "http://127.0.0.1:9/v1/AUTH_vendor");
        if storage {
            resp.header("X-Storage-Token", "tok-storage")
        } else {
            resp.header("X-Auth-Token", "tok-auth")
                .header("X-Auth-Token-Expires", "120")
        }
    })
    .await;
    let url = format!("{}/auth/v1.0", fx.url);
    let c = client(&json!({"auth": url, "user": "vendor", "key": "pw", "auth_headers": "storage"}));
    let rec = c.auth_record(false, true).await.unwrap();
    assert_eq!(rec["token"], "tok-storage");
    assert_eq!(rec["expires_at"], serde_json::Value::Null);
    let c = client(&json!({"auth": url, "user": "vendor", "key": "pw"}));
    let rec = c.auth_record(false, true).await.unwrap();
    assert_eq!(rec["token"], "tok-auth");
    assert!(rec["expires_in"].as_u64().unwrap() <= 120);
    assert_eq!(rec["storage_url"], "http://127.0.0.1:9/v1/AUTH_vendor");
}

#[tokio::test]
async fn auth_answer_without_storage_url_is_an_error() {
    let fx = Fixture::start(|_| Response::empty(200).header("X-Auth-Token", "t")).await;
    let c = client(&json!({"auth": format!("{}/auth/v1.0", fx.url), "user": "u", "key": "k"}));
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert!(e.message.contains("X-Storage-Url"), "{}", e.message);
    // With a storage URL configured, the token alone is enough (as
    // python-swiftclient takes it from vendors that send no URL).
    let c = client(
        &json!({"auth": format!("{}/auth/v1.0", fx.url), "user": "u", "key": "k",
                           "os_storage_url": "http://127.0.0.1:9/v1/AUTH_vendor"}),
    );
    let rec = c.auth_record(false, true).await.unwrap();
    assert_eq!(
        (&rec["storage_url"], &rec["token"]),
        (&json!("http://127.0.0.1:9/v1/AUTH_vendor"), &json!("t"))
    );
}

#[tokio::test]
async fn unreachable_auth_url_is_network() {
    // Port 9 (discard) on loopback: nothing listens there.
    let c = client(
        &json!({"auth": "http://127.0.0.1:9/auth/v1.0", "user": "u", "key": "k", "connect_timeout": 2, "retries": 1, "starting_backoff": 0.05}),
    );
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Network, "{e:?}");
    assert!(e.retryable);
    assert_eq!(e.attempts, Some(2), "auth requests are retried too");
    assert_eq!(c.auth_requests(), 2);
}
