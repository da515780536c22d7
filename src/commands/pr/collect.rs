//! What `livegate pr` reads through GitHub's API: the pull request, its
//! reviews, files and commits, who pushed the head, reviewers' permissions,
//! team members, and the base branch's policy and CODEOWNERS. Only the fields
//! livegate reads are modelled.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use base64::Engine as _;
use serde::Deserialize;

use super::{PrError, PrSettings, MAX_LISTED_COMMITS, MAX_LISTED_FILES};
use crate::checks::review::codeowners::{self, CodeOwners};
use crate::checks::review::{self, PrFacts, ReviewFact, ReviewPolicy};
use crate::facts::{Known, Unknown};
use crate::github::client::{ApiError, Client};
use crate::policy::model::Permission;
use crate::policy::{self, Policy, POLICY_LOCATIONS};
use crate::registry::verification::GITHUB_UNREADABLE;
use crate::report::finding::{Finding, Location};

/// Collaborator pages read before falling back to one lookup per reviewer.
pub(super) const COLLABORATOR_PAGES: usize = 3;
/// Reviewers looked up one by one rather than by listing collaborators.
pub(super) const SINGLE_LOOKUPS: usize = 2;

pub(super) const MEMBERS_PERMISSION: &str =
    "Members: read (organization permission of a fine-grained token or GitHub App), or read:org (classic token)";
pub(super) const REPO_READ_PERMISSION: &str =
    "Pull requests: read and Contents: read (fine-grained token or GitHub App), or repo (classic token)";
pub(super) const METADATA_PERMISSION: &str = "Metadata: read and push access (fine-grained), or repo (classic token)";

// --- GitHub payloads (only the fields livegate reads) ----------------------

#[derive(Debug, Clone, Deserialize)]
pub(super) struct User {
    pub(super) login: String,
    #[serde(rename = "type", default)]
    pub(super) kind: String,
}

impl User {
    fn is_bot(&self) -> bool {
        self.kind == "Bot" || self.login.ends_with("[bot]")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct GitRef {
    pub(super) sha: String,
    #[serde(rename = "ref")]
    pub(super) name: String,
    /// Null when the head repository (a fork) was deleted.
    #[serde(default)]
    pub(super) repo: Option<RepoName>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct RepoName {
    pub(super) full_name: String,
}

/// One entry of `GET /repos/{owner}/{repo}/activity`.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Activity {
    pub(super) after: String,
    pub(super) activity_type: String,
    pub(super) actor: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct PullRequest {
    pub(super) number: u64,
    pub(super) state: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) draft: Option<bool>,
    pub(super) user: Option<User>,
    pub(super) head: GitRef,
    pub(super) base: GitRef,
    #[serde(default)]
    pub(super) commits: Option<u64>,
    #[serde(default)]
    pub(super) changed_files: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Review {
    pub(super) user: Option<User>,
    pub(super) state: String,
    #[serde(default)]
    pub(super) commit_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct DiffEntry {
    pub(super) filename: String,
    pub(super) status: String,
    #[serde(default)]
    pub(super) previous_filename: Option<String>,
    #[serde(default)]
    pub(super) patch: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct GitPerson {
    #[serde(default)]
    pub(super) email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct GitCommit {
    #[serde(default)]
    pub(super) message: String,
    #[serde(default)]
    pub(super) author: Option<GitPerson>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct CommitEntry {
    pub(super) sha: String,
    pub(super) commit: GitCommit,
    pub(super) author: Option<User>,
    pub(super) committer: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct ContentFile {
    #[serde(rename = "type")]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) encoding: Option<String>,
    #[serde(default)]
    pub(super) content: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Permissions {
    #[serde(default)]
    pub(super) admin: bool,
    #[serde(default)]
    pub(super) maintain: bool,
    #[serde(default)]
    pub(super) push: bool,
    #[serde(default)]
    pub(super) triage: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Collaborator {
    pub(super) login: String,
    #[serde(default)]
    pub(super) permissions: Option<Permissions>,
    #[serde(default)]
    pub(super) role_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct PermissionAnswer {
    pub(super) permission: String,
    #[serde(default)]
    pub(super) role_name: Option<String>,
}

pub(super) fn standard_role(name: &str) -> Option<Permission> {
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

// --- Collection -------------------------------------------------------------

/// An API failure that means "could not verify" becomes a finding; the
/// caller's mistakes stay errors.
pub(super) fn unverified(err: ApiError, what: &str, at: &Location) -> Result<Finding, PrError> {
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

pub(super) fn unknown_from(err: &ApiError, permission: &str) -> Unknown {
    Unknown {
        reason: err.to_string(),
        permission: permission.to_owned(),
    }
}

/// A file at a ref through the contents API: `Ok(None)` when it is absent.
pub(crate) fn read_file(client: &Client, full: &str, path: &str, git_ref: &str) -> Result<Option<String>, ApiError> {
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
pub(super) fn pusher_of_head(client: &Client, pr: &PullRequest) -> Result<String, String> {
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

pub(super) fn encode_component(text: &str) -> String {
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

pub(super) fn encode_path(path: &str) -> String {
    path.split('/').map(encode_component).collect::<Vec<_>>().join("/")
}

/// Where the policy came from, for the report.
#[derive(Debug, Clone)]
pub(super) struct PolicySource {
    pub(super) describe: String,
}

/// The base branch's policy through the API (never the head's).
pub(super) fn base_policy(client: &Client, full: &str, base_ref: &str) -> Result<(Policy, PolicySource), PolicyFetch> {
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

pub(super) enum PolicyFetch {
    Api(ApiError),
    Invalid(policy::PolicyError),
}

/// Logins named by a commit's `Co-authored-by:` trailers, when the e-mail is
/// a GitHub no-reply address (`[id+]login@users.noreply.github.com`); other
/// addresses cannot be matched to an account without more requests.
pub(super) fn co_authors(message: &str) -> (Vec<String>, Vec<String>) {
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

pub(super) fn noreply_login(email: &str) -> Option<String> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let login = local.split_once('+').map_or(local, |(_, login)| login);
    (!login.is_empty()).then(|| login.to_owned())
}

/// Everything collected, with what could not be.
pub(super) struct Collected {
    pub(super) pr: PullRequest,
    pub(super) facts: PrFacts,
    pub(super) policy: Policy,
    pub(super) review_policy: ReviewPolicy,
    pub(super) policy_source: PolicySource,
    pub(super) diff: Vec<DiffEntry>,
    pub(super) notes: Vec<String>,
}

pub(super) fn collect(client: &Client, settings: &PrSettings) -> Result<Result<Collected, Vec<Finding>>, PrError> {
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
        notes.push(format!(
            "{} by deleted accounts {} not counted",
            crate::report::count(ghost_reviews, "review", "reviews"),
            if ghost_reviews == 1 { "is" } else { "are" }
        ));
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
pub(crate) fn permissions(
    client: &Client,
    full: &str,
    logins: &[String],
) -> BTreeMap<String, Known<Option<Permission>>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
