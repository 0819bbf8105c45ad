//! The code's shape, checked on every run: no file of the library, swc or
//! the Go binding over 700 lines, and no import circle between the
//! library's modules (a module reaching another that reaches it back,
//! directly or around a loop). Comments and `#[cfg(test)]` blocks do not
//! count as imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 700;

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, exts, out);
        } else if p
            .extension()
            .is_some_and(|x| exts.contains(&x.to_str().unwrap_or("")))
        {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_file_over_the_limit() {
    let mut all = Vec::new();
    files(&root().join("src"), &["rs"], &mut all);
    files(&root().join("examples-c"), &["c", "h"], &mut all);
    files(&root().join("bindings"), &["go", "c", "h"], &mut all);
    assert!(all.len() > 50, "found {} files", all.len());
    let long: Vec<String> = all
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `a::b`; `src/lib.rs` → `crate`.
fn module_of(src: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    if parts == ["lib"] {
        return "crate".into();
    }
    parts.join("::")
}

/// The code of a file without comments and test modules.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::…`, `super::…` or `self::…` path in `code`, with the
/// items of a `{…}` group each made a path of their own.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let is_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut rest = code;
    while let Some(i) = ["crate::", "super::", "self::"]
        .iter()
        .filter_map(|k| rest.find(k))
        .min()
    {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i..];
        let end = tail.find(|c: char| !is_path(c)).unwrap_or(tail.len());
        let path = tail[..end].trim_end_matches(':').to_string();
        if before.is_some_and(|c| is_path(c) && c != ':') {
            rest = &tail[end..];
            continue;
        }
        if tail[end..].starts_with('{') && tail[..end].ends_with("::") {
            let close = tail[end..].find('}').unwrap_or(0);
            for item in tail[end + 1..end + close].split(',') {
                let item = item.split_whitespace().next().unwrap_or("");
                if !item.is_empty() {
                    out.push(format!("{path}::{item}"));
                }
            }
        }
        out.push(path);
        rest = &tail[end..];
    }
    out
}

/// The module a path names (its longest prefix that is a module).
fn target(from: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = match parts.first() {
        Some(&"crate") => {
            parts.remove(0);
            Vec::new()
        }
        _ if from == "crate" => Vec::new(),
        _ => from.split("::").map(str::to_string).collect(),
    };
    while let Some(&p) = parts.first() {
        match p {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => break,
        }
        parts.remove(0);
    }
    (1..=parts.len()).rev().find_map(|n| {
        let mut m = base.clone();
        m.extend(parts[..n].iter().map(|s| s.to_string()));
        let m = m.join("::");
        modules.contains(&m).then_some(m)
    })
}

#[test]
fn no_import_circles() {
    let src = root().join("src");
    let mut all = Vec::new();
    files(&src, &["rs"], &mut all);
    let texts: BTreeMap<String, String> = all
        .iter()
        .map(|p| {
            (
                module_of(&src, p),
                code(&std::fs::read_to_string(p).unwrap()),
            )
        })
        .collect();
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let edges: BTreeMap<&String, BTreeSet<String>> = texts
        .iter()
        .map(|(m, text)| {
            let to = paths(text)
                .iter()
                .filter_map(|p| target(m, p, &modules))
                .filter(|t| t != m && t != "crate")
                .collect();
            (m, to)
        })
        .collect();
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 100);
    // A module is in a circle when it can reach itself.
    let mut circles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(m) = todo.pop() {
            if m == *start {
                circles.push(start.to_string());
                break;
            }
            if seen.insert(m.clone()) {
                todo.extend(edges.get(m).into_iter().flatten());
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}
