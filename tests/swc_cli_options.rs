//! `swc`, the C command-line client in examples-c/, on a terminal and side
//! by side with python-swiftclient's `swift` on its options and words: the
//! progress bar, global options anywhere, the password prompt, temp URL
//! times, help, usage errors and the messages when things go wrong (the
//! data both move is checked in swc_cli.rs).

mod common;

use common::swc::*;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// On a terminal, upload and download draw a progress line (bytes of the
/// total, rate, ETA) on standard error; off a terminal, none.
#[test]
fn swc_progress_bar_only_on_a_terminal() {
    let swc = swc_bin();
    let dir = tmpdir("bar");
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
    let dir = tmpdir("missing");
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

/// `swc bash_completion [command]` (#18), what the installed completion
/// scripts ask for: every word `swift bash_completion` gives is in ours
/// (swift's underscore spellings and what README lists as not in swc
/// aside), the subcommands without bash_completion, an unknown command an
/// empty line, status 0 as swift.
#[test]
fn swc_bash_completion_words_cover_swift() {
    let words = |out: &Output| -> Vec<String> {
        assert_eq!(out.status.code(), Some(0));
        text(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let not_in_swc = ["--debug-with-secrets", "--os-help"];
    for sub in [None].into_iter().chain(SUBCOMMANDS.iter().map(Some)) {
        let mut args = vec!["bash_completion"];
        args.extend(sub.copied());
        let [(_, ours), (_, theirs)] = swc_and_swift(&args, &[]);
        let (ours, theirs) = (words(&ours), words(&theirs));
        for w in &theirs {
            if w.starts_with("--os_") || not_in_swc.contains(&w.as_str()) {
                continue;
            }
            assert!(
                ours.contains(w),
                "{sub:?}: swift's {w} missing from {ours:?}"
            );
        }
        assert!(!ours.iter().any(|w| w == "bash_completion"), "{ours:?}");
        if sub.is_none() {
            for s in SUBCOMMANDS.iter().filter(|s| **s != "bash_completion") {
                assert!(ours.iter().any(|w| w == s), "{s} missing: {ours:?}");
            }
        }
    }
    let [(_, ours), (_, theirs)] = swc_and_swift(&["bash_completion", "nosuch"], &[]);
    assert_eq!(words(&ours), words(&theirs));
    assert_eq!(text(&ours.stdout), "\n");
}

/// Issue #19, 5 and 6: every flag in its subcommand's --help with a
/// sentence (all of swift's among them); info is capabilities; the help on
/// stdout; thread counts checked as swift checks them.
#[test]
fn swc_helps_and_checks_numbers_as_swift() {
    let swc = swc_bin();
    for sub in SUBCOMMANDS.iter().chain(&["info"]) {
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
    let tmp = tmpdir("threads");
    let file = tmp.join("x");
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
}

/// Sends SIGINT to `child` once `ready` holds, and returns its output.
fn interrupt_when(mut child: std::process::Child, ready: impl Fn() -> bool) -> Output {
    let t0 = std::time::Instant::now();
    while !ready() {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(30)
                && child.try_wait().unwrap().is_none(),
            "swc never got there (or ended first)"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    child.wait_with_output().unwrap()
}

/// Ctrl-C, as `swift` answers it (" Aborted", status 2), but only after
/// the library cancelled the operation: a segmented upload leaves no
/// segment and no manifest (swift leaves the segments it sent), a download
/// no partial file. A held-back answer keeps each operation from ending.
#[test]
fn ctrl_c_cancels_and_leaves_nothing_half_done() {
    use common::faultproxy::{Fault, FaultProxy};
    use std::process::Stdio;
    use std::time::Duration;
    let swc = swc_bin();
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let dir = tmpdir("ctrlc");
    let (path, body) = data_file(&dir, "big.bin", 6_000_000, 3);
    let cont = unique("ctrlc");
    let through_proxy = |args: &[&str]| {
        with_creds(&swc)
            .env("ST_AUTH", format!("{}/auth/v1.0", fp.url))
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let hold = |at| Box::new(Fault::StallResponseAfter(at, Duration::from_secs(60)));
    let aborted = |out: &Output| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.ends_with(" Aborted\n"), "{err}");
    };

    fp.push(Fault::OnMatch("/slo/".into(), hold(0)));
    let child = through_proxy(&["upload", "--segment-size", "1000000", &cont, "big.bin"]);
    let segment_puts = || {
        let heads = fp.heads();
        heads
            .iter()
            .filter(|h| h.starts_with("PUT") && h.contains("/slo/"))
            .count()
    };
    aborted(&interrupt_when(child, || segment_puts() >= 3));
    let rc = client(&v1_options());
    rt.block_on(async {
        assert_eq!(
            stored_names(&rc, &cont).await,
            Vec::<String>::new(),
            "a manifest"
        );
        let left = stored_names(&rc, &format!("{cont}_segments")).await;
        assert_eq!(left, Vec::<String>::new(), "segments left behind");
    });

    rt.block_on(put(&rc, &cont, "big.bin", &body, serde_json::json!({})));
    std::fs::remove_file(&path).unwrap();
    fp.clear();
    fp.push(Fault::OnMatch("big.bin".into(), hold(2_000_000)));
    let child = through_proxy(&["download", &cont, "big.bin"]);
    let partial = || {
        std::fs::read_dir(&*dir).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains("swc-partial")
        })
    };
    aborted(&interrupt_when(child, partial));
    let files: Vec<_> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        files.is_empty(),
        "left in the download directory: {files:?}"
    );
    rt.block_on(cleanup(&rc, &cont));
    rt.block_on(cleanup(&rc, &format!("{cont}_segments")));
}

/// `--auth-headers storage`: the v1 auth request spells the credentials
/// X-Storage-User / X-Storage-Pass (tempauth takes both spellings); a
/// value the library does not know is refused, naming the option.
#[test]
fn swc_auth_headers_storage_spelling() {
    use common::faultproxy::FaultProxy;
    let swc = swc_bin();
    let rt = rt_threads(1);
    let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
    let dir = tmpdir("auth-headers");
    let auth = format!("{}/auth/v1.0", fp.url);
    let out = run_in(
        &swc,
        &dir,
        &["-A", &auth, "--auth-headers", "storage", "stat"],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let heads = fp.heads();
    let auth_head = heads
        .iter()
        .find(|h| h.contains("/auth/v1.0"))
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        auth_head.contains("x-storage-user: test:tester"),
        "{auth_head}"
    );
    assert!(auth_head.contains("x-storage-pass:"), "{auth_head}");
    assert!(!auth_head.contains("x-auth-user"), "{auth_head}");
    let out = run_in(&swc, &dir, &["--auth-headers", "both", "stat"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("auth_headers"), "{err}");
}

/// `swc capabilities` (and `info`), plain and `--json`, with and without a
/// proxy URL, prints byte for byte what `swift capabilities` prints: on the
/// local cluster, and on a scripted /info whose values need Python's
/// spelling (True/None, quotes chosen as repr chooses them, floats as
/// repr writes them, escapes, dicts in the document's order).
#[test]
fn swc_capabilities_prints_as_swift() {
    let root = env("SWC_TEST_V1_AUTH")
        .split("/auth")
        .next()
        .unwrap()
        .to_string();
    let same = |args: &[&str]| {
        let [(_, ours), (_, theirs)] = swc_and_swift(args, &[]);
        assert!(
            theirs.status.success(),
            "swift {args:?}: {}",
            text(&theirs.stderr)
        );
        assert_eq!(
            (text(&ours.stdout), ours.status.code()),
            (text(&theirs.stdout), theirs.status.code()),
            "swc {args:?} differs from swift (stderr: {})",
            text(&ours.stderr)
        );
        text(&ours.stdout)
    };
    let core = same(&["capabilities"]);
    assert!(core.starts_with("Core: swift\n Options:\n"), "{core}");
    assert!(core.contains("'default': True"), "{core}");
    same(&["capabilities", "--json"]);
    same(&["info"]);
    same(&["capabilities", &root]);

    use common::fixture::{Fixture, Response};
    let doc = r#"{"swift": {"version": "2.38.3", "f_small": 1e-05, "f_big": 1e16,
        "f_frac": 0.1, "f_neg": -2.5, "f_int": 60.0, "f_mixed": 123.456, "neg0": -0.0,
        "quote": "it's", "both": "a'b\"c", "uni": "caf\u00e9 \u2603 \ud83d\ude00",
        "ctl": "tab\there", "ctl_list": ["a\tb", "\u0001", "\u00a0", "\\"],
        "nested": {"z": 1, "a": [true, null, "x", 2.0]}, "empty_list": [], "empty_obj": {},
        "big_int": 12345678901234, "flag": false, "nothing": null},
        "zeta": {}, "alpha": {"k": "v", "b": {"y": 1, "x": 2}}, "mid": null}"#;
    let r = rt_threads(1);
    let fx = r.block_on(Fixture::start(move |req| match req.path.as_str() {
        "/info" => Response {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: doc.as_bytes().to_vec(),
        },
        _ => Response::empty(404),
    }));
    let tricky = same(&["capabilities", &fx.url]);
    assert!(
        tricky.contains("  nested: {'z': 1, 'a': [True, None, 'x', 2.0]}\n"),
        "{tricky}"
    );
    same(&["capabilities", "--json", &fx.url]);
}
