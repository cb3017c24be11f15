//! The accept loop of `serve` and of a worker's probe port: HTTP/1 with a
//! header-read timeout and a cap on open connections.
//!
//! `axum::serve` reads request headers for as long as a client cares to
//! take and accepts every connection, so 800 clients that open a socket
//! and send nothing hold 800 tasks and starve `/healthz` and real
//! clients. Here a connection that has not sent a complete request head
//! within [`ListenOptions::header_timeout`] is closed — the same timer
//! runs while a keep-alive connection waits for its next request, so idle
//! connections are closed too — and past [`ListenOptions::max_connections`]
//! a new connection is closed at once rather than queued.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::Shutdown;

/// Connection limits of a listener.
#[derive(Debug, Clone, Copy)]
pub struct ListenOptions {
    /// Longest a client may take to send a request head, and longest an
    /// idle keep-alive connection stays open (default 10 s).
    pub header_timeout: Duration,
    /// Open connections at most; more are closed on accept (default 1024).
    pub max_connections: usize,
    /// How long shutdown waits for open requests to finish (default 30 s).
    pub drain: Duration,
}

impl Default for ListenOptions {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            drain: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` fires, then lets open
/// requests finish (up to [`ListenOptions::drain`]).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    opts: ListenOptions,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = shutdown.wait() => break,
        };
        let (stream, _) = match accepted {
            Ok(s) => s,
            // Out of file descriptors and the like: wait, do not spin.
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            // Full: closing now tells the client to retry elsewhere; a
            // queue of accepted sockets would only move the starvation.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(opts.header_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = stop.wait() => {
                    // Finish the request in progress, then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    // Every connection task holds a permit: having them all back means
    // every connection has closed.
    let all = u32::try_from(opts.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(opts.drain, slots.acquire_many(all)).await;
    Ok(())
}
