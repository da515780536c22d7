//! The policy's JSON Schema: generated from the model, committed under
//! schemas/, accepted by every preset, and strict about unknown keys.

mod support;

use support::livegate;

fn schema_text() -> String {
    let dir = tempfile::tempdir().unwrap();
    let run = livegate(dir.path(), &["policy", "schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&schema_text()).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(toml_text).unwrap();
    serde_json::to_value(value).unwrap()
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/livegate-policy.json"))
        .expect("schemas/livegate-policy.json is committed");
    assert_eq!(
        committed,
        schema_text(),
        "schemas/livegate-policy.json is stale: run `cargo run -- policy schema > schemas/livegate-policy.json`"
    );
}

#[test]
fn every_preset_validates_against_the_schema() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    for preset in ["baseline", "standard", "strict"] {
        let run = livegate(dir.path(), &["policy", "show", "--preset", preset]);
        assert_eq!(run.code, 0, "{preset}: {}", run.stderr);
        let document = as_json(&run.stdout);
        let errors: Vec<String> = validator.iter_errors(&document).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{preset}: {errors:?}");
    }
}

#[test]
fn a_wrong_key_or_value_is_rejected_by_the_schema_as_by_livegate() {
    let validator = validator();
    let good = "extends = \"standard\"\n[review]\nrequired-approvals = 2\nmin-permission = \"maintain\"\n\n[[leaks.allow]]\npath = \"db/demo.sql\"\ncode = \"LG431\"\nreason = \"demo data\"\n";
    assert!(validator.is_valid(&as_json(good)), "{good}");
    for bad in [
        "[review]\nrequired-aprovals = 2\n",
        "[review]\nmin-permission = \"owner\"\n",
        "[branches]\nrequired-approvals = \"two\"\n",
        "[leaks]\nproductoin = [\"src/**\"]\n",
        "[[leaks.allow]]\npath = \"x\"\ncode = \"LG431\"\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "the schema accepts:\n{bad}");
        // livegate itself refuses the same file.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("livegate.toml"), bad).unwrap();
        let run = livegate(dir.path(), &["policy", "validate", "livegate.toml"]);
        assert_eq!(run.code, 2, "livegate accepts:\n{bad}");
    }
}
