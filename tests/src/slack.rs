//! A faithful stand-in for Slack (which cannot be reached here): its Web API over real HTTP on
//! 127.0.0.1 — `POST /api/chat.postMessage` with bearer-token auth, answering `{"ok": true, …}`,
//! `{"ok": false, "error": …}` or 429 with `Retry-After` as scripted — slash-command
//! `response_url`s, and `url_private` file downloads that require the bot token. It records
//! every call so tests can check what the bot sent. It also signs requests the way Slack does,
//! so tests can play Slack's side of the Events API.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The bot token the fake accepts.
pub const BOT_TOKEN: &str = "xoxb-test-token";
/// The signing secret tests sign with.
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// How the next `chat.postMessage` call is answered.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 429 with this `Retry-After` (seconds).
    RateLimit(u64),
    /// `{"ok": false, "error": …}`.
    Fail(&'static str),
}

/// One recorded `chat.postMessage`.
#[derive(Debug, Clone)]
pub struct Post {
    /// The `Authorization` header.
    pub auth: String,
    /// The JSON body.
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    posts: Mutex<Vec<Post>>,
    refused: Mutex<usize>,
    responses: Mutex<Vec<Value>>,
    script: Mutex<VecDeque<Behaviour>>,
    files: Mutex<HashMap<String, String>>,
    downloads: Mutex<Vec<String>>,
}

/// A running fake Slack.
pub struct FakeSlack {
    /// Its address.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn post_message(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if auth != format!("Bearer {BOT_TOKEN}") {
        return axum::Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return axum::Json(json!({"ok": false, "error": "invalid_json"})).into_response();
    };
    let next = inner.script.lock().unwrap().pop_front();
    match next {
        Some(Behaviour::RateLimit(secs)) => {
            *inner.refused.lock().unwrap() += 1;
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response()
        }
        Some(Behaviour::Fail(error)) => {
            *inner.refused.lock().unwrap() += 1;
            axum::Json(json!({"ok": false, "error": error})).into_response()
        }
        None => {
            let channel = body["channel"].clone();
            inner.posts.lock().unwrap().push(Post { auth, body });
            axum::Json(json!({"ok": true, "channel": channel, "ts": "1763900000.000200"})).into_response()
        }
    }
}

async fn response_url(State(inner): State<Arc<Inner>>, body: axum::body::Bytes) -> StatusCode {
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        inner.responses.lock().unwrap().push(v);
    }
    StatusCode::OK
}

async fn file(State(inner): State<Arc<Inner>>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if auth != format!("Bearer {BOT_TOKEN}") {
        // Slack serves a login page to requests without the token.
        return (StatusCode::FOUND, [("location", "https://slack.com/signin")]).into_response();
    }
    inner.downloads.lock().unwrap().push(name.clone());
    match inner.files.lock().unwrap().get(&name) {
        Some(text) => text.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl FakeSlack {
    /// Starts the server.
    pub async fn start() -> FakeSlack {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/api/chat.postMessage", post(post_message))
            .route("/response/{id}", post(response_url))
            .route("/files/{name}", get(file))
            .with_state(inner.clone());
        let (addr, shutdown) = crate::serve(app).await;
        FakeSlack { addr, inner, _shutdown: shutdown }
    }

    /// `SLACK_API_URL` for the bot.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// A `response_url` for a slash command.
    pub fn response_url(&self, id: &str) -> String {
        format!("http://{}/response/{id}", self.addr)
    }

    /// Serves a file at a `url_private` URL, which it returns.
    pub fn add_file(&self, name: &str, text: &str) -> String {
        self.inner.files.lock().unwrap().insert(name.into(), text.into());
        format!("http://{}/files/{name}", self.addr)
    }

    /// Answers the next `chat.postMessage` calls as scripted, then normally.
    pub fn script(&self, behaviours: Vec<Behaviour>) {
        self.inner.script.lock().unwrap().extend(behaviours);
    }

    /// Messages posted so far.
    pub fn posts(&self) -> Vec<Post> {
        self.inner.posts.lock().unwrap().clone()
    }

    /// Calls answered with 429 or `ok: false`.
    pub fn refused(&self) -> usize {
        *self.inner.refused.lock().unwrap()
    }

    /// Bodies sent to response URLs.
    pub fn responses(&self) -> Vec<Value> {
        self.inner.responses.lock().unwrap().clone()
    }

    /// Files downloaded (with the token).
    pub fn downloads(&self) -> Vec<String> {
        self.inner.downloads.lock().unwrap().clone()
    }

    /// Waits (up to a minute) until at least `n` messages were posted.
    pub async fn wait_posts(&self, n: usize) -> Vec<Post> {
        for _ in 0..600 {
            let p = self.posts();
            if p.len() >= n {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} posts, got {:?}", self.posts());
    }

    /// Waits (up to a minute) until at least `n` responses arrived.
    pub async fn wait_responses(&self, n: usize) -> Vec<Value> {
        for _ in 0..600 {
            let r = self.responses();
            if r.len() >= n {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} responses, got {:?}", self.responses());
    }
}

/// Slack's v0 signature of a body at a timestamp.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().cast_signed()
}

/// An `event_callback` envelope around `event`.
pub fn envelope(event_id: &str, event: Value) -> Value {
    let mut v = json!({
        "token": "legacy-verification-token", "team_id": "T0PINECART", "api_app_id": "A0SLEUTH",
        "type": "event_callback", "event_id": event_id, "event_time": now(),
        "authorizations": [{"team_id": "T0PINECART", "user_id": "U0SLEUTH", "is_bot": true}],
    });
    v["event"] = event;
    v
}

/// An `app_mention` in a channel (a thread reply when `thread_ts` is given).
pub fn mention(text: &str, ts: &str, thread_ts: Option<&str>) -> Value {
    let mut e = json!({"type": "app_mention", "user": "U0ALICE", "text": format!("<@U0SLEUTH> {text}"), "ts": ts, "channel": "C0INCIDENT", "event_ts": ts});
    if let Some(t) = thread_ts {
        e["thread_ts"] = json!(t);
    }
    e
}
