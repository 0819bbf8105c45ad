//! A callback a caller may replace at any time, with the promise C callers
//! need: once the replacing call returns, the old callback runs on no other
//! thread and is never called again, so its `user_data` may be freed.
//! Replacing waits for the old one's calls in progress on other threads; a
//! call in progress on the replacing thread itself (the setter called from
//! inside the callback) is not waited for: it is the caller's own frame, and
//! waiting for it would never end.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex, RwLock};

pub struct CallbackSlot<T> {
    current: RwLock<Option<Arc<T>>>,
    /// Notified at the end of every call, for a replacement waiting on it.
    ended: (Mutex<()>, Condvar),
}

impl<T> Default for CallbackSlot<T> {
    fn default() -> Self {
        CallbackSlot {
            current: RwLock::new(None),
            ended: (Mutex::new(()), Condvar::new()),
        }
    }
}

thread_local! {
    /// Callback calls in progress on this thread (a callback may cause
    /// another, e.g. log while logging).
    static CALLS_HERE: Cell<usize> = const { Cell::new(0) };
}

impl<T> CallbackSlot<T> {
    pub fn replace(&self, callback: Option<T>) {
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|p| p.into_inner()),
            callback.map(Arc::new),
        );
        let Some(old) = old else { return };
        let here = CALLS_HERE.with(Cell::get);
        let mut g = self.ended.0.lock().unwrap_or_else(|p| p.into_inner());
        // Each call in progress holds a clone; ours is the one left.
        while Arc::strong_count(&old) > 1 + here {
            g = self.ended.1.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Whether a callback is set.
    pub fn is_set(&self) -> bool {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Calls `f` with the callback, if one is set and `wanted` says so.
    pub fn call_if(&self, wanted: impl FnOnce(&T) -> bool, f: impl FnOnce(&T)) {
        let cb = match &*self.current.read().unwrap_or_else(|p| p.into_inner()) {
            Some(c) if wanted(c) => c.clone(),
            _ => return,
        };
        {
            // Counted down even if a (Rust) callback panics.
            struct Here;
            impl Drop for Here {
                fn drop(&mut self) {
                    CALLS_HERE.with(|c| c.set(c.get() - 1));
                }
            }
            CALLS_HERE.with(|c| c.set(c.get() + 1));
            let _here = Here;
            f(&cb);
        }
        drop(cb);
        // Taking the lock orders this end after a waiter's check of the
        // count, so the notification cannot be missed.
        let _g = self.ended.0.lock().unwrap_or_else(|p| p.into_inner());
        self.ended.1.notify_all();
    }
}
