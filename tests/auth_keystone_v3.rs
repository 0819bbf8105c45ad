//! Keystone v3 against the real Keystone and the real keystoneauth proxy:
//! password (names and ids, other domains), token, application credential
//! (id, and name + user), project and domain scope, catalog selection.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::Status;

fn demo() -> Value {
    json!({
        "auth_version": "3",
        "os_auth_url": keystone_url(),
        "os_username": "demo",
        "os_password": "demopass",
        "os_user_domain_name": "Default",
        "os_project_name": "demo",
        "os_project_domain_name": "Default",
    })
}

fn demo_project() -> String {
    env("SWC_TEST_KS_DEMO_PROJECT_ID")
}

async fn auth_and_head(opts: &Value) -> Value {
    let c = client(opts);
    let rec = c
        .auth_record(false, false)
        .await
        .unwrap_or_else(|e| panic!("auth failed: {e}"));
    let head = head(&c)
        .await
        .unwrap_or_else(|e| panic!("HEAD failed: {e}"));
    assert!(matches!(head["status"].as_u64(), Some(200 | 204)), "{head}");
    rec
}

#[tokio::test]
async fn password_by_names() {
    let rec = auth_and_head(&demo()).await;
    assert_eq!(rec["auth_version"], "3");
    assert_eq!(rec["storage_url"], ks_storage_url(&demo_project()));
    assert_eq!(rec["project_name"], "demo");
    let left = rec["expires_in"].as_u64().unwrap();
    assert!(
        left > 3000 && left <= 3600,
        "Keystone's expires_at is tracked: {rec}"
    );
}

#[tokio::test]
async fn password_by_ids() {
    let o = json!({
        "auth_version": 3,
        "os_auth_url": keystone_url(),
        "os_user_id": env("SWC_TEST_KS_DEMO_USER_ID"),
        "os_password": "demopass",
        "os_project_id": demo_project(),
    });
    let rec = auth_and_head(&o).await;
    assert_eq!(rec["project_id"], demo_project());
}

#[tokio::test]
async fn password_in_another_domain() {
    let o = json!({
        "os_auth_url": keystone_url(),
        "os_username": "alt",
        "os_password": "altpass",
        "os_user_domain_name": "swcdom",
        "os_project_name": "altproj",
        "os_project_domain_id": env("SWC_TEST_KS_SWCDOM_ID"),
    });
    // auth_version is inferred as 3 from the domain options.
    let rec = auth_and_head(&o).await;
    assert_eq!(
        rec["storage_url"],
        ks_storage_url(&env("SWC_TEST_KS_ALT_PROJECT_ID"))
    );
}

#[tokio::test]
async fn versionless_auth_url_gets_v3() {
    let mut o = demo();
    o["os_auth_url"] = json!(keystone_url().trim_end_matches("/v3"));
    auth_and_head(&o).await;
}

#[tokio::test]
async fn token_method() {
    let first = client(&demo()).auth_record(false, true).await.unwrap();
    let token = first["token"].as_str().unwrap().to_string();
    let o = json!({
        "auth_version": "3",
        "os_auth_url": keystone_url(),
        "os_auth_token": token,
        "os_project_id": demo_project(),
    });
    let c = client(&o);
    let rec = c.auth_record(false, true).await.unwrap();
    assert_eq!(rec["storage_url"], ks_storage_url(&demo_project()));
    assert_ne!(
        rec["token"], first["token"],
        "the token method returns a new token"
    );
    assert_eq!(c.auth_requests(), 1);
    assert!(head(&c).await.is_ok());
}

#[tokio::test]
async fn application_credential_by_id() {
    let o = json!({
        "os_auth_url": keystone_url(),
        "os_auth_type": "v3applicationcredential",
        "os_application_credential_id": env("SWC_TEST_KS_APPCRED_ID"),
        "os_application_credential_secret": "appcredsecret",
    });
    let rec = auth_and_head(&o).await;
    assert_eq!(rec["storage_url"], ks_storage_url(&demo_project()));
}

#[tokio::test]
async fn application_credential_by_name_and_user() {
    let o = json!({
        "os_auth_url": keystone_url(),
        "os_application_credential_name": "swc-appcred",
        "os_application_credential_secret": "appcredsecret",
        "os_username": "demo",
        "os_user_domain_name": "Default",
    });
    let rec = auth_and_head(&o).await;
    assert_eq!(rec["project_id"], demo_project());
}

#[tokio::test]
async fn wrong_app_cred_secret_is_401() {
    let o = json!({
        "os_auth_url": keystone_url(),
        "os_application_credential_id": env("SWC_TEST_KS_APPCRED_ID"),
        "os_application_credential_secret": "wrong-secret-xyz",
    });
    let e = client(&o).auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert_eq!(e.http_status, Some(401));
    assert!(!e.to_json().contains("wrong-secret-xyz"));
}

#[tokio::test]
async fn wrong_password_is_401_and_secret_free() {
    let mut o = demo();
    o["os_password"] = json!("not-the-password-123");
    let e = client(&o).auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Auth);
    assert_eq!(e.http_status, Some(401));
    assert!(
        e.transaction_id.is_some(),
        "Keystone's request id is kept: {e:?}"
    );
    assert!(!e.to_json().contains("not-the-password-123"));
    assert!(!format!("{e:?} {e}").contains("not-the-password-123"));
}

#[tokio::test]
async fn domain_scope() {
    let base = json!({
        "os_auth_url": keystone_url(),
        "os_username": "alt",
        "os_password": "altpass",
        "os_user_domain_name": "swcdom",
        "os_domain_name": "swcdom",
    });
    // A domain-scoped token has no project, so Keystone leaves the
    // AUTH_%(project_id)s endpoints out of its catalog: a clear error...
    let e = client(&base).auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Config, "{e}");
    assert!(
        e.message.contains("no object-store endpoint"),
        "{}",
        e.message
    );
    // ...while with an explicit storage URL the domain-scoped token is used.
    let mut o = base.clone();
    o["os_storage_url"] = json!("http://127.0.0.1:9/v1/AUTH_x");
    let rec = client(&o).auth_record(false, false).await.unwrap();
    assert_eq!(rec["storage_url"], "http://127.0.0.1:9/v1/AUTH_x");
    assert_eq!(rec["project_id"], Value::Null);
}

#[tokio::test]
async fn catalog_selection() {
    let url = |port: String| format!("http://127.0.0.1:{port}/v1/AUTH_{}", demo_project());
    let cases = [
        (
            json!({"os_endpoint_type": "internal"}),
            url(env("SWC_TEST_DECOY_INTERNAL_PORT")),
        ),
        (
            json!({"os_endpoint_type": "internalURL"}),
            url(env("SWC_TEST_DECOY_INTERNAL_PORT")),
        ),
        (
            json!({"os_endpoint_type": "adminURL"}),
            url(env("SWC_TEST_DECOY_ADMIN_PORT")),
        ),
        (
            json!({"os_region_name": "RegionTwo"}),
            url(env("SWC_TEST_DECOY_REGION_TWO_PORT")),
        ),
        (
            json!({"os_region_name": "RegionOne", "os_endpoint_type": "publicURL"}),
            ks_storage_url(&demo_project()),
        ),
        (
            json!({"os_service_name": "swift-archive"}),
            url(env("SWC_TEST_DECOY_ARCHIVE_PORT")),
        ),
        (
            json!({"os_service_name": "swift", "os_region_name": "RegionOne"}),
            ks_storage_url(&demo_project()),
        ),
    ];
    for (extra, want) in cases {
        let mut o = demo();
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        let rec = client(&o)
            .auth_record(false, false)
            .await
            .unwrap_or_else(|e| panic!("{extra}: {e}"));
        assert_eq!(rec["storage_url"], want, "selection {extra}");
    }
    let mut o = demo();
    o["os_region_name"] = json!("RegionNine");
    let e = client(&o).auth_record(false, false).await.unwrap_err();
    assert_eq!(e.key.as_deref(), Some("os_region_name"));
    assert!(
        e.message.contains("RegionTwo"),
        "the error lists what the catalog offers: {}",
        e.message
    );
}

#[tokio::test]
async fn object_storage_url_override() {
    let mut o = demo();
    o["os_storage_url"] = json!(ks_storage_url(&demo_project()));
    o["os_region_name"] = json!("RegionNine"); // ignored: the catalog is not consulted
    auth_and_head(&o).await;
}

/// The full auth record, as keystoneclient's AccessInfo: user, project,
/// roles, times, audit ids, methods; the catalog when asked, filtered.
#[tokio::test]
async fn the_full_auth_record() {
    use swiftclient::client::AuthRecordOpts;
    let c = client(&demo());
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["user"]["name"], "demo", "{rec}");
    assert_eq!(rec["user"]["domain"]["id"], "default", "{rec}");
    assert_eq!(rec["project"]["name"], "demo", "{rec}");
    assert_eq!(rec["methods"], json!(["password"]), "{rec}");
    assert!(
        rec["issued_at"].is_string() && rec["audit_ids"].is_array(),
        "{rec}"
    );
    let roles: Vec<&str> = rec["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(roles.contains(&"member"), "{roles:?}");
    assert!(
        rec.get("catalog").is_none(),
        "the catalog comes only when asked"
    );
    assert!(!rec.to_string().contains("demopass"));
    let all = c
        .auth_record_with(&AuthRecordOpts {
            include_catalog: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let regions: std::collections::BTreeSet<&str> = all["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["service_type"] == "object-store")
        .filter_map(|e| e["region"].as_str())
        .collect();
    assert_eq!(regions.len(), 3, "{regions:?}");
    let mut filter = serde_json::Map::new();
    filter.insert("service_type".into(), json!("object-store"));
    filter.insert("region".into(), json!("RegionTwo"));
    filter.insert("interface".into(), json!("public"));
    let one = c
        .auth_record_with(&AuthRecordOpts {
            include_catalog: true,
            catalog_filter: filter,
            ..Default::default()
        })
        .await
        .unwrap();
    let cat = one["catalog"].as_array().unwrap();
    assert!(!cat.is_empty(), "{one}");
    assert!(
        cat.iter()
            .all(|e| e["region"] == "RegionTwo" && e["interface"] == "public"),
        "{one}"
    );
}

/// An auth URL without a version is resolved from the server's version
/// document (v3 here), as keystoneclient does; the options alone (a user,
/// a password and a project, no domains) would have meant v2.0.
#[tokio::test]
async fn a_versionless_auth_url_is_discovered() {
    let root = keystone_url().trim_end_matches("/v3").to_string();
    let c = client(&json!({
        "os_auth_url": root, "os_username": "demo", "os_password": "demopass",
        "os_project_name": "demo",
    }));
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["auth_version"], "3", "{rec}");
    assert_eq!(rec["project_name"], "demo");
    assert!(head(&c).await.is_ok());
    // An explicit version still wins: no discovery, v2.0 asked (and absent).
    let v2 = client(&json!({
        "os_auth_url": root, "os_username": "demo", "os_password": "demopass",
        "os_project_name": "demo", "auth_version": "2.0", "retries": 0,
    }));
    let e = v2.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.http_status, Some(404), "{e}");
}
