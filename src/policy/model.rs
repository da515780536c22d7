//! The policy file's shape. Every section is optional so that a repository
//! file can override only what it names; unknown keys are rejected.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub extends: Option<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branches: Option<BranchesSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaks: Option<LeaksSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<DeploySection>,
}

/// `[branches]`: how deploying branches must be protected (LG1xx).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BranchesSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub patterns: Option<Vec<Spanned<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_approvals: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismiss_stale_reviews: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_code_owner_review: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_last_push_approval: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_status_checks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_status_checks: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_admins: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_force_push: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_deletion: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_linear_history: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_signed_commits: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_conversation_resolution: Option<bool>,
}

/// Repository permission levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

/// `[review]`: what makes a pull request reviewed (LG2xx).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReviewSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_approvals: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_permission: Option<Permission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismiss_stale: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_code_owner_review: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_last_push_approval: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_committer_approval: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_bots: Option<bool>,
    /// Bot logins whose approval counts even though they are bots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bots: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ReviewRule>>,
}

/// `[[review.rules]]`: stricter review for some paths.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReviewRule {
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_approvals: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<String>")]
    pub teams: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

/// `[leaks]`: where production and test code live, and what is allowed (LG4xx).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LeaksSection {
    /// Globs of production paths, checked before the built-in layout rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub production: Option<Vec<Spanned<String>>>,
    /// Globs of test paths, checked before the built-in layout rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub test: Option<Vec<Spanned<String>>>,
    /// Globs of paths that are neither (docs, examples, tooling).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub other: Option<Vec<Spanned<String>>>,
    /// Globs never read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Extra globs of production configuration files (LG45x).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub production_config: Option<Vec<Spanned<String>>>,
    /// Extra globs of migration files (LG413, LG414).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub migrations: Option<Vec<Spanned<String>>>,
    /// Extra globs of seed-data files (LG413, LG43x).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub seeds: Option<Vec<Spanned<String>>>,
    /// Files larger than this many bytes are skipped (and counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<u64>,
    /// Per-code severity: "error", "warning", "note" or "off".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub severity: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<AllowEntry>>,
}

/// `[[leaks.allow]]`: a finding that is intended.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowEntry {
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    #[schemars(with = "String")]
    pub code: Spanned<String>,
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Private,
    Internal,
}

/// `[settings]`: repository and organisation settings (LG5xx).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SettingsSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_forking: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_admins: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_collaborators_max: Option<Permission>,
    /// The highest permission a team may have on a repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_permission_max: Option<Permission>,
    /// Teams (by slug) allowed more than `team-permission-max`, and up to what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_permission_exceptions: Option<BTreeMap<String, Permission>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_workflow_permissions: Option<WorkflowPermission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_can_approve_pull_requests: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_secret_scanning: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_push_protection: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_dependabot_alerts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_codeowners: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_two_factor: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_permission_max: Option<Permission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_create_public_repositories: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_org_admins: Option<u32>,
    /// Visibility by repository name, topic or custom property; every rule
    /// that matches a repository applies (the allowed sets intersect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_rules: Option<Vec<VisibilityRule>>,
}

/// `[[settings.visibility-rules]]`: which visibilities some repositories may have.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VisibilityRule {
    /// Repository name glob (`payments-*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// A custom property, `KEY=VALUE` (`classification=sensitive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub property: Option<Spanned<String>>,
    pub allowed: Vec<Visibility>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowPermission {
    Read,
    Write,
}

/// `[deploy]`: how `livegate deploy` judges a range (LG3xx).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeploySection {
    /// A pull request's merge or squash commit must carry GitHub's own valid
    /// signature (LG307 is an error); `false` makes LG307 a warning, for
    /// GitHub Enterprise Server without web commit signing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_github_signature: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<AcceptEntry>>,
}

/// `[[deploy.accept]]`: a commit that already landed without the required
/// review, accepted with a reason so that later ranges can deploy.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AcceptEntry {
    /// The commit's full 40-hex sha.
    #[schemars(with = "String")]
    pub commit: Spanned<String>,
    /// Why it is accepted (required).
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
    /// Which verdicts it may turn into `accepted`: any of direct-push,
    /// merged-without-review, stale-approval, not-made-by-github (default:
    /// all four). history-rewritten and test-data are never accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub verdicts: Option<Vec<Spanned<String>>>,
}
