//! Request events (retries, re-authentication) for whoever runs the
//! requests: a bulk operation turns them into progress events. The hook
//! travels with the operation's task (a task-local, so the request engine
//! needs no extra argument in every call); a task the operation spawns
//! carries it only if spawned through [`spawn_in`], the one way the
//! service layer spawns request-making tasks.

use std::future::Future;
use tokio::task::{AbortHandle, JoinSet};

/// Receives the events of the requests made under it.
pub type EventHook = std::sync::Arc<dyn Fn(serde_json::Value) + Send + Sync>;

tokio::task_local! {
    static EVENTS: EventHook;
}

/// Runs `fut` with `hook` receiving the events of the requests it makes.
pub async fn with_events<F: Future>(hook: EventHook, fut: F) -> F::Output {
    EVENTS.scope(hook, fut).await
}

/// Spawns `fut` into `set`, carrying the current task's event hook.
pub fn spawn_in<T, F>(set: &mut JoinSet<T>, fut: F) -> AbortHandle
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let hook = EVENTS.try_with(|h| h.clone()).ok();
    set.spawn(async move {
        match hook {
            Some(h) => EVENTS.scope(h, fut).await,
            None => fut.await,
        }
    })
}

/// Hands an event to the current task's hook, if it has one.
pub(crate) fn emit(v: serde_json::Value) {
    let _ = EVENTS.try_with(|h| h(v));
}
