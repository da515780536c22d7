use super::*;

fn err(text: &str) -> PolicyError {
    match parse("livegate.toml", text).and_then(|source| resolve(Some(source))) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(err) => err,
    }
}

#[test]
fn every_preset_parses_and_validates() {
    for name in preset_names() {
        let source = load_preset(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        assert!(
            source.file.branches.is_some() && source.file.review.is_some(),
            "{name} lacks sections"
        );
    }
}

#[test]
fn every_preset_rule_cites_a_source() {
    // Each key line must be preceded (within its comment block) by a citation.
    for (name, text) in PRESETS {
        let mut cited = false;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('#') {
                if ["CIS", "SLSA", "ICO", "GitHub", "Sources", "sources"]
                    .iter()
                    .any(|s| trimmed.contains(s))
                {
                    cited = true;
                }
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with('[') {
                continue;
            }
            assert!(cited, "preset {name}: `{trimmed}` has no cited source above it");
        }
    }
}

#[test]
fn unknown_key_points_at_line_and_column() {
    let e = err("[leaks]\nproduction = [\"src/**\"]\nproducton = [\"x\"]\n");
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(e.message.contains("unknown field `producton`"), "{e}");
    assert!(e.hint.is_some());
    assert!(e.to_string().starts_with("livegate.toml:3:1: "));
}

#[test]
fn wrong_type_points_at_the_value() {
    let e = err("[review]\nrequired-approvals = \"two\"\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
}

#[test]
fn unknown_enum_value_is_rejected() {
    let e = err("[review]\nmin-permission = \"writ\"\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("writ"), "{e}");
}

#[test]
fn semantic_errors_have_spans() {
    let e = err("extends = \"strictest\"\n");
    assert_eq!((e.line, e.column), (1, 11));
    assert!(e.hint.as_deref().unwrap_or("").contains("standard"));

    let e = err("[leaks]\nproduction = [\"src/**\", \"lib/[oops\"]\n");
    assert_eq!((e.line, e.column), (2, 25), "{e}");

    let e = err("[[leaks.allow]]\npath = \"a\"\ncode = \"LG999\"\nreason = \"x\"\n");
    assert_eq!(e.line, 3, "{e}");

    let e = err("[[leaks.allow]]\npath = \"a\"\ncode = \"LG431\"\nreason = \"  \"\n");
    assert_eq!(e.line, 4, "{e}");

    let e = err("[leaks.severity]\nLG412 = \"fatal\"\n");
    assert_eq!(e.line, 2, "{e}");

    let e = err("[[review.rules]]\npaths = [\"db/**\"]\nteams = [\"dba\"]\n");
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn malformed_toml_is_an_error_with_position() {
    let e = err("[leaks\nproduction = 1\n");
    assert_eq!(e.line, 1, "{e}");
}

#[test]
fn repo_file_overrides_preset_key_by_key() {
    let source = parse(
        "livegate.toml",
        "extends = \"baseline\"\n[review]\nrequired-approvals = 3\n",
    )
    .unwrap();
    let policy = resolve(Some(source)).unwrap();
    let review = policy.merged.review.as_ref().unwrap();
    assert_eq!(review.required_approvals, Some(3));
    // Untouched keys keep the preset's value.
    assert_eq!(review.min_permission, Some(Permission::Write));
    assert_eq!(policy.sources, ["preset:baseline", "livegate.toml"]);
}

#[test]
fn severity_overrides_and_allow_entries_resolve() {
    let text = "[leaks]\nproduction = [\"app/**\"]\nseverity = { LG412 = \"error\", LG438 = \"off\" }\n\n[[leaks.allow]]\npath = \"src/demo/seed.sql\"\ncode = \"LG431\"\nreason = \"demo data shipped on purpose\"\n";
    let policy = resolve(Some(parse(".github/livegate.toml", text).unwrap())).unwrap();
    assert_eq!(policy.leaks.production, ["app/**"]);
    assert_eq!(policy.leaks.severity.get("LG412"), Some(&Some(Severity::Error)));
    assert_eq!(policy.leaks.severity.get("LG438"), Some(&None));
    assert_eq!(policy.leaks.allow.len(), 1);
    assert_eq!(policy.leaks.allow[0].line, 6);
}

#[test]
fn later_sections_parse_and_validate() {
    let text = "[branches]\npatterns = [\"~DEFAULT_BRANCH\", \"release/*\"]\nrequired-approvals = 2\n\n[review]\nrequired-approvals = 2\n[[review.rules]]\npaths = [\"migrations/**\"]\nrequired-approvals = 2\nteams = [\"acme/dba\"]\n\n[settings]\nvisibility = \"private\"\nmax-admins = 3\noutside-collaborators-max = \"read\"\n";
    let policy = resolve(Some(parse("p.toml", text).unwrap())).unwrap();
    assert_eq!(policy.merged.settings.as_ref().and_then(|s| s.max_admins), Some(3));
    assert!(to_toml(&policy).contains("required-approvals = 2"));
}

#[test]
fn shown_policy_reparses_to_the_same_policy() {
    let policy = resolve(None).unwrap();
    let shown = to_toml(&policy);
    let again = resolve(Some(parse("shown.toml", &shown).unwrap())).unwrap();
    assert_eq!(to_toml(&again), shown);
}

mod properties {
    //! Any text given as a policy is either a policy or an error that names
    //! the file and a line in it; never a panic.

    use proptest::prelude::*;

    use super::super::{parse, resolve};

    const SECTIONS: &[&str] = &[
        "[branches]",
        "[review]",
        "[settings]",
        "[leaks]",
        "[[leaks.allow]]",
        "[[review.rules]]",
        "[leaks.severity]",
        "[settings.team-permission-exceptions]",
        "[nope]",
        "[[branches]]",
        "[",
    ];
    const KEYS: &[&str] = &[
        "extends",
        "patterns",
        "required-approvals",
        "dismiss-stale",
        "enforce-admins",
        "severity",
        "path",
        "paths",
        "code",
        "reason",
        "teams",
        "max-admins",
        "max-file-size",
        "visibility",
        "min-permission",
        "LG903",
        "LG101",
        "allow-force-push",
        "bogus-key",
        "\"quoted key\"",
    ];
    const VALUES: &[&str] = &[
        "1",
        "-1",
        "0",
        "99999999999999999999",
        "1.5",
        "true",
        "\"\"",
        "\"baseline\"",
        "\"strict\"",
        "\"nope\"",
        "\"off\"",
        "\"error\"",
        "\"LG903\"",
        "\"LG999\"",
        "\"**[\"",
        "\"db/**\"",
        "[\"main\", \"release/*\"]",
        "[1, \"a\"]",
        "[",
        "{ LG903 = \"off\" }",
        "{",
        "\"\u{202e}\u{0}\"",
        "'''\n",
        "\"unterminated",
    ];

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(SECTIONS).prop_map(str::to_owned),
            (prop::sample::select(KEYS), prop::sample::select(VALUES)).prop_map(|(k, v)| format!("{k} = {v}")),
            any::<String>(),
            "[ -~]{0,30}",
        ]
    }

    fn policy_text() -> impl Strategy<Value = String> {
        prop::collection::vec(line(), 0..14).prop_map(|lines| lines.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_a_policy_or_an_error_at_a_line_of_the_file(text in policy_text()) {
            let lines = text.split('\n').count();
            if let Err(err) = parse("livegate.toml", &text).and_then(|source| resolve(Some(source))) {
                prop_assert_eq!(&err.origin, "livegate.toml");
                prop_assert!(err.line >= 1 && err.line <= lines, "line {} of {lines}: {err}", err.line);
                prop_assert!(err.to_string().starts_with(&format!("livegate.toml:{}:", err.line)), "{err}");
            }
        }
    }
}

#[test]
fn deploy_accept_entries_are_checked_at_their_line() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let e = err("[[deploy.accept]]\ncommit = \"0123456\"\nreason = \"hotfix\"\n");
    assert_eq!((e.line, e.column), (2, 10), "{e}");
    assert!(e.message.contains("not a full 40-hex commit sha"), "{e}");
    let e = err("[[deploy.accept]]\ncommit = \"main\"\nreason = \"hotfix\"\n");
    assert_eq!(e.line, 2, "{e}");
    let e = err(&format!("[[deploy.accept]]\ncommit = \"{sha}\"\nreason = \" \"\n"));
    assert_eq!(e.line, 3, "{e}");
    for never in ["history-rewritten", "test-data"] {
        let e = err(&format!(
            "[[deploy.accept]]\ncommit = \"{sha}\"\nreason = \"r\"\nverdicts = [\"direct-push\", \"{never}\"]\n"
        ));
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("can never be accepted"), "{e}");
    }
    let e = err(&format!(
        "[[deploy.accept]]\ncommit = \"{sha}\"\nreason = \"r\"\nverdicts = [\"reviewd\"]\n"
    ));
    assert!(e.message.contains("not an acceptable verdict"), "{e}");
    let e = err(&format!("[[deploy.accept]]\ncommit = \"{sha}\"\n"));
    assert!(e.message.contains("reason"), "a reason is required: {e}");
}

#[test]
fn deploy_section_resolves_with_defaults_and_keeps_entry_lines() {
    let sha = "0123456789ABCDEF0123456789ABCDEF01234567";
    let text = format!(
        "[deploy]\nrequire-github-signature = false\n\n[[deploy.accept]]\ncommit = \"{sha}\"\nreason = \"incident 42\"\n\n[[deploy.accept]]\ncommit = \"{sha}\"\nreason = \"only stale\"\nverdicts = [\"stale-approval\"]\n"
    );
    let policy = resolve(Some(parse("livegate.toml", &text).unwrap())).unwrap();
    assert!(!policy.deploy.require_github_signature);
    assert_eq!(policy.deploy.accept.len(), 2);
    let first = &policy.deploy.accept[0];
    assert_eq!(first.commit, sha.to_ascii_lowercase());
    assert_eq!(first.verdicts, ACCEPTABLE_VERDICTS);
    assert_eq!((first.origin.as_str(), first.line), ("livegate.toml", 5));
    assert_eq!(policy.deploy.accept[1].verdicts, ["stale-approval"]);
    // Presets require GitHub's signature.
    assert!(resolve(None).unwrap().deploy.require_github_signature);
}
