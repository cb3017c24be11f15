//! The durable job queue: what a job is, the states it moves through, and
//! the [`Queue`] trait that the SQLite and PostgreSQL stores implement.
//!
//! Responsible for claiming, leasing and finishing jobs atomically; not for
//! rendering (that is [`super::worker`]) nor for HTTP (that is
//! [`super::api`]).
//!
//! # Semantics every store keeps
//! - A job is `queued` until a worker claims it. Claiming sets `running`,
//!   increments `attempts` and sets a lease (`lease_until = now + lease`)
//!   owned by a claim token; the worker renews the lease while it renders.
//! - A `running` job whose lease has expired is claimable again, so a worker
//!   that dies loses its job to another worker. Once its attempts are used
//!   up, such a job is marked `failed` instead.
//! - Finishing (`succeed`, `fail`, `release`) only takes effect while the
//!   caller's claim token still owns the job, so a worker that lost its
//!   lease cannot overwrite the result of the worker that took over.
//! - A failed attempt with attempts left goes back to `queued` with
//!   `not_before` in the future (exponential backoff with jitter).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::error::ServiceError;

/// A boxed future, so that `Queue` can be used as `Arc<dyn Queue>`.
pub(crate) type BoxFut<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ServiceError>> + Send + 'a>>;

/// The states of a job. `succeeded` and `failed` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    pub(crate) const ALL: [JobState; 4] =
        [JobState::Queued, JobState::Running, JobState::Succeeded, JobState::Failed];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, ServiceError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| ServiceError::Corrupt(format!("unknown job state {s:?}")))
    }
}

/// A job to insert.
#[derive(Debug, Clone)]
pub(crate) struct NewJob {
    /// Random, unguessable id (also the storage key's file name).
    pub(crate) id: String,
    /// The order's id (the storage key's folder).
    pub(crate) order_id: String,
    /// The order document exactly as submitted.
    pub(crate) body: String,
    /// `YYYY-MM-DD`: the order's `target.today`, or the submission date,
    /// so that every attempt renders the same bytes.
    pub(crate) today: String,
    /// The caller's `Idempotency-Key` scoped by its owner (`OWNER/KEY`),
    /// if any: keys are unique per owner, so one client cannot replay or
    /// squat another's.
    pub(crate) idempotency_key: Option<String>,
    /// Who submitted it: the API token's name.
    pub(crate) owner: String,
    /// blake3 of the body, to tell a retry from a different request.
    pub(crate) body_hash: String,
    /// Attempts before the job fails for good.
    pub(crate) max_attempts: u32,
    /// Where to post the completion webhook, if anywhere.
    pub(crate) webhook_url: Option<String>,
}

/// What `submit` did.
#[derive(Debug)]
pub(crate) enum Submitted {
    /// A new job.
    Created(JobRecord),
    /// The idempotency key was seen before with the same body.
    Existing(JobRecord),
    /// The idempotency key was seen before with another body.
    Conflict,
}

/// A job as stored.
#[derive(Debug, Clone)]
pub(crate) struct JobRecord {
    pub(crate) id: String,
    pub(crate) order_id: String,
    pub(crate) today: String,
    pub(crate) state: JobState,
    pub(crate) attempts: u32,
    pub(crate) max_attempts: u32,
    pub(crate) pages: Option<i64>,
    pub(crate) bytes: Option<i64>,
    pub(crate) fit_score: Option<i64>,
    pub(crate) etag: Option<String>,
    pub(crate) storage_key: Option<String>,
    /// The last error, as `prepbook::Error::to_json` or a plain message.
    pub(crate) error: Option<serde_json::Value>,
    /// Stage and queue timings of the successful attempt, in ms.
    pub(crate) timings: Option<serde_json::Value>,
    pub(crate) webhook_url: Option<String>,
    /// Who submitted it (see [`NewJob::owner`]).
    pub(crate) owner: String,
    /// Unix milliseconds.
    pub(crate) created_at: i64,
    pub(crate) started_at: Option<i64>,
    pub(crate) finished_at: Option<i64>,
}

/// A job held under a lease by one worker.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub(crate) id: String,
    pub(crate) order_id: String,
    pub(crate) body: String,
    pub(crate) today: String,
    /// This attempt's number, counting from 1.
    pub(crate) attempt: u32,
    pub(crate) max_attempts: u32,
    /// Owns the lease: `worker#attempt`. Finishing checks it.
    pub(crate) token: String,
    pub(crate) webhook_url: Option<String>,
    /// Unix milliseconds of submission.
    pub(crate) created_at: i64,
}

/// The result of a successful render.
#[derive(Debug, Clone)]
pub(crate) struct Success {
    pub(crate) pages: i64,
    pub(crate) bytes: i64,
    pub(crate) fit_score: i64,
    pub(crate) etag: String,
    pub(crate) storage_key: String,
    pub(crate) timings: serde_json::Value,
}

/// Counts for `/metrics`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// Jobs per state, in [`JobState::ALL`] order.
    pub(crate) by_state: [i64; 4],
    /// Jobs a worker could claim right now.
    pub(crate) depth: i64,
    /// Attempts over all jobs.
    pub(crate) attempts: i64,
}

/// A durable job queue shared by the API and the workers.
pub(crate) trait Queue: Send + Sync {
    /// `sqlite` or `postgres`, for logs.
    fn kind(&self) -> &'static str;

    /// Inserts a job, or finds the one with the same idempotency key.
    fn submit(&self, job: NewJob) -> BoxFut<'_, Submitted>;

    /// One job by id, without its order document (status polls are
    /// frequent and documents up to the body limit).
    fn get<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<JobRecord>>;

    /// The order document of a job, as submitted.
    fn order_body<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>>;

    /// Claims the oldest claimable job under a lease of `lease`, if any.
    fn claim<'a>(&'a self, worker: &'a str, lease: Duration)
    -> BoxFut<'a, Option<Claim>>;

    /// Extends the lease; false when the claim no longer owns the job.
    fn renew<'a>(&'a self, claim: &'a Claim, lease: Duration) -> BoxFut<'a, bool>;

    /// Marks the job succeeded; false when the claim no longer owns it.
    fn succeed<'a>(&'a self, claim: &'a Claim, result: Success) -> BoxFut<'a, bool>;

    /// Records a failed attempt: back to `queued` after `retry_in`, or
    /// `failed` for good when `retry_in` is `None`.
    fn fail<'a>(
        &'a self,
        claim: &'a Claim,
        error: serde_json::Value,
        retry_in: Option<Duration>,
    ) -> BoxFut<'a, bool>;

    /// Gives the job back unfinished (graceful shutdown): `queued` again,
    /// and the attempt is not counted.
    fn release<'a>(&'a self, claim: &'a Claim) -> BoxFut<'a, bool>;

    /// Deletes a job and its order document (a candidate's request, or
    /// past retention); false when there was no such job. A worker still
    /// rendering it then finds its claim gone.
    fn delete<'a>(&'a self, id: &'a str) -> BoxFut<'a, bool>;

    /// Up to `limit` jobs that finished (succeeded or failed for good)
    /// more than `age` ago, oldest first: `(id, order_id)`.
    fn expired(&self, age: Duration, limit: u32) -> BoxFut<'_, Vec<(String, String)>>;

    /// Unfinished (queued or running) jobs of `owner`.
    fn pending<'a>(&'a self, owner: &'a str) -> BoxFut<'a, u32>;

    /// Counts for metrics.
    fn stats(&self) -> BoxFut<'_, Stats>;

    /// Checks that the store answers (readiness).
    fn ping(&self) -> BoxFut<'_, ()>;

    /// Notified when new work may be claimable: a submission in this
    /// process, or (PostgreSQL) a NOTIFY from any process.
    fn wakeups(&self) -> Arc<Notify>;
}

/// The delay before retry number `attempt` (the attempt that just failed,
/// counting from 1): `base · 2^(attempt-1)`, at most ten minutes, times a
/// random factor in [0.5, 1.5) so that jobs failing together do not retry
/// together.
pub(crate) fn backoff(attempt: u32, base: Duration) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(Duration::from_secs(600));
    capped.mul_f64(0.5 + rand::random::<f64>())
}

/// Milliseconds since the Unix epoch. Queue timestamps only; rendering
/// never reads the clock.
pub(crate) fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
pub(crate) mod conformance {
    //! The same checks for every store: claim, lease expiry, fencing,
    //! retry with backoff, release, idempotency and concurrent claims.

    use std::collections::HashSet;
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    pub(crate) fn job(n: usize, key: Option<&str>, body: &str) -> NewJob {
        NewJob {
            id: format!("job-{n:04}"),
            order_id: format!("ORDER-{n}"),
            body: body.to_string(),
            today: "2026-11-27".into(),
            idempotency_key: key.map(Into::into),
            body_hash: blake3::hash(body.as_bytes()).to_hex().to_string(),
            max_attempts: 2,
            webhook_url: None,
            owner: "test".into(),
        }
    }

    fn success(key: &str) -> Success {
        Success {
            pages: 3,
            bytes: 1000,
            fit_score: 70,
            etag: "e".into(),
            storage_key: key.into(),
            timings: serde_json::json!({"layout": 1.0}),
        }
    }

    /// Runs every check against a fresh, empty queue.
    pub(crate) async fn run_all(q: Arc<dyn Queue>) {
        let lease = Duration::from_millis(300);

        // Idempotency: same key and body → same job; other body → conflict.
        let Submitted::Created(a) = q.submit(job(1, Some("k1"), "{}")).await.unwrap()
        else {
            panic!("first submission creates")
        };
        let mut again = job(2, Some("k1"), "{}");
        again.id = "job-other".into();
        match q.submit(again).await.unwrap() {
            Submitted::Existing(r) => assert_eq!(r.id, a.id),
            other => panic!("expected the existing job, got {other:?}"),
        }
        assert!(matches!(
            q.submit(job(3, Some("k1"), "{\"x\":1}")).await.unwrap(),
            Submitted::Conflict
        ));
        assert_eq!(a.state, JobState::Queued);

        // Claim, renew, succeed.
        let c = q.claim("w1", lease).await.unwrap().expect("a queued job is claimable");
        assert_eq!((c.id.as_str(), c.attempt), ("job-0001", 1));
        assert!(q.claim("w2", lease).await.unwrap().is_none(), "leased jobs are not");
        assert!(q.renew(&c, lease).await.unwrap());
        assert!(q.succeed(&c, success("k")).await.unwrap());
        let r = q.get("job-0001").await.unwrap().unwrap();
        assert_eq!((r.state, r.attempts, r.pages), (JobState::Succeeded, 1, Some(3)));
        assert_eq!(q.order_body("job-0001").await.unwrap().as_deref(), Some("{}"));
        assert!(q.order_body("nope").await.unwrap().is_none());
        assert!(r.started_at.is_some() && r.finished_at.is_some());
        assert!(!q.renew(&c, lease).await.unwrap(), "a finished job has no lease");

        // Lease expiry: the job goes to another worker; the first worker's
        // late result is refused (fencing by claim token).
        q.submit(job(4, None, "{}")).await.unwrap();
        let c1 = q.claim("w1", lease).await.unwrap().unwrap();
        tokio::time::sleep(lease + Duration::from_millis(100)).await;
        let c2 = q.claim("w2", lease).await.unwrap().expect("expired lease is claimable");
        assert_eq!((c2.id.as_str(), c2.attempt), ("job-0004", 2));
        assert!(!q.renew(&c1, lease).await.unwrap());
        assert!(!q.succeed(&c1, success("k")).await.unwrap());
        assert!(q.succeed(&c2, success("k")).await.unwrap());
        assert_eq!(q.get("job-0004").await.unwrap().unwrap().attempts, 2);

        // Attempts used up with a dead worker: failed, not claimed again.
        q.submit(job(5, None, "{}")).await.unwrap();
        let _c = q.claim("w1", lease).await.unwrap().unwrap();
        tokio::time::sleep(lease + Duration::from_millis(100)).await;
        let c = q.claim("w2", lease).await.unwrap().unwrap();
        assert_eq!(c.attempt, 2);
        tokio::time::sleep(lease + Duration::from_millis(100)).await;
        assert!(q.claim("w3", lease).await.unwrap().is_none());
        let r = q.get("job-0005").await.unwrap().unwrap();
        assert_eq!(r.state, JobState::Failed);
        assert!(r.error.is_some());

        // Retry with backoff: not claimable before not_before.
        q.submit(job(6, None, "{}")).await.unwrap();
        let c = q.claim("w1", lease).await.unwrap().unwrap();
        let err = serde_json::json!({"message": "disk full"});
        assert!(q.fail(&c, err.clone(), Some(Duration::from_millis(400))).await.unwrap());
        assert_eq!(q.get("job-0006").await.unwrap().unwrap().state, JobState::Queued);
        assert!(q.claim("w1", lease).await.unwrap().is_none(), "backing off");
        assert_eq!(q.stats().await.unwrap().depth, 0);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(q.stats().await.unwrap().depth, 1);
        let c = q.claim("w1", lease).await.unwrap().unwrap();
        assert_eq!(c.attempt, 2);
        assert!(q.fail(&c, err, None).await.unwrap());
        let r = q.get("job-0006").await.unwrap().unwrap();
        assert_eq!((r.state, r.attempts), (JobState::Failed, 2));
        assert_eq!(r.error.unwrap()["message"], "disk full");

        // Release gives the job back without counting the attempt.
        q.submit(job(7, None, "{}")).await.unwrap();
        let c = q.claim("w1", lease).await.unwrap().unwrap();
        assert!(q.release(&c).await.unwrap());
        let c = q.claim("w2", lease).await.unwrap().unwrap();
        assert_eq!((c.id.as_str(), c.attempt), ("job-0007", 1));
        assert!(q.succeed(&c, success("k")).await.unwrap());

        // Concurrent claims never hand one job to two workers.
        for n in 100..160 {
            q.submit(job(n, None, "{}")).await.unwrap();
        }
        let mut tasks = Vec::new();
        for w in 0..4 {
            let q = q.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                let name = format!("w{w}");
                while let Some(c) = q.claim(&name, Duration::from_secs(30)).await.unwrap()
                {
                    assert!(q.succeed(&c, success("k")).await.unwrap());
                    got.push(c.id);
                }
                got
            }));
        }
        let mut seen = HashSet::new();
        for t in tasks {
            for id in t.await.unwrap() {
                assert!(seen.insert(id.clone()), "{id} claimed twice");
            }
        }
        assert_eq!(seen.len(), 60);
        let stats = q.stats().await.unwrap();
        assert_eq!(stats.by_state, [0, 0, 63, 2]);
        assert_eq!(stats.depth, 0);
        q.ping().await.unwrap();

        // Retention: finished jobs past the age, oldest first, and only
        // finished ones; delete removes the job and its document.
        assert!(q.expired(Duration::from_secs(3600), 500).await.unwrap().is_empty());
        q.submit(job(8, None, "{}")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let old = q.expired(Duration::ZERO, 500).await.unwrap();
        assert_eq!(old.len(), 65, "every finished job, none queued");
        assert_eq!(old[0], ("job-0001".to_string(), "ORDER-1".to_string()));
        assert!(!old.iter().any(|(id, _)| id == "job-0008"));
        assert_eq!(q.expired(Duration::ZERO, 10).await.unwrap().len(), 10);
        assert!(q.delete("job-0001").await.unwrap());
        assert!(!q.delete("job-0001").await.unwrap(), "deleted once");
        assert!(q.get("job-0001").await.unwrap().is_none());
        assert!(q.order_body("job-0001").await.unwrap().is_none());

        // Admission: unfinished jobs per owner.
        assert_eq!(q.pending("test").await.unwrap(), 1, "job-0008 is queued");
        assert_eq!(q.pending("someone-else").await.unwrap(), 0);
    }
}
