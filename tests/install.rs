//! The README's `cargo install --locked --path .` works from a clean root and
//! installs a working binary. The debug profile is used so that the build
//! reuses what the test run already compiled; the install path is the same.

use std::path::Path;
use std::process::Command;

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
