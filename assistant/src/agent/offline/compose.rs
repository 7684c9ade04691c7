//! Pieces every offline answer is made of: the tool calls, the trace read back, document
//! sources and snippets, scripts, and the closing sections.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use retriever::Hit;

use crate::agent::toolbox::{DocsFound, Source};
use crate::agent::types::{Conversation, Draft, ToolCall, TraceEntry};
use crate::scripts::classify;

pub(super) fn call(name: &str, args: Value) -> ToolCall {
    ToolCall { id: String::new(), name: name.to_string(), args }
}

pub(super) fn outputs<'a>(
    conv: &'a Conversation,
    tool: &'a str,
) -> impl Iterator<Item = &'a TraceEntry> + 'a {
    conv.this_turn().filter(move |t| t.call.name == tool && t.output.ok)
}

/// What the `search_docs` calls of this turn that `filter` keeps found, read back as data
/// (from the trace's value as it is, not a copy of it: an answer reads it several times).
fn found<'a>(
    conv: &'a Conversation,
    filter: impl Fn(&TraceEntry) -> bool + 'a,
) -> impl Iterator<Item = DocsFound> + 'a {
    outputs(conv, "search_docs")
        .filter(move |t| filter(t))
        .filter_map(|t| DocsFound::deserialize(&t.output.data).ok())
}

/// The documents those calls found, each once, in the order found.
pub(super) fn hits(conv: &Conversation, filter: impl Fn(&TraceEntry) -> bool) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    for h in found(conv, filter).flat_map(|f| f.hits) {
        if !out.iter().any(|o| o.doc_id == h.doc_id) {
            out.push(h);
        }
    }
    out
}

/// The names of the question those calls found no document holding, each once.
pub(super) fn unheld(conv: &Conversation, filter: impl Fn(&TraceEntry) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in found(conv, filter).flat_map(|f| f.unheld) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

pub(super) fn doc_source(h: &Hit) -> Source {
    Source {
        title: h.title.clone(),
        kind: h.kind.clone(),
        location: crate::output::display_location(&h.location),
        snippet: h.snippet.clone(),
    }
}

/// A hit's snippet without the highlight markers, on one line.
pub(super) fn snippet(h: &Hit) -> String {
    let s = h.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    prompts::ellipsis(&s, 240)
}

/// A script for the answer's closing section.
#[derive(Serialize)]
pub(super) struct ScriptVars {
    label: String,
    purpose: String,
    code: String,
}

pub(super) fn script_vars(purpose: &str, lines: &[String]) -> Option<ScriptVars> {
    let mut unique: Vec<&String> = Vec::new();
    for l in lines {
        if !unique.contains(&l) {
            unique.push(l);
        }
    }
    if unique.is_empty() {
        return None;
    }
    let code = unique.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n");
    Some(ScriptVars { label: classify(&code).label().to_string(), purpose: purpose.to_string(), code })
}

pub(super) fn finish(
    body: Result<String, prompts::PromptError>,
    sources: Vec<Source>,
    scripts: &[ScriptVars],
    notes: &[String],
) -> Draft {
    let body = body.unwrap_or_else(|e| format!("**Internal error rendering the answer:** {e}"));
    let mut shown: Vec<Value> = Vec::new();
    for s in &sources {
        let v = json!({"title": s.title, "location": s.location});
        if !shown.contains(&v) && shown.len() < 8 {
            shown.push(v);
        }
    }
    let tail = prompts::render("sections.md", json!({"sources": shown, "scripts": scripts, "notes": notes}))
        .unwrap_or_default();
    Draft { markdown: format!("{body}\n{tail}").trim_end().to_string() + "\n", sources }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
