//! Directory markers: what `swift upload` makes of an empty directory (or
//! an item with `dir_marker`).

use super::super::record;
use super::file::put_opts;
use super::Up;
use crate::conn::object;
use crate::conn::opts::RequestOpts;
use serde_json::{json, Value};

/// Creates a directory marker (an empty `application/directory` object),
/// unless `changed`/`skip_identical` finds the same marker there.
pub(super) async fn upload_marker(
    up: &Up,
    object: &str,
    mtime: &str,
    headers: &[(String, String)],
    path: &Option<String>,
) -> Value {
    let ctx = &up.ctx;
    let mut r = record::ok("create_dir_marker", Some(&up.container), Some(object));
    r["path"] = json!(path);
    if up.req.changed || up.req.skip_identical {
        if let Ok(h) = object::head(
            &ctx.client,
            &up.container,
            object,
            &RequestOpts::default(),
            &ctx.cancel,
        )
        .await
        {
            let hd = &h["headers"];
            let is_dir = matches!(
                hd["content-type"].as_str(),
                Some("application/directory" | "text/directory")
            );
            if is_dir
                && hd["content-length"] == "0"
                && hd["x-object-meta-mtime"].as_str() == Some(mtime)
            {
                r["status"] = json!("skipped-identical");
                return r;
            }
        }
    }
    let mut opts = put_opts(headers, mtime);
    r["headers"] = record::sent_headers(&opts.headers.0);
    opts.content_type = Some("application/directory".into());
    match object::put(
        &ctx.client,
        &up.container,
        object,
        &opts,
        &mut crate::conn::body::BytesSource::new(b""),
        &ctx.cancel,
    )
    .await
    {
        Ok(resp) => {
            let mut r = record::with_response(r, &resp);
            r["status"] = json!("uploaded");
            r
        }
        Err(e) => {
            let mut f = record::failed("create_dir_marker", Some(&up.container), Some(object), &e);
            f["path"] = json!(path);
            f
        }
    }
}
