//! The agent loop (DESIGN §2): one loop for every front end.
//!
//! A turn adds the user's message to the [`Conversation`], then asks the [`Policy`] for the next
//! [`Step`]: tool calls, which run concurrently (each under a timeout) and whose output goes
//! back into the conversation cut to a budget (the full output is kept in the trace), or an
//! answer. After the step limit or the deadline the policy is asked to answer with what it has.
//! Front ends watch the [`Event`] stream; the result is an [`Answer`] (the JSON contract of
//! `sleuth ask --json`).
//!
//! [`types`] holds what the loop, the policies and the front ends share; [`policy`] the policies
//! ([`offline`], [`llm`]) and the fallback between them; [`toolbox`] the tools and [`setup`] how
//! the command line builds them. Nothing here imports this module back: it only ties them
//! together.

mod args;
pub mod llm;
pub mod offline;
pub mod params;
pub mod policy;
pub mod rca;
pub mod setup;
pub mod toolbox;
pub mod types;

use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

pub use policy::{Fallback, Policy};
pub use toolbox::{DemoParts, Mode, Source, ToolBox, ToolOutput, ToolSpec};
pub use types::{
    Answer, Conversation, Draft, Event, Message, Role, Step, ToolCall, ToolCallRecord, TraceEntry,
};

use crate::scripts;

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
        if let Some(c) = &self.tools.cluster {
            c.new_turn();
        }
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
            let until = started + self.settings.deadline;
            let step = self.policy.next(&self.conversation, &self.tools, late, events, until).await;
            step_no += 1;
            match step {
                Step::Answer(d) => break d,
                Step::Call(_) if late => {
                    let _ = events.send(Event::Error(
                        "step limit or deadline reached; answering with what is known".into(),
                    ));
                    break self.policy_answer_now(events, until).await;
                }
                Step::Call(calls) => self.run_calls(calls, turn, events).await,
            }
        };
        let answer = self.finish(draft, turn);
        if let Some(c) = &self.tools.cluster {
            c.new_turn();
        }
        let _ = events.send(Event::Answer(Box::new(answer.clone())));
        answer
    }

    async fn policy_answer_now(&mut self, events: &UnboundedSender<Event>, until: Instant) -> Draft {
        match self.policy.next(&self.conversation, &self.tools, true, events, until).await {
            Step::Answer(d) => d,
            Step::Call(_) => Draft {
                markdown: "**I could not finish this answer within the limits.**".into(),
                sources: Vec::new(),
            },
        }
    }

    async fn run_calls(&mut self, calls: Vec<ToolCall>, turn: usize, events: &UnboundedSender<Event>) {
        let mut set = tokio::task::JoinSet::new();
        // Which call each task runs, so that a task that panics still answers its call.
        let mut running = std::collections::HashMap::new();
        for (i, mut call) in calls.into_iter().enumerate() {
            if call.id.is_empty() {
                call.id = format!("call_{turn}_{}_{i}", self.conversation.trace.len());
            }
            let _ = events.send(Event::ToolStarted { name: call.name.clone(), args: call.args.clone() });
            let tools = self.tools.clone();
            let timeout = self.settings.tool_timeout;
            let task_call = call.clone();
            let handle = set.spawn(async move {
                let call = task_call;
                let t = Instant::now();
                let out = match tokio::time::timeout(timeout, tools.call(&call.name, &call.args)).await {
                    Ok(out) => out,
                    Err(_) => {
                        ToolOutput::error(format!("{} timed out after {} s", call.name, timeout.as_secs()))
                    }
                };
                (i, call, out, t.elapsed().as_millis() as u64)
            });
            running.insert(handle.id(), (i, call, Instant::now()));
        }
        let mut done = Vec::new();
        while let Some(joined) = set.join_next_with_id().await {
            let r = match joined {
                Ok((_, r)) => r,
                // A tool that panicked is a failed call; the other calls keep their results.
                Err(e) => {
                    let Some((i, call, started)) = running.remove(&e.id()) else { continue };
                    let out =
                        ToolOutput::error(format!("{} failed unexpectedly: {}", call.name, panic_text(e)));
                    (i, call, out, started.elapsed().as_millis() as u64)
                }
            };
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
        // The turn's last graph, for front ends that draw it.
        let graph = self
            .conversation
            .trace
            .iter()
            .rev()
            .filter(|t| t.turn == turn)
            .find_map(|t| t.output.graph.clone());
        let demo = self.tools.demo.any();
        let answer = match self.tools.demo.note() {
            Some(note) => format!("{note}\n\n{}", draft.markdown),
            None => draft.markdown,
        };
        Answer {
            graph,
            scripts: scripts::extract(&answer),
            answer,
            sources,
            tool_calls,
            conversation_id: self.conversation.id.clone(),
            demo,
        }
    }
}

/// What a failed tool task says: its panic message, or that it was cancelled.
fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "it panicked".into()),
        Err(_) => "it was cancelled".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[tokio::test]
    async fn a_tool_that_panics_is_a_failed_call_and_the_others_keep_their_results() {
        let tools = super::ToolBox {
            searcher: None,
            cluster: None,
            namespace: None,
            demo: super::DemoParts::default(),
            mode: super::Mode::Local,
        };
        let mut agent = super::Agent::new(tools, super::Policy::from_settings(None));
        let call = |name: &str| super::ToolCall {
            id: String::new(),
            name: name.into(),
            args: serde_json::json!({}),
        };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        agent.run_calls(vec![call("test_panic"), call("list_namespaces")], 0, &tx).await;
        let trace = &agent.conversation.trace;
        assert_eq!(trace.len(), 2, "both calls answered");
        assert_eq!(trace[0].call.name, "test_panic");
        assert!(
            !trace[0].output.ok && trace[0].output.text.contains("failed unexpectedly: boom"),
            "{}",
            trace[0].output.text
        );
        assert_eq!(trace[1].call.name, "list_namespaces");
        // Every call has its tool message, so a model's next request stays well formed.
        let answered = agent.conversation.messages.iter().filter(|m| m.tool_call_id.is_some()).count();
        assert_eq!(answered, 2);
    }

    #[test]
    fn outputs_are_cut_at_a_line_and_say_so() {
        let text = "line one\nline two\nline three\n";
        assert_eq!(cut(text, 100), text);
        let c = cut(text, 14);
        assert!(c.starts_with("line one\n…"), "{c}");
        assert!(c.contains("more characters cut"));
    }
}
