//! LG425: production code that uses a test-only library. Imports are parsed
//! per language (import statements, `require`, Go import blocks), so a
//! library named in a comment, a string or a docstring does not count, and
//! test code (`_test.go`, `src/test`, `spec/`, `#[cfg(test)]`) is never read
//! because its path is not production.

use std::sync::LazyLock;

use regex::Regex;

use super::guards::environment_guard;
use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, Lang, PathInfo};
use crate::registry::leaks::PRODUCTION_CODE_USES_TEST_LIBRARY;
use crate::registry::{CheckMeta, Severity};
use crate::report::finding::Finding;

/// JVM packages of test-only libraries, as their artifacts publish them
/// (the Maven Central group ids of JUnit 4/5, TestNG, Mockito, MockK,
/// EasyMock, AssertJ, Hamcrest, Spring's TestContext framework and Spring
/// Boot Test, Testcontainers, WireMock, REST Assured, Kotest, Spock, Java
/// Faker, Datafaker and Instancio), each matched as a whole package prefix.
const JVM: &[(&str, &str)] = &[
    ("org.junit", "JUnit"),
    ("junit.framework", "JUnit 3/4"),
    ("org.testng", "TestNG"),
    ("org.mockito", "Mockito"),
    ("io.mockk", "MockK"),
    ("org.easymock", "EasyMock"),
    ("org.assertj", "AssertJ"),
    ("org.hamcrest", "Hamcrest"),
    ("org.springframework.test", "Spring TestContext"),
    ("org.springframework.boot.test", "Spring Boot Test"),
    ("org.testcontainers", "Testcontainers"),
    ("com.github.tomakehurst.wiremock", "WireMock"),
    ("org.wiremock", "WireMock"),
    ("io.restassured", "REST Assured"),
    ("io.kotest", "Kotest"),
    ("spock.lang", "Spock"),
    ("com.github.javafaker", "Java Faker"),
    ("net.datafaker", "Datafaker"),
    ("org.instancio", "Instancio"),
    ("com.ninjasquad.springmockk", "SpringMockK"),
];

/// Python top-level modules of test-only distributions: pytest, mock and the
/// standard library's `unittest.mock`, factory_boy (imported as `factory`),
/// Faker, model_bakery and its predecessor model_mommy, freezegun,
/// time-machine, requests-mock, httpretty, vcrpy (`vcr`), moto, Hypothesis,
/// nose, testfixtures, pyfakefs, respx. Module names from each project's
/// documentation; `responses` is left out because local modules share it.
const PYTHON: &[(&str, &str)] = &[
    ("pytest", "pytest"),
    ("_pytest", "pytest"),
    ("unittest.mock", "unittest.mock"),
    ("mock", "mock"),
    ("factory", "factory_boy"),
    ("faker", "Faker"),
    ("model_bakery", "model_bakery"),
    ("model_mommy", "model_mommy"),
    ("freezegun", "freezegun"),
    ("time_machine", "time-machine"),
    ("requests_mock", "requests-mock"),
    ("httpretty", "httpretty"),
    ("vcr", "vcrpy"),
    ("moto", "moto"),
    ("hypothesis", "Hypothesis"),
    ("nose", "nose"),
    ("testfixtures", "testfixtures"),
    ("pyfakefs", "pyfakefs"),
    ("respx", "respx"),
];

/// npm packages that exist for tests: the runners (Jest, Mocha, Vitest,
/// Jasmine, AVA), assertion and mocking libraries (Chai, Sinon, testdouble,
/// ts-mockito, jest-mock-extended), HTTP mocks (nock, supertest), the
/// Testing Library family, Enzyme, Cypress and Playwright Test, and the
/// faker packages. The same list as the dependency check (LG424) uses for
/// package.json, where the prefixes come from each project's npm scope.
const NPM: &[(&str, &str)] = &[
    ("jest", "Jest"),
    ("@jest/*", "Jest"),
    ("jest-mock", "Jest"),
    ("jest-mock-extended", "jest-mock-extended"),
    ("mocha", "Mocha"),
    ("vitest", "Vitest"),
    ("@vitest/*", "Vitest"),
    ("jasmine", "Jasmine"),
    ("ava", "AVA"),
    ("chai", "Chai"),
    ("sinon", "Sinon"),
    ("testdouble", "testdouble"),
    ("ts-mockito", "ts-mockito"),
    ("nock", "nock"),
    ("supertest", "supertest"),
    ("@testing-library/*", "Testing Library"),
    ("enzyme", "Enzyme"),
    ("cypress", "Cypress"),
    ("@playwright/test", "Playwright Test"),
    ("@faker-js/faker", "Faker"),
    ("faker", "Faker"),
];

/// Ruby gems required by tests only: RSpec, Minitest, factory_bot (and
/// factory_girl, its old name), Faker and FFaker, Capybara, WebMock, VCR,
/// shoulda-matchers, DatabaseCleaner, as each gem's README requires it.
const RUBY: &[(&str, &str)] = &[
    ("rspec", "RSpec"),
    ("minitest", "Minitest"),
    ("factory_bot", "factory_bot"),
    ("factory_bot_rails", "factory_bot"),
    ("factory_girl", "factory_girl"),
    ("faker", "Faker"),
    ("ffaker", "FFaker"),
    ("capybara", "Capybara"),
    ("webmock", "WebMock"),
    ("vcr", "VCR"),
    ("shoulda", "shoulda-matchers"),
    ("shoulda-matchers", "shoulda-matchers"),
    ("database_cleaner", "DatabaseCleaner"),
];

/// Go packages that exist for tests: the standard library's `testing` (and
/// its subpackages) and `net/http/httptest`, testify, gomock (both homes),
/// Ginkgo and Gomega, gotest.tools, go-sqlmock, httpmock, gock, and the
/// fake-data generators gofakeit and go-faker, from each module's path.
const GO: &[(&str, &str)] = &[
    ("testing", "the standard library's testing package"),
    ("testing/*", "the standard library's testing helpers"),
    ("net/http/httptest", "net/http/httptest"),
    ("github.com/stretchr/testify", "testify"),
    ("github.com/stretchr/testify/*", "testify"),
    ("github.com/golang/mock/*", "gomock"),
    ("go.uber.org/mock/*", "gomock"),
    ("github.com/onsi/ginkgo*", "Ginkgo"),
    ("github.com/onsi/gomega*", "Gomega"),
    ("gotest.tools*", "gotest.tools"),
    ("github.com/DATA-DOG/go-sqlmock", "go-sqlmock"),
    ("github.com/jarcoal/httpmock", "httpmock"),
    ("github.com/h2non/gock", "gock"),
    ("github.com/brianvoe/gofakeit*", "gofakeit"),
    ("github.com/go-faker/faker*", "go-faker"),
    ("github.com/bxcodec/faker*", "go-faker"),
];

/// Whether `module` is `pattern` or inside it. A pattern ending in `/*` or
/// `*` matches what follows; otherwise a JVM or Python prefix matches whole
/// package segments (`org.junit.Test`, not `org.junitpioneer`).
fn matches_module(pattern: &str, module: &str, separator: char) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return module.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return module.starts_with(prefix);
    }
    module == pattern
        || module
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with(separator))
}

fn library(table: &'static [(&'static str, &'static str)], module: &str, separator: char) -> Option<&'static str> {
    table
        .iter()
        .find(|(pattern, _)| matches_module(pattern, module, separator))
        .map(|(_, name)| *name)
}

/// One import, require or use of a library found in a file.
struct Use {
    offset: usize,
    module: String,
    library: &'static str,
}

static JVM_IMPORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)").expect("jvm import"));
static PY_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?[ \t]*([\w., \t]+)|import[ \t]+([\w., \t]+))")
        .expect("python import")
});
static JS_MODULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?m)(?:^[ \t]*(?:import|export)\b[^'"\n;]*?\bfrom[ \t]*|^[ \t]*\}[^'"\n;]*?\bfrom[ \t]*"#,
        r#"|^[ \t]*import[ \t]*|\brequire[ \t]*\([ \t]*|\bimport[ \t]*\([ \t]*|\bjest\.mock[ \t]*\([ \t]*)['"]([^'"\n]+)['"]"#
    ))
    .expect("js module")
});
static RUBY_REQUIRE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^[ \t]*require[ \t(]+['"]([\w/-]+)['"]"#).expect("ruby require"));
static RUBY_FACTORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(FactoryBot|FactoryGirl)\.(?:create|build|build_stubbed|create_list|build_list|attributes_for)\b|\b(Faker|FFaker)::[A-Z]\w*\.\w+")
        .expect("ruby factory")
});
/// Where factory_boy's API shows that `import factory` is factory_boy.
static FACTORY_BOY_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bfactory\.(?:Factory|django|fuzzy|alchemy|mongoengine|Faker|SubFactory|Sequence|LazyAttribute|LazyFunction|RelatedFactory|post_generation|build|create)\b|\bDjangoModelFactory\b")
        .expect("factory_boy use")
});
static MOCK_USE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bmock\.(?:patch|Mock|MagicMock|AsyncMock|call|ANY|sentinel)\b").expect("mock use"));

/// Cheap whole-file prefilters, one per language: no library name where an
/// import would put it, nothing to parse. Most production files stop here,
/// which keeps the scan as fast as it was before this check.
static JVM_PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"import[ \t]+(?:static[ \t]+)?(?:org\.junit|junit\.framework|org\.testng|org\.mockito|io\.mockk|org\.easymock|org\.assertj|org\.hamcrest|org\.springframework\.(?:boot\.)?test|org\.testcontainers|com\.github\.tomakehurst|org\.wiremock|io\.restassured|io\.kotest|spock\.lang|com\.github\.javafaker|net\.datafaker|org\.instancio|com\.ninjasquad)")
        .expect("jvm prefilter")
});
static PYTHON_PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:pytest|_pytest|mock|factory|faker|model_bakery|model_mommy|freezegun|time_machine|requests_mock|httpretty|vcr|moto|hypothesis|nose|testfixtures|pyfakefs|respx)(?-u:\b)")
        .expect("python prefilter")
});
static JS_PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"](?:jest|@jest/|mocha|vitest|@vitest/|jasmine|ava|chai|sinon|testdouble|ts-mockito|nock|supertest|@testing-library/|enzyme|cypress|@playwright/test|@faker-js/faker|faker)"#)
        .expect("js prefilter")
});
static RUBY_PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"require[ \t(]+['"](?:rspec|minitest|factory_|faker|ffaker|capybara|webmock|vcr|shoulda|database_cleaner)|FactoryBot\.|FactoryGirl\.|F?Faker::"#)
        .expect("ruby prefilter")
});

fn worth_parsing(lang: Lang, text: &str) -> bool {
    match lang {
        Lang::Jvm => JVM_PREFILTER.is_match(text),
        Lang::Python => PYTHON_PREFILTER.is_match(text),
        Lang::JavaScript => JS_PREFILTER.is_match(text),
        Lang::Ruby => RUBY_PREFILTER.is_match(text),
        // Go imports come first in the file and parsing stops after them.
        Lang::Go => true,
        _ => false,
    }
}

/// Production code that uses test libraries.
pub struct TestLibraryUse;

impl LeakCheck for TestLibraryUse {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[&PRODUCTION_CODE_USES_TEST_LIBRARY]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production
            // Test material in a production path is LG412's: its use of test libraries is expected.
            && path.test_marker.is_none()
            && matches!(
                path.lang(),
                Some(Lang::Jvm | Lang::Python | Lang::JavaScript | Lang::Ruby | Lang::Go)
            )
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let Some(lang) = file.info.lang() else { return };
        if !worth_parsing(lang, file.text) {
            return;
        }
        let uses = match lang {
            Lang::Jvm => jvm_uses(file),
            Lang::Python => python_uses(file),
            Lang::JavaScript => js_uses(file),
            Lang::Ruby => ruby_uses(file),
            Lang::Go => go_uses(file),
            _ => Vec::new(),
        };
        if uses.is_empty() {
            return;
        }
        let (severity, context) = judge(file);
        for used in uses {
            let mut finding = file.finding_at(
                &PRODUCTION_CODE_USES_TEST_LIBRARY,
                used.offset,
                format!(
                    "production code uses `{}` ({}, a test-only library){context}",
                    used.module, used.library
                ),
            );
            finding.severity = severity;
            out.push(finding);
        }
    }
}

/// Severity and the evidence that set it: an error for shipped code, a
/// warning when the file runs only on demand, a note when it is a testing
/// helper by name or guarded by the environment.
fn judge(file: &FileFacts<'_>) -> (Severity, String) {
    let path = file.info.path.as_str();
    if let Some(guard) = environment_guard(file.text) {
        return (
            Severity::Note,
            format!("; the file is guarded by `{guard}`, so it should not run in production"),
        );
    }
    if let Some(name) = testing_helper_name(path) {
        return (
            Severity::Note,
            format!(
                "; `{name}` names a testing helper shipped with the code: fine while production code does not load it"
            ),
        );
    }
    // Rake tasks, Django management commands and Flask/click command modules.
    let on_demand = path.ends_with(".rake")
        || path.contains("/management/commands/")
        || (file.info.lang() == Some(Lang::Python) && (path.ends_with("/commands.py") || path.contains("/commands/")));
    if on_demand {
        return (
            Severity::Warning,
            "; it runs only when someone invokes the task or command (missing link: is it run against production?)"
                .to_owned(),
        );
    }
    if let Some(name) = anonymisation_name(path) {
        return (
            Severity::Warning,
            format!(
                "; `{name}` says the file anonymises data: fake values there replace real personal data in a copy \
                 (missing link: whether it ever writes to production's own database)"
            ),
        );
    }
    if let Some(dir) = debug_namespace(path) {
        return (
            Severity::Warning,
            format!(
                "; the file sits in a `{dir}/` namespace: debug tooling that a switch elsewhere turns on outside \
                 production (missing link: what selects it, and whether production can)"
            ),
        );
    }
    (Severity::Error, String::new())
}

/// A folder of debug tooling inside production code (`app/forms/debug/…`,
/// `src/dev_tools/…`): fake-data libraries there fill sign-in bypasses and
/// similar developer aids, which the application selects by environment.
fn debug_namespace(path: &str) -> Option<&str> {
    let (dirs, _) = path.rsplit_once('/')?;
    dirs.split('/').find(|segment| {
        matches!(
            segment.to_ascii_lowercase().as_str(),
            "debug" | "dev_tools" | "devtools"
        )
    })
}

/// A path segment naming anonymisation (`db/anonymise/rules.rb`,
/// `lib/data_anonymizer.rb`, `scrub_pii.py`): there a fake-data library is
/// the tool that removes personal data from a database copy, not test data.
fn anonymisation_name(path: &str) -> Option<&str> {
    const STEMS: &[&str] = &[
        "anonymis",
        "anonymiz",
        "pseudonymis",
        "pseudonymiz",
        "obfuscat",
        "scrub",
    ];
    path.split('/').find(|segment| {
        let lower = segment.to_ascii_lowercase();
        lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| STEMS.iter().any(|stem| word.contains(stem)))
    })
}

/// A file or folder whose name says it exists to help tests: `factories.py`,
/// `lib/acme/test_helpers.rb`, `rspec_matchers.rb`, `testing.go`.
fn testing_helper_name(path: &str) -> Option<&str> {
    const WORDS: &[&str] = &[
        "factories",
        "factory",
        "fakes",
        "fake",
        "faker",
        "mocks",
        "mock",
        "stubs",
        "stub",
        "fixtures",
        "testing",
        "testutil",
        "testutils",
        "testhelper",
        "testhelpers",
        "rspec",
        "minitest",
        "matchers",
        "cucumber",
    ];
    path.split('/').find(|segment| {
        let stem = segment.split('.').next().unwrap_or(segment).to_ascii_lowercase();
        let words: Vec<&str> = stem.split(['_', '-']).collect();
        WORDS.contains(&stem.as_str())
            || words.iter().any(|w| WORDS.contains(w))
            || words
                .windows(2)
                .any(|pair| pair[0] == "test" && matches!(pair[1], "helper" | "helpers" | "case" | "support" | "utils"))
            || (stem.len() > 4 && stem.ends_with("test") && !ENGLISH_TEST_WORDS.contains(&stem.as_str()))
    })
}

/// Words that end in "test" without being about tests.
const ENGLISH_TEST_WORDS: &[&str] = &[
    "latest", "contest", "attest", "protest", "detest", "fastest", "shortest", "smartest", "greatest", "modest",
    "honest", "manifest", "interest", "request", "harvest", "forest", "digest", "suggest", "invest", "quest",
    "highest", "lowest", "biggest", "smallest", "newest", "oldest", "largest", "nearest", "earliest", "cheapest",
];

fn line_is_code(file: &FileFacts<'_>, offset: usize) -> bool {
    !is_comment_line(file.line_text(file.line_of(offset)))
}

fn jvm_uses(file: &FileFacts<'_>) -> Vec<Use> {
    JVM_IMPORT
        .captures_iter(file.text)
        .filter_map(|caps| {
            let module = caps.get(1)?;
            let name = library(JVM, module.as_str(), '.')?;
            line_is_code(file, module.start()).then(|| Use {
                offset: caps
                    .get(0)
                    .map_or(0, |m| m.start() + m.as_str().len() - m.as_str().trim_start().len()),
                module: module.as_str().trim_end_matches('.').to_owned(),
                library: name,
            })
        })
        .collect()
}

/// Byte ranges of Python triple-quoted strings (docstrings): imports shown
/// in them are documentation. Ordinary strings are skipped to the end of
/// their line so that a quote inside one does not open a block.
fn python_string_blocks(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(start) = memchr::memchr2(b'"', b'\'', &bytes[at..]).map(|i| at + i) {
        let quote = bytes[start];
        if bytes[start..].starts_with(&[quote; 3]) {
            let end = memchr::memmem::find(&bytes[start + 3..], &[quote; 3]).map_or(bytes.len(), |i| start + 3 + i + 3);
            blocks.push((start, end));
            at = end;
        } else {
            let rest = &bytes[start + 1..];
            at = memchr::memchr2(quote, b'\n', rest).map_or(bytes.len(), |i| start + 2 + i);
        }
    }
    blocks
}

fn python_uses(file: &FileFacts<'_>) -> Vec<Use> {
    let text = file.text;
    // Docstrings are found only once an import needs judging.
    let mut strings: Option<Vec<(usize, usize)>> = None;
    let mut uses = Vec::new();
    for caps in PY_IMPORT.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let start = whole.start() + caps.get(1).map_or(0, |m| m.len());
        if !PYTHON_PREFILTER.is_match(whole.as_str()) {
            continue;
        }
        let blocks = strings.get_or_insert_with(|| python_string_blocks(text));
        if blocks.iter().any(|&(open, close)| start > open && start < close) || !line_is_code(file, start) {
            continue;
        }
        // `from X import a, b` or `import X, Y as Z`.
        let modules: Vec<String> = match (caps.get(2), caps.get(3), caps.get(4)) {
            (Some(from), Some(names), _) => {
                let from = from.as_str();
                // `from unittest import mock` is `unittest.mock`.
                let mut modules = vec![from.to_owned()];
                if from == "unittest"
                    && names
                        .as_str()
                        .split(',')
                        .any(|n| n.split_whitespace().next() == Some("mock"))
                {
                    modules.push("unittest.mock".to_owned());
                }
                modules
            }
            (_, _, Some(list)) => list
                .as_str()
                .split(',')
                .filter_map(|item| item.split_whitespace().next())
                .map(str::to_owned)
                .collect(),
            _ => continue,
        };
        for module in modules {
            if module.starts_with('.') {
                continue;
            }
            let Some(name) = library(PYTHON, &module, '.') else {
                continue;
            };
            // `factory` and `mock` are also common local module names: ask for their API.
            let confirmed = match name {
                "factory_boy" => FACTORY_BOY_USE.is_match(text) || module != "factory",
                "mock" => MOCK_USE.is_match(text) || module != "mock",
                _ => true,
            };
            if confirmed {
                uses.push(Use {
                    offset: start,
                    module,
                    library: name,
                });
            }
        }
    }
    uses
}

/// The npm package a module specifier names: `sinon`, `@testing-library/react`
/// from `@testing-library/react/pure`.
fn npm_package(specifier: &str) -> &str {
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next().unwrap_or(specifier);
    if first.starts_with('@') {
        if let Some(second) = parts.next() {
            return &specifier[..first.len() + 1 + second.len()];
        }
    }
    first
}

fn js_uses(file: &FileFacts<'_>) -> Vec<Use> {
    JS_MODULE
        .captures_iter(file.text)
        .filter_map(|caps| {
            let specifier = caps.get(1)?;
            let package = npm_package(specifier.as_str());
            let name = library(NPM, package, '/')?;
            line_is_code(file, specifier.start()).then(|| Use {
                offset: specifier.start(),
                module: package.to_owned(),
                library: name,
            })
        })
        .collect()
}

fn ruby_uses(file: &FileFacts<'_>) -> Vec<Use> {
    let mut uses: Vec<Use> = RUBY_REQUIRE
        .captures_iter(file.text)
        .filter_map(|caps| {
            let target = caps.get(1)?;
            // Rake files that define test tasks (`rspec/core/rake_task`,
            // `rake/testtask`) load only the task, not the library's runtime.
            if target.as_str().ends_with("rake_task") || target.as_str().ends_with("/rake/task") {
                return None;
            }
            let gem = target.as_str().split('/').next().unwrap_or("");
            let name = library(RUBY, gem, '/')?;
            line_is_code(file, target.start()).then(|| Use {
                offset: caps
                    .get(0)
                    .map_or(0, |m| m.start() + m.as_str().len() - m.as_str().trim_start().len()),
                module: target.as_str().to_owned(),
                library: name,
            })
        })
        .collect();
    for caps in RUBY_FACTORY.captures_iter(file.text) {
        let Some(whole) = caps.get(0) else { continue };
        if !line_is_code(file, whole.start()) {
            continue;
        }
        let (module, name) = match caps.get(1).or_else(|| caps.get(2)) {
            Some(m) if m.as_str().starts_with("Factory") => (m.as_str(), "factory_bot"),
            Some(m) => (m.as_str(), "Faker"),
            None => continue,
        };
        uses.push(Use {
            offset: whole.start(),
            module: module.to_owned(),
            library: name,
        });
    }
    uses
}

/// Go import paths of the file's import declarations, with their offsets.
/// Parsing stops at the first declaration that is not an import, so strings
/// and comments in code below never count.
fn go_imports(text: &str) -> Vec<(usize, &str)> {
    let mut imports = Vec::new();
    let mut in_block = false;
    let mut in_comment = false;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim();
        if in_comment {
            if line.contains("*/") {
                in_comment = false;
            }
            continue;
        }
        if line.starts_with("/*") && !line.contains("*/") {
            in_comment = true;
            continue;
        }
        if line.is_empty() || line.starts_with("//") || line.starts_with("package ") {
            continue;
        }
        let spec = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("import") {
            let rest = rest.trim_start();
            if let Some(first) = rest.strip_prefix('(') {
                in_block = true;
                first.trim()
            } else {
                rest
            }
        } else {
            // The first declaration that is not an import ends the import section.
            break;
        };
        if let Some(start) = spec.find('"') {
            if let Some(len) = spec[start + 1..].find('"') {
                let path = &spec[start + 1..start + 1 + len];
                let at = line_offset + raw.find(path).unwrap_or(0);
                imports.push((at, path));
            }
        }
    }
    imports
}

/// An import of test support: a package in or below a `…/testutil`,
/// `…/internal/testing` or `…/mocks` folder (mockery writes
/// `mocks/pkg/persistence`), or a `<name>test` package beside `<name>`
/// (`internal/server/servertest`), the way `net/http/httptest` is. The host,
/// owner and repository of a module path are names, not folders, and do not
/// count (`github.com/acme/mocks` is a module called mocks).
fn go_test_support(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let Some(last) = segments.last() else { return false };
    let local = path.contains('.') || path.contains("/internal/") || path.starts_with("internal/");
    if !local || segments.len() < 2 {
        return false;
    }
    const SUPPORT: &[&str] = &[
        "testing",
        "testutil",
        "testutils",
        "testhelper",
        "testhelpers",
        "testsupport",
        "testfixtures",
        "testdata",
        "mocks",
        "fakes",
        "fake",
    ];
    let module_root = if segments[0].contains('.') {
        3.min(segments.len() - 1)
    } else {
        0
    };
    if segments[module_root..].iter().any(|segment| SUPPORT.contains(segment)) {
        return true;
    }
    last.strip_suffix("test").is_some_and(|stem| {
        !stem.is_empty() && !ENGLISH_TEST_WORDS.contains(last) && segments[..segments.len() - 1].contains(&stem)
    })
}

fn go_uses(file: &FileFacts<'_>) -> Vec<Use> {
    go_imports(file.text)
        .into_iter()
        .filter_map(|(offset, path)| {
            let name = library(GO, path, '/').or_else(|| go_test_support(path).then_some("a test-support package"))?;
            Some(Use {
                offset,
                module: path.to_owned(),
                library: name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(String, u32, Severity)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        if TestLibraryUse.wants_content(&info) {
            TestLibraryUse.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        }
        out.iter()
            .map(|f| {
                (
                    f.message.split('`').nth(1).unwrap_or("").to_owned(),
                    f.location.line,
                    f.severity,
                )
            })
            .collect()
    }

    fn modules(path: &str, text: &str) -> Vec<String> {
        scan(path, text).into_iter().map(|(module, _, _)| module).collect()
    }

    #[test]
    fn jvm_imports_of_test_libraries_in_main() {
        let code = "package com.example.demo;\n\nimport org.springframework.stereotype.Service;\nimport org.assertj.core.api.Assertions;\nimport static org.mockito.Mockito.mock;\nimport org.springframework.test.util.ReflectionTestUtils;\nimport org.testcontainers.containers.PostgreSQLContainer;\n";
        assert_eq!(
            scan("src/main/java/com/example/demo/Seeder.java", code),
            [
                ("org.assertj.core.api.Assertions".to_owned(), 4, Severity::Error),
                ("org.mockito.Mockito.mock".to_owned(), 5, Severity::Error),
                (
                    "org.springframework.test.util.ReflectionTestUtils".to_owned(),
                    6,
                    Severity::Error
                ),
                (
                    "org.testcontainers.containers.PostgreSQLContainer".to_owned(),
                    7,
                    Severity::Error
                ),
            ]
        );
    }

    /// Real-world false alarm (laa-apply-for-legal-aid): 66 error findings
    /// in the anonymisation rules a rake task feeds to pg_dump_anonymize.
    #[test]
    fn faker_in_anonymisation_code_is_a_warning_naming_it() {
        let rules = "require \"faker\"\n\n@rules = {\n  addresses: {\n    city: -> { Faker::Address.city },\n  },\n}\n";
        let found = scan("db/anonymise/rules.rb", rules);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|(_, _, severity)| *severity == Severity::Warning),
            "{found:?}"
        );
        assert!(scan("lib/tasks/data_anonymizer.rb", rules)
            .iter()
            .all(|f| f.2 == Severity::Warning));
        // Elsewhere the same code is an error.
        assert!(scan("app/services/address_filler.rb", rules)
            .iter()
            .all(|f| f.2 == Severity::Error));
    }

    /// Real-world false alarm (claim-additional-payments-for-teaching): a
    /// debug sign-in form that the journey selects only when the sign-in
    /// bypass is on (development and review apps), which lives in another file.
    #[test]
    fn faker_in_a_debug_namespace_is_a_warning_naming_it() {
        let form =
            "require \"faker\"\n\nmodule Debug\n  class SignInForm\n    def name = Faker::Name.name\n  end\nend\n";
        let found = scan("app/forms/debug/teacher_auth/sign_in_form.rb", form);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|(_, _, severity)| *severity == Severity::Warning),
            "{found:?}"
        );
        // A file merely named debug_something is not a debug namespace.
        assert!(scan("app/forms/debug_sign_in_form.rb", form)
            .iter()
            .all(|f| f.2 == Severity::Error));
    }

    #[test]
    fn jvm_comments_lookalikes_and_test_code_do_not_fire() {
        let code = "// import org.junit.Test;\n/*\n * import org.mockito.Mockito;\n */\nimport org.junitpioneer.jupiter.Foo;\nString s = \"import org.junit.Test;\";\n";
        assert!(scan("src/main/java/a/A.java", code).is_empty());
        assert!(scan("src/test/java/a/ATest.java", "import org.junit.Test;\n").is_empty());
        assert!(scan("src/testFixtures/kotlin/a/Builders.kt", "import io.mockk.mockk\n").is_empty());
    }

    #[test]
    fn python_imports_in_shipped_modules() {
        let code = "import os\nfrom unittest import mock\nimport factory\nfrom faker import Faker\nimport pytest, json\nfrom model_mommy import mommy\n\nclass UserFactory(factory.django.DjangoModelFactory):\n    pass\n";
        assert_eq!(
            modules("cla_backend/apps/legalaid/utils.py", code),
            ["unittest.mock", "factory", "faker", "pytest", "model_mommy"]
        );
    }

    #[test]
    fn python_docstrings_local_modules_and_tests_do_not_fire() {
        let docstring = "\"\"\"Usage:\n\nimport pytest\nfrom faker import Faker\n\"\"\"\nimport os\n";
        assert!(scan("app/users.py", docstring).is_empty());
        // A local `factory` or `mock` module, not factory_boy or mock.
        assert!(scan("app/users.py", "import factory\nfactory.build_widget()\n").is_empty());
        assert!(scan("app/users.py", "from . import mock\nimport unittest\n").is_empty());
        assert!(scan("app/tests/test_users.py", "import pytest\n").is_empty());
        assert!(scan("app/conftest.py", "import pytest\n").is_empty());
        assert!(scan("app/users.py", "# import pytest\nx = 'import faker'\n").is_empty());
    }

    #[test]
    fn python_cli_commands_are_warnings() {
        let code = "from unittest import mock\n\n@notify_command()\ndef purge():\n    with mock.patch('app.s3.delete'):\n        run()\n";
        assert_eq!(
            scan("app/commands.py", code),
            [("unittest.mock".to_owned(), 1, Severity::Warning)]
        );
    }

    #[test]
    fn python_factories_module_is_a_note() {
        let code = "import factory\n\nclass UserFactory(factory.Factory):\n    pass\n";
        assert_eq!(
            scan("app/factories.py", code),
            [("factory".to_owned(), 1, Severity::Note)]
        );
    }

    #[test]
    fn js_imports_and_requires() {
        let code = "import express from 'express';\nimport sinon from \"sinon\";\nimport {\n  render,\n} from '@testing-library/react';\nconst nock = require('nock');\nconst { faker } = await import('@faker-js/faker');\n";
        assert_eq!(
            modules("src/server/app.ts", code),
            ["sinon", "@testing-library/react", "nock", "@faker-js/faker"]
        );
        let quiet = "// import sinon from 'sinon'\nconst help = \"run jest\";\nimport chaiLike from './chai';\nimport jestConfig from 'jest-config-helper';\n";
        assert!(scan("src/server/app.ts", quiet).is_empty());
        assert!(scan("src/server/app.test.ts", "import sinon from 'sinon';\n").is_empty());
        assert!(scan("src/setupTests.ts", "import '@testing-library/jest-dom';\n").is_empty());
    }

    #[test]
    fn ruby_requires_and_factories_in_app_and_lib() {
        let code = "require 'factory_bot'\n\nclass DemoLoader\n  def run\n    FactoryBot.create(:prisoner)\n    Faker::Name.name\n  end\nend\n";
        assert_eq!(
            scan("app/services/demo_loader.rb", code),
            [
                ("factory_bot".to_owned(), 1, Severity::Error),
                ("FactoryBot".to_owned(), 5, Severity::Error),
                ("Faker".to_owned(), 6, Severity::Error),
            ]
        );
        // A rake task runs on demand; an environment guard makes it a note.
        assert_eq!(
            scan(
                "lib/tasks/demo.rake",
                "task :demo do\n  FactoryBot.create(:user)\nend\n"
            )[0]
            .2,
            Severity::Warning
        );
        let guarded = "return if Rails.env.production?\n\nFactoryBot.create(:user)\n";
        assert_eq!(scan("db/seeds.rb", guarded)[0].2, Severity::Note);
        assert!(scan("spec/factories/users.rb", "FactoryBot.define do\nend\n").is_empty());
        assert!(scan(
            "lib/tasks/spec.rake",
            "if defined? RSpec\n  require 'rspec/core/rake_task'\nend\n"
        )
        .is_empty());
        assert!(scan("app/models/user.rb", "# FactoryBot.create(:user)\nrequire 'json'\n").is_empty());
        // A gem's public testing API named for what it is.
        assert_eq!(
            scan("lib/acme/rspec_matchers.rb", "require 'rspec'\n")[0].2,
            Severity::Note
        );
    }

    #[test]
    fn go_imports_of_testing_and_test_support() {
        let code = "package server\n\nimport (\n\t\"fmt\"\n\t\"net/http/httptest\"\n\t// \"testing\"\n\t\"github.com/stretchr/testify/assert\"\n\tmocks \"github.com/acme/router/internal/mocks\"\n\t\"github.com/acme/router/internal/handler/handlertest\"\n)\n\nfunc F() { fmt.Println(\"import \\\"testing\\\"\") }\n";
        assert_eq!(
            modules("internal/server/server.go", code),
            [
                "net/http/httptest",
                "github.com/stretchr/testify/assert",
                "github.com/acme/router/internal/mocks",
                "github.com/acme/router/internal/handler/handlertest",
            ]
        );
        assert_eq!(
            modules(
                "cmd/router/main.go",
                "package main\n\nimport \"testing\"\n\nfunc main() {}\n"
            ),
            ["testing"]
        );
        // mockery's default layout puts mocks of `pkg/persistence` in `mocks/pkg/persistence`.
        assert_eq!(
            modules(
                "pkg/app/app.go",
                "package app\n\nimport (\n\t\"os\"\n\tpersistencemocks \"github.com/cds-snc/covid-alert-server/mocks/pkg/persistence\"\n)\n"
            ),
            ["github.com/cds-snc/covid-alert-server/mocks/pkg/persistence"]
        );
        // A module whose own name is a support word is a name, not a folder.
        assert!(scan(
            "pkg/app/app.go",
            "package app\n\nimport \"github.com/acme/mocks/pkg/client\"\n"
        )
        .is_empty());
        assert!(scan("internal/server/server_test.go", code).is_empty());
        assert!(scan(
            "internal/server/latest.go",
            "package server\n\nimport \"github.com/acme/x/latest\"\n"
        )
        .is_empty());
        assert!(scan(
            "internal/server/s.go",
            "package server\n\nimport \"github.com/acme/contest\"\n"
        )
        .is_empty());
    }
}
