//! The request engine every call goes through: URL building, the token,
//! streaming request bodies, retries with exponential backoff and jitter
//! (honouring Retry-After), the single shared re-authentication on 401,
//! cancellation, and debug logging with secrets redacted.

use super::body::BodySource;
use super::events::emit;
use super::send_body;
use crate::client::Client;
use crate::error::{Error, Result, Status};
use crate::http;
use crate::log::{curl_line, Level};
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

/// A 422 answers a PUT whose body did not match the ETag sent with it: the
/// bytes were damaged on the way and the server stored nothing, so sending
/// them again (from a rewound source) is safe.
fn etag_refused(code: u16, call: &Call) -> bool {
    code == 422
        && call.method == Method::PUT
        && call
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("etag"))
}

/// The error for a Retry-After longer than the client will wait.
fn retry_after_too_long(e: Error, wait: Duration, limit: Duration) -> Error {
    let mut e = e.retryable(false);
    e.message.push_str(&format!(
        " (not retried: the server asks to wait {:.0} s, over max_retry_after = {:.0} s)",
        wait.as_secs_f64(),
        limit.as_secs_f64()
    ));
    e
}

/// Seconds from a Retry-After header (delta-seconds or HTTP date).
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?;
    retry_after_value(v, std::time::SystemTime::now())
}

/// The wait a Retry-After value asks for, at `now`.
pub(crate) fn retry_after_value(v: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<f64>() {
        // A wait too long for a Duration (1e300 s) is the longest one: over
        // any max_retry_after, so refused with its message, never a panic.
        return (s.is_finite() && s >= 0.0)
            .then(|| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX));
    }
    let t = httpdate::parse_http_date(v).ok()?;
    Some(t.duration_since(now).unwrap_or(Duration::ZERO))
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

/// A 401 for a client that cannot authenticate (a pre-authenticated token,
/// or a restored state without credentials) says why nothing was retried.
fn no_way_back(mut e: Error) -> Error {
    e.message.push_str(
        "; the token was refused and this client has no credentials to authenticate again",
    );
    e
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
    (token, service): (
        Option<&crate::auth::token::Token>,
        Option<&crate::auth::token::Token>,
    ),
    body: Option<&(dyn BodySource + '_)>,
) -> Vec<(String, String)> {
    let mut headers = call.headers.clone();
    if let (true, Some(t)) = (call.auth, token) {
        headers.push(("X-Auth-Token".into(), t.token.expose().to_string()));
    }
    if let (true, Some(t)) = (call.auth, service) {
        headers.push(("X-Service-Token".into(), t.token.expose().to_string()));
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
        Some(b) => {
            let etag = call
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
                .map(|(_, v)| v.as_str());
            let sending = send_body::send_with_body(rb, b, etag);
            match or_cancel(cancel, async { Ok(sending.await) }).await? {
                Err(e) => Err(e.with_request(call.method.as_str(), url)),
                Ok((r, p)) => Ok((r, Some(p))),
            }
        }
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
// Long (~135 lines) on purpose: the retry loop's decisions (success, one
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
    let mut service = if call.auth {
        or_cancel(cancel, client.service_token()).await?
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
        let headers = request_headers(
            client,
            call,
            (token.as_deref(), service.as_deref()),
            body.as_deref(),
        );
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
                // A token refused: authenticate again and retry. The first
                // time is free (a token expires or is revoked once in a
                // while); a token refused again — a token life of seconds
                // meeting a busy client, or a cluster handing out a token
                // about to expire — is tried again within the retry budget,
                // after a backoff, as any failure worth another try.
                if code == 401
                    && call.auth
                    && client.can_reauthenticate()
                    && (!reauthed || attempts <= s.retries)
                    && body.as_deref_mut().map_or(Ok(true), |b| b.rewind())?
                {
                    {
                        if reauthed {
                            sleep_or_cancel(backoff.next_delay(None), cancel).await?;
                        } else {
                            attempts -= 1; // the first re-auth is not charged to the budget
                        }
                        reauthed = true;
                        client.log(Level::Info, || {
                            "token rejected (401): authenticating again".into()
                        });
                        emit(
                            serde_json::json!({"event": "reauth", "method": call.method.as_str(), "url": crate::redact::redact_url(&url)}),
                        );
                        let stale = token.take().ok_or_else(|| Error::internal("no token"))?;
                        token = Some(or_cancel(cancel, client.token_after_reject(&stale)).await?);
                        if let Some(stale) = service.take() {
                            service = or_cancel(cancel, client.service_token_after_reject(&stale))
                                .await?;
                        }
                        continue;
                    }
                }
                let retry = http::retryable_code(code, s.retry_on_ratelimit)
                    || (etag_refused(code, call) && body.is_some());
                let wait = if retry { retry_after(&resp) } else { None };
                let e = http::status_error(
                    call.method.as_str(),
                    &url,
                    resp,
                    &format!("{} failed", call.method),
                )
                .await
                .retryable(retry);
                let e = if etag_refused(code, call) {
                    let mut e = e;
                    e.message.push_str(" (the body that arrived does not have the MD5 sent as its ETag: damaged on the way, or its source changed while being sent; nothing was stored)");
                    e
                } else {
                    e
                };
                let e = match wait {
                    Some(w) if w > s.max_retry_after => {
                        return Err(retry_after_too_long(e, w, s.max_retry_after).attempts(attempts))
                    }
                    _ => e,
                };
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

/// A request whose (small) body is read whole, with its response record.
pub struct Read {
    pub record: serde_json::Value,
    pub status: u16,
    pub url: String,
    pub body: String,
}

/// `execute`, then the whole body; a body broken on the way (a connection
/// reset, an idle timeout) is asked for again with the same retry budget
/// and backoff. For GETs whose body is read before anything is handed on
/// (listing pages, `/info`), so asking again repeats nothing; a download,
/// which hands bytes on as they come, resumes instead.
pub async fn execute_read(
    client: &Client,
    call: &Call,
    cancel: &CancellationToken,
) -> Result<Read> {
    let s = client.settings();
    let mut backoff = crate::backoff::Backoff::new(s.starting_backoff, s.max_backoff);
    let mut broken = 0u32;
    loop {
        let sent = execute(client, call, None, cancel).await?;
        let mut record = super::response_record(&sent.resp, sent.attempts);
        let status = sent.resp.status().as_u16();
        let url = sent.url;
        let read = or_cancel(cancel, async { Ok(sent.resp.bytes().await) }).await?;
        // The page is read (or lost): its share of a memory ceiling goes
        // back before the caller sends anything else.
        drop(sent.memory);
        let err = match read {
            Ok(b) => {
                record["attempts"] = serde_json::json!(sent.attempts + broken);
                let body = String::from_utf8_lossy(&b).into_owned();
                return Ok(Read {
                    record,
                    status,
                    url,
                    body,
                });
            }
            Err(e) => client
                .http()
                .transport_error(call.method.as_str(), &url, &e),
        };
        broken += 1;
        if !err.retryable || broken > s.retries {
            return Err(err.attempts(sent.attempts + broken - 1));
        }
        let delay = backoff.next_delay(None);
        announce_retry(client, call, &url, &err, broken, delay);
        sleep_or_cancel(delay, cancel).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_after_too_long_for_a_duration_is_the_longest_wait() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        // Found by the scalars fuzz target: Duration::from_secs_f64 panicked.
        let huge = "888888888888888888888888888888888888820";
        assert_eq!(retry_after_value(huge, now), Some(Duration::MAX));
        assert_eq!(
            retry_after_value(" 2.5 ", now),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(retry_after_value("-1", now), None);
        assert_eq!(retry_after_value("inf", now), None);
    }

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
}
