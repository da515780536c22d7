//! GitHub's OpenAPI description (@octokit/openapi, pinned in
//! scripts/fetch-schemas.sh) as validators of what livegate SENDS: the
//! request body schema of an endpoint, with OpenAPI's `nullable` rewritten
//! as JSON Schema.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

pub fn document() -> Value {
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
pub fn json_schema(value: &Value) -> Value {
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

/// Validates request bodies of one endpoint and method.
pub struct RequestSchema {
    label: String,
    validator: jsonschema::Validator,
}

impl RequestSchema {
    /// `method` in lower case, `path` as the description writes it
    /// (`/repos/{owner}/{repo}/check-runs`).
    pub fn new(doc: &Value, method: &str, path: &str) -> RequestSchema {
        let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "no request body schema for {method} {path}");
        let mut root = json_schema(schema);
        root.as_object_mut()
            .unwrap()
            .insert("components".to_owned(), json_schema(&doc["components"]));
        // Unknown fields are a typo in livegate's request, not an extension.
        deny_unknown(&mut root);
        let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema for {path}: {e}"));
        RequestSchema {
            label: format!("{} {path}", method.to_uppercase()),
            validator,
        }
    }

    pub fn check(&self, body: &Value) {
        let errors: Vec<String> = self
            .validator
            .iter_errors(body)
            .take(10)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{} request does not conform:\n{}\n{body:#}",
            self.label,
            errors.join("\n")
        );
    }
}

/// Adds `additionalProperties: false` to every object schema that lists
/// its properties and says nothing about others.
fn deny_unknown(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key != "components" {
                    deny_unknown(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(deny_unknown),
        _ => {}
    }
}

/// Validates a payload against a schema of `components.schemas` (a webhook
/// payload), refusing fields the schema does not list at the top level (a
/// misspelled field there is a mistake in the test, not an extension).
pub fn check_component(doc: &Value, name: &str, payload: &Value) {
    let schema = &doc["components"]["schemas"][name];
    assert!(!schema.is_null(), "no schema {name} in the OpenAPI description");
    let mut root = json_schema(schema);
    let object = root.as_object_mut().unwrap();
    if !object.contains_key("additionalProperties") {
        object.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    object.insert("components".to_owned(), json_schema(&doc["components"]));
    let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {name}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(payload)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "the payload does not conform to {name}:\n{}",
        errors.join("\n")
    );
}
