//! `swc`, the C command-line client in examples-c/, against the local
//! cluster and side by side with python-swiftclient's `swift`: what one
//! uploads (plain and segmented) the other downloads intact, and temp URLs
//! agree.

mod common;

use common::swc::*;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

#[test]
fn swc_and_python_swiftclient_read_each_other() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("cli");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/small.txt"), b"small file\n").unwrap();
    std::fs::write(dir.join("src/big.bin"), data(2_500_000, 5)).unwrap();
    let cont = unique("cli");
    let d = |p: &str| dir.join(p).display().to_string();

    // swc uploads (one file segmented), swift downloads with its checksum on.
    std::env::set_current_dir(&dir).unwrap();
    run(&swc, &["upload", "-S", "1M", &cont, "src"]);
    run(&swift, &["download", "-D", &d("by-swift"), &cont]);
    for f in ["src/small.txt", "src/big.bin"] {
        assert!(
            std::fs::read(dir.join("by-swift").join(f)).unwrap()
                == std::fs::read(dir.join(f)).unwrap(),
            "{f}"
        );
    }
    let stat = String::from_utf8(run(&swift, &["stat", &cont, "src/big.bin"]).stdout).unwrap();
    assert!(
        stat.contains("X-Static-Large-Object: True") && stat.contains("Meta Mtime:"),
        "{stat}"
    );

    // swift uploads segmented (DLO names of its own), swc downloads and verifies.
    let cont2 = unique("cli2");
    run(
        &swift,
        &["upload", "-S", "1000000", "--use-dlo", &cont2, "src"],
    );
    run(&swc, &["download", "-D", &d("by-swc"), &cont2]);
    for f in ["src/small.txt", "src/big.bin"] {
        assert!(
            std::fs::read(dir.join("by-swc").join(f)).unwrap()
                == std::fs::read(dir.join(f)).unwrap(),
            "{f}"
        );
    }
    // Each removes the other's large objects, segments included.
    run(&swc, &["delete", &cont2]);
    run(&swift, &["delete", &cont]);
    let c = client(&v1_options());
    rt().block_on(async {
        assert!(stored_names(&c, &format!("{cont}_segments"))
            .await
            .is_empty());
        assert!(stored_names(&c, &format!("{cont2}_segments"))
            .await
            .is_empty());
        cleanup(&c, &format!("{cont}_segments")).await;
        cleanup(&c, &format!("{cont2}_segments")).await;
    });

    // `upload c .` names the files as swift does: "small.txt", not "./small.txt".
    std::env::set_current_dir(dir.join("src")).unwrap();
    let (dot1, dot2) = (unique("dot"), unique("dot"));
    run(&swc, &["upload", &dot1, "."]);
    run(&swift, &["upload", &dot2, "."]);
    let ours = run(&swc, &["list", &dot1]).stdout;
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&run(&swift, &["list", &dot2]).stdout)
    );
    assert_eq!(String::from_utf8_lossy(&ours), "big.bin\nsmall.txt\n");
    run(&swc, &["delete", &dot1]);
    run(&swc, &["delete", &dot2]);
    std::env::set_current_dir(&dir).unwrap();

    // Long listings, human sizes and totals print exactly as `swift`'s.
    let lc = unique("long");
    run(&swc, &["upload", "-S", "1M", &lc, "src"]);
    // A busy cluster may update container listings a moment later: compare
    // only once both objects are listed.
    for _ in 0..50 {
        if run(&swc, &["list", &lc]).stdout == b"src/big.bin\nsrc/small.txt\n" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let same = |args: &[&str]| {
        let ours = String::from_utf8(run(&swc, args).stdout).unwrap();
        let theirs = String::from_utf8(run(&swift, args).stdout).unwrap();
        assert_eq!(ours, theirs, "swc vs swift {args:?}");
        ours
    };
    let long = same(&["list", "-l", &lc]);
    assert!(
        long.contains(" 2500000 ") && long.lines().count() == 3,
        "{long}"
    );
    same(&["list", "--lh", &lc]);
    same(&["list", "--lh", "-d", "/", &lc]);
    same(&["list", "-l", "-t", &lc]);
    same(&["list", "-l", "-p", &lc]);
    same(&["list", "--lh", "-t", "-p", &lc]);
    // stat --lh: the same facts, apart from the per-request ids.
    for args in [
        vec!["stat", "--lh", lc.as_str()],
        vec!["stat", "--lh", lc.as_str(), "src/big.bin"],
    ] {
        let lines = |o: Output| {
            let mut v: Vec<String> = String::from_utf8(o.stdout)
                .unwrap()
                .lines()
                .filter(|l| !l.contains("Trans-Id") && !l.contains("Request-Id"))
                .map(|l| l.trim().to_string())
                .collect();
            v.sort();
            v
        };
        let (ours, theirs) = (lines(run(&swc, &args)), lines(run(&swift, &args)));
        assert_eq!(ours, theirs, "{args:?}");
        // The object's 2 500 000 bytes as ls -lh would show them; the
        // container holds only the manifest and the small file.
        assert!(
            ours.iter()
                .any(|l| l == "Content Length: 2.4M" || l == "Bytes: 790"),
            "{ours:?}"
        );
    }
    run(&swc, &["delete", &lc]);

    // `auth -v` prints the settings in use, as `swift -v auth` does.
    let ours = run(&swc, &["-v", "auth"]).stdout;
    let theirs = run(&swift, &["-v", "auth"]).stdout;
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs)
    );
    assert!(String::from_utf8_lossy(&ours).contains("export ST_USER=test:tester\n"));
    // --debug: curl lines on stderr, the token replaced by ***.
    let token = String::from_utf8(run(&swc, &["auth"]).stdout).unwrap();
    let token = token
        .lines()
        .find_map(|l| l.strip_prefix("export OS_AUTH_TOKEN="))
        .unwrap()
        .to_string();
    let dbg = String::from_utf8(run(&swc, &["--debug", "stat"]).stderr).unwrap();
    assert!(dbg.contains("DEBUG:swiftclient:REQ: curl -i "), "{dbg}");
    assert!(dbg.contains("X-Auth-Token: ***"), "{dbg}");
    assert!(!dbg.contains(&token) && !dbg.contains("testing"), "{dbg}");
    // Every subcommand has --help.
    for sub in SUBCOMMANDS {
        let out = String::from_utf8(run(&swc, &[sub, "--help"]).stdout).unwrap();
        assert!(
            out.starts_with(&format!("Usage: swc {sub}")),
            "{sub}: {out}"
        );
    }

    // Temp URLs agree with `swift tempurl`.
    for args in [
        ["GET", "1790000000", "/v1/AUTH_a/c/o", "key"],
        ["PUT", "2030-01-01T00:00:00Z", "/v1/AUTH_a/c/ü", "k2"],
    ] {
        let mut a = vec!["tempurl", "--absolute"];
        a.extend(args);
        let ours = run(&swc, &a).stdout;
        let theirs = run(&swift, &a).stdout;
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }
    std::env::set_current_dir(std::env::temp_dir()).unwrap();
}

fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// `path [auth 0.001s, headers 0.012s, total 0.020s, 1.234 MB/s]` -> path
fn timing_path(line: &str) -> String {
    let (path, rest) = line
        .split_once(" [")
        .unwrap_or_else(|| panic!("no timing: {line}"));
    let nums: Vec<&str> = rest
        .trim_end_matches(']')
        .split(", ")
        .map(|p| p.split_whitespace().last().unwrap_or(""))
        .collect();
    assert!(
        rest.starts_with("auth ") && rest.contains(", headers ") && rest.contains(", total "),
        "{line}"
    );
    assert!(
        rest.ends_with(" MB/s]") || rest.ends_with(", pseudo]"),
        "{line}"
    );
    for n in &nums[..3] {
        let v: f64 = n.trim_end_matches('s').parse().unwrap_or(-1.0);
        let decimals = n
            .trim_end_matches('s')
            .split('.')
            .nth(1)
            .map_or(0, str::len);
        assert!(v >= 0.0 && decimals == 3, "{line}");
    }
    path.to_string()
}

/// What swc prints per object (upload, skipped uploads, segments, download
/// timing lines, deletes) is what swift prints, line for line.
#[test]
fn swc_prints_what_swift_prints() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("out");
    std::fs::create_dir_all(dir.join("src/sub")).unwrap();
    std::fs::write(dir.join("src/a.txt"), b"alpha\n").unwrap();
    std::fs::write(dir.join("src/sub/b.bin"), data(300_000, 9)).unwrap();
    let (ours, theirs) = (unique("outs"), unique("outp"));
    for (tool, c) in [(&swc, &ours), (&swift, &theirs)] {
        let up = ok_in(tool, &dir, &["upload", "-S", "100000", c, "src"]);
        let again = ok_in(tool, &dir, &["upload", "--skip-identical", c, "src"]);
        let name = if c == &ours { "swc" } else { "swift" };
        // swift names each segment, then the manifest; skipped files too.
        assert!(up.contains("src/sub/b.bin segment 2\n"), "{name}: {up}");
        assert_eq!(
            sorted_lines(&again),
            ["src/a.txt", "src/sub/b.bin"],
            "{name}"
        );
    }
    let (a, b) = (
        ok_in(&swc, &dir, &["upload", "-S", "100000", &ours, "src"]),
        ok_in(&swift, &dir, &["upload", "-S", "100000", &theirs, "src"]),
    );
    assert_eq!(sorted_lines(&a), sorted_lines(&b));

    // Downloads: one timing line per object, the path as swift gives it.
    std::fs::create_dir_all(dir.join("d1")).unwrap();
    std::fs::create_dir_all(dir.join("d2")).unwrap();
    let ours_dl = ok_in(&swc, &dir.join("d1"), &["download", &ours]);
    let theirs_dl = ok_in(&swift, &dir.join("d2"), &["download", &theirs]);
    let paths = |s: &str| {
        let mut v: Vec<String> = s.lines().map(timing_path).collect();
        v.sort();
        v
    };
    assert_eq!(paths(&ours_dl), paths(&theirs_dl));
    assert_eq!(paths(&ours_dl), ["src/a.txt", "src/sub/b.bin"]);
    let with_dir = ok_in(&swc, &dir, &["download", "-D", "d3", &ours, "src/a.txt"]);
    assert_eq!(paths(&with_dir), ["d3/src/a.txt"]);
    // A missing object: swift's message, exit status 1.
    for tool in [&swc, &swift] {
        let out = run_in(tool, &dir, &["download", &ours, "nope"], &[]);
        assert_eq!(out.status.code(), Some(1), "{tool:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("Object '{ours}/nope' not found\n"),
            "{tool:?}"
        );
    }
    // -q prints nothing.
    assert_eq!(ok_in(&swc, &dir.join("d1"), &["-q", "download", &ours]), "");

    // Deletes: the same lines (objects, then the container).
    let del_ours = ok_in(&swc, &dir, &["delete", &ours]);
    let del_theirs = ok_in(&swift, &dir, &["delete", &theirs]);
    let strip = |s: &str, c: &str| -> Vec<String> { sorted_lines(&s.replace(c, "CONTAINER")) };
    assert_eq!(strip(&del_ours, &ours), strip(&del_theirs, &theirs));
    for c in [format!("{ours}_segments"), format!("{theirs}_segments")] {
        run_in(&swc, &dir, &["delete", &c], &[]);
    }
}

/// What one tool uploads the other's `stat` shows the same way: same
/// metadata (mtime included), and downloads restore the file's mtime.
#[test]
fn swc_and_swift_agree_on_metadata_and_mtime() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("meta");
    let f = dir.join("m.dat");
    std::fs::write(&f, data(150_000, 4)).unwrap();
    // An mtime with a fraction, as files have.
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_micros(1_600_000_000_123_456);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (ours, theirs) = (unique("metas"), unique("metap"));
    for (tool, c) in [(&swc, &ours), (&swift, &theirs)] {
        ok_in(
            tool,
            &dir,
            &[
                "upload",
                "--use-slo",
                "-S",
                "60000",
                "-m",
                "Color:blue",
                "-H",
                "Content-Type:text/x-test",
                c,
                "m.dat",
            ],
        );
    }
    // Whatever changes per upload is left out: dates, ids, and the manifest's
    // own ETag (its segment names hold the upload time).
    let facts = |tool: &Path, c: &str| -> Vec<String> {
        let out = ok_in(tool, &dir, &["stat", c, "m.dat"]);
        let mut v: Vec<String> = out
            .lines()
            .map(|l| l.trim().replace(c, "CONTAINER"))
            .filter(|l| {
                ![
                    "Last Modified:",
                    "X-Timestamp:",
                    "X-Trans-Id:",
                    "X-Openstack-Request-Id:",
                    "Date:",
                    "X-Manifest-Etag:",
                ]
                .iter()
                .any(|p| l.starts_with(p))
            })
            .collect();
        v.sort();
        v
    };
    for tool in [&swc, &swift] {
        let (a, b) = (facts(tool, &ours), facts(tool, &theirs));
        assert_eq!(a, b, "{tool:?}");
        assert!(
            a.contains(&"Meta Mtime: 1600000000.123456".to_string()),
            "{a:?}"
        );
        assert!(a.contains(&"Meta Color: blue".to_string()), "{a:?}");
        assert!(
            a.contains(&"Content Type: text/x-test".to_string()),
            "{a:?}"
        );
        assert!(
            a.contains(&"X-Static-Large-Object: True".to_string()),
            "{a:?}"
        );
    }
    // Each downloads the other's object with its mtime restored.
    for (tool, c, out) in [
        (&swc, &theirs, "by-swc.dat"),
        (&swift, &ours, "by-swift.dat"),
    ] {
        ok_in(tool, &dir, &["download", "-o", out, c, "m.dat"]);
        let got = dir.join(out);
        assert_eq!(std::fs::read(&got).unwrap(), std::fs::read(&f).unwrap());
        let m = std::fs::metadata(&got).unwrap().modified().unwrap();
        let d = m.duration_since(mtime).unwrap_or_else(|e| e.duration());
        assert!(d < std::time::Duration::from_millis(1), "{tool:?}: {m:?}");
    }
    for c in [&ours, &theirs] {
        remove_with_segments(&swc, &dir, c);
    }
}

/// `delete --versions` removes every version of a versioned container's
/// objects (and the container), as swift's does.
#[test]
fn swc_delete_versions() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("vers");
    for tool in [&swc, &swift] {
        let c = unique("vers");
        ok_in(
            &swift,
            &dir,
            &["post", "-H", "X-Versions-Enabled: true", &c],
        );
        for body in ["one", "two", "three"] {
            std::fs::write(dir.join("v.txt"), body).unwrap();
            ok_in(&swc, &dir, &["upload", &c, "v.txt"]);
        }
        // Container listings may lag a moment behind a busy cluster.
        let versions_listed = |n: usize| {
            for _ in 0..50 {
                let v = ok_in(&swift, &dir, &["list", "--versions", &c]);
                if v.lines().count() == n {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            panic!("{tool:?}: the listing never showed {n} versions");
        };
        versions_listed(3);
        // One version by its id.
        let listed: serde_json::Value =
            serde_json::from_str(&ok_in(&swc, &dir, &["list", "--versions", "-j", &c])).unwrap();
        let id = listed[2]["version_id"].as_str().unwrap().to_string();
        // The oldest version (listed last) read back: stat as swift shows
        // it, and its bytes.
        let first = listed[2]["version_id"].as_str().unwrap().to_string();
        let stat_lines = |t: &Path| -> Vec<String> {
            let out = ok_in(t, &dir, &["stat", "--version-id", &first, &c, "v.txt"]);
            let mut v: Vec<String> = out
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| {
                    !l.starts_with("X-Trans-Id:") && !l.starts_with("X-Openstack-Request-Id:")
                })
                .collect();
            v.sort();
            v
        };
        let ours = stat_lines(&swc);
        assert_eq!(ours, stat_lines(&swift));
        assert!(ours.contains(&"Content Length: 3".to_string()), "{ours:?}");
        assert!(
            ours.contains(&format!("X-Object-Version-Id: {first}")),
            "{ours:?}"
        );
        for t in [&swc, &swift] {
            let _ = std::fs::remove_file(dir.join("old.txt"));
            ok_in(
                t,
                &dir,
                &[
                    "download",
                    "--version-id",
                    &first,
                    "-o",
                    "old.txt",
                    &c,
                    "v.txt",
                ],
            );
            assert_eq!(std::fs::read(dir.join("old.txt")).unwrap(), b"one", "{t:?}");
        }
        ok_in(tool, &dir, &["delete", "--version-id", &id, &c, "v.txt"]);
        versions_listed(2);
        std::fs::write(dir.join("v.txt"), "four").unwrap();
        ok_in(&swc, &dir, &["upload", &c, "v.txt"]);
        versions_listed(3);
        // Without --versions only the current one goes; with it, all.
        let out = ok_in(tool, &dir, &["delete", "--versions", &c]);
        // A line per version; a retried delete ends in " [after N attempts]",
        // as swift prints it (seen on a freshly started cluster).
        let deleted = |l: &&str| *l == "v.txt" || l.starts_with("v.txt [after ");
        assert!(out.lines().filter(deleted).count() >= 3, "{tool:?}: {out}");
        let left = run_in(&swift, &dir, &["list", "--versions", &c], &[]);
        assert!(
            !left.status.success() || left.stdout.is_empty(),
            "{tool:?}: {}",
            String::from_utf8_lossy(&left.stdout)
        );
    }
}

/// `--changed` and `--skip-identical` skip what the other tool uploaded
/// (plain and SLO): nothing is rewritten, the objects keep their timestamp.
#[test]
fn swc_and_swift_skip_each_others_uploads() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("skip");
    std::fs::write(dir.join("big.dat"), data(200_000, 7)).unwrap();
    std::fs::write(dir.join("small.txt"), b"small\n").unwrap();
    let stamp = |c: &str, o: &str| -> String {
        let out = ok_in(&swift, &dir, &["stat", c, o]);
        out.lines()
            .find(|l| l.trim_start().starts_with("X-Timestamp:"))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    for (first, second) in [(&swc, &swift), (&swift, &swc)] {
        let c = unique("skip");
        let up = |tool: &Path, flag: Option<&str>| {
            let mut a = vec!["upload", "--use-slo", "-S", "65536"];
            a.extend(flag);
            a.extend([c.as_str(), "big.dat", "small.txt"]);
            ok_in(tool, &dir, &a)
        };
        up(first, None);
        let before = (stamp(&c, "big.dat"), stamp(&c, "small.txt"));
        for flag in ["--changed", "--skip-identical"] {
            up(second, Some(flag));
            assert_eq!(
                (stamp(&c, "big.dat"), stamp(&c, "small.txt")),
                before,
                "{second:?} {flag} rewrote what {first:?} uploaded"
            );
        }
        // And a real change is uploaded.
        std::fs::write(dir.join("small.txt"), b"changed\n").unwrap();
        up(second, Some("--skip-identical"));
        assert_ne!(stamp(&c, "small.txt"), before.1);
        std::fs::write(dir.join("small.txt"), b"small\n").unwrap();
        remove_with_segments(&swc, &dir, &c);
    }
}

/// swc uploads a DLO and streams from standard input (segmented and not);
/// swift downloads each with its checksum on, and lists the DLO's manifest.
#[test]
fn swc_dlo_and_stdin_uploads_read_by_swift() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = tmpdir("pipe");
    let big = data(2_500_000, 11);
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    std::fs::write(dir.join("small.txt"), b"through a pipe\n").unwrap();
    let c = unique("pipe");
    ok_in(
        &swc,
        &dir,
        &["upload", "--use-dlo", "-S", "1M", &c, "big.bin"],
    );
    for (input, name, seg) in [
        ("big.bin", "piped.bin", "1M"),
        ("small.txt", "piped.txt", "1M"),
    ] {
        let out = with_creds(&swc)
            .args(["upload", "--object-name", name, "-S", seg, &c, "-"])
            .current_dir(&dir)
            .stdin(std::fs::File::open(dir.join(input)).unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (obj, local) in [
        ("big.bin", "big.bin"),
        ("piped.bin", "big.bin"),
        ("piped.txt", "small.txt"),
    ] {
        let got = format!("got-{obj}");
        ok_in(&swift, &dir, &["download", "-o", &got, &c, obj]);
        assert_eq!(
            std::fs::read(dir.join(&got)).unwrap(),
            std::fs::read(dir.join(local)).unwrap(),
            "{obj}"
        );
    }
    let stat = ok_in(&swift, &dir, &["stat", &c, "big.bin"]);
    assert!(
        stat.lines().any(|l| l
            .trim()
            .starts_with(&format!("Manifest: {c}_segments/big.bin/"))),
        "{stat}"
    );
    let stat = ok_in(&swift, &dir, &["stat", &c, "piped.bin"]);
    assert!(stat.contains("Content Length: 2500000"), "{stat}");
    // swift removes the DLO's segments and the stream's.
    ok_in(&swift, &dir, &["delete", &c]);
    let left = ok_in(&swift, &dir, &["list", &format!("{c}_segments")]);
    assert_eq!(left, "", "segments left behind");
    run_in(&swc, &dir, &["delete", &format!("{c}_segments")], &[]);
}

/// A container the user cannot create but may write into: swc warns and
/// exits 0, as swift does.
#[test]
fn swc_upload_into_a_write_only_container_warns_and_succeeds() {
    let swc = swc_bin();
    let cont = unique("swc-writeonly");
    run(&swc, &["post", "-w", "test:tester3", &cont]);
    let dir = tmpdir("swc-wo");
    std::fs::write(dir.join("f.txt"), b"write-only").unwrap();
    let out = with_creds(&swc)
        .current_dir(&dir)
        .env("ST_USER", "test:tester3")
        .env("ST_KEY", "testing3")
        .args(["upload", "--leave-segments", &cont, "f.txt"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("Warning: failed to create container '{cont}'")),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "f.txt");
    run(&swc, &["delete", &cont]);
}

/// A short swc session against Ceph RGW, the second server: an SLO upload,
/// list, stat, a verified download byte for byte, and a delete that takes
/// the segments too. Skipped (saying so) when no RGW is described.
#[test]
fn swc_session_on_rgw() {
    let Ok(auth) = std::env::var("SWC_TEST_RGW_AUTH") else {
        assert!(
            std::env::var("SWC_TEST_RGW_REQUIRED").as_deref() != Ok("1"),
            "SWC_TEST_RGW_REQUIRED=1 but SWC_TEST_RGW_AUTH is not set"
        );
        eprintln!("skipped: no Ceph RGW (SWC_TEST_RGW_AUTH unset; run scripts/rgw up)");
        return;
    };
    let swc = swc_bin();
    let rgw = |dir: &Path, args: &[&str]| {
        let out = with_creds(&swc)
            .current_dir(dir)
            .env("ST_AUTH", &auth)
            .env("ST_USER", env("SWC_TEST_RGW_USER"))
            .env("ST_KEY", env("SWC_TEST_RGW_KEY"))
            .args(args)
            .output()
            .unwrap();
        let (o, e) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert!(out.status.success(), "swc {args:?}: {o}\n{e}");
        o
    };
    let dir = tmpdir("swc-rgw");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let body = data(2_500_000, 11);
    std::fs::write(dir.join("big.bin"), &body).unwrap();
    let cont = unique("swc-rgw").to_ascii_lowercase();
    let up = rgw(&dir, &["upload", "-S", "1000000", &cont, "big.bin"]);
    assert!(up.contains("big.bin segment 2"), "{up}");
    assert_eq!(rgw(&dir, &["list", &cont]).trim(), "big.bin");
    let stat = rgw(&dir, &["stat", &cont, "big.bin"]);
    assert!(stat.contains("Content Length: 2500000"), "{stat}");
    rgw(&dir, &["download", "-D", "out", &cont, "big.bin"]);
    assert_eq!(std::fs::read(dir.join("out/big.bin")).unwrap(), body);
    // A stream from standard input, segmented as it arrives.
    let mut child = with_creds(&swc)
        .current_dir(&dir)
        .env("ST_AUTH", &auth)
        .env("ST_USER", env("SWC_TEST_RGW_USER"))
        .env("ST_KEY", env("SWC_TEST_RGW_KEY"))
        .args([
            "upload",
            "-S",
            "1000000",
            "--object-name",
            "piped",
            &cont,
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(&body).unwrap();
    assert!(child.wait().unwrap().success());
    rgw(&dir, &["download", "-o", "out/piped", &cont, "piped"]);
    assert_eq!(std::fs::read(dir.join("out/piped")).unwrap(), body);
    rgw(&dir, &["delete", &cont]);
    let left = rgw(&dir, &["list", &format!("{cont}_segments")]);
    assert_eq!(left.trim(), "", "segments left: {left}");
    rgw(&dir, &["delete", &format!("{cont}_segments")]);
}
