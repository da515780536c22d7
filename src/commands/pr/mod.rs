//! `livegate pr`: no pull request merges without real review. Everything the
//! verdict depends on is read through GitHub's API — the pull request, its
//! reviews, files and commits, and the policy and CODEOWNERS of the base
//! branch — so the pull request's own changes cannot alter the gate that
//! judges it. Collection is `collect`, the judgement `checks::review::evaluate`,
//! the change's leak scan `change_scan`, and `--status` is `status`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::checks::review::{self};
use crate::github::client::{ApiError, Client, ClientOptions};
use crate::policy::{self};
use crate::report::finding::{sort_findings, Finding, Severity};
use crate::report::{Format, Report};

mod change_scan;
mod collect;
mod status;

use super::shared::{color_for, deliver, online_setup, Outcome};
use change_scan::leak_scan;
use collect::collect;
pub(crate) use collect::{permissions as reviewer_permissions, read_file};
use status::post_status;

/// GitHub lists at most this many files of a pull request.
pub const MAX_LISTED_FILES: u64 = 3000;
/// GitHub lists at most this many commits of a pull request.
pub const MAX_LISTED_COMMITS: u64 = 250;
/// The commit-status context `--status` posts.
pub const STATUS_CONTEXT: &str = "livegate/review";
#[derive(Debug, Clone)]
pub struct PrSettings {
    pub owner: String,
    pub name: String,
    pub number: u64,
    /// A local policy file instead of the base branch's (the operator's choice).
    pub policy: Option<PathBuf>,
    /// A local clone to take the change's content from when it has both commits.
    pub checkout: PathBuf,
    pub format: Format,
    pub fail_on: Severity,
    pub color: bool,
    pub status: bool,
    /// Link for the commit status (the Actions run), if known.
    pub target_url: Option<String>,
    /// On a `merge_group` event, the group's head commit: the merge queue
    /// waits for the status there, not on the pull request's head.
    pub merge_group_sha: Option<String>,
    pub emit: Vec<crate::report::Emit>,
    pub view: crate::report::view::View,
    pub client: ClientOptions,
}

/// Errors that are the caller's to fix (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PrError {
    #[error("{0}")]
    Api(ApiError),
    #[error("pull request {repo}#{number} not found, or not visible to this token ({detail}); check --repo/--number and the token's repository access")]
    NotFound { repo: String, number: u64, detail: String },
    #[error("the base branch's policy is invalid, so the gate cannot be applied: {0}")]
    Policy(policy::PolicyError),
    #[error("{0}")]
    Other(String),
}

/// The repository and pull request number of a GitHub Actions event.
pub fn from_event(event_name: &str, payload: &Value) -> Result<(String, u64), String> {
    let repo = payload["repository"]["full_name"]
        .as_str()
        .ok_or("the event payload has no repository.full_name")?
        .to_owned();
    match event_name {
        "pull_request" | "pull_request_target" | "pull_request_review" | "pull_request_review_comment" => {
            let number = payload["pull_request"]["number"]
                .as_u64()
                .or_else(|| payload["number"].as_u64())
                .ok_or(format!("the {event_name} event payload has no pull_request.number"))?;
            Ok((repo, number))
        }
        "merge_group" => {
            // refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>
            let head_ref = payload["merge_group"]["head_ref"]
                .as_str()
                .ok_or("the merge_group event payload has no merge_group.head_ref")?;
            let number = head_ref
                .rsplit('/')
                .next()
                .and_then(|last| last.strip_prefix("pr-"))
                .and_then(|rest| rest.split('-').next())
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or(format!(
                    "merge_group.head_ref `{head_ref}` does not name a pull request (expected .../pr-<number>-<sha>)"
                ))?;
            Ok((repo, number))
        }
        other => Err(format!(
            "event `{other}` is not a pull request event; run on pull_request, pull_request_target, \
             pull_request_review or merge_group, or pass --repo and --number"
        )),
    }
}

/// The head commit of a `merge_group` event's group (`merge_group.head_sha`).
pub fn merge_group_sha(event_name: &str, payload: &Value) -> Result<Option<String>, String> {
    if event_name != "merge_group" {
        return Ok(None);
    }
    let sha = payload["merge_group"]["head_sha"]
        .as_str()
        .ok_or("the merge_group event payload has no merge_group.head_sha")?;
    if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("merge_group.head_sha `{sha}` is not a commit sha"));
    }
    Ok(Some(sha.to_ascii_lowercase()))
}

/// What the run produced, before rendering.
pub struct PrRun {
    pub findings: Vec<Finding>,
    pub details: String,
    pub details_markdown: String,
    pub extra: Value,
    pub log: Vec<String>,
    pub head_sha: Option<String>,
}

impl PrRun {
    /// The report of this run: what `livegate pr` renders and what the App's
    /// check run summarises. Findings are sorted first, as every report's are.
    pub fn report(&mut self, fail_on: Severity, view: crate::report::view::View) -> Report<'_> {
        sort_findings(&mut self.findings);
        Report {
            command: "pr",
            findings: &self.findings,
            stats: None,
            fail_on,
            details: Some(&self.details),
            details_markdown: Some(&self.details_markdown),
            extra: Some(&self.extra),
            view,
            baseline_written: None,
        }
    }
}

fn finish_unverified(client: &Client, findings: Vec<Finding>, full: &str, number: u64) -> PrRun {
    let stats = client.stats();
    PrRun {
        findings,
        details: String::new(),
        details_markdown: String::new(),
        extra: json!({
            "api": { "requests": stats.requests, "conditional_hits": stats.conditional_hits, "retries": stats.retries },
            "pull_request": { "repository": full, "number": number },
        }),
        log: Vec::new(),
        head_sha: None,
    }
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.chars().count())))
}

pub(crate) fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        let mut text = String::from(" ");
        for (i, cell) in cells.into_iter().enumerate() {
            text.push(' ');
            if i == last {
                text.push_str(&cell);
            } else {
                text.push_str(&pad(&cell, widths[i]));
                text.push(' ');
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    out.push_str(&line(headers.iter().map(|h| h.to_string()).collect()));
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

pub(crate) fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(crate) fn md_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|{}\n", headers.join(" | "), " --- |".repeat(headers.len()));
    for row in rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}

/// Runs collection, evaluation and the leak scan.
pub fn collect_and_evaluate(client: &Client, settings: &PrSettings) -> Result<PrRun, PrError> {
    let full = format!("{}/{}", settings.owner, settings.name);
    let collected = match collect(client, settings)? {
        Ok(collected) => collected,
        Err(findings) => return Ok(finish_unverified(client, findings, &full, settings.number)),
    };
    let evaluation = review::evaluate(&collected.review_policy, &collected.facts);
    let mut findings = evaluation.findings.clone();
    let (leaks, leak_how) = leak_scan(client, settings, &collected);
    let leak_count = leaks.len();
    findings.extend(leaks);

    let pr = &collected.pr;
    let facts = &collected.facts;
    let policy = &collected.review_policy;
    let mut details = String::new();
    let _ = writeln!(
        details,
        "{full}#{} \"{}\" by @{}: head {} into {}",
        pr.number,
        pr.title,
        facts.author,
        review::short(&pr.head.sha),
        pr.base.name
    );
    let _ = writeln!(details, "policy: {}", collected.policy_source.describe);
    let _ = writeln!(
        details,
        "approvals: {} of {} counted (stale approvals {}; min-permission {:?}; code owners {}; last push {})",
        evaluation.approvals,
        evaluation.required,
        if policy.dismiss_stale { "do not count" } else { "count" },
        format!("{:?}", policy.min_permission).to_lowercase(),
        if policy.require_code_owner_review {
            "required"
        } else {
            "not required"
        },
        if policy.require_last_push_approval {
            "needs another approver"
        } else {
            "not checked"
        },
    );
    let reviewer_rows: Vec<Vec<String>> = evaluation
        .reviewers
        .iter()
        .map(|r| {
            vec![
                format!("@{}", r.login),
                r.state.clone(),
                r.commit.as_deref().map(review::short).unwrap_or("-").to_owned(),
                if r.counts { "yes" } else { "no" }.to_owned(),
                r.reason.clone(),
            ]
        })
        .collect();
    let headers = ["reviewer", "state", "commit", "counts", "why"];
    if reviewer_rows.is_empty() {
        details.push_str("  (no reviews)\n");
    } else {
        details.push_str(&text_table(&headers, &reviewer_rows));
    }
    let rule_rows: Vec<Vec<String>> = evaluation
        .rules
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                format!("{} of {}", r.approvals, r.required),
                if r.who.is_empty() {
                    "-".to_owned()
                } else {
                    r.who.clone()
                },
                if r.met { "met" } else { "NOT MET" }.to_owned(),
                r.files.join(", "),
            ]
        })
        .collect();
    let rule_headers = ["rule", "approvals", "from", "status", "files"];
    if !rule_rows.is_empty() {
        details.push_str("requirements:\n");
        details.push_str(&text_table(&rule_headers, &rule_rows));
    }
    let leak_findings = crate::report::count(leak_count, "finding", "findings");
    let _ = writeln!(details, "{leak_how}: {leak_findings}");
    for note in &collected.notes {
        let _ = writeln!(details, "note: {note}");
    }

    let mut markdown = format!(
        "**{full}#{}** by @{} — head `{}` into `{}`  \nPolicy: {}\n\n**Approvals: {} of {} counted**\n\n",
        pr.number,
        md_cell(&facts.author),
        review::short(&pr.head.sha),
        md_cell(&pr.base.name),
        md_cell(&collected.policy_source.describe),
        evaluation.approvals,
        evaluation.required
    );
    if reviewer_rows.is_empty() {
        markdown.push_str("No reviews yet.\n");
    } else {
        markdown.push_str(&md_table(&headers, &reviewer_rows));
    }
    if !rule_rows.is_empty() {
        markdown.push_str("\n**Requirements**\n\n");
        markdown.push_str(&md_table(&rule_headers, &rule_rows));
    }
    let _ = write!(markdown, "\n{}: {leak_findings}\n", md_cell(&leak_how));
    for note in &collected.notes {
        let _ = writeln!(markdown, "\n> note: {}", md_cell(note));
    }

    let stats = client.stats();
    let extra = json!({
        "api": { "requests": stats.requests, "conditional_hits": stats.conditional_hits, "retries": stats.retries },
        "pull_request": {
            "repository": full,
            "number": pr.number,
            "state": pr.state,
            "author": facts.author,
            "head_sha": pr.head.sha,
            "base_ref": pr.base.name,
            "base_sha": pr.base.sha,
            "files": collected.diff.len(),
            "policy": collected.policy_source.describe,
        },
        "review": evaluation,
        "notes": collected.notes,
    });
    Ok(PrRun {
        findings,
        details,
        details_markdown: markdown,
        extra,
        log: Vec::new(),
        head_sha: Some(pr.head.sha.clone()),
    })
}

/// The whole command: (rendered report, markdown summary, log lines, exit code).
pub fn judge(settings: &PrSettings) -> Result<(String, String, Vec<String>, i32), String> {
    let client = Client::new(settings.client.clone()).map_err(|e| e.to_string())?;
    let scrub = crate::sanitize::scrub;
    let mut run = collect_and_evaluate(&client, settings).map_err(|e| scrub(&e.to_string()))?;
    let report = run.report(settings.fail_on, settings.view);
    let verdict = report.verdict();
    let rendered = crate::report::render(settings.format, &report, settings.color);
    // The step summary is the full record, whatever the terminal shows.
    let summary = crate::report::render(
        Format::Markdown,
        &Report {
            view: crate::report::view::View::default(),
            ..report
        },
        false,
    );
    crate::report::emit_all(&report, &settings.emit)?;
    let mut exit = verdict.exit_code();
    let mut log = run.log;
    if settings.status {
        match &run.head_sha {
            Some(sha) => {
                // The merge queue waits on the group's commit; the pull
                // request's page shows its head's.
                for sha in std::iter::once(sha).chain(settings.merge_group_sha.as_ref()) {
                    if let Err(err) = post_status(&client, settings, sha, verdict, &run.findings) {
                        log.push(scrub(&err));
                        if exit == 0 {
                            exit = crate::exit::ERROR;
                        }
                    }
                }
            }
            None => log.push("--status: the head commit is unknown, so no status was posted".to_owned()),
        }
    }
    Ok((rendered, summary, log, exit))
}

/// The pull request to judge: from the flags, else from the Actions event.
fn pr_target(args: &crate::cli::PrArgs) -> Result<(String, String, u64, Option<String>), String> {
    match (&args.repo, args.number) {
        (Some(repo), Some(number)) => {
            let (owner, name) = crate::cli::parse_repo("--repo", repo).map_err(|e| e.to_string())?;
            if number == 0 {
                return Err("--number: pull request numbers start at 1".to_owned());
            }
            Ok((owner, name, number, None))
        }
        _ => {
            let path = std::env::var_os("GITHUB_EVENT_PATH").ok_or(
                "no pull request given: pass --repo OWNER/NAME --number N, or run in GitHub Actions \
                 (GITHUB_EVENT_PATH names the event payload)",
            )?;
            let name = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
            let shown = Path::new(&path).display().to_string();
            let text = std::fs::read(&path).map_err(|err| format!("GITHUB_EVENT_PATH {shown}: cannot read: {err}"))?;
            let payload: serde_json::Value = serde_json::from_slice(&text).map_err(|err| {
                format!(
                    "GITHUB_EVENT_PATH {shown}:{}:{}: not JSON ({err})",
                    err.line(),
                    err.column()
                )
            })?;
            target_from_event(&name, &payload).map_err(|err| {
                format!(
                    "GITHUB_EVENT_PATH {shown} ({} event): {err}; or pass --repo OWNER/NAME --number N",
                    crate::sanitize::inline(&name)
                )
            })
        }
    }
}

/// The repository, pull request number and merge-group head of an Actions
/// event payload, each checked: a hostile or truncated payload is an error
/// naming the field, never a panic and never a guess.
pub fn target_from_event(event_name: &str, payload: &Value) -> Result<(String, String, u64, Option<String>), String> {
    let (full, number) = from_event(event_name, payload)?;
    let (owner, name) = crate::cli::parse_repo("repository.full_name", &full).map_err(|e| e.to_string())?;
    if number == 0 {
        return Err("the pull request number is 0; pull request numbers start at 1".to_owned());
    }
    Ok((owner, name, number, merge_group_sha(event_name, payload)?))
}

pub fn run(args: crate::cli::PrArgs, verbosity: crate::cli::Verbosity) -> Outcome {
    let (owner, name, number, merge_group_sha) = match pr_target(&args) {
        Ok(target) => target,
        Err(err) => return Outcome::error(err),
    };
    let (format, client) = match online_setup(&args.report, &args.github, verbosity) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    let target_url = match (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID")) {
        (Some(server), Some(repo), Some(run)) => Some(format!("{server}/{repo}/actions/runs/{run}")),
        _ => None,
    };
    let settings = PrSettings {
        owner,
        name,
        number,
        policy: args.policy.clone(),
        checkout: args.checkout.clone(),
        format,
        fail_on: args.report.output.fail_on.severity(),
        color: color_for(args.report.look.color, format, args.report.output.output.is_some()),
        status: args.status,
        target_url,
        merge_group_sha,
        emit: args.report.output.emit.clone(),
        view: super::shared::view(&args.report, verbosity),
        client,
    };
    let (rendered, summary, log, exit) = match judge(&settings) {
        Ok(done) => done,
        Err(err) => return Outcome::error(err),
    };
    let mut stderr: String = log.iter().map(|line| format!("livegate: {line}\n")).collect();
    let summary_file = args.summary.clone().or_else(|| {
        (format == Format::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from))
            .flatten()
    });
    if let Some(file) = summary_file {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, summary.as_bytes()));
        if let Err(err) = appended {
            stderr.push_str(&format!(
                "livegate: --summary {}: cannot write: {err}\n",
                file.display()
            ));
        }
    }
    deliver(rendered, stderr, exit, args.report.output.output.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_name_the_pull_request() {
        let payload = json!({"repository": {"full_name": "acme/api"}, "pull_request": {"number": 7}});
        assert_eq!(
            from_event("pull_request", &payload).unwrap(),
            ("acme/api".to_owned(), 7)
        );
        assert_eq!(from_event("pull_request_target", &payload).unwrap().1, 7);
        assert_eq!(from_event("pull_request_review", &payload).unwrap().1, 7);
        let group = json!({
            "repository": {"full_name": "acme/api"},
            "merge_group": {"head_ref": "refs/heads/gh-readonly-queue/main/pr-42-0123456789abcdef0123456789abcdef01234567"}
        });
        assert_eq!(from_event("merge_group", &group).unwrap().1, 42);
        let err = from_event("push", &payload).unwrap_err();
        assert!(err.contains("--repo and --number"), "{err}");
        let bad = json!({"repository": {"full_name": "acme/api"}, "merge_group": {"head_ref": "refs/heads/main"}});
        assert!(from_event("merge_group", &bad).unwrap_err().contains("pr-<number>"));
    }

    mod event_payloads {
        use proptest::prelude::*;
        use serde_json::{json, Value};

        use super::super::target_from_event;

        const EVENTS: &[&str] = &[
            "pull_request",
            "pull_request_target",
            "pull_request_review",
            "pull_request_review_comment",
            "merge_group",
            "push",
            "",
            "workflow_dispatch",
            "pull_request\u{1b}[31m",
        ];
        const KEYS: &[&str] = &[
            "repository",
            "full_name",
            "pull_request",
            "number",
            "merge_group",
            "head_ref",
            "head_sha",
            "base_ref",
        ];
        const STRINGS: &[&str] = &[
            "acme/api",
            "acme/api/extra",
            "../../etc",
            "acme/",
            "/api",
            "acme/a\u{202e}pi",
            "refs/heads/gh-readonly-queue/main/pr-42-0123456789abcdef0123456789abcdef01234567",
            "refs/heads/gh-readonly-queue/main/pr-0-x",
            "refs/heads/gh-readonly-queue/main/pr-99999999999999999999999-x",
            "refs/heads/gh-readonly-queue/main/pr--1-x",
            "0123456789abcdef0123456789abcdef01234567",
            "0123456789ABCDEF0123456789ABCDEF0123456Z",
            "",
        ];

        /// JSON values biased towards the fields an event payload is read for.
        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                any::<u64>().prop_map(|n| json!(n)),
                any::<f64>().prop_map(|n| json!(n)),
                prop::sample::select(STRINGS).prop_map(|s| json!(s)),
                any::<String>().prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec(
                        (
                            prop_oneof![prop::sample::select(KEYS).prop_map(str::to_owned), any::<String>()],
                            inner
                        ),
                        0..6
                    )
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
                ]
            })
        }

        /// Payloads that have the right overall shape with hostile field values.
        fn shaped() -> impl Strategy<Value = Value> {
            (value(), value(), value(), value()).prop_map(|(full_name, number, head_ref, head_sha)| {
                json!({
                    "repository": {"full_name": full_name},
                    "pull_request": {"number": number},
                    "number": number,
                    "merge_group": {"head_ref": head_ref, "head_sha": head_sha},
                })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_payload_gives_a_checked_target_or_an_error_naming_a_field(
                event in prop::sample::select(EVENTS),
                payload in prop_oneof![value(), shaped()],
            ) {
                match target_from_event(event, &payload) {
                    Ok((owner, name, number, group)) => {
                        let ok = |part: &str| !part.is_empty()
                            && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                        prop_assert!(ok(&owner) && ok(&name), "{owner}/{name}");
                        prop_assert!(number >= 1);
                        match group {
                            Some(sha) => {
                                prop_assert_eq!(event, "merge_group");
                                prop_assert!(sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
                            }
                            None => prop_assert_ne!(event, "merge_group"),
                        }
                    }
                    Err(message) => {
                        prop_assert!(!message.trim().is_empty());
                        let names_something = ["repository", "pull_request", "merge_group", "number", "event"]
                            .iter()
                            .any(|field| message.contains(field));
                        prop_assert!(names_something, "error names no field: {message}");
                    }
                }
            }
        }
    }
}
