//! The pre-push hook with real git: a bare remote in a temp dir, a clone,
//! `livegate hook install`, and real `git push` commands.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{bin, git, livegate, TestRepo};

struct Setup {
    _remote: tempfile::TempDir,
    work: TestRepo,
}

/// Runs git with the hook able to find the binary under test.
fn push(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .arg("push")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LIVEGATE_BIN", bin())
        .output()
        .expect("git push runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn remote_has(setup: &Setup, branch: &str) -> bool {
    let out = Command::new("git")
        .args([
            "--git-dir",
            setup._remote.path().to_str().unwrap(),
            "rev-parse",
            "--verify",
            "-q",
            &format!("refs/heads/{branch}"),
        ])
        .output()
        .unwrap();
    out.status.success()
}

/// A bare remote with `main` already pushed (before the hook exists) and a
/// clone that knows the remote's default branch.
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
    let install = livegate(work.path(), &["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    Setup { _remote: remote, work }
}

#[test]
fn clean_feature_branch_is_pushed() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "feature"]);
    s.work.write("src/app.py", "print('hello')\n");
    s.work.commit("greet");
    let out = push(s.work.path(), &["-q", "origin", "feature"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(remote_has(&s, "feature"));
}

#[test]
fn leaking_commits_are_refused_and_no_verify_escapes() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "seed-officers"]);
    s.work.write(
        "db/migrations/0002_officers.sql",
        "INSERT INTO officers VALUES ('pc.test@example.com');\n",
    );
    s.work.commit("add officers");
    let out = push(s.work.path(), &["-q", "origin", "seed-officers"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("error[LG414]"), "{text}");
    assert!(text.contains("db/migrations/0002_officers.sql:1"), "{text}");
    assert!(text.contains("--no-verify"), "{text}");
    assert!(!remote_has(&s, "seed-officers"));
    let forced = push(s.work.path(), &["-q", "--no-verify", "origin", "seed-officers"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
}

#[test]
fn direct_push_to_the_default_branch_is_refused() {
    let s = setup();
    s.work.write("src/app.py", "print('direct')\n");
    s.work.commit("direct change");
    let out = push(s.work.path(), &["-q", "origin", "main"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("pushing directly to protected branch `main` on origin is refused"),
        "{text}"
    );
    assert!(text.contains("open a pull request"), "{text}");
}

#[test]
fn deleting_a_protected_branch_is_refused_but_others_may_go() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "tmp"]);
    s.work.write("src/b.py", "x = 1\n");
    s.work.commit("tmp");
    assert!(push(s.work.path(), &["-q", "origin", "tmp"]).status.success());
    let delete_tmp = push(s.work.path(), &["-q", "origin", ":tmp"]);
    assert!(delete_tmp.status.success(), "{}", stderr(&delete_tmp));
    let delete_main = push(s.work.path(), &["-q", "origin", ":main"]);
    assert!(!delete_main.status.success());
    assert!(
        stderr(&delete_main).contains("deleting protected branch `main`"),
        "{}",
        stderr(&delete_main)
    );
}

#[test]
fn new_branch_is_judged_on_its_own_commits_only() {
    let s = setup();
    // Old leak already on the remote (pushed past the hook).
    s.work.write(
        "db/migrations/0001_old.sql",
        "INSERT INTO t VALUES ('old@example.com');\n",
    );
    s.work.commit("old leak");
    assert!(push(s.work.path(), &["-q", "--no-verify", "origin", "main"])
        .status
        .success());
    s.work.git(&["checkout", "-q", "-b", "docs-fix"]);
    s.work.write("src/app.py", "print('fixed')\n");
    s.work.commit("clean change");
    let out = push(s.work.path(), &["-q", "origin", "docs-fix"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn several_refs_in_one_push_and_tags() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "good"]);
    s.work.write("src/ok.py", "x = 1\n");
    s.work.commit("ok");
    s.work.git(&["tag", "v1.0"]);
    s.work.git(&["checkout", "-q", "-b", "bad"]);
    s.work.write("config/production.yml", "debug: true\n");
    s.work.commit("debug on");
    let out = push(s.work.path(), &["-q", "origin", "good", "bad", "v1.0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("LG451"), "{}", stderr(&out));
    // git refuses the whole push when the hook fails.
    assert!(!remote_has(&s, "good"));
    let ok = push(s.work.path(), &["-q", "origin", "good", "v1.0"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn force_push_is_judged_on_what_it_adds() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "topic"]);
    s.work.write("src/a.py", "a = 1\n");
    s.work.commit("a");
    assert!(push(s.work.path(), &["-q", "origin", "topic"]).status.success());
    s.work.git(&["reset", "-q", "--hard", "HEAD~1"]);
    s.work
        .write("src/main/java/acme/LedgerTest.java", "class LedgerTest {}\n");
    s.work.commit("rewritten");
    let out = push(s.work.path(), &["-q", "--force", "origin", "topic"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("LG411"), "{}", stderr(&out));
}

fn hooks_path(repo: &TestRepo) -> PathBuf {
    repo.path().join(".git/hooks")
}

#[test]
fn install_keeps_a_foreign_hook_and_uninstall_restores_it() {
    let repo = TestRepo::new();
    let hook = hooks_path(&repo).join("pre-push");
    std::fs::create_dir_all(hooks_path(&repo)).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho foreign-hook-ran >&2\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let refused = livegate(repo.path(), &["hook", "install"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert!(std::fs::read_to_string(&hook).unwrap().contains("foreign-hook-ran"));

    let forced = livegate(repo.path(), &["hook", "install", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains(livegate::commands::hook::MARKER));
    assert!(hooks_path(&repo).join("pre-push.livegate-chained").exists());

    let removed = livegate(repo.path(), &["hook", "uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(std::fs::read_to_string(&hook).unwrap().contains("foreign-hook-ran"));
    assert!(!hooks_path(&repo).join("pre-push.livegate-chained").exists());
}

#[test]
fn chained_hook_runs_before_livegate_on_push() {
    let s = setup();
    let hooks = s.work.path().join(".git/hooks");
    // Replace livegate's hook with a foreign one, then install over it.
    livegate(s.work.path(), &["hook", "uninstall"]);
    std::fs::write(
        hooks.join("pre-push"),
        "#!/bin/sh\nwhile read l; do echo \"foreign saw: $l\" >&2; done\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(hooks.join("pre-push"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(livegate(s.work.path(), &["hook", "install", "--force"]).code, 0);
    s.work.git(&["checkout", "-q", "-b", "x"]);
    s.work.write("config/production.yml", "debug: true\n");
    s.work.commit("debug");
    let out = push(s.work.path(), &["-q", "origin", "x"]);
    let text = stderr(&out);
    assert!(text.contains("foreign saw: refs/heads/x"), "{text}");
    assert!(text.contains("LG451"), "{text}");
    assert!(!out.status.success());
}

#[test]
fn install_honours_core_hooks_path() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.hooksPath", "githooks"]);
    let run = livegate(repo.path(), &["hook", "install"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(repo.path().join("githooks/pre-push").exists());
    assert!(!hooks_path(&repo).join("pre-push").exists());
}

#[test]
fn garbage_on_stdin_is_a_protocol_error() {
    let repo = TestRepo::new();
    repo.write("a.txt", "x");
    repo.commit("a");
    let mut child = Command::new(bin())
        .args(["hook", "pre-push", "origin", "url"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"not a pre-push line\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pre-push input line 1"), "{}", stderr(&out));
}

#[test]
fn a_hook_that_merely_contains_the_marker_is_not_livegates() {
    let repo = TestRepo::new();
    let hook = hooks_path(&repo).join("pre-push");
    std::fs::create_dir_all(hooks_path(&repo)).unwrap();
    let foreign = format!(
        "#!/bin/sh\n{}\n# our own pre-push checks\n./scripts/check.sh\n",
        livegate::commands::hook::MARKER
    );
    std::fs::write(&hook, &foreign).unwrap();
    let refused = livegate(repo.path(), &["hook", "install"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let kept = livegate(repo.path(), &["hook", "uninstall"]);
    assert_eq!(kept.code, 2, "{}", kept.stderr);
    assert!(kept.stderr.contains("not the hook livegate wrote"), "{}", kept.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    // livegate's own hook, edited by hand, is no longer livegate's either.
    std::fs::remove_file(&hook).unwrap();
    assert_eq!(livegate(repo.path(), &["hook", "install"]).code, 0);
    let edited = std::fs::read_to_string(&hook).unwrap() + "echo extra\n";
    std::fs::write(&hook, &edited).unwrap();
    assert_eq!(livegate(repo.path(), &["hook", "uninstall"]).code, 2);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), edited);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_hook_is_kept_and_restored_exactly() {
    let repo = TestRepo::new();
    let hook = hooks_path(&repo).join("pre-push");
    std::fs::create_dir_all(hooks_path(&repo)).unwrap();
    let target = PathBuf::from("../../tools/hooks/pre-push-not-there");
    std::os::unix::fs::symlink(&target, &hook).unwrap();

    let refused = livegate(repo.path(), &["hook", "install"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(std::fs::read_link(&hook).unwrap(), target, "the link was replaced");

    let forced = livegate(repo.path(), &["hook", "install", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    let chained = hooks_path(&repo).join("pre-push.livegate-chained");
    assert_eq!(std::fs::read_link(&chained).unwrap(), target);

    let removed = livegate(repo.path(), &["hook", "uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(std::fs::read_link(&hook).unwrap(), target, "not restored exactly");
    assert!(std::fs::symlink_metadata(&chained).is_err());
}

#[test]
fn a_tracked_hook_file_gets_no_machine_path_and_a_warning() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.hooksPath", ".husky"]);
    assert_eq!(livegate(repo.path(), &["hook", "install"]).code, 0);
    let hook = repo.path().join(".husky/pre-push");
    let first = std::fs::read_to_string(&hook).unwrap();
    assert!(
        first.contains(&bin().display().to_string()),
        "untracked: this machine's binary\n{first}"
    );
    repo.commit("share the hook");

    let run = livegate(repo.path(), &["hook", "install"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("tracked by git"), "{}", run.stderr);
    let shared = std::fs::read_to_string(&hook).unwrap();
    assert!(!shared.contains(&bin().display().to_string()), "{shared}");
    assert!(shared.contains("bin=${LIVEGATE_BIN:-'livegate'}"), "{shared}");
}

#[test]
fn push_sees_a_leak_after_a_lone_carriage_return() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "cr"]);
    s.work.write("data/customers.csv", "name\rcard\nok\n");
    s.work.commit("data");
    let first = push(s.work.path(), &["-q", "origin", "cr"]);
    assert!(first.status.success(), "{}", stderr(&first));
    s.work.write("data/customers.csv", "name\rcard\nok\n4242424242424242\n");
    s.work.commit("add a card");
    let out = push(s.work.path(), &["-q", "origin", "cr"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("data/customers.csv:3"), "{}", stderr(&out));
}

#[test]
fn push_of_a_fixture_renamed_into_migrations_is_refused() {
    let s = setup();
    s.work.git(&["checkout", "-q", "-b", "fixture"]);
    s.work.write(
        "tests/fixtures/users.sql",
        "INSERT INTO users VALUES ('pc.test@example.com');\n",
    );
    s.work.commit("fixture");
    let first = push(s.work.path(), &["-q", "origin", "fixture"]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::create_dir_all(s.work.path().join("db/migrate")).unwrap();
    s.work
        .git(&["mv", "tests/fixtures/users.sql", "db/migrate/20240101000000_users.sql"]);
    s.work.commit("promote the fixture");
    let out = push(s.work.path(), &["-q", "origin", "fixture"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("error[LG414]"), "{}", stderr(&out));
}
