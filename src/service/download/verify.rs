//! One GET checked as it streams: the MD5 and length of a plain object, or
//! each segment of a large one against its manifest (SLO) or listing (DLO),
//! with progress events; the target is finished (renamed into place) only
//! when every check passed.

use super::super::segments::{Existing, Segment};
use super::Down;
use crate::conn::body::BodySink;
use crate::conn::object::{self, GetControl, GetOutcome};
use crate::conn::opts::GetOpts;
use crate::error::{Error, Result, Status};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

/// A sink that verifies each segment's MD5 as the bytes go by, and
/// reports progress.
struct Checked<'a> {
    inner: &'a mut dyn BodySink,
    segments: Vec<Segment>,
    index: usize,
    in_segment: u64,
    md5: Md5,
    down: &'a Down,
    object: &'a str,
    read: u64,
    last: u64,
    total: u64,
}

impl BodySink for Checked<'_> {
    fn write(&mut self, mut data: &[u8]) -> Result<()> {
        self.inner.write(data)?;
        self.read += data.len() as u64;
        let overall = self
            .down
            .done_bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed)
            + data.len() as u64;
        if self.read - self.last >= 1 << 20 {
            self.last = self.read;
            let mut ev = json!({"action": "download", "object": self.object, "bytes": self.read, "total": self.total, "overall_bytes": overall});
            match self.down.total_bytes.load(Ordering::Relaxed) {
                0 => {}
                t => ev["overall_total"] = json!(t),
            }
            self.down.ctx.progress(ev);
        }
        while !data.is_empty() && !self.segments.is_empty() {
            let Some(seg) = self.segments.get(self.index) else {
                return Err(Error::new(
                    Status::Checksum,
                    format!("more bytes than the {} segments hold", self.segments.len()),
                ));
            };
            let take = ((seg.size - self.in_segment) as usize).min(data.len());
            self.md5.update(&data[..take]);
            self.in_segment += take as u64;
            data = &data[take..];
            if self.in_segment == seg.size {
                let got = crate::hex::hex(&std::mem::take(&mut self.md5).finalize());
                if got != seg.etag {
                    return Err(Error::new(
                        Status::Checksum,
                        format!(
                            "segment {} ({}/{}) has MD5 {got}, expected {}",
                            self.index, seg.container, seg.name, seg.etag
                        ),
                    ));
                }
                self.index += 1;
                self.in_segment = 0;
            }
        }
        Ok(())
    }
    fn finish(&mut self, ok: bool) -> Result<()> {
        self.inner.finish(ok)
    }
}

impl Checked<'_> {
    fn all_segments_seen(&self) -> bool {
        self.index == self.segments.len() && self.in_segment == 0
    }
}

/// A sink that writes nothing (`no_download`).
pub(super) struct Discard;
impl BodySink for Discard {
    fn write(&mut self, _: &[u8]) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: bool) -> Result<()> {
        Ok(())
    }
}

/// GETs `c/o` into `target`, verifying MD5 and length for a plain object
/// and each segment for a large one; calls `target.finish(ok)`. Returns the
/// GET record and what was verified ("md5", "segments" or false).
/// `existing: None` (not inspected yet) returns `None`, unread, for a large
/// object or an answer that is not provably the object (`listed_size`: its
/// size in a listing); a plain object's body must then have the size its
/// inspection (HEAD) gave.
// Long (~125 lines) on purpose: what one GET is asked for, how its
// answer is checked and what counts as verified all turn on the same
// facts (inspected or not, plain or large, ranged or whole); together they
// read as one table.
pub(super) async fn get_verified(
    down: &Down,
    c: &str,
    o: &str,
    existing: Option<&Existing>,
    listed_size: Option<u64>,
    target: &mut dyn BodySink,
) -> Result<Option<(Value, Value)>> {
    let ranged = down.caller_range();
    let segs = match existing {
        Some(Existing::Slo(s) | Existing::Dlo { segments: s, .. }) if down.checksum && !ranged => {
            s.clone()
        }
        _ => Vec::new(),
    };
    let total = match existing {
        Some(Existing::Plain { size, .. } | Existing::Unlisted { size, .. }) => *size,
        Some(Existing::Slo(s) | Existing::Dlo { segments: s, .. }) => {
            s.iter().map(|x| x.size).sum()
        }
        None => listed_size.unwrap_or(0),
    };
    let gopts = GetOpts {
        headers: down.opts.headers.clone(),
        // Not inspected yet: ask for a large object's manifest rather than
        // its contents, so finding one out wastes no segment transfer (a
        // plain object is served as usual).
        query: match (existing.is_none(), &down.opts.query) {
            (true, Some(v)) => Some(format!("multipart-manifest=get&{v}")),
            (true, None) => Some("multipart-manifest=get".to_string()),
            (false, v) => v.clone(),
        },
        checksum: down.checksum,
        resume: true,
    };
    let control = GetControl {
        // Not inspected yet: a plain object streams straight in; a large
        // one is handed back unread, to be fetched again per segment.
        plain_only: existing.is_none(),
        listed_size: listed_size.filter(|_| existing.is_none()),
        // Segments are checked one by one; a whole-body MD5 would only
        // double the hashing.
        no_body_md5: !segs.is_empty(),
        range_from: None,
    };
    let large = !matches!(existing, None | Some(Existing::Plain { .. }));
    let unlisted = matches!(existing, Some(Existing::Unlisted { .. }));
    let mut checked = Checked {
        inner: target,
        segments: segs,
        index: 0,
        in_segment: 0,
        md5: Md5::new(),
        down,
        object: o,
        read: 0,
        last: 0,
        total,
    };
    let outcome = object::get_with(
        &down.ctx.client,
        c,
        o,
        &gopts,
        &control,
        &mut checked,
        &down.ctx.cancel,
    )
    .await;
    let r = match outcome {
        Ok(GetOutcome::LargeObject(_)) => return Ok(None),
        Ok(GetOutcome::Body(v)) => Ok(v),
        Err(e) => Err(e),
    };
    let r = match r {
        Ok(_) if !checked.segments.is_empty() && !checked.all_segments_seen() => Err(Error::new(
            Status::Checksum,
            format!(
                "the body ended inside segment {} of {}",
                checked.index,
                checked.segments.len()
            ),
        )),
        Ok(v) => match existing {
            // The server's two statements of the size must agree: a body
            // that matches only its own Content-Length (and its own ETag)
            // may still not be the object.
            Some(Existing::Plain { size, .. } | Existing::Unlisted { size, .. })
                if !ranged && v["bytes"].as_u64() != Some(*size) =>
            {
                Err(Error::new(
                    Status::Checksum,
                    format!(
                        "the GET of {c}/{o} gave {} bytes where its HEAD said {size}",
                        v["bytes"]
                    ),
                )
                .attempts(v["attempts"].as_u64().unwrap_or(1) as u32))
            }
            _ => Ok(v),
        },
        other => other,
    };
    if let (Ok(v), false) = (&r, down.req.ignore_mtime) {
        if let Some(secs) = v["headers"]["x-object-meta-mtime"]
            .as_str()
            .and_then(|m| m.parse::<f64>().ok())
        {
            checked.inner.set_mtime(secs);
        }
    }
    let fin = checked.finish(r.is_ok());
    let resp = r.and_then(|v| fin.map(|_| v))?;
    let verified = match (down.checksum, large, ranged) {
        (false, _, _) | (_, _, true) => Value::Bool(false),
        (true, false, false) => json!("md5"),
        // Its size only: the server gave no segment list to check against.
        (true, true, false) if unlisted => json!("length"),
        (true, true, false) => json!("segments"),
    };
    Ok(Some((resp, verified)))
}
