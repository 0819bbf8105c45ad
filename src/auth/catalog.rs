//! Service-catalog endpoint selection, the same for Keystone v2 and v3
//! catalogs: by service type, service name, region and interface.

use crate::auth::credentials::CatalogFilter;
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::Value;

/// One endpoint of a catalog, flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub service_type: String,
    pub service_name: String,
    pub region: String,
    pub interface: String,
    pub url: String,
}

/// A catalog's service, as Keystone v2 and v3 (and ViPR/ECS, which
/// spell the list "endpoint") write it. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Service {
    #[serde(rename = "type")]
    service_type: Option<String>,
    name: Option<String>,
    #[serde(alias = "endpoint")]
    endpoints: Vec<Value>,
}

/// One endpoint: v3's `interface` + `url`, or v2's one URL per interface.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEndpoint {
    region_id: Option<String>,
    region: Option<String>,
    interface: Option<String>,
    url: Option<String>,
    #[serde(rename = "publicURL")]
    public_url: Option<String>,
    #[serde(rename = "internalURL")]
    internal_url: Option<String>,
    #[serde(rename = "adminURL")]
    admin_url: Option<String>,
}

/// The catalog's services and their endpoints; an entry of another shape
/// is skipped, as a catalog may hold services this client does not read.
fn services(catalog: &Value) -> Vec<(Service, Vec<RawEndpoint>)> {
    catalog
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|svc| Service::deserialize(svc).ok())
        .map(|mut svc| {
            let eps = std::mem::take(&mut svc.endpoints)
                .iter()
                .filter_map(|e| RawEndpoint::deserialize(e).ok())
                .collect();
            (svc, eps)
        })
        .collect()
}

fn endpoint(svc: &Service, region: Option<&String>, interface: &str, url: &str) -> Endpoint {
    Endpoint {
        service_type: svc.service_type.clone().unwrap_or_default(),
        service_name: svc.name.clone().unwrap_or_default(),
        region: region.cloned().unwrap_or_default(),
        interface: interface.to_string(),
        url: url.to_string(),
    }
}

/// Flattens a v3 `token.catalog`.
pub fn from_v3(catalog: &Value) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for (svc, eps) in services(catalog) {
        for ep in eps {
            let region = ep
                .region_id
                .as_ref()
                .filter(|r| !r.is_empty())
                .or(ep.region.as_ref());
            let interface = ep.interface.as_deref().unwrap_or("");
            out.push(endpoint(
                &svc,
                region,
                interface,
                ep.url.as_deref().unwrap_or(""),
            ));
        }
    }
    out
}

/// Flattens a v2 `access.serviceCatalog` (one entry per interface URL).
pub fn from_v2(catalog: &Value) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for (svc, eps) in services(catalog) {
        for ep in eps {
            for (iface, url) in [
                ("public", &ep.public_url),
                ("internal", &ep.internal_url),
                ("admin", &ep.admin_url),
            ] {
                if let Some(url) = url.as_deref().filter(|u| !u.is_empty()) {
                    out.push(endpoint(&svc, ep.region.as_ref(), iface, url));
                }
            }
        }
    }
    out
}

/// The first endpoint matching the filter, in catalog order. When nothing
/// matches, the error lists what the catalog offers for the service type.
pub fn select(endpoints: &[Endpoint], f: &CatalogFilter) -> Result<String> {
    let hit = endpoints.iter().find(|e| {
        e.service_type == f.service_type
            && f.service_name.as_ref().is_none_or(|n| &e.service_name == n)
            && f.region.as_ref().is_none_or(|r| &e.region == r)
            && e.interface == f.interface
    });
    if let Some(e) = hit {
        return Ok(e.url.clone());
    }
    let offered: Vec<String> = endpoints
        .iter()
        .filter(|e| e.service_type == f.service_type)
        .map(|e| {
            format!(
                "{} region={} interface={}",
                e.service_name, e.region, e.interface
            )
        })
        .collect();
    let key = if f.region.is_some() {
        "os_region_name"
    } else if f.service_name.is_some() {
        "os_service_name"
    } else {
        "os_service_type"
    };
    Err(Error::config(
        key,
        format!(
            "no {} endpoint in the service catalog for service_name={} region={} interface={}; the catalog offers: [{}]",
            f.service_type,
            f.service_name.as_deref().unwrap_or("*"),
            f.region.as_deref().unwrap_or("*"),
            f.interface,
            offered.join("; ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(name: Option<&str>, region: Option<&str>, iface: &str) -> CatalogFilter {
        CatalogFilter {
            service_type: "object-store".into(),
            service_name: name.map(Into::into),
            region: region.map(Into::into),
            interface: iface.into(),
        }
    }

    #[test]
    fn v3_selection() {
        let cat = json!([
            {"type": "identity", "name": "keystone", "endpoints": [{"interface": "public", "region_id": "R1", "url": "http://k"}]},
            {"type": "object-store", "name": "swift", "endpoints": [
                {"interface": "public", "region_id": "R1", "region": "R1", "url": "http://pub1"},
                {"interface": "internal", "region_id": "R1", "url": "http://int1"},
                {"interface": "public", "region_id": "R2", "url": "http://pub2"}]},
            {"type": "object-store", "name": "archive", "endpoints": [
                {"interface": "public", "region_id": "R3", "url": "http://arch"}]}
        ]);
        let eps = from_v3(&cat);
        assert_eq!(
            select(&eps, &filter(None, None, "public")).unwrap(),
            "http://pub1"
        );
        assert_eq!(
            select(&eps, &filter(None, Some("R2"), "public")).unwrap(),
            "http://pub2"
        );
        assert_eq!(
            select(&eps, &filter(None, Some("R1"), "internal")).unwrap(),
            "http://int1"
        );
        assert_eq!(
            select(&eps, &filter(Some("archive"), None, "public")).unwrap(),
            "http://arch"
        );
        let e = select(&eps, &filter(None, Some("R9"), "public")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("os_region_name"));
        assert!(
            e.message.contains("swift region=R2 interface=public"),
            "{}",
            e.message
        );
    }

    #[test]
    fn v2_selection() {
        let cat = json!([{"type": "object-store", "name": "swift", "endpoints": [
            {"region": "R1", "publicURL": "http://p", "internalURL": "http://i", "adminURL": "http://a"}]}]);
        let eps = from_v2(&cat);
        assert_eq!(eps.len(), 3);
        assert_eq!(
            select(&eps, &filter(None, None, "internal")).unwrap(),
            "http://i"
        );
        assert_eq!(
            select(&eps, &filter(Some("swift"), Some("R1"), "admin")).unwrap(),
            "http://a"
        );
    }
}
