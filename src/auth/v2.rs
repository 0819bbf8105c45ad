//! Keystone v2.0: password or token, tenant by name or id, and — when no
//! tenant is given — the unscoped token → `GET /tenants` → scoped token flow.

use super::{catalog, parse_expiry, AuthResult};
use crate::auth::credentials::{AuthVersion, KeystoneCredentials, KeystoneMethod, Ref, Secret};
use crate::error::{Error, Result, Status};
use crate::http;
use serde_json::{json, Value};

fn tenant(body: &mut Value, t: &Ref) {
    match t {
        Ref::Id(id) => body["auth"]["tenantId"] = json!(id),
        Ref::Name(n) => body["auth"]["tenantName"] = json!(n),
    }
}

/// The first `POST /tokens` body. Holds secrets: never log it.
pub fn request_body(k: &KeystoneCredentials) -> Value {
    let mut body = match k.method {
        KeystoneMethod::Token => {
            json!({ "auth": { "token": { "id": k.token.as_ref().map(Secret::expose).unwrap_or("") } } })
        }
        _ => {
            let mut pc =
                json!({ "password": k.password.as_ref().map(Secret::expose).unwrap_or("") });
            match &k.user {
                Some(Ref::Id(id)) => pc["userId"] = json!(id),
                Some(Ref::Name(n)) => pc["username"] = json!(n),
                None => {}
            }
            json!({ "auth": { "passwordCredentials": pc } })
        }
    };
    if let Some(t) = &k.project {
        tenant(&mut body, t);
    }
    body
}

async fn post_tokens(client: &crate::http::Http, url: &str, body: &Value) -> Result<Value> {
    let resp = client
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| client.transport_error("POST", url, &e))?;
    if !resp.status().is_success() {
        let mut e =
            http::status_error("POST", url, resp, "Keystone v2 authentication failed").await;
        if e.http_status.is_some_and(|s| s < 500) && e.status != Status::NotFound {
            e.status = Status::Auth;
        }
        return Err(e);
    }
    resp.json().await.map_err(|e| {
        Error::new(
            Status::Auth,
            format!("Keystone v2 response is not JSON: {e}"),
        )
        .with_request("POST", url)
    })
}

/// The first enabled tenant the unscoped token can see, as the scoped
/// request names it: `tenantId`, or `tenantName` for servers whose tenant
/// entries carry only a name (ViPR/ECS).
async fn first_tenant(
    client: &crate::http::Http,
    auth_url: &str,
    token: &str,
) -> Result<(&'static str, String)> {
    let url = format!("{auth_url}/tenants");
    let resp = client
        .get(&url)
        .header("X-Auth-Token", token)
        .send()
        .await
        .map_err(|e| client.transport_error("GET", &url, &e))?;
    if !resp.status().is_success() {
        let mut e = http::status_error(
            "GET",
            &url,
            resp,
            "listing tenants for the unscoped token failed",
        )
        .await;
        e.status = Status::Auth;
        return Err(e);
    }
    let v: Value = resp.json().await.map_err(|e| {
        Error::new(Status::Auth, format!("tenant list is not JSON: {e}")).with_request("GET", &url)
    })?;
    v["tenants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["enabled"].as_bool().unwrap_or(true))
        .find_map(|t| match (t["id"].as_str(), t["name"].as_str()) {
            (Some(id), _) => Some(("tenantId", id.to_string())),
            (None, Some(name)) => Some(("tenantName", name.to_string())),
            (None, None) => None,
        })
        .ok_or_else(|| {
            Error::new(
                Status::Auth,
                "the unscoped token has no enabled tenant: give os_tenant_name or os_tenant_id",
            )
            .with_request("GET", &url)
        })
}

pub async fn authenticate(
    client: &crate::http::Http,
    k: &KeystoneCredentials,
    have_url: bool,
) -> Result<AuthResult> {
    let url = format!("{}/tokens", k.auth_url);
    let mut access = post_tokens(client, &url, &request_body(k)).await?;
    if k.project.is_none() && access["access"]["token"]["tenant"].is_null() {
        // Unscoped: find a tenant, then trade the token for a scoped one.
        let unscoped = access["access"]["token"]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let (key, tenant) = first_tenant(client, &k.auth_url, &unscoped).await?;
        let mut body = json!({ "auth": { "token": { "id": unscoped } } });
        body["auth"][key] = json!(tenant);
        access = post_tokens(client, &url, &body).await?;
    }
    let a = &access["access"];
    let token = a["token"]["id"].as_str().ok_or_else(|| {
        Error::new(Status::Auth, "Keystone v2 answered without access.token.id")
            .with_request("POST", &url)
    })?;
    let endpoints = catalog::from_v2(&a["serviceCatalog"]);
    let access = Some(std::sync::Arc::new(super::access::from_v2(a, &endpoints)));
    let storage_url = if have_url {
        String::new()
    } else {
        catalog::select(&endpoints, &k.catalog)?
    };
    Ok(AuthResult {
        storage_url,
        token: Secret::new(token),
        expires: expiry(&a["token"]["expires"]),
        version: AuthVersion::V2,
        access,
        project: a["token"]["tenant"]["id"].as_str().map(|id| {
            (
                id.to_string(),
                a["token"]["tenant"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        }),
    })
}

/// A v2 token's expiry: ISO 8601 as Keystone writes it, or (ViPR/ECS) a
/// Unix time in milliseconds, as a number or a string of digits.
pub(crate) fn expiry(v: &Value) -> Option<std::time::SystemTime> {
    let millis = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        Value::String(s) => return parse_expiry(s),
        _ => None,
    }?;
    Some(std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis))
}
