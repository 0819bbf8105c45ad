//! Secrets stay secret: every secret-bearing header (tokens, sync keys,
//! temp-URL keys of accounts and containers, service tokens) set or read
//! through the C API, per request and in bulk, is absent from every DEBUG
//! log line, every result, every record and every error record, while the
//! headers themselves show as "***" (so the check is not vacuous).

mod common;

use common::*;
use serde_json::{json, Value};
use std::ptr;
use swiftclient::ffi::client::{swc_client_free, SWC_LOG_DEBUG};
use swiftclient::ffi::conn::{
    swc_account_head, swc_account_post, swc_container_delete, swc_container_head,
    swc_container_post, swc_container_put,
};
use swiftclient::ffi::service::{swc_post, swc_stat};

#[test]
fn no_secret_in_any_log_line_result_or_record() {
    let sync_key = format!("sync-{}", unique("secret"));
    let cont_key = format!("ckey-{}", unique("secret"));
    let cont_key2 = format!("ckey2-{}", unique("secret"));
    let acct_key = format!("akey-{}", unique("secret"));
    let acct_key2 = format!("akey2-{}", unique("secret"));
    let service_token = format!("svc-{}", unique("secret"));
    let secrets = [
        &sync_key,
        &cont_key,
        &cont_key2,
        &acct_key,
        &acct_key2,
        &service_token,
    ];

    // The second account, so the account's temp-URL keys do not disturb
    // the temp URL tests running at the same time on the first.
    let c = ffi_client(
        &json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test2:tester2", "key": "testing2"}),
    );
    let lines = capture_log(c, SWC_LOG_DEBUG);

    let mut out: Vec<Value> = Vec::new();
    let name = unique("secrets");
    let cname = cs(&name);
    let put = cs(&json!({"headers": {
        "X-Container-Sync-Key": sync_key,
        "X-Container-Meta-Temp-URL-Key": cont_key,
        "X-Container-Meta-Temp-URL-Key-2": cont_key2,
    }})
    .to_string());
    let (st, r, e) =
        ffi_call(|o, e| swc_container_put(c, cname.as_ptr(), put.as_ptr(), ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    out.extend(r);
    let acct = cs(&json!({"headers": {
        "X-Account-Meta-Temp-URL-Key": acct_key,
        "X-Account-Meta-Temp-URL-Key-2": acct_key2,
    }})
    .to_string());
    let (st, r, e) =
        ffi_call(|o, e| swc_account_post(c, acct.as_ptr(), ptr::null(), 0, ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    out.extend(r);

    // Read back: Swift returns every key to an admin in clear.
    let (st, head, e) =
        ffi_call(|o, e| swc_container_head(c, cname.as_ptr(), ptr::null(), ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    let head = head.unwrap();
    for h in [
        "x-container-sync-key",
        "x-container-meta-temp-url-key",
        "x-container-meta-temp-url-key-2",
    ] {
        assert_eq!(head["headers"][h], "***", "{h} in {head}");
    }
    out.push(head);
    let svc_opts = cs(&json!({"headers": {"X-Service-Token": service_token}}).to_string());
    let (st, head, e) = ffi_call(|o, e| swc_account_head(c, svc_opts.as_ptr(), ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    let head = head.unwrap();
    assert_eq!(
        head["headers"]["x-account-meta-temp-url-key"], "***",
        "{head}"
    );
    assert_eq!(
        head["headers"]["x-account-meta-temp-url-key-2"], "***",
        "{head}"
    );
    out.push(head);

    // An error record for a request that carried a secret.
    let missing = cs(&unique("secrets-missing"));
    let sync = cs(&json!({"headers": {"X-Container-Sync-Key": sync_key}}).to_string());
    let (st, r, e) =
        ffi_call(|o, e| swc_container_post(c, missing.as_ptr(), sync.as_ptr(), ptr::null(), o, e));
    assert_eq!(st, swiftclient::ffi::SWC_E_NOT_FOUND, "{r:?}");
    out.extend(e);

    // Bulk: the headers sent (post) and received (stat) in records.
    let (st, recs, summary) = svc(
        swc_post,
        c,
        json!({"container": name, "sync_key": sync_key,
               "header": [format!("X-Container-Meta-Temp-URL-Key: {cont_key}")]}),
    );
    assert_eq!(st, 0, "{recs:?}");
    assert_eq!(
        recs[0]["headers"]["X-Container-Sync-Key"], "***",
        "{recs:?}"
    );
    out.extend(recs);
    out.push(summary);
    for req in [json!({"container": name}), json!({})] {
        let (st, recs, summary) = svc(swc_stat, c, req);
        assert_eq!(st, 0, "{recs:?}");
        out.extend(recs);
        out.push(summary);
    }

    let (st, _, e) =
        ffi_call(|o, e| swc_container_delete(c, cname.as_ptr(), ptr::null(), ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    let remove = cs(&json!({"headers": {
        "X-Remove-Account-Meta-Temp-URL-Key": "x",
        "X-Remove-Account-Meta-Temp-URL-Key-2": "x",
    }})
    .to_string());
    let (st, _, e) =
        ffi_call(|o, e| swc_account_post(c, remove.as_ptr(), ptr::null(), 0, ptr::null(), o, e));
    assert_eq!(st, 0, "{e:?}");
    unsafe { swc_client_free(c) };

    let log = lines.lock().unwrap().join("\n");
    assert!(log.contains("'X-Container-Sync-Key: ***'"), "{log}");
    assert!(log.contains("'X-Service-Token: ***'"), "{log}");
    let records: String = out.iter().map(|v| format!("{v}\n")).collect();
    for s in secrets {
        assert!(!log.contains(s.as_str()), "secret {s} in the log:\n{log}");
        assert!(
            !records.contains(s.as_str()),
            "secret {s} in a record:\n{records}"
        );
    }
}
