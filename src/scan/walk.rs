//! Working-tree scans: a parallel walk honouring .gitignore, with per-thread
//! result buffers merged at the end (ripgrep's `ignore` crate does the walk).

use std::path::Path;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{
    cap_per_file, deferred, relative, tree_facts, unreadable, Collected, FileJudge, FileResult, ScanError, ScanOptions,
    Skip,
};
use crate::checks::leaks::TreeFacts;
use crate::classify::PathInfo;
use crate::registry::verification as verify;
use crate::report::finding::{Finding, Location};

/// What one walker thread hands back: its results, every path it
/// classified, and the files judged after the walk.
type ThreadResult = (FileResult, Vec<PathInfo>, Vec<(PathInfo, std::path::PathBuf)>);

/// Per-thread results, pushed once when the thread's visitor is dropped.
struct Sink<'a> {
    result: FileResult,
    infos: Vec<PathInfo>,
    deferred: Vec<(PathInfo, std::path::PathBuf)>,
    shared: &'a Mutex<Vec<ThreadResult>>,
}

impl Drop for Sink<'_> {
    fn drop(&mut self) {
        let item = (
            std::mem::take(&mut self.result),
            std::mem::take(&mut self.infos),
            std::mem::take(&mut self.deferred),
        );
        if let Ok(mut shared) = self.shared.lock() {
            shared.push(item);
        }
    }
}

/// The repository root for `path`: its git work tree if it is in one, else itself.
/// A `.git` that cannot be opened is reported, not ignored.
fn find_root(path: &Path) -> (std::path::PathBuf, Option<Finding>) {
    match git2::Repository::discover(path) {
        Ok(repo) => {
            let root = repo.workdir().unwrap_or(path).to_path_buf();
            (root, repository_problem(&repo))
        }
        Err(err) if path.join(".git").exists() => (
            path.to_path_buf(),
            Some(Finding::new(
                &verify::REPOSITORY_UNREADABLE,
                Location::file(".git"),
                format!(
                    "the git repository cannot be opened ({}); .gitignore rules and history could not be trusted",
                    err.message()
                ),
            )),
        ),
        Err(_) => (path.to_path_buf(), None),
    }
}

/// A repository whose HEAD or index cannot be read is corrupt: report it
/// rather than trusting its .gitignore rules. An unborn HEAD is fine.
fn repository_problem(repo: &git2::Repository) -> Option<Finding> {
    let head = match repo.head() {
        Err(err) if !matches!(err.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Some(err),
        _ => None,
    };
    let problem = head.or_else(|| repo.index().err())?;
    Some(Finding::new(
        &verify::REPOSITORY_UNREADABLE,
        Location::file(".git"),
        format!(
            "the git repository is damaged ({}); run `git fsck` or scan a healthy clone",
            problem.message()
        ),
    ))
}

pub(super) fn scan_tree(judge: &FileJudge<'_>, options: &ScanOptions) -> Result<Collected, ScanError> {
    let path = options.path.as_path();
    let metadata = std::fs::metadata(path).map_err(|err| ScanError::Path {
        path: path.display().to_string(),
        message: format!("cannot scan: {err}"),
    })?;
    if !metadata.is_dir() {
        return Err(ScanError::Path {
            path: path.display().to_string(),
            message: "is not a directory; give the repository root (or a directory in it)".to_owned(),
        });
    }
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let (root, repo_problem) = find_root(&path);
    let shared = Mutex::new(Vec::new());
    let walker = WalkBuilder::new(&path)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel();
    let empty_tree = TreeFacts::default();
    walker.run(|| {
        let mut sink = Sink {
            result: FileResult::default(),
            infos: Vec::new(),
            deferred: Vec::new(),
            shared: &shared,
        };
        let root = &root;
        let empty_tree = &empty_tree;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let where_ = err_path(&err)
                        .map(|p| relative(root, p))
                        .unwrap_or_else(|| ".".to_owned());
                    sink.result.findings.push(unreadable(&where_, err));
                    return WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            if file_type.is_symlink() {
                sink.result.stats.skipped_symlinks += 1;
                return WalkState::Continue;
            }
            if !file_type.is_file() {
                return WalkState::Continue;
            }
            let rel = relative(root, entry.path());
            sink.result.stats.files_seen += 1;
            if judge.classifier.is_excluded(&rel) {
                sink.result.stats.skipped_excluded += 1;
                return WalkState::Continue;
            }
            let info = judge.classifier.classify(&rel);
            if deferred(&info) {
                sink.deferred.push((info.clone(), entry.path().to_path_buf()));
            } else {
                judge.judge_path(empty_tree, &info, &mut sink.result.findings);
                if judge.wants_content(&info) {
                    read_and_judge(
                        judge,
                        empty_tree,
                        &info,
                        entry.path(),
                        entry.metadata().ok().map(|m| m.len()),
                        &mut sink.result,
                    );
                }
            }
            sink.infos.push(info);
            WalkState::Continue
        })
    });
    let mut result = FileResult::default();
    let mut infos = Vec::new();
    let mut later = Vec::new();
    for (part, part_infos, part_deferred) in shared.into_inner().unwrap_or_default() {
        result.stats.add(&part.stats);
        result.findings.extend(part.findings);
        infos.extend(part_infos);
        later.extend(part_deferred);
    }
    let mut facts = tree_facts(infos.iter());
    facts.paths = infos.iter().map(|info| info.path.clone()).collect();
    for (info, file) in &later {
        if info.role == crate::classify::Role::DockerIgnore || info.role == crate::classify::Role::NpmIgnore {
            if let Ok(text) = std::fs::read_to_string(file) {
                facts.ignore_files.insert(info.path.clone(), text);
            }
        }
    }
    later.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    for (info, file) in &later {
        judge.judge_path(&facts, info, &mut result.findings);
        if judge.wants_content(info) {
            read_and_judge(judge, &facts, info, file, None, &mut result);
        }
    }
    result.findings.extend(repo_problem);
    Ok(Collected {
        findings: result.findings,
        stats: result.stats,
        root,
    })
}

fn read_and_judge(
    judge: &FileJudge<'_>,
    tree: &TreeFacts,
    info: &PathInfo,
    file: &Path,
    size: Option<u64>,
    result: &mut FileResult,
) {
    if let Some(size) = size.filter(|size| *size > judge.max_file_size) {
        return judge.skip(info, Skip::Large(size), result);
    }
    let mut file_result = FileResult::default();
    match std::fs::read(file) {
        Ok(bytes) => judge.judge_content(tree, info, &bytes, &mut file_result),
        Err(err) => file_result.findings.push(unreadable(&info.path, err)),
    }
    cap_per_file(&info.path, &mut file_result.findings);
    result.stats.add(&file_result.stats);
    result.findings.extend(file_result.findings);
}

fn err_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => err_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}
