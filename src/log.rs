//! Optional logging through a caller's callback. Nothing is logged unless a
//! logger is set; secrets are redacted before any line is built.

use crate::redact::{is_secret_header, redact_url};
pub use crate::slot::CallbackSlot;
use std::sync::Arc;

/// Log levels; the numbers are the `SWC_LOG_*` constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn from_code(c: i32) -> Option<Level> {
        [Level::Error, Level::Warn, Level::Info, Level::Debug]
            .into_iter()
            .find(|l| *l as i32 == c)
    }
}

/// Receives (level, message). Must be cheap and thread-safe.
pub type LogFn = Arc<dyn Fn(Level, &str) + Send + Sync>;

#[derive(Clone)]
pub struct Logger {
    pub max: Level,
    pub f: LogFn,
}

impl Logger {
    pub fn enabled(&self, level: Level) -> bool {
        level <= self.max
    }
}

/// Where a client's logger lives (see [`CallbackSlot`]: replacing it waits
/// for the old one's calls on other threads).
pub type LogSlot = CallbackSlot<Logger>;

impl LogSlot {
    pub fn log(&self, level: Level, f: impl FnOnce() -> String) {
        self.call_if(|l| l.enabled(level), |l| (l.f)(level, &f()));
    }
}

/// A python-swiftclient-style `curl -i` line for a request, with secret
/// header values and signatures replaced by `***`.
pub fn curl_line(method: &str, url: &str, headers: &[(String, String)]) -> String {
    let mut s = format!("curl -i {} -X {method}", shell_quote(&redact_url(url)));
    for (k, v) in headers {
        let v = if is_secret_header(k) {
            "***"
        } else {
            v.as_str()
        };
        s.push_str(&format!(" -H {}", shell_quote(&format!("{k}: {v}"))));
    }
    s
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_lines_are_redacted() {
        let l = curl_line(
            "GET",
            "http://h/v1/a?temp_url_sig=s3cr3t",
            &[
                ("X-Auth-Token".into(), "AUTH_tk123".into()),
                ("X-Newest".into(), "true".into()),
            ],
        );
        assert!(!l.contains("AUTH_tk123") && !l.contains("s3cr3t"), "{l}");
        assert!(
            l.contains("'X-Auth-Token: ***'") && l.contains("'X-Newest: true'"),
            "{l}"
        );
    }
}
