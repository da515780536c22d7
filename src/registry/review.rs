//! LG2xx: the pull-request review gate (`livegate pr`).

use super::Severity;

meta!(
    NOT_ENOUGH_APPROVALS,
    "LG201",
    "not-enough-approvals",
    Severity::Error,
    "The pull request has fewer eligible approvals than the policy requires",
    "Counting only approvals that GitHub and the policy accept — the latest review of each reviewer, on \
     the current head when stale approvals are invalid, not by the author, committers, the last pusher, \
     bots or reviewers below `min-permission` — there are fewer than `[review] required-approvals`.",
    "Unreviewed code reaching a live system is exactly what the gate exists to stop.",
    "required-approvals = 2; @alice approved, @bob's approval was on an older commit",
    "Ask an eligible reviewer to review the current head."
);

meta!(
    CHANGES_REQUESTED,
    "LG202",
    "changes-requested",
    Severity::Error,
    "An eligible reviewer's request for changes is outstanding",
    "The latest review of an eligible reviewer is CHANGES_REQUESTED.",
    "An objection from someone entitled to review has not been resolved; merging over it skips review.",
    "@carol requested changes and has not approved since",
    "Address the review and ask the reviewer to approve, or have the review dismissed with a reason."
);

meta!(
    CODE_OWNER_APPROVAL_MISSING,
    "LG203",
    "code-owner-approval-missing",
    Severity::Error,
    "A changed file has no approval from any of its code owners",
    "With `require-code-owner-review`, every changed file that CODEOWNERS (read from the base commit) \
     assigns to owners needs an eligible approval from one of them: the user, a member of the team.",
    "Owners guard the code where mistakes cost most (deployment, migrations, security).",
    "migrations/2024_01_seed.sql is owned by @acme/dba; nobody from acme/dba approved",
    "Request a review from one of the listed owners."
);

meta!(
    PATH_RULE_UNMET,
    "LG204",
    "path-rule-unmet",
    Severity::Error,
    "A `[[review.rules]]` requirement for changed paths is not met",
    "A changed file matches a path rule (the strictest applicable rule wins per file) whose approval \
     count or team/user requirement is not met by eligible approvals.",
    "Sensitive paths (migrations, deploy config) need more, or specific, reviewers.",
    "paths = [\"migrations/**\"], required-approvals = 2, teams = [\"acme/dba\"]",
    "Get the approvals the rule names, from members of its teams or its users."
);

meta!(
    POLICY_CHANGE_UNAPPROVED,
    "LG205",
    "policy-change-unapproved",
    Severity::Error,
    "The pull request changes livegate's policy without its owners' approval",
    "The PR adds or modifies the policy file (.github/livegate.toml or livegate.toml). The gate still \
     judges by the base branch's policy, and the change itself needs an approval from the policy file's \
     code owners — or, when CODEOWNERS assigns it to nobody, from a repository admin.",
    "A pull request must not be able to weaken the gate that judges it.",
    ".github/livegate.toml: required-approvals = 0, approved only by a teammate",
    "Have a code owner of the policy file (or an admin) approve the pull request."
);

meta!(
    CODEOWNERS_SYNTAX_ERROR,
    "LG206",
    "codeowners-syntax-error",
    Severity::Warning,
    "CODEOWNERS on the base branch has lines GitHub ignores",
    "A CODEOWNERS line with an invalid owner or unsupported syntax (`!` negation, `[...]` ranges). GitHub \
     skips such lines, so the files they meant to assign may have no owner.",
    "An owner rule that silently does not apply is a review requirement nobody enforces.",
    "src/billing/ billing-team   # missing @",
    "Fix the line (owners are @user, @org/team or e-mail addresses)."
);
