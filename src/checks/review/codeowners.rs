//! CODEOWNERS with GitHub's semantics: gitignore-style patterns (no `!`
//! negation, no `[...]` ranges), the last matching line wins, and a line
//! without owners un-owns what earlier lines gave away. Owners are `@user`,
//! `@org/team` or an e-mail address.

use globset::{GlobBuilder, GlobMatcher};

/// GitHub's lookup order on the base branch.
pub const LOCATIONS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Owner {
    User(String),
    /// `org/team` (the slug after the slash).
    Team(String, String),
    Email(String),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::User(login) => write!(f, "@{login}"),
            Owner::Team(org, team) => write!(f, "@{org}/{team}"),
            Owner::Email(email) => f.write_str(email),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    line: usize,
    pattern: String,
    glob: GlobMatcher,
    /// Also matches files below a matching directory.
    covers_children: bool,
    /// Matches directories only (trailing `/`).
    dir_only: bool,
    owners: Vec<Owner>,
}

/// A syntax error, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
    pub errors: Vec<SyntaxError>,
}

/// The owners of a path and the line that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    pub line: usize,
    pub pattern: String,
    pub owners: Vec<Owner>,
}

fn parse_owner(text: &str) -> Option<Owner> {
    if let Some(name) = text.strip_prefix('@') {
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        return match name.split_once('/') {
            Some((org, team)) if valid(org) && valid(team) => Some(Owner::Team(org.to_owned(), team.to_owned())),
            None if valid(name) => Some(Owner::User(name.to_owned())),
            _ => None,
        };
    }
    let (local, domain) = text.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !domain.contains('@')).then(|| Owner::Email(text.to_owned()))
}

/// Splits a line into fields, honouring `\ ` escapes in the pattern and
/// stopping at an unescaped `#`.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '#' if current.is_empty() => break,
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl CodeOwners {
    pub fn parse(text: &str) -> CodeOwners {
        let mut owners = CodeOwners::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let parts = fields(trimmed);
            let Some((pattern, rest)) = parts.split_first() else {
                continue;
            };
            if pattern.starts_with('!') {
                owners.errors.push(SyntaxError {
                    line,
                    message: format!("`{pattern}`: negation (`!`) is not supported in CODEOWNERS"),
                });
                continue;
            }
            if pattern.contains('[') {
                owners.errors.push(SyntaxError {
                    line,
                    message: format!("`{pattern}`: character ranges (`[...]`) are not supported in CODEOWNERS"),
                });
                continue;
            }
            let mut list = Vec::new();
            let mut bad = false;
            for text in rest {
                match parse_owner(text) {
                    Some(owner) => list.push(owner),
                    None => {
                        owners.errors.push(SyntaxError {
                            line,
                            message: format!("`{text}` is not an owner (@user, @org/team or an e-mail address)"),
                        });
                        bad = true;
                    }
                }
            }
            if bad {
                // GitHub skips a line with an invalid owner.
                continue;
            }
            let dir_only = pattern.ends_with('/') && pattern.len() > 1;
            let core = pattern.trim_end_matches('/');
            let anchored = core.starts_with('/') || core.contains('/');
            let core = core.trim_start_matches('/');
            let glob_text = if core.is_empty() {
                "**".to_owned()
            } else if anchored || core.starts_with("**") {
                core.to_owned()
            } else {
                format!("**/{core}")
            };
            let glob = match GlobBuilder::new(&glob_text).literal_separator(true).build() {
                Ok(glob) => glob.compile_matcher(),
                Err(err) => {
                    owners.errors.push(SyntaxError {
                        line,
                        message: format!("`{pattern}`: {err}"),
                    });
                    continue;
                }
            };
            // `docs/*` owns the files directly in docs/, not deeper ones.
            let covers_children = core.rsplit('/').next().is_none_or(|last| last != "*");
            owners.rules.push(Rule {
                line,
                pattern: pattern.clone(),
                glob,
                covers_children,
                dir_only,
                owners: list,
            });
        }
        owners
    }

    /// Who owns `path`: the last matching line, if any, with its owners
    /// (empty when that line un-owns the path).
    pub fn owners_of(&self, path: &str) -> Option<Ownership> {
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.matches(path))
            .map(|rule| Ownership {
                line: rule.line,
                pattern: rule.pattern.clone(),
                owners: rule.owners.clone(),
            })
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        if !self.dir_only && self.glob.is_match(path) {
            return true;
        }
        if !self.covers_children && !self.dir_only {
            return false;
        }
        // A directory match covers everything below it.
        path.match_indices('/').any(|(i, _)| self.glob.is_match(&path[..i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(co: &CodeOwners, path: &str) -> Vec<String> {
        co.owners_of(path)
            .map(|o| o.owners.iter().map(Owner::to_string).collect())
            .unwrap_or_default()
    }

    #[test]
    fn github_documentation_semantics() {
        let co = CodeOwners::parse(
            "# comment\n\
             *       @global-owner1 @global-owner2\n\
             *.js    @js-owner #inline comment\n\
             *.go docs@example.com\n\
             /build/logs/ @doctocat\n\
             docs/*  docs@example.com\n\
             apps/ @octocat\n\
             /docs/ @doctocat\n\
             /scripts/ @doctocat @octocat\n\
             **/logs @octocat\n\
             /apps/ @octocat\n\
             /apps/github\n\
             /services/ @acme/platform\n",
        );
        assert!(co.errors.is_empty(), "{:?}", co.errors);
        assert_eq!(owners(&co, "README.md"), ["@global-owner1", "@global-owner2"]);
        assert_eq!(owners(&co, "src/app.js"), ["@js-owner"]);
        assert_eq!(owners(&co, "cmd/main.go"), ["docs@example.com"]);
        // `/build/logs/` is overridden by the later `**/logs` line: the last match wins.
        assert_eq!(owners(&co, "build/logs/a/b.txt"), ["@octocat"]);
        assert_eq!(co.owners_of("build/logs/a/b.txt").unwrap().line, 10);
        // docs/* is overridden by /docs/ later, but only direct children match docs/*.
        assert_eq!(owners(&co, "docs/getting-started.md"), ["@doctocat"]);
        assert_eq!(owners(&co, "x/logs/today.txt"), ["@octocat"]);
        // A later line without owners un-owns.
        assert_eq!(co.owners_of("apps/github/main.rs").unwrap().owners, []);
        assert_eq!(owners(&co, "apps/web/main.rs"), ["@octocat"]);
        assert_eq!(owners(&co, "services/api/x.rs"), ["@acme/platform"]);
        assert_eq!(co.owners_of("services/api/x.rs").unwrap().line, 13);
    }

    #[test]
    fn single_star_segment_does_not_own_nested_files() {
        let co = CodeOwners::parse("docs/* @docs\n");
        assert_eq!(owners(&co, "docs/a.md"), ["@docs"]);
        assert!(co.owners_of("docs/build/b.md").is_none());
        assert!(co.owners_of("other/docs/a.md").is_none(), "a slash anchors the pattern");
    }

    #[test]
    fn unanchored_names_match_at_any_depth_and_directories_cover_children() {
        let co = CodeOwners::parse("migrations @acme/dba\nMakefile @ops\n");
        assert_eq!(owners(&co, "db/migrations/001.sql"), ["@acme/dba"]);
        assert_eq!(owners(&co, "Makefile"), ["@ops"]);
        assert_eq!(owners(&co, "tools/Makefile"), ["@ops"]);
        assert!(co.owners_of("src/main.rs").is_none());
    }

    #[test]
    fn syntax_errors_are_reported_with_lines_not_fatal() {
        let co = CodeOwners::parse("* @ok\n!secret @x\n[ab].txt @y\nsrc/ not-an-owner\nlib/ @org/team/extra\n");
        let lines: Vec<usize> = co.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(co.errors[0].message.contains("negation"));
        // Invalid lines are skipped; the valid line still applies.
        assert_eq!(owners(&co, "src/x"), ["@ok"]);
    }

    #[test]
    fn escaped_spaces_and_hashes_in_patterns() {
        let co = CodeOwners::parse("my\\ file.txt @a\n\\#notes @b\n");
        assert_eq!(owners(&co, "my file.txt"), ["@a"]);
        assert_eq!(owners(&co, "#notes"), ["@b"]);
    }

    mod properties {
        //! Any CODEOWNERS text parses without a panic; errors and decisions
        //! point at lines of the file.

        use proptest::prelude::*;

        use super::super::CodeOwners;

        const PATTERNS: &[&str] = &[
            "*",
            "**",
            "***",
            "/",
            "/docs/",
            "docs/*",
            "**/logs",
            "a/**/b",
            "*.rs",
            "a\\ b",
            "\\",
            "!neg",
            "[ab]",
            "/apps/github",
            "#c",
            "db/migrate/",
            "\u{202e}x",
            "?",
        ];
        const OWNERS: &[&str] = &["@u", "@o/t", "a@b.c", "@", "@/", "@o/", "bad", "@o/t/x", "#c", "@\u{0}"];
        const PATHS: &[&str] = &[
            "",
            "a",
            "docs/a.md",
            "db/migrate/1.sql",
            "a/x/y/b",
            "apps/github/x",
            "/abs",
            "a b",
        ];

        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                (
                    prop::sample::select(PATTERNS),
                    prop::collection::vec(prop::sample::select(OWNERS), 0..4)
                )
                    .prop_map(|(pattern, owners)| format!("{pattern} {}", owners.join(" "))),
                any::<String>(),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_text_parses_and_answers_with_lines_of_the_file(
                lines in prop::collection::vec(line(), 0..12),
                path in prop_oneof![prop::sample::select(PATHS).prop_map(str::to_owned), any::<String>()],
            ) {
                let text = lines.join("\n");
                let count = text.lines().count();
                let owners = CodeOwners::parse(&text);
                for error in &owners.errors {
                    prop_assert!(error.line >= 1 && error.line <= count, "{error:?} of {count} lines");
                }
                if let Some(decided) = owners.owners_of(&path) {
                    prop_assert!(decided.line >= 1 && decided.line <= count, "{decided:?} of {count} lines");
                }
            }
        }
    }
}
