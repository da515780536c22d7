//! The human report, the format people read most: snapshots of the
//! diagnostics (spans at any column, tabs, wide characters), and when it is
//! coloured.

mod support;

use support::fake_github::{Classic, FakeGitHub, Pull, PullFile, PullReview, Repo, Scenario};
use support::{livegate, livegate_env, TestRepo};

#[test]
fn human_report_snapshot() {
    let repo = TestRepo::new();
    repo.write("src/main/java/acme/LedgerTest.java", "class LedgerTest {}\n")
        .write("src/main/resources/fixtures/customers.json", "[]\n")
        .write(
            "db/migrate/20240101_insert_test_users.rb",
            "class InsertTestUsers; end\n",
        )
        .write(
            "src/seed.rs",
            "pub const SEED: &str = include_str!(\"../tests/fixtures/users.json\");\n",
        )
        .write("tests/fixtures/users.json", "[]\n")
        .write("config/production.yml", "app:\n  debug: true\n")
        .write("web/src/invoice.ts", "import { fake } from '../__mocks__/customers';\n");
    repo.commit("leaks");
    let run = livegate(repo.path(), &["scan", "--color", "never", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(docs_relative(&run.stdout));
}

/// The report with documentation links shown as the path in the repository:
/// once the package names its repository, the links are URLs at this
/// version's tag, which the snapshots should not have to follow.
fn docs_relative(report: &str) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    if repository.is_empty() {
        return report.to_owned();
    }
    report.replace(
        &format!("{repository}/blob/v{}/docs/", env!("CARGO_PKG_VERSION")),
        "docs/",
    )
}

/// Spans away from column 1: after spaces, after tabs, after CJK and emoji
/// (two columns each on a terminal), and a Ruby `require` indented by ten
/// spaces, which once had its mark at column 1.
#[test]
fn spans_after_indentation_tabs_and_wide_characters() {
    let repo = TestRepo::new();
    repo.write(
        "lib/billing.rb",
        "module Billing\n          require \"spec_helper\"\nend\n",
    )
    .write(
        "web/src/ledger.ts",
        "const 見出し = \"請求書 🧾\"; import { seed } from '../__mocks__/seed';\n",
    )
    .write("config/production.yml", "app:\n\t\tdebug: true\n")
    .write("data/顧客.csv", "名前,カード\n山田🎌,4111111111111111\n");
    repo.commit("spans");
    let run = livegate(repo.path(), &["scan", "--color", "never", "--fail-on", "note"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // What a reader sees underlined, measured in terminal columns.
    assert_eq!(
        underlined(&run.stdout),
        [
            "debug: true",
            "4111111111111111",
            "require \"spec_helper\"",
            "../__mocks__/seed"
        ],
        "{}",
        run.stdout
    );
    insta::assert_snapshot!(docs_relative(&run.stdout));
}

/// The text under each run of `^` in a report, by display column (wide
/// characters take two): the line above the marks is the source line.
fn underlined(report: &str) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let lines: Vec<&str> = report.lines().collect();
    let mut found = Vec::new();
    for pair in lines.windows(2) {
        let (source, marks) = (pair[0], pair[1]);
        let (Some((_, code)), Some((gutter, marks))) = (source.split_once(" | "), marks.split_once(" | ")) else {
            continue;
        };
        if !marks.trim_start().starts_with('^') || !gutter.trim().is_empty() {
            continue;
        }
        let from = marks.len() - marks.trim_start().len();
        let to = from + marks.trim().len();
        let mut column = 0;
        let mut text = String::new();
        for c in code.chars() {
            if column >= from && column < to {
                text.push(c);
            }
            column += c.width().unwrap_or(0);
        }
        found.push(text);
    }
    found
}

/// A repository with a finding of each severity, for the colour tests.
fn coloured_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("config/production.yml", "debug: true\n")
        .write("src/main/resources/fixtures/customers.json", "[]\n");
    repo.commit("debug");
    repo
}

const ESC: char = '\u{1b}';

/// `text` without its OSC 8 hyperlinks (`ESC ] 8 ; ; URL ESC \`), the
/// linked text kept.
fn without_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}]8;;") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest.find("\u{1b}\\") {
            Some(end) => rest = &rest[end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = coloured_repo();
    let plain = livegate(repo.path(), &["scan"]);
    assert!(!plain.stdout.contains(ESC), "piped output must not be coloured");
    let coloured = livegate(repo.path(), &["scan", "--color", "always"]);
    // A coloured code links to its documentation (an OSC 8 hyperlink, once
    // the package names an https repository); read without the links.
    let coloured = without_links(&coloured.stdout);
    // Errors red, warnings yellow (not red): the severity's own colour.
    let error = coloured.find("error[LG451]").expect("an error");
    let warning = coloured.find("warning[LG412]").expect("a warning");
    let style_before = |at: usize| coloured[..at].rsplit(ESC).next().unwrap_or_default().to_owned();
    assert_eq!(style_before(error), "[91m", "{coloured:?}");
    assert_eq!(style_before(warning), "[33m", "{coloured:?}");
    // Never in a file, whatever was asked.
    let file = repo.path().join("report.txt");
    let to_file = livegate(
        repo.path(),
        &["scan", "--color", "always", "--output", file.to_str().unwrap()],
    );
    assert_eq!(to_file.code, 1, "{}", to_file.stderr);
    assert!(!std::fs::read_to_string(&file).unwrap().contains(ESC));
}

/// `--statistics` (a view beside the per-finding listing) is coloured by
/// the same decision: the flag, then the colour variables, then the
/// terminal.
#[test]
fn the_statistics_view_follows_the_colour_decision() {
    let repo = coloured_repo();
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], bool);
    let cases: &[Case] = &[
        (&[], &[], false),
        (&[], &["--color", "always"], true),
        (&[("FORCE_COLOR", "1")], &[], true),
        (&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[], false),
        (&[("FORCE_COLOR", "1")], &["--color", "never"], false),
    ];
    for (env, flags, coloured) in cases {
        let mut args = vec!["scan", "--statistics"];
        args.extend_from_slice(flags);
        let run = livegate_env(repo.path(), &args, env);
        assert_eq!(run.code, 1, "{env:?} {flags:?}: {}", run.stderr);
        let table = run
            .stdout
            .lines()
            .find(|line| line.contains("LG451"))
            .unwrap_or_default();
        assert_eq!(table.contains(ESC), *coloured, "{env:?} {flags:?}:\n{}", run.stdout);
    }
}

/// Piped output: only the variables that force colour turn it on, and
/// `NO_COLOR` (when not empty) and `--color never` beat them.
#[test]
fn colour_variables_force_or_forbid_colour_on_a_pipe() {
    let repo = coloured_repo();
    // (environment, flags, coloured?)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], bool);
    let cases: &[Case] = &[
        (&[("CLICOLOR_FORCE", "1")], &[], true),
        (&[("CLICOLOR_FORCE", "0")], &[], false),
        (&[("CLICOLOR_FORCE", "")], &[], false),
        (&[("FORCE_COLOR", "1")], &[], true),
        (&[("FORCE_COLOR", "")], &[], false),
        (&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[], false),
        (&[("FORCE_COLOR", "1"), ("NO_COLOR", "")], &[], true),
        (&[("FORCE_COLOR", "1")], &["--color", "never"], false),
        (&[("NO_COLOR", "1")], &["--color", "always"], true),
        (&[("CLICOLOR", "0")], &["--color", "always"], true),
    ];
    for (env, flags, coloured) in cases {
        let mut args = vec!["scan"];
        args.extend_from_slice(flags);
        let run = livegate_env(repo.path(), &args, env);
        assert_eq!(run.code, 1, "{env:?} {flags:?}: {}", run.stderr);
        assert_eq!(
            run.stdout.contains(ESC),
            *coloured,
            "{env:?} {flags:?}:\n{}",
            run.stdout
        );
    }
}

/// On a terminal (a pseudo-terminal from util-linux `script`): coloured by
/// default, and `NO_COLOR` only when it is not empty, `CLICOLOR=0` and
/// `TERM=dumb` turn it off.
#[cfg(target_os = "linux")]
#[test]
fn colour_on_a_terminal_follows_no_color_and_clicolor() {
    let repo = coloured_repo();
    let on_terminal = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new("script");
        command
            .args(["-qec", &format!("'{}' scan", support::bin().display()), "/dev/null"])
            .current_dir(repo.path())
            .env("TERM", "xterm")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR"] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        let output = command
            .output()
            .expect("util-linux `script` runs livegate on a pseudo-terminal");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(stdout.contains("LG451"), "{env:?}: no report: {stdout}");
        stdout.contains(ESC)
    };
    assert!(on_terminal(&[]));
    assert!(on_terminal(&[("NO_COLOR", "")]), "an empty NO_COLOR is not set");
    assert!(!on_terminal(&[("NO_COLOR", "1")]));
    assert!(!on_terminal(&[("CLICOLOR", "0")]));
    assert!(on_terminal(&[("CLICOLOR", "1")]));
    assert!(!on_terminal(&[("TERM", "dumb")]));
}

#[test]
fn crafted_content_cannot_drive_the_terminal() {
    let repo = TestRepo::new();
    repo.write("config/production.yml", "debug: true \u{1b}[2J\u{1b}]0;owned\u{7}\n");
    repo.commit("escape");
    let run = livegate(repo.path(), &["scan", "--color", "never"]);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
}

/// Counts agree with their nouns, and a run that writes a baseline (and
/// exits 0) says what it recorded instead of "fail".
#[test]
fn singular_counts_and_a_written_baseline_read_truthfully() {
    let repo = TestRepo::new();
    repo.write("config/production.yml", "debug: true\n");
    repo.commit("one finding");
    let run = livegate(repo.path(), &["scan", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary = run.stdout.lines().last().unwrap();
    assert_eq!(
        summary,
        "livegate scan: 1 error, 0 warnings, 0 notes in 1 file (1 read): fail (findings at or above error)"
    );
    for format in ["github", "markdown"] {
        let run = livegate(repo.path(), &["scan", "--format", format]);
        assert!(
            run.stdout.contains("1 error, 0 warnings, 0 notes"),
            "{format}: {}",
            run.stdout
        );
        assert!(!run.stdout.contains("(s)"), "{format}: {}", run.stdout);
    }

    let baseline = repo.path().join("baseline.json");
    let run = livegate(
        repo.path(),
        &[
            "scan",
            "--color",
            "never",
            "--write-baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = run.stdout.lines().last().unwrap();
    assert!(summary.ends_with(": baseline written: 1 finding recorded"), "{summary}");
    assert!(!run.stdout.contains("fail"), "{}", run.stdout);
    assert!(run.stderr.contains("wrote 1 finding to baseline"), "{}", run.stderr);
}

/// The human report of the online commands runs against the fake GitHub API
/// server; its address (a random port) is the one varying part, replaced.
fn online(dir: &std::path::Path, fake: &FakeGitHub, args: &[&str]) -> support::Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--api-url", &fake.url, "--no-cache", "--color", "never"]);
    let mut run = livegate_env(dir, &all, &[("GITHUB_TOKEN", "test-token")]);
    run.stdout = run.stdout.replace(&fake.url, "http://[fake-github]");
    run
}

/// Branch protection: a branch with weak classic protection (settings
/// findings point at `owner/repo@branch`, with no source line).
#[test]
fn protect_human_report_snapshot() {
    let weak = Classic {
        approvals: Some(1),
        allow_force_pushes: true,
        ..Classic::default()
    };
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api").branch("main", Some(weak))));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("livegate.toml"), "extends = \"baseline\"\n").unwrap();
    let run = online(dir.path(), &fake, &["protect", "--repo", "acme/api"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(docs_relative(&run.stdout));
}

/// The review gate on a pull request: one approval short (one approval was
/// on an older commit), and a test card indented in an added migration,
/// found from GitHub's patch.
#[test]
fn pr_human_report_snapshot() {
    const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
    const OLD: &str = "abc1234def567890abc1234def567890abc12345";
    let review = |id: u64, login: &str, commit: &str| PullReview {
        id,
        login: Some(login.to_owned()),
        user_type: "User".to_owned(),
        state: "APPROVED".to_owned(),
        commit_id: commit.to_owned(),
        submitted_at: format!("2026-11-20T10:0{id}:00Z"),
    };
    let mut pull = Pull::new(7, "author", HEAD)
        .file(PullFile::added(
            "migrations/0002_seed.sql",
            "INSERT INTO cards VALUES\n    ('4111 1111 1111 1111');\n",
        ))
        .review(review(1, "alice", HEAD))
        .review(review(2, "bob", OLD));
    pull.base_sha = "1111111111111111111111111111111111111111".to_owned();
    let mut repo = Repo::new("acme/api").content(
        "main",
        ".github/livegate.toml",
        b"extends = \"baseline\"\n\n[review]\nrequired-approvals = 2\ndismiss-stale = true\n".to_vec(),
    );
    for login in ["author", "alice", "bob"] {
        repo = repo.collaborator(login, "write");
    }
    repo.pulls.push(pull);
    let fake = FakeGitHub::start(Scenario::new(repo));
    let dir = tempfile::tempdir().unwrap();
    let run = online(dir.path(), &fake, &["pr", "--repo", "acme/api", "--number", "7"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!(docs_relative(&run.stdout));
}

/// Settings: a public repository, without CODEOWNERS or security features,
/// against a policy that wants it private (forking is judged for private
/// repositories only: a public one can always be forked).
#[test]
fn audit_human_report_snapshot() {
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api").public().allow_forking(true)));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("livegate.toml"),
        "[settings]\nvisibility = \"private\"\nallow-forking = false\n",
    )
    .unwrap();
    let run = online(dir.path(), &fake, &["audit", "--repo", "acme/api"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!(docs_relative(&run.stdout));
}

/// The location line gives the finding's column in the file, also when the
/// line shown is a window of a long line or has escaped controls before the
/// span (both change where the span sits in what is shown).
#[test]
fn the_location_is_the_column_in_the_file_not_in_the_shown_line() {
    let repo = TestRepo::new();
    let long = format!("{}; import {{ a }} from '../__mocks__/seed';\n", "x".repeat(3000));
    repo.write("web/long.js", long).write(
        "web/escaped.js",
        "const s = \"\u{1b}[2J\u{202e}\"; import { b } from '../__mocks__/seed';\n",
    );
    repo.commit("long and escaped lines");
    let run = livegate(repo.path(), &["scan", "--color", "never"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // 3,000 x, then `; import { a } from '` (21 characters).
    assert!(run.stdout.contains("--> web/long.js:1:3022\n"), "{}", run.stdout);
    // `const s = "`, ESC, `[2J`, RLO, then `"; import { b } from '`: 38 characters.
    assert!(run.stdout.contains("--> web/escaped.js:1:39\n"), "{}", run.stdout);
    assert_eq!(
        underlined(&run.stdout),
        ["../__mocks__/seed", "../__mocks__/seed"],
        "{}",
        run.stdout
    );
}

/// Deploy: a range with a reviewed squash merge, a direct push accepted by
/// a `[[deploy.accept]]` entry that a reviewed pull request added, and a
/// direct push nobody accepted. Commits get fresh shas on every run (git
/// stamps the time): each is replaced by a label of the same width, so the
/// table keeps its shape.
#[test]
fn deploy_human_report_snapshot() {
    use support::deploy_history::{History, POLICY};
    let mut h = History::new();
    let (_, first) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix for incident 42");
    let policy = format!(
        "{POLICY}\n[[deploy.accept]]\ncommit = \"{hotfix}\"\nreason = \"incident 42, reviewed after the fact in #7\"\nverdicts = [\"direct-push\"]\n"
    );
    let (_, accept) = h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    let late = h.push_files(&[("src/late.rs", "pub fn late() {}\n")], "late fix");
    let fake = h.serve();
    let tip = h.tip();
    let run = online(
        h.repo.path(),
        &fake,
        &[
            "deploy",
            "--repo",
            "acme/api",
            "--environment",
            "production",
            "--branch",
            "main",
            "--to",
            &tip,
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let mut text = docs_relative(&run.stdout);
    for (sha, label) in [
        (&h.baseline, "baseln0"),
        (&first, "commit1"),
        (&hotfix, "commit2"),
        (&accept, "commit3"),
        (&late, "commit4"),
    ] {
        text = text.replace(sha.as_str(), &format!("{label}{}", "_".repeat(33)));
        text = text.replace(&sha[..7], label);
    }
    insta::assert_snapshot!(text);
}
