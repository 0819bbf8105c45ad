//! Saved auth state, through the C API against real tempauth: a second
//! client (standing for a restarted process) restores the first one's state
//! and works with no authentication request at all (counted at a proxy in
//! front of the server); an expired state is ignored; a state of another
//! identity is refused; a revoked token costs one re-authentication, which
//! the auth callback reports with the new state; a client without
//! credentials uses a state until the token is refused, then says so.

mod common;

use common::faultproxy::FaultProxy;
use common::*;
use serde_json::{json, Value};
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::Mutex;
use swiftclient::ffi::client::{
    swc_client, swc_client_export_auth, swc_client_free, swc_client_import_auth,
    swc_client_set_auth_callback,
};
use swiftclient::ffi::{SWC_E_AUTH, SWC_E_CONFIG, SWC_OK};

fn export(c: *mut swc_client) -> Value {
    let (st, out, e) = ffi_call(|r, e| swc_client_export_auth(c, ptr::null(), r, e));
    assert_eq!(st, SWC_OK, "{e:?}");
    out.unwrap()
}

fn import(c: *mut swc_client, state: &Value) -> (i32, Option<Value>, Option<Value>) {
    let s = cs(&state.to_string());
    ffi_call(|r, e| swc_client_import_auth(c, s.as_ptr(), r, e))
}

extern "C" fn keep_state(ud: *mut c_void, json: *const c_char, _len: usize) {
    let states = unsafe { &*(ud as *const Mutex<Vec<Value>>) };
    let text = unsafe { CStr::from_ptr(json) }.to_str().unwrap();
    states
        .lock()
        .unwrap()
        .push(serde_json::from_str(text).unwrap());
}

#[test]
fn a_saved_state_skips_authentication_and_never_crosses_identities() {
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let opts =
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing"});
    let auths = || {
        fp.heads()
            .iter()
            .filter(|h| h.starts_with("GET /auth/v1.0 "))
            .count()
    };

    // The first process authenticates and saves its state.
    let first = ffi_client(&opts);
    let state = export(first);
    assert_eq!(auths(), 1);
    assert!(
        state["token"].as_str().unwrap().starts_with("AUTH_tk"),
        "{state}"
    );
    assert!(
        state["identity"].as_str().unwrap().starts_with("sha256:"),
        "{state}"
    );
    assert!(
        !state.to_string().contains("testing"),
        "a secret in the state: {state}"
    );
    unsafe { swc_client_free(first) };

    // The second restores it: requests work without any authentication.
    let second = ffi_client(&opts);
    let (st, out, e) = import(second, &state);
    assert_eq!(
        (st, &out.as_ref().unwrap()["imported"]),
        (SWC_OK, &json!(true)),
        "{e:?}"
    );
    for _ in 0..3 {
        assert_eq!(ffi_account_head(second).0, SWC_OK);
    }
    assert_eq!(auths(), 1, "the restored client authenticated");

    // A revoked token: one re-authentication, reported with the new state.
    let states: Box<Mutex<Vec<Value>>> = Box::default();
    let ud = &*states as *const Mutex<Vec<Value>> as *mut c_void;
    assert_eq!(
        swc_client_set_auth_callback(second, Some(keep_state), ud),
        SWC_OK
    );
    revoke_tempauth_token(state["token"].as_str().unwrap());
    assert_eq!(ffi_account_head(second).0, SWC_OK);
    assert_eq!(ffi_account_head(second).0, SWC_OK);
    assert_eq!(auths(), 2, "a revoked token should cost one authentication");
    let told = states.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_ne!(told[0]["token"], state["token"]);
    assert_eq!(told[0]["identity"], state["identity"]);
    assert_eq!(
        swc_client_set_auth_callback(second, None, ptr::null_mut()),
        SWC_OK
    );
    unsafe { swc_client_free(second) };

    // An expired state is ignored, not an error: the client authenticates.
    let mut expired = told[0].clone();
    expired["expires_at"] = json!(1_000_000_000.0);
    let third = ffi_client(&opts);
    let (st, out, _) = import(third, &expired);
    assert_eq!(
        (st, out.unwrap()["reason"].clone()),
        (SWC_OK, json!("expired"))
    );
    assert_eq!(ffi_account_head(third).0, SWC_OK);
    assert_eq!(auths(), 3);
    unsafe { swc_client_free(third) };

    // Another identity: refused, whatever the state holds.
    for other in [
        json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test2:tester2", "key": "testing2"}),
        json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test:tester", "key": "testing"}),
    ] {
        let c = ffi_client(&other);
        let (st, _, e) = import(c, &told[0]);
        assert_eq!(st, SWC_E_CONFIG, "{other}");
        assert_eq!(e.unwrap()["key"], "identity");
        unsafe { swc_client_free(c) };
    }
    // Not a state at all.
    let c = ffi_client(&opts);
    for bad in [json!({"token": "x"}), json!([1]), json!({"format": 2})] {
        assert_eq!(import(c, &bad).0, SWC_E_CONFIG, "{bad}");
    }
    unsafe { swc_client_free(c) };

    // No credentials: the state is used; once its token is refused, the
    // client says it cannot authenticate again.
    let bare = ffi_client(&json!({}));
    let (st, _, e) = import(bare, &told[0]);
    assert_eq!(st, SWC_OK, "{e:?}");
    assert_eq!(ffi_account_head(bare).0, SWC_OK);
    revoke_tempauth_token(told[0]["token"].as_str().unwrap());
    let (st, e) = ffi_account_head(bare);
    assert_eq!(st, SWC_E_AUTH, "{e:?}");
    assert!(e.unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("no credentials"));
    unsafe { swc_client_free(bare) };
}
