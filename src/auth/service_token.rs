//! The service token: python-swiftclient's `service_username`,
//! `service_key`, `service_project_name` (ours: the ids and domains too)
//! name a second Keystone identity. Its token goes with every storage
//! request as X-Service-Token, so that Swift's keystoneauth can require
//! both a user's and a service's token for a reseller prefix (composite
//! tokens). It is kept in its own token cache: refreshed before it
//! expires, and fetched again (single-flight) when a request gets a 401.
//!
//! Unlike python-swiftclient, the storage URL stays the user's: the
//! service identity's catalog is never consulted (python-swiftclient takes
//! its storage URL from the service user's catalog, which points at the
//! service's own project).

use crate::auth::credentials::{AuthConfig, AuthVersion, Credentials};
use crate::error::{Error, Result};
use crate::options::Options;

impl Options {
    /// The service identity these options name, if any, authenticated at
    /// the same Keystone (URL and version) as `main`.
    pub(crate) fn service_auth_config(&self, main: &AuthConfig) -> Result<Option<AuthConfig>> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let user = nonempty(&self.service_username);
        let user_id = nonempty(&self.service_user_id);
        if user.is_none() && user_id.is_none() {
            if nonempty(&self.service_key).is_some() {
                return Err(Error::config(
                    "service_username",
                    "service_key given without service_username (or service_user_id)",
                ));
            }
            return Ok(None);
        }
        let Some(key) = nonempty(&self.service_key) else {
            return Err(Error::config(
                "service_key",
                "a service token needs service_key (the service user's password)",
            ));
        };
        let version = match &main.credentials {
            Some(Credentials::V1(_)) => {
                return Err(Error::config(
                    "service_username",
                    "a service token needs Keystone (v2 or v3) authentication, not v1",
                ))
            }
            // A version the main identity discovers is discovered for the
            // service identity too.
            Some(Credentials::Keystone(k)) if k.discover_from.is_none() => {
                Some(k.version.as_str().to_string())
            }
            _ => self.auth_version.clone(),
        };
        let o = Options {
            auth: nonempty(&self.auth),
            os_auth_url: nonempty(&self.os_auth_url),
            auth_version: version,
            os_username: user,
            os_user_id: user_id,
            os_password: Some(key),
            os_project_name: nonempty(&self.service_project_name),
            os_project_id: nonempty(&self.service_project_id),
            os_user_domain_name: nonempty(&self.service_user_domain_name),
            os_user_domain_id: nonempty(&self.service_user_domain_id),
            os_project_domain_name: nonempty(&self.service_project_domain_name),
            os_project_domain_id: nonempty(&self.service_project_domain_id),
            ..Options::default()
        };
        if o.auth.is_none() && o.os_auth_url.is_none() {
            return Err(Error::config(
                "service_username",
                "a service token needs the Keystone auth URL (auth or os_auth_url)",
            ));
        }
        let auth = o.service_resolve();
        let mut o = o;
        o.wipe_secrets();
        auth
    }

    fn service_resolve(&self) -> Result<Option<AuthConfig>> {
        let mut auth = self.resolve_auth().map_err(|mut e| {
            e.message = format!("service credentials: {}", e.message);
            if let Some(k) = &e.key {
                e.key = Some(match k.strip_prefix("os_") {
                    Some(rest) => format!("service_{rest}"),
                    None => k.clone(),
                });
            }
            e
        })?;
        match &auth.credentials {
            Some(Credentials::Keystone(k)) if k.version != AuthVersion::V1 => {}
            _ => {
                return Err(Error::config(
                    "service_username",
                    "a service token needs Keystone (v2 or v3) authentication, not v1",
                ))
            }
        }
        // Never used: it only spares the service identity a catalog lookup
        // (its token is sent, its storage URL is not).
        auth.storage_url_override = Some(String::new());
        Ok(Some(auth))
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::credentials::{Credentials, Ref};
    use crate::options::Options;

    fn parse(s: &str) -> crate::error::Result<crate::settings::Settings> {
        Options::from_json(Some(s)).unwrap().resolve()
    }

    #[test]
    fn service_identity_follows_the_main_keystone() {
        let s = parse(r#"{"os_auth_url":"http://k:5000/v3","os_username":"u","os_password":"p","os_project_name":"x","os_user_domain_name":"Default","service_username":"svc","service_key":"sk","service_project_name":"service"}"#).unwrap();
        let Some(Credentials::Keystone(k)) = s.service_auth.unwrap().credentials else {
            panic!()
        };
        assert_eq!(k.auth_url, "http://k:5000/v3");
        assert_eq!(k.user, Some(Ref::Name("svc".into())));
        assert_eq!(k.project, Some(Ref::Name("service".into())));
        assert_eq!(k.password.unwrap().expose(), "sk");
    }

    #[test]
    fn service_options_checked() {
        let base = r#""os_auth_url":"http://k:5000/v3","os_username":"u","os_password":"p","os_project_name":"x""#;
        let e = parse(&format!(r#"{{{base},"service_username":"svc"}}"#)).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("service_key"));
        let e = parse(&format!(r#"{{{base},"service_key":"k"}}"#)).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("service_username"));
        let e = parse(r#"{"auth":"http://h/auth/v1.0","user":"a:b","key":"k","service_username":"s","service_key":"k"}"#).unwrap_err();
        assert!(e.message.contains("Keystone"), "{}", e.message);
        assert!(parse(&format!(r#"{{{base}}}"#))
            .unwrap()
            .service_auth
            .is_none());
    }
}
