//! python-swiftclient's `header` ("Name: value") and `meta` ("name:value")
//! option lists, turned into request headers.

use crate::conn::opts::Headers;
use crate::error::{Error, Result};

/// Parses `header` entries ("Name: value").
pub fn from_header_list(list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|h| {
            let (k, v) = h.split_once(':').ok_or_else(|| {
                Error::config("header", format!("header \"{h}\" is not \"Name: value\""))
            })?;
            let k = k.trim();
            if k.is_empty() || reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err() {
                return Err(Error::config(
                    "header",
                    format!("\"{k}\" is not a valid header name"),
                ));
            }
            Ok((k.to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Parses `meta` entries ("name:value") into `X-<kind>-Meta-name` headers.
pub fn from_meta_list(kind: &str, list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|m| {
            let (k, v) = m.split_once(':').ok_or_else(|| {
                Error::config("meta", format!("meta \"{m}\" is not \"name:value\""))
            })?;
            let name = format!("X-{kind}-Meta-{}", k.trim());
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(Error::config(
                    "meta",
                    format!("\"{}\" is not a valid metadata name", k.trim()),
                ));
            }
            Ok((name, v.to_string()))
        })
        .collect()
}

pub fn to_opts(headers: Vec<(String, String)>) -> crate::conn::opts::RequestOpts {
    crate::conn::opts::RequestOpts {
        headers: Headers(headers),
        query: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(
            from_header_list(&["X-A: b c".into()]).unwrap(),
            vec![("X-A".into(), "b c".into())]
        );
        assert!(from_header_list(&["nocolon".into()]).is_err());
        assert_eq!(
            from_meta_list("Object", &["Colour:blue:ish".into()]).unwrap(),
            vec![("X-Object-Meta-Colour".into(), "blue:ish".into())]
        );
        assert_eq!(
            from_meta_list("Object", &["bad name:x".into()])
                .unwrap_err()
                .key
                .as_deref(),
            Some("meta")
        );
    }
}
