//! LG1xx: deploying branches protected as the policy says. The collector
//! (src/github/protection.rs) gathers classic protection and active rules;
//! `effective` merges them; this module compares the result with the
//! policy's `[branches]` section.

pub mod effective;

use crate::checks::CheckMeta;
use crate::facts::Known;
use crate::github::protection::{BranchFacts, RulesetFacts, ADMIN_READ};
use crate::policy::model::BranchesSection;
use crate::report::finding::{Finding, Location, Severity};
use effective::{effective_protection, EffectiveProtection, Setting, Source};

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
    "GET /repos/acme/api/rules/branches/main: GitHub unavailable after 4 attempt(s): 502",
    "Rerun later (the message gives the rate-limit reset time), or raise --budget / --max-rate-limit-wait."
);

/// Every LG1xx check, in code order.
pub const CODES: &[&CheckMeta] = &[
    &BRANCH_UNPROTECTED,
    &TOO_FEW_APPROVALS,
    &STALE_REVIEWS_KEPT,
    &CODE_OWNER_REVIEW_MISSING,
    &LAST_PUSH_APPROVAL_MISSING,
    &STATUS_CHECK_NOT_REQUIRED,
    &STATUS_CHECKS_NOT_STRICT,
    &CONVERSATION_RESOLUTION_MISSING,
    &ADMINS_CAN_BYPASS,
    &RULESET_BYPASS_ACTOR,
    &FORCE_PUSH_ALLOWED,
    &DELETION_ALLOWED,
    &LINEAR_HISTORY_MISSING,
    &SIGNED_COMMITS_MISSING,
    &RULESET_NOT_ENFORCED,
];

/// One row of the per-branch table: what the policy requires, what is in
/// force, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub setting: &'static str,
    pub required: String,
    pub actual: String,
    pub source: String,
    pub ok: bool,
}

/// A requirement compared: its finding when it is not met.
struct Requirement {
    meta: &'static CheckMeta,
    setting: &'static str,
    required: String,
    actual: String,
    source: String,
    met: bool,
    message: String,
}

fn show_bool(on: bool) -> String {
    if on { "on" } else { "off" }.to_owned()
}

fn bool_requirement(
    meta: &'static CheckMeta,
    setting: &'static str,
    want: Option<bool>,
    have: &Setting<bool>,
    what: &str,
) -> Option<Requirement> {
    let want = want?;
    if !want {
        return None;
    }
    Some(Requirement {
        meta,
        setting,
        required: show_bool(true),
        actual: show_bool(have.value),
        source: have.source.to_string(),
        met: have.value,
        message: format!("{what} is not required"),
    })
}

/// The requirements of `[branches]`, each compared with `eff`.
fn requirements(policy: &BranchesSection, eff: &EffectiveProtection) -> Vec<Requirement> {
    let mut out = Vec::new();
    if let Some(want) = policy.required_approvals.filter(|n| *n > 0) {
        let have = &eff.required_approvals;
        let actual = if eff.pull_request_required.value {
            have.value.to_string()
        } else {
            "no pull request required".to_owned()
        };
        out.push(Requirement {
            meta: &TOO_FEW_APPROVALS,
            setting: "required approvals",
            required: want.to_string(),
            actual: actual.clone(),
            source: if eff.pull_request_required.value {
                have.source.to_string()
            } else {
                "-".to_owned()
            },
            met: eff.pull_request_required.value && have.value >= want,
            message: format!("{want} approval(s) required by the policy, in force: {actual}"),
        });
    }
    out.extend(bool_requirement(
        &STALE_REVIEWS_KEPT,
        "dismiss stale reviews",
        policy.dismiss_stale_reviews,
        &eff.dismiss_stale_reviews,
        "dismissing stale approvals on push",
    ));
    out.extend(bool_requirement(
        &CODE_OWNER_REVIEW_MISSING,
        "code-owner review",
        policy.require_code_owner_review,
        &eff.code_owner_review,
        "code-owner review",
    ));
    out.extend(bool_requirement(
        &LAST_PUSH_APPROVAL_MISSING,
        "last-push approval",
        policy.require_last_push_approval,
        &eff.last_push_approval,
        "approval of the most recent push by someone else",
    ));
    for context in policy.required_status_checks.iter().flatten() {
        let have = eff.status_checks.iter().find(|s| &s.value == context);
        out.push(Requirement {
            meta: &STATUS_CHECK_NOT_REQUIRED,
            setting: "required status check",
            required: context.clone(),
            actual: if have.is_some() {
                "required".to_owned()
            } else {
                "not required".to_owned()
            },
            source: have.map_or("-".to_owned(), |s| s.source.to_string()),
            met: have.is_some(),
            message: format!("status check `{context}` is not a required check"),
        });
    }
    out.extend(bool_requirement(
        &STATUS_CHECKS_NOT_STRICT,
        "strict status checks",
        policy.strict_status_checks,
        &eff.strict_status_checks,
        "being up to date before merging",
    ));
    out.extend(bool_requirement(
        &CONVERSATION_RESOLUTION_MISSING,
        "conversation resolution",
        policy.require_conversation_resolution,
        &eff.conversation_resolution,
        "resolving review conversations",
    ));
    if policy.allow_force_push == Some(false) {
        out.push(Requirement {
            meta: &FORCE_PUSH_ALLOWED,
            setting: "force pushes",
            required: "blocked".to_owned(),
            actual: if eff.force_push_blocked.value {
                "blocked"
            } else {
                "allowed"
            }
            .to_owned(),
            source: eff.force_push_blocked.source.to_string(),
            met: eff.force_push_blocked.value,
            message: "force pushes are allowed".to_owned(),
        });
    }
    if policy.allow_deletion == Some(false) {
        out.push(Requirement {
            meta: &DELETION_ALLOWED,
            setting: "deletion",
            required: "blocked".to_owned(),
            actual: if eff.deletion_blocked.value {
                "blocked"
            } else {
                "allowed"
            }
            .to_owned(),
            source: eff.deletion_blocked.source.to_string(),
            met: eff.deletion_blocked.value,
            message: "the branch can be deleted".to_owned(),
        });
    }
    out.extend(bool_requirement(
        &LINEAR_HISTORY_MISSING,
        "linear history",
        policy.require_linear_history,
        &eff.linear_history,
        "linear history",
    ));
    out.extend(bool_requirement(
        &SIGNED_COMMITS_MISSING,
        "signed commits",
        policy.require_signed_commits,
        &eff.signed_commits,
        "signed commits",
    ));
    out
}

/// What `evaluate` found for one branch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BranchReport {
    pub repo: String,
    pub branch: String,
    pub rows: Vec<Row>,
    pub effective: EffectiveProtection,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

fn location(facts: &BranchFacts) -> Location {
    Location::file(&format!("{}@{}", facts.repo, facts.branch))
}

fn describe_actor(actor_type: &str, actor_id: Option<u64>) -> String {
    match (actor_type, actor_id) {
        ("OrganizationAdmin", _) => "organization admins".to_owned(),
        ("RepositoryRole", Some(5)) => "the repository admin role".to_owned(),
        ("RepositoryRole", Some(4)) => "the maintain role".to_owned(),
        ("RepositoryRole", Some(2)) => "the write role".to_owned(),
        ("DeployKey", _) => "deploy keys".to_owned(),
        (kind, Some(id)) => format!("{kind} {id}"),
        (kind, None) => kind.to_owned(),
    }
}

/// Compares one branch's facts with the policy.
pub fn evaluate(policy: &BranchesSection, facts: &BranchFacts) -> BranchReport {
    let eff = effective_protection(facts);
    let here = location(facts);
    let mut findings = Vec::new();
    let reqs = requirements(policy, &eff);
    let mut rows: Vec<Row> = reqs
        .iter()
        .map(|r| Row {
            setting: r.setting,
            required: r.required.clone(),
            actual: r.actual.clone(),
            source: r.source.clone(),
            ok: r.met,
        })
        .collect();
    let branch = &facts.branch;
    let repo = &facts.repo;
    let classic_unknown = eff.classic_unknown.clone();

    if !eff.protected && classic_unknown.is_none() {
        findings.push(
            Finding::new(
                &BRANCH_UNPROTECTED,
                here.clone(),
                format!("`{branch}` of {repo} has no branch protection and no active ruleset applies to it"),
            )
            .with_remediation(format!(
                "{} Rulesets need only Metadata: read to verify; classic protection needs {ADMIN_READ}.",
                BRANCH_UNPROTECTED.fix
            )),
        );
        return BranchReport {
            repo: repo.clone(),
            branch: branch.clone(),
            rows,
            effective: eff,
            findings,
        };
    }

    let unmet: Vec<&Requirement> = reqs.iter().filter(|r| !r.met).collect();
    match &classic_unknown {
        // Classic protection could not be read: the rulesets alone either
        // prove every requirement (pass) or leave some unverifiable.
        Some(unknown) if !unmet.is_empty() => {
            for row in rows.iter_mut().filter(|row| !row.ok) {
                row.actual = format!("unknown ({} by rulesets)", row.actual);
            }
            let names: Vec<&str> = unmet.iter().map(|r| r.setting).collect();
            findings.push(
                Finding::new(
                    &PROTECTION_UNREADABLE,
                    here.clone(),
                    format!(
                        "classic protection of `{branch}` could not be read ({}), and active rulesets do not \
                         cover: {}; grant {}",
                        unknown.reason,
                        names.join(", "),
                        unknown.permission
                    ),
                )
                .with_remediation(PROTECTION_UNREADABLE.fix.to_owned()),
            );
        }
        _ => {
            for requirement in &unmet {
                findings.push(
                    Finding::new(
                        requirement.meta,
                        here.clone(),
                        format!(
                            "`{branch}`: {} (required: {}, in force: {})",
                            requirement.message, requirement.required, requirement.actual
                        ),
                    )
                    .with_remediation(requirement.meta.fix.replace("{branch}", branch)),
                );
            }
        }
    }

    if policy.enforce_admins == Some(true) {
        enforcement(policy, facts, &eff, &reqs, &mut rows, &mut findings, &here);
    }
    BranchReport {
        repo: repo.clone(),
        branch: branch.clone(),
        rows,
        effective: eff,
        findings,
    }
}

/// Enforce-for-admins: classic protection's flag, and every bypass actor of
/// the rulesets that protect the branch.
fn enforcement(
    policy: &BranchesSection,
    facts: &BranchFacts,
    eff: &EffectiveProtection,
    reqs: &[Requirement],
    rows: &mut Vec<Row>,
    findings: &mut Vec<Finding>,
    here: &Location,
) {
    let branch = &facts.branch;
    // Settings that only classic protection provides are bypassable by
    // admins when classic enforce_admins is off: compare with the merge of
    // the rulesets alone (same policy, so the same requirements in order).
    let rulesets_only = BranchFacts {
        classic: Known::Known(None),
        ..facts.clone()
    };
    let from_rulesets = requirements(policy, &effective_protection(&rulesets_only));
    let classic_only: Vec<&str> = reqs
        .iter()
        .zip(&from_rulesets)
        .filter(|(merged, rulesets)| merged.met && !rulesets.met)
        .map(|(merged, _)| merged.setting)
        .collect();
    let mut problems = Vec::new();
    if eff.classic_enforce_admins == Some(false) && !classic_only.is_empty() {
        problems.push("admins bypass classic protection".to_owned());
        findings.push(
            Finding::new(
                &ADMINS_CAN_BYPASS,
                here.clone(),
                format!(
                    "`{branch}`: classic protection does not apply to administrators (enforce_admins off), and \
                     only classic protection provides: {}",
                    classic_only.join(", ")
                ),
            )
            .with_remediation(ADMINS_CAN_BYPASS.fix.replace("{branch}", branch)),
        );
    }
    for bypass in &eff.bypass {
        let who = describe_actor(&bypass.actor_type, bypass.actor_id);
        let mut finding = Finding::new(
            &RULESET_BYPASS_ACTOR,
            here.clone(),
            format!(
                "`{branch}`: {} lets {who} bypass it ({})",
                bypass.source,
                if bypass.mode == "always" {
                    "always"
                } else {
                    "through pull requests"
                }
            ),
        );
        if bypass.mode != "always" {
            finding.severity = Severity::Warning;
        }
        problems.push(format!("{who} ({})", bypass.mode));
        findings.push(finding);
    }
    let hidden: Vec<String> = eff
        .bypass_unknown
        .iter()
        .map(|(source, _)| source.to_string())
        .collect();
    for (source, permission) in &eff.bypass_unknown {
        findings.push(
            Finding::new(
                &BYPASS_LIST_HIDDEN,
                here.clone(),
                format!(
                    "`{branch}`: the bypass list of {source} is not visible to this token, so \"nobody can bypass\" \
                     cannot be verified; grant {permission}"
                ),
            )
            .with_remediation(BYPASS_LIST_HIDDEN.fix.to_owned()),
        );
    }
    let actual = if !hidden.is_empty() {
        format!("unknown (bypass list hidden: {})", hidden.join(", "))
    } else if problems.is_empty() {
        "nobody can bypass".to_owned()
    } else {
        problems.join("; ")
    };
    rows.push(Row {
        setting: "no bypass (enforce for admins)",
        required: "on".to_owned(),
        ok: problems.is_empty() && hidden.is_empty(),
        actual,
        source: match eff.classic_enforce_admins {
            Some(true) => Source::Classic.to_string(),
            _ => "-".to_owned(),
        },
    });
}

/// LG141 notes for rulesets that protect nothing.
pub fn inactive_rulesets(repo: &str, inactive: &[RulesetFacts]) -> Vec<Finding> {
    inactive
        .iter()
        .map(|r| {
            Finding::new(
                &RULESET_NOT_ENFORCED,
                Location::file(repo),
                format!(
                    "{} ruleset \"{}\" ({}) is in {} mode: it is not counted as protection",
                    if r.source_type == "Organization" {
                        "organization"
                    } else {
                        "repository"
                    },
                    r.name,
                    r.id,
                    r.enforcement
                ),
            )
        })
        .collect()
}
