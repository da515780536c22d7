//! The range's history: from the local clone — the landing commits
//! (first-parent history from the commit to deploy back to the baseline),
//! ancestry, and the files at a commit (the policy at the baseline, CODEOWNERS
//! at a merge's base) — or, without one, from the compare API's commits.

use git2::{Oid, Repository, Sort};

use crate::facts::provenance::LandingCommit;

/// Where GitHub looks for CODEOWNERS, in its order.
pub const CODEOWNERS_LOCATIONS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

pub struct LocalHistory {
    repo: Repository,
}

impl LocalHistory {
    pub fn open(path: &std::path::Path) -> Option<LocalHistory> {
        Repository::discover(path).ok().map(|repo| LocalHistory { repo })
    }

    /// The full id of a revision the clone has (a sha, a short sha, a ref).
    pub fn resolve(&self, spec: &str) -> Option<String> {
        let object = self.repo.revparse_single(spec).ok()?;
        object.peel_to_commit().ok().map(|c| c.id().to_string())
    }

    /// Whether the clone has a tag of that name.
    pub fn is_tag(&self, name: &str) -> bool {
        self.repo.find_reference(&format!("refs/tags/{name}")).is_ok()
    }

    pub fn has(&self, sha: &str) -> bool {
        Oid::from_str(sha).is_ok_and(|oid| self.repo.find_commit(oid).is_ok())
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors; `None` when
    /// the clone lacks either.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Option<bool> {
        if !(self.has(ancestor) && self.has(descendant)) {
            return None;
        }
        let (a, d) = (Oid::from_str(ancestor).ok()?, Oid::from_str(descendant).ok()?);
        if a == d {
            return Some(true);
        }
        self.repo.graph_descendant_of(d, a).ok()
    }

    /// The committer time of a commit, ISO 8601 UTC.
    pub fn committed_at(&self, sha: &str) -> Option<String> {
        let commit = self.repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
        Some(super::attest::iso8601(commit.time().seconds().max(0) as u64))
    }

    /// The first-parent history from `to` back to (not including) `from`,
    /// oldest first; `Err` when more than `cap` commits.
    pub fn landing_commits(&self, from: Option<&str>, to: &str, cap: usize) -> Result<Vec<LandingCommit>, String> {
        let mut walk = self.repo.revwalk().map_err(|e| e.to_string())?;
        walk.simplify_first_parent().map_err(|e| e.to_string())?;
        walk.set_sorting(Sort::TOPOLOGICAL).map_err(|e| e.to_string())?;
        walk.push(Oid::from_str(to).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{to}: {e}"))?;
        if let Some(from) = from {
            walk.hide(Oid::from_str(from).map_err(|e| e.to_string())?)
                .map_err(|e| format!("{from}: {e}"))?;
        }
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| e.to_string())?;
            if commits.len() == cap {
                return Err(format!(
                    "more than {cap} landing commits (--max-commits); pass --from or raise the cap"
                ));
            }
            let commit = self.repo.find_commit(oid).map_err(|e| format!("{oid}: {e}"))?;
            commits.push(self.landing(&commit).map_err(|e| format!("{oid}: {e}"))?);
        }
        commits.reverse();
        Ok(commits)
    }

    fn landing(&self, commit: &git2::Commit<'_>) -> Result<LandingCommit, git2::Error> {
        let message = String::from_utf8_lossy(commit.message_bytes());
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree()?),
            Err(_) => None,
        };
        let diff = self.repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().and_then(|p| p.to_str()) {
                    if !paths.iter().any(|known: &String| known == path) {
                        paths.push(path.to_owned());
                    }
                }
            }
        }
        Ok(landing_commit(
            commit.id().to_string(),
            commit.parent_count(),
            &message,
            paths,
        ))
    }

    /// A file's text at a commit, if it is there.
    pub fn file_at(&self, sha: &str, path: &str) -> Option<String> {
        let commit = self.repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
        let entry = commit.tree().ok()?.get_path(std::path::Path::new(path)).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// The first parent of a commit (the base a merge result was made on).
    pub fn first_parent(&self, sha: &str) -> Option<String> {
        let commit = self.repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
        Some(commit.parent(0).ok()?.id().to_string())
    }
}

/// A landing commit from its message (summary and `Reviewed-by:` trailers).
fn landing_commit(sha: String, parents: usize, message: &str, paths: Vec<String>) -> LandingCommit {
    LandingCommit {
        sha,
        parents,
        summary: message.lines().next().unwrap_or_default().to_owned(),
        reviewed_by_trailers: message
            .lines()
            .filter_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case("reviewed-by")
                    .then(|| value.trim().to_owned())
            })
            .collect(),
        paths,
        pull_requests: Vec::new(),
    }
}

/// The first-parent history from `to` back to `from` (or, when the history
/// was rewritten, to where the two meet) out of the commits the compare API
/// lists — which files each commit touched is not known: test data is then
/// reported for the range as a whole — oldest first.
pub fn landing_from_comparison(
    commits: &[(String, Vec<String>, String)],
    from: &str,
    merge_base: Option<&str>,
    to: &str,
    cap: usize,
) -> Result<Vec<LandingCommit>, String> {
    let by_sha: std::collections::HashMap<&str, &(String, Vec<String>, String)> =
        commits.iter().map(|c| (c.0.as_str(), c)).collect();
    let mut landing = Vec::new();
    let mut next = Some(to);
    while let Some(sha) = next.filter(|s| *s != from && Some(*s) != merge_base) {
        let Some((sha, parents, message)) = by_sha.get(sha).copied() else {
            return Err(format!(
                "the compare API does not list {sha}, on the way from {to} back to {from}"
            ));
        };
        if landing.len() == cap {
            return Err(format!(
                "more than {cap} landing commits (--max-commits); pass --from or raise the cap"
            ));
        }
        landing.push(landing_commit(sha.clone(), parents.len(), message, Vec::new()));
        next = parents.first().map(String::as_str);
    }
    landing.reverse();
    Ok(landing)
}

/// For each commit the compare API lists, the landing commit that brought
/// it onto the branch: itself, or the oldest landing merge whose other
/// parents reach it without leaving the range.
pub fn landed_with(
    commits: &[(String, Vec<String>, String)],
    landing: &[LandingCommit],
) -> std::collections::HashMap<String, String> {
    let parents: std::collections::HashMap<&str, &Vec<String>> = commits
        .iter()
        .map(|(sha, parents, _)| (sha.as_str(), parents))
        .collect();
    let mut owner: std::collections::HashMap<String, String> =
        landing.iter().map(|l| (l.sha.clone(), l.sha.clone())).collect();
    for merge in landing {
        let mut stack: Vec<&str> = parents
            .get(merge.sha.as_str())
            .map(|p| p.iter().skip(1).map(String::as_str).collect())
            .unwrap_or_default();
        while let Some(sha) = stack.pop() {
            if owner.contains_key(sha) || !parents.contains_key(sha) {
                continue;
            }
            owner.insert(sha.to_owned(), merge.sha.clone());
            stack.extend(parents[sha].iter().map(String::as_str));
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_commits_belong_to_the_merge_that_brought_them() {
        let c = |sha: &str, parents: &[&str]| {
            (
                sha.to_owned(),
                parents.iter().map(|p| p.to_string()).collect(),
                sha.to_owned(),
            )
        };
        // d ─ a ─ m(a, b2) ─ e, with b1 ─ b2 on the side; x is outside the range.
        let commits = vec![
            c("a", &["d"]),
            c("b1", &["x"]),
            c("b2", &["b1"]),
            c("m", &["a", "b2"]),
            c("e", &["m"]),
        ];
        let landing = landing_from_comparison(&commits, "d", None, "e", 10).unwrap();
        let owner = landed_with(&commits, &landing);
        assert_eq!(owner["b1"], "m");
        assert_eq!(owner["b2"], "m");
        assert_eq!(owner["a"], "a");
        assert!(!owner.contains_key("x"));
    }

    #[test]
    fn the_first_parent_path_is_rebuilt_from_compared_commits() {
        let c = |sha: &str, parents: &[&str]| {
            (
                sha.to_owned(),
                parents.iter().map(|p| p.to_string()).collect(),
                format!("{sha}\n\nReviewed-by: x"),
            )
        };
        // d ─ a ─ m(a, b) ─ e, with b on the side.
        let commits = vec![c("a", &["d"]), c("b", &["d"]), c("m", &["a", "b"]), c("e", &["m"])];
        let landing = landing_from_comparison(&commits, "d", None, "e", 10).unwrap();
        let shas: Vec<&str> = landing.iter().map(|l| l.sha.as_str()).collect();
        assert_eq!(shas, ["a", "m", "e"]);
        assert_eq!(landing[1].parents, 2);
        assert_eq!(landing[0].reviewed_by_trailers, ["x"]);
        assert!(landing_from_comparison(&commits, "d", None, "e", 2).is_err());
        assert!(landing_from_comparison(&commits[1..], "d", None, "e", 10).is_err());
        // Rewritten: the baseline x is gone, the walk stops where the histories meet.
        let landing = landing_from_comparison(&commits, "x", Some("d"), "e", 10).unwrap();
        assert_eq!(landing.len(), 3);
    }
}
