//! Which Django settings modules a repository selects: `DJANGO_SETTINGS_MODULE`
//! (or `--settings=`) in its entry points, images, compose files, deploy
//! values and ini files, and the settings modules those import. A settings
//! module that nothing selects, directly or through an import, is not what
//! production runs with as far as the repository says; what the deployment
//! sets outside it is the missing link.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::classify::{PathInfo, Role};

/// Files that may select a settings module. Only their names are judged
/// here; the scan reads them when the tree has a Django settings module.
pub fn is_settings_selector(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, ext)| ext);
    matches!(
        name,
        "wsgi.py" | "asgi.py" | "manage.py" | "celery.py" | "Procfile" | "Makefile"
    ) || lower.starts_with("dockerfile")
        || lower.ends_with(".dockerfile")
        || lower.starts_with(".env")
        || matches!(ext, "yml" | "yaml" | "ini" | "cfg" | "toml" | "env" | "sh")
        || is_settings_package_module(path)
}

/// A Python module of a settings package (`proj/settings/production.py`) or
/// a `settings*.py` file: its imports say which modules it pulls in.
fn is_settings_package_module(path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    name.ends_with(".py") && (dir.rsplit('/').next() == Some("settings") || name.starts_with("settings"))
}

/// Whether a classified file is a Django settings module that production
/// configuration checks judge (a Python file classified as production
/// configuration).
pub fn is_settings_module(info: &PathInfo) -> bool {
    info.role == Role::ProductionConfig && info.path.ends_with(".py")
}

/// Keeps a selector file's text only when it can matter: it names a
/// settings module, or it is a settings module (for its imports).
pub fn worth_keeping(path: &str, text: &str) -> bool {
    is_settings_package_module(path) || text.contains("DJANGO_SETTINGS_MODULE") || text.contains("--settings")
}

/// One place the repository selects a settings module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub module: String,
    pub path: String,
    pub line: usize,
}

/// What the tree says about settings selection.
#[derive(Debug, Clone, Default)]
pub struct SettingsSelection {
    selections: Vec<Selection>,
    /// A selection whose value could not be read (`$VAR`, a function call):
    /// then nothing is learned and severities stay as they are.
    opaque: Option<(String, usize)>,
    /// Settings module files selected directly or through imports.
    reached: BTreeSet<String>,
    /// A reached module loads others dynamically (`import_module`,
    /// django-split-settings `include`, `exec`): its imports are unknown.
    dynamic: Option<String>,
}

/// How one settings module stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Selected, imported by a selected module, or nothing can be learned.
    MayBeProduction,
    /// The repository selects other modules, none of which imports this one.
    NotSelected { evidence: Vec<Selection> },
}

/// `DJANGO_SETTINGS_MODULE` then a separator (`=`, `:`, a quote and a comma,
/// blanks), then the value, quoted or not; or `--settings=value`.
static SELECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:(?:^|[^$\w{])DJANGO_SETTINGS_MODULE["']?\]?\s*(?:[=:,]\s*|\s+)|--settings[=\s]\s*)["']?([^\s"',)}\]]+(?:\}[\w.]*)?)"#,
    )
    .expect("settings selection regex")
});
/// Kubernetes env lists: `- name: DJANGO_SETTINGS_MODULE` then `value: x`.
static K8S_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"name:\s*["']?DJANGO_SETTINGS_MODULE["']?\s*$"#).expect("k8s name regex"));
static K8S_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*value:\s*["']?([^\s"']+)"#).expect("k8s value regex"));
static PY_FROM_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+([^#\n]*)|import[ \t]+([\w.]+))")
        .expect("python import regex")
});
static DYNAMIC_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bimport_module\s*\(|\b__import__\s*\(|\bexec\s*\(|split_settings|\binclude\s*\(")
        .expect("dynamic import regex")
});

/// The module a selection names: a plain dotted name, or the default of a
/// `${VAR:-default}` interpolation. `None` when the value is not literal.
fn literal_module(value: &str) -> Option<String> {
    let value = value.trim_matches(['"', '\'']);
    let value = match value.strip_prefix("${") {
        Some(rest) => rest
            .split_once(":-")
            .or_else(|| rest.split_once('-'))?
            .1
            .trim_end_matches('}'),
        None => value,
    };
    let plain = !value.is_empty()
        && value
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    plain.then(|| value.to_owned())
}

/// Files of the tree a dotted module name may be (`a.b` → `…/a/b.py` or
/// `…/a/b/__init__.py`), matched on whole path segments at any depth, since
/// a source root (`src/`) is not part of the name.
fn module_files<'a>(module: &str, paths: &'a BTreeSet<String>) -> Vec<&'a String> {
    let stem = module.replace('.', "/");
    let candidates = [format!("{stem}.py"), format!("{stem}/__init__.py")];
    paths
        .iter()
        .filter(|path| {
            candidates
                .iter()
                .any(|c| *path == c || path.ends_with(&format!("/{c}")))
        })
        .collect()
}

/// The dotted package of a module file (`a/b/c.py` → `a/b`, `a/b/__init__.py` → `a/b`),
/// as a path, for relative imports.
fn package_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Module files a settings module imports (`from .base import *`,
/// `from proj.settings.base import *`, `from . import production`), each
/// with whether it was a star import: that is how settings modules compose,
/// while a named import (`from proj.sqs import Channel`) takes application
/// code.
fn imported_files<'a>(path: &str, text: &str, paths: &'a BTreeSet<String>) -> Vec<(&'a String, bool)> {
    let mut found = Vec::new();
    for caps in PY_FROM_IMPORT.captures_iter(text) {
        let (module, names) = match (caps.get(1), caps.get(3)) {
            (Some(module), _) => (module.as_str(), caps.get(2).map_or("", |m| m.as_str())),
            (None, Some(module)) => (module.as_str(), ""),
            _ => continue,
        };
        let star = names.trim() == "*";
        let names: Vec<&str> = names
            .split(',')
            .map(|name| name.split_whitespace().next().unwrap_or("").trim_matches(['(', ')']))
            .filter(|name| !name.is_empty() && *name != "*")
            .collect();
        let dots = module.len() - module.trim_start_matches('.').len();
        if dots > 0 {
            let mut dir = package_dir(path).to_owned();
            for _ in 1..dots {
                dir = package_dir(&dir).to_owned();
            }
            let rest = module[dots..].replace('.', "/");
            let base = [dir.as_str(), rest.as_str()]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/");
            let mut targets = vec![base.clone()];
            targets.extend(names.iter().map(|name| format!("{base}/{name}")));
            for target in targets {
                for file in [format!("{target}.py"), format!("{target}/__init__.py")] {
                    if let Some(path) = paths.get(&file) {
                        found.push((path, star));
                    }
                }
            }
        } else {
            found.extend(module_files(module, paths).into_iter().map(|path| (path, star)));
            for name in names {
                found.extend(
                    module_files(&format!("{module}.{name}"), paths)
                        .into_iter()
                        .map(|path| (path, false)),
                );
            }
        }
    }
    found
}

impl SettingsSelection {
    /// Reads the selections from the selector files (path → text) and
    /// follows the imports of the selected settings modules.
    pub fn learn(files: &BTreeMap<String, String>, paths: &BTreeSet<String>) -> Self {
        let mut learned = SettingsSelection::default();
        for (path, text) in files {
            let mut k8s_name = false;
            for (index, line) in text.lines().enumerate() {
                let value = if k8s_name {
                    K8S_VALUE.captures(line).map(|caps| caps[1].to_owned())
                } else {
                    None
                };
                k8s_name = K8S_NAME.is_match(line);
                let value = value.or_else(|| SELECTION.captures(line).map(|caps| caps[1].to_owned()));
                let Some(value) = value else { continue };
                match literal_module(&value) {
                    Some(module) => learned.selections.push(Selection {
                        module,
                        path: path.clone(),
                        line: index + 1,
                    }),
                    None => {
                        learned.opaque.get_or_insert((path.clone(), index + 1));
                    }
                }
            }
        }
        // (file, whether its imports matter: selected, or star-imported by a settings module)
        let mut pending: Vec<(&String, bool)> = Vec::new();
        for selection in &learned.selections {
            let files = module_files(&selection.module, paths);
            if files.is_empty() {
                // Selected but not in the tree (an installed package?): what it imports is unknown.
                learned.dynamic.get_or_insert_with(|| selection.module.clone());
            }
            pending.extend(files.into_iter().map(|file| (file, true)));
        }
        while let Some((file, composes)) = pending.pop() {
            if !learned.reached.insert(file.clone()) {
                continue;
            }
            let Some(text) = files.get(file) else {
                // A selected or star-imported module whose text was not read
                // (not in a settings package): what it imports is unknown.
                // A named import takes application code, not settings.
                if composes {
                    learned.dynamic.get_or_insert_with(|| file.clone());
                }
                continue;
            };
            if DYNAMIC_IMPORT.is_match(text) {
                learned.dynamic.get_or_insert_with(|| file.clone());
            }
            pending.extend(imported_files(file, text, paths));
        }
        learned
    }

    /// How the settings module at `path` stands.
    pub fn verdict(&self, path: &str) -> Verdict {
        if self.selections.is_empty() || self.opaque.is_some() || self.dynamic.is_some() || self.reached.contains(path)
        {
            return Verdict::MayBeProduction;
        }
        Verdict::NotSelected {
            evidence: self.selections.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(files: &[(&str, &str)], others: &[&str]) -> SettingsSelection {
        let texts: BTreeMap<String, String> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        let paths: BTreeSet<String> = files
            .iter()
            .map(|(p, _)| p.to_string())
            .chain(others.iter().map(|p| p.to_string()))
            .collect();
        SettingsSelection::learn(&texts, &paths)
    }

    const PACKAGE: &[(&str, &str)] = &[
        ("proj/settings/__init__.py", "from .base import *\n"),
        (
            "proj/settings/base.py",
            "import os\nDEBUG = os.environ.get('DEBUG') == 'True'\n",
        ),
        ("proj/settings/testing.py", "from .base import *\n"),
        ("proj/settings/circle.py", "from .testing import *\n"),
        ("proj/settings/production.py", "from .base import *\nDEBUG = True\n"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        PACKAGE.iter().chain(extra).copied().collect()
    }

    #[test]
    fn a_module_nothing_selects_or_imports_is_not_selected_and_the_evidence_is_named() {
        let files = with(&[
            (
                "proj/wsgi.py",
                "import os\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
            ),
            (
                "docker-compose.yaml",
                "services:\n  app:\n    environment:\n      DJANGO_SETTINGS_MODULE: ${DJANGO_SETTINGS:-proj.settings.base}\n",
            ),
            (".github/workflows/test.yml", "env:\n  DJANGO_SETTINGS_MODULE: proj.settings.circle\n"),
        ]);
        // proj/sqs.py is application code taken by a named import: not read, not a doubt.
        let learned = learn(&files, &["proj/sqs.py"]);
        let Verdict::NotSelected { evidence } = learned.verdict("proj/settings/production.py") else {
            panic!("production.py should not be selected: {learned:?}");
        };
        assert!(evidence.contains(&Selection {
            module: "proj.settings".into(),
            path: "proj/wsgi.py".into(),
            line: 3
        }));
        assert!(evidence.iter().any(|s| s.module == "proj.settings.base" && s.line == 4));
        // Selected directly, through the package's __init__, or through a chain of imports.
        for reached in [
            "proj/settings/__init__.py",
            "proj/settings/base.py",
            "proj/settings/testing.py",
        ] {
            assert_eq!(learned.verdict(reached), Verdict::MayBeProduction, "{reached}");
        }
    }

    #[test]
    fn a_module_selected_by_any_deploy_file_or_imported_by_a_selected_one_stays() {
        for selector in [
            (
                "Dockerfile",
                "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=proj.settings.production\n",
            ),
            ("Dockerfile", "ENV DJANGO_SETTINGS_MODULE proj.settings.production\n"),
            (
                "helm/values-prod.yaml",
                "env:\n  - name: DJANGO_SETTINGS_MODULE\n    value: \"proj.settings.production\"\n",
            ),
            (
                "uwsgi.ini",
                "[uwsgi]\nenv = DJANGO_SETTINGS_MODULE=proj.settings.production\n",
            ),
            (
                "Procfile",
                "web: python manage.py migrate --settings=proj.settings.production\n",
            ),
        ] {
            let files = with(&[
                (
                    "manage.py",
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
                ),
                selector,
            ]);
            assert_eq!(
                learn(&files, &[]).verdict("proj/settings/production.py"),
                Verdict::MayBeProduction,
                "{selector:?}"
            );
        }
        // Imported by the selected module (absolute and relative forms).
        for init in [
            "from .production import *\n",
            "from proj.settings.production import *\n",
            "from . import production\n",
        ] {
            let mut files = with(&[(
                "manage.py",
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
            )]);
            files[0] = ("proj/settings/__init__.py", init);
            assert_eq!(
                learn(&files, &[]).verdict("proj/settings/production.py"),
                Verdict::MayBeProduction,
                "{init}"
            );
        }
    }

    #[test]
    fn nothing_learned_keeps_the_severity() {
        // No selection at all.
        assert_eq!(
            learn(PACKAGE, &[]).verdict("proj/settings/production.py"),
            Verdict::MayBeProduction
        );
        // A selection that is not a literal.
        let files = with(&[
            (
                "manage.py",
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
            ),
            ("Dockerfile", "ENV DJANGO_SETTINGS_MODULE=$SETTINGS\n"),
        ]);
        assert_eq!(
            learn(&files, &[]).verdict("proj/settings/production.py"),
            Verdict::MayBeProduction
        );
        // A selected module that loads others dynamically.
        let mut files = with(&[(
            "manage.py",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
        )]);
        files[0] = (
            "proj/settings/__init__.py",
            "import importlib, os\nimportlib.import_module('proj.settings.' + os.environ['ENV'])\n",
        );
        assert_eq!(
            learn(&files, &[]).verdict("proj/settings/production.py"),
            Verdict::MayBeProduction
        );
    }

    #[test]
    fn selector_files_are_recognised_by_name() {
        for path in [
            "proj/wsgi.py",
            "manage.py",
            "Dockerfile",
            "docker/app.Dockerfile",
            "docker-compose.yaml",
            "helm_deploy/cla-backend/values-production.yaml",
            "docker/cla_backend.ini",
            "setup.cfg",
            ".env.production",
            "proj/settings/production.py",
            "bin/entrypoint.sh",
        ] {
            assert!(is_settings_selector(path), "{path}");
        }
        for path in ["proj/views.py", "README.md", "proj/models.py"] {
            assert!(!is_settings_selector(path), "{path}");
        }
    }
}
