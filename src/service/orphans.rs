//! `orphans`: the segments that no manifest uses — what an upload that
//! failed and was never resumed (or an overwrite with `leave_segments`)
//! left in a segment container — listed, and deleted only when asked.
//!
//! A segment belongs to the object its name was written for:
//! python-swiftclient's names are `<object>[/slo]/<mtime>[/<size>]/
//! <segment_size>/<%08d>`, read from the end (the mtime is the one part
//! with a dot). Each such object is inspected once: an SLO's manifest
//! lists the segments it uses, a DLO uses everything under its prefix, and
//! a plain object or none at all uses none. Names in another shape are not
//! judged. A container that keeps versions is refused for deletion: an
//! older version may still use segments its current object does not.

use super::op::Ctx;
use super::segments::{self, Existing, Segment};
use super::{limit, record};
use crate::conn::opts::{ListOpts, RequestOpts};
use crate::conn::types::ObjectEntry;
use crate::conn::{container, listing, quote};
use crate::error::{Error, Result, Status};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrphansRequest {
    /// The container the manifests are in.
    pub container: String,
    /// Only the segments written for these objects (default: all).
    pub objects: Vec<String>,
    /// Default `<container>_segments`.
    pub segment_container: Option<String>,
    /// Delete what is found (default: only list it).
    pub delete: bool,
    /// Only segments last modified at least this many seconds ago: an
    /// upload still running elsewhere is younger.
    pub older_than: Option<f64>,
    pub object_dd_threads: Option<usize>,
}

impl OrphansRequest {
    pub fn parse(text: Option<&str>) -> Result<OrphansRequest> {
        let r: OrphansRequest = crate::conn::opts::parse_request(text)?;
        super::require_container(&r.container, "orphans")?;
        if let Some(sc) = &r.segment_container {
            crate::conn::check_container("segment_container", sc)?;
        }
        for o in &r.objects {
            crate::conn::check_object("objects", o)?;
        }
        if r.older_than.is_some_and(|s| !(s >= 0.0 && s.is_finite())) {
            return Err(Error::config(
                "older_than",
                "option \"older_than\" must be a number of seconds, 0 or more",
            ));
        }
        limit("object_dd_threads", r.object_dd_threads)?;
        Ok(r)
    }
}

/// One listed segment and when it was written.
struct Listed {
    segment: Segment,
    /// Seconds since the epoch (None: the listing did not say).
    modified: Option<f64>,
}

pub async fn run(ctx: Ctx, req: OrphansRequest) -> Result<()> {
    let sc = req
        .segment_container
        .clone()
        .unwrap_or_else(|| format!("{}_segments", req.container));
    if req.delete {
        refuse_versioned(&ctx, &req.container).await?;
    }
    let by_object = match listed_by_object(&ctx, &sc, &req.objects).await {
        Ok(m) => m,
        // No segment container: nothing is orphaned.
        Err(e) if e.status == Status::NotFound => BTreeMap::new(),
        Err(e) => return Err(e),
    };
    let cutoff = req.older_than.map(|s| record::now() - s);
    let mut orphaned = Vec::new();
    for ((object, alt), listed) in by_object {
        ctx.check_cancel()?;
        let used = used_by(&ctx, &req.container, &object).await?;
        let alt_used = match &alt {
            Some(a) => used_by(&ctx, &req.container, a).await?,
            None => Used::None,
        };
        for l in listed {
            let young = matches!((cutoff, l.modified), (Some(c), Some(m)) if m > c)
                || (cutoff.is_some() && l.modified.is_none());
            if young || used.uses(&l.segment) || alt_used.uses(&l.segment) {
                continue;
            }
            let s = &l.segment;
            let mut r = record::ok("orphan_segment", Some(&s.container), Some(&s.name));
            r["for_container"] = json!(req.container);
            r["for_object"] = json!(object);
            r["bytes"] = json!(s.size);
            r["last_modified"] = json!(l.modified);
            ctx.record(r).await;
            orphaned.push(l.segment);
        }
    }
    let (count, bytes) = (orphaned.len(), orphaned.iter().map(|s| s.size).sum::<u64>());
    let deleted = if req.delete {
        let threads = ctx.threads("object_dd_threads", req.object_dd_threads)?;
        segments::delete_segments(&ctx, orphaned, &RequestOpts::default(), threads).await
    } else {
        0
    };
    let mut r = record::ok("orphans", Some(&req.container), None);
    r["segment_container"] = json!(sc);
    r["segments"] = json!(count);
    r["bytes"] = json!(bytes);
    r["deleted"] = json!(deleted);
    ctx.record(r).await;
    Ok(())
}

/// Deleting "unused" segments of a container that keeps versions could
/// break an older version: refused.
async fn refuse_versioned(ctx: &Ctx, c: &str) -> Result<()> {
    let h = container::head(&ctx.client, c, &RequestOpts::default(), &ctx.cancel).await?;
    let h = &h["headers"];
    let versioned = h.get("x-versions-location").is_some()
        || h.get("x-history-location").is_some()
        || h["x-versions-enabled"].as_str() == Some("True")
        || h["x-versions-enabled"].as_str() == Some("true");
    if versioned {
        return Err(Error::config(
            "delete",
            format!(
                "container \"{c}\" keeps object versions, which may use segments its current objects do not: not deleting"
            ),
        ));
    }
    Ok(())
}

/// The segment container's objects in python-swiftclient's shape, by the
/// object they were written for (only `objects`' when given).
async fn listed_by_object(
    ctx: &Ctx,
    sc: &str,
    objects: &[String],
) -> Result<BTreeMap<Owners, Vec<Listed>>> {
    let prefixes: Vec<Option<String>> = if objects.is_empty() {
        vec![None]
    } else {
        objects.iter().map(|o| Some(format!("{o}/"))).collect()
    };
    let wanted: HashSet<&str> = objects.iter().map(String::as_str).collect();
    let mut out: BTreeMap<Owners, Vec<Listed>> = BTreeMap::new();
    for prefix in prefixes {
        let opts = ListOpts {
            prefix,
            full_listing: true,
            ..Default::default()
        };
        let mut page_fn = |page: Vec<serde_json::Value>| {
            for e in page.iter().map(ObjectEntry::of) {
                let Some(name) = e.name else { continue };
                let Some(owners) = written_for(&name) else {
                    continue;
                };
                let alt = owners.1.as_deref();
                if !wanted.is_empty()
                    && !wanted.contains(owners.0.as_str())
                    && !alt.is_some_and(|a| wanted.contains(a))
                {
                    continue;
                }
                let modified = e.last_modified.as_deref().and_then(listing_time);
                let segment = Segment {
                    container: sc.to_string(),
                    etag: e.hash.unwrap_or_default(),
                    size: e.bytes.unwrap_or(0),
                    name: name.clone(),
                };
                out.entry(owners)
                    .or_default()
                    .push(Listed { segment, modified });
            }
            Ok(true)
        };
        let path = format!("/{}", quote(sc));
        listing::list(&ctx.client, &path, &opts, &mut page_fn, &ctx.cancel).await?;
    }
    Ok(out)
}

/// Who a segment may belong to: the object its name was written for and,
/// when that name ends in "/slo", also the object named with it (an
/// object called "x/slo" has DLO segments named like x's SLO segments).
type Owners = (String, Option<String>);

/// The object a segment name was written for, when the name has
/// python-swiftclient's shape: `<object>[/slo]/<mtime>[/<size>]/
/// <segment_size>/<%08d>`; and the other object it may be for.
fn written_for(name: &str) -> Option<Owners> {
    let mut parts = name.rsplitn(6, '/').collect::<Vec<_>>();
    parts.reverse();
    // From the end: the index, then one or two sizes, then the mtime.
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let is_mtime = |s: &str| {
        s.split_once('.')
            .is_some_and(|(a, b)| digits(a) && (b.is_empty() || digits(b)))
    };
    let n = parts.len();
    if n < 4 || parts[n - 1].len() != 8 || !digits(parts[n - 1]) || !digits(parts[n - 2]) {
        return None;
    }
    // `<mtime>/<segment_size>/<index>` or `<mtime>/<size>/<segment_size>/<index>`.
    let mtime_at = if is_mtime(parts[n - 3]) {
        n - 3
    } else if n >= 5 && digits(parts[n - 3]) && is_mtime(parts[n - 4]) {
        n - 4
    } else {
        return None;
    };
    // What comes before the mtime (and "slo"): the object name.
    let tail = parts[mtime_at..].join("/").len() + 1;
    let named = name.get(..name.len().checked_sub(tail)?)?;
    match named.strip_suffix("/slo") {
        Some(o) if !o.is_empty() => Some((o.to_string(), Some(named.to_string()))),
        _ if !named.is_empty() => Some((named.to_string(), None)),
        _ => None,
    }
}

/// A listing's `last_modified` ("2026-11-27T04:38:18.123456", UTC) in
/// seconds since the epoch.
fn listing_time(s: &str) -> Option<f64> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos() as f64 / 1e9)
}

/// Which segments an object uses.
enum Used {
    /// An SLO's manifest: these paths.
    Paths(HashSet<String>),
    /// A DLO: everything under this container and prefix.
    Prefix(String, String),
    /// A large object whose segments the server does not list: every
    /// segment counts as used (nothing can be judged unused).
    All,
    None,
}

impl Used {
    fn uses(&self, s: &Segment) -> bool {
        match self {
            Used::Paths(p) => p.contains(&s.path()),
            Used::Prefix(c, p) => *c == s.container && s.name.starts_with(p.as_str()),
            Used::All => true,
            Used::None => false,
        }
    }
}

async fn used_by(ctx: &Ctx, c: &str, o: &str) -> Result<Used> {
    let found = segments::existing(ctx, c, o, &RequestOpts::default()).await?;
    Ok(match found {
        None | Some((Existing::Plain { .. }, _)) => Used::None,
        Some((Existing::Slo(s), _)) => Used::Paths(s.iter().map(Segment::path).collect()),
        Some((
            Existing::Dlo {
                container, prefix, ..
            },
            _,
        )) => Used::Prefix(container, prefix),
        Some((Existing::Unlisted { .. }, _)) => Used::All,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_read_from_the_end() {
        let cases = [
            (
                "dir/f.bin/slo/1700000000.123456/3000/1000/00000002",
                Some(("dir/f.bin", Some("dir/f.bin/slo"))),
            ),
            ("f/1700000000.123456/3000/1000/00000002", Some(("f", None))),
            (
                "f/slo/1700000000.123456/1000/00000000",
                Some(("f", Some("f/slo"))),
            ),
            ("a/b/1700000000.000000/1000/00000011", Some(("a/b", None))),
            // An object called "slo" itself, DLO-segmented.
            ("slo/1700000000.5/10/4/00000000", Some(("slo", None))),
            ("f/1700000000.123456/3000/1000/2", None),
            ("f/notatime/3000/1000/00000002", None),
            ("1700000000.1/10/00000000", None),
            ("plain-object", None),
        ];
        for (name, want) in cases {
            let want = want.map(|(o, alt)| (o.to_string(), alt.map(str::to_string)));
            assert_eq!(written_for(name), want, "{name}");
        }
    }

    #[test]
    fn listing_times() {
        assert_eq!(listing_time("1970-01-01T00:00:10.5"), Some(10.5));
        assert_eq!(listing_time("2026-11-27T00:00:00"), Some(1795737600.0));
        assert_eq!(listing_time("yesterday"), None);
    }
}
