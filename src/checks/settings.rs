//! LG5xx: repository and organisation settings against `[settings]`, and
//! drift between two snapshots. Pure: the facts come from `audit::collect`.

use crate::audit::collect::{HookFacts, OrgSettings, RepoSettings};
use crate::facts::Known;
use crate::policy::model::{Permission, SettingsSection, Visibility, WorkflowPermission};
use crate::report::finding::{Finding, Location, Severity};

meta!(
    VISIBILITY_NOT_ALLOWED,
    "LG501",
    "visibility-not-allowed",
    Severity::Error,
    "The repository's visibility is not one the policy allows for it",
    "The repository is public (or internal) where `[settings] visibility` or a matching \
     `[[settings.visibility-rules]]` entry (by name glob, topic or custom property) allows only stricter \
     visibilities.",
    "A repository turned public exposes everything in it, history included; the ICO case went unnoticed for \
     two months.",
    "classification=sensitive requires private or internal; acme/complaints is public",
    "Settings → General → Danger Zone → Change visibility (PATCH /repos/{owner}/{repo} {\"visibility\": \
     \"private\"}); then check who saw what while it was public."
);
meta!(
    FORKING_ALLOWED,
    "LG502",
    "private-forking-allowed",
    Severity::Warning,
    "Forking of a private repository is allowed",
    "A private or internal repository has `allow_forking` on while the policy sets `allow-forking = false`.",
    "Forks of private code live outside the repository's access control.",
    "acme/payments (private): allow_forking true",
    "Settings → General → Features → uncheck Allow forking (PATCH /repos/{owner}/{repo} {\"allow_forking\": \
     false}), or disallow it for the organisation."
);
meta!(
    TOO_MANY_ADMINS,
    "LG503",
    "too-many-admins",
    Severity::Warning,
    "More repository administrators than the policy allows",
    "Direct collaborators with the admin role plus teams with admin permission exceed `max-admins`.",
    "Every admin can disable protection, change visibility and add people.",
    "max-admins = 3; 4 users and 1 team are admins",
    "Settings → Collaborators and teams → lower roles to maintain or write."
);
meta!(
    OUTSIDE_COLLABORATOR_ACCESS,
    "LG504",
    "outside-collaborator-access",
    Severity::Error,
    "An outside collaborator has more access than the policy allows",
    "An outside collaborator's highest role exceeds `outside-collaborators-max`.",
    "People outside the organisation are outside its offboarding, 2FA and review of access.",
    "outside-collaborators-max = \"read\"; @contractor has write",
    "Settings → Collaborators and teams → change the role, or remove the collaborator."
);
meta!(
    TEAM_PERMISSION_TOO_HIGH,
    "LG505",
    "team-permission-too-high",
    Severity::Warning,
    "A team has more access to a repository than the policy allows",
    "A team's permission on the repository exceeds `team-permission-max`, and the team is not listed in \
     `[settings.team-permission-exceptions]` with at least that permission.",
    "A team grant reaches every current and future member of the team: one membership change quietly \
     widens who can administer or push.",
    "team-permission-max = \"write\"; team `everyone` has admin on acme/complaints",
    "Settings → Collaborators and teams → lower the team's role (PUT \
     /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo} {\"permission\": \"push\"}), or list the team under \
     [settings.team-permission-exceptions]."
);
meta!(
    DEPLOY_KEY_WRITE,
    "LG506",
    "deploy-key-write",
    Severity::Warning,
    "A deploy key can push",
    "A deploy key without `read_only`. Deploy keys bypass user accounts, 2FA and review.",
    "A key that can push is a credential that writes code outside every review gate.",
    "deploy key \"ci-box\" (id 42) read_only false",
    "Settings → Deploy keys → delete it and add it again without \"Allow write access\"."
);
meta!(
    WEBHOOK_INSECURE,
    "LG507",
    "webhook-insecure",
    Severity::Error,
    "A webhook sends payloads insecurely",
    "A webhook with SSL verification off (`insecure_ssl = 1`), a plain http:// URL, or no secret (payloads \
     cannot be authenticated).",
    "Webhook payloads carry code, issues and secrets' metadata; unverified delivery can be read or forged.",
    "hook 7: http://hooks.example.net/ci, insecure_ssl 1, no secret",
    "Settings → Webhooks → edit: an https:// URL, SSL verification on, a secret."
);
meta!(
    WORKFLOW_TOKEN_WRITE,
    "LG508",
    "workflow-token-write",
    Severity::Error,
    "GITHUB_TOKEN gets write permissions by default",
    "`default_workflow_permissions` is `write` where the policy asks for `read`.",
    "Every workflow, including ones added by a pull request that merges, can then push and change settings.",
    "acme/api: default_workflow_permissions write",
    "Settings → Actions → General → Workflow permissions → Read repository contents (PUT \
     /repos/{owner}/{repo}/actions/permissions/workflow {\"default_workflow_permissions\": \"read\"})."
);
meta!(
    ACTIONS_CAN_APPROVE,
    "LG509",
    "actions-can-approve-pull-requests",
    Severity::Error,
    "GitHub Actions may approve pull requests",
    "`can_approve_pull_request_reviews` is on: a workflow can approve a pull request, which counts as a \
     review.",
    "A workflow approval is a review nobody made: a bypass of required reviews.",
    "acme/api: can_approve_pull_request_reviews true",
    "Settings → Actions → General → uncheck Allow GitHub Actions to create and approve pull requests."
);
meta!(
    SECRET_SCANNING_OFF,
    "LG510",
    "secret-scanning-off",
    Severity::Warning,
    "Secret scanning or push protection is off",
    "`security_and_analysis.secret_scanning` or `secret_scanning_push_protection` is disabled where the \
     policy requires it.",
    "Leaked credentials stay usable until someone notices them.",
    "acme/api: secret_scanning disabled",
    "Settings → Code security → Secret scanning → Enable (and Push protection)."
);
meta!(
    DEPENDABOT_ALERTS_OFF,
    "LG512",
    "dependabot-alerts-off",
    Severity::Warning,
    "Dependabot alerts are off",
    "Vulnerability alerts are disabled where `require-dependabot-alerts` is on.",
    "Known-vulnerable dependencies go unreported.",
    "GET /repos/acme/api/vulnerability-alerts: 404 (disabled)",
    "Settings → Code security → Dependabot alerts → Enable (PUT /repos/{owner}/{repo}/vulnerability-alerts)."
);
meta!(
    CODEOWNERS_PROBLEM,
    "LG513",
    "codeowners-missing-or-invalid",
    Severity::Warning,
    "CODEOWNERS is missing or has errors",
    "`require-codeowners` is on and the repository has no CODEOWNERS, or GitHub reports errors in it.",
    "Code-owner review protects nothing without owners.",
    "acme/api: no CODEOWNERS in .github/, the root or docs/",
    "Add .github/CODEOWNERS (or fix the lines GitHub reports under GET /repos/{owner}/{repo}/codeowners/errors)."
);
meta!(
    ORG_TWO_FACTOR_OFF,
    "LG520",
    "org-two-factor-not-required",
    Severity::Error,
    "The organisation does not require two-factor authentication",
    "`two_factor_requirement_enabled` is false where `require-two-factor` is on.",
    "One phished password is then enough to push code.",
    "acme: two_factor_requirement_enabled false",
    "Organisation settings → Authentication security → Require two-factor authentication."
);
meta!(
    ORG_BASE_PERMISSION,
    "LG521",
    "org-base-permission-too-high",
    Severity::Error,
    "Every organisation member gets more than the policy's base permission",
    "`default_repository_permission` exceeds `base-permission-max`.",
    "A base permission applies to every member on every repository: an access change for a few becomes \
     access for all.",
    "acme: default_repository_permission write; base-permission-max read",
    "Organisation settings → Member privileges → Base permissions."
);
meta!(
    ORG_PUBLIC_REPO_CREATION,
    "LG522",
    "org-members-can-create-public-repos",
    Severity::Warning,
    "Members can create public repositories",
    "`members_can_create_public_repositories` is true where the policy forbids it.",
    "Code turned public by accident is code published.",
    "acme: members_can_create_public_repositories true",
    "Organisation settings → Member privileges → Repository creation → uncheck Public."
);
meta!(
    ORG_TOO_MANY_ADMINS,
    "LG523",
    "org-too-many-owners",
    Severity::Warning,
    "More organisation owners than the policy allows",
    "Members with the admin (owner) role exceed `max-org-admins`.",
    "Owners can change every setting of every repository.",
    "max-org-admins = 3; 6 owners",
    "Organisation → People → change role to Member."
);
meta!(
    SETTING_LOOSENED,
    "LG580",
    "setting-loosened",
    Severity::Error,
    "A setting became less safe since the previous snapshot",
    "Compared with `--baseline`: a repository turned public or internal, a new admin, a new outside \
     collaborator with write, a deploy key gained write, a webhook lost its secret or SSL check, GITHUB_TOKEN \
     became write, Actions may now approve, secret scanning or Dependabot alerts turned off, 2FA no longer \
     required, a base permission raised.",
    "Drift is how an access change meant for four people becomes access for everyone; the audit must say so \
     on its next run.",
    "acme/complaints: visibility private → public",
    "Review the change with whoever made it (the audit log names them) and revert it if unintended."
);
meta!(
    SETTING_CHANGED,
    "LG581",
    "setting-changed",
    Severity::Note,
    "A setting changed since the previous snapshot",
    "Compared with `--baseline`: a change that is not a loosening (a tightening, a rename, a new team with \
     read).",
    "A record of what changed keeps the next review short.",
    "acme/api: admins [alice, bob] → [alice]",
    "Nothing to fix; acknowledge by using this run's snapshot as the next baseline."
);
meta!(
    REPOSITORY_APPEARED_OR_GONE,
    "LG582",
    "repository-appeared-or-disappeared",
    Severity::Warning,
    "A repository appeared or disappeared since the previous snapshot",
    "Compared with `--baseline`: a repository is new in the audited set, or no longer in it (deleted, \
     renamed, transferred, or no longer visible to the token).",
    "A new repository starts with default settings; one that vanished may have moved out of control.",
    "acme/new-service appeared (public)",
    "Check the new repository against the policy; confirm a disappearance was intended."
);
meta!(
    SETTING_UNKNOWN_ALLOWED,
    "LG590",
    "setting-unknown-allowed",
    Severity::Note,
    "A setting could not be read, and --allow-unknown accepts that",
    "The same gap as LG915, reported as a note because the run was started with `--allow-unknown`.",
    "Accepting a gap knowingly is different from not seeing it: the report still names it.",
    "acme/api: webhooks could not be read (grant Webhooks: read)",
    "Grant the permission named in the message to close the gap."
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
                            "{full} has {count} admins (users: {}; teams: {}); max-admins = {max}",
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
                    "{login} has {} owners ({}); max-org-admins = {max}",
                    admins.len(),
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
