//! Connection API calls against the real Swift cluster other than object
//! bodies (those are in conn_objects.rs): containers and their metadata,
//! listings over several pages, versions, the account, /info, bulk delete,
//! raw requests, bad names, cancellation and the debug log.

mod common;

use common::*;
use serde_json::json;
use std::io::Write;
use swiftclient::conn::body::{BytesSource, VecSink};
use swiftclient::conn::opts::{ListOpts, RequestOpts};
use swiftclient::conn::{account, container, info, listing, object};
use swiftclient::Status;

#[tokio::test]
async fn container_lifecycle_and_metadata() {
    let c = client(&v1_options());
    let name = new_container(
        &c,
        "life",
        json!({"X-Storage-Policy": "silver", "X-Container-Meta-Colour": "blue"}),
    )
    .await;
    let h = container::head(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(h["headers"]["x-storage-policy"], "silver");
    assert_eq!(h["headers"]["x-container-meta-colour"], "blue");
    container::post(
        &c,
        &name,
        &opts(json!({"headers": {"X-Container-Meta-Shape": "ünïcode ✓"}})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let h = container::head(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(
        h["headers"]["x-container-meta-shape"], "ünïcode ✓",
        "UTF-8 metadata round-trips"
    );
    put_bytes(&c, &name, "o", b"x", json!({})).await;
    let e = container::delete(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::Conflict);
    assert_eq!(e.http_status, Some(409));
    object::delete(&c, &name, "o", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    container::delete(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    let e = container::head(&c, &name, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::NotFound);
    assert!(e.transaction_id.is_some());
    assert_eq!(e.method.as_deref(), Some("HEAD"));
}

#[tokio::test]
async fn listings_page_with_markers() {
    let c = client(&v1_options());
    let name = new_container(&c, "list", json!({})).await;
    let mut names: Vec<String> = (0..25).map(|i| format!("p/{i:03}")).collect();
    names.push("q/x".into());
    names.push("zz ü".into());
    for n in &names {
        put_bytes(&c, &name, n, n.as_bytes(), json!({})).await;
    }
    let all = container::list(
        &c,
        &name,
        &opts(json!({"full_listing": true, "limit": 10})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let got: Vec<&str> = all["listing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(all["count"], 27);
    assert_eq!(all["pages"], 3);

    // Page by page through a callback: constant memory.
    let mut sizes = Vec::new();
    let rec = listing::list(
        &c,
        &format!("/{name}"),
        &opts::<ListOpts>(json!({"full_listing": true, "limit": 10, "prefix": "p/"})),
        &mut |p| {
            sizes.push(p.len());
            Ok(true)
        },
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(sizes, vec![10, 10, 5]);
    assert_eq!(rec["count"], 25);
    // The callback can stop the listing.
    let mut pages = 0;
    listing::list(
        &c,
        &format!("/{name}"),
        &opts::<ListOpts>(json!({"full_listing": true, "limit": 10})),
        &mut |_| {
            pages += 1;
            Ok(false)
        },
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(pages, 1);

    let one = container::list(&c, &name, &opts(json!({"limit": 5})), &no_cancel())
        .await
        .unwrap();
    assert_eq!(
        one["listing"].as_array().unwrap().len(),
        5,
        "without full_listing: one page"
    );
    let d = container::list(&c, &name, &opts(json!({"delimiter": "/"})), &no_cancel())
        .await
        .unwrap();
    let subdirs: Vec<&str> = d["listing"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["subdir"].as_str())
        .collect();
    assert_eq!(subdirs, vec!["p/", "q/"]);
    let r = container::list(
        &c,
        &name,
        &opts(json!({"reverse": true, "limit": 2})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(r["listing"][0]["name"], "zz ü");
    let m = container::list(
        &c,
        &name,
        &opts(json!({"marker": "p/020", "end_marker": "p/023"})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(m["listing"].as_array().unwrap().len(), 2);
    let p = container::list(&c, &name, &opts(json!({"path": "p"})), &no_cancel())
        .await
        .unwrap();
    assert_eq!(p["listing"].as_array().unwrap().len(), 25);
    // Short pages before the end are followed when asked.
    let u = container::list(
        &c,
        &name,
        &opts(json!({"full_listing": true, "limit": 10, "fetch_until_empty_page": true})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(u["count"], 27);
    assert_eq!(u["pages"], 3);

    let acct = account::list(&c, &opts(json!({"prefix": name.clone()})), &no_cancel())
        .await
        .unwrap();
    assert_eq!(acct["listing"][0]["name"], name.as_str());
    assert!(acct["listing"][0]["count"].as_u64().is_some());
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn versions_listing_pages_with_version_marker() {
    let c = client(&v1_options());
    let name = new_container(&c, "vers", json!({"X-Versions-Enabled": "true"})).await;
    for i in 0..3 {
        put_bytes(&c, &name, "doc", format!("v{i}").as_bytes(), json!({})).await;
    }
    let v = container::list(
        &c,
        &name,
        &opts(json!({"versions": true, "full_listing": true, "limit": 1})),
        &no_cancel(),
    )
    .await
    .unwrap();
    let ids: Vec<&str> = v["listing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{v}");
    assert_eq!(v["pages"], 3);
    let mut uniq = ids.clone();
    uniq.dedup();
    assert_eq!(uniq.len(), 3);
    // A raw query reaches one version.
    let oldest = ids[2];
    let (got, _) = get_bytes(
        &c,
        &name,
        "doc",
        json!({"query": format!("version-id={oldest}")}),
    )
    .await;
    assert_eq!(got, b"v0");
    container::post(
        &c,
        &name,
        &opts(json!({"headers": {"X-Versions-Enabled": "false"}})),
        &no_cancel(),
    )
    .await
    .unwrap();
    for id in ids {
        object::delete(
            &c,
            &name,
            "doc",
            &opts(json!({"query": format!("version-id={id}")})),
            &no_cancel(),
        )
        .await
        .unwrap();
    }
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn account_post_metadata_and_bulk_delete() {
    let c = client(
        &json!({"auth": env("SWC_TEST_V1_AUTH"), "user": "test2:tester2", "key": "testing2"}),
    );
    account::post(
        &c,
        &opts(json!({"headers": {"X-Account-Meta-Swc": "yes"}})),
        None,
        &no_cancel(),
    )
    .await
    .unwrap();
    let h = account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(h["headers"]["x-account-meta-swc"], "yes");
    let name = new_container(&c, "bulk", json!({})).await;
    for i in 0..5 {
        put_bytes(&c, &name, &format!("o{i} ü"), b"x", json!({})).await;
    }
    let body: String = (0..5)
        .map(|i| format!("/{name}/{}\n", swiftclient::conn::quote(&format!("o{i} ü"))))
        .collect();
    let rec = account::post(&c, &opts(json!({"query": "bulk-delete", "headers": {"Accept": "application/json", "Content-Type": "text/plain"}})), Some(body.as_bytes()), &no_cancel()).await.unwrap();
    let report: serde_json::Value = serde_json::from_str(rec["body"].as_str().unwrap()).unwrap();
    assert_eq!(report["Number Deleted"], 5, "{report}");
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn info_without_token() {
    let c = client(&v1_options());
    let rec = info::info(&c, &Default::default(), &no_cancel())
        .await
        .unwrap();
    let i = &rec["info"];
    assert!(i["swift"]["version"].is_string(), "{i}");
    for mw in [
        "slo",
        "bulk_delete",
        "tempurl",
        "formpost",
        "symlink",
        "versioned_writes",
    ] {
        assert!(i.get(mw).is_some(), "/info lacks {mw}");
    }
    // An explicit proxy URL; no credentials needed at all.
    let anon = client(
        &json!({"os_storage_url": format!("{}/v1/AUTH_nobody", env("SWC_TEST_PROXY_URL")), "os_auth_token": "unused"}),
    );
    let rec = info::info(
        &anon,
        &opts(json!({"url": env("SWC_TEST_PROXY_URL")})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(rec["info"]["swift"].is_object());
}

#[tokio::test]
async fn bad_names_fail_before_any_request() {
    let c = client(&v1_options());
    let e = object::head(
        &c,
        "c",
        &"x".repeat(1025),
        &RequestOpts::default(),
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.contains("1024"));
    let e = container::head(&c, "a/b", &RequestOpts::default(), &no_cancel())
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert_eq!(c.auth_requests(), 0, "nothing was sent");
}

#[tokio::test]
async fn cancelled_before_start() {
    let c = client(&v1_options());
    let t = no_cancel();
    t.cancel();
    let e = account::head(&c, &RequestOpts::default(), &t)
        .await
        .unwrap_err();
    assert_eq!(e.status, Status::Cancelled);
    let _ = std::io::stdout().flush();
}

#[tokio::test]
async fn raw_requests_for_everything_else() {
    use swiftclient::conn::raw::{request, RawOpts};
    let c = client(&v1_options());
    let name = new_container(&c, "raw", json!({})).await;
    let body = data(2_000_000, 11);
    let rec = request(
        &c,
        "PUT",
        &format!("/{name}/raw obj"),
        &RawOpts::default(),
        Some(&mut BytesSource::new(&body)),
        None,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["status"], 201);
    let mut sink = VecSink::default();
    let rec = request(
        &c,
        "GET",
        &format!("/{name}/raw obj"),
        &RawOpts::default(),
        None,
        Some(&mut sink),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert!(sink.0 == body);
    assert_eq!(rec["bytes"], 2_000_000);
    // Without a sink a large body is refused rather than truncated.
    let e = request(
        &c,
        "GET",
        &format!("/{name}/raw obj"),
        &RawOpts::default(),
        None,
        None,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.contains("write callback"));
    let rec = request(
        &c,
        "GET",
        "/healthcheck",
        &opts(json!({"base": "root", "auth": false})),
        None,
        None,
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(rec["body"], "OK");
    let e = request(
        &c,
        "GET",
        "/x",
        &opts(json!({"base": "elsewhere"})),
        None,
        None,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("base"));
    let e = request(
        &c,
        "BAD METHOD",
        "",
        &RawOpts::default(),
        None,
        None,
        &no_cancel(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    cleanup(&c, &name).await;
}

#[tokio::test]
async fn debug_log_shows_requests_without_secrets() {
    use std::sync::{Arc, Mutex};
    use swiftclient::log::{Level, Logger};
    let c = client(&v1_options());
    let token = c.auth_record(false, true).await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let lines = Arc::new(Mutex::new(Vec::<(Level, String)>::new()));
    let sink = lines.clone();
    c.set_logger(Some(Logger {
        max: Level::Debug,
        f: Arc::new(move |l, m| sink.lock().unwrap().push((l, m.to_string()))),
    }));
    account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    info::info(&c, &Default::default(), &no_cancel())
        .await
        .unwrap();
    let lines = lines.lock().unwrap().clone();
    let all: String = lines.iter().map(|(_, m)| format!("{m}\n")).collect();
    assert!(
        all.contains("curl -i 'http://") && all.contains("-X HEAD"),
        "{all}"
    );
    assert!(all.contains("'X-Auth-Token: ***'"), "{all}");
    assert!(all.contains("X-Trans-Id-Extra: swc-"), "{all}");
    assert!(!all.contains(&token), "token leaked: {all}");
    assert!(lines.iter().all(|(l, _)| *l == Level::Debug));
    // An Info-level logger gets no per-request lines.
    let quiet = Arc::new(Mutex::new(0usize));
    let q = quiet.clone();
    c.set_logger(Some(Logger {
        max: Level::Info,
        f: Arc::new(move |_, _| *q.lock().unwrap() += 1),
    }));
    account::head(&c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
    assert_eq!(*quiet.lock().unwrap(), 0);
}

#[tokio::test]
async fn short_pages_before_the_end() {
    // Some servers (e.g. RADOSGW) return short pages before the end; a
    // scripted server shows `fetch_until_empty_page` follows them.
    use common::fixture::{Fixture, Response};
    let fx = Fixture::start(|r| {
        let marker = r
            .path
            .split("marker=")
            .nth(1)
            .map(|m| m.split('&').next().unwrap().to_string());
        let page: Vec<&str> = match marker.as_deref() {
            None => vec!["a", "b", "c"],
            Some("c") => vec!["d", "e"],
            Some("e") => vec!["f", "g", "h"],
            _ => vec![],
        };
        Response::json(
            200,
            &serde_json::Value::Array(
                page.iter()
                    .map(|n| json!({"name": n, "bytes": 1}))
                    .collect(),
            ),
        )
    })
    .await;
    let c =
        client(&json!({"os_storage_url": format!("{}/v1/AUTH_x", fx.url), "os_auth_token": "t"}));
    let short = container::list(
        &c,
        "c",
        &opts(json!({"full_listing": true, "limit": 3})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(
        short["count"], 5,
        "stops at the first short page by default"
    );
    let all = container::list(
        &c,
        "c",
        &opts(json!({"full_listing": true, "limit": 3, "fetch_until_empty_page": true})),
        &no_cancel(),
    )
    .await
    .unwrap();
    assert_eq!(all["count"], 8);
    assert_eq!(all["listing"][7]["name"], "h");
}
