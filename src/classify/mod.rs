//! Path classification: which area a path lives in (production, test, other),
//! what role it plays (migration, seed, production config, data, code,
//! manifest, Dockerfile) and whether it looks like test material.
//!
//! The policy's globs are consulted before the built-in layout rules, so a
//! repository can correct any guess without losing the rest.

use globset::{GlobSet, GlobSetBuilder};

use crate::policy::{compile_glob, LeakPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Production,
    Test,
    Other,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Production => "production",
            Area::Test => "test",
            Area::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Rust,
    Go,
    Python,
    JavaScript,
    Jvm,
    Ruby,
    CSharp,
    Php,
    C,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Manifest {
    PackageJson,
    PyProject,
    SetupPy,
    SetupCfg,
    Requirements,
    CargoToml,
    Pom,
    Gradle,
    Gemfile,
}

/// What a file is for, as far as the leak checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Migration,
    Seed,
    ProductionConfig,
    Data,
    Code(Lang),
    Manifest(Manifest),
    Dockerfile,
    DockerIgnore,
    NpmIgnore,
    None,
}

/// A path with everything the checks need to know about where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathInfo {
    pub path: String,
    pub area: Area,
    pub role: Role,
    /// Why this path looks like test material, if it does (e.g. "fixtures directory").
    pub test_marker: Option<&'static str>,
}

impl PathInfo {
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    pub fn lang(&self) -> Option<Lang> {
        match self.role {
            Role::Code(lang) => Some(lang),
            Role::Migration | Role::Seed => lang_of(&self.path),
            _ => None,
        }
    }
}

const BUILTIN_OTHER: &[&str] = &[
    // Build and tool configuration: jest.config.js, yarn.config.cjs, vite.config.ts.
    "**/*.config.{js,cjs,mjs,ts,cts,mts}",
    "**/{Gruntfile,gruntfile,Gulpfile,gulpfile}.{js,cjs,mjs,ts}",
    // Test runner configuration: .mocharc.js, karma.conf.js, wdio.conf.ts.
    "**/.mocharc*",
    "**/.nycrc*",
    "**/{karma,protractor,wdio}.conf.{js,cjs,mjs,ts}",
    "tools/**",
    "hack/**",
    "ci/**",
    ".github/**",
    ".gitlab/**",
    ".circleci/**",
    ".devcontainer/**",
    ".vscode/**",
    ".idea/**",
    "**/vendor/**",
    "**/third_party/**",
    "**/third-party/**",
    "**/node_modules/**",
    "**/.storybook/**",
    "**/*.stories.*",
    "**/*.md",
    "**/*.mdx",
    "**/*.rst",
    "**/*.adoc",
    "**/*.example",
    "**/*.example.*",
    "**/*.sample",
    "**/*.sample.*",
    "**/*.template",
    "**/*.tmpl",
    "**/*.dist",
    "**/.env.example",
    "**/openapi*.{json,yaml,yml}",
    "**/swagger*.{json,yaml,yml}",
    "**/CHANGELOG*",
    "**/LICENSE*",
];

const BUILTIN_TEST_DIRS: &[&str] = &[
    "**/test/**",
    "**/tests/**",
    "**/__tests__/**",
    "**/__mocks__/**",
    "**/__fixtures__/**",
    "**/__snapshots__/**",
    "**/spec/**",
    "**/specs/**",
    "**/testdata/**",
    "**/e2e/**",
    "**/cypress/**",
    "**/integration-tests/**",
    "**/integration_tests/**",
    "**/testutil/**",
    "**/testutils/**",
    "**/test_utils/**",
    "**/test-utils/**",
    "**/test-helpers/**",
    "**/test_helpers/**",
    "**/fuzz/**",
    // Cucumber: a top-level features/ folder of Ruby steps, and step
    // definitions anywhere (a JS `src/features/` folder is product code).
    "features/**/*.{rb,feature}",
    "**/features/step_definitions/**",
    "**/features/support/**",
    // Gradle source sets other than main: src/test, src/intTest,
    // src/testFixtures, src/dockerTest, src/integrationTest.
    "**/src/*[Tt]est*/**",
    "**/*.Tests/**",
    "**/*.Test/**",
    "**/*.UnitTests/**",
    "**/*.IntegrationTests/**",
    "**/*.Specs/**",
];

/// Test files recognised by name; each ecosystem's build leaves them out.
const BUILTIN_TEST_FILES: &[&str] = &[
    "**/*_test.go",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*.{test,spec}.{js,jsx,ts,tsx,mjs,cjs,mts,cts}",
    "**/*_spec.rb",
    "**/*_test.rb",
    "**/*{Test,Tests,IT}.{java,kt,scala,groovy}",
    // Spock and Kotest name specifications `*Spec`; in Java it is an ordinary word.
    "**/*Spec.{groovy,kt,scala}",
    "**/tests.py",
    "**/*_tests.py",
    "**/*{Test,Tests}.cs",
    "**/tests.rs",
    "**/*_tests.rs",
    "**/test_helper.rb",
    "**/spec_helper.rb",
    "**/rails_helper.rb",
    // Test-runner setup that Jest, Vitest and Create React App load before the tests.
    "**/setupTests.{js,jsx,ts,tsx}",
    "**/{jest,vitest}.setup.{js,jsx,ts,tsx,mjs,cjs}",
    "**/{jest,vitest}-setup.{js,jsx,ts,tsx,mjs,cjs}",
    "**/{test-setup,testSetup,setup-tests}.{js,jsx,ts,tsx,mjs,cjs}",
];

/// JVM sources under src/main are compiled into the artifact whatever they are called.
const JVM_MAIN: &[&str] = &["**/src/main/**", "src/main/**"];

const BUILTIN_MIGRATIONS: &[&str] = &[
    "**/migrations/**",
    "**/migration/**",
    "**/db/migrate/**",
    "**/alembic/versions/**",
    "**/db/changelog/**",
    "**/liquibase/**",
    // Liquibase master changelogs outside those folders: Liquibase's own
    // default name, and the Dropwizard migrations bundle's default file.
    "**/db.changelog-master.{xml,yaml,yml,json,sql}",
    "**/changelog-master.{xml,yaml,yml,json,sql}",
    "**/src/main/resources/migrations.{xml,yaml,yml,json}",
];

const BUILTIN_SEEDS: &[&str] = &[
    "**/seeds/**",
    "**/seed/**",
    "**/seeders/**",
    "**/seeds.{rb,sql,js,ts,py,php}",
    "**/seed.{rb,sql,js,ts,py,php}",
    "**/*.seed.{sql,json,yaml,yml,js,ts}",
];

const BUILTIN_PRODUCTION_CONFIG: &[&str] = &[
    "**/config/production.*",
    "**/config/prod.*",
    "**/config/environments/production.rb",
    "**/application.{properties,yml,yaml}",
    "**/application-prod*.{properties,yml,yaml}",
    "**/bootstrap.{properties,yml,yaml}",
    "**/settings.py",
    "**/settings/production.py",
    "**/settings/prod.py",
    "**/settings/base.py",
    "**/.env",
    "**/.env.production",
    "**/.env.prod",
    "**/prod.env",
    "**/production.env",
    "**/*.prod.{json,yaml,yml,env,toml,ini}",
    "**/*-prod.{json,yaml,yml,env,toml,ini}",
    "**/*.production.{json,yaml,yml,env,toml,ini}",
    "**/*-production.{json,yaml,yml,env,toml,ini}",
    "**/values-prod*.{yaml,yml}",
    "**/values-production*.{yaml,yml}",
    "**/appsettings.json",
    "**/appsettings.Production.json",
    "**/docker-compose.prod*.{yml,yaml}",
    "**/docker-compose.production*.{yml,yaml}",
    "**/deploy/**/*.{yaml,yml,json,env,properties,toml,ini}",
    "**/deployment/**/*.{yaml,yml,json,env,properties,toml,ini}",
    "**/k8s/**/prod*/**",
    "**/kubernetes/**/prod*/**",
    "**/helm/**/values.{yaml,yml}",
    "**/helm_deploy/**/values.{yaml,yml}",
    "**/charts/**/values.{yaml,yml}",
];

/// Folders of documentation, examples, benchmarks and scripts: not built
/// into the product when they sit outside a source root (`docs/`,
/// `examples/basic/`, `scripts/`). Below one they are ordinary package names:
/// `src/main/java/com/example/demo` is the default package of every Spring
/// Initializr project, and `app/services/samples` is code Rails loads.
const OTHER_FOLDER_NAMES: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "benches",
    "bench",
    "benchmark",
    "benchmarks",
    "scripts",
];

/// Folders whose contents are compiled, bundled or loaded as the product by
/// their ecosystem's build: `src/` (Maven and Gradle `src/main`, most JS/TS
/// and Rust projects), Rails `app/` and `lib/`, Go `internal/`, `pkg/`, `cmd/`.
const SOURCE_ROOTS: &[&str] = &["src", "app", "lib", "internal", "pkg", "cmd"];

/// The documentation, example, benchmark or scripts folder that makes a path
/// "other", if one sits above every source root: the folder names count only
/// until the path enters a source root.
fn other_folder(path: &str) -> Option<&str> {
    let dirs = path.rsplit_once('/')?.0;
    for segment in dirs.split('/') {
        if SOURCE_ROOTS.contains(&segment) {
            return None;
        }
        if OTHER_FOLDER_NAMES.contains(&segment.to_ascii_lowercase().as_str()) {
            return Some(segment);
        }
    }
    None
}

/// Names that mark a configuration file as not-production even in a
/// production location (config/test.yml, application-test.yml, .env.local).
const NON_PRODUCTION_CONFIG_WORDS: &[&str] = &[
    "test", "dev", "local", "example", "sample", "ci", "staging", "stage", "qa", "mock", "demo",
    // Review apps: one short-lived environment per pull request.
    "review", "preview",
];

/// Directory names that mean "this is test material" when they sit inside production code.
const TEST_MARKER_DIRS: &[(&str, &str)] = &[
    ("fixtures", "fixtures directory"),
    ("fixture", "fixtures directory"),
    ("testfixtures", "fixtures directory"),
    ("mocks", "mocks directory"),
    ("mock", "mocks directory"),
    ("fakes", "fakes directory"),
    ("stubs", "stubs directory"),
    ("test-data", "test-data directory"),
    ("test_data", "test-data directory"),
    ("mock-data", "mock-data directory"),
    ("mock_data", "mock-data directory"),
    ("fake-data", "fake-data directory"),
    ("fake_data", "fake-data directory"),
    ("dummy-data", "dummy-data directory"),
    ("dummy_data", "dummy-data directory"),
];

const DATA_EXTENSIONS: &[&str] = &[
    "sql",
    "csv",
    "tsv",
    "json",
    "jsonl",
    "ndjson",
    "yaml",
    "yml",
    "xml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "properties",
    "env",
];

/// Data files that are tooling, not data (and lock files, which are huge).
const NOT_DATA_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "composer.lock",
    "Cargo.lock",
    "tsconfig.json",
    "jsconfig.json",
    ".eslintrc.json",
    ".prettierrc.json",
    "renovate.json",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "codecov.yml",
    ".codecov.yml",
    "mkdocs.yml",
    "lerna.json",
    "turbo.json",
    "babel.config.json",
    ".babelrc",
    "deno.json",
    "project.json",
];

/// Classifies paths for one policy. Build once per scan.
pub struct Classifier {
    policy_other: GlobSet,
    policy_test: GlobSet,
    policy_production: GlobSet,
    policy_exclude: GlobSet,
    builtin_other: GlobSet,
    test_dirs: GlobSet,
    test_files: GlobSet,
    jvm_main: GlobSet,
    migrations: GlobSet,
    seeds: GlobSet,
    production_config: GlobSet,
}

fn glob_set<'a>(patterns: impl IntoIterator<Item = &'a str>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // Built-in patterns are tested; policy patterns were validated on load.
        if let Ok(glob) = compile_glob(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn with_builtin<'a>(builtin: &'a [&'a str], extra: &'a [String]) -> impl Iterator<Item = &'a str> {
    builtin.iter().copied().chain(extra.iter().map(String::as_str))
}

impl Classifier {
    pub fn new(policy: &LeakPolicy) -> Classifier {
        let strs = |list: &[String]| glob_set(list.iter().map(String::as_str));
        Classifier {
            policy_other: strs(&policy.other),
            policy_test: strs(&policy.test),
            policy_production: strs(&policy.production),
            policy_exclude: strs(&policy.exclude),
            builtin_other: glob_set(BUILTIN_OTHER.iter().copied()),
            test_dirs: glob_set(BUILTIN_TEST_DIRS.iter().copied()),
            test_files: glob_set(BUILTIN_TEST_FILES.iter().copied()),
            jvm_main: glob_set(JVM_MAIN.iter().copied()),
            migrations: glob_set(with_builtin(BUILTIN_MIGRATIONS, &policy.migrations)),
            seeds: glob_set(with_builtin(BUILTIN_SEEDS, &policy.seeds)),
            production_config: glob_set(with_builtin(BUILTIN_PRODUCTION_CONFIG, &policy.production_config)),
        }
    }

    /// True when the policy says never to read this path.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.policy_exclude.is_match(path)
    }

    pub fn classify(&self, path: &str) -> PathInfo {
        let (area, test_marker) = self.area(path);
        PathInfo {
            path: path.to_owned(),
            area,
            role: self.role(path, area),
            test_marker,
        }
    }

    fn area(&self, path: &str) -> (Area, Option<&'static str>) {
        if self.policy_other.is_match(path) {
            return (Area::Other, None);
        }
        if self.policy_test.is_match(path) {
            return (Area::Test, None);
        }
        // Documentation, examples and tooling are not built into the product,
        // whatever they contain; only an explicit production glob says otherwise.
        let explicit_production = self.policy_production.is_match(path);
        if !explicit_production && (self.builtin_other.is_match(path) || other_folder(path).is_some()) {
            return (Area::Other, None);
        }
        let named_test = self.test_files.is_match(path);
        let jvm_source = matches!(lang_of(path), Some(Lang::Jvm));
        let support = test_support_module(path);
        if named_test && jvm_source && support.is_none() && self.jvm_main.is_match(path) {
            // The build compiles everything under src/main: a test class there ships.
            return (Area::Production, Some("JVM test class name"));
        }
        if explicit_production {
            let marker = if named_test {
                Some("test file name")
            } else {
                test_marker(path)
            };
            return (Area::Production, marker);
        }
        if self.test_dirs.is_match(path) {
            return (Area::Test, None);
        }
        if support.is_some() {
            return (Area::Other, None);
        }
        if named_test {
            return (Area::Test, None);
        }
        (Area::Production, test_marker(path))
    }

    fn role(&self, path: &str, area: Area) -> Role {
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(manifest) = manifest_of(name) {
            return Role::Manifest(manifest);
        }
        if is_dockerfile(name) {
            return Role::Dockerfile;
        }
        match name {
            ".dockerignore" => return Role::DockerIgnore,
            ".npmignore" => return Role::NpmIgnore,
            _ => {}
        }
        let lang = lang_of(path);
        let ext = extension(name);
        let data = ext.is_some_and(|ext| DATA_EXTENSIONS.contains(&ext)) || name.starts_with(".env");
        if self.migrations.is_match(path) && (data || lang.is_some()) {
            return Role::Migration;
        }
        if self.seeds.is_match(path) && (data || lang.is_some()) {
            return Role::Seed;
        }
        if area == Area::Production && self.production_config.is_match(path) && !names_non_production(name) {
            return Role::ProductionConfig;
        }
        if let Some(lang) = lang {
            return Role::Code(lang);
        }
        if data && !NOT_DATA_FILES.contains(&name) {
            return Role::Data;
        }
        Role::None
    }
}

fn extension(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then_some(ext)
}

pub fn lang_of(path: &str) -> Option<Lang> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match extension(name)? {
        "rs" => Lang::Rust,
        "go" => Lang::Go,
        "py" | "pyi" => Lang::Python,
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" | "vue" | "svelte" => Lang::JavaScript,
        "java" | "kt" | "kts" | "scala" | "groovy" => Lang::Jvm,
        "rb" | "rake" => Lang::Ruby,
        "cs" => Lang::CSharp,
        "php" => Lang::Php,
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" => Lang::C,
        "sql" => Lang::Sql,
        _ => return None,
    })
}

fn manifest_of(name: &str) -> Option<Manifest> {
    Some(match name {
        "package.json" => Manifest::PackageJson,
        "pyproject.toml" => Manifest::PyProject,
        "setup.py" => Manifest::SetupPy,
        "setup.cfg" => Manifest::SetupCfg,
        "Cargo.toml" => Manifest::CargoToml,
        "pom.xml" => Manifest::Pom,
        "build.gradle" | "build.gradle.kts" => Manifest::Gradle,
        "Gemfile" => Manifest::Gemfile,
        _ if is_production_requirements(name) => Manifest::Requirements,
        _ => return None,
    })
}

/// requirements.txt and requirements-prod.txt are production; -dev/-test are
/// not. pip-tools' sources (`requirements.in`, `requirements-base.in`) are
/// what the pinned files are compiled from, so they count the same.
fn is_production_requirements(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt").or_else(|| name.strip_suffix(".in")) else {
        return false;
    };
    stem == "requirements"
        || stem.strip_prefix("requirements").is_some_and(|rest| {
            rest.strip_prefix(['-', '_'])
                .is_some_and(|env| ["prod", "production", "base", "main", "common", "runtime"].contains(&env))
        })
}

fn is_dockerfile(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower == "dockerfile" || lower == "containerfile";
    let variant = lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile");
    (base || variant) && !names_non_production(&lower)
}

fn names_non_production(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| NON_PRODUCTION_CONFIG_WORDS.contains(&word))
}

/// A module that exists for testing: a library's public testing API
/// (`numpy/testing`, `spring-boot-test`, `test-support`) or a test project
/// (`smoke-test`, `system-test`). Its code is neither the product nor the
/// product's tests, so leak checks leave it alone; a policy `production`
/// glob takes precedence. Returns the directory that marks it.
pub fn test_support_module(path: &str) -> Option<&str> {
    const WHOLE: &[&str] = &["testing", "testkit", "testsupport", "testfixtures", "testlib"];
    const WORDS: &[&str] = &["test", "tests", "testkit", "testsupport", "testing"];
    let dirs = path.rsplit_once('/')?.0;
    dirs.split('/').find(|segment| {
        let lower = segment.to_ascii_lowercase();
        if WHOLE.contains(&lower.as_str()) {
            return true;
        }
        let words: Vec<&str> = lower.split(['-', '_', '.']).filter(|w| !w.is_empty()).collect();
        // First or last word only: `spring-boot-jdbc-test`, `test-support`,
        // but not `lab-test-results` (a real product can be about tests).
        words.len() > 1 && [words[0], words[words.len() - 1]].iter().any(|w| WORDS.contains(w))
    })
}

/// Why a production path looks like test material, from its directories or name.
fn test_marker(path: &str) -> Option<&'static str> {
    let mut segments: Vec<&str> = path.split('/').collect();
    let name = segments.pop().unwrap_or(path);
    for segment in segments {
        let lower = segment.to_ascii_lowercase();
        if let Some((_, why)) = TEST_MARKER_DIRS.iter().find(|(dir, _)| *dir == lower) {
            return Some(why);
        }
    }
    let lower = name.to_ascii_lowercase();
    let is_data = extension(&lower).is_some_and(|ext| DATA_EXTENSIONS.contains(&ext));
    if !is_data {
        return None;
    }
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(stem, _)| stem);
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if has("fixture") || has("fixtures") {
        return Some("fixture file name");
    }
    if has("testdata") || (has("test") && has("data")) || has("mock") || has("mocks") || has("fake") || has("dummy") {
        return Some("test-data file name");
    }
    None
}

/// Whether a file name (not path) looks like test data: used for migration
/// and seed folders, where a `test_users.sql` is the police-database case.
pub fn name_looks_like_test_data(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(stem, _)| stem);
    // Split camelCase too: SeedTestUsers.
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, c) in name.char_indices() {
        if i >= stem.len() {
            break;
        }
        if !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && !current.is_empty()) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if !c.is_ascii_alphanumeric() {
                continue;
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    const WORDS: &[(&str, &str)] = &[
        ("test", "`test` in the file name"),
        ("tests", "`test` in the file name"),
        ("testdata", "`testdata` in the file name"),
        ("fixture", "`fixture` in the file name"),
        ("fixtures", "`fixture` in the file name"),
        ("fake", "`fake` in the file name"),
        ("faker", "`fake` in the file name"),
        ("dummy", "`dummy` in the file name"),
        ("mock", "`mock` in the file name"),
        ("mocks", "`mock` in the file name"),
    ];
    words
        .iter()
        .find_map(|word| WORDS.iter().find(|(w, _)| w == word).map(|(_, why)| *why))
}

/// Whether a name that `name_looks_like_test_data` flags does so only by the
/// word `test`, with nothing beside it that says data: `test` is also a
/// domain word (`add_age_for_means_test_purposes`, `test_api_key_type`,
/// `blood_test_results`). `insert_test_users` and `seed_test_data` are not
/// weak: a verb that loads rows or a word for records sits next to it.
pub fn test_data_name_is_weak(name: &str) -> bool {
    const STRONG: &[&str] = &[
        "testdata", "fixture", "fixtures", "fake", "faker", "dummy", "mock", "mocks",
    ];
    const DATA: &[&str] = &[
        "data",
        "user",
        "users",
        "account",
        "accounts",
        "record",
        "records",
        "row",
        "rows",
        "seed",
        "seeds",
        "seeder",
        "seeding",
        "customer",
        "customers",
        "sample",
        "samples",
        "entries",
        "people",
        "person",
        "persons",
        "client",
        "clients",
        "officer",
        "officers",
        "insert",
        "inserts",
        "populate",
        "load",
        "loads",
        "values",
        "dataset",
    ];
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in stem.chars() {
        if !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && !current.is_empty()) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if !c.is_ascii_alphanumeric() {
                continue;
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    let has_test = words.iter().any(|w| w == "test" || w == "tests");
    let strong = words.iter().any(|w| STRONG.contains(&w.as_str()));
    let data = words.iter().any(|w| DATA.contains(&w.as_str()));
    has_test && !strong && !data
}

#[cfg(test)]
mod tests;
