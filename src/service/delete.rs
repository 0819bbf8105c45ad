//! `delete`: objects, a container and everything in it, a prefix, or the
//! whole account (`yes_all`). Large objects lose their segments too: SLO
//! with `multipart-manifest=delete`, DLO by listing and deleting the
//! segments — also when the bulk-delete middleware is used (found from the
//! listing: `slo_etag` marks SLO manifests, zero-byte entries are checked
//! for `X-Object-Manifest`), where python-swiftclient leaks them.

use super::capabilities;
use super::headers::from_header_list;
use super::op::{for_each_limited, Ctx};
use super::segments;
use super::{limit, record};
use crate::conn::opts::{Headers, ListOpts, RequestOpts};
use crate::conn::types::{status_code, BulkReport, ObjectEntry};
use crate::conn::{account, container, listing, object, quote};
use crate::error::{Error, Result, Status};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeleteRequest {
    pub container: Option<String>,
    pub objects: Vec<String>,
    pub prefix: Option<String>,
    /// With no container: delete every container of the account.
    pub yes_all: bool,
    pub leave_segments: bool,
    /// Delete this version of the (single) object.
    pub version_id: Option<String>,
    /// Delete every version of each object.
    pub versions: bool,
    pub header: Vec<String>,
    pub object_dd_threads: Option<usize>,
    pub container_threads: Option<usize>,
    /// Ours: "auto" (default: when /info has bulk_delete and there are more
    /// than 2 × object_dd_threads objects, as python-swiftclient), "always"
    /// (when available), or "never".
    pub bulk: Option<String>,
    /// Ours: how many listing entries of a container are held and deleted
    /// at a time (default 10 000, the server's page).
    pub page_size: Option<u64>,
}

impl DeleteRequest {
    pub fn parse(text: Option<&str>) -> Result<DeleteRequest> {
        let r: DeleteRequest = crate::conn::opts::parse_request(text)?;
        if r.container.is_none() && !r.yes_all {
            return Err(Error::config(
                "container",
                "delete needs \"container\" (or \"yes_all\" for the whole account)",
            ));
        }
        if r.container.is_none() && !r.objects.is_empty() {
            return Err(Error::config(
                "container",
                "deleting objects needs \"container\"",
            ));
        }
        if let Some(c) = &r.container {
            crate::conn::check_container("container", c)?;
        }
        if r.version_id.is_some() && r.objects.len() != 1 {
            return Err(Error::config(
                "version_id",
                "\"version_id\" needs exactly one object",
            ));
        }
        match r.bulk.as_deref() {
            None | Some("auto" | "always" | "never") => {}
            Some(o) => {
                return Err(Error::config(
                    "bulk",
                    format!("\"bulk\" must be auto, always or never, not \"{o}\""),
                ))
            }
        }
        limit("object_dd_threads", r.object_dd_threads)?;
        limit("container_threads", r.container_threads)?;
        if r.page_size == Some(0) {
            return Err(Error::config(
                "page_size",
                "\"page_size\" must be at least 1",
            ));
        }
        from_header_list(&r.header)?;
        Ok(r)
    }
}

/// Everything one object deletion needs to know.
#[derive(Debug, Clone)]
struct Target {
    container: String,
    name: String,
    version_id: Option<String>,
    /// From a listing: Some(true) for an SLO manifest (slo_etag), Some(false)
    /// for a plain non-empty object; None when unknown (needs a HEAD).
    kind: Option<bool>,
    /// Found by listing (not named by the caller): if it is gone by the
    /// time it is deleted (a segment its manifest's delete took, another
    /// client), that is what was wanted — success, `"already_gone"`.
    listed: bool,
}

/// What a listing entry says an object is: Some(true) an SLO manifest
/// (`slo_etag`), Some(false) a plain object, None when only a HEAD can
/// tell: an empty entry (a DLO manifest is empty), or a non-empty one whose
/// hash is the empty MD5 (Ceph RGW lists an SLO manifest so, with the
/// manifest's size and no `slo_etag`).
fn listed_kind(e: &ObjectEntry) -> Option<bool> {
    const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";
    if e.is_slo() {
        return Some(true);
    }
    match (e.bytes, e.hash.as_deref()) {
        (Some(0), _) | (_, Some(EMPTY_MD5)) => None,
        _ => Some(false),
    }
}

struct Plan {
    ctx: Ctx,
    req: DeleteRequest,
    opts: RequestOpts,
    threads: usize,
    /// max_deletes_per_request when the bulk middleware is there.
    bulk_page: Option<usize>,
}

pub async fn run(ctx: Ctx, req: DeleteRequest) -> Result<()> {
    let opts = RequestOpts {
        headers: Headers(from_header_list(&req.header)?),
        query: None,
    };
    let threads = ctx.threads("object_dd_threads", req.object_dd_threads)?;
    let bulk_page = if req.bulk.as_deref() == Some("never") {
        None
    } else {
        match capabilities::get(&ctx.client, None, false, &ctx.cancel).await {
            Ok((_, info)) => info
                .get("bulk_delete")
                .map(|b| b["max_deletes_per_request"].as_u64().unwrap_or(10_000) as usize),
            Err(_) => None,
        }
    };
    let plan = Arc::new(Plan {
        ctx: ctx.clone(),
        req: req.clone(),
        opts,
        threads,
        bulk_page,
    });
    match &req.container {
        Some(c) if !req.objects.is_empty() => {
            let targets: Vec<Target> = req
                .objects
                .iter()
                .map(|o| Target {
                    container: c.clone(),
                    name: o.clone(),
                    version_id: req.version_id.clone(),
                    kind: None,
                    listed: false,
                })
                .collect();
            delete_objects(&plan, targets, true, 0).await;
        }
        Some(c) => delete_container(&plan, c.clone()).await,
        None => {
            // Every container of the account.
            let names = match super::list::container_names(&ctx).await {
                Ok(n) => n,
                Err(e) => {
                    ctx.record(record::failed("delete_container", None, None, &e))
                        .await;
                    return Ok(());
                }
            };
            let ct = ctx.threads("container_threads", req.container_threads)?;
            let p2 = plan.clone();
            for_each_limited(names, ct, &ctx.cancel, move |c: String| {
                let plan = p2.clone();
                async move { delete_container(&plan, c).await }
            })
            .await;
        }
    }
    Ok(())
}

/// Lists a container (with the request's prefix and versions) a page at a
/// time, deleting each page's objects before the next page is fetched (so
/// memory stays at one page, whatever the container holds), then deletes
/// the container itself unless a prefix was given.
async fn delete_container(plan: &Arc<Plan>, c: String) {
    let ctx = &plan.ctx;
    let (mut marker, mut version_marker) = (None::<String>, None::<String>);
    let (mut seen, mut failed) = (0usize, 0usize);
    loop {
        let mut targets = Vec::new();
        let mut last: Option<(String, Option<String>)> = None;
        let o = ListOpts {
            prefix: plan.req.prefix.clone(),
            versions: plan.req.versions,
            marker: marker.clone(),
            version_marker: version_marker.clone(),
            limit: plan.req.page_size,
            ..Default::default()
        };
        let r = listing::list(
            &ctx.client,
            &format!("/{}", quote(&c)),
            &o,
            &mut |page| {
                for e in page.iter().map(ObjectEntry::of) {
                    if let Some(n) = e.name.as_deref() {
                        let version_id = e.version_id.clone();
                        last = Some((n.to_string(), version_id.clone()));
                        targets.push(Target {
                            container: c.clone(),
                            name: n.to_string(),
                            version_id: version_id.filter(|_| plan.req.versions),
                            kind: listed_kind(&e),
                            listed: true,
                        });
                    }
                }
                Ok(true)
            },
            &ctx.cancel,
        )
        .await;
        if let Err(e) = r {
            ctx.record(record::failed("delete_container", Some(&c), None, &e))
                .await;
            return;
        }
        let Some((name, version)) = last else { break };
        let n = targets.len();
        // This container's failures only: with `yes_all`, others run
        // beside it.
        failed += delete_objects(plan, targets, false, seen).await;
        seen += n;
        if ctx.cancel.is_cancelled() {
            return;
        }
        marker = Some(name);
        version_marker = version.filter(|_| plan.req.versions);
    }
    if plan.req.prefix.is_some() || ctx.cancel.is_cancelled() {
        return;
    }
    if failed > 0 {
        let e = Error::new(
            Status::Conflict,
            "not deleting the container: some of its objects could not be deleted",
        );
        ctx.record(record::failed("delete_container", Some(&c), None, &e))
            .await;
        return;
    }
    let deleted = container::delete(&ctx.client, &c, &plan.opts, &ctx.cancel).await;
    let r = record::outcome("delete_container", Some(&c), None, &deleted);
    ctx.record(r).await;
}

/// Deletes objects: through bulk delete when it applies, else one by one.
/// `before`: how many objects of the same container earlier pages held
/// (bulk delete is chosen by the container's count, not the page's).
/// Returns how many could not be deleted.
async fn delete_objects(
    plan: &Arc<Plan>,
    mut targets: Vec<Target>,
    named: bool,
    before: usize,
) -> usize {
    let ctx = &plan.ctx;
    let failed = Arc::new(AtomicUsize::new(0));
    let bulk_wanted = match plan.req.bulk.as_deref() {
        Some("never") => false,
        Some("always") => true,
        _ => before + targets.len() > 2 * plan.threads,
    };
    let bulk = plan
        .bulk_page
        .filter(|_| bulk_wanted && targets.iter().all(|t| t.version_id.is_none()));
    if let (Some(page), false) = (bulk, targets.is_empty()) {
        if named {
            learn_kinds(plan, &mut targets).await;
        }
        // Large objects (and unknown ones) go one by one, so their segments go too.
        let (simple, special): (Vec<Target>, Vec<Target>) = targets
            .into_iter()
            .partition(|t| t.kind == Some(false) || plan.req.leave_segments && t.kind.is_some());
        failed.fetch_add(bulk_delete(plan, simple, page).await, Ordering::Relaxed);
        targets = special;
    }
    let (p2, f2) = (plan.clone(), failed.clone());
    for_each_limited(
        targets,
        plan.threads,
        &ctx.cancel.clone(),
        move |t: Target| {
            let (plan, failed) = (p2.clone(), f2.clone());
            async move {
                let r = delete_one(&plan, &t).await;
                if r["success"] == json!(false) {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                plan.ctx.record(r).await;
            }
        },
    )
    .await;
    failed.load(Ordering::Relaxed)
}

/// For named objects on the bulk path: learn from the container listing
/// which are SLO manifests or may be DLO manifests.
async fn learn_kinds(plan: &Arc<Plan>, targets: &mut [Target]) {
    let Some(first) = targets.first() else { return };
    let c = first.container.clone();
    let wanted: HashSet<String> = targets.iter().map(|t| t.name.clone()).collect();
    let mut kinds = std::collections::HashMap::new();
    let _ = listing::list(
        &plan.ctx.client,
        &format!("/{}", quote(&c)),
        &ListOpts {
            full_listing: true,
            ..Default::default()
        },
        &mut |page| {
            for e in page.iter().map(ObjectEntry::of) {
                if let Some(n) = e.name.as_deref().filter(|n| wanted.contains(*n)) {
                    kinds.insert(n.to_string(), listed_kind(&e));
                }
            }
            Ok(true)
        },
        &plan.ctx.cancel,
    )
    .await;
    for t in targets.iter_mut() {
        // Not in the listing: a plain delete reports its 404.
        t.kind = kinds.get(&t.name).cloned().unwrap_or(Some(false));
    }
}

/// Deletes one object, with its segments when it is a large object.
async fn delete_one(plan: &Arc<Plan>, t: &Target) -> Value {
    let ctx = &plan.ctx;
    let (c, o) = (t.container.as_str(), t.name.as_str());
    let mut opts = plan.opts.clone();
    if let Some(v) = &t.version_id {
        opts.query = Some(crate::conn::version_query(v));
    }
    // What is it? (HEAD with symlink=get, so a symlink is not followed.)
    let mut dlo: Option<String> = None;
    let mut slo = t.kind == Some(true);
    if t.kind != Some(false) && !plan.req.leave_segments {
        let mut h = plan.opts.clone();
        h.query = Some(match &t.version_id {
            Some(v) => format!("symlink=get&{}", crate::conn::version_query(v)),
            None => "symlink=get".into(),
        });
        match object::head(&ctx.client, c, o, &h, &ctx.cancel).await {
            Ok(r) => {
                slo = r["headers"].get("x-static-large-object").is_some()
                    || r["headers"]
                        .get("x-object-meta-static-large-object")
                        .is_some();
                dlo = r["headers"]["x-object-manifest"]
                    .as_str()
                    .map(str::to_string);
            }
            Err(e) if t.listed && gone(&e) => return already_gone(c, o),
            Err(e) => return record::failed("delete_object", Some(c), Some(o), &e),
        }
    }
    let mut retried = None;
    let deleted = match slo && !plan.req.leave_segments {
        true => super::slo_delete::delete_slo(ctx, c, o, &opts)
            .await
            .map(|(r, n)| {
                retried = Some(n);
                r
            }),
        false => object::delete(&ctx.client, c, o, &opts, &ctx.cancel).await,
    };
    let mut rec = match deleted {
        Ok(resp) => record::with_response(record::ok("delete_object", Some(c), Some(o)), &resp),
        Err(e) if t.listed && gone(&e) => return already_gone(c, o),
        Err(e) => return record::failed("delete_object", Some(c), Some(o), &e),
    };
    if let Some(version) = &t.version_id {
        rec["version_id"] = json!(version);
    }
    if let Some(manifest) = dlo {
        rec["dlo_segments_deleted"] = json!(delete_dlo_segments(plan, &manifest).await);
    }
    if slo {
        rec["slo_segments_deleted"] = json!(!plan.req.leave_segments);
    }
    if let Some(n) = retried.filter(|&n| n > 0) {
        // Paths the SLO middleware reported failed, deleted again here.
        rec["slo_segments_retried"] = json!(n);
    }
    rec
}

/// Whether an error is the object's own 404 (its HEAD or DELETE), not one
/// from elsewhere (an auth URL answering 404 during a re-authentication).
fn gone(e: &Error) -> bool {
    e.http_status == Some(404) && matches!(e.method.as_deref(), Some("HEAD" | "DELETE"))
}

/// The record of a listed object that was gone when its turn came.
fn already_gone(c: &str, o: &str) -> Value {
    let mut r = record::ok("delete_object", Some(c), Some(o));
    r["already_gone"] = json!(true);
    r
}

/// Deletes the segments an X-Object-Manifest value ("container/prefix",
/// URL-quoted) points at; reports each as a `delete_segment` record.
async fn delete_dlo_segments(plan: &Arc<Plan>, manifest: &str) -> u64 {
    let ctx = &plan.ctx;
    match segments::dlo_segments(ctx, manifest).await {
        Ok((_, _, segs)) => segments::delete_segments(ctx, segs, &plan.opts, plan.threads).await,
        Err(e) => {
            ctx.record(record::failed("delete_segment", None, None, &e))
                .await;
            0
        }
    }
}

/// Bulk delete in pages of `page` paths, each page split into
/// `object_dd_threads` requests run in parallel (as python-swiftclient);
/// one `delete_object` record per object from the middleware's report.
/// Returns how many could not be deleted.
async fn bulk_delete(plan: &Arc<Plan>, targets: Vec<Target>, page: usize) -> usize {
    let ctx = &plan.ctx;
    let failed_total = Arc::new(AtomicUsize::new(0));
    let f2 = failed_total.clone();
    let per_request = targets.len().div_ceil(plan.threads).clamp(1, page);
    let groups: Vec<Vec<Target>> = targets.chunks(per_request).map(|c| c.to_vec()).collect();
    let p2 = plan.clone();
    for_each_limited(
        groups,
        plan.threads,
        &ctx.cancel.clone(),
        move |group: Vec<Target>| {
            let (plan, failed_total) = (p2.clone(), f2.clone());
            async move {
                let ctx = &plan.ctx;
                let body: String = group
                    .iter()
                    .map(|t| format!("/{}/{}\n", quote(&t.container), quote(&t.name)))
                    .collect();
                let mut opts = plan.opts.clone();
                opts.query = Some("bulk-delete".into());
                opts.headers
                    .0
                    .push(("Accept".into(), "application/json".into()));
                opts.headers
                    .0
                    .push(("Content-Type".into(), "text/plain".into()));
                let report =
                    match account::post(&ctx.client, &opts, Some(body.as_bytes()), &ctx.cancel)
                        .await
                    {
                        Ok(r) => {
                            BulkReport::parse(r["body"].as_str().unwrap_or("")).ok_or_else(|| {
                                Error::new(
                            Status::Unsupported,
                            "the bulk-delete answer is not JSON: is the bulk middleware enabled?",
                        )
                            })
                        }
                        Err(e) => Err(e),
                    };
                let report = match report {
                    Ok(v) => v,
                    Err(e) => {
                        failed_total.fetch_add(group.len(), Ordering::Relaxed);
                        for t in &group {
                            ctx.record(record::failed(
                                "delete_object",
                                Some(&t.container),
                                Some(&t.name),
                                &e,
                            ))
                            .await;
                        }
                        return;
                    }
                };
                let failed: std::collections::HashMap<String, &str> = report.failures().collect();
                for t in &group {
                    let key = format!("{}/{}", t.container, t.name);
                    let mut r = match failed.get(&key) {
                        None => record::ok("delete_object", Some(&t.container), Some(&t.name)),
                        Some(status) if t.listed && status.starts_with("404") => {
                            already_gone(&t.container, &t.name)
                        }
                        // Worth another try (an overloaded object server):
                        // on its own, with the client's retries.
                        Some(status) if crate::http::retryable_code(status_code(status), true) => {
                            let mut r = delete_one(&plan, t).await;
                            if r["success"] != true {
                                failed_total.fetch_add(1, Ordering::Relaxed);
                            }
                            r["bulk_status"] = json!(status);
                            r
                        }
                        Some(status) => {
                            let code = status_code(status);
                            let mut e = Error::new(
                                Status::from_http(code),
                                format!("bulk delete: {status}"),
                            );
                            e.http_status = Some(code);
                            failed_total.fetch_add(1, Ordering::Relaxed);
                            record::failed("delete_object", Some(&t.container), Some(&t.name), &e)
                        }
                    };
                    r["bulk"] = json!(true);
                    ctx.record(r).await;
                }
            }
        },
    )
    .await;
    failed_total.load(Ordering::Relaxed)
}
