//! clouds.yaml and secure.yaml, as openstacksdk reads them: the file is
//! looked up in its order, secure.yaml's entry is merged over clouds.yaml's
//! (a key in both: secure.yaml's value; `auth` merged key by key), and the
//! entry becomes options under everything else (see `Options::resolve`).
//!
//! Parsed with serde_norway straight into typed entries, so a wrong type
//! or a syntax error names its line and column; only the cloud asked for
//! is read into an entry (the others are skipped unread, as openstacksdk
//! ignores clouds it is not asked for). Secrets go straight into
//! [`Secret`], the file's text into a buffer overwritten when dropped.

use crate::auth::credentials::Secret;
use crate::error::{Error, Result};
use crate::options::Options;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// One cloud's entry: the keys this library maps (others are ignored, as
/// clouds.yaml carries settings for every OpenStack service).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Entry {
    auth: Option<Auth>,
    #[serde(deserialize_with = "scalar")]
    auth_type: Option<String>,
    #[serde(deserialize_with = "scalar")]
    identity_api_version: Option<String>,
    #[serde(deserialize_with = "scalar")]
    region_name: Option<String>,
    /// openstacksdk takes the first when region_name is absent.
    regions: Option<Vec<Region>>,
    #[serde(deserialize_with = "scalar")]
    interface: Option<String>,
    #[serde(deserialize_with = "scalar")]
    cacert: Option<String>,
    #[serde(deserialize_with = "scalar")]
    cert: Option<String>,
    #[serde(deserialize_with = "scalar")]
    key: Option<String>,
    verify: Option<Verify>,
    #[serde(deserialize_with = "scalar")]
    object_store_endpoint_override: Option<String>,
    api_timeout: Option<f64>,
}

/// The `auth` section. Unknown keys are errors: a key this library does
/// not read could change whom the file means to authenticate as.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Auth {
    #[serde(deserialize_with = "scalar")]
    auth_url: Option<String>,
    #[serde(deserialize_with = "scalar")]
    username: Option<String>,
    #[serde(deserialize_with = "scalar")]
    user_id: Option<String>,
    #[serde(deserialize_with = "secret")]
    password: Option<Secret>,
    #[serde(deserialize_with = "scalar", alias = "tenant_name")]
    project_name: Option<String>,
    #[serde(deserialize_with = "scalar", alias = "tenant_id")]
    project_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    user_domain_name: Option<String>,
    #[serde(deserialize_with = "scalar")]
    user_domain_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    project_domain_name: Option<String>,
    #[serde(deserialize_with = "scalar")]
    project_domain_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    domain_name: Option<String>,
    #[serde(deserialize_with = "scalar")]
    domain_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    default_domain_name: Option<String>,
    #[serde(deserialize_with = "scalar")]
    default_domain_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    application_credential_id: Option<String>,
    #[serde(deserialize_with = "scalar")]
    application_credential_name: Option<String>,
    #[serde(deserialize_with = "secret")]
    application_credential_secret: Option<Secret>,
    #[serde(deserialize_with = "secret")]
    token: Option<Secret>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Region {
    Name(String),
    Entry { name: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Verify {
    On(bool),
    /// keystoneauth's form: a CA bundle path.
    CaFile(String),
}

/// A scalar as text: YAML reads `project_id: 1234` as a number.
fn scalar<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

/// As [`scalar`], into a [`Secret`]; its error never shows the value.
fn secret<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Secret>, D::Error> {
    Ok(scalar(d)?.map(|mut s| {
        let kept = Secret::new(s.as_str());
        zeroize::Zeroize::zeroize(&mut s);
        kept
    }))
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
}

/// What one file says about the cloud asked for.
#[derive(Debug, Default)]
struct Found {
    /// Every cloud the file names (for the error when ours is missing).
    names: Vec<String>,
    entry: Option<Entry>,
}

/// Reads a whole clouds/secure file, deserialising only the entry `want`.
struct FileSeed<'a>(&'a str);
struct CloudsSeed<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = Found;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Found, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = Found;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping with a \"clouds\" key")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Found, E> {
        Ok(Found::default()) // an empty file
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<Found, A::Error> {
        let mut found = Found::default();
        while let Some(k) = m.next_key::<String>()? {
            if k == "clouds" {
                found = m.next_value_seed(CloudsSeed(self.0))?;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

impl<'de> DeserializeSeed<'de> for CloudsSeed<'_> {
    type Value = Found;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Found, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CloudsSeed<'_> {
    type Value = Found;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of cloud names to entries")
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Found, E> {
        Ok(Found::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<Found, A::Error> {
        let mut found = Found::default();
        while let Some(name) = m.next_key::<String>()? {
            if name == self.0 {
                found.entry = Some(m.next_value()?);
            } else {
                m.next_value::<IgnoredAny>()?;
            }
            found.names.push(name);
        }
        Ok(found)
    }
}

/// Where the files are looked for, from the environment `lookup` gives
/// (`std::env::var` in production) and the current directory.
pub struct Lookup<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub cwd: Option<PathBuf>,
}

impl Lookup<'_> {
    /// openstacksdk's order: the variable's file, then the current
    /// directory, the user's config directory, /etc/openstack; each as
    /// .yaml, .yml and .json.
    fn candidates(&self, var: &str, stem: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = (self.env)(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .into_iter()
            .collect();
        let mut dirs: Vec<PathBuf> = self.cwd.iter().cloned().collect();
        let config_home = (self.env)("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| (self.env)("HOME").map(|h| Path::new(&h).join(".config")));
        dirs.extend(config_home.map(|c| c.join("openstack")));
        dirs.push(PathBuf::from("/etc/openstack"));
        for d in dirs {
            for ext in ["yaml", "yml", "json"] {
                out.push(d.join(format!("{stem}.{ext}")));
            }
        }
        out
    }

    fn first_existing(&self, var: &str, stem: &str) -> (Option<PathBuf>, Vec<PathBuf>) {
        let all = self.candidates(var, stem);
        (all.iter().find(|p| p.is_file()).cloned(), all)
    }
}

/// Reads one file and the entry `cloud` in it.
fn read(path: &Path, cloud: &str) -> Result<Found> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config("cloud", format!("cannot read {}: {e}", path.display())))?;
    // Overwritten when dropped: the file may hold passwords.
    let text = zeroize::Zeroizing::new(text);
    let d = serde_norway::Deserializer::from_str(&text);
    FileSeed(cloud).deserialize(d).map_err(|e| {
        // serde_norway's message ends "at line L column C"; its messages
        // name types and keys, never values (secrets are read as scalars
        // whose errors say "expected a string").
        Error::config("cloud", format!("{}: {e}", path.display()))
    })
}

/// The options the entry `cloud` of a clouds.yaml text gives (None when
/// the text has no such cloud); what `read` and `to_options` do to a file,
/// for the fuzz targets (src/fuzzing.rs).
pub(crate) fn options_of_text(text: &str, cloud: &str) -> Result<Option<Options>> {
    let d = serde_norway::Deserializer::from_str(text);
    let found = FileSeed(cloud)
        .deserialize(d)
        .map_err(|e| Error::config("cloud", e.to_string()))?;
    found
        .entry
        .map(|e| to_options(e, cloud, "clouds.yaml"))
        .transpose()
}

/// The options cloud `name` gives: its clouds.yaml entry (from
/// `clouds_file` when given, else looked up) with secure.yaml's merged over.
pub fn options_for(name: &str, clouds_file: Option<&str>, lookup: &Lookup) -> Result<Options> {
    let (clouds_path, searched) = match clouds_file.filter(|f| !f.is_empty()) {
        Some(f) => (Some(PathBuf::from(f)), vec![PathBuf::from(f)]),
        None => lookup.first_existing("OS_CLIENT_CONFIG_FILE", "clouds"),
    };
    let Some(clouds_path) = clouds_path else {
        let list: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::config(
            "cloud",
            format!(
                "cloud \"{name}\" asked for, but no clouds.yaml was found (looked for {})",
                list.join(", ")
            ),
        ));
    };
    let clouds = read(&clouds_path, name)?;
    let (secure_path, _) = lookup.first_existing("OS_CLIENT_SECURE_FILE", "secure");
    let secure = match &secure_path {
        Some(p) => read(p, name)?,
        None => Found::default(),
    };
    let entry = match (clouds.entry, secure.entry) {
        (None, None) => {
            let mut msg = format!(
                "cloud \"{name}\" is not in {} (it has: {})",
                clouds_path.display(),
                if clouds.names.is_empty() {
                    "no clouds".to_string()
                } else {
                    clouds.names.join(", ")
                }
            );
            if let Some(p) = &secure_path {
                msg.push_str(&format!(" nor in {}", p.display()));
            }
            return Err(Error::config("cloud", msg));
        }
        (Some(c), None) => c,
        (None, Some(s)) => s,
        (Some(c), Some(s)) => merge(c, s),
    };
    let whence = secure_path
        .map(|s| format!("{} (with {})", clouds_path.display(), s.display()))
        .unwrap_or_else(|| clouds_path.display().to_string());
    to_options(entry, name, &whence)
}

/// openstacksdk's deep merge: `over`'s keys win, `auth` key by key.
fn merge(base: Entry, over: Entry) -> Entry {
    let auth = match (base.auth, over.auth) {
        (Some(b), Some(o)) => Some(Auth {
            auth_url: o.auth_url.or(b.auth_url),
            username: o.username.or(b.username),
            user_id: o.user_id.or(b.user_id),
            password: o.password.or(b.password),
            project_name: o.project_name.or(b.project_name),
            project_id: o.project_id.or(b.project_id),
            user_domain_name: o.user_domain_name.or(b.user_domain_name),
            user_domain_id: o.user_domain_id.or(b.user_domain_id),
            project_domain_name: o.project_domain_name.or(b.project_domain_name),
            project_domain_id: o.project_domain_id.or(b.project_domain_id),
            domain_name: o.domain_name.or(b.domain_name),
            domain_id: o.domain_id.or(b.domain_id),
            default_domain_name: o.default_domain_name.or(b.default_domain_name),
            default_domain_id: o.default_domain_id.or(b.default_domain_id),
            application_credential_id: o.application_credential_id.or(b.application_credential_id),
            application_credential_name: o
                .application_credential_name
                .or(b.application_credential_name),
            application_credential_secret: o
                .application_credential_secret
                .or(b.application_credential_secret),
            token: o.token.or(b.token),
        }),
        (b, o) => o.or(b),
    };
    Entry {
        auth,
        auth_type: over.auth_type.or(base.auth_type),
        identity_api_version: over.identity_api_version.or(base.identity_api_version),
        region_name: over.region_name.or(base.region_name),
        regions: over.regions.or(base.regions),
        interface: over.interface.or(base.interface),
        cacert: over.cacert.or(base.cacert),
        cert: over.cert.or(base.cert),
        key: over.key.or(base.key),
        verify: over.verify.or(base.verify),
        object_store_endpoint_override: over
            .object_store_endpoint_override
            .or(base.object_store_endpoint_override),
        api_timeout: over.api_timeout.or(base.api_timeout),
    }
}

/// The auth types this library speaks, as os_auth_type spells them.
fn auth_type(t: &str, name: &str, whence: &str) -> Result<Option<String>> {
    match t {
        "password" | "token" => Ok(None), // the version decides, as keystoneauth's generic plugins
        "v1password" | "v2password" | "v2token" | "v3password" | "v3token"
        | "v3applicationcredential" | "applicationcredential" => Ok(Some(t.to_string())),
        "v3applicationcredentials" => Ok(Some("v3applicationcredential".into())),
        other => Err(Error::config(
            "cloud",
            format!("{whence}: cloud \"{name}\": auth_type \"{other}\" is not supported (password, v2password, v3password, token, v2token, v3token, v3applicationcredential, v1password)"),
        )),
    }
}

// Long (~60 lines) on purpose: one list, the entry's keys to our options.
fn to_options(e: Entry, name: &str, whence: &str) -> Result<Options> {
    let a = e.auth.unwrap_or_default();
    let expose = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_string());
    let has_project = a.project_name.is_some() || a.project_id.is_some();
    // openstacksdk: domain_* with a project (and default_domain_*) are the
    // default for the user's and the project's domains; domain_* alone
    // scopes the token to that domain.
    let (dflt_name, dflt_id) = if has_project {
        (
            a.default_domain_name.clone().or(a.domain_name.clone()),
            a.default_domain_id.clone().or(a.domain_id.clone()),
        )
    } else {
        (a.default_domain_name.clone(), a.default_domain_id.clone())
    };
    let fill = |own: &Option<String>, other: &Option<String>, dflt: &Option<String>| {
        own.clone()
            .or_else(|| other.is_none().then(|| dflt.clone()).flatten())
    };
    let mut o = Options {
        os_auth_url: a.auth_url.clone(),
        os_username: a.username.clone(),
        os_user_id: a.user_id.clone(),
        os_password: expose(&a.password),
        os_project_name: a.project_name.clone(),
        os_project_id: a.project_id.clone(),
        os_user_domain_name: fill(&a.user_domain_name, &a.user_domain_id, &dflt_name),
        os_user_domain_id: fill(&a.user_domain_id, &a.user_domain_name, &dflt_id),
        os_project_domain_name: fill(&a.project_domain_name, &a.project_domain_id, &dflt_name),
        os_project_domain_id: fill(&a.project_domain_id, &a.project_domain_name, &dflt_id),
        os_domain_name: a.domain_name.clone().filter(|_| !has_project),
        os_domain_id: a.domain_id.clone().filter(|_| !has_project),
        os_application_credential_id: a.application_credential_id.clone(),
        os_application_credential_name: a.application_credential_name.clone(),
        os_application_credential_secret: expose(&a.application_credential_secret),
        os_auth_token: expose(&a.token),
        auth_version: e.identity_api_version.clone(),
        os_region_name: e.region_name.clone().or_else(|| {
            e.regions.as_ref()?.first().map(|r| match r {
                Region::Name(n) | Region::Entry { name: n } => n.clone(),
            })
        }),
        os_endpoint_type: e.interface.clone(),
        os_cacert: e.cacert.clone(),
        os_cert: e.cert.clone(),
        os_key: e.key.clone(),
        os_storage_url: e.object_store_endpoint_override.clone(),
        timeout: e.api_timeout,
        ..Options::default()
    };
    if let Some(t) = &e.auth_type {
        o.os_auth_type = auth_type(t, name, whence)?;
        if t == "v1password" {
            // python-swiftclient's v1 plugin reads auth_url, username, password.
            o.auth = o.os_auth_url.take();
            o.user = o.os_username.take();
            o.key = o.os_password.take();
        }
    }
    match &e.verify {
        Some(Verify::On(v)) => o.insecure = Some(!v),
        Some(Verify::CaFile(f)) if o.os_cacert.is_none() => o.os_cacert = Some(f.clone()),
        _ => {}
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, cloud: &str) -> std::result::Result<Found, serde_norway::Error> {
        FileSeed(cloud).deserialize(serde_norway::Deserializer::from_str(text))
    }

    #[test]
    fn only_the_cloud_asked_for_is_read() {
        let f = parse(
            "clouds:\n  a:\n    auth: {bogus: 1}\n  b:\n    auth:\n      password: 12345\n      project_id: 0042\n",
            "b",
        )
        .unwrap();
        assert_eq!(f.names, ["a", "b"]);
        let a = f.entry.unwrap().auth.unwrap();
        assert_eq!(a.password.unwrap().expose(), "12345");
        // An unquoted all-digit id keeps its zeros: the scalar is read as
        // the string field wants it, not as a number first.
        assert_eq!(a.project_id.as_deref(), Some("0042"));
    }

    #[test]
    fn errors_have_a_position_and_no_value() {
        let e = parse("clouds:\n  b:\n    auth:\n      password: [s3cret]\n", "b").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("line 4"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
        let e = parse("clouds:\n  b:\n    auth:\n      nope: x\n", "b").unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }

    #[test]
    fn secure_merges_over_clouds() {
        let c = parse("clouds:\n  x:\n    region_name: R1\n    auth: {username: u, password: old, project_name: p}\n", "x").unwrap();
        let s = parse("clouds:\n  x:\n    auth: {password: new}\n", "x").unwrap();
        let o = to_options(merge(c.entry.unwrap(), s.entry.unwrap()), "x", "f").unwrap();
        assert_eq!(o.os_password.as_deref(), Some("new"));
        assert_eq!(o.os_username.as_deref(), Some("u"));
        assert_eq!(o.os_region_name.as_deref(), Some("R1"));
    }
}
