//! Which of a root cause's paths the story follows, and which nodes reach a symptom.

use std::collections::{HashMap, HashSet};

use crate::analyze::Analysis;
use crate::schema::{Graph, Node};

/// Ids of the nodes from which a causal path (as ranked) leads to a symptom.
pub(super) fn reaching_symptoms<'g>(g: &'g Graph, a: &Analysis) -> HashSet<&'g str> {
    let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
    for &ei in &a.causal_edges {
        parents.entry(g.edges[ei].to.as_str()).or_default().push(g.edges[ei].from.as_str());
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> =
        g.nodes.iter().filter(|n| a.symptoms.contains(&n.id)).map(|n| n.id.as_str()).collect();
    while let Some(x) = stack.pop() {
        if seen.insert(x) {
            stack.extend(parents.get(x).into_iter().flatten().copied());
        }
    }
    seen
}

pub(super) fn severity_rank(n: &Node) -> u8 {
    match n.severity {
        Some(crate::schema::Severity::Critical) => 0,
        Some(crate::schema::Severity::Error) | None => 1,
        Some(crate::schema::Severity::Warning) => 2,
        Some(crate::schema::Severity::Info) => 3,
    }
}

/// The path the story follows: to the most severe symptom the cause reaches, strongest first.
pub fn story_path<'a>(g: &Graph, top: &'a crate::analyze::RootCause) -> &'a crate::analyze::CausePath {
    top.paths
        .iter()
        .min_by(|x, y| {
            let sev = |p: &crate::analyze::CausePath| {
                p.node_ids.last().and_then(|s| g.nodes.iter().find(|n| &n.id == s)).map_or(1, severity_rank)
            };
            sev(x).cmp(&sev(y)).then(y.strength.total_cmp(&x.strength))
        })
        .expect("a ranked cause has a path")
}
