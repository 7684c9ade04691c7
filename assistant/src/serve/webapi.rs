//! The slice of Slack's Web API the bot uses: `chat.postMessage` (in a thread), replies to a
//! slash command's `response_url`, and downloading a shared file from its `url_private`. The
//! base URL comes from `SLACK_API_URL` (default `https://slack.com/api`) so tests and proxies
//! can redirect it; the bot token goes only to that base and to Slack's file URLs.
//!
//! Slack answers HTTP 200 with `{"ok": false, "error": "…"}` for most failures and 429 with
//! `Retry-After` when rate-limited: the first is an error naming Slack's code, the second is
//! waited out (bounded) and retried.

use std::time::Duration;

use serde_json::{Value, json};

use super::blocks::Message;
use super::metrics::Metrics;

/// What went wrong talking to Slack.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    /// Slack said `ok: false`.
    #[error("Slack refused {method}: {error}")]
    Api {
        /// The method called.
        method: String,
        /// Slack's error code (`channel_not_found`, `not_in_channel`, `invalid_blocks`, …).
        error: String,
    },
    /// Still rate-limited after the retries.
    #[error("Slack kept rate-limiting {0}")]
    RateLimited(String),
    /// Transport or unexpected response.
    #[error("calling Slack failed: {0}")]
    Http(String),
    /// A shared file is too large to explain.
    #[error("the shared file is larger than {0} bytes")]
    TooLarge(usize),
}

/// A Web API client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    metrics: Metrics,
}

/// Largest file downloaded from Slack.
pub const MAX_FILE: usize = 4 << 20;

impl Client {
    /// A client for `base` (no trailing slash needed) with the bot token.
    pub fn new(base: &str, token: &str, metrics: Metrics) -> Client {
        // kube, async-openai and this client share one rustls provider; choose it before the
        // first connection (a no-op when `main` already did).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("an HTTP client with default TLS settings");
        Client { http, base: base.trim_end_matches('/').to_string(), token: token.to_string(), metrics }
    }

    async fn call(&self, method: &str, body: &Value) -> Result<Value, SlackError> {
        let url = format!("{}/{method}", self.base);
        for attempt in 0..4 {
            let resp = self
                .http
                .post(&url)
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await
                .map_err(|e| SlackError::Http(e.without_url().to_string()))?;
            if resp.status().as_u16() == 429 {
                self.metrics.slack_api(method, "rate_limited");
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(1)
                    .min(30);
                tracing::warn!(method, attempt, wait, "Slack rate limit; waiting");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            let status = resp.status();
            let v: Value =
                resp.json().await.map_err(|e| SlackError::Http(format!("{status}: {}", e.without_url())))?;
            if v["ok"].as_bool() == Some(true) {
                self.metrics.slack_api(method, "ok");
                return Ok(v);
            }
            self.metrics.slack_api(method, "error");
            return Err(SlackError::Api {
                method: method.into(),
                error: v["error"].as_str().unwrap_or("unknown").into(),
            });
        }
        Err(SlackError::RateLimited(method.into()))
    }

    /// Posts a message in a thread. When Slack refuses the blocks (too long, invalid), the plain
    /// text goes instead, so the person always gets an answer.
    pub async fn post(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        message: &Message,
    ) -> Result<(), SlackError> {
        let mut body = json!({"channel": channel, "text": message.text, "blocks": message.blocks, "unfurl_links": false});
        if let Some(ts) = thread_ts {
            body["thread_ts"] = json!(ts);
        }
        match self.call("chat.postMessage", &body).await {
            Err(SlackError::Api { error, .. })
                if matches!(error.as_str(), "invalid_blocks" | "msg_too_long" | "invalid_blocks_format") =>
            {
                tracing::warn!(error, "Slack refused the blocks; sending plain text");
                let text: String = message.text.chars().take(3900).collect();
                body.as_object_mut().expect("object").remove("blocks");
                body["text"] = json!(text);
                self.call("chat.postMessage", &body).await.map(|_| ())
            }
            other => other.map(|_| ()),
        }
    }

    /// Answers a slash command through its `response_url` (no token: the URL is the credential).
    pub async fn respond(
        &self,
        response_url: &str,
        message: &Message,
        visible: bool,
    ) -> Result<(), SlackError> {
        let body = json!({
            "response_type": if visible { "in_channel" } else { "ephemeral" },
            "replace_original": false,
            "text": message.text,
            "blocks": message.blocks,
        });
        let resp = self
            .http
            .post(response_url)
            .json(&body)
            .send()
            .await
            .map_err(|e| SlackError::Http(e.without_url().to_string()))?;
        if resp.status().is_success() {
            self.metrics.slack_api("response_url", "ok");
            Ok(())
        } else {
            self.metrics.slack_api("response_url", "error");
            Err(SlackError::Http(format!("response_url answered {}", resp.status())))
        }
    }

    /// Downloads a shared file (`url_private`, with the bot token), at most [`MAX_FILE`] bytes.
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, SlackError> {
        let resp = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| SlackError::Http(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(SlackError::Http(format!("file download answered {}", resp.status())));
        }
        if resp.content_length().is_some_and(|n| n as usize > MAX_FILE) {
            return Err(SlackError::TooLarge(MAX_FILE));
        }
        let bytes = resp.bytes().await.map_err(|e| SlackError::Http(e.without_url().to_string()))?;
        if bytes.len() > MAX_FILE {
            return Err(SlackError::TooLarge(MAX_FILE));
        }
        Ok(bytes.to_vec())
    }
}
