//! Baselines: adopt livegate on a legacy repository by recording today's
//! findings, so that only new ones fail. Entries match by fingerprint (code,
//! path and the offending line's text), not line number, and as a multiset:
//! a second copy of a baselined line is a new finding.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::finding::Finding;

pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub code: String,
    pub path: String,
    pub fingerprint: String,
    /// For people reading the file; not used for matching.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("--baseline {path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("--baseline {path}:{line}:{column}: not a livegate baseline: {message}\n  hint: create one with `livegate scan --write-baseline {path}`")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("--baseline {path}: version {found} is not supported (expected {BASELINE_VERSION})")]
    Version { path: String, found: u32 },
    #[error("--write-baseline {path}: cannot write: {source}")]
    Write { path: String, source: std::io::Error },
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        // "Could not verify" is never accepted: recording it would let the
        // next run pass without having looked.
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|finding| finding.check.suppressible())
            .map(|finding| BaselineEntry {
                code: finding.code().to_owned(),
                path: finding.location.path.clone(),
                fingerprint: finding.fingerprint(),
                message: finding.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: BASELINE_VERSION,
            findings: entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|err| BaselineError::Parse {
            path: shown.clone(),
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: shown,
                found: baseline.version,
            });
        }
        Ok(baseline)
    }

    /// Writes atomically: a crash never leaves half a baseline.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let shown = path.display().to_string();
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        let tmp = path.with_extension("livegate-tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|source| BaselineError::Write { path: shown, source })
    }

    /// Drops findings the baseline accepts, each entry accepting one finding.
    pub fn filter(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let mut budget: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for entry in &self.findings {
            *budget
                .entry((entry.code.clone(), entry.path.clone(), entry.fingerprint.clone()))
                .or_insert(0) += 1;
        }
        findings
            .into_iter()
            .filter(|finding| {
                if !finding.check.suppressible() {
                    return true;
                }
                let key = (
                    finding.code().to_owned(),
                    finding.location.path.clone(),
                    finding.fingerprint(),
                );
                match budget.get_mut(&key) {
                    Some(left) if *left > 0 => {
                        *left -= 1;
                        false
                    }
                    _ => true,
                }
            })
            .collect()
    }
}
