//! A fake GitHub REST API on 127.0.0.1, started per test and driven by a
//! scenario: repositories, branches, classic protection, repository and
//! organisation rulesets, what the token may see, and injected faults. It
//! serves payloads shaped like GitHub's (each kind is validated against the
//! official OpenAPI description in tests/github_conformance.rs), with Link
//! pagination, ETags and 304s, and rate-limit headers. Pull requests,
//! contents, collaborators, team members and commit statuses live in the
//! sibling module `fake_pulls`; repository and organisation settings and
//! issues in `fake_settings`. Their data types are re-exported here.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[allow(unused_imports)] // Not every test crate uses every type.
pub use super::fake_checks::CheckRun;
#[allow(unused_imports)] // Not every test crate uses every type.
pub use super::fake_pulls::{Pull, PullCommit, PullFile, PullReview};
#[allow(unused_imports)] // Not every test crate uses every type.
pub use super::fake_settings::{Hook, Issue, Org};
use super::{fake_checks, fake_deploy, fake_pulls, fake_settings};

/// What the token may do on the repositories of the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Repository admin: classic protection and repository bypass lists readable.
    Admin,
    /// A user token with write (or read) access: classic protection answers 404.
    Write,
    /// A GitHub App installation token (or Actions' GITHUB_TOKEN) without
    /// Administration: classic protection answers 403.
    App,
}

#[derive(Debug, Clone)]
pub enum FaultKind {
    /// A plain status with a GitHub error body (500, 502, ...).
    Status(u16),
    /// A secondary rate limit: this status (403 or 429) with `retry-after`.
    SecondaryLimit { status: u16, retry_after: u64 },
    /// A secondary rate limit without `retry-after` (GitHub does not always
    /// send one); the primary quota is far from used up.
    SecondaryLimitWithoutRetryAfter { status: u16 },
    /// The primary limit: 403, `x-ratelimit-remaining: 0`, reset in N seconds.
    PrimaryLimit { reset_in: u64 },
    /// Sleeps this long before answering (past the client's timeout).
    Slow(Duration),
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 whose body stops short of its Content-Length.
    Truncated,
    /// This status with a GitHub error body carrying `message`, in which
    /// `{authorization}` stands for the request's `Authorization` header (a
    /// proxy or server that echoes the request in its errors).
    Message { status: u16, message: String },
    /// 200 with the normal answer, sent one byte every `interval` (a server
    /// that never quite stops answering).
    Drip(Duration),
    /// 200 with the normal answer followed by this many bytes of JSON
    /// whitespace, streamed (a body far larger than any GitHub answer).
    Padded(u64),
}

/// Injects `kind` into the next `times` requests whose path contains `path`;
/// a `path` ending in `$` is anchored: the request path must end with what
/// comes before the `$` (so "/repos/o/r/collaborators$" faults the listing
/// but not "/repos/o/r/collaborators/{login}/permission").
#[derive(Debug, Clone)]
pub struct Fault {
    pub path: String,
    pub kind: FaultKind,
    pub times: usize,
}

/// Classic branch protection, as a repository admin would set it.
#[derive(Debug, Clone, Default)]
pub struct Classic {
    /// `Some(n)`: pull requests required with n approvals.
    pub approvals: Option<u32>,
    pub dismiss_stale: bool,
    pub code_owners: bool,
    pub last_push: bool,
    pub status_checks: Option<(bool, Vec<String>)>,
    /// Status checks pinned to an app: (context, app_id); others any source.
    pub check_apps: Vec<(String, i64)>,
    pub enforce_admins: bool,
    pub allow_force_pushes: bool,
    pub allow_deletions: bool,
    pub linear_history: bool,
    pub signatures: bool,
    pub conversation_resolution: bool,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub name: String,
    pub classic: Option<Classic>,
}

#[derive(Debug, Clone)]
pub struct Ruleset {
    pub id: u64,
    pub name: String,
    /// "active", "evaluate" or "disabled".
    pub enforcement: String,
    /// `ref_name.include` patterns: "~DEFAULT_BRANCH", "~ALL", "refs/heads/release/*".
    pub include: Vec<String>,
    /// Rules as `{"type": ..., "parameters": {...}}`.
    pub rules: Vec<Value>,
    /// `{"actor_id": .., "actor_type": .., "bypass_mode": ..}`.
    pub bypass_actors: Vec<Value>,
    /// When it was last changed (`updated_at` in the API).
    pub updated_at: String,
}

impl Ruleset {
    pub fn new(id: u64, name: &str, rules: Vec<Value>) -> Ruleset {
        Ruleset {
            id,
            name: name.to_owned(),
            enforcement: "active".to_owned(),
            include: vec!["~DEFAULT_BRANCH".to_owned()],
            rules,
            bypass_actors: Vec::new(),
            updated_at: "2026-11-01T10:00:00Z".to_owned(),
        }
    }

    pub fn updated_at(mut self, at: &str) -> Self {
        self.updated_at = at.to_owned();
        self
    }

    pub fn enforcement(mut self, mode: &str) -> Self {
        self.enforcement = mode.to_owned();
        self
    }

    pub fn include(mut self, patterns: &[&str]) -> Self {
        self.include = patterns.iter().map(|p| p.to_string()).collect();
        self
    }

    pub fn bypass(mut self, actor_type: &str, actor_id: u64, mode: &str) -> Self {
        self.bypass_actors
            .push(json!({"actor_id": actor_id, "actor_type": actor_type, "bypass_mode": mode}));
        self
    }
}

/// Rule payloads.
pub mod rule {
    use serde_json::{json, Value};

    pub fn pull_request(approvals: u32, stale: bool, code_owners: bool, last_push: bool, threads: bool) -> Value {
        json!({"type": "pull_request", "parameters": {
            "required_approving_review_count": approvals,
            "dismiss_stale_reviews_on_push": stale,
            "require_code_owner_review": code_owners,
            "require_last_push_approval": last_push,
            "required_review_thread_resolution": threads,
            "allowed_merge_methods": ["merge", "squash", "rebase"]
        }})
    }

    pub fn status_checks(strict: bool, contexts: &[&str]) -> Value {
        let checks: Vec<Value> = contexts.iter().map(|c| json!({"context": c})).collect();
        json!({"type": "required_status_checks", "parameters": {
            "required_status_checks": checks,
            "strict_required_status_checks_policy": strict
        }})
    }

    /// Required checks, each from any source (`None`) or one app.
    pub fn status_checks_from(strict: bool, checks: &[(&str, Option<u64>)]) -> Value {
        let checks: Vec<Value> = checks
            .iter()
            .map(|(context, app)| match app {
                Some(app) => json!({"context": context, "integration_id": app}),
                None => json!({"context": context}),
            })
            .collect();
        json!({"type": "required_status_checks", "parameters": {
            "required_status_checks": checks,
            "strict_required_status_checks_policy": strict
        }})
    }

    pub fn simple(kind: &str) -> Value {
        json!({ "type": kind })
    }
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    pub private: bool,
    pub branches: Vec<Branch>,
    pub rulesets: Vec<Ruleset>,
    pub pulls: Vec<Pull>,
    /// `(git ref, path, bytes)`: the ref is a branch name (optionally
    /// `refs/heads/...`) or a commit sha. A branch name and the sha of its
    /// tip are interchangeable when a pull request of the scenario says
    /// which sha the tip is (its head or base), and the default branch is
    /// also reachable by the sha the branch listing reports.
    pub contents: Vec<(String, String, Vec<u8>)>,
    /// `(login, role)`, the role one of admin, maintain, write, triage, read.
    pub collaborators: Vec<(String, String)>,
    /// The repository id (1296269 unless set; `Scenario::org_with_repos`
    /// numbers its repositories).
    pub id: u64,
    /// Visibility "internal" (with `private` true); see `Repo::internal`.
    pub internal: bool,
    pub archived: bool,
    pub allow_forking: bool,
    pub topics: Vec<String>,
    pub custom_properties: BTreeMap<String, String>,
    /// `None`: the feature is not available, and GitHub leaves it out of
    /// `security_and_analysis`.
    pub secret_scanning: Option<bool>,
    pub push_protection: Option<bool>,
    /// Dependabot alerts (`/vulnerability-alerts`); security updates
    /// (`security_and_analysis.dependabot_security_updates`) follow it.
    pub dependabot_alerts: bool,
    /// Logins among `collaborators` that are outside collaborators.
    pub outside_collaborators: Vec<String>,
    /// `(team slug, permission)`, the permission one of pull, triage, push, maintain, admin.
    pub teams: Vec<(String, String)>,
    /// `(id, title, read_only)`.
    pub deploy_keys: Vec<(u64, String, bool)>,
    pub hooks: Vec<Hook>,
    /// `(default_workflow_permissions: "read" or "write", can_approve_pull_request_reviews)`.
    pub workflow_permissions: (String, bool),
    /// `None`: no CODEOWNERS file (404); `Some(errors)`: `(line, message)`.
    pub codeowners: Option<Vec<(u64, String)>>,
    /// Issues (pull requests are listed among them too, as on GitHub);
    /// issues created through the API are added here.
    pub issues: Vec<Issue>,
    /// Deployments, refs, activity and the GraphQL data of `livegate deploy`.
    pub deploy: fake_deploy::DeployWorld,
}

impl Repo {
    pub fn new(full: &str) -> Repo {
        let (owner, name) = full.split_once('/').expect("owner/name");
        Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: "main".to_owned(),
            private: true,
            branches: vec![Branch {
                name: "main".to_owned(),
                classic: None,
            }],
            rulesets: Vec::new(),
            pulls: Vec::new(),
            contents: Vec::new(),
            collaborators: Vec::new(),
            id: 1296269,
            internal: false,
            archived: false,
            allow_forking: true,
            topics: Vec::new(),
            custom_properties: BTreeMap::new(),
            secret_scanning: None,
            push_protection: None,
            dependabot_alerts: false,
            outside_collaborators: Vec::new(),
            teams: Vec::new(),
            deploy_keys: Vec::new(),
            hooks: Vec::new(),
            workflow_permissions: ("read".to_owned(), false),
            codeowners: None,
            issues: Vec::new(),
            deploy: fake_deploy::DeployWorld::default(),
        }
    }

    pub fn branch(mut self, name: &str, classic: Option<Classic>) -> Self {
        self.branches.retain(|b| b.name != name);
        self.branches.push(Branch {
            name: name.to_owned(),
            classic,
        });
        self
    }

    pub fn ruleset(mut self, ruleset: Ruleset) -> Self {
        self.rulesets.push(ruleset);
        self
    }

    /// Adds (or replaces, by number) a pull request.
    pub fn pull(mut self, pull: Pull) -> Self {
        self.pulls.retain(|p| p.number != pull.number);
        self.pulls.push(pull);
        self
    }

    /// A file at a ref (branch name or commit sha); replaces the same ref and path.
    pub fn content(mut self, git_ref: &str, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.contents.retain(|(r, p, _)| !(r == git_ref && p == path));
        self.contents.push((git_ref.to_owned(), path.to_owned(), bytes.into()));
        self
    }

    /// A collaborator with a role: admin, maintain, write, triage or read.
    pub fn collaborator(mut self, login: &str, role: &str) -> Self {
        self.collaborators.retain(|(l, _)| !l.eq_ignore_ascii_case(login));
        self.collaborators.push((login.to_owned(), role.to_owned()));
        self
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    /// The token the server accepts; `None` accepts any (and none).
    pub token: Option<String>,
    pub access: Access,
    /// Whether the token is an organisation admin (sees org bypass lists).
    pub org_admin: bool,
    pub repos: Vec<Repo>,
    /// Organisation rulesets, applied to every repository of the owner.
    pub org_rulesets: Vec<Ruleset>,
    pub faults: Vec<Fault>,
    /// Forces small pages to exercise Link pagination.
    pub page_size: Option<usize>,
    pub quota: u64,
    /// (app id, installation id) of a GitHub App whose JWT is accepted at
    /// POST /app/installations/{id}/access_tokens, answered with `token`.
    pub app: Option<(u64, u64)>,
    /// `(org, team slug, member logins)`.
    pub teams: Vec<(String, String, Vec<String>)>,
    /// Whether the token may list team members (Members: read); when false
    /// the listing answers 403 like a GITHUB_TOKEN.
    pub members_access: bool,
    /// Whether the token may create commit statuses (Statuses: write); when
    /// false a POST answers 403.
    pub statuses_access: bool,
    /// Organisations with their settings (`/orgs/{org}`...). An owner of
    /// repositories of the scenario without an entry here is served as
    /// `Org::new(owner)`.
    pub orgs: Vec<Org>,
    /// Whether the token may create and edit issues (Issues: write); when
    /// false POST and PATCH on issues answer 403.
    pub issues_access: bool,
    /// Every request waits this long before it is answered (outside the
    /// server's lock: concurrent requests overlap).
    pub latency: Option<Duration>,
    /// Served like GitHub Enterprise Server: REST under `/api/v3`, GraphQL
    /// at `/api/graphql`; anything else is 404.
    pub enterprise: bool,
}

impl Scenario {
    pub fn new(repo: Repo) -> Scenario {
        Scenario {
            token: Some("test-token".to_owned()),
            access: Access::Admin,
            org_admin: true,
            repos: vec![repo],
            org_rulesets: Vec::new(),
            faults: Vec::new(),
            page_size: None,
            quota: 5000,
            app: None,
            teams: Vec::new(),
            members_access: true,
            statuses_access: true,
            orgs: Vec::new(),
            issues_access: true,
            latency: None,
            enterprise: false,
        }
    }

    /// A team of an organisation and its members; replaces the same team.
    pub fn team(mut self, org: &str, slug: &str, members: &[&str]) -> Self {
        self.teams.retain(|(o, s, _)| !(o == org && s == slug));
        self.teams.push((
            org.to_owned(),
            slug.to_owned(),
            members.iter().map(|m| m.to_string()).collect(),
        ));
        self
    }

    pub fn fault(mut self, path: &str, kind: FaultKind, times: usize) -> Self {
        self.faults.push(Fault {
            path: path.to_owned(),
            kind,
            times,
        });
        self
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub if_none_match: Option<String>,
    pub status: u16,
    /// When the request had been read (before any injected latency).
    pub received: Instant,
    /// When the answer was ready to send.
    pub answered: Instant,
}

pub(super) struct State {
    pub(super) scenario: Scenario,
    log: Vec<Logged>,
    remaining: u64,
    /// Commit statuses created: (sha, the body as posted).
    pub(super) statuses: Vec<(String, Value)>,
    /// Check runs created, with every request that wrote them.
    pub(super) check_runs: Vec<CheckRun>,
    /// Every GraphQL query received, and why those that failed validation did.
    pub(super) graphql_queries: Vec<String>,
    pub(super) graphql_invalid: Vec<String>,
    /// Deployment protection rule answers: (repository, run id, the body as posted).
    pub(super) gate_answers: Vec<(String, u64, Value)>,
}

pub struct FakeGitHub {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    pub fn start(scenario: Scenario) -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let remaining = scenario.quota;
        let state = Arc::new(Mutex::new(State {
            scenario,
            log: Vec::new(),
            remaining,
            statuses: Vec::new(),
            check_runs: Vec::new(),
            graphql_queries: Vec::new(),
            graphql_invalid: Vec::new(),
            gate_answers: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, url) = (state.clone(), stop.clone(), url.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (state, url) = (state.clone(), url.clone());
                    std::thread::spawn(move || serve(stream, &state, &url));
                }
            })
        };
        FakeGitHub {
            url,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    /// Sets what is left of the quota (the hour's window moved on, or ran low).
    pub fn set_remaining(&self, remaining: u64) {
        self.state.lock().unwrap().remaining = remaining;
    }

    /// Requests that counted against the quota (everything but 304s).
    pub fn quota_used(&self) -> u64 {
        let state = self.state.lock().unwrap();
        state.scenario.quota - state.remaining
    }

    /// Commit statuses created so far, in order: (sha, the JSON body as posted).
    pub fn statuses(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().statuses.clone()
    }

    /// Check runs created so far, in order, each with its requests.
    pub fn check_runs(&self) -> Vec<CheckRun> {
        self.state.lock().unwrap().check_runs.clone()
    }

    /// The issues of a repository ("owner/name") as they stand: those of the
    /// scenario and those created through the API, with their edits and
    /// comments. Empty for an unknown repository.
    pub fn issues(&self, repo_full: &str) -> Vec<Issue> {
        let state = self.state.lock().unwrap();
        state
            .scenario
            .repos
            .iter()
            .find(|r| format!("{}/{}", r.owner, r.name).eq_ignore_ascii_case(repo_full))
            .map(|r| r.issues.clone())
            .unwrap_or_default()
    }

    /// Every GraphQL query received, in order.
    pub fn graphql_queries(&self) -> Vec<String> {
        self.state.lock().unwrap().graphql_queries.clone()
    }

    /// Why GraphQL queries (or the fake's answers to them) failed the schema.
    pub fn graphql_invalid(&self) -> Vec<String> {
        self.state.lock().unwrap().graphql_invalid.clone()
    }

    /// Answers to deployment protection rules so far, in order: (owner/name, run id, body).
    pub fn gate_answers(&self) -> Vec<(String, u64, Value)> {
        self.state.lock().unwrap().gate_answers.clone()
    }

    /// Changes the scenario between runs (a setting changed on GitHub).
    pub fn update(&self, change: impl FnOnce(&mut Scenario)) {
        change(&mut self.state.lock().unwrap().scenario);
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub(super) struct Request {
    pub(super) method: String,
    /// Percent-decoded.
    pub(super) path: String,
    /// As sent (not decoded).
    pub(super) query: BTreeMap<String, String>,
    /// Names in lower case.
    pub(super) headers: BTreeMap<String, String>,
    pub(super) body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    // Read the body too (closing a socket with unread data resets it); POSTs use it.
    let mut body = Vec::new();
    if let Some(length) = headers
        .get("content-length")
        .and_then(|l: &String| l.parse::<usize>().ok())
    {
        body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Some(Request {
        method,
        path: percent_decode(path),
        query,
        headers,
        body,
    })
}

pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) struct Response {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
    pub(super) headers: Vec<(String, String)>,
    /// Declared length, when it must differ from the body (truncation).
    pub(super) length: Option<usize>,
}

pub(super) fn error(status: u16, message: &str) -> Response {
    let body = json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string()
    });
    Response {
        status,
        body: body.to_string().into_bytes(),
        headers: Vec::new(),
        length: None,
    }
}

pub(super) fn ok(value: Value) -> Response {
    Response {
        status: 200,
        body: value.to_string().into_bytes(),
        headers: Vec::new(),
        length: None,
    }
}

// Timestamps as GitHub writes them: livegate's own formatting, which its
// unit tests check against a known date and by round trips.
pub(super) use livegate::timestamp::{iso8601, now_secs as now};

/// An Enterprise Server path as the routes know it (`/api/v3/repos/...` →
/// `/repos/...`, `/api/graphql` → `/graphql`); `None` for anything else.
fn enterprise_path(path: &str) -> Option<String> {
    if path == "/api/graphql" {
        return Some("/graphql".to_owned());
    }
    path.strip_prefix("/api/v3/")
        .filter(|rest| !rest.is_empty() && *rest != "graphql")
        .map(|rest| format!("/{rest}"))
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, url: &str) {
    let Some(mut request) = read_request(&stream) else {
        return;
    };
    let enterprise_url;
    let url = if state.lock().unwrap().scenario.enterprise {
        // Anything outside the two roots falls through to a 404.
        request.path = enterprise_path(&request.path).unwrap_or_else(|| "/not-an-enterprise-path".to_owned());
        enterprise_url = format!("{url}/api/v3");
        enterprise_url.as_str()
    } else {
        url
    };
    let received = Instant::now();
    // The scenario's latency is served before the lock is taken, so that
    // concurrent requests wait side by side.
    let latency = state.lock().unwrap().scenario.latency;
    if let Some(latency) = latency {
        std::thread::sleep(latency);
    }
    if let Some((kind, body)) = streamed_fault(&mut state.lock().unwrap(), &request, url) {
        send_streamed(stream, kind, &body);
        return;
    }
    let (response, delay) = {
        let mut state = state.lock().unwrap();
        let (response, delay) = respond(&mut state, &request, url);
        let remaining = state.remaining;
        let (bytes, status) = finish(response, &request, remaining.saturating_sub(1));
        // Conditional requests answered 304 do not count against the quota.
        if status != 304 {
            state.remaining = remaining.saturating_sub(1);
        }
        state.log.push(Logged {
            method: request.method.clone(),
            path: request.path.clone(),
            authorization: request.headers.get("authorization").cloned(),
            if_none_match: request.headers.get("if-none-match").cloned(),
            status,
            received,
            answered: Instant::now(),
        });
        (bytes, delay)
    };
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let _ = stream.write_all(&response);
    let _ = stream.flush();
}

/// A drip or padding fault for this request, with the normal answer's body.
fn streamed_fault(state: &mut State, request: &Request, url: &str) -> Option<(FaultKind, Vec<u8>)> {
    let fault = state
        .scenario
        .faults
        .iter_mut()
        .find(|f| f.times > 0 && fault_matches(&f.path, &request.path))?;
    if !matches!(fault.kind, FaultKind::Drip(_) | FaultKind::Padded(_)) {
        return None;
    }
    fault.times -= 1;
    let kind = fault.kind.clone();
    let (response, _) = route(state, request, url);
    state.log.push(Logged {
        method: request.method.clone(),
        path: request.path.clone(),
        authorization: request.headers.get("authorization").cloned(),
        if_none_match: None,
        status: 200,
        received: Instant::now(),
        answered: Instant::now(),
    });
    Some((kind, response.body))
}

/// Sends `body` slowly (`Drip`) or followed by whitespace padding
/// (`Padded`), stopping when the client hangs up.
fn send_streamed(mut stream: TcpStream, kind: FaultKind, body: &[u8]) {
    let padding = match kind {
        FaultKind::Padded(bytes) => bytes,
        _ => 0,
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         x-ratelimit-remaining: 4999\r\nx-ratelimit-limit: 5000\r\nConnection: close\r\n\r\n",
        body.len() as u64 + padding
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    match kind {
        FaultKind::Drip(interval) => {
            for byte in body {
                if stream.write_all(&[*byte]).and_then(|()| stream.flush()).is_err() {
                    return;
                }
                std::thread::sleep(interval);
            }
        }
        _ => {
            if stream.write_all(body).is_err() {
                return;
            }
            let chunk = vec![b' '; 1 << 16];
            let mut left = padding;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n as u64;
            }
        }
    }
    let _ = stream.flush();
}

/// Adds ETag handling and the standard headers, and serialises.
fn finish(mut response: Response, request: &Request, remaining: u64) -> (Vec<u8>, u16) {
    if response.status == 200 && response.length.is_none() {
        let etag = format!("W/\"{:016x}\"", fnv(&response.body));
        if request.headers.get("if-none-match") == Some(&etag) {
            response.status = 304;
            response.body.clear();
        }
        response.headers.push(("ETag".to_owned(), etag));
    }
    let reason = match response.status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has(&response.headers, "x-ratelimit-remaining") {
        response
            .headers
            .push(("x-ratelimit-remaining".to_owned(), remaining.to_string()));
    }
    if !has(&response.headers, "x-ratelimit-reset") {
        response
            .headers
            .push(("x-ratelimit-reset".to_owned(), (now() + 3600).to_string()));
    }
    response
        .headers
        .push(("x-ratelimit-limit".to_owned(), "5000".to_owned()));
    response
        .headers
        .push(("x-github-api-version-selected".to_owned(), "2022-11-28".to_owned()));
    if response.status != 304 && !has(&response.headers, "content-type") {
        response
            .headers
            .push(("Content-Type".to_owned(), "application/json; charset=utf-8".to_owned()));
    }
    let length = response.length.unwrap_or(response.body.len());
    response.headers.push(("Content-Length".to_owned(), length.to_string()));
    response.headers.push(("Connection".to_owned(), "close".to_owned()));
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&response.body);
    (bytes, response.status)
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

fn fault_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('$') {
        Some(tail) => path.ends_with(tail),
        None => path.contains(pattern),
    }
}

/// GitHub's answer once the primary quota is used up, resetting in `reset_in` seconds.
fn primary_limit(reset_in: u64) -> Response {
    let mut response = error(403, "API rate limit exceeded for user ID 1.");
    response
        .headers
        .push(("x-ratelimit-remaining".to_owned(), "0".to_owned()));
    response
        .headers
        .push(("x-ratelimit-reset".to_owned(), (now() + reset_in).to_string()));
    response
}

fn respond(state: &mut State, request: &Request, url: &str) -> (Response, Option<Duration>) {
    // The primary quota used up: GitHub refuses every request until the reset.
    if state.remaining == 0 {
        return (primary_limit(3600), None);
    }
    // Faults first: they stand for the network and GitHub misbehaving.
    if let Some(fault) = state
        .scenario
        .faults
        .iter_mut()
        .find(|f| f.times > 0 && fault_matches(&f.path, &request.path))
    {
        fault.times -= 1;
        match fault.kind.clone() {
            FaultKind::Status(status) => return (error(status, "Server Error"), None),
            FaultKind::SecondaryLimit { status, retry_after } => {
                let mut response = error(
                    status,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                );
                response
                    .headers
                    .push(("retry-after".to_owned(), retry_after.to_string()));
                return (response, None);
            }
            FaultKind::SecondaryLimitWithoutRetryAfter { status } => {
                return (
                    error(
                        status,
                        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    ),
                    None,
                )
            }
            FaultKind::PrimaryLimit { reset_in } => return (primary_limit(reset_in), None),
            FaultKind::Slow(delay) => {
                let (response, _) = route(state, request, url);
                return (response, Some(delay));
            }
            FaultKind::Malformed => {
                return (
                    Response {
                        status: 200,
                        body: b"{\"id\": 1, oops".to_vec(),
                        headers: Vec::new(),
                        length: None,
                    },
                    None,
                )
            }
            FaultKind::Message { status, message } => {
                let authorization = request.headers.get("authorization").cloned().unwrap_or_default();
                return (error(status, &message.replace("{authorization}", &authorization)), None);
            }
            // Streamed by `serve` before the scenario is consulted.
            FaultKind::Drip(_) | FaultKind::Padded(_) => return route(state, request, url),
            FaultKind::Truncated => {
                let (mut response, _) = route(state, request, url);
                let full = response.body.len();
                response.body.truncate(full / 2);
                response.length = Some(full);
                return (response, None);
            }
        }
    }
    route(state, request, url)
}

fn authorised(state: &State, request: &Request) -> Result<bool, Response> {
    let given = request.headers.get("authorization").map(|h| {
        h.trim_start_matches("Bearer ")
            .trim_start_matches("bearer ")
            .trim_start_matches("token ")
            .to_owned()
    });
    match (&state.scenario.token, given) {
        (_, None) => Ok(false),
        (Some(expected), Some(given)) if *expected != given => Err(error(401, "Bad credentials")),
        _ => Ok(true),
    }
}

fn route(state: &mut State, request: &Request, url: &str) -> (Response, Option<Duration>) {
    if request.method == "POST" && request.path.starts_with("/app/") {
        return (app_token(state, request), None);
    }
    let authed = match authorised(state, request) {
        Ok(authed) => authed,
        Err(response) => return (response, None),
    };
    if request.method == "POST" && request.path == "/graphql" {
        if !authed {
            return (error(401, "This endpoint requires you to be authenticated."), None);
        }
        return (fake_deploy::graphql(state, request), None);
    }
    let segments: Vec<&str> = request.path.trim_start_matches('/').splitn(4, '/').collect();
    let response = match segments.as_slice() {
        ["repos", owner, name, rest @ ..] => {
            let Some(index) = state
                .scenario
                .repos
                .iter()
                .position(|r| r.owner == *owner && r.name == *name)
            else {
                return (error(404, "Not Found"), None);
            };
            if state.scenario.repos[index].private && !authed {
                return (error(404, "Not Found"), None);
            }
            let rest = rest.first().copied().unwrap_or("");
            if request.method == "GET" {
                if let Some(response) = fake_deploy::repo_route(state, index, rest, request, url) {
                    return (response, None);
                }
            }
            let repo = &state.scenario.repos[index];
            match (request.method.as_str(), rest.strip_prefix("statuses/")) {
                ("GET" | "HEAD", _) => repo_route(state, repo, rest, request, url, authed),
                ("POST", Some(sha)) => {
                    let (response, created) = fake_pulls::post_status(state, repo, sha, request, url, authed);
                    state.statuses.extend(created);
                    response
                }
                ("POST", None) if rest.starts_with("actions/runs/") => {
                    let full = format!("{}/{}", repo.owner, repo.name);
                    let (response, answer) = fake_deploy::review_gate(&full, rest, request, authed);
                    state.gate_answers.extend(answer);
                    response
                }
                ("POST" | "PATCH", None) if rest.starts_with("check-runs") => {
                    let repo = repo.clone();
                    fake_checks::route(state, &repo, rest, request, url, authed)
                        .unwrap_or_else(|| error(404, "Not Found"))
                }
                ("POST" | "PATCH", None) => fake_settings::repo_write(state, index, rest, request, url, authed)
                    .unwrap_or_else(|| error(404, "Not Found")),
                _ => error(404, "Not Found"),
            }
        }
        ["orgs", org, "teams", rest] if request.method == "GET" => {
            fake_pulls::team_route(state, org, rest, request, url, authed)
        }
        ["orgs", org, ..] if request.method == "GET" || request.method == "HEAD" => {
            let rest = request.path.trim_start_matches('/').splitn(3, '/').nth(2).unwrap_or("");
            fake_settings::org_route(state, org, rest, request, url, authed)
        }
        ["raw", owner, name, rest] if request.method == "GET" => fake_pulls::raw(state, owner, name, rest, authed),
        _ => error(404, "Not Found"),
    };
    (response, None)
}

fn repo_route(state: &State, repo: &Repo, rest: &str, request: &Request, url: &str, authed: bool) -> Response {
    let full = format!("{}/{}", repo.owner, repo.name);
    if let Some(response) = fake_settings::repo_route(state, repo, rest, request, url, authed) {
        return response;
    }
    if let Some(response) = fake_pulls::repo_route(state, repo, rest, request, url, authed) {
        return response;
    }
    if rest == "branches" {
        let items: Vec<Value> = repo
            .branches
            .iter()
            .map(|b| {
                json!({
                    "name": b.name,
                    "commit": {"sha": fake_pulls::BRANCH_SHA, "url": format!("{url}/repos/{full}/commits/{}", fake_pulls::BRANCH_SHA)},
                    "protected": b.classic.is_some() || !matching_rulesets(state, repo, &b.name, true).is_empty(),
                })
            })
            .collect();
        return page(items, request, url, state.scenario.page_size);
    }
    if let Some(branch_path) = rest
        .strip_prefix("branches/")
        .and_then(|r| r.strip_suffix("/protection"))
    {
        let Some(branch) = repo.branches.iter().find(|b| b.name == branch_path) else {
            return error(404, "Branch not found");
        };
        if !authed {
            return error(401, "Requires authentication");
        }
        return match state.scenario.access {
            Access::App => error(403, "Resource not accessible by integration"),
            Access::Write => error(404, "Not Found"),
            Access::Admin => match &branch.classic {
                Some(classic) => ok(classic_json(
                    classic,
                    &format!("{url}/repos/{full}/branches/{}/protection", branch.name),
                )),
                None => error(404, "Branch not protected"),
            },
        };
    }
    if let Some(branch) = rest.strip_prefix("rules/branches/") {
        let mut items = Vec::new();
        for (ruleset, level) in matching_rulesets(state, repo, branch, true) {
            let source = if level == "Organization" {
                repo.owner.clone()
            } else {
                full.clone()
            };
            for rule in &ruleset.rules {
                let mut rule = rule.clone();
                rule["ruleset_source_type"] = json!(level);
                rule["ruleset_source"] = json!(source);
                rule["ruleset_id"] = json!(ruleset.id);
                items.push(rule);
            }
        }
        return page(items, request, url, state.scenario.page_size);
    }
    if rest == "rulesets" {
        let with_parents = request.query.get("includes_parents").is_none_or(|v| v == "true");
        let mut items: Vec<Value> = repo
            .rulesets
            .iter()
            .map(|r| ruleset_json(state, repo, r, "Repository", url, None))
            .collect();
        if with_parents {
            items.extend(
                state
                    .scenario
                    .org_rulesets
                    .iter()
                    .map(|r| ruleset_json(state, repo, r, "Organization", url, None)),
            );
        }
        return page(items, request, url, state.scenario.page_size);
    }
    if let Some(id) = rest.strip_prefix("rulesets/").and_then(|id| id.parse::<u64>().ok()) {
        if let Some(r) = repo.rulesets.iter().find(|r| r.id == id) {
            return ok(ruleset_json(state, repo, r, "Repository", url, Some(authed)));
        }
        if let Some(r) = state.scenario.org_rulesets.iter().find(|r| r.id == id) {
            return ok(ruleset_json(state, repo, r, "Organization", url, Some(authed)));
        }
        return error(404, "Not Found");
    }
    error(404, "Not Found")
}

/// Active (or, with `active_only` false, all) rulesets whose conditions match the branch.
fn matching_rulesets<'a>(
    state: &'a State,
    repo: &'a Repo,
    branch: &str,
    active_only: bool,
) -> Vec<(&'a Ruleset, &'static str)> {
    let org = state.scenario.org_rulesets.iter().map(|r| (r, "Organization"));
    repo.rulesets
        .iter()
        .map(|r| (r, "Repository"))
        .chain(org)
        .filter(|(r, _)| !active_only || r.enforcement == "active")
        .filter(|(r, _)| r.include.iter().any(|p| ref_matches(p, branch, &repo.default_branch)))
        .collect()
}

fn ref_matches(pattern: &str, branch: &str, default_branch: &str) -> bool {
    match pattern {
        "~ALL" => true,
        "~DEFAULT_BRANCH" => branch == default_branch,
        _ => {
            let pattern = pattern.strip_prefix("refs/heads/").unwrap_or(pattern);
            match pattern.strip_suffix('*') {
                Some(prefix) => branch.starts_with(prefix),
                None => branch == pattern,
            }
        }
    }
}

pub(super) fn page(items: Vec<Value>, request: &Request, url: &str, forced: Option<usize>) -> Response {
    let per_page: usize = request.query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
    let page: usize = request
        .query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let size = forced.unwrap_or(per_page).max(1);
    let last = items.len().div_ceil(size).max(1);
    let chunk: Vec<Value> = items.into_iter().skip((page - 1) * size).take(size).collect();
    let mut response = ok(Value::Array(chunk));
    if page < last {
        // Other parameters (filters) carry over to the next page, as on GitHub.
        let carried: String = request
            .query
            .iter()
            .filter(|(k, _)| *k != "per_page" && *k != "page")
            .map(|(k, v)| format!("{k}={v}&"))
            .collect();
        let link = |n: usize| format!("<{url}{}?{carried}per_page={per_page}&page={n}>", request.path);
        response.headers.push((
            "Link".to_owned(),
            format!("{}; rel=\"next\", {}; rel=\"last\"", link(page + 1), link(last)),
        ));
    }
    response
}

impl Scenario {
    /// Applies the forced page size by rewriting what the client asked for.
    pub fn with_page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size);
        self
    }
}

pub(super) fn user_json(login: &str, id: u64, kind: &str, url: &str) -> Value {
    json!({
        "login": login, "id": id, "node_id": format!("U_{id}"),
        "avatar_url": format!("{url}/avatars/{login}"), "gravatar_id": "",
        "url": format!("{url}/users/{login}"), "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{url}/users/{login}/followers"),
        "following_url": format!("{url}/users/{login}/following{{/other_user}}"),
        "gists_url": format!("{url}/users/{login}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/users/{login}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/users/{login}/subscriptions"),
        "organizations_url": format!("{url}/users/{login}/orgs"),
        "repos_url": format!("{url}/users/{login}/repos"),
        "events_url": format!("{url}/users/{login}/events{{/privacy}}"),
        "received_events_url": format!("{url}/users/{login}/received_events"),
        "type": kind, "site_admin": false
    })
}

pub fn repository_json(repo: &Repo, access: Access, url: &str) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let api = format!("{url}/repos/{full}");
    let mut value = json!({
        "id": repo.id, "node_id": format!("R_{}", repo.id), "name": repo.name, "full_name": full,
        "owner": user_json(&repo.owner, 1, "Organization", url),
        "private": repo.private, "visibility": fake_settings::visibility(repo),
        "html_url": format!("https://github.com/{full}"), "description": "A service", "fork": false,
        "url": api, "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{api}/assignees{{/user}}"), "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "branches_url": format!("{api}/branches{{/branch}}"), "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "comments_url": format!("{api}/comments{{/number}}"), "commits_url": format!("{api}/commits{{/sha}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"), "contents_url": format!("{api}/contents/{{+path}}"),
        "contributors_url": format!("{api}/contributors"), "deployments_url": format!("{api}/deployments"),
        "downloads_url": format!("{api}/downloads"), "events_url": format!("{api}/events"),
        "forks_url": format!("{api}/forks"), "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"), "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_url": format!("git:github.com/{full}.git"), "hooks_url": format!("{api}/hooks"),
    });
    let more = json!({
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"), "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "issues_url": format!("{api}/issues{{/number}}"), "keys_url": format!("{api}/keys{{/key_id}}"),
        "labels_url": format!("{api}/labels{{/name}}"), "languages_url": format!("{api}/languages"),
        "merges_url": format!("{api}/merges"), "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"), "releases_url": format!("{api}/releases{{/id}}"),
        "ssh_url": format!("git@github.com:{full}.git"), "stargazers_url": format!("{api}/stargazers"),
        "statuses_url": format!("{api}/statuses/{{sha}}"), "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"), "tags_url": format!("{api}/tags"),
    });
    let rest = json!({
        "teams_url": format!("{api}/teams"), "trees_url": format!("{api}/git/trees{{/sha}}"),
        "clone_url": format!("https://github.com/{full}.git"), "mirror_url": null,
        "svn_url": format!("https://github.com/{full}"), "homepage": null, "language": "Rust",
        "forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
        "size": 108, "default_branch": repo.default_branch, "open_issues": 0, "open_issues_count": 0,
        "is_template": false, "topics": repo.topics, "has_issues": true, "has_projects": false,
        "has_wiki": false, "has_pages": false, "has_downloads": true, "has_discussions": false,
        "archived": repo.archived, "disabled": false,
        "pushed_at": "2026-11-20T10:00:00Z", "created_at": "2024-01-26T19:01:12Z", "updated_at": "2026-11-20T10:00:00Z",
        "allow_forking": repo.allow_forking, "license": null, "network_count": 0, "subscribers_count": 1,
    });
    for extra in [more, rest] {
        if let (Some(target), Value::Object(extra)) = (value.as_object_mut(), extra) {
            target.extend(extra);
        }
    }
    let (admin, push) = match access {
        Access::Admin => (true, true),
        Access::Write => (false, true),
        Access::App => (false, true),
    };
    value["permissions"] = json!({"admin": admin, "maintain": admin, "push": push, "triage": true, "pull": true});
    value
}

pub fn classic_json(c: &Classic, url: &str) -> Value {
    let flag = |on: bool| json!({ "enabled": on });
    let mut value = json!({
        "url": url,
        "enforce_admins": {"url": format!("{url}/enforce_admins"), "enabled": c.enforce_admins},
        "required_linear_history": flag(c.linear_history),
        "allow_force_pushes": flag(c.allow_force_pushes),
        "allow_deletions": flag(c.allow_deletions),
        "block_creations": flag(false),
        "required_conversation_resolution": flag(c.conversation_resolution),
        "lock_branch": flag(false),
        "allow_fork_syncing": flag(false),
        "required_signatures": {"url": format!("{url}/required_signatures"), "enabled": c.signatures},
    });
    if let Some(count) = c.approvals {
        value["required_pull_request_reviews"] = json!({
            "url": format!("{url}/required_pull_request_reviews"),
            "dismiss_stale_reviews": c.dismiss_stale,
            "require_code_owner_reviews": c.code_owners,
            "required_approving_review_count": count,
            "require_last_push_approval": c.last_push
        });
    }
    if let Some((strict, contexts)) = &c.status_checks {
        value["required_status_checks"] = json!({
            "url": format!("{url}/required_status_checks"),
            "strict": strict,
            "contexts": contexts,
            "contexts_url": format!("{url}/required_status_checks/contexts"),
            "checks": contexts
                .iter()
                .map(|context| {
                    let app = c.check_apps.iter().find(|(name, _)| name == context).map(|(_, app)| *app);
                    json!({"context": context, "app_id": app})
                })
                .collect::<Vec<_>>()
        });
    }
    value
}

/// A ruleset; `detail` (whether the caller is authenticated) for the
/// single-ruleset endpoint, where an authenticated caller with enough
/// rights also sees the bypass list.
fn ruleset_json(state: &State, repo: &Repo, r: &Ruleset, level: &str, url: &str, detail: Option<bool>) -> Value {
    let full = format!("{}/{}", repo.owner, repo.name);
    let source = if level == "Organization" {
        repo.owner.clone()
    } else {
        full.clone()
    };
    let mut value = json!({
        "id": r.id, "name": r.name, "target": "branch", "source_type": level, "source": source,
        "enforcement": r.enforcement, "node_id": format!("RRS_{}", r.id),
        "_links": {"self": {"href": format!("{url}/repos/{full}/rulesets/{}", r.id)},
                   "html": {"href": format!("https://github.com/{full}/rules/{}", r.id)}},
        "created_at": "2025-01-02T10:00:00Z", "updated_at": r.updated_at,
    });
    if let Some(authed) = detail {
        let sees_bypass = authed
            && match level {
                "Organization" => state.scenario.org_admin,
                _ => state.scenario.access == Access::Admin,
            };
        if sees_bypass {
            value["bypass_actors"] = json!(r.bypass_actors);
        }
        let can_bypass = if sees_bypass && !r.bypass_actors.is_empty() {
            "always"
        } else {
            "never"
        };
        value["current_user_can_bypass"] = json!(can_bypass);
        value["conditions"] = json!({"ref_name": {"include": r.include, "exclude": []}});
        value["rules"] = json!(r.rules);
    }
    value
}

/// Reads the whole body of a stream (for tests that talk to the fake directly).
pub fn raw_get(url: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    raw_request(url, "GET", path, headers, None)
}

/// Sends one request with an optional body; returns the status and the body.
pub fn raw_request(url: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> (u16, String) {
    let (status, _, body) = raw_exchange(url, method, path, headers, body);
    (status, body)
}

/// Sends one request; returns the status, the response headers (names in
/// lower case) and the body.
pub fn raw_exchange(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, BTreeMap<String, String>, String) {
    let mut stream = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    stream.write_all(request.as_bytes()).expect("write");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// POST /app/installations/{id}/access_tokens: a JWT signed by the app (its
/// `iss` is the app id) buys an installation token.
fn app_token(state: &State, request: &Request) -> Response {
    let Some((app_id, installation)) = state.scenario.app else {
        return error(404, "Not Found");
    };
    if request.path != format!("/app/installations/{installation}/access_tokens") {
        return error(404, "Not Found");
    }
    let jwt = request
        .headers
        .get("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    let claims = jwt
        .split('.')
        .nth(1)
        .and_then(base64url_decode)
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let issuer = claims
        .as_ref()
        .and_then(|c| c.get("iss"))
        .and_then(|i| i.as_u64().or_else(|| i.as_str()?.parse().ok()));
    if jwt.split('.').count() != 3 || issuer != Some(app_id) {
        let message = format!(
            "A JSON web token could not be decoded (iss {issuer:?}, {} parts)",
            jwt.split('.').count()
        );
        return error(401, &message);
    }
    let stamp = iso8601(now() + 3600);
    let token = state.scenario.token.clone().unwrap_or_default();
    let body = json!({
        "token": token,
        "expires_at": stamp,
        "permissions": {"administration": "read", "metadata": "read"},
        "repository_selection": "all"
    });
    Response {
        status: 201,
        body: body.to_string().into_bytes(),
        headers: Vec::new(),
        length: None,
    }
}
