//! Keystone version discovery, as keystoneclient does it: an auth URL that
//! names no version (`http://host:5000`, `https://cloud/identity`) is asked
//! for its version document once per client, and v3 is preferred when the
//! server offers it. A version the caller asked for always wins (no
//! discovery then); a server that gives no usable document keeps the
//! version inferred from the options.

use crate::auth::credentials::{AuthVersion, KeystoneCredentials, Ref};
use crate::http::Http;
use serde_json::Value;

/// The version and versioned URL the document at `root` offers, if any.
pub async fn discover(http: &Http, root: &str) -> Option<(AuthVersion, String)> {
    let resp = http
        .get(root)
        .header("Accept", "application/json")
        .send()
        .await
        .ok()?;
    // Keystone answers 300 Multiple Choices (or 200 for one version).
    if !(resp.status().is_success() || resp.status().as_u16() == 300) {
        return None;
    }
    let doc: Value = resp.json().await.ok()?;
    choose(&doc)
}

/// v3 if offered and usable, else v2.0; the entry's self link is the URL.
pub fn choose(doc: &Value) -> Option<(AuthVersion, String)> {
    let entries: Vec<&Value> = match &doc["versions"] {
        Value::Object(m) => m.get("values")?.as_array()?.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => vec![doc.get("version")?],
    };
    let usable = |e: &&&Value| {
        matches!(
            e["status"].as_str().map(str::to_ascii_lowercase).as_deref(),
            Some("stable" | "current" | "supported")
        )
    };
    let href = |e: &Value| {
        e["links"].as_array()?.iter().find(|l| l["rel"] == "self")?["href"]
            .as_str()
            .map(|h| h.trim_end_matches('/').to_string())
    };
    for (prefix, version) in [("v3", AuthVersion::V3), ("v2.0", AuthVersion::V2)] {
        if let Some(e) = entries
            .iter()
            .filter(usable)
            .find(|e| e["id"].as_str().is_some_and(|i| i.starts_with(prefix)))
        {
            return Some((version, href(e)?));
        }
    }
    None
}

/// `k` for the discovered version: its URL, and for v3 the Default domain
/// for a user or project named without one (as the inferred v2 had none).
pub fn apply(k: &KeystoneCredentials, found: &(AuthVersion, String)) -> KeystoneCredentials {
    let mut k = k.clone();
    k.version = found.0;
    k.auth_url = found.1.clone();
    if k.version == AuthVersion::V3 {
        let default = || Some(Ref::Id("default".into()));
        if matches!(k.user, Some(Ref::Name(_))) && k.user_domain.is_none() {
            k.user_domain = default();
        }
        if matches!(k.project, Some(Ref::Name(_))) && k.project_domain.is_none() {
            k.project_domain = k.user_domain.clone().or_else(default);
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefers_v3() {
        let doc = json!({"versions": {"values": [
            {"id": "v2.0", "status": "deprecated", "links": [{"rel": "self", "href": "http://k/v2.0/"}]},
            {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "http://k/v3/"}]}]}});
        assert_eq!(choose(&doc), Some((AuthVersion::V3, "http://k/v3".into())));
        let v2 = json!({"versions": {"values": [
            {"id": "v2.0", "status": "stable", "links": [{"rel": "self", "href": "http://k/identity/v2.0/"}]}]}});
        assert_eq!(
            choose(&v2),
            Some((AuthVersion::V2, "http://k/identity/v2.0".into()))
        );
        let one = json!({"version": {"id": "v3.0", "status": "current", "links": [{"rel": "self", "href": "http://k/v3"}]}});
        assert_eq!(choose(&one), Some((AuthVersion::V3, "http://k/v3".into())));
        assert_eq!(choose(&json!({"error": "x"})), None);
        assert_eq!(
            choose(&json!({"versions": {"values": [{"id": "v3", "status": "experimental"}]}})),
            None
        );
    }
}
