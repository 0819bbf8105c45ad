//! Temporary URLs, signed exactly as python-swiftclient's
//! `generate_temp_url`: HMAC over `[ip=<range>\n]<METHOD>\n<expires>\n
//! [prefix:]<path>` with SHA-1, SHA-256 (default) or SHA-512 (base64, with
//! a `sha512:` prefix); expiry as seconds (relative, with s/m/min/h/hr/d
//! suffixes), a Unix time (`absolute`), or an ISO 8601 time
//! (`YYYY-MM-DDThh:mm:ssZ` in UTC; without `Z`, or a bare date, in local
//! time); optional ISO 8601 output, prefix-based URLs, IP ranges, and the
//! `/info` form.

use crate::error::{Error, Result};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TempUrlRequest {
    /// "/v1/AUTH_a/c/o" (or "/v1/AUTH_a/c/prefix" with `prefix`, or
    /// "/info"); a full URL keeps its scheme and host in the result.
    pub path: String,
    /// Lifetime or expiry: see the module docs. A number or a string.
    #[serde(deserialize_with = "string_or_number")]
    pub seconds: String,
    /// The account's or container's Temp-URL-Key.
    pub key: String,
    /// The method the URL is for; GET when not given (an empty method
    /// would sign a URL every request is refused with).
    pub method: String,
    pub absolute: bool,
    pub prefix: bool,
    pub iso8601: bool,
    pub ip_range: Option<String>,
    /// "sha1", "sha256" (default) or "sha512".
    pub digest: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        o => Err(serde::de::Error::custom(format!(
            "must be a string or a number, not {o}"
        ))),
    }
}

const TIME_ERR: &str =
    "time must either be a whole number or in specific ISO 8601 format (YYYY-MM-DDThh:mm:ssZ, YYYY-MM-DDThh:mm:ss, YYYY-MM-DD)";

/// Python's `float()` on a string: surrounding whitespace, signs,
/// exponents, inf/nan, and single underscores between digits.
fn python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let b = t.as_bytes();
    let mut cleaned = String::with_capacity(t.len());
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let ok =
                i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
            if !ok {
                return None;
            }
        } else {
            cleaned.push(c as char);
        }
    }
    let lower = cleaned.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if !matches!(body, "inf" | "infinity" | "nan")
        && !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

/// Digits for a strptime field: between 1 and `max` of them.
fn digits(s: &[u8], i: &mut usize, min: usize, max: usize) -> Option<i64> {
    let start = *i;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        return None;
    }
    std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
}

/// (year, month, day, hour, minute, second, utc) for python-swiftclient's
/// three formats, parsed as `time.strptime` does (case-insensitive, 1–2
/// digit fields).
fn parse_iso(s: &str) -> Option<(i64, i64, i64, i64, i64, i64, bool)> {
    let b = s.as_bytes();
    let mut i = 0;
    let y = digits(b, &mut i, 4, 4)?;
    let dash = |i: &mut usize| (b.get(*i) == Some(&b'-')).then(|| *i += 1);
    dash(&mut i)?;
    let mo = digits(b, &mut i, 1, 2)?;
    dash(&mut i)?;
    let d = digits(b, &mut i, 1, 2)?;
    let valid_date = (1..=12).contains(&mo) && d >= 1 && d <= days_in_month(y, mo);
    if i == b.len() {
        return valid_date.then_some((y, mo, d, 0, 0, 0, false));
    }
    if !matches!(b.get(i), Some(b'T' | b't')) {
        return None;
    }
    i += 1;
    let h = digits(b, &mut i, 1, 2)?;
    (b.get(i) == Some(&b':')).then(|| i += 1)?;
    let mi = digits(b, &mut i, 1, 2)?;
    (b.get(i) == Some(&b':')).then(|| i += 1)?;
    let se = digits(b, &mut i, 1, 2)?;
    let utc = match &b[i..] {
        [] => false,
        [b'Z' | b'z'] => true,
        _ => return None,
    };
    (valid_date && h <= 23 && mi <= 59 && se <= 61).then_some((y, mo, d, h, mi, se, utc))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// calendar.timegm.
fn timegm(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + s
}

/// time.mktime on a local time (DST decided by the C library).
fn mktime_local(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    // SAFETY: a zeroed tm filled in field by field; mktime only reads and
    // normalises it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = (y - 1900) as i32;
    tm.tm_mon = (mo - 1) as i32;
    tm.tm_mday = d as i32;
    tm.tm_hour = h as i32;
    tm.tm_min = mi as i32;
    tm.tm_sec = s as i32;
    tm.tm_isdst = -1;
    // SAFETY: tm is a valid, initialised struct.
    let t = unsafe { libc::mktime(&mut tm) };
    (t != -1).then_some(t)
}

/// python-swiftclient's `parse_timestamp`: (value, absolute).
pub fn parse_timestamp(seconds: &str, absolute: bool) -> Result<(i64, bool)> {
    let err = || Error::config("seconds", TIME_ERR);
    if let Some(f) = python_float(seconds) {
        if !f.is_finite() || f.fract() != 0.0 || f < 0.0 || f > i64::MAX as f64 {
            return Err(err());
        }
        return Ok((f as i64, absolute));
    }
    if let Some((y, mo, d, h, mi, s, utc)) = parse_iso(seconds) {
        let t = if utc {
            timegm(y, mo, d, h, mi, s)
        } else {
            mktime_local(y, mo, d, h, mi, s).ok_or_else(err)?
        };
        return Ok((t, true));
    }
    if absolute {
        return Err(err());
    }
    for (suffix, mult) in [
        ("s", 1.0),
        ("m", 60.0),
        ("min", 60.0),
        ("h", 3600.0),
        ("hr", 3600.0),
        ("d", 86400.0),
    ] {
        if let Some(num) = seconds.strip_suffix(suffix) {
            let f = python_float(num).ok_or_else(err)?;
            let v = (mult * f).trunc();
            if !v.is_finite() || v.abs() > i64::MAX as f64 {
                return Err(err());
            }
            return Ok((v as i64, false));
        }
    }
    Err(err())
}

/// The key to sign with. An empty key would sign with nothing a server
/// checks against: every such URL or form is refused, so it is an error
/// here, before a useless signature is handed out.
fn signing_key(key: &str) -> Result<&[u8]> {
    if key.is_empty() {
        return Err(Error::config(
            "key",
            "\"key\" (the account's or container's Temp-URL-Key) is missing or empty",
        ));
    }
    Ok(key.as_bytes())
}

fn hmac_bytes<M: Mac + hmac::digest::KeyInit>(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m =
        <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// Signs a temp URL. `now` is the current Unix time (for relative
/// lifetimes).
/// The path part as Python's `urlparse` gives it, which `swift tempurl`
/// signs: without a fragment, a query, or the last segment's `;params`.
fn url_path(s: &str) -> String {
    let s = &s[..s.find(['?', '#']).unwrap_or(s.len())];
    let last = s.rfind('/').map_or(0, |i| i + 1);
    match s[last..].find(';') {
        Some(i) => s[..last + i].to_string(),
        None => s.to_string(),
    }
}

pub fn generate(r: &TempUrlRequest, now: f64) -> Result<String> {
    let (ts, absolute) = parse_timestamp(&r.seconds, r.absolute)?;
    // A full URL keeps its origin; the path is what is signed.
    let (origin, path) = match r.path.split_once("://") {
        Some((scheme, rest)) if matches!(scheme, "http" | "https") => {
            let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            (
                format!("{scheme}://{}", &rest[..cut]),
                url_path(&rest[cut..]),
            )
        }
        _ => (String::new(), url_path(&r.path)),
    };
    let digest = r.digest.as_deref().unwrap_or("sha256");
    if !matches!(digest, "sha1" | "sha256" | "sha512") {
        return Err(Error::config(
            "digest",
            "digest must be one of sha1, sha256, or sha512",
        ));
    }
    let parts: Vec<&str> = path.splitn(5, '/').collect();
    let info = path == "/info";
    let (prefix, ip_range) = if info {
        (false, None)
    } else {
        (r.prefix, r.ip_range.clone())
    };
    if !info {
        let need = if prefix { 4 } else { 5 };
        if parts.len() != 5 || !parts[0].is_empty() || parts[1..need].iter().any(|p| p.is_empty()) {
            return Err(Error::config(
                "path",
                if prefix {
                    "path must at least contain /v1/a/c/"
                } else {
                    "path must be full path to an object e.g. /v1/a/c/o"
                },
            ));
        }
    }
    let method = match r.method.trim() {
        "" => "GET".to_string(),
        m => m.to_uppercase(),
    };
    let expiration = if absolute {
        ts
    } else {
        (now + ts as f64).floor() as i64
    };
    let mut body = format!(
        "{method}\n{expiration}\n{}{path}",
        if prefix { "prefix:" } else { "" }
    );
    if let Some(ip) = ip_range.as_deref().filter(|s| !s.is_empty()) {
        body = format!("ip={ip}\n{body}");
    }
    let key = signing_key(&r.key)?;
    let sig = match digest {
        "sha1" => crate::hex::hex(&hmac_bytes::<Hmac<sha1::Sha1>>(key, body.as_bytes())),
        "sha256" => crate::hex::hex(&hmac_bytes::<Hmac<sha2::Sha256>>(key, body.as_bytes())),
        _ => format!(
            "sha512:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(hmac_bytes::<Hmac<sha2::Sha512>>(key, body.as_bytes()))
        ),
    };
    let exp = if r.iso8601 {
        let t = time::OffsetDateTime::from_unix_timestamp(expiration)
            .map_err(|_| Error::config("seconds", TIME_ERR))?;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        expiration.to_string()
    };
    let mut url = if info {
        format!("{path}?swiftinfo_sig={sig}&swiftinfo_expires={exp}")
    } else {
        format!("{path}?temp_url_sig={sig}&temp_url_expires={exp}")
    };
    if let Some(ip) = ip_range.as_deref().filter(|s| !s.is_empty()) {
        url.push_str(&format!("&temp_url_ip_range={ip}"));
    }
    if prefix {
        url.push_str(&format!("&temp_url_prefix={}", parts[4]));
    }
    Ok(format!("{origin}{url}"))
}

/// A FormPost form's signature request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormPostRequest {
    /// The form's target: "/v1/AUTH_a/container[/object_prefix]".
    pub path: String,
    /// Where to send the browser after the upload ("" for none).
    pub redirect: String,
    pub max_file_size: u64,
    pub max_file_count: u64,
    /// Lifetime, as for temp URLs (relative seconds, suffixes, absolute,
    /// ISO 8601).
    #[serde(deserialize_with = "string_or_number")]
    pub seconds: String,
    pub absolute: bool,
    pub key: String,
    /// "sha1", "sha256" (default) or "sha512" (hex, as the formpost
    /// middleware expects).
    pub digest: Option<String>,
}

/// The hidden fields of a FormPost form: HMAC over
/// `path\nredirect\nmax_file_size\nmax_file_count\nexpires`.
pub fn formpost(r: &FormPostRequest, now: f64) -> Result<Value> {
    let (ts, absolute) = parse_timestamp(&r.seconds, r.absolute)?;
    let expires = if absolute {
        ts
    } else {
        (now + ts as f64).floor() as i64
    };
    let parts: Vec<&str> = r.path.splitn(4, '/').collect();
    if parts.len() < 4 || !parts[0].is_empty() || parts[1..4].iter().any(|p| p.is_empty()) {
        return Err(Error::config(
            "path",
            "path must be /v1/<account>/<container>[/<object prefix>]",
        ));
    }
    if r.max_file_count == 0 || r.max_file_size == 0 {
        return Err(Error::config(
            "max_file_count",
            "max_file_size and max_file_count must be at least 1",
        ));
    }
    let body = format!(
        "{}\n{}\n{}\n{}\n{expires}",
        r.path, r.redirect, r.max_file_size, r.max_file_count
    );
    let key = signing_key(&r.key)?;
    let signature = match r.digest.as_deref().unwrap_or("sha256") {
        "sha1" => crate::hex::hex(&hmac_bytes::<Hmac<sha1::Sha1>>(key, body.as_bytes())),
        "sha256" => crate::hex::hex(&hmac_bytes::<Hmac<sha2::Sha256>>(key, body.as_bytes())),
        "sha512" => crate::hex::hex(&hmac_bytes::<Hmac<sha2::Sha512>>(key, body.as_bytes())),
        _ => {
            return Err(Error::config(
                "digest",
                "digest must be one of sha1, sha256, or sha512",
            ))
        }
    };
    Ok(serde_json::json!({
        "path": r.path, "redirect": r.redirect, "max_file_size": r.max_file_size,
        "max_file_count": r.max_file_count, "expires": expires, "signature": signature,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("60", false).unwrap(), (60, false));
        assert_eq!(parse_timestamp(" 1_000 ", true).unwrap(), (1000, true));
        assert_eq!(parse_timestamp("2m", false).unwrap(), (120, false));
        assert_eq!(parse_timestamp("2min", false).unwrap(), (120, false));
        assert_eq!(parse_timestamp("1.5hr", false).unwrap(), (5400, false));
        assert_eq!(
            parse_timestamp("2026-01-01T00:00:00Z", false).unwrap(),
            (1_767_225_600, true)
        );
        assert_eq!(
            parse_timestamp("2026-1-1t0:0:0z", false).unwrap(),
            (1_767_225_600, true)
        );
        for bad in [
            "1.5",
            "-1",
            "nan",
            "2m",
            "2026-02-30",
            "soon",
            "1_",
            "2026-01-01T24:00:00Z",
        ] {
            assert!(parse_timestamp(bad, bad == "2m").is_err(), "{bad}");
        }
    }
}
