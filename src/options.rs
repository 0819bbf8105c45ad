//! Client options: one JSON object (python-swiftclient's option names), the
//! `ST_*` / `OS_*` environment the `swift` command reads, defaults, and the
//! options as given: [`crate::settings`] validates them into `Settings`,
//! [`crate::auth::credentials`] into the way to authenticate.
//!
//! Unknown keys and wrong types are configuration errors naming the key.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Every option a client accepts. Key names follow python-swiftclient's
/// `SwiftService` options dictionary (`auth`, `user`, `key`, `os_*`), plus a
/// few of our own (marked "ours").
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Auth URL (`ST_AUTH`); `os_auth_url` is the Keystone spelling.
    pub auth: Option<String>,
    pub os_auth_url: Option<String>,
    /// "1.0", "2.0" or "3" (also accepts 1, 2, 3 and "v3"-style spellings).
    #[serde(deserialize_with = "string_or_number")]
    pub auth_version: Option<String>,
    /// v1 user (`account:user` for tempauth) or Keystone user name.
    pub user: Option<String>,
    /// v1 key or Keystone password.
    pub key: Option<String>,
    pub os_username: Option<String>,
    pub os_password: Option<String>,
    pub os_user_id: Option<String>,
    pub os_user_domain_id: Option<String>,
    pub os_user_domain_name: Option<String>,
    pub os_tenant_id: Option<String>,
    pub os_tenant_name: Option<String>,
    pub os_project_id: Option<String>,
    pub os_project_name: Option<String>,
    pub os_project_domain_id: Option<String>,
    pub os_project_domain_name: Option<String>,
    /// Ours: scope the v3 token to a domain instead of a project.
    pub os_domain_id: Option<String>,
    pub os_domain_name: Option<String>,
    /// password | v2password | v3password | token | v3token |
    /// v3applicationcredential | v1password.
    pub os_auth_type: Option<String>,
    /// A token: used as-is with `os_storage_url`, or as the Keystone token
    /// method when there is no storage URL.
    pub os_auth_token: Option<String>,
    /// Storage URL: skips the catalog (and, with a token, the auth call).
    pub os_storage_url: Option<String>,
    pub os_application_credential_id: Option<String>,
    /// Ours (python-swiftclient lacks it): app credential by name + user.
    pub os_application_credential_name: Option<String>,
    pub os_application_credential_secret: Option<String>,
    pub os_service_type: Option<String>,
    /// Ours: filter the catalog by service name as well.
    pub os_service_name: Option<String>,
    pub os_endpoint_type: Option<String>,
    pub os_region_name: Option<String>,
    /// CA bundle file, added to the system roots (or the only roots, with
    /// `cacert_only`).
    pub os_cacert: Option<String>,
    /// Ours: CA certificates as inline PEM text (same use as os_cacert).
    pub cacert_pem: Option<String>,
    /// Ours: trust only os_cacert / cacert_pem, not the system roots.
    pub cacert_only: Option<bool>,
    pub os_cert: Option<String>,
    pub os_key: Option<String>,
    pub insecure: Option<bool>,
    /// Ours: v1 header spelling, "auth" (X-Auth-User/X-Auth-Key, default)
    /// or "storage" (X-Storage-User/X-Storage-Pass, e.g. ViPR / ECS).
    pub auth_headers: Option<String>,
    pub retries: Option<u32>,
    pub starting_backoff: Option<f64>,
    pub max_backoff: Option<f64>,
    /// Ours: the longest Retry-After honoured (default 300 s); a server
    /// asking for longer fails the request at once, saying so.
    pub max_retry_after: Option<f64>,
    pub retry_on_ratelimit: Option<bool>,
    pub force_auth_retry: Option<bool>,
    /// Idle-read timeout in seconds.
    pub timeout: Option<f64>,
    /// Ours: connect timeout in seconds (default 10).
    pub connect_timeout: Option<f64>,
    /// Ours: re-authenticate this many seconds before the token expires
    /// (default 120, as keystoneauth).
    pub token_refresh_margin: Option<f64>,
    /// Ours: User-Agent header.
    pub user_agent: Option<String>,
    /// Ours: sent as X-Trans-Id-Extra on every request, so server logs can
    /// be joined with the caller's (default: a random id per client).
    pub trans_id_extra: Option<String>,
    /// Ours: an HTTP proxy for every request (see `crate::proxy`).
    pub proxy: Option<String>,
    /// Ours: hosts that bypass `proxy` (comma-separated).
    pub no_proxy: Option<String>,
    /// Ours: honour http_proxy/https_proxy/all_proxy/no_proxy from the
    /// environment when `proxy` is not given (default true, as curl).
    pub use_environment_proxy: Option<bool>,
    /// python-swiftclient's SwiftService options, as client-wide defaults
    /// for the bulk operations' concurrency (a request's own value wins).
    pub object_dd_threads: Option<usize>,
    pub object_uu_threads: Option<usize>,
    pub container_threads: Option<usize>,
    pub segment_threads: Option<usize>,
    /// Ours: a ceiling, in bytes, on the buffer memory of all this client's
    /// operations and calls together (see `memory`).
    pub memory_limit: Option<u64>,
    /// python-swiftclient's: accepted and ignored (TLS compression is off).
    pub ssl_compression: Option<bool>,
    /// Ours: the secret (v1 key, Keystone password, application credential
    /// secret) is not in the options: a credential callback gives it at
    /// each authentication.
    pub credentials_from_callback: Option<bool>,
    /// python-swiftclient's logging switches: the level a log callback set
    /// with SWC_LOG_FROM_OPTIONS takes (debug, then info/verbose ≥ 2).
    pub debug: Option<bool>,
    pub info: Option<bool>,
    pub verbose: Option<u32>,
    /// openstacksdk's: the name of a cloud in clouds.yaml (and
    /// secure.yaml), whose entry gives the options not set otherwise (see
    /// `crate::clouds`); `OS_CLOUD` in the environment.
    pub cloud: Option<String>,
    /// Ours: the clouds.yaml to read `cloud` from, instead of looking in
    /// openstacksdk's places.
    pub clouds_file: Option<String>,
    /// python-swiftclient's `os_options` service credentials: a second
    /// Keystone identity whose token goes with every storage request as
    /// X-Service-Token (see `crate::auth::service_token`).
    pub service_username: Option<String>,
    pub service_key: Option<String>,
    pub service_project_name: Option<String>,
    /// Ours: the service identity by id, and its domains.
    pub service_user_id: Option<String>,
    pub service_project_id: Option<String>,
    pub service_user_domain_name: Option<String>,
    pub service_user_domain_id: Option<String>,
    pub service_project_domain_name: Option<String>,
    pub service_project_domain_id: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "invalid type: {other}, expected a string or a number"
        ))),
    }
}

/// Stands for a secret the credential callback gives at authentication.
impl Options {
    /// Parses a JSON object. `None`, empty and `"null"` give defaults. Errors
    /// are [`Status::Config`] and name the offending key.
    pub fn from_json(text: Option<&str>) -> Result<Options> {
        let text = match text.map(str::trim) {
            None | Some("") | Some("null") => return Ok(Options::default()),
            Some(t) => t,
        };
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::config("", format!("options are not valid JSON: {e}")))?;
        Options::from_value(value)
    }

    pub fn from_value(value: Value) -> Result<Options> {
        let map = match value {
            Value::Object(m) => m,
            Value::Null => return Ok(Options::default()),
            other => {
                return Err(Error::config(
                    "",
                    format!("options must be a JSON object, not {}", json_kind(&other)),
                ))
            }
        };
        // Check key by key so the error names the key and says what was wrong.
        for (k, v) in &map {
            let mut one = serde_json::Map::new();
            one.insert(k.clone(), v.clone());
            if let Err(e) = Options::deserialize(Value::Object(one)) {
                let msg = e.to_string();
                let msg = if msg.starts_with("unknown field") {
                    format!("unknown option \"{k}\"")
                } else {
                    format!("option \"{k}\": {msg}")
                };
                return Err(Error::config(k, msg));
            }
        }
        Options::deserialize(Value::Object(map)).map_err(|e| Error::config("", e.to_string()))
    }

    /// Options from the environment, read the way python-swiftclient's `swift`
    /// command reads it. `lookup` is `std::env::var` in production.
    pub fn from_env_with(lookup: &dyn Fn(&str) -> Option<String>) -> Options {
        let get = |k: &str| lookup(k).filter(|v| !v.is_empty());
        let insecure = get("SWIFTCLIENT_INSECURE").map(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on" | "y" | "t"
            )
        });
        Options {
            auth: get("ST_AUTH"),
            user: get("ST_USER"),
            key: get("ST_KEY"),
            // As the swift command reads them, in this order.
            auth_version: get("ST_AUTH_VERSION")
                .or_else(|| get("OS_AUTH_VERSION"))
                .or_else(|| get("OS_IDENTITY_API_VERSION")),
            os_auth_url: get("OS_AUTH_URL"),
            os_username: get("OS_USERNAME"),
            os_password: get("OS_PASSWORD"),
            os_user_id: get("OS_USER_ID"),
            os_user_domain_id: get("OS_USER_DOMAIN_ID"),
            os_user_domain_name: get("OS_USER_DOMAIN_NAME"),
            os_tenant_id: get("OS_TENANT_ID"),
            os_tenant_name: get("OS_TENANT_NAME"),
            os_project_id: get("OS_PROJECT_ID"),
            os_project_name: get("OS_PROJECT_NAME"),
            os_project_domain_id: get("OS_PROJECT_DOMAIN_ID"),
            os_project_domain_name: get("OS_PROJECT_DOMAIN_NAME"),
            os_domain_id: get("OS_DOMAIN_ID"),
            os_domain_name: get("OS_DOMAIN_NAME"),
            os_auth_type: get("OS_AUTH_TYPE"),
            os_auth_token: get("OS_AUTH_TOKEN"),
            os_storage_url: get("OS_STORAGE_URL"),
            os_application_credential_id: get("OS_APPLICATION_CREDENTIAL_ID"),
            os_application_credential_name: get("OS_APPLICATION_CREDENTIAL_NAME"),
            os_application_credential_secret: get("OS_APPLICATION_CREDENTIAL_SECRET"),
            os_service_type: get("OS_SERVICE_TYPE"),
            os_service_name: get("OS_SERVICE_NAME"),
            os_endpoint_type: get("OS_ENDPOINT_TYPE").or_else(|| get("OS_INTERFACE")),
            os_region_name: get("OS_REGION_NAME"),
            os_cacert: get("OS_CACERT"),
            os_cert: get("OS_CERT"),
            os_key: get("OS_KEY"),
            insecure,
            cloud: get("OS_CLOUD"),
            ..Options::default()
        }
    }

    /// Overwrites the secrets these options hold (keys, passwords, tokens,
    /// application-credential secrets), for options about to be dropped:
    /// the client keeps its own copies, which it overwrites when freed.
    pub fn wipe_secrets(&mut self) {
        for s in [
            &mut self.key,
            &mut self.os_password,
            &mut self.os_auth_token,
            &mut self.os_application_credential_secret,
            &mut self.service_key,
        ]
        .into_iter()
        .flatten()
        {
            zeroize::Zeroize::zeroize(s);
        }
    }

    pub fn from_env() -> Options {
        Options::from_env_with(&|k| std::env::var(k).ok())
    }

    /// `self` with every option set in `over` replacing ours. Derived from
    /// the struct through serde (every field, present and future, takes
    /// part), not from a hand-kept field list: one of those once dropped
    /// three options. The copies made on the way, and `self`, have their
    /// secrets overwritten.
    pub fn overlay(mut self, over: &Options) -> Result<Options> {
        let mut merged = self.to_map()?;
        self.wipe_secrets();
        for (k, mut v) in over.to_map()? {
            if !v.is_null() {
                if let Some(mut old) = merged.insert(k, v.take()) {
                    wipe_json(&mut old);
                }
            }
        }
        let mut merged = Value::Object(merged);
        let r = Options::deserialize(&merged)
            .map_err(|e| Error::internal(format!("merging options: {e}")));
        wipe_json(&mut merged);
        r
    }

    /// Every option as a JSON map, unset ones `null`.
    fn to_map(&self) -> Result<serde_json::Map<String, Value>> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(Error::internal("options did not serialise to an object")),
            Err(e) => Err(Error::internal(format!("serialising options: {e}"))),
        }
    }

    /// The name of every option a client accepts (sorted).
    pub fn keys() -> Vec<String> {
        Options::default()
            .to_map()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// Overwrites every string in `v` (option maps may hold secrets).
fn wipe_json(v: &mut Value) {
    match v {
        Value::String(s) => zeroize::Zeroize::zeroize(s),
        Value::Array(a) => a.iter_mut().for_each(wipe_json),
        Value::Object(m) => m.values_mut().for_each(wipe_json),
        _ => {}
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use serde_json::json;

    fn parse(s: &str) -> Result<Options> {
        Options::from_json(Some(s))
    }

    /// Every option, set to a value of its type.
    fn every_option_set() -> Options {
        let mut all = serde_json::Map::new();
        for k in Options::keys() {
            let fits = [json!("x"), json!(true), json!(7), json!(2.5)]
                .into_iter()
                .find(|v| Options::from_value(json!({ k.clone(): v })).is_ok())
                .unwrap_or_else(|| panic!("no value fits option {k}"));
            all.insert(k, fits);
        }
        let o = Options::from_value(Value::Object(all)).unwrap();
        assert_ne!(o, Options::default());
        o
    }

    #[test]
    fn overlay_keeps_every_option() {
        let all = every_option_set();
        assert!(Options::keys().len() > 50);
        assert_eq!(Options::default().overlay(&all).unwrap(), all);
        assert_eq!(all.clone().overlay(&Options::default()).unwrap(), all);
        let env = Options::from_env_with(&|_| None);
        assert_eq!(env.overlay(&all).unwrap(), all);
    }

    #[test]
    fn secrets_are_overwritten() {
        let mut o =
            parse(r#"{"auth": "http://h/auth/v1.0", "user": "u", "key": "s3cret"}"#).unwrap();
        let key = o.key.as_ref().unwrap();
        let (ptr, len) = (key.as_ptr(), key.len());
        o.wipe_secrets();
        // The buffer is still allocated (the string is only cleared).
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
        assert!(bytes.iter().all(|b| *b == 0), "{bytes:?}");
        assert_eq!(o.key.as_deref(), Some(""));
    }

    #[test]
    fn unknown_key_is_named() {
        let e = parse(r#"{"auth":"http://h/auth/v1.0","bogus_key":1}"#).unwrap_err();
        assert_eq!(e.status, Status::Config);
        assert_eq!(e.key.as_deref(), Some("bogus_key"));
        assert!(e.message.contains("bogus_key"));
    }

    #[test]
    fn wrong_type_is_named() {
        let e = parse(r#"{"retries":"five"}"#).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("retries"));
        assert!(e.message.contains("retries"), "{}", e.message);
        let e = parse(r#"{"insecure":"yes"}"#).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("insecure"));
    }

    #[test]
    fn not_an_object_or_bad_json() {
        assert_eq!(parse("[1]").unwrap_err().status, Status::Config);
        assert_eq!(parse("{").unwrap_err().status, Status::Config);
        assert_eq!(Options::from_json(None).unwrap(), Options::default());
        assert_eq!(parse("null").unwrap(), Options::default());
    }

    #[test]
    fn env_like_swift_command() {
        let env = |k: &str| match k {
            "ST_AUTH" => Some("http://h/auth/v1.0".to_string()),
            "ST_USER" => Some("a:b".to_string()),
            "ST_KEY" => Some("k".to_string()),
            "SWIFTCLIENT_INSECURE" => Some("true".to_string()),
            "OS_CACERT" => Some("/x.pem".to_string()),
            _ => None,
        };
        let o = Options::from_env_with(&env);
        assert_eq!(o.auth.as_deref(), Some("http://h/auth/v1.0"));
        assert_eq!(o.insecure, Some(true));
        assert_eq!(o.os_cacert.as_deref(), Some("/x.pem"));
        let over = parse(r#"{"key":"other"}"#).unwrap();
        assert_eq!(o.overlay(&over).unwrap().key.as_deref(), Some("other"));
        // The auth version: ST_AUTH_VERSION, then OS_AUTH_VERSION, then
        // OS_IDENTITY_API_VERSION, as the swift command reads them.
        const ALL: [(&str, &str); 3] = [
            ("ST_AUTH_VERSION", "1.0"),
            ("OS_AUTH_VERSION", "2.0"),
            ("OS_IDENTITY_API_VERSION", "3"),
        ];
        for (from, want) in [(0, "1.0"), (1, "2.0"), (2, "3")] {
            let set = &ALL[from..];
            let lookup = |k: &str| {
                set.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            };
            assert_eq!(
                Options::from_env_with(&lookup).auth_version.as_deref(),
                Some(want)
            );
        }
    }
}
