//! A repository's history for deploy tests: real commits in a temp
//! repository (squash, merge and rebase merges, direct pushes) and the
//! GitHub side of it (pull requests as GraphQL shows them, the deployment
//! of the baseline, the compare API's view of the range).

use super::fake_deploy::{DeployWorld, FakeDeployment, GqlPull, GqlReview};
use super::fake_github::{FakeGitHub, Repo, Scenario};
use super::TestRepo;

pub const DEPLOYED_AT: &str = "2026-03-01T00:00:00Z";
pub const REVIEWED_AT: &str = "2026-03-02T09:00:00Z";
pub const MERGED_AT: &str = "2026-03-02T10:00:00Z";
pub const POLICY: &str = "extends = \"standard\"\n\n[review]\nrequired-approvals = 1\nrequire-code-owner-review = false\nrequire-last-push-approval = false\n";

/// A repository whose `main` was deployed to production at its first commit,
/// and the GitHub side of what happens on it next.
pub struct History {
    pub repo: TestRepo,
    pub baseline: String,
    pub world: DeployWorld,
}

pub fn approved(login: &str, commit: &str) -> GqlReview {
    GqlReview::new(
        &format!("R_{login}_{}", &commit[..7]),
        login,
        "APPROVED",
        commit,
        REVIEWED_AT,
    )
}

impl History {
    pub fn new() -> History {
        History::with_policy(POLICY)
    }

    /// A history whose baseline has this policy file.
    pub fn with_policy(policy: &str) -> History {
        let repo = TestRepo::new();
        repo.write(".github/livegate.toml", policy)
            .write("src/main.rs", "fn main() {}\n");
        let baseline = repo.commit("initial");
        let world = DeployWorld {
            deployments: vec![deployment(1, &baseline)],
            ..DeployWorld::default()
        };
        History { repo, baseline, world }
    }

    /// Commits on a branch `pr-N` from main; returns their shas.
    pub fn branch(&self, number: u64, files: &[(&str, &str)]) -> Vec<String> {
        self.repo
            .git(&["checkout", "-q", "-b", &format!("pr-{number}"), "main"]);
        let mut shas = Vec::new();
        for (path, content) in files {
            self.repo.write(path, content);
            shas.push(self.repo.commit(&format!("work on {path}")));
        }
        self.repo.git(&["checkout", "-q", "main"]);
        shas
    }

    pub fn squash(
        &mut self,
        number: u64,
        files: &[(&str, &str)],
        reviews: &[&str],
        merged_by: &str,
    ) -> (String, String) {
        let shas = self.branch(number, files);
        let head = shas.last().unwrap().clone();
        self.repo.git(&["merge", "-q", "--squash", &format!("pr-{number}")]);
        let merge = self.repo.commit(&format!("change {number} (#{number})"));
        self.land(number, &head, &merge, &[&merge], reviews, merged_by);
        self.pull_mut(number).files = files.iter().map(|(p, _)| (*p).to_owned()).collect();
        (head, merge)
    }

    pub fn merge(&mut self, number: u64, files: &[(&str, &str)], reviews: &[&str]) -> String {
        let shas = self.branch(number, files);
        let head = shas.last().unwrap().clone();
        self.repo.git(&[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            &format!("Merge pull request #{number}"),
            &format!("pr-{number}"),
        ]);
        let merge = self.repo.git(&["rev-parse", "HEAD"]);
        self.land(number, &head, &merge, &[&merge], reviews, "alice");
        merge
    }

    pub fn rebase(&mut self, number: u64, files: &[(&str, &str)], reviews: &[&str]) -> Vec<String> {
        let shas = self.branch(number, files);
        let head = shas.last().unwrap().clone();
        let mut landed = Vec::new();
        for sha in &shas {
            self.repo.git(&["cherry-pick", sha]);
            landed.push(self.repo.git(&["rev-parse", "HEAD"]));
        }
        let refs: Vec<&str> = landed.iter().map(String::as_str).collect();
        self.land(number, &head, landed.last().unwrap(), &refs, reviews, "alice");
        landed
    }

    pub fn land(&mut self, number: u64, head: &str, merge: &str, landed: &[&str], reviews: &[&str], merged_by: &str) {
        let mut pull = GqlPull::merged(number, "author", head, merge, merged_by, MERGED_AT);
        for login in reviews {
            pull = pull.review(approved(login, head));
        }
        self.world.pulls.push(pull);
        for sha in landed {
            self.world.commits.push(((*sha).to_owned(), vec![number]));
        }
    }

    pub fn direct_push(&mut self, path: &str, message: &str) -> String {
        self.repo.write(path, "pub fn hotfix() {}\n");
        let sha = self.repo.commit(message);
        self.world.commits.push((sha.clone(), Vec::new()));
        sha
    }

    /// A direct push of these files (no pull request); returns its sha.
    pub fn push_files(&mut self, files: &[(&str, &str)], message: &str) -> String {
        for (path, content) in files {
            self.repo.write(path, content);
        }
        let sha = self.repo.commit(message);
        self.world.commits.push((sha.clone(), Vec::new()));
        sha
    }

    /// What the compare API says of baseline...tip, from the repository.
    pub fn compare_from_git(&mut self) {
        let (base, head) = (self.baseline.clone(), self.tip());
        self.world.compare = vec![(format!("{base}...{head}"), "ahead".to_owned())];
        let listing = self
            .repo
            .git(&["rev-list", "--reverse", "--parents", &format!("{base}..{head}")]);
        self.world.compare_commits = listing
            .lines()
            .map(|line| {
                let mut shas = line.split_whitespace().map(str::to_owned);
                let sha = shas.next().unwrap();
                let message = self.repo.git(&["log", "-1", "--format=%B", &sha]);
                (sha, shas.collect(), message)
            })
            .collect();
        self.world.commits_by_path = [".github/livegate.toml", "livegate.toml"]
            .iter()
            .map(|path| {
                let log = self.repo.git(&["log", "--format=%H", &head, "--", path]);
                (path.to_string(), log.lines().map(str::to_owned).collect())
            })
            .collect();
        let changed = self.repo.git(&["diff", "--name-status", &base, &head]);
        self.world.compare_files = changed
            .lines()
            .map(|line| {
                let (status, path) = line.split_once('\t').unwrap();
                let diff = self.repo.git(&["diff", &base, &head, "--", path]);
                let patch = &diff[diff.find("@@").unwrap()..];
                let status = if status == "A" { "added" } else { "modified" };
                (path.to_owned(), status.to_owned(), patch.to_owned())
            })
            .collect();
    }

    pub fn tip(&self) -> String {
        self.repo.git(&["rev-parse", "main"])
    }

    pub fn pull_mut(&mut self, number: u64) -> &mut GqlPull {
        self.world.pulls.iter_mut().find(|p| p.number == number).unwrap()
    }

    pub fn serve(&mut self) -> FakeGitHub {
        FakeGitHub::start(self.scenario())
    }

    /// The fake GitHub's scenario for this history: `acme/api` with the
    /// deploy world, the policy at the baseline, alice, bob and an admin.
    pub fn scenario(&mut self) -> Scenario {
        self.world.refs = vec![("main".to_owned(), self.tip())];
        let policy = self
            .repo
            .git(&["show", &format!("{}:.github/livegate.toml", self.baseline)]);
        let tip = self.tip();
        let policy_at_tip = self.repo.git(&["show", &format!("{tip}:.github/livegate.toml")]);
        let mut repo = Repo::new("acme/api")
            .collaborator("alice", "write")
            .collaborator("bob", "write")
            .collaborator("admin", "admin")
            .content(&self.baseline, ".github/livegate.toml", policy + "\n")
            .content(&tip, ".github/livegate.toml", policy_at_tip + "\n");
        repo.deploy = self.world.clone();
        Scenario::new(repo)
    }
}

pub fn deployment(id: u64, sha: &str) -> FakeDeployment {
    FakeDeployment {
        id,
        sha: sha.to_owned(),
        environment: "production".to_owned(),
        created_at: DEPLOYED_AT.to_owned(),
        statuses: vec!["success".to_owned()],
    }
}
