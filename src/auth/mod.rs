//! Authentication: v1 (tempauth, swauth, the X-Storage-User spelling),
//! Keystone v2 and v3, catalog selection, and the shared token cache.

pub mod access;
pub mod catalog;
pub mod credentials;
pub mod discovery;
pub mod secrets;
pub mod service_token;
pub mod state;
pub mod token;
pub mod v1;
pub mod v2;
pub mod v3;

use crate::auth::credentials::{AuthVersion, Credentials, Secret};
use crate::error::Result;
use std::time::SystemTime;

/// What one successful authentication produced.
#[derive(Debug, Clone)]
pub struct AuthResult {
    pub storage_url: String,
    pub token: Secret,
    /// Absolute expiry, when the server said.
    pub expires: Option<SystemTime>,
    pub version: AuthVersion,
    /// Keystone: the project the token is scoped to (id, name).
    pub project: Option<(String, String)>,
    /// Keystone: user, project, roles, times, catalog (see `access`).
    pub access: Option<std::sync::Arc<serde_json::Value>>,
}

/// Authenticates once with these credentials. `storage_url_override`
/// replaces whatever URL auth or the catalog gives.
pub async fn authenticate(
    http: &crate::http::Http,
    creds: &Credentials,
    storage_url_override: Option<&str>,
) -> Result<AuthResult> {
    let mut r = match creds {
        Credentials::V1(c) => v1::authenticate(http, c, storage_url_override.is_some()).await?,
        Credentials::Keystone(k) if k.version == AuthVersion::V2 => {
            v2::authenticate(http, k, storage_url_override.is_some()).await?
        }
        Credentials::Keystone(k) => {
            v3::authenticate(http, k, storage_url_override.is_some()).await?
        }
    };
    if let Some(u) = storage_url_override {
        r.storage_url = u.to_string();
    }
    Ok(r)
}

/// What an authentication will ask, for the log: the request and who is
/// asking, never a secret.
pub fn describe(creds: &Credentials) -> String {
    use crate::auth::credentials::{KeystoneMethod, Ref};
    let name = |r: &Option<Ref>| match r {
        Some(Ref::Id(i)) => format!("id {i}"),
        Some(Ref::Name(n)) => n.clone(),
        None => "-".into(),
    };
    match creds {
        Credentials::V1(c) => format!(
            "GET {} (v1, user {}, {})",
            c.auth_url,
            c.user,
            if c.storage_headers {
                "X-Storage-User/X-Storage-Pass"
            } else {
                "X-Auth-User/X-Auth-Key"
            }
        ),
        Credentials::Keystone(k) => format!(
            "POST {} (Keystone {}, {}, user {}, project {})",
            k.auth_url,
            k.version.as_str(),
            match k.method {
                KeystoneMethod::Password => "password",
                KeystoneMethod::Token => "token",
                KeystoneMethod::ApplicationCredential => "application credential",
            },
            name(&k.user),
            name(&k.project)
        ),
    }
}

/// Parses an ISO 8601 / RFC 3339 timestamp as Keystone writes them
/// (`2026-01-01T00:00:00.000000Z`, `2026-01-01T00:00:00Z`, and v2's
/// occasional form without the zone, which is UTC).
pub fn parse_expiry(s: &str) -> Option<SystemTime> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339))
        .ok()?;
    Some(SystemTime::from(t))
}

/// RFC 3339 in UTC with seconds precision.
pub fn format_time(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn expiry_forms() {
        let want = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
        assert_eq!(parse_expiry("2026-01-01T00:00:00Z"), Some(want));
        assert_eq!(parse_expiry("2026-01-01T00:00:00.000000Z"), Some(want));
        assert_eq!(parse_expiry("2026-01-01T00:00:00"), Some(want));
        assert_eq!(parse_expiry("soon"), None);
        assert_eq!(format_time(want), "2026-01-01T00:00:00Z");
    }
}
