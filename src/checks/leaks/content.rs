//! LG43x content, and LG414: reserved test values inside production data,
//! migrations, seed files and production configuration.

use std::sync::LazyLock;

use regex::Regex;

use super::guards::environment_guard;
use super::{FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, PathInfo, Role};
use crate::registry::leaks::{
    DOCUMENTATION_NETWORK_ID, EXAMPLE_BANK_ACCOUNT, EXAMPLE_CREDENTIAL, FICTIONAL_PHONE_NUMBER,
    MIGRATION_INSERTS_TEST_DATA, PLACEHOLDER_PERSON, RESERVED_DOMAIN, TEST_NATIONAL_ID, TEST_PAYMENT_CARD,
};
use crate::registry::{CheckMeta, Severity};
use crate::report::finding::Finding;
use crate::values::ValueKind;

fn meta_for(kind: ValueKind, role: Role) -> &'static CheckMeta {
    if role == Role::Migration && kind != ValueKind::PlaceholderPerson {
        return &MIGRATION_INSERTS_TEST_DATA;
    }
    match kind {
        ValueKind::PaymentCard => &TEST_PAYMENT_CARD,
        ValueKind::DocumentationIp | ValueKind::MacAddress | ValueKind::AsNumber => &DOCUMENTATION_NETWORK_ID,
        ValueKind::ReservedDomain => &RESERVED_DOMAIN,
        ValueKind::FictionalPhone => &FICTIONAL_PHONE_NUMBER,
        ValueKind::NationalId => &TEST_NATIONAL_ID,
        ValueKind::ExampleCredential | ValueKind::PaymentTestKey => &EXAMPLE_CREDENTIAL,
        ValueKind::BankAccount => &EXAMPLE_BANK_ACCOUNT,
        ValueKind::PlaceholderPerson => &PLACEHOLDER_PERSON,
    }
}

/// Migrations, seeds, production data and production configuration: where
/// a test value reaches the live system. Content that arrives here is new
/// here, and content that cannot be read here is not a pass.
pub fn is_production_data(path: &PathInfo) -> bool {
    path.area == Area::Production
        && matches!(
            path.role,
            Role::Migration | Role::Seed | Role::Data | Role::ProductionConfig
        )
}

/// Words that put a value in a condition rather than in the row written:
/// SQL `WHERE`/`LIKE`, ORM filters (`.where(`, `.filter(`, `find_by`,
/// Django lookups such as `email__endswith=`).
static READ_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bwhere\b|\blike\b|\.filter\s*\(|\.exclude\s*\(|\.where\s*\(|\bfind_by\w*|\.get\s*\(|__i?(?:endswith|startswith|contains|exact|in)\s*=",
    )
    .expect("read marker regex")
});
static STATEMENT_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(select|delete)\b").expect("statement head regex"));

/// When the reserved value at `column` of `line` is read, not written: the
/// text of its statement before it (SQL: since the previous `;`; code: its
/// line) has a read marker, or the statement is a `SELECT` or `DELETE`.
fn read_marker<'a>(file: &FileFacts<'a>, line: usize, column: usize) -> Option<&'a str> {
    let line_text = file.line_text(line);
    let line_start = line_text.as_ptr() as usize - file.text.as_ptr() as usize;
    let offset = line_start + column.min(line_text.len());
    let statement_start = if file.info.lang() == Some(crate::classify::Lang::Sql) {
        file.text[..offset].rfind(';').map_or(0, |i| i + 1)
    } else {
        line_start
    };
    let before = &file.text[statement_start..offset];
    if let Some(m) = READ_MARKER.find_iter(before).last() {
        return Some(m.as_str().trim());
    }
    STATEMENT_HEAD
        .captures(before)
        .and_then(|caps| caps.get(1))
        .map(|m| m.as_str())
}

/// Reserved values in production data.
pub struct ReservedValues;

impl LeakCheck for ReservedValues {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[
            &MIGRATION_INSERTS_TEST_DATA,
            &TEST_PAYMENT_CARD,
            &DOCUMENTATION_NETWORK_ID,
            &RESERVED_DOMAIN,
            &FICTIONAL_PHONE_NUMBER,
            &TEST_NATIONAL_ID,
            &EXAMPLE_CREDENTIAL,
            &EXAMPLE_BANK_ACCOUNT,
            &PLACEHOLDER_PERSON,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        is_production_data(path)
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let role = file.info.role;
        let writes_rows = matches!(role, Role::Migration | Role::Seed);
        let guard = if writes_rows && !file.reserved_values().is_empty() {
            environment_guard(file.text)
        } else {
            None
        };
        for (line, value) in file.reserved_values() {
            // Payment test keys in configuration are LG454's, with config-specific advice.
            if role == Role::ProductionConfig && value.kind == ValueKind::PaymentTestKey {
                continue;
            }
            let meta = meta_for(value.kind, role);
            let place = match role {
                Role::Migration => "a migration",
                Role::Seed => "seed data",
                Role::ProductionConfig => "production configuration",
                _ => "production data",
            };
            let mut message = format!("{} `{}` in {place}: {}", value.kind.label(), value.text, value.reason);
            let mut note = None;
            let mut lowered = Severity::Note;
            if let Some(marker) = file.info.test_marker {
                // LG412 already reports the file as test material; its values
                // reach production only if something loads it.
                lowered = Severity::Warning;
                note = Some(format!(
                    "; the file is test material ({marker}): it reaches production only if something loads it"
                ));
            } else if let Some(guard) = guard {
                note = Some(format!(
                    "; the file is guarded by `{guard}`, so it should not run in production"
                ));
            } else if writes_rows {
                if let Some(marker) = read_marker(file, *line, value.start) {
                    note = Some(format!(
                        "; it is in a read (`{marker}`), not a write: the migration selects or removes such rows, it does not add them"
                    ));
                }
            }
            let severity = note.as_ref().map(|_| lowered);
            message.push_str(note.as_deref().unwrap_or(""));
            let mut finding = file.value_finding(meta, *line, value, message);
            if let Some(severity) = severity {
                finding.severity = severity.min(finding.severity);
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(String, u32)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        if ReservedValues.wants_content(&info) {
            ReservedValues.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        }
        out.iter().map(|f| (f.code().to_owned(), f.location.line)).collect()
    }

    #[test]
    fn migration_inserting_test_values_is_lg414() {
        let sql = "CREATE TABLE officers (email text);\nINSERT INTO officers VALUES ('pc.test@example.com');\n";
        assert_eq!(scan("db/migrations/0042_officers.sql", sql), [("LG414".to_owned(), 2)]);
    }

    #[test]
    fn values_in_production_data_get_their_kind_code() {
        let csv = "name,card\nalice,4111111111111111\nbob,5555555555554444\n";
        assert_eq!(
            scan("src/main/resources/data/accounts.csv", csv),
            [("LG431".to_owned(), 2), ("LG431".to_owned(), 3)]
        );
        assert_eq!(
            scan("config/production.yml", "allowed: 203.0.113.7\n"),
            [("LG432".to_owned(), 1)]
        );
    }

    #[test]
    fn comments_and_example_contexts_are_skipped() {
        assert!(scan("migrations/0001.sql", "-- e.g. INSERT 'a@example.com'\n").is_empty());
        assert!(scan(
            "src/data/schema.json",
            "{\"email\": {\"example\": \"a@example.com\"}}\n"
        )
        .is_empty());
        assert!(scan("config/production.yml", "# bogon list: 192.0.2.0/24\n").is_empty());
    }

    /// Regression: an identifier containing `placeholder` or `example`
    /// excused the value it held, so a migration writing a test NI number
    /// passed.
    #[test]
    fn identifiers_named_placeholder_or_example_do_not_excuse_a_written_value() {
        let migration = "PLACEHOLDER_NI_NUMBER = \"QQ123456C\"\n\ndef forwards(apps, schema_editor):\n    Claimant.objects.create(ni_number=PLACEHOLDER_NI_NUMBER)\n";
        assert_eq!(
            scan("claims/migrations/0012_backfill.py", migration),
            [("LG414".to_owned(), 1)]
        );
        assert_eq!(
            scan(
                "db/seeds/users.sql",
                "INSERT INTO users (email) VALUES ('example_user@example.com');\n"
            ),
            [("LG433".to_owned(), 1)]
        );
        assert_eq!(
            scan("config/production.yml", "sample_rate_host: 203.0.113.7\n"),
            [("LG432".to_owned(), 1)]
        );
    }

    #[test]
    fn documentation_and_ui_placeholders_still_excuse_a_value() {
        assert!(scan("src/data/form.json", "{\"placeholder\": \"QQ123456C\"}\n").is_empty());
        assert!(scan("src/data/schema.yaml", "ni_number:\n  example: QQ123456C\n").is_empty());
        assert!(scan("src/data/schema.yaml", "  description: e-mail, like a@example.com\n").is_empty());
        assert!(scan(
            "config/production.yml",
            "resolver: 192.0.2.53  # documentation address, replaced at deploy\n"
        )
        .is_empty());
        assert!(scan("src/data/form.xml", "<input placeholder=\"QQ123456C\"/>\n").is_empty());
    }

    /// Real-world false alarm (claim-additional-payments-for-teaching): form
    /// hint text in Rails locale files showing the format of an NI number.
    #[test]
    fn form_hint_text_showing_an_example_value_is_documentation() {
        let locale = "en:\n  forms:\n    nino:\n      hint: \"For example, QQ123456C\"\n";
        assert!(scan("config/locales/early_years_payment.yml", locale).is_empty());
        assert!(scan("config/locales/fe.yml", "      text: \"For example ’QQ123456C’\"\n").is_empty());
        assert!(scan("config/locales/fe.yml", "      hint: QQ123456C\n").is_empty());
        // Still a value when written as data.
        assert_eq!(
            scan("config/locales/fe.yml", "      default_nino: QQ123456C\n"),
            [("LG435".to_owned(), 1)]
        );
    }

    fn severities(path: &str, text: &str) -> Vec<Severity> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        ReservedValues.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        out.iter().map(|f| f.severity).collect()
    }

    #[test]
    fn a_reserved_value_in_a_read_is_a_note_and_in_a_write_an_error() {
        let sql = "UPDATE users SET active = false\nWHERE email LIKE '%@example.com';\nINSERT INTO users (email) VALUES ('new@example.com');\nDELETE FROM users WHERE email = 'old@example.com';\n";
        assert_eq!(
            severities("db/migrations/0042_deactivate.sql", sql),
            [Severity::Note, Severity::Error, Severity::Note]
        );
        let rb = "User.where(\"email LIKE '%@example.com'\").update_all(active: false)\nUser.create!(email: 'pc@example.com')\n";
        assert_eq!(
            severities("db/migrate/20240101_deactivate.rb", rb),
            [Severity::Note, Severity::Error]
        );
        let py = "User.objects.filter(email__endswith='@example.com').delete()\n";
        assert_eq!(severities("app/migrations/0007_cleanup.py", py), [Severity::Note]);
    }

    #[test]
    fn seeds_guarded_by_the_environment_are_notes_naming_the_guard() {
        let seeds =
            "return if Rails.env.production?\n\nUser.create!(email: 'demo@example.com', card: '4111111111111111')\n";
        let info = Classifier::new(&LeakPolicy::default()).classify("db/seeds.rb");
        let mut out = Vec::new();
        ReservedValues.check_content(&TreeFacts::default(), &FileFacts::new(&info, seeds), &mut out);
        assert_eq!(out.len(), 2);
        for finding in &out {
            assert_eq!(finding.severity, Severity::Note);
            assert!(
                finding.message.contains("if Rails.env.production?"),
                "{}",
                finding.message
            );
        }
        let unguarded = "User.create!(email: 'demo@example.com', card: '4111111111111111')\n";
        assert!(severities("db/seeds.rb", unguarded).contains(&Severity::Error));
    }

    #[test]
    fn values_in_a_fixtures_file_inside_production_paths_are_warnings() {
        let json = "[{\"ni_number\": \"QQ123456C\"}]\n";
        assert_eq!(
            severities("apps/provider/fixtures/test_case.json", json),
            [Severity::Warning]
        );
    }

    #[test]
    fn test_and_code_files_are_not_read() {
        assert!(scan("tests/fixtures/accounts.csv", "4111111111111111\n").is_empty());
        assert!(scan("src/validators.py", "EMAIL = 'a@example.com'\n").is_empty());
    }
}
