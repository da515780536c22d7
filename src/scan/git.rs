//! Scans of git objects: a commit range (`--diff BASE..HEAD`) and the index
//! (`--staged`). Content comes from blobs, never from the working tree, so
//! what is judged is exactly what would be pushed or committed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Delta, DiffOptions, ObjectType, Repository, Tree};

use super::{deferred, tree_facts, unreadable, Collected, FileJudge, FileResult, ScanError};
use crate::checks::leaks::{split_lines, TreeFacts};
use crate::classify::{PathInfo, Role};
use crate::registry::verification as verify;
use crate::report::finding::{Finding, Location};

const SYMLINK_MODE: u32 = 0o120000;

/// A changed file: its new path, blob, whether it is new here, and the lines it adds.
struct Change {
    path: String,
    blob: git2::Oid,
    mode: u32,
    placed: bool,
    added: Added,
}

/// Which lines of a changed file are new.
enum Added {
    /// The whole file (it did not exist before).
    All,
    /// Known line numbers (from libgit2's patch, or none for a pure rename).
    Lines(BTreeSet<u32>),
    /// Not computed yet: the file changed from this blob. Most changed files
    /// produce no finding, so the line diff is only made when one does.
    Against(git2::Oid),
    /// Not computed yet: a new path whose file name matches one deleted
    /// blob. If at least half of its lines were in that blob it was moved
    /// and edited (git's rename similarity), and only its other lines are
    /// new; otherwise the whole file is.
    MovedFrom(git2::Oid),
}

impl Added {
    /// Resolves `Against` with a line diff of the two blobs.
    fn resolve(&mut self, repo: &Repository, new: &[u8]) {
        if let Added::MovedFrom(old) = *self {
            *self = match repo.find_blob(old) {
                Ok(blob) => {
                    let lines = added_lines(blob.content(), new);
                    let total = split_lines(&String::from_utf8_lossy(new)).count();
                    if lines.len() * 2 <= total {
                        Added::Lines(lines)
                    } else {
                        Added::All
                    }
                }
                Err(_) => Added::All,
            };
            return;
        }
        if let Added::Against(old) = *self {
            let lines = match repo.find_blob(old) {
                Ok(blob) => added_lines(blob.content(), new),
                // The old side cannot be read: count every line as new rather
                // than drop findings.
                Err(_) => {
                    *self = Added::All;
                    return;
                }
            };
            *self = Added::Lines(lines);
        }
    }

    fn contains(&self, line: u32) -> bool {
        match self {
            Added::All => true,
            Added::Lines(lines) => lines.contains(&line),
            Added::Against(_) | Added::MovedFrom(_) => true,
        }
    }
}

/// 1-based numbers of the lines `new` adds over `old`, counted with the
/// findings' line model (`split_lines`): `similar`'s own line splitting also
/// breaks at a lone `\r`, which shifted every later line number.
fn added_lines(old: &[u8], new: &[u8]) -> BTreeSet<u32> {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let old: Vec<&str> = split_lines(&old).collect();
    let new: Vec<&str> = split_lines(&new).collect();
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_secs(2))
        .diff_slices(&old, &new);
    diff.iter_all_changes()
        .filter(|change| change.tag() == similar::ChangeTag::Insert)
        .filter_map(|change| change.new_index())
        .map(|index| index as u32 + 1)
        .collect()
}

/// Blobs of deleted paths, for rename detection: every id, and by file name.
#[derive(Default)]
struct Removed {
    blobs: std::collections::HashSet<git2::Oid>,
    by_name: std::collections::HashMap<String, Vec<git2::Oid>>,
}

/// The files `head` adds or changes over `base`, descending only into
/// subtrees whose ids differ: on a large tree with a small change this reads
/// a handful of tree objects instead of all of them. A blob that moved
/// unchanged is a rename (placed, no new lines); a new path whose file name
/// matches exactly one deleted file may be a rename with edits, decided when
/// it has findings. Deletions are not changes to scan.
fn tree_changes(repo: &Repository, base: Option<&Tree<'_>>, head: &Tree<'_>) -> Result<Vec<Change>, git2::Error> {
    let mut changes = Vec::new();
    let mut removed = Removed::default();
    walk_tree_diff(repo, base, head, "", &mut changes, &mut removed)?;
    for change in &mut changes {
        if !matches!(change.added, Added::All) {
            continue;
        }
        if removed.blobs.contains(&change.blob) {
            change.added = Added::Lines(BTreeSet::new());
        } else if let Some([old]) = removed
            .by_name
            .get(change.path.rsplit('/').next().unwrap_or(&change.path))
            .map(Vec::as_slice)
        {
            change.added = Added::MovedFrom(*old);
        }
    }
    Ok(changes)
}

fn walk_tree_diff(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    head: &Tree<'_>,
    prefix: &str,
    changes: &mut Vec<Change>,
    removed: &mut Removed,
) -> Result<(), git2::Error> {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        }
    };
    for entry in head.iter() {
        let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
        let old = base.and_then(|b| b.get_name_bytes(entry.name_bytes()));
        if old
            .as_ref()
            .is_some_and(|o| o.id() == entry.id() && o.filemode() == entry.filemode())
        {
            continue;
        }
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                let subtree = repo.find_tree(entry.id())?;
                let old_tree = match &old {
                    Some(o) if o.kind() == Some(git2::ObjectType::Tree) => Some(repo.find_tree(o.id())?),
                    _ => None,
                };
                walk_tree_diff(repo, old_tree.as_ref(), &subtree, &join(&name), changes, removed)?;
            }
            Some(git2::ObjectType::Blob) => {
                let old_blob = old
                    .as_ref()
                    .filter(|o| o.kind() == Some(git2::ObjectType::Blob))
                    .map(|o| o.id());
                changes.push(Change {
                    path: join(&name),
                    blob: entry.id(),
                    mode: entry.filemode() as u32,
                    placed: old_blob.is_none(),
                    added: old_blob.map_or(Added::All, Added::Against),
                });
            }
            // Submodules (commits) are another repository's content.
            _ => {}
        }
    }
    // Blobs that disappeared from here, for rename detection.
    if let Some(base) = base {
        for entry in base.iter() {
            if head.get_name_bytes(entry.name_bytes()).is_none() {
                collect_blobs(repo, &entry, removed)?;
            }
        }
    }
    Ok(())
}

fn collect_blobs(repo: &Repository, entry: &git2::TreeEntry<'_>, out: &mut Removed) -> Result<(), git2::Error> {
    match entry.kind() {
        Some(git2::ObjectType::Blob) => {
            out.blobs.insert(entry.id());
            out.by_name
                .entry(String::from_utf8_lossy(entry.name_bytes()).into_owned())
                .or_default()
                .push(entry.id());
        }
        Some(git2::ObjectType::Tree) => {
            for child in repo.find_tree(entry.id())?.iter() {
                collect_blobs(repo, &child, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn open(path: &Path) -> Result<Repository, Box<Collected>> {
    Repository::discover(path).map_err(|err| {
        Box::new(Collected {
            findings: vec![Finding::new(
                &verify::REPOSITORY_UNREADABLE,
                Location::file("."),
                format!("no readable git repository at {} ({})", path.display(), err.message()),
            )],
            stats: Default::default(),
            root: path.to_path_buf(),
        })
    })
}

/// Tree-to-tree diffs look up diff drivers in .gitattributes, which makes
/// libgit2 load and checksum the whole index (a third of a `--diff` run on
/// a large tree). Range scans never use the index: give the repository an
/// empty in-memory one. Attributes from the work tree still apply.
fn detach_index(repo: &Repository) {
    if let Ok(mut index) = git2::Index::new() {
        // Failing here only costs time, never correctness.
        let _ = repo.set_index(&mut index);
    }
}

fn root_of(repo: &Repository) -> std::path::PathBuf {
    repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf()
}

fn could_not_verify(repo: &Repository, meta: &'static crate::registry::CheckMeta, message: String) -> Collected {
    Collected {
        findings: vec![Finding::new(meta, Location::file("."), message)],
        stats: Default::default(),
        root: root_of(repo),
    }
}

fn resolve_tree<'r>(repo: &'r Repository, spec: &str) -> Result<Tree<'r>, git2::Error> {
    repo.revparse_single(spec)?.peel_to_tree()
}

pub(super) fn scan_range(
    judge: &FileJudge<'_>,
    path: &Path,
    base: &str,
    head: &str,
    merge_base: bool,
) -> Result<Collected, ScanError> {
    let repo = match open(path) {
        Ok(repo) => repo,
        Err(collected) => return Ok(*collected),
    };
    detach_index(&repo);
    let range = format!("{base}{}{head}", if merge_base { "..." } else { ".." });
    let mut trees = Vec::new();
    for spec in [base, head] {
        match resolve_tree(&repo, spec) {
            Ok(tree) => trees.push(tree),
            Err(err) if repo.is_shallow() => {
                return Ok(could_not_verify(
                    &repo,
                    &verify::SHALLOW_HISTORY,
                    format!(
                        "`{spec}` is not in this shallow clone ({}); the change {range} cannot be computed",
                        err.message()
                    ),
                ))
            }
            Err(err) if err.code() == git2::ErrorCode::NotFound || err.class() == git2::ErrorClass::Reference => {
                return Err(ScanError::Range {
                    range,
                    message: format!(
                        "revision `{spec}` not found ({}); fetch it or name an existing branch, tag or commit",
                        err.message()
                    ),
                })
            }
            Err(err) => {
                return Ok(could_not_verify(
                    &repo,
                    &verify::REPOSITORY_UNREADABLE,
                    format!("cannot read `{spec}`: {}", err.message()),
                ))
            }
        }
    }
    let (Some(head_tree), Some(mut base_tree)) = (trees.pop(), trees.pop()) else {
        return Err(ScanError::Range {
            range,
            message: "expected BASE..HEAD".to_owned(),
        });
    };
    if merge_base {
        let ids = repo
            .revparse_single(base)
            .and_then(|b| b.peel_to_commit())
            .and_then(|b| {
                repo.revparse_single(head)
                    .and_then(|h| h.peel_to_commit())
                    .map(|h| (b.id(), h.id()))
            })
            .and_then(|(b, h)| repo.merge_base(b, h));
        match ids.and_then(|id| repo.find_commit(id)).and_then(|c| c.tree()) {
            Ok(tree) => base_tree = tree,
            Err(err) if repo.is_shallow() => {
                return Ok(could_not_verify(
                    &repo,
                    &verify::SHALLOW_HISTORY,
                    format!(
                        "no merge base of `{base}` and `{head}` in this shallow clone ({})",
                        err.message()
                    ),
                ))
            }
            Err(err) => {
                return Err(ScanError::Range {
                    range,
                    message: format!(
                        "no merge base ({}); use BASE..HEAD to compare the trees directly",
                        err.message()
                    ),
                })
            }
        }
    }
    Ok(scan_trees(judge, &repo, Some(&base_tree), &head_tree, &range))
}

/// Scans the change from `base` (None: the empty tree, a new root) to `head`.
fn scan_trees(
    judge: &FileJudge<'_>,
    repo: &Repository,
    base: Option<&Tree<'_>>,
    head: &Tree<'_>,
    range: &str,
) -> Collected {
    let changes = tree_changes(repo, base, head);
    let changes = match changes {
        Ok(changes) => changes,
        Err(err) => {
            return could_not_verify(
                repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot compute the diff {range}: {}", err.message()),
            )
        }
    };
    let facts = if needs_tree_facts(judge, &changes) {
        tree_facts_from_git(judge, tree_paths(head), repo, |p| blob_of_tree(head, p))
    } else {
        TreeFacts::default()
    };
    judge_changes(judge, repo, changes, &facts)
}

/// Commits being pushed: `base` is what the remote already has (None for
/// history the remote has none of), `head` the commit pushed.
pub(super) fn scan_push(
    judge: &FileJudge<'_>,
    path: &Path,
    base: Option<git2::Oid>,
    head: git2::Oid,
) -> Result<Collected, ScanError> {
    let repo = match open(path) {
        Ok(repo) => repo,
        Err(collected) => return Ok(*collected),
    };
    detach_index(&repo);
    let range = format!("{}..{head}", base.map_or("(root)".to_owned(), |b| b.to_string()));
    let tree_of = |oid: git2::Oid| repo.find_commit(oid).and_then(|c| c.tree());
    let head_tree = match tree_of(head) {
        Ok(tree) => tree,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot read pushed commit {head}: {}", err.message()),
            ))
        }
    };
    let base_tree = match base.map(tree_of).transpose() {
        Ok(tree) => tree,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot read {range}: {}", err.message()),
            ))
        }
    };
    Ok(scan_trees(judge, &repo, base_tree.as_ref(), &head_tree, &range))
}

/// Tree facts cost a walk of the whole tree; only packaging files need them.
fn needs_tree_facts(judge: &FileJudge<'_>, changes: &[Change]) -> bool {
    changes
        .iter()
        .any(|change| deferred(&judge.classifier.classify(&change.path)))
}

pub(super) fn scan_staged(judge: &FileJudge<'_>, path: &Path) -> Result<Collected, ScanError> {
    let repo = match open(path) {
        Ok(repo) => repo,
        Err(collected) => return Ok(*collected),
    };
    let index = match repo.index() {
        Ok(index) => index,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot read the index: {}", err.message()),
            ))
        }
    };
    // An unborn HEAD (no commit yet) stages against the empty tree.
    let head_tree = repo.head().ok().and_then(|head| head.peel_to_tree().ok());
    let mut options = diff_options();
    let diff = match repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut options)) {
        Ok(diff) => diff,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot diff the index: {}", err.message()),
            ))
        }
    };
    let changes = match collect_changes(diff) {
        Ok(changes) => changes,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot compute the staged change: {}", err.message()),
            ))
        }
    };
    let facts = if needs_tree_facts(judge, &changes) {
        let paths: Vec<String> = index
            .iter()
            .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
            .collect();
        let blobs: BTreeMap<String, git2::Oid> = index
            .iter()
            .map(|entry| (String::from_utf8_lossy(&entry.path).into_owned(), entry.id))
            .collect();
        tree_facts_from_git(judge, paths, &repo, |p| blobs.get(p).copied())
    } else {
        TreeFacts::default()
    };
    Ok(judge_changes(judge, &repo, changes, &facts))
}

fn diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options.context_lines(0).ignore_submodules(true);
    options
}

fn collect_changes(mut diff: git2::Diff<'_>) -> Result<Vec<Change>, git2::Error> {
    let mut find = git2::DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    // Both callbacks need the list; git2 calls them one at a time.
    let changes: std::cell::RefCell<Vec<Change>> = std::cell::RefCell::new(Vec::new());
    diff.foreach(
        &mut |delta, _| {
            if matches!(
                delta.status(),
                Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
            ) {
                let new = delta.new_file();
                changes.borrow_mut().push(Change {
                    path: new
                        .path_bytes()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default(),
                    blob: new.id(),
                    mode: u32::from(new.mode()),
                    placed: matches!(delta.status(), Delta::Added | Delta::Renamed | Delta::Copied),
                    added: Added::Lines(BTreeSet::new()),
                });
            }
            true
        },
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+' {
                let mut changes = changes.borrow_mut();
                if let (Some(number), Some(change)) = (line.new_lineno(), changes.last_mut()) {
                    let path = delta
                        .new_file()
                        .path_bytes()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default();
                    if change.path == path {
                        if let Added::Lines(lines) = &mut change.added {
                            lines.insert(number);
                        }
                    }
                }
            }
            true
        }),
    )?;
    Ok(changes.into_inner())
}

/// Every file path of a tree, for the tree facts.
fn tree_paths(tree: &Tree<'_>) -> Vec<String> {
    let mut paths = Vec::new();
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            let name = String::from_utf8_lossy(entry.name_bytes());
            paths.push(format!("{dir}{name}"));
        }
        git2::TreeWalkResult::Ok
    });
    paths
}

fn blob_of_tree(tree: &Tree<'_>, path: &str) -> Option<git2::Oid> {
    tree.get_path(Path::new(path)).ok().map(|entry| entry.id())
}

fn tree_facts_from_git(
    judge: &FileJudge<'_>,
    paths: Vec<String>,
    repo: &Repository,
    blob: impl Fn(&str) -> Option<git2::Oid>,
) -> TreeFacts {
    let infos: Vec<PathInfo> = paths.iter().map(|p| judge.classifier.classify(p)).collect();
    let mut facts = tree_facts(infos.iter());
    for info in &infos {
        if matches!(info.role, Role::DockerIgnore | Role::NpmIgnore) {
            let text = blob(&info.path)
                .and_then(|oid| repo.find_blob(oid).ok())
                .map(|b| String::from_utf8_lossy(b.content()).into_owned());
            if let Some(text) = text {
                facts.ignore_files.insert(info.path.clone(), text);
            }
        }
    }
    facts.paths = paths.into_iter().collect();
    facts
}

/// Judges changed files: path checks for files new at their path, content
/// checks with findings kept only on added lines.
fn judge_changes(judge: &FileJudge<'_>, repo: &Repository, changes: Vec<Change>, facts: &TreeFacts) -> Collected {
    let mut result = FileResult::default();
    for mut change in changes {
        result.stats.files_seen += 1;
        if change.mode == SYMLINK_MODE {
            result.stats.skipped_symlinks += 1;
            continue;
        }
        if judge.classifier.is_excluded(&change.path) {
            result.stats.skipped_excluded += 1;
            continue;
        }
        let info = judge.classifier.classify(&change.path);
        if change.placed {
            judge.judge_path(facts, &info, &mut result.findings);
        }
        if !judge.wants_content(&info) {
            continue;
        }
        let mut file_result = FileResult::default();
        match repo.find_blob(change.blob) {
            Ok(blob) => {
                judge.judge_content(facts, &info, blob.content(), &mut file_result);
                if file_result.findings.iter().any(|f| f.location.line > 0) {
                    change.added.resolve(repo, blob.content());
                }
            }
            Err(err) => file_result.findings.push(unreadable(&info.path, err.message())),
        }
        file_result.findings.retain(|finding| {
            finding.code().starts_with("LG9")
                || finding.location.line == 0 && (change.placed || deferred(&info))
                || finding.location.line > 0 && change.added.contains(finding.location.line)
        });
        result.stats.add(&file_result.stats);
        result.findings.extend(file_result.findings);
    }
    Collected {
        findings: result.findings,
        stats: result.stats,
        root: root_of(repo),
    }
}
