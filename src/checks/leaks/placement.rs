//! LG41x placement: test material sitting where production artefacts are built from.

use super::{LeakCheck, TreeFacts};
use crate::classify::{name_looks_like_test_data, test_data_name_is_weak, Area, PathInfo, Role};
use crate::registry::leaks::{JVM_TEST_CLASS_IN_MAIN, TEST_FILE_IN_MIGRATIONS, TEST_FILE_IN_PRODUCTION};
use crate::registry::CheckMeta;
use crate::registry::Severity;
use crate::report::finding::{Finding, Location};

/// Placement needs only paths.
pub struct Placement;

impl LeakCheck for Placement {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[
            &JVM_TEST_CLASS_IN_MAIN,
            &TEST_FILE_IN_PRODUCTION,
            &TEST_FILE_IN_MIGRATIONS,
        ]
    }

    fn check_path(&self, _tree: &TreeFacts, path: &PathInfo, out: &mut Vec<Finding>) {
        if path.area != Area::Production {
            return;
        }
        if matches!(path.role, Role::Migration | Role::Seed) {
            if let Some(why) = name_looks_like_test_data(path.file_name()) {
                let folder = if path.role == Role::Migration {
                    "migration"
                } else {
                    "seed"
                };
                let finding = if test_data_name_is_weak(path.file_name()) {
                    // A name alone is weak evidence: `test` is a domain word too.
                    let mut finding = Finding::new(
                        &TEST_FILE_IN_MIGRATIONS,
                        Location::file(&path.path),
                        format!(
                            "{why} of a file in a {folder} folder, but no word beside it says test data \
                             (users, data, seed, fixture...): `test` may be a domain term; the content decides"
                        ),
                    );
                    finding.severity = Severity::Note;
                    finding
                } else {
                    Finding::new(
                        &TEST_FILE_IN_MIGRATIONS,
                        Location::file(&path.path),
                        format!("{why} of a file in a {folder} folder: it will run against the live database"),
                    )
                };
                out.push(finding);
                return;
            }
        }
        match path.test_marker {
            Some("JVM test class name") => out.push(Finding::new(
                &JVM_TEST_CLASS_IN_MAIN,
                Location::file(&path.path),
                format!(
                    "`{}` is named as a test but sits under src/main, which is compiled into the artifact",
                    path.file_name()
                ),
            )),
            Some(marker) => out.push(Finding::new(
                &TEST_FILE_IN_PRODUCTION,
                Location::file(&path.path),
                format!("test material ({marker}) inside a production path"),
            )),
            None => {}
        }
    }
}

/// A file moved or copied out of a test path into production. Into a
/// migration or seed folder it is LG413: whatever its name, it is test data
/// that will now run against the live database. Into production data or
/// configuration (`src/main/resources`, a `data/` folder) it is LG412: the
/// move is the only evidence, since the file keeps its ordinary name, and
/// the artefact built from that path now carries it.
pub fn arrived_from_test(from: &PathInfo, to: &PathInfo) -> Option<Finding> {
    if from.area != Area::Test || to.area != Area::Production {
        return None;
    }
    let (meta, message) = match to.role {
        Role::Migration => (
            &TEST_FILE_IN_MIGRATIONS,
            "test data in a migration folder runs against the live database",
        ),
        Role::Seed => (
            &TEST_FILE_IN_MIGRATIONS,
            "test data in a seed folder runs against the live database",
        ),
        Role::Data | Role::ProductionConfig => (
            &TEST_FILE_IN_PRODUCTION,
            "test data in a production data path ships with the artefact built from it",
        ),
        _ => return None,
    };
    Some(Finding::new(
        meta,
        Location::file(&to.path),
        format!("moved here from the test path `{}`: {message}", from.path),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn codes_for(path: &str) -> Vec<&'static str> {
        let classifier = Classifier::new(&LeakPolicy::default());
        let mut out = Vec::new();
        Placement.check_path(&TreeFacts::default(), &classifier.classify(path), &mut out);
        out.iter().map(|f| f.code()).collect()
    }

    #[test]
    fn jvm_test_class_under_src_main_is_an_error() {
        assert_eq!(codes_for("src/main/java/com/acme/InvoiceServiceTest.java"), ["LG411"]);
        assert_eq!(codes_for("billing/src/main/kotlin/acme/LedgerTests.kt"), ["LG411"]);
    }

    #[test]
    fn jvm_test_class_under_src_test_is_fine() {
        assert!(codes_for("src/test/java/com/acme/InvoiceServiceTest.java").is_empty());
        assert!(codes_for("src/main/java/com/acme/InvoiceService.java").is_empty());
        // `Latest` ends in "test" but not in the `Test` suffix.
        assert!(codes_for("src/main/java/com/acme/Latest.java").is_empty());
    }

    #[test]
    fn fixtures_in_production_paths_are_reported() {
        assert_eq!(codes_for("src/main/resources/fixtures/customers.json"), ["LG412"]);
        assert_eq!(codes_for("app/mocks/payments.json"), ["LG412"]);
        assert_eq!(codes_for("src/data/mock_customers.csv"), ["LG412"]);
    }

    #[test]
    fn fixtures_under_test_directories_and_ecosystem_exclusions_are_fine() {
        assert!(codes_for("tests/fixtures/customers.json").is_empty());
        assert!(codes_for("packages/core/test/fixtures/input.js").is_empty());
        assert!(codes_for("internal/parser/testdata/golden.txt").is_empty());
        assert!(codes_for("src/__mocks__/axios.js").is_empty());
        assert!(codes_for("src/components/Button.test.tsx").is_empty());
        assert!(codes_for("pkg/server/handler_test.go").is_empty());
        assert!(codes_for("docs/fixtures/example.json").is_empty());
    }

    #[test]
    fn test_data_in_migration_or_seed_folders_is_an_error() {
        assert_eq!(codes_for("db/migrate/20240101120000_insert_test_users.rb"), ["LG413"]);
        assert_eq!(
            codes_for("src/main/resources/db/migration/V7__fake_customers.sql"),
            ["LG413"]
        );
        assert_eq!(codes_for("database/seeders/DummyAccountsSeeder.php"), ["LG413"]);
        assert_eq!(codes_for("migrations/0005_SeedTestUsers.sql"), ["LG413"]);
    }

    #[test]
    fn a_fixture_moved_into_migrations_is_lg413() {
        let classifier = Classifier::new(&LeakPolicy::default());
        let to = classifier.classify("db/migrate/20240101000000_users.sql");
        let moved = arrived_from_test(&classifier.classify("tests/fixtures/users.sql"), &to);
        assert_eq!(moved.map(|f| f.code()), Some("LG413"));
        assert!(arrived_from_test(&classifier.classify("db/old/users.sql"), &to).is_none());
    }

    #[test]
    fn test_as_a_domain_word_in_a_migration_name_is_a_note() {
        let classifier = Classifier::new(&LeakPolicy::default());
        let severity = |path: &str| {
            let mut out = Vec::new();
            Placement.check_path(&TreeFacts::default(), &classifier.classify(path), &mut out);
            out.iter().map(|f| f.severity).collect::<Vec<_>>()
        };
        assert_eq!(
            severity("db/migrate/20190101_add_age_for_means_test_purposes.rb"),
            [Severity::Note]
        );
        assert_eq!(severity("migrations/0031_test_api_key_type.py"), [Severity::Note]);
        assert_eq!(
            severity("db/migrate/20240101120000_insert_test_users.rb"),
            [Severity::Error]
        );
        assert_eq!(severity("migrations/0005_SeedTestUsers.sql"), [Severity::Error]);
        assert_eq!(severity("migrations/0006_test_data.sql"), [Severity::Error]);
    }

    #[test]
    fn ordinary_migrations_and_words_containing_test_are_fine() {
        assert!(codes_for("db/migrate/20240101120000_create_users.rb").is_empty());
        assert!(codes_for("migrations/0007_add_latest_flag.sql").is_empty());
        assert!(codes_for("migrations/0008_contest_entries.sql").is_empty());
        assert!(codes_for("tests/migrations/0001_test_data.sql").is_empty());
    }
}
