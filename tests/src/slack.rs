//! A faithful stand-in for Slack (which cannot be reached here): its Web API over real HTTP on
//! 127.0.0.1 — `POST /api/chat.postMessage` with bearer-token auth, answering `{"ok": true, …}`,
//! `{"ok": false, "error": …}` or 429 with `Retry-After` as scripted — slash-command
//! `response_url`s, `url_private` file downloads that require the bot token, and the file
//! upload flow (`files.getUploadURLExternal` → the upload URL → `files.completeUploadExternal`,
//! form fields and errors as Slack's). It records
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

/// One file shared through the upload flow.
#[derive(Debug, Clone)]
pub struct Upload {
    /// `filename` given to `files.getUploadURLExternal`.
    pub filename: String,
    /// `title` given to `files.completeUploadExternal`.
    pub title: String,
    /// `alt_txt`.
    pub alt: String,
    /// The bytes sent to the upload URL.
    pub bytes: Vec<u8>,
    /// `channel_id`.
    pub channel: String,
    /// `thread_ts`.
    pub thread_ts: Option<String>,
}

/// An upload URL handed out, and what was sent to it.
#[derive(Debug, Clone, Default)]
struct Pending {
    filename: String,
    alt: String,
    length: usize,
    bytes: Option<Vec<u8>>,
}

#[derive(Default)]
struct Inner {
    pending: Mutex<HashMap<String, Pending>>,
    uploads: Mutex<Vec<Upload>>,
    upload_script: Mutex<VecDeque<&'static str>>,
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

/// The form fields of a Web API call made with the bot token; `None` without it.
fn bot_form(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    (bearer == Some(&format!("Bearer {BOT_TOKEN}")))
        .then(|| serde_urlencoded::from_bytes(body).unwrap_or_default())
}

fn slack_error(error: &str) -> Response {
    axum::Json(json!({"ok": false, "error": error})).into_response()
}

/// `files.getUploadURLExternal`: form fields `filename` and `length` (bytes) required,
/// `alt_txt` optional; answers an upload URL on the file host and a file id.
async fn get_upload_url(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(form) = bot_form(&headers, &body) else { return slack_error("invalid_auth") };
    if let Some(error) = inner.upload_script.lock().unwrap().pop_front() {
        return slack_error(error);
    }
    let (Some(filename), Some(length)) =
        (form.get("filename"), form.get("length").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0))
    else {
        return slack_error("invalid_arguments");
    };
    let mut pending = inner.pending.lock().unwrap();
    let id = format!("F{:08}", pending.len() + 1);
    pending.insert(
        id.clone(),
        Pending {
            filename: filename.clone(),
            alt: form.get("alt_txt").cloned().unwrap_or_default(),
            length,
            bytes: None,
        },
    );
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    axum::Json(json!({"ok": true, "upload_url": format!("http://{host}/upload/v1/{id}"), "file_id": id}))
        .into_response()
}

/// The upload URL: the bytes, exactly as many as announced (no token: the URL is the
/// credential).
async fn upload_bytes(
    State(inner): State<Arc<Inner>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let mut pending = inner.pending.lock().unwrap();
    let Some(p) = pending.get_mut(&id) else { return StatusCode::NOT_FOUND.into_response() };
    if body.len() != p.length {
        return (StatusCode::BAD_REQUEST, format!("expected {} bytes, got {}", p.length, body.len()))
            .into_response();
    }
    p.bytes = Some(body.to_vec());
    format!("OK - {}", body.len()).into_response()
}

/// `files.completeUploadExternal`: form fields `files` (a JSON array of `{id, title}`),
/// `channel_id`, `thread_ts`; every file must have been uploaded.
async fn complete_upload(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(form) = bot_form(&headers, &body) else { return slack_error("invalid_auth") };
    let Some(files) = form.get("files").and_then(|f| serde_json::from_str::<Vec<Value>>(f).ok()) else {
        return slack_error("invalid_arguments");
    };
    let Some(channel) = form.get("channel_id") else { return slack_error("invalid_arguments") };
    let mut pending = inner.pending.lock().unwrap();
    let mut done = Vec::new();
    for f in &files {
        let id = f["id"].as_str().unwrap_or_default();
        let Some(p) = pending.remove(id) else { return slack_error("file_not_found") };
        let Some(bytes) = p.bytes else { return slack_error("file_upload_not_complete") };
        inner.uploads.lock().unwrap().push(Upload {
            filename: p.filename,
            title: f["title"].as_str().unwrap_or_default().to_string(),
            alt: p.alt,
            bytes,
            channel: channel.clone(),
            thread_ts: form.get("thread_ts").cloned(),
        });
        done.push(json!({"id": id, "title": f["title"]}));
    }
    axum::Json(json!({"ok": true, "files": done})).into_response()
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
            .route("/api/files.getUploadURLExternal", post(get_upload_url))
            .route("/upload/v1/{id}", post(upload_bytes))
            .route("/api/files.completeUploadExternal", post(complete_upload))
            .with_state(inner.clone());
        let (addr, shutdown) = crate::serve(app).await;
        FakeSlack { addr, inner, _shutdown: shutdown }
    }

    /// Files shared through the upload flow, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.inner.uploads.lock().unwrap().clone()
    }

    /// The next `files.getUploadURLExternal` calls answer `{"ok": false, "error": …}`, in order
    /// (`missing_scope` is what a bot without `files:write` gets).
    pub fn refuse_uploads(&self, errors: Vec<&'static str>) {
        self.inner.upload_script.lock().unwrap().extend(errors);
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
