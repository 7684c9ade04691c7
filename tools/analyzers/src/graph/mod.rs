//! Building an `rcagraph/v1` graph from what a cluster recorded (issue 5 §6, §12 of the
//! reference).
//!
//! **Nodes** come from one capture ([`ClusterData`]) and its `diagnose` report, inside a time
//! window ending at the capture time:
//! - `change_event`: Deployment revisions (image changes per container, config changes with
//!   env/resources/args/referenced-config diffs, plain rollouts, rollbacks timed by their
//!   scale-up), manual scaling and HPA rescales, and in-place edits of the ConfigMaps and
//!   Secrets running workloads read (their last write time, kept from `managedFields`);
//! - `k8s_event`: warning events and the Normal ones that matter (NodeNotReady,
//!   TaintManagerEviction, NodeHasInsufficientMemory, …), one node per object and reason;
//!   OOM kills recorded only in container status become `OOMKilled` nodes;
//! - `metric_anomaly`: memory growth of a workload without a memory limit that the evidence
//!   singles out (named as a SystemOOM victim, OOM-killed, or using ≥ 1 GiB), or a workload
//!   that hit its own limit;
//! - `topology_change`: pods of an evicted workload recreated on another node; nodes that
//!   joined or left;
//! - `symptom`: `diagnose` findings of severity warning or worse, one per root object (with
//!   its worst severity), except those that describe causes (missing limits, SystemOOM, memory
//!   pressure, OOM kills) or hygiene (security, logs, config maps, network policies).
//!
//! **Edges** come from explicit rules, each named in `method` (`rule:<name>`) with its
//! `evidence` (temporal precedence, same entity, owner chain, same node, dependency, log match,
//! domain rule), and only ever point forward in time. The rules encode known failure
//! propagation: a rollout precedes its pods' failures (confidence falls with the lag), memory
//! growth without a limit → node memory exhaustion (SystemOOM, pressure) → kubelet evictions,
//! OOM kills and NotReady → taint-manager evictions → rescheduling and unschedulable
//! replacements → unavailable workloads and Services without endpoints.

// Graph code reads best in the notation of the schema (g, a, e, u → v); the pedantic lints
// against short and similar names fight that.
#![allow(clippy::many_single_char_names, clippy::similar_names)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use serde_json::{Value, json};

use crate::rules::{Index, ObjRef, Report, Severity as FindingSeverity, quantity_bytes};
use cluster::data::ClusterData;
use cluster::events::{self, EventRecord};
use rcagraph::schema::{
    Anomaly, AnomalyType, Change, ChangeType, Direction, Edge, Entity, EventType, Graph, Incident, K8sEvent,
    Metric, Node, NodeKind, Provenance, Relation, SCHEMA_VERSION, Severity, Source, Window,
};

/// What to build from.
#[derive(Debug, Clone)]
pub struct Options {
    /// How far back from the capture time evidence is taken.
    pub since: SignedDuration,
    /// Only these namespaces (cluster-scoped evidence about their nodes is kept); all when empty.
    pub namespaces: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options { since: SignedDuration::from_hours(2), namespaces: Vec::new() }
    }
}

/// Rules that describe causes rather than what people notice; their findings enrich the
/// graph's cause nodes instead of becoming symptoms.
const CAUSE_RULES: &[&str] = &["POD-14", "POD-9", "NODE-4", "NODE-2", "NODE-5"];
const CAUSE_FAMILIES: &[&str] = &["SEC", "LOG", "CM", "NP"];

/// Normal events worth a node: they mark failures even though Kubernetes files them as Normal.
const NORMAL_KEPT: &[&str] = &[
    "NodeNotReady",
    "TaintManagerEviction",
    "NodeHasInsufficientMemory",
    "NodeHasDiskPressure",
    "NodeHasInsufficientPID",
    "NodeNotSchedulable",
    "RemovingNode",
    "RegisteredNode",
    "Preempted",
    "Killing",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
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
    Other,
}

fn classify(reason: &str, message: &str) -> Class {
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
struct Fact {
    node: usize,
    time: Timestamp,
    class: Class,
    /// The object (`Pod/ns/name`, `Node//name`, `Deployment/ns/name`).
    object: ObjRef,
    /// Its root owner (the workload for pods), or the object itself.
    root: ObjRef,
    /// The node it happened on (a pod's node, or the node itself).
    host: Option<String>,
    /// Message text, for log matches.
    text: String,
    /// For changes: the new image(s).
    new_images: Vec<String>,
}

struct Builder<'a> {
    data: &'a ClusterData,
    idx: Index<'a>,
    now: Timestamp,
    start: Timestamp,
    namespaces: Vec<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    facts: Vec<Fact>,
    ids: HashSet<String>,
    /// Pod name → node, from pod specs and `Scheduled` events (pods gone by capture time).
    pod_host: HashMap<(String, String), String>,
    /// Pods by (namespace, name).
    pods: HashMap<(String, String), &'a Pod>,
    edge_seen: HashSet<(usize, usize)>,
}

fn obj(kind: &str, ns: Option<&str>, name: &str) -> ObjRef {
    ObjRef::new(kind, ns.unwrap_or(""), name)
}

fn entity_of(o: &ObjRef) -> Entity {
    Entity::k8s(&o.kind, Some(o.namespace.as_str()).filter(|n| !n.is_empty()), &o.name)
}

fn slug(s: &str) -> String {
    let short = s.split('.').next().unwrap_or(s);
    short
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

/// Builds the graph.
pub fn build(data: &ClusterData, report: &Report, opts: &Options) -> Graph {
    let now = data.now();
    let start = now.checked_sub(opts.since).unwrap_or(now);
    let mut b = Builder {
        data,
        idx: Index::build(data),
        now,
        start,
        namespaces: opts.namespaces.clone(),
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
    };
    // Merging and deduplicating both event APIs is the costliest read here: once, shared.
    let all_events = events::all(data);
    b.hosts(&all_events);
    b.revisions(&all_events);
    b.config_edits();
    b.events(&all_events);
    b.status_oom_kills();
    b.memory();
    b.rescheduling();
    b.node_churn();
    b.rules();
    let symptoms = b.symptoms(report);
    Graph {
        schema_version: SCHEMA_VERSION.into(),
        incident: Some(Incident {
            id: Some(format!("sleuth-{}", now.strftime("%Y%m%dT%H%M%SZ"))),
            cluster: data.info.context.clone(),
            window: Some(Window { start, end: now }),
            detected_at: Some(now),
            symptom_ids: symptoms,
            clock_skew_seconds: Some(1.0),
        }),
        nodes: b.nodes,
        edges: b.edges,
        ranking: Vec::new(),
        provenance: Some(Provenance {
            generator: Some("sleuth".into()),
            algorithm: Some("rules/v1".into()),
            generated_at: Some(now),
            parameters: Some(json!({"since_seconds": opts.since.as_secs(), "source": data.info.source})),
        }),
    }
}

impl Builder<'_> {
    fn in_scope(&self, ns: &str) -> bool {
        ns.is_empty() || self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns)
    }

    fn in_window(&self, t: Timestamp) -> bool {
        t >= self.start && t <= self.now
    }

    fn add(&mut self, base: &str, mut node: Node) -> usize {
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

    fn fact(
        &mut self,
        node: usize,
        class: Class,
        object: ObjRef,
        root: ObjRef,
        host: Option<String>,
        text: String,
    ) {
        let time = self.nodes[node].time.unwrap_or(self.now);
        self.facts.push(Fact { node, time, class, object, root, host, text, new_images: Vec::new() });
    }

    /// Where each pod ran: its spec, or the `Scheduled` event of a pod that is gone.
    fn hosts(&mut self, all_events: &[EventRecord]) {
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

    fn pod(&self, ns: &str, name: &str) -> Option<&Pod> {
        self.pods.get(&(ns.to_string(), name.to_string())).copied()
    }

    /// The root owner of a pod, also for pods gone by capture time (from the name's
    /// ReplicaSet or StatefulSet prefix).
    fn pod_root(&self, ns: &str, name: &str) -> ObjRef {
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

    fn revisions(&mut self, all_events: &[EventRecord]) {
        let data = self.data;
        for d in &data.objects.deployments {
            let ns = d.metadata.namespace.clone().unwrap_or_default();
            let name = d.metadata.name.clone().unwrap_or_default();
            if !self.in_scope(&ns) {
                continue;
            }
            let rev_of = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
                m.annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .and_then(|v| v.parse::<i64>().ok())
            };
            let mut sets: Vec<_> = data
                .objects
                .replica_sets
                .iter()
                .filter(|r| {
                    r.metadata.namespace.as_deref() == Some(ns.as_str())
                        && r.metadata
                            .owner_references
                            .iter()
                            .flatten()
                            .any(|o| o.kind == "Deployment" && o.name == name)
                })
                .filter_map(|r| Some((rev_of(&r.metadata)?, r)))
                .collect();
            sets.sort_by_key(|(rev, _)| *rev);
            for w in sets.windows(2) {
                let ((_, prev), (rev, rs)) = (&w[0], &w[1]);
                let rs_name = rs.metadata.name.clone().unwrap_or_default();
                let history = rs
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision-history"))
                    .cloned();
                // A rollback re-uses an old ReplicaSet: its creation time is old, so the scale-up says when.
                let scaled_up = all_events
                    .iter()
                    .filter(|e| {
                        e.reason == "ScalingReplicaSet"
                            && e.name == name
                            && e.message.contains(&format!("replica set {rs_name} to"))
                            && e.message.contains("Scaled up")
                    })
                    .filter_map(|e| e.first.or(e.last))
                    .min();
                let created = rs.metadata.creation_timestamp.as_ref().map(|t| t.0);
                let time = if history.is_some() { scaled_up.or(created) } else { created.or(scaled_up) };
                let Some(time) = time.filter(|t| self.in_window(*t)) else { continue };
                let (Some(a), Some(b)) = (
                    prev.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
                    rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
                ) else {
                    continue;
                };
                let owner = ObjRef::new("Deployment", &ns, &name);
                let source = Source {
                    system: Some("kubernetes".into()),
                    reference: Some(format!("ReplicaSet/{rs_name}")),
                    actor: None,
                };
                let diff = diff(a, b);
                let mut made = Vec::new();
                let base_desc = format!("revision {rev} of Deployment {ns}/{name}");
                if history.is_some() {
                    let mut n = Node::new("", NodeKind::ChangeEvent);
                    n.time = Some(time);
                    n.entity = Some(entity_of(&owner));
                    n.source = Some(source.clone());
                    n.description = Some(format!("{base_desc}: rolled back to an earlier pod template"));
                    n.change = Some(Change {
                        type_: ChangeType::Rollback,
                        field: None,
                        before: None,
                        after: None,
                        added: vec![],
                        removed: vec![],
                    });
                    made.push((self.add(&format!("rollback-{}-r{rev}", slug(&name)), n), Vec::new()));
                } else {
                    for (container, before, after) in &diff.images {
                        let mut n = Node::new("", NodeKind::ChangeEvent);
                        n.time = Some(time);
                        n.entity = Some(entity_of(&owner));
                        n.source = Some(source.clone());
                        n.description = Some(format!("{base_desc}: image of {container} {before} → {after}"));
                        n.change = Some(Change {
                            type_: ChangeType::ImageChange,
                            field: Some(format!("spec.template.spec.containers[{container}].image")),
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            added: vec![],
                            removed: vec![],
                        });
                        let i = self.add(&format!("image-{}-r{rev}", slug(&name)), n);
                        made.push((i, vec![after.clone()]));
                    }
                    if !diff.config.is_empty() || diff.images.is_empty() {
                        let mut n = Node::new("", NodeKind::ChangeEvent);
                        n.time = Some(time);
                        n.entity = Some(entity_of(&owner));
                        n.source = Some(source.clone());
                        if diff.config.is_empty() {
                            n.description =
                                Some(format!("{base_desc} rolled out (pod template metadata only)"));
                            n.change = Some(Change {
                                type_: ChangeType::Deploy,
                                field: None,
                                before: None,
                                after: None,
                                added: vec![],
                                removed: vec![],
                            });
                            made.push((self.add(&format!("rollout-{}-r{rev}", slug(&name)), n), Vec::new()));
                        } else {
                            let summary: Vec<String> = diff
                                .config
                                .iter()
                                .map(|(f, b, a)| format!("{f} {} → {}", short_json(b), short_json(a)))
                                .collect();
                            n.description = Some(format!("{base_desc}: {}", summary.join("; ")));
                            let before: serde_json::Map<String, Value> =
                                diff.config.iter().map(|(f, b, _)| (f.clone(), b.clone())).collect();
                            let after: serde_json::Map<String, Value> =
                                diff.config.iter().map(|(f, _, a)| (f.clone(), a.clone())).collect();
                            n.change = Some(Change {
                                type_: ChangeType::ConfigChange,
                                field: Some(
                                    diff.config
                                        .iter()
                                        .map(|(f, _, _)| f.as_str())
                                        .collect::<Vec<_>>()
                                        .join(","),
                                ),
                                before: Some(Value::Object(before)),
                                after: Some(Value::Object(after)),
                                added: vec![],
                                removed: vec![],
                            });
                            made.push((self.add(&format!("config-{}-r{rev}", slug(&name)), n), Vec::new()));
                        }
                    }
                }
                for (i, images) in made {
                    self.fact(i, Class::Change, owner.clone(), owner.clone(), None, String::new());
                    self.facts.last_mut().expect("just pushed").new_images = images;
                }
            }
        }
        // Manual scaling: a ScalingReplicaSet of a ReplicaSet that is not new at the time (a
        // rollout's own scale-ups are the revision nodes above).
        for e in all_events.iter().filter(|e| e.reason == "ScalingReplicaSet" && e.kind == "Deployment") {
            let ns = e.namespace.clone().unwrap_or_default();
            let Some(t) = e.first.or(e.last).filter(|t| self.in_window(*t)) else { continue };
            if !self.in_scope(&ns) {
                continue;
            }
            let Some((rs_name, after, before)) = parse_scaling(&e.message) else { continue };
            let rs = data.objects.replica_sets.iter().find(|r| {
                r.metadata.namespace.as_deref() == Some(ns.as_str())
                    && r.metadata.name.as_deref() == Some(rs_name.as_str())
            });
            let created = rs.and_then(|r| r.metadata.creation_timestamp.as_ref()).map(|c| c.0);
            let rollback = rs
                .and_then(|r| r.metadata.annotations.as_ref())
                .is_some_and(|a| a.contains_key("deployment.kubernetes.io/revision-history"));
            let part_of_rollout = created.is_none_or(|c| t.duration_since(c).as_secs() < 600)
                || rollback
                || self.facts.iter().any(|f| {
                    f.class == Class::Change
                        && f.root.name == e.name
                        && t.duration_since(f.time).abs().as_secs() < 600
                });
            if part_of_rollout {
                continue;
            }
            let owner = ObjRef::new("Deployment", &ns, &e.name);
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(t);
            n.entity = Some(entity_of(&owner));
            n.description = Some(format!("Deployment {ns}/{} scaled: {}", e.name, e.message));
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("ReplicaSet/{rs_name}")),
                actor: None,
            });
            n.change = Some(Change {
                type_: ChangeType::Scale,
                field: Some("spec.replicas".into()),
                before: before.map(|b| json!(b)),
                after: Some(json!(after)),
                added: vec![],
                removed: vec![],
            });
            let i = self.add(&format!("scale-{}", slug(&e.name)), n);
            self.fact(i, Class::Change, owner.clone(), owner, None, e.message.clone());
        }
        // HPA rescales.
        for e in all_events
            .iter()
            .filter(|e| e.reason == "SuccessfulRescale" && e.kind == "HorizontalPodAutoscaler")
        {
            let ns = e.namespace.clone().unwrap_or_default();
            let Some(t) = e.first.or(e.last).filter(|t| self.in_window(*t)) else { continue };
            if !self.in_scope(&ns) {
                continue;
            }
            let target = self
                .data
                .objects
                .hpas
                .iter()
                .find(|h| {
                    h.metadata.namespace.as_deref() == Some(ns.as_str())
                        && h.metadata.name.as_deref() == Some(e.name.as_str())
                })
                .and_then(|h| h.spec.as_ref())
                .map_or_else(
                    || ObjRef::new("HorizontalPodAutoscaler", &ns, &e.name),
                    |s| ObjRef::new(&s.scale_target_ref.kind, &ns, &s.scale_target_ref.name),
                );
            let after = e
                .message
                .split("New size: ")
                .nth(1)
                .and_then(|s| s.split([';', ' ']).next())
                .and_then(|s| s.parse::<u64>().ok());
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(t);
            n.entity = Some(entity_of(&target));
            n.description = Some(format!("HPA {} rescaled {}: {}", e.name, target.name, e.message));
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("HorizontalPodAutoscaler/{}", e.name)),
                actor: None,
            });
            n.change = Some(Change {
                type_: ChangeType::Scale,
                field: Some("spec.replicas".into()),
                before: None,
                after: after.map(|a| json!(a)),
                added: vec![],
                removed: vec![],
            });
            let i = self.add(&format!("scale-{}", slug(&target.name)), n);
            self.fact(i, Class::Change, target.clone(), target, None, e.message.clone());
        }
    }

    /// In-place edits of the ConfigMaps and Secrets running workloads read: no revision records
    /// them, but the write time survives sanitizing as an annotation.
    fn config_edits(&mut self) {
        let mut users: BTreeMap<String, BTreeSet<ObjRef>> = BTreeMap::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            if !self.in_scope(&ns) {
                continue;
            }
            let Some(spec) = &p.spec else { continue };
            let root = self.idx.root("Pod", &p.metadata);
            for r in spec_refs(spec) {
                users.entry(format!("{ns}/{r}")).or_default().insert(root.clone());
            }
        }
        let metas = self
            .data
            .objects
            .config_maps
            .iter()
            .map(|c| ("ConfigMap", &c.metadata))
            .chain(self.data.objects.secrets.iter().map(|s| ("Secret", &s.metadata)));
        let mut found = Vec::new();
        for (kind, m) in metas {
            let ns = m.namespace.clone().unwrap_or_default();
            let name = m.name.clone().unwrap_or_default();
            let Some(workloads) = users.get(&format!("{ns}/{kind}/{name}")) else { continue };
            let notes = m.annotations.as_ref();
            let Some(updated) = notes
                .and_then(|a| a.get(cluster::sanitize::LAST_UPDATED))
                .and_then(|t| t.parse::<Timestamp>().ok())
                .filter(|t| self.in_window(*t))
            else {
                continue;
            };
            // The first write is the creation, not an edit.
            if m.creation_timestamp.as_ref().is_some_and(|c| updated.duration_since(c.0).as_secs() < 2) {
                continue;
            }
            let by = notes.and_then(|a| a.get(cluster::sanitize::LAST_UPDATED_BY)).cloned();
            found.push((kind, ns, name, updated, by, workloads.clone()));
        }
        for (kind, ns, name, updated, by, workloads) in found {
            let object = ObjRef::new(kind, &ns, &name);
            let mut n = Node::new("", NodeKind::ChangeEvent);
            n.time = Some(updated);
            n.entity = Some(entity_of(&object));
            let readers: Vec<String> =
                workloads.iter().map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name)).collect();
            n.description = Some(format!(
                "{kind} {ns}/{name} was edited in place{} (read by {})",
                by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(),
                readers.join(", ")
            ));
            n.change = Some(Change {
                type_: ChangeType::ConfigChange,
                field: Some(if kind == "Secret" { "data (values not read)".into() } else { "data".into() }),
                before: None,
                after: None,
                added: vec![],
                removed: vec![],
            });
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("{kind}/{name}")),
                actor: by,
            });
            let i = self.add(&format!("edit-{}-{}", slug(kind), slug(&name)), n);
            for w in workloads {
                self.fact(i, Class::Change, object.clone(), w, None, String::new());
            }
        }
    }

    /// One node per (object, reason) for the events that matter.
    fn events(&mut self, all_events: &[EventRecord]) {
        let mut groups: BTreeMap<(String, String, String, String), Vec<&EventRecord>> = BTreeMap::new();
        for e in all_events {
            let keep = e.is_warning() || NORMAL_KEPT.contains(&e.reason.as_str());
            let Some(t) = e.first.or(e.last) else { continue };
            let last = e.last.unwrap_or(t);
            if !keep || last < self.start || t > self.now {
                continue;
            }
            let ns = if e.kind == "Node" { String::new() } else { e.namespace.clone().unwrap_or_default() };
            if !self.in_scope(&ns) {
                continue;
            }
            groups.entry((e.kind.clone(), ns, e.name.clone(), e.reason.clone())).or_default().push(e);
        }
        for ((kind, ns, name, reason), list) in groups {
            let first = list.iter().filter_map(|e| e.first.or(e.last)).min().map(|t| t.max(self.start));
            let last = list.iter().filter_map(|e| e.last.or(e.first)).max();
            let count: i64 = list.iter().map(|e| i64::from(e.count.max(1))).sum();
            let mut messages: Vec<String> = Vec::new();
            for e in &list {
                if !messages.contains(&e.message) {
                    messages.push(e.message.clone());
                }
            }
            let message = if messages.len() > 3 {
                format!("{} (and {} more)", messages[..3].join(" | "), messages.len() - 3)
            } else {
                messages.join(" | ")
            };
            let warning = list.iter().any(|e| e.is_warning());
            let object = obj(&kind, Some(&ns), &name);
            let (root, host) = match kind.as_str() {
                "Pod" => (self.pod_root(&ns, &name), self.pod_host.get(&(ns.clone(), name.clone())).cloned()),
                "Node" => (object.clone(), Some(name.clone())),
                "ReplicaSet" => {
                    let r = self
                        .data
                        .objects
                        .replica_sets
                        .iter()
                        .find(|r| {
                            r.metadata.namespace.as_deref() == Some(ns.as_str())
                                && r.metadata.name.as_deref() == Some(name.as_str())
                        })
                        .map_or_else(|| object.clone(), |r| self.idx.root("ReplicaSet", &r.metadata));
                    (r, None)
                }
                _ => (object.clone(), None),
            };
            if kind == "Node" && matches!(reason.as_str(), "RegisteredNode" | "RemovingNode") {
                let added = reason == "RegisteredNode";
                let mut n = Node::new("", NodeKind::TopologyChange);
                n.time = first;
                n.entity = Some(entity_of(&object));
                n.change = Some(Change {
                    type_: if added { ChangeType::NodeAdded } else { ChangeType::NodeRemoved },
                    field: None,
                    before: None,
                    after: None,
                    added: if added { vec![name.clone()] } else { vec![] },
                    removed: if added { vec![] } else { vec![name.clone()] },
                });
                n.source = Some(Source {
                    system: Some("kubernetes".into()),
                    reference: Some(format!("events/Node/{name}/{reason}")),
                    actor: None,
                });
                let i =
                    self.add(&format!("node-{}-{}", if added { "added" } else { "removed" }, slug(&name)), n);
                self.fact(i, Class::NodeChurn, object.clone(), object, host, message);
                continue;
            }
            let mut n = Node::new("", NodeKind::K8sEvent);
            n.time = first;
            n.entity = Some(entity_of(&object));
            n.event = Some(K8sEvent {
                type_: if warning { EventType::Warning } else { EventType::Normal },
                reason: reason.clone(),
                message: Some(message.clone()),
                count: Some(count.max(1) as u64),
                first_seen: first,
                last_seen: last.map(|l| l.max(first.unwrap_or(l))),
                reporting_component: list.first().map(|e| e.source.clone()).filter(|s| !s.is_empty()),
            });
            if reason == "SystemOOM" {
                // The victims are what an SRE looks for first; the messages are alike otherwise.
                let victims: Vec<&str> = messages
                    .iter()
                    .filter_map(|m| m.split("victim process: ").nth(1))
                    .map(|v| v.split(',').next().unwrap_or(v).trim())
                    .collect();
                n.description = Some(format!(
                    "node {name} ran out of memory {count} time(s) (SystemOOM{})",
                    if victims.is_empty() {
                        String::new()
                    } else {
                        format!("; killed: {}", victims.join(", "))
                    }
                ));
            }
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("events/{kind}/{name}")),
                actor: None,
            });
            let i = self.add(&format!("{}-{}", slug(&reason), slug(&name)), n);
            let class = classify(&reason, &message);
            self.fact(i, class, object, root, host, message);
        }
    }

    /// OOM kills visible only in container status (`lastState.terminated.reason`).
    fn status_oom_kills(&mut self) {
        let mut found = Vec::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let name = p.metadata.name.clone().unwrap_or_default();
            if !self.in_scope(&ns) {
                continue;
            }
            for cs in p.status.as_ref().and_then(|s| s.container_statuses.as_ref()).into_iter().flatten() {
                let Some(t) = cs
                    .last_state
                    .as_ref()
                    .and_then(|s| s.terminated.as_ref())
                    .filter(|t| t.reason.as_deref() == Some("OOMKilled"))
                else {
                    continue;
                };
                let Some(at) = t.finished_at.as_ref().map(|f| f.0).filter(|f| self.in_window(*f)) else {
                    continue;
                };
                found.push((ns.clone(), name.clone(), cs.name.clone(), at, cs.restart_count));
            }
        }
        for (ns, name, container, at, restarts) in found {
            let object = ObjRef::new("Pod", &ns, &name);
            let mut n = Node::new("", NodeKind::K8sEvent);
            n.time = Some(at);
            n.entity = Some(entity_of(&object));
            n.event = Some(K8sEvent {
                type_: EventType::Warning,
                reason: "OOMKilled".into(),
                message: Some(format!(
                    "container {container} was OOM-killed (exit code 137); {restarts} restart(s) so far"
                )),
                count: Some(1),
                first_seen: Some(at),
                last_seen: Some(at),
                reporting_component: Some("kubelet (container status)".into()),
            });
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some(format!("Pod/{name} status.containerStatuses[{container}].lastState")),
                actor: None,
            });
            let i = self.add(&format!("oomkilled-{}", slug(&name)), n);
            let root = self.pod_root(&ns, &name);
            let host = self.pod_host.get(&(ns.clone(), name.clone())).cloned();
            self.fact(i, Class::OomKill, object, root, host, container);
        }
    }

    /// Memory growth of workloads the evidence singles out.
    fn memory(&mut self) {
        // Workload → (pods, containers without a memory limit, limits by container).
        let mut workloads: BTreeMap<ObjRef, Vec<&Pod>> = BTreeMap::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            if self.in_scope(&ns) {
                workloads.entry(self.idx.root("Pod", &p.metadata)).or_default().push(p);
            }
        }
        let usage: HashMap<(String, String), f64> = self
            .data
            .objects
            .pod_metrics
            .iter()
            .filter_map(|m| {
                let total: f64 = m
                    .containers
                    .iter()
                    .filter_map(|c| c.usage.get("memory").and_then(|q| quantity_bytes(&q.0)))
                    .sum();
                Some(((m.metadata.namespace.clone()?, m.metadata.name.clone()?), total))
            })
            .collect();
        let mut new_facts = Vec::new();
        for (w, pods) in &workloads {
            let spec = pods.iter().find_map(|p| p.spec.as_ref());
            let Some(spec) = spec else { continue };
            let unlimited: Vec<&Container> =
                spec.containers.iter().filter(|c| memory_limit(c).is_none()).collect();
            let names: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
            let hosts: BTreeSet<String> = pods
                .iter()
                .filter_map(|p| {
                    self.pod_host
                        .get(&(
                            p.metadata.namespace.clone().unwrap_or_default(),
                            p.metadata.name.clone().unwrap_or_default(),
                        ))
                        .cloned()
                })
                .collect();
            let mine = |f: &Fact| f.root == *w;
            let oom_kills: Vec<&Fact> =
                self.facts.iter().filter(|f| f.class == Class::OomKill && mine(f)).collect();
            let named_victim: Vec<&Fact> = self
                .facts
                .iter()
                .filter(|f| f.class == Class::NodeMem && f.text.contains("victim process"))
                .filter(|f| f.host.as_ref().is_some_and(|h| hosts.contains(h)))
                .filter(|f| names.iter().any(|c| f.text.contains(&format!("victim process: {c}"))))
                .collect();
            let used: f64 = pods
                .iter()
                .filter_map(|p| {
                    usage.get(&(
                        p.metadata.namespace.clone().unwrap_or_default(),
                        p.metadata.name.clone().unwrap_or_default(),
                    ))
                })
                .copied()
                .fold(0.0, f64::max);
            let big = used >= 1024.0 * 1024.0 * 1024.0;
            let limit_text: Vec<String> = spec
                .containers
                .iter()
                .filter_map(|c| memory_limit(c).map(|l| format!("{} limit {l}", c.name)))
                .collect();
            let (description, anomaly_type) = if !unlimited.is_empty()
                && (!named_victim.is_empty() || !oom_kills.is_empty() || big)
            {
                let requests = unlimited.iter().all(|c| memory_request(c).is_none());
                (
                    format!(
                        "memory of {} {}/{} grew without a limit (container{} {}: no memory limit{}{})",
                        w.kind,
                        w.namespace,
                        w.name,
                        if unlimited.len() > 1 { "s" } else { "" },
                        unlimited.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "),
                        if requests { " nor request" } else { "" },
                        if used > 0.0 { format!("; {} in use now", gib(used)) } else { String::new() }
                    ),
                    AnomalyType::Trend,
                )
            } else if unlimited.is_empty() && !oom_kills.is_empty() {
                // OOM kills that coincide with a SystemOOM on the same node are the node's doing.
                let own: Vec<&&Fact> = oom_kills
                    .iter()
                    .filter(|k| {
                        !self.facts.iter().any(|f| {
                            f.class == Class::NodeMem
                                && f.host == k.host
                                && self.nodes[f.node].event.as_ref().is_some_and(|e| e.reason == "SystemOOM")
                                && k.time.duration_since(f.time).abs().as_secs() <= 120
                        })
                    })
                    .collect();
                if own.is_empty() {
                    continue;
                }
                (
                    format!(
                        "memory of {} {}/{} reached its limit ({})",
                        w.kind,
                        w.namespace,
                        w.name,
                        limit_text.join(", ")
                    ),
                    AnomalyType::LevelShift,
                )
            } else {
                continue;
            };
            // Growth starts before its first visible effect: the earliest memory trouble where it ran.
            let first = self
                .facts
                .iter()
                .filter(|f| {
                    (f.class == Class::NodeMem
                        && f.host.as_ref().is_some_and(|h| hosts.contains(h))
                        && !unlimited.is_empty())
                        || (f.class == Class::OomKill && mine(f))
                })
                .map(|f| f.time)
                .chain(named_victim.iter().map(|f| f.time))
                .min()
                .unwrap_or(self.now);
            new_facts.push((w.clone(), description, anomaly_type, first, used, hosts));
        }
        for (w, description, anomaly_type, first, used, hosts) in new_facts {
            let mut n = Node::new("", NodeKind::MetricAnomaly);
            n.time = Some(first);
            n.entity = Some(entity_of(&w));
            n.description = Some(description);
            n.metric = Some(Metric {
                name: "memory_working_set_bytes".into(),
                query: None,
                labels: [("namespace".to_string(), w.namespace.clone())].into_iter().collect(),
                unit: Some("bytes".into()),
            });
            n.anomaly = Some(Anomaly {
                type_: Some(anomaly_type),
                direction: Some(Direction::Up),
                baseline: None,
                observed: (used > 0.0).then_some(used),
                score: None,
                detector: Some("sleuth rules".into()),
            });
            n.source = Some(Source {
                system: Some("kubernetes".into()),
                reference: Some("pod specs, metrics.k8s.io, events".into()),
                actor: None,
            });
            let i = self.add(&format!("memory-{}", slug(&w.name)), n);
            let host_text = hosts.into_iter().collect::<Vec<_>>().join(",");
            self.fact(i, Class::Memory, w.clone(), w, None, host_text);
        }
    }

    /// Pods of an evicted workload recreated on another node.
    fn rescheduling(&mut self) {
        let evictions: Vec<Fact> = self
            .facts
            .iter()
            .filter(|f| f.class == Class::Evict && f.object.kind == "Pod")
            .cloned()
            .collect();
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        for p in &self.data.objects.pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let name = p.metadata.name.clone().unwrap_or_default();
            let Some(created) =
                p.metadata.creation_timestamp.as_ref().map(|t| t.0).filter(|t| self.in_window(*t))
            else {
                continue;
            };
            let Some(host) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else { continue };
            let root = self.idx.root("Pod", &p.metadata);
            for ev in
                evictions.iter().filter(|e| e.root == root && e.object.name != name && e.time <= created)
            {
                if ev.host.as_deref() == Some(host.as_str()) || !seen.insert((ns.clone(), name.clone())) {
                    continue;
                }
                found.push((
                    host.clone(),
                    format!("{ns}/{name}"),
                    format!("{}/{}", ev.object.namespace, ev.object.name),
                    created,
                    root.clone(),
                    ev.host.clone(),
                ));
            }
        }
        for (host, added, removed, at, root, from) in found {
            let mut n = Node::new("", NodeKind::TopologyChange);
            n.time = Some(at);
            n.entity = Some(Entity::k8s("Node", None, &host));
            n.description = Some(format!(
                "{} {}/{} rescheduled onto node {host}{}",
                root.kind,
                root.namespace,
                root.name,
                from.map(|f| format!(" (from {f})")).unwrap_or_default()
            ));
            n.change = Some(Change {
                type_: ChangeType::PodsRescheduled,
                field: None,
                before: None,
                after: None,
                added: vec![added.clone()],
                removed: vec![removed],
            });
            let i = self.add(&format!("rescheduled-{}", slug(&root.name)), n);
            self.fact(i, Class::Resched, ObjRef::new("Node", "", &host), root, Some(host.clone()), added);
        }
    }

    /// Nodes created inside the window.
    fn node_churn(&mut self) {
        let mut found = Vec::new();
        for n in &self.data.objects.nodes {
            let Some(t) = n.metadata.creation_timestamp.as_ref().map(|t| t.0).filter(|t| self.in_window(*t))
            else {
                continue;
            };
            let name = n.metadata.name.clone().unwrap_or_default();
            if self.facts.iter().any(|f| f.class == Class::NodeChurn && f.object.name == name) {
                continue;
            }
            found.push((name, t));
        }
        for (name, t) in found {
            let mut nd = Node::new("", NodeKind::TopologyChange);
            nd.time = Some(t);
            nd.entity = Some(Entity::k8s("Node", None, &name));
            nd.change = Some(Change {
                type_: ChangeType::NodeAdded,
                field: None,
                before: None,
                after: None,
                added: vec![name.clone()],
                removed: vec![],
            });
            let i = self.add(&format!("node-added-{}", slug(&name)), nd);
            let o = ObjRef::new("Node", "", &name);
            self.fact(i, Class::NodeChurn, o.clone(), o, Some(name), String::new());
        }
    }

    fn link(
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
        let mut ev = vec![json!({"kind": "temporal_precedence"})];
        ev.extend(evidence);
        e.evidence = ev;
        self.edges.push(e);
    }

    /// The propagation rules.
    fn rules(&mut self) {
        let n = self.facts.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (self.facts[i].time, i));
        let rank: Vec<usize> = {
            let mut r = vec![0; n];
            for (k, &i) in order.iter().enumerate() {
                r[i] = k;
            }
            r
        };
        // Every rule links facts about the same root, object or node, or a scheduling failure
        // to what its message names: index those, so a capture with tens of thousands of
        // events is linked in near-linear time rather than by comparing every pair.
        let mut by_root: HashMap<ObjRef, Vec<usize>> = HashMap::new();
        let mut by_object: HashMap<ObjRef, Vec<usize>> = HashMap::new();
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        let mut sched: Vec<usize> = Vec::new();
        for (k, f) in self.facts.iter().enumerate() {
            by_root.entry(f.root.clone()).or_default().push(k);
            by_object.entry(f.object.clone()).or_default().push(k);
            if let Some(h) = &f.host {
                by_host.entry(h.clone()).or_default().push(k);
            }
            if f.class == Class::Sched {
                sched.push(k);
            }
        }
        for &i in &order {
            let a = &self.facts[i];
            let mut candidates: Vec<usize> = Vec::new();
            candidates.extend(by_root.get(&a.root).into_iter().flatten());
            candidates.extend(by_object.get(&a.object).into_iter().flatten());
            if let Some(h) = &a.host {
                candidates.extend(by_host.get(h).into_iter().flatten());
            }
            if a.class == Class::Memory {
                for h in a.text.split(',') {
                    candidates.extend(by_host.get(h).into_iter().flatten());
                }
            }
            if matches!(a.class, Class::NodeMem | Class::NotReady) {
                candidates.extend(&sched);
            }
            candidates.sort_unstable_by_key(|&j| rank[j]);
            candidates.dedup();
            for j in candidates {
                if i == j || self.facts[j].time < self.facts[i].time {
                    continue;
                }
                let (a, b) = (self.facts[i].clone(), self.facts[j].clone());
                let lag = b.time.duration_since(a.time).as_secs();
                let same_host = a.host.is_some() && a.host == b.host;
                match (a.class, b.class) {
                    // A rollout precedes its own pods' failures; the longer the gap, the weaker.
                    (
                        Class::Change,
                        Class::ImagePull | Class::Crash | Class::OomKill | Class::Workload | Class::Sched,
                    ) if a.root == b.root => {
                        if b.class == Class::ImagePull
                            && a.new_images.iter().any(|img| b.text.contains(img.as_str()))
                        {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.95,
                                "new-image-fails-to-pull",
                                vec![
                                    json!({"kind": "owner_chain"}),
                                    json!({"kind": "log_match", "line": first_line(&b.text)}),
                                ],
                            );
                        } else {
                            let (rel, c) = lag_confidence(lag, 600, 1800);
                            self.link(
                                i,
                                j,
                                rel,
                                c,
                                "rollout-precedes-failure",
                                vec![json!({"kind": "owner_chain"})],
                            );
                        }
                    }
                    (Class::Change, Class::Memory) if a.root == b.root => {
                        let (rel, c) = lag_confidence(lag, 300, 900);
                        self.link(
                            i,
                            j,
                            rel,
                            c.min(0.7),
                            "rollout-precedes-memory-growth",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::Memory, Class::OomKill) if a.root == b.root => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.9,
                            "memory-growth-oom-kill",
                            vec![json!({"kind": "same_entity"}), json!({"kind": "owner_chain"})],
                        );
                    }
                    (Class::Memory, Class::NodeMem)
                        if b.host.as_ref().is_some_and(|h| a.text.split(',').any(|x| x == h)) =>
                    {
                        let container_named = self.nodes[a.node].entity.as_ref().is_some_and(|_| {
                            self.workload_containers(&a.root)
                                .iter()
                                .any(|c| b.text.contains(&format!("victim process: {c}")))
                        });
                        if container_named {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.85,
                                "unbounded-memory-exhausts-node",
                                vec![
                                    json!({"kind": "same_node"}),
                                    json!({"kind": "log_match", "line": first_line(&b.text)}),
                                ],
                            );
                        } else {
                            self.link(i, j, Relation::ContributesTo, 0.6, "unbounded-memory-exhausts-node", vec![json!({"kind": "same_node"}), json!({"kind": "domain_rule", "rule": "a container without a memory limit can take all of its node's memory"})]);
                        }
                    }
                    (Class::NodeMem, Class::OomKill) if same_host && lag <= 120 => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.85,
                            "node-oom-kills-pods",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::Evict)
                        if same_host && self.event_reason(j) == Some("Evicted") =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.9,
                            "memory-pressure-evicts",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::NotReady) if same_host && lag <= 3600 => {
                        self.link(i, j, Relation::ContributesTo, 0.6, "memory-exhaustion-starves-kubelet", vec![json!({"kind": "same_entity"}), json!({"kind": "domain_rule", "rule": "a node out of memory stops posting status"})]);
                    }
                    (Class::NodeMem, Class::Crash) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.5,
                            "node-pressure-fails-probes",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NotReady, Class::Evict) if same_host => {
                        self.link(i, j, Relation::Caused, 0.95, "not-ready-taint-evicts", vec![json!({"kind": "same_node"}), json!({"kind": "domain_rule", "rule": "the taint manager evicts pods from unreachable nodes"})]);
                    }
                    (Class::NotReady, Class::Crash) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.5,
                            "not-ready-fails-probes",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::Evict, Class::Resched | Class::Workload | Class::Sched)
                        if a.root == b.root && a.root.kind != "Pod" =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.85,
                            "eviction-forces-replacement",
                            vec![json!({"kind": "owner_chain"})],
                        );
                    }
                    (Class::Resched, Class::NodeMem) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "rescheduled-load-pressures-node",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    (Class::NodeMem, Class::NodeMem) if same_host => {
                        // Only to the next memory event on the node: the pressure continues.
                        let here = order.iter().position(|&k| k == i).expect("in order");
                        let next = order[here + 1..]
                            .iter()
                            .copied()
                            .find(|&k| self.facts[k].class == Class::NodeMem && self.facts[k].host == a.host);
                        if next == Some(j) {
                            self.link(
                                i,
                                j,
                                Relation::Caused,
                                0.8,
                                "memory-pressure-continues",
                                vec![json!({"kind": "same_node"})],
                            );
                        }
                    }
                    (Class::NodeMem, Class::Sched)
                        if b.text.contains("memory-pressure")
                            && a.host.as_ref().is_some_and(|h| self.idx.memory_pressure.contains(h)) =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "pressure-taint-blocks-scheduling",
                            vec![json!({"kind": "log_match", "line": first_line(&b.text)})],
                        );
                    }
                    (Class::NotReady, Class::Sched)
                        if b.text.contains("unreachable") || b.text.contains("not-ready") =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.6,
                            "unreachable-taint-blocks-scheduling",
                            vec![json!({"kind": "log_match", "line": first_line(&b.text)})],
                        );
                    }
                    (Class::OomKill, Class::Crash) if a.object == b.object => {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.8,
                            "oom-kill-restarts",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::ImagePull, Class::ImagePull | Class::Crash)
                        if a.object == b.object && self.event_reason(i) != self.event_reason(j) =>
                    {
                        self.link(
                            i,
                            j,
                            Relation::Caused,
                            0.8,
                            "pull-failure-backs-off",
                            vec![json!({"kind": "same_entity"})],
                        );
                    }
                    (Class::NodeChurn, _) if same_host => {
                        self.link(
                            i,
                            j,
                            Relation::ContributesTo,
                            0.4,
                            "node-churn",
                            vec![json!({"kind": "same_node"})],
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    fn event_reason(&self, fact: usize) -> Option<&str> {
        self.nodes[self.facts[fact].node].event.as_ref().map(|e| e.reason.as_str())
    }

    fn workload_containers(&self, root: &ObjRef) -> Vec<String> {
        self.idx
            .pods_of(root)
            .first()
            .and_then(|p| p.spec.as_ref())
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    /// One symptom per root object of the findings that describe effects, linked from the
    /// evidence about that object, its pods, the nodes they ran on, and the workloads behind a
    /// Service.
    fn symptoms(&mut self, report: &Report) -> Vec<String> {
        let mut by_root: BTreeMap<ObjRef, Vec<&crate::rules::Finding>> = BTreeMap::new();
        for f in &report.findings {
            let family = f.rule.split('-').next().unwrap_or("");
            if !self.in_scope(f.namespace.as_deref().unwrap_or("")) {
                continue;
            }
            if f.severity < FindingSeverity::Warning
                || CAUSE_RULES.contains(&f.rule.as_str())
                || CAUSE_FAMILIES.contains(&family)
            {
                continue;
            }
            by_root.entry(f.root()).or_default().push(f);
        }
        let mut ids = Vec::new();
        let mut symptom_facts: Vec<(usize, ObjRef)> = Vec::new();
        for (root, findings) in &by_root {
            let worst = findings.iter().max_by_key(|f| f.severity).expect("non-empty");
            let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            let mut n = Node::new("", NodeKind::Symptom);
            n.time = Some(self.now);
            n.entity = Some(entity_of(root));
            n.description = Some(format!(
                "{} {}: {} ({})",
                root.kind,
                if root.namespace.is_empty() {
                    root.name.clone()
                } else {
                    format!("{}/{}", root.namespace, root.name)
                },
                first_line(&worst.message),
                rules.join(", ")
            ));
            n.severity = Some(match worst.severity {
                FindingSeverity::Critical => Severity::Critical,
                FindingSeverity::Error => Severity::Error,
                _ => Severity::Warning,
            });
            n.source = Some(Source {
                system: Some("sleuth diagnose".into()),
                reference: Some(rules.join(",")),
                actor: None,
            });
            let i = self.add(&format!("symptom-{}-{}", slug(&root.kind), slug(&root.name)), n);
            ids.push(self.nodes[i].id.clone());
            self.fact(i, Class::Other, root.clone(), root.clone(), None, String::new());
            symptom_facts.push((self.facts.len() - 1, root.clone()));
        }
        let event_like = |c: Class| {
            matches!(
                c,
                Class::OomKill
                    | Class::Evict
                    | Class::Crash
                    | Class::ImagePull
                    | Class::Sched
                    | Class::Workload
                    | Class::NotReady
                    | Class::Resched
                    | Class::Other
            )
        };
        for (s, root) in &symptom_facts {
            let hosts: BTreeSet<String> = self
                .idx
                .pods_of(root)
                .iter()
                .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
                .collect();
            for k in 0..self.facts.len() {
                let f = &self.facts[k];
                if symptom_facts.iter().any(|(x, _)| *x == k) {
                    continue;
                }
                if (f.root == *root || f.object == *root) && event_like(f.class) {
                    let conf = if f.class == Class::NotReady { 0.95 } else { 0.8 };
                    self.link(
                        k,
                        *s,
                        Relation::Caused,
                        conf,
                        "evidence-about-the-object",
                        vec![json!({"kind": if f.object == *root { "same_entity" } else { "owner_chain" }})],
                    );
                } else if f.class == Class::NotReady && f.host.as_ref().is_some_and(|h| hosts.contains(h)) {
                    self.link(
                        k,
                        *s,
                        Relation::Caused,
                        0.8,
                        "pods-on-not-ready-node",
                        vec![json!({"kind": "same_node"})],
                    );
                }
            }
            // A Service is down when the workloads behind it are.
            if root.kind == "Service" {
                let backends: BTreeSet<ObjRef> =
                    cluster::query::service_pods(self.data, &root.namespace, &root.name)
                        .iter()
                        .map(|p| self.idx.root("Pod", &p.metadata))
                        .collect();
                for (t, other) in &symptom_facts {
                    if backends.contains(other) {
                        self.link(
                            *t,
                            *s,
                            Relation::Caused,
                            0.9,
                            "service-backends-down",
                            vec![json!({"kind": "dependency"})],
                        );
                    }
                }
            }
        }
        ids
    }
}

fn memory_limit(c: &Container) -> Option<String> {
    c.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("memory")).map(|q| q.0.clone())
}

fn memory_request(c: &Container) -> Option<String> {
    c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|l| l.get("memory")).map(|q| q.0.clone())
}

fn gib(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", bytes / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", bytes / (1024.0 * 1024.0))
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").split(" | ").next().unwrap_or("");
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else {
        line.to_string()
    }
}

fn short_json(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "none".into(),
        other => other.to_string(),
    };
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// `Scaled up replica set X to N` / `Scaled down replica set X to N from M` → (X, N, M).
fn parse_scaling(message: &str) -> Option<(String, u64, Option<u64>)> {
    let rest = message.split("replica set ").nth(1)?;
    let (rs, rest) = rest.split_once(" to ")?;
    let mut words = rest.split_whitespace();
    let after = words.next()?.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?;
    let before = match (words.next(), words.next()) {
        (Some("from"), Some(b)) => b.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok(),
        _ => None,
    };
    Some((rs.to_string(), after, before))
}

/// Confidence of "A precedes B on the same workload" by lag: caused when close, weaker after.
fn lag_confidence(lag: i64, close: i64, medium: i64) -> (Relation, f64) {
    if lag <= close {
        (Relation::Caused, 0.8)
    } else if lag <= medium {
        (Relation::ContributesTo, 0.5)
    } else {
        (Relation::ContributesTo, 0.3)
    }
}

/// The ConfigMaps and Secrets a pod spec reads (`ConfigMap/name`, `Secret/name`): volumes,
/// `envFrom` and `valueFrom` references.
fn spec_refs(s: &PodSpec) -> BTreeSet<String> {
    let mut v = BTreeSet::new();
    for vol in s.volumes.iter().flatten() {
        if let Some(c) = &vol.config_map {
            v.insert(format!("ConfigMap/{}", c.name));
        }
        if let Some(n) = vol.secret.as_ref().and_then(|x| x.secret_name.clone()) {
            v.insert(format!("Secret/{n}"));
        }
        for src in vol.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(c) = &src.config_map {
                v.insert(format!("ConfigMap/{}", c.name));
            }
            if let Some(x) = &src.secret {
                v.insert(format!("Secret/{}", x.name));
            }
        }
    }
    for c in s.containers.iter().chain(s.init_containers.iter().flatten()) {
        for e in c.env_from.iter().flatten() {
            if let Some(c) = &e.config_map_ref {
                v.insert(format!("ConfigMap/{}", c.name));
            }
            if let Some(s) = &e.secret_ref {
                v.insert(format!("Secret/{}", s.name));
            }
        }
        for e in c.env.iter().flatten().filter_map(|e| e.value_from.as_ref()) {
            if let Some(r) = &e.config_map_key_ref {
                v.insert(format!("ConfigMap/{}", r.name));
            }
            if let Some(r) = &e.secret_key_ref {
                v.insert(format!("Secret/{}", r.name));
            }
        }
    }
    v
}

/// What changed between two pod templates, typed.
#[derive(Debug, Default)]
struct Diff {
    /// (container, before, after).
    images: Vec<(String, String, String)>,
    /// (field, before, after) for everything else; values as they are after redaction.
    config: Vec<(String, Value, Value)>,
}

fn diff(a: &PodSpec, b: &PodSpec) -> Diff {
    let mut d = Diff::default();
    for cb in &b.containers {
        let Some(ca) = a.containers.iter().find(|c| c.name == cb.name) else {
            d.config.push((format!("containers[{}]", cb.name), Value::Null, json!("added")));
            continue;
        };
        if ca.image != cb.image {
            d.images.push((
                cb.name.clone(),
                ca.image.clone().unwrap_or_default(),
                cb.image.clone().unwrap_or_default(),
            ));
        }
        let env = |c: &Container| -> BTreeMap<String, Value> {
            c.env
                .iter()
                .flatten()
                .map(|e| {
                    (
                        e.name.clone(),
                        e.value.clone().map_or_else(|| json!("(from a reference)"), Value::String),
                    )
                })
                .collect()
        };
        let (ea, eb) = (env(ca), env(cb));
        for k in ea.keys().chain(eb.keys()).collect::<BTreeSet<_>>() {
            let (x, y) =
                (ea.get(k).cloned().unwrap_or(Value::Null), eb.get(k).cloned().unwrap_or(Value::Null));
            if x != y {
                d.config.push((format!("containers[{}].env.{k}", cb.name), x, y));
            }
        }
        if ca.resources != cb.resources {
            d.config.push((
                format!("containers[{}].resources", cb.name),
                serde_json::to_value(&ca.resources).unwrap_or(Value::Null),
                serde_json::to_value(&cb.resources).unwrap_or(Value::Null),
            ));
        }
        if ca.args != cb.args || ca.command != cb.command {
            d.config.push((format!("containers[{}].args", cb.name), json!(ca.args), json!(cb.args)));
        }
        if ca.liveness_probe != cb.liveness_probe || ca.readiness_probe != cb.readiness_probe {
            d.config.push((format!("containers[{}].probes", cb.name), json!("previous"), json!("changed")));
        }
    }
    for ca in &a.containers {
        if !b.containers.iter().any(|c| c.name == ca.name) {
            d.config.push((format!("containers[{}]", ca.name), json!("present"), Value::Null));
        }
    }
    let (ra, rb) = (spec_refs(a), spec_refs(b));
    if ra != rb {
        // Only what changed: the ConfigMaps and Secrets no longer read, and the new ones.
        let gone: Vec<&String> = ra.difference(&rb).collect();
        let new: Vec<&String> = rb.difference(&ra).collect();
        d.config.push(("config references".into(), json!(gone), json!(new)));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{self, Options as AnalyzeOptions};
    use cluster::snapshot;
    use rcagraph::{analyze::analyze as rank, validate::from_value};

    fn demo() -> ClusterData {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs-index/cluster");
        snapshot::load(&dir).expect("demo snapshot reads")
    }

    #[test]
    fn the_demo_incident_is_rooted_in_log_alerter_memory() {
        let data = demo();
        let report = rules::analyze(&data, &AnalyzeOptions::default());
        let g = build(&data, &report, &Options::default());
        // What sleuth emits must pass its own validation.
        let v = serde_json::to_value(&g).unwrap();
        let parsed = from_value(&v).unwrap_or_else(|e| panic!("{:#?}", e.issues));
        let a = rank(&parsed.graph);
        let top = a.top().expect("a root cause");
        let node = g.nodes.iter().find(|n| n.id == top.node_id).unwrap();
        assert_eq!(
            node.entity.as_ref().unwrap().reference(),
            "Deployment/monitoring/log-alerter",
            "{node:#?}"
        );
        assert_eq!(node.kind, NodeKind::MetricAnomaly);
        assert!(node.description.as_ref().unwrap().contains("without a limit"));
        // The rollout of revision 7 is an earlier, weakly linked cause.
        assert!(top.weak_parents.iter().any(|p| p.contains("log-alerter-r7")), "{:?}", top.weak_parents);
        // The notifications image typo is a separate, lower-ranked story rooted in its image change.
        let notif = a
            .root_causes
            .iter()
            .position(|r| r.node_id.starts_with("image-notifications"))
            .expect("notifications ranked");
        assert!(notif > 0);
        // Every edge names its rule and evidence.
        assert!(
            g.edges.iter().all(
                |e| e.method.as_deref().is_some_and(|m| m.starts_with("rule:")) && !e.evidence.is_empty()
            )
        );
    }

    #[test]
    fn an_in_place_config_edit_before_crashes_is_their_cause() {
        let mut data = demo();
        // storefront reads ConfigMap storefront-config; someone edits it, then its pods crash.
        let raw_cm = serde_json::to_string(&json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "storefront-config", "namespace": "shop", "creationTimestamp": "2026-10-11T14:32:00Z",
                "managedFields": [
                    {"manager": "helm", "operation": "Update", "time": "2026-10-11T14:32:00Z"},
                    {"manager": "kubectl-edit", "operation": "Update", "time": "2026-11-20T14:20:00Z"}]},
            "data": {"feature.json": "{\"checkout\": false}"}
        }))
        .unwrap();
        let raw_ev = serde_json::to_string(&json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "storefront.crash", "namespace": "shop", "creationTimestamp": "2026-11-20T14:22:00Z"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "storefront-a8f2e11a54-54686"},
            "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container storefront",
            "count": 9, "firstTimestamp": "2026-11-20T14:22:00Z", "lastTimestamp": "2026-11-20T14:31:00Z"
        }))
        .unwrap();
        data.objects.config_maps.retain(|c| c.metadata.name.as_deref() != Some("storefront-config"));
        let cm = serde_json::value::RawValue::from_string(raw_cm).unwrap();
        let ev = serde_json::value::RawValue::from_string(raw_ev).unwrap();
        data.insert_raw(cluster::Kind::ConfigMap, &[&cm], "test");
        data.insert_raw(cluster::Kind::Event, &[&ev], "test");
        data.finish();
        let report = rules::analyze(&data, &AnalyzeOptions::default());
        let g = build(&data, &report, &Options::default());
        let edit = g
            .nodes
            .iter()
            .find(|n| n.id.starts_with("edit-configmap-storefront-config"))
            .expect("the edit is a change event");
        assert_eq!(edit.source.as_ref().unwrap().actor.as_deref(), Some("kubectl-edit"));
        assert!(
            edit.description.as_ref().unwrap().contains("read by Deployment shop/storefront"),
            "{edit:?}"
        );
        let link = g.edges.iter().find(|e| e.from == edit.id).expect("linked to the crashes");
        assert!(link.to.starts_with("backoff-storefront"), "{link:?}");
        assert_eq!(link.relation, Relation::Caused, "two minutes before: a close link");
        // Creation alone is not an edit: the demo's own ConfigMaps give no such node.
        let plain = build(&demo(), &rules::analyze(&demo(), &AnalyzeOptions::default()), &Options::default());
        assert!(!plain.nodes.iter().any(|n| n.id.starts_with("edit-")));
    }

    #[test]
    fn scaling_messages() {
        assert_eq!(parse_scaling("Scaled up replica set web-5d9c to 6"), Some(("web-5d9c".into(), 6, None)));
        assert_eq!(
            parse_scaling("Scaled down replica set web-5d9c to 2 from 6"),
            Some(("web-5d9c".into(), 2, Some(6)))
        );
        assert_eq!(
            parse_scaling("Scaled up replica set web-5d9c to 3 from 1 (new)"),
            Some(("web-5d9c".into(), 3, Some(1)))
        );
        assert_eq!(parse_scaling("something else"), None);
    }

    #[test]
    fn the_window_and_namespaces_limit_the_evidence() {
        let data = demo();
        let report = rules::analyze(&data, &AnalyzeOptions::default());
        let narrow =
            build(&data, &report, &Options { since: SignedDuration::from_mins(10), namespaces: vec![] });
        assert!(!narrow.nodes.iter().any(|n| n.id.contains("log-alerter-r7")));
        let shop = build(
            &data,
            &report,
            &Options { since: SignedDuration::from_hours(2), namespaces: vec!["shop".into()] },
        );
        assert!(
            shop.nodes.iter().all(|n| n
                .entity
                .as_ref()
                .and_then(|e| e.namespace.as_deref())
                .is_none_or(|ns| ns == "shop"))
        );
    }
}
