//! `livegate audit`: repository and organisation settings against
//! `[settings]`, from one repository to a whole organisation, with a
//! snapshot of everything observed and drift against a previous one.

pub mod issues;
pub mod spool;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::json;

use super::shared;
use crate::checks::settings::{self, drift::Drift};
use crate::cli::{GroupBy, GROUP_BY_CODE_ABOVE};
use crate::facts::settings::{OrgSettings, RepoSettings};
use crate::github::client::{ApiError, ApiStats, Client, ClientOptions};
use crate::github::settings::RepoObject;
use crate::policy::model::{BranchesSection, SettingsSection};
use crate::registry::settings::SETTING_UNKNOWN_ALLOWED;
use crate::registry::verification::{GITHUB_UNREADABLE, SETTINGS_UNREADABLE};
use crate::report::finding::{sort_findings, Finding, Location, Severity};
use crate::report::{Emit, Format, Report};
use spool::Spool;

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
    /// `-q` and `--statistics`; `grouped` is decided by `group_by`.
    pub view: crate::report::view::View,
    pub group_by: crate::cli::GroupBy,
    pub client: ClientOptions,
}

/// What the run produced.
pub struct AuditRun {
    pub rendered: String,
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

/// What a worker hands back for one repository.
enum Outcome {
    /// Its settings and its branch-protection findings.
    Audited(Box<RepoSettings>, Vec<Finding>),
    Failed(String, ApiError),
    /// Not attempted: the audit had stopped (a rate-limit pause longer than
    /// allowed, or the time budget spent).
    Skipped(String),
}

/// The deploying branches' protection of one repository, through `protect`.
fn protection(
    client: &Client,
    settings: &AuditSettings,
    branches: &BranchesSection,
    repo: &mut RepoSettings,
) -> Result<Vec<Finding>, ApiError> {
    let (owner, name) = repo.full_name.split_once('/').unwrap_or(("", ""));
    let protect = super::protect::ProtectSettings {
        owner: owner.to_owned(),
        name: name.to_owned(),
        branches: Vec::new(),
        policy: None,
        format: Format::Json,
        output: None,
        emit: Vec::new(),
        fail_on: settings.fail_on,
        color: false,
        view: crate::report::view::View::default(),
        client: settings.client.clone(),
    };
    let run = match super::protect::collect_and_evaluate(client, &protect, branches) {
        Ok(run) => run,
        Err(super::protect::ProtectError::Api(err)) => return Err(err),
        Err(other) => {
            return Ok(vec![Finding::new(
                &GITHUB_UNREADABLE,
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
                crate::facts::settings::ProtectionValue {
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
        &GITHUB_UNREADABLE,
        Location::file(subject),
        format!("{subject} could not be audited: {err}"),
    )
}

/// How the listing and the workers ended.
struct Streamed {
    /// Repositories the organisation listing returned (before selection).
    listed: usize,
    /// Selected repositories listed but not queued because the audit had stopped.
    unqueued: usize,
    /// Every name listed or given, selected or not.
    seen: BTreeSet<String>,
    listing_error: Option<ApiError>,
    /// Why the audit stopped early, if it did.
    stopped: Option<ApiError>,
    /// Worker clients' request counts.
    stats: ApiStats,
}

/// Lists the repositories page by page and audits them as they arrive, on
/// `concurrency` workers each with its own client (all sharing the ETag
/// cache and the rate-limit gate), handing each outcome to `collect` on the
/// calling thread. Bounded queues between the three keep at most a few
/// repositories per worker in memory whatever the organisation's size.
fn audit_stream(
    settings: &AuditSettings,
    client: &Client,
    direct: Vec<RepoObject>,
    outside: Option<&BTreeSet<String>>,
    branches: &BranchesSection,
    mut collect: impl FnMut(Outcome, usize, bool),
) -> Result<Streamed, String> {
    let workers = if settings.org.is_some() {
        settings.concurrency.clamp(1, 64)
    } else {
        settings.concurrency.clamp(1, 64).min(direct.len().max(1))
    };
    let clients = (0..workers)
        .map(|_| Client::new(settings.client.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| err.to_string())?;
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<RepoObject>(workers * 2);
    let job_rx = Mutex::new(job_rx);
    let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Outcome>(workers * 2);
    let stop = AtomicBool::new(false);
    let listing_done = AtomicBool::new(false);
    let queued = AtomicUsize::new(0);
    let fatal: Mutex<Option<String>> = Mutex::new(None);
    let stopped: Mutex<Option<ApiError>> = Mutex::new(None);
    let totals = Mutex::new(ApiStats::default());
    let streamed = std::thread::scope(|scope| {
        let producer = scope.spawn(|| {
            let job_tx = job_tx;
            let mut seen = BTreeSet::new();
            let mut listed = 0usize;
            let mut listing_error = None;
            // Selected repositories listed after the audit stopped.
            let mut unqueued = 0usize;
            let mut offer = |repo: RepoObject, seen: &mut BTreeSet<String>| {
                if !seen.insert(repo.full_name.clone()) || !selected(settings, &repo) {
                    return;
                }
                if stop.load(Ordering::SeqCst) {
                    unqueued += 1;
                    return;
                }
                queued.fetch_add(1, Ordering::SeqCst);
                if job_tx.send(repo).is_err() {
                    unqueued += 1;
                }
            };
            for repo in direct {
                // Repositories named with --repo are audited even when archived.
                if seen.insert(repo.full_name.clone()) {
                    queued.fetch_add(1, Ordering::SeqCst);
                    if job_tx.send(repo).is_err() {
                        break;
                    }
                }
            }
            if let Some(org) = &settings.org {
                let endpoint = format!("/orgs/{org}/repos?type=all");
                let result = client.for_each_page(&endpoint, |page: Vec<RepoObject>| {
                    listed += page.len();
                    for repo in page {
                        offer(repo, &mut seen);
                    }
                    !stop.load(Ordering::SeqCst)
                });
                if let Err(err) = result {
                    listing_error = Some(err);
                }
            }
            listing_done.store(true, Ordering::SeqCst);
            (listed, seen, listing_error, unqueued)
        });
        for worker in clients {
            let out_tx = out_tx.clone();
            let (job_rx, stop, fatal, stopped, totals) = (&job_rx, &stop, &fatal, &stopped, &totals);
            scope.spawn(move || {
                loop {
                    let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(repo) = job else { break };
                    let outcome = if stop.load(Ordering::SeqCst) {
                        Outcome::Skipped(repo.full_name.clone())
                    } else {
                        audit_one(&worker, settings, &repo, outside, branches)
                    };
                    match &outcome {
                        Outcome::Failed(_, err @ ApiError::Unauthorized { .. }) => {
                            fatal
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .get_or_insert(err.to_string());
                            stop.store(true, Ordering::SeqCst);
                        }
                        Outcome::Failed(_, err @ (ApiError::RateLimited { .. } | ApiError::Budget { .. })) => {
                            stopped
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .get_or_insert(err.clone());
                            stop.store(true, Ordering::SeqCst);
                        }
                        _ => {}
                    }
                    if out_tx.send(outcome).is_err() {
                        break;
                    }
                }
                let s = worker.stats();
                let mut totals = totals.lock().unwrap_or_else(|e| e.into_inner());
                totals.requests += s.requests;
                totals.conditional_hits += s.conditional_hits;
                totals.retries += s.retries;
                totals.rate_limit_waits += s.rate_limit_waits;
            });
        }
        drop(out_tx);
        for outcome in out_rx {
            collect(
                outcome,
                queued.load(Ordering::SeqCst),
                listing_done.load(Ordering::SeqCst),
            );
        }
        producer.join()
    });
    let (listed, seen, listing_error, unqueued) =
        streamed.map_err(|_| "the repository listing thread panicked".to_owned())?;
    if let Some(err) = fatal.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(err);
    }
    Ok(Streamed {
        listed,
        unqueued,
        seen,
        listing_error,
        stopped: stopped.into_inner().unwrap_or_else(|e| e.into_inner()),
        stats: totals.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

fn audit_one(
    client: &Client,
    settings: &AuditSettings,
    repo: &RepoObject,
    outside: Option<&BTreeSet<String>>,
    branches: &BranchesSection,
) -> Outcome {
    let result = crate::github::settings::collect_repo(client, repo, outside).and_then(|mut collected| {
        let found = if settings.protection {
            protection(client, settings, branches, &mut collected)?
        } else {
            Vec::new()
        };
        Ok((collected, found))
    });
    match result {
        Ok((collected, found)) => Outcome::Audited(Box::new(collected), found),
        Err(err) => Outcome::Failed(repo.full_name.clone(), err),
    }
}

pub fn audit(
    settings: &AuditSettings,
    policy: &SettingsSection,
    branches: &BranchesSection,
) -> Result<AuditRun, String> {
    let scrub = crate::sanitize::scrub;
    let baseline = settings.baseline.as_deref().map(spool::load).transpose()?;
    let mut options = settings.client.clone();
    options.max_pages = options.max_pages.max(1000);
    let client = Client::new(options.clone()).map_err(|e| scrub(&e.to_string()))?;
    let mut findings = Vec::new();
    let mut orgs: Vec<OrgSettings> = Vec::new();
    let mut direct: Vec<RepoObject> = Vec::new();
    let mut direct_failed: Vec<String> = Vec::new();
    let mut outside = None;
    if let Some(org) = &settings.org {
        match crate::github::settings::collect_org(&client, org) {
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
        outside = crate::github::settings::org_outside_collaborators(&client, org);
    }
    for full in &settings.repos {
        match crate::github::settings::repo_object(&client, full) {
            Ok(object) => direct.push(object),
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(ApiError::NotFound { .. }) => {
                return Err(format!(
                    "--repo {full}: repository not found, or not visible to this token; check the name and the \
                     token's repository access"
                ))
            }
            Err(err) => {
                findings.push(could_not_audit(full, &err));
                direct_failed.push(full.clone());
            }
        }
    }

    // Each outcome is checked, compared with its baseline entry and spooled
    // to disk as it arrives; only findings stay in memory.
    let mut observed = Spool::new()?;
    let mut drift = Drift::default();
    let baseline_has_repos = baseline.as_ref().is_some_and(|b| !b.repositories.is_empty());
    let mut failed: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    let mut spool_error: Option<String> = None;
    let mut progress = crate::diag::Progress::start("livegate audit", "repositories", "listing repositories");
    let carry = |name: &str, observed: &mut Spool| -> Result<(), String> {
        // A repository that could not be audited keeps its last known state,
        // so the next run still compares against it.
        if let Some(old) = baseline
            .as_ref()
            .map(|b| b.repositories.get(name))
            .transpose()?
            .flatten()
        {
            observed.carry(&old)?;
        }
        Ok(())
    };
    // A named repository whose own read failed is failed too: it keeps its
    // baseline entry, or the next run would see it "appear" with a new admin
    // and say nothing of it.
    for name in direct_failed {
        carry(&name, &mut observed)?;
        failed.push(name);
    }
    let streamed = audit_stream(
        settings,
        &client,
        direct,
        outside.as_ref(),
        branches,
        |outcome, queued, listing_done| {
            let result = match outcome {
                Outcome::Audited(repo, protection_findings) => {
                    findings.extend(settings::evaluate_repo(policy, &repo));
                    findings.extend(protection_findings);
                    let before = match &baseline {
                        Some(b) => b.repositories.get(&repo.full_name),
                        None => Ok(None),
                    };
                    before.and_then(|before| {
                        // What could not be read now keeps its last known value,
                        // in the comparison and in the new snapshot.
                        let repo = match &before {
                            Some(old) => repo.with_last_known(old),
                            None => *repo,
                        };
                        if baseline.is_some() {
                            drift.repo(before.as_ref(), &repo, baseline_has_repos);
                        }
                        observed.put(&repo)
                    })
                }
                Outcome::Failed(name, err) => {
                    findings.push(could_not_audit(&name, &err));
                    let kept = carry(&name, &mut observed);
                    failed.push(name);
                    kept
                }
                Outcome::Skipped(name) => {
                    skipped += 1;
                    carry(&name, &mut observed)
                }
            };
            if let Err(err) = result {
                spool_error.get_or_insert(err);
            }
            if listing_done {
                progress.set_total(queued as u64);
            }
            progress.inc();
        },
    )
    .map_err(|e| scrub(&e))?;
    progress.finish();
    if let Some(err) = spool_error {
        return Err(err);
    }
    let listed = streamed.listed;
    skipped += streamed.unqueued;
    if let (Some(org), Some(err)) = (&settings.org, &streamed.listing_error) {
        if let ApiError::Unauthorized { .. } = err {
            return Err(scrub(&err.to_string()));
        }
        findings.push(could_not_audit(&format!("{org} (repository list)"), err));
    }
    if let Some(err) = &streamed.stopped {
        findings.push(Finding::new(
            &GITHUB_UNREADABLE,
            Location::file(settings.org.as_deref().unwrap_or("audit")),
            format!(
                "the audit stopped early: {err}; {skipped} more repositor{} not audited{}",
                if skipped == 1 { "y was" } else { "ies were" },
                if settings.org.is_some() {
                    " and the rest of the organisation's listing was not read"
                } else {
                    ""
                }
            ),
        ));
    }
    // An organisation listing cut short leaves repositories unseen or not
    // queued: they keep their baseline entries too, so the snapshot never
    // forgets them.
    if settings.org.is_some() && (streamed.listing_error.is_some() || streamed.stopped.is_some()) {
        if let Some(b) = &baseline {
            let unseen: Vec<&str> = b.repositories.names().filter(|name| !observed.contains(name)).collect();
            for name in unseen {
                carry(name, &mut observed)?;
            }
        }
    }
    let mut changes = Vec::new();
    if let Some(baseline) = &baseline {
        // Disappearances are only meaningful for a whole organisation listed
        // completely, with no repository failing.
        let complete = settings.org.is_some()
            && settings.repos.is_empty()
            && failed.is_empty()
            && streamed.listing_error.is_none()
            && streamed.stopped.is_none();
        if complete {
            for name in baseline.repositories.names() {
                if !streamed.seen.contains(name) {
                    drift.gone(name, baseline.repositories.visibility(name).unwrap_or("unknown"));
                }
            }
        }
        for org in &mut orgs {
            if let Some(old) = baseline.organisations.iter().find(|o| o.login == org.login) {
                *org = org.clone().with_last_known(old);
                drift.org(old, org);
            }
        }
        let (drift_findings, drift_changes) = std::mem::take(&mut drift).finish();
        findings.extend(drift_findings);
        changes = drift_changes;
    }
    if let Some(path) = &settings.snapshot {
        spool::write(path, &orgs, &observed)?;
    }
    if settings.allow_unknown {
        for finding in findings.iter_mut().filter(|f| f.code() == SETTINGS_UNREADABLE.code) {
            *finding = Finding::new(
                &SETTING_UNKNOWN_ALLOWED,
                finding.location.clone(),
                finding.message.clone(),
            );
        }
    }
    let audited_names: Vec<String> = observed.observed().map(str::to_owned).collect();
    let mut issue_actions = None;
    if let Some(issue_repo) = &settings.issue_repo {
        match issues::reconcile(&client, issue_repo, &audited_names, &findings) {
            Ok(actions) => issue_actions = Some(actions),
            Err(err @ ApiError::Unauthorized { .. }) => return Err(scrub(&err.to_string())),
            Err(err) => findings.push(Finding::new(
                &GITHUB_UNREADABLE,
                Location::file(issue_repo),
                format!(
                    "could not update the tracking issues in {issue_repo}: {err}; the token needs {}",
                    issues::ISSUES_WRITE
                ),
            )),
        }
    }
    sort_findings(&mut findings);
    let own = client.stats();
    let workers = streamed.stats;
    let (requests, hits, retries, waits) = (
        own.requests + workers.requests,
        own.conditional_hits + workers.conditional_hits,
        own.retries + workers.retries,
        own.rate_limit_waits + workers.rate_limit_waits,
    );
    let mut details = String::new();
    let audited = audited_names.len();
    let _ = writeln!(
        details,
        "audited {audited} repositor{} ({} failed{}){}; {}; {} ({hits} answered 304{})",
        if audited == 1 { "y" } else { "ies" },
        failed.len(),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        if settings.org.is_some() {
            format!(" of {listed} listed")
        } else {
            String::new()
        },
        crate::report::count(orgs.len(), "organisation", "organisations"),
        crate::report::count(requests as usize, "request", "requests"),
        if waits > 0 {
            format!(", {waits} held back by a rate-limit pause")
        } else {
            String::new()
        }
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
        let _ = writeln!(
            details,
            "drift: {}, {loosened} less safe",
            crate::report::count(changes.len(), "change", "changes")
        );
    }
    let extra = json!({
        "api": { "requests": requests, "conditional_hits": hits, "retries": retries, "rate_limit_waits": waits },
        "audited": audited,
        "failed": failed,
        "skipped": skipped,
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
        view: crate::report::view::View {
            grouped: match settings.group_by {
                GroupBy::Code => true,
                GroupBy::Repo => false,
                GroupBy::Auto => audited > GROUP_BY_CODE_ABOVE,
            },
            ..settings.view
        },
        baseline_written: None,
    };
    let rendered = crate::report::render(settings.format, &report, settings.color);
    crate::report::emit_all(&report, &settings.emit)?;
    let mut exit = report.verdict().exit_code();
    if (!failed.is_empty() || skipped > 0 || streamed.stopped.is_some()) && exit == 0 {
        exit = 3;
    }
    Ok(AuditRun { rendered, exit })
}

pub fn run(args: crate::cli::AuditArgs, verbosity: crate::cli::Verbosity) -> shared::Outcome {
    if args.repos.is_empty() && args.org.is_none() {
        return shared::Outcome::error("nothing to audit: pass --repo OWNER/NAME (repeatable) or --org ORG");
    }
    if let Some(repo) = &args.issue_repo {
        if let Err(err) = crate::cli::parse_repo("--issue-repo", repo) {
            return shared::Outcome::error(err);
        }
    }
    for repo in &args.repos {
        if let Err(err) = crate::cli::parse_repo("--repo", repo) {
            return shared::Outcome::error(err);
        }
    }
    let mut properties = Vec::new();
    for text in &args.property {
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                properties.push((key.trim().to_owned(), value.trim().to_owned()))
            }
            _ => {
                return shared::Outcome::error(format!(
                    "--property `{text}`: expected KEY=VALUE (e.g. classification=sensitive)"
                ))
            }
        }
    }
    for glob in args.include.iter().chain(&args.exclude) {
        if let Err(err) = crate::policy::compile_glob(glob) {
            return shared::Outcome::error(format!("--include/--exclude `{glob}`: {err}"));
        }
    }
    let (format, mut client) = match shared::online_setup(&args.report, &args.github, verbosity) {
        Ok(setup) => setup,
        Err(err) => return shared::Outcome::error(err),
    };
    if args.github.budget.is_none() {
        client.budget = std::time::Duration::from_secs(shared::DEFAULT_AUDIT_BUDGET);
    }
    let root = shared::repo_root(std::path::Path::new("."));
    let policy = match shared::load_policy(args.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(err) => return shared::Outcome::error(err),
    };
    let settings = AuditSettings {
        repos: args.repos.clone(),
        org: args.org.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        topics: args.topic.clone(),
        properties,
        include_archived: args.include_archived,
        snapshot: args.snapshot.clone(),
        baseline: args.baseline.clone(),
        allow_unknown: args.allow_unknown,
        issue_repo: args.issue_repo.clone(),
        concurrency: usize::from(args.concurrency),
        protection: args.protection,
        format,
        fail_on: args.report.output.fail_on.severity(),
        color: shared::color_for(args.report.look.color, format, args.report.output.output.is_some()),
        emit: args.report.output.emit.clone(),
        view: shared::view(&args.report, verbosity),
        group_by: args.group_by,
        client,
    };
    let section = policy.merged.settings.clone().unwrap_or_default();
    let branches = policy.merged.branches.clone().unwrap_or_default();
    let note = if verbosity.verbose {
        shared::policy_note(&policy)
    } else {
        String::new()
    };
    let run = match audit(&settings, &section, &branches) {
        Ok(run) => run,
        Err(err) => return shared::Outcome::error(err),
    };
    shared::deliver(run.rendered, note, run.exit, args.report.output.output.as_deref())
}

#[cfg(test)]
mod tests;
