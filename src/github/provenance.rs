//! Collects what `livegate deploy` needs from GitHub: the environment's
//! latest successful deployment, the branch tip, ancestry through the compare
//! API, force pushes and deletions from the repository activity, and — in
//! batched GraphQL queries — the merged pull requests associated with each
//! landing commit, with their reviews, dismissals, commits and files.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{json, Value};

use super::client::{ApiError, Client};
use crate::facts::provenance::{CommitSignature, ControlChange, Dismissal, MergedPullRequest, ReviewRecord, Rewrite};
use crate::facts::Unknown;

/// Landing commits per GraphQL query. With five pull requests per commit and
/// pages of 100 reviews, dismissals, commits and files each, a query asks for
/// at most 200,500 nodes, within GitHub's 500,000.
pub const COMMITS_PER_QUERY: usize = 100;
/// A batch GitHub keeps failing (502, a timeout) is split down to this size
/// before the run gives up.
pub const SMALLEST_BATCH: usize = 12;
/// Associated pull requests read per commit.
pub const PRS_PER_COMMIT: usize = 5;

const READ_PERMISSION: &str =
    "Contents, Pull requests and Deployments: read (fine-grained token or GitHub App), or repo (classic token)";

/// An environment's deployment whose latest status is `success`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub deployment_id: u64,
    pub sha: String,
    pub created_at: String,
}

#[derive(Debug, Deserialize)]
struct Deployment {
    id: u64,
    sha: String,
    created_at: String,
}

#[derive(Debug, Deserialize)]
struct DeploymentStatus {
    state: String,
}

/// Deployments to read, newest first, before concluding that none succeeded.
pub const DEPLOYMENTS_SCANNED: usize = 30;

/// The newest deployment to `environment` whose latest status is `success`
/// (production deployments are not set inactive automatically, so the
/// statuses are read, not the deployment list alone).
pub fn latest_successful_deployment(
    client: &Client,
    full: &str,
    environment: &str,
) -> Result<Option<Baseline>, ApiError> {
    let endpoint = format!(
        "/repos/{full}/deployments?environment={}&per_page={DEPLOYMENTS_SCANNED}",
        encode(environment)
    );
    let deployments: Vec<Deployment> = client.get(&endpoint)?.json(&endpoint)?;
    for deployment in deployments {
        let endpoint = format!("/repos/{full}/deployments/{}/statuses?per_page=1", deployment.id);
        let statuses: Vec<DeploymentStatus> = client.get(&endpoint)?.json(&endpoint)?;
        if statuses.first().is_some_and(|s| s.state == "success") {
            return Ok(Some(Baseline {
                deployment_id: deployment.id,
                sha: deployment.sha,
                created_at: deployment.created_at,
            }));
        }
    }
    Ok(None)
}

#[derive(Debug, Deserialize)]
struct GitRef {
    object: GitObject,
}

#[derive(Debug, Deserialize)]
struct GitObject {
    sha: String,
}

/// The commit a branch points to now.
pub fn branch_tip(client: &Client, full: &str, branch: &str) -> Result<String, ApiError> {
    let endpoint = format!("/repos/{full}/git/ref/heads/{}", encode_path(branch));
    let found: GitRef = client.get(&endpoint)?.json(&endpoint)?;
    Ok(found.object.sha)
}

#[derive(Debug, Deserialize)]
struct Comparison {
    status: String,
}

/// The compare API's `status` of `head` against `base`: `ahead` or
/// `identical` when `base` is an ancestor of `head`.
pub fn compare_status(client: &Client, full: &str, base: &str, head: &str) -> Result<String, ApiError> {
    let endpoint = format!("/repos/{full}/compare/{base}...{head}?per_page=1");
    let comparison: Comparison = client.get(&endpoint)?.json(&endpoint)?;
    Ok(comparison.status)
}

#[derive(Debug, Deserialize)]
struct ComparePage {
    status: String,
    merge_base_commit: Option<ParentRef>,
    total_commits: usize,
    commits: Vec<CompareCommit>,
    #[serde(default)]
    files: Vec<ChangedFile>,
}

#[derive(Debug, Deserialize)]
struct CompareCommit {
    sha: String,
    commit: CommitMessage,
    parents: Vec<ParentRef>,
}

#[derive(Debug, Deserialize)]
struct CommitMessage {
    message: String,
}

#[derive(Debug, Deserialize)]
struct ParentRef {
    sha: String,
}

/// A changed file of a comparison (GitHub's `diff-entry`).
#[derive(Debug, Clone, Deserialize)]
pub struct ChangedFile {
    pub filename: String,
    pub status: String,
    #[serde(default)]
    pub patch: Option<String>,
}

/// The commits of `base...head` (each with its parents and message) and the
/// changed files, when no clone has them.
#[derive(Debug, Default)]
pub struct RemoteRange {
    pub status: String,
    /// Where the compared histories meet: the base itself unless they diverged.
    pub merge_base: Option<String>,
    pub commits: Vec<(String, Vec<String>, String)>,
    pub files: Vec<ChangedFile>,
}

/// GitHub lists at most this many files of a comparison.
pub const MAX_COMPARE_FILES: usize = 300;

/// Every commit of a comparison, page by page (`per_page=100`), and its files
/// (listed on the first page only).
pub fn compare_range(client: &Client, full: &str, base: &str, head: &str) -> Result<RemoteRange, ApiError> {
    let mut range = RemoteRange::default();
    for page in 1.. {
        let endpoint = format!("/repos/{full}/compare/{base}...{head}?per_page=100&page={page}");
        let answer: ComparePage = client.get(&endpoint)?.json(&endpoint)?;
        if page == 1 {
            range.status = answer.status;
            range.merge_base = answer.merge_base_commit.map(|c| c.sha);
            range.files = answer.files;
        }
        let listed = answer.commits.len();
        range.commits.extend(
            answer
                .commits
                .into_iter()
                .map(|c| (c.sha, c.parents.into_iter().map(|p| p.sha).collect(), c.commit.message)),
        );
        if listed == 0 || range.commits.len() >= answer.total_commits {
            break;
        }
        if page == 100 {
            return Err(ApiError::TooManyPages {
                endpoint: format!("GET /repos/{full}/compare/{base}...{head}"),
                pages: page,
            });
        }
    }
    Ok(range)
}

/// The repository's default branch (`GET /repos/{owner}/{repo}`).
pub fn default_branch(client: &Client, full: &str) -> Result<String, ApiError> {
    let endpoint = format!("/repos/{full}");
    let repo: crate::github::models::Repository = client.get(&endpoint)?.json(&endpoint)?;
    Ok(repo.default_branch)
}

#[derive(Debug, Deserialize)]
struct ListedCommit {
    sha: String,
}

/// The commits reachable from `head` that changed `path`, as GitHub's commit
/// list filtered by path gives them — every page: the list is ordered by
/// commit date, which whoever made a commit chose, so stopping at the
/// baseline's date could miss one. Policy files change rarely: one page.
pub fn commits_touching(client: &Client, full: &str, head: &str, path: &str) -> Result<Vec<String>, ApiError> {
    let endpoint = format!("/repos/{full}/commits?sha={head}&path={path}");
    Ok(client
        .get_all::<ListedCommit>(&endpoint)?
        .into_iter()
        .map(|c| c.sha)
        .collect())
}

#[derive(Debug, Deserialize)]
struct Activity {
    before: String,
    after: String,
    timestamp: String,
    activity_type: String,
    actor: Option<Actor>,
}

#[derive(Debug, Deserialize)]
struct Actor {
    login: String,
}

/// Force pushes and deletions of `branch` at or after `since` (ISO 8601),
/// newest first; pages are read until an older entry appears.
pub fn rewrites_since(client: &Client, full: &str, branch: &str, since: &str) -> Result<Vec<Rewrite>, ApiError> {
    let mut found = Vec::new();
    for kind in ["force_push", "branch_deletion"] {
        let endpoint = format!(
            "/repos/{full}/activity?ref={}&activity_type={kind}",
            encode(&format!("refs/heads/{branch}"))
        );
        client.for_each_page(&endpoint, |page: Vec<Activity>| {
            let mut older = false;
            for activity in page {
                if activity.timestamp.as_str() < since {
                    older = true;
                    continue;
                }
                found.push(Rewrite {
                    kind: activity.activity_type,
                    actor: activity.actor.map(|a| a.login),
                    at: activity.timestamp,
                    before: activity.before,
                    after: activity.after,
                });
            }
            !older
        })?;
    }
    found.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(found)
}

#[derive(Debug, Deserialize)]
struct RulesetSummary {
    name: String,
    #[serde(default)]
    source_type: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// Rulesets of the repository (its organisation's included) created or
/// updated at or after `since` (ISO 8601), from the ruleset list's own
/// timestamps: one request for any number of rulesets.
pub fn rulesets_changed_since(client: &Client, full: &str, since: &str) -> Result<Vec<ControlChange>, ApiError> {
    let rulesets: Vec<RulesetSummary> = client.get_all(&format!("/repos/{full}/rulesets?includes_parents=true"))?;
    let mut changes: Vec<ControlChange> = rulesets
        .into_iter()
        .filter_map(|r| {
            let created = r.created_at.as_deref().is_some_and(|t| t >= since);
            let at = r.updated_at.clone().or(r.created_at.clone())?;
            (at.as_str() >= since || created).then(|| ControlChange {
                ruleset: r.name,
                source: r.source_type.unwrap_or_else(|| "Repository".to_owned()),
                at,
                created,
            })
        })
        .collect();
    changes.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.ruleset.cmp(&b.ruleset)));
    Ok(changes)
}

/// Merged pull requests associated with commits, and the GraphQL cost.
#[derive(Debug, Default)]
pub struct Associations {
    /// Per commit, the numbers of its associated pull requests merged into the branch.
    pub by_commit: BTreeMap<String, Vec<u64>>,
    pub pull_requests: BTreeMap<u64, MergedPullRequest>,
    pub unknowns: Vec<Unknown>,
    pub queries: usize,
    /// Sum of `rateLimit.cost`, and the last `rateLimit.remaining` seen.
    pub cost: u64,
    pub remaining: Option<u64>,
}

/// The lists of a pull request that are read page by page: (field, its
/// arguments besides the page, the selection of a node).
pub const PULL_REQUEST_LISTS: &[(&str, &str, &str)] = &[
    (
        "reviews",
        "",
        "id state submittedAt author { __typename login } commit { oid }",
    ),
    (
        "timelineItems",
        "itemTypes: [REVIEW_DISMISSED_EVENT]",
        "... on ReviewDismissedEvent { createdAt previousReviewState review { id } }",
    ),
    (
        "commits",
        "",
        "commit { oid author { user { login } } committer { user { login } } }",
    ),
    ("files", "", "path"),
];

/// Nodes per page of every list (GitHub's maximum).
pub const PAGE: usize = 100;
/// Rounds of follow-up queries for lists longer than a page (GitHub lists at
/// most 3,000 files and 250 commits of a pull request).
pub const MAX_FOLLOW_UPS: usize = 30;
/// Lists continued in one follow-up query.
pub const LISTS_PER_FOLLOW_UP: usize = 20;

fn list_selection(field: &str, arguments: &str, node: &str, after: Option<&str>) -> String {
    let mut args = format!("first: {PAGE}");
    if !arguments.is_empty() {
        args.push_str(", ");
        args.push_str(arguments);
    }
    if let Some(cursor) = after {
        args.push_str(&format!(", after: {}", Value::String(cursor.to_owned())));
    }
    format!("{field}({args}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {node} }} }}")
}

/// The selection of one associated pull request.
pub fn pull_request_fragment() -> String {
    let mut fragment = String::from(
        "fragment landedBy on PullRequest {\n  number\n  title\n  merged\n  mergedAt\n  baseRefName\n  headRefOid\n  author { __typename login }\n  mergedBy { login }\n  mergeCommit { oid signature { isValid state wasSignedByGitHub } }\n",
    );
    for (field, arguments, node) in PULL_REQUEST_LISTS {
        fragment.push_str(&format!("  {}\n", list_selection(field, arguments, node, None)));
    }
    fragment.push_str("}\n");
    fragment
}

/// The query for one batch of commits: each commit an alias `c<i>`.
pub fn associations_query(shas: &[String]) -> String {
    let mut query = String::from(
        "query($owner: String!, $name: String!) {\n  rateLimit { cost remaining resetAt }\n  repository(owner: $owner, name: $name) {\n",
    );
    for (i, sha) in shas.iter().enumerate() {
        query.push_str(&format!(
            "    c{i}: object(oid: \"{sha}\") {{ ... on Commit {{ oid associatedPullRequests(first: {PRS_PER_COMMIT}) {{ pageInfo {{ hasNextPage }} nodes {{ ...landedBy }} }} }} }}\n"
        ));
    }
    query.push_str("  }\n}\n");
    query.push_str(&pull_request_fragment());
    query
}

/// A follow-up query: the next page of each (pull request, list, cursor).
pub fn follow_up_query(pages: &[(u64, usize, String)]) -> String {
    let mut query = String::from(
        "query($owner: String!, $name: String!) {\n  rateLimit { cost remaining resetAt }\n  repository(owner: $owner, name: $name) {\n",
    );
    for (i, (number, list, cursor)) in pages.iter().enumerate() {
        let (field, arguments, node) = PULL_REQUEST_LISTS[*list];
        query.push_str(&format!(
            "    l{i}: pullRequest(number: {number}) {{ {} }}\n",
            list_selection(field, arguments, node, Some(cursor))
        ));
    }
    query.push_str("  }\n}\n");
    query
}

/// The merged pull requests into `branch` associated with each commit, in
/// batches; a batch GitHub cannot answer is split before giving up.
pub fn associated_pull_requests(
    client: &Client,
    owner: &str,
    name: &str,
    branch: &str,
    shas: &[String],
) -> Result<Associations, ApiError> {
    let mut out = Associations::default();
    let mut raw: BTreeMap<u64, Value> = BTreeMap::new();
    let mut pending: Vec<&[String]> = shas.chunks(COMMITS_PER_QUERY).rev().collect();
    while let Some(batch) = pending.pop() {
        let query = associations_query(batch);
        out.queries += 1;
        let data = match client.graphql(&query, &json!({ "owner": owner, "name": name })) {
            Ok(data) => data,
            Err(ApiError::Unavailable { .. }) if batch.len() > SMALLEST_BATCH => {
                let (first, second) = batch.split_at(batch.len() / 2);
                pending.push(second);
                pending.push(first);
                continue;
            }
            Err(err) => return Err(err),
        };
        if let Some(cost) = data["rateLimit"]["cost"].as_u64() {
            out.cost += cost;
        }
        out.remaining = data["rateLimit"]["remaining"].as_u64().or(out.remaining);
        let repository = &data["repository"];
        if repository.is_null() {
            return Err(ApiError::NotFound {
                endpoint: "POST /graphql".to_owned(),
                message: format!("repository {owner}/{name} not found"),
            });
        }
        for (i, sha) in batch.iter().enumerate() {
            let commit = &repository[format!("c{i}")];
            if commit.is_null() {
                out.unknowns.push(Unknown {
                    reason: format!("commit {sha} is not on GitHub's copy of {owner}/{name}"),
                    permission: READ_PERMISSION.to_owned(),
                });
                continue;
            }
            let associated = &commit["associatedPullRequests"];
            if associated["pageInfo"]["hasNextPage"].as_bool() != Some(false) {
                out.unknowns.push(Unknown {
                    reason: format!("commit {sha} has more than {PRS_PER_COMMIT} associated pull requests"),
                    permission: READ_PERMISSION.to_owned(),
                });
            }
            let mut numbers = Vec::new();
            for node in associated["nodes"].as_array().into_iter().flatten() {
                if node["merged"].as_bool() != Some(true) || node["baseRefName"].as_str() != Some(branch) {
                    continue;
                }
                let number = node["number"].as_u64().unwrap_or_default();
                numbers.push(number);
                raw.entry(number).or_insert_with(|| node.clone());
            }
            out.by_commit.insert(sha.clone(), numbers);
        }
    }
    follow_pages(client, owner, name, &mut raw, &mut out)?;
    out.pull_requests = raw.values().map(pull_request).map(|pr| (pr.number, pr)).collect();
    Ok(out)
}

/// Reads the rest of every list longer than a page, in batched follow-up
/// queries, appending to the raw pull requests; a list still unfinished after
/// `MAX_FOLLOW_UPS` rounds stays marked (and fails closed).
fn follow_pages(
    client: &Client,
    owner: &str,
    name: &str,
    raw: &mut BTreeMap<u64, Value>,
    out: &mut Associations,
) -> Result<(), ApiError> {
    for _ in 0..MAX_FOLLOW_UPS {
        let mut pending = Vec::new();
        for (number, node) in raw.iter() {
            for (list, (field, _, _)) in PULL_REQUEST_LISTS.iter().enumerate() {
                let info = &node[*field]["pageInfo"];
                if info["hasNextPage"].as_bool() == Some(true) {
                    if let Some(cursor) = info["endCursor"].as_str() {
                        pending.push((*number, list, cursor.to_owned()));
                    }
                }
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        for batch in pending.chunks(LISTS_PER_FOLLOW_UP) {
            out.queries += 1;
            let data = client.graphql(&follow_up_query(batch), &json!({ "owner": owner, "name": name }))?;
            if let Some(cost) = data["rateLimit"]["cost"].as_u64() {
                out.cost += cost;
            }
            out.remaining = data["rateLimit"]["remaining"].as_u64().or(out.remaining);
            for (i, (number, list, _)) in batch.iter().enumerate() {
                let field = PULL_REQUEST_LISTS[*list].0;
                let page = &data["repository"][format!("l{i}")][field];
                let Some(node) = raw.get_mut(number) else { continue };
                if page.is_null() {
                    // Nothing more can be read: leave the list marked unfinished.
                    node[field]["pageInfo"]["endCursor"] = Value::Null;
                    continue;
                }
                let mut nodes = node[field]["nodes"].as_array().cloned().unwrap_or_default();
                nodes.extend(page["nodes"].as_array().cloned().unwrap_or_default());
                node[field]["nodes"] = Value::Array(nodes);
                node[field]["pageInfo"] = page["pageInfo"].clone();
            }
        }
    }
    Ok(())
}

fn login(actor: &Value) -> Option<String> {
    actor["login"].as_str().map(str::to_owned)
}

fn incomplete(number: u64, connection: &Value, what: &str, out: &mut Vec<Unknown>) {
    if connection["pageInfo"]["hasNextPage"].as_bool() != Some(false) {
        let read = connection["nodes"].as_array().map_or(0, Vec::len);
        out.push(Unknown {
            reason: format!("#{number} has more {what} than the {read} that could be read"),
            permission: "nothing: GitHub did not give the rest of the list".to_owned(),
        });
    }
}

fn pull_request(node: &Value) -> MergedPullRequest {
    let number = node["number"].as_u64().unwrap_or_default();
    let mut unknowns = Vec::new();
    let reviews = node["reviews"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| ReviewRecord {
            id: r["id"].as_str().unwrap_or_default().to_owned(),
            login: login(&r["author"]).unwrap_or_else(|| "ghost".to_owned()),
            is_bot: r["author"]["__typename"].as_str() == Some("Bot"),
            state: r["state"].as_str().unwrap_or_default().to_owned(),
            commit: r["commit"]["oid"].as_str().map(str::to_owned),
            submitted_at: r["submittedAt"].as_str().map(str::to_owned),
        })
        .collect();
    incomplete(number, &node["reviews"], "reviews", &mut unknowns);
    let dismissals = node["timelineItems"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Dismissal {
                review_id: e["review"]["id"].as_str()?.to_owned(),
                at: e["createdAt"].as_str()?.to_owned(),
                previous_state: e["previousReviewState"].as_str()?.to_owned(),
            })
        })
        .collect();
    incomplete(number, &node["timelineItems"], "review dismissals", &mut unknowns);
    let mut commit_people = BTreeSet::new();
    let mut last_pusher = None;
    for c in node["commits"]["nodes"].as_array().into_iter().flatten() {
        let author = login(&c["commit"]["author"]["user"]);
        let committer = login(&c["commit"]["committer"]["user"]);
        commit_people.extend(author.iter().cloned());
        commit_people.extend(committer.iter().filter(|c| *c != "web-flow").cloned());
        last_pusher = committer.filter(|c| c != "web-flow").or(author);
    }
    incomplete(number, &node["commits"], "commits", &mut unknowns);
    let files = node["files"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    incomplete(number, &node["files"], "files", &mut unknowns);
    MergedPullRequest {
        number,
        title: node["title"].as_str().unwrap_or_default().to_owned(),
        author: login(&node["author"]).unwrap_or_else(|| "ghost".to_owned()),
        base_ref: node["baseRefName"].as_str().unwrap_or_default().to_owned(),
        merged_at: node["mergedAt"].as_str().unwrap_or_default().to_owned(),
        merged_by: login(&node["mergedBy"]),
        head_sha: node["headRefOid"].as_str().unwrap_or_default().to_owned(),
        merge_commit: node["mergeCommit"]["oid"].as_str().map(str::to_owned),
        merge_signature: node["mergeCommit"]["signature"]
            .as_object()
            .map(|signature| CommitSignature {
                valid: signature.get("isValid").and_then(Value::as_bool) == Some(true),
                state: signature
                    .get("state")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                by_github: signature.get("wasSignedByGitHub").and_then(Value::as_bool) == Some(true),
            }),
        reviews,
        dismissals,
        commit_people,
        files,
        last_pusher,
        codeowners: None,
        incomplete: unknowns,
    }
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn encode_path(text: &str) -> String {
    text.split('/').map(encode).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_query_names_each_commit_once() {
        let query = associations_query(&["a".repeat(40), "b".repeat(40)]);
        assert!(query.contains("c0: object(oid: \"aaaa"));
        assert!(query.contains("c1: object(oid: \"bbbb"));
        assert_eq!(query.matches("fragment landedBy").count(), 1);
    }

    #[test]
    fn environments_and_refs_are_encoded() {
        assert_eq!(encode("prod eu/1"), "prod%20eu%2F1");
        assert_eq!(encode_path("release/1.x"), "release/1.x");
    }
}
