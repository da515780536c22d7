//! LG45x configuration: debug and test modes, in-memory datastores and test
//! payment keys switched on in production configuration.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::django::{self, Selection, Verdict};
use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, PathInfo, Role};
use crate::registry::leaks::{
    DEBUG_MODE_IN_PRODUCTION_CONFIG, IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG, TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG,
    TEST_ENVIRONMENT_HOST_IN_PRODUCTION_CONFIG, TEST_MODE_IN_PRODUCTION_CONFIG, TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG,
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
        pattern: r"\bconfig\.(?:active_job\.queue_adapter|action_mailer\.delivery_method|active_storage\.service)\s*=\s*:test\b",
        meta: &TEST_MODE_IN_PRODUCTION_CONFIG,
        message: "a Rails test adapter is configured (jobs, mail or files go to the in-memory test adapter and are never delivered)",
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
/// Helm's map form of environment variables: `DEBUG:` on one line, its
/// `value: "True"` on the next.
static ENV_MAP_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([A-Z][A-Z0-9_]*)\s*:\s*$").expect("env map key"));
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

/// A configuration file that is production's by its own name
/// (`values-prod.yaml`, `ccq-production.yaml`, `application-prod.yml`,
/// `.env.production`, `config/production.rb`) or by a folder named for
/// production (`k8s/overlays/prod/`). Base files (`application.yml`,
/// `values.yaml`, `settings.py`) are defaults that other environments share,
/// so a host in them says nothing about production.
fn named_for_production(path: &str) -> bool {
    const WORDS: &[&str] = &["prod", "production", "prd", "live"];
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", lower.as_str()));
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| WORDS.contains(&word))
        || dirs.split('/').any(|dir| WORDS.contains(&dir))
}

/// The host of every URL on a line (`https://host/…`, `jdbc:postgresql://host:5432/db`,
/// `redis://user@host`), before a trailing comment.
static URL_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^@/\s'\x22<>]*@)?([a-z0-9][a-z0-9.-]*[a-z0-9])").expect("url host regex")
});

/// The environment a host name says it belongs to, when that is not
/// production: a label, or a word of a label split at `-`/`_`, naming a test
/// environment. The last label is the top-level domain and not judged
/// (`pkg.go.dev`); documentation domains are left to the reserved-value checks.
fn test_environment_of_host(host: &str) -> Option<&'static str> {
    const ENVIRONMENTS: &[&str] = &[
        "staging",
        "stg",
        "test",
        "testing",
        "dev",
        "development",
        "uat",
        "qa",
        "sandbox",
        "preprod",
    ];
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let registrable = &labels[labels.len().saturating_sub(2)..].join(".");
    if ["example.com", "example.org", "example.net"].contains(&registrable.as_str()) {
        return None;
    }
    labels[..labels.len() - 1]
        .iter()
        .flat_map(|label| label.split(['-', '_']))
        .find_map(|word| ENVIRONMENTS.iter().find(|env| **env == word).copied())
}

/// For a Helm chart's base `values.yaml`, the production values file beside
/// it (`values-prod.yaml`, `values-production.yaml`), if there is one: then
/// the base is a default that production may override. Without one, the base
/// file is what production deploys with.
fn production_values_beside(tree: &TreeFacts, path: &str) -> Option<String> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    if !matches!(name, "values.yaml" | "values.yml") {
        return None;
    }
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    tree.paths
        .range(prefix.clone()..)
        .take_while(|other| other.starts_with(&prefix))
        .find(|other| {
            let rest = &other[prefix.len()..];
            !rest.contains('/')
                && rest.starts_with("values")
                && rest != name
                && named_for_production(rest)
                && (rest.ends_with(".yaml") || rest.ends_with(".yml"))
        })
        .cloned()
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
            &TEST_ENVIRONMENT_HOST_IN_PRODUCTION_CONFIG,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && path.role == Role::ProductionConfig
    }

    fn check_content(&self, tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        self.judge_lines(tree, file, out);
        if django::is_settings_module(file.info) && out.len() > start {
            if let Verdict::NotSelected { evidence } = tree.settings_selection().verdict(&file.info.path) {
                let named = describe_selections(&evidence);
                for finding in &mut out[start..] {
                    if finding.severity == Severity::Error {
                        finding.severity = Severity::Warning;
                    }
                    finding.message.push_str(&format!(
                        " (a Django settings module nothing in the repository selects: it selects {named}, and none \
                         of those imports this module; missing link: a deployment that sets DJANGO_SETTINGS_MODULE \
                         outside the repository)"
                    ));
                }
            }
        }
    }
}

/// The first browser-facing URL of a file (a key naming a redirect,
/// callback, base, public or website URL) whose host is this machine
/// (`DFE_SIGN_IN_REDIRECT_BASE_URL=https://localhost:3000`): a
/// production-named file that sends browsers there runs production mode on
/// a workstation (a compose `env_file`). Other localhost URLs prove nothing:
/// production pods reach sidecars at `localhost`. (line, host)
fn local_url<'a>(file: &FileFacts<'a>) -> Option<(usize, &'a str)> {
    const BROWSER_FACING: &[&str] = &["redirect", "callback", "base_url", "public_url", "app_url", "website"];
    file.lines()
        .filter(|(_, line)| !is_comment_line(line))
        .find_map(|(number, line)| {
            let key = line.split(['=', ':']).next().unwrap_or("").to_ascii_lowercase();
            if !BROWSER_FACING.iter().any(|word| key.contains(word)) {
                return None;
            }
            URL_HOST.captures_iter(line).find_map(|caps| {
                let host = caps.get(1)?.as_str();
                let lower = host.to_ascii_lowercase();
                (lower == "localhost" || lower.ends_with(".localhost") || lower == "127.0.0.1")
                    .then_some((number, host))
            })
        })
}

/// `a` at wsgi.py:26, `b` at Dockerfile:4, and 3 more places.
fn describe_selections(evidence: &[Selection]) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = evidence
        .iter()
        .take(SHOWN)
        .map(|s| format!("`{}` at {}:{}", s.module, s.path, s.line))
        .collect();
    if evidence.len() > SHOWN {
        parts.push(format!(
            "{} more",
            crate::report::count(evidence.len() - SHOWN, "place", "places")
        ));
    }
    parts.join(", ")
}

impl ProductionConfig {
    fn judge_lines(&self, tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let base = spring_base_file(&file.info.path);
        let overriding_values = production_values_beside(tree, &file.info.path);
        let profiles = if base {
            yaml_document_profiles(file.text)
        } else {
            Vec::new()
        };
        let production_named = named_for_production(&file.info.path);
        let local_stand_in = if production_named { local_url(file) } else { None };
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
            env_name = K8S_NAME
                .captures(line)
                .or_else(|| ENV_MAP_KEY.captures(line))
                .and_then(|caps| caps.get(1))
                .map(|m| m.as_str());
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
                if let Some(production_values) = overriding_values.as_deref() {
                    finding.severity = Severity::Warning;
                    finding.message.push_str(&format!(
                        " (the chart's base values: a default that `{production_values}` may override; \
                         missing link: what production's values set)"
                    ));
                } else if base && std::ptr::eq(rule.meta, &IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG) {
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
            if production_named {
                self.test_environment_hosts(file, line, local_stand_in, out);
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

impl ProductionConfig {
    /// LG456: URLs on one line of a production-named file whose host names a
    /// test environment.
    fn test_environment_hosts(
        &self,
        file: &FileFacts<'_>,
        line: &str,
        local_stand_in: Option<(usize, &str)>,
        out: &mut Vec<Finding>,
    ) {
        let code = [" #", "\t#"]
            .iter()
            .filter_map(|marker| line.find(marker))
            .min()
            .map_or(line, |at| &line[..at]);
        for caps in URL_HOST.captures_iter(code) {
            let Some(host) = caps.get(1) else { continue };
            let Some(environment) = test_environment_of_host(host.as_str()) else {
                continue;
            };
            let offset = line.as_ptr() as usize - file.text.as_ptr() as usize + host.start();
            let mut finding = file.finding_at(
                &TEST_ENVIRONMENT_HOST_IN_PRODUCTION_CONFIG,
                offset,
                format!(
                    "production configuration points at `{}`, a host of a `{environment}` environment \
                     (evidence: the file is named for production and the host name says `{environment}`)",
                    host.as_str()
                ),
            );
            if let Some((local_line, local_host)) = local_stand_in {
                finding.severity = Severity::Warning;
                finding.message.push_str(&format!(
                    "; but line {local_line} points at `{local_host}`: the file runs production mode on a \
                     workstation, it is not what production deploys with; missing link: what the deployment sets"
                ));
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

    #[test]
    fn production_values_pointing_at_test_environment_hosts() {
        assert_eq!(
            scan(
                "helm_deploy/app/values/ccq-production.yaml",
                "cfe:\n  host: http://cfe-civil.cfe-civil-staging.svc.cluster.local\n  environment_name: production\n"
            ),
            [("LG456", 2, 16)]
        );
        assert_eq!(
            scan(
                "helm_deploy/values-prod.yaml",
                "env:\n  API_URL: \"https://orchestration-staging.prison.service.justice.gov.uk\"\n  AUTH_URL: \"https://sign-in.hmpps.service.justice.gov.uk/auth\"\n  DB: jdbc:postgresql://db.uat.internal:5432/app\n"
            ),
            [("LG456", 2, 21), ("LG456", 4, 25)]
        );
        // Production hosts, a `.dev` top-level domain, documentation domains,
        // comments and words that only contain an environment name are fine.
        assert!(scan(
            "helm_deploy/values-prod.yaml",
            "env:\n  DOCS: https://pkg.go.dev/net/http\n  X: https://latest.developer.service.gov.uk\n  Y: https://api.test.example.com\n  # Z: https://app-staging.service.gov.uk\n  W: https://app.service.gov.uk # was https://app-staging.service.gov.uk\n"
        )
        .is_empty());
    }

    #[test]
    fn test_environment_hosts_only_count_in_files_named_for_production() {
        // A base file is shared by every environment: the host proves nothing.
        assert!(scan("config/application.yml", "api: https://api-staging.acme.io\n").is_empty());
        assert!(scan("helm_deploy/values-staging.yaml", "api: https://api-staging.acme.io\n").is_empty());
        assert_eq!(
            scan(
                "config/environments/production.rb",
                "config.api_host = \"https://api.dev.acme.io\"\n"
            ),
            [("LG456", 1, 28)]
        );
    }

    /// Real-world false alarm (claim-additional-payments-for-teaching): the
    /// `.env.production` of a local production-mode compose run names a
    /// preprod identity provider beside a localhost redirect.
    #[test]
    fn test_environment_hosts_in_a_production_file_that_points_at_localhost_are_warnings() {
        let info = Classifier::new(&LeakPolicy::default()).classify(".env.production");
        let text = "DFE_SIGN_IN_REDIRECT_BASE_URL=https://localhost:3000\nTID_SIGN_IN_ISSUER=https://preprod.teaching-identity.education.gov.uk/\n";
        let mut out = Vec::new();
        ProductionConfig.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!((out[0].code(), out[0].severity), ("LG456", Severity::Warning));
        assert!(
            out[0].message.contains("line 1 points at `localhost`"),
            "{}",
            out[0].message
        );
        // Without a browser-facing localhost URL (a sidecar at localhost is
        // not one) it stays an error.
        let text = "STATSD_URL=http://localhost:8125\nTID_SIGN_IN_ISSUER=https://preprod.teaching-identity.education.gov.uk/\n";
        let mut out = Vec::new();
        ProductionConfig.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        assert_eq!((out[0].code(), out[0].severity), ("LG456", Severity::Error));
    }

    #[test]
    fn rails_test_adapters_in_production() {
        assert_eq!(
            scan(
                "config/environments/production.rb",
                "Rails.application.configure do\n  config.active_job.queue_adapter = :test\n  config.action_mailer.delivery_method = :notify\nend\n"
            ),
            [("LG452", 2, 3)]
        );
        assert!(scan(
            "config/environments/production.rb",
            "  config.active_job.queue_adapter = :sidekiq\n  config.active_storage.service = :amazon\n"
        )
        .is_empty());
    }

    fn scan_in_tree(path: &str, text: &str, siblings: &[&str]) -> Vec<Finding> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let tree = TreeFacts {
            paths: siblings
                .iter()
                .map(|p| (*p).to_owned())
                .chain([path.to_owned()])
                .collect(),
            ..TreeFacts::default()
        };
        let mut out = Vec::new();
        assert!(
            ProductionConfig.wants_content(&info),
            "{path} is production configuration"
        );
        ProductionConfig.check_content(&tree, &FileFacts::new(&info, text), &mut out);
        out
    }

    #[test]
    fn helm_map_form_debug_in_base_values_is_an_error_unless_production_values_override_it() {
        let text = "envVars:\n  BACKEND_ENABLED:\n    value: \"True\"\n  DEBUG:\n    value: \"True\"\n";
        let siblings = ["helm_deploy/app/values-dev.yaml", "helm_deploy/app/values-uat.yaml"];
        let out = scan_in_tree("helm_deploy/app/values.yaml", text, &siblings);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            (out[0].code(), out[0].location.line, out[0].severity),
            ("LG451", 5, Severity::Error)
        );
        let out = scan_in_tree(
            "helm_deploy/app/values.yaml",
            text,
            &["helm_deploy/app/values-prod.yaml"],
        );
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].message.contains("values-prod.yaml"), "{}", out[0].message);
    }
}
