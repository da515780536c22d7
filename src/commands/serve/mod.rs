//! `livegate serve`: the livegate GitHub App. GitHub sends it webhooks for
//! pull requests, reviews, merge groups and re-run requests; it verifies
//! each one's signature, stores it in a durable queue (`queue`), and a pool
//! of workers (`worker`) judges the pull request with the same evaluation as
//! `livegate pr`, as the App's installation (`tokens`), posting the verdict
//! as the check run `livegate/review` (`checkrun`). Only the App can post
//! that check run, so a branch rule that requires it, pinned to the App,
//! cannot be satisfied by a workflow the pull request's author edits.

mod checkrun;
mod http;
mod queue;
mod tokens;
mod webhook;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::shared::Outcome;
use crate::diag::{log, Level};
use crate::github::client::{ClientOptions, DEFAULT_API_URL};
use crate::github::secret::Secret;
use queue::Queue;
use tokens::Installations;
use worker::{Bell, Pool};

/// Everything `serve` needs, validated from flags and environment.
pub struct ServeSettings {
    pub listen: String,
    pub app_id: u64,
    pub app_key: Secret,
    pub webhook_secret: Secret,
    pub db: PathBuf,
    pub workers: usize,
    pub client: ClientOptions,
}

impl ServeSettings {
    pub fn from_args(args: &crate::cli::ServeArgs) -> Result<ServeSettings, String> {
        let webhook_secret = match (&args.webhook_secret, &args.webhook_secret_file) {
            (_, Some(file)) => std::fs::read_to_string(file)
                .map_err(|err| format!("--webhook-secret-file {}: cannot read: {err}", file.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
            (Some(secret), None) => secret.clone(),
            (None, None) => {
                return Err(
                    "no webhook secret: pass --webhook-secret-file FILE or set LIVEGATE_WEBHOOK_SECRET \
                            (the secret set in the App's webhook settings)"
                        .to_owned(),
                )
            }
        };
        if webhook_secret.trim().len() < 8 {
            return Err("--webhook-secret: too short to be a secret (8 characters at least)".to_owned());
        }
        let pem = std::fs::read_to_string(&args.app_key)
            .map_err(|err| format!("--app-key {}: cannot read: {err}", args.app_key.display()))?;
        if args.workers == 0 || args.workers > 256 {
            return Err(format!("--workers: {} is not between 1 and 256", args.workers));
        }
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let api_url = args
            .api_url
            .clone()
            .or_else(|| env("GITHUB_API_URL"))
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(format!("--api-url / GITHUB_API_URL: `{api_url}` is not an http(s) URL"));
        }
        Ok(ServeSettings {
            listen: args.listen.clone(),
            app_id: args.app_id,
            app_key: Secret::new(pem),
            webhook_secret: Secret::new(webhook_secret),
            db: args.db.clone(),
            workers: args.workers,
            client: ClientOptions {
                api_url,
                request_timeout: Duration::from_secs(args.timeout.max(1)),
                budget: Duration::from_secs(args.budget.max(1)),
                ..ClientOptions::default()
            },
        })
    }
}

/// `-q` leaves warnings and errors in the log (refused deliveries, failed
/// jobs); `-v` adds per-request detail (every HTTP request answered, every
/// request to GitHub).
pub fn run(args: crate::cli::ServeArgs, verbosity: crate::cli::Verbosity) -> Outcome {
    let mut settings = match ServeSettings::from_args(&args) {
        Ok(settings) => settings,
        Err(err) => return Outcome::error(err),
    };
    settings.client.verbose = verbosity.verbose;
    crate::diag::start_log(Level::threshold(verbosity.quiet, verbosity.verbose));
    match serve(settings) {
        Ok(()) => Outcome {
            stdout: String::new(),
            stderr: String::new(),
            exit: crate::exit::PASS,
        },
        Err(err) => Outcome::error(err),
    }
}

/// Runs until SIGTERM or SIGINT: stops accepting, lets each worker finish
/// the job in hand, and leaves everything else in the queue for the next start.
pub fn serve(settings: ServeSettings) -> Result<(), String> {
    let queue = Arc::new(Queue::open(&settings.db).map_err(|e| e.to_string())?);
    let installations = Arc::new(Installations::new(
        settings.app_id,
        &settings.app_key,
        settings.client.clone(),
    )?);
    let scratch = tempfile::Builder::new()
        .prefix("livegate-serve-")
        .tempdir()
        .map_err(|err| format!("cannot create a scratch directory: {err}"))?;
    let bell = Arc::new(Bell::default());
    let stop = Arc::new(AtomicBool::new(false));
    let pool = Arc::new(Pool {
        queue: queue.clone(),
        installations,
        bell: bell.clone(),
        stop: stop.clone(),
        scratch: scratch.path().to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&settings.listen))
        .map_err(|err| format!("--listen {}: cannot listen: {err}", settings.listen))?;
    let address = listener
        .local_addr()
        .map_or_else(|_| settings.listen.clone(), |a| a.to_string());
    let workers = pool.spawn(settings.workers);
    let unfinished = queue.unfinished().unwrap_or(0);
    log(
        Level::Info,
        json!({
            "msg": "listening", "address": address, "workers": settings.workers,
            "db": settings.db.display().to_string(), "resumed_jobs": unfinished,
            "api_url": settings.client.api_url,
        }),
    );
    let stopping = Arc::new(AtomicBool::new(false));
    let web = Arc::new(http::Web {
        secret: settings.webhook_secret,
        api_url: settings.client.api_url.clone(),
        queue,
        bell: bell.clone(),
        stopping: stopping.clone(),
    });
    let served = runtime.block_on(async move {
        axum::serve(listener, http::router(web))
            .with_graceful_shutdown(shutdown_signal(stopping))
            .await
    });
    stop.store(true, Ordering::SeqCst);
    bell.ring();
    log(
        Level::Info,
        json!({"msg": "stopping", "detail": "finishing the jobs in hand; the rest stays queued"}),
    );
    for worker in workers {
        let _ = worker.join();
    }
    log(Level::Info, json!({"msg": "stopped"}));
    served.map_err(|err| format!("--listen {address}: the server failed: {err}"))
}

async fn shutdown_signal(stopping: Arc<AtomicBool>) {
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate() => {}
    }
    stopping.store(true, Ordering::SeqCst);
}

/// SIGTERM: what a service manager or Kubernetes sends to stop the process.
#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}
