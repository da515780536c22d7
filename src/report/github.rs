//! GitHub Actions workflow commands: one annotation per finding, then a
//! plain summary line. GitHub shows at most 10 annotations of each level per
//! step, so when there are more a notice says so and points at the full
//! report.

use super::finding::{Finding, Severity, Summary};
use super::Report;

/// GitHub's per-step display limit for each annotation level.
pub const ANNOTATIONS_SHOWN_PER_LEVEL: usize = 10;

/// Escapes a command's message: `%`, CR and LF as the runner decodes them;
/// every other control (ESC, BEL, C1) and bidi character shown escaped
/// (`\u{1b}`, `<U+202E>`), so the log cannot be driven or reordered.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if crate::sanitize::needs_escape(c) => crate::sanitize::escaped(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as data, plus `:` and `,`, which separate
/// properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn annotation(finding: &Finding) -> String {
    let mut properties = vec![format!("file={}", escape_property(&finding.location.path))];
    if finding.location.line > 0 {
        properties.push(format!("line={}", finding.location.line));
        if finding.location.column > 0 {
            properties.push(format!("col={}", finding.location.column));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("{} {}", finding.code(), finding.check.id))
    ));
    let message = format!("{}\nFix: {}", finding.message, finding.remediation);
    format!(
        "::{} {}::{}\n",
        command(finding.severity),
        properties.join(","),
        escape_data(&message)
    )
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for finding in report.findings {
        out.push_str(&annotation(finding));
    }
    let summary = Summary::of(report.findings);
    let over_limit = [summary.errors, summary.warnings, summary.notes]
        .iter()
        .any(|&count| count > ANNOTATIONS_SHOWN_PER_LEVEL);
    if over_limit {
        out.push_str(&format!(
            "::notice title=livegate::{}\n",
            escape_data(&format!(
                "GitHub shows only the first {ANNOTATIONS_SHOWN_PER_LEVEL} annotations of each level per step; \
                 this run has {}, {}, {}. Run `livegate {} --format sarif` or \
                 `--format markdown` for the full list.",
                super::count(summary.errors, "error", "errors"),
                super::count(summary.warnings, "warning", "warnings"),
                super::count(summary.notes, "note", "notes"),
                report.command
            ))
        ));
    }
    let baseline = match report.baseline_written {
        Some(recorded) => {
            let text = format!(
                "baseline written: {} recorded as accepted",
                super::count(recorded, "finding", "findings")
            );
            out.push_str(&format!("::notice title=livegate::{}\n", escape_data(&text)));
            format!(", {text}")
        }
        None => String::new(),
    };
    out.push_str(&format!(
        "livegate {}: {}{baseline} ({}, {}, {}; failing at {} and above)\n",
        report.command,
        report.verdict(),
        super::count(summary.errors, "error", "errors"),
        super::count(summary.warnings, "warning", "warnings"),
        super::count(summary.notes, "note", "notes"),
        report.fail_on
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%d\n"), "a%3Ab%2Cc%25d%0A");
        assert_eq!(escape_data("\u{1b}]0;x\u{7}\u{202e}"), "\\u{1b}]0;x\\u{7}<U+202E>");
    }
}
