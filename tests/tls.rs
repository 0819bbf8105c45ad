//! TLS against the real Swift proxy served over HTTPS with a test CA:
//! system roots by default, a CA file or inline PEM (added or exclusive),
//! client certificate loading, the insecure switch, and certificate errors
//! reported as SWC_E_TLS without retries.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::Status;

fn tls(extra: Value) -> Value {
    let mut o = json!({"auth": env("SWC_TEST_TLS_AUTH"), "user": "test:tester", "key": "testing", "retries": 3, "starting_backoff": 0.1});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

async fn works(extra: Value) {
    let c = client(&tls(extra.clone()));
    let rec = c
        .auth_record(false, false)
        .await
        .unwrap_or_else(|e| panic!("{extra}: {e}"));
    assert!(rec["storage_url"].as_str().unwrap().starts_with("https://"));
    head(&c).await.unwrap_or_else(|e| panic!("{extra}: {e}"));
}

async fn fails_tls(extra: Value) {
    let c = client(&tls(extra.clone()));
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Tls, "{extra}: {e}");
    assert!(!e.retryable, "certificate errors are final");
}

#[tokio::test]
async fn system_roots_do_not_trust_the_test_ca() {
    fails_tls(json!({})).await;
}

#[tokio::test]
async fn ca_file_and_inline_pem() {
    works(json!({"os_cacert": env("SWC_TEST_TLS_CA")})).await;
    let pem = std::fs::read_to_string(env("SWC_TEST_TLS_CA")).unwrap();
    works(json!({"cacert_pem": pem})).await;
    works(json!({"cacert_pem": pem, "cacert_only": true})).await;
    // Exclusive roots with the wrong CA: refused.
    fails_tls(json!({"os_cacert": env("SWC_TEST_TLS_OTHER_CA"), "cacert_only": true})).await;
    let e = swiftclient::Client::new(
        &swiftclient::Options::from_value(tls(json!({"cacert_pem": "not a pem"}))).unwrap(),
    )
    .err()
    .unwrap();
    assert_eq!(e.key.as_deref(), Some("cacert_pem"));
    let e = swiftclient::Client::new(
        &swiftclient::Options::from_value(tls(json!({"cacert_only": true}))).unwrap(),
    )
    .err()
    .unwrap();
    assert_eq!(e.key.as_deref(), Some("cacert_only"));
}

#[tokio::test]
async fn insecure_switch() {
    works(json!({"insecure": true})).await;
}

#[tokio::test]
async fn client_certificate_is_loaded_and_presented() {
    // Swift's proxy does not ask for client certificates, so this shows the
    // pair is loaded and the handshake works with it configured.
    works(json!({"os_cacert": env("SWC_TEST_TLS_CA"), "os_cert": env("SWC_TEST_TLS_CLIENT_CERT"), "os_key": env("SWC_TEST_TLS_CLIENT_KEY")})).await;
    let e = swiftclient::Client::new(
        &swiftclient::Options::from_value(tls(json!({"os_cert": "/nonexistent.pem"}))).unwrap(),
    )
    .err()
    .unwrap();
    assert_eq!(
        (e.status, e.key.as_deref()),
        (Status::Config, Some("os_cert"))
    );
    let e = swiftclient::Client::new(
        &swiftclient::Options::from_value(tls(json!({"os_key": env("SWC_TEST_TLS_CLIENT_KEY")})))
            .unwrap(),
    )
    .err()
    .unwrap();
    assert_eq!(e.key.as_deref(), Some("os_key"));
}
