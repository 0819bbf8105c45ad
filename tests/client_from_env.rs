//! `swc_client_new_from_env` reads the variables the `swift` command reads.
//! One test in this binary: it changes the process environment.

mod common;

use common::*;
use std::ffi::{CStr, CString};
use std::ptr;
use swiftclient::ffi::client::{
    swc_client, swc_client_auth, swc_client_free, swc_client_new_from_env,
};
use swiftclient::ffi::conn::swc_account_head;
use swiftclient::ffi::swc_string_free;

fn take(p: *mut std::ffi::c_char) -> String {
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    unsafe { swc_string_free(p) };
    s
}

fn auth_via_env(overrides: Option<&str>) -> Result<serde_json::Value, serde_json::Value> {
    let mut c: *mut swc_client = ptr::null_mut();
    let mut err = ptr::null_mut();
    let o = overrides.map(|s| CString::new(s).unwrap());
    let st = swc_client_new_from_env(
        o.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
        &mut c,
        &mut err,
    );
    if st != 0 {
        return Err(serde_json::from_str(&take(err)).unwrap());
    }
    let mut out = ptr::null_mut();
    let st = swc_client_auth(c, ptr::null(), &mut out, &mut err);
    let r = if st == 0 {
        Ok(serde_json::from_str(&take(out)).unwrap())
    } else {
        Err(serde_json::from_str(&take(err)).unwrap())
    };
    unsafe { swc_client_free(c) };
    r
}

/// An account HEAD through a client made by `swc_client_new_from_env`.
fn head_via_env(overrides: &str) -> serde_json::Value {
    let mut c: *mut swc_client = ptr::null_mut();
    let mut err = ptr::null_mut();
    let o = CString::new(overrides).unwrap();
    assert_eq!(swc_client_new_from_env(o.as_ptr(), &mut c, &mut err), 0);
    let mut out = ptr::null_mut();
    let st = swc_account_head(c, ptr::null(), ptr::null(), &mut out, &mut err);
    assert_eq!(st, 0);
    unsafe { swc_client_free(c) };
    serde_json::from_str(&take(out)).unwrap()
}

const VARS: &[&str] = &[
    "ST_AUTH",
    "ST_USER",
    "ST_KEY",
    "ST_AUTH_VERSION",
    "OS_AUTH_URL",
    "OS_USERNAME",
    "OS_PASSWORD",
    "OS_PROJECT_NAME",
    "OS_USER_DOMAIN_NAME",
    "OS_PROJECT_DOMAIN_NAME",
    "OS_AUTH_TOKEN",
    "OS_STORAGE_URL",
    "OS_REGION_NAME",
    "OS_ENDPOINT_TYPE",
    "SWIFTCLIENT_INSECURE",
    "OS_CACERT",
    "OS_IDENTITY_API_VERSION",
];

fn clear() {
    for v in VARS {
        std::env::remove_var(v);
    }
}

#[test]
fn environment_like_the_swift_command() {
    // v1 from ST_*.
    clear();
    std::env::set_var("ST_AUTH", env("SWC_TEST_V1_AUTH"));
    std::env::set_var("ST_USER", "test:tester");
    std::env::set_var("ST_KEY", "testing");
    let rec = auth_via_env(None).unwrap();
    assert_eq!(rec["auth_version"], "1.0");
    assert!(rec["storage_url"].as_str().unwrap().ends_with("/AUTH_test"));
    // JSON options apply on top of the environment.
    let e = auth_via_env(Some(r#"{"key":"wrong-key"}"#)).unwrap_err();
    assert_eq!(e["status"], 3);
    assert_eq!(e["http_status"], 401);
    // Every option survives: these three were once dropped by the overlay.
    let e = auth_via_env(Some(r#"{"cacert_pem":"not a pem"}"#)).unwrap_err();
    assert_eq!(e["key"], "cacert_pem", "{e}");
    let e = auth_via_env(Some(r#"{"cacert_only":true}"#)).unwrap_err();
    assert_eq!(e["key"], "cacert_only", "{e}");
    let head = head_via_env(r#"{"trans_id_extra":"from-env-77"}"#);
    let txn = head["headers"]["x-trans-id"].as_str().unwrap();
    assert!(txn.ends_with("-from-env-77"), "{head}");

    // Keystone v3 from OS_*, with catalog selection by OS_ENDPOINT_TYPE.
    clear();
    std::env::set_var("OS_AUTH_URL", keystone_url());
    std::env::set_var("OS_USERNAME", "demo");
    std::env::set_var("OS_PASSWORD", "demopass");
    std::env::set_var("OS_PROJECT_NAME", "demo");
    std::env::set_var("OS_USER_DOMAIN_NAME", "Default");
    std::env::set_var("OS_PROJECT_DOMAIN_NAME", "Default");
    let rec = auth_via_env(None).unwrap();
    assert_eq!(rec["auth_version"], "3");
    assert_eq!(
        rec["storage_url"],
        ks_storage_url(&env("SWC_TEST_KS_DEMO_PROJECT_ID"))
    );
    std::env::set_var("OS_ENDPOINT_TYPE", "internalURL");
    let rec = auth_via_env(None).unwrap();
    assert!(rec["storage_url"]
        .as_str()
        .unwrap()
        .contains(&env("SWC_TEST_DECOY_INTERNAL_PORT")));

    // OS_STORAGE_URL + OS_AUTH_TOKEN: pre-authenticated.
    clear();
    std::env::set_var("OS_STORAGE_URL", "http://127.0.0.1:9/v1/AUTH_pre");
    std::env::set_var("OS_AUTH_TOKEN", "pre-token");
    let rec = auth_via_env(None).unwrap();
    assert_eq!(rec["preauthenticated"], true);
    assert_eq!(rec["storage_url"], "http://127.0.0.1:9/v1/AUTH_pre");

    // OS_CACERT is read (and a missing file is a config error naming it).
    std::env::set_var("OS_CACERT", "/nonexistent/ca.pem");
    let e = auth_via_env(None).unwrap_err();
    assert_eq!(e["status"], 2);
    assert_eq!(e["key"], "os_cacert");
    std::env::remove_var("OS_CACERT");

    // SWIFTCLIENT_INSECURE is accepted.
    std::env::set_var("SWIFTCLIENT_INSECURE", "true");
    assert!(auth_via_env(None).is_ok());

    // Nothing set: a config error that says what is missing.
    clear();
    let e = auth_via_env(None).unwrap_err();
    assert_eq!(e["status"], 2);
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("no way to authenticate"));
}
