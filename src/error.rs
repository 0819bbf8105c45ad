//! One error type for the whole crate and the JSON error record handed to C
//! callers; the status codes are in [`crate::status`].

use serde_json::{json, Map, Value};
use std::fmt;

pub use crate::status::Status;

/// An error with enough context for a useful message: what failed, where, and
/// what the server said. Never holds a secret. Boxed, so `Result`s stay small;
/// the fields are reached through `Deref` (`err.status`, `err.http_status`).
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorDetails>);

/// The facts an [`Error`] carries.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDetails {
    pub status: Status,
    pub message: String,
    pub http_status: Option<u16>,
    pub http_reason: Option<String>,
    pub transaction_id: Option<String>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub retryable: bool,
    /// The option key a configuration error is about.
    pub key: Option<String>,
    /// The start of the response body, when the server sent one.
    pub body: Option<String>,
    /// How many attempts the request took.
    pub attempts: Option<u32>,
    /// A bulk operation's summary, when one failed.
    pub summary: Option<Value>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorDetails {
            status,
            message: message.into(),
            http_status: None,
            http_reason: None,
            transaction_id: None,
            method: None,
            url: None,
            retryable: false,
            key: None,
            body: None,
            attempts: None,
            summary: None,
        }))
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Status::InvalidArgument, message)
    }

    /// An invalid C argument, named by its parameter in `key`.
    pub fn argument(name: &str, message: impl Into<String>) -> Error {
        let mut e = Error::invalid(message);
        e.key = (!name.is_empty()).then(|| name.to_string());
        e
    }

    /// A C argument that must not be NULL.
    pub fn null_argument(name: &str) -> Error {
        Error::argument(name, format!("argument \"{name}\" must not be NULL"))
    }

    /// A configuration error naming `key`; "" when no one key is at fault
    /// (the whole text is not JSON, not an object): the record then has
    /// no `key` rather than an empty one.
    pub fn config(key: &str, message: impl Into<String>) -> Error {
        let mut e = Error::new(Status::Config, message);
        e.key = (!key.is_empty()).then(|| key.to_string());
        e
    }

    /// Names `key` as what was wrong when nothing more precise is named
    /// (a text wrong as a whole is named by the argument that carried it).
    pub fn or_key(mut self, key: &str) -> Error {
        if self.key.is_none() {
            self.key = Some(key.to_string());
        }
        self
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Status::Internal, message)
    }

    /// Adds the request this error is about. The URL is stored with any
    /// signature-like query parameters removed.
    pub fn with_request(mut self, method: &str, url: &str) -> Error {
        self.method = Some(method.to_string());
        self.url = Some(crate::redact::redact_url(url));
        self
    }

    pub fn attempts(mut self, n: u32) -> Error {
        self.attempts = Some(n);
        self
    }

    pub fn retryable(mut self, yes: bool) -> Error {
        self.retryable = yes;
        self
    }

    /// The JSON error record: `status`, `status_name`, `message`, `http_status`,
    /// `http_reason`, `transaction_id`, `method`, `url`, `retryable` (+ `key`,
    /// `body` when known). Absent facts are `null`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), json!(self.status.code()));
        m.insert("status_name".into(), json!(self.status.name()));
        m.insert("message".into(), json!(self.message));
        m.insert("http_status".into(), json!(self.http_status));
        m.insert("http_reason".into(), json!(self.http_reason));
        m.insert("transaction_id".into(), json!(self.transaction_id));
        m.insert("method".into(), json!(self.method));
        m.insert("url".into(), json!(self.url));
        m.insert("retryable".into(), json!(self.retryable));
        m.insert("attempts".into(), json!(self.attempts));
        if let Some(k) = &self.key {
            m.insert("key".into(), json!(k));
        }
        if let Some(b) = &self.body {
            m.insert("body".into(), json!(b));
        }
        if let Some(s) = &self.summary {
            m.insert("summary".into(), s.clone());
        }
        Value::Object(m)
    }

    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

impl std::ops::Deref for Error {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let (Some(m), Some(u)) = (&self.method, &self.url) {
            write!(f, ": {m} {u}")?;
        }
        if let Some(s) = self.http_status {
            write!(f, " {s}")?;
            if let Some(r) = &self.http_reason {
                write!(f, " {r}")?;
            }
        }
        if let Some(t) = &self.transaction_id {
            write!(f, " (txn: {t})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_has_all_keys() {
        let e = Error::config("retries", "bad")
            .with_request("GET", "http://h/v1/a?temp_url_sig=abc&x=1");
        let v = e.to_value();
        for k in [
            "status",
            "status_name",
            "message",
            "http_status",
            "http_reason",
            "transaction_id",
            "method",
            "url",
            "retryable",
            "key",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["status"], 2);
        assert_eq!(v["key"], "retries");
        assert!(!v["url"].as_str().unwrap().contains("abc"));
    }
}
