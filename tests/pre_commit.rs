//! pre-commit framework support: `livegate hook pre-push --from-env` with the
//! variables pre-commit sets at its pre-push stage, and (slow, needs the Python
//! package index on its first run) `scripts/test-pre-commit.sh`, which runs the
//! real pre-commit tool against this repository's committed HEAD.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{bin, git, Run, TestRepo};

const ZERO: &str = "0000000000000000000000000000000000000000";
const CARD_INSERT: &str = "INSERT INTO payment_cards (holder, number) VALUES ('Jo Bloggs', '4111 1111 1111 1111');\n";

/// Runs `livegate hook pre-push --from-env` in `dir` with exactly the given
/// pre-commit variables (any inherited ones removed).
fn from_env(dir: &Path, vars: &[(&str, &str)]) -> Run {
    let mut command = Command::new(bin());
    command
        .args(["hook", "pre-push", "--from-env"])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    for name in [
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "PRE_COMMIT_REMOTE_NAME",
        "PRE_COMMIT_REMOTE_URL",
        "PRE_COMMIT_REMOTE_BRANCH",
        "PRE_COMMIT_LOCAL_BRANCH",
    ] {
        command.env_remove(name);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().expect("livegate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A clone of a bare remote whose `main` has one clean commit.
struct Setup {
    _remote: tempfile::TempDir,
    work: TestRepo,
}

fn setup() -> Setup {
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare", "-b", "main"]);
    let seed = TestRepo::new();
    seed.write("src/app.py", "print('hi')\n");
    seed.commit("initial");
    seed.git(&["push", "-q", remote.path().to_str().unwrap(), "main"]);
    let work = TestRepo {
        dir: tempfile::tempdir().unwrap(),
    };
    git(work.path(), &["clone", "-q", remote.path().to_str().unwrap(), "."]);
    Setup { _remote: remote, work }
}

/// The variables pre-commit sets for one ref of a push to `origin`.
fn vars<'a>(from: Option<&'a str>, to: Option<&'a str>, remote_branch: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", "/somewhere/remote.git"),
        ("PRE_COMMIT_REMOTE_BRANCH", remote_branch),
        ("PRE_COMMIT_LOCAL_BRANCH", "HEAD"),
    ];
    vars.extend(from.map(|from| ("PRE_COMMIT_FROM_REF", from)));
    vars.extend(to.map(|to| ("PRE_COMMIT_TO_REF", to)));
    vars
}

#[test]
fn without_pre_commit_variables_it_says_what_is_missing_and_where_to_run_it() {
    let s = setup();
    let run = from_env(s.work.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("PRE_COMMIT_REMOTE_NAME is not set"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pre-commit's pre-push stage"), "{}", run.stderr);

    let head = s.work.git(&["rev-parse", "HEAD"]);
    let mut partial = vars(None, Some(&head), "refs/heads/feature");
    partial.retain(|(name, _)| *name != "PRE_COMMIT_REMOTE_BRANCH");
    let run = from_env(s.work.path(), &partial);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("PRE_COMMIT_REMOTE_BRANCH is not set"),
        "{}",
        run.stderr
    );

    let run = from_env(s.work.path(), &vars(None, Some(&head), "refs/heads/feature"));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("PRE_COMMIT_FROM_REF is not set but PRE_COMMIT_TO_REF is"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_refs_name_the_variable() {
    let s = setup();
    let head = s.work.git(&["rev-parse", "HEAD"]);
    let run = from_env(
        s.work.path(),
        &vars(Some(&head), Some("no-such-rev"), "refs/heads/feature"),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("PRE_COMMIT_TO_REF `no-such-rev` does not name a commit"),
        "{}",
        run.stderr
    );
    let run = from_env(s.work.path(), &vars(Some("zzz"), Some(&head), "refs/heads/feature"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("PRE_COMMIT_FROM_REF `zzz`"), "{}", run.stderr);
    let run = from_env(s.work.path(), &vars(Some(&head), Some(&head), "refs/heads/a b"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("PRE_COMMIT_REMOTE_BRANCH"), "{}", run.stderr);
}

#[test]
fn a_new_branch_with_all_zeros_from_ref_is_judged_against_what_the_remote_has() {
    let s = setup();
    // An old leak already on the remote is not this push's business.
    s.work.write("db/migrations/0001_old.sql", CARD_INSERT);
    s.work.commit("old leak");
    s.work.git(&["push", "-q", "origin", "main"]);
    s.work.git(&["checkout", "-q", "-b", "feature"]);
    s.work.write("src/app.py", "print('clean')\n");
    let clean = s.work.commit("clean");
    let run = from_env(s.work.path(), &vars(Some(ZERO), Some(&clean), "refs/heads/feature"));
    assert_eq!(run.code, 0, "{}", run.stderr);

    s.work.write("migrations/0002_seed.sql", CARD_INSERT);
    let leak = s.work.commit("seed");
    let run = from_env(s.work.path(), &vars(Some(ZERO), Some(&leak), "refs/heads/feature"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[LG414]"), "{}", run.stderr);
    assert!(run.stderr.contains("migrations/0002_seed.sql:1"), "{}", run.stderr);
    assert!(!run.stderr.contains("0001_old.sql"), "{}", run.stderr);
    assert!(run.stderr.contains("livegate: push refused"), "{}", run.stderr);
}

#[test]
fn pre_commits_from_ref_for_a_new_branch_is_the_last_commit_the_remote_has() {
    let s = setup();
    let base = s.work.git(&["rev-parse", "HEAD"]);
    s.work.git(&["checkout", "-q", "-b", "feature"]);
    s.work.write("migrations/0002_seed.sql", CARD_INSERT);
    s.work.commit("seed");
    s.work.write("src/app.py", "print('later')\n");
    let head = s.work.commit("later");
    let run = from_env(s.work.path(), &vars(Some(&base), Some(&head), "refs/heads/feature"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("migrations/0002_seed.sql:1"), "{}", run.stderr);
    // Revisions, as `pre-commit run --from-ref origin/main --to-ref HEAD` passes them.
    let run = from_env(s.work.path(), &vars(Some("origin/main"), Some("HEAD"), "feature"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("migrations/0002_seed.sql:1"), "{}", run.stderr);
}

#[test]
fn a_direct_push_to_the_default_branch_is_refused() {
    let s = setup();
    let old = s.work.git(&["rev-parse", "HEAD"]);
    s.work.write("src/app.py", "print('direct')\n");
    let head = s.work.commit("direct");
    for branch in ["refs/heads/main", "main"] {
        let run = from_env(s.work.path(), &vars(Some(&old), Some(&head), branch));
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("pushing directly to protected branch `main` on origin is refused"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_new_history_without_from_and_to_refs_is_scanned_from_its_root() {
    // pre-commit sets neither ref when the push carries a root commit.
    let s = setup();
    s.work.git(&["checkout", "-q", "--orphan", "fresh"]);
    s.work.git(&["rm", "-q", "-r", "--cached", "."]);
    s.work.write("migrations/0002_seed.sql", CARD_INSERT);
    s.work.git(&["add", "migrations"]);
    s.work.git(&["commit", "-q", "-m", "fresh"]);
    let mut vars = vars(None, None, "refs/heads/fresh");
    vars.retain(|(name, _)| *name != "PRE_COMMIT_LOCAL_BRANCH");
    vars.push(("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/fresh"));
    let run = from_env(s.work.path(), &vars);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("migrations/0002_seed.sql:1"), "{}", run.stderr);
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Runs `scripts/test-pre-commit.sh <variant>`: the real pre-commit tool
/// against this repository's committed HEAD. Slow on a cold machine (a pinned
/// pre-commit from the Python package index, then a release build of livegate
/// by pre-commit); it fails, not skips, when the package index cannot be
/// reached.
fn real_pre_commit(variant: &str) {
    // One at a time: the variants share the pre-commit virtualenv (created on
    // the first run) and the cargo target directory, and three concurrent
    // first runs removed each other's half-made virtualenv.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test-pre-commit.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(variant)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("LIVEGATE_BIN")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scripts/test-pre-commit.sh {variant} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(&format!("pre-commit hooks ({variant}): all checks passed")),
        "{stdout}\n{stderr}"
    );
}

/// The `language: rust` hooks (`cargo install` by pre-commit).
#[test]
fn the_real_pre_commit_tool_runs_the_hooks_of_the_committed_head() {
    real_pre_commit("rust");
}

/// The `language: python` hooks: pre-commit pip-installs the repository, which
/// builds the wheel with maturin (the build backend, from the package index).
#[test]
fn the_real_pre_commit_tool_runs_the_python_hooks_of_the_committed_head() {
    real_pre_commit("python");
}

/// A `repo: local` python hook installing a prebuilt wheel (built from HEAD
/// with the maturin that .ci/run installs in target/ci-build): the route that
/// compiles nothing on the developer's machine.
#[test]
fn the_real_pre_commit_tool_runs_a_local_hook_from_a_prebuilt_wheel() {
    real_pre_commit("wheel");
}
