//! Reports: the finding model and one renderer per output format. Renderers
//! return strings; only `main` prints.

pub mod finding;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use std::fmt;

use crate::scan::ScanStats;
use finding::{Finding, Severity};

/// Output formats of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["human", "json", "sarif", "github", "markdown"];

    pub fn parse(text: &str) -> Option<Format> {
        Some(match text {
            "human" => Format::Human,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            "markdown" => Format::Markdown,
            _ => return None,
        })
    }
}

/// The overall verdict, which also decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// Something could not be verified (LG9xx): never a pass.
    Unverified,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unverified => "unverified",
        }
    }

    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Unverified => 3,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The command that produced it (`scan`, `protect`, ...).
    pub command: &'a str,
    /// Sorted findings.
    pub findings: &'a [Finding],
    pub stats: Option<&'a ScanStats>,
    pub fail_on: Severity,
    /// Command-specific text the human and Markdown formats show before the
    /// findings (protect's per-branch tables).
    pub details: Option<&'a str>,
    /// The same details as Markdown (tables), for the Markdown format; when
    /// absent, `details` is shown there as a text block.
    pub details_markdown: Option<&'a str>,
    /// Command-specific data merged into the JSON document (`api`, `branches`).
    pub extra: Option<&'a serde_json::Value>,
}

impl Report<'_> {
    /// Could-not-verify outranks findings: an unverified scan is not a failure
    /// one can fix by editing code, and it is never a pass.
    pub fn verdict(&self) -> Verdict {
        if self.findings.iter().any(|f| f.code().starts_with("LG9")) {
            Verdict::Unverified
        } else if self.findings.iter().any(|f| f.severity >= self.fail_on) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }
}

/// Renders a report. `color` applies to the human format only.
pub fn render(format: Format, report: &Report<'_>, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}
