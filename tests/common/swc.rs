//! Running `swc`, the C command-line client in examples-c/ (built once per
//! test binary), and python-swiftclient's `swift` with the v1 test
//! credentials.

use super::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds swc once per test binary: the tests run in parallel, and
/// rebuilding it while another test runs it fails with "text file busy"
/// (cargo test runs the test binaries one after another).
pub fn swc_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(build_swc).clone()
}

pub fn build_swc() -> PathBuf {
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
pub fn with_creds(cmd: impl AsRef<std::ffi::OsStr>) -> Command {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let mut c = Command::new(cmd);
    c.env("LD_LIBRARY_PATH", lib)
        .env("ST_AUTH", env("SWC_TEST_V1_AUTH"))
        .env("ST_USER", "test:tester")
        .env("ST_KEY", "testing");
    c
}

pub fn run(cmd: &Path, args: &[&str]) -> Output {
    let out = with_creds(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a command in `dir` with the v1 credentials and extra environment;
/// the caller checks the status.
pub fn run_in(cmd: &Path, dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> Output {
    with_creds(cmd)
        .args(args)
        .current_dir(dir)
        .envs(extra.iter().copied())
        .output()
        .unwrap()
}

/// Deletes a container and its segment container (which may not exist).
pub fn remove_with_segments(swc: &Path, dir: &Path, c: &str) {
    ok_in(swc, dir, &["delete", c]);
    run_in(swc, dir, &["delete", &format!("{c}_segments")], &[]);
}

pub fn ok_in(cmd: &Path, dir: &Path, args: &[&str]) -> String {
    let out = run_in(cmd, dir, args, &[]);
    assert!(
        out.status.success(),
        "{cmd:?} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// swc's subcommands (`info`, capabilities' alias, aside).
#[allow(dead_code)]
pub const SUBCOMMANDS: &[&str] = &[
    "auth",
    "stat",
    "list",
    "upload",
    "download",
    "delete",
    "post",
    "copy",
    "orphans",
    "capabilities",
    "tempurl",
    "bash_completion",
];
