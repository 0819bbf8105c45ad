//! Test data: a valid call of every public function. Most arguments follow
//! from their type and name (`default_arg`); the table below gives the rest
//! (requests, paths, lengths) and a statement run before each call where a
//! call consumes what it acts on (a delete needs something to delete). The
//! test fails for a function of the header missing here, or an entry naming
//! a parameter the function does not have: the list cannot fall behind.

use super::header::Param;
use serde_json::{json, Value};

/// A valid argument: a C expression, or a JSON text (from which the test
/// derives its malformed variants).
#[derive(Clone, Debug)]
pub enum Arg {
    C(String),
    Json(Value),
}

pub struct Entry {
    pub name: &'static str,
    /// C statements run before each call of this function.
    pub pre: String,
    pub args: Vec<(&'static str, Arg)>,
}

/// Where the test works: its container and a directory of files.
pub struct Ctx {
    pub container: String,
    pub dir: String,
}

fn c(s: &str) -> Arg {
    Arg::C(s.to_string())
}

fn j(v: Value) -> Arg {
    Arg::Json(v)
}

fn entry(name: &'static str, pre: &str, args: Vec<(&'static str, Arg)>) -> Entry {
    Entry {
        name,
        pre: pre.to_string(),
        args,
    }
}

/// A C string literal of `s` (bytes other than printable ASCII in octal).
pub fn literal(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// The argument a parameter takes when the table says nothing.
pub fn default_arg(p: &Param, ctx: &Ctx) -> Option<Arg> {
    let arg = match (p.ty.as_str(), p.name.as_str()) {
        ("const swc_client *", _) => c("g_client"),
        ("swc_client *", _) => c("fresh_client()"),
        ("const swc_cancel *", _) => c("g_cancel"),
        ("swc_cancel *", _) => c("fresh_cancel()"),
        ("swc_json *" | "const swc_json *", _) => c("fresh_json()"),
        ("swc_op *" | "const swc_op *", _) => c("fresh_op()"),
        ("char *", "s") => c("fresh_string()"),
        ("uint8_t *", "buf") => c("fresh_buffer()"),
        ("void *", _) => c("&g_ud"),
        ("const char *", "container") => Arg::C(literal(ctx.container.as_bytes())),
        ("const char *", "object") => c("\"hostile-obj\""),
        ("const char *", "opts_json") => j(json!({})),
        (ty, _) if p.is_callback() => Arg::C(format!("cb_{ty}")),
        _ => return None,
    };
    Some(arg)
}

/// The valid calls (see the module's comment).
pub fn table(ctx: &Ctx) -> Vec<Entry> {
    let cn = ctx.container.as_str();
    let dir = ctx.dir.as_str();
    let opts = super::options();
    let path = |name: &str| Arg::C(literal(format!("{dir}/{name}").as_bytes()));
    let headers = || j(json!({"headers": {}}));
    let mut t = vec![
        entry("swc_version", "", vec![]),
        entry("swc_status_str", "", vec![("status", c("SWC_E_AUTH"))]),
        entry("swc_status_message", "", vec![("status", c("SWC_E_AUTH"))]),
        entry("swc_string_free", "", vec![]),
        entry("swc_cancel_new", "", vec![]),
        // Not g_cancel: triggering it would cancel every later call.
        entry(
            "swc_cancel_trigger",
            "",
            vec![("cancel", c("fresh_cancel()"))],
        ),
        entry("swc_cancel_is_triggered", "", vec![]),
        entry("swc_cancel_free", "", vec![]),
        entry(
            "swc_client_new",
            "",
            vec![("options_json", j(opts.clone()))],
        ),
        entry(
            "swc_client_new_from_env",
            "",
            vec![("options_json", j(opts))],
        ),
        entry("swc_client_free", "", vec![]),
        entry(
            "swc_client_auth",
            "",
            vec![("opts_json", j(json!({"force": false})))],
        ),
        entry(
            "swc_client_auth2",
            "",
            vec![("opts_json", j(json!({"force": false})))],
        ),
        entry(
            "swc_client_set_log",
            "",
            vec![("level", c("SWC_LOG_DEBUG"))],
        ),
        entry("swc_client_export_auth", "", vec![]),
        entry(
            "swc_client_import_auth",
            "",
            vec![("state_json", c("g_state"))],
        ),
        entry("swc_client_set_auth_callback", "", vec![]),
        entry("swc_client_set_credential_callback", "", vec![]),
        entry("swc_account_head", "", vec![("opts_json", headers())]),
        entry(
            "swc_account_list",
            "",
            vec![("opts_json", j(json!({"prefix": cn})))],
        ),
        entry(
            "swc_account_post",
            "",
            vec![
                ("opts_json", headers()),
                ("body", c("(const uint8_t *)\"\"")),
                ("body_len", c("0")),
            ],
        ),
        entry("swc_container_head", "", vec![("opts_json", headers())]),
        entry("swc_container_put", "", vec![("opts_json", headers())]),
        entry(
            "swc_container_post",
            "",
            vec![(
                "opts_json",
                j(json!({"headers": {"X-Container-Meta-Hostile": "1"}})),
            )],
        ),
        entry(
            "swc_container_delete",
            &format!(
                "make_container({});",
                literal(format!("{cn}-del").as_bytes())
            ),
            vec![
                ("container", Arg::C(literal(format!("{cn}-del").as_bytes()))),
                ("opts_json", headers()),
            ],
        ),
        entry(
            "swc_container_list",
            "",
            vec![("opts_json", j(json!({"limit": 10})))],
        ),
        entry("swc_object_head", "", vec![("opts_json", headers())]),
        entry(
            "swc_object_post",
            "",
            vec![(
                "opts_json",
                j(json!({"headers": {"X-Object-Meta-Hostile": "1"}})),
            )],
        ),
        entry(
            "swc_object_delete",
            "put_object(\"hostile-del\");",
            vec![("object", c("\"hostile-del\"")), ("opts_json", headers())],
        ),
        entry(
            "swc_object_copy",
            "",
            vec![(
                "opts_json",
                j(json!({"destination": format!("/{cn}/hostile-copy")})),
            )],
        ),
        entry("swc_info", "", vec![("opts_json", headers())]),
        entry(
            "swc_request",
            "",
            vec![
                ("method", c("\"PUT\"")),
                (
                    "path",
                    Arg::C(literal(format!("/{cn}/hostile-request").as_bytes())),
                ),
                ("opts_json", headers()),
                ("length", c("5")),
            ],
        ),
        entry("swc_json_new", "", vec![]),
        entry("swc_json_free", "", vec![]),
        entry(
            "swc_json_set_string",
            "",
            vec![("key", c("\"x.y\"")), ("value", c("\"v\""))],
        ),
        entry(
            "swc_json_set_int",
            "",
            vec![("key", c("\"n\"")), ("value", c("7"))],
        ),
        entry(
            "swc_json_set_bool",
            "",
            vec![("key", c("\"t\"")), ("value", c("true"))],
        ),
        entry("swc_json_set_null", "", vec![("key", c("\"z\""))]),
        entry(
            "swc_json_set_raw",
            "",
            vec![
                ("key", c("\"r\"")),
                ("value_json", c("\"[1, {\\\"x\\\": 2}]\"")),
            ],
        ),
        entry(
            "swc_json_set_header",
            "",
            vec![("name", c("\"X-Object-Meta-A.b\"")), ("value", c("\"v\""))],
        ),
        entry(
            "swc_json_append_string",
            "",
            vec![("key", c("\"objects\"")), ("value", c("\"o\""))],
        ),
        entry("swc_json_text", "", vec![]),
        entry("swc_json_error", "", vec![]),
        entry(
            "swc_json_get_string",
            "",
            vec![
                ("json", c("\"{\\\"a\\\": \\\"b\\\"}\"")),
                ("path", c("\"a\"")),
                ("buf", c("g_text")),
                ("cap", c("sizeof g_text")),
            ],
        ),
        entry(
            "swc_json_get_int",
            "",
            vec![("json", c("\"{\\\"a\\\": 1}\"")), ("path", c("\"a\""))],
        ),
        entry(
            "swc_json_get_bool",
            "",
            vec![("json", c("\"{\\\"a\\\": true}\"")), ("path", c("\"a\""))],
        ),
        entry("swc_op_cancel", "", vec![]),
        entry("swc_op_wait", "", vec![("timeout_ms", c("-1"))]),
        entry("swc_op_free", "", vec![]),
        entry(
            "swc_upload_stream",
            "",
            vec![(
                "request_json",
                j(json!({"container": cn, "object_name": "hostile-stream"})),
            )],
        ),
        entry(
            "swc_download_to",
            "",
            vec![(
                "request_json",
                j(json!({"container": cn, "objects": ["hostile-obj"]})),
            )],
        ),
        entry(
            "swc_tempurl",
            "",
            vec![(
                "request_json",
                j(json!({"path": "/v1/AUTH_a/c/o", "seconds": 60, "key": "k"})),
            )],
        ),
        entry(
            "swc_formpost_signature",
            "",
            vec![(
                "request_json",
                j(
                    json!({"path": "/v1/AUTH_a/c", "seconds": 60, "key": "k", "redirect": "",
                     "max_file_size": 10, "max_file_count": 1}),
                ),
            )],
        ),
        entry(
            "swc_object_put",
            "",
            vec![("opts_json", headers()), ("length", c("5"))],
        ),
        entry(
            "swc_object_put_fd",
            "",
            vec![
                ("opts_json", headers()),
                ("fd", c("g_in_fd")),
                ("length", c("-1")),
            ],
        ),
        entry(
            "swc_object_put_path",
            "",
            vec![("opts_json", headers()), ("path", path("in.txt"))],
        ),
        entry(
            "swc_object_put_buffer",
            "",
            vec![
                ("opts_json", headers()),
                ("buf", c("(const uint8_t *)\"hello\"")),
                ("len", c("5")),
            ],
        ),
        entry("swc_object_get", "", vec![("opts_json", headers())]),
        entry(
            "swc_object_get_fd",
            "",
            vec![("opts_json", headers()), ("fd", c("g_out_fd"))],
        ),
        entry(
            "swc_object_get_path",
            "",
            vec![("opts_json", headers()), ("path", path("out.txt"))],
        ),
        entry("swc_object_get_buffer", "", vec![("opts_json", headers())]),
        entry("swc_buffer_free", "", vec![]),
    ];
    t.extend(bulk(ctx));
    t
}

/// The SwiftService operations, each as `_start` and blocking twin.
fn bulk(ctx: &Ctx) -> Vec<Entry> {
    let cn = ctx.container.as_str();
    let dir = ctx.dir.as_str();
    let requests: Vec<(&'static str, &'static str, &'static str, Value)> = vec![
        (
            "swc_capabilities_start",
            "swc_capabilities",
            "",
            json!({"refresh_cache": false}),
        ),
        ("swc_stat_start", "swc_stat", "", json!({"container": cn})),
        ("swc_list_start", "swc_list", "", json!({"container": cn})),
        (
            "swc_post_start",
            "swc_post",
            "",
            json!({"container": cn, "meta": ["hostile:1"]}),
        ),
        (
            "swc_delete_start",
            "swc_delete",
            "put_object(\"hostile-bulk-del\");",
            json!({"container": cn, "objects": ["hostile-bulk-del"]}),
        ),
        (
            "swc_upload_start",
            "swc_upload",
            "",
            json!({"container": cn,
                   "objects": [{"path": format!("{dir}/in.txt"), "object_name": "hostile-up"}]}),
        ),
        (
            "swc_download_start",
            "swc_download",
            "",
            json!({"container": cn, "objects": ["hostile-obj"],
                   "out_directory": format!("{dir}/dl")}),
        ),
        (
            "swc_copy_start",
            "swc_copy",
            "",
            json!({"container": cn, "objects": ["hostile-obj"],
                   "destination": format!("/{cn}/hostile-copied")}),
        ),
        (
            "swc_orphans_start",
            "swc_orphans",
            "",
            json!({"container": cn}),
        ),
    ];
    let mut out = Vec::new();
    for (start, twin, pre, req) in requests {
        out.push(entry(start, pre, vec![("request_json", j(req.clone()))]));
        out.push(entry(twin, pre, vec![("request_json", j(req))]));
    }
    out
}
