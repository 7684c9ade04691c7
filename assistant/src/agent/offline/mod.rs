//! The offline policy: deterministic, no model, the reference the scenarios run against.
//!
//! It routes a question by intent (failure, changes, architecture, script request, graph
//! explanation) in the capture's own vocabulary, calls the same tools a model would, in at most
//! two rounds, and writes the answer from the `prompts` templates: the direct answer first, then
//! the evidence, the team's documents and where things are defined, then sources and a
//! read-only script. Failures are answered from the root-cause engine (`investigate`): the
//! top cause with its tag and proving fact, the chain, competing hypotheses, and the documents
//! and Terraform about the objects it names.
//!
//! `route` decides what a question is about and what it names; the policy below picks the tool
//! calls for each round; `failure`, `changes`, `architecture`, `script` and `graph` write one
//! kind of answer each, from the pieces in `compose`.

mod architecture;
mod changes;
mod compose;
mod failure;
mod graph;
mod route;
mod script;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use super::toolbox::ToolBox;
use super::toolbox::Vocabulary;
use super::types::{Conversation, Draft, Step};
use architecture::{architecture, asked_and_on_topic};
use compose::call;
use failure::{failure, investigation};
use graph::{graph_answer, graph_path};
use route::workload_ns;
pub use route::{Intent, Mentions, intent, mentions, since};
use script::script;

/// What the policy knows about the current turn.
struct TurnState {
    intent: Intent,
    m: Mentions,
    question: String,
    force_answer: bool,
    done_round_1: bool,
    done_round_2: bool,
}

/// The offline policy's per-turn state.
#[derive(Default)]
pub struct OfflinePolicy {
    vocab: Option<Vocabulary>,
}

impl OfflinePolicy {
    /// A policy that knows the cluster's names already (a server shares one list across
    /// turns instead of reading the cluster again for each question).
    pub fn with_vocabulary(vocab: Vocabulary) -> OfflinePolicy {
        OfflinePolicy { vocab: Some(vocab) }
    }

    /// The cluster's names, read once per policy (never copied per step: a large cluster has
    /// tens of thousands of them).
    fn vocab(&self) -> &Vocabulary {
        static NONE: std::sync::LazyLock<Vocabulary> = std::sync::LazyLock::new(Vocabulary::default);
        self.vocab.as_ref().unwrap_or(&NONE)
    }

    /// Decide the next step for the conversation's current turn.
    pub async fn next(&mut self, conv: &Conversation, tools: &ToolBox, force_answer: bool) -> Step {
        if self.vocab.is_none() {
            self.vocab = Some(tools.vocabulary().await);
        }
        let vocab = self.vocab();
        let question = conv.question().to_string();
        let m = mentions(&question, vocab);
        let intent = intent(&question, vocab, &m);
        // Rounds are counted by the policy's own calls (tagged with their round), not by the
        // calls a model made earlier in a turn this policy is finishing.
        let round =
            |n: u64| conv.this_turn().any(|t| t.call.args.get("round").and_then(Value::as_u64) == Some(n));
        let (done_round_1, done_round_2) = (round(1), round(2));
        let turn = TurnState { intent, m, question, force_answer, done_round_1, done_round_2 };
        let step = self.decide(conv, tools, &turn);
        match step {
            Step::Call(mut calls) if !done_round_1 => {
                for c in &mut calls {
                    if let Some(args) = c.args.as_object_mut() {
                        args.entry("round").or_insert(json!(1));
                    }
                }
                Step::Call(calls)
            }
            other => other,
        }
    }

    fn decide(&self, conv: &Conversation, tools: &ToolBox, turn: &TurnState) -> Step {
        let TurnState { intent, m, question, force_answer, done_round_1, done_round_2 } = turn;
        let (intent, force_answer, done_round_1, done_round_2) =
            (*intent, *force_answer, *done_round_1, *done_round_2);
        let question = question.as_str();
        let vocab = self.vocab();
        let has_cluster = tools.cluster.is_some();
        let has_docs = tools.searcher.is_some();
        if force_answer {
            return Step::Answer(self.compose(conv, intent, m, question));
        }
        match intent {
            Intent::Failure if !done_round_1 => {
                let mut calls = Vec::new();
                if has_cluster {
                    let names: Vec<&String> = m.entities.iter().chain(&m.unknown).collect();
                    calls.push(call("investigate", json!({"names": names, "namespace": m.namespace})));
                }
                if has_docs {
                    calls.push(call("search_docs", json!({"query": question, "k": 5})));
                    if !m.entities.is_empty() {
                        calls.push(call(
                            "search_docs",
                            json!({"query": format!("runbook {}", m.entities.join(" ")), "k": 3}),
                        ));
                    }
                }
                if calls.is_empty() {
                    Step::Answer(self.compose(conv, intent, m, question))
                } else {
                    Step::Call(calls)
                }
            }
            Intent::Failure if !done_round_2 && has_docs => {
                // Round 2: the team's documents about the top cause, and the Terraform behind
                // the node groups involved (named by the nodes' own labels).
                let mut calls = Vec::new();
                if let Some(inv) = investigation(conv) {
                    if let Some(top) = inv.top() {
                        let words = top.cause.replace(['/', '-'], " ");
                        calls.push(call(
                            "search_docs",
                            json!({"query": format!("{} {words}", top.object.name), "k": 3, "round": 2}),
                        ));
                    }
                    let mut groups: Vec<&str> = inv.nodes.iter().filter_map(|n| n.group.as_deref()).collect();
                    groups.dedup();
                    for g in groups.into_iter().take(2) {
                        calls.push(call(
                            "search_docs",
                            json!({"query": format!("{g} node group"), "kind": "terraform", "k": 3, "round": 2}),
                        ));
                    }
                }
                if calls.is_empty() {
                    Step::Answer(self.compose(conv, intent, m, question))
                } else {
                    Step::Call(calls)
                }
            }
            Intent::Changes if !done_round_1 && has_cluster => Step::Call(vec![call(
                "changes",
                json!({"since": format!("{}s", since(question).as_secs()), "namespace": m.namespace}),
            )]),
            Intent::Architecture if !done_round_1 && has_docs => {
                let mut calls = vec![
                    call("search_docs", json!({"query": question, "k": 5})),
                    call("search_docs", json!({"query": question, "kind": "terraform", "k": 3})),
                ];
                // The pods of the object it names in full ("in which order" names no `orders`).
                if let Some(named) =
                    m.entities.iter().find(|e| !m.shortened.contains(e)).filter(|_| has_cluster)
                {
                    calls.push(call(
                        "list_resources",
                        json!({"kind": "pods", "namespace": workload_ns(vocab, named)}),
                    ));
                }
                Step::Call(calls)
            }
            Intent::Graph if done_round_1 && !done_round_2 && has_docs => {
                // Round 2: the team's documents about the top cause (runbooks, service pages).
                let entity = conv
                    .this_turn()
                    .find(|t| matches!(t.call.name.as_str(), "explain_graph" | "build_graph") && t.output.ok)
                    .and_then(|t| t.output.data["top_entity"]["name"].as_str().map(String::from));
                match entity {
                    Some(name) => Step::Call(vec![call(
                        "search_docs",
                        json!({"query": format!("{name} runbook"), "k": 3, "round": 2}),
                    )]),
                    None => Step::Answer(self.compose(conv, intent, m, question)),
                }
            }
            Intent::Graph if !done_round_1 => {
                if let Some(graph) = crate::graphs::extract(question) {
                    Step::Call(vec![call("explain_graph", json!({"graph": graph}))])
                } else if let Some(path) = graph_path(question, tools.mode) {
                    Step::Call(vec![call("explain_graph", json!({"path": path}))])
                } else if has_cluster {
                    Step::Call(vec![call(
                        "build_graph",
                        m.namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns})),
                    )])
                } else {
                    Step::Answer(self.compose(conv, intent, m, question))
                }
            }
            Intent::Script if !done_round_1 && (has_cluster || has_docs) => {
                let mut calls = Vec::new();
                if has_cluster {
                    calls.push(call(
                        "diagnose",
                        m.namespace.as_ref().map_or(json!({}), |ns| json!({"namespace": ns})),
                    ));
                }
                if has_docs && script::for_the_documents(question, m) {
                    calls.push(call("search_docs", json!({"query": question, "k": 5})));
                }
                Step::Call(calls)
            }
            _ => Step::Answer(self.compose(conv, intent, m, question)),
        }
    }

    fn compose(&self, conv: &Conversation, intent: Intent, m: &Mentions, question: &str) -> Draft {
        let vocab = self.vocab();
        match intent {
            Intent::Failure => failure(conv, m),
            Intent::Changes => changes::changes(conv, m),
            Intent::Architecture => architecture(conv, m, vocab),
            // A how-to for the documents, which they answer on topic.
            Intent::Script
                if script::for_the_documents(question, m) && !asked_and_on_topic(conv).is_empty() =>
            {
                architecture(conv, m, vocab)
            }
            Intent::Script => script(conv, m, question, vocab),
            Intent::Graph => graph_answer(conv),
        }
    }
}
