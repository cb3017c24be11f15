//! The queue in PostgreSQL, shared by workers on many machines.
//!
//! Claims use `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming
//! `UPDATE`, so concurrent workers skip each other's rows instead of
//! queueing on them, and the lease is set in the same statement (one short
//! transaction). Every time comes from the database's clock (`now()`), so
//! leases mean the same on every machine whatever their clocks say.
//! Submissions `NOTIFY prepbook_jobs`; each process `LISTEN`s and wakes its
//! idle workers, which also poll as a fallback for a lost connection.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions, PgRow};
use sqlx::{PgConnection, Row};
use tokio::sync::Notify;

use super::ServiceError;
use super::queue::{
    BoxFut, Claim, JobRecord, JobState, NewJob, Queue, Stats, Submitted, Success,
};

/// The NOTIFY channel.
const CHANNEL: &str = "prepbook_jobs";

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
    not_before TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    idempotency_key TEXT UNIQUE,
    body_hash TEXT NOT NULL,
    webhook_url TEXT,
    pages INTEGER,
    bytes BIGINT,
    fit_score INTEGER,
    etag TEXT,
    storage_key TEXT,
    error TEXT,
    timings TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS prepbook_jobs_claimable
    ON prepbook_jobs (created_at) WHERE state IN ('queued', 'running');
";

const COLUMNS: &str = "id, order_id, today, state, attempts, max_attempts, pages, \
    bytes, fit_score, etag, storage_key, error, timings, webhook_url, \
    (extract(epoch FROM created_at) * 1000)::int8 AS created_ms, \
    (extract(epoch FROM started_at) * 1000)::int8 AS started_ms, \
    (extract(epoch FROM finished_at) * 1000)::int8 AS finished_ms";

/// The PostgreSQL queue.
pub(crate) struct PgQueue {
    pool: PgPool,
    wakeups: Arc<Notify>,
}

impl PgQueue {
    /// Connects, creates the schema if needed and starts listening.
    pub(crate) async fn open(url: &str) -> Result<Self, ServiceError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        // Several processes may start at once against an empty database;
        // an advisory lock makes them create the schema one at a time.
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7262686)").execute(&mut *tx).await?;
        sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
        tx.commit().await?;
        let wakeups = Arc::new(Notify::new());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        tokio::spawn(listen(listener, wakeups.clone()));
        Ok(Self { pool, wakeups })
    }

    async fn find_key(
        conn: &mut PgConnection,
        key: &str,
    ) -> Result<Option<(JobRecord, String)>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS}, body_hash FROM prepbook_jobs WHERE idempotency_key = $1"
        );
        let row = sqlx::query(&sql).bind(key).fetch_optional(conn).await?;
        row.map(|r| Ok((record(&r)?, r.try_get("body_hash")?))).transpose()
    }

    #[cfg(test)]
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Wakes idle workers on every notification. `recv` reconnects by itself
/// after a dropped connection; the workers' poll covers the gap.
async fn listen(mut listener: PgListener, wakeups: Arc<Notify>) {
    loop {
        match listener.recv().await {
            Ok(_) => wakeups.notify_waiters(),
            Err(e) => {
                tracing::warn!(error = %e, "listen connection lost; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn record(r: &PgRow) -> Result<JobRecord, sqlx::Error> {
    let json = |col: &str| -> Result<Option<serde_json::Value>, sqlx::Error> {
        let text: Option<String> = r.try_get(col)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    };
    let count = |col: &str| -> Result<u32, sqlx::Error> {
        let n: i32 = r.try_get(col)?;
        Ok(u32::try_from(n).unwrap_or(0))
    };
    let state: String = r.try_get("state")?;
    Ok(JobRecord {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        today: r.try_get("today")?,
        state: JobState::parse(&state)
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
        attempts: count("attempts")?,
        max_attempts: count("max_attempts")?,
        pages: r.try_get::<Option<i32>, _>("pages")?.map(i64::from),
        bytes: r.try_get("bytes")?,
        fit_score: r.try_get::<Option<i32>, _>("fit_score")?.map(i64::from),
        etag: r.try_get("etag")?,
        storage_key: r.try_get("storage_key")?,
        error: json("error")?,
        timings: json("timings")?,
        webhook_url: r.try_get("webhook_url")?,
        created_at: r.try_get("created_ms")?,
        started_at: r.try_get("started_ms")?,
        finished_at: r.try_get("finished_ms")?,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Queue for PgQueue {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn submit(&self, job: NewJob) -> BoxFut<'_, Submitted> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO prepbook_jobs (id, order_id, body, today, max_attempts, \
                 idempotency_key, body_hash, webhook_url) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(&job.id)
            .bind(&job.order_id)
            .bind(&job.body)
            .bind(&job.today)
            .bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
            .bind(&job.idempotency_key)
            .bind(&job.body_hash)
            .bind(&job.webhook_url)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                // Delivered at commit, to every listening process.
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&job.id)
                    .execute(&mut *tx)
                    .await?;
                let sql = format!("SELECT {COLUMNS} FROM prepbook_jobs WHERE id = $1");
                let row = sqlx::query(&sql).bind(&job.id).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                return Ok(Submitted::Created(record(&row)?));
            }
            let key = job.idempotency_key.as_deref().unwrap_or_default();
            let found = Self::find_key(&mut tx, key).await?;
            tx.commit().await?;
            match found {
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
            let sql = format!("SELECT {COLUMNS} FROM prepbook_jobs WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
            Ok(row.map(|r| record(&r)).transpose()?)
        })
    }

    fn order_body<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>> {
        Box::pin(async move {
            let body = sqlx::query_scalar("SELECT body FROM prepbook_jobs WHERE id = $1")
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
            // A job whose worker died on its last attempt fails here rather
            // than running once more than allowed.
            sqlx::query(
                "UPDATE prepbook_jobs SET state = 'failed', finished_at = now(), \
                 lease_owner = NULL, lease_until = NULL, \
                 error = '{\"kind\":\"lost\",\"message\":\"the worker stopped renewing its lease (crashed or killed) on the last attempt\"}' \
                 WHERE id IN (SELECT id FROM prepbook_jobs \
                     WHERE state = 'running' AND lease_until < now() \
                       AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)",
            )
            .execute(&self.pool)
            .await?;
            let row = sqlx::query(
                "UPDATE prepbook_jobs j SET state = 'running', attempts = j.attempts + 1, \
                 lease_owner = $1 || '#' || (j.attempts + 1), \
                 lease_until = now() + $2 * interval '1 millisecond', \
                 started_at = COALESCE(j.started_at, now()) \
                 FROM (SELECT id FROM prepbook_jobs \
                     WHERE (state = 'queued' AND not_before <= now()) \
                        OR (state = 'running' AND lease_until < now()) \
                     ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) c \
                 WHERE j.id = c.id \
                 RETURNING j.id, j.order_id, j.body, j.today, j.attempts, j.max_attempts, \
                     j.lease_owner, j.webhook_url, \
                     (extract(epoch FROM j.created_at) * 1000)::int8 AS created_ms",
            )
            .bind(worker)
            .bind(ms(lease))
            .fetch_optional(&self.pool)
            .await?;
            let Some(r) = row else { return Ok(None) };
            let n = |col: &str| -> Result<u32, sqlx::Error> {
                Ok(u32::try_from(r.try_get::<i32, _>(col)?).unwrap_or(0))
            };
            Ok(Some(Claim {
                id: r.try_get("id")?,
                order_id: r.try_get("order_id")?,
                body: r.try_get("body")?,
                today: r.try_get("today")?,
                attempt: n("attempts")?,
                max_attempts: n("max_attempts")?,
                token: r.try_get("lease_owner")?,
                webhook_url: r.try_get("webhook_url")?,
                created_at: r.try_get("created_ms")?,
            }))
        })
    }

    fn renew<'a>(&'a self, claim: &'a Claim, lease: Duration) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let n = sqlx::query(
                "UPDATE prepbook_jobs SET lease_until = now() + $1 * interval '1 millisecond' \
                 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
            )
            .bind(ms(lease))
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
                "UPDATE prepbook_jobs SET state = 'succeeded', finished_at = now(), \
                 lease_owner = NULL, lease_until = NULL, pages = $1, bytes = $2, \
                 fit_score = $3, etag = $4, storage_key = $5, timings = $6, error = NULL \
                 WHERE id = $7 AND lease_owner = $8 AND state = 'running'",
            )
            .bind(int(s.pages))
            .bind(s.bytes)
            .bind(int(s.fit_score))
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
            let error = error.to_string();
            let q = match retry_in {
                Some(delay) => sqlx::query(
                    "UPDATE prepbook_jobs SET state = 'queued', \
                     not_before = now() + $1 * interval '1 millisecond', \
                     lease_owner = NULL, lease_until = NULL, error = $2 \
                     WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
                )
                .bind(ms(delay)),
                None => sqlx::query(
                    "UPDATE prepbook_jobs SET state = 'failed', finished_at = now(), \
                     lease_owner = NULL, lease_until = NULL, error = $1 \
                     WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
                ),
            };
            let n = q
                .bind(error)
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
                 lease_owner = NULL, lease_until = NULL, not_before = now() \
                 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            )
            .bind(&claim.id)
            .bind(&claim.token)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&claim.id)
                    .execute(&self.pool)
                    .await?;
            }
            Ok(n == 1)
        })
    }

    fn stats(&self) -> BoxFut<'_, Stats> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT state, COUNT(*)::int8 AS n, COALESCE(SUM(attempts), 0)::int8 AS a \
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
                "SELECT COUNT(*)::int8 FROM prepbook_jobs \
                 WHERE (state = 'queued' AND not_before <= now()) \
                    OR (state = 'running' AND lease_until < now())",
            )
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

/// A fresh PostgreSQL database for one test run, dropped afterwards.
#[cfg(test)]
pub(crate) mod testdb {
    /// The server tests use: `PREPBOOK_TEST_PG` or the local one.
    pub(crate) fn server() -> String {
        std::env::var("PREPBOOK_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
    }

    /// Creates `prepbook_test_<pid>_<nanos>` and returns its URL and name.
    pub(crate) async fn create() -> (String, String) {
        use sqlx::Connection;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("prepbook_test_{}_{nanos}", std::process::id());
        let mut admin =
            sqlx::PgConnection::connect(&format!("{}/postgres", server())).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        (format!("{}/{name}", server()), name)
    }

    /// Drops a database made by [`create`].
    pub(crate) async fn drop(name: &str) {
        use sqlx::Connection;
        let mut admin =
            sqlx::PgConnection::connect(&format!("{}/postgres", server())).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{PgQueue, testdb};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_queue_keeps_the_queue_semantics() {
        let (url, name) = testdb::create().await;
        let q = Arc::new(PgQueue::open(&url).await.unwrap());
        super::super::queue::conformance::run_all(q.clone()).await;
        q.pool().close().await;
        testdb::drop(&name).await;
    }
}
