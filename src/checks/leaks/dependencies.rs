//! LG424: test-only libraries declared as production dependencies.

use super::{FileFacts, LeakCheck, TreeFacts};
use crate::checks::CheckMeta;
use crate::classify::{Area, PathInfo, Role};
use crate::report::finding::{Finding, Severity};

pub const TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES: CheckMeta = CheckMeta {
    code: "LG424",
    id: "test-library-in-production-dependencies",
    severity: Severity::Warning,
    summary: "A test-only library (jest, pytest, mockito, faker, ...) is a production dependency",
    what: "A manifest declares a test framework, mocking library or fake-data generator among the \
           dependencies that ship: package.json `dependencies`, Python `install_requires` / \
           `[project] dependencies` / requirements.txt, Cargo `[dependencies]`, Maven dependencies \
           without `<scope>test</scope>`, Gradle `implementation`/`api`, Gemfile gems outside the \
           test and development groups. Packages that are themselves test tooling are not reported.",
    why: "A test library in production dependencies ships with the service and tempts production code \
          to use it: faker-generated records and mocks end up in live data paths.",
    example: "\"dependencies\": { \"express\": \"^4.19.0\", \"@faker-js/faker\": \"^8.4.0\" }",
    fix: "Move it to the test or development dependencies: `devDependencies`, \
          `[project.optional-dependencies] test`, `[dev-dependencies]`, `<scope>test</scope>`, \
          `testImplementation`, `group :test`.",
};

/// Test libraries in production dependency lists.
pub struct TestDependencies;

impl LeakCheck for TestDependencies {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[&TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && matches!(path.role, Role::Manifest(_))
    }

    fn check_content(&self, _tree: &TreeFacts, _file: &FileFacts<'_>, _out: &mut Vec<Finding>) {}
}
