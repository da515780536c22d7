//! Every kind of payload the fake GitHub serves conforms to GitHub's official
//! OpenAPI description (@octokit/openapi, pinned in scripts/fetch-schemas.sh)
//! for its endpoint and status.

mod support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use support::fake_github::{raw_get, rule, Access, Classic, FakeGitHub, Repo, Ruleset, Scenario};

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
        let response = &self.doc["paths"][path]["get"]["responses"][status];
        let response = match response.get("$ref").and_then(|r| r.as_str()) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap();
                &self.doc["components"]["responses"][name]
            }
            None => response,
        };
        let schema = &response["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "no JSON schema for GET {path} {status}");
        let mut root = json_schema(schema);
        root.as_object_mut()
            .unwrap()
            .insert("components".to_owned(), self.components.clone());
        root
    }

    fn check(&self, path: &str, status: &str, payload: &Value) {
        let schema = self.schema_for(path, status);
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema for {path}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(payload)
            .take(10)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "GET {path} {status} does not conform:\n{}\n{payload:#}",
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

#[test]
fn fake_github_payloads_conform_to_the_openapi_description() {
    let doc = openapi();
    let spec = Spec {
        components: json_schema(&doc["components"]),
        doc,
    };
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
