//! v1 auth (tempauth, swauth, and vendors such as ViPR / ECS): a GET on the
//! auth URL with the user and key in headers; the storage URL and token come
//! back in headers.

use super::AuthResult;
use crate::auth::credentials::{AuthVersion, Secret, V1Credentials};
use crate::error::{Error, Result, Status};
use crate::http;
use std::time::{Duration, SystemTime};

/// `have_url`: a storage URL is configured (`os_storage_url`), so an
/// answer without X-Storage-Url is fine (some vendors send only a token;
/// python-swiftclient then uses the configured URL too).
pub async fn authenticate(
    client: &crate::http::Http,
    c: &V1Credentials,
    have_url: bool,
) -> Result<AuthResult> {
    let (user_h, key_h) = if c.storage_headers {
        ("X-Storage-User", "X-Storage-Pass")
    } else {
        ("X-Auth-User", "X-Auth-Key")
    };
    let resp = client
        .get(&c.auth_url)
        .header(user_h, &c.user)
        .header(key_h, c.key.expose())
        .send()
        .await
        .map_err(|e| client.transport_error("GET", &c.auth_url, &e))?;
    if !resp.status().is_success() {
        let mut e = http::status_error("GET", &c.auth_url, resp, "v1 authentication failed").await;
        if e.http_status.is_some_and(|s| s < 500) && e.status != Status::NotFound {
            e.status = Status::Auth;
        }
        return Err(e);
    }
    let h = resp.headers();
    let Some(Answer {
        token,
        storage_url,
        expires,
    }) = read_answer(h, have_url, SystemTime::now())
    else {
        let mut e = Error::new(
            Status::Auth,
            "v1 auth answered without X-Storage-Url and a token (X-Storage-Token or X-Auth-Token)",
        )
        .with_request("GET", &c.auth_url);
        e.http_status = Some(resp.status().as_u16());
        e.transaction_id = http::transaction_id(h);
        return Err(e);
    };
    Ok(AuthResult {
        storage_url: storage_url.to_string(),
        token: Secret::new(token),
        expires,
        version: AuthVersion::V1,
        project: None,
        access: None,
    })
}

/// What a successful v1 answer's headers give.
pub(crate) struct Answer<'a> {
    pub token: &'a str,
    pub storage_url: &'a str,
    pub expires: Option<SystemTime>,
}

/// Reads the token, storage URL and expiry from a v1 answer's headers
/// (None when the token or the URL is missing). Apart from the network
/// call so the fuzz targets (src/fuzzing.rs) reach it.
pub(crate) fn read_answer(
    h: &reqwest::header::HeaderMap,
    have_url: bool,
    now: SystemTime,
) -> Option<Answer<'_>> {
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let token = get("x-storage-token").or_else(|| get("x-auth-token"))?;
    // Replaced by the configured URL afterwards (auth::authenticate).
    let storage_url = get("x-storage-url").or(have_url.then_some(""))?;
    let expires = get("x-auth-token-expires")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        // An expiry too far for a Duration or a SystemTime (1e300 s) is no
        // expiry the client can act on: as if none was sent, not a panic.
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .and_then(|d| now.checked_add(d));
    Some(Answer {
        token,
        storage_url,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn an_expiry_too_far_away_reads_as_none() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        let mut h = HeaderMap::new();
        h.insert("x-auth-token", HeaderValue::from_static("AUTH_tk1"));
        h.insert(
            "x-storage-url",
            HeaderValue::from_static("http://s/v1/AUTH_a"),
        );
        // Found by the auth fuzz target: Duration::from_secs_f64 panicked.
        h.insert("x-auth-token-expires", HeaderValue::from_static("1e300"));
        let a = read_answer(&h, false, now).unwrap();
        assert_eq!(
            (a.token, a.storage_url, a.expires),
            ("AUTH_tk1", "http://s/v1/AUTH_a", None)
        );
        h.insert("x-auth-token-expires", HeaderValue::from_static("86399.5"));
        let a = read_answer(&h, false, now).unwrap();
        assert_eq!(a.expires, Some(now + Duration::from_secs_f64(86399.5)));
    }
}
