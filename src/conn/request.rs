//! The request engine every call goes through: URL building, the token,
//! streaming request bodies, retries with exponential backoff and jitter
//! (honouring Retry-After), the single shared re-authentication on 401,
//! cancellation, and debug logging with secrets redacted.

use super::body::{BodySource, CHUNK};
use super::events::emit;
use crate::client::Client;
use crate::error::{Error, Result, Status};
use crate::hex::hex;
use crate::http;
use crate::log::{curl_line, Level};
use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::Method;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What a URL is relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// The storage URL (`.../v1/AUTH_x`).
    Storage,
    /// The storage URL's scheme, host and port (for `/info`).
    Root,
    /// A full URL given by the caller.
    Absolute(String),
}

/// One logical request (which may take several attempts).
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub base: Base,
    /// Already percent-encoded path below the base ("" for the account).
    pub path: String,
    /// Query parameters, encoded here.
    pub query: Vec<(String, String)>,
    /// A caller's raw query string, appended verbatim.
    pub raw_query: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Send the token (false for `/info` and temp URLs).
    pub auth: bool,
    /// Buffer memory the response needs beyond a transfer's (a listing
    /// page), reserved with it under a memory ceiling.
    pub memory: u64,
}

impl Call {
    pub fn new(method: Method, path: String) -> Call {
        Call {
            method,
            base: Base::Storage,
            path,
            query: Vec::new(),
            raw_query: None,
            headers: Vec::new(),
            auth: true,
            memory: 0,
        }
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }

    /// The full URL, and the length of its base (the part before the
    /// call's own path).
    fn url(&self, storage_url: &str) -> Result<(String, usize)> {
        let base = match &self.base {
            Base::Storage => storage_url.trim_end_matches('/').to_string(),
            Base::Root => root_of(storage_url)?,
            Base::Absolute(u) => u.trim_end_matches('/').to_string(),
        };
        let base_len = base.len();
        let mut url = format!("{base}{}", self.path);
        let mut q: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        if let Some(r) = self
            .raw_query
            .as_deref()
            .map(|r| r.trim_start_matches('?'))
            .filter(|r| !r.is_empty())
        {
            q.push(r.to_string());
        }
        if !q.is_empty() {
            url.push('?');
            url.push_str(&q.join("&"));
        }
        Ok((url, base_len))
    }
}

thread_local! {
    /// The last base URL parsed on this thread.
    static BASE_URL: std::cell::RefCell<Option<(String, reqwest::Url)>> =
        const { std::cell::RefCell::new(None) };
}

/// `url` parsed as reqwest needs it. The base (`url[..base_len]`, the
/// storage URL) is parsed once per thread and reused; only the path and
/// query are set per request, which spares the host's parsing (IDNA
/// included) on every request. Gives exactly what parsing the whole URL
/// gives (tested); a URL with a fragment mark is parsed whole.
fn parse_url(url: &str, base_len: usize) -> Result<reqwest::Url> {
    let bad = |e: &dyn std::fmt::Display| {
        Error::invalid(format!(
            "bad URL \"{}\": {e}",
            crate::redact::redact_url(url)
        ))
    };
    let (base, rest) = url.split_at(base_len);
    if rest.contains('#') || base.contains(['?', '#']) {
        return reqwest::Url::parse(url).map_err(|e| bad(&e));
    }
    BASE_URL.with(|cell| {
        let mut cell = cell.borrow_mut();
        let parsed = match cell.as_ref() {
            Some((b, u)) if b == base => u.clone(),
            _ => {
                let u = reqwest::Url::parse(base).map_err(|e| bad(&e))?;
                *cell = Some((base.to_string(), u.clone()));
                u
            }
        };
        let mut u = parsed;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let base_path = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base_path}{path}"));
        u.set_query(query);
        Ok(u)
    })
}

/// `scheme://host[:port]` of a URL.
pub fn root_of(url: &str) -> Result<String> {
    let u = reqwest::Url::parse(url)
        .map_err(|e| Error::config("os_storage_url", format!("bad storage URL: {e}")))?;
    let mut root = format!("{}://{}", u.scheme(), u.host_str().unwrap_or(""));
    if let Some(p) = u.port() {
        root.push_str(&format!(":{p}"));
    }
    Ok(root)
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A successful response and what it took.
pub struct Sent {
    pub resp: reqwest::Response,
    pub attempts: u32,
    pub url: String,
    /// MD5 (hex) and length of the body sent, when there was one.
    pub sent: Option<(String, u64)>,
    /// Unix time at which the token for the last attempt was in hand
    /// (python-swiftclient's `auth_end_time`).
    pub auth_end: f64,
    /// This request's share of the client's memory ceiling: kept while
    /// the response's body is read.
    pub memory: Option<crate::memory::Reservation>,
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn retryable_status(code: u16, ratelimit: bool) -> bool {
    code >= 500 || code == 408 || code == 499 || (ratelimit && (code == 429 || code == 498))
}

/// Seconds from a Retry-After header (delta-seconds or HTTP date).
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(s) = v.parse::<f64>() {
        return (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s));
    }
    let t = httpdate::parse_http_date(v).ok()?;
    Some(
        t.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Sleeps, or returns `Cancelled` as soon as the token fires.
pub async fn sleep_or_cancel(d: Duration, cancel: &CancellationToken) -> Result<()> {
    tokio::select! {
        _ = cancel.cancelled() => Err(cancelled()),
        _ = tokio::time::sleep(d) => Ok(()),
    }
}

pub fn cancelled() -> Error {
    Error::new(Status::Cancelled, "cancelled")
}

/// Runs `fut` unless `cancel` fires first.
pub async fn or_cancel<T>(
    cancel: &CancellationToken,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(cancelled()),
        r = fut => r,
    }
}

/// Streams `body` into a request, reading it on this task, and returns the
/// request's outcome with the MD5 and length of what was read; an error
/// when the body source failed (the request's outcome is then moot). A body
/// of known length up to one chunk is read first and sent whole: one write
/// for headers and body, no channel, no stream.
async fn send_with_body(
    rb: reqwest::RequestBuilder,
    body: &mut dyn BodySource,
) -> Result<(
    std::result::Result<reqwest::Response, reqwest::Error>,
    (String, u64),
)> {
    if let Some(len) = body.len().filter(|&l| l <= CHUNK as u64) {
        let buf = read_small(body, len as usize)?;
        let digest = hex(&Md5::digest(&buf));
        let n = buf.len() as u64;
        return Ok((rb.body(buf).send().await, (digest, n)));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<std::result::Result<Bytes, std::io::Error>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let send = rb.body(reqwest::Body::wrap_stream(stream)).send();
    let pump = async move {
        let mut md5 = Md5::new();
        let mut total = 0u64;
        let known = body.len();
        loop {
            let buf = match next_chunk(body, known, total) {
                Ok(Some(buf)) => buf,
                Ok(None) => break,
                Err(e) => {
                    // Fails the request: nothing is stored.
                    let _ = tx
                        .send(Err(std::io::Error::other("body source failed")))
                        .await;
                    return Err(e);
                }
            };
            md5.update(&buf);
            total += buf.len() as u64;
            if tx.send(Ok(Bytes::from(buf))).await.is_err() {
                // The request ended before the body did (error or early answer).
                break;
            }
            if known == Some(total) {
                break;
            }
        }
        Ok((hex(&md5.finalize()), total))
    };
    let (r, pumped) = tokio::join!(send, pump);
    pumped.map(|p| (r, p))
}

/// The next chunk of a streamed body (`None` at its end), held to its
/// announced length: a source that ends early, or gives more than it
/// announced, is an error before the chunk that completes the length goes
/// out, because a server that has every announced byte stores the object
/// (cut short, if the source had more).
fn next_chunk(
    body: &mut dyn BodySource,
    known: Option<u64>,
    total: u64,
) -> Result<Option<Vec<u8>>> {
    // No bigger than what is left of a body of known length, +1 to see a
    // source that goes on past it.
    let want = known.map_or(CHUNK, |l| (l.saturating_sub(total) as usize + 1).min(CHUNK));
    let mut buf = vec![0u8; want];
    let n = body.read(&mut buf)?;
    buf.truncate(n);
    let Some(l) = known else {
        return Ok((n > 0).then_some(buf));
    };
    let now = total + n as u64;
    let too_long = || {
        Error::invalid(format!(
            "the upload source gave more than the {l} bytes announced"
        ))
    };
    if n == 0 && now < l {
        return Err(Error::invalid(format!(
            "the upload source ended after {now} of the {l} bytes announced"
        )));
    }
    if now > l {
        return Err(too_long());
    }
    if n > 0 && now == l && body.read(&mut [0u8; 1])? > 0 {
        return Err(too_long());
    }
    Ok((n > 0).then_some(buf))
}

/// A 401 for a client that cannot authenticate (a pre-authenticated token,
/// or a restored state without credentials) says why nothing was retried.
fn no_way_back(mut e: Error) -> Error {
    e.message.push_str(
        "; the token was refused and this client has no credentials to authenticate again",
    );
    e
}

/// Reads a body of announced length `len` (small) whole. A source that
/// gives fewer or more bytes than it announced is an error: sending it
/// would contradict the Content-Length already set.
fn read_small(body: &mut dyn BodySource, len: usize) -> Result<Vec<u8>> {
    // One byte of room past the end, to see a source longer than announced.
    let mut buf = vec![0u8; len + 1];
    let mut got = 0;
    while got < buf.len() {
        let n = body.read(&mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if got != len {
        return Err(Error::invalid(format!(
            "the upload source gave {} bytes where {len} were announced",
            if got > len {
                format!("more than {len}")
            } else {
                got.to_string()
            }
        )));
    }
    buf.truncate(len);
    Ok(buf)
}

/// A body's framing is the source's announced length (checked as it is
/// sent); a caller's own would let the server cut the body short.
fn check_no_framing(call: &Call) -> Result<()> {
    match call.headers.iter().find(|(k, _)| {
        k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding")
    }) {
        Some((k, _)) => Err(super::invalid_field(
            "headers",
            format!("header \"{k}\" is set by the library from the body's length; do not give it"),
        )),
        None => Ok(()),
    }
}

/// The headers of one attempt: the call's, the token, the tracing id and
/// the body's length.
fn request_headers(
    client: &Client,
    call: &Call,
    token: Option<&crate::auth::token::Token>,
    body: Option<&(dyn BodySource + '_)>,
) -> Vec<(String, String)> {
    let mut headers = call.headers.clone();
    if let (true, Some(t)) = (call.auth, token) {
        headers.push(("X-Auth-Token".into(), t.token.expose().to_string()));
    }
    // A caller's own X-Trans-Id-Extra replaces the operation's or the
    // client's (one header, not two that Swift would join).
    if !call.has_header("x-trans-id-extra") {
        let extra = super::events::trans_id_extra();
        let extra = extra
            .as_deref()
            .unwrap_or(&client.settings().trans_id_extra);
        headers.push(("X-Trans-Id-Extra".into(), extra.to_string()));
    }
    if let Some(len) = body.and_then(|b| b.len()) {
        if !call.has_header("content-length") {
            headers.push(("Content-Length".into(), len.to_string()));
        }
    }
    headers
}

/// The outcome of sending a request once, and what its body was.
type Attempt = (
    std::result::Result<reqwest::Response, reqwest::Error>,
    Option<(String, u64)>,
);

/// Sends one attempt (logged as a curl line, secrets redacted).
async fn send_once(
    client: &Client,
    call: &Call,
    (url, base_len): (&str, usize),
    headers: &[(String, String)],
    body: Option<&mut (dyn BodySource + '_)>,
    cancel: &CancellationToken,
) -> Result<Attempt> {
    client.log(Level::Debug, || {
        curl_line(call.method.as_str(), url, headers)
    });
    let parsed = parse_url(url, base_len)?;
    let mut rb = client.http().request(call.method.clone(), parsed);
    for (k, v) in headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    match body {
        Some(b) => match or_cancel(cancel, async { Ok(send_with_body(rb, b).await) }).await? {
            Err(e) => Err(e.with_request(call.method.as_str(), url)),
            Ok((r, p)) => Ok((r, Some(p))),
        },
        None => Ok((
            or_cancel(cancel, async { Ok(rb.send().await) }).await?,
            None,
        )),
    }
}

/// Logs and reports a retry about to be waited for.
fn announce_retry(
    client: &Client,
    call: &Call,
    url: &str,
    err: &Error,
    attempts: u32,
    delay: Duration,
) {
    let s = client.settings();
    client.log(Level::Info, || {
        format!(
            "{}; retrying in {:.2}s (attempt {} of {})",
            err.message,
            delay.as_secs_f64(),
            attempts + 1,
            s.retries + 1
        )
    });
    emit(serde_json::json!({
        "event": "retry", "method": call.method.as_str(), "url": crate::redact::redact_url(url),
        "attempt": attempts + 1, "delay": delay.as_secs_f64(), "error": err.message,
        "http_status": err.http_status,
    }));
}

/// Executes a call with the client's retry policy. Non-2xx answers become
/// errors (after retries, where retryable).
// Long (~125 lines) on purpose: the retry loop's decisions (success, one
// re-authentication on 401, retryable or not, the budget, rewinding the
// body) read best in one place; its steps are the functions above.
pub async fn execute(
    client: &Client,
    call: &Call,
    mut body: Option<&mut dyn BodySource>,
    cancel: &CancellationToken,
) -> Result<Sent> {
    let s = client.settings();
    if body.is_some() {
        check_no_framing(call)?;
    }
    // The token is needed to send it, or to know the storage URL.
    let need_token = call.auth || !matches!(call.base, Base::Absolute(_));
    let mut token = if need_token {
        Some(or_cancel(cancel, client.token()).await?)
    } else {
        None
    };
    // Waited for before anything is sent, holding nothing else.
    let mut memory = match client.memory() {
        Some(b) => Some(
            b.transfer(crate::memory::PER_TRANSFER + call.memory, cancel)
                .await?,
        ),
        None => None,
    };
    let mut attempts = 0u32;
    let mut reauthed = false;
    let mut backoff = crate::backoff::Backoff::new(s.starting_backoff, s.max_backoff);
    loop {
        attempts += 1;
        let auth_end = unix_now();
        let storage_url = token
            .as_ref()
            .map(|t| t.storage_url.clone())
            .unwrap_or_default();
        let (url, base_len) = call.url(&storage_url)?;
        let headers = request_headers(client, call, token.as_deref(), body.as_deref());
        let (outcome, sent) = send_once(
            client,
            call,
            (&url, base_len),
            &headers,
            body.as_deref_mut(),
            cancel,
        )
        .await
        .map_err(|e| e.attempts(attempts))?;
        let (err, wait) = match outcome {
            Ok(resp) => {
                let code = resp.status().as_u16();
                client.log(Level::Debug, || {
                    format!(
                        "{} {} -> {code} (txn {})",
                        call.method,
                        crate::redact::redact_url(&url),
                        http::transaction_id(resp.headers()).unwrap_or_default()
                    )
                });
                if resp.status().is_success() {
                    return Ok(Sent {
                        resp,
                        attempts,
                        url,
                        sent,
                        auth_end,
                        memory: memory.take(),
                    });
                }
                if code == 401
                    && !reauthed
                    && call.auth
                    && client.can_reauthenticate()
                    && body.as_deref_mut().map_or(Ok(true), |b| b.rewind())?
                {
                    {
                        reauthed = true;
                        attempts -= 1; // the re-auth retry is not charged to the budget
                        client.log(Level::Info, || {
                            "token rejected (401): authenticating again".into()
                        });
                        emit(
                            serde_json::json!({"event": "reauth", "method": call.method.as_str(), "url": crate::redact::redact_url(&url)}),
                        );
                        let stale = token.take().ok_or_else(|| Error::internal("no token"))?;
                        token = Some(or_cancel(cancel, client.token_after_reject(&stale)).await?);
                        continue;
                    }
                }
                let retry = retryable_status(code, s.retry_on_ratelimit);
                let wait = if retry { retry_after(&resp) } else { None };
                let e = http::status_error(
                    call.method.as_str(),
                    &url,
                    resp,
                    &format!("{} failed", call.method),
                )
                .await;
                let e = if code == 401 && call.auth && !client.can_reauthenticate() {
                    no_way_back(e)
                } else {
                    e
                };
                if !retry {
                    return Err(e.attempts(attempts));
                }
                (e, wait)
            }
            Err(e) => {
                let e = client
                    .http()
                    .transport_error(call.method.as_str(), &url, &e);
                if !e.retryable {
                    return Err(e.attempts(attempts));
                }
                (e, None)
            }
        };
        if attempts > s.retries {
            return Err(err.attempts(attempts));
        }
        if let Some(b) = body.as_deref_mut() {
            if !b.rewind()? {
                let mut e = err.attempts(attempts);
                e.message.push_str(" (not retried: the upload source cannot be rewound; give a path, a seekable fd, a buffer, or a rewind callback)");
                return Err(e);
            }
        }
        let delay = backoff.next_delay(wait);
        announce_retry(client, call, &url, &err, attempts, delay);
        sleep_or_cancel(delay, cancel).await?;
        if s.force_auth_retry && call.auth && client.can_reauthenticate() {
            token = Some(or_cancel(cancel, client.reauthenticate()).await?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::body::BytesSource;

    #[test]
    fn urls_from_a_parsed_base_are_what_whole_parsing_gives() {
        let bases = [
            "http://127.0.0.1:8080/v1/AUTH_test",
            "https://swift.example.com/v1/AUTH_a%20b",
            "http://[::1]:8080/swift/v1",
            "http://h",
            "HTTP://Example.COM:80/v1/AUTH_x",
        ];
        let rests = [
            "",
            "/c",
            "/c/o%20name",
            "/c/a/../b",
            "/c/./x//y/",
            "/c/%E2%9C%93?format=json&marker=a%2Fb",
            "?format=json",
            "/c/o?multipart-manifest=get&version-id=1.2",
            "/c/o?q=a b",
            "/c/o#frag",
            "/c/o?x=1#frag",
            "/c/ü é",
        ];
        for _ in 0..2 {
            for b in bases {
                for r in rests {
                    let full = format!("{b}{r}");
                    let whole = reqwest::Url::parse(&full).unwrap();
                    let fast = parse_url(&full, b.len()).unwrap();
                    assert_eq!(fast.as_str(), whole.as_str(), "{full}");
                }
            }
        }
        assert_eq!(
            parse_url("no scheme/x", 9).unwrap_err().status,
            Status::InvalidArgument
        );
    }

    /// A source that announces one length and gives another.
    struct Liar(BytesSource<Vec<u8>>, u64);
    impl BodySource for Liar {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
            self.0.read(buf)
        }
        fn rewind(&mut self) -> Result<bool> {
            self.0.rewind()
        }
        fn len(&self) -> Option<u64> {
            Some(self.1)
        }
    }

    #[test]
    fn a_small_body_is_read_whole_and_must_match_its_length() {
        let mut ok = BytesSource::new(b"hello".to_vec());
        assert_eq!(read_small(&mut ok, 5).unwrap(), b"hello");
        let e = read_small(&mut Liar(BytesSource::new(b"hello".to_vec()), 4), 4).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{e}");
        assert!(e.message.contains("more than 4 bytes where 4"), "{e}");
        let e = read_small(&mut Liar(BytesSource::new(b"hi".to_vec()), 5), 5).unwrap_err();
        assert!(e.message.contains("gave 2 bytes where 5"), "{e}");
    }

    /// Gives at most 7 bytes a read, as a pipe might.
    struct Trickle(Liar);
    impl BodySource for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
            let n = buf.len().min(7);
            self.0.read(&mut buf[..n])
        }
        fn rewind(&mut self) -> Result<bool> {
            self.0.rewind()
        }
        fn len(&self) -> Option<u64> {
            self.0.len()
        }
    }

    /// Reads a streamed body to its end the way the request does.
    fn stream_all(body: &mut dyn BodySource) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let known = body.len();
        while let Some(c) = next_chunk(body, known, out.len() as u64)? {
            out.extend(c);
            if known == Some(out.len() as u64) {
                break;
            }
        }
        Ok(out)
    }

    #[test]
    fn a_streamed_body_must_match_its_length_before_its_last_chunk_goes() {
        let data: Vec<u8> = (0..100u8).collect();
        let liar = |len| Liar(BytesSource::new(data.clone()), len);
        assert_eq!(stream_all(&mut liar(100)).unwrap(), data);
        assert_eq!(stream_all(&mut Trickle(liar(100))).unwrap(), data);
        // Longer than announced: refused, whether the extra bytes come with
        // the last announced ones or only in the read after them.
        for e in [
            stream_all(&mut liar(70)).unwrap_err(),
            stream_all(&mut Trickle(liar(70))).unwrap_err(),
        ] {
            assert_eq!(e.status, Status::InvalidArgument, "{e}");
            assert!(e.message.contains("more than the 70 bytes"), "{e}");
        }
        let e = stream_all(&mut Trickle(liar(130))).unwrap_err();
        assert!(e.message.contains("ended after 100 of the 130"), "{e}");
        let mut unknown = BytesSource::new(data.clone());
        assert_eq!(next_chunk(&mut unknown, None, 0).unwrap().unwrap(), data);
    }
}
