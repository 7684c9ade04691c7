//! What the loop, the policies and the front ends share: the conversation and its messages,
//! tool calls and their trace, a policy's next step, the events of a turn and the answer.

use serde::Serialize;
use serde_json::Value;

use super::toolbox::{Source, ToolOutput};
use crate::scripts::Script;

/// What a front end sees while a turn runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A tool started.
    ToolStarted {
        /// Tool name.
        name: String,
        /// Its arguments.
        args: Value,
    },
    /// A tool finished.
    ToolFinished {
        /// Tool name.
        name: String,
        /// First line of its output.
        summary: String,
        /// How long it took.
        elapsed_ms: u64,
        /// Whether it worked.
        ok: bool,
    },
    /// A piece of the answer as it is written.
    TextDelta(String),
    /// The finished answer.
    Answer(Box<Answer>),
    /// Something went wrong (the turn still ends with an answer).
    Error(String),
}

/// One tool call as recorded in the answer.
#[derive(Debug, Clone, Serialize)]
pub struct ToolCallRecord {
    /// Tool name.
    pub name: String,
    /// Its arguments.
    pub args: Value,
    /// How long it took.
    pub elapsed_ms: u64,
    /// Whether it worked.
    pub ok: bool,
}

/// The answer contract (DESIGN §2).
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Markdown.
    pub answer: String,
    /// What it is based on.
    pub sources: Vec<Source>,
    /// Suggested scripts, each classified.
    pub scripts: Vec<Script>,
    /// Tools called during the turn.
    pub tool_calls: Vec<ToolCallRecord>,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// The answer is about the bundled demo workspace, not the user's cluster or documents.
    pub demo: bool,
    /// The last causal graph the turn explained or built, for front ends that draw it (Slack);
    /// not part of the JSON contract.
    #[serde(skip)]
    pub graph: Option<std::sync::Arc<rcagraph::Explanation>>,
}

/// A tool call a policy asks for.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ToolCall {
    /// Call id (models send one; the loop makes one up when they do not).
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Arguments.
    pub args: Value,
}

/// A finished tool call with its full output, for the trace and the offline policy.
#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry {
    /// The call.
    pub call: ToolCall,
    /// Its whole output.
    pub output: ToolOutput,
    /// How long it took.
    pub elapsed_ms: u64,
    /// The turn it belongs to (0-based).
    pub turn: usize,
}

/// Who said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person.
    User,
    /// sleuth (answers, and requests for tool calls).
    Assistant,
    /// A tool result.
    Tool,
}

/// One message of the conversation.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// Its text (a tool result cut to the budget).
    pub content: String,
    /// Tool calls an assistant message asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The call a tool message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// A conversation: messages, the full trace of tool calls, and its id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Conversation {
    /// Stable id (REPL session, Slack thread, API conversation).
    pub id: String,
    /// Messages so far.
    pub messages: Vec<Message>,
    /// Every tool call with its full output.
    pub trace: Vec<TraceEntry>,
    /// Turns so far.
    pub turns: usize,
}

impl Conversation {
    /// A new conversation with a random-enough id.
    pub fn new() -> Conversation {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Conversation { id: format!("c-{nanos:x}"), ..Conversation::default() }
    }

    /// The latest user message.
    pub fn question(&self) -> &str {
        self.messages.iter().rev().find(|m| m.role == Role::User).map_or("", |m| m.content.as_str())
    }

    /// Trace entries of the current turn.
    pub fn this_turn(&self) -> impl Iterator<Item = &TraceEntry> {
        let turn = self.turns.saturating_sub(1);
        self.trace.iter().filter(move |t| t.turn == turn)
    }
}

/// A policy's next move.
#[derive(Debug, Clone)]
pub enum Step {
    /// Run these tools.
    Call(Vec<ToolCall>),
    /// The answer (markdown) and what it cites.
    Answer(Draft),
}

/// An answer before the loop adds scripts and tool records.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Markdown.
    pub markdown: String,
    /// Sources cited.
    pub sources: Vec<Source>,
}
