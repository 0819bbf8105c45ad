//! `upload` with `extract_archive`: the files as one streamed tar PUT
//! (plain, gzip or bzip2) that the cluster's bulk middleware unpacks into
//! objects — one request instead of one per file. Objects are named as a
//! normal upload names them (the container's pseudo-folder and
//! `object_name` included); each carries `X-Object-Meta-Mtime` and the
//! request's and item's metadata and Content-Type (as PAX records, see
//! tar_body.rs), so a later `changed` upload finds them unchanged. Empty
//! directories and `dir_marker` items become directory markers, as usual.
//!
//! Records: a failed `upload_object` for each file that did not become an
//! object (named in the middleware's report with its status, or not
//! readable here), then one `extract_archive` summary (files in the
//! archive, files created, bytes, bytes sent, the report's status).
//!
//! Refused with the key named (request.rs): segmenting (the middleware
//! makes each member one object), `changed` / `skip_identical` (each
//! object would need a look first), `checksum` (the report has no
//! checksums), `fail_fast` and thread limits (one request), `fd` items (a
//! member's size goes before its bytes), and headers the middleware does
//! not pass on (all but X-Object-Meta-*, Content-Type, and, for the whole
//! request, X-Delete-At / X-Delete-After and X-Storage-Policy).

use super::super::capabilities;
use super::super::containers::{ensure_container, policy_of};
use super::super::headers::from_header_list;
use super::super::op::Ctx;
use super::super::record;
use super::plan::{self, Work};
use super::request::UploadRequest;
use super::tar_body::{Format, Member, Produced, Progress, TarBody};
use crate::conn::container;
use crate::conn::opts::{Headers, RequestOpts};
use crate::conn::types::{status_code, BulkReport};
use crate::error::{Error, Result, Status};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The cluster's `/info`; Unsupported when it says the bulk middleware's
/// extract-archive is off. No `/info` at all (some clusters hide it):
/// Null, and the answer to the PUT tells.
async fn bulk_info(ctx: &Ctx) -> Result<Value> {
    match capabilities::get(&ctx.client, None, false, &ctx.cancel).await {
        Ok((_, info)) if info.get("bulk_upload").is_none() => Err(Error::new(
            Status::Unsupported,
            "the cluster does not unpack archives: its /info has no \"bulk_upload\" (the bulk middleware is off); upload without \"extract_archive\"",
        )),
        Ok((_, info)) => Ok(info),
        Err(e) if e.status == Status::Cancelled => Err(e),
        Err(_) => Ok(Value::Null),
    }
}

pub(super) async fn run(ctx: Ctx, req: UploadRequest, c: String, prefix: String) -> Result<()> {
    let format = Format::parse(req.extract_archive.as_deref().unwrap_or(""))
        .ok_or_else(|| Error::config("extract_archive", "unknown archive format"))?;
    let work = plan::expand(&req, &prefix)?;
    let info = bulk_info(&ctx).await?;
    let headers = from_header_list(&req.header)?;
    if !req.skip_container_put {
        // A failure is in its record; the archive's answer tells the rest.
        let _ = ensure_container(&ctx, &c, policy_of(&headers), None).await;
    }
    let max_file = info["swift"]["max_file_size"].as_u64().unwrap_or(u64::MAX);
    let (members, paths, refused) = members_of(work, &c, max_file);
    for r in refused {
        ctx.record(r).await;
    }
    if members.is_empty() {
        return Ok(());
    }
    let total: u64 = members
        .iter()
        .filter_map(|m| m.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum();
    let p = ctx.clone();
    let container = c.clone();
    let progress: Progress = Arc::new(move |m: &Member, bytes: u64, overall: u64| {
        p.progress(json!({
            "action": "upload", "container": container, "object": m.object,
            "bytes": bytes, "total": bytes, "overall_bytes": overall, "overall_total": total,
        }));
    });
    let put_headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "x-delete-at" | "x-delete-after"
            )
        })
        .collect();
    let opts = RequestOpts {
        headers: Headers(put_headers),
        query: None,
    };
    let mut body = TarBody::new(members.clone(), format, progress);
    let resp = container::extract_archive(
        &ctx.client,
        &c,
        format.as_str(),
        &opts,
        &mut body,
        &ctx.cancel,
    )
    .await?;
    let report = BulkReport::parse(resp["body"].as_str().unwrap_or("")).ok_or_else(|| {
        Error::new(
            Status::Unsupported,
            "the extract-archive answer is not a JSON report: is the cluster's bulk middleware enabled?",
        )
    })?;
    let outcome = Outcome {
        ctx: &ctx,
        container: &c,
        members: &members,
        paths: &paths,
        format,
    };
    let (produced, sent) = body.outcome();
    outcome.report(&resp, &report, produced, sent).await;
    Ok(())
}

/// The request's units of work as archive members, with each one's local
/// path for its records, and the failed records of those that cannot go
/// in (unusable paths, names a tar member cannot carry, files too large).
fn members_of(work: Vec<Work>, c: &str, max_file: u64) -> (Vec<Member>, Vec<String>, Vec<Value>) {
    let (mut members, mut paths, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    let fail = |object: &str, path: &str, e: &Error| {
        let mut r = record::failed("upload_object", Some(c), Some(object), e);
        r["path"] = json!(path);
        r
    };
    for w in work {
        let (object, path, mtime, headers, marker, size) = match w {
            Work::File {
                path,
                object,
                size,
                mtime,
                headers,
                ..
            } => (object, Some(path), mtime, headers, false, size),
            Work::Marker {
                object,
                mtime,
                headers,
                path,
            } => (object, path.map(Into::into), mtime, headers, true, 0),
            Work::Unusable {
                path,
                object,
                error,
            } => {
                refused.push(fail(&object, &path, &error));
                continue;
            }
            // Refused by `check`.
            Work::Stream { .. } => continue,
        };
        let shown = path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let why = if object.is_empty()
            || object.starts_with('/')
            || object.starts_with("./")
            || object.ends_with('/')
        {
            Some("a tar member cannot carry this name (empty, or with a leading '/' or './', or a trailing '/'): the middleware would change it".to_string())
        } else if size > max_file {
            Some(format!("{size} bytes is over the cluster's max_file_size ({max_file}): an archive member cannot be segmented; upload it without \"extract_archive\""))
        } else {
            None
        };
        if let Some(why) = why {
            refused.push(fail(&object, &shown, &Error::invalid(why)));
            continue;
        }
        members.push(member(
            object,
            (!marker).then_some(path).flatten(),
            mtime,
            &headers,
            marker,
        ));
        paths.push(shown);
    }
    (members, paths, refused)
}

/// One member: its metadata (X-Object-Meta-Mtime unless given) and
/// content type (a directory marker's is application/directory) as PAX
/// records.
fn member(
    object: String,
    path: Option<std::path::PathBuf>,
    mtime: String,
    headers: &[(String, String)],
    marker: bool,
) -> Member {
    const META: &str = "x-object-meta-";
    let mut pax = Vec::new();
    let mut has_mtime = false;
    for (k, v) in headers {
        let lower = k.to_ascii_lowercase();
        if let Some(name) = lower.strip_prefix(META) {
            has_mtime |= name == "mtime";
            pax.push((
                format!("SCHILY.xattr.user.meta.{}", &k[META.len()..]),
                v.clone(),
            ));
        } else if lower == "content-type" && !marker {
            pax.push(("SCHILY.xattr.user.mime_type".into(), v.clone()));
        }
    }
    if !has_mtime {
        pax.push(("SCHILY.xattr.user.meta.mtime".into(), mtime.clone()));
    }
    if marker {
        pax.push((
            "SCHILY.xattr.user.mime_type".into(),
            "application/directory".into(),
        ));
    }
    Member {
        object,
        path,
        mtime,
        pax,
    }
}

/// Turns the middleware's report into records.
struct Outcome<'a> {
    ctx: &'a Ctx,
    container: &'a str,
    members: &'a [Member],
    paths: &'a [String],
    format: Format,
}

impl Outcome<'_> {
    fn failed(&self, i: Option<usize>, object: &str, e: &Error) -> Value {
        let mut r = record::failed("upload_object", Some(self.container), Some(object), e);
        if let Some(i) = i {
            r["path"] = json!(self.paths[i]);
        }
        r["extract_archive"] = json!(self.format.as_str());
        r
    }

    /// The member the report names ("container/object", cut to the
    /// middleware's max_path_length when longer).
    fn find(&self, index: &HashMap<&str, usize>, reported: &str) -> Option<usize> {
        let name = reported.strip_prefix(self.container)?.strip_prefix('/')?;
        index.get(name).copied().or_else(|| {
            self.members
                .iter()
                .position(|m| m.object.len() > name.len() && m.object.starts_with(name))
        })
    }

    async fn report(&self, resp: &Value, report: &BulkReport, produced: Produced, sent: u64) {
        let ctx = self.ctx;
        let index: HashMap<&str, usize> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.object.as_str(), i))
            .collect();
        let (in_archive, bytes) = (produced.members, produced.bytes);
        for (i, e) in &produced.skipped {
            ctx.record(self.failed(Some(*i), &self.members[*i].object, e))
                .await;
        }
        let mut failed_members = 0usize;
        for (name, status) in report.failures() {
            let code = status_code(status);
            let mut e = Error::new(
                Status::from_http(code),
                format!("extract-archive did not create \"{name}\": {status}"),
            );
            e.http_status = Some(code);
            e.http_reason = status.split_once(' ').map(|(_, r)| r.to_string());
            let i = self.find(&index, &name);
            failed_members += usize::from(i.is_some());
            let object = i.map_or(name.as_str(), |i| self.members[i].object.as_str());
            ctx.record(self.failed(i, object, &e)).await;
        }
        let created = report.files_created.unwrap_or(0);
        let unaccounted = in_archive.saturating_sub(created as usize + failed_members);
        let code = report.status_code();
        let whole = report.response_body.as_deref().unwrap_or("");
        let mut r = record::ok("extract_archive", Some(self.container), None);
        r = record::with_response(r, resp);
        r["format"] = json!(self.format.as_str());
        r["files"] = json!(in_archive);
        r["files_created"] = json!(created);
        r["bytes"] = json!(bytes);
        r["bytes_sent"] = json!(sent);
        r["response_status"] = json!(report.response_status);
        // The archive as a whole failed (not only some files), or some
        // members are in neither count (the middleware stopped early).
        if code == 0
            || !whole.is_empty()
            || unaccounted > 0
            || (code >= 300 && report.failures().next().is_none())
        {
            let status = report.response_status.as_deref().unwrap_or("no status");
            let mut msg = format!("extract-archive: {status}");
            if !whole.is_empty() {
                msg.push_str(&format!(": {whole}"));
            }
            if unaccounted > 0 {
                msg.push_str(&format!(
                    "; {unaccounted} of {in_archive} files neither created nor reported failed"
                ));
            }
            let mut e = Error::new(Status::from_http(code), msg);
            e.http_status = (code != 0).then_some(code);
            let mut f = record::failed("extract_archive", Some(self.container), None, &e);
            record::merge(&mut f, r);
            f["success"] = json!(false);
            r = f;
        }
        ctx.record(r).await;
    }
}
