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
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::deploy_history::History;
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
    /// Stop after the step with this id.
    last_step: Option<String>,
}

struct ActionRun {
    outputs: BTreeMap<String, String>,
    stdout: String,
    stderr: String,
    /// Exit code of the first failing step, or 0.
    code: i32,
    summary: String,
}

impl ActionRun {
    /// The step's log (standard output, where the runner shows it) says `text`.
    fn assert_logged(&self, text: &str) {
        assert!(self.stdout.contains(text), "no `{text}` in the log:\n{}", self.stdout);
    }
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
            last_step: None,
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
            if self.last_step.as_deref() == Some(text_of(&step["id"]).as_str()) {
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
    run.assert_logged("livegate: using the cached binary livegate");
    run.assert_logged("::error file=migrations/0002_seed.sql,line=1");
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
    run.assert_logged("::error file=acme/api#7,title=LG201");
    assert_eq!(
        run.summary.matches("| @alice | APPROVED |").count(),
        1,
        "the summary once: {}",
        run.summary
    );
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
    runner.input("command", "release");
    let run = runner.run();
    assert_eq!(run.code, 2);
    run.assert_logged("is not one of pr, protect, audit, scan, deploy");
}

#[test]
fn deploy_mode_proves_the_range_writes_the_attestation_and_sets_outputs() {
    let mut h = History::new();
    h.squash(1, &[("src/a.rs", "pub fn a() {}\n")], &["alice"], "alice");
    let fake = h.serve();
    let mut runner = Runner::new(h.repo.path(), &fake.url);
    runner.restore_cached_binary();
    runner.env.insert("GITHUB_SHA".into(), h.tip());
    runner.env.insert("GITHUB_REF".into(), "refs/heads/main".into());
    runner
        .input("command", "deploy")
        .input("environment", "production")
        .input("attest", "deploy.intoto.jsonl")
        .input("args", "--no-cache");
    let run = runner.run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "pass");
    assert_eq!(run.outputs["findings"], "0");
    assert_eq!(
        run.summary.matches("| reviewed |").count(),
        1,
        "the table once in the step summary: {}",
        run.summary
    );
    let bundle = std::fs::read_to_string(h.repo.path().join("deploy.intoto.jsonl")).expect("attestation written");
    let first: serde_json::Value = serde_json::from_str(bundle.lines().next().unwrap()).unwrap();
    assert_eq!(first["subject"][0]["digest"]["gitCommit"], h.tip());
    assert_eq!(first["predicate"]["verificationResult"], "PASSED");

    // A direct push in the range: the step fails and says which commit.
    let pushed = h.direct_push("src/hotfix.rs", "hotfix");
    let fake = h.serve();
    let mut runner = Runner::new(h.repo.path(), &fake.url);
    runner.restore_cached_binary();
    runner.env.insert("GITHUB_REF".into(), "refs/heads/main".into());
    runner
        .input("command", "deploy")
        .input("environment", "production")
        .input("to", &pushed)
        .input("args", "--no-cache");
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "fail");
    run.assert_logged("title=LG301");
    run.assert_logged(&pushed[..7]);
}

#[test]
fn deploy_mode_without_an_environment_is_an_error() {
    let workspace = TestRepo::new();
    let mut runner = Runner::new(workspace.path(), "http://127.0.0.1:9");
    runner.restore_cached_binary();
    runner.input("command", "deploy");
    let run = runner.run();
    assert_eq!(run.code, 2);
    run.assert_logged("the environment input is required");
}

/// Serves files from a directory over HTTP/1.1 (GET only), like a release
/// download host, and logs the paths asked for.
fn serve_dir(dir: PathBuf) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::clone(&log);
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
            requests.lock().unwrap().push(path.clone());
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
    (url, log)
}

const LINUX: &str = "x86_64-unknown-linux-gnu";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The action's own version, from the VERSION file it carries.
fn own_version() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("VERSION"))
        .unwrap()
        .trim()
        .to_owned()
}

/// Packages (a stand-in for) the test binary as release.yml packages it, as the release of
/// `repo` at `<releases>/<repo>/releases/download/v<version>/`, with the
/// `.sha256` file the release also carries. `tampered`: a different binary
/// (with its own, matching `.sha256`), as someone who replaced the release
/// assets would publish. Returns the SHA-256 of the untampered archive.
fn publish(releases: &Path, repo: &str, version: &str, target: &str, exe: &str, tampered: bool) -> String {
    let name = format!("livegate-{version}-{target}");
    let work = tempfile::tempdir().unwrap();
    let archive = |tamper: bool| -> Vec<u8> {
        let stage = work.path().join(if tamper { "tampered" } else { "genuine" });
        std::fs::create_dir_all(stage.join(&name)).unwrap();
        // A stand-in for the release binary that runs the test binary:
        // small enough to package and hash quickly.
        let mut binary = format!(
            "#!{}\nexec {} \"$@\"\n",
            which("bash").unwrap().display(),
            support::bin().display()
        );
        if tamper {
            binary.push_str("# tampered\n");
        }
        std::fs::write(stage.join(&name).join(format!("livegate{exe}")), binary).unwrap();
        let tarball = stage.join("out.tar.gz");
        let status = Command::new("tar")
            .arg("-czf")
            .arg(&tarball)
            .arg("-C")
            .arg(&stage)
            .arg(&name)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(tarball).unwrap()
    };
    let genuine = archive(false);
    let published = if tampered { archive(true) } else { genuine.clone() };
    let assets = releases
        .join(repo)
        .join("releases/download")
        .join(format!("v{version}"));
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(assets.join(format!("{name}.tar.gz")), &published).unwrap();
    std::fs::write(
        assets.join(format!("{name}.tar.gz.sha256")),
        format!("{}  {name}.tar.gz\n", sha256_hex(&published)),
    )
    .unwrap();
    sha256_hex(&genuine)
}

/// A copy of the action (action.yml, its scripts, VERSION) at `dir`, laid
/// out as a runner checks an action out, with `sums` as the checked-in
/// `checksums/<version>.sha256` lines (`(version, target, sha256)`).
fn lay_out_action(dir: &Path, sums: &[(&str, &str, &str)]) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("scripts/action")).unwrap();
    std::fs::create_dir_all(dir.join("checksums")).unwrap();
    for file in ["action.yml", "VERSION", "Cargo.toml", "Cargo.lock"] {
        std::fs::copy(source.join(file), dir.join(file)).unwrap();
    }
    for entry in std::fs::read_dir(source.join("scripts/action")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("scripts/action").join(path.file_name().unwrap())).unwrap();
    }
    for (version, target, sha) in sums {
        let file = dir.join("checksums").join(format!("{version}.sha256"));
        let mut text = std::fs::read_to_string(&file).unwrap_or_default();
        text.push_str(&format!("{sha}  livegate-{version}-{target}.tar.gz\n"));
        std::fs::write(file, text).unwrap();
    }
}

/// Restricts the runner's PATH to the tools a hosted runner has, without
/// cargo (so a fallback to building must say so). `macos`: no sha256sum,
/// only `shasum -a 256` as on macOS. `gh`: a stand-in `gh` that logs its
/// working directory and arguments to `gh.log` and exits with this code.
fn runner_tools(runner: &mut Runner, macos: bool, gh: Option<i32>) -> PathBuf {
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
        "awk",
    ] {
        if macos && tool == "sha256sum" {
            continue;
        }
        if let Ok(found) = which(tool) {
            let _ = std::os::unix::fs::symlink(found, tools.join(tool));
        }
    }
    let script = |name: &str, body: String| {
        use std::os::unix::fs::PermissionsExt;
        let path = tools.join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    if macos {
        let real = which("sha256sum").unwrap();
        script(
            "shasum",
            format!(
                "#!{}\n[ \"$1\" = -a ] && [ \"$2\" = 256 ] || exit 2\nshift 2\nexec {} \"$@\"\n",
                which("bash").unwrap().display(),
                real.display()
            ),
        );
    }
    if let Some(code) = gh {
        script(
            "gh",
            format!(
                "#!{}\necho \"$PWD|$*|$GH_TOKEN\" >> {}\nexit {code}\n",
                which("bash").unwrap().display(),
                runner.dir.path().join("gh.log").display()
            ),
        );
    }
    runner.env.insert("PATH".into(), tools.to_string_lossy().into_owned());
    tools
}

/// A runner whose release downloads come from the fake release host at
/// `server` (as GITHUB_SERVER_URL) and whose action is laid out at
/// `action_path`, with the runner's GITHUB_ACTION_REPOSITORY left empty as
/// it can be inside a composite action.
fn release_runner(workspace: &Path, server: &str, action_path: &str) -> Runner {
    let mut runner = Runner::new(workspace, "http://127.0.0.1:9");
    runner.env.insert("GITHUB_SERVER_URL".into(), server.to_owned());
    runner.env.insert("GITHUB_ACTION_PATH".into(), action_path.to_owned());
    runner.env.insert("GITHUB_ACTION_REPOSITORY".into(), String::new());
    runner
}

fn clean_workspace() -> TestRepo {
    let workspace = TestRepo::new();
    workspace.write("src/lib.rs", "pub fn a() {}\n");
    workspace.commit("clean");
    workspace
}

#[test]
fn the_version_file_is_the_crate_version() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap())
            .unwrap();
    assert_eq!(own_version(), manifest["package"]["version"].as_str().unwrap());
    // The version input defaults to the action's own version, not to a build.
    assert_eq!(text(&action()["inputs"]["version"]["default"]), "");
    assert!(text(&action()["inputs"]["version"]["description"]).contains("VERSION"));
}

#[test]
fn the_default_version_is_the_actions_own_release_checked_against_its_checked_in_sum() {
    let version = own_version();
    let releases = tempfile::tempdir().unwrap();
    let sha = publish(releases.path(), "acme/livegate", &version, LINUX, "", false);
    let (server, requests) = serve_dir(releases.path().to_path_buf());
    let runners = tempfile::tempdir().unwrap();
    let action_path = runners.path().join("home/runner/work/_actions/acme/livegate/v1");
    lay_out_action(&action_path, &[(&version, LINUX, &sha)]);
    let workspace = clean_workspace();
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan");
    let run = runner.run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    run.assert_logged("installed the verified release binary");
    run.assert_logged(&format!("sha256 {sha}"));
    run.assert_logged("gh is not installed on this runner: the build provenance");
    assert_eq!(run.outputs["result"], "pass");
    // Only the archive was fetched: the release's own .sha256 is not trusted.
    assert_eq!(
        *requests.lock().unwrap(),
        [format!(
            "acme/livegate/releases/download/v{version}/livegate-{version}-{LINUX}.tar.gz"
        )]
    );
}

#[test]
fn a_release_replaced_together_with_its_sha256_is_refused() {
    let version = own_version();
    let releases = tempfile::tempdir().unwrap();
    let sha = publish(releases.path(), "acme/livegate", &version, LINUX, "", true);
    let (server, _) = serve_dir(releases.path().to_path_buf());
    let runners = tempfile::tempdir().unwrap();
    let action_path = runners.path().join("home/runner/work/_actions/acme/livegate/v1");
    lay_out_action(&action_path, &[(&version, LINUX, &sha)]);
    let workspace = clean_workspace();
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan").input("version", &format!("v{version}"));
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.assert_logged("checksum mismatch");
    run.assert_logged(&format!("checksums/{version}.sha256 pins {sha}"));
    assert!(!runner.temp().join("livegate/bin/livegate").exists());
    assert_eq!(run.outputs["result"], "");
}

#[test]
fn a_version_without_checked_in_sums_is_never_downloaded() {
    let releases = tempfile::tempdir().unwrap();
    // A release that exists, with its own .sha256, for a version whose sums
    // the action does not carry.
    publish(releases.path(), "acme/livegate", "0.0.9", LINUX, "", false);
    let version = own_version();
    publish(releases.path(), "acme/livegate", &version, LINUX, "", false);
    let (server, requests) = serve_dir(releases.path().to_path_buf());
    let runners = tempfile::tempdir().unwrap();
    let action_path = runners.path().join("home/runner/work/_actions/acme/livegate/v1");
    lay_out_action(&action_path, &[]);

    // Another version: nothing verifiable to install, so the step fails.
    let workspace = clean_workspace();
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan").input("version", "0.0.9");
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.assert_logged(&format!(
        "no SHA-256 for livegate-0.0.9-{LINUX}.tar.gz is checked in to this action at this ref"
    ));
    run.assert_logged(&format!("would give livegate {version}, not 0.0.9"));
    assert!(
        !run.stdout.contains("cargo"),
        "no build of another version: {}",
        run.stdout
    );
    assert!(!runner.temp().join("livegate/bin/livegate").exists());

    // The action's own version: built from the action's source (the same
    // version, pinned by the same ref), and said so; here there is no cargo.
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan");
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.assert_logged(&format!(
        "::notice title=livegate::no SHA-256 for livegate-{version}-{LINUX}.tar.gz is checked in"
    ));
    run.assert_logged(&format!("building livegate {version} from the action's own source"));
    run.assert_logged("cargo is not installed");
    assert!(requests.lock().unwrap().is_empty(), "{:?}", requests.lock().unwrap());
}

#[test]
fn build_provenance_is_verified_with_gh_when_present() {
    let version = own_version();
    for gh_code in [0, 1] {
        let releases = tempfile::tempdir().unwrap();
        let sha = publish(releases.path(), "acme/livegate", &version, LINUX, "", false);
        let (server, _) = serve_dir(releases.path().to_path_buf());
        let runners = tempfile::tempdir().unwrap();
        let action_path = runners.path().join("home/runner/work/_actions/acme/livegate/v1");
        lay_out_action(&action_path, &[(&version, LINUX, &sha)]);
        let workspace = clean_workspace();
        let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
        runner_tools(&mut runner, false, Some(gh_code));
        runner.input("command", "scan");
        let run = runner.run();
        let log = std::fs::read_to_string(runner.dir.path().join("gh.log")).unwrap_or_default();
        let asset = format!("livegate-{version}-{LINUX}.tar.gz");
        assert!(
            log.contains(&format!("|attestation verify {asset} --repo acme/livegate|test-token")),
            "{log}"
        );
        if gh_code == 0 {
            assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
            run.assert_logged("build provenance verified for acme/livegate");
        } else {
            assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
            run.assert_logged(&format!("the build provenance of {asset} does not verify"));
            assert!(!runner.temp().join("livegate/bin/livegate").exists());
        }
    }
}

/// The install step on each hosted runner OS, with its paths as the runner
/// lays them out and an empty GITHUB_ACTION_REPOSITORY: the repository comes
/// from the action path, the binary is checked against the checked-in sum
/// and put on PATH.
#[test]
fn the_install_step_works_with_each_runner_os_paths() {
    let version = own_version();
    let cases = [
        // (RUNNER_OS, RUNNER_ARCH, target, exe, action path, RUNNER_TEMP), the
        // paths relative to the runner's folder.
        (
            "Linux",
            "X64",
            LINUX,
            "",
            "home/runner/work/_actions/acme/livegate/v1".to_owned(),
            "home/runner/work/_temp".to_owned(),
        ),
        (
            "macOS",
            "ARM64",
            "aarch64-apple-darwin",
            "",
            "Users/runner/work/_actions/acme/livegate/v1".to_owned(),
            "Users/runner/work/_temp".to_owned(),
        ),
        // On Windows the paths have a drive letter and backslashes. Here they
        // are one relative file name each, which GNU tar, given it as an
        // archive path, reads as `host:path` just as it does on Windows.
        (
            "Windows",
            "X64",
            "x86_64-pc-windows-msvc",
            ".exe",
            r"D:\a\_actions\acme\livegate\v1".to_owned(),
            r"D:\a\_temp".to_owned(),
        ),
    ];
    for (os, arch, target, exe, action_dir, temp_dir) in cases {
        let releases = tempfile::tempdir().unwrap();
        let sha = publish(releases.path(), "acme/livegate", &version, target, exe, false);
        let (server, requests) = serve_dir(releases.path().to_path_buf());
        let workspace = clean_workspace();
        let runners = tempfile::tempdir().unwrap();
        // Windows paths are relative to the step's working directory.
        let base = if os == "Windows" {
            workspace.path()
        } else {
            runners.path()
        };
        let action_path = base.join(&action_dir);
        let temp = base.join(&temp_dir);
        std::fs::create_dir_all(&temp).unwrap();
        lay_out_action(&action_path, &[(&version, target, &sha)]);
        let (action_env, temp_env) = if os == "Windows" {
            (action_dir.clone(), temp_dir.clone())
        } else {
            (
                action_path.to_string_lossy().into_owned(),
                temp.to_string_lossy().into_owned(),
            )
        };
        let mut runner = release_runner(workspace.path(), &server, &action_env);
        runner_tools(&mut runner, os == "macOS", None);
        runner.env.insert("RUNNER_OS".into(), os.into());
        runner.env.insert("RUNNER_ARCH".into(), arch.into());
        runner.env.insert("RUNNER_TEMP".into(), temp_env.clone());
        runner.input("command", "scan");
        runner.last_step = Some("install".into());
        let run = runner.run();
        assert_eq!(run.code, 0, "{os}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains(&format!("installed the verified release binary livegate {version}")),
            "{os}: {}",
            run.stdout
        );
        assert_eq!(
            *requests.lock().unwrap(),
            [format!(
                "acme/livegate/releases/download/v{version}/livegate-{version}-{target}.tar.gz"
            )],
            "{os}"
        );
        let installed = temp.join("livegate/bin").join(format!("livegate{exe}"));
        assert!(installed.is_file(), "{os}: {}", installed.display());
        let path = std::fs::read_to_string(&runner.env["GITHUB_PATH"]).unwrap();
        assert_eq!(path.trim_end(), format!("{temp_env}/livegate/bin"), "{os}");
    }
}

#[test]
fn an_action_whose_repository_cannot_be_told_fails_rather_than_guessing() {
    let version = own_version();
    let releases = tempfile::tempdir().unwrap();
    let sha = publish(releases.path(), "acme/livegate", &version, LINUX, "", false);
    let (server, requests) = serve_dir(releases.path().to_path_buf());
    // A local action (`uses: ./vendor/livegate`): no _actions/<owner>/<name>.
    let workspace = clean_workspace();
    let action_path = workspace.path().join("vendor/livegate");
    lay_out_action(&action_path, &[(&version, LINUX, &sha)]);
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan");
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run.assert_logged("cannot tell which repository this action comes from");
    assert!(requests.lock().unwrap().is_empty());

    // The runner's GITHUB_ACTION_REPOSITORY, when set, names it.
    let mut runner = release_runner(workspace.path(), &server, &action_path.to_string_lossy());
    runner
        .env
        .insert("GITHUB_ACTION_REPOSITORY".into(), "acme/livegate".into());
    runner_tools(&mut runner, false, None);
    runner.input("command", "scan");
    let run = runner.run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["result"], "pass");
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
                            ["pr", "protect", "audit", "scan", "deploy"].contains(&command.as_str()),
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

/// Every workflow file of the project and its examples, with its text.
fn workflow_files() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [".github/workflows", "examples/workflows"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path, text));
        }
    }
    files.sort();
    assert!(files.len() >= 6);
    files
}

/// `uses:` lines: pinned by a full commit sha with the tag as a comment. The
/// examples' `OWNER/livegate` placeholder is the one exception: it says to
/// be replaced by a commit sha.
fn assert_pinned(path: &Path, text: &str) -> usize {
    let mut pinned = 0;
    for line in text.lines() {
        let Some(uses) = line.trim_start().trim_start_matches("- ").strip_prefix("uses:") else {
            continue;
        };
        let (reference, comment) = uses.split_once('#').unwrap_or((uses, ""));
        let reference = reference.trim();
        if reference.starts_with("./") {
            continue;
        }
        if reference.starts_with("OWNER/livegate@") {
            assert!(comment.contains("full commit sha"), "{}: {line}", path.display());
            continue;
        }
        let (_, sha) = reference
            .split_once('@')
            .unwrap_or_else(|| panic!("{}: {line}", path.display()));
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{}: not pinned by commit sha: {line}",
            path.display()
        );
        assert!(
            comment.trim().starts_with('v'),
            "{}: no `# vX` comment: {line}",
            path.display()
        );
        pinned += 1;
    }
    pinned
}

#[test]
fn workflows_pin_actions_and_grant_each_job_only_what_it_needs() {
    let mut pinned = 0;
    for (path, source) in workflow_files() {
        let doc = YamlLoader::load_from_str(&source).unwrap().remove(0);
        pinned += assert_pinned(&path, &source);
        assert!(
            doc["permissions"].as_hash().is_some_and(|p| p.is_empty()),
            "{}: top-level permissions must be {{}}",
            path.display()
        );
        for (name, job) in doc["jobs"].as_hash().unwrap() {
            let where_ = format!("{} job {}", path.display(), text(name));
            assert!(
                job["timeout-minutes"].as_i64().is_some(),
                "{where_}: no timeout-minutes"
            );
            assert!(job["permissions"].as_hash().is_some(), "{where_}: no permissions");
            for step in job["steps"].as_vec().into_iter().flatten() {
                if text(&step["uses"]).starts_with("actions/checkout@") {
                    assert_eq!(
                        step["with"]["persist-credentials"],
                        Yaml::Boolean(false),
                        "{where_}: checkout keeps its credentials"
                    );
                }
                if let Yaml::String(run) = &step["run"] {
                    assert!(!run.contains("${{"), "{where_}: an expression in run: {run}");
                }
            }
        }
        if source.contains("pull_request_target:") {
            assert!(
                source.contains("# zizmor: ignore[dangerous-triggers]")
                    && source.contains("pull_request_target, on purpose")
                    || source.contains("pull_request_target is safe here"),
                "{}: pull_request_target without its reason",
                path.display()
            );
        }
    }
    // The action's own nested `uses:` (actions/cache) too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action_text = std::fs::read_to_string(root.join("action.yml")).unwrap();
    assert_eq!(assert_pinned(&root.join("action.yml"), &action_text), 1);
    assert!(pinned >= 8, "only {pinned} pinned actions");
}

#[test]
fn the_release_builds_on_current_runners_and_attests_what_it_publishes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join(".github/workflows/release.yml")).unwrap();
    let release = YamlLoader::load_from_str(&source).unwrap().remove(0);
    let build = &release["jobs"]["build"];
    assert_eq!(build["strategy"]["fail-fast"], Yaml::Boolean(false));
    let runners: BTreeMap<String, String> = build["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|entry| (text(&entry["target"]), text(&entry["os"])))
        .collect();
    // The targets target.sh maps runners to, each on a runner GitHub still has.
    let targets = std::fs::read_to_string(root.join("scripts/action/target.sh")).unwrap();
    for target in [
        LINUX,
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(target));
        assert!(runners.contains_key(target), "{target} is not built");
    }
    assert_eq!(runners["x86_64-apple-darwin"], "macos-15-intel");
    for retired in ["macos-13", "macos-12", "ubuntu-20.04", "windows-2019"] {
        assert!(!runners.values().any(|os| os == retired), "{retired} is retired");
    }
    let steps = build["steps"].as_vec().unwrap();
    let attest = steps
        .iter()
        .find(|s| text(&s["uses"]).starts_with("actions/attest-build-provenance@"))
        .expect("build provenance is attested");
    assert_eq!(text(&attest["with"]["subject-path"]), "dist/*.tar.gz");
    assert_eq!(text(&build["permissions"]["id-token"]), "write");
    assert_eq!(text(&build["permissions"]["attestations"]), "write");
    // Published assets are never replaced.
    for step in release["jobs"]["publish"]["steps"].as_vec().unwrap() {
        assert!(!text(&step["run"]).contains("--clobber"), "{}", text(&step["run"]));
    }
    // GNU tar on Windows reads `D:\...` as a remote host.
    let package = steps.iter().find(|s| text(&s["name"]) == "Package").unwrap();
    assert!(text(&package["run"]).contains("(cd dist && tar -czf"));
}

/// The release also builds the Python wheel (tests/install.rs builds and
/// installs it locally) for every platform pip users are on, with the
/// maturin CI pins, attests it, and publishes it beside the archives.
#[test]
fn the_release_builds_attests_and_publishes_python_wheels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join(".github/workflows/release.yml")).unwrap();
    let release = YamlLoader::load_from_str(&source).unwrap().remove(0);
    let wheels = &release["jobs"]["wheels"];
    assert_eq!(wheels["strategy"]["fail-fast"], Yaml::Boolean(false));
    let platforms: BTreeMap<String, (String, String)> = wheels["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a wheels job with a matrix")
        .iter()
        .map(|entry| (text(&entry["target"]), (text(&entry["os"]), text(&entry["manylinux"]))))
        .collect();
    let expected = [
        (LINUX, "2_28"),
        ("aarch64-unknown-linux-gnu", "2_28"),
        ("x86_64-unknown-linux-musl", "musllinux_1_2"),
        ("aarch64-unknown-linux-musl", "musllinux_1_2"),
        ("x86_64-apple-darwin", ""),
        ("aarch64-apple-darwin", ""),
        ("x86_64-pc-windows-msvc", ""),
    ];
    let built: Vec<&str> = platforms.keys().map(String::as_str).collect();
    let mut wanted: Vec<&str> = expected.iter().map(|(target, _)| *target).collect();
    wanted.sort_unstable();
    assert_eq!(built, wanted);
    for (target, manylinux) in expected {
        let (os, tag) = &platforms[target];
        assert_eq!(tag, manylinux, "{target}");
        // aarch64 is built (and its wheel run) on an arm runner.
        if target.starts_with("aarch64-unknown-linux") {
            assert_eq!(os, "ubuntu-22.04-arm", "{target}");
        }
    }
    let steps = wheels["steps"].as_vec().unwrap();
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| text(&s["uses"]).starts_with(prefix))
            .unwrap_or_else(|| panic!("no step uses {prefix}"))
    };
    // The maturin the tests build with.
    let pins = std::fs::read_to_string(root.join(".ci/build-requirements.txt")).unwrap();
    let pinned = pins
        .lines()
        .find_map(|l| l.strip_prefix("maturin=="))
        .map(|v| v.trim_end_matches([' ', '\\']))
        .unwrap();
    let build = uses("PyO3/maturin-action@");
    assert_eq!(text(&build["with"]["maturin-version"]), format!("v{pinned}"));
    assert!(text(&build["with"]["args"]).contains("--locked"));
    assert_eq!(
        text(&uses("actions/attest-build-provenance@")["with"]["subject-path"]),
        "dist/*.whl"
    );
    assert!(text(&uses("actions/upload-artifact@")["with"]["path"]).contains("dist/*.whl"));
    // Each wheel is installed (or, for musl, unpacked) and run before it is published.
    let check = steps
        .iter()
        .find(|s| text(&s["name"]) == "Install the wheel and run it")
        .unwrap();
    assert!(text(&check["run"]).contains("pip install"));
    assert!(text(&check["run"]).contains("--version"));
    for (permission, level) in [("contents", "read"), ("id-token", "write"), ("attestations", "write")] {
        assert_eq!(text(&wheels["permissions"][permission]), level, "{permission}");
    }
    let publish = &release["jobs"]["publish"];
    let needs: Vec<String> = publish["needs"].as_vec().unwrap().iter().map(text).collect();
    assert_eq!(needs, ["build", "wheels"]);
    let verify = publish["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|s| text(&s["run"]))
        .find(|run| run.contains("sha256sum -c"))
        .unwrap();
    assert!(verify.contains("./*.whl.sha256"), "{verify}");
    assert!(verify.contains("livegate-$version-wheels.sha256"), "{verify}");
}
