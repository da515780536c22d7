//! Every kind of payload the fake GitHub serves conforms to GitHub's official
//! OpenAPI description (@octokit/openapi, pinned in scripts/fetch-schemas.sh)
//! for its endpoint, method and status; and the pull-request endpoints of
//! the fake behave like GitHub's where a review gate depends on it (limits,
//! pagination, permissions, errors).

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use support::fake_github::{
    raw_exchange, raw_get, raw_request, rule, Access, Classic, FakeGitHub, FaultKind, Pull, PullCommit, PullFile,
    PullReview, Repo, Ruleset, Scenario,
};

fn openapi() -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("target/schemas/github-openapi.json");
    if !file.exists() {
        let status = Command::new("bash").arg(root.join("scripts/fetch-schemas.sh")).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "could not fetch GitHub's OpenAPI description: run `bash scripts/fetch-schemas.sh` (needs npm)"
        );
    }
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).expect("OpenAPI document is JSON")
}

/// OpenAPI 3.0 `nullable: true` is not JSON Schema: rewrite it as
/// `anyOf: [schema, {type: null}]`.
fn json_schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, child) in map {
                if key != "nullable" {
                    out.insert(key.clone(), json_schema(child));
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

struct Spec {
    components: Value,
    doc: Value,
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

    fn check_method(&self, method: &str, path: &str, status: &str, payload: &Value) {
        let schema = self.schema_for_method(method, path, status);
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema for {path}: {e}"));
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
    let doc = openapi();
    Spec {
        components: json_schema(&doc["components"]),
        doc,
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
    ];
    for (url_path, template, expected) in &cases {
        let (status, body) = raw_get(&fake.url, url_path, &auth);
        let value = json_body(url_path, &body);
        assert_eq!(status, *expected, "{url_path}: {value}");
        spec.check(template, &status.to_string(), &value);
    }
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
