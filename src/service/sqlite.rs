//! The queue in one SQLite file, for a single machine.
//!
//! WAL mode lets the API read while a worker writes; `busy_timeout` makes
//! concurrent writers wait rather than fail. A claim is one
//! `UPDATE … WHERE id = (SELECT …) RETURNING` statement: SQLite takes the
//! write lock before the statement reads, so two workers can never claim
//! the same job. Times are Unix milliseconds from this machine's clock,
//! which every worker shares.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection};
use tokio::sync::Notify;

use super::ServiceError;
use super::queue::{
    BoxFut, Claim, JobRecord, JobState, NewJob, Queue, Stats, Submitted, Success, now_ms,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS prepbook_jobs (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    body TEXT NOT NULL,
    today TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    idempotency_key TEXT UNIQUE,
    body_hash TEXT NOT NULL,
    webhook_url TEXT,
    pages INTEGER,
    bytes INTEGER,
    fit_score INTEGER,
    etag TEXT,
    storage_key TEXT,
    error TEXT,
    timings TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS prepbook_jobs_claimable
    ON prepbook_jobs (state, not_before, created_at);
";

const COLUMNS: &str = "id, order_id, today, state, attempts, max_attempts, pages, \
    bytes, fit_score, etag, storage_key, error, timings, webhook_url, created_at, \
    started_at, finished_at";

/// The SQLite queue.
pub(crate) struct SqliteQueue {
    pool: SqlitePool,
    wakeups: Arc<Notify>,
}

impl SqliteQueue {
    /// Opens (creating if needed) the database file and its schema.
    pub(crate) async fn open(path: &str) -> Result<Self, ServiceError> {
        let opts = SqliteConnectOptions::from_str("sqlite:")
            .map_err(ServiceError::Database)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across process crashes in WAL mode; only a
            // power loss can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(ServiceError::Database)?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(ServiceError::Database)?;
        Ok(Self { pool, wakeups: Arc::new(Notify::new()) })
    }

    async fn find_key(
        conn: &mut SqliteConnection,
        key: &str,
    ) -> Result<Option<(JobRecord, String)>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS}, body_hash FROM prepbook_jobs WHERE idempotency_key = ?"
        );
        let row = sqlx::query(&sql).bind(key).fetch_optional(conn).await?;
        row.map(|r| Ok((record(&r)?, r.try_get("body_hash")?))).transpose()
    }
}

fn record(r: &SqliteRow) -> Result<JobRecord, sqlx::Error> {
    let json = |col: &str| -> Result<Option<serde_json::Value>, sqlx::Error> {
        let text: Option<String> = r.try_get(col)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    };
    let state: String = r.try_get("state")?;
    Ok(JobRecord {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        today: r.try_get("today")?,
        state: JobState::parse(&state)
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
        attempts: r.try_get("attempts")?,
        max_attempts: r.try_get("max_attempts")?,
        pages: r.try_get("pages")?,
        bytes: r.try_get("bytes")?,
        fit_score: r.try_get("fit_score")?,
        etag: r.try_get("etag")?,
        storage_key: r.try_get("storage_key")?,
        error: json("error")?,
        timings: json("timings")?,
        webhook_url: r.try_get("webhook_url")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Queue for SqliteQueue {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn submit(&self, job: NewJob) -> BoxFut<'_, Submitted> {
        Box::pin(async move {
            let mut conn = self.pool.acquire().await?;
            let now = now_ms();
            // INSERT OR IGNORE on the unique idempotency key: a concurrent
            // retry of the same request inserts nothing and then finds the
            // first one's job.
            let inserted = sqlx::query(
                "INSERT INTO prepbook_jobs (id, order_id, body, today, max_attempts, \
                 not_before, idempotency_key, body_hash, webhook_url, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(&job.id)
            .bind(&job.order_id)
            .bind(&job.body)
            .bind(&job.today)
            .bind(job.max_attempts)
            .bind(now)
            .bind(&job.idempotency_key)
            .bind(&job.body_hash)
            .bind(&job.webhook_url)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 1 {
                self.wakeups.notify_waiters();
                let sql = format!("SELECT {COLUMNS} FROM prepbook_jobs WHERE id = ?");
                let row = sqlx::query(&sql).bind(&job.id).fetch_one(&mut *conn).await?;
                return Ok(Submitted::Created(record(&row)?));
            }
            let key = job.idempotency_key.as_deref().unwrap_or_default();
            match Self::find_key(&mut conn, key).await? {
                Some((rec, hash)) if hash == job.body_hash => {
                    Ok(Submitted::Existing(rec))
                }
                Some(_) => Ok(Submitted::Conflict),
                None => Err(ServiceError::Corrupt(format!(
                    "job {} was not inserted and has no idempotency key",
                    job.id
                ))),
            }
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<JobRecord>> {
        Box::pin(async move {
            let sql = format!("SELECT {COLUMNS} FROM prepbook_jobs WHERE id = ?");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
            Ok(row.map(|r| record(&r)).transpose()?)
        })
    }

    fn order_body<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>> {
        Box::pin(async move {
            let body = sqlx::query_scalar("SELECT body FROM prepbook_jobs WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            Ok(body)
        })
    }

    fn claim<'a>(
        &'a self,
        worker: &'a str,
        lease: Duration,
    ) -> BoxFut<'a, Option<Claim>> {
        Box::pin(async move {
            let now = now_ms();
            // A job whose worker died on its last attempt fails here rather
            // than running a fourth time.
            sqlx::query(
                "UPDATE prepbook_jobs SET state = 'failed', finished_at = ?1, \
                 lease_owner = NULL, lease_until = NULL, \
                 error = '{\"kind\":\"lost\",\"message\":\"the worker stopped renewing its lease (crashed or killed) on the last attempt\"}' \
                 WHERE state = 'running' AND lease_until < ?1 AND attempts >= max_attempts",
            )
            .bind(now)
            .execute(&self.pool)
            .await?;
            let row = sqlx::query(
                "UPDATE prepbook_jobs SET state = 'running', attempts = attempts + 1, \
                 lease_owner = ?1 || '#' || (attempts + 1), lease_until = ?2 + ?3, \
                 started_at = COALESCE(started_at, ?2) \
                 WHERE id = (SELECT id FROM prepbook_jobs \
                     WHERE (state = 'queued' AND not_before <= ?2) \
                        OR (state = 'running' AND lease_until < ?2) \
                     ORDER BY created_at, id LIMIT 1) \
                 RETURNING id, order_id, body, today, attempts, max_attempts, lease_owner, \
                     webhook_url, created_at",
            )
            .bind(worker)
            .bind(now)
            .bind(ms(lease))
            .fetch_optional(&self.pool)
            .await?;
            let Some(r) = row else { return Ok(None) };
            Ok(Some(Claim {
                id: r.try_get("id")?,
                order_id: r.try_get("order_id")?,
                body: r.try_get("body")?,
                today: r.try_get("today")?,
                attempt: r.try_get("attempts")?,
                max_attempts: r.try_get("max_attempts")?,
                token: r.try_get("lease_owner")?,
                webhook_url: r.try_get("webhook_url")?,
                created_at: r.try_get("created_at")?,
            }))
        })
    }

    fn renew<'a>(&'a self, claim: &'a Claim, lease: Duration) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let n = sqlx::query(
                "UPDATE prepbook_jobs SET lease_until = ? \
                 WHERE id = ? AND lease_owner = ? AND state = 'running'",
            )
            .bind(now_ms() + ms(lease))
            .bind(&claim.id)
            .bind(&claim.token)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    fn succeed<'a>(&'a self, claim: &'a Claim, s: Success) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let n = sqlx::query(
                "UPDATE prepbook_jobs SET state = 'succeeded', finished_at = ?, \
                 lease_owner = NULL, lease_until = NULL, pages = ?, bytes = ?, \
                 fit_score = ?, etag = ?, storage_key = ?, timings = ?, error = NULL \
                 WHERE id = ? AND lease_owner = ? AND state = 'running'",
            )
            .bind(now_ms())
            .bind(s.pages)
            .bind(s.bytes)
            .bind(s.fit_score)
            .bind(&s.etag)
            .bind(&s.storage_key)
            .bind(s.timings.to_string())
            .bind(&claim.id)
            .bind(&claim.token)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    fn fail<'a>(
        &'a self,
        claim: &'a Claim,
        error: serde_json::Value,
        retry_in: Option<Duration>,
    ) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let now = now_ms();
            let q = match retry_in {
                Some(delay) => sqlx::query(
                    "UPDATE prepbook_jobs SET state = 'queued', not_before = ?, \
                     lease_owner = NULL, lease_until = NULL, error = ? \
                     WHERE id = ? AND lease_owner = ? AND state = 'running'",
                )
                .bind(now + ms(delay)),
                None => sqlx::query(
                    "UPDATE prepbook_jobs SET state = 'failed', finished_at = ?, \
                     lease_owner = NULL, lease_until = NULL, error = ? \
                     WHERE id = ? AND lease_owner = ? AND state = 'running'",
                )
                .bind(now),
            };
            let n = q
                .bind(error.to_string())
                .bind(&claim.id)
                .bind(&claim.token)
                .execute(&self.pool)
                .await?
                .rows_affected();
            Ok(n == 1)
        })
    }

    fn release<'a>(&'a self, claim: &'a Claim) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let n = sqlx::query(
                "UPDATE prepbook_jobs SET state = 'queued', attempts = attempts - 1, \
                 lease_owner = NULL, lease_until = NULL, not_before = ? \
                 WHERE id = ? AND lease_owner = ? AND state = 'running'",
            )
            .bind(now_ms())
            .bind(&claim.id)
            .bind(&claim.token)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    fn stats(&self) -> BoxFut<'_, Stats> {
        Box::pin(async move {
            let now = now_ms();
            let rows = sqlx::query(
                "SELECT state, COUNT(*) AS n, COALESCE(SUM(attempts), 0) AS a \
                 FROM prepbook_jobs GROUP BY state",
            )
            .fetch_all(&self.pool)
            .await?;
            let mut stats = Stats::default();
            for r in rows {
                let state = JobState::parse(r.try_get("state")?)?;
                let i = JobState::ALL.iter().position(|s| *s == state).unwrap_or(0);
                stats.by_state[i] = r.try_get("n")?;
                stats.attempts += r.try_get::<i64, _>("a")?;
            }
            stats.depth = sqlx::query_scalar(
                "SELECT COUNT(*) FROM prepbook_jobs \
                 WHERE (state = 'queued' AND not_before <= ?1) \
                    OR (state = 'running' AND lease_until < ?1)",
            )
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
            Ok(stats)
        })
    }

    fn ping(&self) -> BoxFut<'_, ()> {
        Box::pin(async move {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        })
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::SqliteQueue;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_queue_keeps_the_queue_semantics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let q = SqliteQueue::open(path.to_str().unwrap()).await.unwrap();
        let mode: String =
            sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&q.pool).await.unwrap();
        assert_eq!(mode, "wal");
        super::super::queue::conformance::run_all(Arc::new(q)).await;
    }
}
