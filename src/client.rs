//! `Client`: validated settings, the HTTP client and the token cache. Cheap
//! to share (`Arc` inside) and safe to use from many tasks at once.
//!
//! Pooled connections belong to the tokio runtime that opened them: use a
//! `Client` on one runtime (the C API always uses the library's own).

use crate::auth::format_time;
use crate::auth::token::{AuthRetry, Token, TokenCache};
use crate::error::Result;
use crate::http;
use crate::log::{Level, Logger};
use crate::options::Options;
use crate::settings::Settings;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::SystemTime;

/// Receives a saved auth state (JSON text); see `Client::set_new_token_callback`.
pub type StateFn = Box<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    http: http::Http,
    tokens: TokenCache,
    /// The service identity's token (X-Service-Token), when configured.
    service_tokens: Option<TokenCache>,
    logger: crate::log::LogSlot,
    /// Gives the secret at each authentication (`credentials_from_callback`).
    secrets: Arc<crate::auth::secrets::SecretSlot>,
    /// Told the saved state after every authentication (see `export_state`).
    on_new_token: crate::slot::CallbackSlot<StateFn>,
    /// The newest token generation the callback was told of (or imported).
    told: std::sync::atomic::AtomicU64,
    /// Who this client authenticates as (see `auth::state`).
    identity: Option<String>,
    /// `/info` documents (and where each was found) by the URL first asked.
    /// Per `/info` location: where it was found, the document, its text.
    #[allow(clippy::type_complexity)]
    capabilities: std::sync::Mutex<std::collections::HashMap<String, (String, Value, String)>>,
    /// The ceiling on buffer memory (`memory_limit`), when set.
    memory: Option<Arc<crate::memory::MemoryBudget>>,
}

impl Client {
    /// Validates the options and prepares the client; no network traffic.
    pub fn new(options: &Options) -> Result<Client> {
        let settings = options.resolve()?;
        let http = http::Http::new(&settings)?;
        let retry = AuthRetry {
            retries: settings.retries,
            starting_backoff: settings.starting_backoff,
            max_backoff: settings.max_backoff,
        };
        let tokens = TokenCache::new(settings.auth.clone(), settings.refresh_margin, retry);
        let service_tokens = settings
            .service_auth
            .clone()
            .map(|a| TokenCache::new(a, settings.refresh_margin, retry));
        let identity = crate::auth::state::identity(&settings.auth);
        let memory = match settings.memory_limit {
            Some(l) => Some(Arc::new(crate::memory::MemoryBudget::new(l)?)),
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                settings,
                http,
                tokens,
                service_tokens,
                logger: Default::default(),
                secrets: Default::default(),
                on_new_token: Default::default(),
                told: Default::default(),
                identity,
                capabilities: Default::default(),
                memory,
            }),
        })
    }

    /// The client's memory ceiling, when it has one.
    pub fn memory(&self) -> Option<&Arc<crate::memory::MemoryBudget>> {
        self.inner.memory.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn http(&self) -> &http::Http {
        &self.inner.http
    }

    /// A valid token: cached, or fetched (or refreshed) now.
    pub async fn token(&self) -> Result<Arc<Token>> {
        let t = self
            .inner
            .tokens
            .get(&self.inner.http, &self.hooks())
            .await?;
        Ok(self.tell(t))
    }

    /// Authenticates now, even if a cached token is still good.
    pub async fn reauthenticate(&self) -> Result<Arc<Token>> {
        let t = self
            .inner
            .tokens
            .force(&self.inner.http, &self.hooks())
            .await?;
        Ok(self.tell(t))
    }

    /// One shared re-authentication after `rejected` got a 401.
    pub async fn token_after_reject(&self, rejected: &Token) -> Result<Arc<Token>> {
        let t = self
            .inner
            .tokens
            .refresh_after_reject(&self.inner.http, &self.hooks(), rejected)
            .await?;
        Ok(self.tell(t))
    }

    /// The service token to send as X-Service-Token (cached, or fetched
    /// or refreshed now), when the client has service credentials.
    pub async fn service_token(&self) -> Result<Option<Arc<Token>>> {
        match &self.inner.service_tokens {
            None => Ok(None),
            Some(c) => Ok(Some(
                c.get(&self.inner.http, &self.hooks())
                    .await
                    .map_err(service_error)?,
            )),
        }
    }

    /// One shared fetch of a new service token after a request that
    /// carried `rejected` got a 401 (the main token is renewed too: the
    /// answer does not say which of the two was refused).
    pub async fn service_token_after_reject(&self, rejected: &Token) -> Result<Option<Arc<Token>>> {
        match &self.inner.service_tokens {
            None => Ok(None),
            Some(c) => Ok(Some(
                c.refresh_after_reject(&self.inner.http, &self.hooks(), rejected)
                    .await
                    .map_err(service_error)?,
            )),
        }
    }

    /// How many service-token authentications this client has made.
    pub fn service_auth_requests(&self) -> u64 {
        self.inner
            .service_tokens
            .as_ref()
            .map_or(0, |c| c.auth_requests())
    }

    fn hooks(&self) -> crate::auth::token::Hooks<'_> {
        crate::auth::token::Hooks {
            log: &self.inner.logger,
            secrets: &self.inner.secrets,
        }
    }

    /// Sets (or clears) the callback that gives the secret at each
    /// authentication (option `credentials_from_callback`). Returns once
    /// the previous callback runs nowhere else.
    pub fn set_credential_callback(&self, f: Option<crate::auth::secrets::SecretFn>) {
        self.inner.secrets.replace(f);
    }

    /// Tells the new-token callback of a token it has not seen (once, however
    /// many requests find it).
    fn tell(&self, t: Arc<Token>) -> Arc<Token> {
        use std::sync::atomic::Ordering;
        if self.inner.told.fetch_max(t.generation, Ordering::AcqRel) < t.generation
            && self.inner.on_new_token.is_set()
        {
            let state = crate::auth::state::of(&t, self.inner.identity.clone());
            // As export_state gives it (the same text for the same token).
            let text = serde_json::to_value(state).unwrap_or_default().to_string();
            self.inner.on_new_token.call_if(|_| true, |f| f(&text));
        }
        t
    }

    /// Sets (or clears) the callback told the saved state (JSON, with the
    /// token) after every authentication, to persist it. Returns once the
    /// previous callback runs nowhere else.
    pub fn set_new_token_callback(&self, f: Option<StateFn>) {
        self.inner.on_new_token.replace(f);
    }

    /// The saved state of the current token (authenticating first if there
    /// is none): see [`crate::auth::state`]. Holds the token.
    pub async fn export_state(&self) -> Result<Value> {
        let t = self.token().await?;
        let state = crate::auth::state::of(&t, self.inner.identity.clone());
        Ok(serde_json::to_value(state).unwrap_or_default())
    }

    /// Restores a saved state: its token is used until it expires or is
    /// refused. Refused (SWC_E_CONFIG) when it belongs to another identity;
    /// ignored when expired. Returns `{"imported": bool, "reason"}`.
    pub async fn import_state(&self, text: &str) -> Result<Value> {
        use crate::auth::state::{restore, Imported};
        let margin = self.inner.settings.refresh_margin;
        match restore(text, self.inner.identity.as_deref(), margin)? {
            Imported::Expired => Ok(json!({"imported": false, "reason": "expired"})),
            Imported::Token(t) => {
                let t = self.inner.tokens.install(t).await;
                // Not news to the callback: it is what the caller saved.
                let generation = t.generation;
                self.inner
                    .told
                    .fetch_max(generation, std::sync::atomic::Ordering::AcqRel);
                Ok(json!({
                    "imported": true,
                    "storage_url": t.storage_url,
                    "expires_at": t.expires.map(format_time),
                }))
            }
        }
    }

    /// Sets (or clears) the logger. Returns once no call of the previous
    /// logger is in progress on another thread (see [`crate::log::LogSlot`]).
    pub fn set_logger(&self, logger: Option<Logger>) {
        self.inner.logger.replace(logger);
    }

    /// Logs the line `f` builds, if a logger takes this level.
    pub fn log(&self, level: Level, f: impl FnOnce() -> String) {
        self.inner.logger.log(level, f);
    }

    /// The `/info` document cached under `key` (the first URL asked for
    /// it), with the URL it was found at.
    pub fn cached_capabilities(&self, key: &str) -> Option<(String, Value, String)> {
        self.inner
            .capabilities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    pub fn cache_capabilities(&self, key: &str, found_at: &str, info: Value) {
        let text = info.to_string();
        self.cache_capabilities_document(key, found_at, info, text);
    }

    /// As `cache_capabilities`, with the document's text as the server sent it.
    pub fn cache_capabilities_document(
        &self,
        key: &str,
        found_at: &str,
        info: Value,
        text: String,
    ) {
        self.inner
            .capabilities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), (found_at.to_string(), info, text));
    }

    pub fn can_reauthenticate(&self) -> bool {
        self.inner.tokens.can_reauthenticate()
    }

    /// How many authentication round trips this client has made.
    pub fn auth_requests(&self) -> u64 {
        self.inner.tokens.auth_requests()
    }

    /// The auth record: storage URL, auth version, expiry, and the token only
    /// when `include_token`.
    pub async fn auth_record(&self, force: bool, include_token: bool) -> Result<Value> {
        self.auth_record_with(&AuthRecordOpts {
            force,
            include_token,
            ..Default::default()
        })
        .await
    }

    /// The auth record as `o` asks for it (see [`AuthRecordOpts`]).
    pub async fn auth_record_with(&self, o: &AuthRecordOpts) -> Result<Value> {
        let t = if o.force {
            self.reauthenticate().await?
        } else {
            self.token().await?
        };
        let mut v = token_record(&t, o.include_token);
        if let Some(access) = &t.access {
            let facts =
                crate::auth::access::for_record(access, o.include_catalog, &o.catalog_filter);
            for (k, f) in facts {
                v[k] = f;
            }
        }
        Ok(v)
    }
}

/// An error of the service identity's authentication says so: the
/// caller's own credentials were fine.
fn service_error(mut e: crate::error::Error) -> crate::error::Error {
    e.message = format!("service token (service_username): {}", e.message);
    e
}

/// What an auth record holds (the options of `swc_client_auth`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthRecordOpts {
    /// Authenticate now even if a cached token is still good.
    pub force: bool,
    /// Put the token itself in the record.
    pub include_token: bool,
    /// Keystone: add the service catalog (`catalog`).
    pub include_catalog: bool,
    /// Keystone: only the catalog entries whose `service_type`,
    /// `service_name`, `region` and `interface` equal these.
    pub catalog_filter: serde_json::Map<String, Value>,
}

/// The JSON record describing a token.
pub fn token_record(t: &Token, include_token: bool) -> Value {
    let mut v = json!({
        "storage_url": t.storage_url,
        "auth_version": t.version.map(|v| v.as_str()),
        "preauthenticated": t.version.is_none(),
        "expires_at": t.expires.map(format_time),
        "expires_in": t.expires.map(|e| e.duration_since(SystemTime::now()).map_or(0, |d| d.as_secs())),
        "project_id": t.project.as_ref().map(|p| p.0.clone()),
        "project_name": t.project.as_ref().map(|p| p.1.clone()),
    });
    if include_token {
        v["token"] = json!(t.token.expose());
    }
    v
}
