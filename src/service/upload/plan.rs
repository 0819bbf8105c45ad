//! What an upload will do: the request's items expanded into units of
//! work — files (directories walked, in name order), directory markers,
//! file-descriptor streams, and paths that cannot be uploaded — with their
//! object names and headers, as python-swiftclient names them.

use super::super::headers::{from_header_list, from_meta_list};
use super::super::record;
use super::request::{Item, ItemSpec, Overrides, UploadRequest};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// An object name from a local path, as python-swiftclient makes it.
fn name_from_path(p: &str) -> String {
    let mut s = p.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    // "." itself (`swift upload c .`): its files are named "a", not "./a".
    if s == "." {
        return String::new();
    }
    s.trim_start_matches('/').to_string()
}

/// python-swiftclient's `"%f" % os.path.getmtime(path)`.
pub fn mtime_of(meta: &std::fs::Metadata) -> String {
    let d = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    format!("{:.6}", d.as_secs() as f64 + d.subsec_nanos() as f64 * 1e-9)
}

/// One unit of work after expanding directories.
#[derive(Debug, Clone)]
pub(super) enum Work {
    File {
        path: PathBuf,
        object: String,
        size: u64,
        mtime: String,
        headers: Vec<(String, String)>,
        over: Overrides,
    },
    Marker {
        object: String,
        mtime: String,
        headers: Vec<(String, String)>,
        path: Option<String>,
    },
    /// A stream from a file descriptor.
    Stream {
        fd: i32,
        object: String,
        headers: Vec<(String, String)>,
        over: Overrides,
    },
    /// A path that cannot be uploaded (missing, unreadable): one failed record.
    Unusable {
        path: String,
        object: String,
        error: Error,
    },
}

pub(super) fn expand(req: &UploadRequest, prefix: &str) -> Result<Vec<Work>> {
    let mut out = Vec::new();
    let base_headers = {
        let mut h = from_header_list(&req.header)?;
        h.extend(from_meta_list("Object", &req.meta)?);
        h
    };
    for item in &req.objects {
        let (path, name, marker, mut headers, over) = match item {
            Item::Path(p) => (
                Some(p.clone()),
                req.object_name.clone(),
                false,
                base_headers.clone(),
                Overrides::default(),
            ),
            Item::Spec(s) => {
                let mut h = base_headers.clone();
                h.extend(from_header_list(&s.header)?);
                h.extend(from_meta_list("Object", &s.meta)?);
                let over = Overrides {
                    segment_size: s.segment_size,
                    use_slo: s.use_slo,
                    changed: s.changed,
                    skip_identical: s.skip_identical,
                    leave_segments: s.leave_segments,
                    checksum: s.checksum,
                    resumable: s.resumable,
                    checkpoint: s.checkpoint.clone(),
                };
                (
                    s.path.clone(),
                    s.object_name.clone().or_else(|| req.object_name.clone()),
                    s.dir_marker,
                    h,
                    over,
                )
            }
        };
        headers.dedup();
        if let Item::Spec(ItemSpec { fd: Some(fd), .. }) = item {
            let object = format!("{prefix}{}", name_from_path(name.as_deref().unwrap_or("")));
            out.push(Work::Stream {
                fd: *fd,
                object,
                headers,
                over,
            });
            continue;
        }
        let Some(path) = path else {
            let object = format!("{prefix}{}", name_from_path(name.as_deref().unwrap_or("")));
            out.push(Work::Marker {
                object,
                mtime: format!("{:.6}", record::now()),
                headers,
                path: None,
            });
            continue;
        };
        let root_name = name.clone().unwrap_or_else(|| name_from_path(&path));
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let error = Error::invalid(format!("cannot upload \"{path}\": {e}"));
                out.push(Work::Unusable {
                    path: path.clone(),
                    object: format!("{prefix}{root_name}"),
                    error,
                });
                continue;
            }
        };
        if marker {
            out.push(Work::Marker {
                object: format!("{prefix}{root_name}"),
                mtime: mtime_of(&meta),
                headers,
                path: Some(path),
            });
        } else if meta.is_dir() {
            walk(
                Path::new(&path),
                &format!("{prefix}{}", root_name.trim_end_matches('/')),
                &headers,
                &over,
                &mut out,
            )?;
        } else {
            out.push(Work::File {
                path: PathBuf::from(&path),
                object: format!("{prefix}{root_name}"),
                size: meta.len(),
                mtime: mtime_of(&meta),
                headers,
                over,
            });
        }
    }
    Ok(out)
}

/// Files under `dir` become `<name>/<relative path>`; empty directories
/// become directory markers. Symlinked directories are not followed.
fn walk(
    dir: &Path,
    name: &str,
    headers: &[(String, String)],
    over: &Overrides,
    out: &mut Vec<Work>,
) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::invalid(format!("cannot read directory \"{}\": {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    if entries.is_empty() && !name.is_empty() {
        let meta = std::fs::metadata(dir)
            .map_err(|e| Error::invalid(format!("{}: {e}", dir.display())))?;
        out.push(Work::Marker {
            object: name.to_string(),
            mtime: mtime_of(&meta),
            headers: headers.to_vec(),
            path: Some(dir.display().to_string()),
        });
        return Ok(());
    }
    for e in entries {
        let p = e.path();
        let child = if name.is_empty() {
            e.file_name().to_string_lossy().to_string()
        } else {
            format!("{name}/{}", e.file_name().to_string_lossy())
        };
        let link = e.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if !link {
                walk(&p, &child, headers, over, out)?;
            }
        } else if meta.is_file() {
            out.push(Work::File {
                path: p,
                object: child,
                size: meta.len(),
                mtime: mtime_of(&meta),
                headers: headers.to_vec(),
                over: over.clone(),
            });
        }
    }
    Ok(())
}
