//! `swc_client`: creation, freeing, authentication.

use super::callbacks::UserData;
use super::op_state::OpShared;
use super::panic::{guard, guard_value};
use super::strings::{check_out, optional, write_string};
use super::swc_status;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::log::{Level, Logger};
use crate::options::Options;
use crate::runtime::RuntimeRef;
use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex, Weak};

/// A client: options, token cache and connection pool. Opaque.
///
/// Thread-safety: every function taking `const swc_client *` may be called
/// from any number of threads at once. Create it with `swc_client_new` or
/// `swc_client_new_from_env`, free it with `swc_client_free`.
pub struct swc_client {
    // Field order is drop order: the client before the runtime it uses.
    pub(crate) client: Client,
    pub(crate) ops: Mutex<Vec<Weak<OpShared>>>,
    pub(crate) rt: RuntimeRef,
}

impl swc_client {
    /// The client behind a C pointer (NULL is an error).
    pub(crate) fn from_ptr<'a>(p: *const swc_client) -> Result<&'a swc_client> {
        // SAFETY: a non-NULL pointer came from swc_client_new and is not yet freed.
        unsafe { p.as_ref() }.ok_or_else(|| Error::null_argument("client"))
    }

    /// Remembers an operation so that freeing the client can stop it and
    /// wait for its on_done.
    pub(crate) fn register_op(&self, op: &Arc<OpShared>) {
        let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        ops.retain(|w| w.strong_count() > 0);
        ops.push(Arc::downgrade(op));
    }

    /// Cancels every live operation and waits until each one's on_done ran.
    fn stop_ops(&self) {
        let ops: Vec<Arc<OpShared>> = self
            .ops
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|w| w.upgrade())
            .collect();
        for op in &ops {
            op.cancel.cancel();
        }
        for op in &ops {
            op.wait(None);
        }
    }
}

fn create(mut options: Options, out: *mut *mut swc_client) -> Result<()> {
    check_out(out, "client")?;
    let client = Client::new(&options);
    // The client holds its own copies (overwritten when it is freed).
    options.wipe_secrets();
    let client = client?;
    let rt = RuntimeRef::acquire()?;
    let handle = Box::into_raw(Box::new(swc_client {
        client,
        ops: Mutex::new(Vec::new()),
        rt,
    }));
    // SAFETY: out checked non-NULL.
    unsafe { *out = handle };
    Ok(())
}

/// Creates a client from `options_json`, a JSON object of options (NULL or
/// "{}" for none: a client without credentials, whose authentication —
/// and so every request — is SWC_E_CONFIG with `key` "auth"; once any auth
/// option is given, the others it needs must be too). Keys follow python-swiftclient's options: `auth`, `user`,
/// `key`, `auth_version`, `os_auth_url`, `os_username`, `os_password`,
/// `os_user_id`, `os_user_domain_name`/`_id`, `os_project_name`/`_id`,
/// `os_project_domain_name`/`_id`, `os_tenant_name`/`_id`,
/// `os_domain_name`/`_id` (domain scope), `os_auth_type`, `os_auth_token`,
/// `os_storage_url`, `os_application_credential_id`/`_name`/`_secret`,
/// `os_service_type`, `os_service_name`, `os_endpoint_type`,
/// `os_region_name`, `os_cacert`, `cacert_pem` (CA certificates as PEM
/// text), `cacert_only` (trust only those, not the system roots),
/// `os_cert`, `os_key`, `insecure`,
/// `auth_headers` ("auth" or "storage": X-Storage-User/X-Storage-Pass),
/// `retries`, `starting_backoff`, `max_backoff`, `max_retry_after` (the
/// longest Retry-After waited for, default 300 s; a longer one fails the
/// request at once), `retry_on_ratelimit`, `force_auth_retry`, `timeout`, `connect_timeout`,
/// `token_refresh_margin`, `user_agent`, `proxy` (an http:// or https://
/// proxy URL for every request), `no_proxy` (hosts that bypass it),
/// `use_environment_proxy` (default true: without `proxy`, the
/// environment's http_proxy/https_proxy/all_proxy/no_proxy are honoured, as
/// curl reads them; false: never). An error of a request that went through
/// a proxy names it (without its credentials); python-swiftclient's
/// `object_dd_threads`, `object_uu_threads`, `container_threads`,
/// `segment_threads` (1-1024: the defaults of this client's bulk
/// operations; a request's own value wins), `memory_limit` (ours: a
/// ceiling in bytes, at least 8 MiB, on the buffer memory of all of this
/// client's operations and calls together — half for requests in flight,
/// 1 MiB each and 4 MiB for a listing page, which wait for their share
/// before they start; half for stream segments held in memory, which wait
/// in an unlinked temporary file when it is full; the process's own
/// baseline, about 8 MiB, comes on top), `ssl_compression` (accepted,
/// ignored), and `credentials_from_callback` (the key, password or
/// application credential secret is not in the options: the callback set
/// with `swc_client_set_credential_callback` gives it at each
/// authentication), `trans_id_extra` (sent as X-Trans-Id-Extra on every
/// request; default a random id per client), and python-swiftclient's
/// logging switches `debug`, `info`, `verbose` (the level of a log
/// callback set with SWC_LOG_FROM_OPTIONS), `cloud` (a cloud of
/// clouds.yaml, as openstacksdk's OS_CLOUD: its entry, with secure.yaml's
/// merged over it as openstacksdk merges them, gives every option not set
/// otherwise — the `auth` section's auth_url, username, user_id,
/// password, project_name/_id (tenant_*), user/project domain names and
/// ids, application_credential_id/_name/_secret, token; and region_name
/// (else the first of `regions`), interface, identity_api_version,
/// auth_type (password, token, v2password, v2token, v3password, v3token,
/// v3applicationcredential, v1password), cacert, cert, key, verify,
/// api_timeout, object_store_endpoint_override; other cloud-level keys
/// are ignored, an unknown `auth` key is an error. The file is
/// OS_CLIENT_CONFIG_FILE, else the first of ./clouds.yaml,
/// $XDG_CONFIG_HOME/openstack/ (default ~/.config/openstack/) and
/// /etc/openstack/ (each .yaml, .yml, .json), and secure.yaml likewise
/// with OS_CLIENT_SECURE_FILE — looked up in the process's environment and
/// current directory when the client is made), `clouds_file` (ours: the
/// clouds.yaml to read instead), and python-swiftclient's service
/// credentials `service_username`, `service_key`, `service_project_name`
/// (ours: `service_user_id`, `service_project_id`,
/// `service_user_domain_name`/`_id`, `service_project_domain_name`/`_id`;
/// names default to the Default domain): a second identity at the same
/// Keystone whose token every storage request carries as X-Service-Token
/// (never logged), refreshed before it expires and fetched again, once
/// for all requests in flight, when a request gets a 401. The storage URL
/// stays the main identity's. See README.md for each.
///
/// Errors in clouds.yaml or secure.yaml are SWC_E_CONFIG with `key`
/// "cloud"; the message names the file and the line and column (a cloud
/// that is not there: the file and the clouds it has), never a value
/// read from the file.
///
/// Validates the options without touching the network. On success writes
/// the new client to `*client` (free it with `swc_client_free`).
///
/// @code
///   swc_client *mine = NULL;
///   char *err = NULL;
///   if (swc_client_new("{\"auth\": \"http://127.0.0.1:8080/auth/v1.0\","
///                      " \"user\": \"test:tester\", \"key\": \"testing\"}",
///                      &mine, &err) != SWC_OK) {
///       fprintf(stderr, "%s\n", err);
///       swc_string_free(err);
///       return;
///   }
///   swc_client_free(mine);
/// @endcode
///
/// Returns SWC_OK; SWC_E_INVALID_ARGUMENT (`client` NULL, `options_json` not
/// UTF-8); SWC_E_CONFIG (bad JSON, unknown key, wrong type, inconsistent
/// options, unreadable certificate file — the record's `key` names the
/// option); SWC_E_INTERNAL; SWC_E_PANIC. On failure `*err_json` (when
/// `err_json` is non-NULL) receives an error record to free with
/// `swc_string_free`.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_new(
    options_json: *const c_char,
    client: *mut *mut swc_client,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let opts = Options::from_json(optional(options_json, "options_json")?)
            .map_err(|e| e.or_key("options_json"))?;
        create(opts, client)
    })
}

/// As `swc_client_new`, but starts from the environment the `swift` command
/// reads — ST_AUTH, ST_USER, ST_KEY, ST_AUTH_VERSION (then OS_AUTH_VERSION,
/// OS_IDENTITY_API_VERSION), OS_AUTH_URL,
/// OS_USERNAME, OS_USER_ID, OS_PASSWORD, OS_USER_DOMAIN_NAME/ID,
/// OS_PROJECT_NAME/ID, OS_PROJECT_DOMAIN_NAME/ID, OS_TENANT_NAME/ID,
/// OS_AUTH_TYPE, OS_AUTH_TOKEN, OS_STORAGE_URL,
/// OS_DOMAIN_NAME/ID, OS_APPLICATION_CREDENTIAL_ID/NAME/SECRET,
/// OS_SERVICE_TYPE, OS_SERVICE_NAME, OS_ENDPOINT_TYPE (else OS_INTERFACE),
/// OS_REGION_NAME, OS_CACERT, OS_CERT, OS_KEY,
/// SWIFTCLIENT_INSECURE, OS_CLOUD (option `cloud`) — then applies
/// `options_json` (NULL for none) on top. With a cloud, its clouds.yaml
/// entry comes first, the environment over it, `options_json` over both,
/// as python-openstackclient takes them (openstacksdk alone ignores the
/// OS_* variables once OS_CLOUD is set; we follow openstackclient). Same
/// statuses as `swc_client_new`: SWC_OK, SWC_E_INVALID_ARGUMENT,
/// SWC_E_CONFIG, SWC_E_INTERNAL, SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_new_from_env(
    options_json: *const c_char,
    client: *mut *mut swc_client,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let over = Options::from_json(optional(options_json, "options_json")?)
            .map_err(|e| e.or_key("options_json"))?;
        create(Options::from_env().overlay(&over)?, client)
    })
}

/// Frees a client. `swc_client_free(NULL)` does nothing. The client must not
/// be in use by another thread. Its running operations are cancelled and
/// waited for: when this returns, no callback of this client will fire
/// again. (Called from inside one of its own callbacks, the wait and the
/// release happen on another thread instead, after this returns.) When the
/// last client is freed the library's runtime threads are stopped and
/// joined.
///
/// # Safety
/// `client` is NULL or a pointer from `swc_client_new*` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_client_free(client: *mut swc_client) {
    guard_value((), || {
        if !client.is_null() {
            // SAFETY: the pointer came from Box::into_raw in create() and the
            // caller gives it up here.
            let c = unsafe { Box::from_raw(client) };
            if tokio::runtime::Handle::try_current().is_ok() {
                // Inside a callback: waiting here would wait for ourselves.
                let _ = std::thread::Builder::new()
                    .name("swiftclient-free".into())
                    .spawn(move || {
                        c.stop_ops();
                        drop(c);
                    });
            } else {
                c.stop_ops();
                drop(c);
            }
        }
    })
}

/// Authenticates (or returns the cached, still-valid token's details) and
/// writes a JSON record to `*result_json` (NULL when only the status
/// matters): `storage_url`, `auth_version`
/// ("1.0", "2.0", "3", or null when pre-authenticated), `preauthenticated`,
/// `expires_at` (RFC 3339 or null), `expires_in` (seconds or null),
/// `project_id`, `project_name`, and `token` only if asked. A Keystone token
/// adds what it says about whom it was issued to: `user` (`id`, `name`,
/// `domain`), `project` (with its `domain`), `domain` (domain scope),
/// `roles` (`[{"id", "name"}]`), `issued_at`, `audit_ids`, `methods`, and
/// `catalog` when asked: `[{"service_type", "service_name", "region",
/// "interface", "url"}]`.
///
/// `opts_json` (NULL for none): `{"force": bool, "include_token": bool,
/// "include_catalog": bool, "catalog_filter": {"service_type",
/// "service_name", "region", "interface"} (each optional)}`.
///
/// Blocks the calling thread (`swc_client_auth2` takes a cancel token).
/// Thread-safe: concurrent callers share one auth request. Returns SWC_OK; SWC_E_INVALID_ARGUMENT; SWC_E_CONFIG (bad
/// options, no matching catalog endpoint); SWC_E_AUTH (rejected
/// credentials: the record has `http_status` 401); SWC_E_NOT_FOUND (auth
/// URL 404); SWC_E_HTTP; SWC_E_TIMEOUT; SWC_E_NETWORK; SWC_E_TLS;
/// SWC_E_WOULD_DEADLOCK (called from a library thread); SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_auth(
    client: *const swc_client,
    opts_json: *const c_char,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    swc_client_auth2(client, opts_json, std::ptr::null(), result_json, err_json)
}

/// `swc_client_auth` with a cancel token, as every other blocking call
/// takes: triggering `cancel` (any thread) ends the call, its retries and
/// backoff included, with SWC_E_CANCELLED. NULL `cancel`: as
/// `swc_client_auth`. Statuses: those of `swc_client_auth` (SWC_OK,
/// SWC_E_AUTH, SWC_E_NETWORK, ...), and SWC_E_CANCELLED. Authentication requests and their outcome are logged at
/// SWC_LOG_DEBUG (retries at SWC_LOG_INFO), secrets never.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_auth2(
    client: *const swc_client,
    opts_json: *const c_char,
    cancel: *const super::cancel::swc_cancel,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let opts: crate::client::AuthRecordOpts = crate::conn::opts::parse_arg(
            optional(opts_json, "opts_json")?,
            "opts_json",
            "auth options",
        )?;
        cancellable(
            client,
            cancel,
            (result_json, "result_json", true),
            |c| async move { c.auth_record_with(&opts).await },
        )
    })
}

/// Runs a client call on the runtime, blocking, ended early by `cancel`,
/// and writes its record to `out` (a NULL `out` is refused, named, unless
/// the record is optional: then the call runs and only its status counts).
fn cancellable<F, Fut>(
    client: *const swc_client,
    cancel: *const super::cancel::swc_cancel,
    out: (*mut *mut c_char, &str, bool),
    f: F,
) -> Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value>>,
{
    let c = swc_client::from_ptr(client)?;
    let (out, name, optional) = out;
    if !optional {
        check_out(out, name)?;
    }
    let token = super::cancel::token_of(cancel);
    let fut = crate::conn::request::or_cancel(&token, f(c.client.clone()));
    let rec = c.rt.block_on(fut)??;
    if out.is_null() {
        return Ok(());
    }
    write_string(out, &rec.to_string())
}

/// Receives log lines: `level` is one of SWC_LOG_*, `msg` (NUL-terminated,
/// `len` bytes) is borrowed until the callback returns. It may be called
/// from any thread, including the library's own: it must be thread-safe,
/// quick, and must not call blocking swc_* functions.
pub type swc_log_fn =
    Option<extern "C" fn(user_data: *mut c_void, level: c_int, msg: *const c_char, len: usize)>;

/// Log level: the one the client's options ask for, as python-swiftclient's
/// options do: `debug: true` → SWC_LOG_DEBUG, `info: true` or `verbose` of
/// 2 or more → SWC_LOG_INFO, otherwise SWC_LOG_WARN.
pub const SWC_LOG_FROM_OPTIONS: c_int = 0;
/// Log level: errors only.
pub const SWC_LOG_ERROR: c_int = 1;
/// Log level: warnings and errors.
pub const SWC_LOG_WARN: c_int = 2;
/// Log level: retries, re-authentication, resumed downloads.
pub const SWC_LOG_INFO: c_int = 3;
/// Log level: every request as a `curl` line and its status, with tokens,
/// keys and signatures replaced by "***".
pub const SWC_LOG_DEBUG: c_int = 4;

/// Sets (or, with `log` NULL, removes) the client's log callback, taking
/// lines up to `level`. Nothing is logged by default. `user_data` must stay
/// valid until the callback is replaced or the client freed: when this call
/// returns, the previous callback is not running on any other thread and
/// will not be called again (calls in progress are waited for), so its
/// `user_data` may be freed. Called from inside the previous callback, it
/// does not wait for that call itself. Thread-safe.
/// `level` SWC_LOG_FROM_OPTIONS takes the options' `debug`, `info` or
/// `verbose`. Returns SWC_OK, or SWC_E_INVALID_ARGUMENT (NULL client,
/// unknown level).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_set_log(
    client: *const swc_client,
    level: c_int,
    log: swc_log_fn,
    user_data: *mut c_void,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        let c = swc_client::from_ptr(client)?;
        let Some(cb) = log else {
            c.client.set_logger(None);
            return Ok(());
        };
        let max = if level == SWC_LOG_FROM_OPTIONS {
            c.client.settings().log_level
        } else {
            Level::from_code(level).ok_or_else(|| {
                Error::invalid(format!(
                    "log level {level} is not one of SWC_LOG_FROM_OPTIONS, SWC_LOG_ERROR..SWC_LOG_DEBUG"
                ))
            })?
        };
        let ud = UserData(user_data);
        let f = move |level: Level, msg: &str| {
            let (text, len) = super::strings::callback_text(msg);
            cb(ud.ptr(), level as c_int, text.as_ptr().cast(), len);
        };
        c.client.set_logger(Some(Logger {
            max,
            f: std::sync::Arc::new(f),
        }));
        Ok(())
    })
}

/// The current authentication as a saved state (JSON), authenticating first
/// if there is none: `{"format": 1, "identity", "storage_url", "token",
/// "auth_version", "expires_at" (Unix time or null), "obtained_at",
/// "project_id", "project_name"}`. It holds the token: store it as a secret.
/// `identity` is a fingerprint (SHA-256) of the auth URL, user, project,
/// scope and catalog filters, never of a secret. Give it to
/// `swc_client_import_auth` in another process to skip authenticating.
/// Blocks; `cancel` may be NULL. Statuses: those of `swc_client_auth2`
/// (SWC_OK, SWC_E_AUTH, SWC_E_CANCELLED, ...).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_export_auth(
    client: *const swc_client,
    cancel: *const super::cancel::swc_cancel,
    state_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        cancellable(
            client,
            cancel,
            (state_json, "state_json", false),
            |c| async move { c.export_state().await },
        )
    })
}

/// Restores a state from `swc_client_export_auth` (or the auth callback):
/// its token is used until it expires or is refused (401), then the client
/// authenticates with its own credentials — or, having none, fails with
/// SWC_E_AUTH. Writes `{"imported": true, "storage_url", "expires_at"}`, or
/// `{"imported": false, "reason": "expired"}` for a state that has expired
/// (ignored: not an error). A state whose identity is not this client's is
/// refused with SWC_E_CONFIG (`key` "identity"): a token is never used for
/// another user, project or cluster. A client created without credentials
/// takes any state. Statuses: SWC_OK; SWC_E_INVALID_ARGUMENT;
/// SWC_E_CONFIG (not a state, another format or identity);
/// SWC_E_WOULD_DEADLOCK; SWC_E_PANIC.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_import_auth(
    client: *const swc_client,
    state_json: *const c_char,
    result_json: *mut *mut c_char,
    err_json: *mut *mut c_char,
) -> swc_status {
    guard(err_json, || {
        let c = swc_client::from_ptr(client)?;
        check_out(result_json, "result_json")?;
        let text = optional(state_json, "state_json")?
            .ok_or_else(|| Error::null_argument("state_json"))?;
        let rec = c.rt.block_on(c.client.import_state(text))??;
        write_string(result_json, &rec.to_string())
    })
}

/// Receives a new saved state (as `swc_client_export_auth` gives it,
/// borrowed until the callback returns) after every authentication: the
/// first, a refresh before expiry, or one after a 401. Called once per new
/// token, on a library thread: it must be thread-safe and quick, and must
/// not call blocking swc_* functions.
pub type swc_auth_state_fn =
    Option<extern "C" fn(user_data: *mut c_void, state_json: *const c_char, len: usize)>;

/// Sets (or, with `cb` NULL, removes) the auth state callback, to persist
/// each new token. When this returns, the previous callback runs on no
/// other thread and is never called again (its `user_data` may be freed).
/// Thread-safe. Returns SWC_OK or SWC_E_INVALID_ARGUMENT (NULL client).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_set_auth_callback(
    client: *const swc_client,
    cb: swc_auth_state_fn,
    user_data: *mut c_void,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        let c = swc_client::from_ptr(client)?;
        let f = cb.map(|cb| {
            let ud = UserData(user_data);
            Box::new(move |state: &str| {
                let (text, len) = super::strings::callback_text(state);
                cb(ud.ptr(), text.as_ptr().cast(), len);
            }) as crate::client::StateFn
        });
        c.client.set_new_token_callback(f);
        Ok(())
    })
}

/// Gives the secret the library needs to authenticate (option
/// `credentials_from_callback`). `request_json` (borrowed until return):
/// `{"needs": "key" | "password" | "application_credential_secret" |
/// "token", "auth_url", "user", "reason": "first" | "expiring" |
/// "rejected" | "forced"}`. Write a JSON object with that key, e.g.
/// `{"password": "..."}`, into `reply` (at most `reply_cap` bytes, no NUL
/// needed) and return its length; return a negative number to refuse (the
/// authentication then fails with SWC_E_AUTH). The library overwrites
/// `reply` and its copy of the secret after the authentication request.
/// Called on a library thread that may block (a vault lookup is fine), at
/// most once per authentication however many requests wait for it; it
/// must not call blocking swc_* functions.
pub type swc_credential_fn = Option<
    extern "C" fn(
        user_data: *mut c_void,
        request_json: *const c_char,
        len: usize,
        reply: *mut c_char,
        reply_cap: usize,
    ) -> isize,
>;

/// Room for the callback's reply.
const REPLY_CAP: usize = 16 * 1024;

/// Sets (or, with `cb` NULL, removes) the credential callback of a client
/// created with `"credentials_from_callback": true` (whose options then
/// need no key, password or application credential secret). When this
/// returns, the previous callback runs on no other thread and is never
/// called again. Thread-safe. Returns SWC_OK or SWC_E_INVALID_ARGUMENT.
#[no_mangle]
#[must_use]
pub extern "C" fn swc_client_set_credential_callback(
    client: *const swc_client,
    cb: swc_credential_fn,
    user_data: *mut c_void,
) -> swc_status {
    guard(std::ptr::null_mut(), || {
        let c = swc_client::from_ptr(client)?;
        let f = cb.map(|cb| {
            let ud = UserData(user_data);
            Box::new(move |request: &str| {
                let (req, len) = super::strings::callback_text(request);
                let mut reply = zeroize::Zeroizing::new(vec![0u8; REPLY_CAP]);
                let n = cb(
                    ud.ptr(),
                    req.as_ptr().cast(),
                    len,
                    reply.as_mut_ptr().cast(),
                    REPLY_CAP,
                );
                match usize::try_from(n) {
                    Err(_) => Err(format!("it returned {n}")),
                    Ok(n) if n > REPLY_CAP => Err(format!("it wrote {n} bytes into {REPLY_CAP}")),
                    Ok(n) => String::from_utf8(reply[..n].to_vec())
                        .map_err(|_| "its reply is not UTF-8".to_string()),
                }
            }) as crate::auth::secrets::SecretFn
        });
        c.client.set_credential_callback(f);
        Ok(())
    })
}
