//! Which HTTP proxy a request goes through. Decided here, not by reqwest's
//! own environment lookup, so that an error can name the proxy that failed
//! and the caller chooses whether the environment counts.
//!
//! - `proxy` (option): every request goes through it (HTTPS by CONNECT),
//!   except hosts in `no_proxy` (option).
//! - Otherwise, unless `use_environment_proxy` is false: `http_proxy` /
//!   `HTTP_PROXY` for http URLs, `https_proxy` / `HTTPS_PROXY` for https,
//!   `all_proxy` / `ALL_PROXY` for either, except hosts in `no_proxy` /
//!   `NO_PROXY` — as curl reads them (lower case first; `HTTP_PROXY` is
//!   ignored when `REQUEST_METHOD` says we run under CGI, where a client
//!   could set it through a `Proxy:` header).
//!
//! `no_proxy` (the option's list applies to the environment's proxies
//! too): comma-separated host names (matching the host and its subdomains;
//! a leading `.` or `*.` is allowed), IP addresses (matching only
//! themselves; `[v6]` brackets and ports allowed, ports not compared), or
//! `*` for all. An environment proxy of another scheme (socks5://) is
//! ignored.

use crate::error::{Error, Result};
use reqwest::Url;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyOptions {
    pub url: Option<String>,
    pub no_proxy: Option<String>,
    /// Honour the environment's proxy variables (default true).
    pub use_environment: bool,
}

/// The proxies a client uses.
#[derive(Debug, Clone, Default)]
pub struct ProxyPlan {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: Vec<String>,
}

/// Checks a proxy URL given as option `key`.
pub fn check_url(key: &str, url: &str) -> Result<Url> {
    let u = Url::parse(url)
        .map_err(|e| Error::config(key, format!("option \"{key}\" is not a URL ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(Error::config(
            key,
            format!("option \"{key}\" must be an http:// or https:// proxy URL"),
        ));
    }
    Ok(u)
}

impl ProxyPlan {
    /// The plan for these options; `env` is `std::env::var` in production.
    pub fn new(o: &ProxyOptions, env: &dyn Fn(&str) -> Option<String>) -> Result<ProxyPlan> {
        if let Some(url) = &o.url {
            let u = check_url("proxy", url)?;
            return Ok(ProxyPlan {
                http: Some(u.clone()),
                https: Some(u),
                no_proxy: list(o.no_proxy.as_deref().unwrap_or("")),
            });
        }
        if !o.use_environment {
            return Ok(ProxyPlan::default());
        }
        // The first variable of `names` that is set, with its name.
        let var = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|n| env(n).filter(|v| !v.trim().is_empty()).map(|v| (*n, v)))
        };
        let cgi = env("REQUEST_METHOD").is_some();
        let http_names: &[&str] = if cgi {
            &["http_proxy"]
        } else {
            &["http_proxy", "HTTP_PROXY"]
        };
        let all = var(&["all_proxy", "ALL_PROXY"]);
        // A scheme this client cannot speak (socks5:// on many desktops) is
        // not ours to use: ignored rather than fatal. Anything else wrong
        // is the environment's mistake, named.
        let parse = |found: Option<(&str, String)>| -> Result<Option<Url>> {
            let Some((name, v)) = found else {
                return Ok(None);
            };
            let with_scheme = if v.contains("://") {
                v
            } else {
                format!("http://{v}")
            };
            if !with_scheme.starts_with("http://") && !with_scheme.starts_with("https://") {
                return Ok(None);
            }
            check_url(name, &with_scheme).map(Some)
        };
        let mut no_proxy = list(
            &var(&["no_proxy", "NO_PROXY"])
                .map(|(_, v)| v)
                .unwrap_or_default(),
        );
        // The option's exceptions hold for the environment's proxies too.
        no_proxy.extend(list(o.no_proxy.as_deref().unwrap_or("")));
        Ok(ProxyPlan {
            http: parse(var(http_names).or_else(|| all.clone()))?,
            https: parse(var(&["https_proxy", "HTTPS_PROXY"]).or(all))?,
            no_proxy,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy `url` goes through, if any.
    pub fn proxy_for(&self, url: &Url) -> Option<&Url> {
        let p = match url.scheme() {
            "https" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        // An IP address matches only itself; a name, its subdomains too.
        let is_ip = host.parse::<std::net::IpAddr>().is_ok();
        let bypass = self.no_proxy.iter().any(|n| {
            let n = n.trim_start_matches('*').trim_start_matches('.');
            n.is_empty()
                || host.eq_ignore_ascii_case(n)
                || !is_ip && {
                    host.len() > n.len()
                        && host[host.len() - n.len()..].eq_ignore_ascii_case(n)
                        && host.as_bytes()[host.len() - n.len() - 1] == b'.'
                }
        });
        (!bypass).then_some(p)
    }

    /// " (through proxy http://host:3128)" for an error about `url`, or "".
    /// Credentials in the proxy URL are never shown.
    pub fn mention(&self, url: &str) -> String {
        let Some(p) = Url::parse(url)
            .ok()
            .and_then(|u| self.proxy_for(&u).cloned())
        else {
            return String::new();
        };
        format!(" (through proxy {})", redacted(&p))
    }
}

/// The URL without its credentials.
pub fn redacted(u: &Url) -> String {
    let mut u = u.clone();
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("***");
        let _ = u.set_password(None);
    }
    u.to_string().trim_end_matches('/').to_string()
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|e| {
            let e = e.trim();
            // "[v6]:port", "host:port": the port is not compared.
            if let Some(rest) = e.strip_prefix('[') {
                return rest.split(']').next().unwrap_or("").to_string();
            }
            match e.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => e,
            }
            .to_string()
        })
        .filter(|e| !e.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(o: ProxyOptions, env: &[(&str, &str)]) -> Result<ProxyPlan> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyPlan::new(&o, &move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn via(p: &ProxyPlan, url: &str) -> Option<String> {
        p.proxy_for(&Url::parse(url).unwrap())
            .map(|u| u.to_string())
    }

    #[test]
    fn explicit_proxy_and_its_exceptions() {
        let p = plan(
            ProxyOptions {
                url: Some("http://user:pw@proxy:3128".into()),
                no_proxy: Some("localhost, .internal.example,10.0.0.1:8080".into()),
                use_environment: true,
            },
            &[("HTTPS_PROXY", "http://other:1")],
        )
        .unwrap();
        assert_eq!(
            via(&p, "https://swift.example/v1").as_deref(),
            Some("http://user:pw@proxy:3128/")
        );
        assert_eq!(via(&p, "http://localhost:8080/"), None);
        assert_eq!(via(&p, "http://a.internal.example/"), None);
        assert_eq!(via(&p, "http://internal.example/"), None);
        assert!(via(&p, "http://notinternal.example/").is_some());
        assert_eq!(via(&p, "http://10.0.0.1/"), None);
        // An address matches only itself, never as a suffix.
        let p2 = plan(
            ProxyOptions {
                url: Some("http://proxy:3128".into()),
                no_proxy: Some("0.0.1".into()),
                use_environment: false,
            },
            &[],
        )
        .unwrap();
        assert!(via(&p2, "http://10.0.0.1/").is_some());
        assert_eq!(
            p.mention("https://x/"),
            " (through proxy http://***@proxy:3128)"
        );
        assert!(plan(
            ProxyOptions {
                url: Some("ftp://p".into()),
                ..Default::default()
            },
            &[]
        )
        .is_err());
    }

    #[test]
    fn environment_as_curl_reads_it() {
        let env = [
            ("http_proxy", "p1:3128"),
            ("HTTPS_PROXY", "http://p2:3128"),
            ("NO_PROXY", "*.skip.example,skip2"),
        ];
        let on = ProxyOptions {
            use_environment: true,
            ..Default::default()
        };
        let p = plan(on.clone(), &env).unwrap();
        assert_eq!(via(&p, "http://h/").as_deref(), Some("http://p1:3128/"));
        assert_eq!(via(&p, "https://h/").as_deref(), Some("http://p2:3128/"));
        assert_eq!(via(&p, "https://skip2/"), None);
        assert!(plan(ProxyOptions::default(), &env).unwrap().is_empty());
        // Under CGI, HTTP_PROXY may come from a request header: ignored.
        let p = plan(
            on.clone(),
            &[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")],
        )
        .unwrap();
        assert_eq!(via(&p, "http://h/"), None);
        let p = plan(
            on.clone(),
            &[("ALL_PROXY", "http://all:1"), ("no_proxy", "*")],
        )
        .unwrap();
        assert_eq!(via(&p, "https://h/"), None);
        // A SOCKS proxy is not ours to use: ignored, not fatal.
        let p = plan(on.clone(), &[("all_proxy", "socks5://127.0.0.1:1080")]).unwrap();
        assert!(p.is_empty());
        // The option's no_proxy holds for the environment's proxy too.
        let with_option = ProxyOptions {
            no_proxy: Some("swift.internal,[::1]:8080".into()),
            ..on
        };
        let p = plan(with_option, &[("https_proxy", "http://p:1")]).unwrap();
        assert_eq!(via(&p, "https://swift.internal/"), None);
        assert_eq!(via(&p, "https://[::1]:8080/"), None);
        assert!(via(&p, "https://other/").is_some());
    }
}
