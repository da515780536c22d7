//! LG5xx: repository and organisation settings against `[settings]`, and
//! drift between two snapshots (`drift`). Pure: the facts come from
//! `github::settings`.

pub mod drift;

use crate::facts::settings::{HookFacts, OrgSettings, RepoSettings};
use crate::facts::Known;
use crate::policy::model::{Permission, SettingsSection, Visibility, WorkflowPermission};
use crate::registry::settings::{
    ACTIONS_CAN_APPROVE, CODEOWNERS_PROBLEM, DEPENDABOT_ALERTS_OFF, DEPLOY_KEY_WRITE, FORKING_ALLOWED,
    ORG_BASE_PERMISSION, ORG_PUBLIC_REPO_CREATION, ORG_TOO_MANY_ADMINS, ORG_TWO_FACTOR_OFF,
    OUTSIDE_COLLABORATOR_ACCESS, SECRET_SCANNING_OFF, TEAM_PERMISSION_TOO_HIGH, TOO_MANY_ADMINS,
    VISIBILITY_NOT_ALLOWED, WEBHOOK_INSECURE, WORKFLOW_TOKEN_WRITE,
};
use crate::registry::verification::SETTINGS_UNREADABLE;
use crate::report::finding::{Finding, Location, Severity};

fn at(repo: &str, setting: &str) -> Location {
    Location::file(&format!("{repo}#{setting}"))
}

fn visibility_name(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Private => "private",
        Visibility::Internal => "internal",
    }
}

fn rank(role: &str) -> Option<Permission> {
    Some(match role {
        "admin" => Permission::Admin,
        "maintain" => Permission::Maintain,
        "write" | "push" => Permission::Write,
        "triage" => Permission::Triage,
        "read" | "pull" => Permission::Read,
        _ => return None,
    })
}

/// GitHub's REST names (`pull`, `push`) as the roles the UI shows.
fn role_name(role: &str) -> &str {
    rank(role).map_or(role, |p| permission_name(p))
}

fn permission_name(p: Permission) -> &'static str {
    match p {
        Permission::Read => "read",
        Permission::Triage => "triage",
        Permission::Write => "write",
        Permission::Maintain => "maintain",
        Permission::Admin => "admin",
    }
}

/// The visibilities the policy allows for a repository, and why.
pub fn allowed_visibility(policy: &SettingsSection, repo: &RepoSettings) -> Option<(Vec<Visibility>, String)> {
    let mut allowed: Option<Vec<Visibility>> = policy.visibility.map(|v| match v {
        // `visibility = "private"` allows private; "internal" allows internal or private.
        Visibility::Private => vec![Visibility::Private],
        Visibility::Internal => vec![Visibility::Internal, Visibility::Private],
        Visibility::Public => vec![Visibility::Public, Visibility::Internal, Visibility::Private],
    });
    let mut why = policy
        .visibility
        .map(|v| format!("[settings] visibility = \"{}\"", visibility_name(v)))
        .unwrap_or_default();
    let name = repo.full_name.rsplit('/').next().unwrap_or(&repo.full_name);
    for (index, rule) in policy.visibility_rules.iter().flatten().enumerate() {
        let by_name = rule.name.as_ref().is_none_or(|glob| {
            crate::policy::compile_glob(glob.get_ref()).is_ok_and(|g| g.compile_matcher().is_match(name))
        });
        let by_topic = rule.topic.as_ref().is_none_or(|t| repo.topics.iter().any(|x| x == t));
        let by_property = rule.property.as_ref().is_none_or(|p| {
            p.get_ref().split_once('=').is_some_and(|(key, value)| {
                repo.properties
                    .get(key.trim())
                    .is_some_and(|v| v.split(',').any(|item| item.trim() == value.trim()))
            })
        });
        if by_name && by_topic && by_property {
            // A matching rule replaces the default and intersects with other rules.
            let previous_rules = why.contains("visibility-rules");
            allowed = Some(match allowed.take() {
                Some(current) if previous_rules => current.into_iter().filter(|v| rule.allowed.contains(v)).collect(),
                _ => rule.allowed.clone(),
            });
            let mut matcher = Vec::new();
            if let Some(n) = &rule.name {
                matcher.push(format!("name {}", n.get_ref()));
            }
            if let Some(t) = &rule.topic {
                matcher.push(format!("topic {t}"));
            }
            if let Some(p) = &rule.property {
                matcher.push(format!("property {}", p.get_ref()));
            }
            why = if previous_rules {
                format!("{why} and #{} ({})", index + 1, matcher.join(", "))
            } else {
                format!("[[settings.visibility-rules]] #{} ({})", index + 1, matcher.join(", "))
            };
        }
    }
    allowed.map(|a| (a, why))
}

/// Findings for one repository, and notes of what could not be read.
pub fn evaluate_repo(policy: &SettingsSection, repo: &RepoSettings) -> Vec<Finding> {
    let full = &repo.full_name;
    let mut out = Vec::new();
    let unknown = |setting: &str, u: &crate::facts::Unknown, out: &mut Vec<Finding>| {
        out.push(Finding::new(
            &SETTINGS_UNREADABLE,
            at(full, setting),
            format!(
                "{full}: {setting} could not be read ({}); grant {}",
                u.reason, u.permission
            ),
        ));
    };
    if let Some((allowed, why)) = allowed_visibility(policy, repo) {
        let actual = repo.visibility.as_str();
        if !allowed.iter().any(|v| visibility_name(*v) == actual) {
            let names: Vec<&str> = allowed.iter().map(|v| visibility_name(*v)).collect();
            out.push(Finding::new(
                &VISIBILITY_NOT_ALLOWED,
                at(full, "visibility"),
                format!("{full} is {actual}; {why} allows {}", names.join(" or ")),
            ));
        }
    }
    if policy.allow_forking == Some(false) && repo.visibility != "public" && repo.allow_forking == Some(true) {
        out.push(Finding::new(
            &FORKING_ALLOWED,
            at(full, "allow_forking"),
            format!(
                "{full} ({}) allows forking; the policy sets allow-forking = false",
                repo.visibility
            ),
        ));
    }
    if let Some(max) = policy.max_admins {
        match (&repo.admins, &repo.teams) {
            (Known::Known(admins), teams) => {
                let admin_teams: Vec<String> = match teams {
                    Known::Known(t) => t
                        .iter()
                        .filter(|(_, p)| p.as_str() == "admin")
                        .map(|(s, _)| s.clone())
                        .collect(),
                    Known::Unknown(_) => Vec::new(),
                };
                let count = admins.len() + admin_teams.len();
                if count as u32 > max {
                    out.push(Finding::new(
                        &TOO_MANY_ADMINS,
                        at(full, "admins"),
                        format!(
                            "{full} has {} (users: {}; teams: {}); max-admins = {max}",
                            crate::report::count(count, "admin", "admins"),
                            if admins.is_empty() {
                                "none".to_owned()
                            } else {
                                admins.join(", ")
                            },
                            if admin_teams.is_empty() {
                                "none".to_owned()
                            } else {
                                admin_teams.join(", ")
                            }
                        ),
                    ));
                }
                // With a team ceiling the unreadable team list is reported once, below.
                if let (Known::Unknown(u), None) = (teams, policy.team_permission_max) {
                    unknown("teams (for max-admins)", u, &mut out);
                }
            }
            (Known::Unknown(u), _) => unknown("admins", u, &mut out),
        }
    }
    if let Some(max) = policy.outside_collaborators_max {
        match &repo.outside_collaborators {
            Known::Known(outside) => {
                for (login, role) in outside {
                    if rank(role).is_none_or(|r| r > max) {
                        out.push(Finding::new(
                            &OUTSIDE_COLLABORATOR_ACCESS,
                            at(full, "outside_collaborators"),
                            format!(
                                "{full}: outside collaborator @{login} has {role}; outside-collaborators-max = {}",
                                permission_name(max)
                            ),
                        ));
                    }
                }
            }
            Known::Unknown(u) => unknown("outside collaborators", u, &mut out),
        }
    }
    if let Some(max) = policy.team_permission_max {
        match &repo.teams {
            Known::Known(teams) => {
                for (slug, role) in teams {
                    let limit = policy
                        .team_permission_exceptions
                        .as_ref()
                        .and_then(|e| e.get(slug))
                        .map_or(max, |allowed| (*allowed).max(max));
                    if rank(role).is_none_or(|r| r > limit) {
                        let why = if limit == max {
                            format!("team-permission-max = {}", permission_name(max))
                        } else {
                            format!(
                                "[settings.team-permission-exceptions] {slug} = {}",
                                permission_name(limit)
                            )
                        };
                        out.push(Finding::new(
                            &TEAM_PERMISSION_TOO_HIGH,
                            at(full, "teams"),
                            format!("{full}: team `{slug}` has {}; {why}", role_name(role)),
                        ));
                    }
                }
            }
            Known::Unknown(u) if policy.max_admins.is_some() => {
                unknown("teams (for max-admins and team-permission-max)", u, &mut out)
            }
            Known::Unknown(u) => unknown("teams", u, &mut out),
        }
    }
    match &repo.deploy_keys {
        Known::Known(keys) => {
            for key in keys.iter().filter(|k| !k.read_only) {
                out.push(Finding::new(
                    &DEPLOY_KEY_WRITE,
                    at(full, "deploy_keys"),
                    format!("{full}: deploy key \"{}\" (id {}) has write access", key.title, key.id),
                ));
            }
        }
        Known::Unknown(u) => unknown("deploy keys", u, &mut out),
    }
    match &repo.hooks {
        Known::Known(hooks) => out.extend(hook_findings(full, hooks)),
        Known::Unknown(u) => unknown("webhooks", u, &mut out),
    }
    let wants_workflow =
        policy.default_workflow_permissions.is_some() || policy.actions_can_approve_pull_requests.is_some();
    match &repo.workflow {
        Known::Known((permissions, approve)) => out.extend(workflow_findings(policy, full, permissions, *approve)),
        Known::Unknown(u) if wants_workflow => unknown("Actions workflow permissions", u, &mut out),
        Known::Unknown(_) => {}
    }
    for (required, known, name) in [
        (policy.require_secret_scanning, &repo.secret_scanning, "secret scanning"),
        (policy.require_push_protection, &repo.push_protection, "push protection"),
    ] {
        if required != Some(true) {
            continue;
        }
        match known {
            Known::Known(Some(true)) => {}
            Known::Known(state) => out.push(Finding::new(
                &SECRET_SCANNING_OFF,
                at(full, name),
                format!(
                    "{full}: {name} is {}",
                    if state.is_some() {
                        "disabled"
                    } else {
                        "not available (needs GitHub Advanced Security or a public repository)"
                    }
                ),
            )),
            Known::Unknown(u) => unknown(name, u, &mut out),
        }
    }
    if policy.require_dependabot_alerts == Some(true) {
        match &repo.dependabot_alerts {
            Known::Known(true) => {}
            Known::Known(false) => out.push(Finding::new(
                &DEPENDABOT_ALERTS_OFF,
                at(full, "dependabot_alerts"),
                format!("{full}: Dependabot alerts are disabled"),
            )),
            Known::Unknown(u) => unknown("Dependabot alerts", u, &mut out),
        }
    }
    if policy.require_codeowners == Some(true) {
        match &repo.codeowners {
            Known::Known(None) => out.push(Finding::new(
                &CODEOWNERS_PROBLEM,
                at(full, "codeowners"),
                format!("{full} has no CODEOWNERS (.github/, root or docs/)"),
            )),
            Known::Known(Some(errors)) if !errors.is_empty() => out.push(Finding::new(
                &CODEOWNERS_PROBLEM,
                at(full, "codeowners"),
                format!("{full}: GitHub reports CODEOWNERS errors: {}", errors.join("; ")),
            )),
            Known::Known(Some(_)) => {}
            Known::Unknown(u) => unknown("CODEOWNERS", u, &mut out),
        }
    }
    out
}

fn hook_findings(owner: &str, hooks: &[HookFacts]) -> Vec<Finding> {
    let mut out = Vec::new();
    for hook in hooks.iter().filter(|h| h.active) {
        let mut problems = Vec::new();
        if hook.url.starts_with("http://") {
            problems.push("a plain http:// URL");
        }
        if hook.insecure_ssl {
            problems.push("SSL verification off");
        }
        let mut finding_severity = Severity::Error;
        if !hook.has_secret {
            problems.push("no secret");
            if problems.len() == 1 {
                finding_severity = Severity::Warning;
            }
        }
        if !problems.is_empty() {
            let mut finding = Finding::new(
                &WEBHOOK_INSECURE,
                at(owner, "hooks"),
                format!(
                    "{owner}: webhook {} ({}) has {}",
                    hook.id,
                    hook.url,
                    problems.join(", ")
                ),
            );
            finding.severity = finding_severity;
            out.push(finding);
        }
    }
    out
}

fn workflow_findings(policy: &SettingsSection, owner: &str, permissions: &str, approve: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if policy.default_workflow_permissions == Some(WorkflowPermission::Read) && permissions == "write" {
        out.push(Finding::new(
            &WORKFLOW_TOKEN_WRITE,
            at(owner, "default_workflow_permissions"),
            format!("{owner}: default_workflow_permissions is write; the policy asks for read"),
        ));
    }
    if policy.actions_can_approve_pull_requests == Some(false) && approve {
        out.push(Finding::new(
            &ACTIONS_CAN_APPROVE,
            at(owner, "can_approve_pull_request_reviews"),
            format!("{owner}: GitHub Actions can approve pull requests"),
        ));
    }
    out
}

/// Findings for an organisation.
pub fn evaluate_org(policy: &SettingsSection, org: &OrgSettings) -> Vec<Finding> {
    let login = &org.login;
    let mut out = Vec::new();
    let unknown = |setting: &str, u: &crate::facts::Unknown, out: &mut Vec<Finding>| {
        out.push(Finding::new(
            &SETTINGS_UNREADABLE,
            at(login, setting),
            format!(
                "{login}: {setting} could not be read ({}); grant {}",
                u.reason, u.permission
            ),
        ));
    };
    if policy.require_two_factor == Some(true) {
        match &org.two_factor_required {
            Known::Known(true) => {}
            Known::Known(false) => out.push(Finding::new(
                &ORG_TWO_FACTOR_OFF,
                at(login, "two_factor_requirement_enabled"),
                format!("{login} does not require two-factor authentication"),
            )),
            Known::Unknown(u) => unknown("two_factor_requirement_enabled", u, &mut out),
        }
    }
    if let Some(max) = policy.base_permission_max {
        match &org.base_permission {
            Known::Known(p) => {
                if p != "none" && rank(p).is_none_or(|r| r > max) {
                    out.push(Finding::new(
                        &ORG_BASE_PERMISSION,
                        at(login, "default_repository_permission"),
                        format!(
                            "{login}: default_repository_permission is {p}; base-permission-max = {}",
                            permission_name(max)
                        ),
                    ));
                }
            }
            Known::Unknown(u) => unknown("default_repository_permission", u, &mut out),
        }
    }
    if policy.members_can_create_public_repositories == Some(false) {
        match &org.members_can_create_public_repositories {
            Known::Known(false) => {}
            Known::Known(true) => out.push(Finding::new(
                &ORG_PUBLIC_REPO_CREATION,
                at(login, "members_can_create_public_repositories"),
                format!("{login}: members can create public repositories"),
            )),
            Known::Unknown(u) => unknown("members_can_create_public_repositories", u, &mut out),
        }
    }
    if let Some(max) = policy.max_org_admins {
        match &org.admins {
            Known::Known(admins) if admins.len() as u32 > max => out.push(Finding::new(
                &ORG_TOO_MANY_ADMINS,
                at(login, "owners"),
                format!(
                    "{login} has {} ({}); max-org-admins = {max}",
                    crate::report::count(admins.len(), "owner", "owners"),
                    admins.join(", ")
                ),
            )),
            Known::Known(_) => {}
            Known::Unknown(u) => unknown("owners", u, &mut out),
        }
    }
    match &org.hooks {
        Known::Known(hooks) => out.extend(hook_findings(login, hooks)),
        Known::Unknown(u) => unknown("organisation webhooks", u, &mut out),
    }
    match &org.workflow {
        Known::Known((p, approve)) => out.extend(workflow_findings(policy, login, p, *approve)),
        Known::Unknown(u) => unknown("organisation Actions workflow permissions", u, &mut out),
    }
    out
}
