//! Markdown for pull-request comments and job summaries: a verdict line, a
//! findings table, and how to fix each kind of finding once.

use std::collections::BTreeSet;

use std::fmt::Write as _;

use super::finding::{Finding, Summary};
use super::view::{capitalised, group_title, groups, subject_words};
use super::Report;

/// The findings table stops before the document would pass this size, so
/// that the whole summary fits GitHub's 1 MiB limit for a step summary; what
/// does not fit is counted, never silently dropped.
pub const MAX_TABLE_BYTES: usize = 900 * 1024;

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
            // Shown escaped (`\u{1b}`, `<U+202E>`), itself escaped for the cell.
            c if crate::sanitize::needs_escape(c) => {
                let mut shown = String::new();
                crate::sanitize::escaped(c, &mut shown);
                out.push_str(&escape_cell(&shown));
            }
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
        "## {mark} livegate {}: {}\n\n{}, {}, {}; failing at **{}** and above.\n",
        report.command,
        verdict,
        super::count(summary.errors, "error", "errors"),
        super::count(summary.warnings, "warning", "warnings"),
        super::count(summary.notes, "note", "notes"),
        report.fail_on
    );
    if let Some(recorded) = report.baseline_written {
        out.push_str(&format!(
            "\nBaseline written: {} recorded as accepted.\n",
            super::count(recorded, "finding", "findings")
        ));
    }
    if let Some(markdown) = report.details_markdown {
        out.push('\n');
        out.push_str(markdown);
    } else if let Some(details) = report.details {
        out.push_str(&format!(
            "\n```text\n{}\n```\n",
            crate::sanitize::block(&details.replace('`', "'"))
        ));
    }
    if report.findings.is_empty() {
        out.push_str("\nNo findings.\n");
        return out;
    }
    if report.view.statistics {
        out.push('\n');
        out.push_str(&statistics_markdown(report.findings));
        return out;
    }
    if report.view.grouped {
        out.push_str(&grouped_markdown(
            report.findings,
            MAX_TABLE_BYTES.saturating_sub(out.len()),
            report.command,
        ));
        return out;
    }
    out.push_str("\n| Severity | Check | Location | Message |\n| --- | --- | --- | --- |\n");
    let mut listed = 0;
    for finding in report.findings {
        let line = row(finding);
        if out.len() + line.len() > MAX_TABLE_BYTES {
            break;
        }
        out.push_str(&line);
        listed += 1;
    }
    if report.findings.len() > listed {
        out.push_str(&format!(
            "\n…and {} that do not fit GitHub's summary size limit; run `livegate {} --format json` \
             or `--format sarif` for all of them.\n",
            super::count(report.findings.len() - listed, "more finding", "more findings"),
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

/// The statistics as a Markdown table.
pub fn statistics_markdown(findings: &[Finding]) -> String {
    let mut out = String::from("| Count | Check | Severity | Title |\n| ---: | --- | --- | --- |\n");
    for row in super::view::statistics(findings) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.count,
            escape_cell(&format!("{} {}", row.check.code, row.check.id)),
            row.severity,
            escape_cell(row.check.summary)
        );
    }
    out
}

/// The grouped Markdown view: a section per check with its help once and a
/// table of subjects; stops before `limit` bytes and counts what it left out.
pub fn grouped_markdown(findings: &[Finding], limit: usize, command: &str) -> String {
    let mut out = String::new();
    let mut left_out = 0usize;
    for group in groups(findings) {
        if left_out > 0 {
            left_out += group.entries.len();
            continue;
        }
        let _ = write!(
            out,
            "\n### {} {} {} ({})\n\n{}\n\n| {} | Finding |\n| --- | --- |\n",
            group.severity,
            group.check.code,
            escape_cell(group.check.id),
            group_title(&group, command),
            escape_cell(group.help),
            capitalised(subject_words(command).0)
        );
        for (i, entry) in group.entries.iter().enumerate() {
            let mut cell = escape_cell(&entry.evidence.join("; "));
            for help in &entry.help {
                let _ = write!(cell, " (help: {})", escape_cell(help));
            }
            let row = format!("| {} | {cell} |\n", escape_cell(entry.subject));
            if out.len() + row.len() > limit {
                left_out += group.entries.len() - i;
                break;
            }
            out.push_str(&row);
        }
    }
    if left_out > 0 {
        let _ = write!(
            out,
            "\n…and {} that do not fit GitHub's summary size limit; run `livegate {command} --format json` for \
             all of them.\n",
            super::count(left_out, "more row", "more rows")
        );
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

    #[test]
    fn every_finding_is_listed_until_the_size_limit_and_the_rest_is_counted() {
        use crate::report::finding::{Location, Severity};
        let make = |n: usize, message: &str| -> Vec<Finding> {
            (0..n)
                .map(|i| {
                    Finding::new(
                        &crate::registry::leaks::TEST_PAYMENT_CARD,
                        Location::at(&format!("db/seed-{i}.sql"), 1, 1),
                        message.to_owned(),
                    )
                })
                .collect()
        };
        let report = |findings: &[Finding]| -> String {
            render(&Report {
                command: "scan",
                findings,
                stats: None,
                fail_on: Severity::Error,
                details: None,
                details_markdown: None,
                extra: None,
                view: crate::report::view::View::default(),
                baseline_written: None,
            })
        };
        // 1,000 short findings: all listed (the old 200-row cap is gone).
        let many = make(1000, "test card");
        let text = report(&many);
        assert!(text.contains("db/seed-999.sql"));
        assert!(!text.contains("more finding"));
        // Findings with long messages stop at the size limit and are counted.
        let long = make(2000, &"x".repeat(1000));
        let text = report(&long);
        assert!(text.len() < 1024 * 1024, "{}", text.len());
        assert!(text.contains("more findings that do not fit"), "counted, not dropped");
    }

    #[test]
    fn grouped_markdown_counts_rows_beyond_the_limit() {
        let full = grouped_markdown(&crate::report::view::tests::audit_findings(), usize::MAX, "audit");
        assert!(full.contains("| acme/repo-0 | push protection is disabled; secret scanning is disabled |"));
        assert!(!full.contains("more row"));
        let cut = grouped_markdown(&crate::report::view::tests::audit_findings(), 300, "audit");
        assert!(cut.contains("more rows that do not fit"), "{cut}");
    }
}
