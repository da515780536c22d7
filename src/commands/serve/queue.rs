//! The durable queue: one SQLite file. A delivery is written here (and
//! synced) before GitHub gets its 2xx, so an accepted event survives a crash.
//! Deliveries are remembered by id, so a replay is not judged twice. Jobs are
//! keyed by pull request (or merge group): a newer event for the same key
//! replaces the pending one (latest wins), and one that arrives while the job
//! runs makes it run again once it is done.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use super::webhook::{DeployGate, Job};

/// How long a delivery id is remembered (GitHub redelivers within days).
const REMEMBER_DELIVERIES_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Debug, thiserror::Error)]
#[error("--db {path}: {detail}")]
pub struct QueueError {
    path: String,
    detail: String,
}

pub struct Queue {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A job taken by a worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub job: Job,
    /// Bumped by every newer event for the key; `finish` only removes the
    /// job when no newer event came while it ran.
    pub generation: i64,
    /// Earlier attempts that failed to post their verdict.
    pub attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored (and coalesced with a pending job for the same key, if any).
    New,
    /// This delivery id was seen before: nothing changed.
    Duplicate,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The `gate` column: empty for the review check, else the deploy gate as JSON.
fn gate_from(text: String) -> rusqlite::Result<Option<DeployGate>> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(err)))
}

impl Queue {
    pub fn open(path: &Path) -> Result<Queue, QueueError> {
        let fail = |detail: String| QueueError {
            path: path.display().to_string(),
            detail,
        };
        let conn = Connection::open(path).map_err(|e| fail(format!("cannot open: {e}")))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS deliveries (
                 id TEXT PRIMARY KEY,
                 received_ms INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS jobs (
                 key TEXT PRIMARY KEY,
                 installation_id INTEGER NOT NULL,
                 owner TEXT NOT NULL,
                 name TEXT NOT NULL,
                 number INTEGER NOT NULL,
                 target_sha TEXT NOT NULL,
                 event TEXT NOT NULL,
                 delivery TEXT NOT NULL,
                 details_url TEXT NOT NULL DEFAULT '',
                 gate TEXT NOT NULL DEFAULT '',
                 generation INTEGER NOT NULL DEFAULT 0,
                 running INTEGER NOT NULL DEFAULT 0,
                 attempts INTEGER NOT NULL DEFAULT 0,
                 not_before_ms INTEGER NOT NULL DEFAULT 0,
                 queued_ms INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (running, not_before_ms, queued_ms);",
        )
        .map_err(|e| fail(format!("cannot set up the queue: {e}")))?;
        // A queue written by a version without deployment protection rules.
        let has_gate = conn
            .prepare("SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'gate'")
            .and_then(|mut statement| statement.exists([]))
            .map_err(|e| fail(format!("cannot read the queue's columns: {e}")))?;
        if !has_gate {
            conn.execute("ALTER TABLE jobs ADD COLUMN gate TEXT NOT NULL DEFAULT ''", [])
                .map_err(|e| fail(format!("cannot add the gate column: {e}")))?;
        }
        // Jobs marked running belonged to a process that is gone.
        conn.execute("UPDATE jobs SET running = 0 WHERE running = 1", [])
            .map_err(|e| fail(format!("cannot resume unfinished jobs: {e}")))?;
        Ok(Queue {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    fn error(&self, what: &str, err: rusqlite::Error) -> QueueError {
        QueueError {
            path: self.path.display().to_string(),
            detail: format!("{what}: {err}"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (every
        // change is a transaction), so the poison is of no concern.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a delivery and its job in one transaction.
    pub fn accept(&self, delivery: &str, job: Option<&Job>) -> Result<Accepted, QueueError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction()
            .map_err(|e| self.error("cannot start a transaction", e))?;
        let now = now_ms();
        let fresh = tx
            .execute(
                "INSERT OR IGNORE INTO deliveries (id, received_ms) VALUES (?1, ?2)",
                params![delivery, now],
            )
            .map_err(|e| self.error("cannot record the delivery", e))?;
        if fresh == 0 {
            return Ok(Accepted::Duplicate);
        }
        if let Some(job) = job {
            let gate = job
                .gate
                .as_ref()
                .map(|gate| serde_json::to_string(gate).unwrap_or_default())
                .unwrap_or_default();
            tx.execute(
                "INSERT INTO jobs (key, installation_id, owner, name, number, target_sha, event, delivery, queued_ms, details_url, gate)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (key) DO UPDATE SET
                     installation_id = excluded.installation_id, owner = excluded.owner, name = excluded.name,
                     number = excluded.number, target_sha = excluded.target_sha, event = excluded.event,
                     delivery = excluded.delivery, details_url = excluded.details_url, gate = excluded.gate,
                     generation = generation + 1, attempts = 0, not_before_ms = 0",
                params![
                    job.key,
                    job.installation_id as i64,
                    job.owner,
                    job.name,
                    job.number as i64,
                    job.target_sha,
                    job.event,
                    job.delivery,
                    now,
                    job.details_url,
                    gate
                ],
            )
            .map_err(|e| self.error("cannot queue the job", e))?;
        }
        tx.execute(
            "DELETE FROM deliveries WHERE received_ms < ?1",
            params![now - REMEMBER_DELIVERIES_MS],
        )
        .map_err(|e| self.error("cannot forget old deliveries", e))?;
        tx.commit().map_err(|e| self.error("cannot commit", e))?;
        Ok(Accepted::New)
    }

    /// The oldest job that is ready and not running, marked running.
    pub fn claim(&self) -> Result<Option<Claimed>, QueueError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction()
            .map_err(|e| self.error("cannot start a transaction", e))?;
        let claimed = tx
            .query_row(
                "SELECT key, installation_id, owner, name, number, target_sha, event, delivery, generation, attempts,
                        details_url, gate
                 FROM jobs WHERE running = 0 AND not_before_ms <= ?1 ORDER BY queued_ms, key LIMIT 1",
                params![now_ms()],
                |row| {
                    Ok(Claimed {
                        job: Job {
                            key: row.get(0)?,
                            installation_id: row.get::<_, i64>(1)? as u64,
                            owner: row.get(2)?,
                            name: row.get(3)?,
                            number: row.get::<_, i64>(4)? as u64,
                            target_sha: row.get(5)?,
                            event: row.get(6)?,
                            delivery: row.get(7)?,
                            details_url: row.get(10)?,
                            gate: gate_from(row.get::<_, String>(11)?)?,
                        },
                        generation: row.get(8)?,
                        attempts: row.get::<_, i64>(9)? as u32,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error("cannot read the queue", e))?;
        if let Some(claimed) = &claimed {
            tx.execute("UPDATE jobs SET running = 1 WHERE key = ?1", params![claimed.job.key])
                .map_err(|e| self.error("cannot claim a job", e))?;
        }
        tx.commit().map_err(|e| self.error("cannot commit", e))?;
        Ok(claimed)
    }

    /// The job is done: removed, unless a newer event came meanwhile, in
    /// which case it is queued again with that event's data.
    pub fn finish(&self, claimed: &Claimed) -> Result<(), QueueError> {
        let conn = self.lock();
        let removed = conn
            .execute(
                "DELETE FROM jobs WHERE key = ?1 AND generation = ?2",
                params![claimed.job.key, claimed.generation],
            )
            .map_err(|e| self.error("cannot finish a job", e))?;
        if removed == 0 {
            conn.execute("UPDATE jobs SET running = 0 WHERE key = ?1", params![claimed.job.key])
                .map_err(|e| self.error("cannot requeue a job", e))?;
        }
        Ok(())
    }

    /// The job could not post its verdict: back in the queue, not before
    /// `delay_ms` from now (a newer event resets the delay).
    pub fn retry_later(&self, claimed: &Claimed, delay_ms: i64) -> Result<(), QueueError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE jobs SET running = 0,
                 attempts = CASE WHEN generation = ?2 THEN attempts + 1 ELSE attempts END,
                 not_before_ms = CASE WHEN generation = ?2 THEN ?3 ELSE 0 END
             WHERE key = ?1",
            params![claimed.job.key, claimed.generation, now_ms() + delay_ms],
        )
        .map_err(|e| self.error("cannot requeue a job", e))?;
        Ok(())
    }

    /// Jobs not yet done (pending or running).
    pub fn unfinished(&self) -> Result<u64, QueueError> {
        let conn = self.lock();
        conn.query_row("SELECT COUNT(*) FROM jobs", [], |row| row.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("cannot count jobs", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(key: &str, sha: &str, delivery: &str) -> Job {
        Job {
            key: key.to_owned(),
            installation_id: 1,
            owner: "acme".to_owned(),
            name: "api".to_owned(),
            number: 7,
            target_sha: sha.to_owned(),
            event: "pull_request.synchronize".to_owned(),
            delivery: delivery.to_owned(),
            details_url: String::new(),
            gate: None,
        }
    }

    #[test]
    fn replays_are_ignored_and_events_for_one_pull_request_coalesce() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(&dir.path().join("q.db")).unwrap();
        assert_eq!(
            queue.accept("d1", Some(&job("a#7", "s1", "d1"))).unwrap(),
            Accepted::New
        );
        assert_eq!(
            queue.accept("d1", Some(&job("a#7", "s1", "d1"))).unwrap(),
            Accepted::Duplicate
        );
        assert_eq!(
            queue.accept("d2", Some(&job("a#7", "s2", "d2"))).unwrap(),
            Accepted::New
        );
        assert_eq!(queue.unfinished().unwrap(), 1);
        let claimed = queue.claim().unwrap().unwrap();
        assert_eq!(claimed.job.target_sha, "s2", "the latest event wins");
        assert!(queue.claim().unwrap().is_none(), "a running job is not claimed twice");
        queue.finish(&claimed).unwrap();
        assert_eq!(queue.unfinished().unwrap(), 0);
    }

    #[test]
    fn an_event_during_a_run_runs_the_job_again_and_a_restart_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let queue = Queue::open(&path).unwrap();
        queue.accept("d1", Some(&job("a#7", "s1", "d1"))).unwrap();
        let first = queue.claim().unwrap().unwrap();
        queue.accept("d2", Some(&job("a#7", "s2", "d2"))).unwrap();
        queue.finish(&first).unwrap();
        let second = queue.claim().unwrap().unwrap();
        assert_eq!(second.job.target_sha, "s2");
        drop(queue);
        // The process died while `second` ran: the job is there again.
        let queue = Queue::open(&path).unwrap();
        let resumed = queue.claim().unwrap().unwrap();
        assert_eq!(resumed.job.target_sha, "s2");
        queue.retry_later(&resumed, 60_000).unwrap();
        assert!(queue.claim().unwrap().is_none(), "a job waiting to retry is not ready");
        assert_eq!(queue.unfinished().unwrap(), 1);
    }

    #[test]
    fn a_deploy_gate_survives_the_queue_and_an_older_queue_file_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        // A queue file from before deployment protection rules: no `gate` column.
        let old = Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE jobs (key TEXT PRIMARY KEY, installation_id INTEGER NOT NULL, owner TEXT NOT NULL,
                 name TEXT NOT NULL, number INTEGER NOT NULL, target_sha TEXT NOT NULL, event TEXT NOT NULL,
                 delivery TEXT NOT NULL, details_url TEXT NOT NULL DEFAULT '', generation INTEGER NOT NULL DEFAULT 0,
                 running INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
                 not_before_ms INTEGER NOT NULL DEFAULT 0, queued_ms INTEGER NOT NULL);",
        )
        .unwrap();
        drop(old);
        let queue = Queue::open(&path).unwrap();
        let mut gated = job("acme/api@run-7/production", "s1", "d1");
        gated.gate = Some(DeployGate {
            environment: "production".to_owned(),
            git_ref: "refs/heads/main".to_owned(),
            run_id: 7,
        });
        queue.accept("d1", Some(&gated)).unwrap();
        queue.accept("d2", Some(&job("a#7", "s2", "d2"))).unwrap();
        let claimed = [queue.claim().unwrap().unwrap(), queue.claim().unwrap().unwrap()];
        let (with_gate, without): (Vec<_>, Vec<_>) = claimed.iter().partition(|c| c.job.gate.is_some());
        assert_eq!(with_gate.len(), 1);
        assert_eq!(with_gate[0].job, gated);
        assert_eq!(without[0].job.key, "a#7");
    }
}
