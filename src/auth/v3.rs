//! Keystone v3: password, token and application-credential methods; project,
//! domain or no scope; the storage URL from the catalog.

use super::{catalog, parse_expiry, AuthResult};
use crate::auth::credentials::{AuthVersion, KeystoneCredentials, KeystoneMethod, Ref, Secret};
use crate::error::{Error, Result, Status};
use crate::http;
use serde_json::{json, Value};

fn named(r: &Ref) -> Value {
    match r {
        Ref::Id(id) => json!({ "id": id }),
        Ref::Name(n) => json!({ "name": n }),
    }
}

/// `{"id": ..}` or `{"name": .., "domain": ..}`; names default to the
/// Default domain, as most clients do.
fn scoped(r: &Ref, domain: Option<&Ref>) -> Value {
    let mut v = named(r);
    if let Ref::Name(_) = r {
        v["domain"] = named(domain.unwrap_or(&Ref::Id("default".into())));
    }
    v
}

/// The v3 `POST /auth/tokens` body. Holds secrets: never log it.
pub fn request_body(k: &KeystoneCredentials) -> Value {
    let user = k.user.as_ref().map(|u| scoped(u, k.user_domain.as_ref()));
    let identity = match k.method {
        KeystoneMethod::Password => {
            let mut u = user.unwrap_or_else(|| json!({}));
            u["password"] = json!(k.password.as_ref().map(Secret::expose).unwrap_or(""));
            json!({ "methods": ["password"], "password": { "user": u } })
        }
        KeystoneMethod::Token => json!({
            "methods": ["token"],
            "token": { "id": k.token.as_ref().map(Secret::expose).unwrap_or("") }
        }),
        KeystoneMethod::ApplicationCredential => {
            let (r, secret) = k
                .app_cred
                .as_ref()
                .expect("resolve() sets app_cred for this method");
            let mut ac = named(r);
            if let (Ref::Name(_), Some(u)) = (r, user) {
                ac["user"] = u;
            }
            ac["secret"] = json!(secret.expose());
            json!({ "methods": ["application_credential"], "application_credential": ac })
        }
    };
    let mut body = json!({ "auth": { "identity": identity } });
    // An application credential carries its own scope.
    if k.method != KeystoneMethod::ApplicationCredential {
        if let Some(p) = &k.project {
            let domain = k.project_domain.as_ref().or(k.user_domain.as_ref());
            body["auth"]["scope"] = json!({ "project": scoped(p, domain) });
        } else if let Some(d) = &k.domain_scope {
            body["auth"]["scope"] = json!({ "domain": named(d) });
        }
    }
    body
}

pub async fn authenticate(
    client: &crate::http::Http,
    k: &KeystoneCredentials,
    have_url: bool,
) -> Result<AuthResult> {
    let url = format!("{}/auth/tokens", k.auth_url);
    let resp = client
        .post(&url)
        .json(&request_body(k))
        .send()
        .await
        .map_err(|e| client.transport_error("POST", &url, &e))?;
    if !resp.status().is_success() {
        let mut e =
            http::status_error("POST", &url, resp, "Keystone v3 authentication failed").await;
        if e.http_status.is_some_and(|s| s < 500) && e.status != Status::NotFound {
            e.status = Status::Auth;
        }
        return Err(e);
    }
    let token = resp
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| {
            Error::new(Status::Auth, "Keystone answered without X-Subject-Token")
                .with_request("POST", &url)
        })?;
    let body: Value = resp.json().await.map_err(|e| {
        Error::new(
            Status::Auth,
            format!("Keystone token response is not JSON: {e}"),
        )
        .with_request("POST", &url)
    })?;
    let t = &body["token"];
    let expires = t["expires_at"].as_str().and_then(parse_expiry);
    let project = t["project"]["id"].as_str().map(|id| {
        (
            id.to_string(),
            t["project"]["name"].as_str().unwrap_or("").to_string(),
        )
    });
    let endpoints = catalog::from_v3(&t["catalog"]);
    let access = Some(std::sync::Arc::new(super::access::from_v3(t, &endpoints)));
    let storage_url = if have_url {
        String::new()
    } else {
        if !t["catalog"].is_array() {
            return Err(Error::new(
                Status::Auth,
                "Keystone returned a token without a service catalog (unscoped?): give a project (os_project_name or os_project_id)",
            )
            .with_request("POST", &url));
        }
        catalog::select(&endpoints, &k.catalog)?
    };
    Ok(AuthResult {
        storage_url,
        token: Secret::new(token),
        expires,
        version: AuthVersion::V3,
        project,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    fn creds(json: &str) -> KeystoneCredentials {
        match Options::from_json(Some(json))
            .unwrap()
            .resolve()
            .unwrap()
            .auth
            .credentials
        {
            Some(crate::auth::credentials::Credentials::Keystone(k)) => *k,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn password_body() {
        let k = creds(
            r#"{"os_auth_url":"http://k/v3","os_username":"u","os_password":"p","os_user_domain_name":"D","os_project_name":"P"}"#,
        );
        let b = request_body(&k);
        assert_eq!(b["auth"]["identity"]["password"]["user"]["name"], "u");
        assert_eq!(
            b["auth"]["identity"]["password"]["user"]["domain"]["name"],
            "D"
        );
        assert_eq!(b["auth"]["scope"]["project"]["name"], "P");
        assert_eq!(b["auth"]["scope"]["project"]["domain"]["name"], "D");
        let k = creds(
            r#"{"os_auth_url":"http://k/v3","os_user_id":"uid","os_password":"p","os_project_id":"pid"}"#,
        );
        let b = request_body(&k);
        assert_eq!(
            b["auth"]["identity"]["password"]["user"],
            json!({"id":"uid","password":"p"})
        );
        assert_eq!(b["auth"]["scope"]["project"], json!({"id":"pid"}));
    }

    #[test]
    fn token_and_domain_scope() {
        let k = creds(
            r#"{"os_auth_url":"http://k/v3","os_auth_token":"t","os_domain_name":"D","auth_version":"3"}"#,
        );
        let b = request_body(&k);
        assert_eq!(b["auth"]["identity"]["methods"][0], "token");
        assert_eq!(b["auth"]["scope"]["domain"]["name"], "D");
    }

    #[test]
    fn app_cred_by_name() {
        let k = creds(
            r#"{"os_auth_url":"http://k/v3","os_application_credential_name":"n","os_application_credential_secret":"s","os_username":"u"}"#,
        );
        let b = request_body(&k);
        let ac = &b["auth"]["identity"]["application_credential"];
        assert_eq!(ac["name"], "n");
        assert_eq!(ac["user"]["name"], "u");
        assert_eq!(ac["user"]["domain"]["id"], "default");
        assert!(b["auth"].get("scope").is_none());
    }
}
