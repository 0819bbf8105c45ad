//! Downloads resumed across runs (`resume_partial`, swc `download
//! --resume`): a download that fails or whose process is killed keeps its
//! partial file (hidden) and a sidecar naming the object version; the next
//! run fetches only the rest, with Range + If-Match, and checks the whole
//! file. A changed object, or a partial file whose sidecar is missing,
//! corrupt or another object's, starts from zero. The real cluster holds the
//! objects; a fault proxy in front of it breaks or holds a body and counts
//! the bytes it relays.

mod common;

use common::faultproxy::{Fault, FaultProxy};
use common::swc::{swc_bin, with_creds};
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use swiftclient::ffi::service::swc_download;

const SIZE: usize = 3_000_000;

/// The hidden partial file and sidecar of `dir/name`.
fn partial_of(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!(".{name}.swc-partial")),
        dir.join(format!(".{name}.swc-partial.json")),
    )
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A container with `big.bin` (SIZE bytes of `seed`), a fault proxy
/// before the cluster, and a download directory.
struct Setup {
    rt: tokio::runtime::Runtime,
    fp: FaultProxy,
    rc: swiftclient::Client,
    cont: String,
    dir: TempDir,
    body: Vec<u8>,
}

impl Setup {
    fn new(tag: &str, seed: u64) -> Setup {
        let rt = rt_threads(1);
        let fp = rt.block_on(FaultProxy::start(&env("SWC_TEST_PROXY_URL")));
        let rc = client(&v1_options());
        let cont = unique(tag);
        let body = data(SIZE, seed);
        rt.block_on(mkcontainer(&rc, &cont));
        rt.block_on(put(&rc, &cont, "big.bin", &body, json!({})));
        Setup {
            rt,
            fp,
            rc,
            cont,
            dir: tmpdir(tag),
            body,
        }
    }

    /// Downloads `big.bin` through the proxy (no retries: a broken body
    /// fails the run); returns the object's record.
    fn download(&self, resume: bool) -> Value {
        self.download_with(resume, 0)
    }

    fn download_with(&self, resume: bool, retries: u32) -> Value {
        self.download_req(retries, json!({ "resume_partial": resume }))
    }

    /// `download` with `retries` and these request keys.
    fn download_req(&self, retries: u32, extra: Value) -> Value {
        let opts = json!({
            "auth": format!("{}/auth/v1.0", self.fp.url),
            "user": "test:tester", "key": "testing", "retries": retries,
            "starting_backoff": 0.01,
        });
        let mut req = json!({
            "container": self.cont, "objects": ["big.bin"],
            "out_directory": self.dir.path().to_str().unwrap(),
        });
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        let (st, recs, v, _) = svc_on(&opts, swc_download, req);
        assert!(st == 0 || recs.len() == 1, "{st} {v}");
        assert_eq!(recs.len(), 1, "{recs:?}");
        recs[0].clone()
    }

    /// A first run whose body breaks after `at` response bytes: it fails,
    /// keeping a partial file of about that much. Returns its length.
    fn broken_run(&self, at: usize) -> u64 {
        self.fp.push(Fault::OnMatch(
            "GET /v1/".into(),
            Box::new(Fault::ResetResponseAfter(at)),
        ));
        let r = self.download(true);
        assert_eq!(r["success"], json!(false), "{r}");
        let err = r["error"].as_str().unwrap_or("");
        assert!(
            err.contains("kept in") && err.contains(".big.bin.swc-partial"),
            "{r}"
        );
        let (part, side) = partial_of(self.dir.path(), "big.bin");
        assert_eq!(
            listing(self.dir.path()),
            vec![".big.bin.swc-partial", ".big.bin.swc-partial.json"]
        );
        assert!(side.is_file());
        let have = std::fs::metadata(&part).unwrap().len();
        assert!(have > 0 && (have as usize) < at, "{have}");
        have
    }

    /// The downloaded file is the object and nothing else is left.
    fn assert_whole(&self, want: &[u8]) {
        assert_eq!(listing(self.dir.path()), vec!["big.bin"]);
        let got = std::fs::read(self.dir.path().join("big.bin")).unwrap();
        assert!(got == want, "the file differs from the object");
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.rt.block_on(cleanup(&self.rc, &self.cont));
    }
}

/// A run that broke keeps its partial file; the next run asks only for the
/// rest (Range from the kept length, If-Match the ETag), and the proxy
/// relays about that many bytes; the record says so.
#[test]
fn broken_download_resumes_with_the_rest() {
    let s = Setup::new("resdl-broken", 11);
    let have = s.broken_run(1_000_000);
    s.fp.take_bytes_out();
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    assert_eq!(r["resumed_from"], json!(have), "{r}");
    assert_eq!(r["transferred"], json!(SIZE as u64 - have), "{r}");
    assert_eq!(r["read_length"], json!(SIZE), "{r}");
    assert_eq!(r["verified"], json!("md5"), "{r}");
    s.assert_whole(&s.body);
    let relayed = s.fp.take_bytes_out();
    let rest = SIZE as u64 - have;
    assert!(
        relayed >= rest && relayed < rest + 20_000,
        "{relayed} bytes relayed for {rest} missing"
    );
    let heads = s.fp.heads().join("\n").to_ascii_lowercase();
    assert!(heads.contains(&format!("range: bytes={have}-")), "{heads}");
    assert!(heads.contains(&format!("if-match: {}", md5_hex(&s.body))));
}

/// A resumed body that breaks again goes on from what arrived, within the
/// same run (a GET with a Range of its own cannot resume itself): each
/// missing byte is fetched once.
#[test]
fn resumed_body_that_breaks_goes_on_in_the_run() {
    let s = Setup::new("resdl-again", 17);
    let have = s.broken_run(700_000);
    s.fp.push(Fault::OnMatch(
        "GET /v1/".into(),
        Box::new(Fault::ResetResponseAfter(600_000)),
    ));
    s.fp.take_bytes_out();
    let r = s.download_with(true, 2);
    assert_eq!(r["success"], json!(true), "{r}");
    assert_eq!(r["resumed_from"], json!(have), "{r}");
    assert_eq!(r["transferred"], json!(SIZE as u64 - have), "{r}");
    s.assert_whole(&s.body);
    let ranges: Vec<String> =
        s.fp.heads()
            .iter()
            .filter_map(|h| {
                h.lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("range:"))
                    .map(str::to_string)
            })
            .collect();
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert!(ranges[0].ends_with(&format!("bytes={have}-")), "{ranges:?}");
    let relayed = s.fp.take_bytes_out();
    let rest = SIZE as u64 - have;
    assert!(
        relayed >= rest && relayed < rest + 20_000,
        "{relayed} bytes relayed for {rest} missing"
    );
}

/// An object overwritten between the runs (same size, other bytes): the
/// kept part is not used; the new object comes whole and right.
#[test]
fn changed_object_starts_from_zero() {
    let s = Setup::new("resdl-changed", 12);
    s.broken_run(1_000_000);
    let new = data(SIZE, 99);
    s.rt.block_on(put(&s.rc, &s.cont, "big.bin", &new, json!({})));
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    assert_eq!(r["resumed_from"], json!(0), "{r}");
    assert_eq!(r["transferred"], json!(SIZE), "{r}");
    let why = r["partial_ignored"].as_str().unwrap_or("");
    assert!(why.contains("changed"), "{r}");
    s.assert_whole(&new);
    let heads = s.fp.heads().join("\n").to_ascii_lowercase();
    assert!(!heads.contains("range: bytes=1"), "{heads}");
}

/// A partial file whose sidecar is missing, corrupt, another object's, or
/// whose kept bytes do not hash right, is never trusted: the object comes
/// whole and right.
#[test]
fn untrusted_partial_starts_from_zero() {
    let s = Setup::new("resdl-corrupt", 13);
    let (part, side) = partial_of(s.dir.path(), "big.bin");
    type Spoil = Box<dyn Fn()>;
    let (p2, s2, s3) = (part.clone(), side.clone(), side.clone());
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "missing",
            Box::new(move || std::fs::remove_file(&s2).unwrap()),
            "no readable sidecar",
        ),
        (
            "garbage",
            Box::new({
                let side = side.clone();
                move || std::fs::write(&side, b"{\"swc_partial\": 1, \"etag\": ").unwrap()
            }),
            "not valid",
        ),
        (
            "another object",
            Box::new(move || {
                let mut v: Value = serde_json::from_slice(&std::fs::read(&s3).unwrap()).unwrap();
                v["object"] = json!("other.bin");
                std::fs::write(&s3, v.to_string()).unwrap();
            }),
            "another object",
        ),
        (
            "bad kept bytes",
            Box::new(move || {
                use std::os::unix::fs::FileExt;
                let f = std::fs::OpenOptions::new().write(true).open(&p2).unwrap();
                f.write_all_at(b"not the object", 1000).unwrap();
            }),
            "dropped",
        ),
    ];
    for (name, spoil, why) in cases {
        std::fs::remove_file(s.dir.path().join("big.bin")).ok();
        s.broken_run(800_000);
        spoil();
        let r = s.download(true);
        assert_eq!(r["success"], json!(true), "{name}: {r}");
        assert_eq!(r["resumed_from"], json!(0), "{name}: {r}");
        let note = r["partial_ignored"].as_str().unwrap_or("");
        assert!(note.contains(why), "{name}: {r}");
        s.assert_whole(&s.body);
    }
}

/// Without the option nothing changes: a broken download leaves no file
/// (nor does one with it that got no byte). With it, a link planted under the partial file's name (to a file
/// outside the download directory) is replaced, never written through.
#[test]
fn no_option_keeps_nothing_and_links_are_not_followed() {
    let s = Setup::new("resdl-links", 14);
    s.fp.push(Fault::OnMatch(
        "GET /v1/".into(),
        Box::new(Fault::ResetResponseAfter(500_000)),
    ));
    let r = s.download(false);
    assert_eq!(r["success"], json!(false), "{r}");
    assert_eq!(listing(s.dir.path()), Vec::<String>::new());
    // With it, a run that got no byte of the body leaves nothing either.
    s.fp.push(Fault::OnMatch(
        "GET /v1/".into(),
        Box::new(Fault::Status(503, vec![])),
    ));
    let r = s.download(true);
    assert_eq!(r["success"], json!(false), "{r}");
    assert_eq!(listing(s.dir.path()), Vec::<String>::new());

    let outside = tmpdir("resdl-outside");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    let (part, _) = partial_of(s.dir.path(), "big.bin");
    std::os::unix::fs::symlink(&victim, &part).unwrap();
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    s.assert_whole(&s.body);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");

    std::fs::remove_file(s.dir.path().join("big.bin")).unwrap();
    std::fs::hard_link(&victim, &part).unwrap();
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    s.assert_whole(&s.body);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
}

/// A large object resumes per segment: a run that broke inside segment 2
/// (one segment at a time) keeps segments 0 and 1; the next run hashes
/// them from disk against the manifest and fetches only 2, 3 and 4. A
/// kept segment spoiled on disk is fetched again.
#[test]
fn large_object_resumes_per_segment() {
    let s = Setup::new("resdl-slo", 15);
    let seg = 400_000u64;
    let all =
        s.rt.block_on(make_slo(&s.rc, &s.cont, "big.bin", 5, seg as usize));
    let one_at_a_time = json!({"resume_partial": true, "segment_threads": 1});
    for spoil in [false, true] {
        std::fs::remove_file(s.dir.path().join("big.bin")).ok();
        s.fp.push(Fault::OnMatch(
            "/slo/seg/00000002".into(),
            Box::new(Fault::ResetResponseAfter(100_000)),
        ));
        let r = s.download_req(0, one_at_a_time.clone());
        assert_eq!(r["success"], json!(false), "{r}");
        let (part, side) = partial_of(s.dir.path(), "big.bin");
        assert!(side.is_file() && !s.dir.path().join("big.bin").exists());
        if spoil {
            use std::os::unix::fs::FileExt;
            let f = std::fs::OpenOptions::new().write(true).open(&part).unwrap();
            f.write_all_at(b"spoiled", 10).unwrap();
        }
        let before = s.fp.heads().len();
        let r = s.download_req(0, one_at_a_time.clone());
        assert_eq!(r["success"], json!(true), "{r}");
        assert_eq!(r["verified"], json!("segments"), "{r}");
        let kept = if spoil { seg } else { 2 * seg };
        assert_eq!(r["resumed_from"], json!(kept), "spoiled {spoil}: {r}");
        assert_eq!(r["transferred"], json!(5 * seg - kept), "{r}");
        s.assert_whole(&all);
        let fetched: Vec<String> = s.fp.heads()[before..]
            .iter()
            .filter(|h| h.starts_with("GET ") && h.contains("/slo/seg/"))
            .map(|h| h.split("/slo/seg/").nth(1).unwrap()[..8].to_string())
            .collect();
        let want: Vec<&str> = ["00000000", "00000002", "00000003", "00000004"]
            .into_iter()
            .filter(|n| spoil || *n != "00000000")
            .collect();
        assert_eq!(fetched, want, "spoiled {spoil}");
    }
    s.rt.block_on(cleanup(&s.rc, &format!("{}_segments", s.cont)));
}

/// The case: `swc download --resume` killed (SIGKILL) while the
/// body is held back mid-way, then run again: the file is whole and right,
/// and the second run fetched only what the first had not.
#[test]
fn swc_killed_mid_download_resumes() {
    use std::process::Stdio;
    let s = Setup::new("resdl-kill", 16);
    let swc = swc_bin();
    let through_proxy = |args: &[&str]| {
        let mut c = with_creds(&swc);
        c.env("ST_AUTH", format!("{}/auth/v1.0", s.fp.url))
            .args(args)
            .current_dir(s.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    s.fp.push(Fault::OnMatch(
        "GET /v1/".into(),
        Box::new(Fault::StallResponseAfter(
            1_200_000,
            Duration::from_secs(60),
        )),
    ));
    let mut child = through_proxy(&["download", "--resume", &s.cont, "big.bin"])
        .spawn()
        .unwrap();
    let (part, side) = partial_of(s.dir.path(), "big.bin");
    let t0 = std::time::Instant::now();
    let len = || std::fs::metadata(&part).map_or(0, |m| m.len());
    while len() < 1_100_000 {
        assert!(t0.elapsed() < Duration::from_secs(30), "no partial file");
        assert!(child.try_wait().unwrap().is_none(), "swc ended first");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    assert!(side.is_file() && !s.dir.path().join("big.bin").exists());
    let have = len();

    s.fp.clear();
    s.fp.take_bytes_out();
    let out = through_proxy(&["download", "--resume", &s.cont, "big.bin"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("resumed with {have} bytes kept")),
        "{text}"
    );
    s.assert_whole(&s.body);
    let relayed = s.fp.take_bytes_out();
    let rest = SIZE as u64 - have;
    eprintln!("kept {have} of {SIZE}; the rerun relayed {relayed} bytes");
    assert!(
        relayed >= rest && relayed < rest + 20_000,
        "{relayed} bytes relayed for {rest} missing"
    );
}

/// A partial file another download holds (locked) is left alone: this one
/// fails with SWC_E_CONFLICT and succeeds once the file is free.
#[test]
fn a_partial_file_in_use_is_left_alone() {
    use std::os::fd::AsRawFd;
    let s = Setup::new("resdl-lock", 18);
    let (part, _) = partial_of(s.dir.path(), "big.bin");
    let held = std::fs::File::create(&part).unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let r = s.download(true);
    assert_eq!(r["success"], json!(false), "{r}");
    assert_eq!(r["error_record"]["status_name"], json!("SWC_E_CONFLICT"));
    drop(held);
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    s.assert_whole(&s.body);
}

/// A 412 to the continued GET (the object changed after its HEAD): the
/// object is inspected again and the download decided anew — here it had
/// not changed after all, so the kept part is still used.
#[test]
fn a_412_inspects_again() {
    let s = Setup::new("resdl-412", 19);
    let have = s.broken_run(900_000);
    s.fp.push(Fault::OnMatch(
        "GET /v1/".into(),
        Box::new(Fault::Status(412, vec![])),
    ));
    let r = s.download(true);
    assert_eq!(r["success"], json!(true), "{r}");
    assert_eq!(r["resumed_from"], json!(have), "{r}");
    s.assert_whole(&s.body);
    let heads = s.fp.heads();
    let heads_of = |m: &str| heads.iter().filter(|h| h.starts_with(m)).count();
    // The first run's HEAD and GET, then HEAD, 412, HEAD, GET.
    assert_eq!(
        (heads_of("HEAD "), heads_of("GET /v1/")),
        (3, 3),
        "{heads:?}"
    );
}
