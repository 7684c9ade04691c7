//! What a question is about (its intent) and which workloads and namespace it names.

use serde::Serialize;

use crate::agent::toolbox::Vocabulary;

/// What the question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// "why is grafana down", "what is wrong in namespace shop".
    Failure,
    /// "what does checkout depend on", "where is the orders database defined".
    Architecture,
    /// "how do I see the logs of the crashed container".
    Script,
    /// "explain this graph".
    Graph,
}

const FAILURE_WORDS: &[&str] = &[
    "why",
    "down",
    "fail",
    "failing",
    "failed",
    "broken",
    "unreachable",
    "crash",
    "crashing",
    "error",
    "errors",
    "wrong",
    "not working",
    "pending",
    "oom",
    "outage",
    "unavailable",
    "problem",
    "problems",
    "issue",
    "issues",
    "incident",
    "restarting",
    "slow",
    "unhealthy",
    "notready",
    "not ready",
    "evicted",
    "stuck",
];
const SCRIPT_STARTS: &[&str] = &[
    "how do i",
    "how can i",
    "how to",
    "what command",
    "which command",
    "give me a command",
    "show me how",
    "command to",
    "script to",
];

/// Which intent a question expresses.
pub fn intent(question: &str) -> Intent {
    let q = question.to_lowercase();
    let words: Vec<&str> =
        q.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.').filter(|w| !w.is_empty()).collect();
    if q.contains("rcagraph")
        || words.iter().any(|w| *w == "graph" || w.ends_with(".dot") || w.ends_with(".json"))
    {
        return Intent::Graph;
    }
    if SCRIPT_STARTS.iter().any(|s| q.trim_start().starts_with(s)) || q.contains("kubectl") {
        return Intent::Script;
    }
    if FAILURE_WORDS.iter().any(|f| if f.contains(' ') { q.contains(f) } else { words.contains(f) }) {
        return Intent::Failure;
    }
    Intent::Architecture
}

/// Workloads and namespaces a question names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Short names as typed (`grafana`), with the objects they matched.
    pub entities: Vec<String>,
    /// Namespace named (`in namespace shop`).
    pub namespace: Option<String>,
}

/// Find the workloads and namespace a question names.
pub fn mentions(question: &str, vocab: &Vocabulary) -> Mentions {
    let q = question.to_lowercase();
    let words: Vec<&str> =
        q.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| w.len() >= 3).collect();
    let mut entities: Vec<String> = Vec::new();
    for (_, _, name) in &vocab.workloads {
        let name_l = name.to_lowercase();
        // A workload is named by its full name or by its first dash-separated part
        // (`prometheus` for `prometheus-server`).
        let first = name_l.split('-').next().unwrap_or(&name_l).to_string();
        let hit = words.iter().find(|w| {
            **w == name_l || (**w == first && first.len() >= 4) || (w.len() >= 5 && name_l.starts_with(**w))
        });
        if let Some(w) = hit {
            let w = (*w).to_string();
            if !entities.contains(&w) {
                entities.push(w);
            }
        }
    }
    let namespace = vocab
        .namespaces
        .iter()
        .find(|ns| {
            words.contains(&ns.as_str())
                && (q.contains(&format!("namespace {ns}"))
                    || q.contains(&format!("in {ns}"))
                    || !vocab.workloads.iter().any(|(_, _, n)| n == *ns))
        })
        .cloned();
    // A namespace named as such is not also an entity.
    if let Some(ns) = &namespace {
        entities.retain(|e| e != ns);
    }
    Mentions { entities, namespace }
}

pub(super) fn workload_ns(vocab: &Vocabulary, entity: &str) -> Option<String> {
    vocab.workloads.iter().find(|(_, _, n)| n.to_lowercase().starts_with(entity)).map(|(_, ns, _)| ns.clone())
}
