//! What a review gate reads around a pull request, for the fake GitHub of
//! `fake_github`: the pull request itself, its reviews, files and commits,
//! file contents at a ref, repository collaborators and their permission,
//! organisation team members, and the commit statuses it posts. Payloads are
//! shaped like GitHub's (validated in tests/github_conformance.rs); lists go
//! through the same pagination, ETags and faults as every other endpoint.
//!
//! Shape decisions, where GitHub leaves a choice or the fake simplifies:
//! - `author_association` is OWNER for the repository owner, MEMBER for a
//!   member of one of the owner's teams, COLLABORATOR for a collaborator and
//!   NONE otherwise (NONE for a deleted user too).
//! - Reviews are listed in the order given; a PENDING review has no
//!   `submitted_at` (as on GitHub) and is listed whoever asks.
//! - The files of a pull request stop at 3000 and its commits at 250, like
//!   GitHub's; `changed_files` and `commits` on the pull request still report
//!   the full counts (or the overrides).
//! - `GET .../collaborators/{login}/permission`: a collaborator gets its role;
//!   an account the scenario knows (an owner, author, reviewer, commit
//!   author or committer, team member) that is not a collaborator gets 200 with
//!   permission and role `read` on a public repository and `none` on a private
//!   one; a login the scenario never mentions gets 404 "{login} is not a user".
//! - `GET .../collaborators/{login}` answers 204 for a collaborator, else 404.
//! - Collaborator and team-member listings need a token: 401 "Requires
//!   authentication" without one (404 first on a private repository). With
//!   `members_access` false, team members answer 403 "Resource not
//!   accessible by integration" before the team's existence is checked (an
//!   unknown team is then 403, not 404). `?permission=` filters collaborators
//!   to that level or above; an unknown level is 422. `?affiliation=outside`
//!   keeps the repository's `outside_collaborators`; `direct` and `all` list
//!   every collaborator; another value is 422.
//! - Contents: a file larger than 1 MiB comes with empty `content` and
//!   encoding `none`, as on GitHub; `Accept: application/vnd.github.raw`
//!   returns the bytes themselves; a directory lists its entries;
//!   `download_url` points at the fake (`/raw/{owner}/{repo}/{ref}/{path}`),
//!   which serves the bytes.
//! - Statuses: any sha is accepted (GitHub answers 422 for a commit it does not
//!   have); `state` must be error, failure, pending or success and
//!   `description` at most 140 characters (422 otherwise); an unparsable body
//!   is 400; `context` defaults to "default". The creator is
//!   `github-actions[bot]`.

use serde_json::{json, Value};

use super::fake_github::{
    error, iso8601, now, ok, page, percent_decode, repository_json, user_json, Repo, Request, Response, State,
};

/// The commit every branch of the fake points at, and a pull request's default base.
pub(super) const BRANCH_SHA: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
/// GitHub lists at most this many files of a pull request.
const MAX_FILES: usize = 3000;
/// GitHub lists at most this many commits of a pull request.
const MAX_COMMITS: usize = 250;
/// When the fake's pull requests were opened (2026-11-18); commits follow a
/// minute apart, and reviews are submitted a day later.
const OPENED: u64 = 1_795_000_000;
/// Larger files come without content from the contents API.
const MAX_INLINE: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Pull {
    pub number: u64,
    pub author: String,
    /// "User" or "Bot".
    pub author_type: String,
    pub head_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub base_sha: String,
    /// "open" or "closed".
    pub state: String,
    pub draft: bool,
    pub title: String,
    pub files: Vec<PullFile>,
    pub commits: Vec<PullCommit>,
    pub reviews: Vec<PullReview>,
    /// Overrides the reported `changed_files` (e.g. 3500, past the listing's 3000).
    pub changed_files: Option<u64>,
    /// Overrides the reported `commits` (e.g. 300, past the listing's 250).
    pub commit_count: Option<u64>,
    /// Who pushed the head commit, as the repository activity reports it;
    /// `None`: the head commit's committer (its author for web-flow).
    pub pusher: Option<String>,
    /// The head push is missing from the repository activity.
    pub push_unlisted: bool,
}

impl Pull {
    /// An open pull request from `topic-{number}` into `main` (at the sha the
    /// fake's branches report); the author is a Bot if the login ends in `[bot]`.
    pub fn new(number: u64, author: &str, head_sha: &str) -> Pull {
        Pull {
            number,
            author: author.to_owned(),
            author_type: kind_of(author).to_owned(),
            head_sha: head_sha.to_owned(),
            head_ref: format!("topic-{number}"),
            base_ref: "main".to_owned(),
            base_sha: BRANCH_SHA.to_owned(),
            state: "open".to_owned(),
            draft: false,
            title: format!("Change #{number}"),
            files: Vec::new(),
            commits: Vec::new(),
            reviews: Vec::new(),
            changed_files: None,
            commit_count: None,
            pusher: None,
            push_unlisted: false,
        }
    }

    /// The head commit was pushed by `login` (whatever its committer says).
    pub fn pushed_by(mut self, login: &str) -> Self {
        self.pusher = Some(login.to_owned());
        self
    }

    /// The repository activity does not list the head push (older than what
    /// it keeps, or the branch lives in a fork the token cannot read).
    pub fn push_unlisted(mut self) -> Self {
        self.push_unlisted = true;
        self
    }

    /// Who the repository activity says pushed the head commit.
    fn head_pusher(&self) -> String {
        if let Some(login) = &self.pusher {
            return login.clone();
        }
        self.commits
            .last()
            .and_then(|c| match c.committer_login.as_deref() {
                Some("web-flow") | None => c.author_login.clone(),
                Some(login) => Some(login.to_owned()),
            })
            .unwrap_or_else(|| self.author.clone())
    }

    pub fn file(mut self, file: PullFile) -> Self {
        self.files.push(file);
        self
    }

    pub fn commit(mut self, commit: PullCommit) -> Self {
        self.commits.push(commit);
        self
    }

    pub fn review(mut self, review: PullReview) -> Self {
        self.reviews.push(review);
        self
    }

    /// The author is a Bot account.
    pub fn bot(mut self) -> Self {
        self.author_type = "Bot".to_owned();
        self
    }

    pub fn draft(mut self) -> Self {
        self.draft = true;
        self
    }

    pub fn closed(mut self) -> Self {
        self.state = "closed".to_owned();
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    pub fn head_ref(mut self, branch: &str) -> Self {
        self.head_ref = branch.to_owned();
        self
    }

    /// The base branch and the sha of its tip.
    pub fn base(mut self, branch: &str, sha: &str) -> Self {
        self.base_ref = branch.to_owned();
        self.base_sha = sha.to_owned();
        self
    }

    pub fn changed_files(mut self, count: u64) -> Self {
        self.changed_files = Some(count);
        self
    }

    pub fn commit_count(mut self, count: u64) -> Self {
        self.commit_count = Some(count);
        self
    }
}

/// One entry of a pull request's files (`diff-entry`).
#[derive(Debug, Clone)]
pub struct PullFile {
    pub filename: String,
    /// added, removed, modified, renamed, copied, changed or unchanged.
    pub status: String,
    /// For renamed and copied files.
    pub previous_filename: Option<String>,
    /// Unified diff hunks without file headers, as GitHub gives them
    /// (`"@@ -0,0 +1,2 @@\n+a\n+b"`); `None` for a binary or too-large file.
    pub patch: Option<String>,
    pub additions: u64,
    pub deletions: u64,
}

impl PullFile {
    /// A file with this status and no patch.
    pub fn new(filename: &str, status: &str) -> PullFile {
        PullFile {
            filename: filename.to_owned(),
            status: status.to_owned(),
            previous_filename: None,
            patch: None,
            additions: 0,
            deletions: 0,
        }
    }

    /// A new file with this content; the patch adds every line (GitHub
    /// gives no patch for an empty file).
    pub fn added(path: &str, content: &str) -> PullFile {
        let file = PullFile::new(path, "added");
        if content.is_empty() {
            return file;
        }
        let lines: Vec<&str> = content.split_inclusive('\n').collect();
        let mut patch = match lines.len() {
            1 => "@@ -0,0 +1 @@".to_owned(),
            n => format!("@@ -0,0 +1,{n} @@"),
        };
        for line in &lines {
            patch.push_str("\n+");
            patch.push_str(line.strip_suffix('\n').unwrap_or(line));
        }
        if !content.ends_with('\n') {
            patch.push_str("\n\\ No newline at end of file");
        }
        file.with_patch(&patch)
    }

    /// A modified file with these hunks; additions and deletions are counted from them.
    pub fn modified(path: &str, patch: &str) -> PullFile {
        PullFile::new(path, "modified").with_patch(patch)
    }

    /// A pure rename (no patch, no changes); `with_patch` adds changes.
    pub fn renamed(old: &str, new: &str) -> PullFile {
        let mut file = PullFile::new(new, "renamed");
        file.previous_filename = Some(old.to_owned());
        file
    }

    /// A deleted file, without a patch (`with_patch` adds one).
    pub fn removed(path: &str) -> PullFile {
        PullFile::new(path, "removed")
    }

    /// Sets the hunks and counts their `+` and `-` lines.
    pub fn with_patch(mut self, patch: &str) -> Self {
        let count = |sign: char| patch.lines().filter(|l| l.starts_with(sign)).count() as u64;
        self.additions = count('+');
        self.deletions = count('-');
        self.patch = Some(patch.to_owned());
        self
    }

    /// Drops the patch, as GitHub does for binary and very large diffs (counts stay).
    pub fn without_patch(mut self) -> Self {
        self.patch = None;
        self
    }
}

/// One commit of a pull request.
#[derive(Debug, Clone)]
pub struct PullCommit {
    pub sha: String,
    /// The GitHub account the author email belongs to; `None` gives `"author": null`.
    pub author_login: Option<String>,
    /// The GitHub account of the committer; "web-flow" for commits made on github.com.
    pub committer_login: Option<String>,
    pub author_name: String,
    pub author_email: String,
    pub committer_name: String,
    pub committer_email: String,
    pub message: String,
}

impl PullCommit {
    /// Authored and committed by `login` (name `login`, a noreply address).
    pub fn new(sha: &str, login: &str) -> PullCommit {
        let email = format!("{login}@users.noreply.github.com");
        PullCommit {
            sha: sha.to_owned(),
            author_login: Some(login.to_owned()),
            committer_login: Some(login.to_owned()),
            author_name: login.to_owned(),
            author_email: email.clone(),
            committer_name: login.to_owned(),
            committer_email: email,
            message: format!("Commit {}", &sha[..sha.len().min(7)]),
        }
    }

    pub fn author(mut self, login: Option<&str>, name: &str, email: &str) -> Self {
        self.author_login = login.map(str::to_owned);
        self.author_name = name.to_owned();
        self.author_email = email.to_owned();
        self
    }

    pub fn committer(mut self, login: Option<&str>, name: &str, email: &str) -> Self {
        self.committer_login = login.map(str::to_owned);
        self.committer_name = name.to_owned();
        self.committer_email = email.to_owned();
        self
    }

    /// Committed through github.com (a merge or edit in the web interface).
    pub fn web_flow(self) -> Self {
        self.committer(Some("web-flow"), "GitHub", "noreply@github.com")
    }

    pub fn message(mut self, message: &str) -> Self {
        self.message = message.to_owned();
        self
    }
}

/// One review of a pull request.
#[derive(Debug, Clone)]
pub struct PullReview {
    pub id: u64,
    /// `None`: the reviewer's account was deleted (`"user": null`).
    pub login: Option<String>,
    /// "User" or "Bot".
    pub user_type: String,
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING.
    pub state: String,
    pub commit_id: String,
    pub submitted_at: String,
}

impl PullReview {
    /// Submitted a day after the pull request was opened, `id % 100000`
    /// minutes in, so that larger ids are later; the reviewer is a Bot if
    /// the login ends in `[bot]`.
    pub fn new(id: u64, login: &str, state: &str, commit_id: &str) -> PullReview {
        PullReview {
            id,
            login: Some(login.to_owned()),
            user_type: kind_of(login).to_owned(),
            state: state.to_owned(),
            commit_id: commit_id.to_owned(),
            submitted_at: iso8601(OPENED + 86400 + (id % 100_000) * 60),
        }
    }

    pub fn approved(id: u64, login: &str, commit_id: &str) -> PullReview {
        PullReview::new(id, login, "APPROVED", commit_id)
    }

    pub fn changes_requested(id: u64, login: &str, commit_id: &str) -> PullReview {
        PullReview::new(id, login, "CHANGES_REQUESTED", commit_id)
    }

    pub fn commented(id: u64, login: &str, commit_id: &str) -> PullReview {
        PullReview::new(id, login, "COMMENTED", commit_id)
    }

    pub fn dismissed(id: u64, login: &str, commit_id: &str) -> PullReview {
        PullReview::new(id, login, "DISMISSED", commit_id)
    }

    pub fn pending(id: u64, login: &str, commit_id: &str) -> PullReview {
        PullReview::new(id, login, "PENDING", commit_id)
    }

    pub fn bot(mut self) -> Self {
        self.user_type = "Bot".to_owned();
        self
    }

    /// The reviewer's account was deleted: GitHub serves `"user": null`.
    pub fn ghost(mut self) -> Self {
        self.login = None;
        self
    }

    /// `submitted_at`, as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn at(mut self, timestamp: &str) -> Self {
        self.submitted_at = timestamp.to_owned();
        self
    }
}

/// "Bot" for `name[bot]` logins, else "User".
pub(super) fn kind_of(login: &str) -> &'static str {
    if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    }
}

/// A stable account id for a login (case-insensitive, like logins).
fn user_id(login: &str) -> u64 {
    let hash = login.to_ascii_lowercase().bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    1000 + hash % 100_000_000
}

pub(super) fn user(login: &str, kind: &str, url: &str) -> Value {
    user_json(login, user_id(login), kind, url)
}

/// SHA-1 (FIPS 180-4), for git object ids.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, word) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*word);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (state, value) in h.iter_mut().zip([a, b, c, d, e]) {
            *state = state.wrapping_add(value);
        }
    }
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The git object id of a blob with this content (`git hash-object`).
pub(super) fn blob_sha(content: &[u8]) -> String {
    let mut object = format!("blob {}\0", content.len()).into_bytes();
    object.extend_from_slice(content);
    hex(&sha1(&object))
}

/// A made-up but stable object id derived from some text.
fn object_id(seed: &str) -> String {
    hex(&sha1(seed.as_bytes()))
}

/// Standard base64 with padding, a newline after every 60 characters and at
/// the end, as the contents API encodes files.
pub(super) fn base64_lines(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in encoded.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

pub(super) fn merge(mut value: Value, extra: Value) -> Value {
    if let (Some(target), Value::Object(extra)) = (value.as_object_mut(), extra) {
        target.extend(extra);
    }
    value
}

/// How GitHub would label a login's relation to the repository (see the module notes).
pub(super) fn association(state: &State, repo: &Repo, login: Option<&str>) -> &'static str {
    let Some(login) = login else { return "NONE" };
    let member = state.scenario.teams.iter().any(|(org, _, members)| {
        org.eq_ignore_ascii_case(&repo.owner) && members.iter().any(|m| m.eq_ignore_ascii_case(login))
    });
    if login.eq_ignore_ascii_case(&repo.owner) {
        "OWNER"
    } else if member {
        "MEMBER"
    } else if collaborator_role(repo, login).is_some() {
        "COLLABORATOR"
    } else {
        "NONE"
    }
}

fn collaborator_role<'a>(repo: &'a Repo, login: &str) -> Option<(&'a str, &'a str)> {
    repo.collaborators
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(login))
        .map(|(l, r)| (l.as_str(), r.as_str()))
}

/// Every login the scenario mentions: these accounts "exist".
fn known_account(state: &State, login: &str) -> bool {
    let is = |l: &str| l.eq_ignore_ascii_case(login);
    state.scenario.repos.iter().any(|repo| {
        is(&repo.owner)
            || repo.collaborators.iter().any(|(l, _)| is(l))
            || repo.pulls.iter().any(|p| {
                is(&p.author)
                    || p.reviews.iter().any(|r| r.login.as_deref().is_some_and(is))
                    || p.commits.iter().any(|c| {
                        c.author_login.as_deref().is_some_and(is) || c.committer_login.as_deref().is_some_and(is)
                    })
            })
    }) || state
        .scenario
        .teams
        .iter()
        .any(|(org, _, members)| is(org) || members.iter().any(|m| is(m)))
}

/// The `repository` object of a pull request's head and base (no
/// `permissions` and counters: GitHub does not include them there).
fn pull_repo_json(state: &State, repo: &Repo, url: &str) -> Value {
    let mut value = repository_json(repo, state.scenario.access, url);
    if let Some(map) = value.as_object_mut() {
        for key in ["permissions", "network_count", "subscribers_count"] {
            map.remove(key);
        }
    }
    value
}

pub(super) fn pull_json(state: &State, repo: &Repo, pull: &Pull, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let html = format!("https://github.com/{full}/pull/{}", pull.number);
    let n = pull.number;
    let owner = user_json(&repo.owner, 1, "Organization", url);
    let base_repo = pull_repo_json(state, repo, url);
    let side = |git_ref: &str, sha: &str| {
        json!({"label": format!("{}:{git_ref}", repo.owner), "ref": git_ref, "sha": sha,
               "user": owner, "repo": base_repo})
    };
    let closed = pull.state == "closed";
    let urls = json!({
        "url": format!("{api}/pulls/{n}"), "id": 1_000_000 + n, "node_id": format!("PR_kwDO{n:08}"),
        "html_url": html, "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "issue_url": format!("{api}/issues/{n}"), "commits_url": format!("{api}/pulls/{n}/commits"),
        "review_comments_url": format!("{api}/pulls/{n}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{api}/issues/{n}/comments"),
        "statuses_url": format!("{api}/statuses/{}", pull.head_sha),
    });
    let link = |href: String| json!({ "href": href });
    let links = json!({"_links": {
        "self": link(format!("{api}/pulls/{n}")), "html": link(html.clone()),
        "issue": link(format!("{api}/issues/{n}")), "comments": link(format!("{api}/issues/{n}/comments")),
        "review_comments": link(format!("{api}/pulls/{n}/comments")),
        "review_comment": link(format!("{api}/pulls/comments{{/number}}")),
        "commits": link(format!("{api}/pulls/{n}/commits")),
        "statuses": link(format!("{api}/statuses/{}", pull.head_sha)),
    }});
    let about = json!({
        "number": n, "state": pull.state, "locked": false, "title": pull.title,
        "user": user(&pull.author, &pull.author_type, url), "body": null, "labels": [], "milestone": null,
        "active_lock_reason": null, "created_at": iso8601(OPENED), "updated_at": iso8601(OPENED + 86400),
        "closed_at": if closed { json!(iso8601(OPENED + 2 * 86400)) } else { Value::Null },
        "merged_at": null, "merge_commit_sha": null, "assignee": null, "assignees": [],
        "requested_reviewers": [], "requested_teams": [],
        "head": side(&pull.head_ref, &pull.head_sha), "base": side(&pull.base_ref, &pull.base_sha),
        "author_association": association(state, repo, Some(&pull.author)), "auto_merge": null,
    });
    let counts = json!({
        "draft": pull.draft, "merged": false,
        "mergeable": if closed { Value::Null } else { json!(true) }, "rebaseable": !closed,
        "mergeable_state": if pull.draft { "draft" } else if closed { "unknown" } else { "clean" },
        "merged_by": null, "comments": 0, "review_comments": 0, "maintainer_can_modify": false,
        "commits": pull.commit_count.unwrap_or(pull.commits.len() as u64),
        "additions": pull.files.iter().map(|f| f.additions).sum::<u64>(),
        "deletions": pull.files.iter().map(|f| f.deletions).sum::<u64>(),
        "changed_files": pull.changed_files.unwrap_or(pull.files.len() as u64),
    });
    [links, about, counts].into_iter().fold(urls, merge)
}

pub(super) fn review_json(state: &State, repo: &Repo, pull: &Pull, review: &PullReview, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let html = format!(
        "https://github.com/{full}/pull/{}#pullrequestreview-{}",
        pull.number, review.id
    );
    let api = format!("{url}/repos/{full}/pulls/{}", pull.number);
    let reviewer = match &review.login {
        Some(login) => user(login, &review.user_type, url),
        None => Value::Null,
    };
    let mut value = json!({
        "id": review.id, "node_id": format!("PRR_kwDO{:08}", review.id), "user": reviewer, "body": "",
        "state": review.state, "html_url": html, "pull_request_url": api,
        "_links": {"html": {"href": html}, "pull_request": {"href": api}},
        "commit_id": review.commit_id,
        "author_association": association(state, repo, review.login.as_deref()),
    });
    if review.state != "PENDING" {
        value["submitted_at"] = json!(review.submitted_at);
    }
    value
}

pub fn file_json(repo: &Repo, pull: &Pull, file: &PullFile, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let head = &pull.head_sha;
    let name = &file.filename;
    let mut value = json!({
        "sha": object_id(&format!("{head}:{name}:{}", file.patch.as_deref().unwrap_or(""))),
        "filename": name, "status": file.status,
        "additions": file.additions, "deletions": file.deletions, "changes": file.additions + file.deletions,
        "blob_url": format!("https://github.com/{full}/blob/{head}/{name}"),
        "raw_url": format!("https://github.com/{full}/raw/{head}/{name}"),
        "contents_url": format!("{url}/repos/{full}/contents/{name}?ref={head}"),
    });
    if let Some(patch) = &file.patch {
        value["patch"] = json!(patch);
    }
    if let Some(previous) = &file.previous_filename {
        value["previous_filename"] = json!(previous);
    }
    value
}

/// The `index`th commit of the pull request; `parent` is the one before
/// (the base for the first).
pub fn commit_json(repo: &Repo, commit: &PullCommit, parent: &str, index: usize, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let sha = &commit.sha;
    let date = iso8601(OPENED + 60 * index as u64);
    let account = |login: &Option<String>| match login {
        Some(login) => user(login, kind_of(login), url),
        None => Value::Null,
    };
    let tree = object_id(&format!("tree:{sha}"));
    json!({
        "sha": sha, "node_id": format!("C_kwDO{sha}"), "url": format!("{api}/commits/{sha}"),
        "html_url": format!("https://github.com/{full}/commit/{sha}"),
        "comments_url": format!("{api}/commits/{sha}/comments"),
        "commit": {
            "url": format!("{api}/git/commits/{sha}"),
            "author": {"name": commit.author_name, "email": commit.author_email, "date": date},
            "committer": {"name": commit.committer_name, "email": commit.committer_email, "date": date},
            "message": commit.message,
            "tree": {"sha": tree, "url": format!("{api}/git/trees/{tree}")},
            "comment_count": 0,
            "verification": {"verified": false, "reason": "unsigned", "payload": null, "signature": null,
                             "verified_at": null},
        },
        "author": account(&commit.author_login),
        "committer": account(&commit.committer_login),
        "parents": [{"sha": parent, "url": format!("{api}/commits/{parent}"),
                     "html_url": format!("https://github.com/{full}/commit/{parent}")}],
    })
}

/// The numeric level of a role (read 0 ... admin 4); unknown roles count as read.
fn role_level(role: &str) -> usize {
    match role {
        "triage" => 1,
        "write" | "push" => 2,
        "maintain" => 3,
        "admin" => 4,
        _ => 0,
    }
}

/// A `collaborator`: the user, `permissions` implied by the role, `role_name`.
/// The role "none" grants nothing.
pub fn collaborator_json(login: &str, role: &str, url: &str) -> Value {
    let level = if role == "none" { None } else { Some(role_level(role)) };
    let has = |at: usize| level.is_some_and(|l| l >= at);
    let mut value = user(login, kind_of(login), url);
    value["permissions"] =
        json!({"pull": has(0), "triage": has(1), "push": has(2), "maintain": has(3), "admin": has(4)});
    value["role_name"] = json!(role);
    value
}

/// GitHub's legacy permission for a role: maintain is write, triage is read.
fn legacy_permission(role: &str) -> &'static str {
    match role {
        "none" => "none",
        role => match role_level(role) {
            4 => "admin",
            2 | 3 => "write",
            _ => "read",
        },
    }
}

/// The names a ref is known by: itself (without `refs/heads/`), and the
/// branch or tip sha it stands for according to the scenario's pull requests
/// and the default branch.
fn ref_aliases(repo: &Repo, git_ref: &str) -> Vec<String> {
    let git_ref = git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref);
    let mut names = vec![git_ref.to_owned()];
    let tips = repo
        .pulls
        .iter()
        .flat_map(|p| [(&p.head_ref, &p.head_sha), (&p.base_ref, &p.base_sha)])
        .map(|(b, s)| (b.as_str(), s.as_str()))
        .chain([(repo.default_branch.as_str(), BRANCH_SHA)]);
    for (branch, sha) in tips {
        let alias = if git_ref == branch {
            sha
        } else if git_ref == sha {
            branch
        } else {
            continue;
        };
        if !names.iter().any(|n| n == alias) {
            names.push(alias.to_owned());
        }
    }
    names
}

/// The `(ref as stored, path, bytes)` contents of the repository at a ref:
/// the files stored under any of its aliases, the ref as asked winning when
/// two aliases hold the same path.
fn tree_at<'a>(repo: &'a Repo, git_ref: &str) -> Vec<(&'a str, &'a str, &'a [u8])> {
    let mut files: Vec<(&str, &str, &[u8])> = Vec::new();
    for alias in ref_aliases(repo, git_ref) {
        for (r, p, b) in &repo.contents {
            if r.strip_prefix("refs/heads/").unwrap_or(r) == alias && !files.iter().any(|(_, q, _)| q == p) {
                files.push((r.as_str(), p.as_str(), b.as_slice()));
            }
        }
    }
    files
}

fn content_links(full: &str, api: &str, git_ref: &str, path: &str, kind: &str, sha: &str) -> Value {
    let (git_kind, html_kind) = if kind == "dir" {
        ("trees", "tree")
    } else {
        ("blobs", "blob")
    };
    let self_url = format!("{api}/contents/{path}?ref={git_ref}");
    let git_url = format!("{api}/git/{git_kind}/{sha}");
    let html_url = format!("https://github.com/{full}/{html_kind}/{git_ref}/{path}");
    json!({
        "url": self_url, "git_url": git_url, "html_url": html_url,
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    })
}

/// A `content-file` (`content-directory` entries use it without `content` and `encoding`).
pub fn content_file_json(repo: &Repo, git_ref: &str, path: &str, bytes: &[u8], url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let sha = blob_sha(bytes);
    let (content, encoding) = if bytes.len() > MAX_INLINE {
        (String::new(), "none")
    } else {
        (base64_lines(bytes), "base64")
    };
    let value = json!({
        "type": "file", "encoding": encoding, "size": bytes.len(),
        "name": path.rsplit('/').next().unwrap_or(path), "path": path, "content": content, "sha": sha,
        "download_url": format!("{url}/raw/{full}/{git_ref}/{path}"),
    });
    merge(value, content_links(&full, &api, git_ref, path, "file", &sha))
}

fn directory_json(repo: &Repo, git_ref: &str, dir: &str, tree: &[(&str, &str, &[u8])], url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut entries: Vec<(String, Option<&[u8]>)> = Vec::new();
    for (_, path, bytes) in tree {
        let Some(below) = path.strip_prefix(&prefix) else {
            continue;
        };
        let (name, file) = match below.split_once('/') {
            Some((name, _)) => (name, None),
            None => (below, Some(*bytes)),
        };
        if !entries.iter().any(|(n, _)| n == name) {
            entries.push((name.to_owned(), file));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let items = entries
        .into_iter()
        .map(|(name, file)| {
            let path = format!("{prefix}{name}");
            match file {
                Some(bytes) => {
                    let mut entry = content_file_json(repo, git_ref, &path, bytes, url);
                    if let Some(map) = entry.as_object_mut() {
                        map.remove("content");
                        map.remove("encoding");
                    }
                    entry
                }
                None => {
                    let sha = object_id(&format!("tree:{git_ref}:{path}"));
                    let entry = json!({"type": "dir", "size": 0, "name": name, "path": path, "sha": sha,
                                       "download_url": null});
                    merge(entry, content_links(&full, &api, git_ref, &path, "dir", &sha))
                }
            }
        })
        .collect();
    Value::Array(items)
}

/// Routes under `/repos/{owner}/{repo}/` that this module serves (GET).
pub(super) fn repo_route(
    state: &State,
    repo: &Repo,
    rest: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> Option<Response> {
    if let Some(tail) = rest.strip_prefix("pulls/") {
        return Some(pulls(state, repo, tail, request, url));
    }
    if rest == "contents" || rest.starts_with("contents/") {
        let path = rest.trim_start_matches("contents").trim_matches('/');
        return Some(contents(repo, path, request, url));
    }
    if rest == "activity" {
        return Some(activity(state, repo, request, url));
    }
    if rest == "collaborators" || rest.starts_with("collaborators/") {
        let tail = rest.trim_start_matches("collaborators").trim_start_matches('/');
        return Some(collaborators(state, repo, tail, request, url, authed));
    }
    None
}

/// `GET /repos/{owner}/{repo}/activity`: the pushes of the pull requests'
/// head branches, newest first (one per pull request: its head push), filtered
/// by `ref` (`refs/heads/X` or `X`).
fn activity(state: &State, repo: &Repo, request: &Request, url: &str) -> Response {
    let wanted = request.query.get("ref").map(|r| {
        let decoded = percent_decode(r);
        decoded.strip_prefix("refs/heads/").unwrap_or(&decoded).to_owned()
    });
    let mut items: Vec<(u64, Value)> = repo
        .pulls
        .iter()
        .filter(|p| !p.push_unlisted)
        .filter(|p| wanted.as_deref().is_none_or(|w| w == p.head_ref))
        .map(|p| {
            let at = OPENED + p.number * 60;
            let before = p
                .commits
                .iter()
                .rev()
                .nth(1)
                .map_or(p.base_sha.clone(), |c| c.sha.clone());
            let json = json!({
                "id": 9_000_000 + p.number,
                "node_id": format!("RA_kwDO{:08}", p.number),
                "before": before,
                "after": p.head_sha,
                "ref": format!("refs/heads/{}", p.head_ref),
                "timestamp": iso8601(at),
                "activity_type": "push",
                "actor": user(&p.head_pusher(), kind_of(&p.head_pusher()), url),
            });
            (at, json)
        })
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    page(
        items.into_iter().map(|(_, v)| v).collect(),
        request,
        url,
        state.scenario.page_size,
    )
}

fn pulls(state: &State, repo: &Repo, tail: &str, request: &Request, url: &str) -> Response {
    let (number, what) = tail.split_once('/').unwrap_or((tail, ""));
    let Some(pull) = number
        .parse::<u64>()
        .ok()
        .and_then(|n| repo.pulls.iter().find(|p| p.number == n))
    else {
        return error(404, "Not Found");
    };
    let forced = state.scenario.page_size;
    match what {
        "" => ok(pull_json(state, repo, pull, url)),
        "reviews" => {
            let items = pull
                .reviews
                .iter()
                .map(|r| review_json(state, repo, pull, r, url))
                .collect();
            page(items, request, url, forced)
        }
        "files" => {
            let items = pull
                .files
                .iter()
                .take(MAX_FILES)
                .map(|f| file_json(repo, pull, f, url))
                .collect();
            page(items, request, url, forced)
        }
        "commits" => {
            let parents = std::iter::once(pull.base_sha.as_str()).chain(pull.commits.iter().map(|c| c.sha.as_str()));
            let items = pull
                .commits
                .iter()
                .zip(parents)
                .take(MAX_COMMITS)
                .enumerate()
                .map(|(i, (c, parent))| commit_json(repo, c, parent, i, url))
                .collect();
            page(items, request, url, forced)
        }
        _ => error(404, "Not Found"),
    }
}

fn contents(repo: &Repo, path: &str, request: &Request, url: &str) -> Response {
    let git_ref = request
        .query
        .get("ref")
        .map(|r| percent_decode(r))
        .unwrap_or_else(|| repo.default_branch.clone());
    let tree = tree_at(repo, &git_ref);
    if let Some((_, _, bytes)) = tree.iter().find(|(_, p, _)| *p == path) {
        let raw = request
            .headers
            .get("accept")
            .is_some_and(|a| a.contains("application/vnd.github.raw") || a.contains("application/vnd.github.v3.raw"));
        if raw {
            return Response {
                status: 200,
                body: bytes.to_vec(),
                headers: vec![("Content-Type".to_owned(), "application/vnd.github.raw".to_owned())],
                length: None,
            };
        }
        return ok(content_file_json(repo, &git_ref, path, bytes, url));
    }
    let inside = |p: &str| path.is_empty() || p.starts_with(&format!("{path}/"));
    if tree.iter().any(|(_, p, _)| inside(p)) {
        return ok(directory_json(repo, &git_ref, path, &tree, url));
    }
    error(404, "Not Found")
}

/// `/raw/{owner}/{repo}/{ref}/{path}`: the `download_url` of a file.
pub(super) fn raw(state: &State, owner: &str, name: &str, rest: &str, authed: bool) -> Response {
    let repo = state
        .scenario
        .repos
        .iter()
        .find(|r| r.owner == owner && r.name == name && (authed || !r.private));
    let bytes = repo.and_then(|repo| {
        repo.contents
            .iter()
            .find(|(r, p, _)| rest == format!("{r}/{p}"))
            .map(|(_, _, b)| b.clone())
    });
    match bytes {
        Some(body) => Response {
            status: 200,
            body,
            headers: vec![("Content-Type".to_owned(), "text/plain; charset=utf-8".to_owned())],
            length: None,
        },
        None => error(404, "Not Found"),
    }
}

pub(super) fn validation_failed(resource: &str, field: &str, code: &str, message: &str) -> Response {
    let mut response = error(422, "Validation Failed");
    let mut body: Value = serde_json::from_slice(&response.body).unwrap_or_default();
    body["errors"] = json!([{"resource": resource, "code": code, "field": field, "message": message}]);
    response.body = body.to_string().into_bytes();
    response
}

fn collaborators(state: &State, repo: &Repo, tail: &str, request: &Request, url: &str, authed: bool) -> Response {
    if !authed {
        return error(401, "Requires authentication");
    }
    if tail.is_empty() {
        let least = match request.query.get("permission").map(String::as_str) {
            None => 0,
            Some("pull") => 0,
            Some("triage") => 1,
            Some("push") => 2,
            Some("maintain") => 3,
            Some("admin") => 4,
            Some(_) => {
                return validation_failed(
                    "Repository",
                    "permission",
                    "invalid",
                    "permission must be one of pull, triage, push, maintain, admin",
                )
            }
        };
        // `outside`: only the outside collaborators; `direct` and `all`:
        // every collaborator (the fake has no access through teams here).
        let outside_only = match request.query.get("affiliation").map(String::as_str) {
            None | Some("all") | Some("direct") => false,
            Some("outside") => true,
            Some(_) => {
                return validation_failed(
                    "Repository",
                    "affiliation",
                    "invalid",
                    "affiliation must be one of outside, direct, all",
                )
            }
        };
        let items = repo
            .collaborators
            .iter()
            .filter(|(_, role)| role_level(role) >= least)
            .filter(|(login, _)| {
                !outside_only || repo.outside_collaborators.iter().any(|o| o.eq_ignore_ascii_case(login))
            })
            .map(|(login, role)| collaborator_json(login, role, url))
            .collect();
        return page(items, request, url, state.scenario.page_size);
    }
    let (login, what) = tail.split_once('/').unwrap_or((tail, ""));
    match what {
        "" => match collaborator_role(repo, login) {
            Some(_) => Response {
                status: 204,
                body: Vec::new(),
                headers: Vec::new(),
                length: None,
            },
            None => error(404, "Not Found"),
        },
        "permission" => {
            let (login, role) = match collaborator_role(repo, login) {
                Some(found) => found,
                None if known_account(state, login) => (login, if repo.private { "none" } else { "read" }),
                None => return error(404, &format!("{login} is not a user")),
            };
            ok(json!({
                "permission": legacy_permission(role),
                "role_name": role,
                "user": collaborator_json(login, role, url),
            }))
        }
        _ => error(404, "Not Found"),
    }
}

/// `/orgs/{org}/teams/{rest}`: team members.
pub(super) fn team_route(state: &State, org: &str, rest: &str, request: &Request, url: &str, authed: bool) -> Response {
    let Some(slug) = rest.strip_suffix("/members") else {
        return error(404, "Not Found");
    };
    if !authed {
        return error(401, "Requires authentication");
    }
    if !state.scenario.members_access {
        return error(403, "Resource not accessible by integration");
    }
    let Some((_, _, members)) = state
        .scenario
        .teams
        .iter()
        .find(|(o, s, _)| o.eq_ignore_ascii_case(org) && s == slug)
    else {
        return error(404, "Not Found");
    };
    let items = members.iter().map(|m| user(m, kind_of(m), url)).collect();
    page(items, request, url, state.scenario.page_size)
}

/// `POST /repos/{owner}/{repo}/statuses/{sha}`: the response and, when
/// created, what to record.
pub(super) fn post_status(
    state: &State,
    repo: &Repo,
    sha: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> (Response, Option<(String, Value)>) {
    if !authed {
        return (error(401, "Requires authentication"), None);
    }
    if !state.scenario.statuses_access {
        return (error(403, "Resource not accessible by integration"), None);
    }
    if sha.is_empty() || sha.contains('/') {
        return (error(404, "Not Found"), None);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return (error(400, "Problems parsing JSON"), None);
    };
    let Some(status) = body.get("state").and_then(Value::as_str) else {
        return (
            validation_failed("Status", "state", "missing_field", "state is missing"),
            None,
        );
    };
    if !["error", "failure", "pending", "success"].contains(&status) {
        return (
            validation_failed("Status", "state", "custom", "state is not included in the list"),
            None,
        );
    }
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    let description = text("description");
    if description.as_ref().is_some_and(|d| d.chars().count() > 140) {
        return (
            validation_failed(
                "Status",
                "description",
                "custom",
                "description is too long (maximum is 140 characters)",
            ),
            None,
        );
    }
    let id = 1 + state.statuses.len() as u64;
    let stamp = iso8601(now());
    let creator = user_json("github-actions[bot]", 41898282, "Bot", url);
    let location = format!("{url}/repos/{}/{}/statuses/{sha}", repo.owner, repo.name);
    let value = json!({
        "url": location, "avatar_url": creator["avatar_url"], "id": id, "node_id": format!("SC_kwDO{id:08}"),
        "state": status, "description": description, "target_url": text("target_url"),
        "context": text("context").unwrap_or_else(|| "default".to_owned()),
        "created_at": stamp, "updated_at": stamp, "creator": creator,
    });
    let response = Response {
        status: 201,
        body: value.to_string().into_bytes(),
        headers: vec![("Location".to_owned(), location)],
        length: None,
    };
    (response, Some((sha.to_owned(), body)))
}
