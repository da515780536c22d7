//! LG4xx: test material leaking into production (`livegate scan`): 41x placement,
//! 42x references, 43x content, 44x packaging, 45x configuration, 49x suppressions.

use super::{CheckMeta, Severity};

pub const JVM_TEST_CLASS_IN_MAIN: CheckMeta = CheckMeta {
    code: "LG411",
    id: "jvm-test-class-in-main",
    severity: Severity::Error,
    summary: "A JVM test class lives under src/main and is compiled into the artifact",
    what: "A Java, Kotlin, Scala or Groovy source under `src/main/` whose name marks it as a test \
           (`*Test`, `*Tests`, `*IT`, `*Spec`).",
    why: "Maven and Gradle compile everything under src/main into the shipped jar. A test class there \
          ships test code, and usually its fixtures and test-only dependencies, to production.",
    example: "src/main/java/com/acme/billing/InvoiceServiceTest.java",
    fix: "Move the class to src/test/ (same package), so that the build keeps it out of the artifact.",
};

pub const TEST_FILE_IN_PRODUCTION: CheckMeta = CheckMeta {
    code: "LG412",
    id: "test-file-in-production",
    severity: Severity::Warning,
    summary: "Test fixtures, mocks or test data sit inside a production path",
    what: "A file inside a production path that is test material by its directory (`fixtures/`, \
           `mocks/`, `fakes/`, `stubs/`, `test-data/`) or by its name (`users.fixture.json`, \
           `mock_customers.csv`), outside every test directory and not excluded by its ecosystem's build \
           (Go `testdata/` and `_test.go`, Jest `__mocks__`, and test directories are not reported).",
    why: "Whatever sits in a production path is packaged, deployed or loaded with it. Test data next to \
          production code is one refactor away from being read by it.",
    example: "src/main/resources/fixtures/customers.json",
    fix: "Move the file under a test directory (tests/, src/test/, spec/, testdata/); if it is real \
          reference data, rename it so it no longer claims to be a fixture, or allow it in the policy \
          with a reason.",
};

pub const TEST_FILE_IN_MIGRATIONS: CheckMeta = CheckMeta {
    code: "LG413",
    id: "test-file-in-migrations",
    severity: Severity::Error,
    summary: "A test-looking file sits in a migration or seed folder that runs against live databases",
    what: "A file in a migration folder (`migrations/`, `db/migrate/`, Flyway, Liquibase, Alembic) or a \
           seed folder whose name says test, fixture, fake, dummy or mock.",
    why: "Migration and seed folders run against the live database on deploy. This is how test data \
          reached the UK Police National Database in 2020.",
    example: "db/migrate/20240101120000_insert_test_users.rb",
    fix: "Move test data loading into the test suite's setup (fixtures loaded by tests only), or into a \
          seed that runs only outside production, and remove the migration before it is deployed. If the \
          rows already reached production, plan a corrective migration.",
};

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

pub const MIGRATION_LOADS_TEST_DATA: CheckMeta = CheckMeta {
    code: "LG415",
    id: "migration-loads-test-data",
    severity: Severity::Error,
    summary: "A migration loads rows from a test fixture or a test-data folder",
    what: "A migration that loads a data file whose folder or name marks it as test data: Django \
           `call_command(\"loaddata\", \"test_users.json\")`, a Liquibase `loadData`/`sqlFile` or a SQL \
           `COPY … FROM` naming `test-seeds/`, `testdata/` or `dummy_users.csv`. A fixture whose name \
           says nothing is a note (it may be reference data); a migration guarded by the environment \
           (`if settings.DEBUG`, Liquibase `context=\"dev\"`) is a note naming the guard.",
    why: "Migrations run against the live database on deploy. Loading a test fixture there puts test \
          records into production even when no single value in them is a reserved one.",
    example: "call_command(\"loaddata\", \"test_claimants.json\")   # claims/migrations/0031_load.py",
    fix: "Load test fixtures from the test suite's setup; if the rows are reference data, give the file a \
          name and folder that say so.",
};

pub const EMBEDS_TEST_FILE: CheckMeta = CheckMeta {
    code: "LG421",
    id: "production-code-embeds-test-file",
    severity: Severity::Error,
    summary: "Production code embeds a file from a test directory into the build",
    what: "`include_str!`, `include_bytes!` or `include!` of a tests/, testdata/ or fixtures path in Rust \
           code outside `#[cfg(test)]`; `//go:embed` of testdata in non-test Go files; a C/C++ \
           `#include` of a test header.",
    why: "Embedding copies the file into the compiled binary: the fixture ships to production with \
          every build.",
    example: "static SEED: &str = include_str!(\"../tests/fixtures/users.json\");",
    fix: "Move the data into the production source tree under a name that says what it is, or move the \
          code that embeds it under `#[cfg(test)]` / a `_test.go` file.",
};

pub const IMPORTS_TEST_CODE: CheckMeta = CheckMeta {
    code: "LG422",
    id: "production-code-imports-test-code",
    severity: Severity::Error,
    summary: "Production code imports test code, mocks or a test-only library",
    what: "A relative JavaScript/TypeScript import of test/, __mocks__/, fixtures/ or a *.test/*.spec \
           module; a Python import of a `tests` package or `conftest`; Ruby `require_relative` into \
           spec/ or test/, or of spec_helper/test_helper. (Imports of test-only libraries are LG425.) \
           Modules that are themselves test tooling (a `*-test` or `testing` module) are not reported. \
           Smoke tests (a module named `smoke`, `smoketest(s)` or `smoke_test(s)`, outside fixture and \
           factory folders) are a warning: they are written to run against the live system, and a \
           status page that runs them is often deliberate.",
    why: "Whatever production code imports is bundled and executed in production: a mock or fixture \
          imported there replaces real behaviour or real data in the live system.",
    example: "import { fakeCustomer } from '../__mocks__/customers';   // src/billing/invoice.ts",
    fix: "Move the shared code out of the test tree into a production module, or stop importing it \
          from production code.",
};

pub const OPENS_TEST_PATH: CheckMeta = CheckMeta {
    code: "LG423",
    id: "production-code-opens-test-path",
    severity: Severity::Warning,
    summary: "Production code refers to a path inside the test tree",
    what: "A string literal in production code naming a path under src/test/, tests/fixtures/, \
           test/fixtures/, spec/fixtures/, testdata/, test-data/ or __fixtures__/.",
    why: "Code that opens test fixtures by path reads test data at run time, or breaks when the test \
          tree is not deployed.",
    example: "with open(\"tests/fixtures/tariffs.csv\") as f:   # app/pricing.py",
    fix: "Ship the data as a production resource with its own name and read it from there.",
};

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

pub const PRODUCTION_CODE_USES_TEST_LIBRARY: CheckMeta = CheckMeta {
    code: "LG425",
    id: "production-code-uses-test-library",
    severity: Severity::Error,
    summary: "Production code imports or calls a test-only library (JUnit, Mockito, pytest, factory_bot, sinon, testify, ...)",
    what: "An import, require or call of a test framework, mocking library, fake-data generator or \
           test-support package in production code, parsed per language so that comments, strings, \
           docstrings and test code do not count: Java/Kotlin `import org.junit…`, `org.mockito…`, \
           `org.assertj…`, `org.springframework.test…`, `org.testcontainers…`; Python `import pytest`, \
           `from unittest import mock`, `import factory` (factory_boy), `from faker import …`, \
           `model_bakery`/`model_mommy`; Ruby `require \"factory_bot\"`, `FactoryBot.create`, `Faker::`; \
           JS/TS `import … from \"sinon\"|\"jest\"|\"@testing-library/…\"|\"nock\"`, `require(\"sinon\")`; \
           Go imports of `testing`, `net/http/httptest`, testify, gomock, or a test-support package \
           (`…/testutil`, `…/mocks`, `<pkg>test`). Severity: error in shipped code; warning for rake \
           tasks, management commands and Python CLI command modules, which run only when invoked; \
           note when the file is guarded by the environment (`return if Rails.env.production?`, `@Profile(\"!prod\")`) or is a testing \
           helper by name (`factories.py`, `rspec_matchers.rb`).",
    why: "Whatever production code imports runs in production: a mock replaces real behaviour, a \
          factory or faker writes invented records into live data, and the test library itself must \
          then ship with the service.",
    example: "import org.mockito.Mockito;   // src/main/java/com/example/demo/PaymentClient.java",
    fix: "Move the code that needs the library into the test tree (src/test, spec/, tests/, a _test.go \
          file), or guard seed and demo code by environment so that it cannot run in production.",
};

meta!(
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

meta!(
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

meta!(
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

meta!(
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

meta!(
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

meta!(
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

meta!(
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

meta!(
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

pub const DOCKERFILE_COPIES_TESTS: CheckMeta = CheckMeta {
    code: "LG441",
    id: "dockerfile-copies-tests",
    severity: Severity::Error,
    summary: "The production stage of a Dockerfile copies or writes test files into the image",
    what: "A `COPY` or `ADD` whose source is a test path (tests/, spec/, src/test/, fixtures/, testdata/, \
           cypress/, *.test.*), a heredoc or a `RUN` redirection that writes to one, in the stage that \
           becomes the production image or a stage it is built `FROM`. The production stage is the \
           `--target` a workflow, compose file or Makefile builds (test-named targets such as `test` or \
           `ci` excepted), else a stage named `production`, `prod`, `release`, `runtime` or `live`, else \
           the last stage; when the last stage is a CI test stage, the stage before it is taken and the \
           finding is a warning. The finding names this evidence. `# escape=` and heredocs are read as \
           Docker reads them.",
    why: "The production stage is what runs in production: test fixtures copied there are deployed, and \
          test code may be loaded by the application or its framework.",
    example: "FROM python:3.12-slim AS production\nCOPY app/ /app/\nCOPY tests/ /app/tests/\n\nFROM production AS test\nRUN pytest",
    fix: "Copy tests only into a build or test stage (`FROM base AS test`), never into the stage that ships.",
};

pub const DOCKER_CONTEXT_INCLUDES_TESTS: CheckMeta = CheckMeta {
    code: "LG442",
    id: "docker-context-includes-tests",
    severity: Severity::Warning,
    summary: "`COPY . .` in the production stage while .dockerignore lets existing test directories in",
    what: "The production stage (see LG441) copies the whole build context (`COPY . .` or `ADD . /app`) \
           and the context's .dockerignore does not exclude test directories that exist in it. The \
           context is the one a workflow, compose file or Makefile builds with; without one, the \
           Dockerfile's folder when it has its own .dockerignore or tests, else the repository root.",
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

pub const DEBUG_MODE_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG451",
    id: "debug-mode-in-production-config",
    severity: Severity::Error,
    summary: "Debug or development mode is switched on in production configuration",
    what: "`DEBUG = True`, `debug: true`, `APP_DEBUG=true`, `NODE_ENV=development`, \
           `consider_all_requests_local = true` and their kin in a production configuration file \
           (config/production.*, application.yml, settings.py, .env.production, deploy/**, \
           values-prod.yaml and the policy's `production-config` globs). A Django settings module \
           that the repository's own `DJANGO_SETTINGS_MODULE` selection never reaches, directly or \
           through a settings import, is a warning that names that selection.",
    why: "Debug modes print stack traces, settings and sometimes secrets to any visitor, and disable \
          production safeguards.",
    example: "DEBUG = True   # settings/production.py",
    fix: "Turn it off in production configuration, or read it from the environment with a safe default \
          (`DEBUG = os.environ.get(\"DEBUG\") == \"1\"`).",
};

pub const TEST_MODE_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG452",
    id: "test-mode-in-production-config",
    severity: Severity::Error,
    summary: "A test profile, test environment or payment sandbox is selected in production configuration",
    what: "`TESTING = True`, `spring.profiles.active: test`, `RAILS_ENV=test`, `NODE_ENV=test`, \
           Braintree `environment: sandbox`, PayPal `mode: sandbox` in production configuration.",
    why: "A production system running a test profile loads test beans, test data sources and stubs; a \
          payment sandbox in production takes orders it never charges.",
    example: "spring.profiles.active=test   # src/main/resources/application.properties",
    fix: "Select the production profile/environment, and keep test profiles in test resources.",
};

pub const IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG453",
    id: "in-memory-datastore-in-production-config",
    severity: Severity::Error,
    summary: "Production configuration points at an in-memory test database",
    what: "`jdbc:h2:mem:`, `jdbc:hsqldb:mem:`, `jdbc:derby:memory:`, SQLite `:memory:` and similar \
           datastore URLs in production configuration.",
    why: "An in-memory database loses every write on restart: production data silently vanishes, and \
          the configuration is plainly a test one.",
    example: "spring.datasource.url=jdbc:h2:mem:testdb",
    fix: "Point production at the real datastore (from the environment or secret store); keep the \
          in-memory URL in the test configuration.",
};

pub const TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG454",
    id: "test-payment-key-in-production-config",
    severity: Severity::Error,
    summary: "A payment test key or sandbox endpoint is in production configuration",
    what: "Stripe `sk_test_`, `pk_test_`, `rk_test_` keys and the PayPal sandbox API host in production \
           configuration.",
    why: "With test keys the live shop takes orders that are never charged; and a committed key is a \
          leaked secret either way.",
    example: "STRIPE_SECRET_KEY=sk_test_51Hx...   # .env.production",
    fix: "Load live keys from the secret store at deploy time; never commit keys, test or live.",
};

pub const TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG455",
    id: "test-data-location-in-production-config",
    severity: Severity::Error,
    summary: "Production configuration points database migrations at a test-data folder",
    what: "Flyway `locations` or Liquibase `change-log`/`changeLogFile` in production configuration \
           (application-prod*, production Helm values, `SPRING_FLYWAY_LOCATIONS`) naming a test-data \
           folder or changelog: `classpath:db/testdata`, `src/test/resources/db`, \
           `db/changelog/test-changelog.xml`.",
    why: "Migrations run against the live database on deploy: a test-data location there loads the test \
          rows into production, which is the 2020 UK Police National Database incident.",
    example: "spring.flyway.locations=classpath:db/migration,classpath:db/testdata   # application-prod.properties",
    fix: "Keep test-data locations in the test profile (application-test.yml, src/test/resources) and \
          list only production migrations in production configuration.",
};

pub const TEST_ENVIRONMENT_HOST_IN_PRODUCTION_CONFIG: CheckMeta = CheckMeta {
    code: "LG456",
    id: "test-environment-host-in-production-config",
    severity: Severity::Error,
    summary: "Production configuration points at a host of a test environment",
    what: "A URL or JDBC address in a file named for production (`values-prod.yaml`, `*-production.yaml`, \
           `application-prod.yml`, `.env.production`, `config/production.rb`) whose host has a label or \
           label word naming a non-production environment: `staging`, `stg`, `test`, `testing`, `dev`, \
           `development`, `uat`, `qa`, `sandbox`, `preprod` (`api-staging.example.gov.uk`, \
           `svc.app-uat.svc.cluster.local`). The top-level domain is not judged (`pkg.go.dev`).",
    why: "Production then talks to a test environment: live users' requests and personal data go to a \
          service with test data, weaker controls and other people's access, and production behaviour \
          depends on whatever is deployed to staging that day.",
    example: "cfe:\n  host: http://cfe-civil.cfe-civil-staging.svc.cluster.local   # values/app-production.yaml",
    fix: "Point production at production's host; keep test-environment hosts in that environment's \
          values file.",
};

pub const UNUSED_ALLOW_ENTRY: CheckMeta = CheckMeta {
    code: "LG491",
    id: "unused-allow-entry",
    severity: Severity::Warning,
    summary: "A [[leaks.allow]] entry in the policy matched no finding",
    what: "An allow entry whose path glob and code suppressed nothing in this scan.",
    why: "Stale allow entries hide future findings at that path: the exception outlives the reason it \
          was granted for.",
    example: "[[leaks.allow]]\npath = \"src/demo/seed.sql\"   # the file was deleted\ncode = \"LG431\"\nreason = \"demo data\"",
    fix: "Delete the entry, or correct its path glob or code. (A --diff or --staged scan looks at part of \
          the tree, so it does not report unused entries.)",
};

pub const SUPPRESSION_WITHOUT_REASON: CheckMeta = CheckMeta {
    code: "LG492",
    id: "suppression-without-reason",
    severity: Severity::Warning,
    summary: "An inline `livegate: allow` comment gives no reason, so it suppresses nothing",
    what: "A `livegate: allow LGxxx` comment without `-- reason`, or naming a code that does not exist.",
    why: "A reviewer must be able to see why test-looking data is meant to be there; a bare allow is \
          indistinguishable from someone silencing the tool.",
    example: "INSERT INTO cards VALUES ('4111111111111111'); -- livegate: allow LG431",
    fix: "Add the reason after two dashes: `livegate: allow LG431 -- sandbox card for the demo tenant`.",
};

pub const SUBMODULE_NOT_SCANNED: CheckMeta = CheckMeta {
    code: "LG493",
    id: "submodule-not-scanned",
    severity: Severity::Note,
    summary: "A submodule changed; its content is another repository's and was not scanned",
    what: "A --diff, --staged or pre-push scan met a submodule (gitlink) that was added or moved to \
           another commit. The note names the submodule path and both commits.",
    why: "The scan only reads this repository's objects. Saying nothing would read as \"checked\" for \
          content nobody looked at.",
    example: "git -C vendor/lib checkout v2 && git add vendor/lib && livegate scan --staged",
    fix: "Scan the submodule's own range in the submodule (`livegate scan --diff OLD..NEW` inside it), \
          or gate the submodule repository with livegate itself.",
};

pub const FINDINGS_CAPPED: CheckMeta = CheckMeta {
    code: "LG494",
    id: "more-findings-in-file",
    severity: Severity::Note,
    summary: "A file has more findings than are listed; the note counts the rest",
    what: "At most 100 findings are listed per file (the most severe first); this note says how many \
           more the file has.",
    why: "A generated file full of test values would otherwise make a report that grows with the \
          square of its size; the count keeps the rest visible.",
    example: "a 140 KB one-line migration inserting thousands of `@example.com` addresses",
    fix: "Fix the listed findings and scan again; the rest are then listed.",
};
