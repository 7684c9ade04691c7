//! DOT output that carries every `rcagraph/v1` attribute of §11 (so it reads back as the same
//! graph) plus presentation for Graphviz: left-to-right ranks, pen width by confidence,
//! dashed correlations, the top cause and the symptoms highlighted.

use std::fmt::Write;

use serde_json::Value;

use super::{Role, is_dropped, roles};
use crate::analyze::Analysis;
use crate::narrate::label;
use crate::schema::{Graph, NodeKind, Relation};

/// A DOT double-quoted string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(f: f64) -> String {
    format!("{f}")
}

/// The DOT source.
pub fn render(g: &Graph, a: &Analysis) -> String {
    let (roles, on_path) = roles(g, a);
    let mut out = String::from(
        "strict digraph rcagraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    let mut graph_attrs: Vec<(String, String)> = vec![("schema_version".into(), g.schema_version.clone())];
    if let Some(i) = &g.incident {
        let mut push = |k: &str, v: String| graph_attrs.push((format!("incident.{k}"), v));
        if let Some(v) = &i.id {
            push("id", v.clone());
        }
        if let Some(v) = &i.cluster {
            push("cluster", v.clone());
        }
        if let Some(w) = &i.window {
            push("window.start", w.start.to_string());
            push("window.end", w.end.to_string());
        }
        if let Some(v) = i.detected_at {
            push("detected_at", v.to_string());
        }
        if !i.symptom_ids.is_empty() {
            push("symptom_ids", i.symptom_ids.join(","));
        }
        if let Some(v) = i.clock_skew_seconds {
            push("clock_skew_seconds", num(v));
        }
    }
    for (k, v) in graph_attrs {
        let _ = writeln!(out, "  {}={};", quote(&k), quote(&v));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let mut attrs: Vec<(String, String)> = vec![("kind".into(), n.kind.to_string())];
        let mut add = |k: &str, v: String| attrs.push((k.to_string(), v));
        if let Some(t) = n.time {
            add("time", t.to_string());
        }
        if let Some(d) = &n.description {
            add("description", d.clone());
        }
        if let Some(s) = n.severity {
            add("severity", s.to_string());
        }
        if let Some(e) = &n.entity {
            add("entity.kind", e.kind.clone());
            add("entity.name", e.name.clone());
            for (k, v) in [
                ("namespace", &e.namespace),
                ("system", &e.system),
                ("uid", &e.uid),
                ("api_version", &e.api_version),
            ] {
                if let Some(v) = v {
                    add(&format!("entity.{k}"), v.clone());
                }
            }
        }
        if let Some(c) = &n.change {
            add("change.type", c.type_.to_string());
            if let Some(f) = &c.field {
                add("change.field", f.clone());
            }
            if let Some(b) = &c.before {
                add("change.before", value(b));
            }
            if let Some(a) = &c.after {
                add("change.after", value(a));
            }
            if !c.added.is_empty() {
                add("change.added", c.added.join(","));
            }
            if !c.removed.is_empty() {
                add("change.removed", c.removed.join(","));
            }
        }
        if let Some(m) = &n.metric {
            add("metric.name", m.name.clone());
            if let Some(u) = &m.unit {
                add("metric.unit", u.clone());
            }
            if let Some(q) = &m.query {
                add("metric.query", q.clone());
            }
            for (k, v) in &m.labels {
                add(&format!("metric.labels.{k}"), v.clone());
            }
        }
        if let Some(an) = &n.anomaly {
            if let Some(t) = an.type_ {
                add("anomaly.type", t.to_string());
            }
            if let Some(d) = an.direction {
                add("anomaly.direction", d.to_string());
            }
            for (k, v) in [("baseline", an.baseline), ("observed", an.observed), ("score", an.score)] {
                if let Some(v) = v {
                    add(&format!("anomaly.{k}"), num(v));
                }
            }
            if let Some(d) = &an.detector {
                add("anomaly.detector", d.clone());
            }
        }
        if let Some(ev) = &n.event {
            add("event.type", ev.type_.to_string());
            add("event.reason", ev.reason.clone());
            if let Some(m) = &ev.message {
                add("event.message", m.clone());
            }
            if let Some(c) = ev.count {
                add("event.count", c.to_string());
            }
            if let Some(t) = ev.first_seen {
                add("event.first_seen", t.to_string());
            }
            if let Some(t) = ev.last_seen {
                add("event.last_seen", t.to_string());
            }
            if let Some(r) = &ev.reporting_component {
                add("event.reporting_component", r.clone());
            }
        }
        if let Some(s) = &n.source {
            for (k, v) in [("system", &s.system), ("ref", &s.reference), ("actor", &s.actor)] {
                if let Some(v) = v {
                    add(&format!("source.{k}"), v.clone());
                }
            }
        }
        let shape = match n.kind {
            NodeKind::ChangeEvent => "parallelogram",
            NodeKind::MetricAnomaly => "ellipse",
            NodeKind::TopologyChange => "hexagon",
            NodeKind::K8sEvent => "box",
            NodeKind::Symptom => "doubleoctagon",
        };
        let (color, width) = match roles[i] {
            Role::Root => ("#c0392b", "3"),
            Role::Symptom => ("#d68910", "2"),
            Role::OnPath => ("#ba4a00", "1.5"),
            Role::Candidate => ("#7d3c98", "1"),
            Role::Other => ("#566573", "1"),
        };
        let _ = write!(out, "  {} [", quote(&n.id));
        for (k, v) in &attrs {
            let _ = write!(out, "{}={}, ", quote(k), quote(v));
        }
        let _ = writeln!(
            out,
            "label={}, shape={shape}, color={}, penwidth={width}];",
            quote(&format!("{}\n{}", n.id, label(n))),
            quote(color)
        );
    }
    for e in &g.edges {
        let mut attrs = vec![format!("relation={}", quote(e.relation.as_str()))];
        if let Some(c) = e.confidence {
            attrs.push(format!("confidence={}", quote(&num(c))));
        }
        if let Some(w) = e.weight {
            attrs.push(format!("weight={}", quote(&num(w))));
        }
        if let Some(l) = e.lag_seconds {
            attrs.push(format!("lag_seconds={}", quote(&num(l))));
        }
        if let Some(m) = &e.method {
            attrs.push(format!("method={}", quote(m)));
        }
        if let Some(id) = &e.id {
            attrs.push(format!("id={}", quote(id)));
        }
        let kinds: Vec<&str> =
            e.evidence.iter().filter_map(|v| v.get("kind").and_then(Value::as_str)).collect();
        if !kinds.is_empty() {
            attrs.push(format!("evidence={}", quote(&kinds.join(","))));
        }
        let pen = 0.5 + 3.5 * e.confidence_or_default();
        attrs.push(format!("penwidth={pen:.1}"));
        if e.directed == Some(true) {
            attrs.push("dir=forward".into());
        }
        if e.relation == Relation::Correlated {
            attrs.push("dir=none, style=dashed, color=\"#7f8c8d\"".into());
        } else if is_dropped(a, &e.from, &e.to) {
            attrs.push("style=dotted, color=\"#aab7b8\"".into());
        } else if on_path.contains(&(e.from.clone(), e.to.clone())) {
            attrs.push("color=\"#c0392b\"".into());
        }
        let _ = writeln!(out, "  {} -> {} [{}];", quote(&e.from), quote(&e.to), attrs.join(", "));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, dot::parse_dot, validate::parse_json};

    #[test]
    fn dot_output_reads_back_as_the_same_graph() {
        let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        let text = render(&g, &analyze(&g));
        let back = parse_dot(&text).unwrap_or_else(|e| panic!("{:#?}\n{text}", e.issues));
        assert!(back.warnings.iter().all(|w| w.code != "unknown_field"), "{:?}", back.warnings);
        let mut expected = g.clone();
        // The ranking and provenance are not part of DOT (§11).
        expected.ranking.clear();
        expected.provenance = None;
        // Graphviz shows `label`, which reads back as the description of nodes that had none.
        let mut back = back.graph;
        for (b, e) in back.nodes.iter_mut().zip(&expected.nodes) {
            if e.description.is_none() {
                assert!(b.description.as_deref().is_some_and(|d| d.starts_with(&e.id)));
                b.description = None;
            }
        }
        assert_eq!(back, expected);
    }
}
