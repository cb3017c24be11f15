//! Measurements for the README, not checks: ignored by default, printed on
//! stderr. Loopback only, bounded request counts.
//!
//! ```sh
//! cargo nextest run -j 1 --no-capture --run-ignored only --test service_measure
//! ```

mod service_util;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use prepbook::service::{ServeOptions, Service, WorkerOptions};
use service_util::{Proc, TestDb, free_port, order, spawn, wait_for};
use tower::ServiceExt;

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Jobs per second with 1, 2 and 3 worker processes on one PostgreSQL, and
/// the queue's own overhead per job (claim to the start of the render).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run explicitly"]
async fn measure_throughput_by_worker_processes() {
    let jobs: usize =
        std::env::var("MEASURE_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    for workers in 1..=3 {
        let db = TestDb::create().await;
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("playbooks");
        let opts = ServeOptions {
            worker: WorkerOptions {
                db: db.url.clone(),
                storage: storage.clone(),
                workers: 0,
                ..WorkerOptions::default()
            },
            // One client queues the whole measurement at once.
            max_pending_per_owner: u32::MAX,
            ..ServeOptions::default()
        };
        let svc = Service::open(&opts).await.unwrap();
        for i in 0..jobs {
            let req = Request::post("/v1/playbooks")
                // Loopback mode checks Host, as every HTTP/1.1 client sends it.
                .header("host", "127.0.0.1")
                .body(Body::from(order(i).to_string()))
                .unwrap();
            assert_eq!(svc.router().oneshot(req).await.unwrap().status(), 202);
        }
        let start = Instant::now();
        let procs: Vec<Proc> = (0..workers)
            .map(|i| {
                spawn(
                    dir.path(),
                    &format!("w{i}"),
                    &["worker", "--db", &db.url, "--storage", storage.to_str().unwrap()],
                    &[],
                )
            })
            .collect();
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        wait_for(Duration::from_secs(900), "the jobs", || async {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM prepbook_jobs WHERE state = 'succeeded'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            (n as usize == jobs).then_some(())
        })
        .await;
        let seconds = start.elapsed().as_secs_f64();
        let timings: Vec<String> =
            sqlx::query_scalar("SELECT timings FROM prepbook_jobs")
                .fetch_all(&pool)
                .await
                .unwrap();
        let mut overhead: Vec<f64> = Vec::new();
        let mut claim: Vec<f64> = Vec::new();
        let mut render: Vec<f64> = Vec::new();
        for t in &timings {
            let v: serde_json::Value = serde_json::from_str(t).unwrap();
            overhead.push(v["claim_to_render"].as_f64().unwrap());
            claim.push(v["claim"].as_f64().unwrap());
            render.push(v["render"].as_f64().unwrap());
        }
        for v in [&mut overhead, &mut claim, &mut render] {
            v.sort_by(f64::total_cmp);
        }
        eprintln!(
            "workers={workers} jobs={jobs} seconds={seconds:.1} jobs_per_s={:.2} \
             claim_to_render_ms p50={:.2} p99={:.2} claim_query_ms p50={:.2} p99={:.2} \
             render_ms p50={:.0}",
            jobs as f64 / seconds,
            pct(&overhead, 0.5),
            pct(&overhead, 0.99),
            pct(&claim, 0.5),
            pct(&claim, 0.99),
            pct(&render, 0.5),
        );
        for mut p in procs {
            p.terminate(Duration::from_secs(30));
        }
        pool.close().await;
    }
}

/// Latency of `POST /v1/render` under 8 concurrent clients against a
/// `serve` process: each request's own latency by status, and the time to
/// a PDF for a client that honours Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run explicitly"]
async fn measure_sync_render_latency_with_8_clients() {
    const CLIENTS: usize = 8;
    let per_client: usize =
        std::env::var("MEASURE_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let db = format!("sqlite:{}", dir.path().join("q.db").display());
    let mut serve = spawn(
        dir.path(),
        "serve",
        &["serve", "--listen", &listen, "--workers", "0", "--db", &db],
        &[],
    );
    wait_for(Duration::from_secs(60), "serve", || async {
        service_util::http(port, "GET", "/readyz", None).await.filter(|(c, _)| *c == 200)
    })
    .await;
    let body = order(1).to_string();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = Vec::new();
            let mut busy = Vec::new();
            let mut to_pdf = Vec::new();
            for _ in 0..per_client {
                let first = Instant::now();
                loop {
                    let t = Instant::now();
                    let (code, _) =
                        service_util::http(port, "POST", "/v1/render", Some(&body))
                            .await
                            .unwrap();
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    if code == 200 {
                        ok.push(ms);
                        to_pdf.push(first.elapsed().as_secs_f64() * 1000.0);
                        break;
                    }
                    assert_eq!(code, 429);
                    busy.push(ms);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            (ok, busy, to_pdf)
        }));
    }
    let (mut ok, mut busy, mut to_pdf) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (a, b, c) = t.await.unwrap();
        ok.extend(a);
        busy.extend(b);
        to_pdf.extend(c);
    }
    let seconds = start.elapsed().as_secs_f64();
    for v in [&mut ok, &mut busy, &mut to_pdf] {
        v.sort_by(f64::total_cmp);
    }
    eprintln!(
        "clients={CLIENTS} pdfs={} in {seconds:.1} s ({:.2}/s); 200: p50={:.0} ms p99={:.0} ms; \
         429: n={} p50={:.1} ms p99={:.1} ms; time to a PDF with Retry-After: p50={:.0} ms \
         p99={:.0} ms",
        ok.len(),
        ok.len() as f64 / seconds,
        pct(&ok, 0.5),
        pct(&ok, 0.99),
        busy.len(),
        if busy.is_empty() { 0.0 } else { pct(&busy, 0.5) },
        if busy.is_empty() { 0.0 } else { pct(&busy, 0.99) },
        pct(&to_pdf, 0.5),
        pct(&to_pdf, 0.99),
    );
    serve.terminate(Duration::from_secs(30));
}
