//! The SwiftService API: bulk operations run concurrently under
//! python-swiftclient's concurrency limits, one JSON result record per
//! sub-operation (python-swiftclient's keys), with progress and
//! cancellation. Each operation parses its request first (so a bad request
//! fails before anything starts) and then runs as one task.

pub mod capabilities;
pub mod containers;
pub mod copy;
pub mod delete;
pub mod download;
pub mod headers;
pub mod identical;
pub mod list;
pub mod op;
pub mod orphans;
pub mod post;
pub mod record;
pub mod segment_writer;
pub mod segments;
pub mod sizes;
mod slo_delete;
pub mod stat;
pub mod upload;

use crate::error::{Error, Result};
use op::Ctx;
use std::future::Future;
use std::pin::Pin;

/// An operation ready to run.
pub type Job = Box<dyn FnOnce(Ctx) -> Pin<Box<dyn Future<Output = Result<()>> + Send>> + Send>;

/// The operations, by the name used in records (`action` prefixes) and in
/// the C function names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Capabilities,
    Stat,
    List,
    Post,
    Delete,
    Upload,
    Download,
    Copy,
    Orphans,
}

impl Action {
    /// Every operation (the fuzz targets take their list from here).
    pub const ALL: [Action; 9] = [
        Action::Capabilities,
        Action::Stat,
        Action::List,
        Action::Post,
        Action::Delete,
        Action::Upload,
        Action::Download,
        Action::Copy,
        Action::Orphans,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Capabilities => "capabilities",
            Action::Stat => "stat",
            Action::List => "list",
            Action::Post => "post",
            Action::Delete => "delete",
            Action::Upload => "upload",
            Action::Download => "download",
            Action::Copy => "copy",
            Action::Orphans => "orphans",
        }
    }
}

/// Parses `request_json` for `action` and returns the job to run.
pub fn prepare(action: Action, request_json: Option<&str>) -> Result<Job> {
    fn job<R, F, Fut>(req: R, f: F) -> Job
    where
        R: Send + 'static,
        F: FnOnce(Ctx, R) -> Fut + Send + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        Box::new(move |ctx| Box::pin(f(ctx, req)))
    }
    Ok(match action {
        Action::Capabilities => job(
            crate::conn::opts::parse_request(request_json)?,
            capabilities::run,
        ),
        Action::Stat => job(stat::StatRequest::parse(request_json)?, stat::run),
        Action::List => job(list::ListRequest::parse(request_json)?, list::run),
        Action::Post => job(post::PostRequest::parse(request_json)?, post::run),
        Action::Delete => job(delete::DeleteRequest::parse(request_json)?, delete::run),
        Action::Upload => job(upload::UploadRequest::parse(request_json)?, upload::run),
        Action::Download => job(
            download::DownloadRequest::parse(request_json)?,
            download::run,
        ),
        Action::Copy => job(copy::CopyRequest::parse(request_json)?, copy::run),
        Action::Orphans => job(orphans::OrphansRequest::parse(request_json)?, orphans::run),
    })
}

/// Ours, accepted by every bulk request: `"record_keys": [names]`. A
/// successful record then carries only those keys (and `action`,
/// `success`); a failed record stays whole. For callers that read a few
/// facts of many records (a tool printing names) and would otherwise parse
/// every record whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordKeys(std::collections::HashSet<String>);

impl RecordKeys {
    fn keeps(&self, k: &str) -> bool {
        k == "action" || k == "success" || k == "trans_id_extra" || self.0.contains(k)
    }
}

/// The keys every bulk request accepts besides its own.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub record_keys: Option<RecordKeys>,
    /// Ours: `"trans_id_extra": "id"` replaces the client's X-Trans-Id-Extra
    /// on every request of the operation and is in each of its records.
    pub trans_id_extra: Option<String>,
}

/// Takes the common keys out of a request; returns the rest of the request
/// (as given when there are none) and the keys.
pub fn take_common(request_json: Option<&str>) -> Result<(Option<String>, Common)> {
    let mut common = Common::default();
    let Some(text) =
        request_json.filter(|t| t.contains("\"record_keys\"") || t.contains("\"trans_id_extra\""))
    else {
        return Ok((request_json.map(str::to_string), common));
    };
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        // Not a JSON object: the operation's own parser says what is wrong.
        return Ok((Some(text.to_string()), common));
    };
    if let Some(v) = map.remove("record_keys") {
        let bad = || {
            Error::config(
                "record_keys",
                "option \"record_keys\" in request must be an array of key names",
            )
        };
        let keys = v
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|k| k.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<_>>()?;
        common.record_keys = Some(RecordKeys(keys));
    }
    if let Some(v) = map.remove("trans_id_extra") {
        let t = v.as_str().unwrap_or_default();
        common.trans_id_extra = Some(crate::settings::check_trans_id_extra(t)?);
    }
    Ok((Some(serde_json::Value::Object(map).to_string()), common))
}

/// Checks a concurrency limit option.
pub fn limit(key: &str, v: Option<usize>) -> Result<usize> {
    match v {
        None => Ok(10),
        Some(n) if (1..=1024).contains(&n) => Ok(n),
        Some(n) => Err(Error::config(
            key,
            format!("option \"{key}\" must be 1 to 1024, got {n}"),
        )),
    }
}

/// A bulk request's `container`, which the operation cannot do without:
/// missing (or empty) is SWC_E_CONFIG saying so, as delete and download
/// say it; a name that is there is checked as any container name.
pub(crate) fn require_container(container: &str, op: &str) -> Result<()> {
    if container.is_empty() {
        return Err(Error::config(
            "container",
            format!("{op} needs \"container\""),
        ));
    }
    crate::conn::check_container("container", container)
}
