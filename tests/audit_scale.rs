//! Audit scale: requests per repository cold, the share of 304s on an
//! unchanged rerun, and wall time, against the fake GitHub with injected
//! latency. The small case runs with `cargo test`; the 1,000-repository case
//! (50 ms per request) is `#[ignore]`d and run by `bench/audit-scale.sh`.
#![allow(clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};

use support::fake_github::{FakeGitHub, Scenario};
use support::{audit_acme, livegate_env};

struct Measured {
    repos: u64,
    cold_requests: u64,
    cold_seconds: f64,
    warm_requests: u64,
    warm_304: u64,
    warm_seconds: f64,
}

fn measure(repos: usize, latency_ms: u64, concurrency: usize) -> Measured {
    let scenario = Scenario::org_with_repos("acme", repos).latency(Duration::from_millis(latency_ms));
    let fake = FakeGitHub::start(scenario);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let concurrency = concurrency.to_string();
    let args = [
        "audit",
        "--org",
        "acme",
        "--api-url",
        &fake.url,
        "--format",
        "json",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--concurrency",
        &concurrency,
        "--allow-unknown",
        "--include-archived",
    ];
    let env = [("GITHUB_TOKEN", "test-token")];
    let started = Instant::now();
    let cold = livegate_env(dir.path(), &args, &env);
    let cold_seconds = started.elapsed().as_secs_f64();
    assert!(cold.code == 0 || cold.code == 1, "{}\n{}", cold.stdout, cold.stderr);
    let cold_doc: serde_json::Value = serde_json::from_str(&cold.stdout).unwrap();
    assert_eq!(cold_doc["audited"].as_u64().unwrap(), repos as u64, "{}", cold.stderr);
    let started = Instant::now();
    let warm = livegate_env(dir.path(), &args, &env);
    let warm_seconds = started.elapsed().as_secs_f64();
    let warm_doc: serde_json::Value = serde_json::from_str(&warm.stdout).unwrap();
    Measured {
        repos: repos as u64,
        cold_requests: cold_doc["api"]["requests"].as_u64().unwrap(),
        cold_seconds,
        warm_requests: warm_doc["api"]["requests"].as_u64().unwrap(),
        warm_304: warm_doc["api"]["conditional_hits"].as_u64().unwrap(),
        warm_seconds,
    }
}

fn report(m: &Measured) {
    println!("repos  cold requests  per repo  cold s  warm requests  answered 304  share  warm s");
    println!(
        "{:>5}  {:>13}  {:>8.2}  {:>6.1}  {:>13}  {:>12}  {:>4.0}%  {:>6.1}",
        m.repos,
        m.cold_requests,
        m.cold_requests as f64 / m.repos as f64,
        m.cold_seconds,
        m.warm_requests,
        m.warm_304,
        100.0 * m.warm_304 as f64 / m.warm_requests.max(1) as f64,
        m.warm_seconds
    );
}

fn assert_targets(m: &Measured) {
    assert!(
        m.cold_requests as f64 / m.repos as f64 <= 8.0,
        "{} requests for {} repositories",
        m.cold_requests,
        m.repos
    );
    assert!(
        m.warm_304 as f64 >= 0.8 * m.warm_requests as f64,
        "{} of {} answered 304",
        m.warm_304,
        m.warm_requests
    );
}

#[test]
fn fifty_repositories_stay_within_the_request_budget() {
    let m = measure(50, 5, 8);
    report(&m);
    assert_targets(&m);
}

#[test]
#[ignore = "the 1,000-repository benchmark: bench/audit-scale.sh"]
fn one_thousand_repositories_with_50ms_latency() {
    let m = measure(1000, 50, 16);
    report(&m);
    assert_targets(&m);
    assert!(m.cold_seconds < 60.0, "cold audit took {:.1}s", m.cold_seconds);
}

/// Peak resident memory (KiB, from GNU time) of an audit with a snapshot and
/// a baseline: the cold run writes the snapshot, the warm rerun reads it as
/// its baseline and writes a new one.
fn peak_memory(repos: usize, concurrency: usize, policy: Option<&str>) -> (u64, u64, usize) {
    let mut scenario = Scenario::org_with_repos("acme", repos);
    // Two uncached runs over thousands of repositories: more than an hour's
    // quota, which is not what this measures.
    scenario.quota = 1_000_000;
    let fake = FakeGitHub::start(scenario);
    let dir = tempfile::tempdir().unwrap();
    if let Some(policy) = policy {
        std::fs::write(dir.path().join("livegate.toml"), policy).unwrap();
    }
    let run = |extra: &[&str]| -> u64 {
        let report = dir.path().join("time.txt");
        let mut command = std::process::Command::new("/usr/bin/time");
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(env!("CARGO_BIN_EXE_livegate"))
            .args([
                "audit",
                "--org",
                "acme",
                "--api-url",
                &fake.url,
                "--no-cache",
                "--format",
                "json",
                "--output",
                dir.path().join("report.json").to_str().unwrap(),
                "--allow-unknown",
                "--concurrency",
                &concurrency.to_string(),
            ])
            .args(extra)
            .current_dir(dir.path())
            .env("GITHUB_TOKEN", "test-token");
        let status = command.status().expect("GNU time at /usr/bin/time");
        assert!(status.code().is_some_and(|c| c <= 1), "{status}");
        // GNU time writes "Command exited with non-zero status N" first when N > 0.
        let text = std::fs::read_to_string(&report).unwrap();
        text.lines().last().unwrap_or_default().trim().parse().unwrap()
    };
    let cold = run(&["--snapshot", "one.json"]);
    let warm = run(&["--baseline", "one.json", "--snapshot", "two.json"]);
    let findings = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    let findings: serde_json::Value = serde_json::from_str(&findings).unwrap();
    (cold, warm, findings["findings"].as_array().unwrap().len())
}

#[test]
#[ignore = "the memory benchmark: bench/audit-memory.sh"]
fn memory_grows_with_concurrency_not_with_the_organisation() {
    // The generated organisation against the standard preset has about three
    // findings per repository; against this policy about one in eight
    // repositories has one, which shows what the audit itself holds.
    let lenient =
        "extends = \"baseline\"\n[settings]\nvisibility = \"public\"\noutside-collaborators-max = \"admin\"\n\
                   actions-can-approve-pull-requests = true\nrequire-two-factor = false\n";
    println!("repos  concurrency  policy    findings  peak cold MiB  peak with baseline MiB");
    for (policy, text) in [("lenient", Some(lenient)), ("standard", None)] {
        for (repos, concurrency) in [(250, 8), (1000, 8), (4000, 8), (1000, 32)] {
            let (cold, warm, findings) = peak_memory(repos, concurrency, text);
            println!(
                "{repos:>5}  {concurrency:>11}  {policy:<8}  {findings:>8}  {:>13.1}  {:>22.1}",
                cold as f64 / 1024.0,
                warm as f64 / 1024.0
            );
        }
    }
}

/// The human report of a 300-repository organisation audit, and its line count.
fn human_report(extra: &[&str]) -> (usize, String) {
    let fake = FakeGitHub::start(Scenario::org_with_repos("acme", 300));
    let dir = tempfile::tempdir().unwrap();
    let run = audit_acme(dir.path(), &fake.url, extra);
    assert!(run.code == 0 || run.code == 1, "{}\n{}", run.stdout, run.stderr);
    (run.stdout.lines().count(), run.stdout)
}

#[test]
fn three_hundred_repositories_read_grouped_by_check() {
    let (grouped, text) = human_report(&[]);
    let (per_finding, listing) = human_report(&["--group-by", "repo"]);
    println!("human report of a 300-repository audit: {grouped} lines grouped by check, {per_finding} per finding");
    // Each check's help once in the default (grouped) view, once per finding
    // in the per-repository one.
    let help = "= help: Settings → Code security → Secret scanning → Enable (and Push protection).";
    assert_eq!(text.matches(help).count(), 1, "{text}");
    assert!(listing.matches(help).count() > 100, "{listing}");
    // Every repository with a finding is still named.
    for n in [0, 150, 299] {
        let repo = format!("acme/repo-{n:04}");
        assert_eq!(text.contains(&repo), listing.contains(&repo), "{repo}");
    }
    // The same verdict line closes both.
    assert_eq!(text.lines().last(), listing.lines().last());
    assert!(
        grouped * 3 < per_finding,
        "{grouped} grouped lines against {per_finding}"
    );
}
