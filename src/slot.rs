//! A callback a caller may replace at any time, with the promise C callers
//! need: once the replacing call returns, the old callback runs on no other
//! thread and is never called again, so its `user_data` may be freed.
//! Replacing waits for the old one's calls in progress on other threads; a
//! call in progress on the replacing thread itself (the setter called from
//! inside the callback) is not waited for: it is the caller's own frame, and
//! waiting for it would never end.

use std::cell::RefCell;
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
    /// The callbacks (by address) being called on this thread now: a
    /// callback may cause another call (log while logging), or replace a
    /// slot's callback from inside one.
    static CALLS_HERE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// One call in progress: on drop (also when the callback panics), the call
/// is forgotten, the callback released, and any replacement waiting on it
/// woken.
struct InCall<'a, T> {
    ended: &'a (Mutex<()>, Condvar),
    cb: Option<Arc<T>>,
    addr: usize,
}

impl<T> Drop for InCall<'_, T> {
    fn drop(&mut self) {
        CALLS_HERE.with(|c| {
            let mut c = c.borrow_mut();
            if let Some(i) = c.iter().rposition(|a| *a == self.addr) {
                c.remove(i);
            }
        });
        drop(self.cb.take());
        // Taking the lock orders this end after a waiter's check of the
        // count, so the notification cannot be missed.
        let _g = self.ended.0.lock().unwrap_or_else(|p| p.into_inner());
        self.ended.1.notify_all();
    }
}

impl<T> CallbackSlot<T> {
    /// Replaces the callback and waits until no other thread is calling the
    /// old one. Calls of the old one on this thread (the setter called from
    /// inside it) are not waited for. Two threads that each replace, from
    /// inside a callback, the callback the other is running would wait for
    /// each other: callbacks must not do that.
    pub fn replace(&self, callback: Option<T>) {
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(|p| p.into_inner()),
            callback.map(Arc::new),
        );
        let Some(old) = old else { return };
        let addr = Arc::as_ptr(&old) as *const () as usize;
        let here = CALLS_HERE.with(|c| c.borrow().iter().filter(|a| **a == addr).count());
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
        let addr = Arc::as_ptr(&cb) as *const () as usize;
        CALLS_HERE.with(|c| c.borrow_mut().push(addr));
        let call = InCall {
            ended: &self.ended,
            cb: Some(cb),
            addr,
        };
        if let Some(cb) = &call.cb {
            f(cb);
        }
    }
}
