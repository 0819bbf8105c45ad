//! The options validated: timeouts, retries, TLS, proxy, thread defaults,
//! logging and the way to authenticate, resolved once when a client is made.

use crate::auth::credentials::AuthConfig;
use crate::error::{Error, Result};
use crate::options::Options;
use std::time::Duration;

impl Options {
    /// Validates everything that can be checked without the network and
    /// resolves the authentication method. With `cloud`, its clouds.yaml
    /// entry gives every option these do not set.
    pub fn resolve(&self) -> Result<Settings> {
        if self.cloud.as_deref().is_some_and(|c| !c.is_empty()) {
            let mut merged = self.with_cloud()?;
            let r = merged.resolve();
            merged.wipe_secrets();
            return r;
        }
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
        let auth = self.auth_config()?;
        Ok(Settings {
            service_auth: self.service_auth_config(&auth)?,
            auth,
            retries,
            starting_backoff: secs("starting_backoff", self.starting_backoff, 1.0, true)?,
            max_backoff: secs("max_backoff", self.max_backoff, 64.0, true)?,
            max_retry_after: secs("max_retry_after", self.max_retry_after, 300.0, true)?,
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
            memory_limit: self.memory_limit,
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
                Some(t) => check_trans_id_extra(t)?,
                None => format!("swc-{:016x}", fastrand::u64(..)),
            },
        })
    }
}

impl Options {
    /// These options over the entry of `cloud` (see `crate::clouds`): the
    /// files are looked up in the process's environment and current
    /// directory.
    fn with_cloud(&self) -> Result<Options> {
        let name = self.cloud.clone().unwrap_or_default();
        let env = |k: &str| std::env::var(k).ok();
        let lookup = crate::clouds::Lookup {
            env: &env,
            cwd: std::env::current_dir().ok(),
        };
        let from_file = crate::clouds::options_for(&name, self.clouds_file.as_deref(), &lookup)?;
        let mut merged = from_file.overlay(self)?;
        merged.cloud = None;
        Ok(merged)
    }
}

/// A tracing id for X-Trans-Id-Extra (the client's option, or one
/// operation's): Swift appends it to its transaction ids and logs it.
pub fn check_trans_id_extra(t: &str) -> Result<String> {
    if t.is_empty() || t.len() > 64 || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::config(
            "trans_id_extra",
            "\"trans_id_extra\" must be 1 to 64 printable ASCII characters",
        ));
    }
    Ok(t.to_string())
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
    /// The service identity whose token goes as X-Service-Token.
    pub service_auth: Option<AuthConfig>,
    pub retries: u32,
    pub starting_backoff: Duration,
    pub max_backoff: Duration,
    pub max_retry_after: Duration,
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
    pub memory_limit: Option<u64>,
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
