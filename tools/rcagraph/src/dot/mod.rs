//! DOT digraphs carrying `rcagraph/v1` attributes (`reference/rcagraph-v1.md` §11).
//!
//! The DOT text is tokenized and parsed here (the DOT grammar of graphviz.org: `strict`,
//! quoted and HTML ids, `+` concatenation, comments, attribute statements with scoped defaults,
//! edge chains, subgraphs as edge operands, ports), then mapped onto the JSON form so that one
//! validator judges both. Hand-written because the one maintained Rust DOT parser is GPL, and
//! because problems must name a line: every DOT-level problem carries `line L, column C`.//!
//! `lex` turns the text into tokens with their line and column, `parse` collects the graph,
//! node and edge statements with scoped defaults, and this module maps them onto JSON.

mod lex;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::validate::{Invalid, Issue, Level, Parsed, from_value};
use lex::lex;
use parse::Parser;

/// Whether a text looks like DOT rather than JSON.
pub fn looks_like_dot(text: &str) -> bool {
    let t = strip_leading_comments(text).to_ascii_lowercase();
    t.starts_with("digraph") || t.starts_with("strict") || t.starts_with("graph")
}

fn strip_leading_comments(text: &str) -> &str {
    let mut t = text.trim_start();
    loop {
        if let Some(rest) = t.strip_prefix("//").or_else(|| t.strip_prefix('#')) {
            t = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = t.strip_prefix("/*") {
            t = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return t;
        }
    }
}

/// Reads a DOT digraph and validates it as `rcagraph/v1`.
pub fn parse_dot(text: &str) -> Result<Parsed, Invalid> {
    let (doc, mut issues) = match to_json(text) {
        Ok(v) => v,
        Err(issue) => return Err(Invalid { issues: vec![issue] }),
    };
    match from_value(&doc) {
        Ok(mut p) => {
            // The JSON form made from DOT has no unknown members; DOT-level ones are in `issues`.
            issues.append(&mut p.warnings);
            p.warnings = issues;
            Ok(p)
        }
        Err(mut e) => {
            e.issues.append(&mut issues);
            e.issues.sort_by_key(|i| i.level);
            Err(e)
        }
    }
}

const PRESENTATION: &[&str] = &[
    "label",
    "xlabel",
    "color",
    "fillcolor",
    "fontcolor",
    "shape",
    "style",
    "penwidth",
    "fontname",
    "fontsize",
    "width",
    "height",
    "fixedsize",
    "tooltip",
    "url",
    "href",
    "target",
    "group",
    "pos",
    "rank",
    "rankdir",
    "arrowhead",
    "arrowtail",
    "arrowsize",
    "constraint",
    "headlabel",
    "taillabel",
    "labelfloat",
    "minlen",
    "splines",
    "nodesep",
    "ranksep",
    "bgcolor",
    "margin",
    "size",
    "ratio",
    "concentrate",
    "compound",
    "newrank",
    "ordering",
    "peripheries",
    "sides",
    "orientation",
    "layout",
    "center",
    "dpi",
    "pad",
    "overlap",
    "sep",
    "esep",
    "class",
    "comment",
    "labelloc",
    "labeljust",
    "gradientangle",
    "image",
    "imagescale",
];

fn is_presentation(k: &str) -> bool {
    PRESENTATION.contains(&k.to_ascii_lowercase().as_str())
}

fn number_or_string(v: &str) -> Value {
    match v.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => json!(f),
        _ => Value::String(v.to_string()),
    }
}

fn list(v: &str) -> Value {
    Value::Array(
        v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
    )
}

fn set_path(obj: &mut Map<String, Value>, path: &[&str], value: Value) {
    if let [last] = path {
        obj.insert((*last).to_string(), value);
        return;
    }
    let entry = obj.entry(path[0].to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Value::Object(inner) = entry {
        set_path(inner, &path[1..], value);
    }
}

fn unknown(k: &str, what: &str, l: usize, c: usize, id: Option<String>) -> Issue {
    Issue {
        level: Level::Warning,
        code: "unknown_field",
        path: format!("line {l}, column {c}"),
        id,
        message: format!("{what} attribute {k:?} is not part of rcagraph/v1 and is ignored"),
    }
}

/// DOT text → the equivalent JSON document, and DOT-level warnings.
fn to_json(text: &str) -> Result<(Value, Vec<Issue>), Issue> {
    let mut p = Parser::new(lex(text)?);
    p.graph()?;
    let c = p.out;
    let mut warnings = Vec::new();
    let mut doc = Map::new();
    doc.insert("schema_version".into(), json!("rcagraph/v1"));
    let mut incident = Map::new();
    for (k, v, l, col) in &c.graph_attrs {
        match k.as_str() {
            "schema_version" => {
                doc.insert("schema_version".into(), json!(v));
            }
            "incident.symptom_ids" => {
                incident.insert("symptom_ids".into(), list(v));
            }
            "incident.clock_skew_seconds" => {
                incident.insert("clock_skew_seconds".into(), number_or_string(v));
            }
            "incident.id" | "incident.cluster" | "incident.detected_at" => {
                incident.insert(k["incident.".len()..].into(), json!(v));
            }
            "incident.window.start" | "incident.window.end" => {
                set_path(&mut incident, &["window", &k["incident.window.".len()..]], json!(v));
            }
            _ if is_presentation(k) => {}
            _ => warnings.push(unknown(k, "graph", *l, *col, None)),
        }
    }
    if !incident.is_empty() {
        doc.insert("incident".into(), Value::Object(incident));
    }
    let mut nodes = Vec::new();
    for (id, attrs) in &c.nodes {
        let mut n = Map::new();
        n.insert("id".into(), json!(id));
        let mut label = None;
        // Later attributes override earlier ones, as in Graphviz.
        let mut latest: BTreeMap<&str, (&str, usize, usize)> = BTreeMap::new();
        let mut order = Vec::new();
        for (k, v, l, col) in attrs {
            if latest.insert(k.as_str(), (v.as_str(), *l, *col)).is_none() {
                order.push(k.as_str());
            }
        }
        for k in order {
            let (v, l, col) = latest[k];
            let parts: Vec<&str> = k.split('.').collect();
            match parts.as_slice() {
                ["kind" | "time" | "description" | "severity"] => {
                    n.insert(k.into(), json!(v));
                }
                ["entity", "kind" | "namespace" | "name" | "system" | "uid" | "api_version"]
                | ["change", "type" | "field" | "before" | "after"]
                | ["metric", "name" | "unit" | "query"]
                | ["anomaly", "type" | "direction" | "detector"]
                | [
                    "event",
                    "type" | "reason" | "message" | "first_seen" | "last_seen" | "reporting_component",
                ]
                | ["source", "system" | "ref" | "actor"] => set_path(&mut n, &parts, json!(v)),
                ["change", "added" | "removed"] => set_path(&mut n, &parts, list(v)),
                ["anomaly", "baseline" | "observed" | "score"] | ["event", "count"] => {
                    set_path(&mut n, &parts, number_or_string(v));
                }
                ["metric", "labels", key] => set_path(&mut n, &["metric", "labels", key], json!(v)),
                ["label"] => label = Some(v.to_string()),
                _ if is_presentation(k) => {}
                _ => warnings.push(unknown(k, "node", l, col, Some(id.clone()))),
            }
        }
        // Graphviz's `\N` stands for the node's own id (often set as a default for every
        // node): not a description. `\n`, `\l`, `\r` are line breaks.
        if let Some(label) = label.filter(|l| !n.contains_key("description") && l.trim() != "\\N") {
            let text = label.replace("\\n", " ").replace("\\l", " ").replace("\\r", " ");
            n.insert("description".into(), json!(text.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
        nodes.push(Value::Object(n));
    }
    doc.insert("nodes".into(), Value::Array(nodes));
    let mut edges = Vec::new();
    for (from, to, attrs, _, _) in &c.edges {
        let mut e = Map::new();
        e.insert("from".into(), json!(from));
        e.insert("to".into(), json!(to));
        for (k, v, l, col) in attrs {
            match k.as_str() {
                "relation" | "method" | "id" => {
                    e.insert(k.clone(), json!(v));
                }
                "confidence" | "weight" | "lag_seconds" => {
                    e.insert(k.clone(), number_or_string(v));
                }
                "dir" => {
                    e.insert("directed".into(), json!(v != "none"));
                }
                "evidence" => {
                    let items: Vec<Value> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| json!({"kind": s}))
                        .collect();
                    e.insert("evidence".into(), Value::Array(items));
                }
                _ if is_presentation(k) => {}
                _ => warnings.push(unknown(k, "edge", *l, *col, Some(format!("{from}→{to}")))),
            }
        }
        edges.push(Value::Object(e));
    }
    doc.insert("edges".into(), Value::Array(edges));
    Ok((Value::Object(doc), warnings))
}
