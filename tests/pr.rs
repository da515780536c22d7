//! `livegate pr` end to end: the binary against the fake GitHub API, with
//! real-shaped event payload files, as GitHub Actions runs it.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::fake_github::{FakeGitHub, FaultKind, Pull, PullCommit, PullFile, PullReview, Repo, Scenario};
use support::{livegate_env, Run, TestRepo};

const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
const OLD_HEAD: &str = "abc1234def567890abc1234def567890abc12345";
const BASE: &str = "1111111111111111111111111111111111111111";

/// Base-branch policy: two approvals, stale approvals invalid, code owners,
/// a DBA rule for migrations.
const POLICY: &str = "extends = \"baseline\"\n\n[review]\nrequired-approvals = 2\ndismiss-stale = true\nrequire-code-owner-review = true\n\n[[review.rules]]\npaths = [\"migrations/**\"]\nrequired-approvals = 2\nteams = [\"acme/dba\"]\n";
const CODEOWNERS: &str = "* @acme/devs\nmigrations/ @acme/dba\ndocs/\n/.github/livegate.toml @root\n";

fn commit(sha: &str, login: &str) -> PullCommit {
    PullCommit {
        sha: sha.to_owned(),
        author_login: Some(login.to_owned()),
        committer_login: Some(login.to_owned()),
        author_name: login.to_owned(),
        author_email: format!("{login}@users.noreply.github.com"),
        committer_name: login.to_owned(),
        committer_email: format!("{login}@users.noreply.github.com"),
        message: "Change".to_owned(),
    }
}

fn review(id: u64, login: &str, state: &str, commit_id: &str) -> PullReview {
    PullReview {
        id,
        login: Some(login.to_owned()),
        user_type: if login.ends_with("[bot]") { "Bot" } else { "User" }.to_owned(),
        state: state.to_owned(),
        commit_id: commit_id.to_owned(),
        submitted_at: format!("2026-11-20T10:{:02}:00Z", id % 60),
    }
}

fn pull(files: Vec<PullFile>, reviews: Vec<PullReview>) -> Pull {
    let mut pull = Pull::new(7, "author", HEAD);
    pull.base_sha = BASE.to_owned();
    for file in files {
        pull = pull.file(file);
    }
    pull = pull.commit(commit(HEAD, "author"));
    for review in reviews {
        pull = pull.review(review);
    }
    pull
}

/// A one-line change to production code that no rule or owner singles out.
fn lib_change() -> PullFile {
    PullFile::modified("src/lib.rs", "@@ -1,1 +1,2 @@\n fn a() {}\n+fn b() {}")
}

/// A new migration: under the DBA path rule and owned by @acme/dba.
fn migration_change() -> PullFile {
    PullFile::added("migrations/2024_01_seed.sql", "CREATE TABLE t (id int);\n")
}

/// `livegate pr --repo acme/api --number N` with a token, outside Actions.
fn pr_by_number(fake: &FakeGitHub, number: &str, token: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    livegate_env(
        dir.path(),
        &[
            "pr",
            "--repo",
            "acme/api",
            "--number",
            number,
            "--api-url",
            &fake.url,
            "--no-cache",
        ],
        &[("GITHUB_TOKEN", token)],
    )
}

fn repo(pull: Pull) -> Repo {
    let mut repo = Repo::new("acme/api")
        .content("main", ".github/livegate.toml", POLICY.as_bytes().to_vec())
        .content("main", ".github/CODEOWNERS", CODEOWNERS.as_bytes().to_vec());
    for (login, role) in [
        ("author", "write"),
        ("alice", "write"),
        ("bob", "write"),
        ("dan", "write"),
        ("root", "admin"),
        ("reader", "read"),
    ] {
        repo = repo.collaborator(login, role);
    }
    repo.pulls.push(pull);
    repo
}

fn scenario(pull: Pull) -> Scenario {
    let mut scenario = Scenario::new(repo(pull));
    scenario.teams.push((
        "acme".to_owned(),
        "devs".to_owned(),
        vec!["alice".to_owned(), "bob".to_owned(), "author".to_owned()],
    ));
    scenario
        .teams
        .push(("acme".to_owned(), "dba".to_owned(), vec!["dan".to_owned()]));
    scenario
}

/// Runs `livegate pr` as a pull_request workflow would: event payload file,
/// token and API URL from the environment, in an empty working directory.
fn run_event(
    fake: &FakeGitHub,
    event: &str,
    payload: &Value,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let event_path = dir.path().join("event.json");
    std::fs::write(&event_path, payload.to_string()).unwrap();
    let checkout = dir.path().to_string_lossy().into_owned();
    let mut args = vec!["pr", "--no-cache"];
    if !extra.contains(&"--format") {
        args.extend(["--format", "json"]);
    }
    if !extra.contains(&"--checkout") {
        args.extend(["--checkout", checkout.as_str()]);
    }
    args.extend_from_slice(extra);
    let event_path = event_path.to_string_lossy().into_owned();
    let mut vars = vec![
        ("GITHUB_TOKEN", "test-token"),
        ("GITHUB_API_URL", fake.url.as_str()),
        ("GITHUB_EVENT_NAME", event),
        ("GITHUB_EVENT_PATH", event_path.as_str()),
    ];
    vars.extend_from_slice(env);
    let run = livegate_env(dir.path(), &args, &vars);
    (run, dir)
}

fn pull_request_event(number: u64) -> Value {
    json!({
        "action": "synchronize",
        "number": number,
        "pull_request": {"number": number, "head": {"sha": HEAD}, "base": {"ref": "main", "sha": BASE}},
        "repository": {"full_name": "acme/api", "name": "api", "owner": {"login": "acme"}},
        "sender": {"login": "author", "type": "User"}
    })
}

fn run_pr(fake: &FakeGitHub, extra: &[&str]) -> Run {
    run_event(fake, "pull_request", &pull_request_event(7), extra, &[]).0
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", run.stdout, run.stderr))
}

fn codes(run: &Run) -> Vec<String> {
    let mut codes: Vec<String> = json_of(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

fn messages(run: &Run) -> String {
    json_of(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn reviewer<'a>(run: &'a Value, login: &str) -> &'a Value {
    run["review"]["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["login"] == login)
        .unwrap_or_else(|| panic!("no reviewer {login} in {run}"))
}

#[test]
fn two_eligible_approvals_on_the_head_pass() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    )));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = json_of(&run);
    assert_eq!(report["review"]["approvals"], 2);
    assert_eq!(reviewer(&report, "alice")["counts"], true);
    // The policy was read from the base branch through the API.
    let paths: Vec<String> = fake.log().iter().map(|l| l.path.clone()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p == "/repos/acme/api/contents/.github/livegate.toml"),
        "{paths:?}"
    );
    assert!(report["api"]["requests"].as_u64().unwrap() >= 5);
}

#[test]
fn stale_self_bot_and_read_only_approvals_do_not_count() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![
            review(1, "alice", "APPROVED", OLD_HEAD),
            review(2, "author", "APPROVED", HEAD),
            review(3, "dependabot[bot]", "APPROVED", HEAD),
            review(4, "reader", "APPROVED", HEAD),
            review(5, "bob", "APPROVED", HEAD),
        ],
    )));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG201"]);
    let report = json_of(&run);
    assert!(reviewer(&report, "alice")["reason"]
        .as_str()
        .unwrap()
        .contains("older commit (abc1234)"));
    assert!(reviewer(&report, "author")["reason"]
        .as_str()
        .unwrap()
        .contains("author"));
    assert!(reviewer(&report, "dependabot[bot]")["reason"]
        .as_str()
        .unwrap()
        .contains("bot"));
    assert!(reviewer(&report, "reader")["reason"]
        .as_str()
        .unwrap()
        .contains("read permission"));
    assert!(messages(&run).contains("needs 1 more approval: 1 of 2 counted"));
}

#[test]
fn migrations_need_the_dba_team_and_report_what_is_missing() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![migration_change()],
        vec![
            review(1, "alice", "APPROVED", HEAD),
            review(2, "bob", "APPROVED", HEAD),
            review(3, "dan", "APPROVED", OLD_HEAD),
        ],
    )));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG203", "LG204"]);
    let text = messages(&run);
    assert!(
        text.contains("1 approval from a member of acme/dba for migrations/2024_01_seed.sql"),
        "{text}"
    );
    assert!(
        text.contains("@dan: approval was on an older commit (abc1234)"),
        "{text}"
    );
    // Now dan approves the head.
    fake.update(|s| s.repos[0].pulls[0].reviews.push(review(4, "dan", "APPROVED", HEAD)));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn the_policy_comes_from_the_base_branch_and_a_policy_change_needs_its_owners() {
    let weakened = "[review]\nrequired-approvals = 0\n";
    let mut scenario = scenario(pull(
        vec![PullFile::modified(
            ".github/livegate.toml",
            "@@ -3,2 +3,2 @@\n [review]\n-required-approvals = 2\n+required-approvals = 0",
        )],
        vec![review(1, "alice", "APPROVED", HEAD)],
    ));
    // The head has the weakened policy; it must not be read.
    scenario.repos[0].contents.push((
        HEAD.to_owned(),
        ".github/livegate.toml".to_owned(),
        weakened.as_bytes().to_vec(),
    ));
    let fake = FakeGitHub::start(scenario);
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let found = codes(&run);
    assert!(found.contains(&"LG201".to_owned()), "{found:?}");
    assert!(found.contains(&"LG205".to_owned()), "{found:?}");
    // LG201 proves the base policy judged: the head's would need no approval.
    assert!(messages(&run).contains("changes .github/livegate.toml"));
    assert!(messages(&run).contains("its code owners (@root)"), "{}", run.stdout);
}

#[test]
fn changes_requested_blocks_until_the_reviewer_approves() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![
            review(1, "alice", "APPROVED", HEAD),
            review(2, "bob", "APPROVED", HEAD),
            review(3, "root", "CHANGES_REQUESTED", HEAD),
            review(4, "root", "COMMENTED", HEAD),
        ],
    )));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&run), ["LG202"]);
    fake.update(|s| s.repos[0].pulls[0].reviews.push(review(5, "root", "APPROVED", HEAD)));
    assert_eq!(run_pr(&fake, &[]).code, 0);
}

#[test]
fn three_hundred_and_one_reviews_are_read_across_pages() {
    let mut reviews: Vec<PullReview> = (1..=299).map(|i| review(i, "carol", "COMMENTED", HEAD)).collect();
    reviews.push(review(300, "alice", "APPROVED", HEAD));
    reviews.push(review(301, "bob", "APPROVED", HEAD));
    let fake = FakeGitHub::start(scenario(pull(vec![lib_change()], reviews)));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let pages = fake
        .log()
        .iter()
        .filter(|l| l.path == "/repos/acme/api/pulls/7/reviews")
        .count();
    assert_eq!(pages, 4, "301 reviews at 100 per page");
}

#[test]
fn an_unreadable_review_list_is_never_a_pass() {
    for kind in [FaultKind::Status(500), FaultKind::Malformed, FaultKind::Truncated] {
        let scenario = scenario(pull(
            vec![lib_change()],
            vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
        ))
        .fault("/repos/acme/api/pulls/7/reviews", kind.clone(), 100);
        let fake = FakeGitHub::start(scenario);
        let run = run_pr(&fake, &["--retries", "1"]);
        assert_eq!(run.code, 3, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        assert!(messages(&run).contains("/pulls/7/reviews"), "{kind:?}: {}", run.stdout);
    }
}

#[test]
fn each_injected_fault_fails_closed_or_is_retried() {
    let endpoints = [
        "/repos/acme/api/pulls/7",
        "/repos/acme/api/pulls/7/files",
        "/repos/acme/api/pulls/7/commits",
        "/repos/acme/api/contents/.github/livegate.toml",
        "/repos/acme/api/contents/.github/CODEOWNERS",
        "/repos/acme/api/collaborators/alice/permission",
        "/orgs/acme/teams/devs/members",
    ];
    for endpoint in endpoints {
        // Transient: retried, then a normal verdict.
        let base = || {
            scenario(pull(
                vec![lib_change()],
                vec![
                    review(1, "alice", "APPROVED", HEAD),
                    review(2, "bob", "APPROVED", HEAD),
                    review(3, "dan", "COMMENTED", HEAD),
                ],
            ))
        };
        let fake = FakeGitHub::start(base().fault(endpoint, FaultKind::Status(502), 1));
        let run = run_pr(&fake, &["--retries", "2"]);
        assert_eq!(
            run.code, 0,
            "transient fault on {endpoint}: {}\n{}",
            run.stdout, run.stderr
        );
        // Persistent: exit 3 naming the endpoint.
        let fake = FakeGitHub::start(base().fault(endpoint, FaultKind::Status(500), 100));
        let run = run_pr(&fake, &["--retries", "1"]);
        assert_eq!(
            run.code, 3,
            "persistent fault on {endpoint}: {}\n{}",
            run.stdout, run.stderr
        );
        assert!(run.stdout.contains(endpoint), "{endpoint} not named: {}", run.stdout);
    }
}

#[test]
fn an_unreadable_collaborator_list_falls_back_to_one_lookup_per_reviewer() {
    let three = || {
        scenario(pull(
            vec![lib_change()],
            vec![
                review(1, "alice", "APPROVED", HEAD),
                review(2, "bob", "APPROVED", HEAD),
                review(3, "reader", "APPROVED", HEAD),
            ],
        ))
    };
    let fake = FakeGitHub::start(three());
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let log = fake.log();
    assert!(log.iter().any(|l| l.path == "/repos/acme/api/collaborators"));
    assert!(
        !log.iter().any(|l| l.path.ends_with("/permission")),
        "one listing answers all three"
    );

    let fake = FakeGitHub::start(three().fault("/repos/acme/api/collaborators$", FaultKind::Status(500), 100));
    let run = run_pr(&fake, &["--retries", "0"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = json_of(&run);
    assert!(reviewer(&report, "reader")["reason"]
        .as_str()
        .unwrap()
        .contains("read permission"));
    let lookups = fake.log().iter().filter(|l| l.path.ends_with("/permission")).count();
    assert_eq!(lookups, 3);
}

#[test]
fn team_membership_hidden_from_the_token_is_unverified_with_the_permission_named() {
    let mut scenario = scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    ));
    scenario.members_access = false;
    let fake = FakeGitHub::start(scenario);
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG914"]);
    assert!(messages(&run).contains("Members: read"), "{}", run.stdout);
}

#[test]
fn more_files_or_commits_than_github_lists_fail_closed() {
    let mut big = pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    );
    big.changed_files = Some(3500);
    let fake = FakeGitHub::start(scenario(big));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(messages(&run).contains("3500 files"), "{}", run.stdout);

    let mut long = pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    );
    long.commit_count = Some(300);
    let fake = FakeGitHub::start(scenario(long));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(messages(&run).contains("300 commits"), "{}", run.stdout);
}

#[test]
fn a_co_author_cannot_approve() {
    let mut p = pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    );
    let mut c = commit("2222222222222222222222222222222222222222", "author");
    c.message = "Pair on it\n\nCo-authored-by: Bob <4321+bob@users.noreply.github.com>\n".to_owned();
    p = p.commit(c);
    let fake = FakeGitHub::start(scenario(p));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json_of(&run);
    assert!(reviewer(&report, "bob")["reason"]
        .as_str()
        .unwrap()
        .contains("authored or committed"));
}

#[test]
fn leaks_in_the_change_are_annotated_on_their_lines_from_patches() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![
            PullFile::added(
                "migrations/0002_seed.sql",
                "CREATE TABLE cards (n text);\nINSERT INTO cards VALUES ('4111 1111 1111 1111');\n",
            ),
            lib_change(),
        ],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "dan", "APPROVED", HEAD)],
    )));
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let summary_env = summary.to_string_lossy().into_owned();
    let (run, _dir) = run_event(
        &fake,
        "pull_request",
        &pull_request_event(7),
        &["--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary_env.as_str())],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("::error file=migrations/0002_seed.sql,line=2"),
        "{}",
        run.stdout
    );
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(
        summary.contains("| reviewer | state | commit | counts | why |"),
        "{summary}"
    );
    assert!(summary.contains("| @alice | APPROVED |"), "{summary}");
    assert!(summary.contains("migrations/0002_seed.sql"), "{summary}");
}

#[test]
fn leaks_are_scanned_from_a_local_clone_when_it_has_both_commits() {
    let git = TestRepo::new();
    git.write("src/lib.rs", "pub fn a() {}\n");
    let base = git.commit("base");
    git.write("config/production.py", "DEBUG = True\n");
    let head = git.commit("head");
    let mut p = pull(
        vec![PullFile::added("config/production.py", "DEBUG = True\n")],
        vec![
            review(1, "alice", "APPROVED", &head),
            review(2, "bob", "APPROVED", &head),
        ],
    );
    p.head_sha = head.clone();
    p.base_sha = base;
    p.commits.clear();
    p = p.commit(commit(&head, "author"));
    let fake = FakeGitHub::start(scenario(p));
    let checkout = git.path().to_string_lossy().into_owned();
    let (run, _dir) = run_event(
        &fake,
        "pull_request",
        &pull_request_event(7),
        &["--checkout", &checkout],
        &[],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG451"]);
    let human = run_event(
        &fake,
        "pull_request",
        &pull_request_event(7),
        &["--checkout", &checkout, "--format", "human", "--color", "never"],
        &[],
    )
    .0;
    assert!(human.stdout.contains("leak scan: local clone"), "{}", human.stdout);
}

#[test]
fn status_is_posted_on_the_head_commit() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD)],
    )));
    let run = run_pr(&fake, &["--status"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let statuses = fake.statuses();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].0, HEAD);
    assert_eq!(statuses[0].1["state"], "failure");
    assert_eq!(statuses[0].1["context"], "livegate/review");
    assert!(statuses[0].1["description"].as_str().unwrap().len() <= 140);
}

#[test]
fn a_refused_status_is_an_error_not_a_silent_pass() {
    let mut scenario = scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    ));
    scenario.statuses_access = false;
    let fake = FakeGitHub::start(scenario);
    let run = run_pr(&fake, &["--status"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("statuses: write"), "{}", run.stderr);
}

#[test]
fn merge_group_events_re_evaluate_the_queued_pull_request() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![
            review(1, "alice", "APPROVED", OLD_HEAD),
            review(2, "bob", "APPROVED", HEAD),
        ],
    )));
    let payload = json!({
        "action": "checks_requested",
        "merge_group": {
            "head_sha": "3333333333333333333333333333333333333333",
            "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-7-{HEAD}"),
            "base_sha": BASE,
            "base_ref": "refs/heads/main"
        },
        "repository": {"full_name": "acme/api", "name": "api", "owner": {"login": "acme"}}
    });
    let (run, _dir) = run_event(&fake, "merge_group", &payload, &[], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG201"]);
}

#[test]
fn on_a_merge_group_the_status_goes_on_the_groups_commit_too() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    )));
    let group = "3333333333333333333333333333333333333333";
    let payload = json!({
        "action": "checks_requested",
        "merge_group": {
            "head_sha": group,
            "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-7-{HEAD}"),
            "base_sha": BASE,
            "base_ref": "refs/heads/main"
        },
        "repository": {"full_name": "acme/api", "name": "api", "owner": {"login": "acme"}}
    });
    let (run, _dir) = run_event(&fake, "merge_group", &payload, &["--status"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let mut shas: Vec<String> = fake
        .statuses()
        .into_iter()
        .map(|(sha, body)| {
            assert_eq!(body["state"], "success");
            sha
        })
        .collect();
    shas.sort();
    assert_eq!(
        shas,
        [group.to_owned(), HEAD.to_owned()],
        "the queue waits on the group's commit"
    );

    let mut bad = payload.clone();
    bad["merge_group"]["head_sha"] = json!("not-a-sha");
    let (run, _dir) = run_event(&fake, "merge_group", &bad, &["--status"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("merge_group.head_sha"), "{}", run.stderr);
}

#[test]
fn bad_input_is_named() {
    let fake = FakeGitHub::start(scenario(pull(vec![], vec![])));
    let (run, _dir) = run_event(
        &fake,
        "push",
        &json!({"repository": {"full_name": "acme/api"}}),
        &[],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--repo and --number"), "{}", run.stderr);
    let run = pr_by_number(&fake, "99", "test-token");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("acme/api#99 not found"), "{}", run.stderr);
    let run = pr_by_number(&fake, "7", "wrong-token");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    let dir = tempfile::tempdir().unwrap();
    assert!(!run.stderr.contains("wrong-token"));
    let broken = Path::new(dir.path()).join("event.json");
    std::fs::write(&broken, "{not json").unwrap();
    let run = livegate_env(
        dir.path(),
        &["pr", "--api-url", &fake.url, "--no-cache"],
        &[
            ("GITHUB_EVENT_PATH", broken.to_str().unwrap()),
            ("GITHUB_EVENT_NAME", "pull_request"),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("GITHUB_EVENT_PATH") && run.stderr.contains("not JSON"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("event.json:1:2"),
        "the error gives line:column: {}",
        run.stderr
    );
    // Hostile but well-formed payloads: each is refused naming the field,
    // before any request is made with the payload's values.
    let hostile = [
        (
            "pull_request",
            r#"{"repository":{"full_name":"../../orgs/acme"},"pull_request":{"number":7}}"#,
            "repository.full_name",
        ),
        (
            "pull_request",
            r#"{"repository":{"full_name":"acme/api"},"pull_request":{"number":0}}"#,
            "number is 0",
        ),
        (
            "pull_request",
            r#"{"repository":{"full_name":"acme/api"},"pull_request":{"number":-7}}"#,
            "pull_request.number",
        ),
        (
            "merge_group",
            r#"{"repository":{"full_name":"acme/api"},"merge_group":{"head_ref":"refs/heads/gh-readonly-queue/main/pr-7-x","head_sha":"$(id)"}}"#,
            "merge_group.head_sha",
        ),
        ("pull_request", r#"[1,2]"#, "repository.full_name"),
    ];
    let requests_before = fake.log().len();
    for (event, payload, expected) in hostile {
        std::fs::write(&broken, payload).unwrap();
        let run = livegate_env(
            dir.path(),
            &["pr", "--api-url", &fake.url, "--no-cache"],
            &[
                ("GITHUB_EVENT_PATH", broken.to_str().unwrap()),
                ("GITHUB_EVENT_NAME", event),
            ],
        );
        assert_eq!(run.code, 2, "{payload}: {}", run.stderr);
        assert!(
            run.stderr.contains("GITHUB_EVENT_PATH") && run.stderr.contains(expected),
            "{payload}: {}",
            run.stderr
        );
    }
    assert_eq!(fake.log().len(), requests_before, "a hostile payload led to a request");
}

#[test]
fn an_invalid_base_policy_is_an_error_with_its_location() {
    let mut scenario = scenario(pull(vec![], vec![]));
    scenario.repos[0]
        .contents
        .retain(|(_, path, _)| path != ".github/livegate.toml");
    scenario.repos[0].contents.push((
        "main".to_owned(),
        ".github/livegate.toml".to_owned(),
        b"[review]\nrequired-approvals = \"two\"\n".to_vec(),
    ));
    let fake = FakeGitHub::start(scenario);
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(".github/livegate.toml@main:2"), "{}", run.stderr);
}

#[test]
fn the_human_report_lists_each_reviewer_and_requirement() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![migration_change()],
        vec![
            review(1, "alice", "APPROVED", HEAD),
            review(2, "dan", "APPROVED", OLD_HEAD),
        ],
    )));
    let run = run_pr(&fake, &["--format", "human", "--color", "never"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("policy: .github/livegate.toml on the base branch main"),
        "{out}"
    );
    assert!(out.contains("approvals: 1 of 2 counted"), "{out}");
    let alice = out
        .lines()
        .find(|l| l.trim_start().starts_with("@alice"))
        .unwrap_or_default();
    assert!(alice.contains("APPROVED") && alice.contains("yes"), "{out}");
    let dan = out
        .lines()
        .find(|l| l.trim_start().starts_with("@dan"))
        .unwrap_or_default();
    assert!(dan.contains("no") && dan.contains("older commit (abc1234)"), "{out}");
    assert!(
        out.contains("[[review.rules]] #1 (migrations/**)") && out.contains("NOT MET"),
        "{out}"
    );
    assert!(out.contains("leak scan: GitHub's patches of 1 file "), "{out}");
}

#[test]
fn the_last_pusher_comes_from_the_repository_activity_not_from_commit_metadata() {
    // bob pushed the head commit, which names the author as its committer,
    // and approved it himself.
    let policy = "extends = \"baseline\"\n\n[review]\nrequired-approvals = 1\nrequire-last-push-approval = true\n";
    let with_policy = |pull: Pull| {
        let mut scenario = scenario(pull);
        scenario.repos[0] =
            scenario.repos[0]
                .clone()
                .content("main", ".github/livegate.toml", policy.as_bytes().to_vec());
        scenario
    };
    let approved_by_bob = || pull(vec![lib_change()], vec![review(1, "bob", "APPROVED", HEAD)]).pushed_by("bob");
    let fake = FakeGitHub::start(with_policy(approved_by_bob()));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json_of(&run);
    assert_eq!(reviewer(&report, "bob")["counts"], false);
    assert!(
        reviewer(&report, "bob")["reason"]
            .as_str()
            .unwrap()
            .contains("pushed the most recent commits"),
        "{}",
        reviewer(&report, "bob")
    );
    let asked = fake
        .log()
        .iter()
        .any(|l| l.path == "/repos/acme/api/activity" && l.status == 200);
    assert!(asked, "the activity was read");

    // Another reviewer's approval counts.
    let fake = FakeGitHub::start(with_policy(
        pull(vec![lib_change()], vec![review(1, "alice", "APPROVED", HEAD)]).pushed_by("bob"),
    ));
    assert_eq!(run_pr(&fake, &[]).code, 0);

    // When the activity does not show the push, the committer is the
    // fallback, and the report says so.
    let fake = FakeGitHub::start(with_policy(approved_by_bob().push_unlisted()));
    let run = run_pr(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let notes = json_of(&run)["notes"].to_string();
    assert!(
        notes.contains("the last pusher could not be read from the repository activity")
            && notes.contains("do not include the push of 9f8e7d6")
            && notes.contains("committer @author"),
        "{notes}"
    );
}

#[test]
fn a_reviewer_whose_latest_review_was_dismissed_does_not_make_the_gate_unverifiable() {
    // GitHub dismisses stale approvals itself on push: dave approved an older
    // head and his review is now DISMISSED. His permission is not asked for,
    // and not needed: alice and bob approved the head.
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![
            review(1, "dave", "APPROVED", OLD_HEAD),
            review(2, "dave", "DISMISSED", OLD_HEAD),
            review(3, "alice", "APPROVED", HEAD),
            review(4, "bob", "APPROVED", HEAD),
        ],
    )));
    let run = pr_by_number(&fake, "7", "test-token");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("LG914"), "{}", run.stdout);
}

#[test]
fn a_token_echoed_by_the_server_never_reaches_a_report_a_file_or_the_summary() {
    let canary = "ghp_PRECHOCANARY0123456789abcdef01";
    let mut scenario = scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD), review(2, "bob", "APPROVED", HEAD)],
    ))
    .fault(
        "/repos/acme/api/pulls/7/reviews",
        FaultKind::Message {
            status: 500,
            message: "Upstream refused the request (Authorization: {authorization})".to_owned(),
        },
        100,
    );
    scenario.token = Some(canary.to_owned());
    let fake = FakeGitHub::start(scenario);
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name).to_string_lossy().into_owned();
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let emits: Vec<String> = ["human", "json", "sarif", "github", "markdown"]
            .iter()
            .map(|kind| format!("{kind}={}", file(&format!("{format}.{kind}"))))
            .collect();
        let summary = file(&format!("{format}.summary.md"));
        let mut args = vec![
            "--retries",
            "0",
            "--verbose",
            "--format",
            format,
            "--summary",
            summary.as_str(),
        ];
        for emit in &emits {
            args.extend(["--emit", emit.as_str()]);
        }
        let (run, _dir) = run_event(
            &fake,
            "pull_request",
            &pull_request_event(7),
            &args,
            &[("GITHUB_TOKEN", canary)],
        );
        assert_eq!(run.code, 3, "{format}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Upstream refused"), "{format}: {}", run.stdout);
        assert!(!run.stdout.contains("PRECHOCANARY"), "{format} stdout:\n{}", run.stdout);
        assert!(!run.stderr.contains("PRECHOCANARY"), "{format} stderr:\n{}", run.stderr);
    }
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("PRECHOCANARY"), "{} leaks:\n{text}", path.display());
    }
}

#[test]
fn pr_quiet_verbose_and_statistics_change_what_is_shown_but_not_the_step_summary() {
    let fake = FakeGitHub::start(scenario(pull(
        vec![lib_change()],
        vec![review(1, "alice", "APPROVED", HEAD)],
    )));
    let human = run_pr(&fake, &["--format", "human", "--color", "never"]);
    assert_eq!(human.code, 1, "{}\n{}", human.stdout, human.stderr);
    assert!(human.stdout.contains("livegate pr: "), "{}", human.stdout);

    let quiet = run_pr(&fake, &["--format", "human", "--color", "never", "--quiet"]);
    assert_eq!(quiet.code, 1);
    assert!(quiet.stdout.contains("[LG201]"), "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("livegate pr: "), "{}", quiet.stdout);
    assert!(quiet.stdout.lines().count() < human.stdout.lines().count());

    let verbose = run_pr(&fake, &["--verbose"]);
    assert_eq!(verbose.code, 1);
    assert!(
        verbose.stderr.contains("livegate: GET /repos/acme/api/pulls/7"),
        "{}",
        verbose.stderr
    );
    assert!(!verbose.stderr.contains("test-token"), "{}", verbose.stderr);

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let summary_arg = summary.to_string_lossy().into_owned();
    let stats = run_pr(&fake, &["--statistics", "--summary", &summary_arg]);
    let doc = json_of(&stats);
    assert_eq!(doc["statistics"][0]["code"], "LG201", "{doc}");
    assert_eq!(doc["statistics"][0]["count"], 1);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.contains("| Severity | Check | Location | Message |"),
        "{written}"
    );
}
