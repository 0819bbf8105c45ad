//! Bodies from and to C callbacks, descriptors and malloc'd buffers. The
//! callbacks run on the calling thread, inside the blocking call.

use crate::conn::body::{BodySink, BodySource};
use crate::error::{Error, Result, Status};
use std::ffi::{c_int, c_void};

/// Upload reader: fill `buf` with up to `cap` bytes; return how many, 0 at
/// the end, or a negative number on error.
pub type swc_read_fn =
    Option<extern "C" fn(user_data: *mut c_void, buf: *mut u8, cap: usize) -> isize>;
/// Rewinds an upload source to its start for a retry; 0 on success.
pub type swc_rewind_fn = Option<extern "C" fn(user_data: *mut c_void) -> c_int>;
/// Download writer: consume `len` bytes; return SWC_CONTINUE to go on,
/// SWC_STOP (any non-zero) to stop (the call then fails with
/// SWC_E_CANCELLED).
pub type swc_write_fn =
    Option<extern "C" fn(user_data: *mut c_void, buf: *const u8, len: usize) -> c_int>;
/// Listing page: a JSON array of entries (borrowed until return); return
/// SWC_CONTINUE to go on, SWC_STOP (any non-zero) to stop.
pub type swc_page_fn = Option<
    extern "C" fn(user_data: *mut c_void, json: *const std::ffi::c_char, len: usize) -> c_int,
>;

/// A caller's `user_data`, which the header allows the library to use from
/// its own threads (the caller guarantees that is safe).
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: see above; the library never dereferences it, only passes it back.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}
impl UserData {
    pub(crate) fn ptr(&self) -> *mut c_void {
        self.0
    }
}

pub struct CallbackSource {
    pub read: extern "C" fn(*mut c_void, *mut u8, usize) -> isize,
    pub rewind: swc_rewind_fn,
    pub user_data: *mut c_void,
    pub length: Option<u64>,
    pub sent: u64,
}

// SAFETY: the callbacks are only invoked on the thread that made the
// blocking call (the future runs there), as the header documents.
unsafe impl Send for CallbackSource {}

impl CallbackSource {
    pub fn new(
        read: extern "C" fn(*mut c_void, *mut u8, usize) -> isize,
        rewind: swc_rewind_fn,
        user_data: *mut c_void,
        length: Option<u64>,
    ) -> CallbackSource {
        CallbackSource {
            read,
            rewind,
            user_data,
            length,
            sent: 0,
        }
    }

    /// The announced length has been read: the source must be at its end.
    /// One more read tells; a byte past the end is an error, not bytes
    /// silently left out of the object.
    fn check_end(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = (self.read)(self.user_data, buf.as_mut_ptr(), buf.len());
        match n {
            0 => Ok(0),
            n if n < 0 => Err(Error::invalid(format!(
                "the read callback reported an error ({n})"
            ))),
            _ => Err(Error::invalid(format!(
                "the read callback gave more than the {} bytes announced as the length",
                self.sent
            ))),
        }
    }
}

impl BodySource for CallbackSource {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let cap = match self.length {
            Some(l) => buf.len().min((l - self.sent.min(l)) as usize),
            None => buf.len(),
        };
        if cap == 0 {
            return self.check_end(buf);
        }
        let n = (self.read)(self.user_data, buf.as_mut_ptr(), cap);
        if n < 0 {
            return Err(Error::invalid(format!(
                "the read callback reported an error ({n})"
            )));
        }
        let n = n as usize;
        if n > cap {
            return Err(Error::invalid(format!(
                "the read callback returned {n} bytes for a {cap}-byte buffer"
            )));
        }
        if n == 0 {
            if let Some(l) = self.length {
                if self.sent < l {
                    return Err(Error::invalid(format!(
                        "the read callback ended after {} of the {l} bytes announced",
                        self.sent
                    )));
                }
            }
        }
        self.sent += n as u64;
        Ok(n)
    }
    fn rewind(&mut self) -> Result<bool> {
        match self.rewind {
            None => Ok(false),
            Some(f) => {
                self.sent = 0;
                Ok(f(self.user_data) == 0)
            }
        }
    }
    fn len(&self) -> Option<u64> {
        self.length
    }
}

pub struct CallbackSink {
    pub write: extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    pub user_data: *mut c_void,
}

// SAFETY: as for CallbackSource.
unsafe impl Send for CallbackSink {}

impl BodySink for CallbackSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        if (self.write)(self.user_data, data.as_ptr(), data.len()) != 0 {
            return Err(Error::new(
                Status::Cancelled,
                "the write callback asked to stop",
            ));
        }
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

/// Collects a download into a malloc'd buffer (freed by `swc_buffer_free`).
pub struct MallocSink {
    pub ptr: *mut u8,
    pub len: usize,
    cap: usize,
}

// SAFETY: the buffer is owned by this value alone until handed to C.
unsafe impl Send for MallocSink {}

impl Default for MallocSink {
    fn default() -> MallocSink {
        MallocSink::new()
    }
}

impl MallocSink {
    pub fn new() -> MallocSink {
        MallocSink {
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
        }
    }

    /// Hands the buffer over (never NULL, even for an empty body).
    pub fn take(&mut self) -> Result<(*mut u8, usize)> {
        if self.ptr.is_null() {
            self.grow(1)?;
        }
        let out = (self.ptr, self.len);
        self.ptr = std::ptr::null_mut();
        self.len = 0;
        self.cap = 0;
        Ok(out)
    }

    fn grow(&mut self, need: usize) -> Result<()> {
        let cap = need.max(self.cap * 2).max(64 * 1024);
        // SAFETY: realloc of our own pointer (or NULL) to a larger size.
        let p = unsafe { libc::realloc(self.ptr.cast(), cap) }.cast::<u8>();
        if p.is_null() {
            return Err(Error::new(
                Status::Internal,
                format!("out of memory growing a {cap}-byte buffer"),
            ));
        }
        self.ptr = p;
        self.cap = cap;
        Ok(())
    }
}

impl BodySink for MallocSink {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        if self.len + data.len() > self.cap {
            self.grow(self.len + data.len())?;
        }
        // SAFETY: capacity checked above; regions do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(self.len), data.len()) };
        self.len += data.len();
        Ok(())
    }
    fn finish(&mut self, _ok: bool) -> Result<()> {
        Ok(())
    }
}

impl Drop for MallocSink {
    fn drop(&mut self) {
        // SAFETY: our own allocation, not handed out (take() clears it).
        unsafe { libc::free(self.ptr.cast()) }
    }
}
