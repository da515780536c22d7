//! What `audit` observed of a repository and an organisation. Every setting
//! is `Known` or `Unknown` (with the permission that would reveal it). These
//! are also the entries of an audit snapshot, so field names are a format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Known;

/// A webhook as the audit needs it. Its URL is a credential (a Slack, Teams
/// or Discord webhook URL lets anyone post), so only its scheme and host are
/// kept and shown; `url_digest`, a keyed hash of the whole URL, tells a
/// changed target from an unchanged one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct HookFacts {
    pub id: u64,
    /// Scheme and host only; a full URL read from an older snapshot is cut
    /// down as it is read, so it is never written again.
    #[serde(deserialize_with = "shown_url")]
    pub url: String,
    /// `hmac-sha256:` and the first 128 bits of the keyed hash of the full
    /// URL; empty in snapshots older than the field.
    #[serde(default)]
    pub url_digest: String,
    pub has_secret: bool,
    pub insecure_ssl: bool,
    pub active: bool,
}

/// Where `now` could not read a setting that `before` knew, keep the last
/// known value: "unknown" must not overwrite it, or a loosening made while it
/// was unreadable would later read as "unknown → loose", a mere note.
fn keep_known<T: Clone>(now: &mut Known<T>, before: &Known<T>) {
    if let (Known::Unknown(_), Known::Known(value)) = (&*now, before) {
        *now = Known::Known(value.clone());
    }
}

impl RepoSettings {
    /// This observation, with every setting it could not read taken from
    /// `before` (the last snapshot) where that knew it.
    pub fn with_last_known(mut self, before: &RepoSettings) -> RepoSettings {
        keep_known(&mut self.secret_scanning, &before.secret_scanning);
        keep_known(&mut self.push_protection, &before.push_protection);
        keep_known(&mut self.admins, &before.admins);
        keep_known(&mut self.outside_collaborators, &before.outside_collaborators);
        keep_known(&mut self.teams, &before.teams);
        keep_known(&mut self.deploy_keys, &before.deploy_keys);
        keep_known(&mut self.hooks, &before.hooks);
        keep_known(&mut self.workflow, &before.workflow);
        keep_known(&mut self.dependabot_alerts, &before.dependabot_alerts);
        keep_known(&mut self.codeowners, &before.codeowners);
        self
    }
}

impl OrgSettings {
    /// As `RepoSettings::with_last_known`, for an organisation.
    pub fn with_last_known(mut self, before: &OrgSettings) -> OrgSettings {
        keep_known(&mut self.two_factor_required, &before.two_factor_required);
        keep_known(&mut self.base_permission, &before.base_permission);
        keep_known(
            &mut self.members_can_create_public_repositories,
            &before.members_can_create_public_repositories,
        );
        keep_known(&mut self.admins, &before.admins);
        keep_known(&mut self.hooks, &before.hooks);
        keep_known(&mut self.workflow, &before.workflow);
        self
    }
}

/// What of a webhook URL may be shown: `scheme://host[:port]`, nothing of
/// its path, query or user information.
pub fn webhook_url_shown(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if scheme.is_empty() {
        format!("{host}/…")
    } else {
        format!("{}://{host}/…", scheme.to_ascii_lowercase())
    }
}

fn shown_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let url = String::deserialize(deserializer)?;
    Ok(if url.ends_with("/…") {
        url
    } else {
        webhook_url_shown(&url)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_shows_scheme_and_host_only() {
        let cases = [
            (
                "https://hooks.slack.com/services/T0/B0/secret",
                "https://hooks.slack.com/…",
            ),
            (
                "HTTP://user:pass@ci.example.net:8443/hook?token=s",
                "http://ci.example.net:8443/…",
            ),
            ("https://discord.com/api/webhooks/1/tok#x", "https://discord.com/…"),
            ("example.net/path", "example.net/…"),
        ];
        for (url, shown) in cases {
            assert_eq!(webhook_url_shown(url), shown, "{url}");
        }
    }

    #[test]
    fn a_full_url_in_an_older_snapshot_is_cut_down_as_it_is_read() {
        let old = r#"{"id": 1, "url": "https://hooks.slack.com/services/T0/B0/secret", "has_secret": false, "insecure_ssl": false, "active": true}"#;
        let hook: HookFacts = serde_json::from_str(old).unwrap();
        assert_eq!(hook.url, "https://hooks.slack.com/…");
        assert_eq!(hook.url_digest, "");
        let written = serde_json::to_string(&hook).unwrap();
        assert!(!written.contains("/services/"), "{written}");
    }
}
