//! The worker pool: a fixed number of threads take jobs from the queue, and
//! each job runs the very evaluation `livegate pr` runs
//! (`pr::collect_and_evaluate`) as the event's installation, between a check
//! run created `in_progress` and its completion. The GitHub client is
//! blocking, so workers are plain threads, not tasks on the server's runtime.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use super::checkrun::{self, Completion};
use super::queue::{Claimed, Queue};
use super::tokens::Installations;
use super::webhook::{DeployGate, Job};
use crate::checks::review::short;
use crate::commands::deploy::{self, server_host, DeploySettings};
use crate::commands::pr::{collect_and_evaluate, PrSettings};
use crate::diag::{log, Level};
use crate::github::client::{ApiError, Client, ClientOptions};
use crate::report::finding::Severity;
use crate::report::{Format, Verdict};
use crate::sanitize::scrub;

/// After this many failed attempts to post a verdict, a job is dropped
/// (and logged): the check stays in progress, which never passes.
const MAX_ATTEMPTS: u32 = 6;
/// The first retry's delay; it doubles with each attempt.
const RETRY_BASE_MS: i64 = 1000;

/// Wakes idle workers when a job arrives or the server stops.
#[derive(Default)]
pub struct Bell {
    rung: Mutex<bool>,
    condvar: Condvar,
}

impl Bell {
    pub fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.condvar.notify_all();
    }

    /// Waits for a ring, at most `timeout` (jobs waiting to retry become
    /// ready without one).
    fn wait(&self, timeout: Duration) {
        let rung = self.rung.lock().unwrap_or_else(|p| p.into_inner());
        let (mut rung, _) = self
            .condvar
            .wait_timeout_while(rung, timeout, |rung| !*rung)
            .unwrap_or_else(|p| p.into_inner());
        *rung = false;
    }
}

pub struct Pool {
    pub queue: Arc<Queue>,
    pub installations: Arc<Installations>,
    pub bell: Arc<Bell>,
    pub stop: Arc<AtomicBool>,
    /// Where each worker's (empty) checkout lives: the evaluation never
    /// reads a local clone, and must not find one by walking up from here.
    pub scratch: PathBuf,
}

impl Pool {
    /// Starts `count` workers.
    pub fn spawn(self: &Arc<Self>, count: usize) -> Vec<JoinHandle<()>> {
        (0..count)
            .map(|i| {
                let pool = self.clone();
                std::thread::Builder::new()
                    .name(format!("livegate-worker-{i}"))
                    .spawn(move || pool.work())
                    .expect("a worker thread starts")
            })
            .collect()
    }

    fn work(&self) {
        while !self.stop.load(Ordering::SeqCst) {
            match self.queue.claim() {
                Ok(Some(claimed)) => self.process(claimed),
                Ok(None) => self.bell.wait(Duration::from_millis(500)),
                Err(err) => {
                    log(Level::Error, json!({"msg": "queue error", "error": err.to_string()}));
                    self.bell.wait(Duration::from_secs(1));
                }
            }
        }
    }

    fn process(&self, claimed: Claimed) {
        let started = Instant::now();
        let job = &claimed.job;
        // -v: which worker took which delivery, so that its requests to
        // GitHub (debug lines naming the worker) can be told apart.
        log(
            Level::Debug,
            json!({"msg": "judging", "delivery": job.delivery, "repo": job.repo(),
                   "thread": std::thread::current().name(), "attempt": claimed.attempts + 1}),
        );
        let result = match &job.gate {
            Some(gate) => self.answer_gate(job, gate),
            None => self.judge(job),
        };
        let mut line = json!({
            "msg": "judged",
            "delivery": job.delivery,
            "event": job.event,
            "repo": job.repo(),
            "sha": job.target_sha,
            "installation": job.installation_id,
            "attempt": claimed.attempts + 1,
        });
        match &job.gate {
            Some(gate) => {
                line["run"] = json!(gate.run_id);
                line["environment"] = json!(gate.environment);
            }
            None => line["pr"] = json!(job.number),
        }
        // Failures stay in a quiet log: a retry is a warning, giving up an error.
        let mut level = Level::Info;
        let done = match result {
            Ok(judged) => {
                line["verdict"] = json!(judged.verdict.as_str());
                for (field, value) in judged.outcome {
                    line[field] = value;
                }
                line["requests"] = json!(judged.requests);
                self.queue.finish(&claimed)
            }
            Err(failed) => {
                line["msg"] = json!("not judged");
                line["error"] = json!(failed.error);
                line["requests"] = json!(failed.requests);
                if failed.unauthorized {
                    self.installations.forget(job.installation_id);
                }
                if claimed.attempts + 1 >= MAX_ATTEMPTS {
                    line["gave_up"] = json!(true);
                    level = Level::Error;
                    self.queue.finish(&claimed)
                } else {
                    level = Level::Warn;
                    let delay = RETRY_BASE_MS << claimed.attempts.min(10);
                    line["retry_in_ms"] = json!(delay);
                    self.queue.retry_later(&claimed, delay)
                }
            }
        };
        if let Err(err) = done {
            line["queue_error"] = json!(err.to_string());
            level = Level::Error;
        }
        line["duration_ms"] = json!(started.elapsed().as_millis() as u64);
        log(level, line);
    }

    /// A client acting as the job's installation, and the requests its token cost.
    fn client_for(&self, job: &Job) -> Result<(Client, ClientOptions, u64), Failed> {
        let (options, token_stats) = self
            .installations
            .options_for(job.installation_id)
            .map_err(|err| Failed::from_api(&err, 0))?;
        let client = Client::new(options.clone()).map_err(|err| Failed::from_api(&err, token_stats.requests))?;
        Ok((client, options, token_stats.requests))
    }

    /// A deployment waiting on the custom deployment protection rule: the
    /// deploy range up to the deployment's commit is judged as `livegate
    /// deploy` judges it, and the run is answered `approved` only when that
    /// verdict passes. Anything that stops the verdict — a ref that is not a
    /// branch, GitHub failing, a policy that cannot be read — is answered
    /// `rejected` with the reason: a deployment livegate cannot prove is not
    /// let through, and the rejection says why (re-running the job asks again).
    /// Only a failure to deliver the answer leaves it unanswered, to be retried.
    fn answer_gate(&self, job: &Job, gate: &DeployGate) -> Result<Judged, Failed> {
        let (client, options, token_requests) = self.client_for(job)?;
        let spent = |client: &Client| token_requests + client.stats().requests;
        // A branch, or a tag (judged on the default branch, which must reach it).
        let tag = gate.git_ref.strip_prefix("refs/tags/").filter(|t| !t.is_empty());
        let branch = gate
            .git_ref
            .strip_prefix("refs/heads/")
            .or_else(|| (!gate.git_ref.starts_with("refs/")).then_some(gate.git_ref.as_str()))
            .filter(|b| !b.is_empty())
            .map(|b| Some(b.to_owned()))
            .or(tag.map(|_| None));
        let (state, comment, verdict) = match branch {
            None => (
                "rejected",
                format!(
                    "livegate: {} is deployed from `{}`, which is neither a branch nor a tag; livegate proves deploys \
                     from a branch or a tag on it (deploy from the branch that the pull requests merge into)",
                    short(&job.target_sha),
                    gate.git_ref
                ),
                Verdict::Unverified,
            ),
            Some(branch) => {
                let settings = DeploySettings {
                    owner: job.owner.clone(),
                    name: job.name.clone(),
                    environment: gate.environment.clone(),
                    to: job.target_sha.clone(),
                    branch,
                    tag: tag.map(str::to_owned),
                    from: None,
                    previous_attestation: None,
                    first_deploy: false,
                    max_commits: GATE_MAX_COMMITS,
                    checkout: self.scratch.clone(),
                    policy: None,
                    server_host: server_host(&options.api_url),
                    client: options,
                };
                match deploy::evaluate(&client, &settings) {
                    Ok(run) => {
                        let (state, comment) = run.protection_rule_answer();
                        (state, comment, run.verdict)
                    }
                    Err(err) => (
                        "rejected",
                        format!(
                            "livegate could not verify {} for {}: {err}",
                            short(&job.target_sha),
                            gate.environment
                        ),
                        Verdict::Unverified,
                    ),
                }
            }
        };
        let body = json!({
            "environment_name": gate.environment,
            "state": state,
            "comment": limit_comment(&scrub(&comment)),
        });
        let endpoint = format!(
            "/repos/{}/{}/actions/runs/{}/deployment_protection_rule",
            job.owner, job.name, gate.run_id
        );
        client
            .post(&endpoint, &body)
            .map_err(|err| Failed::from_api(&err, spent(&client)))?;
        Ok(Judged {
            verdict,
            outcome: vec![("state", json!(state))],
            requests: spent(&client),
        })
    }

    /// Token, check run in progress, evaluation, completion.
    fn judge(&self, job: &Job) -> Result<Judged, Failed> {
        let (client, options, token_requests) = self.client_for(job)?;
        let spent = |client: &Client| token_requests + client.stats().requests;
        let id = checkrun::start(&client, job).map_err(|err| Failed::from_api(&err, spent(&client)))?;
        let settings = PrSettings {
            owner: job.owner.clone(),
            name: job.name.clone(),
            number: job.number,
            policy: None,
            checkout: self.scratch.clone(),
            format: Format::Markdown,
            fail_on: Severity::Error,
            color: false,
            status: false,
            target_url: None,
            merge_group_sha: None,
            emit: Vec::new(),
            view: crate::report::view::View::default(),
            client: options,
        };
        let scrubbed = |text: &str| scrub(text);
        let (verdict, completion) = match collect_and_evaluate(&client, &settings) {
            Ok(mut run) => {
                let report = run.report(settings.fail_on, crate::report::view::View::default());
                let mut verdict = report.verdict();
                let mut summary = scrubbed(&crate::report::render(Format::Markdown, &report, false));
                // A pull request event judged a head that has moved on since:
                // this verdict is not about the commit the check is on.
                let moved = run
                    .head_sha
                    .as_deref()
                    .filter(|head| !job.key.contains('@') && !head.eq_ignore_ascii_case(&job.target_sha));
                if let (Some(head), Verdict::Pass) = (moved, verdict) {
                    verdict = Verdict::Fail;
                    summary = format!(
                        "The pull request's head is now `{head}`, not this commit; its own check follows.\n\n{summary}"
                    );
                }
                let here = format!("{}#{}", job.repo(), job.number);
                let done = checkrun::completion(verdict, &run.findings, settings.fail_on, &summary, &here);
                (verdict, done)
            }
            Err(err) => {
                let detail = scrubbed(&err.to_string());
                let done = Completion {
                    conclusion: checkrun::conclusion(Verdict::Unverified),
                    title: "Could not verify the review".to_owned(),
                    summary: format!("livegate could not judge {}#{}: {detail}", job.repo(), job.number),
                    annotations: Vec::new(),
                };
                (Verdict::Unverified, done)
            }
        };
        checkrun::complete(&client, job, id, &completion).map_err(|err| Failed::from_api(&err, spent(&client)))?;
        Ok(Judged {
            verdict,
            outcome: vec![("conclusion", json!(completion.conclusion)), ("check_run", json!(id))],
            requests: spent(&client),
        })
    }
}

/// Landing commits a deployment protection rule judges at most (as `livegate
/// deploy --max-commits`): more is answered `rejected`, could not verify.
const GATE_MAX_COMMITS: usize = 5000;

/// GitHub documents no length limit for the comment of a deployment review;
/// livegate keeps it to this many characters so that a long list of failing
/// commits is never refused for its size (the first ones are what matter).
pub const MAX_GATE_COMMENT_CHARS: usize = 1024;

fn limit_comment(comment: &str) -> String {
    if comment.chars().count() <= MAX_GATE_COMMENT_CHARS {
        return comment.to_owned();
    }
    let cut: String = comment.chars().take(MAX_GATE_COMMENT_CHARS - 1).collect();
    format!("{cut}…")
}

struct Judged {
    verdict: Verdict,
    /// What the verdict became on GitHub (a check run, or a deployment review), for the log.
    outcome: Vec<(&'static str, serde_json::Value)>,
    requests: u64,
}

struct Failed {
    error: String,
    requests: u64,
    unauthorized: bool,
}

impl Failed {
    fn from_api(err: &ApiError, requests: u64) -> Failed {
        Failed {
            error: scrub(&err.to_string()),
            requests,
            unauthorized: matches!(err, ApiError::Unauthorized { .. }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_gate_comment_is_cut_to_the_limit_on_a_character_boundary() {
        assert_eq!(limit_comment("short"), "short");
        let long = "é".repeat(MAX_GATE_COMMENT_CHARS + 10);
        let cut = limit_comment(&long);
        assert_eq!(cut.chars().count(), MAX_GATE_COMMENT_CHARS);
        assert!(cut.ends_with('…'));
    }
}
