//! Environment guards: code that runs its body only outside production
//! (`return if Rails.env.production?`, `if settings.DEBUG:`,
//! `@Profile("!prod")`, `if os.Getenv("APP_ENV") != "production"`). A seed
//! or loader behind one is context, not a leak: checks that find test data
//! in such a file lower it to a note that names the guard.

use std::sync::LazyLock;

use regex::Regex;

use super::is_comment_line;

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

#[cfg(test)]
mod tests {
    use super::*;

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
