//! The queue in SQL, written once for both stores: every statement is
//! built here, and [`SqlQueue`] implements [`Queue`] over any [`Store`].
//! A store supplies only what differs between databases — placeholders,
//! the clock, timestamp columns, row locking, transactions around a
//! submission, notifications — and how it binds arguments and reads
//! columns.
//!
//! Every update after a claim goes through [`guarded`], the one place that
//! writes the lease check (`id`, claim token, `running`), so a worker that
//! lost its lease can never overwrite the result of the one that took
//! over.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::error::ServiceError;
use super::queue::{
    BoxFut, Claim, JobRecord, JobState, NewJob, Queue, Stats, Submitted, Success, now_ms,
};

/// One argument of a statement, in the types both stores bind.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    /// Milliseconds as a float (PostgreSQL interval arithmetic).
    Float(f64),
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

/// What differs between the SQL of the stores.
pub(crate) trait Dialect {
    /// The placeholder of the `n`-th argument (1-based).
    fn placeholder(&self, n: usize) -> String;
    /// SQL for the current time in the store's time type. SQLite binds
    /// this machine's clock as Unix milliseconds; PostgreSQL says `now()`,
    /// so that every machine's leases follow one clock.
    fn now(&self, b: &mut Builder<'_>) -> String;
    /// SQL for the current time plus `d`.
    fn later(&self, b: &mut Builder<'_>, d: Duration) -> String;
    /// SQL for the current time minus `d`.
    fn earlier(&self, b: &mut Builder<'_>, d: Duration) -> String;
    /// A select expression for timestamp column `column` as Unix
    /// milliseconds (`BIGINT`), named `alias`.
    fn millis(&self, column: &str, alias: &str) -> String;
    /// What a row-picking subquery of the claim appends so that
    /// concurrent claimers skip each other's rows instead of waiting
    /// (`FOR UPDATE SKIP LOCKED`); empty where the database serialises
    /// writers anyway (SQLite).
    fn skip_locked(&self) -> &'static str;
}

/// A store's rows: typed access to a column by name.
pub(crate) trait Cells {
    fn text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, column: &str) -> Result<Option<i64>, sqlx::Error>;
}

/// A database the queue runs on.
pub(crate) trait Store: Dialect + Send + Sync {
    type Row: Cells + Send;
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
    /// Runs a statement; the number of rows it changed.
    fn execute(&self, st: Statement) -> BoxFut<'_, u64>;
    /// Runs a query; every row.
    fn fetch(&self, st: Statement) -> BoxFut<'_, Vec<Self::Row>>;
    /// Runs `insert`, then `created` when it inserted a row or `existing`
    /// when not, as one unit; tells other workers about a new job.
    /// Returns whether it inserted and the row it found.
    fn submit(
        &self,
        id: String,
        insert: Statement,
        created: Statement,
        existing: Statement,
    ) -> BoxFut<'_, (bool, Option<Self::Row>)>;
    /// Tells other workers that job `id` is claimable again.
    fn released(&self, id: String) -> BoxFut<'_, ()>;
    /// Wakes idle workers of this process.
    fn wakeups(&self) -> Arc<Notify>;
}

/// Builds one statement, numbering placeholders as arguments are added.
pub(crate) struct Builder<'a> {
    dialect: &'a dyn Dialect,
    args: Vec<Arg>,
    /// The clock reading every `now` of this statement shares.
    pub(crate) now_ms: i64,
}

impl<'a> Builder<'a> {
    fn new(dialect: &'a dyn Dialect) -> Self {
        Self { dialect, args: Vec::new(), now_ms: now_ms() }
    }

    /// Adds an argument; its placeholder.
    pub(crate) fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        self.dialect.placeholder(self.args.len())
    }

    fn text(&mut self, s: &str) -> String {
        self.arg(Arg::Text(s.to_string()))
    }

    fn now(&mut self) -> String {
        let d = self.dialect;
        d.now(self)
    }

    fn later(&mut self, by: Duration) -> String {
        let d = self.dialect;
        d.later(self, by)
    }

    fn earlier(&mut self, by: Duration) -> String {
        let d = self.dialect;
        d.earlier(self, by)
    }

    fn finish(self, sql: String) -> Statement {
        Statement { sql, args: self.args }
    }
}

/// Milliseconds of a duration, saturating.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The columns of a [`JobRecord`].
fn record_columns(d: &dyn Dialect) -> String {
    format!(
        "id, order_id, today, state, CAST(attempts AS BIGINT) AS attempts, \
         CAST(max_attempts AS BIGINT) AS max_attempts, CAST(pages AS BIGINT) AS pages, \
         CAST(bytes AS BIGINT) AS bytes, CAST(fit_score AS BIGINT) AS fit_score, etag, \
         storage_key, error, timings, webhook_url, owner, body_hash, {}, {}, {}",
        d.millis("created_at", "created_ms"),
        d.millis("started_at", "started_ms"),
        d.millis("finished_at", "finished_ms"),
    )
}

/// Claimable now: queued and due, or running with an expired lease.
fn claimable(b: &mut Builder<'_>) -> String {
    let now = b.now();
    format!(
        "(state = 'queued' AND not_before <= {now}) \
         OR (state = 'running' AND lease_until < {now})"
    )
}

fn insert(d: &dyn Dialect, job: &NewJob) -> Statement {
    let mut b = Builder::new(d);
    let values = [
        b.text(&job.id),
        b.text(&job.order_id),
        b.text(&job.body),
        b.text(&job.today),
        b.arg(Arg::Int(i64::from(job.max_attempts))),
        b.now(),
        b.arg(Arg::OptText(job.idempotency_key.clone())),
        b.text(&job.body_hash),
        b.arg(Arg::OptText(job.webhook_url.clone())),
        b.now(),
        b.text(&job.owner),
    ]
    .join(", ");
    // ON CONFLICT on the unique idempotency key: a concurrent retry of
    // the same request inserts nothing and then finds the first one's job.
    b.finish(format!(
        "INSERT INTO prepbook_jobs (id, order_id, body, today, max_attempts, not_before, \
         idempotency_key, body_hash, webhook_url, created_at, owner) VALUES ({values}) \
         ON CONFLICT (idempotency_key) DO NOTHING"
    ))
}

fn select_where(d: &dyn Dialect, column: &str, value: &str) -> Statement {
    let mut b = Builder::new(d);
    let v = b.text(value);
    b.finish(format!(
        "SELECT {} FROM prepbook_jobs WHERE {column} = {v}",
        record_columns(d)
    ))
}

fn pending(d: &dyn Dialect, owner: &str) -> Statement {
    let mut b = Builder::new(d);
    let v = b.text(owner);
    b.finish(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM prepbook_jobs \
         WHERE owner = {v} AND state IN ('queued', 'running')"
    ))
}

fn delete(d: &dyn Dialect, id: &str) -> Statement {
    let mut b = Builder::new(d);
    let v = b.text(id);
    b.finish(format!("DELETE FROM prepbook_jobs WHERE id = {v}"))
}

/// Finished jobs past retention, oldest first.
fn expired(d: &dyn Dialect, age: Duration, limit: u32) -> Statement {
    let mut b = Builder::new(d);
    let before = b.earlier(age);
    let limit = b.arg(Arg::Int(i64::from(limit)));
    b.finish(format!(
        "SELECT id, order_id FROM prepbook_jobs \
         WHERE state IN ('succeeded', 'failed') AND finished_at < {before} \
         ORDER BY finished_at LIMIT {limit}"
    ))
}

fn order_body(d: &dyn Dialect, id: &str) -> Statement {
    let mut b = Builder::new(d);
    let v = b.text(id);
    b.finish(format!("SELECT body FROM prepbook_jobs WHERE id = {v}"))
}

/// A job whose worker died on its last attempt fails rather than running
/// once more than allowed.
fn fail_lost(d: &dyn Dialect) -> Statement {
    let mut b = Builder::new(d);
    let now = b.now();
    let error = b.text(
        r#"{"kind":"lost","message":"the worker stopped renewing its lease (crashed or killed) on the last attempt"}"#,
    );
    b.finish(format!(
        "UPDATE prepbook_jobs SET state = 'failed', finished_at = {now}, \
         lease_owner = NULL, lease_until = NULL, error = {error} \
         WHERE id IN (SELECT id FROM prepbook_jobs WHERE state = 'running' \
         AND lease_until < {now} AND attempts >= max_attempts{})",
        d.skip_locked()
    ))
}

/// Takes the oldest claimable job in one statement: the row is picked and
/// leased together, so two workers never get the same job.
fn claim(d: &dyn Dialect, worker: &str, lease: Duration) -> Statement {
    let mut b = Builder::new(d);
    let worker = b.text(worker);
    let until = b.later(lease);
    let now = b.now();
    let due = claimable(&mut b);
    b.finish(format!(
        "UPDATE prepbook_jobs SET state = 'running', attempts = attempts + 1, \
         lease_owner = {worker} || '#' || (attempts + 1), lease_until = {until}, \
         started_at = COALESCE(started_at, {now}) \
         WHERE id = (SELECT id FROM prepbook_jobs WHERE {due} \
             ORDER BY created_at, id LIMIT 1{}) \
         RETURNING id, order_id, body, today, CAST(attempts AS BIGINT) AS attempts, \
             CAST(max_attempts AS BIGINT) AS max_attempts, lease_owner, webhook_url, {}",
        d.skip_locked(),
        d.millis("created_at", "created_ms"),
    ))
}

/// An update that takes effect only while `claim` still owns the job: the
/// fencing every update after a claim goes through. `set` writes the SET
/// list with the builder (its placeholders come first).
fn guarded(
    d: &dyn Dialect,
    claim: &Claim,
    set: impl FnOnce(&mut Builder<'_>) -> String,
) -> Statement {
    let mut b = Builder::new(d);
    let set = set(&mut b);
    let id = b.text(&claim.id);
    let token = b.text(&claim.token);
    b.finish(format!(
        "UPDATE prepbook_jobs SET {set} \
         WHERE id = {id} AND lease_owner = {token} AND state = 'running'"
    ))
}

fn renew(d: &dyn Dialect, claim: &Claim, lease: Duration) -> Statement {
    guarded(d, claim, |b| format!("lease_until = {}", b.later(lease)))
}

fn succeed(d: &dyn Dialect, claim: &Claim, s: &Success) -> Statement {
    guarded(d, claim, |b| {
        format!(
            "state = 'succeeded', finished_at = {}, lease_owner = NULL, lease_until = NULL, \
             pages = {}, bytes = {}, fit_score = {}, etag = {}, storage_key = {}, \
             timings = {}, error = NULL",
            b.now(),
            b.arg(Arg::Int(s.pages)),
            b.arg(Arg::Int(s.bytes)),
            b.arg(Arg::Int(s.fit_score)),
            b.text(&s.etag),
            b.text(&s.storage_key),
            b.text(&s.timings.to_string()),
        )
    })
}

fn fail(
    d: &dyn Dialect,
    claim: &Claim,
    error: &serde_json::Value,
    retry_in: Option<Duration>,
) -> Statement {
    guarded(d, claim, |b| {
        let next = match retry_in {
            Some(delay) => format!("state = 'queued', not_before = {}", b.later(delay)),
            None => format!("state = 'failed', finished_at = {}", b.now()),
        };
        let error = b.text(&error.to_string());
        format!("{next}, lease_owner = NULL, lease_until = NULL, error = {error}")
    })
}

/// Gives the job back without counting the attempt.
fn release(d: &dyn Dialect, claim: &Claim) -> Statement {
    guarded(d, claim, |b| {
        format!(
            "state = 'queued', attempts = attempts - 1, lease_owner = NULL, \
             lease_until = NULL, not_before = {}",
            b.now()
        )
    })
}

fn stats_by_state(d: &dyn Dialect) -> Statement {
    Builder::new(d).finish(
        "SELECT state, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS a FROM prepbook_jobs GROUP BY state"
            .into(),
    )
}

fn depth(d: &dyn Dialect) -> Statement {
    let mut b = Builder::new(d);
    let due = claimable(&mut b);
    b.finish(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM prepbook_jobs WHERE {due}"
    ))
}

fn need<T>(v: Option<T>, column: &str) -> Result<T, sqlx::Error> {
    v.ok_or_else(|| sqlx::Error::ColumnNotFound(format!("{column} is NULL")))
}

fn count(r: &impl Cells, column: &str) -> Result<u32, sqlx::Error> {
    Ok(u32::try_from(need(r.int(column)?, column)?).unwrap_or(0))
}

fn record(r: &impl Cells) -> Result<(JobRecord, String), sqlx::Error> {
    let json = |col: &str| -> Result<Option<serde_json::Value>, sqlx::Error> {
        Ok(r.text(col)?.and_then(|t| serde_json::from_str(&t).ok()))
    };
    let state = need(r.text("state")?, "state")?;
    let record = JobRecord {
        id: need(r.text("id")?, "id")?,
        order_id: need(r.text("order_id")?, "order_id")?,
        today: need(r.text("today")?, "today")?,
        state: JobState::parse(&state)
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
        attempts: count(r, "attempts")?,
        max_attempts: count(r, "max_attempts")?,
        pages: r.int("pages")?,
        bytes: r.int("bytes")?,
        fit_score: r.int("fit_score")?,
        etag: r.text("etag")?,
        storage_key: r.text("storage_key")?,
        error: json("error")?,
        timings: json("timings")?,
        webhook_url: r.text("webhook_url")?,
        owner: r.text("owner")?.unwrap_or_default(),
        created_at: need(r.int("created_ms")?, "created_ms")?,
        started_at: r.int("started_ms")?,
        finished_at: r.int("finished_ms")?,
    };
    Ok((record, need(r.text("body_hash")?, "body_hash")?))
}

/// The [`Queue`] over a [`Store`]: the queue's logic, once.
pub(crate) struct SqlQueue<S>(pub(crate) S);

impl<S: Store> SqlQueue<S> {
    async fn one(&self, st: Statement) -> Result<Option<S::Row>, ServiceError> {
        Ok(self.0.fetch(st).await?.into_iter().next())
    }

    async fn changed_one(&self, st: Statement) -> Result<bool, ServiceError> {
        Ok(self.0.execute(st).await? == 1)
    }
}

impl<S: Store> Queue for SqlQueue<S> {
    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    fn submit(&self, job: NewJob) -> BoxFut<'_, Submitted> {
        Box::pin(async move {
            let d = &self.0;
            let key = job.idempotency_key.clone().unwrap_or_default();
            let (inserted, row) = d
                .submit(
                    job.id.clone(),
                    insert(d, &job),
                    select_where(d, "id", &job.id),
                    select_where(d, "idempotency_key", &key),
                )
                .await?;
            let found = row.map(|r| record(&r)).transpose()?;
            match (inserted, found) {
                (true, Some((rec, _))) => Ok(Submitted::Created(rec)),
                (false, Some((rec, hash))) if hash == job.body_hash => {
                    Ok(Submitted::Existing(rec))
                }
                (false, Some(_)) => Ok(Submitted::Conflict),
                (_, None) => Err(ServiceError::Corrupt(format!(
                    "job {} was neither inserted nor found by its idempotency key",
                    job.id
                ))),
            }
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<JobRecord>> {
        Box::pin(async move {
            let row = self.one(select_where(&self.0, "id", id)).await?;
            Ok(row.map(|r| record(&r).map(|(rec, _)| rec)).transpose()?)
        })
    }

    fn order_body<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>> {
        Box::pin(async move {
            let row = self.one(order_body(&self.0, id)).await?;
            Ok(row.map(|r| r.text("body")).transpose()?.flatten())
        })
    }

    fn claim<'a>(
        &'a self,
        worker: &'a str,
        lease: Duration,
    ) -> BoxFut<'a, Option<Claim>> {
        Box::pin(async move {
            self.0.execute(fail_lost(&self.0)).await?;
            let Some(r) = self.one(claim(&self.0, worker, lease)).await? else {
                return Ok(None);
            };
            let text = |c: &str| -> Result<String, sqlx::Error> { need(r.text(c)?, c) };
            Ok(Some(Claim {
                id: text("id")?,
                order_id: text("order_id")?,
                body: text("body")?,
                today: text("today")?,
                attempt: count(&r, "attempts")?,
                max_attempts: count(&r, "max_attempts")?,
                token: text("lease_owner")?,
                webhook_url: r.text("webhook_url")?,
                created_at: need(r.int("created_ms")?, "created_ms")?,
            }))
        })
    }

    fn renew<'a>(&'a self, claim: &'a Claim, lease: Duration) -> BoxFut<'a, bool> {
        Box::pin(self.changed_one(renew(&self.0, claim, lease)))
    }

    fn succeed<'a>(&'a self, claim: &'a Claim, result: Success) -> BoxFut<'a, bool> {
        Box::pin(async move { self.changed_one(succeed(&self.0, claim, &result)).await })
    }

    fn fail<'a>(
        &'a self,
        claim: &'a Claim,
        error: serde_json::Value,
        retry_in: Option<Duration>,
    ) -> BoxFut<'a, bool> {
        Box::pin(
            async move { self.changed_one(fail(&self.0, claim, &error, retry_in)).await },
        )
    }

    fn release<'a>(&'a self, claim: &'a Claim) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let released = self.changed_one(release(&self.0, claim)).await?;
            if released {
                self.0.released(claim.id.clone()).await?;
            }
            Ok(released)
        })
    }

    fn pending<'a>(&'a self, owner: &'a str) -> BoxFut<'a, u32> {
        Box::pin(async move {
            let row = self.one(pending(&self.0, owner)).await?;
            let n = row.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0);
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> BoxFut<'a, bool> {
        Box::pin(async move { Ok(self.0.execute(delete(&self.0, id)).await? > 0) })
    }

    fn expired(&self, age: Duration, limit: u32) -> BoxFut<'_, Vec<(String, String)>> {
        Box::pin(async move {
            let rows = self.0.fetch(expired(&self.0, age, limit)).await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        need(r.text("id")?, "id")?,
                        need(r.text("order_id")?, "order_id")?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(Into::into)
        })
    }

    fn stats(&self) -> BoxFut<'_, Stats> {
        Box::pin(async move {
            let mut stats = Stats::default();
            for r in self.0.fetch(stats_by_state(&self.0)).await? {
                let state = JobState::parse(&need(r.text("state")?, "state")?)?;
                let i = JobState::ALL.iter().position(|s| *s == state).unwrap_or(0);
                stats.by_state[i] = r.int("n")?.unwrap_or(0);
                stats.attempts += r.int("a")?.unwrap_or(0);
            }
            let row = self.one(depth(&self.0)).await?;
            stats.depth = row.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0);
            Ok(stats)
        })
    }

    fn ping(&self) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let st = Builder::new(&self.0).finish("SELECT 1".into());
            self.0.execute(st).await?;
            Ok(())
        })
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.0.wakeups()
    }
}
