//! What protects a branch, as observed: classic protection and active branch
//! rules in the shapes GitHub's API returns them (unknown fields ignored,
//! every field GitHub may leave out optional, as its OpenAPI description
//! says), and the rulesets those rules come from.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Known;

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
    /// The app that must provide it; `null` (or -1) means any source.
    #[serde(default)]
    pub app_id: Option<i64>,
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

    /// Contexts of a `required_status_checks` rule, each with the app
    /// (`integration_id`) it must come from, if the rule pins one.
    pub fn status_contexts(&self) -> Vec<(String, Option<u64>)> {
        self.parameters
            .as_ref()
            .and_then(|p| p.get("required_status_checks"))
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|c| {
                        let context = c.get("context")?.as_str()?.to_owned();
                        Some((context, c.get("integration_id").and_then(serde_json::Value::as_u64)))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A ruleset as far as the caller can see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RulesetFacts {
    pub id: u64,
    pub name: String,
    /// "Repository" or "Organization".
    pub source_type: String,
    pub source: String,
    pub enforcement: String,
    /// (actor_type, actor_id, bypass_mode) for each bypass actor.
    pub bypass: Known<Vec<(String, Option<u64>, String)>>,
}

#[derive(Debug, Clone)]
pub struct BranchFacts {
    pub repo: String,
    pub branch: String,
    /// `Known(None)`: GitHub says the branch is not protected.
    pub classic: Known<Option<ClassicProtection>>,
    pub rules: Vec<BranchRule>,
    pub rulesets: BTreeMap<u64, RulesetFacts>,
}
