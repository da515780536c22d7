//! The finding model every command produces and every renderer consumes.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::registry::CheckMeta;
pub use crate::registry::Severity;

/// Where a finding points. `path` is repository-relative with `/` separators;
/// `line` and `column` are 1-based, and 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn file(path: &str) -> Location {
        Location {
            path: path.to_owned(),
            line: 0,
            column: 0,
        }
    }

    pub fn at(path: &str, line: u32, column: u32) -> Location {
        Location {
            path: path.to_owned(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => f.write_str(&self.path),
            (line, 0) => write!(f, "{}:{line}", self.path),
            (line, column) => write!(f, "{}:{line}:{column}", self.path),
        }
    }
}

/// One thing a check found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static CheckMeta,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The offending source line, trimmed of its line ending.
    pub snippet: Option<String>,
    /// The bytes of `snippet` the finding is about (empty: a point), which the
    /// human report underlines.
    pub span: Option<std::ops::Range<usize>>,
    /// What to do about it; starts from the check's generic fix and may be
    /// made specific by the check.
    pub remediation: std::borrow::Cow<'static, str>,
}

impl Finding {
    /// A finding at the check's default severity with its generic remediation.
    pub fn new(check: &'static CheckMeta, location: Location, message: impl Into<String>) -> Self {
        Finding {
            check,
            severity: check.severity,
            message: message.into(),
            location,
            snippet: None,
            span: None,
            remediation: std::borrow::Cow::Borrowed(check.fix),
        }
    }

    /// The source line around `span` (byte offsets in `line`): at most
    /// `SNIPPET_MAX_CHARS` characters, with `…` where it was cut (whole lines
    /// made a report grow with the square of a long line's length), and
    /// which bytes of that window the span covers.
    pub fn with_snippet_span(mut self, line: &str, span: std::ops::Range<usize>) -> Self {
        let line = line.trim_end_matches(['\r', '\n']);
        let (window, start, end) = snippet_window(line, span.start);
        // The window's bytes start `start` bytes into the line, after a
        // three-byte `…` when it was cut there; the span is clamped to what is
        // shown and to character boundaries.
        let lead = if start > 0 { '…'.len_utf8() } else { 0 };
        let clamp = |at: usize| {
            let mut at = at.clamp(start, end);
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            at - start + lead
        };
        let shown = clamp(span.start)..clamp(span.end.max(span.start));
        self.snippet = Some(window);
        self.span = Some(shown);
        self
    }

    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = std::borrow::Cow::Owned(remediation.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.check.code
    }

    /// A line-number-independent identity used by baselines, so that a
    /// finding keeps matching its baseline entry when code above it moves.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.check.code.as_bytes());
        hasher.update([0]);
        hasher.update(self.location.path.as_bytes());
        hasher.update([0]);
        let content = self.snippet.as_deref().map(str::trim).unwrap_or(&self.message);
        hasher.update(content.as_bytes());
        let digest = hasher.finalize();
        digest[..12].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The longest snippet a finding carries, in characters (plus `…` marks).
pub const SNIPPET_MAX_CHARS: usize = 200;

/// At most `SNIPPET_MAX_CHARS` characters of `line`, starting a little
/// before byte `at`; cut on character boundaries. Costs the window, not the
/// line. Also returns the byte range of `line` the window shows.
fn snippet_window(line: &str, at: usize) -> (String, usize, usize) {
    if line.len() <= SNIPPET_MAX_CHARS {
        return (line.to_owned(), 0, line.len());
    }
    let mut at = at.min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    let start = line[..at]
        .char_indices()
        .rev()
        .take(SNIPPET_MAX_CHARS / 4)
        .last()
        .map_or(at, |(index, _)| index);
    let end = line[start..]
        .char_indices()
        .nth(SNIPPET_MAX_CHARS)
        .map_or(line.len(), |(index, _)| start + index);
    let mut out = String::with_capacity(end - start + 6);
    if start > 0 {
        out.push('…');
    }
    out.push_str(&line[start..end]);
    if end < line.len() {
        out.push('…');
    }
    (out, start, end)
}

/// Deterministic order for output: path, line, column, code, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.location, a.check.code, &a.message).cmp(&(&b.location, b.check.code, &b.message)));
}

/// Counts by severity, as every renderer summarises them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
        }
        summary
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    #[test]
    fn long_lines_give_a_window_around_the_finding() {
        let line = format!("{}é{}", "a".repeat(1000), "b".repeat(1000));
        let (window, ..) = snippet_window(&line, 1000);
        assert!(window.starts_with('…') && window.ends_with('…'), "{window}");
        assert_eq!(window.chars().count(), SNIPPET_MAX_CHARS + 2);
        assert!(window.contains('é'));
        // Inside a multi-byte character, at either end, and short lines whole.
        assert!(snippet_window(&line, 1001).0.contains('é'));
        assert!(!snippet_window(&line, 0).0.starts_with('…'));
        assert!(!snippet_window(&line, line.len()).0.ends_with('…'));
        assert_eq!(snippet_window("short", 3), ("short".to_owned(), 0, 5));
    }

    #[test]
    fn the_span_follows_the_window() {
        let meta = crate::registry::registry()[0];
        let short = Finding::new(meta, Location::at("a", 1, 3), "m").with_snippet_span("  abc  ", 2..5);
        assert_eq!(short.span, Some(2..5));
        // In a cut line the span moves with the window and counts the `…`.
        let line = format!("{}TOKEN{}", "x".repeat(500), "y".repeat(500));
        let long = Finding::new(meta, Location::at("a", 1, 501), "m").with_snippet_span(&line, 500..505);
        let snippet = long.snippet.as_deref().unwrap();
        let span = long.span.clone().unwrap();
        assert_eq!(&snippet[span], "TOKEN");
        // A span running past the window is cut at its end.
        let past = Finding::new(meta, Location::at("a", 1, 1), "m").with_snippet_span(&line, 0..1000);
        let snippet = past.snippet.as_deref().unwrap();
        assert_eq!(past.span, Some(0..snippet.len() - '…'.len_utf8()));
    }
}
