//! Completion webhooks: a signed JSON POST to an allow-listed host, retried
//! with exponential backoff.
//!
//! The request is plain HTTP/1.1 over a TCP connection. TLS is not spoken
//! here: point webhooks at a local forward proxy or a receiver on the same
//! network, and let the proxy terminate TLS (README, "Webhooks").
//!
//! # Signature
//! `Prepbook-Signature: t=UNIX_SECONDS,v1=HEX` where `HEX` is
//! HMAC-SHA256 over `"{t}.{body}"` with the shared secret. Receivers
//! recompute it, compare in constant time and reject old `t` values to
//! stop replays.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Webhook settings.
#[derive(Debug, Clone, Default)]
pub struct WebhookOptions {
    /// URL to notify when a job finishes, unless the submission names one
    /// (`Prepbook-Webhook-Url` header). Its host is allowed implicitly.
    pub default_url: Option<String>,
    /// Where webhooks may be sent: `http://host:port`, `host:port`, or
    /// `host` (port 80 only).
    pub allow_hosts: Vec<String>,
    /// The HMAC-SHA256 key; webhooks are only sent when it is set.
    pub secret: Option<String>,
    /// Delivery attempts before giving up (default 5 when zero).
    pub attempts: u32,
    /// Delay before the second attempt; doubles each time (default 1 s when
    /// zero).
    pub retry_base: Duration,
}

/// A parsed `http://host:port/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
}

/// Parses a webhook URL; only `http://` is accepted (TLS ends at a proxy).
pub(crate) fn parse_url(url: &str) -> Result<Target, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        "expected an http:// URL (TLS is terminated by a proxy in front of the receiver)"
            .to_string()
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err("expected a host in the URL (and no user info)".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            (h, p.parse::<u16>().map_err(|_| format!("invalid port {p:?}"))?)
        }
        _ => (authority, 80),
    };
    if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("the URL path contains spaces or control characters".into());
    }
    Ok(Target { host: host.to_ascii_lowercase(), port, path: path.to_string() })
}

impl WebhookOptions {
    /// Whether webhooks may go to `url`: an http URL whose scheme, host
    /// and port an allow-list entry names, or the configured default URL.
    /// An entry is `http://host:port`, `host:port`, or `host` for port 80
    /// only: a host-only entry never opens the host's other ports (an
    /// admin interface on :8081, say) to whoever submits jobs.
    pub(crate) fn check(&self, url: &str) -> Result<(), String> {
        let t = parse_url(url)?;
        if self.default_url.as_deref() == Some(url) {
            return Ok(());
        }
        let allowed = self.allow_hosts.iter().any(|entry| {
            let entry = entry.trim();
            let as_url = if entry.contains("://") {
                entry.to_string()
            } else {
                format!("http://{entry}")
            };
            parse_url(&as_url).is_ok_and(|a| a.host == t.host && a.port == t.port)
        });
        if allowed {
            Ok(())
        } else {
            Err(format!("http://{}:{} is not on the webhook allow-list", t.host, t.port))
        }
    }
}

/// The signature header's value for `body` at time `t`.
pub(crate) fn sign(secret: &str, t: u64, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("hmac takes any key length"));
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts `body` once; Ok when the receiver answered 2xx.
pub(crate) async fn post_once(
    url: &str,
    secret: &str,
    event: &str,
    delivery: &str,
    body: &str,
) -> Result<u16, String> {
    let t = parse_url(url)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let host =
        if t.port == 80 { t.host.clone() } else { format!("{}:{}", t.host, t.port) };
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: prepbook\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         Prepbook-Event: {event}\r\nPrepbook-Delivery: {delivery}\r\n\
         Prepbook-Signature: {}\r\nConnection: close\r\n\r\n{body}",
        t.path,
        body.len(),
        sign(secret, now, body),
    );
    let exchange = async {
        let addr = (t.host.trim_start_matches('[').trim_end_matches(']'), t.port);
        let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        // The status line is all we need; read a little and stop.
        let mut head = vec![0u8; 512];
        let mut len = 0;
        while len < 12 {
            let n = stream.read(&mut head[len..]).await.map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            len += n;
        }
        let line = String::from_utf8_lossy(&head[..len]);
        let code = line
            .strip_prefix("HTTP/1.")
            .and_then(|r| r.get(2..5))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| "the receiver did not answer HTTP".to_string())?;
        Ok::<u16, String>(code)
    };
    let code = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| "timed out after 10 s".to_string())??;
    if (200..300).contains(&code) { Ok(code) } else { Err(format!("answered {code}")) }
}

/// Delivers with retries and backoff; returns whether it was delivered.
pub(crate) async fn deliver(
    opts: &WebhookOptions,
    url: &str,
    event: &str,
    delivery: &str,
    body: &str,
) -> bool {
    let Some(secret) = opts.secret.as_deref() else { return false };
    if let Err(e) = opts.check(url) {
        tracing::warn!(url, error = %e, "webhook refused");
        return false;
    }
    let attempts = if opts.attempts == 0 { 5 } else { opts.attempts };
    let base =
        if opts.retry_base.is_zero() { Duration::from_secs(1) } else { opts.retry_base };
    for attempt in 1..=attempts {
        match post_once(url, secret, event, delivery, body).await {
            Ok(_) => return true,
            Err(e) => {
                tracing::warn!(url, attempt, error = %e, "webhook delivery failed");
                if attempt < attempts {
                    tokio::time::sleep(super::queue::backoff(attempt, base)).await;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn urls_and_the_allow_list() {
        let t = parse_url("http://Hooks.Example:8080/a/b?c=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("hooks.example", 8080, "/a/b?c=1")
        );
        assert_eq!(parse_url("http://h").unwrap().path, "/");
        assert!(parse_url("https://h/x").is_err());
        assert!(parse_url("http://user@h/x").is_err());
        let opts = WebhookOptions {
            allow_hosts: vec![
                "hooks.example".into(),
                "127.0.0.1:9000".into(),
                "http://Other.Example:8443".into(),
                "https://tls.example".into(),
            ],
            ..Default::default()
        };
        assert!(opts.check("http://hooks.example/x").is_ok());
        assert!(opts.check("http://hooks.example:80/x").is_ok());
        assert!(opts.check("http://127.0.0.1:9000/x").is_ok());
        assert!(opts.check("http://other.example:8443/x").is_ok());
        // Issue 14: a host-only entry is port 80, not every port.
        assert!(opts.check("http://hooks.example:8081/x").is_err());
        assert!(opts.check("http://127.0.0.1:9001/x").is_err());
        assert!(opts.check("http://other.example/x").is_err());
        assert!(opts.check("http://evil.example/x").is_err());
        // Only http is sent (TLS ends at a proxy): an https entry allows nothing.
        assert!(opts.check("http://tls.example/x").is_err());
    }

    #[test]
    fn signature_is_hmac_sha256_of_time_and_body() {
        // Computed independently with
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            sign("secret", 1_700_000_000, "{\"a\":1}"),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }

    #[tokio::test]
    async fn delivery_retries_until_the_receiver_accepts() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let mut requests = Vec::new();
            for status in ["503 Service Unavailable", "204 No Content"] {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let mut len = 0;
                // Read until the whole body has arrived.
                loop {
                    let n = s.read(&mut buf[len..]).await.unwrap();
                    len += n;
                    let text = String::from_utf8_lossy(&buf[..len]).to_string();
                    if let Some(i) = text.find("\r\n\r\n") {
                        let cl: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .unwrap()
                            .parse()
                            .unwrap();
                        if len >= i + 4 + cl || n == 0 {
                            requests.push(text);
                            break;
                        }
                    }
                }
                s.write_all(format!("HTTP/1.1 {status}\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
            }
            requests
        });
        let opts = WebhookOptions {
            allow_hosts: vec![format!("127.0.0.1:{port}")],
            secret: Some("s3cret".into()),
            attempts: 3,
            retry_base: Duration::from_millis(20),
            ..Default::default()
        };
        let url = format!("http://127.0.0.1:{port}/hook");
        assert!(
            deliver(&opts, &url, "playbook.succeeded", "job-1", "{\"id\":\"job-1\"}")
                .await
        );
        let requests = server.await.unwrap();
        assert_eq!(requests.len(), 2);
        let req = &requests[1];
        assert!(req.starts_with("POST /hook HTTP/1.1\r\n"));
        assert!(req.ends_with("{\"id\":\"job-1\"}"));
        let sig =
            req.lines().find_map(|l| l.strip_prefix("Prepbook-Signature: ")).unwrap();
        let t: u64 = sig[2..sig.find(',').unwrap()].parse().unwrap();
        assert_eq!(sig, sign("s3cret", t, "{\"id\":\"job-1\"}"));
        // Without a secret nothing is sent.
        let unsigned = WebhookOptions { secret: None, ..opts };
        assert!(!deliver(&unsigned, &url, "e", "d", "{}").await);
    }
}
