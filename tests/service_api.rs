//! The HTTP API through the router, without a socket (`oneshot`), over a
//! SQLite queue in a temporary directory, with in-process workers where a
//! job must actually render.

mod service_util;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use prepbook::service::{ServeOptions, Service, Shutdown, WebhookOptions, WorkerOptions};
use serde_json::{Value, json};
use service_util::{files, order, wait_for};
use tower::ServiceExt;

struct Api {
    svc: Service,
    dir: tempfile::TempDir,
}

async fn api(tokens: &[&str], tune: impl FnOnce(&mut ServeOptions)) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = ServeOptions {
        tokens: tokens.iter().map(|t| t.to_string()).collect(),
        worker: WorkerOptions {
            db: format!("sqlite:{}", dir.path().join("q.db").display()),
            storage: dir.path().join("playbooks"),
            workers: 1,
            poll: Duration::from_millis(100),
            ..WorkerOptions::default()
        },
        ..ServeOptions::default()
    };
    tune(&mut opts);
    Api { svc: Service::open(&opts).await.unwrap(), dir }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!("not JSON: {}", String::from_utf8_lossy(&self.body))
        })
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

impl Api {
    async fn call(&self, mut req: Request<Body>) -> Answer {
        // As every HTTP/1.1 client sends it (the loopback mode checks it).
        if !req.headers().contains_key("host") {
            req.headers_mut().insert("host", "127.0.0.1:8080".parse().unwrap());
        }
        let res = self.svc.router().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body =
            axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec();
        Answer { status, headers, body }
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Request::get(path).body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, body: impl Into<Body>) -> Answer {
        self.call(Request::post(path).body(body.into()).unwrap()).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_valid_token_answer_401_except_probes() {
    let api = api(&["s3cret", "other"], |_| {}).await;
    for (path, auth) in [
        ("/v1/playbooks/abc", None),
        ("/v1/playbooks/abc", Some("Bearer wrong")),
        ("/v1/playbooks/abc", Some("s3cret")),
        ("/v1/playbooks/abc/pdf", Some("Basic s3cret")),
    ] {
        let mut req = Request::get(path);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = api.call(req.body(Body::empty()).unwrap()).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path} with {auth:?}");
        assert_eq!(res.header("www-authenticate"), "Bearer");
    }
    let res = api.post("/v1/render", serde_json::to_vec(&order(1)).unwrap()).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Either configured token works.
    for token in ["s3cret", "other"] {
        let req = Request::get("/v1/playbooks/0123456789abcdef")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(api.call(req).await.status, StatusCode::NOT_FOUND);
    }
    // Probes, metrics and the OpenAPI document need no token.
    let health = api.get("/healthz").await;
    assert_eq!(
        (health.status, health.json()["status"].clone()),
        (StatusCode::OK, json!("ok"))
    );
    let ready = api.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["queue"], "sqlite");
    let metrics = api.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(metrics.body).unwrap();
    for family in [
        "prepbook_jobs{state=\"queued\"} 0",
        "prepbook_queue_depth 0",
        "prepbook_up 1",
        "# TYPE prepbook_render_seconds histogram",
        "# TYPE process_resident_memory_bytes gauge",
    ] {
        assert!(text.contains(family), "metrics lack {family}:\n{text}");
    }
    let doc = api.get("/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // What is served is the generated document (schemas/openapi.json).
    assert_eq!(doc, prepbook::service::openapi());
    assert!(
        doc["components"]["schemas"]["Order"]["properties"]["protection"].is_object()
    );
    for path in [
        "/v1/playbooks",
        "/v1/playbooks/{id}",
        "/v1/playbooks/{id}/pdf",
        "/v1/playbooks/{id}/pages/{n}.png",
        "/v1/render",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi lacks {path}");
    }
}

/// A request as `token` makes it.
fn as_owner(
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let body =
        body.map_or_else(Body::empty, |b| Body::from(serde_json::to_vec(b).unwrap()));
    req.body(body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_and_idempotency_keys_belong_to_the_token_that_made_them() {
    // Issue 14: `name:token` entries name owners; another owner's job is
    // a job that does not exist, and keys are unique per owner.
    let api =
        api(&["alice:tok-a", "bob:tok-b", "bare-token"], |o| o.worker.workers = 0).await;
    let a = api
        .call(as_owner("POST", "/v1/playbooks", "tok-a", Some("k1"), Some(&order(1))))
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_string();
    for path in [
        format!("/v1/playbooks/{id}"),
        format!("/v1/playbooks/{id}/pdf"),
        format!("/v1/playbooks/{id}/pages/1.png"),
    ] {
        for other in ["tok-b", "bare-token"] {
            let res = api.call(as_owner("GET", &path, other, None, None)).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path} as {other}");
            assert!(!String::from_utf8_lossy(&res.body).contains("webhook"));
        }
    }
    let mine = api
        .call(as_owner("GET", &format!("/v1/playbooks/{id}"), "tok-a", None, None))
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    // Bob's "k1" is his own key: a new job, neither a replay of Alice's
    // nor a conflict with it.
    let b = api
        .call(as_owner("POST", "/v1/playbooks", "tok-b", Some("k1"), Some(&order(2))))
        .await;
    assert_eq!(b.status, StatusCode::ACCEPTED);
    assert_eq!(b.header("idempotent-replayed"), "");
    assert_ne!(b.json()["id"], a.json()["id"]);
    // Alice's retry of her own request is a replay.
    let again = api
        .call(as_owner("POST", "/v1/playbooks", "tok-a", Some("k1"), Some(&order(1))))
        .await;
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json()["id"], a.json()["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_with_a_full_backlog_gets_429_and_others_go_on() {
    // Issue 14: a bounded queue per token, checked before the body is read.
    let api = api(&["alice:tok-a", "bob:tok-b"], |o| o.max_pending_per_owner = 2).await;
    for n in 0..2 {
        let res = api
            .call(as_owner("POST", "/v1/playbooks", "tok-a", None, Some(&order(n))))
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED);
    }
    let full =
        api.call(as_owner("POST", "/v1/playbooks", "tok-a", None, Some(&order(3)))).await;
    assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(full.header("retry-after"), "30");
    assert!(full.json()["error"]["message"].as_str().unwrap().contains("2 unfinished"));
    let bob =
        api.call(as_owner("POST", "/v1/playbooks", "tok-b", None, Some(&order(4)))).await;
    assert_eq!(bob.status, StatusCode::ACCEPTED, "another token is not held up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_tokens_only_localhost_hosts_and_origins_are_served() {
    // Issue 14: loopback mode must not be drivable by a web page through
    // DNS rebinding (foreign Host) or a cross-site request (foreign Origin).
    let api = api(&[], |o| o.worker.workers = 0).await;
    let get = |host: &str, origin: Option<&str>| {
        let mut req = Request::get("/v1/playbooks/0123456789abcdef").header("host", host);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.body(Body::empty()).unwrap()
    };
    for (host, origin) in [
        ("127.0.0.1:8080", None),
        ("localhost:8080", Some("http://localhost:8080")),
        ("[::1]:8080", Some("http://127.0.0.1:3000")),
    ] {
        let res = api.call(get(host, origin)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{host} {origin:?}");
    }
    for (host, origin) in [
        ("attacker.example:8080", None),
        ("127.0.0.1.attacker.example", None),
        ("127.0.0.1:8080", Some("https://attacker.example")),
        ("127.0.0.1:8080", Some("null")),
    ] {
        let res = api.call(get(host, origin)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{host} {origin:?}");
    }
    // Probes stay open for load balancers and orchestrators.
    let health = api
        .call(
            Request::get("/healthz")
                .header("host", "10.0.0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_orders_answer_422_with_the_cli_diagnostics() {
    let api = api(&[], |_| {}).await;
    let diagnostics = |a: &Answer| -> Vec<(String, String)> {
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json());
        assert_eq!(a.json()["error"]["kind"], "invalidinput");
        a.json()["error"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["path"].as_str().unwrap_or("").to_string(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for path in ["/v1/playbooks", "/v1/render"] {
        // Field errors are collected, each with its JSON path.
        let mut bad = order(1);
        bad["target"]["role"] = json!("ceo");
        bad["target"]["interview_date"] = json!("2026-13-40");
        bad["target"]["hours_per_week"] = json!(500);
        let d = diagnostics(&api.post(path, bad.to_string()).await);
        let paths: Vec<&str> = d.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"target.role"), "{d:?}");
        assert!(paths.contains(&"target.interview_date"), "{d:?}");
        assert!(paths.contains(&"target.hours_per_week"), "{d:?}");
        assert!(d.iter().any(|(_, m)| m.contains("known roles")), "{d:?}");

        // The service never reads files a caller names.
        let mut by_path = order(1);
        by_path["resume"] = json!({"path": "/etc/passwd"});
        let d = diagnostics(&api.post(path, by_path.to_string()).await);
        assert_eq!(d[0].0, "resume.path");
        assert!(d[0].1.contains("not accepted"), "{d:?}");

        // Fields over their limits, all named with the limit (issue 14: a
        // 400,000-character name took this service to ~5 GB).
        let mut big = order(1);
        big["resume"]["basics"]["name"] = json!("N".repeat(400_000));
        big["job"] = json!("x".repeat(60_001));
        let d = diagnostics(&api.post(path, big.to_string()).await);
        let name = (
            "resume.basics.name".to_string(),
            "at most 300 characters, found 400000".to_string(),
        );
        let job =
            ("job".to_string(), "at most 60000 characters, found 60001".to_string());
        assert!(d.contains(&name) && d.contains(&job), "{d:?}");

        // A lone surrogate in the job is refused, not dropped (issue 14).
        let lone = order(1).to_string().replace("Software Engineer", "Software \\ud800");
        let a = api.post(path, lone).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json());
        assert!(a.json()["error"]["message"].as_str().unwrap().contains("hex escape"));

        // Malformed JSON: line and column.
        let a = api.post(path, "{\n  \"order_id\": \"x\",\n  oops\n}").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        let d = &a.json()["error"]["diagnostics"][0];
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(3)), "{d}");

        // Unknown company: found by the packs, still before any job exists.
        let mut unknown = order(1);
        unknown["target"]["company"] = json!("initech");
        let a = api.post(path, unknown.to_string()).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json());
        assert!(a.json()["error"]["message"].as_str().unwrap().contains("initech"));
    }
    let stats = api.get("/metrics").await;
    let text = String::from_utf8(stats.body).unwrap();
    assert!(text.contains("prepbook_jobs{state=\"queued\"} 0"), "no job was created");

    // Bodies over the limit are refused before they are read.
    let api = api_small_limit().await;
    let a = api.post("/v1/playbooks", vec![b' '; 2048]).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn api_small_limit() -> Api {
    api(&[], |o| o.body_limit = 1024).await
}

/// A webhook receiver on loopback that answers 200 and hands back the
/// requests it got.
async fn webhook_receiver() -> (u16, tokio::sync::mpsc::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = s.read(&mut chunk).await.unwrap_or(0);
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                let done = text.find("\r\n\r\n").is_some_and(|i| {
                    let cl: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    buf.len() >= i + 4 + cl
                });
                if done || n == 0 {
                    break;
                }
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await;
            let _ = tx.send(String::from_utf8_lossy(&buf).to_string()).await;
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_playbook_is_queued_rendered_and_served() {
    let (hook_port, mut hooks) = webhook_receiver().await;
    let api = api(&[], |o| {
        o.worker.webhook = WebhookOptions {
            allow_hosts: vec![format!("127.0.0.1:{hook_port}")],
            secret: Some("hook-secret".into()),
            ..Default::default()
        };
    })
    .await;
    let body = order(7).to_string();
    let submit = |key: &str, body: String| {
        Request::post("/v1/playbooks")
            .header("idempotency-key", key)
            .header("prepbook-webhook-url", format!("http://127.0.0.1:{hook_port}/done"))
            .body(Body::from(body))
            .unwrap()
    };
    let a = api.call(submit("key-1", body.clone())).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.json());
    let id = a.json()["id"].as_str().unwrap().to_string();
    assert_eq!(a.json()["status"], "queued");
    assert_eq!(a.header("location"), format!("/v1/playbooks/{id}"));

    // Same key and body: the same job. Same key, other body: 409.
    let again = api.call(submit("key-1", body.clone())).await;
    assert_eq!(
        (again.status, again.json()["id"].as_str()),
        (StatusCode::ACCEPTED, Some(&*id))
    );
    assert_eq!(again.header("idempotent-replayed"), "true");
    let other = api.call(submit("key-1", order(8).to_string())).await;
    assert_eq!(other.status, StatusCode::CONFLICT);

    // A webhook host off the allow-list is refused up front.
    let off_list = Request::post("/v1/playbooks")
        .header("prepbook-webhook-url", "http://198.51.100.7/hook")
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(api.call(off_list).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Before any worker runs: queued, and no PDF yet.
    let status = api.get(&format!("/v1/playbooks/{id}")).await.json();
    assert_eq!(
        (status["status"].as_str(), status["attempts"].as_u64()),
        (Some("queued"), Some(0))
    );
    let early = api.get(&format!("/v1/playbooks/{id}/pdf")).await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    assert!(early.json()["error"]["message"].as_str().unwrap().contains("queued"));
    assert_eq!(api.get(&format!("/v1/playbooks/{id}/pages/1.png")).await.status, 404);

    let shutdown = Shutdown::new();
    let workers = api.svc.spawn_workers(shutdown.clone());
    let done = wait_for(Duration::from_secs(120), "the job to finish", || async {
        let s = api.get(&format!("/v1/playbooks/{id}")).await.json();
        (s["status"] == "succeeded" || s["status"] == "failed").then_some(s)
    })
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 1);
    assert!(done["pages"].as_u64().unwrap() >= 50);
    assert!(done["fit_score"].as_u64().is_some());
    assert!(done["error"].is_null());
    for t in ["layout", "pdf", "render", "claim", "claim_to_render", "queued"] {
        assert!(done["timings_ms"][t].is_number(), "timings lack {t}: {done}");
    }
    assert!(
        done["finished_at"].as_str().unwrap() >= done["started_at"].as_str().unwrap()
    );

    let pdf = api.get(&format!("/v1/playbooks/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert_eq!(pdf.body.len() as u64, done["bytes"].as_u64().unwrap());
    let etag = pdf.header("etag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let cached = api
        .call(
            Request::get(format!("/v1/playbooks/{id}/pdf"))
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    // One file under the deterministic key ORDER_ID/JOB_ID.pdf.
    let stored = files(&api.dir.path().join("playbooks"));
    assert_eq!(stored, vec![format!("T-0007/{id}.pdf")]);

    // Page previews: PNG, cached; a page past the last or a bad scale is
    // an invalid request (422 with its diagnostic), not a server fault.
    let png = api.get(&format!("/v1/playbooks/{id}/pages/2.png?scale=0.5")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.header("content-type"), "image/png");
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes(png.body[16..20].try_into().unwrap());
    assert!((250..=350).contains(&width), "a half-scale A4/letter page, got {width}px");
    let again = api.get(&format!("/v1/playbooks/{id}/pages/2.png?scale=0.5")).await;
    assert_eq!(again.body, png.body);
    let past =
        format!("/v1/playbooks/{id}/pages/{}.png", done["pages"].as_u64().unwrap() + 1);
    let past = api.get(&past).await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", past.json());
    assert_eq!(past.json()["error"]["diagnostics"][0]["path"], "page");
    let huge = api.get(&format!("/v1/playbooks/{id}/pages/2.png?scale=9")).await;
    assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", huge.json());
    assert_eq!(huge.json()["error"]["diagnostics"][0]["path"], "scale");
    // Issue 14: scales are a fixed set, so near-identical values cannot
    // each be rendered and stored.
    let odd = api.get(&format!("/v1/playbooks/{id}/pages/2.png?scale=0.5001")).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The signed completion webhook.
    let hook = tokio::time::timeout(Duration::from_secs(10), hooks.recv())
        .await
        .expect("webhook arrives")
        .unwrap();
    assert!(hook.starts_with("POST /done HTTP/1.1\r\n"), "{hook}");
    assert!(hook.contains("Prepbook-Event: playbook.succeeded\r\n"));
    let (head, payload) = hook.split_once("\r\n\r\n").unwrap();
    let sig = head.lines().find_map(|l| l.strip_prefix("Prepbook-Signature: ")).unwrap();
    let (t, mac) = sig.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let expected = {
        use hmac::Mac;
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"hook-secret").unwrap();
        m.update(format!("{t}.{payload}").as_bytes());
        hex::encode(m.finalize().into_bytes())
    };
    assert_eq!(mac, expected);
    let payload: Value = serde_json::from_str(payload).unwrap();
    assert_eq!(
        (payload["id"].as_str(), payload["status"].as_str()),
        (Some(&*id), Some("succeeded"))
    );

    let metrics = String::from_utf8(api.get("/metrics").await.body).unwrap();
    assert!(metrics.contains("prepbook_jobs{state=\"succeeded\"} 1"), "{metrics}");
    assert!(
        metrics.contains("prepbook_render_seconds_count{kind=\"job\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("prepbook_attempts_total{outcome=\"succeeded\"} 1"));
    assert!(metrics.contains("prepbook_webhooks_total{result=\"delivered\"} 1"));

    // Issue 14: a candidate's data is removed on request: the job, its
    // order document, the PDF and the cached previews.
    let storage = api.dir.path().join("playbooks");
    assert!(!files(&storage).is_empty());
    let delete =
        Request::delete(format!("/v1/playbooks/{id}")).body(Body::empty()).unwrap();
    assert_eq!(api.call(delete).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&format!("/v1/playbooks/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(&format!("/v1/playbooks/{id}/pdf")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(files(&storage).is_empty(), "left: {:?}", files(&storage));

    shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(10), workers).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_are_deleted_after_the_retention() {
    // Issue 14: `--retain-days`; here two seconds.
    let api = api(&[], |o| o.worker.retain = Some(Duration::from_secs(2))).await;
    let a = api.post("/v1/playbooks", order(9).to_string()).await;
    let id = a.json()["id"].as_str().unwrap().to_string();
    let shutdown = Shutdown::new();
    let workers = api.svc.spawn_workers(shutdown.clone());
    wait_for(Duration::from_secs(120), "the job to succeed", || async {
        let s = api.get(&format!("/v1/playbooks/{id}")).await.json();
        (s["status"] == "succeeded").then_some(())
    })
    .await;
    let storage = api.dir.path().join("playbooks");
    wait_for(Duration::from_secs(30), "the retention sweep", || async {
        let gone =
            api.get(&format!("/v1/playbooks/{id}")).await.status == StatusCode::NOT_FOUND;
        (gone && files(&storage).is_empty()).then_some(())
    })
    .await;
    shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(10), workers).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_render_returns_the_pdf_and_429_when_every_slot_is_busy() {
    let api = api(&["t"], |o| o.render_slots = 1).await;
    let req = || {
        Request::post("/v1/render")
            .header("authorization", "Bearer t")
            .body(Body::from(order(3).to_string()))
            .unwrap()
    };
    // Both requests reach the handler together; the first takes the only
    // slot, the second is turned away at once instead of queueing.
    let (a, b) = tokio::join!(api.call(req()), api.call(req()));
    let (ok, busy) = if a.status == StatusCode::OK { (a, b) } else { (b, a) };
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.header("content-type"), "application/pdf");
    assert!(ok.body.starts_with(b"%PDF-"));
    assert!(ok.header("prepbook-pages").parse::<u32>().unwrap() >= 50);
    assert_eq!(ok.header("prepbook-order-id"), "T-0003");
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.header("retry-after"), "1");
    // The slot is free again afterwards, and a retry succeeds.
    let again = api.call(req()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, ok.body, "same order, same bytes");
    let metrics = String::from_utf8(api.get("/metrics").await.body).unwrap();
    assert!(metrics.contains("prepbook_sync_rejected_total 1"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_fault_is_retried_with_backoff_and_then_succeeds() {
    let api = api(&[], |o| {
        o.worker.retry_base = Duration::from_millis(1500);
    })
    .await;
    // A file where the order's folder should be: writing the PDF fails.
    let storage = api.dir.path().join("playbooks");
    std::fs::write(storage.join("T-0009"), b"not a directory").unwrap();
    let a = api.post("/v1/playbooks", order(9).to_string()).await;
    let id = a.json()["id"].as_str().unwrap().to_string();
    let shutdown = Shutdown::new();
    let workers = api.svc.spawn_workers(shutdown.clone());
    let failed_once =
        wait_for(Duration::from_secs(60), "the first attempt to fail", || async {
            let s = api.get(&format!("/v1/playbooks/{id}")).await.json();
            (s["attempts"] == 1 && s["status"] == "queued" && !s["error"].is_null())
                .then_some(s)
        })
        .await;
    // Internal failures are reported by kind and stage, without detail.
    assert_eq!(failed_once["error"]["kind"], "io", "{failed_once}");
    assert_eq!(failed_once["error"]["stage"], "output");
    // Fix the fault during the backoff (at least 0.75 s).
    std::fs::remove_file(storage.join("T-0009")).unwrap();
    let done = wait_for(Duration::from_secs(60), "the retry", || async {
        let s = api.get(&format!("/v1/playbooks/{id}")).await.json();
        (s["status"] == "succeeded" || s["status"] == "failed").then_some(s)
    })
    .await;
    assert_eq!(
        (done["status"].as_str(), done["attempts"].as_u64()),
        (Some("succeeded"), Some(2))
    );
    assert!(done["error"].is_null());
    assert_eq!(files(&storage), vec![format!("T-0009/{id}.pdf")]);
    let metrics = String::from_utf8(api.get("/metrics").await.body).unwrap();
    assert!(
        metrics.contains("prepbook_attempts_total{outcome=\"retried\"} 1"),
        "{metrics}"
    );
    shutdown.trigger();
    workers.await.unwrap();
}
