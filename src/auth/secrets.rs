//! Secrets asked of the caller at the moment of authentication (option
//! `credentials_from_callback`): an application keeps its key or password
//! in a vault and hands it over only when the library authenticates — the
//! first time, before expiry, after a 401 — and the library overwrites its
//! copy once the request is made. The callback runs on a blocking thread
//! (it may be slow), under the token cache's lock, so concurrent requests
//! still make one callback and one authentication.

use crate::auth::credentials::{Credentials, KeystoneMethod, Secret};
use crate::error::{Error, Result, Status};
use crate::slot::CallbackSlot;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// Gets the request (JSON) and returns the reply (JSON), or why it failed.
pub type SecretFn = Box<dyn Fn(&str) -> std::result::Result<String, String> + Send + Sync>;

pub type SecretSlot = CallbackSlot<SecretFn>;

/// The secret these credentials need, by its reply key.
pub fn needed(creds: &Credentials) -> &'static str {
    match creds {
        Credentials::V1(_) => "key",
        Credentials::Keystone(k) => match k.method {
            KeystoneMethod::Password => "password",
            KeystoneMethod::ApplicationCredential => "application_credential_secret",
            KeystoneMethod::Token => "token",
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reply {
    key: Option<Secret>,
    password: Option<Secret>,
    application_credential_secret: Option<Secret>,
    token: Option<Secret>,
}

fn failed(message: String) -> Error {
    Error::new(Status::Auth, message)
}

/// `creds` with the secret the callback gives; `reason` says why the
/// library authenticates ("first", "expiring", "rejected", "forced").
pub async fn fill(
    slot: &Arc<SecretSlot>,
    creds: &Credentials,
    reason: &str,
) -> Result<Credentials> {
    let needs = needed(creds);
    let (auth_url, user) = match creds {
        Credentials::V1(c) => (c.auth_url.clone(), json!(c.user)),
        Credentials::Keystone(k) => (
            k.auth_url.clone(),
            match &k.user {
                Some(crate::auth::credentials::Ref::Id(i)) => json!({ "id": i }),
                Some(crate::auth::credentials::Ref::Name(n)) => json!({ "name": n }),
                None => json!(null),
            },
        ),
    };
    let request =
        json!({"needs": needs, "auth_url": auth_url, "user": user, "reason": reason}).to_string();
    let slot = slot.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut out = None;
        slot.call_if(|_| true, |f| out = Some(f(&request)));
        out
    })
    .await
    .map_err(|e| Error::internal(format!("the credential callback's thread failed: {e}")))?;
    let text = match answer {
        None => {
            return Err(failed(
                "credentials_from_callback is set but no credential callback is".into(),
            ))
        }
        Some(Err(why)) => return Err(failed(format!("the credential callback failed: {why}"))),
        Some(Ok(text)) => zeroize::Zeroizing::new(text),
    };
    let mut reply: Reply = serde_json::from_str(&text).map_err(|e| {
        failed(format!(
            "the credential callback's reply is not a JSON object: {e}"
        ))
    })?;
    let secret = match needs {
        "key" => reply.key.take(),
        "password" => reply.password.take(),
        "application_credential_secret" => reply.application_credential_secret.take(),
        _ => reply.token.take(),
    }
    .filter(|s| !s.expose().is_empty())
    .ok_or_else(|| failed(format!("the credential callback gave no \"{needs}\"")))?;
    let mut filled = creds.clone();
    match &mut filled {
        Credentials::V1(c) => c.key = secret,
        Credentials::Keystone(k) => match k.method {
            KeystoneMethod::Password => k.password = Some(secret),
            KeystoneMethod::ApplicationCredential => {
                if let Some(ac) = &mut k.app_cred {
                    ac.1 = secret
                }
            }
            KeystoneMethod::Token => k.token = Some(secret),
        },
    }
    Ok(filled)
}
