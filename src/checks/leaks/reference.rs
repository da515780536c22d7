//! LG42x references: production code that embeds, imports or opens test material.

use std::sync::LazyLock;

use regex::Regex;

use super::guards::environment_guard;
use super::packaging::DockerIgnore;
use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, Lang, PathInfo, Role};
use crate::registry::leaks::{EMBEDS_TEST_FILE, IMPORTS_TEST_CODE, OPENS_TEST_PATH};
use crate::registry::{CheckMeta, Severity};
use crate::report::finding::Finding;

static RUST_INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\binclude(?:_str|_bytes)?!\s*\(\s*(?:concat!\s*\(\s*env!\s*\(\s*"CARGO_MANIFEST_DIR"\s*\)\s*,\s*)?"([^"]+)""#)
        .expect("rust include regex")
});
static GO_EMBED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^\s*//go:embed\s+(.+)$").expect("go embed regex"));
static C_INCLUDE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*#\s*include\s+"([^"]+)""#).expect("c include regex"));
static JS_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}/[^'"]*)['"]"#)
        .expect("js import regex")
});
static PY_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b|import[ \t]+([\w.]+))").expect("python import regex")
});
static RUBY_REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(require_relative|require)[ \t(]+['"]([^'"]+)['"]"#).expect("ruby require regex")
});
static TEST_PATH_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"["'`]((?:[\w.-]+/)*(?:src/test|tests?/fixtures|spec/fixtures|testdata|test-data|__fixtures__)(?:/[^"'`\s]*)?)["'`]"#,
    )
    .expect("test path regex")
});
/// Cheap whole-file prefilter: no test-ish word, nothing to look at.
static TESTISH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)test|spec|mock|fixture|junit|testng|faker|kotest|hamcrest").expect("prefilter"));

const TEST_SEGMENTS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "__fixtures__",
    "fixtures",
    "testdata",
    "test-data",
    "test_data",
    "spec",
    "mocks",
    "testutils",
    "testutil",
    "test-utils",
    "test_utils",
    "testhelpers",
    "test-helpers",
    "test_helpers",
];

/// Whether a relative or repository path points into test material.
fn points_into_tests(path: &str) -> bool {
    let mut segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    let Some(last) = segments.pop() else {
        return false;
    };
    if segments.iter().any(|segment| TEST_SEGMENTS.contains(segment)) {
        return true;
    }
    // `./foo.test`, `./foo.spec.ts`, and a bare `../tests` directory import.
    let stem = last.split('.').collect::<Vec<_>>();
    TEST_SEGMENTS.contains(&last) || stem.iter().skip(1).any(|part| *part == "test" || *part == "spec")
}

/// Smoke tests are written to run against the live system (a status page
/// that runs them is a common, deliberate design), unlike unit tests,
/// fixtures or factories. A module is a smoke test when its own name, less
/// extensions and with `-` read as `_`, is one of these; a `smoke/` folder
/// or a fixture of smoke tests is not.
fn is_smoke_test_module(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
        .replace('-', "_");
    matches!(
        stem.as_str(),
        "smoke" | "smoketest" | "smoketests" | "smoke_test" | "smoke_tests"
    )
}

/// Folders of test data and doubles: a module in one is that, whatever its name.
const TEST_DATA_FOLDERS: &[&str] = &[
    "fixtures",
    "__fixtures__",
    "factories",
    "mocks",
    "__mocks__",
    "testdata",
    "test-data",
    "test_data",
];

/// Whether an import path (segments split by `/`, or `.` for Python) ends in
/// a smoke-test module that sits in no folder of test data.
fn imports_smoke_module<'a>(mut segments: impl DoubleEndedIterator<Item = &'a str>) -> bool {
    let Some(last) = segments.next_back() else {
        return false;
    };
    is_smoke_test_module(last) && !segments.any(|segment| TEST_DATA_FOLDERS.contains(&segment))
}

fn path_imports_smoke_module(path: &str) -> bool {
    imports_smoke_module(path.trim_end_matches('/').split('/'))
}

/// LG422 on smoke tests: a warning that says why, not an error.
fn soften_for_smoke_tests(mut finding: Finding, module: &str) -> Finding {
    finding.severity = Severity::Warning;
    finding.message.push_str(&format!(
        "; `{module}` is named as smoke tests, which are written to run against the live system, so this may \
         be a deliberate health check; missing link: whether they only read, or write test data"
    ));
    finding
}

/// Whether a Python import from a test package takes smoke tests only:
/// `from app.tests.smoketests import SmokeTests` (the module is the smoke
/// tests) or `from app.tests import smoketests` (every name imported is).
/// `rest` is the text after the module name.
fn python_imports_smoke_tests(module: &str, rest: &str) -> bool {
    if imports_smoke_module(module.split('.')) {
        return true;
    }
    if module.split('.').any(|segment| TEST_DATA_FOLDERS.contains(&segment)) {
        return false;
    }
    let line = rest.lines().next().unwrap_or("");
    let Some(names) = line.trim_start().strip_prefix("import") else {
        return false;
    };
    let names: Vec<&str> = names
        .split('#')
        .next()
        .unwrap_or("")
        .split(',')
        .map(|name| name.split_whitespace().next().unwrap_or("").trim_matches(['(', ')']))
        .filter(|name| !name.is_empty())
        .collect();
    !names.is_empty() && names.iter().all(|name| is_smoke_test_module(name))
}

/// Whether a test path named in code ships with it: Ruby, Python and
/// JavaScript run from their source tree, so a repository-relative file is
/// deployed beside the code unless the root `.dockerignore` leaves it out.
/// Compiled code (Go, JVM, Rust) ships a binary; whether the file travels
/// with it is the missing link, and embedding it is LG421's.
fn ships_with_source(tree: &TreeFacts, lang: Lang, path: &str) -> bool {
    if !matches!(lang, Lang::Ruby | Lang::Python | Lang::JavaScript | Lang::Php) || path.starts_with('/') {
        return false;
    }
    let path = path.trim_start_matches("./");
    tree.ignore_files
        .get(".dockerignore")
        .is_none_or(|text| !DockerIgnore::parse(text).ignored(path))
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ruby => "Ruby",
        Lang::Python => "Python",
        Lang::Php => "PHP",
        _ => "JavaScript",
    }
}

/// Offset where `#[cfg(test)]` first appears: Rust code after it is test code
/// by convention (the test module sits at the end of the file).
fn rust_test_boundary(text: &str) -> usize {
    text.find("#[cfg(test)]").unwrap_or(text.len())
}

/// The regular expressions this check runs over file content, for the
/// benchmark that compares the scan with ripgrep on the same patterns.
pub fn content_patterns() -> Vec<&'static str> {
    [
        &*RUST_INCLUDE,
        &*GO_EMBED,
        &*C_INCLUDE,
        &*JS_IMPORT,
        &*PY_IMPORT,
        &*RUBY_REQUIRE,
        &*TEST_PATH_STRING,
    ]
    .into_iter()
    .map(Regex::as_str)
    .collect()
}

/// Production code references into the test tree.
pub struct References;

impl References {
    fn embeds(&self, file: &FileFacts<'_>, lang: Lang, out: &mut Vec<Finding>) {
        let text = file.text;
        match lang {
            Lang::Rust => {
                let boundary = rust_test_boundary(text);
                for caps in RUST_INCLUDE.captures_iter(text) {
                    let (whole, path) = (&caps[0], &caps[1]);
                    let Some(matched) = caps.get(0) else { continue };
                    let offset = matched.start();
                    // The macro call through its closing parenthesis.
                    let end = matched.end() + usize::from(text[matched.end()..].starts_with(')'));
                    if offset < boundary
                        && points_into_tests(path)
                        && !is_comment_line(file.line_text(file.line_of(offset)))
                    {
                        let macro_name = whole.split('!').next().unwrap_or("include");
                        out.push(file.finding_span(
                            &EMBEDS_TEST_FILE,
                            offset..end,
                            format!("`{macro_name}!` embeds `{path}` from the test tree into the binary"),
                        ));
                    }
                }
            }
            Lang::Go => {
                for caps in GO_EMBED.captures_iter(text) {
                    let offset = caps
                        .get(0)
                        .map_or(0, |m| m.start() + m.as_str().len() - m.as_str().trim_start().len());
                    for pattern in caps[1].split_whitespace() {
                        let pattern = pattern.trim_matches(['"', '`']);
                        if points_into_tests(&format!("{pattern}/x")) || points_into_tests(pattern) {
                            out.push(file.finding_at(
                                &EMBEDS_TEST_FILE,
                                offset,
                                format!("`//go:embed {pattern}` embeds test data into a non-test Go file"),
                            ));
                        }
                    }
                }
            }
            Lang::C => {
                for caps in C_INCLUDE.captures_iter(text) {
                    if points_into_tests(&caps[1]) {
                        // The directive, not the indentation before it.
                        let offset = caps
                            .get(0)
                            .map_or(0, |m| m.start() + m.as_str().len() - m.as_str().trim_start().len());
                        out.push(file.finding_at(
                            &EMBEDS_TEST_FILE,
                            offset,
                            format!("`#include \"{}\"` pulls a test header into production code", &caps[1]),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    fn imports(&self, file: &FileFacts<'_>, lang: Lang, out: &mut Vec<Finding>) {
        let text = file.text;
        match lang {
            Lang::JavaScript => {
                for caps in JS_IMPORT.captures_iter(text) {
                    let target = &caps[1];
                    // Point at the module path, just inside its quotes.
                    let Some(module) = caps.get(1) else { continue };
                    if points_into_tests(target) && !is_comment_line(file.line_text(file.line_of(module.start()))) {
                        let finding = file.finding_span(
                            &IMPORTS_TEST_CODE,
                            module.range(),
                            format!("production module imports `{target}` from the test tree"),
                        );
                        out.push(if path_imports_smoke_module(target) {
                            soften_for_smoke_tests(finding, target)
                        } else {
                            finding
                        });
                    }
                }
            }
            Lang::Python => {
                for caps in PY_IMPORT.captures_iter(text) {
                    let Some(module) = caps.get(1).or_else(|| caps.get(2)) else {
                        continue;
                    };
                    let test_module = module
                        .as_str()
                        .split('.')
                        .any(|part| part == "tests" || part == "conftest");
                    if test_module {
                        let finding = file.finding_span(
                            &IMPORTS_TEST_CODE,
                            module.range(),
                            format!("production module imports `{}`, a test module", module.as_str()),
                        );
                        let smoke = python_imports_smoke_tests(module.as_str(), &text[module.end()..]);
                        out.push(if smoke {
                            soften_for_smoke_tests(finding, module.as_str())
                        } else {
                            finding
                        });
                    }
                }
            }
            Lang::Ruby => {
                for caps in RUBY_REQUIRE.captures_iter(text) {
                    let (kind, target) = (&caps[1], &caps[2]);
                    let helper = ["spec_helper", "rails_helper", "test_helper"]
                        .iter()
                        .any(|h| target.trim_end_matches(".rb").rsplit('/').next() == Some(h));
                    let into_tests = kind == "require_relative" && points_into_tests(target);
                    if helper || into_tests {
                        // From the keyword (not the indentation) to the closing quote.
                        let (Some(keyword), Some(whole)) = (caps.get(1), caps.get(0)) else {
                            continue;
                        };
                        let finding = file.finding_span(
                            &IMPORTS_TEST_CODE,
                            keyword.start()..whole.end(),
                            format!("production code does `{kind} '{target}'` from the test tree"),
                        );
                        out.push(if into_tests && path_imports_smoke_module(target) {
                            soften_for_smoke_tests(finding, target)
                        } else {
                            finding
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn opens(&self, tree: &TreeFacts, file: &FileFacts<'_>, lang: Lang, out: &mut Vec<Finding>) {
        // Go too: `_test.go` files are test code by path and never get
        // here, and `//go:embed` lines are comments to this check (LG421's).
        if lang == Lang::Sql {
            return;
        }
        let boundary = if lang == Lang::Rust {
            rust_test_boundary(file.text)
        } else {
            file.text.len()
        };
        for caps in TEST_PATH_STRING.captures_iter(&file.text[..boundary]) {
            let Some(path) = caps.get(1) else { continue };
            let line = file.line_text(file.line_of(path.start()));
            if is_comment_line(line) || JS_IMPORT.is_match(line) || RUST_INCLUDE.is_match(line) {
                continue;
            }
            let mut finding = file.finding_span(
                &OPENS_TEST_PATH,
                path.range(),
                format!("production code refers to `{}` in the test tree", &caps[1]),
            );
            if ships_with_source(tree, lang, &caps[1]) {
                finding.severity = Severity::Error;
                finding.message.push_str(&format!(
                    "; {} runs from its source tree and no .dockerignore excludes the file, so production reads the test data",
                    lang_name(lang)
                ));
            } else {
                finding
                    .message
                    .push_str("; missing link: whether the file is deployed beside the code");
            }
            out.push(finding);
        }
    }
}

impl LeakCheck for References {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[&EMBEDS_TEST_FILE, &IMPORTS_TEST_CODE, &OPENS_TEST_PATH]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        // Migrations and seeds written in a programming language are code too.
        path.area == Area::Production
            && (matches!(path.role, Role::Code(_)) || path.lang().is_some_and(|lang| lang != Lang::Sql))
    }

    fn check_content(&self, tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let Some(lang) = file.info.lang() else { return };
        if !TESTISH.is_match(file.text) {
            return;
        }
        let mut found = Vec::new();
        self.embeds(file, lang, &mut found);
        self.imports(file, lang, &mut found);
        self.opens(tree, file, lang, &mut found);
        if !found.is_empty() {
            if let Some(guard) = environment_guard(file.text) {
                for finding in &mut found {
                    finding.severity = Severity::Note;
                    finding.message.push_str(&format!(
                        "; the file is guarded by `{guard}`, so it should not run in production"
                    ));
                }
            }
        }
        out.extend(found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(&'static str, u32)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        if References.wants_content(&info) {
            References.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        }
        out.iter().map(|f| (f.code(), f.location.line)).collect()
    }

    #[test]
    fn rust_include_of_fixture_outside_cfg_test() {
        let code = "const SEED: &str = include_str!(\"../tests/fixtures/users.json\");\n";
        assert_eq!(scan("src/seed.rs", code), [("LG421", 1)]);
        let manifest_dir =
            "static B: &[u8] = include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/testdata/x.bin\"));";
        assert_eq!(scan("src/lib.rs", manifest_dir), [("LG421", 1)]);
    }

    #[test]
    fn rust_include_inside_cfg_test_or_of_production_file_is_fine() {
        let code =
            "fn a() {}\n#[cfg(test)]\nmod tests {\n    const X: &str = include_str!(\"../tests/data/x.txt\");\n}\n";
        assert!(scan("src/lib.rs", code).is_empty());
        assert!(scan("src/lib.rs", "const H: &str = include_str!(\"templates/help.txt\");").is_empty());
    }

    #[test]
    fn go_embed_of_testdata() {
        let code = "package seed\n\n//go:embed testdata/users.json\nvar users []byte\n";
        assert_eq!(scan("internal/seed/seed.go", code), [("LG421", 3)]);
        assert!(scan("internal/seed/seed.go", "//go:embed static/*\nvar s embed.FS\n").is_empty());
    }

    #[test]
    fn js_imports_of_mocks_and_spec_files() {
        let code = "import { a } from './api';\nimport { fake } from '../__mocks__/customers';\nconst f = require('./helpers.test');\n";
        assert_eq!(scan("src/billing/invoice.ts", code), [("LG422", 2), ("LG422", 3)]);
        // Test utilities kept beside the routes they test.
        let route = "import { Router } from 'express'\nimport TestData from './testutils/testData'\nimport { format } from '../utils/format'\n";
        assert_eq!(
            scan("server/routes/establishmentNotSupported.ts", route),
            [("LG422", 2)]
        );
        assert!(scan(
            "src/billing/invoice.ts",
            "import x from './latest';\nimport y from 'jest-extended';\n"
        )
        .is_empty());
    }

    #[test]
    fn python_imports_of_tests_and_conftest() {
        let code = "import os\nfrom tests.factories import make_user\nfrom .conftest import db\n";
        assert_eq!(scan("app/users.py", code), [("LG422", 2), ("LG422", 3)]);
        assert!(scan(
            "app/users.py",
            "from django.test import override_settings\nimport attestation\n"
        )
        .is_empty());
    }

    #[test]
    fn ruby_requires_into_spec() {
        assert_eq!(
            scan(
                "app/models/user.rb",
                "require_relative '../../spec/support/factories'\n"
            ),
            [("LG422", 1)]
        );
        assert_eq!(scan("lib/tasks/seed.rb", "require 'spec_helper'\n"), [("LG422", 1)]);
        assert!(scan("app/models/user.rb", "require_relative 'concerns/testable'\n").is_empty());
    }

    #[test]
    fn jvm_test_library_imports_are_lg425s_not_lg422s() {
        let code = "package a;\nimport org.mockito.Mockito;\nimport org.springframework.stereotype.Service;\n";
        assert!(scan("src/main/java/a/Billing.java", code).is_empty());
    }

    #[test]
    fn go_path_literals_into_testdata() {
        let code = "package seed\n\nconst usersFile = \"internal/seed/testdata/users.json\"\n\nfunc Load() ([]byte, error) {\n\t// see \"testdata/users.json\"\n\treturn os.ReadFile(filepath.Join(`testdata/users.json`))\n}\n";
        assert_eq!(scan("internal/seed/seed.go", code), [("LG423", 3), ("LG423", 7)]);
        assert!(scan("internal/seed/seed_test.go", code).is_empty());
        assert!(scan(
            "internal/seed/seed.go",
            "package seed\n\n//go:embed testdata/users.json\nvar users []byte\n"
        )
        .iter()
        .all(|(code, _)| *code == "LG421"));
        assert!(scan(
            "internal/seed/seed.go",
            "package seed\n\nconst f = \"data/users.json\"\n"
        )
        .is_empty());
    }

    #[test]
    fn guarded_management_command_importing_test_helpers_is_a_note() {
        let code = "from django.conf import settings\nfrom core.tests.mommy_utils import make_recipe\n\nclass Command(BaseCommand):\n    def handle(self, *args, **options):\n        if not settings.DEBUG:\n            return\n";
        let info =
            Classifier::new(&LeakPolicy::default()).classify("apps/butler/management/commands/create_dummy_data.py");
        let mut out = Vec::new();
        References.check_content(&TreeFacts::default(), &FileFacts::new(&info, code), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Note);
        assert!(out[0].message.contains("if not settings.DEBUG"), "{}", out[0].message);
    }

    #[test]
    fn path_strings_into_test_tree() {
        assert_eq!(
            scan("app/pricing.py", "with open(\"tests/fixtures/tariffs.csv\") as f:\n"),
            [("LG423", 1)]
        );
        assert!(scan(
            "app/pricing.py",
            "# see tests/fixtures/tariffs.csv\nopen('data/tariffs.csv')\n"
        )
        .is_empty());
    }

    fn severity_in_tree(path: &str, text: &str, dockerignore: Option<&str>) -> Vec<Severity> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let tree = TreeFacts {
            ignore_files: dockerignore
                .map(|t| (".dockerignore".to_owned(), t.to_owned()))
                .into_iter()
                .collect(),
            ..TreeFacts::default()
        };
        let mut out = Vec::new();
        References.check_content(&tree, &FileFacts::new(&info, text), &mut out);
        out.iter().map(|f| f.severity).collect()
    }

    #[test]
    fn test_path_read_by_interpreted_code_is_an_error_unless_the_image_leaves_it_out() {
        let ruby = "class Constituency\n  def self.sample\n    File.read(Rails.root.join(\"spec/fixtures/constituency_api/single.xml\"))\n  end\nend\n";
        assert_eq!(
            severity_in_tree("app/models/constituency.rb", ruby, None),
            [Severity::Error]
        );
        assert_eq!(
            severity_in_tree("app/models/constituency.rb", ruby, Some("/log/*\n/tmp/*\n")),
            [Severity::Error]
        );
        assert_eq!(
            severity_in_tree("app/models/constituency.rb", ruby, Some("spec/\n")),
            [Severity::Warning]
        );
        // A compiled binary does not carry the file with it: the missing link is named.
        let go = "package routes\n\nconst fallback = \"integration_tests/testdata/sample_routes.jsonl\"\n";
        assert_eq!(severity_in_tree("lib/routes.go", go, None), [Severity::Warning]);
    }

    fn severities(path: &str, text: &str) -> Vec<(&'static str, Severity)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        References.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        out.iter().map(|f| (f.code(), f.severity)).collect()
    }

    #[test]
    fn importing_smoke_tests_from_a_tests_package_is_a_warning_in_every_language() {
        let cases = [
            (
                "app/status/views.py",
                "def smoketests(request):\n    from app.status.tests.smoketests import SmokeTests\n",
            ),
            ("app/status/views.py", "from app.status.tests import smoke_tests\n"),
            ("app/status/views.py", "from app.tests import smoke, smoketest as st\n"),
            ("src/routes/health.ts", "import { run } from '../../tests/smokeTests'\n"),
            (
                "src/routes/health.js",
                "const smoke = require('../test/smoke-test.js')\n",
            ),
            (
                "app/controllers/status_controller.rb",
                "require_relative '../../spec/smoke_tests'\n",
            ),
        ];
        for (path, text) in cases {
            assert_eq!(severities(path, text), [("LG422", Severity::Warning)], "{path}: {text}");
        }
        let info = Classifier::new(&LeakPolicy::default()).classify("app/status/views.py");
        let mut out = Vec::new();
        let text = "from app.status.tests.smoketests import SmokeTests\n";
        References.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        assert!(out[0].message.contains("smoke tests"), "{}", out[0].message);
    }

    #[test]
    fn ordinary_test_modules_fixtures_and_factories_stay_errors() {
        let cases = [
            (
                "app/status/views.py",
                "from app.status.tests.test_views import client\n",
            ),
            ("app/status/views.py", "from app.tests.fixtures import smoke_user\n"),
            ("app/status/views.py", "from app.tests import factories, smoketests\n"),
            (
                "app/status/views.py",
                "from app.tests.smoke.factories import make_user\n",
            ),
            (
                "src/routes/health.ts",
                "import { user } from '../../tests/smoke/fixtures'\n",
            ),
            ("src/routes/health.ts", "import { build } from '../../test/factories'\n"),
            (
                "app/controllers/status_controller.rb",
                "require_relative '../../spec/factories/smoke'\n",
            ),
        ];
        for (path, text) in cases {
            let found = severities(path, text);
            let lg422: Vec<_> = found.iter().filter(|(code, _)| *code == "LG422").collect();
            assert!(
                !lg422.is_empty() && lg422.iter().all(|(_, severity)| *severity == Severity::Error),
                "{path}: {text}: {found:?}"
            );
        }
    }
}
