//! Every kind of payload the fake GitHub serves conforms to GitHub's official
//! OpenAPI description (@octokit/openapi, pinned in scripts/fetch-schemas.sh)
//! for its endpoint, method and status; and the pull-request, settings and
//! issue endpoints of the fake behave like GitHub's where a review gate or a
//! settings audit depends on it (limits, pagination, filters, permissions,
//! errors, latency).

mod support;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::fake_deploy::{activity, DeployWorld, FakeDeployment};
use support::fake_github::{
    raw_exchange, raw_get, raw_request, rule, Access, Classic, FakeGitHub, FaultKind, Hook, Issue, Org, Pull,
    PullCommit, PullFile, PullReview, Repo, Ruleset, Scenario,
};
use support::openapi::{document, json_schema};

struct Spec {
    components: Value,
    doc: Value,
    /// Compiled validators by "method path status" (compiling one with every
    /// component attached is slow).
    validators: RefCell<HashMap<String, Rc<jsonschema::Validator>>>,
}

impl Spec {
    fn schema_for(&self, path: &str, status: &str) -> Value {
        self.schema_for_method("get", path, status)
    }

    /// The JSON schema of a response, `$ref`s to shared responses resolved
    /// and the components attached for the schema's own `$ref`s.
    fn schema_for_method(&self, method: &str, path: &str, status: &str) -> Value {
        let response = &self.doc["paths"][path][method]["responses"][status];
        let response = match response.get("$ref").and_then(|r| r.as_str()) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap();
                &self.doc["components"]["responses"][name]
            }
            None => response,
        };
        let schema = &response["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "no JSON schema for {method} {path} {status}");
        let mut root = json_schema(schema);
        root.as_object_mut()
            .unwrap()
            .insert("components".to_owned(), self.components.clone());
        root
    }

    fn check(&self, path: &str, status: &str, payload: &Value) {
        self.check_method("get", path, status, payload)
    }

    /// The compiled validator of a response (compiled once per test).
    fn validator(&self, method: &str, path: &str, status: &str) -> Rc<jsonschema::Validator> {
        let key = format!("{method} {path} {status}");
        if let Some(validator) = self.validators.borrow().get(&key) {
            return validator.clone();
        }
        let schema = self.schema_for_method(method, path, status);
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema for {path}: {e}"));
        let validator = Rc::new(validator);
        self.validators.borrow_mut().insert(key, validator.clone());
        validator
    }

    fn check_method(&self, method: &str, path: &str, status: &str, payload: &Value) {
        let validator = self.validator(method, path, status);
        let errors: Vec<String> = validator
            .iter_errors(payload)
            .take(10)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} {status} does not conform:\n{}\n{payload:#}",
            errors.join("\n")
        );
    }
}

fn scenario() -> Scenario {
    let classic = Classic {
        approvals: Some(2),
        dismiss_stale: true,
        code_owners: true,
        last_push: true,
        status_checks: Some((true, vec!["ci/build".to_owned()])),
        enforce_admins: true,
        linear_history: true,
        signatures: true,
        conversation_resolution: true,
        ..Classic::default()
    };
    let repo = Repo::new("acme/api")
        .branch("main", Some(classic))
        .branch("dev", None)
        .ruleset(
            Ruleset::new(
                7,
                "main rules",
                vec![
                    rule::pull_request(1, true, false, false, true),
                    rule::status_checks(true, &["ci/test"]),
                    rule::simple("deletion"),
                    rule::simple("non_fast_forward"),
                    rule::simple("required_linear_history"),
                    rule::simple("required_signatures"),
                ],
            )
            .bypass("RepositoryRole", 5, "always")
            .bypass("Team", 42, "pull_request"),
        );
    let mut scenario = Scenario::new(repo);
    scenario
        .org_rulesets
        .push(Ruleset::new(90, "org baseline", vec![rule::simple("deletion")]).include(&["~ALL"]));
    scenario
}

fn spec() -> Spec {
    let doc = document();
    Spec {
        components: json_schema(&doc["components"]),
        doc,
        validators: RefCell::new(HashMap::new()),
    }
}

#[test]
fn fake_github_payloads_conform_to_the_openapi_description() {
    let spec = spec();
    let fake = FakeGitHub::start(scenario());
    let auth = [("Authorization", "Bearer test-token")];
    let get = |path: &str| {
        let (status, body) = raw_get(&fake.url, path, &auth);
        let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        (status, value)
    };
    let cases = [
        ("/repos/acme/api", "/repos/{owner}/{repo}", 200),
        ("/repos/acme/api/branches", "/repos/{owner}/{repo}/branches", 200),
        (
            "/repos/acme/api/branches/main/protection",
            "/repos/{owner}/{repo}/branches/{branch}/protection",
            200,
        ),
        (
            "/repos/acme/api/branches/dev/protection",
            "/repos/{owner}/{repo}/branches/{branch}/protection",
            404,
        ),
        (
            "/repos/acme/api/rules/branches/main",
            "/repos/{owner}/{repo}/rules/branches/{branch}",
            200,
        ),
        (
            "/repos/acme/api/rulesets?includes_parents=true",
            "/repos/{owner}/{repo}/rulesets",
            200,
        ),
        (
            "/repos/acme/api/rulesets/7",
            "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
            200,
        ),
        (
            "/repos/acme/api/rulesets/90",
            "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
            200,
        ),
        ("/repos/acme/nope", "/repos/{owner}/{repo}", 404),
        (
            "/repos/acme/api/rulesets/999",
            "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
            404,
        ),
    ];
    for (url_path, template, expected) in cases {
        let (status, value) = get(url_path);
        assert_eq!(status, expected, "{url_path}: {value}");
        spec.check(template, &status.to_string(), &value);
    }
    // The 403 an app token gets on classic protection is a basic-error too.
    let basic = json_schema(&spec.doc["components"]["schemas"]["basic-error"]);
    let validator = jsonschema::validator_for(&basic).unwrap();
    let mut app = scenario();
    app.access = Access::App;
    let fake = FakeGitHub::start(app);
    let (status, body) = raw_get(&fake.url, "/repos/acme/api/branches/main/protection", &auth);
    assert_eq!(status, 403);
    assert!(validator.is_valid(&serde_json::from_str(&body).unwrap()), "{body}");
    // The validator is not vacuous.
    let mut broken = get("/repos/acme/api/rulesets/7").1;
    broken.as_object_mut().unwrap().remove("enforcement");
    let schema = spec.schema_for("/repos/{owner}/{repo}/rulesets/{ruleset_id}", "200");
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&broken));
    let mut repo = get("/repos/acme/api").1;
    repo["owner"] = json!({"login": "acme"});
    let schema = spec.schema_for("/repos/{owner}/{repo}", "200");
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&repo));
}

const HEAD: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const FIRST: &str = "1111111111111111111111111111111111111111";
const SECOND: &str = "2222222222222222222222222222222222222222";

/// A pull request with every kind of file, commit and review, the policy
/// file at the base and the head, collaborators of every role and a team.
fn pull_scenario() -> Scenario {
    let pull = Pull::new(12, "alice", HEAD)
        .file(PullFile::added("src/new.rs", "fn main() {}\n"))
        .file(PullFile::added("notes.txt", "no newline"))
        .file(PullFile::modified("README.md", "@@ -1,2 +1,2 @@\n-old\n+new\n same"))
        .file(PullFile::renamed("docs/a.md", "docs/b.md"))
        .file(PullFile::removed("old.txt"))
        .file(PullFile::new("logo.png", "added").without_patch())
        .commit(PullCommit::new(FIRST, "alice"))
        .commit(PullCommit::new(SECOND, "alice").web_flow().message("Merge main"))
        .commit(PullCommit::new(HEAD, "alice").author(None, "Someone", "someone@example.com"))
        .review(PullReview::changes_requested(80, "carol", FIRST))
        .review(PullReview::approved(81, "bob", HEAD))
        .review(PullReview::commented(82, "renovate[bot]", HEAD))
        .review(PullReview::dismissed(83, "dave", SECOND).ghost())
        .review(PullReview::pending(84, "erin", HEAD));
    let repo = Repo::new("acme/api")
        .pull(pull)
        .pull(Pull::new(13, "dependabot[bot]", SECOND).draft())
        .content("main", ".github/livegate.toml", "required-approvals = 1\n")
        .content(HEAD, ".github/livegate.toml", "required-approvals = 0\n")
        .content("main", ".github/CODEOWNERS", "* @acme/dba\n")
        .content("main", "src/lib.rs", "")
        .collaborator("admin-ann", "admin")
        .collaborator("carol", "maintain")
        .collaborator("bob", "write")
        .collaborator("alice", "triage")
        .collaborator("reader-rob", "read");
    Scenario::new(repo).team("acme", "dba", &["dan", "bob"])
}

fn json_body(url_path: &str, body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{url_path}: {e}: {body}"))
}

fn is_basic_error(spec: &Spec, value: &Value) -> bool {
    let basic = json_schema(&spec.doc["components"]["schemas"]["basic-error"]);
    jsonschema::validator_for(&basic).unwrap().is_valid(value) && value["message"].is_string()
}

#[test]
fn fake_pull_request_payloads_conform_to_the_openapi_description() {
    let spec = spec();
    let fake = FakeGitHub::start(pull_scenario());
    let auth = [("Authorization", "Bearer test-token")];
    let pulls = "/repos/{owner}/{repo}/pulls/{pull_number}";
    let contents = "/repos/{owner}/{repo}/contents/{path}";
    let collaborators = "/repos/{owner}/{repo}/collaborators";
    let permission = "/repos/{owner}/{repo}/collaborators/{username}/permission";
    let cases = [
        ("/repos/acme/api/pulls/12", pulls.to_owned(), 200),
        ("/repos/acme/api/pulls/13", pulls.to_owned(), 200),
        ("/repos/acme/api/pulls/99", pulls.to_owned(), 404),
        ("/repos/acme/api/pulls/12/reviews", format!("{pulls}/reviews"), 200),
        ("/repos/acme/api/pulls/12/files", format!("{pulls}/files"), 200),
        ("/repos/acme/api/pulls/12/commits", format!("{pulls}/commits"), 200),
        (
            "/repos/acme/api/contents/.github/livegate.toml?ref=main",
            contents.to_owned(),
            200,
        ),
        (
            &format!("/repos/acme/api/contents/.github/livegate.toml?ref={HEAD}"),
            contents.to_owned(),
            200,
        ),
        ("/repos/acme/api/contents/src/lib.rs", contents.to_owned(), 200),
        ("/repos/acme/api/contents/.github", contents.to_owned(), 200),
        ("/repos/acme/api/contents", contents.to_owned(), 200),
        (
            "/repos/acme/api/contents/missing.txt?ref=main",
            contents.to_owned(),
            404,
        ),
        ("/repos/acme/api/collaborators", collaborators.to_owned(), 200),
        (
            "/repos/acme/api/collaborators?permission=push",
            collaborators.to_owned(),
            200,
        ),
        ("/repos/acme/nope/collaborators", collaborators.to_owned(), 404),
        (
            "/repos/acme/api/collaborators/carol/permission",
            permission.to_owned(),
            200,
        ),
        (
            "/repos/acme/api/collaborators/dan/permission",
            permission.to_owned(),
            200,
        ),
        (
            "/repos/acme/api/collaborators/nobody-at-all/permission",
            permission.to_owned(),
            404,
        ),
        (
            "/orgs/acme/teams/dba/members",
            "/orgs/{org}/teams/{team_slug}/members".to_owned(),
            200,
        ),
        (
            "/repos/acme/api/activity?ref=refs%2Fheads%2Ftopic-12&per_page=100",
            "/repos/{owner}/{repo}/activity".to_owned(),
            200,
        ),
        (
            "/repos/acme/api/activity",
            "/repos/{owner}/{repo}/activity".to_owned(),
            200,
        ),
    ];
    for (url_path, template, expected) in &cases {
        let (status, body) = raw_get(&fake.url, url_path, &auth);
        let value = json_body(url_path, &body);
        assert_eq!(status, *expected, "{url_path}: {value}");
        spec.check(template, &status.to_string(), &value);
    }
    // The activity filtered by ref has the head push and who made it.
    let (_, body) = raw_get(&fake.url, "/repos/acme/api/activity?ref=refs%2Fheads%2Ftopic-12", &auth);
    let pushes = json_body("activity", &body);
    assert_eq!(pushes.as_array().map(Vec::len), Some(1), "{pushes}");
    assert_eq!(
        (&pushes[0]["after"], &pushes[0]["actor"]["login"]),
        (&json!(HEAD), &json!("alice"))
    );
    // Creating a commit status: 201 and a `status`.
    let body = r#"{"state":"success","context":"livegate/review","description":"2 of 2 approvals","target_url":"https://ci.example.com/1"}"#;
    let path = format!("/repos/acme/api/statuses/{HEAD}");
    let (status, created) = raw_request(&fake.url, "POST", &path, &auth, Some(body));
    assert_eq!(status, 201, "{created}");
    spec.check_method(
        "post",
        "/repos/{owner}/{repo}/statuses/{sha}",
        "201",
        &json_body(&path, &created),
    );
    // A status without the optional fields has nulls and the default context.
    let (status, bare) = raw_request(&fake.url, "POST", &path, &auth, Some(r#"{"state":"pending"}"#));
    assert_eq!(status, 201, "{bare}");
    let bare = json_body(&path, &bare);
    spec.check_method("post", "/repos/{owner}/{repo}/statuses/{sha}", "201", &bare);
    assert_eq!(
        (&bare["context"], &bare["description"]),
        (&json!("default"), &Value::Null)
    );

    // Errors the OpenAPI description does not declare are basic-errors too:
    // 403 on team members and statuses, 401 without a token, 422 on bad input.
    let mut denied = pull_scenario();
    denied.members_access = false;
    denied.statuses_access = false;
    let denied = FakeGitHub::start(denied);
    let errors = [
        ("GET", "/orgs/acme/teams/dba/members", None, &auth[..], 403),
        ("POST", path.as_str(), Some(body), &auth[..], 403),
        ("GET", "/orgs/acme/teams/nope/members", None, &auth[..], 403),
        ("GET", "/orgs/acme/teams/dba/members", None, &[][..], 401),
    ];
    for (method, url_path, body, headers, expected) in errors {
        let (status, text) = raw_request(&denied.url, method, url_path, headers, body);
        assert_eq!(status, expected, "{method} {url_path}: {text}");
        assert!(is_basic_error(&spec, &json_body(url_path, &text)), "{text}");
    }
    let errors = [
        ("GET", "/orgs/acme/teams/nope/members", None, 404),
        ("POST", path.as_str(), Some(r#"{"state":"done"}"#), 422),
        ("POST", path.as_str(), Some("{oops"), 400),
    ];
    for (method, url_path, body, expected) in errors {
        let (status, text) = raw_request(&fake.url, method, url_path, &auth, body);
        assert_eq!(status, expected, "{method} {url_path}: {text}");
        assert!(is_basic_error(&spec, &json_body(url_path, &text)), "{text}");
    }

    // The validator is not vacuous: a review without `id`, a file without
    // `status`, a commit whose author is a bare login, a pull request
    // without `head`, a content without `encoding` and a status without
    // `creator` all fail.
    let get = |url_path: &str| json_body(url_path, &raw_get(&fake.url, url_path, &auth).1);
    type Spoil = fn(&mut Value);
    let broken: [(&str, String, Value, Spoil); 6] = [
        (
            "get",
            format!("{pulls}/reviews"),
            get("/repos/acme/api/pulls/12/reviews"),
            |v| {
                v[0].as_object_mut().unwrap().remove("id");
            },
        ),
        (
            "get",
            format!("{pulls}/files"),
            get("/repos/acme/api/pulls/12/files"),
            |v| {
                v[1].as_object_mut().unwrap().remove("status");
            },
        ),
        (
            "get",
            format!("{pulls}/commits"),
            get("/repos/acme/api/pulls/12/commits"),
            |v| {
                v[0]["author"] = json!("alice");
            },
        ),
        ("get", pulls.to_owned(), get("/repos/acme/api/pulls/12"), |v| {
            v.as_object_mut().unwrap().remove("head");
        }),
        (
            "get",
            contents.to_owned(),
            get("/repos/acme/api/contents/.github/livegate.toml"),
            |v| {
                v.as_object_mut().unwrap().remove("encoding");
            },
        ),
        (
            "post",
            "/repos/{owner}/{repo}/statuses/{sha}".to_owned(),
            json_body(&path, &created),
            |v| {
                v.as_object_mut().unwrap().remove("creator");
            },
        ),
    ];
    for (method, template, mut value, spoil) in broken {
        let schema = spec.schema_for_method(method, &template, if method == "post" { "201" } else { "200" });
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&value), "{template} before spoiling: {value:#}");
        spoil(&mut value);
        assert!(
            !validator.is_valid(&value),
            "{template} accepted a broken payload: {value:#}"
        );
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// Follows `rel="next"` links from `first`; returns every item and the number of pages.
fn follow(fake: &FakeGitHub, first: &str, auth: &[(&str, &str)]) -> (Vec<Value>, usize) {
    let (mut items, mut pages) = (Vec::new(), 0);
    let mut next = Some(first.to_owned());
    while let Some(path) = next.take() {
        let (status, headers, body) = raw_exchange(&fake.url, "GET", &path, auth, None);
        assert_eq!(status, 200, "{path}: {body}");
        items.extend(json_body(&path, &body).as_array().expect("a list").iter().cloned());
        pages += 1;
        next = headers.get("link").and_then(|link| {
            link.split(", ")
                .find(|l| l.ends_with("rel=\"next\""))
                .and_then(|l| l.split_once('<')?.1.split_once('>'))
                .map(|(target, _)| target.trim_start_matches(&fake.url).to_owned())
        });
    }
    (items, pages)
}

fn logins(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["login"].as_str().unwrap_or("?")).collect()
}

#[test]
fn fake_pull_request_endpoints_behave_like_github() {
    let auth = [("Authorization", "Bearer test-token")];
    let many: Vec<PullFile> = (0..3100)
        .map(|i| PullFile::added(&format!("data/{i}.txt"), "x\n"))
        .collect();
    let mut big = Pull::new(20, "alice", HEAD).changed_files(3500);
    big.files = many.clone();
    big.commits = (0..260)
        .map(|i| PullCommit::new(&format!("{i:040x}"), "alice"))
        .collect();
    let mut huge = Pull::new(21, "alice", SECOND);
    huge.files = many;
    let mut scenario = pull_scenario();
    scenario.repos[0] = scenario.repos[0]
        .clone()
        .pull(big)
        .pull(huge)
        .content("topic-12", "src/topic.rs", "// on the branch\n")
        .content("main", "big.bin", vec![7u8; 1024 * 1024 + 1]);
    scenario
        .repos
        .push(Repo::new("acme/public").collaborator("bob", "write"));
    scenario.repos[1].private = false;
    let scenario = scenario.fault("/pulls/12/reviews", FaultKind::Status(502), 1).fault(
        "/repos/acme/api/collaborators$",
        FaultKind::Status(500),
        1,
    );
    let fake = FakeGitHub::start(scenario);
    let get = |path: &str| {
        let (status, body) = raw_get(&fake.url, path, &auth);
        (status, json_body(path, &body))
    };

    // The pull request: counts, head and base, association, draft.
    let (_, pull) = get("/repos/acme/api/pulls/12");
    assert_eq!(
        (pull["commits"].as_u64(), pull["changed_files"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(
        (pull["additions"].as_u64(), pull["deletions"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(pull["head"]["sha"], HEAD);
    assert_eq!(pull["head"]["ref"], "topic-12");
    assert_eq!(pull["base"]["ref"], "main");
    assert_eq!(pull["user"]["login"], "alice");
    assert_eq!(pull["author_association"], "COLLABORATOR");
    let (_, draft) = get("/repos/acme/api/pulls/13");
    assert_eq!((&draft["draft"], &draft["user"]["type"]), (&json!(true), &json!("Bot")));

    // A fault on a new path, then the reviews: order, states, null user, pending.
    assert_eq!(get("/repos/acme/api/pulls/12/reviews").0, 502);
    // An anchored fault hits the listing, not the lookups below it.
    assert_eq!(get("/repos/acme/api/collaborators/bob/permission").0, 200);
    assert_eq!(get("/repos/acme/api/collaborators").0, 500);
    let (status, reviews) = get("/repos/acme/api/pulls/12/reviews");
    assert_eq!(status, 200);
    let states: Vec<&str> = reviews
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["CHANGES_REQUESTED", "APPROVED", "COMMENTED", "DISMISSED", "PENDING"]
    );
    assert_eq!(reviews[2]["user"]["type"], "Bot");
    assert!(reviews[3]["user"].is_null());
    assert!(reviews[4].get("submitted_at").is_none());
    assert!(reviews[0]["submitted_at"].as_str() < reviews[1]["submitted_at"].as_str());

    // Files: patches as GitHub gives them; none for binaries and pure renames.
    let (_, files) = get("/repos/acme/api/pulls/12/files");
    assert_eq!(files[0]["patch"], "@@ -0,0 +1 @@\n+fn main() {}");
    assert_eq!(
        files[1]["patch"],
        "@@ -0,0 +1 @@\n+no newline\n\\ No newline at end of file"
    );
    assert_eq!(
        (files[2]["additions"].as_u64(), files[2]["deletions"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(files[3]["previous_filename"], "docs/a.md");
    assert!(files[3].get("patch").is_none() && files[5].get("patch").is_none());

    // Commits: web-flow committer, unlinked author, parents chained from the base.
    let (_, commits) = get("/repos/acme/api/pulls/12/commits");
    assert_eq!(commits[1]["committer"]["login"], "web-flow");
    assert!(commits[2]["author"].is_null());
    assert_eq!(commits[2]["commit"]["author"]["email"], "someone@example.com");
    assert_eq!(commits[0]["parents"][0]["sha"], pull["base"]["sha"]);
    assert_eq!(commits[2]["parents"][0]["sha"], SECOND);

    // At most 3000 files and 250 commits, through forced pages or per_page=100;
    // the pull request still reports the full counts (or the override).
    let (files, pages) = follow(&fake, "/repos/acme/api/pulls/20/files?per_page=100", &auth);
    assert_eq!((files.len(), pages), (3000, 30));
    let (commits, pages) = follow(&fake, "/repos/acme/api/pulls/20/commits?per_page=100", &auth);
    assert_eq!((commits.len(), pages), (250, 3));
    assert_eq!(commits[0]["sha"], format!("{:040x}", 0));
    let (_, big) = get("/repos/acme/api/pulls/20");
    assert_eq!(
        (big["changed_files"].as_u64(), big["commits"].as_u64()),
        (Some(3500), Some(260))
    );
    assert_eq!(get("/repos/acme/api/pulls/21").1["changed_files"], 3100);
    fake.update(|s| s.page_size = Some(2));
    let (reviews, pages) = follow(&fake, "/repos/acme/api/pulls/12/reviews", &auth);
    assert_eq!((reviews.len(), pages), (5, 3));
    // Filters carry over to the next page.
    let (pushers, pages) = follow(&fake, "/repos/acme/api/collaborators?permission=push", &auth);
    assert_eq!((logins(&pushers), pages), (vec!["admin-ann", "carol", "bob"], 2));
    fake.update(|s| s.page_size = None);

    // ETags: an unchanged pull request answers 304.
    let (status, headers, _) = raw_exchange(&fake.url, "GET", "/repos/acme/api/pulls/12", &auth, None);
    assert_eq!(status, 200);
    let etag = headers.get("etag").expect("ETag").clone();
    let conditional = [auth[0], ("If-None-Match", etag.as_str())];
    let (status, _) = raw_get(&fake.url, "/repos/acme/api/pulls/12", &conditional);
    assert_eq!(status, 304);

    // Contents: base64 in lines of 60, the git blob sha, per ref.
    let (_, file) = get("/repos/acme/api/contents/.github/CODEOWNERS?ref=main");
    assert_eq!(base64_decode(file["content"].as_str().unwrap()), b"* @acme/dba\n");
    assert_eq!(
        (&file["encoding"], &file["name"], &file["size"]),
        (&json!("base64"), &json!("CODEOWNERS"), &json!(12))
    );
    let (_, policy) = get(&format!("/repos/acme/api/contents/.github/livegate.toml?ref={HEAD}"));
    assert_eq!(
        base64_decode(policy["content"].as_str().unwrap()),
        b"required-approvals = 0\n"
    );
    // `git hash-object` of "hello\n" is ce01362...; check the blob sha the same way.
    let hello = FakeGitHub::start(Scenario::new(Repo::new("acme/api").content("main", "hello", "hello\n")));
    let (_, blob) = raw_get(&hello.url, "/repos/acme/api/contents/hello", &auth);
    assert_eq!(
        json_body("hello", &blob)["sha"],
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    let long = "0123456789".repeat(20);
    let lines = FakeGitHub::start(Scenario::new(Repo::new("acme/api").content(
        "main",
        "long",
        long.as_str(),
    )));
    let (_, body) = raw_get(&lines.url, "/repos/acme/api/contents/long", &auth);
    let content = json_body("long", &body)["content"].as_str().unwrap().to_owned();
    assert!(
        content.ends_with('\n') && content.lines().all(|l| l.len() <= 60),
        "{content}"
    );
    assert_eq!(content.lines().next().unwrap().len(), 60);
    assert_eq!(base64_decode(&content), long.as_bytes());
    // A branch name and its tip sha are the same ref; other refs do not see the file.
    assert_eq!(get(&format!("/repos/acme/api/contents/src/topic.rs?ref={HEAD}")).0, 200);
    assert_eq!(
        get("/repos/acme/api/contents/src/topic.rs?ref=refs%2Fheads%2Ftopic-12").0,
        200
    );
    let (status, missing) = get("/repos/acme/api/contents/src/topic.rs?ref=main");
    assert_eq!((status, &missing["message"]), (404, &json!("Not Found")));
    let (_, large) = get("/repos/acme/api/contents/big.bin");
    assert_eq!(
        (&large["encoding"], &large["content"], &large["size"]),
        (&json!("none"), &json!(""), &json!(1024 * 1024 + 1))
    );
    let raw = [auth[0], ("Accept", "application/vnd.github.raw+json")];
    assert_eq!(
        raw_get(&fake.url, "/repos/acme/api/contents/.github/CODEOWNERS", &raw),
        (200, "* @acme/dba\n".to_owned())
    );
    let download = file["download_url"]
        .as_str()
        .unwrap()
        .trim_start_matches(&fake.url)
        .to_owned();
    assert_eq!(raw_get(&fake.url, &download, &auth), (200, "* @acme/dba\n".to_owned()));
    let (_, dir) = get("/repos/acme/api/contents/.github");
    let names: Vec<&str> = dir
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CODEOWNERS", "livegate.toml"]);

    // Private repository without a token: 404 on every new endpoint.
    for path in [
        "/repos/acme/api/pulls/12",
        "/repos/acme/api/pulls/12/files",
        "/repos/acme/api/contents/.github/CODEOWNERS",
        "/repos/acme/api/collaborators",
    ] {
        assert_eq!(raw_get(&fake.url, path, &[]).0, 404, "{path}");
    }

    // Collaborators: roles to permissions, the legacy permission, unknown users.
    let (_, all) = get("/repos/acme/api/collaborators");
    let carol = all.as_array().unwrap().iter().find(|c| c["login"] == "carol").unwrap();
    assert_eq!(
        carol["permissions"],
        json!({"pull": true, "triage": true, "push": true, "maintain": true, "admin": false})
    );
    assert_eq!(carol["role_name"], "maintain");
    let (_, admins) = get("/repos/acme/api/collaborators?permission=admin");
    assert_eq!(logins(admins.as_array().unwrap()), ["admin-ann"]);
    let (_, triagers) = get("/repos/acme/api/collaborators?permission=triage");
    assert_eq!(
        logins(triagers.as_array().unwrap()),
        ["admin-ann", "carol", "bob", "alice"]
    );
    assert_eq!(get("/repos/acme/api/collaborators?permission=owner").0, 422);
    let legacy = |login: &str| {
        let (status, value) = get(&format!("/repos/acme/api/collaborators/{login}/permission"));
        (status, value["permission"].clone(), value["role_name"].clone())
    };
    assert_eq!(legacy("Carol"), (200, json!("write"), json!("maintain")));
    assert_eq!(legacy("alice"), (200, json!("read"), json!("triage")));
    assert_eq!(legacy("admin-ann"), (200, json!("admin"), json!("admin")));
    assert_eq!(legacy("dan"), (200, json!("none"), json!("none")));
    let (status, unknown) = get("/repos/acme/api/collaborators/nobody-at-all/permission");
    assert_eq!(
        (status, &unknown["message"]),
        (404, &json!("nobody-at-all is not a user"))
    );
    assert_eq!(raw_get(&fake.url, "/repos/acme/api/collaborators/bob", &auth).0, 204);
    assert_eq!(raw_get(&fake.url, "/repos/acme/api/collaborators/dan", &auth).0, 404);
    // On a public repository: a token is needed, and anyone known can read.
    assert_eq!(raw_get(&fake.url, "/repos/acme/public/collaborators", &[]).0, 401);
    let (status, outsider) = get("/repos/acme/public/collaborators/dan/permission");
    assert_eq!((status, &outsider["permission"]), (200, &json!("read")));

    // Team members; 404 for an unknown team.
    let (_, members) = get("/orgs/acme/teams/dba/members");
    assert_eq!(logins(members.as_array().unwrap()), ["dan", "bob"]);
    assert_eq!(get("/orgs/acme/teams/nope/members").0, 404);

    // Statuses are recorded as posted; other POSTs are not found; bad tokens are 401.
    let path = format!("/repos/acme/api/statuses/{HEAD}");
    let posted = json!({"state": "failure", "context": "livegate/review", "description": "needs 1 more approval"});
    let (status, _) = raw_request(&fake.url, "POST", &path, &auth, Some(&posted.to_string()));
    assert_eq!(status, 201);
    let long = json!({"state": "failure", "description": "x".repeat(141)});
    assert_eq!(
        raw_request(&fake.url, "POST", &path, &auth, Some(&long.to_string())).0,
        422
    );
    let wrong = [("Authorization", "Bearer wrong")];
    assert_eq!(
        raw_request(&fake.url, "POST", &path, &wrong, Some(&posted.to_string())).0,
        401
    );
    assert_eq!(
        raw_request(&fake.url, "POST", &path, &[], Some(&posted.to_string())).0,
        404
    );
    let public = format!("/repos/acme/public/statuses/{HEAD}");
    assert_eq!(
        raw_request(&fake.url, "POST", &public, &[], Some(&posted.to_string())).0,
        401
    );
    assert_eq!(
        raw_request(&fake.url, "POST", "/repos/acme/api/pulls/12", &auth, Some("{}")).0,
        404
    );
    assert_eq!(
        raw_request(&fake.url, "DELETE", "/repos/acme/api/pulls/12", &auth, None).0,
        404
    );
    assert_eq!(fake.statuses(), vec![(HEAD.to_owned(), posted)]);
    let log = fake.log();
    let posts: BTreeMap<u16, usize> = log
        .iter()
        .filter(|l| l.method == "POST")
        .fold(BTreeMap::new(), |mut m, l| {
            *m.entry(l.status).or_default() += 1;
            m
        });
    assert_eq!(posts, BTreeMap::from([(201, 1), (401, 2), (404, 2), (422, 1)]));
}

const AUDIT_MARKER: &str = "<!-- livegate-audit:acme/api -->";
const CODEOWNERS_ERROR: &str = "Unknown owner on line 2: make sure @ghost exists and has write access to the \
                                repository\n\n  * @ghost\n    ^";

/// A private repository with every setting an audit reads, two issues and a
/// pull request; an archived public one without secret scanning; an
/// internal one without CODEOWNERS or Dependabot alerts; the organisation.
fn settings_scenario() -> Scenario {
    let api = Repo::new("acme/api")
        .topics(&["payments", "pci"])
        .property("tier", "gold")
        .property("owner-team", "platform")
        .secret_scanning(Some(true))
        .push_protection(Some(false))
        .dependabot_alerts(true)
        .collaborator("admin-ann", "admin")
        .collaborator("bob", "write")
        .outside_collaborator("carl", "write")
        .outside_collaborator("rita", "read")
        .team("platform", "admin")
        .team("dba", "maintain")
        .team("readers", "pull")
        .deploy_key(11, "ci deploy", false)
        .deploy_key(12, "mirror", true)
        .hook(Hook::new(101, "https://hooks.example.com/a"))
        .hook(
            Hook::new(102, "http://hooks.example.com/b")
                .secret(false)
                .insecure_ssl(true)
                .active(false)
                .events(&["push", "pull_request"]),
        )
        .workflow_permissions("write", true)
        .content("main", ".github/CODEOWNERS", "* @acme/platform\n* @ghost\n")
        .codeowners(&[(2, CODEOWNERS_ERROR)])
        .issue(
            Issue::new(1, "livegate audit: acme/api")
                .body(AUDIT_MARKER)
                .label("livegate-audit")
                .closed("completed")
                .comment("Fixed."),
        )
        .issue(Issue::new(2, "Crash on start").label("bug").author("bob"))
        .pull(Pull::new(3, "alice", HEAD));
    let old = Repo::new("acme/old").id(7).public().archived().allow_forking(false);
    let tools = Repo::new("acme/tools").id(8).internal();
    let org = Org::new("acme")
        .two_factor_required(true)
        .default_repository_permission("write")
        .members_can_create_public_repositories(false)
        .admin("admin-ann")
        .member("bob")
        .member("dan")
        .hook(Hook::new(7, "https://hooks.example.com/org").insecure_ssl(true))
        .workflow_permissions("read", false);
    let mut scenario = Scenario::new(api).org(org);
    scenario.repos.extend([old, tools]);
    scenario
}

/// Whether the OpenAPI description gives a JSON schema for this response.
fn declared(spec: &Spec, method: &str, template: &str, status: u16) -> bool {
    let response = &spec.doc["paths"][template][method]["responses"][status.to_string()];
    assert!(!response.is_null(), "{method} {template} declares no {status}");
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(reference) => &spec.doc["components"]["responses"][reference.rsplit('/').next().unwrap()],
        None => response,
    };
    !response["content"]["application/json"]["schema"].is_null()
}

/// An error conforms to what the description declares for its status, or
/// is a basic-error where it declares nothing.
fn check_error(spec: &Spec, method: &str, template: &str, status: u16, value: &Value) {
    let documented = spec.doc["paths"][template][method]["responses"]
        .get(status.to_string())
        .is_some();
    if documented && declared(spec, method, template, status) {
        spec.check_method(method, template, &status.to_string(), value);
    } else {
        assert!(is_basic_error(spec, value), "{method} {template} {status}: {value}");
    }
}

#[test]
fn fake_settings_payloads_conform_to_the_openapi_description() {
    let spec = spec();
    let fake = FakeGitHub::start(settings_scenario());
    let auth = [("Authorization", "Bearer test-token")];
    let repo = "/repos/{owner}/{repo}";
    let issue = "/repos/{owner}/{repo}/issues/{issue_number}";
    let cases = [
        ("/repos/acme/api", repo.to_owned(), 200),
        ("/repos/acme/old", repo.to_owned(), 200),
        ("/repos/acme/tools", repo.to_owned(), 200),
        (
            "/repos/acme/api/collaborators?affiliation=outside",
            format!("{repo}/collaborators"),
            200,
        ),
        (
            "/repos/acme/api/collaborators?affiliation=direct",
            format!("{repo}/collaborators"),
            200,
        ),
        ("/repos/acme/api/teams", format!("{repo}/teams"), 200),
        ("/repos/acme/api/keys", format!("{repo}/keys"), 200),
        ("/repos/acme/api/hooks", format!("{repo}/hooks"), 200),
        (
            "/repos/acme/api/actions/permissions/workflow",
            format!("{repo}/actions/permissions/workflow"),
            200,
        ),
        (
            "/repos/acme/api/codeowners/errors",
            format!("{repo}/codeowners/errors"),
            200,
        ),
        ("/repos/acme/api/issues?state=all", format!("{repo}/issues"), 200),
        (
            "/repos/acme/api/issues?state=closed&labels=livegate-audit",
            format!("{repo}/issues"),
            200,
        ),
        ("/repos/acme/api/issues/1", issue.to_owned(), 200),
        ("/repos/acme/api/issues/3", issue.to_owned(), 200),
        ("/repos/acme/api/issues/1/comments", format!("{issue}/comments"), 200),
        ("/repos/acme/api/issues/99", issue.to_owned(), 404),
        ("/orgs/acme", "/orgs/{org}".to_owned(), 200),
        ("/orgs/nope", "/orgs/{org}".to_owned(), 404),
        ("/orgs/acme/members", "/orgs/{org}/members".to_owned(), 200),
        ("/orgs/acme/members?role=admin", "/orgs/{org}/members".to_owned(), 200),
        (
            "/orgs/acme/outside_collaborators",
            "/orgs/{org}/outside_collaborators".to_owned(),
            200,
        ),
        ("/orgs/acme/hooks", "/orgs/{org}/hooks".to_owned(), 200),
        (
            "/orgs/acme/actions/permissions/workflow",
            "/orgs/{org}/actions/permissions/workflow".to_owned(),
            200,
        ),
        ("/orgs/acme/repos?type=all", "/orgs/{org}/repos".to_owned(), 200),
    ];
    for (url_path, template, expected) in &cases {
        let (status, body) = raw_get(&fake.url, url_path, &auth);
        let value = json_body(url_path, &body);
        assert_eq!(status, *expected, "{url_path}: {value}");
        spec.check(template, &status.to_string(), &value);
    }

    // Dependabot alerts: 204 without a body when enabled; 404 (declared
    // without a body, served as a basic-error) when disabled, and CODEOWNERS
    // errors without a CODEOWNERS file likewise.
    let alerts = format!("{repo}/vulnerability-alerts");
    assert!(!declared(&spec, "get", &alerts, 204));
    assert_eq!(
        raw_get(&fake.url, "/repos/acme/api/vulnerability-alerts", &auth),
        (204, String::new())
    );
    for (url_path, template) in [
        ("/repos/acme/tools/vulnerability-alerts", alerts.clone()),
        (
            "/repos/acme/tools/codeowners/errors",
            format!("{repo}/codeowners/errors"),
        ),
    ] {
        let (status, body) = raw_get(&fake.url, url_path, &auth);
        assert_eq!(status, 404, "{url_path}");
        assert!(!declared(&spec, "get", &template, 404));
        check_error(&spec, "get", &template, 404, &json_body(url_path, &body));
    }

    // What a repository admin who is no organisation owner, and an app
    // without Administration, are answered: the objects without the hidden
    // settings, and 404s or 403s.
    let admin_only = [
        ("/repos/acme/api/teams", format!("{repo}/teams")),
        ("/repos/acme/api/keys", format!("{repo}/keys")),
        ("/repos/acme/api/hooks", format!("{repo}/hooks")),
        (
            "/repos/acme/api/actions/permissions/workflow",
            format!("{repo}/actions/permissions/workflow"),
        ),
        ("/repos/acme/api/vulnerability-alerts", alerts.clone()),
        ("/orgs/acme/hooks", "/orgs/{org}/hooks".to_owned()),
        (
            "/orgs/acme/actions/permissions/workflow",
            "/orgs/{org}/actions/permissions/workflow".to_owned(),
        ),
    ];
    for (access, expected) in [(Access::Write, 404), (Access::App, 403)] {
        let mut scenario = settings_scenario();
        scenario.access = access;
        scenario.org_admin = false;
        let fake = FakeGitHub::start(scenario);
        for (url_path, template) in [(repo, "/repos/acme/api"), ("/orgs/{org}", "/orgs/acme")]
            .map(|(t, p)| (p, t.to_owned()))
            .into_iter()
            .chain(admin_only.iter().cloned())
        {
            let (status, body) = raw_get(&fake.url, url_path, &auth);
            let value = json_body(url_path, &body);
            if url_path.ends_with("/api") || url_path.ends_with("/acme") {
                assert_eq!(status, 200, "{url_path}: {value}");
                spec.check(&template, "200", &value);
            } else {
                assert_eq!(status, expected, "{access:?} {url_path}: {value}");
                check_error(&spec, "get", &template, status, &value);
            }
        }
    }

    // Issues: created (201), edited (200), commented on (201).
    let issues = format!("{repo}/issues");
    let comments = format!("{issue}/comments");
    let post = |path: &str, body: Value| {
        let (status, text) = raw_request(&fake.url, "POST", path, &auth, Some(&body.to_string()));
        (status, json_body(path, &text))
    };
    let patch = |path: &str, body: Value| {
        let (status, text) = raw_request(&fake.url, "PATCH", path, &auth, Some(&body.to_string()));
        (status, json_body(path, &text))
    };
    let (status, opened) = post(
        "/repos/acme/api/issues",
        json!({"title": "livegate audit: acme/api", "body": AUDIT_MARKER, "labels": ["livegate-audit"]}),
    );
    assert_eq!(status, 201, "{opened}");
    spec.check_method("post", &issues, "201", &opened);
    let path = format!("/repos/acme/api/issues/{}", opened["number"]);
    let (status, closed) = patch(&path, json!({"state": "closed", "state_reason": "not_planned"}));
    assert_eq!(status, 200, "{closed}");
    spec.check_method("patch", issue, "200", &closed);
    let (status, edited) = patch(&path, json!({"state": "open", "body": null, "title": "Renamed"}));
    assert_eq!(status, 200, "{edited}");
    spec.check_method("patch", issue, "200", &edited);
    let (status, comment) = post(&format!("{path}/comments"), json!({"body": "Still failing."}));
    assert_eq!(status, 201, "{comment}");
    spec.check_method("post", &comments, "201", &comment);

    // Their errors: declared ones conform, the others are basic-errors.
    let errors = [
        (
            "post",
            "/repos/acme/api/issues",
            issues.clone(),
            Some(json!({"body": "no title"})),
            422,
        ),
        ("post", "/repos/acme/api/issues", issues.clone(), None, 400),
        (
            "patch",
            "/repos/acme/api/issues/99",
            issue.to_owned(),
            Some(json!({})),
            404,
        ),
        (
            "patch",
            path.as_str(),
            issue.to_owned(),
            Some(json!({"state": "done"})),
            422,
        ),
        (
            "post",
            "/repos/acme/api/issues/99/comments",
            comments.clone(),
            Some(json!({"body": "x"})),
            404,
        ),
        (
            "post",
            "/repos/acme/api/issues/1/comments",
            comments.clone(),
            Some(json!({})),
            422,
        ),
    ];
    for (method, url_path, template, body, expected) in errors {
        let body = body.map_or_else(|| "{oops".to_owned(), |b| b.to_string());
        let (status, text) = raw_request(&fake.url, &method.to_uppercase(), url_path, &auth, Some(&body));
        assert_eq!(status, expected, "{method} {url_path}: {text}");
        check_error(&spec, method, &template, status, &json_body(url_path, &text));
    }
    let mut read_only = settings_scenario();
    read_only.issues_access = false;
    let read_only = FakeGitHub::start(read_only);
    let denied = [
        ("post", "/repos/acme/api/issues", issues.clone(), &auth[..], 403),
        ("patch", "/repos/acme/api/issues/2", issue.to_owned(), &auth[..], 403),
        (
            "post",
            "/repos/acme/api/issues/2/comments",
            comments.clone(),
            &auth[..],
            403,
        ),
        ("post", "/repos/acme/old/issues", issues.clone(), &[][..], 401),
    ];
    for (method, url_path, template, headers, expected) in denied {
        let body = Some(r#"{"title":"t","body":"b"}"#);
        let (status, text) = raw_request(&read_only.url, &method.to_uppercase(), url_path, headers, body);
        assert_eq!(status, expected, "{method} {url_path}: {text}");
        check_error(&spec, method, &template, status, &json_body(url_path, &text));
    }

    // The validator is not vacuous: each kind of payload, spoiled, fails.
    let get = |url_path: &str| json_body(url_path, &raw_get(&fake.url, url_path, &auth).1);
    type Spoil = fn(&mut Value);
    let broken: Vec<(&str, String, &str, Value, Spoil)> = vec![
        ("get", repo.to_owned(), "200", get("/repos/acme/api"), |v| {
            v["security_and_analysis"]["secret_scanning"]["status"] = json!("on");
        }),
        (
            "get",
            format!("{repo}/collaborators"),
            "200",
            get("/repos/acme/api/collaborators?affiliation=outside"),
            |v| {
                v[0].as_object_mut().unwrap().remove("role_name");
            },
        ),
        (
            "get",
            format!("{repo}/teams"),
            "200",
            get("/repos/acme/api/teams"),
            |v| {
                v[0].as_object_mut().unwrap().remove("slug");
            },
        ),
        ("get", format!("{repo}/keys"), "200", get("/repos/acme/api/keys"), |v| {
            v[0].as_object_mut().unwrap().remove("key");
        }),
        (
            "get",
            format!("{repo}/hooks"),
            "200",
            get("/repos/acme/api/hooks"),
            |v| {
                v[1]["config"]["insecure_ssl"] = json!(true);
            },
        ),
        (
            "get",
            format!("{repo}/actions/permissions/workflow"),
            "200",
            get("/repos/acme/api/actions/permissions/workflow"),
            |v| {
                v["default_workflow_permissions"] = json!("admin");
            },
        ),
        (
            "get",
            format!("{repo}/codeowners/errors"),
            "200",
            get("/repos/acme/api/codeowners/errors"),
            |v| {
                v["errors"][0].as_object_mut().unwrap().remove("kind");
            },
        ),
        ("get", "/orgs/{org}".to_owned(), "200", get("/orgs/acme"), |v| {
            v["two_factor_requirement_enabled"] = json!("yes");
        }),
        (
            "get",
            "/orgs/{org}/members".to_owned(),
            "200",
            get("/orgs/acme/members"),
            |v| {
                v[0].as_object_mut().unwrap().remove("login");
            },
        ),
        (
            "get",
            "/orgs/{org}/hooks".to_owned(),
            "200",
            get("/orgs/acme/hooks"),
            |v| {
                v[0].as_object_mut().unwrap().remove("ping_url");
            },
        ),
        (
            "get",
            "/orgs/{org}/actions/permissions/workflow".to_owned(),
            "200",
            get("/orgs/acme/actions/permissions/workflow"),
            |v| {
                v["can_approve_pull_request_reviews"] = json!("no");
            },
        ),
        (
            "get",
            "/orgs/{org}/repos".to_owned(),
            "200",
            get("/orgs/acme/repos"),
            |v| {
                v[0]["owner"] = json!({"login": "acme"});
            },
        ),
        (
            "get",
            issues.clone(),
            "200",
            get("/repos/acme/api/issues?state=all"),
            |v| {
                v[0].as_object_mut().unwrap().remove("number");
            },
        ),
        ("patch", issue.to_owned(), "200", closed, |v| {
            v["state_reason"] = json!("fixed");
        }),
        ("post", comments.clone(), "201", comment, |v| {
            v.as_object_mut().unwrap().remove("user");
        }),
    ];
    for (method, template, status, mut value, spoil) in broken {
        let validator = spec.validator(method, &template, status);
        assert!(validator.is_valid(&value), "{template} before spoiling: {value:#}");
        spoil(&mut value);
        assert!(
            !validator.is_valid(&value),
            "{template} accepted a broken payload: {value:#}"
        );
    }
}

fn names(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].to_string().trim_matches('"').to_owned())
        .collect()
}

#[test]
fn fake_settings_endpoints_behave_like_github() {
    let auth = [("Authorization", "Bearer test-token")];
    let scenario = settings_scenario().fault("/repos/acme/api/hooks", FaultKind::Status(502), 1);
    let fake = FakeGitHub::start(scenario);
    let get = |path: &str| {
        let (status, body) = raw_get(&fake.url, path, &auth);
        let value = if body.is_empty() {
            Value::Null
        } else {
            json_body(path, &body)
        };
        (status, value)
    };
    let list = |path: &str| {
        let (status, value) = get(path);
        assert_eq!(status, 200, "{path}: {value}");
        value.as_array().expect("a list").clone()
    };

    // The repository: settings, visibility, and the admin-only security block.
    let (_, api) = get("/repos/acme/api");
    assert_eq!(
        (&api["visibility"], &api["archived"], &api["allow_forking"]),
        (&json!("private"), &json!(false), &json!(true))
    );
    assert_eq!(api["topics"], json!(["payments", "pci"]));
    assert_eq!(
        api["custom_properties"],
        json!({"owner-team": "platform", "tier": "gold"})
    );
    assert_eq!(
        api["security_and_analysis"],
        json!({
            "secret_scanning": {"status": "enabled"},
            "secret_scanning_push_protection": {"status": "disabled"},
            "dependabot_security_updates": {"status": "enabled"}
        })
    );
    let (_, old) = get("/repos/acme/old");
    assert_eq!(
        (&old["visibility"], &old["archived"], &old["allow_forking"], &old["id"]),
        (&json!("public"), &json!(true), &json!(false), &json!(7))
    );
    // Features that are not available are left out.
    assert_eq!(
        old["security_and_analysis"],
        json!({"dependabot_security_updates": {"status": "disabled"}})
    );
    let (_, tools) = get("/repos/acme/tools");
    assert_eq!(
        (&tools["visibility"], &tools["private"]),
        (&json!("internal"), &json!(true))
    );
    let (status, anonymous) = raw_get(&fake.url, "/repos/acme/old", &[]);
    assert_eq!(status, 200);
    assert!(json_body("old", &anonymous).get("security_and_analysis").is_none());

    // Collaborators by affiliation, with the permission filter; 422 otherwise.
    let logins_of = |path: &str| names(&list(path), "login");
    assert_eq!(
        logins_of("/repos/acme/api/collaborators?affiliation=outside"),
        ["carl", "rita"]
    );
    let everyone = ["admin-ann", "bob", "carl", "rita"];
    assert_eq!(logins_of("/repos/acme/api/collaborators?affiliation=direct"), everyone);
    assert_eq!(logins_of("/repos/acme/api/collaborators?affiliation=all"), everyone);
    assert_eq!(logins_of("/repos/acme/api/collaborators"), everyone);
    assert_eq!(
        logins_of("/repos/acme/api/collaborators?affiliation=outside&permission=push"),
        ["carl"]
    );
    assert_eq!(get("/repos/acme/api/collaborators?affiliation=team").0, 422);

    // Teams, deploy keys, hooks (after a fault), workflow permissions.
    let teams = list("/repos/acme/api/teams");
    assert_eq!(names(&teams, "slug"), ["platform", "dba", "readers"]);
    assert_eq!(names(&teams, "permission"), ["admin", "maintain", "pull"]);
    assert_eq!(
        teams[1]["permissions"],
        json!({"pull": true, "triage": true, "push": true, "maintain": true, "admin": false})
    );
    let keys = list("/repos/acme/api/keys");
    assert_eq!(
        keys.iter()
            .map(|k| (k["id"].as_u64().unwrap(), k["read_only"].as_bool().unwrap()))
            .collect::<Vec<_>>(),
        [(11, false), (12, true)]
    );
    assert_eq!(get("/repos/acme/api/hooks").0, 502);
    let hooks = list("/repos/acme/api/hooks");
    assert_eq!(
        hooks[0]["config"],
        json!({"content_type": "json", "insecure_ssl": "0", "url": "https://hooks.example.com/a", "secret": "********"})
    );
    assert_eq!(
        hooks[1]["config"],
        json!({"content_type": "json", "insecure_ssl": "1", "url": "http://hooks.example.com/b"})
    );
    assert_eq!(
        (&hooks[1]["active"], &hooks[1]["events"]),
        (&json!(false), &json!(["push", "pull_request"]))
    );
    assert_eq!(
        get("/repos/acme/api/actions/permissions/workflow").1,
        json!({"default_workflow_permissions": "write", "can_approve_pull_request_reviews": true})
    );

    // Dependabot alerts and CODEOWNERS errors.
    assert_eq!(get("/repos/acme/api/vulnerability-alerts"), (204, Value::Null));
    assert_eq!(get("/repos/acme/tools/vulnerability-alerts").0, 404);
    let (status, codeowners) = get("/repos/acme/api/codeowners/errors");
    assert_eq!(status, 200);
    let error = &codeowners["errors"][0];
    assert_eq!(
        (
            &error["line"],
            &error["kind"],
            &error["source"],
            &error["path"],
            &error["message"]
        ),
        (
            &json!(2),
            &json!("Unknown owner"),
            &json!("* @ghost"),
            &json!(".github/CODEOWNERS"),
            &json!(CODEOWNERS_ERROR)
        )
    );
    assert_eq!(get("/repos/acme/tools/codeowners/errors").0, 404);

    // The organisation: settings, members by role, outside collaborators, hooks, repositories.
    let (_, org) = get("/orgs/acme");
    assert_eq!(
        (
            &org["two_factor_requirement_enabled"],
            &org["default_repository_permission"],
            &org["members_can_create_public_repositories"],
            &org["public_repos"]
        ),
        (&json!(true), &json!("write"), &json!(false), &json!(1))
    );
    assert_eq!(logins_of("/orgs/acme/members?role=admin"), ["admin-ann"]);
    assert_eq!(logins_of("/orgs/acme/members?role=member"), ["bob", "dan"]);
    assert_eq!(logins_of("/orgs/acme/members"), ["admin-ann", "bob", "dan"]);
    assert_eq!(get("/orgs/acme/members?role=owner").0, 422);
    assert_eq!(raw_get(&fake.url, "/orgs/acme/members", &[]).0, 401);
    assert_eq!(logins_of("/orgs/acme/outside_collaborators"), ["carl", "rita"]);
    let org_hooks = list("/orgs/acme/hooks");
    assert_eq!(
        (&org_hooks[0]["type"], &org_hooks[0]["config"]["insecure_ssl"]),
        (&json!("Organization"), &json!("1"))
    );
    assert_eq!(
        get("/orgs/acme/actions/permissions/workflow").1,
        json!({"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false})
    );
    assert_eq!(
        names(&list("/orgs/acme/repos?type=all"), "name"),
        ["api", "old", "tools"]
    );
    assert_eq!(names(&list("/orgs/acme/repos?type=public"), "name"), ["old"]);
    assert_eq!(names(&list("/orgs/acme/repos?type=private"), "name"), ["api", "tools"]);
    assert!(list("/orgs/acme/repos?type=forks").is_empty());
    let (status, public) = raw_get(&fake.url, "/orgs/acme/repos", &[]);
    assert_eq!(
        (status, names(json_body("repos", &public).as_array().unwrap(), "name")),
        (200, vec!["old".to_owned()])
    );
    assert_eq!(list("/orgs/acme/repos")[1]["archived"], true);
    assert_eq!(get("/orgs/nope").0, 404);
    assert_eq!(get("/orgs/acme/nothing-here").0, 404);

    // A private repository without a token: 404 on every endpoint.
    for path in [
        "/repos/acme/api/teams",
        "/repos/acme/api/keys",
        "/repos/acme/api/hooks",
        "/repos/acme/api/actions/permissions/workflow",
        "/repos/acme/api/vulnerability-alerts",
        "/repos/acme/api/codeowners/errors",
        "/repos/acme/api/issues",
    ] {
        assert_eq!(raw_get(&fake.url, path, &[]).0, 404, "{path}");
    }
    // Admin-only endpoints of a public repository need a token.
    assert_eq!(raw_get(&fake.url, "/repos/acme/old/hooks", &[]).0, 401);

    // ETags on the new GETs; pagination carries the filters.
    let (status, headers, _) = raw_exchange(&fake.url, "GET", "/repos/acme/api/teams", &auth, None);
    assert_eq!(status, 200);
    let etag = headers.get("etag").expect("ETag").clone();
    let conditional = [auth[0], ("If-None-Match", etag.as_str())];
    assert_eq!(raw_get(&fake.url, "/repos/acme/api/teams", &conditional).0, 304);
    fake.update(|s| s.page_size = Some(1));
    let (outside, pages) = follow(&fake, "/repos/acme/api/collaborators?affiliation=outside", &auth);
    assert_eq!((logins(&outside), pages), (vec!["carl", "rita"], 2));
    let (teams, pages) = follow(&fake, "/repos/acme/api/teams", &auth);
    assert_eq!((teams.len(), pages), (3, 3));
    fake.update(|s| s.page_size = None);

    // Admin rights: user tokens get 404, app tokens 403; non-admins see no
    // security block, non-owners no owner-only organisation settings.
    for (access, expected) in [(Access::Write, 404), (Access::App, 403)] {
        fake.update(|s| {
            s.access = access;
            s.org_admin = false;
        });
        for path in [
            "/repos/acme/api/teams",
            "/repos/acme/api/keys",
            "/repos/acme/api/hooks",
            "/repos/acme/api/actions/permissions/workflow",
            "/repos/acme/api/vulnerability-alerts",
            "/orgs/acme/hooks",
            "/orgs/acme/actions/permissions/workflow",
        ] {
            assert_eq!(get(path).0, expected, "{access:?} {path}");
        }
        assert!(get("/repos/acme/api").1.get("security_and_analysis").is_none());
        let (_, org) = get("/orgs/acme");
        for hidden in [
            "two_factor_requirement_enabled",
            "default_repository_permission",
            "members_can_create_public_repositories",
            "plan",
        ] {
            assert!(org.get(hidden).is_none(), "{hidden}: {org}");
        }
        assert_eq!(org["login"], "acme");
        // What needs no admin rights still answers.
        assert_eq!(get("/repos/acme/api/codeowners/errors").0, 200);
        assert_eq!(logins_of("/orgs/acme/members?role=admin"), ["admin-ann"]);
    }
    fake.update(|s| {
        s.access = Access::Admin;
        s.org_admin = true;
    });

    // Issues: newest first, pull requests included, filters.
    let numbers = |path: &str| -> Vec<u64> { list(path).iter().map(|i| i["number"].as_u64().unwrap()).collect() };
    assert_eq!(numbers("/repos/acme/api/issues"), [3, 2]);
    assert_eq!(numbers("/repos/acme/api/issues?state=all"), [3, 2, 1]);
    assert_eq!(numbers("/repos/acme/api/issues?state=all&direction=asc"), [1, 2, 3]);
    assert_eq!(numbers("/repos/acme/api/issues?state=closed"), [1]);
    assert_eq!(numbers("/repos/acme/api/issues?state=all&labels=livegate-audit"), [1]);
    assert_eq!(numbers("/repos/acme/api/issues?labels=Bug"), [2]);
    assert!(numbers("/repos/acme/api/issues?labels=bug,livegate-audit&state=all").is_empty());
    assert_eq!(numbers("/repos/acme/api/issues?creator=bob"), [2]);
    assert_eq!(get("/repos/acme/api/issues?state=done").0, 422);
    let all = list("/repos/acme/api/issues?state=all");
    assert!(all[0].get("pull_request").is_some() && all[1].get("pull_request").is_none());
    assert_eq!(
        (&all[2]["state_reason"], &all[2]["body"], &all[2]["comments"]),
        (&json!("completed"), &json!(AUDIT_MARKER), &json!(1))
    );
    assert_eq!(names(&list("/repos/acme/api/issues/1/comments"), "body"), ["Fixed."]);
    assert!(list("/repos/acme/api/issues/3/comments").is_empty());

    // Round trips: create, edit, close, reopen, comment; read back through the API and the fake.
    let send = |method: &str, path: &str, body: &str| {
        let (status, headers, text) = raw_exchange(&fake.url, method, path, &auth, Some(body));
        (
            status,
            headers,
            if text.is_empty() {
                Value::Null
            } else {
                json_body(path, &text)
            },
        )
    };
    let body = json!({
        "title": "livegate audit: acme/old",
        "body": "<!-- livegate-audit:acme/old -->",
        "labels": ["livegate-audit"]
    });
    let (status, headers, opened) = send("POST", "/repos/acme/api/issues", &body.to_string());
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["number"], 4);
    assert_eq!(headers.get("location").map(String::as_str), opened["url"].as_str());
    assert_eq!(
        (&opened["state"], &opened["user"]["login"], &opened["labels"][0]["name"]),
        (&json!("open"), &json!("github-actions[bot]"), &json!("livegate-audit"))
    );
    assert_eq!(
        numbers("/repos/acme/api/issues?state=all&labels=livegate-audit"),
        [4, 1]
    );
    let (status, _, edited) = send("PATCH", "/repos/acme/api/issues/4", r#"{"body":"updated findings"}"#);
    assert_eq!(
        (status, &edited["body"], &edited["state"]),
        (200, &json!("updated findings"), &json!("open"))
    );
    let (status, _, closed) = send(
        "PATCH",
        "/repos/acme/api/issues/4",
        r#"{"state":"closed","state_reason":"not_planned"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(
        (&closed["state"], &closed["state_reason"]),
        (&json!("closed"), &json!("not_planned"))
    );
    assert!(closed["closed_at"].is_string());
    let (_, _, reopened) = send("PATCH", "/repos/acme/api/issues/4", r#"{"state":"open"}"#);
    assert_eq!(
        (&reopened["state"], &reopened["state_reason"]),
        (&json!("open"), &json!("reopened"))
    );
    assert!(reopened["closed_at"].is_null());
    let (_, _, closed) = send("PATCH", "/repos/acme/api/issues/4", r#"{"state":"closed"}"#);
    assert_eq!(closed["state_reason"], "completed");
    let (status, headers, comment) = send(
        "POST",
        "/repos/acme/api/issues/4/comments",
        r#"{"body":"Compliant now."}"#,
    );
    assert_eq!((status, &comment["body"]), (201, &json!("Compliant now.")));
    assert_eq!(headers.get("location").map(String::as_str), comment["url"].as_str());
    assert!(comment["html_url"]
        .as_str()
        .unwrap()
        .contains("/issues/4#issuecomment-"));
    assert_eq!(get("/repos/acme/api/issues/4").1["comments"], 1);
    assert_eq!(
        names(&list("/repos/acme/api/issues/4/comments"), "body"),
        ["Compliant now."]
    );
    let stored = fake.issues("acme/api");
    let four = stored.iter().find(|i| i.number == 4).expect("issue 4 recorded");
    assert_eq!(
        (
            four.title.as_str(),
            four.body.as_deref(),
            four.state.as_str(),
            four.state_reason.as_deref()
        ),
        (
            "livegate audit: acme/old",
            Some("updated findings"),
            "closed",
            Some("completed")
        )
    );
    assert_eq!(
        (four.labels.clone(), four.comments.clone()),
        (vec!["livegate-audit".to_owned()], vec!["Compliant now.".to_owned()])
    );
    assert_eq!(stored.iter().find(|i| i.number == 1).unwrap().comments, ["Fixed."]);
    assert!(fake.issues("acme/nope").is_empty());
    // Errors: no title, unknown numbers (a pull request's too), bad JSON, no token, no permission.
    assert_eq!(send("POST", "/repos/acme/api/issues", r#"{"body":"x"}"#).0, 422);
    assert_eq!(send("POST", "/repos/acme/api/issues", "{oops").0, 400);
    assert_eq!(send("PATCH", "/repos/acme/api/issues/99", "{}").0, 404);
    assert_eq!(
        send("POST", "/repos/acme/api/issues/3/comments", r#"{"body":"x"}"#).0,
        404
    );
    assert_eq!(
        send("PATCH", "/repos/acme/api/issues/4", r#"{"state_reason":"fixed"}"#).0,
        422
    );
    assert_eq!(
        raw_request(
            &fake.url,
            "POST",
            "/repos/acme/old/issues",
            &[],
            Some(r#"{"title":"t"}"#)
        )
        .0,
        401
    );
    assert_eq!(
        raw_request(
            &fake.url,
            "POST",
            "/repos/acme/api/issues",
            &[],
            Some(r#"{"title":"t"}"#)
        )
        .0,
        404
    );
    let wrong = [("Authorization", "Bearer wrong")];
    assert_eq!(
        raw_request(&fake.url, "PATCH", "/repos/acme/api/issues/4", &wrong, Some("{}")).0,
        401
    );
    fake.update(|s| s.issues_access = false);
    assert_eq!(send("POST", "/repos/acme/api/issues", r#"{"title":"t"}"#).0, 403);
    assert_eq!(fake.issues("acme/api").len(), 3);
    // Other writes are still not found.
    assert_eq!(send("PATCH", "/repos/acme/api/pulls/3", "{}").0, 404);
    assert_eq!(send("DELETE", "/repos/acme/api/issues/4", "").0, 404);
}

#[test]
fn latency_is_served_concurrently() {
    let fake = FakeGitHub::start(settings_scenario().latency(Duration::from_millis(200)));
    let started = Instant::now();
    let requests: Vec<_> = ["/repos/acme/api", "/orgs/acme/repos"]
        .into_iter()
        .map(|path| {
            let url = fake.url.clone();
            std::thread::spawn(move || raw_get(&url, path, &[("Authorization", "Bearer test-token")]).0)
        })
        .collect();
    let statuses: Vec<u16> = requests.into_iter().map(|r| r.join().unwrap()).collect();
    let elapsed = started.elapsed();
    assert_eq!(statuses, [200, 200]);
    assert!(
        elapsed >= Duration::from_millis(200),
        "answered before the latency: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(350),
        "requests were serialised: {elapsed:?}"
    );
}

#[test]
fn a_thousand_generated_repositories_page_by_hundreds_and_conform() {
    let scenario = Scenario::org_with_repos("acme", 1000);
    assert_eq!(scenario.repos.len(), 1000);
    assert_eq!(
        format!("{:?}", scenario.repos),
        format!("{:?}", Scenario::org_with_repos("acme", 1000).repos),
        "the generator is deterministic"
    );
    let fake = FakeGitHub::start(scenario);
    let auth = [("Authorization", "Bearer test-token")];
    let (repos, pages) = follow(&fake, "/orgs/acme/repos?type=all&per_page=100", &auth);
    assert_eq!((repos.len(), pages), (1000, 10));
    let expected: Vec<String> = (0..1000).map(|i| format!("repo-{i:04}")).collect();
    assert_eq!(names(&repos, "name"), expected);
    let ids: std::collections::BTreeSet<u64> = repos.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.len(), 1000);

    // Varied settings.
    let count = |f: &dyn Fn(&Value) -> bool| repos.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| r["visibility"] == "public"), 250);
    assert_eq!(count(&|r| r["visibility"] == "internal"), 100);
    assert_eq!(count(&|r| r["visibility"] == "private"), 650);
    assert_eq!(count(&|r| r["archived"] == true), 40);
    let forking = count(&|r| r["allow_forking"] == true);
    assert!(forking > 0 && forking < 1000);
    let scanning = |status: &str| count(&|r| r["security_and_analysis"]["secret_scanning"]["status"] == status);
    let unavailable = count(&|r| r["security_and_analysis"].get("secret_scanning").is_none());
    assert!(scanning("enabled") > 0 && scanning("disabled") > 0 && unavailable > 0);
    assert_eq!(scanning("enabled") + scanning("disabled") + unavailable, 1000);
    assert_eq!(
        repos[3]["custom_properties"],
        json!({"owner-team": "team-3", "tier": "gold"})
    );

    let spec = spec();
    spec.check("/orgs/{org}/repos", "200", &Value::Array(repos.clone()));
    let get = |path: &str| {
        let (status, body) = raw_get(&fake.url, path, &auth);
        (
            status,
            if body.is_empty() {
                Value::Null
            } else {
                json_body(path, &body)
            },
        )
    };
    for i in [0, 3, 4, 5, 6, 8, 9, 13, 24] {
        let base = format!("/repos/acme/repo-{i:04}");
        for (suffix, template) in [
            ("", "/repos/{owner}/{repo}"),
            ("/teams", "/repos/{owner}/{repo}/teams"),
            ("/keys", "/repos/{owner}/{repo}/keys"),
            ("/hooks", "/repos/{owner}/{repo}/hooks"),
            (
                "/collaborators?affiliation=outside",
                "/repos/{owner}/{repo}/collaborators",
            ),
            (
                "/actions/permissions/workflow",
                "/repos/{owner}/{repo}/actions/permissions/workflow",
            ),
        ] {
            let (status, value) = get(&format!("{base}{suffix}"));
            assert_eq!(status, 200, "{base}{suffix}: {value}");
            spec.check(template, "200", &value);
        }
    }
    // CODEOWNERS missing, valid or with an error; hooks without a secret or
    // verifying no certificate; write deploy keys; outside collaborators.
    assert_eq!(get("/repos/acme/repo-0000/codeowners/errors").0, 404);
    assert_eq!(get("/repos/acme/repo-0001/codeowners/errors").1, json!({"errors": []}));
    assert_eq!(
        get("/repos/acme/repo-0003/codeowners/errors").1["errors"][0]["kind"],
        "Unknown owner"
    );
    assert!(get("/repos/acme/repo-0004/hooks").1[0]["config"]
        .get("secret")
        .is_none());
    assert_eq!(get("/repos/acme/repo-0031/hooks").1[0]["config"]["insecure_ssl"], "1");
    assert_eq!(get("/repos/acme/repo-0008/keys").1[0]["read_only"], true);
    assert_eq!(get("/repos/acme/repo-0016/keys").1[0]["read_only"], false);
    assert_eq!(get("/repos/acme/repo-0002/vulnerability-alerts").0, 404);
    assert_eq!(get("/repos/acme/repo-0001/vulnerability-alerts").0, 204);
    assert_eq!(
        names(
            get("/repos/acme/repo-0006/collaborators?affiliation=outside")
                .1
                .as_array()
                .unwrap(),
            "login"
        ),
        ["contractor-6"]
    );
    let (_, org) = get("/orgs/acme");
    spec.check("/orgs/{org}", "200", &org);
    assert_eq!(
        (&org["two_factor_requirement_enabled"], &org["public_repos"]),
        (&json!(true), &json!(250))
    );
    assert_eq!(
        names(get("/orgs/acme/members?role=admin").1.as_array().unwrap(), "login"),
        ["owner-0", "owner-1"]
    );
    let (_, members) = get("/orgs/acme/teams/team-0/members");
    assert_eq!(names(members.as_array().unwrap(), "login"), ["dev-1", "dev-6"]);
}

#[test]
fn fake_deploy_payloads_conform_to_the_openapi_description() {
    let spec = spec();
    let (base, head) = ("a".repeat(40), "b".repeat(40));
    let mut repo = Repo::new("acme/api");
    repo.deploy = DeployWorld {
        deployments: vec![FakeDeployment {
            id: 7,
            sha: base.clone(),
            environment: "production".to_owned(),
            created_at: "2026-03-01T00:00:00Z".to_owned(),
            statuses: vec!["success".to_owned(), "in_progress".to_owned()],
        }],
        refs: vec![("main".to_owned(), head.clone())],
        activity: vec![activity(
            "force_push",
            "main",
            &base,
            &head,
            "mallory",
            "2026-03-02T00:00:00Z",
        )],
        compare: vec![(format!("{base}...{head}"), "ahead".to_owned())],
        commits_by_path: vec![(".github/livegate.toml".to_owned(), vec![head.clone()])],
        ..DeployWorld::default()
    };
    let fake = FakeGitHub::start(Scenario::new(repo));
    let auth = [("Authorization", "Bearer test-token")];
    let cases = [
        (
            "/repos/acme/api/deployments?environment=production".to_owned(),
            "/repos/{owner}/{repo}/deployments",
            200,
        ),
        (
            "/repos/acme/api/deployments/7/statuses?per_page=1".to_owned(),
            "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
            200,
        ),
        (
            "/repos/acme/api/git/ref/heads/main".to_owned(),
            "/repos/{owner}/{repo}/git/ref/{ref}",
            200,
        ),
        (
            "/repos/acme/api/git/ref/heads/gone".to_owned(),
            "/repos/{owner}/{repo}/git/ref/{ref}",
            404,
        ),
        (
            format!("/repos/acme/api/compare/{base}...{head}"),
            "/repos/{owner}/{repo}/compare/{basehead}",
            200,
        ),
        (
            format!("/repos/acme/api/commits?sha={head}&path=.github/livegate.toml&per_page=100"),
            "/repos/{owner}/{repo}/commits",
            200,
        ),
        (
            "/repos/acme/api/activity?ref=refs%2Fheads%2Fmain&activity_type=force_push".to_owned(),
            "/repos/{owner}/{repo}/activity",
            200,
        ),
    ];
    for (path, template, expected) in cases {
        let (status, body) = raw_get(&fake.url, &path, &auth);
        assert_eq!(status, expected, "{path}: {body}");
        let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        if status == 200 {
            spec.check(template, "200", &value);
        } else {
            check_error(&spec, "get", template, status, &value);
        }
        if path.contains("activity") {
            assert_eq!(value.as_array().map(Vec::len), Some(1), "{value}");
        }
    }
}
