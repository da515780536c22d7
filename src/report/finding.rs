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
            remediation: std::borrow::Cow::Borrowed(check.fix),
        }
    }

    /// The source line, cut to its first `SNIPPET_MAX_CHARS` characters.
    pub fn with_snippet(self, line: &str) -> Self {
        self.with_snippet_around(line, 0)
    }

    /// The source line around byte `at` (where the finding points): at most
    /// `SNIPPET_MAX_CHARS` characters, with `…` where it was cut. Whole lines
    /// made a report grow with the square of a long line's length.
    pub fn with_snippet_around(mut self, line: &str, at: usize) -> Self {
        self.snippet = Some(snippet_window(line.trim_end_matches(['\r', '\n']), at));
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
/// line.
fn snippet_window(line: &str, at: usize) -> String {
    if line.len() <= SNIPPET_MAX_CHARS {
        return line.to_owned();
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
    out
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
        let window = snippet_window(&line, 1000);
        assert!(window.starts_with('…') && window.ends_with('…'), "{window}");
        assert_eq!(window.chars().count(), SNIPPET_MAX_CHARS + 2);
        assert!(window.contains('é'));
        // Inside a multi-byte character, at either end, and short lines whole.
        assert!(snippet_window(&line, 1001).contains('é'));
        assert!(!snippet_window(&line, 0).starts_with('…'));
        assert!(!snippet_window(&line, line.len()).ends_with('…'));
        assert_eq!(snippet_window("short", 3), "short");
    }
}
