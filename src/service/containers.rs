//! Creating the container an operation writes into — once, in one way:
//! upload's container and segment container, a stream's, copy's
//! destination. python-swiftclient's rule for the storage policy: the one
//! the request names (`X-Storage-Policy`), else, for a segment container,
//! the policy of the container its manifests go into, so a large object's
//! segments sit in the same policy as the object.

use super::op::Ctx;
use super::record;
use crate::conn::container;
use crate::conn::opts::{Headers, RequestOpts};
use crate::error::{Error, Result, Status};

/// The `X-Storage-Policy` among request headers.
pub fn policy_of(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-storage-policy"))
        .map(|(_, v)| v.clone())
}

/// PUTs `container` with `policy`, or — when none is given and
/// `inherit_from` is — with that container's policy, and reports a
/// `create_container` record. A 403 or 409 is a warning (the container
/// may exist and the account may not list or create it) — for a segment
/// container only when a HEAD does not say it is missing; any other
/// failure is an error after its record.
pub async fn ensure_container(
    ctx: &Ctx,
    container: &str,
    policy: Option<String>,
    inherit_from: Option<&str>,
) -> Result<()> {
    let policy = match (policy, inherit_from) {
        (Some(p), _) => Some(p),
        (None, Some(main)) => {
            container::head(&ctx.client, main, &RequestOpts::default(), &ctx.cancel)
                .await
                .ok()
                .and_then(|h| {
                    h["headers"]["x-storage-policy"]
                        .as_str()
                        .map(str::to_string)
                })
        }
        (None, None) => None,
    };
    let headers: Vec<(String, String)> = policy
        .map(|p| ("X-Storage-Policy".to_string(), p))
        .into_iter()
        .collect();
    let sent = record::sent_headers(&headers);
    let opts = RequestOpts {
        headers: Headers(headers),
        query: None,
    };
    let (mut r, outcome) = match container::put(&ctx.client, container, &opts, &ctx.cancel).await {
        Ok(resp) => (
            record::with_response(record::ok("create_container", Some(container), None), &resp),
            Ok(()),
        ),
        Err(e) => {
            let mut r = record::container_not_created(container, &e);
            let mut warning = r["warning"] == true;
            // A refused segment container PUT is only a warning when the
            // container is there: else no segment could be written.
            if warning && inherit_from.is_some() && missing(ctx, container).await {
                r.as_object_mut().map(|m| m.remove("warning"));
                warning = false;
            }
            (r, if warning { Ok(()) } else { Err(e) })
        }
    };
    r["headers"] = sent;
    ctx.record(r).await;
    outcome
}

/// Whether a HEAD says `container` does not exist (a HEAD the account may
/// not make says nothing).
async fn missing(ctx: &Ctx, container: &str) -> bool {
    let head = container::head(&ctx.client, container, &RequestOpts::default(), &ctx.cancel).await;
    matches!(head, Err(e) if e.status == Status::NotFound)
}

/// A segment container made on first need and then known to be there:
/// many large objects of one upload share it.
pub struct SegmentContainer {
    pub name: String,
    /// The container the manifests go into (its policy is inherited).
    for_container: String,
    policy: Option<String>,
    /// false: the caller said the containers exist (`skip_container_put`).
    create: bool,
    ready: tokio::sync::OnceCell<()>,
}

impl SegmentContainer {
    pub fn new(name: String, for_container: &str, policy: Option<String>, create: bool) -> Self {
        SegmentContainer {
            name,
            for_container: for_container.to_string(),
            policy,
            create,
            ready: tokio::sync::OnceCell::new(),
        }
    }

    pub async fn ensure(&self, ctx: &Ctx) -> Result<()> {
        if !self.create {
            return Ok(());
        }
        self.ready
            .get_or_try_init(|| async {
                let made = ensure_container(
                    ctx,
                    &self.name,
                    self.policy.clone(),
                    Some(&self.for_container),
                )
                .await;
                made.map_err(|e| {
                    Error::new(
                        Status::Http,
                        format!("cannot create the segment container {}: {e}", self.name),
                    )
                })
            })
            .await
            .map(|_| ())
    }
}
