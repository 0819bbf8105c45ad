//! `swc`, the C command-line client in examples-c/, against the local
//! cluster and side by side with python-swiftclient's `swift`: what one
//! uploads (plain and segmented) the other downloads intact, and temp URLs
//! agree.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds swc once per test run: the tests run in parallel, and rebuilding
/// it while another test runs it fails with "text file busy".
fn swc_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_swc).clone()
}

fn build_swc() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let out = lib.join("c-tests").join("swc");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Every .c file of examples-c/swc/, sorted so the command is the same
    // from run to run.
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root.join("examples-c/swc"))
        .expect("examples-c/swc")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    assert!(!sources.is_empty(), "no .c files in examples-c/swc");
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
        .args(&sources)
        .arg("-L")
        .arg(&lib)
        .args(["-lswiftclient", "-ljansson", "-o"])
        .arg(&out)
        .status()
        .expect("cc");
    assert!(st.success(), "swc does not build");
    out
}

/// A command that finds the library and has the v1 test credentials.
fn with_creds(cmd: impl AsRef<std::ffi::OsStr>) -> Command {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let mut c = Command::new(cmd);
    c.env("LD_LIBRARY_PATH", lib)
        .env("ST_AUTH", env("SWC_TEST_V1_AUTH"))
        .env("ST_USER", "test:tester")
        .env("ST_KEY", "testing");
    c
}

fn run(cmd: &Path, args: &[&str]) -> Output {
    let out = with_creds(cmd).args(args).output().unwrap();
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

/// Runs a command in `dir` with the v1 credentials and extra environment;
/// the caller checks the status.
fn run_in(cmd: &Path, dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> Output {
    with_creds(cmd)
        .args(args)
        .current_dir(dir)
        .envs(extra.iter().copied())
        .output()
        .unwrap()
}

/// Deletes a container and its segment container (which may not exist).
fn remove_with_segments(swc: &Path, dir: &Path, c: &str) {
    ok_in(swc, dir, &["delete", c]);
    run_in(swc, dir, &["delete", &format!("{c}_segments")], &[]);
}

fn ok_in(cmd: &Path, dir: &Path, args: &[&str]) -> String {
    let out = run_in(cmd, dir, args, &[]);
    assert!(
        out.status.success(),
        "{cmd:?} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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
    let dir = std::env::temp_dir().join(unique("out"));
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
    std::fs::remove_dir_all(&dir).unwrap();
}

/// On a terminal, upload and download draw a progress line (bytes of the
/// total, rate, ETA) on standard error; off a terminal, none.
#[test]
fn swc_progress_bar_only_on_a_terminal() {
    let swc = swc_bin();
    let dir = std::env::temp_dir().join(unique("bar"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("big.bin"), data(6_000_000, 3)).unwrap();
    let c = unique("bar");
    // script(1) gives the command a pseudo-terminal.
    let tty = |args: &str| {
        let cmd = format!("{} {args}", swc.display());
        let out = run_in(
            Path::new("script"),
            &dir,
            &["-qfec", &cmd, "/dev/null"],
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let up = tty(&format!("upload -S 2M {c} big.bin"));
    assert!(up.contains("\r\x1b[KUploading "), "{up:?}");
    assert!(
        up.contains(" / 5.7MiB (100%)") && up.contains("/s  ETA 0:00:"),
        "{up:?}"
    );
    // The record lines still come, each on a clean line.
    assert!(
        up.contains("\r\x1b[Kbig.bin") || up.contains("big.bin segment"),
        "{up:?}"
    );
    let down = tty(&format!("download -o got.bin {c} big.bin"));
    assert!(
        down.contains("\r\x1b[KDownloading ") && down.contains("ETA"),
        "{down:?}"
    );
    assert_eq!(
        std::fs::read(dir.join("got.bin")).unwrap(),
        std::fs::read(dir.join("big.bin")).unwrap()
    );
    // Not a terminal: no progress line at all.
    let plain = run_in(
        &swc,
        &dir,
        &["download", "-o", "got2.bin", &c, "big.bin"],
        &[],
    );
    assert!(plain.status.success());
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\r'));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\r'));
    // -q: none even on a terminal.
    let quiet = tty(&format!("-q download -o got3.bin {c} big.bin"));
    assert!(!quiet.contains("Downloading"), "{quiet:?}");
    remove_with_segments(&swc, &dir, &c);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Global options as swift parses them: -T with suffixes, -R whole numbers,
/// --os_* spellings, --version, --force-auth-retry.
#[test]
fn swc_global_options() {
    let swc = swc_bin();
    let dir = std::env::temp_dir();
    for t in ["30", "1.5", "2s", "1m", "1min", "1h", "1hr", "1d"] {
        ok_in(&swc, &dir, &["-T", t, "stat"]);
    }
    for (args, msg) in [
        (vec!["-T", "1x", "stat"], "-T/--timeout"),
        (vec!["-T", "", "stat"], "-T/--timeout"),
        (vec!["-R", "x", "stat"], "-R/--retries"),
        (vec!["-R", "-1", "stat"], "-R/--retries"),
    ] {
        let out = run_in(&swc, &dir, &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(msg),
            "{args:?}"
        );
    }
    // "0.05m" is 3 seconds, not 0.05 (nor 0).
    ok_in(&swc, &dir, &["-T", "0.05m", "stat"]);
    let v = ok_in(&swc, &dir, &["--version"]);
    assert_eq!(v, format!("swc {}\n", env!("CARGO_PKG_VERSION")));
    ok_in(&swc, &dir, &["--force-auth-retry", "-R", "0", "stat"]);
    // --os_username is --os-username (here: a wrong one, so auth fails the
    // way v2/v3 settings are checked, not with "unrecognized option").
    let out = run_in(
        &swc,
        &dir,
        &[
            "--os_storage_url",
            "http://127.0.0.1:1/v1/AUTH_x",
            "--os_auth_token",
            "t",
            "-R",
            "0",
            "stat",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("unrecognized") && err.contains("127.0.0.1:1"),
        "{err}"
    );
}

/// `--prompt` reads the password from the terminal (not echoed) and uses
/// it over the environment's.
#[test]
fn swc_prompt_reads_the_password_from_the_terminal() {
    let swc = swc_bin();
    let cmd = format!("{} --prompt stat", swc.display());
    let mut child = with_creds("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("ST_KEY", "wrong")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::{Read, Write};
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Typed only once asked for, as a person would (input that reaches a
    // terminal before echo is off is echoed by the terminal itself).
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Password: ") {
        assert_eq!(stdout.read(&mut byte).unwrap(), 1, "no prompt: {seen:?}");
        seen.push(byte[0]);
    }
    stdin.write_all(b"testing\n").unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let text = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{text}");
    assert!(text.contains("Account: AUTH_test"), "{text}");
    assert!(!text.contains("testing"), "the password was echoed: {text}");
}

/// What one tool uploads the other's `stat` shows the same way: same
/// metadata (mtime included), and downloads restore the file's mtime.
#[test]
fn swc_and_swift_agree_on_metadata_and_mtime() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir().join(unique("meta"));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Temp URL times without "Z" are local time, as with swift, whatever the
/// time zone.
#[test]
fn swc_tempurl_local_time_agrees_under_any_zone() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir();
    for tz in ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"] {
        for t in ["2031-07-04T12:30:00", "2031-01-15", "2031-01-15T00:00:00Z"] {
            for extra in [&[][..], &["--iso8601"][..]] {
                let mut args = vec!["tempurl"];
                args.extend_from_slice(extra);
                args.extend(["GET", t, "/v1/AUTH_a/c/o", "secret"]);
                let a = run_in(&swc, dir.as_path(), &args, &[("TZ", tz)]);
                let b = run_in(&swift, dir.as_path(), &args, &[("TZ", tz)]);
                assert!(a.status.success() && b.status.success(), "{tz} {args:?}");
                assert_eq!(
                    String::from_utf8_lossy(&a.stdout),
                    String::from_utf8_lossy(&b.stdout),
                    "{tz} {args:?}"
                );
            }
        }
    }
}

/// `delete --versions` removes every version of a versioned container's
/// objects (and the container), as swift's does.
#[test]
fn swc_delete_versions() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir().join(unique("vers"));
    std::fs::create_dir_all(&dir).unwrap();
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
        assert!(
            out.lines().filter(|l| *l == "v.txt").count() >= 3,
            "{tool:?}: {out}"
        );
        let left = run_in(&swift, &dir, &["list", "--versions", &c], &[]);
        assert!(
            !left.status.success() || left.stdout.is_empty(),
            "{tool:?}: {}",
            String::from_utf8_lossy(&left.stdout)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--changed` and `--skip-identical` skip what the other tool uploaded
/// (plain and SLO): nothing is rewritten, the objects keep their timestamp.
#[test]
fn swc_and_swift_skip_each_others_uploads() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir().join(unique("skip"));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).unwrap();
}

/// swc uploads a DLO and streams from standard input (segmented and not);
/// swift downloads each with its checksum on, and lists the DLO's manifest.
#[test]
fn swc_dlo_and_stdin_uploads_read_by_swift() {
    let swc = swc_bin();
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    let dir = std::env::temp_dir().join(unique("pipe"));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Container names that a URL would resolve to the account are refused
/// (exit 1, the library's reason), and the account is untouched.
#[test]
fn swc_refuses_dot_containers() {
    let swc = swc_bin();
    for args in [
        ["delete", "."],
        ["stat", ".."],
        ["post", "."],
        ["list", ".."],
    ] {
        let out = with_creds(&swc).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("would address the account"), "{args:?}: {err}");
    }
    run(&swc, &["stat"]);
}

/// A container the user cannot create but may write into: swc warns and
/// exits 0, as swift does.
#[test]
fn swc_upload_into_a_write_only_container_warns_and_succeeds() {
    let swc = swc_bin();
    let cont = unique("swc-writeonly");
    run(&swc, &["post", "-w", "test:tester3", &cont]);
    let dir = std::env::temp_dir().join(unique("swc-wo"));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).unwrap();
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
    let dir = std::env::temp_dir().join(unique("swc-rgw"));
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
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `args` with swc and with swift, in the temp directory, the v1
/// credentials changed by `extra` (an empty value removes the variable).
fn swc_and_swift(args: &[&str], extra: &[(&str, &str)]) -> [(String, Output); 2] {
    let swift = PathBuf::from(env("SWC_TEST_SWIFT_BIN"));
    [("swc", swc_bin()), ("swift", swift)].map(|(name, bin)| {
        let mut c = with_creds(&bin);
        c.args(args).current_dir(std::env::temp_dir());
        for (k, v) in extra {
            if v.is_empty() {
                c.env_remove(k);
            } else {
                c.env(k, v);
            }
        }
        (name.to_string(), c.output().unwrap())
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The labels of `swift stat`'s lines ("Containers in policy \"gold\"").
fn stat_labels(out: &Output) -> Vec<String> {
    let mut v: Vec<String> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .collect();
    v.sort();
    v
}

/// Issue #19, 1 and 2: global options after the subcommand, and account
/// stat's per-policy lines, as swift prints them.
#[test]
fn swc_takes_global_options_anywhere_as_swift() {
    // stat -v: the storage URL and token first, then the same labels.
    let [(_, ours), (_, theirs)] = swc_and_swift(&["stat", "-v"], &[]);
    assert!(ours.status.success() && theirs.status.success());
    assert_eq!(stat_labels(&ours), stat_labels(&theirs));
    let o = text(&ours.stdout);
    let first: Vec<&str> = o.lines().take(2).map(|l| l.trim_start()).collect();
    assert!(
        first[0].starts_with("StorageURL: http") && first[1].starts_with("Auth Token: "),
        "{o}"
    );
    // Per-policy lines: the same policies as swift, from the account's
    // X-Account-Storage-Policy-* headers.
    let policies = stat_labels(&ours)
        .into_iter()
        .filter(|l| l.contains(" in policy \""))
        .count();
    assert!(policies >= 2, "{o}");
    // --lh after the subcommand, the credentials as options after it too.
    let auth = env("SWC_TEST_V1_AUTH");
    let no_env = [("ST_AUTH", ""), ("ST_USER", ""), ("ST_KEY", "")];
    let args = [
        "stat",
        "--lh",
        "-A",
        &auth,
        "-U",
        "test:tester",
        "-K",
        "testing",
    ];
    let [(_, ours), (_, theirs)] = swc_and_swift(&args, &no_env);
    assert!(ours.status.success(), "{}", text(&ours.stderr));
    assert!(theirs.status.success(), "{}", text(&theirs.stderr));
    assert_eq!(stat_labels(&ours), stat_labels(&theirs));
    assert!(text(&ours.stdout).contains("Account: AUTH_test"));
    // auth -v: the settings, as swift prints them.
    let [(_, ours), (_, theirs)] = swc_and_swift(&["auth", "-v"], &[]);
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
    assert!(text(&ours.stdout).contains("export ST_KEY=testing\n"));
    // list c --debug: the curl lines on stderr.
    let c = unique("anywhere");
    run(&swc_bin(), &["post", &c]);
    for (name, out) in swc_and_swift(&["list", &c, "--debug"], &[]) {
        assert!(out.status.success(), "{name}");
        assert!(
            text(&out.stderr).contains("DEBUG:swiftclient:REQ: curl -i "),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    run(&swc_bin(), &["delete", &c]);
}

/// Issue #19, 3 and 4: the messages scripts grep for, worded as swift's,
/// with swift's exit status.
#[test]
fn swc_says_what_swift_says_when_things_go_wrong() {
    let code = |o: &Output| o.status.code();
    let first_line = |o: &Output| text(&o.stderr).lines().next().unwrap_or("").to_string();
    // A wrong password: swift's ClientException line, word for word.
    let [(_, ours), (_, theirs)] = swc_and_swift(&["stat", "-K", "wrong"], &[]);
    assert_eq!((code(&ours), code(&theirs)), (Some(1), Some(1)));
    assert!(first_line(&theirs).starts_with("Auth GET failed: "));
    assert_eq!(first_line(&ours), first_line(&theirs));
    assert!(text(&ours.stderr).contains("Failed Transaction ID: "));
    // A missing container.
    let none = unique("nosuch");
    for args in [vec!["stat", none.as_str()], vec!["list", none.as_str()]] {
        let [(_, ours), (_, theirs)] = swc_and_swift(&args, &[]);
        assert_eq!(code(&ours), code(&theirs), "{args:?}");
        assert_eq!(first_line(&theirs), format!("Container '{none}' not found"));
        assert_eq!(first_line(&ours), first_line(&theirs), "{args:?}");
    }
    // A missing local file: said, the others uploaded, status 1.
    let dir = std::env::temp_dir().join(unique("missing"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("here.txt"), b"here\n").unwrap();
    let gone = dir.join("gone.txt").display().to_string();
    let here = dir.join("here.txt").display().to_string();
    let up = unique("missing");
    for (name, out) in swc_and_swift(&["upload", &up, &gone, &here], &[]) {
        assert_eq!(code(&out), Some(1), "{name}");
        assert!(
            text(&out.stderr).contains(&format!("Local file '{gone}' not found\n")),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    let listed = text(&run(&swc_bin(), &["list", &up]).stdout);
    assert!(
        listed.contains("here.txt") && !listed.contains("gone"),
        "{listed}"
    );
    run(&swc_bin(), &["delete", &up]);
    std::fs::remove_dir_all(&dir).unwrap();
    // An option the subcommand does not have: swift takes it for a
    // container (status 1); swc shows the usage, with the same status.
    let [(_, ours), (_, theirs)] = swc_and_swift(&["stat", "--bogus"], &[]);
    assert_eq!(code(&ours), code(&theirs));
    assert_eq!(code(&ours), Some(1));
    assert!(
        text(&ours.stderr).starts_with("Usage: swc stat "),
        "{}",
        text(&ours.stderr)
    );
    assert!(text(&ours.stderr).contains("unrecognized arguments: --bogus"));
    // list -V: -V is --auth-version (it wants a value), not --versions.
    let [(_, ours), (_, theirs)] = swc_and_swift(&["list", "-V"], &[]);
    assert_eq!((code(&ours), code(&theirs)), (Some(2), Some(2)));
    // An unknown subcommand, said before credentials are looked at: none
    // here, and an auth URL nothing listens on.
    let no_creds = [
        ("ST_AUTH", "http://127.0.0.1:1/auth/v1.0"),
        ("ST_USER", ""),
        ("ST_KEY", ""),
    ];
    for (name, out) in swc_and_swift(&["nosuch"], &no_creds) {
        assert_eq!(code(&out), Some(1), "{name}");
        let err = text(&out.stderr);
        assert!(err.contains("no such command: nosuch"), "{name}: {err}");
        assert!(
            !err.contains("Auth") && !err.contains("127.0.0.1:1"),
            "{name}: {err}"
        );
    }
}

/// The flags of each "  -x, --flag <arg>   sentence" line of a help's
/// "Optional arguments:", each with whether a sentence follows it.
fn help_flags(help: &str) -> Vec<(String, bool)> {
    let lines: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Optional arguments:"))
        .collect();
    let mut flags = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with("  -") {
            continue;
        }
        // The option ends at two spaces (its sentence follows) or with the
        // line (its sentence on the next, at column 24).
        let body = &l[2..];
        let (left, rest) = body.split_at(body.find("  ").unwrap_or(body.len()));
        let said = !rest.trim().is_empty()
            || lines
                .get(i + 1)
                .is_some_and(|n| n.starts_with(&" ".repeat(24)) && !n.trim().is_empty());
        for w in left.split([' ', ',']) {
            if w.starts_with("--") && w.len() > 2 {
                flags.push((w.to_string(), said));
            }
        }
    }
    flags
}

/// Issue #19, 5 and 6: every flag in its subcommand's --help with a
/// sentence (all of swift's among them); info is capabilities; the help on
/// stdout; thread counts checked as swift checks them.
#[test]
fn swc_helps_and_checks_numbers_as_swift() {
    let swc = swc_bin();
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
        "info",
        "tempurl",
    ] {
        let [(_, ours), (_, theirs)] = swc_and_swift(&[sub, "--help"], &[]);
        assert_eq!(ours.status.code(), Some(0), "{sub}");
        let o = text(&ours.stdout);
        assert!(o.starts_with(&format!("Usage: swc {sub} ")), "{sub}: {o}");
        let ours_flags = help_flags(&o);
        assert!(ours_flags.iter().any(|(f, _)| f == "--help"), "{sub}: {o}");
        for (f, said) in &ours_flags {
            assert!(*said, "{sub}: {f} has no sentence:\n{o}");
        }
        for (f, _) in help_flags(&text(&theirs.stdout)) {
            assert!(
                ours_flags.iter().any(|(g, _)| *g == f),
                "{sub}: swift's {f} missing:\n{o}"
            );
        }
    }
    for args in [vec!["--help"], vec![]] {
        let out = run_in(&swc, &std::env::temp_dir(), &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("subcommands"), "{args:?}");
        assert!(text(&out.stdout).contains("--os-auth-url"), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
    }
    // Thread counts: argparse's int (status 2), then positive (status 1).
    let file = std::env::temp_dir().join(unique("threads"));
    std::fs::write(&file, b"x").unwrap();
    let f = file.display().to_string();
    let c = unique("threads");
    for (args, status, msg) in [
        (
            vec!["upload", "--object-threads", "x", &c, &f],
            2,
            "error: argument --object-threads: invalid int value: 'x'",
        ),
        (
            vec!["upload", "--segment-threads", "0", &c, &f],
            1,
            "ERROR: option --segment-threads should be a positive integer.",
        ),
        (
            vec!["download", "--container-threads", "2x", &c],
            2,
            "error: argument --container-threads: invalid int value: '2x'",
        ),
        (
            vec!["delete", "--object-threads", "-1", &c],
            1,
            "ERROR: option --object-threads should be a positive integer.",
        ),
    ] {
        for (name, out) in swc_and_swift(&args, &[]) {
            assert_eq!(out.status.code(), Some(status), "{name} {args:?}");
            assert!(
                text(&out.stderr).contains(msg),
                "{name} {args:?}: {}",
                text(&out.stderr)
            );
        }
    }
    std::fs::remove_file(&file).unwrap();
}
