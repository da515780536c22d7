//! `--issue-repo`: one tracking issue per audited repository with current
//! findings — opened when findings appear, updated when they change, closed
//! with a comment when the repository is clean. Issues are found by a marker
//! in their body, never by title, so renaming an issue breaks nothing and a
//! rerun never opens a duplicate.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use crate::github::client::{ApiError, Client};
use crate::report::finding::Finding;

pub const LABEL: &str = "livegate-audit";
pub const ISSUES_WRITE: &str =
    "Issues: write on the issue repository (fine-grained token or GitHub App), or repo (classic token)";

#[derive(Debug, Clone, Deserialize)]
struct Issue {
    number: u64,
    state: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

/// What was done, per audited repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IssueActions {
    pub opened: Vec<String>,
    pub updated: Vec<String>,
    pub reopened: Vec<String>,
    pub closed: Vec<String>,
    pub unchanged: Vec<String>,
    pub duplicates_closed: Vec<u64>,
}

pub fn marker(repo: &str) -> String {
    format!("<!-- livegate-audit:{repo} -->")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn body(repo: &str, findings: &[&Finding]) -> String {
    let mut out = format!(
        "{}\nlivegate audit found {} for `{repo}`. This issue is kept up to date by the scheduled audit \
         and closed when the repository is compliant.\n\n| Severity | Check | Setting | Finding | How to fix |\n| --- | --- | \
         --- | --- | --- |\n",
        marker(repo),
        crate::report::count(findings.len(), "finding", "findings")
    );
    for finding in findings {
        let setting = finding.location.path.split_once('#').map_or("", |(_, s)| s);
        out.push_str(&format!(
            "| {} | {} {} | {} | {} | {} |\n",
            finding.severity,
            finding.code(),
            finding.check.id,
            cell(setting),
            cell(&finding.message),
            cell(finding.check.fix)
        ));
    }
    out
}

/// Reconciles the tracking issues in `issue_repo` with this run's findings
/// for the repositories in `audited`. Findings are grouped by the repository
/// their location names.
pub fn reconcile(
    client: &Client,
    issue_repo: &str,
    audited: &[String],
    findings: &[Finding],
) -> Result<IssueActions, ApiError> {
    let endpoint = format!("/repos/{issue_repo}/issues?state=all&labels={LABEL}");
    let existing: Vec<Issue> = client.get_all(&endpoint)?;
    let mut by_repo: BTreeMap<String, Vec<Issue>> = BTreeMap::new();
    for issue in existing.into_iter().filter(|i| i.pull_request.is_none()) {
        let text = issue.body.clone().unwrap_or_default();
        if let Some(repo) = text
            .strip_prefix("<!-- livegate-audit:")
            .and_then(|rest| rest.split_once(" -->"))
            .map(|(repo, _)| repo.to_owned())
        {
            by_repo.entry(repo).or_default().push(issue);
        }
    }
    let mut actions = IssueActions::default();
    for repo in audited {
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| {
                let path = &f.location.path;
                path == repo || path.starts_with(&format!("{repo}#")) || path.starts_with(&format!("{repo}@"))
            })
            .filter(|f| f.severity >= crate::report::finding::Severity::Warning)
            .collect();
        let mut issues = by_repo.remove(repo).unwrap_or_default();
        // Prefer an open issue, then the oldest; any other is a duplicate.
        issues.sort_by_key(|i| (i.state != "open", i.number));
        let mut issues = issues.into_iter();
        let current = issues.next();
        for duplicate in issues.filter(|i| i.state == "open") {
            client.post(
                &format!("/repos/{issue_repo}/issues/{}/comments", duplicate.number),
                &json!({ "body": "Closed as a duplicate: livegate tracks this repository in one issue." }),
            )?;
            client.patch(
                &format!("/repos/{issue_repo}/issues/{}", duplicate.number),
                &json!({ "state": "closed", "state_reason": "not_planned" }),
            )?;
            actions.duplicates_closed.push(duplicate.number);
        }
        let wanted = body(repo, &mine);
        match (current, mine.is_empty()) {
            (None, true) => {}
            (None, false) => {
                client.post(
                    &format!("/repos/{issue_repo}/issues"),
                    &json!({
                        "title": format!("livegate audit: {repo} does not meet the policy"),
                        "body": wanted,
                        "labels": [LABEL],
                    }),
                )?;
                actions.opened.push(repo.clone());
            }
            (Some(issue), true) => {
                if issue.state == "open" {
                    client.post(
                        &format!("/repos/{issue_repo}/issues/{}/comments", issue.number),
                        &json!({ "body": format!("livegate audit: `{repo}` now meets the policy; closing.") }),
                    )?;
                    client.patch(
                        &format!("/repos/{issue_repo}/issues/{}", issue.number),
                        &json!({ "state": "closed", "state_reason": "completed" }),
                    )?;
                    actions.closed.push(repo.clone());
                }
            }
            (Some(issue), false) => {
                let same = issue.body.as_deref() == Some(wanted.as_str());
                if issue.state != "open" {
                    client.patch(
                        &format!("/repos/{issue_repo}/issues/{}", issue.number),
                        &json!({ "state": "open", "body": wanted }),
                    )?;
                    actions.reopened.push(repo.clone());
                } else if !same {
                    client.patch(
                        &format!("/repos/{issue_repo}/issues/{}", issue.number),
                        &json!({ "body": wanted }),
                    )?;
                    actions.updated.push(repo.clone());
                } else {
                    actions.unchanged.push(repo.clone());
                }
            }
        }
    }
    Ok(actions)
}
