//! Running a bulk operation: the task on the runtime, its record and
//! progress events, their delivery (never overlapping, never on a runtime
//! worker), cancellation, and the one final summary.

use crate::client::Client;
use crate::error::{Error, Result, Status};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What an operation reports while it runs.
#[derive(Debug)]
pub enum Event {
    Record(Record),
    Progress(Value),
}

/// A result record: a JSON value, or already JSON text (a listing page
/// spliced in as the server sent it, never parsed into values).
#[derive(Debug)]
pub enum Record {
    Value(Value),
    Text(String),
}

impl Record {
    /// A successful record cut down to `keys` (failures stay whole; text
    /// records, listing pages, are left as they are).
    pub fn project(self, keys: Option<&super::RecordKeys>) -> Record {
        match (self, keys) {
            (Record::Value(Value::Object(m)), Some(k))
                if m.get("success") == Some(&json!(true)) =>
            {
                Record::Value(Value::Object(
                    m.into_iter().filter(|(name, _)| k.keeps(name)).collect(),
                ))
            }
            (r, _) => r,
        }
    }

    /// The record as JSON text.
    pub fn into_text(self) -> String {
        match self {
            Record::Value(v) => v.to_string(),
            Record::Text(t) => t,
        }
    }

    /// The record as a JSON value.
    pub fn into_value(self) -> Value {
        match self {
            Record::Value(v) => v,
            Record::Text(t) => serde_json::from_str(&t).unwrap_or_else(
                |e| json!({"success": false, "error": format!("record is not JSON: {e}")}),
            ),
        }
    }
}

/// Records in flight between the operation and its consumer; a slow
/// consumer slows the operation instead of growing memory.
const QUEUE: usize = 256;

/// Handed to every sub-operation: the client, the cancel token, and the
/// way to report.
#[derive(Clone)]
pub struct Ctx {
    pub client: Client,
    pub cancel: CancellationToken,
    tx: mpsc::Sender<Event>,
    counts: Arc<Counts>,
    pub progress: bool,
    /// The operation's tracing id, added to each of its records.
    trace: Option<Arc<str>>,
}

#[derive(Default)]
struct Counts {
    records: AtomicU64,
    failed: AtomicU64,
}

impl Ctx {
    /// Reports one result record (python-swiftclient's keys). A record with
    /// `"success": false` counts as a failure in the summary, unless it is
    /// a warning (`"warning": true`).
    pub async fn record(&self, v: Value) {
        self.counts.records.fetch_add(1, Ordering::Relaxed);
        if v["success"] == json!(false) && v["warning"] != json!(true) {
            self.counts.failed.fetch_add(1, Ordering::Relaxed);
        }
        let mut v = v;
        if let (Some(t), Value::Object(m)) = (&self.trace, &mut v) {
            m.insert("trans_id_extra".into(), json!(&**t));
        }
        // The consumer may have gone (stopped by a callback): not an error.
        let _ = self.tx.send(Event::Record(Record::Value(v))).await;
    }

    /// Reports one successful record given as JSON text.
    pub async fn record_text(&self, text: String) {
        self.counts.records.fetch_add(1, Ordering::Relaxed);
        let text = match (&self.trace, text.strip_prefix('{')) {
            // Spliced in as the first key of the object the text holds.
            (Some(t), Some(rest)) => {
                let sep = if rest.trim_start().starts_with('}') {
                    ""
                } else {
                    ","
                };
                format!("{{\"trans_id_extra\":{}{sep}{rest}", json!(&**t))
            }
            _ => text,
        };
        let _ = self.tx.send(Event::Record(Record::Text(text))).await;
    }

    /// A concurrency limit: the request's value, else the client's default
    /// (python-swiftclient's options given to the client), else 10.
    pub fn threads(&self, key: &str, requested: Option<usize>) -> Result<usize> {
        let default = self.client.settings().threads.get(key);
        super::limit(key, requested.or(default))
    }

    /// Reports progress, if anyone listens. Never blocks the operation:
    /// when the queue is full the event is dropped (the next one carries
    /// the newer totals).
    pub fn progress(&self, v: Value) {
        if self.progress {
            let _ = self.tx.try_send(Event::Progress(v));
        }
    }

    /// A context outside any operation: records and progress go nowhere
    /// (for single-object calls that reuse the operations' code).
    pub fn detached(client: Client, cancel: CancellationToken) -> Ctx {
        let (tx, _) = mpsc::channel(1);
        Ctx {
            client,
            cancel,
            tx,
            counts: Arc::new(Counts::default()),
            progress: false,
            trace: None,
        }
    }

    /// The same context with a fresh cancel token, for cleanup that must
    /// run after a cancellation (e.g. deleting an unfinished upload's
    /// segments).
    pub fn uncancelled(&self) -> Ctx {
        Ctx {
            cancel: CancellationToken::new(),
            ..self.clone()
        }
    }

    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(crate::conn::request::cancelled())
        } else {
            Ok(())
        }
    }
}

/// A started operation: where its events arrive and how it ends.
pub struct Running {
    pub events: mpsc::Receiver<Event>,
    pub done: tokio::sync::oneshot::Receiver<(Status, Value)>,
    pub cancel: CancellationToken,
}

/// Starts `body` on the runtime. The summary is `{"action", "records",
/// "failed", "cancelled", "elapsed"}`; the status is SWC_OK when every
/// record succeeded, SWC_E_CANCELLED when cancelled, otherwise the
/// operation's own error or, for failed records, SWC_E_HTTP... (the first
/// failure's status).
pub fn start<F, Fut>(
    handle: &tokio::runtime::Handle,
    client: Client,
    action: &'static str,
    progress: bool,
    cancel: CancellationToken,
    trans_id_extra: Option<String>,
    body: F,
) -> Running
where
    F: FnOnce(Ctx) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(QUEUE);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let ctx = Ctx {
        client,
        cancel: cancel.clone(),
        tx,
        counts: Arc::new(Counts::default()),
        progress,
        trace: trans_id_extra.map(Arc::from),
    };
    let t0 = Instant::now();
    handle.spawn(async move {
        let counts = ctx.counts.clone();
        let cancel = ctx.cancel.clone();
        // Retries and re-authentications of the operation's requests become
        // progress events.
        let events = ctx.clone();
        let hook: crate::conn::events::EventHook = Arc::new(move |mut v: Value| {
            v["action"] = json!(action);
            events.progress(v);
        });
        let scope = crate::conn::events::Scope {
            hook: Some(hook),
            trans_id_extra: ctx.trace.clone(),
        };
        let outcome = tokio::spawn(crate::conn::events::with_scope(scope, body(ctx.clone()))).await;
        let outcome = match outcome {
            Ok(r) => r,
            Err(e) => Err(Error::new(Status::Panic, format!("operation task failed: {e}"))),
        };
        let failed = counts.failed.load(Ordering::Relaxed);
        let mut summary = json!({
            "action": action,
            "records": counts.records.load(Ordering::Relaxed),
            "failed": failed,
            "cancelled": cancel.is_cancelled(),
            "elapsed": t0.elapsed().as_secs_f64(),
        });
        let status = match &outcome {
            Err(e) if e.status == Status::Cancelled || cancel.is_cancelled() => Status::Cancelled,
            Err(e) => {
                summary["error"] = e.to_value();
                e.status
            }
            Ok(()) if cancel.is_cancelled() => Status::Cancelled,
            Ok(()) if failed > 0 => Status::Http,
            Ok(()) => Status::Ok,
        };
        if let Err(e) = &outcome {
            if e.status != Status::Cancelled {
                // The operation as a whole failed: say so as a record too.
                ctx.record(json!({"action": action, "success": false, "error": e.message, "error_record": e.to_value()})).await;
                summary["records"] = json!(counts.records.load(Ordering::Relaxed));
                summary["failed"] = json!(counts.failed.load(Ordering::Relaxed));
            }
        }
        drop(ctx);
        let _ = done_tx.send((status, summary));
    });
    Running {
        events: rx,
        done: done_rx,
        cancel,
    }
}

/// Consumes a running operation on the current (non-runtime) thread:
/// records and progress go to the callbacks in order, one at a time; a
/// record callback returning `false` cancels the operation and no further
/// callbacks are made. Returns the final status and summary.
pub fn deliver_blocking(
    mut run: Running,
    on_record: &mut dyn FnMut(Record) -> bool,
    on_progress: &mut dyn FnMut(&Value),
) -> (Status, Value) {
    let mut stopped = false;
    while let Some(ev) = run.events.blocking_recv() {
        if stopped {
            continue;
        }
        match ev {
            Event::Record(v) => {
                // By value: the consumer can drop it once serialised.
                if !on_record(v) {
                    stopped = true;
                    run.cancel.cancel();
                }
            }
            Event::Progress(v) => on_progress(&v),
        }
    }
    run.done.blocking_recv().unwrap_or_else(|_| {
        (
            Status::Internal,
            json!({"error": "the operation ended without a summary"}),
        )
    })
}

/// Runs `f(item)` for each item, at most `limit` at once, each as its own
/// task (so CPU work such as MD5 spreads over the workers). Stops starting
/// new items once cancelled; waits for the started ones.
pub async fn for_each_limited<T, I, F, Fut>(
    items: I,
    limit: usize,
    cancel: &CancellationToken,
    f: F,
) where
    T: Send + 'static,
    I: IntoIterator<Item = T>,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let sem = Arc::new(tokio::sync::Semaphore::new(limit.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for item in items {
        if cancel.is_cancelled() {
            break;
        }
        let Ok(permit) = sem.clone().acquire_owned().await else {
            break;
        };
        // On the heap from the start: a sub-operation's future is several
        // KiB, and the task machinery would otherwise copy it by value
        // several times per item.
        let fut = Box::pin(f(item));
        crate::conn::events::spawn_in(&mut set, async move {
            fut.await;
            drop(permit);
        });
        while set.try_join_next().is_some() {}
    }
    while set.join_next().await.is_some() {}
}
