//! The secret asked of the caller at the moment of authentication
//! (`credentials_from_callback`), against real tempauth: one callback and
//! one authentication for sixteen concurrent first requests, one more after
//! the token is revoked, a failing or missing callback is SWC_E_AUTH with
//! its reason, and the secret appears in no log line.

mod common;

use common::faultproxy::FaultProxy;
use common::*;
use serde_json::{json, Value};
use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::Mutex;
use swiftclient::ffi::client::{
    swc_client_free, swc_client_set_credential_callback, swc_client_set_log, SWC_LOG_DEBUG,
};
use swiftclient::ffi::{SWC_E_AUTH, SWC_OK};

#[derive(Default)]
struct Vault {
    requests: Mutex<Vec<Value>>,
    refuse: bool,
}

extern "C" fn vault(
    ud: *mut c_void,
    req: *const c_char,
    _len: usize,
    reply: *mut c_char,
    cap: usize,
) -> isize {
    let v = unsafe { &*(ud as *const Vault) };
    let r: Value = serde_json::from_str(unsafe { CStr::from_ptr(req) }.to_str().unwrap()).unwrap();
    v.requests.lock().unwrap().push(r);
    if v.refuse {
        return -1;
    }
    // A slow vault: concurrent requests must still share one call.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let answer = br#"{"key": "testing"}"#;
    assert!(answer.len() <= cap);
    unsafe { ptr::copy_nonoverlapping(answer.as_ptr(), reply as *mut u8, answer.len()) };
    answer.len() as isize
}

#[test]
fn the_secret_comes_from_the_callback_once_per_authentication() {
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let auths = || {
        fp.heads()
            .iter()
            .filter(|h| h.starts_with("GET /auth/v1.0 "))
            .count()
    };
    let opts = json!({"auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester",
                      "credentials_from_callback": true});
    let c = ffi_client(&opts);
    let v: Box<Vault> = Box::default();
    let ud = &*v as *const Vault as *mut c_void;
    assert_eq!(
        swc_client_set_credential_callback(c, Some(vault), ud),
        SWC_OK
    );
    let log = capture_log(c, SWC_LOG_DEBUG);

    // Sixteen first requests at once: one callback, one authentication.
    let addr = c as usize;
    let threads: Vec<_> = (0..16)
        .map(|_| std::thread::spawn(move || ffi_account_head(addr as *mut _).0))
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), SWC_OK);
    }
    assert_eq!(auths(), 1);
    {
        let reqs = v.requests.lock().unwrap();
        assert_eq!(reqs.len(), 1, "{reqs:?}");
        assert_eq!(reqs[0]["needs"], "key");
        assert_eq!(reqs[0]["reason"], "first");
        assert_eq!(reqs[0]["user"], "test:tester");
    }
    // A revoked token: asked again, once, saying why.
    revoke_all_tokens_of_tester();
    assert_eq!(ffi_account_head(c).0, SWC_OK);
    assert_eq!(auths(), 2);
    assert_eq!(v.requests.lock().unwrap()[1]["reason"], "rejected");
    assert_eq!(
        swc_client_set_log(c, SWC_LOG_DEBUG, None, ptr::null_mut()),
        SWC_OK
    );
    assert!(
        !log.lock().unwrap().join("\n").contains("testing"),
        "the key was logged"
    );
    unsafe { swc_client_free(c) };

    // A callback that refuses, and none at all: SWC_E_AUTH saying so.
    let refusing: Box<Vault> = Box::new(Vault {
        refuse: true,
        ..Default::default()
    });
    let c = ffi_client(&opts);
    let ud = &*refusing as *const Vault as *mut c_void;
    assert_eq!(
        swc_client_set_credential_callback(c, Some(vault), ud),
        SWC_OK
    );
    let (st, e) = ffi_account_head(c);
    assert_eq!(st, SWC_E_AUTH);
    assert!(e.unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("credential callback failed"));
    assert_eq!(
        swc_client_set_credential_callback(c, None, ptr::null_mut()),
        SWC_OK
    );
    let (st, e) = ffi_account_head(c);
    assert_eq!(st, SWC_E_AUTH);
    assert!(e.unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("no credential callback"));
    unsafe { swc_client_free(c) };
}

/// Removes test:tester's tokens from memcached, as an operator revoking
/// them would (tempauth keys its cache by the MD5 of these names).
fn revoke_all_tokens_of_tester() {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(env("SWC_TEST_MEMCACHED")).unwrap();
    // The user's current token is found through the user key.
    s.write_all(format!("get {}\r\n", md5_hex(b"AUTH_/user/test:tester")).as_bytes())
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let reply = String::from_utf8_lossy(&buf[..n]).to_string();
    let token = reply
        .lines()
        .nth(1)
        .map(|l| l.trim().trim_matches('"').to_string())
        .unwrap_or_default();
    revoke_tempauth_token(&token);
}

/// Keystone v3: the password from the callback, the rest from the options.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keystone_password_from_the_callback() {
    let c = client(&json!({
        "os_auth_url": keystone_url(), "os_username": "demo", "os_project_name": "demo",
        "os_user_domain_name": "Default", "os_project_domain_name": "Default",
        "credentials_from_callback": true,
    }));
    let asked = std::sync::Arc::new(Mutex::new(Vec::<Value>::new()));
    let a = asked.clone();
    c.set_credential_callback(Some(Box::new(move |req: &str| {
        a.lock().unwrap().push(serde_json::from_str(req).unwrap());
        Ok(r#"{"password": "demopass"}"#.to_string())
    })));
    let rec = c.auth_record(false, false).await.unwrap();
    assert_eq!(rec["project_name"], "demo");
    let asked = asked.lock().unwrap();
    assert_eq!((asked.len(), &asked[0]["needs"]), (1, &json!("password")));
    assert_eq!(asked[0]["user"], json!({"name": "demo"}));
}
