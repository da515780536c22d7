//! Requests per `livegate pr` evaluation: a pull request with 300 changed
//! files, 40 reviews and 10 distinct reviewers, cold and on an unchanged warm
//! rerun. Run as a test it asserts the budget (at most 15 cold);
//! `bench/pr-requests.sh` prints the table.
#![allow(clippy::print_stdout)]

mod support;

use support::fake_github::{FakeGitHub, Pull, PullCommit, PullFile, PullReview, Repo, Scenario};
use support::livegate_env;

const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

fn scenario() -> Scenario {
    let policy = "[review]\nrequired-approvals = 2\nrequire-code-owner-review = true\n\n[[review.rules]]\npaths = [\"migrations/**\"]\nrequired-approvals = 2\nteams = [\"acme/dba\"]\n";
    let mut repo = Repo::new("acme/api")
        .content("main", ".github/livegate.toml", policy.as_bytes().to_vec())
        .content(
            "main",
            ".github/CODEOWNERS",
            b"* @acme/devs\nmigrations/ @acme/dba\n".to_vec(),
        );
    let reviewers: Vec<String> = (0..10).map(|i| format!("reviewer{i}")).collect();
    for login in &reviewers {
        repo = repo.collaborator(login, "write");
    }
    repo = repo.collaborator("author", "write");
    let mut pull = Pull::new(7, "author", HEAD);
    for i in 0..300 {
        let path = if i % 50 == 0 {
            format!("migrations/{i:04}_change.sql")
        } else {
            format!("src/module{i}/lib.rs")
        };
        pull = pull.file(PullFile::modified(&path, "@@ -1,1 +1,2 @@\n context\n+added line"));
    }
    pull = pull.commit(PullCommit {
        sha: HEAD.to_owned(),
        author_login: Some("author".to_owned()),
        committer_login: Some("author".to_owned()),
        author_name: "Author".to_owned(),
        author_email: "author@users.noreply.github.com".to_owned(),
        committer_name: "Author".to_owned(),
        committer_email: "author@users.noreply.github.com".to_owned(),
        message: "Change".to_owned(),
    });
    for i in 0..40u64 {
        let login = &reviewers[(i % 10) as usize];
        let state = if i >= 30 { "APPROVED" } else { "COMMENTED" };
        pull = pull.review(PullReview {
            id: i + 1,
            login: Some(login.clone()),
            user_type: "User".to_owned(),
            state: state.to_owned(),
            commit_id: HEAD.to_owned(),
            submitted_at: format!("2026-11-20T10:{:02}:00Z", i),
        });
    }
    repo.pulls.push(pull);
    let mut scenario = Scenario::new(repo);
    scenario
        .teams
        .push(("acme".to_owned(), "devs".to_owned(), reviewers.clone()));
    scenario
        .teams
        .push(("acme".to_owned(), "dba".to_owned(), vec![reviewers[3].clone()]));
    scenario
}

#[test]
fn requests_per_evaluation() {
    let fake = FakeGitHub::start(scenario());
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache = cache.to_string_lossy().into_owned();
    let args = [
        "pr",
        "--repo",
        "acme/api",
        "--number",
        "7",
        "--api-url",
        &fake.url,
        "--format",
        "json",
        "--cache-dir",
        &cache,
    ];
    let env = [("GITHUB_TOKEN", "test-token")];
    let cold = livegate_env(dir.path(), &args, &env);
    assert_eq!(cold.code, 0, "{}{}", cold.stdout, cold.stderr);
    let cold_doc: serde_json::Value = serde_json::from_str(&cold.stdout).unwrap();
    let cold_requests = cold_doc["api"]["requests"].as_u64().unwrap();
    let paths: Vec<String> = fake.log().iter().map(|l| l.path.clone()).collect();
    let quota_before = fake.quota_used();
    let warm = livegate_env(dir.path(), &args, &env);
    assert_eq!(warm.code, 0);
    let warm_doc: serde_json::Value = serde_json::from_str(&warm.stdout).unwrap();
    let warm_quota = fake.quota_used() - quota_before;
    println!("files  reviews  reviewers  cold requests  warm requests  warm quota-counted");
    println!(
        "{:>5}  {:>7}  {:>9}  {:>13}  {:>13}  {:>18}",
        300, 40, 10, cold_requests, warm_doc["api"]["requests"], warm_quota
    );
    println!("cold requests: {paths:?}");
    assert!(cold_requests <= 15, "{cold_requests} requests cold: {paths:?}");
    assert_eq!(cold_doc["review"]["approvals"], 10);
}
