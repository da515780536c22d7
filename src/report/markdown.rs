//! Markdown for pull-request comments and job summaries: a verdict line, a
//! findings table, and how to fix each kind of finding once.

use std::collections::BTreeSet;

use super::finding::{Finding, Summary};
use super::Report;

/// Rows beyond this are counted, not listed: GitHub comments are capped at
/// 65,536 characters.
pub const MAX_ROWS: usize = 200;

/// Escapes text for a table cell: pipes, backslashes, markup characters,
/// HTML, and line breaks (which would end the row).
pub fn escape_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn row(finding: &Finding) -> String {
    format!(
        "| {} | {} | {} | {} |\n",
        finding.severity,
        escape_cell(&format!("{} {}", finding.code(), finding.check.id)),
        escape_cell(&finding.location.to_string()),
        escape_cell(&finding.message)
    )
}

pub fn render(report: &Report<'_>) -> String {
    let summary = Summary::of(report.findings);
    let verdict = report.verdict();
    let mark = match verdict {
        super::Verdict::Pass => "✅",
        super::Verdict::Fail => "❌",
        super::Verdict::Unverified => "⚠️",
    };
    let mut out = format!(
        "## {mark} livegate {}: {}\n\n{} error(s), {} warning(s), {} note(s); failing at **{}** and above.\n",
        report.command, verdict, summary.errors, summary.warnings, summary.notes, report.fail_on
    );
    if let Some(markdown) = report.details_markdown {
        out.push('\n');
        out.push_str(markdown);
    } else if let Some(details) = report.details {
        out.push_str(&format!("\n```text\n{}\n```\n", details.replace('`', "'")));
    }
    if report.findings.is_empty() {
        out.push_str("\nNo findings.\n");
        return out;
    }
    out.push_str("\n| Severity | Check | Location | Message |\n| --- | --- | --- | --- |\n");
    for finding in report.findings.iter().take(MAX_ROWS) {
        out.push_str(&row(finding));
    }
    if report.findings.len() > MAX_ROWS {
        out.push_str(&format!(
            "\n…and {} more finding(s) not listed here; run `livegate {} --format json` for all of them.\n",
            report.findings.len() - MAX_ROWS,
            report.command
        ));
    }
    let checks: BTreeSet<_> = report.findings.iter().map(|f| f.code()).collect();
    out.push_str("\n### How to fix\n\n");
    for code in checks {
        if let Some(meta) = report.findings.iter().map(|f| f.check).find(|meta| meta.code == code) {
            out.push_str(&format!(
                "- **{} {}**: {} (`livegate explain {}`)\n",
                meta.code,
                escape_cell(meta.id),
                escape_cell(meta.fix),
                meta.code
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(escape_cell("a|b\nc"), "a\\|b c");
        assert_eq!(escape_cell("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(escape_cell("`x` *y*"), "\\`x\\` \\*y\\*");
    }
}
