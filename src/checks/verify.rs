//! LG9xx: what could not be verified. These never pass: they exit 3.

use crate::checks::CheckMeta;
use crate::report::finding::Severity;

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
