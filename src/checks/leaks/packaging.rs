//! LG44x packaging: build and package definitions that carry tests into artifacts.

use super::{FileFacts, LeakCheck, TreeFacts};
use crate::checks::CheckMeta;
use crate::classify::{Area, PathInfo, Role};
use crate::report::finding::{Finding, Severity};

pub const DOCKERFILE_COPIES_TESTS: CheckMeta = CheckMeta {
    code: "LG441",
    id: "dockerfile-copies-tests",
    severity: Severity::Error,
    summary: "The final stage of a Dockerfile copies test files into the image",
    what: "A `COPY` or `ADD` in the last stage of a Dockerfile (the one that becomes the image) whose \
           source is a test path (tests/, spec/, src/test/, fixtures/, testdata/, *.test.*).",
    why: "The final stage is what runs in production: test fixtures copied there are deployed, and test \
          code may be loaded by the application or its framework.",
    example: "FROM python:3.12-slim\nCOPY app/ /app/\nCOPY tests/ /app/tests/",
    fix: "Copy tests only into a build or test stage (`FROM base AS test`), never into the final stage.",
};

pub const DOCKER_CONTEXT_INCLUDES_TESTS: CheckMeta = CheckMeta {
    code: "LG442",
    id: "docker-context-includes-tests",
    severity: Severity::Warning,
    summary: "`COPY . .` in the final stage while .dockerignore lets existing test directories in",
    what: "The final stage copies the whole build context (`COPY . .` or `ADD . /app`) and the \
           .dockerignore next to the Dockerfile (or at the root) does not exclude test directories that \
           exist in the repository.",
    why: "Everything in the context that is not ignored lands in the image; the test directories and \
          their fixtures are deployed with the service.",
    example: "FROM node:20\nWORKDIR /app\nCOPY . .   # tests/ is not in .dockerignore",
    fix: "Add the test directories to .dockerignore (e.g. `tests/`, `**/__tests__`, `spec/`), or copy \
          only what the service needs.",
};

pub const NPM_PACKAGE_INCLUDES_TESTS: CheckMeta = CheckMeta {
    code: "LG443",
    id: "npm-package-includes-tests",
    severity: Severity::Warning,
    summary: "package.json `files` publishes test directories or test files",
    what: "An entry of package.json `files` that names or matches a test path (test/, __tests__/, \
           fixtures/, *.test.js, *.spec.ts) in a package that is not private.",
    why: "`files` is what npm publishes and what every consumer installs into production.",
    example: "\"files\": [\"lib\", \"test/fixtures\"]",
    fix: "Remove test paths from `files` (or add `!**/__tests__` style negations).",
};

pub const PYTHON_PACKAGE_INCLUDES_TESTS: CheckMeta = CheckMeta {
    code: "LG444",
    id: "python-package-includes-tests",
    severity: Severity::Warning,
    summary: "find_packages() packages a top-level tests package",
    what: "`setup.py` calls `find_packages()` (or `setup.cfg` / `pyproject.toml` use automatic package \
           discovery) without excluding tests, while a top-level `tests` package with `__init__.py` \
           exists.",
    why: "The wheel then installs a top-level `tests` package into site-packages on production machines, \
          colliding with other packages that do the same and shipping fixtures.",
    example: "setup(name=\"acme\", packages=find_packages())   # tests/__init__.py exists",
    fix: "Exclude it: `find_packages(exclude=[\"tests\", \"tests.*\"])`, or \
          `[tool.setuptools.packages.find] exclude = [\"tests*\"]`.",
};

pub const CARGO_PACKAGE_INCLUDES_TEST_DATA: CheckMeta = CheckMeta {
    code: "LG445",
    id: "cargo-package-includes-test-data",
    severity: Severity::Note,
    summary: "Cargo `include` publishes test fixtures or test data",
    what: "An entry of Cargo.toml `package.include` that names test data (fixtures/, testdata/, \
           test-data/).",
    why: "Published crates are downloaded by every build that depends on them; fixtures inflate them and \
          may carry data that was never meant to leave the repository.",
    example: "[package]\ninclude = [\"src/**\", \"tests/fixtures/**\"]",
    fix: "Remove the fixture paths from `include`, or use `exclude` for them.",
};

pub const MAVEN_TEST_JAR_AT_RUNTIME: CheckMeta = CheckMeta {
    code: "LG446",
    id: "maven-test-jar-at-runtime",
    severity: Severity::Error,
    summary: "A Maven test-jar dependency is on the runtime classpath",
    what: "A pom.xml dependency with `<type>test-jar</type>` or `<classifier>tests</classifier>` whose \
           scope is not `test`.",
    why: "A test-jar carries another module's test classes and fixtures; outside test scope they are \
          packaged into the production artifact.",
    example: "<dependency><artifactId>core</artifactId><type>test-jar</type></dependency>",
    fix: "Add `<scope>test</scope>` to the dependency.",
};

/// Packaging definitions.
pub struct Packaging;

impl LeakCheck for Packaging {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[
            &DOCKERFILE_COPIES_TESTS,
            &DOCKER_CONTEXT_INCLUDES_TESTS,
            &NPM_PACKAGE_INCLUDES_TESTS,
            &PYTHON_PACKAGE_INCLUDES_TESTS,
            &CARGO_PACKAGE_INCLUDES_TEST_DATA,
            &MAVEN_TEST_JAR_AT_RUNTIME,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && matches!(path.role, Role::Dockerfile | Role::Manifest(_))
    }

    fn check_content(&self, _tree: &TreeFacts, _file: &FileFacts<'_>, _out: &mut Vec<Finding>) {}
}
