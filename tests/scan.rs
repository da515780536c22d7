//! End-to-end scans: the binary on real git repositories in temp dirs.

mod support;

use support::{livegate, TestRepo};

/// A small service with one leak of each kind that matters most.
fn leaky_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "from tests.factories import make_user\n\ndef main():\n    return make_user()\n")
        .write("tests/factories.py", "def make_user():\n    return {'email': 'jane@example.com'}\n")
        .write("tests/fixtures/cards.csv", "4111111111111111\n")
        .write(
            "db/migrations/0002_officers.sql",
            "CREATE TABLE officers (email text, card text);\nINSERT INTO officers VALUES ('pc.test@example.com', '4111 1111 1111 1111');\n",
        )
        .write("db/migrations/0003_insert_test_users.sql", "INSERT INTO users VALUES (1);\n")
        .write("config/production.yml", "app:\n  debug: true\n");
    repo.commit("initial");
    repo
}

#[test]
fn full_scan_reports_each_leak_at_its_line() {
    let repo = leaky_repo();
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.found();
    let expect = [
        ("LG451", "config/production.yml", 2),
        ("LG414", "db/migrations/0002_officers.sql", 2),
        ("LG413", "db/migrations/0003_insert_test_users.sql", 0),
        ("LG422", "src/app.py", 1),
    ];
    for (code, path, line) in expect {
        assert!(
            found.iter().any(|(c, p, l)| c == code && p == path && *l == line),
            "missing {code} {path}:{line} in {found:?}"
        );
    }
    // Test fixtures in tests/ are where they belong.
    assert!(!found.iter().any(|(_, p, _)| p.starts_with("tests/")), "{found:?}");
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "livegate");
    assert_eq!(json["summary"]["result"], "fail");
    let first = &json["findings"][0];
    for key in [
        "code",
        "id",
        "severity",
        "message",
        "location",
        "snippet",
        "remediation",
    ] {
        assert!(!first[key].is_null(), "finding lacks {key}: {first}");
    }
}

#[test]
fn clean_repository_passes_with_exit_zero() {
    let repo = TestRepo::new();
    repo.write("src/main.rs", "fn main() { println!(\"hi\"); }\n")
        .write("tests/cli.rs", "const CARD: &str = \"4111111111111111\";\n")
        .write("tests/fixtures/users.json", "[{\"email\": \"a@example.com\"}]\n");
    repo.commit("clean");
    let run = livegate(repo.path(), &["scan"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 errors, 0 warnings, 0 notes"), "{}", run.stdout);
}

#[test]
fn fail_on_warning_turns_warnings_into_failure() {
    let repo = TestRepo::new();
    repo.write("src/main/resources/fixtures/customers.json", "[]\n");
    repo.commit("fixture in main");
    assert_eq!(livegate(repo.path(), &["scan"]).code, 0);
    let run = livegate(repo.path(), &["scan", "--fail-on", "warning", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.found(),
        [(
            "LG412".to_owned(),
            "src/main/resources/fixtures/customers.json".to_owned(),
            0
        )]
    );
}

#[test]
fn diff_scans_only_added_lines_of_changed_files() {
    let repo = TestRepo::new();
    repo.write("data/seed.csv", "email\nold@example.com\n");
    let base = repo.commit("base");
    repo.write("data/seed.csv", "email\nold@example.com\nnew@example.com\n")
        .write("src/main/java/a/LedgerTest.java", "class LedgerTest {}\n");
    repo.commit("change");
    let run = livegate(
        repo.path(),
        &[
            "scan",
            "--diff",
            &format!("{base}..HEAD"),
            "--format",
            "json",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.found(),
        [
            ("LG433".to_owned(), "data/seed.csv".to_owned(), 3),
            ("LG411".to_owned(), "src/main/java/a/LedgerTest.java".to_owned(), 0),
        ]
    );
    // The full scan also sees the old line.
    let full = livegate(repo.path(), &["scan", "--format", "json"]).found();
    assert_eq!(full.iter().filter(|(c, _, _)| c == "LG433").count(), 2, "{full:?}");
}

#[test]
fn diff_three_dots_uses_the_merge_base() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("data/customers.csv", "card\n4242424242424242\n");
    repo.commit("feature adds test card");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("data/other.csv", "card\n5555555555554444\n");
    repo.commit("main moves on");
    let run = livegate(repo.path(), &["scan", "--diff", "main...feature", "--format", "json"]);
    assert_eq!(
        run.found(),
        [("LG431".to_owned(), "data/customers.csv".to_owned(), 2)],
        "{}",
        run.stderr
    );
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    repo.commit("base");
    repo.write("config/production.yml", "debug: true\n");
    repo.git(&["add", "config/production.yml"]);
    // Unstaged edit fixing it: the index still has the bad version.
    repo.write("config/production.yml", "debug: false\n");
    let run = livegate(repo.path(), &["scan", "--staged", "--format", "json"]);
    assert_eq!(
        run.found(),
        [("LG451".to_owned(), "config/production.yml".to_owned(), 1)],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
}

#[test]
fn staged_works_before_the_first_commit() {
    let repo = TestRepo::new();
    repo.write("db/migrate/001_fake_users.rb", "class FakeUsers; end\n");
    repo.git(&["add", "-A"]);
    let run = livegate(repo.path(), &["scan", "--staged", "--format", "json"]);
    assert_eq!(
        run.found(),
        [("LG413".to_owned(), "db/migrate/001_fake_users.rb".to_owned(), 0)],
        "{}",
        run.stderr
    );
}

#[test]
fn inline_allow_needs_a_reason() {
    let repo = TestRepo::new();
    repo.write(
        "db/seeds/demo.sql",
        "-- livegate: allow LG431 -- sandbox card for the demo tenant\nINSERT INTO cards VALUES ('4111111111111111');\nINSERT INTO cards VALUES ('4242424242424242'); -- livegate: allow LG431\n",
    );
    repo.commit("seed");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(
        run.found(),
        [
            ("LG431".to_owned(), "db/seeds/demo.sql".to_owned(), 3),
            ("LG492".to_owned(), "db/seeds/demo.sql".to_owned(), 3),
        ]
    );
    assert_eq!(run.json()["stats"]["suppressed_inline"], 1);
}

#[test]
fn policy_allow_suppresses_and_unused_entries_warn() {
    let repo = TestRepo::new();
    repo.write("src/demo/seed.sql", "INSERT INTO cards VALUES ('4111111111111111');\n").write(
        ".github/livegate.toml",
        "extends = \"standard\"\n\n[[leaks.allow]]\npath = \"src/demo/seed.sql\"\ncode = \"LG431\"\nreason = \"demo data shipped on purpose\"\n\n[[leaks.allow]]\npath = \"src/gone.sql\"\ncode = \"LG431\"\nreason = \"was deleted\"\n",
    );
    repo.commit("allowed demo");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.found(),
        [("LG491".to_owned(), ".github/livegate.toml".to_owned(), 9)]
    );
    assert_eq!(run.json()["stats"]["suppressed_policy"], 1);
}

#[test]
fn baseline_accepts_known_findings_and_reports_new_ones() {
    let repo = leaky_repo();
    let baseline = repo.path().join("livegate-baseline.json");
    let write = livegate(repo.path(), &["scan", "--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(write.stderr.contains("wrote"), "{}", write.stderr);
    let again = livegate(
        repo.path(),
        &["scan", "--baseline", "livegate-baseline.json", "--format", "json"],
    );
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(again.found().is_empty());
    // Lines moving does not revive old findings; a new one fails.
    let mut sql = std::fs::read_to_string(repo.path().join("db/migrations/0002_officers.sql")).unwrap();
    sql.insert_str(0, "-- moved down\n");
    sql.push_str("INSERT INTO officers VALUES ('new@example.org', 'x');\n");
    repo.write("db/migrations/0002_officers.sql", sql);
    let after = livegate(
        repo.path(),
        &["scan", "--baseline", "livegate-baseline.json", "--format", "json"],
    );
    assert_eq!(
        after.found(),
        [("LG414".to_owned(), "db/migrations/0002_officers.sql".to_owned(), 4)]
    );
    assert_eq!(after.code, 1);
}

#[test]
fn broken_baseline_is_a_clear_error() {
    let repo = TestRepo::new();
    repo.write("baseline.json", "{\"version\": 1, \"findings\": [}\n");
    let run = livegate(repo.path(), &["scan", "--baseline", "baseline.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--baseline baseline.json:1:"), "{}", run.stderr);
}

#[test]
fn packaging_checks_see_the_whole_tree() {
    let repo = TestRepo::new();
    repo.write("app/main.py", "print('hi')\n")
        .write("tests/test_main.py", "def test_x(): pass\n")
        .write("tests/__init__.py", "")
        .write("Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n")
        .write(
            "setup.py",
            "from setuptools import setup, find_packages\nsetup(name='app', packages=find_packages())\n",
        )
        .write("requirements.txt", "flask==3.0\nfaker==24.0\n");
    repo.commit("service");
    let run = livegate(repo.path(), &["scan", "--format", "json", "--fail-on", "note"]);
    let found = run.found();
    for expected in [
        ("LG442", "Dockerfile", 3),
        ("LG444", "setup.py", 2),
        ("LG424", "requirements.txt", 2),
    ] {
        assert!(
            found.iter().any(|(c, p, l)| (c.as_str(), p.as_str(), *l) == expected),
            "missing {expected:?} in {found:?}"
        );
    }
    // Ignoring the tests in the build context fixes LG442; the diff scan of
    // that change sees the tree and reports nothing new for the Dockerfile.
    repo.write(".dockerignore", "tests/\n");
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.commit("ignore tests");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert!(!run.found().iter().any(|(c, _, _)| c == "LG442"), "{:?}", run.found());
    let diff = diff_since(&repo, &base);
    assert_eq!(diff.code, 0, "{}", diff.stdout);
}

#[test]
fn diff_treats_moves_and_edits_precisely() {
    let repo = TestRepo::new();
    repo.write("data/a/cards.csv", "card\n4111111111111111\n")
        .write("tests/fixtures/users.json", "[{\"email\": \"a@example.com\"}]\n")
        .write("src/lib.rs", "pub fn f() {}\n");
    let base = repo.commit("base");
    // A pure move inside production brings no new lines; a fixture moved
    // into production is placed there; an edit adds exactly its lines.
    for (from, to) in [
        ("data/a/cards.csv", "data/b/cards.csv"),
        ("tests/fixtures/users.json", "src/fixtures/users.json"),
    ] {
        std::fs::create_dir_all(repo.path().join(to).parent().unwrap()).unwrap();
        std::fs::rename(repo.path().join(from), repo.path().join(to)).unwrap();
    }
    repo.write("data/c.csv", "card\n5555555555554444\nx\n");
    let first = repo.commit("moves");
    let run = diff_since(&repo, &base);
    let found = run.found();
    assert!(
        found
            .iter()
            .any(|(c, p, _)| c == "LG412" && p == "src/fixtures/users.json"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, p, l)| c == "LG431" && p == "data/c.csv" && *l == 2),
        "{found:?}"
    );
    assert!(!found.iter().any(|(_, p, _)| p == "data/b/cards.csv"), "{found:?}");

    repo.write("data/c.csv", "card\n5555555555554444\nx\n4242424242424242\n");
    repo.commit("edit");
    let run = diff_since(&repo, &first);
    assert_eq!(run.found(), [("LG431".to_owned(), "data/c.csv".to_owned(), 4)]);
}

#[test]
fn diff_treats_a_move_with_edits_as_a_rename_and_an_unrelated_namesake_as_new() {
    let repo = TestRepo::new();
    let rows: String = (0..8).map(|i| format!("row{i},ok\n")).collect();
    repo.write("data/a/cards.csv", format!("card\n4111111111111111\n{rows}"))
        .write("data/a/users.csv", "name\nann\n");
    let base = repo.commit("base");
    // cards.csv moves and gains one line: only that line is new. users.csv
    // is deleted and an unrelated file of that name appears: all of it is new.
    std::fs::create_dir_all(repo.path().join("data/b")).unwrap();
    std::fs::remove_file(repo.path().join("data/a/cards.csv")).unwrap();
    std::fs::remove_file(repo.path().join("data/a/users.csv")).unwrap();
    repo.write(
        "data/b/cards.csv",
        format!("card\n4111111111111111\n{rows}5555555555554444\n"),
    )
    .write("data/b/users.csv", "email\n4242424242424242\nx\n");
    repo.commit("move, edit, replace");
    let run = diff_since(&repo, &base);
    let mut found = run.found();
    found.sort();
    assert_eq!(
        found,
        [
            ("LG431".to_owned(), "data/b/cards.csv".to_owned(), 11),
            ("LG431".to_owned(), "data/b/users.csv".to_owned(), 2),
        ]
    );
}

/// Runs livegate and fails the test if it takes longer than `limit`: a scan
/// that loops forever would otherwise hang `git push`.
fn livegate_within(dir: &std::path::Path, args: &[&str], stdin: &[u8], limit: std::time::Duration) -> support::Run {
    use std::io::Write;
    let mut child = std::process::Command::new(support::bin())
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("livegate runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("livegate {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn diff_json(repo: &TestRepo, range: &str) -> support::Run {
    livegate(repo.path(), &["scan", "--diff", range, "--format", "json"])
}

/// `scan --diff BASE..HEAD --format json`, BASE as `TestRepo::commit` gives it.
fn diff_since(repo: &TestRepo, base: &str) -> support::Run {
    diff_json(repo, &format!("{}..HEAD", base.trim()))
}

#[test]
fn diff_sees_a_leak_after_a_lone_carriage_return() {
    let repo = TestRepo::new();
    repo.write("data/customers.csv", "name\rcard\nok\n");
    let base = repo.commit("base");
    repo.write("data/customers.csv", "name\rcard\nok\n4242424242424242\n");
    repo.commit("add a card");
    let run = diff_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(run.found(), [("LG431".to_owned(), "data/customers.csv".to_owned(), 3)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The tree scan and --staged agree on the line.
    let tree = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(tree.found(), [("LG431".to_owned(), "data/customers.csv".to_owned(), 3)]);
}

#[test]
fn fixture_renamed_or_copied_into_migrations_is_new_content_there() {
    let repo = TestRepo::new();
    let sql = "INSERT INTO users VALUES ('pc.test@example.com');\n";
    repo.write("tests/fixtures/users.sql", sql).write(
        "tests/fixtures/cards.sql",
        "INSERT INTO cards VALUES ('4111111111111111');\n",
    );
    let base = repo.commit("base");
    std::fs::create_dir_all(repo.path().join("db/migrate")).unwrap();
    repo.git(&["mv", "tests/fixtures/users.sql", "db/migrate/20240101000000_users.sql"]);
    let rename = livegate(repo.path(), &["scan", "--staged", "--format", "json"]);
    repo.commit("rename a fixture into migrations");
    let run = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [&rename, &run] {
        let found = run.found();
        assert!(
            found
                .iter()
                .any(|(c, p, l)| c == "LG414" && p == "db/migrate/20240101000000_users.sql" && *l == 1),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(c, p, l)| c == "LG413" && p == "db/migrate/20240101000000_users.sql" && *l == 0),
            "{found:?}"
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
    let copied = repo.git(&["rev-parse", "HEAD"]);
    std::fs::create_dir_all(repo.path().join("db/seeds")).unwrap();
    std::fs::copy(
        repo.path().join("tests/fixtures/cards.sql"),
        repo.path().join("db/seeds/cards.sql"),
    )
    .unwrap();
    repo.commit("copy a fixture into seeds");
    let found = diff_json(&repo, &format!("{copied}..HEAD")).found();
    assert!(
        found
            .iter()
            .any(|(c, p, l)| c == "LG431" && p == "db/seeds/cards.sql" && *l == 1),
        "{found:?}"
    );
}

#[test]
fn tree_scan_reads_tracked_files_that_an_ignore_file_matches() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "db/\n")
        .write(".ignore", "config/\n")
        .write(
            "db/migrations/0001_users.sql",
            "INSERT INTO users VALUES ('pc.test@example.com');\n",
        )
        .write("config/production.yml", "debug: true\n");
    repo.git(&["add", "-f", "."]);
    repo.commit("tracked despite ignore rules");
    // Untracked and ignored: not part of the repository, not scanned.
    repo.write(
        "db/migrations/0002_local.sql",
        "INSERT INTO users VALUES ('me@example.com');\n",
    );
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    let mut found = run.found();
    found.sort();
    assert_eq!(
        found,
        [
            ("LG414".to_owned(), "db/migrations/0001_users.sql".to_owned(), 1),
            ("LG451".to_owned(), "config/production.yml".to_owned(), 1),
        ]
    );
    assert_eq!(run.code, 1);
}

#[test]
fn diff_reports_submodule_changes_as_a_note_naming_both_commits() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    let old = repo.commit("base");
    repo.write("src/a.py", "x = 2\n");
    let new = repo.commit("another commit");
    // Gitlinks without a checkout: `git add -A` would drop them, so commit the index as it is.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{old},vendor/lib"),
    ]);
    repo.git(&["commit", "-q", "-m", "add a submodule"]);
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["update-index", "--cacheinfo", &format!("160000,{new},vendor/lib")]);
    repo.git(&["commit", "-q", "-m", "bump the submodule"]);
    let run = diff_json(&repo, &format!("{base}..HEAD"));
    assert_eq!(run.found(), [("LG493".to_owned(), "vendor/lib".to_owned(), 0)]);
    let message = run.json()["findings"][0]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains(&old[..12]) && message.contains(&new[..12]),
        "{message}"
    );
    assert_eq!(run.json()["findings"][0]["severity"], "note");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn production_data_that_cannot_be_read_as_text_is_not_a_pass() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    let base = repo.commit("base");
    let mut with_nul = b"INSERT INTO users VALUES ('pc.test@example.com');\n".to_vec();
    with_nul.insert(10, 0);
    let utf16 = |big_endian: bool| -> Vec<u8> {
        let text = "INSERT INTO users VALUES ('pc.test@example.com');\n";
        let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    };
    repo.write("db/migrations/0001_nul.sql", &with_nul)
        .write("db/migrations/0002_le.sql", utf16(false))
        .write("db/migrations/0003_be.sql", utf16(true))
        .write("db/seeds/big.csv", "name\n".repeat(600_000))
        .write("src/logo.bin", [0u8, 1, 2, 3]);
    repo.commit("hard to read");
    let expected = [
        ("LG414", "db/migrations/0002_le.sql", 1),
        ("LG414", "db/migrations/0003_be.sql", 1),
        ("LG904", "db/migrations/0001_nul.sql", 0),
        ("LG904", "db/seeds/big.csv", 0),
    ];
    let tree = livegate(repo.path(), &["scan", "--format", "json"]);
    let diff = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [tree, diff] {
        let mut found = run.found();
        found.sort();
        let expected: Vec<(String, String, u64)> = expected
            .iter()
            .map(|(c, p, l)| (c.to_string(), p.to_string(), *l))
            .collect();
        assert_eq!(found, expected, "{}", run.stderr);
        assert_eq!(run.code, 3);
    }
    // The policy accepts a file it cannot read by excluding its path.
    repo.write(
        ".github/livegate.toml",
        "extends = \"standard\"\n\n[leaks]\nexclude = [\"db/seeds/big.csv\", \"db/migrations/0001_nul.sql\"]\n",
    );
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert!(!run.found().iter().any(|(c, _, _)| c == "LG904"), "{:?}", run.found());
    assert_eq!(run.code, 1);
}

/// Commits a migration, then truncates its loose object the way a crash or a
/// full disk would leave it.
fn repo_with_a_truncated_object() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    let base = repo.commit("base");
    let rows: String = (0..3000)
        .map(|i| format!("INSERT INTO t VALUES ({i}, 'row {i}');\n"))
        .collect();
    repo.write("db/migrations/0001_rows.sql", rows);
    repo.commit("rows");
    let oid = repo.git(&["rev-parse", "HEAD:db/migrations/0001_rows.sql"]);
    let object = repo.path().join(".git/objects").join(&oid[..2]).join(&oid[2..]);
    let mut permissions = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&object).unwrap();
    file.set_len(200).unwrap();
    (repo, base)
}

#[test]
fn truncated_loose_object_is_exit_3_not_a_hang() {
    let limit = std::time::Duration::from_secs(60);
    let (repo, base) = repo_with_a_truncated_object();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let diff = livegate_within(
        repo.path(),
        &["scan", "--diff", &format!("{base}..HEAD"), "--format", "json"],
        b"",
        limit,
    );
    let push_line = format!("refs/heads/x {head} refs/heads/x {base}\n");
    let hook = livegate_within(
        repo.path(),
        &["hook", "pre-push", "origin", "url"],
        push_line.as_bytes(),
        limit,
    );
    // --staged: the damaged blob is in the index, HEAD does not have it yet.
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let staged = livegate_within(repo.path(), &["scan", "--staged", "--format", "json"], b"", limit);
    for run in [&diff, &staged, &hook] {
        assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("LG901") || run.stderr.contains("LG901"),
            "{}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn one_line_migration_full_of_values_gives_a_bounded_report() {
    let repo = TestRepo::new();
    let mut line = String::from("INSERT INTO users VALUES ");
    let mut i = 0;
    while line.len() < 140_000 {
        line.push_str(&format!("('user{i}@example.com'),"));
        i += 1;
    }
    line.push_str("('last@example.com');\n");
    repo.write("db/migrations/0001_users.sql", &line);
    repo.commit("one long line");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.len() < 200_000, "report is {} bytes", run.stdout.len());
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() <= 101, "{} findings", findings.len());
    for finding in findings {
        let snippet = finding["snippet"].as_str().unwrap_or_default();
        assert!(
            snippet.chars().count() <= 202,
            "snippet of {} chars",
            snippet.chars().count()
        );
    }
    let rest = findings
        .iter()
        .find(|f| f["code"] == "LG494")
        .expect("a note counting the rest");
    assert!(
        rest["message"].as_str().unwrap().contains(&format!("{}", i + 1 - 100)),
        "{rest}"
    );
}

#[test]
fn a_tree_thirty_thousand_levels_deep_is_scanned_without_a_crash() {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    let base = repo.commit("base");
    let git = git2::Repository::open(repo.path()).unwrap();
    let blob = git.blob(b"card\n4111111111111111\n").unwrap();
    let mut builder = git.treebuilder(None).unwrap();
    builder.insert("cards.csv", blob, 0o100644).unwrap();
    let mut tree = builder.write().unwrap();
    for _ in 0..30_000 {
        let mut builder = git.treebuilder(None).unwrap();
        builder.insert("d", tree, 0o040000).unwrap();
        tree = builder.write().unwrap();
    }
    let head_tree = git.find_tree(git.head().unwrap().peel_to_tree().unwrap().id()).unwrap();
    let mut top = git.treebuilder(Some(&head_tree)).unwrap();
    top.insert("data", tree, 0o040000).unwrap();
    let top = git.find_tree(top.write().unwrap()).unwrap();
    let signature = git2::Signature::now("Test Author", "author@livegate.invalid").unwrap();
    let parent = git.head().unwrap().peel_to_commit().unwrap();
    git.commit(Some("HEAD"), &signature, &signature, "deep", &top, &[&parent])
        .unwrap();
    let run = livegate_within(
        repo.path(),
        &["scan", "--diff", &format!("{base}..HEAD"), "--format", "json"],
        b"",
        std::time::Duration::from_secs(120),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.found();
    assert!(
        found
            .iter()
            .any(|(c, p, l)| c == "LG431" && p.ends_with("/d/cards.csv") && *l == 2),
        "{:?}",
        found.iter().map(|(c, p, l)| (c, p.len(), l)).collect::<Vec<_>>()
    );
}

/// Regression: a dependency inserted between two others was missed by
/// `--diff`, because the line diff pairs the new `<dependency>` line with its
/// neighbour's and the finding pointed at that line.
#[test]
fn diff_finds_a_test_library_inserted_in_the_middle_of_a_pom() {
    let dependency = |group: &str, artifact: &str| {
        format!("    <dependency>\n      <groupId>{group}</groupId>\n      <artifactId>{artifact}</artifactId>\n    </dependency>\n")
    };
    let pom = |middle: &str| {
        format!(
            "<project>\n  <artifactId>shop</artifactId>\n  <dependencies>\n{}{middle}{}  </dependencies>\n</project>\n",
            dependency("org.springframework.boot", "spring-boot-starter-web"),
            dependency("org.postgresql", "postgresql"),
        )
    };
    let repo = TestRepo::new();
    repo.write("pom.xml", pom(""));
    let base = repo.commit("base");
    repo.write("pom.xml", pom(&dependency("org.mockito", "mockito-core")));
    repo.commit("add mockito");
    let run = livegate(
        repo.path(),
        &[
            "scan",
            "--diff",
            &format!("{}..HEAD", base.trim()),
            "--format",
            "json",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(
        run.found(),
        [("LG424".to_owned(), "pom.xml".to_owned(), 10)],
        "{}",
        run.stdout
    );
}

/// A test library imported into production code between existing imports
/// is found by `--diff` at its line; comments and test files are not.
#[test]
fn diff_finds_test_library_imports_added_to_production_code() {
    let repo = TestRepo::new();
    let service = |extra: &str| {
        format!(
            "package com.example.demo;\n\nimport java.util.List;\n{extra}import org.springframework.stereotype.Service;\n\n@Service\nclass PaymentClient {{}}\n"
        )
    };
    repo.write("src/main/java/com/example/demo/PaymentClient.java", service(""))
        .write(
            "src/test/java/com/example/demo/PaymentClientTest.java",
            "import org.junit.jupiter.api.Test;\n",
        );
    let base = repo.commit("base");
    repo.write(
        "src/main/java/com/example/demo/PaymentClient.java",
        service("// import org.junit.Assert;\nimport org.mockito.Mockito;\n"),
    )
    .write(
        "src/test/java/com/example/demo/PaymentClientTest.java",
        "import org.junit.jupiter.api.Test;\nimport org.mockito.Mockito;\n",
    );
    repo.commit("use mockito");
    let run = diff_since(&repo, &base);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.found(),
        [(
            "LG425".to_owned(),
            "src/main/java/com/example/demo/PaymentClient.java".to_owned(),
            5
        )]
    );
}

/// The shapes of issue 13's remaining misses as `--diff` sees them: a
/// production values file repointed at a staging host, a Liquibase master
/// changelog that gains an `includeAll` of a test-data folder, and a final
/// Docker stage that switches test tools on. The untouched lines beside them
/// (production hosts, the real migrations folder) are not findings.
#[test]
fn diff_finds_staging_hosts_test_data_changelogs_and_test_switches_in_the_image() {
    let repo = TestRepo::new();
    let values = |host: &str| {
        format!("generic-service:\n  env:\n    AUTH_URL: \"https://sign-in.service.justice.gov.uk/auth\"\n    ORCHESTRATION_API_URL: \"https://{host}.prison.service.justice.gov.uk\"\n")
    };
    let changelog = |extra: &str| {
        format!("<databaseChangeLog>\n    <includeAll path=\"migrations/\"/>\n{extra}</databaseChangeLog>\n")
    };
    repo.write("helm_deploy/values-prod.yaml", values("orchestration"))
        .write("src/main/resources/migrations.xml", changelog(""))
        .write(
            "Dockerfile",
            "FROM golang:1.22 AS build\nRUN go build ./...\n\nFROM alpine:3.20\nENV PORT=8080\n",
        );
    let base = repo.commit("base");
    repo.write("helm_deploy/values-prod.yaml", values("orchestration-staging"))
        .write(
            "src/main/resources/migrations.xml",
            changelog("    <includeAll path=\"test-data/products\"/>\n"),
        )
        .write(
            "Dockerfile",
            "FROM golang:1.22 AS build\nRUN go build ./...\n\nFROM alpine:3.20\nENV PORT=8080\nENV ENABLE_TEST_TOOLS=true\n",
        );
    repo.commit("point at staging, seed products, enable tools");
    let run = diff_since(&repo, &base);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.found(),
        [
            ("LG452".to_owned(), "Dockerfile".to_owned(), 6),
            ("LG456".to_owned(), "helm_deploy/values-prod.yaml".to_owned(), 4),
            ("LG415".to_owned(), "src/main/resources/migrations.xml".to_owned(), 3),
        ]
    );
}

/// Leak 51 of the real-world evaluation: a test CSV renamed from
/// `src/test/resources` into `src/main/resources` keeps its ordinary name, so
/// the move is the only evidence; `--diff`, `--staged` and the pre-push range
/// all saw a pure rename and reported nothing.
#[test]
fn test_resource_renamed_into_main_resources_is_reported_as_moved_test_data() {
    let repo = TestRepo::new();
    repo.write(
        "src/test/resources/session-template-data/session-data_count_4.csv",
        "prison_code,day,start,end\nHEI,MONDAY,09:00,10:00\n",
    )
    .write("src/main/resources/application.yml", "server:\n  port: 8080\n")
    .write("src/main/kotlin/App.kt", "fun main() {}\n");
    let base = repo.commit("base");
    std::fs::create_dir_all(repo.path().join("src/main/resources/session-template-data")).unwrap();
    repo.git(&[
        "mv",
        "src/test/resources/session-template-data/session-data_count_4.csv",
        "src/main/resources/session-template-data/session-data_count_4.csv",
    ]);
    let staged = livegate(repo.path(), &["scan", "--staged", "--format", "json"]);
    repo.commit("move the session template data");
    let diff = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [&staged, &diff] {
        let json = run.json();
        let moved: Vec<&serde_json::Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "LG412")
            .collect();
        assert_eq!(moved.len(), 1, "{json}");
        assert_eq!(
            moved[0]["location"]["path"],
            "src/main/resources/session-template-data/session-data_count_4.csv"
        );
        assert_eq!(moved[0]["severity"], "warning");
        let message = moved[0]["message"].as_str().unwrap();
        assert!(
            message.contains("src/test/resources/session-template-data/session-data_count_4.csv"),
            "{message}"
        );
    }
    // A move that stays inside production is not test data arriving.
    let moved = repo.git(&["rev-parse", "HEAD"]);
    std::fs::create_dir_all(repo.path().join("src/main/resources/templates")).unwrap();
    repo.git(&[
        "mv",
        "src/main/resources/session-template-data/session-data_count_4.csv",
        "src/main/resources/templates/session-data_count_4.csv",
    ]);
    repo.commit("move within main");
    let found = diff_json(&repo, &format!("{}..HEAD", moved.trim())).found();
    assert!(!found.iter().any(|(c, _, _)| c == "LG412"), "{found:?}");
}

/// A Django settings module that nothing selects: the repository's entry
/// points select the package (which imports `base`), so `DEBUG = True` in
/// `production.py` is a warning naming that evidence, in the tree scan and
/// in `--diff` (whose facts come from the tree at the range's head). Once a
/// deploy file selects it, it is an error again.
#[test]
fn django_settings_module_that_nothing_selects_is_a_warning_naming_the_selection() {
    let repo = TestRepo::new();
    repo.write("proj/__init__.py", "")
        .write("proj/settings/__init__.py", "from .base import *\n")
        .write(
            "proj/settings/base.py",
            "import os\nDEBUG = os.environ.get('DEBUG') == 'True'\n",
        )
        .write(
            "proj/wsgi.py",
            "import os\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
        )
        .write(
            "manage.py",
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
        );
    let base = repo.commit("base");
    repo.write("proj/settings/production.py", "from .base import *\nDEBUG = True\n");
    repo.commit("legacy production settings");
    let lg451 = |run: &support::Run| -> Vec<serde_json::Value> {
        run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "LG451" && f["location"]["path"] == "proj/settings/production.py")
            .cloned()
            .collect()
    };
    let tree = livegate(repo.path(), &["scan", "--format", "json"]);
    let diff = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [&tree, &diff] {
        let found = lg451(run);
        assert_eq!(found.len(), 1, "{}", run.stdout);
        assert_eq!(found[0]["severity"], "warning");
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains("`proj.settings` at proj/wsgi.py:3"), "{message}");
        assert!(message.contains("missing link"), "{message}");
    }

    // The image selects it: error, in both modes.
    repo.write(
        "Dockerfile",
        "FROM python:3.12\nCOPY . /app\nENV DJANGO_SETTINGS_MODULE=proj.settings.production\n",
    );
    repo.commit("select production settings in the image");
    let tree = livegate(repo.path(), &["scan", "--format", "json"]);
    let diff = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [&tree, &diff] {
        let found = lg451(run);
        assert_eq!(found.len(), 1, "{}", run.stdout);
        assert_eq!(found[0]["severity"], "error", "{}", found[0]);
    }
}

/// Real-world false alarm (claim-additional-payments-for-teaching): seed
/// helpers in `db/seeders/` use FactoryBot, and `db/seeds.rb` picks a seeder
/// by environment (production gets a no-op). The helpers' findings are
/// warnings naming that guard, in the tree scan and in `--diff`.
#[test]
fn seed_helpers_behind_an_environment_guarded_seeds_entry_are_warnings() {
    let repo = TestRepo::new();
    repo.write(
        "db/seeds.rb",
        "require_relative \"seeders/base\"\n\nseeder = if Rails.env.development?\n  Seeders::Base.new\nelse\n  Seeders::Null.new\nend\nseeder.call\n",
    )
    .write("app/models/claim.rb", "class Claim < ApplicationRecord\nend\n");
    let base = repo.commit("base");
    repo.write(
        "db/seeders/base.rb",
        "require \"factory_bot\"\n\nmodule Seeders\n  class Base\n    def call\n      FactoryBot.create_list(:claim, 5)\n    end\n  end\nend\n",
    );
    repo.commit("seed claims in development");
    let tree = livegate(repo.path(), &["scan", "--format", "json"]);
    let diff = diff_json(&repo, &format!("{base}..HEAD"));
    for run in [&tree, &diff] {
        let json = run.json();
        let lg425: Vec<&serde_json::Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "LG425" && f["location"]["path"] == "db/seeders/base.rb")
            .collect();
        assert!(!lg425.is_empty(), "{json}");
        for finding in lg425 {
            assert_eq!(finding["severity"], "warning", "{finding}");
            assert!(
                finding["message"].as_str().unwrap().contains("db/seeds.rb:3"),
                "{finding}"
            );
        }
    }
}
