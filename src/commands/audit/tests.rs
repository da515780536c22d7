//! Settings checks and drift on observed facts, one setting at a time:
//! compliant, not compliant, unknown.

use std::collections::BTreeMap;

use crate::checks::settings::drift::{compare_org, compare_repo, drift};
use crate::checks::settings::{allowed_visibility, evaluate_org, evaluate_repo};
use crate::facts::settings::{DeployKeyFacts, HookFacts, OrgSettings, RepoSettings, Snapshot};
use crate::facts::{Known, Unknown};
use crate::policy::model::SettingsSection;

fn standard() -> SettingsSection {
    let policy = crate::policy::resolve(None).unwrap();
    policy.merged.settings.unwrap()
}

fn compliant() -> RepoSettings {
    RepoSettings {
        full_name: "acme/api".to_owned(),
        visibility: "private".to_owned(),
        archived: false,
        fork: false,
        allow_forking: Some(false),
        topics: vec!["service".to_owned()],
        properties: BTreeMap::new(),
        secret_scanning: Known::Known(Some(true)),
        push_protection: Known::Known(Some(true)),
        admins: Known::Known(vec!["alice".to_owned()]),
        outside_collaborators: Known::Known(BTreeMap::from([("contractor".to_owned(), "read".to_owned())])),
        teams: Known::Known(BTreeMap::from([("devs".to_owned(), "push".to_owned())])),
        deploy_keys: Known::Known(vec![DeployKeyFacts {
            id: 1,
            title: "ci".to_owned(),
            read_only: true,
        }]),
        hooks: Known::Known(vec![HookFacts {
            id: 7,
            url: "https://ci.example.net/…".to_owned(),
            url_digest: "hmac-sha256:00".to_owned(),
            has_secret: true,
            insecure_ssl: false,
            active: true,
        }]),
        workflow: Known::Known(("read".to_owned(), false)),
        dependabot_alerts: Known::Known(true),
        codeowners: Known::Known(Some(Vec::new())),
        protection: None,
    }
}

fn codes(findings: &[crate::report::finding::Finding]) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = findings.iter().map(|f| f.code()).collect();
    codes.sort_unstable();
    codes
}

fn hidden() -> Unknown {
    Unknown {
        reason: "GET /repos/acme/api/hooks: 404 Not Found".to_owned(),
        permission: "Webhooks: read".to_owned(),
    }
}

#[test]
fn a_compliant_repository_has_no_findings() {
    assert_eq!(codes(&evaluate_repo(&standard(), &compliant())), Vec::<&str>::new());
}

#[test]
fn each_repository_setting_out_of_policy_is_a_finding() {
    type Change = fn(&mut RepoSettings);
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        (
            "public",
            |r| r.visibility = "public".to_owned(),
            "LG501",
            "acme/api is public",
        ),
        ("forking", |r| r.allow_forking = Some(true), "LG502", "allows forking"),
        (
            "admins",
            |r| {
                r.admins = Known::Known(vec!["a".into(), "b".into(), "c".into()]);
                r.teams = Known::Known(BTreeMap::from([("ops".to_owned(), "admin".to_owned())]));
            },
            "LG503",
            "4 admins (users: a, b, c; teams: ops)",
        ),
        (
            "outside",
            |r| r.outside_collaborators = Known::Known(BTreeMap::from([("eve".to_owned(), "write".to_owned())])),
            "LG504",
            "@eve has write",
        ),
        (
            "deploy key",
            |r| {
                r.deploy_keys = Known::Known(vec![DeployKeyFacts {
                    id: 9,
                    title: "box".into(),
                    read_only: false,
                }])
            },
            "LG506",
            "\"box\" (id 9) has write access",
        ),
        (
            "hook",
            |r| {
                r.hooks = Known::Known(vec![HookFacts {
                    id: 3,
                    url: "http://x.example.net/…".into(),
                    url_digest: String::new(),
                    has_secret: false,
                    insecure_ssl: true,
                    active: true,
                }])
            },
            "LG507",
            "a plain http:// URL, SSL verification off, no secret",
        ),
        (
            "token",
            |r| r.workflow = Known::Known(("write".into(), false)),
            "LG508",
            "write",
        ),
        (
            "approve",
            |r| r.workflow = Known::Known(("read".into(), true)),
            "LG509",
            "can approve",
        ),
        (
            "secret scanning",
            |r| r.secret_scanning = Known::Known(Some(false)),
            "LG510",
            "secret scanning is disabled",
        ),
        (
            "push protection",
            |r| r.push_protection = Known::Known(None),
            "LG510",
            "not available",
        ),
        (
            "dependabot",
            |r| r.dependabot_alerts = Known::Known(false),
            "LG512",
            "disabled",
        ),
        (
            "no codeowners",
            |r| r.codeowners = Known::Known(None),
            "LG513",
            "no CODEOWNERS",
        ),
        (
            "codeowners errors",
            |r| r.codeowners = Known::Known(Some(vec!["line 3: Unknown owner".into()])),
            "LG513",
            "line 3: Unknown owner",
        ),
        (
            "unknown hooks",
            |r| r.hooks = Known::Unknown(hidden()),
            "LG915",
            "grant Webhooks: read",
        ),
    ];
    for (name, change, code, text) in cases {
        let mut repo = compliant();
        change(&mut repo);
        let findings = evaluate_repo(&standard(), &repo);
        assert_eq!(codes(&findings), [code], "{name}");
        assert!(findings[0].message.contains(text), "{name}: {}", findings[0].message);
    }
}

#[test]
fn team_permissions_above_the_maximum_unless_excepted() {
    let text = "[settings]\nteam-permission-max = \"write\"\n[settings.team-permission-exceptions]\nplatform = \"admin\"\nqa = \"read\"\n";
    let policy = crate::policy::resolve(Some(crate::policy::parse("p.toml", text).unwrap())).unwrap();
    let policy = policy.merged.settings.unwrap();
    let mut repo = compliant();
    repo.teams = Known::Known(BTreeMap::from([
        ("platform".to_owned(), "admin".to_owned()),
        ("devs".to_owned(), "push".to_owned()),
        // An exception never lowers the maximum.
        ("qa".to_owned(), "push".to_owned()),
        ("everyone".to_owned(), "maintain".to_owned()),
    ]));
    let findings: Vec<_> = evaluate_repo(&policy, &repo)
        .into_iter()
        .filter(|f| f.code() == "LG505")
        .collect();
    assert_eq!(
        findings.len(),
        1,
        "{:?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert_eq!(
        findings[0].message,
        "acme/api: team `everyone` has maintain; team-permission-max = write"
    );
    repo.teams = Known::Known(BTreeMap::from([("platform".to_owned(), "admin".to_owned())]));
    assert!(evaluate_repo(&policy, &repo).iter().all(|f| f.code() != "LG505"));
    repo.teams = Known::Unknown(hidden());
    let unknown: Vec<_> = evaluate_repo(&policy, &repo)
        .into_iter()
        .filter(|f| f.code() == "LG915")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0]
            .message
            .contains("teams (for max-admins and team-permission-max) could not be read"),
        "{}",
        unknown[0].message
    );
}

#[test]
fn visibility_rules_by_property_topic_and_name() {
    let text = "[settings]\nvisibility = \"public\"\n[[settings.visibility-rules]]\nproperty = \"classification=sensitive\"\nallowed = [\"private\", \"internal\"]\n[[settings.visibility-rules]]\nname = \"oss-*\"\nallowed = [\"public\"]\n";
    let policy = crate::policy::resolve(Some(crate::policy::parse("p.toml", text).unwrap())).unwrap();
    let policy = policy.merged.settings.unwrap();
    let mut repo = compliant();
    repo.visibility = "public".into();
    assert!(
        evaluate_repo(&policy, &repo).iter().all(|f| f.code() != "LG501"),
        "public allowed by default"
    );
    repo.properties.insert("classification".into(), "sensitive".into());
    let findings = evaluate_repo(&policy, &repo);
    let lg501: Vec<_> = findings.iter().filter(|f| f.code() == "LG501").collect();
    assert_eq!(lg501.len(), 1);
    assert!(
        lg501[0].message.contains("property classification=sensitive"),
        "{}",
        lg501[0].message
    );
    repo.visibility = "internal".into();
    assert!(evaluate_repo(&policy, &repo).iter().all(|f| f.code() != "LG501"));
    // Two matching rules intersect: sensitive and oss-* allow nothing in common.
    repo.full_name = "acme/oss-tool".into();
    let (allowed, why) = allowed_visibility(&policy, &repo).unwrap();
    assert!(allowed.is_empty(), "{allowed:?}");
    assert!(why.contains("#1") && why.contains("#2"), "{why}");
}

fn org() -> OrgSettings {
    OrgSettings {
        login: "acme".into(),
        two_factor_required: Known::Known(true),
        base_permission: Known::Known("read".into()),
        members_can_create_public_repositories: Known::Known(false),
        admins: Known::Known(vec!["root".into()]),
        hooks: Known::Known(Vec::new()),
        workflow: Known::Known(("read".into(), false)),
    }
}

#[test]
fn organisation_settings() {
    assert!(evaluate_org(&standard(), &org()).is_empty());
    let mut o = org();
    o.two_factor_required = Known::Known(false);
    o.base_permission = Known::Known("write".into());
    o.members_can_create_public_repositories = Known::Known(true);
    o.workflow = Known::Known(("write".into(), true));
    assert_eq!(
        codes(&evaluate_org(&standard(), &o)),
        ["LG508", "LG509", "LG520", "LG521", "LG522"]
    );
    let mut o = org();
    o.two_factor_required = Known::Unknown(hidden());
    assert_eq!(codes(&evaluate_org(&standard(), &o)), ["LG915"]);
}

#[test]
fn drift_marks_loosening_changes() {
    let before = compliant();
    let mut after = compliant();
    after.visibility = "public".into();
    after.admins = Known::Known(vec!["alice".into(), "mallory".into()]);
    after.outside_collaborators = Known::Known(BTreeMap::from([("contractor".to_owned(), "write".to_owned())]));
    after.topics = vec!["service".into(), "legacy".into()];
    let changes = compare_repo(&before, &after);
    let loosened: Vec<&str> = changes
        .iter()
        .filter(|c| c.loosened)
        .map(|c| c.setting.as_str())
        .collect();
    assert_eq!(loosened, ["visibility", "admins", "outside_collaborators"]);
    let topics = changes.iter().find(|c| c.setting == "topics").unwrap();
    assert!(!topics.loosened);
    let visibility = changes.iter().find(|c| c.setting == "visibility").unwrap();
    assert_eq!(
        (visibility.before.as_str(), visibility.after.as_str()),
        ("private", "public")
    );
    // Each loosening says who can now see or do what.
    let impacts: Vec<&str> = changes.iter().filter_map(|c| c.impact.as_deref()).collect();
    assert_eq!(
        impacts,
        [
            "anyone, signed in or not, can now read it, its whole history included",
            "now administer it: @mallory",
            "outside collaborators with more access now: @contractor (write)",
        ]
    );
    let mut keyed = compliant();
    keyed.deploy_keys = Known::Known(vec![DeployKeyFacts {
        id: 1,
        title: "ci".into(),
        read_only: false,
    }]);
    keyed.teams = Known::Known(BTreeMap::from([
        ("devs".to_owned(), "push".to_owned()),
        ("everyone".to_owned(), "admin".to_owned()),
    ]));
    keyed.visibility = "internal".into();
    let impacts: Vec<String> = compare_repo(&before, &keyed)
        .into_iter()
        .filter_map(|c| c.impact)
        .collect();
    assert_eq!(
        impacts,
        [
            "every member of the enterprise can now read it",
            "teams with more access now: everyone (admin)",
            "deploy keys that can now push: \"ci\" (id 1)",
        ]
    );

    // Tightening is a change, not a loosening, and names no one.
    let tightened = compare_repo(&after, &before);
    assert!(tightened.iter().all(|c| !c.loosened), "{tightened:?}");
    assert!(tightened.iter().all(|c| c.impact.is_none()), "{tightened:?}");

    let mut o = org();
    o.two_factor_required = Known::Known(false);
    assert!(compare_org(&org(), &o)[0].loosened);
}

#[test]
fn drift_reports_appeared_and_gone_repositories_only_for_a_complete_scope() {
    let mut other = compliant();
    other.full_name = "acme/old".into();
    let baseline = Snapshot::new(vec![], vec![compliant(), other]);
    let mut new = compliant();
    new.full_name = "acme/new".into();
    let current = Snapshot::new(vec![], vec![compliant(), new]);
    let (findings, _) = drift(&baseline, &current, true);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.starts_with("acme/new appeared")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("acme/old (private) is gone")),
        "{messages:?}"
    );
    let (partial, _) = drift(&baseline, &current, false);
    assert!(partial.iter().all(|f| !f.message.contains("is gone")));
}

#[test]
fn snapshots_round_trip_and_are_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    let snapshot = Snapshot::new(vec![org()], vec![compliant()]);
    snapshot.write(&path).unwrap();
    assert_eq!(Snapshot::load(&path).unwrap(), snapshot);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    std::fs::write(&path, "{\"livegate_snapshot\": 99}").unwrap();
    assert!(Snapshot::load(&path).unwrap_err().contains("version 99"));
    std::fs::write(&path, "{\"repositories\": []}").unwrap();
    assert!(Snapshot::load(&path).unwrap_err().contains("not a livegate snapshot"));
    std::fs::write(&path, "{oops").unwrap();
    assert!(Snapshot::load(&path).unwrap_err().contains("snap.json:1:2"));
    // Writing into a missing directory fails with the flag and path named.
    let err = snapshot.write(&dir.path().join("missing/snap.json")).unwrap_err();
    assert!(err.starts_with("--snapshot "), "{err}");
}

#[test]
fn a_streamed_snapshot_is_laid_out_as_the_whole_document_pretty_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    let mut second = org();
    second.login = "beta".into();
    let repos: Vec<RepoSettings> = ["acme/web", "acme/api", "beta/x"]
        .iter()
        .map(|name| {
            let mut repo = compliant();
            repo.full_name = (*name).to_owned();
            repo
        })
        .collect();
    for snapshot in [Snapshot::new(vec![second, org()], repos), Snapshot::new(vec![], vec![])] {
        snapshot.write(&path).unwrap();
        let whole = serde_json::to_string_pretty(&snapshot).unwrap() + "\n";
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);
    }
}

#[test]
fn a_baseline_is_read_one_repository_at_a_time_and_errors_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("base.json");
    let repos: Vec<RepoSettings> = (0..300)
        .map(|i| {
            let mut repo = compliant();
            repo.full_name = format!("acme/r{i:03}");
            repo
        })
        .collect();
    let snapshot = Snapshot::new(vec![org()], repos);
    snapshot.write(&path).unwrap();
    let baseline = super::spool::load(&path).unwrap();
    assert_eq!(baseline.repositories.len(), 300);
    assert_eq!(baseline.organisations, vec![org()]);
    let r150 = baseline.repositories.get("acme/r150").unwrap().unwrap();
    assert_eq!(r150, snapshot.repositories[150]);
    assert_eq!(baseline.repositories.get("acme/nope").unwrap(), None);

    // A damaged repository entry: its line is named.
    let text = std::fs::read_to_string(&path).unwrap();
    let damaged = text.replacen("\"visibility\": \"private\"", "\"visibility\": 7", 2);
    let line = damaged.lines().position(|l| l.contains("\"visibility\": 7")).unwrap() + 1;
    std::fs::write(&path, damaged).unwrap();
    let err = super::spool::load(&path).err().unwrap();
    assert!(err.contains(&format!("base.json:{line}:")), "{err}");
    assert!(err.contains("not a valid snapshot"), "{err}");
}
