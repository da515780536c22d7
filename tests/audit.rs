//! `livegate audit` against the fake GitHub API: each setting compliant and
//! not, unknown permissions, drift through --baseline, tracking issues, an
//! organisation with pagination and per-repository faults.

mod support;

use std::path::Path;

use serde_json::Value;
use support::fake_github::{Access, FakeGitHub, FaultKind, Repo, Scenario};
use support::fake_settings::{Hook, Org};
use support::{livegate_env, Run};

const POLICY: &str = "[settings]\nvisibility = \"private\"\nallow-forking = false\nmax-admins = 2\noutside-collaborators-max = \"read\"\ndefault-workflow-permissions = \"read\"\nactions-can-approve-pull-requests = false\nrequire-secret-scanning = true\nrequire-push-protection = true\nrequire-dependabot-alerts = true\nrequire-codeowners = true\nrequire-two-factor = true\nbase-permission-max = \"read\"\nmembers-can-create-public-repositories = false\nmax-org-admins = 2\nteam-permission-max = \"write\"\n[settings.team-permission-exceptions]\nplatform = \"admin\"\n";

/// A repository that meets POLICY.
fn compliant(full: &str) -> Repo {
    Repo::new(full)
        .allow_forking(false)
        .secret_scanning(Some(true))
        .push_protection(Some(true))
        .dependabot_alerts(true)
        .codeowners(&[])
        .collaborator("alice", "admin")
        .collaborator("bob", "write")
        .outside_collaborator("contractor", "read")
        .team("devs", "push")
        .team("platform", "admin")
        .deploy_key(1, "ci", true)
        .hook(Hook::new(7, "https://ci.example.net/hook").secret(true))
        .workflow_permissions("read", false)
}

fn compliant_org(login: &str) -> Org {
    Org::new(login)
        .two_factor_required(true)
        .default_repository_permission("read")
        .members_can_create_public_repositories(false)
        .admin("root")
        .member("alice")
        .member("bob")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("livegate.toml"), POLICY).unwrap();
        Env { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `--org acme` compared with the snapshot file `baseline` and writing
    /// the snapshot file `snapshot`, both in the test's directory.
    fn org_rerun(&self, fake: &FakeGitHub, baseline: &str, snapshot: &str, extra: &[&str]) -> Run {
        let baseline = self.path().join(baseline);
        let snapshot = self.path().join(snapshot);
        let mut args = vec![
            "--org",
            "acme",
            "--baseline",
            baseline.to_str().unwrap(),
            "--snapshot",
            snapshot.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.audit(fake, &args)
    }

    /// The repositories a snapshot file in the test's directory holds.
    fn snapshot_names(&self, snapshot: &str) -> Vec<String> {
        let text = std::fs::read_to_string(self.path().join(snapshot)).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        doc["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["full_name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn audit(&self, fake: &FakeGitHub, extra: &[&str]) -> Run {
        let mut args = vec!["audit", "--api-url", &fake.url, "--no-cache", "--format", "json"];
        args.extend_from_slice(extra);
        livegate_env(self.path(), &args, &[("GITHUB_TOKEN", "test-token")])
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", run.stdout, run.stderr))
}

fn findings(run: &Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn codes(run: &Run) -> Vec<String> {
    findings(run).into_iter().map(|(c, _)| c).collect()
}

#[test]
fn a_compliant_repository_passes() {
    let fake = FakeGitHub::start(Scenario::new(compliant("acme/api")));
    let env = Env::new();
    let run = env.audit(&fake, &["--repo", "acme/api"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), Vec::<String>::new());
    assert_eq!(json(&run)["audited"], 1);
}

#[test]
fn each_repository_setting_out_of_policy_is_reported() {
    type Change = fn(Repo) -> Repo;
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        ("visibility", |r| r.public(), "LG501", "acme/api is public"),
        ("forking", |r| r.allow_forking(true), "LG502", "allows forking"),
        (
            "admins",
            |r| r.collaborator("carol", "admin"),
            "LG503",
            "3 admins (users: alice, carol; teams: platform)",
        ),
        (
            "team",
            |r| r.team("everyone", "maintain"),
            "LG505",
            "team `everyone` has maintain; team-permission-max = write",
        ),
        (
            "outside",
            |r| r.outside_collaborator("eve", "write"),
            "LG504",
            "@eve has write",
        ),
        (
            "deploy key",
            |r| r.deploy_key(9, "box", false),
            "LG506",
            "\"box\" (id 9) has write access",
        ),
        (
            "webhook",
            |r| {
                r.hook(
                    Hook::new(8, "http://hooks.example.net/x")
                        .insecure_ssl(true)
                        .secret(false),
                )
            },
            "LG507",
            "a plain http:// URL, SSL verification off, no secret",
        ),
        ("token", |r| r.workflow_permissions("write", false), "LG508", "write"),
        (
            "approve",
            |r| r.workflow_permissions("read", true),
            "LG509",
            "can approve",
        ),
        (
            "secret scanning",
            |r| r.secret_scanning(Some(false)),
            "LG510",
            "secret scanning is disabled",
        ),
        (
            "push protection",
            |r| r.push_protection(None),
            "LG510",
            "push protection is not available",
        ),
        (
            "dependabot",
            |r| r.dependabot_alerts(false),
            "LG512",
            "Dependabot alerts are disabled",
        ),
        (
            "codeowners errors",
            |r| r.codeowners(&[(3, "Unknown owner on line 3")]),
            "LG513",
            "line 3",
        ),
        (
            "no codeowners",
            |mut r| {
                r.codeowners = None;
                r
            },
            "LG513",
            "no CODEOWNERS",
        ),
    ];
    let env = Env::new();
    for (name, change, code, text) in cases {
        let fake = FakeGitHub::start(Scenario::new(change(compliant("acme/api"))));
        let run = env.audit(&fake, &["--repo", "acme/api"]);
        let found = findings(&run);
        assert_eq!(found.len(), 1, "{name}: {found:?}\n{}", run.stdout);
        assert_eq!(found[0].0, code, "{name}");
        assert!(found[0].1.contains(text), "{name}: {}", found[0].1);
        // Warnings do not fail at the default --fail-on error.
        let severity = livegate::registry::lookup(code).unwrap().severity;
        let expected = if severity == livegate::report::finding::Severity::Error {
            1
        } else {
            0
        };
        assert_eq!(run.code, expected, "{name}: {}", run.stderr);
    }
}

#[test]
fn settings_the_token_cannot_read_are_unknown_not_compliant() {
    let mut scenario = Scenario::new(compliant("acme/api"));
    scenario.access = Access::Write;
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let run = env.audit(&fake, &["--repo", "acme/api"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let found = findings(&run);
    assert!(found.iter().all(|(c, _)| c == "LG915"), "{found:?}");
    let text: String = found.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join("\n");
    for setting in [
        "deploy keys",
        "webhooks",
        "Dependabot alerts",
        "secret scanning",
        "Actions workflow permissions",
    ] {
        assert!(text.contains(setting), "{setting} missing:\n{text}");
    }
    assert!(text.contains("Administration: read"), "{text}");
    // No admin-only endpoint was even asked: the repository object said so.
    assert!(fake
        .log()
        .iter()
        .all(|l| !l.path.ends_with("/hooks") && !l.path.ends_with("/keys")));

    let allowed = env.audit(&fake, &["--repo", "acme/api", "--allow-unknown"]);
    assert_eq!(allowed.code, 0, "{}\n{}", allowed.stdout, allowed.stderr);
    assert!(codes(&allowed).iter().all(|c| c == "LG590"));
    assert!(!codes(&allowed).is_empty());
}

#[test]
fn a_visibility_flip_is_caught_through_the_baseline() {
    let fake = FakeGitHub::start(Scenario::new(compliant("acme/complaints")));
    let env = Env::new();
    let snapshot = env.path().join("monday.json");
    let run = env.audit(
        &fake,
        &["--repo", "acme/complaints", "--snapshot", snapshot.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    assert_eq!(doc["livegate_snapshot"], 1);
    assert_eq!(doc["repositories"][0]["visibility"], "private");

    // The access change: the repository turns public and someone gains admin.
    fake.update(|s| {
        let repo = s.repos[0].clone().public().collaborator("mallory", "admin");
        s.repos[0] = repo;
    });
    let tuesday = env.path().join("tuesday.json");
    let run = env.audit(
        &fake,
        &[
            "--repo",
            "acme/complaints",
            "--baseline",
            snapshot.to_str().unwrap(),
            "--snapshot",
            tuesday.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found = findings(&run);
    assert!(
        found.iter().any(|(c, m)| c == "LG580"
            && m.contains("visibility private → public (less safe); anyone, signed in or not, can now read it")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "LG580" && m.contains("admins") && m.contains("now administer it: @mallory")),
        "{found:?}"
    );
    assert!(found.iter().any(|(c, _)| c == "LG501"));
    let changes = json(&run)["changes"].as_array().unwrap().clone();
    let visibility = changes.iter().find(|c| c["setting"] == "visibility").unwrap();
    assert_eq!(visibility["before"], "private");
    assert_eq!(visibility["after"], "public");
    assert_eq!(visibility["loosened"], true);
    assert_eq!(
        visibility["impact"],
        "anyone, signed in or not, can now read it, its whole history included"
    );
}

#[test]
fn tracking_issues_are_opened_updated_and_closed_without_duplicates() {
    let mut scenario = Scenario::new(compliant("acme/api").public());
    scenario.repos.push(Repo::new("acme/security"));
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let args = ["--repo", "acme/api", "--issue-repo", "acme/security"];
    let run = env.audit(&fake, &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let issues = fake.issues("acme/security");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].state, "open");
    assert!(issues[0]
        .body
        .as_deref()
        .unwrap()
        .contains("<!-- livegate-audit:acme/api -->"));
    assert!(issues[0].body.as_deref().unwrap().contains("LG501"));

    // A rerun with the same findings touches nothing and opens nothing.
    let run = env.audit(&fake, &args);
    assert_eq!(json(&run)["issues"]["unchanged"][0], "acme/api");
    assert_eq!(fake.issues("acme/security").len(), 1);

    // A new finding updates the body; renaming the issue changes nothing.
    fake.update(|s| {
        s.repos[0] = s.repos[0].clone().deploy_key(9, "box", false);
        for repo in &mut s.repos {
            for issue in &mut repo.issues {
                issue.title = "renamed by someone".to_owned();
            }
        }
    });
    let run = env.audit(&fake, &args);
    assert_eq!(json(&run)["issues"]["updated"][0], "acme/api");
    let issues = fake.issues("acme/security");
    assert_eq!(issues.len(), 1);
    assert!(issues[0].body.as_deref().unwrap().contains("LG506"));

    // Fixed: closed with a comment.
    fake.update(|s| s.repos[0] = compliant("acme/api"));
    let run = env.audit(&fake, &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let issues = fake.issues("acme/security");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].state, "closed");
    assert!(
        issues[0].comments.iter().any(|c| c.contains("now meets the policy")),
        "{:?}",
        issues[0].comments
    );
    // The comment and the close are a second apart, as GitHub asks of
    // mutative requests.
    let log = fake.log();
    let writes: Vec<_> = log.iter().filter(|l| l.method != "GET").collect();
    let [.., comment, close] = writes.as_slice() else {
        panic!("a comment and a close: {writes:?}")
    };
    assert_eq!((comment.method.as_str(), close.method.as_str()), ("POST", "PATCH"));
    let gap = close.received.duration_since(comment.received);
    assert!(gap >= std::time::Duration::from_millis(900), "{gap:?}");
}

#[test]
fn an_organisation_is_listed_page_by_page_and_one_failing_repository_does_not_stop_the_rest() {
    let mut scenario = Scenario::new(compliant("acme/r00")).org(compliant_org("acme"));
    for i in 1..12 {
        let mut repo = compliant(&format!("acme/r{i:02}"));
        if i == 5 {
            repo = repo.public();
        }
        if i == 11 {
            repo = repo.archived();
        }
        scenario.repos.push(repo);
    }
    let scenario = scenario
        .with_page_size(5)
        .fault("/repos/acme/r07/hooks", FaultKind::Status(500), 100);
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let run = env.audit(&fake, &["--org", "acme", "--retries", "1", "--concurrency", "4"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let doc = json(&run);
    assert_eq!(doc["audited"], 10, "12 repositories, one archived, one failing");
    assert_eq!(doc["failed"][0], "acme/r07");
    let found = findings(&run);
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "LG501" && m.contains("acme/r05 is public")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(c, m)| c == "LG913" && m.contains("acme/r07")),
        "{found:?}"
    );
    let listing_pages = fake.log().iter().filter(|l| l.path == "/orgs/acme/repos").count();
    assert_eq!(listing_pages, 3, "12 repositories at 5 per page");

    let archived = env.audit(
        &fake,
        &[
            "--org",
            "acme",
            "--include-archived",
            "--exclude",
            "r0*",
            "--retries",
            "0",
        ],
    );
    assert_eq!(json(&archived)["audited"], 2, "r10 and the archived r11");
}

#[test]
fn organisation_settings_are_checked() {
    let org = Org::new("acme")
        .default_repository_permission("write")
        .admin("a")
        .admin("b")
        .admin("c")
        .hook(Hook::new(3, "https://hooks.example.net/org").secret(false))
        .workflow_permissions("write", true);
    let scenario = Scenario::new(compliant("acme/api")).org(org);
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let run = env.audit(&fake, &["--org", "acme"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found = codes(&run);
    for code in ["LG507", "LG508", "LG509", "LG520", "LG521", "LG522", "LG523"] {
        assert!(found.contains(&code.to_owned()), "{code} missing: {found:?}");
    }

    let mut hidden = Scenario::new(compliant("acme/api")).org(compliant_org("acme"));
    hidden.org_admin = false;
    let fake = FakeGitHub::start(hidden);
    let run = env.audit(&fake, &["--org", "acme"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(findings(&run)
        .iter()
        .any(|(c, m)| c == "LG915" && m.contains("two_factor_requirement_enabled")));
}

#[test]
fn bad_input_is_named() {
    let fake = FakeGitHub::start(Scenario::new(compliant("acme/api")));
    let env = Env::new();
    let run = env.audit(&fake, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--repo OWNER/NAME"), "{}", run.stderr);
    let run = env.audit(&fake, &["--repo", "acme/nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--repo acme/nope: repository not found"),
        "{}",
        run.stderr
    );
    let run = env.audit(&fake, &["--org", "acme", "--property", "novalue"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--property `novalue`"), "{}", run.stderr);
    let broken = env.path().join("broken.json");
    std::fs::write(&broken, "{}").unwrap();
    let run = env.audit(&fake, &["--repo", "acme/api", "--baseline", broken.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a livegate snapshot"), "{}", run.stderr);
    let run = env.audit(&fake, &["--org", "acme", "--concurrency", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--concurrency"), "{}", run.stderr);
    assert!(run.stderr.contains("1..=64"), "{}", run.stderr);
}

#[test]
fn with_protection_a_removed_branch_protection_is_drift() {
    use support::fake_github::Classic;
    let protected = || {
        compliant("acme/api").branch(
            "main",
            Some(Classic {
                approvals: Some(1),
                dismiss_stale: true,
                enforce_admins: true,
                ..Classic::default()
            }),
        )
    };
    let fake = FakeGitHub::start(Scenario::new(protected()));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("livegate.toml"),
        format!("extends = \"baseline\"\n{POLICY}"),
    )
    .unwrap();
    let env = Env { dir };
    let snapshot = env.path().join("before.json");
    let run = env.audit(
        &fake,
        &[
            "--repo",
            "acme/api",
            "--protection",
            "--snapshot",
            snapshot.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let main = &doc["repositories"][0]["protection"]["main"];
    assert_eq!(main["required approvals (required 1)"]["ok"], true, "{main}");

    // Someone lowers the approvals to none and lets admins bypass.
    fake.update(|s| s.repos[0] = compliant("acme/api").branch("main", None));
    let run = env.audit(
        &fake,
        &[
            "--repo",
            "acme/api",
            "--protection",
            "--baseline",
            snapshot.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found = findings(&run);
    assert!(found.iter().any(|(c, _)| c == "LG101"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "LG580" && m.contains("protection of main: required approvals")),
        "{found:?}"
    );
}

#[test]
fn a_repository_that_cannot_be_audited_keeps_its_baseline_entry() {
    let mut scenario = Scenario::new(compliant("acme/api")).org(compliant_org("acme"));
    scenario.repos.push(compliant("acme/web"));
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let first = env.path().join("first.json");
    let run = env.audit(&fake, &["--org", "acme", "--snapshot", first.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // acme/web cannot be read this time: its previous state is kept.
    fake.update(|s| {
        s.faults.push(support::fake_github::Fault {
            path: "/repos/acme/web/hooks".to_owned(),
            kind: FaultKind::Status(500),
            times: 100,
        })
    });
    let run = env.org_rerun(&fake, "first.json", "second.json", &["--retries", "0"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&run)["failed"][0], "acme/web");
    assert_eq!(env.snapshot_names("second.json"), ["acme/api", "acme/web"]);

    // Readable again, and public meanwhile: a loosening against the kept
    // state, not a repository that merely "appeared".
    fake.update(|s| {
        s.faults.clear();
        let web = s.repos.iter_mut().find(|r| r.name == "web").unwrap();
        *web = compliant("acme/web").public();
    });
    let run = env.org_rerun(&fake, "second.json", "third.json", &[]);
    let found = findings(&run);
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "LG580" && m.contains("acme/web: visibility private → public")),
        "{found:?}"
    );
    assert!(found.iter().all(|(c, _)| c != "LG582"), "{found:?}");
}

#[test]
fn a_rate_limit_pause_holds_every_worker() {
    let scenario = Scenario::org_with_repos("acme", 16)
        .latency(std::time::Duration::from_millis(20))
        .fault(
            "/repos/acme/repo-0003/hooks",
            FaultKind::SecondaryLimit {
                status: 429,
                retry_after: 2,
            },
            1,
        );
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let run = env.audit(&fake, &["--org", "acme", "--concurrency", "4", "--verbose"]);
    let doc = json(&run);
    assert_eq!(doc["audited"], 16, "{}\n{}", run.stdout, run.stderr);
    // --verbose shows the workers' requests and the pause.
    assert!(run.stderr.contains("GET /repos/acme/repo-0012/hooks"), "{}", run.stderr);
    assert!(run.stderr.contains("GitHub asked for a pause"), "{}", run.stderr);
    assert!(doc["api"]["rate_limit_waits"].as_u64().unwrap() >= 1, "{}", doc["api"]);
    let log = fake.log();
    let limited = log.iter().find(|l| l.status == 429).expect("the 429 was served");
    let quiet_from = limited.answered + std::time::Duration::from_millis(150);
    let quiet_to = limited.answered + std::time::Duration::from_millis(950);
    let during: Vec<&str> = log
        .iter()
        .filter(|l| l.received > quiet_from && l.received < quiet_to)
        .map(|l| l.path.as_str())
        .collect();
    assert!(
        during.is_empty(),
        "requests sent during the pause GitHub asked for: {during:?}"
    );
    let after = log.iter().filter(|l| l.received >= quiet_to).count();
    assert!(after > 16, "the audit went on after the pause ({after} requests)");
}

#[test]
fn a_used_up_quota_stops_the_audit_instead_of_hammering_github() {
    let fake = FakeGitHub::start(Scenario::org_with_repos("acme", 30));
    let env = Env::new();
    let first = env.path().join("first.json");
    let run = env.audit(&fake, &["--org", "acme", "--snapshot", first.to_str().unwrap()]);
    assert_eq!(json(&run)["audited"], 29, "30 repositories, 1 archived");
    let before = fake.log().len();
    fake.set_remaining(40);
    let run = env.org_rerun(&fake, "first.json", "second.json", &["--concurrency", "4"]);
    let stopped = stopped_early(&run);
    // Every repository is accounted for: audited, failed, or not audited.
    let doc = json(&run);
    let accounted = doc["audited"].as_u64().unwrap()
        + doc["failed"].as_array().unwrap().len() as u64
        + doc["skipped"].as_u64().unwrap();
    assert_eq!(accounted, 29, "{doc}");
    assert!(stopped.contains("rate limited until"), "{stopped}");
    assert!(stopped.contains("rerun after the reset"), "{stopped}");
    // Once GitHub said the quota was used up, nothing more is sent but what
    // was already on its way: at most one request of each of the 4 workers
    // and of the listing.
    let log = &fake.log()[before..];
    let refused = log.iter().filter(|l| l.status == 403).count();
    assert!(log.len() <= 40 + 5, "{} requests for a quota of 40", log.len());
    assert!(refused <= 5, "{refused} requests refused after the quota was used up");
    // What was not audited keeps its previous state in the new snapshot.
    assert_eq!(env.snapshot_names("second.json"), env.snapshot_names("first.json"));
}

#[test]
fn a_spent_time_budget_stops_the_audit_and_says_what_was_left() {
    // The organisation's own requests take about 0.7 s; the 30 repositories
    // would take about 10 s on two workers.
    let scenario = Scenario::org_with_repos("acme", 30).latency(std::time::Duration::from_millis(100));
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let run = env.audit(&fake, &["--org", "acme", "--concurrency", "2", "--budget", "2"]);
    let stopped = stopped_early(&run);
    assert!(stopped.contains("the time budget of 2s is spent"), "{stopped}");
    assert!(json(&run)["audited"].as_u64().unwrap() < 30);
}

/// An audit that stopped early: exit 3, repositories skipped, and one LG913
/// saying so, whose message is returned.
fn stopped_early(run: &Run) -> String {
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let doc = json(run);
    assert!(doc["skipped"].as_u64().unwrap() > 0, "{doc}");
    let found = findings(run);
    let stopped: Vec<_> = found
        .iter()
        .filter(|(c, m)| c == "LG913" && m.contains("the audit stopped early"))
        .collect();
    assert_eq!(stopped.len(), 1, "{found:?}");
    stopped[0].1.clone()
}

#[test]
fn webhook_urls_are_credentials_shown_as_scheme_and_host_and_kept_as_a_keyed_digest() {
    const SLACK: &str = "https://hooks.slack.com/services/T0001/B0002/XXXXsecretXXXXsecretXXXX";
    let mut scenario = Scenario::new(compliant("acme/api").hook(Hook::new(9, SLACK).secret(false)).public());
    scenario.repos.push(Repo::new("acme/security"));
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let snapshot = env.path().join("snap.json");
    let sarif = env.path().join("out.sarif");
    let markdown = env.path().join("out.md");
    let emits = [
        format!("sarif={}", sarif.display()),
        format!("markdown={}", markdown.display()),
    ];
    let args = [
        "--repo",
        "acme/api",
        "--issue-repo",
        "acme/security",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--emit",
        &emits[0],
        "--emit",
        &emits[1],
        "--verbose",
    ];
    let run = env.audit(&fake, &args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        findings(&run)
            .iter()
            .any(|(c, m)| c == "LG507" && m.contains("https://hooks.slack.com/…")),
        "{:?}",
        findings(&run)
    );
    let issue_bodies: String = fake
        .issues("acme/security")
        .iter()
        .filter_map(|i| i.body.clone())
        .collect();
    for (what, text) in [
        ("stdout", run.stdout.clone()),
        ("stderr", run.stderr.clone()),
        ("snapshot", std::fs::read_to_string(&snapshot).unwrap()),
        ("sarif", std::fs::read_to_string(&sarif).unwrap()),
        ("markdown", std::fs::read_to_string(&markdown).unwrap()),
        ("issues", issue_bodies),
    ] {
        assert!(
            !text.contains("XXXXsecret") && !text.contains("/services/"),
            "{what} holds the webhook URL"
        );
    }
    for format in ["human", "github", "markdown", "sarif"] {
        let run = livegate_env(
            env.path(),
            &[
                "audit",
                "--api-url",
                &fake.url,
                "--no-cache",
                "--repo",
                "acme/api",
                "--format",
                format,
            ],
            &[("GITHUB_TOKEN", "test-token")],
        );
        assert!(
            !run.stdout.contains("XXXXsecret"),
            "--format {format} holds the webhook URL"
        );
    }

    // A new target behind the same host is still drift: the digest changed.
    fake.update(|s| {
        let hook = s.repos[0].hooks.iter_mut().find(|h| h.id == 9).unwrap();
        hook.url = "https://hooks.slack.com/services/T0001/B0002/YYYYotherYYYYotherYYYY".to_owned();
    });
    let rerun = env.audit(&fake, &["--repo", "acme/api", "--baseline", snapshot.to_str().unwrap()]);
    let changes = json(&rerun)["changes"].as_array().unwrap().clone();
    assert!(
        changes.iter().any(|c| c["setting"] == "hooks"),
        "a changed webhook target is drift: {changes:?}"
    );
    assert!(!rerun.stdout.contains("YYYYother"));
}

#[test]
fn a_named_repository_whose_own_read_fails_keeps_its_baseline_entry() {
    let mut scenario = Scenario::new(compliant("acme/api"));
    scenario.repos.push(compliant("acme/web"));
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let path = |name: &str| env.path().join(name).to_str().unwrap().to_owned();
    let repos = ["--repo", "acme/api", "--repo", "acme/web"];
    let run = env.audit(&fake, &[&repos[..], &["--snapshot", &path("first.json")]].concat());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    fake.update(|s| {
        s.faults.push(support::fake_github::Fault {
            path: "/repos/acme/web$".to_owned(),
            kind: FaultKind::Status(502),
            times: 100,
        })
    });
    let (first, second) = (path("first.json"), path("second.json"));
    let args = [
        &repos[..],
        &["--retries", "0", "--baseline", &first, "--snapshot", &second],
    ]
    .concat();
    let run = env.audit(&fake, &args);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&run)["failed"], serde_json::json!(["acme/web"]));
    assert_eq!(env.snapshot_names("second.json"), ["acme/api", "acme/web"]);

    // Readable again with a new admin: reported against the kept entry.
    fake.update(|s| {
        s.faults.clear();
        let web = s.repos.iter_mut().find(|r| r.name == "web").unwrap();
        *web = compliant("acme/web").collaborator("mallory", "admin");
    });
    let run = env.audit(&fake, &[&repos[..], &["--baseline", &path("second.json")]].concat());
    let found = findings(&run);
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "LG580" && m.contains("acme/web") && m.contains("@mallory")),
        "{found:?}"
    );
}

#[test]
fn an_unreadable_setting_keeps_its_last_known_value_so_a_later_loosening_is_still_one() {
    let fake = FakeGitHub::start(Scenario::new(compliant("acme/api")));
    let env = Env::new();
    let path = |name: &str| env.path().join(name).to_str().unwrap().to_owned();
    let run = env.audit(&fake, &["--repo", "acme/api", "--snapshot", &path("first.json")]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // The collaborators cannot be read this time (a token without admin).
    fake.update(|s| {
        s.faults.push(support::fake_github::Fault {
            path: "/repos/acme/api/collaborators".to_owned(),
            kind: FaultKind::Status(403),
            times: 100,
        })
    });
    let run = env.audit(
        &fake,
        &[
            "--repo",
            "acme/api",
            "--baseline",
            &path("first.json"),
            "--snapshot",
            &path("second.json"),
        ],
    );
    assert_eq!(
        run.code, 3,
        "unreadable is still unverified: {}\n{}",
        run.stdout, run.stderr
    );
    let second: Value = serde_json::from_str(&std::fs::read_to_string(path("second.json")).unwrap()).unwrap();
    assert_eq!(
        second["repositories"][0]["admins"],
        serde_json::json!({"state": "known", "value": ["alice"]}),
        "the last known admins are kept"
    );

    // Readable again, with an admin added meanwhile: a loosening, not a note.
    fake.update(|s| {
        s.faults.clear();
        s.repos[0] = compliant("acme/api").collaborator("mallory", "admin");
    });
    let run = env.audit(&fake, &["--repo", "acme/api", "--baseline", &path("second.json")]);
    let found = findings(&run);
    assert!(
        found.iter().any(|(c, m)| c == "LG580" && m.contains("@mallory")),
        "{found:?}"
    );
}

#[test]
fn a_token_echoed_by_the_server_never_reaches_the_report_the_snapshot_or_an_issue() {
    let canary = "ghp_AUDITECHOCANARY0123456789abcdef";
    let mut scenario = Scenario::new(compliant("acme/api")).fault(
        "/repos/acme/api/hooks",
        FaultKind::Message {
            status: 500,
            message: "Upstream refused the request (Authorization: {authorization})".to_owned(),
        },
        100,
    );
    scenario.token = Some(canary.to_owned());
    let fake = FakeGitHub::start(scenario);
    let env = Env::new();
    let snapshot = env.path().join("snapshot.json");
    let sarif = env.path().join("audit.sarif");
    let markdown = env.path().join("audit.md");
    let sarif_emit = format!("sarif={}", sarif.display());
    let markdown_emit = format!("markdown={}", markdown.display());
    for format in ["human", "json", "github"] {
        let args = [
            "audit",
            "--api-url",
            &fake.url,
            "--no-cache",
            "--repo",
            "acme/api",
            "--retries",
            "0",
            "--verbose",
            "--format",
            format,
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--issue-repo",
            "acme/api",
            "--emit",
            &sarif_emit,
            "--emit",
            &markdown_emit,
        ];
        let run = livegate_env(env.path(), &args, &[("GITHUB_TOKEN", canary)]);
        assert_eq!(run.code, 3, "{format}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Upstream refused"), "{format}: {}", run.stdout);
        assert!(
            !run.stdout.contains("AUDITECHOCANARY"),
            "{format} stdout:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains("AUDITECHOCANARY"),
            "{format} stderr:\n{}",
            run.stderr
        );
        for path in [&snapshot, &sarif, &markdown] {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            assert!(!text.contains("AUDITECHOCANARY"), "{} leaks:\n{text}", path.display());
        }
        for issue in fake.issues("acme/api") {
            let text = format!("{issue:?}");
            assert!(!text.contains("AUDITECHOCANARY"), "issue leaks:\n{text}");
        }
    }
}
