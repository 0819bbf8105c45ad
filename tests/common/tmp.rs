//! Temporary directories that go away with the test.

use std::path::{Path, PathBuf};

/// A new directory under the system temp dir, named `swc-<tag>-<random>`,
/// removed with everything in it when dropped (also when the test panics).
/// Derefs to its path, and serializes as it (for requests' JSON).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(super::unique(tag));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl serde::Serialize for TempDir {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// `TempDir::new(tag)`.
pub fn tmpdir(tag: &str) -> TempDir {
    TempDir::new(tag)
}
