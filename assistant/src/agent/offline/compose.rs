//! Pieces every offline answer is made of: the tool calls, the trace read back, document
//! sources and snippets, scripts, and the closing sections.

use serde::Serialize;
use serde_json::{Value, json};

use crate::agent::toolbox::Source;
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

pub(super) fn hits(conv: &Conversation, filter: impl Fn(&TraceEntry) -> bool) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for t in conv.this_turn().filter(|t| t.call.name == "search_docs" && t.output.ok && filter(t)) {
        for h in t.output.data.as_array().into_iter().flatten() {
            if !out.iter().any(|o| o["doc_id"] == h["doc_id"]) {
                out.push(h.clone());
            }
        }
    }
    out
}

pub(super) fn doc_source(h: &Value) -> Source {
    Source {
        title: h["title"].as_str().unwrap_or("").to_string(),
        kind: h["kind"].as_str().unwrap_or("").to_string(),
        location: crate::output::display_location(h["location"].as_str().unwrap_or("")),
        snippet: h["snippet"].as_str().unwrap_or("").to_string(),
    }
}

/// A hit's snippet without the highlight markers, on one line.
pub(super) fn snippet(h: &Value) -> String {
    let s = h["snippet"].as_str().unwrap_or("").replace('\n', " ");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
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
