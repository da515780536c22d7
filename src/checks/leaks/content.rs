//! LG43x content, and LG414: reserved test values inside production data,
//! migrations, seed files and production configuration.

use super::{FileFacts, LeakCheck, TreeFacts};
use crate::checks::CheckMeta;
use crate::classify::{Area, PathInfo, Role};
use crate::report::finding::{Finding, Severity};
use crate::values::ValueKind;

pub const MIGRATION_INSERTS_TEST_DATA: CheckMeta = CheckMeta {
    code: "LG414",
    id: "migration-inserts-test-data",
    severity: Severity::Error,
    summary: "A migration writes reserved test values into the database",
    what: "A reserved test value (test card number, documentation IP, example.com address, drama phone \
           number, never-issued ID number, example key) inside a migration file.",
    why: "Migrations run against the live database on deploy. A migration carrying test values puts test \
          records into production: the 2020 UK Police National Database incident.",
    example: "INSERT INTO officers (email) VALUES ('test.officer@example.com');   -- db/migrate/0042.sql",
    fix: "Remove the rows from the migration and load them from test setup instead. If the migration \
          already ran in production, add a corrective migration that deletes the rows.",
};

macro_rules! value_check {
    ($name:ident, $code:literal, $id:literal, $severity:expr, $summary:literal, $what:literal, $why:literal, $example:literal, $fix:literal) => {
        pub const $name: CheckMeta = CheckMeta {
            code: $code,
            id: $id,
            severity: $severity,
            summary: $summary,
            what: $what,
            why: $why,
            example: $example,
            fix: $fix,
        };
    };
}

value_check!(
    TEST_PAYMENT_CARD,
    "LG431",
    "test-payment-card",
    Severity::Error,
    "A payment processor's test card number is in production data",
    "One of the published Stripe/Braintree test card numbers (Luhn-validated) in production data, seed \
     files or production configuration.",
    "Test cards only work against sandboxes: in production data they are fake customers, broken \
     payments, or a demo account nobody removed.",
    "4111 1111 1111 1111 in src/main/resources/data/accounts.csv",
    "Remove the record; load test cards only in test setup. If the data is a deliberate demo, allow it \
     with a reason."
);
value_check!(
    DOCUMENTATION_NETWORK_ID,
    "LG432",
    "documentation-network-id",
    Severity::Warning,
    "An address reserved for documentation (IP, MAC, AS number) is in production data",
    "IPv4 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 233.252.0.0/24; IPv6 2001:db8::/32, 3fff::/20; \
     the documentation MAC and AS number ranges (RFC 5737, 6676, 3849, 9637, 7042, 5398) in production \
     data or configuration. Bogon and firewall lists that name the ranges on purpose are skipped.",
    "These addresses never route: in production configuration they are a copied example that silently \
     does nothing, or test data that reached a live system.",
    "allowed_ips: [\"203.0.113.7\"] in deploy/prod/values.yaml",
    "Replace it with the real address, or remove it."
);
value_check!(
    RESERVED_DOMAIN,
    "LG433",
    "reserved-domain",
    Severity::Warning,
    "An example.com address or a reserved test domain is in production data",
    "example.com/.net/.org, and URLs or e-mail addresses under the .test, .example, .invalid and \
     .localhost top-level domains (RFC 2606, RFC 6761), in production data or configuration.",
    "Reserved domains never belong to a real recipient: in production data they are test accounts, and \
     in configuration they are endpoints that cannot work.",
    "INSERT INTO users (email) VALUES ('jane@example.com');",
    "Replace it with the real value or remove the record."
);
value_check!(
    FICTIONAL_PHONE_NUMBER,
    "LG434",
    "fictional-phone-number",
    Severity::Warning,
    "A phone number from a range reserved for drama and testing is in production data",
    "UK Ofcom drama numbers (e.g. 07700 900000-900999, 020 7946 0000-0999) and US 555-0100 to 555-0199, \
     after normalising +44, 0044, (0), spaces and dashes.",
    "These numbers are never assigned: a record carrying one is a test record.",
    "+44 7700 900123 in db/seeds/contacts.csv",
    "Remove the record or replace the number with a real one."
);
value_check!(
    TEST_NATIONAL_ID,
    "LG435",
    "test-national-id",
    Severity::Error,
    "A never-issued or sample national identity number is in production data",
    "UK National Insurance numbers with the QQ prefix or a never-issued prefix, NHS numbers in the \
     999 range with a valid check digit, US SSNs that are published samples or never issued (area 000 \
     or 666, group 00, serial 0000). ITINs (9xx) are not reported.",
    "Identity numbers key people's records. A test identity in a production dataset can be matched to \
     real people's data or mask a missing record.",
    "QQ123456C in migrations/0003_claimants.sql",
    "Remove the record from production data; keep synthetic identities in test fixtures."
);
value_check!(
    EXAMPLE_CREDENTIAL,
    "LG436",
    "example-credential",
    Severity::Error,
    "A documentation credential or a payment test key is in production data",
    "AWS's documented example access keys (AKIAIOSFODNN7EXAMPLE and its secret) and payment test keys \
     (sk_test_, pk_test_, rk_test_) inside production data or seed files.",
    "Example and test credentials mean the data was made for a sandbox; in production they either fail \
     or, worse, point the live system at a test account.",
    "aws_access_key_id,AKIAIOSFODNN7EXAMPLE in data/accounts.csv",
    "Remove the value and load real credentials from the secret store at deploy time."
);
value_check!(
    EXAMPLE_BANK_ACCOUNT,
    "LG437",
    "example-bank-account",
    Severity::Error,
    "A textbook example IBAN is in production data",
    "The IBANs printed in the standards and registry documentation (e.g. GB82WEST12345698765432).",
    "A payment to an example account number is a test record in a live ledger.",
    "GB82 WEST 1234 5698 7654 32 in db/seeds/payees.sql",
    "Remove the record from production data."
);
value_check!(
    PLACEHOLDER_PERSON,
    "LG438",
    "placeholder-person",
    Severity::Note,
    "A placeholder person (John Doe, Joe Bloggs, Test User, lorem ipsum) is in production data",
    "Placeholder names and filler text in production data or seed files. Real people have these \
     names, so this is a weak signal and a note by default.",
    "Placeholder people in a production dataset are usually test records that were never cleaned up.",
    "INSERT INTO customers (name) VALUES ('Joe Bloggs');",
    "Check the record; remove it if it is test data."
);

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
        path.area == Area::Production
            && matches!(
                path.role,
                Role::Migration | Role::Seed | Role::Data | Role::ProductionConfig
            )
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
