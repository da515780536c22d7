//! LG1xx: branch protection and rulesets (`livegate protect`, `audit --protection`).

use super::Severity;

meta!(
    BRANCH_UNPROTECTED,
    "LG101",
    "branch-unprotected",
    Severity::Error,
    "A deploying branch has no protection at all",
    "Neither classic branch protection nor any active ruleset applies to a branch the policy names as \
     deploying (GitHub answers \"Branch not protected\" and returns no rules for it).",
    "Anyone with write access can push straight to it: unreviewed code and test data go live. This is \
     how test data reached a live police database.",
    "livegate protect --repo acme/api --branch main   # main has no protection rule and no ruleset",
    "Protect it: Settings → Rules → Rulesets → New branch ruleset targeting the branch (or Settings → \
     Branches → Add branch protection rule), with the settings the policy asks for."
);

meta!(
    TOO_FEW_APPROVALS,
    "LG111",
    "too-few-approvals",
    Severity::Error,
    "Fewer required approvals than the policy asks for (or no pull request required)",
    "The effective required approving review count (the largest of classic protection and every active \
     ruleset's pull_request rule) is below `[branches] required-approvals`.",
    "A change reaches production with fewer reviewers than the organisation decided it needs; with no \
     pull request required, with none.",
    "required-approvals = 2, but the only pull_request rule requires 1",
    "Raise \"Required approvals\" in the ruleset's \"Require a pull request before merging\" rule (API: \
     `pull_request.parameters.required_approving_review_count`), or in classic protection \
     (`required_pull_request_reviews.required_approving_review_count`)."
);

meta!(
    STALE_REVIEWS_KEPT,
    "LG112",
    "stale-reviews-kept",
    Severity::Error,
    "Approvals are not dismissed when new commits are pushed",
    "Neither classic protection (`dismiss_stale_reviews`) nor a ruleset (`dismiss_stale_reviews_on_push`) \
     dismisses approvals on push, while the policy requires it.",
    "An approval given on a harmless head still counts after new, unreviewed commits are pushed.",
    "dismiss-stale-reviews = true, classic protection has it off and no ruleset sets it",
    "Turn on \"Dismiss stale pull request approvals when new commits are pushed\" (ruleset: \
     `dismiss_stale_reviews_on_push`; classic: `required_pull_request_reviews.dismiss_stale_reviews`)."
);

meta!(
    CODE_OWNER_REVIEW_MISSING,
    "LG113",
    "code-owner-review-missing",
    Severity::Error,
    "Code-owner review is not required",
    "No source requires review from code owners while the policy does.",
    "Changes to owned code (deployment, migrations, security) merge without their owners' review.",
    "require-code-owner-review = true, but the pull_request rule has require_code_owner_review off",
    "Turn on \"Require review from Code Owners\" (ruleset: `require_code_owner_review`; classic: \
     `required_pull_request_reviews.require_code_owner_reviews`) and keep a CODEOWNERS file."
);

meta!(
    LAST_PUSH_APPROVAL_MISSING,
    "LG114",
    "last-push-approval-missing",
    Severity::Error,
    "The most recent push need not be approved by someone else",
    "No source requires approval of the most recent reviewable push by someone other than its pusher.",
    "A reviewer can push a last commit to an approved pull request and merge it unreviewed.",
    "require-last-push-approval = true, but no source sets require_last_push_approval",
    "Turn on \"Require approval of the most recent reviewable push\" (ruleset and classic: \
     `require_last_push_approval`)."
);

meta!(
    STATUS_CHECK_NOT_REQUIRED,
    "LG115",
    "status-check-not-required",
    Severity::Error,
    "A status check the policy requires is not a required check",
    "A context named in `[branches] required-status-checks` is not among the required status checks of \
     classic protection or any active ruleset.",
    "The check (tests, the livegate scan itself) can fail or never run and the merge still goes through.",
    "required-status-checks = [\"livegate\"], required checks are only [\"build\"]",
    "Add the context to \"Require status checks to pass\" (ruleset: `required_status_checks`; classic: \
     `required_status_checks.checks`)."
);

meta!(
    STATUS_CHECKS_NOT_STRICT,
    "LG116",
    "status-checks-not-strict",
    Severity::Warning,
    "Branches need not be up to date before merging",
    "No source sets strict status checks while the policy asks for them.",
    "Checks that passed on an old base say nothing about the merged result.",
    "strict-status-checks = true, strict_required_status_checks_policy is false",
    "Turn on \"Require branches to be up to date before merging\" (ruleset: \
     `strict_required_status_checks_policy`; classic: `required_status_checks.strict`)."
);

meta!(
    CONVERSATION_RESOLUTION_MISSING,
    "LG117",
    "conversation-resolution-missing",
    Severity::Warning,
    "Review conversations need not be resolved before merging",
    "No source requires conversation resolution while the policy does.",
    "An open objection in review does not stop the merge.",
    "require-conversation-resolution = true, required_review_thread_resolution is false",
    "Turn on \"Require conversation resolution before merging\" (ruleset: \
     `required_review_thread_resolution`; classic: `required_conversation_resolution`)."
);

meta!(
    REQUIRED_CHECK_NOT_PINNED,
    "LG118",
    "required-check-not-pinned",
    Severity::Error,
    "A required check can be satisfied by anyone who can post a commit status",
    "A required status check that no active source pins to a GitHub App (`integration_id` in a ruleset's \
     required_status_checks rule, `app_id` in classic protection's checks). An error for the checks the \
     policy names in `[branches] required-status-checks` (such as the review gate `livegate/review`), a \
     warning for other required checks.",
    "A commit status is posted by name: any workflow with `statuses: write`, or any token with \
     repo:status, can post `success` for it. Under `pull_request_review` and same-repository \
     `pull_request` events GitHub runs the workflow files of the pull request itself, so its author can \
     post the passing status of a review gate they did not pass.",
    "required-status-checks = [\"livegate/review\"], and the ruleset requires `livegate/review` from any source",
    "Pin the check to the app that must provide it: in the ruleset's \"Require status checks to pass\" rule, \
     choose the app as the check's source (API: `required_status_checks[].integration_id`), or in classic \
     protection select the expected source (API: `checks[].app_id`). For the review gate, install the \
     livegate App and pin its check run `livegate/review`."
);

meta!(
    ADMINS_CAN_BYPASS,
    "LG121",
    "admins-can-bypass",
    Severity::Error,
    "Administrators can bypass classic protection that nothing else enforces",
    "Classic protection has \"Do not allow bypassing the above settings\" (enforce_admins) off, and some \
     required setting comes only from classic protection, not from a ruleset.",
    "An administrator (or a compromised admin token) can push to the branch without review.",
    "enforce-admins = true, classic protection requires 2 approvals with enforce_admins off",
    "Turn on \"Do not allow bypassing the above settings\" (API: `POST \
     /repos/{owner}/{repo}/branches/{branch}/protection/enforce_admins`), or move the settings into a \
     ruleset without bypass actors."
);

meta!(
    RULESET_BYPASS_ACTOR,
    "LG122",
    "ruleset-bypass-actor",
    Severity::Error,
    "A ruleset lets an actor bypass it",
    "An active ruleset that protects the branch has a bypass actor. `bypass_mode: always` bypasses every \
     rule (an error); `pull_request` bypasses through a pull request without its required reviews (a \
     warning).",
    "A bypass actor is an unreviewed path to production; \"always\" defeats enforce-for-admins entirely.",
    "ruleset \"main\" (7): RepositoryRole 5 (admin) can always bypass",
    "Remove the actor from the ruleset's bypass list (Settings → Rules → Rulesets → Bypass list), or \
     set it to \"For pull requests only\" if an emergency path is needed."
);

meta!(
    FORCE_PUSH_ALLOWED,
    "LG131",
    "force-push-allowed",
    Severity::Error,
    "Force pushes to the branch are allowed",
    "Classic protection allows force pushes and no ruleset has a non_fast_forward rule, while the \
     policy forbids force pushes.",
    "A force push rewrites deployed history: reviewed commits can be replaced after the fact.",
    "allow-force-push = false, classic protection has allow_force_pushes on",
    "Turn on \"Block force pushes\" in a ruleset (`non_fast_forward`), or turn off \"Allow force \
     pushes\" in classic protection."
);

meta!(
    DELETION_ALLOWED,
    "LG132",
    "deletion-allowed",
    Severity::Error,
    "The branch can be deleted",
    "Classic protection allows deletions and no ruleset has a deletion rule, while the policy forbids it.",
    "Deleting and recreating a deploying branch drops its protection and history in one step.",
    "allow-deletion = false, classic protection has allow_deletions on",
    "Turn on \"Restrict deletions\" in a ruleset (`deletion`), or turn off \"Allow deletions\" in classic \
     protection."
);

meta!(
    LINEAR_HISTORY_MISSING,
    "LG133",
    "linear-history-missing",
    Severity::Warning,
    "Linear history is not required",
    "No source requires linear history while the policy does.",
    "Merge commits make the deployed range harder to audit commit by commit.",
    "require-linear-history = true, no required_linear_history rule",
    "Turn on \"Require linear history\" (ruleset: `required_linear_history`; classic: \
     `required_linear_history`)."
);

meta!(
    SIGNED_COMMITS_MISSING,
    "LG134",
    "signed-commits-missing",
    Severity::Warning,
    "Signed commits are not required",
    "No source requires signed commits while the policy does.",
    "Unsigned commits can claim any author; provenance of the deployed range cannot be checked.",
    "require-signed-commits = true, no required_signatures rule",
    "Turn on \"Require signed commits\" (ruleset: `required_signatures`; classic: \
     `POST /repos/{owner}/{repo}/branches/{branch}/protection/required_signatures`)."
);

meta!(
    RULESET_NOT_ENFORCED,
    "LG141",
    "ruleset-not-enforced",
    Severity::Note,
    "A branch ruleset is in evaluate or disabled mode and protects nothing",
    "A repository or organisation branch ruleset whose enforcement is `evaluate` or `disabled`. It is \
     not counted as protection.",
    "Evaluate mode only reports what would have been blocked; a team may believe it is protected.",
    "ruleset \"main protection\" (12) is in evaluate mode",
    "Set the ruleset's enforcement to Active once its insights look right, or delete it."
);
