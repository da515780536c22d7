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
