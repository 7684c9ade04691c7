//! Ranking root causes in a validated graph (issue 5 §2, `reference/rcagraph-v1.md` §7–§8).
//!
//! 1. **Causal edges** (`caused`, `contributes_to`) are deduplicated (highest confidence kept);
//!    cycles are broken by repeatedly dropping the weakest edge of every strongly connected
//!    component (lowest confidence, then weight, then latest cause, then greatest `(from, to)`).
//! 2. **Symptoms** are the declared ones (`incident.symptom_ids` and `symptom` nodes), else the
//!    sinks, with a `no_symptom` warning.
//! 3. **Candidates** are ancestors of a symptom whose causal parents are all weak (< 0.35) or
//!    absent: the places where the explanation stops.
//! 4. **Strength** of a path is the product of its edges' confidences, each discounted a little
//!    when its times are unknown or only consistent within the clock skew. For every symptom a
//!    backward pass over the acyclic graph gives each node its strongest path there (one pass per
//!    symptom, so a 2,000-node graph is ranked in milliseconds).
//! 5. **Score** of a candidate is the chance it explains at least one symptom (noisy-OR over
//!    symptoms of path strength × symptom severity), times a small factor from its anomaly
//!    score when it has one. Runner-ups are kept; a producer's `ranking` is compared.

use std::collections::{BTreeSet, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use crate::schema::{Graph, NodeKind, Severity};
use crate::validate::{Issue, Level};

/// Below this an edge is weak (`reference/rcagraph-v1.md` §8).
pub const WEAK: f64 = 0.35;

/// Confidence in words (§8).
pub fn confidence_word(c: f64) -> &'static str {
    if c >= 0.85 {
        "high"
    } else if c >= 0.6 {
        "likely"
    } else if c >= WEAK {
        "possible"
    } else {
        "weak"
    }
}

/// A path from a root cause to a symptom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CausePath {
    /// Cause first, symptom last.
    pub node_ids: Vec<String>,
    /// Product of the edges' confidences.
    pub confidence: f64,
    /// Strength used for ranking (confidence with temporal discounts).
    pub strength: f64,
}

/// One ranked root-cause candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    /// The node.
    pub node_id: String,
    /// Ranking score in [0, 1].
    pub score: f64,
    /// Confidence of its strongest path (product of edge confidences).
    pub confidence: f64,
    /// Strongest path to each symptom it reaches, strongest first.
    pub paths: Vec<CausePath>,
    /// Symptoms it reaches.
    pub symptoms: Vec<String>,
    /// Causal parents it has, all weak.
    pub weak_parents: Vec<String>,
}

/// An edge dropped to break a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    /// Cause.
    pub from: String,
    /// Effect.
    pub to: String,
    /// The nodes of the cycle (strongly connected component) it was on.
    pub cycle: Vec<String>,
}

/// How sleuth's ranking compares with the producer's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Who produced the ranking (`provenance.generator`), if said.
    pub producer: Option<String>,
    /// The producer's first-ranked node(s).
    pub producer_top: Vec<String>,
    /// Whether sleuth's top cause is among them.
    pub agrees: bool,
    /// Why sleuth disagrees, one sentence per producer-top node.
    pub reasons: Vec<String>,
}

/// The result of analysing a graph.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Symptoms (declared, or sinks standing in).
    pub symptoms: Vec<String>,
    /// Whether they were declared.
    pub symptoms_declared: bool,
    /// Candidates, best first.
    pub root_causes: Vec<RootCause>,
    /// Symptoms no candidate reaches.
    pub unexplained: Vec<String>,
    /// Edges dropped to break cycles.
    pub dropped: Vec<Dropped>,
    /// `cycle` and `no_symptom` warnings.
    pub warnings: Vec<Issue>,
    /// Comparison with the producer's ranking, when the graph has one.
    pub comparison: Option<Comparison>,
    /// Indices into `graph.edges` of the causal edges ranking used (deduplicated, acyclic).
    #[serde(skip)]
    pub causal_edges: Vec<usize>,
}

impl Analysis {
    /// The top candidate.
    pub fn top(&self) -> Option<&RootCause> {
        self.root_causes.first()
    }
}

fn severity_weight(s: Option<Severity>) -> f64 {
    match s {
        Some(Severity::Critical) => 1.0,
        Some(Severity::Error) | None => 0.9,
        Some(Severity::Warning) => 0.7,
        Some(Severity::Info) => 0.5,
    }
}

/// The next hop (node, edge) on a node's strongest path to one symptom.
type Next = Option<(usize, usize)>;

/// Analyses a validated graph.
pub fn analyze(g: &Graph) -> Analysis {
    let n = g.nodes.len();
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let times: Vec<Option<jiff::Timestamp>> = g.nodes.iter().map(|n| g.node_time(n)).collect();
    let skew = g.clock_skew();
    let mut warnings = Vec::new();

    // 1. Causal edges, deduplicated on (from, to): the strongest claim of a link stands.
    let mut best: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, e) in g.edges.iter().enumerate() {
        if !e.relation.is_causal() {
            continue;
        }
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        best.entry((a, b))
            .and_modify(|j| {
                if g.edges[*j].confidence_or_default() < e.confidence_or_default() {
                    *j = i;
                }
            })
            .or_insert(i);
    }
    let mut kept: Vec<usize> = best.into_values().collect();
    kept.sort_unstable();
    let dropped = break_cycles(g, &index, &times, &mut kept, &mut warnings);

    // Edge strength: confidence, discounted when time cannot vouch for the direction.
    let strength = |ei: usize| -> f64 {
        let e = &g.edges[ei];
        let (a, b) = (index[e.from.as_str()], index[e.to.as_str()]);
        let temporal = match (times[a], times[b]) {
            (Some(ta), Some(tb)) => {
                let lag = (tb - ta).total(jiff::Unit::Second).unwrap_or(0.0);
                if lag >= 0.0 {
                    1.0
                } else if lag >= -skew {
                    0.9
                } else {
                    0.5
                }
            }
            _ => 0.95,
        };
        e.confidence_or_default() * temporal
    };
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut inc: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for &ei in &kept {
        let e = &g.edges[ei];
        let (a, b) = (index[e.from.as_str()], index[e.to.as_str()]);
        out[a].push((b, ei));
        inc[b].push((a, ei));
    }
    let order = topo_order(n, &out);

    // 2. Symptoms.
    let mut declared: BTreeSet<usize> = g
        .incident
        .iter()
        .flat_map(|i| i.symptom_ids.iter())
        .filter_map(|s| index.get(s.as_str()).copied())
        .collect();
    declared.extend(g.nodes.iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Symptom).map(|(i, _)| i));
    let symptoms_declared = !declared.is_empty();
    let symptoms: Vec<usize> = if symptoms_declared {
        declared.into_iter().collect()
    } else {
        // Sinks of the causal edges; a graph without causal edges has none (an isolated node
        // is not a symptom of anything).
        let sinks: Vec<usize> = (0..n).filter(|&i| out[i].is_empty() && !inc[i].is_empty()).collect();
        warnings.push(Issue {
            level: Level::Warning,
            code: "no_symptom",
            path: "incident.symptom_ids".into(),
            id: None,
            message: format!(
                "no symptom is declared; the {} sink node(s) stand in: {}",
                sinks.len(),
                sinks.iter().take(8).map(|&i| g.nodes[i].id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        });
        sinks
    };
    let is_symptom: Vec<bool> = {
        let mut v = vec![false; n];
        for &s in &symptoms {
            v[s] = true;
        }
        v
    };

    // 4. Strongest path from every node to each symptom (backward pass in reverse topological order).
    let strengths: Vec<f64> = {
        let mut v = vec![0.0; g.edges.len()];
        for &ei in &kept {
            v[ei] = strength(ei);
        }
        v
    };
    let mut per_symptom: Vec<(usize, Vec<f64>, Vec<Next>)> = Vec::with_capacity(symptoms.len());
    for &s in &symptoms {
        let mut reach = vec![0.0f64; n];
        let mut next: Vec<Next> = vec![None; n];
        reach[s] = 1.0;
        for &u in order.iter().rev() {
            if u == s {
                continue;
            }
            for &(v, ei) in &out[u] {
                let cand = strengths[ei] * reach[v];
                if cand > reach[u] {
                    reach[u] = cand;
                    next[u] = Some((v, ei));
                }
            }
        }
        per_symptom.push((s, reach, next));
    }

    // 3 + 5. Candidates and their scores.
    let mut root_causes = Vec::new();
    let mut explained = vec![false; n];
    for u in 0..n {
        if is_symptom[u] && symptoms_declared {
            continue;
        }
        if inc[u].iter().any(|&(_, ei)| g.edges[ei].confidence_or_default() >= WEAK) {
            continue;
        }
        let mut miss = 1.0;
        let mut paths = Vec::new();
        let mut reached = Vec::new();
        for (s, reach, next) in &per_symptom {
            if *s == u || reach[u] <= 0.0 {
                continue;
            }
            let sev = severity_weight(g.nodes[*s].severity);
            miss *= 1.0 - reach[u] * sev;
            explained[*s] = true;
            reached.push(g.nodes[*s].id.clone());
            let mut ids = vec![g.nodes[u].id.clone()];
            let mut conf = 1.0;
            let mut at = u;
            while let Some((v, ei)) = next[at] {
                conf *= g.edges[ei].confidence_or_default();
                ids.push(g.nodes[v].id.clone());
                at = v;
                if at == *s {
                    break;
                }
            }
            paths.push(CausePath { node_ids: ids, confidence: conf, strength: reach[u] * sev });
        }
        if paths.is_empty() {
            continue;
        }
        paths.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.node_ids.len().cmp(&b.node_ids.len())));
        let node_factor = g.nodes[u].anomaly.as_ref().and_then(|a| a.score).map_or(0.95, |s| 0.9 + 0.1 * s);
        let confidence = paths.iter().map(|p| p.confidence).fold(0.0, f64::max);
        root_causes.push(RootCause {
            node_id: g.nodes[u].id.clone(),
            score: (1.0 - miss) * node_factor,
            confidence,
            paths,
            symptoms: reached,
            weak_parents: inc[u].iter().map(|&(a, _)| g.nodes[a].id.clone()).collect(),
        });
    }
    root_causes.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| {
                let (ta, tb) = (times[index[a.node_id.as_str()]], times[index[b.node_id.as_str()]]);
                match (ta, tb) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
            })
            .then(a.node_id.cmp(&b.node_id))
    });
    let unexplained = symptoms.iter().filter(|&&s| !explained[s]).map(|&s| g.nodes[s].id.clone()).collect();
    let mut analysis = Analysis {
        symptoms: symptoms.iter().map(|&s| g.nodes[s].id.clone()).collect(),
        symptoms_declared,
        root_causes,
        unexplained,
        dropped,
        warnings,
        comparison: None,
        causal_edges: kept,
    };
    analysis.comparison = compare(g, &analysis, &index, &inc);
    analysis
}

/// Kahn's order over the kept edges (acyclic after [`break_cycles`]).
fn topo_order(n: usize, out: &[Vec<(usize, usize)>]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    for edges in out {
        for &(v, _) in edges {
            indeg[v] += 1;
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(u) = queue.pop() {
        order.push(u);
        for &(v, _) in &out[u] {
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push(v);
            }
        }
    }
    order
}

fn break_cycles(
    g: &Graph,
    index: &HashMap<&str, usize>,
    times: &[Option<jiff::Timestamp>],
    kept: &mut Vec<usize>,
    warnings: &mut Vec<Issue>,
) -> Vec<Dropped> {
    let mut dropped = Vec::new();
    loop {
        let mut dg: DiGraph<usize, usize> = DiGraph::with_capacity(g.nodes.len(), kept.len());
        let ids: Vec<NodeIndex> = (0..g.nodes.len()).map(|i| dg.add_node(i)).collect();
        for &ei in kept.iter() {
            let e = &g.edges[ei];
            dg.add_edge(ids[index[e.from.as_str()]], ids[index[e.to.as_str()]], ei);
        }
        let sccs: Vec<Vec<NodeIndex>> =
            petgraph::algo::tarjan_scc(&dg).into_iter().filter(|c| c.len() > 1).collect();
        if sccs.is_empty() {
            return dropped;
        }
        for scc in sccs {
            let members: BTreeSet<usize> = scc.iter().map(|i| dg[*i]).collect();
            let inside = kept.iter().copied().filter(|&ei| {
                let e = &g.edges[ei];
                members.contains(&index[e.from.as_str()]) && members.contains(&index[e.to.as_str()])
            });
            let weakest = inside
                .min_by(|&x, &y| {
                    let (a, b) = (&g.edges[x], &g.edges[y]);
                    a.confidence_or_default()
                        .total_cmp(&b.confidence_or_default())
                        .then_with(|| match (a.weight, b.weight) {
                            (None, None) => std::cmp::Ordering::Equal,
                            (None, Some(_)) => std::cmp::Ordering::Less,
                            (Some(_), None) => std::cmp::Ordering::Greater,
                            (Some(p), Some(q)) => p.total_cmp(&q),
                        })
                        // The latest cause goes first: compare reversed.
                        .then_with(|| times[index[b.from.as_str()]].cmp(&times[index[a.from.as_str()]]))
                        .then_with(|| (&b.from, &b.to).cmp(&(&a.from, &a.to)))
                })
                .expect("a strongly connected component with two nodes has an edge inside");
            kept.retain(|&ei| ei != weakest);
            let e = &g.edges[weakest];
            let cycle: Vec<String> = members.iter().map(|&i| g.nodes[i].id.clone()).collect();
            warnings.push(Issue {
                level: Level::Warning,
                code: "cycle",
                path: "edges".into(),
                id: Some(e.label()),
                message: format!(
                    "causal cycle through {}; edge {} dropped for ranking (the weakest)",
                    cycle.join(", "),
                    e.label()
                ),
            });
            dropped.push(Dropped { from: e.from.clone(), to: e.to.clone(), cycle });
        }
    }
}

fn compare(
    g: &Graph,
    a: &Analysis,
    index: &HashMap<&str, usize>,
    inc: &[Vec<(usize, usize)>],
) -> Option<Comparison> {
    let min_rank = g.ranking.iter().map(|r| r.rank).min()?;
    let producer_top: Vec<String> =
        g.ranking.iter().filter(|r| r.rank == min_rank).map(|r| r.node_id.clone()).collect();
    let ours = a.top().map(|t| t.node_id.clone());
    let agrees = ours.as_ref().is_some_and(|o| producer_top.contains(o));
    let mut reasons = Vec::new();
    if !agrees {
        for p in &producer_top {
            let Some(&pi) = index.get(p.as_str()) else { continue };
            let strong_parent = inc[pi]
                .iter()
                .map(|&(q, ei)| (q, g.edges[ei].confidence_or_default()))
                .filter(|(_, c)| *c >= WEAK)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            let ours_rc = a.top();
            let reason = if let Some((q, c)) = strong_parent {
                format!(
                    "{p} has a causal parent, {} ({} confidence), so sleuth treats it as an effect, not where the chain starts",
                    g.nodes[q].id,
                    confidence_word(c)
                )
            } else if let Some(rc) = a.root_causes.iter().find(|r| &r.node_id == p) {
                let rank = a.root_causes.iter().position(|r| &r.node_id == p).unwrap_or(0) + 1;
                match ours_rc {
                    Some(top) => format!(
                        "sleuth ranks {p} #{rank}: its strongest path to a symptom is {} while {}'s is {}{}",
                        confidence_word(rc.confidence),
                        top.node_id,
                        confidence_word(top.confidence),
                        if top.symptoms.len() > rc.symptoms.len() {
                            format!(
                                ", and {} reaches {} symptoms to its {}",
                                top.node_id,
                                top.symptoms.len(),
                                rc.symptoms.len()
                            )
                        } else {
                            String::new()
                        }
                    ),
                    None => format!("sleuth ranks {p} #{rank}"),
                }
            } else {
                format!("no causal path leads from {p} to a symptom, so the graph itself does not support it")
            };
            reasons.push(reason);
        }
    }
    Some(Comparison {
        producer: g.provenance.as_ref().and_then(|p| p.generator.clone()),
        producer_top,
        agrees,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validate::from_value;

    fn graph(v: &serde_json::Value) -> Graph {
        from_value(v).unwrap_or_else(|e| panic!("{:#?}", e.issues)).graph
    }

    fn node(id: &str, kind: &str, t: &str) -> serde_json::Value {
        let mut n = json!({"id": id, "kind": kind, "time": t});
        match kind {
            "change_event" => {
                n["entity"] = json!({"kind": "Deployment", "name": id});
                n["change"] = json!({"type": "deploy"});
            }
            "metric_anomaly" => n["metric"] = json!({"name": id}),
            "symptom" => n["description"] = json!(id),
            _ => {}
        }
        n
    }

    #[test]
    fn the_example_of_the_reference_ranks_the_image_change_first() {
        let g = graph(&serde_json::from_str(include_str!("testdata/example.json")).unwrap());
        let a = analyze(&g);
        assert_eq!(a.symptoms, ["s1"]);
        let top = a.top().unwrap();
        assert_eq!(top.node_id, "c1");
        assert_eq!(top.paths[0].node_ids, ["c1", "m1", "s1"]);
        assert!((top.confidence - 0.688).abs() < 0.001);
        assert!(a.comparison.as_ref().unwrap().agrees);
        // The side branch (t1 → m2) and the correlated BackOff are not candidates.
        assert_eq!(a.root_causes.len(), 1);
    }

    #[test]
    fn weak_parents_do_not_stop_a_root_cause_and_strong_ones_do() {
        let mk = |conf: f64| {
            graph(&json!({
                "schema_version": "rcagraph/v1",
                "nodes": [node("noise", "metric_anomaly", "2024-01-01T00:00:00Z"),
                          node("root", "change_event", "2024-01-01T00:01:00Z"),
                          node("mid", "metric_anomaly", "2024-01-01T00:02:00Z"),
                          node("s", "symptom", "2024-01-01T00:03:00Z")],
                "edges": [{"from": "noise", "to": "root", "relation": "contributes_to", "confidence": conf},
                          {"from": "root", "to": "mid", "relation": "caused", "confidence": 0.9},
                          {"from": "mid", "to": "s", "relation": "caused", "confidence": 0.9}]
            }))
        };
        let a = analyze(&mk(0.1));
        assert_eq!(a.top().unwrap().node_id, "root");
        assert_eq!(a.top().unwrap().weak_parents, ["noise"]);
        let a = analyze(&mk(0.9));
        assert_eq!(a.top().unwrap().node_id, "noise");
        assert!(!a.root_causes.iter().any(|r| r.node_id == "root"));
    }

    #[test]
    fn cycles_are_reported_and_broken_at_the_weakest_edge() {
        let g = graph(&json!({
            "schema_version": "rcagraph/v1",
            "nodes": [{"id": "a", "kind": "metric_anomaly", "metric": {"name": "a"}},
                      {"id": "b", "kind": "metric_anomaly", "metric": {"name": "b"}},
                      {"id": "c", "kind": "metric_anomaly", "metric": {"name": "c"}},
                      {"id": "s", "kind": "symptom", "description": "s"}],
            "edges": [{"from": "a", "to": "b", "relation": "caused", "confidence": 0.9},
                      {"from": "b", "to": "c", "relation": "caused", "confidence": 0.8},
                      {"from": "c", "to": "a", "relation": "caused", "confidence": 0.3},
                      {"from": "c", "to": "s", "relation": "caused", "confidence": 0.9}]
        }));
        let a = analyze(&g);
        assert_eq!(a.dropped.len(), 1);
        assert_eq!((a.dropped[0].from.as_str(), a.dropped[0].to.as_str()), ("c", "a"));
        assert!(a.warnings.iter().any(|w| w.code == "cycle" && w.message.contains("a, b, c")));
        assert_eq!(a.top().unwrap().node_id, "a");
    }

    #[test]
    fn equal_confidences_fall_back_to_weight_then_time_then_ids() {
        let g = graph(&json!({
            "schema_version": "rcagraph/v1",
            "nodes": [{"id": "a", "kind": "metric_anomaly", "metric": {"name": "a"}},
                      {"id": "b", "kind": "metric_anomaly", "metric": {"name": "b"}}],
            "edges": [{"from": "a", "to": "b", "relation": "caused", "confidence": 0.5},
                      {"from": "b", "to": "a", "relation": "caused", "confidence": 0.5}]
        }));
        // No weights, no times: the lexicographically greatest (from, to) goes.
        assert_eq!(analyze(&g).dropped[0].from, "b");
    }

    #[test]
    fn sinks_stand_in_for_missing_symptoms() {
        let g = graph(&json!({
            "schema_version": "rcagraph/v1",
            "nodes": [node("a", "metric_anomaly", "2024-01-01T00:00:00Z"), node("b", "metric_anomaly", "2024-01-01T00:01:00Z")],
            "edges": [{"from": "a", "to": "b", "relation": "caused", "confidence": 0.9}]
        }));
        let a = analyze(&g);
        assert_eq!(a.symptoms, ["b"]);
        assert!(a.warnings.iter().any(|w| w.code == "no_symptom"));
        assert_eq!(a.top().unwrap().node_id, "a");
    }

    #[test]
    fn disagreement_with_the_producer_is_explained() {
        let mut v: serde_json::Value = serde_json::from_str(include_str!("testdata/example.json")).unwrap();
        v["ranking"] = json!([{"node_id": "m1", "rank": 1}, {"node_id": "c1", "rank": 2}]);
        v["ranking"][0]["paths"] = json!([{"node_ids": ["m1", "s1"]}]);
        let a = analyze(&graph(&v));
        let c = a.comparison.unwrap();
        assert!(!c.agrees);
        assert_eq!(c.producer.as_deref(), Some("ctrlstack"));
        assert!(c.reasons[0].contains("m1 has a causal parent, c1 (high confidence)"), "{:?}", c.reasons);
    }

    #[test]
    fn unexplained_symptoms_are_listed() {
        let g = graph(&json!({
            "schema_version": "rcagraph/v1",
            "nodes": [node("a", "change_event", "2024-01-01T00:00:00Z"), node("s", "symptom", "2024-01-01T00:01:00Z"),
                      node("t", "symptom", "2024-01-01T00:01:00Z")],
            "edges": [{"from": "a", "to": "s", "relation": "caused", "confidence": 0.9}]
        }));
        let a = analyze(&g);
        assert_eq!(a.unexplained, ["t"]);
    }

    #[test]
    fn words_for_confidences() {
        assert_eq!(confidence_word(0.9), "high");
        assert_eq!(confidence_word(0.85), "high");
        assert_eq!(confidence_word(0.7), "likely");
        assert_eq!(confidence_word(0.5), "possible");
        assert_eq!(confidence_word(0.1), "weak");
    }
}
