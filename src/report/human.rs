//! The human report: rustc-style diagnostics (drawn by `annotate-snippets`)
//! with the offending line and its span underlined, a help line and a link
//! to the check's documentation, then a summary by severity.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::color::{paint, FAIL, PASS, UNVERIFIED};
use super::finding::{Finding, Severity, Summary};
use super::{count, Report};

/// Shows control and bidi characters escaped, so a crafted path, snippet or
/// API message can neither drive the terminal nor reorder what is read.
fn printable(text: &str) -> String {
    crate::sanitize::inline(text)
}

/// A source line made printable with its span moved to match: tabs are
/// kept (the renderer expands them and aligns the underline), everything
/// else goes through the shared escaper, so an escaped control before the
/// span shifts the span by what the escape added.
fn printable_source(line: &str, span: std::ops::Range<usize>) -> (String, std::ops::Range<usize>) {
    let escape = |part: &str| part.split('\t').map(printable).collect::<Vec<_>>().join("\t");
    let cut = |at: usize| {
        let mut at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let (start, end) = (cut(span.start), cut(span.end.max(span.start)));
    let before = escape(&line[..start]);
    let inside = escape(&line[start..end]);
    let after = escape(&line[end..]);
    let span = before.len()..before.len() + inside.len();
    (format!("{before}{inside}{after}"), span)
}

/// The byte range a finding underlines: its span, else a point at its
/// (1-based, in characters) column.
fn span_of(finding: &Finding, snippet: &str) -> std::ops::Range<usize> {
    if let Some(span) = &finding.span {
        return span.clone();
    }
    let column = finding.location.column.max(1) as usize - 1;
    let at = snippet.char_indices().nth(column).map_or(snippet.len(), |(at, _)| at);
    at..at
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

fn diagnostic(renderer: &Renderer, finding: &Finding, color: bool) -> String {
    let meta = finding.check;
    let url = meta.doc_url();
    let mut title = level(finding.severity)
        .primary_title(format!("{}: {}", meta.id, printable(&finding.message)))
        .id(meta.code);
    if let (true, Some(url)) = (color, &url) {
        title = title.id_url(url.clone());
    }
    let location = printable(&finding.location.to_string());
    let docs = url.unwrap_or_else(|| meta.doc_path());
    let footer = [
        Level::HELP.message(printable(&finding.remediation)),
        Level::NOTE.with_name("docs").message(printable(&docs)),
    ];
    let group = Group::with_title(title);
    match (&finding.snippet, finding.location.line) {
        (Some(snippet), line) if line > 0 => {
            let (source, span) = printable_source(snippet, span_of(finding, snippet));
            // The renderer works the column out from the snippet; a long
            // line's snippet is a window of it, and escapes lengthen what
            // precedes the span, so the finding's own location replaces it.
            let path = printable(&finding.location.path);
            let worked_out = format!("{path}:{line}:{}", source[..span.start].chars().count() + 1);
            let snippet = Snippet::source(source)
                .line_start(line as usize)
                .path(path)
                .annotation(AnnotationKind::Primary.span(span));
            let rendered = renderer.render(&[group.element(snippet).elements(footer)]);
            with_origin(&rendered, &worked_out, &location)
        }
        _ => renderer.render(&[group.element(Origin::path(location)).elements(footer)]),
    }
}

/// `rendered` with the origin line's `worked_out` location (its end) made
/// `location`.
fn with_origin(rendered: &str, worked_out: &str, location: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut done = false;
    for (i, line) in rendered.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match line.strip_suffix(worked_out) {
            // The first line after the title that ends with the location
            // behind an arrow (styles may sit between them).
            Some(head) if !done && i > 0 && head.contains("--> ") => {
                out.push_str(head);
                out.push_str(location);
                done = true;
            }
            _ => out.push_str(line),
        }
    }
    out
}

pub fn render(report: &Report<'_>, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
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
        out.push_str(&diagnostic(&renderer, finding, color));
        out.push_str("\n\n");
    }
    if report.view.quiet {
        return out;
    }
    let summary = Summary::of(report.findings);
    let verdict = report.verdict();
    let mut line = format!(
        "livegate {}: {}, {}, {}",
        report.command,
        count(summary.errors, "error", "errors"),
        count(summary.warnings, "warning", "warnings"),
        count(summary.notes, "note", "notes"),
    );
    if let Some(stats) = report.stats {
        let _ = write!(
            line,
            " in {} ({} read)",
            count(stats.files_seen, "file", "files"),
            stats.files_read
        );
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
    // A run that wrote a baseline passes (its findings are recorded, not
    // judged) unless something could not be verified.
    let verdict_text = match (verdict, report.baseline_written) {
        (super::Verdict::Pass, Some(recorded)) => paint(
            color,
            PASS,
            &format!("baseline written: {} recorded", count(recorded, "finding", "findings")),
        ),
        (super::Verdict::Pass, None) => paint(color, PASS, "pass"),
        (super::Verdict::Fail, _) => paint(color, FAIL, &format!("fail (findings at or above {})", report.fail_on)),
        (super::Verdict::Unverified, _) => paint(color, UNVERIFIED, "could not verify (exit 3)"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_before_the_span_moves_the_span_with_it() {
        let line = "\u{1b}[2J\u{202e}x = \"4111\"";
        let start = line.find('"').unwrap();
        let (shown, span) = printable_source(line, start..line.len());
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}'), "{shown:?}");
        assert_eq!(&shown[span], "\"4111\"");
        // Tabs stay for the renderer to expand; a span inside a character
        // is widened to its start rather than cutting it.
        let (shown, span) = printable_source("\tä = 1", 2..3);
        assert_eq!((shown.as_str(), &"\tä = 1"[span.clone()]), ("\tä = 1", "ä"));
    }

    #[test]
    fn without_a_span_the_mark_sits_at_the_column_in_characters() {
        let meta = crate::registry::registry()[0];
        let mut finding = Finding::new(meta, super::super::finding::Location::at("a", 1, 3), "m");
        finding.snippet = Some("äb c".to_owned());
        let span = span_of(&finding, "äb c");
        assert_eq!(&"äb c"[span.start..], " c");
        // An empty span still gets a mark.
        let shown = diagnostic(&Renderer::plain(), &finding, false);
        let marks = shown.lines().find(|line| line.contains('^')).unwrap_or_default();
        assert_eq!(marks.trim_end().rsplit(' ').next(), Some("^"), "{shown}");
    }
}
