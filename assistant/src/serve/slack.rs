//! Slack's Events API (`POST /slack/events`) and slash commands (`POST /slack/commands`).
//!
//! Slack wants a 2xx within three seconds and retries otherwise, so both handlers verify the
//! signature, look at the payload just enough to decide, answer at once, and leave the work to
//! a tracked background task. Events handled: `url_verification` (the challenge is echoed),
//! `app_mention`, and `message` in a direct message; messages from bots (including this one),
//! edits and other subtypes are ignored. A retry (`X-Slack-Retry-Num`) of an event already seen
//! is acknowledged and dropped.
//!
//! A message holding an `rcagraph/v1` graph (JSON or DOT, in a code block or not), or sharing a
//! `.json`/`.dot` file, is answered with the graph's explanation and its Mermaid rendering; any
//! other text is a question for the agent, and a thread is one conversation.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::blocks::{self, Message};
use super::signature;
use super::state::AppState;

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs().cast_signed())
}

/// Verifies the signature; `Some` is the bare 401 to return.
fn unsigned(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let secret = state.signing_secret.as_deref().unwrap_or_default();
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
    match signature::verify(
        secret.as_bytes(),
        h("x-slack-request-timestamp"),
        h("x-slack-signature"),
        body,
        unix_now(),
    ) {
        Ok(()) => None,
        Err(why) => {
            // Logged for the operator; the caller learns nothing.
            tracing::warn!(target: "sleuth::slack", reason = %why, "refused an unsigned or badly signed request");
            state.metrics.slack_event("request", "refused");
            Some(StatusCode::UNAUTHORIZED.into_response())
        }
    }
}

/// Removes `<@U123>` mentions and decodes Slack's `&amp; &lt; &gt;`.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        if let Some(end) = rest[start..].find('>') {
            rest = &rest[start + end + 1..];
        } else {
            rest = &rest[start..];
            break;
        }
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").trim().to_string()
}

/// `POST /slack/events`.
pub async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unsigned(&state, &headers, &body) {
        return r;
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        state.metrics.slack_event("request", "unparseable");
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    match payload["type"].as_str() {
        Some("url_verification") => {
            state.metrics.slack_event("url_verification", "answered");
            let challenge = payload["challenge"].as_str().unwrap_or_default().to_string();
            return Json(json!({"challenge": challenge})).into_response();
        }
        Some("event_callback") => {}
        other => {
            state.metrics.slack_event(other.unwrap_or("unknown"), "ignored");
            return StatusCode::OK.into_response();
        }
    }
    let event = &payload["event"];
    let kind = event["type"].as_str().unwrap_or("unknown");
    let event_id = payload["event_id"].as_str().unwrap_or_default();
    if !event_id.is_empty() && state.seen_before(event_id) {
        let retry = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()).unwrap_or("?");
        tracing::info!(target: "sleuth::slack", event_id, retry, "retry of an event already handled; dropped");
        state.metrics.slack_event(kind, "duplicate");
        return StatusCode::OK.into_response();
    }
    let bot_user = payload["authorizations"][0]["user_id"].as_str().unwrap_or_default();
    let wanted = match kind {
        "app_mention" => true,
        "message" => event["channel_type"].as_str() == Some("im"),
        _ => false,
    };
    let from_bot = event.get("bot_id").is_some_and(|v| !v.is_null())
        || event["subtype"].as_str().is_some_and(|s| s != "file_share")
        || (!bot_user.is_empty() && event["user"].as_str() == Some(bot_user));
    if !wanted || from_bot {
        state.metrics.slack_event(kind, "ignored");
        return StatusCode::OK.into_response();
    }
    state.metrics.slack_event(kind, "accepted");
    let team = payload["team_id"].as_str().unwrap_or("T").to_string();
    let event = event.clone();
    let worker = state.clone();
    state.tasks.spawn(async move { handle_message(worker, team, event).await });
    StatusCode::OK.into_response()
}

/// The graph a message carries: in its text, or as a shared `.json`/`.dot` file.
async fn graph_in(state: &AppState, event: &Value, text: &str) -> Result<Option<String>, String> {
    if let Some(g) = crate::graphs::extract(text) {
        return Ok(Some(g));
    }
    for f in event["files"].as_array().into_iter().flatten() {
        let name = f["name"].as_str().unwrap_or_default().to_lowercase();
        if !(name.ends_with(".json") || name.ends_with(".dot") || name.ends_with(".gv")) {
            continue;
        }
        let Some(url) = f["url_private_download"].as_str().or_else(|| f["url_private"].as_str()) else {
            continue;
        };
        let client = state.slack.as_ref().ok_or("no Slack client")?;
        let bytes = client.download(url).await.map_err(|e| format!("cannot download {name}: {e}"))?;
        return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok(None)
}

/// A reply: the message, and the picture of a causal graph to share in the thread with it.
pub struct Reply {
    /// The text answer.
    pub message: Message,
    /// The graph to draw and share with it, when the answer explained or built one.
    pub graph: Option<Arc<rcagraph::Explanation>>,
}

impl Reply {
    /// A reply without a picture.
    fn text(message: Message) -> Reply {
        Reply { message, graph: None }
    }

    /// The message alone, with the picture's Mermaid source where an image cannot go (a slash
    /// command's `response_url` takes no files).
    pub fn without_picture(self) -> Message {
        match self.graph {
            Some(g) => blocks::with_mermaid(self.message, &mermaid(&g)),
            None => self.message,
        }
    }
}

/// A graph's collapsed picture.
fn collapsed_svg(g: &rcagraph::Explanation) -> String {
    g.render(rcagraph::Format::Svg, false, rcagraph::View::Collapsed)
}

/// The same view as Mermaid source, for where an image cannot go.
fn mermaid(g: &rcagraph::Explanation) -> String {
    g.render(rcagraph::Format::Mermaid, false, rcagraph::View::Collapsed)
}

/// The explanation of a graph text.
pub async fn graph_message(state: &AppState, graph: &str) -> Reply {
    match rcagraph::explain(graph) {
        Ok(expl) => {
            let model = state.llm.clone().map(crate::agent::llm::LlmPolicy::new);
            let (narrative, note) = crate::graphs::narrative(&expl, model.as_ref()).await;
            let narrative = match note {
                Some(n) => format!("{narrative}\n_({n})_"),
                None => narrative,
            };
            Reply { message: blocks::graph(&narrative, expl.warnings.len()), graph: Some(Arc::new(expl)) }
        }
        Err(invalid) => Reply::text(blocks::invalid_graph(&crate::graphs::error_lines("graph", &invalid))),
    }
}

/// Posts a reply in a thread: the picture first (a PNG uploaded into the thread), then the
/// message. When the picture cannot be drawn or uploaded (no `files:write` scope, Slack
/// refusing), the message carries the graph as Mermaid source instead, so nothing is lost.
async fn deliver(state: &AppState, channel: &str, thread: &str, reply: Reply) {
    let Some(client) = &state.slack else { return };
    let mut message = reply.message;
    if let Some(graph) = reply.graph {
        let drawn = Arc::clone(&graph);
        let png = tokio::task::spawn_blocking(move || picture::png(&collapsed_svg(&drawn))).await;
        let uploaded = match png {
            Ok(Ok(bytes)) => {
                let file = super::webapi::Upload {
                    filename: "causal-graph.png".into(),
                    title: "Causal graph".into(),
                    alt: "The causal graph: the top root cause's path to the symptoms".into(),
                    bytes,
                };
                client.upload(channel, Some(thread), &file).await.map_err(|e| e.to_string())
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = uploaded {
            tracing::warn!(target: "sleuth::slack", error = %e, channel, "could not share the graph's picture; sending its Mermaid source");
            message = blocks::with_mermaid(message, &mermaid(&graph));
        }
    }
    if let Err(e) = client.post(channel, Some(thread), &message).await {
        tracing::error!(target: "sleuth::slack", error = %e, channel, "could not post the answer");
    }
}

async fn handle_message(state: Arc<AppState>, team: String, event: Value) {
    let channel = event["channel"].as_str().unwrap_or_default().to_string();
    let ts = event["ts"].as_str().unwrap_or_default().to_string();
    let thread = event["thread_ts"].as_str().unwrap_or(&ts).to_string();
    let user = event["user"].as_str().unwrap_or("unknown").to_string();
    let text = clean_text(event["text"].as_str().unwrap_or_default());
    let reply = match graph_in(&state, &event, &text).await {
        Ok(Some(g)) => {
            let _permit = state.limits.acquire(&user).await;
            graph_message(&state, &g).await
        }
        Err(e) => Reply::text(blocks::plain(&e)),
        Ok(None) if text.is_empty() => Reply::text(blocks::plain(
            "Ask me about your systems: why something is failing, how a service is built, or paste an rcagraph/v1 graph to explain.",
        )),
        Ok(None) => {
            let key = format!("slack:{team}:{channel}:{thread}");
            match state.answer(&key, &user, &text, "slack").await {
                Ok(a) => Reply { message: blocks::answer(&a), graph: a.graph },
                Err(e) => Reply::text(blocks::plain(&format!(
                    "Sorry, {e}. Try a narrower question, or run `sleuth ask` locally."
                ))),
            }
        }
    };
    deliver(&state, &channel, &thread, reply).await;
}

/// `POST /slack/commands` (`application/x-www-form-urlencoded`).
pub async fn commands(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unsigned(&state, &headers, &body) {
        return r;
    }
    let form: std::collections::HashMap<String, String> = match form(&body) {
        Some(f) => f,
        None => return (StatusCode::BAD_REQUEST, "not a form").into_response(),
    };
    let text = form.get("text").map_or("", String::as_str).trim().to_string();
    let (sub, rest) =
        text.split_once(char::is_whitespace).map_or((text.as_str(), ""), |(a, b)| (a, b.trim()));
    let usage = "Usage: `/sleuth ask <question>` · `/sleuth diagnose [namespace]` · `/sleuth explain <rcagraph/v1 JSON or DOT>`";
    let job = match sub {
        "ask" if !rest.is_empty() => Job::Ask(rest.to_string()),
        "diagnose" => Job::Diagnose(rest.split_whitespace().next().map(String::from)),
        "explain" if !rest.is_empty() => Job::Explain(rest.to_string()),
        "" | "help" => {
            state.metrics.slack_event("command", "help");
            return Json(json!({"response_type": "ephemeral", "text": usage})).into_response();
        }
        // A bare question is the common case.
        _ => Job::Ask(text.clone()),
    };
    let Some(response_url) = form.get("response_url").cloned() else {
        return (StatusCode::BAD_REQUEST, "no response_url").into_response();
    };
    let user = form.get("user_id").cloned().unwrap_or_else(|| "unknown".into());
    if !state.limits.try_user(&user) {
        state.metrics.slack_event("command", "busy");
        return Json(json!({"response_type": "ephemeral", "text": "You already have answers being worked on; I'll take this one once they are done — try again in a moment."})).into_response();
    }
    state.metrics.slack_event("command", job.name());
    let key = format!(
        "slack:{}:{}:command:{user}",
        form.get("team_id").map_or("T", String::as_str),
        form.get("channel_id").map_or("C", String::as_str)
    );
    let worker = state.clone();
    state.tasks.spawn(async move {
        let message = match job {
            Job::Ask(q) => match worker.answer(&key, &user, &q, "slack").await {
                Ok(a) => Reply { message: blocks::answer(&a), graph: a.graph }.without_picture(),
                Err(e) => blocks::plain(&format!("Sorry, {e}.")),
            },
            Job::Diagnose(ns) => diagnose(&worker, &user, ns).await,
            Job::Explain(g) => {
                let _permit = worker.limits.acquire(&user).await;
                let g = crate::graphs::extract(&g).unwrap_or(g);
                graph_message(&worker, &g).await.without_picture()
            }
        };
        if let Some(client) = &worker.slack
            && let Err(e) = client.respond(&response_url, &message, true).await
        {
            tracing::error!(target: "sleuth::slack", error = %e, "could not answer the command");
        }
    });
    Json(json!({"response_type": "ephemeral", "text": format!("Working on it… ({})", prompts::ellipsis(&text, 80))})).into_response()
}

enum Job {
    Ask(String),
    Diagnose(Option<String>),
    Explain(String),
}

impl Job {
    fn name(&self) -> &'static str {
        match self {
            Job::Ask(_) => "ask",
            Job::Diagnose(_) => "diagnose",
            Job::Explain(_) => "explain",
        }
    }
}

async fn diagnose(state: &AppState, user: &str, namespace: Option<String>) -> Message {
    let _permit = state.limits.acquire(user).await;
    let args = namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns}));
    let out = state.tools.call("diagnose", &args).await;
    if !out.ok {
        return blocks::plain(&out.text);
    }
    let findings = out.data["findings"].as_array().cloned().unwrap_or_default();
    let scope = namespace.map_or_else(|| "the cluster".to_string(), |n| format!("namespace {n}"));
    let mut md = format!("**{} finding(s) in {scope}**\n\n", findings.len());
    for f in findings.iter().filter(|f| f["severity"] != "info").take(15) {
        let ns = f["namespace"].as_str().map(|n| format!("{n}/")).unwrap_or_default();
        md.push_str(&format!(
            "- **{}** `{}` {}/{ns}{}: {}\n",
            f["severity"].as_str().unwrap_or("").to_uppercase(),
            f["rule"].as_str().unwrap_or(""),
            f["kind"].as_str().unwrap_or(""),
            f["name"].as_str().unwrap_or(""),
            f["message"].as_str().unwrap_or("")
        ));
    }
    if findings.is_empty() {
        md.push_str("Nothing wrong found.\n");
    }
    Message { blocks: blocks::cap(blocks::sections(&md)), text: md.replace("**", "*") }
}

/// Slack's slash-command body (`application/x-www-form-urlencoded`); `None` when it is not one.
fn form(body: &[u8]) -> Option<std::collections::HashMap<String, String>> {
    serde_urlencoded::from_bytes(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_stripped_and_entities_decoded() {
        assert_eq!(
            clean_text("<@U0BOT> why is grafana down &amp; what &lt;now&gt;?"),
            "why is grafana down & what <now>?"
        );
        assert_eq!(clean_text("hey <@U1|bob> and <@U2>"), "hey  and");
    }

    #[test]
    fn forms_decode() {
        let f = form(b"command=%2Fsleuth&text=ask+why+is+grafana+down%3F&response_url=https%3A%2F%2Fhooks.slack.com%2Fx").unwrap();
        assert_eq!(f["command"], "/sleuth");
        assert_eq!(f["text"], "ask why is grafana down?");
        assert_eq!(f["response_url"], "https://hooks.slack.com/x");
    }
}
