//! The builder's state: nodes and edges so far, the facts the rules match on, and the lookups
//! every evidence source shares (pods by name, where each pod ran, root owners).

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use rcagraph::schema::{Edge, Entity, Node, Relation};
use serde_json::{Value, json};

use crate::rules::{Index, ObjRef};
use cluster::data::ClusterData;
use cluster::events::EventRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Change,
    Memory,
    NodeMem,
    NotReady,
    Evict,
    Sched,
    OomKill,
    ImagePull,
    Crash,
    Workload,
    Resched,
    NodeChurn,
    /// A NetworkPolicy created or edited, one fact per workload it selects.
    Policy,
    /// A ResourceQuota created or edited.
    Quota,
    /// A node cordoned, or its labels or taints edited.
    NodeChange,
    /// What people notice: a `diagnose` finding, one per root object.
    Symptom,
    Other,
}

pub(super) fn classify(reason: &str, message: &str) -> Class {
    let m = message.to_ascii_lowercase();
    match reason {
        "SystemOOM" | "NodeHasInsufficientMemory" | "EvictionThresholdMet" => Class::NodeMem,
        r if r.contains("MemoryPressure") => Class::NodeMem,
        "NodeNotReady" | "NodeStatusUnknown" => Class::NotReady,
        "Evicted" | "TaintManagerEviction" | "Preempted" | "Killing" => Class::Evict,
        "FailedScheduling" => Class::Sched,
        "OOMKilling" | "OOMKilled" => Class::OomKill,
        "ErrImagePull" | "ImagePullBackOff" | "InspectFailed" | "ErrImageNeverPull" => Class::ImagePull,
        "Failed" | "BackOff" if m.contains("pull") || m.contains("image") => Class::ImagePull,
        "BackOff"
        | "Unhealthy"
        | "Failed"
        | "CrashLoopBackOff"
        | "FailedPostStartHook"
        | "FailedPreStopHook" => Class::Crash,
        "RecreatingFailedPod" | "FailedCreate" | "FailedDelete" | "ProgressDeadlineExceeded" => {
            Class::Workload
        }
        "RegisteredNode" | "RemovingNode" => Class::NodeChurn,
        _ => Class::Other,
    }
}

/// A node with what the rules need to know about it.
#[derive(Debug, Clone)]
pub(super) struct Fact {
    pub(super) node: usize,
    pub(super) time: Timestamp,
    pub(super) class: Class,
    /// The object (`Pod/ns/name`, `Node//name`, `Deployment/ns/name`).
    pub(super) object: ObjRef,
    /// Its root owner (the workload for pods), or the object itself.
    pub(super) root: ObjRef,
    /// The node it happened on (a pod's node, or the node itself).
    pub(super) host: Option<String>,
    /// Message text, for log matches.
    pub(super) text: String,
    /// For changes: the new image(s).
    pub(super) new_images: Vec<String>,
    /// For changes: the fields changed (`containers[app].env.MODE`, `data`, …).
    pub(super) changed: Vec<String>,
    /// For symptoms of a Service: the names clients reach it by (name, DNS names, cluster IP).
    pub(super) names: Vec<String>,
    /// For symptoms: the workloads its findings say it breaks (the clients of a dead DNS).
    pub(super) affects: Vec<ObjRef>,
}

pub(super) struct Builder<'a> {
    pub(super) data: &'a ClusterData,
    pub(super) idx: Index<'a>,
    pub(super) now: Timestamp,
    pub(super) start: Timestamp,
    pub(super) namespaces: Vec<String>,
    pub(super) nodes: Vec<Node>,
    pub(super) edges: Vec<Edge>,
    pub(super) facts: Vec<Fact>,
    pub(super) ids: HashSet<String>,
    /// Pod name → node, from pod specs and `Scheduled` events (pods gone by capture time).
    pub(super) pod_host: HashMap<(String, String), String>,
    /// Pods by (namespace, name).
    pub(super) pods: HashMap<(String, String), &'a Pod>,
    pub(super) edge_seen: HashSet<(usize, usize)>,
    /// For each node-memory fact, the next one on the same node (by time).
    pub(super) next_on_host: HashMap<usize, usize>,
}

pub(super) fn obj(kind: &str, ns: Option<&str>, name: &str) -> ObjRef {
    ObjRef::new(kind, ns.unwrap_or(""), name)
}

pub(super) fn entity_of(o: &ObjRef) -> Entity {
    Entity::k8s(&o.kind, Some(o.namespace.as_str()).filter(|n| !n.is_empty()), &o.name)
}

pub(super) fn slug(s: &str) -> String {
    let short = s.split('.').next().unwrap_or(s);
    short
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

impl<'a> Builder<'a> {
    /// An empty graph over `data` (and its index), taking evidence from `start` to `now` in
    /// `namespaces`.
    pub(super) fn new(
        data: &'a ClusterData,
        idx: Index<'a>,
        start: Timestamp,
        now: Timestamp,
        namespaces: Vec<String>,
    ) -> Self {
        Builder {
            data,
            idx,
            now,
            start,
            namespaces,
            nodes: Vec::new(),
            edges: Vec::new(),
            facts: Vec::new(),
            ids: HashSet::new(),
            pod_host: HashMap::new(),
            pods: data
                .objects
                .pods
                .iter()
                .filter_map(|p| Some(((p.metadata.namespace.clone()?, p.metadata.name.clone()?), p)))
                .collect(),
            edge_seen: HashSet::new(),
            next_on_host: HashMap::new(),
        }
    }

    pub(super) fn in_scope(&self, ns: &str) -> bool {
        ns.is_empty() || self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns)
    }

    pub(super) fn in_window(&self, t: Timestamp) -> bool {
        t >= self.start && t <= self.now
    }

    pub(super) fn add(&mut self, base: &str, mut node: Node) -> usize {
        let mut id = base.to_string();
        let mut k = 2;
        while !self.ids.insert(id.clone()) {
            id = format!("{base}-{k}");
            k += 1;
        }
        node.id = id;
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    pub(super) fn fact(
        &mut self,
        node: usize,
        class: Class,
        object: ObjRef,
        root: ObjRef,
        host: Option<String>,
        text: String,
    ) {
        let time = self.nodes[node].time.unwrap_or(self.now);
        self.facts.push(Fact {
            node,
            time,
            class,
            object,
            root,
            host,
            text,
            new_images: Vec::new(),
            changed: Vec::new(),
            names: Vec::new(),
            affects: Vec::new(),
        });
    }

    /// Where each pod ran: its spec, or the `Scheduled` event of a pod that is gone.
    pub(super) fn hosts(&mut self, all_events: &[EventRecord]) {
        for p in &self.data.objects.pods {
            if let (Some(ns), Some(n), Some(h)) =
                (&p.metadata.namespace, &p.metadata.name, p.spec.as_ref().and_then(|s| s.node_name.clone()))
            {
                self.pod_host.insert((ns.clone(), n.clone()), h);
            }
        }
        for e in all_events {
            if e.kind == "Pod"
                && e.reason == "Scheduled"
                && let Some(h) = e.message.rsplit(" to ").next().filter(|_| e.message.contains(" to "))
            {
                self.pod_host
                    .entry((e.namespace.clone().unwrap_or_default(), e.name.clone()))
                    .or_insert_with(|| h.trim().to_string());
            }
        }
    }

    pub(super) fn pod(&self, ns: &str, name: &str) -> Option<&Pod> {
        self.pods.get(&(ns.to_string(), name.to_string())).copied()
    }

    /// The root owner of a pod, also for pods gone by capture time (from the name's
    /// ReplicaSet or StatefulSet prefix).
    pub(super) fn pod_root(&self, ns: &str, name: &str) -> ObjRef {
        if let Some(p) = self.pod(ns, name) {
            return self.idx.root("Pod", &p.metadata);
        }
        if let Some((rs, _)) = name.rsplit_once('-') {
            if let Some(r) = self.data.objects.replica_sets.iter().find(|r| {
                r.metadata.namespace.as_deref() == Some(ns) && r.metadata.name.as_deref() == Some(rs)
            }) {
                return self.idx.root("ReplicaSet", &r.metadata);
            }
            if self.data.objects.stateful_sets.iter().any(|s| {
                s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(rs)
            }) {
                return ObjRef::new("StatefulSet", ns, rs);
            }
        }
        ObjRef::new("Pod", ns, name)
    }

    pub(super) fn link(
        &mut self,
        from: usize,
        to: usize,
        relation: Relation,
        confidence: f64,
        rule: &str,
        evidence: Vec<Value>,
    ) {
        let (a, b) = (&self.facts[from], &self.facts[to]);
        if a.node == b.node || b.time < a.time || !self.edge_seen.insert((a.node, b.node)) {
            return;
        }
        let lag = b.time.duration_since(a.time).as_secs_f64();
        let mut e =
            Edge::new(&self.nodes[a.node].id.clone(), &self.nodes[b.node].id.clone(), relation, confidence);
        e.lag_seconds = Some(lag);
        e.method = Some(format!("rule:{rule}"));
        // Precedence is observed only when both times are.
        let observed = !self.nodes[a.node].time_inferred && !self.nodes[b.node].time_inferred;
        let mut ev =
            vec![json!({"kind": if observed { "temporal_precedence" } else { "assumed_precedence" }})];
        ev.extend(evidence);
        e.evidence = ev;
        self.edges.push(e);
    }

    pub(super) fn event_reason(&self, fact: usize) -> Option<&str> {
        self.nodes[self.facts[fact].node].event.as_ref().map(|e| e.reason.as_str())
    }

    pub(super) fn workload_containers(&self, root: &ObjRef) -> Vec<String> {
        self.idx
            .pods_of(root)
            .first()
            .and_then(|p| p.spec.as_ref())
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }
}

pub(super) fn gib(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", bytes / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", bytes / (1024.0 * 1024.0))
    }
}

pub(super) fn first_line(s: &str) -> String {
    prompts::ellipsis(s.lines().next().unwrap_or("").split(" | ").next().unwrap_or(""), 160)
}

/// Confidence of "A precedes B on the same workload" by lag: caused when close, weaker after.
pub(super) fn lag_confidence(lag: i64, close: i64, medium: i64) -> (Relation, f64) {
    if lag <= close {
        (Relation::Caused, 0.8)
    } else if lag <= medium {
        (Relation::ContributesTo, 0.5)
    } else {
        (Relation::ContributesTo, 0.3)
    }
}
