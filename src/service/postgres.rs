//! The queue in PostgreSQL, shared by workers on many machines: what
//! PostgreSQL does differently ([`super::sql`] has the statements).
//!
//! The claim's row-picking subquery is `FOR UPDATE SKIP LOCKED`, so
//! concurrent workers skip each other's rows instead of queueing on them,
//! and the lease is set in the same statement (one short transaction).
//! Every time comes from the database's clock (`now()`), so leases mean the
//! same on every machine whatever their clocks say. Submissions (and jobs
//! given back) `NOTIFY prepbook_jobs`; each process `LISTEN`s and wakes its
//! idle workers, which also poll as a fallback for a lost connection.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use sqlx::postgres::{PgArguments, PgListener, PgPool, PgPoolOptions, PgRow};
use tokio::sync::Notify;

use super::error::ServiceError;
use super::queue::BoxFut;
use super::sql::{Arg, Builder, Cells, Dialect, Statement, Store};

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
    -- Unique per owner: stored as OWNER/KEY (owner names have no '/').
    idempotency_key TEXT UNIQUE,
    -- The API token's name; jobs of other owners answer 404.
    owner TEXT NOT NULL DEFAULT '',
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
ALTER TABLE prepbook_jobs ADD COLUMN IF NOT EXISTS owner TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS prepbook_jobs_claimable
    ON prepbook_jobs (created_at) WHERE state IN ('queued', 'running');
";

/// The PostgreSQL store.
pub(crate) struct PgStore {
    pool: PgPool,
    wakeups: Arc<Notify>,
}

impl PgStore {
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

fn query(st: &Statement) -> sqlx::query::Query<'_, sqlx::Postgres, PgArguments> {
    st.args.iter().fold(sqlx::query(&st.sql), |q, a| match a {
        Arg::Text(s) => q.bind(s.as_str()),
        Arg::OptText(s) => q.bind(s.as_deref()),
        Arg::Int(i) => q.bind(*i),
        Arg::Float(f) => q.bind(*f),
    })
}

/// Delivered at commit, to every listening process (this one included).
async fn notify<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(id).execute(conn).await?;
    Ok(())
}

impl Dialect for PgStore {
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    fn now(&self, _b: &mut Builder<'_>) -> String {
        "now()".into()
    }

    fn later(&self, b: &mut Builder<'_>, d: Duration) -> String {
        let ms = b.arg(Arg::Float(d.as_secs_f64() * 1000.0));
        format!("(now() + {ms} * interval '1 millisecond')")
    }

    fn earlier(&self, b: &mut Builder<'_>, d: Duration) -> String {
        let ms = b.arg(Arg::Float(d.as_secs_f64() * 1000.0));
        format!("(now() - {ms} * interval '1 millisecond')")
    }

    fn millis(&self, column: &str, alias: &str) -> String {
        format!("CAST(extract(epoch FROM {column}) * 1000 AS BIGINT) AS {alias}")
    }

    fn skip_locked(&self) -> &'static str {
        " FOR UPDATE SKIP LOCKED"
    }
}

impl Cells for PgRow {
    fn text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }

    fn int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
}

impl Store for PgStore {
    type Row = PgRow;

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn execute(&self, st: Statement) -> BoxFut<'_, u64> {
        Box::pin(async move { Ok(query(&st).execute(&self.pool).await?.rows_affected()) })
    }

    fn fetch(&self, st: Statement) -> BoxFut<'_, Vec<PgRow>> {
        Box::pin(async move { Ok(query(&st).fetch_all(&self.pool).await?) })
    }

    fn submit(
        &self,
        id: String,
        insert: Statement,
        created: Statement,
        existing: Statement,
    ) -> BoxFut<'_, (bool, Option<PgRow>)> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let inserted = query(&insert).execute(&mut *tx).await?.rows_affected() == 1;
            if inserted {
                notify(&mut *tx, &id).await?;
            }
            let find = if inserted { &created } else { &existing };
            let row = query(find).fetch_optional(&mut *tx).await?;
            tx.commit().await?;
            Ok((inserted, row))
        })
    }

    fn released(&self, id: String) -> BoxFut<'_, ()> {
        Box::pin(async move { Ok(notify(&self.pool, &id).await?) })
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

    use super::{PgStore, testdb};
    use crate::service::sql::SqlQueue;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_queue_keeps_the_queue_semantics() {
        let (url, name) = testdb::create().await;
        let store = PgStore::open(&url).await.unwrap();
        let pool = store.pool().clone();
        crate::service::queue::conformance::run_all(Arc::new(SqlQueue(store))).await;
        pool.close().await;
        testdb::drop(&name).await;
    }
}
