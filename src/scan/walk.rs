//! Working-tree scans: a parallel walk honouring .gitignore, with per-thread
//! result buffers merged at the end (ripgrep's `ignore` crate does the walk).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{
    cap_per_file, deferred, relative, tree_facts, unreadable, Collected, FileJudge, FileResult, ScanError, ScanOptions,
    Skip, BUILD_FILE_MAX_BYTES,
};
use crate::checks::leaks::docker_builds::is_build_reference;
use crate::checks::leaks::TreeFacts;
use crate::checks::leaks::{django, guards};
use crate::classify::PathInfo;
use crate::registry::verification as verify;
use crate::report::finding::{Finding, Location};

/// What walking produced: results, every path classified, the files judged
/// after the walk, and the paths the policy excludes. One per walker thread,
/// merged at the end.
#[derive(Default)]
struct Gathered {
    result: FileResult,
    infos: Vec<PathInfo>,
    deferred: Vec<(PathInfo, PathBuf)>,
    excluded: Vec<String>,
    /// Workflows, compose files and Makefiles: how Dockerfiles are built.
    build_files: Vec<(String, PathBuf)>,
    /// Files that may select a Django settings module.
    settings_files: Vec<(String, PathBuf)>,
    /// Seeds entry files (`db/seeds.rb`).
    seed_entries: Vec<(String, PathBuf)>,
}

impl Gathered {
    /// One regular file: path checks now, content checks now or, for roles
    /// that need the whole tree's facts, after the walk.
    fn take(&mut self, judge: &FileJudge<'_>, rel: String, file: &Path, size: Option<u64>) {
        self.result.stats.files_seen += 1;
        if judge.classifier.is_excluded(&rel) {
            self.result.stats.skipped_excluded += 1;
            self.excluded.push(rel);
            return;
        }
        if is_build_reference(&rel) {
            self.build_files.push((rel.clone(), file.to_path_buf()));
        }
        if django::is_settings_selector(&rel) {
            self.settings_files.push((rel.clone(), file.to_path_buf()));
        }
        if guards::is_seed_entry(&rel) {
            self.seed_entries.push((rel.clone(), file.to_path_buf()));
        }
        let info = judge.classifier.classify(&rel);
        if deferred(&info) {
            self.deferred.push((info.clone(), file.to_path_buf()));
        } else {
            let empty_tree = TreeFacts::default();
            judge.judge_path(&empty_tree, &info, &mut self.result.findings);
            if judge.wants_content(&info) {
                read_and_judge(judge, &empty_tree, &info, file, size, &mut self.result);
            }
        }
        self.infos.push(info);
    }
}

/// Per-thread results, pushed once when the thread's visitor is dropped.
struct Sink<'a> {
    gathered: Gathered,
    shared: &'a Mutex<Vec<Gathered>>,
}

impl Drop for Sink<'_> {
    fn drop(&mut self) {
        let gathered = std::mem::take(&mut self.gathered);
        if let Ok(mut shared) = self.shared.lock() {
            shared.push(gathered);
        }
    }
}

/// The repository root for `path`: its git work tree if it is in one, else itself.
/// A `.git` that cannot be opened is reported, not ignored.
fn find_root(path: &Path) -> (PathBuf, Option<git2::Repository>, Option<Finding>) {
    match git2::Repository::discover(path) {
        Ok(repo) => {
            let root = repo.workdir().unwrap_or(path).to_path_buf();
            let problem = repository_problem(&repo);
            (root, Some(repo), problem)
        }
        Err(err) if path.join(".git").exists() => (
            path.to_path_buf(),
            None,
            Some(Finding::new(
                &verify::REPOSITORY_UNREADABLE,
                Location::file(".git"),
                format!(
                    "the git repository cannot be opened ({}); .gitignore rules and history could not be trusted",
                    err.message()
                ),
            )),
        ),
        Err(_) => (path.to_path_buf(), None, None),
    }
}

/// Tracked regular files under `scope` that the walk did not visit: an
/// ignore rule matches them. `.gitignore` keeps untracked files out of a
/// repository; it does not hide what is committed, so these are scanned.
fn tracked_but_not_walked(
    repo: &git2::Repository,
    root: &Path,
    scope: &Path,
    walked: &HashSet<&str>,
) -> Vec<(String, PathBuf)> {
    // A broken index is reported by `repository_problem`.
    let Ok(index) = repo.index() else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    index
        .iter()
        .filter(|entry| entry.mode & 0o170000 == 0o100000)
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .filter(|rel| !walked.contains(rel.as_str()) && seen.insert(rel.clone()))
        .map(|rel| {
            let file = root.join(&rel);
            (rel, file)
        })
        .filter(|(_, file)| file.starts_with(scope) && std::fs::symlink_metadata(file).is_ok_and(|meta| meta.is_file()))
        .collect()
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
    let (root, repo, repo_problem) = find_root(&path);
    let shared = Mutex::new(Vec::new());
    // Only git's ignore rules, and only for untracked files (below); a
    // ripgrep `.ignore` file does not hide anything from the gate.
    let walker = WalkBuilder::new(&path)
        .hidden(false)
        .ignore(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        let mut sink = Sink {
            gathered: Gathered::default(),
            shared: &shared,
        };
        let root = &root;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let where_ = err_path(&err)
                        .map(|p| relative(root, p))
                        .unwrap_or_else(|| ".".to_owned());
                    sink.gathered.result.findings.push(unreadable(&where_, err));
                    return WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            if file_type.is_symlink() {
                sink.gathered.result.stats.skipped_symlinks += 1;
                return WalkState::Continue;
            }
            if !file_type.is_file() {
                return WalkState::Continue;
            }
            let size = entry.metadata().ok().map(|m| m.len());
            sink.gathered
                .take(judge, relative(root, entry.path()), entry.path(), size);
            WalkState::Continue
        })
    });
    let mut all = Gathered::default();
    for part in shared.into_inner().unwrap_or_default() {
        all.result.stats.add(&part.result.stats);
        all.result.findings.extend(part.result.findings);
        all.infos.extend(part.infos);
        all.deferred.extend(part.deferred);
        all.excluded.extend(part.excluded);
        all.build_files.extend(part.build_files);
        all.settings_files.extend(part.settings_files);
        all.seed_entries.extend(part.seed_entries);
    }
    if let Some(repo) = &repo {
        let walked: HashSet<&str> = all
            .infos
            .iter()
            .map(|info| info.path.as_str())
            .chain(all.excluded.iter().map(String::as_str))
            .collect();
        let missed = tracked_but_not_walked(repo, &root, &path, &walked);
        for (rel, file) in missed {
            all.take(judge, rel, &file, None);
        }
    }
    let Gathered {
        mut result,
        infos,
        deferred: mut later,
        build_files,
        settings_files,
        seed_entries,
        ..
    } = all;
    let mut facts = tree_facts(infos.iter());
    facts.paths = infos.iter().map(|info| info.path.clone()).collect();
    for (info, file) in &later {
        if info.role == crate::classify::Role::DockerIgnore || info.role == crate::classify::Role::NpmIgnore {
            if let Ok(text) = std::fs::read_to_string(file) {
                facts.ignore_files.insert(info.path.clone(), text);
            }
        }
    }
    // Only a Dockerfile asks how it is built; small files only.
    if later
        .iter()
        .any(|(info, _)| info.role == crate::classify::Role::Dockerfile)
    {
        for (rel, file) in build_files {
            let small = std::fs::metadata(&file).is_ok_and(|m| m.len() <= BUILD_FILE_MAX_BYTES);
            if let (true, Ok(text)) = (small, std::fs::read_to_string(&file)) {
                facts.build_files.insert(rel, text);
            }
        }
    }
    // Only a Django settings module asks which modules are selected.
    if later.iter().any(|(info, _)| django::is_settings_module(info)) {
        for (rel, file) in settings_files {
            let small = std::fs::metadata(&file).is_ok_and(|m| m.len() <= BUILD_FILE_MAX_BYTES);
            if let (true, Ok(text)) = (small, std::fs::read_to_string(&file)) {
                if django::worth_keeping(&rel, &text) {
                    facts.settings_files.insert(rel, text);
                }
            }
        }
    }
    // Only a seed helper asks what its entry file guards.
    if later.iter().any(|(info, _)| guards::is_seed_helper(info)) {
        for (rel, file) in seed_entries {
            let small = std::fs::metadata(&file).is_ok_and(|m| m.len() <= BUILD_FILE_MAX_BYTES);
            if let (true, Ok(text)) = (small, std::fs::read_to_string(&file)) {
                facts.seed_entries.insert(rel, text);
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
