//! Requests per branch checked by `livegate protect`, cold and warm. Run as a
//! test it asserts the budget; `bench/protect-requests.sh` prints the table.
#![allow(clippy::print_stdout)]

mod support;

use support::fake_github::{rule, Classic, FakeGitHub, Repo, Ruleset, Scenario};
use support::livegate_env;

struct Measured {
    branches: usize,
    cold_requests: u64,
    warm_requests: u64,
    warm_quota: u64,
}

fn measure(branches: usize, classic: bool) -> Measured {
    let mut repo = Repo::new("acme/api");
    let names: Vec<String> = (0..branches)
        .map(|i| {
            if i == 0 {
                "main".to_owned()
            } else {
                format!("release/{i}")
            }
        })
        .collect();
    for name in &names {
        let protection = classic.then(|| Classic {
            approvals: Some(1),
            dismiss_stale: true,
            enforce_admins: true,
            ..Classic::default()
        });
        repo = repo.branch(name, protection);
    }
    repo = repo
        .ruleset(Ruleset::new(7, "reviews", vec![rule::pull_request(1, true, false, false, false)]).include(&["~ALL"]));
    let mut scenario = Scenario::new(repo);
    scenario.org_rulesets.push(
        Ruleset::new(
            90,
            "org guard",
            vec![rule::simple("deletion"), rule::simple("non_fast_forward")],
        )
        .include(&["~ALL"]),
    );
    let fake = FakeGitHub::start(scenario);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("livegate.toml"), "extends = \"baseline\"\n").unwrap();
    let cache = dir.path().join("cache");
    let mut args: Vec<String> = [
        "protect",
        "--repo",
        "acme/api",
        "--api-url",
        &fake.url,
        "--format",
        "json",
        "--cache-dir",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(cache.to_string_lossy().into_owned());
    for name in &names {
        args.push("--branch".to_owned());
        args.push(name.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env = [("GITHUB_TOKEN", "test-token")];
    let cold = livegate_env(dir.path(), &args, &env);
    assert_eq!(cold.code, 0, "{}{}", cold.stdout, cold.stderr);
    let cold_doc: serde_json::Value = serde_json::from_str(&cold.stdout).unwrap();
    let quota_before = fake.quota_used();
    let warm = livegate_env(dir.path(), &args, &env);
    assert_eq!(warm.code, 0);
    let warm_doc: serde_json::Value = serde_json::from_str(&warm.stdout).unwrap();
    Measured {
        branches,
        cold_requests: cold_doc["api"]["requests"].as_u64().unwrap(),
        warm_requests: warm_doc["api"]["requests"].as_u64().unwrap(),
        warm_quota: fake.quota_used() - quota_before,
    }
}

#[test]
fn requests_per_branch() {
    println!("branches  classic  cold requests  per branch  warm requests  warm quota-counted");
    for classic in [true, false] {
        for branches in [1, 3, 10] {
            let m = measure(branches, classic);
            println!(
                "{:>8}  {:>7}  {:>13}  {:>10.2}  {:>13}  {:>18}",
                m.branches,
                if classic { "yes" } else { "no" },
                m.cold_requests,
                m.cold_requests as f64 / m.branches as f64,
                m.warm_requests,
                m.warm_quota
            );
            // Per branch: classic protection + the branch's rules; per run:
            // the ruleset list and each ruleset once (two here). Explicit
            // branches need no repository call.
            assert_eq!(m.cold_requests, 2 * branches as u64 + 1 + 2);
            // Unchanged warm rerun: every answer is a 304, except GitHub's 404
            // "Branch not protected", which carries no ETag.
            let expected_warm = if classic { 0 } else { branches as u64 };
            assert_eq!(m.warm_quota, expected_warm);
        }
    }
}
