use super::*;
use crate::classify::Classifier;
use crate::policy::LeakPolicy;

#[test]
fn outermost_test_dirs_are_kept() {
    let classifier = Classifier::new(&LeakPolicy::default());
    let infos: Vec<PathInfo> = [
        "tests/unit/a.py",
        "tests/b.py",
        "packages/x/test/fixtures/a.js",
        "src/main.rs",
        "spec/models/user_spec.rb",
    ]
    .iter()
    .map(|p| classifier.classify(p))
    .collect();
    let facts = tree_facts(infos.iter());
    let dirs: Vec<&str> = facts.test_dirs.iter().map(String::as_str).collect();
    assert_eq!(dirs, ["packages/x/test", "spec", "tests"]);
}

#[test]
fn relative_paths_use_forward_slashes() {
    let root = Path::new("/repo");
    assert_eq!(relative(root, Path::new("/repo/src/a.rs")), "src/a.rs");
}

#[test]
fn utf16_with_a_byte_order_mark_is_text_and_a_nul_is_binary() {
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("a\u{e9}\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain("a\u{e9}\n".encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(decode_text(&le).as_deref(), Some("a\u{e9}\n"));
    assert_eq!(decode_text(&be).as_deref(), Some("a\u{e9}\n"));
    assert_eq!(decode_text(b"\xEF\xBB\xBFid\n").as_deref(), Some("id\n"));
    assert!(decode_text(b"id\0\n").is_none());
}
