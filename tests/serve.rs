//! `livegate serve` end to end: a real server process on 127.0.0.1, the
//! fake GitHub behind it (installation tokens, pull requests, reviews,
//! check runs), and GitHub's published webhook examples, signed here and
//! POSTed like GitHub's deliveries. Every check-run request the server makes
//! is validated against GitHub's OpenAPI description.

mod support;

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::deploy_history::History;
use support::fake_checks::CheckRun;
use support::fake_github::{FakeGitHub, FaultKind, Pull, PullCommit, PullFile, PullReview, Repo, Scenario};
use support::openapi::{check_component, document, RequestSchema};
use support::webhooks::{deliver, deployment_protection_rule, payload, post};

const SECRET: &str = "whsec-canary-5f1e2d3c4b5a69788796a5b4";
const TOKEN: &str = "ghs_installationcanary0123456789abcdefABCDEF";
const APP_ID: u64 = 1234;
const INSTALLATION: u64 = 99;
const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
const NEW_HEAD: &str = "abc1234def567890abc1234def567890abc12345";
const GROUP_SHA: &str = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";
const BASE: &str = "1111111111111111111111111111111111111111";
const POLICY: &str = "extends = \"baseline\"\n\n[review]\nrequired-approvals = 1\ndismiss-stale = true\n";

/// Pull request `number` by `author`, at `head`, with these reviews.
fn pull(number: u64, head: &str, reviews: Vec<PullReview>) -> Pull {
    let mut pull = Pull::new(number, "author", head)
        .file(PullFile::modified(
            "src/lib.rs",
            "@@ -1,1 +1,2 @@\n fn a() {}\n+fn b() {}",
        ))
        .commit(PullCommit::new(head, "author"));
    pull.base_sha = BASE.to_owned();
    for review in reviews {
        pull = pull.review(review);
    }
    pull
}

fn approved(number: u64, head: &str) -> Pull {
    pull(number, head, vec![PullReview::approved(number * 10, "alice", head)])
}

fn scenario(pulls: Vec<Pull>) -> Scenario {
    let mut repo = Repo::new("acme/api")
        .content("main", ".github/livegate.toml", POLICY.as_bytes().to_vec())
        .collaborator("author", "write")
        .collaborator("alice", "write");
    for pull in pulls {
        repo = repo.pull(pull);
    }
    let mut scenario = Scenario::new(repo);
    scenario.app = Some((APP_ID, INSTALLATION));
    scenario.token = Some(TOKEN.to_owned());
    scenario
}

/// A `livegate serve` process, its files and its log.
struct Server {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
    log: PathBuf,
    runs: usize,
    /// Global flags given to every launch (`-q`, `-v`).
    flags: Vec<&'static str>,
}

impl Server {
    fn start(fake: &FakeGitHub) -> Server {
        Server::start_with(fake, &[])
    }

    fn start_with(fake: &FakeGitHub, flags: &[&'static str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("app.pem");
        let status = Command::new("openssl")
            .args(["genrsa", "-out", key.to_str().unwrap(), "2048"])
            .stderr(Stdio::null())
            .status()
            .expect("openssl is installed (Debian: apt-get install openssl)");
        assert!(status.success());
        std::fs::write(dir.path().join("secret"), format!("{SECRET}\n")).unwrap();
        let mut server = Server {
            child: Command::new("true").spawn().unwrap(),
            url: String::new(),
            log: PathBuf::new(),
            dir,
            runs: 0,
            flags: flags.to_vec(),
        };
        server.launch(fake);
        server
    }

    /// Starts the process (again) on the same database; waits until it listens.
    fn launch(&mut self, fake: &FakeGitHub) {
        self.runs += 1;
        self.log = self.dir.path().join(format!("serve-{}.log", self.runs));
        let path = |name: &str| self.dir.path().join(name).to_string_lossy().into_owned();
        // `-q` logs no "listening" line to read the address from: a free
        // port is picked here instead.
        let quiet = self.flags.contains(&"-q");
        let listen = if quiet {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().to_string()
        } else {
            "127.0.0.1:0".to_owned()
        };
        self.child = Command::new(support::bin())
            .args(&self.flags)
            .args(["serve", "--listen", &listen, "--app-id", &APP_ID.to_string()])
            .args(["--app-key", &path("app.pem"), "--webhook-secret-file", &path("secret")])
            .args(["--db", &path("queue.db"), "--api-url", &fake.url, "--workers", "4"])
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_API_URL")
            .env_remove("LIVEGATE_WEBHOOK_SECRET")
            .stdout(Stdio::null())
            .stderr(File::create(&self.log).unwrap())
            .spawn()
            .expect("livegate serve starts");
        let address = wait_for(Duration::from_secs(20), || {
            if quiet {
                return std::net::TcpStream::connect(&listen).ok().map(|_| listen.clone());
            }
            self.lines()
                .into_iter()
                .find(|l| l["msg"] == "listening")
                .and_then(|l| l["address"].as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| panic!("the server did not start:\n{}", self.text()));
        self.url = format!("http://{address}");
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Every JSON log line of the current run.
    fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Every log line of every run.
    fn all_logs(&self) -> String {
        (1..=self.runs)
            .map(|n| std::fs::read_to_string(self.dir.path().join(format!("serve-{n}.log"))).unwrap_or_default())
            .collect()
    }

    fn deliver(&self, event: &str, id: &str, body: &Value) -> (u16, String) {
        deliver(&self.url, SECRET, event, id, body.to_string().as_bytes())
    }

    fn get(&self, path: &str) -> (u16, String) {
        support::webhooks::request(&self.url, "GET", path, &[], b"")
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Neither the webhook secret, the installation token nor the App's key
    /// appears in any log line.
    fn assert_no_secrets_logged(&self) {
        let logs = self.all_logs();
        let key = std::fs::read_to_string(self.dir.path().join("app.pem")).unwrap();
        let key_body: String = key.lines().nth(1).unwrap_or_default().to_owned();
        assert!(!logs.contains(SECRET), "the webhook secret is logged:\n{logs}");
        assert!(!logs.contains(TOKEN), "the installation token is logged:\n{logs}");
        assert!(!logs.contains(&key_body), "the App's key is logged:\n{logs}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_for<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The latest check run on `sha`, once it is completed.
fn completed_on(fake: &FakeGitHub, sha: &str, timeout: Duration) -> Option<CheckRun> {
    wait_for(timeout, || {
        fake.check_runs()
            .into_iter()
            .rev()
            .find(|r| r.head_sha == sha)
            .filter(|r| r.status() == "completed")
    })
}

/// Every check-run request conforms to GitHub's description of the endpoint.
fn assert_check_requests_conform(fake: &FakeGitHub) {
    let doc = document();
    let create = RequestSchema::new(&doc, "post", "/repos/{owner}/{repo}/check-runs");
    let update = RequestSchema::new(&doc, "patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}");
    for run in fake.check_runs() {
        assert_eq!(run.name, "livegate/review");
        for (method, body) in &run.requests {
            match method.as_str() {
                "POST" => create.check(body),
                _ => update.check(body),
            }
        }
    }
}

fn requests_to_github(fake: &FakeGitHub) -> usize {
    fake.log().len()
}

const WAIT: Duration = Duration::from_secs(60);

#[test]
fn forged_or_missing_signatures_change_nothing() {
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(server.get("/readyz").0, 200);
    let body = payload("pull_request_review", "submitted", "acme/api", 7, HEAD, INSTALLATION).to_string();
    let forged = support::webhooks::sign("not-the-secret", body.as_bytes());
    let good_for_other_body = support::webhooks::sign(SECRET, b"{}");
    fn headers(signature: Option<&str>) -> Vec<(&str, &str)> {
        let mut h = vec![
            ("X-GitHub-Event", "pull_request_review"),
            ("X-GitHub-Delivery", "forged-1"),
            ("Content-Type", "application/json"),
        ];
        if let Some(signature) = signature {
            h.push(("X-Hub-Signature-256", signature));
        }
        h
    }
    for signature in [
        None,
        Some(forged.as_str()),
        Some(good_for_other_body.as_str()),
        Some("sha1=0123"),
        Some(""),
    ] {
        let (status, text) = post(&server.url, "/webhook", &headers(signature), body.as_bytes());
        assert_eq!(status, 401, "{signature:?}: {text}");
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        requests_to_github(&fake),
        0,
        "a refused delivery reached GitHub: {:?}",
        fake.log()
    );
    assert!(fake.check_runs().is_empty());
    // The same delivery, correctly signed, is then accepted: it was not
    // remembered as seen.
    let (status, _) = deliver(&server.url, SECRET, "pull_request_review", "forged-1", body.as_bytes());
    assert_eq!(status, 202);
    assert!(completed_on(&fake, HEAD, WAIT).is_some(), "{}", server.text());
    server.assert_no_secrets_logged();
}

#[test]
fn an_approved_pull_request_turns_green_once_even_when_the_delivery_is_replayed() {
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let event = payload("pull_request_review", "submitted", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request_review", "delivery-1", &event).0, 202);
    let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("no check run:\n{}", server.text()));
    assert_eq!(
        run.conclusion().as_deref(),
        Some("success"),
        "{:?}\n{}",
        run.summary(),
        server.text()
    );
    assert_eq!(run.requests[0].1["status"], "in_progress", "work starts in progress");
    assert_eq!(run.requests[0].1["details_url"], "https://github.com/acme/api/pull/7");
    assert_eq!(run.title().as_deref(), Some("Review requirements met"));
    // The installation token bought with the App's JWT is what writes it.
    let log = fake.log();
    assert_eq!(log[0].path, format!("/app/installations/{INSTALLATION}/access_tokens"));
    assert!(log
        .iter()
        .filter(|l| l.path.contains("check-runs"))
        .all(|l| l.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))));
    // A replay of the same delivery is acknowledged and ignored.
    let before = requests_to_github(&fake);
    let (status, text) = server.deliver("pull_request_review", "delivery-1", &event);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("duplicate"), "{text}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(fake.check_runs().len(), 1);
    assert_eq!(requests_to_github(&fake), before);
    // The event's log line names delivery, repository, PR, verdict, requests and duration.
    let judged: Vec<Value> = server.lines().into_iter().filter(|l| l["msg"] == "judged").collect();
    assert_eq!(judged.len(), 1, "{}", server.text());
    let line = &judged[0];
    assert_eq!(line["delivery"], "delivery-1");
    assert_eq!(line["repo"], "acme/api");
    assert_eq!(line["pr"], 7);
    assert_eq!(line["verdict"], "pass");
    assert!(line["requests"].as_u64().unwrap() > 3, "{line}");
    assert!(line["duration_ms"].is_u64(), "{line}");
    assert_check_requests_conform(&fake);
    server.assert_no_secrets_logged();
}

#[test]
fn a_new_push_makes_the_approval_stale_and_the_check_red() {
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let opened = payload("pull_request", "opened", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-open", &opened).0, 202);
    let first = completed_on(&fake, HEAD, WAIT).expect("a check on the first head");
    assert_eq!(first.conclusion().as_deref(), Some("success"));
    // The author pushes: the head moves, the approval stays on the old commit.
    fake.update(|s| {
        let pull = &mut s.repos[0].pulls[0];
        pull.head_sha = NEW_HEAD.to_owned();
        pull.commits.push(PullCommit::new(NEW_HEAD, "author"));
    });
    let push = payload("pull_request", "synchronize", "acme/api", 7, NEW_HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-push", &push).0, 202);
    let second = completed_on(&fake, NEW_HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(
        second.conclusion().as_deref(),
        Some("failure"),
        "{:?}",
        second.summary()
    );
    // The summary is `livegate pr`'s report: the same evaluation, not a copy.
    let summary = second.summary().unwrap_or_default();
    assert!(summary.contains("Approvals: 0 of 1 counted"), "{summary}");
    assert!(first
        .summary()
        .unwrap_or_default()
        .contains("Approvals: 1 of 1 counted"));
    // A dismissed review (GitHub dismisses stale approvals itself) keeps it red.
    fake.update(|s| {
        let pull = &mut s.repos[0].pulls[0];
        pull.reviews = vec![PullReview::dismissed(70, "alice", HEAD)];
    });
    let dismissed = payload(
        "pull_request_review",
        "dismissed",
        "acme/api",
        7,
        NEW_HEAD,
        INSTALLATION,
    );
    assert_eq!(server.deliver("pull_request_review", "d-dismiss", &dismissed).0, 202);
    let third = wait_for(WAIT, || {
        let runs: Vec<CheckRun> = fake
            .check_runs()
            .into_iter()
            .filter(|r| r.head_sha == NEW_HEAD)
            .collect();
        (runs.len() == 2 && runs[1].status() == "completed").then(|| runs[1].clone())
    })
    .unwrap_or_else(|| panic!("{}", server.text()));
    assert_ne!(third.conclusion().as_deref(), Some("success"), "{:?}", third.summary());
    // Three jobs, one installation token: it is kept until shortly before it expires.
    let minted = fake.log().iter().filter(|l| l.path.ends_with("/access_tokens")).count();
    assert_eq!(minted, 1);
    assert_check_requests_conform(&fake);
}

#[test]
fn a_merge_group_gets_its_check_on_the_group_commit_and_a_rerun_is_honoured() {
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let group = payload(
        "merge_group",
        "checks_requested",
        "acme/api",
        7,
        GROUP_SHA,
        INSTALLATION,
    );
    assert_eq!(server.deliver("merge_group", "d-group", &group).0, 202);
    let run = completed_on(&fake, GROUP_SHA, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("success"), "{:?}", run.summary());
    assert!(
        fake.check_runs().iter().all(|r| r.head_sha == GROUP_SHA),
        "only on the group sha"
    );
    // "Re-run" on the check asks livegate again.
    let rerun = payload("check_run", "rerequested", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("check_run", "d-rerun", &rerun).0, 202);
    let again = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(again.conclusion().as_deref(), Some("success"));
    // Events that cannot change a verdict are acknowledged and left alone.
    let labeled = payload("pull_request", "labeled", "acme/api", 7, HEAD, INSTALLATION);
    let (status, text) = server.deliver("pull_request", "d-label", &labeled);
    assert_eq!((status, text.contains("nothing to do")), (200, true), "{text}");
    assert_check_requests_conform(&fake);
}

#[test]
fn a_burst_for_several_pull_requests_coalesces_and_each_ends_right() {
    // Odd pull requests are approved on their head; even ones are not.
    let pulls: Vec<Pull> = (1..=4)
        .map(|n| {
            let head = format!("{n:040x}");
            if n % 2 == 1 {
                approved(n, &head)
            } else {
                pull(n, &head, Vec::new())
            }
        })
        .collect();
    let fake = FakeGitHub::start(scenario(pulls));
    let server = Server::start(&fake);
    let mut sent = 0;
    for round in 0..8 {
        for n in 1..=4u64 {
            let head = format!("{n:040x}");
            let (event, action) = if round % 2 == 0 {
                ("pull_request", "synchronize")
            } else {
                ("pull_request_review", "submitted")
            };
            let body = payload(event, action, "acme/api", n, &head, INSTALLATION);
            let (status, text) = server.deliver(event, &format!("burst-{round}-{n}"), &body);
            assert_eq!(status, 202, "{text}");
            sent += 1;
        }
    }
    // Every pull request ends with a completed check of the right conclusion,
    // and nothing is left running.
    let settled = wait_for(Duration::from_secs(120), || {
        let runs = fake.check_runs();
        let done = (1..=4u64).all(|n| {
            let head = format!("{n:040x}");
            runs.iter()
                .rev()
                .find(|r| r.head_sha == head)
                .is_some_and(|r| r.status() == "completed")
        });
        let idle = runs.iter().all(|r| r.status() == "completed");
        let (_, ready) = server.get("/readyz");
        (done && idle && ready.contains(" 0 jobs")).then_some(runs)
    })
    .unwrap_or_else(|| panic!("the burst did not settle:\n{}", server.text()));
    for n in 1..=4u64 {
        let head = format!("{n:040x}");
        let last = settled.iter().rev().find(|r| r.head_sha == head).unwrap();
        let expected = if n % 2 == 1 { "success" } else { "failure" };
        assert_eq!(
            last.conclusion().as_deref(),
            Some(expected),
            "PR {n}: {:?}",
            last.summary()
        );
    }
    assert!(
        settled.len() < sent,
        "{} check runs for {sent} events: nothing coalesced",
        settled.len()
    );
    assert_check_requests_conform(&fake);
}

#[test]
fn a_server_killed_mid_run_finishes_the_work_after_a_restart() {
    let mut scenario = scenario(vec![approved(7, HEAD)]);
    // Slow enough that the kill lands while the job runs.
    scenario.latency = Some(Duration::from_millis(300));
    let fake = FakeGitHub::start(scenario);
    let mut server = Server::start(&fake);
    let event = payload("pull_request", "reopened", "acme/api", 7, HEAD, INSTALLATION);
    // 202 means the event is on disk.
    assert_eq!(server.deliver("pull_request", "d-kill", &event).0, 202);
    wait_for(WAIT, || (!fake.check_runs().is_empty()).then_some(()))
        .unwrap_or_else(|| panic!("the job never started:\n{}", server.text()));
    server.kill();
    assert!(
        fake.check_runs().iter().all(|r| r.status() != "completed"),
        "the kill came too late to test anything"
    );
    server.launch(&fake);
    let resumed = server.lines();
    assert_eq!(resumed[0]["resumed_jobs"], 1, "{}", server.text());
    let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("success"));
    // SIGTERM: a clean stop.
    let status = server.terminate();
    assert!(status.success(), "{status:?}\n{}", server.text());
    assert!(
        server.lines().iter().any(|l| l["msg"] == "stopped"),
        "{}",
        server.text()
    );
    server.assert_no_secrets_logged();
}

#[test]
fn github_answering_502_while_posting_delays_the_check_but_never_loses_it() {
    // More failures than one job's retries: the job goes back to the queue.
    let scenario = scenario(vec![approved(7, HEAD)]).fault("/check-runs", FaultKind::Status(502), 5);
    let fake = FakeGitHub::start(scenario);
    let server = Server::start(&fake);
    let event = payload("pull_request", "ready_for_review", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-502", &event).0, 202);
    let run = completed_on(&fake, HEAD, Duration::from_secs(90)).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("success"));
    let lines = server.lines();
    let failed = lines
        .iter()
        .find(|l| l["msg"] == "not judged")
        .expect("a failed attempt is logged");
    assert!(failed["error"].as_str().unwrap().contains("check-runs"), "{failed}");
    assert!(failed["retry_in_ms"].is_u64(), "{failed}");
    server.assert_no_secrets_logged();
}

#[test]
fn a_pull_request_that_cannot_be_read_is_never_green() {
    // The pull request does not exist for this installation: could not verify.
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let event = payload("pull_request", "opened", "acme/api", 8, NEW_HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-missing", &event).0, 202);
    let run = completed_on(&fake, NEW_HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(
        run.conclusion().as_deref(),
        Some("action_required"),
        "{:?}",
        run.summary()
    );
    assert_check_requests_conform(&fake);
}

#[test]
fn malformed_deliveries_are_refused_and_the_server_stays_up() {
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("pull_request", b"{".to_vec()),
        ("pull_request", vec![0xff, 0xfe, 0x00]),
        ("pull_request", br#"{"action":"opened"}"#.to_vec()),
        (
            "pull_request",
            br#"{"action":"opened","installation":{"id":99},"repository":{"full_name":"../etc"},"pull_request":{"number":7,"head":{"sha":"x"}}}"#
                .to_vec(),
        ),
        (
            "merge_group",
            br#"{"action":"checks_requested","installation":{"id":99},"repository":{"full_name":"acme/api"},"merge_group":{"head_ref":"main"}}"#
                .to_vec(),
        ),
    ];
    for (i, (event, body)) in cases.iter().enumerate() {
        let (status, text) = deliver(&server.url, SECRET, event, &format!("bad-{i}"), body);
        assert_eq!(status, 400, "case {i}: {text}");
    }
    // A delivery without its event or id header.
    let body = b"{}";
    let signature = support::webhooks::sign(SECRET, body);
    let (status, _) = post(
        &server.url,
        "/webhook",
        &[("X-Hub-Signature-256", &signature), ("X-GitHub-Delivery", "x")],
        body,
    );
    assert_eq!(status, 400);
    // Larger than GitHub ever sends.
    let huge = vec![b' '; 26 * 1024 * 1024];
    let (status, _) = deliver(&server.url, SECRET, "pull_request", "huge", &huge);
    assert_eq!(status, 413);
    let (status, _) = deliver(
        &server.url,
        SECRET,
        "ping",
        "ping-1",
        br#"{"zen":"Design for failure."}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(server.get("/healthz").0, 200);
    assert_eq!(requests_to_github(&fake), 0);
    assert!(!server.text().contains("panicked"), "{}", server.text());
}

#[test]
fn bad_configuration_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let run = support::livegate_env(
        dir.path(),
        &[
            "serve",
            "--app-id",
            "1",
            "--app-key",
            "missing.pem",
            "--webhook-secret-file",
            "nope",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--webhook-secret-file"), "{}", run.stderr);
    std::fs::write(dir.path().join("secret"), "long-enough-secret").unwrap();
    std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
    let args = [
        "serve",
        "--app-id",
        "1",
        "--app-key",
        "key.pem",
        "--webhook-secret-file",
        "secret",
        "--db",
        "q.db",
    ];
    let run = support::livegate_env(dir.path(), &args, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--app-key"), "{}", run.stderr);
    assert!(!run.stderr.contains("long-enough-secret"), "{}", run.stderr);
}

#[test]
fn the_app_manifest_asks_for_exactly_what_serve_uses() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/serve/app-manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    let permissions: Vec<(String, String)> = manifest["default_permissions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("actions", "read"),
        ("checks", "write"),
        ("contents", "read"),
        ("deployments", "write"),
        ("members", "read"),
        ("metadata", "read"),
        ("pull_requests", "read"),
    ];
    let mut sorted = permissions.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        expected.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec(),
        "no permission beyond what serve needs"
    );
    let mut events: Vec<&str> = manifest["default_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "check_run",
            "deployment_protection_rule",
            "merge_group",
            "pull_request",
            "pull_request_review"
        ]
    );
    // The README justifies each one.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## The livegate App (serve)")
        .nth(1)
        .expect("README has the App section");
    for (name, _) in expected {
        let label = match name {
            "actions" => "| Actions: read |",
            "checks" => "| Checks: write |",
            "contents" => "| Contents: read |",
            "deployments" => "| Deployments: read and write |",
            "members" => "| Members (organisation): read |",
            "metadata" => "| Metadata: read |",
            _ => "| Pull requests: read |",
        };
        assert!(section.contains(label), "README does not justify {name}");
    }
    for event in events {
        assert!(
            section.contains(&format!("| `{event}` |")),
            "README does not justify {event}"
        );
    }
    // The Kubernetes example parses, and the Dockerfile runs as a non-root user.
    let k8s = std::fs::read_to_string(root.join("examples/serve/kubernetes.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&k8s).expect("kubernetes.yaml is YAML");
    assert_eq!(docs.len(), 3);
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(dockerfile
        .lines()
        .any(|l| l.starts_with("USER ") && !l.contains("root")));
}

#[test]
fn more_than_fifty_annotations_go_in_batches_before_the_conclusion() {
    let seed: String = (1..=60)
        .map(|i| format!("INSERT INTO cards VALUES ({i}, '4242424242424242');\n"))
        .collect();
    let pull = approved(7, HEAD).file(PullFile::added("src/seed.sql", &seed));
    let fake = FakeGitHub::start(scenario(vec![pull]));
    let server = Server::start(&fake);
    let event = payload("pull_request", "opened", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-many", &event).0, 202);
    let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("failure"), "{:?}", run.summary());
    let annotations = run.annotations();
    assert!(annotations.len() > 50, "{} annotations", annotations.len());
    assert!(annotations.iter().all(|a| a["path"] == "src/seed.sql"));
    let counts: Vec<usize> = run
        .requests
        .iter()
        .map(|(_, body)| body["output"]["annotations"].as_array().map_or(0, Vec::len))
        .collect();
    assert!(counts.iter().all(|&n| n <= 50), "{counts:?}");
    // Only the last request completes the run.
    let (last, earlier) = run.requests.split_last().unwrap();
    assert_eq!(last.1["conclusion"], "failure");
    assert!(earlier.iter().all(|(_, body)| body.get("conclusion").is_none()));
    assert_check_requests_conform(&fake);
}

#[test]
fn github_rate_limiting_a_write_is_waited_out() {
    let scenario = scenario(vec![approved(7, HEAD)]).fault(
        "/check-runs",
        FaultKind::SecondaryLimit {
            status: 429,
            retry_after: 1,
        },
        1,
    );
    let fake = FakeGitHub::start(scenario);
    let server = Server::start(&fake);
    let event = payload("pull_request_review", "submitted", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request_review", "d-429", &event).0, 202);
    let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("success"));
    assert!(fake.log().iter().any(|l| l.status == 429));
}

#[test]
fn sigterm_lets_the_job_in_hand_finish() {
    let mut scenario = scenario(vec![approved(7, HEAD)]);
    scenario.latency = Some(Duration::from_millis(300));
    let fake = FakeGitHub::start(scenario);
    let mut server = Server::start(&fake);
    let event = payload("pull_request", "opened", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request", "d-term", &event).0, 202);
    wait_for(WAIT, || (!fake.check_runs().is_empty()).then_some(()))
        .unwrap_or_else(|| panic!("the job never started:\n{}", server.text()));
    let status = server.terminate();
    assert!(status.success(), "{status:?}\n{}", server.text());
    let runs = fake.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].conclusion().as_deref(), Some("success"), "{}", server.text());
}

/// The global `-q`/`-v` govern the log: quiet keeps warnings and errors
/// (a refused signature, a failed attempt), the default adds what happened,
/// verbose adds every HTTP request answered and every request to GitHub.
/// Whatever the flags, the check ends the same and no secret is logged.
#[test]
fn the_log_follows_quiet_and_verbose_and_keeps_refusals_and_failures() {
    let messages = |server: &Server, level: &str| -> Vec<String> {
        let lines = server.lines();
        assert_eq!(
            lines.len(),
            server.text().lines().count(),
            "every line is JSON:\n{}",
            server.text()
        );
        lines
            .iter()
            .filter(|l| l["level"] == level)
            .map(|l| l["msg"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for flags in [&["-q"][..], &[], &["-v"]] {
        // The first four check-run requests fail: the client's own retries
        // are spent, one attempt fails, the queue's retry succeeds.
        let scenario = scenario(vec![approved(7, HEAD)]).fault("/check-runs", FaultKind::Status(502), 4);
        let fake = FakeGitHub::start(scenario);
        let mut server = Server::start_with(&fake, flags);
        let body = payload("pull_request", "opened", "acme/api", 7, HEAD, INSTALLATION).to_string();
        let forged = support::webhooks::sign("not-the-secret", body.as_bytes());
        let headers = [
            ("X-GitHub-Event", "pull_request"),
            ("X-GitHub-Delivery", "forged-1"),
            ("X-Hub-Signature-256", forged.as_str()),
        ];
        assert_eq!(post(&server.url, "/webhook", &headers, body.as_bytes()).0, 401);
        assert_eq!(
            deliver(&server.url, SECRET, "pull_request", "d-1", body.as_bytes()).0,
            202
        );
        let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{flags:?}: {}", server.text()));
        assert_eq!(run.conclusion().as_deref(), Some("success"), "{flags:?}");
        // Stopping waits for the worker, so every line of the job is written.
        assert!(server.terminate().success(), "{flags:?}: {}", server.text());

        let (warn, info, debug) = (
            messages(&server, "warn"),
            messages(&server, "info"),
            messages(&server, "debug"),
        );
        let text = server.text();
        assert!(messages(&server, "error").is_empty(), "{flags:?}: {text}");
        assert_eq!(warn, ["refused", "not judged"], "{flags:?}: {text}");
        let refused = server.lines().into_iter().find(|l| l["msg"] == "refused").unwrap();
        assert_eq!(
            (refused["status"].as_u64(), refused["delivery"].as_str()),
            (Some(401), Some("forged-1"))
        );
        assert!(server.lines().iter().all(|l| l["ts"].is_string()), "{flags:?}: {text}");
        match flags {
            ["-q"] => assert!(info.is_empty() && debug.is_empty(), "quiet: {text}"),
            _ => assert_eq!(
                info,
                ["listening", "received", "judged", "stopping", "stopped"],
                "{flags:?}: {text}"
            ),
        }
        if flags == ["-v"] {
            let lines = server.lines();
            let http: Vec<(u64, &str)> = lines
                .iter()
                .filter(|l| l["msg"] == "http")
                .map(|l| (l["status"].as_u64().unwrap(), l["path"].as_str().unwrap()))
                .collect();
            assert_eq!(http, [(401, "/webhook"), (202, "/webhook")], "{text}");
            let judging = lines.iter().filter(|l| l["msg"] == "judging").count();
            assert_eq!(judging, 2, "one per attempt: {text}");
            // Each request to GitHub, with its status, from a named worker.
            let github: Vec<&Value> = lines.iter().filter(|l| l["msg"] == "github").collect();
            assert!(
                github.iter().any(|l| l["detail"]
                    .as_str()
                    .unwrap()
                    .starts_with("POST /repos/acme/api/check-runs -> 502")),
                "{text}"
            );
            assert!(
                github
                    .iter()
                    .all(|l| l["thread"].as_str().unwrap().starts_with("livegate-worker-")),
                "{text}"
            );
            assert!(github.len() > 5, "{text}");
        } else {
            assert!(debug.is_empty(), "{flags:?}: {text}");
        }
        server.assert_no_secrets_logged();
    }
}

/// Resident and peak resident memory of a process, in KiB (Linux).
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// The figures behind bench/serve-bench.sh: 20 pull requests, the fake
/// GitHub answering every request after 50 ms.
#[test]
#[ignore = "benchmark: bench/serve-bench.sh"]
#[allow(clippy::print_stdout)] // The figures are the point.
fn benchmark_serve() {
    const PULLS: u64 = 20;
    let head = |n: u64| format!("{n:040x}");
    let mut scenario = scenario((1..=PULLS).map(|n| approved(n, &head(n))).collect());
    scenario.latency = Some(Duration::from_millis(50));
    scenario.quota = 1_000_000;
    let fake = FakeGitHub::start(scenario);
    let server = Server::start(&fake);
    std::thread::sleep(Duration::from_secs(1));
    let (rest, _) = memory_kib(server.child.id());

    // Completion times of each sha's check runs, polled every 10 ms.
    let done_at = |sha: &str, after: Instant, count: usize| -> Instant {
        wait_for(Duration::from_secs(300), || {
            let runs: Vec<CheckRun> = fake.check_runs().into_iter().filter(|r| r.head_sha == sha).collect();
            (runs.len() >= count && runs[count - 1].status() == "completed").then(Instant::now)
        })
        .unwrap_or_else(|| panic!("no check on {sha} after {:?}", after.elapsed()))
    };

    // Latency: one event at a time, as a quiet day sends them (more than
    // the one second GitHub asks between writes after the previous check).
    let mut latencies = Vec::new();
    for n in 1..=PULLS {
        std::thread::sleep(Duration::from_millis(1100));
        let event = payload("pull_request", "synchronize", "acme/api", n, &head(n), INSTALLATION);
        let sent = Instant::now();
        assert_eq!(server.deliver("pull_request", &format!("lat-{n}"), &event).0, 202);
        latencies.push(done_at(&head(n), sent, 1) - sent);
    }
    latencies.sort();

    // Burst: 10 events for each of the 20 pull requests, sent by 4 clients at once.
    let burst_start = Instant::now();
    let url = server.url.clone();
    let senders: Vec<_> = (0..4u64)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                for i in 0..50u64 {
                    let k = t * 50 + i;
                    let n = k % PULLS + 1;
                    let event = payload(
                        "pull_request_review",
                        "submitted",
                        "acme/api",
                        n,
                        &format!("{n:040x}"),
                        INSTALLATION,
                    );
                    let (status, _) = deliver(
                        &url,
                        SECRET,
                        "pull_request_review",
                        &format!("burst-{k}"),
                        event.to_string().as_bytes(),
                    );
                    assert_eq!(status, 202);
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let intake = burst_start.elapsed();
    let (_, peak_during_intake) = memory_kib(server.child.id());
    let settled = wait_for(Duration::from_secs(300), || {
        let (_, ready) = server.get("/readyz");
        let idle = fake.check_runs().iter().all(|r| r.status() == "completed");
        (ready.contains(" 0 jobs") && idle).then(Instant::now)
    })
    .expect("the burst settles");
    let drained = settled - burst_start;
    for n in 1..=PULLS {
        let last = fake
            .check_runs()
            .into_iter()
            .rev()
            .find(|r| r.head_sha == head(n))
            .unwrap();
        assert_eq!(last.conclusion().as_deref(), Some("success"), "PR {n}");
    }
    let burst_jobs = fake.check_runs().len() as u64 - PULLS;
    let (rss_after, peak) = memory_kib(server.child.id());
    let requests = fake.log().len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("fake GitHub latency: 50 ms per request; 1 installation; 4 workers");
    println!("memory at rest: {} KiB RSS", rest);
    println!(
        "latency webhook -> completed check, one event at a time ({PULLS} events): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "burst intake: 200 signed deliveries accepted (stored, synced) in {:.0} ms = {:.0} events/s",
        ms(intake),
        200.0 / intake.as_secs_f64()
    );
    println!(
        "burst drained: {burst_jobs} evaluations for 200 events ({PULLS} pull requests) in {:.1} s = {:.1} events/s sustained",
        drained.as_secs_f64(),
        200.0 / drained.as_secs_f64()
    );
    println!(
        "memory under load: peak {} KiB (peak while receiving {} KiB), {} KiB after",
        peak, peak_during_intake, rss_after
    );
    println!("requests to GitHub in total: {requests}");
}

#[test]
fn a_pull_request_from_a_fork_is_judged_like_any_other() {
    // From a fork, an Actions token is read-only and a commit status cannot
    // be posted; the App's installation token is the base repository's.
    let fake = FakeGitHub::start(scenario(vec![approved(7, HEAD)]));
    let server = Server::start(&fake);
    let mut event = payload("pull_request_review", "submitted", "acme/api", 7, HEAD, INSTALLATION);
    event["pull_request"]["head"]["repo"]["full_name"] = serde_json::json!("outsider/api");
    event["pull_request"]["head"]["repo"]["fork"] = serde_json::json!(true);
    event["pull_request"]["head"]["label"] = serde_json::json!("outsider:topic");
    assert_eq!(server.deliver("pull_request_review", "d-fork", &event).0, 202);
    let run = completed_on(&fake, HEAD, WAIT).unwrap_or_else(|| panic!("{}", server.text()));
    assert_eq!(run.conclusion().as_deref(), Some("success"), "{:?}", run.summary());
    assert!(
        fake.log().iter().all(|l| !l.path.contains("outsider")),
        "nothing is read from the fork"
    );
}

#[test]
fn an_installation_token_with_a_line_break_is_refused_not_sent() {
    // A hostile or broken server answers the token request with a value that
    // would inject a header (or panic the HTTP library when used).
    let mut scenario = scenario(vec![approved(7, HEAD)]);
    scenario.token = Some(format!("{TOKEN}\r\nX-Injected: 1"));
    let fake = FakeGitHub::start(scenario);
    let mut server = Server::start(&fake);
    let event = payload("pull_request_review", "submitted", "acme/api", 7, HEAD, INSTALLATION);
    assert_eq!(server.deliver("pull_request_review", "d-bad-token", &event).0, 202);
    let refused = wait_for(WAIT, || {
        server.lines().into_iter().find(|l| l.to_string().contains("U+000D"))
    });
    assert!(refused.is_some(), "the bad token is not reported:\n{}", server.text());
    assert_eq!(server.get("/healthz").0, 200, "{}", server.text());
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "serve exited:\n{}",
        server.text()
    );
    let used = fake
        .log()
        .iter()
        .filter(|l| !l.path.ends_with("/access_tokens"))
        .count();
    assert_eq!(used, 0, "the bad token was used: {:?}", fake.log());
    assert!(!server.text().contains("X-Injected"), "{}", server.text());
    assert!(!server.text().contains("panicked"), "{}", server.text());
}

// Custom deployment protection rule: `deployment_protection_rule.requested`
// is answered through `actions/review-custom-gates-for-run` with the verdict
// of `livegate deploy` on the range the deployment brings.

const RUN_ID: u64 = 30433642;

/// The fake GitHub for a deploy history, with the App installed. Without a
/// clone (the server has none), the range comes from the compare API.
fn gate_fake(history: &mut History) -> FakeGitHub {
    history.compare_from_git();
    let mut scenario = history.scenario();
    scenario.app = Some((APP_ID, INSTALLATION));
    scenario.token = Some(TOKEN.to_owned());
    FakeGitHub::start(scenario)
}

/// A signed-to-be delivery asking about `sha`, checked against GitHub's schema.
fn gate_event(fake: &FakeGitHub, sha: &str) -> Value {
    let callback = format!(
        "{}/repos/acme/api/actions/runs/{RUN_ID}/deployment_protection_rule",
        fake.url
    );
    let event = deployment_protection_rule("acme/api", sha, "production", &callback, INSTALLATION);
    check_component(&document(), "webhook-deployment-protection-rule-requested", &event);
    event
}

/// The answers posted so far, each checked against GitHub's description of
/// `POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`.
fn gate_answers(fake: &FakeGitHub) -> Vec<Value> {
    let schema = RequestSchema::new(
        &document(),
        "post",
        "/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
    );
    fake.gate_answers()
        .into_iter()
        .map(|(repo, run, body)| {
            assert_eq!((repo.as_str(), run), ("acme/api", RUN_ID));
            schema.check(&body);
            body
        })
        .collect()
}

fn first_gate_answer(fake: &FakeGitHub, server: &Server) -> Value {
    wait_for(WAIT, || gate_answers(fake).into_iter().next())
        .unwrap_or_else(|| panic!("no answer to the deployment protection rule:\n{}", server.text()))
}

#[test]
fn a_reviewed_range_is_approved_once_even_when_the_delivery_is_replayed() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = gate_fake(&mut h);
    let server = Server::start(&fake);
    let event = gate_event(&fake, &h.tip());
    let (status, text) = server.deliver("deployment_protection_rule", "gate-1", &event);
    assert_eq!(status, 202, "{text}");
    let answer = first_gate_answer(&fake, &server);
    assert_eq!(answer["state"], "approved", "{answer}\n{}", server.text());
    assert_eq!(answer["environment_name"], "production");
    assert!(answer["comment"].as_str().unwrap().contains("reviewed"), "{answer}");
    // The installation token bought with the App's JWT is what answers.
    let log = fake.log();
    let posted = log
        .iter()
        .find(|l| l.path.ends_with("/deployment_protection_rule"))
        .unwrap();
    assert_eq!(
        posted.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    // GitHub redelivers with the same delivery id: acknowledged, not answered again.
    let before = requests_to_github(&fake);
    let (status, text) = server.deliver("deployment_protection_rule", "gate-1", &event);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("duplicate"), "{text}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(gate_answers(&fake).len(), 1);
    assert_eq!(requests_to_github(&fake), before);
    let judged: Vec<Value> = server.lines().into_iter().filter(|l| l["msg"] == "judged").collect();
    assert_eq!(judged.len(), 1, "{}", server.text());
    assert_eq!(judged[0]["run"], RUN_ID);
    assert_eq!(judged[0]["environment"], "production");
    assert_eq!(judged[0]["state"], "approved");
    server.assert_no_secrets_logged();
}

#[test]
fn a_direct_push_in_the_range_is_rejected_and_the_comment_names_it() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let pushed = h.direct_push("src/hotfix.rs", "hotfix");
    h.squash(2, &[("src/b.rs", "pub fn b() {}\n")], &["bob"], "bob");
    let fake = gate_fake(&mut h);
    let server = Server::start(&fake);
    let event = gate_event(&fake, &h.tip());
    assert_eq!(server.deliver("deployment_protection_rule", "gate-2", &event).0, 202);
    let answer = first_gate_answer(&fake, &server);
    assert_eq!(answer["state"], "rejected", "{answer}");
    let comment = answer["comment"].as_str().unwrap();
    assert!(comment.contains(&pushed[..7]), "{comment}");
    assert!(comment.contains("direct-push"), "{comment}");
    assert!(comment.chars().count() <= 1024, "{comment}");
}

#[test]
fn github_failing_while_the_range_is_judged_is_never_approved() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    h.compare_from_git();
    let mut scenario = h.scenario();
    scenario.app = Some((APP_ID, INSTALLATION));
    scenario.token = Some(TOKEN.to_owned());
    let fake = FakeGitHub::start(scenario.fault("/graphql", FaultKind::Status(502), 100));
    let server = Server::start(&fake);
    let event = gate_event(&fake, &h.tip());
    assert_eq!(server.deliver("deployment_protection_rule", "gate-3", &event).0, 202);
    let answer = first_gate_answer(&fake, &server);
    assert_eq!(answer["state"], "rejected", "{answer}");
    assert!(
        answer["comment"].as_str().unwrap().contains("could not verify"),
        "{answer}"
    );
}

#[test]
fn a_forged_or_misdirected_deployment_protection_rule_posts_nothing() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = gate_fake(&mut h);
    let server = Server::start(&fake);
    let event = gate_event(&fake, &h.tip());
    let body = event.to_string();
    let forged = support::webhooks::sign("not-the-secret", body.as_bytes());
    let headers = support::webhooks::delivery_headers("deployment_protection_rule", "gate-4", &forged);
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, text) = post(&server.url, "/webhook", &pairs, body.as_bytes());
    assert_eq!(status, 401, "{text}");
    // Correctly signed, but the answer would go to another host.
    let mut elsewhere = event.clone();
    elsewhere["deployment_callback_url"] = json!(format!(
        "https://attacker.invalid/repos/acme/api/actions/runs/{RUN_ID}/deployment_protection_rule"
    ));
    let (status, text) = server.deliver("deployment_protection_rule", "gate-5", &elsewhere);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("deployment_callback_url"), "{text}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(requests_to_github(&fake), 0, "{:?}", fake.log());
    assert!(fake.gate_answers().is_empty());
}

#[test]
fn a_tag_deployment_is_judged_on_the_default_branch_and_must_be_on_it() {
    // GitHub's payload for a tag deploy: `ref` is refs/tags/NAME and the
    // deployment's `ref` the bare tag name.
    let tag_event = |fake: &FakeGitHub, sha: &str, tag: &str| {
        let mut event = gate_event(fake, sha);
        event["ref"] = json!(format!("refs/tags/{tag}"));
        event["deployment"]["ref"] = json!(tag);
        check_component(&document(), "webhook-deployment-protection-rule-requested", &event);
        event
    };
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = gate_fake(&mut h);
    let server = Server::start(&fake);
    let event = tag_event(&fake, &h.tip(), "v1.0");
    assert_eq!(
        server.deliver("deployment_protection_rule", "gate-tag-1", &event).0,
        202
    );
    let answer = first_gate_answer(&fake, &server);
    assert_eq!(answer["state"], "approved", "{answer}\n{}", server.text());
    assert!(
        fake.log().iter().any(|l| l.path == "/repos/acme/api"),
        "default branch read"
    );

    // A tag on a commit main never got is rejected, and the comment says so.
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let side = h.branch(9, &[("src/unreviewed.rs", "pub fn u() {}\n")]);
    h.world.commits.push((side[0].clone(), Vec::new()));
    let (base, tip) = (h.baseline.clone(), h.tip());
    h.world.compare = vec![
        (format!("{base}...{}", side[0]), "ahead".to_owned()),
        (format!("{}...{tip}", side[0]), "diverged".to_owned()),
    ];
    h.world.compare_commits = vec![(
        side[0].clone(),
        vec![base.clone()],
        "work on src/unreviewed.rs".to_owned(),
    )];
    let mut scenario = h.scenario();
    scenario.app = Some((APP_ID, INSTALLATION));
    scenario.token = Some(TOKEN.to_owned());
    let fake = FakeGitHub::start(scenario);
    let server = Server::start(&fake);
    let event = tag_event(&fake, &side[0], "v1.1-rc");
    assert_eq!(
        server.deliver("deployment_protection_rule", "gate-tag-2", &event).0,
        202
    );
    let answer = first_gate_answer(&fake, &server);
    assert_eq!(answer["state"], "rejected", "{answer}");
    let comment = answer["comment"].as_str().unwrap();
    assert!(
        comment.contains("tag v1.1-rc") && comment.contains("not reachable from main"),
        "{comment}"
    );
}
