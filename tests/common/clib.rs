//! The C side of the tests (tests/c_programs.rs, tests/hostile_calls.rs):
//! the source tree's headers, the library cargo built, and compiling and
//! running a C program against them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// target/<profile>, where the cdylib lives (the test binary is in deps/).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(
        dir.join("libswiftclient.so").exists(),
        "build the library first (cargo build): {}",
        dir.display()
    );
    dir
}

/// AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer,
/// as the C tests are also built: any finding fails the run.
pub const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=undefined",
];

/// valgrind as the C programs run under it: any error, or a definite or
/// indirect leak, fails the run.
pub const VALGRIND: &[&str] = &[
    "valgrind",
    "-q",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect",
    "--error-exitcode=99",
];

/// Compiles `src` with `compiler` and `flags` (language, sanitizers, more
/// warnings) against include/ and tests/c/, linked with the library; every
/// warning is an error.
pub fn compile(compiler: &str, flags: &[&str], src: &Path, out: &Path) {
    let st = Command::new(compiler)
        .args(flags)
        .args(["-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("tests/c"))
        .arg(src)
        .arg("-L")
        .arg(lib_dir())
        .args(["-lswiftclient", "-lpthread", "-o"])
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(
        st.success(),
        "{compiler} {flags:?} failed on {}",
        src.display()
    );
}

/// What a program run printed, and how it ended.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
}

/// Runs `exe` (under `prefix`, e.g. valgrind) with the library on
/// LD_LIBRARY_PATH, leak detection on and UBSan's stack traces.
pub fn run(prefix: &[&str], exe: &Path) -> Ran {
    let mut cmd = match prefix.split_first() {
        Some((p, rest)) => {
            let mut c = Command::new(p);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let out = cmd
        .env("LD_LIBRARY_PATH", lib_dir())
        .env("ASAN_OPTIONS", "detect_leaks=1")
        .env("UBSAN_OPTIONS", "print_stacktrace=1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {prefix:?} {}: {e}", exe.display()));
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status,
    }
}
