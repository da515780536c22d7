//! SARIF 2.1.0 for code-scanning uploads. Every registered check is a rule,
//! so `ruleIndex` is stable across runs; results carry a line-independent
//! `partialFingerprints` entry so that alerts survive code moving.

use serde_json::{json, Map, Value};

use super::finding::{Finding, Severity, Summary};
use super::Report;
use crate::registry::{registry, CheckMeta};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub code scanning ranks security alerts by this 0.0–10.0 score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

fn rule(meta: &CheckMeta) -> Value {
    let docs = meta.doc_url().unwrap_or_else(|| meta.doc_path());
    let help_text = format!(
        "{}\n\nWhy it matters: {}\n\nExample: {}\n\nHow to fix: {}\n\nHow to suppress:\n{}\n\nDocumentation: {}",
        meta.what,
        meta.why,
        meta.example,
        meta.fix,
        meta.suppression(),
        docs
    );
    let help_markdown = format!(
        "{}\n\n**Why it matters.** {}\n\n**Example.** `{}`\n\n**How to fix.** {}\n\n**How to suppress.**\n\n{}\n\n**Documentation:** `{}`",
        meta.what,
        meta.why,
        meta.example.replace('`', "'"),
        meta.fix,
        meta.suppression()
            .lines()
            .map(|l| format!("- {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        docs
    );
    let mut rule = json!({
        "id": meta.code,
        "name": meta.id,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": meta.what },
        "help": { "text": help_text, "markdown": help_markdown },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": ["security", meta.family().slug()],
            "security-severity": security_severity(meta.severity),
        },
    });
    // SARIF wants an absolute URI here; without a public repository the
    // help text names the page by its path in the repository.
    if let Some(url) = meta.doc_url() {
        rule["helpUri"] = Value::String(url);
    }
    rule
}

/// A relative URI reference for a repository path: each segment
/// percent-encoded (RFC 3986 unreserved characters kept), `/` kept.
pub fn path_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn result(finding: &Finding, index: usize) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": path_uri(&finding.location.path), "uriBaseId": "%SRCROOT%" }),
    );
    // Line 0 means "the whole file": SARIF has no line 0, so no region.
    if finding.location.line > 0 {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(finding.location.line));
        if finding.location.column > 0 {
            region.insert("startColumn".into(), json!(finding.location.column));
        }
        if let Some(snippet) = &finding.snippet {
            region.insert("snippet".into(), json!({ "text": snippet }));
        }
        physical.insert("region".into(), Value::Object(region));
    }
    let mut message = finding.message.clone();
    if !finding.remediation.is_empty() {
        message.push_str("\nFix: ");
        message.push_str(&finding.remediation);
    }
    json!({
        "ruleId": finding.code(),
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": Value::Object(physical) }],
        "partialFingerprints": { "livegate/v1": finding.fingerprint() },
    })
}

pub fn render(report: &Report<'_>) -> String {
    let rules = registry();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            // Every finding's check is registered (a registry test enforces
            // it); a missing one would still produce a valid result.
            let index = rules.iter().position(|meta| meta.code == finding.code()).unwrap_or(0);
            result(finding, index)
        })
        .collect();
    let summary = Summary::of(report.findings);
    let verdict = report.verdict();
    let mut document = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "livegate",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|meta| rule(meta)).collect::<Vec<_>>(),
                }
            },
            "automationDetails": { "id": format!("livegate/{}/", report.command) },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": verdict.exit_code(),
            }],
            "results": results,
            "properties": {
                "command": report.command,
                "result": verdict.as_str(),
                "failOn": report.fail_on.as_str(),
                "errors": summary.errors,
                "warnings": summary.warnings,
                "notes": summary.notes,
                "stats": report.stats,
            },
        }],
    });
    // A run that wrote a baseline exits 0 with its findings adopted; the
    // invocation says so, beside the results it recorded.
    if let Some(recorded) = report.baseline_written {
        let message = format!(
            "baseline written: {} recorded as accepted",
            super::count(recorded, "finding", "findings")
        );
        document["runs"][0]["invocations"][0]["toolExecutionNotifications"] = json!([{
            "level": "note",
            "message": { "text": message },
        }]);
        document["runs"][0]["properties"]["baselineWritten"] = json!({ "findings": recorded });
    }
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_per_byte() {
        assert_eq!(path_uri("src/main/a b#1.json"), "src/main/a%20b%231.json");
        assert_eq!(path_uri("données/é.csv"), "donn%C3%A9es/%C3%A9.csv");
        assert_eq!(path_uri("a%b"), "a%25b");
    }
}
