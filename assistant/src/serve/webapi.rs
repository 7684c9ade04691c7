//! The slice of Slack's Web API the bot uses: `chat.postMessage` (in a thread), replies to a
//! slash command's `response_url`, downloading a shared file from its `url_private`, and
//! uploading a picture into a thread (`files.getUploadURLExternal` → the upload URL →
//! `files.completeUploadExternal`). The
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

/// A file to share in a thread.
#[derive(Debug, Clone)]
pub struct Upload {
    /// File name (`incident.png`).
    pub filename: String,
    /// Title shown above it.
    pub title: String,
    /// Description for screen readers.
    pub alt: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A Web API client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    metrics: Metrics,
}

/// How a Web API method takes its arguments: JSON, or a form (the file upload methods take
/// only form fields).
#[derive(Clone, Copy)]
enum Body<'a> {
    Json(&'a Value),
    Form(&'a [(&'a str, String)]),
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
        self.call_with(method, Body::Json(body)).await
    }

    async fn call_with(&self, method: &str, body: Body<'_>) -> Result<Value, SlackError> {
        let url = format!("{}/{method}", self.base);
        for attempt in 0..4 {
            let req = self.http.post(&url).bearer_auth(&self.token);
            let req = match body {
                Body::Json(v) => req.json(v),
                Body::Form(fields) => req.form(fields),
            };
            let resp = req.send().await.map_err(|e| SlackError::Http(e.without_url().to_string()))?;
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

    /// Uploads a file into a channel's thread with Slack's upload flow: ask for an upload URL
    /// (`files.getUploadURLExternal`), send the bytes there (no token: the URL is the
    /// credential, and it must be on Slack's file host), then share the file into the thread
    /// (`files.completeUploadExternal`). Needs the bot's `files:write` scope.
    pub async fn upload(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        file: &Upload,
    ) -> Result<(), SlackError> {
        let got = self
            .call_with(
                "files.getUploadURLExternal",
                Body::Form(&[
                    ("filename", file.filename.clone()),
                    ("length", file.bytes.len().to_string()),
                    ("alt_txt", file.alt.clone()),
                ]),
            )
            .await?;
        let (Some(url), Some(id)) = (got["upload_url"].as_str(), got["file_id"].as_str()) else {
            return Err(SlackError::Http("files.getUploadURLExternal gave no upload_url or file_id".into()));
        };
        if !self.is_slack_file(url) {
            return Err(SlackError::Http("the upload URL is not on Slack's file host; not uploaded".into()));
        }
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(file.bytes.clone())
            .send()
            .await
            .map_err(|e| SlackError::Http(e.without_url().to_string()))?;
        if !sent.status().is_success() {
            self.metrics.slack_api("file_upload", "error");
            return Err(SlackError::Http(format!("the upload URL answered {}", sent.status())));
        }
        self.metrics.slack_api("file_upload", "ok");
        let mut fields = vec![
            ("files", json!([{"id": id, "title": file.title}]).to_string()),
            ("channel_id", channel.to_string()),
        ];
        if let Some(ts) = thread_ts {
            fields.push(("thread_ts", ts.to_string()));
        }
        self.call_with("files.completeUploadExternal", Body::Form(&fields)).await.map(|_| ())
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

    /// Whether `url` is one of Slack's file URLs (`https://files.slack.com/…`), or on the host
    /// `SLACK_API_URL` redirects the Web API to: the bot token goes nowhere else.
    fn is_slack_file(&self, url: &str) -> bool {
        let Ok(url) = reqwest::Url::parse(url) else { return false };
        let slack = url.scheme() == "https" && url.host_str() == Some("files.slack.com");
        let same_as_api = reqwest::Url::parse(&self.base).is_ok_and(|base| base.origin() == url.origin());
        slack || same_as_api
    }

    /// Downloads a shared file (`url_private`, with the bot token) from Slack's file host only,
    /// at most [`MAX_FILE`] bytes, counted as they arrive (a missing or false Content-Length
    /// cannot make it read more).
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, SlackError> {
        if !self.is_slack_file(url) {
            return Err(SlackError::Http("the file is not on Slack's file host; not downloaded".into()));
        }
        let mut resp = self
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
        let mut bytes = Vec::new();
        while let Some(chunk) =
            resp.chunk().await.map_err(|e| SlackError::Http(e.without_url().to_string()))?
        {
            if bytes.len() + chunk.len() > MAX_FILE {
                return Err(SlackError::TooLarge(MAX_FILE));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::new(base, "xoxb-test", Metrics::default())
    }

    #[test]
    fn the_token_goes_only_to_slacks_file_host() {
        let c = client("https://slack.com/api");
        assert!(c.is_slack_file("https://files.slack.com/files-pri/T1-F1/download/outage.dot"));
        for url in [
            "http://files.slack.com/files-pri/x",
            "https://files.slack.com.evil.example/x",
            "https://evil.example/files.slack.com/x",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(!c.is_slack_file(url), "{url}");
        }
        // Tests and proxies: the host SLACK_API_URL names, and no other.
        let local = client("http://127.0.0.1:4000/api");
        assert!(local.is_slack_file("http://127.0.0.1:4000/files/outage.dot"));
        assert!(!local.is_slack_file("http://127.0.0.1:4001/files/outage.dot"));
    }

    #[tokio::test]
    async fn a_download_stops_at_the_cap_even_without_a_length() {
        use axum::body::Body;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // A body streamed in chunks, with no Content-Length, far larger than the cap.
        let app = axum::Router::new().route(
            "/files/big.json",
            axum::routing::get(|| async {
                let chunks = (0..(MAX_FILE / 4096 + 8)).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 4096]));
                Body::from_stream(futures::stream::iter(chunks))
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let c = client(&format!("http://{addr}/api"));
        let r = c.download(&format!("http://{addr}/files/big.json")).await;
        assert!(matches!(r, Err(SlackError::TooLarge(MAX_FILE))), "{r:?}");
    }
}
