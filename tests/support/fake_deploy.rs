//! What the fake GitHub serves for `livegate deploy`: deployments and their
//! statuses, branch refs, the compare API, repository activity, and GraphQL.
//!
//! Every GraphQL query is validated against GitHub's public schema
//! (`@octokit/graphql-schema`, fetched by scripts/fetch-schemas.sh) with
//! apollo-compiler; an invalid query is answered as GitHub does (`errors`,
//! no `data`) and recorded, so a misspelled field fails the test. A valid
//! query is executed over the scenario's data: aliases, fragments, inline
//! fragments, connections with `first`/`after` and `pageInfo`; every leaf of
//! the answer is checked against its type in the schema.

use std::sync::OnceLock;

use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use serde_json::{json, Map, Value};

use super::fake_github::{error, iso8601, now, ok, percent_decode, Repo, Request, Response, State};
use super::fake_pulls::{commit_json, user, PullCommit};

/// A deployment of the scenario; statuses newest first.
#[derive(Debug, Clone)]
pub struct FakeDeployment {
    pub id: u64,
    pub sha: String,
    pub environment: String,
    pub created_at: String,
    pub statuses: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct GqlReview {
    pub id: String,
    pub login: String,
    pub bot: bool,
    pub state: String,
    pub commit: String,
    pub submitted_at: String,
}

impl GqlReview {
    pub fn new(id: &str, login: &str, state: &str, commit: &str, at: &str) -> GqlReview {
        GqlReview {
            id: id.to_owned(),
            login: login.to_owned(),
            bot: false,
            state: state.to_owned(),
            commit: commit.to_owned(),
            submitted_at: at.to_owned(),
        }
    }
}

/// A pull request as GraphQL shows it.
#[derive(Debug, Clone)]
pub struct GqlPull {
    pub number: u64,
    pub author: String,
    pub merged: bool,
    pub merged_at: Option<String>,
    pub merged_by: Option<String>,
    pub base: String,
    pub head_sha: String,
    pub merge_commit: Option<String>,
    /// The merge commit's signature: (isValid, state, wasSignedByGitHub);
    /// `None`: unsigned. GitHub's own merges carry (true, VALID, true).
    pub merge_signature: Option<(bool, String, bool)>,
    pub reviews: Vec<GqlReview>,
    /// (review id, when, the state before).
    pub dismissals: Vec<(String, String, String)>,
    pub commit_authors: Vec<String>,
    pub files: Vec<String>,
}

impl GqlPull {
    pub fn merged(number: u64, author: &str, head: &str, merge_commit: &str, merged_by: &str, at: &str) -> GqlPull {
        GqlPull {
            number,
            author: author.to_owned(),
            merged: true,
            merged_at: Some(at.to_owned()),
            merged_by: Some(merged_by.to_owned()),
            base: "main".to_owned(),
            head_sha: head.to_owned(),
            merge_commit: Some(merge_commit.to_owned()),
            merge_signature: Some((true, "VALID".to_owned(), true)),
            reviews: Vec::new(),
            dismissals: Vec::new(),
            commit_authors: vec![author.to_owned()],
            files: Vec::new(),
        }
    }

    pub fn review(mut self, review: GqlReview) -> Self {
        self.reviews.push(review);
        self
    }
}

/// One entry of the repository activity.
#[derive(Debug, Clone)]
pub struct FakeActivity {
    pub kind: String,
    pub branch: String,
    pub before: String,
    pub after: String,
    pub actor: String,
    pub at: String,
}

/// The deploy data of a repository.
#[derive(Debug, Clone, Default)]
pub struct DeployWorld {
    /// Newest first.
    pub deployments: Vec<FakeDeployment>,
    /// (branch, sha).
    pub refs: Vec<(String, String)>,
    /// Pushes of the repository, newest first.
    pub activity: Vec<FakeActivity>,
    /// (sha, associated pull request numbers) of the commits GitHub knows.
    pub commits: Vec<(String, Vec<u64>)>,
    pub pulls: Vec<GqlPull>,
    /// ("BASE...HEAD", status) for the compare API.
    pub compare: Vec<(String, String)>,
    /// The commits a comparison lists, oldest first: (sha, parents, message);
    /// empty: only the head commit.
    pub compare_commits: Vec<(String, Vec<String>, String)>,
    /// Its changed files: (filename, status, patch).
    pub compare_files: Vec<(String, String, String)>,
    /// `GET /commits?path=P`: (path, the commits that changed it, newest first).
    pub commits_by_path: Vec<(String, Vec<String>)>,
    /// Answer GraphQL with `errors` beside `data` (the last commit alias null).
    pub graphql_partial: bool,
    /// A deployment recorded after this many listings of the deployments.
    pub deployment_appears: Option<(usize, FakeDeployment)>,
    pub deployment_listings: usize,
    /// The branch moves to this commit after its first read (a push while the check runs).
    pub ref_moves_to: Option<String>,
}

fn schema() -> &'static Valid<Schema> {
    static SCHEMA: OnceLock<Valid<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let file = root.join("target/schemas/github-schema.graphql");
        if !file.is_file() {
            let status = std::process::Command::new("bash")
                .arg(root.join("scripts/fetch-schemas.sh"))
                .status();
            assert!(
                status.is_ok_and(|s| s.success()) && file.is_file(),
                "could not fetch GitHub's GraphQL schema: run `bash scripts/fetch-schemas.sh` (needs npm)"
            );
        }
        let text = std::fs::read_to_string(&file).expect("schema readable");
        match Schema::parse_and_validate(text, "github-schema.graphql") {
            Ok(schema) => schema,
            // The published schema repeats a few field definitions (the same
            // field twice, identically); the first one stands. Anything else
            // wrong with it fails.
            Err(with) => {
                let report = with.errors.to_string();
                let problems: Vec<&str> = report
                    .lines()
                    .filter(|l| l.starts_with("Error:"))
                    .filter(|l| !l.contains("duplicate definitions for the"))
                    .collect();
                assert!(problems.is_empty(), "GitHub's GraphQL schema does not build: {report}");
                Valid::assume_valid(with.partial)
            }
        }
    })
}

/// Validates a query against GitHub's GraphQL schema.
pub fn validate(query: &str) -> Result<Valid<ExecutableDocument>, String> {
    ExecutableDocument::parse_and_validate(schema(), query, "query.graphql").map_err(|e| e.errors.to_string())
}

/// `Some(response)` for the deploy routes of a repository.
pub(super) fn repo_route(
    state: &mut State,
    index: usize,
    rest: &str,
    request: &Request,
    url: &str,
) -> Option<Response> {
    let repo = &mut state.scenario.repos[index];
    let api = format!("{url}/repos/{}/{}", repo.owner, repo.name);
    if rest == "deployments" {
        let world = &mut repo.deploy;
        world.deployment_listings += 1;
        if let Some((after, deployment)) = world.deployment_appears.clone() {
            if world.deployment_listings > after {
                world.deployments.insert(0, deployment);
                world.deployment_appears = None;
            }
        }
        let environment = request.query.get("environment").map(|e| percent_decode(e));
        let items: Vec<Value> = world
            .deployments
            .iter()
            .filter(|d| environment.as_deref().is_none_or(|e| e == d.environment))
            .map(|d| deployment_json(&api, d, url))
            .collect();
        return Some(ok(Value::Array(items)));
    }
    let repo = &*repo;
    let world = &repo.deploy;
    if let Some(tail) = rest.strip_prefix("deployments/") {
        let (id, what) = tail.split_once('/')?;
        let deployment = world.deployments.iter().find(|d| d.id.to_string() == id)?;
        if what != "statuses" {
            return None;
        }
        let per_page = request.query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
        let items: Vec<Value> = deployment
            .statuses
            .iter()
            .take(per_page)
            .enumerate()
            .map(|(i, state)| {
                let id = deployment.id * 100 + i as u64;
                json!({
                    "url": format!("{api}/deployments/{}/statuses/{id}", deployment.id),
                    "id": id, "node_id": format!("DES_{id}"), "state": state,
                    "creator": user("deployer", "User", url), "description": "",
                    "environment": deployment.environment, "target_url": "", "log_url": "", "environment_url": "",
                    "created_at": deployment.created_at, "updated_at": deployment.created_at,
                    "deployment_url": format!("{api}/deployments/{}", deployment.id),
                    "repository_url": api,
                })
            })
            .collect();
        return Some(ok(Value::Array(items)));
    }
    if let Some(branch) = rest.strip_prefix("git/ref/heads/") {
        let world = &mut state.scenario.repos[index].deploy;
        let sha = world.refs.iter().find(|(b, _)| b == branch).map(|(_, s)| s.clone());
        if let Some(moved) = world.ref_moves_to.take() {
            world.refs.retain(|(b, _)| b != branch);
            world.refs.push((branch.to_owned(), moved));
        }
        return Some(match sha {
            Some(sha) => ok(json!({
                "ref": format!("refs/heads/{branch}"), "node_id": format!("REF_{branch}"),
                "url": format!("{api}/git/refs/heads/{branch}"),
                "object": {"type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}")},
            })),
            None => error(404, "Not Found"),
        });
    }
    if let Some(basehead) = rest.strip_prefix("compare/") {
        let status = world
            .compare
            .iter()
            .find(|(b, _)| b == basehead)
            .map(|(_, s)| s.clone());
        let Some(status) = status else {
            return Some(error(404, "No common ancestor between base and head."));
        };
        let (base, head) = basehead.split_once("...").unwrap_or((basehead, basehead));
        let web = format!("https://github.com/{}/{}/compare/{basehead}", repo.owner, repo.name);
        let base_commit = commit_json(repo, &PullCommit::new(base, "author"), base, 0, url);
        let listed: Vec<Value> = if world.compare_commits.is_empty() {
            vec![commit_json(repo, &PullCommit::new(head, "author"), base, 1, url)]
        } else {
            world
                .compare_commits
                .iter()
                .enumerate()
                .map(|(i, (sha, parents, message))| {
                    let mut commit = PullCommit::new(sha, "author");
                    commit.message = message.clone();
                    let mut value = commit_json(repo, &commit, base, i, url);
                    value["parents"] = json!(parents
                        .iter()
                        .map(|p| json!({"sha": p, "url": format!("{api}/commits/{p}"),
                                        "html_url": format!("https://github.com/{}/{}/commit/{p}", repo.owner, repo.name)}))
                        .collect::<Vec<_>>());
                    value
                })
                .collect()
        };
        let per_page = request
            .query
            .get("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(250usize);
        let page = request.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1usize);
        let total = listed.len();
        let commits: Vec<Value> = listed.into_iter().skip((page - 1) * per_page).take(per_page).collect();
        let files: Vec<Value> = if page == 1 {
            world
                .compare_files
                .iter()
                .map(|(name, status, patch)| {
                    json!({
                        "sha": "0".repeat(40), "filename": name, "status": status, "additions": 1, "deletions": 0,
                        "changes": 1, "patch": patch,
                        "blob_url": format!("https://github.com/{}/{}/blob/{head}/{name}", repo.owner, repo.name),
                        "raw_url": format!("https://github.com/{}/{}/raw/{head}/{name}", repo.owner, repo.name),
                        "contents_url": format!("{api}/contents/{name}?ref={head}"),
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        return Some(ok(json!({
            "url": format!("{api}/compare/{basehead}"),
            "html_url": web, "permalink_url": web,
            "diff_url": format!("{web}.diff"), "patch_url": format!("{web}.patch"),
            "base_commit": base_commit, "merge_base_commit": base_commit,
            "status": status, "ahead_by": total, "behind_by": 0, "total_commits": total,
            "commits": commits,
            "files": files,
        })));
    }
    // The commit list filtered by path (`sha` is the tip it starts from;
    // the scenario lists what that history holds).
    if rest == "commits" {
        if let Some(path) = request.query.get("path").map(|p| percent_decode(p)) {
            let listed: Vec<Value> = world
                .commits_by_path
                .iter()
                .filter(|(p, _)| *p == path)
                .flat_map(|(_, shas)| shas)
                .enumerate()
                .map(|(i, sha)| commit_json(repo, &PullCommit::new(sha, "author"), sha, i, url))
                .collect();
            return Some(ok(Value::Array(listed)));
        }
    }
    // Without deploy activity, the pushes of the scenario's pull requests
    // (fake_pulls) answer.
    if rest == "activity" && !world.activity.is_empty() {
        let wanted_ref = request.query.get("ref").map(|r| percent_decode(r));
        let wanted_type = request.query.get("activity_type").cloned();
        let items: Vec<Value> = world
            .activity
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                wanted_ref
                    .as_deref()
                    .is_none_or(|r| r == format!("refs/heads/{}", a.branch))
            })
            .filter(|(_, a)| wanted_type.as_deref().is_none_or(|t| t == a.kind))
            .map(|(i, a)| {
                json!({
                    "id": i + 1, "node_id": format!("RA_{}", i + 1), "before": a.before, "after": a.after,
                    "ref": format!("refs/heads/{}", a.branch), "timestamp": a.at, "activity_type": a.kind,
                    "actor": user(&a.actor, "User", url),
                })
            })
            .collect();
        return Some(ok(Value::Array(items)));
    }
    None
}

/// `POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`
/// (`actions/review-custom-gates-for-run`): 204 and the answer recorded, as
/// GitHub takes it; the body's shape is checked by the test against the
/// OpenAPI description.
pub(super) fn review_gate(
    full: &str,
    rest: &str,
    request: &Request,
    authed: bool,
) -> (Response, Option<(String, u64, Value)>) {
    let run = rest
        .strip_prefix("actions/runs/")
        .and_then(|r| r.strip_suffix("/deployment_protection_rule"))
        .and_then(|id| id.parse::<u64>().ok());
    let Some(run) = run else {
        return (error(404, "Not Found"), None);
    };
    if !authed {
        return (error(401, "Requires authentication"), None);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return (error(400, "Problems parsing JSON"), None);
    };
    let response = Response {
        status: 204,
        body: Vec::new(),
        headers: Vec::new(),
        length: None,
    };
    (response, Some((full.to_owned(), run, body)))
}

fn deployment_json(api: &str, d: &FakeDeployment, url: &str) -> Value {
    json!({
        "url": format!("{api}/deployments/{}", d.id),
        "id": d.id, "node_id": format!("DE_{}", d.id), "sha": d.sha, "ref": "main", "task": "deploy", "payload": {},
        "original_environment": d.environment, "environment": d.environment, "description": null,
        "creator": user("deployer", "User", url), "created_at": d.created_at, "updated_at": d.created_at,
        "statuses_url": format!("{api}/deployments/{}/statuses", d.id),
        "repository_url": api,
        "transient_environment": false, "production_environment": true,
    })
}

/// An activity entry.
pub fn activity(kind: &str, branch: &str, before: &str, after: &str, actor: &str, at: &str) -> FakeActivity {
    FakeActivity {
        kind: kind.to_owned(),
        branch: branch.to_owned(),
        before: before.to_owned(),
        after: after.to_owned(),
        actor: actor.to_owned(),
        at: at.to_owned(),
    }
}

/// POST /graphql.
pub(super) fn graphql(state: &mut State, request: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(_) => return error(400, "Problems parsing JSON"),
    };
    let query = body["query"].as_str().unwrap_or_default().to_owned();
    let variables = body["variables"].clone();
    state.graphql_queries.push(query.clone());
    let document = match validate(&query) {
        Ok(document) => document,
        Err(errors) => {
            state.graphql_invalid.push(errors.clone());
            return ok(json!({"errors": [{"message": errors}]}));
        }
    };
    let operation = match document.operations.get(None) {
        Ok(operation) => operation,
        Err(_) => return ok(json!({"errors": [{"message": "no single operation"}]})),
    };
    for variable in &operation.variables {
        if variable.ty.is_non_null() && variables.get(variable.name.as_str()).is_none_or(Value::is_null) {
            let message = format!(
                "Variable ${} of type {} was provided invalid value",
                variable.name, variable.ty
            );
            state.graphql_invalid.push(message.clone());
            return ok(json!({"errors": [{"message": message}]}));
        }
    }
    let root = json!({"__typename": "Query"});
    let context = Exec {
        state: &*state,
        document: &document,
        variables: &variables,
    };
    let mut data = context.select(&root, "Query", &operation.selection_set);
    let problems = context.problems();
    if !problems.is_empty() {
        state.graphql_invalid.extend(problems);
    }
    let partial = state.scenario.repos.iter().any(|r| r.deploy.graphql_partial);
    if partial {
        if let Some(repository) = data.get_mut("repository").and_then(Value::as_object_mut) {
            let last = repository.keys().rfind(|k| k.starts_with('c')).cloned();
            if let Some(last) = last {
                repository.insert(last.clone(), Value::Null);
                return ok(json!({"data": data, "errors": [{
                    "type": "SERVICE_UNAVAILABLE", "path": ["repository", last],
                    "message": "Something went wrong while executing your query. This may be the result of a timeout."
                }]}));
            }
        }
    }
    ok(json!({ "data": data }))
}

struct Exec<'a> {
    state: &'a State,
    document: &'a Valid<ExecutableDocument>,
    variables: &'a Value,
}

thread_local! {
    static PROBLEMS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Exec<'_> {
    fn problems(&self) -> Vec<String> {
        PROBLEMS.with(|p| p.borrow_mut().drain(..).collect())
    }

    fn problem(&self, text: String) {
        PROBLEMS.with(|p| p.borrow_mut().push(text));
    }

    fn argument(&self, field: &apollo_compiler::executable::Field, name: &str) -> Value {
        let Some(argument) = field.arguments.iter().find(|a| a.name == name) else {
            return Value::Null;
        };
        use apollo_compiler::ast::Value as Ast;
        match argument.value.as_ref() {
            Ast::Variable(v) => self.variables[v.as_str()].clone(),
            Ast::String(s) => json!(s),
            Ast::Int(i) => json!(i.try_to_i32().unwrap_or(0)),
            Ast::Boolean(b) => json!(b),
            Ast::Enum(e) => json!(e.as_str()),
            _ => Value::Null,
        }
    }

    fn select(&self, value: &Value, type_name: &str, set: &SelectionSet) -> Value {
        let mut out = Map::new();
        self.select_into(value, type_name, set, &mut out);
        Value::Object(out)
    }

    fn select_into(&self, value: &Value, type_name: &str, set: &SelectionSet, out: &mut Map<String, Value>) {
        let actual = value["__typename"].as_str().unwrap_or(type_name).to_owned();
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let key = field.response_key().to_string();
                    let resolved = self.resolve(value, &actual, field);
                    let answer = self.complete(&resolved, field);
                    out.insert(key, answer);
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment.type_condition.as_ref().is_none_or(|t| t.as_str() == actual);
                    if applies {
                        self.select_into(value, &actual, &fragment.selection_set, out);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.document.fragments.get(&spread.fragment_name) {
                        if fragment.type_condition().as_str() == actual {
                            self.select_into(value, &actual, &fragment.selection_set, out);
                        }
                    }
                }
            }
        }
    }

    /// The field's value before its own selection is applied.
    fn resolve(&self, parent: &Value, parent_type: &str, field: &apollo_compiler::executable::Field) -> Value {
        let name = field.name.as_str();
        match (parent_type, name) {
            (_, "__typename") => json!(parent_type),
            ("Query", "rateLimit") => json!({
                "cost": 1, "remaining": 4999, "limit": 5000, "used": 1, "nodeCount": 0,
                "resetAt": iso8601(now() + 3600),
            }),
            ("Query", "repository") => {
                let owner = self.argument(field, "owner");
                let repo_name = self.argument(field, "name");
                match self
                    .state
                    .scenario
                    .repos
                    .iter()
                    .find(|r| owner == json!(r.owner) && repo_name == json!(r.name))
                {
                    Some(repo) => repository_value(repo),
                    None => Value::Null,
                }
            }
            ("Repository", "pullRequest") => {
                let number = self.argument(field, "number");
                parent["__pulls"]
                    .get(number.to_string())
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            ("Repository", "object") => {
                let oid = self.argument(field, "oid");
                parent["__objects"]
                    .get(oid.as_str().unwrap_or_default())
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            _ => parent.get(name).cloned().unwrap_or(Value::Null),
        }
    }

    /// Applies the field's selection (and connection arguments) to its value,
    /// checking leaves against the schema.
    fn complete(&self, value: &Value, field: &apollo_compiler::executable::Field) -> Value {
        let ty = &field.definition.ty;
        let inner = ty.inner_named_type().as_str().to_owned();
        if value.is_null() {
            if ty.is_non_null() {
                self.problem(format!("{}: null for non-null {ty}", field.name));
            }
            return Value::Null;
        }
        if field.selection_set.selections.is_empty() {
            self.check_leaf(field, &inner, value);
            return value.clone();
        }
        if let Some(nodes) = value.get("__nodes").and_then(Value::as_array) {
            let first = self.argument(field, "first").as_u64().unwrap_or(100) as usize;
            if first > 100 {
                self.problem(format!("{}: first {first} is over GitHub's 100", field.name));
            }
            let start = self
                .argument(field, "after")
                .as_str()
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(0);
            let page: Vec<Value> = nodes.iter().skip(start).take(first).cloned().collect();
            let end = start + page.len();
            let connection = json!({
                "__typename": inner,
                "nodes": { "__list": page },
                "totalCount": nodes.len(),
                "pageInfo": { "__typename": "PageInfo", "hasNextPage": end < nodes.len(), "endCursor": end.to_string(),
                              "hasPreviousPage": start > 0, "startCursor": start.to_string() },
            });
            return self.select(&connection, &inner, &field.selection_set);
        }
        if let Some(items) = value.get("__list").and_then(Value::as_array) {
            return Value::Array(
                items
                    .iter()
                    .map(|item| {
                        self.select(
                            item,
                            item["__typename"].as_str().unwrap_or(&inner),
                            &field.selection_set,
                        )
                    })
                    .collect(),
            );
        }
        self.select(
            value,
            value["__typename"].as_str().unwrap_or(&inner),
            &field.selection_set,
        )
    }

    fn check_leaf(&self, field: &apollo_compiler::executable::Field, inner: &str, value: &Value) {
        let fits = match inner {
            "Int" => value.is_i64() || value.is_u64(),
            "Boolean" => value.is_boolean(),
            "Float" => value.is_number(),
            _ => match schema().types.get(inner) {
                Some(apollo_compiler::schema::ExtendedType::Enum(e)) => {
                    value.as_str().is_some_and(|v| e.values.keys().any(|k| k.as_str() == v))
                }
                _ => value.is_string(),
            },
        };
        if !fits {
            self.problem(format!("{}: {value} is not a {inner}", field.name));
        }
    }
}

fn actor(login: &str, bot: bool) -> Value {
    json!({"__typename": if bot { "Bot" } else { "User" }, "login": login})
}

fn connection(items: Vec<Value>) -> Value {
    json!({ "__nodes": items })
}

fn pull_value(pull: &GqlPull) -> Value {
    json!({
        "__typename": "PullRequest",
        "number": pull.number,
        "title": format!("change {}", pull.number),
        "merged": pull.merged,
        "mergedAt": pull.merged_at,
        "baseRefName": pull.base,
        "headRefOid": pull.head_sha,
        "author": actor(&pull.author, false),
        "mergedBy": pull.merged_by.as_deref().map(|m| actor(m, false)),
        "mergeCommit": pull.merge_commit.as_deref().map(|oid| json!({
            "__typename": "Commit", "oid": oid,
            "signature": pull.merge_signature.as_ref().map(|(valid, state, by_github)| json!({
                "__typename": "GpgSignature", "isValid": valid, "state": state, "wasSignedByGitHub": by_github,
            })),
        })),
        "reviews": connection(pull.reviews.iter().map(|r| json!({
            "__typename": "PullRequestReview",
            "id": r.id, "state": r.state, "submittedAt": r.submitted_at,
            "author": actor(&r.login, r.bot),
            "commit": {"__typename": "Commit", "oid": r.commit},
        })).collect()),
        "timelineItems": connection(pull.dismissals.iter().map(|(id, at, previous)| json!({
            "__typename": "ReviewDismissedEvent", "createdAt": at, "previousReviewState": previous,
            "review": {"__typename": "PullRequestReview", "id": id},
        })).collect()),
        "commits": connection(pull.commit_authors.iter().enumerate().map(|(i, login)| json!({
            "__typename": "PullRequestCommit",
            "commit": {
                "__typename": "Commit", "oid": format!("{:040x}", pull.number * 1000 + i as u64),
                "author": {"__typename": "GitActor", "user": {"__typename": "User", "login": login}},
                "committer": {"__typename": "GitActor", "user": {"__typename": "User", "login": login}},
            },
        })).collect()),
        "files": connection(pull.files.iter().map(|p| json!({"__typename": "PullRequestChangedFile", "path": p})).collect()),
    })
}

fn repository_value(repo: &Repo) -> Value {
    let mut objects = Map::new();
    for (sha, numbers) in &repo.deploy.commits {
        let pulls: Vec<Value> = numbers
            .iter()
            .filter_map(|n| repo.deploy.pulls.iter().find(|p| p.number == *n))
            .map(pull_value)
            .collect();
        objects.insert(
            sha.clone(),
            json!({"__typename": "Commit", "oid": sha, "associatedPullRequests": connection(pulls)}),
        );
    }
    let pulls: Map<String, Value> = repo
        .deploy
        .pulls
        .iter()
        .map(|p| (p.number.to_string(), pull_value(p)))
        .collect();
    json!({"__typename": "Repository", "__objects": objects, "__pulls": pulls})
}
