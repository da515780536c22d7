//! LG45x configuration: debug and test modes, in-memory datastores and test
//! payment keys switched on in production configuration.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, PathInfo, Role};
use crate::registry::leaks::{
    DEBUG_MODE_IN_PRODUCTION_CONFIG, IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG, TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG,
    TEST_MODE_IN_PRODUCTION_CONFIG, TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG,
};
use crate::registry::{CheckMeta, Severity};
use crate::report::finding::Finding;
use crate::values::ValueKind;

struct Rule {
    pattern: &'static str,
    meta: &'static CheckMeta,
    message: &'static str,
    /// Lines that match but mean something else (lower-cased substrings).
    except: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        pattern: r"(?i)^\s*(?:DEBUG|APP_DEBUG|FLASK_DEBUG|TEMPLATE_DEBUG)\s*[=:]\s*['\x22]?(?:true|1|on|yes)['\x22]?\s*[,;]?\s*(?:#.*)?$",
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "debug mode is on",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)"debug"\s*:\s*true\b"#,
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "debug mode is on",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV|RACK_ENV|ASPNETCORE_ENVIRONMENT|DJANGO_ENV)\s*[=:]\s*['"]?(?:development|dev)['"]?\s*$"#,
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "the environment is set to development",
        except: &[],
    },
    Rule {
        pattern: r"consider_all_requests_local\s*=\s*true",
        meta: &DEBUG_MODE_IN_PRODUCTION_CONFIG,
        message: "Rails shows full error reports to every visitor",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:TESTING|TEST_MODE)\s*[=:]\s*['"]?(?:true|1|on|yes)['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "test mode is on",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV|RACK_ENV|ASPNETCORE_ENVIRONMENT|DJANGO_ENV|ENVIRONMENT)\s*[=:]\s*['"]?(?:test|testing)['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the environment is set to test",
        except: &[],
    },
    Rule {
        pattern: r"^\s*spring\.profiles\.active\s*[=:]\s*(?:.*[,\s])?test\b",
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Spring `test` profile is active",
        except: &[],
    },
    Rule {
        pattern: r#"^\s*active\s*:\s*['"]?(?:[\w-]+,\s*)*test['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Spring `test` profile is active",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:braintree_)?environment\s*[=:]\s*['"]?sandbox['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the payment gateway environment is the sandbox",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:paypal_)?mode\s*[=:]\s*['"]?sandbox['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the payment gateway mode is the sandbox",
        except: &[],
    },
    Rule {
        pattern: r"Braintree::Environment::SANDBOX|braintree\.Environment\.Sandbox",
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "the Braintree sandbox environment is selected",
        except: &[],
    },
    Rule {
        pattern: r"(?i)jdbc:(?:h2|hsqldb):mem:|jdbc:derby:memory:|sqlite:(?://)?/?:memory:|\bDATABASE_URL\s*[=:]\s*['\x22]?sqlite::memory:",
        meta: &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
        message: "the datastore is an in-memory test database",
        except: &[],
    },
    Rule {
        pattern: r"(?i)jdbc:tc:",
        meta: &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
        message: "the datastore is a Testcontainers throwaway database (`jdbc:tc:`)",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:-\s*)?['"]?(?:SPRING_PROFILES_ACTIVE|spring\.profiles\.active)['"]?\s*[=:]\s*['"]?(?:[\w-]+\s*,\s*)*(?:test|testing|seed|seeds|seeding|stub|stubs|mock|mocks|fake|dummy|e2e|testdata|test-data|dev-data|demo-data)['"]?\s*(?:,|$)"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "a Spring profile for seeding or testing is active",
        except: &[],
    },
    Rule {
        pattern: r#"(?i)^\s*(?:-\s*)?['"]?[\w.-]*?(?:^|[_.-]|\b)(?:smoke_test|test|testing|stub|stubs|stubbed|mock|mocks|mocked|fake|fakes|sandbox)(?:[_.-][\w.-]*)?['"]?\s*[=:]\s*['"]?(?:true|on|yes|enabled|1)['"]?\s*$"#,
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "a test, stub or mock switch is on",
        // Connection-pool validation (`spring.datasource.tomcat.test-on-borrow`)
        // is production configuration that happens to say "test".
        except: &[
            "test-on-borrow",
            "test_on_borrow",
            "test-on-return",
            "test_on_return",
            "test-while-idle",
            "test_while_idle",
            "test-on-create",
            "test_on_create",
            "test-on-connect",
            "test_on_connect",
        ],
    },
    Rule {
        pattern: r#"(?i)['"]?NAME['"]?\s*[=:]\s*['"]:memory:['"]"#,
        meta: &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
        message: "the database is SQLite in memory",
        except: &[],
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

/// The rule a single `KEY=value` setting breaks (from a Dockerfile's `ENV`,
/// say): the check and what is wrong.
pub fn setting_rule(setting: &str) -> Option<(&'static CheckMeta, &'static str)> {
    let lower = setting.to_ascii_lowercase();
    RULE_SET
        .matches(setting)
        .iter()
        .find(|&index| !RULES[index].except.iter().any(|word| lower.contains(word)))
        .map(|index| (RULES[index].meta, RULES[index].message))
}

/// The regular expressions this check runs over configuration lines.
pub fn content_patterns() -> Vec<&'static str> {
    RULES.iter().map(|rule| rule.pattern).collect()
}

static K8S_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*-?\s*name\s*:\s*['"]?([A-Za-z_][\w.]*)['"]?\s*$"#).expect("k8s env name"));
static K8S_VALUE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*value\s*:\s*(.*?)\s*$").expect("k8s env value"));
/// Flyway `locations` and Liquibase `change-log`/`changeLogFile`, in
/// properties (`spring.flyway.locations=`), YAML (`locations:` under
/// `flyway:`) and environment form (`SPRING_FLYWAY_LOCATIONS`).
static MIGRATION_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)^\s*(?:-\s*)?['"]?(?:[\w.-]*(?:flyway|liquibase)[\w.-]*[._])?(?:locations|change-?log|change_log|changelog-?file|change-log-file)['"]?\s*[=:]\s*(.+)$"#,
    )
    .expect("migration location regex")
});

/// A migration location that is a test-data folder: `classpath:db/testdata`,
/// `filesystem:src/test/resources/db`, `db/changelog/test-changelog.xml`.
fn points_at_test_data(location: &str) -> bool {
    let location = location.trim().trim_matches(['"', '\'']);
    let path = location.split_once(':').map_or(
        location,
        |(scheme, rest)| {
            if scheme.contains('/') {
                location
            } else {
                rest
            }
        },
    );
    path.split('/').any(|segment| {
        let stem = segment.split('.').next().unwrap_or(segment).to_ascii_lowercase();
        let words: Vec<&str> = stem.split(['-', '_']).collect();
        matches!(
            stem.as_str(),
            "test" | "tests" | "testdata" | "fixtures" | "seed-test" | "test-seeds"
        ) || words
            .iter()
            .any(|w| matches!(*w, "testdata" | "fixtures" | "fake" | "dummy" | "mock"))
            || (words.contains(&"test") && words.len() > 1)
    })
}

/// `application.yml`/`.properties` and `bootstrap.*` without a profile suffix.
fn spring_base_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "application.yml" | "application.yaml" | "application.properties" | "bootstrap.yml" | "bootstrap.yaml"
    )
}

static ON_PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r##"^\s*(?:on-profile|profiles|spring\.config\.activate\.on-profile|spring\.profiles)\s*[:=]\s*['"]?([^'"#\s]+)"##)
        .expect("on-profile regex")
});

/// For each line of a multi-document YAML file, the profile its document is
/// for (`spring.config.activate.on-profile`), if the document names one.
fn yaml_document_profiles(text: &str) -> Vec<Option<&str>> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut profiles = Vec::with_capacity(lines.len());
    let mut start = 0;
    for end in 0..=lines.len() {
        let boundary = end == lines.len() || (end > start && matches!(lines[end].trim_end(), "---" | "#---"));
        if !boundary {
            continue;
        }
        let document = &lines[start..end];
        let profile = document
            .iter()
            .filter(|line| !line.trim_start().starts_with("active"))
            .find_map(|line| {
                ON_PROFILE
                    .captures(line)
                    .and_then(|caps| caps.get(1))
                    .map(|m| m.as_str())
            });
        profiles.extend(std::iter::repeat_n(profile, document.len()));
        start = end;
    }
    profiles
}

fn is_production_profile(profile: &str) -> bool {
    profile.split([',', '&', '|', ' ']).any(|p| {
        matches!(
            p.trim_start_matches('!').to_ascii_lowercase().as_str(),
            "prod" | "production" | "live" | "default"
        )
    })
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
            &TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && path.role == Role::ProductionConfig
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let base = spring_base_file(&file.info.path);
        let profiles = if base {
            yaml_document_profiles(file.text)
        } else {
            Vec::new()
        };
        let mut env_name: Option<&str> = None;
        for (number, line) in file.lines() {
            if is_comment_line(line) {
                continue;
            }
            // Kubernetes env lists split a variable over two lines:
            // `- name: SPRING_PROFILES_ACTIVE` then `value: "prod,seed"`.
            let joined;
            let judged = match (env_name.take(), K8S_VALUE.captures(line)) {
                (Some(name), Some(caps)) => {
                    joined = format!("{name}: {}", &caps[1]);
                    joined.as_str()
                }
                _ => line,
            };
            env_name = K8S_NAME.captures(line).and_then(|caps| caps.get(1)).map(|m| m.as_str());
            // A section for a named non-production profile applies only there.
            if let Some(profile) = profiles.get(number - 1).copied().flatten() {
                if !is_production_profile(profile) {
                    continue;
                }
            }
            // One rule per line is enough to say what is wrong with it.
            let lower = judged.to_ascii_lowercase();
            let matched = RULE_SET
                .matches(judged)
                .iter()
                .find(|&index| !RULES[index].except.iter().any(|word| lower.contains(word)));
            if let Some(index) = matched {
                let rule = &RULES[index];
                let indent = line.len() - line.trim_start().len();
                let column = if std::ptr::eq(judged, line) {
                    RULE_REGEXES[index].find(line).map_or(indent, |m| m.start().max(indent))
                } else {
                    indent
                };
                let offset = line.as_ptr() as usize - file.text.as_ptr() as usize + column;
                let mut finding = file.finding_at(
                    rule.meta,
                    offset,
                    format!("{} in production configuration", rule.message),
                );
                if base && std::ptr::eq(rule.meta, &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG) {
                    // Spring Boot's base file is a default that application-prod* and
                    // the deployment's environment override.
                    finding.severity = Severity::Warning;
                    finding.message.push_str(
                        " (the base Spring Boot file: a default, unless overridden by an application-prod* \
                         profile or the environment; missing link: what production sets)",
                    );
                }
                out.push(finding);
            }
            if let Some(caps) = MIGRATION_LOCATION.captures(judged) {
                let value = caps.get(1).map_or("", |m| m.as_str());
                if let Some(folder) = value.split([',', ' ']).find(|item| points_at_test_data(item)) {
                    let offset =
                        line.as_ptr() as usize - file.text.as_ptr() as usize + (line.len() - line.trim_start().len());
                    out.push(file.finding_at(
                        &TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG,
                        offset,
                        format!(
                            "production configuration points the database migrations at `{}`, a test-data folder",
                            folder.trim().trim_matches(['"', '\''])
                        ),
                    ));
                }
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

    #[test]
    fn seeding_profiles_testcontainers_and_test_switches_in_production_values() {
        assert!(scan(
            "src/main/resources/application-prod.properties",
            "spring.datasource.tomcat.test-on-borrow=true\nspring.datasource.dbcp2.test-while-idle: true\n"
        )
        .is_empty());
        let values = "env:\n  SPRING_PROFILES_ACTIVE: \"prod,seed\"\n  SMOKE_TEST_USER_ENABLED: true\n  FEATURE_USE_STUB_API: \"true\"\n  LATEST_RATES: true\n";
        assert_eq!(
            scan("helm_deploy/values-prod.yaml", values),
            [("LG452", 2, 3), ("LG452", 3, 3), ("LG452", 4, 3)]
        );
        let k8s = "env:\n  - name: SPRING_PROFILES_ACTIVE\n    value: \"prod,seed\"\n  - name: MOCK_NOMIS\n    value: \"false\"\n";
        assert_eq!(scan("helm_deploy/values-prod.yaml", k8s), [("LG452", 3, 5)]);
        assert_eq!(
            scan(
                "src/main/resources/application-prod.yml",
                "spring:\n  datasource:\n    url: jdbc:tc:postgresql:15:///app\n"
            ),
            [("LG453", 3, 10)]
        );
        assert!(scan(
            "helm_deploy/values-prod.yaml",
            "env:\n  SPRING_PROFILES_ACTIVE: \"prod,latest\"\n  TEST_MODE: false\n  # SMOKE_TEST_ENABLED: true\n"
        )
        .is_empty());
    }

    #[test]
    fn migration_locations_pointing_at_test_data() {
        assert_eq!(
            scan(
                "src/main/resources/application-prod.properties",
                "spring.flyway.locations=classpath:db/migration,classpath:db/testdata\n"
            ),
            [("LG455", 1, 1)]
        );
        assert_eq!(
            scan(
                "src/main/resources/application-prod.yml",
                "spring:\n  liquibase:\n    change-log: classpath:db/changelog/test-changelog.xml\n"
            ),
            [("LG455", 3, 5)]
        );
        assert!(scan(
            "src/main/resources/application-prod.yml",
            "spring:\n  flyway:\n    locations: classpath:db/migration,classpath:db/latest\n"
        )
        .is_empty());
    }

    #[test]
    fn base_spring_file_h2_is_a_warning_and_dev_profile_sections_are_skipped() {
        let info = Classifier::new(&LeakPolicy::default()).classify("src/main/resources/application.yml");
        let mut out = Vec::new();
        let text = "spring:\n  datasource:\n    url: jdbc:h2:mem:app\n---\nspring:\n  config:\n    activate:\n      on-profile: dev\n  datasource:\n    url: jdbc:h2:mem:dev\n";
        ProductionConfig.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].location.line, 3);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].message.contains("unless overridden"));
        assert_eq!(
            scan("src/main/resources/application-prod.yml", "url: jdbc:h2:mem:app\n"),
            [("LG453", 1, 6)]
        );
    }
}
