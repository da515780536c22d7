//! `livegate deploy` on real git histories built in temp repositories, against
//! the fake GitHub (REST and GraphQL, every query validated against GitHub's
//! public GraphQL schema).

mod support;

use serde_json::Value;
use support::deploy_history::{approved, deployment, History, MERGED_AT, POLICY, REVIEWED_AT};
use support::fake_deploy::{self, activity, GqlPull, GqlReview};
use support::fake_github::{FakeGitHub, FaultKind, Repo, Ruleset, Scenario};
use support::{livegate_env, Run};

fn deploy(history: &History, fake: &FakeGitHub, extra: &[&str]) -> Run {
    let tip = history.tip();
    let mut args = vec![
        "deploy",
        "--repo",
        "acme/api",
        "--environment",
        "production",
        "--branch",
        "main",
        "--api-url",
        &fake.url,
        "--no-cache",
        "--retries",
        "1",
    ];
    if !extra.contains(&"--to") {
        args.extend(["--to", &tip]);
    }
    if !extra.contains(&"--format") {
        args.extend(["--format", "json"]);
    }
    args.extend_from_slice(extra);
    let run = livegate_env(history.repo.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert!(
        fake.graphql_invalid().is_empty(),
        "GraphQL that GitHub would refuse: {:?}",
        fake.graphql_invalid()
    );
    run
}

fn commits(run: &Run) -> Vec<Value> {
    run.json()["deploy"]["commits"].as_array().cloned().unwrap_or_default()
}

fn verdicts(run: &Run) -> Vec<String> {
    commits(run)
        .iter()
        .map(|c| c["verdict"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn codes(run: &Run) -> Vec<String> {
    run.found().into_iter().map(|(code, _, _)| code).collect()
}

#[test]
fn squash_merge_and_rebase_merges_that_were_approved_on_their_head_pass() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.merge(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"]);
    h.rebase(
        3,
        &[("src/c.rs", "pub fn c() {}\n"), ("src/d.rs", "pub fn d() {}\n")],
        &["alice"],
    );
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed"; 4]);
    let rows = commits(&run);
    let methods: Vec<&str> = rows
        .iter()
        .map(|c| c["merge_method"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(methods, ["squash", "merge", "rebase", "rebase"]);
    assert_eq!(run.json()["deploy"]["from"], h.baseline.as_str());
    assert_eq!(fake.graphql_queries().len(), 1, "one batched query for the range");
}

#[test]
fn a_direct_push_in_the_middle_of_the_range_fails_and_its_trailer_is_no_review() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let pushed = h.direct_push("src/hotfix.rs", "hotfix\n\nReviewed-by: Alice <alice@example.org>");
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"], "bob");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed", "direct-push", "reviewed"]);
    assert_eq!(codes(&run), ["LG301"]);
    let row = &commits(&run)[1];
    assert_eq!(row["sha"], pushed.as_str());
    assert!(row["reasons"].to_string().contains("not a review"), "{row}");
}

#[test]
fn an_admin_merge_without_approvals_is_merged_without_review() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &[], "admin");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["merged-without-review"]);
    assert_eq!(codes(&run), ["LG302"]);
    assert_eq!(commits(&run)[0]["merged_by"], "admin");
}

#[test]
fn an_approval_on_an_old_head_followed_by_a_new_commit_is_stale() {
    let mut h = History::new();
    let shas = h.branch(1, &[("src/a.rs", "pub fn a() {}\n"), ("src/a2.rs", "pub fn a2() {}\n")]);
    h.repo.git(&["merge", "-q", "--squash", "pr-1"]);
    let merge = h.repo.commit("change 1 (#1)");
    h.world
        .pulls
        .push(GqlPull::merged(1, "author", &shas[1], &merge, "alice", MERGED_AT).review(approved("bob", &shas[0])));
    h.world.commits.push((merge, vec![1]));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["stale-approval"]);
    assert_eq!(codes(&run), ["LG303"]);
}

#[test]
fn a_review_dismissed_after_the_merge_still_counts() {
    let mut h = History::new();
    let (head, _) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let pull = h.pull_mut(1);
    pull.reviews[0].state = "DISMISSED".to_owned();
    pull.dismissals.push((
        pull.reviews[0].id.clone(),
        "2026-03-05T00:00:00Z".to_owned(),
        "APPROVED".to_owned(),
    ));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed"]);
    assert_eq!(commits(&run)[0]["approvers_on_head"][0], "alice");
    let _ = head;

    // Dismissed before the merge: it did not count then.
    h.pull_mut(1).dismissals[0].1 = "2026-03-02T09:30:00Z".to_owned();
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(verdicts(&run), ["merged-without-review"]);
}

#[test]
fn without_a_baseline_the_range_is_unverified_unless_first_deploy() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.deployments[0].statuses = vec!["failure".to_owned(), "success".to_owned()];
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG916"]);
    assert!(run.stdout.contains("no baseline"), "{}", run.stdout);

    // --first-deploy: the whole history counts, the initial commit too.
    h.world.commits.push((h.baseline.clone(), Vec::new()));
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--first-deploy"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["direct-push", "reviewed"]);

    // --from is a baseline too.
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--from", &h.baseline.clone()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn baselines_that_disagree_are_a_usage_error_naming_both() {
    let mut h = History::new();
    let (_, first) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--from", &first]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--from"), "{}", run.stderr);
    assert!(run.stderr.contains("deployment 1 to production"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&first) && run.stderr.contains(&h.baseline),
        "{}",
        run.stderr
    );
}

#[test]
fn a_partial_graphql_answer_is_never_a_pass() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["alice"], "alice");
    h.world.graphql_partial = true;
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG916"]);
    assert!(run.stdout.contains("partial answer"), "{}", run.stdout);
}

#[test]
fn graphql_that_keeps_failing_is_never_a_pass() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = {
        h.world.refs = vec![("main".to_owned(), h.tip())];
        let mut repo = Repo::new("acme/api").collaborator("alice", "write");
        repo.deploy = h.world.clone();
        FakeGitHub::start(Scenario::new(repo).fault("/graphql", FaultKind::Status(502), 100))
    };
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("502"), "{}", run.stdout);
}

#[test]
fn a_range_with_a_test_data_migration_is_test_data() {
    let mut h = History::new();
    h.squash(
        1,
        &[(
            "db/migrations/0002_officers.sql",
            "CREATE TABLE officers (email text, card text);\nINSERT INTO officers VALUES ('pc.test@example.com', '4111 1111 1111 1111');\n",
        )],
        &["alice"],
        "alice",
    );
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["test-data"]);
    assert_eq!(codes(&run), ["LG305"]);
    assert!(commits(&run)[0]["reasons"]
        .to_string()
        .contains("db/migrations/0002_officers.sql"));
}

#[test]
fn a_force_push_since_the_deployment_is_reported() {
    let mut h = History::new();
    let (_, merge) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.activity = vec![
        activity(
            "force_push",
            "main",
            &"e".repeat(40),
            &merge,
            "mallory",
            "2026-03-02T11:00:00Z",
        ),
        activity(
            "force_push",
            "main",
            &"d".repeat(40),
            &"c".repeat(40),
            "old",
            "2026-02-01T00:00:00Z",
        ),
    ];
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["history-rewritten"]);
    assert!(codes(&run).iter().all(|c| c == "LG304"), "{:?}", codes(&run));
    assert_eq!(run.json()["deploy"]["rewrites"].as_array().map(Vec::len), Some(1));
    assert!(run.stdout.contains("mallory"));
}

#[test]
fn a_deployment_recorded_while_the_check_ran_is_unverified() {
    let mut h = History::new();
    let (_, merge) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.deployment_appears = Some((1, deployment(2, &merge)));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("while the check ran"), "{}", run.stdout);
}

#[test]
fn the_attestation_is_an_in_toto_vsa_and_the_next_deploy_chains_from_it() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deploy.intoto.jsonl");
    let run = deploy(&h, &fake, &["--attest", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    let statements: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(statements.len(), 2);
    let vsa = &statements[0];
    assert_eq!(vsa["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(vsa["subject"][0]["digest"]["gitCommit"], h.tip().as_str());
    assert_eq!(vsa["predicateType"], "https://slsa.dev/verification_summary/v1");
    let predicate = &vsa["predicate"];
    assert!(predicate["verifier"]["id"].is_string());
    assert!(predicate["timeVerified"].as_str().unwrap().ends_with('Z'));
    assert!(predicate["resourceUri"].as_str().unwrap().starts_with("git+https://"));
    assert!(predicate["policy"]["digest"]["sha256"].is_string());
    assert_eq!(predicate["verificationResult"], "PASSED");
    let levels = predicate["verifiedLevels"].as_array().unwrap();
    assert!(!levels.is_empty());
    assert!(
        levels.iter().all(|l| l.as_str().unwrap().starts_with("ORG_SOURCE_")),
        "{levels:?}"
    );
    assert_eq!(statements[1]["predicate"]["commits"][0]["verdict"], "reviewed");

    // Deployed; the next range starts at the attestation's subject.
    let deployed = h.tip();
    h.world.deployments.insert(0, deployment(2, &deployed));
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"], "bob");
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--previous-attestation", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["deploy"]["from"], deployed.as_str());
    assert_eq!(verdicts(&run).len(), 1);
}

#[test]
fn the_table_renders_in_human_markdown_and_sarif() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.direct_push("src/hotfix.rs", "hotfix");
    let fake = h.serve();
    let human = deploy(&h, &fake, &["--format", "human", "--color", "never"]);
    assert_eq!(human.code, 1);
    for header in [
        "sha",
        "PR",
        "method",
        "merged by",
        "approvers on head",
        "verdict",
        "reasons",
    ] {
        assert!(human.stdout.contains(header), "{header}: {}", human.stdout);
    }
    assert!(human.stdout.contains("direct-push") && human.stdout.contains("@alice"));
    let markdown = deploy(&h, &fake, &["--format", "markdown"]);
    assert!(markdown.stdout.contains("| sha | PR | method |"), "{}", markdown.stdout);
    let sarif = deploy(&h, &fake, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "LG301");
}

#[test]
fn every_query_livegate_sends_is_valid_and_a_misspelled_field_is_not() {
    let query = livegate::github::provenance::associations_query(&["a".repeat(40)]);
    fake_deploy::validate(&query).unwrap_or_else(|e| panic!("{e}\n{query}"));
    let misspelled = query.replace("mergedAt", "mergedAtt");
    let follow_up =
        livegate::github::provenance::follow_up_query(&[(7, 0, "Y3Vyc29y".to_owned()), (7, 1, "MQ".to_owned())]);
    fake_deploy::validate(&follow_up).unwrap_or_else(|e| panic!("{e}\n{follow_up}"));
    let Err(err) = fake_deploy::validate(&misspelled) else {
        panic!("a misspelled field must fail validation");
    };
    assert!(err.contains("mergedAtt"), "{err}");
}

#[test]
fn a_branch_tip_the_clone_lacks_is_checked_through_the_compare_api() {
    let mut h = History::new();
    let (_, merge) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let newer = "f".repeat(40);
    let fake = {
        h.world.refs = vec![("main".to_owned(), newer.clone())];
        h.world.compare = vec![(format!("{merge}...{newer}"), "ahead".to_owned())];
        let mut repo = Repo::new("acme/api").collaborator("alice", "write");
        repo.deploy = h.world.clone();
        FakeGitHub::start(Scenario::new(repo))
    };
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(fake.log().iter().any(|l| l.path.contains("/compare/")));

    // Diverged: what is about to be deployed is no longer on the branch.
    fake.update(|s| s.repos[0].deploy.compare[0].1 = "diverged".to_owned());
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(codes(&run), ["LG304"]);
    assert!(run.stdout.contains("is not on main"), "{}", run.stdout);
}

#[test]
fn a_merge_queue_group_is_judged_pull_request_by_pull_request() {
    let mut h = History::new();
    // The queue merged three pull requests in a row; the second one's
    // approval went to an earlier head, the group's green check is no
    // evidence for it.
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "github-merge-queue");
    let (_, second) = h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &[], "github-merge-queue");
    h.pull_mut(2).reviews.push(approved("bob", &"0".repeat(40)));
    h.squash(3, &[("src/c.rs", "pub fn c() {}\n")], &["bob"], "github-merge-queue");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed", "stale-approval", "reviewed"]);
    assert_eq!(commits(&run)[1]["sha"], second.as_str());
}

#[test]
fn codeowners_are_those_of_each_merge_base_when_they_change_inside_the_range() {
    let mut h = History::new();
    h.repo.write(
        ".github/livegate.toml",
        POLICY.replace("require-code-owner-review = false", "require-code-owner-review = true"),
    );
    h.repo.write(".github/CODEOWNERS", "* @alice\n");
    h.baseline = h.repo.commit("owners");
    h.world.deployments = vec![deployment(1, &h.baseline)];
    // #1 hands everything to @bob; @alice, the owner until then, approves it.
    h.squash(1, &[(".github/CODEOWNERS", "* @bob\n")], &["alice"], "alice");
    // #2 is approved by @alice only, who no longer owns anything.
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed", "merged-without-review"]);
    assert!(
        commits(&run)[1]["reasons"].to_string().contains("@bob"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_graphql_rate_limit_is_never_a_pass() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.refs = vec![("main".to_owned(), h.tip())];
    let mut repo = Repo::new("acme/api").collaborator("alice", "write");
    repo.deploy = h.world.clone();
    let fake = FakeGitHub::start(Scenario::new(repo).fault("/graphql", FaultKind::PrimaryLimit { reset_in: 3600 }, 5));
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("rate limited"), "{}", run.stdout);
}

#[test]
fn a_batch_github_cannot_answer_is_split_before_giving_up() {
    let mut h = History::new();
    for number in 1..=14 {
        h.squash(
            number,
            &[(&format!("src/f{number}.rs"), "pub fn f() {}\n")],
            &["alice"],
            "alice",
        );
    }
    h.world.refs = vec![("main".to_owned(), h.tip())];
    let mut repo = Repo::new("acme/api").collaborator("alice", "write");
    repo.deploy = h.world.clone();
    // --retries 1: the first batch fails twice (502), then its halves succeed.
    let fake = FakeGitHub::start(Scenario::new(repo).fault("/graphql", FaultKind::Status(502), 2));
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run).len(), 14);
    let statuses: Vec<u16> = fake
        .log()
        .iter()
        .filter(|l| l.path == "/graphql")
        .map(|l| l.status)
        .collect();
    assert_eq!(statuses, [502, 502, 200, 200]);
}

#[test]
fn more_landing_commits_than_the_cap_is_unverified() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--max-commits", "1"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("--max-commits"), "{}", run.stdout);
}

#[test]
fn a_missing_branch_names_the_flag() {
    let h = History::new();
    let run = livegate_env(
        h.repo.path(),
        &[
            "deploy",
            "--repo",
            "acme/api",
            "--environment",
            "production",
            "--to",
            &h.tip(),
        ],
        &[("GITHUB_TOKEN", "test-token"), ("GITHUB_REF", "refs/pull/7/merge")],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("--branch") && run.stderr.contains("refs/pull/7/merge"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_force_push_that_removed_the_baseline_from_the_branch_is_history_rewritten() {
    let mut h = History::new();
    let (_, deployed) = h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.deployments = vec![deployment(2, &deployed)];
    // main is reset to before the deployed commit, and work goes on from there.
    h.repo.git(&["reset", "-q", "--hard", &h.baseline.clone()]);
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"], "bob");
    h.world.activity = vec![activity(
        "force_push",
        "main",
        &deployed,
        &h.tip(),
        "mallory",
        "2026-03-02T11:00:00Z",
    )];
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["history-rewritten"]);
    assert!(run.stdout.contains("is not an ancestor"), "{}", run.stdout);
    assert!(codes(&run).iter().all(|c| c == "LG304"), "{:?}", codes(&run));
}

#[test]
fn a_ruleset_changed_since_the_deployment_is_a_control_gap_that_does_not_decide() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.refs = vec![("main".to_owned(), h.tip())];
    let mut repo = Repo::new("acme/api").collaborator("alice", "write");
    repo.deploy = h.world.clone();
    let repo = repo
        .ruleset(Ruleset::new(1, "main protection", vec![]).updated_at("2026-03-02T14:00:00Z"))
        .ruleset(Ruleset::new(2, "tags", vec![]).updated_at("2025-12-01T00:00:00Z"));
    let fake = FakeGitHub::start(Scenario::new(repo));
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "warnings do not fail: {}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed"]);
    assert_eq!(codes(&run), ["LG306"]);
    assert!(run.stdout.contains("main protection"), "{}", run.stdout);
}

#[test]
fn lists_longer_than_a_page_are_followed_in_batched_queries() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let pull = h.pull_mut(1);
    pull.files = (0..250).map(|i| format!("src/f{i}.rs")).collect();
    pull.commit_authors = (0..130).map(|i| format!("dev{i}")).collect();
    // An approval from someone who committed, on the last page, must still disqualify them.
    pull.commit_authors.push("bob".to_owned());
    pull.reviews.push(GqlReview::new(
        "R_bob",
        "bob",
        "APPROVED",
        &pull.head_sha.clone(),
        REVIEWED_AT,
    ));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(commits(&run)[0]["approvers_on_head"], serde_json::json!(["alice"]));
    // The batch, then files 101-200 with commits 101-131, then files 201-250.
    assert_eq!(fake.graphql_queries().len(), 3);
}

#[test]
fn in_actions_the_repository_commit_and_branch_come_from_the_environment() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let tip = h.tip();
    let run = livegate_env(
        h.repo.path(),
        &[
            "deploy",
            "--environment",
            "production",
            "--api-url",
            &fake.url,
            "--no-cache",
            "--format",
            "github",
        ],
        &[
            ("GITHUB_TOKEN", "test-token"),
            ("GITHUB_REPOSITORY", "acme/api"),
            ("GITHUB_SHA", &tip),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("| sha | PR |"), "{summary}");
    assert!(summary.contains(&tip[..7]), "{summary}");
}

#[test]
fn the_protection_rule_answer_names_the_first_failing_commits() {
    use livegate::commands::deploy::{evaluate, DeploySettings};
    use livegate::github::client::{Auth, Client, ClientOptions};
    use livegate::github::secret::Secret;

    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let pushed = h.direct_push("src/hotfix.rs", "hotfix");
    let fake = h.serve();
    let client_options = ClientOptions {
        api_url: fake.url.clone(),
        auth: Auth::Token(Secret::new("test-token")),
        ..ClientOptions::default()
    };
    let settings = DeploySettings {
        owner: "acme".to_owned(),
        name: "api".to_owned(),
        environment: "production".to_owned(),
        to: h.tip(),
        branch: Some("main".to_owned()),
        tag: None,
        from: None,
        previous_attestation: None,
        first_deploy: false,
        max_commits: 100,
        checkout: h.repo.path().to_path_buf(),
        policy: None,
        server_host: "github.com".to_owned(),
        client: client_options.clone(),
    };
    let client = Client::new(client_options).unwrap();
    let run = evaluate(&client, &settings).unwrap();
    let (state, comment) = run.protection_rule_answer();
    assert_eq!(state, "rejected");
    assert!(
        comment.contains("direct-push") && comment.contains(&pushed[..7]),
        "{comment}"
    );
}

#[test]
fn a_push_to_the_branch_while_the_check_ran_is_unverified() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.world.ref_moves_to = Some("9".repeat(40));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("moved from"), "{}", run.stdout);
}

#[test]
fn without_a_clone_the_range_comes_from_the_compare_api_and_the_scan_from_patches() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.direct_push("src/hotfix.rs", "hotfix");
    h.merge(
        2,
        &[(
            "db/migrations/0002_officers.sql",
            "CREATE TABLE officers (email text, card text);\nINSERT INTO officers VALUES ('pc.test@example.com', '4111 1111 1111 1111');\n",
        )],
        &["bob"],
    );
    h.compare_from_git();
    let fake = h.serve();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = deploy(&h, &fake, &["--checkout", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed", "direct-push", "reviewed"]);
    let mut found = codes(&run);
    found.sort();
    found.dedup();
    assert_eq!(
        found,
        ["LG301", "LG305"],
        "the migration's leaks are the range's: which commit added them is unknown"
    );
    assert!(run.stdout.contains("compare API"), "{}", run.stdout);
    assert!(
        fake.log()
            .iter()
            .any(|l| l.path.ends_with("/contents/.github/livegate.toml")),
        "policy read at the baseline"
    );
}

#[test]
fn deploy_quiet_verbose_and_statistics_change_what_is_shown() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.direct_push("src/hotfix.rs", "hotfix");
    h.direct_push("src/hotfix2.rs", "hotfix 2");
    let fake = h.serve();
    let human = deploy(&h, &fake, &["--format", "human", "--color", "never"]);
    assert_eq!(human.code, 1, "{}\n{}", human.stdout, human.stderr);
    assert!(human.stdout.contains("livegate deploy: "), "{}", human.stdout);

    let quiet = deploy(&h, &fake, &["--format", "human", "--color", "never", "-q"]);
    assert_eq!(quiet.code, 1);
    assert!(quiet.stdout.contains("[LG301]"), "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("livegate deploy: "), "{}", quiet.stdout);

    let verbose = deploy(&h, &fake, &["-v"]);
    assert_eq!(verbose.code, 1);
    assert!(verbose.stderr.contains("livegate: POST /graphql"), "{}", verbose.stderr);
    assert!(!verbose.stderr.contains("test-token"), "{}", verbose.stderr);

    let stats = deploy(&h, &fake, &["--statistics"]).json();
    assert_eq!(stats["statistics"][0]["code"], "LG301", "{stats}");
    assert_eq!(stats["statistics"][0]["count"], 2, "{stats}");
}

#[test]
fn a_merge_commit_made_outside_github_and_pushed_is_not_the_reviewed_merge() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    // Pull request #2 was approved, then merged locally (`git merge --squash`)
    // and pushed: GitHub marks it merged, with the pushed commit as its merge
    // commit, which GitHub did not make and so did not sign.
    let (_, pushed) = h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"], "admin");
    h.pull_mut(2).merge_signature = None;
    // #3 is a merge commit signed with its maker's own key, not GitHub's.
    h.merge(3, &[("src/c.rs", "pub fn c() {}\n")], &["alice"]);
    h.pull_mut(3).merge_signature = Some((true, "VALID".to_owned(), false));
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed", "not-made-by-github", "not-made-by-github"]);
    assert!(codes(&run).iter().all(|c| c == "LG307"), "{:?}", codes(&run));
    let rows = commits(&run);
    assert_eq!(rows[1]["sha"], pushed);
    assert!(
        rows[1]["reasons"][0].as_str().unwrap().contains("unsigned"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2]["reasons"][0].as_str().unwrap().contains("not by GitHub"),
        "{}",
        rows[2]
    );
    assert!(
        fake.graphql_queries()
            .iter()
            .any(|q| q.contains("signature { isValid state wasSignedByGitHub }")),
        "the signature is read with the pull requests"
    );
}

#[test]
fn on_enterprise_server_graphql_is_sent_to_api_graphql() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let mut scenario = h.scenario();
    // REST under /api/v3 and GraphQL at /api/graphql only: a query sent to
    // /api/v3/graphql or /graphql would be answered 404.
    scenario.enterprise = true;
    let fake = FakeGitHub::start(scenario);
    let api = format!("{}/api/v3", fake.url);
    let mut args = vec![
        "deploy",
        "--repo",
        "acme/api",
        "--environment",
        "production",
        "--branch",
        "main",
        "--no-cache",
        "--retries",
        "0",
        "--format",
        "json",
        "--api-url",
        &api,
    ];
    let tip = h.tip();
    args.extend(["--to", &tip]);
    let run = livegate_env(h.repo.path(), &args, &[("GITHUB_TOKEN", "test-token")]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed"]);
    assert_eq!(fake.graphql_queries().len(), 1);
    assert!(fake.graphql_invalid().is_empty(), "{:?}", fake.graphql_invalid());
    assert!(fake.log().iter().all(|l| l.status != 404), "{:?}", fake.log());
}

fn accept_entry(commit: &str, reason: &str, verdicts: Option<&str>) -> String {
    let verdicts = verdicts.map(|v| format!("verdicts = [{v}]\n")).unwrap_or_default();
    format!("\n[[deploy.accept]]\ncommit = \"{commit}\"\nreason = \"{reason}\"\n{verdicts}")
}

fn finding<'a>(run: &'a Run, json: &'a Value, code: &str) -> Vec<Value> {
    let _ = run;
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

#[test]
fn a_direct_push_accepted_by_a_reviewed_pull_request_in_the_range_is_accepted_not_reviewed() {
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix for incident 42");
    let policy = format!(
        "{POLICY}{}",
        accept_entry(&hotfix, "incident 42, reviewed after the fact in #7", None)
    );
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    h.squash(3, &[("src/b.rs", "pub fn b() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deploy.intoto.jsonl");
    let run = deploy(&h, &fake, &["--attest", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["accepted", "reviewed", "reviewed"]);
    let row = &commits(&run)[0];
    assert_eq!(row["accepted"]["reason"], "incident 42, reviewed after the fact in #7");
    assert_eq!(row["accepted"]["instead_of"], "direct-push");
    assert!(
        row["accepted"]["entry"]
            .as_str()
            .unwrap()
            .starts_with(".github/livegate.toml@"),
        "{row}"
    );
    let json = run.json();
    let accepted = finding(&run, &json, "LG308");
    assert_eq!(accepted.len(), 1, "{json}");
    assert_eq!(accepted[0]["severity"], "warning");
    assert!(accepted[0]["message"]
        .as_str()
        .unwrap()
        .contains("instead of direct-push"));
    // The attestation's evidence carries the acceptance; the VSA still passes.
    let text = std::fs::read_to_string(&file).unwrap();
    let statements: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(statements[0]["predicate"]["verificationResult"], "PASSED");
    let evidence = &statements[1]["predicate"]["commits"][0];
    assert_eq!(evidence["verdict"], "accepted");
    assert_eq!(
        evidence["accepted"]["reason"],
        "incident 42, reviewed after the fact in #7"
    );
    // Every format shows it.
    let human = deploy(&h, &fake, &["--format", "human", "--color", "never"]);
    assert!(human.stdout.contains("accepted"), "{}", human.stdout);
    assert!(human.stdout.contains("incident 42"), "{}", human.stdout);
    let markdown = deploy(&h, &fake, &["--format", "markdown"]);
    assert!(markdown.stdout.contains("| accepted |"), "{}", markdown.stdout);
}

#[test]
fn an_accept_added_by_a_direct_push_is_ignored_and_the_finding_names_the_push() {
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix");
    let policy = format!("{POLICY}{}", accept_entry(&hotfix, "trust me", None));
    let sneaky = h.push_files(&[(".github/livegate.toml", &policy)], "accept my hotfix");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["direct-push", "direct-push"]);
    let json = run.json();
    let ignored = finding(&run, &json, "LG310");
    assert_eq!(ignored.len(), 1, "{json}");
    let message = ignored[0]["message"].as_str().unwrap();
    assert!(message.contains(&sneaky[..7]), "{message}");
    assert!(message.contains("without review"), "{message}");
    assert!(finding(&run, &json, "LG308").is_empty());
}

#[test]
fn an_accept_never_covers_a_rewritten_history_or_test_data() {
    // Test data pushed directly: accepting the push leaves the test data.
    let mut h = History::new();
    let leak = h.push_files(
        &[(
            "db/migrations/0002_officers.sql",
            "CREATE TABLE officers (email text, card text);\nINSERT INTO officers VALUES ('pc.test@example.com', '4111 1111 1111 1111');\n",
        )],
        "seed officers",
    );
    let policy = format!("{POLICY}{}", accept_entry(&leak, "hotfix", None));
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["test-data", "reviewed"]);

    // A force-pushed commit stays history-rewritten.
    let mut h = History::new();
    let forced = h.push_files(&[("src/x.rs", "pub fn x() {}\n")], "forced");
    let policy = format!("{POLICY}{}", accept_entry(&forced, "hotfix", None));
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    h.world.activity = vec![activity(
        "force_push",
        "main",
        &"e".repeat(40),
        &forced,
        "mallory",
        "2026-03-02T11:00:00Z",
    )];
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["history-rewritten", "reviewed"]);

    // Nor can an entry ask for it: the policy is refused at its line.
    let mut h = History::new();
    let pushed = h.push_files(&[("src/y.rs", "pub fn y() {}\n")], "pushed");
    let policy = format!("{POLICY}{}", accept_entry(&pushed, "hotfix", Some("\"test-data\"")));
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let line = POLICY.lines().count() + 5;
    assert!(
        run.stderr
            .contains(&format!(".github/livegate.toml@{}:{line}:", &h.tip()[..7])),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("can never be accepted"), "{}", run.stderr);
}

#[test]
fn an_accept_limited_to_some_verdicts_does_not_accept_others() {
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix");
    let policy = format!(
        "{POLICY}{}",
        accept_entry(&hotfix, "merged on a stale approval", Some("\"stale-approval\""))
    );
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["direct-push", "reviewed"]);
    assert!(
        commits(&run)[0]["reasons"]
            .to_string()
            .contains("does not accept direct-push"),
        "{}",
        commits(&run)[0]
    );
}

#[test]
fn a_leaks_allow_added_by_the_reviewed_pull_request_that_brings_the_leak_lets_it_pass() {
    let mut h = History::new();
    let policy = format!(
        "{POLICY}\n[[leaks.allow]]\npath = \"db/migrations/0002_officers.sql\"\ncode = \"LG414\"\nreason = \"synthetic officers for the demo environment\"\n"
    );
    let migration = "CREATE TABLE officers (email text);\nINSERT INTO officers VALUES ('pc.test@example.com');\n";
    // Without the allow, this migration is test data.
    let mut bare = History::new();
    bare.squash(
        1,
        &[("db/migrations/0002_officers.sql", migration)],
        &["alice"],
        "alice",
    );
    let fake = bare.serve();
    let run = deploy(&bare, &fake, &[]);
    assert_eq!(verdicts(&run), ["test-data"], "{}", run.stdout);
    let leaked: Vec<String> = codes(&run);
    assert_eq!(leaked, ["LG305"]);
    let leak_code = commits(&run)[0]["reasons"].to_string();
    assert!(
        leak_code.contains("LG414"),
        "the allow names the leak's code: {leak_code}"
    );

    h.squash(
        1,
        &[
            ("db/migrations/0002_officers.sql", migration),
            (".github/livegate.toml", &policy),
        ],
        &["alice"],
        "alice",
    );
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["reviewed"]);
    assert!(
        run.stdout
            .contains("honoured: 1 [[leaks.allow]] entry added in the range"),
        "{}",
        run.stdout
    );

    // The same allow pushed directly is ignored: the leak stays.
    let mut pushed = History::new();
    pushed.push_files(
        &[
            ("db/migrations/0002_officers.sql", migration),
            (".github/livegate.toml", &policy),
        ],
        "seed with allow",
    );
    let fake = pushed.serve();
    let run = deploy(&pushed, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let mut found = codes(&run);
    found.sort();
    assert_eq!(found, ["LG301", "LG310"], "{}", run.stdout);
    assert!(
        commits(&run)[0]["reasons"].to_string().contains("LG414"),
        "the leak is still reported: {}",
        commits(&run)[0]
    );
}

#[test]
fn an_accept_entry_with_a_short_sha_is_a_usage_error_at_its_line() {
    let policy = format!("{POLICY}{}", accept_entry("abc1234", "hotfix", None));
    let mut h = History::with_policy(&policy);
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let line = POLICY.lines().count() + 3;
    assert!(
        run.stderr
            .contains(&format!(".github/livegate.toml@{}:{line}:", &h.baseline[..7])),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not a full 40-hex commit sha"), "{}", run.stderr);
}

#[test]
fn an_accept_in_the_baseline_policy_for_a_commit_outside_the_range_is_stale() {
    let policy = format!("{POLICY}{}", accept_entry(&"ab".repeat(20), "deployed long ago", None));
    let mut h = History::with_policy(&policy);
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let stale = finding(&run, &json, "LG309");
    assert_eq!(stale.len(), 1, "{json}");
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(run.found()[0].2, (POLICY.lines().count() + 3) as u64);
}

#[test]
fn merges_not_signed_by_github_are_a_warning_when_the_policy_does_not_require_the_signature() {
    let policy = format!("{POLICY}\n[deploy]\nrequire-github-signature = false\n");
    let mut h = History::with_policy(&policy);
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.pull_mut(1).merge_signature = None;
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["not-made-by-github"]);
    let json = run.json();
    let unsigned = finding(&run, &json, "LG307");
    assert_eq!(unsigned.len(), 1);
    assert_eq!(unsigned[0]["severity"], "warning");
    assert!(
        unsigned[0]["message"]
            .as_str()
            .unwrap()
            .contains("not required by the policy"),
        "{}",
        unsigned[0]
    );
    // An unreviewed merge is still an error, signature or not.
    let mut h = History::with_policy(&policy);
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &[], "admin");
    h.pull_mut(1).merge_signature = None;
    let fake = h.serve();
    let run = deploy(&h, &fake, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["merged-without-review"]);
}

#[test]
fn without_a_clone_the_commits_that_changed_the_policy_come_from_the_commit_list() {
    // Reviewed: the accept arrives in a merge commit's pull request.
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix");
    let policy = format!("{POLICY}{}", accept_entry(&hotfix, "incident 42", None));
    h.merge(2, &[(".github/livegate.toml", &policy)], &["bob"]);
    h.compare_from_git();
    let fake = h.serve();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = deploy(&h, &fake, &["--checkout", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["accepted", "reviewed"]);
    let listed: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.path == "/repos/acme/api/commits")
        .collect();
    assert_eq!(listed.len(), 2, "one list per policy location: {listed:?}");
    let policy_reads = fake
        .log()
        .iter()
        .filter(|l| l.path.ends_with("/contents/.github/livegate.toml"))
        .count();
    assert_eq!(policy_reads, 2, "the policy at the baseline and at the commit deployed");

    // Pushed: the same entry is ignored, and the push is named.
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix");
    let policy = format!("{POLICY}{}", accept_entry(&hotfix, "incident 42", None));
    let sneaky = h.push_files(&[(".github/livegate.toml", &policy)], "accept it");
    h.compare_from_git();
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--checkout", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["direct-push", "direct-push"]);
    let json = run.json();
    let ignored = finding(&run, &json, "LG310");
    assert!(ignored[0]["message"].as_str().unwrap().contains(&sneaky[..7]), "{json}");

    // Nothing changed the policy: no commit list is read.
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.compare_from_git();
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--checkout", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        fake.log().iter().all(|l| l.path != "/repos/acme/api/commits"),
        "{:?}",
        fake.log()
    );
    let policy_reads = fake
        .log()
        .iter()
        .filter(|l| l.path.ends_with("/contents/.github/livegate.toml"))
        .count();
    assert_eq!(policy_reads, 1, "unchanged: read at the baseline only");
}

#[test]
fn on_a_first_deploy_an_accept_counts_only_if_the_policy_reached_the_branch_through_review() {
    // The initial commit (which wrote the policy) was pushed directly.
    let mut h = History::new();
    let hotfix = h.push_files(&[("src/hotfix.rs", "pub fn hotfix() {}\n")], "hotfix");
    let policy = format!("{POLICY}{}", accept_entry(&hotfix, "incident 42", None));
    h.squash(2, &[(".github/livegate.toml", &policy)], &["bob"], "bob");
    h.world.deployments.clear();
    h.world.commits.push((h.baseline.clone(), Vec::new()));
    let fake = h.serve();
    let run = deploy(&h, &fake, &["--first-deploy"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(verdicts(&run), ["direct-push", "direct-push", "reviewed"]);
    let json = run.json();
    let ignored = finding(&run, &json, "LG310");
    assert_eq!(ignored.len(), 1, "{json}");
    assert!(
        ignored[0]["message"].as_str().unwrap().contains(&h.baseline[..7]),
        "{json}"
    );
}

fn deploy_tag(history: &History, fake: &FakeGitHub, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec![
        "deploy",
        "--repo",
        "acme/api",
        "--environment",
        "production",
        "--api-url",
        &fake.url,
        "--no-cache",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let mut vars = vec![("GITHUB_TOKEN", "test-token")];
    vars.extend_from_slice(env);
    livegate_env(history.repo.path(), &all, &vars)
}

#[test]
fn a_tag_is_deployed_from_the_default_branch_and_must_be_reachable_from_its_tip() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.repo.git(&["tag", "-a", "v1.0", "-m", "release 1.0"]);
    let tip = h.tip();
    let fake = h.serve();
    // --to names the tag; no --branch: the repository's default branch.
    let run = deploy_tag(&h, &fake, &["--to", "v1.0"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["deploy"]["to"], tip.as_str(), "X is the tag's commit");
    assert_eq!(json["deploy"]["branch"], "main");
    assert_eq!(json["deploy"]["tag"], "v1.0");
    assert!(json["deploy"]["notes"].to_string().contains("default branch"), "{json}");
    assert!(
        fake.log().iter().any(|l| l.path == "/repos/acme/api"),
        "the default branch is read"
    );
    // In Actions on a tag push: GITHUB_REF is the tag, GITHUB_SHA its commit.
    let run = deploy_tag(
        &h,
        &fake,
        &[],
        &[("GITHUB_REF", "refs/tags/v1.0"), ("GITHUB_SHA", &tip)],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["deploy"]["branch"], "main");

    // A tag on a commit main never got: never a pass.
    let side = h.branch(9, &[("src/unreviewed.rs", "pub fn u() {}\n")]);
    h.repo.git(&["tag", "v1.1-rc", &side[0]]);
    h.world.commits.push((side[0].clone(), Vec::new()));
    let fake = h.serve();
    let run = deploy_tag(&h, &fake, &["--to", "v1.1-rc"], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let rewritten = finding(&run, &json, "LG304");
    assert!(
        rewritten
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("tag v1.1-rc")
                && f["message"].as_str().unwrap().contains("not reachable from main")),
        "{json}"
    );
}

#[test]
fn github_failing_to_give_the_policy_is_unverified_not_a_usage_error() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.compare_from_git();
    let fake = FakeGitHub::start(h.scenario().fault(
        "/repos/acme/api/contents/.github/livegate.toml",
        FaultKind::Status(502),
        10,
    ));
    let elsewhere = tempfile::tempdir().unwrap();
    let run = deploy(&h, &fake, &["--checkout", elsewhere.path().to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(codes(&run).contains(&"LG916".to_owned()), "{}", run.stdout);
}
