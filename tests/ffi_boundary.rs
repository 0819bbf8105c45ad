//! The boundary from Rust, through the exported functions: the runtime's
//! life follows the clients, and a blocking call from a library-owned
//! (runtime) thread refuses with SWC_E_WOULD_DEADLOCK instead of hanging.
//! One test: it observes the process-wide runtime.

mod common;

use std::ffi::CStr;
use std::ptr;
use swiftclient::ffi::client::{swc_client, swc_client_auth, swc_client_free};
use swiftclient::ffi::{swc_string_free, SWC_E_WOULD_DEADLOCK, SWC_OK};
use swiftclient::runtime::RuntimeRef;

#[test]
fn runtime_lifecycle_and_would_deadlock() {
    assert!(!RuntimeRef::is_running());
    let a = common::ffi_client(&common::v1_options());
    let b = common::ffi_client(&common::v1_options());
    assert!(RuntimeRef::is_running());
    assert_eq!(RuntimeRef::users(), 2);

    // From inside a runtime thread, a blocking call must not block.
    let addr = a as usize;
    let rt = common::rt();
    let (st, rec) = rt.block_on(async move {
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let st = swc_client_auth(addr as *const swc_client, ptr::null(), &mut out, &mut err);
        assert!(out.is_null());
        let rec = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
        unsafe { swc_string_free(err) };
        (st, rec)
    });
    assert_eq!(st, SWC_E_WOULD_DEADLOCK, "{rec}");
    assert!(rec.contains("callback"), "{rec}");

    // From a plain thread the same call works.
    let mut out = ptr::null_mut();
    assert_eq!(
        swc_client_auth(a, ptr::null(), &mut out, ptr::null_mut()),
        SWC_OK
    );
    unsafe { swc_string_free(out) };

    unsafe { swc_client_free(a) };
    assert!(RuntimeRef::is_running(), "one client left");
    unsafe { swc_client_free(b) };
    assert!(!RuntimeRef::is_running(), "the last free stops the runtime");
    assert_eq!(RuntimeRef::users(), 0);

    // And a new client starts it again.
    let c = common::ffi_client(&common::v1_options());
    assert!(RuntimeRef::is_running());
    unsafe { swc_client_free(c) };
    assert!(!RuntimeRef::is_running());
}
