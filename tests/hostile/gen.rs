//! Writes the C program: for every function of the header, a valid call,
//! then the same call with one argument made hostile at a time. Each call
//! prints one line, `R <function> <parameter> <case> <status>
//! <out-written> <record> <returned>` (tab-separated), for the Rust side to
//! judge; before each call it prints the case to stderr, so a crash names it.

use super::header::{Function, Param};
use super::valid::{default_arg, literal, Arg, Ctx, Entry};
use serde_json::Value;

/// One call: `param` given `value` (a C expression) instead of its valid
/// argument; `param` "-" for the valid call itself.
pub struct Case {
    pub param: String,
    pub kind: String,
    pub value: String,
}

fn case(param: &str, kind: &str, value: String) -> Case {
    Case {
        param: param.to_string(),
        kind: kind.to_string(),
        value,
    }
}

fn json_literal(v: &Value) -> String {
    literal(v.to_string().as_bytes())
}

/// The hostile values of one parameter, given its valid argument.
fn cases_of(p: &Param, valid: Option<&Arg>) -> Vec<Case> {
    let mut out = Vec::new();
    let n = p.name.as_str();
    if p.is_pointer() {
        out.push(case(n, "null", "NULL".into()));
    }
    if p.is_c_string() {
        out.push(case(n, "utf8", literal(b"\xff\xfe")));
    }
    if p.is_json_object() {
        out.push(case(n, "malformed", literal(b"{")));
        for (i, text) in ["[1]", "\"x\"", "42"].iter().enumerate() {
            out.push(case(n, &format!("type{i}"), literal(text.as_bytes())));
        }
        out.push(case(n, "unknown_key", literal(br#"{"zz_no_such_key": 1}"#)));
        if let Some(Arg::Json(Value::Object(m))) = valid {
            if let Some(k) = m.keys().next() {
                let mut bad = m.clone();
                bad.insert(k.clone(), serde_json::json!([[]]));
                out.push(case(
                    n,
                    &format!("bad_value:{k}"),
                    json_literal(&Value::Object(bad)),
                ));
            }
            // Names in a request, one byte over Swift's limits.
            for (k, limit) in [("container", 256), ("object_name", 1024)] {
                if m.get(k).is_some_and(Value::is_string) {
                    let mut long = m.clone();
                    long.insert(k.into(), Value::String("c".repeat(limit + 1)));
                    let kind = format!("too_long:{k}");
                    out.push(case(n, &kind, json_literal(&Value::Object(long))));
                }
            }
            // An object's name in a bulk request's `objects`, too long.
            if let Some(Value::Array(items)) = m.get("objects") {
                let long = "o".repeat(1025);
                let item = match items.first() {
                    Some(Value::String(_)) => Some(Value::String(long)),
                    Some(Value::Object(o)) if o.contains_key("object_name") => {
                        let mut o = o.clone();
                        o.insert("object_name".into(), Value::String(long));
                        Some(Value::Object(o))
                    }
                    _ => None,
                };
                if let Some(item) = item {
                    let mut bad = m.clone();
                    bad.insert("objects".into(), Value::Array(vec![item]));
                    out.push(case(
                        n,
                        "too_long:objects",
                        json_literal(&Value::Object(bad)),
                    ));
                }
            }
        }
    }
    if p.is_json_value() {
        out.push(case(n, "malformed", literal(b"{\"a\": ")));
    }
    if let Some(limit) = p.name_limit() {
        out.push(case(
            n,
            "too_long",
            literal("n".repeat(limit + 1).as_bytes()),
        ));
    }
    for v in p.out_of_range() {
        out.push(case(n, &format!("range:{v}"), v.to_string()));
    }
    out
}

/// The C statement freeing what a valid argument made, if it made one.
fn release(p: &Param, expr: &str) -> Option<String> {
    if !expr.starts_with("fresh_") {
        return None;
    }
    let free = match p.ty.trim_start_matches("const ") {
        "swc_client *" => "swc_client_free",
        "swc_cancel *" => "swc_cancel_free",
        "swc_json *" => "swc_json_free",
        "swc_op *" => "op_done",
        "char *" => "swc_string_free",
        "uint8_t *" => "swc_buffer_free",
        other => panic!("no release for {other}"),
    };
    Some(format!("{free}((void *)a_{});", p.name))
}

/// The C statement freeing an out-parameter's value after a success.
fn release_out(p: &Param) -> String {
    let free = match p.pointee().as_str() {
        "char *" => "swc_string_free",
        "swc_op *" => "op_done",
        "swc_client *" => "swc_client_free",
        "swc_cancel *" => "swc_cancel_free",
        "swc_json *" => "swc_json_free",
        "uint8_t *" => "swc_buffer_free",
        _ => return String::new(),
    };
    format!(
        "if (o_{n} && written(&o_{n}, sizeof o_{n})) {free}(o_{n});",
        n = p.name
    )
}

/// The C function making one call, `case`, of `f`.
fn call(f: &Function, e: &Entry, args: &[(Param, String)], c: &Case, id: usize) -> String {
    let mut s = format!("static void case_{id}(void) {{\n");
    let mut call_args = Vec::new();
    let mut after = Vec::new();
    let mut outs = Vec::new();
    let consumed = f.name.ends_with("_free");
    s.push_str("    char *err = NULL;\n");
    for (p, valid) in args {
        let hostile = p.name == c.param;
        let expr = if hostile { &c.value } else { valid };
        if p.is_err() {
            call_args.push(if hostile {
                "NULL".into()
            } else {
                "&err".to_string()
            });
        } else if p.is_out() {
            s.push_str(&format!(
                "    {} o_{n};\n    memset(&o_{n}, SENTINEL, sizeof o_{n});\n",
                p.pointee(),
                n = p.name
            ));
            call_args.push(if hostile {
                "NULL".into()
            } else {
                format!("&o_{}", p.name)
            });
            outs.push(p.clone());
        } else {
            s.push_str(&format!("    {} a_{} = {expr};\n", p.ty, p.name));
            call_args.push(format!("a_{}", p.name));
            if !consumed {
                after.extend(release(p, expr));
            }
        }
    }
    s.push_str(&format!(
        "    before_case({:?}, {:?}, {:?});\n    {}\n",
        f.name, c.param, c.kind, e.pre
    ));
    let invocation = format!("{}({})", f.name, call_args.join(", "));
    let (status, ret) = match f.ret.as_str() {
        "swc_status" => (format!("swc_status st = {invocation};"), "NULL"),
        "void" => (format!("{invocation}; swc_status st = -1000;"), "NULL"),
        "bool" => (
            format!("swc_status st = -1000; bool r = {invocation};"),
            "r ? \"true\" : \"false\"",
        ),
        "const char *" => (
            format!("swc_status st = -1000; const char *r = {invocation};"),
            "r ? r : \"(null)\"",
        ),
        other => panic!("{}: return type {other} not handled", f.name),
    };
    s.push_str(&format!("    {status}\n"));
    let written: Vec<String> = outs
        .iter()
        .map(|p| format!("written(&o_{n}, sizeof o_{n})", n = p.name))
        .collect();
    let written = if written.is_empty() {
        "0".to_string()
    } else {
        written.join(" || ")
    };
    // A builder's setters report through swc_json_error, not err_json.
    let record = match args.iter().find(|(p, _)| p.ty == "swc_json *") {
        Some((p, _)) if f.ret == "swc_status" => {
            format!(
                "err ? err : (a_{n} ? swc_json_error(a_{n}) : NULL)",
                n = p.name
            )
        }
        _ => "err".to_string(),
    };
    s.push_str(&format!("    report(st, {written}, {record}, {ret});\n"));
    s.push_str("    if (st == SWC_OK) {\n");
    for p in &outs {
        s.push_str(&format!("        {}\n", release_out(p)));
    }
    s.push_str("    }\n");
    for a in after {
        s.push_str(&format!("    {a}\n"));
    }
    s.push_str("    swc_string_free(err);\n}\n\n");
    s
}

/// The valid argument of every parameter of `f` (panics naming what is
/// missing).
fn valid_args(f: &Function, e: &Entry, ctx: &Ctx) -> Vec<(Param, Arg)> {
    for (name, _) in &e.args {
        assert!(
            f.params.iter().any(|p| p.name == *name),
            "the table gives {}() a parameter \"{name}\" the header does not have",
            f.name
        );
    }
    f.params
        .iter()
        .map(|p| {
            let given = e
                .args
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, a)| a.clone());
            let arg = if p.is_err() || p.is_out() {
                Arg::C(String::new())
            } else {
                given.or_else(|| default_arg(p, ctx)).unwrap_or_else(|| {
                    panic!(
                        "{}(): no valid value for `{} {}`: add it to tests/hostile/valid.rs",
                        f.name, p.ty, p.name
                    )
                })
            };
            (p.clone(), arg)
        })
        .collect()
}

/// The program's cases and source: `#define`s, the prelude, one C function
/// per case, and `main` calling them in order.
pub fn program(
    fns: &[Function],
    table: &[Entry],
    ctx: &Ctx,
    defines: &str,
) -> (Vec<(String, Case)>, String) {
    let mut src = String::from(defines);
    src.push_str("#include \"hostile.h\"\n\n");
    let mut cases = Vec::new();
    for f in fns {
        let e = table
            .iter()
            .find(|e| e.name == f.name)
            .expect("checked by the caller");
        let valid = valid_args(f, e, ctx);
        let args: Vec<(Param, String)> = valid
            .iter()
            .map(|(p, a)| {
                let text = match a {
                    Arg::C(s) => s.clone(),
                    Arg::Json(v) => json_literal(v),
                };
                (p.clone(), text)
            })
            .collect();
        let mut list = vec![case("-", "valid", String::new())];
        for (p, a) in &valid {
            list.extend(cases_of(p, Some(a)));
        }
        for c in list {
            src.push_str(&call(f, e, &args, &c, cases.len()));
            cases.push((f.name.clone(), c));
        }
    }
    src.push_str("int main(void) {\n    setup();\n");
    for i in 0..cases.len() {
        src.push_str(&format!("    case_{i}();\n"));
    }
    src.push_str("    teardown();\n    printf(\"DONE\\n\");\n    return 0;\n}\n");
    (cases, src)
}
