//! Random causal graphs with a known, injected root cause, for measuring ranking accuracy
//! (issue 5 §8, `reference/rcagraph-v1.md` §13).
//!
//! A case is one incident: a **true chain** from the injected root cause to the symptom (2–5
//! edges, confidences 0.75–0.98, times increasing by 10–180 s), **decoy chains** from other
//! sources to the same symptom, and a **background** of unrelated evidence linked among itself.
//! In clean cases every decoy is built weaker than the true chain, so the true path has the
//! highest confidence product; the noise settings then take that guarantee away piece by piece:
//!
//! - `spurious`: correlated nodes hung on the chain, and two decoys built at 0.6–1.25 times the
//!   true chain's strength (when one wins, the case no longer has the strongest true path);
//! - `weak`: weak causal edges (0.05–0.3) from background nodes into the chains, the root included;
//! - `missing`: every causal edge dropped with probability 0.1, the true chain's included (the
//!   root may no longer reach the symptom at all);
//! - `skew`: every time shifted by up to ±3 s, with the skew declared.
//!
//! [`Case::strongest_true`] is computed from the finished graph, independently of the ranking
//! code: the true root's best path product beats that of every other node whose causal parents
//! are all weak.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::schema::{
    Anomaly, AnomalyType, Change, ChangeType, Direction, Edge, Entity, EventType, Graph, Incident, K8sEvent,
    Metric, Node, NodeKind, Relation, SCHEMA_VERSION, Severity,
};

/// Noise to add.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Noise {
    /// Correlated nodes, and decoys not bounded by the true chain's strength.
    pub spurious: bool,
    /// Weak edges into the chains.
    pub weak_edges: bool,
    /// Probability of dropping each true edge.
    pub missing: f64,
    /// Clock skew in seconds (± per node).
    pub skew: f64,
}

impl Noise {
    /// The settings reported in `BENCHMARKS.md`, by name.
    pub fn settings() -> Vec<(&'static str, Noise)> {
        let all = Noise { spurious: true, weak_edges: true, missing: 0.1, skew: 3.0 };
        vec![
            ("clean", Noise::default()),
            ("skew ±3 s", Noise { skew: 3.0, ..Noise::default() }),
            ("weak edges", Noise { weak_edges: true, ..Noise::default() }),
            ("spurious", Noise { spurious: true, ..Noise::default() }),
            ("missing 10%", Noise { missing: 0.1, ..Noise::default() }),
            ("all", all),
        ]
    }
}

/// A generated incident.
#[derive(Debug, Clone)]
pub struct Case {
    /// The graph.
    pub graph: Graph,
    /// The injected root cause's id.
    pub root: String,
    /// Whether the true path has the highest confidence product among candidate causes.
    pub strongest_true: bool,
}

struct Gen {
    rng: fastrand::Rng,
    t0: Timestamp,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    secs: Vec<i64>,
}

impl Gen {
    /// A node about one of `services` services (picked at random).
    fn node(&mut self, kind: NodeKind, at: i64, services: usize) -> usize {
        let service = self.rng.usize(0..services.max(1));
        let id = format!("n{}", self.nodes.len());
        let mut n = Node::new(id, kind);
        n.time = Some(self.t0 + SignedDuration::from_secs(at));
        let svc = format!("svc-{service}");
        match kind {
            NodeKind::ChangeEvent => {
                n.entity = Some(Entity::k8s("Deployment", Some("prod"), &svc));
                n.change = Some(Change {
                    type_: ChangeType::ImageChange,
                    field: Some(format!("spec.template.spec.containers[{svc}].image")),
                    before: Some(json!(format!("reg/{svc}:1.0.{}", self.rng.u8(0..50)))),
                    after: Some(json!(format!("reg/{svc}:1.1.{}", self.rng.u8(0..50)))),
                    added: vec![],
                    removed: vec![],
                });
            }
            NodeKind::MetricAnomaly => {
                n.entity = Some(Entity::k8s("Deployment", Some("prod"), &svc));
                let names =
                    ["latency_p99_seconds", "error_rate", "memory_working_set_bytes", "cpu_usage_cores"];
                n.metric =
                    Some(Metric { name: names[self.rng.usize(0..names.len())].into(), ..Metric::default() });
                n.anomaly = Some(Anomaly {
                    type_: Some(AnomalyType::Inflection),
                    direction: Some(Direction::Up),
                    score: Some((50.0 + f64::from(self.rng.u8(0..=50))) / 100.0),
                    ..Anomaly::default()
                });
            }
            NodeKind::K8sEvent => {
                let pod = format!("{svc}-7d9f8-{}", self.rng.u16(1000..9999));
                n.entity = Some(Entity::k8s("Pod", Some("prod"), &pod));
                let reasons = ["BackOff", "Unhealthy", "OOMKilling", "FailedScheduling"];
                n.event = Some(K8sEvent {
                    type_: EventType::Warning,
                    reason: reasons[self.rng.usize(0..reasons.len())].into(),
                    message: None,
                    count: Some(1),
                    first_seen: None,
                    last_seen: None,
                    reporting_component: None,
                });
            }
            NodeKind::TopologyChange => {
                n.entity = Some(Entity::k8s("Node", None, &format!("node-{service}")));
                n.change = Some(Change {
                    type_: ChangeType::PodsRescheduled,
                    field: None,
                    before: None,
                    after: None,
                    added: vec![svc],
                    removed: vec![],
                });
            }
            NodeKind::Symptom => {
                n.description = Some(format!("{svc} error budget burning"));
                n.severity = Some(Severity::Critical);
            }
        }
        self.nodes.push(n);
        self.secs.push(at);
        self.nodes.len() - 1
    }

    fn edge(&mut self, a: usize, b: usize, relation: Relation, confidence: f64) {
        let mut e = Edge::new(
            &self.nodes[a].id.clone(),
            &self.nodes[b].id.clone(),
            relation,
            (confidence * 1000.0).round() / 1000.0,
        );
        if relation == Relation::Correlated {
            e.directed = Some(false);
        }
        self.edges.push(e);
    }

    fn conf(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.rng.f64()
    }

    fn kind(&mut self) -> NodeKind {
        match self.rng.u8(0..10) {
            0..=1 => NodeKind::ChangeEvent,
            2..=6 => NodeKind::MetricAnomaly,
            7..=8 => NodeKind::K8sEvent,
            _ => NodeKind::TopologyChange,
        }
    }
}

/// Generates one case with `size` nodes (at least 8).
pub fn generate(seed: u64, size: usize, noise: Noise) -> Case {
    let size = size.max(8);
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
        t0: "2026-01-01T00:00:00Z".parse().expect("valid time"),
        nodes: Vec::new(),
        edges: Vec::new(),
        secs: Vec::new(),
    };
    let services = (size / 5).max(3);
    // The true chain.
    let len = g.rng.usize(2..=5);
    let start = 600 + g.rng.i64(0..600);
    let root_kind = if g.rng.bool() { NodeKind::ChangeEvent } else { NodeKind::MetricAnomaly };
    let mut at = start;
    let root = g.node(root_kind, at, services);
    let mut chain = vec![root];
    for _ in 1..len {
        at += g.rng.i64(10..180);
        let k = if g.rng.bool() { NodeKind::MetricAnomaly } else { NodeKind::K8sEvent };
        chain.push(g.node(k, at, services));
    }
    at += g.rng.i64(10..180);
    let symptom = g.node(NodeKind::Symptom, at, 1);
    chain.push(symptom);
    let mut true_product = 1.0;
    let mut true_edges = Vec::new();
    for w in chain.windows(2) {
        let c = g.conf(0.75, 0.98);
        true_product *= c;
        true_edges.push((w[0], w[1], c));
    }
    for (a, b, c) in true_edges {
        g.edge(a, b, Relation::Caused, c);
    }
    // Decoy chains to the same symptom.
    let decoys = (size / 25).clamp(2, 40);
    for d in 0..decoys {
        // Under `spurious` noise the first two decoys compete with the true chain.
        let target = if noise.spurious && d < 2 {
            true_product * g.conf(0.6, 1.25)
        } else {
            true_product * g.conf(0.3, 0.9)
        };
        let target = target.min(0.95);
        let m = g.rng.usize(1..=3);
        let per = target.powf(1.0 / m as f64).max(WEAKEST_STRONG);
        let mut t = start - g.rng.i64(0..300);
        let kind = g.kind();
        let mut prev = g.node(kind, t, services);
        for step in 0..m {
            let next = if step + 1 == m {
                symptom
            } else {
                t += g.rng.i64(5..60);
                let kind = if g.rng.bool() { NodeKind::MetricAnomaly } else { NodeKind::K8sEvent };
                g.node(kind, t.min(g.secs[symptom] - 1), services)
            };
            let c = (per * g.conf(0.97, 1.03)).clamp(WEAKEST_STRONG, 0.99);
            g.edge(prev, next, Relation::ContributesTo, c);
            prev = next;
        }
    }
    // Background: unrelated evidence, linked among itself, never into the chains.
    let first_background = g.nodes.len();
    while g.nodes.len() < size {
        let t = g.rng.i64(0..(g.secs[symptom] + 600));
        let kind = g.kind();
        let n = g.node(kind, t, services);
        for _ in 0..g.rng.usize(0..=2) {
            let candidates = n - first_background;
            if candidates == 0 {
                break;
            }
            let p = first_background + g.rng.usize(0..candidates);
            let c = g.conf(0.3, 0.95);
            let (a, b) = if g.secs[p] <= g.secs[n] { (p, n) } else { (n, p) };
            g.edge(a, b, Relation::Caused, c);
        }
    }
    let background: Vec<usize> = (first_background..g.nodes.len()).collect();
    if noise.weak_edges && !background.is_empty() {
        let targets: Vec<usize> = (0..first_background).filter(|&i| i != symptom).collect();
        for _ in 0..(size / 10).max(2) {
            let b = targets[g.rng.usize(0..targets.len())];
            let earlier: Vec<usize> = background.iter().copied().filter(|&x| g.secs[x] < g.secs[b]).collect();
            if earlier.is_empty() {
                continue;
            }
            let a = earlier[g.rng.usize(0..earlier.len())];
            let c = g.conf(0.05, 0.3);
            g.edge(a, b, Relation::ContributesTo, c);
        }
        // The root itself gets a weak parent.
        let earlier: Vec<usize> = background.iter().copied().filter(|&x| g.secs[x] < g.secs[root]).collect();
        if !earlier.is_empty() {
            let a = earlier[g.rng.usize(0..earlier.len())];
            let c = g.conf(0.05, 0.3);
            g.edge(a, root, Relation::ContributesTo, c);
        }
    }
    if noise.spurious {
        for _ in 0..(size / 10).max(2) {
            let anchor = chain[g.rng.usize(0..chain.len())];
            let t = g.secs[anchor] + g.rng.i64(-60..60);
            let kind = g.kind();
            let n = g.node(kind, t.max(0), services);
            let c = g.conf(0.5, 0.9);
            g.edge(anchor, n, Relation::Correlated, c);
        }
    }
    if noise.missing > 0.0 {
        // Evidence that was never recorded: any causal edge may be missing, the true chain's too.
        let keep: Vec<bool> = (0..g.edges.len()).map(|_| g.rng.f64() >= noise.missing).collect();
        let mut k = keep.into_iter();
        g.edges.retain(|e| k.next().unwrap_or(true) || !e.relation.is_causal());
    }
    let mut skew = 0.0;
    if noise.skew > 0.0 {
        skew = 2.0 * noise.skew;
        let shifts: Vec<i64> =
            (0..g.nodes.len()).map(|_| g.rng.i64(-(noise.skew as i64)..=(noise.skew as i64))).collect();
        for (n, s) in g.nodes.iter_mut().zip(shifts) {
            n.time = n.time.map(|t| t + SignedDuration::from_secs(s));
        }
    }
    let root_id = g.nodes[root].id.clone();
    let graph = Graph {
        schema_version: SCHEMA_VERSION.into(),
        incident: Some(Incident {
            id: Some(format!("generated-{seed}")),
            detected_at: g.nodes[symptom].time,
            symptom_ids: vec![g.nodes[symptom].id.clone()],
            clock_skew_seconds: (skew > 0.0).then_some(skew),
            ..Incident::default()
        }),
        nodes: g.nodes,
        edges: g.edges,
        ranking: Vec::new(),
        provenance: None,
    };
    let strongest_true = strongest_true(&graph, &root_id);
    Case { graph, root: root_id, strongest_true }
}

/// Decoy edges stay above the weak threshold so that decoy interiors are not candidates.
const WEAKEST_STRONG: f64 = 0.36;

/// Whether `root`'s best confidence product to a symptom beats every other candidate's.
fn strongest_true(g: &Graph, root: &str) -> bool {
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let symptom =
        g.incident.as_ref().and_then(|i| i.symptom_ids.first()).and_then(|s| index.get(s.as_str()).copied());
    let Some(s) = symptom else { return false };
    let mut order: Vec<usize> = (0..g.nodes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(g.nodes[i].time));
    let mut best = vec![0.0f64; g.nodes.len()];
    best[s] = 1.0;
    let causal: Vec<(usize, usize, f64)> = g
        .edges
        .iter()
        .filter(|e| e.relation.is_causal())
        .map(|e| (index[e.from.as_str()], index[e.to.as_str()], e.confidence_or_default()))
        .collect();
    // Times decrease along `order`, and every causal edge runs forward in time, so one pass
    // (repeated a few times for equal or skewed times) settles the products.
    for _ in 0..3 {
        for &u in &order {
            for &(a, b, c) in causal.iter().filter(|(a, _, _)| *a == u) {
                best[a] = best[a].max(c * best[b]);
            }
        }
    }
    let candidate = |u: usize| u != s && !causal.iter().any(|&(_, b, c)| b == u && c >= crate::analyze::WEAK);
    let r = index[root];
    best[r] > 0.0 && (0..g.nodes.len()).filter(|&u| u != r && candidate(u)).all(|u| best[u] < best[r])
}

/// Rank of the true root in a ranking (1-based), ties counted pessimistically; `None` if absent.
pub fn rank_of(analysis: &crate::analyze::Analysis, root: &str) -> Option<usize> {
    let score = analysis.root_causes.iter().find(|r| r.node_id == root)?.score;
    Some(analysis.root_causes.iter().filter(|r| r.score >= score).count())
}

/// AC@1, AC@3 and Avg@5 over ranks (`None` = missed), one root cause per case (§13).
pub fn accuracy(ranks: &[Option<usize>]) -> (f64, f64, f64) {
    if ranks.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let n = ranks.len() as f64;
    let ac = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
    let avg5 = (1..=5).map(ac).sum::<f64>() / 5.0;
    (ac(1), ac(3), avg5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze::analyze, validate::from_value};

    #[test]
    fn generated_graphs_are_valid_and_sized() {
        for (name, noise) in Noise::settings() {
            for size in [10, 100, 2000] {
                let case = generate(7, size, noise);
                let v = serde_json::to_value(&case.graph).unwrap();
                let parsed = from_value(&v)
                    .unwrap_or_else(|e| panic!("{name} {size}: {:#?}", &e.issues[..e.issues.len().min(5)]));
                assert!(parsed.graph.nodes.len() >= size, "{name} {size}");
            }
        }
    }

    #[test]
    fn clean_graphs_rank_the_injected_cause_first() {
        let mut ranks = Vec::new();
        for seed in 0..60 {
            for size in [10, 60] {
                let case = generate(seed, size, Noise::default());
                assert!(case.strongest_true, "clean cases keep the true path strongest (seed {seed})");
                ranks.push(rank_of(&analyze(&case.graph), &case.root));
            }
        }
        let (ac1, ac3, _) = accuracy(&ranks);
        assert!(ac1 >= 0.95, "AC@1 {ac1}");
        assert!(ac3 >= ac1);
    }

    #[test]
    fn accuracy_follows_the_definitions() {
        let (ac1, ac3, avg5) = accuracy(&[Some(1), Some(2), None, Some(5)]);
        assert!((ac1 - 0.25).abs() < 1e-9);
        assert!((ac3 - 0.5).abs() < 1e-9);
        // (0.25 + 0.5 + 0.5 + 0.5 + 0.75) / 5
        assert!((avg5 - 0.5).abs() < 1e-9);
    }
}
