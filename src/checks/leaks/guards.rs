//! Environment guards: code that runs its body only outside production
//! (`return if Rails.env.production?`, `if settings.DEBUG:`,
//! `@Profile("!prod")`, `if os.Getenv("APP_ENV") != "production"`). A seed
//! or loader behind one is context, not a leak: checks that find test data
//! in such a file lower it to a note that names the guard.

use std::sync::LazyLock;

use regex::Regex;

use super::{is_comment_line, TreeFacts};
use crate::classify::{PathInfo, Role};
use crate::registry::Severity;
use crate::report::finding::Finding;

/// One pattern per ecosystem's usual spelling of "not in production".
static GUARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // Ruby: `return if Rails.env.production?`, `unless HostEnv.production?`,
        // `if Rails.env.development? || Rails.env.test?`, `ENV["RAILS_ENV"]`.
        r#"\b(?:if|unless)\b[^\n]*?(?:\b(?:Rails|Rack|Hanami)\.env\.\w+\?|\b\w*Env\.(?:production|development|test|local|dev)\w*\?|ENV(?:\.fetch\(|\[)\s*['"](?:RAILS_ENV|RACK_ENV|APP_ENV|ENVIRONMENT|HOST_ENV|DEPLOY_ENV)['"])"#,
        // Python: `if settings.DEBUG:`, `if not settings.DEBUG`, `if settings.ENVIRONMENT != "production"`,
        // `if os.environ.get("ENV") == "dev"`.
        r#"|\bif\s+(?:not\s+)?(?:settings|app\.config|current_app\.config|config)(?:\.(?:DEBUG|TESTING|ENV|ENVIRONMENT)\b|\[['"](?:DEBUG|TESTING|ENV|ENVIRONMENT)['"]\])"#,
        r#"|\bif\b[^\n]*\bos\.(?:environ(?:\.get)?|getenv)\s*[(\[]\s*['"](?:ENV|ENVIRONMENT|APP_ENV|DJANGO_ENV|FLASK_ENV|DEPLOY_ENV)['"]"#,
        // Spring: a bean or runner for non-production profiles only.
        r#"|@Profile\s*\(\s*(?:value\s*=\s*)?\{?\s*"(?:!\s*prod\w*|dev\w*|local\w*|test\w*|seed\w*|demo\w*|e2e|stub\w*)""#,
        r#"|@ConditionalOnProperty\s*\([^)]*\b(?:seed|demo|test|stub)\w*"#,
        // Go: `if os.Getenv("APP_ENV") != "production"`.
        r#"|\bif\b[^\n]*\bos\.(?:Getenv|LookupEnv)\s*\(\s*"(?:APP_ENV|ENV|ENVIRONMENT|GO_ENV|DEPLOY_ENV)""#,
        // JavaScript: `if (process.env.NODE_ENV !== 'production')`.
        r#"|\bif\s*\(\s*!?\s*process\.env\.(?:NODE_ENV|APP_ENV|ENVIRONMENT)\b"#,
        // Liquibase: a changeset that runs only in named non-production contexts.
        r#"|\bcontexts?\s*[=:]\s*['"]?\s*(?:!\s*prod\w*|dev\w*|test\w*|local\w*|seed\w*|demo\w*|e2e)\b"#,
    ))
    .expect("environment guard regex")
});

/// The first environment guard in a file, as written (trimmed), skipping
/// comment lines: what a note can quote as its evidence.
pub fn environment_guard(text: &str) -> Option<&str> {
    GUARD
        .find_iter(text)
        .find(|m| {
            let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[m.start()..].find('\n').map_or(text.len(), |i| m.start() + i);
            !is_comment_line(&text[line_start..line_end])
        })
        .map(|m| m.as_str().trim())
}

/// Folders of seed helpers that an entry file beside them loads.
const SEED_FOLDERS: &[&str] = &["seeds", "seeders", "seed"];

/// A seeds entry file (`db/seeds.rb`, `seed.py`): what `rails db:seed` and
/// its kin run, and what decides which seed helpers do anything.
pub fn is_seed_entry(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split_once('.')
        .is_some_and(|(stem, ext)| matches!(stem, "seeds" | "seed") && matches!(ext, "rb" | "py" | "js" | "ts" | "php"))
}

/// A seed file inside a seeds folder (`db/seeders/base.rb`,
/// `db/seeds/users.rb`): a helper that an entry file beside the folder loads.
pub fn is_seed_helper(info: &PathInfo) -> bool {
    info.role == Role::Seed && seed_folder(&info.path).is_some()
}

/// The innermost seeds folder of a path: (its parent directory, its name).
fn seed_folder(path: &str) -> Option<(&str, &str)> {
    let (dirs, _) = path.rsplit_once('/')?;
    let mut start = dirs.len();
    for segment in dirs.rsplit('/') {
        start -= segment.len();
        if SEED_FOLDERS.contains(&segment) {
            let parent = dirs[..start].trim_end_matches('/');
            return Some((parent, segment));
        }
        start = start.saturating_sub(1);
    }
    None
}

/// For a seed helper, the entry file beside its folder that loads the
/// folder and chooses what runs by environment (`seeder = if
/// Rails.env.development? … else Seeders::Null.new`): (entry path, line,
/// guard as written).
pub fn seed_entry_guard<'a>(tree: &'a TreeFacts, info: &PathInfo) -> Option<(&'a str, usize, &'a str)> {
    if !is_seed_helper(info) {
        return None;
    }
    let (parent, folder) = seed_folder(&info.path)?;
    tree.seed_entries.iter().find_map(|(path, text)| {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        if dir != parent || !text.contains(folder) {
            return None;
        }
        let guard = environment_guard(text)?;
        let offset = guard.as_ptr() as usize - text.as_ptr() as usize;
        let line = text[..offset].matches('\n').count() + 1;
        Some((path.as_str(), line, guard))
    })
}

/// Lowers the errors of a seed helper whose entry file is environment
/// guarded to warnings that name the guard. A warning, not the note a guard
/// in the file itself earns: the guard chooses what the entry runs, and
/// whether it keeps this file's code out of production is read from another
/// file.
pub fn apply_seed_entry_guard(tree: &TreeFacts, info: &PathInfo, findings: &mut [Finding]) {
    let Some((entry, line, guard)) = seed_entry_guard(tree, info) else {
        return;
    };
    for finding in findings.iter_mut() {
        if finding.code().starts_with("LG9") || finding.severity != Severity::Error {
            continue;
        }
        finding.severity = Severity::Warning;
        finding.message.push_str(&format!(
            "; this seed helper is loaded by `{entry}`, which chooses what runs by `{guard}` ({entry}:{line}); \
             missing link: whether that keeps this code from running in production"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;
    use crate::registry::leaks::PRODUCTION_CODE_USES_TEST_LIBRARY;
    use crate::report::finding::Location;

    #[test]
    fn seed_helpers_under_an_environment_guarded_entry_are_warnings_naming_it() {
        let classifier = Classifier::new(&LeakPolicy::default());
        let entry = "require_relative \"seeders/base\"\n\nseeder = if Rails.env.development?\n  Seeders::Development.new\nelse\n  Seeders::Null.new\nend\nseeder.call\n";
        let mut tree = TreeFacts::default();
        tree.seed_entries.insert("db/seeds.rb".into(), entry.into());
        let helper = classifier.classify("db/seeders/base.rb");
        let finding = || {
            Finding::new(
                &PRODUCTION_CODE_USES_TEST_LIBRARY,
                Location::at("db/seeders/base.rb", 1, 1),
                "uses factory_bot",
            )
        };
        let mut found = vec![finding()];
        apply_seed_entry_guard(&tree, &helper, &mut found);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].message.contains("db/seeds.rb:3"), "{}", found[0].message);

        // No guard in the entry, an entry that does not load the folder, or
        // an entry elsewhere: the error stays.
        for (path, text) in [
            (
                "db/seeds.rb",
                "require_relative \"seeders/base\"\nSeeders::Base.new.call\n",
            ),
            ("db/seeds.rb", "if Rails.env.development?\n  User.create!\nend\n"),
            ("other/seeds.rb", entry),
        ] {
            let mut tree = TreeFacts::default();
            tree.seed_entries.insert(path.into(), text.into());
            let mut found = vec![finding()];
            apply_seed_entry_guard(&tree, &helper, &mut found);
            assert_eq!(found[0].severity, Severity::Error, "{path}: {text}");
        }
        // The entry file itself is not a helper.
        assert!(!is_seed_helper(&classifier.classify("db/seeds.rb")));
        assert!(is_seed_entry("db/seeds.rb") && !is_seed_entry("db/seeders/base.rb"));
    }

    #[test]
    fn guards_in_each_ecosystem() {
        let cases = [
            "return if Rails.env.production?\nUser.create!(email: 'a@example.com')\n",
            "unless Rails.env.production?\n  FactoryBot.create(:user)\nend\n",
            "return if HostEnv.production?\n",
            "if settings.DEBUG:\n    load_fixtures()\n",
            "@Component\n@Profile(\"!prod\")\nclass SeedRunner {}\n",
            "@Profile({\"dev\", \"local\"})\n",
            "if os.Getenv(\"APP_ENV\") != \"production\" {\n\tseed()\n}\n",
            "if (process.env.NODE_ENV !== 'production') {\n",
            "<changeSet id=\"1\" author=\"a\" context=\"dev\">\n",
        ];
        for text in cases {
            assert!(environment_guard(text).is_some(), "{text}");
        }
        assert_eq!(
            environment_guard("x = 1\nreturn if Rails.env.production?\n"),
            Some("if Rails.env.production?")
        );
    }

    #[test]
    fn no_guard_in_plain_code_or_comments() {
        for text in [
            "User.create!(email: 'a@example.com')\n",
            "# return if Rails.env.production?\nUser.create!\n",
            "if user.admin?\n  grant\nend\n",
            "@Profile(\"prod\")\nclass Mailer {}\n",
            "if settings.FEATURE_X:\n",
        ] {
            assert_eq!(environment_guard(text), None, "{text}");
        }
    }
}
