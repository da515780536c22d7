//! The scan engine: enumerate files (working tree, a commit range, or the
//! index), classify them, run the leak checks, then apply severities and
//! suppressions. Everything here is collection and bookkeeping; the
//! judgements live in `checks::leaks`.

mod baseline;
mod git;
pub mod remote;
mod walk;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use globset::GlobMatcher;

pub use baseline::{Baseline, BaselineError};

use crate::checks::leaks::content::is_production_data;
use crate::checks::leaks::suppression::inline_allows;
use crate::checks::leaks::{checks, FileFacts, TreeFacts};
use crate::checks::leaks::{django, guards};
use crate::classify::{Area, Classifier, PathInfo, Role};
use crate::policy::{compile_glob, Policy};
use crate::registry::leaks::{FINDINGS_CAPPED, SUPPRESSION_WITHOUT_REASON, UNUSED_ALLOW_ENTRY};
use crate::registry::{self, verification as verify};
use crate::report::finding::{sort_findings, Finding, Location};
use crate::report::ScanStats;

/// What part of the repository to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanMode {
    /// Every file in the working tree under the path, honouring .gitignore.
    Tree,
    /// Files changed between two revisions, and only the lines they add.
    /// With `merge_base`, the change is taken from the merge base of the two
    /// (`BASE...HEAD`, what a pull request shows).
    Diff {
        base: String,
        head: String,
        merge_base: bool,
    },
    /// What is staged in the index, against HEAD.
    Staged,
    /// Commits being pushed (the pre-push hook): from what the remote has
    /// (`None`: nothing in common) to the pushed commit.
    Push { base: Option<git2::Oid>, head: git2::Oid },
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub path: PathBuf,
    pub mode: ScanMode,
    pub threads: usize,
    /// Wall-clock limit for collecting: past it the scan is LG901, never a
    /// hang (`DEFAULT_BUDGET` unless a caller knows better).
    pub budget: Duration,
}

/// Long enough for a very large tree on a slow disk, short enough that a
/// stuck scan does not hold `git push` or a CI job for good.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// Findings after severities, inline and policy suppressions, before the baseline.
    pub unbaselined: Vec<Finding>,
    /// What is reported: `unbaselined` less what the baseline accepts.
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
    /// The repository root paths are relative to.
    pub root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    #[error("--diff {range}: {message}")]
    Range { range: String, message: String },
    #[error("{0}")]
    Baseline(#[from] BaselineError),
}

/// A NUL byte this early marks a file as binary (git's own heuristic).
const BINARY_SNIFF: usize = 8 * 1024;

/// Shared per-file work: checks on the path, then on the content when asked.
struct FileJudge<'a> {
    classifier: &'a Classifier,
    max_file_size: u64,
}

/// What became of one file.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    stats: ScanStats,
}

/// Build references (workflows, compose files, Makefiles) larger than this
/// are not read for the `--target` of a Dockerfile.
const BUILD_FILE_MAX_BYTES: u64 = 512 * 1024;

/// Roles whose checks need the whole tree's facts, so they run after the walk.
fn deferred(info: &PathInfo) -> bool {
    matches!(
        info.role,
        Role::Dockerfile | Role::Manifest(_) | Role::DockerIgnore | Role::NpmIgnore
    ) || django::is_settings_module(info)
        || guards::is_seed_helper(info)
}

impl FileJudge<'_> {
    fn wants_content(&self, info: &PathInfo) -> bool {
        checks().iter().any(|check| check.wants_content(info))
    }

    fn judge_path(&self, tree: &TreeFacts, info: &PathInfo, out: &mut Vec<Finding>) {
        for check in checks() {
            check.check_path(tree, info, out);
        }
    }

    /// Runs the content checks on bytes already read and applies inline suppressions.
    fn judge_content(&self, tree: &TreeFacts, info: &PathInfo, bytes: &[u8], result: &mut FileResult) {
        if bytes.len() as u64 > self.max_file_size {
            return self.skip(info, Skip::Large(bytes.len() as u64), result);
        }
        let Some(text) = decode_text(bytes) else {
            return self.skip(info, Skip::Binary, result);
        };
        result.stats.files_read += 1;
        result.stats.bytes_read += bytes.len() as u64;
        let facts = FileFacts::new(info, &text);
        let mut found = Vec::new();
        for check in checks() {
            if check.wants_content(info) {
                check.check_content(tree, &facts, &mut found);
            }
        }
        guards::apply_seed_entry_guard(tree, info, &mut found);
        apply_inline(&facts, &mut found, &mut result.stats);
        result.findings.extend(found);
    }
}

/// The most findings one file lists; a note counts the rest. Without a cap
/// a generated file full of test values makes a report (and the memory
/// behind it) far larger than the file.
const MAX_FINDINGS_PER_FILE: usize = 100;

/// Keeps the most severe `MAX_FINDINGS_PER_FILE` findings of one file (could
/// not verify first) and adds an LG494 note with the count of the rest.
fn cap_per_file(path: &str, findings: &mut Vec<Finding>) {
    if findings.len() <= MAX_FINDINGS_PER_FILE {
        return;
    }
    findings.sort_by(|a, b| {
        let unverified = |f: &Finding| f.code().starts_with("LG9");
        unverified(b)
            .cmp(&unverified(a))
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.location.cmp(&b.location))
    });
    let rest = findings.len() - MAX_FINDINGS_PER_FILE;
    findings.truncate(MAX_FINDINGS_PER_FILE);
    findings.push(Finding::new(
        &FINDINGS_CAPPED,
        Location::file(path),
        format!(
            "{} in this file {} not listed (at most {MAX_FINDINGS_PER_FILE} per file, the most severe first)",
            crate::report::count(rest, "more finding", "more findings"),
            if rest == 1 { "is" } else { "are" }
        ),
    ));
}

/// Why a file's content was not read.
enum Skip {
    Binary,
    Large(u64),
}

impl FileJudge<'_> {
    /// Counts a file whose content was not read. In a production data path
    /// that is "could not verify" (LG904), never a silent pass; the policy
    /// accepts such a file only by excluding its path.
    fn skip(&self, info: &PathInfo, why: Skip, result: &mut FileResult) {
        let reason = match why {
            Skip::Binary => {
                result.stats.skipped_binary += 1;
                "it looks binary (a NUL byte in its first 8 KiB and no UTF-16 byte-order mark)".to_owned()
            }
            Skip::Large(size) => {
                result.stats.skipped_large += 1;
                format!(
                    "it is {size} bytes, over `[leaks] max-file-size` ({} bytes)",
                    self.max_file_size
                )
            }
        };
        if is_production_data(info) {
            result.findings.push(Finding::new(
                &verify::CONTENT_NOT_VERIFIABLE,
                Location::file(&info.path),
                format!("production data not read: {reason}; test data in it would go unseen"),
            ));
        }
    }
}

/// A file's text: UTF-16 with a byte-order mark (either order) is decoded,
/// UTF-8 is read lossily; anything else with a NUL byte early on is binary.
fn decode_text(bytes: &[u8]) -> Option<Cow<'_, str>> {
    fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Cow<'static, str> {
        let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        Cow::Owned(
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Some(utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Some(utf16(rest, u16::from_be_bytes));
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some() {
        return None;
    }
    Some(String::from_utf8_lossy(
        bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes),
    ))
}

/// Removes findings covered by a reasoned inline allow on their line or the
/// line above; reports allows without a reason or with an unknown code.
fn apply_inline(facts: &FileFacts<'_>, findings: &mut Vec<Finding>, stats: &mut ScanStats) {
    let allows = inline_allows(facts.text);
    if allows.is_empty() {
        return;
    }
    let before = findings.len();
    findings.retain(|finding| {
        let line = finding.location.line as usize;
        !allows.iter().any(|allow| {
            finding.check.suppressible()
                && allow.reason.is_some()
                && (allow.line == line || allow.line + 1 == line)
                && allow.codes.iter().any(|code| code == finding.code())
        })
    });
    stats.suppressed_inline += before - findings.len();
    for allow in &allows {
        let unknown: Vec<&String> = allow
            .codes
            .iter()
            .filter(|code| registry::lookup(code).is_none())
            .collect();
        let unsuppressible: Vec<&String> = allow
            .codes
            .iter()
            .filter(|code| registry::lookup(code).is_some_and(|meta| !meta.suppressible()))
            .collect();
        let problem = if !unsuppressible.is_empty() {
            Some(format!(
                "inline allow names {}: \"could not verify\" findings cannot be suppressed",
                unsuppressible.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            ))
        } else if allow.reason.is_none() {
            Some("inline allow without a reason (`-- reason`): it suppresses nothing".to_owned())
        } else if !unknown.is_empty() {
            Some(format!(
                "inline allow names unknown {} {}",
                if unknown.len() == 1 { "code" } else { "codes" },
                unknown.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let column = facts
                .line_text(allow.line)
                .get(..allow.column)
                .map_or(1, |p| p.chars().count() + 1);
            findings.push(
                Finding::new(
                    &SUPPRESSION_WITHOUT_REASON,
                    Location::at(&facts.info.path, allow.line as u32, column as u32),
                    message,
                )
                .with_snippet_span(
                    facts.line_text(allow.line),
                    allow.column..facts.line_text(allow.line).trim_end().len(),
                ),
            );
        }
    }
}

/// Runs a scan.
pub fn scan(policy: &Policy, options: &ScanOptions, baseline: Option<&Baseline>) -> Result<ScanOutcome, ScanError> {
    let collected = collect_within_budget(policy, options)?;
    let mut findings = collected.findings;
    let mut stats = collected.stats;
    apply_severities(policy, &mut findings);
    let unused = apply_policy_allows(policy, &collected.root, &mut findings, &mut stats);
    if options.mode == ScanMode::Tree {
        findings.extend(unused);
        apply_severities(policy, &mut findings);
    }
    sort_findings(&mut findings);
    let unbaselined = findings.clone();
    if let Some(baseline) = baseline {
        let before = findings.len();
        findings = baseline.filter(findings);
        stats.suppressed_baseline = before - findings.len();
    }
    Ok(ScanOutcome {
        unbaselined,
        findings,
        stats,
        root: collected.root,
    })
}

/// Walks the tree, the range or the index and judges each file.
fn collect(policy: &Policy, options: &ScanOptions) -> Result<Collected, ScanError> {
    let classifier = Classifier::new(&policy.leaks);
    let judge = FileJudge {
        classifier: &classifier,
        max_file_size: policy.leaks.max_file_size,
    };
    match &options.mode {
        ScanMode::Tree => walk::scan_tree(&judge, options),
        ScanMode::Diff { base, head, merge_base } => git::scan_range(&judge, &options.path, base, head, *merge_base),
        ScanMode::Staged => git::scan_staged(&judge, &options.path),
        ScanMode::Push { base, head } => git::scan_push(&judge, &options.path, *base, *head),
    }
}

/// Collects on a thread of its own and waits at most `options.budget`. A
/// damaged object store can make libgit2 spin where no check of ours
/// reaches, and a gate that hangs holds `git push` forever; so past the
/// budget, or if collecting panics, the result is LG901 (exit 3). A stuck
/// thread ends with the process.
fn collect_within_budget(policy: &Policy, options: &ScanOptions) -> Result<Collected, ScanError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let (worker_policy, worker_options) = (policy.clone(), options.clone());
    let spawned = std::thread::Builder::new()
        .name("livegate-scan".to_owned())
        .spawn(move || {
            // The receiver is gone only after the budget ran out.
            let _ = sender.send(collect(&worker_policy, &worker_options));
        });
    if spawned.is_err() {
        return collect(policy, options);
    }
    let problem = match receiver.recv_timeout(options.budget) {
        Ok(collected) => return collected,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => format!(
            "the scan did not finish within {} s, so nothing was verified; a damaged object store can make \
             git reads spin: run `git fsck`",
            options.budget.as_secs_f64()
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            "the scan stopped on an internal error, so nothing was verified (a bug in livegate: please report it)"
                .to_owned()
        }
    };
    Ok(Collected {
        findings: vec![Finding::new(
            &verify::REPOSITORY_UNREADABLE,
            Location::file("."),
            problem,
        )],
        stats: ScanStats::default(),
        root: options.path.clone(),
    })
}

/// What a file source produced before policy-level processing.
struct Collected {
    findings: Vec<Finding>,
    stats: ScanStats,
    root: PathBuf,
}

fn apply_severities(policy: &Policy, findings: &mut Vec<Finding>) {
    if policy.leaks.severity.is_empty() {
        return;
    }
    findings.retain_mut(|finding| match policy.leaks.severity.get(finding.code()) {
        // The validator refuses these; a policy built in code must not either.
        _ if !finding.check.suppressible() => true,
        Some(None) => false,
        Some(Some(severity)) => {
            finding.severity = *severity;
            true
        }
        None => true,
    });
}

/// Applies `[[leaks.allow]]`; returns LG491 findings for entries that matched nothing.
fn apply_policy_allows(
    policy: &Policy,
    root: &Path,
    findings: &mut Vec<Finding>,
    stats: &mut ScanStats,
) -> Vec<Finding> {
    let rules: Vec<(GlobMatcher, &crate::policy::AllowRule)> = policy
        .leaks
        .allow
        .iter()
        .filter_map(|rule| compile_glob(&rule.path).ok().map(|glob| (glob.compile_matcher(), rule)))
        .collect();
    let mut used = vec![0usize; rules.len()];
    findings.retain(|finding| {
        let hit = rules.iter().position(|(glob, rule)| {
            finding.check.suppressible() && rule.code == finding.code() && glob.is_match(&finding.location.path)
        });
        if let Some(index) = hit {
            used[index] += 1;
        }
        hit.is_none()
    });
    stats.suppressed_policy = used.iter().sum();
    rules
        .iter()
        .zip(used)
        .filter(|(_, count)| *count == 0)
        .map(|((_, rule), _)| {
            let origin = Path::new(&rule.origin);
            let shown = origin
                .strip_prefix(root)
                .unwrap_or(origin)
                .to_string_lossy()
                .replace('\\', "/");
            Finding::new(
                &UNUSED_ALLOW_ENTRY,
                Location::at(&shown, rule.line as u32, 1),
                format!("allow entry for {} at `{}` matched no finding", rule.code, rule.path),
            )
        })
        .collect()
}

/// The outermost test directories among classified paths, for packaging checks.
fn outermost_test_dir(info: &PathInfo) -> Option<String> {
    if info.area != Area::Test {
        return None;
    }
    const NAMES: &[&str] = &[
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "testdata",
        "e2e",
        "integration-tests",
        "integration_tests",
    ];
    let segments: Vec<&str> = info.path.split('/').collect();
    let index = segments[..segments.len().saturating_sub(1)]
        .iter()
        .position(|segment| NAMES.contains(segment))?;
    Some(segments[..=index].join("/"))
}

/// Builds tree facts from every classified path.
fn tree_facts<'a>(infos: impl Iterator<Item = &'a PathInfo>) -> TreeFacts {
    let mut facts = TreeFacts::default();
    for info in infos {
        if let Some(dir) = outermost_test_dir(info) {
            facts.test_dirs.insert(dir);
        }
    }
    // Keep only the outermost: drop `tests/unit` when `tests` is there.
    let all: Vec<String> = facts.test_dirs.iter().cloned().collect();
    facts.test_dirs.retain(|dir| {
        !all.iter()
            .any(|other| dir.len() > other.len() && dir.starts_with(&format!("{other}/")))
    });
    facts
}

/// Findings on files that could not be read: never a silent pass.
fn unreadable(path: &str, err: impl std::fmt::Display) -> Finding {
    Finding::new(
        &verify::FILE_UNREADABLE,
        Location::file(path),
        format!("could not read the file: {err}"),
    )
}

/// Converts a filesystem path under `root` to the repository-relative form
/// every finding uses (`/`-separated, lossy for non-UTF-8 names).
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests;
