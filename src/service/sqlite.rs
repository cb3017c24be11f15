//! The queue in one SQLite file, for a single machine: what SQLite does
//! differently ([`super::sql`] has the statements).
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

use sqlx::Row;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use tokio::sync::Notify;

use super::error::ServiceError;
use super::queue::BoxFut;
use super::sql::{Arg, Builder, Cells, Dialect, Statement, Store, ms};

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
    -- Unique per owner: stored as OWNER/KEY (owner names have no '/').
    idempotency_key TEXT UNIQUE,
    -- The API token's name; jobs of other owners answer 404.
    owner TEXT NOT NULL DEFAULT '',
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

/// The SQLite store.
pub(crate) struct SqliteStore {
    pool: SqlitePool,
    wakeups: Arc<Notify>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its schema.
    pub(crate) async fn open(path: &str) -> Result<Self, ServiceError> {
        let opts = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across process crashes in WAL mode; only a
            // power loss can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        // A database made before jobs had owners: SQLite has no ADD COLUMN
        // IF NOT EXISTS, so the column is added when the table lacks it.
        let has_owner: Option<(String,)> = sqlx::query_as(
            "SELECT name FROM pragma_table_info('prepbook_jobs') WHERE name = 'owner'",
        )
        .fetch_optional(&pool)
        .await?;
        if has_owner.is_none() {
            sqlx::query(
                "ALTER TABLE prepbook_jobs ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
            )
            .execute(&pool)
            .await?;
        }
        Ok(Self { pool, wakeups: Arc::new(Notify::new()) })
    }
}

fn query(st: &Statement) -> sqlx::query::Query<'_, sqlx::Sqlite, SqliteArguments<'_>> {
    st.args.iter().fold(sqlx::query(&st.sql), |q, a| match a {
        Arg::Text(s) => q.bind(s.as_str()),
        Arg::OptText(s) => q.bind(s.as_deref()),
        Arg::Int(i) => q.bind(*i),
        Arg::Float(f) => q.bind(*f),
    })
}

impl Dialect for SqliteStore {
    fn placeholder(&self, n: usize) -> String {
        format!("?{n}")
    }

    fn now(&self, b: &mut Builder<'_>) -> String {
        let now = b.now_ms;
        b.arg(Arg::Int(now))
    }

    fn later(&self, b: &mut Builder<'_>, d: Duration) -> String {
        let then = b.now_ms.saturating_add(ms(d));
        b.arg(Arg::Int(then))
    }

    fn earlier(&self, b: &mut Builder<'_>, d: Duration) -> String {
        let then = b.now_ms.saturating_sub(ms(d));
        b.arg(Arg::Int(then))
    }

    fn millis(&self, column: &str, alias: &str) -> String {
        format!("{column} AS {alias}")
    }

    fn skip_locked(&self) -> &'static str {
        ""
    }
}

impl Cells for SqliteRow {
    fn text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }

    fn int(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
}

impl Store for SqliteStore {
    type Row = SqliteRow;

    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn execute(&self, st: Statement) -> BoxFut<'_, u64> {
        Box::pin(async move { Ok(query(&st).execute(&self.pool).await?.rows_affected()) })
    }

    fn fetch(&self, st: Statement) -> BoxFut<'_, Vec<SqliteRow>> {
        Box::pin(async move { Ok(query(&st).fetch_all(&self.pool).await?) })
    }

    fn submit(
        &self,
        _id: String,
        insert: Statement,
        created: Statement,
        existing: Statement,
    ) -> BoxFut<'_, (bool, Option<SqliteRow>)> {
        Box::pin(async move {
            // One connection: SQLite serialises the writes anyway.
            let mut conn = self.pool.acquire().await?;
            let inserted = query(&insert).execute(&mut *conn).await?.rows_affected() == 1;
            let find = if inserted { &created } else { &existing };
            let row = query(find).fetch_optional(&mut *conn).await?;
            if inserted {
                self.wakeups.notify_waiters();
            }
            Ok((inserted, row))
        })
    }

    fn released(&self, _id: String) -> BoxFut<'_, ()> {
        // Workers of this process poll; there is no one else to tell.
        Box::pin(async { Ok(()) })
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::SqliteStore;
    use crate::service::sql::SqlQueue;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_queue_keeps_the_queue_semantics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        crate::service::queue::conformance::run_all(Arc::new(SqlQueue(store))).await;
    }
}
