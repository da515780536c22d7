//! Every check's metadata (code, id, default severity, documentation) in one
//! ordered list. Data only: the ground floor that policy validation, reports,
//! `livegate checks`/`explain`, SARIF and docs/ read, and that imports nothing
//! else of livegate. The checks themselves live in `checks/`.

/// Declares a check's metadata as a `pub const` (the registry lists them).
macro_rules! meta {
    ($name:ident, $code:literal, $id:literal, $severity:expr, $summary:literal, $what:literal, $why:literal, $example:literal, $fix:literal) => {
        pub const $name: $crate::registry::CheckMeta = $crate::registry::CheckMeta {
            code: $code,
            id: $id,
            severity: $severity,
            summary: $summary,
            what: $what,
            why: $why,
            example: $example,
            fix: $fix,
        };
    };
}

pub mod leaks;
pub mod protection;
pub mod provenance;
pub mod review;
pub mod settings;
pub mod verification;

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered so that `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The families of DESIGN.md's code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Protection,
    Review,
    Provenance,
    Leaks,
    Settings,
    Verification,
}

impl Family {
    pub fn title(self) -> &'static str {
        match self {
            Family::Protection => "Branch protection and rulesets (LG1xx)",
            Family::Review => "Pull-request review gate (LG2xx)",
            Family::Provenance => "Deploy-range provenance (LG3xx)",
            Family::Leaks => "Test data leaks (LG4xx)",
            Family::Settings => "Repository and organisation settings (LG5xx)",
            Family::Verification => "Could not verify (LG9xx)",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Family::Protection => "protection",
            Family::Review => "review",
            Family::Provenance => "provenance",
            Family::Leaks => "leaks",
            Family::Settings => "settings",
            Family::Verification => "verification",
        }
    }

    pub fn of_code(code: &str) -> Option<Family> {
        match code.as_bytes().get(2)? {
            b'1' => Some(Family::Protection),
            b'2' => Some(Family::Review),
            b'3' => Some(Family::Provenance),
            b'4' => Some(Family::Leaks),
            b'5' => Some(Family::Settings),
            b'9' => Some(Family::Verification),
            _ => None,
        }
    }
}

/// Everything that is said about a check, in one place. The text fields are
/// the single source of `livegate explain`, the SARIF rule help and docs/.
#[derive(Debug)]
pub struct CheckMeta {
    pub code: &'static str,
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// What it detects.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// An example that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl CheckMeta {
    pub fn family(&self) -> Family {
        // Codes are validated by the registry test; a malformed one is a bug.
        Family::of_code(self.code).unwrap_or(Family::Verification)
    }

    /// Whether a finding of this check may be suppressed or lowered. "Could
    /// not verify" (LG9xx) never may: no inline allow, `[[leaks.allow]]`,
    /// `[leaks.severity]` or baseline turns it into a pass.
    pub fn suppressible(&self) -> bool {
        self.family() != Family::Verification
    }

    /// Where this check is documented, relative to the repository root: its
    /// family's page and the code's anchor (`docs/checks-leaks.md#lg411`).
    pub fn doc_path(&self) -> String {
        format!(
            "docs/checks-{}.md#{}",
            self.family().slug(),
            self.code.to_ascii_lowercase()
        )
    }

    /// The documentation as an absolute URL, for SARIF `helpUri` and
    /// terminal links: the page at this version's tag in the package's
    /// repository. None while the package names no https repository.
    pub fn doc_url(&self) -> Option<String> {
        doc_url(
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
            &self.doc_path(),
        )
    }

    /// How to suppress or accept a finding of this check: it depends on the
    /// family, since branch protection and settings are judged against the
    /// policy, not against lines of a file.
    pub fn suppression(&self) -> String {
        let code = self.code;
        match self.family() {
            Family::Verification => {
                "It cannot be suppressed, lowered or baselined: something livegate could not verify \
                                     is never a pass. Fix the cause named in the message, or exclude the path from the \
                                     scan with `[leaks] exclude` if it is out of scope."
                    .to_owned()
            }
            Family::Leaks => format!(
                "Inline, on the line or the line above: `livegate: allow {code} -- <reason>` (a reason is required).\n\
                 In the policy: a `[[leaks.allow]]` entry with `path` (glob), `code = \"{code}\"` and `reason`, or \
                 `[leaks.severity] {code} = \"warning\"` (or \"note\", \"off\") for the whole repository.\n\
                 For a legacy repository: `livegate scan --write-baseline FILE`, then `--baseline FILE`."
            ),
            Family::Protection => {
                "Fix the branch protection or ruleset, or accept the setting as it is by changing the \
                                   policy: the matching key of `[branches]` (for example `required-approvals`, \
                                   `enforce-admins`, `required-status-checks`), or narrow `[branches] patterns` to \
                                   the branches that deploy. There is no inline or per-finding allow: the policy is \
                                   the record of what was accepted."
                    .to_owned()
            }
            Family::Review => "Get the review the message names. To change what counts, change `[review]` in the \
                               base branch's policy (a pull request cannot weaken its own gate: the base branch's \
                               policy judges it)."
                .to_owned(),
            Family::Settings => "Fix the setting, or accept it in the policy: the matching key of `[settings]` (for \
                                 example `visibility`, `max-admins`, `team-permission-max` with \
                                 `[settings.team-permission-exceptions]`), or leave the repository out of the audit \
                                 with `--exclude`. Drift findings go away once the new snapshot is the baseline."
                .to_owned(),
            // Deploy findings are about history, not lines of a file: no
            // inline allow, no baseline.
            Family::Provenance => match code {
                "LG305" => "Take the test data out of the range, or accept it where it belongs with a \
                            `[[leaks.allow]]` entry (path glob, the leak's code, reason): in the policy at the \
                            baseline, or added in the range by a reviewed pull request (an entry added by a \
                            commit that was not reviewed is ignored, LG310)."
                    .to_owned(),
                "LG306" => "A warning: it fails the deploy only with `--fail-on warning`. There is nothing to \
                            allow: it stops once a deployment after the ruleset change becomes the baseline."
                    .to_owned(),
                "LG304" => "There is no allow: a rewritten history is never accepted (`[[deploy.accept]]` cannot \
                            cover it, since the range is no longer the one that was reviewed). Restore the reviewed \
                            history and deploy a commit on it; once a deployment succeeds, the next range starts \
                            after it."
                    .to_owned(),
                "LG308" | "LG309" | "LG310" => "A warning: it fails the deploy only with `--fail-on warning`. It \
                                                reports a `[[deploy.accept]]` or `[[leaks.allow]]` decision of \
                                                the policy; change the policy to change it."
                    .to_owned(),
                _ => "There is no inline allow and no baseline file: a commit stays in every range that \
                      contains it until it is deployed. Deploy an earlier commit, or record the decision: have \
                      the change reviewed after the fact, then add `[[deploy.accept]]` with the full `commit` \
                      sha, a `reason` and optionally `verdicts` to the policy through a reviewed pull request \
                      (it is honoured only when every commit that changed the policy in the range was \
                      reviewed; it never accepts a rewritten history or test data). The commit's verdict \
                      becomes `accepted`, never `reviewed`."
                    .to_owned(),
            },
        }
    }
}

/// `{repository}/blob/v{version}/{doc_path}` for a GitHub-style https
/// repository URL; the tag pins the page to the checks this binary runs.
fn doc_url(repository: &str, version: &str, doc_path: &str) -> Option<String> {
    let repository = repository.trim_end_matches('/');
    let host_and_path = repository.strip_prefix("https://")?;
    if host_and_path.is_empty() || host_and_path.contains(char::is_whitespace) {
        return None;
    }
    // Cargo.toml carries an `OWNER` placeholder until the project's home is
    // fixed: a link to it would lead nowhere, so none is printed.
    if host_and_path.split('/').any(|part| part == "OWNER") {
        return None;
    }
    Some(format!("{repository}/blob/v{version}/{doc_path}"))
}

/// Every check, ordered by code. Drives `livegate checks`, `livegate explain`,
/// the SARIF rule table and docs/.
pub fn registry() -> &'static [&'static CheckMeta] {
    REGISTRY
}

static REGISTRY: &[&CheckMeta] = &[
    &protection::BRANCH_UNPROTECTED,
    &protection::TOO_FEW_APPROVALS,
    &protection::STALE_REVIEWS_KEPT,
    &protection::CODE_OWNER_REVIEW_MISSING,
    &protection::LAST_PUSH_APPROVAL_MISSING,
    &protection::STATUS_CHECK_NOT_REQUIRED,
    &protection::STATUS_CHECKS_NOT_STRICT,
    &protection::CONVERSATION_RESOLUTION_MISSING,
    &protection::REQUIRED_CHECK_NOT_PINNED,
    &protection::ADMINS_CAN_BYPASS,
    &protection::RULESET_BYPASS_ACTOR,
    &protection::FORCE_PUSH_ALLOWED,
    &protection::DELETION_ALLOWED,
    &protection::LINEAR_HISTORY_MISSING,
    &protection::SIGNED_COMMITS_MISSING,
    &protection::RULESET_NOT_ENFORCED,
    &review::NOT_ENOUGH_APPROVALS,
    &review::CHANGES_REQUESTED,
    &review::CODE_OWNER_APPROVAL_MISSING,
    &review::PATH_RULE_UNMET,
    &review::POLICY_CHANGE_UNAPPROVED,
    &review::CODEOWNERS_SYNTAX_ERROR,
    &provenance::DIRECT_PUSH,
    &provenance::MERGED_WITHOUT_REVIEW,
    &provenance::STALE_APPROVAL,
    &provenance::HISTORY_REWRITTEN,
    &provenance::TEST_DATA_IN_RANGE,
    &provenance::CONTROL_GAP,
    &provenance::MERGE_NOT_MADE_BY_GITHUB,
    &provenance::ACCEPTED_COMMIT,
    &provenance::STALE_DEPLOY_ACCEPT,
    &provenance::UNREVIEWED_POLICY_CHANGE,
    &leaks::JVM_TEST_CLASS_IN_MAIN,
    &leaks::TEST_FILE_IN_PRODUCTION,
    &leaks::TEST_FILE_IN_MIGRATIONS,
    &leaks::MIGRATION_INSERTS_TEST_DATA,
    &leaks::MIGRATION_LOADS_TEST_DATA,
    &leaks::EMBEDS_TEST_FILE,
    &leaks::IMPORTS_TEST_CODE,
    &leaks::OPENS_TEST_PATH,
    &leaks::TEST_LIBRARY_IN_PRODUCTION_DEPENDENCIES,
    &leaks::PRODUCTION_CODE_USES_TEST_LIBRARY,
    &leaks::TEST_PAYMENT_CARD,
    &leaks::DOCUMENTATION_NETWORK_ID,
    &leaks::RESERVED_DOMAIN,
    &leaks::FICTIONAL_PHONE_NUMBER,
    &leaks::TEST_NATIONAL_ID,
    &leaks::EXAMPLE_CREDENTIAL,
    &leaks::EXAMPLE_BANK_ACCOUNT,
    &leaks::PLACEHOLDER_PERSON,
    &leaks::DOCKERFILE_COPIES_TESTS,
    &leaks::DOCKER_CONTEXT_INCLUDES_TESTS,
    &leaks::NPM_PACKAGE_INCLUDES_TESTS,
    &leaks::PYTHON_PACKAGE_INCLUDES_TESTS,
    &leaks::CARGO_PACKAGE_INCLUDES_TEST_DATA,
    &leaks::MAVEN_TEST_JAR_AT_RUNTIME,
    &leaks::DEBUG_MODE_IN_PRODUCTION_CONFIG,
    &leaks::TEST_MODE_IN_PRODUCTION_CONFIG,
    &leaks::IN_MEMORY_DATASTORE_IN_PRODUCTION_CONFIG,
    &leaks::TEST_PAYMENT_KEY_IN_PRODUCTION_CONFIG,
    &leaks::TEST_DATA_LOCATION_IN_PRODUCTION_CONFIG,
    &leaks::TEST_ENVIRONMENT_HOST_IN_PRODUCTION_CONFIG,
    &leaks::UNUSED_ALLOW_ENTRY,
    &leaks::SUPPRESSION_WITHOUT_REASON,
    &leaks::SUBMODULE_NOT_SCANNED,
    &leaks::FINDINGS_CAPPED,
    &settings::VISIBILITY_NOT_ALLOWED,
    &settings::FORKING_ALLOWED,
    &settings::TOO_MANY_ADMINS,
    &settings::OUTSIDE_COLLABORATOR_ACCESS,
    &settings::TEAM_PERMISSION_TOO_HIGH,
    &settings::DEPLOY_KEY_WRITE,
    &settings::WEBHOOK_INSECURE,
    &settings::WORKFLOW_TOKEN_WRITE,
    &settings::ACTIONS_CAN_APPROVE,
    &settings::SECRET_SCANNING_OFF,
    &settings::DEPENDABOT_ALERTS_OFF,
    &settings::CODEOWNERS_PROBLEM,
    &settings::ORG_TWO_FACTOR_OFF,
    &settings::ORG_BASE_PERMISSION,
    &settings::ORG_PUBLIC_REPO_CREATION,
    &settings::ORG_TOO_MANY_ADMINS,
    &settings::SETTING_LOOSENED,
    &settings::SETTING_CHANGED,
    &settings::REPOSITORY_APPEARED_OR_GONE,
    &settings::SETTING_UNKNOWN_ALLOWED,
    &verification::REPOSITORY_UNREADABLE,
    &verification::FILE_UNREADABLE,
    &verification::SHALLOW_HISTORY,
    &verification::CONTENT_NOT_VERIFIABLE,
    &verification::PROTECTION_UNREADABLE,
    &verification::BYPASS_LIST_HIDDEN,
    &verification::GITHUB_UNREADABLE,
    &verification::REVIEW_UNVERIFIABLE,
    &verification::SETTINGS_UNREADABLE,
    &verification::PROVENANCE_UNVERIFIABLE,
];

/// Looks a check up by code (`LG412`) or id (`test-file-in-production`),
/// case-insensitively for the code.
pub fn lookup(key: &str) -> Option<&'static CheckMeta> {
    registry()
        .iter()
        .copied()
        .find(|meta| meta.code.eq_ignore_ascii_case(key) || meta.id == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        let codes: Vec<&str> = registry().iter().map(|m| m.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "registry codes must be unique and in order");
        for meta in registry() {
            assert!(
                meta.code.len() == 5
                    && meta.code.starts_with("LG")
                    && meta.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "malformed code {}",
                meta.code
            );
            assert!(Family::of_code(meta.code).is_some(), "no family for {}", meta.code);
        }
    }

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut ids: Vec<&str> = registry().iter().map(|m| m.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate check id");
        for meta in registry() {
            assert!(
                meta.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "id {} is not kebab-case",
                meta.id
            );
            for (field, text) in [
                ("summary", meta.summary),
                ("what", meta.what),
                ("why", meta.why),
                ("example", meta.example),
                ("fix", meta.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has an empty {field}", meta.code);
            }
        }
    }

    #[test]
    fn lookup_finds_by_code_and_id() {
        let by_code = lookup("lg412").map(|m| m.id);
        assert_eq!(by_code, Some("test-file-in-production"));
        assert_eq!(lookup("test-file-in-production").map(|m| m.code), Some("LG412"));
        assert!(lookup("LG999").is_none());
    }

    #[test]
    fn only_leak_findings_offer_an_inline_allow() {
        for meta in registry() {
            let advice = meta.suppression();
            let inline = advice.contains("livegate: allow");
            assert_eq!(inline, meta.family() == Family::Leaks, "{}: {advice}", meta.code);
        }
        let deploy: Vec<&CheckMeta> = registry()
            .iter()
            .copied()
            .filter(|m| m.family() == Family::Provenance)
            .collect();
        assert!(deploy.len() >= 7);
        for meta in deploy {
            assert!(!meta.suppression().contains("--baseline"), "{}", meta.code);
        }
    }

    #[test]
    fn documentation_urls_need_an_https_repository() {
        assert_eq!(
            doc_url(
                "https://github.com/acme/livegate/",
                "1.2.0",
                "docs/checks-leaks.md#lg411"
            )
            .as_deref(),
            Some("https://github.com/acme/livegate/blob/v1.2.0/docs/checks-leaks.md#lg411")
        );
        assert_eq!(doc_url("", "1.2.0", "docs/x.md"), None);
        assert_eq!(doc_url("http://example.test/x", "1.2.0", "docs/x.md"), None);
        assert_eq!(doc_url("https://", "1.2.0", "docs/x.md"), None);
        assert_eq!(doc_url("https://github.com/OWNER/livegate", "1.2.0", "docs/x.md"), None);
    }
}
