//! The hostile-caller test's parts: the header's prototypes (`header`),
//! a valid call of each function (`valid`), the C program calling each
//! with one bad argument at a time (`gen`) and the rules its results are
//! held to (`judge`).

pub mod gen;
pub mod header;
pub mod judge;
pub mod valid;

/// The client options of the local cluster's tempauth user.
pub fn options() -> serde_json::Value {
    let auth = std::env::var("SWC_TEST_V1_AUTH").expect(
        "SWC_TEST_V1_AUTH is not set: source .cluster/cluster.env after scripts/cluster up",
    );
    serde_json::json!({"auth": auth, "user": "test:tester", "key": "testing"})
}
