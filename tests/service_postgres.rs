//! The service across processes on one PostgreSQL: many workers, a worker
//! killed mid-render, a restart of `serve` with jobs still queued. Each test
//! creates its own database and storage directory.

mod service_util;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use prepbook::service::{ServeOptions, Service, WorkerOptions};
use service_util::{Proc, TestDb, files, free_port, http, order, spawn, wait_for};
use sqlx::Row;
use tower::ServiceExt;

#[derive(Debug, Clone)]
struct Job {
    state: String,
    attempts: i32,
    owner: Option<String>,
    worker: Option<String>,
    key: Option<String>,
    claim_to_render: Option<f64>,
}

async fn jobs(pool: &sqlx::PgPool) -> BTreeMap<String, Job> {
    sqlx::query(
        "SELECT id, state, attempts, lease_owner, timings, storage_key FROM prepbook_jobs",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        let timings: Option<serde_json::Value> =
            r.get::<Option<String>, _>("timings").map(|t| serde_json::from_str(&t).unwrap());
        let id: String = r.get("id");
        (
            id,
            Job {
                state: r.get("state"),
                attempts: r.get("attempts"),
                owner: r.get("lease_owner"),
                worker: timings
                    .as_ref()
                    .and_then(|t| t["worker"].as_str().map(String::from)),
                key: r.get("storage_key"),
                claim_to_render: timings.as_ref().and_then(|t| t["claim_to_render"].as_f64()),
            },
        )
    })
    .collect()
}

/// Submits orders through the API (no socket), without running workers.
async fn submit_all(db: &str, storage: &std::path::Path, n: usize) -> Vec<String> {
    let opts = ServeOptions {
        worker: WorkerOptions {
            db: db.to_string(),
            storage: storage.to_path_buf(),
            workers: 0,
            ..WorkerOptions::default()
        },
        // One client queues the whole batch at once here.
        max_pending_per_owner: u32::MAX,
        ..ServeOptions::default()
    };
    let svc = Service::open(&opts).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let req = Request::post("/v1/playbooks")
            // Loopback mode checks Host, as every HTTP/1.1 client sends it.
            .header("host", "127.0.0.1")
            .header("idempotency-key", format!("order-{i}"))
            .body(Body::from(order(i).to_string()))
            .unwrap();
        let res = svc.router().oneshot(req).await.unwrap();
        assert_eq!(res.status(), 202);
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    ids
}

fn worker(dir: &std::path::Path, name: &str, db: &str, lease: &str) -> Proc {
    let storage = dir.join("playbooks");
    spawn(
        dir,
        name,
        &[
            "worker",
            "--db",
            db,
            "--storage",
            storage.to_str().unwrap(),
            "--lease-secs",
            lease,
            "--poll-ms",
            "500",
        ],
        &[],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_worker_processes_render_200_jobs_exactly_once() {
    const N: usize = 200;
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("playbooks");
    let ids = submit_all(&db.url, &storage, N).await;
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), N);

    let start = Instant::now();
    let mut workers: Vec<Proc> =
        (0..3).map(|i| worker(dir.path(), &format!("w{i}"), &db.url, "30")).collect();
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let done = wait_for(Duration::from_secs(900), "200 jobs to succeed", || async {
        let jobs = jobs(&pool).await;
        let finished =
            jobs.values().filter(|j| j.state == "succeeded" || j.state == "failed");
        (finished.count() == N).then_some(jobs)
    })
    .await;
    let seconds = start.elapsed().as_secs_f64();
    for mut w in workers.drain(..) {
        assert!(
            w.terminate(Duration::from_secs(30)),
            "{} exits cleanly:\n{}",
            w.name,
            w.log_text()
        );
    }

    // Every job succeeded on its first and only attempt.
    let mut per_worker: BTreeMap<String, usize> = BTreeMap::new();
    for (id, job) in &done {
        assert_eq!((job.state.as_str(), job.attempts), ("succeeded", 1), "{id}: {job:?}");
        assert!(job.owner.is_none(), "a finished job holds no lease");
        let name = job.worker.clone().unwrap();
        *per_worker.entry(name.split('-').next().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(per_worker.len(), 3, "all three processes worked: {per_worker:?}");
    // Exactly one PDF per job, under its key, and nothing else.
    let expected: Vec<String> = done.values().map(|j| j.key.clone().unwrap()).collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(files(&storage), expected);
    let mut overhead: Vec<f64> =
        done.values().filter_map(|j| j.claim_to_render).collect();
    overhead.sort_by(f64::total_cmp);
    eprintln!(
        "{N} jobs, 3 worker processes: {seconds:.1} s, {:.2} jobs/s, per worker {per_worker:?}, \
         claim-to-render p50 {:.2} ms p99 {:.2} ms",
        N as f64 / seconds,
        overhead[overhead.len() / 2],
        overhead[overhead.len() * 99 / 100],
    );
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_render_loses_its_job_to_another_worker() {
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("playbooks");
    submit_all(&db.url, &storage, 3).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();

    let mut victim = worker(dir.path(), "victim", &db.url, "3");
    let doomed =
        wait_for(Duration::from_secs(60), "the victim to claim a job", || async {
            jobs(&pool).await.into_iter().find_map(|(id, j)| {
                (j.state == "running"
                    && j.owner.as_deref().is_some_and(|o| o.starts_with("victim")))
                .then_some(id)
            })
        })
        .await;
    // Well into the render (a render takes about a second), far from the
    // atomic write at its end.
    tokio::time::sleep(Duration::from_millis(300)).await;
    victim.kill9();
    let killed_at = Instant::now();
    let after_kill = jobs(&pool).await;
    assert_eq!(
        after_kill[&doomed].state, "running",
        "the dead worker still holds the lease"
    );

    let mut rescuer = worker(dir.path(), "rescuer", &db.url, "3");
    // The rescuer takes the other jobs at once, but the doomed one only
    // once its lease (3 s) has run out, although it is the oldest.
    wait_for(Duration::from_secs(60), "the rescuer to take the doomed job", || async {
        jobs(&pool).await[&doomed]
            .owner
            .as_deref()
            .is_some_and(|o| o.starts_with("rescuer"))
            .then_some(())
    })
    .await;
    let rescued_after = killed_at.elapsed();
    assert!(
        rescued_after >= Duration::from_secs(2),
        "the doomed job was taken {rescued_after:?} after the kill, before its lease ran out"
    );
    let done = wait_for(Duration::from_secs(120), "every job to succeed", || async {
        let jobs = jobs(&pool).await;
        jobs.values().all(|j| j.state == "succeeded").then_some(jobs)
    })
    .await;
    assert!(rescuer.terminate(Duration::from_secs(30)), "{}", rescuer.log_text());

    let rescued = &done[&doomed];
    assert_eq!(rescued.attempts, 2, "{rescued:?}");
    assert!(rescued.worker.as_deref().unwrap().starts_with("rescuer"), "{rescued:?}");
    for (id, j) in &done {
        if *id != doomed {
            assert_eq!(j.attempts, 1, "{id}: {j:?}");
        }
    }
    let mut expected: Vec<String> =
        done.values().map(|j| j.key.clone().unwrap()).collect();
    expected.sort();
    assert_eq!(files(&storage), expected, "one PDF per job, no leftovers");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_jobs_complete_after_serve_restarts() {
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("playbooks");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let args = [
        "serve",
        "--listen",
        &listen,
        "--workers",
        "1",
        "--db",
        &db.url,
        "--storage",
        storage.to_str().unwrap(),
        "--poll-ms",
        "500",
    ];
    let mut first = spawn(dir.path(), "first", &args, &[]);
    wait_for(Duration::from_secs(60), "serve to listen", || async {
        http(port, "GET", "/readyz", None).await.filter(|(c, _)| *c == 200)
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let (code, body) =
            http(port, "POST", "/v1/playbooks", Some(&order(i).to_string()))
                .await
                .unwrap();
        assert_eq!(code, 202, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    wait_for(Duration::from_secs(60), "a job to start", || async {
        jobs(&pool).await.values().any(|j| j.state == "running").then_some(())
    })
    .await;
    // SIGTERM: the running job finishes within the grace period, nothing
    // new is claimed, the process exits cleanly.
    assert!(first.terminate(Duration::from_secs(60)), "{}", first.log_text());
    let between = jobs(&pool).await;
    let states: Vec<&str> = ids.iter().map(|id| between[id].state.as_str()).collect();
    assert_eq!(states.iter().filter(|s| **s == "succeeded").count(), 1, "{states:?}");
    assert_eq!(states.iter().filter(|s| **s == "queued").count(), 2, "{states:?}");
    assert!(first.log_text().contains("shutdown requested"), "{}", first.log_text());

    let mut second = spawn(dir.path(), "second", &args, &[]);
    let done = wait_for(
        Duration::from_secs(120),
        "the queued jobs after the restart",
        || async {
            let jobs = jobs(&pool).await;
            jobs.values().all(|j| j.state == "succeeded").then_some(jobs)
        },
    )
    .await;
    for id in &ids {
        assert_eq!(done[id].attempts, 1, "{id}: {:?}", done[id]);
        let (code, _) =
            http(port, "GET", &format!("/v1/playbooks/{id}/pdf"), None).await.unwrap();
        assert_eq!(code, 200);
    }
    assert_eq!(files(&storage).len(), 3);
    assert!(second.terminate(Duration::from_secs(30)), "{}", second.log_text());
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_worker_is_woken_by_notify_rather_than_its_poll() {
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("playbooks");
    // Create the schema first, so the worker finds an empty queue.
    submit_all(&db.url, &storage, 0).await;
    // A poll so slow that only a notification can explain a quick start.
    let mut idle = spawn(
        dir.path(),
        "idle",
        &[
            "worker",
            "--db",
            &db.url,
            "--storage",
            storage.to_str().unwrap(),
            "--poll-ms",
            "120000",
        ],
        &[],
    );
    wait_for(Duration::from_secs(60), "the worker to start", || async {
        idle.log_text().contains("worker started").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let submitted = Instant::now();
    let ids = submit_all(&db.url, &storage, 1).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    wait_for(Duration::from_secs(60), "the job to succeed", || async {
        jobs(&pool).await.get(&ids[0]).filter(|j| j.state == "succeeded").cloned()
    })
    .await;
    assert!(
        submitted.elapsed() < Duration::from_secs(30),
        "woken by NOTIFY, not by the 120 s poll ({:?})",
        submitted.elapsed()
    );
    assert!(idle.terminate(Duration::from_secs(30)), "{}", idle.log_text());
    pool.close().await;
}
