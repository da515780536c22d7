//! The review gate: which reviews count as approvals, under GitHub's rules
//! and the stricter ones of the policy's `[review]` section, and what is
//! still missing. Pure: the facts come from `crate::pr`, gathered through the
//! API, so a pull request's own changes cannot alter the verdict.

pub mod codeowners;

use std::collections::{BTreeMap, BTreeSet};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::facts::{Known, Unknown};
use crate::policy::model::{Permission, ReviewSection};
use crate::registry::review::{
    CHANGES_REQUESTED, CODEOWNERS_SYNTAX_ERROR, CODE_OWNER_APPROVAL_MISSING, NOT_ENOUGH_APPROVALS, PATH_RULE_UNMET,
    POLICY_CHANGE_UNAPPROVED,
};
use crate::registry::verification::REVIEW_UNVERIFIABLE;
use crate::registry::CheckMeta;
use crate::report::count;
use crate::report::finding::{Finding, Location};
use codeowners::{CodeOwners, Owner};

/// Every review check, in code order.
pub const CODES: &[&CheckMeta] = &[
    &NOT_ENOUGH_APPROVALS,
    &CHANGES_REQUESTED,
    &CODE_OWNER_APPROVAL_MISSING,
    &PATH_RULE_UNMET,
    &POLICY_CHANGE_UNAPPROVED,
    &CODEOWNERS_SYNTAX_ERROR,
];

/// One submitted review, in the order GitHub lists them (chronological).
#[derive(Debug, Clone)]
pub struct ReviewFact {
    pub login: String,
    pub is_bot: bool,
    /// APPROVED, CHANGES_REQUESTED, DISMISSED, COMMENTED, PENDING.
    pub state: String,
    pub commit_id: Option<String>,
}

/// Everything the verdict depends on.
#[derive(Debug, Clone, Default)]
pub struct PrFacts {
    pub repo: String,
    pub number: u64,
    pub author: String,
    pub head_sha: String,
    /// Changed paths (and the old path of renames).
    pub files: Vec<String>,
    /// Logins of the authors and committers of the PR's commits.
    pub commit_people: BTreeSet<String>,
    /// Who pushed the most recent commits, as far as GitHub shows it.
    pub last_pusher: Option<String>,
    pub reviews: Vec<ReviewFact>,
    /// Each reviewer's permission on the repository.
    /// Each reviewer's permission on the repository (`None`: not a collaborator).
    pub permissions: BTreeMap<String, Known<Option<Permission>>>,
    /// Members of the teams the verdict needs (`org/team`).
    pub teams: BTreeMap<String, Known<BTreeSet<String>>>,
    /// CODEOWNERS of the base commit, with its path.
    pub codeowners: Option<(String, CodeOwners)>,
    /// Files of the gate itself that the PR changes: the policy file, and
    /// CODEOWNERS when code-owner review is required.
    pub policy_changed: Vec<String>,
    /// Completeness problems found while collecting (file or commit caps).
    pub incomplete: Vec<Unknown>,
}

/// Why a reviewer did or did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerVerdict {
    pub login: String,
    pub state: String,
    pub commit: Option<String>,
    pub counts: bool,
    pub reason: String,
}

/// A `[[review.rules]]` entry, compiled.
#[derive(Debug, Clone)]
struct PathRule {
    index: usize,
    patterns: Vec<String>,
    globs: GlobSet,
    required: u32,
    teams: Vec<String>,
    users: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ReviewPolicy {
    pub required_approvals: u32,
    pub min_permission: Permission,
    pub dismiss_stale: bool,
    pub require_code_owner_review: bool,
    pub require_last_push_approval: bool,
    pub allow_committer_approval: bool,
    pub count_bots: bool,
    pub bots: Vec<String>,
    rules: Vec<PathRule>,
}

impl ReviewPolicy {
    /// From the resolved `[review]` section; GitHub-like defaults for what is unset.
    pub fn from_section(section: &ReviewSection) -> Result<ReviewPolicy, String> {
        let mut rules = Vec::new();
        for (index, rule) in section.rules.iter().flatten().enumerate() {
            let mut builder = GlobSetBuilder::new();
            for pattern in &rule.paths {
                let glob = GlobBuilder::new(pattern.get_ref())
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("[[review.rules]] #{}: `{}`: {e}", index + 1, pattern.get_ref()))?;
                builder.add(glob);
            }
            rules.push(PathRule {
                index,
                patterns: rule.paths.iter().map(|p| p.get_ref().clone()).collect(),
                globs: builder.build().map_err(|e| e.to_string())?,
                required: rule.required_approvals.unwrap_or(0),
                teams: rule.teams.iter().map(|t| t.get_ref().clone()).collect(),
                users: rule.users.clone(),
            });
        }
        Ok(ReviewPolicy {
            required_approvals: section.required_approvals.unwrap_or(1),
            min_permission: section.min_permission.unwrap_or(Permission::Write),
            dismiss_stale: section.dismiss_stale.unwrap_or(true),
            require_code_owner_review: section.require_code_owner_review.unwrap_or(false),
            require_last_push_approval: section.require_last_push_approval.unwrap_or(false),
            allow_committer_approval: section.allow_committer_approval.unwrap_or(false),
            count_bots: section.count_bots.unwrap_or(false),
            bots: section.bots.clone().unwrap_or_default(),
            rules,
        })
    }

    /// Teams the verdict may need members of: path-rule teams.
    pub fn rule_teams(&self) -> BTreeSet<String> {
        self.rules.iter().flat_map(|r| r.teams.iter().cloned()).collect()
    }
}

/// One requirement (the overall count, a code-owner group, a path rule) and
/// whether the counted approvals meet it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleVerdict {
    pub rule: String,
    /// Counted approvals that apply to it.
    pub approvals: usize,
    pub required: u32,
    /// Whose approval it needs, if anyone's in particular.
    pub who: String,
    pub met: bool,
    pub files: Vec<String>,
}

/// The verdict for one pull request.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub approvals: usize,
    pub required: u32,
    pub reviewers: Vec<ReviewerVerdict>,
    pub rules: Vec<RuleVerdict>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

pub fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::Read => "read",
        Permission::Triage => "triage",
        Permission::Write => "write",
        Permission::Maintain => "maintain",
        Permission::Admin => "admin",
    }
}

/// Every team of `[[review.rules]]` and CODEOWNERS whose membership the
/// verdict needs, given the changed files.
pub fn teams_needed(policy: &ReviewPolicy, facts: &PrFacts) -> BTreeSet<String> {
    let mut teams = policy.rule_teams();
    if let Some((_, co)) = &facts.codeowners {
        for file in &facts.files {
            if let Some(ownership) = co.owners_of(file) {
                for owner in ownership.owners {
                    if let Owner::Team(org, team) = owner {
                        teams.insert(format!("{org}/{team}"));
                    }
                }
            }
        }
    }
    teams
}

struct Ctx<'a> {
    facts: &'a PrFacts,
    here: Location,
    findings: Vec<Finding>,
    unknowns: Vec<String>,
    rules: Vec<RuleVerdict>,
    /// "; @bob's approval was on an older commit (abc1234)" for messages.
    why_not: String,
}

impl Ctx<'_> {
    /// Whether `login` is `owner`: Some(bool), or None when it cannot be told.
    fn is_owner(&mut self, login: &str, owner: &Owner) -> Option<bool> {
        match owner {
            Owner::User(user) => Some(user.eq_ignore_ascii_case(login)),
            Owner::Team(org, team) => self.in_team(login, &format!("{org}/{team}")),
            Owner::Email(_) => None,
        }
    }

    fn in_team(&mut self, login: &str, team: &str) -> Option<bool> {
        match self.facts.teams.get(team) {
            Some(Known::Known(members)) => Some(members.iter().any(|m| m.eq_ignore_ascii_case(login))),
            Some(Known::Unknown(unknown)) => {
                let note = format!("members of {team} ({}; grant {})", unknown.reason, unknown.permission);
                if !self.unknowns.contains(&note) {
                    self.unknowns.push(note);
                }
                None
            }
            None => None,
        }
    }
}

/// Evaluates the reviews of a pull request against the policy.
pub fn evaluate(policy: &ReviewPolicy, facts: &PrFacts) -> Evaluation {
    let here = Location::file(&format!("{}#{}", facts.repo, facts.number));
    let mut ctx = Ctx {
        facts,
        here: here.clone(),
        findings: Vec::new(),
        unknowns: Vec::new(),
        rules: Vec::new(),
        why_not: String::new(),
    };

    // The latest state per reviewer; comments and pending reviews change nothing.
    let mut latest: BTreeMap<String, &ReviewFact> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for review in &facts.reviews {
        if matches!(review.state.as_str(), "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            if !latest.contains_key(&review.login) {
                order.push(review.login.clone());
            }
            latest.insert(review.login.clone(), review);
        }
    }

    let mut reviewers = Vec::new();
    let mut approvers: Vec<String> = Vec::new();
    for login in &order {
        let review = latest[login];
        let commit = review.commit_id.clone();
        // A dismissed review neither approves nor blocks: who wrote it, and
        // with what permission, does not matter (and is not collected).
        let ineligible = if review.state == "DISMISSED" {
            None
        } else if login.eq_ignore_ascii_case(&facts.author) {
            Some("is the author of the pull request".to_owned())
        } else if review.is_bot && !(policy.count_bots || policy.bots.iter().any(|b| b.eq_ignore_ascii_case(login))) {
            Some("is a bot (not listed in [review] bots)".to_owned())
        } else if !policy.allow_committer_approval && facts.commit_people.iter().any(|p| p.eq_ignore_ascii_case(login))
        {
            Some("authored or committed commits in this pull request".to_owned())
        } else if policy.require_last_push_approval
            && facts
                .last_pusher
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(login))
        {
            Some("pushed the most recent commits (require-last-push-approval)".to_owned())
        } else {
            match facts.permissions.get(login) {
                Some(Known::Known(None)) => Some(format!(
                    "is not a collaborator of the repository (min-permission {})",
                    permission_name(policy.min_permission)
                )),
                Some(Known::Known(Some(permission))) if *permission < policy.min_permission => Some(format!(
                    "has {} permission, below min-permission {}",
                    permission_name(*permission),
                    permission_name(policy.min_permission)
                )),
                Some(Known::Known(_)) => None,
                Some(Known::Unknown(unknown)) => {
                    ctx.unknowns
                        .push(format!("the permission of @{login} ({})", unknown.reason));
                    Some("permission could not be read".to_owned())
                }
                None => {
                    ctx.unknowns.push(format!("the permission of @{login} (not collected)"));
                    Some("permission could not be read".to_owned())
                }
            }
        };
        let (counts, reason) = match (review.state.as_str(), ineligible) {
            (_, Some(why)) => (false, format!("does not count: {why}")),
            ("APPROVED", None) => {
                let on_head = commit.as_deref() == Some(facts.head_sha.as_str());
                if on_head || !policy.dismiss_stale {
                    approvers.push(login.clone());
                    let note = if on_head {
                        "on the current head".to_owned()
                    } else {
                        format!(
                            "on an older commit ({}); stale approvals count under this policy",
                            short(commit.as_deref().unwrap_or("?"))
                        )
                    };
                    (true, format!("approved {note}"))
                } else {
                    (
                        false,
                        format!(
                            "approval was on an older commit ({}), not the head {}",
                            short(commit.as_deref().unwrap_or("?")),
                            short(&facts.head_sha)
                        ),
                    )
                }
            }
            ("CHANGES_REQUESTED", None) => {
                ctx.findings.push(Finding::new(
                    &CHANGES_REQUESTED,
                    here.clone(),
                    format!("@{login} requested changes and has not approved since"),
                ));
                (false, "requested changes (blocks the merge)".to_owned())
            }
            _ => (false, "approval was dismissed".to_owned()),
        };
        reviewers.push(ReviewerVerdict {
            login: login.clone(),
            state: review.state.clone(),
            commit,
            counts,
            reason,
        });
    }

    let approvals = approvers.len();
    let not_counted: Vec<String> = reviewers
        .iter()
        .filter(|r| !r.counts)
        .map(|r| format!("@{}: {}", r.login, r.reason.trim_start_matches("does not count: ")))
        .collect();
    if !not_counted.is_empty() {
        ctx.why_not = format!("; {}", not_counted.join("; "));
    }
    let met = approvals as u32 >= policy.required_approvals;
    ctx.rules.push(RuleVerdict {
        rule: "[review] required-approvals".to_owned(),
        approvals,
        required: policy.required_approvals,
        who: String::new(),
        met,
        files: Vec::new(),
    });
    if !met {
        let missing = policy.required_approvals - approvals as u32;
        let message = format!(
            "needs {}: {approvals} of {} counted{}",
            count(missing as usize, "more approval", "more approvals"),
            policy.required_approvals,
            ctx.why_not
        );
        ctx.findings
            .push(Finding::new(&NOT_ENOUGH_APPROVALS, here.clone(), message));
    }

    code_owners(policy, &mut ctx, &approvers);
    path_rules(policy, &mut ctx, &approvers);
    policy_change(&mut ctx, &approvers);

    if let Some((path, co)) = &facts.codeowners {
        for error in &co.errors {
            ctx.findings.push(Finding::new(
                &CODEOWNERS_SYNTAX_ERROR,
                Location::at(path, error.line as u32, 0),
                format!("{path}:{}: {} (GitHub skips this line)", error.line, error.message),
            ));
        }
    }
    for unknown in &facts.incomplete {
        ctx.unknowns
            .push(format!("{} (grant {})", unknown.reason, unknown.permission));
    }
    if !ctx.unknowns.is_empty() {
        let message = format!("could not verify: {}", ctx.unknowns.join("; "));
        ctx.findings
            .push(Finding::new(&REVIEW_UNVERIFIABLE, here.clone(), message));
    }
    Evaluation {
        approvals,
        required: policy.required_approvals,
        reviewers,
        rules: ctx.rules,
        findings: ctx.findings,
    }
}

fn code_owners(policy: &ReviewPolicy, ctx: &mut Ctx<'_>, approvers: &[String]) {
    if !policy.require_code_owner_review {
        return;
    }
    let Some((_, co)) = &ctx.facts.codeowners else { return };
    // Group files by their owner list so that the message names each need once.
    let mut needs: BTreeMap<Vec<Owner>, Vec<String>> = BTreeMap::new();
    for file in &ctx.facts.files {
        if let Some(ownership) = co.owners_of(file) {
            if !ownership.owners.is_empty() {
                needs.entry(ownership.owners).or_default().push(file.clone());
            }
        }
    }
    for (owners, files) in needs {
        let mut satisfied = 0usize;
        let mut undecided = false;
        for approver in approvers {
            let mut owns = false;
            for owner in &owners {
                match ctx.is_owner(approver, owner) {
                    Some(true) => owns = true,
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            satisfied += usize::from(owns);
        }
        let names: Vec<String> = owners.iter().map(Owner::to_string).collect();
        ctx.rules.push(RuleVerdict {
            rule: "CODEOWNERS".to_owned(),
            approvals: satisfied,
            required: 1,
            who: names.join(" or "),
            met: satisfied > 0,
            files: files.clone(),
        });
        if satisfied > 0 {
            continue;
        }
        if undecided || owners.iter().all(|o| matches!(o, Owner::Email(_))) {
            let emails: Vec<&String> = names.iter().filter(|n| !n.starts_with('@')).collect();
            if !emails.is_empty() {
                ctx.unknowns.push(format!(
                    "whether an approver is the e-mail owner {} of {}",
                    emails.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "),
                    files.join(", ")
                ));
            }
            if undecided {
                continue;
            }
        }
        ctx.findings.push(Finding::new(
            &CODE_OWNER_APPROVAL_MISSING,
            ctx.here.clone(),
            format!(
                "needs 1 approval from {} for {}{}",
                names.join(" or "),
                files.join(", "),
                ctx.why_not
            ),
        ));
    }
}

fn path_rules(policy: &ReviewPolicy, ctx: &mut Ctx<'_>, approvers: &[String]) {
    // Per file, the strictest applicable rule: most approvals, then most constraints.
    let mut chosen: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for file in &ctx.facts.files {
        let strictest = policy
            .rules
            .iter()
            .filter(|rule| rule.globs.is_match(file))
            .max_by_key(|rule| {
                (
                    rule.required,
                    rule.teams.len() + rule.users.len(),
                    std::cmp::Reverse(rule.index),
                )
            });
        if let Some(rule) = strictest {
            chosen.entry(rule.index).or_default().push(file.clone());
        }
    }
    for (index, files) in chosen {
        let rule = &policy.rules[index];
        let mut problems = Vec::new();
        let mut named = 0usize;
        let mut undecided = false;
        let constrained = !rule.teams.is_empty() || !rule.users.is_empty();
        if constrained {
            for approver in approvers {
                let mut counts = rule
                    .users
                    .iter()
                    .any(|u| u.trim_start_matches('@').eq_ignore_ascii_case(approver));
                for team in &rule.teams {
                    match ctx.in_team(approver, team) {
                        Some(true) => counts = true,
                        Some(false) => {}
                        None => undecided = true,
                    }
                }
                named += usize::from(counts);
            }
        }
        let mut who: Vec<String> = rule.teams.iter().map(|t| format!("a member of {t}")).collect();
        who.extend(rule.users.iter().map(|u| format!("@{}", u.trim_start_matches('@'))));
        if (approvers.len() as u32) < rule.required {
            problems.push(format!(
                "{} ({} of {} counted)",
                count(
                    (rule.required - approvers.len() as u32) as usize,
                    "more approval",
                    "more approvals"
                ),
                approvers.len(),
                rule.required
            ));
        }
        if constrained && named == 0 && !undecided {
            problems.push(format!("1 approval from {}", who.join(" or ")));
        }
        ctx.rules.push(RuleVerdict {
            rule: format!("[[review.rules]] #{} ({})", index + 1, rule.patterns.join(", ")),
            approvals: approvers.len(),
            required: rule.required,
            who: who.join(" or "),
            met: problems.is_empty() && !(constrained && named == 0),
            files: files.clone(),
        });
        if !problems.is_empty() {
            ctx.findings.push(Finding::new(
                &PATH_RULE_UNMET,
                ctx.here.clone(),
                format!(
                    "[[review.rules]] #{} ({}) needs {} for {}{}",
                    index + 1,
                    rule.patterns.join(", "),
                    problems.join(" and "),
                    files.join(", "),
                    ctx.why_not
                ),
            ));
        }
    }
}

fn policy_change(ctx: &mut Ctx<'_>, approvers: &[String]) {
    for path in ctx.facts.policy_changed.clone() {
        gate_file_change(ctx, approvers, &path);
    }
}

fn gate_file_change(ctx: &mut Ctx<'_>, approvers: &[String], path: &str) {
    let owners = ctx
        .facts
        .codeowners
        .as_ref()
        .and_then(|(_, co)| co.owners_of(path))
        .map(|o| o.owners)
        .unwrap_or_default();
    let mut satisfied = false;
    let mut undecided = false;
    let who = if owners.is_empty() {
        for approver in approvers {
            match ctx.facts.permissions.get(approver) {
                Some(Known::Known(Some(Permission::Admin))) => satisfied = true,
                Some(Known::Known(_)) => {}
                _ => undecided = true,
            }
        }
        "a repository admin (CODEOWNERS assigns the policy file to nobody)".to_owned()
    } else {
        for approver in approvers {
            for owner in &owners {
                match ctx.is_owner(approver, owner) {
                    Some(true) => satisfied = true,
                    Some(false) => {}
                    None => undecided = true,
                }
            }
        }
        format!(
            "its code owners ({})",
            owners.iter().map(Owner::to_string).collect::<Vec<_>>().join(", ")
        )
    };
    if !satisfied && !undecided {
        ctx.findings.push(Finding::new(
            &POLICY_CHANGE_UNAPPROVED,
            ctx.here.clone(),
            format!(
                "this pull request changes {path}; the gate used the base branch's policy, and the change needs an \
                 approval from {who}"
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
