//! `livegate protect` against the fake GitHub API server.

mod support;

use std::path::Path;

use serde_json::Value;
use support::fake_github::{rule, Access, Classic, FakeGitHub, FaultKind, Repo, Ruleset, Scenario};
use support::{livegate_env, Run};

/// A policy that asks for everything the baseline preset asks for:
/// 1 approval, stale reviews dismissed, enforce for admins, no force push,
/// no deletion.
const BASELINE: &str = "extends = \"baseline\"\n";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new(policy: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("livegate.toml"), policy).unwrap();
        Env { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn protect(&self, fake: &FakeGitHub, extra: &[&str]) -> Run {
        self.protect_with(fake, extra, &[("GITHUB_TOKEN", "test-token")])
    }

    fn protect_with(&self, fake: &FakeGitHub, extra: &[&str], env: &[(&str, &str)]) -> Run {
        let mut args = vec!["protect", "--repo", "acme/api", "--api-url", &fake.url, "--no-cache"];
        if !extra.contains(&"--format") {
            args.extend(["--format", "json"]);
        }
        args.extend_from_slice(extra);
        livegate_env(self.path(), &args, env)
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", run.stdout, run.stderr))
}

fn codes(run: &Run) -> Vec<String> {
    json(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn row<'a>(doc: &'a Value, setting: &str) -> &'a Value {
    doc["branches"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["setting"] == setting)
        .unwrap_or_else(|| panic!("no row {setting}: {doc:#}"))
}

/// `protect --format json` on acme/api with the ETag cache in `cache`, as
/// the cache tests run it again and again.
fn cached_json_args<'a>(fake: &'a FakeGitHub, cache: &'a str) -> [&'a str; 9] {
    [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        &fake.url,
        "--cache-dir",
        cache,
        "--format",
        "json",
    ]
}

fn good_classic() -> Classic {
    Classic {
        approvals: Some(1),
        dismiss_stale: true,
        enforce_admins: true,
        ..Classic::default()
    }
}

fn baseline_rules() -> Vec<Value> {
    vec![
        rule::pull_request(1, true, false, false, false),
        rule::simple("deletion"),
        rule::simple("non_fast_forward"),
    ]
}

#[test]
fn unprotected_branch_is_lg101() {
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api")));
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(codes(&run), ["LG101"]);
    let finding = &json(&run)["findings"][0];
    assert_eq!(finding["location"]["path"], "acme/api@main");
    assert!(
        finding["remediation"].as_str().unwrap().contains("Rulesets"),
        "{finding}"
    );
}

#[test]
fn classic_only_pass_and_shortfall() {
    let fake = FakeGitHub::start(Scenario::new(
        Repo::new("acme/api").branch("main", Some(good_classic())),
    ));
    let env = Env::new(BASELINE);
    let run = env.protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = json(&run);
    assert_eq!(row(&doc, "required approvals")["source"], "classic protection");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);

    let weak = Classic {
        approvals: Some(1),
        allow_force_pushes: true,
        ..Classic::default()
    };
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api").branch("main", Some(weak))));
    let run = env.protect(&fake, &[]);
    assert_eq!(run.code, 1);
    let mut found = codes(&run);
    found.sort();
    assert_eq!(found, ["LG112", "LG121", "LG131"]);
    // The remediation names the exact setting and the API call.
    let doc = json(&run);
    let admins = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "LG121")
        .unwrap();
    assert!(admins["remediation"]
        .as_str()
        .unwrap()
        .contains("/repos/{owner}/{repo}/branches/main/protection/enforce_admins"));
}

#[test]
fn repository_ruleset_only() {
    let repo = Repo::new("acme/api").ruleset(Ruleset::new(7, "main rules", baseline_rules()));
    let fake = FakeGitHub::start(Scenario::new(repo));
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = json(&run);
    assert_eq!(
        row(&doc, "required approvals")["source"],
        "repository ruleset \"main rules\" (7)"
    );
    assert_eq!(
        row(&doc, "no bypass (enforce for admins)")["actual"],
        "nobody can bypass"
    );
}

#[test]
fn organization_ruleset_counts_and_is_named() {
    let repo = Repo::new("acme/api").ruleset(Ruleset::new(
        7,
        "reviews",
        vec![rule::pull_request(1, true, false, false, false)],
    ));
    let mut scenario = Scenario::new(repo);
    scenario.org_rulesets.push(
        Ruleset::new(
            90,
            "org guard",
            vec![rule::simple("deletion"), rule::simple("non_fast_forward")],
        )
        .include(&["~ALL"]),
    );
    let fake = FakeGitHub::start(scenario);
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = json(&run);
    assert_eq!(
        row(&doc, "deletion")["source"],
        "organization ruleset \"org guard\" (90)"
    );
}

#[test]
fn classic_and_ruleset_merge_most_restrictive_per_setting() {
    let repo = Repo::new("acme/api")
        .branch("main", Some(good_classic()))
        .ruleset(Ruleset::new(
            7,
            "two reviewers",
            vec![rule::pull_request(2, false, true, false, false)],
        ));
    let fake = FakeGitHub::start(Scenario::new(repo));
    let policy = "extends = \"baseline\"\n[branches]\nrequired-approvals = 2\nrequire-code-owner-review = true\n";
    let run = Env::new(policy).protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = json(&run);
    assert_eq!(row(&doc, "required approvals")["actual"], "2");
    assert_eq!(
        row(&doc, "required approvals")["source"],
        "repository ruleset \"two reviewers\" (7)"
    );
    assert_eq!(row(&doc, "dismiss stale reviews")["source"], "classic protection");
    assert_eq!(
        row(&doc, "code-owner review")["source"],
        "repository ruleset \"two reviewers\" (7)"
    );
}

#[test]
fn evaluate_mode_ruleset_is_not_protection() {
    let repo = Repo::new("acme/api").ruleset(Ruleset::new(12, "trial", baseline_rules()).enforcement("evaluate"));
    let fake = FakeGitHub::start(Scenario::new(repo));
    let run = Env::new(BASELINE).protect(&fake, &["--fail-on", "note"]);
    assert_eq!(run.code, 1);
    let mut found = codes(&run);
    found.sort();
    assert_eq!(found, ["LG101", "LG141"]);
    assert!(
        run.stdout
            .contains("is in evaluate mode: it is not counted as protection"),
        "{}",
        run.stdout
    );
}

#[test]
fn bypass_actors_always_and_pull_request() {
    let always =
        Repo::new("acme/api").ruleset(Ruleset::new(7, "main", baseline_rules()).bypass("RepositoryRole", 5, "always"));
    let fake = FakeGitHub::start(Scenario::new(always));
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&run), ["LG122"]);
    let doc = json(&run);
    assert_eq!(doc["findings"][0]["severity"], "error");
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("the repository admin role"));

    let pr_only =
        Repo::new("acme/api").ruleset(Ruleset::new(7, "main", baseline_rules()).bypass("Team", 42, "pull_request"));
    let fake = FakeGitHub::start(Scenario::new(pr_only));
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 0, "a pull-request-only bypass is a warning: {}", run.stdout);
    let doc = json(&run);
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert!(doc["findings"][0]["message"].as_str().unwrap().contains("Team 42"));
}

#[test]
fn hidden_bypass_list_is_unknown_not_empty() {
    let mut scenario = Scenario::new(Repo::new("acme/api"));
    scenario.org_admin = false;
    scenario
        .org_rulesets
        .push(Ruleset::new(90, "org rules", baseline_rules()).include(&["~ALL"]));
    let fake = FakeGitHub::start(scenario);
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(codes(&run), ["LG912"]);
    let doc = json(&run);
    assert_eq!(doc["summary"]["result"], "unverified");
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("organization admin"));
    assert!(row(&doc, "no bypass (enforce for admins)")["actual"]
        .as_str()
        .unwrap()
        .starts_with("unknown"));
}

#[test]
fn without_admin_rights_rulesets_alone_can_pass() {
    let repo = Repo::new("acme/api")
        .branch("main", Some(good_classic()))
        .ruleset(Ruleset::new(7, "main rules", baseline_rules()));
    let mut scenario = Scenario::new(repo);
    scenario.access = Access::Write;
    let fake = FakeGitHub::start(scenario);
    // Without admin the ruleset's bypass list is hidden too, so a policy that
    // asks for "nobody can bypass" cannot be verified (next test); one that
    // does not can pass on rulesets alone.
    let policy = "extends = \"baseline\"\n[branches]\nenforce-admins = false\n";
    let run = Env::new(policy).protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(json(&run)["branches"][0]["effective"]["classic_unknown"].is_object());
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(codes(&run), ["LG912"]);
}

#[test]
fn without_admin_rights_insufficient_rulesets_exit_3_naming_the_permission() {
    for access in [Access::Write, Access::App] {
        let repo = Repo::new("acme/api")
            .branch("main", Some(good_classic()))
            .ruleset(Ruleset::new(7, "deletion only", vec![rule::simple("deletion")]));
        let mut scenario = Scenario::new(repo);
        scenario.access = access;
        let fake = FakeGitHub::start(scenario);
        let run = Env::new(BASELINE).protect(&fake, &[]);
        assert_eq!(run.code, 3, "{access:?}: {}", run.stdout);
        assert_eq!(codes(&run), ["LG911", "LG912"], "{access:?}");
        let message = json(&run)["findings"][0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("Administration: read"), "{message}");
        assert!(message.contains("required approvals"), "{message}");
        assert!(!message.to_lowercase().contains("plan"), "{message}");
    }
}

#[test]
fn bad_token_and_missing_repository_are_errors() {
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api")));
    let env = Env::new(BASELINE);
    let run = env.protect_with(&fake, &[], &[("GITHUB_TOKEN", "wrong")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("401 Bad credentials"), "{}", run.stderr);
    assert!(run.stderr.contains("GITHUB_TOKEN"), "{}", run.stderr);

    let args = [
        "protect",
        "--repo",
        "acme/gone",
        "--api-url",
        &fake.url,
        "--no-cache",
        "--verbose",
    ];
    let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("repository acme/gone not found"), "{}", run.stderr);
    // --verbose shows the requests of a run that ends in an error too.
    assert!(
        run.stderr.contains("livegate: GET /repos/acme/gone -> 404"),
        "{}",
        run.stderr
    );

    let run = env.protect(&fake, &["--branch", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("branch `nope` does not exist"), "{}", run.stderr);

    let run = livegate_env(env.path(), &["protect", "--repo", "not-a-repo"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--repo"), "{}", run.stderr);
}

fn protected_repo() -> Repo {
    Repo::new("acme/api").ruleset(Ruleset::new(7, "main rules", baseline_rules()))
}

#[test]
fn transient_faults_are_retried() {
    let env = Env::new(BASELINE);
    for kind in [
        FaultKind::Status(500),
        FaultKind::Status(502),
        FaultKind::SecondaryLimit {
            status: 429,
            retry_after: 1,
        },
        FaultKind::SecondaryLimit {
            status: 403,
            retry_after: 1,
        },
        FaultKind::Slow(std::time::Duration::from_secs(3)),
        FaultKind::Truncated,
    ] {
        let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/rules/branches/", kind.clone(), 1));
        let run = env.protect(&fake, &["--timeout", "1"]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(json(&run)["api"]["retries"], 1, "{kind:?}");
    }
}

#[test]
fn persistent_faults_fail_closed_with_exit_3() {
    let env = Env::new(BASELINE);
    let cases = [
        (FaultKind::Status(502), "GitHub unavailable after 2 attempts"),
        (
            FaultKind::SecondaryLimit {
                status: 403,
                retry_after: 120,
            },
            "rate limited",
        ),
        (FaultKind::PrimaryLimit { reset_in: 3600 }, "rate limited until"),
        (FaultKind::Malformed, "body is not the expected JSON"),
    ];
    for (kind, expect) in cases {
        let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/rules/branches/", kind.clone(), 10));
        let run = env.protect(&fake, &["--retries", "1"]);
        assert_eq!(run.code, 3, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(codes(&run), ["LG913"], "{kind:?}");
        let message = json(&run)["findings"][0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(expect), "{kind:?}: {message}");
        assert!(message.contains("/repos/acme/api/rules/branches/main"), "{message}");
    }
}

#[test]
fn a_secondary_limit_without_retry_after_waits_a_minute_not_until_the_quota_resets() {
    let env = Env::new(BASELINE);
    let kind = FaultKind::SecondaryLimitWithoutRetryAfter { status: 403 };
    let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/rules/branches/", kind, 10));
    let run = env.protect(&fake, &["--max-rate-limit-wait", "30"]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let message = json(&run)["findings"][0]["message"].as_str().unwrap().to_owned();
    // GitHub's guidance: at least a minute, not the primary window's reset
    // (an hour away here, which the fake sends on every answer).
    assert!(
        message.contains("waiting 60s is longer than the 30s allowed"),
        "{message}"
    );
}

#[test]
fn rules_are_followed_across_pages() {
    let fake = FakeGitHub::start(Scenario::new(protected_repo()).with_page_size(1));
    let run = Env::new(BASELINE).protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let pages = fake
        .log()
        .iter()
        .filter(|l| l.path == "/repos/acme/api/rules/branches/main")
        .count();
    assert_eq!(pages, 3, "one rule per page, three rules");
}

#[test]
fn a_warm_rerun_is_answered_from_the_etag_cache() {
    let fake = FakeGitHub::start(Scenario::new(protected_repo().branch("main", Some(good_classic()))));
    let env = Env::new(BASELINE);
    let cache = env.path().join("cache");
    let cache = cache.to_str().unwrap();
    let args = cached_json_args(&fake, cache);
    let cold = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(cold.code, 0, "{}", cold.stdout);
    let cold_api = json(&cold)["api"].clone();
    let quota_after_cold = fake.quota_used();
    let warm = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(warm.code, 0);
    let warm_api = &json(&warm)["api"];
    assert_eq!(warm_api["requests"], cold_api["requests"]);
    assert_eq!(
        warm_api["conditional_hits"], cold_api["requests"],
        "every request answered 304"
    );
    assert_eq!(fake.quota_used(), quota_after_cold, "304s cost no quota");
    // A change on GitHub is seen on the next run (the ETag no longer matches).
    // A bypass actor added on GitHub is seen on the next run: that ETag no
    // longer matches, everything else is still answered 304.
    fake.update(|s| {
        let with_bypass = s.repos[0].rulesets[0].clone().bypass("RepositoryRole", 5, "always");
        s.repos[0].rulesets[0] = with_bypass;
    });
    let changed = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(changed.code, 1, "{}", changed.stdout);
    assert_eq!(codes(&changed), ["LG122"]);
    assert_eq!(
        json(&changed)["api"]["conditional_hits"],
        cold_api["requests"].as_u64().unwrap() - 1
    );
}

#[test]
fn a_branch_without_classic_protection_costs_one_request_when_warm() {
    // GitHub answers "Branch not protected" with a 404 that carries no ETag,
    // so that one request is made again on every run.
    let fake = FakeGitHub::start(Scenario::new(protected_repo()));
    let env = Env::new(BASELINE);
    let cache = env.path().join("cache");
    let cache = cache.to_str().unwrap();
    let args = cached_json_args(&fake, cache);
    let cold = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    let before = fake.quota_used();
    let warm = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(warm.code, 0, "{}", warm.stdout);
    assert_eq!(
        json(&warm)["api"]["conditional_hits"],
        json(&cold)["api"]["requests"].as_u64().unwrap() - 1
    );
    assert_eq!(fake.quota_used() - before, 1);
}

#[test]
fn human_output_shows_a_table_per_branch() {
    let repo = Repo::new("acme/api")
        .branch("main", Some(good_classic()))
        .ruleset(Ruleset::new(
            7,
            "guard",
            vec![rule::pull_request(2, false, false, false, false)],
        ));
    let fake = FakeGitHub::start(Scenario::new(repo));
    let env = Env::new(BASELINE);
    let args = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        &fake.url,
        "--no-cache",
        "--color",
        "never",
    ];
    let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("acme/api@main"), "{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header = lines
        .iter()
        .find(|l| l.contains("setting") && l.contains("required") && l.contains("source"))
        .unwrap();
    assert!(header.contains("actual"), "{header}");
    assert!(
        lines.iter().any(|l| l.contains("ok")
            && l.contains("required approvals")
            && l.contains("repository ruleset \"guard\" (7)")),
        "{}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("force pushes") && l.contains("blocked") && l.contains("classic protection")),
        "{}",
        run.stdout
    );
}

#[test]
fn the_token_never_appears_in_any_output() {
    let canary = "ghp_CANARY0123456789abcdefCANARY";
    let env = Env::new(BASELINE);
    let cache = env.path().join("cache");
    let mut outputs = Vec::new();
    // Rejected token, server errors, rate limits, malformed answers, verbose logging, every format.
    let mut scenario = Scenario::new(protected_repo())
        .fault("/rules/branches/", FaultKind::Status(500), 1)
        .fault("/rulesets/7", FaultKind::Malformed, 1);
    scenario.token = Some(canary.to_owned());
    let fake = FakeGitHub::start(scenario);
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let args = [
            "protect",
            "--repo",
            "acme/api",
            "--api-url",
            &fake.url,
            "--verbose",
            "--format",
            format,
            "--cache-dir",
            cache.to_str().unwrap(),
        ];
        outputs.push(livegate_env(env.path(), &args, &[("GITHUB_TOKEN", canary)]));
    }
    let wrong = FakeGitHub::start(Scenario::new(protected_repo()));
    let args = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        &wrong.url,
        "--verbose",
        "--no-cache",
    ];
    outputs.push(livegate_env(env.path(), &args, &[("GITHUB_TOKEN", canary)]));
    let token_file = env.path().join("token");
    std::fs::write(&token_file, canary).unwrap();
    let args = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        "http://127.0.0.1:9",
        "--verbose",
        "--no-cache",
        "--retries",
        "0",
        "--token-file",
        token_file.to_str().unwrap(),
    ];
    outputs.push(livegate_env(env.path(), &args, &[]));
    let args = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        "not a url",
        "--token-file",
        token_file.to_str().unwrap(),
    ];
    outputs.push(livegate_env(env.path(), &args, &[]));
    for run in &outputs {
        assert!(
            !run.stdout.contains(canary) && !run.stderr.contains(canary),
            "token leaked:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(!run.stdout.contains("CANARY") && !run.stderr.contains("CANARY"));
    }
    // The verbose log did print requests (so the check above looked at something).
    assert!(
        outputs[0].stderr.contains("GET /repos/acme/api"),
        "{}",
        outputs[0].stderr
    );
    assert!(outputs[5].stderr.contains("401"), "{}", outputs[5].stderr);
    for entry in walk(&cache) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY"),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn github_app_authentication() {
    let env = Env::new(BASELINE);
    let key = env.path().join("app.pem");
    let status = std::process::Command::new("openssl")
        .args(["genrsa", "-out", key.to_str().unwrap(), "2048"])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed (Debian: apt-get install openssl)");
    assert!(status.success());
    let mut scenario = Scenario::new(protected_repo());
    scenario.app = Some((1234, 99));
    scenario.token = Some("ghs_installation_token".to_owned());
    let fake = FakeGitHub::start(scenario);
    let args = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        &fake.url,
        "--no-cache",
        "--format",
        "json",
        "--app-id",
        "1234",
        "--app-key",
        key.to_str().unwrap(),
        "--installation-id",
        "99",
    ];
    let run = livegate_env(env.path(), &args, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let log = fake.log();
    assert_eq!(log[0].path, "/app/installations/99/access_tokens");
    assert!(log[1..].iter().all(|l| l
        .authorization
        .as_deref()
        .is_some_and(|a| a.ends_with("ghs_installation_token"))));
    // A wrong app id is refused by GitHub and reported as a token problem.
    let wrong = args
        .iter()
        .map(|a| if *a == "1234" { "4321" } else { a })
        .collect::<Vec<_>>();
    let run = livegate_env(env.path(), &wrong, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("JSON web token"), "{}", run.stderr);
    // A key file that is not a key is a usage error naming the flag.
    std::fs::write(&key, "not a key").unwrap();
    let run = livegate_env(env.path(), &args, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--app-key"), "{}", run.stderr);
}

#[test]
fn a_corrupt_cache_is_detected_and_rebuilt() {
    let fake = FakeGitHub::start(Scenario::new(protected_repo().branch("main", Some(good_classic()))));
    let env = Env::new(BASELINE);
    let cache = env.path().join("cache");
    let args = cached_json_args(&fake, cache.to_str().unwrap());
    let cold = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(cold.code, 0, "{}", cold.stdout);
    let files = walk(&cache);
    assert!(!files.is_empty());
    for file in &files {
        let mut bytes = std::fs::read(file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        std::fs::write(file, bytes).unwrap();
    }
    let rerun = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(rerun.code, 0, "{}{}", rerun.stdout, rerun.stderr);
    assert_eq!(
        json(&rerun)["api"]["conditional_hits"],
        0,
        "corrupt entries are not trusted"
    );
    let warm = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(
        json(&warm)["api"]["conditional_hits"],
        json(&warm)["api"]["requests"],
        "and were rebuilt"
    );
}

#[test]
fn a_public_repository_without_a_token_is_read_as_far_as_github_allows() {
    let mut repo = protected_repo();
    repo.private = false;
    let fake = FakeGitHub::start(Scenario::new(repo));
    let env = Env::new(BASELINE);
    let run = env.protect_with(&fake, &[], &[]);
    // Rules are public; classic protection and bypass lists are not.
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG912"]);
    assert!(fake.log().iter().all(|l| l.authorization.is_none()));
}

#[test]
fn a_required_check_the_policy_relies_on_must_be_pinned_to_an_app() {
    let env = Env::new("extends = \"baseline\"\n\n[branches]\nrequired-status-checks = [\"livegate/review\"]\n");
    let finding = |run: &Run, context: &str| -> Option<(String, String)> {
        json(run)["findings"].as_array().unwrap().iter().find_map(|f| {
            let message = f["message"].as_str().unwrap();
            (f["code"] == "LG118" && message.contains(&format!("`{context}`")))
                .then(|| (f["severity"].as_str().unwrap().to_owned(), message.to_owned()))
        })
    };
    let with_rules = |checks: &[(&str, Option<u64>)]| {
        let mut rules = baseline_rules();
        rules.push(rule::status_checks_from(false, checks));
        FakeGitHub::start(Scenario::new(Repo::new("acme/api").ruleset(Ruleset::new(
            7,
            "main rules",
            rules,
        ))))
    };

    // Any source: a workflow of the pull request can post `success` itself.
    let fake = with_rules(&[("livegate/review", None), ("ci/build", None)]);
    let run = env.protect(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let (severity, message) = finding(&run, "livegate/review").expect("the gate is flagged");
    assert_eq!(severity, "error");
    assert!(message.contains("not pinned to an app"), "{message}");
    assert_eq!(finding(&run, "ci/build").expect("other checks too").0, "warning");
    assert_eq!(row(&json(&run), "check source")["actual"], "any source");

    // Pinned in the ruleset: the gate holds; the other check is still a warning.
    let fake = with_rules(&[("livegate/review", Some(4242)), ("ci/build", None)]);
    let run = env.protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(finding(&run, "livegate/review").is_none());
    assert_eq!(finding(&run, "ci/build").unwrap().0, "warning");
    assert_eq!(row(&json(&run), "check source")["actual"], "app 4242");

    // Pinned in classic protection (`checks[].app_id`).
    let classic = Classic {
        status_checks: Some((false, vec!["livegate/review".to_owned()])),
        check_apps: vec![("livegate/review".to_owned(), 4242)],
        ..good_classic()
    };
    let fake = FakeGitHub::start(Scenario::new(Repo::new("acme/api").branch("main", Some(classic))));
    let run = env.protect(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(finding(&run, "livegate/review").is_none());
}

/// Every file a test run may have written in `dir`, as text.
fn files_text(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    walk(dir)
        .into_iter()
        .map(|path| {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            (path, text)
        })
        .collect()
}

#[test]
fn a_token_echoed_by_the_server_is_scrubbed_from_every_format_and_file() {
    let canary = "ghp_ECHOCANARY0123456789abcdef0123";
    let env = Env::new(BASELINE);
    let out = tempfile::tempdir().unwrap();
    let echo = |status| FaultKind::Message {
        status,
        message: "Upstream refused the request (Authorization: {authorization})".to_owned(),
    };
    for (status, format) in [
        (500, "human"),
        (500, "json"),
        (500, "sarif"),
        (500, "github"),
        (500, "markdown"),
        (401, "human"),
    ] {
        let mut scenario = Scenario::new(protected_repo()).fault("/repos/acme/api$", echo(status), 100);
        scenario.token = Some(canary.to_owned());
        let fake = FakeGitHub::start(scenario);
        let dir = out.path().join(format!("{format}-{status}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let emits: Vec<String> = ["human", "json", "sarif", "github", "markdown", "outputs"]
            .iter()
            .map(|kind| format!("{kind}={}", file(kind)))
            .collect();
        let mut args = vec!["--verbose", "--retries", "0", "--format", format];
        for emit in &emits {
            args.extend(["--emit", emit.as_str()]);
        }
        let run = env.protect_with(&fake, &args, &[("GITHUB_TOKEN", canary)]);
        assert_eq!(
            run.code,
            if status == 401 { 2 } else { 3 },
            "{}\n{}",
            run.stdout,
            run.stderr
        );
        // The echo did happen: the report shows the server's message.
        assert!(
            run.stdout.contains("Upstream refused") || run.stderr.contains("Upstream refused"),
            "{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(
            !run.stdout.contains("ECHOCANARY"),
            "{format}: stdout leaks:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains("ECHOCANARY"),
            "{format}: stderr leaks:\n{}",
            run.stderr
        );
        for (path, text) in files_text(&dir) {
            assert!(!text.contains("ECHOCANARY"), "{} leaks:\n{text}", path.display());
        }
    }
    // --output too.
    let mut scenario = Scenario::new(protected_repo()).fault("/repos/acme/api$", echo(500), 100);
    scenario.token = Some(canary.to_owned());
    let fake = FakeGitHub::start(scenario);
    let report = out.path().join("report.sarif");
    let run = env.protect_with(
        &fake,
        &[
            "--retries",
            "0",
            "--format",
            "sarif",
            "--output",
            report.to_str().unwrap(),
        ],
        &[("GITHUB_TOKEN", canary)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("Upstream refused") && !text.contains("ECHOCANARY"),
        "{text}"
    );
}

#[test]
fn a_server_dripping_its_answer_cannot_hold_the_run_past_the_budget() {
    let scenario = Scenario::new(protected_repo()).fault(
        "/repos/acme/api$",
        FaultKind::Drip(std::time::Duration::from_millis(1500)),
        100,
    );
    let fake = FakeGitHub::start(scenario);
    let started = std::time::Instant::now();
    let run = Env::new(BASELINE).protect(&fake, &["--budget", "4", "--retries", "0"]);
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(7), "took {took:?}");
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG913"]);
    let message = json(&run)["findings"][0]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("GET /repos/acme/api") && message.contains("budget of 4s"),
        "{message}"
    );
}

#[test]
fn an_oversized_answer_is_refused_naming_the_endpoint() {
    // Valid JSON (the answer padded with whitespace) of 40 MiB: read whole,
    // it would pass; a cap refuses it as "could not verify".
    let scenario = Scenario::new(protected_repo().branch("main", Some(good_classic()))).fault(
        "/repos/acme/api$",
        FaultKind::Padded(40 << 20),
        100,
    );
    let fake = FakeGitHub::start(scenario);
    let run = Env::new(BASELINE).protect(&fake, &["--retries", "0"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let message = json(&run)["findings"][0]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("GET /repos/acme/api") && message.contains("32 MiB"),
        "{message}"
    );
}

#[test]
fn a_token_over_plain_http_to_another_host_is_refused_unless_allowed() {
    let env = Env::new(BASELINE);
    let base = [
        "protect",
        "--repo",
        "acme/api",
        "--no-cache",
        "--retries",
        "0",
        "--timeout",
        "2",
    ];
    for url in ["http://api.github.invalid", "http://10.0.0.1:8080/api/v3"] {
        let mut args = base.to_vec();
        args.extend(["--api-url", url]);
        let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "ghp_plainhttp")]);
        assert_eq!(run.code, 2, "{url}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("--api-url") && run.stderr.contains("--allow-insecure-http"),
            "{url}: {}",
            run.stderr
        );
        // From the environment, the variable is named.
        let run = livegate_env(
            env.path(),
            &base,
            &[("GITHUB_TOKEN", "ghp_plainhttp"), ("GITHUB_API_URL", url)],
        );
        assert_eq!(run.code, 2, "{url}: {}", run.stderr);
        assert!(run.stderr.contains("GITHUB_API_URL"), "{}", run.stderr);
        // Allowed on request: sent, and failing only because nothing answers.
        args.push("--allow-insecure-http");
        let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "ghp_plainhttp")]);
        assert!(!run.stderr.contains("--allow-insecure-http"), "{}", run.stderr);
    }
    // Loopback stays allowed, by name and by address.
    let fake = FakeGitHub::start(Scenario::new(protected_repo().branch("main", Some(good_classic()))));
    let port = fake.url.rsplit(':').next().unwrap().to_owned();
    for url in [fake.url.clone(), format!("http://localhost:{port}")] {
        let mut args = base.to_vec();
        args.extend(["--api-url", url.as_str(), "--format", "json"]);
        let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
        assert_eq!(run.code, 0, "{url}: {}\n{}", run.stdout, run.stderr);
    }
}

#[test]
fn a_token_with_control_characters_is_rejected_naming_its_source() {
    let fake = FakeGitHub::start(Scenario::new(protected_repo()));
    let env = Env::new(BASELINE);
    for (name, value) in [
        ("GITHUB_TOKEN", "ghp_abc\ndef"),
        ("GH_TOKEN", "ghp_abc\u{7f}def"),
        ("GITHUB_TOKEN", "ghp_\u{1b}[2J"),
    ] {
        let run = env.protect_with(&fake, &[], &[(name, value)]);
        assert_eq!(run.code, 2, "{name}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(name) && run.stderr.contains("control character"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let token_file = env.path().join("token");
    std::fs::write(&token_file, "ghp_first\nghp_second\n").unwrap();
    let run = env.protect_with(&fake, &["--token-file", token_file.to_str().unwrap()], &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--token-file"), "{}", run.stderr);
    assert!(!run.stderr.contains("ghp_first"), "{}", run.stderr);
}

/// An API error message that tries to drive the terminal (ESC, BEL), to
/// start a workflow command on a line of its own, and to reverse text.
const HOSTILE_MESSAGE: &str =
    "Server Error \u{1b}]0;owned\u{7}\u{1b}[31m\n::error::injected\r::warning::too \u{202e}txt.exe\u{2066}";

fn assert_inert(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{2066}', '\u{9b}'] {
        assert!(!text.contains(c), "{what}: raw {c:?} in:\n{text}");
    }
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("::error::injected") || l.trim_start().starts_with("::warning::too")),
        "{what}: a line starts a workflow command:\n{text}"
    );
}

#[test]
fn control_and_bidi_characters_from_the_api_are_escaped_in_every_output() {
    let env = Env::new(BASELINE);
    let hostile = |status| FaultKind::Message {
        status,
        message: HOSTILE_MESSAGE.to_owned(),
    };
    for format in ["human", "github", "markdown"] {
        let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/repos/acme/api$", hostile(500), 100));
        let run = env.protect(
            &fake,
            &["--verbose", "--retries", "1", "--format", format, "--color", "never"],
        );
        assert_eq!(run.code, 3, "{format}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("injected"), "{format}: {}", run.stdout);
        assert_inert(&format!("{format} stdout"), &run.stdout);
        // --verbose shows the retry with the server's message.
        assert!(run.stderr.contains("injected"), "{}", run.stderr);
        assert_inert(&format!("{format} --verbose"), &run.stderr);
    }
    // Shown escaped, so a reader still sees what the server sent.
    let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/repos/acme/api$", hostile(500), 100));
    let run = env.protect(&fake, &["--retries", "0", "--format", "human", "--color", "never"]);
    assert!(
        run.stdout.contains("\\u{1b}") && run.stdout.contains("<U+202E>"),
        "{}",
        run.stdout
    );
    // An error message on stderr (exit 2).
    let fake = FakeGitHub::start(Scenario::new(protected_repo()).fault("/repos/acme/api$", hostile(401), 100));
    let run = env.protect(&fake, &["--format", "human"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("injected"), "{}", run.stderr);
    assert_inert("stderr", &run.stderr);
}

#[test]
fn a_github_app_installation_token_or_jwt_echoed_by_the_server_is_scrubbed() {
    let env = Env::new(BASELINE);
    let key = env.path().join("app.pem");
    let status = std::process::Command::new("openssl")
        .args(["genrsa", "-out", key.to_str().unwrap(), "2048"])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed (Debian: apt-get install openssl)");
    assert!(status.success());
    let echo = FaultKind::Message {
        status: 500,
        message: "Upstream refused the request (Authorization: {authorization})".to_owned(),
    };
    // The installation token (fetched inside the HTTP library, never seen
    // by livegate) echoed by a repository endpoint; the App's JWT echoed by
    // the installation token endpoint.
    for path in ["/repos/acme/api$", "/access_tokens"] {
        let mut scenario = Scenario::new(protected_repo()).fault(path, echo.clone(), 100);
        scenario.app = Some((1234, 99));
        scenario.token = Some("ghs_16C7e42F292c6912E7710c838347Ae178B4a".to_owned());
        let fake = FakeGitHub::start(scenario);
        let run = env.protect_with(
            &fake,
            &[
                "--retries",
                "0",
                "--verbose",
                "--format",
                "human",
                "--app-id",
                "1234",
                "--app-key",
                key.to_str().unwrap(),
                "--installation-id",
                "99",
            ],
            &[],
        );
        let all = format!("{}\n{}", run.stdout, run.stderr);
        assert!(all.contains("Upstream refused"), "{path}: {all}");
        assert!(!all.contains("16C7e42F292c6912E7710c838347Ae178B4a"), "{path}: {all}");
        assert!(!all.contains("Bearer eyJ"), "{path}: {all}");
    }
}
