//! An operation's scope over the requests it makes: where their events go
//! (retries, re-authentication: a bulk operation turns them into progress
//! events) and the operation's own tracing id (X-Trans-Id-Extra, replacing
//! the client's on every request of the operation — segments, retries and
//! re-authentication included). The scope travels with the operation's
//! task (a task-local, so the request engine needs no extra argument in
//! every call); a task the operation spawns carries it only if spawned
//! through [`spawn_in`], the one way the service layer spawns
//! request-making tasks.

use std::future::Future;
use tokio::task::{AbortHandle, JoinSet};

/// Receives the events of the requests made under it.
pub type EventHook = std::sync::Arc<dyn Fn(serde_json::Value) + Send + Sync>;

/// What the requests made under an operation share.
#[derive(Clone, Default)]
pub struct Scope {
    pub hook: Option<EventHook>,
    pub trans_id_extra: Option<std::sync::Arc<str>>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `fut` with its requests under `scope`.
pub async fn with_scope<F: Future>(scope: Scope, fut: F) -> F::Output {
    SCOPE.scope(scope, fut).await
}

/// Spawns `fut` into `set`, carrying the current operation's scope.
pub fn spawn_in<T, F>(set: &mut JoinSet<T>, fut: F) -> AbortHandle
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let scope = SCOPE.try_with(|s| s.clone()).ok();
    set.spawn(async move {
        match scope {
            Some(s) => SCOPE.scope(s, fut).await,
            None => fut.await,
        }
    })
}

/// Hands an event to the current operation's hook, if it has one.
pub(crate) fn emit(v: serde_json::Value) {
    let _ = SCOPE.try_with(|s| s.hook.as_ref().map(|h| h(v)));
}

/// The current operation's tracing id, if it has one.
pub(crate) fn trans_id_extra() -> Option<std::sync::Arc<str>> {
    SCOPE.try_with(|s| s.trans_id_extra.clone()).ok().flatten()
}
