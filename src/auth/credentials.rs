//! Credentials: the secret type (zeroed when dropped), the auth versions
//! and Keystone methods, and how options name a way to authenticate —
//! resolved into an [`AuthConfig`] without touching the network.

use crate::error::{Error, Result};
use crate::options::Options;
use serde::Deserializer;

const CALLBACK_SECRET: &str = "(from the credential callback)";

/// What authenticating a client without a way to do it says.
pub const NO_WAY_TO_AUTHENTICATE: &str =
    "no way to authenticate: give an auth URL with credentials, or os_storage_url with os_auth_token";

impl Options {
    /// The way to authenticate these options name; with
    /// `credentials_from_callback`, the secret is left to the callback.
    pub(crate) fn auth_config(&self) -> Result<AuthConfig> {
        if self.credentials_from_callback == Some(true) {
            let mut auth = self.with_secret_placeholders().resolve_auth()?;
            auth.secrets_from_callback = auth.credentials.is_some();
            Ok(auth)
        } else {
            self.resolve_auth()
        }
    }

    pub(crate) fn resolve_auth(&self) -> Result<AuthConfig> {
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

    // Long (~115 lines) on purpose: each Keystone option's rule, in
    // python-keystoneclient's order, reads as one list; split, the order
    // that decides which option wins would be spread over functions.
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn parse(s: &str) -> Result<Options> {
        Options::from_json(Some(s))
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
