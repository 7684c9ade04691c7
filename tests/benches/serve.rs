//! `cargo bench -p sleuth-e2e --bench serve`
//!
//! Issue 6's load targets, against the real `sleuth serve` (release build) on 127.0.0.1 with
//! the offline policy on the demo workspace and the fake Slack Web API:
//! - sustained `POST /v1/ask` throughput and p50/p99 latency with 32 concurrent clients;
//! - Slack event acknowledgement latency (p99 target < 50 ms) while those answers are computed;
//! - resident memory after 10,000 requests, each opening a new conversation, against the
//!   conversation store's bound.
//!
//! Every request goes to loopback only, and every loop is bounded in count.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use sleuth_e2e::Sandbox;
use sleuth_e2e::server::Server;
use sleuth_e2e::slack::{BOT_TOKEN, FakeSlack, SIGNING_SECRET, envelope, mention, now, sign};

const CLIENTS: usize = 32;
const LOAD_REQUESTS: usize = 3_000;
const TOTAL_REQUESTS: usize = 10_000;
const EVENTS: usize = 200;
const MAX_CONVERSATIONS: usize = 1_000;

const QUESTIONS: &[&str] = &[
    "why are grafana and prometheus unreachable?",
    "what does the notifications service do?",
    "why is the notifications deployment failing?",
    "which database does orders use?",
    "how do I check memory on the ops nodes?",
];

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `n` asks from `CLIENTS` clients; returns (latencies in ms, wall time).
async fn load(client: &reqwest::Client, url: &str, n: usize) -> (Vec<f64>, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let (client, url, next) = (client.clone(), url.to_string(), next.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return lat;
                }
                let t = Instant::now();
                let r = client
                    .post(format!("{url}/v1/ask"))
                    .header("x-sleuth-user", format!("client-{c}"))
                    .json(&json!({"question": QUESTIONS[i % QUESTIONS.len()]}))
                    .send()
                    .await
                    .expect("request");
                assert!(r.status().is_success(), "{}", r.status());
                let _ = r.bytes().await;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        });
    }
    let mut all = Vec::new();
    while let Some(l) = set.join_next().await {
        all.extend(l.expect("client"));
    }
    all.sort_by(f64::total_cmp);
    (all, started.elapsed())
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let slack = FakeSlack::start().await;
        let s = Sandbox::new();
        let data = s.path().join("conversations").display().to_string();
        let max = MAX_CONVERSATIONS.to_string();
        let server = Server::start(
            &s,
            &["--data-dir", &data, "--max-conversations", &max, "--max-concurrent", "32", "--max-per-user", "4"],
            &[
                ("SLACK_SIGNING_SECRET", SIGNING_SECRET.into()),
                ("SLACK_BOT_TOKEN", BOT_TOKEN.into()),
                ("SLACK_API_URL", slack.api_url()),
            ],
        );
        let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).timeout(Duration::from_secs(120)).build().unwrap();
        let url = server.url.clone();
        let (_, _) = load(&client, &url, 100).await;
        let rss_start = rss_kib(server.pid(), "VmRSS:");

        // Slack events arrive while the API load runs: each is acknowledged, then answered.
        let acks = tokio::spawn({
            let client = client.clone();
            let url = url.clone();
            async move {
                let mut lat = Vec::new();
                tokio::time::sleep(Duration::from_millis(300)).await;
                for i in 0..EVENTS {
                    let ts = format!("1763990000.{i:06}");
                    let body = envelope(&format!("EvLoad{i}"), mention(QUESTIONS[i % QUESTIONS.len()], &ts, None)).to_string();
                    let t = now();
                    let started = Instant::now();
                    let r = client
                        .post(format!("{url}/slack/events"))
                        .header("content-type", "application/json")
                        .header("x-slack-request-timestamp", t.to_string())
                        .header("x-slack-signature", sign(SIGNING_SECRET, t, body.as_bytes()))
                        .body(body)
                        .send()
                        .await
                        .expect("event");
                    assert_eq!(r.status(), 200);
                    lat.push(started.elapsed().as_secs_f64() * 1000.0);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                lat.sort_by(f64::total_cmp);
                lat
            }
        });
        let (lat, wall) = load(&client, &url, LOAD_REQUESTS).await;
        let acks = acks.await.unwrap();
        let rss_after_load = rss_kib(server.pid(), "VmRSS:");
        let posts = slack.wait_posts(EVENTS).await.len();

        // Up to 10,000 requests in all, each a new conversation.
        let rest = TOTAL_REQUESTS - LOAD_REQUESTS - 100;
        let (lat2, wall2) = load(&client, &url, rest).await;
        let rss_end = rss_kib(server.pid(), "VmRSS:");
        let hwm = rss_kib(server.pid(), "VmHWM:");
        let files = std::fs::read_dir(&data).unwrap().count();

        println!("| measure | result | target |");
        println!("|---|---|---|");
        println!(
            "| `/v1/ask`, {CLIENTS} concurrent clients, {LOAD_REQUESTS} requests | **{:.0} req/s**; p50 **{:.1} ms**, p99 **{:.1} ms**, max {:.1} ms | (report) |",
            LOAD_REQUESTS as f64 / wall.as_secs_f64(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat[lat.len() - 1]
        );
        println!(
            "| Slack event ack while those answers run ({EVENTS} events) | p50 **{:.2} ms**, p99 **{:.2} ms**, max {:.2} ms; {posts} answers posted | p99 < 50 ms |",
            pct(&acks, 0.5),
            pct(&acks, 0.99),
            acks[acks.len() - 1]
        );
        println!(
            "| next {rest} requests | {:.0} req/s; p50 {:.1} ms, p99 {:.1} ms | (report) |",
            rest as f64 / wall2.as_secs_f64(),
            pct(&lat2, 0.5),
            pct(&lat2, 0.99)
        );
        println!(
            "| resident memory: after warm-up / after {} requests / after {TOTAL_REQUESTS} | {} MiB / {} MiB / **{} MiB** (peak {} MiB) | no growth beyond the store's bound |",
            LOAD_REQUESTS + 100,
            rss_start / 1024,
            rss_after_load / 1024,
            rss_end / 1024,
            hwm / 1024
        );
        println!("| conversations on disk after {TOTAL_REQUESTS} requests | {files} (bound {MAX_CONVERSATIONS}, swept every 32 saves) | ≤ bound + 32 |");
    });
}
