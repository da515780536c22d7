//! `livegate hook install|uninstall|pre-push`: the git pre-push hook. The
//! push protocol, the ranges a push adds and the hook files are `git_hook`.

mod git_hook;

use std::path::{Path, PathBuf};

use crate::cli::{HookAction, Verbosity};
use crate::report::finding::{sort_findings, Finding, Severity};
use crate::report::{self, Format, Report, ScanStats};
use crate::scan::{self, ScanMode, ScanOptions};

use git_hook as hook;
pub use git_hook::{CHAINED_SUFFIX, MARKER};

use super::shared::{load_policy, Outcome};

pub fn run(action: HookAction, verbosity: Verbosity) -> Outcome {
    let mut outcome = run_action(action, verbosity);
    // -q: what was installed or removed is not a finding or an error.
    if verbosity.quiet && outcome.exit == 0 {
        outcome.stdout.clear();
    }
    outcome
}

fn run_action(action: HookAction, verbosity: Verbosity) -> Outcome {
    let repo = match git2::Repository::discover(".") {
        Ok(repo) => repo,
        Err(err) => return Outcome::error(hook::HookError::NoRepository(err.message().to_owned())),
    };
    match action {
        HookAction::Install { force } => {
            // A hook file the repository tracks (core.hooksPath = .husky, say)
            // is shared: this machine's path to the binary does not belong in it.
            let shared = hook::is_tracked(&repo, &hook::hooks_dir(&repo).join("pre-push"));
            let binary = match std::env::current_exe() {
                Ok(path) if !shared => path,
                _ => PathBuf::from("livegate"),
            };
            let outcome = match hook::install(&repo, &binary, force) {
                Ok(hook::Installed::Fresh(path)) => Outcome {
                    stdout: format!("installed {}\n", path.display()),
                    ..Outcome::default()
                },
                Ok(hook::Installed::Updated(path)) => Outcome {
                    stdout: format!("updated {}\n", path.display()),
                    ..Outcome::default()
                },
                Ok(hook::Installed::Chained { hook, chained }) => Outcome {
                    stdout: format!(
                        "installed {}; the previous hook was moved to {} and runs first\n",
                        hook.display(),
                        chained.display()
                    ),
                    ..Outcome::default()
                },
                Err(err) => Outcome::error(err),
            };
            if shared && outcome.exit == 0 {
                let mut outcome = outcome;
                outcome.stderr.push_str(
                    "livegate: warning: the hook file is tracked by git, so it is shared with everyone who clones \
                     the repository: it runs `livegate` from PATH, not this machine's path to the binary. Review \
                     the change before committing it.\n",
                );
                return outcome;
            }
            outcome
        }
        HookAction::Uninstall => match hook::uninstall(&repo) {
            Ok(hook::Uninstalled::Removed(path)) => Outcome {
                stdout: format!("removed {}\n", path.display()),
                ..Outcome::default()
            },
            Ok(hook::Uninstalled::Restored(path)) => Outcome {
                stdout: format!("removed livegate's hook; restored the previous {}\n", path.display()),
                ..Outcome::default()
            },
            Ok(hook::Uninstalled::NotInstalled) => Outcome {
                stdout: "no pre-push hook installed\n".to_owned(),
                ..Outcome::default()
            },
            Err(err) => Outcome::error(err),
        },
        HookAction::PrePush { from_env: true, .. } => {
            match hook::update_from_env(&repo, |name| std::env::var(name).ok()) {
                Ok((remote, update)) => pre_push(&repo, &remote, &update.to_line(), verbosity),
                Err(err) => Outcome::error(err),
            }
        }
        HookAction::PrePush { remote, url: _, .. } => {
            let mut input = String::new();
            if let Err(err) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut input) {
                return Outcome::error(format!("cannot read the pre-push input: {err}"));
            }
            pre_push(&repo, &remote.unwrap_or_default(), &input, verbosity)
        }
    }
}

/// Judges a push: refuses direct pushes to protected branches, and scans what
/// each pushed ref adds. Everything goes to stderr, as git shows hook output.
pub fn pre_push(repo: &git2::Repository, remote: &str, input: &str, verbosity: Verbosity) -> Outcome {
    let root = repo
        .workdir()
        .map_or_else(|| repo.path().to_path_buf(), Path::to_path_buf);
    let policy = match load_policy(None, &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    let updates = match hook::parse_input(input) {
        Ok(updates) => updates,
        Err(err) => return Outcome::error(err),
    };
    let rules = hook::BranchRules::new(&policy, hook::remote_default_branch(repo, remote));
    let mut refused = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut stats = ScanStats::default();
    for update in &updates {
        if let Some(pattern) = update.remote_branch().and_then(|branch| rules.protecting(branch)) {
            let what = if update.is_delete() {
                "deleting"
            } else {
                "pushing directly to"
            };
            refused.push(format!(
                "livegate: {what} protected branch `{}` on {remote} is refused (policy [branches] patterns: `{pattern}`).\n  Push a branch and open a pull request instead: git push {remote} HEAD:refs/heads/<your-branch>\n  Emergency only: git push --no-verify skips this hook.",
                update.remote_branch().unwrap_or_default()
            ));
        }
        if update.is_delete() {
            continue;
        }
        let range = match hook::pushed_range(repo, remote, update) {
            Ok(Some(range)) => range,
            Ok(None) => continue,
            Err(err) => {
                return Outcome::error(format!(
                    "cannot work out what {} adds: {}",
                    update.local_ref,
                    err.message()
                ));
            }
        };
        let options = ScanOptions {
            path: root.clone(),
            mode: ScanMode::Push {
                base: range.0,
                head: range.1,
            },
            threads: 1,
            budget: crate::scan::DEFAULT_BUDGET,
        };
        match scan::scan(&policy, &options, None) {
            Ok(outcome) => {
                findings.extend(outcome.findings);
                stats.files_seen += outcome.stats.files_seen;
                stats.files_read += outcome.stats.files_read;
            }
            Err(err) => return Outcome::error(err),
        }
    }
    sort_findings(&mut findings);
    findings.dedup_by(|a, b| a.location == b.location && a.code() == b.code() && a.message == b.message);
    let report = Report {
        command: "pre-push",
        findings: &findings,
        stats: Some(&stats),
        fail_on: Severity::Error,
        details: None,
        details_markdown: None,
        extra: None,
        view: crate::report::view::View {
            quiet: verbosity.quiet,
            ..Default::default()
        },
        baseline_written: None,
    };
    let verdict = report.verdict();
    let mut stderr = if verbosity.verbose {
        super::shared::policy_note(&policy)
    } else {
        String::new()
    };
    if !findings.is_empty() {
        stderr.push_str(&report::render(Format::Human, &report, false));
    }
    for message in &refused {
        stderr.push_str(message);
        stderr.push('\n');
    }
    let exit = if verdict == report::Verdict::Unverified {
        verdict.exit_code()
    } else if !refused.is_empty() {
        1
    } else {
        verdict.exit_code()
    };
    if exit == 1 && refused.is_empty() {
        stderr.push_str("livegate: push refused: the commits add test data to production paths (see above). Fix them, or `git push --no-verify` to skip.\n");
    }
    Outcome {
        stdout: String::new(),
        stderr,
        exit,
    }
}
