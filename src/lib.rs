//! libswiftclient: an OpenStack Swift object-storage client with a C ABI.
//!
//! Layers, top to bottom: [`ffi`] (the C boundary, thin) → `service` (bulk
//! operations) → [`conn`] (one function per REST call) → [`http`] +
//! [`auth`] → Swift. Everything below `ffi` is a plain Rust API.
//!
//! ```no_run
//! # async fn demo() -> swiftclient::Result<()> {
//! let opts = swiftclient::Options::from_json(Some(
//!     r#"{"auth":"http://127.0.0.1:8080/auth/v1.0","user":"test:tester","key":"testing"}"#,
//! ))?;
//! let client = swiftclient::Client::new(&opts)?;
//! let cancel = tokio_util::sync::CancellationToken::new();
//! let record = swiftclient::conn::account::head(&client, &Default::default(), &cancel).await?;
//! println!("{record}");
//! # Ok(()) }
//! ```

pub mod auth;
pub mod backoff;
pub mod client;
pub mod clouds;
pub mod conn;
pub mod error;
pub mod ffi;
#[doc(hidden)]
pub mod fuzzing;
pub mod hex;
pub mod http;
pub mod log;
pub mod memory;
pub mod options;
pub mod proxy;
pub mod redact;
pub mod runtime;
pub mod service;
pub mod settings;
pub mod slot;
pub mod status;
pub mod tempurl;

pub use client::Client;
pub use error::{Error, Result, Status};
pub use options::Options;
