//! What Swift sends back in bodies, typed: container listing entries, SLO
//! manifest entries and bulk middleware reports. Read leniently, as the
//! clients users know read them: a field of an unexpected type counts as
//! absent rather than failing the whole listing (servers differ: Ceph RGW,
//! vendors' gateways), and unknown fields are ignored.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A field that is absent, or of another type, reads as `None`.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// One entry of a container listing (`format=json`). With a delimiter, a
/// pseudo-directory comes as an entry with only `subdir`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectEntry {
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub subdir: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub bytes: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub hash: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub content_type: Option<String>,
    /// Present (any value) for an SLO manifest.
    #[serde(default)]
    pub slo_etag: Option<Value>,
    #[serde(default, deserialize_with = "lenient")]
    pub version_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub last_modified: Option<String>,
}

impl ObjectEntry {
    /// The entry a listing page's JSON holds (an unreadable one is empty).
    pub fn of(v: &Value) -> ObjectEntry {
        ObjectEntry::deserialize(v).unwrap_or_default()
    }

    pub fn is_slo(&self) -> bool {
        self.slo_etag.is_some()
    }
}

/// One entry of an SLO manifest: `multipart-manifest=get&format=raw`
/// gives `path`, `etag`, `size_bytes`; without `format=raw` (and Ceph RGW)
/// `name`, `hash`, `bytes`, `sub_slo`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SloManifestEntry {
    #[serde(default, deserialize_with = "lenient")]
    path: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    etag: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    hash: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    size_bytes: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    bytes: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    sub_slo: Option<bool>,
    /// Only these bytes of the segment are part of the object ("a-b",
    /// "a-", "-n", as a Range header's spec).
    #[serde(default, deserialize_with = "lenient")]
    range: Option<String>,
}

impl SloManifestEntry {
    /// "/container/object" (quoted as the manifest holds it).
    pub fn path(&self) -> &str {
        self.path.as_deref().or(self.name.as_deref()).unwrap_or("")
    }
    pub fn etag(&self) -> &str {
        self.etag
            .as_deref()
            .or(self.hash.as_deref())
            .unwrap_or("")
            .trim_matches('"')
    }
    pub fn size(&self) -> u64 {
        self.size_bytes.or(self.bytes).unwrap_or(0)
    }
    /// The segment is itself an SLO manifest.
    pub fn is_sub_slo(&self) -> bool {
        self.sub_slo == Some(true)
    }
    /// Only part of the segment is in the object.
    pub fn has_range(&self) -> bool {
        self.range.as_deref().is_some_and(|r| !r.is_empty())
    }
}

/// The bulk middleware's answer to `?bulk-delete` and `?extract-archive`
/// (`Accept: application/json`): whitespace sent to keep the connection
/// alive while it works, then one JSON object.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BulkReport {
    /// `[[quoted path, "404 Not Found"], ...]`: the paths that failed.
    #[serde(rename = "Errors", default, deserialize_with = "lenient")]
    errors: Option<Vec<(String, String)>>,
    /// extract-archive: how many objects it created.
    #[serde(rename = "Number Files Created", default, deserialize_with = "lenient")]
    pub files_created: Option<u64>,
    /// The status of the operation as a whole ("201 Created", "400 Bad
    /// Request"): the HTTP status is 200 once the middleware has started.
    #[serde(rename = "Response Status", default, deserialize_with = "lenient")]
    pub response_status: Option<String>,
    /// Why, when the whole operation failed ("Invalid Tar File: ...").
    #[serde(rename = "Response Body", default, deserialize_with = "lenient")]
    pub response_body: Option<String>,
}

impl BulkReport {
    /// The report in a response body (leading keep-alive whitespace is
    /// skipped); None when the body is not one (no bulk middleware).
    pub fn parse(body: &str) -> Option<BulkReport> {
        serde_json::from_str(body).ok()
    }

    /// (unquoted path without its leading '/', status line) of each path
    /// that failed: "container/object" for both operations.
    pub fn failures(&self) -> impl Iterator<Item = (String, &str)> {
        self.errors.iter().flatten().map(|(path, status)| {
            let p = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            (p.trim_start_matches('/').to_string(), status.as_str())
        })
    }

    /// The numeric code of `Response Status` (0 when absent or unreadable).
    pub fn status_code(&self) -> u16 {
        status_code(self.response_status.as_deref().unwrap_or(""))
    }
}

/// The code of a status line such as "400 Bad Request" (0 if none).
pub fn status_code(line: &str) -> u16 {
    line.split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listing_entries_read_leniently() {
        let e = ObjectEntry::of(
            &json!({"name": "a", "bytes": 3, "hash": "h", "slo_etag": "x", "extra": 1}),
        );
        assert_eq!(
            (e.name.as_deref(), e.bytes, e.is_slo()),
            (Some("a"), Some(3), true)
        );
        let odd = ObjectEntry::of(&json!({"name": "b", "bytes": "3"}));
        assert_eq!(
            (odd.name.as_deref(), odd.bytes, odd.is_slo()),
            (Some("b"), None, false)
        );
        assert_eq!(
            ObjectEntry::of(&json!({"subdir": "d/"})).subdir.as_deref(),
            Some("d/")
        );
    }

    #[test]
    fn manifest_entries_in_both_spellings() {
        let raw: SloManifestEntry =
            serde_json::from_value(json!({"path": "/s/a%20b", "etag": "e", "size_bytes": 5}))
                .unwrap();
        assert_eq!((raw.path(), raw.etag(), raw.size()), ("/s/a%20b", "e", 5));
        let listed: SloManifestEntry = serde_json::from_value(
            json!({"name": "/s/n", "hash": "\"h\"", "bytes": 7, "sub_slo": true}),
        )
        .unwrap();
        assert_eq!(
            (listed.path(), listed.etag(), listed.size()),
            ("/s/n", "h", 7)
        );
        assert!(listed.is_sub_slo() && !raw.is_sub_slo());
    }

    #[test]
    fn bulk_report_failures() {
        let r: BulkReport = serde_json::from_value(json!({
            "Number Deleted": 1,
            "Errors": [["/c/a%20b", "404 Not Found"], ["/c/x", "409 Conflict"]],
        }))
        .unwrap();
        let f: Vec<(String, &str)> = r.failures().collect();
        assert_eq!(
            f,
            vec![
                ("c/a b".to_string(), "404 Not Found"),
                ("c/x".to_string(), "409 Conflict")
            ]
        );
        let none: BulkReport = serde_json::from_value(json!({"Errors": []})).unwrap();
        assert_eq!(none.failures().count(), 0);
    }

    #[test]
    fn extract_report_after_keep_alives() {
        let body =
            "   \r\n\r\n{\"Response Status\": \"400 Bad Request\", \"Response Body\": \"\", \
                    \"Number Files Created\": 2, \"Errors\": [[\"c/x%20y\", \"400 Bad Request\"]]}";
        let r = BulkReport::parse(body).unwrap();
        assert_eq!((r.files_created, r.status_code()), (Some(2), 400));
        assert_eq!(
            r.failures().next(),
            Some(("c/x y".to_string(), "400 Bad Request"))
        );
        assert!(BulkReport::parse("<html>201 Created</html>").is_none());
        assert_eq!(status_code("201 Created"), 201);
    }
}
