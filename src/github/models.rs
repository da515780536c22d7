//! Serde models for the endpoints octocrab does not type: classic branch
//! protection, branch rules and rulesets. Unknown fields are ignored and every
//! field GitHub may leave out is optional, as its OpenAPI description says.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub full_name: String,
    pub default_branch: String,
    #[serde(default)]
    pub private: bool,
    pub visibility: Option<String>,
    #[serde(default)]
    pub archived: bool,
    pub permissions: Option<RepoPermissions>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct RepoPermissions {
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub maintain: bool,
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub triage: bool,
    #[serde(default)]
    pub pull: bool,
}

/// `{"enabled": bool}` objects of classic protection.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Enabled {
    #[serde(default)]
    pub enabled: bool,
}

/// GET /repos/{o}/{r}/branches/{b}/protection
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClassicProtection {
    pub required_pull_request_reviews: Option<RequiredReviews>,
    pub required_status_checks: Option<RequiredStatusChecks>,
    pub enforce_admins: Option<Enabled>,
    pub required_linear_history: Option<Enabled>,
    pub allow_force_pushes: Option<Enabled>,
    pub allow_deletions: Option<Enabled>,
    pub required_conversation_resolution: Option<Enabled>,
    pub required_signatures: Option<Enabled>,
    pub lock_branch: Option<Enabled>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequiredReviews {
    #[serde(default)]
    pub required_approving_review_count: u32,
    #[serde(default)]
    pub dismiss_stale_reviews: bool,
    #[serde(default)]
    pub require_code_owner_reviews: bool,
    #[serde(default)]
    pub require_last_push_approval: bool,
    pub bypass_pull_request_allowances: Option<Allowances>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Allowances {
    #[serde(default)]
    pub users: Vec<Login>,
    #[serde(default)]
    pub teams: Vec<TeamRef>,
    #[serde(default)]
    pub apps: Vec<AppRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TeamRef {
    pub slug: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AppRef {
    pub slug: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequiredStatusChecks {
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub checks: Vec<StatusCheck>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusCheck {
    pub context: String,
}

/// One element of GET /repos/{o}/{r}/rules/branches/{b}: an active rule with
/// the ruleset it comes from.
#[derive(Debug, Clone, Deserialize)]
pub struct BranchRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub parameters: Option<serde_json::Value>,
    pub ruleset_source_type: Option<String>,
    pub ruleset_source: Option<String>,
    pub ruleset_id: Option<u64>,
}

impl BranchRule {
    pub fn param_u32(&self, name: &str) -> Option<u32> {
        self.parameters
            .as_ref()?
            .get(name)?
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
    }

    pub fn param_bool(&self, name: &str) -> bool {
        self.parameters
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Contexts of a `required_status_checks` rule.
    pub fn status_contexts(&self) -> Vec<String> {
        self.parameters
            .as_ref()
            .and_then(|p| p.get("required_status_checks"))
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|c| c.get("context")?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// GET /repos/{o}/{r}/rulesets/{id} and the list endpoint's elements.
#[derive(Debug, Clone, Deserialize)]
pub struct Ruleset {
    pub id: u64,
    pub name: String,
    pub target: Option<String>,
    pub source_type: Option<String>,
    pub source: Option<String>,
    pub enforcement: String,
    /// Absent when the caller may not see it: unknown, never "none".
    pub bypass_actors: Option<Vec<BypassActor>>,
    pub current_user_can_bypass: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BypassActor {
    pub actor_id: Option<u64>,
    pub actor_type: String,
    #[serde(default = "default_bypass_mode")]
    pub bypass_mode: String,
}

fn default_bypass_mode() -> String {
    "always".to_owned()
}
