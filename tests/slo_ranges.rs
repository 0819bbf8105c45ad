//! SLOs whose manifests use part of a segment (`range`), nest another SLO,
//! or name a segment with a `%` in it, written through the API as any
//! client may write them, downloaded by the bulk download: the file is what
//! a plain GET of the object gives (the server's own concatenation), never
//! the segments laid end to end. Before, a ranged SLO came down as its
//! whole segments, with status 0.

mod common;

use common::*;
use serde_json::{json, Value};
use swiftclient::ffi::service::swc_download;

/// PUTs a manifest (the API's form: path, range) as `name`.
async fn manifest(c: &swiftclient::Client, cont: &str, name: &str, entries: Value) {
    let body = entries.to_string();
    put_bytes(
        c,
        cont,
        name,
        body.as_bytes(),
        json!({"query": "multipart-manifest=put"}),
    )
    .await;
}

#[test]
fn ranged_nested_and_percent_named_slos_download_as_the_server_serves_them() {
    let c = client(&v1_options());
    let cont = unique("slo-ranges");
    let (s1, s2) = (data(100_000, 41), data(50_000, 42));
    let names = ["m", "nested", "pct"];
    let served: Vec<Vec<u8>> = rt().block_on(async {
        mkcontainer(&c, &cont).await;
        put(&c, &cont, "s1", &s1, json!({})).await;
        put(&c, &cont, "s2", &s2, json!({})).await;
        // A segment literally named "a%20b", beside an object "a b".
        put(&c, &cont, "a%20b", &s2, json!({})).await;
        put(&c, &cont, "a b", &s1, json!({})).await;
        let (p1, p2) = (format!("/{cont}/s1"), format!("/{cont}/s2"));
        let m = json!([{"path": p1, "range": "10-1009"}, {"path": p2}, {"path": p1, "range": "-500"}]);
        manifest(&c, &cont, "m", m).await;
        let n = json!([{"path": format!("/{cont}/m"), "range": "5-2004"}, {"path": p2, "range": "0-99"}]);
        manifest(&c, &cont, "nested", n).await;
        let pct = json!([{"path": format!("/{cont}/a%20b")}, {"path": p2}]);
        manifest(&c, &cont, "pct", pct).await;
        let mut out = Vec::new();
        for n in names {
            out.push(get_bytes(&c, &cont, n, json!({})).await.0);
        }
        out
    });
    // What the manifests mean, byte for byte.
    let mut m = s1[10..1010].to_vec();
    m.extend_from_slice(&s2);
    m.extend_from_slice(&s1[s1.len() - 500..]);
    let mut nested = m[5..2005].to_vec();
    nested.extend_from_slice(&s2[..100]);
    let mut pct = s2.clone();
    pct.extend_from_slice(&s2);
    let lens: Vec<usize> = served.iter().map(Vec::len).collect();
    assert_eq!(lens, [m.len(), nested.len(), pct.len()]);
    assert!(served[0] == m && served[1] == nested && served[2] == pct);

    let dir = tmpdir("slo-ranges");
    let (st, recs, summary) = run_twin(
        swc_download,
        json!({"container": cont, "objects": names, "out_directory": &*dir}),
    );
    assert_eq!(st, 0, "{summary} {recs:#?}");
    for (name, want) in names.iter().zip([&m, &nested, &pct]) {
        let got = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(got.len(), want.len(), "{name}");
        assert!(got == *want, "{name}: not the bytes the server serves");
    }
    rt().block_on(cleanup(&c, &cont));
}
