//! The JSON API: `POST /v1/ask`, `POST /v1/explain`, `GET /healthz`, `GET /readyz`,
//! `GET /metrics`, `GET /openapi.json`. `/v1/*` requires `Authorization: Bearer
//! $SLEUTH_API_TOKEN` when that variable is set (compared in constant time).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::state::AppState;

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

/// Whether the request carries `Authorization: Bearer <expected>`.
pub fn bearer_matches(headers: &HeaderMap, expected: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Hash both sides so the comparison takes the same time whatever the lengths.
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the bearer token; `Some` is the 401 to return.
fn unauthorized(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let Some(expected) = &state.api_token else { return None };
    if bearer_matches(headers, expected) {
        None
    } else {
        let mut r = error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        r.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
        Some(r)
    }
}

/// Who is asking, for the per-user limit: `X-Sleuth-User`, else the client address.
fn user(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    headers.get("x-sleuth-user").and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()).map_or_else(
        || format!("ip:{}", peer.map_or_else(|| "unknown".into(), |p| p.ip().to_string())),
        |v| format!("api:{}", v.chars().take(64).collect::<String>()),
    )
}

/// `POST /v1/ask` body.
#[derive(Deserialize)]
pub struct AskRequest {
    /// The question.
    pub question: String,
    /// Continue this conversation (as returned by an earlier answer).
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// `POST /v1/ask`.
pub async fn ask(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorized(&state, &headers) {
        return r;
    }
    let req: AskRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("expected {{\"question\": \"…\", \"conversation_id\"?: \"…\"}}: {e}"),
            );
        }
    };
    if req.question.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "question is empty");
    }
    let id = match req.conversation_id.filter(|c| !c.is_empty()) {
        Some(c)
            if c.len() <= 128 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.:".contains(ch)) =>
        {
            c
        }
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "conversation_id must be at most 128 letters, digits, - _ . :",
            );
        }
        None => crate::agent::Conversation::new().id,
    };
    let who = user(&headers, Some(peer));
    match state.answer(&format!("api:{id}"), &who, &req.question, "api").await {
        Ok(mut a) => {
            a.conversation_id = id;
            Json(a).into_response()
        }
        Err(e) => error(StatusCode::GATEWAY_TIMEOUT, &e),
    }
}

/// `?format=` of `/v1/explain`.
#[derive(Deserialize)]
pub struct ExplainQuery {
    /// `json` (default), `svg`, `png`, `mermaid`, `dot`, `markdown`.
    #[serde(default)]
    pub format: Option<String>,
    /// `true`: draw every node and edge instead of the collapsed view.
    #[serde(default)]
    pub full: bool,
}

/// `POST /v1/explain`: a graph (JSON or DOT) in the body.
pub async fn explain(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ExplainQuery>,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorized(&state, &headers) {
        return r;
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not UTF-8");
    };
    let format = q.format.as_deref().unwrap_or("json");
    let png = format == "png";
    let fmt: rcagraph::Format = match if png { "svg" } else { format }.parse() {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    let expl = match rcagraph::explain(text) {
        Ok(e) => e,
        Err(invalid) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": "not a valid rcagraph/v1 graph", "errors": invalid.issues})),
            )
                .into_response();
        }
    };
    let view = if q.full { rcagraph::View::Full } else { rcagraph::View::Collapsed };
    if png {
        let svg = expl.render(rcagraph::Format::Svg, false, view);
        // Rasterizing is CPU work: off the runtime's threads.
        return match tokio::task::spawn_blocking(move || picture::png(&svg)).await {
            Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, "image/png")], bytes).into_response(),
            Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    let (content_type, out) = match fmt {
        rcagraph::Format::Svg => ("image/svg+xml", expl.render(fmt, false, view)),
        rcagraph::Format::Json => ("application/json", expl.render(fmt, false, view)),
        rcagraph::Format::Markdown => ("text/markdown; charset=utf-8", expl.render(fmt, false, view)),
        _ => ("text/plain; charset=utf-8", expl.render(fmt, false, view)),
    };
    ([(header::CONTENT_TYPE, content_type)], out).into_response()
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the index is open and the cluster source answers (a snapshot is loaded, or a
/// live API server lists namespaces within two seconds).
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let index = state.tools.searcher.is_some();
    let cluster = match &state.tools.cluster {
        None => Value::String("none".into()),
        Some(src @ cluster::ClusterSource::Snapshot(_)) => json!({"ok": true, "source": src.describe()}),
        Some(src) => {
            let probe = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                src.load(
                    Some(&[cluster::Kind::Namespace]),
                    &cluster::Scope::default(),
                    &cluster::source::NoProgress,
                ),
            )
            .await;
            match probe {
                Ok(Ok(_)) => json!({"ok": true, "source": src.describe()}),
                Ok(Err(e)) => json!({"ok": false, "source": src.describe(), "error": e.to_string()}),
                Err(_) => json!({"ok": false, "source": src.describe(), "error": "no answer within 2 s"}),
            }
        }
    };
    let cluster_ok = cluster.get("ok").and_then(Value::as_bool).unwrap_or(false);
    let ready = index && cluster_ok;
    let body = json!({"ready": ready, "index": index, "cluster": cluster, "uptime_seconds": state.started.elapsed().as_secs()});
    (if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body)).into_response()
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    // Counting conversations lists a directory: off the runtime's threads.
    let store = state.store.clone();
    let conversations = tokio::task::spawn_blocking(move || store.len()).await.unwrap_or(0);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(conversations),
    )
        .into_response()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(spec())
}

/// The OpenAPI 3.1 document of the JSON API.
pub fn spec() -> Value {
    let source = json!({"type": "object", "required": ["title", "kind", "location", "snippet"], "properties": {
        "title": {"type": "string"}, "kind": {"type": "string", "enum": ["confluence", "notion", "terraform", "markdown", "cluster"]},
        "location": {"type": "string"}, "snippet": {"type": "string"}}});
    let script = json!({"type": "object", "required": ["language", "code", "safety", "purpose"], "properties": {
        "language": {"type": "string"}, "code": {"type": "string"},
        "safety": {"type": "string", "enum": ["read-only", "mutating", "unknown"]}, "purpose": {"type": "string"}}});
    let tool_call = json!({"type": "object", "required": ["name", "args", "elapsed_ms", "ok"], "properties": {
        "name": {"type": "string"}, "args": {"type": "object"}, "elapsed_ms": {"type": "integer"}, "ok": {"type": "boolean"}}});
    let error = json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "sleuth", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Answers on-call questions from a team's docs, Terraform and cluster; explains causal root-cause graphs (rcagraph/v1)."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Required when the server has SLEUTH_API_TOKEN set."}},
            "schemas": {
                "AskRequest": {"type": "object", "required": ["question"], "properties": {
                    "question": {"type": "string"}, "conversation_id": {"type": "string", "description": "Continue an earlier conversation."}}},
                "Answer": {"type": "object", "required": ["answer", "sources", "scripts", "tool_calls", "conversation_id"], "properties": {
                    "answer": {"type": "string", "description": "Markdown."},
                    "sources": {"type": "array", "items": source}, "scripts": {"type": "array", "items": script},
                    "tool_calls": {"type": "array", "items": tool_call}, "conversation_id": {"type": "string"},
                    "demo": {"type": "boolean", "description": "The answer is about the bundled demo workspace (served with --demo), not your cluster or documents."}}},
                "Issue": {"type": "object", "required": ["level", "code", "path", "message"], "properties": {
                    "level": {"type": "string", "enum": ["error", "warning"]}, "code": {"type": "string"}, "path": {"type": "string"},
                    "id": {"type": "string"}, "message": {"type": "string"}}},
                "Explanation": {"type": "object", "required": ["root_causes", "symptoms", "narrative", "warnings"], "properties": {
                    "root_causes": {"type": "array", "items": {"type": "object", "required": ["node_id", "score", "confidence", "paths"], "properties": {
                        "node_id": {"type": "string"}, "score": {"type": "number"}, "confidence": {"type": "number"},
                        "confidence_words": {"type": "string", "enum": ["high", "likely", "possible", "weak"]},
                        "paths": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}}},
                    "symptoms": {"type": "array", "items": {"type": "string"}}, "unexplained": {"type": "array", "items": {"type": "string"}},
                    "narrative": {"type": "string"}, "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}}}},
                "Error": error,
            }
        },
        "paths": {
            "/v1/ask": {"post": {"summary": "Ask one question (a conversation continues with its id).", "security": [{"bearer": []}],
                "parameters": [{"name": "X-Sleuth-User", "in": "header", "required": false, "schema": {"type": "string"}, "description": "Who asks, for the per-user concurrency limit (default: the client address)."}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskRequest"}}}},
                "responses": {
                    "200": {"description": "The answer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}},
                    "400": {"description": "Malformed request.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "401": {"description": "Missing or wrong bearer token."},
                    "413": {"description": "Body over the limit."},
                    "504": {"description": "No answer within the deadline.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/v1/explain": {"post": {"summary": "Explain a causal graph (rcagraph/v1 JSON or DOT in the body).", "security": [{"bearer": []}],
                "parameters": [{"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "svg", "png", "mermaid", "dot", "markdown", "text"], "default": "json"}},
                    {"name": "full", "in": "query", "required": false, "schema": {"type": "boolean", "default": false}, "description": "Draw every node and edge instead of the collapsed view."}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}, "text/vnd.graphviz": {"schema": {"type": "string"}}}},
                "responses": {
                    "200": {"description": "The explanation, or the rendering asked for.", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Explanation"}},
                        "image/svg+xml": {"schema": {"type": "string"}}, "image/png": {"schema": {"type": "string", "format": "binary"}}, "text/plain": {"schema": {"type": "string"}}}},
                    "401": {"description": "Missing or wrong bearer token."},
                    "422": {"description": "Not a valid graph: every problem.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/healthz": {"get": {"summary": "Liveness.", "responses": {"200": {"description": "ok"}}}},
            "/readyz": {"get": {"summary": "Readiness: index open, cluster source reachable or snapshot loaded.", "responses": {"200": {"description": "Ready."}, "503": {"description": "Not ready, with what is missing."}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4).", "responses": {"200": {"description": "Metrics."}}}},
            "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1."}}}},
            "/slack/events": {"post": {"summary": "Slack Events API (signed requests only).", "responses": {"200": {"description": "Acknowledged."}, "401": {"description": "Not signed by Slack."}}}},
            "/slack/commands": {"post": {"summary": "Slack slash command /sleuth (signed requests only).", "responses": {"200": {"description": "Ephemeral acknowledgement."}, "401": {"description": "Not signed by Slack."}}}}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_references_only_defined_schemas() {
        let doc = spec();
        let text = doc.to_string();
        for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = r.split('"').next().unwrap();
            assert!(doc["components"]["schemas"].get(name).is_some(), "{name}");
        }
        for p in ["/v1/ask", "/v1/explain", "/healthz", "/readyz", "/metrics", "/openapi.json"] {
            assert!(doc["paths"].get(p).is_some(), "{p}");
        }
    }
}
