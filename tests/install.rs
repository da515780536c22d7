//! Install routes that the README lists: `cargo install --locked --path .`
//! from a clean root, and the Python wheel (maturin, `bindings = "bin"`)
//! installed with pip into a fresh virtualenv. Both build with the debug
//! profile so that they reuse what is already compiled; the install paths are
//! the same as a release build's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[test]
fn cargo_install_from_the_repository_installs_a_working_binary() {
    let root = tempfile::tempdir().unwrap();
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("target"));
    let output = Command::new(env!("CARGO"))
        .args(["install", "--locked", "--debug", "--quiet", "--path"])
        .arg(manifest_dir)
        .arg("--root")
        .arg(root.path())
        .env("CARGO_TARGET_DIR", target_dir.join("install-test"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo install failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bin = root
        .path()
        .join("bin")
        .join(format!("livegate{}", std::env::consts::EXE_SUFFIX));
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("livegate "));
    let checks = Command::new(&bin).arg("checks").output().unwrap();
    assert!(checks.status.success());
    assert!(String::from_utf8_lossy(&checks.stdout).contains("LG201"));
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// `bin/` of a virtualenv (`Scripts\` on Windows).
fn venv_bin(venv: &Path, tool: &str) -> PathBuf {
    let dir = if cfg!(windows) { "Scripts" } else { "bin" };
    venv.join(dir).join(format!("{tool}{}", std::env::consts::EXE_SUFFIX))
}

fn run(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start ({e}); is it installed and on PATH?"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Removes the variables cargo sets for a test run, so that a nested cargo
/// build does not see them change and rebuild dependencies whose build
/// scripts watch them.
fn clear_cargo_test_env(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || name.starts_with("CARGO_CRATE_")
            || name.starts_with("CARGO_BIN_")
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// maturin, pinned in `.ci/build-requirements.txt`, from the virtualenv that
/// `.ci/run` sets up under target/ci-build; created here from the Python
/// package index when it is missing. Fails (never skips) when that cannot be
/// done: the wheel route would then be untested.
fn maturin() -> PathBuf {
    let requirements = manifest_dir().join(".ci/build-requirements.txt");
    let pinned = std::fs::read_to_string(&requirements)
        .expect(".ci/build-requirements.txt is readable")
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("maturin==")
                .map(|v| v.trim_end_matches(" \\").to_owned())
        })
        .expect(".ci/build-requirements.txt pins maturin==<version>");
    let venv = target_dir().join("ci-build");
    let maturin = venv_bin(&venv, "maturin");
    let installed = Command::new(&maturin)
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == format!("maturin {pinned}"))
        .unwrap_or(false);
    if !installed {
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (the wheel test needs Python 3 with venv; Debian: apt-get install python3-venv)",
        );
        run(
            Command::new(venv_bin(&venv, "python"))
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .args(["--require-hashes", "--only-binary", ":all:", "-r"])
                .arg(&requirements),
            "pip install -r .ci/build-requirements.txt (maturin from the Python package index; \
             .ci/run installs it, or run it yourself into target/ci-build)",
        );
    }
    maturin
}

#[test]
fn the_python_wheel_installs_a_working_livegate_with_pip() {
    let maturin = maturin();
    let work = tempfile::tempdir().unwrap();
    let wheels = work.path().join("wheels");
    run(
        clear_cargo_test_env(
            Command::new(&maturin)
                .args(["build", "--locked", "--quiet", "--compatibility", "linux", "--out"])
                .arg(&wheels)
                .arg("--manifest-path")
                .arg(manifest_dir().join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", target_dir().join("install-test")),
        ),
        "maturin build",
    );
    let built: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(built.len(), 1, "maturin built one wheel: {built:?}");
    let wheel = &built[0];
    let file_name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("livegate-{}-py3-none-", env!("CARGO_PKG_VERSION"));
    assert!(
        file_name.starts_with(&prefix) && file_name.ends_with(".whl"),
        "the wheel is named after the crate and its version, for any Python: {file_name}"
    );

    // A fresh virtualenv; the wheel has no dependencies, so no index is needed.
    let venv = work.path().join("venv");
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(venv_bin(&venv, "python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-index",
            ])
            .arg(wheel),
        "pip install <wheel>",
    );
    let livegate = venv_bin(&venv, "livegate");
    let version = run(
        Command::new(&livegate).arg("--version"),
        "livegate --version from the wheel",
    );
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("livegate {}", env!("CARGO_PKG_VERSION"))
    );
    let show = run(
        Command::new(venv_bin(&venv, "python")).args(["-m", "pip", "show", "livegate"]),
        "pip show livegate",
    );
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "{show}"
    );

    // A real scan of a real repository, with the binary pip put on the venv's PATH.
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        run(
            Command::new("git")
                .args(args)
                .current_dir(repo.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_AUTHOR_NAME", "Test Author")
                .env("GIT_AUTHOR_EMAIL", "author@livegate.invalid")
                .env("GIT_COMMITTER_NAME", "Test Author")
                .env("GIT_COMMITTER_EMAIL", "author@livegate.invalid"),
            "git",
        )
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.path().join("migrations")).unwrap();
    std::fs::write(
        repo.path().join("migrations/0002_seed.sql"),
        "INSERT INTO payment_cards (holder, number) VALUES ('Jo Bloggs', '4111 1111 1111 1111');\n",
    )
    .unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "seed"]);
    let path = std::env::join_paths(
        std::iter::once(livegate.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let scan = Command::new("livegate")
        .arg("scan")
        .arg(repo.path())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("livegate from the wheel is on the virtualenv's PATH");
    let stdout = String::from_utf8_lossy(&scan.stdout);
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert_eq!(
        scan.status.code(),
        Some(1),
        "a leak fails the scan:\n{stdout}\n{stderr}"
    );
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("LG414"), "{all}");
    assert!(all.contains("migrations/0002_seed.sql:1"), "{all}");
}
