//! The git pre-push hook: git's protocol (remote name and URL as arguments,
//! one `<local ref> <local sha> <remote ref> <remote sha>` line per ref on
//! stdin), what each pushed ref adds, local branch policy, and installing or
//! removing the hook without destroying one that was already there.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use globset::GlobMatcher;

use crate::policy::{compile_glob, Policy};

/// First line after the shebang of every hook livegate writes.
pub const MARKER: &str = "# livegate-managed-hook v1";
/// Where a foreign hook goes when livegate is installed over it with --force.
pub const CHAINED_SUFFIX: &str = ".livegate-chained";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("pre-push input line {line}: {message}: `{text}`\n  hint: git sends `<local ref> <local sha> <remote ref> <remote sha>`; run this command only from git's pre-push hook")]
    Protocol {
        line: usize,
        text: String,
        message: &'static str,
    },
    #[error("{path}: {message}")]
    Install { path: String, message: String },
    #[error("not in a git repository ({0}); run this inside the repository")]
    NoRepository(String),
    #[error("{variable} {problem}\n  hint: `livegate hook pre-push --from-env` reads the push from the variables pre-commit sets for hooks with `stages: [pre-push]`; run it from pre-commit's pre-push stage (`pre-commit install --hook-type pre-push`), or run `livegate hook pre-push <remote> <url>` from git's own pre-push hook")]
    Environment { variable: &'static str, problem: String },
}

/// One line of pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub local_ref: String,
    pub local: Oid,
    pub remote_ref: String,
    pub remote: Oid,
}

impl RefUpdate {
    pub fn is_delete(&self) -> bool {
        self.local.is_zero()
    }

    pub fn is_new(&self) -> bool {
        self.remote.is_zero()
    }

    /// The branch name on the remote, for `refs/heads/...` refs.
    pub fn remote_branch(&self) -> Option<&str> {
        self.remote_ref.strip_prefix("refs/heads/")
    }

    /// The update as one line of git's pre-push input (what `parse_input` reads).
    pub fn to_line(&self) -> String {
        format!(
            "{} {} {} {}\n",
            self.local_ref, self.local, self.remote_ref, self.remote
        )
    }
}

fn parse_oid(text: &str) -> Option<Oid> {
    let hex = (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then(|| Oid::from_str(text).ok()).flatten()
}

/// Parses git's pre-push stdin strictly: anything unexpected is an error, not
/// a silently skipped ref.
pub fn parse_input(input: &str) -> Result<Vec<RefUpdate>, HookError> {
    let mut updates = Vec::new();
    for (index, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let error = |message| HookError::Protocol {
            line: index + 1,
            text: line.to_owned(),
            message,
        };
        let [local_ref, local, remote_ref, remote] = fields.as_slice() else {
            return Err(error("expected four space-separated fields"));
        };
        let local = parse_oid(local).ok_or_else(|| error("local sha is not a full object id"))?;
        let remote = parse_oid(remote).ok_or_else(|| error("remote sha is not a full object id"))?;
        if remote_ref.is_empty() || !remote_ref.starts_with("refs/") {
            return Err(error("remote ref is not a full ref name"));
        }
        updates.push(RefUpdate {
            local_ref: (*local_ref).to_owned(),
            local,
            remote_ref: (*remote_ref).to_owned(),
            remote,
        });
    }
    Ok(updates)
}

/// The variables pre-commit sets for hooks at its pre-push stage.
pub const ENV_FROM_REF: &str = "PRE_COMMIT_FROM_REF";
pub const ENV_TO_REF: &str = "PRE_COMMIT_TO_REF";
pub const ENV_REMOTE_NAME: &str = "PRE_COMMIT_REMOTE_NAME";
pub const ENV_REMOTE_BRANCH: &str = "PRE_COMMIT_REMOTE_BRANCH";
pub const ENV_LOCAL_BRANCH: &str = "PRE_COMMIT_LOCAL_BRANCH";

fn env_error(variable: &'static str, problem: impl Into<String>) -> HookError {
    HookError::Environment {
        variable,
        problem: problem.into(),
    }
}

/// What a variable may name besides a commit of this repository.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    /// The pushed commit; all zeros means a deletion, as in git's input.
    Pushed,
    /// What the remote had; all zeros means nothing, and a full object id
    /// this clone lacks is taken as given, as in git's input.
    Old,
    /// A local ref, which must name a commit.
    Ref,
}

fn commit_from_env(repo: &Repository, variable: &'static str, text: &str, named: Named) -> Result<Oid, HookError> {
    if let Some(oid) = parse_oid(text) {
        if oid.is_zero() && named != Named::Ref {
            return Ok(oid);
        }
        if named == Named::Old {
            return Ok(oid);
        }
    }
    repo.revparse_single(text)
        .and_then(|object| object.peel_to_commit())
        .map(|commit| commit.id())
        .map_err(|_| env_error(variable, format!("`{text}` does not name a commit in this repository")))
}

/// The push that pre-commit describes in its pre-push variables, as the one
/// ref update it stands for, with the remote's name. `var` reads a variable.
///
/// pre-commit (2.x and later) sets `PRE_COMMIT_REMOTE_NAME`, `_REMOTE_URL`,
/// `_REMOTE_BRANCH` (git's `<remote ref>`) and `_LOCAL_BRANCH` (git's
/// `<local ref>`) together, and `PRE_COMMIT_FROM_REF`/`_TO_REF` (the
/// remote's old commit or the last commit it already has, and the pushed
/// commit) unless the push carries a root commit, when it sets neither.
/// It describes only the first ref of a push that has commits to send, and
/// runs no hook for a push that only deletes.
pub fn update_from_env(
    repo: &Repository,
    var: impl Fn(&str) -> Option<String>,
) -> Result<(String, RefUpdate), HookError> {
    let get = |name: &str| var(name).filter(|value| !value.trim().is_empty());
    let required = |name: &'static str| {
        let value = get(name).ok_or_else(|| env_error(name, "is not set"))?;
        if value.chars().any(char::is_whitespace) {
            return Err(env_error(name, format!("`{value}` contains white space")));
        }
        Ok(value)
    };
    let remote = required(ENV_REMOTE_NAME)?;
    let remote_ref = required(ENV_REMOTE_BRANCH)?;
    // `pre-commit run --remote-branch main` passes whatever it is given.
    let remote_ref = if remote_ref.starts_with("refs/") {
        remote_ref
    } else {
        format!("refs/heads/{remote_ref}")
    };
    let local_ref = required(ENV_LOCAL_BRANCH)?;
    let (local, old) = match (get(ENV_FROM_REF), get(ENV_TO_REF)) {
        (Some(from), Some(to)) => (
            commit_from_env(repo, ENV_TO_REF, to.trim(), Named::Pushed)?,
            commit_from_env(repo, ENV_FROM_REF, from.trim(), Named::Old)?,
        ),
        // A whole new history: judged against what the remote already has.
        (None, None) => (
            commit_from_env(repo, ENV_LOCAL_BRANCH, &local_ref, Named::Ref)?,
            Oid::ZERO_SHA1,
        ),
        (Some(_), None) => return Err(env_error(ENV_TO_REF, format!("is not set but {ENV_FROM_REF} is"))),
        (None, Some(_)) => return Err(env_error(ENV_FROM_REF, format!("is not set but {ENV_TO_REF} is"))),
    };
    let update = RefUpdate {
        local_ref,
        local,
        remote_ref,
        remote: old,
    };
    Ok((remote, update))
}

/// What the remote already has of a pushed commit's history: the tips of the
/// remote's tracking refs and the remote's current value of the ref.
fn known_to_remote(repo: &Repository, remote: &str, update: &RefUpdate) -> Vec<Oid> {
    let mut tips = Vec::new();
    if let Ok(refs) = repo.references_glob(&format!("refs/remotes/{remote}/*")) {
        tips.extend(
            refs.flatten()
                .filter_map(|r| r.resolve().ok())
                .filter_map(|r| r.target()),
        );
    }
    if !update.is_new() && repo.find_commit(update.remote).is_ok() {
        tips.push(update.remote);
    }
    tips
}

/// The commit range a ref update adds: `(base, head)` where base is the last
/// commit the remote already has (None when the history is new to it).
/// `None` overall when the push adds no commit.
pub fn pushed_range(
    repo: &Repository,
    remote: &str,
    update: &RefUpdate,
) -> Result<Option<(Option<Oid>, Oid)>, git2::Error> {
    let head = repo.find_object(update.local, None)?.peel_to_commit()?.id();
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
    walk.push(head)?;
    for tip in known_to_remote(repo, remote, update) {
        // A tracking ref pointing at a tag or a pruned object is not history.
        let _ = walk.hide(tip);
    }
    let new: Vec<Oid> = walk.collect::<Result<_, _>>()?;
    let Some(oldest) = new.last() else {
        return Ok(None);
    };
    let base = repo.find_commit(*oldest)?.parent_ids().next();
    Ok(Some((base, head)))
}

/// The remote's default branch as this clone knows it (`refs/remotes/<remote>/HEAD`).
pub fn remote_default_branch(repo: &Repository, remote: &str) -> Option<String> {
    let head = repo.find_reference(&format!("refs/remotes/{remote}/HEAD")).ok()?;
    let target = head.symbolic_target().ok()??;
    target
        .strip_prefix(&format!("refs/remotes/{remote}/"))
        .map(str::to_owned)
}

/// Decides whether a branch is protected by the policy's `[branches] patterns`.
pub struct BranchRules {
    patterns: Vec<(String, Option<GlobMatcher>)>,
    default_branches: Vec<String>,
}

impl BranchRules {
    /// `default_branch` unknown means both `main` and `master` count as the default.
    pub fn new(policy: &Policy, default_branch: Option<String>) -> BranchRules {
        let patterns = policy
            .merged
            .branches
            .as_ref()
            .and_then(|b| b.patterns.as_ref())
            .map(|list| list.iter().map(|p| p.get_ref().clone()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let glob = compile_glob(&p).ok().map(|g| g.compile_matcher());
                (p, glob)
            })
            .collect();
        let default_branches = default_branch.map_or_else(|| vec!["main".to_owned(), "master".to_owned()], |b| vec![b]);
        BranchRules {
            patterns,
            default_branches,
        }
    }

    /// The pattern protecting `branch`, if any.
    pub fn protecting(&self, branch: &str) -> Option<&str> {
        self.patterns.iter().find_map(|(pattern, glob)| {
            let hit = match pattern.as_str() {
                "~ALL" => true,
                "~DEFAULT_BRANCH" => self.default_branches.iter().any(|b| b == branch),
                _ => glob.as_ref().is_some_and(|g| g.is_match(branch)),
            };
            hit.then_some(pattern.as_str())
        })
    }
}

/// Where git looks for hooks: `core.hooksPath` (relative to the work tree),
/// else the common git directory's `hooks/` (shared by linked worktrees).
pub fn hooks_dir(repo: &Repository) -> PathBuf {
    let configured = repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.path()).join(path),
        None => repo.commondir().join("hooks"),
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The hook script. It prefers the binary that installed it and falls back to
/// `livegate` on PATH; a chained foreign hook runs first, with the same input.
pub fn script(binary: &Path) -> String {
    format!(
        r#"#!/bin/sh
{MARKER}
# Runs `livegate hook pre-push`: scans the commits being pushed for test data
# leaks and refuses direct pushes to protected branches.
# Skip once: git push --no-verify. Remove: livegate hook uninstall.
bin=${{LIVEGATE_BIN:-{binary}}}
[ -x "$bin" ] || bin=livegate
chained="$(dirname "$0")/pre-push{CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
  input=$(cat)
  printf '%s\n' "$input" | "$chained" "$@" || exit $?
  printf '%s\n' "$input" | "$bin" hook pre-push "$@"
  exit $?
fi
exec "$bin" hook pre-push "$@"
"#,
        binary = shell_quote(&binary.to_string_lossy())
    )
}

/// The binary a hook script names, undoing `shell_quote`.
fn scripted_binary(text: &str) -> Option<String> {
    let quoted = text
        .lines()
        .find_map(|line| line.strip_prefix("bin=${LIVEGATE_BIN:-"))?
        .strip_suffix('}')?;
    let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace(r"'\''", "'"))
}

/// Whether livegate wrote this hook: exactly the script it writes, byte for
/// byte, for the binary the script names. Containing the marker is not
/// enough: a hook someone edited, or wrote around the marker, is theirs.
/// A symbolic link is never ours (livegate writes regular files).
fn is_ours(path: &Path) -> bool {
    let regular = std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_file());
    regular
        && std::fs::read_to_string(path)
            .is_ok_and(|text| scripted_binary(&text).is_some_and(|binary| text == script(Path::new(&binary))))
}

/// Whether `path` is a file the repository's index tracks.
pub fn is_tracked(repo: &Repository, path: &Path) -> bool {
    let (Some(workdir), Ok(index)) = (repo.workdir(), repo.index()) else {
        return false;
    };
    let workdir = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
    let path = path
        .parent()
        .and_then(|dir| dir.canonicalize().ok())
        .zip(path.file_name())
        .map_or_else(|| path.to_path_buf(), |(dir, name)| dir.join(name));
    path.strip_prefix(&workdir).is_ok_and(|relative| {
        let relative = relative.to_string_lossy().replace('\\', "/");
        index.get_path(Path::new(&relative), 0).is_some()
    })
}

/// Whether anything is at `path`, a dangling symbolic link included.
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn io_error(path: &Path, err: std::io::Error) -> HookError {
    HookError::Install {
        path: path.display().to_string(),
        message: err.to_string(),
    }
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    Fresh(PathBuf),
    Updated(PathBuf),
    /// Installed over a foreign hook, which now runs first.
    Chained {
        hook: PathBuf,
        chained: PathBuf,
    },
}

pub fn install(repo: &Repository, binary: &Path, force: bool) -> Result<Installed, HookError> {
    let dir = hooks_dir(repo);
    std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    let hook = dir.join("pre-push");
    let chained = dir.join(format!("pre-push{CHAINED_SUFFIX}"));
    let outcome = if !present(&hook) {
        Installed::Fresh(hook.clone())
    } else if is_ours(&hook) {
        Installed::Updated(hook.clone())
    } else if !force {
        return Err(HookError::Install {
            path: hook.display().to_string(),
            message: "a pre-push hook that livegate did not write is already there; rerun with --force to keep it and run it before livegate (it is moved aside, not deleted)".to_owned(),
        });
    } else if present(&chained) {
        return Err(HookError::Install {
            path: chained.display().to_string(),
            message: "already exists; livegate will not overwrite a saved hook. Move it away, then rerun".to_owned(),
        });
    } else {
        std::fs::rename(&hook, &chained).map_err(|e| io_error(&hook, e))?;
        Installed::Chained {
            hook: hook.clone(),
            chained,
        }
    };
    write_executable(&hook, &script(binary))?;
    Ok(outcome)
}

fn write_executable(path: &Path, text: &str) -> Result<(), HookError> {
    let tmp = path.with_extension("livegate-tmp");
    std::fs::write(&tmp, text).map_err(|e| io_error(&tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(|e| io_error(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    Removed(PathBuf),
    /// The foreign hook that was chained is back in place.
    Restored(PathBuf),
    NotInstalled,
}

pub fn uninstall(repo: &Repository) -> Result<Uninstalled, HookError> {
    let dir = hooks_dir(repo);
    let hook = dir.join("pre-push");
    let chained = dir.join(format!("pre-push{CHAINED_SUFFIX}"));
    if !present(&hook) {
        return Ok(Uninstalled::NotInstalled);
    }
    if !is_ours(&hook) {
        return Err(HookError::Install {
            path: hook.display().to_string(),
            message: "is not the hook livegate wrote (it was changed, or written by someone else); leaving it alone. \
                      Remove or edit it yourself"
                .to_owned(),
        });
    }
    if present(&chained) {
        std::fs::rename(&chained, &hook).map_err(|e| io_error(&chained, e))?;
        Ok(Uninstalled::Restored(hook))
    } else {
        std::fs::remove_file(&hook).map_err(|e| io_error(&hook, e))?;
        Ok(Uninstalled::Removed(hook))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_several_refs_including_new_and_deleted() {
        let input = format!("refs/heads/feature {A} refs/heads/feature {Z}\n(delete) {Z} refs/heads/old {A}\nrefs/tags/v1 {A} refs/tags/v1 {Z}\n");
        let updates = parse_input(&input).unwrap();
        assert_eq!(updates.len(), 3);
        assert!(updates[0].is_new() && !updates[0].is_delete());
        assert!(updates[1].is_delete());
        assert_eq!(updates[0].remote_branch(), Some("feature"));
        assert_eq!(updates[2].remote_branch(), None);
    }

    #[test]
    fn an_update_round_trips_through_the_input_line() {
        let updates = parse_input(&format!("HEAD {A} refs/heads/feature {Z}\n")).unwrap();
        assert_eq!(parse_input(&updates[0].to_line()).unwrap(), updates);
    }

    #[test]
    fn malformed_input_is_an_error_with_the_line() {
        let err = parse_input(&format!("refs/heads/a {A} refs/heads/a\n"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("pre-push input line 1: expected four"), "{err}");
        let err = parse_input(&format!("\nrefs/heads/a abc refs/heads/a {Z}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("pre-push input line 2: local sha"), "{err}");
        assert!(parse_input("").unwrap().is_empty());
    }

    #[test]
    fn branch_rules_resolve_default_branch_and_globs() {
        let policy = crate::policy::resolve(Some(
            crate::policy::parse(
                "p.toml",
                "[branches]\npatterns = [\"~DEFAULT_BRANCH\", \"release/*\"]\n",
            )
            .unwrap(),
        ))
        .unwrap();
        let known = BranchRules::new(&policy, Some("trunk".to_owned()));
        assert_eq!(known.protecting("trunk"), Some("~DEFAULT_BRANCH"));
        assert_eq!(known.protecting("main"), None);
        assert_eq!(known.protecting("release/1.2"), Some("release/*"));
        assert_eq!(known.protecting("release/1.2/hotfix"), None);
        let unknown = BranchRules::new(&policy, None);
        assert_eq!(unknown.protecting("master"), Some("~DEFAULT_BRANCH"));
    }

    #[test]
    fn script_quotes_the_binary_path() {
        let text = script(Path::new("/opt/it's here/livegate"));
        assert!(text.contains(r"'/opt/it'\''s here/livegate'"), "{text}");
        assert!(text.contains(MARKER));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Lines near the protocol: real refs and ids, and the ways they break.
        fn field() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("refs/heads/main".to_owned()),
                Just("HEAD".to_owned()),
                Just("1111111111111111111111111111111111111111".to_owned()),
                Just("0000000000000000000000000000000000000000".to_owned()),
                "[0-9a-f]{0,41}",
                "\\PC{0,12}",
                Just(String::new()),
            ]
        }

        fn input() -> impl Strategy<Value = String> {
            let line = prop::collection::vec(field(), 0..6).prop_map(|fields| fields.join(" "));
            let ending = prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("")];
            prop::collection::vec((line, ending), 0..6)
                .prop_map(|lines| lines.into_iter().map(|(line, end)| line + end).collect())
        }

        proptest! {
            #[test]
            fn pre_push_input_never_panics_and_errors_name_their_line(text in input()) {
                let lines = text.lines().count();
                match parse_input(&text) {
                    Ok(updates) => {
                        prop_assert!(updates.len() <= lines);
                        for update in updates {
                            prop_assert!(update.remote_ref.starts_with("refs/"));
                        }
                    }
                    Err(HookError::Protocol { line, text: shown, .. }) => {
                        prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
                        prop_assert_eq!(text.lines().nth(line - 1), Some(shown.as_str()));
                    }
                    Err(other) => prop_assert!(false, "unexpected error {}", other),
                }
            }

            #[test]
            fn arbitrary_text_on_stdin_never_panics(text in "\\PC*") {
                let _ = parse_input(&text);
            }
        }
    }
}
