//! The agent loop (DESIGN §2): one loop for every front end.
//!
//! A turn adds the user's message to the [`Conversation`], then asks the [`Policy`] for the next
//! [`Step`]: tool calls, which run concurrently (each under a timeout) and whose output goes
//! back into the conversation cut to a budget (the full output is kept in the trace), or an
//! answer. After the step limit or the deadline the policy is asked to answer with what it has.
//! Front ends watch the [`Event`] stream; the result is an [`Answer`] (the JSON contract of
//! `sleuth ask --json`).

pub mod llm;
pub mod offline;
pub mod toolbox;

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

pub use toolbox::{Source, ToolBox, ToolOutput, ToolSpec};

use crate::scripts::{self, Script};

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

/// Limits of a turn.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Most policy steps per turn.
    pub step_limit: usize,
    /// Longest a tool may run.
    pub tool_timeout: Duration,
    /// Longest a turn may run.
    pub deadline: Duration,
    /// Characters of a tool's output that go back into the conversation (about 4 per token).
    pub budget_chars: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            step_limit: 8,
            tool_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            budget_chars: 6000,
        }
    }
}

/// The policies that drive the loop.
pub enum Policy {
    /// Deterministic, no model.
    Offline(offline::OfflinePolicy),
    /// An OpenAI-compatible model, with the offline policy as fallback.
    Llm(Box<llm::LlmPolicy>),
}

impl Policy {
    /// The policy the environment asks for: a model when one is configured, else offline.
    pub fn from_settings(settings: Option<llm::LlmSettings>) -> Policy {
        match settings {
            Some(s) => Policy::Llm(Box::new(llm::LlmPolicy::new(s))),
            None => Policy::Offline(offline::OfflinePolicy::default()),
        }
    }

    async fn next(
        &mut self,
        conv: &Conversation,
        tools: &ToolBox,
        force_answer: bool,
        events: &UnboundedSender<Event>,
    ) -> Step {
        match self {
            Policy::Offline(p) => p.next(conv, tools, force_answer).await,
            Policy::Llm(p) => p.next(conv, tools, force_answer, events).await,
        }
    }
}

/// Cut a tool's output to the budget, saying how much was left out.
pub fn cut(text: &str, budget: usize) -> String {
    if text.len() <= budget {
        return text.to_string();
    }
    let mut end = budget;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let kept = &text[..end];
    let kept = kept.rfind('\n').map_or(kept, |i| &kept[..i]);
    format!("{kept}\n… ({} more characters cut; the full output is in the trace)", text.len() - kept.len())
}

/// The agent: a tool box, a policy, limits and the conversation.
pub struct Agent {
    /// The tools.
    pub tools: ToolBox,
    /// What decides the next step.
    pub policy: Policy,
    /// Limits.
    pub settings: Settings,
    /// The conversation so far.
    pub conversation: Conversation,
}

impl Agent {
    /// A new agent with a fresh conversation.
    pub fn new(tools: ToolBox, policy: Policy) -> Agent {
        Agent { tools, policy, settings: Settings::default(), conversation: Conversation::new() }
    }

    /// One turn: the question in, the answer out, events on the way.
    pub async fn turn(&mut self, question: &str, events: &UnboundedSender<Event>) -> Answer {
        let started = Instant::now();
        self.conversation.turns += 1;
        let turn = self.conversation.turns - 1;
        self.conversation.messages.push(Message {
            role: Role::User,
            content: question.to_string(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        });
        let mut step_no = 0;
        let draft = loop {
            let late = started.elapsed() >= self.settings.deadline || step_no >= self.settings.step_limit;
            let step = self.policy.next(&self.conversation, &self.tools, late, events).await;
            step_no += 1;
            match step {
                Step::Answer(d) => break d,
                Step::Call(_) if late => {
                    let _ = events.send(Event::Error(
                        "step limit or deadline reached; answering with what is known".into(),
                    ));
                    break self.policy_answer_now(events).await;
                }
                Step::Call(calls) => self.run_calls(calls, turn, events).await,
            }
        };
        let answer = self.finish(draft, turn);
        let _ = events.send(Event::Answer(Box::new(answer.clone())));
        answer
    }

    async fn policy_answer_now(&mut self, events: &UnboundedSender<Event>) -> Draft {
        match self.policy.next(&self.conversation, &self.tools, true, events).await {
            Step::Answer(d) => d,
            Step::Call(_) => Draft {
                markdown: "**I could not finish this answer within the limits.**".into(),
                sources: Vec::new(),
            },
        }
    }

    async fn run_calls(&mut self, calls: Vec<ToolCall>, turn: usize, events: &UnboundedSender<Event>) {
        let mut set = tokio::task::JoinSet::new();
        for (i, mut call) in calls.into_iter().enumerate() {
            if call.id.is_empty() {
                call.id = format!("call_{turn}_{}_{i}", self.conversation.trace.len());
            }
            let _ = events.send(Event::ToolStarted { name: call.name.clone(), args: call.args.clone() });
            let tools = self.tools.clone();
            let timeout = self.settings.tool_timeout;
            set.spawn(async move {
                let t = Instant::now();
                let out = match tokio::time::timeout(timeout, tools.call(&call.name, &call.args)).await {
                    Ok(out) => out,
                    Err(_) => ToolOutput {
                        ok: false,
                        text: format!("{} timed out after {} s", call.name, timeout.as_secs()),
                        data: Value::Null,
                        sources: Vec::new(),
                    },
                };
                (i, call, out, t.elapsed().as_millis() as u64)
            });
        }
        let mut done = Vec::new();
        while let Some(Ok(r)) = set.join_next().await {
            let (_, call, out, ms) = &r;
            let summary = out.text.lines().next().unwrap_or("").chars().take(120).collect();
            let _ = events.send(Event::ToolFinished {
                name: call.name.clone(),
                summary,
                elapsed_ms: *ms,
                ok: out.ok,
            });
            done.push(r);
        }
        done.sort_by_key(|r| r.0);
        self.conversation.messages.push(Message {
            role: Role::Assistant,
            content: String::new(),
            tool_calls: done.iter().map(|r| r.1.clone()).collect(),
            tool_call_id: None,
        });
        for (_, call, out, ms) in done {
            self.conversation.messages.push(Message {
                role: Role::Tool,
                content: cut(&out.text, self.settings.budget_chars),
                tool_calls: Vec::new(),
                tool_call_id: Some(call.id.clone()),
            });
            self.conversation.trace.push(TraceEntry { call, output: out, elapsed_ms: ms, turn });
        }
    }

    fn finish(&mut self, draft: Draft, turn: usize) -> Answer {
        let mut sources: Vec<Source> = Vec::new();
        for s in draft.sources {
            if !sources.iter().any(|x| x.location == s.location) {
                sources.push(s);
            }
        }
        let tool_calls = self
            .conversation
            .trace
            .iter()
            .filter(|t| t.turn == turn)
            .map(|t| ToolCallRecord {
                name: t.call.name.clone(),
                args: t.call.args.clone(),
                elapsed_ms: t.elapsed_ms,
                ok: t.output.ok,
            })
            .collect();
        self.conversation.messages.push(Message {
            role: Role::Assistant,
            content: draft.markdown.clone(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        });
        Answer {
            scripts: scripts::extract(&draft.markdown),
            answer: draft.markdown,
            sources,
            tool_calls,
            conversation_id: self.conversation.id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn outputs_are_cut_at_a_line_and_say_so() {
        let text = "line one\nline two\nline three\n";
        assert_eq!(cut(text, 100), text);
        let c = cut(text, 14);
        assert!(c.starts_with("line one\n…"), "{c}");
        assert!(c.contains("more characters cut"));
    }
}
