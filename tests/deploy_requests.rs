//! Requests of one `livegate deploy` over a range of 1,000 landing commits
//! from 300 pull requests (200 squash merges, 100 rebase merges of 8 commits
//! each, 5 distinct reviewers), cold, against the fake GitHub API. The issue's
//! budget is 30 requests and its aim 20; it takes 20 (the policy unchanged in
//! the range, or changed: the clone tells which commits changed it), and a
//! regression past 20 fails `cargo test`.
//! bench/deploy-requests.sh prints the figures.
#![allow(clippy::print_stdout)]

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};

use support::fake_deploy::{DeployWorld, FakeDeployment, GqlPull, GqlReview};
use support::fake_github::{FakeGitHub, Repo, Scenario};
use support::{livegate_env, TestRepo};

const POLICY: &str = "extends = \"standard\"\n\n[review]\nrequired-approvals = 1\nrequire-code-owner-review = false\nrequire-last-push-approval = false\n";
const REVIEWERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

/// `main` with an initial commit and `count` more, one file each, written
/// with git fast-import (a thousand `git commit`s would take a minute).
fn long_history(count: usize) -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    let mut stream = String::new();
    let blob = |stream: &mut String, path: &str, text: &str| {
        stream.push_str(&format!("M 644 inline {path}\ndata {}\n{text}\n", text.len()));
    };
    for i in 0..=count {
        let message = if i == 0 {
            "initial".to_owned()
        } else {
            format!("change {i}")
        };
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Test <test@livegate.invalid> {} +0000\ndata {}\n{message}\n",
            1_772_000_000 + i,
            message.len()
        ));
        if i == 0 {
            blob(&mut stream, ".github/livegate.toml", POLICY);
        } else {
            blob(&mut stream, &format!("src/f{i}.rs"), &format!("pub fn f{i}() {{}}"));
        }
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let shas = repo.git(&["rev-list", "--first-parent", "--reverse", "main"]);
    (repo, shas.lines().map(str::to_owned).collect())
}

#[test]
fn a_range_of_1000_commits_from_300_pull_requests_costs_at_most_20_requests() {
    let (repo, shas) = long_history(1000);
    let (baseline, landing) = (shas[0].clone(), &shas[1..]);
    let mut world = DeployWorld {
        deployments: vec![FakeDeployment {
            id: 1,
            sha: baseline.clone(),
            environment: "production".to_owned(),
            created_at: "2026-03-01T00:00:00Z".to_owned(),
            statuses: vec!["success".to_owned()],
        }],
        refs: vec![("main".to_owned(), landing.last().unwrap().clone())],
        ..DeployWorld::default()
    };
    // 200 squash merges, then 100 rebase merges of 8 commits each.
    let mut groups: Vec<&[String]> = landing[..200].chunks(1).collect();
    groups.extend(landing[200..].chunks(8));
    assert_eq!(groups.len(), 300);
    for (i, group) in groups.iter().enumerate() {
        let number = i as u64 + 1;
        let head = format!("{:040x}", 0xfeed_0000 + number);
        let reviewer = REVIEWERS[i % REVIEWERS.len()];
        let review = GqlReview::new(
            &format!("R{number}"),
            reviewer,
            "APPROVED",
            &head,
            "2026-03-02T09:00:00Z",
        );
        let merged = GqlPull::merged(
            number,
            "author",
            &head,
            group.last().unwrap(),
            reviewer,
            "2026-03-02T10:00:00Z",
        );
        world.pulls.push(merged.review(review));
        for sha in group.iter() {
            world.commits.push((sha.clone(), vec![number]));
        }
    }
    let mut github = Repo::new("acme/api");
    for reviewer in REVIEWERS {
        github = github.collaborator(reviewer, "write");
    }
    github.deploy = world;
    let fake = FakeGitHub::start(Scenario::new(github));
    let to = landing.last().unwrap().clone();
    let run = livegate_env(
        repo.path(),
        &[
            "deploy",
            "--repo",
            "acme/api",
            "--environment",
            "production",
            "--branch",
            "main",
            "--to",
            &to,
            "--api-url",
            &fake.url,
            "--no-cache",
            "--format",
            "json",
        ],
        &[("GITHUB_TOKEN", "test-token")],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(fake.graphql_invalid().is_empty(), "{:?}", fake.graphql_invalid());
    let json = run.json();
    let rows = json["deploy"]["commits"].as_array().unwrap();
    assert_eq!(rows.len(), 1000);
    assert!(rows.iter().all(|r| r["verdict"] == "reviewed"));
    let log = fake.log();
    let graphql = log.iter().filter(|l| l.path == "/graphql").count();
    println!("commits 1000, pull requests 300, reviewers {}", REVIEWERS.len());
    println!(
        "cold requests {} (GraphQL {graphql}, REST {})",
        log.len(),
        log.len() - graphql
    );
    for entry in &log {
        println!("  {} {} -> {}", entry.method, entry.path, entry.status);
    }
    assert!(log.len() <= 20, "{} requests (the aim is 20, the limit 30)", log.len());
}
