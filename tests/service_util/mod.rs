//! Shared helpers for the service tests: small real orders, a fresh
//! PostgreSQL database per test, and `prepbook serve` / `prepbook worker`
//! child processes.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small, real order: the new-graduate resume inline, a short job text.
/// Still a full 50+ page render.
pub fn order(n: usize) -> serde_json::Value {
    let resume: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/resume.newgrad.json")).unwrap(),
    )
    .unwrap();
    serde_json::json!({
        "order_id": format!("T-{n:04}"),
        "resume": resume,
        "job": "Software Engineer\n\nRequirements:\n- Python\n- SQL\n- 2+ years of experience",
        "target": {"company": "google", "role": "swe", "today": "2026-11-27",
                   "interview_date": "2026-12-28"}
    })
}

/// The PostgreSQL server: `PREPBOOK_TEST_PG` or the local one.
pub fn pg_server() -> String {
    std::env::var("PREPBOOK_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database created for one test and dropped when this is dropped.
pub struct TestDb {
    pub url: String,
    name: String,
}

impl TestDb {
    pub async fn create() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("prepbook_test_{}_{nanos}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_server()))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        Self { url: format!("{}/{name}", pg_server()), name }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs outside async code; a small runtime on its own thread
        // does the asynchronous work.
        let (server, name) = (pg_server(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut admin) =
                    sqlx::PgConnection::connect(&format!("{server}/postgres")).await
                {
                    let _ = sqlx::query(&format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    ))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves
/// no workers behind.
pub struct Proc {
    pub child: Child,
    pub name: String,
    pub log: PathBuf,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a graceful exit; returns whether it exited 0.
    pub fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill9();
        false
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `prepbook ARGS…` with its log in `dir/NAME.log`.
pub fn spawn(dir: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Proc {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prepbook"));
    cmd.args(args)
        .env_remove("PREPBOOK_API_TOKENS")
        .env("PREPBOOK_WORKER_NAME", name)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Proc { child: cmd.spawn().unwrap(), name: name.to_string(), log }
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after
/// `timeout` with `what`.
pub async fn wait_for<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A free loopback port (bound, read, released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A minimal HTTP/1.1 client for talking to a child `serve` over loopback.
pub async fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.ok()?;
    let text = String::from_utf8_lossy(&out).to_string();
    let code = text.get(9..12)?.parse().ok()?;
    let body =
        text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((code, body))
}
