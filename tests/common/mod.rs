//! Shared by the integration tests: where the cluster is, and a small
//! scripted HTTP server for wire behaviour no installable server speaks.
#![allow(dead_code)]

pub mod body;
pub mod clib;
pub mod faultproxy;
pub mod fixture;
pub mod swc;
pub mod tmp;

#[allow(unused_imports)]
pub use tmp::{tmpdir, TempDir};

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

/// Writes `data(len, seed)` to `dir/name`: (its path, the bytes).
pub fn data_file(
    dir: &std::path::Path,
    name: &str,
    len: usize,
    seed: u64,
) -> (std::path::PathBuf, Vec<u8>) {
    let p = dir.join(name);
    let d = data(len, seed);
    std::fs::write(&p, &d).unwrap();
    (p, d)
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

/// A C-ABI client for the service tests (free with swc_client_free).
pub fn ffi_client(opts: &Value) -> *mut swiftclient::ffi::client::swc_client {
    let o = std::ffi::CString::new(opts.to_string()).unwrap();
    let mut c = std::ptr::null_mut();
    assert_eq!(
        swiftclient::ffi::client::swc_client_new(o.as_ptr(), &mut c, std::ptr::null_mut()),
        0
    );
    c
}

/// The signature every blocking service twin has.
pub type Twin = extern "C" fn(
    *const swiftclient::ffi::client::swc_client,
    *const std::ffi::c_char,
    swiftclient::ffi::op::swc_record_fn,
    swiftclient::ffi::op::swc_progress_fn,
    *mut std::ffi::c_void,
    *const swiftclient::ffi::cancel::swc_cancel,
    *mut *mut std::ffi::c_char,
    *mut *mut std::ffi::c_char,
) -> i32;

/// Runs a blocking service twin; returns (status, records, summary or error
/// record, progress events).
pub fn svc(
    f: Twin,
    c: *mut swiftclient::ffi::client::swc_client,
    req: Value,
) -> (i32, Vec<Value>, Value) {
    let (st, recs, v, _) = svc_progress(f, c, req, std::ptr::null());
    (st, recs, v)
}

pub fn svc_progress(
    f: Twin,
    c: *mut swiftclient::ffi::client::swc_client,
    req: Value,
    cancel: *const swiftclient::ffi::cancel::swc_cancel,
) -> (i32, Vec<Value>, Value, Vec<Value>) {
    use std::ffi::{c_char, c_int, c_void, CStr};
    #[derive(Default)]
    struct Acc {
        recs: Vec<Value>,
        progress: Vec<Value>,
    }
    extern "C" fn rec(ud: *mut c_void, json: *const c_char, _len: usize) -> c_int {
        let acc = unsafe { &mut *(ud as *mut Acc) };
        acc.recs
            .push(serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap());
        0
    }
    extern "C" fn prog(ud: *mut c_void, json: *const c_char, _len: usize) {
        let acc = unsafe { &mut *(ud as *mut Acc) };
        acc.progress
            .push(serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap());
    }
    let mut acc = Acc::default();
    let r = std::ffi::CString::new(req.to_string()).unwrap();
    let mut summary = std::ptr::null_mut();
    let mut err = std::ptr::null_mut();
    let st = f(
        c,
        r.as_ptr(),
        Some(rec),
        Some(prog),
        &mut acc as *mut Acc as *mut c_void,
        cancel,
        &mut summary,
        &mut err,
    );
    let out = if st == 0 { summary } else { err };
    let v: Value = serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { swiftclient::ffi::swc_string_free(out) };
    (st, acc.recs, v, acc.progress)
}

/// A current-thread runtime for the plain #[test]s that drive the C ABI.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A multi-thread runtime with `workers` worker threads (for a fault proxy
/// that must keep serving while the test thread blocks in a C call).
pub fn rt_threads(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs a blocking service twin on a new C client made from `opts` (freed
/// after); returns (status, records, summary or error record, progress).
pub fn svc_on(opts: &Value, f: Twin, req: Value) -> (i32, Vec<Value>, Value, Vec<Value>) {
    let c = ffi_client(opts);
    let r = svc_progress(f, c, req, std::ptr::null());
    unsafe { swiftclient::ffi::client::swc_client_free(c) };
    r
}

/// `svc_on` with the v1 test user, without the progress events.
pub fn run_twin(f: Twin, req: Value) -> (i32, Vec<Value>, Value) {
    let (st, recs, v, _) = svc_on(&v1_options(), f, req);
    (st, recs, v)
}

pub async fn put(
    c: &swiftclient::Client,
    container: &str,
    name: &str,
    body: &[u8],
    headers: Value,
) -> Value {
    let o: swiftclient::conn::opts::PutOpts = opts(serde_json::json!({ "headers": headers }));
    swiftclient::conn::object::put(
        c,
        container,
        name,
        &o,
        &mut swiftclient::conn::body::BytesSource::new(body),
        &no_cancel(),
    )
    .await
    .unwrap()
}

/// A new container named `unique(prefix)`, PUT with these headers.
pub async fn new_container(c: &swiftclient::Client, prefix: &str, headers: Value) -> String {
    let name = unique(prefix);
    swiftclient::conn::container::put(
        c,
        &name,
        &opts(serde_json::json!({ "headers": headers })),
        &no_cancel(),
    )
    .await
    .unwrap();
    name
}

/// PUT an object from memory with these options; returns the record.
pub async fn put_bytes(
    c: &swiftclient::Client,
    cont: &str,
    obj: &str,
    bytes: &[u8],
    o: Value,
) -> Value {
    swiftclient::conn::object::put(
        c,
        cont,
        obj,
        &opts::<swiftclient::conn::opts::PutOpts>(o),
        &mut swiftclient::conn::body::BytesSource::new(bytes),
        &no_cancel(),
    )
    .await
    .unwrap()
}

/// GET an object into memory with these options: (body, record).
pub async fn get_bytes(
    c: &swiftclient::Client,
    cont: &str,
    obj: &str,
    o: Value,
) -> (Vec<u8>, Value) {
    let mut sink = swiftclient::conn::body::VecSink::default();
    let rec = swiftclient::conn::object::get(
        c,
        cont,
        obj,
        &opts::<swiftclient::conn::opts::GetOpts>(o),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    (sink.0, rec)
}

pub async fn names(c: &swiftclient::Client, container: &str) -> Vec<String> {
    match swiftclient::conn::container::list(
        c,
        container,
        &opts(serde_json::json!({"full_listing": true})),
        &no_cancel(),
    )
    .await
    {
        Ok(r) => r["listing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect(),
        Err(_) => vec![],
    }
}

/// The names a listing of `container` shows that are really there: each is
/// confirmed with a HEAD. A container listing is updated after the object
/// servers answer (and, when the container server is slow, minutes later
/// by the object updater), so on a busy machine a just-deleted object can
/// still be listed; a check that nothing was left behind must not take
/// that lag for an orphan, nor let an object that does exist pass.
pub async fn stored_names(c: &swiftclient::Client, container: &str) -> Vec<String> {
    let mut stored = Vec::new();
    for name in names(c, container).await {
        let head =
            swiftclient::conn::object::head(c, container, &name, &Default::default(), &no_cancel())
                .await;
        match head {
            Err(e) if e.status == swiftclient::Status::NotFound => {}
            _ => stored.push(name),
        }
    }
    stored
}

pub async fn mkcontainer(c: &swiftclient::Client, name: &str) {
    swiftclient::conn::container::put(c, name, &Default::default(), &no_cancel())
        .await
        .unwrap();
}

/// An SLO `name` in `container` with `n` segments of `seg` bytes in
/// `<container>_segments`; returns the content.
pub async fn make_slo(
    c: &swiftclient::Client,
    container: &str,
    name: &str,
    n: usize,
    seg: usize,
) -> Vec<u8> {
    let sc = format!("{container}_segments");
    mkcontainer(c, &sc).await;
    let mut all = Vec::new();
    let mut manifest = Vec::new();
    for i in 0..n {
        let d = data(seg, (i * 7 + name.len()) as u64);
        let sname = format!("{name}/slo/seg/{i:08}");
        put(c, &sc, &sname, &d, serde_json::json!({})).await;
        manifest.push(serde_json::json!({"path": format!("/{sc}/{sname}"), "etag": md5_hex(&d), "size_bytes": d.len()}));
        all.extend(d);
    }
    let o: swiftclient::conn::opts::PutOpts =
        opts(serde_json::json!({"query": "multipart-manifest=put"}));
    let m = Value::Array(manifest).to_string();
    swiftclient::conn::object::put(
        c,
        container,
        name,
        &o,
        &mut swiftclient::conn::body::BytesSource::new(m.as_bytes()),
        &no_cancel(),
    )
    .await
    .unwrap();
    all
}

/// A DLO `name` in `container` with `n` segments under
/// `<container>_segments/<name>/dlo/`; returns the content.
pub async fn make_dlo(
    c: &swiftclient::Client,
    container: &str,
    name: &str,
    n: usize,
    seg: usize,
) -> Vec<u8> {
    let sc = format!("{container}_segments");
    mkcontainer(c, &sc).await;
    let mut all = Vec::new();
    for i in 0..n {
        let d = data(seg, (i * 13 + name.len()) as u64);
        put(
            c,
            &sc,
            &format!("{name}/dlo/{i:08}"),
            &d,
            serde_json::json!({}),
        )
        .await;
        all.extend(d);
    }
    put(
        c,
        container,
        name,
        b"",
        serde_json::json!({"X-Object-Manifest": format!("{sc}/{name}/dlo/")}),
    )
    .await;
    all
}

/// PUTs an object with a raw HTTP/1.1 request, path sent exactly as given
/// (for names URL libraries would normalise, such as "../x").
pub async fn raw_put(container: &str, raw_name: &str, body: &[u8]) -> u16 {
    raw_put_as("test:tester", "testing", container, raw_name, body).await
}

/// `raw_put` as another tempauth user.
pub async fn raw_put_as(
    user: &str,
    key: &str,
    container: &str,
    raw_name: &str,
    body: &[u8],
) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (url, token) = v1_token(user, key).await;
    let u = reqwest::Url::parse(&url).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT {}/{container}/{raw_name} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        u.path(),
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// Runs a bulk operation through the Rust API on its own runtime; records
/// are collected on this thread.
pub fn run_op(
    c: &swiftclient::Client,
    action: swiftclient::service::Action,
    req: Value,
) -> (swiftclient::Status, Vec<Value>, Value) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let job = swiftclient::service::prepare(action, Some(&req.to_string())).unwrap();
    let run = swiftclient::service::op::start(
        rt.handle(),
        c.clone(),
        action.name(),
        false,
        no_cancel(),
        None,
        job,
    );
    let mut recs = Vec::new();
    let (st, summary) = swiftclient::service::op::deliver_blocking(
        run,
        &mut |r| {
            recs.push(r.into_value());
            true
        },
        &mut |_| {},
    );
    (st, recs, summary)
}

/// Calls an exported function that writes `result_json` / `err_json` and
/// returns its status with both, parsed (and freed).
pub fn ffi_call(
    f: impl FnOnce(*mut *mut std::ffi::c_char, *mut *mut std::ffi::c_char) -> i32,
) -> (i32, Option<Value>, Option<Value>) {
    let take = |p: *mut std::ffi::c_char| -> Option<Value> {
        if p.is_null() {
            return None;
        }
        let s = unsafe { std::ffi::CStr::from_ptr(p) }
            .to_str()
            .unwrap()
            .to_string();
        unsafe { swiftclient::ffi::swc_string_free(p) };
        Some(serde_json::from_str(&s).unwrap_or(Value::String(s)))
    };
    let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
    let st = f(&mut out, &mut err);
    (st, take(out), take(err))
}

/// HEAD the account through the C ABI: (status, error record).
pub fn ffi_account_head(c: *mut swiftclient::ffi::client::swc_client) -> (i32, Option<Value>) {
    let (st, _, e) = ffi_call(|r, e| {
        swiftclient::ffi::conn::swc_account_head(c, std::ptr::null(), std::ptr::null(), r, e)
    });
    (st, e)
}

/// The lines a C client's log callback was given.
pub type LogLines = std::sync::Mutex<Vec<String>>;

/// A log callback that appends each line to the `LogLines` its user data
/// points at.
pub extern "C" fn collect_log(
    ud: *mut std::ffi::c_void,
    _level: std::ffi::c_int,
    msg: *const std::ffi::c_char,
    _len: usize,
) {
    let lines = unsafe { &*(ud as *const LogLines) };
    let m = unsafe { std::ffi::CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned();
    lines.lock().unwrap().push(m);
}

/// Sets `collect_log` as the log callback of `c` at `level`; the lines
/// arrive in the returned box (keep it alive as long as the client logs).
pub fn capture_log(c: *mut swiftclient::ffi::client::swc_client, level: i32) -> Box<LogLines> {
    let lines: Box<LogLines> = Box::default();
    let ud = &*lines as *const LogLines as *mut std::ffi::c_void;
    assert_eq!(
        swiftclient::ffi::client::swc_client_set_log(c, level, Some(collect_log), ud),
        0
    );
    lines
}

/// Removes a tempauth token, and test:tester's user entry, from memcached
/// (keyed by the MD5 of "AUTH_/token/<token>" and "AUTH_/user/test:tester",
/// as Swift's memcache client hashes keys), as an operator revoking it would.
pub fn revoke_tempauth_token(token: &str) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(env("SWC_TEST_MEMCACHED")).unwrap();
    for key in [
        format!("AUTH_/token/{token}"),
        "AUTH_/user/test:tester".to_string(),
    ] {
        s.write_all(format!("delete {}\r\n", md5_hex(key.as_bytes())).as_bytes())
            .unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        let reply = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(
            reply.starts_with("DELETED") || reply.starts_with("NOT_FOUND"),
            "{reply}"
        );
    }
}

/// GET an object whole with default options: (body, record).
pub async fn get_object(
    c: &swiftclient::Client,
    container: &str,
    name: &str,
) -> swiftclient::Result<(Vec<u8>, Value)> {
    let mut sink = swiftclient::conn::body::VecSink::default();
    let rec = swiftclient::conn::object::get(
        c,
        container,
        name,
        &Default::default(),
        &mut sink,
        &no_cancel(),
    )
    .await?;
    Ok((sink.0, rec))
}

/// The client's storage URL (authenticating if need be).
pub async fn storage_url(c: &swiftclient::Client) -> String {
    c.auth_record(false, false).await.unwrap()["storage_url"]
        .as_str()
        .unwrap()
        .to_string()
}

/// POST the account with these headers.
pub async fn post_account(c: &swiftclient::Client, headers: Value) {
    swiftclient::conn::account::post(
        c,
        &opts(serde_json::json!({ "headers": headers })),
        None,
        &no_cancel(),
    )
    .await
    .unwrap();
}

/// Seconds since the epoch, as the temp URL signers take them.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A C string for an FFI call (tests only: panics on NUL).
pub fn cs(s: &str) -> std::ffi::CString {
    std::ffi::CString::new(s).unwrap()
}
