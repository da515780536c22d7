//! What a settings audit reads, for the fake GitHub of `fake_github`: the
//! security and visibility settings of a repository, its teams, deploy keys,
//! webhooks, Actions workflow permissions, Dependabot alerts and CODEOWNERS
//! errors; an organisation's settings, members, webhooks, workflow
//! permissions and repositories; and issues, which the audit opens, edits and
//! comments on. Payloads are shaped like GitHub's (validated in
//! tests/github_conformance.rs); lists go through the same pagination, ETags
//! and faults as every other endpoint.
//!
//! Shape decisions, where GitHub leaves a choice or the fake simplifies:
//! - `GET /repos/{o}/{r}` carries `security_and_analysis` only for an
//!   authenticated repository admin (`Access::Admin`), as GitHub does. A
//!   feature set to `None` is left out of the block;
//!   `dependabot_security_updates` follows `dependabot_alerts`.
//! - Admin-only repository endpoints (teams, keys, hooks, Actions workflow
//!   permissions, vulnerability-alerts) answer 401 without a token, 404 "Not
//!   Found" to a user token without admin rights (`Access::Write`: GitHub
//!   hides what a token may not administer) and 403 "Resource not accessible
//!   by integration" to an app token without Administration (`Access::App`).
//!   For vulnerability-alerts this makes a non-admin's 404 look like
//!   "disabled", as it does on GitHub: only an admin can tell them apart.
//! - Organisation-owner endpoints (hooks, Actions workflow permissions) use
//!   the same rule with `Scenario::org_admin` in place of admin rights.
//!   `GET /orgs/{org}` leaves out what GitHub shows owners only (plan, the
//!   private counts, `two_factor_requirement_enabled`,
//!   `default_repository_permission`, `members_can_*` ...) unless the token
//!   is an owner. An organisation that owns repositories of the scenario but
//!   has no `Org` entry is served as `Org::new(login)`; another is 404.
//! - Members and outside collaborators of an organisation need a token (401
//!   without one; GitHub would redirect an anonymous caller to the public
//!   members) and, with `members_access` false, answer 403. `?role=` is
//!   admin, member (non-admins) or all; another value is 422. The outside
//!   collaborators of an organisation are those of its repositories.
//! - `GET /orgs/{org}/repos` lists the organisation's repositories in the
//!   scenario's order (archived ones too), private and internal ones only to
//!   a token; `type=public|private` filters (internal counts as private),
//!   `forks` is empty, other types list everything. Items carry
//!   `permissions` (to a token) and, for an admin, `security_and_analysis`,
//!   as GitHub's listing does, so an audit need not fetch each repository.
//! - CODEOWNERS errors come from `Repo::codeowners` alone (the contents are
//!   not parsed): `kind` is the message up to " on line", `column` 1, and
//!   `source` the offending line when the scenario has a CODEOWNERS file at
//!   the default branch (.github/, the root or docs/, GitHub's order).
//! - Issues: pull requests are listed among them with a `pull_request` key,
//!   as on GitHub; the list is newest first (`direction=asc` reverses) and
//!   filters by `state` (open by default; closed, all; else 422), `labels`
//!   (comma-separated, all required, case-insensitive) and `creator`. Reading
//!   works as for the repository (anonymous on a public one); creating,
//!   editing and commenting need a token (401) and `issues_access` (403).
//!   New issues are numbered after every issue and pull request; closing
//!   without `state_reason` records "completed", reopening "reopened".
//!   Issues and comments made through the API are by `github-actions[bot]`,
//!   and so is every comment (they are kept as bodies only), dated at the
//!   issue's `updated_at`. `GET .../issues/{n}` and `.../issues/{n}/comments`
//!   are served too. Editing or commenting on a pull request's number is 404
//!   (GitHub would accept it).

use std::time::Duration;

use serde_json::{json, Value};

use super::fake_github::{
    error, iso8601, now, ok, page, percent_decode, repository_json, user_json, Access, Repo, Request, Response,
    Scenario, State,
};
use super::fake_pulls::{association, kind_of, merge, user, validation_failed, Pull};

/// Who creates issues and comments through the fake's API.
const CREATOR: &str = "github-actions[bot]";
/// When the scenario's own issues were opened (2026-10-25), an hour apart by number.
const ISSUES_OPENED: u64 = 1_793_000_000;

/// A webhook of a repository or an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub id: u64,
    pub url: String,
    /// Whether a secret is set (served as `"********"`, else left out).
    pub secret: bool,
    /// `config.insecure_ssl` "1" (certificate not verified) rather than "0".
    pub insecure_ssl: bool,
    pub active: bool,
    pub events: Vec<String>,
}

impl Hook {
    /// An active hook on `push`, with a secret, verifying certificates.
    pub fn new(id: u64, url: &str) -> Hook {
        Hook {
            id,
            url: url.to_owned(),
            secret: true,
            insecure_ssl: false,
            active: true,
            events: vec!["push".to_owned()],
        }
    }

    pub fn secret(mut self, set: bool) -> Self {
        self.secret = set;
        self
    }

    pub fn insecure_ssl(mut self, on: bool) -> Self {
        self.insecure_ssl = on;
        self
    }

    pub fn active(mut self, on: bool) -> Self {
        self.active = on;
        self
    }

    pub fn events(mut self, events: &[&str]) -> Self {
        self.events = events.iter().map(|e| e.to_string()).collect();
        self
    }
}

/// An organisation's settings.
#[derive(Debug, Clone)]
pub struct Org {
    pub login: String,
    pub two_factor_required: bool,
    /// read, write, admin or none.
    pub default_repository_permission: String,
    pub members_can_create_public_repositories: bool,
    /// Owners.
    pub admins: Vec<String>,
    /// Members who are not owners.
    pub members: Vec<String>,
    pub hooks: Vec<Hook>,
    /// `(default_workflow_permissions: "read" or "write", can_approve_pull_request_reviews)`.
    pub workflow_permissions: (String, bool),
}

impl Org {
    /// No two-factor requirement, base permission read, members may create
    /// public repositories, no members or hooks, workflow tokens read-only.
    pub fn new(login: &str) -> Org {
        Org {
            login: login.to_owned(),
            two_factor_required: false,
            default_repository_permission: "read".to_owned(),
            members_can_create_public_repositories: true,
            admins: Vec::new(),
            members: Vec::new(),
            hooks: Vec::new(),
            workflow_permissions: ("read".to_owned(), false),
        }
    }

    pub fn two_factor_required(mut self, on: bool) -> Self {
        self.two_factor_required = on;
        self
    }

    pub fn default_repository_permission(mut self, permission: &str) -> Self {
        self.default_repository_permission = permission.to_owned();
        self
    }

    pub fn members_can_create_public_repositories(mut self, on: bool) -> Self {
        self.members_can_create_public_repositories = on;
        self
    }

    /// An owner.
    pub fn admin(mut self, login: &str) -> Self {
        self.admins.push(login.to_owned());
        self
    }

    /// A member who is not an owner.
    pub fn member(mut self, login: &str) -> Self {
        self.members.push(login.to_owned());
        self
    }

    pub fn hook(mut self, hook: Hook) -> Self {
        self.hooks.retain(|h| h.id != hook.id);
        self.hooks.push(hook);
        self
    }

    pub fn workflow_permissions(mut self, default: &str, can_approve: bool) -> Self {
        self.workflow_permissions = (default.to_owned(), can_approve);
        self
    }
}

/// An issue of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    /// "open" or "closed".
    pub state: String,
    /// completed, not_planned, reopened, duplicate or none.
    pub state_reason: Option<String>,
    pub labels: Vec<String>,
    /// Comment bodies, oldest first.
    pub comments: Vec<String>,
    /// The login that opened it.
    pub author: String,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

impl Issue {
    /// An open issue by `octocat` without a body, opened `number` hours after 2026-10-25.
    pub fn new(number: u64, title: &str) -> Issue {
        let opened = iso8601(ISSUES_OPENED + number * 3600);
        Issue {
            number,
            title: title.to_owned(),
            body: None,
            state: "open".to_owned(),
            state_reason: None,
            labels: Vec::new(),
            comments: Vec::new(),
            author: "octocat".to_owned(),
            created_at: opened.clone(),
            updated_at: opened,
            closed_at: None,
        }
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = Some(body.to_owned());
        self
    }

    pub fn label(mut self, name: &str) -> Self {
        self.labels.push(name.to_owned());
        self
    }

    pub fn author(mut self, login: &str) -> Self {
        self.author = login.to_owned();
        self
    }

    /// Closed a day after it was opened, for this reason (completed, not_planned, duplicate).
    pub fn closed(mut self, reason: &str) -> Self {
        self.state = "closed".to_owned();
        self.state_reason = Some(reason.to_owned());
        let closed = iso8601(ISSUES_OPENED + self.number * 3600 + 86400);
        self.updated_at = closed.clone();
        self.closed_at = Some(closed);
        self
    }

    pub fn comment(mut self, body: &str) -> Self {
        self.comments.push(body.to_owned());
        self
    }
}

/// Settings builders (the fields are in `fake_github`).
impl Repo {
    pub fn id(mut self, id: u64) -> Self {
        self.id = id;
        self
    }

    /// Visibility public (`private` false).
    pub fn public(mut self) -> Self {
        self.private = false;
        self.internal = false;
        self
    }

    /// Visibility internal (`private` true, as GitHub reports it).
    pub fn internal(mut self) -> Self {
        self.private = true;
        self.internal = true;
        self
    }

    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    pub fn allow_forking(mut self, on: bool) -> Self {
        self.allow_forking = on;
        self
    }

    pub fn topics(mut self, topics: &[&str]) -> Self {
        self.topics = topics.iter().map(|t| t.to_string()).collect();
        self
    }

    /// A custom property value.
    pub fn property(mut self, name: &str, value: &str) -> Self {
        self.custom_properties.insert(name.to_owned(), value.to_owned());
        self
    }

    /// `None`: secret scanning is not available for the repository.
    pub fn secret_scanning(mut self, on: Option<bool>) -> Self {
        self.secret_scanning = on;
        self
    }

    /// `None`: push protection is not available for the repository.
    pub fn push_protection(mut self, on: Option<bool>) -> Self {
        self.push_protection = on;
        self
    }

    pub fn dependabot_alerts(mut self, on: bool) -> Self {
        self.dependabot_alerts = on;
        self
    }

    /// A collaborator with this role who is an outside collaborator.
    pub fn outside_collaborator(mut self, login: &str, role: &str) -> Self {
        self = self.collaborator(login, role);
        self.outside_collaborators.retain(|l| !l.eq_ignore_ascii_case(login));
        self.outside_collaborators.push(login.to_owned());
        self
    }

    /// A team of the owner with a permission: pull, triage, push, maintain or admin.
    pub fn team(mut self, slug: &str, permission: &str) -> Self {
        self.teams.retain(|(s, _)| s != slug);
        self.teams.push((slug.to_owned(), permission.to_owned()));
        self
    }

    pub fn deploy_key(mut self, id: u64, title: &str, read_only: bool) -> Self {
        self.deploy_keys.retain(|(i, _, _)| *i != id);
        self.deploy_keys.push((id, title.to_owned(), read_only));
        self
    }

    pub fn hook(mut self, hook: Hook) -> Self {
        self.hooks.retain(|h| h.id != hook.id);
        self.hooks.push(hook);
        self
    }

    pub fn workflow_permissions(mut self, default: &str, can_approve: bool) -> Self {
        self.workflow_permissions = (default.to_owned(), can_approve);
        self
    }

    /// A CODEOWNERS file with these `(line, message)` errors (none: a valid file).
    pub fn codeowners(mut self, errors: &[(u64, &str)]) -> Self {
        self.codeowners = Some(errors.iter().map(|(l, m)| (*l, m.to_string())).collect());
        self
    }

    /// Adds (or replaces, by number) an issue.
    pub fn issue(mut self, issue: Issue) -> Self {
        self.issues.retain(|i| i.number != issue.number);
        self.issues.push(issue);
        self
    }
}

impl Scenario {
    /// Adds (or replaces, by full name) a repository.
    pub fn repo(mut self, repo: Repo) -> Self {
        self.repos.retain(|r| !(r.owner == repo.owner && r.name == repo.name));
        self.repos.push(repo);
        self
    }

    /// Adds (or replaces, by login) an organisation's settings.
    pub fn org(mut self, org: Org) -> Self {
        self.orgs.retain(|o| !o.login.eq_ignore_ascii_case(&org.login));
        self.orgs.push(org);
        self
    }

    /// Every request waits this long before it is answered.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// An organisation and `n` repositories `{org}/repo-0000`... with varied,
    /// deterministic settings (ids 500000 + i): every 4th public, every 10th
    /// (from the 5th) internal, every 25th archived; topics, custom
    /// properties `tier` and `owner-team`; secret scanning and push protection
    /// on, off or not available; admins, writers and every 6th with an
    /// outside collaborator; teams `platform` (admin) and `team-{i % 5}`;
    /// deploy keys, hooks (some without a secret or with insecure SSL),
    /// workflow permissions and CODEOWNERS (missing, valid or with an error).
    /// The organisation requires 2FA, has base permission read, owners
    /// `owner-0` and `owner-1`, the other collaborators as members, one hook;
    /// its teams have members. The token is an admin and an owner, with the
    /// 12,500 requests an hour of a GitHub App installation on an organisation
    /// with many repositories (a thousand repositories take about 7,000 cold).
    pub fn org_with_repos(org: &str, n: usize) -> Scenario {
        let mut scenario = Scenario::new(Repo::new(&format!("{org}/repo-0000")));
        scenario.quota = 12_500;
        scenario.repos = (0..n).map(|i| generated_repo(org, i)).collect();
        let mut settings = Org::new(org)
            .two_factor_required(true)
            .default_repository_permission("read")
            .members_can_create_public_repositories(false)
            .admin("owner-0")
            .admin("owner-1")
            .hook(Hook::new(1, &format!("https://hooks.example.com/{org}")))
            .workflow_permissions("read", false);
        // Every collaborator who is not an outside collaborator is a member.
        let members = (2..7)
            .map(|i| format!("owner-{i}"))
            .chain((0..3).map(|i| format!("admin-{i}")))
            .chain((0..11).map(|i| format!("dev-{i}")));
        for login in members {
            settings = settings.member(&login);
        }
        scenario.orgs.push(settings);
        scenario = scenario.team(org, "platform", &["owner-0", "dev-0"]);
        for t in 0..5 {
            let members = [format!("dev-{}", t + 1), format!("dev-{}", t + 6)];
            scenario = scenario.team(org, &format!("team-{t}"), &[&members[0], &members[1]]);
        }
        scenario
    }
}

fn generated_repo(org: &str, i: usize) -> Repo {
    let n = i as u64;
    let team = format!("team-{}", i % 5);
    let mut topics = vec!["service", team.as_str()];
    if i.is_multiple_of(7) {
        topics.push("pci");
    }
    let mut repo = Repo::new(&format!("{org}/repo-{i:04}"))
        .id(500_000 + n)
        .allow_forking(i.is_multiple_of(3))
        .topics(&topics)
        .property("tier", ["gold", "silver", "bronze"][i % 3])
        .property("owner-team", &team)
        .dependabot_alerts(i % 5 != 2)
        .collaborator(&format!("owner-{}", i % 7), "admin")
        .collaborator(&format!("dev-{}", i % 11), "write")
        .team("platform", "admin")
        .team(&team, if i % 4 == 2 { "maintain" } else { "push" })
        .workflow_permissions(if i % 4 == 1 { "write" } else { "read" }, i % 8 == 1);
    repo = match i % 10 {
        5 => repo.internal(),
        _ if i.is_multiple_of(4) => repo.public(),
        _ => repo,
    };
    if i % 25 == 24 {
        repo = repo.archived();
    }
    let scanning = if !repo.private {
        Some(i % 8 != 4)
    } else if i % 3 == 1 {
        None
    } else {
        Some(i.is_multiple_of(2))
    };
    repo = repo
        .secret_scanning(scanning)
        .push_protection(scanning.map(|on| on && i % 5 != 3));
    if i.is_multiple_of(6) {
        let role = if i.is_multiple_of(12) { "write" } else { "read" };
        repo = repo.outside_collaborator(&format!("contractor-{}", i % 13), role);
    }
    if i % 12 == 6 {
        repo = repo.collaborator(&format!("admin-{}", i % 3), "admin");
    }
    if i.is_multiple_of(9) {
        repo = repo.team("everyone", "pull");
    }
    if i.is_multiple_of(8) {
        repo = repo.deploy_key(n + 1, &format!("deploy-{i}"), !i.is_multiple_of(16));
    }
    if i % 9 == 4 {
        let hook = Hook::new(10_000 + n, &format!("https://hooks.example.com/{i}"))
            .secret(i % 18 != 4)
            .insecure_ssl(i % 27 == 4);
        repo = repo.hook(hook);
    }
    match i % 10 {
        0 => repo,
        3 => repo.codeowners(&[(
            3,
            &format!(
                "Unknown owner on line 3: make sure the team @{org}/ghosts exists, is publicly visible, and has \
                 write access to the repository\n\n  * @{org}/ghosts\n    ^"
            ),
        )]),
        _ => repo.codeowners(&[]),
    }
}

/// "public", "private" or "internal".
pub fn visibility(repo: &Repo) -> &'static str {
    match (repo.private, repo.internal) {
        (false, _) => "public",
        (true, true) => "internal",
        (true, false) => "private",
    }
}

/// A stable id for some text (FNV-1a).
fn stable_id(seed: &str) -> u64 {
    let hash = seed.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    10_000 + hash % 1_000_000_000
}

fn status(on: bool) -> Value {
    json!({ "status": if on { "enabled" } else { "disabled" } })
}

/// The `full-repository` of `GET /repos/{o}/{r}`: custom properties and, for
/// an authenticated admin, `security_and_analysis`.
pub(super) fn full_repository_json(state: &State, repo: &Repo, url: &str, authed: bool) -> Value {
    let mut value = repository_json(repo, state.scenario.access, url);
    value["custom_properties"] = json!(repo.custom_properties);
    if authed && state.scenario.access == Access::Admin {
        let mut block = serde_json::Map::new();
        if let Some(on) = repo.secret_scanning {
            block.insert("secret_scanning".to_owned(), status(on));
        }
        if let Some(on) = repo.push_protection {
            block.insert("secret_scanning_push_protection".to_owned(), status(on));
        }
        block.insert("dependabot_security_updates".to_owned(), status(repo.dependabot_alerts));
        value["security_and_analysis"] = Value::Object(block);
    }
    value
}

/// A `minimal-repository`, as `GET /orgs/{org}/repos` lists it.
pub(super) fn minimal_repository_json(state: &State, repo: &Repo, url: &str, authed: bool) -> Value {
    let mut value = full_repository_json(state, repo, url, authed);
    if let Some(map) = value.as_object_mut() {
        for key in ["network_count", "subscribers_count"] {
            map.remove(key);
        }
        if !authed {
            map.remove("permissions");
        }
    }
    value
}

/// Why a token may not read an admin-only endpoint; `None` when it may.
fn denied(authed: bool, allowed: bool, access: Access) -> Option<Response> {
    if !authed {
        return Some(error(401, "Requires authentication"));
    }
    match (allowed, access) {
        (true, _) => None,
        (false, Access::App) => Some(error(403, "Resource not accessible by integration")),
        (false, _) => Some(error(404, "Not Found")),
    }
}

fn repo_admin(state: &State, authed: bool) -> Option<Response> {
    denied(authed, state.scenario.access == Access::Admin, state.scenario.access)
}

fn no_content() -> Response {
    Response {
        status: 204,
        body: Vec::new(),
        headers: Vec::new(),
        length: None,
    }
}

fn created(value: Value, location: String) -> Response {
    Response {
        status: 201,
        body: value.to_string().into_bytes(),
        headers: vec![("Location".to_owned(), location)],
        length: None,
    }
}

/// The level of a team permission (pull 0 ... admin 4).
fn permission_level(permission: &str) -> usize {
    match permission {
        "triage" => 1,
        "push" | "write" => 2,
        "maintain" => 3,
        "admin" => 4,
        _ => 0,
    }
}

pub fn team_json(org: &str, slug: &str, permission: &str, url: &str) -> Value {
    let id = stable_id(&format!("team:{}/{slug}", org.to_ascii_lowercase()));
    let org_id = stable_id(&format!("org:{}", org.to_ascii_lowercase()));
    let level = permission_level(permission);
    let team_api = format!("{url}/organizations/{org_id}/team/{id}");
    json!({
        "id": id, "node_id": format!("T_kwDO{id}"), "name": slug, "slug": slug, "description": null,
        "privacy": "closed", "notification_setting": "notifications_enabled", "permission": permission,
        "permissions": {"pull": true, "triage": level >= 1, "push": level >= 2, "maintain": level >= 3,
                        "admin": level >= 4},
        "url": team_api, "html_url": format!("https://github.com/orgs/{org}/teams/{slug}"),
        "members_url": format!("{team_api}/members{{/member}}"), "repositories_url": format!("{team_api}/repos"),
        "parent": null, "type": "organization", "organization_id": org_id,
    })
}

pub fn deploy_key_json(repo: &Repo, id: u64, title: &str, read_only: bool, url: &str) -> Value {
    let added_by = repo
        .collaborators
        .iter()
        .find(|(_, role)| role == "admin")
        .map(|(login, _)| login.clone());
    let material = format!("{:016x}{:016x}", stable_id(&format!("key:{id}")), stable_id(title));
    json!({
        "id": id, "key": format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{material}"),
        "url": format!("{url}/repos/{}/{}/keys/{id}", repo.owner, repo.name), "title": title,
        "verified": true, "created_at": "2025-03-01T10:00:00Z", "read_only": read_only,
        "added_by": added_by, "last_used": null, "enabled": true,
    })
}

fn hook_config(hook: &Hook) -> Value {
    let mut config = json!({
        "content_type": "json", "insecure_ssl": if hook.insecure_ssl { "1" } else { "0" }, "url": hook.url,
    });
    if hook.secret {
        config["secret"] = json!("********");
    }
    config
}

/// A repository `hook`.
pub fn hook_json(repo: &Repo, hook: &Hook, url: &str) -> Value {
    let api = format!("{url}/repos/{}/{}/hooks/{}", repo.owner, repo.name, hook.id);
    json!({
        "type": "Repository", "id": hook.id, "name": "web", "active": hook.active, "events": hook.events,
        "config": hook_config(hook), "updated_at": "2026-02-01T10:00:00Z", "created_at": "2025-02-01T10:00:00Z",
        "url": api, "test_url": format!("{api}/test"), "ping_url": format!("{api}/pings"),
        "deliveries_url": format!("{api}/deliveries"),
        "last_response": {"code": null, "status": "unused", "message": null},
    })
}

/// An `org-hook`.
pub fn org_hook_json(org: &str, hook: &Hook, url: &str) -> Value {
    let api = format!("{url}/orgs/{org}/hooks/{}", hook.id);
    json!({
        "id": hook.id, "url": api, "ping_url": format!("{api}/pings"), "deliveries_url": format!("{api}/deliveries"),
        "name": "web", "events": hook.events, "active": hook.active, "config": hook_config(hook),
        "updated_at": "2026-02-01T10:00:00Z", "created_at": "2025-02-01T10:00:00Z", "type": "Organization",
    })
}

fn workflow_json(permissions: &(String, bool)) -> Value {
    json!({
        "default_workflow_permissions": permissions.0,
        "can_approve_pull_request_reviews": permissions.1,
    })
}

/// `codeowners-errors` (the path and offending lines from the scenario's
/// CODEOWNERS file at the default branch, when it has one).
pub fn codeowners_json(repo: &Repo, errors: &[(u64, String)]) -> Value {
    let file = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
        .iter()
        .find_map(|path| {
            repo.contents
                .iter()
                .find(|(r, p, _)| p == path && r.strip_prefix("refs/heads/").unwrap_or(r) == repo.default_branch)
                .map(|(_, p, bytes)| (p.clone(), String::from_utf8_lossy(bytes).into_owned()))
        });
    let path = file.as_ref().map_or(".github/CODEOWNERS", |(p, _)| p.as_str());
    let items: Vec<Value> = errors
        .iter()
        .map(|(line, message)| {
            let first = message.lines().next().unwrap_or("");
            let kind = first.split(" on line").next().unwrap_or(first);
            let source = file
                .as_ref()
                .and_then(|(_, text)| text.lines().nth((*line as usize).saturating_sub(1)))
                .unwrap_or("");
            json!({"line": line, "column": 1, "kind": kind, "source": source, "suggestion": null,
                   "message": message, "path": path})
        })
        .collect();
    json!({ "errors": items })
}

fn account(login: &str, url: &str) -> Value {
    if login == CREATOR {
        user_json(login, 41898282, "Bot", url)
    } else {
        user(login, kind_of(login), url)
    }
}

fn reactions(url: String) -> Value {
    json!({"url": url, "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "confused": 0, "heart": 0,
           "hooray": 0, "eyes": 0, "rocket": 0})
}

fn label_json(repo: &Repo, name: &str, url: &str) -> Value {
    let id = stable_id(&format!(
        "label:{}/{}:{}",
        repo.owner,
        repo.name,
        name.to_ascii_lowercase()
    ));
    json!({
        "id": id, "node_id": format!("LA_kwDO{id}"),
        "url": format!("{url}/repos/{}/{}/labels/{}", repo.owner, repo.name, name.replace(' ', "%20")),
        "name": name, "description": null, "color": "ededed", "default": false,
    })
}

fn issue_id(repo: &Repo, number: u64) -> u64 {
    2_000_000_000 + (repo.id % 1_000_000) * 10_000 + number
}

/// An `issue`.
pub(super) fn issue_json(state: &State, repo: &Repo, issue: &Issue, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let n = issue.number;
    let id = issue_id(repo, n);
    let labels: Vec<Value> = issue.labels.iter().map(|l| label_json(repo, l, url)).collect();
    json!({
        "id": id, "node_id": format!("I_kwDO{id}"), "url": format!("{api}/issues/{n}"), "repository_url": api,
        "labels_url": format!("{api}/issues/{n}/labels{{/name}}"),
        "comments_url": format!("{api}/issues/{n}/comments"), "events_url": format!("{api}/issues/{n}/events"),
        "html_url": format!("https://github.com/{full}/issues/{n}"), "number": n, "state": issue.state,
        "state_reason": issue.state_reason, "title": issue.title, "body": issue.body,
        "user": account(&issue.author, url), "labels": labels, "assignee": null, "assignees": [],
        "milestone": null, "locked": false, "active_lock_reason": null, "comments": issue.comments.len(),
        "closed_at": issue.closed_at, "created_at": issue.created_at, "updated_at": issue.updated_at,
        "author_association": association(state, repo, Some(&issue.author)),
        "reactions": reactions(format!("{api}/issues/{n}/reactions")),
        "timeline_url": format!("{api}/issues/{n}/timeline"), "performed_via_github_app": null,
    })
}

/// A pull request as the issues API lists it.
fn pull_issue_json(state: &State, repo: &Repo, pull: &Pull, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let n = pull.number;
    let mut issue = Issue::new(n, &pull.title).author(&pull.author);
    issue.state = pull.state.clone();
    let mut value = issue_json(state, repo, &issue, url);
    let html = format!("https://github.com/{full}/pull/{n}");
    value["user"] = user(&pull.author, &pull.author_type, url);
    value["html_url"] = json!(html);
    value["draft"] = json!(pull.draft);
    value["pull_request"] = json!({
        "url": format!("{url}/repos/{full}/pulls/{n}"), "html_url": html,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"), "merged_at": null,
    });
    value
}

/// An `issue-comment`: the `index`th comment of an issue.
pub(super) fn comment_json(state: &State, repo: &Repo, issue: &Issue, index: usize, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let n = issue.number;
    let id = 3_000_000_000 + (repo.id % 100_000) * 1_000_000 + n * 1000 + index as u64;
    json!({
        "id": id, "node_id": format!("IC_kwDO{id}"), "url": format!("{api}/issues/comments/{id}"),
        "html_url": format!("https://github.com/{full}/issues/{n}#issuecomment-{id}"),
        "body": issue.comments[index], "user": account(CREATOR, url),
        "created_at": issue.updated_at, "updated_at": issue.updated_at, "issue_url": format!("{api}/issues/{n}"),
        "author_association": association(state, repo, Some(CREATOR)),
        "performed_via_github_app": null, "reactions": reactions(format!("{api}/issues/comments/{id}/reactions")),
    })
}

/// GET routes under `/repos/{owner}/{repo}/` that this module serves.
pub(super) fn repo_route(
    state: &State,
    repo: &Repo,
    rest: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> Option<Response> {
    let forced = state.scenario.page_size;
    let response = match rest {
        "" => ok(full_repository_json(state, repo, url, authed)),
        "teams" => repo_admin(state, authed).unwrap_or_else(|| {
            let items = repo
                .teams
                .iter()
                .map(|(slug, permission)| team_json(&repo.owner, slug, permission, url))
                .collect();
            page(items, request, url, forced)
        }),
        "keys" => repo_admin(state, authed).unwrap_or_else(|| {
            let items = repo
                .deploy_keys
                .iter()
                .map(|(id, title, read_only)| deploy_key_json(repo, *id, title, *read_only, url))
                .collect();
            page(items, request, url, forced)
        }),
        "hooks" => repo_admin(state, authed).unwrap_or_else(|| {
            let items = repo.hooks.iter().map(|h| hook_json(repo, h, url)).collect();
            page(items, request, url, forced)
        }),
        "actions/permissions/workflow" => {
            repo_admin(state, authed).unwrap_or_else(|| ok(workflow_json(&repo.workflow_permissions)))
        }
        "vulnerability-alerts" => repo_admin(state, authed).unwrap_or_else(|| {
            if repo.dependabot_alerts {
                no_content()
            } else {
                error(404, "Not Found")
            }
        }),
        "codeowners/errors" => match &repo.codeowners {
            Some(errors) => ok(codeowners_json(repo, errors)),
            None => error(404, "Not Found"),
        },
        "issues" => list_issues(state, repo, request, url),
        _ => {
            let tail = rest.strip_prefix("issues/")?;
            let (number, what) = tail.split_once('/').unwrap_or((tail, ""));
            let number: u64 = number.parse().ok()?;
            let issue = repo.issues.iter().find(|i| i.number == number);
            let pull = repo.pulls.iter().find(|p| p.number == number);
            match (what, issue, pull) {
                ("", Some(issue), _) => ok(issue_json(state, repo, issue, url)),
                ("", None, Some(pull)) => ok(pull_issue_json(state, repo, pull, url)),
                ("comments", Some(issue), _) => {
                    let items = (0..issue.comments.len())
                        .map(|i| comment_json(state, repo, issue, i, url))
                        .collect();
                    page(items, request, url, forced)
                }
                ("comments", None, Some(_)) => page(Vec::new(), request, url, forced),
                _ => error(404, "Not Found"),
            }
        }
    };
    Some(response)
}

fn list_issues(state: &State, repo: &Repo, request: &Request, url: &str) -> Response {
    let query = |name: &str| request.query.get(name).map(|v| percent_decode(&v.replace('+', " ")));
    let wanted_state = query("state").unwrap_or_else(|| "open".to_owned());
    if !["open", "closed", "all"].contains(&wanted_state.as_str()) {
        return validation_failed("Issue", "state", "invalid", "state must be one of open, closed, all");
    }
    let labels: Vec<String> = query("labels")
        .map(|l| {
            l.split(',')
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let creator = query("creator");
    let keep = |state: &str, author: &str, have: &[String]| {
        (wanted_state == "all" || wanted_state == state)
            && creator.as_ref().is_none_or(|c| c.eq_ignore_ascii_case(author))
            && labels.iter().all(|l| have.iter().any(|h| h.eq_ignore_ascii_case(l)))
    };
    let mut items: Vec<(u64, Value)> = repo
        .issues
        .iter()
        .filter(|i| keep(&i.state, &i.author, &i.labels))
        .map(|i| (i.number, issue_json(state, repo, i, url)))
        .collect();
    items.extend(
        repo.pulls
            .iter()
            .filter(|p| !repo.issues.iter().any(|i| i.number == p.number))
            .filter(|p| keep(&p.state, &p.author, &[]))
            .map(|p| (p.number, pull_issue_json(state, repo, p, url))),
    );
    items.sort_by_key(|(n, _)| *n);
    if query("direction").as_deref() != Some("asc") {
        items.reverse();
    }
    page(
        items.into_iter().map(|(_, v)| v).collect(),
        request,
        url,
        state.scenario.page_size,
    )
}

/// Label names from a request body's `labels` (names or `{"name": ...}`).
fn labels_of(value: &Value) -> Option<Vec<String>> {
    value.as_array().map(|items| {
        items
            .iter()
            .filter_map(|l| l.as_str().or_else(|| l.get("name")?.as_str()))
            .map(str::to_owned)
            .collect()
    })
}

/// POST and PATCH routes under `/repos/{owner}/{repo}/` (issues): creates,
/// edits or comments, and answers like GitHub. `None`: not a route here.
pub(super) fn repo_write(
    state: &mut State,
    index: usize,
    rest: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> Option<Response> {
    #[derive(Clone, Copy)]
    enum Write {
        Create,
        Edit(u64),
        Comment(u64),
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let write = match (request.method.as_str(), parts.as_slice()) {
        ("POST", ["issues"]) => Write::Create,
        ("PATCH", ["issues", n]) => Write::Edit(n.parse().ok()?),
        ("POST", ["issues", n, "comments"]) => Write::Comment(n.parse().ok()?),
        _ => return None,
    };
    if !authed {
        return Some(error(401, "Requires authentication"));
    }
    if !state.scenario.issues_access {
        return Some(error(403, "Resource not accessible by integration"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return Some(error(400, "Problems parsing JSON"));
    };
    let stamp = iso8601(now());
    let repo = &mut state.scenario.repos[index];
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    let (number, comment) = match write {
        Write::Create => {
            let Some(title) = text("title").filter(|t| !t.is_empty()) else {
                return Some(validation_failed(
                    "Issue",
                    "title",
                    "missing_field",
                    "title wasn't supplied",
                ));
            };
            let number = 1 + repo
                .issues
                .iter()
                .map(|i| i.number)
                .chain(repo.pulls.iter().map(|p| p.number))
                .max()
                .unwrap_or(0);
            let mut issue = Issue::new(number, &title).author(CREATOR);
            issue.body = text("body");
            issue.labels = body.get("labels").and_then(labels_of).unwrap_or_default();
            issue.created_at = stamp.clone();
            issue.updated_at = stamp;
            repo.issues.push(issue);
            (number, None)
        }
        Write::Edit(number) => {
            let Some(issue) = repo.issues.iter_mut().find(|i| i.number == number) else {
                return Some(error(404, "Not Found"));
            };
            let wanted = text("state");
            if wanted.as_deref().is_some_and(|s| s != "open" && s != "closed") {
                return Some(validation_failed(
                    "Issue",
                    "state",
                    "invalid",
                    "state is not included in the list",
                ));
            }
            let reason = body.get("state_reason");
            let reason = match reason {
                None | Some(Value::Null) => None,
                Some(Value::String(r))
                    if ["completed", "not_planned", "reopened", "duplicate"].contains(&r.as_str()) =>
                {
                    Some(r.clone())
                }
                Some(_) => {
                    return Some(validation_failed(
                        "Issue",
                        "state_reason",
                        "invalid",
                        "state_reason is not included in the list",
                    ))
                }
            };
            if let Some(title) = text("title") {
                issue.title = title;
            }
            match body.get("body") {
                Some(Value::Null) => issue.body = None,
                Some(Value::String(b)) => issue.body = Some(b.clone()),
                _ => {}
            }
            if let Some(labels) = body.get("labels").and_then(labels_of) {
                issue.labels = labels;
            }
            match wanted.as_deref() {
                Some("closed") if issue.state != "closed" => {
                    issue.state = "closed".to_owned();
                    issue.closed_at = Some(stamp.clone());
                    issue.state_reason = Some(reason.clone().unwrap_or_else(|| "completed".to_owned()));
                }
                Some("open") if issue.state != "open" => {
                    issue.state = "open".to_owned();
                    issue.closed_at = None;
                    issue.state_reason = Some("reopened".to_owned());
                }
                _ => {
                    if reason.is_some() {
                        issue.state_reason = reason;
                    }
                }
            }
            issue.updated_at = stamp;
            (number, None)
        }
        Write::Comment(number) => {
            let Some(issue) = repo.issues.iter_mut().find(|i| i.number == number) else {
                return Some(error(404, "Not Found"));
            };
            let Some(comment) = text("body").filter(|b| !b.is_empty()) else {
                return Some(validation_failed(
                    "IssueComment",
                    "body",
                    "missing_field",
                    "body wasn't supplied",
                ));
            };
            issue.comments.push(comment);
            issue.updated_at = stamp;
            (number, Some(issue.comments.len() - 1))
        }
    };
    let state: &State = state;
    let repo = &state.scenario.repos[index];
    let issue = repo.issues.iter().find(|i| i.number == number)?;
    let value = issue_json(state, repo, issue, url);
    Some(match (write, comment) {
        (Write::Create, _) => {
            let location = value["url"].as_str().unwrap_or_default().to_owned();
            created(value, location)
        }
        (_, Some(index)) => {
            let value = comment_json(state, repo, issue, index, url);
            let location = value["url"].as_str().unwrap_or_default().to_owned();
            created(value, location)
        }
        _ => ok(value),
    })
}

/// The organisation a login names: its `Org`, or a default one for an
/// owner of repositories of the scenario.
fn find_org(scenario: &Scenario, login: &str) -> Option<Org> {
    if let Some(org) = scenario.orgs.iter().find(|o| o.login.eq_ignore_ascii_case(login)) {
        return Some(org.clone());
    }
    scenario
        .repos
        .iter()
        .find(|r| r.owner.eq_ignore_ascii_case(login))
        .map(|r| Org::new(&r.owner))
}

/// An `organization-full`; owner-only settings for an owner.
pub(super) fn org_json(state: &State, org: &Org, url: &str, owner: bool) -> Value {
    let login = &org.login;
    let id = stable_id(&format!("org:{}", login.to_ascii_lowercase()));
    let api = format!("{url}/orgs/{login}");
    let repos: Vec<&Repo> = state
        .scenario
        .repos
        .iter()
        .filter(|r| r.owner.eq_ignore_ascii_case(login))
        .collect();
    let public = repos.iter().filter(|r| !r.private).count();
    let value = json!({
        "login": login, "id": id, "node_id": format!("O_kgDO{id}"), "url": api,
        "repos_url": format!("{api}/repos"), "events_url": format!("{api}/events"),
        "hooks_url": format!("{api}/hooks"), "issues_url": format!("{api}/issues"),
        "members_url": format!("{api}/members{{/member}}"),
        "public_members_url": format!("{api}/public_members{{/member}}"),
        "avatar_url": format!("{url}/avatars/{login}"), "description": null, "name": login,
        "twitter_username": null, "is_verified": false, "has_organization_projects": true,
        "has_repository_projects": true, "public_repos": public, "public_gists": 0, "followers": 0,
        "following": 0, "html_url": format!("https://github.com/{login}"), "type": "Organization",
        "created_at": "2020-01-02T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z", "archived_at": null,
    });
    if !owner {
        return value;
    }
    let private = repos.len() - public;
    let mut outside: Vec<&String> = repos.iter().flat_map(|r| &r.outside_collaborators).collect();
    outside.sort_by_key(|l| l.to_ascii_lowercase());
    outside.dedup_by_key(|l| l.to_ascii_lowercase());
    let creation = if org.members_can_create_public_repositories {
        "all"
    } else {
        "private"
    };
    let settings = json!({
        "total_private_repos": private, "owned_private_repos": private, "private_gists": 0,
        "disk_usage": 108 * repos.len(), "collaborators": outside.len(), "billing_email": "billing@example.com",
        "plan": {"name": "team", "space": 976562499, "private_repos": 999999,
                 "filled_seats": org.admins.len() + org.members.len(), "seats": 100},
        "default_repository_permission": org.default_repository_permission,
        "default_repository_branch": "main",
        "members_can_create_repositories": true,
        "two_factor_requirement_enabled": org.two_factor_required,
        "members_allowed_repository_creation_type": creation,
        "members_can_create_public_repositories": org.members_can_create_public_repositories,
        "members_can_create_private_repositories": true,
        "members_can_create_internal_repositories": true,
        "members_can_create_pages": true, "members_can_create_public_pages": true,
        "members_can_create_private_pages": true, "members_can_fork_private_repositories": false,
        "web_commit_signoff_required": false, "deploy_keys_enabled_for_repositories": true,
    });
    merge(value, settings)
}

/// `/orgs/{org}/{rest}` (GET; team members are in `fake_pulls`).
pub(super) fn org_route(
    state: &State,
    login: &str,
    rest: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> Response {
    let Some(org) = find_org(&state.scenario, login) else {
        return error(404, "Not Found");
    };
    let forced = state.scenario.page_size;
    let owner = denied(authed, state.scenario.org_admin, state.scenario.access);
    let people = || {
        if !authed {
            Some(error(401, "Requires authentication"))
        } else if !state.scenario.members_access {
            Some(error(403, "Resource not accessible by integration"))
        } else {
            None
        }
    };
    match rest {
        "" => ok(org_json(state, &org, url, authed && state.scenario.org_admin)),
        "members" => {
            if let Some(response) = people() {
                return response;
            }
            let (admins, members) = match request.query.get("role").map(String::as_str) {
                None | Some("all") => (true, true),
                Some("admin") => (true, false),
                Some("member") => (false, true),
                Some(_) => {
                    return validation_failed(
                        "Organization",
                        "role",
                        "invalid",
                        "role must be one of all, admin, member",
                    )
                }
            };
            let mut logins: Vec<&String> = Vec::new();
            if admins {
                logins.extend(&org.admins);
            }
            if members {
                logins.extend(
                    org.members
                        .iter()
                        .filter(|m| !org.admins.iter().any(|a| a.eq_ignore_ascii_case(m))),
                );
            }
            let items = logins.into_iter().map(|l| account(l, url)).collect();
            page(items, request, url, forced)
        }
        "outside_collaborators" => {
            if let Some(response) = people() {
                return response;
            }
            let mut logins: Vec<&String> = Vec::new();
            let owned = state
                .scenario
                .repos
                .iter()
                .filter(|r| r.owner.eq_ignore_ascii_case(login));
            for l in owned.flat_map(|r| &r.outside_collaborators) {
                if !logins.iter().any(|k| k.eq_ignore_ascii_case(l)) {
                    logins.push(l);
                }
            }
            let items = logins.into_iter().map(|l| account(l, url)).collect();
            page(items, request, url, forced)
        }
        "hooks" => owner.unwrap_or_else(|| {
            let items = org.hooks.iter().map(|h| org_hook_json(&org.login, h, url)).collect();
            page(items, request, url, forced)
        }),
        "actions/permissions/workflow" => owner.unwrap_or_else(|| ok(workflow_json(&org.workflow_permissions))),
        "repos" => {
            let kind = request.query.get("type").map(String::as_str).unwrap_or("all");
            let items = state
                .scenario
                .repos
                .iter()
                .filter(|r| r.owner.eq_ignore_ascii_case(login))
                .filter(|r| authed || !r.private)
                .filter(|r| match kind {
                    "public" => !r.private,
                    "private" => r.private,
                    "forks" => false,
                    _ => true,
                })
                .map(|r| minimal_repository_json(state, r, url, authed))
                .collect();
            page(items, request, url, forced)
        }
        _ => error(404, "Not Found"),
    }
}
