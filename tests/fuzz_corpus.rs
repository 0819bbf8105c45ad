//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/*)
//! through the fuzz targets' bodies (swiftclient::fuzzing), without the
//! fuzzer: an input that once crashed a parser, once its fix is in and the
//! input is in the corpus, keeps passing on every `cargo test`.

use std::path::Path;

#[test]
fn every_corpus_file_goes_through_its_target_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut files = 0;
    for (name, target) in swiftclient::fuzzing::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (each target has a corpus)", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let ok = std::panic::catch_unwind(|| target(&data));
            assert!(ok.is_ok(), "{name} panics on {}", path.display());
            files += 1;
        }
    }
    assert!(files > 100, "only {files} corpus files");
}

#[test]
fn every_corpus_directory_is_a_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        assert!(swiftclient::fuzzing::run(name, b""), "no target {name}");
    }
}
