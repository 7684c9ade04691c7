//! A faithful stand-in for an OpenAI-compatible chat-completions server (OpenAI itself cannot be
//! reached here, and no model can run): real HTTP on 127.0.0.1, `POST /v1/chat/completions`
//! answered with server-sent events exactly as OpenAI streams them (`data: {chunk}` lines and a
//! final `data: [DONE]`), or with an error status and OpenAI's error body. Each test scripts the
//! replies in order; the server records every request body so tests can check what the client
//! sent (system prompt, tools, tool results).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt;
use serde_json::{Value, json};

/// One scripted reply.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Stream these chunks, then `[DONE]`.
    Stream(Vec<Value>),
    /// Answer with this status, OpenAI's error body, and optionally `Retry-After` seconds.
    Status(u16, String, Option<u64>),
    /// Stream these chunks, then an error event, then drop the connection (a 500 mid-stream).
    Broken(Vec<Value>),
    /// Stream these chunks with a pause before each (a slow model), then `[DONE]`.
    Slow(Vec<Value>, std::time::Duration),
}

struct Inner {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Value>>,
}

/// A running fake server.
pub struct FakeOpenAi {
    /// Its address.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

fn chunk(delta: &Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_763_800_000, "model": "test-model",
        "choices": [{"index": 0, "delta": delta.clone(), "finish_reason": finish}]})
}

/// Chunks streaming `text` in `pieces` parts, as a model writes an answer.
pub fn text(text: &str, pieces: usize) -> Vec<Value> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(pieces.max(1)).max(1);
    let mut out = vec![chunk(&json!({"role": "assistant", "content": ""}), None)];
    for part in chars.chunks(size) {
        out.push(chunk(&json!({"content": part.iter().collect::<String>()}), None));
    }
    out.push(chunk(&json!({}), Some("stop")));
    out
}

/// Chunks calling tools: for each `(name, arguments, id)`, the name first, then the arguments
/// split into `fragments` pieces (ids may be left out, as some servers do).
pub fn tool_calls(calls: &[(&str, &str, Option<&str>)], fragments: usize) -> Vec<Value> {
    let mut out = vec![chunk(&json!({"role": "assistant", "content": null}), None)];
    for (index, (name, args, id)) in calls.iter().enumerate() {
        let mut first =
            json!({"index": index, "type": "function", "function": {"name": name, "arguments": ""}});
        if let Some(id) = id {
            first["id"] = json!(id);
        }
        out.push(chunk(&json!({"tool_calls": [first]}), None));
        let chars: Vec<char> = args.chars().collect();
        let size = chars.len().div_ceil(fragments.max(1)).max(1);
        for part in chars.chunks(size) {
            out.push(chunk(&json!({"tool_calls": [{"index": index, "function": {"arguments": part.iter().collect::<String>()}}]}), None));
        }
    }
    out.push(chunk(&json!({}), Some("tool_calls")));
    out
}

async fn completions(State(inner): State<Arc<Inner>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inner.requests.lock().expect("lock").push(request);
    let reply = inner.replies.lock().expect("lock").pop_front();
    let sse = |chunks: Vec<Value>, tail: Vec<Result<Bytes, std::io::Error>>| {
        let mut items: Vec<Result<Bytes, std::io::Error>> =
            chunks.into_iter().map(|c| Ok(Bytes::from(format!("data: {c}\n\n")))).collect();
        items.extend(tail);
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/event-stream")
            .header("cache-control", "no-cache")
            .body(Body::from_stream(futures::stream::iter(items)))
            .expect("response")
    };
    match reply {
        Some(Reply::Stream(chunks)) => sse(chunks, vec![Ok(Bytes::from("data: [DONE]\n\n"))]),
        Some(Reply::Slow(chunks, pause)) => {
            let items = chunks
                .into_iter()
                .map(|c| format!("data: {c}\n\n"))
                .chain(std::iter::once("data: [DONE]\n\n".to_string()));
            let stream = futures::stream::iter(items).then(move |item| async move {
                tokio::time::sleep(pause).await;
                Ok::<Bytes, std::io::Error>(Bytes::from(item))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(stream))
                .expect("response")
        }
        Some(Reply::Broken(chunks)) => sse(
            chunks,
            vec![
                Ok(Bytes::from(
                    "data: {\"error\": {\"message\": \"The server had an error while processing your request.\", \"type\": \"server_error\"}}\n\n",
                )),
                Err(std::io::Error::other("connection reset")),
            ],
        ),
        Some(Reply::Status(code, message, retry_after)) => {
            let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}});
            let mut r = (
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                [("content-type", "application/json")],
                body.to_string(),
            )
                .into_response();
            if let Some(s) = retry_after {
                r.headers_mut().insert("retry-after", s.to_string().parse().expect("header"));
            }
            r
        }
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no scripted reply left").into_response(),
    }
}

impl FakeOpenAi {
    /// Start with these replies, served in order.
    pub async fn start(replies: Vec<Reply>) -> FakeOpenAi {
        let inner = Arc::new(Inner { replies: Mutex::new(replies.into()), requests: Mutex::new(Vec::new()) });
        let app =
            Router::new().route("/v1/chat/completions", post(completions)).with_state(Arc::clone(&inner));
        let (addr, tx) = crate::serve(app).await;
        FakeOpenAi { addr, inner, _shutdown: tx }
    }

    /// The base URL a client is configured with (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request body so far.
    pub fn requests(&self) -> Vec<Value> {
        self.inner.requests.lock().expect("lock").clone()
    }
}
