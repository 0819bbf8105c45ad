//! `upload`'s request: the items (paths, file descriptors, directory
//! markers), their per-item overrides, and the checks made before anything
//! is sent.

use super::super::headers::{from_header_list, from_meta_list};
use super::super::limit;
use super::tar_body::Format;
use crate::error::{Error, Result};
use serde::Deserialize;

/// One thing to upload: a path, or a path with its own object name.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Item {
    Path(String),
    Spec(ItemSpec),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemSpec {
    /// A file or directory; absent with `dir_marker` for a bare marker.
    pub path: Option<String>,
    /// A file descriptor to read until its end instead of a path (a pipe,
    /// standard input): uploaded as a stream of unknown length, segmented
    /// as it is read. Needs `object_name`; not closed.
    pub fd: Option<i32>,
    pub object_name: Option<String>,
    /// Create a directory marker object named `object_name`.
    pub dir_marker: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    /// Per-item overrides of the request's options.
    #[serde(deserialize_with = "crate::service::sizes::size_opt")]
    pub segment_size: Option<u64>,
    pub use_slo: Option<bool>,
    pub changed: Option<bool>,
    pub skip_identical: Option<bool>,
    pub leave_segments: Option<bool>,
    pub checksum: Option<bool>,
    pub resumable: Option<bool>,
    /// An fd item's checkpoint file (see `swc_upload_stream`).
    pub checkpoint: Option<String>,
}

/// An item's overrides of the request's file options.
#[derive(Debug, Clone, Default)]
pub(super) struct Overrides {
    pub segment_size: Option<u64>,
    pub use_slo: Option<bool>,
    pub changed: Option<bool>,
    pub skip_identical: Option<bool>,
    pub leave_segments: Option<bool>,
    pub checksum: Option<bool>,
    pub resumable: Option<bool>,
    pub checkpoint: Option<String>,
}

/// The options in force for one file.
#[derive(Debug, Clone)]
pub(super) struct Eff {
    pub segment_size: Option<u64>,
    pub use_slo: bool,
    pub changed: bool,
    pub skip_identical: bool,
    pub leave_segments: bool,
    pub checksum: bool,
    /// Segments that landed stay when the upload fails, and a rerun
    /// reuses those whose local bytes still match.
    pub resumable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadRequest {
    /// "container" or "container/pseudo/folder" (names get the prefix).
    pub container: String,
    pub objects: Vec<Item>,
    /// The object name for a single file, or the prefix replacing a single
    /// directory's path.
    pub object_name: Option<String>,
    /// Bytes (a number, or a string with B/K/M/G suffix, 1024-based).
    #[serde(deserialize_with = "crate::service::sizes::size_opt")]
    pub segment_size: Option<u64>,
    pub use_slo: Option<bool>,
    pub segment_container: Option<String>,
    pub leave_segments: bool,
    pub changed: bool,
    pub skip_identical: bool,
    pub skip_container_put: bool,
    pub header: Vec<String>,
    pub meta: Vec<String>,
    pub checksum: Option<bool>,
    /// Keep a failed large upload's segments and reuse them on a rerun.
    pub resumable: bool,
    pub fail_fast: bool,
    pub object_uu_threads: Option<usize>,
    pub segment_threads: Option<usize>,
    /// "tar", "tar.gz" or "tar.bz2": send the files as one archive of that
    /// format for the cluster's bulk middleware to unpack (see
    /// `archive.rs`); None: one request per object.
    pub extract_archive: Option<String>,
}

impl UploadRequest {
    pub fn parse(text: Option<&str>) -> Result<UploadRequest> {
        let r: UploadRequest = crate::conn::opts::parse_request(text)?;
        let (c, _) = split_container(&r.container);
        crate::service::require_container(c, "upload")?;
        if r.objects.is_empty() {
            return Err(Error::config(
                "objects",
                "nothing to upload: \"objects\" is empty",
            ));
        }
        if r.object_name.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "object_name",
                "\"object_name\" needs exactly one item in \"objects\"",
            ));
        }
        limit("object_uu_threads", r.object_uu_threads)?;
        limit("segment_threads", r.segment_threads)?;
        from_header_list(&r.header)?;
        from_meta_list("Object", &r.meta)?;
        for i in &r.objects {
            if let Item::Spec(s) = i {
                from_header_list(&s.header)?;
                from_meta_list("Object", &s.meta)?;
                if s.fd.is_some() && (s.path.is_some() || s.object_name.is_none()) {
                    return Err(Error::config(
                        "objects",
                        "an \"fd\" item needs \"object_name\" and no \"path\"",
                    ));
                }
                if s.checkpoint.is_some() && s.fd.is_none() {
                    return Err(Error::config(
                        "checkpoint",
                        "\"checkpoint\" is for \"fd\" items (streams): a file's segments are found again without one",
                    ));
                }
                if s.path.is_none() && !s.dir_marker && s.fd.is_none() {
                    return Err(Error::config(
                        "objects",
                        "an item needs \"path\" (or \"dir_marker\" with \"object_name\")",
                    ));
                }
                if s.dir_marker && s.object_name.is_none() && s.path.is_none() {
                    return Err(Error::config(
                        "objects",
                        "a directory marker needs \"object_name\"",
                    ));
                }
            }
        }
        check_archive(&r)?;
        Ok(r)
    }
}

/// Refuses what an extract-archive upload (archive.rs) cannot do:
/// nothing when the request is not one.
fn check_archive(r: &UploadRequest) -> Result<()> {
    let Some(f) = &r.extract_archive else {
        return Ok(());
    };
    if Format::parse(f).is_none() {
        return Err(Error::config(
            "extract_archive",
            format!("\"extract_archive\" must be \"tar\", \"tar.gz\" or \"tar.bz2\", not \"{f}\""),
        ));
    }
    let segments = "the bulk middleware makes each file one object; it cannot segment";
    let inspect = "it needs each object looked at first; upload without \"extract_archive\"";
    let one = "the archive is one request";
    let refused = [
        ("segment_size", r.segment_size.is_some(), segments),
        ("use_slo", r.use_slo.is_some(), segments),
        ("segment_container", r.segment_container.is_some(), segments),
        ("segment_threads", r.segment_threads.is_some(), segments),
        ("changed", r.changed, inspect),
        ("skip_identical", r.skip_identical, inspect),
        (
            "checksum",
            r.checksum == Some(true),
            "the middleware's report has no checksums to verify",
        ),
        (
            "fail_fast",
            r.fail_fast,
            "the cluster unpacks the whole archive",
        ),
        ("object_uu_threads", r.object_uu_threads.is_some(), one),
        ("resumable", r.resumable, segments),
    ];
    for (key, set, why) in refused {
        if set {
            return Err(refuse(key, why));
        }
    }
    check_headers(&from_header_list(&r.header)?, true)?;
    for item in &r.objects {
        let Item::Spec(s) = item else { continue };
        if s.fd.is_some() {
            let why = "an \"fd\" item in \"objects\" has no size until it is read, and a tar member's size comes first";
            return Err(Error::config(
                "objects",
                format!("{why}; upload it without \"extract_archive\""),
            ));
        }
        let refused = [
            ("segment_size", s.segment_size.is_some(), segments),
            ("use_slo", s.use_slo.is_some(), segments),
            ("changed", s.changed == Some(true), inspect),
            ("skip_identical", s.skip_identical == Some(true), inspect),
            ("resumable", s.resumable == Some(true), segments),
            (
                "checksum",
                s.checksum == Some(true),
                "the middleware's report has no checksums to verify",
            ),
        ];
        for (key, set, why) in refused {
            if set {
                return Err(refuse(key, why));
            }
        }
        check_headers(&from_header_list(&s.header)?, false)?;
    }
    Ok(())
}

fn refuse(key: &str, why: &str) -> Error {
    Error::config(
        key,
        format!("\"{key}\" cannot be used with \"extract_archive\": {why}"),
    )
}

/// Headers the bulk middleware passes on: metadata and Content-Type per
/// file; X-Delete-At/-After for all files at once (sent with the archive);
/// X-Storage-Policy for the container.
fn check_headers(h: &[(String, String)], whole_request: bool) -> Result<()> {
    for (k, _) in h {
        let k = k.to_ascii_lowercase();
        let ok = k.starts_with("x-object-meta-")
            || k == "content-type"
            || (whole_request
                && matches!(
                    k.as_str(),
                    "x-delete-at" | "x-delete-after" | "x-storage-policy"
                ));
        if !ok {
            let why = if whole_request {
                "the bulk middleware sets only X-Object-Meta-* and Content-Type per file, and X-Delete-At / X-Delete-After for the whole archive"
            } else {
                "an item may only set X-Object-Meta-* and Content-Type (X-Delete-At / X-Delete-After apply to the whole request)"
            };
            return Err(Error::config(
                "header",
                format!("header \"{k}\" cannot be carried by an \"extract_archive\" upload: {why}"),
            ));
        }
    }
    Ok(())
}

/// "c/pseudo/folder" -> ("c", "pseudo/folder/").
pub(super) fn split_container(c: &str) -> (&str, String) {
    match c.split_once('/') {
        Some((c, p)) if !p.trim_matches('/').is_empty() => (c, format!("{}/", p.trim_matches('/'))),
        Some((c, _)) => (c, String::new()),
        None => (c, String::new()),
    }
}
