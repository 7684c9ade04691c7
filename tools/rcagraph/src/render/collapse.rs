//! The picture a person takes in at a glance: the top cause's story, the next two hypotheses'
//! strongest paths, and the symptoms — with evidence of one kind on one family of objects
//! drawn as one box ("3 Pods: Evicted, 14:07–14:24") and everything else folded into a count.
//!
//! [`collapse`] returns a smaller graph and the analysis *projected* onto it (the original
//! ranking, its paths renamed through the groups), never a re-analysis: grouping changes how
//! many symptoms a cause reaches, and the picture must tell the same story as the narrative.
//! Every renderer draws the collapsed view by default; `--full` draws the graph as given, and
//! so does a graph of at most [`SMALL`] nodes, which needs no collapsing to be read.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::text::plural;
use crate::analyze::{Analysis, CausePath, Dropped, RootCause};
use crate::narrate::{label, story_path};
use crate::schema::{Edge, Entity, Graph, Node, NodeKind, Severity};

/// How many hypotheses after the top one keep their strongest path.
const ALTERNATIVES: usize = 2;

/// A graph this small is read at a glance as it is: drawn whole.
pub const SMALL: usize = 15;

/// A graph collapsed for reading, with its analysis.
#[derive(Debug, Clone)]
pub struct Collapsed {
    /// The nodes and edges to draw.
    pub graph: Graph,
    /// The original analysis, renamed onto `graph`.
    pub analysis: Analysis,
    /// Nodes of the original graph not drawn (neither on a story, nor a symptom, nor in a group
    /// with one of those).
    pub folded: usize,
}

impl Collapsed {
    /// The note a rendering adds when something was folded.
    pub fn note(&self) -> Option<String> {
        (self.folded > 0).then(|| {
            format!(
                "+{} more {} off these paths (--full draws everything)",
                self.folded,
                if self.folded == 1 { "node" } else { "nodes" }
            )
        })
    }
}

/// The family a node is grouped in: events of one reason about one kind of object; symptoms
/// that say the same thing (the same finding of the same producer when it names one, e.g.
/// `sleuth diagnose`'s `POD-11`, else the same kind of object) once their objects' names are
/// taken out. Changes, metrics and topology stay one per box.
fn family(n: &Node) -> Option<String> {
    let kind = n.entity.as_ref().map_or("", |e| e.kind.as_str());
    match n.kind {
        NodeKind::K8sEvent => n.event.as_ref().map(|e| format!("event\u{0}{}\u{0}{kind}", e.reason)),
        NodeKind::Symptom => {
            let finding = n
                .source
                .as_ref()
                .and_then(|s| Some(format!("{}:{}", s.system.as_deref()?, s.reference.as_deref()?)));
            Some(format!("symptom\u{0}{}\u{0}{}", finding.unwrap_or_else(|| kind.to_string()), what(n)))
        }
        _ => None,
    }
}

/// What a symptom says, without the object it is about: `Service ns/web: Service has no ready
/// endpoint: all 1 …` → `Service has no ready endpoint`; `… container web restarts
/// repeatedly: 28 restarts` → `container restarts repeatedly`.
fn what(n: &Node) -> String {
    let text = label(n);
    let rest =
        n.entity.as_ref().and_then(|e| text.strip_prefix(&format!("{}: ", e.display()))).unwrap_or(&text);
    let first = rest.split(": ").next().unwrap_or(rest).trim();
    // The object's own name, and a container named after its workload (`kuard` of
    // `kuard-6b65d9d8b5`), are what differs between members of one family.
    let name = n.entity.as_ref().map_or("", |e| e.name.as_str());
    first.split_whitespace().filter(|w| name.is_empty() || !name.starts_with(w)).collect::<Vec<_>>().join(" ")
}

/// One box standing for several nodes of a family.
fn group_node(g: &Graph, members: &[usize], id: String) -> Node {
    let first = &g.nodes[members[0]];
    let mut node = first.clone();
    node.id = id;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in members {
        *kinds.entry(g.nodes[i].entity.as_ref().map_or("object", |e| e.kind.as_str())).or_default() += 1;
    }
    let kind = first.entity.as_ref().map_or("object", |e| e.kind.as_str()).to_string();
    // `3 Pods`, or `4 DaemonSets and 6 ReplicaSets` when the family spans kinds.
    let counted: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {}", plural(k, *n))).collect();
    let who_kinds = match counted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => counted.concat(),
    };
    let mut names: Vec<String> =
        members.iter().filter_map(|&i| g.nodes[i].entity.as_ref().map(|e| e.name.clone())).collect();
    names.sort();
    names.dedup();
    let times: Vec<jiff::Timestamp> = members.iter().filter_map(|&i| g.node_time(&g.nodes[i])).collect();
    let (start, end) = (times.iter().min().copied(), times.iter().max().copied());
    node.time = start;
    node.time_inferred = members.iter().all(|&i| g.nodes[i].time_inferred);
    let hm = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC).strftime("%H:%M").to_string();
    let span = match (start, end) {
        (Some(s), Some(e)) if hm(s) != hm(e) => format!(", {}–{}", hm(s), hm(e)),
        (Some(s), _) => format!(", {}", hm(s)),
        _ => String::new(),
    };
    let shown: Vec<&str> = names.iter().take(2).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    let who = if more > 0 { format!("{}, +{more}", shown.join(", ")) } else { shown.join(", ") };
    let headline = match &first.event {
        Some(e) => e.reason.clone(),
        None => what(first),
    };
    node.description = Some(format!("{who_kinds}: {headline} ({who}{span})"));
    if let Some(e) = node.event.as_mut() {
        e.count =
            Some(members.iter().map(|&i| g.nodes[i].event.as_ref().and_then(|e| e.count).unwrap_or(1)).sum());
        e.message = None;
    }
    // The group is as severe as its most severe member.
    node.severity = members.iter().filter_map(|&i| g.nodes[i].severity).min_by_key(|s| match s {
        Severity::Critical => 0,
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    });
    node.entity = first.entity.as_ref().map(|e| Entity {
        name: format!("{} {}", names.len(), plural(&kind, names.len()).to_lowercase()),
        uid: None,
        ..e.clone()
    });
    node
}

/// The collapsed view of `g` under its analysis `a` (the graph itself when it has at most
/// [`SMALL`] nodes).
pub fn collapse(g: &Graph, a: &Analysis) -> Collapsed {
    if g.nodes.len() <= SMALL {
        return Collapsed { graph: g.clone(), analysis: a.clone(), folded: 0 };
    }
    let index: HashMap<&str, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let at = |id: &str| index.get(id).copied();
    // What the stories run through, and what is never merged into a group: the causes.
    let mut shown: HashSet<usize> = HashSet::new();
    let mut causes: HashSet<usize> = HashSet::new();
    for rc in a.root_causes.iter().take(1 + ALTERNATIVES) {
        causes.extend(at(&rc.node_id));
        shown.extend(story_path(g, rc).node_ids.iter().filter_map(|id| at(id)));
    }
    shown.extend(a.symptoms.iter().filter_map(|id| at(id)));
    // Families over the whole graph, so a group counts every member, drawn or not.
    let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if let Some(f) = family(n).filter(|_| !causes.contains(&i)) {
            families.entry(f).or_default().push(i);
        }
    }
    // Each drawn node's box: itself, or its family's when the family has several members.
    let mut rep: Vec<Option<usize>> = vec![None; g.nodes.len()];
    let mut nodes: Vec<Node> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut order: Vec<usize> = shown.iter().copied().collect();
    order.sort_unstable();
    for i in order {
        if rep[i].is_some() {
            continue;
        }
        let members = family(&g.nodes[i])
            .filter(|_| !causes.contains(&i))
            .and_then(|f| families.get(&f))
            .filter(|m| m.len() > 1);
        let slot = nodes.len();
        if let Some(members) = members {
            let mut id = format!("{}+{}", g.nodes[members[0]].id, members.len() - 1);
            while ids.contains(&id) || index.contains_key(id.as_str()) {
                id.push('\'');
            }
            nodes.push(group_node(g, members, id));
            for &m in members {
                rep[m] = Some(slot);
            }
        } else {
            nodes.push(g.nodes[i].clone());
            rep[i] = Some(slot);
        }
        ids.insert(nodes[slot].id.clone());
    }
    let folded = rep.iter().filter(|r| r.is_none()).count();
    let name = |i: usize| rep[i].map(|r| nodes[r].id.clone());
    let rename = |id: &str| at(id).and_then(name);
    // Edges between drawn boxes, once per pair and relation, the most confident kept.
    let mut edges: Vec<Edge> = Vec::new();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut new_index: HashMap<usize, usize> = HashMap::new();
    for (ei, e) in g.edges.iter().enumerate() {
        let (Some(from), Some(to)) = (rename(&e.from), rename(&e.to)) else { continue };
        if from == to {
            continue;
        }
        let key = (from.clone(), to.clone(), e.relation.as_str().to_string());
        if let Some(&k) = seen.get(&key) {
            if e.confidence_or_default() > edges[k].confidence_or_default() {
                edges[k].confidence = e.confidence;
            }
            new_index.insert(ei, k);
        } else {
            let mut e2 = e.clone();
            e2.id = None;
            e2.from = from;
            e2.to = to;
            seen.insert(key, edges.len());
            new_index.insert(ei, edges.len());
            edges.push(e2);
        }
    }
    let mut causal: Vec<usize> = a.causal_edges.iter().filter_map(|ei| new_index.get(ei).copied()).collect();
    causal.sort_unstable();
    causal.dedup();
    let rename_all = |ids: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in ids.iter().filter_map(|id| rename(id)) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    let path = |p: &CausePath| -> Option<CausePath> {
        let ids: Vec<String> = p.node_ids.iter().map(|id| rename(id)).collect::<Option<_>>()?;
        let mut node_ids: Vec<String> = Vec::new();
        for id in ids {
            if node_ids.last() != Some(&id) {
                node_ids.push(id);
            }
        }
        Some(CausePath { node_ids, ..p.clone() })
    };
    let root_causes: Vec<RootCause> = a
        .root_causes
        .iter()
        .filter_map(|rc| {
            let node_id = rename(&rc.node_id)?;
            let mut paths: Vec<CausePath> = Vec::new();
            for p in rc.paths.iter().filter_map(path) {
                if !paths.iter().any(|q| q.node_ids == p.node_ids) {
                    paths.push(p);
                }
            }
            (!paths.is_empty()).then(|| RootCause {
                node_id,
                paths,
                symptoms: rename_all(&rc.symptoms),
                weak_parents: rename_all(&rc.weak_parents),
                ..rc.clone()
            })
        })
        .collect();
    let analysis = Analysis {
        symptoms: rename_all(&a.symptoms),
        symptoms_declared: a.symptoms_declared,
        root_causes,
        unexplained: rename_all(&a.unexplained),
        dropped: a
            .dropped
            .iter()
            .filter_map(|d| {
                Some(Dropped { from: rename(&d.from)?, to: rename(&d.to)?, cycle: rename_all(&d.cycle) })
            })
            .collect(),
        warnings: a.warnings.clone(),
        comparison: a.comparison.clone(),
        causal_edges: causal,
    };
    let mut graph = g.clone();
    graph.nodes = nodes;
    graph.edges = edges;
    if let Some(inc) = graph.incident.as_mut() {
        inc.symptom_ids.clone_from(&analysis.symptoms);
    }
    Collapsed { graph, analysis, folded }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::analyze::analyze;
    use crate::validate::parse_json;

    /// A bad rollout fills a node's memory; twelve pods are evicted from two nodes; three
    /// Services lose their endpoints; a second change and a side branch that reaches nothing.
    fn incident() -> Graph {
        let mut nodes = vec![
            json!({"id": "deploy", "kind": "change_event", "time": "2026-01-01T14:00:00Z",
                   "entity": {"kind": "Deployment", "namespace": "shop", "name": "api"},
                   "change": {"type": "image_change", "before": "api:1", "after": "api:2"}}),
            json!({"id": "mem", "kind": "metric_anomaly", "time": "2026-01-01T14:01:00Z",
                   "entity": {"kind": "Node", "name": "node-a"}, "metric": {"name": "memory"},
                   "anomaly": {"type": "level_shift", "direction": "up"}}),
            json!({"id": "config", "kind": "change_event", "time": "2026-01-01T13:00:00Z",
                   "entity": {"kind": "ConfigMap", "namespace": "shop", "name": "api-config"},
                   "change": {"type": "config_change"}}),
            json!({"id": "side", "kind": "k8s_event", "time": "2026-01-01T13:10:00Z",
                   "entity": {"kind": "Pod", "namespace": "shop", "name": "lonely"},
                   "event": {"type": "Normal", "reason": "Pulled"}}),
        ];
        let mut edges = vec![
            json!({"from": "deploy", "to": "mem", "relation": "caused", "confidence": 0.9}),
            json!({"from": "config", "to": "side", "relation": "caused", "confidence": 0.4}),
        ];
        for i in 0..12 {
            nodes.push(json!({"id": format!("evicted-{i}"), "kind": "k8s_event",
                "time": format!("2026-01-01T14:{:02}:00Z", 2 + i / 4),
                "entity": {"kind": "Pod", "namespace": "shop", "name": format!("api-{i}")},
                "event": {"type": "Warning", "reason": "Evicted", "count": 1}}));
            edges.push(
                json!({"from": "mem", "to": format!("evicted-{i}"), "relation": "caused", "confidence": 0.8}),
            );
        }
        for (i, svc) in ["api", "web", "cart"].iter().enumerate() {
            nodes.push(json!({"id": format!("s-{svc}"), "kind": "symptom", "time": "2026-01-01T14:10:00Z",
                "severity": "error", "entity": {"kind": "Service", "namespace": "shop", "name": svc},
                "description": format!("Service shop/{svc}: Service has no ready endpoint: all {i} are not ready")}));
            for e in 0..4 {
                edges.push(json!({"from": format!("evicted-{}", i * 4 + e), "to": format!("s-{svc}"), "relation": "caused", "confidence": 0.7}));
            }
        }
        let symptoms: Vec<Value> = ["s-api", "s-web", "s-cart"].iter().map(|s| json!(s)).collect();
        let doc = json!({"schema_version": "rcagraph/v1", "incident": {"id": "i", "symptom_ids": symptoms},
                         "nodes": nodes, "edges": edges});
        parse_json(&doc.to_string()).unwrap().graph
    }

    #[test]
    fn evidence_of_one_kind_becomes_one_box_and_the_story_stays() {
        let g = incident();
        let a = analyze(&g);
        let c = collapse(&g, &a);
        let ids: Vec<&str> = c.graph.nodes.iter().map(|n| n.id.as_str()).collect();
        // deploy → mem → 12 evictions → 3 symptoms: four boxes; the side branch is folded.
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(ids.contains(&"deploy") && ids.contains(&"mem"), "{ids:?}");
        let evicted = c.graph.nodes.iter().find(|n| n.id.starts_with("evicted-")).unwrap();
        assert_eq!(evicted.description.as_deref(), Some("12 Pods: Evicted (api-0, api-1, +10, 14:02–14:04)"));
        assert_eq!(evicted.event.as_ref().unwrap().count, Some(12));
        let services = c.graph.nodes.iter().find(|n| n.id.starts_with("s-")).unwrap();
        assert!(
            services.description.as_deref().unwrap().starts_with("3 Services: Service has no ready endpoint"),
            "{services:?}"
        );
        assert_eq!(c.folded, 2);
        assert_eq!(c.note().unwrap(), "+2 more nodes off these paths (--full draws everything)");
        // One edge per pair: deploy→mem, mem→evicted, evicted→services.
        assert_eq!(c.graph.edges.len(), 3, "{:?}", c.graph.edges);
        assert_eq!(c.analysis.causal_edges.len(), 3);
        // The same story: the same top cause, its path through the groups.
        let top = c.analysis.top().unwrap();
        assert_eq!(top.node_id, a.top().unwrap().node_id);
        assert_eq!(top.paths[0].node_ids, vec!["deploy", "mem", &evicted.id, &services.id]);
        assert_eq!(c.analysis.symptoms, vec![services.id.clone()]);
        // It is still a graph sleuth reads back.
        assert!(crate::read(&serde_json::to_string(&c.graph).unwrap()).is_ok());
    }

    #[test]
    fn a_small_graph_is_drawn_whole() {
        let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
        assert!(g.nodes.len() <= SMALL);
        let c = collapse(&g, &analyze(&g));
        assert_eq!((c.graph.nodes.len(), c.graph.edges.len(), c.folded), (g.nodes.len(), g.edges.len(), 0));
        assert!(c.note().is_none());
    }
}
