//! Deleting an SLO with its segments, reading what the middleware says.
//!
//! `DELETE ?multipart-manifest=delete` answers 200 as soon as the SLO
//! middleware starts, then deletes each segment and the manifest and lists
//! in its report the ones that failed. Taking the 200 for success left a
//! deleted manifest with orphaned segments whenever a segment DELETE failed
//! (an object server down or overloaded). Here: a segment that was not
//! found counts as deleted; one that failed for a reason worth another try
//! (5xx, 408, 499) is deleted again on its own, with the client's retries;
//! what is still there is the operation's failure, naming each path.

use super::op::Ctx;
use crate::conn::object;
use crate::conn::opts::RequestOpts;
use crate::conn::types::{status_code, BulkReport};
use crate::error::{Error, Result, Status};
use crate::http::retryable_code;
use serde_json::Value;

/// Deletes SLO `c`/`o` and its segments; the record of the manifest's
/// DELETE and how many paths were deleted again on their own. An error
/// when anything the manifest named is left.
pub(super) async fn delete_slo(
    ctx: &Ctx,
    c: &str,
    o: &str,
    opts: &RequestOpts,
) -> Result<(Value, u64)> {
    let mut rec = object::delete_slo(&ctx.client, c, o, opts, &ctx.cancel).await?;
    let body = rec
        .as_object_mut()
        .and_then(|m| m.remove("body"))
        .unwrap_or_default();
    // No report (an old middleware, or a server that is not Swift): the
    // 2xx is all there is to go by.
    let Some(report) = BulkReport::parse(body.as_str().unwrap_or("")) else {
        return Ok((rec, 0));
    };
    let mut left: Vec<String> = Vec::new();
    let mut retried = 0u64;
    for (path, status) in report.failures() {
        let code = status_code(status);
        if code == 404 {
            continue;
        }
        let manifest = path == format!("{c}/{o}");
        let Some((sc, so)) = path.split_once('/').filter(|_| retryable_code(code, true)) else {
            left.push(format!("{path} ({status})"));
            continue;
        };
        let again = match manifest {
            true => object::delete(&ctx.client, sc, so, opts, &ctx.cancel).await,
            false => {
                object::delete(&ctx.client, sc, so, &RequestOpts::default(), &ctx.cancel).await
            }
        };
        match again {
            Ok(_) => retried += 1,
            Err(e) if e.http_status == Some(404) => retried += 1,
            Err(e) => left.push(format!("{path} ({})", e.message)),
        }
    }
    let whole = report.status_code();
    if left.is_empty() && report.failures().next().is_none() && whole >= 300 {
        // The operation failed as a whole before deleting anything.
        let why = report.response_body.clone().unwrap_or_default();
        let mut e = Error::new(
            Status::from_http(whole),
            format!(
                "deleting the SLO with its segments failed: {} {why}",
                report.response_status.clone().unwrap_or_default()
            )
            .trim_end()
            .to_string(),
        );
        e.http_status = Some(whole);
        return Err(e);
    }
    if !left.is_empty() {
        let mut e = Error::new(
            Status::Http,
            format!(
                "the SLO's delete left {} of what it names: {}",
                left.len(),
                left.join("; ")
            ),
        );
        e.http_status = Some(whole).filter(|&w| w >= 300);
        return Err(e);
    }
    Ok((rec, retried))
}
