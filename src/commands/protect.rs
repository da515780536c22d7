//! `livegate protect`: is every deploying branch protected as the policy
//! says? Collects from GitHub, merges classic protection and rulesets,
//! compares with `[branches]`, and fails closed when it cannot see.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use crate::checks::protection::{self, BranchReport};
use crate::facts::Known;
use crate::github::client::{ApiError, Client, ClientOptions};
use crate::github::models::Repository;
use crate::github::protection::{collect_branch, collect_repo, encode_branch};
use crate::policy::model::BranchesSection;
use crate::registry::verification::GITHUB_UNREADABLE;
use crate::report::finding::{sort_findings, Finding, Location, Severity};
use crate::report::{Format, Report};

use super::shared::{color_for, deliver, load_policy, online_setup, repo_root, Outcome};

/// Everything `protect` needs, resolved from flags and environment.
#[derive(Debug, Clone)]
pub struct ProtectSettings {
    pub owner: String,
    pub name: String,
    /// Explicit branches; empty: the policy's patterns.
    pub branches: Vec<String>,
    pub policy: Option<PathBuf>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub emit: Vec<crate::report::Emit>,
    pub fail_on: Severity,
    pub color: bool,
    pub view: crate::report::view::View,
    pub client: ClientOptions,
}

/// What a run produced, before rendering.
pub struct ProtectRun {
    pub findings: Vec<Finding>,
    pub details: String,
    pub extra: serde_json::Value,
}

/// Errors that are the caller's to fix (exit 2): a bad token, a repository
/// that does not exist, a branch that does not exist, a bad flag.
#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    #[error("{0}")]
    Api(ApiError),
    #[error("repository {repo} not found, or not visible to this token ({detail}); check --repo and the token's repository access")]
    RepoNotFound { repo: String, detail: String },
    #[error("branch `{branch}` does not exist in {repo} ({detail}); check --branch")]
    BranchNotFound {
        repo: String,
        branch: String,
        detail: String,
    },
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
}

/// API failures that mean "could not verify" become LG913 findings; the
/// rest are errors.
fn classify(err: ApiError, at: &str) -> Result<Finding, ProtectError> {
    match err {
        ApiError::Unauthorized { .. } | ApiError::Setup(_) => Err(ProtectError::Api(err)),
        ApiError::RateLimited { .. }
        | ApiError::Unavailable { .. }
        | ApiError::Malformed { .. }
        | ApiError::TooManyPages { .. }
        | ApiError::Budget { .. }
        | ApiError::Denied { .. }
        | ApiError::NotFound { .. } => Ok(Finding::new(
            &GITHUB_UNREADABLE,
            Location::file(at),
            format!("could not verify {at}: {err}"),
        )),
    }
}

/// Branches to check: explicit ones, else the policy's patterns resolved
/// against the repository (`~DEFAULT_BRANCH`, `~ALL`, globs, names).
fn select_branches(
    client: &Client,
    repo: Option<&Repository>,
    full: &str,
    explicit: &[String],
    patterns: &[String],
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let Some(repo) = repo.filter(|_| explicit.is_empty()) else {
        return Ok((explicit.to_vec(), Vec::new()));
    };
    let patterns: Vec<String> = if patterns.is_empty() {
        vec!["~DEFAULT_BRANCH".to_owned()]
    } else {
        patterns.to_vec()
    };
    let mut selected = Vec::new();
    let mut unmatched = Vec::new();
    let needs_listing = patterns.iter().any(|p| p == "~ALL" || p.contains(['*', '?', '[']));
    let existing: Vec<String> = if needs_listing {
        #[derive(serde::Deserialize)]
        struct ShortBranch {
            name: String,
        }
        client
            .get_all::<ShortBranch>(&format!("/repos/{full}/branches"))?
            .into_iter()
            .map(|b| b.name)
            .collect()
    } else {
        Vec::new()
    };
    for pattern in &patterns {
        let before = selected.len();
        match pattern.as_str() {
            "~DEFAULT_BRANCH" => selected.push(repo.default_branch.clone()),
            "~ALL" => selected.extend(existing.iter().cloned()),
            p if p.contains(['*', '?', '[']) => {
                if let Ok(glob) = globset::GlobBuilder::new(p).literal_separator(true).build() {
                    let matcher = glob.compile_matcher();
                    selected.extend(existing.iter().filter(|b| matcher.is_match(b.as_str())).cloned());
                }
            }
            p => selected.push(p.to_owned()),
        }
        if selected.len() == before {
            unmatched.push(pattern.clone());
        }
    }
    selected.sort();
    selected.dedup();
    Ok((selected, unmatched))
}

fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// The compact per-branch table of the human output.
fn table(report: &BranchReport) -> String {
    let mut out = String::new();
    let headers = ["setting", "required", "actual", "source"];
    let mut rows: Vec<[String; 4]> = report
        .rows
        .iter()
        .map(|r| {
            [
                format!("{} {}", if r.ok { "ok  " } else { "FAIL" }, r.setting),
                r.required.clone(),
                r.actual.clone(),
                r.source.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        rows.push([
            "(the policy requires nothing of this branch)".to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len() + 5 * usize::from(i == 0)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Every source that provides a setting shown, in order of appearance.
    let mut protected_by: Vec<String> = Vec::new();
    for source in report.rows.iter().map(|r| r.source.clone()) {
        if source != "-" && !protected_by.contains(&source) {
            protected_by.push(source);
        }
    }
    if report.effective.classic_unknown.is_some() {
        protected_by.push("classic protection: unknown, no permission to read it".to_owned());
    }
    let _ = writeln!(
        out,
        "{}@{}{}",
        report.repo,
        report.branch,
        if protected_by.is_empty() {
            String::new()
        } else {
            format!("  ({})", protected_by.join("; "))
        }
    );
    let _ = writeln!(
        out,
        "  {}  {}  {}  {}",
        pad(&format!("     {}", headers[0]), widths[0]),
        pad(headers[1], widths[1]),
        pad(headers[2], widths[2]),
        headers[3]
    );
    for row in rows {
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            pad(&row[0], widths[0]),
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        );
    }
    out
}

/// Runs the collection and evaluation; `Err` for the caller's mistakes.
pub fn collect_and_evaluate(
    client: &Client,
    settings: &ProtectSettings,
    policy: &BranchesSection,
) -> Result<ProtectRun, ProtectError> {
    let full = format!("{}/{}", settings.owner, settings.name);
    let mut findings = Vec::new();
    let mut details = String::new();
    let mut branch_json = Vec::new();
    let finish = |findings: Vec<Finding>,
                  details: String,
                  branch_json: Vec<serde_json::Value>,
                  repo_json: serde_json::Value| {
        let stats = client.stats();
        ProtectRun {
            findings,
            details,
            extra: json!({
                "api": { "requests": stats.requests, "conditional_hits": stats.conditional_hits, "retries": stats.retries },
                "repository": repo_json,
                "branches": branch_json,
            }),
        }
    };
    let repo_facts = match collect_repo(client, &settings.owner, &settings.name, settings.branches.is_empty()) {
        Ok(facts) => facts,
        Err(ApiError::NotFound { message, .. }) if !settings.owner.is_empty() => {
            return Err(ProtectError::RepoNotFound {
                repo: full,
                detail: format!("404 {message}"),
            })
        }
        Err(err) => {
            findings.push(classify(err, &full)?);
            return Ok(finish(findings, details, branch_json, json!({ "full_name": full })));
        }
    };
    let patterns: Vec<String> = policy.patterns.iter().flatten().map(|p| p.get_ref().clone()).collect();
    let (branches, unmatched) =
        match select_branches(client, repo_facts.repo.as_ref(), &full, &settings.branches, &patterns) {
            Ok(selected) => selected,
            Err(err) => {
                findings.push(classify(err, &full)?);
                return Ok(finish(findings, details, branch_json, json!({ "full_name": full })));
            }
        };
    for pattern in unmatched {
        let _ = writeln!(
            details,
            "note: the policy's branch pattern `{pattern}` matches no branch of {full}"
        );
    }
    let mut seen = BTreeMap::new();
    for branch in &branches {
        match collect_branch(client, &settings.owner, &settings.name, branch, &mut seen) {
            Ok(facts) => {
                let report = protection::evaluate(policy, &facts);
                details.push_str(&table(&report));
                details.push('\n');
                findings.extend(report.findings.iter().cloned());
                branch_json.push(serde_json::to_value(&report).unwrap_or_default());
            }
            Err(err @ ApiError::NotFound { .. }) if err.to_string().ends_with("Branch not found") => {
                return Err(ProtectError::BranchNotFound {
                    repo: full,
                    branch: branch.clone(),
                    detail: format!(
                        "GET /repos/{}/{}/branches/{}/protection: 404",
                        settings.owner,
                        settings.name,
                        encode_branch(branch)
                    ),
                })
            }
            Err(err) => findings.push(classify(err, &format!("{full}@{branch}"))?),
        }
    }
    match &repo_facts.inactive_rulesets {
        Known::Known(inactive) => findings.extend(protection::inactive_rulesets(&full, inactive)),
        Known::Unknown(unknown) => {
            let _ = writeln!(
                details,
                "note: rulesets in evaluate or disabled mode could not be listed ({})",
                unknown.reason
            );
        }
    }
    let repo_json = match &repo_facts.repo {
        Some(repo) => json!({
            "full_name": repo.full_name,
            "default_branch": repo.default_branch,
            "private": repo.private,
        }),
        None => json!({ "full_name": full }),
    };
    Ok(finish(findings, details, branch_json, repo_json))
}

/// The whole command: returns (rendered report, exit code) or an error
/// message for exit 2.
pub fn protect(settings: &ProtectSettings, policy: &BranchesSection) -> Result<(String, i32), String> {
    let client = Client::new(settings.client.clone()).map_err(|e| e.to_string())?;
    let mut run =
        collect_and_evaluate(&client, settings, policy).map_err(|e| crate::sanitize::scrub(&e.to_string()))?;
    sort_findings(&mut run.findings);
    let report = Report {
        command: "protect",
        findings: &run.findings,
        stats: None,
        fail_on: settings.fail_on,
        details: Some(&run.details),
        details_markdown: None,
        extra: Some(&run.extra),
        view: settings.view,
        baseline_written: None,
    };
    let rendered = crate::report::render(settings.format, &report, settings.color);
    crate::report::emit_all(&report, &settings.emit)?;
    Ok((rendered, report.verdict().exit_code()))
}

pub fn run(args: crate::cli::ProtectArgs, verbosity: crate::cli::Verbosity) -> Outcome {
    let (owner, name) = match crate::cli::parse_repo("--repo", &args.repo) {
        Ok(parts) => parts,
        Err(err) => return Outcome::error(err),
    };
    let (format, client) = match online_setup(&args.report, &args.github, verbosity) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    let root = repo_root(std::path::Path::new("."));
    let policy = match load_policy(args.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    let branches_policy = policy.merged.branches.clone().unwrap_or_default();
    let color = color_for(args.report.look.color, format, args.report.output.output.is_some());
    let settings = ProtectSettings {
        owner,
        name,
        branches: args.branches,
        policy: args.policy,
        format,
        output: args.report.output.output.clone(),
        emit: args.report.output.emit.clone(),
        fail_on: args.report.output.fail_on.severity(),
        color,
        view: super::shared::view(&args.report, verbosity),
        client,
    };
    let note = if verbosity.verbose {
        super::shared::policy_note(&policy)
    } else {
        String::new()
    };
    let (rendered, exit) = match protect(&settings, &branches_policy) {
        Ok(done) => done,
        Err(err) => return Outcome::error(err),
    };
    deliver(rendered, note, exit, args.report.output.output.as_deref())
}
