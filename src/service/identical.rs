//! Whether a local file already holds what an object holds (upload's
//! `skip_identical`, download's `skip_identical`): the whole MD5 for a
//! plain object, one MD5 per segment for SLO and DLO. Reads the file:
//! call it from a blocking thread.

use super::segments::Existing;
use crate::error::{Error, Result};
use md5::{Digest, Md5};
use std::path::Path;

/// MD5s of `path` cut at the given sizes; None if the file is not exactly
/// that long.
fn local_md5s(path: &Path, sizes: &[u64]) -> Result<Option<Vec<String>>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("cannot open \"{}\": {e}", path.display())))?;
    let mut out = Vec::with_capacity(sizes.len());
    let mut buf = vec![0u8; 1 << 16];
    for &size in sizes {
        let mut md5 = Md5::new();
        let mut left = size;
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = f
                .read(&mut buf[..want])
                .map_err(|e| Error::invalid(format!("reading \"{}\": {e}", path.display())))?;
            if n == 0 {
                return Ok(None);
            }
            md5.update(&buf[..n]);
            left -= n as u64;
        }
        out.push(crate::hex::hex(&md5.finalize()));
    }
    let mut one = [0u8; 1];
    if f.read(&mut one)
        .map_err(|e| Error::invalid(e.to_string()))?
        != 0
    {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Whether the local file has the same content as the existing object
/// (whole MD5 for plain objects, per segment for SLO and DLO).
pub fn identical_file(path: &Path, size: u64, existing: &Existing) -> Result<bool> {
    let (sizes, etags): (Vec<u64>, Vec<String>) = match existing {
        Existing::Plain { etag, size: s } => (vec![*s], vec![etag.clone()]),
        // Nothing to compare the segments with: never "identical".
        Existing::Unlisted { .. } => return Ok(false),
        Existing::Slo(segs) | Existing::Dlo { segments: segs, .. } => (
            segs.iter().map(|s| s.size).collect(),
            segs.iter().map(|s| s.etag.clone()).collect(),
        ),
    };
    if sizes.iter().sum::<u64>() != size {
        return Ok(false);
    }
    Ok(local_md5s(path, &sizes)?.is_some_and(|m| m == etags))
}
