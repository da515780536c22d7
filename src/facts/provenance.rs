//! What `livegate deploy` observed about a deploy range: the landing commits
//! of the branch between the baseline and the commit to deploy, the pull
//! requests GitHub associates with them (with every review and dismissal and
//! their times, so that the policy can be applied as of the merge), the
//! branch's rewrites, and what could not be read.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Known, Unknown};
use crate::policy::model::Permission;

/// A commit on the branch's first-parent history in the range, oldest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LandingCommit {
    pub sha: String,
    /// Number of parents (2 or more: a merge commit).
    pub parents: usize,
    pub summary: String,
    /// `Reviewed-by:` trailers in the message (shown, never counted).
    pub reviewed_by_trailers: Vec<String>,
    /// Paths the commit changes against its first parent.
    pub paths: Vec<String>,
    /// Pull requests GitHub associates with the commit that merged into the branch.
    pub pull_requests: Vec<u64>,
}

/// One submitted review, with its state as GitHub shows it today.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewRecord {
    /// The review's node id (a dismissal names it).
    pub id: String,
    pub login: String,
    pub is_bot: bool,
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING.
    pub state: String,
    pub commit: Option<String>,
    /// ISO 8601, UTC (`None`: never submitted).
    pub submitted_at: Option<String>,
}

/// A review dismissal (a `ReviewDismissedEvent` of the timeline).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Dismissal {
    pub review_id: String,
    pub at: String,
    /// The review's state before it was dismissed.
    pub previous_state: String,
}

/// A pull request merged into the deploying branch.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MergedPullRequest {
    pub number: u64,
    pub title: String,
    pub author: String,
    pub base_ref: String,
    pub merged_at: String,
    pub merged_by: Option<String>,
    /// The head commit when it merged: approvals must be on it.
    pub head_sha: String,
    /// The commit the merge produced on the base (merge, squash, or the last rebased commit).
    pub merge_commit: Option<String>,
    /// The signature on that commit as GitHub verified it; `None`: unsigned.
    pub merge_signature: Option<CommitSignature>,
    pub reviews: Vec<ReviewRecord>,
    pub dismissals: Vec<Dismissal>,
    /// Logins of the authors and committers of its commits.
    pub commit_people: BTreeSet<String>,
    pub files: Vec<String>,
    /// Who pushed the head last, as far as the head commit tells (its committer, or its author under web-flow).
    pub last_pusher: Option<String>,
    /// CODEOWNERS of the base as the pull request merged (the merge result's first parent): path and text.
    pub codeowners: Option<(String, String)>,
    /// Lists that were longer than what was read (fail closed).
    pub incomplete: Vec<Unknown>,
}

/// A commit's signature as GitHub reports it (GraphQL `Commit.signature`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CommitSignature {
    /// `isValid`: the signature checks out against the commit.
    pub valid: bool,
    /// `state` (`VALID`, `UNKNOWN_KEY`, `BAD_EMAIL`, ...).
    pub state: String,
    /// `wasSignedByGitHub`: GitHub made the commit (a merge, squash or web edit) and signed it.
    pub by_github: bool,
}

impl CommitSignature {
    /// GitHub made the commit: its own signature, valid.
    pub fn made_by_github(&self) -> bool {
        self.by_github && self.valid && self.state == "VALID"
    }
}

/// A rewrite of the branch recorded in the repository activity.
#[derive(Debug, Clone, Serialize)]
pub struct Rewrite {
    /// `force_push` or `branch_deletion`.
    pub kind: String,
    pub actor: Option<String>,
    pub at: String,
    pub before: String,
    pub after: String,
}

/// A ruleset created or updated after the baseline was deployed.
#[derive(Debug, Clone, Serialize)]
pub struct ControlChange {
    pub ruleset: String,
    /// `Repository` or `Organization`.
    pub source: String,
    pub at: String,
    pub created: bool,
}

/// Everything the verdict on a range depends on.
#[derive(Debug, Clone, Default)]
pub struct RangeFacts {
    pub repo: String,
    pub branch: String,
    /// The baseline (what the environment runs); `None` on a first deploy.
    pub from: Option<String>,
    pub to: String,
    pub commits: Vec<LandingCommit>,
    pub pull_requests: BTreeMap<u64, MergedPullRequest>,
    /// Each reviewer's permission on the repository (read now: GitHub keeps no history of it).
    pub permissions: BTreeMap<String, Known<Option<Permission>>>,
    /// Members of the teams that code owners or path rules name (`org/team`).
    pub teams: BTreeMap<String, Known<BTreeSet<String>>>,
    /// `from` is not an ancestor of `to`, or `to` not of the branch tip: what was found.
    pub ancestry: Vec<String>,
    pub rewrites: Vec<Rewrite>,
    /// Rulesets changed since the baseline was deployed.
    pub control_changes: Vec<ControlChange>,
    /// Leak findings of the range: (path, code, message).
    pub test_data: Vec<(String, String, String)>,
    /// What could not be read; any entry makes the verdict "could not verify".
    pub unknowns: Vec<Unknown>,
}
