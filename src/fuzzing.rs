//! Entry points of the fuzz targets (fuzz/fuzz_targets/*.rs): each feeds
//! bytes to the parsers of one kind of untrusted input the way the library
//! does, and checks a few cheap properties. Not a public API: hidden from
//! the docs, may change at any time.
//!
//! Compiled always (not behind a feature) so that tests/fuzz_corpus.rs
//! replays the committed corpora through the same functions with a plain
//! `cargo test`. Each function must not panic on any input; a panic is a
//! finding.

use crate::auth::credentials::CatalogFilter;
use crate::auth::{access, catalog};
use crate::conn::opts::{self, Headers};
use crate::conn::types::{BulkReport, ObjectEntry, SloManifestEntry};
use crate::options::Options;
use crate::service::Action;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// A target's body: any bytes, no panic.
pub type Target = fn(&[u8]);

/// The targets by name (the fuzz crate's binaries and the corpus
/// directories fuzz/corpus/<name>/ are named so).
pub const TARGETS: &[(&str, Target)] = &[
    ("options", options),
    ("env", env),
    ("request", request),
    ("call_options", call_options),
    ("auth", auth),
    ("listing", listing),
    ("slo_manifest", slo_manifest),
    ("bulk_report", bulk_report),
    ("info", info),
    ("tempurl", tempurl),
    ("scalars", scalars),
    ("clouds", clouds),
];

/// Runs the target `name` on `data`; false when there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => {
            f(data);
            true
        }
        None => false,
    }
}

/// The first byte chooses among `n` variants; the rest is the input.
fn split(data: &[u8], n: usize) -> (usize, &str) {
    match data.split_first() {
        Some((b, rest)) => (*b as usize % n, lossy(rest)),
        None => (0, ""),
    }
}

/// Text for parsers that take `&str`: invalid UTF-8 is cut at the first
/// bad byte (the C boundary refuses it before any parser sees it).
fn lossy(data: &[u8]) -> &str {
    match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Client options JSON (what swc_client_new takes): parsed options
/// serialise and parse again to the same options.
pub fn options(data: &[u8]) {
    let Ok(o) = Options::from_json(Some(lossy(data))) else {
        return;
    };
    let v = serde_json::to_value(&o).expect("options serialise");
    let again = Options::from_value(v).expect("serialised options parse again");
    assert_eq!(o, again, "options change through a round trip");
    let _ = o.overlay(&again);
}

/// An environment (`KEY=value` lines) read as the swift command reads it.
pub fn env(data: &[u8]) {
    let text = lossy(data);
    let vars: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let lookup = |k: &str| {
        vars.iter()
            .rev()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    let _ = Options::from_env_with(&lookup);
}

/// The request JSON of each bulk operation (the list is `Action::ALL`).
pub fn request(data: &[u8]) {
    let (i, text) = split(data, Action::ALL.len());
    let _ = crate::service::prepare(Action::ALL[i], Some(text));
}

/// The options JSON of each Connection call.
pub fn call_options(data: &[u8]) {
    use crate::conn::opts::*;
    let (i, t) = split(data, 6);
    let t = Some(t);
    let _ = match i {
        0 => opts::parse::<RequestOpts>(t, "options").map(drop),
        1 => opts::parse::<ListOpts>(t, "options").map(drop),
        2 => opts::parse::<GetOpts>(t, "options").map(drop),
        3 => opts::parse::<PutOpts>(t, "options").map(drop),
        4 => opts::parse::<CopyOpts>(t, "options").map(drop),
        _ => opts::parse::<InfoOpts>(t, "options").map(drop),
    };
}

/// Auth answers: v1 headers ("Name: value" lines), Keystone v2 and v3
/// token bodies with their catalogs.
pub fn auth(data: &[u8]) {
    let (i, text) = split(data, 4);
    match i {
        0 | 1 => v1_headers(text, i == 1),
        2 => keystone_v2(text),
        _ => keystone_v3(text),
    }
}

fn v1_headers(text: &str, have_url: bool) {
    let mut h = HeaderMap::new();
    for line in text.lines() {
        let Some((n, v)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(n, v);
        }
    }
    let _ = crate::auth::v1::read_answer(&h, have_url, SystemTime::now());
}

fn filters() -> [CatalogFilter; 2] {
    let f = |name: Option<&str>, region: Option<&str>, iface: &str| CatalogFilter {
        service_type: "object-store".into(),
        service_name: name.map(str::to_string),
        region: region.map(str::to_string),
        interface: iface.into(),
    };
    [
        f(None, None, "public"),
        f(Some("swift"), Some("RegionOne"), "internal"),
    ]
}

fn keystone_v2(text: &str) {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let a = &body["access"];
    let endpoints = catalog::from_v2(&a["serviceCatalog"]);
    let _ = access::from_v2(a, &endpoints);
    let _ = crate::auth::v2::expiry(&a["token"]["expires"]);
    for f in filters() {
        let _ = catalog::select(&endpoints, &f);
    }
}

fn keystone_v3(text: &str) {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let t = &body["token"];
    let _ = t["expires_at"].as_str().and_then(crate::auth::parse_expiry);
    let endpoints = catalog::from_v3(&t["catalog"]);
    let _ = access::from_v3(t, &endpoints);
    for f in filters() {
        let _ = catalog::select(&endpoints, &f);
    }
}

/// A listing page (account, container, DLO segments): where paging goes
/// on, and the entries as the operations read them.
pub fn listing(data: &[u8]) {
    use serde_json::value::RawValue;
    let body = lossy(data);
    let Ok(entries) = serde_json::from_str::<Vec<&RawValue>>(body) else {
        return;
    };
    if let Some(l) = entries.last() {
        let _ = serde_json::from_str::<crate::conn::listing::LastEntry>(l.get());
    }
    let page = crate::conn::listing::RawPage {
        body: body.to_string(),
        count: entries.len() as u64,
        last_name: None,
        last_version: None,
    };
    // A page paging accepts may still fail here (a number out of range,
    // 1e666, is a RawValue but no Value): an error, not a panic.
    let Ok(values) = page.values() else {
        return;
    };
    assert_eq!(values.len(), entries.len());
    for e in values.iter().map(ObjectEntry::of) {
        let _ = e.is_slo();
    }
}

/// An SLO manifest (`multipart-manifest=get&format=raw`, or the form
/// without `format=raw`, nested `sub_slo` entries).
pub fn slo_manifest(data: &[u8]) {
    let Ok(entries) = serde_json::from_slice::<Vec<SloManifestEntry>>(data) else {
        return;
    };
    for e in &entries {
        let _ = (e.etag(), e.size(), e.is_sub_slo());
        let _ = crate::service::segments::segment_location(e.path());
    }
}

/// A bulk-delete or extract-archive report.
pub fn bulk_report(data: &[u8]) {
    if let Some(r) = BulkReport::parse(lossy(data)) {
        let _ = r.failures().count();
        let _ = r.status_code();
    }
}

/// An /info document, and the path an /info URL is derived from.
pub fn info(data: &[u8]) {
    let text = lossy(data);
    let _ = serde_json::from_str::<Value>(text);
    let _ = crate::conn::info::info_path(text);
}

/// Temp-URL and FormPost signature requests (paths, times, IP ranges,
/// digests).
pub fn tempurl(data: &[u8]) {
    let (i, text) = split(data, 2);
    let now = 1_764_000_000.5;
    if i == 0 {
        if let Ok(r) = serde_json::from_str::<crate::tempurl::TempUrlRequest>(text) {
            let _ = crate::tempurl::generate(&r, now);
        }
    } else if let Ok(r) = serde_json::from_str::<crate::tempurl::FormPostRequest>(text) {
        let _ = crate::tempurl::formpost(&r, now);
    }
}

/// Small strings: sizes ("100M"), Retry-After, Keystone and HTTP dates,
/// temp-URL times, header names and values.
pub fn scalars(data: &[u8]) {
    let (i, s) = split(data, 6);
    match i {
        0 => {
            if let Ok(n) = crate::service::sizes::parse_size(s) {
                assert_eq!(crate::service::sizes::parse_size(&n.to_string()), Ok(n));
            }
        }
        1 => {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
            let _ = crate::conn::request::retry_after_value(s, now);
        }
        2 => {
            let _ = crate::auth::parse_expiry(s);
            let _ = crate::auth::v2::expiry(&Value::String(s.to_string()));
        }
        3 => {
            let _ = crate::tempurl::parse_timestamp(s, false);
            let _ = crate::tempurl::parse_timestamp(s, true);
        }
        4 => {
            let _ = httpdate::parse_http_date(s);
        }
        _ => {
            let _ = serde_json::from_str::<Headers>(s);
        }
    }
}

/// A clouds.yaml / secure.yaml text, the entry of cloud "c".
pub fn clouds(data: &[u8]) {
    let _ = crate::clouds::options_of_text(lossy(data), "c");
}
