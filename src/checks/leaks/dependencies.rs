//! LG424: test-only libraries declared as production dependencies.

use std::sync::LazyLock;

use regex::Regex;

use super::pom;
use super::{FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, Manifest, PathInfo, Role};
use crate::registry::leaks::TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES;
use crate::registry::CheckMeta;
use crate::report::finding::Finding;

/// Test libraries in production dependency lists.
pub struct TestDependencies;

impl LeakCheck for TestDependencies {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[&TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && matches!(path.role, Role::Manifest(_))
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let Role::Manifest(kind) = file.info.role else { return };
        let ecosystem = Ecosystem::of(kind);
        let declared = match kind {
            Manifest::PackageJson => npm(file.text),
            Manifest::PyProject => pyproject(file.text),
            Manifest::SetupPy => setup_py(file.text),
            Manifest::SetupCfg => setup_cfg(file.text),
            Manifest::Requirements => requirements(file.text),
            Manifest::CargoToml => cargo(file.text),
            Manifest::Pom => maven(file.text),
            Manifest::Gradle => {
                // Gradle names a project after its directory unless settings say otherwise.
                let mut declared = gradle(file.text);
                declared.own_name = file.info.path.rsplit('/').nth(1).map(str::to_owned);
                declared
            }
            Manifest::Gemfile => gemfile(file.text),
        };
        if declared
            .own_name
            .as_deref()
            .is_some_and(|name| is_test_tooling(ecosystem, name))
            || declared.own_is_test_tooling
        {
            return;
        }
        for dependency in declared.dependencies {
            if let Some(what) = test_library(ecosystem, &dependency.name) {
                out.push(file.finding_at(
                    &TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES,
                    dependency.offset,
                    format!("`{}` ({what}) is declared in {}", dependency.name, dependency.section),
                ));
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ecosystem {
    Npm,
    Python,
    Rust,
    Jvm,
    Ruby,
}

impl Ecosystem {
    fn of(kind: Manifest) -> Ecosystem {
        match kind {
            Manifest::PackageJson => Ecosystem::Npm,
            Manifest::PyProject | Manifest::SetupPy | Manifest::SetupCfg | Manifest::Requirements => Ecosystem::Python,
            Manifest::CargoToml => Ecosystem::Rust,
            Manifest::Pom | Manifest::Gradle => Ecosystem::Jvm,
            Manifest::Gemfile => Ecosystem::Ruby,
        }
    }
}

/// Test-only libraries: exact names, or prefixes ending in `*`. Each list
/// is built per ecosystem from the test frameworks, mocking libraries, HTTP
/// stubs and fake-data generators that the ecosystem's own test
/// documentation recommends (Jest/Vitest/Testing Library docs for npm, the
/// pytest and Django testing docs for Python, the Rust book and the crates
/// most depended on as dev-dependencies, JUnit/Spring Boot testing docs for
/// the JVM, the RSpec and Rails testing guides for Ruby). The imports that
/// LG425 looks for in code come from the same libraries.
const NPM: &[(&str, &str)] = &[
    ("jest", "test framework"),
    ("jest-*", "Jest plugin"),
    ("ts-jest", "test framework"),
    ("@jest/*", "Jest package"),
    ("@types/jest", "test framework types"),
    ("mocha", "test framework"),
    ("jasmine", "test framework"),
    ("jasmine-*", "Jasmine plugin"),
    ("karma", "test runner"),
    ("karma-*", "Karma plugin"),
    ("ava", "test framework"),
    ("vitest", "test framework"),
    ("@vitest/*", "Vitest package"),
    ("chai", "assertion library"),
    ("chai-*", "assertion library"),
    ("sinon", "mocking library"),
    ("sinon-*", "mocking library"),
    ("nock", "HTTP mocking library"),
    ("supertest", "HTTP test library"),
    ("@testing-library/*", "test library"),
    ("enzyme", "test library"),
    ("cypress", "end-to-end test framework"),
    ("@playwright/test", "end-to-end test framework"),
    ("faker", "fake-data generator"),
    ("@faker-js/faker", "fake-data generator"),
    ("casual", "fake-data generator"),
    ("testdouble", "mocking library"),
    ("ts-mockito", "mocking library"),
];
const PYTHON: &[(&str, &str)] = &[
    ("pytest", "test framework"),
    ("pytest-*", "pytest plugin"),
    ("nose", "test framework"),
    ("nose2", "test framework"),
    ("tox", "test runner"),
    ("mock", "mocking library"),
    ("responses", "HTTP mocking library"),
    ("requests-mock", "HTTP mocking library"),
    ("httpretty", "HTTP mocking library"),
    ("vcrpy", "HTTP recording for tests"),
    ("freezegun", "time mocking library"),
    ("time-machine", "time mocking library"),
    ("moto", "AWS mocking library"),
    ("faker", "fake-data generator"),
    ("factory-boy", "test fixture factory"),
    ("model-bakery", "test fixture factory"),
    ("model-mommy", "test fixture factory"),
    ("testfixtures", "test helper"),
    ("pyfakefs", "filesystem mocking library"),
    ("respx", "HTTP mocking library"),
    ("mixer", "test fixture factory"),
    ("hypothesis", "property-based test library"),
    ("coverage", "test coverage tool"),
];
const RUST: &[(&str, &str)] = &[
    ("mockall", "mocking library"),
    ("mockito", "HTTP mocking library"),
    ("wiremock", "HTTP mocking library"),
    ("httpmock", "HTTP mocking library"),
    ("fake", "fake-data generator"),
    ("rstest", "test framework"),
    ("insta", "snapshot testing"),
    ("assert_cmd", "CLI test library"),
    ("quickcheck", "property-based test library"),
    ("proptest", "property-based test library"),
    ("serial_test", "test helper"),
    ("pretty_assertions", "assertion library"),
    ("test-case", "test framework"),
    ("expect-test", "snapshot testing"),
    ("assert_fs", "test helper"),
];
const JVM: &[(&str, &str)] = &[
    ("junit:junit", "test framework"),
    ("org.junit.jupiter:*", "test framework"),
    ("org.junit.vintage:*", "test framework"),
    ("org.junit.platform:*", "test framework"),
    ("org.testng:testng", "test framework"),
    ("org.mockito:*", "mocking library"),
    ("org.mockito.kotlin:*", "mocking library"),
    ("com.nhaarman.mockitokotlin2:*", "mocking library"),
    ("io.mockk:*", "mocking library"),
    ("org.easymock:*", "mocking library"),
    ("org.assertj:*", "assertion library"),
    ("org.hamcrest:*", "assertion library"),
    ("com.github.javafaker:javafaker", "fake-data generator"),
    ("net.datafaker:datafaker", "fake-data generator"),
    ("org.testcontainers:*", "test containers"),
    ("io.rest-assured:*", "HTTP test library"),
    ("org.springframework.boot:spring-boot-starter-test", "test starter"),
    ("org.springframework:spring-test", "test library"),
    ("com.github.tomakehurst:*", "HTTP mocking library"),
    ("org.wiremock:*", "HTTP mocking library"),
    ("io.kotest:*", "test framework"),
    ("org.spockframework:*", "test framework"),
    ("org.instancio:*", "test-data generator"),
    ("com.ninja-squad:springmockk", "mocking library"),
    ("org.springframework.boot:spring-boot-test", "test library"),
];
const RUBY: &[(&str, &str)] = &[
    ("rspec", "test framework"),
    ("rspec-*", "test framework"),
    ("minitest", "test framework"),
    ("minitest-*", "test framework"),
    ("factory_bot", "test fixture factory"),
    ("factory_bot_rails", "test fixture factory"),
    ("factory_girl", "test fixture factory"),
    ("factory_girl_rails", "test fixture factory"),
    ("cucumber", "test framework"),
    ("cucumber-rails", "test framework"),
    ("rails-controller-testing", "test helper"),
    ("faker", "fake-data generator"),
    ("ffaker", "fake-data generator"),
    ("capybara", "test library"),
    ("webmock", "HTTP mocking library"),
    ("vcr", "HTTP recording for tests"),
    ("shoulda-matchers", "assertion library"),
    ("database_cleaner", "test helper"),
    ("simplecov", "test coverage tool"),
];

fn table(ecosystem: Ecosystem) -> &'static [(&'static str, &'static str)] {
    match ecosystem {
        Ecosystem::Npm => NPM,
        Ecosystem::Python => PYTHON,
        Ecosystem::Rust => RUST,
        Ecosystem::Jvm => JVM,
        Ecosystem::Ruby => RUBY,
    }
}

/// Python names compare after PEP 503 normalisation.
fn normalise(ecosystem: Ecosystem, name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    match ecosystem {
        Ecosystem::Python => lower.replace(['_', '.'], "-"),
        Ecosystem::Rust => lower.replace('-', "_"),
        _ => lower,
    }
}

fn test_library(ecosystem: Ecosystem, name: &str) -> Option<&'static str> {
    let name = normalise(ecosystem, name);
    table(ecosystem).iter().find_map(|(pattern, what)| {
        let pattern = normalise(ecosystem, pattern);
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
            None => name == pattern,
        };
        hit.then_some(*what)
    })
}

/// A package that is itself test tooling (a pytest plugin, a Jest preset, a
/// testing library) legitimately depends on test libraries.
fn is_test_tooling(ecosystem: Ecosystem, own_name: &str) -> bool {
    if test_library(ecosystem, own_name).is_some() {
        return true;
    }
    let lower = own_name.to_ascii_lowercase();
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        matches!(
            word,
            "test"
                | "tests"
                | "testing"
                | "testkit"
                | "testcontainers"
                | "mock"
                | "mocks"
                | "fake"
                | "faker"
                | "fixture"
                | "fixtures"
                | "spec"
                | "jest"
                | "pytest"
                | "mocha"
                | "karma"
                | "jasmine"
                | "rspec"
                | "junit"
                | "assert"
                | "assertions"
                | "stub"
                | "stubs"
        )
    })
}

struct Dependency {
    name: String,
    offset: usize,
    section: &'static str,
}

#[derive(Default)]
struct Declared {
    own_name: Option<String>,
    own_is_test_tooling: bool,
    dependencies: Vec<Dependency>,
}

/// Offset of the first `"name"` key (or item) after `after`.
fn find_quoted(text: &str, after: usize, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.get(after..)
        .and_then(|rest| rest.find(&quoted))
        .map_or(after, |i| after + i)
}

fn npm(text: &str) -> Declared {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return Declared::default();
    };
    let mut declared = Declared {
        own_name: doc.get("name").and_then(|n| n.as_str()).map(str::to_owned),
        ..Declared::default()
    };
    declared.own_is_test_tooling = doc.get("keywords").and_then(|k| k.as_array()).is_some_and(|k| {
        k.iter()
            .filter_map(|w| w.as_str())
            .any(|w| matches!(w, "testing" | "test" | "jest" | "mocha" | "mock"))
    });
    for section in ["dependencies"] {
        let Some(deps) = doc.get(section).and_then(|d| d.as_object()) else {
            continue;
        };
        let key = text.find(&format!("\"{section}\"")).unwrap_or(0);
        for name in deps.keys() {
            declared.dependencies.push(Dependency {
                name: name.clone(),
                offset: find_quoted(text, key, name),
                section: "package.json `dependencies`",
            });
        }
    }
    declared
}

/// The distribution name at the start of a PEP 508 requirement.
fn requirement_name(spec: &str) -> Option<&str> {
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(spec.len());
    (end > 0).then(|| &spec[..end])
}

/// Offset of a requirement string in the text, searching from `after`.
fn find_requirement(text: &str, after: usize, spec: &str) -> usize {
    text.get(after..)
        .and_then(|rest| rest.find(spec.trim()))
        .map_or(after, |i| after + i)
}

fn pyproject(text: &str) -> Declared {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Declared::default();
    };
    let project = doc.get("project");
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    let mut declared = Declared {
        own_name: project
            .or(poetry)
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_owned),
        ..Declared::default()
    };
    if let Some(deps) = project.and_then(|p| p.get("dependencies")).and_then(|d| d.as_array()) {
        let key = text.find("dependencies").unwrap_or(0);
        for spec in deps.iter().filter_map(|d| d.as_str()) {
            if let Some(name) = requirement_name(spec) {
                declared.dependencies.push(Dependency {
                    name: name.to_owned(),
                    offset: find_requirement(text, key, spec),
                    section: "`[project] dependencies`",
                });
            }
        }
    }
    if let Some(deps) = poetry.and_then(|p| p.get("dependencies")).and_then(|d| d.as_table()) {
        let key = text.find("[tool.poetry.dependencies]").unwrap_or(0);
        for name in deps.keys() {
            let offset = text
                .get(key..)
                .and_then(|rest| rest.find(&format!("\n{name}")))
                .map_or(key, |i| key + i + 1);
            declared.dependencies.push(Dependency {
                name: name.clone(),
                offset,
                section: "`[tool.poetry.dependencies]`",
            });
        }
    }
    declared
}

static INSTALL_REQUIRES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)install_requires\s*=\s*\[(.*?)\]").expect("install_requires"));
static SETUP_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bname\s*=\s*["']([^"']+)["']"#).expect("setup name"));
static PY_STRING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"["']([^"']+)["']"#).expect("string"));

fn setup_py(text: &str) -> Declared {
    let mut declared = Declared {
        own_name: SETUP_NAME.captures(text).map(|c| c[1].to_owned()),
        ..Declared::default()
    };
    for caps in INSTALL_REQUIRES.captures_iter(text) {
        let list = caps.get(1).expect("group");
        for item in PY_STRING.captures_iter(list.as_str()) {
            let spec = item.get(1).expect("group");
            if let Some(name) = requirement_name(spec.as_str()) {
                declared.dependencies.push(Dependency {
                    name: name.to_owned(),
                    offset: list.start() + spec.start(),
                    section: "`install_requires`",
                });
            }
        }
    }
    declared
}

fn setup_cfg(text: &str) -> Declared {
    let mut declared = Declared::default();
    let mut section = String::new();
    let mut in_requires = false;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim_end();
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.to_owned();
            in_requires = false;
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with(';') || trimmed.is_empty() {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if !indented {
            in_requires = false;
            if let Some((key, value)) = trimmed.split_once('=') {
                let key = key.trim();
                if section == "[metadata]" && key == "name" {
                    declared.own_name = Some(value.trim().to_owned());
                }
                if section == "[options]" && key == "install_requires" {
                    in_requires = true;
                    if let Some(name) = requirement_name(value) {
                        let at = line_offset + line.find(value.trim()).unwrap_or(0);
                        declared.dependencies.push(Dependency {
                            name: name.to_owned(),
                            offset: at,
                            section: "`install_requires`",
                        });
                    }
                }
            }
            continue;
        }
        if let (true, Some(name)) = (in_requires, requirement_name(trimmed)) {
            let at = line_offset + (line.len() - line.trim_start().len());
            declared.dependencies.push(Dependency {
                name: name.to_owned(),
                offset: at,
                section: "`install_requires`",
            });
        }
    }
    declared
}

fn requirements(text: &str) -> Declared {
    let mut declared = Declared::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let trimmed = raw.trim();
        if trimmed.starts_with(['#', '-']) || trimmed.is_empty() {
            continue;
        }
        if let Some(name) = requirement_name(trimmed) {
            let at = line_offset + (raw.len() - raw.trim_start().len());
            declared.dependencies.push(Dependency {
                name: name.to_owned(),
                offset: at,
                section: "production requirements",
            });
        }
    }
    declared
}

fn cargo(text: &str) -> Declared {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Declared::default();
    };
    let mut declared = Declared {
        own_name: doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_owned),
        ..Declared::default()
    };
    let Some(deps) = doc.get("dependencies").and_then(|d| d.as_table()) else {
        return declared;
    };
    let key = text.find("[dependencies]").unwrap_or(0);
    for name in deps.keys() {
        let offset = text
            .get(key..)
            .and_then(|rest| rest.find(&format!("\n{name}")))
            .map_or(key, |i| key + i + 1);
        declared.dependencies.push(Dependency {
            name: name.clone(),
            offset,
            section: "Cargo `[dependencies]`",
        });
    }
    declared
}

fn maven(text: &str) -> Declared {
    // A pom that does not parse is reported by the packaging check (LG904)
    // and read as far as it can be.
    let pom = pom::parse(text).unwrap_or_else(|_| pom::parse_fragments(text));
    let mut declared = Declared {
        own_name: pom.artifact_id.clone(),
        ..Declared::default()
    };
    for dependency in &pom.dependencies {
        // Managed versions add nothing; a plugin's classpath is the build's;
        // a profile for tests or development is not what ships.
        if dependency.section != pom::Section::Dependencies
            || dependency
                .profile
                .as_deref()
                .is_some_and(pom::is_non_production_profile)
            || matches!(dependency.scope(), "test" | "provided" | "system")
        {
            continue;
        }
        let (Some(group), Some(artifact)) = (dependency.get("groupId"), dependency.get("artifactId")) else {
            continue;
        };
        declared.dependencies.push(Dependency {
            name: format!("{group}:{artifact}"),
            offset: dependency.offset_of("artifactId"),
            section: "pom.xml dependencies without `<scope>test</scope>`",
        });
    }
    declared
}

static GRADLE_DEPENDENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(implementation|api|compile|runtimeOnly|runtime)\s*\(?\s*["']([^:"']+):([^:"']+)"#)
        .expect("gradle dependency")
});

fn gradle(text: &str) -> Declared {
    let mut declared = Declared::default();
    for caps in GRADLE_DEPENDENCY.captures_iter(text) {
        let configuration = caps.get(1).expect("group");
        declared.dependencies.push(Dependency {
            name: format!("{}:{}", &caps[2], &caps[3]),
            offset: configuration.start(),
            section: "a shipping Gradle configuration (implementation/api/runtimeOnly)",
        });
    }
    declared
}

static GEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^\s*gem\s+["']([^"']+)["'](.*)$"#).expect("gem"));
static GROUP_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*group\s+(.*?)\s+do\b").expect("group"));
static BLOCK_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:platforms?|source|git|path|install_if)\b.*\bdo\b").expect("block"));

fn gemfile(text: &str) -> Declared {
    let mut declared = Declared::default();
    // Each open block: is it a test/development group?
    let mut blocks: Vec<bool> = Vec::new();
    let mut offset = 0;
    let non_production = |groups: &str| {
        groups.contains(":test")
            || groups.contains(":development")
            || groups.contains("\"test\"")
            || groups.contains("'test'")
    };
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim_end();
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(caps) = GROUP_START.captures(line) {
            blocks.push(non_production(&caps[1]));
            continue;
        }
        if BLOCK_START.is_match(line) {
            blocks.push(false);
            continue;
        }
        if trimmed == "end" {
            blocks.pop();
            continue;
        }
        if let Some(caps) = GEM.captures(line) {
            let inline_group = caps[2].contains("group") && non_production(&caps[2]);
            if blocks.iter().any(|&test| test) || inline_group {
                continue;
            }
            declared.dependencies.push(Dependency {
                name: caps[1].to_owned(),
                offset: line_offset + (line.len() - line.trim_start().len()),
                section: "the Gemfile outside the test and development groups",
            });
        }
    }
    declared
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(String, u32)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        assert!(TestDependencies.wants_content(&info), "{path}: {info:?}");
        let mut out = Vec::new();
        TestDependencies.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        out.iter()
            .map(|f| (f.message.split('`').nth(1).unwrap_or("").to_owned(), f.location.line))
            .collect()
    }

    #[test]
    fn npm_dependencies_but_not_dev_dependencies() {
        let pkg = "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"express\": \"^4\",\n    \"@faker-js/faker\": \"^8\",\n    \"jest-junit\": \"^16\"\n  },\n  \"devDependencies\": { \"jest\": \"^29\" }\n}\n";
        assert_eq!(
            scan("package.json", pkg),
            [("@faker-js/faker".to_owned(), 5), ("jest-junit".to_owned(), 6)]
        );
        // A Jest plugin depends on Jest by design.
        // Test tooling by name, including a Gradle project named after its directory.
        let gradle = "dependencies {\n    api 'org.testcontainers:testcontainers:1.20'\n}\n";
        assert!(scan("core/acme-testcontainers/build.gradle", gradle).is_empty());
        assert_eq!(scan("core/acme-db/build.gradle", gradle).len(), 1);
        let plugin = "{\"name\": \"jest-circus-extra\", \"dependencies\": {\"jest\": \"^29\"}}";
        assert!(scan("package.json", plugin).is_empty());
        let keyworded =
            "{\"name\": \"acme-helpers\", \"keywords\": [\"testing\"], \"dependencies\": {\"sinon\": \"1\"}}";
        assert!(scan("package.json", keyworded).is_empty());
    }

    #[test]
    fn python_manifests() {
        let pyproject = "[project]\nname = \"shop\"\ndependencies = [\n  \"Django>=5\",\n  \"Faker>=20\",\n]\n[project.optional-dependencies]\ntest = [\"pytest\"]\n";
        assert_eq!(scan("pyproject.toml", pyproject), [("Faker".to_owned(), 5)]);
        let poetry = "[tool.poetry]\nname = \"shop\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nfactory_boy = \"*\"\n[tool.poetry.group.dev.dependencies]\npytest = \"*\"\n";
        assert_eq!(scan("pyproject.toml", poetry), [("factory_boy".to_owned(), 5)]);
        let setup = "setup(\n    name='shop',\n    install_requires=[\n        'requests',\n        'pytest-django>=4',\n    ],\n    extras_require={'test': ['pytest']},\n)\n";
        assert_eq!(scan("setup.py", setup), [("pytest-django".to_owned(), 5)]);
        assert!(scan("setup.py", &setup.replace("name='shop'", "name='pytest-shop'")).is_empty());
        let cfg = "[metadata]\nname = shop\n[options]\ninstall_requires =\n    requests\n    mock>=4\n[options.extras_require]\ntest =\n    pytest\n";
        assert_eq!(scan("setup.cfg", cfg), [("mock".to_owned(), 6)]);
        assert_eq!(
            scan("requirements.txt", "# prod\nflask==3.0\nfreezegun==1.4\n-r base.txt\n"),
            [("freezegun".to_owned(), 3)]
        );
    }

    #[test]
    fn cargo_maven_gradle_gemfile() {
        let cargo = "[package]\nname = \"shop\"\n\n[dependencies]\nserde = \"1\"\nmockall = \"0.13\"\n\n[dev-dependencies]\ninsta = \"1\"\n";
        assert_eq!(scan("Cargo.toml", cargo), [("mockall".to_owned(), 6)]);
        let cargo_expect = "[package]\nname = \"shop\"\n\n[dependencies]\nexpect-test = \"1\"\n";
        assert_eq!(scan("Cargo.toml", cargo_expect), [("expect-test".to_owned(), 5)]);
        assert_eq!(
            scan("requirements.txt", "django==4.2\nmodel_mommy==2.0\n"),
            [("model_mommy".to_owned(), 2)]
        );
        let pom = "<project><artifactId>shop</artifactId>\n<dependencies>\n<dependency><groupId>org.mockito</groupId><artifactId>mockito-core</artifactId></dependency>\n<dependency><groupId>junit</groupId><artifactId>junit</artifactId><scope>test</scope></dependency>\n</dependencies></project>\n";
        assert_eq!(scan("pom.xml", pom), [("org.mockito:mockito-core".to_owned(), 3)]);
        let gradle = "dependencies {\n    implementation 'org.assertj:assertj-core:3.25.0'\n    testImplementation(\"org.junit.jupiter:junit-jupiter:5.10.0\")\n    implementation(\"com.google.guava:guava:33.0-jre\")\n}\n";
        assert_eq!(
            scan("build.gradle", gradle),
            [("org.assertj:assertj-core".to_owned(), 2)]
        );
        let gemfile = "source 'https://rubygems.org'\ngem 'rails'\ngem 'faker'\ngroup :development, :test do\n  gem 'rspec-rails'\nend\ngem 'capybara', group: :test\n";
        assert_eq!(scan("Gemfile", gemfile), [("faker".to_owned(), 3)]);
    }
}
