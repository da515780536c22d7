//! LG415: migrations that load test data from files: Django
//! `call_command("loaddata", "test_users.json")`, a Liquibase `loadData`
//! or `sqlFile`, SQL `COPY … FROM`, anything naming a file in a test-data
//! folder. Reserved values are LG414's; this catches the rows that carry none.

use std::sync::LazyLock;

use regex::Regex;

use super::guards::environment_guard;
use super::{is_comment_line, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{name_looks_like_test_data, Area, PathInfo, Role};
use crate::registry::leaks::MIGRATION_LOADS_TEST_DATA;
use crate::registry::{CheckMeta, Severity};
use crate::report::finding::Finding;

static LOADDATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"call_command\(\s*['"]loaddata['"]\s*,([^)]*)\)"#).expect("loaddata regex"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"['"]([^'"\s]+)['"]"#).expect("quoted regex"));
/// A data file named in a migration: quoted, or a YAML `file:`/`path:` value.
static DATA_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:['"]|\b(?:file|path)\s*:\s*)([^'"\s,)]+\.(?:csv|tsv|json|jsonl|sql|ya?ml|xml))\b"#)
        .expect("data file regex")
});

/// A Liquibase changelog that runs a whole folder of changesets:
/// `<includeAll path="db/test-data"/>` in XML, `- includeAll: {path: …}` or
/// `includeAll:` followed by `path:` in YAML, `"includeAll": {"path": …}` in JSON.
static INCLUDE_ALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<includeAll\b[^>]*?\bpath\s*=\s*["']([^"']+)["']|["']?includeAll["']?\s*:\s*\{?\s*(?:\r?\n\s*)?["']?path["']?\s*:\s*["']?([^"'\s,}]+)"#)
        .expect("includeAll regex")
});

/// Folders that hold test data, by name.
fn test_data_folder(path: &str) -> Option<&str> {
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    segments.into_iter().find(|segment| {
        let lower = segment.to_ascii_lowercase();
        let words: Vec<&str> = lower.split(['-', '_']).collect();
        matches!(lower.as_str(), "test" | "tests" | "testdata" | "spec")
            || words
                .iter()
                .any(|w| matches!(*w, "testdata" | "fake" | "dummy" | "mock" | "mocks"))
            || (words.contains(&"test") && words.len() > 1)
    })
}

/// Why a file named by a migration is test data, if it is.
fn test_data_reason(path: &str) -> Option<String> {
    if let Some(folder) = test_data_folder(path) {
        return Some(format!("it sits in `{folder}/`, a test-data folder"));
    }
    // The file is data by definition here, so `test` in its name is not the
    // domain word it can be in a migration's own name.
    let name = path.rsplit('/').next().unwrap_or(path);
    name_looks_like_test_data(name).map(str::to_owned)
}

/// Migrations loading data files.
pub struct MigrationLoads;

impl LeakCheck for MigrationLoads {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[&MIGRATION_LOADS_TEST_DATA]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production && path.role == Role::Migration
    }

    fn check_content(&self, _tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        let bytes = file.text.as_bytes();
        let loads = memchr::memmem::find(bytes, b"loaddata").is_some();
        let names_files = [".csv", ".tsv", ".json", ".sql", ".yml", ".yaml", ".xml"]
            .iter()
            .any(|ext| memchr::memmem::find(bytes, ext.as_bytes()).is_some());
        let includes_folders = memchr::memmem::find(bytes, b"includeAll").is_some();
        if !loads && !names_files && !includes_folders {
            return;
        }
        let mut found = Vec::new();
        let mut seen = Vec::new();
        for caps in LOADDATA.captures_iter(if loads { file.text } else { "" }) {
            let Some(args) = caps.get(1) else { continue };
            if is_comment_line(file.line_text(file.line_of(args.start()))) {
                continue;
            }
            for fixture in QUOTED.captures_iter(args.as_str()) {
                let Some(name) = fixture.get(1) else { continue };
                let offset = args.start() + name.start();
                seen.push(offset);
                let mut finding = match test_data_reason(name.as_str()) {
                    Some(why) => file.finding_span(
                        &MIGRATION_LOADS_TEST_DATA,
                        offset..offset + name.len(),
                        format!(
                            "the migration loads the fixture `{}` into the live database: {why}",
                            name.as_str()
                        ),
                    ),
                    None => {
                        let mut finding = file.finding_span(
                            &MIGRATION_LOADS_TEST_DATA,
                            offset..offset + name.len(),
                            format!(
                                "the migration loads the fixture `{}`: fine if it holds reference data, not test records",
                                name.as_str()
                            ),
                        );
                        finding.severity = Severity::Note;
                        finding
                    }
                };
                finding.message.push('.');
                found.push(finding);
            }
        }
        for caps in DATA_FILE.captures_iter(if names_files { file.text } else { "" }) {
            let Some(path) = caps.get(1) else { continue };
            if seen.iter().any(|&offset| offset == path.start())
                || is_comment_line(file.line_text(file.line_of(path.start())))
            {
                continue;
            }
            if let Some(why) = test_data_reason(path.as_str()) {
                found.push(file.finding_span(
                    &MIGRATION_LOADS_TEST_DATA,
                    path.range(),
                    format!("the migration reads `{}` into the live database: {why}.", path.as_str()),
                ));
            }
        }
        for caps in INCLUDE_ALL.captures_iter(if includes_folders { file.text } else { "" }) {
            let Some(folder) = caps.get(1).or_else(|| caps.get(2)) else {
                continue;
            };
            if is_comment_line(file.line_text(file.line_of(folder.start()))) {
                continue;
            }
            let name = folder.as_str().trim_end_matches('/');
            if let Some(test_folder) = test_data_folder(&format!("{name}/changeset")) {
                found.push(file.finding_at(
                    &MIGRATION_LOADS_TEST_DATA,
                    folder.start(),
                    format!(
                        "the changelog runs every changeset in `{name}` against the live database: \
                         it sits in `{test_folder}/`, a test-data folder."
                    ),
                ));
            }
        }
        if found.is_empty() {
            return;
        }
        if let Some(guard) = environment_guard(file.text) {
            for finding in &mut found {
                finding.severity = Severity::Note;
                finding.message.push_str(&format!(
                    " It is guarded by `{guard}`, so it should not run in production."
                ));
            }
        }
        out.extend(found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn scan(path: &str, text: &str) -> Vec<(u32, Severity)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        if MigrationLoads.wants_content(&info) {
            MigrationLoads.check_content(&TreeFacts::default(), &FileFacts::new(&info, text), &mut out);
        }
        out.iter().map(|f| (f.location.line, f.severity)).collect()
    }

    #[test]
    fn django_loaddata_of_test_fixtures() {
        let code = "from django.core.management import call_command\n\ndef load(apps, schema_editor):\n    call_command(\"loaddata\", \"test_claimants.json\")\n    call_command('loaddata', 'initial_categories')\n";
        assert_eq!(
            scan("apps/claims/migrations/0031_load.py", code),
            [(4, Severity::Error), (5, Severity::Note)]
        );
        let guarded = "def load(apps, schema_editor):\n    if settings.DEBUG:\n        call_command('loaddata', 'dummy_users.json')\n";
        assert_eq!(
            scan("apps/claims/migrations/0032_load.py", guarded),
            [(3, Severity::Note)]
        );
        assert!(scan(
            "apps/claims/migrations/0033.py",
            "# call_command('loaddata', 'test_users.json')\n"
        )
        .is_empty());
    }

    #[test]
    fn liquibase_and_sql_loading_files_from_test_data_folders() {
        let changelog = "<changeSet id=\"7\" author=\"dev\">\n  <loadData tableName=\"officer\" file=\"db/test-seeds/officers.csv\"/>\n  <loadData tableName=\"court\" file=\"db/data/courts.csv\"/>\n</changeSet>\n";
        assert_eq!(
            scan("src/main/resources/db/changelog/changes/007-officers.xml", changelog),
            [(2, Severity::Error)]
        );
        let yaml = "- changeSet:\n    changes:\n      - loadData:\n          file: db/testdata/users.csv\n          tableName: users\n";
        assert_eq!(
            scan("src/main/resources/db/changelog/008.yaml", yaml),
            [(4, Severity::Error)]
        );
        let sql =
            "COPY users FROM '/seed/test_users.csv' CSV HEADER;\nCOPY courts FROM '/seed/courts.csv' CSV HEADER;\n";
        assert_eq!(scan("db/migrations/0009_copy.sql", sql), [(1, Severity::Error)]);
        let dev_context = "<changeSet id=\"8\" author=\"dev\" context=\"dev\">\n  <loadData tableName=\"u\" file=\"db/testdata/users.csv\"/>\n</changeSet>\n";
        assert_eq!(
            scan("src/main/resources/db/changelog/009.xml", dev_context),
            [(2, Severity::Note)]
        );
    }

    #[test]
    fn liquibase_include_all_of_a_test_data_folder() {
        // The Dropwizard migrations bundle's master file.
        let master = "<databaseChangeLog>\n    <includeAll path=\"migrations/\"/>\n    <includeAll path=\"test-data/products\"/>\n</databaseChangeLog>\n";
        assert_eq!(
            scan("src/main/resources/migrations.xml", master),
            [(3, Severity::Error)]
        );
        let yaml = "databaseChangeLog:\n  - includeAll:\n      path: db/changelog/changes/\n  - includeAll:\n      path: db/changelog/testdata/\n";
        assert_eq!(
            scan("src/main/resources/db/changelog/db.changelog-master.yaml", yaml),
            [(5, Severity::Error)]
        );
        let guarded =
            "<databaseChangeLog>\n  <includeAll path=\"db/fake-data\" context=\"dev\"/>\n</databaseChangeLog>\n";
        assert_eq!(
            scan("src/main/resources/db/changelog/db.changelog-master.xml", guarded),
            [(2, Severity::Note)]
        );
        assert!(scan(
            "src/main/resources/db/changelog/db.changelog-master.xml",
            "<databaseChangeLog>\n  <!-- <includeAll path=\"db/testdata\"/> -->\n  <includeAll path=\"db/changes\"/>\n</databaseChangeLog>\n"
        )
        .is_empty());
    }
}
