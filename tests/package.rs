//! The crate as `cargo package` ships it: every file the source compiles in
//! (`include_str!`/`include_bytes!`) is in the package, and the cargo-binstall
//! metadata names the archives `release.yml` publishes. (`.ci/run` also runs
//! `cargo package --locked`, which builds the packaged crate.)

use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn packaged_files() -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--allow-dirty", "--quiet"])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo package --list failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b/../c` → `a/c`, relative to the repository root, with `/`.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.strip_prefix(root()).unwrap().components() {
        match component {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn every_file_the_source_compiles_in_is_packaged() {
    let packaged = packaged_files();
    for required in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(
            packaged.iter().any(|f| f == required),
            "{required} is not packaged: {packaged:?}"
        );
    }
    assert!(
        !packaged
            .iter()
            .any(|f| f.starts_with("tests/") || f.starts_with("target/")),
        "tests/ and target/ stay out of the package"
    );
    let literal = regex::Regex::new(r#"include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)"#).unwrap();
    let mut sources = Vec::new();
    rust_files(&root().join("src"), &mut sources);
    let mut compiled_in = 0;
    for source in &sources {
        let text = std::fs::read_to_string(source).unwrap();
        for capture in literal.captures_iter(&text) {
            let file = normalise(&source.parent().unwrap().join(&capture[1]));
            assert!(
                packaged.contains(&file),
                "{} compiles in {file}, which Cargo.toml's `include` leaves out of the package",
                normalise(source)
            );
            compiled_in += 1;
        }
    }
    assert!(
        compiled_in >= 3,
        "the policy presets are compiled in; found {compiled_in} inclusions"
    );
}

#[test]
fn binstall_metadata_names_the_release_archives() {
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let package = manifest["package"].as_table().unwrap();
    let binstall = package["metadata"]["binstall"].as_table().unwrap();
    let repo = package["repository"].as_str().unwrap();
    let (version, target) = ("0.1.0", "x86_64-unknown-linux-gnu");
    let fill = |template: &str| {
        template
            .replace("{ repo }", repo)
            .replace("{ name }", "livegate")
            .replace("{ version }", version)
            .replace("{ target }", target)
            .replace("{ archive-suffix }", ".tar.gz")
            .replace("{ bin }", "livegate")
            .replace("{ binary-ext }", "")
    };
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    assert_eq!(
        fill(binstall["pkg-url"].as_str().unwrap()),
        format!("{repo}/releases/download/v{version}/livegate-{version}-{target}.tar.gz")
    );
    assert_eq!(
        fill(binstall["bin-dir"].as_str().unwrap()),
        format!("livegate-{version}-{target}/livegate")
    );
    // What release.yml does: the tag is v<version>, each archive is
    // livegate-<version>-<target>.tar.gz holding livegate-<version>-<target>/livegate.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    for line in [
        r#"tags: ["v*"]"#,
        r#"version="${GITHUB_REF_NAME#v}""#,
        r#"name="livegate-$version-$TARGET""#,
        r#"cp "target/$TARGET/release/livegate$exe" "dist/$name/""#,
        r#"(cd dist && tar -czf "$name.tar.gz" "$name")"#,
    ] {
        assert!(
            release.contains(line),
            "release.yml no longer has `{line}`: update [package.metadata.binstall]"
        );
    }
}

fn version_tuple(version: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    parts.resize(3, 0);
    parts
}

/// `rust-version` is what the README, the crate and the container image
/// promise; a `cargo update` can lock a dependency that needs a newer Rust
/// (cargo then refuses to build on the declared one). Fix with
/// `CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo update -p <name>`.
#[test]
fn locked_dependencies_build_with_the_declared_rust_version() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let ours = packages.iter().find(|p| p["name"] == "livegate").unwrap();
    let declared = ours["rust_version"].as_str().expect("Cargo.toml declares rust-version");
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version_tuple(needs) > version_tuple(declared))
                .then(|| format!("{} {} needs Rust {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "Cargo.lock has dependencies that do not build with rust-version {declared}: {too_new:?}"
    );
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let major_minor: Vec<&str> = declared.split('.').take(2).collect();
    let build_image = format!("FROM rust:{}-", major_minor.join("."));
    assert!(
        dockerfile.lines().any(|l| l.starts_with(&build_image)),
        "the Dockerfile builds with `{build_image}…`, the declared rust-version"
    );
}
