//! Shared helpers for integration tests: real git repositories in temp dirs
//! and a way to run the built binary on them.
#![allow(dead_code)]

pub mod deploy_history;
pub mod fake_checks;
pub mod fake_deploy;
pub mod fake_github;
pub mod fake_pulls;
pub mod fake_settings;
pub mod openapi;
pub mod webhooks;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

/// Runs git with a fixed identity and no user or system configuration, so
/// tests behave the same on every machine.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@livegate.invalid")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@livegate.invalid")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl TestRepo {
    /// An empty repository with `main` as its initial branch.
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        git(dir.path(), &["init", "-q", "-b", "main"]);
        TestRepo { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
        self
    }

    pub fn git(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&git(self.path(), args).stdout)
            .trim()
            .to_owned()
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// `(code, path, line)` of every finding in a JSON report.
    pub fn found(&self) -> Vec<(String, String, u64)> {
        let json = self.json();
        json["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap_or_default().to_owned(),
                    f["location"]["path"].as_str().unwrap_or_default().to_owned(),
                    f["location"]["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_livegate"))
}

/// Runs livegate in `dir` with `args`.
pub fn livegate(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("livegate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs livegate with a clean GitHub environment plus `env`.
pub fn livegate_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(bin());
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("livegate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `livegate audit --org acme` against a fake GitHub at `api_url`, with the
/// flags every organisation-scale test uses (no cache, unknown settings
/// allowed, archived repositories included, no colour) plus `extra`.
pub fn audit_acme(dir: &Path, api_url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "audit",
        "--org",
        "acme",
        "--api-url",
        api_url,
        "--no-cache",
        "--allow-unknown",
        "--include-archived",
        "--color",
        "never",
    ];
    args.extend_from_slice(extra);
    livegate_env(dir, &args, &[("GITHUB_TOKEN", "test-token")])
}
