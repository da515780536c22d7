//! Check runs for the fake GitHub of `fake_github`: `POST
//! /repos/{owner}/{repo}/check-runs` and `PATCH .../check-runs/{id}`, as a
//! GitHub App installation token may call them. Every request body is kept
//! as sent, so that tests can validate it against GitHub's OpenAPI
//! description and replay the run's history.
//!
//! Shape decisions, where GitHub leaves a choice or the fake simplifies:
//! - Any sha is accepted (GitHub answers 422 for a commit it does not have).
//! - `name` and `head_sha` are required on create (422 otherwise); a body
//!   that is not JSON is 400; more than 50 annotations in one request is 422.
//! - An unknown check run id is 404; so is one of another repository.
//! - `conclusion` given without `status` completes the run, as on GitHub.

use serde_json::{json, Value};

use super::fake_github::{error, iso8601, now, Repo, Request, Response, State};

/// A check run as the fake keeps it: every request that made it, in order.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: u64,
    /// `owner/name`.
    pub repo: String,
    pub head_sha: String,
    pub name: String,
    /// `(method, body)`: the POST that created it, then each PATCH.
    pub requests: Vec<(String, Value)>,
}

impl CheckRun {
    /// The latest value of a top-level field set by any request.
    fn latest(&self, field: &str) -> Option<&Value> {
        self.requests.iter().rev().find_map(|(_, body)| body.get(field))
    }

    /// `queued`, `in_progress` or `completed`.
    pub fn status(&self) -> String {
        if self.conclusion().is_some() {
            return "completed".to_owned();
        }
        self.latest("status")
            .and_then(Value::as_str)
            .unwrap_or("queued")
            .to_owned()
    }

    pub fn conclusion(&self) -> Option<String> {
        self.latest("conclusion").and_then(Value::as_str).map(str::to_owned)
    }

    pub fn title(&self) -> Option<String> {
        self.latest("output")
            .and_then(|o| o["title"].as_str())
            .map(str::to_owned)
    }

    pub fn summary(&self) -> Option<String> {
        self.latest("output")
            .and_then(|o| o["summary"].as_str())
            .map(str::to_owned)
    }

    /// Every annotation of every request (GitHub appends them).
    pub fn annotations(&self) -> Vec<Value> {
        self.requests
            .iter()
            .filter_map(|(_, body)| body["output"]["annotations"].as_array())
            .flatten()
            .cloned()
            .collect()
    }

    fn json(&self, url: &str) -> Value {
        let api = format!("{url}/repos/{}/check-runs/{}", self.repo, self.id);
        let output = self.latest("output").cloned().unwrap_or(Value::Null);
        json!({
            "id": self.id,
            "node_id": format!("CR_{}", self.id),
            "head_sha": self.head_sha,
            "external_id": self.latest("external_id").cloned().unwrap_or(json!("")),
            "url": api,
            "html_url": format!("https://github.com/{}/runs/{}", self.repo, self.id),
            "details_url": self.latest("details_url").cloned().unwrap_or(Value::Null),
            "status": self.status(),
            "conclusion": self.conclusion(),
            "started_at": self.latest("started_at").cloned().unwrap_or(json!(iso8601(now()))),
            "completed_at": self.latest("completed_at").cloned().unwrap_or(Value::Null),
            "output": {
                "title": output["title"],
                "summary": output["summary"],
                "text": output["text"],
                "annotations_count": self.annotations().len(),
                "annotations_url": format!("{api}/annotations"),
            },
            "name": self.name,
            "check_suite": {"id": 5},
            "app": Value::Null,
            "pull_requests": [],
        })
    }
}

/// Routes the Checks API writes; `None` when the request is not one.
pub(super) fn route(
    state: &mut State,
    repo: &Repo,
    rest: &str,
    request: &Request,
    url: &str,
    authed: bool,
) -> Option<Response> {
    let parts: Vec<&str> = rest.split('/').collect();
    let target = match (request.method.as_str(), parts.as_slice()) {
        ("POST", ["check-runs"]) => None,
        ("PATCH", ["check-runs", id]) => Some(id.parse::<u64>().ok()?),
        _ => return None,
    };
    if !authed {
        return Some(error(401, "Requires authentication"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return Some(error(400, "Problems parsing JSON"));
    };
    if body["output"]["annotations"].as_array().is_some_and(|a| a.len() > 50) {
        return Some(error(422, "Only 50 annotations are allowed per request"));
    }
    let full = format!("{}/{}", repo.owner, repo.name);
    match target {
        None => {
            let (Some(name), Some(sha)) = (body["name"].as_str(), body["head_sha"].as_str()) else {
                return Some(error(
                    422,
                    "Invalid request.\n\n\"name\" and \"head_sha\" are required.",
                ));
            };
            let run = CheckRun {
                id: state.check_runs.len() as u64 + 1,
                repo: full,
                head_sha: sha.to_owned(),
                name: name.to_owned(),
                requests: vec![("POST".to_owned(), body)],
            };
            let mut response = super::fake_github::ok(run.json(url));
            response.status = 201;
            state.check_runs.push(run);
            Some(response)
        }
        Some(id) => {
            let Some(run) = state.check_runs.iter_mut().find(|r| r.id == id && r.repo == full) else {
                return Some(error(404, "Not Found"));
            };
            run.requests.push(("PATCH".to_owned(), body));
            Some(super::fake_github::ok(run.json(url)))
        }
    }
}
