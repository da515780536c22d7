//! LG9xx: what could not be verified. These are never suppressible and never a pass.

use super::{CheckMeta, Severity};

pub const REPOSITORY_UNREADABLE: CheckMeta = CheckMeta {
    code: "LG901",
    id: "repository-unreadable",
    severity: Severity::Error,
    summary: "The repository or a revision could not be read, so nothing was verified",
    what: "The git repository at the scanned path could not be opened, or a revision named with --diff \
           could not be resolved (corrupt repository, unknown revision, missing objects).",
    why: "A check that cannot read its input must not report a pass: an unreadable repository is \
          exactly where unreviewed test data would go unnoticed.",
    example: "livegate scan --diff origin/main..HEAD   # origin/main was never fetched",
    fix: "Make the repository readable (run `git fsck`), fetch the revisions you name, or scan a \
          healthy clone.",
};

pub const FILE_UNREADABLE: CheckMeta = CheckMeta {
    code: "LG902",
    id: "file-unreadable",
    severity: Severity::Error,
    summary: "A file in scope could not be read",
    what: "A file that the scan should have read failed with an I/O error (permissions, a file that \
           vanished mid-scan, a broken object).",
    why: "Skipping it silently would report a clean scan for content nobody looked at.",
    example: "chmod 000 migrations/0001_seed.sql && livegate scan",
    fix: "Make the file readable by the user running livegate, or exclude it in the policy with \
          `[leaks] exclude = [\"path\"]` if it is out of scope.",
};

pub const SHALLOW_HISTORY: CheckMeta = CheckMeta {
    code: "LG903",
    id: "history-incomplete",
    severity: Severity::Error,
    summary: "The history needed for the requested range is missing (shallow clone)",
    what: "A --diff range reaches a commit that a shallow clone does not have.",
    why: "The change cannot be computed, so it cannot be said to be clean.",
    example: "actions/checkout with the default fetch-depth: 1, then livegate scan --diff main..HEAD",
    fix: "Fetch enough history: `git fetch --deepen=50` or, in GitHub Actions, \
          `actions/checkout` with `fetch-depth: 0`.",
};

meta!(
    PROTECTION_UNREADABLE,
    "LG911",
    "protection-unreadable",
    Severity::Error,
    "Branch protection could not be read, and rulesets alone do not prove the policy",
    "GitHub refused to show classic branch protection (404 to a user token without admin, 403 \"Resource \
     not accessible by integration\" to an app or Actions token), and the active rulesets alone do not \
     meet every requirement, so the remaining requirements cannot be verified.",
    "Reading a refusal as \"not protected\" would raise false alarms; reading it as \"protected\" would \
     pass an unprotected branch. Neither is honest.",
    "GITHUB_TOKEN in Actions without `administration: read`",
    "Grant the token Administration: read (fine-grained token or GitHub App), or use a classic token of a \
     repository admin; or express the requirements as rulesets, which only need Metadata: read."
);

meta!(
    BYPASS_LIST_HIDDEN,
    "LG912",
    "bypass-list-hidden",
    Severity::Error,
    "A ruleset's bypass list is hidden from the token",
    "GitHub returned the ruleset without `bypass_actors` (the caller cannot edit it), while the policy \
     requires that nobody can bypass protection.",
    "A hidden bypass list is unknown, not empty: an actor there may be able to push without review.",
    "An organisation ruleset read with a repository-scoped token",
    "Use a token that can manage the ruleset: repository admin for repository rulesets, organisation \
     admin (Administration: read at organisation level for apps) for organisation rulesets."
);

meta!(
    GITHUB_UNREADABLE,
    "LG913",
    "github-unreadable",
    Severity::Error,
    "GitHub could not be read (rate limit, outage, malformed answer)",
    "A GitHub API call kept failing after bounded retries, hit a rate limit whose reset is too far away, \
     returned something that is not the documented JSON, or the time budget ran out.",
    "Without the data the protection cannot be verified; livegate fails closed rather than pass.",
    "GET /repos/acme/api/rules/branches/main: GitHub unavailable after 4 attempts: 502",
    "Rerun later (the message gives the rate-limit reset time), or raise --budget / --max-rate-limit-wait."
);

meta!(
    REVIEW_UNVERIFIABLE,
    "LG914",
    "review-unverifiable",
    Severity::Error,
    "The review could not be verified completely",
    "Something the verdict depends on could not be read: more changed files than GitHub lists (3,000) or \
     commits than it returns (250), a reviewer's permission, a team's membership, an e-mail owner that \
     cannot be matched to an account.",
    "A partial view could pass a pull request that should fail; livegate fails closed.",
    "GET /orgs/acme/teams/dba/members: 403 (the token lacks Members: read)",
    "Grant the missing permission named in the message (Members: read for teams; Metadata: read for \
     collaborators), or split the pull request."
);

meta!(
    SETTINGS_UNREADABLE,
    "LG915",
    "settings-unreadable",
    Severity::Error,
    "A setting the policy checks could not be read",
    "The token cannot read a setting the policy has a requirement for (admin-only settings, organisation \
     owner settings), or the repository could not be audited at all. `--allow-unknown` reports these without \
     failing.",
    "An unreadable setting is not a compliant one.",
    "acme/api: deploy keys are visible to repository admins only",
    "Grant the permission named in the message, or run with --allow-unknown to accept the gap knowingly."
);

pub const CONTENT_NOT_VERIFIABLE: CheckMeta = CheckMeta {
    code: "LG904",
    id: "content-not-verifiable",
    severity: Severity::Error,
    summary: "A file in a production data path could not be read as text, so its content is unverified",
    what: "A migration, seed, production data or production configuration file was skipped: it looks \
           binary (a NUL byte in its first 8 KiB and no UTF-16 byte-order mark) or is larger than \
           `[leaks] max-file-size` (2 MiB by default). Also a pom.xml that is not well-formed XML: \
           its dependencies (test libraries, test-jars) cannot be read, and the finding points at the \
           line and column the XML parser stopped at.",
    why: "Test data hidden in a file the scan cannot read reaches the live database just the same. \
          Elsewhere skipped files are only counted; in production data paths they are not a pass.",
    example: "db/migrations/0042_officers.sql saved as UTF-32, or a 3 MiB seeds/customers.csv",
    fix: "Fix the XML of a pom.xml (Maven cannot read it either). Store the file as text (UTF-8, or \
          UTF-16 with a byte-order mark), split it under the size \
          limit or raise `[leaks] max-file-size`; or accept it by path with `[leaks] exclude = \
          [\"path\"]` if it has been checked another way.",
};

meta!(
    PROVENANCE_UNVERIFIABLE,
    "LG916",
    "provenance-unverifiable",
    Severity::Error,
    "The deploy range could not be proven reviewed",
    "`livegate deploy` could not establish the range or its evidence: no successful deployment of the \
     environment to start from (and neither --from nor --first-deploy), a GraphQL answer with `errors` \
     beside its `data`, a list with more pages than were read, a commit the local clone lacks, the branch \
     tip or the environment's deployment changing while the check ran, or more commits than --max-commits.",
    "A partial proof is no proof: a commit that was not looked at may be the unreviewed one.",
    "POST /graphql: partial answer: Could not resolve to a node with the global id of '…'",
    "Fix the cause named in the message (fetch the full history with `fetch-depth: 0`, pass --from, grant \
     the token Contents, Pull requests and Deployments: read), then rerun."
);
