//! `delete --all` on an account holding large objects, swc beside swift:
//! each empties the account (SLOs, DLOs, their segment containers, plain
//! objects) and exits 0. swc used to delete an SLO's segments through its
//! manifest while also emptying `<c>_segments`, count the 404s that race
//! gave as failures, keep `<c>_segments` and exit 1. The tests use an
//! account of their own (wipe:tester), since they empty it whole.

mod common;

use common::swc::*;
use common::*;
use std::path::Path;

fn as_wipe(cmd: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    with_creds(cmd)
        .env("ST_USER", "wipe:tester")
        .env("ST_KEY", "testingwipe")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(out: std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn delete_all_empties_an_account_with_large_objects_as_swift_does() {
    let swc = swc_bin();
    let swift = std::path::PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("wipe");
    std::fs::write(dir.join("big.bin"), data(3_000_000, 51)).unwrap();
    std::fs::write(dir.join("small.txt"), b"small").unwrap();
    for tool in [&swc, &swift] {
        for (cont, flags) in [
            ("a", vec!["-S", "1000000"]),
            ("b", vec!["-S", "1000000", "--use-slo"]),
        ] {
            let mut args = vec!["upload"];
            args.extend(flags);
            args.extend([cont, "big.bin", "small.txt"]);
            ok(as_wipe(&swc, &dir, &args));
        }
        ok(as_wipe(&swc, &dir, &["upload", "c", "small.txt"]));
        let listed = ok(as_wipe(&swc, &dir, &["list"]));
        assert!(
            listed.contains("a_segments") && listed.contains("b_segments"),
            "{listed}"
        );
        let out = as_wipe(tool, &dir, &["delete", "--all"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{tool:?}: {err}");
        let left = ok(as_wipe(&swc, &dir, &["list"]));
        assert_eq!(left.trim(), "", "{tool:?} left containers");
    }
}
