//! The policies that drive the loop, and the fallback that lets the offline policy finish a turn
//! the model could not.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::llm::{LlmPolicy, LlmSettings};
use super::offline::OfflinePolicy;
use super::toolbox::ToolBox;
use super::types::{Conversation, Event, Step};

/// The policies that drive the loop.
pub enum Policy {
    /// Deterministic, no model.
    Offline(OfflinePolicy),
    /// An OpenAI-compatible model, with the offline policy as fallback.
    Llm(Box<Fallback>),
}

impl Policy {
    /// The policy the environment asks for: a model when one is configured, else offline.
    pub fn from_settings(settings: Option<LlmSettings>) -> Policy {
        match settings {
            Some(s) => Policy::Llm(Box::new(Fallback::new(LlmPolicy::new(s), OfflinePolicy::default()))),
            None => Policy::Offline(OfflinePolicy::default()),
        }
    }

    /// The model behind the policy, if any.
    pub fn model(&self) -> Option<&LlmPolicy> {
        match self {
            Policy::Offline(_) => None,
            Policy::Llm(f) => Some(&f.primary),
        }
    }

    pub(super) async fn next(
        &mut self,
        conv: &Conversation,
        tools: &ToolBox,
        force_answer: bool,
        events: &UnboundedSender<Event>,
        until: Instant,
    ) -> Step {
        match self {
            Policy::Offline(p) => p.next(conv, tools, force_answer).await,
            Policy::Llm(p) => p.next(conv, tools, force_answer, events, until).await,
        }
    }
}

/// The model first; once it fails in a turn (bad key, unknown model, a broken stream), the
/// offline policy finishes that turn and its answer says why.
pub struct Fallback {
    primary: LlmPolicy,
    offline: OfflinePolicy,
    /// The turn the model was given up in, and why.
    failed: Option<(usize, String)>,
}

impl Fallback {
    /// The model with the offline policy behind it.
    pub fn new(primary: LlmPolicy, fallback: OfflinePolicy) -> Fallback {
        Fallback { primary, offline: fallback, failed: None }
    }

    /// The next step: ask the model, or (once it failed this turn) the offline policy. The
    /// model has until `until` (the turn's deadline), however long its stream keeps trickling.
    pub async fn next(
        &mut self,
        conv: &Conversation,
        tools: &ToolBox,
        force_answer: bool,
        events: &UnboundedSender<Event>,
        until: Instant,
    ) -> Step {
        if self.failed.as_ref().is_none_or(|(turn, _)| *turn != conv.turns) {
            let asked = self.primary.next(conv, tools, force_answer, events);
            let result = tokio::time::timeout_at(until.into(), asked)
                .await
                .unwrap_or_else(|_| Err("no answer from the model within the turn's deadline".to_string()));
            match result {
                Ok(step) => return step,
                Err(why) => {
                    let _ = events.send(Event::Error(format!("model failed: {why}; answering offline")));
                    self.failed = Some((conv.turns, why));
                }
            }
        }
        let why = self.failed.as_ref().map(|(_, w)| w.clone()).unwrap_or_default();
        match self.offline.next(conv, tools, force_answer).await {
            Step::Answer(mut d) => {
                d.markdown.push_str(&format!(
                    "\n_The model ({}) could not be used: {why}. This is sleuth's offline answer._\n",
                    self.primary.model()
                ));
                Step::Answer(d)
            }
            other @ Step::Call(_) => other,
        }
    }
}
