//! Reports: the finding model and one renderer per output format. Renderers
//! return strings; only `main` prints.

pub mod color;
pub mod finding;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod view;

use std::fmt;

use finding::{Finding, Severity};

/// Counts a reader of the report needs to trust it: what was skipped is said.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanStats {
    pub files_seen: usize,
    pub files_read: usize,
    pub bytes_read: u64,
    pub skipped_binary: usize,
    pub skipped_large: usize,
    pub skipped_symlinks: usize,
    pub skipped_excluded: usize,
    pub suppressed_inline: usize,
    pub suppressed_policy: usize,
    pub suppressed_baseline: usize,
}

impl ScanStats {
    pub fn add(&mut self, other: &ScanStats) {
        self.files_seen += other.files_seen;
        self.files_read += other.files_read;
        self.bytes_read += other.bytes_read;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.skipped_symlinks += other.skipped_symlinks;
        self.skipped_excluded += other.skipped_excluded;
        self.suppressed_inline += other.suppressed_inline;
    }
}

/// `n` with the noun in the number it takes: "1 file", "2 files", "0 files".
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

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

/// What `--emit KIND=FILE` writes besides the main report: another format,
/// or `outputs` — `key=value` lines (result, findings, errors, warnings,
/// notes, and baseline-written after `--write-baseline`) in the form of
/// GitHub Actions step outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitKind {
    Format(Format),
    Outputs,
}

/// One `--emit` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emit {
    pub kind: EmitKind,
    pub file: std::path::PathBuf,
}

impl Emit {
    /// Parses `KIND=FILE` (`=`, not `:`, so that Windows paths work).
    pub fn parse(text: &str) -> Result<Emit, String> {
        let (kind, file) = text
            .split_once('=')
            .ok_or_else(|| format!("--emit `{text}`: expected KIND=FILE, e.g. sarif=livegate.sarif"))?;
        let kind = match kind {
            "outputs" => EmitKind::Outputs,
            other => EmitKind::Format(Format::parse(other).ok_or_else(|| {
                format!(
                    "--emit `{text}`: unknown kind `{other}` (one of {}, outputs)",
                    Format::NAMES.join(", ")
                )
            })?),
        };
        if file.is_empty() {
            return Err(format!("--emit `{text}`: no file after `=`"));
        }
        Ok(Emit {
            kind,
            file: file.into(),
        })
    }
}

/// Writes every `--emit` rendering; the first failure names the file.
pub fn emit_all(report: &Report<'_>, emits: &[Emit]) -> Result<(), String> {
    for emit in emits {
        let text = match &emit.kind {
            EmitKind::Format(format) => render(*format, report, false),
            EmitKind::Outputs => {
                let summary = finding::Summary::of(report.findings);
                let mut outputs = format!(
                    "result={}\nfindings={}\nerrors={}\nwarnings={}\nnotes={}\n",
                    report.verdict(),
                    report.findings.len(),
                    summary.errors,
                    summary.warnings,
                    summary.notes
                );
                if let Some(recorded) = report.baseline_written {
                    outputs.push_str(&format!("baseline-written={recorded}\n"));
                }
                outputs
            }
        };
        std::fs::write(&emit.file, crate::sanitize::scrub(&text))
            .map_err(|err| format!("--emit {}: cannot write: {err}", emit.file.display()))?;
    }
    Ok(())
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
            Verdict::Pass => crate::exit::PASS,
            Verdict::Fail => crate::exit::FINDINGS,
            Verdict::Unverified => crate::exit::UNVERIFIED,
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
    /// Quiet, statistics or grouped instead of the full per-finding listing.
    pub view: view::View,
    /// `scan --write-baseline`: how many findings the baseline recorded. Such
    /// a run adopts its findings, so its verdict is a pass (see
    /// [`Report::verdict`]) and every format says that a baseline was written.
    pub baseline_written: Option<usize>,
}

impl Report<'_> {
    /// The verdict the run exits with. Could-not-verify outranks findings: an
    /// unverified scan is not a failure one can fix by editing code, and it
    /// is never a pass. Writing a baseline adopts the findings, so a run that
    /// wrote one passes unless something could not be verified.
    pub fn verdict(&self) -> Verdict {
        if self.findings.iter().any(|f| f.code().starts_with("LG9")) {
            Verdict::Unverified
        } else if self.baseline_written.is_none() && self.findings.iter().any(|f| f.severity >= self.fail_on) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }
}

/// Renders a report, scrubbed of every secret in play. `color` applies to
/// the human format only.
pub fn render(format: Format, report: &Report<'_>, color: bool) -> String {
    let text = match format {
        Format::Human => human::render(report, color),
        Format::Json => crate::sanitize::json_escapes(json::render(report)),
        Format::Sarif => crate::sanitize::json_escapes(sarif::render(report)),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    };
    crate::sanitize::scrub(&text)
}
