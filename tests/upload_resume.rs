//! Resumable segmented uploads against the real cluster: a failed upload
//! keeps its segments and the rerun sends only the missing ones (counted
//! at the fault proxy), a child `swc` killed mid-upload is resumed, a
//! segment whose local bytes changed is the only one sent again, a touched
//! file is a fresh upload; `orphans` finds and deletes what an upload never
//! resumed left; `skip_container_put` also skips the segment container.

mod common;

use common::faultproxy::{ffi_client_through_proxy, Fault};
use common::swc::{run_in, swc_bin, with_creds};
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, SystemTime};
use swiftclient::ffi::client::{swc_client, swc_client_free};
use swiftclient::ffi::service::{swc_orphans, swc_upload};

const SEG: usize = 64 * 1024;
const COUNT: usize = 8;

/// The segment PUTs among request heads.
fn segment_puts(heads: &[String]) -> Vec<String> {
    heads
        .iter()
        .map(|h| h.lines().next().unwrap_or("").to_string())
        .filter(|l| l.starts_with("PUT ") && l.contains("_segments/"))
        .collect()
}

fn upload_req(cont: &str, path: &Path) -> Value {
    json!({"container": cont, "objects": [{"path": path, "object_name": "big.bin"}],
           "segment_size": SEG, "segment_threads": 1, "resumable": true})
}

fn the(recs: &[Value], action: &str) -> Value {
    let found: Vec<&Value> = recs.iter().filter(|r| r["action"] == action).collect();
    assert_eq!(found.len(), 1, "{action}: {recs:#?}");
    found[0].clone()
}

fn set_mtime(p: &Path, t: SystemTime) {
    let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
    f.set_times(std::fs::FileTimes::new().set_modified(t))
        .unwrap();
}

/// Uploads through the proxy; returns the records and the segment PUTs
/// the proxy saw for this upload.
fn upload_counted(
    fp: &common::faultproxy::FaultProxy,
    c: *mut swc_client,
    req: Value,
) -> (i32, Vec<Value>, Vec<String>) {
    let before = fp.heads().len();
    let (st, recs, _) = svc(swc_upload, c, req);
    (st, recs, segment_puts(&fp.heads()[before..]))
}

#[test]
fn a_failed_upload_keeps_its_segments_and_the_rerun_sends_only_the_rest() {
    let (rt, fp, c) = ffi_client_through_proxy();
    let helper = client(&v1_options());
    let cont = unique("resume");
    let seg_cont = format!("{cont}_segments");
    let dir = tmpdir("resume");
    let (path, mut bytes) = data_file(&dir, "big.bin", COUNT * SEG + 100, 1);
    let count = COUNT + 1;

    // Segment 5 is refused: the upload fails and keeps what landed.
    fp.push(Fault::OnMatch(
        "/00000005 ".into(),
        Box::new(Fault::Status(400, vec![])),
    ));
    let (st, recs, _) = upload_counted(&fp, c, upload_req(&cont, &path));
    assert_ne!(st, 0);
    let up = the(&recs, "upload_object");
    assert_eq!(up["success"], false, "{up}");
    assert_eq!(up["resumable"], true, "{up}");
    assert!(
        !recs.iter().any(|r| r["action"] == "delete_segment"),
        "{recs:#?}"
    );
    let kept = rt.block_on(names(&helper, &seg_cont));
    assert_eq!(kept.len(), 5, "{kept:?}");
    assert!(!kept.iter().any(|n| n.ends_with("/00000005")), "{kept:?}");

    // The rerun sends exactly the segments that are not there.
    let (st, recs, puts) = upload_counted(&fp, c, upload_req(&cont, &path));
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(puts.len(), count - kept.len(), "{puts:#?}");
    let up = the(&recs, "upload_object");
    assert_eq!(up["segments_reused"], kept.len(), "{up}");
    assert_eq!(up["segments_sent"], count - kept.len(), "{up}");
    let reused = recs.iter().filter(|r| r["reused"] == true).count();
    assert_eq!(reused, kept.len());
    let (got, _) = rt.block_on(get_object(&helper, &cont, "big.bin")).unwrap();
    assert!(got == bytes, "the object differs from the file");

    // One segment's local bytes change, the mtime kept: only it is sent.
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    bytes[2 * SEG + 7] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    set_mtime(&path, mtime);
    let (st, recs, puts) = upload_counted(&fp, c, upload_req(&cont, &path));
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(puts.len(), 1, "{puts:#?}");
    assert!(puts[0].contains("/00000002 "), "{puts:?}");
    let (got, _) = rt.block_on(get_object(&helper, &cont, "big.bin")).unwrap();
    assert!(got == bytes, "the changed segment was not sent");

    // A touched file is a fresh upload: every segment, under new names,
    // and the old ones go.
    set_mtime(&path, mtime + Duration::from_secs(10));
    let (st, recs, puts) = upload_counted(&fp, c, upload_req(&cont, &path));
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(puts.len(), count, "{puts:#?}");
    assert_eq!(the(&recs, "upload_object")["segments_reused"], 0);
    assert_eq!(rt.block_on(names(&helper, &seg_cont)).len(), count);

    rt.block_on(cleanup(&helper, &cont));
    rt.block_on(cleanup(&helper, &seg_cont));
    unsafe { swc_client_free(c) };
}

/// The case: the process dies. A child swc, its segment 3 held
/// at the proxy (stored, the answer never sent), is killed; the rerun
/// sends only what is missing and the object downloads whole, verified.
#[test]
fn a_killed_swc_upload_is_resumed() {
    let (rt, fp, c) = ffi_client_through_proxy();
    unsafe { swc_client_free(c) };
    let helper = client(&v1_options());
    let swc = swc_bin();
    let cont = unique("killed");
    let seg_cont = format!("{cont}_segments");
    let dir = tmpdir("killed");
    let (_, bytes) = data_file(&dir, "big.bin", COUNT * SEG, 2);
    let auth = format!("{}/auth/v1.0", fp.url);
    let seg = SEG.to_string();
    let args = |resumable: bool| {
        let mut a = vec!["-A", &auth, "upload", "-S", &seg, "--segment-threads", "1"];
        if resumable {
            a.push("--resumable");
        }
        a.extend([cont.as_str(), "big.bin"]);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    fp.push(Fault::OnMatch(
        "/00000003 ".into(),
        Box::new(Fault::StallResponseAfter(0, Duration::from_secs(120))),
    ));
    let mut child = with_creds(&swc)
        .args(args(true))
        .current_dir(&*dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Segments 0-3 stored (3's answer held), then the process dies.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while rt.block_on(names(&helper, &seg_cont)).len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "segments never landed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = rt.block_on(names(&helper, &seg_cont)).len();
    assert_eq!(kept, 4);

    let before = fp.heads().len();
    let out = run_in(
        &swc,
        &dir,
        &args(true).iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("(reused)").count(), 4, "{stdout}");
    let puts = segment_puts(&fp.heads()[before..]);
    assert_eq!(puts.len(), COUNT - kept, "{puts:#?}");

    // Downloaded by swc, which verifies each segment.
    let out_dir = tmpdir("killed-out");
    let out_dir_s = out_dir.display().to_string();
    let out = run_in(
        &swc,
        &dir,
        &["download", &cont, "big.bin", "-D", &out_dir_s],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read(out_dir.join("big.bin")).unwrap() == bytes);

    rt.block_on(cleanup(&helper, &cont));
    rt.block_on(cleanup(&helper, &seg_cont));
}

/// What a failed upload left, found and deleted; segments in use (an SLO,
/// a DLO) and names of another shape left alone.
#[test]
fn orphans_are_listed_and_deleted_only_when_asked() {
    let (rt, fp, c) = ffi_client_through_proxy();
    let helper = client(&v1_options());
    let swc = swc_bin();
    let cont = unique("orphans");
    let seg_cont = format!("{cont}_segments");
    let dir = tmpdir("orphans");
    let (path, _) = data_file(&dir, "big.bin", COUNT * SEG, 3);
    let (slo, _) = data_file(&dir, "slo.bin", 3 * SEG, 4);
    let (dlo, _) = data_file(&dir, "dlo.bin", 3 * SEG, 5);
    for (p, name, use_slo) in [(&slo, "slo.bin", true), (&dlo, "dlo.bin", false)] {
        let whole = json!({"container": cont, "segment_size": SEG, "use_slo": use_slo,
                           "objects": [{"path": p, "object_name": name}]});
        assert_eq!(svc(swc_upload, c, whole).0, 0);
    }
    rt.block_on(put(
        &helper,
        &seg_cont,
        "notes.txt",
        b"not a segment",
        json!({}),
    ));
    fp.push(Fault::OnMatch(
        "/00000004 ".into(),
        Box::new(Fault::Status(400, vec![])),
    ));
    assert_ne!(svc(swc_upload, c, upload_req(&cont, &path)).0, 0);
    let left: Vec<String> = rt
        .block_on(names(&helper, &seg_cont))
        .into_iter()
        .filter(|n| n.starts_with("big.bin/"))
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");

    let (st, recs, _) = svc(swc_orphans, c, json!({"container": cont}));
    assert_eq!(st, 0, "{recs:#?}");
    let mut found: Vec<String> = recs
        .iter()
        .filter(|r| r["action"] == "orphan_segment")
        .map(|r| r["object"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    assert_eq!(found, left);
    let sum = the(&recs, "orphans");
    assert_eq!(sum["segments"], left.len());
    assert_eq!(sum["deleted"], 0);

    // Too young for --older-than an hour.
    let (st, recs, _) = svc(
        swc_orphans,
        c,
        json!({"container": cont, "older_than": 3600}),
    );
    assert_eq!(st, 0);
    assert_eq!(the(&recs, "orphans")["segments"], 0, "{recs:#?}");

    // swc lists them, one per line, then deletes them.
    let out = run_in(&swc, &dir, &["orphans", &cont], &[]);
    assert!(out.status.success(), "{out:?}");
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    let want: Vec<String> = left.iter().map(|n| format!("{seg_cont}/{n}")).collect();
    assert_eq!(lines, want);
    let out = run_in(&swc, &dir, &["orphans", "--delete", &cont], &[]);
    assert!(out.status.success(), "{out:?}");
    let remaining = rt.block_on(names(&helper, &seg_cont));
    assert!(
        !remaining.iter().any(|n| n.starts_with("big.bin/")),
        "{remaining:?}"
    );
    assert_eq!(remaining.len(), 3 + 3 + 1, "{remaining:?}");
    for o in ["slo.bin", "dlo.bin"] {
        let (got, _) = rt.block_on(get_object(&helper, &cont, o)).unwrap();
        assert_eq!(got.len(), 3 * SEG, "{o} lost segments");
    }

    rt.block_on(cleanup(&helper, &cont));
    rt.block_on(cleanup(&helper, &seg_cont));
    unsafe { swc_client_free(c) };
}

#[test]
fn orphans_refuses_to_delete_where_versions_are_kept() {
    let helper = client(&v1_options());
    let rt = rt();
    let versioned = json!({"X-Versions-Enabled": "true"});
    let cont = rt.block_on(new_container(&helper, "orphans-versioned", versioned));
    let c = ffi_client(&v1_options());
    let (st, recs, err) = svc(swc_orphans, c, json!({"container": cont, "delete": true}));
    assert_ne!(st, 0);
    assert_eq!(err["key"], "delete", "{err}");
    assert!(
        !recs.iter().any(|r| r["action"] == "delete_segment"),
        "{recs:#?}"
    );
    // Listing is fine.
    assert_eq!(svc(swc_orphans, c, json!({"container": cont})).0, 0);
    unsafe { swc_client_free(c) };
    rt.block_on(async {
        let o = opts(json!({"headers": {"X-Versions-Enabled": "false"}}));
        let _ = swiftclient::conn::container::post(&helper, &cont, &o, &no_cancel()).await;
    });
    rt.block_on(cleanup(&helper, &cont));
}

/// `skip_container_put` skips the segment container's PUT too (a
/// write-only user cannot create containers); a refused PUT of a segment
/// container that is not there fails the upload rather than warning.
#[test]
fn segment_container_puts() {
    let (rt, fp, c) = ffi_client_through_proxy();
    let helper = client(&v1_options());
    let cont = unique("segput");
    let seg_cont = format!("{cont}_segments");
    let dir = tmpdir("segput");
    let (path, bytes) = data_file(&dir, "big.bin", 3 * SEG, 6);
    let req = |skip: bool| {
        json!({"container": cont, "objects": [path], "segment_size": SEG,
               "skip_container_put": skip})
    };
    let container_puts = |from: usize| -> Vec<String> {
        fp.heads()[from..]
            .iter()
            .map(|h| h.lines().next().unwrap_or("").to_string())
            // A container PUT: "PUT /v1/<account>/<container> HTTP/1.1".
            .filter(|l| {
                l.starts_with("PUT ") && l.split(' ').nth(1).unwrap().split('/').count() == 4
            })
            .collect()
    };

    // Refused and missing: an error, not a warning.
    fp.push(Fault::OnMatch(
        format!("PUT /v1/AUTH_test/{seg_cont} "),
        Box::new(Fault::Status(403, vec![])),
    ));
    let (st, recs, _) = svc(swc_upload, c, req(false));
    assert_ne!(st, 0);
    let made: Vec<&Value> = recs
        .iter()
        .filter(|r| r["action"] == "create_container" && r["container"] == seg_cont.as_str())
        .collect();
    assert_eq!(made.len(), 1, "{recs:#?}");
    assert_eq!(made[0]["success"], false);
    assert!(made[0].get("warning").is_none(), "{:?}", made[0]);
    assert_eq!(the(&recs, "upload_object")["success"], false);

    // Both containers there now; skip_container_put sends no container PUT.
    rt.block_on(async {
        swiftclient::conn::container::put(&helper, &seg_cont, &Default::default(), &no_cancel())
            .await
            .unwrap();
    });
    let before = fp.heads().len();
    let (st, recs, _) = svc(swc_upload, c, req(true));
    assert_eq!(st, 0, "{recs:#?}");
    assert_eq!(container_puts(before), Vec::<String>::new());
    let name = path
        .display()
        .to_string()
        .trim_start_matches('/')
        .to_string();
    let (got, _) = rt.block_on(get_object(&helper, &cont, &name)).unwrap();
    assert!(got == bytes);

    rt.block_on(cleanup(&helper, &cont));
    rt.block_on(cleanup(&helper, &seg_cont));
    unsafe { swc_client_free(c) };
}

/// A stream (swc's standard input) checkpointed: the failed upload's
/// checkpoint names what landed, the rerun with --resumable sends only
/// the rest; resuming from a missing, damaged or foreign checkpoint is
/// refused before any request.
#[test]
fn a_stream_resumes_from_its_checkpoint() {
    let (rt, fp, c) = ffi_client_through_proxy();
    unsafe { swc_client_free(c) };
    let helper = client(&v1_options());
    let swc = swc_bin();
    let cont = unique("stream-resume");
    let dir = tmpdir("stream-resume");
    let (path, bytes) = data_file(&dir, "big.bin", COUNT * SEG + 5, 7);
    let ck = dir.join("upload.ckpt");
    let auth = format!("{}/auth/v1.0", fp.url);
    let (seg, ck_s) = (SEG.to_string(), ck.display().to_string());
    let run = |extra: &[&str]| {
        let mut args = vec!["-A", &auth, "upload", "-S", &seg, "--checkpoint", &ck_s];
        args.extend(extra);
        args.extend([cont.as_str(), "-", "--object-name", "s.bin"]);
        let before = fp.heads().len();
        let out = with_creds(&swc)
            .args(&args)
            .stdin(std::fs::File::open(&path).unwrap())
            .output()
            .unwrap();
        (out, fp.heads()[before..].to_vec())
    };

    fp.push(Fault::OnMatch(
        "/00000003 ".into(),
        Box::new(Fault::Status(400, vec![])),
    ));
    let (out, _) = run(&[]);
    assert!(!out.status.success(), "{out:?}");
    let saved: Value = serde_json::from_slice(&std::fs::read(&ck).unwrap()).unwrap();
    let landed = saved["segments"].as_object().unwrap().len();
    assert_eq!(landed, 3, "{saved}");

    let (out, heads) = run(&["--resumable"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(segment_puts(&heads).len(), COUNT + 1 - landed, "{heads:#?}");
    let (got, _) = rt.block_on(get_object(&helper, &cont, "s.bin")).unwrap();
    assert!(got == bytes, "the object differs from the stream");
    assert!(!ck.exists(), "the checkpoint of a whole object stays");

    // Missing, damaged, for another object: refused, nothing sent.
    let other = json!({"format": "libswiftclient-stream-checkpoint-1", "container": cont,
        "object": "other", "segment_container": format!("{cont}_segments"), "manifest": "slo",
        "mtime": "1.000000", "segment_size": SEG, "segments": {}});
    for content in [None, Some("{not json".to_string()), Some(other.to_string())] {
        if let Some(t) = &content {
            std::fs::write(&ck, t).unwrap();
        }
        let (out, heads) = run(&["--resumable"]);
        assert!(!out.status.success(), "{content:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("checkpoint"),
            "{out:?}"
        );
        let sent: Vec<&String> = heads.iter().filter(|h| h.starts_with("PUT ")).collect();
        assert!(sent.is_empty(), "{content:?}: {sent:#?}");
    }

    rt.block_on(cleanup(&helper, &cont));
    rt.block_on(cleanup(&helper, &format!("{cont}_segments")));
}
