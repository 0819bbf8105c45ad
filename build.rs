//! Generates the C header with a pinned cbindgen. The committed
//! include/swiftclient.h is rewritten only with SWC_UPDATE_HEADER=1; when it
//! differs from what the code generates, the build warns, and fails under CI
//! (CI or SWC_CHECK_HEADER set).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=include/swiftclient.h");
    println!("cargo:rerun-if-env-changed=SWC_UPDATE_HEADER");
    println!("cargo:rerun-if-env-changed=SWC_CHECK_HEADER");
    println!("cargo:rerun-if-env-changed=CI");

    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut config =
        cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    // The version macros come from Cargo.toml, so the header, swc_version()
    // and the package can never disagree (tests/version.rs checks it).
    let ver = |k: &str| std::env::var(k).expect("cargo sets CARGO_PKG_VERSION_*");
    config.after_includes = Some(format!(
        "\n/** libswiftclient's major version, as swc_version() returns it at run time. */\n\
         #define SWC_VERSION_MAJOR {}\n\
         /** libswiftclient's minor version. */\n#define SWC_VERSION_MINOR {}\n\
         /** libswiftclient's patch version. */\n#define SWC_VERSION_PATCH {}\n\
         /** The version as a string, \"major.minor.patch\". */\n#define SWC_VERSION_STRING \"{}\"\n\
         /** A version as one number, for preprocessor tests:\n \
         * `#if SWC_VERSION_NUMBER >= SWC_MAKE_VERSION(0, 2, 0)`. */\n\
         #define SWC_MAKE_VERSION(major, minor, patch) (((major) * 1000000) + ((minor) * 1000) + (patch))\n\
         /** This header's version as SWC_MAKE_VERSION gives it. */\n\
         #define SWC_VERSION_NUMBER SWC_MAKE_VERSION(SWC_VERSION_MAJOR, SWC_VERSION_MINOR, SWC_VERSION_PATCH)\n\n\
         /**\n * Marks each function returning swc_status: ignoring the status is a\n\
         \x20* warning (an error with -Werror) where the compiler has\n\
         \x20* warn_unused_result. Define it before including this header to change\n\
         \x20* it (empty: no warning).\n */\n\
         #ifndef SWC_MUST_USE\n\
         #if defined(__GNUC__) || defined(__clang__)\n\
         #define SWC_MUST_USE __attribute__((warn_unused_result))\n\
         #else\n\
         #define SWC_MUST_USE\n\
         #endif\n\
         #endif\n",
        ver("CARGO_PKG_VERSION_MAJOR"),
        ver("CARGO_PKG_VERSION_MINOR"),
        ver("CARGO_PKG_VERSION_PATCH"),
        ver("CARGO_PKG_VERSION"),
    ));
    let bindings = match cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => panic!("cbindgen failed: {e}"),
    };
    let mut written = Vec::new();
    bindings.write(&mut written);
    let generated =
        c_doc_text(&String::from_utf8(written).expect("cbindgen writes UTF-8")).into_bytes();

    let header = dir.join("include").join("swiftclient.h");
    let committed = std::fs::read(&header).unwrap_or_default();
    let flag = |k: &str| std::env::var(k).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if flag("SWC_UPDATE_HEADER") {
        std::fs::create_dir_all(dir.join("include")).expect("create include/");
        if committed != generated {
            std::fs::write(&header, &generated).expect("write include/swiftclient.h");
        }
    } else if committed != generated {
        if flag("CI") || flag("SWC_CHECK_HEADER") {
            panic!("include/swiftclient.h is stale: regenerate it with `SWC_UPDATE_HEADER=1 cargo build` and commit it");
        }
        println!("cargo:warning=include/swiftclient.h is stale: regenerate with SWC_UPDATE_HEADER=1 cargo build");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("swiftclient.h"), &generated).expect("write OUT_DIR header");
}

/// cbindgen copies the Rust doc comments as they are. Rust's `# Safety`
/// heading (clippy wants it on every unsafe fn) would be a top-level
/// heading in the Doxygen pages and reads oddly in a C header: it becomes
/// Doxygen's `@pre` (a "Precondition" paragraph). Any other Markdown
/// heading in a comment is refused, so none leaks into the C text.
fn c_doc_text(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut lines = header.lines();
    // Inside a `code span` that a line break cuts (rustdoc allows that,
    // Doxygen 1.9 does not): closed at the end of the line, reopened on
    // the next one.
    let mut open = false;
    while let Some(line) = lines.next() {
        let line = &split_code_spans(line, &mut open);
        if line.trim() == "* # Safety" {
            let indent = &line[..line.find('*').unwrap_or(0)];
            let next = lines.next().unwrap_or_default();
            let text = next.trim_start().trim_start_matches('*').trim_start();
            out.push_str(&format!("{indent}* @pre {text}\n"));
            continue;
        }
        if line.trim_start().starts_with("* # ") || line.trim_start().starts_with("* ## ") {
            panic!("a Markdown heading in a doc comment leaks into the C header: {line}");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One comment line (` * text`) with a code span still open at its end
/// closed there, and one left open by the line before reopened.
fn split_code_spans(line: &str, open: &mut bool) -> String {
    let Some(text) = line.strip_prefix(" * ") else {
        *open = false;
        return line.to_string();
    };
    let mut text = text.to_string();
    if *open {
        text.insert(0, '`');
    }
    *open = text.matches('`').count() % 2 == 1;
    if *open {
        text.push('`');
    }
    format!(" * {text}")
}
