//! The listener against slow and idle clients (issue 14): a header-read
//! timeout, idle keep-alive connections closed, and a connection cap, on a
//! real socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use prepbook::service::{ListenOptions, ServeOptions, Shutdown, WorkerOptions};

/// A free loopback port (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads until the server closes; how long that took.
fn time_to_close(s: &mut TcpStream) -> Duration {
    let t = Instant::now();
    let mut buf = [0u8; 4096];
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    t.elapsed()
}

fn healthz(port: u16) -> String {
    let mut s = connect(port);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_idle_and_surplus_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let opts = ServeOptions {
        listen: ([127, 0, 0, 1], port).into(),
        listen_limits: ListenOptions {
            header_timeout: Duration::from_millis(800),
            max_connections: 60,
            drain: Duration::from_secs(2),
        },
        worker: WorkerOptions {
            db: format!("sqlite:{}", dir.path().join("q.db").display()),
            storage: dir.path().join("playbooks"),
            workers: 0,
            ..WorkerOptions::default()
        },
        ..ServeOptions::default()
    };
    let shutdown = Shutdown::new();
    // serve's future is not Send (sqlx), so it runs on this task beside
    // the clients.
    let stop = shutdown.clone();
    let clients = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(900));

        // 50 clients that connect and send half a request head: the probe
        // still answers, and each of them is closed after the timeout.
        let mut silent: Vec<TcpStream> = (0..50)
            .map(|_| {
                let mut s = connect(port);
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127").unwrap();
                s
            })
            .collect();
        assert!(healthz(port).starts_with("HTTP/1.1 200"), "the probe is not starved");
        for s in &mut silent {
            let waited = time_to_close(s);
            assert!(
                waited < Duration::from_secs(5),
                "a silent client held on for {waited:?}"
            );
        }
        drop(silent);
        std::thread::sleep(Duration::from_millis(200));

        // An idle keep-alive connection is closed too.
        let mut kept = connect(port);
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut buf = [0u8; 4096];
        let n = kept.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        let waited = time_to_close(&mut kept);
        assert!(waited < Duration::from_secs(5), "an idle connection stayed {waited:?}");

        // Past the cap a new connection is closed at once, not queued.
        let held: Vec<TcpStream> = (0..60).map(|_| connect(port)).collect();
        std::thread::sleep(Duration::from_millis(100));
        let mut surplus = connect(port);
        let waited = time_to_close(&mut surplus);
        assert!(waited < Duration::from_millis(500), "the surplus waited {waited:?}");
        drop(held);
    });
    let clients = async move {
        let result = clients.await;
        stop.trigger();
        result
    };
    let (served, clients) =
        tokio::join!(prepbook::service::serve(opts, shutdown), clients);
    clients.unwrap();
    served.unwrap();
}
