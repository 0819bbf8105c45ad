//! `download`'s request and the checks made before anything is fetched.

use super::super::headers::from_header_list;
use super::super::limit;
use crate::error::{Error, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DownloadRequest {
    pub container: Option<String>,
    pub objects: Vec<String>,
    /// With no container: every container, into `<out_directory>/<container>/`.
    pub yes_all: bool,
    pub prefix: Option<String>,
    pub marker: Option<String>,
    /// One object only: a file path, or "-" for standard output.
    pub out_file: Option<String>,
    pub out_directory: Option<String>,
    /// Strip `prefix` from the local names.
    pub remove_prefix: bool,
    pub skip_identical: bool,
    /// Fetch and verify, but write nothing.
    pub no_download: bool,
    pub shuffle: bool,
    pub checksum: Option<bool>,
    pub ignore_mtime: bool,
    /// Ours: fetch a plain object of at least `range_threshold` bytes with
    /// this many ranged GETs in parallel (default 1: off), then verify the
    /// whole file against the ETag before it is renamed into place.
    pub range_parts: Option<u64>,
    /// Default 64 MiB.
    #[serde(deserialize_with = "crate::service::sizes::size_opt")]
    pub range_threshold: Option<u64>,
    pub header: Vec<String>,
    pub object_dd_threads: Option<usize>,
    pub container_threads: Option<usize>,
    /// A large object (SLO, DLO) downloaded to a file has its segments
    /// fetched this many at a time, straight from their container, each
    /// written at its offset and checked on its own (default 10; 1: one GET
    /// of the whole object, checked segment by segment as it streams).
    pub segment_threads: Option<usize>,
    /// One object's version (from a versions listing).
    pub version_id: Option<String>,
    /// Ours: a download to a file that fails (an error, a cancel, the
    /// process killed) keeps its partial file under its hidden temporary
    /// name (`.<name>.swc-partial`), with a sidecar naming the object
    /// version (`.<name>.swc-partial.json`); a later download with this
    /// set continues it (`Range` + `If-Match`) when it is of the same
    /// version, and starts from zero otherwise. A large object resumes per
    /// segment (each kept segment hashed from disk against its ETag, the
    /// others fetched). Takes precedence over `range_parts`; each object is inspected (HEAD) before its GET. Not
    /// to be confused with the Connection API's `resume`, which resumes a
    /// broken body within one call.
    pub resume_partial: bool,
}

impl DownloadRequest {
    pub fn parse(text: Option<&str>) -> Result<DownloadRequest> {
        let r: DownloadRequest = crate::conn::opts::parse_request(text)?;
        match (&r.container, r.yes_all) {
            (None, false) => {
                return Err(Error::config(
                    "container",
                    "download needs \"container\" (or \"yes_all\")",
                ))
            }
            (None, true) if !r.objects.is_empty() => {
                return Err(Error::config(
                    "container",
                    "downloading objects needs \"container\"",
                ))
            }
            (Some(c), _) => {
                crate::conn::check_container("container", c)?;
            }
            _ => {}
        }
        if r.out_file.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "out_file",
                "\"out_file\" needs exactly one object in \"objects\"",
            ));
        }
        if r.version_id.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "version_id",
                "\"version_id\" needs exactly one object in \"objects\"",
            ));
        }
        if r.out_file.is_some() && r.out_directory.is_some() {
            return Err(Error::config(
                "out_file",
                "give \"out_file\" or \"out_directory\", not both",
            ));
        }
        if r.resume_partial && r.no_download {
            return Err(Error::config(
                "resume_partial",
                "\"resume_partial\" needs a file to resume (not \"no_download\")",
            ));
        }
        if r.resume_partial && r.out_file.as_deref() == Some("-") {
            return Err(Error::config(
                "resume_partial",
                "\"resume_partial\" needs a file to resume (not standard output)",
            ));
        }
        limit("object_dd_threads", r.object_dd_threads)?;
        limit("container_threads", r.container_threads)?;
        limit("segment_threads", r.segment_threads)?;
        from_header_list(&r.header)?;
        Ok(r)
    }
}

/// `version-id=...` for a request naming a version.
pub(super) fn version_query(req: &DownloadRequest) -> Option<String> {
    req.version_id.as_deref().map(crate::conn::version_query)
}
