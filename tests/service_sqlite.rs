//! The service on one machine with SQLite: a `serve` killed mid-render and
//! restarted, and a graceful stop that gives back a job it cannot finish in
//! time. Two worker tasks share the file without double claims.

mod service_util;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use service_util::{Proc, files, free_port, http, order, spawn, wait_for};
use sqlx::Row;

async fn jobs(db: &Path) -> BTreeMap<String, (String, i64, Option<String>)> {
    let url = format!("sqlite:{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query("SELECT id, state, attempts, lease_owner FROM prepbook_jobs")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.into_iter()
        .map(|r| (r.get("id"), (r.get("state"), r.get("attempts"), r.get("lease_owner"))))
        .collect()
}

fn serve(dir: &Path, name: &str, port: u16, extra: &[&str]) -> Proc {
    let listen = format!("127.0.0.1:{port}");
    let db = format!("sqlite:{}", dir.join("q.db").display());
    let storage = dir.join("playbooks");
    let mut args = vec![
        "serve",
        "--listen",
        &listen,
        "--db",
        &db,
        "--storage",
        storage.to_str().unwrap(),
        "--poll-ms",
        "300",
    ];
    args.extend_from_slice(extra);
    spawn(dir, name, &args, &[])
}

async fn ready(port: u16) {
    wait_for(Duration::from_secs(60), "serve to be ready", || async {
        http(port, "GET", "/readyz", None).await.filter(|(c, _)| *c == 200)
    })
    .await;
}

async fn submit(port: u16, n: usize) -> String {
    let (code, body) =
        http(port, "POST", "/v1/playbooks", Some(&order(n).to_string())).await.unwrap();
    assert_eq!(code, 202, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_serve_restarts_and_every_job_completes_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let port = free_port();
    let opts = ["--workers", "2", "--lease-secs", "3"];
    let mut first = serve(dir.path(), "first", port, &opts);
    ready(port).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(submit(port, i).await);
    }
    // Both worker tasks busy, each with its own job.
    let running = wait_for(Duration::from_secs(60), "two jobs to run", || async {
        let jobs = jobs(&db).await;
        let running: Vec<String> = jobs
            .iter()
            .filter(|(_, (s, _, _))| s == "running")
            .map(|(id, _)| id.clone())
            .collect();
        (running.len() == 2).then_some(running)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.kill9();
    assert!(dir.path().join("q.db-wal").exists(), "the queue runs in WAL mode");

    let mut second = serve(dir.path(), "second", port, &opts);
    let done = wait_for(Duration::from_secs(120), "every job to finish", || async {
        let jobs = jobs(&db).await;
        jobs.values().all(|(s, _, _)| s == "succeeded" || s == "failed").then_some(jobs)
    })
    .await;
    for id in &ids {
        let (state, attempts, _) = &done[id];
        let expected = if running.contains(id) { 2 } else { 1 };
        assert_eq!((state.as_str(), *attempts), ("succeeded", expected), "{id}");
    }
    let stored = files(&dir.path().join("playbooks"));
    assert_eq!(stored.len(), 4, "one PDF per job, no leftovers: {stored:?}");
    for id in &ids {
        assert!(stored.iter().any(|f| f.ends_with(&format!("/{id}.pdf"))), "{id}");
    }
    assert!(second.terminate(Duration::from_secs(30)), "{}", second.log_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_gives_back_what_it_cannot_finish_and_a_restart_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let port = free_port();
    // No grace at all: a stopping worker releases its job at once.
    let opts = ["--workers", "1", "--grace-secs", "0"];
    let mut first = serve(dir.path(), "first", port, &opts);
    ready(port).await;
    let a = submit(port, 1).await;
    let b = submit(port, 2).await;
    wait_for(Duration::from_secs(60), "a job to run", || async {
        jobs(&db).await.values().any(|(s, _, _)| s == "running").then_some(())
    })
    .await;
    assert!(first.terminate(Duration::from_secs(30)), "{}", first.log_text());
    let between = jobs(&db).await;
    for id in [&a, &b] {
        // Released: queued again, and the interrupted attempt not counted.
        assert_eq!(between[id], ("queued".to_string(), 0, None), "{id}");
    }
    assert!(first.log_text().contains("job released"), "{}", first.log_text());

    let mut second = serve(dir.path(), "second", port, &opts);
    let done =
        wait_for(Duration::from_secs(120), "both jobs after the restart", || async {
            let jobs = jobs(&db).await;
            jobs.values().all(|(s, _, _)| s == "succeeded").then_some(jobs)
        })
        .await;
    assert_eq!(done[&a].1, 1);
    assert_eq!(done[&b].1, 1);
    assert_eq!(files(&dir.path().join("playbooks")).len(), 2);
    assert!(second.terminate(Duration::from_secs(30)), "{}", second.log_text());
}
