//! Checks that need the whole typed graph.

use std::collections::{HashMap, HashSet};

use super::issue::{Issue, Level};
use crate::schema::{Graph, NodeKind, Relation};

/// Checks that need the whole typed graph: times along causal edges, declared lags, window,
/// missing times, duplicate edges, isolated nodes and ranking paths.
pub fn check_structure(g: &Graph) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut push = |level, code, path: String, id: Option<String>, message: String| {
        out.push(Issue { level, code, path, id, message });
    };
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let skew = g.clock_skew();
    let window = g.incident.as_ref().and_then(|i| i.window);
    for (i, n) in g.nodes.iter().enumerate() {
        match g.node_time(n) {
            None => push(
                Level::Warning,
                "missing_time",
                format!("nodes[{i}].time"),
                Some(n.id.clone()),
                "node has no time; temporal checks skip its edges".into(),
            ),
            Some(t) => {
                if let Some(w) = window
                    && (t < w.start || t > w.end)
                {
                    push(
                        Level::Warning,
                        "outside_window",
                        format!("nodes[{i}].time"),
                        Some(n.id.clone()),
                        format!("time {t} is outside the incident window {} – {}", w.start, w.end),
                    );
                }
            }
        }
    }
    let mut best: HashMap<(&str, &str, Relation), usize> = HashMap::new();
    let mut touched: HashSet<&str> = HashSet::new();
    for (i, e) in g.edges.iter().enumerate() {
        touched.insert(&e.from);
        touched.insert(&e.to);
        if let Some(first) = best.insert((&e.from, &e.to, e.relation), i) {
            push(
                Level::Warning,
                "duplicate_edge",
                format!("edges[{i}]"),
                Some(e.label()),
                format!("same from, to and relation as edges[{first}]; the highest confidence is kept"),
            );
            best.insert((&e.from, &e.to, e.relation), first);
        }
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        let (Some(ta), Some(tb)) = (g.node_time(&g.nodes[a]), g.node_time(&g.nodes[b])) else { continue };
        let lag = (tb - ta).total(jiff::Unit::Second).unwrap_or(0.0);
        if e.relation.is_causal() {
            if lag < -skew {
                push(
                    Level::Error,
                    "cause_after_effect",
                    format!("edges[{i}]"),
                    Some(e.label()),
                    format!("cause {} ({ta}) is {:.0} s after its effect {} ({tb})", e.from, -lag, e.to),
                );
            } else if lag < 0.0 {
                push(
                    Level::Warning,
                    "clock_skew",
                    format!("edges[{i}]"),
                    Some(e.label()),
                    format!(
                        "effect is {:.1} s earlier than its cause, within the clock skew of {skew} s: treated as simultaneous",
                        -lag
                    ),
                );
            }
        }
        if let Some(declared) = e.lag_seconds
            && (declared - lag).abs() > skew.max(1.0)
        {
            push(
                Level::Warning,
                "lag_mismatch",
                format!("edges[{i}].lag_seconds"),
                Some(e.label()),
                format!("declared lag {declared} s differs from the node times ({lag:.0} s); node times win"),
            );
        }
    }
    let symptoms: HashSet<&str> = g
        .incident
        .iter()
        .flat_map(|i| i.symptom_ids.iter().map(String::as_str))
        .chain(g.nodes.iter().filter(|n| n.kind == NodeKind::Symptom).map(|n| n.id.as_str()))
        .collect();
    for (i, n) in g.nodes.iter().enumerate() {
        if !touched.contains(n.id.as_str()) && !symptoms.contains(n.id.as_str()) {
            push(
                Level::Warning,
                "isolated_node",
                format!("nodes[{i}]"),
                Some(n.id.clone()),
                "node has no edges".into(),
            );
        }
    }
    let causal: HashSet<(&str, &str)> =
        g.edges.iter().filter(|e| e.relation.is_causal()).map(|e| (e.from.as_str(), e.to.as_str())).collect();
    let sinks: HashSet<&str> = if symptoms.is_empty() {
        let has_out: HashSet<&str> = causal.iter().map(|(f, _)| *f).collect();
        g.nodes.iter().map(|n| n.id.as_str()).filter(|n| !has_out.contains(n)).collect()
    } else {
        symptoms.clone()
    };
    for (i, r) in g.ranking.iter().enumerate() {
        for (j, p) in r.paths.iter().enumerate() {
            let why = if p.node_ids.first() != Some(&r.node_id) {
                Some(format!("does not start at {}", r.node_id))
            } else if !p.node_ids.last().is_some_and(|l| sinks.contains(l.as_str())) {
                Some("does not end at a symptom".to_string())
            } else {
                p.node_ids
                    .windows(2)
                    .find(|w| !causal.contains(&(w[0].as_str(), w[1].as_str())))
                    .map(|w| format!("no causal edge {}→{}", w[0], w[1]))
            };
            if let Some(why) = why {
                push(
                    Level::Warning,
                    "broken_path",
                    format!("ranking[{i}].paths[{j}]"),
                    Some(r.node_id.clone()),
                    format!("path {} {why}", p.node_ids.join(" → ")),
                );
            }
        }
    }
    out
}
