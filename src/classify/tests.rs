use super::*;

fn classify(path: &str) -> PathInfo {
    Classifier::new(&LeakPolicy::default()).classify(path)
}

#[test]
fn builtin_glob_patterns_all_compile() {
    for list in [
        BUILTIN_OTHER,
        BUILTIN_TEST_DIRS,
        BUILTIN_TEST_FILES,
        JVM_MAIN,
        BUILTIN_MIGRATIONS,
        BUILTIN_SEEDS,
        BUILTIN_PRODUCTION_CONFIG,
    ] {
        for pattern in list {
            assert!(compile_glob(pattern).is_ok(), "{pattern}");
        }
    }
}

#[test]
fn areas_per_ecosystem() {
    let cases = [
        ("src/lib.rs", Area::Production),
        ("tests/cli.rs", Area::Test),
        ("src/parser/tests.rs", Area::Test),
        ("benches/scan.rs", Area::Other),
        ("pkg/server/handler.go", Area::Production),
        ("pkg/server/handler_test.go", Area::Test),
        ("pkg/server/testdata/req.json", Area::Test),
        ("requests/models.py", Area::Production),
        ("tests/test_models.py", Area::Test),
        ("mypkg/test_utils.py", Area::Test),
        ("conftest.py", Area::Test),
        ("src/Button.tsx", Area::Production),
        ("src/Button.test.tsx", Area::Test),
        ("src/__tests__/Button.tsx", Area::Test),
        ("packages/core/test/fixtures/a.js", Area::Test),
        ("src/main/java/a/Service.java", Area::Production),
        ("src/test/java/a/ServiceTest.java", Area::Test),
        ("app/models/user.rb", Area::Production),
        ("spec/models/user_spec.rb", Area::Test),
        ("src/Api/Controller.cs", Area::Production),
        ("src/Api.Tests/ControllerTests.cs", Area::Test),
        ("docs/index.md", Area::Other),
        ("examples/basic/main.go", Area::Other),
        (".github/workflows/ci.yml", Area::Other),
        ("vendor/lib/a.go", Area::Other),
        ("README.md", Area::Other),
        (".env.example", Area::Other),
        ("db/migrate/20240101_create_users.rb", Area::Production),
    ];
    for (path, area) in cases {
        assert_eq!(classify(path).area, area, "{path}");
    }
}

#[test]
fn a_librarys_public_testing_api_is_not_test_code() {
    // numpy/testing and spring-boot-test are shipped APIs for tests: neither
    // the product (no leak findings) nor its tests.
    for path in [
        "numpy/testing/utils.py",
        "core/spring-boot-test/src/main/java/org/acme/SpringBootTest.java",
        "test-support/acme-test-support/src/main/java/org/acme/Assert.java",
        "smoke-test/app/src/main/resources/application.yml",
    ] {
        assert_eq!(classify(path).area, Area::Other, "{path}");
    }
    // A product about tests keeps its area; a policy production glob wins.
    assert_eq!(classify("services/lab-test-results/src/main.rs").area, Area::Production);
    assert_eq!(classify("src/main/java/acme/contest/Entry.java").area, Area::Production);
}

#[test]
fn gradle_source_sets_and_python_test_modules() {
    for path in [
        "core/x/src/testFixtures/java/acme/Mock.java",
        "x/src/intTest/java/acme/Build.java",
        "x/src/dockerTest/resources/compose.yaml",
        "accounts/tests.py",
        "accounts/model_tests.py",
    ] {
        assert_eq!(classify(path).area, Area::Test, "{path}");
    }
    assert_eq!(classify("src/main/java/acme/CacheSpec.java").area, Area::Production);
    assert_eq!(classify("src/main/java/acme/CacheSpec.java").test_marker, None);
    assert_eq!(classify("yarn.config.cjs").area, Area::Other);
    assert_eq!(classify("documentation/guide/src/main/java/A.java").area, Area::Other);
}

#[test]
fn roles() {
    assert_eq!(classify("db/migrate/20240101_create_users.rb").role, Role::Migration);
    assert_eq!(
        classify("src/main/resources/db/migration/V1__init.sql").role,
        Role::Migration
    );
    assert_eq!(classify("db/seeds.rb").role, Role::Seed);
    assert_eq!(classify("config/production.yml").role, Role::ProductionConfig);
    assert_eq!(
        classify("src/main/resources/application.properties").role,
        Role::ProductionConfig
    );
    assert_eq!(
        classify("src/main/resources/application-test.properties").role,
        Role::Data
    );
    assert_eq!(classify("config/test.yml").role, Role::Data);
    assert_eq!(classify("mysite/settings.py").role, Role::ProductionConfig);
    assert_eq!(classify("data/customers.csv").role, Role::Data);
    assert_eq!(classify("package-lock.json").role, Role::None);
    assert_eq!(classify("package.json").role, Role::Manifest(Manifest::PackageJson));
    assert_eq!(
        classify("requirements.txt").role,
        Role::Manifest(Manifest::Requirements)
    );
    assert_eq!(classify("requirements-dev.txt").role, Role::None);
    assert_eq!(classify("Dockerfile").role, Role::Dockerfile);
    assert_eq!(classify("deploy/api.Dockerfile").role, Role::Dockerfile);
    assert_eq!(classify("Dockerfile.test").role, Role::None);
    assert_eq!(classify(".dockerignore").role, Role::DockerIgnore);
    assert_eq!(classify("src/app.py").role, Role::Code(Lang::Python));
}

#[test]
fn policy_globs_come_first() {
    let policy = LeakPolicy {
        production: vec!["site/**".to_owned()],
        test: vec!["qa/**".to_owned()],
        other: vec!["src/generated/**".to_owned()],
        exclude: vec!["big/**".to_owned()],
        ..LeakPolicy::default()
    };
    let classifier = Classifier::new(&policy);
    assert_eq!(classifier.classify("qa/helpers.py").area, Area::Test);
    assert_eq!(classifier.classify("src/generated/a.rs").area, Area::Other);
    // Policy production overrides the built-in `docs`-like guesses, and test
    // markers inside it are still reported.
    let info = classifier.classify("site/fixtures/users.json");
    assert_eq!(
        (info.area, info.test_marker),
        (Area::Production, Some("fixtures directory"))
    );
    assert!(classifier.is_excluded("big/data.csv"));
}

#[test]
fn test_data_names() {
    assert!(name_looks_like_test_data("V3__insert_test_users.sql").is_some());
    assert!(name_looks_like_test_data("SeedTestUsers.php").is_some());
    assert!(name_looks_like_test_data("0004_fake_accounts.py").is_some());
    assert!(name_looks_like_test_data("0004_contest.py").is_none());
    assert!(name_looks_like_test_data("0005_latest_rates.sql").is_none());
    assert!(name_looks_like_test_data("20240101_attestations.rb").is_none());
}

/// Regression: a folder named `example`, `samples`, `docs` or `scripts` made
/// everything below it "other", even inside a source root, so the default
/// package of a Spring Initializr project was never checked.
#[test]
fn folder_names_below_a_source_root_are_package_names() {
    let cases = [
        ("src/main/java/com/example/demo/DemoApplication.java", Area::Production),
        ("src/main/resources/db/migration/V1__init.sql", Area::Production),
        (
            "billing/src/main/kotlin/org/example/billing/Ledger.kt",
            Area::Production,
        ),
        ("app/services/samples/sample_loader.rb", Area::Production),
        ("internal/docs/render.go", Area::Production),
        ("src/scripts/bootstrap.ts", Area::Production),
        // Above every source root the names still mean what they say.
        ("docs/src/conf.py", Area::Other),
        ("examples/app/main.go", Area::Other),
        ("samples/petclinic/src/main/java/Owner.java", Area::Other),
        ("scripts/release.sh", Area::Other),
        ("packages/docs/pages/index.tsx", Area::Other),
        ("benches/scan.rs", Area::Other),
    ];
    for (path, area) in cases {
        assert_eq!(classify(path).area, area, "{path}");
    }
    assert_eq!(
        classify("src/main/java/com/example/demo/DemoApplication.java").role,
        Role::Code(Lang::Jvm)
    );
}

#[test]
fn cucumber_features_are_test_code_but_js_feature_folders_are_not() {
    assert_eq!(classify("features/step_definitions/visit_steps.rb").area, Area::Test);
    assert_eq!(classify("features/booking.feature").area, Area::Test);
    assert_eq!(classify("features/support/env.rb").area, Area::Test);
    assert_eq!(classify("src/features/booking/slice.ts").area, Area::Production);
}

#[test]
fn pip_tools_sources_production_named_values_and_master_changelogs() {
    for name in ["requirements.in", "requirements-base.in", "requirements_prod.txt"] {
        assert_eq!(classify(name).role, Role::Manifest(Manifest::Requirements), "{name}");
    }
    for name in ["requirements-testing.in", "requirements-dev.in", "requirements.txt.bak"] {
        assert_eq!(classify(name).role, Role::None, "{name}");
    }
    assert_eq!(
        classify("helm_deploy/app/values/ccq-production.yaml").role,
        Role::ProductionConfig
    );
    assert_eq!(
        classify("helm_deploy/cla-backend/values.yaml").role,
        Role::ProductionConfig
    );
    assert_eq!(classify("src/main/resources/migrations.xml").role, Role::Migration);
    assert_eq!(
        classify("src/main/resources/db/db.changelog-master.yaml").role,
        Role::Migration
    );
}

/// Real-world false alarms (18F/identity-idp): the mocha configuration was
/// production code (LG425 "uses mocha"), and a review-app image was judged
/// as production's.
#[test]
fn test_runner_configuration_and_review_app_dockerfiles_are_not_production() {
    for path in [
        ".mocharc.js",
        "web/.mocharc.cjs",
        ".nycrc.json",
        "karma.conf.js",
        "e2e/wdio.conf.ts",
    ] {
        assert_eq!(classify(path).area, Area::Other, "{path}");
    }
    assert_eq!(classify("dockerfiles/idp_review_app.Dockerfile").role, Role::None);
    assert_eq!(classify("Dockerfile.preview").role, Role::None);
    assert_eq!(classify("dockerfiles/idp_production.Dockerfile").role, Role::Dockerfile);
    assert_eq!(classify("app/services/review_service.rb").area, Area::Production);
}
