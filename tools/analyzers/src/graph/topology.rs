//! Topology changes: pods of an evicted workload recreated elsewhere, nodes that joined or left.

use std::collections::HashSet;

use rcagraph::schema::{Change, ChangeType, Entity, Node, NodeKind};

use crate::rules::ObjRef;

use super::builder::{Builder, Class, Fact, slug};

impl Builder<'_> {
    /// Pods of an evicted workload recreated on another node.
    pub(super) fn rescheduling(&mut self) {
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
    pub(super) fn node_churn(&mut self) {
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
}
