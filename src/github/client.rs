//! The HTTP layer every online command uses: octocrab for transport and
//! authentication, and around it what a careful client needs — counted
//! requests, ETag caching, bounded retries with backoff and jitter, rate-limit
//! handling, pagination with a cap, an overall time budget. It exposes a
//! blocking API so that collectors stay simple.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::header::{HeaderMap, HeaderName, HeaderValue, ETAG, IF_NONE_MATCH};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use super::cache::EtagCache;
use super::secret::Secret;
use crate::sanitize::scrub;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// GraphQL's path under its root (the REST root, or `/api` on Enterprise Server).
const GRAPHQL_PATH: &str = "/graphql";

/// The largest answer livegate reads. GitHub's largest pages are a few
/// MiB; a bigger body is refused (could not verify) rather than held in
/// memory.
pub const MAX_BODY_BYTES: usize = 32 << 20;

/// How to authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Token(Secret),
    App {
        app_id: u64,
        private_key_pem: Secret,
        installation_id: u64,
    },
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub api_url: String,
    pub auth: Auth,
    pub cache_dir: Option<std::path::PathBuf>,
    /// Per-request timeout (connect and read).
    pub request_timeout: Duration,
    /// Everything a command does must finish within this, counted from
    /// `started`: each request's deadline is the smaller of
    /// `request_timeout` and what is left of it, body included.
    pub budget: Duration,
    /// When the command started; shared by every client made from clones of
    /// these options, so that the budget bounds the whole command.
    pub started: Instant,
    /// Retries after the first attempt, for 5xx, timeouts and connection errors.
    pub retries: u32,
    pub backoff_base: Duration,
    /// A rate-limit wait longer than this fails (exit 3) instead of sleeping.
    pub max_rate_limit_wait: Duration,
    /// Pages followed through `Link` before giving up (fail closed).
    pub max_pages: usize,
    pub verbose: bool,
    /// Shared by every client made from clones of these options, so that a
    /// pause GitHub asks of one request holds every worker.
    pub gate: RateGate,
}

/// When GitHub asks for a pause (a secondary limit's `retry-after`, or the
/// primary quota used up until `x-ratelimit-reset`), no client sharing the
/// gate sends anything before the pause is over: GitHub counts requests per
/// credential, not per connection, so one worker's limit is everyone's.
#[derive(Debug, Clone, Default)]
pub struct RateGate {
    pause_until_ms: Arc<AtomicU64>,
    /// When the last mutative request was (or will be) sent, unix ms.
    last_write_ms: Arc<AtomicU64>,
}

/// The interval GitHub asks for between mutative requests.
const WRITE_INTERVAL_MS: u64 = 1000;

impl RateGate {
    /// Nobody sends before this unix time (in milliseconds); a later pause
    /// already set is kept.
    pub fn pause_until(&self, unix_ms: u64) {
        self.pause_until_ms.fetch_max(unix_ms, Ordering::SeqCst);
    }

    /// How long a request must still wait.
    pub fn remaining(&self) -> Duration {
        Duration::from_millis(self.pause_until_ms.load(Ordering::SeqCst).saturating_sub(now_ms()))
    }

    /// The end of the current pause, in unix seconds (rounded up).
    fn until_secs(&self) -> u64 {
        self.pause_until_ms.load(Ordering::SeqCst).div_ceil(1000)
    }

    /// Reserves the next slot for a mutative request, at least a second after
    /// the previous one; returns how long to wait for it.
    fn next_write_slot(&self) -> Duration {
        loop {
            let now = now_ms();
            let last = self.last_write_ms.load(Ordering::SeqCst);
            let slot = if last == 0 {
                now
            } else {
                now.max(last + WRITE_INTERVAL_MS)
            };
            if self
                .last_write_ms
                .compare_exchange(last, slot, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Duration::from_millis(slot - now);
            }
        }
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_url: DEFAULT_API_URL.to_owned(),
            auth: Auth::None,
            cache_dir: None,
            request_timeout: Duration::from_secs(30),
            budget: Duration::from_secs(300),
            started: Instant::now(),
            retries: 3,
            backoff_base: Duration::from_millis(500),
            max_rate_limit_wait: Duration::from_secs(60),
            max_pages: 100,
            verbose: false,
            gate: RateGate::default(),
        }
    }
}

/// Why a request did not produce data. Every variant names the endpoint.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
    #[error("{endpoint}: 401 {message}; check the credentials (GITHUB_TOKEN, GH_TOKEN, --token-file, or --app-id/--app-key/--installation-id)")]
    Unauthorized { endpoint: String, message: String },
    #[error("{endpoint}: {status} {message}")]
    Denied {
        endpoint: String,
        status: u16,
        message: String,
    },
    #[error("{endpoint}: 404 {message}")]
    NotFound { endpoint: String, message: String },
    #[error("{endpoint}: rate limited{}; {wait}", reset.map(|r| format!(" until {r} (unix time)")).unwrap_or_default())]
    RateLimited {
        endpoint: String,
        reset: Option<u64>,
        wait: String,
    },
    #[error("{endpoint}: GitHub unavailable after {}: {detail}", crate::report::count(*attempts as usize, "attempt", "attempts"))]
    Unavailable {
        endpoint: String,
        attempts: u32,
        detail: String,
    },
    #[error("{endpoint}: unexpected response: {detail}")]
    Malformed { endpoint: String, detail: String },
    #[error("{endpoint}: more than {pages} pages; refusing a partial answer")]
    TooManyPages { endpoint: String, pages: usize },
    #[error("{endpoint}: the time budget of {seconds}s is spent")]
    Budget { endpoint: String, seconds: u64 },
    #[error("GitHub client: {0}")]
    Setup(String),
}

impl ApiError {
    /// Whether this means "livegate could not verify" (exit 3) rather than a
    /// usage problem.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { endpoint, .. }
            | ApiError::Denied { endpoint, .. }
            | ApiError::NotFound { endpoint, .. }
            | ApiError::RateLimited { endpoint, .. }
            | ApiError::Unavailable { endpoint, .. }
            | ApiError::Malformed { endpoint, .. }
            | ApiError::TooManyPages { endpoint, .. }
            | ApiError::Budget { endpoint, .. } => Some(endpoint),
            ApiError::Setup(_) => None,
        }
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub next: Option<String>,
    /// Answered 304 and served from the ETag cache.
    pub cached: bool,
}

impl ApiResponse {
    pub fn json<T: DeserializeOwned>(&self, endpoint: &str) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|err| ApiError::Malformed {
            endpoint: if endpoint.starts_with('/') {
                format!("GET {endpoint}")
            } else {
                endpoint.to_owned()
            },
            detail: format!("body is not the expected JSON ({err})"),
        })
    }
}

/// Request accounting, reported in JSON as `api`.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub conditional_hits: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limit_waits: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApiStats {
    pub requests: u64,
    pub conditional_hits: u64,
    pub retries: u64,
    /// Requests held back because GitHub had asked for a pause.
    pub rate_limit_waits: u64,
}

pub struct Client {
    octo: octocrab::Octocrab,
    /// GraphQL's transport on GitHub Enterprise Server (`None`: `octo` serves it).
    graphql_octo: Option<octocrab::Octocrab>,
    runtime: tokio::runtime::Runtime,
    options: ClientOptions,
    cache: Option<EtagCache>,
    counters: Counters,
}

enum Attempt {
    Done(ApiResponse),
    Retry { detail: String, after: Option<Duration> },
    Fail(ApiError),
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, ApiError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| ApiError::Setup(format!("cannot start the async runtime: {err}")))?;
        if let Auth::Token(token) = &options.auth {
            // Every caller checks its token where it comes from (and names the
            // source); this is the last line before an HTTP header is built.
            if token.expose().chars().any(|c| !c.is_ascii_graphic()) {
                return Err(ApiError::Setup(
                    "the token is not one line of printable ASCII, so it cannot be sent in a header".to_owned(),
                ));
            }
        }
        let secret = match &options.auth {
            Auth::Token(token) => Some(token.clone()),
            Auth::App { private_key_pem, .. } => Some(private_key_pem.clone()),
            Auth::None => None,
        };
        let octo = build_octo(&runtime, &options, &options.api_url)?;
        // GitHub Enterprise Server serves GraphQL at /api/graphql, outside the
        // REST root /api/v3 that octocrab joins every path to: a second
        // transport rooted at /api reaches it (same host, same credentials).
        let graphql_octo = match enterprise_api_root(&options.api_url) {
            Some(root) => Some(build_octo(&runtime, &options, &root)?),
            None => None,
        };
        let cache = options
            .cache_dir
            .as_ref()
            .map(|dir| EtagCache::new(dir.clone(), secret.as_ref()));
        Ok(Client {
            octo,
            graphql_octo,
            runtime,
            options,
            cache,
            counters: Counters::default(),
        })
    }

    pub fn stats(&self) -> ApiStats {
        ApiStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            conditional_hits: self.counters.conditional_hits.load(Ordering::Relaxed),
            retries: self.counters.retries.load(Ordering::Relaxed),
            rate_limit_waits: self.counters.rate_limit_waits.load(Ordering::Relaxed),
        }
    }

    /// `--verbose`: a line per request with status and quota, per retry and
    /// per rate-limit wait, on stderr as it happens (so a long audit shows
    /// its progress, and a run that ends in an error still shows its requests).
    fn note(&self, line: String) {
        if self.options.verbose {
            crate::diag::note(&line);
        }
    }

    /// One GET with retries, rate-limit handling and the ETag cache.
    pub fn get(&self, endpoint: &str) -> Result<ApiResponse, ApiError> {
        self.send("GET", endpoint, None)
    }

    /// One POST of a JSON body, with the same retries and rate-limit
    /// handling (never cached). Only for idempotent effects, such as a
    /// commit status that a retry merely sets again.
    pub fn post(&self, endpoint: &str, body: &serde_json::Value) -> Result<ApiResponse, ApiError> {
        self.send("POST", endpoint, Some(body))
    }

    /// One PATCH of a JSON body (an update that a retry merely repeats).
    pub fn patch(&self, endpoint: &str, body: &serde_json::Value) -> Result<ApiResponse, ApiError> {
        self.send("PATCH", endpoint, Some(body))
    }

    /// Where GraphQL is served: `https://api.github.com/graphql`, beside the
    /// REST root; on GitHub Enterprise Server (`--api-url
    /// https://HOST/api/v3`) `https://HOST/api/graphql`, through the second
    /// transport.
    pub fn graphql_url(&self) -> String {
        match enterprise_api_root(&self.options.api_url) {
            Some(root) => format!("{root}{GRAPHQL_PATH}"),
            None => format!("{}{GRAPHQL_PATH}", self.options.api_url.trim_end_matches('/')),
        }
    }

    /// `POST /graphql`, or `POST /api/graphql` on Enterprise Server: how errors name the endpoint.
    fn graphql_label(&self) -> &'static str {
        if enterprise_api_root(&self.options.api_url).is_some() {
            "POST /api/graphql"
        } else {
            "POST /graphql"
        }
    }

    /// One GraphQL query, with the REST retries and rate-limit handling. A
    /// query changes nothing, so it is not paced like a mutation. An answer
    /// with `errors` — even beside `data`, a partial answer — is an error:
    /// what is missing could be exactly the evidence that fails the check.
    pub fn graphql(&self, query: &str, variables: &serde_json::Value) -> Result<serde_json::Value, ApiError> {
        let endpoint = GRAPHQL_PATH;
        let label = self.graphql_label().to_owned();
        let body = serde_json::json!({ "query": query, "variables": variables });
        let response = self.send_with("POST", endpoint, Some(&body), false)?;
        let mut answer: serde_json::Value = response.json(&label)?;
        if let Some(errors) = answer
            .get("errors")
            .and_then(|e| e.as_array())
            .filter(|e| !e.is_empty())
        {
            let messages: Vec<String> = errors
                .iter()
                .map(|e| {
                    let path = e["path"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .filter(|p| !p.is_empty())
                        .map(|p| format!(" at {p}"))
                        .unwrap_or_default();
                    format!("{}{path}", e["message"].as_str().unwrap_or("(no message)"))
                })
                .collect();
            let limited = errors.iter().any(|e| e["type"].as_str() == Some("RATE_LIMITED"));
            if limited {
                return Err(ApiError::RateLimited {
                    endpoint: label,
                    reset: None,
                    wait: format!("GraphQL: {}", messages.join("; ")),
                });
            }
            let partial = if answer.get("data").is_some_and(|d| !d.is_null()) {
                "partial answer (errors beside data)"
            } else {
                "errors"
            };
            return Err(ApiError::Malformed {
                endpoint: label,
                detail: crate::sanitize::scrub(&format!("{partial}: {}", messages.join("; "))),
            });
        }
        match answer.get_mut("data").map(serde_json::Value::take) {
            Some(data) if data.is_object() => Ok(data),
            _ => Err(ApiError::Malformed {
                endpoint: label,
                detail: "no `data` in the answer".to_owned(),
            }),
        }
    }

    fn send(&self, method: &str, endpoint: &str, body: Option<&serde_json::Value>) -> Result<ApiResponse, ApiError> {
        self.send_with(method, endpoint, body, method != "GET")
    }

    fn send_with(
        &self,
        method: &str,
        endpoint: &str,
        body: Option<&serde_json::Value>,
        mutative: bool,
    ) -> Result<ApiResponse, ApiError> {
        let label = format!("{method} {endpoint}");
        // What goes out (an issue body, a status description) is scrubbed
        // like everything else that leaves the process.
        let body = body.map(|body| {
            serde_json::from_str::<serde_json::Value>(&scrub(&body.to_string())).unwrap_or_else(|_| body.clone())
        });
        let body = body.as_ref();
        let mut attempt = 0u32;
        loop {
            if self.budget_left().is_zero() {
                return Err(self.budget_spent(&label));
            }
            self.wait_for_gate(&label)?;
            if mutative {
                self.pace_write();
            }
            match self.attempt(method, endpoint, body, &label, attempt) {
                Attempt::Done(response) => return Ok(response),
                Attempt::Fail(err) => return Err(err),
                Attempt::Retry { detail, after } => {
                    if attempt >= self.options.retries {
                        return Err(ApiError::Unavailable {
                            endpoint: label.clone(),
                            attempts: attempt + 1,
                            detail,
                        });
                    }
                    let wait = after.unwrap_or_else(|| backoff(self.options.backoff_base, attempt));
                    if wait >= self.budget_left() {
                        return Err(self.budget_spent(&label));
                    }
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    self.note(format!("retrying {label} in {} ms: {detail}", wait.as_millis()));
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    /// What is left of the command's time budget.
    fn budget_left(&self) -> Duration {
        self.options.budget.saturating_sub(self.options.started.elapsed())
    }

    fn budget_spent(&self, label: &str) -> ApiError {
        ApiError::Budget {
            endpoint: label.to_owned(),
            seconds: self.options.budget.as_secs(),
        }
    }

    /// GitHub asks integrators to leave at least a second between mutative
    /// requests (POST, PATCH, ...); every client sharing the gate keeps to it.
    fn pace_write(&self) {
        let wait = self.options.gate.next_write_slot();
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Sleeps while a pause GitHub asked for (of this client or another one
    /// sharing the gate) is on; fails when it is longer than allowed.
    fn wait_for_gate(&self, label: &str) -> Result<(), ApiError> {
        let pause = self.options.gate.remaining();
        if pause.is_zero() {
            return Ok(());
        }
        if pause > self.options.max_rate_limit_wait {
            return Err(ApiError::RateLimited {
                endpoint: label.to_owned(),
                reset: Some(self.options.gate.until_secs()),
                wait: format!(
                    "not sent: GitHub asked for a pause of {}s, longer than the {}s allowed; rerun after the reset",
                    pause.as_secs_f64().ceil() as u64,
                    self.options.max_rate_limit_wait.as_secs()
                ),
            });
        }
        if pause >= self.budget_left() {
            return Err(self.budget_spent(label));
        }
        self.counters.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
        self.note(format!(
            "waiting {} ms before {label}: GitHub asked for a pause (rate limit)",
            pause.as_millis()
        ));
        std::thread::sleep(pause);
        Ok(())
    }

    /// Every page of a list endpoint, concatenated; fails closed past `max_pages`.
    pub fn get_all<T: DeserializeOwned>(&self, endpoint: &str) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        self.for_each_page(endpoint, |page: Vec<T>| {
            items.extend(page);
            true
        })?;
        Ok(items)
    }

    /// Hands each page of a list endpoint to `each` as it arrives, so that a
    /// long listing is never held whole; `each` returns false to stop early.
    /// Fails closed past `max_pages`.
    pub fn for_each_page<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        mut each: impl FnMut(Vec<T>) -> bool,
    ) -> Result<(), ApiError> {
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{endpoint}{separator}per_page=100"));
        let mut pages = 0;
        while let Some(url) = next {
            if pages == self.options.max_pages {
                return Err(ApiError::TooManyPages {
                    endpoint: format!("GET {endpoint}"),
                    pages,
                });
            }
            let response = self.get(&url)?;
            let page: Vec<T> = response.json(endpoint)?;
            if !each(page) {
                return Ok(());
            }
            next = response.next;
            pages += 1;
        }
        Ok(())
    }

    fn attempt(
        &self,
        method: &str,
        endpoint: &str,
        body: Option<&serde_json::Value>,
        label: &str,
        attempt: u32,
    ) -> Attempt {
        let cached = self
            .cache
            .as_ref()
            .filter(|_| method == "GET")
            .and_then(|cache| cache.load(&self.options.api_url, endpoint));
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        if let Some(entry) = &cached {
            if let Ok(value) = HeaderValue::from_str(&entry.etag) {
                headers.insert(IF_NONE_MATCH, value);
            }
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        // One deadline for the whole exchange, body included: a server that
        // drips its answer cannot hold the command past its budget.
        let budget_left = self.budget_left();
        let deadline = self.options.request_timeout.min(budget_left);
        let octo = match &self.graphql_octo {
            Some(graphql) if method == "POST" && endpoint == GRAPHQL_PATH => graphql,
            _ => &self.octo,
        };
        let exchange = async {
            let response = match body {
                Some(body) if method == "PATCH" => octo._patch(endpoint, Some(body)).await?,
                Some(body) => octo._post(endpoint, Some(body)).await?,
                None => octo._get_with_headers(endpoint, Some(headers)).await?,
            };
            let (parts, mut body) = response.into_parts();
            let declared = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
                return Ok(None);
            }
            let mut bytes = Vec::new();
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame?.into_data() {
                    if bytes.len() + data.len() > MAX_BODY_BYTES {
                        return Ok(None);
                    }
                    bytes.extend_from_slice(&data);
                }
            }
            Ok::<_, octocrab::Error>(Some((parts, bytes)))
        };
        let result = self
            .runtime
            .block_on(async { tokio::time::timeout(deadline, exchange).await });
        let result = match result {
            Ok(result) => result,
            Err(_) if deadline >= budget_left => return Attempt::Fail(self.budget_spent(label)),
            Err(_) => {
                let detail = format!(
                    "no complete answer within --timeout {}s",
                    self.options.request_timeout.as_secs()
                );
                self.note(format!("{label} -> error: {detail}"));
                return Attempt::Retry { detail, after: None };
            }
        };
        let (parts, bytes) = match result {
            Ok(Some(ok)) => ok,
            Ok(None) => {
                self.note(format!("{label} -> answer larger than {} MiB", MAX_BODY_BYTES >> 20));
                return Attempt::Fail(ApiError::Malformed {
                    endpoint: label.to_owned(),
                    detail: format!(
                        "the answer is larger than {} MiB, more than any GitHub answer; refusing to read it",
                        MAX_BODY_BYTES >> 20
                    ),
                });
            }
            // GitHub refused the App's credentials while octocrab fetched an
            // installation token: an authentication problem, not an outage.
            Err(octocrab::Error::GitHub { source, .. }) if source.status_code.is_client_error() => {
                let message = scrub(&crate::sanitize::inline(&source.message));
                self.note(format!(
                    "{label} -> {} while authenticating: {message}",
                    source.status_code.as_u16()
                ));
                return Attempt::Fail(ApiError::Unauthorized {
                    endpoint: label.to_owned(),
                    message: format!("{message} (GitHub App installation token request failed)"),
                });
            }
            Err(err) => {
                let detail = scrub(&describe_transport_error(&err));
                self.note(format!("{label} -> error: {detail}"));
                return Attempt::Retry { detail, after: None };
            }
        };
        let status = parts.status.as_u16();
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let remaining = header("x-ratelimit-remaining");
        self.note(format!(
            "{label} -> {status} (quota remaining: {})",
            remaining.as_deref().unwrap_or("?")
        ));
        let next = header("link").and_then(|link| next_link(&link));
        if status == 304 {
            if let Some(entry) = cached {
                self.counters.conditional_hits.fetch_add(1, Ordering::Relaxed);
                return Attempt::Done(ApiResponse {
                    status: 200,
                    body: entry.body,
                    next: entry.next,
                    cached: true,
                });
            }
            return Attempt::Fail(ApiError::Malformed {
                endpoint: label.to_owned(),
                detail: "304 without a cached copy".to_owned(),
            });
        }
        let message = || error_message(&bytes);
        if (200..300).contains(&status) && remaining.as_deref() == Some("0") {
            // The quota is used up: the next request would be refused, so
            // nobody sends one before the reset.
            if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok()) {
                self.options
                    .gate
                    .pause_until(reset.saturating_add(1).saturating_mul(1000));
            }
        }
        match status {
            200..=299 => {
                if let (Some(cache), Some(etag), "GET") = (
                    &self.cache,
                    parts.headers.get(ETAG).and_then(|v| v.to_str().ok()),
                    method,
                ) {
                    cache.store(&self.options.api_url, endpoint, etag, &bytes, next.as_deref());
                }
                Attempt::Done(ApiResponse {
                    status,
                    body: bytes.to_vec(),
                    next,
                    cached: false,
                })
            }
            401 => Attempt::Fail(ApiError::Unauthorized {
                endpoint: label.to_owned(),
                message: message(),
            }),
            403 | 429 => {
                let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
                let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok());
                let exhausted = remaining.as_deref() == Some("0");
                let secondary = message().to_ascii_lowercase().contains("secondary rate limit");
                if status == 429 || retry_after.is_some() || exhausted || secondary {
                    // GitHub's guidance: `retry-after` when given; the reset
                    // when the quota is used up; otherwise a minute, doubling
                    // while the limit persists.
                    let wait = match (retry_after, reset) {
                        (Some(seconds), _) => Duration::from_secs(seconds),
                        (None, Some(reset)) if exhausted => until(reset),
                        _ => Duration::from_secs(60).saturating_mul(1u32 << attempt.min(6)),
                    };
                    self.options
                        .gate
                        .pause_until(now_ms().saturating_add(wait.as_millis() as u64));
                    if wait <= self.options.max_rate_limit_wait {
                        return Attempt::Retry {
                            detail: format!("rate limited ({status})"),
                            after: Some(wait),
                        };
                    }
                    return Attempt::Fail(ApiError::RateLimited {
                        endpoint: label.to_owned(),
                        reset: Some(now().saturating_add(wait.as_secs())),
                        wait: format!(
                            "waiting {}s is longer than the {}s allowed; rerun after the reset",
                            wait.as_secs(),
                            self.options.max_rate_limit_wait.as_secs()
                        ),
                    });
                }
                Attempt::Fail(ApiError::Denied {
                    endpoint: label.to_owned(),
                    status,
                    message: message(),
                })
            }
            404 => Attempt::Fail(ApiError::NotFound {
                endpoint: label.to_owned(),
                message: message(),
            }),
            500..=599 => Attempt::Retry {
                detail: format!("{status} {}", message()),
                after: None,
            },
            _ => Attempt::Fail(ApiError::Denied {
                endpoint: label.to_owned(),
                status,
                message: message(),
            }),
        }
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn until(reset: u64) -> Duration {
    Duration::from_secs(reset.saturating_sub(now()).saturating_add(1))
}

/// Exponential backoff with up to 50% jitter, so that parallel clients do not
/// retry in step. The jitter comes from the clock: good enough to spread
/// retries, no need for a random number generator.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(6));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = exp.mul_f64(f64::from(nanos % 1000) / 2000.0);
    exp + jitter
}

/// The `message` of a GitHub error body, or a short excerpt when it is not
/// JSON; on one line, controls escaped and secrets scrubbed, since it ends up
/// in errors, findings and `--verbose` lines.
fn error_message(body: &[u8]) -> String {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_owned());
    scrub(&crate::sanitize::inline(&message))
}

/// The `rel="next"` URL of a Link header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
    })
}

fn describe_transport_error(err: &octocrab::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    crate::sanitize::inline(&text)
}

/// `https://HOST/api` for a GitHub Enterprise Server REST root `https://HOST/api/v3`.
fn enterprise_api_root(api_url: &str) -> Option<String> {
    api_url
        .trim_end_matches('/')
        .strip_suffix("/v3")
        .filter(|root| root.ends_with("/api"))
        .map(str::to_owned)
}

/// An octocrab transport rooted at `base`, authenticated as `options` say.
fn build_octo(
    runtime: &tokio::runtime::Runtime,
    options: &ClientOptions,
    base: &str,
) -> Result<octocrab::Octocrab, ApiError> {
    runtime.block_on(async {
        let builder = octocrab::Octocrab::builder()
            .base_uri(base)
            .map_err(|err| ApiError::Setup(format!("--api-url `{}` is not a URL: {err}", options.api_url)))?
            .set_connect_timeout(Some(options.request_timeout))
            .set_read_timeout(Some(options.request_timeout))
            .add_header(HeaderName::from_static("x-github-api-version"), "2022-11-28".to_owned())
            .add_header(
                http::header::USER_AGENT,
                format!("livegate/{}", env!("CARGO_PKG_VERSION")),
            );
        let octo = match &options.auth {
            Auth::None => builder.build(),
            Auth::Token(token) => builder.personal_token(token.expose().to_owned()).build(),
            Auth::App {
                app_id,
                private_key_pem,
                installation_id,
            } => {
                let key = octocrab::EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes()).map_err(|err| {
                    ApiError::Setup(format!("--app-key is not an RSA private key in PEM form ({err})"))
                })?;
                let app = builder
                    .app((*app_id).into(), key)
                    .build()
                    .map_err(|err| ApiError::Setup(err.to_string()))?;
                app.installation((*installation_id).into())
            }
        };
        octo.map_err(|err| ApiError::Setup(scrub(&crate::sanitize::inline(&err.to_string()))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_others() {
        let header = "<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=9>; rel=\"last\"";
        assert_eq!(next_link(header).as_deref(), Some("https://api.github.com/x?page=2"));
        assert_eq!(next_link("<https://a/x?page=1>; rel=\"prev\""), None);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let base = Duration::from_millis(100);
        let first = backoff(base, 0);
        assert!(first >= base && first <= base.mul_f64(1.5));
        let third = backoff(base, 2);
        assert!(third >= base * 4 && third <= (base * 4).mul_f64(1.5));
    }

    #[test]
    fn mutative_requests_are_spaced_a_second_apart_across_clients() {
        let gate = RateGate::default();
        let shared = gate.clone();
        assert_eq!(gate.next_write_slot(), Duration::ZERO, "the first write goes at once");
        let second = shared.next_write_slot();
        assert!(
            second > Duration::from_millis(900) && second <= Duration::from_secs(1),
            "{second:?}"
        );
        let third = gate.next_write_slot();
        assert!(
            third > Duration::from_millis(1900) && third <= Duration::from_secs(2),
            "{third:?}"
        );
    }

    #[test]
    fn graphql_is_beside_the_rest_root_except_on_enterprise_server() {
        let url = |api_url: &str| {
            Client::new(ClientOptions {
                api_url: api_url.to_owned(),
                ..ClientOptions::default()
            })
            .unwrap()
            .graphql_url()
        };
        assert_eq!(url("https://api.github.com"), "https://api.github.com/graphql");
        assert_eq!(
            url("https://ghe.acme.example/api/v3"),
            "https://ghe.acme.example/api/graphql"
        );
        assert_eq!(
            url("https://ghe.acme.example/api/v3/"),
            "https://ghe.acme.example/api/graphql"
        );
        assert_eq!(enterprise_api_root("https://proxy.example/v3"), None);
    }

    #[test]
    fn error_message_prefers_github_message() {
        assert_eq!(
            error_message(br#"{"message":"Branch not protected","status":"404"}"#),
            "Branch not protected"
        );
        assert_eq!(error_message(b"<html>oops</html>"), "<html>oops</html>");
    }
}
