//! `-q/--quiet`, `-v/--verbose`, `--statistics`, `audit --group-by` and the
//! audit's plain progress lines: the flags are accepted by every command and
//! change the output as the README says.

mod support;

use std::path::Path;

use serde_json::Value;
use support::fake_github::{FakeGitHub, Repo, Scenario};
use support::{livegate, livegate_env, Run, TestRepo};

/// A repository whose production paths use test data: several findings of
/// several checks.
fn leaky_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "src/app.py",
        "from tests.factories import make_user\n\ndef main():\n    return make_user()\n",
    )
    .write(
        "tests/factories.py",
        "def make_user():\n    return {'email': 'jane@example.com'}\n",
    )
    .write(
        "db/migrations/0003_insert_test_users.sql",
        "INSERT INTO users VALUES (1);\n",
    )
    .write("config/production.yml", "app:\n  debug: true\n");
    repo.commit("init");
    repo
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", run.stdout, run.stderr))
}

/// The last line of a human report: `livegate <command>: N errors, ...: verdict`.
fn has_summary_line(text: &str, command: &str) -> bool {
    text.lines().any(|l| l.starts_with(&format!("livegate {command}: ")))
}

#[test]
fn quiet_and_verbose_together_are_a_usage_error_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 10] = [
        &["scan"],
        &["protect", "--repo", "acme/api"],
        &["audit", "--repo", "acme/api"],
        &["pr", "--repo", "acme/api", "--number", "1"],
        &["deploy", "--environment", "production"],
        &["hook", "install"],
        &["checks"],
        &["explain", "LG101"],
        &["policy", "show"],
        &["completions", "bash"],
    ];
    for command in commands {
        for (before, after) in [(vec!["-q", "-v"], vec![]), (vec!["--quiet"], vec!["--verbose"])] {
            let mut args = before.clone();
            args.extend_from_slice(command);
            args.extend(after.iter().copied());
            let run = livegate(dir.path(), &args);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.contains("cannot be used with"),
                "{args:?}: clap names the conflict: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{args:?}");
        }
    }
}

#[test]
fn informational_commands_accept_both_flags_and_print_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        &["checks"][..],
        &["explain", "LG101"],
        &["policy", "show", "--preset", "strict"],
    ] {
        let plain = livegate(dir.path(), command);
        assert_eq!(plain.code, 0, "{command:?}: {}", plain.stderr);
        for flag in ["-q", "-v", "--quiet", "--verbose"] {
            let mut args = command.to_vec();
            args.push(flag);
            let run = livegate(dir.path(), &args);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            assert_eq!(
                run.stdout, plain.stdout,
                "{args:?}: what was asked for is printed either way"
            );
        }
    }
}

#[test]
fn scan_quiet_keeps_only_the_findings_and_verbose_explains_the_run() {
    let repo = leaky_repo();
    let normal = livegate(repo.path(), &["scan", "--color", "never"]);
    assert_eq!(normal.code, 1, "{}", normal.stderr);
    assert!(has_summary_line(&normal.stdout, "scan"), "{}", normal.stdout);
    assert!(normal.stderr.is_empty(), "{}", normal.stderr);

    let quiet = livegate(repo.path(), &["-q", "scan", "--color", "never"]);
    assert_eq!(quiet.code, 1, "the verdict does not change");
    assert!(!has_summary_line(&quiet.stdout, "scan"), "{}", quiet.stdout);
    assert_eq!(
        quiet.stdout.matches("[LG").count(),
        normal.stdout.matches("[LG").count(),
        "every finding is still shown:\n{}",
        quiet.stdout
    );

    // Writing a baseline is said, except with -q.
    let elsewhere = tempfile::tempdir().unwrap();
    let (b1, b2) = (elsewhere.path().join("b1.json"), elsewhere.path().join("b2.json"));
    let wrote = livegate(repo.path(), &["scan", "--write-baseline", b1.to_str().unwrap()]);
    assert!(wrote.stderr.contains("livegate: wrote "), "{}", wrote.stderr);
    let quietly = livegate(repo.path(), &["scan", "-q", "--write-baseline", b2.to_str().unwrap()]);
    assert_eq!(quietly.stderr, "");
    assert!(b2.exists());

    let verbose = livegate(repo.path(), &["scan", "-v", "--color", "never"]);
    assert_eq!(verbose.code, 1);
    assert_eq!(verbose.stdout, normal.stdout, "-v talks on standard error only");
    assert!(verbose.stderr.contains("livegate: policy: "), "{}", verbose.stderr);
    assert!(
        verbose.stderr.contains("livegate: scan: 4 files seen"),
        "{}",
        verbose.stderr
    );
    assert!(
        verbose.stderr.contains("livegate: scan: 0 skipped as binary"),
        "{}",
        verbose.stderr
    );
}

#[test]
fn scan_statistics_count_per_check_in_human_and_json() {
    let repo = leaky_repo();
    let listed = livegate(repo.path(), &["scan", "--format", "json"]);
    let findings = json(&listed)["findings"].as_array().unwrap().clone();
    assert!(findings.len() >= 2, "{}", listed.stdout);

    let human = livegate(repo.path(), &["scan", "--statistics", "--color", "never"]);
    assert_eq!(human.code, listed.code, "the verdict does not change");
    assert!(
        human.stdout.starts_with("count  code   severity  check\n"),
        "{}",
        human.stdout
    );
    assert!(
        !human.stdout.contains("= help:"),
        "counts, not diagnostics: {}",
        human.stdout
    );
    assert!(has_summary_line(&human.stdout, "scan"), "{}", human.stdout);

    let doc = json(&livegate(repo.path(), &["scan", "--statistics", "--format", "json"]));
    assert_eq!(doc["version"], 1, "added, not changed");
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        findings.len(),
        "findings stay"
    );
    let stats = doc["statistics"].as_array().unwrap();
    let total: u64 = stats.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, findings.len());
    for row in stats {
        let code = row["code"].as_str().unwrap();
        let expected = findings
            .iter()
            .filter(|f| f["code"] == code && f["severity"] == row["severity"])
            .count();
        assert_eq!(row["count"].as_u64().unwrap() as usize, expected, "{row}");
        assert!(row["title"].as_str().is_some_and(|t| !t.is_empty()), "{row}");
        assert!(human.stdout.contains(code), "{}", human.stdout);
    }
    // Without the flag, no new field.
    assert!(json(&listed).get("statistics").is_none());

    let markdown = livegate(repo.path(), &["scan", "--statistics", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("| Count | Check | Severity | Title |"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn statistics_with_sarif_or_annotations_is_refused_naming_the_flag() {
    let repo = leaky_repo();
    for format in ["sarif", "github"] {
        let run = livegate(repo.path(), &["scan", "--statistics", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        assert!(
            run.stderr.contains("--statistics: applies to --format human"),
            "{}",
            run.stderr
        );
    }
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api")));
    let run = protect(&fake, &["--statistics", "--format", "sarif"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--statistics"), "{}", run.stderr);
}

#[test]
fn hook_install_quiet_says_nothing_on_success() {
    let repo = leaky_repo();
    let quiet = livegate(repo.path(), &["hook", "install", "-q"]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stdout, "");
    assert!(repo.path().join(".git/hooks/pre-push").exists());
    let loud = livegate(repo.path(), &["hook", "uninstall"]);
    assert!(loud.stdout.starts_with("removed "), "{}", loud.stdout);
}

fn protect(fake: &FakeGitHub, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("livegate.toml"), "extends = \"baseline\"\n").unwrap();
    let mut args = vec!["protect", "--repo", "acme/api", "--api-url", &fake.url, "--no-cache"];
    args.extend_from_slice(extra);
    livegate_env(dir.path(), &args, &[("GITHUB_TOKEN", "test-token")])
}

#[test]
fn protect_quiet_drops_the_table_and_verbose_logs_requests_without_the_token() {
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api")));
    let normal = protect(&fake, &["--color", "never"]);
    assert_eq!(normal.code, 1, "{}", normal.stderr);
    assert!(has_summary_line(&normal.stdout, "protect"), "{}", normal.stdout);

    let quiet = protect(&fake, &["--color", "never", "--quiet"]);
    assert_eq!(quiet.code, 1);
    assert!(quiet.stdout.contains("[LG101]"), "{}", quiet.stdout);
    assert!(!has_summary_line(&quiet.stdout, "protect"), "{}", quiet.stdout);
    assert!(quiet.stdout.lines().count() < normal.stdout.lines().count());

    let verbose = protect(&fake, &["--color", "never", "-v"]);
    assert_eq!(verbose.code, 1);
    assert!(
        verbose.stderr.contains("livegate: GET /repos/acme/api"),
        "{}",
        verbose.stderr
    );
    assert!(verbose.stderr.contains("livegate: policy: "), "{}", verbose.stderr);
    assert!(!verbose.stderr.contains("test-token"), "{}", verbose.stderr);

    let stats = protect(&fake, &["--statistics", "--format", "json"]);
    let doc = json(&stats);
    assert_eq!(doc["statistics"][0]["code"], "LG101", "{doc}");
    assert_eq!(doc["statistics"][0]["count"], 1);
}

fn audit(repos: usize, extra: &[&str]) -> Run {
    let fake = FakeGitHub::start(Scenario::org_with_repos("acme", repos));
    let dir = tempfile::tempdir().unwrap();
    audit_in(dir.path(), &fake, extra)
}

fn audit_in(dir: &Path, fake: &FakeGitHub, extra: &[&str]) -> Run {
    support::audit_acme(dir, &fake.url, extra)
}

#[test]
fn audit_progress_is_plain_lines_on_stderr_and_hidden_with_quiet() {
    let normal = audit(40, &["--format", "json"]);
    assert!(normal.code <= 1, "{}", normal.stderr);
    // Standard output stays the report alone.
    assert_eq!(json(&normal)["audited"], 40);
    let progress: Vec<&str> = normal
        .stderr
        .lines()
        .filter(|l| l.starts_with("livegate audit: "))
        .collect();
    assert!(!progress.is_empty(), "{}", normal.stderr);
    assert!(
        progress
            .iter()
            .any(|l| l.contains("/40 repositories (") && l.contains("/s, ")),
        "{progress:?}"
    );
    assert!(
        progress
            .last()
            .is_some_and(|l| l.starts_with("livegate audit: 40 repositories in ")),
        "{progress:?}"
    );
    assert!(
        !normal.stderr.contains('\r') && !normal.stderr.contains('\u{1b}'),
        "no redraws without a terminal"
    );
    assert!(!normal.stderr.contains("+ "), "no `25+`: {}", normal.stderr);

    let quiet = audit(40, &["--format", "json", "-q"]);
    assert_eq!(json(&quiet)["audited"], 40);
    assert_eq!(quiet.stderr, "", "-q hides the progress");
}

#[test]
fn audit_groups_by_check_above_ten_repositories_unless_asked_otherwise() {
    let fake = FakeGitHub::start(Scenario::org_with_repos("acme", 12));
    let dir = tempfile::tempdir().unwrap();
    let grouped = audit_in(dir.path(), &fake, &[]);
    let per_repo = audit_in(dir.path(), &fake, &["--group-by", "repo"]);
    assert_eq!(grouped.code, per_repo.code);
    // One header per check, each followed by its help; repositories as list items.
    assert!(
        grouped.stdout.contains(" repositories") && grouped.stdout.contains("\n  - acme/repo-"),
        "{}",
        grouped.stdout
    );
    assert!(!per_repo.stdout.contains("\n  - acme/repo-"), "{}", per_repo.stdout);
    let helps = |text: &str| text.matches("= help:").count();
    assert!(helps(&grouped.stdout) < helps(&per_repo.stdout), "{}", grouped.stdout);
    assert_eq!(grouped.stdout.lines().last(), per_repo.stdout.lines().last());

    // Ten repositories or fewer: one diagnostic per finding, unless --group-by code.
    let small = FakeGitHub::start(Scenario::org_with_repos("acme", 4));
    let listed = audit_in(dir.path(), &small, &[]);
    assert!(!listed.stdout.contains("\n  - acme/repo-"), "{}", listed.stdout);
    let forced = audit_in(dir.path(), &small, &["--group-by", "code"]);
    assert!(forced.stdout.contains("\n  - acme/repo-"), "{}", forced.stdout);

    // Markdown groups too; JSON keeps every finding whatever the layout.
    let markdown = audit_in(dir.path(), &fake, &["--format", "markdown"]);
    assert!(
        markdown.stdout.contains("| Repository | Finding |"),
        "{}",
        markdown.stdout
    );
    let doc = json(&audit_in(
        dir.path(),
        &fake,
        &["--format", "json", "--group-by", "code"],
    ));
    let all = json(&audit_in(
        dir.path(),
        &fake,
        &["--format", "json", "--group-by", "repo"],
    ));
    assert_eq!(doc["findings"], all["findings"]);
}
