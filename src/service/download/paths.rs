//! Where a download writes: each object's local name (prefix removed,
//! container added for a whole-account download) and the path it may take
//! inside the output directory — never outside it, whatever the name says
//! (absolute names, `..`, symbolic links already on disk).

use super::request::DownloadRequest;
use super::Want;
use std::path::{Component, Path, PathBuf};

/// The local path for an object, inside `dir`: no absolute names, no `..`
/// components, no symlinked directory on the way. `None` with the reason
/// otherwise.
pub(super) fn safe_path(dir: &Path, rel: &str) -> std::result::Result<PathBuf, String> {
    if rel.starts_with('/') {
        return Err(format!("\"{rel}\" is an absolute path"));
    }
    let mut out = dir.to_path_buf();
    let mut depth = 0;
    for part in Path::new(rel).components() {
        match part {
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("\"{rel}\" contains \"..\"")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("\"{rel}\" is an absolute path"))
            }
        }
    }
    if depth == 0 {
        return Err(format!("\"{rel}\" names no file"));
    }
    // A symlink already on disk inside the output directory must not lead out.
    let mut cur = dir.to_path_buf();
    for part in Path::new(rel)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect::<Vec<_>>()
        .iter()
        .take(depth - 1)
    {
        cur.push(part);
        if std::fs::symlink_metadata(&cur)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
        {
            return Err(format!("\"{}\" is a symbolic link", cur.display()));
        }
    }
    Ok(out)
}

/// Where an object goes locally, relative to the output directory.
pub(super) fn local_name(req: &DownloadRequest, w: &Want) -> String {
    let mut name = w.name.clone();
    if req.remove_prefix {
        if let Some(p) = &req.prefix {
            name = name.strip_prefix(p.as_str()).unwrap_or(&name).to_string();
        }
    }
    if req.yes_all && req.container.is_none() {
        name = format!("{}/{name}", w.container);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let d = Path::new("/out");
        assert_eq!(
            safe_path(d, "a/b/c.txt").unwrap(),
            PathBuf::from("/out/a/b/c.txt")
        );
        assert_eq!(safe_path(d, "./a//b").unwrap(), PathBuf::from("/out/a/b"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "a/..", "", ".", "./"] {
            assert!(safe_path(d, bad).is_err(), "{bad}");
        }
    }
}
