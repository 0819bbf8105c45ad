//! The token cache: one current token per client, refreshed before it
//! expires, and a single-flight re-authentication — however many requests
//! find the token rejected at once, one auth request is made.

use super::{authenticate, AuthResult};
use crate::auth::credentials::{AuthConfig, AuthVersion, Secret};
use crate::error::{Error, Result, Status};
use crate::log::{Level, LogSlot};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// A token and the storage URL it is good for.
#[derive(Debug, Clone)]
pub struct Token {
    pub storage_url: String,
    pub token: Secret,
    pub expires: Option<SystemTime>,
    /// `None` for a pre-authenticated token.
    pub version: Option<AuthVersion>,
    pub project: Option<(String, String)>,
    /// Keystone: whom the token was issued to (see `auth::access`).
    pub access: Option<Arc<serde_json::Value>>,
    pub obtained: SystemTime,
    /// Increases with every new token; identifies which token a request used.
    pub generation: u64,
}

impl Token {
    /// True when the token expires within `margin` — or within half its
    /// lifetime, if that is shorter, so a short-lived token is not refreshed
    /// on every request.
    pub fn expiring(&self, margin: Duration, now: SystemTime) -> bool {
        let Some(exp) = self.expires else {
            return false;
        };
        let life = exp.duration_since(self.obtained).unwrap_or(Duration::ZERO);
        let margin = margin.min(life / 2);
        match exp.duration_since(now) {
            Ok(left) => left <= margin,
            Err(_) => true,
        }
    }
}

/// What an authentication may call out to: the log, and the credential
/// callback (for `credentials_from_callback`).
pub struct Hooks<'a> {
    pub log: &'a LogSlot,
    pub secrets: &'a Arc<super::secrets::SecretSlot>,
}

/// How authentication requests themselves are retried (connection errors
/// and 5xx answers; never rejected credentials).
#[derive(Debug, Clone, Copy)]
pub struct AuthRetry {
    pub retries: u32,
    pub starting_backoff: Duration,
    pub max_backoff: Duration,
}

pub struct TokenCache {
    config: AuthConfig,
    margin: Duration,
    retry: AuthRetry,
    current: Mutex<Option<Arc<Token>>>,
    auth_requests: AtomicU64,
    /// A versionless Keystone URL's version and URL, found once.
    discovered: tokio::sync::OnceCell<Option<(AuthVersion, String)>>,
}

impl TokenCache {
    pub fn new(config: AuthConfig, margin: Duration, retry: AuthRetry) -> TokenCache {
        let initial = match (&config.storage_url_override, &config.preauth_token) {
            (Some(url), Some(tok)) => Some(Arc::new(Token {
                storage_url: url.clone(),
                token: tok.clone(),
                expires: None,
                version: None,
                project: None,
                access: None,
                obtained: SystemTime::now(),
                generation: 1,
            })),
            _ => None,
        };
        TokenCache {
            config,
            margin,
            retry,
            current: Mutex::new(initial),
            auth_requests: AtomicU64::new(0),
            discovered: Default::default(),
        }
    }

    /// Puts a token obtained elsewhere (a saved state) in place of the
    /// current one; it is used until it expires or is refused.
    pub async fn install(&self, mut t: Token) -> Arc<Token> {
        let mut cur = self.current.lock().await;
        t.generation = cur.as_ref().map_or(0, |c| c.generation) + 1;
        let t = Arc::new(t);
        *cur = Some(t.clone());
        t
    }

    /// How many authentications this cache has performed.
    pub fn auth_requests(&self) -> u64 {
        self.auth_requests.load(Ordering::Relaxed)
    }

    pub fn can_reauthenticate(&self) -> bool {
        self.config.credentials.is_some()
    }

    /// The current token, authenticating first when there is none or it is
    /// about to expire (and credentials allow a refresh).
    pub async fn get(&self, http: &crate::http::Http, hooks: &Hooks<'_>) -> Result<Arc<Token>> {
        let mut cur = self.current.lock().await;
        if let Some(t) = cur.as_ref() {
            if !t.expiring(self.margin, SystemTime::now()) || !self.can_reauthenticate() {
                return Ok(t.clone());
            }
        }
        let reason = if cur.is_some() { "expiring" } else { "first" };
        self.renew(http, hooks, reason, &mut cur).await
    }

    /// Authenticates now, whatever the cache holds.
    pub async fn force(&self, http: &crate::http::Http, hooks: &Hooks<'_>) -> Result<Arc<Token>> {
        let mut cur = self.current.lock().await;
        self.renew(http, hooks, "forced", &mut cur).await
    }

    /// Called when `rejected` got a 401. If another caller already replaced
    /// it, that newer token is returned without a new auth request.
    pub async fn refresh_after_reject(
        &self,
        http: &crate::http::Http,
        hooks: &Hooks<'_>,
        rejected: &Token,
    ) -> Result<Arc<Token>> {
        let mut cur = self.current.lock().await;
        if let Some(t) = cur.as_ref() {
            if t.generation != rejected.generation {
                return Ok(t.clone());
            }
        }
        if !self.can_reauthenticate() {
            return Err(Error::new(
                Status::Auth,
                "the token was rejected (401) and there are no credentials to authenticate again",
            ));
        }
        self.renew(http, hooks, "rejected", &mut cur).await
    }

    // Long (~100 lines) on purpose: one single-flight renewal — version
    // discovery, the retries under the shared backoff, the log lines and
    // the state callback — whose steps share the lock it holds.
    async fn renew(
        &self,
        http: &crate::http::Http,
        hooks: &Hooks<'_>,
        reason: &str,
        cur: &mut Option<Arc<Token>>,
    ) -> Result<Arc<Token>> {
        let log = hooks.log;
        let Some(creds) = &self.config.credentials else {
            return cur.clone().ok_or_else(|| {
                Error::config("auth", crate::auth::credentials::NO_WAY_TO_AUTHENTICATE)
            });
        };
        // Asked for now, dropped (and overwritten) when this returns.
        let filled;
        let creds = if self.config.secrets_from_callback {
            filled = super::secrets::fill(hooks.secrets, creds, reason).await?;
            &filled
        } else {
            creds
        };
        let rediscovered;
        let creds = match creds {
            crate::auth::credentials::Credentials::Keystone(k) if k.discover_from.is_some() => {
                let root = k.discover_from.as_deref().unwrap_or_default();
                let found = self
                    .discovered
                    .get_or_init(|| super::discovery::discover(http, root))
                    .await;
                log.log(Level::Debug, || {
                    format!("auth: discovered at {root}: {found:?}")
                });
                match found {
                    Some(f) => {
                        let k = super::discovery::apply(k, f);
                        rediscovered = crate::auth::credentials::Credentials::Keystone(Box::new(k));
                        &rediscovered
                    }
                    None => creds,
                }
            }
            _ => creds,
        };
        let mut backoff =
            crate::backoff::Backoff::new(self.retry.starting_backoff, self.retry.max_backoff);
        let mut attempt = 0;
        let AuthResult {
            storage_url,
            token,
            expires,
            version,
            project,
            access,
        } = loop {
            attempt += 1;
            self.auth_requests.fetch_add(1, Ordering::Relaxed);
            // Secrets are never part of the description.
            log.log(Level::Debug, || format!("auth: {}", super::describe(creds)));
            let started = std::time::Instant::now();
            match authenticate(http, creds, self.config.storage_url_override.as_deref()).await {
                Ok(r) => {
                    log.log(Level::Debug, || {
                        format!(
                            "auth: ok in {:.3} s; storage URL {}{}",
                            started.elapsed().as_secs_f64(),
                            r.storage_url,
                            r.expires
                                .map(|e| format!(", expires {}", super::format_time(e)))
                                .unwrap_or_default()
                        )
                    });
                    break r;
                }
                Err(e)
                    if e.retryable && e.status != Status::Auth && attempt <= self.retry.retries =>
                {
                    let wait = backoff.next_delay(None);
                    log.log(Level::Info, || {
                        format!("auth failed ({e}); retrying in {:.1} s", wait.as_secs_f64())
                    });
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    log.log(Level::Debug, || format!("auth: failed: {e}"));
                    return Err(e.attempts(attempt));
                }
            }
        };
        let generation = cur.as_ref().map_or(0, |t| t.generation) + 1;
        let t = Arc::new(Token {
            storage_url,
            token,
            expires,
            version: Some(version),
            project,
            access,
            obtained: SystemTime::now(),
            generation,
        });
        *cur = Some(t.clone());
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(life: u64) -> Token {
        let now = SystemTime::now();
        Token {
            storage_url: String::new(),
            token: Secret::new("t"),
            expires: Some(now + Duration::from_secs(life)),
            version: None,
            project: None,
            access: None,
            obtained: now,
            generation: 1,
        }
    }

    #[test]
    fn expiry_margin() {
        let now = SystemTime::now();
        assert!(!token(3600).expiring(Duration::from_secs(120), now));
        assert!(token(3600).expiring(Duration::from_secs(120), now + Duration::from_secs(3500)));
        // A 60 s token with a 120 s margin is refreshed after 30 s, not at once.
        assert!(!token(60).expiring(Duration::from_secs(120), now + Duration::from_secs(10)));
        assert!(token(60).expiring(Duration::from_secs(120), now + Duration::from_secs(31)));
        let mut t = token(1);
        t.expires = None;
        assert!(!t.expiring(Duration::from_secs(120), now + Duration::from_secs(99999)));
    }
}
