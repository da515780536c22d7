//! Webhook deliveries as GitHub sends them, for `livegate serve` tests:
//! payloads are GitHub's published examples (@octokit/webhooks-examples,
//! pinned in scripts/fetch-schemas.sh) with the repository, pull request,
//! commit and installation rewritten to the fake GitHub's scenario; they
//! are signed with the webhook secret and POSTed like GitHub's deliveries
//! (`X-GitHub-Event`, `X-GitHub-Delivery`, `X-Hub-Signature-256`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};

fn schemas_file(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("target/schemas").join(name);
    if !file.exists() {
        let status = Command::new("bash").arg(root.join("scripts/fetch-schemas.sh")).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "could not fetch {name}: run `bash scripts/fetch-schemas.sh` (needs npm)"
        );
    }
    file
}

/// GitHub's published examples: `[{name, examples: [payload, ...]}, ...]`.
fn examples() -> &'static Value {
    static EXAMPLES: OnceLock<Value> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let file = schemas_file("webhooks-examples.json");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        serde_json::from_str(&text).expect("webhook examples are JSON")
    })
}

/// GitHub's example of `event` with `action` (one sent to an App: with an
/// `installation`), unchanged.
pub fn example(event: &str, action: &str) -> Value {
    let list = examples()
        .as_array()
        .expect("a list of events")
        .iter()
        .find(|e| e["name"] == event)
        .unwrap_or_else(|| panic!("no examples of {event}"));
    let candidates: Vec<&Value> = list["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter(|p| p["action"] == action)
        .collect();
    candidates
        .iter()
        .find(|p| p["installation"]["id"].is_u64())
        .or(candidates.first())
        .map(|p| (*p).clone())
        .unwrap_or_else(|| panic!("no example of {event}.{action}"))
}

/// GitHub's example of `event.action`, about pull request `number` of
/// `repo` (owner/name) at `head_sha`, for `installation`. A merge group's
/// head commit is `head_sha`; a check run is on `head_sha`.
pub fn payload(event: &str, action: &str, repo: &str, number: u64, head_sha: &str, installation: u64) -> Value {
    let mut payload = example(event, action);
    let (owner, name) = repo.split_once('/').expect("owner/name");
    payload["repository"]["full_name"] = json!(repo);
    payload["repository"]["name"] = json!(name);
    payload["repository"]["owner"]["login"] = json!(owner);
    payload["repository"]["html_url"] = json!(format!("https://github.com/{repo}"));
    payload["installation"] = json!({"id": installation, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="});
    match event {
        "pull_request" | "pull_request_review" => {
            payload["number"] = json!(number);
            payload["pull_request"]["number"] = json!(number);
            payload["pull_request"]["head"]["sha"] = json!(head_sha);
        }
        "merge_group" => {
            let base = payload["merge_group"]["base_sha"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            payload["merge_group"]["head_sha"] = json!(head_sha);
            payload["merge_group"]["head_ref"] = json!(format!("refs/heads/gh-readonly-queue/main/pr-{number}-{base}"));
        }
        "check_run" => {
            payload["check_run"]["name"] = json!("livegate/review");
            payload["check_run"]["head_sha"] = json!(head_sha);
            let mut pull = payload["check_run"]["pull_requests"][0].clone();
            if pull.is_null() {
                pull = json!({"url": "", "id": 1, "head": {}, "base": {}});
            }
            pull["number"] = json!(number);
            payload["check_run"]["pull_requests"] = json!([pull]);
        }
        _ => {}
    }
    payload
}

/// One HTTP exchange that tolerates the server closing early (an oversized
/// body is refused before it is read). Returns the status and the body.
pub fn post(url: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    request(url, "POST", path, headers, body)
}

/// One request on its own connection (`Connection: close`).
pub fn request(url: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, body.to_owned())
}

/// GitHub's headers for a delivery of `event` with `id`, signed with `secret`.
pub fn delivery_headers(event: &str, id: &str, signature: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("User-Agent".to_owned(), "GitHub-Hookshot/044aadd".to_owned()),
        ("X-GitHub-Event".to_owned(), event.to_owned()),
        ("X-GitHub-Delivery".to_owned(), id.to_owned()),
        ("X-GitHub-Hook-ID".to_owned(), "292430182".to_owned()),
        (
            "X-GitHub-Hook-Installation-Target-Type".to_owned(),
            "integration".to_owned(),
        ),
        ("X-Hub-Signature-256".to_owned(), signature.to_owned()),
    ])
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`, computed
/// here rather than by livegate, so that a shared mistake cannot pass.
pub fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Signs `body` with `secret` and delivers it as GitHub does.
pub fn deliver(url: &str, secret: &str, event: &str, id: &str, body: &[u8]) -> (u16, String) {
    let signature = sign(secret, body);
    let headers = delivery_headers(event, id, &signature);
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(url, "/webhook", &pairs, body)
}

/// A `deployment_protection_rule.requested` delivery. GitHub's published
/// examples have none for this event (@octokit/webhooks-examples 7.6.1, the
/// newest; octokit/webhooks' payload-examples folder; the OpenAPI
/// description's `x-webhooks` entry carries the schema only), so it
/// is assembled from the fields of the OpenAPI description's
/// `webhook-deployment-protection-rule-requested` schema, with the
/// deployment, repository, organisation and sender of GitHub's published
/// `deployment.created` example; `assert_deployment_protection_rule` checks
/// it against that schema.
pub fn deployment_protection_rule(
    repo: &str,
    sha: &str,
    environment: &str,
    callback: &str,
    installation: u64,
) -> Value {
    let created = example("deployment", "created");
    let (owner, name) = repo.split_once('/').expect("owner/name");
    let mut repository = created["repository"].clone();
    repository["full_name"] = json!(repo);
    repository["name"] = json!(name);
    repository["owner"]["login"] = json!(owner);
    repository["html_url"] = json!(format!("https://github.com/{repo}"));
    let mut deployment = created["deployment"].clone();
    deployment["sha"] = json!(sha);
    deployment["ref"] = json!("main");
    deployment["environment"] = json!(environment);
    deployment["original_environment"] = json!(environment);
    let mut payload = json!({
        "action": "requested",
        "environment": environment,
        "event": "push",
        "sha": sha,
        "ref": "refs/heads/main",
        "deployment_callback_url": callback,
        "deployment": deployment,
        "pull_requests": [],
        "repository": repository,
        "installation": {"id": installation, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="},
        "sender": created["sender"],
    });
    if created["organization"].is_object() {
        payload["organization"] = created["organization"].clone();
    }
    payload
}
