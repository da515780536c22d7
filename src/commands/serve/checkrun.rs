//! The check run `livegate/review` through the Checks API: created
//! `in_progress` when work starts, then completed with the verdict, its
//! summary and one annotation per finding that points into a file. GitHub
//! takes at most 50 annotations per request, so further ones go in
//! additional updates before the one that completes the run.

use serde_json::{json, Value};

use super::webhook::{Job, CHECK_NAME};
use crate::github::client::{ApiError, Client};
use crate::report::finding::{Finding, Severity};
use crate::report::Verdict;
use crate::timestamp::{iso8601, now_secs};

/// GitHub's limit of annotations per create or update request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// GitHub's limit on `output.summary` (characters).
const MAX_SUMMARY_CHARS: usize = 65_535;
/// GitHub's limit on an annotation's title (characters).
const MAX_ANNOTATION_TITLE_CHARS: usize = 255;

/// What a finished check run says.
#[derive(Debug, Clone)]
pub struct Completion {
    pub conclusion: &'static str,
    pub title: String,
    pub summary: String,
    pub annotations: Vec<Value>,
}

/// The check-run conclusion of a verdict. "Could not verify" asks a person
/// to act; it is never `success`.
pub fn conclusion(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "success",
        Verdict::Fail => "failure",
        Verdict::Unverified => "action_required",
    }
}

/// The completion for a verdict and its findings, with `summary` (Markdown).
/// Findings about the pull request as a whole are located at `pull_request`
/// (`owner/name#N`): they are in the summary, not annotations.
pub fn completion(
    verdict: Verdict,
    findings: &[Finding],
    fail_on: Severity,
    summary: &str,
    pull_request: &str,
) -> Completion {
    let blocking = findings.iter().filter(|f| f.severity >= fail_on).count();
    let title = match verdict {
        Verdict::Pass => "Review requirements met".to_owned(),
        Verdict::Fail => format!(
            "Review requirements not met ({})",
            crate::report::count(blocking, "finding", "findings")
        ),
        Verdict::Unverified => "Could not verify the review".to_owned(),
    };
    Completion {
        conclusion: conclusion(verdict),
        title,
        summary: truncate(summary, MAX_SUMMARY_CHARS),
        annotations: annotations(findings, fail_on, pull_request),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let note = "\n\n… (truncated)";
    let keep = max - note.chars().count();
    text.chars().take(keep).collect::<String>() + note
}

/// One annotation per finding that points into a file.
fn annotations(findings: &[Finding], fail_on: Severity, pull_request: &str) -> Vec<Value> {
    findings
        .iter()
        .filter(|f| !f.location.path.is_empty() && f.location.path != pull_request)
        .map(|f| {
            let level = if f.severity >= fail_on {
                "failure"
            } else if f.severity == Severity::Note {
                "notice"
            } else {
                "warning"
            };
            // A finding on the whole file (line 0) is shown on its first line.
            let line = f.location.line.max(1);
            let mut annotation = json!({
                "path": f.location.path,
                "start_line": line,
                "end_line": line,
                "annotation_level": level,
                "message": format!("{}\n\nFix: {}", f.message, f.remediation),
                "title": truncate(&format!("{} {}", f.code(), f.check.id), MAX_ANNOTATION_TITLE_CHARS),
            });
            if f.location.line > 0 && f.location.column > 0 {
                annotation["start_column"] = json!(f.location.column);
                annotation["end_column"] = json!(f.location.column);
            }
            annotation
        })
        .collect()
}

fn endpoint(job: &Job) -> String {
    format!("/repos/{}/{}/check-runs", job.owner, job.name)
}

/// Creates the check run, `in_progress`, on the job's commit; returns its id.
pub fn start(client: &Client, job: &Job) -> Result<u64, ApiError> {
    let mut body = json!({
        "name": CHECK_NAME,
        "head_sha": job.target_sha,
        "status": "in_progress",
        "started_at": iso8601(now_secs()),
        "external_id": job.key,
        "output": {
            "title": "Checking the review",
            "summary": format!("livegate is judging {}#{} ({}).", job.repo(), job.number, job.event),
        },
    });
    // GitHub asks for a details page when the conclusion is `action_required`.
    if !job.details_url.is_empty() {
        body["details_url"] = json!(job.details_url);
    }
    let label = format!("POST {}", endpoint(job));
    let answer: Value = client.post(&endpoint(job), &body)?.json(&label)?;
    answer["id"].as_u64().ok_or(ApiError::Malformed {
        endpoint: label,
        detail: "the created check run has no id".to_owned(),
    })
}

/// Completes check run `id`: annotations beyond the first batch go in
/// updates that keep it in progress; the last update carries the conclusion.
/// Returns how many requests it took.
pub fn complete(client: &Client, job: &Job, id: u64, done: &Completion) -> Result<usize, ApiError> {
    let path = format!("{}/{id}", endpoint(job));
    let output = |batch: &[Value]| {
        json!({
            "title": done.title,
            "summary": done.summary,
            "annotations": batch,
        })
    };
    let mut batches: Vec<&[Value]> = done.annotations.chunks(ANNOTATIONS_PER_REQUEST).collect();
    let last = batches.pop().unwrap_or(&[]);
    for batch in &batches {
        client.patch(&path, &json!({ "output": output(batch) }))?;
    }
    let body = json!({
        "status": "completed",
        "conclusion": done.conclusion,
        "completed_at": iso8601(now_secs()),
        "output": output(last),
    });
    client.patch(&path, &body)?;
    Ok(batches.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::finding::Location;

    #[test]
    fn could_not_verify_is_never_success() {
        assert_eq!(conclusion(Verdict::Pass), "success");
        assert_eq!(conclusion(Verdict::Fail), "failure");
        assert_eq!(conclusion(Verdict::Unverified), "action_required");
    }

    #[test]
    fn findings_in_files_become_annotations_on_their_line() {
        let check = crate::registry::registry()
            .iter()
            .find(|c| c.code.starts_with("LG4"))
            .expect("a leak check");
        let findings = vec![
            Finding::new(check, Location::at("src/a.rs", 3, 0), "fixture data"),
            Finding::new(check, Location::file("src/b.rs"), "whole file"),
            Finding::new(check, Location::file(""), "not in a file"),
            Finding::new(check, Location::file("acme/api#7"), "about the pull request"),
        ];
        let done = completion(Verdict::Fail, &findings, Severity::Note, "summary", "acme/api#7");
        assert_eq!(done.annotations.len(), 2);
        assert_eq!(done.annotations[0]["start_line"], 3);
        assert_eq!(done.annotations[1]["start_line"], 1);
        assert_eq!(done.annotations[0]["annotation_level"], "failure");
        assert!(done.title.contains("4 findings"), "{}", done.title);
        let long = "x".repeat(70_000);
        let done = completion(Verdict::Pass, &[], Severity::Error, &long, "acme/api#7");
        assert!(done.summary.chars().count() <= 65_535);
    }
}
