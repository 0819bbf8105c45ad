//! Container calls: HEAD, GET (listing), PUT, POST, DELETE.

use super::opts::{ListOpts, RequestOpts};
use super::{bodyless, container_path, listing};
use crate::client::Client;
use crate::error::Result;
use reqwest::Method;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

async fn simple(
    client: &Client,
    method: Method,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    bodyless(client, method, container_path(container)?, o, cancel).await
}

pub async fn head(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::HEAD, container, o, cancel).await
}

pub async fn put(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::PUT, container, o, cancel).await
}

pub async fn post(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::POST, container, o, cancel).await
}

pub async fn delete(
    client: &Client,
    container: &str,
    o: &RequestOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    simple(client, Method::DELETE, container, o, cancel).await
}

/// The whole listing in memory (as `listing`); for constant memory use
/// [`listing::list`] with a page callback.
pub async fn list(
    client: &Client,
    container: &str,
    o: &ListOpts,
    cancel: &CancellationToken,
) -> Result<Value> {
    listing::list_all(client, &container_path(container)?, o, cancel).await
}
