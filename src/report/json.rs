//! The JSON report: a stable, versioned document for machines.

use serde_json::{json, Value};

use super::finding::{Finding, Summary};
use super::Report;

pub const JSON_VERSION: u32 = 1;

pub fn finding_json(finding: &Finding) -> Value {
    json!({
        "code": finding.code(),
        "id": finding.check.id,
        "severity": finding.severity.as_str(),
        "message": finding.message,
        "location": {
            "path": finding.location.path,
            "line": finding.location.line,
            "column": finding.location.column,
        },
        "snippet": finding.snippet,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint(),
    })
}

pub fn render(report: &Report<'_>) -> String {
    let summary = Summary::of(report.findings);
    let mut document = json!({
        "version": JSON_VERSION,
        "tool": { "name": "livegate", "version": env!("CARGO_PKG_VERSION") },
        "command": report.command,
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "notes": summary.notes,
            "total": summary.total(),
            "fail_on": report.fail_on.as_str(),
            "result": report.verdict().as_str(),
        },
        "stats": report.stats,
    });
    // Added, not changed: version 1 readers ignore a field they do not know.
    if let (true, Some(root)) = (report.view.statistics, document.as_object_mut()) {
        root.insert("statistics".to_owned(), super::view::statistics_json(report.findings));
    }
    // `summary.result` is the verdict the run exits with; this says why a
    // run with errors passed: it recorded them as accepted.
    if let (Some(recorded), Some(summary)) = (report.baseline_written, document["summary"].as_object_mut()) {
        summary.insert("baseline_written".to_owned(), json!({ "findings": recorded }));
    }
    if let (Some(Value::Object(extra)), Some(root)) = (report.extra, document.as_object_mut()) {
        for (key, value) in extra {
            root.insert(key.clone(), value.clone());
        }
    }
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
