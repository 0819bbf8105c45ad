//! `upload`'s request: the items (paths, file descriptors, directory
//! markers), their per-item overrides, and the checks made before anything
//! is sent.

use super::super::headers::{from_header_list, from_meta_list};
use super::super::limit;
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
}

impl UploadRequest {
    pub fn parse(text: Option<&str>) -> Result<UploadRequest> {
        let r: UploadRequest = crate::conn::opts::parse(text, "request")?;
        let (c, _) = split_container(&r.container);
        crate::conn::check_container("container", c)?;
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
        Ok(r)
    }
}

/// "c/pseudo/folder" -> ("c", "pseudo/folder/").
pub(super) fn split_container(c: &str) -> (&str, String) {
    match c.split_once('/') {
        Some((c, p)) if !p.trim_matches('/').is_empty() => (c, format!("{}/", p.trim_matches('/'))),
        Some((c, _)) => (c, String::new()),
        None => (c, String::new()),
    }
}
