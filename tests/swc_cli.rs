//! `swc`, the C command-line client in examples-c/, against the local
//! cluster and side by side with python-swiftclient's `swift`: what one
//! uploads (plain and segmented) the other downloads intact, and temp URLs
//! agree.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn swc_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let out = lib.join("c-tests").join("swc");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let st = Command::new("cc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-I",
        ])
        .arg(root.join("include"))
        .arg(root.join("examples-c/swc.c"))
        .arg("-L")
        .arg(&lib)
        .args(["-lswiftclient", "-ljansson", "-o"])
        .arg(&out)
        .status()
        .expect("cc");
    assert!(st.success(), "swc does not build");
    out
}

fn run(cmd: &Path, args: &[&str]) -> Output {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let out = Command::new(cmd)
        .args(args)
        .env("LD_LIBRARY_PATH", lib)
        .env("ST_AUTH", env("SWC_TEST_V1_AUTH"))
        .env("ST_USER", "test:tester")
        .env("ST_KEY", "testing")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn swc_and_python_swiftclient_read_each_other() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir().join(unique("cli"));
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
        assert!(names(&c, &format!("{cont}_segments")).await.is_empty());
        assert!(names(&c, &format!("{cont2}_segments")).await.is_empty());
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
    for sub in [
        "auth",
        "stat",
        "list",
        "upload",
        "download",
        "delete",
        "post",
        "copy",
        "capabilities",
        "tempurl",
    ] {
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
    std::fs::remove_dir_all(&dir).unwrap();
}
