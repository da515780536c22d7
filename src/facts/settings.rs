//! What `audit` observed of a repository and an organisation. Every setting
//! is `Known` or `Unknown` (with the permission that would reveal it). These
//! are also the entries of an audit snapshot, so field names are a format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Known;

/// A webhook as the audit needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct HookFacts {
    pub id: u64,
    pub url: String,
    pub has_secret: bool,
    pub insecure_ssl: bool,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct DeployKeyFacts {
    pub id: u64,
    pub title: String,
    pub read_only: bool,
}

/// Everything observed of one repository. Lists are sorted, so that a
/// snapshot is stable and diffs are meaningful.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoSettings {
    pub full_name: String,
    pub visibility: String,
    pub archived: bool,
    pub fork: bool,
    pub allow_forking: Option<bool>,
    pub topics: Vec<String>,
    pub properties: BTreeMap<String, String>,
    pub secret_scanning: Known<Option<bool>>,
    pub push_protection: Known<Option<bool>>,
    /// Direct collaborators with the admin role.
    pub admins: Known<Vec<String>>,
    /// Outside collaborators and their highest role.
    pub outside_collaborators: Known<BTreeMap<String, String>>,
    /// Teams and their permission on the repository.
    pub teams: Known<BTreeMap<String, String>>,
    pub deploy_keys: Known<Vec<DeployKeyFacts>>,
    pub hooks: Known<Vec<HookFacts>>,
    /// (default_workflow_permissions, can_approve_pull_request_reviews)
    pub workflow: Known<(String, bool)>,
    pub dependabot_alerts: Known<bool>,
    /// `None`: no CODEOWNERS; else its errors as GitHub reports them.
    pub codeowners: Known<Option<Vec<String>>>,
    /// With `--protection`: per deploying branch, each compared setting's
    /// actual value (with its source) and whether it met the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<BTreeMap<String, BTreeMap<String, ProtectionValue>>>,
}

/// One row of `protect`'s comparison, as kept in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionValue {
    pub actual: String,
    pub ok: bool,
}

/// Everything observed of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub login: String,
    pub two_factor_required: Known<bool>,
    pub base_permission: Known<String>,
    pub members_can_create_public_repositories: Known<bool>,
    pub admins: Known<Vec<String>>,
    pub hooks: Known<Vec<HookFacts>>,
    pub workflow: Known<(String, bool)>,
}

/// The version of the snapshot document; a reader refuses any other.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Everything one audit observed: the document `--snapshot` writes and
/// `--baseline` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub livegate_snapshot: u32,
    pub organisations: Vec<OrgSettings>,
    pub repositories: Vec<RepoSettings>,
}

impl Snapshot {
    pub fn new(mut organisations: Vec<OrgSettings>, mut repositories: Vec<RepoSettings>) -> Snapshot {
        organisations.sort_by(|a, b| a.login.cmp(&b.login));
        repositories.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        Snapshot {
            livegate_snapshot: SNAPSHOT_VERSION,
            organisations,
            repositories,
        }
    }
}
