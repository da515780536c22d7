//! Range verdicts from plain structs.

use std::collections::BTreeMap;

use super::*;
use crate::facts::provenance::{CommitSignature, Dismissal, ReviewRecord, Rewrite};
use crate::facts::Known;
use crate::policy::model::{Permission, ReviewSection};

const MERGED: &str = "2026-03-02T10:00:00Z";

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(20)
}

fn review(id: &str, login: &str, state: &str, commit: &str, at: &str) -> ReviewRecord {
    ReviewRecord {
        id: id.to_owned(),
        login: login.to_owned(),
        is_bot: false,
        state: state.to_owned(),
        commit: Some(commit.to_owned()),
        submitted_at: Some(at.to_owned()),
    }
}

fn pr(number: u64, merge: &str, head: &str, reviews: Vec<ReviewRecord>) -> MergedPullRequest {
    MergedPullRequest {
        number,
        title: format!("change {number}"),
        author: "author".to_owned(),
        base_ref: "main".to_owned(),
        merged_at: MERGED.to_owned(),
        merged_by: Some("merger".to_owned()),
        head_sha: head.to_owned(),
        merge_commit: Some(merge.to_owned()),
        merge_signature: Some(github_signature()),
        reviews,
        commit_people: ["author".to_owned()].into_iter().collect(),
        ..MergedPullRequest::default()
    }
}

fn github_signature() -> CommitSignature {
    CommitSignature {
        valid: true,
        state: "VALID".to_owned(),
        by_github: true,
    }
}

fn commit(sha: &str, prs: &[u64]) -> LandingCommit {
    LandingCommit {
        sha: sha.to_owned(),
        parents: 1,
        summary: "change".to_owned(),
        pull_requests: prs.to_vec(),
        ..LandingCommit::default()
    }
}

fn facts(commits: Vec<LandingCommit>, prs: Vec<MergedPullRequest>) -> RangeFacts {
    let mut permissions = BTreeMap::new();
    for login in ["alice", "bob", "merger"] {
        permissions.insert(login.to_owned(), Known::Known(Some(Permission::Write)));
    }
    RangeFacts {
        repo: "acme/api".to_owned(),
        branch: "main".to_owned(),
        from: Some(sha(1)),
        to: commits.last().map(|c| c.sha.clone()).unwrap_or_default(),
        commits,
        pull_requests: prs.into_iter().map(|p| (p.number, p)).collect(),
        permissions,
        ..RangeFacts::default()
    }
}

fn policy() -> ReviewPolicy {
    ReviewPolicy::from_section(&ReviewSection {
        required_approvals: Some(1),
        dismiss_stale: Some(true),
        ..ReviewSection::default()
    })
    .unwrap()
}

fn verdicts(judgement: &RangeJudgement) -> Vec<&'static str> {
    judgement.commits.iter().map(|c| c.verdict.as_str()).collect()
}

#[test]
fn a_squash_merge_approved_on_its_head_is_reviewed() {
    let f = facts(
        vec![commit(&sha(2), &[7])],
        vec![pr(
            7,
            &sha(2),
            &sha(9),
            vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T09:00:00Z")],
        )],
    );
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["reviewed"]);
    assert_eq!(judgement.commits[0].merge_method, "squash");
    assert_eq!(judgement.commits[0].approvers_on_head, ["alice"]);
    assert!(judgement.findings.is_empty(), "{:?}", judgement.findings);
}

#[test]
fn a_commit_without_a_merged_pull_request_is_a_direct_push_and_trailers_do_not_help() {
    let mut pushed = commit(&sha(3), &[]);
    pushed.reviewed_by_trailers = vec!["Alice <alice@example.org>".to_owned()];
    let judgement = judge(&policy(), &DeployPolicy::default(), &facts(vec![pushed], vec![]));
    assert_eq!(verdicts(&judgement), ["direct-push"]);
    assert_eq!(judgement.findings[0].code(), "LG301");
    assert!(judgement.findings[0].message.contains("not a review"));
}

#[test]
fn approval_on_an_older_head_is_stale() {
    let f = facts(
        vec![commit(&sha(2), &[7])],
        vec![pr(
            7,
            &sha(2),
            &sha(9),
            vec![review("r1", "alice", "APPROVED", &sha(8), "2026-03-02T09:00:00Z")],
        )],
    );
    assert_eq!(
        verdicts(&judge(&policy(), &DeployPolicy::default(), &f)),
        ["stale-approval"]
    );
}

#[test]
fn no_approval_at_all_is_merged_without_review_and_the_merge_is_no_review() {
    let f = facts(vec![commit(&sha(2), &[7])], vec![pr(7, &sha(2), &sha(9), vec![])]);
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["merged-without-review"]);
    assert_eq!(judgement.findings[0].code(), "LG302");
}

#[test]
fn a_review_dismissed_after_the_merge_still_counts_and_one_after_the_merge_does_not() {
    let mut merged = pr(
        7,
        &sha(2),
        &sha(9),
        vec![review("r1", "alice", "DISMISSED", &sha(9), "2026-03-02T09:00:00Z")],
    );
    merged.dismissals = vec![Dismissal {
        review_id: "r1".to_owned(),
        at: "2026-03-03T00:00:00Z".to_owned(),
        previous_state: "APPROVED".to_owned(),
    }];
    let f = facts(vec![commit(&sha(2), &[7])], vec![merged.clone()]);
    assert_eq!(verdicts(&judge(&policy(), &DeployPolicy::default(), &f)), ["reviewed"]);

    merged.dismissals[0].at = "2026-03-02T09:30:00Z".to_owned();
    let f = facts(vec![commit(&sha(2), &[7])], vec![merged.clone()]);
    assert_eq!(
        verdicts(&judge(&policy(), &DeployPolicy::default(), &f)),
        ["merged-without-review"]
    );

    let late = pr(
        7,
        &sha(2),
        &sha(9),
        vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T11:00:00Z")],
    );
    let f = facts(vec![commit(&sha(2), &[7])], vec![late]);
    assert_eq!(
        verdicts(&judge(&policy(), &DeployPolicy::default(), &f)),
        ["merged-without-review"]
    );
}

#[test]
fn a_merge_or_squash_commit_without_github_signature_was_made_elsewhere() {
    let approved = || vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T09:00:00Z")];
    let mut unsigned = pr(7, &sha(2), &sha(9), approved());
    unsigned.merge_signature = None;
    let mut signed_by_someone = pr(
        8,
        &sha(3),
        &sha(8),
        vec![review("r2", "alice", "APPROVED", &sha(8), MERGED)],
    );
    signed_by_someone.merge_signature = Some(CommitSignature {
        valid: true,
        state: "VALID".to_owned(),
        by_github: false,
    });
    let mut merge = commit(&sha(3), &[8]);
    merge.parents = 2;
    let f = facts(vec![commit(&sha(2), &[7]), merge], vec![unsigned, signed_by_someone]);
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["not-made-by-github", "not-made-by-github"]);
    assert!(
        judgement.commits[0].reasons[0].contains("squash commit is unsigned"),
        "{:?}",
        judgement.commits[0]
    );
    assert!(
        judgement.commits[1].reasons[0].contains("not by GitHub"),
        "{:?}",
        judgement.commits[1]
    );
    assert!(judgement.findings.iter().all(|f| f.check.code == "LG307"));
    assert_eq!(judgement.findings.len(), 2);
    // A rebase merge's commits are not GitHub's merges: their signature is not asked for.
    let mut rebased = pr(9, &sha(5), &sha(9), approved());
    rebased.merge_signature = None;
    let f = facts(vec![commit(&sha(4), &[9]), commit(&sha(5), &[9])], vec![rebased]);
    assert_eq!(
        verdicts(&judge(&policy(), &DeployPolicy::default(), &f)),
        ["reviewed", "reviewed"]
    );
}

#[test]
fn rebased_commits_belong_to_the_pull_request_that_merged_as_the_last_of_them() {
    let approved = vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T09:00:00Z")];
    let f = facts(
        vec![commit(&sha(2), &[7]), commit(&sha(3), &[7])],
        vec![pr(7, &sha(3), &sha(9), approved)],
    );
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["reviewed", "reviewed"]);
    assert_eq!(judgement.commits[0].merge_method, "rebase");
    assert_eq!(judgement.commits[1].merge_method, "rebase");
}

#[test]
fn a_commit_associated_with_a_pull_request_that_merged_as_another_commit_is_a_direct_push() {
    let approved = vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T09:00:00Z")];
    let f = facts(vec![commit(&sha(2), &[7])], vec![pr(7, &sha(5), &sha(9), approved)]);
    assert_eq!(
        verdicts(&judge(&policy(), &DeployPolicy::default(), &f)),
        ["direct-push"]
    );
}

#[test]
fn force_pushes_ancestry_and_test_data_are_reported() {
    let approved = vec![review("r1", "alice", "APPROVED", &sha(9), "2026-03-02T09:00:00Z")];
    let mut landing = commit(&sha(2), &[7]);
    landing.paths = vec!["migrations/1_seed.sql".to_owned()];
    let mut f = facts(vec![landing], vec![pr(7, &sha(2), &sha(9), approved)]);
    f.test_data = vec![(
        "migrations/1_seed.sql".to_owned(),
        "LG421".to_owned(),
        "test person".to_owned(),
    )];
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["test-data"]);

    f.rewrites = vec![Rewrite {
        kind: "force_push".to_owned(),
        actor: Some("mallory".to_owned()),
        at: MERGED.to_owned(),
        before: sha(4),
        after: sha(2),
    }];
    f.ancestry = vec!["the baseline is not an ancestor".to_owned()];
    let judgement = judge(&policy(), &DeployPolicy::default(), &f);
    assert_eq!(verdicts(&judgement), ["history-rewritten"]);
    let codes: Vec<&str> = judgement.findings.iter().map(|f| f.code()).collect();
    assert_eq!(codes.iter().filter(|c| **c == "LG304").count(), 3, "{codes:?}");
}

#[test]
fn verdicts_are_named_the_same_in_json_and_in_the_table() {
    for verdict in [
        CommitVerdict::Reviewed,
        CommitVerdict::DirectPush,
        CommitVerdict::MergedWithoutReview,
        CommitVerdict::StaleApproval,
        CommitVerdict::HistoryRewritten,
        CommitVerdict::TestData,
        CommitVerdict::NotMadeByGitHub,
        CommitVerdict::Unverified,
    ] {
        assert_eq!(serde_json::to_value(verdict).unwrap(), verdict.as_str());
    }
}

fn accept(commit: &str) -> crate::policy::AcceptRule {
    crate::policy::AcceptRule {
        commit: commit.to_owned(),
        reason: "decided".to_owned(),
        verdicts: crate::policy::ACCEPTABLE_VERDICTS
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        origin: ".github/livegate.toml@abcdef1".to_owned(),
        line: 9,
    }
}

fn approved_pr(number: u64, merge: &str) -> MergedPullRequest {
    pr(
        number,
        merge,
        &sha(90 + number as u8),
        vec![review(
            "r",
            "alice",
            "APPROVED",
            &sha(90 + number as u8),
            "2026-03-02T09:00:00Z",
        )],
    )
}

#[test]
fn additions_count_only_when_every_policy_change_was_reviewed_and_never_accept_their_own_change() {
    // 02 pushed directly, 03 a reviewed pull request, 04 pushed directly.
    let f = facts(
        vec![commit(&sha(2), &[]), commit(&sha(3), &[7]), commit(&sha(4), &[])],
        vec![approved_pr(7, &sha(3))],
    );
    let deploy = DeployPolicy::default();
    let first = judge(&policy(), &deploy, &f);
    let additions = |changed_by: Known<Vec<String>>| PolicyAdditions {
        origin: ".github/livegate.toml@abcdef1".to_owned(),
        accept: vec![accept(&sha(2)), accept(&sha(3))],
        allow: Vec::new(),
        changed_by,
    };
    // Changed by the reviewed 03 only: honoured, except the entry naming 03 itself.
    let (honoured, _, findings) = trusted_additions(&first, &deploy, &additions(Known::Known(vec![sha(3)])));
    assert_eq!(honoured.len(), 1);
    assert_eq!(honoured[0].commit, sha(2));
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.contains("never accepts the change that wrote it"));
    // Also changed by the direct push 04: nothing is honoured, 04 is named.
    let (honoured, _, findings) = trusted_additions(&first, &deploy, &additions(Known::Known(vec![sha(3), sha(4)])));
    assert!(honoured.is_empty());
    assert!(
        findings[0].message.contains(&format!("{} (direct-push)", &sha(4)[..7])),
        "{}",
        findings[0].message
    );
    // Unknown: nothing is honoured.
    let unknown = Known::Unknown(Unknown {
        reason: "502".to_owned(),
        permission: "Contents: read".to_owned(),
    });
    let (honoured, _, findings) = trusted_additions(&first, &deploy, &additions(unknown));
    assert!(honoured.is_empty());
    assert!(findings[0].message.contains("could not be read"));

    // Honoured, the entry accepts 02 (never as reviewed) and nothing else.
    let with = DeployPolicy {
        accept: vec![accept(&sha(2))],
        ..DeployPolicy::default()
    };
    let judgement = judge(&policy(), &with, &f);
    assert_eq!(verdicts(&judgement), ["accepted", "reviewed", "direct-push"]);
    assert_eq!(
        judgement.commits[0].accepted.as_ref().unwrap().instead_of,
        CommitVerdict::DirectPush
    );
    assert_eq!(
        judgement.commits[0].accepted.as_ref().unwrap().entry,
        ".github/livegate.toml@abcdef1:9"
    );
}
