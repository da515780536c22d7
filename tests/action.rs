//! The GitHub Action (action.yml) executed the way a runner executes a
//! composite action: each `run:` step through `bash --noprofile --norc -eo
//! pipefail`, with `${{ }}` expressions substituted, a runner-like
//! environment (GITHUB_EVENT_PATH, GITHUB_OUTPUT per step, GITHUB_PATH,
//! GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_API_URL at the
//! fake GitHub), and the action's outputs computed from the step outputs.
//! `uses:` steps (actions/cache) are not run; a cache hit is simulated by
//! placing a binary where the cache would restore it.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use support::fake_github::{FakeGitHub, Pull, PullCommit, PullFile, PullReview, Repo, Scenario};
use support::TestRepo;
use yaml_rust2::{Yaml, YamlLoader};

const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

fn action() -> Yaml {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    YamlLoader::load_from_str(&text).expect("action.yml is YAML").remove(0)
}

fn text(yaml: &Yaml) -> String {
    match yaml {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null | Yaml::BadValue => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

#[test]
fn action_metadata_is_complete() {
    let action = action();
    assert!(!text(&action["name"]).is_empty());
    assert!(text(&action["description"]).len() > 40);
    assert!(!text(&action["branding"]["icon"]).is_empty());
    assert!(!text(&action["branding"]["color"]).is_empty());
    assert_eq!(text(&action["runs"]["using"]), "composite");
    let inputs = action["inputs"].as_hash().unwrap();
    let names: Vec<String> = inputs.keys().map(text).collect();
    for required in ["command", "token", "policy", "fail-on", "args", "sarif", "version"] {
        assert!(names.contains(&required.to_owned()), "input {required} missing");
    }
    for (name, input) in inputs {
        assert!(
            text(&input["description"]).len() > 15,
            "input {} is not documented",
            text(name)
        );
    }
    assert_eq!(text(&action["inputs"]["token"]["default"]), "${{ github.token }}");
    let outputs = action["outputs"].as_hash().unwrap();
    for required in ["result", "findings", "sarif-file"] {
        let output = &action["outputs"][required];
        assert!(
            !text(&output["description"]).is_empty(),
            "output {required} undocumented"
        );
        assert!(
            text(&output["value"]).contains("steps."),
            "output {required} has no value"
        );
    }
    assert_eq!(outputs.len(), 3);
    // Every `run:` step uses bash and a script that exists in the repository.
    for step in action["runs"]["steps"].as_vec().unwrap() {
        if let Yaml::String(run) = &step["run"] {
            assert_eq!(text(&step["shell"]), "bash");
            let script = run.split('"').nth(1).unwrap().replace("$GITHUB_ACTION_PATH/", "");
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(&script).is_file(),
                "{script}"
            );
        }
    }
}

/// A runner for one job of one action invocation.
struct Runner {
    dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    inputs: BTreeMap<String, String>,
    paths: Vec<String>,
}

struct ActionRun {
    outputs: BTreeMap<String, String>,
    stdout: String,
    stderr: String,
    /// Exit code of the first failing step, or 0.
    code: i32,
    summary: String,
}

impl Runner {
    fn new(workspace: &Path, api_url: &str) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("runner-temp");
        std::fs::create_dir_all(&temp).unwrap();
        let mut env = BTreeMap::new();
        for (key, value) in [
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("CI", "true".to_owned()),
            ("RUNNER_OS", "Linux".to_owned()),
            ("RUNNER_ARCH", "X64".to_owned()),
            ("RUNNER_TEMP", temp.to_string_lossy().into_owned()),
            ("GITHUB_WORKSPACE", workspace.to_string_lossy().into_owned()),
            ("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR").to_owned()),
            ("GITHUB_REPOSITORY", "acme/api".to_owned()),
            ("GITHUB_SERVER_URL", "https://github.com".to_owned()),
            ("GITHUB_API_URL", api_url.to_owned()),
            ("GITHUB_RUN_ID", "4242".to_owned()),
            (
                "GITHUB_STEP_SUMMARY",
                dir.path().join("summary.md").to_string_lossy().into_owned(),
            ),
            (
                "GITHUB_PATH",
                dir.path().join("path.txt").to_string_lossy().into_owned(),
            ),
            ("HOME", dir.path().to_string_lossy().into_owned()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("GIT_CONFIG_NOSYSTEM", "1".to_owned()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".to_owned()),
        ] {
            env.insert(key.to_owned(), value);
        }
        std::fs::write(dir.path().join("summary.md"), "").unwrap();
        std::fs::write(dir.path().join("path.txt"), "").unwrap();
        Runner {
            dir,
            env,
            inputs: BTreeMap::new(),
            paths: Vec::new(),
        }
    }

    fn event(&mut self, name: &str, payload: serde_json::Value) {
        let file = self.dir.path().join("event.json");
        std::fs::write(&file, payload.to_string()).unwrap();
        self.env.insert("GITHUB_EVENT_NAME".into(), name.into());
        self.env
            .insert("GITHUB_EVENT_PATH".into(), file.to_string_lossy().into_owned());
    }

    fn input(&mut self, name: &str, value: &str) -> &mut Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    fn temp(&self) -> PathBuf {
        PathBuf::from(&self.env["RUNNER_TEMP"])
    }

    /// Simulates actions/cache restoring a built binary.
    fn restore_cached_binary(&self) {
        let bin = self.temp().join("livegate/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(support::bin(), bin.join("livegate")).unwrap();
    }

    /// Substitutes the `${{ }}` expressions a composite action step may use.
    fn expand(&self, text: &str, steps: &BTreeMap<String, BTreeMap<String, String>>, defaults: &Yaml) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unterminated expression") + start;
            let expr = rest[start + 3..end].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                match self.inputs.get(name) {
                    Some(value) => value.clone(),
                    None => self.expand(&text_of(&defaults[name]["default"]), steps, defaults),
                }
            } else if let Some(path) = expr.strip_prefix("steps.") {
                let (id, output) = path.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                steps.get(id).and_then(|o| o.get(output)).cloned().unwrap_or_default()
            } else {
                match expr {
                    "github.token" => "test-token".to_owned(),
                    "github.action_repository" => String::new(),
                    "github.action_path" => self.env["GITHUB_ACTION_PATH"].clone(),
                    "runner.os" => self.env["RUNNER_OS"].clone(),
                    "runner.temp" => self.env["RUNNER_TEMP"].clone(),
                    other => panic!("the harness does not know the expression `{other}`"),
                }
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn run(&mut self) -> ActionRun {
        let action = action();
        let inputs = &action["inputs"];
        let mut steps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut stdout = String::new();
        let mut stderr = String::new();
        let mut code = 0;
        for (index, step) in action["runs"]["steps"].as_vec().unwrap().iter().enumerate() {
            let id = text_of(&step["id"]);
            let Yaml::String(script) = &step["run"] else {
                // `uses:` steps: the expressions in `with:` must still resolve.
                if let Some(with) = step["with"].as_hash() {
                    for value in with.values() {
                        let _ = self.expand(&text_of(value), &steps, inputs);
                    }
                }
                continue;
            };
            let output_file = self.dir.path().join(format!("output-{index}.txt"));
            std::fs::write(&output_file, "").unwrap();
            let script_file = self.dir.path().join(format!("step-{index}.sh"));
            std::fs::write(&script_file, self.expand(script, &steps, inputs)).unwrap();
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(&self.env["GITHUB_WORKSPACE"])
                .env_clear()
                .envs(&self.env)
                .env("GITHUB_OUTPUT", &output_file);
            let mut path = self.paths.clone();
            path.push(self.env["PATH"].clone());
            command.env("PATH", path.join(":"));
            if let Some(env) = step["env"].as_hash() {
                for (key, value) in env {
                    command.env(text_of(key), self.expand(&text_of(value), &steps, inputs));
                }
            }
            let output = command.output().unwrap();
            stdout.push_str(&String::from_utf8_lossy(&output.stdout));
            stderr.push_str(&String::from_utf8_lossy(&output.stderr));
            steps.insert(id, parse_outputs(&std::fs::read_to_string(&output_file).unwrap()));
            // GITHUB_PATH additions apply to later steps.
            let added = std::fs::read_to_string(&self.env["GITHUB_PATH"]).unwrap();
            self.paths = added.lines().rev().map(str::to_owned).collect();
            if !output.status.success() {
                code = output.status.code().unwrap_or(-1);
                break;
            }
        }
        let mut outputs = BTreeMap::new();
        for (name, output) in action["outputs"].as_hash().unwrap() {
            outputs.insert(text_of(name), self.expand(&text_of(&output["value"]), &steps, inputs));
        }
        let summary = std::fs::read_to_string(&self.env["GITHUB_STEP_SUMMARY"]).unwrap();
        ActionRun {
            outputs,
            stdout,
            stderr,
            code,
            summary,
        }
    }
}

fn text_of(yaml: &Yaml) -> String {
    text(yaml)
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads them.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for next in lines.by_ref() {
                if next == delimiter {
                    break;
                }
                value.push(next);
            }
            out.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_owned(), value.to_owned());
        }
    }
    out
}

fn leaky_workspace() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/lib.rs", "pub fn a() {}\n");
    repo.write(
        "migrations/0002_seed.sql",
        "INSERT INTO cards (number) VALUES ('4111 1111 1111 1111');\n",
    );
    repo.commit("seed");
    repo
}

#[test]
fn scan_mode_annotates_summarises_and_sets_outputs() {
    let workspace = leaky_workspace();
    let mut runner = Runner::new(workspace.path(), "http://127.0.0.1:9");
    runner.restore_cached_binary();
    let sarif = runner.temp().join("livegate.sarif");
    runner.input("command", "scan").input("sarif", &sarif.to_string_lossy());
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "fail");
    assert_ne!(run.outputs["findings"], "0");
    assert_eq!(run.outputs["sarif-file"], sarif.to_string_lossy());
    assert!(
        run.stdout.contains("livegate: using the cached binary livegate"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("::error file=migrations/0002_seed.sql,line=1"),
        "{}",
        run.stdout
    );
    assert!(run.summary.contains("livegate scan: fail"), "{}", run.summary);
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    // A clean workspace passes.
    let clean = TestRepo::new();
    clean.write("src/lib.rs", "pub fn a() {}\n");
    clean.commit("clean");
    let mut runner = Runner::new(clean.path(), "http://127.0.0.1:9");
    runner.restore_cached_binary();
    runner.input("command", "scan");
    let run = runner.run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "pass");
    assert_eq!(run.outputs["findings"], "0");
    assert_eq!(run.outputs["sarif-file"], "");
}

#[test]
fn pr_mode_reads_the_event_and_the_fake_github() {
    let mut repo = Repo::new("acme/api").content("main", ".github/livegate.toml", "[review]\nrequired-approvals = 2\n");
    repo = repo.collaborator("alice", "write").collaborator("author", "write");
    let pull = Pull::new(7, "author", HEAD)
        .file(PullFile::modified(
            "src/lib.rs",
            "@@ -1,1 +1,2 @@\n fn a() {}\n+fn b() {}",
        ))
        .commit(PullCommit::new(HEAD, "author"))
        .review(PullReview::approved(1, "alice", HEAD));
    repo = repo.pull(pull);
    let fake = FakeGitHub::start(Scenario::new(repo));
    let workspace = TestRepo::new();
    let mut runner = Runner::new(workspace.path(), &fake.url);
    runner.restore_cached_binary();
    runner.event(
        "pull_request",
        json!({
            "action": "opened",
            "number": 7,
            "pull_request": {"number": 7, "head": {"sha": HEAD}, "base": {"ref": "main"}},
            "repository": {"full_name": "acme/api"}
        }),
    );
    runner.input("command", "pr").input("args", "--no-cache --status");
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "fail");
    assert_eq!(run.outputs["findings"], "1");
    assert!(
        run.stdout.contains("::error file=acme/api#7,title=LG201"),
        "{}",
        run.stdout
    );
    assert!(run.summary.contains("| @alice | APPROVED |"), "{}", run.summary);
    let statuses = fake.statuses();
    assert_eq!(statuses.len(), 1, "--status passed through args");
    assert_eq!(statuses[0].1["state"], "failure");
    assert_eq!(
        statuses[0].1["target_url"],
        "https://github.com/acme/api/actions/runs/4242"
    );
    // The token input reached livegate (the fake accepts only test-token).
    assert!(fake
        .log()
        .iter()
        .all(|l| l.authorization.as_deref() == Some("token test-token")
            || l.authorization.as_deref() == Some("Bearer test-token")));
}

#[test]
fn a_bad_command_input_is_an_error() {
    let workspace = TestRepo::new();
    let mut runner = Runner::new(workspace.path(), "http://127.0.0.1:9");
    runner.restore_cached_binary();
    runner.input("command", "deploy");
    let run = runner.run();
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("is not one of pr, protect, audit, scan"),
        "{}",
        run.stdout
    );
}

/// Serves files from a directory over HTTP/1.1 (GET only), like a release
/// download host.
fn serve_dir(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_owned();
            let response = match std::fs::read(dir.join(&path)) {
                Ok(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                Err(_) => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    url
}

/// A release directory with the test binary packaged as the release
/// workflow packages it, and its checksum file (`corrupt`: a wrong one).
fn release(dir: &Path, with_checksum: bool, corrupt: bool) {
    let name = "livegate-0.1.0-x86_64-unknown-linux-gnu";
    let stage = dir.join("stage").join(name);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(support::bin(), stage.join("livegate")).unwrap();
    let assets = dir.join("v0.1.0");
    std::fs::create_dir_all(&assets).unwrap();
    let tarball = assets.join(format!("{name}.tar.gz"));
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(name)
        .status()
        .unwrap();
    assert!(status.success());
    if with_checksum {
        let sum = Command::new("sha256sum").arg(&tarball).output().unwrap();
        let mut line = String::from_utf8(sum.stdout).unwrap();
        if corrupt {
            line.replace_range(0..4, "0000");
        }
        std::fs::write(assets.join(format!("{name}.tar.gz.sha256")), line).unwrap();
    }
}

#[test]
fn a_release_binary_is_used_only_when_its_checksum_matches() {
    for (with_checksum, corrupt) in [(true, false), (true, true), (false, false)] {
        let releases = tempfile::tempdir().unwrap();
        release(releases.path(), with_checksum, corrupt);
        let url = serve_dir(releases.path().to_path_buf());
        let workspace = TestRepo::new();
        workspace.write("src/lib.rs", "pub fn a() {}\n");
        workspace.commit("clean");
        let mut runner = Runner::new(workspace.path(), "http://127.0.0.1:9");
        runner.env.insert("LIVEGATE_RELEASE_URL".into(), url);
        // No cargo on this runner's PATH: a fallback to building must say so.
        let tools = runner.dir.path().join("tools");
        std::fs::create_dir_all(&tools).unwrap();
        for tool in [
            "bash",
            "curl",
            "tar",
            "gzip",
            "sha256sum",
            "cut",
            "tr",
            "mktemp",
            "install",
            "find",
            "sort",
            "xargs",
            "cat",
            "mkdir",
            "dirname",
            "git",
        ] {
            if let Ok(found) = which(tool) {
                let _ = std::os::unix::fs::symlink(found, tools.join(tool));
            }
        }
        runner.env.insert("PATH".into(), tools.to_string_lossy().into_owned());
        runner.input("command", "scan").input("version", "v0.1.0");
        let run = runner.run();
        match (with_checksum, corrupt) {
            (true, false) => {
                assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
                assert!(
                    run.stdout.contains("installed the verified release binary"),
                    "{}",
                    run.stdout
                );
                assert_eq!(run.outputs["result"], "pass");
            }
            (true, true) => {
                assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
                assert!(run.stdout.contains("checksum mismatch"), "{}", run.stdout);
                assert!(!runner.temp().join("livegate/bin/livegate").exists());
            }
            _ => {
                assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
                assert!(
                    run.stdout.contains("refusing the unverified download"),
                    "{}",
                    run.stdout
                );
                assert!(run.stdout.contains("cargo is not installed"), "{}", run.stdout);
                assert!(!runner.temp().join("livegate/bin/livegate").exists());
            }
        }
    }
}

fn which(tool: &str) -> Result<PathBuf, ()> {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|dir| Path::new(dir).join(tool))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn workflows_use_only_inputs_the_action_declares() {
    let action = action();
    let inputs: Vec<String> = action["inputs"].as_hash().unwrap().keys().map(text).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in ["examples/workflows", ".github/workflows"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text_of_file = std::fs::read_to_string(&path).unwrap();
            let doc = YamlLoader::load_from_str(&text_of_file)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .remove(0);
            assert!(!doc["jobs"].is_badvalue(), "{}: no jobs", path.display());
            assert!(
                !doc["permissions"].is_badvalue(),
                "{}: no top-level permissions block",
                path.display()
            );
            for (_, job) in doc["jobs"].as_hash().unwrap() {
                for step in job["steps"].as_vec().into_iter().flatten() {
                    let uses = text(&step["uses"]);
                    if uses == "./" || uses.contains("/livegate@") {
                        checked += 1;
                        for (key, _) in step["with"].as_hash().into_iter().flatten() {
                            assert!(
                                inputs.contains(&text(key)),
                                "{}: unknown input {}",
                                path.display(),
                                text(key)
                            );
                        }
                        let command = text(&step["with"]["command"]);
                        assert!(
                            ["pr", "protect", "audit", "scan"].contains(&command.as_str()),
                            "{}",
                            path.display()
                        );
                    }
                }
            }
        }
    }
    assert!(checked >= 5, "only {checked} action steps found");
}
