//! `livegate audit`: repository and organisation settings against
//! `[settings]`, from one repository to a whole organisation, with a
//! snapshot of everything observed and drift against a previous one.

pub mod collect;
pub mod drift;
pub mod issues;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::json;

use crate::checks::settings::{self, SETTINGS_UNREADABLE};
use crate::github::client::{ApiError, Auth, Client, ClientOptions};
use crate::policy::model::{BranchesSection, SettingsSection};
use crate::report::finding::{sort_findings, Finding, Location, Severity};
use crate::report::{Emit, Format, Report};
use collect::{OrgSettings, RepoObject, RepoSettings};
use drift::Snapshot;

#[derive(Debug, Clone)]
pub struct AuditSettings {
    pub repos: Vec<String>,
    pub org: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub topics: Vec<String>,
    pub properties: Vec<(String, String)>,
    pub include_archived: bool,
    pub snapshot: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub allow_unknown: bool,
    /// Keep one tracking issue per audited repository in this repository.
    pub issue_repo: Option<String>,
    pub concurrency: usize,
    /// Also check the deploying branches' protection (as `livegate protect`).
    pub protection: bool,
    pub format: Format,
    pub fail_on: Severity,
    pub color: bool,
    pub emit: Vec<Emit>,
    pub client: ClientOptions,
}

/// What the run produced.
pub struct AuditRun {
    pub rendered: String,
    pub log: Vec<String>,
    pub exit: i32,
}

fn glob_match(pattern: &str, name: &str) -> bool {
    crate::policy::compile_glob(pattern).is_ok_and(|g| g.compile_matcher().is_match(name))
}

/// Whether a listed repository is in the audit's scope.
fn selected(settings: &AuditSettings, repo: &RepoObject) -> bool {
    let name = repo.name();
    if repo.archived && !settings.include_archived {
        return false;
    }
    if !settings.include.is_empty() && !settings.include.iter().any(|p| glob_match(p, name)) {
        return false;
    }
    if settings.exclude.iter().any(|p| glob_match(p, name)) {
        return false;
    }
    let topics = repo.topics.clone().unwrap_or_default();
    if !settings.topics.iter().all(|t| topics.contains(t)) {
        return false;
    }
    let properties = repo.properties();
    settings.properties.iter().all(|(k, v)| {
        properties
            .get(k)
            .is_some_and(|actual| actual.split(',').any(|x| x.trim() == v))
    })
}

/// One repository's audit: its settings and protection findings, or its
/// name and why it failed.
type RepoResult = Result<(RepoSettings, Vec<Finding>), (String, ApiError)>;

/// The deploying branches' protection of one repository, through `protect`.
fn protection(
    client: &Client,
    settings: &AuditSettings,
    branches: &BranchesSection,
    repo: &mut RepoSettings,
) -> Result<Vec<Finding>, ApiError> {
    let (owner, name) = repo.full_name.split_once('/').unwrap_or(("", ""));
    let protect = crate::protect::ProtectSettings {
        owner: owner.to_owned(),
        name: name.to_owned(),
        branches: Vec::new(),
        policy: None,
        format: Format::Json,
        output: None,
        emit: Vec::new(),
        fail_on: settings.fail_on,
        color: false,
        client: settings.client.clone(),
    };
    let run = match crate::protect::collect_and_evaluate(client, &protect, branches) {
        Ok(run) => run,
        Err(crate::protect::ProtectError::Api(err)) => return Err(err),
        Err(other) => {
            return Ok(vec![Finding::new(
                &crate::checks::protection::GITHUB_UNREADABLE,
                Location::file(&repo.full_name),
                format!("{}: branch protection could not be checked: {other}", repo.full_name),
            )])
        }
    };
    let mut table = std::collections::BTreeMap::new();
    for branch in run.extra["branches"].as_array().into_iter().flatten() {
        let mut rows = std::collections::BTreeMap::new();
        for row in branch["rows"].as_array().into_iter().flatten() {
            let key = format!(
                "{} (required {})",
                row["setting"].as_str().unwrap_or_default(),
                row["required"].as_str().unwrap_or_default()
            );
            let source = row["source"].as_str().unwrap_or_default();
            rows.insert(
                key,
                collect::ProtectionValue {
                    actual: format!("{} [{source}]", row["actual"].as_str().unwrap_or_default()),
                    ok: row["ok"].as_bool().unwrap_or(false),
                },
            );
        }
        table.insert(branch["branch"].as_str().unwrap_or_default().to_owned(), rows);
    }
    repo.protection = Some(table);
    Ok(run.findings)
}

fn could_not_audit(subject: &str, err: &ApiError) -> Finding {
    Finding::new(
        &crate::checks::protection::GITHUB_UNREADABLE,
        Location::file(subject),
        format!("{subject} could not be audited: {err}"),
    )
}

/// Audits repositories concurrently, each worker with its own client (and
/// the shared on-disk ETag cache), at most `concurrency` requests in flight.
fn audit_repos(
    settings: &AuditSettings,
    repos: Vec<RepoObject>,
    outside: Option<&BTreeSet<String>>,
    branches: &BranchesSection,
    stats: &Mutex<(u64, u64, u64)>,
) -> Result<Vec<RepoResult>, String> {
    let total = repos.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<RepoResult>>> = Mutex::new((0..total).map(|_| None).collect());
    let tty = std::io::stderr().is_terminal();
    let workers = settings.concurrency.clamp(1, 64).min(total.max(1));
    let fatal: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let client = match Client::new(settings.client.clone()) {
                    Ok(client) => client,
                    Err(err) => {
                        *fatal.lock().unwrap_or_else(|e| e.into_inner()) = Some(err.to_string());
                        return;
                    }
                };
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= total {
                        break;
                    }
                    let repo = &repos[index];
                    let result = collect::collect_repo(&client, repo, outside)
                        .and_then(|mut collected| {
                            let found = if settings.protection {
                                protection(&client, settings, branches, &mut collected)?
                            } else {
                                Vec::new()
                            };
                            Ok((collected, found))
                        })
                        .map_err(|e| (repo.full_name.clone(), e));
                    if let Err((_, ApiError::Unauthorized { .. })) = &result {
                        if let Err((_, err)) = &result {
                            *fatal.lock().unwrap_or_else(|e| e.into_inner()) = Some(err.to_string());
                        }
                        next.store(total, Ordering::SeqCst);
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(tty, finished, total);
                }
                let s = client.stats();
                let mut totals = stats.lock().unwrap_or_else(|e| e.into_inner());
                totals.0 += s.requests;
                totals.1 += s.conditional_hits;
                totals.2 += s.retries;
            });
        }
    });
    if tty && total > 0 {
        let _ = writeln!(std::io::stderr());
    }
    if let Some(err) = fatal.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(err);
    }
    Ok(results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect())
}

/// A progress bar on a terminal; plain lines every 10% otherwise.
fn progress(tty: bool, finished: usize, total: usize) {
    let mut err = std::io::stderr().lock();
    if tty {
        let width = 30;
        let filled = finished * width / total.max(1);
        let _ = write!(
            err,
            "\rlivegate audit [{}{}] {finished}/{total}",
            "#".repeat(filled),
            " ".repeat(width - filled)
        );
        let _ = err.flush();
    } else if total >= 20 && (finished * 10 / total != (finished - 1) * 10 / total || finished == total) {
        let _ = writeln!(err, "livegate: audited {finished}/{total} repositories");
    }
}

pub fn run(settings: &AuditSettings, policy: &SettingsSection, branches: &BranchesSection) -> Result<AuditRun, String> {
    let secret = match &settings.client.auth {
        Auth::Token(token) => Some(token.clone()),
        _ => None,
    };
    let scrub = |text: &str| crate::github::secret::scrub(text, secret.as_ref());
    let baseline = settings.baseline.as_deref().map(Snapshot::load).transpose()?;
    let mut options = settings.client.clone();
    options.max_pages = options.max_pages.max(1000);
    let client = Client::new(options.clone()).map_err(|e| scrub(&e.to_string()))?;
    let mut findings = Vec::new();
    let mut orgs: Vec<OrgSettings> = Vec::new();
    let mut objects: Vec<RepoObject> = Vec::new();
    let mut outside = None;
    let mut listed = 0usize;
    if let Some(org) = &settings.org {
        match collect::collect_org(&client, org) {
            Ok(org_settings) => {
                findings.extend(settings::evaluate_org(policy, &org_settings));
                orgs.push(org_settings);
            }
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(ApiError::NotFound { .. }) => {
                return Err(format!(
                    "--org {org}: organisation not found, or not visible to this token"
                ))
            }
            Err(err) => findings.push(could_not_audit(org, &err)),
        }
        let endpoint = format!("/orgs/{org}/repos?type=all");
        match client.get_all::<RepoObject>(&endpoint) {
            Ok(list) => {
                listed = list.len();
                objects.extend(list.into_iter().filter(|r| selected(settings, r)));
            }
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(err) => findings.push(could_not_audit(&format!("{org} (repository list)"), &err)),
        }
        outside = collect::org_outside_collaborators(&client, org);
    }
    for full in &settings.repos {
        match collect::repo_object(&client, full) {
            Ok(object) => objects.push(object),
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(ApiError::NotFound { .. }) => {
                return Err(format!(
                    "--repo {full}: repository not found, or not visible to this token; check the name and the \
                     token's repository access"
                ))
            }
            Err(err) => findings.push(could_not_audit(full, &err)),
        }
    }
    let mut seen = BTreeSet::new();
    objects.retain(|r| seen.insert(r.full_name.clone()));
    let stats = Mutex::new((0u64, 0u64, 0u64));
    let results = audit_repos(settings, objects, outside.as_ref(), branches, &stats).map_err(|e| scrub(&e))?;
    let mut repos = Vec::new();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Ok((repo, protection_findings)) => {
                findings.extend(settings::evaluate_repo(policy, &repo));
                findings.extend(protection_findings);
                repos.push(repo);
            }
            Err((name, err)) => {
                findings.push(could_not_audit(&name, &err));
                failed.push(name);
            }
        }
    }
    let snapshot = Snapshot::new(orgs, repos);
    let mut changes = Vec::new();
    if let Some(baseline) = &baseline {
        // Disappearances are only meaningful for a whole organisation listed
        // completely, with no repository failing.
        let complete = settings.org.is_some() && settings.repos.is_empty() && failed.is_empty();
        let (drift_findings, drift_changes) = drift::drift(baseline, &snapshot, complete);
        findings.extend(drift_findings);
        changes = drift_changes;
    }
    if let Some(path) = &settings.snapshot {
        snapshot.write(path)?;
    }
    if settings.allow_unknown {
        for finding in findings.iter_mut().filter(|f| f.code() == SETTINGS_UNREADABLE.code) {
            *finding = Finding::new(
                &settings::SETTING_UNKNOWN_ALLOWED,
                finding.location.clone(),
                finding.message.clone(),
            );
        }
    }
    let mut issue_actions = None;
    if let Some(issue_repo) = &settings.issue_repo {
        let audited: Vec<String> = snapshot.repositories.iter().map(|r| r.full_name.clone()).collect();
        match issues::reconcile(&client, issue_repo, &audited, &findings) {
            Ok(actions) => issue_actions = Some(actions),
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(err) => findings.push(Finding::new(
                &crate::checks::protection::GITHUB_UNREADABLE,
                Location::file(issue_repo),
                format!(
                    "could not update the tracking issues in {issue_repo}: {err}; the token needs {}",
                    issues::ISSUES_WRITE
                ),
            )),
        }
    }
    sort_findings(&mut findings);
    let (requests, hits, retries) = {
        let own = client.stats();
        let workers = stats.into_inner().unwrap_or_else(|e| e.into_inner());
        (
            own.requests + workers.0,
            own.conditional_hits + workers.1,
            own.retries + workers.2,
        )
    };
    let mut details = String::new();
    let audited = snapshot.repositories.len();
    let _ =
        writeln!(
        details,
        "audited {audited} repositor{} ({} failed){}; {} organisation(s); {requests} requests ({hits} answered 304)",
        if audited == 1 { "y" } else { "ies" },
        failed.len(),
        if settings.org.is_some() { format!(" of {listed} listed") } else { String::new() },
        snapshot.organisations.len()
    );
    if let Some(path) = &settings.snapshot {
        let _ = writeln!(details, "snapshot written to {}", path.display());
    }
    if let Some(actions) = &issue_actions {
        let _ = writeln!(
            details,
            "tracking issues: {} opened, {} updated, {} reopened, {} closed, {} unchanged",
            actions.opened.len(),
            actions.updated.len(),
            actions.reopened.len(),
            actions.closed.len(),
            actions.unchanged.len()
        );
    }
    if baseline.is_some() {
        let loosened = changes.iter().filter(|c| c.loosened).count();
        let _ = writeln!(details, "drift: {} change(s), {loosened} less safe", changes.len());
    }
    let extra = json!({
        "api": { "requests": requests, "conditional_hits": hits, "retries": retries },
        "audited": audited,
        "failed": failed,
        "changes": changes,
        "issues": issue_actions,
    });
    let report = Report {
        command: "audit",
        findings: &findings,
        stats: None,
        fail_on: settings.fail_on,
        details: Some(&details),
        details_markdown: None,
        extra: Some(&extra),
    };
    let rendered = crate::report::render(settings.format, &report, settings.color);
    crate::report::emit_all(&report, &settings.emit)?;
    let mut exit = report.verdict().exit_code();
    if !failed.is_empty() && exit == 0 {
        exit = 3;
    }
    Ok(AuditRun {
        rendered,
        log: client.take_log(),
        exit,
    })
}

#[cfg(test)]
mod tests;
