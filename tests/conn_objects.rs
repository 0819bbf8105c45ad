//! Object calls of the Connection API against the real Swift cluster:
//! bodies from and to every source and sink (memory, paths, descriptors,
//! streams of unknown length), ETags, ranges and conditional requests,
//! copy and metadata, SLO manifests through raw queries.

mod common;

use common::body::OneShot;
use common::*;
use serde_json::json;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;
use swiftclient::conn::body::{BytesSource, FdSink, FileSource, PathSink, VecSink};
use swiftclient::conn::opts::{CopyOpts, GetOpts, ListOpts, PutOpts, RequestOpts};
use swiftclient::conn::{container, object};
use swiftclient::Status;

#[tokio::test]
async fn object_from_memory_round_trip_verified() {
    let c = client(&v1_options());
    let name = new_container(&c, "mem", json!({})).await;
    let body = data(300_000, 1);
    let rec = put_bytes(&c, &name, "dir/ünï code%.bin", &body, json!({"content_type": "application/x-test", "headers": {"X-Object-Meta-Mtime": "1700000000.000000"}})).await;
    assert_eq!(rec["etag"], md5_hex(&body));
    assert_eq!(rec["md5"], md5_hex(&body));
    assert_eq!(rec["bytes"], 300_000);
    let (got, rec) = get_bytes(&c, &name, "dir/ünï code%.bin", json!({})).await;
    assert!(got == body, "bytes differ");
    assert_eq!(rec["verified"], true);
    assert_eq!(rec["headers"]["content-type"], "application/x-test");
    assert_eq!(rec["headers"]["x-object-meta-mtime"], "1700000000.000000");
    let h = object::head(
        &c,
        &name,
        "dir/ünï code%.bin",
        &RequestOpts::default(),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(h["headers"]["content-length"], "300000");
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn files_paths_and_descriptors() {
    let c = client(&v1_options());
    let name = new_container(&c, "files", json!({})).await;
    let dir = tmpdir("files-dir");
    let body = data(1_000_003, 2);
    let src = dir.join("src.bin");
    std::fs::write(&src, &body).unwrap();

    // Path source -> path sink.
    let mut fs = FileSource::open(&src).unwrap();
    object::put(
        &c,
        &name,
        "by-path",
        &PutOpts::default(),
        &mut fs,
        &no_cancel(),
    )
    .await
    .unwrap();
    let dst = dir.join("dst.bin");
    let mut sink = PathSink::create(&dst).unwrap();
    object::get(
        &c,
        &name,
        "by-path",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(std::fs::read(&dst).unwrap() == body);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A failed download to a path leaves nothing behind, and an existing file untouched.
    std::fs::write(dir.join("keep.bin"), b"old").unwrap();
    let mut sink = PathSink::create(&dir.join("keep.bin")).unwrap();
    let e = object::get(
        &c,
        &name,
        "missing",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::NotFound);
    // The server's own words are in the message.
    assert!(
        e.message
            .contains("(server says: The resource could not be found.)"),
        "{}",
        e.message
    );
    assert_eq!(std::fs::read(dir.join("keep.bin")).unwrap(), b"old");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        3,
        "no partial file left"
    );

    // Descriptor source from an offset with a length -> descriptor sink.
    let mut f = std::fs::File::open(&src).unwrap();
    f.seek(SeekFrom::Start(1000)).unwrap();
    let mut fs = FileSource::from_fd(f.as_raw_fd(), Some(5000)).unwrap();
    let rec = object::put(
        &c,
        &name,
        "by-fd",
        &PutOpts::default(),
        &mut fs,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["etag"], md5_hex(&body[1000..6000]));
    let mut out = tempfile(&dir, "fd-out.bin");
    let mut sink = FdSink::new(out.as_raw_fd()).unwrap();
    object::get(
        &c,
        &name,
        "by-fd",
        &GetOpts::default(),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap();
    out.seek(SeekFrom::Start(0)).unwrap();
    let mut back = Vec::new();
    out.read_to_end(&mut back).unwrap();
    assert!(back == body[1000..6000]);

    // A missing file is a clear error before any request.
    let e = FileSource::open(&dir.join("nope.bin")).err().unwrap();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.contains("nope.bin"));
    cleanup(&c, &name).await;
}

fn tempfile(dir: &std::path::Path, name: &str) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(dir.join(name))
        .unwrap()
}

#[tokio::test]
async fn chunked_upload_of_unknown_length() {
    let c = client(&v1_options());
    let name = new_container(&c, "chunked", json!({})).await;
    let body = data(250_001, 3);
    let rec = object::put(
        &c,
        &name,
        "s",
        &PutOpts::default(),
        &mut OneShot::stream(body.clone(), 7777),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["etag"], md5_hex(&body));
    let (got, _) = get_bytes(&c, &name, "s", json!({})).await;
    assert!(got == body);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn etags_ranges_and_conditions() {
    let c = client(&v1_options());
    let name = new_container(&c, "cond", json!({})).await;
    let body = data(10_000, 4);
    let etag = md5_hex(&body);
    // A wrong ETag makes Swift refuse the upload: a checksum error.
    let e = object::put(
        &c,
        &name,
        "o",
        &opts(json!({"etag": "0123456789abcdef0123456789abcdef"})),
        &mut BytesSource::new(&body),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::Checksum);
    assert_eq!(e.http_status, Some(422));
    put_bytes(
        &c,
        &name,
        "o",
        &body,
        json!({"etag": format!("\"{etag}\"")}),
    )
    .await;

    let (got, rec) = get_bytes(&c, &name, "o", json!({"headers": {"Range": "bytes=10-19"}})).await;
    assert_eq!(got, &body[10..20]);
    assert_eq!(rec["status"], 206);
    assert_eq!(rec["verified"], false);

    let mut sink = VecSink::default();
    let e = object::get(
        &c,
        &name,
        "o",
        &opts(json!({"headers": {"If-None-Match": etag}})),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.http_status), (Status::Precondition, Some(304)));
    let e = object::get(
        &c,
        &name,
        "o",
        &opts(json!({"headers": {"If-Match": "nope"}})),
        &mut sink,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.http_status), (Status::Precondition, Some(412)));
    let (_, rec) = get_bytes(
        &c,
        &name,
        "o",
        json!({"headers": {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}}),
    )
    .await;
    assert_eq!(rec["status"], 200);

    // If-None-Match: * creates only when absent.
    let e = object::put(
        &c,
        &name,
        "o",
        &opts(json!({"headers": {"If-None-Match": "*"}})),
        &mut BytesSource::new(b"new"),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.http_status), (Status::Precondition, Some(412)));
    put_bytes(
        &c,
        &name,
        "fresh",
        b"new",
        json!({"headers": {"If-None-Match": "*"}}),
    )
    .await;
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn copy_post_and_fresh_metadata() {
    let c = client(&v1_options());
    let name = new_container(&c, "copy", json!({})).await;
    let other = new_container(&c, "copy-dst", json!({})).await;
    put_bytes(
        &c,
        &name,
        "src",
        b"payload",
        json!({"headers": {"X-Object-Meta-Kind": "original"}}),
    )
    .await;
    object::post(
        &c,
        &name,
        "src",
        &opts(json!({"headers": {"X-Object-Meta-Kind": "posted", "X-Object-Meta-Extra": "1"}})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let h = object::head(&c, &name, "src", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(h["headers"]["x-object-meta-kind"], "posted");

    object::copy(
        &c,
        &name,
        "src",
        &opts::<CopyOpts>(json!({"destination": format!("/{other}/kept ü")})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let h = object::head(&c, &other, "kept ü", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(h["headers"]["x-object-meta-kind"], "posted");
    object::copy(&c, &name, "src", &opts::<CopyOpts>(json!({"destination": format!("{other}/fresh"), "fresh_metadata": true, "headers": {"X-Object-Meta-New": "y"}})), &no_cancel()).await.unwrap();
    let h = object::head(&c, &other, "fresh", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert!(h["headers"].get("x-object-meta-kind").is_none(), "{h}");
    assert_eq!(h["headers"]["x-object-meta-new"], "y");
    let (got, _) = get_bytes(&c, &other, "fresh", json!({})).await;
    assert_eq!(got, b"payload");
    let e = object::copy(
        &c,
        &name,
        "src",
        &opts::<CopyOpts>(json!({"destination": "nocontainer"})),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("destination"));
    cleanup(&c, &name).await;
    cleanup(&c, &other).await;
}

#[tokio::test]
async fn slo_manifest_through_raw_queries() {
    let c = client(&v1_options());
    let name = new_container(&c, "slo", json!({})).await;
    let (a, b) = (data(1_048_576, 5), data(1000, 6));
    put_bytes(&c, &name, "seg/1", &a, json!({})).await;
    put_bytes(&c, &name, "seg/2", &b, json!({})).await;
    let manifest = json!([
        {"path": format!("/{name}/seg/1"), "etag": md5_hex(&a), "size_bytes": a.len()},
        {"path": format!("/{name}/seg/2"), "etag": md5_hex(&b), "size_bytes": b.len()},
    ])
    .to_string();
    let rec = put_bytes(
        &c,
        &name,
        "big",
        manifest.as_bytes(),
        json!({"query": "multipart-manifest=put"}),
    )
    .await;
    assert_eq!(rec["status"], 201);
    let (got, rec) = get_bytes(&c, &name, "big", json!({})).await;
    assert_eq!(got.len(), a.len() + b.len());
    assert!(got[..a.len()] == a[..] && got[a.len()..] == b[..]);
    assert_eq!(
        rec["verified"], false,
        "an SLO's ETag is not the MD5 of its bytes"
    );
    let (m, _) = get_bytes(&c, &name, "big", json!({"query": "multipart-manifest=get"})).await;
    let m: serde_json::Value = serde_json::from_slice(&m).unwrap();
    assert_eq!(m.as_array().unwrap().len(), 2);
    object::delete(
        &c,
        &name,
        "big",
        &opts(json!({"query": "multipart-manifest=delete"})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let rest = container::list(&c, &name, &ListOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(
        rest["listing"].as_array().unwrap().len(),
        0,
        "segments deleted with the manifest"
    );
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn copy_to_another_account() {
    // The reseller admin may write to any account.
    let admin =
        client(&json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "admin:admin", "key": "admin"}));
    let test2 = client(
        &json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test2:tester2", "key": "testing2"}),
    );
    let src = new_container(&admin, "xacct-src", json!({})).await;
    let dst = new_container(&test2, "xacct-dst", json!({})).await;
    put_bytes(&admin, &src, "o", b"across accounts", json!({})).await;
    object::copy(
        &admin,
        &src,
        "o",
        &opts::<CopyOpts>(
            json!({"destination": format!("/{dst}/copied"), "destination_account": "AUTH_test2"}),
        ),
        &no_cancel(),
    )
    .await
    .unwrap();
    let (got, _) = get_bytes(&test2, &dst, "copied", json!({})).await;
    assert_eq!(got, b"across accounts");
    cleanup(&admin, &src).await;
    cleanup(&test2, &dst).await;
}
