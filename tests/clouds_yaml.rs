//! clouds.yaml and secure.yaml (option `cloud`, OS_CLOUD) against the real
//! Keystone: a cloud entry authenticates and lists, secure.yaml gives the
//! password, the environment and explicit options override the entry, the
//! files are looked up in openstacksdk's order, and errors name the file
//! and line without ever showing a secret.
//!
//! The tests change the process's environment and current directory:
//! each holds `LOCK` for its whole run.

mod common;

use common::*;
use serde_json::{json, Value};
use std::ffi::{CStr, CString};
use std::path::Path;
use std::ptr;
use std::sync::Mutex;
use swiftclient::ffi::client::{
    swc_client, swc_client_auth, swc_client_free, swc_client_new, swc_client_new_from_env,
};
use swiftclient::ffi::swc_string_free;
use swiftclient::Status;

static LOCK: Mutex<()> = Mutex::new(());

/// The variables these tests set; cleared (and HOME pointed at `home`, the
/// current directory at `cwd`) before each.
const VARS: &[&str] = &[
    "OS_CLOUD",
    "OS_CLIENT_CONFIG_FILE",
    "OS_CLIENT_SECURE_FILE",
    "XDG_CONFIG_HOME",
    "OS_REGION_NAME",
    "OS_PASSWORD",
    "OS_AUTH_URL",
    "OS_USERNAME",
];

/// A scene: an empty HOME and an empty current directory, no variables.
struct Scene {
    _guard: std::sync::MutexGuard<'static, ()>,
    home: TempDir,
    cwd: TempDir,
}

fn scene() -> Scene {
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    for v in VARS {
        std::env::remove_var(v);
    }
    let home = tmpdir("clouds-home");
    let cwd = tmpdir("clouds-cwd");
    std::env::set_var("HOME", home.path());
    std::env::set_current_dir(cwd.path()).unwrap();
    Scene {
        _guard: guard,
        home,
        cwd,
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The local Keystone's demo user, v3 password, in `region`; the password
/// line left out when `password` is None.
fn demo_cloud(name: &str, region: &str, password: Option<&str>) -> String {
    format!(
        "clouds:\n  {name}:\n    auth:\n      auth_url: {url}\n      username: demo\n{pw}      project_name: demo\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: {region}\n    identity_api_version: 3\n    interface: public\n",
        url = keystone_url(),
        pw = password
            .map(|p| format!("      password: {p}\n"))
            .unwrap_or_default(),
    )
}

fn take(p: *mut std::ffi::c_char) -> String {
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    unsafe { swc_string_free(p) };
    s
}

/// Makes a client (from the environment, or from the options alone) and
/// authenticates it: the auth record, or the error record of whichever
/// step failed.
fn auth(opts: &Value, from_env: bool) -> Result<Value, Value> {
    let mut c: *mut swc_client = ptr::null_mut();
    let mut err = ptr::null_mut();
    let o = CString::new(opts.to_string()).unwrap();
    let st = if from_env {
        swc_client_new_from_env(o.as_ptr(), &mut c, &mut err)
    } else {
        swc_client_new(o.as_ptr(), &mut c, &mut err)
    };
    if st != 0 {
        return Err(serde_json::from_str(&take(err)).unwrap());
    }
    let mut out = ptr::null_mut();
    let st = swc_client_auth(c, ptr::null(), &mut out, &mut err);
    let r = if st == 0 {
        Ok(serde_json::from_str(&take(out)).unwrap())
    } else {
        Err(serde_json::from_str(&take(err)).unwrap())
    };
    unsafe { swc_client_free(c) };
    r
}

fn region_two(rec: &Value) -> bool {
    rec["storage_url"]
        .as_str()
        .unwrap()
        .contains(&env("SWC_TEST_DECOY_REGION_TWO_PORT"))
}

#[test]
fn a_cloud_authenticates_and_lists() {
    let s = scene();
    let file = s.home.join("elsewhere/my-clouds.yaml");
    write(&file, &demo_cloud("local", "RegionOne", Some("demopass")));
    let c = client(&json!({"cloud": "local", "clouds_file": file}));
    let rt = rt();
    let rec = rt.block_on(c.auth_record(false, false)).unwrap();
    assert_eq!(rec["auth_version"], "3");
    assert_eq!(
        rec["storage_url"],
        ks_storage_url(&env("SWC_TEST_KS_DEMO_PROJECT_ID"))
    );
    let cont = rt.block_on(new_container(&c, "clouds", json!({})));
    let listing = rt
        .block_on(swiftclient::conn::account::list(
            &c,
            &opts(json!({ "prefix": cont })),
            &no_cancel(),
        ))
        .unwrap();
    rt.block_on(cleanup(&c, &cont));
    assert_eq!(listing["listing"][0]["name"], cont.as_str(), "{listing}");

    // An application credential (v3applicationcredential), as
    // `openstack application credential create` prints its clouds.yaml.
    write(
        &s.cwd.join("clouds.yaml"),
        &format!(
            "clouds:\n  appcred:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {}\n      application_credential_id: {}\n      application_credential_secret: appcredsecret\n    identity_api_version: 3\n",
            keystone_url(),
            env("SWC_TEST_KS_APPCRED_ID")
        ),
    );
    let rec = auth(&json!({"cloud": "appcred"}), false).unwrap();
    assert_eq!(
        rec["storage_url"],
        ks_storage_url(&env("SWC_TEST_KS_DEMO_PROJECT_ID"))
    );
}

#[test]
fn secure_yaml_gives_the_password() {
    let s = scene();
    write(
        &s.cwd.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", None),
    );
    // Without secure.yaml there is no password: a configuration error.
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Config as i32, "{e}");
    // secure.yaml in ~/.config/openstack (deep-merged: only auth.password).
    write(
        &s.home.join(".config/openstack/secure.yaml"),
        "clouds:\n  local:\n    auth:\n      password: demopass\n",
    );
    let rec = auth(&json!({"cloud": "local"}), false).unwrap();
    assert_eq!(rec["auth_version"], "3");
    // OS_CLIENT_SECURE_FILE names another one, found first.
    let other = s.home.join("secure-other.yml");
    write(
        &other,
        "clouds:\n  local:\n    auth:\n      password: wrong-password\n",
    );
    std::env::set_var("OS_CLIENT_SECURE_FILE", &other);
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Auth as i32, "{e}");
    assert!(!e.to_string().contains("wrong-password"), "{e}");
}

#[test]
fn environment_and_options_override_the_cloud() {
    let s = scene();
    write(
        &s.cwd.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", Some("demopass")),
    );
    std::env::set_var("OS_CLOUD", "local");
    let rec = auth(&json!({}), true).unwrap();
    assert!(!region_two(&rec), "{rec}");
    // The environment over the entry.
    std::env::set_var("OS_REGION_NAME", "RegionTwo");
    let rec = auth(&json!({}), true).unwrap();
    assert!(region_two(&rec), "{rec}");
    // Explicit options over both.
    let rec = auth(&json!({"os_region_name": "RegionOne"}), true).unwrap();
    assert!(!region_two(&rec), "{rec}");
    // A wrong password in the environment beats the file's.
    std::env::set_var("OS_PASSWORD", "not-the-password");
    let e = auth(&json!({}), true).unwrap_err();
    assert_eq!(e["status"], Status::Auth as i32, "{e}");
    std::env::remove_var("OS_PASSWORD");
    // The option `cloud` over OS_CLOUD.
    let e = auth(&json!({"cloud": "absent"}), true).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("\"absent\""), "{e}");
}

#[test]
fn files_are_looked_up_in_openstacksdk_order() {
    let s = scene();
    // ~/.config/openstack/clouds.yml (the .yml spelling): RegionTwo.
    write(
        &s.home.join(".config/openstack/clouds.yml"),
        &demo_cloud("local", "RegionTwo", Some("demopass")),
    );
    assert!(region_two(
        &auth(&json!({"cloud": "local"}), false).unwrap()
    ));
    // ./clouds.yaml comes before it: RegionOne.
    write(
        &s.cwd.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", Some("demopass")),
    );
    assert!(!region_two(
        &auth(&json!({"cloud": "local"}), false).unwrap()
    ));
    // OS_CLIENT_CONFIG_FILE before both: RegionTwo again.
    let named = s.home.join("named.yaml");
    write(&named, &demo_cloud("local", "RegionTwo", Some("demopass")));
    std::env::set_var("OS_CLIENT_CONFIG_FILE", &named);
    assert!(region_two(
        &auth(&json!({"cloud": "local"}), false).unwrap()
    ));
    // XDG_CONFIG_HOME replaces ~/.config, as openstacksdk's appdirs reads it.
    std::env::remove_var("OS_CLIENT_CONFIG_FILE");
    std::fs::remove_file(s.cwd.join("clouds.yaml")).unwrap();
    std::env::set_var("XDG_CONFIG_HOME", s.home.join("xdg"));
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("no clouds.yaml was found"), "{e}");
    assert!(msg.contains("/etc/openstack/clouds.yaml"), "{e}");
}

#[test]
fn errors_name_the_file_and_line_never_the_password() {
    let s = scene();
    let file = s.cwd.join("clouds.yaml");
    let pw = "s3cret-in-yaml-4711";
    write(
        &file,
        &format!(
            "{}  other:\n    auth: {{auth_url: http://x}}\n",
            demo_cloud("local", "RegionOne", Some(pw))
        ),
    );
    // A missing cloud: the file and the clouds it has.
    let e = auth(&json!({"cloud": "nope"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Config as i32);
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains(&file.display().to_string()), "{e}");
    assert!(msg.contains("it has: local, other"), "{e}");

    // A syntax error (a tab where YAML wants spaces) on line 5.
    let broken =
        demo_cloud("local", "RegionOne", Some(pw)).replacen("      username", "\tusername", 1);
    write(&file, &broken);
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Config as i32);
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains(&file.display().to_string()), "{e}");
    assert!(msg.contains("line 5"), "{e}");
    assert!(!e.to_string().contains(pw), "{e}");

    // A wrong type for the password: its line, not its value.
    write(
        &file,
        &demo_cloud("local", "RegionOne", Some(&format!("[{pw}]"))),
    );
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("line 6"), "{e}");
    assert!(!e.to_string().contains(pw), "{e}");

    // An auth key this library does not read is refused, by name and line.
    write(
        &file,
        &demo_cloud("local", "RegionOne", Some(pw))
            .replace("      username", "      system_scope: all\n      username"),
    );
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("system_scope") && msg.contains("line 5"),
        "{e}"
    );
}

#[test]
fn the_password_is_never_logged() {
    let s = scene();
    let pw = "demopass";
    write(
        &s.cwd.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", Some(pw)),
    );
    let c = ffi_client(&json!({"cloud": "local"}));
    let lines = capture_log(c, swiftclient::ffi::client::SWC_LOG_DEBUG);
    let (st, e) = ffi_account_head(c);
    assert_eq!(st, 0, "{e:?}");
    unsafe { swc_client_free(c) };
    let log = lines.lock().unwrap().join("\n");
    assert!(log.contains("auth: POST"), "{log}");
    assert!(!log.contains(pw), "{log}");
    // A refused password from the file: the error record does not show it.
    write(
        &s.cwd.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", Some("refused-pw-0815")),
    );
    let e = auth(&json!({"cloud": "local"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Auth as i32);
    assert!(!e.to_string().contains("refused-pw-0815"), "{e}");
}

/// `swc --os-cloud NAME` and OS_CLOUD in swc's environment, as
/// openstackclient users type them; swc's --help and man page list it.
#[test]
fn swc_takes_os_cloud() {
    use common::swc::{swc_bin, with_creds};
    // Holds the lock: swc inherits the environment the other tests change.
    let s = scene();
    let swc = swc_bin();
    let dir = &s.cwd;
    write(
        &dir.join("clouds.yaml"),
        &demo_cloud("local", "RegionOne", Some("demopass")),
    );
    let run = |args: &[&str], vars: &[(&str, &str)]| {
        let out = with_creds(&swc)
            .env_remove("ST_AUTH")
            .env_remove("ST_USER")
            .env_remove("ST_KEY")
            .env_remove("OS_CLOUD")
            .env("HOME", dir.path())
            .current_dir(dir.path())
            .envs(vars.iter().copied())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let project = env("SWC_TEST_KS_DEMO_PROJECT_ID");
    let (st, out, err) = run(&["--os-cloud", "local", "stat"], &[]);
    assert_eq!(st, Some(0), "{out}{err}");
    assert!(out.contains(&format!("AUTH_{project}")), "{out}");
    let (st, out, err) = run(&["stat"], &[("OS_CLOUD", "local")]);
    assert_eq!(st, Some(0), "{out}{err}");
    assert!(out.contains(&format!("AUTH_{project}")), "{out}");
    // The underscore spelling swift takes for every --os-* option.
    let (st, _, err) = run(&["--os_cloud", "missing", "stat"], &[]);
    assert_eq!(st, Some(1));
    assert!(err.contains("it has: local"), "{err}");
    let (_, help, _) = run(&["--help"], &[]);
    assert!(help.contains("--os-cloud"), "{help}");
    let (_, man, _) = run(&["--man"], &[]);
    assert!(
        man.contains("os\\-cloud") || man.contains("os-cloud"),
        "{man}"
    );
}

/// auth_type v1password (python-swiftclient's v1 plugin) against the real
/// tempauth over TLS: `cacert` and `verify` decide whom the client trusts.
#[test]
fn v1password_over_tls_with_cacert_and_verify() {
    let s = scene();
    let entry = |tls: &str| {
        format!(
            "clouds:\n  v1:\n    auth_type: v1password\n    auth:\n      auth_url: {}\n      username: test:tester\n      password: testing\n{tls}",
            env("SWC_TEST_TLS_AUTH")
        )
    };
    let file = s.cwd.join("clouds.yaml");
    write(
        &file,
        &entry(&format!("    cacert: {}\n", env("SWC_TEST_TLS_CA"))),
    );
    let rec = auth(&json!({"cloud": "v1"}), false).unwrap();
    assert_eq!(rec["auth_version"], "1.0");
    assert!(rec["storage_url"].as_str().unwrap().starts_with("https://"));
    // Without the CA the server's certificate is not trusted...
    write(&file, &entry(""));
    let e = auth(&json!({"cloud": "v1"}), false).unwrap_err();
    assert_eq!(e["status"], Status::Tls as i32, "{e}");
    // ...unless verification is off.
    write(&file, &entry("    verify: false\n"));
    assert!(auth(&json!({"cloud": "v1"}), false).is_ok());
    // keystoneauth's `verify: <CA file>` spelling.
    write(
        &file,
        &entry(&format!("    verify: {}\n", env("SWC_TEST_TLS_CA"))),
    );
    assert!(auth(&json!({"cloud": "v1"}), false).is_ok());
}
