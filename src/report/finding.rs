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

    pub fn with_snippet(mut self, snippet: &str) -> Self {
        self.snippet = Some(snippet.trim_end_matches(['\r', '\n']).to_owned());
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
