//! Keystone v2.0 against a scripted server that speaks the v2 wire format
//! (no installable Keystone serves v2 any more). The catalog it hands out
//! points at the real Swift proxy, with a real tempauth token, so every flow
//! ends in a real request.

mod common;

use common::fixture::{Fixture, Request, Response};
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};
use swiftclient::Status;

const UNSCOPED: &str = "v2-unscoped-token";

struct V2 {
    fx: Fixture,
}

/// Starts a v2 Keystone whose scoped tokens expire after `life`.
async fn v2_keystone(life: Duration) -> V2 {
    let (storage_url, real_token) = v1_token("test:tester", "testing").await;
    let fx = Fixture::start(move |r: &Request| handle(r, &storage_url, &real_token, life)).await;
    V2 { fx }
}

fn access(token: &str, tenant: Option<(&str, &str)>, storage_url: &str, life: Duration) -> Value {
    let expires = swiftclient::auth::format_time(SystemTime::now() + life);
    let mut t = json!({"id": token, "expires": expires, "issued_at": "2026-01-01T00:00:00"});
    let catalog = match tenant {
        Some((id, name)) => {
            t["tenant"] = json!({"id": id, "name": name, "enabled": true});
            json!([
                {"type": "identity", "name": "keystone", "endpoints": [{"region": "RegionOne", "publicURL": "http://127.0.0.1:9/v2.0"}]},
                {"type": "object-store", "name": "swift", "endpoints_links": [], "endpoints": [
                    {"region": "RegionOne", "id": "e1", "publicURL": storage_url,
                     "internalURL": "http://127.0.0.1:9/internal", "adminURL": "http://127.0.0.1:9/admin"}]}
            ])
        }
        None => json!([]),
    };
    json!({"access": {"token": t, "serviceCatalog": catalog, "user": {"id": "u1", "name": "alice", "roles": []}, "metadata": {}}})
}

fn handle(r: &Request, storage_url: &str, real_token: &str, life: Duration) -> Response {
    let unauthorized = || {
        Response::json(
            401,
            &json!({"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}),
        )
    };
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v2.0/tokens") => {
            let b = r.json();
            let a = &b["auth"];
            let who_ok = if let Some(pc) = a.get("passwordCredentials") {
                (pc["username"] == "alice" || pc["userId"] == "u1") && pc["password"] == "secret"
            } else {
                a["token"]["id"] == UNSCOPED || a["token"]["id"] == real_token
            };
            if !who_ok {
                return unauthorized();
            }
            let tenant = if a["tenantName"] == "acme" || a["tenantId"] == "t-acme" {
                Some(("t-acme", "acme"))
            } else if a.get("tenantName").is_none() && a.get("tenantId").is_none() {
                None
            } else {
                return unauthorized();
            };
            match tenant {
                Some(t) => Response::json(200, &access(real_token, Some(t), storage_url, life)),
                None => Response::json(200, &access(UNSCOPED, None, storage_url, life)),
            }
        }
        ("GET", "/v2.0/tenants") => {
            if r.header("x-auth-token") != Some(UNSCOPED) {
                return unauthorized();
            }
            Response::json(
                200,
                &json!({"tenants_links": [], "tenants": [
                {"id": "t-disabled", "name": "old", "enabled": false, "description": ""},
                {"id": "t-acme", "name": "acme", "enabled": true, "description": ""}]}),
            )
        }
        _ => Response::empty(404),
    }
}

fn opts(v2: &V2, extra: Value) -> Value {
    let mut o = json!({"auth_version": "2.0", "os_auth_url": format!("{}/v2.0", v2.fx.url)});
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

#[tokio::test]
async fn password_with_tenant_name_and_id() {
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    for extra in [
        json!({"os_username": "alice", "os_password": "secret", "os_tenant_name": "acme"}),
        json!({"os_user_id": "u1", "os_password": "secret", "os_tenant_id": "t-acme"}),
        json!({"user": "acme:alice", "key": "secret"}),
    ] {
        let c = client(&opts(&v2, extra.clone()));
        let rec = c
            .auth_record(false, false)
            .await
            .unwrap_or_else(|e| panic!("{extra}: {e}"));
        assert_eq!(rec["auth_version"], "2.0");
        assert_eq!(rec["project_id"], "t-acme");
        assert!(rec["storage_url"]
            .as_str()
            .unwrap()
            .ends_with("/v1/AUTH_test"));
        assert!(head(&c).await.is_ok(), "{extra}");
    }
    assert_eq!(
        v2.fx.count("GET", "/v2.0/tenants"),
        0,
        "no tenant discovery when a tenant is given"
    );
    let first = v2.fx.requests.lock().unwrap()[0].json();
    assert_eq!(first["auth"]["passwordCredentials"]["username"], "alice");
    assert_eq!(first["auth"]["tenantName"], "acme");
}

#[tokio::test]
async fn endpoint_type_spellings_v2() {
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    let o = opts(
        &v2,
        json!({"os_username": "alice", "os_password": "secret", "os_tenant_name": "acme", "os_endpoint_type": "internalURL"}),
    );
    let rec = client(&o).auth_record(false, false).await.unwrap();
    assert_eq!(rec["storage_url"], "http://127.0.0.1:9/internal");
}

#[tokio::test]
async fn token_method_v2() {
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    let o = opts(
        &v2,
        json!({"os_auth_token": UNSCOPED, "os_tenant_name": "acme"}),
    );
    let c = client(&o);
    assert!(head(&c).await.is_ok());
    let body = v2.fx.requests.lock().unwrap()[0].json();
    assert_eq!(body["auth"]["token"]["id"], UNSCOPED);
}

#[tokio::test]
async fn unscoped_then_tenants_then_scoped() {
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    let c = client(&opts(
        &v2,
        json!({"os_username": "alice", "os_password": "secret"}),
    ));
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(
        rec["project_name"], "acme",
        "the first enabled tenant is chosen"
    );
    // The v2 access facts: user and project (tenant).
    assert_eq!(
        (&rec["user"]["name"], &rec["project"]["id"]),
        (&json!("alice"), &json!("t-acme")),
        "{rec}"
    );
    assert_eq!(v2.fx.count("POST", "/v2.0/tokens"), 2);
    assert_eq!(v2.fx.count("GET", "/v2.0/tenants"), 1);
    let reqs = v2.fx.requests.lock().unwrap().clone();
    let second = reqs
        .iter()
        .filter(|r| r.method == "POST")
        .nth(1)
        .unwrap()
        .json();
    assert_eq!(second["auth"]["token"]["id"], UNSCOPED);
    assert_eq!(second["auth"]["tenantId"], "t-acme");
    assert!(head(&c).await.is_ok());
}

#[tokio::test]
async fn wrong_password_v2() {
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    let c = client(&opts(
        &v2,
        json!({"os_username": "alice", "os_password": "nope-nope", "os_tenant_name": "acme"}),
    ));
    let e = c.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert_eq!(e.http_status, Some(401));
    assert!(!e.to_json().contains("nope-nope"));
}

#[tokio::test]
async fn refresh_before_expiry() {
    // Tokens live 4 s; the 120 s default margin is capped at half the
    // lifetime, so the token is renewed once 2 s are left — before a
    // request could fail with it.
    let v2 = v2_keystone(Duration::from_secs(4)).await;
    let c = client(&opts(
        &v2,
        json!({"os_username": "alice", "os_password": "secret", "os_tenant_name": "acme"}),
    ));
    head(&c).await.unwrap();
    head(&c).await.unwrap();
    assert_eq!(v2.fx.count("POST", "/v2.0/tokens"), 1);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    head(&c).await.unwrap();
    assert_eq!(
        v2.fx.count("POST", "/v2.0/tokens"),
        2,
        "renewed before expiry"
    );
    assert_eq!(c.auth_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_flight_reauth_counted_by_the_server() {
    // Start from a stale pre-authenticated token: every concurrent request
    // gets a 401 from the real proxy, and exactly one auth request follows.
    let v2 = v2_keystone(Duration::from_secs(3600)).await;
    let (storage_url, _) = v1_token("test:tester", "testing").await;
    let o = opts(
        &v2,
        json!({
            "os_username": "alice", "os_password": "secret", "os_tenant_name": "acme",
            "os_storage_url": storage_url, "os_auth_token": "AUTH_tk_stale_token",
        }),
    );
    let c = client(&o);
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { head(&c).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.is_ok(), "{r:?}");
    }
    assert_eq!(
        v2.fx.count("POST", "/v2.0/tokens"),
        1,
        "24 rejected requests, one auth"
    );
    assert_eq!(c.auth_requests(), 1);
}

/// ViPR/ECS's v2 flow, in the wire format of its documentation: the
/// unscoped token's expiry in epoch milliseconds, tenants with only a
/// name, the scoped request by `tenantName`, and a catalog whose list is
/// spelt "endpoint".
#[tokio::test]
async fn vipr_unscoped_tenant_by_name_and_endpoint_spelling() {
    let (storage_url, real_token) = v1_token("test:tester", "testing").await;
    let expires_ms = (SystemTime::now() + Duration::from_secs(3600))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let fx = Fixture::start(move |r: &Request| {
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/v2.0/tokens") => {
                let a = r.json()["auth"].clone();
                if a["passwordCredentials"]["username"] == "swift_user"
                    && a["passwordCredentials"]["password"] == "123"
                {
                    return Response::json(200, &json!({"access": {
                        "token": {"id": "vipr-unscoped", "expires": expires_ms},
                        "user": {"name": "sysadmin", "roles": [], "role_links": []},
                        "serviceCatalog": []}}));
                }
                if a["token"]["id"] == "vipr-unscoped" && a["tenantName"] == "s3" {
                    return Response::json(200, &json!({"access": {
                        "token": {"id": real_token, "expires": expires_ms,
                                  "tenant": {"name": "s3", "id": "s3"}},
                        "serviceCatalog": [{"type": "object-store", "name": "Swift",
                            "endpoints_links": [],
                            "endpoint": [{"internalURL": storage_url, "publicURL": storage_url}]}]}}));
                }
                Response::empty(401)
            }
            ("GET", "/v2.0/tenants") if r.header("x-auth-token") == Some("vipr-unscoped") => {
                Response::json(200, &json!({"tenants_links": [],
                    "tenants": [{"description": "s3", "enabled": true, "name": "s3"}]}))
            }
            _ => Response::empty(404),
        }
    })
    .await;
    let c = client(
        &json!({"auth_version": "2.0", "os_auth_url": format!("{}/v2.0", fx.url),
                           "os_username": "swift_user", "os_password": "123"}),
    );
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["project_name"], "s3", "{rec}");
    assert!(rec["expires_in"].as_u64().unwrap() > 3000, "{rec}");
    assert!(
        head(&c).await.is_ok(),
        "the scoped token and URL work on the real cluster"
    );
}
