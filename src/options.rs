//! Client options: one JSON object (python-swiftclient's option names), the
//! `ST_*` / `OS_*` environment the `swift` command reads, defaults, and the
//! validation that turns them into an [`AuthConfig`].
//!
//! Unknown keys and wrong types are configuration errors naming the key.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::time::Duration;

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
const CALLBACK_SECRET: &str = "(from the credential callback)";

/// What authenticating a client without a way to do it says.
pub const NO_WAY_TO_AUTHENTICATE: &str =
    "no way to authenticate: give an auth URL with credentials, or os_storage_url with os_auth_token";

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
    /// three options.
    pub fn overlay(self, over: &Options) -> Result<Options> {
        let mut merged = self.to_map()?;
        for (k, v) in over.to_map()? {
            if !v.is_null() {
                merged.insert(k, v);
            }
        }
        Options::deserialize(Value::Object(merged))
            .map_err(|e| Error::internal(format!("merging options: {e}")))
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

    /// Validates everything that can be checked without the network and
    /// resolves the authentication method.
    pub fn resolve(&self) -> Result<Settings> {
        let secs =
            |key: &str, v: Option<f64>, default: f64, allow_zero: bool| -> Result<Duration> {
                let v = v.unwrap_or(default);
                if !v.is_finite() || v < 0.0 || (!allow_zero && v == 0.0) || v > 1.0e9 {
                    return Err(Error::config(
                        key,
                        format!("option \"{key}\" must be a positive number of seconds, got {v}"),
                    ));
                }
                Ok(Duration::from_secs_f64(v))
            };
        let retries = self.retries.unwrap_or(5);
        if retries > 1000 {
            return Err(Error::config(
                "retries",
                "option \"retries\" must be at most 1000",
            ));
        }
        let auth = if self.credentials_from_callback == Some(true) {
            let mut auth = self.with_secret_placeholders().resolve_auth()?;
            auth.secrets_from_callback = auth.credentials.is_some();
            auth
        } else {
            self.resolve_auth()?
        };
        Ok(Settings {
            auth,
            retries,
            starting_backoff: secs("starting_backoff", self.starting_backoff, 1.0, true)?,
            max_backoff: secs("max_backoff", self.max_backoff, 64.0, true)?,
            retry_on_ratelimit: self.retry_on_ratelimit.unwrap_or(true),
            force_auth_retry: self.force_auth_retry.unwrap_or(false),
            timeout: secs("timeout", self.timeout, 60.0, false)?,
            connect_timeout: secs("connect_timeout", self.connect_timeout, 10.0, false)?,
            refresh_margin: secs(
                "token_refresh_margin",
                self.token_refresh_margin,
                120.0,
                true,
            )?,
            tls: TlsSettings {
                insecure: self.insecure.unwrap_or(false),
                cacert: self.os_cacert.clone(),
                cacert_pem: self.cacert_pem.clone(),
                cacert_only: self.cacert_only.unwrap_or(false),
                cert: self.os_cert.clone(),
                cert_key: self.os_key.clone(),
            },
            user_agent: match &self.user_agent {
                Some(ua) if reqwest::header::HeaderValue::from_str(ua).is_err() => {
                    return Err(Error::config(
                        "user_agent",
                        "option \"user_agent\" must be a valid header value: printable text without control characters (CR, LF, NUL...)",
                    ))
                }
                Some(ua) => ua.clone(),
                None => format!("libswiftclient/{}", env!("CARGO_PKG_VERSION")),
            },
            proxy: crate::proxy::ProxyOptions {
                url: match self.proxy.as_deref().filter(|p| !p.is_empty()) {
                    Some(p) => Some(crate::proxy::check_url("proxy", p)?.to_string()),
                    None => None,
                },
                no_proxy: self.no_proxy.clone(),
                use_environment: self.use_environment_proxy.unwrap_or(true),
            },
            threads: ThreadDefaults {
                object_dd: thread_option("object_dd_threads", self.object_dd_threads)?,
                object_uu: thread_option("object_uu_threads", self.object_uu_threads)?,
                container: thread_option("container_threads", self.container_threads)?,
                segment: thread_option("segment_threads", self.segment_threads)?,
            },
            log_level: if self.debug == Some(true) {
                crate::log::Level::Debug
            } else if self.info == Some(true) || self.verbose.unwrap_or(1) >= 2 {
                crate::log::Level::Info
            } else {
                crate::log::Level::Warn
            },
            trans_id_extra: match &self.trans_id_extra {
                Some(t)
                    if t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    return Err(Error::config(
                        "trans_id_extra",
                        "option \"trans_id_extra\" must be 1 to 64 printable ASCII characters",
                    ))
                }
                Some(t) => t.clone(),
                None => format!("swc-{:016x}", fastrand::u64(..)),
            },
        })
    }

    fn resolve_auth(&self) -> Result<AuthConfig> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let auth_url = nonempty(&self.auth).or_else(|| nonempty(&self.os_auth_url));
        let storage_url = nonempty(&self.os_storage_url);
        let token = nonempty(&self.os_auth_token);
        if let Some(u) = &storage_url {
            check_url("os_storage_url", u)?;
        }
        if let Some(u) = &auth_url {
            check_url(
                if self.auth.is_some() {
                    "auth"
                } else {
                    "os_auth_url"
                },
                u,
            )?;
        }

        let version = self.resolve_version()?;
        let credentials = match (&auth_url, version) {
            (None, _) => None,
            (Some(url), AuthVersion::V1) => {
                let user = nonempty(&self.user).or_else(|| nonempty(&self.os_username));
                let key = nonempty(&self.key).or_else(|| nonempty(&self.os_password));
                match (user, key) {
                    (Some(user), Some(key)) => Some(Credentials::V1(V1Credentials {
                        auth_url: url.clone(),
                        user,
                        key: Secret::new(key),
                        storage_headers: match self.auth_headers.as_deref() {
                            None | Some("auth") => false,
                            Some("storage") => true,
                            Some(o) => {
                                return Err(Error::config(
                                    "auth_headers",
                                    format!("option \"auth_headers\" must be \"auth\" or \"storage\", got \"{o}\""),
                                ))
                            }
                        },
                    })),
                    _ if token.is_some() && storage_url.is_some() => None,
                    _ => {
                        return Err(Error::config(
                            if nonempty(&self.user).is_none() { "user" } else { "key" },
                            "v1 auth needs \"auth\", \"user\" and \"key\"",
                        ))
                    }
                }
            }
            (Some(url), v) => Some(Credentials::Keystone(Box::new(self.keystone_credentials(
                url,
                v,
                token.clone(),
            )?))),
        };
        if credentials.is_none() && (storage_url.is_none() || token.is_none()) {
            if !self.names_a_way_to_authenticate() {
                // No options at all: a client that can be given them later
                // (the environment, a saved auth state). Authenticating it
                // is the error (`NO_WAY_TO_AUTHENTICATE`).
                return Ok(AuthConfig {
                    credentials: None,
                    storage_url_override: None,
                    preauth_token: None,
                    secrets_from_callback: false,
                });
            }
            return Err(Error::config(
                if auth_url.is_none() {
                    "auth"
                } else {
                    "os_auth_token"
                },
                NO_WAY_TO_AUTHENTICATE,
            ));
        }
        let preauth = match (&storage_url, &token) {
            (Some(_), Some(t)) if !matches!(&credentials, Some(Credentials::Keystone(k)) if k.method == KeystoneMethod::Token) => {
                Some(Secret::new(t.clone()))
            }
            _ => None,
        };
        Ok(AuthConfig {
            credentials,
            storage_url_override: storage_url,
            preauth_token: preauth,
            secrets_from_callback: false,
        })
    }

    /// These options with a placeholder where the secret the credential
    /// callback will give is missing, so the rest is checked as usual.
    fn with_secret_placeholders(&self) -> Options {
        let mut o = self.clone();
        let empty = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        let app_cred =
            !empty(&o.os_application_credential_id) || !empty(&o.os_application_credential_name);
        if app_cred && empty(&o.os_application_credential_secret) {
            o.os_application_credential_secret = Some(CALLBACK_SECRET.into());
        } else if !app_cred && empty(&o.key) && empty(&o.os_password) {
            o.key = Some(CALLBACK_SECRET.into());
        }
        o
    }

    /// Whether any option says how to authenticate (a URL, a user, a
    /// secret, a token, a scope): if one does, the rest must be complete.
    fn names_a_way_to_authenticate(&self) -> bool {
        [
            &self.auth,
            &self.os_auth_url,
            &self.user,
            &self.key,
            &self.os_username,
            &self.os_user_id,
            &self.os_password,
            &self.os_auth_token,
            &self.os_storage_url,
            &self.os_application_credential_id,
            &self.os_application_credential_name,
            &self.os_application_credential_secret,
            &self.os_project_id,
            &self.os_project_name,
            &self.os_tenant_id,
            &self.os_tenant_name,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
    }

    /// Whether the options ask for a Keystone version (auth_version, or an
    /// os_auth_type naming one, or a v3-only feature).
    fn names_a_version(&self) -> bool {
        let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        has(&self.auth_version)
            || self.os_auth_type.as_deref().is_some_and(|t| {
                t.starts_with("v2") || t.starts_with("v3") || t.contains("applicationcredential")
            })
            || [
                &self.os_user_domain_id,
                &self.os_user_domain_name,
                &self.os_project_domain_id,
                &self.os_project_domain_name,
                &self.os_domain_id,
                &self.os_domain_name,
                &self.os_application_credential_id,
                &self.os_application_credential_name,
            ]
            .iter()
            .any(|v| has(v))
    }

    fn resolve_version(&self) -> Result<AuthVersion> {
        let explicit = match self
            .auth_version
            .as_deref()
            .map(|s| s.trim().trim_start_matches(['v', 'V']))
        {
            None | Some("") => None,
            Some("1" | "1.0") => Some(AuthVersion::V1),
            Some("2" | "2.0") => Some(AuthVersion::V2),
            Some("3" | "3.0") => Some(AuthVersion::V3),
            Some(o) => {
                return Err(Error::config(
                    "auth_version",
                    format!("option \"auth_version\" must be 1.0, 2.0 or 3, got \"{o}\""),
                ))
            }
        };
        let by_type = match self.os_auth_type.as_deref() {
            None | Some("") | Some("password") | Some("token") => None,
            Some("v1password") => Some(AuthVersion::V1),
            Some("v2password" | "v2token") => Some(AuthVersion::V2),
            Some(
                "v3password" | "v3token" | "v3applicationcredential" | "applicationcredential",
            ) => Some(AuthVersion::V3),
            Some(o) => {
                return Err(Error::config(
                    "os_auth_type",
                    format!("unknown os_auth_type \"{o}\""),
                ))
            }
        };
        if let Some(v) = by_type.or(explicit) {
            return Ok(v);
        }
        let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        // As python-swiftclient's process_options: v1 unless the v1 triple is
        // incomplete and Keystone-style options are present.
        let v1_complete = has(&self.auth) && has(&self.user) && has(&self.key);
        let domains = [
            &self.os_user_domain_id,
            &self.os_user_domain_name,
            &self.os_project_domain_id,
            &self.os_project_domain_name,
            &self.os_domain_id,
            &self.os_domain_name,
        ];
        if has(&self.os_application_credential_id) || has(&self.os_application_credential_name) {
            return Ok(AuthVersion::V3);
        }
        if v1_complete {
            return Ok(AuthVersion::V1);
        }
        if domains.iter().any(|d| has(d)) {
            return Ok(AuthVersion::V3);
        }
        if has(&self.os_auth_url) || has(&self.os_username) || has(&self.os_password) {
            return Ok(AuthVersion::V2);
        }
        if let Some(url) = self.auth.as_deref().or(self.os_auth_url.as_deref()) {
            // A Keystone-looking URL without a version still means Keystone.
            let path = url.trim_end_matches('/');
            if path.ends_with("/v3") {
                return Ok(AuthVersion::V3);
            }
            if path.ends_with("/v2.0") {
                return Ok(AuthVersion::V2);
            }
        }
        Ok(AuthVersion::V1)
    }

    fn keystone_credentials(
        &self,
        url: &str,
        version: AuthVersion,
        token: Option<String>,
    ) -> Result<KeystoneCredentials> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let mut user_name = nonempty(&self.os_username).or_else(|| nonempty(&self.user));
        let password = nonempty(&self.os_password).or_else(|| nonempty(&self.key));
        let mut project_name =
            nonempty(&self.os_project_name).or_else(|| nonempty(&self.os_tenant_name));
        let project_id = nonempty(&self.os_project_id).or_else(|| nonempty(&self.os_tenant_id));
        // "tenant:user" as python-swiftclient splits it.
        if let Some(u) = user_name.clone() {
            if project_name.is_none() && project_id.is_none() {
                if let Some((t, u2)) = u.split_once(':') {
                    project_name = Some(t.to_string());
                    user_name = Some(u2.to_string());
                }
            }
        }
        let app_id = nonempty(&self.os_application_credential_id);
        let app_name = nonempty(&self.os_application_credential_name);
        let app_secret = nonempty(&self.os_application_credential_secret);
        let user_id = nonempty(&self.os_user_id);

        let method = if app_id.is_some()
            || app_name.is_some()
            || self
                .os_auth_type
                .as_deref()
                .is_some_and(|t| t.contains("applicationcredential"))
        {
            if version != AuthVersion::V3 {
                return Err(Error::config(
                    "os_application_credential_id",
                    "application credentials need Keystone v3",
                ));
            }
            if app_secret.is_none() {
                return Err(Error::config(
                    "os_application_credential_secret",
                    "an application credential needs os_application_credential_secret",
                ));
            }
            if app_id.is_none() {
                if app_name.is_none() {
                    return Err(Error::config(
                        "os_application_credential_id",
                        "an application credential needs its id, or its name and the user",
                    ));
                }
                if user_id.is_none() && user_name.is_none() {
                    return Err(Error::config("os_username", "an application credential by name needs the user (os_user_id or os_username)"));
                }
            }
            KeystoneMethod::ApplicationCredential
        } else if password.is_some() && (user_name.is_some() || user_id.is_some()) {
            KeystoneMethod::Password
        } else if token.is_some() {
            KeystoneMethod::Token
        } else if user_name.is_none() && user_id.is_none() {
            return Err(Error::config("os_username", "Keystone auth needs a user (os_username or os_user_id) and a password, a token, or an application credential"));
        } else {
            return Err(Error::config(
                "os_password",
                "Keystone password auth needs os_password (or key)",
            ));
        };
        let domain_scope = nonempty(&self.os_domain_id)
            .map(Ref::Id)
            .or_else(|| nonempty(&self.os_domain_name).map(Ref::Name));
        if version == AuthVersion::V2 && domain_scope.is_some() {
            return Err(Error::config(
                "os_domain_name",
                "domain scope needs Keystone v3",
            ));
        }
        Ok(KeystoneCredentials {
            auth_url: versioned_auth_url(url, version),
            discover_from: (versioned_auth_url(url, version) != url.trim_end_matches('/')
                && !self.names_a_version())
            .then(|| url.trim_end_matches('/').to_string()),
            version,
            method,
            user: user_id.map(Ref::Id).or(user_name.map(Ref::Name)),
            user_domain: nonempty(&self.os_user_domain_id)
                .map(Ref::Id)
                .or_else(|| nonempty(&self.os_user_domain_name).map(Ref::Name)),
            password: password.map(Secret::new),
            token: token.map(Secret::new),
            project: project_id.map(Ref::Id).or(project_name.map(Ref::Name)),
            project_domain: nonempty(&self.os_project_domain_id)
                .map(Ref::Id)
                .or_else(|| nonempty(&self.os_project_domain_name).map(Ref::Name)),
            domain_scope,
            app_cred: if method == KeystoneMethod::ApplicationCredential {
                Some((
                    app_id
                        .map(Ref::Id)
                        .or(app_name.map(Ref::Name))
                        .unwrap_or(Ref::Id(String::new())),
                    Secret::new(app_secret.unwrap_or_default()),
                ))
            } else {
                None
            },
            catalog: CatalogFilter {
                service_type: nonempty(&self.os_service_type)
                    .unwrap_or_else(|| "object-store".into()),
                service_name: nonempty(&self.os_service_name),
                region: nonempty(&self.os_region_name),
                interface: normalise_interface(self.os_endpoint_type.as_deref())?,
            },
        })
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

fn check_url(key: &str, url: &str) -> Result<()> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(Error::config(
            key,
            format!(
                "option \"{key}\" must be an http or https URL, got scheme \"{}\"",
                u.scheme()
            ),
        )),
        Err(e) => Err(Error::config(
            key,
            format!("option \"{key}\" is not a valid URL: {e}"),
        )),
    }
}

/// `public`, `internal`, `admin` (and the v2 `publicURL` spellings).
pub fn normalise_interface(v: Option<&str>) -> Result<String> {
    let v = v.unwrap_or("public");
    let lower = v.to_ascii_lowercase();
    let base = lower.strip_suffix("url").unwrap_or(&lower);
    match base {
        "public" | "internal" | "admin" => Ok(base.to_string()),
        _ => Err(Error::config(
            "os_endpoint_type",
            format!("os_endpoint_type must be public, internal or admin (or publicURL, internalURL, adminURL), got \"{v}\""),
        )),
    }
}

/// Appends `/v3` or `/v2.0` to a versionless Keystone URL, as
/// python-swiftclient does.
pub fn versioned_auth_url(url: &str, version: AuthVersion) -> String {
    let trimmed = url.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    let is_versioned = last.len() >= 2
        && last.starts_with(['v', 'V'])
        && last[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    if is_versioned {
        trimmed.to_string()
    } else {
        match version {
            AuthVersion::V2 => format!("{trimmed}/v2.0"),
            _ => format!("{trimmed}/v3"),
        }
    }
}

/// A string that never shows itself in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl Drop for Secret {
    /// Overwrites the secret before its memory is freed.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVersion {
    V1,
    V2,
    V3,
}

impl AuthVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthVersion::V1 => "1.0",
            AuthVersion::V2 => "2.0",
            AuthVersion::V3 => "3",
        }
    }
}

/// A Keystone entity named either by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Id(String),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Credentials {
    pub auth_url: String,
    pub user: String,
    pub key: Secret,
    /// Send X-Storage-User / X-Storage-Pass instead of X-Auth-User / X-Auth-Key.
    pub storage_headers: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeystoneMethod {
    Password,
    Token,
    ApplicationCredential,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogFilter {
    pub service_type: String,
    pub service_name: Option<String>,
    pub region: Option<String>,
    /// "public", "internal" or "admin".
    pub interface: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoneCredentials {
    /// Versioned: ends in `/v3` or `/v2.0`.
    pub auth_url: String,
    /// The URL as given, when it named no version and no version was asked
    /// for: the version is discovered from its document at the first
    /// authentication (see `auth::discovery`).
    pub discover_from: Option<String>,
    pub version: AuthVersion,
    pub method: KeystoneMethod,
    pub user: Option<Ref>,
    pub user_domain: Option<Ref>,
    pub password: Option<Secret>,
    pub token: Option<Secret>,
    pub project: Option<Ref>,
    pub project_domain: Option<Ref>,
    pub domain_scope: Option<Ref>,
    pub app_cred: Option<(Ref, Secret)>,
    pub catalog: CatalogFilter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    V1(V1Credentials),
    Keystone(Box<KeystoneCredentials>),
}

/// How a client gets (and gets again) its storage URL and token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Credentials to (re-)authenticate with; `None` = pre-authenticated only.
    pub credentials: Option<Credentials>,
    /// Replaces the storage URL from auth or the catalog.
    pub storage_url_override: Option<String>,
    /// A token to start with (with `storage_url_override`), no auth call.
    pub preauth_token: Option<Secret>,
    /// The credentials' secret comes from the credential callback at each
    /// authentication (option `credentials_from_callback`).
    pub secrets_from_callback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub insecure: bool,
    pub cacert: Option<String>,
    pub cacert_pem: Option<String>,
    pub cacert_only: bool,
    pub cert: Option<String>,
    pub cert_key: Option<String>,
}

/// Validated, resolved options.
#[derive(Debug, Clone)]
pub struct Settings {
    pub auth: AuthConfig,
    pub retries: u32,
    pub starting_backoff: Duration,
    pub max_backoff: Duration,
    pub retry_on_ratelimit: bool,
    pub force_auth_retry: bool,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub refresh_margin: Duration,
    pub tls: TlsSettings,
    pub user_agent: String,
    pub proxy: crate::proxy::ProxyOptions,
    pub threads: ThreadDefaults,
    /// The level for a log callback set with SWC_LOG_FROM_OPTIONS.
    pub log_level: crate::log::Level,
    pub trans_id_extra: String,
}

/// Client-wide concurrency defaults for bulk operations (None: 10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadDefaults {
    pub object_dd: Option<usize>,
    pub object_uu: Option<usize>,
    pub container: Option<usize>,
    pub segment: Option<usize>,
}

impl ThreadDefaults {
    /// The default for a request key (`object_dd_threads`, ...).
    pub fn get(&self, key: &str) -> Option<usize> {
        match key {
            "object_dd_threads" => self.object_dd,
            "object_uu_threads" => self.object_uu,
            "container_threads" => self.container,
            "segment_threads" => self.segment,
            _ => None,
        }
    }
}

fn thread_option(key: &str, v: Option<usize>) -> Result<Option<usize>> {
    match v {
        Some(n) if !(1..=1024).contains(&n) => Err(Error::config(
            key,
            format!("option \"{key}\" must be 1 to 1024, got {n}"),
        )),
        v => Ok(v),
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
    fn auth_version_spellings() {
        for (v, want) in [
            ("3", AuthVersion::V3),
            ("3.0", AuthVersion::V3),
            ("2", AuthVersion::V2),
            ("1", AuthVersion::V1),
        ] {
            let o = parse(&format!(r#"{{"auth_version":"{v}"}}"#)).unwrap();
            assert_eq!(o.resolve_version().unwrap(), want);
        }
        let o = parse(r#"{"auth_version":3}"#).unwrap();
        assert_eq!(o.resolve_version().unwrap(), AuthVersion::V3);
        assert_eq!(
            parse(r#"{"auth_version":"9"}"#)
                .unwrap()
                .resolve_version()
                .unwrap_err()
                .key
                .as_deref(),
            Some("auth_version")
        );
    }

    #[test]
    fn v1_resolution() {
        let o = parse(
            r#"{"auth":"http://127.0.0.1:8080/auth/v1.0","user":"test:tester","key":"testing"}"#,
        )
        .unwrap();
        let s = o.resolve().unwrap();
        match s.auth.credentials {
            Some(Credentials::V1(c)) => {
                assert_eq!(c.user, "test:tester");
                assert!(!c.storage_headers);
                assert_eq!(format!("{:?}", c.key), "Secret(***)");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.retries, 5);
        assert_eq!(s.max_backoff, Duration::from_secs(64));
    }

    #[test]
    fn keystone_inferred_and_split_user() {
        let o = parse(r#"{"os_auth_url":"http://k:5000","user":"demo:alice","key":"pw"}"#).unwrap();
        let s = o.resolve().unwrap();
        let Some(Credentials::Keystone(k)) = s.auth.credentials else {
            panic!()
        };
        assert_eq!(k.version, AuthVersion::V2);
        assert_eq!(k.auth_url, "http://k:5000/v2.0");
        assert_eq!(k.user, Some(Ref::Name("alice".into())));
        assert_eq!(k.project, Some(Ref::Name("demo".into())));

        let o = parse(r#"{"os_auth_url":"http://k:5000/","os_username":"a","os_password":"p","os_user_domain_name":"Default","os_project_name":"x"}"#).unwrap();
        let Some(Credentials::Keystone(k)) = o.resolve().unwrap().auth.credentials else {
            panic!()
        };
        assert_eq!(k.version, AuthVersion::V3);
        assert_eq!(k.auth_url, "http://k:5000/v3");
        assert_eq!(k.catalog.interface, "public");
    }

    #[test]
    fn interfaces() {
        assert_eq!(normalise_interface(Some("publicURL")).unwrap(), "public");
        assert_eq!(
            normalise_interface(Some("internalURL")).unwrap(),
            "internal"
        );
        assert_eq!(normalise_interface(Some("admin")).unwrap(), "admin");
        assert!(normalise_interface(Some("private")).is_err());
    }

    #[test]
    fn versionless_urls() {
        assert_eq!(
            versioned_auth_url("http://k:5000", AuthVersion::V3),
            "http://k:5000/v3"
        );
        assert_eq!(
            versioned_auth_url("http://k:5000/v3/", AuthVersion::V3),
            "http://k:5000/v3"
        );
        assert_eq!(
            versioned_auth_url("http://k/identity", AuthVersion::V2),
            "http://k/identity/v2.0"
        );
        assert_eq!(
            versioned_auth_url("http://k/v2.0", AuthVersion::V2),
            "http://k/v2.0"
        );
    }

    #[test]
    fn preauth_only() {
        let o = parse(r#"{"os_storage_url":"http://s/v1/AUTH_x","os_auth_token":"tok"}"#).unwrap();
        let a = o.resolve().unwrap().auth;
        assert!(a.credentials.is_none());
        assert_eq!(a.preauth_token.unwrap().expose(), "tok");
        assert!(parse(r#"{"os_storage_url":"http://s/v1/AUTH_x"}"#)
            .unwrap()
            .resolve()
            .is_err());
        assert_eq!(
            parse(r#"{"os_storage_url":"ftp://s"}"#)
                .unwrap()
                .resolve()
                .unwrap_err()
                .key
                .as_deref(),
            Some("os_storage_url")
        );
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

    #[test]
    fn app_cred_needs_secret_and_v3() {
        let e = parse(r#"{"os_auth_url":"http://k/v3","os_application_credential_id":"abc"}"#)
            .unwrap()
            .resolve()
            .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("os_application_credential_secret"));
        let o = parse(r#"{"os_auth_url":"http://k/v3","os_application_credential_name":"n","os_application_credential_secret":"s","os_username":"u","os_user_domain_name":"Default"}"#).unwrap();
        let Some(Credentials::Keystone(k)) = o.resolve().unwrap().auth.credentials else {
            panic!()
        };
        assert_eq!(k.method, KeystoneMethod::ApplicationCredential);
    }
}
