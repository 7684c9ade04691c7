//! Kubernetes events as nodes (one per object and reason), and OOM kills that only container
//! status recorded.

use std::collections::BTreeMap;

use rcagraph::schema::{Change, ChangeType, EventType, K8sEvent, Node, NodeKind, Source};

use crate::rules::ObjRef;
use cluster::events::EventRecord;

use super::builder::{Builder, Class, classify, entity_of, obj, slug};

/// Normal events worth a node: they mark failures even though Kubernetes files them as Normal.
pub(super) const NORMAL_KEPT: &[&str] = &[
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

impl Builder<'_> {
    /// One node per (object, reason) for the events that matter.
    pub(super) fn events(&mut self, all_events: &[EventRecord]) {
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
    pub(super) fn status_oom_kills(&mut self) {
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
}
