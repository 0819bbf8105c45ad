//! One error type for the whole crate, its fixed status codes, and the JSON
//! error record handed to C callers.
//!
//! Status codes are part of the ABI: they are never renumbered or reused.

use serde_json::{json, Map, Value};
use std::fmt;

/// Outcome class of a call. The discriminants are the `SWC_*` codes of the C
/// header and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    Config = 2,
    Auth = 3,
    NotFound = 4,
    Conflict = 5,
    Precondition = 6,
    Http = 7,
    Timeout = 8,
    Network = 9,
    Tls = 10,
    Checksum = 11,
    Cancelled = 12,
    WouldDeadlock = 13,
    Unsupported = 14,
    Panic = 15,
    Internal = 16,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 17] = [
        Status::Ok,
        Status::InvalidArgument,
        Status::Config,
        Status::Auth,
        Status::NotFound,
        Status::Conflict,
        Status::Precondition,
        Status::Http,
        Status::Timeout,
        Status::Network,
        Status::Tls,
        Status::Checksum,
        Status::Cancelled,
        Status::WouldDeadlock,
        Status::Unsupported,
        Status::Panic,
        Status::Internal,
    ];

    /// The integer code (the value of the `SWC_*` constant).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// Converts any integer totally: unknown codes are `None`.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The constant's name as spelled in the C header.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "SWC_OK",
            Status::InvalidArgument => "SWC_E_INVALID_ARGUMENT",
            Status::Config => "SWC_E_CONFIG",
            Status::Auth => "SWC_E_AUTH",
            Status::NotFound => "SWC_E_NOT_FOUND",
            Status::Conflict => "SWC_E_CONFLICT",
            Status::Precondition => "SWC_E_PRECONDITION",
            Status::Http => "SWC_E_HTTP",
            Status::Timeout => "SWC_E_TIMEOUT",
            Status::Network => "SWC_E_NETWORK",
            Status::Tls => "SWC_E_TLS",
            Status::Checksum => "SWC_E_CHECKSUM",
            Status::Cancelled => "SWC_E_CANCELLED",
            Status::WouldDeadlock => "SWC_E_WOULD_DEADLOCK",
            Status::Unsupported => "SWC_E_UNSUPPORTED",
            Status::Panic => "SWC_E_PANIC",
            Status::Internal => "SWC_E_INTERNAL",
        }
    }

    /// A short English description, NUL-free.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Ok => "success",
            Status::InvalidArgument => "invalid argument (NULL pointer, bad UTF-8 or bad value)",
            Status::Config => "invalid configuration or options",
            Status::Auth => "authentication or authorisation failed",
            Status::NotFound => "not found",
            Status::Conflict => "conflict",
            Status::Precondition => "precondition failed",
            Status::Http => "unexpected HTTP status",
            Status::Timeout => "timed out",
            Status::Network => "network error",
            Status::Tls => "TLS error",
            Status::Checksum => "checksum or length mismatch",
            Status::Cancelled => "cancelled",
            Status::WouldDeadlock => "blocking call made from a library-owned thread",
            Status::Unsupported => "not supported by the server or this build",
            Status::Panic => "internal panic caught at the C boundary",
            Status::Internal => "internal error",
        }
    }

    /// The status a non-success HTTP response maps to.
    pub fn from_http(code: u16) -> Status {
        match code {
            401 | 403 => Status::Auth,
            404 => Status::NotFound,
            409 => Status::Conflict,
            304 | 412 | 416 => Status::Precondition,
            408 => Status::Timeout,
            422 => Status::Checksum,
            _ => Status::Http,
        }
    }
}

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

    pub fn config(key: &str, message: impl Into<String>) -> Error {
        let mut e = Error::new(Status::Config, message);
        e.key = Some(key.to_string());
        e
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Status::Internal, message)
    }

    /// Adds the request this error is about. The URL is stored with any
    /// signature-like query parameters removed.
    pub fn with_request(mut self, method: &str, url: &str) -> Error {
        self.method = Some(method.to_string());
        self.url = Some(crate::http::redact_url(url));
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
    fn codes_are_fixed_and_total() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as i32);
            assert_eq!(Status::from_code(i as i32), Some(*s));
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(17), None);
        assert_eq!(Status::Auth.code(), 3);
        assert_eq!(Status::Panic.code(), 15);
    }

    #[test]
    fn http_mapping() {
        assert_eq!(Status::from_http(401), Status::Auth);
        assert_eq!(Status::from_http(404), Status::NotFound);
        assert_eq!(Status::from_http(409), Status::Conflict);
        assert_eq!(Status::from_http(412), Status::Precondition);
        assert_eq!(Status::from_http(503), Status::Http);
    }

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
