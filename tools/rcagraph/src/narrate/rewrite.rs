//! The guard a model's rewrite of the narrative must pass.

use super::phrases::label;
use crate::analyze::Analysis;
use crate::schema::Graph;

/// Checks a rewritten narrative (by a model) against the graph: it must name the top root
/// cause and must not name objects that are not in the graph. `Err` says why it is refused.
pub fn check_rewrite(g: &Graph, a: &Analysis, text: &str) -> Result<(), String> {
    let lower = text.to_lowercase();
    if let Some(top) = a.top() {
        let root = g.nodes.iter().find(|n| n.id == top.node_id).expect("ranked nodes exist");
        let mut names = vec![root.id.to_lowercase()];
        if let Some(e) = &root.entity {
            names.push(e.name.to_lowercase());
        }
        if let Some(m) = &root.metric {
            names.push(m.name.to_lowercase());
        }
        if let Some(d) = &root.description {
            names.push(d.to_lowercase());
        }
        if !names.iter().any(|n| !n.is_empty() && lower.contains(n.as_str())) {
            return Err(format!("it does not name the top root cause ({})", label(root)));
        }
    }
    let known = known_text(g);
    for token in entity_tokens(text) {
        if !known.contains(&token.to_lowercase()) {
            return Err(format!("it names {token:?}, which is not in the graph"));
        }
    }
    Ok(())
}

pub(super) fn known_text(g: &Graph) -> String {
    let mut s = serde_json::to_string(g).unwrap_or_default().to_lowercase();
    for n in &g.nodes {
        s.push(' ');
        s.push_str(&label(n).to_lowercase());
    }
    s
}

pub(super) const KINDS: &[&str] = &[
    "deployment",
    "pod",
    "node",
    "service",
    "statefulset",
    "daemonset",
    "replicaset",
    "configmap",
    "ingress",
    "job",
    "cronjob",
    "namespace",
    "persistentvolumeclaim",
    "pvc",
    "secret",
    "hpa",
];

/// Words in a text that look like object names: backticked spans, `a/b` references,
/// hyphenated names with digits, and the word after a Kubernetes kind.
pub(super) fn entity_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        let span = after[..end].trim();
        if !span.is_empty() && !span.contains(' ') && span.len() < 80 {
            out.push(span.to_string());
        }
        rest = &after[end + 1..];
    }
    let clean = |w: &str| {
        w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/' || c == '.' || c == '_'))
            .trim_end_matches('.')
            .to_string()
    };
    let words: Vec<String> = text.split_whitespace().map(clean).filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        let slash = w.split('/').filter(|p| !p.is_empty()).count() >= 2
            && !w.contains("//")
            && w.chars().any(char::is_alphabetic);
        let hyphen_digit =
            w.contains('-') && w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic);
        if slash || hyphen_digit {
            out.push(w.clone());
        }
        if KINDS.contains(&w.to_lowercase().as_str())
            && let Some(next) = words.get(i + 1)
            && (next.contains('-') || next.contains('/') || next.chars().any(|c| c.is_ascii_digit()))
        {
            out.push(next.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}
