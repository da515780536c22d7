//! LG45x configuration: debug and test modes, in-memory datastores and test
//! payment keys switched on in production configuration.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, PathInfo, Role};
use crate::registry::leaks::{
    DEBUG_MODE_IN_PRODUCTION_CONFIG, IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG, TEST_MODE_IN_PRODUCTION_CONFIG,
    TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG,
};
use crate::registry::CheckMeta;
use crate::report::finding::Finding;
use crate::values::ValueKind;

struct Rule {
    pattern: &'static str,
    meta: &'static CheckMeta,
    message: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        pattern: r"(?i)^\s*(?:DEBUG|APP_DEBUG|FLASK_DEBUG|TEMPLATE_DEBUG)\s*[=:]\s*['\x22]?(?:true|1|on|yes)['\x22]?\s*[,;]?\s*(?:#.*)?$",
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "debug mode is on",
    },
    Rule {
        pattern: r#"(?i)"debug"\s*:\s*true\b"#,
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "debug mode is on",
    },
    Rule {
        pattern: r#"(?i)^\s*(?:NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV|RACK_ENV|ASPNETCORE_ENVIRONMENT|DJANGO_ENV)\s*[=:]\s*['"]?(?:development|dev)['"]?\s*$"#,
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "the environment is set to development",
    },
    Rule {
        pattern: r"consider_all_requests_local\s*=\s*true",
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "Rails shows full error reports to every visitor",
    },
    Rule {
        pattern: r#"(?i)^\s*(?:TESTING|TEST_MODE)\s*[=:]\s*['"]?(?:true|1|on|yes)['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "test mode is on",
    },
    Rule {
        pattern: r#"(?i)^\s*(?:NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV|RACK_ENV|ASPNETCORE_ENVIRONMENT|DJANGO_ENV|ENVIRONMENT)\s*[=:]\s*['"]?(?:test|testing)['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the environment is set to test",
    },
    Rule {
        pattern: r"^\s*spring\.profiles\.active\s*[=:]\s*(?:.*[,\s])?test\b",
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Spring `test` profile is active",
    },
    Rule {
        pattern: r#"^\s*active\s*:\s*['"]?(?:[\w-]+,\s*)*test['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Spring `test` profile is active",
    },
    Rule {
        pattern: r#"(?i)^\s*(?:braintree_)?environment\s*[=:]\s*['"]?sandbox['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the payment gateway environment is the sandbox",
    },
    Rule {
        pattern: r#"(?i)^\s*(?:paypal_)?mode\s*[=:]\s*['"]?sandbox['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the payment gateway mode is the sandbox",
    },
    Rule {
        pattern: r"Braintree::Environment::SANDBOX|braintree\.Environment\.Sandbox",
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Braintree sandbox environment is selected",
    },
    Rule {
        pattern: r"(?i)jdbc:(?:h2|hsqldb):mem:|jdbc:derby:memory:|sqlite:(?://)?/?:memory:|\bDATABASE_URL\s*[=:]\s*['\x22]?sqlite::memory:",
        meta: &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
        message: "the datastore is an in-memory test database",
    },
    Rule {
        pattern: r#"(?i)['"]?NAME['"]?\s*[=:]\s*['"]:memory:['"]"#,
        meta: &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
        message: "the database is SQLite in memory",
    },
];

static RULE_SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(RULES.iter().map(|rule| rule.pattern)).expect("config rule set"));
static RULE_REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|rule| Regex::new(rule.pattern).expect("config rule"))
        .collect()
});

/// The regular expressions this check runs over configuration lines.
pub fn content_patterns() -> Vec<&'static str> {
    RULES.iter().map(|rule| rule.pattern).collect()
}

/// Production configuration files.
pub struct ProductionConfig;

impl LeakCheck for ProductionConfig {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[
            &DEBUG_MODE_IN_PRODUCTION_CONFIG,
            &TEST_MODE_IN_PRODUCTION_CONFIG,
            &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
            &TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && path.role == Role::ProductionConfig
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        for (_, line) in file.lines() {
            if is_comment_line(line) {
                continue;
            }
            // One rule per line is enough to say what is wrong with it.
            if let Some(index) = RULE_SET.matches(line).iter().next() {
                let rule = &RULES[index];
                let indent = line.len() - line.trim_start().len();
                let column = RULE_REGEXES[index].find(line).map_or(indent, |m| m.start().max(indent));
                let offset = line.as_ptr() as usize - file.text.as_ptr() as usize + column;
                out.push(file.finding_at(
                    rule.meta,
                    offset,
                    format!("{} in production configuration", rule.message),
                ));
            }
        }
        for (line, value) in file.reserved_values() {
            if value.kind == ValueKind::PaymentTestKey {
                let message = format!(
                    "{} `{}` in production configuration: {}",
                    value.kind.label(),
                    value.text,
                    value.reason
                );
                out.push(file.value_finding(&TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG, *line, value, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(&'static str, u32, u32)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        if ProductionConfig.wants_content(&info) {
            ProductionConfig.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        }
        out.iter()
            .map(|f| (f.code(), f.location.line, f.location.column))
            .collect()
    }

    #[test]
    fn debug_mode_in_production_settings() {
        assert_eq!(
            scan("mysite/settings/production.py", "import os\nDEBUG = True\n"),
            [("LG451", 2, 1)]
        );
        assert_eq!(
            scan("config/production.yml", "app:\n  debug: true\n"),
            [("LG451", 2, 3)]
        );
        assert_eq!(scan(".env.production", "NODE_ENV=development\n"), [("LG451", 1, 1)]);
    }

    #[test]
    fn debug_off_or_from_environment_is_fine() {
        assert!(scan(
            "mysite/settings/production.py",
            "DEBUG = False\nDEBUG = os.environ.get('DEBUG') == '1'\n"
        )
        .is_empty());
        assert!(scan("config/production.yml", "# debug: true\n").is_empty());
    }

    #[test]
    fn test_files_are_not_production_config() {
        assert!(scan("config/test.yml", "debug: true\n").is_empty());
        assert!(scan(
            "src/test/resources/application.properties",
            "spring.profiles.active=test\n"
        )
        .is_empty());
        assert!(scan(".env.local", "DEBUG=1\n").is_empty());
    }

    #[test]
    fn test_profiles_sandboxes_and_memory_databases() {
        assert_eq!(
            scan(
                "src/main/resources/application.properties",
                "spring.profiles.active=test\n"
            ),
            [("LG452", 1, 1)]
        );
        assert_eq!(
            scan(
                "src/main/resources/application.yml",
                "spring:\n  profiles:\n    active: test\n"
            ),
            [("LG452", 3, 5)]
        );
        assert_eq!(
            scan("config/production.yml", "braintree:\n  environment: sandbox\n"),
            [("LG452", 2, 3)]
        );
        assert_eq!(
            scan(
                "src/main/resources/application.properties",
                "spring.datasource.url=jdbc:h2:mem:testdb\n"
            ),
            [("LG453", 1, 23)]
        );
        assert!(scan(
            "src/main/resources/application.properties",
            "spring.profiles.active=prod,latest\nspring.datasource.url=jdbc:postgresql://db/app\n"
        )
        .is_empty());
    }
}
