//! The informational commands: checks, explain, policy show/validate, docs.

mod support;

use support::{livegate, TestRepo};

#[test]
fn checks_lists_every_registered_check_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let run = livegate(dir.path(), &["checks", "--format", "json"]);
    assert_eq!(run.code, 0);
    let list = run.json();
    assert_eq!(list["livegate_checks"], 1, "the JSON layout is versioned");
    let codes: Vec<&str> = list["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = livegate::registry::registry().iter().map(|m| m.code).collect();
    assert_eq!(codes, registry);
    let human = livegate(dir.path(), &["checks"]);
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l.starts_with("LG412  warning  test-file-in-production")),
        "{}",
        human.stdout
    );
}

#[test]
fn explain_accepts_code_or_id_and_covers_every_section() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["LG414", "lg414", "migration-inserts-test-data"] {
        let run = livegate(dir.path(), &["explain", key]);
        assert_eq!(run.code, 0, "{key}");
        for section in [
            "What it detects:",
            "Why it matters:",
            "Example:",
            "How to fix:",
            "How to suppress or accept:",
        ] {
            assert!(run.stdout.contains(section), "{key}: missing {section}\n{}", run.stdout);
        }
        assert!(run
            .stdout
            .starts_with("LG414 migration-inserts-test-data (error by default)"));
        // The same link as the human report's `= docs:` line.
        let docs = run.stdout.lines().last().unwrap();
        assert!(docs.starts_with("Documentation: "), "{docs}");
        assert!(docs.ends_with("docs/checks-leaks.md#lg414"), "{docs}");
    }
    // The advice fits the family: inline allows and [[leaks.allow]] are for
    // leaks only; protection and settings are accepted in the policy.
    let leak = livegate(dir.path(), &["explain", "LG414"]).stdout;
    assert!(
        leak.contains("livegate: allow LG414") && leak.contains("[[leaks.allow]]"),
        "{leak}"
    );
    for code in ["LG101", "LG501"] {
        let text = livegate(dir.path(), &["explain", code]).stdout;
        let advice = &text[text.find("How to suppress or accept:").unwrap()..];
        assert!(
            !advice.contains("[[leaks.allow]]") && !advice.contains("livegate: allow"),
            "{code}: {advice}"
        );
        assert!(advice.contains("policy"), "{code}: {advice}");
    }
    let unverified = livegate(dir.path(), &["explain", "LG903"]).stdout;
    assert!(unverified.contains("cannot be suppressed"), "{unverified}");
    let unknown = livegate(dir.path(), &["explain", "LG999"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("livegate checks"), "{}", unknown.stderr);
}

#[test]
fn policy_show_merges_repo_file_over_preset() {
    let repo = TestRepo::new();
    repo.write(
        "livegate.toml",
        "extends = \"strict\"\n[review]\nrequired-approvals = 3\n",
    );
    let run = livegate(repo.path(), &["policy", "show"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("# from preset:strict\n# from "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("required-approvals = 3"), "{}", run.stdout);
    assert!(run.stdout.contains("min-permission = \"maintain\""), "{}", run.stdout);
    let preset = livegate(repo.path(), &["policy", "show", "--preset", "baseline"]);
    assert!(preset.stdout.contains("CIS"), "{}", preset.stdout);
    let bad = livegate(repo.path(), &["policy", "show", "--preset", "lax"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--preset: unknown preset `lax`"), "{}", bad.stderr);
}

#[test]
fn policy_validate_reports_ok_or_the_position() {
    let repo = TestRepo::new();
    repo.write(".github/livegate.toml", "extends = \"baseline\"\n");
    let ok = livegate(repo.path(), &["policy", "validate"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("ok (layers: preset:baseline <- "), "{}", ok.stdout);
    repo.write("bad.toml", "[settings]\nvisibility = \"secret\"\n");
    let bad = livegate(repo.path(), &["policy", "validate", "bad.toml"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bad.toml:2:"), "{}", bad.stderr);
    let none = livegate(TestRepo::new().path(), &["policy", "validate"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("no policy file found"), "{}", none.stderr);
}

#[test]
fn checked_in_docs_match_the_registry() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for (name, content) in livegate::docs::pages() {
        let on_disk = std::fs::read_to_string(docs.join(&name)).unwrap_or_default();
        assert!(
            on_disk == content,
            "docs/{name} is stale: run `cargo run -- gen-docs docs`"
        );
    }
}

#[test]
fn completions_cover_every_command_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = livegate(dir.path(), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for command in ["scan", "protect", "pr", "audit", "hook", "explain"] {
            assert!(run.stdout.contains(command), "{shell} completion lacks {command}");
        }
    }
    assert!(livegate(dir.path(), &["completions", "bash"])
        .stdout
        .contains("--fail-on"));
    let bad = livegate(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("tcsh"), "{}", bad.stderr);
}

#[test]
fn numeric_flags_out_of_range_are_refused_naming_the_flag() {
    let repo = TestRepo::new();
    let online = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        "http://127.0.0.1:9",
        "--no-cache",
    ];
    for (flag, value) in [
        ("--timeout", "18446744073709551615"),
        ("--timeout", "0"),
        ("--budget", "18446744073709551615"),
        ("--max-rate-limit-wait", "18446744073709551615"),
        ("--retries", "4294967295"),
    ] {
        let mut args = online.to_vec();
        args.extend([flag, value]);
        let run = livegate(repo.path(), &args);
        assert_eq!(run.code, 2, "{flag} {value}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{flag}: {}", run.stderr);
    }
    for value in ["100000", "0"] {
        let run = livegate(repo.path(), &["scan", "--threads", value]);
        assert_eq!(run.code, 2, "--threads {value}: {}", run.stderr);
        assert!(run.stderr.contains("--threads"), "{}", run.stderr);
    }
}

#[test]
fn a_closed_standard_error_is_not_a_panic() {
    let repo = TestRepo::new();
    // A usage error writes only to standard error, which nobody reads.
    let mut child = std::process::Command::new(support::bin())
        .args(["protect", "--repo", "not-a-repo"])
        .current_dir(repo.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{status:?}");
}
