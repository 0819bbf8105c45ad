//! HTTP proxies: the `proxy` and `no_proxy` options, the environment's
//! proxy variables (honoured unless `use_environment_proxy` is false), and
//! errors that name the proxy. A small forward proxy here records the
//! request lines it relays to the real cluster. One test: it sets the
//! process environment.

mod common;

use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use swiftclient::conn::{account, opts::RequestOpts};
use swiftclient::{Client, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A forward proxy for plain HTTP: takes `GET http://host:port/path`,
/// sends `GET /path` to host:port, relays the answer. Returns its URL and
/// the request lines seen.
async fn forward_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = l.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let _ = relay(sock, s).await;
            });
        }
    });
    (url, seen)
}

async fn relay(mut c: TcpStream, seen: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let end = loop {
        let n = c.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("").to_string();
    seen.lock().unwrap().push(first.clone());
    let mut parts = first.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let rest = target.strip_prefix("http://").expect("absolute-form");
    let (hostport, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut out = format!(
        "{method} {} {version}\r\n",
        if path.is_empty() { "/" } else { path }
    );
    for l in lines.filter(|l| !l.is_empty()) {
        let lower = l.to_ascii_lowercase();
        if !lower.starts_with("connection:") && !lower.starts_with("proxy-") {
            out.push_str(l);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut up = TcpStream::connect(hostport).await?;
    up.write_all(out.as_bytes()).await?;
    up.write_all(&buf[end..]).await?;
    tokio::io::copy_bidirectional(&mut c, &mut up).await?;
    Ok(())
}

async fn head_ok(c: &Client) {
    account::head(c, &RequestOpts::default(), &no_cancel())
        .await
        .unwrap();
}

fn with(extra: serde_json::Value) -> serde_json::Value {
    let mut o = v1_options();
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxies_from_options_and_environment() {
    let (proxy, seen) = forward_proxy().await;
    let auth = env("SWC_TEST_V1_AUTH");
    let host = auth.trim_end_matches("/auth/v1.0").to_string();
    let count = || seen.lock().unwrap().len();

    // The option: authentication and requests go through it.
    head_ok(&client(&with(json!({ "proxy": proxy })))).await;
    let lines = seen.lock().unwrap().clone();
    assert!(lines.contains(&format!("GET {auth} HTTP/1.1")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("HEAD {host}/v1/AUTH_test"))),
        "{lines:?}"
    );
    // no_proxy bypasses it.
    let before = count();
    head_ok(&client(&with(
        json!({"proxy": proxy, "no_proxy": "example.org, 127.0.0.1"}),
    )))
    .await;
    assert_eq!(count(), before, "a no_proxy host went through the proxy");

    // The environment, as curl reads it, unless switched off.
    std::env::set_var("http_proxy", &proxy);
    let from_env = client(&v1_options());
    let ignoring = client(&with(json!({"use_environment_proxy": false})));
    std::env::remove_var("http_proxy");
    let before = count();
    head_ok(&from_env).await;
    assert!(count() >= before + 2, "http_proxy was not honoured");
    let before = count();
    head_ok(&ignoring).await;
    assert_eq!(
        count(),
        before,
        "use_environment_proxy: false still used http_proxy"
    );

    // A proxy that fails is named in the error (its credentials are not).
    let dead = client(&with(
        json!({"proxy": "http://user:secret@127.0.0.1:1", "retries": 0}),
    ));
    let e = dead.auth_record(false, false).await.unwrap_err();
    assert_eq!(e.status, Status::Network, "{e}");
    assert!(
        e.message.contains("(through proxy http://***@127.0.0.1:1)"),
        "{}",
        e.message
    );
    assert!(!e.to_string().contains("secret"), "{e}");

    // A proxy option that is not an http(s) URL is refused at creation.
    let bad = swiftclient::Client::new(
        &swiftclient::options::Options::from_json(Some(
            &with(json!({"proxy": "socks9://x"})).to_string(),
        ))
        .unwrap(),
    )
    .err()
    .unwrap();
    assert_eq!(
        (bad.status, bad.key.as_deref()),
        (Status::Config, Some("proxy"))
    );
}
