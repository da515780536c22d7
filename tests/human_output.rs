//! Snapshot of the human report, the format people read most.

mod support;

use support::{livegate, TestRepo};

#[test]
fn human_report_snapshot() {
    let repo = TestRepo::new();
    repo.write("src/main/java/acme/LedgerTest.java", "class LedgerTest {}\n")
        .write("src/main/resources/fixtures/customers.json", "[]\n")
        .write(
            "db/migrate/20240101_insert_test_users.rb",
            "class InsertTestUsers; end\n",
        )
        .write(
            "src/seed.rs",
            "pub const SEED: &str = include_str!(\"../tests/fixtures/users.json\");\n",
        )
        .write("tests/fixtures/users.json", "[]\n")
        .write("config/production.yml", "app:\n  debug: true\n")
        .write("web/src/invoice.ts", "import { fake } from '../__mocks__/customers';\n");
    repo.commit("leaks");
    let run = livegate(repo.path(), &["scan", "--color", "never", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = TestRepo::new();
    repo.write("config/production.yml", "debug: true\n");
    repo.commit("debug");
    let plain = livegate(repo.path(), &["scan"]);
    assert!(!plain.stdout.contains('\u{1b}'), "piped output must not be coloured");
    let coloured = livegate(repo.path(), &["scan", "--color", "always"]);
    assert!(coloured.stdout.contains("\u{1b}[1;31merror"), "{}", coloured.stdout);
}

#[test]
fn crafted_content_cannot_drive_the_terminal() {
    let repo = TestRepo::new();
    repo.write("config/production.yml", "debug: true \u{1b}[2J\u{1b}]0;owned\u{7}\n");
    repo.commit("escape");
    let run = livegate(repo.path(), &["scan", "--color", "never"]);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
}
