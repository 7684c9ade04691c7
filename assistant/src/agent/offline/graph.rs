//! Answers about a causal graph: the explanation the graph tools wrote, with the team's
//! documents about its top cause.

use serde_json::{Value, json};

use super::compose::{ScriptVars, doc_source, finish, hits, script_vars, snippet};
use crate::agent::toolbox::Mode;
use crate::agent::types::{Conversation, Draft};

/// A word of the question naming a `.json` or `.dot` file: on one's own machine only one that
/// exists; in a server any such word, unchecked (the tool then refuses to read it, and the
/// server's file system is never even looked at).
pub(super) fn graph_path(question: &str, mode: Mode) -> Option<String> {
    question
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '`' || c == '"' || c == '\'' || c == ',' || c == '?'))
        .find(|w| {
            (w.ends_with(".json") || w.ends_with(".dot"))
                && (mode == Mode::Server || std::path::Path::new(w).is_file())
        })
        .map(String::from)
}

/// The answer to a graph question: the explanation the graph tools wrote, or why there is none.
pub(super) fn graph_answer(conv: &Conversation) -> Draft {
    let notes = ["Answered offline, without a language model.".to_string()];
    let done = conv.this_turn().find(|t| matches!(t.call.name.as_str(), "explain_graph" | "build_graph"));
    let Some(t) = done else {
        return finish(
            prompts::render(
                "answer/graph.md",
                json!({"problem": null, "hint": "Paste an rcagraph/v1 JSON or DOT graph in a code block, name a graph file, or point sleuth at a cluster (--snapshot or --context) to build one from its events."}),
            ),
            Vec::new(),
            &[],
            &notes,
        );
    };
    if !t.output.ok {
        return finish(
            prompts::render(
                "answer/graph.md",
                json!({"problem": t.output.text, "hint": "Fix these and paste the graph again."}),
            ),
            Vec::new(),
            &[],
            &notes,
        );
    }
    let steps: Vec<ScriptVars> = t.output.data["next_steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let code = s["code"].as_str()?.to_string();
            let purpose = s["purpose"].as_str().unwrap_or("").to_string();
            script_vars(&purpose, &[code])
        })
        .take(3)
        .collect();
    let mut body = t.output.data["narrative"].as_str().unwrap_or(&t.output.text).to_string();
    let mut sources = t.output.sources.clone();
    let docs = hits(conv, |t| t.call.args.get("round").and_then(Value::as_u64) == Some(2));
    if !docs.is_empty() {
        body.push_str("\nFrom the team's documents:\n\n");
        for h in docs.iter().take(3) {
            let heading = if h.heading.is_empty() { String::new() } else { format!(" ({})", h.heading) };
            body.push_str(&format!("- **{}**{heading}: {}\n", h.title, snippet(h)));
            sources.push(doc_source(h));
        }
    }
    finish(Ok(body), sources, &steps, &notes)
}
