//! What a client handle and an operation handle both know of a running
//! operation: its cancel token and, once `on_done` has run, its outcome
//! (apart from both handles, so neither imports the other for it).

use super::swc_status;
use std::sync::{Condvar, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What the client and the handle know of an operation.
pub struct OpShared {
    pub cancel: CancellationToken,
    pub(super) done: Mutex<Option<(swc_status, String)>>,
    pub(super) cv: Condvar,
}

impl OpShared {
    pub(super) fn finish(&self, status: swc_status, summary: String) {
        *self.done.lock().unwrap_or_else(|p| p.into_inner()) = Some((status, summary));
        self.cv.notify_all();
    }

    /// Waits until the operation's on_done has run (None: forever).
    pub fn wait(&self, timeout: Option<Duration>) -> Option<(swc_status, String)> {
        let mut g = self.done.lock().unwrap_or_else(|p| p.into_inner());
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        while g.is_none() {
            match deadline {
                None => g = self.cv.wait(g).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let now = std::time::Instant::now();
                    if now >= d {
                        break;
                    }
                    g = self
                        .cv
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
        g.clone()
    }
}
