//! Review scenarios: each with the expected verdict and reason text.

use super::*;
use crate::policy::model::ReviewRule;

const HEAD: &str = "b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5";
const OLD: &str = "abc1234def567890abc1234def567890abc12345";

fn review(login: &str, state: &str, commit: &str) -> ReviewFact {
    ReviewFact {
        login: login.to_owned(),
        is_bot: login.ends_with("[bot]"),
        state: state.to_owned(),
        commit_id: Some(commit.to_owned()),
    }
}

fn facts(reviews: Vec<ReviewFact>) -> PrFacts {
    let mut permissions = BTreeMap::new();
    for (login, permission) in [
        ("alice", Permission::Write),
        ("bob", Permission::Write),
        ("carol", Permission::Maintain),
        ("root", Permission::Admin),
        ("reader", Permission::Read),
        ("author", Permission::Write),
        ("cody", Permission::Write),
        ("dependabot[bot]", Permission::Write),
        ("dba-dan", Permission::Write),
    ] {
        permissions.insert(login.to_owned(), Known::Known(Some(permission)));
    }
    PrFacts {
        repo: "acme/api".to_owned(),
        number: 7,
        author: "author".to_owned(),
        head_sha: HEAD.to_owned(),
        files: vec!["src/lib.rs".to_owned()],
        commit_people: ["author".to_owned(), "cody".to_owned()].into_iter().collect(),
        last_pusher: Some("author".to_owned()),
        reviews,
        permissions,
        ..PrFacts::default()
    }
}

fn policy(change: impl FnOnce(&mut ReviewSection)) -> ReviewPolicy {
    let mut section = ReviewSection {
        required_approvals: Some(1),
        dismiss_stale: Some(true),
        ..ReviewSection::default()
    };
    change(&mut section);
    ReviewPolicy::from_section(&section).unwrap()
}

fn codes(evaluation: &Evaluation) -> Vec<&'static str> {
    evaluation.findings.iter().map(|f| f.code()).collect()
}

fn reason<'a>(evaluation: &'a Evaluation, login: &str) -> &'a str {
    &evaluation.reviewers.iter().find(|r| r.login == login).unwrap().reason
}

struct Case {
    name: &'static str,
    policy: ReviewPolicy,
    facts: PrFacts,
    codes: &'static [&'static str],
    /// (reviewer, text their reason contains)
    reasons: &'static [(&'static str, &'static str)],
    /// Text the first finding's message contains.
    message: Option<&'static str>,
}

fn team(members: &[&str]) -> Known<BTreeSet<String>> {
    Known::Known(members.iter().map(|m| m.to_string()).collect())
}

fn cases() -> Vec<Case> {
    let with_owners = |text: &str, files: &[&str], reviews: Vec<ReviewFact>| {
        let mut f = facts(reviews);
        f.files = files.iter().map(|s| s.to_string()).collect();
        f.codeowners = Some((".github/CODEOWNERS".to_owned(), CodeOwners::parse(text)));
        f.teams.insert("acme/dba".to_owned(), team(&["dba-dan"]));
        f
    };
    let rules = |section: &mut ReviewSection| {
        section.rules = Some(vec![
            ReviewRule {
                paths: vec![toml::Spanned::new(0..0, "db/**".to_owned())],
                required_approvals: Some(1),
                teams: vec![],
                users: vec!["bob".to_owned()],
            },
            ReviewRule {
                paths: vec![toml::Spanned::new(0..0, "db/migrations/**".to_owned())],
                required_approvals: Some(2),
                teams: vec![toml::Spanned::new(0..0, "acme/dba".to_owned())],
                users: vec![],
            },
        ]);
    };
    let mut unknown_team = with_owners(
        "db/ @acme/dba\n",
        &["db/schema.sql"],
        vec![review("alice", "APPROVED", HEAD)],
    );
    unknown_team.teams.insert(
        "acme/dba".to_owned(),
        Known::Unknown(Unknown {
            reason: "GET /orgs/acme/teams/dba/members: 403".to_owned(),
            permission: "Members: read".to_owned(),
        }),
    );
    let mut policy_pr = facts(vec![review("alice", "APPROVED", HEAD)]);
    policy_pr.policy_changed = vec![".github/livegate.toml".to_owned()];
    let mut policy_pr_admin = policy_pr.clone();
    policy_pr_admin.reviews.push(review("root", "APPROVED", HEAD));
    let mut policy_owned = policy_pr.clone();
    policy_owned.codeowners = Some((
        ".github/CODEOWNERS".to_owned(),
        CodeOwners::parse("/.github/livegate.toml @carol\n"),
    ));
    vec![
        Case {
            name: "approval on the current head counts",
            policy: policy(|_| {}),
            facts: facts(vec![review("alice", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[("alice", "approved on the current head")],
            message: None,
        },
        Case {
            name: "approval on an old head with stale dismissal on",
            policy: policy(|_| {}),
            facts: facts(vec![review("alice", "APPROVED", OLD)]),
            codes: &["LG201"],
            reasons: &[("alice", "approval was on an older commit (abc1234)")],
            message: Some("needs 1 more approval: 0 of 1 counted; @alice: approval was on an older commit (abc1234)"),
        },
        Case {
            name: "approval on an old head with stale dismissal off",
            policy: policy(|s| s.dismiss_stale = Some(false)),
            facts: facts(vec![review("alice", "APPROVED", OLD)]),
            codes: &[],
            reasons: &[("alice", "stale approvals count under this policy")],
            message: None,
        },
        Case {
            name: "approved, then changes requested, then approved",
            policy: policy(|_| {}),
            facts: facts(vec![
                review("alice", "APPROVED", OLD),
                review("alice", "CHANGES_REQUESTED", OLD),
                review("alice", "COMMENTED", HEAD),
                review("alice", "APPROVED", HEAD),
            ]),
            codes: &[],
            reasons: &[("alice", "approved on the current head")],
            message: None,
        },
        Case {
            name: "approved, then changes requested",
            policy: policy(|_| {}),
            facts: facts(vec![review("alice", "APPROVED", HEAD), review("alice", "CHANGES_REQUESTED", HEAD)]),
            codes: &["LG202", "LG201"],
            reasons: &[("alice", "requested changes")],
            message: Some("@alice requested changes and has not approved since"),
        },
        Case {
            name: "a comment after an approval changes nothing",
            policy: policy(|_| {}),
            facts: facts(vec![review("alice", "APPROVED", HEAD), review("alice", "COMMENTED", HEAD)]),
            codes: &[],
            reasons: &[("alice", "approved on the current head")],
            message: None,
        },
        Case {
            name: "dismissed approval",
            policy: policy(|_| {}),
            facts: facts(vec![review("alice", "APPROVED", HEAD), review("alice", "DISMISSED", HEAD)]),
            codes: &["LG201"],
            reasons: &[("alice", "approval was dismissed")],
            message: None,
        },
        Case {
            // GitHub dismisses stale approvals itself on push; the collector
            // asks no permission for a dismissed reviewer, and none is needed.
            name: "a dismissed reviewer's permission is not needed",
            policy: policy(|_| {}),
            facts: facts(vec![review("dave", "APPROVED", HEAD), review("dave", "DISMISSED", HEAD), review("bob", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[("dave", "approval was dismissed"), ("bob", "approved on the current head")],
            message: None,
        },
        Case {
            name: "self-approval",
            policy: policy(|_| {}),
            facts: facts(vec![review("author", "APPROVED", HEAD)]),
            codes: &["LG201"],
            reasons: &[("author", "is the author of the pull request")],
            message: None,
        },
        Case {
            name: "approval by a co-author of the commits",
            policy: policy(|_| {}),
            facts: facts(vec![review("cody", "APPROVED", HEAD)]),
            codes: &["LG201"],
            reasons: &[("cody", "authored or committed commits in this pull request")],
            message: None,
        },
        Case {
            name: "co-author allowed by policy",
            policy: policy(|s| s.allow_committer_approval = Some(true)),
            facts: facts(vec![review("cody", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[("cody", "approved on the current head")],
            message: None,
        },
        Case {
            name: "approval by a bot",
            policy: policy(|_| {}),
            facts: facts(vec![review("dependabot[bot]", "APPROVED", HEAD)]),
            codes: &["LG201"],
            reasons: &[("dependabot[bot]", "is a bot")],
            message: None,
        },
        Case {
            name: "approval by a listed bot",
            policy: policy(|s| s.bots = Some(vec!["dependabot[bot]".to_owned()])),
            facts: facts(vec![review("dependabot[bot]", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[],
            message: None,
        },
        Case {
            name: "approval by a read-only user",
            policy: policy(|_| {}),
            facts: facts(vec![review("reader", "APPROVED", HEAD)]),
            codes: &["LG201"],
            reasons: &[("reader", "has read permission, below min-permission write")],
            message: None,
        },
        Case {
            name: "approval by an admin",
            policy: policy(|s| s.min_permission = Some(Permission::Maintain)),
            facts: facts(vec![review("root", "APPROVED", HEAD), review("alice", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[("root", "approved on the current head"), ("alice", "below min-permission maintain")],
            message: None,
        },
        Case {
            name: "the last pusher does not count when last-push approval is required",
            policy: policy(|s| {
                s.require_last_push_approval = Some(true);
                s.allow_committer_approval = Some(true);
            }),
            facts: {
                let mut f = facts(vec![review("cody", "APPROVED", HEAD)]);
                f.last_pusher = Some("cody".to_owned());
                f
            },
            codes: &["LG201"],
            reasons: &[("cody", "pushed the most recent commits")],
            message: None,
        },
        Case {
            name: "code-owner team member approves",
            policy: policy(|s| s.require_code_owner_review = Some(true)),
            facts: with_owners("db/ @acme/dba\n", &["db/migrations/001.sql"], vec![review("dba-dan", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[],
            message: None,
        },
        Case {
            name: "code-owner team non-member approves",
            policy: policy(|s| s.require_code_owner_review = Some(true)),
            facts: with_owners("db/ @acme/dba\n", &["db/migrations/001.sql"], vec![review("alice", "APPROVED", HEAD)]),
            codes: &["LG203"],
            reasons: &[],
            message: Some("needs 1 approval from @acme/dba for db/migrations/001.sql"),
        },
        Case {
            name: "a later CODEOWNERS line un-owns a nested path",
            policy: policy(|s| s.require_code_owner_review = Some(true)),
            facts: with_owners("db/ @acme/dba\ndb/docs/\n", &["db/docs/readme.md"], vec![review("alice", "APPROVED", HEAD)]),
            codes: &[],
            reasons: &[],
            message: None,
        },
        Case {
            name: "two path rules on one file: the strictest wins",
            policy: policy(rules),
            facts: {
                let mut f = facts(vec![review("bob", "APPROVED", HEAD)]);
                f.files = vec!["db/migrations/002_seed.sql".to_owned()];
                f.teams.insert("acme/dba".to_owned(), team(&["dba-dan"]));
                f
            },
            codes: &["LG204"],
            reasons: &[],
            message: Some("[[review.rules]] #2 (db/migrations/**) needs 1 more approval (1 of 2 counted) and 1 approval from a member of acme/dba for db/migrations/002_seed.sql"),
        },
        Case {
            name: "a path rule's message says why an approval did not count",
            policy: policy(rules),
            facts: {
                let mut f = facts(vec![
                    review("bob", "APPROVED", HEAD),
                    review("alice", "APPROVED", OLD),
                ]);
                f.files = vec!["db/migrations/2024_01_seed.sql".to_owned()];
                f.teams.insert("acme/dba".to_owned(), team(&["dba-dan", "alice"]));
                f
            },
            codes: &["LG204"],
            reasons: &[("alice", "older commit (abc1234)")],
            message: Some("needs 1 more approval (1 of 2 counted) and 1 approval from a member of acme/dba for db/migrations/2024_01_seed.sql; @alice: approval was on an older commit (abc1234), not the head b2c3d4e"),
        },
        Case {
            name: "the strictest rule met",
            policy: policy(rules),
            facts: {
                let mut f = facts(vec![review("bob", "APPROVED", HEAD), review("dba-dan", "APPROVED", HEAD)]);
                f.files = vec!["db/migrations/002_seed.sql".to_owned(), "db/schema.sql".to_owned()];
                f.teams.insert("acme/dba".to_owned(), team(&["dba-dan"]));
                f
            },
            codes: &[],
            reasons: &[],
            message: None,
        },
        Case {
            name: "policy changed in the PR, approved by a non-admin",
            policy: policy(|_| {}),
            facts: policy_pr,
            codes: &["LG205"],
            reasons: &[],
            message: Some("changes .github/livegate.toml; the gate used the base branch's policy, and the change needs an approval from a repository admin"),
        },
        Case {
            name: "policy changed in the PR, approved by an admin",
            policy: policy(|_| {}),
            facts: policy_pr_admin,
            codes: &[],
            reasons: &[],
            message: None,
        },
        Case {
            name: "policy changed in the PR, owned by someone who did not approve",
            policy: policy(|_| {}),
            facts: policy_owned,
            codes: &["LG205"],
            reasons: &[],
            message: Some("its code owners (@carol)"),
        },
        Case {
            name: "team membership unreadable",
            policy: policy(|s| s.require_code_owner_review = Some(true)),
            facts: unknown_team,
            codes: &["LG914"],
            reasons: &[],
            message: Some("could not verify: members of acme/dba (GET /orgs/acme/teams/dba/members: 403; grant Members: read)"),
        },
        Case {
            name: "CODEOWNERS syntax errors are findings",
            policy: policy(|_| {}),
            facts: with_owners("src/ billing-team\n", &["src/lib.rs"], vec![review("alice", "APPROVED", HEAD)]),
            codes: &["LG206"],
            reasons: &[],
            message: Some(".github/CODEOWNERS:1: `billing-team` is not an owner"),
        },
    ]
}

#[test]
fn review_scenarios() {
    let mut failures = Vec::new();
    for case in cases() {
        let evaluation = evaluate(&case.policy, &case.facts);
        let got = codes(&evaluation);
        if got != case.codes {
            failures.push(format!(
                "{}: codes {got:?}, expected {:?}: {:#?}",
                case.name,
                case.codes,
                evaluation.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
            continue;
        }
        for (login, text) in case.reasons {
            let why = reason(&evaluation, login);
            if !why.contains(text) {
                failures.push(format!("{}: @{login}: `{why}` does not contain `{text}`", case.name));
            }
        }
        if let Some(text) = case.message {
            let message = &evaluation.findings[0].message;
            if !message.contains(text) {
                failures.push(format!("{}: `{message}` does not contain `{text}`", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
