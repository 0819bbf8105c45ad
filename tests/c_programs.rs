//! Drives the C side: compiles the C tests against include/swiftclient.h as
//! C99 and as C++ with -Wall -Wextra -Wpedantic -Werror, runs them against
//! the local cluster, runs the C build under valgrind and a third build with
//! AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (zero
//! errors, zero leaks either way; canaries show the sanitizers do catch a
//! leak and an overread), and checks that the shared library exports only
//! `swc_*`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::clib::{lib_dir, root, SANITIZE, VALGRIND};

fn out_dir() -> PathBuf {
    let d = lib_dir().join("c-tests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The C tests are held to -Wpedantic too, as C99 and as C++.
fn compile(compiler: &str, lang: &[&str], src: &Path, out: &Path) {
    common::clib::compile(compiler, &[lang, &["-Wpedantic"]].concat(), src, out);
}

/// Runs a C test (under `prefix`, e.g. valgrind): it must exit 0 and
/// report no failure.
fn run(prefix: &[&str], exe: &Path) {
    let ran = common::clib::run(prefix, exe);
    assert!(
        ran.status.success(),
        "{prefix:?} {} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        exe.display(),
        ran.status,
        ran.stdout,
        ran.stderr
    );
    assert!(ran.stdout.contains(" passed, 0 failed"), "{}", ran.stdout);
}

fn c99_cxx_valgrind(name: &str) {
    let src = root().join(format!("tests/c/{name}.c"));
    let c_exe = out_dir().join(format!("{name}_c"));
    let cxx_exe = out_dir().join(format!("{name}_cxx"));
    let asan_exe = out_dir().join(format!("{name}_asan"));
    compile("cc", &["-std=c99"], &src, &c_exe);
    compile("c++", &["-x", "c++", "-std=c++11"], &src, &cxx_exe);
    compile("cc", &[&["-std=c99"], SANITIZE].concat(), &src, &asan_exe);
    run(&[], &c_exe);
    run(&[], &cxx_exe);
    run(&[], &asan_exe);
    run(VALGRIND, &c_exe);
}

#[test]
fn client_and_auth_c_tests() {
    c99_cxx_valgrind("test_client");
}

#[test]
fn connection_api_c_tests() {
    c99_cxx_valgrind("test_conn");
}

#[test]
fn service_api_c_tests() {
    c99_cxx_valgrind("test_service");
}

/// The JSON builder and accessors, swc_status_message, SWC_CONTINUE/STOP.
#[test]
fn json_builder_and_accessor_c_tests() {
    c99_cxx_valgrind("test_json");
}

/// The ```c block under README's heading `heading`.
fn readme_block(heading: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no \"{heading}\""));
    let rest = &readme[at..];
    let start = rest.find("```c\n").expect("a C block after the heading") + "```c\n".len();
    let len = rest[start..].find("\n```\n").expect("the block's end") + 1;
    rest[start..start + len].to_string()
}

/// README's C quick start beyond auth is examples-c/quickstart.c, word for
/// word, and it works: built as C99 and C++ with -Werror, run against the
/// local cluster plainly, under valgrind and with the sanitizers, it makes
/// a container, uploads, lists, downloads, meets a 404 and cleans up.
#[test]
fn readme_quickstart_is_the_example_and_runs() {
    let src = root().join("examples-c/quickstart.c");
    assert_eq!(
        readme_block("## C quick start: a container, an object, a 404"),
        std::fs::read_to_string(&src).unwrap(),
        "README's quick start differs from examples-c/quickstart.c"
    );
    let (c_exe, cxx_exe, asan_exe) = (
        out_dir().join("quickstart_c"),
        out_dir().join("quickstart_cxx"),
        out_dir().join("quickstart_asan"),
    );
    compile("cc", &["-std=c99"], &src, &c_exe);
    compile("c++", &["-x", "c++", "-std=c++11"], &src, &cxx_exe);
    compile("cc", &[&["-std=c99"], SANITIZE].concat(), &src, &asan_exe);
    for (i, (prefix, exe)) in [
        (&[][..], &c_exe),
        (&[][..], &cxx_exe),
        (&[][..], &asan_exe),
        (VALGRIND, &c_exe),
    ]
    .into_iter()
    .enumerate()
    {
        let container = format!("swc-quickstart-{}-{i}", std::process::id());
        let mut cmd = Command::new(prefix.first().copied().unwrap_or(exe.to_str().unwrap()));
        if let Some((_, rest)) = prefix.split_first() {
            cmd.args(rest).arg(exe);
        }
        let out = cmd
            .arg(&container)
            .env("LD_LIBRARY_PATH", lib_dir())
            .env("ASAN_OPTIONS", "detect_leaks=1")
            .env(
                "ST_AUTH",
                std::env::var("SWC_TEST_V1_AUTH").expect("SWC_TEST_V1_AUTH"),
            )
            .env("ST_USER", "test:tester")
            .env("ST_KEY", "testing")
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "{prefix:?} {}: {:?}\n{stdout}\n{stderr}",
            exe.display(),
            out.status
        );
        for want in [
            "uploaded hello.txt, ETag 7c911ca5189b8a0c3d9eaad6df1f21a3\n",
            &format!("objects in {container}:\n  hello.txt\n"),
            "downloaded 13 bytes: Hello from C\n",
            "missing.txt: SWC_E_NOT_FOUND (HTTP 404)\n",
        ] {
            assert!(stdout.contains(want), "{want:?} not in:\n{stdout}");
        }
    }
}

/// examples-c/swc_sync.c builds its requests with swc_json: directories
/// named with a quote, a backslash and a tab (a control character its
/// hand-written escaper let through, making the request invalid JSON)
/// upload and download intact.
#[test]
fn swc_sync_example_escapes_what_json_needs() {
    let src = root().join("examples-c/swc_sync.c");
    let exe = out_dir().join("swc_sync_c");
    compile("cc", &["-std=c99"], &src, &exe);
    let work = common::tmp::tmpdir("swc-sync");
    let (from, to) = (
        work.path().join("src \"q\" \\ x"),
        work.path().join("out\ttab"),
    );
    std::fs::create_dir_all(&from).unwrap();
    std::fs::write(from.join("a\"b.txt"), b"hello\n").unwrap();
    let container = common::unique("swc-sync-example");
    let out = Command::new(&exe)
        .arg(&container)
        .arg(&from)
        .arg(&to)
        .env("LD_LIBRARY_PATH", lib_dir())
        .env(
            "ST_AUTH",
            std::env::var("SWC_TEST_V1_AUTH").expect("SWC_TEST_V1_AUTH"),
        )
        .env("ST_USER", "test:tester")
        .env("ST_KEY", "testing")
        .output()
        .unwrap();
    let client = common::client(&common::v1_options());
    common::rt().block_on(common::cleanup(&client, &container));
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(to.join("a\"b.txt")).unwrap(), b"hello\n");
}

#[test]
fn header_is_self_contained_and_include_safe() {
    // Included twice, alone, in both languages: no missing includes, no
    // duplicate definitions.
    let src = out_dir().join("double_include.c");
    std::fs::write(
        &src,
        "#include \"swiftclient.h\"\n#include \"swiftclient.h\"\nint main(void) { return swc_version() == 0; }\n",
    )
    .unwrap();
    compile(
        "cc",
        &["-std=c99"],
        &src,
        &out_dir().join("double_include_c"),
    );
    compile(
        "c++",
        &["-x", "c++", "-std=c++11"],
        &src,
        &out_dir().join("double_include_cxx"),
    );
}

#[test]
fn shared_library_exports_only_swc_symbols() {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib_dir().join("libswiftclient.so"))
        .output()
        .expect("nm");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert!(names.contains(&"swc_client_new"), "{text}");
    let foreign: Vec<&&str> = names.iter().filter(|n| !n.starts_with("swc_")).collect();
    assert!(foreign.is_empty(), "non-swc_ exports: {foreign:?}");
    // The ABI: what the library exports, what the header declares and the
    // committed list are one and the same set.
    let mut exported: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    exported.sort();
    let header = std::fs::read_to_string(root().join("include/swiftclient.h")).unwrap();
    // Every `swc_name(` in the header: its functions (and the mentions of
    // them in comments, which name the same functions).
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut declared: Vec<String> = header
        .match_indices("swc_")
        .filter(|(i, _)| !header[..*i].ends_with(ident))
        .filter_map(|(i, _)| {
            let name: String = header[i..].chars().take_while(|c| ident(*c)).collect();
            header[i + name.len()..].starts_with('(').then_some(name)
        })
        .collect();
    declared.sort();
    declared.dedup();
    let committed: Vec<String> = std::fs::read_to_string(root().join("abi/swiftclient.symbols"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        exported, declared,
        "the library exports what the header does not declare, or the reverse"
    );
    assert_eq!(
        exported, committed,
        "the exported functions differ from abi/swiftclient.symbols: an ABI change (update the list in the same commit, README \"ABI\")"
    );
}

/// The sanitizer build can fail: a program that leaks a string the library
/// returned, and one that reads past it, are each caught.
#[test]
fn sanitizers_catch_a_leak_and_an_overread() {
    let dir = out_dir();
    for (name, body) in [
        ("leak", "char *v = NULL; swc_client *c = NULL; if (swc_client_new(\"{\\\"bogus\\\": 1}\", &c, &v) == SWC_OK) return 2; v = NULL; return v == NULL ? 0 : 1;"),
        ("overread", "const char *v = swc_version(); char *copy = malloc(2); memcpy(copy, v, 2); volatile char x = copy[2]; (void)x; free(copy); return 0;"),
    ] {
        let src = dir.join(format!("canary_{name}.c"));
        std::fs::write(
            &src,
            format!("#include <stdlib.h>\n#include <string.h>\n#include \"swiftclient.h\"\nint main(void) {{ {body} }}\n"),
        )
        .unwrap();
        let exe = dir.join(format!("canary_{name}"));
        compile("cc", &[&["-std=c99"], SANITIZE].concat(), &src, &exe);
        let out = Command::new(&exe)
            .env("LD_LIBRARY_PATH", lib_dir())
            .env("ASAN_OPTIONS", "detect_leaks=1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} went unnoticed: {err}");
        assert!(err.contains("AddressSanitizer") || err.contains("LeakSanitizer"), "{name}: {err}");
    }
}
