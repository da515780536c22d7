//! The machine formats: SARIF validated against the published OASIS schema,
//! GitHub workflow commands, Markdown.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{livegate, TestRepo};

/// A repository whose findings cover the awkward cases: a whole-file finding
/// (line 0), a path with a space, a comma and a colon, a non-ASCII path.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "db/migrations/0001_insert_test_users.sql",
        "INSERT INTO users VALUES (1);\n",
    )
    .write("data/clients, Q3: final.csv", "name,card\nann,4111111111111111\n")
    .write("data/données.csv", "email\nann@example.com\n")
    .write("src/main/java/acme/LedgerTest.java", "class LedgerTest {}\n");
    repo.commit("initial");
    repo
}

/// The SARIF 2.1.0 schema, fetched by scripts/fetch-schemas.sh (run here if
/// it has not been run yet, so that a plain `cargo test` works).
fn sarif_schema() -> serde_json::Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("target/schemas/sarif-2.1.0.json");
    if !file.exists() {
        let status = Command::new("bash").arg(root.join("scripts/fetch-schemas.sh")).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "could not fetch the SARIF schema: run `bash scripts/fetch-schemas.sh` (needs npm and the npm registry)"
        );
    }
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).expect("schema is JSON")
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let repo = repo();
    let run = livegate(repo.path(), &["scan", "--format", "sarif", "--fail-on", "note"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));

    // The validator is not vacuous: a document missing `version` fails it.
    let mut broken = doc.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&broken));

    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 4, "{results:#?}");
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["partialFingerprints"]["livegate/v1"].as_str().unwrap().len(), 24);
    }
    // Each rule links its documentation: `helpUri` (absolute, as SARIF
    // requires) once the package names its repository, and the help text
    // always, by the page's path in the repository.
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    // The `OWNER` placeholder is not a home: no link is made to it.
    let linkable = repository.starts_with("https://") && !repository.split('/').any(|part| part == "OWNER");
    for rule in rules {
        let code = rule["id"].as_str().unwrap();
        let family = rule["properties"]["tags"][1].as_str().unwrap();
        let page = format!("docs/checks-{family}.md#{}", code.to_ascii_lowercase());
        assert!(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(page.split('#').next().unwrap())
                .is_file(),
            "{code}: {page} is not in the repository"
        );
        match rule.get("helpUri") {
            Some(uri) if linkable => {
                let want = format!("{repository}/blob/v{}/{page}", env!("CARGO_PKG_VERSION"));
                assert_eq!(uri, &want);
            }
            None if !linkable => {}
            other => panic!("{code}: helpUri {other:?} with repository `{repository}`"),
        }
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(
            help.ends_with(&format!(
                "Documentation: {}",
                rule.get("helpUri").and_then(|u| u.as_str()).unwrap_or(&page)
            )),
            "{code}: {help}"
        );
    }
    let by_rule = |code: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == code)
            .unwrap_or_else(|| panic!("{code}"))
    };
    // Whole-file finding: no region at all (SARIF lines start at 1).
    let whole = by_rule("LG413");
    assert!(whole["locations"][0]["physicalLocation"].get("region").is_none());
    let card = by_rule("LG431");
    let location = &card["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "data/clients%2C%20Q3%3A%20final.csv"
    );
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], 5);
    let domain = by_rule("LG433");
    assert_eq!(
        domain["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "data/donn%C3%A9es.csv"
    );
}

#[test]
fn github_annotations_escape_properties_and_messages() {
    let repo = repo();
    let run = livegate(repo.path(), &["scan", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let card = lines.iter().find(|l| l.contains("LG431")).expect("card annotation");
    assert!(
        card.starts_with("::error file=data/clients%2C Q3%3A final.csv,line=2,col=5,title=LG431 test-payment-card::"),
        "{card}"
    );
    // The message's line break before "Fix:" is escaped, so one finding is one line.
    assert!(card.contains("%0AFix: "), "{card}");
    let whole = lines
        .iter()
        .find(|l| l.contains("LG413"))
        .expect("migration annotation");
    assert!(
        whole.starts_with("::error file=db/migrations/0001_insert_test_users.sql,title="),
        "{whole}"
    );
    assert!(
        lines.last().unwrap().starts_with("livegate scan: fail ("),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("::notice title=livegate::"),
        "no limit notice for a few findings"
    );
}

#[test]
fn github_format_says_when_annotations_will_be_cut() {
    let repo = TestRepo::new();
    let rows: String = (0..12).map(|i| format!("u{i},4111111111111111\n")).collect();
    repo.write("data/cards.csv", format!("name,card\n{rows}"));
    repo.commit("cards");
    let run = livegate(repo.path(), &["scan", "--format", "github"]);
    assert_eq!(run.stdout.matches("::error ").count(), 12);
    assert!(
        run.stdout
            .contains("::notice title=livegate::GitHub shows only the first 10"),
        "{}",
        run.stdout
    );
}

#[test]
fn markdown_table_escapes_cells() {
    let repo = TestRepo::new();
    repo.write("data/a|b.csv", "x\n4111111111111111\n");
    repo.commit("pipe");
    let run = livegate(repo.path(), &["scan", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("## ❌ livegate scan: fail\n"), "{}", run.stdout);
    let row = run.stdout.lines().find(|l| l.starts_with("| error |")).expect("row");
    assert!(row.contains("| data/a\\|b.csv:2:1 |"), "{row}");
    assert_eq!(row.matches(" | ").count(), 3, "{row}");
    assert!(
        run.stdout.contains("### How to fix\n\n- **LG431 test-payment-card**: "),
        "{}",
        run.stdout
    );

    let clean = TestRepo::new();
    clean.write("src/lib.rs", "pub fn f() {}\n");
    clean.commit("clean");
    let run = livegate(clean.path(), &["scan", "--format", "markdown"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("No findings."), "{}", run.stdout);
}

#[test]
fn a_file_named_like_a_workflow_command_cannot_inject_one() {
    let repo = TestRepo::new();
    // A newline and "::" in the path: unescaped, the second line would be a
    // command of its own that GitHub runs.
    let name = "data/x\n::error file=README.md::forged,title=a:b.csv";
    repo.write(name, "card\n4111111111111111\n");
    repo.commit("evil name");
    let run = livegate(repo.path(), &["scan", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let commands: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 1, "{}", run.stdout);
    assert!(
        commands[0]
            .starts_with("::error file=data/x%0A%3A%3Aerror file=README.md%3A%3Aforged%2Ctitle=a%3Ab.csv,line=2,"),
        "{}",
        commands[0]
    );
}

#[test]
fn emit_writes_extra_renderings_and_step_outputs_in_one_run() {
    let repo = support::TestRepo::new();
    repo.write(
        "migrations/0002_seed.sql",
        "INSERT INTO cards (number) VALUES ('4111 1111 1111 1111');\n",
    );
    repo.commit("seed");
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("report.sarif");
    let outputs = out.path().join("outputs.txt");
    let summary = out.path().join("summary.md");
    let run = support::livegate(
        repo.path(),
        &[
            "scan",
            "--format",
            "github",
            "--emit",
            &format!("sarif={}", sarif.display()),
            "--emit",
            &format!("outputs={}", outputs.display()),
            "--emit",
            &format!("markdown={}", summary.display()),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("::error file=migrations/0002_seed.sql"),
        "{}",
        run.stdout
    );
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert!(outputs.starts_with("result=fail\nfindings="), "{outputs}");
    assert!(std::fs::read_to_string(summary)
        .unwrap()
        .contains("livegate scan: fail"));
    let bad = support::livegate(repo.path(), &["scan", "--emit", "yaml=x.yml"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown kind `yaml`"), "{}", bad.stderr);
    let missing = support::livegate(repo.path(), &["scan", "--emit", "sarif"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("KIND=FILE"), "{}", missing.stderr);
}

#[test]
fn terminal_controls_and_bidi_characters_from_the_repository_are_shown_escaped() {
    let repo = TestRepo::new();
    // ESC and BEL (a terminal title), a C1 CSI, and a right-to-left override
    // that would make `cards.csv` read differently, in a path and a line.
    let name = "data/cards\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}vsc.csv";
    repo.write(
        name,
        "card \u{202e}\u{2066}\u{200f}\u{61c}\u{1b}[2J\n4111111111111111 \u{202e}x\n",
    );
    repo.commit("hostile name");
    let raw = [
        '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}',
    ];
    for format in ["human", "github", "markdown"] {
        let run = livegate(repo.path(), &["scan", "--format", format, "--color", "never"]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        for c in raw {
            assert!(!run.stdout.contains(c), "{format}: raw {c:?} in:\n{}", run.stdout);
        }
        assert!(run.stdout.contains("U+202E"), "{format}: {}", run.stdout);
    }
    let run = livegate(repo.path(), &["scan", "--format", "human", "--color", "never"]);
    assert!(
        run.stdout
            .contains("data/cards\\u{1b}]0;owned\\u{7}\\u{9b}2J<U+202E>vsc.csv"),
        "{}",
        run.stdout
    );
}

/// `--write-baseline` adopts the findings it records: the run exits 0, and
/// every format reports that verdict (not `fail`) and says a baseline was
/// written. Regression: JSON and SARIF said `fail` while the run exited 0.
#[test]
fn every_format_agrees_with_the_exit_code_of_a_run_that_writes_a_baseline() {
    let repo = repo();
    let out = tempfile::tempdir().unwrap();
    let write = |format: &str| {
        let baseline = out.path().join(format!("baseline-{format}.json"));
        let outputs = out.path().join(format!("outputs-{format}.txt"));
        let run = livegate(
            repo.path(),
            &[
                "scan",
                "--fail-on",
                "note",
                "--format",
                format,
                "--write-baseline",
                baseline.to_str().unwrap(),
                "--emit",
                &format!("outputs={}", outputs.display()),
            ],
        );
        assert_eq!(run.code, 0, "{format}: {}{}", run.stdout, run.stderr);
        let recorded: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
        let recorded = recorded["findings"].as_array().unwrap().len();
        assert!(recorded >= 4, "{format}: {recorded}");
        let outputs = std::fs::read_to_string(outputs).unwrap();
        assert!(outputs.starts_with("result=pass\n"), "{format}: {outputs}");
        assert!(
            outputs.contains(&format!("\nbaseline-written={recorded}\n")),
            "{format}: {outputs}"
        );
        (run, recorded)
    };

    let (json, recorded) = write("json");
    let doc = json.json();
    assert_eq!(doc["summary"]["result"], "pass", "{doc:#}");
    assert_eq!(doc["summary"]["baseline_written"]["findings"], recorded);
    // The findings themselves are still listed, at their severity.
    assert_eq!(doc["findings"].as_array().unwrap().len(), recorded);
    assert!(doc["summary"]["errors"].as_u64().unwrap() > 0, "{doc:#}");

    let (sarif, recorded) = write("sarif");
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    let run0 = &doc["runs"][0];
    assert_eq!(run0["invocations"][0]["exitCode"], 0);
    assert_eq!(run0["properties"]["result"], "pass");
    assert_eq!(run0["properties"]["baselineWritten"]["findings"], recorded);
    let notice = &run0["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
    assert_eq!(
        notice.as_str().unwrap(),
        format!("baseline written: {recorded} findings recorded as accepted")
    );
    assert_eq!(run0["results"].as_array().unwrap().len(), recorded);

    let (github, recorded) = write("github");
    let last = github.stdout.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "livegate scan: pass, baseline written: {recorded} findings recorded as accepted ("
        )),
        "{}",
        github.stdout
    );
    assert!(
        github.stdout.contains("::notice title=livegate::baseline written:"),
        "{}",
        github.stdout
    );
    assert!(!github.stdout.contains(": fail"), "{}", github.stdout);

    let (markdown, recorded) = write("markdown");
    assert!(
        markdown.stdout.starts_with("## ✅ livegate scan: pass\n"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains(&format!(
            "\nBaseline written: {recorded} findings recorded as accepted.\n"
        )),
        "{}",
        markdown.stdout
    );

    // Without --write-baseline the same findings fail, in every format.
    for format in ["json", "sarif", "github", "markdown"] {
        let run = livegate(repo.path(), &["scan", "--fail-on", "note", "--format", format]);
        assert_eq!(run.code, 1, "{format}");
        assert!(!run.stdout.contains("aseline written"), "{format}: {}", run.stdout);
        assert!(!run.stdout.contains("baselineWritten"), "{format}: {}", run.stdout);
    }
}
