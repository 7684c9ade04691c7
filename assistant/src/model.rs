//! A language model as the graph narrative needs it: one completion, text in, text out.
//!
//! The narrative code names this trait rather than the LLM policy, so explaining a graph does not
//! depend on the agent (which depends on the graph tools).

use std::future::Future;

/// Something that completes a text: the configured model, or a test double.
pub trait TextModel {
    /// The model's name, for messages ("the model (gpt-4o) could not be used: …").
    fn name(&self) -> &str;

    /// One completion without tools: a system and a user message in, the whole text out; `Err`
    /// says why the model could not be used.
    fn complete(&self, system: &str, user: &str) -> impl Future<Output = Result<String, String>> + Send;
}
