//! Bad input, everywhere (#20): every function include/swiftclient.h
//! declares is called from C with one hostile argument at a time — each
//! pointer NULL, each string not UTF-8, each JSON object malformed, of the
//! wrong type, with an unknown key and with a known key's value of the
//! wrong type, each name over Swift's limit, each number out of range —
//! and every result is held to the header's contract (tests/hostile/judge.rs).
//! The functions and their parameters come from the header, so a new
//! function is covered, or fails this test until tests/hostile/valid.rs
//! says how to call it. The program also runs built with AddressSanitizer
//! and UndefinedBehaviorSanitizer (and under valgrind with
//! SWC_HOSTILE_VALGRIND=1): zero findings.

mod common;
mod hostile;

use hostile::header::{self, Function};
use hostile::judge::{self, Line};
use hostile::valid::{self, literal, Ctx};
use std::path::Path;

use common::clib::{compile, lib_dir, SANITIZE, VALGRIND};

/// Runs the program (under `prefix`, e.g. valgrind): its stdout, stderr
/// and whether it exited with 0.
fn run(prefix: &[&str], exe: &Path) -> (String, String, bool) {
    let ran = common::clib::run(prefix, exe);
    (ran.stdout, ran.stderr, ran.status.success())
}

/// Every case's result judged; all failures as one list.
fn judge_all(fns: &[Function], cases: usize, stdout: &str, stderr: &str, ok: bool) -> Vec<String> {
    let lines: Vec<Line> = stdout.lines().filter_map(judge::parse).collect();
    let mut failures = Vec::new();
    for l in &lines {
        let f = fns
            .iter()
            .find(|f| f.name == l.func)
            .expect("a function of the header");
        if let Some(why) = judge::check(f, l) {
            failures.push(format!("{}({}) {}: {why}", l.func, l.param, l.kind));
        }
    }
    if !ok || lines.len() != cases || !stdout.contains("\nDONE\n") {
        let last = stderr
            .lines()
            .rfind(|l| l.starts_with("B\t"))
            .unwrap_or("none");
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        failures.push(format!(
            "the program stopped after {} of {cases} calls; last call started: {last:?}\n{}",
            lines.len(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    failures
}

#[test]
fn every_function_meets_its_contract_under_hostile_arguments() {
    let fns = header::functions();
    assert!(
        fns.len() > 70,
        "found only {} functions in the header",
        fns.len()
    );
    assert_eq!(
        header::limits(),
        (256, 1024),
        "the name limits the cases assume"
    );
    let dir = common::tmpdir("hostile");
    std::fs::write(dir.join("in.txt"), b"hello").unwrap();
    std::fs::create_dir_all(dir.join("dl")).unwrap();
    let ctx = Ctx {
        container: common::unique("hostile"),
        dir: dir.path().to_str().unwrap().to_string(),
    };
    let table = valid::table(&ctx);
    let missing: Vec<&str> = fns
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| !table.iter().any(|e| e.name == *n))
        .collect();
    assert!(
        missing.is_empty(),
        "tests/hostile/valid.rs has no valid call of {missing:?}"
    );
    let stale: Vec<&str> = table
        .iter()
        .map(|e| e.name)
        .filter(|n| !fns.iter().any(|f| f.name == *n))
        .collect();
    assert!(
        stale.is_empty(),
        "tests/hostile/valid.rs names functions the header lacks: {stale:?}"
    );

    let defines = format!(
        "#define HOSTILE_OPTIONS {}\n#define HOSTILE_CONTAINER {}\n#define HOSTILE_DIR {}\n",
        literal(hostile::options().to_string().as_bytes()),
        literal(ctx.container.as_bytes()),
        literal(ctx.dir.as_bytes()),
    );
    let (cases, src) = hostile::gen::program(&fns, &table, &ctx, &defines);
    let src_path = dir.join("hostile.c");
    std::fs::write(&src_path, &src).unwrap();
    let out = lib_dir().join("c-tests");
    std::fs::create_dir_all(&out).unwrap();
    let (plain, asan) = (out.join("hostile_c"), out.join("hostile_asan"));
    compile("cc", &["-std=c99"], &src_path, &plain);
    compile("cc", &[&["-std=c99"], SANITIZE].concat(), &src_path, &asan);

    let mut runs: Vec<(&str, Vec<&str>, &Path)> =
        vec![("plain", vec![], &plain), ("asan", vec![], &asan)];
    if std::env::var_os("SWC_HOSTILE_VALGRIND").is_some() {
        runs.push(("valgrind", VALGRIND.to_vec(), &plain));
    }
    let mut report = Vec::new();
    for (name, prefix, exe) in runs {
        let started = std::time::Instant::now();
        let (stdout, stderr, ok) = run(&prefix, exe);
        // Kept for reading: every call's line, and the cases on stderr.
        std::fs::write(out.join(format!("hostile_{name}.out")), &stdout).unwrap();
        std::fs::write(out.join(format!("hostile_{name}.err")), &stderr).unwrap();
        let failures = judge_all(&fns, cases.len(), &stdout, &stderr, ok);
        eprintln!(
            "{name}: {} functions, {} calls, {} failures, {:.1} s",
            fns.len(),
            cases.len(),
            failures.len(),
            started.elapsed().as_secs_f64()
        );
        report.extend(failures.into_iter().map(|f| format!("[{name}] {f}")));
    }
    let client = common::client(&hostile::options());
    let rt = common::rt();
    for c in [
        ctx.container.clone(),
        format!("{}-del", ctx.container),
        format!("{}_segments", ctx.container),
    ] {
        rt.block_on(common::cleanup(&client, &c));
    }
    assert!(
        report.is_empty(),
        "{} calls broke the contract:\n{}",
        report.len(),
        report.join("\n")
    );
}
