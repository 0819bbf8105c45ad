//! Per-call options (one JSON object per call; unknown keys are errors).

use crate::error::{Error, Result};
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// Parses a JSON object into `T` key by key, so an error names its key.
/// `None`, "" and "null" give `T::default()`. `what` names the text in
/// messages, and is the error's key when the text is wrong as a whole.
pub fn parse<T: DeserializeOwned + Default>(text: Option<&str>, what: &str) -> Result<T> {
    parse_arg(text, what, what)
}

/// A bulk operation's request, from the C argument `request_json`.
pub fn parse_request<T: DeserializeOwned + Default>(text: Option<&str>) -> Result<T> {
    parse_arg(text, "request_json", "request")
}

/// `parse` for a text a C argument carried: when the text is wrong as a
/// whole (not JSON, not an object) the error's key is the argument's name
/// (`arg`), so the record names what the caller passed; an error inside
/// the object names its key, as always.
pub fn parse_arg<T: DeserializeOwned + Default>(
    text: Option<&str>,
    arg: &str,
    what: &str,
) -> Result<T> {
    let text = match text.map(str::trim) {
        None | Some("") | Some("null") => return Ok(T::default()),
        Some(t) => t,
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::config(arg, format!("{what} are not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(Error::config(arg, format!("{what} must be a JSON object")));
    };
    for (k, v) in &map {
        let mut one = serde_json::Map::new();
        one.insert(k.clone(), v.clone());
        if let Err(e) = serde_json::from_value::<T>(Value::Object(one)) {
            let msg = e.to_string();
            let msg = if msg.starts_with("unknown field") {
                format!("unknown option \"{k}\" in {what}")
            } else {
                format!("option \"{k}\" in {what}: {msg}")
            };
            return Err(Error::config(k, msg));
        }
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| Error::config(arg, format!("{what}: {e}")))
}

/// Request headers as given: names and values checked for HTTP validity
/// (values may hold UTF-8, as Swift metadata does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Headers, D::Error> {
        let map = serde_json::Map::<String, Value>::deserialize(d)?;
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            // Only strings: a number or a boolean would have to be spelt
            // one way or another on the wire, which is the caller's call.
            let Value::String(v) = v else {
                return Err(serde::de::Error::custom(format!(
                    "the value of header \"{k}\" must be a string, not {v}"
                )));
            };
            if HeaderName::from_bytes(k.as_bytes()).is_err() {
                return Err(serde::de::Error::custom(format!(
                    "\"{k}\" is not a valid header name"
                )));
            }
            if HeaderValue::from_bytes(v.as_bytes()).is_err() {
                return Err(serde::de::Error::custom(format!(
                    "the value of header \"{k}\" has control characters"
                )));
            }
            out.push((k, v));
        }
        Ok(Headers(out))
    }
}

/// Options every call takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequestOpts {
    /// Extra request headers.
    pub headers: Headers,
    /// A raw query string appended to the URL (e.g. "multipart-manifest=get").
    pub query: Option<String>,
}

/// Account and container listings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListOpts {
    pub headers: Headers,
    pub query: Option<String>,
    pub marker: Option<String>,
    pub end_marker: Option<String>,
    /// Page size (default 10 000, the server's maximum).
    pub limit: Option<u64>,
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub path: Option<String>,
    pub reverse: bool,
    /// List object versions (`versions` + `version_marker` paging).
    pub versions: bool,
    pub version_marker: Option<String>,
    /// Keep fetching pages until the end (default: one page).
    pub full_listing: bool,
    /// With full_listing: stop only at an empty page, for servers that
    /// return short pages before the end.
    pub fetch_until_empty_page: bool,
}

/// Object downloads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GetOpts {
    pub headers: Headers,
    pub query: Option<String>,
    /// Verify MD5 (plain objects) and length (default true).
    pub checksum: bool,
    /// Resume a body that breaks mid-way with Range + If-Match (default true).
    pub resume: bool,
}

impl Default for GetOpts {
    fn default() -> GetOpts {
        GetOpts {
            headers: Headers::default(),
            query: None,
            checksum: true,
            resume: true,
        }
    }
}

/// Object uploads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PutOpts {
    pub headers: Headers,
    pub query: Option<String>,
    /// Sent as ETag: Swift rejects the upload (SWC_E_CHECKSUM) on mismatch.
    /// Without it (and with `checksum`), a source that can be read twice
    /// is hashed first and its MD5 sent (`BodySource::content_md5`).
    pub etag: Option<String>,
    pub content_type: Option<String>,
    /// Compare the MD5 of what was sent with the returned ETag (default true).
    pub checksum: bool,
}

impl Default for PutOpts {
    fn default() -> PutOpts {
        PutOpts {
            headers: Headers::default(),
            query: None,
            etag: None,
            content_type: None,
            checksum: true,
        }
    }
}

/// Server-side copy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CopyOpts {
    pub headers: Headers,
    pub query: Option<String>,
    /// "/container/object" (or "container/object").
    pub destination: String,
    pub destination_account: Option<String>,
    /// X-Fresh-Metadata: do not copy the source's metadata.
    pub fresh_metadata: Option<bool>,
}

/// `/info`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InfoOpts {
    pub headers: Headers,
    /// A proxy URL (its `/info` is fetched); default: the storage URL's host.
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_key() {
        let e = parse::<ListOpts>(Some(r#"{"limt": 5}"#), "listing options").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("limt"));
        let e = parse::<ListOpts>(Some(r#"{"limit": "x"}"#), "listing options").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("limit"));
        let e =
            parse::<RequestOpts>(Some(r#"{"headers": {"Bad Name": "v"}}"#), "options").unwrap_err();
        assert!(e.message.contains("Bad Name"), "{}", e.message);
        let e =
            parse::<RequestOpts>(Some(r#"{"headers": {"X-A": "a\nb"}}"#), "options").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("headers"));
        let o = parse::<RequestOpts>(
            Some(r#"{"headers": {"X-Object-Meta-Name": "ünï", "X-N": "5"}}"#),
            "o",
        )
        .unwrap();
        assert_eq!(o.headers.0.len(), 2);
        for bad in [
            r#"{"X-N": 5}"#,
            r#"{"X-N": true}"#,
            r#"{"X-N": null}"#,
            r#"{"X-N": ["a"]}"#,
        ] {
            let e =
                parse::<RequestOpts>(Some(&format!(r#"{{"headers": {bad}}}"#)), "o").unwrap_err();
            assert_eq!(e.key.as_deref(), Some("headers"), "{bad}");
            assert!(
                e.message.contains("\"X-N\" must be a string"),
                "{}",
                e.message
            );
        }
        assert!(parse::<GetOpts>(None, "o").unwrap().checksum);
    }
}
