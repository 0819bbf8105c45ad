//! In-memory bodies for uploads that cannot be replayed: a Rust
//! `BodySource` and a C read callback.

use std::ffi::c_void;
use swiftclient::conn::body::BodySource;

/// A body that cannot rewind, read at most `step` bytes at a time; its
/// length is announced or not (a stream: sent chunked).
pub struct OneShot {
    data: Vec<u8>,
    pos: usize,
    step: usize,
    known_len: bool,
}

impl OneShot {
    /// Length announced, read as much as asked.
    pub fn sized(data: Vec<u8>) -> OneShot {
        OneShot {
            data,
            pos: 0,
            step: usize::MAX,
            known_len: true,
        }
    }

    /// Length unknown, at most `step` bytes a read.
    pub fn stream(data: Vec<u8>, step: usize) -> OneShot {
        OneShot {
            data,
            pos: 0,
            step,
            known_len: false,
        }
    }
}

impl BodySource for OneShot {
    fn read(&mut self, buf: &mut [u8]) -> swiftclient::Result<usize> {
        let n = buf.len().min(self.data.len() - self.pos).min(self.step);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn rewind(&mut self) -> swiftclient::Result<bool> {
        Ok(false)
    }
    fn len(&self) -> Option<u64> {
        self.known_len.then_some(self.data.len() as u64)
    }
}

/// What `feed` reads from: `data`, at most `step` bytes a call (and never
/// more than asked), failing (-1) once `fail_at` bytes were delivered.
pub struct Feed {
    pub data: Vec<u8>,
    pub pos: usize,
    pub step: usize,
    pub fail_at: Option<usize>,
}

impl Feed {
    pub fn new(data: Vec<u8>, step: usize) -> Feed {
        Feed {
            data,
            pos: 0,
            step,
            fail_at: None,
        }
    }

    pub fn failing_at(data: Vec<u8>, step: usize, fail_at: usize) -> Feed {
        Feed {
            fail_at: Some(fail_at),
            ..Feed::new(data, step)
        }
    }

    /// The user data to pass with `feed`.
    pub fn ud(&mut self) -> *mut c_void {
        self as *mut Feed as *mut c_void
    }
}

/// A C read callback over the `Feed` its user data points at.
pub extern "C" fn feed(ud: *mut c_void, buf: *mut u8, cap: usize) -> isize {
    let f = unsafe { &mut *(ud as *mut Feed) };
    if f.fail_at.is_some_and(|at| f.pos >= at) {
        return -1;
    }
    let n = cap.min(f.step).min(f.data.len() - f.pos);
    unsafe { std::ptr::copy_nonoverlapping(f.data[f.pos..].as_ptr(), buf, n) };
    f.pos += n;
    n as isize
}
