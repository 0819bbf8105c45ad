//! Account calls.

use super::{response_record, send};
use crate::client::Client;
use crate::error::Result;
use reqwest::Method;
use serde_json::Value;

/// `HEAD <storage_url>`: the account's metadata and counts.
pub async fn head(client: &Client, headers: &[(String, String)]) -> Result<Value> {
    let resp = send(client, Method::HEAD, "", None, headers).await?;
    Ok(response_record(&resp))
}
