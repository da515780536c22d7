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

/// A commit object cut short: libgit2 spins on it where the scan's own
/// object checks do not reach (resolving the revision).
#[test]
fn a_scan_that_does_not_finish_in_its_budget_is_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@livegate.invalid")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@livegate.invalid")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("a.txt"), "a\n").unwrap();
    git(&["add", "."]);
    git(&[
        "commit",
        "-q",
        "-m",
        "a long message to make the object worth cutting short",
    ]);
    let head = git(&["rev-parse", "HEAD"]);
    let object = dir.path().join(".git/objects").join(&head[..2]).join(&head[2..]);
    let bytes = std::fs::read(&object).unwrap();
    std::fs::remove_file(&object).unwrap();
    std::fs::write(&object, &bytes[..bytes.len() / 2]).unwrap();
    let options = ScanOptions {
        path: dir.path().to_path_buf(),
        mode: ScanMode::Diff {
            base: head.clone(),
            head,
            merge_base: false,
        },
        threads: 1,
        budget: Duration::from_secs(3),
    };
    let started = std::time::Instant::now();
    let policy = crate::policy::resolve(None).unwrap();
    let outcome = scan(&policy, &options, None).unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.code() == "LG901" && f.message.contains("did not finish within 3 s")),
        "{:?}",
        outcome.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}
