//! Bad and unusual input: each gets a clear outcome, never a panic or a silent pass.

mod support;

use support::{git, livegate, TestRepo};

fn no_panic(run: &support::Run) {
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
}

#[test]
fn malformed_policy_names_file_line_and_column() {
    let repo = TestRepo::new();
    repo.write(
        ".github/livegate.toml",
        "[leaks]\nproduction = [\"src/**\"]\nproducton = true\n",
    );
    let run = livegate(repo.path(), &["scan"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("livegate.toml:3:1: unknown field `producton`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    let validate = livegate(repo.path(), &["policy", "validate"]);
    assert_eq!(validate.code, 2);
    assert!(validate.stderr.contains(":3:1:"), "{}", validate.stderr);
}

#[test]
fn two_policy_files_are_refused() {
    let repo = TestRepo::new();
    repo.write(".github/livegate.toml", "").write("livegate.toml", "");
    let run = livegate(repo.path(), &["scan"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("found both"), "{}", run.stderr);
}

#[test]
fn missing_policy_flag_file_is_an_error() {
    let repo = TestRepo::new();
    let run = livegate(repo.path(), &["scan", "--policy", "nope.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nope.toml: cannot read policy file"),
        "{}",
        run.stderr
    );
}

#[test]
fn empty_repository_passes_and_says_it_saw_nothing() {
    let repo = TestRepo::new();
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["stats"]["files_seen"], 0);
}

#[test]
fn diff_on_empty_repository_is_a_usage_error() {
    let repo = TestRepo::new();
    let run = livegate(repo.path(), &["scan", "--diff", "main..HEAD"]);
    no_panic(&run);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--diff main..HEAD: revision `main` not found"),
        "{}",
        run.stderr
    );
}

#[test]
fn shallow_clone_missing_base_cannot_be_verified() {
    let origin = TestRepo::new();
    origin.write("src/a.py", "x = 1\n");
    let first = origin.commit("one");
    origin.write("src/b.py", "y = 2\n");
    origin.commit("two");
    origin.write("src/c.py", "z = 3\n");
    origin.commit("three");
    let clone_dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone_dir.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let shallow = clone_dir.path().join("shallow");
    let run = livegate(
        &shallow,
        &["scan", "--diff", &format!("{first}..HEAD"), "--format", "json"],
    );
    no_panic(&run);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.found()[0].0, "LG903");
    assert_eq!(run.json()["summary"]["result"], "unverified");
    // A full scan of the shallow checkout still works.
    assert_eq!(livegate(&shallow, &["scan"]).code, 0);
}

#[test]
fn corrupt_repository_cannot_be_verified() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    repo.commit("one");
    std::fs::write(repo.path().join(".git/HEAD"), "garbage\n").unwrap();
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.found()[0].0, "LG901");
}

/// Skipped files are counted; in a production data path (here `data/`) a
/// file the scan cannot read is "could not verify", never a pass.
#[test]
fn binary_and_huge_files_are_skipped_and_counted() {
    let repo = TestRepo::new();
    let mut binary = b"INSERT 4111111111111111 ".to_vec();
    binary.extend([0u8, 1, 2, 3]);
    repo.write("data/blob.csv", binary);
    let mut huge = String::from("card\n4111111111111111\n");
    huge.push_str(&"x".repeat(3 * 1024 * 1024));
    repo.write("data/huge.csv", huge);
    repo.commit("odd files");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(
        run.found(),
        [
            ("LG904".to_owned(), "data/blob.csv".to_owned(), 0),
            ("LG904".to_owned(), "data/huge.csv".to_owned(), 0),
        ]
    );
    let stats = &run.json()["stats"];
    assert_eq!(stats["skipped_binary"], 1);
    assert_eq!(stats["skipped_large"], 1);
    let human = livegate(repo.path(), &["scan"]);
    assert!(
        human.stdout.contains("skipped 1 binary, 1 too large"),
        "{}",
        human.stdout
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_paths_are_scanned_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let repo = TestRepo::new();
    let dir = repo.path().join("db/migrations");
    std::fs::create_dir_all(&dir).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"0001_caf\xe9.sql");
    std::fs::write(dir.join(name), "INSERT INTO t VALUES ('x@example.com');\n").unwrap();
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.found();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "LG414");
    assert!(found[0].1.starts_with("db/migrations/0001_caf"), "{found:?}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    std::os::unix::fs::symlink("..", repo.path().join("src/loop")).unwrap();
    std::os::unix::fs::symlink("self", repo.path().join("self")).unwrap();
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["stats"]["skipped_symlinks"], 2);
}

#[test]
fn path_that_is_not_a_directory_is_an_error() {
    let repo = TestRepo::new();
    repo.write("file.txt", "x");
    let run = livegate(repo.path(), &["scan", "file.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
    let missing = livegate(repo.path(), &["scan", "nowhere"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nowhere: cannot scan"), "{}", missing.stderr);
}

#[test]
fn usage_errors_name_the_flag() {
    let repo = TestRepo::new();
    let run = livegate(repo.path(), &["scan", "--diff", "main"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--diff: `main` is not a range"), "{}", run.stderr);
    let run = livegate(repo.path(), &["scan", "--format", "xml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("xml"), "{}", run.stderr);
}
