//! Shared by the integration tests: where the cluster is, and a small
//! scripted HTTP server for wire behaviour no installable server speaks.
#![allow(dead_code)]

pub mod fixture;

use serde_json::Value;

/// A required test setting. The README's test command (scripts/test)
/// starts the local cluster and exports these; pointing them elsewhere runs
/// the tests against another cluster.
pub fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| {
        panic!("{key} is not set: run the tests with scripts/test, or `source .cluster/cluster.env` after `scripts/cluster up`")
    })
}

pub fn v1_options() -> Value {
    serde_json::json!({
        "auth": env("SWC_TEST_V1_AUTH"),
        "user": "test:tester",
        "key": "testing",
    })
}

pub fn keystone_url() -> String {
    env("SWC_TEST_KEYSTONE_URL")
}

/// The storage URL keystoneauth gives project `project_id`.
pub fn ks_storage_url(project_id: &str) -> String {
    format!("{}/v1/AUTH_{}", env("SWC_TEST_KS_PROXY_URL"), project_id)
}

pub fn client(opts: &Value) -> swiftclient::Client {
    let o = swiftclient::Options::from_value(opts.clone()).expect("options parse");
    swiftclient::Client::new(&o).expect("client")
}

/// Gets a real tempauth token and storage URL for `user`/`key`.
pub async fn v1_token(user: &str, key: &str) -> (String, String) {
    let r = reqwest::Client::new()
        .get(env("SWC_TEST_V1_AUTH"))
        .header("X-Auth-User", user)
        .header("X-Auth-Key", key)
        .send()
        .await
        .expect("v1 auth");
    assert_eq!(r.status(), 200);
    let h = r.headers();
    (
        h["x-storage-url"].to_str().unwrap().to_string(),
        h["x-auth-token"].to_str().unwrap().to_string(),
    )
}

/// HEAD the account with default options.
pub async fn head(c: &swiftclient::Client) -> swiftclient::Result<Value> {
    swiftclient::conn::account::head(
        c,
        &Default::default(),
        &tokio_util::sync::CancellationToken::new(),
    )
    .await
}
