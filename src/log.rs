//! Optional logging through a caller's callback. Nothing is logged unless a
//! logger is set; secrets are redacted before any line is built.

use crate::http::{is_secret_header, redact_url};
use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex, RwLock};

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

/// Where a client's logger lives. Replacing it waits for the calls of the
/// old one in progress on other threads, so that a C caller may free the
/// old callback's `user_data` as soon as the setter returns (the header's
/// promise). A call in progress on the replacing thread itself (the setter
/// called from inside the callback) is not waited for: it is the caller's
/// own frame, and waiting for it would never end.
#[derive(Default)]
pub struct LogSlot {
    current: RwLock<Option<Arc<Logger>>>,
    /// Notified at the end of every call, for a replacement waiting on it.
    ended: (Mutex<()>, Condvar),
}

thread_local! {
    /// Logger calls in progress on this thread (a callback may log again).
    static CALLS_HERE: Cell<usize> = const { Cell::new(0) };
}

impl LogSlot {
    pub fn replace(&self, logger: Option<Logger>) {
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|p| p.into_inner()),
            logger.map(Arc::new),
        );
        let Some(old) = old else { return };
        let here = CALLS_HERE.with(Cell::get);
        let mut g = self.ended.0.lock().unwrap_or_else(|p| p.into_inner());
        // Each call in progress holds a clone; ours is the one left.
        while Arc::strong_count(&old) > 1 + here {
            g = self.ended.1.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn log(&self, level: Level, f: impl FnOnce() -> String) {
        let logger = match &*self.current.read().unwrap_or_else(|p| p.into_inner()) {
            Some(l) if l.enabled(level) => l.clone(),
            _ => return,
        };
        let line = f();
        {
            // Counted down even if a (Rust) logger panics.
            struct Here;
            impl Drop for Here {
                fn drop(&mut self) {
                    CALLS_HERE.with(|c| c.set(c.get() - 1));
                }
            }
            CALLS_HERE.with(|c| c.set(c.get() + 1));
            let _here = Here;
            (logger.f)(level, &line);
        }
        drop(logger);
        // Taking the lock orders this end after a waiter's check of the
        // count, so the notification cannot be missed.
        let _g = self.ended.0.lock().unwrap_or_else(|p| p.into_inner());
        self.ended.1.notify_all();
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
