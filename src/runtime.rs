//! The one process-wide tokio runtime behind the blocking C API: created with
//! the first client, shut down (threads joined) when the last client is
//! freed. Threads do not survive `fork()`: create clients after forking.

use crate::error::{Error, Result, Status};
use once_cell::sync::Lazy;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

struct Shared {
    runtime: Option<tokio::runtime::Runtime>,
    users: usize,
}

static SHARED: Lazy<Mutex<Shared>> = Lazy::new(|| {
    Mutex::new(Shared {
        runtime: None,
        users: 0,
    })
});

/// A counted reference to the process runtime; the last one dropped shuts
/// it down.
pub struct RuntimeRef {
    handle: tokio::runtime::Handle,
}

impl RuntimeRef {
    pub fn acquire() -> Result<RuntimeRef> {
        let mut s = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if s.runtime.is_none() {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(
                    std::thread::available_parallelism()
                        .map_or(2, |n| n.get())
                        .clamp(2, 8),
                )
                .thread_name("swiftclient-rt")
                .enable_all()
                .build()
                .map_err(|e| {
                    Error::new(Status::Internal, format!("cannot start the runtime: {e}"))
                })?;
            s.runtime = Some(rt);
        }
        s.users += 1;
        let handle = s
            .runtime
            .as_ref()
            .map(|r| r.handle().clone())
            .ok_or_else(|| Error::internal("runtime vanished"))?;
        Ok(RuntimeRef { handle })
    }

    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    /// Runs a future to completion on the calling thread. From a thread of
    /// the runtime itself (a callback) it refuses with `WouldDeadlock`.
    pub fn block_on<F: Future>(&self, fut: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                Status::WouldDeadlock,
                "a blocking call was made from a library-owned thread (inside a callback); use the async form",
            ));
        }
        Ok(self.handle.block_on(fut))
    }

    /// Number of live references (clients), for tests.
    pub fn users() -> usize {
        SHARED.lock().unwrap_or_else(|p| p.into_inner()).users
    }

    /// Whether the runtime currently exists, for tests.
    pub fn is_running() -> bool {
        SHARED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .runtime
            .is_some()
    }
}

impl Drop for RuntimeRef {
    fn drop(&mut self) {
        let rt = {
            let mut s = SHARED.lock().unwrap_or_else(|p| p.into_inner());
            s.users = s.users.saturating_sub(1);
            if s.users == 0 {
                s.runtime.take()
            } else {
                None
            }
        };
        if let Some(rt) = rt {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Dropping a runtime on one of its own threads panics: let a
                // plain thread do it.
                let _ = std::thread::Builder::new()
                    .name("swiftclient-rt-stop".into())
                    .spawn(move || rt.shutdown_timeout(Duration::from_secs(10)));
            } else {
                rt.shutdown_timeout(Duration::from_secs(10));
            }
        }
    }
}
