//! The HTTP face of the App: `POST /webhook`, `GET /healthz`, `GET /readyz`.
//! A delivery is checked in this order, and nothing is parsed or stored
//! before its signature holds: size (413), signature (401), headers (400),
//! JSON and fields (400); then it is written to the queue (and synced)
//! before the 202 that tells GitHub it is safe.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::queue::{Accepted, Queue};
use super::webhook::{signature_is_valid, wanted, Wanted, MAX_BODY_BYTES};
use super::worker::Bell;
use crate::diag::{log, Level};
use crate::github::secret::Secret;

pub struct Web {
    pub secret: Secret,
    /// The configured API root: where deployment protection rules are answered.
    pub api_url: String,
    pub queue: Arc<Queue>,
    pub bell: Arc<Bell>,
    /// Set when shutdown starts: readiness fails so that no new work is routed here.
    pub stopping: Arc<AtomicBool>,
}

pub fn router(web: Arc<Web>) -> Router {
    Router::new()
        .route("/webhook", post(webhook))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(trace))
        .with_state(web)
}

/// `-v`: a debug line for every request answered — health checks, and
/// refusals that never reach a handler (an oversized body) included.
async fn trace(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = request.method().to_string();
    // What the sender wrote: kept short.
    let path: String = request.uri().path().chars().take(200).collect();
    let delivery = header(request.headers(), "x-github-delivery").map(|d| d.chars().take(100).collect::<String>());
    let response = next.run(request).await;
    log(
        Level::Debug,
        json!({"msg": "http", "method": method, "path": path, "status": response.status().as_u16(),
               "delivery": delivery, "duration_ms": started.elapsed().as_millis() as u64}),
    );
    response
}

async fn readyz(State(web): State<Arc<Web>>) -> (StatusCode, String) {
    if web.stopping.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n".to_owned());
    }
    let queue = web.queue.clone();
    match tokio::task::spawn_blocking(move || queue.unfinished()).await {
        Ok(Ok(unfinished)) => (
            StatusCode::OK,
            format!(
                "ready; {} queued\n",
                crate::report::count(unfinished as usize, "job", "jobs")
            ),
        ),
        Ok(Err(err)) => (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")),
        Err(err) => (StatusCode::SERVICE_UNAVAILABLE, format!("queue check failed: {err}\n")),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A refusal: logged (without the body) and answered as plain text.
fn refuse(status: StatusCode, delivery: Option<&str>, reason: &str) -> (StatusCode, String) {
    // The delivery id of a refused request is whatever the sender wrote: kept short.
    let delivery = delivery.map(|d| d.chars().take(100).collect::<String>());
    // A refusal is what a forged or broken delivery gets: kept in a quiet log.
    let level = if status.is_server_error() {
        Level::Error
    } else {
        Level::Warn
    };
    log(
        level,
        json!({"msg": "refused", "status": status.as_u16(), "delivery": delivery, "reason": reason}),
    );
    (status, format!("{reason}\n"))
}

async fn webhook(State(web): State<Arc<Web>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let delivery = header(&headers, "x-github-delivery");
    // The signature first: an unsigned request learns nothing else.
    if !signature_is_valid(
        web.secret.expose().as_bytes(),
        &body,
        header(&headers, "x-hub-signature-256"),
    ) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            delivery,
            "X-Hub-Signature-256 is missing or does not match the webhook secret",
        );
    }
    let Some(delivery) = delivery.filter(|d| !d.is_empty() && d.len() <= 200) else {
        return refuse(StatusCode::BAD_REQUEST, None, "X-GitHub-Delivery is missing");
    };
    let Some(event) = header(&headers, "x-github-event").filter(|e| !e.is_empty()) else {
        return refuse(StatusCode::BAD_REQUEST, Some(delivery), "X-GitHub-Event is missing");
    };
    let payload: Value = match serde_json::from_slice(&body) {
        Ok(payload) => payload,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                Some(delivery),
                &format!("the body is not JSON ({err}); set the webhook content type to application/json"),
            )
        }
    };
    let wanted = match wanted(event, delivery, &payload, &web.api_url) {
        Ok(wanted) => wanted,
        Err(err) => return refuse(StatusCode::BAD_REQUEST, Some(delivery), &format!("{event}: {err}")),
    };
    let (job, note) = match wanted {
        Wanted::Judge(job) => (Some(*job), None),
        Wanted::Nothing(why) => (None, Some(why)),
    };
    let queue = web.queue.clone();
    let (stored_job, stored_delivery) = (job.clone(), delivery.to_owned());
    let accepted = tokio::task::spawn_blocking(move || queue.accept(&stored_delivery, stored_job.as_ref())).await;
    let accepted = match accepted {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(err)) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, Some(delivery), &err.to_string()),
        Err(err) => {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(delivery),
                &format!("storing the delivery failed: {err}"),
            )
        }
    };
    let mut line = json!({"msg": "received", "delivery": delivery, "event": event, "action": payload["action"]});
    if let Some(job) = &job {
        line["repo"] = json!(job.repo());
        match &job.gate {
            Some(gate) => {
                line["run"] = json!(gate.run_id);
                line["environment"] = json!(gate.environment);
            }
            None => line["pr"] = json!(job.number),
        }
        line["sha"] = json!(job.target_sha);
    }
    let answer = match (accepted, &note) {
        (Accepted::Duplicate, _) => {
            line["duplicate"] = json!(true);
            (StatusCode::OK, "duplicate delivery: already accepted\n".to_owned())
        }
        (Accepted::New, Some(why)) => {
            line["ignored"] = json!(why);
            (StatusCode::OK, format!("nothing to do: {why}\n"))
        }
        (Accepted::New, None) => {
            web.bell.ring();
            (StatusCode::ACCEPTED, "queued\n".to_owned())
        }
    };
    log(Level::Info, line);
    answer
}
