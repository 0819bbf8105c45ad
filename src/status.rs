//! The status table: every outcome class of a call, its fixed `SWC_*` code,
//! the constant's name, written once. The enum, [`Status::ALL`] and the
//! names (also as static C strings for `swc_status_name`) are generated from it; the
//! header's `SWC_*` constants are literal (cbindgen reads no macros), so a
//! test checks them against this table, and the Go binding takes its values
//! from the header through cgo.
//!
//! Status codes are part of the ABI: they are never renumbered or reused.

use std::ffi::CStr;

macro_rules! status_table {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:ident; )*) => {
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
        }
    };
}

status_table! {
    Ok = 0, SWC_OK;
    InvalidArgument = 1, SWC_E_INVALID_ARGUMENT;
    Config = 2, SWC_E_CONFIG;
    Auth = 3, SWC_E_AUTH;
    NotFound = 4, SWC_E_NOT_FOUND;
    Conflict = 5, SWC_E_CONFLICT;
    Precondition = 6, SWC_E_PRECONDITION;
    Http = 7, SWC_E_HTTP;
    Timeout = 8, SWC_E_TIMEOUT;
    Network = 9, SWC_E_NETWORK;
    Tls = 10, SWC_E_TLS;
    Checksum = 11, SWC_E_CHECKSUM;
    Cancelled = 12, SWC_E_CANCELLED;
    WouldDeadlock = 13, SWC_E_WOULD_DEADLOCK;
    Unsupported = 14, SWC_E_UNSUPPORTED;
    Panic = 15, SWC_E_PANIC;
    Internal = 16, SWC_E_INTERNAL;
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

    #[test]
    fn http_mapping() {
        assert_eq!(Status::from_http(401), Status::Auth);
        assert_eq!(Status::from_http(404), Status::NotFound);
        assert_eq!(Status::from_http(409), Status::Conflict);
        assert_eq!(Status::from_http(412), Status::Precondition);
        assert_eq!(Status::from_http(503), Status::Http);
    }
}
