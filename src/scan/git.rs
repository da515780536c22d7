//! Scans of git objects: a commit range (`--diff BASE..HEAD`) and the index
//! (`--staged`). Content comes from blobs, never from the working tree, so
//! what is judged is exactly what would be pushed or committed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Tree};

use super::{
    cap_per_file, deferred, tree_facts, Collected, FileJudge, FileResult, ScanError, Skip, BUILD_FILE_MAX_BYTES,
};
use crate::checks::leaks::content::is_production_data;
use crate::checks::leaks::docker_builds::is_build_reference;
use crate::checks::leaks::placement::arrived_from_test;
use crate::checks::leaks::{django, guards};
use crate::checks::leaks::{split_lines, TreeFacts};
use crate::classify::{PathInfo, Role};
use crate::registry::leaks::SUBMODULE_NOT_SCANNED;
use crate::registry::verification as verify;
use crate::report::finding::{Finding, Location};

const SYMLINK_MODE: u32 = 0o120000;
const GITLINK_MODE: u32 = 0o160000;

/// A changed file: its new path, blob, whether it is new here, where it
/// moved from, and the lines it adds.
struct Change {
    path: String,
    blob: Oid,
    mode: u32,
    placed: bool,
    /// For a move (an unchanged blob, or a namesake of one deleted file):
    /// the path it left.
    from: Option<String>,
    added: Added,
}

/// A submodule (gitlink) added or moved to another commit.
struct SubmoduleChange {
    path: String,
    old: Option<Oid>,
    new: Oid,
}

/// What a range or the index changes.
#[derive(Default)]
struct Changes {
    files: Vec<Change>,
    submodules: Vec<SubmoduleChange>,
}

/// Which lines of a changed file are new.
enum Added {
    /// The whole file (it did not exist before).
    All,
    /// Known line numbers (none for a pure rename).
    Lines(BTreeSet<u32>),
    /// Not computed yet: the file changed from this blob. Most changed files
    /// produce no finding, so the line diff is only made when one does.
    Against(Oid),
    /// Not computed yet: a new path whose file name matches one deleted
    /// blob. If at least half of its lines were in that blob it was moved
    /// and edited (git's rename similarity), and only its other lines are
    /// new; otherwise the whole file is.
    MovedFrom(Oid),
}

impl Added {
    /// Resolves `Against` and `MovedFrom` with a line diff of the two blobs.
    fn resolve(&mut self, objects: &Objects<'_>, new: &[u8]) {
        if let Added::MovedFrom(old) = *self {
            *self = match objects.blob(old) {
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
            *self = match objects.blob(old) {
                Ok(blob) => Added::Lines(added_lines(blob.content(), new)),
                // The old side cannot be read: count every line as new rather
                // than drop findings.
                Err(_) => Added::All,
            };
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

/// Reads git objects for the scans. libgit2 loops forever on a truncated
/// loose object (its inflate loop waits for output that never comes), which
/// hung `git push`; so every loose object is inflated and measured here,
/// in constant memory, before libgit2 reads it. Packed objects carry
/// checksums libgit2 verifies. Sizes come from the object header, so a
/// blob over the size limit is never read.
struct Objects<'r> {
    repo: &'r Repository,
    /// The object directory and its alternates.
    dirs: Vec<PathBuf>,
}

impl<'r> Objects<'r> {
    fn new(repo: &'r Repository) -> Self {
        let main = repo.path().join("objects");
        let mut dirs = vec![main.clone()];
        if let Ok(text) = std::fs::read_to_string(main.join("info").join("alternates")) {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    dirs.push(main.join(line));
                }
            }
        }
        Objects { repo, dirs }
    }

    fn loose_file(&self, oid: Oid) -> Option<PathBuf> {
        let hex = oid.to_string();
        self.dirs
            .iter()
            .map(|dir| dir.join(&hex[..2]).join(&hex[2..]))
            .find(|file| file.is_file())
    }

    /// Fails on a damaged loose object instead of letting libgit2 read it.
    fn verify(&self, oid: Oid) -> Result<(), git2::Error> {
        match self.loose_file(oid) {
            Some(file) => check_loose(&file).map_err(|why| damaged(oid, &why)),
            None => Ok(()),
        }
    }

    /// An object's size, from its header only.
    fn size(&self, oid: Oid) -> Result<u64, git2::Error> {
        match self.loose_file(oid) {
            Some(file) => open_loose(&file)
                .map(|(_, size)| size)
                .map_err(|why| damaged(oid, &why)),
            None => Ok(self.repo.odb()?.read_header(oid)?.0 as u64),
        }
    }

    fn tree(&self, oid: Oid) -> Result<Tree<'r>, git2::Error> {
        self.verify(oid)?;
        self.repo.find_tree(oid)
    }

    fn blob(&self, oid: Oid) -> Result<git2::Blob<'r>, git2::Error> {
        self.verify(oid)?;
        self.repo.find_blob(oid)
    }

    fn commit_tree(&self, oid: Oid) -> Result<Oid, git2::Error> {
        self.verify(oid)?;
        Ok(self.repo.find_commit(oid)?.tree_id())
    }
}

fn damaged(oid: Oid, why: &str) -> git2::Error {
    git2::Error::from_str(&format!("object {oid} is damaged: {why}"))
}

/// Opens a loose object past its header; returns the inflating reader and
/// the size the header states.
fn open_loose(file: &Path) -> Result<(flate2::read::ZlibDecoder<std::io::BufReader<std::fs::File>>, u64), String> {
    let reader = std::fs::File::open(file).map_err(|err| err.to_string())?;
    let mut inflate = flate2::read::ZlibDecoder::new(std::io::BufReader::new(reader));
    let mut header = Vec::new();
    let mut byte = [0u8];
    loop {
        match inflate.read(&mut byte) {
            Ok(0) => return Err("it ends inside its header".to_owned()),
            Ok(_) if byte[0] == 0 => break,
            Ok(_) => header.push(byte[0]),
            Err(err) => return Err(format!("its header does not inflate ({err})")),
        }
        if header.len() > 32 {
            return Err("it has no object header".to_owned());
        }
    }
    let header = String::from_utf8_lossy(&header);
    let size = header
        .split_once(' ')
        .and_then(|(_, size)| size.parse::<u64>().ok())
        .ok_or_else(|| format!("its header `{header}` is not `TYPE SIZE`"))?;
    Ok((inflate, size))
}

/// Inflates a whole loose object into nothing, checking it holds exactly
/// the bytes its header promises.
fn check_loose(file: &Path) -> Result<(), String> {
    let (mut inflate, size) = open_loose(file)?;
    let held = std::io::copy(&mut (&mut inflate).take(size.saturating_add(1)), &mut std::io::sink())
        .map_err(|err| format!("it does not inflate ({err})"))?;
    if held != size {
        return Err(format!(
            "it holds {held} bytes where its header says {size} (truncated or corrupt)"
        ));
    }
    Ok(())
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Blobs of deleted paths, for rename detection: by id and by file name,
/// each with the path it had.
#[derive(Default)]
struct Removed {
    blobs: HashMap<Oid, Vec<String>>,
    by_name: HashMap<String, Vec<(Oid, String)>>,
}

impl Removed {
    fn add(&mut self, oid: Oid, path: String) {
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        self.by_name.entry(name).or_default().push((oid, path.clone()));
        self.blobs.entry(oid).or_default().push(path);
    }
}

/// A blob that moved unchanged is a rename (no new lines); a new path whose
/// file name matches exactly one deleted file may be a rename with edits,
/// decided when it has findings.
fn detect_moves(changes: &mut Changes, removed: &Removed) {
    for change in &mut changes.files {
        if !matches!(change.added, Added::All) {
            continue;
        }
        if let Some(paths) = removed.blobs.get(&change.blob) {
            change.added = Added::Lines(BTreeSet::new());
            change.from = paths.first().cloned();
        } else if let Some([(old, from)]) = removed
            .by_name
            .get(change.path.rsplit('/').next().unwrap_or(&change.path))
            .map(Vec::as_slice)
        {
            change.added = Added::MovedFrom(*old);
            change.from = Some(from.clone());
        }
    }
}

/// The files `head` adds or changes over `base`, descending only into
/// subtrees whose ids differ: on a large tree with a small change this reads
/// a handful of tree objects instead of all of them. Deletions are not
/// changes to scan. A stack, not recursion: a tree can be nested deeper
/// than any thread's stack (30,000 levels is a few kilobytes of objects).
fn tree_changes(objects: &Objects<'_>, base: Option<Oid>, head: Oid) -> Result<Changes, git2::Error> {
    let mut changes = Changes::default();
    let mut removed = Removed::default();
    let mut pending: Vec<(String, Option<Oid>, Oid)> = vec![(String::new(), base, head)];
    while let Some((prefix, base, head)) = pending.pop() {
        let head = objects.tree(head)?;
        let base = base.map(|id| objects.tree(id)).transpose()?;
        for entry in head.iter() {
            let path = join(&prefix, &String::from_utf8_lossy(entry.name_bytes()));
            let old = base.as_ref().and_then(|b| b.get_name_bytes(entry.name_bytes()));
            if old
                .as_ref()
                .is_some_and(|o| o.id() == entry.id() && o.filemode() == entry.filemode())
            {
                continue;
            }
            let old_of = |kind: ObjectType| old.as_ref().filter(|o| o.kind() == Some(kind)).map(|o| o.id());
            match entry.kind() {
                Some(ObjectType::Tree) => pending.push((path.clone(), old_of(ObjectType::Tree), entry.id())),
                Some(ObjectType::Blob) => changes.files.push(Change {
                    path: path.clone(),
                    blob: entry.id(),
                    mode: entry.filemode() as u32,
                    placed: old_of(ObjectType::Blob).is_none(),
                    from: None,
                    added: old_of(ObjectType::Blob).map_or(Added::All, Added::Against),
                }),
                // Submodules are another repository's content: named, not scanned.
                Some(ObjectType::Commit) => changes.submodules.push(SubmoduleChange {
                    path: path.clone(),
                    old: old_of(ObjectType::Commit),
                    new: entry.id(),
                }),
                _ => {}
            }
            // What was here before and is of another kind now is gone.
            if let Some(old) = old.filter(|o| o.kind() != entry.kind()) {
                collect_removed(objects, path, old.id(), old.kind(), &mut removed)?;
            }
        }
        if let Some(base) = &base {
            for entry in base.iter() {
                if head.get_name_bytes(entry.name_bytes()).is_none() {
                    let path = join(&prefix, &String::from_utf8_lossy(entry.name_bytes()));
                    collect_removed(objects, path, entry.id(), entry.kind(), &mut removed)?;
                }
            }
        }
    }
    detect_moves(&mut changes, &removed);
    Ok(changes)
}

/// Every blob at or under a deleted entry.
fn collect_removed(
    objects: &Objects<'_>,
    path: String,
    oid: Oid,
    kind: Option<ObjectType>,
    out: &mut Removed,
) -> Result<(), git2::Error> {
    let mut pending = vec![(path, oid, kind)];
    while let Some((path, oid, kind)) = pending.pop() {
        match kind {
            Some(ObjectType::Blob) => out.add(oid, path),
            Some(ObjectType::Tree) => {
                for child in objects.tree(oid)?.iter() {
                    pending.push((
                        join(&path, &String::from_utf8_lossy(child.name_bytes())),
                        child.id(),
                        child.kind(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Every entry of a tree that is not a tree: path → (id, mode). Iterative,
/// for the same reason as `tree_changes`.
fn flatten_tree(objects: &Objects<'_>, root: Oid) -> Result<BTreeMap<String, (Oid, u32)>, git2::Error> {
    let mut out = BTreeMap::new();
    let mut pending = vec![(String::new(), root)];
    while let Some((prefix, oid)) = pending.pop() {
        for entry in objects.tree(oid)?.iter() {
            let path = join(&prefix, &String::from_utf8_lossy(entry.name_bytes()));
            if entry.kind() == Some(ObjectType::Tree) {
                pending.push((path, entry.id()));
            } else {
                out.insert(path, (entry.id(), entry.filemode() as u32));
            }
        }
    }
    Ok(out)
}

/// What the index changes over HEAD (`None`: an unborn branch), with the
/// same change model and move detection as a range.
fn index_changes(objects: &Objects<'_>, head: Option<Oid>, index: &git2::Index) -> Result<Changes, git2::Error> {
    let old = head
        .map(|tree| flatten_tree(objects, tree))
        .transpose()?
        .unwrap_or_default();
    let mut changes = Changes::default();
    let mut present = HashSet::new();
    for entry in index.iter() {
        let path = lossy(&entry.path);
        // A conflicted path has several stages; the first one stands for it.
        if !present.insert(path.clone()) {
            continue;
        }
        let before = old.get(&path).copied();
        if before == Some((entry.id, entry.mode)) {
            continue;
        }
        if entry.mode == GITLINK_MODE {
            changes.submodules.push(SubmoduleChange {
                path,
                old: before.filter(|(_, mode)| *mode == GITLINK_MODE).map(|(id, _)| id),
                new: entry.id,
            });
            continue;
        }
        let old_blob = before.filter(|(_, mode)| *mode != GITLINK_MODE).map(|(id, _)| id);
        changes.files.push(Change {
            path,
            blob: entry.id,
            mode: entry.mode,
            placed: old_blob.is_none(),
            from: None,
            added: old_blob.map_or(Added::All, Added::Against),
        });
    }
    let mut removed = Removed::default();
    for (path, (oid, mode)) in old {
        if mode != GITLINK_MODE && !present.contains(&path) {
            removed.add(oid, path);
        }
    }
    detect_moves(&mut changes, &removed);
    Ok(changes)
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

/// The tree a revision names. Its commit is peeled by libgit2; the tree
/// itself is read through `Objects`, which checks it first.
fn resolve_tree(repo: &Repository, spec: &str) -> Result<Oid, git2::Error> {
    let object = repo.revparse_single(spec)?;
    if object.kind() == Some(ObjectType::Tree) {
        return Ok(object.id());
    }
    Ok(object.peel_to_commit()?.tree_id())
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
    let objects = Objects::new(&repo);
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
        match ids.and_then(|id| objects.commit_tree(id)) {
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
    Ok(scan_trees(judge, &objects, Some(base_tree), head_tree, &range))
}

/// Scans the change from `base` (None: the empty tree, a new root) to `head`.
fn scan_trees(judge: &FileJudge<'_>, objects: &Objects<'_>, base: Option<Oid>, head: Oid, range: &str) -> Collected {
    let unreadable_range = |err: git2::Error| {
        could_not_verify(
            objects.repo,
            &verify::REPOSITORY_UNREADABLE,
            format!("cannot compute the diff {range}: {}", err.message()),
        )
    };
    let changes = match tree_changes(objects, base, head) {
        Ok(changes) => changes,
        Err(err) => return unreadable_range(err),
    };
    let facts = if needs_tree_facts(judge, &changes.files) {
        let entries = match flatten_tree(objects, head) {
            Ok(entries) => entries,
            Err(err) => return unreadable_range(err),
        };
        let blobs: BTreeMap<String, Oid> = entries
            .into_iter()
            .filter(|(_, (_, mode))| *mode != GITLINK_MODE)
            .map(|(path, (oid, _))| (path, oid))
            .collect();
        tree_facts_from_git(judge, blobs, objects)
    } else {
        TreeFacts::default()
    };
    judge_changes(judge, objects, changes, &facts)
}

/// Commits being pushed: `base` is what the remote already has (None for
/// history the remote has none of), `head` the commit pushed.
pub(super) fn scan_push(
    judge: &FileJudge<'_>,
    path: &Path,
    base: Option<Oid>,
    head: Oid,
) -> Result<Collected, ScanError> {
    let repo = match open(path) {
        Ok(repo) => repo,
        Err(collected) => return Ok(*collected),
    };
    detach_index(&repo);
    let objects = Objects::new(&repo);
    let range = format!("{}..{head}", base.map_or("(root)".to_owned(), |b| b.to_string()));
    let head_tree = match objects.commit_tree(head) {
        Ok(tree) => tree,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot read pushed commit {head}: {}", err.message()),
            ))
        }
    };
    let base_tree = match base.map(|base| objects.commit_tree(base)).transpose() {
        Ok(tree) => tree,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot read {range}: {}", err.message()),
            ))
        }
    };
    Ok(scan_trees(judge, &objects, base_tree, head_tree, &range))
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
    let objects = Objects::new(&repo);
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
    let head_tree = repo
        .head()
        .ok()
        .and_then(|head| head.peel_to_commit().ok())
        .map(|commit| commit.tree_id());
    let changes = match index_changes(&objects, head_tree, &index) {
        Ok(changes) => changes,
        Err(err) => {
            return Ok(could_not_verify(
                &repo,
                &verify::REPOSITORY_UNREADABLE,
                format!("cannot compute the staged change: {}", err.message()),
            ))
        }
    };
    let facts = if needs_tree_facts(judge, &changes.files) {
        let blobs: BTreeMap<String, Oid> = index
            .iter()
            .filter(|entry| entry.mode != GITLINK_MODE)
            .map(|entry| (lossy(&entry.path), entry.id))
            .collect();
        tree_facts_from_git(judge, blobs, &objects)
    } else {
        TreeFacts::default()
    };
    Ok(judge_changes(judge, &objects, changes, &facts))
}

/// Tree facts from every path of a tree or the index, with its blob.
fn tree_facts_from_git(judge: &FileJudge<'_>, blobs: BTreeMap<String, Oid>, objects: &Objects<'_>) -> TreeFacts {
    let infos: Vec<PathInfo> = blobs.keys().map(|p| judge.classifier.classify(p)).collect();
    let mut facts = tree_facts(infos.iter());
    for info in &infos {
        if matches!(info.role, Role::DockerIgnore | Role::NpmIgnore) {
            let text = blobs
                .get(&info.path)
                .and_then(|oid| objects.blob(*oid).ok())
                .map(|b| String::from_utf8_lossy(b.content()).into_owned());
            if let Some(text) = text {
                facts.ignore_files.insert(info.path.clone(), text);
            }
        }
    }
    let builds_dockerfiles = infos.iter().any(|info| info.role == Role::Dockerfile);
    for (path, oid) in blobs
        .iter()
        .filter(|(path, _)| builds_dockerfiles && is_build_reference(path))
    {
        let Ok(blob) = objects.blob(*oid) else {
            continue;
        };
        if blob.content().len() as u64 <= BUILD_FILE_MAX_BYTES {
            facts
                .build_files
                .insert(path.clone(), String::from_utf8_lossy(blob.content()).into_owned());
        }
    }
    if infos.iter().any(django::is_settings_module) {
        for (path, oid) in blobs.iter().filter(|(path, _)| django::is_settings_selector(path)) {
            let Ok(blob) = objects.blob(*oid) else {
                continue;
            };
            if blob.content().len() as u64 <= BUILD_FILE_MAX_BYTES {
                let text = String::from_utf8_lossy(blob.content());
                if django::worth_keeping(path, &text) {
                    facts.settings_files.insert(path.clone(), text.into_owned());
                }
            }
        }
    }
    if infos.iter().any(guards::is_seed_helper) {
        for (path, oid) in blobs.iter().filter(|(path, _)| guards::is_seed_entry(path)) {
            let Ok(blob) = objects.blob(*oid) else {
                continue;
            };
            if blob.content().len() as u64 <= BUILD_FILE_MAX_BYTES {
                facts
                    .seed_entries
                    .insert(path.clone(), String::from_utf8_lossy(blob.content()).into_owned());
            }
        }
    }
    facts.paths = blobs.into_keys().collect();
    facts
}

/// A git object that could not be read: nothing about the file is known.
fn object_unreadable(path: &str, oid: Oid, err: &git2::Error) -> Finding {
    Finding::new(
        &verify::REPOSITORY_UNREADABLE,
        Location::file(path),
        format!("cannot read blob {oid} of this file: {}; run `git fsck`", err.message()),
    )
}

/// Judges changed files: path checks for files new at their path, content
/// checks with findings kept only on added lines; submodules are named.
fn judge_changes(judge: &FileJudge<'_>, objects: &Objects<'_>, changes: Changes, facts: &TreeFacts) -> Collected {
    let mut result = FileResult::default();
    for mut change in changes.files {
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
            let from = change.from.as_deref().map(|from| judge.classifier.classify(from));
            let before = result.findings.len();
            judge.judge_path(facts, &info, &mut result.findings);
            if let Some(moved) = from.as_ref().and_then(|from| arrived_from_test(from, &info)) {
                // The path checks may already name the file (by its name or folder).
                let named = result.findings[before..].iter().any(|f| f.code() == moved.code());
                if !named {
                    result.findings.push(moved);
                }
            }
            // Content that arrives in a production data path (added, copied,
            // or moved from outside one) is new there, every line of it.
            if is_production_data(&info) && !from.as_ref().is_some_and(is_production_data) {
                change.added = Added::All;
            }
        }
        if !judge.wants_content(&info) {
            continue;
        }
        let mut file_result = FileResult::default();
        match objects.size(change.blob) {
            Ok(size) if size > judge.max_file_size => judge.skip(&info, Skip::Large(size), &mut file_result),
            Ok(_) => match objects.blob(change.blob) {
                Ok(blob) => {
                    judge.judge_content(facts, &info, blob.content(), &mut file_result);
                    if file_result.findings.iter().any(|f| f.location.line > 0) {
                        change.added.resolve(objects, blob.content());
                    }
                }
                Err(err) => file_result
                    .findings
                    .push(object_unreadable(&info.path, change.blob, &err)),
            },
            Err(err) => file_result
                .findings
                .push(object_unreadable(&info.path, change.blob, &err)),
        }
        file_result.findings.retain(|finding| {
            finding.code().starts_with("LG9")
                || finding.location.line == 0 && (change.placed || deferred(&info))
                || finding.location.line > 0 && change.added.contains(finding.location.line)
        });
        cap_per_file(&info.path, &mut file_result.findings);
        result.stats.add(&file_result.stats);
        result.findings.extend(file_result.findings);
    }
    for submodule in changes.submodules {
        if judge.classifier.is_excluded(&submodule.path) {
            result.stats.skipped_excluded += 1;
            continue;
        }
        let message = match submodule.old {
            Some(old) => format!(
                "submodule `{}` moved from commit {old} to {}; its content is another repository's and was not scanned",
                submodule.path, submodule.new
            ),
            None => format!(
                "submodule `{}` added at commit {}; its content is another repository's and was not scanned",
                submodule.path, submodule.new
            ),
        };
        result.findings.push(Finding::new(
            &SUBMODULE_NOT_SCANNED,
            Location::file(&submodule.path),
            message,
        ));
    }
    Collected {
        findings: result.findings,
        stats: result.stats,
        root: root_of(objects.repo),
    }
}
