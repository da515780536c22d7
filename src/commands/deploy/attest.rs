//! `--attest FILE`: an in-toto bundle (JSON Lines) of two Statement v1
//! documents about the commit to deploy: a SLSA Verification Summary
//! (`verifiedLevels` with `ORG_SOURCE_` properties only — livegate is not the
//! source platform, so it claims no SLSA source level) and livegate's own
//! evidence predicate carrying the per-commit table. `--previous-attestation`
//! reads the subject back, so the next deploy's range starts where this one
//! ended.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::DeployRun;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// livegate's evidence predicate (documented in the README).
pub const EVIDENCE_PREDICATE_TYPE: &str = "urn:livegate:predicate:deploy-evidence:v1";
pub const VERIFIER_ID: &str = "urn:livegate:verifier:deploy";
/// The organisation-defined property livegate verifies: every landing commit
/// of the range reached the branch through a pull request reviewed as the
/// policy required when it merged, and the range brings no test data.
pub const VERIFIED_PROPERTY: &str = "ORG_SOURCE_LIVEGATE_DEPLOY_RANGE_REVIEWED";

pub use crate::timestamp::iso8601;

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The bundle's text: one Statement per line.
pub fn bundle(run: &DeployRun, time_verified: &str, previous: Option<&(String, Vec<u8>)>) -> String {
    let resource_uri = format!("git+https://{}/{}@refs/heads/{}", run.server_host, run.repo, run.branch);
    let subject = json!([{ "name": resource_uri, "digest": { "gitCommit": run.to } }]);
    let passed = run.verdict == crate::report::Verdict::Pass;
    let mut input_attestations = Vec::new();
    if let Some((path, bytes)) = previous {
        input_attestations.push(json!({ "uri": path, "digest": { "sha256": sha256_hex(bytes) } }));
    }
    let vsa = json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": VSA_PREDICATE_TYPE,
        "predicate": {
            "verifier": { "id": VERIFIER_ID, "version": { "livegate": env!("CARGO_PKG_VERSION") } },
            "timeVerified": time_verified,
            "resourceUri": resource_uri,
            "policy": { "uri": run.policy_uri, "digest": { "sha256": sha256_hex(run.policy_toml.as_bytes()) } },
            "inputAttestations": input_attestations,
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": if passed { vec![VERIFIED_PROPERTY] } else { Vec::new() },
        }
    });
    let evidence = json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": EVIDENCE_PREDICATE_TYPE,
        "predicate": run.evidence(),
    });
    format!("{vsa}\n{evidence}\n")
}

/// The commit a previous attestation vouched for: its VSA subject's
/// `gitCommit`, when the verification PASSED.
pub fn previous_subject(path: &std::path::Path, bytes: &[u8]) -> Result<String, String> {
    let where_ = format!("--previous-attestation {}", path.display());
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{where_}: not UTF-8 text"))?;
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let statement: Value = serde_json::from_str(line)
            .map_err(|err| format!("{where_}:{}: not an in-toto statement ({err})", number + 1))?;
        if statement["predicateType"].as_str() != Some(VSA_PREDICATE_TYPE) {
            continue;
        }
        if statement["_type"].as_str() != Some(STATEMENT_TYPE) {
            return Err(format!("{where_}:{}: `_type` is not {STATEMENT_TYPE}", number + 1));
        }
        let result = statement["predicate"]["verificationResult"]
            .as_str()
            .unwrap_or_default();
        if result != "PASSED" {
            return Err(format!(
                "{where_}:{}: its verificationResult is `{result}`, so it proves nothing to start from; pass --from",
                number + 1
            ));
        }
        let sha = statement["subject"][0]["digest"]["gitCommit"]
            .as_str()
            .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| format!("{where_}:{}: no subject with a 40-hex digest.gitCommit", number + 1))?;
        return Ok(sha.to_ascii_lowercase());
    }
    Err(format!(
        "{where_}: no statement with predicateType {VSA_PREDICATE_TYPE}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso8601_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_772_445_600), "2026-03-02T10:00:00Z");
    }

    #[test]
    fn a_failed_previous_attestation_is_no_baseline() {
        let line = json!({"_type": STATEMENT_TYPE, "predicateType": VSA_PREDICATE_TYPE,
            "subject": [{"digest": {"gitCommit": "a".repeat(40)}}],
            "predicate": {"verificationResult": "FAILED"}});
        let err = previous_subject(std::path::Path::new("prev.jsonl"), line.to_string().as_bytes()).unwrap_err();
        assert!(err.contains("FAILED"), "{err}");
        let ok = line.to_string().replace("FAILED", "PASSED");
        assert_eq!(
            previous_subject(std::path::Path::new("prev.jsonl"), ok.as_bytes()).unwrap(),
            "a".repeat(40)
        );
    }
}
