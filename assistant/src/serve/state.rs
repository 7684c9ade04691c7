//! What every request handler shares: the tools, the model, the conversation store, metrics,
//! the concurrency limits and the Slack client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::{metrics, store, webapi};
use crate::agent::llm::LlmSettings;
use crate::agent::offline::OfflinePolicy;
use crate::agent::{Agent, Answer, Event, Policy, ToolBox};

/// Everything a request handler needs.
pub struct AppState {
    /// The agent's tools (index and cluster).
    pub tools: ToolBox,
    /// The model, when one is configured.
    pub llm: Option<LlmSettings>,
    /// Conversations.
    pub store: Arc<store::Store>,
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
        // The store is files: read and write them off the runtime's threads.
        let (store, k) = (self.store.clone(), key.to_string());
        agent.conversation = tokio::task::spawn_blocking(move || store.load(&k))
            .await
            .map_err(|e| format!("loading the conversation failed: {e}"))?;
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
        let (store, k, conversation) = (self.store.clone(), key.to_string(), agent.conversation.clone());
        match tokio::task::spawn_blocking(move || store.save(&k, &conversation)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not save the conversation"),
            Err(e) => tracing::warn!(error = %e, "saving the conversation failed"),
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
        let specs = self.tools.specs();
        let tools: Vec<&str> = specs.iter().map(|s| s.name).collect();
        self.metrics.turn(front, &answer, &tools, model, started.elapsed().as_secs_f64());
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
