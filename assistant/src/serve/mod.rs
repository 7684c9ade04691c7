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
//! - [`state`] is what every handler shares (tools, model, store, limits, the Slack client), and
//!   runs one answer under the limits.
//!
//! Every answer runs the same agent loop as the CLI and the REPL ([`crate::agent`]), under a
//! global and a per-user concurrency limit and a deadline.

pub mod api;
pub mod blocks;
pub mod metrics;
pub mod settings;
pub mod signature;
pub mod slack;
pub mod state;
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
use tokio_util::task::TaskTracker;

use crate::agent::llm::LlmSettings;
use crate::cli::ServeArgs;

pub use state::{AppState, Limits, Permit};

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

/// A body refused as too large was left unread: the connection cannot carry another request,
/// and a client that pooled it would fail its next one, so the refusal closes it.
async fn close_after_refused_body(mut resp: Response) -> Response {
    if resp.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        resp.headers_mut()
            .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
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
    app.layer(middleware::map_response(close_after_refused_body))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

/// Whether every address `addr` names is a loopback one (`127.0.0.1:3000`, `[::1]:0`,
/// `localhost:3000`); a name that does not resolve counts as not loopback.
pub(crate) fn is_loopback(addr: &str) -> bool {
    use std::net::ToSocketAddrs as _;
    addr.to_socket_addrs().is_ok_and(|mut all| {
        let all: Vec<SocketAddr> = all.by_ref().collect();
        !all.is_empty() && all.iter().all(|a| a.ip().is_loopback())
    })
}

/// `sleuth serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = settings::Settings::resolve(Some(args));
    let signing_secret = env("SLACK_SIGNING_SECRET");
    let bot_token = env("SLACK_BOT_TOKEN");
    // Fail closed: a JSON API reachable from other machines answers only bearers of the token.
    if env("SLEUTH_API_TOKEN").is_none() && !args.insecure_no_auth && !is_loopback(&settings.addr) {
        eprintln!(
            "sleuth serve: refusing to serve the JSON API on {} without authentication. Set SLEUTH_API_TOKEN (clients send `Authorization: Bearer <token>`), listen on a loopback address (--addr 127.0.0.1:3000), or pass --insecure-no-auth if something in front of sleuth authenticates.",
            settings.addr
        );
        return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
    }
    if !settings.api_only {
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
        let demo = if settings.demo { crate::connect::Demo::Allowed } else { crate::connect::Demo::Refused };
        let (tools, index_note, cluster_note) =
            crate::agent::setup::toolbox(&args.agent.sources, "serving without the cluster", demo, crate::agent::Mode::Server)
                .await;
        for n in [index_note, cluster_note].into_iter().flatten() {
            eprintln!("{n}");
        }
        if tools.searcher.is_none() && tools.cluster.is_none() {
            eprintln!(
                "sleuth serve: nothing to answer from: no index and no cluster (see above). Give --index and --context or --snapshot, or --demo to serve the bundled demo."
            );
            return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
        }
        if tools.demo.any() {
            eprintln!("sleuth serve: serving the bundled demo workspace (--demo); every answer says so");
        }
        let metrics = metrics::Metrics::default();
        let data_dir =
            settings.data_dir.clone();
        let store = store::Store::open(
            &data_dir,
            Duration::from_secs(settings.idle_minutes * 60),
            settings.max_conversations,
        )
        .map_err(|e| anyhow::anyhow!("cannot use {} for conversations: {e}", data_dir.display()))?;
        let slack_api = env("SLACK_API_URL").unwrap_or_else(|| "https://slack.com/api".into());
        let state = Arc::new(AppState {
            tools,
            llm: LlmSettings::from_env(args.agent.model.as_deref()),
            store: Arc::new(store),
            slack: if settings.api_only {
                None
            } else {
                bot_token.as_deref().map(|t| webapi::Client::new(&slack_api, t, metrics.clone()))
            },
            signing_secret: if settings.api_only { None } else { signing_secret },
            api_token: env("SLEUTH_API_TOKEN"),
            metrics,
            limits: Limits::new(
                settings.max_concurrent,
                settings.max_per_user,
                Duration::from_secs(settings.deadline_seconds),
            ),
            tasks: TaskTracker::new(),
            seen: Mutex::new(HashMap::new()),
            started: Instant::now(),
            vocabulary: tokio::sync::Mutex::new(None),
        });
        let listener = tokio::net::TcpListener::bind(&settings.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.addr))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to find the port of `--addr 127.0.0.1:0`.
        println!("sleuth serve: listening on http://{addr}");
        eprintln!(
            "sleuth serve: Slack bot {}; JSON API {}; conversations in {}",
            if state.slack.is_some() { "on (/slack/events, /slack/commands)" } else { "off" },
            if state.api_token.is_some() { "on, bearer token required" } else { "on" },
            data_dir.display()
        );
        let app = router(state.clone(), settings.body_limit_kb * 1024);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        // HTTP requests are done; let background answers finish, within the grace period.
        state.tasks.close();
        let pending = state.tasks.len();
        if pending > 0 {
            eprintln!(
                "sleuth serve: finishing {pending} answer(s) in flight (at most {} s)",
                settings.grace_seconds
            );
        }
        if tokio::time::timeout(Duration::from_secs(settings.grace_seconds), state.tasks.wait()).await.is_err() {
            eprintln!("sleuth serve: {} answer(s) did not finish in time", state.tasks.len());
        }
        eprintln!("sleuth serve: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) async fn shutdown_signal() {
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
    use super::is_loopback;

    #[test]
    fn only_loopback_addresses_count_as_loopback() {
        for a in ["127.0.0.1:3000", "[::1]:0", "localhost:3000", "127.0.0.2:80"] {
            assert!(is_loopback(a), "{a}");
        }
        for a in ["0.0.0.0:3000", "[::]:3000", "10.0.0.5:80", "not an address", "no-such-host.invalid:80"] {
            assert!(!is_loopback(a), "{a}");
        }
    }
}
