//! LG43x content, and LG414: reserved test values inside production data,
//! migrations, seed files and production configuration.

use super::{FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, PathInfo, Role};
use crate::registry::leaks::{
    DOCUMENTATION_NETWORK_ID, EXAMPLE_BANK_ACCOUNT, EXAMPLE_CREDENTIAL, FICTIONAL_PHONE_NUMBER,
    MIGRATION_INSERTS_TEST_DATA, PLACEHOLDER_PERSON, RESERVED_DOMAIN, TEST_NATIONAL_ID, TEST_PAYMENT_CARD,
};
use crate::registry::CheckMeta;
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
            let message = format!("{} `{}` in {place}: {}", value.kind.label(), value.text, value.reason);
            out.push(file.value_finding(meta, *line, value, message));
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

    #[test]
    fn test_and_code_files_are_not_read() {
        assert!(scan("tests/fixtures/accounts.csv", "4111111111111111\n").is_empty());
        assert!(scan("src/validators.py", "EMAIL = 'a@example.com'\n").is_empty());
    }
}
