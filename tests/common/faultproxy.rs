//! A TCP proxy for fault injection, between the client and the real Swift
//! proxy server. Each client connection carries one request (the proxy
//! forces `Connection: close`); the next planned fault applies to it: a
//! canned status, a reset after N bytes either way, a stall, or a
//! throttled response.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub enum Fault {
    /// Forward unchanged (a placeholder in the plan).
    Pass,
    /// Answer with this status (and headers) without forwarding.
    Status(u16, Vec<(String, String)>),
    /// Answer with this status and body without forwarding (a report a
    /// middleware writes when things go wrong behind it).
    Respond(u16, String),
    /// Forward; reset both connections after N response bytes.
    ResetResponseAfter(usize),
    /// Forward; stop sending the response for a while after N bytes.
    StallResponseAfter(usize, Duration),
    /// Forward the response in pieces of N bytes, one per interval.
    Throttle(usize, Duration),
    /// Forward; reset after N bytes of the request body.
    ResetRequestAfter(usize),
    /// Take the whole request (head and declared body) first, hold it this
    /// long, then forward it, whatever the client did meanwhile: a
    /// buffering load balancer, whose request reaches the cluster after the
    /// client gave up on it.
    DelayForward(Duration),
    /// Forward, with byte N of the request body flipped (damage on the
    /// way that TCP does not see).
    CorruptRequestByte(usize),
    /// Forward, with byte N of the response (headers included) flipped.
    CorruptResponseByte(usize),
    /// The fault, for the first request whose request line contains the
    /// text; requests before it pass (and leave it first in the plan).
    OnMatch(String, Box<Fault>),
}

pub struct FaultProxy {
    pub url: String,
    plan: Arc<Mutex<VecDeque<Fault>>>,
    heads: Arc<Mutex<Vec<String>>>,
    /// Response bytes relayed to clients (headers included), all requests.
    pub bytes_out: Arc<std::sync::atomic::AtomicU64>,
    /// Requests in flight now, and the most ever seen at once.
    pub in_flight: Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
}

impl FaultProxy {
    pub async fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream.trim_start_matches("http://").parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let plan = Arc::new(Mutex::new(VecDeque::new()));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (p, h) = (plan.clone(), heads.clone());
        let in_flight = Arc::new((
            std::sync::atomic::AtomicUsize::new(0),
            std::sync::atomic::AtomicUsize::new(0),
        ));
        let f = in_flight.clone();
        let bytes_out = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let out = bytes_out.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (p, h, f, out) = (p.clone(), h.clone(), f.clone(), out.clone());
                tokio::spawn(async move {
                    use std::sync::atomic::Ordering::SeqCst;
                    let now = f.0.fetch_add(1, SeqCst) + 1;
                    f.1.fetch_max(now, SeqCst);
                    let _ = serve(sock, upstream, p, (h, out), Slot(Some(f))).await;
                });
            }
        });
        FaultProxy {
            url,
            plan,
            heads,
            bytes_out,
            in_flight,
        }
    }

    pub fn push(&self, f: Fault) {
        self.plan.lock().unwrap().push_back(f);
    }

    /// The most requests ever in flight at once; resets the mark.
    pub fn take_max_in_flight(&self) -> usize {
        self.in_flight
            .1
            .swap(0, std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether every planned fault has been used.
    pub fn plan_is_empty(&self) -> bool {
        self.plan.lock().unwrap().is_empty()
    }

    pub fn clear(&self) {
        self.plan.lock().unwrap().clear();
    }

    /// The response bytes relayed so far; resets the count.
    pub fn take_bytes_out(&self) -> u64 {
        self.bytes_out.swap(0, std::sync::atomic::Ordering::SeqCst)
    }

    /// The request heads seen so far (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// Makes the close send a TCP RST (linger 0 never blocks, which is what
/// tokio's deprecation warns about).
#[allow(deprecated)]
fn reset(sock: &TcpStream) {
    let _ = sock.set_linger(Some(Duration::ZERO));
}

/// One request counted as in flight until released: released just before
/// the response's last bytes are written, so the client cannot have
/// started its next request while this one still counts.
struct Slot(
    Option<
        Arc<(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        )>,
    >,
);

impl Slot {
    fn release(&mut self) {
        if let Some(f) = self.0.take() {
            f.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.release();
    }
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    plan: Arc<Mutex<VecDeque<Fault>>>,
    (heads, out): (Arc<Mutex<Vec<String>>>, Arc<std::sync::atomic::AtomicU64>),
    mut slot: Slot,
) -> std::io::Result<()> {
    let count = |n: usize| out.fetch_add(n as u64, std::sync::atomic::Ordering::SeqCst);
    let mut buf = Vec::new();
    let mut tmp = vec![0u8; 64 * 1024];
    let head_end = loop {
        let n = client.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    heads.lock().unwrap().push(head.clone());
    let fault = {
        let mut plan = plan.lock().unwrap();
        let line = head.lines().next().unwrap_or("");
        match plan.pop_front() {
            Some(Fault::OnMatch(text, f)) if line.contains(&text) => Some(*f),
            Some(m @ Fault::OnMatch(..)) => {
                plan.push_front(m);
                None
            }
            other => other,
        }
    };
    let content_length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);

    let canned = match &fault {
        Some(Fault::Status(code, hdrs)) => Some((*code, hdrs.clone(), String::new())),
        Some(Fault::Respond(code, body)) => Some((*code, Vec::new(), body.clone())),
        _ => None,
    };
    if let Some((code, hdrs, body)) = canned {
        // Swallow a declared body first, so the client sees the answer.
        let mut have = buf.len() - head_end;
        while have < content_length {
            let n = client.read(&mut tmp).await?;
            if n == 0 {
                break;
            }
            have += n;
        }
        let mut out = format!(
            "HTTP/1.1 {code} Injected\r\nContent-Length: {}\r\nConnection: close\r\nX-Trans-Id: tx-injected\r\n",
            body.len()
        );
        for (k, v) in hdrs {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&body);
        slot.release();
        client.write_all(out.as_bytes()).await?;
        client.shutdown().await?;
        return Ok(());
    }

    if let Some(Fault::DelayForward(d)) = &fault {
        while buf.len() - head_end < content_length {
            let n = client.read(&mut tmp).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&tmp[..n]);
        }
        tokio::time::sleep(*d).await;
    }
    let mut up = TcpStream::connect(upstream).await?;
    let mut new_head = String::new();
    for line in head[..head.len() - 4].split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            new_head.push_str(line);
            new_head.push_str("\r\n");
        }
    }
    new_head.push_str("Connection: close\r\n\r\n");
    up.write_all(new_head.as_bytes()).await?;

    let (mut cr, mut cw) = client.into_split();
    let (mut ur, mut uw) = up.into_split();
    let leftover = buf[head_end..].to_vec();
    let req_limit = match fault {
        Some(Fault::ResetRequestAfter(n)) => Some(n),
        _ => None,
    };
    let req_flip = match fault {
        Some(Fault::CorruptRequestByte(n)) => Some(n),
        _ => None,
    };
    // Request body: client -> upstream.
    let upload = tokio::spawn(async move {
        let mut sent = 0usize;
        let mut chunk = leftover;
        let mut tmp = vec![0u8; 64 * 1024];
        loop {
            if let Some(limit) = req_limit {
                if sent + chunk.len() >= limit {
                    let _ = uw.write_all(&chunk[..limit - sent]).await;
                    return true; // reset
                }
            }
            if let Some(at) = req_flip.filter(|&at| at >= sent && at < sent + chunk.len()) {
                chunk[at - sent] ^= 0xff;
            }
            if !chunk.is_empty() {
                if uw.write_all(&chunk).await.is_err() {
                    return false;
                }
                sent += chunk.len();
            }
            match cr.read(&mut tmp).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => chunk = tmp[..n].to_vec(),
            }
        }
    });
    // Response: upstream -> client, with the fault.
    let mut sent = 0usize;
    let mut stalled = false;
    let mut pending: Vec<u8> = Vec::new();
    loop {
        if upload.is_finished() {
            break;
        }
        let n = tokio::select! {
            r = ur.read(&mut tmp) => match r { Ok(0) | Err(_) => break, Ok(n) => n },
            _ = tokio::time::sleep(Duration::from_millis(20)) => continue,
        };
        if let Some(Fault::CorruptResponseByte(at)) = fault {
            if at >= sent && at < sent + n {
                tmp[at - sent] ^= 0xff;
            }
        }
        let data = &tmp[..n];
        if !matches!(
            fault,
            None | Some(Fault::Pass)
                | Some(Fault::ResetRequestAfter(_))
                | Some(Fault::CorruptRequestByte(_))
                | Some(Fault::CorruptResponseByte(_))
        ) {
            // Faulty responses are relayed as they come.
            cw.write_all(&std::mem::take(&mut pending)).await?;
        }
        match &fault {
            Some(Fault::ResetResponseAfter(limit)) if sent + n >= *limit => {
                count(limit - sent);
                cw.write_all(&data[..limit - sent]).await?;
                reset(cw.as_ref());
                return Ok(());
            }
            Some(Fault::StallResponseAfter(at, d)) if !stalled && sent + n >= *at => {
                count(at - sent);
                cw.write_all(&data[..at - sent]).await?;
                tokio::time::sleep(*d).await;
                count(n - (at - sent));
                cw.write_all(&data[at - sent..]).await?;
                stalled = true;
            }
            Some(Fault::Throttle(piece, every)) => {
                count(n);
                for part in data.chunks(*piece) {
                    cw.write_all(part).await?;
                    tokio::time::sleep(*every).await;
                }
            }
            _ => {
                // Hold the newest bytes back until the next read, so the
                // last ones go out only after the slot is released.
                count(n);
                cw.write_all(&pending).await?;
                pending = data.to_vec();
            }
        }
        sent += n;
    }
    slot.release();
    cw.write_all(&pending).await?;
    if let Ok(true) = upload.await {
        // Reset the client mid-upload: it sees the connection die.
        reset(cw.as_ref());
        return Ok(());
    }
    let _ = cw.shutdown().await;
    Ok(())
}

/// A client whose every request goes through a fault proxy (v1 auth,
/// short backoff), with `extra` options on top.
pub async fn faulty(extra: serde_json::Value) -> (FaultProxy, swiftclient::Client) {
    let fp = FaultProxy::start(&super::env("SWC_TEST_PROXY_URL")).await;
    let mut o = serde_json::json!({
        "auth": format!("{}/auth/v1.0", fp.url),
        "user": "test:tester", "key": "testing",
        "starting_backoff": 0.1, "max_backoff": 1.0,
    });
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    let c = super::client(&o);
    (fp, c)
}

/// A C client whose requests all pass through a fault proxy, already
/// authenticated (so any further request the proxy sees was sent by the
/// call under test), with the runtime the proxy runs on (keep it alive).
pub fn ffi_client_through_proxy() -> (
    tokio::runtime::Runtime,
    FaultProxy,
    *mut swiftclient::ffi::client::swc_client,
) {
    ffi_client_through_proxy_with(serde_json::json!({}))
}

/// As `ffi_client_through_proxy`, with `extra` client options on top.
pub fn ffi_client_through_proxy_with(
    extra: serde_json::Value,
) -> (
    tokio::runtime::Runtime,
    FaultProxy,
    *mut swiftclient::ffi::client::swc_client,
) {
    let rt = super::rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&super::env("SWC_TEST_PROXY_URL")));
    let mut o = serde_json::json!({
        "auth": format!("{}/auth/v1.0", fp.url), "user": "test:tester", "key": "testing",
    });
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    let c = super::ffi_client(&o);
    let (st, _, e) = super::ffi_call(|o, e| {
        swiftclient::ffi::client::swc_client_auth(c, std::ptr::null(), o, e)
    });
    assert_eq!(st, 0, "{e:?}");
    (rt, fp, c)
}
