//! Collects what `audit` observes of a repository and an organisation,
//! through the API, as `facts::settings`. Nothing unreadable is ever taken as
//! "off": it is `Unknown`, with the permission that would reveal it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::facts::settings::{webhook_url_shown, DeployKeyFacts, HookFacts, OrgSettings, RepoSettings};
use crate::facts::{Known, Unknown, ADMIN_READ, HOOKS_READ, METADATA_READ, ORG_ADMIN_READ};
use crate::github::client::{ApiError, Client};

#[derive(Debug, Deserialize)]
struct Status {
    status: String,
}

#[derive(Debug, Default, Deserialize)]
struct SecurityAndAnalysis {
    #[serde(default)]
    secret_scanning: Option<Status>,
    #[serde(default)]
    secret_scanning_push_protection: Option<Status>,
}

#[derive(Debug, Default, Deserialize)]
struct RepoPermissions {
    #[serde(default)]
    admin: bool,
}

/// The repository object as `GET /repos/{o}/{r}` and `GET /orgs/{org}/repos`
/// return it (only the fields the audit reads).
#[derive(Debug, Deserialize)]
pub struct RepoObject {
    pub full_name: String,
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub fork: bool,
    #[serde(default)]
    pub allow_forking: Option<bool>,
    #[serde(default)]
    pub topics: Option<Vec<String>>,
    #[serde(default)]
    pub custom_properties: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    security_and_analysis: Option<SecurityAndAnalysis>,
    #[serde(default)]
    permissions: Option<RepoPermissions>,
}

impl RepoObject {
    pub fn visibility(&self) -> String {
        self.visibility
            .clone()
            .unwrap_or_else(|| if self.private { "private" } else { "public" }.to_owned())
    }

    pub fn name(&self) -> &str {
        self.full_name.rsplit('/').next().unwrap_or(&self.full_name)
    }

    pub fn properties(&self) -> BTreeMap<String, String> {
        self.custom_properties
            .iter()
            .flatten()
            .map(|(k, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(items) => {
                        items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(",")
                    }
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k.clone(), value)
            })
            .collect()
    }
}

#[derive(Debug, Deserialize)]
struct Collaborator {
    login: String,
    #[serde(default)]
    role_name: Option<String>,
    #[serde(default)]
    permissions: Option<BTreeMap<String, bool>>,
}

impl Collaborator {
    fn role(&self) -> String {
        if let Some(role) = &self.role_name {
            return role.clone();
        }
        let p = self.permissions.clone().unwrap_or_default();
        for (key, role) in [
            ("admin", "admin"),
            ("maintain", "maintain"),
            ("push", "write"),
            ("triage", "triage"),
        ] {
            if p.get(key).copied().unwrap_or(false) {
                return role.to_owned();
            }
        }
        "read".to_owned()
    }
}

#[derive(Debug, Deserialize)]
struct Team {
    slug: String,
    #[serde(default)]
    permission: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DeployKey {
    id: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    read_only: bool,
}

#[derive(Debug, Deserialize)]
struct HookConfig {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    insecure_ssl: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Hook {
    id: u64,
    #[serde(default)]
    active: bool,
    config: HookConfig,
}

/// The key of webhook URL digests: `LIVEGATE_SNAPSHOT_KEY` when set (keep it
/// as a secret beside the snapshot cache), else a fixed key, which still keeps
/// the URL out of the snapshot but lets someone holding the snapshot test a
/// guessed URL.
fn digest_key() -> Vec<u8> {
    std::env::var("LIVEGATE_SNAPSHOT_KEY")
        .ok()
        .filter(|key| !key.is_empty())
        .map_or_else(|| b"livegate webhook url digest v1".to_vec(), String::into_bytes)
}

fn url_digest(url: &str) -> String {
    use hmac::Mac;
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&digest_key()) else {
        return String::new();
    };
    mac.update(url.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("hmac-sha256:{hex}")
}

impl Hook {
    fn facts(&self) -> HookFacts {
        let insecure = match &self.config.insecure_ssl {
            Some(serde_json::Value::String(s)) => s == "1",
            Some(serde_json::Value::Number(n)) => n.as_u64() == Some(1),
            _ => false,
        };
        let url = self.config.url.clone().unwrap_or_default();
        HookFacts {
            id: self.id,
            url: webhook_url_shown(&url),
            url_digest: url_digest(&url),
            has_secret: self.config.secret.as_deref().is_some_and(|s| !s.is_empty()),
            insecure_ssl: insecure,
            active: self.active,
        }
    }
}

#[derive(Debug, Deserialize)]
struct WorkflowPermissions {
    default_workflow_permissions: String,
    #[serde(default)]
    can_approve_pull_request_reviews: bool,
}

#[derive(Debug, Deserialize)]
struct CodeownersErrors {
    errors: Vec<CodeownersError>,
}

#[derive(Debug, Deserialize)]
struct CodeownersError {
    line: u64,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct OrgObject {
    #[serde(default)]
    two_factor_requirement_enabled: Option<bool>,
    #[serde(default)]
    default_repository_permission: Option<String>,
    #[serde(default)]
    members_can_create_public_repositories: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Login {
    login: String,
}

/// An API failure that means "cannot read this setting"; authentication
/// failures and outages are returned to the caller.
fn unknown(err: ApiError, permission: &str) -> Result<Unknown, ApiError> {
    match err {
        ApiError::Denied { .. } | ApiError::NotFound { .. } => Ok(Unknown {
            reason: err.to_string(),
            permission: permission.to_owned(),
        }),
        other => Err(other),
    }
}

fn not_admin(full: &str, what: &str) -> Unknown {
    Unknown {
        reason: format!("{what} of {full} are visible to repository admins only, and this token is not one"),
        permission: ADMIN_READ.to_owned(),
    }
}

fn read<T: serde::de::DeserializeOwned>(
    client: &Client,
    endpoint: &str,
    permission: &str,
) -> Result<Known<T>, ApiError> {
    match client.get(endpoint).and_then(|r| r.json::<T>(endpoint)) {
        Ok(value) => Ok(Known::Known(value)),
        Err(err) => Ok(Known::Unknown(unknown(err, permission)?)),
    }
}

fn read_all<T: serde::de::DeserializeOwned>(
    client: &Client,
    endpoint: &str,
    permission: &str,
) -> Result<Known<Vec<T>>, ApiError> {
    match client.get_all::<T>(endpoint) {
        Ok(value) => Ok(Known::Known(value)),
        Err(err) => Ok(Known::Unknown(unknown(err, permission)?)),
    }
}

/// The repository object (from a listing, or fetched).
pub fn repo_object(client: &Client, full: &str) -> Result<RepoObject, ApiError> {
    let endpoint = format!("/repos/{full}");
    client.get(&endpoint)?.json(&endpoint)
}

/// Collects one repository's settings. `repo` is its object from the
/// organisation listing or from `repo_object`; `outside` the organisation's
/// outside collaborators when known (saves one request per repository).
pub fn collect_repo(
    client: &Client,
    repo: &RepoObject,
    org_outside: Option<&BTreeSet<String>>,
) -> Result<RepoSettings, ApiError> {
    let full = repo.full_name.clone();
    // A listing object may lack `permissions` (whether this token is an
    // admin here) or the admin-only `security_and_analysis` block: then the
    // repository itself is fetched.
    let fetched;
    let repo = match &repo.permissions {
        Some(p) if !(p.admin && repo.security_and_analysis.is_none()) => repo,
        _ => {
            fetched = repo_object(client, &full)?;
            &fetched
        }
    };
    let admin = repo.permissions.as_ref().is_some_and(|p| p.admin);
    let security = repo.security_and_analysis.as_ref();
    let status = |s: Option<&Status>| s.map(|s| s.status == "enabled");
    let (secret_scanning, push_protection) = match security {
        Some(sa) => (
            Known::Known(status(sa.secret_scanning.as_ref())),
            Known::Known(status(sa.secret_scanning_push_protection.as_ref())),
        ),
        // An admin sees the block whenever the features exist.
        None if admin => (Known::Known(None), Known::Known(None)),
        None => (
            Known::Unknown(not_admin(&full, "security_and_analysis settings")),
            Known::Unknown(not_admin(&full, "security_and_analysis settings")),
        ),
    };

    let direct: Known<Vec<Collaborator>> = read_all(
        client,
        &format!("/repos/{full}/collaborators?affiliation=direct"),
        METADATA_READ,
    )?;
    let admins = match &direct {
        Known::Known(list) => {
            let mut admins: Vec<String> = list
                .iter()
                .filter(|c| c.role() == "admin")
                .map(|c| c.login.clone())
                .collect();
            admins.sort();
            Known::Known(admins)
        }
        Known::Unknown(u) => Known::Unknown(u.clone()),
    };
    let outside_collaborators = match (org_outside, &direct) {
        (Some(outside), Known::Known(list)) => Known::Known(
            list.iter()
                .filter(|c| outside.iter().any(|o| o.eq_ignore_ascii_case(&c.login)))
                .map(|c| (c.login.clone(), c.role()))
                .collect(),
        ),
        _ => match read_all::<Collaborator>(
            client,
            &format!("/repos/{full}/collaborators?affiliation=outside"),
            METADATA_READ,
        )? {
            Known::Known(list) => Known::Known(list.iter().map(|c| (c.login.clone(), c.role())).collect()),
            Known::Unknown(u) => Known::Unknown(u),
        },
    };

    let teams = if admin {
        match read_all::<Team>(client, &format!("/repos/{full}/teams"), ADMIN_READ)? {
            Known::Known(list) => Known::Known(
                list.into_iter()
                    .map(|t| (t.slug, t.permission.unwrap_or_else(|| "pull".to_owned())))
                    .collect(),
            ),
            Known::Unknown(u) => Known::Unknown(u),
        }
    } else {
        Known::Unknown(not_admin(&full, "teams"))
    };
    let deploy_keys = if admin {
        match read_all::<DeployKey>(client, &format!("/repos/{full}/keys"), ADMIN_READ)? {
            Known::Known(list) => {
                let mut keys: Vec<DeployKeyFacts> = list
                    .into_iter()
                    .map(|k| DeployKeyFacts {
                        id: k.id,
                        title: k.title,
                        read_only: k.read_only,
                    })
                    .collect();
                keys.sort();
                Known::Known(keys)
            }
            Known::Unknown(u) => Known::Unknown(u),
        }
    } else {
        Known::Unknown(not_admin(&full, "deploy keys"))
    };
    let hooks = if admin {
        match read_all::<Hook>(client, &format!("/repos/{full}/hooks"), HOOKS_READ)? {
            Known::Known(list) => {
                let mut hooks: Vec<HookFacts> = list.iter().map(Hook::facts).collect();
                hooks.sort();
                Known::Known(hooks)
            }
            Known::Unknown(u) => Known::Unknown(u),
        }
    } else {
        Known::Unknown(not_admin(&full, "webhooks"))
    };
    let workflow = if admin {
        match read::<WorkflowPermissions>(
            client,
            &format!("/repos/{full}/actions/permissions/workflow"),
            ADMIN_READ,
        )? {
            Known::Known(w) => Known::Known((w.default_workflow_permissions, w.can_approve_pull_request_reviews)),
            Known::Unknown(u) => Known::Unknown(u),
        }
    } else {
        Known::Unknown(not_admin(&full, "Actions workflow permissions"))
    };
    let dependabot_alerts = if admin {
        // 204: enabled; 404: disabled (the token is an admin, so 404 is not
        // "hidden").
        match client.get(&format!("/repos/{full}/vulnerability-alerts")) {
            Ok(_) => Known::Known(true),
            Err(ApiError::NotFound { .. }) => Known::Known(false),
            Err(err) => Known::Unknown(unknown(err, ADMIN_READ)?),
        }
    } else {
        Known::Unknown(not_admin(&full, "Dependabot alert settings"))
    };
    let codeowners_endpoint = format!("/repos/{full}/codeowners/errors");
    let codeowners = match client
        .get(&codeowners_endpoint)
        .and_then(|r| r.json::<CodeownersErrors>(&codeowners_endpoint))
    {
        Ok(errors) => Known::Known(Some(
            errors
                .errors
                .iter()
                .map(|e| format!("line {}: {}", e.line, e.message.lines().next().unwrap_or("")))
                .collect(),
        )),
        Err(ApiError::NotFound { .. }) => Known::Known(None),
        Err(err) => Known::Unknown(unknown(err, METADATA_READ)?),
    };
    let mut topics = repo.topics.clone().unwrap_or_default();
    topics.sort();
    Ok(RepoSettings {
        full_name: full,
        visibility: repo.visibility(),
        archived: repo.archived,
        fork: repo.fork,
        allow_forking: repo.allow_forking,
        topics,
        properties: repo.properties(),
        secret_scanning,
        push_protection,
        admins,
        outside_collaborators,
        teams,
        deploy_keys,
        hooks,
        workflow,
        dependabot_alerts,
        codeowners,
        protection: None,
    })
}

/// The organisation's outside collaborators, once for all its repositories.
pub fn org_outside_collaborators(client: &Client, org: &str) -> Option<BTreeSet<String>> {
    client
        .get_all::<Login>(&format!("/orgs/{org}/outside_collaborators"))
        .ok()
        .map(|list| list.into_iter().map(|l| l.login).collect())
}

/// Collects an organisation's settings.
pub fn collect_org(client: &Client, org: &str) -> Result<OrgSettings, ApiError> {
    let endpoint = format!("/orgs/{org}");
    let object: OrgObject = client.get(&endpoint)?.json(&endpoint)?;
    let hidden = |what: &str| Unknown {
        reason: format!("GET /orgs/{org}: {what} is shown to organisation owners only"),
        permission: ORG_ADMIN_READ.to_owned(),
    };
    let known_or = |value: Option<bool>, what: &str| match value {
        Some(v) => Known::Known(v),
        None => Known::Unknown(hidden(what)),
    };
    let admins = match read_all::<Login>(client, &format!("/orgs/{org}/members?role=admin"), METADATA_READ)? {
        Known::Known(list) => {
            let mut logins: Vec<String> = list.into_iter().map(|l| l.login).collect();
            logins.sort();
            Known::Known(logins)
        }
        Known::Unknown(u) => Known::Unknown(u),
    };
    let hooks = match read_all::<Hook>(client, &format!("/orgs/{org}/hooks"), ORG_ADMIN_READ)? {
        Known::Known(list) => {
            let mut hooks: Vec<HookFacts> = list.iter().map(Hook::facts).collect();
            hooks.sort();
            Known::Known(hooks)
        }
        Known::Unknown(u) => Known::Unknown(u),
    };
    let workflow = match read::<WorkflowPermissions>(
        client,
        &format!("/orgs/{org}/actions/permissions/workflow"),
        ORG_ADMIN_READ,
    )? {
        Known::Known(w) => Known::Known((w.default_workflow_permissions, w.can_approve_pull_request_reviews)),
        Known::Unknown(u) => Known::Unknown(u),
    };
    Ok(OrgSettings {
        login: org.to_owned(),
        two_factor_required: known_or(object.two_factor_requirement_enabled, "two_factor_requirement_enabled"),
        base_permission: match object.default_repository_permission {
            Some(p) => Known::Known(p),
            None => Known::Unknown(hidden("default_repository_permission")),
        },
        members_can_create_public_repositories: known_or(
            object.members_can_create_public_repositories,
            "members_can_create_public_repositories",
        ),
        admins,
        hooks,
        workflow,
    })
}
