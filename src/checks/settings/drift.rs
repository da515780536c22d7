//! Drift: what changed between two snapshots of the same repositories and
//! organisations, with loosening changes marked as such and what each
//! loosening lets someone do. Pure: both sides are `facts::settings`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::facts::settings::{HookFacts, OrgSettings, RepoSettings, Snapshot};
use crate::facts::Known;
use crate::registry::settings::{REPOSITORY_APPEARED_OR_GONE, SETTING_CHANGED, SETTING_LOOSENED};
use crate::report::finding::{Finding, Location};

/// One observed change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub subject: String,
    pub setting: String,
    pub before: String,
    pub after: String,
    pub loosened: bool,
    /// For a loosening: who can now see or do what they could not before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
}

fn show<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn known_show<T: Serialize>(value: &Known<T>) -> String {
    match value {
        Known::Known(v) => show(v),
        Known::Unknown(_) => "unknown".to_owned(),
    }
}

fn visibility_rank(v: &str) -> u8 {
    match v {
        "private" => 0,
        "internal" => 1,
        _ => 2,
    }
}

fn role_rank(role: &str) -> u8 {
    match role {
        "admin" => 4,
        "maintain" => 3,
        "write" | "push" => 2,
        "triage" => 1,
        _ => 0,
    }
}

struct Diff<'a> {
    subject: &'a str,
    changes: Vec<Change>,
}

impl Diff<'_> {
    fn push(&mut self, setting: &str, before: String, after: String, loosened: bool) {
        if before != after {
            self.changes.push(Change {
                subject: self.subject.to_owned(),
                setting: setting.to_owned(),
                before,
                after,
                loosened,
                impact: None,
            });
        }
    }

    /// A setting that can be unknown on either side: a loosening only when
    /// both sides are known.
    fn known<T: Serialize + PartialEq>(
        &mut self,
        setting: &str,
        before: &Known<T>,
        after: &Known<T>,
        loosened: impl Fn(&T, &T) -> bool,
    ) {
        let is_loose = match (before, after) {
            (Known::Known(b), Known::Known(a)) => loosened(b, a),
            _ => false,
        };
        self.push(setting, known_show(before), known_show(after), is_loose);
    }
}

fn hooks_loosened(before: &[HookFacts], after: &[HookFacts]) -> bool {
    after.iter().any(|hook| {
        let weak = |h: &HookFacts| !h.has_secret || h.insecure_ssl || h.url.starts_with("http://");
        let previous = before.iter().find(|b| b.id == hook.id);
        hook.active && weak(hook) && previous.is_none_or(|p| !weak(p) || !p.active)
    })
}

pub fn compare_repo(before: &RepoSettings, after: &RepoSettings) -> Vec<Change> {
    let mut d = Diff {
        subject: &after.full_name,
        changes: Vec::new(),
    };
    d.push(
        "visibility",
        before.visibility.clone(),
        after.visibility.clone(),
        visibility_rank(&after.visibility) > visibility_rank(&before.visibility),
    );
    d.push(
        "allow_forking",
        show(&before.allow_forking),
        show(&after.allow_forking),
        after.allow_forking == Some(true) && before.allow_forking != Some(true) && after.visibility != "public",
    );
    d.push("archived", show(&before.archived), show(&after.archived), false);
    d.push("topics", show(&before.topics), show(&after.topics), false);
    d.push(
        "custom_properties",
        show(&before.properties),
        show(&after.properties),
        false,
    );
    d.known("admins", &before.admins, &after.admins, |b, a| {
        let b: BTreeSet<&String> = b.iter().collect();
        a.iter().any(|x| !b.contains(x))
    });
    d.known(
        "outside_collaborators",
        &before.outside_collaborators,
        &after.outside_collaborators,
        |b, a| {
            a.iter().any(|(login, role)| {
                role_rank(role) >= 2 && b.get(login).is_none_or(|old| role_rank(old) < role_rank(role))
            })
        },
    );
    d.known("teams", &before.teams, &after.teams, |b, a| {
        a.iter()
            .any(|(team, p)| role_rank(p) >= 2 && b.get(team).is_none_or(|old| role_rank(old) < role_rank(p)))
    });
    d.known("deploy_keys", &before.deploy_keys, &after.deploy_keys, |b, a| {
        a.iter()
            .any(|k| !k.read_only && b.iter().find(|o| o.id == k.id).is_none_or(|o| o.read_only))
    });
    d.known("hooks", &before.hooks, &after.hooks, |b, a| hooks_loosened(b, a));
    d.known("workflow_permissions", &before.workflow, &after.workflow, |b, a| {
        (a.0 == "write" && b.0 != "write") || (a.1 && !b.1)
    });
    d.known(
        "secret_scanning",
        &before.secret_scanning,
        &after.secret_scanning,
        |b, a| *b == Some(true) && *a != Some(true),
    );
    d.known(
        "push_protection",
        &before.push_protection,
        &after.push_protection,
        |b, a| *b == Some(true) && *a != Some(true),
    );
    d.known(
        "dependabot_alerts",
        &before.dependabot_alerts,
        &after.dependabot_alerts,
        |b, a| *b && !*a,
    );
    d.known("codeowners", &before.codeowners, &after.codeowners, |b, a| {
        b.is_some() && a.is_none()
    });
    // Branch protection (with --protection): a requirement that was met and
    // is not any more is a loosening (approvals lowered, a ruleset disabled,
    // protection removed).
    if let (Some(b), Some(a)) = (&before.protection, &after.protection) {
        for (branch, rows) in a {
            let old = b.get(branch);
            for (setting, value) in rows {
                let previous = old.and_then(|o| o.get(setting));
                let before_text = previous.map_or("absent".to_owned(), |p| p.actual.clone());
                let loosened = previous.is_some_and(|p| p.ok) && !value.ok;
                d.push(
                    &format!("protection of {branch}: {setting}"),
                    before_text,
                    value.actual.clone(),
                    loosened,
                );
            }
        }
        // Rows that vanished: the branch lost its protection altogether.
        for (branch, rows) in b {
            let now = a.get(branch);
            for (setting, value) in rows {
                if now.is_none_or(|n| !n.contains_key(setting)) {
                    d.push(
                        &format!("protection of {branch}: {setting}"),
                        value.actual.clone(),
                        "absent (not protected)".to_owned(),
                        value.ok,
                    );
                }
            }
        }
    }
    let mut changes = d.changes;
    for change in changes.iter_mut().filter(|c| c.loosened) {
        change.impact = impact(&change.setting, before, after);
    }
    changes
}

/// Who gained what through a loosening change: the question a visibility
/// flip or a new grant raises first.
fn impact(setting: &str, before: &RepoSettings, after: &RepoSettings) -> Option<String> {
    let listed = |items: Vec<String>| (!items.is_empty()).then(|| items.join(", "));
    match setting {
        "visibility" => match after.visibility.as_str() {
            "public" => Some("anyone, signed in or not, can now read it, its whole history included".to_owned()),
            "internal" => Some("every member of the enterprise can now read it".to_owned()),
            _ => None,
        },
        "admins" => {
            let (Known::Known(b), Known::Known(a)) = (&before.admins, &after.admins) else {
                return None;
            };
            listed(a.iter().filter(|x| !b.contains(x)).map(|x| format!("@{x}")).collect())
                .map(|who| format!("now administer it: {who}"))
        }
        "outside_collaborators" | "teams" => {
            let (b, a, prefix, label) = if setting == "teams" {
                (&before.teams, &after.teams, "", "teams with more access now")
            } else {
                (
                    &before.outside_collaborators,
                    &after.outside_collaborators,
                    "@",
                    "outside collaborators with more access now",
                )
            };
            let (Known::Known(b), Known::Known(a)) = (b, a) else {
                return None;
            };
            listed(
                a.iter()
                    .filter(|(name, role)| {
                        role_rank(role) >= 2 && b.get(*name).is_none_or(|old| role_rank(old) < role_rank(role))
                    })
                    .map(|(name, role)| format!("{prefix}{name} ({role})"))
                    .collect(),
            )
            .map(|who| format!("{label}: {who}"))
        }
        "deploy_keys" => {
            let (Known::Known(b), Known::Known(a)) = (&before.deploy_keys, &after.deploy_keys) else {
                return None;
            };
            listed(
                a.iter()
                    .filter(|k| !k.read_only && b.iter().find(|o| o.id == k.id).is_none_or(|o| o.read_only))
                    .map(|k| format!("\"{}\" (id {})", k.title, k.id))
                    .collect(),
            )
            .map(|keys| format!("deploy keys that can now push: {keys}"))
        }
        _ => None,
    }
}

pub fn compare_org(before: &OrgSettings, after: &OrgSettings) -> Vec<Change> {
    let mut d = Diff {
        subject: &after.login,
        changes: Vec::new(),
    };
    d.known(
        "two_factor_requirement_enabled",
        &before.two_factor_required,
        &after.two_factor_required,
        |b, a| *b && !*a,
    );
    d.known(
        "default_repository_permission",
        &before.base_permission,
        &after.base_permission,
        |b, a| role_rank(a) > role_rank(b) && a != "none",
    );
    d.known(
        "members_can_create_public_repositories",
        &before.members_can_create_public_repositories,
        &after.members_can_create_public_repositories,
        |b, a| *a && !*b,
    );
    d.known("owners", &before.admins, &after.admins, |b, a| {
        a.iter().any(|x| !b.contains(x))
    });
    d.known("hooks", &before.hooks, &after.hooks, |b, a| hooks_loosened(b, a));
    d.known("workflow_permissions", &before.workflow, &after.workflow, |b, a| {
        (a.0 == "write" && b.0 != "write") || (a.1 && !b.1)
    });
    d.changes
}

/// Drift, one repository at a time, as an audit observes them.
#[derive(Default)]
pub struct Drift {
    findings: Vec<Finding>,
    changes: Vec<Change>,
}

impl Drift {
    /// An audited repository against its baseline entry (`None`: the
    /// baseline did not have it; "appeared" only when the baseline had any
    /// repository at all).
    pub fn repo(&mut self, before: Option<&RepoSettings>, after: &RepoSettings, baseline_has_repos: bool) {
        match before {
            Some(old) => self.changes.extend(compare_repo(old, after)),
            None if baseline_has_repos => self.findings.push(Finding::new(
                &REPOSITORY_APPEARED_OR_GONE,
                Location::file(&after.full_name),
                format!("{} appeared since the baseline ({})", after.full_name, after.visibility),
            )),
            None => {}
        }
    }

    /// A baseline repository that the complete listing no longer has.
    pub fn gone(&mut self, name: &str, visibility: &str) {
        self.findings.push(Finding::new(
            &REPOSITORY_APPEARED_OR_GONE,
            Location::file(name),
            format!(
                "{name} ({visibility}) is gone since the baseline: deleted, renamed, transferred, or no longer visible \
                 to this token"
            ),
        ));
    }

    pub fn org(&mut self, before: &OrgSettings, after: &OrgSettings) {
        self.changes.extend(compare_org(before, after));
    }

    /// The findings (changes as LG580/LG581, appeared/gone as LG582) and the
    /// changes, ordered by subject.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<Change>) {
        self.changes.sort_by(|a, b| a.subject.cmp(&b.subject));
        for change in &self.changes {
            let meta = if change.loosened {
                &SETTING_LOOSENED
            } else {
                &SETTING_CHANGED
            };
            self.findings.push(Finding::new(
                meta,
                Location::file(&format!("{}#{}", change.subject, change.setting)),
                format!(
                    "{}: {} {} → {}{}{}",
                    change.subject,
                    change.setting,
                    change.before,
                    change.after,
                    if change.loosened { " (less safe)" } else { "" },
                    change.impact.as_deref().map(|i| format!("; {i}")).unwrap_or_default()
                ),
            ));
        }
        (self.findings, self.changes)
    }
}

/// Drift between two whole snapshots. Disappearances are reported only for
/// a complete scope, so a narrower run does not report the others as gone.
pub fn drift(baseline: &Snapshot, current: &Snapshot, complete_scope: bool) -> (Vec<Finding>, Vec<Change>) {
    let mut drift = Drift::default();
    let before: BTreeMap<&str, &RepoSettings> = baseline
        .repositories
        .iter()
        .map(|r| (r.full_name.as_str(), r))
        .collect();
    let after: BTreeSet<&str> = current.repositories.iter().map(|r| r.full_name.as_str()).collect();
    for repo in &current.repositories {
        drift.repo(
            before.get(repo.full_name.as_str()).copied(),
            repo,
            !baseline.repositories.is_empty(),
        );
    }
    if complete_scope {
        for (name, repo) in &before {
            if !after.contains(name) {
                drift.gone(name, &repo.visibility);
            }
        }
    }
    for org in &current.organisations {
        if let Some(old) = baseline.organisations.iter().find(|o| o.login == org.login) {
            drift.org(old, org);
        }
    }
    drift.finish()
}
