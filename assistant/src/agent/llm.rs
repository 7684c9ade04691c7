//! The LLM policy: any OpenAI-compatible chat-completions server, through async-openai.
//!
//! Requests and stream chunks are handled as JSON (async-openai's `byot` calls) rather than its
//! strict types, because OpenAI-compatible servers (Ollama, vLLM, llama.cpp) differ in small
//! ways: chunks without `id` or `created`, tool calls without ids, arguments split across many
//! deltas. Tool-call deltas are assembled by `index`; a call without an id gets one. The library's
//! retry layer backs off on 429 and 5xx and honours `Retry-After`. When the model cannot be used
//! (bad key, unknown model, a failure mid-stream), the policy-level fallback lets the offline
//! policy finish the turn and the answer says so.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use super::toolbox::ToolBox;
use super::types::{Conversation, Draft, Event, Role, Step, ToolCall};

/// Where the model is and what it is called.
#[derive(Debug, Clone, Default)]
pub struct LlmSettings {
    /// Model name (the deployment name on Azure).
    pub model: String,
    /// Base URL of an OpenAI-compatible API (`http://localhost:11434/v1`); OpenAI's by default.
    pub base_url: Option<String>,
    /// API key; servers that need none get an empty bearer.
    pub api_key: Option<String>,
    /// Azure OpenAI endpoint (`https://RES.openai.azure.com`): switches to Azure's URL scheme.
    pub azure_endpoint: Option<String>,
    /// Azure API version.
    pub azure_api_version: Option<String>,
    /// Tokens the conversation may take before old tool results are dropped.
    pub context_tokens: usize,
}

impl LlmSettings {
    /// From the environment: `SLEUTH_MODEL` (required), `OPENAI_BASE_URL`, `OPENAI_API_KEY`,
    /// `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_API_VERSION`.
    pub fn from_env(model_flag: Option<&str>) -> Option<LlmSettings> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let file = crate::config_file::get();
        let model =
            model_flag.map(String::from).or_else(|| var("SLEUTH_MODEL")).or_else(|| file.model.clone())?;
        let azure_endpoint = var("AZURE_OPENAI_ENDPOINT");
        Some(LlmSettings {
            model,
            base_url: var("OPENAI_BASE_URL").or_else(|| file.base_url.clone()),
            api_key: if azure_endpoint.is_some() {
                var("AZURE_OPENAI_API_KEY")
            } else {
                var("OPENAI_API_KEY")
            },
            azure_endpoint,
            azure_api_version: var("AZURE_OPENAI_API_VERSION"),
            context_tokens: 24_000,
        })
    }

    /// Where requests go, for messages.
    pub fn endpoint(&self) -> String {
        self.azure_endpoint
            .clone()
            .or_else(|| self.base_url.clone())
            .unwrap_or_else(|| "https://api.openai.com/v1".into())
    }
}

impl crate::model::TextModel for LlmPolicy {
    fn name(&self) -> &str {
        self.model()
    }

    fn complete(&self, system: &str, user: &str) -> impl Future<Output = Result<String, String>> + Send {
        LlmPolicy::complete(self, system, user)
    }
}

/// Rough token count: about four characters per token for English and code.
pub fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(4) + 4
}

/// How long connecting to the model's server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the model's server may stay silent (before the first byte, or between chunks of a
/// stream) before the request is given up.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// One HTTP client for every model request of the process: a server's conversations share
/// its connection pool instead of opening one each.
fn http_client() -> reqwest::Client {
    static CLIENT: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(IDLE_TIMEOUT)
            .build()
            .unwrap_or_default()
    });
    CLIENT.clone()
}

/// The model-driven policy.
pub struct LlmPolicy {
    client: Client<Box<dyn Config>>,
    settings: LlmSettings,
}

impl LlmPolicy {
    /// A client for `settings` (no request is made yet).
    pub fn new(settings: LlmSettings) -> LlmPolicy {
        // kube and reqwest share one rustls provider; choose it before the first connection.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config: Box<dyn Config> = if let Some(endpoint) = &settings.azure_endpoint {
            Box::new(
                AzureConfig::new()
                    .with_api_base(endpoint)
                    .with_deployment_id(&settings.model)
                    .with_api_version(
                        settings.azure_api_version.clone().unwrap_or_else(|| "2024-10-21".into()),
                    )
                    .with_api_key(settings.api_key.clone().unwrap_or_default()),
            )
        } else {
            let mut c = OpenAIConfig::new().with_api_key(settings.api_key.clone().unwrap_or_default());
            if let Some(base) = &settings.base_url {
                c = c.with_api_base(base);
            }
            Box::new(c)
        };
        LlmPolicy { client: Client::with_config(config).with_http_client(http_client()), settings }
    }

    fn messages(&self, conv: &Conversation, tools: &ToolBox) -> Vec<Value> {
        let system = prompts::render(
            "system.md",
            json!({"cluster": tools.cluster.as_ref().map_or_else(|| "no cluster configured".to_string(), cluster::ClusterSource::describe), "namespace": tools.namespace}),
        )
        .unwrap_or_default();
        let mut msgs = vec![json!({"role": "system", "content": system})];
        for m in &conv.messages {
            msgs.push(match m.role {
                Role::User => json!({"role": "user", "content": m.content}),
                Role::Assistant if !m.tool_calls.is_empty() => json!({
                    "role": "assistant",
                    "content": null,
                    "tool_calls": m.tool_calls.iter().map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.args.to_string()}})).collect::<Vec<_>>(),
                }),
                Role::Assistant => json!({"role": "assistant", "content": m.content}),
                Role::Tool => json!({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content}),
            });
        }
        fit_context(&mut msgs, self.settings.context_tokens);
        msgs
    }

    /// The model's next step; `Err` says why the model could not be used (the caller decides
    /// what happens then: the policy-level fallback).
    pub async fn next(
        &mut self,
        conv: &Conversation,
        tools: &ToolBox,
        force_answer: bool,
        events: &UnboundedSender<Event>,
    ) -> Result<Step, String> {
        let mut request =
            json!({"model": self.settings.model, "messages": self.messages(conv, tools), "stream": true});
        if !force_answer {
            let specs: Vec<Value> = tools.specs().iter().map(|s| json!({"type": "function", "function": {"name": s.name, "description": s.description, "parameters": s.parameters}})).collect();
            if !specs.is_empty() {
                request["tools"] = json!(specs);
                request["tool_choice"] = json!("auto");
            }
        }
        let mut stream = self.open_stream(request).await?;
        let mut content = String::new();
        let mut calls: BTreeMap<u64, (Option<String>, String, String)> = BTreeMap::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("the stream broke off: {}", self.explain(&e)))?;
            if let Some(err) = chunk.get("error") {
                return Err(format!("the server sent an error mid-stream: {err}"));
            }
            for choice in chunk["choices"].as_array().into_iter().flatten() {
                let delta = &choice["delta"];
                if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
                    content.push_str(text);
                    let _ = events.send(Event::TextDelta(text.to_string()));
                }
                for (pos, tc) in delta["tool_calls"].as_array().into_iter().flatten().enumerate() {
                    let index = tc["index"].as_u64().unwrap_or(pos as u64);
                    let entry = calls.entry(index).or_insert((None, String::new(), String::new()));
                    if let Some(id) = tc["id"].as_str().filter(|i| !i.is_empty()) {
                        entry.0 = Some(id.to_string());
                    }
                    if let Some(name) = tc["function"]["name"].as_str() {
                        entry.1.push_str(name);
                    }
                    if let Some(args) = tc["function"]["arguments"].as_str() {
                        entry.2.push_str(args);
                    }
                }
            }
        }
        if !calls.is_empty() && !force_answer {
            let n = conv.trace.len();
            let calls = calls
                .into_iter()
                .map(|(i, (id, name, args))| {
                    // Malformed arguments reach the tool as a string; it answers with an error
                    // the model can read and correct.
                    let args = if args.trim().is_empty() {
                        json!({})
                    } else {
                        serde_json::from_str(&args).unwrap_or(Value::String(args))
                    };
                    ToolCall { id: id.unwrap_or_else(|| format!("call_{n}_{i}")), name, args }
                })
                .collect();
            return Ok(Step::Call(calls));
        }
        if content.trim().is_empty() {
            return Err("the model returned an empty answer".into());
        }
        let sources = conv.this_turn().flat_map(|t| t.output.sources.clone()).collect();
        Ok(Step::Answer(Draft { markdown: content, sources }))
    }

    /// One completion without tools: a system and a user message in, the whole text out.
    pub async fn complete(&self, system: &str, user: &str) -> Result<String, String> {
        let request = json!({
            "model": self.settings.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "stream": true,
        });
        let mut stream = self.open_stream(request).await?;
        let mut content = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("the stream broke off: {}", self.explain(&e)))?;
            if let Some(err) = chunk.get("error") {
                return Err(format!("the server sent an error mid-stream: {err}"));
            }
            for choice in chunk["choices"].as_array().into_iter().flatten() {
                if let Some(text) = choice["delta"]["content"].as_str() {
                    content.push_str(text);
                }
            }
        }
        if content.trim().is_empty() {
            return Err("the model returned an empty answer".into());
        }
        Ok(content)
    }

    /// The model's name, for notes.
    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// Open the stream. async-openai already retries 429/5xx with exponential backoff and honours
    /// `Retry-After`; when those retries are spent, a few more follow here with jitter, so that
    /// several sleuth processes throttled together do not retry in lockstep.
    async fn open_stream(
        &self,
        request: Value,
    ) -> Result<futures::stream::BoxStream<'static, Result<Value, OpenAIError>>, String> {
        let mut attempt = 0u32;
        loop {
            match self.client.chat().create_stream_byot::<Value, Value>(request.clone()).await {
                Ok(s) => return Ok(s.boxed()),
                Err(OpenAIError::ApiError(r))
                    if attempt < 2 && (r.status_code.as_u16() == 429 || r.status_code.is_server_error()) =>
                {
                    attempt += 1;
                    let nanos = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_nanos());
                    let jitter = 0.5 + f64::from(nanos % 1000) / 1000.0;
                    let delay =
                        std::time::Duration::from_millis(500).mul_f64(jitter * f64::from(1u32 << attempt));
                    tracing::warn!(status = %r.status_code, ?delay, "model server still refusing; retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return Err(self.explain(&e)),
            }
        }
    }

    fn explain(&self, e: &OpenAIError) -> String {
        match e {
            OpenAIError::ApiError(r) if r.status_code.as_u16() == 401 || r.status_code.as_u16() == 403 => {
                format!(
                    "{} refused the API key ({}); set OPENAI_API_KEY (or AZURE_OPENAI_API_KEY)",
                    self.settings.endpoint(),
                    r.status_code
                )
            }
            OpenAIError::ApiError(r) if r.status_code.as_u16() == 404 => {
                format!(
                    "model {:?} was not found at {} ({})",
                    self.settings.model,
                    self.settings.endpoint(),
                    r.api_error.message
                )
            }
            OpenAIError::Reqwest(r) if r.is_connect() => {
                format!("cannot connect to {}", self.settings.endpoint())
            }
            other => other.to_string(),
        }
    }
}

/// Drop the oldest tool results until the conversation fits, never the system prompt or the
/// latest user message.
pub fn fit_context(msgs: &mut [Value], budget: usize) {
    let total = |m: &[Value]| m.iter().map(|v| estimate_tokens(&v.to_string())).sum::<usize>();
    let last_user = msgs.iter().rposition(|m| m["role"] == "user").unwrap_or(0);
    let mut i = 1;
    while total(msgs) > budget && i < msgs.len() {
        if msgs[i]["role"] == "tool"
            && i < last_user
            && msgs[i]["content"].as_str().is_some_and(|c| c.len() > 80)
        {
            msgs[i]["content"] = json!("[older tool output dropped to fit the context window]");
        }
        i += 1;
    }
    // Still too long: drop this turn's oldest tool outputs too, keeping their first lines.
    let mut j = 1;
    while total(msgs) > budget && j < msgs.len() {
        if msgs[j]["role"] == "tool" {
            let first: String =
                msgs[j]["content"].as_str().unwrap_or("").lines().take(5).collect::<Vec<_>>().join("\n");
            msgs[j]["content"] = json!(format!("{first}\n[rest dropped to fit the context window]"));
        }
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_tool_results_go_first_and_the_question_stays() {
        let big = "x".repeat(4000);
        let mut msgs = vec![
            json!({"role": "system", "content": "system prompt"}),
            json!({"role": "user", "content": "first question"}),
            json!({"role": "tool", "tool_call_id": "a", "content": big}),
            json!({"role": "user", "content": "latest question"}),
            json!({"role": "tool", "tool_call_id": "b", "content": "recent result"}),
        ];
        fit_context(&mut msgs, 200);
        assert_eq!(msgs[0]["content"], "system prompt");
        assert!(msgs[2]["content"].as_str().unwrap().contains("dropped"));
        assert_eq!(msgs[3]["content"], "latest question");
        assert_eq!(msgs[4]["content"], "recent result");
    }
}
