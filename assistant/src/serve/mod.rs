//! `sleuth serve`: the Slack bot (Events API and slash commands) and the JSON API.
//!
//! # Design tour
//!
//! - [`signature`] verifies every Slack request (v0 HMAC-SHA256, five-minute window) on the raw
//!   body before anything parses it; a failure is a bare 401.
//! - [`slack`] acknowledges events and commands at once and does the work in the background,
//!   tracked so that shutdown can let it finish (bounded). Retries of an event already seen are
//!   dropped. Replies go through [`webapi`] (`chat.postMessage` in the thread, `response_url`
//!   for commands), formatted by [`blocks`] within Slack's limits.
//! - [`api`] is the JSON API (`/v1/ask`, `/v1/explain`, health, readiness, metrics, OpenAPI).
//! - [`store`] keeps conversations (a Slack thread, an API `conversation_id`) on disk, bounded
//!   and expiring, so follow-ups continue them and a restart loses nothing.
//! - [`metrics`] counts what Prometheus scrapes.
//!
//! Every answer runs the same agent loop as the CLI and the REPL ([`crate::agent`]), under a
//! global and a per-user concurrency limit and a deadline.

pub mod api;
pub mod blocks;
pub mod metrics;
pub mod signature;
pub mod slack;
pub mod store;
pub mod webapi;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use crate::agent::llm::LlmSettings;
use crate::agent::offline::OfflinePolicy;
use crate::agent::{Agent, Answer, Event, Policy, ToolBox};
use crate::cli::ServeArgs;

/// Everything a request handler needs.
pub struct AppState {
    /// The agent's tools (index and cluster).
    pub tools: ToolBox,
    /// The model, when one is configured.
    pub llm: Option<LlmSettings>,
    /// Conversations.
    pub store: store::Store,
    /// Slack's Web API, when the bot is enabled.
    pub slack: Option<webapi::Client>,
    /// The signing secret, when the bot is enabled.
    pub signing_secret: Option<String>,
    /// Bearer token required on `/v1/*`, when set.
    pub api_token: Option<String>,
    /// Metrics.
    pub metrics: metrics::Metrics,
    /// Limits.
    pub limits: Limits,
    /// Background work (Slack answers), waited for on shutdown.
    pub tasks: TaskTracker,
    /// Slack event ids already handled, with when (retries are dropped).
    pub seen: Mutex<HashMap<String, Instant>>,
    /// When the server started.
    pub started: Instant,
    /// The cluster's names for the offline policy, and when they were read.
    pub vocabulary: tokio::sync::Mutex<Option<(Instant, crate::agent::toolbox::Vocabulary)>>,
}

/// How long the cluster's names are reused before they are read again.
const VOCABULARY_TTL: Duration = Duration::from_secs(60);

/// Concurrency limits and the per-answer deadline.
pub struct Limits {
    global: Arc<Semaphore>,
    per_user: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_user_max: usize,
    /// Longest an answer may take.
    pub deadline: Duration,
}

/// Held while an answer is computed.
pub struct Permit {
    _global: tokio::sync::OwnedSemaphorePermit,
    _user: tokio::sync::OwnedSemaphorePermit,
}

impl Limits {
    /// `global` answers at once in all, `per_user` for one user.
    pub fn new(global: usize, per_user: usize, deadline: Duration) -> Limits {
        Limits {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_user: Mutex::new(HashMap::new()),
            per_user_max: per_user.max(1),
            deadline,
        }
    }

    /// Waits for a slot (the user's own first, so one user cannot take every global slot).
    pub async fn acquire(&self, user: &str) -> Permit {
        let sem = {
            let mut map = self.per_user.lock().expect("limits");
            if map.len() > 10_000 {
                map.retain(|_, s| s.available_permits() < self.per_user_max);
            }
            map.entry(user.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.per_user_max))).clone()
        };
        let user = sem.acquire_owned().await.expect("never closed");
        let global = self.global.clone().acquire_owned().await.expect("never closed");
        Permit { _global: global, _user: user }
    }

    /// Like [`Limits::acquire`], but gives up at once when the user already has all their slots.
    pub fn try_user(&self, user: &str) -> bool {
        let map = self.per_user.lock().expect("limits");
        map.get(user).is_none_or(|s| s.available_permits() > 0)
    }
}

impl AppState {
    /// One turn of the conversation under `key`, under the limits and the deadline; the
    /// conversation is saved afterwards.
    pub async fn answer(&self, key: &str, user: &str, question: &str, front: &str) -> Result<Answer, String> {
        let _permit = self.limits.acquire(user).await;
        let _busy = self.metrics.in_flight();
        let _turn = self.store.lock(key).await;
        let started = Instant::now();
        let policy = match &self.llm {
            Some(_) => Policy::from_settings(self.llm.clone()),
            None => Policy::Offline(OfflinePolicy::with_vocabulary(self.vocabulary().await)),
        };
        let mut agent = Agent::new(self.tools.clone(), policy);
        agent.conversation = self.store.load(key);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let result = tokio::time::timeout(self.limits.deadline, agent.turn(question, &tx)).await;
        drop(tx);
        let mut model_failed = false;
        while let Ok(e) = rx.try_recv() {
            if let Event::Error(m) = e
                && m.starts_with("model failed")
            {
                model_failed = true;
            }
        }
        let answer = result.map_err(|_| format!("no answer within {} s", self.limits.deadline.as_secs()))?;
        if let Err(e) = self.store.save(key, &agent.conversation) {
            tracing::warn!(error = %e, "could not save the conversation");
        }
        let model = self.llm.as_ref().map(|_| {
            let prompt: usize = agent
                .conversation
                .messages
                .iter()
                .map(|m| crate::agent::llm::estimate_tokens(&m.content))
                .sum();
            (prompt, crate::agent::llm::estimate_tokens(&answer.answer), model_failed)
        });
        self.metrics.turn(front, &answer, model, started.elapsed().as_secs_f64());
        Ok(answer)
    }

    /// The cluster's names, read at most once a minute (a live cluster takes one list per kind).
    async fn vocabulary(&self) -> crate::agent::toolbox::Vocabulary {
        let mut cached = self.vocabulary.lock().await;
        if let Some((at, v)) = cached.as_ref()
            && at.elapsed() < VOCABULARY_TTL
        {
            return v.clone();
        }
        let v = self.tools.vocabulary().await;
        *cached = Some((Instant::now(), v.clone()));
        v
    }

    /// Whether a Slack event id was seen already (and remembers it); ids older than an hour
    /// are forgotten.
    pub fn seen_before(&self, id: &str) -> bool {
        let mut seen = self.seen.lock().expect("seen");
        if seen.len() > 50_000 {
            seen.retain(|_, t| t.elapsed() < Duration::from_secs(3600));
        }
        seen.insert(id.to_string(), Instant::now()).is_some()
    }
}

/// Request logs and metrics: method, route, status and latency — never headers or bodies.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let resp = next.run(req).await;
    let secs = started.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    state.metrics.request(&route, status, secs);
    tracing::info!(target: "sleuth::http", %method, route, status, ms = (secs * 1000.0).round(), "request");
    resp
}

/// The router.
pub fn router(state: Arc<AppState>, body_limit: usize) -> Router {
    let mut app = Router::new()
        .route("/v1/ask", post(api::ask))
        .route("/v1/explain", post(api::explain))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .route("/openapi.json", get(api::openapi));
    if state.signing_secret.is_some() {
        app = app.route("/slack/events", post(slack::events)).route("/slack/commands", post(slack::commands));
    }
    app.layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

/// `sleuth serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let signing_secret = env("SLACK_SIGNING_SECRET");
    let bot_token = env("SLACK_BOT_TOKEN");
    if !args.api_only {
        let missing: Vec<&str> =
            [("SLACK_SIGNING_SECRET", signing_secret.is_none()), ("SLACK_BOT_TOKEN", bot_token.is_none())]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(k, _)| *k)
                .collect();
        if !missing.is_empty() {
            eprintln!(
                "sleuth serve: {} not set. The Slack bot needs the app's signing secret (Basic Information → App Credentials) to verify requests and its bot token (OAuth & Permissions, xoxb-…) to reply. Set {}, or run `sleuth serve --api-only` for the JSON API alone.",
                missing.join(" and "),
                if missing.len() == 1 { "it" } else { "them" }
            );
            return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let (tools, index_note, cluster_note) =
            crate::commands::ask::toolbox(&args.agent, "serving without the cluster").await;
        for n in [index_note, cluster_note].into_iter().flatten() {
            eprintln!("{n}");
        }
        let metrics = metrics::Metrics::default();
        let data_dir =
            args.data_dir.clone().unwrap_or_else(|| crate::config::data_dir().join("conversations"));
        let store = store::Store::open(
            &data_dir,
            Duration::from_secs(args.idle_minutes * 60),
            args.max_conversations,
        )
        .map_err(|e| anyhow::anyhow!("cannot use {} for conversations: {e}", data_dir.display()))?;
        let slack_api = env("SLACK_API_URL").unwrap_or_else(|| "https://slack.com/api".into());
        let state = Arc::new(AppState {
            tools,
            llm: LlmSettings::from_env(args.agent.model.as_deref()),
            store,
            slack: if args.api_only {
                None
            } else {
                bot_token.as_deref().map(|t| webapi::Client::new(&slack_api, t, metrics.clone()))
            },
            signing_secret: if args.api_only { None } else { signing_secret },
            api_token: env("SLEUTH_API_TOKEN"),
            metrics,
            limits: Limits::new(
                args.max_concurrent,
                args.max_per_user,
                Duration::from_secs(args.deadline_seconds),
            ),
            tasks: TaskTracker::new(),
            seen: Mutex::new(HashMap::new()),
            started: Instant::now(),
            vocabulary: tokio::sync::Mutex::new(None),
        });
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to find the port of `--addr 127.0.0.1:0`.
        println!("sleuth serve: listening on http://{addr}");
        eprintln!(
            "sleuth serve: Slack bot {}; JSON API {}; conversations in {}",
            if state.slack.is_some() { "on (/slack/events, /slack/commands)" } else { "off" },
            if state.api_token.is_some() { "on, bearer token required" } else { "on" },
            data_dir.display()
        );
        let app = router(state.clone(), args.body_limit_kb * 1024);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        // HTTP requests are done; let background answers finish, within the grace period.
        state.tasks.close();
        let pending = state.tasks.len();
        if pending > 0 {
            eprintln!(
                "sleuth serve: finishing {pending} answer(s) in flight (at most {} s)",
                args.grace_seconds
            );
        }
        if tokio::time::timeout(Duration::from_secs(args.grace_seconds), state.tasks.wait()).await.is_err() {
            eprintln!("sleuth serve: {} answer(s) did not finish in time", state.tasks.len());
        }
        eprintln!("sleuth serve: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_user_cannot_take_every_slot() {
        let limits = Limits::new(3, 1, Duration::from_secs(1));
        let first = limits.acquire("alice").await;
        assert!(!limits.try_user("alice"), "alice has her one slot in use");
        assert!(limits.try_user("bob"));
        // Bob is served while Alice's second request waits for her first.
        let _bob = tokio::time::timeout(Duration::from_millis(200), limits.acquire("bob"))
            .await
            .expect("bob gets a slot");
        let waiting = tokio::time::timeout(Duration::from_millis(100), limits.acquire("alice")).await;
        assert!(waiting.is_err(), "alice's second answer waits");
        drop(first);
        let _again = tokio::time::timeout(Duration::from_millis(200), limits.acquire("alice"))
            .await
            .expect("then it runs");
    }

    #[tokio::test]
    async fn the_global_limit_holds_across_users() {
        let limits = Limits::new(1, 5, Duration::from_secs(1));
        let _a = limits.acquire("a").await;
        assert!(tokio::time::timeout(Duration::from_millis(100), limits.acquire("b")).await.is_err());
    }
}
