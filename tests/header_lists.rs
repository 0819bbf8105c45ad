//! The header documents, in prose, every option key `swc_client_new`
//! accepts and every variable `swc_client_new_from_env` reads. Those lists
//! are checked here against the code that reads them, so a new option or
//! variable cannot go undocumented.

use std::cell::RefCell;
use swiftclient::Options;

/// The doc comment right above `signature` in the header.
fn comment_before(signature: &str) -> String {
    let header = include_str!("../include/swiftclient.h");
    let at = header.find(signature).expect("declaration in the header");
    let start = header[..at].rfind("/**").expect("a doc comment");
    header[start..at].to_string()
}

/// The names a comment mentions, with the header's shorthand expanded:
/// `a_b_name`/`_id` and A_B_NAME/ID/SECRET give every variant, each suffix
/// replacing the last `_` segment of the full name before it.
fn mentioned(comment: &str, upper: bool) -> Vec<String> {
    let is_name = |c: char| c == '_' || c.is_ascii_digit() || c.is_ascii_alphabetic();
    let mut out = Vec::new();
    for word in comment.split(|c: char| !(is_name(c) || c == '/' || c == '`')) {
        let mut parts = word.split('/').map(|p| p.trim_matches('`'));
        let Some(first) = parts.next().filter(|p| !p.is_empty()) else {
            continue;
        };
        out.push(first.to_string());
        let stem = first.rsplit_once('_').map_or("", |(s, _)| s);
        for p in parts.filter(|p| !p.is_empty()) {
            let suffix = p.trim_start_matches('_');
            let name = format!("{stem}_{suffix}");
            out.push(if upper { name.to_uppercase() } else { name });
        }
    }
    out
}

#[test]
fn every_option_key_is_in_the_header() {
    let named = mentioned(&comment_before("swc_status swc_client_new("), false);
    let missing: Vec<String> = Options::keys()
        .into_iter()
        .filter(|k| !named.contains(k))
        .collect();
    assert!(missing.is_empty(), "options not in the header: {missing:?}");
}

#[test]
fn every_environment_variable_is_in_the_header() {
    let read = RefCell::new(Vec::<String>::new());
    Options::from_env_with(&|k| {
        read.borrow_mut().push(k.to_string());
        None
    });
    let read = read.into_inner();
    assert!(read.contains(&"ST_AUTH".to_string()) && read.len() > 20);
    let named = mentioned(&comment_before("swc_status swc_client_new_from_env("), true);
    let missing: Vec<&String> = read.iter().filter(|k| !named.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "variables not in the header: {missing:?}"
    );
}
