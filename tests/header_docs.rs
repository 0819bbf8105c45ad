//! The header's doc comments, as the generated reference (docs/Doxyfile,
//! `make doc`) shows them: every function is documented, every one that
//! returns swc_status names in its own comment the statuses it returns
//! (SWC_OK and at least one SWC_E_*), and no Rust-doc heading (`# Safety`)
//! leaks into the C text. Doxygen itself (CI, header stage) fails on an
//! undocumented declaration or a broken reference; this checks what it
//! cannot.

const HEADER: &str = include_str!("../include/swiftclient.h");

/// (name, return type, doc comment) of every function declaration.
fn functions() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = HEADER;
    while let Some(start) = rest.find("/**") {
        let end = start + rest[start..].find("*/").expect("the comment closes");
        let doc = rest[start..end].to_string();
        rest = &rest[end + 2..];
        let decl_end = rest.find(['{', ';']).unwrap_or(rest.len());
        let decl = &rest[..decl_end];
        if decl.trim_start().starts_with("typedef") || decl.trim_start().starts_with('#') {
            continue;
        }
        let Some(paren) = decl.find('(') else {
            continue;
        };
        let head = decl[..paren].trim();
        let Some((ret, name)) = head.rsplit_once([' ', '*']) else {
            continue;
        };
        if name.starts_with("swc_") {
            out.push((name.to_string(), ret.trim().to_string(), doc));
        }
    }
    out
}

#[test]
fn every_function_names_its_statuses() {
    let fns = functions();
    assert!(fns.len() > 60, "found only {} functions", fns.len());
    let mut missing = Vec::new();
    for (name, ret, doc) in &fns {
        if ret == "swc_status" && !(doc.contains("SWC_OK") && doc.contains("SWC_E_")) {
            missing.push(name.as_str());
        }
    }
    assert!(
        missing.is_empty(),
        "these functions do not name their statuses (SWC_OK and the SWC_E_* they return) \
         in their doc comment: {missing:?}"
    );
}

#[test]
fn no_rust_doc_heading_in_the_c_text() {
    let headings: Vec<&str> = HEADER
        .lines()
        .filter(|l| {
            let t = l.trim_start().trim_start_matches('*').trim_start();
            l.trim_start().starts_with('*') && (t.starts_with("# ") || t.starts_with("## "))
        })
        .collect();
    assert!(
        headings.is_empty(),
        "Markdown headings in the header: {headings:?}"
    );
    // The unsafe functions' `# Safety` text is there, as a precondition.
    let free = functions()
        .into_iter()
        .find(|(n, _, _)| n == "swc_string_free")
        .expect("swc_string_free");
    assert!(free.2.contains("@pre `s` is NULL"), "{}", free.2);
}

/// Every `@code` example in the header compiles as C99 with every warning
/// an error (SWC_MUST_USE included), inside a function given a client.
#[test]
fn every_example_compiles() {
    let mut examples = Vec::new();
    for (name, _, doc) in functions() {
        let mut rest = doc.as_str();
        while let Some(start) = rest.find("@code") {
            let end = start + rest[start..].find("@endcode").expect("@endcode");
            let body: String = rest[start + 5..end]
                .lines()
                .map(|l| l.trim_start().strip_prefix('*').unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            examples.push((name.clone(), body));
            rest = &rest[end..];
        }
    }
    assert!(examples.len() >= 4, "{} examples", examples.len());
    let dir = std::env::temp_dir().join(format!("swc-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (name, body)) in examples.iter().enumerate() {
        let src = dir.join(format!("ex{i}.c"));
        let text = format!(
            "#include <stdio.h>\n#include \"swiftclient.h\"\n\
             void example(const swc_client *client);\n\
             void example(const swc_client *client) {{\n{body}\n(void)client;\n}}\n"
        );
        std::fs::write(&src, &text).unwrap();
        let out = std::process::Command::new("cc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-c", "-o"])
            .arg(dir.join(format!("ex{i}.o")))
            .arg("-I")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/include"))
            .arg(&src)
            .output()
            .expect("cc");
        assert!(
            out.status.success(),
            "{name}'s example:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
