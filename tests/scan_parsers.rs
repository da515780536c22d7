//! The Dockerfile and pom.xml readers end to end: the binary on real git
//! repositories in temp dirs, full scans and `--diff` ranges.

mod support;

use support::{livegate, TestRepo};

const NODE_DOCKERFILE: &str = "FROM node:22-alpine AS base\nWORKDIR /app\n\n\
FROM base AS build\nCOPY . .\nRUN npm ci && npm run build\n\n\
FROM base AS production\nCOPY --from=build --chown=appuser:appgroup \\\n        /app/package.json ./\n\
COPY --from=build --chown=appuser:appgroup \\\n        /app/dist ./dist\nUSER 2000\nCMD [\"npm\", \"start\"]\n";

/// Leak 38's shape: the production stage gains a copy of integration-test
/// seed data while a CI test stage is added after it, so it is no longer last.
#[test]
fn diff_finds_a_copy_in_a_production_stage_that_is_not_last() {
    let repo = TestRepo::new();
    repo.write("Dockerfile", NODE_DOCKERFILE)
        .write("integration-tests/db/seed.js", "module.exports = []\n")
        .write(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build --target test .\n",
        );
    let base = repo.commit("base");
    let changed = NODE_DOCKERFILE.replace(
        "USER 2000\n",
        "# seed data for the dev reset job\nCOPY --from=build --chown=appuser:appgroup \\\n        /app/integration-tests/db ./integration-tests/db\nUSER 2000\n",
    ) + "\n# Stage: unit tests, built by CI with --target test\nFROM build AS test\nRUN npm test\n";
    repo.write("Dockerfile", &changed);
    repo.commit("seed data in the image");
    let run = livegate(
        repo.path(),
        &["scan", "--diff", &format!("{}..HEAD", base.trim()), "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.found(),
        [("LG441".to_owned(), "Dockerfile".to_owned(), 14)],
        "{}",
        run.stdout
    );
    let finding = &run.json()["findings"][0];
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("stage `production`, named for production"),
        "{message}"
    );
}

/// Regression (issue 16): a Dockerfile with `# escape=`` whose continued
/// COPY brings tests/ in passed unreported.
#[test]
fn backtick_escape_continuation_is_read_as_docker_reads_it() {
    let repo = TestRepo::new();
    repo.write(
        "Dockerfile",
        "# escape=`\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nWORKDIR C:\\app\nCOPY --chown=ContainerUser `\n     tests/ C:\\app\\tests\\\nCOPY bin/ C:\\app\\\n",
    )
    .write("tests/Smoke.cs", "class Smoke {}\n");
    repo.commit("windows image");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.found(),
        [("LG441".to_owned(), "Dockerfile".to_owned(), 4)],
        "{}",
        run.stdout
    );
}

/// A pom.xml that is not XML cannot be checked: "could not verify", exit 3,
/// at the line where the parser stopped; never a pass or a panic.
#[test]
fn malformed_pom_is_not_verifiable() {
    let repo = TestRepo::new();
    repo.write(
        "pom.xml",
        "<project>\n  <artifactId>shop</artifactId>\n  <dependencies>\n    <dependency>\n      <artifactId>mockito-core</artifactId>\n  </dependencies>\n</project>\n",
    );
    repo.commit("broken pom");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    assert_eq!(
        run.found(),
        [("LG904".to_owned(), "pom.xml".to_owned(), 6)],
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
}
