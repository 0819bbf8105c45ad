//! The fault matrix at the service level, in the suite: each bulk operation
//! (an upload of files, a segmented upload, a download of files, a
//! download of an SLO, a paged listing, a bulk delete, and authentication)
//! through each fault a network or an overloaded server makes — the
//! connection reset mid-body, a burst of 503s, a response that stalls longer
//! than the idle timeout — injected on the operation's own requests by the
//! fault proxy in front of the real cluster.
//!
//! The invariant is checked against the cluster and the disk, not read from
//! the status: the operation succeeds with every byte right, or fails with
//! a non-zero status and leaves nothing broken (no wrong object, no file
//! with a final name and wrong bytes, no orphaned segment, no leftover
//! temporary file). These faults are all transient, so each case is also
//! expected to succeed, and each checks that its fault was really met.
//! Every case prints its row of the table (`cargo test -- --nocapture`).
//!
//! Faults made by the daemons themselves (killed, stopped, a full disk) are
//! in `scripts/faults`, which needs the cluster to itself.

mod common;

use common::faultproxy::{Fault, FaultProxy};
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use swiftclient::ffi::client::{swc_client, swc_client_free};
use swiftclient::ffi::service::{swc_delete, swc_download, swc_list, swc_stat, swc_upload};

/// The faults of the matrix.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// The connection reset after this many bytes of the body (the request
    /// body for an upload, the response otherwise).
    Reset,
    /// Three 503s in a row.
    Burst,
    /// The response stops for 4 s (the client's idle timeout is 1.5 s).
    Stall,
}

const KINDS: [Kind; 3] = [Kind::Reset, Kind::Burst, Kind::Stall];

/// Plans `kind` on the first request whose request line holds `pattern`;
/// `upload`: the reset is on the request body; `at`: bytes before it.
fn plan(fp: &FaultProxy, pattern: &str, kind: Kind, upload: bool, at: usize) {
    let on = |f: Fault| Fault::OnMatch(pattern.to_string(), Box::new(f));
    match kind {
        Kind::Reset if upload => fp.push(on(Fault::ResetRequestAfter(at))),
        Kind::Reset => fp.push(on(Fault::ResetResponseAfter(at))),
        Kind::Burst => (0..3).for_each(|_| fp.push(on(Fault::Status(503, vec![])))),
        Kind::Stall => fp.push(on(Fault::StallResponseAfter(at, Duration::from_secs(4)))),
    }
}

/// A fault proxy in front of the cluster, and a C client whose requests,
/// authentication included, all go through it (not yet authenticated);
/// the client is freed when this goes.
struct Proxied {
    fp: FaultProxy,
    c: *mut swc_client,
    _rt: tokio::runtime::Runtime,
}

impl Drop for Proxied {
    fn drop(&mut self) {
        unsafe { swc_client_free(self.c) };
    }
}

fn through_proxy() -> Proxied {
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let c = ffi_client(&json!({
        "auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing",
        "timeout": 1.5, "starting_backoff": 0.05, "max_backoff": 0.5, "retries": 5,
    }));
    Proxied { fp, c, _rt: rt }
}

/// What a bulk operation through the proxy returned, and how long it took.
struct Outcome {
    st: i32,
    recs: Vec<Value>,
    reply: Value,
    took: Duration,
}

fn run_op(p: &Proxied, f: Twin, req: Value) -> Outcome {
    let t = Instant::now();
    let (st, recs, reply) = svc(f, p.c, req);
    Outcome {
        st,
        recs,
        reply,
        took: t.elapsed(),
    }
}

/// One row of the table; panics (after printing it) when the case did not
/// hold. A loss is told with the failed records' errors.
fn report(op: &str, kind: Kind, out: &Outcome, fp: &FaultProxy, held: Result<(), String>) {
    let met = fp.plan_is_empty();
    let st = out.st;
    let message = if st == 0 {
        String::new()
    } else {
        format!(" ({})", out.reply["message"])
    };
    let row = format!(
        "| {op} | {kind:?} | status {st}{message} in {:.1} s | fault met: {met} | {} |",
        out.took.as_secs_f64(),
        match &held {
            Ok(()) => "nothing lost".to_string(),
            Err(e) => format!("LOST: {e}; {}", failures(&out.recs)),
        }
    );
    println!("{row}");
    assert!(met, "the fault was never met: {row}");
    assert!(held.is_ok() && st == 0, "{row}");
}

/// The error messages of the failed records, for the table.
fn failures(recs: &[Value]) -> String {
    let f: Vec<String> = recs
        .iter()
        .filter(|r| r["success"] == false)
        .map(|r| format!("{} {}: {}", r["action"], r["object"], r["error"]))
        .collect();
    f.join("; ")
}

/// Files of `dir` (names), sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Whether each stored object holds the bytes expected of it; a missing one
/// is fine only when `all` is false (a failed operation).
fn stored_right(
    c: &swiftclient::Client,
    cont: &str,
    want: &[(String, Vec<u8>)],
    all: bool,
) -> Result<(), String> {
    let stored = rt().block_on(stored_names(c, cont));
    for (name, body) in want {
        if !stored.contains(name) {
            if all {
                return Err(format!("{name} missing"));
            }
            continue;
        }
        let (got, _) = rt().block_on(get_bytes(c, cont, name, json!({})));
        if got != *body {
            return Err(format!(
                "{name} holds other bytes ({} of {})",
                got.len(),
                body.len()
            ));
        }
    }
    Ok(())
}

#[test]
fn an_upload_of_files() {
    let rc = client(&v1_options());
    for kind in KINDS {
        let p = through_proxy();
        let cont = unique("fm-up");
        let dir = tmpdir("fm-up");
        let want: Vec<(String, Vec<u8>)> = (0..10)
            .map(|i| {
                let (_, d) = data_file(&dir, &format!("f{i}"), 100_000, i);
                (format!("f{i}"), d)
            })
            .collect();
        let objects: Vec<Value> = want
            .iter()
            .map(|(n, _)| json!({"path": dir.join(n), "object_name": n}))
            .collect();
        plan(
            &p.fp,
            &format!("PUT /v1/AUTH_test/{cont}/f"),
            kind,
            true,
            50_000,
        );
        let out = run_op(
            &p,
            swc_upload,
            json!({"container": cont, "objects": objects}),
        );
        let held = stored_right(&rc, &cont, &want, out.st == 0);
        report("upload of 10 files", kind, &out, &p.fp, held);
        rt().block_on(cleanup(&rc, &cont));
    }
}

#[test]
fn a_segmented_upload() {
    let rc = client(&v1_options());
    for kind in KINDS {
        let p = through_proxy();
        let cont = unique("fm-seg");
        let segs = format!("{cont}_segments");
        let dir = tmpdir("fm-seg");
        let (path, body) = data_file(&dir, "big", 3_000_000, 5);
        plan(
            &p.fp,
            &format!("PUT /v1/AUTH_test/{segs}/"),
            kind,
            true,
            200_000,
        );
        let req = json!({"container": cont, "objects": [{"path": path, "object_name": "big"}],
                         "segment_size": "512K"});
        let out = run_op(&p, swc_upload, req);
        let mut held = stored_right(&rc, &cont, &[("big".into(), body)], out.st == 0);
        // Six segments of 512 KiB: no more (a retried segment stored twice
        // under two names would be an orphan), and none when it failed.
        let left = rt().block_on(stored_names(&rc, &segs));
        let expected = if out.st == 0 { 6 } else { 0 };
        if held.is_ok() && left.len() != expected {
            held = Err(format!("{} segments stored: {left:?}", left.len()));
        }
        report("segmented upload (3 MB)", kind, &out, &p.fp, held);
        rt().block_on(cleanup(&rc, &segs));
        rt().block_on(cleanup(&rc, &cont));
    }
}

/// Downloads `names` of `cont` through the fault planned on `pattern`, and
/// checks the files against `want`.
fn download_case(op: &str, kind: Kind, cont: &str, want: &[(String, Vec<u8>)], pattern: &str) {
    let p = through_proxy();
    let dir = tmpdir("fm-dl");
    plan(&p.fp, pattern, kind, false, 100_000);
    let names: Vec<&str> = want.iter().map(|(n, _)| n.as_str()).collect();
    let req = json!({"container": cont, "objects": names, "out_directory": &*dir});
    let out = run_op(&p, swc_download, req);
    let mut held = Ok(());
    for (name, body) in want {
        match std::fs::read(dir.join(name)) {
            Ok(got) if got != *body => held = Err(format!("{name}: a file with other bytes")),
            Err(_) if out.st == 0 => held = Err(format!("{name}: no file after success")),
            _ => {}
        }
    }
    // Nothing else: no temporary or partial file left beside them.
    let extra: Vec<String> = files_in(&dir)
        .into_iter()
        .filter(|f| !names.contains(&f.as_str()))
        .collect();
    if held.is_ok() && !extra.is_empty() {
        held = Err(format!("left in the directory: {extra:?}"));
    }
    report(op, kind, &out, &p.fp, held);
}

#[test]
fn a_download_of_files() {
    let rc = client(&v1_options());
    let cont = unique("fm-dl");
    let want: Vec<(String, Vec<u8>)> = (0..10)
        .map(|i| (format!("f{i}"), data(300_000, 40 + i)))
        .collect();
    rt().block_on(async {
        mkcontainer(&rc, &cont).await;
        for (n, d) in &want {
            put(&rc, &cont, n, d, json!({})).await;
        }
    });
    for kind in KINDS {
        download_case(
            "download of 10 files",
            kind,
            &cont,
            &want,
            &format!("GET /v1/AUTH_test/{cont}/f"),
        );
    }
    rt().block_on(cleanup(&rc, &cont));
}

#[test]
fn a_download_of_an_slo() {
    let rc = client(&v1_options());
    let cont = unique("fm-slo");
    let body = rt().block_on(async {
        mkcontainer(&rc, &cont).await;
        make_slo(&rc, &cont, "slo", 4, 500_000).await
    });
    let want = [("slo".to_string(), body)];
    for kind in KINDS {
        // The fault on a segment's GET (the manifest's comes first).
        download_case(
            "download of an SLO (4 segments)",
            kind,
            &cont,
            &want,
            &format!("/{cont}_segments/slo/"),
        );
    }
    rt().block_on(cleanup(&rc, &format!("{cont}_segments")));
    rt().block_on(cleanup(&rc, &cont));
}

#[test]
fn a_paged_listing() {
    let rc = client(&v1_options());
    let cont = unique("fm-ls");
    let mut want: Vec<String> = (0..35).map(|i| format!("obj-{i:03}")).collect();
    want.sort();
    rt().block_on(async {
        mkcontainer(&rc, &cont).await;
        for n in &want {
            put(&rc, &cont, n, b"x", json!({})).await;
        }
    });
    for kind in KINDS {
        let p = through_proxy();
        // The fault on a page after the first (it carries a marker).
        plan(&p.fp, &format!("/{cont}?"), kind, false, 600);
        let out = run_op(&p, swc_list, json!({"container": cont, "limit": 10}));
        let got: Vec<String> = out
            .recs
            .iter()
            .flat_map(|r| r["listing"].as_array().cloned().unwrap_or_default())
            .map(|e| e["name"].as_str().unwrap_or("").to_string())
            .collect();
        let held = if out.st == 0 && got != want {
            Err(format!("listed {} names, not the 35: {got:?}", got.len()))
        } else {
            Ok(())
        };
        if out.st != 0 {
            eprintln!("{:#?}", out.recs);
        }
        report("listing in pages of 10", kind, &out, &p.fp, held);
    }
    rt().block_on(cleanup(&rc, &cont));
}

#[test]
fn a_bulk_delete() {
    let rc = client(&v1_options());
    for kind in KINDS {
        let p = through_proxy();
        let cont = unique("fm-del");
        rt().block_on(async {
            mkcontainer(&rc, &cont).await;
            for i in 0..30 {
                put(&rc, &cont, &format!("o{i}"), b"bytes", json!({})).await;
            }
        });
        plan(&p.fp, "bulk-delete", kind, false, 50);
        let out = run_op(&p, swc_delete, json!({"container": cont, "bulk": "always"}));
        let left = rt().block_on(stored_names(&rc, &cont));
        let held = if out.st == 0 && !left.is_empty() {
            Err(format!("exit 0 with {} objects left: {left:?}", left.len()))
        } else {
            Ok(())
        };
        report("bulk delete of 30", kind, &out, &p.fp, held);
        rt().block_on(cleanup(&rc, &cont));
    }
}

#[test]
fn authentication() {
    for kind in KINDS {
        let p = through_proxy();
        plan(&p.fp, "GET /auth/v1.0", kind, false, 20);
        let out = run_op(&p, swc_stat, json!({}));
        let held = match out.recs.first() {
            Some(r) if out.st == 0 && r["success"] != Value::Bool(true) => Err(format!("{r}")),
            None if out.st == 0 => Err(format!("no record: {}", out.reply)),
            _ => Ok(()),
        };
        report("authentication (then stat)", kind, &out, &p.fp, held);
    }
}

/// Keystone down (its port closed) or stalled (answers never come) just
/// when a re-authentication is needed: the storage side refuses the token
/// (401, as after an expiry or a revocation). The operation must fail
/// soon, with a status saying the network or a timeout, and a message
/// naming Keystone's URL — no hang, no success claimed.
#[test]
fn keystone_down_or_stalled_at_reauthentication() {
    let ks_opts = json!({
        "auth_version": "3", "os_username": "demo", "os_password": "demopass",
        "os_user_domain_name": "Default", "os_project_name": "demo",
        "os_project_domain_name": "Default", "os_auth_url": keystone_url(),
    });
    let direct = rt().block_on(storage_url(&client(&ks_opts)));
    for stalled in [false, true] {
        let ks_rt = rt_threads(1);
        let ks_up = keystone_url().trim_end_matches("/v3").to_string();
        let ks = ks_rt.block_on(FaultProxy::start(&ks_up));
        let sw_rt = rt_threads(1);
        let sw = sw_rt.block_on(FaultProxy::start(&env("SWC_TEST_KS_PROXY_URL")));
        let path = &direct[direct.find("/v1/").unwrap()..];
        let mut o = ks_opts.clone();
        o["os_auth_url"] = json!(format!("{}/v3", ks.url));
        o["os_storage_url"] = json!(format!("{}{path}", sw.url));
        for (k, v) in [
            ("timeout", json!(1.5)),
            ("retries", json!(2)),
            ("starting_backoff", json!(0.05)),
            ("max_backoff", json!(0.2)),
        ] {
            o[k] = v;
        }
        let c = ffi_client(&o);
        let (st, recs, _) = svc(swc_stat, c, json!({}));
        assert_eq!(st, 0, "the first authentication: {recs:?}");
        sw.push(Fault::Status(401, vec![]));
        let kind = if stalled {
            (0..8).for_each(|_| ks.push(Fault::StallResponseAfter(0, Duration::from_secs(30))));
            "Keystone stalled"
        } else {
            drop(ks_rt);
            "Keystone down"
        };
        let t = Instant::now();
        let (st, recs, v) = svc(swc_stat, c, json!({}));
        let secs = t.elapsed().as_secs_f64();
        let e = recs
            .first()
            .map(|r| r["error_record"].clone())
            .unwrap_or(v.clone());
        let row = format!(
            "| re-authentication, {kind} | status {st} ({}: {}) in {secs:.1} s |",
            e["status_name"], e["message"]
        );
        println!("{row}");
        assert_ne!(st, 0, "{row}");
        assert!(
            ["SWC_E_NETWORK", "SWC_E_TIMEOUT"].contains(&e["status_name"].as_str().unwrap_or("")),
            "{row}"
        );
        let ks_addr = ks.url.trim_start_matches("http://");
        assert!(
            e["message"].as_str().unwrap_or("").contains(ks_addr)
                || e["url"].as_str().unwrap_or("").contains(ks_addr),
            "{row}"
        );
        assert!(secs < 20.0, "{row}");
        unsafe { swc_client_free(c) };
    }
}

/// A token refused again right after a re-authentication (a token life of
/// seconds meeting a busy client; tempauth hands out a user's current
/// token, however little life it has left): authenticated again within
/// the retry budget, not failed after the first re-authentication. Beyond
/// the budget: SWC_E_AUTH.
#[test]
fn a_token_refused_again_after_reauthentication() {
    let (_rt, fp, c) = common::faultproxy::ffi_client_through_proxy_with(
        json!({"starting_backoff": 0.05, "max_backoff": 0.2}),
    );
    let refuse = |n| {
        (0..n).for_each(|_| {
            fp.push(Fault::OnMatch(
                "HEAD /v1/AUTH_test ".into(),
                Box::new(Fault::Status(401, vec![])),
            ))
        })
    };
    let auths = || {
        fp.heads()
            .iter()
            .filter(|h| h.starts_with("GET /auth/v1.0"))
            .count()
    };
    let before = auths();
    refuse(3);
    let (st, recs, v) = svc(swc_stat, c, json!({}));
    assert_eq!(st, 0, "{v} {recs:?}");
    assert!(fp.plan_is_empty());
    assert_eq!(auths() - before, 3, "one authentication per refusal");

    // Refused every time: the budget (1 free + 5 retries) ends it.
    refuse(12);
    let (st, recs, _) = svc(swc_stat, c, json!({}));
    assert_ne!(st, 0);
    assert_eq!(
        recs[0]["error_record"]["status_name"], "SWC_E_AUTH",
        "{recs:?}"
    );
    fp.clear();
    unsafe { swc_client_free(c) };
}
