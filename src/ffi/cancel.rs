//! `swc_cancel`: a cancellation token any thread may trigger.

use super::panic::{guard, guard_value};
use super::strings::{check_out, write_out};
use super::swc_status;
use tokio_util::sync::CancellationToken;

/// A cancellation token. Pass it to blocking calls; `swc_cancel_trigger`
/// from any thread makes them return SWC_E_CANCELLED promptly (including
/// during a retry's backoff). Once triggered it stays triggered.
pub struct swc_cancel {
    pub(crate) token: CancellationToken,
}

fn cancel_ref<'a>(p: *const swc_cancel) -> Option<&'a swc_cancel> {
    // SAFETY: a non-NULL pointer came from swc_cancel_new and is not freed.
    unsafe { p.as_ref() }
}

/// The token behind an optional C pointer (NULL: one that never fires).
pub(crate) fn token_of(p: *const swc_cancel) -> CancellationToken {
    cancel_ref(p).map_or_else(CancellationToken::new, |c| c.token.clone())
}

/// Creates a cancellation token; free it with `swc_cancel_free`.
/// Returns SWC_OK or SWC_E_INVALID_ARGUMENT (`cancel` NULL).
#[no_mangle]
#[must_use]
pub extern "C" fn swc_cancel_new(cancel: *mut *mut swc_cancel) -> swc_status {
    guard(std::ptr::null_mut(), || {
        check_out(cancel, "cancel")?;
        write_out(
            cancel,
            Box::into_raw(Box::new(swc_cancel {
                token: CancellationToken::new(),
            })),
        )
    })
}

/// Triggers the token. Idempotent; safe from any thread and from callbacks.
/// NULL does nothing.
#[no_mangle]
pub extern "C" fn swc_cancel_trigger(cancel: *const swc_cancel) {
    guard_value((), || {
        if let Some(c) = cancel_ref(cancel) {
            c.token.cancel();
        }
    })
}

/// Whether the token was triggered (false for NULL).
#[no_mangle]
pub extern "C" fn swc_cancel_is_triggered(cancel: *const swc_cancel) -> bool {
    guard_value(false, || {
        cancel_ref(cancel).is_some_and(|c| c.token.is_cancelled())
    })
}

/// Frees a token. NULL does nothing. No call may still be using it.
///
/// # Safety
/// `cancel` is NULL or from `swc_cancel_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn swc_cancel_free(cancel: *mut swc_cancel) {
    guard_value((), || {
        if !cancel.is_null() {
            // SAFETY: from Box::into_raw in swc_cancel_new.
            drop(unsafe { Box::from_raw(cancel) });
        }
    })
}
