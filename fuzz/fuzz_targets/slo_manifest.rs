#![no_main]
// Body in swiftclient::fuzzing, shared with tests/fuzz_corpus.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| swiftclient::fuzzing::slo_manifest(data));
