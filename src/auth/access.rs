//! What a Keystone token says about whom it was issued to, as
//! python-keystoneclient's AccessInfo offers it: user, project, domain,
//! roles, issue and expiry times, audit ids, methods, and the service
//! catalog. v1 tokens carry none of this (their record has the storage URL
//! and expiry only).

use super::catalog::Endpoint;
use serde_json::{json, Map, Value};

/// The facts of a v3 token (`token` of the response body).
pub fn from_v3(t: &Value, catalog: &[Endpoint]) -> Value {
    let mut m = Map::new();
    for k in [
        "user",
        "project",
        "domain",
        "issued_at",
        "expires_at",
        "audit_ids",
        "methods",
    ] {
        if let Some(v) = t.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    m.insert("roles".into(), roles(&t["roles"]));
    m.insert("catalog".into(), endpoints(catalog));
    Value::Object(m)
}

/// The facts of a v2 token (`access` of the response body).
pub fn from_v2(a: &Value, catalog: &[Endpoint]) -> Value {
    let t = &a["token"];
    let user = &a["user"];
    let mut m = Map::new();
    if user.is_object() {
        m.insert(
            "user".into(),
            json!({"id": user["id"], "name": user["name"]}),
        );
    }
    if t["tenant"].is_object() {
        m.insert(
            "project".into(),
            json!({"id": t["tenant"]["id"], "name": t["tenant"]["name"]}),
        );
    }
    for (from, to) in [
        ("issued_at", "issued_at"),
        ("expires", "expires_at"),
        ("audit_ids", "audit_ids"),
    ] {
        if let Some(v) = t.get(from).filter(|v| !v.is_null()) {
            m.insert(to.into(), v.clone());
        }
    }
    m.insert("roles".into(), roles(&user["roles"]));
    m.insert("catalog".into(), endpoints(catalog));
    Value::Object(m)
}

/// Roles as `[{"id", "name"}]` (v2 roles may have only a name).
fn roles(v: &Value) -> Value {
    Value::Array(
        v.as_array()
            .into_iter()
            .flatten()
            .map(|r| json!({"id": r.get("id").cloned().unwrap_or(Value::Null), "name": r["name"]}))
            .collect(),
    )
}

fn endpoints(catalog: &[Endpoint]) -> Value {
    Value::Array(
        catalog
            .iter()
            .map(|e| {
                json!({"service_type": e.service_type, "service_name": e.service_name,
                       "region": e.region, "interface": e.interface, "url": e.url})
            })
            .collect(),
    )
}

/// The access facts for a record: everything but the catalog, which comes
/// only when asked, cut down to the entries matching `filter` (keys
/// `service_type`, `service_name`, `region`, `interface`; each optional).
pub fn for_record(
    access: &Value,
    include_catalog: bool,
    filter: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out: Map<String, Value> = access
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "catalog")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if include_catalog {
        let kept: Vec<Value> = access["catalog"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| filter.iter().all(|(k, want)| &e[k.as_str()] == want))
            .cloned()
            .collect();
        out.insert("catalog".into(), Value::Array(kept));
    }
    out
}
