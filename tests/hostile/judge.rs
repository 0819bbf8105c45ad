//! The contract each hostile call is held to, from the header's rules: a
//! NULL is either accepted (the call goes on) or SWC_E_INVALID_ARGUMENT
//! naming the parameter; a string that is not UTF-8 is refused naming it;
//! a bad JSON object is SWC_E_CONFIG, an unknown or mistyped key named in
//! the record's `key`; a name over Swift's limit and a number out of range
//! are SWC_E_INVALID_ARGUMENT naming the argument; out-parameters are
//! never written on failure.

use super::header::Function;
use serde_json::Value;

const OK: i32 = 0;
const INVALID: i32 = 1;
const CONFIG: i32 = 2;
const HTTP: i32 = 7;
/// What the program prints as the status of a function without one.
pub const NO_STATUS: i32 = -1000;

/// One printed call.
pub struct Line {
    pub func: String,
    pub param: String,
    pub kind: String,
    pub status: i32,
    pub written: bool,
    pub record: Option<Value>,
    pub ret: String,
}

pub fn parse(line: &str) -> Option<Line> {
    let f: Vec<&str> = line.strip_prefix("R\t")?.splitn(7, '\t').collect();
    let [func, param, kind, status, written, record, ret] = f[..] else {
        return None;
    };
    Some(Line {
        func: func.into(),
        param: param.into(),
        kind: kind.into(),
        status: status.parse().ok()?,
        written: written == "1",
        record: (record != "-").then(|| serde_json::from_str(record).unwrap_or(Value::Null)),
        ret: ret.into(),
    })
}

/// Whether `text` has `word` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word)
        .any(|(i, _)| !text[..i].ends_with(ident) && !text[i + word.len()..].starts_with(ident))
}

fn key(r: &Value) -> &str {
    r["key"].as_str().unwrap_or("")
}

fn message(r: &Value) -> &str {
    r["message"].as_str().unwrap_or("")
}

/// The record names `what`: as its `key`, or as a word of its message (a
/// JSON text argument also by what it holds: "options" for `options_json`).
fn names(r: &Value, what: &str) -> bool {
    let stem = what.strip_suffix("_json").unwrap_or(what);
    key(r) == what || has_word(message(r), what) || has_word(message(r), stem)
}

/// The record's `key` is the parameter `p` (for a JSON builder's value,
/// the message names it, and `key` the member).
fn keyed(f: &Function, r: &Value, p: &str) -> bool {
    let builder_value = f.name.starts_with("swc_json_") && p.starts_with("value");
    key(r) == p || (builder_value && names(r, p))
}

/// Whether a failing call of `f` given `param` hostile has a record to
/// show: through `err_json`, or a builder's `swc_json_error`.
fn has_record(f: &Function, param: &str) -> bool {
    let err = f.params.iter().any(|p| p.is_err()) && param != "err_json";
    let builder = f.params.iter().any(|p| p.ty == "swc_json *") && param != "json";
    err || builder
}

fn status_name(st: i32) -> String {
    match st {
        OK => "SWC_OK".into(),
        INVALID => "SWC_E_INVALID_ARGUMENT".into(),
        CONFIG => "SWC_E_CONFIG".into(),
        HTTP => "SWC_E_HTTP".into(),
        other => format!("status {other}"),
    }
}

/// What is wrong with one call's result (None: it keeps the contract).
pub fn check(f: &Function, l: &Line) -> Option<String> {
    if f.ret != "swc_status" {
        return check_plain(f, l);
    }
    if l.status != OK && l.written {
        return Some("an out-parameter was written on failure".into());
    }
    let rec = has_record(f, &l.param);
    let record = l.record.clone().unwrap_or(Value::Null);
    if l.status != OK && rec && l.record.is_none() {
        return Some(format!("{} without an error record", status_name(l.status)));
    }
    if let Some(r) = &l.record {
        if r["status"] != l.status {
            return Some(format!("returned {} but the record says {r}", l.status));
        }
        if r.get("key").is_some_and(|k| k == "") {
            return Some(format!("the record's key is empty: {r}"));
        }
    }
    let p = l.param.as_str();
    let kind = l.kind.split(':').next().unwrap_or("");
    let (want, named): (&[i32], bool) = match kind {
        "valid" => (&[OK], true),
        // NULL options or request: the defaults, which may lack a member
        // the call needs (SWC_E_CONFIG or SWC_E_INVALID_ARGUMENT naming it).
        "null" if f.params.iter().any(|q| q.name == p && q.is_json_object()) => (
            &[OK, INVALID, CONFIG],
            l.status == OK || !rec || names(&record, p) || !key(&record).is_empty(),
        ),
        // An argument is named by its parameter in `key`; a JSON builder's
        // value by the member it is for (the header says so).
        "null" => (
            &[OK, INVALID],
            l.status == OK || !rec || keyed(f, &record, p),
        ),
        "utf8" => (
            &[INVALID, CONFIG],
            !rec || (keyed(f, &record, p) && message(&record).contains("UTF-8")),
        ),
        "malformed" if p == "json" || p == "value_json" => (
            &[INVALID],
            !rec || names(&record, "key") || names(&record, p),
        ),
        // Wrong as a whole (not JSON, not an object): `key` is the
        // argument, as the header's rules say.
        "malformed" | "type0" | "type1" | "type2" => (&[CONFIG], !rec || key(&record) == p),
        "unknown_key" => (&[CONFIG], !rec || names(&record, "zz_no_such_key")),
        "bad_value" => {
            let k = l.kind.split_once(':').map_or("", |(_, k)| k);
            (&[CONFIG], !rec || key(&record) == k)
        }
        // A name too long among a bulk request's objects fails that
        // object's sub-operation (its record), as the server's 400 would
        // with python-swiftclient: the operation's status is SWC_E_HTTP
        // (SWC_OK from a _start, whose final status comes later); a call
        // of one object refuses it, naming it.
        "too_long" if l.kind == "too_long:objects" => {
            let per_item = l.status == HTTP && message(&record).contains("sub-operations failed");
            let refused = ["objects", "object", "object_name"].contains(&key(&record));
            if f.name.ends_with("_start") {
                (&[OK], true)
            } else {
                (&[INVALID, CONFIG, HTTP], !rec || per_item || refused)
            }
        }
        "too_long" if l.kind.contains(':') => {
            let k = l.kind.split_once(':').map_or("", |(_, k)| k);
            (&[INVALID, CONFIG], !rec || key(&record) == k)
        }
        "too_long" => (&[INVALID], !rec || key(&record) == p),
        "range" => (&[INVALID], !rec || names(&record, p)),
        other => return Some(format!("unknown case kind {other}")),
    };
    if !want.contains(&l.status) {
        let want: Vec<String> = want.iter().map(|s| status_name(*s)).collect();
        return Some(format!(
            "{} (want {}): {}",
            status_name(l.status),
            want.join(" or "),
            l.record.as_ref().map_or("-".into(), Value::to_string)
        ));
    }
    if !named {
        return Some(format!("the record does not name the problem: {record}"));
    }
    None
}

/// Functions without a status: they must not crash, and say the documented
/// thing for values out of range and NULL.
fn check_plain(f: &Function, l: &Line) -> Option<String> {
    let want = match (f.name.as_str(), l.kind.as_str()) {
        ("swc_status_str", k) if k.starts_with("range") => "SWC_E_UNKNOWN",
        ("swc_status_message", k) if k.starts_with("range") => "Unknown status code.",
        ("swc_json_text" | "swc_json_error", "null") => "(null)",
        ("swc_cancel_is_triggered", "null") => "false",
        _ => return (l.status != NO_STATUS).then(|| format!("status {}", l.status)),
    };
    (l.ret != want).then(|| format!("returned {:?}, want {want:?}", l.ret))
}
