//! LG3xx: deploy-range provenance (`livegate deploy`): everything about to go
//! live reached the deploying branch through a pull request reviewed as the
//! policy said when it merged.

use super::Severity;

meta!(
    DIRECT_PUSH,
    "LG301",
    "direct-push",
    Severity::Error,
    "A commit in the deploy range reached the branch without a merged pull request",
    "A commit on the deploying branch's first-parent history between what the environment runs and what is \
     about to be deployed is not the result of any pull request merged into that branch: no merged pull \
     request is associated with it, or the associated one merged as another commit. A `Reviewed-by:` \
     trailer in the message is text anyone can write, not a review.",
    "A direct push (an admin, a bypass actor, protection switched off for an afternoon) puts code live that \
     nobody reviewed; the police-database incident began that way.",
    "an admin runs `git push origin HEAD:main` with a hotfix between two reviewed merges",
    "Revert the commit and bring the change back through a reviewed pull request, or deploy an earlier \
     commit. Then make sure protection has no bypass (see LG121, LG122)."
);

meta!(
    MERGED_WITHOUT_REVIEW,
    "LG302",
    "merged-without-review",
    Severity::Error,
    "A pull request in the deploy range merged without the review the policy requires",
    "The pull request that landed the commit did not meet `[review]` as of its `mergedAt`: the latest \
     review of each reviewer at that moment (a review dismissed later still counted then, one submitted \
     later did not), approvals on the final head, the author, committers, bots and the merger's merge \
     itself not counting as review, outstanding change requests, code owners and path rules.",
    "An admin's \"merge without waiting for requirements\" or a bypass actor's merge looks like a pull \
     request in the history while nobody approved it.",
    "#42 merged by @admin with 0 of 2 approvals (bypassed branch protection)",
    "Have the change reviewed after the fact (a follow-up pull request that an eligible reviewer approves) \
     or revert it before deploying."
);

meta!(
    STALE_APPROVAL,
    "LG303",
    "stale-approval",
    Severity::Error,
    "A pull request in the deploy range merged on an approval given to an older head",
    "The approvals that would have met `[review]` were given to commits before the pull request's final \
     head, and the policy's `dismiss-stale` says an approval counts only for the head it was given on: \
     commits added after the approval went live unreviewed.",
    "\"LGTM\" on the first version, then a new commit, then merge: the new commit is the one nobody read.",
    "@bob approved abc1234; def5678 was pushed; #17 merged at def5678",
    "Review the commits added after the approval (a follow-up pull request), or revert them before deploying."
);

meta!(
    HISTORY_REWRITTEN,
    "LG304",
    "history-rewritten",
    Severity::Error,
    "The deploying branch's history was rewritten in the deploy range",
    "What the environment runs is not an ancestor of what is about to be deployed, what is about to be \
     deployed is not on the branch, or the branch was force-pushed or deleted since the last deployment \
     (repository activity).",
    "A rewrite can drop reviewed commits and bring in unreviewed ones while every remaining commit looks \
     fine; the range itself is no longer the one that was reviewed.",
    "`git push --force origin main` after the last deploy",
    "Find out who rewrote the branch and why (the activity names the actor), restore the reviewed history, \
     and deploy only commits on it."
);

meta!(
    TEST_DATA_IN_RANGE,
    "LG305",
    "test-data-in-range",
    Severity::Error,
    "The deploy range brings test data into production paths",
    "The leak scan of the range (`livegate scan --diff FROM..TO` with the policy's `[leaks]`) found test \
     data, test files or test configuration that the range adds to production paths; the commit that \
     changed the file gets the verdict `test-data`.",
    "Reviewed is not the same as safe: a seed migration with test people in it can pass review and still \
     put test data into a live database.",
    "migrations/0042_seed.sql inserts `John Doe` with a 555-01xx phone number",
    "Remove the test data from the range (or move it out of production paths), or allow it explicitly with \
     `[[leaks.allow]]` and a reason."
);

meta!(
    MERGE_NOT_MADE_BY_GITHUB,
    "LG307",
    "merge-not-made-by-github",
    Severity::Error,
    "A pull request's merge or squash commit in the deploy range was not made by GitHub",
    "The commit GitHub records as the pull request's merge result is a merge or squash commit, but it does \
     not carry GitHub's own valid signature (`wasSignedByGitHub`): GitHub signs every merge and squash it \
     makes. It was made elsewhere and pushed — a local `git merge` or `git merge --squash` pushed to the \
     branch marks the pull request merged — so its content is whatever was pushed, not what was reviewed.",
    "A commit pushed with the pull request's message and the pull request marked merged looks reviewed in \
     the history while its content (a conflict resolution, an extra file) never went through review.",
    "ab12cd3 (#42) squash: the merge commit is unsigned; GitHub signs the merges it makes",
    "Compare the commit with the pull request's reviewed head, and bring any difference through a reviewed \
     pull request; then forbid direct pushes (LG121, LG122). On GitHub Enterprise Server without web commit \
     signing, GitHub's merges are unsigned too: turn signing on (Site admin → web commit signing), or, if \
     that cannot be done, set `[deploy] require-github-signature = false` in the policy (LG307 is then a \
     warning, and only forbidding direct pushes keeps a locally made merge out)."
);

meta!(
    CONTROL_GAP,
    "LG306",
    "control-gap",
    Severity::Warning,
    "Branch rules changed while the deploy range was being built",
    "A ruleset of the repository (or one it inherits from its organisation) was created or updated after \
     the baseline was deployed: protection may have been loosened for a while and restored. Each landing \
     commit is still judged on its own evidence; this says the controls were not constant over the range. \
     Classic branch protection keeps no history that the API shows, and a deleted ruleset leaves no trace.",
    "Protection switched off for an afternoon is exactly when an unreviewed change gets in; the per-commit \
     verdicts show whether one did, this finding shows that the window existed.",
    "ruleset `main protection` (Repository) updated at 2026-03-02T14:00:00Z, after the deployment of 2026-03-01",
    "Check the ruleset's history (Settings → Rules → Rulesets → History) for who changed what, and whether \
     the change was intended."
);

meta!(
    ACCEPTED_COMMIT,
    "LG308",
    "accepted-commit",
    Severity::Warning,
    "A commit in the deploy range is accepted by a `[[deploy.accept]]` entry",
    "The commit landed without the review the policy requires (a direct push, a merge without review, a \
     stale approval, a merge not made by GitHub), and a `[[deploy.accept]]` entry of the policy names it \
     with a reason. Its verdict is `accepted`, never `reviewed`: the report, the step summary and the \
     attestation carry the entry and its reason. An entry is honoured when it is in the policy at the \
     baseline, or added in the range by commits that were all reviewed (LG310 otherwise); it never accepts \
     a rewritten history or test data.",
    "Without a way to record the decision, one admin hotfix would block every later deploy of the branch; \
     with it, the decision is written down where the next reviewer sees it, and it went through review \
     itself.",
    "ab12cd3 \"hotfix\": accepted by .github/livegate.toml:12 (\"incident 42, reviewed after the fact in \
     #57\") instead of direct-push",
    "Nothing to do when the acceptance is intended; remove the entry once a deployment after the commit \
     becomes the baseline (LG309 then reports it as stale)."
);

meta!(
    STALE_DEPLOY_ACCEPT,
    "LG309",
    "stale-deploy-accept",
    Severity::Warning,
    "A `[[deploy.accept]]` entry names a commit that is not in the deploy range",
    "A `[[deploy.accept]]` entry of the policy names a commit that is not one of the range's landing commits: \
     it was deployed already, it is on another branch, or the sha is mistyped.",
    "An entry that matches nothing accepts nothing; left in place it hides which decisions still matter, and \
     a mistyped sha leaves the commit it was meant for failing.",
    "[[deploy.accept]] at .github/livegate.toml:12 names 0123456…, which is not a landing commit of D..X",
    "Remove the entry (the commit is deployed), or fix its sha: `git rev-parse COMMIT` gives the full one."
);

meta!(
    UNREVIEWED_POLICY_CHANGE,
    "LG310",
    "unreviewed-policy-change",
    Severity::Warning,
    "Policy entries added in the deploy range are ignored: a commit changed the policy without review",
    "The policy at the commit being deployed adds `[[deploy.accept]]` or `[[leaks.allow]]` entries to the \
     policy at the baseline, and a landing commit in the range that changed the policy file is not \
     `reviewed` under the baseline's policy (or which commits changed it could not be read). The additions \
     are ignored: the range is judged by the baseline's policy alone, and the commits they would have \
     accepted keep their own verdicts. Nothing else of the new policy is ever used for the range.",
    "Whoever can push directly could otherwise write an accept entry for their own push and deploy it; only \
     a reviewed change may record such a decision.",
    "9f8e7d6 changed .github/livegate.toml and is direct-push: the 1 [[deploy.accept]] entry added in the \
     range is ignored",
    "Land the policy change through a reviewed pull request (revert the unreviewed change, then open a pull \
     request with the entry), or accept the commit that changed the policy in the baseline's policy."
);
