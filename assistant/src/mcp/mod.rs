//! `sleuth mcp`: the agent's read-only tools as a Model Context Protocol server, for the AI
//! clients engineers already use (Claude Desktop and Code, VS Code, Cursor, Zed, Goose).
//!
//! # Design tour
//!
//! - [`handler`] is the server ([`Sleuth`]): it answers `tools/*`, `resources/*` and
//!   `prompts/*` from the agent's [`crate::agent::ToolBox`] in server mode, so the tools, their
//!   typed arguments and JSON schemas, their redaction and the read-only guard below them are
//!   the agent's own; nothing here re-implements a tool.
//! - [`catalogue`] turns the agent's tool specs into MCP tools (titles, `readOnlyHint`), lists
//!   the prompts, and cuts every list into pages.
//! - [`resources`] serves the findings, the change timeline and every indexed document by URI.
//! - This module picks the transport: stdio (the default, one client that started us) or
//!   streamable HTTP at `/mcp` (`--http`), which follows `serve`'s fail-closed rule: off
//!   loopback it needs `SLEUTH_API_TOKEN` as a bearer token, and it serves the demo only with
//!   `--demo`.
//!
//! The protocol itself (JSON-RPC, versions, sessions, cancellation) is the official Rust SDK's
//! (`rmcp`).

pub mod catalogue;
pub mod handler;
pub mod resources;

use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::ServiceExt as _;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

pub use handler::Sleuth;

use crate::agent::{Mode, ToolBox};
use crate::cli::McpArgs;
use crate::connect::Demo;

/// `sleuth mcp`.
pub fn run(args: &McpArgs) -> anyhow::Result<ExitCode> {
    let token = std::env::var("SLEUTH_API_TOKEN").ok().filter(|t| !t.trim().is_empty());
    if let Some(addr) = &args.http
        && token.is_none()
        && !args.insecure_no_auth
        && !crate::serve::is_loopback(addr)
    {
        eprintln!(
            "sleuth mcp: refusing to serve MCP on {addr} without authentication. Set SLEUTH_API_TOKEN (clients send `Authorization: Bearer <token>`), listen on a loopback address (--http 127.0.0.1:8765), or pass --insecure-no-auth if something in front of sleuth authenticates."
        );
        return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
    }
    crate::connect::runtime()?.block_on(async {
        // Stdio serves the one person whose client started it, as `ask` does; HTTP may serve
        // many, as `serve` does.
        let demo = if args.http.is_none() || args.demo { Demo::Allowed } else { Demo::Refused };
        let (tools, index_note, cluster_note) =
            crate::agent::setup::toolbox(&args.sources, "serving without the cluster", demo, Mode::Server).await;
        for n in [index_note, cluster_note].into_iter().flatten() {
            eprintln!("{n}");
        }
        if tools.searcher.is_none() && tools.cluster.is_none() {
            eprintln!(
                "sleuth mcp: nothing to serve: no index and no cluster (see above). Give --index and --context or --snapshot{}.",
                if args.http.is_some() { ", or --demo to serve the bundled demo" } else { "" }
            );
            return Ok(ExitCode::from(crate::EXIT_BAD_INPUT));
        }
        if tools.demo.any() {
            eprintln!("sleuth mcp: serving the bundled demo workspace; every result says so");
        }
        match &args.http {
            None => stdio(tools).await,
            Some(addr) => http(tools, addr, token).await,
        }
    })
}

async fn stdio(tools: ToolBox) -> anyhow::Result<ExitCode> {
    let service = Sleuth::new(tools)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| anyhow::anyhow!("MCP over stdio: {e}"))?;
    eprintln!("sleuth mcp: ready on standard input/output");
    service.waiting().await.map_err(|e| anyhow::anyhow!("MCP over stdio: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

async fn http(tools: ToolBox, addr: &str, token: Option<String>) -> anyhow::Result<ExitCode> {
    let stop = tokio_util::sync::CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(stop.child_token());
    if !crate::serve::is_loopback(addr) {
        // Off loopback the Host header is whatever name clients use; the bearer token (or the
        // proxy in front, with --insecure-no-auth) is what keeps strangers out.
        config = config.disable_allowed_hosts();
    }
    let handler = Sleuth::new(tools);
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let token = Arc::new(token);
    let app = axum::Router::new().nest_service("/mcp", service).layer(middleware::from_fn(
        move |req: Request, next: Next| {
            let token = Arc::clone(&token);
            async move { authorize(token.as_deref(), req, next).await }
        },
    ));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    // Tests and scripts read this line to find the port of `--http 127.0.0.1:0`.
    println!("sleuth mcp: listening on http://{local}/mcp");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            crate::serve::shutdown_signal().await;
            stop.cancel();
        })
        .await?;
    eprintln!("sleuth mcp: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Every request carries the bearer token when one is set.
async fn authorize(token: Option<&str>, req: Request, next: Next) -> Response {
    match token {
        Some(t) if !crate::serve::api::bearer_matches(req.headers(), t) => {
            let mut r = (StatusCode::UNAUTHORIZED, "missing or wrong bearer token\n").into_response();
            r.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, "Bearer".parse().expect("static header"));
            r
        }
        _ => next.run(req).await,
    }
}
