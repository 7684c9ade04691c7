//! The document's top level, its incident, edges, ranking and provenance, and the references
//! between them.

use std::collections::HashMap;

use serde_json::Value;

use super::fields::{Cx, Obj, join, type_name};
use super::issue::Level;
use crate::schema::{
    Edge, Graph, Incident, Provenance, RankEntry, RankPath, Relation, SCHEMA_VERSION, Window,
};

impl Cx {
    pub(super) fn document(&mut self, v: &Value) -> Option<Graph> {
        let Some(o) = v.as_object() else {
            self.error(
                "parse_error",
                "$",
                None,
                format!("the document must be a JSON object, found {}", type_name(v)),
            );
            return None;
        };
        let root = self.object(
            v,
            "",
            None,
            &["schema_version", "incident", "nodes", "edges", "ranking", "provenance"],
        )?;
        let _ = o;
        match root.get("schema_version") {
            None => self.error(
                "unsupported_version",
                "schema_version",
                None,
                "schema_version is missing; expected \"rcagraph/v1\"".into(),
            ),
            Some(Value::String(s)) if s == SCHEMA_VERSION => {}
            Some(other) => self.error(
                "unsupported_version",
                "schema_version",
                None,
                format!("schema_version {other} is not supported; expected \"rcagraph/v1\""),
            ),
        }
        let incident = root.get("incident").filter(|v| !v.is_null()).and_then(|v| self.incident(v));
        let raw_nodes = self.array(root, "nodes", true);
        if root.get("nodes").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            self.error("empty_graph", "nodes", None, "the graph has no nodes".into());
        }
        let nodes = raw_nodes.iter().enumerate().filter_map(|(i, n)| self.node(n, i)).collect();
        let edges = self
            .array(root, "edges", false)
            .iter()
            .enumerate()
            .filter_map(|(i, e)| self.edge(e, i))
            .collect();
        let ranking = self
            .array(root, "ranking", false)
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.rank(r, i))
            .collect();
        let provenance = root.get("provenance").filter(|v| !v.is_null()).and_then(|v| self.provenance(v));
        let graph =
            Graph { schema_version: SCHEMA_VERSION.into(), incident, nodes, edges, ranking, provenance };
        self.references(&graph, root);
        Some(graph)
    }

    /// The top-level array `key` (empty when absent or of the wrong type, which is reported).
    pub(super) fn array<'v>(&mut self, root: &'v Obj, key: &str, required: bool) -> &'v [Value] {
        match root.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error("missing_field", key, None, format!("required member {key:?} is missing"));
                }
                &[]
            }
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.error("wrong_type", key, None, format!("expected an array, found {}", type_name(other)));
                &[]
            }
        }
    }

    pub(super) fn incident(&mut self, v: &Value) -> Option<Incident> {
        let p = "incident";
        let o = self.object(
            v,
            p,
            None,
            &["id", "cluster", "window", "detected_at", "symptom_ids", "clock_skew_seconds"],
        )?;
        let window = match self.sub(o, "window", p, None, false) {
            Some(w) => {
                let wp = "incident.window";
                self.object(w, wp, None, &["start", "end"]).and_then(|wo| {
                    let start = self.time(wo, "start", wp, None, true);
                    let end = self.time(wo, "end", wp, None, true);
                    match (start, end) {
                        (Some(start), Some(end)) => {
                            if start > end {
                                self.error(
                                    "bad_interval",
                                    wp,
                                    None,
                                    format!("window start {start} is after its end {end}"),
                                );
                            }
                            Some(Window { start, end })
                        }
                        _ => None,
                    }
                })
            }
            None => None,
        };
        let clock_skew_seconds = self.number(o, "clock_skew_seconds", p, None, false);
        if let Some(s) = clock_skew_seconds.filter(|s| *s < 0.0) {
            self.error(
                "out_of_range",
                "incident.clock_skew_seconds",
                None,
                format!("clock_skew_seconds {s} is negative"),
            );
        }
        Some(Incident {
            id: self.string(o, "id", p, None, false),
            cluster: self.string(o, "cluster", p, None, false),
            window,
            detected_at: self.time(o, "detected_at", p, None, false),
            symptom_ids: self.strings(o, "symptom_ids", p, None),
            clock_skew_seconds,
        })
    }

    pub(super) fn edge(&mut self, v: &Value, i: usize) -> Option<Edge> {
        let path = format!("edges[{i}]");
        let from = v.get("from").and_then(Value::as_str);
        let to = v.get("to").and_then(Value::as_str);
        let label = format!("{}→{}", from.unwrap_or("?"), to.unwrap_or("?"));
        let id = Some(label.as_str());
        let o = self.object(
            v,
            &path,
            id,
            &[
                "id",
                "from",
                "to",
                "relation",
                "directed",
                "confidence",
                "weight",
                "lag_seconds",
                "method",
                "evidence",
            ],
        )?;
        let edge_id = self.string(o, "id", &path, id, false);
        let from = self.string(o, "from", &path, id, true);
        let to = self.string(o, "to", &path, id, true);
        let relation =
            self.enumerated(o, "relation", &path, id, true, Relation::parse, &Relation::expected());
        let directed = self.boolean(o, "directed", &path, id);
        let confidence = self.probability(o, "confidence", &path, id);
        let weight = self.number(o, "weight", &path, id, false);
        let lag = self.number(o, "lag_seconds", &path, id, false);
        let method = self.string(o, "method", &path, id, false);
        let evidence = self.evidence(o, &path, id);
        if let (Some(f), Some(t)) = (&from, &to)
            && f == t
        {
            self.error("self_loop", &path, id, format!("edge goes from {f} to itself"));
        }
        if let Some(r) = relation {
            if r.is_causal() && directed == Some(false) {
                self.error(
                    "undirected_causal",
                    &join(&path, "directed"),
                    id,
                    format!("a {r} edge cannot be undirected"),
                );
            }
            if r == Relation::Correlated && directed == Some(true) {
                self.push(
                    Level::Warning,
                    "directed_correlation",
                    &join(&path, "directed"),
                    id,
                    "a correlated edge has no direction; directed: true is ignored".into(),
                );
            }
            if let Some(l) = lag.filter(|l| *l < 0.0 && r.is_causal()) {
                self.error(
                    "negative_lag",
                    &join(&path, "lag_seconds"),
                    id,
                    format!("lag_seconds {l} is negative on a {r} edge: a cause cannot follow its effect"),
                );
            }
        }
        if o.contains_key("confidence") && confidence.is_none() {
            // Reported already (wrong type or out of range).
        } else if confidence.is_none() {
            self.push(
                Level::Warning,
                "default_confidence",
                &path,
                id,
                "no confidence given; 0.5 (possible) is assumed".into(),
            );
        }
        Some(Edge {
            id: edge_id,
            from: from?,
            to: to?,
            relation: relation?,
            directed,
            confidence,
            weight,
            lag_seconds: lag,
            method,
            evidence,
        })
    }

    pub(super) fn rank(&mut self, v: &Value, i: usize) -> Option<RankEntry> {
        let path = format!("ranking[{i}]");
        let raw = v.get("node_id").and_then(Value::as_str).map(String::from);
        let id = raw.as_deref();
        let o =
            self.object(v, &path, id, &["node_id", "rank", "score", "confidence", "paths", "evidence"])?;
        let node_id = self.string(o, "node_id", &path, id, true);
        let rank = match self.number(o, "rank", &path, id, true) {
            Some(r) if r < 1.0 || r.fract() != 0.0 => {
                self.error(
                    "out_of_range",
                    &join(&path, "rank"),
                    id,
                    format!("rank {r} must be an integer ≥ 1"),
                );
                None
            }
            Some(r) => Some(r as u64),
            None => None,
        };
        let score = self.number(o, "score", &path, id, false);
        let confidence = self.probability(o, "confidence", &path, id);
        let mut paths = Vec::new();
        if let Some(pv) = self.sub(o, "paths", &path, id, false) {
            match pv.as_array() {
                Some(a) => {
                    for (j, p) in a.iter().enumerate() {
                        let pp = format!("{path}.paths[{j}]");
                        if let Some(po) = self.object(p, &pp, id, &["score", "node_ids"]) {
                            let score = self.number(po, "score", &pp, id, false);
                            if self.sub(po, "node_ids", &pp, id, true).is_some() {
                                let node_ids = self.strings(po, "node_ids", &pp, id);
                                paths.push(RankPath { score, node_ids });
                            }
                        }
                    }
                }
                None => self.error(
                    "wrong_type",
                    &join(&path, "paths"),
                    id,
                    format!("expected an array, found {}", type_name(pv)),
                ),
            }
        }
        let evidence = self.evidence(o, &path, id);
        Some(RankEntry { node_id: node_id?, rank: rank?, score, confidence, paths, evidence })
    }

    pub(super) fn provenance(&mut self, v: &Value) -> Option<Provenance> {
        let p = "provenance";
        let o = self.object(v, p, None, &["generator", "algorithm", "generated_at", "parameters"])?;
        Some(Provenance {
            generator: self.string(o, "generator", p, None, false),
            algorithm: self.string(o, "algorithm", p, None, false),
            generated_at: self.time(o, "generated_at", p, None, false),
            parameters: o.get("parameters").cloned().filter(|v| !v.is_null()),
        })
    }

    /// Ids: duplicates, edge ends, symptom and ranking references.
    pub(super) fn references(&mut self, g: &Graph, root: &Obj) {
        // Ids from the raw array: a node that failed to parse still exists for its edges.
        let raw_nodes = root.get("nodes").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, n) in raw_nodes.iter().enumerate() {
            let Some(id) = n.get("id").and_then(Value::as_str) else { continue };
            if let Some(first) = seen.insert(id, i) {
                self.error(
                    "duplicate_id",
                    &format!("nodes[{i}].id"),
                    Some(id),
                    format!("node id {id:?} is already used by nodes[{first}]"),
                );
                seen.insert(id, first);
            }
        }
        // Positions in the raw array, since edges that failed to parse are not in `g.edges`.
        let raw_edges = root.get("edges").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mut edge_ids: HashMap<&str, usize> = HashMap::new();
        for (i, e) in raw_edges.iter().enumerate() {
            let (Some(from), Some(to)) =
                (e.get("from").and_then(Value::as_str), e.get("to").and_then(Value::as_str))
            else {
                continue;
            };
            let label = format!("{from}→{to}");
            for (end, id) in [("from", from), ("to", to)] {
                if !id.is_empty() && !seen.contains_key(id) {
                    self.error(
                        "dangling_edge",
                        &format!("edges[{i}].{end}"),
                        Some(&label),
                        format!("{end} {id:?} is not a node id"),
                    );
                }
            }
            if let Some(eid) = e.get("id").and_then(Value::as_str)
                && let Some(first) = edge_ids.insert(eid, i)
            {
                self.error(
                    "duplicate_id",
                    &format!("edges[{i}].id"),
                    Some(&label),
                    format!("edge id {eid:?} is already used by edges[{first}]"),
                );
            }
        }
        if let Some(inc) = &g.incident {
            for (i, s) in inc.symptom_ids.iter().enumerate() {
                if !seen.contains_key(s.as_str()) {
                    self.error(
                        "unknown_reference",
                        &format!("incident.symptom_ids[{i}]"),
                        Some(s),
                        format!("symptom {s:?} is not a node id"),
                    );
                }
            }
        }
        for (i, r) in g.ranking.iter().enumerate() {
            if !seen.contains_key(r.node_id.as_str()) {
                self.error(
                    "unknown_reference",
                    &format!("ranking[{i}].node_id"),
                    Some(&r.node_id),
                    format!("ranked node {:?} is not a node id", r.node_id),
                );
            }
            for (j, p) in r.paths.iter().enumerate() {
                for (k, n) in p.node_ids.iter().enumerate() {
                    if !seen.contains_key(n.as_str()) {
                        self.error(
                            "unknown_reference",
                            &format!("ranking[{i}].paths[{j}].node_ids[{k}]"),
                            Some(&r.node_id),
                            format!("path node {n:?} is not a node id"),
                        );
                    }
                }
            }
        }
    }
}
