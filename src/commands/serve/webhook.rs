//! What a webhook delivery means, before anything is stored: whether it
//! really comes from GitHub (the `X-Hub-Signature-256` HMAC, compared in
//! constant time), and which pull request or merge group it asks livegate to
//! judge. Pure functions of headers and bytes, so they are tested with plain
//! values.

use hmac::Mac;
use serde_json::Value;

use crate::commands::pr::from_event;

/// GitHub caps webhook payloads at 25 MB; anything larger is not GitHub.
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

/// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under
/// `secret`. The comparison is constant-time (`verify_slice`), so a forger
/// learns nothing from how fast a guess is refused.
pub fn signature_is_valid(secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// `sha256=<hex>` for `body` under `secret`: what GitHub sends.
#[cfg(test)]
fn sign(secret: &[u8], body: &[u8]) -> String {
    // An HMAC takes a key of any length, so this cannot fail.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What one job judges, and where the verdict goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Events with the same key coalesce: `owner/name#N` for a pull
    /// request, `owner/name@sha` for a merge group.
    pub key: String,
    pub installation_id: u64,
    pub owner: String,
    pub name: String,
    pub number: u64,
    /// The commit the check run goes on: the pull request's head, or the
    /// merge group's head.
    pub target_sha: String,
    /// `event.action`, for the log.
    pub event: String,
    /// The delivery that last asked for this job.
    pub delivery: String,
    /// The pull request's page (`repository.html_url` + `/pull/N`), the
    /// check run's `details_url`; empty when the payload has no usable URL.
    pub details_url: String,
    /// For a deployment protection rule: what to judge and where the answer
    /// goes. `None` for the review check.
    pub gate: Option<DeployGate>,
}

/// A deployment waiting on livegate's custom deployment protection rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeployGate {
    pub environment: String,
    /// The ref that triggered the workflow (`refs/heads/main`, or a bare branch name).
    pub git_ref: String,
    /// The workflow run whose deployment waits: the answer goes to
    /// `/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`.
    pub run_id: u64,
}

impl Job {
    pub fn repo(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// What a delivery asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Judge(Box<Job>),
    /// A delivery livegate does not act on (another event or action), with why.
    Nothing(String),
}

/// The check run livegate posts and answers `rerequested` for.
pub const CHECK_NAME: &str = "livegate/review";

/// What a signed delivery of event `event` (the `X-GitHub-Event` header)
/// asks livegate to do. An error names the field that is missing or wrong
/// (answered 400). `api_url` is the configured API root: the only host a
/// deployment protection rule's answer may go to.
pub fn wanted(event: &str, delivery: &str, payload: &Value, api_url: &str) -> Result<Wanted, String> {
    let action = payload["action"].as_str().unwrap_or("");
    if event == "deployment_protection_rule" && action == "requested" {
        return deployment_gate(delivery, payload, api_url).map(|job| Wanted::Judge(Box::new(job)));
    }
    let acts = match event {
        "pull_request" => match action {
            "opened" | "reopened" | "synchronize" | "ready_for_review" => true,
            // Only a new base changes the verdict (another policy, other owners).
            "edited" => !payload["changes"]["base"].is_null(),
            _ => false,
        },
        "pull_request_review" => matches!(action, "submitted" | "edited" | "dismissed"),
        "merge_group" => action == "checks_requested",
        "check_run" => action == "rerequested" && payload["check_run"]["name"].as_str() == Some(CHECK_NAME),
        _ => false,
    };
    if !acts {
        let what = if action.is_empty() {
            event.to_owned()
        } else {
            format!("{event}.{action}")
        };
        return Ok(Wanted::Nothing(format!("{what} does not change a review verdict")));
    }
    let (installation_id, owner, name) = installation_and_repo(payload)?;
    let (number, target_sha, group) = match event {
        "merge_group" => {
            let (_, number) = from_event(event, payload)?;
            let sha = sha_at(payload, "merge_group", "head_sha")?;
            (number, sha, true)
        }
        "check_run" => {
            let run = &payload["check_run"];
            let sha = sha_at(payload, "check_run", "head_sha")?;
            match run["pull_requests"][0]["number"].as_u64() {
                Some(number) => (number, sha, false),
                None => {
                    // A check on a merge group's commit: the branch names the pull request.
                    let branch = run["check_suite"]["head_branch"].as_str().unwrap_or("");
                    let group = serde_json::json!({
                        "repository": payload["repository"],
                        "merge_group": {"head_ref": branch},
                    });
                    let (_, number) = from_event("merge_group", &group).map_err(|_| {
                        format!(
                            "check_run.pull_requests is empty and check_suite.head_branch `{branch}` is not a merge queue branch"
                        )
                    })?;
                    (number, sha, true)
                }
            }
        }
        _ => {
            let (_, number) = from_event(event, payload)?;
            (number, sha_at(payload, "pull_request", "head")?, false)
        }
    };
    let key = if group {
        format!("{owner}/{name}@{target_sha}")
    } else {
        format!("{owner}/{name}#{number}")
    };
    Ok(Wanted::Judge(Box::new(Job {
        key,
        installation_id,
        owner,
        name,
        number,
        target_sha,
        event: format!("{event}.{action}"),
        delivery: delivery.to_owned(),
        details_url: payload["repository"]["html_url"]
            .as_str()
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .filter(|url| !url.chars().any(|c| c.is_whitespace() || c.is_control()))
            .map(|url| format!("{}/pull/{number}", url.trim_end_matches('/')))
            .unwrap_or_default(),
        gate: None,
    })))
}

/// The installation and repository of a delivery.
fn installation_and_repo(payload: &Value) -> Result<(u64, String, String), String> {
    let installation_id = payload["installation"]["id"]
        .as_u64()
        .ok_or("the payload has no installation.id (is this an App webhook?)")?;
    let full = payload["repository"]["full_name"]
        .as_str()
        .ok_or("the payload has no repository.full_name")?;
    let (owner, name) = full
        .split_once('/')
        .filter(|(o, n)| is_name(o) && is_name(n))
        .ok_or(format!("repository.full_name `{full}` is not OWNER/NAME"))?;
    Ok((installation_id, owner.to_owned(), name.to_owned()))
}

/// A `deployment_protection_rule.requested` delivery: the deployment's
/// commit, environment and ref, and the workflow run to answer. The run id
/// is read from `deployment_callback_url`, which must be the review endpoint
/// of this very repository under the configured API root: the answer is
/// always sent there, through the configured client, so a payload naming
/// another host (or another repository) is refused, never followed.
fn deployment_gate(delivery: &str, payload: &Value, api_url: &str) -> Result<Job, String> {
    let (installation_id, owner, name) = installation_and_repo(payload)?;
    let environment = payload["environment"]
        .as_str()
        .filter(|e| !e.trim().is_empty())
        .ok_or("the payload has no environment")?
        .to_owned();
    // The deployment's own sha and ref when the payload carries the
    // deployment; the check suite's otherwise. Both must agree.
    let deployment = &payload["deployment"];
    let sha = match (deployment["sha"].is_string(), payload["sha"].is_string()) {
        (true, true) => {
            let (a, b) = (
                sha_at(payload, "deployment", "sha")?,
                plain_sha(&payload["sha"], "sha")?,
            );
            if a != b {
                return Err(format!("deployment.sha `{a}` and sha `{b}` disagree"));
            }
            a
        }
        (true, false) => sha_at(payload, "deployment", "sha")?,
        _ => plain_sha(&payload["sha"], "sha")?,
    };
    // The payload's full ref says whether a bare `deployment.ref` (`v1.0`)
    // is a branch or a tag; a bare name alone is taken as a branch.
    let git_ref = payload["ref"]
        .as_str()
        .filter(|r| r.starts_with("refs/"))
        .or(deployment["ref"].as_str())
        .or(payload["ref"].as_str())
        .filter(|r| !r.trim().is_empty())
        .ok_or("the payload has no ref (nor deployment.ref)")?
        .to_owned();
    let callback = payload["deployment_callback_url"]
        .as_str()
        .ok_or("the payload has no deployment_callback_url")?;
    let run_id = run_id_from_callback(callback, api_url, &owner, &name)?;
    Ok(Job {
        key: format!("{owner}/{name}@run-{run_id}/{environment}"),
        installation_id,
        owner,
        name,
        number: 0,
        target_sha: sha,
        event: "deployment_protection_rule.requested".to_owned(),
        delivery: delivery.to_owned(),
        details_url: String::new(),
        gate: Some(DeployGate {
            environment,
            git_ref,
            run_id,
        }),
    })
}

/// The run id of a callback URL that is exactly
/// `{api_url}/repos/{owner}/{name}/actions/runs/{id}/deployment_protection_rule`.
fn run_id_from_callback(callback: &str, api_url: &str, owner: &str, name: &str) -> Result<u64, String> {
    let refuse = || {
        format!(
            "deployment_callback_url `{}` is not this repository's review endpoint under the configured API \
             {api_url} (is --api-url right?)",
            callback.chars().take(200).collect::<String>()
        )
    };
    let root = api_url.trim_end_matches('/');
    let rest = callback
        .get(..root.len())
        .filter(|head| head.eq_ignore_ascii_case(root))
        .map(|_| &callback[root.len()..])
        .ok_or_else(refuse)?;
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        ["", "repos", o, n, "actions", "runs", id, "deployment_protection_rule"]
            if o.eq_ignore_ascii_case(owner)
                && n.eq_ignore_ascii_case(name)
                && id.bytes().all(|b| b.is_ascii_digit()) =>
        {
            id.parse::<u64>().ok().filter(|id| *id > 0).ok_or_else(refuse)
        }
        _ => Err(refuse()),
    }
}

fn plain_sha(value: &Value, name: &str) -> Result<String, String> {
    let sha = value.as_str().ok_or(format!("the payload has no {name}"))?;
    let hex = sha.len() >= 40 && sha.len() <= 64 && sha.chars().all(|c| c.is_ascii_hexdigit());
    if !hex {
        return Err(format!("{name} `{sha}` is not a commit sha"));
    }
    Ok(sha.to_ascii_lowercase())
}

/// Owner and repository names as GitHub allows them; anything else would
/// end up in a request path.
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text != "."
        && text != ".."
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A commit sha at `object.field` (or `object.head.sha` for `head`).
fn sha_at(payload: &Value, object: &str, field: &str) -> Result<String, String> {
    let (value, name) = if field == "head" {
        (&payload[object]["head"]["sha"], format!("{object}.head.sha"))
    } else {
        (&payload[object][field], format!("{object}.{field}"))
    };
    plain_sha(value, &name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
    const API: &str = "https://api.github.com";

    #[test]
    fn only_the_exact_signature_passes() {
        let body = br#"{"zen":"Keep it logically awesome."}"#;
        let good = sign(b"s3cret", body);
        assert!(signature_is_valid(b"s3cret", body, Some(&good)));
        assert!(!signature_is_valid(b"other", body, Some(&good)));
        assert!(!signature_is_valid(b"s3cret", b"{}", Some(&good)));
        assert!(!signature_is_valid(b"s3cret", body, None));
        assert!(!signature_is_valid(
            b"s3cret",
            body,
            Some(good.trim_start_matches("sha256="))
        ));
        assert!(!signature_is_valid(b"s3cret", body, Some("sha256=zz")));
        assert!(!signature_is_valid(b"s3cret", body, Some(&good[..good.len() - 2])));
        // GitHub's documented example.
        assert_eq!(
            sign(b"It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    fn pull_request(action: &str) -> Value {
        json!({
            "action": action,
            "installation": {"id": 99},
            "repository": {"full_name": "acme/api"},
            "pull_request": {"number": 7, "head": {"sha": SHA}},
        })
    }

    #[test]
    fn pull_request_events_name_the_pull_request_and_its_head() {
        let Wanted::Judge(job) = wanted("pull_request", "d1", &pull_request("synchronize"), API).unwrap() else {
            panic!("synchronize is judged")
        };
        assert_eq!(job.key, "acme/api#7");
        assert_eq!((job.installation_id, job.number, job.target_sha.as_str()), (99, 7, SHA));
        assert!(matches!(
            wanted("pull_request", "d1", &pull_request("labeled"), API).unwrap(),
            Wanted::Nothing(_)
        ));
        let mut edited = pull_request("edited");
        assert!(matches!(
            wanted("pull_request", "d", &edited, API).unwrap(),
            Wanted::Nothing(_)
        ));
        edited["changes"] = json!({"base": {"ref": {"from": "dev"}}});
        assert!(matches!(
            wanted("pull_request", "d", &edited, API).unwrap(),
            Wanted::Judge(_)
        ));
    }

    #[test]
    fn merge_groups_and_rerequested_checks_go_on_their_own_commit() {
        let group = json!({
            "action": "checks_requested",
            "installation": {"id": 1},
            "repository": {"full_name": "acme/api"},
            "merge_group": {"head_sha": SHA, "head_ref": "refs/heads/gh-readonly-queue/main/pr-42-abc"},
        });
        let Wanted::Judge(job) = wanted("merge_group", "d", &group, API).unwrap() else {
            panic!()
        };
        assert_eq!((job.number, job.key.as_str()), (42, format!("acme/api@{SHA}").as_str()));
        let rerun = json!({
            "action": "rerequested",
            "installation": {"id": 1},
            "repository": {"full_name": "acme/api"},
            "check_run": {"name": CHECK_NAME, "head_sha": SHA, "pull_requests": [{"number": 5}]},
        });
        let Wanted::Judge(job) = wanted("check_run", "d", &rerun, API).unwrap() else {
            panic!()
        };
        assert_eq!(job.key, "acme/api#5");
        let mut other = rerun.clone();
        other["check_run"]["name"] = json!("ci/build");
        assert!(matches!(
            wanted("check_run", "d", &other, API).unwrap(),
            Wanted::Nothing(_)
        ));
    }

    #[test]
    fn malformed_payloads_name_what_is_wrong() {
        let mut bad = pull_request("opened");
        bad["repository"]["full_name"] = json!("acme/../x");
        assert!(wanted("pull_request", "d", &bad, API)
            .unwrap_err()
            .contains("OWNER/NAME"));
        let mut bad = pull_request("opened");
        bad["pull_request"]["head"]["sha"] = json!("HEAD");
        assert!(wanted("pull_request", "d", &bad, API)
            .unwrap_err()
            .contains("pull_request.head.sha"));
        let mut bad = pull_request("opened");
        bad["installation"] = Value::Null;
        assert!(wanted("pull_request", "d", &bad, API)
            .unwrap_err()
            .contains("installation.id"));
        assert!(wanted("pull_request", "d", &json!([]), API).is_ok_and(|w| matches!(w, Wanted::Nothing(_))));
    }

    fn gate(callback: &str) -> Value {
        json!({
            "action": "requested",
            "environment": "production",
            "event": "push",
            "sha": SHA,
            "ref": "refs/heads/main",
            "deployment_callback_url": callback,
            "installation": {"id": 5},
            "repository": {"full_name": "acme/api"},
        })
    }

    #[test]
    fn a_deployment_protection_rule_names_its_run_environment_and_commit() {
        let payload = gate("https://api.github.com/repos/acme/api/actions/runs/4242/deployment_protection_rule");
        let Wanted::Judge(job) = wanted("deployment_protection_rule", "d", &payload, API).unwrap() else {
            panic!("requested is answered")
        };
        assert_eq!(job.key, "acme/api@run-4242/production");
        assert_eq!(job.target_sha, SHA);
        let gate = job.gate.expect("a deploy gate");
        assert_eq!((gate.run_id, gate.environment.as_str()), (4242, "production"));
        assert_eq!(gate.git_ref, "refs/heads/main");
    }

    #[test]
    fn a_callback_to_another_host_or_repository_is_refused() {
        for callback in [
            "https://evil.example/repos/acme/api/actions/runs/1/deployment_protection_rule",
            "https://api.github.com.evil.example/repos/acme/api/actions/runs/1/deployment_protection_rule",
            "https://api.github.com/repos/other/api/actions/runs/1/deployment_protection_rule",
            "https://api.github.com/repos/acme/api/actions/runs/1/deployment_protection_rule/../../x",
            "https://api.github.com/repos/acme/api/actions/runs/one/deployment_protection_rule",
            "https://api.github.com/repos/acme/api/actions/runs/0/deployment_protection_rule",
        ] {
            let err = wanted("deployment_protection_rule", "d", &gate(callback), API).unwrap_err();
            assert!(err.contains("deployment_callback_url"), "{callback}: {err}");
        }
        let mut payload = gate("https://api.github.com/repos/acme/api/actions/runs/1/deployment_protection_rule");
        payload["deployment"] = json!({"sha": "f".repeat(40), "ref": "main"});
        let err = wanted("deployment_protection_rule", "d", &payload, API).unwrap_err();
        assert!(err.contains("disagree"), "{err}");
        payload["environment"] = Value::Null;
        let err = wanted("deployment_protection_rule", "d", &payload, API).unwrap_err();
        assert!(err.contains("environment"), "{err}");
    }
}
