//! Temp URLs are byte-identical to python-swiftclient's for a few hundred
//! generated input combinations (paths with non-ASCII, /info, prefixes, all
//! time forms, digests, IP ranges, full URLs, invalid inputs), computed by
//! python-swiftclient itself in the test venv; and a signed URL really
//! opens an object on the local cluster.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::tempurl::{generate, TempUrlRequest};

#[test]
fn byte_identical_to_python_swiftclient() {
    let out = std::process::Command::new(env("SWC_TEST_PYTHON"))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/py/tempurl_vectors.py"
        ))
        .args(["7", "1000"])
        .output()
        .expect("run python-swiftclient");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut checked = (0, 0);
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let req: TempUrlRequest = serde_json::from_value(v["req"].clone()).unwrap();
        let got = generate(&req, v["now"].as_f64().unwrap()).ok();
        assert_eq!(
            got.as_deref(),
            v["expected"].as_str(),
            "request {}",
            v["req"]
        );
        if got.is_some() {
            checked.0 += 1;
        } else {
            checked.1 += 1;
        }
    }
    assert!(
        checked.0 >= 300 && checked.1 >= 100,
        "valid/invalid cases: {checked:?}"
    );
}

#[tokio::test]
async fn a_signed_url_opens_the_object() {
    let c = client(&v1_options());
    let cont = unique("tempurl");
    mkcontainer(&c, &cont).await;
    put(&c, &cont, "doc ü.txt", b"signed content", json!({})).await;
    post_account(&c, json!({"X-Account-Meta-Temp-URL-Key": "tk-secret"})).await;
    let storage = storage_url(&c).await;
    let path = format!(
        "{}/{cont}/doc ü.txt",
        reqwest::Url::parse(&storage).unwrap().path()
    );
    for digest in ["sha1", "sha256", "sha512"] {
        let req: TempUrlRequest = serde_json::from_value(json!({"path": format!("{}{path}", env("SWC_TEST_PROXY_URL")), "seconds": 300, "key": "tk-secret", "method": "GET", "digest": digest})).unwrap();
        let url = generate(
            &req,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64(),
        )
        .unwrap();
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), 200, "{digest}: {url}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"signed content");
    }
    // No method: a GET URL (an empty method would sign one always refused).
    let plain: TempUrlRequest = serde_json::from_value(json!({"path": format!("{}{path}", env("SWC_TEST_PROXY_URL")), "seconds": 300, "key": "tk-secret"})).unwrap();
    let r = reqwest::get(generate(&plain, 1e10).unwrap()).await.unwrap();
    assert_eq!(r.status(), 200, "a URL signed without a method is for GET");
    let bad: TempUrlRequest = serde_json::from_value(json!({"path": format!("{}{path}", env("SWC_TEST_PROXY_URL")), "seconds": 300, "key": "wrong", "method": "GET"})).unwrap();
    let r = reqwest::get(generate(&bad, 1e10).unwrap()).await.unwrap();
    assert_eq!(r.status(), 401);
    post_account(&c, json!({"X-Remove-Account-Meta-Temp-URL-Key": "x"})).await;
    cleanup(&c, &cont).await;
}

#[test]
fn through_the_c_abi() {
    use std::ffi::{CStr, CString};
    use swiftclient::ffi::{swc_string_free, tempurl::swc_tempurl};
    let req = CString::new(json!({"path": "/v1/AUTH_a/c/o", "seconds": 1_790_000_000u64, "absolute": true, "key": "k", "method": "GET", "digest": "sha1"}).to_string()).unwrap();
    let (mut url, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    assert_eq!(swc_tempurl(req.as_ptr(), &mut url, &mut err), 0);
    let got = unsafe { CStr::from_ptr(url) }.to_str().unwrap().to_string();
    unsafe { swc_string_free(url) };
    let want = generate(&serde_json::from_value(json!({"path": "/v1/AUTH_a/c/o", "seconds": "1790000000", "absolute": true, "key": "k", "method": "GET", "digest": "sha1"})).unwrap(), 0.0).unwrap();
    assert_eq!(got, want);
    assert!(
        got.starts_with("/v1/AUTH_a/c/o?temp_url_sig=")
            && got.ends_with("&temp_url_expires=1790000000")
    );
    let req = CString::new(
        json!({"path": "/v1/a", "seconds": 60, "key": "top-secret-key", "method": "GET"})
            .to_string(),
    )
    .unwrap();
    let mut url = std::ptr::null_mut();
    assert_eq!(swc_tempurl(req.as_ptr(), &mut url, &mut err), 2);
    assert!(url.is_null());
    let rec = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    unsafe { swc_string_free(err) };
    assert!(
        rec.contains("\"key\":\"path\"") && !rec.contains("top-secret-key"),
        "{rec}"
    );
}

/// No key, or an empty one, would sign with nothing a server checks
/// against: refused, for temp URLs and FormPost alike, naming "key".
#[test]
fn a_missing_or_empty_key_is_refused() {
    use std::ffi::{CStr, CString};
    use swiftclient::ffi::{
        swc_string_free,
        tempurl::{swc_formpost_signature, swc_tempurl},
    };
    let tempurl = json!({"path": "/v1/AUTH_a/c/o", "seconds": 60, "method": "GET"});
    let form = json!({"path": "/v1/AUTH_a/c", "redirect": "", "max_file_size": 10,
                      "max_file_count": 1, "seconds": 60});
    type Sign = extern "C" fn(
        *const std::ffi::c_char,
        *mut *mut std::ffi::c_char,
        *mut *mut std::ffi::c_char,
    ) -> i32;
    for (f, base) in [
        (swc_tempurl as Sign, tempurl),
        (swc_formpost_signature as Sign, form),
    ] {
        for key in [None, Some("")] {
            let mut req = base.clone();
            if let Some(k) = key {
                req["key"] = json!(k);
            }
            let req = CString::new(req.to_string()).unwrap();
            let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
            assert_eq!(f(req.as_ptr(), &mut out, &mut err), 2, "{req:?}");
            assert!(out.is_null());
            let rec: serde_json::Value =
                serde_json::from_str(unsafe { CStr::from_ptr(err) }.to_str().unwrap()).unwrap();
            unsafe { swc_string_free(err) };
            assert_eq!(rec["key"], "key", "{rec}");
            assert!(
                rec["message"].as_str().unwrap().contains("Temp-URL-Key"),
                "{rec}"
            );
        }
    }
}

/// POSTs a browser-style multipart form with the signed hidden fields `f`
/// and one file; returns the status.
async fn post_form(path: &str, f: &Value, file_name: &str, content: &str) -> u16 {
    let boundary = "----swcformboundary";
    let mut body = String::new();
    for k in [
        "redirect",
        "max_file_size",
        "max_file_count",
        "expires",
        "signature",
    ] {
        let v = match &f[k] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    reqwest::Client::new()
        .post(format!("{}{path}", env("SWC_TEST_PROXY_URL")))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_browser_style_form_post_is_accepted_by_swift() {
    use swiftclient::tempurl::{formpost, FormPostRequest};
    let c = client(&v1_options());
    let cont = unique("formpost");
    mkcontainer(&c, &cont).await;
    let key = opts(json!({"headers": {"X-Container-Meta-Temp-URL-Key": "form-key"}}));
    swiftclient::conn::container::post(&c, &cont, &key, &no_cancel())
        .await
        .unwrap();
    let storage = storage_url(&c).await;
    let path = format!(
        "{}/{cont}/uploads/",
        reqwest::Url::parse(&storage).unwrap().path()
    );
    let sign = |key: &str, digest: &str| {
        let req: FormPostRequest = serde_json::from_value(
            json!({"path": path, "redirect": "", "max_file_size": 1_000_000,
            "max_file_count": 2, "seconds": "5m", "key": key, "digest": digest}),
        )
        .unwrap();
        formpost(&req, now()).unwrap()
    };
    for digest in ["sha1", "sha256", "sha512"] {
        let f = sign("form-key", digest);
        assert_eq!(
            post_form(
                &path,
                &f,
                &format!("{digest}.txt"),
                &format!("uploaded with {digest}")
            )
            .await,
            201,
            "{digest}"
        );
        let mut sink = swiftclient::conn::body::VecSink::default();
        let name = format!("uploads/{digest}.txt");
        swiftclient::conn::object::get(
            &c,
            &cont,
            &name,
            &Default::default(),
            &mut sink,
            &no_cancel(),
        )
        .await
        .unwrap();
        assert_eq!(sink.0, format!("uploaded with {digest}").as_bytes());
    }
    // A form signed with another key is refused.
    let f = sign("not-the-key", "sha256");
    assert_eq!(f["signature"].as_str().unwrap().len(), 64);
    assert_eq!(post_form(&path, &f, "x", "x").await, 401);
    cleanup(&c, &cont).await;
}
