//! The service token (python-swiftclient's `service_username`,
//! `service_key`, `service_project_name`): every storage request carries
//! X-Service-Token, a token of the service identity (swc-svc, role
//! `service`, made by scripts/cluster.py's Keystone bootstrap).
//!
//! The local keystoneauth is not configured with a service-token reseller
//! prefix, so Swift accepts requests with or without it: the proof is the
//! fault proxy's record of each request head, each token checked at
//! Keystone with the admin's token (GET /v3/auth/tokens).

mod common;

use common::faultproxy::{Fault, FaultProxy};
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SERVICE_USER: &str = "swc-svc";
const SERVICE_PASSWORD: &str = "svcpass";

/// The demo user, storage through `proxy_url`, with the service identity.
fn options(proxy_url: &str) -> Value {
    json!({
        "os_auth_url": keystone_url(),
        "os_username": "demo",
        "os_password": "demopass",
        "os_user_domain_name": "Default",
        "os_project_name": "demo",
        "os_project_domain_name": "Default",
        "os_storage_url": format!("{proxy_url}/v1/AUTH_{}", env("SWC_TEST_KS_DEMO_PROJECT_ID")),
        "service_username": SERVICE_USER,
        "service_key": SERVICE_PASSWORD,
        "service_project_name": "service",
    })
}

async fn admin_token(http: &reqwest::Client) -> String {
    let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": "adminpass"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
    let r = http
        .post(format!("{}/auth/tokens", keystone_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.headers()["x-subject-token"].to_str().unwrap().to_string()
}

/// Keystone's word on a token: its `token` document, or None if invalid.
async fn validate(http: &reqwest::Client, admin: &str, token: &str) -> Option<Value> {
    let r = http
        .get(format!("{}/auth/tokens", keystone_url()))
        .header("X-Auth-Token", admin)
        .header("X-Subject-Token", token)
        .send()
        .await
        .unwrap();
    if r.status() != 200 {
        return None;
    }
    Some(r.json::<Value>().await.unwrap()["token"].clone())
}

/// The value of header `name` in a request head, if there.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

fn service_tokens(fp: &FaultProxy) -> Vec<String> {
    let heads = fp.heads();
    assert!(!heads.is_empty());
    heads
        .iter()
        .map(|h| {
            header(h, "x-service-token")
                .unwrap_or_else(|| panic!("a request without X-Service-Token: {h}"))
        })
        .collect()
}

#[tokio::test]
async fn every_storage_request_carries_a_valid_service_token() {
    let fp = FaultProxy::start(&env("SWC_TEST_KS_PROXY_URL")).await;
    let c = client(&options(&fp.url));
    // Sixteen requests at once: one service authentication.
    let heads = futures_util::future::join_all((0..16).map(|_| head(&c))).await;
    assert!(heads.iter().all(|h| h.is_ok()), "{heads:?}");
    assert_eq!(c.service_auth_requests(), 1);
    let cont = new_container(&c, "svc-token", json!({})).await;
    put_bytes(&c, &cont, "o", b"service token", json!({})).await;
    let (body, _) = get_bytes(&c, &cont, "o", json!({})).await;
    assert_eq!(body, b"service token");
    assert_eq!(names(&c, &cont).await, ["o"]);
    cleanup(&c, &cont).await;
    assert_eq!(c.service_auth_requests(), 1);

    let sent: BTreeSet<String> = service_tokens(&fp).into_iter().collect();
    assert_eq!(sent.len(), 1, "one service token for all: {sent:?}");
    let svc = sent.into_iter().next().unwrap();
    let user_token = header(&fp.heads()[0], "x-auth-token").unwrap();
    assert_ne!(svc, user_token);
    let http = reqwest::Client::new();
    let admin = admin_token(&http).await;
    let t = validate(&http, &admin, &svc)
        .await
        .expect("Keystone knows the service token");
    assert_eq!(t["user"]["name"], SERVICE_USER, "{t}");
    assert_eq!(t["project"]["name"], "service", "{t}");
    let roles: Vec<&str> = t["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"service"), "{roles:?}");
}

/// A 401 fetches a new service token too (the answer does not say which
/// token was refused); the revoked one is never sent again.
#[tokio::test]
async fn a_401_fetches_a_new_service_token() {
    let fp = FaultProxy::start(&env("SWC_TEST_KS_PROXY_URL")).await;
    let c = client(&options(&fp.url));
    head(&c).await.unwrap();
    let first = service_tokens(&fp)[0].clone();
    let http = reqwest::Client::new();
    let admin = admin_token(&http).await;
    let r = http
        .delete(format!("{}/auth/tokens", keystone_url()))
        .header("X-Auth-Token", &admin)
        .header("X-Subject-Token", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    fp.push(Fault::Status(401, vec![]));
    let h = head(&c).await.unwrap();
    assert!(matches!(h["status"].as_u64(), Some(200 | 204)), "{h}");
    assert_eq!(c.service_auth_requests(), 2);
    let sent = service_tokens(&fp);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[1], first, "the refused request carried the old one");
    assert_ne!(sent[2], first, "the retry carries a new one");
    assert!(validate(&http, &admin, &sent[2]).await.is_some());
    assert!(validate(&http, &admin, &first).await.is_none());
}

/// The debug log shows the header, never the token or the service key.
#[test]
fn the_service_token_is_never_logged() {
    // A worker thread keeps the proxy serving while this thread waits.
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_KS_PROXY_URL")));
    let c = ffi_client(&options(&fp.url));
    let lines = capture_log(c, swiftclient::ffi::client::SWC_LOG_DEBUG);
    let (st, e) = ffi_account_head(c);
    assert_eq!(st, 0, "{e:?}");
    unsafe { swiftclient::ffi::client::swc_client_free(c) };
    let log = lines.lock().unwrap().join("\n");
    let svc = &service_tokens(&fp)[0];
    assert!(log.contains("X-Service-Token: ***"), "{log}");
    assert!(log.contains(&format!("user {SERVICE_USER}")), "{log}");
    assert!(!log.contains(svc.as_str()), "{log}");
    assert!(!log.contains(SERVICE_PASSWORD), "{log}");
}
