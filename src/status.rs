//! The status table: every outcome class of a call, its fixed `SWC_*` code,
//! the constant's name and its human message, written once. The enum,
//! [`Status::ALL`], the names and the messages (also as static C strings
//! for `swc_status_str` and `swc_status_message`) are generated from it;
//! the header's `SWC_*` constants are literal (cbindgen reads no macros),
//! so a test checks them and their doc comments against this table, and
//! the Go binding takes its values from the header through cgo.
//!
//! Status codes are part of the ABI: they are never renumbered or reused.

use std::ffi::CStr;

macro_rules! status_table {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:ident, $msg:literal; )*) => {
        /// Outcome class of a call. The discriminants are the `SWC_*` codes
        /// of the C header and never change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(i32)]
        pub enum Status {
            $( $(#[$doc])* $variant = $code, )*
        }

        impl Status {
            /// Every status, in code order.
            pub const ALL: &'static [Status] = &[$( Status::$variant ),*];

            /// The constant's name as spelled in the C header.
            pub fn name(self) -> &'static str {
                match self { $( Status::$variant => stringify!($name), )* }
            }

            /// The name as a static NUL-terminated string.
            pub fn c_name(self) -> &'static CStr {
                match self {
                    $( Status::$variant => match CStr::from_bytes_with_nul(
                        concat!(stringify!($name), "\0").as_bytes(),
                    ) {
                        Ok(c) => c,
                        Err(_) => panic!("a status name holds a NUL"),
                    }, )*
                }
            }

            /// What the status means, in a sentence (the header's comment
            /// on its constant).
            pub fn message(self) -> &'static str {
                match self { $( Status::$variant => $msg, )* }
            }

            /// The message as a static NUL-terminated string.
            pub fn c_message(self) -> &'static CStr {
                match self {
                    $( Status::$variant => match CStr::from_bytes_with_nul(
                        concat!($msg, "\0").as_bytes(),
                    ) {
                        Ok(c) => c,
                        Err(_) => panic!("a status message holds a NUL"),
                    }, )*
                }
            }
        }
    };
}

status_table! {
    Ok = 0, SWC_OK, "Success.";
    InvalidArgument = 1, SWC_E_INVALID_ARGUMENT, "A required pointer was NULL, a string was not UTF-8, or a value was out of range.";
    Config = 2, SWC_E_CONFIG, "Options were malformed, unknown, or inconsistent (the record names the key).";
    Auth = 3, SWC_E_AUTH, "Authentication or authorisation failed (HTTP 401/403 or a bad auth answer).";
    NotFound = 4, SWC_E_NOT_FOUND, "The account, container or object does not exist (HTTP 404).";
    Conflict = 5, SWC_E_CONFLICT, "Conflict (HTTP 409), e.g. deleting a container that is not empty.";
    Precondition = 6, SWC_E_PRECONDITION, "A precondition failed (HTTP 304, 412, 416).";
    Http = 7, SWC_E_HTTP, "Any other unexpected HTTP status (see http_status in the record).";
    Timeout = 8, SWC_E_TIMEOUT, "A connect or read timeout (or HTTP 408).";
    Network = 9, SWC_E_NETWORK, "The connection could not be made or broke.";
    Tls = 10, SWC_E_TLS, "TLS failed (certificate, hostname, handshake).";
    Checksum = 11, SWC_E_CHECKSUM, "An MD5 or length check failed.";
    Cancelled = 12, SWC_E_CANCELLED, "The operation was cancelled.";
    WouldDeadlock = 13, SWC_E_WOULD_DEADLOCK, "A blocking call was made from a library-owned thread (inside a callback).";
    Unsupported = 14, SWC_E_UNSUPPORTED, "The server or this build does not support the request.";
    Panic = 15, SWC_E_PANIC, "A bug: a panic was caught at the C boundary (the record has its message).";
    Internal = 16, SWC_E_INTERNAL, "A bug or an impossible state.";
}

impl Status {
    /// The integer code (the value of the `SWC_*` constant).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// Converts any integer totally: unknown codes are `None`.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The status a non-success HTTP response maps to.
    pub fn from_http(code: u16) -> Status {
        match code {
            401 | 403 => Status::Auth,
            404 => Status::NotFound,
            409 => Status::Conflict,
            304 | 412 | 416 => Status::Precondition,
            408 => Status::Timeout,
            422 => Status::Checksum,
            _ => Status::Http,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fixed_and_total() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as i32);
            assert_eq!(Status::from_code(i as i32), Some(*s));
            assert_eq!(s.c_name().to_str().unwrap(), s.name());
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(Status::ALL.len() as i32), None);
        assert_eq!(Status::Auth.code(), 3);
        assert_eq!(Status::Panic.code(), 15);
    }

    /// The header's constants are written by cbindgen from literal consts
    /// in `ffi`; each must be this table's code under this table's name,
    /// and the header must define no status the table lacks.
    #[test]
    fn header_constants_match_the_table() {
        let header = include_str!("../include/swiftclient.h");
        let defined: Vec<(String, i32)> = header
            .lines()
            .filter_map(|l| l.strip_prefix("#define SWC_"))
            .filter_map(|rest| {
                let mut it = rest.split_whitespace();
                let name = format!("SWC_{}", it.next()?);
                let value = it.next()?.parse().ok()?;
                Some((name, value))
            })
            .filter(|(n, _)| n == "SWC_OK" || n.starts_with("SWC_E_"))
            .collect();
        let table: Vec<(String, i32)> = Status::ALL
            .iter()
            .map(|s| (s.name().to_string(), s.code()))
            .collect();
        assert_eq!(defined, table);
    }

    /// The header's comment on each constant is the status's message, so
    /// `swc_status_message` and the header say the same.
    #[test]
    fn header_comments_are_the_messages() {
        let header = include_str!("../include/swiftclient.h");
        for s in Status::ALL {
            let define = format!("#define {} {}\n", s.name(), s.code());
            let at = header.find(&define).expect("the constant is in the header");
            let open = header[..at].rfind("/**").expect("a doc comment");
            let text: Vec<&str> = header[open + 3..at]
                .lines()
                .map(|l| l.trim().trim_start_matches('*').trim())
                .filter(|l| !l.is_empty() && *l != "/")
                .collect();
            assert_eq!(text.join(" "), s.message(), "{}", s.name());
            assert_eq!(s.c_message().to_str().ok(), Some(s.message()));
        }
    }

    #[test]
    fn http_mapping() {
        assert_eq!(Status::from_http(401), Status::Auth);
        assert_eq!(Status::from_http(404), Status::NotFound);
        assert_eq!(Status::from_http(409), Status::Conflict);
        assert_eq!(Status::from_http(412), Status::Precondition);
        assert_eq!(Status::from_http(503), Status::Http);
    }
}
