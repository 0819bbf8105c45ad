//! The version macros in the committed header, `swc_version()` and
//! Cargo.toml agree.

use std::ffi::CStr;

fn header_macro(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} is not defined in include/swiftclient.h"))
        .trim()
        .to_string()
}

#[test]
fn header_macros_and_swc_version_match_the_package() {
    let header = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/include/swiftclient.h"
    ))
    .expect("read the header");
    assert_eq!(
        header_macro(&header, "SWC_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        header_macro(&header, "SWC_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        header_macro(&header, "SWC_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    assert_eq!(
        header_macro(&header, "SWC_VERSION_STRING"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION"))
    );
    // SAFETY: swc_version returns a static NUL-terminated string.
    let runtime = unsafe { CStr::from_ptr(swiftclient::ffi::swc_version()) };
    assert_eq!(runtime.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    // No unprefixed macro leaks into the users' namespace.
    for line in header.lines().filter(|l| l.starts_with("#define ")) {
        let name = line["#define ".len()..]
            .split([' ', '('])
            .next()
            .unwrap_or("");
        assert!(
            name.starts_with("SWC_") || name == "SWIFTCLIENT_H",
            "unprefixed macro in the header: {line}"
        );
    }
}
