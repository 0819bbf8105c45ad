//! Shared by the integration tests: where the cluster is, and a small
//! scripted HTTP server for wire behaviour no installable server speaks.
#![allow(dead_code)]

pub mod faultproxy;
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

/// A container name unique to this run and test.
pub fn unique(prefix: &str) -> String {
    format!("swc-{prefix}-{:08x}", rand_u32())
}

fn rand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    t ^ (std::process::id() << 12) ^ N.fetch_add(0x9e37_79b9, Ordering::Relaxed)
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn md5_hex(d: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(d)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn no_cancel() -> tokio_util::sync::CancellationToken {
    tokio_util::sync::CancellationToken::new()
}

pub fn opts<T: serde::de::DeserializeOwned + Default>(json: Value) -> T {
    swiftclient::conn::opts::parse(Some(&json.to_string()), "test options").unwrap()
}

/// Deletes every object of a container, then the container.
pub async fn cleanup(c: &swiftclient::Client, container: &str) {
    use swiftclient::conn::{container as cont, object};
    let cancel = no_cancel();
    if let Ok(rec) = cont::list(
        c,
        container,
        &opts(serde_json::json!({"full_listing": true})),
        &cancel,
    )
    .await
    {
        for e in rec["listing"].as_array().unwrap() {
            let _ = object::delete(
                c,
                container,
                e["name"].as_str().unwrap(),
                &Default::default(),
                &cancel,
            )
            .await;
        }
    }
    let _ = cont::delete(c, container, &Default::default(), &cancel).await;
}
