//! The human report: cargo-style diagnostics with the offending line, then a
//! summary by severity.

use std::fmt::Write;

use super::finding::{Severity, Summary};
use super::Report;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.wrap(code, severity.as_str())
    }
}

/// Shows control and bidi characters escaped, so a crafted path, snippet or
/// API message can neither drive the terminal nor reorder what is read.
fn printable(text: &str) -> String {
    crate::sanitize::inline(text)
}

pub fn render(report: &Report<'_>, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    if let (Some(details), false) = (report.details, report.view.quiet) {
        out.push_str(&printable_block(details));
        out.push('\n');
    }
    if report.view.statistics {
        out.push_str(&super::view::statistics_human(report.findings, color));
    } else if report.view.grouped {
        out.push_str(&super::view::grouped_human(report.findings, report.command, color));
    }
    let listed = if report.view.statistics || report.view.grouped {
        &[]
    } else {
        report.findings
    };
    for finding in listed {
        let _ = writeln!(
            out,
            "{}{} {}",
            paint.severity(finding.severity),
            paint.wrap("1", &format!("[{}]", finding.code())),
            paint.wrap("1", &format!("{}: {}", finding.check.id, printable(&finding.message)))
        );
        let _ = writeln!(
            out,
            "  {} {}",
            paint.wrap("34", "-->"),
            printable(&finding.location.to_string())
        );
        if let (Some(snippet), line) = (&finding.snippet, finding.location.line) {
            if line > 0 {
                let number = line.to_string();
                let pad = " ".repeat(number.len());
                let shown = printable(snippet);
                let _ = writeln!(out, "  {pad} {}", paint.wrap("34", "|"));
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    paint.wrap("34", &number),
                    paint.wrap("34", "|"),
                    shown
                );
                if finding.location.column > 0 {
                    let indent = " ".repeat(finding.location.column as usize - 1);
                    let _ = writeln!(
                        out,
                        "  {pad} {} {indent}{}",
                        paint.wrap("34", "|"),
                        paint.wrap("1;31", "^")
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "  {} {}",
            paint.wrap("34", "= help:"),
            printable(&finding.remediation)
        );
        let _ = writeln!(out);
    }
    if report.view.quiet {
        return out;
    }
    let summary = Summary::of(report.findings);
    let verdict = report.verdict();
    let mut line = format!(
        "livegate {}: {} error{}, {} warning{}, {} note{}",
        report.command,
        summary.errors,
        if summary.errors == 1 { "" } else { "s" },
        summary.warnings,
        if summary.warnings == 1 { "" } else { "s" },
        summary.notes,
        if summary.notes == 1 { "" } else { "s" },
    );
    if let Some(stats) = report.stats {
        let _ = write!(line, " in {} files ({} read)", stats.files_seen, stats.files_read);
        let skipped = [
            (stats.skipped_binary, "binary"),
            (stats.skipped_large, "too large"),
            (stats.skipped_symlinks, "symlinks"),
            (stats.skipped_excluded, "excluded by policy"),
        ];
        let parts: Vec<String> = skipped
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if !parts.is_empty() {
            let _ = write!(line, "; skipped {}", parts.join(", "));
        }
        let suppressed = stats.suppressed_inline + stats.suppressed_policy + stats.suppressed_baseline;
        if suppressed > 0 {
            let _ = write!(
                line,
                "; suppressed {suppressed} ({} inline, {} policy, {} baseline)",
                stats.suppressed_inline, stats.suppressed_policy, stats.suppressed_baseline
            );
        }
    }
    let verdict_text = match verdict {
        super::Verdict::Pass => paint.wrap("1;32", "pass"),
        super::Verdict::Fail => paint.wrap("1;31", &format!("fail (findings at or above {})", report.fail_on)),
        super::Verdict::Unverified => paint.wrap("1;35", "could not verify (exit 3)"),
    };
    let _ = writeln!(out, "{line}: {verdict_text}");
    out
}

/// Command details (tables): control characters escaped line by line, line
/// breaks kept, no line starting a workflow command.
fn printable_block(text: &str) -> String {
    text.lines()
        .map(|line| format!("{}\n", crate::sanitize::block(line)))
        .collect()
}
