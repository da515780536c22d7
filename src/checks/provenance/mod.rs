//! Deploy-range provenance: for each commit that landed on the deploying
//! branch between what an environment runs and what is about to be deployed,
//! which pull request landed it and whether that pull request met the
//! `[review]` policy as of the moment it merged. Pure: the facts come from
//! `facts::provenance`, filled by the deploy command's collectors.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::review::codeowners::CodeOwners;
use crate::checks::review::{self, Evaluation, PrFacts, ReviewFact, ReviewPolicy};
use crate::facts::provenance::{LandingCommit, MergedPullRequest, RangeFacts};
use crate::facts::Known;
use crate::facts::Unknown;
use crate::policy::{AcceptRule, AllowRule, DeployPolicy};
use crate::registry::provenance::{
    ACCEPTED_COMMIT, CONTROL_GAP, DIRECT_PUSH, HISTORY_REWRITTEN, MERGED_WITHOUT_REVIEW, MERGE_NOT_MADE_BY_GITHUB,
    STALE_APPROVAL, STALE_DEPLOY_ACCEPT, TEST_DATA_IN_RANGE, UNREVIEWED_POLICY_CHANGE,
};
use crate::registry::verification::{PROVENANCE_UNVERIFIABLE, REVIEW_UNVERIFIABLE};
use crate::registry::CheckMeta;
use crate::registry::Severity;
use crate::report::finding::{Finding, Location};

#[cfg(test)]
mod tests;

/// The verdict on one landing commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitVerdict {
    Reviewed,
    DirectPush,
    MergedWithoutReview,
    StaleApproval,
    HistoryRewritten,
    TestData,
    /// The pull request's merge or squash commit was not made (signed) by GitHub.
    #[serde(rename = "not-made-by-github")]
    NotMadeByGitHub,
    /// Landed without the required review, and a `[[deploy.accept]]` entry accepts it.
    Accepted,
    /// Evidence the verdict needs could not be read.
    Unverified,
}

impl CommitVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitVerdict::Reviewed => "reviewed",
            CommitVerdict::DirectPush => "direct-push",
            CommitVerdict::MergedWithoutReview => "merged-without-review",
            CommitVerdict::StaleApproval => "stale-approval",
            CommitVerdict::HistoryRewritten => "history-rewritten",
            CommitVerdict::TestData => "test-data",
            CommitVerdict::NotMadeByGitHub => "not-made-by-github",
            CommitVerdict::Accepted => "accepted",
            CommitVerdict::Unverified => "unverified",
        }
    }

    fn check(self) -> Option<&'static CheckMeta> {
        match self {
            CommitVerdict::Reviewed => None,
            CommitVerdict::DirectPush => Some(&DIRECT_PUSH),
            CommitVerdict::MergedWithoutReview => Some(&MERGED_WITHOUT_REVIEW),
            CommitVerdict::StaleApproval => Some(&STALE_APPROVAL),
            CommitVerdict::HistoryRewritten => Some(&HISTORY_REWRITTEN),
            CommitVerdict::TestData => Some(&TEST_DATA_IN_RANGE),
            CommitVerdict::NotMadeByGitHub => Some(&MERGE_NOT_MADE_BY_GITHUB),
            CommitVerdict::Accepted => Some(&ACCEPTED_COMMIT),
            CommitVerdict::Unverified => Some(&PROVENANCE_UNVERIFIABLE),
        }
    }
}

/// One row of the per-commit table, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CommitJudgement {
    pub sha: String,
    pub summary: String,
    pub pull_request: Option<u64>,
    /// merge, squash, rebase, fast-forward, or `-` for a direct push.
    pub merge_method: String,
    pub merged_by: Option<String>,
    pub merged_at: Option<String>,
    /// Approvals that counted, given on the pull request's final head.
    pub approvers_on_head: Vec<String>,
    pub verdict: CommitVerdict,
    pub reasons: Vec<String>,
    /// The `[[deploy.accept]]` entry that accepted the commit (verdict `accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
}

/// Why a commit is `accepted`: the entry, its reason, and the verdict it
/// would have had.
#[derive(Debug, Clone, Serialize)]
pub struct Acceptance {
    /// Where the entry is written: `FILE@SHA:LINE`.
    pub entry: String,
    pub reason: String,
    pub instead_of: CommitVerdict,
}

/// The verdict on a range.
#[derive(Debug, Clone, Serialize)]
pub struct RangeJudgement {
    pub commits: Vec<CommitJudgement>,
    /// The review evaluation of each landing pull request, as of its merge.
    pub pull_requests: BTreeMap<u64, Evaluation>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// The reviews of a pull request as they stood when it merged: submitted no
/// later than `mergedAt`, and a review dismissed after the merge in the state
/// it had before (it counted then). A dismissed review whose dismissal is not
/// in the timeline cannot be placed in time: that is reported, not guessed.
pub fn reviews_as_of_merge(pr: &MergedPullRequest) -> (Vec<ReviewFact>, Vec<Unknown>) {
    let mut reviews = Vec::new();
    let mut unknowns = Vec::new();
    for review in &pr.reviews {
        let Some(submitted) = review.submitted_at.as_deref() else {
            continue;
        };
        if review.state == "PENDING" || submitted > pr.merged_at.as_str() {
            continue;
        }
        let state = if review.state == "DISMISSED" {
            match pr.dismissals.iter().find(|d| d.review_id == review.id) {
                Some(dismissal) if dismissal.at.as_str() > pr.merged_at.as_str() => dismissal.previous_state.clone(),
                Some(_) => "DISMISSED".to_owned(),
                None => {
                    unknowns.push(Unknown {
                        reason: format!(
                            "#{}: @{}'s review is dismissed, and the timeline does not say when",
                            pr.number, review.login
                        ),
                        permission: "Pull requests: read".to_owned(),
                    });
                    "DISMISSED".to_owned()
                }
            }
        } else {
            review.state.clone()
        };
        reviews.push(ReviewFact {
            login: review.login.clone(),
            is_bot: review.is_bot,
            state,
            commit_id: review.commit.clone(),
        });
    }
    (reviews, unknowns)
}

/// The review facts of a pull request as of its merge, for `review::evaluate`.
fn pr_facts(facts: &RangeFacts, pr: &MergedPullRequest) -> PrFacts {
    let (reviews, unknowns) = reviews_as_of_merge(pr);
    let mut incomplete = pr.incomplete.clone();
    incomplete.extend(unknowns);
    PrFacts {
        repo: facts.repo.clone(),
        number: pr.number,
        author: pr.author.clone(),
        head_sha: pr.head_sha.clone(),
        files: pr.files.clone(),
        commit_people: pr.commit_people.clone(),
        last_pusher: pr.last_pusher.clone(),
        reviews,
        permissions: facts.permissions.clone(),
        teams: facts.teams.clone(),
        codeowners: pr
            .codeowners
            .as_ref()
            .map(|(path, text)| (path.clone(), CodeOwners::parse(text))),
        policy_changed: Vec::new(),
        incomplete,
    }
}

/// Teams whose membership the verdict may need: those of path rules, and
/// those CODEOWNERS names for the files of each landing pull request.
pub fn teams_needed(policy: &ReviewPolicy, facts: &RangeFacts) -> std::collections::BTreeSet<String> {
    let mut teams = policy.rule_teams();
    if policy.require_code_owner_review {
        for pr in facts.pull_requests.values() {
            teams.extend(review::teams_needed(policy, &pr_facts(facts, pr)));
        }
    }
    teams
}

/// The pull request that landed commit `index`, and how: its merge result
/// is the commit, or the commit is one of a rebase merge's commits — a run of
/// first-parent commits, all associated with the pull request, ending at its
/// merge result.
fn landed_by(facts: &RangeFacts, index: usize) -> Option<(&MergedPullRequest, bool)> {
    let commit = &facts.commits[index];
    let candidates = commit.pull_requests.iter().filter_map(|n| facts.pull_requests.get(n));
    for pr in candidates.clone() {
        if pr.merge_commit.as_deref() == Some(commit.sha.as_str()) {
            let rebased_run = index > 0 && facts.commits[index - 1].pull_requests.contains(&pr.number);
            return Some((pr, rebased_run));
        }
    }
    for pr in candidates {
        let Some(merge) = pr.merge_commit.as_deref() else {
            continue;
        };
        let run = facts.commits[index..]
            .iter()
            .take_while(|c| c.pull_requests.contains(&pr.number))
            .position(|c| c.sha == merge);
        if run.is_some() {
            return Some((pr, true));
        }
    }
    None
}

fn merge_method(commit: &LandingCommit, pr: &MergedPullRequest, rebased: bool) -> &'static str {
    if commit.parents > 1 {
        "merge"
    } else if rebased {
        "rebase"
    } else if commit.sha == pr.head_sha {
        "fast-forward"
    } else {
        "squash"
    }
}

fn here(facts: &RangeFacts, sha: &str) -> Location {
    Location::file(&format!("{}@{}", facts.repo, review::short(sha)))
}

/// Judges every landing commit of the range, and the range itself, with the
/// `[deploy]` policy (its accept entries are those the caller trusts).
pub fn judge(policy: &ReviewPolicy, deploy: &DeployPolicy, facts: &RangeFacts) -> RangeJudgement {
    let mut findings = Vec::new();
    let mut evaluations: BTreeMap<u64, Evaluation> = BTreeMap::new();
    // What the same evaluation says when approvals on older heads count:
    // a pull request that only this rescues merged on a stale approval.
    let mut lenient = policy.clone();
    lenient.dismiss_stale = false;

    let mut commits = Vec::new();
    for (index, commit) in facts.commits.iter().enumerate() {
        let mut reasons = Vec::new();
        let mut row = CommitJudgement {
            sha: commit.sha.clone(),
            summary: commit.summary.clone(),
            pull_request: None,
            merge_method: "-".to_owned(),
            merged_by: None,
            merged_at: None,
            approvers_on_head: Vec::new(),
            verdict: CommitVerdict::Reviewed,
            reasons: Vec::new(),
            accepted: None,
        };
        let verdict = match landed_by(facts, index) {
            None => {
                let associated: Vec<String> = commit.pull_requests.iter().map(|n| format!("#{n}")).collect();
                if associated.is_empty() {
                    reasons.push(format!(
                        "no pull request merged into {} is associated with this commit",
                        facts.branch
                    ));
                } else {
                    reasons.push(format!(
                        "associated with {}, which did not merge as this commit",
                        associated.join(", ")
                    ));
                }
                for trailer in &commit.reviewed_by_trailers {
                    reasons.push(format!(
                        "`Reviewed-by: {trailer}` is a trailer anyone can write, not a review"
                    ));
                }
                CommitVerdict::DirectPush
            }
            Some((pr, rebased)) => {
                row.pull_request = Some(pr.number);
                row.merge_method = merge_method(commit, pr, rebased).to_owned();
                row.merged_by = pr.merged_by.clone();
                row.merged_at = Some(pr.merged_at.clone());
                let evaluation = evaluations
                    .entry(pr.number)
                    .or_insert_with(|| review::evaluate(policy, &pr_facts(facts, pr)));
                row.approvers_on_head = evaluation
                    .reviewers
                    .iter()
                    .filter(|r| r.counts && r.commit.as_deref() == Some(pr.head_sha.as_str()))
                    .map(|r| r.login.clone())
                    .collect();
                let merged_by = pr.merged_by.as_deref().map(|m| format!(" by @{m}")).unwrap_or_default();
                let problems: Vec<&Finding> = evaluation.findings.iter().collect();
                // GitHub signs every merge and squash commit it makes; one
                // without its signature was made elsewhere and pushed, so its
                // content is not necessarily what was reviewed.
                let made_elsewhere = matches!(row.merge_method.as_str(), "merge" | "squash")
                    && !pr.merge_signature.as_ref().is_some_and(|s| s.made_by_github());
                if made_elsewhere {
                    reasons.push(match &pr.merge_signature {
                        None => format!(
                            "the {} commit is unsigned: GitHub signs the merges it makes, so this one was made \
                             elsewhere and pushed",
                            row.merge_method
                        ),
                        Some(s) if !s.by_github => format!(
                            "the {} commit is signed, but not by GitHub (state {}): it was made elsewhere and pushed",
                            row.merge_method, s.state
                        ),
                        Some(s) => format!(
                            "GitHub's signature on the {} commit does not verify (state {})",
                            row.merge_method, s.state
                        ),
                    });
                }
                if let Some(unverifiable) = problems.iter().find(|f| f.check.code == REVIEW_UNVERIFIABLE.code) {
                    reasons.push(format!("#{}: {}", pr.number, unverifiable.message));
                    CommitVerdict::Unverified
                } else if problems.is_empty() {
                    reasons.push(format!(
                        "#{} merged{merged_by} at {} with {} of {} approvals counted as of the merge",
                        pr.number, pr.merged_at, evaluation.approvals, evaluation.required
                    ));
                    if made_elsewhere {
                        // The review stands; the commit is not the one it reviewed.
                        CommitVerdict::NotMadeByGitHub
                    } else {
                        CommitVerdict::Reviewed
                    }
                } else {
                    reasons.push(format!("#{} merged{merged_by} at {}", pr.number, pr.merged_at));
                    reasons.extend(problems.iter().map(|f| f.message.clone()));
                    let rescued = review::evaluate(&lenient, &pr_facts(facts, pr)).findings.is_empty();
                    if policy.dismiss_stale && rescued {
                        CommitVerdict::StaleApproval
                    } else {
                        CommitVerdict::MergedWithoutReview
                    }
                }
            }
        };
        let mut verdict = verdict;
        if let Some(rewrite) = facts.rewrites.iter().find(|r| r.after == commit.sha) {
            reasons.push(format!(
                "pushed to {} by a {} at {}{}",
                facts.branch,
                rewrite.kind.replace('_', " "),
                rewrite.at,
                rewrite
                    .actor
                    .as_deref()
                    .map(|a| format!(" by @{a}"))
                    .unwrap_or_default()
            ));
            verdict = CommitVerdict::HistoryRewritten;
        }
        let leaks: Vec<&(String, String, String)> = facts
            .test_data
            .iter()
            .filter(|(path, _, _)| commit.paths.contains(path))
            .collect();
        for (path, code, message) in &leaks {
            reasons.push(format!("{path}: {code} {message}"));
        }
        // An entry accepts what the review said; never a rewritten history,
        // and test data the commit brings is judged on its own.
        if let Some(entry) = deploy.accept.iter().find(|e| e.commit == commit.sha) {
            if entry.verdicts.iter().any(|v| v == verdict.as_str()) {
                reasons.insert(0, format!("accepted by {} (\"{}\")", entry_place(entry), entry.reason));
                row.accepted = Some(Acceptance {
                    entry: entry_place(entry),
                    reason: entry.reason.clone(),
                    instead_of: verdict,
                });
                verdict = CommitVerdict::Accepted;
            } else if verdict != CommitVerdict::Reviewed {
                reasons.push(format!(
                    "[[deploy.accept]] at {} does not accept {} (it accepts {})",
                    entry_place(entry),
                    verdict.as_str(),
                    entry.verdicts.join(", ")
                ));
            }
        }
        if !leaks.is_empty() && matches!(verdict, CommitVerdict::Reviewed | CommitVerdict::Accepted) {
            verdict = CommitVerdict::TestData;
        }
        row.verdict = verdict;
        row.reasons = reasons;
        if let Some(check) = verdict.check() {
            let pr = row.pull_request.map(|n| format!(" (#{n})")).unwrap_or_default();
            let mut finding = Finding::new(
                check,
                here(facts, &commit.sha),
                format!(
                    "{}{pr} \"{}\": {}",
                    review::short(&commit.sha),
                    commit.summary,
                    row.reasons.join("; ")
                ),
            );
            if verdict == CommitVerdict::NotMadeByGitHub && !deploy.require_github_signature {
                finding.severity = Severity::Warning;
                finding.message.push_str(
                    "; GitHub's signature was not required by the policy ([deploy] require-github-signature = false)",
                );
            }
            if let Some(accepted) = &row.accepted {
                finding.message = format!(
                    "{}{pr} \"{}\": accepted instead of {}: {}",
                    review::short(&commit.sha),
                    commit.summary,
                    accepted.instead_of.as_str(),
                    row.reasons.join("; ")
                );
            }
            findings.push(finding);
        }
        commits.push(row);
    }

    for problem in &facts.ancestry {
        findings.push(Finding::new(
            &HISTORY_REWRITTEN,
            here(facts, &facts.to),
            problem.clone(),
        ));
    }
    for rewrite in &facts.rewrites {
        findings.push(Finding::new(
            &HISTORY_REWRITTEN,
            Location::file(&format!("{}@{}", facts.repo, facts.branch)),
            format!(
                "{} was {} at {}{} ({} → {})",
                facts.branch,
                if rewrite.kind == "branch_deletion" {
                    "deleted"
                } else {
                    "force-pushed"
                },
                rewrite.at,
                rewrite
                    .actor
                    .as_deref()
                    .map(|a| format!(" by @{a}"))
                    .unwrap_or_default(),
                review::short(&rewrite.before),
                review::short(&rewrite.after)
            ),
        ));
    }
    for change in &facts.control_changes {
        findings.push(Finding::new(
            &CONTROL_GAP,
            Location::file(&format!("{}@{}", facts.repo, facts.branch)),
            format!(
                "ruleset `{}` ({}) was {} at {}, after the baseline was deployed; each commit is still judged on \
                 its own evidence",
                change.ruleset,
                change.source,
                if change.created { "created" } else { "updated" },
                change.at
            ),
        ));
    }
    for (path, code, message) in &facts.test_data {
        if !facts.commits.iter().any(|c| c.paths.contains(path)) {
            findings.push(Finding::new(
                &TEST_DATA_IN_RANGE,
                Location::file(path),
                format!("{code} {message}"),
            ));
        }
    }
    for entry in &deploy.accept {
        if !facts.commits.iter().any(|c| c.sha == entry.commit) {
            findings.push(Finding::new(
                &STALE_DEPLOY_ACCEPT,
                Location::at(&entry.origin, entry.line as u32, 1),
                format!(
                    "[[deploy.accept]] names {}, which is not a landing commit of {} in this range: it accepts \
                     nothing (deployed already, or a mistyped sha)",
                    entry.commit, facts.branch
                ),
            ));
        }
    }
    for unknown in &facts.unknowns {
        findings.push(Finding::new(
            &PROVENANCE_UNVERIFIABLE,
            Location::file(&facts.repo),
            format!("could not verify: {} (grant {})", unknown.reason, unknown.permission),
        ));
    }
    RangeJudgement {
        commits,
        pull_requests: evaluations,
        findings,
    }
}

/// "2 [[deploy.accept]] entries and 1 [[leaks.allow]] entry", naming only
/// the kinds there are.
pub fn entries(accept: usize, allow: usize) -> String {
    let mut parts = Vec::new();
    if accept > 0 {
        parts.push(crate::report::count(
            accept,
            "[[deploy.accept]] entry",
            "[[deploy.accept]] entries",
        ));
    }
    if allow > 0 {
        parts.push(crate::report::count(
            allow,
            "[[leaks.allow]] entry",
            "[[leaks.allow]] entries",
        ));
    }
    parts.join(" and ")
}

fn entry_place(entry: &AcceptRule) -> String {
    format!("{}:{}", entry.origin, entry.line)
}

/// `[[deploy.accept]]` and `[[leaks.allow]]` entries of the policy at the
/// commit being deployed that the policy at the baseline lacks, and which
/// landing commits of the range changed the policy file.
#[derive(Debug, Clone)]
pub struct PolicyAdditions {
    /// The policy file at the commit being deployed (`FILE@SHA`).
    pub origin: String,
    pub accept: Vec<AcceptRule>,
    pub allow: Vec<AllowRule>,
    pub changed_by: Known<Vec<String>>,
}

/// The additions that may be honoured, and findings about those that may
/// not. A range must not vouch for itself: additions count only when every
/// landing commit that changed the policy file is `reviewed` under the
/// baseline's policy — `first` is the range judged by that policy alone,
/// before the leak scan (test data a commit brings does not matter here:
/// the allow entries are what judge it; a merge not signed by GitHub counts
/// as reviewed when the baseline's policy does not require the signature). An accept
/// entry never accepts a commit that changed the policy file (so never the
/// one that added it).
pub fn trusted_additions(
    first: &RangeJudgement,
    deploy: &DeployPolicy,
    additions: &PolicyAdditions,
) -> (Vec<AcceptRule>, Vec<AllowRule>, Vec<Finding>) {
    let mut findings = Vec::new();
    if additions.accept.is_empty() && additions.allow.is_empty() {
        return (Vec::new(), Vec::new(), findings);
    }
    let what = entries(additions.accept.len(), additions.allow.len());
    let location = Location::file(&additions.origin);
    let changers = match &additions.changed_by {
        Known::Known(changers) => changers,
        Known::Unknown(unknown) => {
            findings.push(Finding::new(
                &UNREVIEWED_POLICY_CHANGE,
                location,
                format!(
                    "the {what} added in the range are ignored: which commits changed the policy file could not be \
                     read ({})",
                    unknown.reason
                ),
            ));
            return (Vec::new(), Vec::new(), findings);
        }
    };
    let reviewed = |sha: &str| {
        first.commits.iter().any(|c| {
            c.sha == sha
                && (c.verdict == CommitVerdict::Reviewed
                    || (c.verdict == CommitVerdict::NotMadeByGitHub && !deploy.require_github_signature))
        })
    };
    let unreviewed: Vec<String> = changers
        .iter()
        .filter(|sha| !reviewed(sha))
        .map(|sha| {
            let verdict = first
                .commits
                .iter()
                .find(|c| &c.sha == sha)
                .map_or("not a landing commit of the range", |c| c.verdict.as_str());
            format!("{} ({verdict})", review::short(sha))
        })
        .collect();
    if !unreviewed.is_empty() {
        findings.push(Finding::new(
            &UNREVIEWED_POLICY_CHANGE,
            location,
            format!(
                "the {what} added in the range are ignored: {} changed the policy file without review",
                unreviewed.join(", ")
            ),
        ));
        return (Vec::new(), Vec::new(), findings);
    }
    let mut accept = Vec::new();
    for entry in &additions.accept {
        if changers.contains(&entry.commit) {
            findings.push(Finding::new(
                &UNREVIEWED_POLICY_CHANGE,
                Location::at(&entry.origin, entry.line as u32, 1),
                format!(
                    "[[deploy.accept]] names {}, a commit that changed the policy file: an entry never accepts \
                     the change that wrote it; ignored",
                    review::short(&entry.commit)
                ),
            ));
        } else {
            accept.push(entry.clone());
        }
    }
    (accept, additions.allow.clone(), findings)
}
