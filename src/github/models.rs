//! Serde models for the endpoints octocrab does not type: repositories and
//! rulesets (classic protection and branch rules are `facts::protection`). Unknown fields are ignored and every
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
