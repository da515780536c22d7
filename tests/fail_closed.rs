//! "Could not verify" is never a pass: every LG9xx path, in every format,
//! exits 3 and says `unverified`, and no baseline, severity, allow entry or
//! inline allow turns it into a pass.

mod support;

use std::path::{Path, PathBuf};

use support::fake_github::{FakeGitHub, FaultKind, Repo, Scenario};
use support::{git, livegate, livegate_env, Run, TestRepo};

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "markdown"];

/// A shallow clone whose `--diff` base is missing: LG903.
fn shallow_clone() -> (TestRepo, tempfile::TempDir, PathBuf, String) {
    let origin = TestRepo::new();
    origin.write("src/a.py", "x = 1\n");
    let first = origin.commit("one");
    origin.write("src/b.py", "y = 2\n");
    origin.commit("two");
    origin.write("src/c.py", "z = 3\n");
    origin.commit("three");
    let clone_dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone_dir.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let shallow = clone_dir.path().join("shallow");
    (origin, clone_dir, shallow, first)
}

fn corrupt_repository() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/a.py", "x = 1\n");
    repo.commit("one");
    std::fs::write(repo.path().join(".git/HEAD"), "garbage\n").unwrap();
    repo
}

/// What every format must show for an unverified run.
fn assert_unverified(run: &Run, format: &str, code: &str, what: &str) {
    assert_eq!(run.code, 3, "{what} --format {format}: {}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(code),
        "{what} --format {format} does not name {code}:\n{out}"
    );
    match format {
        "json" => {
            let doc: serde_json::Value = serde_json::from_str(out).unwrap();
            assert_eq!(doc["summary"]["result"], "unverified", "{what}");
        }
        "sarif" => {
            let doc: serde_json::Value = serde_json::from_str(out).unwrap();
            let results = doc["runs"][0]["results"].as_array().unwrap();
            assert!(
                results.iter().any(|r| r["ruleId"] == code && r["level"] == "error"),
                "{what}: {out}"
            );
        }
        _ => {
            let lower = out.to_lowercase();
            assert!(
                !lower.contains(": pass") && !lower.contains("result: pass") && !lower.contains("✅"),
                "{what} --format {format} reads as a pass:\n{out}"
            );
        }
    }
}

#[test]
fn every_scan_lg9xx_path_exits_3_in_every_format() {
    let (_origin, _dir, shallow, first) = shallow_clone();
    let corrupt = corrupt_repository();
    let range = format!("{first}..HEAD");
    let cases: [(&Path, Vec<&str>, &str, &str); 2] = [
        (&shallow, vec!["scan", "--diff", &range], "LG903", "shallow --diff"),
        (corrupt.path(), vec!["scan"], "LG901", "corrupt repository"),
    ];
    for (dir, args, code, what) in &cases {
        for format in FORMATS {
            let mut args = args.clone();
            args.extend(["--format", format]);
            let run = livegate(dir, &args);
            assert_unverified(&run, format, code, what);
        }
        // --fail-on never lowers "could not verify" to a pass.
        let mut args = args.clone();
        args.extend(["--fail-on", "error"]);
        assert_eq!(livegate(dir, &args).code, 3, "{what}");
    }
}

#[test]
fn a_baseline_never_accepts_could_not_verify() {
    let (_origin, dir, shallow, first) = shallow_clone();
    let range = format!("{first}..HEAD");
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    let recorded = livegate(&shallow, &["scan", "--diff", &range, "--write-baseline", baseline_arg]);
    assert_eq!(recorded.code, 3, "{}{}", recorded.stdout, recorded.stderr);
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(
        written["findings"].as_array().unwrap().len(),
        0,
        "LG903 was recorded: {written}"
    );
    // The machine formats say so too: the run exits 3 and reports it.
    let as_json = livegate(
        &shallow,
        &[
            "scan",
            "--diff",
            &range,
            "--write-baseline",
            baseline_arg,
            "--format",
            "json",
        ],
    );
    assert_eq!(as_json.code, 3, "{}{}", as_json.stdout, as_json.stderr);
    assert_eq!(as_json.json()["summary"]["result"], "unverified");

    // A hand-written entry for it matches nothing either.
    let json = livegate(&shallow, &["scan", "--diff", &range, "--format", "json"]);
    let finding = &json.json()["findings"][0];
    let forged = serde_json::json!({
        "version": written["version"],
        "findings": [{
            "code": "LG903",
            "path": finding["location"]["path"],
            "fingerprint": finding["fingerprint"],
            "message": finding["message"],
        }]
    });
    std::fs::write(&baseline, forged.to_string()).unwrap();
    let run = livegate(
        &shallow,
        &["scan", "--diff", &range, "--baseline", baseline_arg, "--format", "json"],
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.found()[0].0, "LG903");
}

#[test]
fn a_policy_cannot_turn_off_or_allow_could_not_verify() {
    let (_origin, _dir, shallow, first) = shallow_clone();
    let range = format!("{first}..HEAD");
    let cases = [
        (
            "[leaks]\nseverity = { LG903 = \"off\" }\n",
            "livegate.toml:2:",
            "cannot be turned off or lowered",
        ),
        (
            "[leaks]\n\n[leaks.severity]\nLG901 = \"note\"\n",
            "livegate.toml:4:",
            "cannot be turned off or lowered",
        ),
        (
            "[[leaks.allow]]\npath = \"**\"\ncode = \"LG903\"\nreason = \"shallow in CI\"\n",
            "livegate.toml:3:",
            "cannot be allowed",
        ),
    ];
    for (policy, location, message) in cases {
        std::fs::write(shallow.join("livegate.toml"), policy).unwrap();
        let run = livegate(&shallow, &["scan", "--diff", &range]);
        assert_eq!(run.code, 2, "{policy}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(location), "{policy}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{policy}: {}", run.stderr);
    }
}

#[test]
fn an_inline_allow_cannot_silence_could_not_verify() {
    // The allow sits in a scanned file; it must be reported, not obeyed.
    let repo = TestRepo::new();
    repo.write(
        "db/migrate/001.sql",
        "-- livegate: allow LG901 LG903 -- we know\nSELECT 1;\n",
    );
    repo.commit("one");
    let run = livegate(repo.path(), &["scan", "--format", "json"]);
    let found = run.found();
    assert!(
        found.iter().any(|(code, _, _)| code == "LG492"),
        "an allow naming LG9xx is reported: {found:?}"
    );
    let message = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "LG492")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(message.contains("cannot be suppressed"), "{message}");
}

#[test]
fn protect_could_not_verify_exits_3_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("livegate.toml"), "extends = \"baseline\"\n").unwrap();
    let fake =
        FakeGitHub::start(Scenario::new(Repo::new("acme/api")).fault("/rules/branches/", FaultKind::Status(502), 100));
    for format in FORMATS {
        let run = livegate_env(
            dir.path(),
            &[
                "protect",
                "--repo",
                "acme/api",
                "--api-url",
                &fake.url,
                "--no-cache",
                "--retries",
                "0",
                "--format",
                format,
            ],
            &[("GITHUB_TOKEN", "test-token")],
        );
        assert_unverified(&run, format, "LG913", "protect with GitHub answering 502");
    }
}
