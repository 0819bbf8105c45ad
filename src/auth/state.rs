//! Auth state one process saves and another restores, so that a restart
//! costs no authentication — and so that a token is never used for an
//! identity other than the one it was issued to: the state carries a
//! fingerprint of the identity (auth URL, user, project, scope, catalog
//! filters; never a secret), and a client whose own identity differs
//! refuses it.

use super::token::Token;
use crate::auth::credentials::{AuthConfig, AuthVersion, Credentials, KeystoneMethod, Ref, Secret};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The format of the saved state; a state of another format is refused.
const FORMAT: u32 = 1;

/// A saved authentication. Holds the token: store it as a secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthState {
    pub format: u32,
    /// `sha256:<hex>` of the identity; null for a client without credentials.
    pub identity: Option<String>,
    pub storage_url: String,
    pub token: String,
    /// "1.0", "2.0", "3", or null (pre-authenticated).
    pub auth_version: Option<String>,
    /// Unix time; null when the server said nothing.
    pub expires_at: Option<f64>,
    pub obtained_at: f64,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub project_name: Option<String>,
}

/// The fingerprint of who a client authenticates as: None without
/// credentials (a pre-authenticated URL and token is its own identity:
/// the storage URL).
pub fn identity(config: &AuthConfig) -> Option<String> {
    let r = |r: &Option<Ref>| match r {
        Some(Ref::Id(i)) => format!("id:{i}"),
        Some(Ref::Name(n)) => format!("name:{n}"),
        None => String::new(),
    };
    let mut parts: Vec<String> = match &config.credentials {
        Some(Credentials::V1(c)) => vec!["v1".into(), c.auth_url.clone(), c.user.clone()],
        Some(Credentials::Keystone(k)) => vec![
            "keystone".into(),
            k.auth_url.clone(),
            k.version.as_str().into(),
            match k.method {
                KeystoneMethod::Password => "password",
                KeystoneMethod::Token => "token",
                KeystoneMethod::ApplicationCredential => "application_credential",
            }
            .into(),
            r(&k.user),
            r(&k.user_domain),
            r(&k.project),
            r(&k.project_domain),
            r(&k.domain_scope),
            k.app_cred
                .as_ref()
                .map(|(a, _)| r(&Some(a.clone())))
                .unwrap_or_default(),
            k.catalog.service_type.clone(),
            k.catalog.service_name.clone().unwrap_or_default(),
            k.catalog.region.clone().unwrap_or_default(),
            k.catalog.interface.clone(),
            // A token given to authenticate with names no user: the token
            // is the identity (its digest; a token is high-entropy).
            k.token.as_ref().map(digest).unwrap_or_default(),
        ],
        None => match &config.preauth_token {
            Some(t) => vec!["preauth".into(), digest(t)],
            None => return None,
        },
    };
    parts.push(config.storage_url_override.clone().unwrap_or_default());
    let text = serde_json::to_string(&parts).unwrap_or_default();
    Some(format!("sha256:{}", crate::hex::hex(&Sha256::digest(text))))
}

fn digest(secret: &Secret) -> String {
    crate::hex::hex(&Sha256::digest(secret.expose()))
}

/// A Unix time from a saved state, if it is one.
fn time_of(secs: f64) -> Result<SystemTime> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .ok_or_else(|| Error::config("state", format!("{secs} is not a time")))
}

fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The state of `t`, for a client of this identity.
pub fn of(t: &Token, identity: Option<String>) -> AuthState {
    AuthState {
        format: FORMAT,
        identity,
        storage_url: t.storage_url.clone(),
        token: t.token.expose().to_string(),
        auth_version: t.version.map(|v| v.as_str().to_string()),
        expires_at: t.expires.map(unix),
        obtained_at: unix(t.obtained),
        project_id: t.project.as_ref().map(|p| p.0.clone()),
        project_name: t.project.as_ref().map(|p| p.1.clone()),
    }
}

/// What importing a state came to.
pub enum Imported {
    /// A token to use.
    Token(Token),
    /// Expired (or about to): ignored, the client authenticates as usual.
    Expired,
}

/// Checks a saved state against a client's identity. A state for another
/// identity is SWC_E_CONFIG (a token is never used for another user or
/// project); a client without credentials takes any state.
pub fn restore(text: &str, identity: Option<&str>, margin: Duration) -> Result<Imported> {
    let s: AuthState = serde_json::from_str(text)
        .map_err(|e| Error::config("state_json", format!("the auth state is not valid: {e}")))?;
    if s.format != FORMAT {
        return Err(Error::config(
            "format",
            format!("auth state format {} is not {FORMAT}", s.format),
        ));
    }
    if let Some(mine) = identity {
        if s.identity.as_deref() != Some(mine) {
            return Err(Error::config(
                "identity",
                "the auth state belongs to another identity (auth URL, user, project or catalog filter differ): its token is not used",
            ));
        }
    }
    let expires = s.expires_at.map(time_of).transpose()?;
    let obtained = time_of(s.obtained_at)?;
    let version = match s.auth_version.as_deref() {
        None => None,
        Some("1.0") => Some(AuthVersion::V1),
        Some("2.0") => Some(AuthVersion::V2),
        Some("3") => Some(AuthVersion::V3),
        Some(v) => {
            return Err(Error::config(
                "auth_version",
                format!("auth state version \"{v}\" is not 1.0, 2.0 or 3"),
            ))
        }
    };
    if s.token.is_empty() || reqwest::Url::parse(&s.storage_url).is_err() {
        return Err(Error::config(
            "token",
            "the auth state needs a token and a storage URL",
        ));
    }
    let t = Token {
        storage_url: s.storage_url,
        token: Secret::new(s.token),
        expires,
        version,
        project: s.project_id.zip(s.project_name),
        access: None,
        obtained,
        generation: 0,
    };
    // The token cache's own rule: a token it would refresh at once is not
    // worth restoring.
    if t.expiring(margin, SystemTime::now()) {
        return Ok(Imported::Expired);
    }
    Ok(Imported::Token(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    fn id(json: &str) -> Option<String> {
        identity(
            &Options::from_json(Some(json))
                .unwrap()
                .resolve()
                .unwrap()
                .auth,
        )
    }

    #[test]
    fn identities() {
        let v1 = r#"{"auth": "http://h/auth/v1.0", "user": "a:b", "key": "k1"}"#;
        // The key is not part of who you are; the user and URL are.
        assert_eq!(id(v1), id(&v1.replace("k1", "k2")));
        assert_ne!(id(v1), id(&v1.replace("a:b", "a:c")));
        assert_ne!(id(v1), id(&v1.replace("//h/", "//g/")));
        // A Keystone token names no user: the token is the identity.
        let tok = r#"{"os_auth_url": "http://k/v3", "os_auth_token": "t1", "os_project_name": "p", "auth_version": "3"}"#;
        assert_ne!(id(tok), id(&tok.replace("t1", "t2")));
        // So is a pre-authenticated token.
        let pre = r#"{"os_storage_url": "http://s/v1/AUTH_a", "os_auth_token": "t1"}"#;
        assert_ne!(id(pre), id(&pre.replace("t1", "t2")));
        assert!(!id(pre).unwrap().contains("t1"));
        // No credentials: no identity (any state is taken).
        assert_eq!(id("{}"), None);
    }

    #[test]
    fn states_with_impossible_times_are_refused() {
        let state = |exp: &str| {
            format!(
                r#"{{"format": 1, "identity": null, "storage_url": "http://s/v1/a", "token": "t",
                    "auth_version": "1.0", "expires_at": {exp}, "obtained_at": 1.0}}"#
            )
        };
        let margin = Duration::from_secs(120);
        assert!(restore(&state("1e300"), None, margin).is_err());
        assert!(restore(&state("-5"), None, margin).is_err());
        assert!(matches!(
            restore(&state("1000"), None, margin),
            Ok(Imported::Expired)
        ));
        assert!(matches!(
            restore(&state("null"), None, margin),
            Ok(Imported::Token(_))
        ));
    }
}
