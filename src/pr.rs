//! `livegate pr`: no pull request merges without real review. Everything the
//! verdict depends on is read through GitHub's API — the pull request, its
//! reviews, files and commits, and the policy and CODEOWNERS of the base
//! branch — so the pull request's own changes cannot alter the gate that
//! judges it. The judgement itself is `crate::review::evaluate`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::checks::protection::GITHUB_UNREADABLE;
use crate::facts::{Known, Unknown};
use crate::github::client::{ApiError, Auth, Client, ClientOptions};
use crate::policy::model::Permission;
use crate::policy::{self, Policy, POLICY_LOCATIONS};
use crate::report::finding::{sort_findings, Finding, Location, Severity};
use crate::report::{Format, Report, Verdict};
use crate::review::codeowners::{self, CodeOwners};
use crate::review::{self, PrFacts, ReviewFact, ReviewPolicy, REVIEW_UNVERIFIABLE};
use crate::scan::remote::{self, RemoteFile};
use crate::scan::{ScanMode, ScanOptions};

/// GitHub lists at most this many files of a pull request.
pub const MAX_LISTED_FILES: u64 = 3000;
/// GitHub lists at most this many commits of a pull request.
pub const MAX_LISTED_COMMITS: u64 = 250;
/// The commit-status context `--status` posts.
pub const STATUS_CONTEXT: &str = "livegate/review";
/// Collaborator pages read before falling back to one lookup per reviewer.
const COLLABORATOR_PAGES: usize = 3;
/// Reviewers looked up one by one rather than by listing collaborators.
const SINGLE_LOOKUPS: usize = 2;

const MEMBERS_PERMISSION: &str =
    "Members: read (organization permission of a fine-grained token or GitHub App), or read:org (classic token)";
const REPO_READ_PERMISSION: &str =
    "Pull requests: read and Contents: read (fine-grained token or GitHub App), or repo (classic token)";
const METADATA_PERMISSION: &str = "Metadata: read and push access (fine-grained), or repo (classic token)";

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
    pub emit: Vec<crate::report::Emit>,
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

// --- GitHub payloads (only the fields livegate reads) ----------------------

#[derive(Debug, Clone, Deserialize)]
struct User {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

impl User {
    fn is_bot(&self) -> bool {
        self.kind == "Bot" || self.login.ends_with("[bot]")
    }
}

#[derive(Debug, Clone, Deserialize)]
struct GitRef {
    sha: String,
    #[serde(rename = "ref")]
    name: String,
    /// Null when the head repository (a fork) was deleted.
    #[serde(default)]
    repo: Option<RepoName>,
}

#[derive(Debug, Clone, Deserialize)]
struct RepoName {
    full_name: String,
}

/// One entry of `GET /repos/{owner}/{repo}/activity`.
#[derive(Debug, Clone, Deserialize)]
struct Activity {
    after: String,
    activity_type: String,
    actor: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
struct PullRequest {
    number: u64,
    state: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    draft: Option<bool>,
    user: Option<User>,
    head: GitRef,
    base: GitRef,
    #[serde(default)]
    commits: Option<u64>,
    #[serde(default)]
    changed_files: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
struct Review {
    user: Option<User>,
    state: String,
    #[serde(default)]
    commit_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct DiffEntry {
    filename: String,
    status: String,
    #[serde(default)]
    previous_filename: Option<String>,
    #[serde(default)]
    patch: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct GitPerson {
    #[serde(default)]
    email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct GitCommit {
    #[serde(default)]
    message: String,
    #[serde(default)]
    author: Option<GitPerson>,
}

#[derive(Debug, Clone, Deserialize)]
struct CommitEntry {
    sha: String,
    commit: GitCommit,
    author: Option<User>,
    committer: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
struct ContentFile {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Permissions {
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    maintain: bool,
    #[serde(default)]
    push: bool,
    #[serde(default)]
    triage: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Collaborator {
    login: String,
    #[serde(default)]
    permissions: Option<Permissions>,
    #[serde(default)]
    role_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct PermissionAnswer {
    permission: String,
    #[serde(default)]
    role_name: Option<String>,
}

fn standard_role(name: &str) -> Option<Permission> {
    match name {
        "admin" => Some(Permission::Admin),
        "maintain" => Some(Permission::Maintain),
        "write" | "push" => Some(Permission::Write),
        "triage" => Some(Permission::Triage),
        "read" | "pull" => Some(Permission::Read),
        _ => None,
    }
}

impl Collaborator {
    /// The highest of the role name (all grants considered) and the base
    /// permissions hash (which also covers custom roles).
    fn permission(&self) -> Permission {
        let from_hash = self.permissions.as_ref().map_or(Permission::Read, |p| {
            if p.admin {
                Permission::Admin
            } else if p.maintain {
                Permission::Maintain
            } else if p.push {
                Permission::Write
            } else if p.triage {
                Permission::Triage
            } else {
                Permission::Read
            }
        });
        let from_role = self.role_name.as_deref().and_then(standard_role);
        from_role.map_or(from_hash, |role| role.max(from_hash))
    }
}

// --- Events -----------------------------------------------------------------

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

// --- Collection -------------------------------------------------------------

/// An API failure that means "could not verify" becomes a finding; the
/// caller's mistakes stay errors.
fn unverified(err: ApiError, what: &str, at: &Location) -> Result<Finding, PrError> {
    match err {
        ApiError::Unauthorized { .. } | ApiError::Setup(_) => Err(PrError::Api(err)),
        ApiError::Denied { .. } => Ok(Finding::new(
            &GITHUB_UNREADABLE,
            at.clone(),
            format!("could not read {what}: {err}; the token needs {REPO_READ_PERMISSION}"),
        )),
        _ => Ok(Finding::new(
            &GITHUB_UNREADABLE,
            at.clone(),
            format!("could not read {what}: {err}"),
        )),
    }
}

fn unknown_from(err: &ApiError, permission: &str) -> Unknown {
    Unknown {
        reason: err.to_string(),
        permission: permission.to_owned(),
    }
}

/// A file at a ref through the contents API: `Ok(None)` when it is absent.
fn read_file(client: &Client, full: &str, path: &str, git_ref: &str) -> Result<Option<String>, ApiError> {
    let endpoint = format!(
        "/repos/{full}/contents/{}?ref={}",
        encode_path(path),
        encode_component(git_ref)
    );
    match client.get(&endpoint) {
        Ok(response) => {
            let file: ContentFile = response.json(&endpoint)?;
            if file.kind != "file" {
                return Ok(None);
            }
            match (file.encoding.as_deref(), file.content) {
                (Some("base64"), Some(content)) => {
                    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .map_err(|err| ApiError::Malformed {
                            endpoint: format!("GET {endpoint}"),
                            detail: format!("content is not base64 ({err})"),
                        })?;
                    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
                }
                (encoding, _) => Err(ApiError::Malformed {
                    endpoint: format!("GET {endpoint}"),
                    detail: format!(
                        "no inline content (encoding {}); the file is larger than the contents API returns",
                        encoding.unwrap_or("none")
                    ),
                }),
            }
        }
        Err(ApiError::NotFound { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Who pushed the pull request's head commit, from the head repository's
/// activity (newest first); why not when it cannot be told.
fn pusher_of_head(client: &Client, pr: &PullRequest) -> Result<String, String> {
    let repo = pr
        .head
        .repo
        .as_ref()
        .ok_or("the head repository no longer exists")?
        .full_name
        .clone();
    let endpoint = format!(
        "/repos/{repo}/activity?ref={}&per_page=100",
        encode_component(&format!("refs/heads/{}", pr.head.name))
    );
    let activities: Vec<Activity> = client
        .get(&endpoint)
        .and_then(|response| response.json(&endpoint))
        .map_err(|err| err.to_string())?;
    let push = activities
        .iter()
        .find(|a| {
            a.after == pr.head.sha && matches!(a.activity_type.as_str(), "push" | "force_push" | "branch_creation")
        })
        .ok_or_else(|| {
            format!(
                "the newest {} activities of {repo} refs/heads/{} do not include the push of {}",
                activities.len(),
                pr.head.name,
                review::short(&pr.head.sha)
            )
        })?;
    push.actor.as_ref().map(|actor| actor.login.clone()).ok_or_else(|| {
        format!(
            "the push of {} was made by a deleted account",
            review::short(&pr.head.sha)
        )
    })
}

fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn encode_path(path: &str) -> String {
    path.split('/').map(encode_component).collect::<Vec<_>>().join("/")
}

/// Where the policy came from, for the report.
#[derive(Debug, Clone)]
struct PolicySource {
    describe: String,
}

/// The base branch's policy through the API (never the head's).
fn base_policy(client: &Client, full: &str, base_ref: &str) -> Result<(Policy, PolicySource), PolicyFetch> {
    let mut found = Vec::new();
    for location in POLICY_LOCATIONS {
        match read_file(client, full, location, base_ref) {
            Ok(Some(text)) => found.push((*location, text)),
            Ok(None) => {}
            Err(err) => return Err(PolicyFetch::Api(err)),
        }
    }
    match found.len() {
        0 => {
            let policy = policy::resolve(None).map_err(PolicyFetch::Invalid)?;
            let describe = format!("no policy file on {base_ref}: the standard preset");
            Ok((policy, PolicySource { describe }))
        }
        1 => {
            let (location, text) = found.remove(0);
            let origin = format!("{location}@{base_ref}");
            let parsed = policy::parse(&origin, &text).map_err(PolicyFetch::Invalid)?;
            let policy = policy::resolve(Some(parsed)).map_err(PolicyFetch::Invalid)?;
            let describe = format!("{location} on the base branch {base_ref}");
            Ok((policy, PolicySource { describe }))
        }
        _ => Err(PolicyFetch::Invalid(policy::PolicyError {
            origin: format!("{full}@{base_ref}"),
            line: 0,
            column: 0,
            message: format!("found both {} and {}", POLICY_LOCATIONS[0], POLICY_LOCATIONS[1]),
            hint: Some("keep one policy file on the base branch; livegate will not guess which one gates".to_owned()),
        })),
    }
}

enum PolicyFetch {
    Api(ApiError),
    Invalid(policy::PolicyError),
}

/// Logins named by a commit's `Co-authored-by:` trailers, when the e-mail is
/// a GitHub no-reply address (`[id+]login@users.noreply.github.com`); other
/// addresses cannot be matched to an account without more requests.
fn co_authors(message: &str) -> (Vec<String>, Vec<String>) {
    let mut logins = Vec::new();
    let mut emails = Vec::new();
    for line in message.lines() {
        let line = line.trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("co-authored-by") {
            continue;
        }
        let Some(email) = value
            .rsplit_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(e, _)| e.trim())
        else {
            continue;
        };
        match noreply_login(email) {
            Some(login) => logins.push(login),
            None => emails.push(email.to_owned()),
        }
    }
    (logins, emails)
}

fn noreply_login(email: &str) -> Option<String> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let login = local.split_once('+').map_or(local, |(_, login)| login);
    (!login.is_empty()).then(|| login.to_owned())
}

/// Everything collected, with what could not be.
struct Collected {
    pr: PullRequest,
    facts: PrFacts,
    policy: Policy,
    review_policy: ReviewPolicy,
    policy_source: PolicySource,
    diff: Vec<DiffEntry>,
    notes: Vec<String>,
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

fn collect(client: &Client, settings: &PrSettings) -> Result<Result<Collected, Vec<Finding>>, PrError> {
    let full = format!("{}/{}", settings.owner, settings.name);
    let here = Location::file(&format!("{full}#{}", settings.number));
    let mut notes = Vec::new();
    macro_rules! or_unverified {
        ($result:expr, $what:expr) => {
            match $result {
                Ok(value) => value,
                Err(err) => return Ok(Err(vec![unverified(err, &$what, &here)?])),
            }
        };
    }

    let endpoint = format!("/repos/{full}/pulls/{}", settings.number);
    let pr: PullRequest = match client.get(&endpoint).and_then(|r| r.json(&endpoint)) {
        Ok(pr) => pr,
        Err(ApiError::NotFound { message, .. }) => {
            return Err(PrError::NotFound {
                repo: full,
                number: settings.number,
                detail: format!("GET {endpoint}: 404 {message}"),
            })
        }
        Err(err) => return Ok(Err(vec![unverified(err, "the pull request", &here)?])),
    };
    if pr.state != "open" {
        notes.push(format!("the pull request is {}; evaluated as it stands", pr.state));
    }
    if pr.draft == Some(true) {
        notes.push("the pull request is a draft".to_owned());
    }

    // The policy of the base branch, never the head's.
    let (policy, policy_source) = match &settings.policy {
        Some(file) => {
            let policy = policy::load_file(file).map_err(PrError::Policy)?;
            (
                policy,
                PolicySource {
                    describe: format!(
                        "{} (--policy; the base branch's policy file was not read)",
                        file.display()
                    ),
                },
            )
        }
        None => match base_policy(client, &full, &pr.base.name) {
            Ok(found) => found,
            Err(PolicyFetch::Invalid(err)) => return Err(PrError::Policy(err)),
            Err(PolicyFetch::Api(err)) => {
                return Ok(Err(vec![unverified(
                    err,
                    &format!("the policy of the base branch {}", pr.base.name),
                    &here,
                )?]))
            }
        },
    };
    let section = policy.merged.review.clone().unwrap_or_default();
    let review_policy = ReviewPolicy::from_section(&section).map_err(PrError::Other)?;

    let reviews: Vec<Review> = or_unverified!(
        client.get_all(&format!("/repos/{full}/pulls/{}/reviews", settings.number)),
        "every review (a partial review list is never a pass)"
    );
    let diff: Vec<DiffEntry> = or_unverified!(
        client.get_all(&format!("/repos/{full}/pulls/{}/files", settings.number)),
        "the changed files"
    );
    let mut incomplete = Vec::new();
    let changed = pr.changed_files.unwrap_or(diff.len() as u64);
    if changed > MAX_LISTED_FILES || (diff.len() as u64) < changed {
        incomplete.push(Unknown {
            reason: format!(
                "the pull request changes {changed} files and GitHub lists only {} (its limit is {MAX_LISTED_FILES}); \
                 owners and path rules of the others cannot be checked",
                diff.len()
            ),
            permission: "nothing: split the pull request".to_owned(),
        });
    }
    let commits: Vec<CommitEntry> = or_unverified!(
        client.get_all(&format!("/repos/{full}/pulls/{}/commits", settings.number)),
        "the commits"
    );
    let commit_count = pr.commits.unwrap_or(commits.len() as u64);
    let commits_matter = !review_policy.allow_committer_approval || review_policy.require_last_push_approval;
    if commits_matter && (commit_count > MAX_LISTED_COMMITS || (commits.len() as u64) < commit_count) {
        incomplete.push(Unknown {
            reason: format!(
                "the pull request has {commit_count} commits and GitHub lists only {} (its limit is \
                 {MAX_LISTED_COMMITS}); the authors and committers of the others cannot be excluded",
                commits.len()
            ),
            permission: "nothing: split the pull request or squash it".to_owned(),
        });
    }

    let mut commit_people = BTreeSet::new();
    for commit in &commits {
        for user in [&commit.author, &commit.committer].into_iter().flatten() {
            if user.login != "web-flow" {
                commit_people.insert(user.login.clone());
            }
        }
        let (logins, emails) = co_authors(&commit.commit.message);
        commit_people.extend(logins);
        for email in emails {
            notes.push(format!(
                "commit {} has a co-author <{email}> that cannot be matched to an account; their approval, if any, \
                 is not excluded",
                review::short(&commit.sha)
            ));
        }
        if commit.author.is_none() {
            if let Some(email) = commit.commit.author.as_ref().and_then(|a| a.email.as_deref()) {
                if let Some(login) = noreply_login(email) {
                    commit_people.insert(login);
                }
            }
        }
    }
    // The last pusher: the head repository's activity says who pushed the
    // head commit. Without it, the head commit's committer (its author when
    // GitHub's web-flow committed on someone's behalf) is the fallback, and
    // the report says so: commit metadata is chosen by whoever commits.
    let committer = commits.last().and_then(|head| match &head.committer {
        Some(user) if user.login != "web-flow" => Some(user.login.clone()),
        _ => head.author.as_ref().map(|u| u.login.clone()),
    });
    let last_pusher = if review_policy.require_last_push_approval {
        match pusher_of_head(client, &pr) {
            Ok(login) => Some(login),
            Err(why) => {
                notes.push(format!(
                    "the last pusher could not be read from the repository activity ({why}); the head commit's \
                     committer{} is taken instead, which the committer can choose",
                    committer.as_deref().map(|c| format!(" @{c}")).unwrap_or_default()
                ));
                committer
            }
        }
    } else {
        committer
    };

    let mut files = Vec::new();
    for entry in &diff {
        files.push(entry.filename.clone());
        if let Some(previous) = &entry.previous_filename {
            files.push(previous.clone());
        }
    }
    files.sort();
    files.dedup();

    let mut gate_files: Vec<String> = files
        .iter()
        .filter(|f| POLICY_LOCATIONS.contains(&f.as_str()))
        .cloned()
        .collect();
    let mut codeowners_found = None;
    let codeowners_touched = files.iter().any(|f| codeowners::LOCATIONS.contains(&f.as_str()));
    let need_codeowners = review_policy.require_code_owner_review || !gate_files.is_empty();
    if need_codeowners {
        for location in codeowners::LOCATIONS {
            match read_file(client, &full, location, &pr.base.name) {
                Ok(Some(text)) => {
                    codeowners_found = Some(((*location).to_owned(), CodeOwners::parse(&text)));
                    break;
                }
                Ok(None) => {}
                Err(err) => {
                    return Ok(Err(vec![unverified(
                        err,
                        &format!("CODEOWNERS of the base branch {}", pr.base.name),
                        &here,
                    )?]))
                }
            }
        }
        if review_policy.require_code_owner_review && codeowners_found.is_none() {
            notes.push(format!(
                "require-code-owner-review is on but the base branch {} has no CODEOWNERS ({}): no file has owners",
                pr.base.name,
                codeowners::LOCATIONS.join(", ")
            ));
        }
    }
    if review_policy.require_code_owner_review && codeowners_touched {
        gate_files.extend(
            files
                .iter()
                .filter(|f| codeowners::LOCATIONS.contains(&f.as_str()))
                .cloned(),
        );
    }

    let author = pr.user.as_ref().map(|u| u.login.clone()).unwrap_or_default();
    let review_facts: Vec<ReviewFact> = reviews
        .iter()
        .filter_map(|r| {
            let user = r.user.as_ref()?;
            Some(ReviewFact {
                login: user.login.clone(),
                is_bot: user.is_bot(),
                state: r.state.clone(),
                commit_id: r.commit_id.clone(),
            })
        })
        .collect();
    let ghost_reviews = reviews.iter().filter(|r| r.user.is_none()).count();
    if ghost_reviews > 0 {
        notes.push(format!("{ghost_reviews} review(s) by deleted accounts are not counted"));
    }

    let mut facts = PrFacts {
        repo: full.clone(),
        number: pr.number,
        author: author.clone(),
        head_sha: pr.head.sha.clone(),
        files,
        commit_people,
        last_pusher,
        reviews: review_facts,
        permissions: BTreeMap::new(),
        teams: BTreeMap::new(),
        codeowners: codeowners_found,
        policy_changed: gate_files,
        incomplete,
    };

    // Permissions of the reviewers whose verdict depends on them.
    let mut latest: BTreeMap<String, &ReviewFact> = BTreeMap::new();
    for review in &facts.reviews {
        if matches!(review.state.as_str(), "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            latest.insert(review.login.clone(), review);
        }
    }
    let lookups: Vec<String> = latest
        .values()
        .filter(|r| r.state != "DISMISSED" && !r.login.eq_ignore_ascii_case(&author))
        .filter(|r| {
            !r.is_bot || review_policy.count_bots || review_policy.bots.iter().any(|b| b.eq_ignore_ascii_case(&r.login))
        })
        .map(|r| r.login.clone())
        .collect();
    facts.permissions = permissions(client, &full, &lookups);

    // Team memberships, only when an approval could be matched against them.
    if facts.reviews.iter().any(|r| r.state == "APPROVED") {
        for team in review::teams_needed(&review_policy, &facts) {
            let Some((org, slug)) = team.split_once('/') else {
                continue;
            };
            let endpoint = format!("/orgs/{org}/teams/{slug}/members");
            let members = match client.get_all::<User>(&endpoint) {
                Ok(list) => Known::Known(list.into_iter().map(|u| u.login).collect()),
                Err(err @ (ApiError::Unauthorized { .. } | ApiError::Setup(_))) => return Err(PrError::Api(err)),
                Err(err) => Known::Unknown(unknown_from(&err, MEMBERS_PERMISSION)),
            };
            facts.teams.insert(team, members);
        }
    }
    Ok(Ok(Collected {
        pr,
        facts,
        policy,
        review_policy,
        policy_source,
        diff,
        notes,
    }))
}

/// Each reviewer's permission: one lookup each for a few, else the
/// collaborator list (a few pages), then single lookups for whoever is left.
fn permissions(client: &Client, full: &str, logins: &[String]) -> BTreeMap<String, Known<Option<Permission>>> {
    let mut out = BTreeMap::new();
    let mut left: Vec<String> = logins.to_vec();
    if left.len() > SINGLE_LOOKUPS {
        let mut next = Some(format!("/repos/{full}/collaborators?affiliation=all&per_page=100"));
        let mut pages = 0;
        let mut complete = false;
        while let Some(url) = next.take() {
            if pages == COLLABORATOR_PAGES {
                break;
            }
            let Ok(response) = client.get(&url) else { break };
            let Ok(page) = response.json::<Vec<Collaborator>>(&url) else {
                break;
            };
            for collaborator in page {
                if let Some(pos) = left.iter().position(|l| l.eq_ignore_ascii_case(&collaborator.login)) {
                    out.insert(left.remove(pos), Known::Known(Some(collaborator.permission())));
                }
            }
            pages += 1;
            next = response.next;
            complete = next.is_none();
        }
        if complete {
            // Not a collaborator: no permission on the repository beyond what
            // the public has.
            for login in left.drain(..) {
                out.insert(login, Known::Known(None));
            }
        }
    }
    for login in left {
        let endpoint = format!("/repos/{full}/collaborators/{login}/permission");
        let value = match client
            .get(&endpoint)
            .and_then(|r| r.json::<PermissionAnswer>(&endpoint))
        {
            Ok(answer) => Known::Known(
                answer
                    .role_name
                    .as_deref()
                    .and_then(standard_role)
                    .or_else(|| standard_role(&answer.permission)),
            ),
            // GitHub answers 404 for an account that is not a collaborator.
            Err(ApiError::NotFound { .. }) => Known::Known(None),
            Err(err) => Known::Unknown(unknown_from(&err, METADATA_PERMISSION)),
        };
        out.insert(login, value);
    }
    out
}

// --- Leak scan of the change --------------------------------------------------

/// Scans the change: from a local clone that has both commits (full
/// fidelity), else from the patches GitHub lists.
fn leak_scan(client: &Client, settings: &PrSettings, collected: &Collected) -> (Vec<Finding>, String) {
    let base = &collected.pr.base.sha;
    let head = &collected.pr.head.sha;
    if has_commits(&settings.checkout, &[base, head]) {
        let options = ScanOptions {
            path: settings.checkout.clone(),
            mode: ScanMode::Diff {
                base: base.clone(),
                head: head.clone(),
                merge_base: true,
            },
            threads: 1,
        };
        match crate::scan::scan(&collected.policy, &options, None) {
            Ok(outcome) => {
                let how = format!(
                    "leak scan: local clone, {}...{} ({} file(s) changed, {} read)",
                    review::short(base),
                    review::short(head),
                    outcome.stats.files_seen,
                    outcome.stats.files_read
                );
                return (outcome.findings, how);
            }
            Err(err) => {
                let finding = Finding::new(
                    &REVIEW_UNVERIFIABLE,
                    Location::file(&format!("{}/{}#{}", settings.owner, settings.name, settings.number)),
                    format!("could not scan the change in the local clone: {err}"),
                );
                return (vec![finding], "leak scan: failed".to_owned());
            }
        }
    }
    let full = format!("{}/{}", settings.owner, settings.name);
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let classifier = crate::classify::Classifier::new(&collected.policy.leaks);
    for entry in &collected.diff {
        if entry.status == "removed" {
            continue;
        }
        let placed = matches!(entry.status.as_str(), "added" | "renamed" | "copied");
        let mut file = RemoteFile {
            path: entry.filename.clone(),
            placed,
            ..RemoteFile::default()
        };
        match entry.patch.as_deref().and_then(remote::from_patch) {
            Some((text, added)) => {
                file.text = Some(text);
                file.added = added;
            }
            None if entry.patch.as_deref().is_some_and(|p| !p.is_empty()) => {
                findings.push(unscannable(
                    settings,
                    &entry.filename,
                    "its patch is not a unified diff",
                ));
            }
            None => {
                let info = classifier.classify(&entry.filename);
                let wants = crate::checks::leaks::checks().iter().any(|c| c.wants_content(&info));
                if wants && entry.status == "added" {
                    match read_file(client, &full, &entry.filename, head) {
                        Ok(Some(text)) => {
                            file.added = (1..=text.lines().count() as u32).collect();
                            file.text = Some(text);
                        }
                        Ok(None) => {
                            findings.push(unscannable(settings, &entry.filename, "it cannot be read at the head"))
                        }
                        Err(err) => findings.push(unscannable(settings, &entry.filename, &err.to_string())),
                    }
                } else if wants && entry.status != "renamed" {
                    findings.push(unscannable(
                        settings,
                        &entry.filename,
                        "GitHub gives no patch for it (binary, or over its diff size limit)",
                    ));
                }
            }
        }
        files.push(file);
    }
    let outcome = remote::scan_remote(&collected.policy, &files);
    findings.extend(outcome.findings);
    let how = format!(
        "leak scan: GitHub's patches of {} file(s) ({} read; tree-wide packaging checks {} need a checkout with both \
         commits)",
        files.len(),
        outcome.stats.files_read,
        remote::TREE_WIDE_CODES.join("/")
    );
    (findings, how)
}

fn unscannable(settings: &PrSettings, path: &str, why: &str) -> Finding {
    Finding::new(
        &REVIEW_UNVERIFIABLE,
        Location::file(path),
        format!(
            "could not scan {path} of {}/{}#{} for leaks: {why}; run livegate pr in a clone that has both commits \
             (actions/checkout with fetch-depth: 0)",
            settings.owner, settings.name, settings.number
        ),
    )
}

fn has_commits(path: &Path, shas: &[&String]) -> bool {
    let Ok(repo) = git2::Repository::discover(path) else {
        return false;
    };
    shas.iter().all(|sha| {
        git2::Oid::from_str(sha)
            .ok()
            .is_some_and(|oid| repo.find_commit(oid).is_ok())
    })
}

// --- Report -------------------------------------------------------------------

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.chars().count())))
}

fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
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

fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn md_table(headers: &[&str], rows: &[Vec<String>]) -> String {
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
    let _ = writeln!(details, "{leak_how}: {leak_count} finding(s)");
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
    let _ = write!(markdown, "\n{}: {leak_count} finding(s)\n", md_cell(&leak_how));
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

/// Posts the verdict as the commit status `livegate/review` on the head.
fn post_status(
    client: &Client,
    settings: &PrSettings,
    sha: &str,
    verdict: Verdict,
    findings: &[Finding],
) -> Result<(), String> {
    let (state, description) = match verdict {
        Verdict::Pass => ("success", "Review requirements met".to_owned()),
        Verdict::Fail => {
            let first = findings
                .iter()
                .find(|f| f.severity >= settings.fail_on)
                .map(|f| f.message.clone());
            (
                "failure",
                first.unwrap_or_else(|| "Review requirements not met".to_owned()),
            )
        }
        Verdict::Unverified => ("error", "Could not verify the review; see the run".to_owned()),
    };
    // GitHub truncates nothing: a description over 140 characters is refused.
    let description: String = if description.chars().count() > 140 {
        description.chars().take(139).collect::<String>() + "…"
    } else {
        description
    };
    let mut body = json!({ "state": state, "context": STATUS_CONTEXT, "description": description });
    if let Some(url) = &settings.target_url {
        body["target_url"] = json!(url);
    }
    let endpoint = format!("/repos/{}/{}/statuses/{sha}", settings.owner, settings.name);
    client.post(&endpoint, &body).map(|_| ()).map_err(|err| {
        format!("--status: {err}; the token needs Commit statuses: write (fine-grained) or repo:status (classic), or `statuses: write` in the workflow's permissions")
    })
}

/// The whole command: (rendered report, markdown summary, log lines, exit code).
pub fn run(settings: &PrSettings) -> Result<(String, String, Vec<String>, i32), String> {
    let client = Client::new(settings.client.clone()).map_err(|e| e.to_string())?;
    let secret = match &settings.client.auth {
        Auth::Token(token) => Some(token.clone()),
        _ => None,
    };
    let scrub = |text: &str| crate::github::secret::scrub(text, secret.as_ref());
    let mut run = collect_and_evaluate(&client, settings).map_err(|e| scrub(&e.to_string()))?;
    sort_findings(&mut run.findings);
    let report = Report {
        command: "pr",
        findings: &run.findings,
        stats: None,
        fail_on: settings.fail_on,
        details: Some(&run.details),
        details_markdown: Some(&run.details_markdown),
        extra: Some(&run.extra),
    };
    let verdict = report.verdict();
    let rendered = crate::report::render(settings.format, &report, settings.color);
    let summary = crate::report::render(Format::Markdown, &report, false);
    crate::report::emit_all(&report, &settings.emit)?;
    let mut exit = verdict.exit_code();
    let mut log = run.log;
    if settings.status {
        match &run.head_sha {
            Some(sha) => {
                if let Err(err) = post_status(&client, settings, sha, verdict, &run.findings) {
                    log.push(scrub(&err));
                    if exit == 0 {
                        exit = crate::app::EXIT_ERROR;
                    }
                }
            }
            None => log.push("--status: the head commit is unknown, so no status was posted".to_owned()),
        }
    }
    Ok((rendered, summary, log, exit))
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

    #[test]
    fn co_author_trailers_map_noreply_addresses_to_logins() {
        let message = "Fix\n\nCo-authored-by: Mona <12345+mona@users.noreply.github.com>\nco-authored-by: Hubot <hubot@users.noreply.github.com>\nCo-authored-by: Ext <ext@example.org>\n";
        let (logins, emails) = co_authors(message);
        assert_eq!(logins, ["mona", "hubot"]);
        assert_eq!(emails, ["ext@example.org"]);
    }

    #[test]
    fn collaborator_permission_takes_the_highest_grant() {
        let c = |role: &str, push: bool, admin: bool| Collaborator {
            login: "x".into(),
            permissions: Some(Permissions {
                admin,
                push,
                ..Permissions::default()
            }),
            role_name: Some(role.into()),
        };
        assert_eq!(c("maintain", true, false).permission(), Permission::Maintain);
        assert_eq!(c("custom-deployer", true, false).permission(), Permission::Write);
        assert_eq!(c("read", false, false).permission(), Permission::Read);
        assert_eq!(c("write", true, true).permission(), Permission::Admin);
    }

    #[test]
    fn paths_and_refs_are_encoded() {
        assert_eq!(encode_path(".github/livegate.toml"), ".github/livegate.toml");
        assert_eq!(encode_path("a b/c#d"), "a%20b/c%23d");
        assert_eq!(encode_component("feature/x"), "feature%2Fx");
    }
}
