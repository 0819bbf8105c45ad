//! A stream upload's checkpoint: a small JSON file, named by the caller,
//! that records the segments written so far and their ETags. A file's
//! segment names can be found again from the file (its mtime and size), a
//! stream's cannot — they carry the time the upload started — so resuming
//! a stream needs this record of the names' prefix and of what landed.
//!
//! Written under a temporary name and renamed, so a crash leaves the old
//! checkpoint or the new one, never half of one. Read back only when it is
//! whole, ours, and for the same object: anything else is refused before a
//! byte is read or sent.

use super::super::segment_writer::{Manifest, SegmentLayout};
use super::super::segments::Segment;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FORMAT: &str = "libswiftclient-stream-checkpoint-1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    format: String,
    pub container: String,
    pub object: String,
    pub segment_container: String,
    /// "slo" or "dlo".
    pub manifest: String,
    pub mtime: String,
    pub segment_size: u64,
    /// Index → the segment written there.
    pub segments: BTreeMap<usize, Landed>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Landed {
    pub etag: String,
    pub size: u64,
}

/// Where a stream's checkpoint is kept, and whether to resume from it.
#[derive(Debug, Clone)]
pub struct Checkpointing {
    pub path: PathBuf,
    /// Resume: the file must exist and be for this object.
    pub resume: bool,
}

impl Checkpoint {
    /// A new checkpoint for the upload laid out as `l`.
    pub fn new(l: &SegmentLayout) -> Checkpoint {
        Checkpoint {
            format: FORMAT.into(),
            container: l.container.clone(),
            object: l.object.clone(),
            segment_container: l.segment_container.clone(),
            manifest: l.manifest.as_str().into(),
            mtime: l.mtime.clone(),
            segment_size: l.segment_size,
            segments: BTreeMap::new(),
        }
    }

    /// Reads the checkpoint at `path`, which must be for `container` /
    /// `object` and `segment_container`.
    pub fn load(
        path: &Path,
        container: &str,
        object: &str,
        segment_container: &str,
    ) -> Result<Checkpoint> {
        let shown = path.display();
        let text = std::fs::read(path).map_err(|e| {
            Error::config(
                "checkpoint",
                format!("cannot read the checkpoint \"{shown}\" to resume from: {e}"),
            )
        })?;
        let c: Checkpoint = serde_json::from_slice(&text)
            .ok()
            .filter(|c: &Checkpoint| c.format == FORMAT && c.manifest().is_some())
            .ok_or_else(|| {
                Error::config(
                    "checkpoint",
                    format!("\"{shown}\" is not a stream upload checkpoint (or is damaged)"),
                )
            })?;
        if c.container != container
            || c.object != object
            || c.segment_container != segment_container
        {
            return Err(Error::config(
                "checkpoint",
                format!(
                    "the checkpoint \"{shown}\" is for {}/{} (segments in {}), not {container}/{object} (segments in {segment_container})",
                    c.container, c.object, c.segment_container
                ),
            ));
        }
        Ok(c)
    }

    pub fn manifest(&self) -> Option<Manifest> {
        match self.manifest.as_str() {
            "slo" => Some(Manifest::Slo),
            "dlo" => Some(Manifest::Dlo),
            _ => None,
        }
    }

    /// The segment the checkpoint says landed at `index`, named by `l`.
    pub fn segment(&self, l: &SegmentLayout, index: usize) -> Option<Segment> {
        self.segments.get(&index).map(|s| Segment {
            container: l.segment_container.clone(),
            name: l.name(index),
            etag: s.etag.clone(),
            size: s.size,
        })
    }

    /// Writes the checkpoint to `path` whole (a temporary file renamed).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let text = serde_json::to_vec(self).map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::invalid(format!(
                    "cannot write the checkpoint \"{}\": {e}",
                    path.display()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> SegmentLayout {
        SegmentLayout {
            container: "c".into(),
            object: "o".into(),
            segment_container: "c_segments".into(),
            manifest: Manifest::Slo,
            mtime: "1700000000.000000".into(),
            size: None,
            segment_size: 10,
        }
    }

    #[test]
    fn saved_and_loaded_only_for_the_same_object() {
        let dir = std::env::temp_dir().join(format!("swc-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("ck.json");
        let mut c = Checkpoint::new(&layout());
        c.segments.insert(
            3,
            Landed {
                etag: "e".into(),
                size: 10,
            },
        );
        c.save(&p).unwrap();
        assert_eq!(Checkpoint::load(&p, "c", "o", "c_segments").unwrap(), c);
        let s = c.segment(&layout(), 3).unwrap();
        assert_eq!(s.name, "o/slo/1700000000.000000/10/00000003");
        for (cont, obj, sc) in [
            ("c", "x", "c_segments"),
            ("d", "o", "c_segments"),
            ("c", "o", "s"),
        ] {
            let e = Checkpoint::load(&p, cont, obj, sc).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("checkpoint"), "{e:?}");
        }
        std::fs::write(&p, b"{\"format\": \"something else\"}").unwrap();
        assert!(Checkpoint::load(&p, "c", "o", "c_segments").is_err());
        std::fs::write(
            &p,
            &b"{\"format\": \"libswiftclient-stream-checkpoint-1\""[..],
        )
        .unwrap();
        assert!(Checkpoint::load(&p, "c", "o", "c_segments").is_err());
        std::fs::remove_file(&p).unwrap();
        let e = Checkpoint::load(&p, "c", "o", "c_segments").unwrap_err();
        assert!(e.message.contains("cannot read"), "{e:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
