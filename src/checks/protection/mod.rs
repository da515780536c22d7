//! LG1xx: deploying branches protected as the policy says. The collector
//! (src/github/protection.rs) gathers classic protection and active rules;
//! `effective` merges them; this module compares the result with the
//! policy's `[branches]` section.

pub mod effective;

use crate::facts::protection::{BranchFacts, RulesetFacts};
use crate::facts::Known;
use crate::facts::ADMIN_READ;
use crate::policy::model::BranchesSection;
use crate::registry::protection::{
    ADMINS_CAN_BYPASS, BRANCH_UNPROTECTED, CODE_OWNER_REVIEW_MISSING, CONVERSATION_RESOLUTION_MISSING,
    DELETION_ALLOWED, FORCE_PUSH_ALLOWED, LAST_PUSH_APPROVAL_MISSING, LINEAR_HISTORY_MISSING,
    REQUIRED_CHECK_NOT_PINNED, RULESET_BYPASS_ACTOR, RULESET_NOT_ENFORCED, SIGNED_COMMITS_MISSING, STALE_REVIEWS_KEPT,
    STATUS_CHECKS_NOT_STRICT, STATUS_CHECK_NOT_REQUIRED, TOO_FEW_APPROVALS,
};
use crate::registry::verification::{BYPASS_LIST_HIDDEN, PROTECTION_UNREADABLE};
use crate::registry::CheckMeta;
use crate::report::finding::{Finding, Location, Severity};
use effective::{effective_protection, EffectiveProtection, Setting, Source};

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
    &REQUIRED_CHECK_NOT_PINNED,
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
            message: format!(
                "{} required by the policy, in force: {actual}",
                crate::report::count(want as usize, "approval", "approvals")
            ),
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
    // A check the policy relies on must come from one app: otherwise any
    // workflow of the pull request can post a passing status of that name.
    for context in policy.required_status_checks.iter().flatten() {
        let Some(have) = eff.status_checks.iter().find(|s| &s.value == context) else {
            continue;
        };
        let pinned = eff.pinned_checks.get(context);
        out.push(Requirement {
            meta: &REQUIRED_CHECK_NOT_PINNED,
            setting: "check source",
            required: format!("{context}: one app"),
            actual: pinned.map_or("any source".to_owned(), |(app, _)| format!("app {app}")),
            source: pinned.map_or_else(|| have.source.to_string(), |(_, source)| source.to_string()),
            met: pinned.is_some(),
            message: format!(
                "required check `{context}` is not pinned to an app: any workflow or token with statuses: write \
                 can post it"
            ),
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

    // Required checks the policy does not name: forgeable too, but the policy
    // does not rely on them, so a warning.
    let named: Vec<&String> = policy.required_status_checks.iter().flatten().collect();
    for check in eff.status_checks.iter().filter(|s| !named.contains(&&s.value)) {
        if eff.pinned_checks.contains_key(&check.value) {
            continue;
        }
        let mut finding = Finding::new(
            &REQUIRED_CHECK_NOT_PINNED,
            here.clone(),
            format!(
                "`{branch}`: required check `{}` ({}) is not pinned to an app: any workflow or token with \
                 statuses: write can post it",
                check.value, check.source
            ),
        )
        .with_remediation(REQUIRED_CHECK_NOT_PINNED.fix.to_owned());
        finding.severity = Severity::Warning;
        findings.push(finding);
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
