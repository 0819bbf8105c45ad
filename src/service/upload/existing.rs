//! What an upload finds where it writes: one listing of the container for
//! many files (or a HEAD per object), what an existing object is made of,
//! and whether `changed` or `skip_identical` says to leave it alone.

use super::super::identical::identical_file;
use super::super::op::Ctx;
use super::super::segments::{self, Existing};
use super::plan::Work;
use super::request::Eff;
use super::Up;
use crate::conn::opts::{ListOpts, RequestOpts};
use crate::conn::types::ObjectEntry;
use crate::error::{Error, Result, Status};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

/// An object already in the container, as its listing entry shows it.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    pub bytes: u64,
    pub hash: String,
    pub slo: bool,
}

/// Lists the container once (below the names' common prefix) so that
/// uploading many files needs no HEAD per object: a name that is not
/// listed is new, and a listed non-empty object without `slo_etag` is a
/// plain object (no old segments to clean up; its MD5 is the listed hash).
/// SLO manifests and empty entries (possibly DLO manifests) are still
/// inspected with a HEAD, as is everything when `changed` meets an object
/// of the same size (the listing has no mtime). Not worth it for one file;
/// given up (None) when the listing grows past n/50 pages for n files or
/// fails, falling back to a HEAD per object as python-swiftclient does.
pub(super) async fn listed_objects(
    ctx: &Ctx,
    c: &str,
    work: &[Work],
) -> Option<HashMap<String, Listed>> {
    let names: std::collections::HashSet<&str> = work
        .iter()
        .filter_map(|w| match w {
            Work::File { object, .. } => Some(object.as_str()),
            _ => None,
        })
        .collect();
    if names.len() < 2 {
        return None;
    }
    let mut prefix: &str = names.iter().next().copied().unwrap_or("");
    for n in &names {
        let common = prefix
            .char_indices()
            .zip(n.chars())
            .find(|((_, a), b)| a != b)
            .map_or(prefix.len().min(n.len()), |((i, _), _)| i);
        prefix = &prefix[..common];
        while !n.is_char_boundary(prefix.len()) {
            prefix = &prefix[..prefix.len() - 1];
        }
    }
    let budget = (names.len() / 50).max(2);
    let opts = ListOpts {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        full_listing: true,
        ..Default::default()
    };
    let mut found = HashMap::new();
    let mut pages = 0usize;
    let mut complete = true;
    let r = crate::conn::listing::list(
        &ctx.client,
        &crate::conn::container_path(c).ok()?,
        &opts,
        &mut |page: Vec<Value>| {
            pages += 1;
            if pages > budget {
                complete = false;
                return Ok(false);
            }
            for e in page.iter().map(ObjectEntry::of) {
                if let Some(n) = e.name.as_deref().filter(|n| names.contains(n)) {
                    let listed = Listed {
                        bytes: e.bytes.unwrap_or(0),
                        slo: e.is_slo(),
                        hash: e.hash.unwrap_or_default(),
                    };
                    found.insert(n.to_string(), listed);
                }
            }
            Ok(true)
        },
        &ctx.cancel,
    )
    .await;
    match r {
        Ok(_) if complete => Some(found),
        Err(e) if e.status == Status::NotFound => Some(HashMap::new()),
        _ => None,
    }
}

/// What is at `object` now, when anything about it matters (`changed`,
/// `skip_identical`, or old segments to delete): from the upload's
/// listing where it says enough, else from a HEAD.
pub(super) async fn existing_object(
    up: &Up,
    object: &str,
    size: u64,
    eff: &Eff,
) -> Result<Option<(Existing, Value)>> {
    let need_head = eff.changed || eff.skip_identical || !eff.leave_segments;
    let known = up.listed.as_ref().map(|m| m.get(object));
    match known {
        _ if !need_head => Ok(None),
        // Not in the container's listing: a new object.
        Some(None) => Ok(None),
        // Listed as a plain object, and the listing says enough.
        Some(Some(l)) if !l.slo && l.bytes > 0 && !(eff.changed && l.bytes == size) => Ok(Some((
            Existing::Plain {
                etag: l.hash.clone(),
                size: l.bytes,
            },
            json!({"content-length": l.bytes.to_string(), "etag": l.hash}),
        ))),
        _ => segments::existing(&up.ctx, &up.container, object, &RequestOpts::default()).await,
    }
}

/// Why the file need not be uploaded: "skipped-changed" (same size and
/// mtime, with `changed`) or "skipped-identical" (same content, with
/// `skip_identical`); None to upload it.
pub(super) async fn skip_reason(
    eff: &Eff,
    path: &Path,
    size: u64,
    mtime: &str,
    existing: &(Existing, Value),
) -> Result<Option<&'static str>> {
    let (kind, h) = existing;
    if eff.changed {
        let same_len = h["content-length"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok())
            == Some(size);
        if same_len && h["x-object-meta-mtime"].as_str() == Some(mtime) {
            return Ok(Some("skipped-changed"));
        }
    }
    if eff.skip_identical {
        let (p, k) = (path.to_path_buf(), kind.clone());
        let same = tokio::task::spawn_blocking(move || identical_file(&p, size, &k))
            .await
            .map_err(|e| Error::internal(e.to_string()))??;
        if same {
            return Ok(Some("skipped-identical"));
        }
    }
    Ok(None)
}
